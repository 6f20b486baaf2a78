"""Text analysis: a document's text normalised, cut into words, sentences and
blocks, with page chrome and quotation marks found (``segment`` puts it together)."""

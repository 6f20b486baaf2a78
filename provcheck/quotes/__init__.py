"""Quotations: extraction per document, speakers across the corpus, and the quote map."""

from __future__ import annotations

from collections.abc import Sequence

from provcheck.quotes import stored
from provcheck.quotes.cluster import Attributed, Printing, QuoteMap, quote_map
from provcheck.quotes.extract import extract
from provcheck.quotes.reading import Quotation
from provcheck.quotes.speakers import LocalSpeaker, canonical_names, resolve_document
from provcheck.records import QuoteKind
from provcheck.text.segment import Segmented, with_quotes

__all__ = ["Attributed", "Printing", "Quotation", "QuoteMap", "attribute", "quotations_of",
           "quote_map"]


def quotations_of(
    text: str, seg: Segmented, record: str | None = None,
) -> tuple[Segmented, tuple[Quotation, ...], tuple[LocalSpeaker, ...]]:
    """A document's quotations and their local speakers, found by the rules or read
    from an index's ``record`` of them (``stored``); the segmentation learns which text
    is quoted speech (quotation marks and transcript answers) for ``in_quote``."""
    if record is None:
        found = tuple(extract(text, seg))
        speakers = tuple(resolve_document(text, found))
    else:
        found, speakers = stored.decode(record)
    quoted = [(p.start, p.end) for q in found if q.kind is not QuoteKind.REPORTED for p in q.parts]
    return with_quotes(seg, quoted), found, speakers


def attribute(quotations: Sequence[Sequence[Quotation]],
              speakers: Sequence[Sequence[LocalSpeaker]]) -> list[Attributed]:
    """Every quotation of the corpus with one name per speaker across documents."""
    names = canonical_names([[s.name for s in doc] for doc in speakers])
    out = []
    for doc, (found, local, mapping) in enumerate(zip(quotations, speakers, names, strict=True)):
        for quotation, speaker in zip(found, local, strict=True):
            name = mapping.get(speaker.name, speaker.name) if speaker.name else speaker.description
            out.append(Attributed(doc, quotation, name))
    return out

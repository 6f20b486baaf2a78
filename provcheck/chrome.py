"""Page chrome: site furniture saved along with an article, excluded from reuse.

Rules that generalise, never a list of known strings:
  * short: a block of at most ``SHORT_WORDS`` words that is not a sentence
    ("Download Audio", "Trending", "Share this article");
  * repeated: a block that occurs twice in one document (a photo caption or headline
    printed twice) - a repeat inside one text is layout, not reuse;
  * adjacent: a heading-like block (no sentence end, at most ``HEADING_WORDS`` words)
    next to chrome is chrome too, which takes in link lists ("You might also like"
    followed by headlines) and comment forms;
  * boilerplate: a block printed in ``OUTLET_MIN_DOCS`` or more documents of one outlet
    in the corpus (a footer, a newsletter plug), see ``corpus_boilerplate``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

SHORT_WORDS = 4
HEADING_WORDS = 15
OUTLET_MIN_DOCS = 3
BOILERPLATE_MAX_WORDS = 30

BlockEntry = tuple[str, int]  # (outlet, casefolded; the block's key)

_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")


def document_chrome(
    texts: Sequence[str], words: np.ndarray, keys: np.ndarray
) -> np.ndarray:
    """Chrome flags for the blocks of one document, from the per-document rules."""
    n = len(texts)
    sentence = np.array([bool(_SENTENCE_END.search(t)) for t in texts], dtype=bool)
    flags = (words <= SHORT_WORDS) & ~sentence
    if n:
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        flags |= (counts[inverse] > 1) & (words > 0)
    heading = ~sentence & (words <= HEADING_WORDS)
    changed = True
    while changed:
        neighbour = np.zeros(n, dtype=bool)
        neighbour[1:] |= flags[:-1]
        neighbour[:-1] |= flags[1:]
        grown = flags | (heading & neighbour)
        changed = bool((grown != flags).any())
        flags = grown
    return flags


def outlet_blocks(outlet: str | None, keys: np.ndarray, words: np.ndarray) -> set[BlockEntry]:
    """The blocks of one document that count towards its outlet's boilerplate: short ones,
    and only with a known outlet (across outlets, a shared block is exactly the reuse
    provcheck reports)."""
    if outlet is None:
        return set()
    name = outlet.casefold()
    return {(name, k) for k, n in zip(keys.tolist(), words.tolist(), strict=True)
            if 0 < n <= BOILERPLATE_MAX_WORDS}


def corpus_boilerplate(
    outlets: Sequence[str | None], keys: Sequence[np.ndarray], words: Sequence[np.ndarray],
    known: Mapping[BlockEntry, int] | None = None,
) -> list[np.ndarray]:
    """Per document, flags for blocks printed in ``OUTLET_MIN_DOCS`` or more documents of
    the same outlet: those given, plus ``known`` counts of other documents (an index's).

    Only short blocks count, so that an outlet re-publishing an updated article is not
    mistaken for boilerplate.
    """
    counts: Counter[BlockEntry] = Counter(known or {})
    for outlet, doc_keys, doc_words in zip(outlets, keys, words, strict=True):
        counts.update(outlet_blocks(outlet, doc_keys, doc_words))
    common = {k for k, n in counts.items() if n >= OUTLET_MIN_DOCS}
    out = []
    for outlet, doc_keys in zip(outlets, keys, strict=True):
        if outlet is None or not common:
            out.append(np.zeros(len(doc_keys), dtype=bool))
            continue
        o = outlet.casefold()
        out.append(np.array([(o, k) in common for k in doc_keys.tolist()], dtype=bool))
    return out

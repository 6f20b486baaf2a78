"""Page chrome: site furniture saved along with an article, excluded from reuse.

Rules that generalise, never a list of known strings:
  * short: a block of at most ``SHORT_WORDS`` words that is not a sentence
    ("Download Audio", "Trending", "Share this article");
  * repeated: a block that occurs twice in one document (a photo caption or headline
    printed twice) - a repeat inside one text is layout, not reuse;
  * adjacent: a heading-like block (no sentence end, at most ``HEADING_WORDS`` words)
    next to chrome is chrome too, which takes in link lists ("You might also like"
    followed by headlines) and comment forms;
  * boilerplate: a block of any length that documents share without sharing the text
    around it - an editor's note, an "About <company>" paragraph, a copyright footer,
    a disclaimer, a newsletter plug - see ``corpus_boilerplate``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

SHORT_WORDS = 4
HEADING_WORDS = 15
OUTLET_MIN_DOCS = 3
BOILERPLATE_MAX_WORDS = 30
# Two documents printing the same block are otherwise related (the same story, a wire
# reprint, an updated article, a page of it) when they share other sentences too: this
# many, and this share of the sentences of the one with fewer. Documents that share a
# block and no other text carry it as boilerplate.
RELATED_SENTENCES = 2
RELATED_SHARE = 0.2
# Where publishers append their furniture (footers, editor's notes, "About ..."): the
# last body blocks. Not the first: a related-story box repeats another story's lede, and
# a story's lede is its own, not furniture.
EDGE_TAIL = 3
# A block printed by this many groups of otherwise unrelated documents at the edges of
# every one of them, or by this many anywhere, is boilerplate.
EDGE_GROUPS, ANY_GROUPS = 2, 4
# A document whose body is this much one block is that block (a one-paragraph story).
MOSTLY = 0.8
# Groups are told apart by comparing each printing with one of each group found so far;
# past this many, a block is boilerplate whatever the rest says.
MAX_GROUPS = 64
# A block mostly in quotation marks is someone's statement, which outlets share as
# quotations, not boilerplate.
QUOTED_SHARE = 0.5

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


@dataclass(frozen=True, slots=True)
class Blocks:
    """What the boilerplate rules read of one document; ``detail`` is read only for the
    documents that print a block another prints too."""

    outlet: str | None
    keys: np.ndarray  # uint32 [n_blocks]: hash of each block's folded tokens
    words: np.ndarray  # int64 [n_blocks]
    chrome: np.ndarray  # bool [n_blocks]: chrome by the rules of one document
    detail: Callable[[], Detail]


@dataclass(frozen=True, slots=True)
class Detail:
    quoted: np.ndarray  # float [n_blocks]: share of each block's words in quotation marks
    sentences: np.ndarray  # uint64: a key of each sentence unit's words, outside chrome
    sentence_block: np.ndarray  # int64: the block of each of ``sentences``

    def sentences_outside(self, block: int) -> np.ndarray:
        """The distinct sentence keys of the document outside ``block`` (sorted)."""
        return np.unique(self.sentences[self.sentence_block != block])


@dataclass(frozen=True, slots=True)
class Found:
    """A block set aside as boilerplate, with the rule that found it and where it is
    printed: (document, block) positions."""

    rule: str  # "outlet", "edge" or "widespread"
    places: tuple[tuple[int, int], ...]


def corpus_boilerplate(documents: Sequence[Blocks], known: Mapping[BlockEntry, int] | None = None,
                       ) -> tuple[list[np.ndarray], list[Found]]:
    """Per document, flags for its blocks that are boilerplate in the corpus, and the
    boilerplate blocks found. A block is boilerplate when documents that are otherwise
    unrelated print it - groups of documents none of which shares other sentences with
    another group's (``RELATED_SENTENCES``, ``RELATED_SHARE``):

    * outlet: a short block that ``OUTLET_MIN_DOCS`` groups of one outlet's documents
      print, counting ``known`` documents outside the corpus (an index's) one each;
    * edge: a block of any length, not mostly quoted, that ``EDGE_GROUPS`` groups print
      among the last blocks of every document printing it (a footer, an editor's note,
      "About <company>");
    * widespread: such a block that ``ANY_GROUPS`` groups print anywhere.

    A wire story's paragraph comes with the rest of the story, and an outlet's updated
    article with the rest of the article: their printings are one group, so neither is
    boilerplate however many outlets print it.
    """
    flags = [np.zeros(len(d.keys), dtype=bool) for d in documents]
    bodies = [np.flatnonzero(~d.chrome & (d.words > 0)) for d in documents]
    printed = _printed_twice(documents, bodies, {key for _, key in known or {}})
    details = _Details(documents)
    found = _shared_rule(documents, details, printed, flags)
    found += _outlet_rule(documents, details, printed, known or {}, flags)
    return flags, found


def _printed_twice(documents: Sequence[Blocks], bodies: Sequence[np.ndarray],
                   also: set[int]) -> dict[int, list[tuple[int, int, bool]]]:
    """Where each body block that two documents print (or whose key is in ``also``) is
    printed: (document, block, among its last blocks). Most blocks are printed once, so
    documents are passed over unless they print one of the others'."""
    keys = [d.keys[body].tolist() for d, body in zip(documents, bodies, strict=True)]
    held: Counter[int] = Counter()
    for doc_keys in keys:
        held.update(set(doc_keys))
    wanted = {k for k, n in held.items() if n > 1} | also
    printed: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for n, (body, doc_keys) in enumerate(zip(bodies, keys, strict=True)):
        if wanted.isdisjoint(doc_keys):
            continue
        last = len(doc_keys) - EDGE_TAIL
        for p, (b, key) in enumerate(zip(body.tolist(), doc_keys, strict=True)):
            if key in wanted:
                printed[key].append((n, b, p >= last))
    return printed


class _Details(dict[int, Detail]):
    """Each document's ``Detail``, read when first asked for."""

    def __init__(self, documents: Sequence[Blocks]) -> None:
        super().__init__()
        self.documents = documents

    def __missing__(self, n: int) -> Detail:
        found = self[n] = self.documents[n].detail()
        return found


def _outlet_rule(documents: Sequence[Blocks], details: _Details,
                 printed: Mapping[int, list[tuple[int, int, bool]]],
                 known: Mapping[BlockEntry, int], flags: list[np.ndarray]) -> list[Found]:
    found = []
    for key, places in printed.items():
        by_outlet: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for n, b, _ in places:
            doc = documents[n]
            if doc.outlet is not None and doc.words[b] <= BOILERPLATE_MAX_WORDS \
                    and not flags[n][b]:
                by_outlet[doc.outlet.casefold()].append((n, b))
        for outlet, own in by_outlet.items():
            outside = known.get((outlet, key), 0)
            if outside + len(own) < OUTLET_MIN_DOCS:
                continue
            if outside + _groups(documents, details, own, whole=True) >= OUTLET_MIN_DOCS:
                for n, b in own:
                    flags[n][b] = True
                found.append(Found("outlet", tuple(own)))
    return found


def _shared_rule(documents: Sequence[Blocks], details: _Details,
                 printed: Mapping[int, list[tuple[int, int, bool]]],
                 flags: list[np.ndarray]) -> list[Found]:
    found = []
    for places in printed.values():
        if len({n for n, _, _ in places}) < EDGE_GROUPS:
            continue
        places = [(n, b, edge) for n, b, edge in places if details[n].quoted[b] < QUOTED_SHARE]
        if len({n for n, _, _ in places}) < EDGE_GROUPS:
            continue
        at_edges = all(edge for _, _, edge in places)
        groups = _groups(documents, details, [(n, b) for n, b, _ in places])
        if groups >= ANY_GROUPS or (at_edges and groups >= EDGE_GROUPS):
            for n, b, _ in places:
                flags[n][b] = True
            found.append(Found("widespread" if groups >= ANY_GROUPS else "edge",
                               tuple((n, b) for n, b, _ in places)))
    return found


def _groups(documents: Sequence[Blocks], details: _Details,
            carriers: Sequence[tuple[int, int]], *, whole: bool = False) -> int:
    """How many groups of otherwise unrelated documents the (document, block) printings
    ``carriers`` fall into, each compared with one document of each group found so far;
    past ``MAX_GROUPS`` the count stops. Unless ``whole``, a document that is little but
    the block (a one-paragraph story) has nothing else to tell, and makes no group of
    its own (an outlet's short blocks are counted ``whole``: its briefs carry its footer)."""
    heads: list[np.ndarray] = []
    seen: set[int] = set()
    for n, b in carriers:
        if n in seen or (not whole and _mostly(documents[n], b)):
            continue
        seen.add(n)
        sentences = details[n].sentences_outside(b)
        if not any(_related(sentences, h) for h in heads):
            heads.append(sentences)
            if len(heads) >= MAX_GROUPS:
                break
    return len(heads)


def _mostly(doc: Blocks, block: int) -> bool:
    body = int(doc.words[~doc.chrome].sum())
    return doc.words[block] >= MOSTLY * body


def _related(x: np.ndarray, y: np.ndarray) -> bool:
    shared = len(np.intersect1d(x, y, assume_unique=True))
    return shared >= max(RELATED_SENTENCES, RELATED_SHARE * min(len(x), len(y)))

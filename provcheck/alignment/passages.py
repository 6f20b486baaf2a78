"""Passages: a region's seeded sentence pairs refined word by word into exact spans.

Each seeded pair of units is aligned over its words with rapidfuzz (``Indel.opcodes``
on token hashes, so spelling variants that normalise alike count as equal). The spans
are trimmed to the first and last shared run of words, and the pair gets its kind:
``verbatim`` when the texts are the same but for glyphs and spacing, ``near_verbatim``
when only a word or two or the punctuation differ, ``paraphrase`` otherwise - and
always when one side quotes what the other reports (reported speech). Adjacent pairs
of the same kind and quote status merge into one passage.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from provcheck.alignment import runs
from provcheck.alignment.vectors import Entries
from provcheck.records import Kind, Passage, Region, Span
from provcheck.settings import Settings
from provcheck.text.normalize import light
from provcheck.text.quotespan import in_spans
from provcheck.text.segment import Segmented

# Punctuation at a passage's edges says where the sentence went on, not how it was copied.
_EDGE = " .,;:!?\"'-"
# A run of shared words long enough to anchor a span boundary.
ANCHOR_WORDS = 2
# near_verbatim allows this share of a passage's words to differ (at least two words).
NEAR_EDIT_SHARE = 0.1
# Trim to the shared words only when they are at least this share of the sentence;
# otherwise the shared words are incidental (a name, a stock phrase) and the whole
# sentence is the paraphrase.
TRIM_MIN_SHARE = 0.4
# A verbatim run is evidence on its own only with this many content words that are
# not names: "NATO Secretary General Jens Stoltenberg" is a stock phrase, not reuse.
RUN_MIN_CONTENT = 2
# A paraphrase of fewer content words than this is kept only when worded this closely.
SHORT_PARAPHRASE_CONTENT = 6
SHORT_PARAPHRASE_SIMILARITY = 0.6
# Paraphrase this loose at the edge of a mostly verbatim region is not part of it.
LOOSE_SIMILARITY = 0.6


@dataclass(slots=True)
class Side:
    """One document of a pair, restricted to its units outside chrome with content words.

    Units are addressed by *row*, their rank among those units, so gaps between seeds
    are counted in sentences that could have matched.
    """

    seg: Segmented
    text: str
    units: np.ndarray  # unit index of each row
    entries: Entries
    body_chars: int  # characters of its units outside chrome
    _words: _Words | None = None  # made when a pair first compares words (most never do)
    _keys: np.ndarray | None = None  # made when a pair first needs them (few do)
    _grams: runs.GramIndex | None = None  # word n-gram keys, made when first compared

    @classmethod
    def of(cls, seg: Segmented, text: str) -> Side:
        has_content = np.zeros(seg.n_units, dtype=bool)
        has_content[seg.terms.unit] = True
        units = np.flatnonzero(has_content & ~seg.unit_chrome)
        rank = np.full(seg.n_units, -1, dtype=np.int64)
        rank[units] = np.arange(len(units))
        spans = seg.unit_span[units]
        return cls(seg, text, units, Entries.of(seg.terms, rank, len(units)),
                   int((spans[:, 1] - spans[:, 0]).sum()))

    @property
    def words(self) -> _Words:
        if self._words is None:
            self._words = _Words.of(self.seg, self.units)
        return self._words

    @property
    def row_keys(self) -> np.ndarray:
        """uint64 [rows]: a key of each row's words in order (``Segmented.unit_keys``)."""
        if self._keys is None:
            self._keys = self.seg.unit_keys[self.units]
        return self._keys

    @property
    def grams(self) -> runs.GramIndex:
        """The word n-gram keys of the text (``runs.gram_index``)."""
        if self._grams is None:
            self._grams = runs.gram_index(self.seg)
        return self._grams

    def chars(self, first: int, last: int) -> int:
        """Length in characters of participating units ``first..last`` (inclusive)."""
        spans = self.seg.unit_span
        return int(spans[self.units[last], 1] - spans[self.units[first], 0])

    def tokens(self, row: int) -> tuple[int, int]:
        t0, t1 = self.words.row_tokens[row]
        return t0, t1

    def hashes(self, row: int) -> list[int]:
        """The token hashes of a row's unit, as a list: a unit is compared with several
        of the other document's, and in several pairs."""
        found = self.words.row_hashes.get(row)
        if found is None:
            t0, t1 = self.words.row_tokens[row]
            found = self.words.row_hashes[row] = self.seg.tok_hash[t0:t1].tolist()
        return found

    def span(self, t0: int, t1: int) -> Span:
        """The raw span of tokens ``[t0, t1)``, with closing punctuation when it ends a unit."""
        words = self.words
        unit = bisect.bisect_left(words.unit_tok_end, t1)  # units are in text order
        if unit < len(words.unit_tok_end) and words.unit_tok_end[unit] == t1:
            end = words.unit_end[unit]
        else:
            end = int(self.seg.tok_end[t1 - 1])
        return Span(start=int(self.seg.tok_start[t0]), end=end)

    def one_block(self, x: Span, y: Span) -> bool:
        """Whether two spans lie in one block (paragraph) of the text."""
        ends = self.seg.block_span[:, 1]
        found = np.searchsorted(ends, [x.start, max(x.start, x.end - 1), y.start,
                                       max(y.start, y.end - 1)], side="right")
        return len(set(found.tolist())) == 1

    def block(self, row: int) -> int:
        return self.words.row_block[row]

    def plain_content(self, t0: int, t1: int) -> int:
        """Content words that are not names among tokens ``[t0, t1)``."""
        plain = self.words.plain
        return int(plain[t1] - plain[t0])

    def in_quote(self, span: Span) -> bool:
        quotes = self.seg.quotes
        if not quotes:
            return False
        first = bisect.bisect_left(quotes, (span.start, span.start)) - 1
        return in_spans(quotes, span.start, span.end, first=max(first, 0))


@dataclass(frozen=True, slots=True)
class _Words:
    """What comparing a document's sentences word by word reads for every sentence: the
    units' figures as Python lists (indexing a list is ~10x cheaper than reading a numpy
    scalar; a document has far fewer units than tokens, so they are cheap to make)."""

    row_tokens: list[list[int]]  # token range of each row's unit
    row_block: list[int]  # block of each row's unit
    unit_tok_end: list[int]  # the token each unit ends before, units in text order
    unit_end: list[int]  # raw end of each unit, closing punctuation included
    plain: np.ndarray  # running count of content words that are not names, [n_tokens + 1]
    row_hashes: dict[int, list[int]]  # token hashes of the rows compared so far

    @classmethod
    def of(cls, seg: Segmented, units: np.ndarray) -> _Words:
        plain = np.zeros(len(seg.tok_start) + 1, dtype=np.int64)
        np.cumsum(seg.content & ~seg.name, out=plain[1:])
        return cls(row_tokens=seg.unit_tok[units].tolist(),
                   row_block=seg.unit_block[units].tolist(),
                   unit_tok_end=seg.unit_tok[:, 1].tolist(),
                   unit_end=seg.unit_span[:, 1].tolist(), plain=plain, row_hashes={})


class _Core(NamedTuple):
    """What a piece shares: from its first shared run to its last, on each side, and
    how close the two are there."""

    a: Span
    b: Span
    similarity: float | None  # None until asked for (``core_similarity``)


class _Piece(NamedTuple):
    """One compared stretch: token ranges on both sides and how they relate (a tuple:
    every seed of every pair makes one)."""

    rows: tuple[tuple[int, int], ...]  # the (a, b) unit row pairs it covers
    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    passage: Passage
    runs: tuple[tuple[int, int], ...]  # a's token ranges of the equal runs inside it
    core: _Core  # the stretch from its first to its last shared run

    def longest_run(self, a: Side) -> int:
        """Words in its longest run of shared words that is evidence on its own (with
        ``RUN_MIN_CONTENT`` content words that are not names); 0 when none is."""
        return max((t1 - t0 for t0, t1 in self.runs
                    if a.plain_content(t0, t1) >= RUN_MIN_CONTENT), default=0)


def build_region(a: Side, b: Side, seeds: Sequence[tuple[int, int]],
                 settings: Settings) -> Region | None:
    """The region for one fragment's seeds, or None when too little of it holds up."""
    paired = _without_loose_edges(
        a, b, _merge(a, b, [_compare(a, b, i, j) for i, j in _pair_units(a, b, seeds)]))
    pieces = [p for p in paired if _big_enough(a, b, p, settings)]
    if not pieces:
        return None
    # The region spans every paired stretch, including those too small to be shown
    # as passages of their own; seeds left without a partner are not part of it.
    region = Region(a=hull([p.passage.a for p in paired]), b=hull([p.passage.b for p in paired]),
                    passages=tuple(p.passage for p in pieces))
    # Its size as evidence is what it shares: a reworded sentence's own length is not.
    core = hull([p.core.a for p in paired]), hull([p.core.b for p in paired])
    if min(len(core[0]), len(core[1])) < _min_region(a, b, settings) and \
            max(p.longest_run(a) for p in pieces) < settings.min_verbatim_run:
        return None
    return region


def _min_region(a: Side, b: Side, settings: Settings) -> float:
    """The smallest region reported without a verbatim stretch: ``min_region_chars``,
    or, between a short text and a longer one, this share of the shorter text (a short
    story mostly derived from a longer one is one or two rewritten sentences)."""
    return min(settings.min_region_chars, settings.min_region_share * min(a.body_chars,
                                                                          b.body_chars))


def _without_loose_edges(a: Side, b: Side, pieces: list[_Piece]) -> list[_Piece]:
    """A region copied mostly word for word does not extend into loose paraphrase at
    its edges: topically similar sentences next to a copy are not part of it."""
    def size(p: _Piece) -> int:
        return len(p.passage.a) + len(p.passage.b)

    copied = sum(size(p) for p in pieces if p.passage.kind is not Kind.PARAPHRASE)
    if copied * 2 <= sum(size(p) for p in pieces):
        return pieces

    def loose(p: _Piece) -> bool:
        return p.passage.kind is Kind.PARAPHRASE and \
            core_similarity(a, b, p) < LOOSE_SIMILARITY

    # An edge in either text's order (the same pieces whichever text is a).
    kept = sorted(pieces, key=lambda p: p.passage.a.start)
    while kept:
        ends = {id(min(kept, key=lambda p: p.passage.b.start)),
                id(max(kept, key=lambda p: p.passage.b.end)), id(kept[0]), id(kept[-1])}
        drop = [p for p in kept if id(p) in ends and loose(p)]
        if not drop:
            break
        kept = [p for p in kept if not any(p is d for d in drop)]
    return kept


def _pair_units(a: Side, b: Side, seeds: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs by closeness of wording, best first; a unit takes a second partner only
    next to its first one. Wording, not the bag of words: "This is a decision we only can
    make together" and "we will make a decision together" share all their content words."""
    # A seed whose units are in no other seed is chosen in any order: only seeds sharing
    # a unit compete, and only their wording is compared (most seeds have no rival).
    rivals_a = Counter(i for i, _ in seeds)
    rivals_b = Counter(j for _, j in seeds)
    closeness = [_wording(a, b, i, j) if rivals_a[i] > 1 or rivals_b[j] > 1 else 0.0
                 for i, j in seeds]
    # Among partners worded alike (a sentence the other text repeats), the one on the
    # fragment's main diagonal: a copy keeps its sentences' order, so its pairs share
    # one offset, and a region over a repeated passage stays over one of its printings.
    # Ties are broken alike whichever text is a (the alignment is symmetric).
    offsets = Counter(j - i for i, j in seeds)
    main = max(offsets, key=lambda d: (offsets[d], -abs(d)))
    order = sorted(range(len(seeds)),
                   key=lambda k: (-closeness[k], abs(seeds[k][1] - seeds[k][0] - main),
                                  seeds[k][0] + seeds[k][1]))
    partners_a: dict[int, list[int]] = {}
    partners_b: dict[int, list[int]] = {}
    chosen = []
    for i, j in (seeds[k] for k in order):
        if all(abs(j - k) == 1 for k in partners_a.get(i, [])) and all(
            abs(i - k) == 1 for k in partners_b.get(j, [])
        ):
            partners_a.setdefault(i, []).append(j)
            partners_b.setdefault(j, []).append(i)
            chosen.append((i, j))
    return sorted(chosen)


def _wording(a: Side, b: Side, i: int, j: int) -> float:
    return float(Indel.normalized_similarity(a.hashes(i), b.hashes(j)))


def _compare(a: Side, b: Side, i: int, j: int) -> _Piece:
    return compare_tokens(a, b, a.tokens(i), b.tokens(j), ((i, j),),
                          (a.hashes(i), b.hashes(j)))


def compare_tokens(
    a: Side, b: Side, a_tok: tuple[int, int], b_tok: tuple[int, int],
    rows: tuple[tuple[int, int], ...], hashes: tuple[list[int], list[int]] | None = None,
) -> _Piece:
    """Two token ranges compared word by word (their ``hashes``, if the caller has
    them): trimmed to their shared words where they are copied, and said how close they
    are. Reworded ones keep their whole sentences: the reuse is the sentence, not the
    stretch from its first shared words to its last (trimming is for a copy begun or
    ended mid-sentence); their ``core`` is still that stretch, what they share."""
    seq_a, seq_b = hashes or (a.seg.tok_hash[a_tok[0] : a_tok[1]].tolist(),
                              b.seg.tok_hash[b_tok[0] : b_tok[1]].tolist())
    equal = [op for op in Indel.opcodes(seq_a, seq_b) if op.tag == "equal"]
    anchors = [op for op in equal if op.src_end - op.src_start >= ANCHOR_WORDS]
    matched = sum(op.src_end - op.src_start for op in equal)
    base = a_tok[0]  # equal runs are offsets into the untrimmed range
    runs = tuple((base + op.src_start, base + op.src_end) for op in equal)
    if not (anchors and matched >= TRIM_MIN_SHARE * min(len(seq_a), len(seq_b))):
        return _piece(a, b, rows, (a_tok, b_tok), (a_tok, b_tok), runs)
    first, last = anchors[0], anchors[-1]
    trimmed = ((a_tok[0] + first.src_start, a_tok[0] + last.src_end),
               (b_tok[0] + first.dest_start, b_tok[0] + last.dest_end))
    inside = tuple((t0, t1) for t0, t1 in runs
                   if base + first.src_start <= t0 and t1 <= base + last.src_end)
    longest = max(trimmed[0][1] - trimmed[0][0], trimmed[1][1] - trimmed[1][0])
    if trimmed != (a_tok, b_tok) and _edited(longest, sum(t1 - t0 for t0, t1 in inside)):
        # Reworded even where they share words (what ``_kind`` would say, without
        # reading their texts): the whole sentences.
        whole = _piece(a, b, rows, (a_tok, b_tok), (a_tok, b_tok), runs)
        return whole._replace(core=_Core(a.span(*trimmed[0]), b.span(*trimmed[1]), None))
    piece = _piece(a, b, rows, trimmed, (a_tok, b_tok), inside)
    if piece.passage.kind is not Kind.PARAPHRASE or trimmed == (a_tok, b_tok):
        return piece
    return _piece(a, b, rows, (a_tok, b_tok), (a_tok, b_tok), runs)._replace(core=piece.core)


def _piece(a: Side, b: Side, rows: tuple[tuple[int, int], ...],
           tokens: tuple[tuple[int, int], tuple[int, int]],
           untrimmed: tuple[tuple[int, int], tuple[int, int]],
           runs: tuple[tuple[int, int], ...]) -> _Piece:
    """The piece over ``tokens`` on each side (within the ``untrimmed`` ranges compared)."""
    a_tok, b_tok = tokens
    span_a, span_b = a.span(*a_tok), b.span(*b_tok)
    core_a, core_b = span_a, span_b
    quote_a, quote_b = a.in_quote(span_a), b.in_quote(span_b)
    if quote_a != quote_b:
        # Reported speech: show the whole reporting sentence ("He said that ..."),
        # not just the words it kept from the quote.
        if quote_a:
            b_tok, span_b = untrimmed[1], b.span(*untrimmed[1])
        else:
            a_tok, span_a = untrimmed[0], a.span(*untrimmed[0])
    text_a, text_b = span_a.of(a.text), span_b.of(b.text)
    light_a = light(text_a)
    light_b = light_a if text_b == text_a else light(text_b)  # a copy, most often
    kind = _kind(light_a, light_b, a_tok, b_tok, sum(t1 - t0 for t0, t1 in runs),
                 quote_a != quote_b)
    passage = Passage(a=span_a, b=span_b, similarity=_similarity(light_a, light_b), kind=kind,
                      a_in_quote=quote_a, b_in_quote=quote_b,
                      run=max((t1 - t0 for t0, t1 in runs), default=0))
    return _Piece(rows, a_tok, b_tok, passage, runs, _Core(core_a, core_b, passage.similarity))


def _kind(light_a: str, light_b: str, a_tok: tuple[int, int], b_tok: tuple[int, int],
          matched: int, reported: bool) -> Kind:
    """How two passages relate, from their texts normalised by ``light``. The same words
    are verbatim even when one side reads as quoted and the other not: reported speech
    rewords what it reports, and an apostrophe (``'Abd``, ``'90s``) can open a quote that
    is none."""
    if light_a.strip(_EDGE) == light_b.strip(_EDGE):
        return Kind.VERBATIM
    if reported:
        return Kind.PARAPHRASE
    longest = max(a_tok[1] - a_tok[0], b_tok[1] - b_tok[0])
    return Kind.PARAPHRASE if _edited(longest, matched) else Kind.NEAR_VERBATIM


def _edited(longest: int, matched: int) -> bool:
    """More words differ than a near copy's (``NEAR_EDIT_SHARE``, at least two)."""
    return longest - min(matched, longest) > max(2, round(NEAR_EDIT_SHARE * longest))


def core_similarity(a: Side, b: Side, piece: _Piece) -> float:
    """How close a piece's two sides are where they share words (its ``core``)."""
    if piece.core.similarity is not None:
        return piece.core.similarity
    return _similarity(light(piece.core.a.of(a.text)), light(piece.core.b.of(b.text)))


def _similarity(light_a: str, light_b: str) -> float:
    """Character similarity of two passages' texts normalised by ``light``, case folded."""
    if light_a == light_b:
        return 1.0
    fold_a = light_a.lower().strip(_EDGE)
    fold_b = light_b.lower().strip(_EDGE)
    return round(fuzz.ratio(fold_a, fold_b) / 100.0, 4)


def _merge(a: Side, b: Side, pieces: list[_Piece]) -> list[_Piece]:
    """Join neighbouring pieces into passages (see ``_joins``); a passage is at most a
    paragraph on either side, so a reader sees one passage per shared paragraph, and the
    region groups the passages of one reuse case."""
    groups: list[list[_Piece]] = []
    for piece in pieces:
        if groups and _joins(a, b, groups[-1][-1], piece):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    merged: list[_Piece] = []
    for group in groups:
        if len(group) == 1:
            merged.extend(group)
            continue
        # Compared once as a whole (not piece by piece: that is quadratic in its length).
        joined = compare_tokens(
            a, b,
            (min(p.a_tok[0] for p in group), max(p.a_tok[1] for p in group)),
            (min(p.b_tok[0] for p in group), max(p.b_tok[1] for p in group)),
            tuple(row for p in group for row in p.rows),
        )
        if _family(joined.passage.kind) == _family(group[0].passage.kind):
            merged.append(joined)
        else:
            merged.extend(group)  # edits add up to more than a near copy: keep them apart
    return merged


def _joins(a: Side, b: Side, prev: _Piece, piece: _Piece) -> bool:
    """Neighbours in both texts, in one paragraph on each side, alike in kind and quoting."""
    (i0, j0), (i1, j1) = prev.rows[-1], piece.rows[0]
    p, q = prev.passage, piece.passage
    return (
        i1 - i0 in (0, 1) and j1 - j0 in (0, 1) and (i1, j1) != (i0, j0)
        and a.block(i0) == a.block(i1) and b.block(j0) == b.block(j1)
        and _family(p.kind) == _family(q.kind)
        and p.a_in_quote == q.a_in_quote and p.b_in_quote == q.b_in_quote
    )


def _family(kind: Kind) -> bool:
    """Verbatim and near-verbatim stretches join (the result is re-classified)."""
    return kind is Kind.PARAPHRASE


def _big_enough(a: Side, b: Side, piece: _Piece, settings: Settings) -> bool:
    """Long enough to be evidence; a short paraphrase must also be worded closely."""
    t0, t1 = piece.a_tok
    b0, b1 = piece.b_tok
    content = a.plain_content(t0, t1)
    if min(t1 - t0, b1 - b0) < settings.min_passage_words or content < settings.min_passage_content:
        return False
    short = content < SHORT_PARAPHRASE_CONTENT
    return not (short and piece.passage.kind is Kind.PARAPHRASE
                and core_similarity(a, b, piece) < SHORT_PARAPHRASE_SIMILARITY)


def hull(spans: Sequence[Span]) -> Span:
    """The smallest span holding all of ``spans``."""
    return Span(start=min(s.start for s in spans), end=max(s.end for s in spans))


def region_over(passages: Sequence[Passage]) -> Region:
    """The region spanning ``passages`` on both sides, its passages in text order."""
    ordered = tuple(sorted(passages, key=lambda p: (p.a.start, p.b.start)))
    return Region(a=hull([p.a for p in ordered]), b=hull([p.b for p in ordered]),
                  passages=ordered)

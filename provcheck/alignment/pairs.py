"""The align stage's work on a worker: each candidate pair aligned, and the figures of
a related pair (coverage, shared words) measured where its documents are at hand."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from provcheck.alignment.align import align_sides
from provcheck.alignment.passages import Side
from provcheck.evidence import rarity_sums, shared
from provcheck.records import (
    Direction,
    Document,
    PairResult,
    PairTuple,
    Region,
    Relation,
    pair_from_tuple,
    pair_to_tuple,
)
from provcheck.settings import Settings
from provcheck.text.segment import Segmented


def pair_result(
    doc_a: Document, seg_a: Segmented, doc_b: Document, seg_b: Segmented,
    regions: Sequence[Region], rare_a: np.ndarray | None = None,
) -> PairResult:
    """A related pair with its coverage figures and what it shares (``rare_a``: the
    ``evidence.rarity_sums`` of a, if kept); relation and direction come later."""
    passages = [p for r in regions for p in r.passages]
    ranges_a = seg_a.token_ranges([p.a for p in passages]).tolist()
    ranges_b = seg_b.token_ranges([p.b for p in passages]).tolist()
    covered_a, covered_b = _covered_words(ranges_a), _covered_words(ranges_b)
    body_a, body_b = max(1, seg_a.body_words), max(1, seg_b.body_words)
    coverage = round(covered_a / body_a, 4), round(covered_b / body_b, 4)
    return PairResult(
        a=doc_a.id,
        b=doc_b.id,
        relation=Relation.RELATED,
        similarity=round((covered_a + covered_b) / (body_a + body_b), 4),
        coverage_a=coverage[0],
        coverage_b=coverage[1],
        direction=Direction(),
        regions=tuple(regions),
        shared_words_a=covered_a,
        shared_words_b=covered_b,
        shared=shared(seg_a, seg_b, passages, (ranges_a, ranges_b), coverage,
                      body_a <= body_b, rare_a),
    )


class Members(Mapping[int, tuple[Document, Segmented]]):
    """Documents with their segmentation by corpus position (the whole corpus, or the
    part a cluster ships with one batch), and their alignment ``Side``s. A worker aligns
    batch after batch against one context, and a document is in pairs of many batches,
    so the last ``SIDES_KEPT`` sides made are kept (about 45 KB each, 90 MB in all):
    doubling it from 1,024 made a third fewer sides on PAN13."""

    SIDES_KEPT = 2048

    def __init__(self, entries: Mapping[int, tuple[Document, Segmented]]) -> None:
        self.entries = entries
        self._sides: OrderedDict[int, Side] = OrderedDict()
        self._rarity: OrderedDict[int, np.ndarray] = OrderedDict()

    @classmethod
    def of(cls, documents: Sequence[Document], segmented: Sequence[Segmented]) -> Members:
        return cls(dict(enumerate(zip(documents, segmented, strict=True))))

    def __getitem__(self, k: int) -> tuple[Document, Segmented]:
        return self.entries[k]

    def __iter__(self) -> Iterator[int]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def side(self, k: int) -> Side:
        found = self._sides.get(k)
        if found is not None:
            self._sides.move_to_end(k)
            return found
        doc, seg = self.entries[k]
        self._sides[k] = found = Side.of(seg, doc.text)
        if len(self._sides) > self.SIDES_KEPT:
            self._sides.popitem(last=False)
        return found

    def rarity(self, k: int) -> np.ndarray:
        """``evidence.rarity_sums`` of document ``k``, kept as its side is."""
        found = self._rarity.get(k)
        if found is None:
            found = self._rarity[k] = rarity_sums(self.entries[k][1])
            if len(self._rarity) > self.SIDES_KEPT:
                self._rarity.popitem(last=False)
        return found


def members_of(members: Members, tasks: Sequence[tuple[int, int]]) -> Members:
    """The documents a batch of pairs needs: what a cluster ships with the batch."""
    return Members({k: members[k] for k in sorted({k for pair in tasks for k in pair})})


def align_batch(tasks: Sequence[tuple[int, int]], members: Members, settings: Settings,
                 ) -> list[PairTuple | None]:
    """Each pair's result as tuples (``records.pair_to_tuple``), None where the pair
    shares no reused region."""
    out: list[PairTuple | None] = []
    for i, j in tasks:
        regions = align_sides(members.side(i), members.side(j), settings)
        if regions:
            (doc_a, seg_a), (doc_b, seg_b) = members[i], members[j]
            out.append(pair_to_tuple(pair_result(doc_a, seg_a, doc_b, seg_b, regions,
                                                 members.rarity(i))))
        else:
            out.append(None)
    return out


def pair_from(values: PairTuple | None) -> PairResult | None:
    return None if values is None else pair_from_tuple(values)


def _covered_words(ranges: list[list[int]]) -> int:
    """Tokens inside the union of token ``ranges`` (passages of a side rarely overlap:
    their merged lengths, without an array the length of the document)."""
    covered, reach = 0, 0
    for lo, hi in sorted(ranges):
        lo = max(lo, reach)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered

"""The corpus view: groups of documents that share a source, reuse between outlets, and
how original each document is.

  * clusters: connected components over the related pairs;
  * outlet flows: for each pair with a confident direction, the passages, words and
    documents the target's outlet took from the source's; other pairs are counted apart,
    as sharing, since nothing firm says who took from whom;
  * originality: the share of a document's words not found in any earlier document, or
    in any document whose date is unknown (reuse that cannot be ruled out counts);
  * stories: documents joined by reuse, with their origin and tree (``stories``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from provcheck.records import Document, OutletFlow, Overview, PairResult
from provcheck.stories import stories
from provcheck.text.segment import Segmented

UNKNOWN_OUTLET = "(unknown outlet)"
# A direction this sure or surer says an outlet took from another; a weaker one does not.
TAKEN_CONFIDENCE = 0.5


def overview(documents: Sequence[Document], segmented: Sequence[Segmented],
             pairs: Sequence[PairResult]) -> Overview:
    docs = {d.id: d for d in documents}
    segs = {d.id: s for d, s in zip(documents, segmented, strict=True)}
    originality = _originality(docs, segs, pairs)
    return Overview(
        clusters=_clusters([d.id for d in documents], pairs),
        flows=_flows(docs, segs, pairs),
        originality=originality,
        stories=stories(documents, pairs, originality),
    )


def _clusters(ids: Sequence[str], pairs: Sequence[PairResult]) -> tuple[tuple[str, ...], ...]:
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair in pairs:
        ra, rb = find(pair.a), find(pair.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    found = [tuple(sorted(g)) for g in groups.values() if len(g) > 1]
    return tuple(sorted(found, key=lambda g: (-len(g), g)))


def _flows(docs: Mapping[str, Document], segs: Mapping[str, Segmented],
           pairs: Sequence[PairResult]) -> tuple[OutletFlow, ...]:
    totals: dict[tuple[str, str, bool], _Tally] = defaultdict(_Tally)
    for pair in pairs:
        directed = pair.direction.source is not None and \
            pair.direction.confidence >= TAKEN_CONFIDENCE
        source = (pair.direction.source if directed else None) or pair.a
        target = (pair.direction.target if directed else None) or pair.b
        from_side_a = source == pair.a
        tally = totals[(_outlet(docs[source]), _outlet(docs[target]), directed)]
        tally.passages += len(pair.passages)
        tally.words += sum(segs[target].word_counts(
            [p.b if from_side_a else p.a for p in pair.passages]))
        tally.documents.add(target)
    return tuple(
        OutletFlow(source=s, target=t, directed=d, passages=v.passages, words=v.words,
                   documents=len(v.documents))
        for (s, t, d), v in sorted(totals.items(), key=lambda kv: (-kv[1].words, kv[0]))
    )


@dataclass(slots=True)
class _Tally:
    passages: int = 0
    words: int = 0
    documents: set[str] = field(default_factory=set)


def _originality(docs: Mapping[str, Document], segs: Mapping[str, Segmented],
                 pairs: Sequence[PairResult]) -> dict[str, float]:
    covered = {i: np.zeros(len(s.tok_start), dtype=bool) for i, s in segs.items()}
    for pair in pairs:
        for doc, other, spans in ((pair.a, pair.b, [p.a for p in pair.passages]),
                                  (pair.b, pair.a, [p.b for p in pair.passages])):
            if _could_precede(docs[other], docs[doc]):
                for lo, hi in segs[doc].token_ranges(spans).tolist():
                    covered[doc][lo:hi] = True
    out = {}
    for i, seg in segs.items():
        body = ~seg.block_chrome[_token_blocks(seg)] if len(seg.tok_start) else np.zeros(0, bool)
        words = int(body.sum())
        out[i] = round(1 - int((covered[i] & body).sum()) / words, 4) if words else 1.0
    return out


def _could_precede(other: Document, doc: Document) -> bool:
    """Could ``other`` have come first? Yes if it is earlier, or either date is unknown."""
    if not (other.published and doc.published):
        return True
    return other.published[:10] <= doc.published[:10]


def _token_blocks(seg: Segmented) -> np.ndarray:
    return np.searchsorted(seg.block_span[:, 1], seg.tok_start, side="right").clip(
        max=len(seg.block_span) - 1)


def _outlet(doc: Document) -> str:
    return doc.outlet or UNKNOWN_OUTLET

"""Cases: the regions a pair's aligned stretches make, one per reuse case.

The aligner finds stretches; a reader (and PAN's measure) counts cases. Three rules
turn one into the other, each a statement about how texts reuse text:
  * copies apart are two cases (``apart``): copied passages more than ``APART_CHARS``
    apart in either text with nothing aligned between them;
  * one paragraph's reuse of one paragraph is one case (``merged``, ``together``): two
    stretches close together in a paragraph of one text and within one paragraph of the
    other, condensing it (a paragraph summing another up, or lifting two of its
    sentences), however far apart they lie there;
  * a summary works by the paragraph (``in_paragraphs``): a region that condenses
    (its longer side ``SUMMARY_RATIO`` times its shorter), whose shorter side is mostly
    aligned and mostly reworded, spans the paragraphs it draws on and the paragraph it
    writes, not only the sentences that happened to seed.
Shared runs (``runs``) become regions of their own here too (``with_runs``).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import NamedTuple

import numpy as np

from provcheck.alignment import runs
from provcheck.alignment.passages import Side, compare_tokens, hull, region_over
from provcheck.records import Kind, Passage, Region, Span

# A summary region condenses one side: its longer side is this many times the shorter.
SUMMARY_RATIO = 2.5
# ... and is one by the paragraph when passages cover this share of its shorter side,
# and fewer than this share of them are copies (a run of copies is copies).
SUMMARY_COVERED = 0.5
SUMMARY_COPIED = 0.8
# Copied passages this many characters apart, with nothing aligned between them, are
# two cases (``apart``).
APART_CHARS = 1000
# Stretches this close in one paragraph of one text belong to one case (``together``).
NEAR_CHARS = 400


class Case(NamedTuple):
    region: Region
    summary: bool  # a region condensing a longer stretch of the other text


def merged(cases: list[Case], a: Side, b: Side) -> list[Case]:
    """The cases merged where they overlap on both sides, or where they lie
    ``together`` and their union condenses the other text: one case, a summary."""
    out: list[Case] = []
    for case in sorted(cases, key=lambda c: (c.region.a.start, c.region.b.start)):
        region = case.region
        host, summary = None, False
        for k, (r, _) in enumerate(out):
            if r.a.overlaps(region.a) and r.b.overlaps(region.b):
                host = k
                break
            if together(r, region, a, b) and _condenses(r, region):
                host, summary = k, True
                break
        if host is None:
            out.append(case)
            continue
        r, was = out[host]
        # A region may span more than its passages (a summary by the paragraph).
        out[host] = Case(dataclasses.replace(region_over(r.passages + region.passages),
                                             a=hull([r.a, region.a]), b=hull([r.b, region.b])),
                         was or case.summary or summary)
    return out


def together(x: Region | Passage, y: Region | Passage, a: Side, b: Side) -> bool:
    """Whether two stretches are one paragraph's reuse of one paragraph: close together
    in a paragraph of one text, and in one paragraph of the other however far apart (a
    paragraph summing up another, or lifting two of its sentences). Copies from one
    paragraph set apart in the other text stay two cases."""
    return (_near(x.a, y.a, a) and b.one_block(x.b, y.b)) or \
        (_near(x.b, y.b, b) and a.one_block(x.a, y.a))


def _near(x: Span, y: Span, side: Side) -> bool:
    return _distance(x, y) <= NEAR_CHARS and side.one_block(x, y)


def _condenses(x: Region, y: Region) -> bool:
    len_a = max(x.a.end, y.a.end) - min(x.a.start, y.a.start)
    len_b = max(x.b.end, y.b.end) - min(x.b.start, y.b.start)
    return max(len_a, len_b) >= SUMMARY_RATIO * min(len_a, len_b)


def in_paragraphs(region: Region, a: Side, b: Side) -> Region:
    """A summary region over the whole paragraphs it touches on both sides, when it
    condenses, its shorter side is mostly aligned, and most of its passages reword
    (a summary's sentences are its own; its source's paragraphs are what it sums up)."""
    short_a = len(region.a) <= len(region.b)
    short, long = (region.a, region.b) if short_a else (region.b, region.a)
    covered = sum(len(p.a if short_a else p.b) for p in region.passages)
    copies = sum(1 for p in region.passages if p.kind is not Kind.PARAPHRASE)
    if len(long) < SUMMARY_RATIO * len(short) or covered < SUMMARY_COVERED * len(short) \
            or copies >= SUMMARY_COPIED * len(region.passages):
        return region
    return dataclasses.replace(region, a=_paragraphs_over(region.a, a),
                               b=_paragraphs_over(region.b, b))


def _paragraphs_over(span: Span, side: Side) -> Span:
    blocks = side.seg.block_span
    over = blocks[(blocks[:, 0] < span.end) & (span.start < blocks[:, 1])]
    if not len(over):
        return span
    return Span(start=int(over[:, 0].min()), end=int(over[:, 1].max()))


def apart(region: Region, a: Side, b: Side) -> list[Region]:
    """The region cut where two copied passages lie more than ``APART_CHARS`` apart in
    either text with nothing aligned between them, unless they are ``together``:
    whatever fills the gap (a list, a bibliography, page chrome, the writer's own
    paragraphs), the copies on its two sides are two cases, and one region over both
    would claim the gap as reused."""
    passages = sorted(region.passages, key=lambda p: (p.a.start, p.b.start))
    parts: list[list[Passage]] = [[passages[0]]]
    for before, after in itertools.pairwise(passages):
        gap = max(_distance(before.a, after.a), _distance(before.b, after.b))
        if gap > APART_CHARS and Kind.PARAPHRASE not in (before.kind, after.kind) \
                and not together(before, after, a, b):
            parts.append([])
        parts[-1].append(after)
    if len(parts) == 1:
        return [region]
    return [region_over(part) for part in parts]


def _distance(x: Span, y: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, y.start - x.end, x.start - y.end)


def with_runs(found: list[runs.Run], regions: list[Region], a: Side,
              b: Side) -> list[Region]:
    """``regions`` with a region for each shared run (``runs``) that none holds, longest
    run first; its passages are its stretches within one paragraph on each side. A run
    that a region overlaps on one side only is a rival reading of that text: the one
    printing the longer stretch word for word stays (a sentence found like a run
    elsewhere does not hide the copy of it)."""
    out = list(regions)
    for run in sorted(found, key=lambda r: r.a[0] - r.a[1]):
        span_a, span_b = a.span(*run.a), b.span(*run.b)
        if any(span_a.overlaps(r.a) and span_b.overlaps(r.b) for r in out):
            continue  # found already
        rivals = [r for r in out if span_a.overlaps(r.a) or span_b.overlaps(r.b)]
        if any(max(p.run for p in r.passages) >= run.a[1] - run.a[0] for r in rivals):
            continue
        passages = tuple(compare_tokens(a, b, part_a, part_b, ()).passage
                         for part_a, part_b in _by_paragraph(run, a, b))
        out = [r for r in out if not any(r is x for x in rivals)]
        out.append(region_over(passages))
    return out


def _by_paragraph(run: runs.Run, a: Side,
                  b: Side) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The run's token ranges, cut wherever either side enters another block."""
    blocks_a = runs.token_blocks(a.seg)[run.a[0]:run.a[1]]
    blocks_b = runs.token_blocks(b.seg)[run.b[0]:run.b[1]]
    cuts = np.flatnonzero((np.diff(blocks_a) != 0) | (np.diff(blocks_b) != 0)) + 1
    bounds = [0, *cuts.tolist(), run.a[1] - run.a[0]]
    return [((run.a[0] + s, run.a[0] + e), (run.b[0] + s, run.b[0] + e))
            for s, e in itertools.pairwise(bounds)]

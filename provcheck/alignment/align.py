"""Alignment: the reused regions two documents share, found sentence by sentence.

Seed, extend, filter (after Sanchez-Perez, Sidorov & Gelbukh, PAN 2014):
  1. seeds: sentence-unit pairs whose content words agree, by tf-isf cosine *and*
     weighted Dice (``vectors``), so a short generic sentence never seeds with a long one;
  2. regions: seeds clustered by position in both texts, allowing ``max_gap`` units
     between neighbours; each region is validated by the cosine of its whole text on
     both sides, and re-clustered with a smaller gap when that fails;
  3. a second pass with a wide gap finds summaries (a short text condensing a long one),
     unless what it joins are copies found apart (``_joins_copies``);
  4. each fragment is refined word by word into passages (``passages.build_region``),
     and where the resulting regions overlap the better supported one is kept; a summary
     kept replaces the narrow regions inside it, one that loses leaves them standing;
  5. each region's edges run on over the words and then the characters both texts
     share there (``edges``): a copy's edge is where its text ends, not where a sentence
     the aligner read does (a line it passed over as page chrome, a sentence begun
     mid-way, lines broken elsewhere).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from provcheck.alignment import edges, runs
from provcheck.alignment.passages import Side, build_region, compare_tokens
from provcheck.alignment.vectors import PairSimilarity, pair_similarity
from provcheck.records import Kind, Passage, Region, Span
from provcheck.settings import Settings
from provcheck.text.segment import Segmented

MIN_SHARED_CONTENT = 2.0
# A summary region condenses one side: its longer side is this many times the shorter,
# and it links at least this many sentences on each side.
SUMMARY_RATIO = 2.5
SUMMARY_MIN_UNITS = 3
# A run of this many sentences copied word for word is a copy, not a summary's lift.
COPY_MIN_UNITS = 2
# Copied passages this many characters apart, with nothing aligned between them, are
# two cases (``_apart``).
APART_CHARS = 1000
# Stretches this close in one paragraph of one text belong to one case (``_together``).
NEAR_CHARS = 400


Seed = tuple[int, int]  # (row in a, row in b)


class _Fragment(NamedTuple):  # a tuple: a pair makes dozens, cheaply
    seeds: list[Seed]
    similarity: float
    a_range: tuple[int, int]  # first and last row on each side
    b_range: tuple[int, int]

    @classmethod
    def of(cls, seeds: list[Seed]) -> _Fragment:
        """The fragment of ``seeds``, not yet validated (similarity 0)."""
        rows_a = [i for i, _ in seeds]
        rows_b = [j for _, j in seeds]
        return cls(seeds, 0.0, (min(rows_a), max(rows_a)), (min(rows_b), max(rows_b)))


def align_pair(
    seg_a: Segmented, text_a: str, seg_b: Segmented, text_b: str, settings: Settings
) -> tuple[Region, ...]:
    """Reused regions between two documents, each with its passages; may be empty."""
    return align_sides(Side.of(seg_a, text_a), Side.of(seg_b, text_b), settings)


def align_sides(a: Side, b: Side, settings: Settings) -> tuple[Region, ...]:
    """``align_pair`` for documents already prepared as ``Side``s (reused across pairs)."""
    regions = _sentence_regions(a, b, settings) if len(a.units) and len(b.units) else []
    found = runs.shared_runs(a.seg, a.grams, b.seg, b.grams)
    if found:
        regions = _run_regions(found, regions, a, b)
    return edges.refine(regions, a, b) if regions else ()


def _sentence_regions(a: Side, b: Side, settings: Settings) -> list[Region]:
    """Regions found by seeding sentence pairs (steps 1-4 of the module docstring)."""
    sim = pair_similarity(a.entries, b.entries, cosine=settings.seed_cosine,
                          dice=settings.seed_dice, shared=MIN_SHARED_CONTENT)
    seeds = _exact_first(list(zip(sim.i.tolist(), sim.j.tolist(), strict=True)), a, b)
    seeds = _with_copied_neighbours(seeds, a, b)
    if not seeds:
        return []
    narrow = _fragments(seeds, sim, settings.max_gap, settings, _less_by_one)
    built = [_Built(f, r) for f in narrow
             if (r := build_region(a, b, f.seeds, settings)) is not None]
    if len(seeds) >= SUMMARY_MIN_UNITS:
        wide = _fragments(seeds, sim, settings.summary_max_gap, settings, _halved)
        for f in wide:
            if not _is_summary(f, a, b):
                continue
            members = tuple(x for x in built if set(f.seeds).issuperset(x.fragment.seeds))
            if _joins_copies(members, a, b):
                continue
            region = build_region(a, b, f.seeds, settings)
            if region is not None:
                built.append(_Built(f, region, summary=members))
    kept = _without_overlaps(built)
    found = [(part, False) for k in kept if k.summary is None for part in _apart(k.region, a, b)]
    found += [(k.region, True) for k in kept if k.summary is not None]
    return [_in_paragraphs(r, a, b) if summary else r for r, summary in _cases(found, a, b)]


def _run_regions(found: list[runs.Run], regions: list[Region], a: Side,
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
        out.append(Region(a=Span(start=passages[0].a.start, end=passages[-1].a.end),
                          b=Span(start=passages[0].b.start, end=passages[-1].b.end),
                          passages=passages))
    return out


def _by_paragraph(run: runs.Run, a: Side, b: Side) -> list[tuple[tuple[int, int],
                                                                  tuple[int, int]]]:
    """The run's token ranges cut wherever either side enters another block."""
    blocks_a = runs.token_blocks(a.seg)[run.a[0]:run.a[1]]
    blocks_b = runs.token_blocks(b.seg)[run.b[0]:run.b[1]]
    cuts = np.flatnonzero((np.diff(blocks_a) != 0) | (np.diff(blocks_b) != 0)) + 1
    bounds = [0, *cuts.tolist(), run.a[1] - run.a[0]]
    return [((run.a[0] + s, run.a[0] + e), (run.b[0] + s, run.b[0] + e))
            for s, e in itertools.pairwise(bounds)]


def _in_paragraphs(region: Region, a: Side, b: Side) -> Region:
    la, lb = len(region.a), len(region.b)
    short = region.a if la <= lb else region.b
    covered = sum(len(p.a if la <= lb else p.b) for p in region.passages) / max(1, len(short))
    copied = sum(1 for p in region.passages if p.kind is not Kind.PARAPHRASE) / len(region.passages)
    if max(la, lb) < 3 * min(la, lb) or covered < 0.5 or copied >= 0.8:
        return region
    return dataclasses.replace(region, a=_blocks_over(region.a, a), b=_blocks_over(region.b, b))


def _cases(found: list[tuple[Region, bool]], a: Side, b: Side) -> list[tuple[Region, bool]]:
    """Regions (each with whether it is a summary) merged where they overlap on both
    sides, or where they lie together in one paragraph on either side (``_together``)
    and condense a longer stretch of the other text: one case, a summary."""
    out: list[tuple[Region, bool]] = []
    for region, summary in sorted(found, key=lambda x: (x[0].a.start, x[0].b.start)):
        host, joined = None, False
        for k, (r, _) in enumerate(out):
            if r.a.overlaps(region.a) and r.b.overlaps(region.b):
                host = k
                break
            if _together(r, region, a, b) and _condenses(r, region):
                host, joined = k, True
                break
        if host is None:
            out.append((region, summary))
            continue
        r, was = out[host]
        out[host] = (Region(
            a=Span(start=min(r.a.start, region.a.start), end=max(r.a.end, region.a.end)),
            b=Span(start=min(r.b.start, region.b.start), end=max(r.b.end, region.b.end)),
            passages=tuple(sorted(r.passages + region.passages,
                                  key=lambda p: (p.a.start, p.b.start)))),
            was or summary or joined)
    return out


def _condenses(x: Region, y: Region) -> bool:
    len_a = max(x.a.end, y.a.end) - min(x.a.start, y.a.start)
    len_b = max(x.b.end, y.b.end) - min(x.b.start, y.b.start)
    return max(len_a, len_b) >= SUMMARY_RATIO * min(len_a, len_b)


def _blocks_over(span: Span, side: Side) -> Span:
    blocks = side.seg.block_span
    over = blocks[(blocks[:, 0] < span.end) & (span.start < blocks[:, 1])]
    if not len(over):
        return span
    return Span(start=int(over[:, 0].min()), end=int(over[:, 1].max()))


def _exact_first(seeds: list[Seed], a: Side, b: Side) -> list[Seed]:
    """The seeds without the other partners of a sentence printed word for word on the
    other side: a copied sentence is explained by its copy, and its likeness to similar
    sentences elsewhere (a stock phrase, a recurring line) would only join the copy to
    them, bridging two copies into one region or pulling one into the other."""
    rows_a = Counter(i for i, _ in seeds)
    rows_b = Counter(j for _, j in seeds)
    if all(rows_a[i] == 1 and rows_b[j] == 1 for i, j in seeds):
        return seeds  # each sentence seeds once: nothing competes (most pairs)
    keys_a, keys_b = a.row_keys, b.row_keys
    exact = [keys_a[i] == keys_b[j] for i, j in seeds]
    copied_a = {i for (i, _), same in zip(seeds, exact, strict=True) if same}
    copied_b = {j for (_, j), same in zip(seeds, exact, strict=True) if same}
    return [(i, j) for (i, j), same in zip(seeds, exact, strict=True)
            if same or (i not in copied_a and j not in copied_b)]


def _with_copied_neighbours(seeds: list[Seed], a: Side, b: Side) -> list[Seed]:
    """The seeds, and the sentences next to a copied sentence that are copied too: a
    short or commonplace sentence ("And to many on Capitol Hill, he still is.") shares
    too little to seed, yet printed word for word between copied ones it is part of the
    copy, and a copy that stopped short of it would be cut in two or end early."""
    keys_a, keys_b = a.row_keys, b.row_keys
    have = set(seeds)
    found: list[Seed] = []
    todo = [(i, j) for i, j in seeds if keys_a[i] == keys_b[j]]
    while todo:
        i, j = todo.pop()
        for step in (-1, 1):
            k, m = i + step, j + step
            if (k, m) not in have and 0 <= k < len(keys_a) and 0 <= m < len(keys_b) \
                    and keys_a[k] == keys_b[m]:
                have.add((k, m))
                found.append((k, m))
                todo.append((k, m))
    return sorted(seeds + found) if found else seeds


def _less_by_one(gap: int) -> int:
    return gap - 1


def _halved(gap: int) -> int:
    return gap // 2


def _fragments(seeds: list[Seed], sim: PairSimilarity, gap: int, settings: Settings,
               shrink: Callable[[int], int]) -> list[_Fragment]:
    """Cluster seeds with ``gap``; clusters that fail validation are re-clustered with a
    smaller gap (``shrink(gap)``) until they validate or the gap is spent."""
    out = []
    for group in _cluster(seeds, gap):
        fragment = _Fragment.of(group)
        similarity = sim.range_cosine(fragment.a_range, fragment.b_range)
        if similarity >= settings.region_validation:
            out.append(fragment._replace(similarity=similarity))
        elif gap > 0:
            out.extend(_fragments(group, sim, shrink(gap), settings, shrink))
    return out


def _cluster(seeds: list[Seed], gap: int) -> list[list[Seed]]:
    """Split seeds wherever consecutive ones are more than ``gap`` units apart, on
    either side, alternately, until no group splits any more."""
    groups = [seeds]
    side, quiet = 0, 0
    while quiet < 2:
        split = [part for g in groups for part in _split(g, side, gap)]
        quiet = quiet + 1 if len(split) == len(groups) else 0
        groups, side = split, 1 - side
    return groups


def _split(group: list[Seed], side: int, gap: int) -> list[list[Seed]]:
    """The group in order of ``side`` (stable), cut where neighbours are > gap apart."""
    group = sorted(group, key=itemgetter(side))
    parts, start = [], 0
    for k in range(1, len(group)):
        if group[k][side] - group[k - 1][side] > gap + 1:
            parts.append(group[start:k])
            start = k
    parts.append(group[start:])
    return parts


def _is_summary(fragment: _Fragment, a: Side, b: Side) -> bool:
    """Several sentences condensing a stretch several times longer."""
    return _distinct(fragment) >= SUMMARY_MIN_UNITS and _ratio(fragment, a, b) >= SUMMARY_RATIO


def _joins_copies(members: Sequence[_Built], a: Side, b: Side) -> bool:
    """Whether a summary's fragment only joins copies the narrow pass found apart: two
    of its members, each ``COPY_MIN_UNITS`` sentences or more mostly copied word for
    word, one after the other in both texts or crossed. A summary condenses; two copies
    of one source with other text between them (a story quoting two paragraphs of a
    wire report, with a few thousand characters of its own between them) condense
    nothing, and each is a case of its own. The two can look alike: a summary that
    lifts two stretches of its source word for word is two copies here, where PAN13
    counts one case (its summaries lose 0.03 plagdet: benchmarks/RESULTS.md)."""
    copies = [m.region for m in members
              if _mostly_copied(m.region) and _distinct(m.fragment) >= COPY_MIN_UNITS]
    return any(not (x.a.overlaps(y.a) or x.b.overlaps(y.b))  # in order or crossed
               and not _together(x, y, a, b)
               for k, x in enumerate(copies) for y in copies[k + 1:])


def _together(x: Region | Passage, y: Region | Passage, a: Side, b: Side) -> bool:
    """Whether two stretches are one paragraph's reuse of one paragraph: close together
    in a paragraph of one text, and in one paragraph of the other however far apart (a
    paragraph summing up another, or lifting two of its sentences). Copies from one
    paragraph set apart in the other text stay two cases."""
    return (_near(x.a, y.a, a) and b.one_block(x.b, y.b)) or \
        (_near(x.b, y.b, b) and a.one_block(x.a, y.a))


def _near(x: Span, y: Span, side: Side) -> bool:
    gap = max(x.start, y.start) - min(x.end, y.end)
    return gap <= NEAR_CHARS and side.one_block(x, y)


def _distinct(fragment: _Fragment) -> int:
    """Sentences the fragment links, on its side with fewer."""
    return min(len({i for i, _ in fragment.seeds}), len({j for _, j in fragment.seeds}))


def _mostly_copied(region: Region) -> bool:
    copied = sum(len(p.a) for p in region.passages if p.kind is not Kind.PARAPHRASE)
    return 2 * copied > sum(len(p.a) for p in region.passages)


def _ratio(fragment: _Fragment, a: Side, b: Side) -> float:
    len_a = a.chars(*fragment.a_range)
    len_b = b.chars(*fragment.b_range)
    return max(len_a, len_b) / max(1, min(len_a, len_b))


def _apart(region: Region, a: Side, b: Side) -> list[Region]:
    """The region cut where two copied passages lie more than ``APART_CHARS`` apart in
    either text with nothing aligned between them: whatever fills the gap (a list, a
    bibliography, page chrome, the writer's own paragraphs), the copies on its two sides
    are two cases, and one region over both would claim the gap as reused."""
    passages = sorted(region.passages, key=lambda p: (p.a.start, p.b.start))
    parts: list[list[Passage]] = [[passages[0]]]
    for before, after in itertools.pairwise(passages):
        gap = max(_distance(before.a, after.a), _distance(before.b, after.b))
        if gap > APART_CHARS and Kind.PARAPHRASE not in (before.kind, after.kind) \
                and not _together(before, after, a, b):
            parts.append([])
        parts[-1].append(after)
    if len(parts) == 1:
        return [region]
    return [Region(a=Span(start=min(p.a.start for p in part), end=max(p.a.end for p in part)),
                   b=Span(start=min(p.b.start for p in part), end=max(p.b.end for p in part)),
                   passages=tuple(part)) for part in parts]


def _distance(x: Span, y: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, y.start - x.end, x.start - y.end)


class _Built(NamedTuple):
    fragment: _Fragment
    region: Region
    summary: tuple[_Built, ...] | None = None  # a summary's: the narrow regions it replaces


def _without_overlaps(built: list[_Built]) -> list[_Built]:
    """Where regions overlap on either side, keep the better supported one; a summary
    kept replaces the narrow regions inside it, and one that would overlap any other
    kept region is dropped, leaving its narrow regions (a copy a stray seed made look
    like part of a summary is still found)."""
    ranked = sorted(built, key=lambda x: (-len(x.region.passages), -len(x.fragment.seeds),
                                          -x.fragment.similarity))
    kept: list[_Built] = []
    for candidate in ranked:
        region = candidate.region
        others = [k for k in kept if not any(k is m for m in candidate.summary or ())]
        if any(region.a.overlaps(k.region.a) or region.b.overlaps(k.region.b) for k in others):
            continue
        kept = [*others, candidate]
    return kept

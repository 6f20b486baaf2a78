"""Alignment: the reused regions two documents share, found sentence by sentence and
word run by word run.

Seed, extend, filter (after Sanchez-Perez, Sidorov & Gelbukh, PAN 2014):
  1. seeds: sentence-unit pairs whose content words agree, by tf-isf cosine *and*
     weighted Dice (``vectors``), so a short generic sentence never seeds with a long one;
     copies and their copied neighbours first (``seeds``);
  2. regions: seeds clustered by position in both texts, allowing ``max_gap`` units
     between neighbours; each region is validated by the cosine of its whole text on
     both sides, and re-clustered with a smaller gap when that fails;
  3. a second pass with a wide gap finds summaries (a short text condensing a long one),
     its seeds widened by sentences fusing two or three of the other's
     (``seeds.with_fusions``), unless what it joins are copies found apart
     (``_joins_copies``);
  4. each fragment is refined word by word into passages (``passages.build_region``),
     and where the resulting regions overlap the better supported one is kept; a summary
     kept replaces the narrow regions inside it, one that loses leaves them standing;
     then regions become cases (``cases``: copies apart split, one paragraph's reuse of
     one paragraph merged, summaries by the paragraph);
  5. long runs both texts print word for word are regions too, wherever they sit, page
     chrome on one side included (``runs``, ``cases.with_runs``);
  6. each region's edges run on over the words and then the characters both texts
     share there (``edges``): a copy's edge is where its text ends, not where a sentence
     the aligner read does (a line it passed over as page chrome, a sentence begun
     mid-way, lines broken elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple

from provcheck.alignment import cases, edges, runs
from provcheck.alignment.cases import Case
from provcheck.alignment.passages import Side, build_region
from provcheck.alignment.seeds import (
    MIN_SHARED_CONTENT,
    Seed,
    exact_first,
    with_copied_neighbours,
    with_fusions,
)
from provcheck.alignment.vectors import PairSimilarity, pair_similarity
from provcheck.records import Kind, Region
from provcheck.settings import Settings
from provcheck.text.segment import Segmented

# A summary links at least this many sentences on each side (and condenses by
# ``cases.SUMMARY_RATIO``).
SUMMARY_MIN_UNITS = 3
# A run of this many sentences copied word for word is a copy, not a summary's lift.
COPY_MIN_UNITS = 2


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
    found = runs.shared_runs(a.grams, b.grams)
    if found:
        regions = cases.with_runs(found, regions, a, b)
    return edges.refine(regions, a, b) if regions else ()


def _sentence_regions(a: Side, b: Side, settings: Settings) -> list[Region]:
    """Regions found by seeding sentence pairs (steps 1-4 of the module docstring)."""
    sim = pair_similarity(a.entries, b.entries, cosine=settings.seed_cosine,
                          dice=settings.seed_dice, shared=MIN_SHARED_CONTENT)
    seeds = with_copied_neighbours(
        exact_first(list(zip(sim.i.tolist(), sim.j.tolist(), strict=True)), a, b), a, b)
    if not seeds:
        return []
    narrow = _fragments(seeds, sim, settings.max_gap, settings, _less_by_one)
    built = [_Built(f, r) for f in narrow
             if (r := build_region(a, b, f.seeds, settings)) is not None]
    if len(seeds) >= SUMMARY_MIN_UNITS:
        wide = _fragments(seeds, sim, settings.summary_max_gap, settings, _halved)
        summaries = [f for f in wide if _is_summary(f, a, b)]
        if summaries:  # fusions widen summaries only
            fused = with_fusions(seeds, a, b, settings,
                                 [(f.a_range, f.b_range) for f in summaries])
            wide = _fragments(fused, sim, settings.summary_max_gap, settings, _halved)
        plain = set(seeds)
        for f in wide:
            # Fusions widen a summary that sentence seeds make; they never make one
            # (a sentence fusing two others is common enough between texts on one topic).
            own = [x for x in f.seeds if x in plain]
            if not own or not _is_summary(_Fragment.of(own), a, b) or not _is_summary(f, a, b):
                continue
            members = tuple(x for x in built if set(f.seeds).issuperset(x.fragment.seeds))
            if _joins_copies(members, a, b):
                continue
            region = build_region(a, b, f.seeds, settings)
            if region is not None:
                built.append(_Built(f, region, summary=members))
    kept = _without_overlaps(built)
    found = [Case(part, False) for k in kept if k.summary is None
             for part in cases.apart(k.region, a, b)]
    found += [Case(k.region, True) for k in kept if k.summary is not None]
    return [cases.in_paragraphs(r, a, b) if summary else r
            for r, summary in cases.merged(found, a, b)]


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
    return (_distinct(fragment) >= SUMMARY_MIN_UNITS
            and _ratio(fragment, a, b) >= cases.SUMMARY_RATIO)


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
               and not cases.together(x, y, a, b)
               for k, x in enumerate(copies) for y in copies[k + 1:])


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

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
     kept replaces the narrow regions inside it, one that loses leaves them standing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple

from provcheck.passages import Side, build_region
from provcheck.records import Kind, Region
from provcheck.segment import Segmented
from provcheck.settings import Settings
from provcheck.vectors import PairSimilarity, pair_similarity

MIN_SHARED_CONTENT = 2.0
# A summary region condenses one side: its longer side is this many times the shorter,
# and it links at least this many sentences on each side.
SUMMARY_RATIO = 2.5
SUMMARY_MIN_UNITS = 3


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
    if not len(a.units) or not len(b.units):
        return ()
    sim = pair_similarity(a.entries, b.entries, cosine=settings.seed_cosine,
                          dice=settings.seed_dice, shared=MIN_SHARED_CONTENT)
    seeds = list(zip(sim.i.tolist(), sim.j.tolist(), strict=True))
    if not seeds:
        return ()
    narrow = _fragments(seeds, sim, settings.max_gap, settings, _less_by_one)
    built = [_Built(f, r, ()) for f in narrow
             if (r := build_region(a, b, f.seeds, settings)) is not None]
    if len(seeds) >= SUMMARY_MIN_UNITS:
        wide = _fragments(seeds, sim, settings.summary_max_gap, settings, _halved)
        for f in wide:
            if not _is_summary(f, a, b):
                continue
            members = tuple(x for x in built if set(f.seeds).issuperset(x.fragment.seeds))
            if _joins_copies(members):
                continue
            region = build_region(a, b, f.seeds, settings)
            if region is not None:
                built.append(_Built(f, region, members))
    regions = _without_overlaps(built)
    return tuple(sorted(regions, key=lambda r: (r.a.start, r.b.start)))


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


def _joins_copies(members: Sequence[_Built]) -> bool:
    """Whether a summary's fragment only joins copies the narrow pass found apart: two
    of its members, each of ``SUMMARY_MIN_UNITS`` sentences or more mostly copied word
    for word, one after the other in both texts or crossed. A summary condenses, and
    what it lifts word for word are a sentence or two; two copies of one source with
    other text between them (a story quoting two paragraphs of a wire report, with a
    few thousand characters of its own between them) condense nothing, and each is a
    case of its own. The two are alike in shape (a summary lifting two distant
    paragraphs is two copies too); PAN13 counts the first as one case, and this rule
    costs its summaries 0.006 plagdet (benchmarks/RESULTS.md)."""
    copies = [m.fragment for m in members
              if _mostly_copied(m.region) and _distinct(m.fragment) >= SUMMARY_MIN_UNITS]
    for k, x in enumerate(copies):
        for y in copies[k + 1:]:
            first, second = sorted((x, y), key=lambda f: f.a_range)
            if second.a_range[0] > first.a_range[1] and (
                    second.b_range[0] > first.b_range[1] or first.b_range[0] > second.b_range[1]):
                return True  # apart in both texts, in order or crossed
    return False


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
    members: tuple[_Built, ...]  # for a summary, the narrow regions it replaces


def _without_overlaps(built: list[_Built]) -> list[Region]:
    """Where regions overlap on either side, keep the better supported one; a summary
    kept replaces the narrow regions inside it, and one that would overlap any other
    kept region is dropped, leaving its narrow regions (a copy a stray seed made look
    like part of a summary is still found)."""
    ranked = sorted(built, key=lambda x: (-len(x.region.passages), -len(x.fragment.seeds),
                                          -x.fragment.similarity))
    kept: list[_Built] = []
    for candidate in ranked:
        region = candidate.region
        others = [k for k in kept if not any(k is m for m in candidate.members)]
        if any(region.a.overlaps(k.region.a) or region.b.overlaps(k.region.b) for k in others):
            continue
        kept = [*others, candidate]
    return [k.region for k in kept]

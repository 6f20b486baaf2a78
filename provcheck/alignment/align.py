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
  5. each region's edges run on over the characters both texts share exactly there, to
     a word's end: a copy's edge is where its text ends, not where a sentence the
     aligner read does (a line it passed over as page chrome, a sentence begun mid-way).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple

from provcheck.alignment.passages import Side, build_region
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
    seeds = _exact_first(list(zip(sim.i.tolist(), sim.j.tolist(), strict=True)), a, b)
    seeds = _with_copied_neighbours(seeds, a, b)
    if not seeds:
        return ()
    narrow = _fragments(seeds, sim, settings.max_gap, settings, _less_by_one)
    built = [_Built(f, r) for f in narrow
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
                built.append(_Built(f, region, summary=members))
    regions = [part for kept in _without_overlaps(built)
               for part in (_apart(kept.region) if kept.summary is None else [kept.region])]
    return _to_exact_edges(regions, a.text, b.text)


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


def _joins_copies(members: Sequence[_Built]) -> bool:
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


def _apart(region: Region) -> list[Region]:
    """The region cut where two copied passages lie more than ``APART_CHARS`` apart in
    either text with nothing aligned between them: whatever fills the gap (a list, a
    bibliography, page chrome, the writer's own paragraphs), the copies on its two sides
    are two cases, and one region over both would claim the gap as reused."""
    passages = sorted(region.passages, key=lambda p: (p.a.start, p.b.start))
    parts: list[list[Passage]] = [[passages[0]]]
    for before, after in itertools.pairwise(passages):
        gap = max(after.a.start - before.a.end, abs(after.b.start - before.b.end),
                  abs(before.b.start - after.b.end) if after.b.start < before.b.start else 0)
        if gap > APART_CHARS and Kind.PARAPHRASE not in (before.kind, after.kind):
            parts.append([])
        parts[-1].append(after)
    if len(parts) == 1:
        return [region]
    return [Region(a=Span(start=min(p.a.start for p in part), end=max(p.a.end for p in part)),
                   b=Span(start=min(p.b.start for p in part), end=max(p.b.end for p in part)),
                   passages=tuple(part)) for part in parts]


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


def _to_exact_edges(regions: list[Region], text_a: str, text_b: str) -> tuple[Region, ...]:
    """``regions`` in order, each run on at both ends over the text the two sides share
    exactly there (``_shared_run``), up to its neighbours on either side. An end is run
    on only where one passage makes it on both sides (a region whose passages cross
    has no one place to continue from)."""
    ordered = sorted(regions, key=lambda r: (r.a.start, r.b.start))
    out: list[Region] = []
    for region in ordered:
        first = _passage_at(region, lambda p: (p.a.start, p.b.start), (region.a.start,
                                                                      region.b.start))
        last = _passage_at(region, lambda p: (p.a.end, p.b.end), (region.a.end, region.b.end))
        floor_a = max((r.a.end for r in ordered if r.a.end <= region.a.start), default=0)
        floor_b = max((r.b.end for r in ordered if r.b.end <= region.b.start), default=0)
        ceil_a = min((r.a.start for r in ordered if r.a.start >= region.a.end),
                     default=len(text_a))
        ceil_b = min((r.b.start for r in ordered if r.b.start >= region.b.end),
                     default=len(text_b))
        before = 0 if first is None else _shared_run(
            text_a, text_b, region.a.start, region.b.start,
            min(region.a.start - floor_a, region.b.start - floor_b), -1)
        after = 0 if last is None else _shared_run(
            text_a, text_b, region.a.end, region.b.end,
            min(ceil_a - region.a.end, ceil_b - region.b.end), 1)
        if not before and not after:
            out.append(region)
            continue
        passages = list(region.passages)
        if first is not None:
            passages[first] = _spanning(passages[first], before, 0,
                                        text_a[region.a.start - before:region.a.start])
        if last is not None:
            passages[last] = _spanning(passages[last], 0, after,
                                       text_a[region.a.end:region.a.end + after])
        out.append(Region(a=Span(start=region.a.start - before, end=region.a.end + after),
                          b=Span(start=region.b.start - before, end=region.b.end + after),
                          passages=tuple(passages)))
    return tuple(out)


def _passage_at(region: Region, where: Callable[[Passage], tuple[int, int]],
                edge: tuple[int, int]) -> int | None:
    """The index of the passage of ``region`` that ``where`` finds at ``edge``, if any."""
    return next((k for k, p in enumerate(region.passages) if where(p) == edge), None)


def _shared_run(text_a: str, text_b: str, at_a: int, at_b: int, most: int, step: int) -> int:
    """How many characters from ``at_a``/``at_b`` (backwards when ``step`` is -1) both
    texts share exactly, at most ``most``, cut back to whole words: a run begins with a
    word or an opening quote or bracket and ends with a word or the punctuation that
    closes one, never inside a word on either side ("the cat" | "that cat")."""
    n = 0
    if step < 0:
        while n < most and text_a[at_a - n - 1] == text_b[at_b - n - 1]:
            n += 1
        while n and (_inside_word(text_a, at_a - n) or _inside_word(text_b, at_b - n)
                     or not _opens(text_a, at_a - n)):
            n -= 1
    else:
        while n < most and text_a[at_a + n] == text_b[at_b + n]:
            n += 1
        while n and (_inside_word(text_a, at_a + n) or _inside_word(text_b, at_b + n)
                     or not _closes(text_a[at_a + n - 1])):
            n -= 1
    return n


_OPENING = "\"'(\u201c\u2018\u00ab["
_CLOSING = ".,;:!?\"')\u201d\u2019\u00bb]\u2026%"


def _opens(text: str, at: int) -> bool:
    """Whether a passage may begin at ``at``: on a letter or digit, or on an opening
    quote or bracket followed by one (``said." At`` begins at ``At``)."""
    char = text[at]
    return char.isalnum() or (char in _OPENING and at + 1 < len(text)
                              and text[at + 1].isalnum())


def _closes(char: str) -> bool:
    """Whether a passage may end on ``char``: a letter, a digit, or closing punctuation."""
    return char.isalnum() or char in _CLOSING


def _inside_word(text: str, at: int) -> bool:
    """Whether position ``at`` falls between two letters or digits of one word."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _spanning(passage: Passage, before: int, after: int, added: str) -> Passage:
    """``passage`` run on by ``before`` characters at its start and ``after`` at its end;
    a verbatim one's longest run counts the words ``added``."""
    run = passage.run + len(added.split()) if passage.kind is Kind.VERBATIM else passage.run
    return dataclasses.replace(
        passage, a=Span(start=passage.a.start - before, end=passage.a.end + after),
        b=Span(start=passage.b.start - before, end=passage.b.end + after), run=run)

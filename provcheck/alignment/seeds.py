"""Seeds: the sentence pairs a region can start from, beyond those that seed by their
likeness alone (``vectors.pair_similarity``).

  * a sentence printed word for word on the other side seeds only with its copy
    (``exact_first``), and its copied neighbours seed with it however short they are
    (``with_copied_neighbours``);
  * a sentence that fuses two or three consecutive sentences of the other text seeds
    with each of them (``with_fusions``): a summary's sentence drawing on several, a
    rewrite joining two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from provcheck.alignment import vectors
from provcheck.alignment.passages import Side
from provcheck.alignment.vectors import pair_similarity
from provcheck.settings import Settings

# A seed shares at least this much content-word weight (``vectors``' weights).
MIN_SHARED_CONTENT = 2.0
# A fused sentence draws on each of its partners for at least this much content weight.
FUSED_SHARE = 1.0

Seed = tuple[int, int]  # (row in a, row in b)


def exact_first(seeds: list[Seed], a: Side, b: Side) -> list[Seed]:
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


def with_copied_neighbours(seeds: list[Seed], a: Side, b: Side) -> list[Seed]:
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


FUSION_WIDTHS = (2, 3)


def with_fusions(seeds: list[Seed], a: Side, b: Side, settings: Settings,
                 summaries: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> list[Seed]:
    """The seeds, and the sentences that one sentence of a summary fuses: a sentence of
    its shorter side seeding with two or three consecutive sentences of its longer side
    read as one pairs with each of them that shares content with it, when two or more
    do (``FUSED_SHARE``). Only sentences that seed with no single sentence are read this
    way: the others are explained already. ``summaries`` are the row ranges (first,
    last) on each side of the summaries the seeds make."""
    found = set(seeds)
    seeded = ({i for i, _ in seeds}, {j for _, j in seeds})
    for a_rows, b_rows in summaries:
        flip = a.chars(*a_rows) > b.chars(*b_rows)  # b is the summary's shorter side
        x, y = (b, a) if flip else (a, b)
        x_rows, y_rows = (b_rows, a_rows) if flip else (a_rows, b_rows)
        short = vectors.between(x.entries, *x_rows)
        long = vectors.between(y.entries, *y_rows)
        alone = seeded[1] if flip else seeded[0]
        for width in FUSION_WIDTHS:
            sim = pair_similarity(short, vectors.windows(long, width),
                                  cosine=settings.seed_cosine, dice=settings.seed_dice,
                                  shared=MIN_SHARED_CONTENT)
            for i, k in zip(sim.i.tolist(), sim.j.tolist(), strict=True):
                i, k = i + x_rows[0], k + y_rows[0]
                if i in alone:
                    continue
                words = _stems(x, i)
                fused = [k + o for o in range(width) if _shared(words, y, k + o) >= FUSED_SHARE]
                if len(fused) >= 2:
                    found.update((j, i) if flip else (i, j) for j in fused)
    return sorted(found)


def _stems(side: Side, row: int) -> dict[int, float]:
    e = side.entries
    lo, hi = e.row_start[row], e.row_start[row + 1]
    return dict(zip(e.term[lo:hi].tolist(), e.weight[lo:hi].tolist(), strict=True))


def _shared(words: dict[int, float], side: Side, row: int) -> float:
    e = side.entries
    lo, hi = e.row_start[row], e.row_start[row + 1]
    return sum(min(w, words[t]) for t, w in zip(e.term[lo:hi].tolist(),
                                                 e.weight[lo:hi].tolist(), strict=True)
               if t in words)

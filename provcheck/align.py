"""Alignment: the reused regions two documents share, found sentence by sentence.

Seed, extend, filter (after Sanchez-Perez, Sidorov & Gelbukh, PAN 2014):
  1. seeds: sentence-unit pairs whose content words agree, by tf-isf cosine *and* Dice,
     so a short generic sentence never seeds with a long one;
  2. regions: seeds clustered by position in both texts, allowing ``max_gap`` units
     between neighbours; each region is validated by the cosine of its whole text on
     both sides, and re-clustered with a smaller gap when that fails;
  3. a second pass with a wide gap finds summaries (a short text condensing a long one);
  4. overlapping regions are resolved in favour of the better supported one.
Each region is then refined word by word by ``passages.build_region`` into exact spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from provcheck.passages import Side, build_region
from provcheck.records import Region
from provcheck.segment import Segmented
from provcheck.settings import Settings

MIN_SHARED_CONTENT = 2.0
NAME_WEIGHT = 0.3
# A summary region condenses one side: its longer side is this many times the shorter.
SUMMARY_RATIO = 2.5
SUMMARY_MIN_UNITS = 3


@dataclass(frozen=True, slots=True)
class _Fragment:
    seeds: np.ndarray  # int64 [k, 2]: (unit index in a.units, unit index in b.units)
    similarity: float

    @property
    def a_range(self) -> tuple[int, int]:
        return int(self.seeds[:, 0].min()), int(self.seeds[:, 0].max())

    @property
    def b_range(self) -> tuple[int, int]:
        return int(self.seeds[:, 1].min()), int(self.seeds[:, 1].max())


@dataclass(frozen=True, slots=True)
class _Vectors:
    weights_a: sparse.csr_matrix  # tf-isf rows per unit
    weights_b: sparse.csr_matrix
    cosine: np.ndarray
    dice: np.ndarray
    shared: np.ndarray


def align_pair(
    seg_a: Segmented, text_a: str, seg_b: Segmented, text_b: str, settings: Settings
) -> tuple[Region, ...]:
    """Reused regions between two documents, each with its passages; may be empty."""
    a, b = Side.of(seg_a, text_a), Side.of(seg_b, text_b)
    if not len(a.units) or not len(b.units):
        return ()
    vectors = _vectors(a, b)
    seeds = np.argwhere(
        (vectors.cosine >= settings.seed_cosine)
        & (vectors.dice >= settings.seed_dice)
        & (vectors.shared >= MIN_SHARED_CONTENT)
    )
    if not len(seeds):
        return ()
    fragments = _fragments(seeds, vectors, settings.max_gap, settings)
    summaries = [f for f in _fragments(seeds, vectors, settings.summary_max_gap, settings)
                 if _is_summary(f, a, b)]
    fragments = summaries + [f for f in fragments if not any(_clash(f, s) for s in summaries)]
    built = [(f, build_region(a, b, f.seeds, settings)) for f in fragments]
    regions = _without_overlaps([(f, r) for f, r in built if r is not None])
    return tuple(sorted(regions, key=lambda r: (r.a.start, r.b.start)))


def _vectors(a: Side, b: Side) -> _Vectors:
    """tf-isf cosine and weighted Dice between every unit of ``a`` and of ``b``.

    Names (capitalised words inside a sentence, acronyms) weigh NAME_WEIGHT: two
    reports of one event share their names and dates whether or not one reused the
    other, so what was *said* must carry a seed. With two weight levels the weighted
    intersection sum(min(w_a, w_b)) is exact: NAME_WEIGHT * shared + (1 - NAME_WEIGHT)
    * shared-as-plain-words.
    """
    rows_a, terms_a, names_a = a.unit_terms()
    rows_b, terms_b, names_b = b.unit_terms()
    vocab, inverse = np.unique(np.concatenate([terms_a, terms_b]), return_inverse=True)
    cols_a, cols_b = inverse[: len(terms_a)], inverse[len(terms_a) :]
    tf_a, any_a, plain_a = _matrices(rows_a, cols_a, names_a, (len(a.units), len(vocab)))
    tf_b, any_b, plain_b = _matrices(rows_b, cols_b, names_b, (len(b.units), len(vocab)))
    df = np.asarray(any_a.sum(axis=0) + any_b.sum(axis=0)).ravel()
    isf = sparse.diags(np.log((len(a.units) + len(b.units)) / df) + 1.0)
    w_a, w_b = (tf_a @ isf).tocsr(), (tf_b @ isf).tocsr()
    norm_a = np.sqrt(np.asarray(w_a.multiply(w_a).sum(axis=1)).ravel()) + 1e-12
    norm_b = np.sqrt(np.asarray(w_b.multiply(w_b).sum(axis=1)).ravel()) + 1e-12
    cosine = (w_a @ w_b.T).toarray() / np.outer(norm_a, norm_b)
    shared = NAME_WEIGHT * (any_a @ any_b.T).toarray() + (1 - NAME_WEIGHT) * (
        plain_a @ plain_b.T
    ).toarray()
    size_a = NAME_WEIGHT * _row_sums(any_a) + (1 - NAME_WEIGHT) * _row_sums(plain_a)
    size_b = NAME_WEIGHT * _row_sums(any_b) + (1 - NAME_WEIGHT) * _row_sums(plain_b)
    dice = 2 * shared / (size_a[:, None] + size_b[None, :] + 1e-12)
    return _Vectors(w_a, w_b, cosine, dice, shared)


def _matrices(
    rows: np.ndarray, cols: np.ndarray, names: np.ndarray, shape: tuple[int, int]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    """Weighted term counts, presence, and presence as a plain (non-name) word."""
    weights = np.where(names, NAME_WEIGHT, 1.0)
    tf = sparse.csr_matrix((weights, (rows, cols)), shape=shape)
    present = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    present.data[:] = 1.0
    plain = sparse.csr_matrix(((~names).astype(np.float64), (rows, cols)), shape=shape)
    plain.data = np.minimum(plain.data, 1.0)
    plain.eliminate_zeros()
    return tf, present, plain


def _row_sums(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()


def _fragments(
    seeds: np.ndarray, vectors: _Vectors, gap: int, settings: Settings
) -> list[_Fragment]:
    """Cluster seeds with the given gap and keep the clusters that validate."""
    out = []
    for group in _cluster(seeds, gap):
        out.extend(_validate(group, vectors, gap, settings))
    return out


def _cluster(seeds: np.ndarray, gap: int) -> list[np.ndarray]:
    """Split seeds wherever consecutive ones are more than ``gap`` units apart, on
    either side, alternately, until no group splits any more."""
    groups = [seeds]
    side, quiet = 0, 0
    while quiet < 2:
        split = [part for g in groups for part in _split(g, side, gap)]
        quiet = quiet + 1 if len(split) == len(groups) else 0
        groups, side = split, 1 - side
    return groups


def _split(group: np.ndarray, side: int, gap: int) -> list[np.ndarray]:
    group = group[np.argsort(group[:, side], kind="stable")]
    cuts = np.flatnonzero(np.diff(group[:, side]) > gap + 1) + 1
    return np.split(group, cuts)


def _validate(
    group: np.ndarray, vectors: _Vectors, gap: int, settings: Settings
) -> list[_Fragment]:
    fragment = _Fragment(group, 0.0)
    (a0, a1), (b0, b1) = fragment.a_range, fragment.b_range
    similarity = _cosine(
        np.asarray(vectors.weights_a[a0 : a1 + 1].sum(axis=0)).ravel(),
        np.asarray(vectors.weights_b[b0 : b1 + 1].sum(axis=0)).ravel(),
    )
    if similarity >= settings.region_validation:
        return [_Fragment(group, similarity)]
    if gap <= 0:
        return []
    return _fragments(group, vectors, gap - 1, settings)


def _cosine(x: np.ndarray, y: np.ndarray) -> float:
    denominator = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / denominator if denominator else 0.0


def _is_summary(fragment: _Fragment, a: Side, b: Side) -> bool:
    """Several sentences condensing a stretch several times longer."""
    distinct = min(len(np.unique(fragment.seeds[:, 0])), len(np.unique(fragment.seeds[:, 1])))
    return distinct >= SUMMARY_MIN_UNITS and _ratio(fragment, a, b) >= SUMMARY_RATIO


def _clash(x: _Fragment, y: _Fragment) -> bool:
    (xa0, xa1), (xb0, xb1) = x.a_range, x.b_range
    (ya0, ya1), (yb0, yb1) = y.a_range, y.b_range
    return (xa0 <= ya1 and ya0 <= xa1) or (xb0 <= yb1 and yb0 <= xb1)


def _ratio(fragment: _Fragment, a: Side, b: Side) -> float:
    len_a = a.chars(*fragment.a_range)
    len_b = b.chars(*fragment.b_range)
    return max(len_a, len_b) / max(1, min(len_a, len_b))


def _without_overlaps(built: list[tuple[_Fragment, Region]]) -> list[Region]:
    """Where regions overlap on either side, keep the better supported one."""
    ranked = sorted(built, key=lambda fr: (-len(fr[1].passages), -len(fr[0].seeds),
                                           -fr[0].similarity))
    kept: list[Region] = []
    for _, region in ranked:
        if not any(region.a.overlaps(k.a) or region.b.overlaps(k.b) for k in kept):
            kept.append(region)
    return kept

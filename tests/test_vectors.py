"""The compiled sparse join in ``pair_similarity`` against the plain numpy formulation
it replaced (a join of every entry pair on a common stem, then one ``bincount`` per
figure): the same unit pairs, and the same floating-point sums bit for bit, whether
every pair sharing a stem is asked for or only those reaching the seed minimums (the
prefix filter must drop none of them)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provcheck.alignment.vectors import NAME_WEIGHT, Entries, UnitTerms, pair_similarity, unit_terms


def reference(a: Entries, b: Entries) -> tuple[np.ndarray, ...]:
    """(i, j, cosine, dice, shared) as numpy computes them, joining by brute force in the
    order numpy's bincount sums: by common stem, then a's entries, then b's."""
    _, ca, cb = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    total = a.n_rows + b.n_rows
    df_a, df_b = a.df.astype(np.float64), b.df.astype(np.float64)
    df_a[ca] += b.df[cb]
    df_b[cb] += a.df[ca]
    isf_a = (np.log(total / df_a) + 1.0)[a.term_index]
    isf_b = (np.log(total / df_b) + 1.0)[b.term_index]
    joined = [(x, y) for c, d in zip(ca, cb, strict=True)
              for x in np.flatnonzero(a.term_index == c)
              for y in np.flatnonzero(b.term_index == d)]
    ia = np.array([x for x, _ in joined], dtype=np.int64)
    jb = np.array([y for _, y in joined], dtype=np.int64)
    pairs, inverse = np.unique(a.row[ia] * b.n_rows + b.row[jb], return_inverse=True)
    dot = np.bincount(inverse, weights=a.tf[ia] * isf_a[ia] * b.tf[jb] * isf_b[jb])
    shared = np.bincount(inverse, weights=np.minimum(a.weight[ia], b.weight[jb]))
    norm_a = np.sqrt(np.bincount(a.row, weights=(a.tf * isf_a) ** 2, minlength=a.n_rows))
    norm_b = np.sqrt(np.bincount(b.row, weights=(b.tf * isf_b) ** 2, minlength=b.n_rows))
    i, j = pairs // b.n_rows, pairs % b.n_rows
    return (i, j, dot / (norm_a[i] * norm_b[j] + 1e-12),
            2 * shared / (a.norm_weight[i] + b.norm_weight[j] + 1e-12), shared)


@st.composite
def entries(draw: st.DrawFn) -> Entries:
    """A document's entry table: distinct (unit, stem) pairs from a small vocabulary, so
    two documents share stems, some of them in many units."""
    n_units = draw(st.integers(1, 12))
    cells = draw(st.sets(st.tuples(st.integers(0, n_units - 1), st.integers(1, 9)),
                         min_size=1, max_size=40))
    unit, term = (np.array(x, dtype=np.int64) for x in zip(*sorted(cells), strict=True))
    tf = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, NAME_WEIGHT, 1.3]),
                                min_size=len(unit), max_size=len(unit))))
    weight = np.where(tf == NAME_WEIGHT, NAME_WEIGHT, 1.0)
    table = UnitTerms(unit=unit, term=term.astype(np.uint32) * 7919, tf=tf, weight=weight)
    return Entries.of(table, np.arange(n_units), n_units)


@settings(max_examples=300, deadline=None)
@given(entries(), entries())
def test_pair_similarity_sums_as_numpy_does(a: Entries, b: Entries) -> None:
    found = pair_similarity(a, b)
    expected = reference(a, b)
    for got, want in zip((found.i, found.j, found.cosine, found.dice, found.shared),
                         expected, strict=True):
        assert got.tobytes() == np.asarray(want, dtype=got.dtype).tobytes()


@settings(max_examples=500, deadline=None)
@given(entries(), entries(), st.sampled_from([0.0, 0.2, 0.33, 0.6]),
       st.sampled_from([0.0, 0.1, 0.33, 0.5, 0.9]), st.sampled_from([0.0, 0.3, 1.0, 2.0, 3.3]))
def test_the_prefix_filter_keeps_every_pair_reaching_the_minimums(
        a: Entries, b: Entries, cosine: float, dice: float, shared: float) -> None:
    found = pair_similarity(a, b, cosine=cosine, dice=dice, shared=shared)
    i, j, cos, dic, sha = reference(a, b)
    kept = (cos >= cosine) & (dic >= dice) & (sha >= shared)
    for got, want in zip((found.i, found.j, found.cosine, found.dice, found.shared),
                         (i[kept], j[kept], cos[kept], dic[kept], sha[kept]), strict=True):
        assert got.tobytes() == np.asarray(want, dtype=got.dtype).tobytes()


def unit_terms_reference(unit_tok: np.ndarray, stem: np.ndarray, content: np.ndarray,
                         name: np.ndarray) -> UnitTerms:
    """The entry table as numpy builds it: (unit, stem) keys made unique, figures summed
    by ``bincount`` in token order."""
    counts = unit_tok[:, 1] - unit_tok[:, 0]
    unit_of_token = np.repeat(np.arange(len(unit_tok)), counts)
    tokens = np.concatenate([np.arange(t0, t1) for t0, t1 in unit_tok.tolist()] + [
        np.zeros(0, dtype=np.int64)])
    keep = content[tokens]
    units, terms = unit_of_token[keep], stem[tokens][keep].astype(np.uint64)
    weights = np.where(name[tokens][keep], NAME_WEIGHT, 1.0)
    uniq, inverse = np.unique((units.astype(np.uint64) << np.uint64(32)) | terms,
                              return_inverse=True)
    return UnitTerms(
        unit=(uniq >> np.uint64(32)).astype(np.int64),
        term=(uniq & np.uint64(0xFFFFFFFF)).astype(np.uint32),
        tf=np.bincount(inverse, weights=weights, minlength=len(uniq)),
        weight=np.where(np.bincount(inverse, weights=weights == 1.0, minlength=len(uniq)) > 0,
                        1.0, NAME_WEIGHT))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, 0xFFFFFFFF]), st.booleans(),
                          st.booleans()), max_size=60),
       st.lists(st.integers(0, 8), max_size=8))
def test_unit_terms_as_numpy_builds_them(tokens: list[tuple[int, bool, bool]],
                                        cuts: list[int]) -> None:
    """Units are consecutive token ranges (some empty); stems repeat within a unit, as
    names and as plain words, so sums and weights mix."""
    bounds = sorted({0, len(tokens), *(min(c * 7, len(tokens)) for c in cuts)})
    unit_tok = np.array(list(pairwise(bounds)) or [(0, 0)],
                        dtype=np.int64).reshape(-1, 2)
    stem = np.array([s for s, _, _ in tokens], dtype=np.uint32)
    content = np.array([c for _, c, _ in tokens], dtype=bool)
    name = np.array([n for _, _, n in tokens], dtype=bool)
    got, want = unit_terms(unit_tok, stem, content, name), unit_terms_reference(
        unit_tok, stem, content, name)
    for field in ("unit", "term", "tf", "weight"):
        a, b = getattr(got, field), getattr(want, field)
        # (bincount of nothing is an int64 array; the table's sums are always float64)
        assert a.tobytes() == b.tobytes() and (a.dtype == b.dtype or not len(a)), field


@settings(max_examples=300, deadline=None)
@given(entries(), entries(), st.data())
def test_range_cosine_is_the_cosine_of_the_summed_vectors(a: Entries, b: Entries,
                                                         data: st.DataObject) -> None:
    """Validation's cosine of two row ranges, against numpy's dense vectors (the sums of
    squares are taken in another order than BLAS takes them: equal to rounding)."""
    found = pair_similarity(a, b)
    first_a = data.draw(st.integers(0, a.n_rows - 1))
    last_a = data.draw(st.integers(first_a, a.n_rows - 1))
    first_b = data.draw(st.integers(0, b.n_rows - 1))
    last_b = data.draw(st.integers(first_b, b.n_rows - 1))

    def summed(x: Entries, tfisf: np.ndarray, first: int, last: int) -> np.ndarray:
        rows = (x.row >= first) & (x.row <= last)
        return np.bincount(x.term_index[rows], weights=tfisf[rows], minlength=len(x.terms))

    va = summed(a, a.tf * found.isf_a[a.term_index], first_a, last_a)
    vb = summed(b, b.tf * found.isf_b[b.term_index], first_b, last_b)
    _, ca, cb = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    norms = np.linalg.norm(va) * np.linalg.norm(vb)
    want = float(va[ca] @ vb[cb]) / norms if norms else 0.0
    assert found.range_cosine((first_a, last_a), (first_b, last_b)) == pytest.approx(
        want, rel=1e-12, abs=1e-15)

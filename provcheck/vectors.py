"""Bag-of-words similarity between the sentence units of two documents, sparse.

Each document carries a table of its distinct (unit, content-stem) entries with a term
count and a weight (``unit_terms``, built once by ``segment``). For a pair, only unit
pairs that share a stem are ever touched: the tables are joined on their common stems,
so an unrelated pair costs next to nothing and a related one costs its overlap.

Weights: a name (capitalised inside a sentence, an acronym) weighs ``NAME_WEIGHT``,
other content words 1. Two reports of one event share their names and dates whether or
not one reused the other, so what was *said* has to carry a seed. Cosine uses tf-isf
(inverse sentence frequency over the pair's units); Dice is weighted,
2 * sum(min(w_a, w_b)) / (sum(w_a) + sum(w_b)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from provcheck.records import picklable

NAME_WEIGHT = 0.3


@picklable
@dataclass(frozen=True, slots=True)
class UnitTerms:
    """Distinct (unit, stem) entries of one document, sorted by unit then stem."""

    unit: np.ndarray  # int64
    term: np.ndarray  # uint32 stem hash
    tf: np.ndarray  # float64: weighted occurrences
    weight: np.ndarray  # float64: 1, or NAME_WEIGHT when every occurrence is a name


def unit_terms(unit_tok: np.ndarray, stem: np.ndarray, content: np.ndarray,
               name: np.ndarray) -> UnitTerms:
    """The entry table for a document's units (see the module docstring)."""
    unit, term, tf, weight = _unit_terms(np.ascontiguousarray(unit_tok, dtype=np.int64),
                                         stem, content, name, NAME_WEIGHT)
    return UnitTerms(unit=unit, term=term, tf=tf, weight=weight)


@numba.njit(nogil=True, cache=True)
def _unit_terms(unit_tok: np.ndarray, stem: np.ndarray, content: np.ndarray,
                name: np.ndarray, name_weight: float,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Unit by unit, its content tokens' stems in stem order (a stable sort, so each
    stem's occurrences are summed in text order, as ``np.bincount`` would) folded into
    distinct entries."""
    total = 0
    for u in range(len(unit_tok)):
        for t in range(unit_tok[u, 0], unit_tok[u, 1]):
            total += content[t]
    unit = np.empty(total, dtype=np.int64)
    term = np.empty(total, dtype=np.uint32)
    tf = np.empty(total, dtype=np.float64)
    weight = np.empty(total, dtype=np.float64)
    stems = np.empty(total, dtype=np.uint32)
    weights = np.empty(total, dtype=np.float64)
    k = 0
    for u in range(len(unit_tok)):
        m = 0
        for t in range(unit_tok[u, 0], unit_tok[u, 1]):
            if content[t]:
                stems[m] = stem[t]
                weights[m] = name_weight if name[t] else 1.0
                m += 1
        order = np.argsort(stems[:m], kind="mergesort")
        n = 0
        while n < m:
            value = stems[order[n]]
            summed, plain = 0.0, False
            while n < m and stems[order[n]] == value:
                summed += weights[order[n]]
                plain |= weights[order[n]] == 1.0
                n += 1
            unit[k], term[k], tf[k] = u, value, summed
            weight[k] = 1.0 if plain else name_weight
            k += 1
    return unit[:k], term[:k], tf[:k], weight[:k]


@dataclass(frozen=True, slots=True)
class Entries:
    """A document's entries restricted to participating units, units as ranks 0..n-1,
    with what every pairing needs precomputed: its distinct stems and their frequencies."""

    row: np.ndarray
    term: np.ndarray
    tf: np.ndarray
    weight: np.ndarray
    n_rows: int
    terms: np.ndarray  # distinct stems, sorted
    df: np.ndarray  # units containing each distinct stem
    term_index: np.ndarray  # position of each entry's stem in ``terms``
    norm_weight: np.ndarray  # per row: sum of weights (the Dice denominator part)

    @classmethod
    def of(cls, table: UnitTerms, rank: np.ndarray, n_rows: int) -> Entries:
        """``rank[unit]`` is the unit's row, or -1 when it does not take part."""
        rows = rank[table.unit]
        keep = rows >= 0
        row, term = rows[keep], table.term[keep]
        terms, term_index, df = np.unique(term, return_inverse=True, return_counts=True)
        weight = table.weight[keep]
        return cls(row, term, table.tf[keep], weight, n_rows, terms, df, term_index,
                   np.bincount(row, weights=weight, minlength=n_rows))


@dataclass(frozen=True, slots=True)
class PairSimilarity:
    """Similarities of every unit pair that shares a stem, plus what validation needs."""

    i: np.ndarray
    j: np.ndarray
    cosine: np.ndarray
    dice: np.ndarray
    shared: np.ndarray  # weighted count of shared stems
    a: Entries
    b: Entries
    tfisf_a: np.ndarray  # tf-isf of each entry of a
    tfisf_b: np.ndarray
    common_a: np.ndarray  # the stems both sides have, as positions in a.terms (sorted)
    common_b: np.ndarray  # ... and in b.terms

    def range_cosine(self, a_rows: tuple[int, int], b_rows: tuple[int, int]) -> float:
        """Cosine of the summed tf-isf vectors of rows ``a_rows`` and ``b_rows`` (inclusive)."""
        return float(_range_cosine(
            self.a.row, self.a.term_index, self.tfisf_a, len(self.a.terms), a_rows[0],
            a_rows[1], self.b.row, self.b.term_index, self.tfisf_b, len(self.b.terms),
            b_rows[0], b_rows[1], self.common_a, self.common_b))


def pair_similarity(a: Entries, b: Entries) -> PairSimilarity:
    """Every unit pair of ``a`` and ``b`` that shares a stem, with its figures: two
    compiled calls around numpy's ``log`` (the isf is numpy's, bit for bit, on any CPU)."""
    common_a, common_b, df_a, df_b = _common_terms(a.terms, a.df, b.terms, b.df)
    # Inverse sentence frequency over both documents' units, per distinct stem.
    total = a.n_rows + b.n_rows
    isf_a = np.log(total / df_a) + 1.0
    isf_b = np.log(total / df_b) + 1.0
    i, j, cosine, dice, shared, tfisf_a, tfisf_b = _similarities(
        a.row, a.term_index, a.tf, a.weight, a.norm_weight, isf_a,
        b.row, b.term_index, b.tf, b.weight, b.norm_weight, isf_b, common_a, common_b)
    return PairSimilarity(i=i, j=j, cosine=cosine, dice=dice, shared=shared, a=a, b=b,
                          tfisf_a=tfisf_a, tfisf_b=tfisf_b, common_a=common_a,
                          common_b=common_b)


@numba.njit(nogil=True, cache=True)
def _common_terms(terms_a: np.ndarray, df_a: np.ndarray, terms_b: np.ndarray,
                  df_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                             np.ndarray]:  # pragma: no cover
    """The stems both sorted ``terms`` lists hold, as positions in each (a merge, as
    ``np.intersect1d`` would give them), and each side's document frequencies with the
    other side's added for those stems."""
    n = min(len(terms_a), len(terms_b))
    common_a = np.empty(n, dtype=np.int64)
    common_b = np.empty(n, dtype=np.int64)
    both_a = df_a.astype(np.float64)
    both_b = df_b.astype(np.float64)
    x, y, k = 0, 0, 0
    while x < len(terms_a) and y < len(terms_b):
        if terms_a[x] < terms_b[y]:
            x += 1
        elif terms_b[y] < terms_a[x]:
            y += 1
        else:
            common_a[k], common_b[k] = x, y
            both_a[x] += df_b[y]
            both_b[y] += df_a[x]
            x, y, k = x + 1, y + 1, k + 1
    return common_a[:k], common_b[:k], both_a, both_b


@numba.njit(nogil=True, cache=True)
def _similarities(row_a: np.ndarray, term_a: np.ndarray, tf_a: np.ndarray,
                  weight_a: np.ndarray, norm_weight_a: np.ndarray, isf_terms_a: np.ndarray,
                  row_b: np.ndarray, term_b: np.ndarray, tf_b: np.ndarray,
                  weight_b: np.ndarray, norm_weight_b: np.ndarray, isf_terms_b: np.ndarray,
                  common_a: np.ndarray, common_b: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                             np.ndarray, np.ndarray]:  # pragma: no cover
    """(i, j, cosine, dice, shared) of every unit pair sharing a stem, and each side's
    tf-isf per entry; every sum is taken in the order numpy's ``bincount`` takes it."""
    n_rows_a, n_rows_b = len(norm_weight_a), len(norm_weight_b)
    isf_b = np.empty(len(term_b), dtype=np.float64)
    tfisf_a = np.empty(len(term_a), dtype=np.float64)
    tfisf_b = np.empty(len(term_b), dtype=np.float64)
    norm_a = np.zeros(n_rows_a, dtype=np.float64)
    norm_b = np.zeros(n_rows_b, dtype=np.float64)
    for e in range(len(term_a)):
        tfisf_a[e] = tf_a[e] * isf_terms_a[term_a[e]]
        norm_a[row_a[e]] += tfisf_a[e] * tfisf_a[e]
    for e in range(len(term_b)):
        isf_b[e] = isf_terms_b[term_b[e]]
        tfisf_b[e] = tf_b[e] * isf_b[e]
        norm_b[row_b[e]] += tfisf_b[e] * tfisf_b[e]
    norm_a, norm_b = np.sqrt(norm_a), np.sqrt(norm_b)
    i, j, dot, shared = _shared_stems(
        row_a, term_a, tfisf_a, weight_a, row_b, term_b, tf_b, isf_b, weight_b, n_rows_b,
        common_a, common_b, len(isf_terms_a), len(isf_terms_b))
    cosine = np.empty(len(i), dtype=np.float64)
    dice = np.empty(len(i), dtype=np.float64)
    for k in range(len(i)):
        cosine[k] = dot[k] / (norm_a[i[k]] * norm_b[j[k]] + 1e-12)
        dice[k] = 2.0 * shared[k] / (norm_weight_a[i[k]] + norm_weight_b[j[k]] + 1e-12)
    return i, j, cosine, dice, shared, tfisf_a, tfisf_b


@numba.njit(nogil=True, cache=True)
def _shared_stems(row_a: np.ndarray, stem_a: np.ndarray, tfisf_a: np.ndarray,
                  weight_a: np.ndarray, row_b: np.ndarray, stem_b: np.ndarray,
                  tf_b: np.ndarray, isf_b: np.ndarray, weight_b: np.ndarray, n_rows_b: int,
                  common_a: np.ndarray, common_b: np.ndarray, n_stems_a: int,
                  n_stems_b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every unit pair (i, j) that shares a stem, in (i, j) order, with its tf-isf dot
    product and weighted count of shared stems. Row by row of a: each of the row's
    entries (in stem order) meets the entries of b with its stem, summed per row of b."""
    n_common = len(common_a)
    code_a = np.full(n_stems_a, -1, dtype=np.int64)
    code_b = np.full(n_stems_b, -1, dtype=np.int64)
    for c in range(n_common):
        code_a[common_a[c]] = c
        code_b[common_b[c]] = c
    first_b, by_stem_b = _grouped(code_b[stem_b], n_common)
    bound = 0  # pairs at most: one per entry meeting
    for e in range(len(row_a)):
        c = code_a[stem_a[e]]
        if c >= 0:
            bound += first_b[c + 1] - first_b[c]
    i = np.empty(bound, dtype=np.int64)
    j = np.empty(bound, dtype=np.int64)
    dot = np.empty(bound, dtype=np.float64)
    shared = np.empty(bound, dtype=np.float64)
    acc_dot = np.zeros(n_rows_b, dtype=np.float64)
    acc_shared = np.zeros(n_rows_b, dtype=np.float64)
    touched = np.empty(n_rows_b, dtype=np.int64)
    seen = np.zeros(n_rows_b, dtype=np.bool_)
    n_pairs, e = 0, 0
    while e < len(row_a):
        row, n_touched = row_a[e], 0
        while e < len(row_a) and row_a[e] == row:
            c = code_a[stem_a[e]]
            if c >= 0:
                for y in by_stem_b[first_b[c]:first_b[c + 1]]:
                    other = row_b[y]
                    if not seen[other]:
                        seen[other] = True
                        touched[n_touched] = other
                        n_touched += 1
                    # The terms of one pair arrive in stem order, as numpy summed them.
                    acc_dot[other] += tfisf_a[e] * tf_b[y] * isf_b[y]
                    acc_shared[other] += min(weight_a[e], weight_b[y])
            e += 1
        for other in np.sort(touched[:n_touched]):
            i[n_pairs], j[n_pairs] = row, other
            dot[n_pairs], shared[n_pairs] = acc_dot[other], acc_shared[other]
            acc_dot[other], acc_shared[other], seen[other] = 0.0, 0.0, False
            n_pairs += 1
    return i[:n_pairs], j[:n_pairs], dot[:n_pairs], shared[:n_pairs]


@numba.njit(inline="always")
def _grouped(codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """A counting sort of the entries with a code >= 0: where each code's entries start
    (``n_codes + 1`` bounds) and the entries, in their order within each code."""
    first = np.zeros(n_codes + 1, dtype=np.int64)
    for code in codes:
        if code >= 0:
            first[code + 1] += 1
    for c in range(n_codes):
        first[c + 1] += first[c]
    filled = first[:-1].copy()
    entries = np.empty(first[n_codes], dtype=np.int64)
    for e in range(len(codes)):
        code = codes[e]
        if code >= 0:
            entries[filled[code]] = e
            filled[code] += 1
    return first, entries


@numba.njit(nogil=True, cache=True)
def _range_cosine(row_a: np.ndarray, term_a: np.ndarray, tfisf_a: np.ndarray, n_terms_a: int,
                  first_a: int, last_a: int, row_b: np.ndarray, term_b: np.ndarray,
                  tfisf_b: np.ndarray, n_terms_b: int, first_b: int, last_b: int,
                  common_a: np.ndarray, common_b: np.ndarray) -> float:  # pragma: no cover
    """Cosine of the summed tf-isf vectors of rows first..last (inclusive) on each side:
    the vectors dense over each document's distinct stems, the dot over the common ones."""
    va = _summed(row_a, term_a, tfisf_a, n_terms_a, first_a, last_a)
    vb = _summed(row_b, term_b, tfisf_b, n_terms_b, first_b, last_b)
    denominator = np.sqrt(np.sum(va * va)) * np.sqrt(np.sum(vb * vb))
    if denominator == 0.0:
        return 0.0
    dot = 0.0
    for c in range(len(common_a)):
        dot += va[common_a[c]] * vb[common_b[c]]
    return dot / denominator


@numba.njit(inline="always")
def _summed(row: np.ndarray, term: np.ndarray, tfisf: np.ndarray, n_terms: int, first: int,
            last: int) -> np.ndarray:
    """The tf-isf vector of rows first..last, dense over the document's distinct stems."""
    vector = np.zeros(n_terms, dtype=np.float64)
    for e in range(np.searchsorted(row, first), np.searchsorted(row, last + 1)):
        vector[term[e]] += tfisf[e]
    return vector

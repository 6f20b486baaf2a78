"""Bag-of-words similarity between the sentence units of two documents, sparse.

Each document carries a table of its distinct (unit, content-stem) entries with a term
count and a weight (``unit_terms``, built once by ``segment``). For a pair, only unit
pairs that could seed are ever touched: the tables are joined on their common stems with
a prefix filter (Bayardo et al., "Scaling up all pairs similarity search", WWW 2007),
so an unrelated pair costs next to nothing and a related one costs its overlap.

Weights: a name (capitalised inside a sentence, an acronym) weighs ``NAME_WEIGHT``,
other content words 1. Two reports of one event share their names and dates whether or
not one reused the other, so what was *said* has to carry a seed. Cosine uses tf-isf
(inverse sentence frequency over the pair's units); Dice is weighted,
2 * sum(min(w_a, w_b)) / (sum(w_a) + sum(w_b)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

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
    with what every pairing needs precomputed: its distinct stems and their frequencies,
    and where each row's entries start."""

    row: np.ndarray
    term: np.ndarray
    tf: np.ndarray
    weight: np.ndarray
    n_rows: int
    terms: np.ndarray  # distinct stems, sorted
    df: np.ndarray  # units containing each distinct stem
    term_index: np.ndarray  # position of each entry's stem in ``terms``
    norm_weight: np.ndarray  # per row: sum of weights (the Dice denominator part)
    row_start: np.ndarray  # [n_rows + 1]: row r's entries are row_start[r]:row_start[r + 1]

    @classmethod
    def of(cls, table: UnitTerms, rank: np.ndarray, n_rows: int) -> Entries:
        """``rank[unit]`` is the unit's row, or -1 when it does not take part."""
        rows = rank[table.unit]
        keep = rows >= 0
        row, term = rows[keep], table.term[keep]
        terms, term_index, df = np.unique(term, return_inverse=True, return_counts=True)
        weight = table.weight[keep]
        row_start = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n_rows), out=row_start[1:])
        return cls(row, term, table.tf[keep], weight, n_rows, terms, df, term_index,
                   np.bincount(row, weights=weight, minlength=n_rows), row_start)


def between(entries: Entries, first: int, last: int) -> Entries:
    """The entries of rows ``first..last`` (inclusive), renumbered from 0."""
    lo, hi = entries.row_start[first], entries.row_start[last + 1]
    table = UnitTerms(unit=entries.row[lo:hi] - first, term=entries.term[lo:hi],
                      tf=entries.tf[lo:hi], weight=entries.weight[lo:hi])
    n = last - first + 1
    return Entries.of(table, np.arange(n, dtype=np.int64), n)


def windows(entries: Entries, width: int) -> Entries:
    """The entries of every run of ``width`` consecutive rows, as one row each (row k
    holds rows k..k+width-1, their term counts summed): what a sentence fusing two or
    three sentences of the other text is compared with."""
    n = entries.n_rows - width + 1
    if n <= 0:
        return Entries.of(UnitTerms(np.zeros(0, np.int64), np.zeros(0, np.uint32),
                                    np.zeros(0), np.zeros(0)), np.zeros(0, np.int64), 0)
    window = np.concatenate([entries.row - k for k in range(width)])
    keep = (window >= 0) & (window < n)
    window = window[keep]
    term = np.tile(entries.term, width)[keep]
    tf = np.tile(entries.tf, width)[keep]
    weight = np.tile(entries.weight, width)[keep]
    keys, inverse = np.unique(window.astype(np.uint64) << np.uint64(32) | term,
                              return_inverse=True)
    summed = np.bincount(inverse, weights=tf)
    heaviest = np.zeros(len(keys))
    np.maximum.at(heaviest, inverse, weight)
    table = UnitTerms(unit=(keys >> np.uint64(32)).astype(np.int64),
                      term=(keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                      tf=summed, weight=heaviest)
    return Entries.of(table, np.arange(n, dtype=np.int64), n)


@dataclass(frozen=True, slots=True)
class PairSimilarity:
    """The unit pairs of two documents that seed (see ``pair_similarity``) with their
    figures, plus what validation needs."""

    i: np.ndarray
    j: np.ndarray
    cosine: np.ndarray
    dice: np.ndarray
    shared: np.ndarray  # weighted count of shared stems
    a: Entries
    b: Entries
    isf_a: np.ndarray  # inverse sentence frequency of each of a's distinct stems
    isf_b: np.ndarray
    common_a: np.ndarray  # the stems both sides have, as positions in a.terms (sorted)
    common_b: np.ndarray  # ... and in b.terms

    def range_cosine(self, a_rows: tuple[int, int], b_rows: tuple[int, int]) -> float:
        """Cosine of the summed tf-isf vectors of rows ``a_rows`` and ``b_rows`` (inclusive)."""
        a, b = self.a, self.b
        return float(_range_cosine(
            a.row_start, a.term_index, a.tf, self.isf_a, a_rows[0], a_rows[1],
            b.row_start, b.term_index, b.tf, self.isf_b, b_rows[0], b_rows[1],
            self.common_a, self.common_b))


def pair_similarity(a: Entries, b: Entries, *, cosine: float = 0.0, dice: float = 0.0,
                    shared: float = 0.0) -> PairSimilarity:
    """The unit pairs of ``a`` and ``b`` with at least ``cosine``, ``dice`` and ``shared``
    (by default every pair that shares a stem), with their figures.

    Dice and shared set how much weight a unit must share with any partner; with the
    common stems ranked rarest first, a pair that qualifies shares a stem of each unit's
    prefix (its rarest common stems, up to where what is left weighs less than that).
    Only prefixes are joined, and the pairs they meet are scored over all their entries:
    of PAN13's candidate pairs, a pair's units meet ~400 times this way instead of
    ~1,900, and ~7 seed. Two compiled calls around numpy's ``log`` (the isf is numpy's,
    bit for bit, on any CPU); every sum is taken in the order numpy's ``bincount`` over
    the full join takes it, so the figures do not depend on the filter."""
    if not 0.0 <= dice < 2.0:
        raise ValueError(f"dice {dice} must be in [0, 2)")
    common_a, common_b, df_a, df_b = _common_terms(a.terms, a.df, b.terms, b.df)
    # Inverse sentence frequency over both documents' units, per distinct stem.
    total = a.n_rows + b.n_rows
    isf_a = np.log(total / df_a) + 1.0
    isf_b = np.log(total / df_b) + 1.0
    i, j, figures = _seed_pairs(
        _Side(a.row_start, a.term_index, a.terms, a.tf, a.weight, a.norm_weight, isf_a),
        _Side(b.row_start, b.term_index, b.terms, b.tf, b.weight, b.norm_weight, isf_b),
        common_a, common_b, cosine, dice, shared)
    return PairSimilarity(i=i, j=j, cosine=figures[:, 0].copy(), dice=figures[:, 1].copy(),
                          shared=figures[:, 2].copy(), a=a, b=b, isf_a=isf_a, isf_b=isf_b,
                          common_a=common_a, common_b=common_b)


class _Side(NamedTuple):
    """One document's arrays as the compiled join reads them."""

    row_start: np.ndarray
    term_index: np.ndarray
    terms: np.ndarray
    tf: np.ndarray
    weight: np.ndarray
    norm_weight: np.ndarray
    isf: np.ndarray  # per distinct stem


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


# A unit's prefix is computed with its needed overlap lowered by this share, so that
# rounding in the bound can never drop a pair that qualifies.
_SLACK = 1e-9


@numba.njit(nogil=True, cache=True)
def _seed_pairs(a: _Side, b: _Side, common_a: np.ndarray, common_b: np.ndarray,
                min_cosine: float, min_dice: float, min_shared: float,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """(i, j, [cosine, dice, shared]) of every unit pair reaching the three minimums, in
    (i, j) order.

    A pair's shared weight is at least ``min_shared``, and Dice >= d with shared <= w_b
    gives shared >= d * w_a / (2 - d): a unit needs that much overlap with any partner.
    With the common stems ranked rarest first (highest isf), the first common stem of
    any qualifying pair lies in both units' prefixes: the stems up to where the weight
    left after them falls below the need. Only prefixes are joined, and what a pair
    could still share after its last prefix match bounds it (the positional filter of
    Xiao et al., PPJoin, WWW 2008); the pairs left are scored over all their entries."""
    n_common = len(common_a)
    order = np.argsort(-a.isf[common_a], kind="mergesort")  # rarest first, ties by stem
    factor = min_dice / (2.0 - min_dice)
    ranked_a = _ranks(common_a, order, len(a.isf))
    ranked_b = _ranks(common_b, order, len(b.isf))
    row_a, rank_a, weight_a, rest_a = _prefixes(a, ranked_a, factor, min_shared)
    row_b, rank_b, weight_b, rest_b = _prefixes(b, ranked_b, factor, min_shared)
    # b's prefix entries by rank (a counting sort: rows ascending within a rank).
    first_b = np.zeros(n_common + 1, dtype=np.int64)
    for r in rank_b:
        first_b[r + 1] += 1
    for r in range(n_common):
        first_b[r + 1] += first_b[r]
    filled = first_b[:-1].copy()
    by_rank = np.empty(len(rank_b), dtype=np.int64)
    for k in range(len(rank_b)):
        by_rank[filled[rank_b[k]]] = k
        filled[rank_b[k]] += 1
    n_rows_b = len(b.norm_weight)
    norm_a = np.full(len(a.norm_weight), -1.0)
    norm_b = np.full(n_rows_b, -1.0)
    # Row i of a, dense over the common stems' ranks, for scoring its partners.
    holder = np.full(n_common, -1, dtype=np.int64)
    tfisf_i = np.empty(n_common, dtype=np.float64)
    weight_i = np.empty(n_common, dtype=np.float64)
    out_i = np.empty(16, dtype=np.int64)
    out_j = np.empty(16, dtype=np.int64)
    figures = np.empty((16, 3), dtype=np.float64)
    n_out = 0
    overlap = np.zeros(n_rows_b, dtype=np.float64)  # shared weight met in the prefixes
    left = np.zeros(n_rows_b, dtype=np.float64)  # what the pair could share after that
    touched = np.empty(n_rows_b, dtype=np.int64)
    k = 0
    while k < len(row_a):
        i, n_touched = row_a[k], 0
        while k < len(row_a) and row_a[k] == i:  # the row's prefix, rarest stem first
            r = rank_a[k]
            for x in range(first_b[r], first_b[r + 1]):
                y = by_rank[x]
                j = row_b[y]
                if overlap[j] == 0.0:
                    touched[n_touched] = j
                    n_touched += 1
                overlap[j] += min(weight_a[k], weight_b[y])
                left[j] = min(rest_a[k], rest_b[y])
            k += 1
        row_first = n_out  # this row's seeds, kept in order of j as they are found
        for t in range(n_touched):
            j = touched[t]
            bound = overlap[j] + left[j]
            overlap[j] = 0.0
            need = max(min_shared, 0.5 * min_dice * (a.norm_weight[i] + b.norm_weight[j]))
            if bound < need * (1.0 - _SLACK):
                continue
            if holder[rank_a[k - 1]] != i:
                _spread(a, i, ranked_a, holder, tfisf_i, weight_i)
            dot, shared = _dot(tfisf_i, weight_i, holder, i, b, j, ranked_b)
            cosine = dot / (_norm(a, i, norm_a) * _norm(b, j, norm_b) + 1e-12)
            dice = 2.0 * shared / (a.norm_weight[i] + b.norm_weight[j] + 1e-12)
            if cosine >= min_cosine and dice >= min_dice and shared >= min_shared:
                if n_out == len(out_i):
                    out_i, out_j, figures = _grown(out_i), _grown(out_j), _grown(figures)
                out_i[n_out], at = i, n_out
                while at > row_first and out_j[at - 1] > j:  # an insertion sort
                    out_j[at] = out_j[at - 1]
                    figures[at] = figures[at - 1]
                    at -= 1
                out_j[at] = j
                figures[at, 0], figures[at, 1], figures[at, 2] = cosine, dice, shared
                n_out += 1
    return out_i[:n_out], out_j[:n_out], figures[:n_out]


@numba.njit(inline="always")
def _ranks(common: np.ndarray, order: np.ndarray, n_terms: int) -> np.ndarray:  # pragma: no cover
    """The rank (rarest first) of each of a side's distinct stems, -1 where not common."""
    rank = np.full(n_terms, -1, dtype=np.int64)
    for r in range(len(order)):
        rank[common[order[r]]] = r
    return rank


@numba.njit(nogil=True, cache=True)
def _prefixes(side: _Side, rank: np.ndarray, factor: float, min_shared: float,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """(row, rank, weight, weight after it in its row) of every row's prefix entries (see
    ``_seed_pairs``; ``rank`` from ``_ranks``), rows ascending, ranks ascending within a
    row."""
    longest = 1
    for row in range(len(side.norm_weight)):
        longest = max(longest, side.row_start[row + 1] - side.row_start[row])
    ranks = np.empty(longest, dtype=np.int64)  # one row's common entries, by rank
    weights = np.empty(longest, dtype=np.float64)
    out_row = np.empty(len(side.tf), dtype=np.int64)
    out_rank = np.empty(len(side.tf), dtype=np.int64)
    out_weight = np.empty(len(side.tf), dtype=np.float64)
    out_rest = np.empty(len(side.tf), dtype=np.float64)
    n = 0
    for row in range(len(side.norm_weight)):
        m, rest = 0, 0.0
        for e in range(side.row_start[row], side.row_start[row + 1]):
            r = rank[side.term_index[e]]
            if r >= 0:  # an insertion sort: a row holds a sentence's stems
                k = m
                while k > 0 and ranks[k - 1] > r:
                    ranks[k], weights[k] = ranks[k - 1], weights[k - 1]
                    k -= 1
                ranks[k], weights[k] = r, side.weight[e]
                m += 1
                rest += side.weight[e]
        need = max(min_shared, factor * side.norm_weight[row]) * (1.0 - _SLACK)
        x = 0
        while x < m and rest >= need:
            rest -= weights[x]
            out_row[n], out_rank[n], out_weight[n], out_rest[n] = row, ranks[x], weights[x], rest
            n += 1
            x += 1
    return out_row[:n], out_rank[:n], out_weight[:n], out_rest[:n]


@numba.njit(inline="always")
def _spread(a: _Side, i: int, rank: np.ndarray, holder: np.ndarray, tfisf: np.ndarray,
            weight: np.ndarray) -> None:  # pragma: no cover - compiled
    """Row i of a dense over the common stems' ranks: its tf-isf and weight where
    ``holder`` is i."""
    for x in range(a.row_start[i], a.row_start[i + 1]):
        r = rank[a.term_index[x]]
        if r >= 0:
            holder[r] = i
            tfisf[r] = a.tf[x] * a.isf[a.term_index[x]]
            weight[r] = a.weight[x]


@numba.njit(inline="always")
def _dot(tfisf_i: np.ndarray, weight_i: np.ndarray, holder: np.ndarray, i: int, b: _Side,
         j: int, rank_b: np.ndarray) -> tuple[float, float]:  # pragma: no cover
    """The tf-isf dot product and the shared weight of row i of a (spread by ``_spread``)
    and row j of b, their stems met in stem order (a row's entries are sorted by stem,
    so the sums are taken in the order the full join takes them)."""
    dot, shared = 0.0, 0.0
    for y in range(b.row_start[j], b.row_start[j + 1]):
        r = rank_b[b.term_index[y]]
        if r >= 0 and holder[r] == i:
            dot += tfisf_i[r] * b.tf[y] * b.isf[b.term_index[y]]
            shared += min(weight_i[r], b.weight[y])
    return dot, shared


@numba.njit(inline="always")
def _norm(side: _Side, row: int, norms: np.ndarray) -> float:  # pragma: no cover
    """The length of a row's tf-isf vector, made when first asked for."""
    if norms[row] < 0.0:
        total = 0.0
        for x in range(side.row_start[row], side.row_start[row + 1]):
            tfisf = side.tf[x] * side.isf[side.term_index[x]]
            total += tfisf * tfisf
        norms[row] = np.sqrt(total)
    return norms[row]


@numba.njit(inline="always")
def _grown(values: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty((2 * len(values), *values.shape[1:]), dtype=values.dtype)
    out[: len(values)] = values
    return out


@numba.njit(nogil=True, cache=True)
def _range_cosine(start_a: np.ndarray, term_a: np.ndarray, tf_a: np.ndarray,
                  isf_a: np.ndarray, first_a: int, last_a: int, start_b: np.ndarray,
                  term_b: np.ndarray, tf_b: np.ndarray, isf_b: np.ndarray, first_b: int,
                  last_b: int, common_a: np.ndarray, common_b: np.ndarray,
                  ) -> float:  # pragma: no cover
    """Cosine of the summed tf-isf vectors of rows first..last (inclusive) on each side:
    the vectors dense over each document's distinct stems, the dot over the common ones."""
    va = _summed(start_a, term_a, tf_a, isf_a, first_a, last_a)
    vb = _summed(start_b, term_b, tf_b, isf_b, first_b, last_b)
    denominator = np.sqrt(np.sum(va * va)) * np.sqrt(np.sum(vb * vb))
    if denominator == 0.0:
        return 0.0
    dot = 0.0
    for c in range(len(common_a)):
        dot += va[common_a[c]] * vb[common_b[c]]
    return dot / denominator


@numba.njit(inline="always")
def _summed(start: np.ndarray, term: np.ndarray, tf: np.ndarray, isf: np.ndarray,
            first: int, last: int) -> np.ndarray:  # pragma: no cover - compiled
    """The tf-isf vector of rows first..last, dense over the document's distinct stems."""
    vector = np.zeros(len(isf), dtype=np.float64)
    for e in range(start[first], start[last + 1]):
        vector[term[e]] += tf[e] * isf[term[e]]
    return vector

"""Shared runs: long stretches two texts print word for word, wherever they sit.

The aligner reads sentences outside page chrome, so a copy the chrome rules took for
furniture on one side (a list copied into a paragraph, a menu-like run of short lines)
or one its sentence splitting cut into pieces too small to seed is never paired. A
stretch of ``RUN_WORDS`` words or more that both texts print in the same order is reuse
however it is laid out: it is found here from word n-grams (hashes of ``GRAM`` tokens,
matched between the texts with one sort, then grown to the run's ends) and becomes a
region of its own where no region holds it.

Furniture is what a document shares with its outlet, not with one other text: a run
is kept unless it is chrome on both sides (two pages of one site sharing a menu), and
the outlet's boilerplate (``Segmented.outlet_chrome``) never starts one.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from provcheck.text.segment import Segmented

# Words in an n-gram key; a run is found when it holds one n-gram of both texts.
GRAM = 8
# A run this long is reuse on its own: about two lines of prose. Shorter shared stretches
# (a title, a stock phrase, a citation line) are left to the sentence aligner, which
# weighs them against the sentences around them.
RUN_WORDS = 20

_MULTIPLIERS = (np.uint64(0x9E3779B97F4A7C15) ** np.arange(GRAM, dtype=np.uint64)).astype(
    np.uint64)


class Run(NamedTuple):
    """Token ranges [start, end) on each side printing the same words."""

    a: tuple[int, int]
    b: tuple[int, int]


def grams(seg: Segmented) -> np.ndarray:
    """uint64 [n_tokens]: a key of the ``GRAM`` tokens starting at each token (0 where
    fewer follow, or where they reach into the outlet's boilerplate)."""
    n = len(seg.tok_hash) - GRAM + 1
    keys = np.zeros(len(seg.tok_hash), dtype=np.uint64)
    if n <= 0:
        return keys
    hashes = seg.tok_hash.astype(np.uint64)
    with np.errstate(over="ignore"):
        for k in range(GRAM):
            keys[:n] += hashes[k:k + n] * _MULTIPLIERS[k]
    keys[:n] |= np.uint64(1)  # never 0, which marks "no gram"
    if seg.outlet_chrome.any():
        blocked = seg.outlet_chrome[token_blocks(seg)]
        # A gram touching boilerplate anywhere in its GRAM tokens is no gram.
        ahead = np.convolve(blocked.astype(np.int64), np.ones(GRAM, dtype=np.int64))
        keys[ahead[GRAM - 1:] > 0] = 0
    return keys


def shared_runs(seg_a: Segmented, grams_a: np.ndarray, seg_b: Segmented,
                grams_b: np.ndarray) -> list[Run]:
    """Maximal runs of at least ``RUN_WORDS`` tokens that both texts print in order
    (tokens compared by their normalised form), not chrome on both sides."""
    common = np.intersect1d(grams_a[grams_a != 0], grams_b[grams_b != 0])
    if not len(common):
        return []
    at_a = np.flatnonzero(np.isin(grams_a, common))
    at_b = np.flatnonzero(np.isin(grams_b, common))
    block_a, block_b = token_blocks(seg_a), token_blocks(seg_b)
    # Boilerplate tokens match nothing (-1 never equals -2), so no run grows into it.
    words_a = np.where(seg_a.outlet_chrome[block_a], -1, seg_a.tok_hash.astype(np.int64))
    words_b = np.where(seg_b.outlet_chrome[block_b], -2, seg_b.tok_hash.astype(np.int64))
    found = _grow(at_a, grams_a, at_b, grams_b, words_a, words_b, RUN_WORDS)
    chrome_a, chrome_b = seg_a.block_chrome[block_a], seg_b.block_chrome[block_b]
    return [Run((a0, a1), (b0, b1)) for a0, a1, b0, b1 in found.tolist()
            if not (chrome_a[a0:a1].all() and chrome_b[b0:b1].all())]


def token_blocks(seg: Segmented) -> np.ndarray:
    """int64 [n_tokens]: the block each token lies in."""
    block = np.searchsorted(seg.block_span[:, 1], seg.tok_start, side="right")
    return np.minimum(block, len(seg.block_span) - 1)


@numba.njit(nogil=True, cache=True)
def _grow(at_a: np.ndarray, grams_a: np.ndarray, at_b: np.ndarray, grams_b: np.ndarray,
          hash_a: np.ndarray, hash_b: np.ndarray, least: int) -> np.ndarray:  # pragma: no cover
    """[n, 4] (a_start, a_end, b_start, b_end) of the maximal runs through matching
    grams, at least ``least`` tokens long, each found once."""
    # b's gram positions by key, for lookup: sorted keys and their positions.
    order = np.argsort(grams_b[at_b], kind="mergesort")
    keys_b = grams_b[at_b][order]
    pos_b = at_b[order]
    out = np.empty((16, 4), dtype=np.int64)
    n = 0
    reach = np.full(len(hash_a) + len(hash_b) + 1, -1, dtype=np.int64)  # by diagonal
    for i in at_a:
        key = grams_a[i]
        lo = np.searchsorted(keys_b, key)
        while lo < len(keys_b) and keys_b[lo] == key:
            j = pos_b[lo]
            lo += 1
            diagonal = j - i + len(hash_a)
            if reach[diagonal] > i:  # inside a run already grown on this diagonal
                continue
            s, t = i, j
            while s > 0 and t > 0 and hash_a[s - 1] == hash_b[t - 1]:
                s, t = s - 1, t - 1
            e, f = i, j
            while e < len(hash_a) and f < len(hash_b) and hash_a[e] == hash_b[f]:
                e, f = e + 1, f + 1
            reach[diagonal] = e
            if e - s >= least:
                if n == len(out):
                    grown = np.empty((2 * n, 4), dtype=np.int64)
                    grown[:n] = out
                    out = grown
                out[n, 0], out[n, 1], out[n, 2], out[n, 3] = s, e, t, f
                n += 1
    return out[:n]

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


# A run of ``RUN_WORDS`` tokens holds ``RUN_WORDS - GRAM + 1`` whole n-grams, so one
# at least of those starting at every STRIDE-th token of either text (STRIDE at most
# that many): looking only those up finds every run at an eighth of the cost.
STRIDE = 8


class GramIndex(NamedTuple):
    """A text's n-gram keys (``grams``), as a pair compares them; made once a text."""

    keys: np.ndarray  # uint64 [tokens], 0 where no gram starts
    ordered: np.ndarray  # the non-zero keys, sorted: what another text looks its up in
    position: np.ndarray  # the token each of ``ordered`` starts at
    strided: np.ndarray  # the non-zero keys at every STRIDE-th token: what it looks up
    words: np.ndarray  # int64 [tokens]: each token's normalised form
    open: np.ndarray  # bool [tokens]: outside the outlet's boilerplate (a run may hold it)
    chrome: np.ndarray  # bool [tokens]: in page chrome or boilerplate


def gram_index(seg: Segmented) -> GramIndex:
    keys = grams(seg)
    nonzero = np.flatnonzero(keys)
    order = np.argsort(keys[nonzero])
    strided = keys[::STRIDE]
    blocks = token_blocks(seg)
    return GramIndex(keys, keys[nonzero][order], nonzero[order], strided[strided != 0],
                     seg.tok_hash.astype(np.int64), ~seg.outlet_chrome[blocks],
                     seg.block_chrome[blocks])


def shared_runs(index_a: GramIndex, index_b: GramIndex) -> list[Run]:
    """Maximal runs of at least ``RUN_WORDS`` tokens that both texts print in order
    (tokens compared by their normalised form), not chrome on both sides. Most pairs
    share no n-gram, which one binary search of one text's strided keys in the other's
    tells."""
    small, large = (index_a, index_b) if len(index_a.strided) <= len(index_b.strided) \
        else (index_b, index_a)
    if not len(small.strided) or not len(large.ordered):
        return []
    at = np.minimum(np.searchsorted(large.ordered, small.strided), len(large.ordered) - 1)
    if not (large.ordered[at] == small.strided).any():
        return []
    found = _grow(index_a.keys, index_a.words, index_a.open, index_b.ordered,
                  index_b.position, index_b.words, index_b.open, RUN_WORDS)
    chrome_a, chrome_b = index_a.chrome, index_b.chrome
    return [Run((a0, a1), (b0, b1)) for a0, a1, b0, b1 in found.tolist()
            if not (chrome_a[a0:a1].all() and chrome_b[b0:b1].all())]


def token_blocks(seg: Segmented) -> np.ndarray:
    """int64 [n_tokens]: the block each token lies in."""
    block = np.searchsorted(seg.block_span[:, 1], seg.tok_start, side="right")
    return np.minimum(block, len(seg.block_span) - 1)


@numba.njit(nogil=True, cache=True)
def _grow(keys_a: np.ndarray, words_a: np.ndarray, open_a: np.ndarray, ordered_b: np.ndarray,
          position_b: np.ndarray, words_b: np.ndarray, open_b: np.ndarray,
          least: int) -> np.ndarray:  # pragma: no cover
    """[n, 4] (a_start, a_end, b_start, b_end) of the maximal runs through grams both
    texts have, at least ``least`` tokens long, each found once (a run grown from one
    of its grams marks its diagonal as reached up to its end). Only a's grams at every
    ``STRIDE``-th token are looked up: a run of ``least`` tokens holds one."""
    out = np.empty((16, 4), dtype=np.int64)
    n = 0
    reach = np.full(len(words_a) + len(words_b) + 1, -1, dtype=np.int64)  # by diagonal
    for i in range(0, len(keys_a), STRIDE):  # a run holds a gram at one of these
        key = keys_a[i]
        if key == 0:
            continue
        lo = np.searchsorted(ordered_b, key)
        while lo < len(ordered_b) and ordered_b[lo] == key:
            j = position_b[lo]
            lo += 1
            diagonal = j - i + len(words_a)
            if reach[diagonal] > i:  # inside a run already grown on this diagonal
                continue
            s, t = i, j
            while s > 0 and t > 0 and open_a[s - 1] and open_b[t - 1] \
                    and words_a[s - 1] == words_b[t - 1]:
                s, t = s - 1, t - 1
            e, f = i, j
            while e < len(words_a) and f < len(words_b) and open_a[e] and open_b[f] \
                    and words_a[e] == words_b[f]:
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

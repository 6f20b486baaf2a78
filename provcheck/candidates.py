"""Candidates: document pairs that share at least one passage, found by LSH banding.

Each signature is cut into ``b`` bands of ``r`` rows (datasketch's MinHashLSH choice of
b and r for the threshold); two passages are candidates when any band is equal. The
banding is done over the whole batch at once (hash each band, sort, read off equal
runs) rather than by inserting into dict buckets one passage at a time: the same
candidates as ``MinHashLSH.query`` (checked by a test), and the same shape as a
distributed group-by on band keys. A bucket holding passages of more than
``max_bucket_docs`` documents is boilerplate and ignored.

LSH results are candidates only: the estimated Jaccard of each passage pair is checked
here, and the aligner verifies every document pair on the exact texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provcheck.settings import Settings
from provcheck.signatures import Signed

# A candidate passage pair must estimate at least this share of the LSH threshold.
ESTIMATE_SLACK = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidates:
    pairs: np.ndarray  # int64 [n, 2]: document index pairs (i < j)
    passage_pairs: int  # candidate passage pairs kept after the estimate check
    boilerplate_buckets: int


def find_candidates(signed: Signed, settings: Settings) -> Candidates:
    """Document pairs worth aligning: one strong passage collision, or several.

    A document pair is kept when one of its candidate passage pairs estimates a
    Jaccard of at least ``candidate_jaccard``, or when ``candidate_hits`` of them
    estimate at least ESTIMATE_SLACK of the LSH threshold. A lone weak collision is
    almost always a generic sentence; a real reuse case has a strong one, or several.
    """
    empty = Candidates(pairs=np.zeros((0, 2), np.int64), passage_pairs=0, boilerplate_buckets=0)
    if len(signed.doc) < 2:
        return empty
    left, right, estimate, boilerplate = colliding(signed.keys, signed.bits, signed.doc,
                                                   settings)
    docs = np.sort(np.stack([signed.doc[left], signed.doc[right]], axis=1), axis=1)
    return Candidates(pairs=document_pairs(docs[:, 0], docs[:, 1], estimate, settings),
                      passage_pairs=len(left), boilerplate_buckets=boilerplate)


def document_pairs(left: np.ndarray, right: np.ndarray, estimate: np.ndarray,
                   settings: Settings) -> np.ndarray:
    """Document pairs [n, 2] worth aligning, from the documents of colliding passage pairs:
    one strong collision, or ``candidate_hits`` of them."""
    if not len(left):
        return np.zeros((0, 2), dtype=np.int64)
    width = int(max(left.max(), right.max())) + 1
    flat = left * width + right
    pair_keys = _sorted_unique(flat)
    inverse = np.searchsorted(pair_keys, flat)
    hits = np.bincount(inverse, minlength=len(pair_keys))
    strongest = np.zeros(len(pair_keys))
    np.maximum.at(strongest, inverse, estimate)
    strong = strongest >= settings.candidate_jaccard
    chosen = pair_keys[strong | (hits >= settings.candidate_hits)]
    return np.stack([chosen // width, chosen % width], axis=1)


def colliding(
    keys_by_band: np.ndarray, bits: np.ndarray, group: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Pairs of rows in different groups that share a band and whose estimated Jaccard
    holds up, with the estimates, and the number of boilerplate buckets skipped."""
    bands = keys_by_band.shape[1]
    keys = keys_by_band.ravel()
    order = np.argsort(keys, kind="stable")
    member = order // bands
    edges = np.flatnonzero(np.diff(keys[order])) + 1
    starts = np.concatenate(([0], edges))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    left, right, boilerplate = _bucket_pairs(member, starts, sizes, group,
                                             settings.max_bucket_docs)
    estimate = estimates(bits, left, right)
    keep = estimate >= settings.lsh_threshold * ESTIMATE_SLACK
    return left[keep], right[keep], estimate[keep], boilerplate


def _bucket_pairs(
    passage: np.ndarray, starts: np.ndarray, sizes: np.ndarray, doc: np.ndarray, max_docs: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Every pair of passages of different documents that share a bucket, once."""
    multi = sizes > 1
    starts, sizes = starts[multi], sizes[multi]
    ok = np.ones(len(starts), dtype=bool)
    # Buckets spanning too many documents are boilerplate. Only a bucket with more
    # members than the limit can span more documents than it.
    for b in np.flatnonzero(sizes > max_docs).tolist():
        members = passage[starts[b] : starts[b] + sizes[b]]
        ok[b] = len(np.unique(doc[members])) <= max_docs
    starts, sizes = starts[ok], sizes[ok]
    if not len(sizes):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, int((~ok).sum())
    total = int(sizes.sum())
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    members = passage[np.repeat(starts - offsets, sizes) + np.arange(total)]
    # For the member at position p of a bucket of size n: partners p+1 .. n-1.
    partners = np.repeat(sizes, sizes) - (np.arange(total) - np.repeat(offsets, sizes)) - 1
    first = np.repeat(np.arange(total), partners)
    step = np.arange(len(first)) - np.repeat(np.cumsum(partners) - partners, partners) + 1
    lft, rgt = members[first], members[first + step]
    lo, hi = np.minimum(lft, rgt), np.maximum(lft, rgt)
    keep = doc[lo] != doc[hi]
    packed = _sorted_unique(lo[keep] * (len(doc) + 1) + hi[keep])
    return packed // (len(doc) + 1), packed % (len(doc) + 1), int((~ok).sum())


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: faster than numpy's hash-based unique on large int arrays."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def estimates(bits: np.ndarray, left: np.ndarray, right: np.ndarray,
              other: np.ndarray | None = None) -> np.ndarray:
    """Estimated Jaccard of row pairs from 8-bit MinHash values: the share of equal
    values, less the 1/256 that agree by chance (b-bit minwise hashing). ``right``
    indexes ``other`` when given (rows from an index), else ``bits``."""
    theirs = bits if other is None else other
    out = np.zeros(len(left))
    step = 1 << 16
    for start in range(0, len(left), step):
        equal = (bits[left[start : start + step]]
                 == theirs[right[start : start + step]]).mean(axis=1)
        out[start : start + step] = (equal - 1 / 256) / (1 - 1 / 256)
    return out

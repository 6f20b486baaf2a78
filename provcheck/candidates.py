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

_MIX = np.uint64(0x9E3779B97F4A7C15)
# A candidate passage pair must estimate at least this share of the LSH threshold.
ESTIMATE_SLACK = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidates:
    pairs: np.ndarray  # int64 [n, 2]: document index pairs (i < j)
    passage_pairs: int  # candidate passage pairs kept after the estimate check
    boilerplate_buckets: int


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (passage, band): equal keys mean equal band values."""
    n = sig.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    body = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    for row in range(rows):
        keys ^= body[:, :, row]
        keys *= _MIX
        keys ^= keys >> np.uint64(29)
    keys ^= np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0xBF58476D1CE4E5B9)
    return keys


def find_candidates(signed: Signed, settings: Settings) -> Candidates:
    """Document pairs with a candidate passage pair whose estimated Jaccard holds up."""
    bands, rows = settings.bands
    if len(signed.doc) < 2:
        return Candidates(pairs=np.zeros((0, 2), np.int64), passage_pairs=0, boilerplate_buckets=0)
    keys = band_keys(signed.sig, bands, rows).ravel()
    order = np.argsort(keys, kind="stable")
    passage = order // bands
    sorted_keys = keys[order]
    edges = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [len(sorted_keys)]))
    multi = np.flatnonzero(ends - starts > 1)
    left, right, boilerplate = _bucket_pairs(passage, starts[multi], ends[multi],
                                             signed.doc, settings.max_bucket_docs)
    left, right = _estimate_check(signed.sig, left, right, settings.lsh_threshold)
    docs = np.stack([signed.doc[left], signed.doc[right]], axis=1)
    docs.sort(axis=1)
    docs = docs[docs[:, 0] != docs[:, 1]]
    pairs = np.unique(docs, axis=0) if len(docs) else docs.reshape(0, 2)
    return Candidates(pairs=pairs, passage_pairs=len(left), boilerplate_buckets=boilerplate)


def _bucket_pairs(
    passage: np.ndarray, starts: np.ndarray, ends: np.ndarray, doc: np.ndarray, max_docs: int
) -> tuple[np.ndarray, np.ndarray, int]:
    sizes = ends - starts
    two = sizes == 2
    left = [passage[starts[two]]]
    right = [passage[starts[two] + 1]]
    boilerplate = 0
    for s, e in zip(starts[~two].tolist(), ends[~two].tolist(), strict=True):
        members = passage[s:e]
        if len(np.unique(doc[members])) > max_docs:
            boilerplate += 1
            continue
        i, j = np.triu_indices(len(members), k=1)
        left.append(members[i])
        right.append(members[j])
    lft = np.concatenate(left)
    rgt = np.concatenate(right)
    lo, hi = np.minimum(lft, rgt), np.maximum(lft, rgt)
    keep = doc[lo] != doc[hi]
    packed = np.unique(lo[keep] * (len(doc) + 1) + hi[keep])
    return packed // (len(doc) + 1), packed % (len(doc) + 1), boilerplate


def _estimate_check(
    sig: np.ndarray, left: np.ndarray, right: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    keep = np.zeros(len(left), dtype=bool)
    step = 1 << 16
    for start in range(0, len(left), step):
        a = sig[left[start : start + step]]
        b = sig[right[start : start + step]]
        keep[start : start + step] = (a == b).mean(axis=1) >= threshold * ESTIMATE_SLACK
    return left[keep], right[keep]

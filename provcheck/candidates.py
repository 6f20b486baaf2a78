"""Candidates: document pairs that share at least one passage, found by LSH banding.

Each signature is cut into ``b`` bands of ``r`` rows (datasketch's MinHashLSH choice of
b and r for the threshold); two passages are candidates when any band is equal. The
banding is done over the whole batch at once (hash each band, sort, read off equal
runs) rather than by inserting into dict buckets one passage at a time: the same
candidates as ``MinHashLSH.query`` (checked by a test). The join is partitioned by band
key (``band_shards``): equal keys always meet in one partition, so an engine joins the
partitions on different workers and the merge gives the same candidates. A bucket
holding passages of more than ``max_bucket_docs`` documents is boilerplate and ignored.

LSH results are candidates only: the estimated Jaccard of each passage pair is checked
here, and the aligner verifies every document pair on the exact texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from provcheck.engine import Engine
from provcheck.settings import Settings
from provcheck.signatures import Signed, pair_estimate

# A candidate passage pair must estimate at least this share of the LSH threshold.
ESTIMATE_SLACK = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidates:
    pairs: np.ndarray  # int64 [n, 2]: document index pairs (i < j)
    passage_pairs: int  # candidate passage pairs kept after the estimate check
    boilerplate_buckets: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Shard:
    """The band entries whose key falls in one partition, with all their join needs:
    equal keys always share a partition, so each partition is joined on its own."""

    keys: np.ndarray  # uint64 [m]: band keys
    member: np.ndarray  # int64 [m]: the row (in ``rows``) each key belongs to
    rows: np.ndarray  # int64 [k], ascending: the passages' rows in the whole ``Signed``
    doc: np.ndarray  # int64 [k]: their documents
    bits: np.ndarray  # uint8 [k, num_perm]: their 8-bit MinHash values


@dataclass(frozen=True, slots=True, kw_only=True)
class Collisions:
    left: np.ndarray  # int64: rows of the whole ``Signed``, left < right
    right: np.ndarray
    estimate: np.ndarray  # float: estimated Jaccard of each pair
    boilerplate_buckets: int


def find_candidates(signed: Signed, settings: Settings, engine: Engine) -> Candidates:
    """Document pairs worth aligning: one strong passage collision, or several.

    The band entries are split by key into the engine's partitions and each is joined on
    its own (``join_shards``); the passage pairs are merged (a pair may collide in
    several partitions). A document pair is kept when one of its candidate passage pairs
    estimates a Jaccard of at least ``candidate_jaccard``, or when ``candidate_hits`` of
    them estimate at least ESTIMATE_SLACK of the LSH threshold. A lone weak collision is
    almost always a generic sentence; a real reuse case has a strong one, or several.
    """
    empty = Candidates(pairs=np.zeros((0, 2), np.int64), passage_pairs=0, boilerplate_buckets=0)
    if len(signed.doc) < 2:
        return empty
    found = engine.map(join_shards, band_shards(signed, engine.partitions), batch_size=1,
                       context=settings)
    left = np.concatenate([c.left for c in found])
    right = np.concatenate([c.right for c in found])
    estimate = np.concatenate([c.estimate for c in found])
    packed = left * len(signed.doc) + right
    packed, first = np.unique(packed, return_index=True)
    left, right, estimate = left[first], right[first], estimate[first]
    docs = np.sort(np.stack([signed.doc[left], signed.doc[right]], axis=1), axis=1)
    shared = shared_shingles(estimate, signed.size[left], signed.size[right])
    return Candidates(pairs=document_pairs(docs[:, 0], docs[:, 1], estimate, shared, settings),
                      passage_pairs=len(left),
                      boilerplate_buckets=sum(c.boilerplate_buckets for c in found))


def band_shards(signed: Signed, parts: int) -> list[Shard]:
    """The band entries of ``signed`` split into ``parts`` partitions by key."""
    bands = signed.keys.shape[1]
    keys = signed.keys.ravel()
    owner = np.arange(len(keys), dtype=np.int64) // bands
    if parts <= 1:
        return [Shard(keys=keys, member=owner, rows=np.arange(len(signed.doc), dtype=np.int64),
                      doc=signed.doc, bits=signed.bits)]
    part = keys % np.uint64(parts)
    shards = []
    for p in range(parts):
        chosen = part == p
        rows, member = np.unique(owner[chosen], return_inverse=True)
        shards.append(Shard(keys=keys[chosen], member=member.astype(np.int64), rows=rows,
                            doc=signed.doc[rows], bits=signed.bits[rows]))
    return shards


def join_shards(shards: Sequence[Shard], settings: Settings) -> list[Collisions]:
    """The candidate passage pairs within each shard, in rows of the whole ``Signed``."""
    out = []
    for shard in shards:
        left, right, estimate, boilerplate = colliding_entries(
            shard.keys, shard.member, shard.bits, shard.doc, settings)
        out.append(Collisions(left=shard.rows[left], right=shard.rows[right],
                              estimate=estimate, boilerplate_buckets=boilerplate))
    return out


def document_pairs(left: np.ndarray, right: np.ndarray, estimate: np.ndarray,
                   shared: np.ndarray, settings: Settings) -> np.ndarray:
    """Document pairs [n, 2] worth aligning, from the documents of colliding passage pairs
    and their estimated Jaccard and shared shingles: one strong collision, or
    ``candidate_hits`` of them, that share ``candidate_shared`` shingles."""
    if not len(left):
        return np.zeros((0, 2), dtype=np.int64)
    width = int(max(left.max(), right.max())) + 1
    flat = left * width + right
    pair_keys = _sorted_unique(flat)
    inverse = np.searchsorted(pair_keys, flat)
    hits = np.bincount(inverse, minlength=len(pair_keys))
    strongest = np.zeros(len(pair_keys))
    np.maximum.at(strongest, inverse, estimate)
    most = np.zeros(len(pair_keys))
    np.maximum.at(most, inverse, np.where(estimate >= settings.candidate_jaccard, shared, 0))
    total = np.bincount(inverse, weights=shared, minlength=len(pair_keys))
    strong = (strongest >= settings.candidate_jaccard) & (most >= settings.candidate_shared)
    several = (hits >= settings.candidate_hits) & (total >= settings.candidate_shared)
    chosen = pair_keys[strong | several]
    return np.stack([chosen // width, chosen % width], axis=1)


def shared_shingles(estimate: np.ndarray, left: np.ndarray, right: np.ndarray
                    ) -> np.ndarray:
    """Shingles two sets of ``left`` and ``right`` shingles share at this Jaccard:
    J = |A & B| / |A | B| gives |A & B| = J (|A| + |B|) / (1 + J)."""
    return estimate * (left + right) / (1 + estimate)


def colliding(
    keys_by_band: np.ndarray, bits: np.ndarray, group: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Pairs of rows in different groups that share a band and whose estimated Jaccard
    holds up, with the estimates, and the number of boilerplate buckets skipped."""
    bands = keys_by_band.shape[1]
    member = np.arange(keys_by_band.size, dtype=np.int64) // bands
    return colliding_entries(keys_by_band.ravel(), member, bits, group, settings)


def colliding_entries(
    keys: np.ndarray, member: np.ndarray, bits: np.ndarray, group: np.ndarray,
    settings: Settings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``colliding`` for band entries given as flat (key, row) lists.

    The entries are put in key order by one plain sort of 64-bit words holding each
    key's top bits over its position (numpy sorts integers several times faster than it
    argsorts them); only the entries in runs of equal top bits, the buckets, are then
    read (numpy's gathers), and a run whose full keys differ below the top bits (rare:
    band keys are hashes) is split by them."""
    left, right, boilerplate = bucket_pairs(keys, member, group, settings.max_bucket_docs)
    estimate = estimates(bits, left, right)
    keep = estimate >= settings.lsh_threshold * ESTIMATE_SLACK
    return left[keep], right[keep], estimate[keep], boilerplate


def bucket_pairs(keys: np.ndarray, member: np.ndarray, group: np.ndarray, max_docs: int,
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Every pair of rows (``member``) of different groups that share a key, once, in
    (left, right) order with left < right, and the number of buckets left out as
    boilerplate: holding rows of more than ``max_docs`` groups."""
    keys = np.asarray(keys, dtype=np.uint64)
    n = len(keys)
    shift = np.uint64(max((n - 1).bit_length(), 1))
    packed = ((keys >> shift) << shift) | np.arange(n, dtype=np.uint64)
    packed.sort()
    starts, at = _runs(packed, shift)
    found, boilerplate = _bucket_pairs(starts, keys[at], np.asarray(member, np.int64)[at],
                                       np.asarray(group, dtype=np.int64), max_docs)
    found = _sorted_unique(found)
    return found // (len(group) + 1), found % (len(group) + 1), int(boilerplate)


@numba.njit(nogil=True, cache=True)
def _runs(packed: np.ndarray, shift: np.uint64,
          ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The runs of two or more entries of equal top bits in ``packed`` (sorted: top bits
    over position): where each starts among their entries ([runs + 1] bounds), and the
    entries' positions, run by run."""
    n = len(packed)
    runs, entries, e = 0, 0, 0
    while e < n:
        end = e + 1
        while end < n and (packed[end] >> shift) == (packed[e] >> shift):
            end += 1
        if end - e > 1:
            runs, entries = runs + 1, entries + end - e
        e = end
    starts = np.empty(runs + 1, np.int64)
    at = np.empty(entries, np.int64)
    low = (np.uint64(1) << shift) - np.uint64(1)
    r, k, e = 0, 0, 0
    starts[0] = 0
    while e < n:
        end = e + 1
        while end < n and (packed[end] >> shift) == (packed[e] >> shift):
            end += 1
        if end - e > 1:
            for x in range(e, end):
                at[k] = np.int64(packed[x] & low)
                k += 1
            r += 1
            starts[r] = k
        e = end
    return starts, at


@numba.njit(nogil=True, parallel=True, cache=True)
def _bucket_pairs(starts: np.ndarray, key: np.ndarray, row: np.ndarray, doc: np.ndarray,
                  max_docs: int) -> tuple[np.ndarray, int]:  # pragma: no cover - compiled
    """Every pair of entries of a run with an equal key whose rows are of different
    documents, as lower * (rows + 1) + higher (a pair in several buckets comes once per
    bucket), and the number of buckets left out as boilerplate (rows of more than
    ``max_docs`` documents). Each run writes at most all its pairs: room for that,
    filled in parallel, then closed up."""
    runs = len(starts) - 1
    room = np.zeros(runs + 1, np.int64)
    for r in range(runs):
        size = starts[r + 1] - starts[r]
        room[r + 1] = room[r] + size * (size - 1) // 2
    filled = np.empty(room[runs], np.int64)
    count = np.zeros(runs + 1, np.int64)
    skipped = np.zeros(runs, np.int64)
    width = len(doc) + 1
    for r in numba.prange(runs):
        lo, hi = starts[r], starts[r + 1]
        if (key[lo:hi] == key[lo]).all():
            count[r + 1], skipped[r] = _pairs(row[lo:hi], doc, max_docs, width,
                                              filled[room[r]:room[r + 1]])
        else:  # keys that differ below the top bits: each key's entries on their own
            order = np.argsort(key[lo:hi], kind="mergesort")
            keys, rows = key[lo:hi][order], row[lo:hi][order]
            start = 0
            while start < len(keys):
                end = start + 1
                while end < len(keys) and keys[end] == keys[start]:
                    end += 1
                made, boilerplate = _pairs(rows[start:end], doc, max_docs, width,
                                           filled[room[r] + count[r + 1]:room[r + 1]])
                count[r + 1] += made
                skipped[r] += boilerplate
                start = end
    for r in range(runs):
        count[r + 1] += count[r]
    out = np.empty(count[runs], np.int64)
    for r in numba.prange(runs):
        out[count[r]:count[r + 1]] = filled[room[r]:room[r] + count[r + 1] - count[r]]
    return out, skipped.sum()


@numba.njit(inline="always")
def _pairs(rows: np.ndarray, doc: np.ndarray, max_docs: int, width: int,
           out: np.ndarray) -> tuple[int, int]:  # pragma: no cover - compiled
    """The pairs of one bucket's rows of different documents, written to ``out``: how
    many, and 1 if the bucket is boilerplate (then none)."""
    # Only a bucket with more members than the limit can span more documents than it.
    if len(rows) > max_docs and len(np.unique(doc[rows])) > max_docs:
        return 0, 1
    count = 0
    for p in range(len(rows)):
        for q in range(p + 1, len(rows)):
            a, b = min(rows[p], rows[q]), max(rows[p], rows[q])
            if doc[a] != doc[b]:
                out[count] = a * width + b
                count += 1
    return count, 0


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: faster than numpy's hash-based unique on large int arrays."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def estimates(bits: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of row pairs from 8-bit MinHash values (``pair_estimate``)."""
    return _estimates(bits, np.asarray(left, np.int64), np.asarray(right, np.int64))


@numba.njit(nogil=True, parallel=True, cache=True)
def _estimates(bits: np.ndarray, left: np.ndarray, right: np.ndarray
               ) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(len(left))
    for n in numba.prange(len(left)):
        out[n] = pair_estimate(bits[left[n]], bits[right[n]])
    return out

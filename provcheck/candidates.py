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

from provcheck.engine import Engine, LocalEngine
from provcheck.settings import Settings
from provcheck.signatures import Signed

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


def find_candidates(signed: Signed, settings: Settings, engine: Engine | None = None) -> Candidates:
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
    engine = engine or LocalEngine()
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
    """``colliding`` for band entries given as flat (key, row) lists."""
    order = key_order(keys)
    edges = np.flatnonzero(np.diff(keys[order])) + 1
    starts = np.concatenate(([0], edges))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    left, right, boilerplate = _bucket_pairs(member[order], starts, sizes, group,
                                             settings.max_bucket_docs)
    estimate = estimates(bits, left, right)
    keep = estimate >= settings.lsh_threshold * ESTIMATE_SLACK
    return left[keep], right[keep], estimate[keep], boilerplate


def key_order(keys: np.ndarray) -> np.ndarray:
    """The positions of ``keys`` in key order, equal keys by position: what
    ``np.argsort(keys, kind="stable")`` gives, from one plain sort of 64-bit words that
    hold each key's top bits above its position (sorting integers is several times
    faster than an argsort). Where keys share their top bits but differ below them
    (rare: band keys are hashes), that stretch is put in order by its full keys."""
    n = len(keys)
    shift = np.uint64(max((n - 1).bit_length(), 1))
    low = np.uint64((1 << int(shift)) - 1)
    packed = ((keys >> shift) << shift) | np.arange(n, dtype=np.uint64)
    packed.sort()
    order = (packed & low).astype(np.int64)
    ordered = keys[order]
    top = ordered >> shift
    tied = top[1:] == top[:-1]
    mixed = np.flatnonzero(tied & (ordered[1:] != ordered[:-1]))
    if len(mixed):
        run_starts = np.flatnonzero(np.concatenate(([True], ~tied)))
        run_ends = np.concatenate((run_starts[1:], [n]))
        for run in np.unique(np.searchsorted(run_starts, mixed, side="right") - 1).tolist():
            a, b = int(run_starts[run]), int(run_ends[run])
            order[a:b] = order[a:b][np.argsort(ordered[a:b], kind="stable")]
    return order


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
    packed = _sorted_unique(_packed_pairs(passage, starts[ok], sizes[ok], doc))
    return packed // (len(doc) + 1), packed % (len(doc) + 1), int((~ok).sum())


@numba.njit(nogil=True, cache=True)
def _packed_pairs(passage: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                  doc: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """For every pair of members of a bucket from different documents, lower * (n + 1)
    + higher, in bucket order (a pair in several buckets comes once per bucket)."""
    total = 0
    for size in sizes:
        total += size * (size - 1) // 2
    out = np.empty(total, dtype=np.int64)
    width = len(doc) + 1
    k = 0
    for b in range(len(starts)):
        first = starts[b]
        for p in range(first, first + sizes[b]):
            x = passage[p]
            for q in range(p + 1, first + sizes[b]):
                y = passage[q]
                lo, hi = min(x, y), max(x, y)
                if doc[lo] != doc[hi]:
                    out[k] = lo * width + hi
                    k += 1
    return out[:k]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: faster than numpy's hash-based unique on large int arrays."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def estimates(bits: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of row pairs from 8-bit MinHash values (``pair_estimate``)."""
    return _estimates(bits, np.asarray(left, np.int64), np.asarray(right, np.int64))


@numba.njit(nogil=True, cache=True)
def _estimates(bits: np.ndarray, left: np.ndarray, right: np.ndarray
               ) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(len(left))
    for n in range(len(left)):
        out[n] = pair_estimate(bits[left[n]], bits[right[n]])
    return out


@numba.njit(inline="always", cache=True)
def pair_estimate(ours: np.ndarray, theirs: np.ndarray) -> float:  # pragma: no cover - compiled
    """Estimated Jaccard of two passages from their 8-bit MinHash values: the share of
    equal values, less the 1/256 that agree by chance (b-bit minwise hashing)."""
    equal = 0
    for j in range(len(ours)):
        equal += ours[j] == theirs[j]
    return (equal / len(ours) - 1 / 256) / (1 - 1 / 256)

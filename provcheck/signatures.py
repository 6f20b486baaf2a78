"""MinHash signatures for a batch of passages, computed by one compiled kernel (numba).

The result equals ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` updated with
the same shingles through its default hash (``sha1_hash32`` of the UTF-8 bytes): the
permutations are taken from datasketch itself and the arithmetic is its affine32
scheme (MurmurHash3 finalizer pre-mix, then ``a * h + b`` in uint32). Batching turns
datasketch's per-passage object and per-shingle call into one pass over all shingles,
split across cores; numba compiles it on first use (cached on disk after that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from provcheck.records import picklable
from provcheck.settings import Settings
from provcheck.text.segment import Segmented

EMPTY = np.uint32(0xFFFFFFFF)
MIN_SHINGLES = 3


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Signed:
    """What the LSH keeps of the signatures of the signable units of a batch.

    ``keys`` are the band keys; ``bits`` the low 8 bits of every MinHash value, which
    estimate Jaccard nearly as well as the full values (b-bit minwise hashing, Li and
    Koenig 2010) at a quarter of the size: that is what an index stores.
    """

    doc: np.ndarray  # int64 [n]: index of the document in the batch
    unit: np.ndarray  # int64 [n]: unit index within its document
    keys: np.ndarray  # uint64 [n, bands]
    bits: np.ndarray  # uint8 [n, num_perm]
    size: np.ndarray  # int64 [n]: shingles in the unit's set (weighs a collision's evidence)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own affine32 permutation parameters (a, b) for this seed."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer, as datasketch applies it before permuting."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


@numba.njit(parallel=True, nogil=True, cache=True)
def _minhash_kernel(mixed: np.ndarray, bounds: np.ndarray, a: np.ndarray, b: np.ndarray,
                    out: np.ndarray) -> None:  # pragma: no cover - compiled
    # One pass over each set's values, all permutations per value: the inner loop is a
    # vectorised multiply-add-min over num_perm lanes, the sets are split across cores.
    perms = len(a)
    for i in numba.prange(len(bounds) - 1):
        row = out[i]
        for k in range(bounds[i], bounds[i + 1]):
            h = mixed[k]
            for p in range(perms):
                # Branch-free min: the loop compiles to SIMD lanes.
                row[p] = min(row[p], np.uint32((a[p] * h + b[p]) & 0xFFFFFFFF))


def minhash(values: np.ndarray, bounds: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Signatures of sets given as ``values[bounds[i]:bounds[i+1]]`` (uint32 shingle hashes);
    a value repeated within a set changes nothing, as in datasketch."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(bounds) - 1, num_perm), EMPTY, dtype=np.uint32)
    if len(values):
        _minhash_kernel(fmix32(values), bounds.astype(np.int64), a, b, out)
    return out


def sign(batch: list[Segmented], settings: Settings) -> Signed:
    """Signatures of every unit with at least MIN_SHINGLES content stems, chrome included:
    what is chrome depends on the corpus a document is in (``without_chrome``), its
    signatures do not, so an index can keep them. A unit's shingles are its distinct
    content stems, which its document's term table already lists."""
    sizes = np.array([len(seg.unit_tok) for seg in batch], dtype=np.int64)
    first_unit = np.concatenate(([0], np.cumsum(sizes)))
    if batch:
        entry_unit = np.concatenate([seg.terms.unit + first_unit[d]
                                     for d, seg in enumerate(batch)])
        terms = np.concatenate([seg.terms.term for seg in batch])
    else:
        entry_unit, terms = np.zeros(0, np.int64), np.zeros(0, np.uint32)
    counts = np.bincount(entry_unit, minlength=int(first_unit[-1]))
    signable = counts >= MIN_SHINGLES
    chosen = np.flatnonzero(signable)  # units in corpus order, entries sorted by unit
    doc = np.repeat(np.arange(len(batch), dtype=np.int64), sizes)[chosen]
    unit = chosen - first_unit[doc]
    edges = np.concatenate(([0], np.cumsum(counts)))
    keys, bits = signed_view(terms, edges[chosen], edges[chosen + 1], settings)
    return Signed(doc=doc, unit=unit, keys=keys, bits=bits, size=counts[chosen])


def without_chrome(signed: Signed, segmented: Sequence[Segmented]) -> Signed:
    """The rows of units that are not chrome in ``segmented`` (indexed by ``signed.doc``)."""
    if not len(signed.doc):
        return signed
    flags = [s.unit_chrome for s in segmented]
    offsets = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum([len(f) for f in flags], out=offsets[1:])
    chrome = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    keep = ~chrome[offsets[signed.doc] + signed.unit]
    return Signed(doc=signed.doc[keep], unit=signed.unit[keep], keys=signed.keys[keep],
                  bits=signed.bits[keep], size=signed.size[keep])


def remap(signed: Signed, documents: Sequence[int]) -> Signed:
    """``signed`` with its document indices mapped through ``documents``."""
    lookup = np.asarray(documents, dtype=np.int64)
    return Signed(doc=lookup[signed.doc] if len(signed.doc) else signed.doc, unit=signed.unit,
                  keys=signed.keys, bits=signed.bits, size=signed.size)


def concatenate(parts: Sequence[Signed], settings: Settings) -> Signed:
    bands, _ = settings.bands
    return Signed(
        doc=np.concatenate([p.doc for p in parts]) if parts else np.zeros(0, np.int64),
        unit=np.concatenate([p.unit for p in parts]) if parts else np.zeros(0, np.int64),
        keys=np.concatenate([p.keys.reshape(-1, bands) for p in parts]) if parts
        else np.zeros((0, bands), np.uint64),
        bits=np.concatenate([p.bits.reshape(-1, settings.num_perm) for p in parts]) if parts
        else np.zeros((0, settings.num_perm), np.uint8),
        size=np.concatenate([p.size for p in parts]) if parts else np.zeros(0, np.int64),
    )


def signed_view(values: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """``lsh_view`` of the signatures of the sets ``values[starts[i]:ends[i]]``, in one pass
    that never holds the full signatures: each set's signature lives in a per-task
    buffer while its band keys and 8-bit values are written."""
    bands, rows = settings.bands
    n = len(starts)
    keys = np.zeros((n, bands), dtype=np.uint64)
    bits = np.zeros((n, settings.num_perm), dtype=np.uint8)
    if n:
        a, b = permutations(settings.num_perm, settings.seed)
        _sign_kernel(values.astype(np.uint32, copy=False), starts.astype(np.int64),
                     ends.astype(np.int64), a, b, rows, keys, bits)
    return keys, bits


@numba.njit(parallel=True, nogil=True, cache=True)
def _sign_kernel(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, a: np.ndarray,
                 b: np.ndarray, rows: int, keys: np.ndarray,
                 bits: np.ndarray) -> None:  # pragma: no cover - compiled
    perms, n = len(a), len(starts)
    step = 256  # sets per task: one signature buffer per task, not per set
    for task in numba.prange((n + step - 1) // step):
        row = np.empty(perms, dtype=np.uint32)
        for i in range(task * step, min(n, (task + 1) * step)):
            row[:] = np.uint32(0xFFFFFFFF)
            for k in range(starts[i], ends[i]):
                h = _fmix32(values[k])
                for p in range(perms):
                    row[p] = min(row[p], np.uint32((a[p] * h + b[p]) & 0xFFFFFFFF))
            for p in range(perms):
                bits[i, p] = np.uint8(row[p] & 0xFF)
            _keys_of(row, rows, keys[i])


@numba.njit(inline="always")
def _fmix32(value: np.uint32) -> np.uint32:  # pragma: no cover - compiled
    h = np.uint32(value)
    h ^= h >> np.uint32(16)
    h = np.uint32((h * np.uint32(0x85EBCA6B)) & 0xFFFFFFFF)
    h ^= h >> np.uint32(13)
    h = np.uint32((h * np.uint32(0xC2B2AE35)) & 0xFFFFFFFF)
    h ^= h >> np.uint32(16)
    return h


@numba.njit(inline="always")
def _keys_of(row: np.ndarray, rows: int, out: np.ndarray) -> None:  # pragma: no cover
    shift = np.uint64(29)
    for band in range(len(out)):
        key = np.uint64(0)
        for r in range(rows):
            key ^= np.uint64(row[band * rows + r])
            key *= _MIX
            key ^= key >> shift
        out[band] = key ^ (np.uint64(band) * _BAND)


def lsh_view(sig: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Band keys and 8-bit values of signatures (see ``Signed``)."""
    bands, rows = settings.bands
    return band_keys(sig, bands, rows), (sig & np.uint32(0xFF)).astype(np.uint8)


_MIX = np.uint64(0x9E3779B97F4A7C15)
_BAND = np.uint64(0xBF58476D1CE4E5B9)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (signature, band): equal keys mean equal band values."""
    keys = np.zeros((sig.shape[0], bands), dtype=np.uint64)
    if len(sig):
        _band_kernel(np.ascontiguousarray(sig), rows, keys)
    return keys


@numba.njit(parallel=True, nogil=True, cache=True)
def _band_kernel(sig: np.ndarray, rows: int, keys: np.ndarray) -> None:  # pragma: no cover
    for i in numba.prange(sig.shape[0]):
        _keys_of(sig[i], rows, keys[i])


@numba.njit(inline="always", cache=True)
def pair_estimate(ours: np.ndarray, theirs: np.ndarray) -> float:  # pragma: no cover - compiled
    """Estimated Jaccard of two passages from their 8-bit MinHash values: the share of
    equal values, less the 1/256 that agree by chance (b-bit minwise hashing)."""
    equal = 0
    for j in range(len(ours)):
        equal += ours[j] == theirs[j]
    return (equal / len(ours) - 1 / 256) / (1 - 1 / 256)

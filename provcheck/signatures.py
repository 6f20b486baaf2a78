"""MinHash signatures for a batch of passages, computed with numpy.

The result equals ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` updated with
the same shingles through its default hash (``sha1_hash32`` of the UTF-8 bytes): the
permutations are taken from datasketch itself and the arithmetic is its affine32
scheme (MurmurHash3 finalizer pre-mix, then ``a * h + b`` in uint32). Batching turns
datasketch's per-passage object and per-shingle call into a few array operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provcheck.segment import Segmented
from provcheck.settings import Settings

EMPTY = np.uint32(0xFFFFFFFF)
# Shingles handled per array operation: bounds the temporary to CHUNK * num_perm * 4 bytes.
CHUNK = 1 << 15
MIN_SHINGLES = 3


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


def minhash(values: np.ndarray, bounds: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Signatures of sets given as ``values[bounds[i]:bounds[i+1]]`` (uint32 shingle hashes)."""
    a, b = permutations(num_perm, seed)
    n = len(bounds) - 1
    out = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    mixed = fmix32(values)
    first = 0
    while first < n:
        last = int(np.searchsorted(bounds, bounds[first] + CHUNK, side="right")) - 1
        last = min(max(last, first + 1), n)
        lo = int(bounds[first])
        starts = bounds[first:last] - lo
        nonempty = np.flatnonzero(bounds[first + 1 : last + 1] > bounds[first:last])
        if len(nonempty):
            chunk = mixed[lo : int(bounds[last])]
            permuted = chunk[:, None] * a[None, :] + b[None, :]
            out[first + nonempty] = np.minimum.reduceat(permuted, starts[nonempty], axis=0)
        first = last
    return out


def sign(batch: list[Segmented], settings: Settings) -> Signed:
    """Signatures of every unit with at least MIN_SHINGLES content stems, chrome included:
    what is chrome depends on the corpus a document is in (``without_chrome``), its
    signatures do not, so an index can keep them."""
    docs, units, parts = [], [], []
    for d, seg in enumerate(batch):
        for u, (t0, t1) in enumerate(seg.unit_tok.tolist()):
            stems = np.unique(seg.stem_hash[t0:t1][seg.content[t0:t1]])
            if len(stems) >= MIN_SHINGLES:
                docs.append(d)
                units.append(u)
                parts.append(stems)
    bounds = np.zeros(len(parts) + 1, dtype=np.int64)
    if parts:
        np.cumsum([len(p) for p in parts], out=bounds[1:])
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
    keys, bits = lsh_view(minhash(values, bounds, settings.num_perm, settings.seed), settings)
    return Signed(doc=np.array(docs, dtype=np.int64), unit=np.array(units, dtype=np.int64),
                  keys=keys, bits=bits)


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
                  bits=signed.bits[keep])


def remap(signed: Signed, documents: Sequence[int]) -> Signed:
    """``signed`` with its document indices mapped through ``documents``."""
    lookup = np.asarray(documents, dtype=np.int64)
    return Signed(doc=lookup[signed.doc] if len(signed.doc) else signed.doc, unit=signed.unit,
                  keys=signed.keys, bits=signed.bits)


def concatenate(parts: Sequence[Signed], settings: Settings) -> Signed:
    bands, _ = settings.bands
    return Signed(
        doc=np.concatenate([p.doc for p in parts]) if parts else np.zeros(0, np.int64),
        unit=np.concatenate([p.unit for p in parts]) if parts else np.zeros(0, np.int64),
        keys=np.concatenate([p.keys.reshape(-1, bands) for p in parts]) if parts
        else np.zeros((0, bands), np.uint64),
        bits=np.concatenate([p.bits.reshape(-1, settings.num_perm) for p in parts]) if parts
        else np.zeros((0, settings.num_perm), np.uint8),
    )


def lsh_view(sig: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Band keys and 8-bit values of signatures (see ``Signed``)."""
    bands, rows = settings.bands
    return band_keys(sig, bands, rows), (sig & np.uint32(0xFF)).astype(np.uint8)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (signature, band): equal keys mean equal band values."""
    n = sig.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    body = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    for row in range(rows):
        keys ^= body[:, :, row]
        keys *= _MIX
        keys ^= keys >> np.uint64(29)
    keys ^= np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0xBF58476D1CE4E5B9)
    return keys

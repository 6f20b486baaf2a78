"""Band segments: an index's passage signatures and LSH band keys in immutable files.

A segment is a folder of flat arrays, memory-mapped when read:

  * per passage (sorted by document): ``doc`` (index rowid), ``unit``, ``size`` (its
    shingles), ``bits`` (8-bit MinHash values) and ``keys`` (its band keys);
  * per band entry, sorted by key: ``band_row``, the passage's row, and ``band_check``,
    16 bits of the key; ``band_dir`` holds where the entries of each value of the key's
    top bits begin (``prefix_bits``: about a hundred entries each).

A lookup reads, per distinct query key, one directory slot and the checks of its prefix,
in files that may be far larger than memory: a million news articles make about a
billion band entries, which an SQLite table can neither take in at speed nor query in
bounded memory. A thousand new articles ask over a million keys, so a lookup touches
nearly every page of the band table; it is built to be small for that (2 bytes per entry
where the whole key took 8), which is what a check against an index out of the page
cache waits for. Keys equal in their prefix and check bits but not below (about one
query key in a thousand meets such an entry) are taken as shared: the 8-bit MinHash
estimate every hit must pass then judges the two passages, as it does every chance
collision of a band. Writing is an external sort: each batch of passages appends one sorted
run, and ``finish`` merges the runs one key range at a time, so memory is bounded by a
range, not by the index. Merging segments (compaction) adds their passages again (their
band entries made from their stored keys, since the band table holds only part of each
key), dropping passages of documents no longer in the index.

Files are written under a ``.partial`` name and renamed when complete; the SQLite index
registers a segment in the same transaction as its documents (``store.Index``), so a
run killed midway leaves only an unregistered folder, removed by the next writer.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from provcheck.signatures import pair_estimate

# A band key held by more passages than this many times the bucket limit is boilerplate
# without counting its documents (counting would read all its entries).
POPULAR = 20
# Band entries merged at once: ~200 MB of keys, rows and sort order.
RANGE_ENTRIES = 8_000_000
PARTIAL = ".partial"

_UNIT_FILES = {"doc": np.int64, "unit": np.int32, "size": np.uint16, "bits": np.uint8,
               "keys": np.uint64}
_WIDTHS = {"doc": 1, "unit": 1, "size": 1}
CHECK_BITS = 16  # of a band key below its prefix, stored per entry (band_check)


def prefix_bits(entries: int) -> int:
    """Top bits of a band key the directory of a segment of ``entries`` resolves: 64 to
    127 entries per prefix, so that with the check bits about one key in a thousand
    meets an entry whose key differs below them."""
    return max(1, min(40, entries.bit_length() - 7))


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """A segment as the index registers it."""

    name: str
    units: int
    entries: int


@dataclass(frozen=True, slots=True)
class Segment:
    """An open segment: memory-mapped arrays (see the module docstring)."""

    info: SegmentInfo
    doc: np.ndarray  # int64 [units], ascending
    unit: np.ndarray  # int32 [units]
    size: np.ndarray  # uint16 [units]
    bits: np.ndarray  # uint8 [units, num_perm]
    keys: np.ndarray  # uint64 [units, bands]
    band_dir: np.ndarray  # int64 [2 ** prefix_bits + 1]: first entry of each key prefix
    band_check: np.ndarray  # uint16 [entries]: the key's CHECK_BITS below its prefix
    band_row: np.ndarray  # uint32 [entries]

    @classmethod
    def open(cls, folder: Path, info: SegmentInfo, num_perm: int, bands: int) -> Segment:
        where = folder / info.name
        widths = {**_WIDTHS, "bits": num_perm, "keys": bands}
        arrays = {name: _mapped(where / name, dtype, (info.units, widths[name]))
                  for name, dtype in _UNIT_FILES.items()}
        prefixes = 2 ** prefix_bits(info.entries) + 1
        return cls(info=info, doc=arrays["doc"][:, 0], unit=arrays["unit"][:, 0],
                   size=arrays["size"][:, 0], bits=arrays["bits"], keys=arrays["keys"],
                   band_dir=_mapped(where / "band_dir", np.int64, (prefixes, 1))[:, 0],
                   band_check=_mapped(where / "band_check", np.uint16, (info.entries, 1))[:, 0],
                   band_row=_mapped(where / "band_row", np.uint32, (info.entries, 1))[:, 0])

    @property
    def prefix_bits(self) -> int:
        return prefix_bits(self.info.entries)

    def rows_of(self, rowid: int) -> slice:
        """The passage rows of one document."""
        lo, hi = np.searchsorted(self.doc, [rowid, rowid + 1])
        return slice(int(lo), int(hi))


@dataclass(frozen=True, slots=True)
class Hits:
    """Indexed passages that share a band with query passages and are estimated similar
    enough to them: one entry per shared band."""

    query: np.ndarray  # int64: row of the query passage
    doc: np.ndarray  # int64: index rowid of the matching document
    unit: np.ndarray  # int64: its unit
    size: np.ndarray  # int64: the matching unit's shingles
    estimate: np.ndarray  # float64: estimated Jaccard of the two passages (8-bit MinHash)
    docs_per_key: np.ndarray  # int64: documents sharing the band key of each hit


def lookup(segments: Sequence[Segment], keys: np.ndarray, bits: np.ndarray,
           live: np.ndarray | None, exclude: np.ndarray, max_docs: int, floor: float) -> Hits:
    """Passages of the documents ``live`` (ascending rowids; None: all) but not
    ``exclude`` that share a band key with the query rows of ``keys`` (uint64 [rows,
    bands]) and whose 8-bit MinHash values (against the query's ``bits``) estimate a
    Jaccard of at least ``floor``, leaving out keys shared by more than ``max_docs``
    documents: boilerplate, not evidence. The estimate is taken as the entries are read,
    so hits that fail it are never gathered: a band of three rows collides with many
    passages by chance (tens of millions at a million documents), few of them similar."""
    flat = np.ascontiguousarray(keys, dtype=np.uint64).ravel()
    distinct, which = np.unique(flat, return_inverse=True)
    bounds = [_equal_ranges(seg.band_dir, seg.band_check, seg.prefix_bits, distinct)
              for seg in segments]
    total = sum((hi - lo for lo, hi in bounds), np.zeros(len(distinct), np.int64))
    wanted = total <= POPULAR * max_docs
    dead = _dead(segments, live, exclude)
    parts = [_alive_entries(np.asarray(seg.band_row), np.asarray(seg.doc), lo, hi, wanted, dead)
             for seg, (lo, hi) in zip(segments, bounds, strict=True)]
    docs_per_key = _docs_per_key(*_in_key_order([(p[0], p[2]) for p in parts]), len(distinct))
    # Each entry pairs with every query row that has its key.
    by_query_key = np.argsort(which, kind="stable")
    starts = np.searchsorted(which[by_query_key], np.arange(len(distinct) + 1))
    query_of = by_query_key // max(keys.shape[1], 1)
    query_bits = np.ascontiguousarray(bits, dtype=np.uint8)
    out = []
    for seg, (key, row, _) in zip(segments, parts, strict=True):
        common = docs_per_key[key] <= max_docs
        key, row = key[common], row[common]
        order = np.argsort(row)  # the file front to back
        key, row = key[order], row[order]
        entry, query, estimate = _similar(row, starts[key], starts[key + 1], query_of,
                                          query_bits, np.asarray(seg.bits), floor)
        rows = row[entry]
        out.append((query, seg.doc[rows].astype(np.int64), seg.unit[rows].astype(np.int64),
                    seg.size[rows].astype(np.int64), estimate, docs_per_key[key[entry]]))
    if not out:
        empty = np.zeros(0, np.int64)
        return Hits(query=empty, doc=empty, unit=empty, size=empty,
                    estimate=np.zeros(0), docs_per_key=empty)
    return Hits(*(np.concatenate([p[i] for p in out]) for i in range(6)))


def _in_key_order(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The (key, document) entries of all segments in key order; each segment's are."""
    if len(parts) == 1:
        return parts[0]
    key = np.concatenate([k for k, _ in parts] or [np.zeros(0, np.int32)])
    doc = np.concatenate([d for _, d in parts] or [np.zeros(0, np.int64)])
    by_key = np.argsort(key, kind="stable")  # a merge of sorted runs
    return key[by_key], doc[by_key]


def _dead(segments: Sequence[Segment], live: np.ndarray | None, exclude: np.ndarray
          ) -> np.ndarray:
    """Per index rowid, up to the largest stored: are its passages left out?"""
    last = max((int(seg.doc[-1]) for seg in segments if len(seg.doc)), default=0)
    dead = np.zeros(last + 1, bool) if live is None else np.ones(last + 1, bool)
    if live is not None:
        dead[live[live <= last]] = False
    dead[exclude[(exclude >= 0) & (exclude <= last)]] = True
    return dead


@numba.njit(nogil=True, parallel=True, cache=True)
def _alive_entries(band_row: np.ndarray, doc: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   wanted: np.ndarray, dead: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    # The band entries lo[k]:hi[k] of each wanted key k whose document is not dead, as
    # (key, passage row, document) in key order: band_row is read where the keys' ranges
    # lie, front to back, and documents are gathered in the same pass, in parallel over
    # keys; no array of all entries is sorted (27 million for 1,000 news articles in a
    # million-article index). Each key fills its slots, then the slots are closed up.
    slots = np.zeros(len(lo) + 1, np.int64)
    for k in range(len(lo)):
        slots[k + 1] = slots[k] + (hi[k] - lo[k] if wanted[k] else 0)
    key = np.empty(slots[-1], np.int32)
    row = np.empty(slots[-1], band_row.dtype)
    owner = np.empty(slots[-1], np.int64)
    alive = np.zeros(len(lo) + 1, np.int64)
    for k in numba.prange(len(lo)):
        if wanted[k]:
            at = slots[k]
            for p in range(lo[k], hi[k]):
                r = band_row[p]
                d = doc[r]
                if not dead[d]:
                    key[at], row[at], owner[at] = k, r, d
                    at += 1
            alive[k + 1] = at - slots[k]
    offsets = np.cumsum(alive)
    out_key = np.empty(offsets[-1], np.int32)
    out_row = np.empty(offsets[-1], band_row.dtype)
    out_owner = np.empty(offsets[-1], np.int64)
    for k in numba.prange(len(lo)):
        a, b, n = offsets[k], offsets[k + 1], offsets[k + 1] - offsets[k]
        out_key[a:b] = key[slots[k]:slots[k] + n]
        out_row[a:b] = row[slots[k]:slots[k] + n]
        out_owner[a:b] = owner[slots[k]:slots[k] + n]
    return out_key, out_row, out_owner


@numba.njit(nogil=True, parallel=True, cache=True)
def _docs_per_key(key: np.ndarray, doc: np.ndarray, n_keys: int
                  ) -> np.ndarray:  # pragma: no cover - compiled
    # Distinct documents of each key, from entries in key order.
    out = np.zeros(n_keys, np.int64)
    if not len(key):
        return out
    starts = np.concatenate((np.zeros(1, np.int64), np.flatnonzero(key[1:] != key[:-1]) + 1,
                             np.full(1, len(key), np.int64)))
    for g in numba.prange(len(starts) - 1):
        docs = np.sort(doc[starts[g]:starts[g + 1]])
        count = 1
        for j in range(1, len(docs)):
            count += docs[j] != docs[j - 1]
        out[key[starts[g]]] = count
    return out


@numba.njit(nogil=True, parallel=True, cache=True)
def _similar(rows: np.ndarray, first: np.ndarray, last: np.ndarray, query_of: np.ndarray,
             query_bits: np.ndarray, bits: np.ndarray, floor: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    # For each entry (a passage row of ``bits``) and each query row in
    # query_of[first:last], the pairs whose estimated Jaccard (share of equal 8-bit
    # values, less the 1/256 that agree by chance: signatures.pair_estimate) reaches
    # ``floor``. Counted, then filled, each pass over the entries in parallel.
    kept = np.zeros(len(rows), np.int64)
    for e in numba.prange(len(rows)):
        for k in range(first[e], last[e]):
            kept[e] += pair_estimate(query_bits[query_of[k]], bits[rows[e]]) >= floor
    offsets = np.zeros(len(rows) + 1, np.int64)
    offsets[1:] = np.cumsum(kept)
    entry = np.empty(offsets[-1], np.int64)
    query = np.empty(offsets[-1], np.int64)
    estimate = np.empty(offsets[-1], np.float64)
    for e in numba.prange(len(rows)):
        at = offsets[e]
        for k in range(first[e], last[e]):
            value = pair_estimate(query_bits[query_of[k]], bits[rows[e]])
            if value >= floor:
                entry[at], query[at], estimate[at] = e, query_of[k], value
                at += 1
    return entry, query, estimate


@numba.njit(nogil=True, parallel=True, cache=True)
def _equal_ranges(directory: np.ndarray, check: np.ndarray, bits: int, keys: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    # The entries lo:hi of each of the ascending ``keys``: those of its prefix (its top
    # ``bits``) in the directory whose check equals the key's next CHECK_BITS, found by
    # binary search (the entries of a prefix are in key order). Ascending keys read the
    # files front to back, in parallel stretches.
    prefix_shift = np.uint64(64 - bits)
    check_shift = np.uint64(64 - bits - CHECK_BITS)
    mask = np.uint64((1 << CHECK_BITS) - 1)
    lo = np.empty(len(keys), np.int64)
    hi = np.empty(len(keys), np.int64)
    for i in numba.prange(len(keys)):
        prefix = np.int64(keys[i] >> prefix_shift)  # below 2 ** 40
        wanted = (keys[i] >> check_shift) & mask
        first, stop = directory[prefix], directory[prefix + 1]
        end = stop
        while first < end:  # first entry whose check is >= wanted
            mid = (first + end) // 2
            if check[mid] < wanted:
                first = mid + 1
            else:
                end = mid
        last = first
        while last < stop and check[last] == wanted:
            last += 1
        lo[i], hi[i] = first, last
    return lo, hi


class SegmentWriter:
    """Builds one segment from batches of passages (``add``) and publishes it
    (``finish``); see the module docstring."""

    def __init__(self, folder: Path, num_perm: int, bands: int) -> None:
        self.folder = folder
        self.name = uuid.uuid4().hex
        self.path = folder / (self.name + PARTIAL)
        self.path.mkdir(parents=True)
        self.units = 0
        self.runs: list[int] = []  # lengths of the sorted runs, in order
        for name in (*_UNIT_FILES, "run_key", "run_row"):
            (self.path / name).touch()

    def add(self, doc: np.ndarray, unit: np.ndarray, size: np.ndarray, keys: np.ndarray,
            bits: np.ndarray) -> None:
        """Append passages (ascending ``doc``, at or above any added before) and their
        band entries as one sorted run."""
        rows = self.units + np.arange(len(doc), dtype=np.uint32)
        self._append_units(doc, unit, size, bits, keys)
        flat = np.ascontiguousarray(keys, dtype=np.uint64).ravel()
        owner = np.repeat(rows, keys.shape[1])
        order = np.argsort(flat)  # introsort: twice timsort's speed on hashes
        self._append_run(flat[order], owner[order])

    def add_segment(self, seg: Segment, keep: np.ndarray) -> None:
        """Append the passages of ``seg`` where ``keep``, with their band entries (from
        their keys: the segment's band table holds only part of each)."""
        step = max(1, RANGE_ENTRIES // max(seg.keys.shape[1], 1))
        for start in range(0, seg.info.units, step):
            part = slice(start, min(start + step, seg.info.units))
            take = keep[part]
            self.add(seg.doc[part][take], seg.unit[part][take], seg.size[part][take],
                     seg.keys[part][take], seg.bits[part][take])

    def finish(self) -> SegmentInfo:
        """Merge the runs into the sorted band table and publish the segment."""
        entries = sum(self.runs)
        run_keys = _mapped(self.path / "run_key", np.uint64, (entries, 1))[:, 0]
        run_rows = _mapped(self.path / "run_row", np.uint32, (entries, 1))[:, 0]
        bounds = np.concatenate(([0], np.cumsum(self.runs))).astype(np.int64)
        runs = [(run_keys[a:b], run_rows[a:b]) for a, b in itertools.pairwise(bounds)]
        with BandTable(self.path, entries) as table:
            for lo, hi in _key_ranges(entries):
                keys, rows = _gather(runs, lo, hi)
                order = np.argsort(keys, kind="stable")  # timsort: merges sorted runs
                table.write(keys[order], rows[order], hi)
        del run_keys, run_rows, runs
        for name in ("run_key", "run_row"):
            (self.path / name).unlink()
        for name in _UNIT_FILES:
            with (self.path / name).open("rb+") as unit_file:
                os.fsync(unit_file.fileno())
        self.path.rename(self.folder / self.name)
        return SegmentInfo(name=self.name, units=self.units, entries=entries)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _append_units(self, doc: np.ndarray, unit: np.ndarray, size: np.ndarray,
                      bits: np.ndarray, keys: np.ndarray) -> None:
        values = {"doc": doc, "unit": unit, "size": size, "bits": bits, "keys": keys}
        for name, dtype in _UNIT_FILES.items():
            with (self.path / name).open("ab") as handle:
                np.ascontiguousarray(values[name], dtype=dtype).tofile(handle)
        self.units += len(doc)

    def _append_run(self, keys: np.ndarray, rows: np.ndarray) -> None:
        for name, values in (("run_key", keys), ("run_row", rows)):
            with (self.path / name).open("ab") as handle:
                values.tofile(handle)
        self.runs.append(len(keys))


class BandTable:
    """Writes a segment's band table (``band_dir``, ``band_check``, ``band_row``) from
    its entries in key order, given range by range."""

    def __init__(self, path: Path, entries: int) -> None:
        self.path = path
        self.bits = prefix_bits(entries)
        self.written = 0  # entries
        self.next_prefix = 0  # the first prefix whose start is not written yet

    def __enter__(self) -> BandTable:
        self.files = [(self.path / name).open("wb")
                      for name in ("band_dir", "band_check", "band_row")]
        return self

    def write(self, keys: np.ndarray, rows: np.ndarray, below: int) -> None:
        """Append entries (ascending ``keys``, all below ``below`` and at or above any
        written before) and the directory slots of the prefixes that begin below
        ``below``."""
        directory, check, row = self.files
        shift = 64 - self.bits
        end = -(-below >> shift)  # prefixes whose smallest key is below ``below``
        starts = np.arange(self.next_prefix, end, dtype=np.uint64) << np.uint64(shift)
        (self.written + np.searchsorted(keys, starts)).astype(np.int64).tofile(directory)
        ((keys >> np.uint64(shift - CHECK_BITS)) & np.uint64((1 << CHECK_BITS) - 1)).astype(
            np.uint16).tofile(check)
        rows.astype(np.uint32).tofile(row)
        self.written += len(keys)
        self.next_prefix = end

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:  # the slot past the last prefix: where the entries end
            self.write(np.zeros(0, np.uint64), np.zeros(0, np.uint32), 1 << 64)
            np.array([self.written], np.int64).tofile(self.files[0])
        for handle in self.files:
            if kind is None:
                handle.flush()
                os.fsync(handle.fileno())
            handle.close()


def upgrade_band_table(path: Path, entries: int) -> None:
    """Write the band table of the segment at ``path`` from the whole keys an index of
    format 2 kept (``band_key``, with ``band_row`` in the same order), beside them, then
    put it in their place (``band_row`` is rewritten unchanged); ``band_key`` is left for
    the caller to remove once the index says it is of the new format."""
    keys = _mapped(path / "band_key", np.uint64, (entries, 1))[:, 0]
    rows = _mapped(path / "band_row", np.uint32, (entries, 1))[:, 0]
    new = path / ("upgrade" + PARTIAL)
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    with BandTable(new, entries) as table:
        for start in range(0, entries, RANGE_ENTRIES):
            part = slice(start, start + RANGE_ENTRIES)
            chunk = np.asarray(keys[part])
            # Equal keys may go on into the next part: prefixes starting after its last
            # key are placed with the next.
            table.write(chunk, np.asarray(rows[part]), int(chunk[-1]) + 1)
    del keys, rows
    for name in ("band_dir", "band_check", "band_row"):
        (new / name).replace(path / name)
    new.rmdir()


def remove_unregistered(folder: Path, registered: set[str]) -> None:
    """Delete segment folders no index transaction registered (left by a killed run, or
    replaced by a merge)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name not in registered:
            shutil.rmtree(entry, ignore_errors=True)


def _mapped(path: Path, dtype: type, shape: tuple[int, int]) -> np.ndarray:
    if shape[0] == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=shape)


def first_distinct(*columns: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct row of ``columns`` (equal-length
    non-negative integer arrays), in the rows' sorted order: what
    ``np.unique(np.stack(columns, 1), axis=0, return_index=True)`` gives, without its
    sort of a structured view (ten times slower on millions of rows). Rows are packed
    into one int64 when their ranges allow, else sorted column by column."""
    if not len(columns[0]):
        return np.zeros(0, np.int64)
    spans = [int(c.max()) + 1 for c in columns]
    if all(c.min() >= 0 for c in columns) and math.prod(spans) < 2**62:
        packed = np.zeros(len(columns[0]), np.int64)
        for column, span in zip(columns, spans, strict=True):
            packed = packed * span + column
        return np.unique(packed, return_index=True)[1]
    order = np.lexsort(columns[::-1])  # stable: equal rows keep their positions' order
    new = np.zeros(len(order), bool)
    new[0] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    return order[new]


def _key_ranges(entries: int) -> list[tuple[int, int]]:
    """Split the uint64 key space into ranges of about RANGE_ENTRIES entries (keys are
    hashes, so uniform)."""
    parts = max(1, -(-entries // RANGE_ENTRIES))
    edges = [(1 << 64) * k // parts for k in range(parts + 1)]
    return list(itertools.pairwise(edges))


def _gather(runs: list[tuple[np.ndarray, np.ndarray]], lo: int, hi: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """The entries with lo <= key < hi of every run (each sorted by key)."""
    keys, rows = [], []
    for run_key, run_row in runs:
        a = int(np.searchsorted(run_key, np.uint64(lo), side="left"))
        b = len(run_key) if hi >= 1 << 64 else int(
            np.searchsorted(run_key, np.uint64(hi), side="left"))
        keys.append(np.asarray(run_key[a:b]))
        rows.append(np.asarray(run_row[a:b]))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint32)
    return np.concatenate(keys), np.concatenate(rows)

"""The index's band segments: lookups equal a brute-force join over every stored passage,
however the passages were split into runs, key ranges and segments, and after removals
and merges."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from provcheck.errors import InputError
from provcheck.index import bands as segments
from provcheck.index import segment_set
from provcheck.index.catalog import Index
from provcheck.records import DocFormat, Document
from provcheck.settings import Settings
from provcheck.signatures import Signed

SETTINGS = Settings(max_bucket_docs=4)
FLOOR = 0.33  # about half of the pairs of _passages' bits reach it
BANDS, PERM = SETTINGS.bands[0], SETTINGS.num_perm


def _doc(n: int) -> Document:
    return Document(id=f"d{n}", path=f"d{n}.txt", text=f"text {n}", sha256=f"{n:064x}",
                    format=DocFormat.TEXT, encoding="utf-8")


def _passages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units, band keys from a small key space (so that keys collide) and bits from a
    small alphabet (so that estimates spread around FLOOR)."""
    keys = rng.integers(0, 400, size=(n, BANDS)).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return np.arange(n, dtype=np.int64), keys, rng.integers(0, 3, (n, PERM), dtype=np.uint8)


def _reference(stored: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]], query: np.ndarray,
               query_bits: np.ndarray, exclude: set[int], floor: float = FLOOR
               ) -> Counter[tuple]:
    """(query row, rowid, unit, documents sharing the key, estimate), once per shared
    band, by brute force, leaving out keys of more than max_bucket_docs documents, or
    POPULAR times as many passages, and pairs estimated below ``floor``."""
    key_docs: dict[int, set[int]] = {}
    key_entries: dict[int, int] = {}
    for rowid, (_, keys, _) in stored.items():
        for k in keys.ravel().tolist():
            key_entries[k] = key_entries.get(k, 0) + 1
            if rowid not in exclude:
                key_docs.setdefault(k, set()).add(rowid)
    limit = SETTINGS.max_bucket_docs
    out: Counter[tuple] = Counter()
    for q, row in enumerate(query):
        for rowid, (units, keys, bits) in stored.items():
            if rowid in exclude:
                continue
            for n, unit_keys in enumerate(keys):
                for k in set(row.tolist()) & set(unit_keys.tolist()):
                    if len(key_docs[k]) > limit or key_entries[k] > segments.POPULAR * limit:
                        continue
                    equal = float((bits[n] == query_bits[q]).mean())
                    estimate = round((equal - 1 / 256) / (1 - 1 / 256), 9)
                    if estimate >= floor:
                        out[q, rowid, int(units[n]), len(key_docs[k]), estimate] += int(
                            (row == k).sum()) * int((unit_keys == k).sum())
    return out


def _found(index: Index, query: np.ndarray, query_bits: np.ndarray, exclude: set[int]
           ) -> Counter[tuple]:
    hits = index.lookup(query, query_bits, FLOOR, exclude=exclude)
    return Counter((int(q), int(d), int(u), int(c), round(float(e), 9)) for q, d, u, c, e in
                   zip(hits.query, hits.doc, hits.unit, hits.docs_per_key, hits.estimate,
                       strict=True))


def _signed(units: np.ndarray, keys: np.ndarray, bits: np.ndarray) -> Signed:
    return Signed(doc=np.zeros(len(units), np.int64), unit=units, keys=keys, bits=bits,
                  size=units % 7 + 3)


Passages = dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]


def _add(index: Index, rng: np.random.Generator, numbers: range, put: dict[str, tuple]
         ) -> None:
    """Put documents d{n} with random passages in one transaction; remember what was put."""
    with index.transaction():
        for n in numbers:
            put[f"d{n}"] = _passages(rng, int(rng.integers(0, 6)))
            index.put(_doc(n), _signed(*put[f"d{n}"]), (), None)


def _same_as_put(index: Index, put: dict[str, tuple]) -> None:
    for doc_id, rowid in index.rowids().items():
        got = index.stored(rowid)
        units, keys, bits = put[doc_id]
        assert np.array_equal(got.units, units) and np.array_equal(got.keys, keys), doc_id
        assert np.array_equal(got.bits, bits)


def _live(index: Index, put: dict[str, tuple]) -> Passages:
    return {rowid: put[doc_id] for doc_id, rowid in index.rowids().items()}


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny runs, key ranges and segment limit, so that a few documents exercise them."""
    monkeypatch.setattr(segment_set, "RUN_PASSAGES", 7)
    monkeypatch.setattr(segment_set, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(segments, "RANGE_ENTRIES", 100)
    monkeypatch.setattr(segments, "POPULAR", 2)


def test_lookup_equals_a_brute_force_join(tmp_path: Path, small: None) -> None:
    rng = np.random.default_rng(5)
    index = Index.open(str(tmp_path / "x.db"), SETTINGS, create=True)
    put: dict[str, tuple] = {}
    _add(index, rng, range(0, 30), put)
    _, query, query_bits = _passages(rng, 25)
    live = _live(index, put)
    found = _found(index, query, query_bits, set())
    assert found == _reference(live, query, query_bits, set())
    unfiltered = _reference(live, query, query_bits, set(), floor=0.0)
    assert 0 < found.total() < unfiltered.total()  # the estimate floor took some out
    skip = set(list(live)[:5])
    assert _found(index, query, query_bits, skip) == _reference(live, query, query_bits, skip)
    assert index.stats()["segments"] == 1
    for rowid, (units, keys, bits) in live.items():
        got = index.stored(rowid)
        assert np.array_equal(got.units, units) and np.array_equal(got.keys, keys)
        assert np.array_equal(got.bits, bits) and np.array_equal(got.size, units % 7 + 3)
    index.close()


def test_removals_and_merges_keep_lookups_exact(tmp_path: Path, small: None) -> None:
    rng = np.random.default_rng(6)
    index = Index.open(str(tmp_path / "x.db"), SETTINGS, create=True)
    put: dict[str, tuple] = {}
    _, query, query_bits = _passages(rng, 25)
    for run in range(5):  # one segment per run; past MAX_SEGMENTS they are merged
        _add(index, rng, range(run * 10, run * 10 + 10), put)
        assert index.stats()["segments"] <= segment_set.MAX_SEGMENTS
        assert _found(index, query, query_bits, set()) == _reference(_live(index, put), query,
                                                                query_bits, set())
    _add(index, rng, range(100, 160), put)  # a big segment, then small ones after it
    for run in range(4):
        _add(index, rng, range(200 + run * 2, 202 + run * 2), put)
    _same_as_put(index, put)
    assert _found(index, query, query_bits, set()) == _reference(_live(index, put), query,
                                                                query_bits, set())
    before = max(index.rowids().values())
    with index.transaction():
        for n in [*range(0, 50, 3), *range(100, 160)]:
            assert index.remove(f"d{n}")
    stats = index.stats()
    assert stats["documents"] == 50 - 17 + 8
    # Most of the stored passages were removed: a merge dropped them.
    assert stats["stored_passages"] == stats["passages"] and stats["segments"] == 1
    with index.transaction():  # a new version of a document gets a new rowid
        put["d1"] = _passages(rng, 3)
        index.put(_doc(1), _signed(*put["d1"]), (), None)
    assert index.rowids()["d1"] > before
    _same_as_put(index, put)
    assert _found(index, query, query_bits, set()) == _reference(_live(index, put), query,
                                                                query_bits, set())
    index.close()


def test_a_killed_writers_files_are_removed_by_the_next(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    db = str(tmp_path / "x.db")
    index = Index.open(db, SETTINGS, create=True)
    put: dict[str, tuple] = {}
    _add(index, rng, range(0, 5), put)
    folder = Path(db + "-segments")
    left = segments.SegmentWriter(folder, PERM, BANDS)  # as a run killed mid-write leaves
    left.add(np.zeros(2, np.int64), np.zeros(2, np.int64), np.full(2, 3),
             np.zeros((2, BANDS), np.uint64), np.zeros((2, PERM), np.uint8))
    assert len(list(folder.iterdir())) == 2
    _add(index, rng, range(5, 6), put)
    names = {p.name for p in folder.iterdir()}
    assert not any(n.endswith(segments.PARTIAL) for n in names) and len(names) == 2
    index.close()


def test_a_missing_segment_is_a_one_line_error(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    index = Index.open(db, SETTINGS, create=True)
    _add(index, np.random.default_rng(8), range(0, 5), {})
    index.close()
    for path in Path(db + "-segments").rglob("band_row"):
        path.unlink()
    index = Index.open(db, SETTINGS, create=False)
    with pytest.raises(Exception, match=r"segment files of .* are missing or cut short"):
        index.lookup(np.zeros((1, BANDS), np.uint64), np.zeros((1, PERM), np.uint8), FLOOR)
    index.close()


@pytest.mark.parametrize(("entries", "queries", "space"), [
    (0, 5, 10), (1, 5, 3), (100, 50, 30), (10_000, 3_000, 5_000), (10_000, 30, 2**64 - 1),
    (300_000, 20_000, 2**64 - 1),
], ids=["empty", "one", "dense", "repeats", "sparse", "large"])
def test_band_table_finds_each_keys_entries(tmp_path: Path, entries: int, queries: int,
                                            space: int) -> None:
    """The directory and check bits give each query key's entries: exactly those of equal
    key, and those whose key agrees in its prefix and check bits only; written in key
    ranges cut anywhere, as ``finish`` writes them."""
    rng = np.random.default_rng(entries)
    spread = np.uint64(0x9E3779B97F4A7C15)  # small key spaces over all 64 bits
    table = np.sort(rng.integers(0, space, entries, dtype=np.uint64) * spread)
    probes = rng.integers(0, space, queries, dtype=np.uint64) * spread
    keys = np.unique(np.concatenate([probes, table[::max(1, entries // queries)]]))
    with segments.BandTable(tmp_path, entries) as writer:
        for cut in (np.sort(rng.integers(0, 2**64 - 1, 4, dtype=np.uint64)).tolist()
                    + [1 << 64]):
            taken = int(np.searchsorted(table, np.uint64(min(cut, 2**64 - 1)))
                        ) if cut < 1 << 64 else entries
            start = writer.written
            writer.write(table[start:taken], np.arange(start, taken, dtype=np.uint32), cut)
    bits = segments.prefix_bits(entries)
    directory = np.fromfile(tmp_path / "band_dir", np.int64)
    check = np.fromfile(tmp_path / "band_check", np.uint16)
    assert len(directory) == 2**bits + 1 and len(check) == entries
    assert np.array_equal(np.fromfile(tmp_path / "band_row", np.uint32), np.arange(entries))
    lo, hi = segments._equal_ranges(directory, check, bits, keys)
    close = segments.CHECK_BITS + bits
    top = np.uint64(64 - close)
    assert np.array_equal(lo, np.searchsorted(table >> top, keys >> top, side="left"))
    assert np.array_equal(hi, np.searchsorted(table >> top, keys >> top, side="right"))
    exact = np.searchsorted(table, keys, side="right") - np.searchsorted(table, keys)
    assert (hi - lo >= exact).all() and (exact > 0).any() == (entries > 0)


def test_an_index_of_format_2_is_upgraded_in_place(tmp_path: Path, small: None) -> None:
    """An index whose band tables hold whole keys (format 2) is rewritten on opening and
    answers as one built now."""
    rng = np.random.default_rng(9)
    db = str(tmp_path / "x.db")
    index = Index.open(db, SETTINGS, create=True)
    put: dict[str, tuple] = {}
    _add(index, rng, range(0, 40), put)
    _, query, query_bits = _passages(rng, 25)
    expected = _found(index, query, query_bits, set())
    index.close()
    for folder in Path(db + "-segments").iterdir():  # back to format 2's band table
        keys = np.fromfile(folder / "keys", np.uint64).reshape(-1, BANDS)
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")
        flat[order].tofile(folder / "band_key")
        (order // BANDS).astype(np.uint32).tofile(folder / "band_row")
        (folder / "band_dir").unlink()
        (folder / "band_check").unlink()
    with sqlite3.connect(db) as old:
        old.execute("PRAGMA user_version = 2")
    first = next(Path(db + "-segments").iterdir())
    (first / "band_key").rename(first / "kept")  # an upgrade that cannot read its input
    with pytest.raises(InputError, match=r"index of format 2.*open it once where"):
        Index.open(db, SETTINGS, create=False)
    (first / "kept").rename(first / "band_key")
    index = Index.open(db, SETTINGS, create=False)
    assert _found(index, query, query_bits, set()) == expected
    assert expected.total() > 0
    _same_as_put(index, put)
    assert not list(Path(db + "-segments").rglob("band_key"))
    index.close()

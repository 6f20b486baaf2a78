"""The corpus index: documents (text, metadata, outlet blocks) in one SQLite file, their
passages' LSH band keys and 8-bit MinHash values in segment files beside it
(``FILE-segments/``, see ``bands``), registered in the same transaction. All SQL of
provcheck lives in this package (``schema``, ``sqlite`` and here).

Every write happens in one transaction per run (``BEGIN IMMEDIATE``), so a run killed at
any point leaves the index as it was before the run, and two runs at once take turns: the
second waits for the first (up to ``wait`` seconds), then sees what the first stored.
The index records the settings its signatures were made with and refuses a query made
with others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from provcheck.errors import ConfigError, InputError
from provcheck.index.bands import (
    Hits,
    Segment,
    SegmentInfo,
    lookup,
    remove_unregistered,
    upgrade_band_table,
)
from provcheck.index.schema import (
    APPLICATION_ID,
    BLOCK_COUNTS,
    QUOTATIONS,
    SCHEMA_VERSION,
    create,
    settings_differ,
)
from provcheck.index.segment_set import SegmentSet, to_merge
from provcheck.index.sqlite import (
    DAMAGED,
    as_json,
    connect,
    format_of,
    read_in_stretches,
    sqlite_errors,
)
from provcheck.quotes import stored
from provcheck.records import DocFormat, Document
from provcheck.settings import Settings
from provcheck.signatures import Signed, remap
from provcheck.text.chrome import OUTLET_MIN_DOCS, BlockEntry

K = TypeVar("K")
T = TypeVar("T")
V = TypeVar("V")

CACHE_KIB = 256 * 1024  # SQLite page cache of a connection
_DOCUMENT_FIELDS = frozenset(f.name for f in dataclasses.fields(Document))


@dataclass(frozen=True, slots=True)
class Stored:
    """A document as the index holds it, with its passages' band keys and bits."""

    document: Document
    units: np.ndarray  # int64 [n]
    keys: np.ndarray  # uint64 [n, bands]
    bits: np.ndarray  # uint8 [n, num_perm]
    size: np.ndarray  # int64 [n]: shingles of each unit


class Index:
    """An open corpus index (see the module docstring)."""

    def __init__(self, path: str, connection: sqlite3.Connection, settings: Settings, *,
                 write: bool) -> None:
        self.path = path
        self.db = connection
        self.write = write
        self.settings = settings
        self.folder = Path(path + "-segments")
        self.files = SegmentSet(self.folder, settings)
        self._next_rowid = 0

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str, settings: Settings, *, create: bool, write: bool | None = None,
             wait: float = 600) -> Index:
        """Open the index at ``path`` to read it, or, with ``write`` (``create`` implies
        it), to write it (creating it if ``create``); refuse a file that is not one, or
        one made with other settings. An index opened to read is opened read-only, so it
        can be read from a read-only medium or folder."""
        write = create if write is None else write
        target = Path(path)
        if not create and not target.exists():
            raise InputError(f"{path} does not exist: build it first with "
                             f"'provcheck index add FOLDER --db {path}'.")
        if target.is_dir():
            raise InputError(f"{path} is a folder: give --db a file name such as corpus.db.")
        if not write and format_of(path) == 2:
            try:  # upgraded where it lies, once, as a run that writes it would
                cls.open(path, settings, create=False, write=True, wait=wait).close()
            except InputError as err:
                if "format 2" in str(err):
                    raise
                raise InputError(f"{path} is an index of format 2, which this provcheck "
                                 f"rewrites to format 3 when it opens it, and that failed "
                                 f"({err}): open it once where it can be written, or build a "
                                 "new index.") from err
        existed = target.exists()
        try:
            connection = connect(path, write=write, timeout=wait)
        except sqlite3.OperationalError as err:
            raise InputError(f"cannot open or create {path}: {err}; choose a writable --db "
                             "location.") from err
        except sqlite3.DatabaseError as err:
            raise InputError(DAMAGED.format(path=path, why=err)) from err
        index = cls(path, connection, settings, write=write)
        try:
            with index._guard():
                index._prepare(create)
        except BaseException:
            index.close()
            if create and not existed:  # leave no empty file that is not an index
                for leftover in (path, path + "-wal", path + "-shm"):
                    Path(leftover).unlink(missing_ok=True)
            raise
        return index

    def _prepare(self, create: bool) -> None:
        app = self.db.execute("PRAGMA application_id").fetchone()[0]
        if not self._tables() and app == 0:
            if not create:
                raise InputError(f"{self.path} is an empty file, not a provcheck index.")
            self._create()
        elif app != APPLICATION_ID or "meta" not in self._tables():
            raise InputError(f"{self.path} is an SQLite database but not a provcheck index; "
                             "give --db a provcheck index or a new file name.")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 2 and self.write:
            self._upgrade_from_2()
        elif version != SCHEMA_VERSION:
            upgrade = (" (an index of format 2 is upgraded where it can be written: run "
                       "'provcheck index add' on it once)" if version == 2 else "")
            raise InputError(f"{self.path} is a provcheck index of format {version}; this "
                             f"provcheck reads format {SCHEMA_VERSION}{upgrade}: build a new "
                             "index from the same folders with 'provcheck index add FOLDER "
                             "--db NEW.db'.")
        if self.write:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        # The outlet blocks' B-tree takes inserts at random places: with SQLite's default
        # 2 MB page cache, a large add spends most of its time re-reading its pages.
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._check_settings()
        if create:  # indexes of format 2 made before these get them
            self.db.execute("CREATE INDEX IF NOT EXISTS documents_units ON documents (units)")
            self.db.execute(QUOTATIONS)

    def _tables(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = "
                                              "'table'")}

    def _create(self) -> None:
        """Make the tables of a new index, unless another run made them while this one
        waited for the write lock (two first ``index add`` at once)."""
        with self._schema_transaction():
            if not self._tables():
                create(self.db, self.settings)

    def _upgrade_from_2(self) -> None:
        """Rewrite the band tables of a format-2 index (whole keys, ``band_key``) as
        format 3 reads them; the documents and signatures stay as they are. Until the
        format is raised (one transaction) the old table is the one read, so a run killed
        midway leaves a format-2 index, upgraded again by the next."""
        with self._schema_transaction():
            infos = self._infos()
            try:
                for info in infos:
                    upgrade_band_table(self.folder / info.name, info.entries)
            except OSError as err:
                raise InputError(f"{self.path} is an index of format 2, which this provcheck "
                                 f"rewrites to format 3 when it opens it, and that failed "
                                 f"({err}): open it once where its segment files can be "
                                 "written, or build a new index.") from err
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for info in infos:
            (self.folder / info.name / "band_key").unlink(missing_ok=True)

    def _check_settings(self) -> None:
        differ = settings_differ(self.db, self.settings)
        if differ:
            raise ConfigError(f"{self.path} was built with other settings: {'; '.join(differ)}. "
                              "Run with the index's settings, or build a new index.")

    def close(self) -> None:
        self.db.close()

    # --- transactions and errors -------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; a second writer waits for the first to finish. The
        passages put in it become a segment, registered at commit."""
        with self._guard():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                # Under the write lock: only a killed run's or a merge's leftovers are here.
                remove_unregistered(self.folder, {i.name for i in self._infos()})
                self._next_rowid = self._first_free_rowid()
                yield
                self._publish()
            except BaseException:
                self.db.execute("ROLLBACK")
                self.files.discard()
                raise
            self.db.execute("COMMIT")
            self.files.forget()
            remove_unregistered(self.folder, {i.name for i in self._infos()})

    @contextlib.contextmanager
    def _schema_transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _guard(self) -> contextlib.AbstractContextManager[None]:
        return sqlite_errors(self.path)

    # --- reading -----------------------------------------------------------------------

    def known_files(self) -> dict[str, tuple[int, float, str]]:
        """path -> (size, mtime, sha256) of every file added."""
        with self._guard():
            return {p: (s, m, h) for p, s, m, h in
                    self.db.execute("SELECT path, size, mtime, sha256 FROM documents")}

    def fingerprints(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """document id -> (sha256 of its text, its metadata record as stored), for those
        of ``ids`` the index holds."""
        def read(db: sqlite3.Connection, part: list[str]) -> dict[str, tuple[str, str]]:
            return {i: (h, r) for i, h, r in db.execute(
                "SELECT id, sha256, record FROM documents WHERE id IN "
                "(SELECT value FROM json_each(?))", (as_json(part),))}

        return self._in_stretches(sorted(set(ids)), read)

    def outlet_blocks(self, rowids: Sequence[int]) -> set[BlockEntry]:
        """The blocks of the documents ``rowids`` that count towards their outlets'
        boilerplate, as ``put`` stored them: what segmenting them again would give."""
        def read(db: sqlite3.Connection, part: list[int]) -> dict[BlockEntry, None]:
            return dict.fromkeys(db.execute(
                "SELECT outlet, key FROM outlet_blocks WHERE doc IN "
                "(SELECT value FROM json_each(?))", (as_json(part),)))

        return set(self._in_stretches(sorted({int(r) for r in rowids}), read))

    def block_counts(self, entries: Iterable[BlockEntry], exclude: Iterable[int] = (), *,
                     at_most: int = OUTLET_MIN_DOCS) -> dict[BlockEntry, int]:
        """How many indexed documents, other than the rowids ``exclude``, print each
        (outlet, block key) of ``entries`` (see ``chrome.corpus_boilerplate``), counted
        up to ``at_most``: the boilerplate rule needs no more, and an outlet's footer
        can be printed by a hundred thousand indexed documents. In key order, the probes
        walk the table's B-tree front to back (a check's 7,680 indexed articles make 139
        thousand: see ``_in_stretches``)."""
        skip = json.dumps(sorted(set(exclude)))

        def count(db: sqlite3.Connection, probes: list[BlockEntry]) -> dict[BlockEntry, int]:
            rows = db.execute(BLOCK_COUNTS, (as_json(probes), skip, at_most))
            return {(outlet, key): n for outlet, key, n in rows if n}

        return self._in_stretches(sorted(set(entries)), count)

    def rowids(self, ids: Sequence[str] | None = None) -> dict[str, int]:
        """document id -> rowid, for every document or those of ``ids`` held."""
        if ids is None:
            with self._guard():
                return dict(self.db.execute("SELECT id, rowid FROM documents"))

        def read(db: sqlite3.Connection, part: list[str]) -> dict[str, int]:
            return dict(db.execute("SELECT id, rowid FROM documents WHERE id IN "
                                   "(SELECT value FROM json_each(?))", (as_json(part),)))

        return self._in_stretches(sorted(set(ids)), read)

    def documents(self, rowids: Sequence[int]) -> dict[int, Document]:
        """The documents ``rowids`` that the index holds, in that order."""

        def read(db: sqlite3.Connection, part: list[int]) -> dict[int, tuple]:
            return {row: rest for row, *rest in db.execute(
                "SELECT d.rowid, d.id, d.path, d.sha256, d.record, d.text FROM json_each(?) "
                "AS j JOIN documents AS d ON d.rowid = j.value", (as_json(part),))}

        wanted = [int(r) for r in rowids]
        found = self._in_stretches(wanted, read)
        return {row: _document(*found[row]) for row in wanted if row in found}

    def quotations(self, rowids: Sequence[int]) -> dict[int, str]:
        """The stored quotations (``quotes.stored``) of the documents ``rowids``, where
        the rules of this provcheck made them; an index made before they were stored
        has none."""
        with self._guard():
            if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'quotations'"
                                   ).fetchone():
                return {}

        def read(db: sqlite3.Connection, part: list[int]) -> dict[int, str]:
            return dict(db.execute(
                "SELECT q.doc, q.record FROM json_each(?) AS j JOIN quotations AS q "
                "ON q.doc = j.value WHERE q.version = ?", (as_json(part), stored.VERSION)))

        return self._in_stretches(sorted({int(r) for r in rowids}), read)

    def _in_stretches(self, items: list[T], read: Callable[[sqlite3.Connection, list[T]],
                                                           dict[K, V]]) -> dict[K, V]:
        """``read`` over ``items`` (``sqlite.read_in_stretches``): every bulk read."""
        def reopen() -> sqlite3.Connection:
            return connect(self.path, write=self.write, timeout=60, check_same_thread=False)

        with self._guard():
            return read_in_stretches(self.db, reopen, items, read)

    def stored(self, rowid: int) -> Stored:
        with self._guard():
            doc = self.documents([rowid])[rowid]
            for seg in self._segments():
                rows = seg.rows_of(rowid)
                if rows.stop > rows.start:
                    return Stored(document=doc, units=seg.unit[rows].astype(np.int64),
                                  keys=np.array(seg.keys[rows]), bits=np.array(seg.bits[rows]),
                                  size=seg.size[rows].astype(np.int64))
        return Stored(document=doc, units=np.zeros(0, np.int64),
                      keys=np.zeros((0, self.settings.bands[0]), np.uint64),
                      bits=np.zeros((0, self.settings.num_perm), np.uint8),
                      size=np.zeros(0, np.int64))

    def lookup(self, keys: np.ndarray, bits: np.ndarray, floor: float,
               exclude: set[int] | None = None) -> Hits:
        """Indexed passages sharing a band key with the query rows of ``keys`` and
        estimated (from ``bits``) to have a Jaccard of at least ``floor`` with them."""
        with self._guard():
            segments = self._segments()
            # Passages of removed documents stay in their segments until a merge.
            removed = sum(i.units for i in self._infos()) != self._live_units()
            live = self._live_rowids() if removed else None
        return lookup(segments, keys, bits, live,
                      np.array(sorted(exclude or ()), dtype=np.int64),
                      self.settings.max_bucket_docs, floor)

    def stats(self) -> dict[str, Any]:
        with self._guard():
            meta = {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")
                    if k != "next_rowid"}
            documents, passages = self.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(units), 0) FROM documents").fetchone()
            infos = self._infos()
        files = [Path(self.path)] + ([f for f in self.folder.rglob("*") if f.is_file()]
                                     if self.folder.is_dir() else [])
        return {
            "path": self.path,
            "documents": documents,
            "passages": passages,
            "band_entries": passages * self.settings.bands[0],
            "segments": len(infos),
            "stored_passages": sum(i.units for i in infos),  # removed ones until a merge
            "bytes": sum(f.stat().st_size for f in files),
            "settings": meta,
        }

    def listing(self) -> list[dict[str, Any]]:
        with self._guard():
            rows = self.db.execute("SELECT id, path, sha256, record, added FROM documents "
                                   "ORDER BY id").fetchall()
        out = []
        for doc_id, path, sha, record, added in rows:
            meta = json.loads(record)
            out.append({"id": doc_id, "path": path, "sha256": sha, "title": meta.get("title"),
                        "outlet": meta.get("outlet"), "published": meta.get("published"),
                        "added": added})
        return out

    # --- writing (inside ``transaction``) -------------------------------------------------

    def put(self, doc: Document, signed: Signed, blocks: Iterable[BlockEntry],
            file_stat: tuple[int, float] | None, quotations: str | None = None) -> None:
        """Store a document with its passages' signatures, the blocks that count towards
        its outlet's boilerplate and its quotations (``quotes.stored``), replacing an
        older version with the same id."""
        old = self.db.execute("SELECT rowid FROM documents WHERE id = ?", (doc.id,)).fetchone()
        if old:
            self._delete(old[0])
        size, mtime = file_stat or (None, None)
        # Rowids are never reused: segments may still hold a removed document's passages.
        rowid, self._next_rowid = self._next_rowid, self._next_rowid + 1
        self.db.execute(
            "INSERT INTO documents (rowid, id, path, sha256, size, mtime, record, text, added, "
            "units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, doc.id, doc.path, doc.sha256, size, mtime, record_of(doc), doc.text,
             time.strftime("%Y-%m-%dT%H:%M:%S"), len(signed.unit)))
        self.files.add(remap(signed, [rowid]))
        self.db.executemany("INSERT OR IGNORE INTO outlet_blocks VALUES (?, ?, ?)",
                            [(outlet, key, rowid) for outlet, key in blocks])
        if quotations is not None:
            self.db.execute("INSERT INTO quotations VALUES (?, ?, ?)",
                            (rowid, stored.VERSION, quotations))

    def touch(self, doc_id: str, file_stat: tuple[int, float]) -> None:
        """Record a file's new size and time when its text did not change."""
        self.db.execute("UPDATE documents SET size = ?, mtime = ? WHERE id = ?",
                        (*file_stat, doc_id))

    def remove(self, doc_id: str) -> bool:
        row = self.db.execute("SELECT rowid FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if not row:
            return False
        self._delete(row[0])
        return True

    def _delete(self, rowid: int) -> None:
        # Its passages stay in their segment, unseen (lookups keep live documents only),
        # until a merge drops them.
        self.db.execute("DELETE FROM outlet_blocks WHERE doc = ?", (rowid,))
        self.db.execute("DELETE FROM quotations WHERE doc = ?", (rowid,))
        self.db.execute("DELETE FROM documents WHERE rowid = ?", (rowid,))

    # --- segments ----------------------------------------------------------------------

    def _infos(self) -> list[SegmentInfo]:
        return [SegmentInfo(n, u, e) for n, u, e in self.db.execute(
            "SELECT name, units, entries FROM segments ORDER BY rowid")]

    def _segments(self) -> list[Segment]:
        return self.files.opened(self._infos(), self.path)

    def _live_units(self) -> int:
        """Passages of the documents held (read from the index on units, not the rows
        with their texts, which would read every page of the table)."""
        return int(self.db.execute("SELECT COALESCE(SUM(units), 0) FROM documents")
                   .fetchone()[0])

    def _live_rowids(self) -> np.ndarray:
        return np.fromiter((r for (r,) in self.db.execute(
            "SELECT rowid FROM documents ORDER BY rowid")), dtype=np.int64)

    def _first_free_rowid(self) -> int:
        stored = self.db.execute("SELECT value FROM meta WHERE key = 'next_rowid'").fetchone()
        top = self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM documents").fetchone()
        return max(json.loads(stored[0]) if stored else 1, top[0])

    def _publish(self) -> None:
        """Register the segment of this transaction's passages; merge segments when there
        are too many, or when a quarter of what they hold was removed."""
        made = self.files.finish()
        if made is not None:
            self._register(made)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('next_rowid', ?)",
                        (json.dumps(self._next_rowid),))
        merging = to_merge(self._infos(), self._live_units())
        if merging:
            merged = self.files.merged(merging, self._live_rowids())
            self.db.executemany("DELETE FROM segments WHERE name = ?",
                                [(i.name,) for i in merging])
            self._register(merged)

    def _register(self, info: SegmentInfo) -> None:
        self.db.execute("INSERT INTO segments VALUES (?, ?, ?, ?)",
                        (info.name, info.units, info.entries, time.strftime("%Y-%m-%dT%H:%M:%S")))


def record_of(doc: Document) -> str:
    """A document's metadata as the index stores it (JSON): all but id, path, hash, text."""
    return json.dumps({k: v for k, v in dataclasses.asdict(doc).items()
                       if k not in ("id", "path", "sha256", "text")}, sort_keys=True)


def _document(doc_id: str, path: str, sha: str, record: str, text: str) -> Document:
    fields: Mapping[str, Any] = json.loads(record)
    values = {k: v for k, v in fields.items() if k in _DOCUMENT_FIELDS}
    values["notes"] = tuple(values.get("notes", ()))
    values["format"] = DocFormat(values["format"])
    return Document(id=doc_id, path=path, sha256=sha, text=text, **values)

"""The corpus index: documents, their passages' LSH band keys and 8-bit MinHash values, in
one SQLite file. All SQL of provcheck lives here.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from provcheck import __version__
from provcheck.chrome import BlockEntry
from provcheck.errors import ConfigError, InputError
from provcheck.records import Document
from provcheck.settings import Settings

APPLICATION_ID = 0x70726F76  # "prov"
SCHEMA_VERSION = 1
# Settings an index's signatures depend on; a query must use the same.
KEYED_SETTINGS = ("num_perm", "seed", "scheme", "shingle", "lsh_threshold", "analysis")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER,
    mtime REAL,
    record TEXT NOT NULL,
    text TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE units (
    doc INTEGER NOT NULL, unit INTEGER NOT NULL, bits BLOB NOT NULL, keys BLOB NOT NULL,
    PRIMARY KEY (doc, unit)
) WITHOUT ROWID;
CREATE TABLE bands (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, unit INTEGER NOT NULL,
    PRIMARY KEY (key, doc, unit)
) WITHOUT ROWID;
CREATE TABLE outlet_blocks (
    outlet TEXT NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (outlet, key, doc)
) WITHOUT ROWID;
CREATE INDEX outlet_blocks_doc ON outlet_blocks (doc);
"""


@dataclass(frozen=True, slots=True)
class Stored:
    """A document as the index holds it, with its passages' band keys and bits."""

    document: Document
    units: np.ndarray  # int64 [n]
    keys: np.ndarray  # uint64 [n, bands]
    bits: np.ndarray  # uint8 [n, num_perm]


@dataclass(frozen=True, slots=True)
class Hits:
    """Indexed passages that share a band with query passages."""

    query: np.ndarray  # int64: row of the query passage
    doc: np.ndarray  # int64: index rowid of the matching document
    unit: np.ndarray  # int64: its unit
    bits: np.ndarray  # uint8 [n, num_perm]: the matching unit's values
    docs_per_key: np.ndarray  # int64: documents sharing the band key of each hit


class Index:
    """An open corpus index (see the module docstring)."""

    def __init__(self, path: str, connection: sqlite3.Connection, settings: Settings) -> None:
        self.path = path
        self.db = connection
        self.settings = settings

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str, settings: Settings, *, create: bool, wait: float = 600) -> Index:
        """Open (or create) the index at ``path``; refuse a file that is not one, or one
        made with other settings."""
        target = Path(path)
        if not create and not target.exists():
            raise InputError(f"{path} does not exist: build it first with "
                             f"'provcheck index add FOLDER --db {path}'.")
        if target.is_dir():
            raise InputError(f"{path} is a folder: give --db a file name such as corpus.db.")
        try:
            connection = sqlite3.connect(path, timeout=wait, isolation_level=None)
        except sqlite3.OperationalError as err:
            raise InputError(f"cannot open or create {path}: {err}; choose a writable --db "
                             "location.") from err
        index = cls(path, connection, settings)
        with index._guard():
            index._prepare(create)
        return index

    def _prepare(self, create: bool) -> None:
        app = self.db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = "
                                                "'table'")}
        if not tables and app == 0:
            if not create:
                raise InputError(f"{self.path} is an empty file, not a provcheck index.")
            self._create()
        elif app != APPLICATION_ID or "meta" not in tables:
            raise InputError(f"{self.path} is an SQLite database but not a provcheck index; "
                             "give --db a provcheck index or a new file name.")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._check_settings()

    def _create(self) -> None:
        with self.transaction():
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for statement in _SCHEMA.split(";"):  # not executescript: it would commit
                if statement.strip():
                    self.db.execute(statement)
            meta = {**_keyed(self.settings), "bands": self.settings.bands[0],
                    "rows": self.settings.bands[1], "created_by": f"provcheck {__version__}",
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
            self.db.executemany("INSERT INTO meta VALUES (?, ?)",
                                [(k, json.dumps(v)) for k, v in meta.items()])

    def _check_settings(self) -> None:
        stored = {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}
        mine = _keyed(self.settings)
        differ = [f"{k} {mine[k]!r} (index: {stored.get(k)!r})" for k in KEYED_SETTINGS
                  if stored.get(k) != mine[k]]
        if differ:
            raise ConfigError(f"{self.path} was built with other settings: {'; '.join(differ)}. "
                              "Run with the index's settings, or build a new index.")

    @staticmethod
    def stored_settings(path: str) -> dict[str, Any]:
        """The keyed settings an existing index was built with (empty if none)."""
        if not Path(path).is_file():
            return {}
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")
                        if k in KEYED_SETTINGS}
        except sqlite3.DatabaseError:
            return {}  # opening it properly will say what is wrong

    def close(self) -> None:
        self.db.close()

    # --- transactions and errors -------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; a second writer waits for the first to finish."""
        with self._guard():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite errors as one-line provcheck errors."""
        try:
            yield
        except sqlite3.OperationalError as err:
            text = str(err)
            if "locked" in text or "busy" in text:
                raise InputError(f"{self.path} is being written by another provcheck run; try "
                                 "again when it has finished.") from err
            if "readonly" in text or "unable to open" in text:
                raise InputError(f"cannot write {self.path}: {text}; choose a writable --db "
                                 "location.") from err
            raise InputError(f"{self.path}: {text}") from err
        except sqlite3.DatabaseError as err:
            raise InputError(f"{self.path} is damaged or not an SQLite database ({err}); "
                             "restore it from a backup or rebuild it with 'provcheck index "
                             "add'.") from err

    # --- reading -----------------------------------------------------------------------

    def known_files(self) -> dict[str, tuple[int, float, str]]:
        """path -> (size, mtime, sha256) of every file added."""
        with self._guard():
            return {p: (s, m, h) for p, s, m, h in
                    self.db.execute("SELECT path, size, mtime, sha256 FROM documents")}

    def sha_of(self) -> dict[str, str]:
        with self._guard():
            return dict(self.db.execute("SELECT id, sha256 FROM documents"))

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """document id -> (sha256 of its text, its metadata record as stored)."""
        with self._guard():
            return {i: (h, r) for i, h, r in
                    self.db.execute("SELECT id, sha256, record FROM documents")}

    def block_counts(self, entries: Iterable[BlockEntry], exclude: Iterable[int] = ()
                     ) -> dict[BlockEntry, int]:
        """How many indexed documents, other than the rowids ``exclude``, print each
        (outlet, block key) of ``entries`` (see ``chrome.corpus_boilerplate``)."""
        skip = set(exclude)
        counts: dict[BlockEntry, int] = {}
        with self._guard():
            for outlet, key in set(entries):
                docs = [d for (d,) in self.db.execute(
                    "SELECT doc FROM outlet_blocks WHERE outlet = ? AND key = ?", (outlet, key))
                    if d not in skip]
                if docs:
                    counts[(outlet, key)] = len(docs)
        return counts

    def rowids(self) -> dict[str, int]:
        """document id -> rowid, for every document."""
        with self._guard():
            return dict(self.db.execute("SELECT id, rowid FROM documents"))

    def documents(self, rowids: Sequence[int]) -> dict[int, Document]:
        out = {}
        with self._guard():
            for row in rowids:
                found = self.db.execute("SELECT id, path, sha256, record, text FROM documents "
                                        "WHERE rowid = ?", (int(row),)).fetchone()
                if found:
                    out[int(row)] = _document(*found)
        return out

    def stored(self, rowid: int) -> Stored:
        with self._guard():
            doc = self.documents([rowid])[rowid]
            rows = self.db.execute("SELECT unit, bits, keys FROM units WHERE doc = ? ORDER BY "
                                   "unit", (rowid,)).fetchall()
        bands = self.settings.bands[0]
        return Stored(
            document=doc,
            units=np.array([r[0] for r in rows], dtype=np.int64),
            bits=np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint8).reshape(
                len(rows), self.settings.num_perm),
            keys=np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint64).reshape(
                len(rows), bands),
        )

    def lookup(self, keys: np.ndarray, exclude: set[int] | None = None) -> Hits:
        """Indexed passages sharing a band key with the query rows of ``keys``."""
        flat = keys.view(np.int64).ravel()
        query = np.repeat(np.arange(keys.shape[0]), keys.shape[1])
        with self._guard():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS probe (key INTEGER, row INTEGER)")
            self.db.execute("DELETE FROM probe")
            self.db.executemany("INSERT INTO probe VALUES (?, ?)",
                                zip(flat.tolist(), query.tolist(), strict=True))
            found = self.db.execute(
                "SELECT p.row, b.doc, b.unit, b.key FROM probe p JOIN bands b ON b.key = p.key"
            ).fetchall()
            bits = {(d, u): b for d, u, b in self.db.execute(
                "SELECT u.doc, u.unit, u.bits FROM units u JOIN (SELECT DISTINCT b.doc, b.unit "
                "FROM probe p JOIN bands b ON b.key = p.key) h ON u.doc = h.doc AND "
                "u.unit = h.unit")}
        if exclude:
            found = [f for f in found if f[1] not in exclude]
        arr = np.array([(r, d, u) for r, d, u, _ in found], dtype=np.int64).reshape(-1, 3)
        key_docs: dict[int, set[int]] = {}
        for _, d, _, k in found:
            key_docs.setdefault(k, set()).add(d)
        return Hits(
            query=arr[:, 0], doc=arr[:, 1], unit=arr[:, 2],
            bits=np.stack([np.frombuffer(bits[(d, u)], dtype=np.uint8) for _, d, u in arr])
            if len(arr) else np.zeros((0, self.settings.num_perm), dtype=np.uint8),
            docs_per_key=np.array([len(key_docs[k]) for *_, k in found], dtype=np.int64),
        )

    def stats(self) -> dict[str, Any]:
        with self._guard():
            meta = {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}
            count = self.db.execute
            return {
                "path": self.path,
                "documents": count("SELECT COUNT(*) FROM documents").fetchone()[0],
                "passages": count("SELECT COUNT(*) FROM units").fetchone()[0],
                "band_entries": count("SELECT COUNT(*) FROM bands").fetchone()[0],
                "bytes": Path(self.path).stat().st_size,
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

    def put(self, doc: Document, units: np.ndarray, keys: np.ndarray, bits: np.ndarray,
            blocks: Iterable[BlockEntry], file_stat: tuple[int, float] | None) -> None:
        """Store a document with its passages' signatures and the blocks that count
        towards its outlet's boilerplate, replacing an older version with the same id."""
        old = self.db.execute("SELECT rowid FROM documents WHERE id = ?", (doc.id,)).fetchone()
        if old:
            self._delete(old[0])
        size, mtime = file_stat or (None, None)
        rowid = self.db.execute(
            "INSERT INTO documents (id, path, sha256, size, mtime, record, text, added) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.path, doc.sha256, size, mtime, record_of(doc), doc.text,
             time.strftime("%Y-%m-%dT%H:%M:%S"))).lastrowid
        self.db.executemany("INSERT INTO units VALUES (?, ?, ?, ?)", [
            (rowid, int(u), bits[n].tobytes(), keys[n].tobytes()) for n, u in enumerate(units)])
        flat = keys.view(np.int64).ravel().tolist()
        owners = np.repeat(units, keys.shape[1]).tolist()
        self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?, ?)",
                            [(k, rowid, u) for k, u in zip(flat, owners, strict=True)])
        self.db.executemany("INSERT OR IGNORE INTO outlet_blocks VALUES (?, ?, ?)",
                            [(outlet, key, rowid) for outlet, key in blocks])

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
        for unit, keys in self.db.execute("SELECT unit, keys FROM units WHERE doc = ?",
                                          (rowid,)).fetchall():
            self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ? AND unit = ?",
                                [(k, rowid, unit) for k in
                                 np.frombuffer(keys, dtype=np.int64).tolist()])
        self.db.execute("DELETE FROM units WHERE doc = ?", (rowid,))
        self.db.execute("DELETE FROM outlet_blocks WHERE doc = ?", (rowid,))
        self.db.execute("DELETE FROM documents WHERE rowid = ?", (rowid,))


def record_of(doc: Document) -> str:
    """A document's metadata as the index stores it (JSON): all but id, path, hash, text."""
    return json.dumps({k: v for k, v in dataclasses.asdict(doc).items()
                       if k not in ("id", "path", "sha256", "text")}, sort_keys=True)


def _keyed(settings: Settings) -> dict[str, Any]:
    values = settings.to_dict()
    return {k: values[k] for k in KEYED_SETTINGS}


def _document(doc_id: str, path: str, sha: str, record: str, text: str) -> Document:
    fields: Mapping[str, Any] = json.loads(record)
    allowed = {f.name for f in dataclasses.fields(Document)}
    values = {k: v for k, v in fields.items() if k in allowed}
    values["notes"] = tuple(values.get("notes", ()))
    return Document(id=doc_id, path=path, sha256=sha, text=text, **values)

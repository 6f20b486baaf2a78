"""The index's SQLite schema: its tables, how a new index is made, and the settings it
records (a query must use the ones its signatures were made with)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from provcheck import __version__
from provcheck.index.sqlite import connect
from provcheck.settings import Settings

APPLICATION_ID = 0x70726F76  # "prov"
SCHEMA_VERSION = 3  # 3: band tables of prefix directories and check bits (segments)
# Settings an index's signatures depend on; a query must use the same.
KEYED_SETTINGS = ("num_perm", "seed", "scheme", "shingle", "lsh_threshold", "analysis")

SCHEMA = """
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
    added TEXT NOT NULL,
    units INTEGER NOT NULL
);
CREATE TABLE segments (
    name TEXT PRIMARY KEY, units INTEGER NOT NULL, entries INTEGER NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE outlet_blocks (
    outlet TEXT NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (outlet, key, doc)
) WITHOUT ROWID;
CREATE INDEX outlet_blocks_doc ON outlet_blocks (doc);
CREATE INDEX documents_units ON documents (units);
"""
# Each document's quotations as ``quotes.stored`` records them, with the version of the
# rules that found them (added to format 2; an index made before has none).
QUOTATIONS = ("CREATE TABLE IF NOT EXISTS quotations (doc INTEGER PRIMARY KEY, "
               "version INTEGER NOT NULL, record TEXT NOT NULL)")


# The documents other than ?2 (a JSON list) that print each (outlet, key) of ?1, up to ?3:
# SQLite walks the probes without coming back to Python between them.
BLOCK_COUNTS = """
SELECT json_extract(p.value, '$[0]') AS outlet, json_extract(p.value, '$[1]') AS key, (
    SELECT COUNT(*) FROM (
        SELECT 1 FROM outlet_blocks b
        WHERE b.outlet = json_extract(p.value, '$[0]') AND b.key = json_extract(p.value, '$[1]')
          AND b.doc NOT IN (SELECT value FROM json_each(?2))
        LIMIT ?3))
FROM json_each(?1) AS p
"""


def create(db: sqlite3.Connection, settings: Settings) -> None:
    """Make the tables of a new index (inside a transaction), recording ``settings``."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    for statement in [*SCHEMA.split(";"), QUOTATIONS]:  # not executescript: it commits
        if statement.strip():
            db.execute(statement)
    meta = {**keyed(settings), "bands": settings.bands[0], "rows": settings.bands[1],
            "created_by": f"provcheck {__version__}",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])


def settings_differ(db: sqlite3.Connection, settings: Settings) -> list[str]:
    """Each keyed setting in which ``settings`` differ from the index's, in words."""
    stored = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    mine = keyed(settings)
    return [f"{k} {mine[k]!r} (index: {stored.get(k)!r})" for k in KEYED_SETTINGS
            if stored.get(k) != mine[k]]


def keyed(settings: Settings) -> dict[str, Any]:
    values = settings.to_dict()
    return {k: values[k] for k in KEYED_SETTINGS}


def stored_settings(path: str) -> dict[str, Any]:
    """The keyed settings an existing index was built with (empty if none)."""
    if not Path(path).is_file():
        return {}
    try:
        with contextlib.closing(connect(path, write=False, timeout=60)) as db:
            return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")
                    if k in KEYED_SETTINGS}
    except sqlite3.DatabaseError:
        return {}  # opening it properly will say what is wrong

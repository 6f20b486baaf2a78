"""SQLite as the index uses it: connections read-write or read-only, and bulk reads
spread over several connections."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from provcheck.errors import InputError

K = TypeVar("K")
T = TypeVar("T")
V = TypeVar("V")

DAMAGED = ("{path} is damaged or not an SQLite database ({why}); restore it from a "
           "backup or rebuild it with 'provcheck index add'.")
FULL = ("cannot write {path} ({why}): the disk may be full; free space on it or choose "
        "another --db location. The index is as it was before this run.")
# Bulk reads of this many items or more are spread over READERS connections.
STRETCHES_FROM = 1000
READERS = 8


def connect(path: str, *, write: bool, timeout: float,
             check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to the index file at ``path``: read-write, or read-only. A reader of
    an index in WAL mode needs its ``-shm`` file, which it cannot make in a read-only
    folder: there, the file is opened as immutable (no run can be writing it, as a writer
    could not make its files there either)."""
    if write:
        return sqlite3.connect(path, timeout=timeout, isolation_level=None,
                               check_same_thread=check_same_thread)
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout,
                                 isolation_level=None, check_same_thread=check_same_thread)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as err:
        connection.close()
        if "unable to open" not in str(err) and "readonly" not in str(err):
            raise
        connection = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True,
                                     timeout=timeout, isolation_level=None,
                                     check_same_thread=check_same_thread)
    return connection


def format_of(path: str) -> int | None:
    """The format (``user_version``) of the index at ``path``; None if it cannot be read
    (opening it says why)."""
    try:
        with contextlib.closing(connect(path, write=False, timeout=60)) as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def as_json(items: Sequence[Any]) -> str:
    """A list of values as one SQL parameter, read back by ``json_each(?)``: a bulk
    read is one statement whatever its length (no limit on host parameters)."""
    return json.dumps(list(items))


def read_in_stretches(db: sqlite3.Connection, reopen: Callable[[], sqlite3.Connection],
                      items: list[T], read: Callable[[sqlite3.Connection, list[T]], dict[K, V]],
                      ) -> dict[K, V]:
    """``read(connection, items)``, for ``items`` in the order of the table's key: on
    ``db`` when they are few, else cut into READERS stretches read at once, each on a
    connection of its own (``reopen``). From a cold page cache each item waits for a
    random page read, and a disk serves several at once faster than one after another
    (benchmarks/RESULTS.md: a check's outlet-block probes about three times faster)."""
    # Inside a write transaction, only this connection sees what it has written.
    if len(items) < STRETCHES_FROM or db.in_transaction:
        return read(db, items)
    stretches = [items[k * len(items) // READERS:(k + 1) * len(items) // READERS]
                 for k in range(READERS)]

    def on_own_connection(stretch: list[T]) -> dict[K, V]:
        with contextlib.closing(reopen()) as own:
            return read(own, stretch)

    out: dict[K, V] = {}
    with ThreadPoolExecutor(READERS) as pool:
        for part in pool.map(on_own_connection, stretches):  # in order
            out.update(part)
    return out


@contextlib.contextmanager
def sqlite_errors(path: str) -> Iterator[None]:
    """SQLite errors as one-line provcheck errors."""
    try:
        yield
    except sqlite3.OperationalError as err:
        text = str(err)
        if "locked" in text or "busy" in text:
            raise InputError(f"{path} is being written by another provcheck run; try "
                             "again when it has finished.") from err
        if "readonly" in text or "unable to open" in text:
            raise InputError(f"cannot write {path}: {text}; choose a writable --db "
                             "location.") from err
        if "full" in text or "I/O" in text:
            raise InputError(FULL.format(path=path, why=text)) from err
        raise InputError(f"{path}: {text}") from err
    except sqlite3.DatabaseError as err:
        raise InputError(DAMAGED.format(path=path, why=err)) from err

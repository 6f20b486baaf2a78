"""The optional manifest (``--meta FILE``): outlet, date, url and title per document.

CSV with a header row, or JSON Lines; each row is keyed by ``path`` or ``id`` and may
set ``outlet``, ``published``, ``url`` and ``title``. A path matches a document's path
as given, its path relative to the input folder, or its file name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provcheck import safe
from provcheck.errors import ConfigError
from provcheck.metadata import parse_date

KEYS = ("path", "id")  # what a row is matched to a document by
FIELDS = ("outlet", "published", "url", "title")


@dataclass(frozen=True, slots=True)
class Manifest:
    """Rows of a manifest by key (a path, a file name or a document id), and the columns
    it has that provcheck does not read (said in the report's notes)."""

    path: str
    rows: dict[str, dict[str, str]]
    used: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    def lookup(self, *keys: str) -> dict[str, str] | None:
        for key in keys:
            row = self.rows.get(key)
            if row is not None:
                return row
        return None

    def columns_note(self) -> str:
        """Which columns were read and which were not: a misspelt column (``date`` for
        ``published``) is otherwise lost without a word."""
        note = f"manifest {safe.name(self.path)}: used columns {', '.join(self.used)}"
        if self.ignored:
            note += (f"; ignored columns {', '.join(safe.one_line(c) for c in self.ignored)} "
                     f"(provcheck reads {', '.join(KEYS + FIELDS)})")
        return note


def load_manifest(path: str) -> Manifest:
    """Read a CSV or JSONL manifest; raise ConfigError naming the line and the fix."""
    source = Path(path)
    shown = safe.name(path)
    if not source.is_file():
        raise ConfigError(f"manifest {shown} does not exist: give a CSV or JSONL file to "
                          "--meta.")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"manifest {shown} cannot be read as UTF-8 text: {err}") from err
    columns: set[str] = set()
    if source.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = list(_jsonl_rows(shown, text))
    else:
        rows = list(_csv_rows(shown, text))
    table: dict[str, dict[str, str]] = {}
    for line, row in rows:
        columns.update(str(c) for c in row if c is not None)
        key = str(row.get("path") or row.get("id") or "").strip()
        if not key:
            raise ConfigError(f"manifest {shown} line {line}: no 'path' or 'id' value.")
        table[key] = _clean(shown, line, row)
    return Manifest(path, table, tuple(c for c in KEYS + FIELDS if c in columns),
                    tuple(sorted(columns - set(KEYS + FIELDS))))


def _clean(shown: str, line: int, row: dict[str, object]) -> dict[str, str]:
    out = {}
    for name in FIELDS:
        value = row.get(name)
        if value is None or str(value).strip() == "":
            continue
        out[name] = str(value).strip()
    if "published" in out:
        iso = parse_date(out["published"])
        if iso is None:
            raise ConfigError(
                f"manifest {shown} line {line}: published {out['published']!r} is not a "
                "date; use ISO 8601, e.g. 2021-02-18 or 2021-02-18T10:46."
            )
        out["published"] = iso
    return out


def _csv_rows(shown: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # Strict, so that a quote left open is an error rather than a value that swallows
    # every row after it; read from the text itself, so a quoted value keeps its lines.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        fieldnames = reader.fieldnames
        if not fieldnames or not {"path", "id"} & set(fieldnames):
            raise ConfigError(
                f"manifest {shown}: the header row needs a 'path' or 'id' column "
                f"(found {', '.join(fieldnames or []) or 'none'})."
            )
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            if None in row:
                raise ConfigError(f"manifest {shown} line {start}: more values than the "
                                  f"header's {len(fieldnames)} columns; quote values that "
                                  "hold a comma.")
            yield start, row
    except csv.Error as err:
        raise ConfigError(f"manifest {shown} line {start}: not valid CSV ({err}); a quoted "
                          "value must end with a quote.") from err


def _jsonl_rows(shown: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"manifest {shown} line {number}: invalid JSON ({err.msg}).") \
                from err
        if not isinstance(row, dict):
            raise ConfigError(f"manifest {shown} line {number}: expected a JSON object.")
        yield number, row

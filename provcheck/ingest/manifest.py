"""The optional manifest (``--meta FILE``): outlet, date, url and title per document.

CSV with a header row, or JSON Lines; each row is keyed by ``path`` or ``id`` and may
set ``outlet``, ``published``, ``url`` and ``title``. A path matches a document's path
as given, its path relative to the input folder, or its file name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provcheck.errors import ConfigError
from provcheck.metadata import parse_date

FIELDS = ("outlet", "published", "url", "title")


@dataclass(frozen=True, slots=True)
class Manifest:
    """Rows of a manifest by key (a path, a file name or a document id)."""

    path: str
    rows: dict[str, dict[str, str]]

    def lookup(self, *keys: str) -> dict[str, str] | None:
        for key in keys:
            row = self.rows.get(key)
            if row is not None:
                return row
        return None


def load_manifest(path: str) -> Manifest:
    """Read a CSV or JSONL manifest; raise ConfigError naming the line and the fix."""
    source = Path(path)
    if not source.is_file():
        raise ConfigError(f"manifest {path} does not exist: give a CSV or JSONL file to --meta.")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"manifest {path} cannot be read as UTF-8 text: {err}") from err
    if source.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = list(_jsonl_rows(path, text))
    else:
        rows = list(_csv_rows(path, text))
    table: dict[str, dict[str, str]] = {}
    for line, row in rows:
        key = str(row.get("path") or row.get("id") or "").strip()
        if not key:
            raise ConfigError(f"manifest {path} line {line}: no 'path' or 'id' value.")
        table[key] = _clean(path, line, row)
    return Manifest(path, table)


def _clean(path: str, line: int, row: dict[str, object]) -> dict[str, str]:
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
                f"manifest {path} line {line}: published {out['published']!r} is not a date; "
                "use ISO 8601, e.g. 2021-02-18 or 2021-02-18T10:46."
            )
        out["published"] = iso
    return out


def _csv_rows(path: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or not {"path", "id"} & set(reader.fieldnames):
        raise ConfigError(
            f"manifest {path}: the header row needs a 'path' or 'id' column "
            f"(found {', '.join(reader.fieldnames or []) or 'none'})."
        )
    yield from enumerate(reader, start=2)


def _jsonl_rows(path: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"manifest {path} line {number}: invalid JSON ({err.msg}).") from err
        if not isinstance(row, dict):
            raise ConfigError(f"manifest {path} line {number}: expected a JSON object.")
        yield number, row

"""Ingest: the only stage that reads files. Paths in, Documents and Skipped entries out.

A folder is read recursively (hidden files and folders are passed over); ``.txt`` and
``.md`` are decoded (UTF-8, else detected), ``.html`` reduced to its main text,
``.json``/``.jsonl`` read as records with ``id`` and ``text``. A file that cannot be
used becomes a ``Skipped`` entry with its reason and the run goes on. Document ids are
paths relative to the folder given, without the extension.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from provcheck.errors import InputError
from provcheck.ingest.manifest import Manifest, load_manifest
from provcheck.ingest.readers import Draft, read_file
from provcheck.records import Document, Skipped

__all__ = ["Ingested", "ingest", "load_manifest"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ingested:
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[str, ...] = ()


def ingest(
    paths: Sequence[str],
    *,
    max_bytes: int,
    manifest: Manifest | None = None,
    on_file: Callable[[str], None] | None = None,
    keep: Callable[[Path, str], bool] | None = None,
) -> Ingested:
    """Read every document under ``paths``; see the module docstring. ``keep(path,
    shown)`` may decline a file before it is read (an index's unchanged files)."""
    drafts: list[Draft] = []
    skipped: list[Skipped] = []
    for path, shown, doc_id in _files(paths):
        if keep is not None and not keep(path, shown):
            continue
        for item in read_file(path, shown, doc_id, max_bytes):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                drafts.append(item)
        if on_file is not None:
            on_file(shown)
    drafts, duplicates = _unique_ids(drafts)
    skipped.extend(duplicates)
    notes = _apply_manifest(drafts, manifest) if manifest else []
    return Ingested(
        documents=tuple(d.build() for d in drafts), skipped=tuple(skipped), notes=tuple(notes)
    )


def _files(paths: Sequence[str]) -> Iterable[tuple[Path, str, str]]:
    """(file, path as shown, document id) for every file under the given paths."""
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise InputError(f"{given} does not exist: give a folder or files of articles.")
        if root.is_file():
            yield root, given, root.stem
            continue
        found: list[Path] = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(folder, n) for n in names if not n.startswith("."))
        for path in sorted(found):
            rel = path.relative_to(root)
            yield path, str(Path(given, rel)), rel.with_suffix("").as_posix()


def _unique_ids(drafts: list[Draft]) -> tuple[list[Draft], list[Skipped]]:
    """Make ids unique: a file id clash falls back to the path; a record id clash skips."""
    counts: dict[str, int] = {}
    for draft in drafts:
        counts[draft.id] = counts.get(draft.id, 0) + 1
    kept: list[Draft] = []
    seen: dict[str, str] = {}
    skipped = []
    for draft in drafts:
        if counts[draft.id] > 1 and draft.format != "json":
            draft.id = draft.path
        if draft.id in seen:
            skipped.append(Skipped(
                path=draft.path,
                reason=f"duplicate id {draft.id!r} (first used by {seen[draft.id]}); "
                       "give each record a unique id",
            ))
            continue
        seen[draft.id] = draft.path
        kept.append(draft)
    return kept, skipped


def _apply_manifest(drafts: list[Draft], manifest: Manifest) -> list[str]:
    used: set[str] = set()
    for draft in drafts:
        for key in draft.keys:
            row = manifest.rows.get(key)
            if row is None:
                continue
            used.add(key)
            for name, value in row.items():
                draft.set(name, value, "manifest")
            break
    unused = len(manifest.rows) - len(used)
    if unused:
        return [f"{unused} row(s) of manifest {manifest.path} matched no document"]
    return []

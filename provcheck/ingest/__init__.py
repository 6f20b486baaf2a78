"""Ingest: the only stage that reads files. Paths in, Documents and Skipped entries out.

A folder is read recursively (hidden files and folders are passed over); ``.txt`` and
``.md`` are decoded (UTF-8, else detected), ``.html`` reduced to its main text,
``.json``/``.jsonl`` read as records with ``id`` and ``text``. A file that cannot be
used becomes a ``Skipped`` entry with its reason and the run goes on. Document ids are
paths relative to the folder given, without the extension.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path

from provcheck import safe
from provcheck.errors import InputError
from provcheck.ingest.manifest import Manifest, load_manifest
from provcheck.ingest.readers import JSON_SUFFIXES, STREAMED_SUFFIXES, Draft, read_file
from provcheck.parallel import batches, pool_of, signals_held
from provcheck.records import DocFormat, Document, Skipped

__all__ = ["Ingested", "ingest", "ingest_batches", "load_manifest"]

# Files a reading worker takes at a time, and files read ahead of the one being used.
READ_BATCH = 32
READ_AHEAD = 4096


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
    jobs: int = 1,
    meanwhile: Callable[[], None] | None = None,
) -> Ingested:
    """Read every document under ``paths``; see the module docstring. ``keep(path,
    shown)`` may decline a file before it is read (an index's unchanged files); files
    are read and their metadata found by ``jobs`` processes, while this process calls
    ``meanwhile`` (once, whatever the number of jobs)."""
    parts = list(ingest_batches(paths, max_bytes=max_bytes, manifest=manifest,
                                on_file=on_file, keep=keep, jobs=jobs, meanwhile=meanwhile))
    return Ingested(documents=tuple(d for p in parts for d in p.documents),
                    skipped=tuple(s for p in parts for s in p.skipped),
                    notes=tuple(n for p in parts for n in p.notes))


def ingest_batches(
    paths: Sequence[str],
    *,
    max_bytes: int,
    manifest: Manifest | None = None,
    on_file: Callable[[str], None] | None = None,
    keep: Callable[[Path, str], bool] | None = None,
    size: int | None = None,
    jobs: int = 1,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[Ingested]:
    """``ingest`` in batches of about ``size`` documents (all in one if None), each read
    when the previous one has been taken, so a corpus need not fit in memory."""
    files = list(_files(paths))
    ids = _Ids(files)
    used: set[str] = set()
    drafts: list[Draft] = []
    skipped: list[Skipped] = []
    wanted = (f for f in files if keep is None or keep(f[0], f[1]))
    for shown, items in _read(wanted, max_bytes, jobs, meanwhile or _nothing):
        for item in items:
            duplicate = item if isinstance(item, Skipped) else ids.claim(item)
            if duplicate is not None:
                skipped.append(duplicate)
            elif isinstance(item, Draft):
                drafts.append(item)
        if on_file is not None:
            on_file(shown)
        if size is not None and len(drafts) >= size:
            yield _built(drafts, skipped, manifest, used)
            drafts, skipped = [], []
    last = _built(drafts, skipped, manifest, used)
    notes: tuple[str, ...] = ()
    if manifest:
        unused = len(manifest.rows) - len(used)
        notes = (manifest.columns_note(),) + ((
            f"{unused} row(s) of manifest {safe.name(manifest.path)} matched no document",)
            if unused else ())
    yield Ingested(documents=last.documents, skipped=last.skipped, notes=notes)


SKIPS_LISTED = 10


def nothing_readable(paths: Sequence[str], skipped: Sequence[Skipped]) -> InputError:
    """The error for a run that read no document: each file skipped, with its reason."""
    where = ", ".join(safe.name(p) for p in paths)
    if not skipped:
        return InputError(f"no documents in {where}: provcheck reads .txt, .md, .html, "
                          ".json and .jsonl files.")
    lines = [f"  {s.path}: {s.reason}" for s in skipped[:SKIPS_LISTED]]
    if len(skipped) > SKIPS_LISTED:
        lines.append(f"  ... and {len(skipped) - SKIPS_LISTED} more")
    return InputError(f"no readable documents in {where} ({len(skipped)} skipped):\n"
                      + "\n".join(lines))


def _built(drafts: list[Draft], skipped: list[Skipped], manifest: Manifest | None,
           used: set[str]) -> Ingested:
    if manifest:
        _apply_manifest(drafts, manifest, used)
    return Ingested(documents=tuple(d.build() for d in drafts), skipped=tuple(skipped))


def _nothing() -> None:
    pass


def _read(files: Iterable[tuple[Path, str, str]], max_bytes: int, jobs: int,
          meanwhile: Callable[[], None]) -> Iterator[tuple[str, Iterable[Draft | Skipped]]]:
    """Each file's drafts and skips, in file order. With ``jobs`` > 1, worker processes
    read ``READ_AHEAD`` files at a time (decoding and finding metadata is most of the
    cost), and this process calls ``meanwhile`` once they have the first files (with one
    job, before reading); a JSON Lines file streams its records here, as it may be
    larger than memory."""
    if jobs <= 1:
        meanwhile()
        for path, shown, doc_id in files:
            yield shown, read_file(path, shown, doc_id, max_bytes)
        return
    with pool_of(jobs) as pool:
        listed = iter(files)
        while window := list(islice(listed, READ_AHEAD)):
            chunks = list(batches(window, READ_BATCH))
            with signals_held():  # submits every chunk, forking the workers
                found_in = pool.map(partial(_read_batch, max_bytes=max_bytes), chunks)
            meanwhile, called = _nothing, meanwhile
            called()
            for chunk, found in zip(chunks, found_in, strict=True):
                for (path, shown, doc_id), items in zip(chunk, found, strict=True):
                    yield shown, read_file(path, shown, doc_id, max_bytes) \
                        if items is None else items
    meanwhile()  # when there was nothing to read


def _read_batch(files: Sequence[tuple[Path, str, str]], max_bytes: int,
                ) -> list[list[Draft | Skipped] | None]:
    """A worker's part of ``_read``: None for a JSON Lines file (read by the caller)."""
    return [None if path.suffix.lower() in STREAMED_SUFFIXES
            else list(read_file(path, shown, doc_id, max_bytes))
            for path, shown, doc_id in files]


def _files(paths: Sequence[str]) -> Iterable[tuple[Path, str, str]]:
    """(file, path as shown, document id) for every file under the given paths. The
    path shown and the id are ``safe.name``s: any byte a file name may hold is kept,
    escaped, so no report breaks on it (``safe.file_path`` finds the file again)."""
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise InputError(f"{safe.name(given)} does not exist: give a folder or files "
                             "of articles.")
        if root.is_file():
            yield root, safe.name(given), safe.name(root.stem)
            continue
        found: list[Path] = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(folder, n) for n in names if not n.startswith("."))
        for path in sorted(found):
            rel = path.relative_to(root)
            yield (path, safe.name(str(Path(given, rel))),
                   safe.name(rel.with_suffix("").as_posix()))


class _Ids:
    """Makes document ids unique: files whose ids clash (``a.txt`` and ``a.md``) take
    their paths as ids; a record whose id was taken is skipped."""

    def __init__(self, files: list[tuple[Path, str, str]]) -> None:
        counts: dict[str, int] = {}
        for path, _, doc_id in files:
            if path.suffix.lower() not in JSON_SUFFIXES:
                counts[doc_id] = counts.get(doc_id, 0) + 1
        self.clashing = {i for i, n in counts.items() if n > 1}
        self.seen: dict[str, str] = {}

    def claim(self, draft: Draft) -> Skipped | None:
        if draft.format is not DocFormat.JSON and draft.id in self.clashing:
            draft.id = draft.path
        first = self.seen.get(draft.id)
        if first is None:
            self.seen[draft.id] = draft.path
            return None
        return Skipped(path=draft.path, reason=f"duplicate id {draft.id!r} (first used by "
                       f"{first}); give each record a unique id")


def _apply_manifest(drafts: list[Draft], manifest: Manifest, used: set[str]) -> None:
    for draft in drafts:
        for key in draft.keys:
            row = manifest.rows.get(key)
            if row is None:
                continue
            used.add(key)
            for name, value in row.items():
                draft.set(name, value, "manifest")
            break

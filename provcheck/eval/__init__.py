"""Evaluation on labelled corpora (PAN13 text alignment, PolNeAR attribution, METER and
scraped wire pages for the verdicts) and the verdict model's fit, and the one thing all
need: a corpus given as its tarball or as the folder it unpacks to."""

from __future__ import annotations

import hashlib
import os
import tarfile
from pathlib import Path

from provcheck.errors import DataError


def unpacked(path: str, *, name: str, inner: str | None, marker: str, not_corpus: str,
             cache: str | None = None) -> Path:
    """The ``inner`` folder of the corpus at ``path``: a folder (holding ``inner`` or
    being it), or a tarball unpacked once into the cache under its checksum. ``marker``
    (a path inside ``inner``) must exist, else ``not_corpus`` says what is missing. With
    ``inner`` None, the folder is whichever holds ``marker``: the folder itself or one
    folder inside it (a held-out split unpacks under a name of its own)."""
    given = Path(path)
    if given.is_dir():
        root = _holding(given, inner, marker)
        if root is None:
            raise DataError(f"{path} {not_corpus}")
        return root
    if not given.is_file():
        raise DataError(f"{path} does not exist: give {name} or its folder.")
    digest = hashlib.sha256(given.read_bytes()).hexdigest()[:12]
    base = Path(cache or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = name.split("-", 1)[0]
    target = base / "provcheck" / f"{prefix}-{digest}"
    root = _holding(target, inner, marker) if target.is_dir() else None
    if root is None:
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(given) as tar:
            tar.extractall(target, filter="data")
        root = _holding(target, inner, marker)
    if root is None:
        raise DataError(f"{path} {not_corpus}")
    return root


def _holding(folder: Path, inner: str | None, marker: str) -> Path | None:
    """``folder/inner`` or ``folder`` if it holds ``marker``; with ``inner`` None, also
    the one folder inside ``folder`` that holds it."""
    named = [folder / inner] if inner else sorted(p for p in folder.iterdir() if p.is_dir())
    for root in (*named, folder):
        if (root / marker).exists():
            return root
    return None

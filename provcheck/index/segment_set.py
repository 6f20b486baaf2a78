"""The segment files of one index as a set: those registered, opened when first read,
and the one a write transaction is making, with the rule for when to merge them. The
files themselves are ``bands``'; what is registered is the catalog's (SQL)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from provcheck.errors import InputError
from provcheck.index.bands import Segment, SegmentInfo, SegmentWriter
from provcheck.index.sqlite import FULL
from provcheck.settings import Settings
from provcheck.signatures import Signed, concatenate

# Passages of one run buffered before they are written as a sorted run of band entries.
RUN_PASSAGES = 200_000
# More segments than this are merged into one (all but the oldest if it holds most).
MAX_SEGMENTS = 8


class SegmentSet:
    """The segments in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.num_perm = settings.num_perm
        self.bands = settings.bands[0]
        self.settings = settings
        self._open: list[Segment] | None = None  # registered segments, mapped when needed
        self._writer: SegmentWriter | None = None  # the segment of this transaction
        self._pending: list[Signed] = []  # passages put, not yet written (doc: rowid)
        self._pending_units = 0

    def opened(self, infos: Sequence[SegmentInfo], index_path: str) -> list[Segment]:
        """The registered segments ``infos``, mapped once."""
        if self._open is None:
            try:
                self._open = [Segment.open(self.folder, info, self.num_perm, self.bands)
                              for info in infos]
            except (FileNotFoundError, ValueError) as err:
                raise InputError(f"the segment files of {index_path} in {self.folder} are "
                                 f"missing or cut short ({err}); restore them together with "
                                 "the index file, or rebuild the index.") from err
        return self._open

    def forget(self) -> None:
        """Map the segments again when next read (others were registered)."""
        self._open = None

    def add(self, signed: Signed) -> None:
        """Passages of a document put in this transaction (``doc``: its rowid)."""
        self._pending.append(signed)
        self._pending_units += len(signed.doc)
        if self._pending_units >= RUN_PASSAGES:
            self.flush()

    def flush(self) -> None:
        """Write the pending passages as one sorted run of the new segment."""
        if not self._pending:
            return
        with self.writing():
            if self._writer is None:
                self._writer = SegmentWriter(self.folder, self.num_perm, self.bands)
            run = concatenate(self._pending, self.settings)
            self._writer.add(run.doc, run.unit, run.size, run.keys, run.bits)
        self._pending, self._pending_units = [], 0

    def finish(self) -> SegmentInfo | None:
        """The segment of this transaction's passages, written whole (None if none)."""
        self.flush()
        if self._writer is None:
            return None
        with self.writing():
            info = self._writer.finish()
        self._writer = None
        return info

    def discard(self) -> None:
        """Give up this transaction's segment (a rollback)."""
        if self._writer is not None:
            self._writer.discard()
        self._writer, self._pending, self._pending_units = None, [], 0

    def merged(self, infos: Sequence[SegmentInfo], live: np.ndarray) -> SegmentInfo:
        """One segment of the passages of ``infos`` whose document (rowid) is ``live``."""
        with self.writing():
            writer = SegmentWriter(self.folder, self.num_perm, self.bands)
            for info in infos:
                seg = Segment.open(self.folder, info, self.num_perm, self.bands)
                writer.add_segment(seg, np.isin(seg.doc, live))
            return writer.finish()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A segment file that cannot be written (a full disk) as a one-line error; the
        transaction then rolls back and the segment's files are removed."""
        try:
            yield
        except OSError as err:
            raise InputError(FULL.format(path=self.folder, why=err.strerror or err)) from err


def to_merge(infos: Sequence[SegmentInfo], live_units: int) -> list[SegmentInfo]:
    """The segments to merge into one after a write: all of them when there are more
    than MAX_SEGMENTS or a quarter of what they hold was removed, but the oldest when it
    holds most of the passages and little was removed; none otherwise."""
    stored = sum(i.units for i in infos)
    if len(infos) > MAX_SEGMENTS:
        # Only a run of the newest segments may be merged apart from the others: the
        # segments then stay in order of their documents' rowids.
        if infos[0].units * 2 > stored and stored - live_units <= stored // 4:
            return list(infos[1:])
        return list(infos)
    if stored - live_units <= stored // 4 or stored == 0:
        return []
    return list(infos)

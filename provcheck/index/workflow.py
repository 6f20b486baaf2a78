"""The index workflow: ``index add`` keeps a corpus's signatures in an index, ``check``
compares new documents against it (and against each other) with the same pipeline as
``compare``, so it reports the same pairs, relations and passages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from provcheck import safe
from provcheck.candidates import (
    ESTIMATE_SLACK,
    document_pairs,
    find_candidates,
    shared_shingles,
)
from provcheck.engine import Engine, open_engine
from provcheck.gate import Policy, apply
from provcheck.index.bands import Hits, first_distinct
from provcheck.index.catalog import Index, record_of
from provcheck.ingest import Ingested, ingest_batches, load_manifest
from provcheck.parallel import Pending
from provcheck.pipeline import (
    SEGMENT_BATCH,
    Corpus,
    Gathered,
    Progress,
    Run,
    corpus_of,
    flag_boilerplate,
    run,
    segment_corpus,
    start_segmenting,
)
from provcheck.quotes import quotations_of, stored
from provcheck.records import Document, Report, Skipped, picklable
from provcheck.settings import Settings
from provcheck.signatures import Signed, sign, without_chrome
from provcheck.text.chrome import BlockEntry, outlet_blocks
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

T = TypeVar("T")

# Documents read, segmented and stored at a time by ``index add``: bounds its memory.
ADD_BATCH = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class AddSummary:
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: int
    skipped: tuple[Skipped, ...]
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    report: Report  # with its gate
    new: tuple[str, ...]  # ids of the documents checked (the others came from the index)
    added: int = 0  # matches ``--accept-all`` added to the baseline


def index_add(paths: Sequence[str], db: str, settings: Settings, *, meta: str | None = None,
              wait: float = 600, progress: Progress | None = None,
              engine: Engine | None = None) -> AddSummary:
    """Add new and changed documents to the index at ``db`` (created if missing); wait up
    to ``wait`` seconds while another run writes it. The documents are read, segmented
    and stored ``ADD_BATCH`` at a time, all in one transaction."""
    if engine is None:  # one pool for every batch, as the command line's engine keeps
        with open_engine(None, settings.jobs) as own:
            return index_add(paths, db, settings, meta=meta, wait=wait, progress=progress,
                             engine=own)
    run = engine
    start = time.perf_counter()
    index = Index.open(db, settings, create=True, wait=wait)
    added: list[str] = []
    replaced: list[str] = []
    skipped: list[Skipped] = []
    same = 0
    untouched: list[str] = []  # unchanged files, appended to by the reading thread only
    try:
        with index.transaction():
            # Read under the lock: another run may have just added.
            known = index.known_files()

            def fresh(path: Path, shown: str) -> bool:
                # Files with the size and time they had when added are not read again
                # (unless a manifest may have changed their metadata).
                seen = known.get(shown)
                if meta is None and seen and _stat(path) == (seen[0], seen[1]):
                    untouched.append(shown)
                    return False
                return True

            manifest = load_manifest(meta) if meta else None
            batches = ingest_batches(paths, max_bytes=settings.max_file_bytes,
                                     manifest=manifest, keep=fresh, size=ADD_BATCH)
            work = partial(_entries, settings=settings)
            # Batch k is stored while the workers segment batch k + 1, which the reading
            # thread read while they segmented batch k. Nothing else waits on the workers:
            # a run stopped (Ctrl-C, SIGTERM) stops its engine's pool and ends at once.
            waiting: tuple[list[Document], set[str], Pending[Entry]] | None = None
            for batch in _read_ahead(batches):
                skipped.extend(batch.skipped)
                stored = index.fingerprints([d.id for d in batch.documents])
                changed = []
                for doc in batch.documents:
                    if _unchanged(doc, stored):
                        if (file_stat := _file_stat(doc.path)) is not None:
                            index.touch(doc.id, file_stat)
                        same += 1
                    else:
                        changed.append(doc)
                segmented = run.start(work, changed, batch_size=SEGMENT_BATCH,
                                      on_batch=_ticker(progress, len(changed)))
                if waiting:
                    _put(index, *waiting, added, replaced)
                waiting = (changed, set(stored), segmented)
            if waiting:
                _put(index, *waiting, added, replaced)
    finally:
        index.close()
    return AddSummary(added=tuple(added), replaced=tuple(replaced),
                      unchanged=same + len(untouched), skipped=tuple(skipped),
                      seconds=time.perf_counter() - start)


@picklable
@dataclass(frozen=True, slots=True)
class Entry:
    """What the index keeps of one document besides its text: its passages' signatures
    (``doc`` 0), the blocks that count towards its outlet's boilerplate, and its
    quotations (``quotes.stored``)."""

    signed: Signed
    blocks: frozenset[BlockEntry]
    quotations: str


def _put(index: Index, documents: list[Document], known: set[str],
         entries: Pending[Entry], added: list[str], replaced: list[str]) -> None:
    """Store a batch's documents with their entries once the workers have made them."""
    for doc, entry in zip(documents, entries.result(), strict=True):
        index.put(doc, entry.signed, entry.blocks, _file_stat(doc.path), entry.quotations)
        (replaced if doc.id in known else added).append(doc.id)


def _unchanged(doc: Document, stored: dict[str, tuple[str, str]]) -> bool:
    """Whether the index holds this document with the same text and metadata."""
    held = stored.get(doc.id)
    return held is not None and held == (doc.sha256, record_of(doc))


def _ticker(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    return (lambda n: progress("index", n, total)) if progress else None


def _entries(documents: Sequence[Document], _context: object = None, *,
             settings: Settings) -> list[Entry]:
    """Segment and sign a batch of documents and find their quotations (on a worker):
    only what is stored comes back, not the segmentation."""
    lexicon = Lexicon.shared()
    segmented = [segment(d.id, d.text, lexicon, quote_marks=False) for d in documents]
    signed = sign(segmented, settings)
    bounds = np.searchsorted(signed.doc, np.arange(len(documents) + 1))
    return [Entry(signed=Signed(doc=signed.doc[a:b] - n, unit=signed.unit[a:b],
                                keys=signed.keys[a:b], bits=signed.bits[a:b],
                                size=signed.size[a:b]),
                  blocks=frozenset(outlet_blocks(d.outlet, seg.block_key, seg.block_words)),
                  quotations=stored.encode(*quotations_of(d.text, seg)[1:]))
            for n, (d, seg, a, b) in enumerate(zip(documents, segmented, bounds[:-1],
                                                   bounds[1:], strict=True))]


def _read_ahead(batches: Iterator[T]) -> Iterator[T]:
    """The items of ``batches``, each read in a thread while the previous one is used
    (reading is I/O and parsing; the workers segment meanwhile)."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        upcoming = reader.submit(next, batches, None)
        while (item := upcoming.result()) is not None:
            upcoming = reader.submit(next, batches, None)
            yield item


def check(paths: Sequence[str], db: str, settings: Settings, policy: Policy | None = None, *,
          meta: str | None = None, progress: Progress | None = None,
          engine: Engine | None = None, keep_unrelated: bool = False) -> Checked:
    """Compare the documents under ``paths`` with the index and with each other, as
    ``compare`` would over the index and them together, and gate the result by
    ``policy`` (default: ``--fail-on copy``). ``keep_unrelated``: report the aligned
    pairs judged unrelated too."""
    policy = policy or Policy()
    accepted = policy.accepted()  # a bad baseline stops the run before the work
    checked: list[str] = []  # the ids of the documents checked, once they are read

    def gather(ingested: Ingested, stages: Run) -> Gathered:
        checked.extend(d.id for d in ingested.documents)
        return from_index(ingested, stages, db=db)

    report = run(paths, settings, gather, meta=meta, progress=progress, engine=engine,
                 keep_unrelated=keep_unrelated)
    new = tuple(checked)
    result, added = apply(policy, accepted, report.pairs, report.documents, new)
    return Checked(report=replace(report, gate=result), new=new, added=added)


def from_index(ingested: Ingested, run: Run, *, db: str) -> Gathered:
    """``check``'s corpus: the new documents, segmented and signed, then the indexed
    documents their signatures match in the index at ``db``, segmented again (with the
    quotations the index holds); the pairs are those matches and the LSH join of the
    new documents among themselves. Boilerplate counts the index's documents too."""
    settings, timer = run.settings, run.timer
    index = Index.open(db, settings, create=False)
    try:
        with timer("segment"):
            new = segment_corpus(ingested.documents, run)
        with timer("signatures"):
            signed = sign(list(new.segmented), settings)
        with timer("index"):
            rowids = index.rowids([d.id for d in new.documents])
            # A checked document the index holds under its id stands in for that entry.
            replaced = {rowids[d.id] for d in new.documents if d.id in rowids}
            new = flag_boilerplate(new, index.block_counts(_blocks(new), exclude=replaced))
            signed = without_chrome(signed, new.segmented)
            hits = index.lookup(signed.keys, signed.bits,
                                settings.lsh_threshold * ESTIMATE_SLACK, exclude=replaced)
            matched = _matched(signed, hits, settings)
            loaded = index.documents(sorted({r for _, r in matched}))
            found = index.quotations(list(loaded))
        with timer("segment"):
            # The index holds the indexed documents' blocks and quotations: the blocks'
            # counts are read while the workers segment those documents again.
            segmenting = start_segmenting(list(loaded.values()), run,
                                          stored=[found.get(r) for r in loaded])
            try:
                known = index.block_counts(_blocks(new) | index.outlet_blocks(list(loaded)),
                                           exclude=replaced | set(loaded))
                old = corpus_of(list(loaded.values()), segmenting.result())
            finally:
                segmenting.close()
            corpus = flag_boilerplate(_joined(new, old), known)
    finally:
        index.close()
    with timer("candidates"):
        position = {row: len(new.documents) + k for k, row in enumerate(loaded)}
        pairs = np.array([[n, position[row]] for n, row in matched] +
                         find_candidates(signed, settings, run.engine).pairs.tolist(),
                         dtype=np.int64).reshape(-1, 2)
    return Gathered(corpus=corpus, pairs=pairs, about=frozenset(d.id for d in new.documents),
                    stats={"new_documents": len(new.documents), "indexed_matches": len(loaded),
                           "quotations_from_index": len(found)})


def _matched(signed: Signed, hits: Hits, settings: Settings) -> list[tuple[int, int]]:
    """(new document, index rowid) pairs worth aligning, by the rule ``compare`` uses
    (the hits are those estimated at ESTIMATE_SLACK of the LSH threshold or more)."""
    shared = shared_shingles(hits.estimate, signed.size[hits.query], hits.size)
    # A passage pair that shares several bands counts once.
    first = first_distinct(hits.query, hits.doc, hits.unit)
    pairs = document_pairs(signed.doc[hits.query[first]], hits.doc[first],
                           hits.estimate[first], shared[first], settings)
    return [(int(a), int(b)) for a, b in pairs.tolist()]


def _joined(new: Corpus, old: Corpus) -> Corpus:
    """The checked documents followed by the indexed ones they may reuse."""
    return Corpus(new.documents + old.documents, new.segmented + old.segmented,
                  new.quotations + old.quotations, new.speakers + old.speakers)


def _blocks(corpus: Corpus) -> set[BlockEntry]:
    return {entry for doc, seg in zip(corpus.documents, corpus.segmented, strict=True)
            for entry in outlet_blocks(doc.outlet, seg.block_key, seg.block_words)}


def _stat(path: Path) -> tuple[int, float]:
    info = path.stat()
    return info.st_size, info.st_mtime


def _file_stat(shown: str) -> tuple[int, float] | None:
    """The size and time of the file a document came from (None for a record of a JSON
    file, or a file gone since)."""
    path = safe.file_path(shown)
    try:
        return _stat(path) if path.is_file() else None
    except OSError:
        return None

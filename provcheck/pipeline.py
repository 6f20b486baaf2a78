"""The pipeline: every stage of ``compare``, ``compare --db`` and ``check``, one line
each, each timed.

    ingest -> gather -> align -> quote map -> provenance -> report

The three differ only in how they *gather* the corpus and its candidate pairs
(``Gather``): ``compare`` segments every document (its quotations, then boilerplate
across the corpus), signs it (``--db``: with the signatures an index stored for the
documents it holds unchanged) and joins the signatures by LSH in memory; ``check``
segments and signs the new documents, looks their signatures up in the index, and adds
the indexed documents they match (``index.workflow.from_index``). The quote map does
not depend on the alignment: it is made in this process while the workers align, so
the timings of the two overlap.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol

import numpy as np

from provcheck import __version__
from provcheck.alignment.align import align_sides
from provcheck.alignment.pairs import Members, align_batch, members_of, pair_from
from provcheck.alignment.passages import Side
from provcheck.candidates import find_candidates
from provcheck.credits import agency_finder
from provcheck.engine import Engine, LocalEngine
from provcheck.evidence import rarity_table
from provcheck.index.catalog import Index, Stored
from provcheck.ingest import Ingested, ingest, load_manifest, nothing_readable
from provcheck.overview import overview
from provcheck.parallel import Pending, collector_paused
from provcheck.provenance import context, judge
from provcheck.quotes import attribute, quotations_of, quote_map
from provcheck.quotes.reading import Quotation
from provcheck.quotes.speakers import LocalSpeaker
from provcheck.records import (
    BoilerplateBlock,
    DocFormat,
    Document,
    DocumentWords,
    Overview,
    PairResult,
    QuoteCluster,
    Relation,
    Report,
    Span,
    Stats,
)
from provcheck.settings import Settings
from provcheck.signatures import Signed, concatenate, permutations, remap, sign, without_chrome
from provcheck.text.chrome import BlockEntry, Blocks, Detail, Found, corpus_boilerplate
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import Segmented, segment

# (stage, items done in this step, total items); the CLI draws a progress bar from it.
Progress = Callable[[str, int, int], None]

STAGE_DONE = -1  # what ``Timer`` tells progress when a stage ends
SEGMENT_BATCH = 64
ALIGN_BATCH = 256


@dataclass(frozen=True, slots=True)
class Corpus:
    """Documents, their segmentation and their quotations, index-aligned."""

    documents: tuple[Document, ...]
    segmented: tuple[Segmented, ...]
    quotations: tuple[tuple[Quotation, ...], ...]
    speakers: tuple[tuple[LocalSpeaker, ...], ...]
    boilerplate: tuple[Found, ...] = ()  # blocks set aside, by (document, block) position


class Timer:
    """Seconds spent in each stage of a run (``with timer("align"): ...``), each stage
    shown on ``progress`` from its start to its end."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        if self.progress:
            self.progress(stage, 0, 0)
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
            if self.progress:
                self.progress(stage, 0, STAGE_DONE)

    def add(self, other: Timer) -> None:
        """Count ``other``'s seconds in this timer's stages too."""
        for stage, seconds in other.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


@dataclass(frozen=True, slots=True)
class Run:
    """What every stage of one run shares: its settings, the one engine its batch stages
    run on, its progress display and its timer."""

    settings: Settings
    engine: Engine
    tick: Progress | None = None
    timer: Timer = field(default_factory=Timer)


@dataclass(frozen=True, slots=True, kw_only=True)
class Gathered:
    """A run's corpus and the document pairs to align in it."""

    corpus: Corpus
    pairs: np.ndarray  # int64 [pairs, 2]: positions in the corpus
    stats: dict[str, int]  # the gathering's own counts (``Stats`` fields), for the report
    about: frozenset[str] | None = None  # check: the ids of the documents checked


class Gather(Protocol):
    def __call__(self, ingested: Ingested, stages: Run, /) -> Gathered:
        """The corpus of the ``ingested`` documents and its candidate pairs."""
        ...


def compare(
    paths: Sequence[str],
    settings: Settings,
    *,
    meta: str | None = None,
    progress: Progress | None = None,
    pairs: bool = True,
    db: str | None = None,
    engine: Engine | None = None,
    keep_unrelated: bool = False,
) -> Report:
    """Find and align every reused passage among the documents under ``paths``, and
    map their quotations; with ``pairs=False`` only the quotations. With ``db``, the
    quotations and signatures of documents the index holds unchanged are taken from it.
    With ``keep_unrelated``, aligned pairs judged unrelated are reported too.
    The batch stages run on ``engine`` (default: this machine, ``settings.jobs``
    processes)."""
    return run(paths, settings, partial(in_memory, db=db, pairs=pairs), meta=meta,
               progress=progress, engine=engine, keep_unrelated=keep_unrelated,
               corpus_view=pairs)


@collector_paused()
def run(paths: Sequence[str], settings: Settings, gather: Gather, *, meta: str | None = None,
        progress: Progress | None = None, engine: Engine | None = None,
        keep_unrelated: bool = False, corpus_view: bool = True) -> Report:
    """The pipeline over the documents under ``paths``, with the corpus and pairs
    ``gather`` makes of them (see the module docstring)."""
    stages = Run(settings, engine or LocalEngine(settings.jobs), progress, Timer(progress))
    with stages.timer("ingest"):
        ingested = read_inputs(paths, settings, meta, stages.engine, progress)
    # segment, quotations, boilerplate, signatures, candidate pairs:
    gathered = gather(ingested, stages)
    aligning = start_alignment(gathered.corpus, gathered.pairs, stages)  # on the workers
    # meanwhile the quote map; then provenance as pairs arrive, the corpus view, the report:
    return finish(ingested, gathered, aligning, stages, corpus_view=corpus_view,
                  keep_unrelated=keep_unrelated)


def in_memory(ingested: Ingested, run: Run, *, db: str | None = None,
              pairs: bool = True) -> Gathered:
    """``compare``'s corpus: every document segmented, and the pairs an LSH join of
    their signatures finds (none with ``pairs`` off: ``quotes``). With ``db``, the
    signatures and quotations of documents the index holds unchanged are its own."""
    documents, settings, timer = ingested.documents, run.settings, run.timer
    with _opened(db, settings) as index:
        with timer("segment"):
            held = _held(index, documents) if index else {}
            stored = _stored_quotations(index, held, len(documents)) if index else None
            corpus = segment_corpus(documents, run, stored=stored)
        if not pairs:
            return Gathered(corpus=corpus, pairs=np.zeros((0, 2), np.int64), stats={})
        with timer("signatures"):
            reused = {n: index.stored(rowid) for n, rowid in held.items()} if index else {}
            signed = without_chrome(sign_corpus(corpus, settings, reused), corpus.segmented)
    with timer("candidates"):
        candidates = find_candidates(signed, settings, run.engine)
    return Gathered(corpus=corpus, pairs=candidates.pairs, stats={
        "signed_passages": len(signed.doc), "signatures_from_index": len(held),
        "quotations_from_index": sum(r is not None for r in stored or ()),
        "candidate_passage_pairs": candidates.passage_pairs,
        "candidate_document_pairs": len(candidates.pairs),
        "boilerplate_buckets": candidates.boilerplate_buckets})


def read_inputs(paths: Sequence[str], settings: Settings, meta: str | None,
                engine: Engine | None = None, progress: Progress | None = None) -> Ingested:
    """The documents under ``paths`` (an ``InputError`` listing what was skipped when
    there is none). While they are read, this process readies itself for the stages
    after if ``engine``'s workers are forked from it (see ``ready``)."""
    manifest = load_manifest(meta) if meta else None
    forked = engine is not None and engine.forks
    ingested = ingest(paths, max_bytes=settings.max_file_bytes, manifest=manifest,
                      jobs=settings.jobs, meanwhile=partial(ready, settings) if forked else None,
                      on_file=(lambda _: progress("ingest", 1, 0)) if progress else None)
    if not ingested.documents:
        raise nothing_readable(paths, ingested.skipped)
    return ingested


# A short article with a quotation, its speaker and a paragraph break (see ``ready``).
_SAMPLE = ("Officials said on Monday that the old bridge over the river would reopen next "
           "week after months of repairs.\n\n\"We are confident the repairs will hold,\" "
           "said Maria Lopez, the city's chief engineer. She added that traffic on the old "
           "bridge would be limited at first.")


def ready(settings: Settings) -> None:
    """Load in this process what segmenting and aligning a document loads the first time
    (the lexicon, the code-point tables, the compiled kernels) by doing both to a
    sample, so that workers forked from it start with them instead of each loading them
    for itself; and datasketch, which chooses the LSH bands and the permutations (see
    ``hashing``)."""
    sample = Document(id="sample", path="sample", text=_SAMPLE, sha256="", format=DocFormat.TEXT,
                      encoding="utf-8")
    seg = _segment_batch([(sample, None)])[0][0]
    side = Side.of(seg, sample.text)
    align_sides(side, side, settings)
    rarity_table()
    permutations(settings.num_perm, settings.seed)
    settings.bands  # noqa: B018 - a cached property, chosen now


def finish(ingested: Ingested, gathered: Gathered, aligning: Pending[PairResult | None],
           run: Run, *, corpus_view: bool = True, keep_unrelated: bool = False) -> Report:
    """Quote map, provenance and corpus view, while the candidate pairs are ``aligning``
    (``align`` is timed from here to the last pair aligned, with the quote map made and
    the pairs aligned so far judged meanwhile). With ``gathered.about`` (check's new
    documents), the report's statements are those printed by one of them: the others
    are mapped to find where those were printed too, and for provenance (what one side
    of a pair prints and the other does not), but not described. Pairs judged unrelated
    are left out of the report unless ``keep_unrelated``."""
    corpus, about, timer = gathered.corpus, gathered.about, run.timer
    judging = Timer()
    try:
        with timer("align"):
            with timer("quotes"):
                quotations, speakers = _outside_boilerplate(corpus)
                among = None if about is None else {
                    n for n, d in enumerate(corpus.documents) if d.id in about}
                mapped = quote_map(corpus.documents, corpus.segmented,
                                   attribute(quotations, speakers), run.settings, about=among)
            known = context(corpus.documents, corpus.segmented, mapped,
                            explain_unrelated=keep_unrelated)
            judged: list[PairResult] = []
            for found in aligning.each():  # judged while the workers align the rest
                if found is not None:
                    with judging("provenance"):
                        judged.append(judge(found, known))
    finally:
        aligning.close()
    related = [p for p in judged if p.relation is not Relation.UNRELATED]
    with timer("provenance"):
        view = overview(corpus.documents, corpus.segmented, related) if corpus_view else None
    timer.add(judging)
    stats = Stats(documents=len(corpus.documents), skipped=len(ingested.skipped),
                  related_pairs=len(related), aligned_pairs_not_related=len(judged) - len(related),
                  quotations=sum(len(q) for q in quotations), quote_clusters=len(mapped.clusters),
                  **gathered.stats, notes=tuple(ingested.notes),
                  seconds={k: round(v, 3) for k, v in timer.seconds.items()})
    return build_report(ingested, corpus, judged if keep_unrelated else related,
                        mapped.clusters, view, run.settings, stats)


def _outside_boilerplate(corpus: Corpus) -> tuple[list[tuple[Quotation, ...]],
                                                  list[tuple[LocalSpeaker, ...]]]:
    """The quotations, with their speakers, outside blocks that are boilerplate of their
    outlet (a newsletter plug is no one's statement). Quotations are found per document;
    what is boilerplate is known only in a corpus."""
    quotations, speakers = [], []
    for seg, found, local in zip(corpus.segmented, corpus.quotations, corpus.speakers,
                                 strict=True):
        if seg.outlet_chrome.any():
            blocks = np.searchsorted(seg.block_span[:, 0], [q.span.start for q in found],
                                     side="right") - 1
            keep = [not seg.outlet_chrome[b] for b in blocks.tolist()]
            found = tuple(q for q, k in zip(found, keep, strict=True) if k)
            local = tuple(s for s, k in zip(local, keep, strict=True) if k)
        quotations.append(found)
        speakers.append(local)
    return quotations, speakers


@contextmanager
def _opened(db: str | None, settings: Settings) -> Iterator[Index | None]:
    """The index at ``db``, open for reading (None without one)."""
    if db is None:
        yield None
        return
    index = Index.open(db, settings, create=False)
    try:
        yield index
    finally:
        index.close()


def sign_corpus(corpus: Corpus, settings: Settings, reused: Mapping[int, Stored] | None = None,
                ) -> Signed:
    """Signatures of the corpus; those of the documents at the positions ``reused`` maps
    are the signatures an index stored for them."""
    reused = reused or {}
    fresh = [n for n in range(len(corpus.documents)) if n not in reused]
    parts = [remap(sign([corpus.segmented[n] for n in fresh], settings), fresh)]
    for n, stored in reused.items():
        parts.append(Signed(doc=np.full(len(stored.units), n, dtype=np.int64),
                            unit=stored.units, keys=stored.keys, bits=stored.bits,
                            size=stored.size))
    return concatenate(parts, settings)


def _stored_quotations(index: Index, held: Mapping[int, int], n_documents: int,
                       ) -> list[str | None]:
    """The quotations ``index`` holds for each document it holds unchanged (``held``),
    None for the others and where other rules found them: see ``quotes.stored``."""
    found = index.quotations(list(held.values()))
    return [found.get(held[n]) if n in held else None for n in range(n_documents)]


def _held(index: Index, documents: Sequence[Document]) -> dict[int, int]:
    """Position -> index rowid of each document the index holds with the same text."""
    ids = [d.id for d in documents]
    held, rowids = index.fingerprints(ids), index.rowids(ids)
    return {n: rowids[d.id] for n, d in enumerate(documents)
            if held.get(d.id, ("",))[0] == d.sha256}


def segment_corpus(documents: Sequence[Document], run: Run, *, quotations: bool = True,
                   stored: Sequence[str | None] | None = None) -> Corpus:
    """Segment every document and find its quotations (unless ``quotations`` is off, or
    read them from ``stored``: see ``start_segmenting``), then flag blocks that are
    boilerplate across an outlet."""
    segmenting = start_segmenting(documents, run, quotations=quotations, stored=stored)
    return flag_boilerplate(corpus_of(documents, segmenting.result()))


Prepared = tuple[Segmented, tuple[Quotation, ...], tuple[LocalSpeaker, ...]]


def start_segmenting(documents: Sequence[Document], run: Run, *, quotations: bool = True,
                     stored: Sequence[str | None] | None = None) -> Pending[Prepared]:
    """``segment_corpus``'s work, started on the engine's workers: this process can do
    other work until ``corpus_of`` takes the results. ``stored``: each document's
    quotations as an index holds them (``quotes.stored``), or None to find them."""
    done = _counter("segment", len(documents), run.tick)
    if not quotations:
        return run.engine.start(_segment_only, list(documents), batch_size=SEGMENT_BATCH,
                                on_batch=done)
    records = [None] * len(documents) if stored is None else stored
    return run.engine.start(_segment_batch, list(zip(documents, records, strict=True)),
                            batch_size=SEGMENT_BATCH, on_batch=done)


def corpus_of(documents: Sequence[Document], prepared: Sequence[Prepared]) -> Corpus:
    """The corpus of segmented documents, no block flagged as boilerplate yet."""
    return Corpus(tuple(documents), tuple(p[0] for p in prepared),
                  tuple(p[1] for p in prepared), tuple(p[2] for p in prepared))


def flag_boilerplate(corpus: Corpus, known: Mapping[BlockEntry, int] | None = None) -> Corpus:
    """The corpus with the blocks that are boilerplate in it flagged (``chrome``'s
    corpus rules), counting its documents and ``known`` counts of an outlet's short
    blocks in others (an index's, none of these)."""
    flags, found = corpus_boilerplate(
        [_blocks_of(d, s) for d, s in zip(corpus.documents, corpus.segmented, strict=True)],
        known)
    segmented = tuple(
        s if not (f.any() or s.outlet_chrome.any()) else replace(s, outlet_chrome=f)
        for s, f in zip(corpus.segmented, flags, strict=True)
    )
    return replace(corpus, segmented=segmented, boilerplate=tuple(found))


def _blocks_of(doc: Document, seg: Segmented) -> Blocks:
    return Blocks(outlet=doc.outlet, keys=seg.block_key, words=seg.block_words,
                  chrome=seg.page_chrome, detail=partial(_block_detail, seg))


def _block_detail(seg: Segmented) -> Detail:
    """How much of each block is quoted, and a key of each sentence outside chrome."""
    tokens = np.searchsorted(seg.tok_start, seg.block_span).reshape(-1, 2)
    quoted = np.zeros(len(seg.tok_start) + 1, dtype=np.int64)
    np.cumsum(seg.tok_quote, out=quoted[1:])
    inside = quoted[tokens[:, 1]] - quoted[tokens[:, 0]]
    body = ~seg.page_chrome[seg.unit_block]
    return Detail(quoted=inside / np.maximum(1, tokens[:, 1] - tokens[:, 0]),
                  sentences=seg.unit_keys[body], sentence_block=seg.unit_block[body])


def start_alignment(corpus: Corpus, pairs: np.ndarray, run: Run) -> Pending[PairResult | None]:
    """Verify and align each candidate pair, on the engine's workers: a pair's result is
    None when it shares no reused region."""
    # Each pair is read with the document of smaller id as side a, whatever produced
    # it (compare or check), so the same two documents always report the same way.
    # Sorted, so that the pairs of one batch share documents prepared once.
    ids = [d.id for d in corpus.documents]
    tasks = sorted({(a, b) if ids[a] <= ids[b] else (b, a) for a, b in pairs.tolist()})
    return run.engine.start(partial(align_batch, settings=run.settings), tasks,
                            batch_size=ALIGN_BATCH,
                            context=Members.of(corpus.documents, corpus.segmented),
                            subset=members_of, on_batch=_counter("align", len(tasks), run.tick),
                            ).decoded(pair_from)


def build_report(
    ingested: Ingested, corpus: Corpus, pairs: Sequence[PairResult],
    quotes: Sequence[QuoteCluster], view: Overview | None, settings: Settings,
    stats: Stats,
) -> Report:
    words = {d.id: DocumentWords(words=len(s.tok_start), body_words=s.body_words)
             for d, s in zip(corpus.documents, corpus.segmented, strict=True)}
    ordered = sorted(pairs, key=lambda p: (-p.similarity, p.a, p.b))
    return Report(
        tool_version=__version__,
        settings=settings.to_dict(),
        documents=corpus.documents,
        pairs=tuple(ordered),
        skipped=ingested.skipped,
        quotes=tuple(quotes),
        overview=view,
        stats=stats,
        boilerplate=_boilerplate_blocks(corpus),
        words=words,
    )


def _boilerplate_blocks(corpus: Corpus) -> tuple[BoilerplateBlock, ...]:
    """The blocks set aside as boilerplate, most widely printed first."""
    out = []
    for found in corpus.boilerplate:
        printed = tuple((corpus.documents[n].id,
                         Span(start=int(corpus.segmented[n].block_span[b, 0]),
                              end=int(corpus.segmented[n].block_span[b, 1])))
                        for n, b in found.places)
        n, b = found.places[0]
        out.append(BoilerplateBlock(rule=found.rule, words=int(corpus.segmented[n].block_words[b]),
                                    printed=printed))
    return tuple(sorted(out, key=lambda x: (-len(x.printed), x.printed[0])))


def _segment_batch(documents: Sequence[tuple[Document, str | None]], _context: object = None,
                   ) -> list[Prepared]:
    """Segment each document, read the agencies it credits its story to, and find its
    quotations, or read them from its stored record where it has one."""
    lexicon = Lexicon.shared()
    finder = agency_finder()
    return [quotations_of(d.text, replace(segment(d.id, d.text, lexicon, quote_marks=False),
                                          credits=tuple(sorted(finder.story_credits(d.text)))),
                          record)
            for d, record in documents]


def _segment_only(documents: Sequence[Document], _context: object = None) -> list[Prepared]:
    lexicon = Lexicon.shared()
    return [(segment(d.id, d.text, lexicon), (), ()) for d in documents]


def _counter(stage: str, total: int, tick: Progress | None) -> Callable[[int], None] | None:
    if tick is None:
        return None
    return lambda n: tick(stage, n, total)

"""The records passed between pipeline stages: documents, spans, passages, pairs, reports.

All spans are half-open character offsets into ``Document.text``, the decoded text of
the file as given (or the text field of a JSON record, or the main text extracted from
an HTML page), so ``doc.text[span.start:span.end]`` is always the text a report shows.
All scores are floats in 0.0-1.0.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def picklable(cls: type[T]) -> type[T]:
    """A frozen slots dataclass pickled as the tuple of its field values and set back
    field by field. The dataclass default looks its fields up (``dataclasses.fields``)
    for every object both ways; a batch of segmentations and quotations (a few dozen
    records an article) is 3.4x cheaper to send back from a worker this way, and 3.9x
    cheaper to take in."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    values: Callable[[Any], Any] = operator.attrgetter(*names)
    if len(names) == 1:
        values = lambda obj: (getattr(obj, names[0]),)  # noqa: E731 - one field

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return values(self)

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls


class Kind(str, enum.Enum):
    """How closely an aligned passage reproduces its counterpart."""

    VERBATIM = "verbatim"
    NEAR_VERBATIM = "near_verbatim"
    PARAPHRASE = "paraphrase"


class Relation(str, enum.Enum):
    """What kind of reuse links two documents."""

    RELATED = "related"
    DUPLICATE = "duplicate"
    COPY = "copy"
    PARAPHRASE = "paraphrase"
    SYNDICATED = "syndicated"
    SHARED_SOURCE = "shared_source"
    UNRELATED = "unrelated"


class QuoteKind(str, enum.Enum):
    """How a statement is printed."""

    DIRECT = "direct"  # in quotation marks
    LABEL = "label"  # after a speaker's label in a transcript
    REPORTED = "reported"  # reported speech: "X said (that) ..."


class DocFormat(str, enum.Enum):
    """What a document was read from."""

    TEXT = "text"
    HTML = "html"
    JSON = "json"


class FailOn(str, enum.Enum):
    """The weakest relation that fails a check (``--fail-on``)."""

    DUPLICATE = "duplicate"
    COPY = "copy"
    SYNDICATED = "syndicated"
    PARAPHRASE = "paraphrase"
    SHARED_SOURCE = "shared_source"

    @property
    def relation(self) -> Relation:
        return Relation(self.value)


# Relations that say one text reuses the other's, and those that say it does not.
REUSE = frozenset({Relation.DUPLICATE, Relation.COPY, Relation.PARAPHRASE,
                   Relation.SYNDICATED})
NOT_REUSE = frozenset({Relation.SHARED_SOURCE, Relation.UNRELATED})


@picklable
@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` in a document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One input text with its metadata, as read by ``ingest``."""

    id: str
    path: str
    text: str
    sha256: str
    format: DocFormat
    encoding: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    url: str | None = None
    # For each metadata field that is set: where it came from ("manifest", "html",
    # "json", "text") and, for "text", the line it was read from.
    metadata_source: Mapping[str, str] = field(default_factory=dict)
    metadata_evidence: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """An input that was not processed, and why."""

    path: str
    reason: str


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """One shared passage: where it sits in both texts and how close the two are."""

    a: Span
    b: Span
    similarity: float
    kind: Kind
    a_in_quote: bool
    b_in_quote: bool
    run: int = 0  # words in its longest stretch shared word for word

    @property
    def in_quote(self) -> bool:
        """True when the passage is quoted speech on either side."""
        return self.a_in_quote or self.b_in_quote


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """A maximal reused region: adjacent passages that belong to one reuse case."""

    a: Span
    b: Span
    passages: tuple[Passage, ...]


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Direction:
    """Who took from whom; ``source``/``target`` are None when it cannot be told.
    ``origin`` names the agency whose story both texts print (syndication), even when
    the agency's own text is not in the corpus."""

    source: str | None = None
    target: str | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    origin: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Shared:
    """What two texts share, measured from their passages (where they are aligned).
    Shares of shared words are counted on side a."""

    containment: float  # coverage of the text with fewer words
    verbatim: float  # share of the shared words in verbatim passages
    lightly_edited: float  # in near-verbatim passages
    rewritten: float  # in paraphrased passages
    similarity: float  # mean similarity of the passages, weighted by their words
    quoted: float  # share of the shared words inside quotations (on either side)
    narration_words: int  # shared words outside quotations (the side with fewer)
    close_words: int  # of those, in passages copied, lightly edited or closely reworded
    boilerplate_words: int  # words of boilerplate blocks both print, set aside
    longest_run: int  # words in the longest stretch of narration shared word for word
    in_order: float  # share of the shared words in passages kept in the other's order
    distinctive: float  # 0-1: how rare in English the shared words are (0: "the")


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence(Shared):
    """What a pair shares and what its texts say of each other, measured: the inputs of
    its verdict (see ``provenance``). Pairs of sides are (a, b)."""

    gap_hours: float | None  # b's publication time minus a's
    time_precision: str  # "minute" (both timed), "day" (dated), "none"
    credits: tuple[tuple[str, ...], tuple[str, ...]]  # agencies each credits its story to
    agency: str | None  # the agency both credit, or one credits and the other credits none
    pages: tuple[bool, bool]  # a, b is that agency's own copy (its outlet is the agency)
    attributes: tuple[bool, bool]  # a names b's outlet as a source; b names a's
    reported: tuple[int, int]  # quotations only a carries that b reports as speech; reverse
    reuse: float  # the fitted model's probability that one text reuses the other's
    copied: float  # its probability that the reused text is copied rather than rewritten


SHARED_FIELDS = tuple(f.name for f in fields(Shared))


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class PairResult:
    """Two related documents and the passages they share."""

    a: str
    b: str
    relation: Relation
    similarity: float
    coverage_a: float
    coverage_b: float
    direction: Direction
    regions: tuple[Region, ...]
    shared_words_a: int = 0  # words of a inside passages
    shared_words_b: int = 0
    shared: Shared | None = None  # measured where the pair is aligned
    evidence: Evidence | None = None  # set by provenance

    @property
    def passages(self) -> tuple[Passage, ...]:
        return tuple(p for region in self.regions for p in region.passages)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteOccurrence:
    """One document's printing of a statement."""

    doc: str
    parts: tuple[Span, ...]
    kind: QuoteKind
    speaker: str | None
    mention: Span | None  # the words naming the speaker in this document
    difference: str  # from the canonical text: canonical, verbatim, variant, part, ...
    edits: tuple[tuple[str, str], ...] = ()  # (canonical words, printed words)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteCluster:
    """One statement and every document that printed it."""

    id: str
    text: str
    speaker: str | None
    occurrences: tuple[QuoteOccurrence, ...]
    earliest: tuple[str, ...]  # documents with the earliest dated occurrence
    earliest_published: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutletFlow:
    """Reuse from one outlet to another, summed over their documents."""

    source: str
    target: str
    directed: bool  # False: the pairs have no known direction (the outlets share material)
    passages: int
    words: int
    documents: int  # distinct target documents


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryOrigin:
    """Where a story began: a member document, an agency named by its members' credits,
    or neither; ``basis`` says how it was told ("direction", "agency", "earliest",
    "unknown": see ``stories``)."""

    document: str | None
    agency: str | None
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMember:
    """A document of a story, under the member it took from (``parent``; None for the
    tree's root), with that pair's relation, the confidence of the direction when one
    was told, and its evidence in words."""

    document: str
    outlet: str | None
    title: str | None
    published: str | None
    parent: str | None
    relation: Relation | None
    confidence: float | None
    evidence: tuple[str, ...]
    original: float | None  # share of its words not found in earlier documents


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """Documents joined by reuse, with their origin and the tree of who took from whom."""

    id: str
    title: str | None
    origin: StoryOrigin
    members: tuple[StoryMember, ...]  # root first, each followed by those under it
    outlets: tuple[str, ...]  # most members first
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    """The corpus at a glance."""

    clusters: tuple[tuple[str, ...], ...]  # documents connected by related pairs
    flows: tuple[OutletFlow, ...]
    originality: Mapping[str, float]  # share of words not found in earlier documents
    stories: tuple[Story, ...] = ()  # documents joined by reuse, largest first


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    """The verdict of ``check`` for CI: which matches of the checked documents fail it."""

    fail_on: FailOn  # the weakest relation that fails
    min_coverage: float
    baseline: str | None  # the file of accepted matches
    checked: tuple[str, ...]  # ids of the documents checked
    failing: tuple[PairResult, ...]
    accepted: tuple[PairResult, ...]  # at or above the bar, but in the baseline

    @property
    def passed(self) -> bool:
        return not self.failing


@dataclass(frozen=True, slots=True, kw_only=True)
class BoilerplateBlock:
    """A block set aside as boilerplate: never evidence that two documents are related.
    ``rule``: "outlet" (a short block of many of one outlet's documents), "edge" (closing
    documents that share nothing else), "widespread" (printed by many documents that
    share nothing else)."""

    rule: str
    words: int
    printed: tuple[tuple[str, Span], ...]  # (document id, span of the block)


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentWords:
    """A document's length: its words, and those outside page chrome (its body)."""

    words: int
    body_words: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Stats:
    """A run's counts and timings, as the JSON report's ``stats`` shows them; the counts
    of one kind of run only (``compare``'s candidates, ``check``'s index) are None in
    the other and left out of the report."""

    documents: int
    skipped: int
    related_pairs: int
    aligned_pairs_not_related: int
    quotations: int
    quote_clusters: int
    # compare (with --db: what the index gave)
    signed_passages: int | None = None
    signatures_from_index: int | None = None
    quotations_from_index: int | None = None
    candidate_passage_pairs: int | None = None
    candidate_document_pairs: int | None = None
    boilerplate_buckets: int | None = None
    # check
    new_documents: int | None = None
    indexed_matches: int | None = None
    seconds: Mapping[str, float] = field(default_factory=dict)  # by stage
    notes: tuple[str, ...] = ()  # what the run says of its input (a manifest's columns)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["seconds"], out["notes"] = dict(self.seconds), list(self.notes)
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything one run found, ready for a renderer."""

    tool_version: str
    settings: Mapping[str, Any]
    documents: tuple[Document, ...]
    pairs: tuple[PairResult, ...]
    skipped: tuple[Skipped, ...]
    quotes: tuple[QuoteCluster, ...] = ()
    overview: Overview | None = None
    stats: Stats
    gate: Gate | None = None  # set by ``check``
    boilerplate: tuple[BoilerplateBlock, ...] = ()
    words: Mapping[str, DocumentWords] = field(default_factory=dict)  # by document id


# A related pair as plain tuples, how alignment workers send their results: pickling
# tuples of numbers is C code end to end, while pickling records runs Python code for
# each of a run's hundreds of thousands of spans.
PairTuple = tuple[Any, ...]


def pair_to_tuple(pair: PairResult) -> PairTuple:
    """``pair`` as nested tuples of strings, numbers and booleans (``pair_from_tuple``)."""
    d = pair.direction
    return (pair.a, pair.b, pair.relation.value, pair.similarity, pair.coverage_a,
            pair.coverage_b, (d.source, d.target, d.confidence, d.evidence, d.origin),
            tuple((r.a.start, r.a.end, r.b.start, r.b.end,
                   tuple((p.a.start, p.a.end, p.b.start, p.b.end, p.similarity, p.kind.value,
                          p.a_in_quote, p.b_in_quote, p.run) for p in r.passages))
                  for r in pair.regions),
            pair.shared_words_a, pair.shared_words_b,
            None if pair.shared is None else _shared_values(pair.shared), pair.evidence)


def pair_from_tuple(values: PairTuple) -> PairResult:
    """The pair ``pair_to_tuple`` made ``values`` of."""
    a, b, relation, similarity, coverage_a, coverage_b, direction, regions, words_a, \
        words_b, shared, measured = values
    source, target, confidence, evidence, origin = direction
    return PairResult(
        a=a, b=b, relation=Relation(relation), similarity=similarity, coverage_a=coverage_a,
        coverage_b=coverage_b,
        direction=Direction(source=source, target=target, confidence=confidence,
                            evidence=evidence, origin=origin),
        regions=tuple(
            Region(a=Span(start=a0, end=a1), b=Span(start=b0, end=b1), passages=tuple(
                Passage(a=Span(start=x0, end=x1), b=Span(start=y0, end=y1),
                        similarity=score, kind=Kind(kind), a_in_quote=quoted_a,
                        b_in_quote=quoted_b, run=run)
                for x0, x1, y0, y1, score, kind, quoted_a, quoted_b, run in passages))
            for a0, a1, b0, b1, passages in regions),
        shared_words_a=words_a, shared_words_b=words_b,
        shared=None if shared is None else Shared(**dict(zip(SHARED_FIELDS, shared,
                                                              strict=True))),
        evidence=measured)


_shared_values = operator.attrgetter(*SHARED_FIELDS)

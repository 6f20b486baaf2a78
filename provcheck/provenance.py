"""Provenance: what kind of reuse links two documents, and who took from whom.

A pair's evidence is measured (``evidence``) and read by the fitted model (``verdict``):
  * not reuse (a shared fact, a stock phrase, a quotation, boilerplate): ``shared_source``
    when both quote the same speaker or statement, otherwise the pair is ``unrelated``
    and not reported;
  * reuse of a story that both credit to one agency (or that one credits and the other
    prints without the credit), copied: ``syndicated``, with the agency as the origin;
  * nearly all of both texts shared word for word, or one outlet re-publishing its own
    article: ``duplicate``;
  * otherwise ``copy`` (copied or lightly edited) or ``paraphrase`` (rewritten).
The direction comes from the strongest evidence there is: a credit or in-text
attribution, an agency's own copy, publication times, containment; its confidence is
the direction model's probability of being right. Between two outlets printing one
agency's story, only evidence about those two outlets can make one the other's source.
Each step is said in a sentence, and every sentence comes from ``phrasing``, which
names the relations it may accompany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from provcheck.credits import CreditFinder, agency_of
from provcheck.evidence import measure, names_outlet, story_credits, time_gap
from provcheck.phrasing import say
from provcheck.quotes import QuoteMap
from provcheck.records import (
    NOT_REUSE,
    Direction,
    Document,
    Evidence,
    PairResult,
    QuoteKind,
    Relation,
    Span,
)
from provcheck.text.segment import Segmented
from provcheck.verdict import VerdictModel, direction_inputs, explain, inputs, load

# Reuse is of narration: a pair sharing fewer words outside quotations than this shares
# quotations, whatever else the model says (the definition, not a fitted weight).
MIN_NARRATION = 10
# A quotation shared is a common source when it holds this many words.
MIN_QUOTED_WORDS = 8
DUPLICATE_COVERAGE = 0.9
DUPLICATE_VERBATIM = 0.95  # of the shared words, word for word: a duplicate, not an edit
# No direction below this probability of being right; for a shared source, printing
# first is not taking, so its direction is never surer than this.
MIN_DIRECTION = 0.6
SHARED_SOURCE_CAP = 0.45
DATE_WEIGHT = 0.25  # the weak vote of an earlier date between texts of a shared source

@dataclass(frozen=True, slots=True)
class Context:
    """What provenance needs to know about the corpus."""

    documents: Mapping[str, Document]
    segmented: Mapping[str, Segmented]
    quotes: Mapping[str, frozenset[str]]  # document id -> ids of quote clusters it quotes
    quote_spans: Mapping[str, tuple[tuple[Span, str], ...]]  # document -> (span, cluster id)
    printed: Mapping[str, frozenset[str]]  # document id -> every quote cluster it prints
    explain_unrelated: bool  # say why of pairs judged unrelated too (they are reported)
    speakers: Mapping[str, str]  # quote cluster id -> its speaker, when known
    named: Mapping[str, frozenset[str]]  # document id -> names it attributes material to
    model: VerdictModel


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the pair's quotations say."""

    only: tuple[int, int]  # quotations only a carries, only b carries
    reported: tuple[int, int]  # passages where b reports a's own quote, and the reverse
    shared_quotes: int  # quote clusters both carry
    quoted_words: tuple[int, int]  # words of the shared passages in quotations, a and b


def context(documents: Sequence[Document], segmented: Sequence[Segmented],
            quotes: QuoteMap, model: VerdictModel | None = None, *,
            explain_unrelated: bool = True) -> Context:
    """What provenance needs. The names a document attributes material to are read
    when a pair with an outlet's document first asks (most documents are in no pair)."""
    carried: dict[str, set[str]] = {d.id: set() for d in documents}
    spans: dict[str, list[tuple[Span, str]]] = {d.id: [] for d in documents}
    for printing in quotes.printings:
        if printing.kind is not QuoteKind.REPORTED:
            carried[printing.doc].add(printing.cluster)
        spans[printing.doc].extend((p, printing.cluster) for p in printing.parts)
    finder = CreditFinder.of({d.outlet for d in documents if d.outlet})
    by_id = {d.id: d for d in documents}
    return Context(
        documents=by_id,
        segmented={d.id: s for d, s in zip(documents, segmented, strict=True)},
        quotes={k: frozenset(v) for k, v in carried.items()},
        quote_spans={k: tuple(v) for k, v in spans.items()},
        printed={k: frozenset(c for _, c in v) for k, v in spans.items()},
        speakers=quotes.speakers,
        named=_PerDocument(lambda i: finder.read(by_id[i].text).named),
        model=model or load(),
        explain_unrelated=explain_unrelated,
    )


class _PerDocument(Mapping[str, frozenset[str]]):
    """``read(document id)`` of each document, made when first asked for (most
    documents are in no pair)."""

    def __init__(self, read: Callable[[str], frozenset[str]]) -> None:
        self._read = read
        self._found: dict[str, frozenset[str]] = {}

    def __getitem__(self, doc_id: str) -> frozenset[str]:
        found = self._found.get(doc_id)
        if found is None:
            found = self._found[doc_id] = self._read(doc_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)


def judge(pair: PairResult, ctx: Context) -> PairResult:
    """The pair with its evidence, relation and direction filled in; ``unrelated`` when
    what it shares is no evidence of reuse (such pairs are not reported)."""
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    facts = _facts(pair, ctx)
    assert pair.shared is not None, "a pair is measured where it is aligned"
    x = inputs(pair, pair.shared)
    evidence = measure(pair, a, b, (story_credits(a, ctx.segmented[pair.a]),
                                    story_credits(b, ctx.segmented[pair.b])),
                       (b.outlet is not None and names_outlet(ctx.named[pair.a], b),
                        a.outlet is not None and names_outlet(ctx.named[pair.b], a)),
                       facts.reported,
                       (round(ctx.model.reuse.probability(x), 4),
                        round(ctx.model.copied.probability(x), 4)))
    if not ctx.explain_unrelated and _not_reuse(evidence, ctx) and \
            max(facts.quoted_words) < MIN_QUOTED_WORDS:
        return replace(pair, relation=Relation.UNRELATED, evidence=evidence)
    relation, origin, why = _relation(pair, evidence, facts, x, ctx)
    direction = _direction(pair, evidence, facts, relation, origin, why, ctx)
    return replace(pair, relation=relation, direction=direction, evidence=evidence)


def _facts(pair: PairResult, ctx: Context) -> _Facts:
    reported_a_only = reported_b_only = 0
    # Material only one side has: quotations the other does not carry in any form.
    only_a = ctx.quotes[pair.a] - _all_clusters(pair.b, ctx)
    only_b = ctx.quotes[pair.b] - _all_clusters(pair.a, ctx)
    # Quotations only one side quotes (the other may report them as speech).
    quoted_only_a = ctx.quotes[pair.a] - ctx.quotes[pair.b]
    quoted_only_b = ctx.quotes[pair.b] - ctx.quotes[pair.a]
    quoted = [p for p in pair.passages if p.in_quote]
    for p in quoted:
        if p.a_in_quote and not p.b_in_quote and \
                _clusters_at(pair.a, p.a, ctx) & quoted_only_a:
            reported_a_only += 1
        if p.b_in_quote and not p.a_in_quote and \
                _clusters_at(pair.b, p.b, ctx) & quoted_only_b:
            reported_b_only += 1
    shared = len(ctx.quotes[pair.a] & _all_clusters(pair.b, ctx))
    words = (sum(ctx.segmented[pair.a].word_counts([p.a for p in quoted])),
             sum(ctx.segmented[pair.b].word_counts([p.b for p in quoted])))
    return _Facts((len(only_a), len(only_b)), (reported_a_only, reported_b_only), shared,
                  words)


def _relation(pair: PairResult, e: Evidence, facts: _Facts, x: Mapping[str, float],
              ctx: Context) -> tuple[Relation, str | None, list[str]]:
    """The relation, the agency whose story both print (or None), and why."""
    if _not_reuse(e, ctx):
        return _no_reuse(pair, e, facts, x, ctx)
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    copied = e.copied >= ctx.model.copied.threshold
    # Two texts whose outlet is an agency (a wire dateline names it, or it is the
    # agency's site) print its story: syndication, not one outlet re-publishing.
    same_outlet = bool(a.outlet) and a.outlet == b.outlet and agency_of(a.outlet) is None
    origin = None if same_outlet else e.agency
    word_for_word = e.verbatim >= DUPLICATE_VERBATIM
    first = ""
    if origin and copied:
        relation = Relation.SYNDICATED
        first = say("syndicated", relation, agency=origin, how=_how(e))
    elif min(pair.coverage_a, pair.coverage_b) >= DUPLICATE_COVERAGE and \
            (word_for_word or same_outlet):
        relation = Relation.DUPLICATE
        first = say("duplicate", relation, a=pair.coverage_a, b=pair.coverage_b,
                    how=", word for word" if word_for_word else f", both from {a.outlet}")
    elif copied:
        relation = Relation.COPY
    else:
        relation = Relation.PARAPHRASE
        if origin:
            first = say("agency_rewrite", relation, agency=origin, how=_how(e))
    why = [s for s in (first, say("reuse", relation, p=e.reuse,
                                  terms=explain(ctx.model.reuse, x))) if s]
    why.append(say("copied" if copied else "rewritten", relation,
                   share=e.verbatim + e.lightly_edited, run=e.longest_run, p=e.copied))
    return relation, origin, why + _boilerplate(e, relation)


def _no_reuse(pair: PairResult, e: Evidence, facts: _Facts, x: Mapping[str, float],
              ctx: Context) -> tuple[Relation, str | None, list[str]]:
    """A shared source when both quote one at length, else unrelated; and why."""
    relation = Relation.SHARED_SOURCE if max(facts.quoted_words) >= MIN_QUOTED_WORDS \
        else Relation.UNRELATED
    why = [_quotes_sentence(pair, facts, ctx) if relation is Relation.SHARED_SOURCE else
           say("unrelated", relation, words=min(pair.shared_words_a, pair.shared_words_b),
               what=_what(e)),
           say("little_narration", relation, words=e.narration_words)
           if e.narration_words < MIN_NARRATION else
           say("not_reuse", relation, p=e.reuse, terms=explain(ctx.model.reuse, x))]
    return relation, None, why + _boilerplate(e, relation)


def _not_reuse(e: Evidence, ctx: Context) -> bool:
    return e.narration_words < MIN_NARRATION or e.reuse < ctx.model.reuse.threshold


def _how(e: Evidence) -> str:
    """How the texts tell whose story they carry."""
    if e.agency in e.credits[0] and e.agency in e.credits[1]:
        return f"both credit {e.agency}"
    return f"one credits {e.agency}, the other credits no one"


def _what(e: Evidence) -> str:
    if e.quoted >= 0.5:
        return "mostly quotations"
    if e.distinctive < 0.25:
        return "in common phrases"
    return "a sentence or a fact"


def _boilerplate(e: Evidence, relation: Relation) -> list[str]:
    return [say("boilerplate", relation, words=e.boilerplate_words)] \
        if e.boilerplate_words else []


def _quotes_sentence(pair: PairResult, facts: _Facts, ctx: Context) -> str:
    relation = Relation.SHARED_SOURCE
    speakers = _speakers(pair, ctx)
    who = f" of {_names(speakers)}" if speakers else ""
    count = sum(1 for p in pair.passages if p.in_quote)
    gap, _ = time_gap(ctx.documents[pair.a].published, ctx.documents[pair.b].published)
    days = abs(gap or 0.0) / 24
    if days > 7:
        return say("quotes_recurring", relation, who=who, count=count, days=days)
    held = _quotation_words(pair, ctx)
    if facts.shared_quotes and any(s >= 0.5 * h for s, h in
                                   zip(facts.quoted_words, held, strict=True) if h):
        return say("quotes_common", relation, who=who, count=count,
                   words=facts.quoted_words[0])
    return say("quotes_talking_points", relation, who=who, count=count,
               words=facts.quoted_words[0])


def _direction(pair: PairResult, e: Evidence, facts: _Facts, relation: Relation,
               origin: str | None, why: list[str], ctx: Context) -> Direction:
    evidence = list(why)
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    only_a, only_b = facts.only
    if only_a and only_b:
        evidence.append(say("only_material", relation, a=only_a, b=only_b, first=_label(a),
                            second=_label(b)))
    for (src, dst), count in zip(((a, b), (b, a)), facts.reported, strict=True):
        if count:
            evidence.append(say("reported", relation, target=_label(dst), count=count,
                                source=_label(src)))
    if relation in NOT_REUSE:
        return _weak_direction(pair, e, facts, relation, evidence, ctx)
    pages = e.pages if origin else (False, False)
    for page, doc in zip(pages, (a, b), strict=True):
        if page:
            evidence.append(say("agency_page", relation, page=_label(doc), agency=origin))
    for (src, dst), named in zip(((b, a), (a, b)), e.attributes, strict=True):
        if named:
            evidence.append(say("attribution", relation, target=_label(dst),
                                outlet=src.outlet, source=_label(src)))
    _time_sentence(a, b, relation, evidence, weak=False)
    _containment_sentence(pair, a, b, relation, evidence)
    x = direction_inputs(pair, e, pages)
    if origin and not (any(pages) or any(e.attributes)):
        # Both took the story from the agency: times and containment say who printed
        # it first, not that one outlet took it from the other.
        evidence.append(say("no_outlet_direction", relation, agency=origin))
        return Direction(evidence=tuple(evidence), origin=origin)
    model = ctx.model.direction
    p = model.probability(x)
    confidence = round(max(p, 1 - p), 2)
    if confidence < MIN_DIRECTION:
        evidence.append(say("no_direction", relation))
        return Direction(evidence=tuple(evidence), origin=origin)
    source, target = (a, b) if p >= 0.5 else (b, a)
    evidence.append(say("direction", relation, source=_label(source), target=_label(target),
                        p=confidence, terms=explain(model, x, count=2,
                                                    toward=1 if p >= 0.5 else -1)))
    return Direction(source=source.id, target=target.id, confidence=confidence,
                     evidence=tuple(evidence), origin=origin)


def _weak_direction(pair: PairResult, e: Evidence, facts: _Facts, relation: Relation,
                    evidence: list[str], ctx: Context) -> Direction:
    """Between texts of a shared source, who printed first and who reports the other's
    quotations, never surer than ``SHARED_SOURCE_CAP``."""
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    votes = {a.id: 0.0, b.id: 0.0}
    first = _time_sentence(a, b, relation, evidence, weak=True)
    if first is not None:
        votes[first] += DATE_WEIGHT
    for src, count in zip((a, b), facts.reported, strict=True):
        votes[src.id] += 0.2 if count else 0.0
    leader = max(votes, key=lambda k: votes[k])
    other = b.id if leader == a.id else a.id
    confidence = round(min(SHARED_SOURCE_CAP, votes[leader] - votes[other]), 2)
    if confidence < 0.1:
        evidence.append(say("no_direction", relation))
        return Direction(evidence=tuple(evidence))
    return Direction(source=leader, target=other, confidence=confidence,
                     evidence=tuple(evidence))


def _time_sentence(a: Document, b: Document, relation: Relation, evidence: list[str], *,
                   weak: bool) -> str | None:
    """Say what the publication times tell; return the id of the earlier, if they tell."""
    gap, precision = time_gap(a.published, b.published)
    if gap is None:
        dated = [d for d in (a, b) if d.published]
        which = f"Only {_label(dated[0])} is dated ({dated[0].published})" if dated else \
            "Neither text is dated"
        evidence.append(say("undated", relation, which=which))
        return None
    hours = abs(gap)
    if (precision == "day" and hours < 24) or (precision == "minute" and hours < 0.5):
        when = f"on {(a.published or '')[:10]}" if precision == "day" else \
            "within half an hour"
        evidence.append(say("same_time", relation, when=when))
        return None
    first, second = (a, b) if gap > 0 else (b, a)
    shown = f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.1f} hours"
    tail = ", which tells who printed first, not that one took from the other." if weak \
        else "."
    evidence.append(say("time", relation, first=_label(first), gap=shown,
                        second=_label(second), when_first=first.published,
                        when_second=second.published, tail=tail))
    return first.id


def _containment_sentence(pair: PairResult, a: Document, b: Document, relation: Relation,
                          evidence: list[str]) -> None:
    """A text nearly all found inside a longer one reads as that one's source: reuse
    usually keeps the borrowed text and adds to it (a story built on a press release or
    a wire brief), more often than it trims a longer text to an excerpt."""
    for src, dst, cov_src, cov_dst in ((a, b, pair.coverage_a, pair.coverage_b),
                                       (b, a, pair.coverage_b, pair.coverage_a)):
        if cov_src >= 0.8 and cov_dst < 0.6:
            evidence.append(say("contained", relation, share=cov_src, source=_label(src),
                                target=_label(dst), added=1 - cov_dst))


def _all_clusters(doc: str, ctx: Context) -> frozenset[str]:
    return ctx.printed[doc]


def _clusters_at(doc: str, span: Span, ctx: Context) -> set[str]:
    return {cluster for s, cluster in ctx.quote_spans[doc] if s.overlaps(span)}


def _quotation_words(pair: PairResult, ctx: Context) -> tuple[int, int]:
    """Words of the quotations that hold the shared quoted passages, on each side."""
    totals = []
    for doc, spans in ((pair.a, [p.a for p in pair.passages if p.in_quote]),
                       (pair.b, [p.b for p in pair.passages if p.in_quote])):
        seg = ctx.segmented[doc]
        quotes = np.unique(np.array(seg.quotes, dtype=np.int64).reshape(-1, 2), axis=0)
        shared = np.array([(x.start, x.end) for x in spans], dtype=np.int64).reshape(-1, 2)
        overlaps = ((quotes[:, None, 0] < shared[None, :, 1])
                    & (shared[None, :, 0] < quotes[:, None, 1])).any(axis=1)
        totals.append(sum(seg.word_counts([Span(start=s, end=e)
                                           for s, e in quotes[overlaps].tolist()])))
    return totals[0], totals[1]


def _speakers(pair: PairResult, ctx: Context) -> set[str]:
    """Who spoke the quotations the two texts share."""
    found = set()
    for p in pair.passages:
        if p.in_quote:
            for cluster in _clusters_at(pair.a, p.a, ctx) | _clusters_at(pair.b, p.b, ctx):
                if cluster in ctx.speakers:
                    found.add(ctx.speakers[cluster])
    return found


def _label(doc: Document) -> str:
    return f"{doc.id} ({doc.outlet})" if doc.outlet else doc.id


def _names(names: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(names))

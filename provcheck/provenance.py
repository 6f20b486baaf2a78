"""Provenance: what kind of reuse links two documents, and who took from whom.

The relation follows from what the two texts share:
  * little of their own narration (what is outside quotations on both sides), only
    quotations: ``shared_source`` - both drew on the same speaker or event;
  * narration, mostly word for word: ``copy``; ``duplicate`` when nearly all of both
    texts is shared word for word, or one outlet re-published its own article;
  * narration, reworded: ``paraphrase``;
  * narration that both credit to the same third party (a wire): ``shared_source``.
The direction is weighed from evidence, each piece stated in a sentence: publication
dates (strong between copies; weak for a shared source, where printing first is not
taking), credits naming the other's outlet ("Reuters reported"), material only one side
has (a text carrying quotations the other lacks cannot be a copy of only the other),
reported speech of quotations only the other carries, and containment. Without evidence
the direction is unknown: ``source``/``target`` null and confidence 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

import ahocorasick
import numpy as np

from provcheck.quotes import QuoteMap
from provcheck.records import Direction, Document, Kind, PairResult, Relation, Span
from provcheck.segment import Segmented

NARRATION_MIN_WORDS = 25  # less shared narration than this: the texts share quotations
COPY_SHARE = 0.6  # of the shared narration verbatim or near-verbatim: a copy
DUPLICATE_COVERAGE = 0.9
SHARED_SOURCE_CAP = 0.45  # no confidence that one took from the other, when both quote
MIN_CONFIDENCE = 0.1  # a smaller margin between the two sides is noise
DATE_WEIGHT = {"strong": 0.85, "weak": 0.25}
CREDIT_WEIGHT = 0.6
REPORTED_WEIGHT = 0.2
CONTAINMENT_WEIGHT = 0.15
_WORD_CHAR = re.compile(r"\w")
_WIRES = ("Reuters", "AP", "Associated Press", "AFP", "Agence France-Presse", "UPI",
          "Bloomberg", "dpa", "EFE", "ANSA", "Xinhua", "TASS", "Kyodo", "PA Media")


@dataclass(frozen=True, slots=True)
class Context:
    """What provenance needs to know about the corpus."""

    documents: Mapping[str, Document]
    segmented: Mapping[str, Segmented]
    quotes: Mapping[str, frozenset[str]]  # document id -> ids of quote clusters it quotes
    quote_spans: Mapping[str, tuple[tuple[Span, str], ...]]  # document -> (span, cluster id)
    speakers: Mapping[str, str]  # quote cluster id -> its speaker, when known
    credits: Mapping[str, frozenset[str]]  # document id -> names it credits anywhere
    authors: Mapping[str, frozenset[str]]  # document id -> names credited with the story


@dataclass(frozen=True, slots=True)
class _Facts:
    narration: tuple[int, int]  # words of shared narration in a, in b
    copied: int  # words (a side) of shared narration that are verbatim or near-verbatim
    quoted: int  # words (a side) of passages that are quotations on either side
    only: tuple[int, int]  # quotations only a carries, only b carries
    reported: tuple[int, int]  # passages where b reports a's own quote, and the reverse
    shared_quotes: int


def context(documents: Sequence[Document], segmented: Sequence[Segmented],
            quotes: QuoteMap) -> Context:
    """What provenance needs. What a document credits is found when a pair first asks
    (most documents are in no pair)."""
    carried: dict[str, set[str]] = {d.id: set() for d in documents}
    spans: dict[str, list[tuple[Span, str]]] = {d.id: [] for d in documents}
    for printing in quotes.printings:
        if printing.kind != "reported":
            carried[printing.doc].add(printing.cluster)
        spans[printing.doc].extend((p, printing.cluster) for p in printing.parts)
    outlets = sorted({d.outlet for d in documents if d.outlet} | set(_WIRES), key=len,
                     reverse=True)
    finder = _CreditFinder.of(outlets)
    by_id = {d.id: d for d in documents}
    return Context(
        documents=by_id,
        segmented={d.id: s for d, s in zip(documents, segmented, strict=True)},
        quotes={k: frozenset(v) for k, v in carried.items()},
        quote_spans={k: tuple(v) for k, v in spans.items()},
        speakers=quotes.speakers,
        credits=_PerText(by_id, finder.credits),
        authors=_PerText(by_id, finder.authors),
    )


class _PerText(Mapping[str, frozenset[str]]):
    """``find(text)`` of each document, by id, found when first asked for."""

    def __init__(self, documents: Mapping[str, Document],
                 find: Callable[[str], frozenset[str]]) -> None:
        self._documents = documents
        self._find = find
        self._found: dict[str, frozenset[str]] = {}

    def __getitem__(self, doc_id: str) -> frozenset[str]:
        found = self._found.get(doc_id)
        if found is None:
            found = self._found[doc_id] = self._find(self._documents[doc_id].text)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)


def judge(pair: PairResult, ctx: Context) -> PairResult:
    """The pair with its relation and direction filled in."""
    facts = _facts(pair, ctx)
    relation, why = _relation(pair, facts, ctx)
    direction = _direction(pair, facts, relation, ctx, why)
    return replace(pair, relation=relation, direction=direction)


def _facts(pair: PairResult, ctx: Context) -> _Facts:
    seg_a, seg_b = ctx.segmented[pair.a], ctx.segmented[pair.b]
    narration_a = narration_b = copied = quoted = 0
    reported_a_only = reported_b_only = 0
    # Material only one side has: quotations the other does not carry in any form.
    only_a = ctx.quotes[pair.a] - _all_clusters(pair.b, ctx)
    only_b = ctx.quotes[pair.b] - _all_clusters(pair.a, ctx)
    # Quotations only one side quotes (the other may report them as speech).
    quoted_only_a = ctx.quotes[pair.a] - ctx.quotes[pair.b]
    quoted_only_b = ctx.quotes[pair.b] - ctx.quotes[pair.a]
    passages = pair.passages
    counted = zip(passages, seg_a.word_counts([p.a for p in passages]),
                  seg_b.word_counts([p.b for p in passages]), strict=True)
    for p, words_a, words_b in counted:
        if p.in_quote:
            quoted += words_a
            if p.a_in_quote and not p.b_in_quote and \
                    _clusters_at(pair.a, p.a, ctx) & quoted_only_a:
                reported_a_only += 1
            if p.b_in_quote and not p.a_in_quote and \
                    _clusters_at(pair.b, p.b, ctx) & quoted_only_b:
                reported_b_only += 1
            continue
        narration_a += words_a
        narration_b += words_b
        if p.kind is not Kind.PARAPHRASE:
            copied += words_a
    shared = len(ctx.quotes[pair.a] & _all_clusters(pair.b, ctx))
    return _Facts((narration_a, narration_b), copied, quoted, (len(only_a), len(only_b)),
                  (reported_a_only, reported_b_only), shared)


def _relation(pair: PairResult, facts: _Facts, ctx: Context) -> tuple[Relation, list[str]]:
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    narration = min(facts.narration)
    why: list[str] = []
    if narration < NARRATION_MIN_WORDS:
        why.append(_quotes_sentence(pair, facts, ctx))
        return Relation.SHARED_SOURCE, why
    third = (ctx.authors[pair.a] & ctx.authors[pair.b]) - {a.outlet, b.outlet}
    if third:
        why.append(f"Both texts credit the story to {_names(third)} and share its narration: "
                   "they ran the same source's story.")
        return Relation.SHARED_SOURCE, why
    verbatim = (facts.copied >= 0.98 * facts.narration[0] and facts.quoted == 0) or \
        all(p.kind is Kind.VERBATIM for p in pair.passages)
    same_outlet = bool(a.outlet) and a.outlet == b.outlet
    if min(pair.coverage_a, pair.coverage_b) >= DUPLICATE_COVERAGE and (verbatim or same_outlet):
        why.append(f"Nearly all of both texts is shared ({pair.coverage_a:.0%} and "
                   f"{pair.coverage_b:.0%})" + (", word for word." if verbatim else
                                                 f", both from {a.outlet}."))
        return Relation.DUPLICATE, why
    share = facts.copied / max(1, facts.narration[0])
    if share >= COPY_SHARE:
        why.append(f"They share {facts.narration[0]} words of their own narration, "
                   f"{share:.0%} of them word for word or lightly edited.")
        return Relation.COPY, why
    why.append(f"They share {facts.narration[0]} words of their own narration, mostly "
               "reworded.")
    return Relation.PARAPHRASE, why


def _quotes_sentence(pair: PairResult, facts: _Facts, ctx: Context) -> str:
    speakers = _speakers(pair, ctx)
    who = f" of {_names(speakers)}" if speakers else ""
    count = sum(1 for p in pair.passages if p.in_quote)
    first, second = ctx.documents[pair.a].published, ctx.documents[pair.b].published
    apart = _days(first, second) if first and second else 0.0
    if apart > 7:
        return (f"The texts share only quotations{who} ({count} passages), printed "
                f"{apart:.0f} days apart: recurring statements of the speaker at different "
                "events, not one text copying the other.")
    held = _quotation_words(pair, ctx)
    shared_words = (facts.quoted, sum(ctx.segmented[pair.b].word_counts(
        [p.b for p in pair.passages if p.in_quote])))
    if facts.shared_quotes and any(s >= 0.5 * h for s, h in zip(shared_words, held, strict=True)
                                   if h):
        return (f"The texts share the same quotations{who} ({count} passages, "
                f"{facts.quoted} words) but write their own narration: a common source, "
                "such as a press conference or a statement.")
    return (f"The texts share only quotations{who} ({count} passages, {facts.quoted} words), "
            "each within different surrounding statements: talking points the speaker "
            "repeats, not one text copying the other.")


def _direction(pair: PairResult, facts: _Facts, relation: Relation, ctx: Context,
               why: list[str]) -> Direction:
    evidence = list(why)
    votes: dict[str, float] = {pair.a: 0.0, pair.b: 0.0}
    a, b = ctx.documents[pair.a], ctx.documents[pair.b]
    strength = "weak" if relation is Relation.SHARED_SOURCE else "strong"
    _date_votes(a, b, strength, votes, evidence)
    for src, dst in ((a, b), (b, a)):
        if src.outlet and src.outlet in ctx.credits[dst.id]:
            votes[src.id] += CREDIT_WEIGHT
            evidence.append(f"{_label(dst)} credits {src.outlet}, the outlet of {_label(src)}.")
    only_a, only_b = facts.only
    if only_a and only_b:
        evidence.append(f"Each carries quotations the other lacks ({only_a} only in "
                        f"{_label(a)}, {only_b} only in {_label(b)}): neither can be a copy "
                        "of only the other.")
    for (src, dst), count in zip(((a, b), (b, a)), facts.reported, strict=True):
        if count:
            votes[src.id] += REPORTED_WEIGHT
            evidence.append(f"{_label(dst)} turns {count} quotation(s) that only "
                            f"{_label(src)} carries into reported speech: it may also have "
                            f"drawn on {_label(src)}.")
    if relation is not Relation.SHARED_SOURCE:
        _containment_votes(pair, a, b, votes, evidence)
    leader = max(votes, key=lambda k: votes[k])
    other = b.id if leader == a.id else a.id
    cap = SHARED_SOURCE_CAP if relation is Relation.SHARED_SOURCE else 0.95
    confidence = round(min(cap, votes[leader] - votes[other]), 2)
    if confidence < MIN_CONFIDENCE:
        evidence.append("Nothing tells which came first: the direction is unknown.")
        return Direction(evidence=tuple(evidence))
    return Direction(source=leader, target=other, confidence=confidence,
                     evidence=tuple(evidence))


def _date_votes(a: Document, b: Document, strength: str, votes: dict[str, float],
                evidence: list[str]) -> None:
    if not (a.published and b.published):
        dated = [d for d in (a, b) if d.published]
        evidence.append(f"Only {_label(dated[0])} is dated ({dated[0].published}): dates cannot "
                        "order them." if dated else "Neither text is dated.")
        return
    (first, when_first), (second, when_second) = sorted(
        ((a, a.published), (b, b.published)), key=lambda d: d[1])
    days = _days(when_first, when_second)
    timed = len(when_first) > 10 and len(when_second) > 10
    if days >= 1 or (timed and days * 24 >= 0.5):
        weight = DATE_WEIGHT[strength] if days >= 1 else DATE_WEIGHT[strength] * 0.6
        votes[first.id] += weight
        gap = f"{days:.0f} days" if days >= 1 else f"{days * 24:.1f} hours"
        evidence.append(f"{_label(first)} was published {gap} before {_label(second)} "
                        f"({when_first} and {when_second})"
                        + ("." if strength == "strong" else
                           ", which tells who printed first, not that one took from the other."))
    else:
        evidence.append(f"Both were published on {when_first[:10]}; their dates cannot "
                        "tell which came first.")


def _containment_votes(pair: PairResult, a: Document, b: Document, votes: dict[str, float],
                       evidence: list[str]) -> None:
    """A text nearly all found inside a longer one reads as that one's source: reuse
    usually keeps the borrowed text and adds to it (a story built on a press release or
    a wire brief), more often than it trims a longer text to an excerpt."""
    for src, dst, cov_src, cov_dst in ((a, b, pair.coverage_a, pair.coverage_b),
                                       (b, a, pair.coverage_b, pair.coverage_a)):
        if cov_src >= 0.8 and cov_dst < 0.6:
            votes[src.id] += CONTAINMENT_WEIGHT
            evidence.append(f"{cov_src:.0%} of {_label(src)} is in {_label(dst)}, which adds "
                            f"material of its own ({1 - cov_dst:.0%} not shared): "
                            f"{_label(dst)} reads as built on {_label(src)}.")


@dataclass(frozen=True, slots=True)
class _CreditFinder:
    """Finds the outlets and agencies a text credits, in one pass per pattern.

    ``anywhere``: "(Reuters)", "Reuters reported", "according to Reuters", "told
    Reuters", "via AP", "reported by NBC". ``story``: credits of the story itself - a
    wire dateline "KABUL (Reuters) -" or a byline "By AP" near the start, "Source: AFP",
    "... contributed to this report" near the end. Names longer than three letters match
    in any case ("reuters"), shorter ones ("AP") only as written. The patterns are built
    for the names a text mentions at all (found in one pass over the text for all names,
    by Aho-Corasick, then confirmed as whole words: every pattern wants the name
    delimited, so "AP" in "CAPITAL" cannot match), so most texts never run a credit
    regex, and the rest run one over a few names. Built patterns are kept for the name
    sets seen (a corpus of 300 outlets has ~1,000).
    """

    names: tuple[str, ...]
    folded: ahocorasick.Automaton  # longer names, lower case -> (key length, positions)
    exact: ahocorasick.Automaton  # names of up to three letters, as written -> the same

    @classmethod
    def of(cls, names: Sequence[str]) -> _CreditFinder:
        ordered = tuple(sorted(set(names), key=lambda n: (-len(n), n)))
        folded, exact = ahocorasick.Automaton(), ahocorasick.Automaton()
        for k, name in enumerate(ordered):
            automaton, key = (folded, name.lower()) if len(name) > 3 else (exact, name)
            automaton.add_word(key, (len(key), *automaton.get(key, (0,))[1:], k))
        for automaton in (folded, exact):
            automaton.make_automaton()
        return cls(ordered, folded, exact)

    def credits(self, text: str) -> frozenset[str]:
        names = self._mentioned(text)
        return _find(_credits_anywhere(names), _canonical(names), text) if names else frozenset()

    def authors(self, text: str) -> frozenset[str]:
        head, tail = text[:400], text[-400:]
        names = self._mentioned(head + "\n" + tail)
        if not names:
            return frozenset()
        head_patterns, tail_patterns = _credits_of_story(names)
        return (_find(head_patterns, _canonical(names), head)
                | _find(tail_patterns, _canonical(names), tail))

    def _mentioned(self, text: str) -> tuple[str, ...]:
        found: set[int] = set()
        for automaton, searched in ((self.folded, text.lower()), (self.exact, text)):
            if automaton.kind != ahocorasick.AHOCORASICK:
                continue  # no names of this kind
            for last, (length, *names) in automaton.iter(searched):
                if _delimited(searched, last + 1 - length, last + 1):
                    found.update(names)
        return tuple(self.names[k] for k in sorted(found))


def _delimited(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` not part of a longer word, where it begins or ends with a
    word character (as a credit pattern's ``\\b`` or parenthesis wants)?"""
    def word(i: int) -> bool:
        return 0 <= i < len(text) and _WORD_CHAR.match(text, i) is not None
    return not (word(start) and word(start - 1)) and not (word(end - 1) and word(end))


def _as_written(name: str) -> str:
    """A pattern for ``name``: in any case when longer than three letters."""
    return f"(?i:{re.escape(name)})" if len(name) > 3 else re.escape(name)


_LEAD = r"(?i:according to|told|via|reported by|source:)\s+(?:[Tt]he\s+)?"


# Patterns are made for each set of names a text mentions (a corpus of 300 outlets has
# ~1,000 such sets); those of credits anywhere and those of the story's own credit are
# kept apart, as a text's two sets differ (the story's are read in its head and tail).
@lru_cache(maxsize=4096)
def _credits_anywhere(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """"(Reuters)", "Reuters reported", "according to Reuters"... of ``names``."""
    name = _name_group(names)
    return (re.compile(rf"\({name}\)"),
            re.compile(rf"\b{name}\s+(?i:reported|reports|said|says)\b"),
            re.compile(rf"\b{_LEAD}{name}\b"))


@lru_cache(maxsize=4096)
def _credits_of_story(names: tuple[str, ...],
                      ) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """The patterns of a story's own credit in its head (a wire dateline, a byline) and
    in its tail ("... contributed to this report", "Source: ...") for ``names``."""
    name = _name_group(names)
    return ((re.compile(rf"\({name}\)\s*[-\u2013\u2014:]"),
             re.compile(rf"(?m)^\s*(?:By|Source:|Via)\s+(?:[Tt]he\s+)?{name}\s*$")),
            (re.compile(rf"\b{name}\b[^.\n]{{0,60}}contributed to this report"),
             re.compile(rf"(?m)^\s*(?:Source:|Via)\s+(?:[Tt]he\s+)?{name}\s*$")))


def _name_group(names: tuple[str, ...]) -> str:
    return f"(?P<name>{'|'.join(map(_as_written, names))})"


@lru_cache(maxsize=4096)
def _canonical(names: tuple[str, ...]) -> Mapping[str, str]:
    return {n.lower(): n for n in names}


def _find(patterns: tuple[re.Pattern[str], ...], canonical: Mapping[str, str],
          text: str) -> frozenset[str]:
    return frozenset(canonical.get(m.group("name").lower(), m.group("name"))
                     for pattern in patterns for m in pattern.finditer(text))


def _all_clusters(doc: str, ctx: Context) -> frozenset[str]:
    return frozenset(cluster for _, cluster in ctx.quote_spans[doc])


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


def _days(first: str, second: str) -> float:
    return abs((_when(second) - _when(first)).total_seconds()) / 86400


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value if len(value) > 10 else value + "T00:00")


def _label(doc: Document) -> str:
    return f"{doc.id} ({doc.outlet})" if doc.outlet else doc.id


def _names(names: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(names))

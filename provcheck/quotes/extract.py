"""Quotations of one document: what was said, where, and the words naming who said it.

Three kinds, found by rules over sentences and quotation marks:
  * ``direct``: text between quotation marks, one quotation per statement even when it
    runs over paragraphs or is interrupted by its attribution (“X,” he said, “Y.”);
  * ``label``: the answer after a speaker label in a transcript ("Jens Stoltenberg: ...");
  * ``reported``: reported speech around a cue verb: "X said (that) ...", "..., X said.",
    "according to X, ...".
Each quotation keeps the local *mention* of its speaker (a name, a pronoun, "the NATO
chief"); ``speakers`` resolves mentions to people. Short quoted phrases with no cue
(scare quotes, titles) are not quotations.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from provcheck.quotes.reading import (
    Doc,
    Holding,
    Quotation,
    punctuation,
    trim_end,
    word_span,
)
from provcheck.quotes.reported import reported as find_reported
from provcheck.quotes.sources import (
    MAX_SOURCE_WORDS,
    is_cue,
    is_source,
    mention_in,
    source_after,
    source_before,
)
from provcheck.records import QuoteKind, Span
from provcheck.text.quotespan import find_quote_groups
from provcheck.text.segment import Segmented

MIN_QUOTE_WORDS = 4  # shorter quoted phrases count only with a cue next to them
PARTIAL_QUOTE_WORDS = 8  # a shorter quotation inside reported speech belongs to it
INHERIT_PARAGRAPHS = 6  # an unattributed quotation continues the last speaker this far
_LABEL = re.compile(  # used with match(text, pos): anchored at the paragraph start
    r"(?P<label>(?:[A-Z][\w.'\-]*\s+){0,4}[A-Z][\w.'\-]*(?:,\s*[\w.&' \-]{2,40})?|[a-z]{2,15})"
    r"\s*:\s+(?=\S)")


def extract(text: str, seg: Segmented) -> list[Quotation]:
    """Every quotation of one document, in text order."""
    doc = Doc(text, seg)
    direct = _direct(doc)
    labels = _labels(doc, direct)
    used = {q.cue.start for q in direct if q.cue}
    reported = find_reported(doc, [q.span for q in labels], used)
    # A short quoted phrase inside reported speech is part of that statement
    # ("he called the plan “a disgrace” and vowed ..."); a longer quotation stands.
    holds = Holding([r.span for r in reported])
    direct = [q for q in direct if _words(doc, q) >= PARTIAL_QUOTE_WORDS
              or not holds.contains(q.span)]
    # Reported speech that holds another quotation's own attribution is a credit of it
    # ("Miller said that “...,” Reuters reported"), not a statement of its own.
    quoted = Holding([q.span for q in direct])
    cues = sorted(q.cue.start for q in direct if q.cue)
    reported = [r for r in reported if not quoted.holds_most_of(r.span)
                and bisect.bisect_left(cues, r.span.start) == bisect.bisect_left(cues, r.span.end)]
    return sorted(direct + labels + reported, key=lambda q: q.parts[0].start)


def _words(doc: Doc, quotation: Quotation) -> int:
    return sum(doc.count_words(p.start, p.end) for p in quotation.parts)


# --- direct quotations -------------------------------------------------------------

def _direct(doc: Doc) -> list[Quotation]:
    groups = find_quote_groups(doc.text, doc.paragraphs)
    out: list[Quotation] = []
    pending = [[Span(start=s, end=e) for s, e in g] for g in groups]
    index = 0
    while index < len(pending):
        parts = pending[index]
        index += 1
        cue, mention = _after(doc, parts[-1], pending[index] if index < len(pending) else None)
        lead_cue, lead_mention = _before(doc, parts[0])
        if lead_cue is not None and _introduces(doc, lead_cue, parts[0]):
            # "Miller said that “...,” Reuters reported": the speaker is the one who
            # introduces the quotation; what follows it credits the report.
            cue, mention = lead_cue, lead_mention
        # “X,” he said, “Y.” is one statement interrupted by its attribution.
        while cue and index < len(pending) and _interrupted(doc, parts[-1], pending[index], cue):
            parts = parts + pending[index]
            index += 1
        if cue is None:
            cue, mention = _before(doc, parts[0])
        if _credited(doc, parts[-1]):
            continue  # a headline credited "..., by The Times' X", not a statement
        if cue is None and out and out[-1].cue is not None and _continues(doc, out[-1], parts):
            # Further quotations after an attributed one, in its paragraph or in the
            # paragraphs of pure quotation that follow it, are the same speaker's.
            out[-1] = replace(out[-1], parts=out[-1].parts + tuple(parts))
            continue
        words = sum(doc.count_words(p.start, p.end) for p in parts)
        if (words < MIN_QUOTE_WORDS or cue is None) and not _stands_alone(doc, parts[0]):
            continue  # a short phrase or a title inside a sentence, not a statement
        if cue is None and words < MIN_QUOTE_WORDS:
            continue
        out.append(Quotation(parts=tuple(parts), kind=QuoteKind.DIRECT, cue=cue, mention=mention,
                             inherited=cue is None))
    return out


def _continues(doc: Doc, previous: Quotation, parts: list[Span]) -> bool:
    before = doc.paragraph_of(previous.parts[-1].end)
    here = doc.paragraph_of(parts[0].start)
    if before < 0 or here < 0:
        return False
    if not _stands_alone(doc, parts[0]):
        return False  # a phrase quoted inside a later sentence is not more of the statement
    if here == before:
        return True
    if here != before + 1:
        return False
    start, end = doc.paragraphs[here]
    quoted = sum(p.end - p.start for p in parts if start <= p.start < end)
    return quoted >= 0.8 * (end - start - 2)  # a paragraph of nothing but the quotation


def _credited(doc: Doc, last: Span) -> bool:
    after = doc.text[last.end : last.end + 12].lstrip(" ,\"'\u201d\u2019")
    return after.startswith("by ") and bool(re.match(r"by [A-Z]", after))


def _stands_alone(doc: Doc, first: Span) -> bool:
    """Does the quotation open its sentence (or follow a colon) rather than sit inside one?"""
    sent_start, _ = doc.sentence_of(first.start)
    lead = doc.text[min(sent_start, first.start) : first.start]
    return not lead.strip(" \n\"'\u201c\u2018(") or lead.rstrip().endswith(":")


def _after(doc: Doc, last: Span, following: list[Span] | None) -> tuple[Span | None, Span | None]:
    """An attribution right after a closing mark: ", he said", ", said Miller"."""
    _, sent_end = doc.sentence_of(last.end)
    limit = max(sent_end, last.end + 1)
    if following is not None:
        limit = min(limit, following[0].start)
    words = doc.words_in(last.end, limit, first=MAX_SOURCE_WORDS + 2)
    if not words or not punctuation(doc.text[last.end : words[0].start]):
        return None, None
    for n, word in enumerate(words[:MAX_SOURCE_WORDS]):
        if is_cue(word):
            if n == 0:
                return word_span(word), source_after(doc, words[1:])
            if is_source(doc, words[:n]):
                return word_span(word), mention_in(words[:n])
            return None, None
    return None, None


def _before(doc: Doc, first: Span) -> tuple[Span | None, Span | None]:
    """An attribution leading up to an opening mark: "Miller said that “", "He said: “"."""
    sent_start, _ = doc.sentence_of(max(first.start - 2, 0))
    para = doc.paragraph_of(first.start)
    start = min(sent_start, first.start)
    if para >= 0:
        start = max(start, doc.paragraphs[para][0])
    words = doc.words_in(start, first.start, last=3 * MAX_SOURCE_WORDS)  # the cue is near
    if not words:
        return None, None
    tail = doc.text[words[-1].end : first.start]
    if not punctuation(tail):
        return None, None
    if words[-1].low == "that" and len(words) > 1:
        words = words[:-1]
    for n in range(len(words) - 1, max(len(words) - 4, -1), -1):
        word = words[n]
        if word.low == "to" and n > 0 and words[n - 1].low == "according":
            return word_span(words[n - 1]), None
        if is_cue(word):
            source = source_before(doc, words[:n])
            return word_span(word), source
    if len(words) <= 6 and tail.strip().startswith(":") and words[0].text[:1].isupper():
        return None, mention_in(words)  # "Stoltenberg: “...”"
    return None, None


def _introduces(doc: Doc, cue: Span, first: Span) -> bool:
    """Does the cue lead straight into the quotation ("said that “", "told Reuters: “")?"""
    between = doc.words_in(cue.end, first.start)
    return len(between) <= 3 and (not between or between[-1].low == "that"
                                  or ":" in doc.text[cue.end : first.start])


def _interrupted(doc: Doc, last: Span, nxt: list[Span], cue: Span) -> bool:
    """Is ``nxt`` the continuation of a quotation whose attribution sits between them?"""
    if not (last.end < cue.start < nxt[0].start):
        return False
    gap = doc.words_in(last.end, nxt[0].start)
    return len(gap) <= MAX_SOURCE_WORDS and doc.paragraph_of(last.end) == doc.paragraph_of(
        nxt[0].start)


# --- transcripts ---------------------------------------------------------------------

def _labels(doc: Doc, direct: list[Quotation]) -> list[Quotation]:
    """Answers after speaker labels, once a document shows two labelled paragraphs."""
    found: list[tuple[int, int, int]] = []  # (label start, label end, content start)
    for start, end in doc.paragraphs:
        match = _LABEL.match(doc.text, start, end)
        if match and len(doc.words_in(match.end(), end)) >= MIN_QUOTE_WORDS:
            found.append((start, match.end("label"), match.end()))
    if len(found) < 2:
        return []
    labels = {doc.text[s:e] for s, e, _ in found}
    transcript_start = min(s for s, _, _ in found)
    for start, end in doc.paragraphs:  # a label printed without its colon, in the transcript
        if start < transcript_start:
            continue
        for label in sorted(labels, key=len, reverse=True):  # the longest label that fits
            if doc.text.startswith(label, start) and all(s != start for s, _, _ in found):
                content = start + len(label)
                if len(doc.words_in(content, end)) >= MIN_QUOTE_WORDS:
                    found.append((start, content, content))
                break
    out = []
    for label_start, label_end, content in sorted(found):
        end = next(e for s, e in doc.paragraphs if s <= content <= e)
        if any(q.span.start >= content and q.span.end <= end and q.span.start == content
               for q in direct):
            continue
        words = doc.words_in(content, end)
        out.append(Quotation(parts=(Span(start=words[0].start, end=trim_end(doc, end)),),
                             kind=QuoteKind.LABEL, mention=Span(start=label_start, end=label_end)))
    return out

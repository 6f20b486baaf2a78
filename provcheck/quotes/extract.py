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
import itertools
import re
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from provcheck.hashing import sha1_hash32
from provcheck.quotes.cues import (
    DETERMINERS,
    INFINITIVE_CUES,
    NOUN_LIKE,
    OBJECT_VERBS,
    PRONOUNS,
    SPEECH_VERBS,
    TIME_WORDS,
)
from provcheck.records import Span, picklable
from provcheck.text.normalize import fold
from provcheck.text.quotespan import find_quote_groups
from provcheck.text.segment import Segmented

MIN_QUOTE_WORDS = 4  # shorter quoted phrases count only with a cue next to them
MIN_REPORTED_WORDS = 4
PARTIAL_QUOTE_WORDS = 8  # a shorter quotation inside reported speech belongs to it
MAX_SOURCE_WORDS = 12
INHERIT_PARAGRAPHS = 6  # an unattributed quotation continues the last speaker this far
_LABEL = re.compile(  # used with match(text, pos): anchored at the paragraph start
    r"(?P<label>(?:[A-Z][\w.'\-]*\s+){0,4}[A-Z][\w.'\-]*(?:,\s*[\w.&' \-]{2,40})?|[a-z]{2,15})"
    r"\s*:\s+(?=\S)")
# Token hashes (as segment computes them: of the folded token) of every cue word, and of
# "according": a token whose hash is not among them is neither.
_CUE_HASHES = np.array(sorted({sha1_hash32(fold(w).encode())
                               for w in SPEECH_VERBS | {"according"}}), dtype=np.uint32)
# What a sentence of reported speech ends with (a heading ends with none of them).
_SENTENCE_CLOSE = frozenset(".!?:;,\"'\u201d\u2019)]")
_CLOSE_PUNCT = " ,.;:!?\"'\u201c\u201d\u2018\u2019-\u2014\u2013()"


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Quotation:
    """One quotation: its content parts, its cue, and the mention of its speaker."""

    parts: tuple[Span, ...]
    kind: str  # "direct", "label" or "reported"
    cue: Span | None = None
    mention: Span | None = None
    inherited: bool = False  # no cue: the speaker carries over from the quotation before

    @property
    def span(self) -> Span:
        return Span(start=self.parts[0].start, end=self.parts[-1].end)


class _Word(NamedTuple):
    """A word of the text at [start, end); a tuple: the rules build and read hundreds of
    thousands of them."""

    text: str
    start: int
    end: int
    low: str  # text.lower()


class _Doc:
    """Words, sentences and paragraphs of a document, with the lookups the rules need."""

    def __init__(self, text: str, seg: Segmented) -> None:
        self.text = text
        self.seg = seg
        self.starts = seg.tok_start.tolist()
        self.ends = seg.tok_end.tolist()
        keep = ~seg.page_chrome  # the same whatever corpus the document is in
        self.paragraphs = [(int(s), int(e)) for s, e in seg.block_span[keep].tolist()]
        self._para_starts = [s for s, _ in self.paragraphs]
        self.sentences = [(int(s), int(e)) for s, e in seg.sent_span.tolist()]
        self._sent_starts = [s for s, _ in self.sentences]

    def first_word(self, start: int) -> int:
        """Index of the first word starting at or after ``start``."""
        return bisect.bisect_left(self.starts, start)

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """The tokens [lo, hi) of the words inside [start, end) (``words_in``'s)."""
        lo, hi = self.first_word(start), self.first_word(end)
        if hi > lo and self.ends[hi - 1] > end:
            hi -= 1  # only the final token can end past ``end``
        return lo, hi

    def word(self, token: int) -> _Word:
        start, end = self.starts[token], self.ends[token]
        form = self.text[start:end]
        return _Word(form, start, end, form.lower())

    def words_in(self, start: int, end: int, *, first: int | None = None,
                 last: int | None = None) -> list[_Word]:
        """The words inside [start, end); only the ``first`` or ``last`` n of them when
        asked (the others are never built: a paragraph can be long)."""
        lo, hi = self.first_word(start), self.first_word(end)
        # Read one more than asked for: the final token may end past ``end``.
        if first is not None:
            hi = min(hi, lo + first + 1)
        if last is not None:
            lo = max(lo, hi - last - 1)
        starts, ends = self.starts[lo:hi], self.ends[lo:hi]
        if ends and ends[-1] > end:
            del starts[-1], ends[-1]  # only the final token can end past ``end``
        # ``map`` over the offsets, not a Python loop: the rules read most sentences.
        forms = list(map(self.text.__getitem__, map(slice, starts, ends)))
        words = list(map(_Word._make, zip(forms, starts, ends, map(str.lower, forms),
                                          strict=True)))
        if first is not None:
            return words[:first]
        return words[-last:] if last is not None and last > 0 else words

    def count_words(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.starts, end) - bisect.bisect_left(self.starts, start)

    def sentence_of(self, pos: int) -> tuple[int, int]:
        n = bisect.bisect_right(self._sent_starts, pos) - 1
        if n >= 0 and self.sentences[n][0] <= pos < self.sentences[n][1]:
            return self.sentences[n]
        return pos, pos

    def paragraph_of(self, pos: int) -> int:
        n = bisect.bisect_right(self._para_starts, pos) - 1
        if n >= 0 and self.paragraphs[n][0] <= pos <= self.paragraphs[n][1]:
            return n
        return -1

    def between(self, a: _Word, b: _Word) -> str:
        return self.text[a.end : b.start]


def extract(text: str, seg: Segmented) -> list[Quotation]:
    """Every quotation of one document, in text order."""
    doc = _Doc(text, seg)
    direct = _direct(doc)
    labels = _labels(doc, direct)
    used = {q.cue.start for q in direct if q.cue}
    reported = _reported(doc, [q.span for q in labels], used)
    # A short quoted phrase inside reported speech is part of that statement
    # ("he called the plan “a disgrace” and vowed ..."); a longer quotation stands.
    holds = _Holding([r.span for r in reported])
    direct = [q for q in direct if _words(doc, q) >= PARTIAL_QUOTE_WORDS
              or not holds.contains(q.span)]
    # Reported speech that holds another quotation's own attribution is a credit of it
    # ("Miller said that “...,” Reuters reported"), not a statement of its own.
    quoted = _Holding([q.span for q in direct])
    cues = sorted(q.cue.start for q in direct if q.cue)
    reported = [r for r in reported if not quoted.holds_most_of(r.span)
                and bisect.bisect_left(cues, r.span.start) == bisect.bisect_left(cues, r.span.end)]
    return sorted(direct + labels + reported, key=lambda q: q.parts[0].start)


class _Holding:
    """Spans, for the questions the rules ask of every quotation against every other,
    answered by searching them in order of start (a long text has hundreds of each)."""

    def __init__(self, spans: list[Span]) -> None:
        ordered = sorted(spans, key=lambda x: x.start)
        self.starts = [x.start for x in ordered]
        self.ends = [x.end for x in ordered]
        self.reach = list(itertools.accumulate(self.ends, max))  # furthest end so far
        self.longest = max((len(x) for x in ordered), default=0)

    def contains(self, span: Span) -> bool:
        """Does one of the spans contain ``span``?"""
        n = bisect.bisect_right(self.starts, span.start)
        return n > 0 and self.reach[n - 1] >= span.end

    def holds_most_of(self, span: Span) -> bool:
        """Does one of the spans hold most of ``span`` (``_mostly_inside``)?"""
        # Only a span starting less than the longest one's length before it can reach it.
        for n in range(bisect.bisect_right(self.starts, span.start - self.longest),
                       bisect.bisect_left(self.starts, span.end)):
            inside = max(0, min(span.end, self.ends[n]) - max(span.start, self.starts[n]))
            if inside * 2 > len(span):
                return True
        return False


def _words(doc: _Doc, quotation: Quotation) -> int:
    return sum(doc.count_words(p.start, p.end) for p in quotation.parts)


# --- direct quotations -------------------------------------------------------------

def _direct(doc: _Doc) -> list[Quotation]:
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
        out.append(Quotation(parts=tuple(parts), kind="direct", cue=cue, mention=mention,
                             inherited=cue is None))
    return out


def _continues(doc: _Doc, previous: Quotation, parts: list[Span]) -> bool:
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


def _credited(doc: _Doc, last: Span) -> bool:
    after = doc.text[last.end : last.end + 12].lstrip(" ,\"'\u201d\u2019")
    return after.startswith("by ") and bool(re.match(r"by [A-Z]", after))


def _stands_alone(doc: _Doc, first: Span) -> bool:
    """Does the quotation open its sentence (or follow a colon) rather than sit inside one?"""
    sent_start, _ = doc.sentence_of(first.start)
    lead = doc.text[min(sent_start, first.start) : first.start]
    return not lead.strip(" \n\"'\u201c\u2018(") or lead.rstrip().endswith(":")


def _after(doc: _Doc, last: Span, following: list[Span] | None) -> tuple[Span | None, Span | None]:
    """An attribution right after a closing mark: ", he said", ", said Miller"."""
    _, sent_end = doc.sentence_of(last.end)
    limit = max(sent_end, last.end + 1)
    if following is not None:
        limit = min(limit, following[0].start)
    words = doc.words_in(last.end, limit, first=MAX_SOURCE_WORDS + 2)
    if not words or not _punctuation(doc.text[last.end : words[0].start]):
        return None, None
    for n, word in enumerate(words[:MAX_SOURCE_WORDS]):
        if _cue(word):
            if n == 0:
                return _span(word), _source_after(doc, words[1:])
            if _is_source(doc, words[:n]):
                return _span(word), _mention(words[:n])
            return None, None
    return None, None


def _before(doc: _Doc, first: Span) -> tuple[Span | None, Span | None]:
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
    if not _punctuation(tail):
        return None, None
    if words[-1].low == "that" and len(words) > 1:
        words = words[:-1]
    for n in range(len(words) - 1, max(len(words) - 4, -1), -1):
        word = words[n]
        if word.low == "to" and n > 0 and words[n - 1].low == "according":
            return _span(words[n - 1]), None
        if _cue(word):
            source = _source_before(doc, words[:n])
            return _span(word), source
    if len(words) <= 6 and tail.strip().startswith(":") and words[0].text[:1].isupper():
        return None, _mention(words)  # "Stoltenberg: “...”"
    return None, None


def _introduces(doc: _Doc, cue: Span, first: Span) -> bool:
    """Does the cue lead straight into the quotation ("said that “", "told Reuters: “")?"""
    between = doc.words_in(cue.end, first.start)
    return len(between) <= 3 and (not between or between[-1].low == "that"
                                  or ":" in doc.text[cue.end : first.start])


def _interrupted(doc: _Doc, last: Span, nxt: list[Span], cue: Span) -> bool:
    """Is ``nxt`` the continuation of a quotation whose attribution sits between them?"""
    if not (last.end < cue.start < nxt[0].start):
        return False
    gap = doc.words_in(last.end, nxt[0].start)
    return len(gap) <= MAX_SOURCE_WORDS and doc.paragraph_of(last.end) == doc.paragraph_of(
        nxt[0].start)


# --- transcripts ---------------------------------------------------------------------

def _labels(doc: _Doc, direct: list[Quotation]) -> list[Quotation]:
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
        out.append(Quotation(parts=(Span(start=words[0].start, end=_trim_end(doc, end)),),
                             kind="label", mention=Span(start=label_start, end=label_end)))
    return out


# --- reported speech -----------------------------------------------------------------

def _reported(doc: _Doc, taken: list[Span], used: set[int]) -> list[Quotation]:
    out: list[Quotation] = []
    # Most sentences report no one, and most words of the others are no cue: find the
    # words that may be one in one array operation (a sorted search: ``np.isin`` sorts).
    at = np.searchsorted(_CUE_HASHES, doc.seg.tok_hash)
    maybe = _CUE_HASHES[np.minimum(at, len(_CUE_HASHES) - 1)] == doc.seg.tok_hash
    cues = np.concatenate(([0], np.cumsum(maybe)))
    for (s_start, s_end), (t0, t1) in zip(doc.sentences, doc.seg.sent_tok.tolist(), strict=True):
        if cues[t1] == cues[t0] or doc.paragraph_of(s_start) < 0:
            continue  # no cue, or page chrome
        if doc.text[s_start:s_end].rstrip()[-1:] not in _SENTENCE_CLOSE:
            continue  # a heading ("On how NATO would respond ..."), not reported speech
        first, end = doc.word_range(s_start, s_end)
        candidates = np.flatnonzero(maybe[first:end]).tolist()
        if not any(_may_attribute(doc, first, n, used) for n in candidates):
            continue  # a third of those left, with none of the rules' words built
        words = doc.words_in(s_start, s_end)
        according = _according_to(doc, words, candidates)
        found = [according] if according else _cue_clauses(doc, words, candidates, used)
        for quotation in found:
            if not any(_mostly_inside(quotation.span, t) for t in taken):
                out.append(quotation)
    return out


def _may_attribute(doc: _Doc, first: int, n: int, used: set[int]) -> bool:
    """Can the sentence's word ``n`` (token ``first + n``) be the "according" of
    ``_according_to`` or a cue ``_cue_clause`` takes? Where no word can, the sentence
    reports no one."""
    word = doc.word(first + n)
    return word.low == "according" or _can_cue(word, doc.word(first + n - 1) if n else None,
                                               used)


def _can_cue(word: _Word, before: _Word | None, used: set[int]) -> bool:
    """Can ``word`` (after ``before``, if any) be the cue of reported speech?"""
    return (_cue(word) and word.low not in NOUN_LIKE and word.start not in used
            and not (before is not None and _not_a_verb(before)))


def _according_to(doc: _Doc, words: list[_Word], candidates: list[int]) -> Quotation | None:
    """Reported speech credited "according to X"; ``candidates`` are the positions of
    the words that may be "according"."""
    for n in candidates:
        if n + 1 >= len(words) or words[n].low != "according" or words[n + 1].low != "to":
            continue
        cue = Span(start=words[n].start, end=words[n + 1].end)
        rest = words[n + 2 :]
        comma = next((k for k in range(len(rest) - 1) if "," in doc.between(rest[k], rest[k + 1])),
                     None)
        if n == 0 and comma is not None and comma < MAX_SOURCE_WORDS:
            content = rest[comma + 1 :]
            if len(content) >= MIN_REPORTED_WORDS:
                return Quotation(parts=(_words_span(doc, content),), kind="reported", cue=cue,
                                 mention=_mention(rest[: comma + 1]))
        if n >= MIN_REPORTED_WORDS and "," in doc.between(words[n - 1], words[n]):
            return Quotation(parts=(_words_span(doc, words[:n]),), kind="reported", cue=cue,
                             mention=_mention(rest[:MAX_SOURCE_WORDS]) if rest else None)
    return None


def _cue_clauses(doc: _Doc, words: list[_Word], candidates: list[int], used: set[int]
                 ) -> list[Quotation]:
    """Every attribution of a sentence, left to right, none inside another's content;
    ``candidates`` are the positions of the words that may be cues."""
    out: list[Quotation] = []
    start = 0
    while start < len(words):
        found = _cue_clause(doc, words, used, candidates[bisect.bisect_left(candidates, start):])
        if found is None:
            break
        quotation, cue_index = found
        if not any(q.span.overlaps(quotation.span) for q in out):
            out.append(quotation)
        start = cue_index + 1
    return out


def _cue_clause(doc: _Doc, words: list[_Word], used: set[int],
                candidates: list[int]) -> tuple[Quotation, int] | None:
    """The first attribution around one of the cue words at ``candidates``, with the
    cue's position."""
    for n in candidates:
        word = words[n]
        if not _can_cue(word, words[n - 1] if n else None, used):
            continue
        before, after = words[:n], words[n + 1 :]
        # "..., X said." closing the sentence, or "..., X said, ..." inside it.
        comma = next((k for k in range(len(before) - 1, 0, -1)
                      if "," in doc.between(before[k - 1], before[k])), None)
        if comma is not None and comma >= 2 and _is_source(doc, _auxiliaries_off(before[comma:])):
            mention = _mention(_auxiliaries_off(before[comma:]))
            closing = all(w.low in TIME_WORDS or w.text[:1].isupper() for w in after[:3]) \
                and len(after) <= 3
            if closing and comma >= MIN_REPORTED_WORDS:
                return Quotation(parts=(_words_span(doc, before[:comma]),), kind="reported",
                                 cue=_span(word), mention=mention), n
            if after and "," in doc.text[word.end : after[0].start]:
                return Quotation(parts=(_words_span(doc, before[:comma]),
                                        _words_span(doc, _clip(doc, after))),
                                 kind="reported", cue=_span(word), mention=mention), n
        # "X said (on Tuesday) (that) ..."
        source = _source_before(doc, before)
        if source is None:
            continue
        content = _clip(doc, _content_after(doc, word, after))
        if len(content) >= MIN_REPORTED_WORDS and _opens_clause(content[0], word):
            return Quotation(parts=(_words_span(doc, content),), kind="reported",
                             cue=_span(word), mention=source), n
    return None


_NOT_VERB_BEFORE = frozenset(
    """the a an his her their its our my your this that these those of for to in on at by
    with from be been being is are was were 's""".split())
_CONJUNCTIONS = frozenset("and but while as because when although though since so".split())
# Words between a speaker and the cue: "has said", "would not say", "also told".
_BETWEEN = frozenset(
    """has have had is was will would could should might may can did does do not never
    also still later then again once reportedly""".split())
# Words that cannot open reported speech: what follows them is a circumstance
# ("wrote while a student", "spoke about", "said during the debate"), not a statement.
_NOT_CLAUSE = frozenset(
    """for about of by with out during as and but or nor after before despite from in on at
    into onto over under while because since through up down back off however just even
    also not is was are were be been has have had would will could should can may might
    must him me us them against among around toward towards upon via without within""".split())


def _not_a_verb(previous: _Word) -> bool:
    """A word after which a reporting verb is a noun or a passive: "the continued",
    "Mr. Trump's comments", "secretary of state", "could not be said"."""
    return previous.low in _NOT_VERB_BEFORE or previous.low.endswith(("'s", "\u2019s"))


def _opens_clause(word: _Word, cue: _Word) -> bool:
    """Reported speech is a clause: "that ...", "he's ...", "the plan ...", "voters ...";
    "to ..." only after a cue that takes one ("urged them to", "vowed to")."""
    if word.low == "to":
        return cue.low in INFINITIVE_CUES
    return re.split(r"['\u2019]", word.low)[0] not in _NOT_CLAUSE


def _clip(doc: _Doc, words: list[_Word]) -> list[_Word]:
    """Reported content ends where a semicolon or a dash starts another statement."""
    for n in range(MIN_REPORTED_WORDS, len(words)):
        gap = doc.between(words[n - 1], words[n])
        if ";" in gap or " - " in gap or "\u2014" in gap or " \u2013 " in gap:
            return words[:n]
        if "," in gap and words[n].low in ("but", "while", "although", "though", "whereas"):
            return words[:n]
        if "," in gap and any(_cue(w) for w in words[n : n + 6]):
            return words[:n]  # ", and Brian Deese, the adviser, said ..." starts another
        if (words[n].low in ("and", "but") and n + 1 < len(words)
                and re.fullmatch(r"[a-z]+ed", words[n + 1].text)):
            return words[:n]  # "... and pushed to", "but declined to": the speaker acts again
    return words


def _content_after(doc: _Doc, cue: _Word, after: list[_Word]) -> list[_Word]:
    """What follows a cue, past its listener ("told reporters") and time ("on Monday")."""
    for n, word in enumerate(after[:10]):
        if word.low == "that":
            skipped = [w for w in after[:n] if w.low not in ("out", "up", "clear", "back")]
            if all(w.low in TIME_WORDS or w.text[:1].isupper() or w.low in DETERMINERS
                   or cue.low in OBJECT_VERBS or w.low in ("in", "a", "an", "statement",
                                                          "interview", "with", "to", "by",
                                                          "reporters", "journalists")
                   for w in skipped):
                return after[n:]
            break
    skip = 0
    if cue.low in OBJECT_VERBS:
        while skip < min(3, len(after)) and (after[skip].text[:1].isupper()
                                             or after[skip].low in ("reporters", "the", "him",
                                                                    "her", "them", "us")):
            skip += 1
    while skip < len(after) and after[skip].low in TIME_WORDS:
        skip += 1
    return after[skip:]


# --- sources -------------------------------------------------------------------------

def _cue(word: _Word) -> bool:
    """A reporting verb, in lower case: "State" and "Post" are names."""
    return word.text.islower() and word.text in SPEECH_VERBS


def _is_source(doc: _Doc, words: list[_Word]) -> bool:
    """Can these words, right before a cue, name who spoke?"""
    if not words or len(words) > MAX_SOURCE_WORDS:
        return False
    first, last = words[0], words[-1]
    if len(words) == 1 and first.low in PRONOUNS:
        return True
    # "Miller", "the NATO chief", "reporter Jackie Nespral", "election law expert Rick Hasen"
    if first.low in DETERMINERS or first.text[:1].isupper() or last.text[:1].isupper():
        return not any(_cue(w) for w in words)
    return False


def _auxiliaries_off(words: list[_Word]) -> list[_Word]:
    """Drop what sits between a speaker and the cue: "has", "didn't", "also", "repeatedly"."""
    n = len(words)
    while n > 1 and (words[n - 1].low in _BETWEEN or words[n - 1].low.endswith("ly")
                     or re.sub(r"['\u2019]t$", "", words[n - 1].low) != words[n - 1].low):
        n -= 1
    return words[:n]


def _source_before(doc: _Doc, before: list[_Word]) -> Span | None:
    """The speaker mention ending right before a cue: a pronoun, a name (with its
    apposition), or a noun phrase opening the clause."""
    before = _auxiliaries_off(before)
    if not before:
        return None
    last = before[-1]
    if last.low in PRONOUNS:
        return _span(last)
    # Skip an apposition: "Gen. Austin S. Miller, the commander of US forces, said".
    end = len(before)
    if end >= 2 and "," in doc.text[before[-1].end : before[-1].end + 2]:
        for k in range(end - 2, max(end - MAX_SOURCE_WORDS - 1, -1), -1):
            if "," in doc.between(before[k], before[k + 1]):
                end = k + 1
                break
    stretch = before[:end]
    n = len(stretch)
    while n > 1 and stretch[n - 1].low in TIME_WORDS:
        n -= 1  # "Stoltenberg on Wednesday reiterated", "Trump also said"
    k = n
    while k > 0 and (stretch[k - 1].text[:1].isupper() or stretch[k - 1].low in ("of", "de",
                                                                                 "von", "al")):
        k -= 1
    while k < n and stretch[k].low in _CONJUNCTIONS | {"and", "but", "or", "then"}:
        k += 1  # "But Mr. Guerrero"
    if k < n and stretch[k].text[:1].isupper():
        return Span(start=stretch[k].start, end=stretch[n - 1].end)
    # Otherwise the phrase opening the clause: "the candidate", "Labor Department
    # officials", "More than six in 10".
    k = n - 1
    while k > 0 and n - k < 8 and not _clause_start(doc, stretch, k):
        k -= 1
    if n and n - k <= 8 and _clause_start(doc, stretch, k):
        return Span(start=stretch[k].start, end=stretch[n - 1].end)
    return None


def _clause_start(doc: _Doc, words: list[_Word], k: int) -> bool:
    if k == 0:
        return True
    gap = doc.between(words[k - 1], words[k])
    return "," in gap or ":" in gap or words[k - 1].low in _CONJUNCTIONS


def _source_after(doc: _Doc, after: list[_Word]) -> Span | None:
    """The speaker mention right after an inverted cue: "said Miller", "said the head"."""
    if not after:
        return None
    if after[0].low in PRONOUNS:
        return _span(after[0])
    n = 0
    while n < min(len(after), MAX_SOURCE_WORDS):
        if n and any(c in doc.between(after[n - 1], after[n]) for c in ",.;:"):
            break
        n += 1
    if after[0].text[:1].isupper() or after[0].low in DETERMINERS:
        return Span(start=after[0].start, end=after[n - 1].end)
    return None


def _mention(words: list[_Word]) -> Span | None:
    words = [w for w in words if w.low not in TIME_WORDS or w.text[:1].isupper()]
    if not words:
        return None
    return Span(start=words[0].start, end=words[-1].end)


# --- helpers -------------------------------------------------------------------------

def _punctuation(text: str) -> bool:
    """Only spaces and punctuation (no words) in ``text``."""
    return all(c.isspace() or c in _CLOSE_PUNCT for c in text)


def _span(word: _Word) -> Span:
    return Span(start=word.start, end=word.end)


def _words_span(doc: _Doc, words: list[_Word]) -> Span:
    return Span(start=words[0].start, end=words[-1].end)


def _trim_end(doc: _Doc, end: int) -> int:
    while end > 0 and doc.text[end - 1] in " .\n":
        end -= 1
    return end


def _mostly_inside(span: Span, other: Span) -> bool:
    inside = max(0, min(span.end, other.end) - max(span.start, other.start))
    return inside * 2 > len(span)

"""Reported speech: "X said (that) ...", "..., X said.", "according to X, ..."."""

from __future__ import annotations

import bisect
import re

import numpy as np

from provcheck.hashing import sha1_hash32
from provcheck.quotes.cues import (
    DETERMINERS,
    INFINITIVE_CUES,
    NOUN_LIKE,
    OBJECT_VERBS,
    SPEECH_VERBS,
    TIME_WORDS,
)
from provcheck.quotes.reading import (
    SENTENCE_CLOSE,
    Doc,
    Quotation,
    Word,
    mostly_inside,
    word_span,
    words_span,
)
from provcheck.quotes.sources import (
    MAX_SOURCE_WORDS,
    auxiliaries_off,
    is_cue,
    is_source,
    mention_in,
    source_before,
)
from provcheck.records import QuoteKind, Span
from provcheck.text.normalize import fold

MIN_REPORTED_WORDS = 4
# Token hashes (as segment computes them: of the folded token) of every cue word, and of
# "according": a token whose hash is not among them is neither.
CUE_HASHES = np.array(sorted({sha1_hash32(fold(w).encode())
                              for w in SPEECH_VERBS | {"according"}}), dtype=np.uint32)


def reported(doc: Doc, taken: list[Span], used: set[int]) -> list[Quotation]:
    out: list[Quotation] = []
    # Most sentences report no one, and most words of the others are no cue: find the
    # words that may be one in one array operation (a sorted search: ``np.isin`` sorts).
    at = np.searchsorted(CUE_HASHES, doc.seg.tok_hash)
    maybe = CUE_HASHES[np.minimum(at, len(CUE_HASHES) - 1)] == doc.seg.tok_hash
    cues = np.concatenate(([0], np.cumsum(maybe)))
    for (s_start, s_end), (t0, t1) in zip(doc.sentences, doc.seg.sent_tok.tolist(), strict=True):
        if cues[t1] == cues[t0] or doc.paragraph_of(s_start) < 0:
            continue  # no cue, or page chrome
        if doc.text[s_start:s_end].rstrip()[-1:] not in SENTENCE_CLOSE:
            continue  # a heading ("On how NATO would respond ..."), not reported speech
        first, end = doc.word_range(s_start, s_end)
        candidates = np.flatnonzero(maybe[first:end]).tolist()
        if not any(_may_attribute(doc, first, n, used) for n in candidates):
            continue  # a third of those left, with none of the rules' words built
        words = doc.words_in(s_start, s_end)
        according = _according_to(doc, words, candidates)
        found = [according] if according else _cue_clauses(doc, words, candidates, used)
        for quotation in found:
            if not any(mostly_inside(quotation.span, t) for t in taken):
                out.append(quotation)
    return out


def _may_attribute(doc: Doc, first: int, n: int, used: set[int]) -> bool:
    """Can the sentence's word ``n`` (token ``first + n``) be the "according" of
    ``_according_to`` or a cue ``_cue_clause`` takes? Where no word can, the sentence
    reports no one."""
    word = doc.word(first + n)
    return word.low == "according" or _can_cue(word, doc.word(first + n - 1) if n else None,
                                               used)


def _can_cue(word: Word, before: Word | None, used: set[int]) -> bool:
    """Can ``word`` (after ``before``, if any) be the cue of reported speech?"""
    return (is_cue(word) and word.low not in NOUN_LIKE and word.start not in used
            and not (before is not None and _not_a_verb(before)))


def _according_to(doc: Doc, words: list[Word], candidates: list[int]) -> Quotation | None:
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
                return Quotation(parts=(words_span(doc, content),), kind=QuoteKind.REPORTED,
                                 cue=cue, mention=mention_in(rest[: comma + 1]))
        if n >= MIN_REPORTED_WORDS and "," in doc.between(words[n - 1], words[n]):
            return Quotation(parts=(words_span(doc, words[:n]),), kind=QuoteKind.REPORTED, cue=cue,
                             mention=mention_in(rest[:MAX_SOURCE_WORDS]) if rest else None)
    return None


def _cue_clauses(doc: Doc, words: list[Word], candidates: list[int], used: set[int]
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


def _cue_clause(doc: Doc, words: list[Word], used: set[int],
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
        if comma is not None and comma >= 2 and is_source(doc, auxiliaries_off(before[comma:])):
            mention = mention_in(auxiliaries_off(before[comma:]))
            closing = all(w.low in TIME_WORDS or w.text[:1].isupper() for w in after[:3]) \
                and len(after) <= 3
            if closing and comma >= MIN_REPORTED_WORDS:
                return Quotation(parts=(words_span(doc, before[:comma]),), kind=QuoteKind.REPORTED,
                                 cue=word_span(word), mention=mention), n
            if after and "," in doc.text[word.end : after[0].start]:
                return Quotation(parts=(words_span(doc, before[:comma]),
                                        words_span(doc, _clip(doc, after))),
                                 kind=QuoteKind.REPORTED, cue=word_span(word), mention=mention), n
        # "X said (on Tuesday) (that) ..."
        source = source_before(doc, before)
        if source is None:
            continue
        content = _clip(doc, _content_after(doc, word, after))
        if len(content) >= MIN_REPORTED_WORDS and _opens_clause(content[0], word):
            return Quotation(parts=(words_span(doc, content),), kind=QuoteKind.REPORTED,
                             cue=word_span(word), mention=source), n
    return None


_NOT_VERB_BEFORE = frozenset(
    """the a an his her their its our my your this that these those of for to in on at by
    with from be been being is are was were 's""".split())
# Words between a speaker and the cue: "has said", "would not say", "also told".
# Words that cannot open reported speech: what follows them is a circumstance
# ("wrote while a student", "spoke about", "said during the debate"), not a statement.
_NOT_CLAUSE = frozenset(
    """for about of by with out during as and but or nor after before despite from in on at
    into onto over under while because since through up down back off however just even
    also not is was are were be been has have had would will could should can may might
    must him me us them against among around toward towards upon via without within""".split())


def _not_a_verb(previous: Word) -> bool:
    """A word after which a reporting verb is a noun or a passive: "the continued",
    "Mr. Trump's comments", "secretary of state", "could not be said"."""
    return previous.low in _NOT_VERB_BEFORE or previous.low.endswith(("'s", "\u2019s"))


def _opens_clause(word: Word, cue: Word) -> bool:
    """Reported speech is a clause: "that ...", "he's ...", "the plan ...", "voters ...";
    "to ..." only after a cue that takes one ("urged them to", "vowed to")."""
    if word.low == "to":
        return cue.low in INFINITIVE_CUES
    return re.split(r"['\u2019]", word.low)[0] not in _NOT_CLAUSE


def _clip(doc: Doc, words: list[Word]) -> list[Word]:
    """Reported content ends where a semicolon or a dash starts another statement."""
    for n in range(MIN_REPORTED_WORDS, len(words)):
        gap = doc.between(words[n - 1], words[n])
        if ";" in gap or " - " in gap or "\u2014" in gap or " \u2013 " in gap:
            return words[:n]
        if "," in gap and words[n].low in ("but", "while", "although", "though", "whereas"):
            return words[:n]
        if "," in gap and any(is_cue(w) for w in words[n : n + 6]):
            return words[:n]  # ", and Brian Deese, the adviser, said ..." starts another
        if (words[n].low in ("and", "but") and n + 1 < len(words)
                and re.fullmatch(r"[a-z]+ed", words[n + 1].text)):
            return words[:n]  # "... and pushed to", "but declined to": the speaker acts again
    return words


def _content_after(doc: Doc, cue: Word, after: list[Word]) -> list[Word]:
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

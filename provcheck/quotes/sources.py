"""The mention of who said a quotation, found next to its cue: "X said", "said X",
"according to X"."""

from __future__ import annotations

import re

from provcheck.quotes.cues import (
    DETERMINERS,
    PRONOUNS,
    SPEECH_VERBS,
    TIME_WORDS,
)
from provcheck.quotes.reading import Doc, Word, word_span
from provcheck.records import Span

MAX_SOURCE_WORDS = 12
CONJUNCTIONS = frozenset("and but while as because when although though since so".split())
BETWEEN = frozenset(
    """has have had is was will would could should might may can did does do not never
    also still later then again once reportedly""".split())


def is_cue(word: Word) -> bool:
    """A reporting verb, in lower case: "State" and "Post" are names."""
    return word.text.islower() and word.text in SPEECH_VERBS


def is_source(doc: Doc, words: list[Word]) -> bool:
    """Can these words, right before a cue, name who spoke?"""
    if not words or len(words) > MAX_SOURCE_WORDS:
        return False
    first, last = words[0], words[-1]
    if len(words) == 1 and first.low in PRONOUNS:
        return True
    # "Miller", "the NATO chief", "reporter Jackie Nespral", "election law expert Rick Hasen"
    if first.low in DETERMINERS or first.text[:1].isupper() or last.text[:1].isupper():
        return not any(is_cue(w) for w in words)
    return False


def auxiliaries_off(words: list[Word]) -> list[Word]:
    """Drop what sits between a speaker and the cue: "has", "didn't", "also", "repeatedly"."""
    n = len(words)
    while n > 1 and (words[n - 1].low in BETWEEN or words[n - 1].low.endswith("ly")
                     or re.sub(r"['\u2019]t$", "", words[n - 1].low) != words[n - 1].low):
        n -= 1
    return words[:n]


def source_before(doc: Doc, before: list[Word]) -> Span | None:
    """The speaker mention ending right before a cue: a pronoun, a name (with its
    apposition), or a noun phrase opening the clause."""
    before = auxiliaries_off(before)
    if not before:
        return None
    last = before[-1]
    if last.low in PRONOUNS:
        return word_span(last)
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
    while k < n and stretch[k].low in CONJUNCTIONS | {"and", "but", "or", "then"}:
        k += 1  # "But Mr. Guerrero"
    if k < n and stretch[k].text[:1].isupper():
        return Span(start=stretch[k].start, end=stretch[n - 1].end)
    # Otherwise the phrase opening the clause: "the candidate", "Labor Department
    # officials", "More than six in 10".
    k = n - 1
    while k > 0 and n - k < 8 and not clause_start(doc, stretch, k):
        k -= 1
    if n and n - k <= 8 and clause_start(doc, stretch, k):
        return Span(start=stretch[k].start, end=stretch[n - 1].end)
    return None


def clause_start(doc: Doc, words: list[Word], k: int) -> bool:
    if k == 0:
        return True
    gap = doc.between(words[k - 1], words[k])
    return "," in gap or ":" in gap or words[k - 1].low in CONJUNCTIONS


def source_after(doc: Doc, after: list[Word]) -> Span | None:
    """The speaker mention right after an inverted cue: "said Miller", "said the head"."""
    if not after:
        return None
    if after[0].low in PRONOUNS:
        return word_span(after[0])
    n = 0
    while n < min(len(after), MAX_SOURCE_WORDS):
        if n and any(c in doc.between(after[n - 1], after[n]) for c in ",.;:"):
            break
        n += 1
    if after[0].text[:1].isupper() or after[0].low in DETERMINERS:
        return Span(start=after[0].start, end=after[n - 1].end)
    return None


def mention_in(words: list[Word]) -> Span | None:
    words = [w for w in words if w.low not in TIME_WORDS or w.text[:1].isupper()]
    if not words:
        return None
    return Span(start=words[0].start, end=words[-1].end)

"""A document as the quotation rules read it: its words, sentences and paragraphs with
the lookups the rules make, what the rules find (``Quotation``), and small helpers on
spans of words."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import NamedTuple

from provcheck.records import QuoteKind, Span, picklable
from provcheck.text.segment import Segmented

# What a sentence of reported speech ends with (a heading ends with none of them).
SENTENCE_CLOSE = frozenset(".!?:;,\"'\u201d\u2019)]")
CLOSE_PUNCT = " ,.;:!?\"'\u201c\u201d\u2018\u2019-\u2014\u2013()"


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Quotation:
    """One quotation: its content parts, its cue, and the mention of its speaker."""

    parts: tuple[Span, ...]
    kind: QuoteKind
    cue: Span | None = None
    mention: Span | None = None
    inherited: bool = False  # no cue: the speaker carries over from the quotation before

    @property
    def span(self) -> Span:
        return Span(start=self.parts[0].start, end=self.parts[-1].end)


class Word(NamedTuple):
    """A word of the text at [start, end); a tuple: the rules build and read hundreds of
    thousands of them."""

    text: str
    start: int
    end: int
    low: str  # text.lower()


class Doc:
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

    def word(self, token: int) -> Word:
        start, end = self.starts[token], self.ends[token]
        form = self.text[start:end]
        return Word(form, start, end, form.lower())

    def words_in(self, start: int, end: int, *, first: int | None = None,
                 last: int | None = None) -> list[Word]:
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
        words = list(map(Word._make, zip(forms, starts, ends, map(str.lower, forms),
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

    def between(self, a: Word, b: Word) -> str:
        return self.text[a.end : b.start]


class Holding:
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


def punctuation(text: str) -> bool:
    """Only spaces and punctuation (no words) in ``text``."""
    return all(c.isspace() or c in CLOSE_PUNCT for c in text)


def word_span(word: Word) -> Span:
    return Span(start=word.start, end=word.end)


def words_span(doc: Doc, words: list[Word]) -> Span:
    return Span(start=words[0].start, end=words[-1].end)


def trim_end(doc: Doc, end: int) -> int:
    while end > 0 and doc.text[end - 1] in " .\n":
        end -= 1
    return end


def mostly_inside(span: Span, other: Span) -> bool:
    inside = max(0, min(span.end, other.end) - max(span.start, other.start))
    return inside * 2 > len(span)

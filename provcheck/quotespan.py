"""Where quoted speech sits in a text: spans between double quotation marks.

Handles curly and straight double quotes and guillemets, quotes that run over several
paragraphs (an opening mark at the start of each paragraph, a closing mark only at the
end), and unbalanced marks: an opening mark with no closing one ends at its paragraph,
so a stray mark never swallows the rest of an article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MARKS = re.compile(r'["\u201c\u201d\u201e\u201f\u00ab\u00bb]')
_OPENERS = "\u201c\u201e\u00ab"
_CLOSERS = "\u201d\u00bb"
_LEFT_CONTEXT = " \n\t([{-\u2014\u2013:\u00a0/'\u2018"


def find_quote_spans(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content spans of quotations (marks excluded), one span per paragraph piece."""
    spans: list[tuple[int, int]] = []
    open_across = False  # a quotation left open at the end of the previous paragraph
    for index, (p_start, p_end) in enumerate(paragraphs):
        marks = [(m.start(), _role(text, m.start(), p_start, p_end)) for m in
                 _MARKS.finditer(text, p_start, p_end)]
        opened: int | None = None
        if open_across and not (marks and marks[0][1] == "open" and
                                not text[p_start:marks[0][0]].strip()):
            # The previous quotation did not continue here: it ended with its paragraph.
            open_across = False
        if open_across:
            opened = marks[0][0] + 1
            marks = marks[1:]
            open_across = False
        for pos, role in marks:
            if opened is None and role in ("open", "either"):
                opened = pos + 1
            elif opened is not None and role in ("close", "either"):
                _add(spans, text, opened, pos)
                opened = None
        if opened is not None:
            _add(spans, text, opened, p_end)
            nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            open_across = nxt is not None and _starts_with_opener(text, nxt)
    return spans


def in_spans(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """True when most of ``[start, end)`` lies inside the given quote spans."""
    if end <= start:
        return False
    inside = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
    return inside * 2 > end - start


def _role(text: str, pos: int, p_start: int, p_end: int) -> str:
    ch = text[pos]
    if ch in _OPENERS:
        return "open"
    if ch in _CLOSERS:
        return "close"
    before = text[pos - 1] if pos > p_start else " "
    after = text[pos + 1] if pos + 1 < p_end else " "
    if before in _LEFT_CONTEXT and not after.isspace():
        return "open"
    if not before.isspace() and (after.isspace() or after in ".,;:!?)]-\u2014"):
        return "close"
    return "either"


def _starts_with_opener(text: str, paragraph: tuple[int, int]) -> bool:
    head = text[paragraph[0] : paragraph[1]].lstrip()
    return bool(head) and head[0] in _OPENERS + '"'


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))

"""Sentences and units of a normalised text, found by compiled scanners over its code
points: equal to the rules written out here in Python (``SENTENCE_END`` and
``is_abbreviation``, ``units_of``), which stay the definition (a test holds the two
together on real corpora and on random text).

A sentence ends after closing punctuation (its closing quotation marks and brackets
included) that white space and a capitalised word or a digit follow, unless the mark is
the full stop of an abbreviation ("Mr.", "Sept.") or an initial ("J.", "U.S."). Units
are sentences with the very short ones joined to a neighbour and the run-on ones cut at
a clause end. Found by the regular expression and a Python test per mark, the ends were
a quarter of segmenting a news article; the scanner takes a fiftieth of that.
"""

from __future__ import annotations

import re
from functools import cache

import numba
import numpy as np

from provcheck.text.wordscan import code_point_classes, code_points

MIN_UNIT_TOKENS = 4
MAX_UNIT_TOKENS = 60

# Closing punctuation (an ellipsis is a run of it), closing marks, then a capitalised
# word; written to start with one mark so the engine skips to the next.
SENTENCE_END = re.compile(
    r"[.!?][.!?]*[\"')\]]*(?=\s+(?:''|[\"'(\[])?[A-Z0-9\u00c0-\u024f])")
ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen sen rep gov lt col sgt capt cmdr adm maj st jr sr prof rev hon
    inc ltd co corp vs etc al jan feb mar apr jun jul aug sep sept oct nov dec no nos fig
    est approx dept univ ave blvd mt ft""".split()
)
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$|^[A-Z]$")
_CLAUSE_END = ",;:"


def is_abbreviation(text: str, pos: int, mark: str) -> bool:
    """Is the ``mark`` at ``pos`` the full stop of an abbreviation or an initial?"""
    if not mark.startswith(".") or mark.startswith("..."):
        return False
    word_start = pos
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:pos].lstrip("\"'([")
    return word.lower() in ABBREVIATIONS or bool(_INITIALISM.search(word))


def sentence_ends(text: str) -> np.ndarray:
    """Where sentences end in ``text`` (int64, in order): ``SENTENCE_END``'s matches that
    do not end an abbreviation (``is_abbreviation``)."""
    return _sentence_ends(code_points(text), _space(), _abbreviation_keys())


def units_of(sentences: np.ndarray, points: np.ndarray, token_end: np.ndarray,
             ) -> np.ndarray:
    """Units [n, 2] (token ranges) of one block's ``sentences`` [m, 2]: a sentence of
    fewer than MIN_UNIT_TOKENS tokens joins the next (the last one, the one before), and
    one of more than MAX_UNIT_TOKENS is cut at the last clause end (",;:" right after a
    token) in its second half, or at MAX_UNIT_TOKENS."""
    return _units(np.ascontiguousarray(sentences, dtype=np.int64), points,
                  np.ascontiguousarray(token_end, dtype=np.int64))


@cache
def _space() -> np.ndarray:
    """bool [every code point]: white space as the regular expressions' ``\\s`` sees it
    (and ``str.isspace``: they agree on every code point)."""
    return code_point_classes(r"\s+")[0]


@cache
def _abbreviation_keys() -> np.ndarray:
    """The abbreviations, each packed into a uint64 (``_packed``), sorted."""
    return np.array(sorted(_packed(word) for word in ABBREVIATIONS), dtype=np.uint64)


def _packed(word: str) -> int:
    """Up to eight ASCII characters in one integer, the first in the top byte."""
    value = 0
    for ch in word:
        value = (value << 8) | ord(ch)
    return value


_DOT, _BANG, _QUERY = ord("."), ord("!"), ord("?")


@numba.njit(nogil=True, cache=True)
def _sentence_ends(points: np.ndarray, space: np.ndarray,
                   abbreviations: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """``SENTENCE_END.finditer`` and ``is_abbreviation``: at each mark, the run of marks
    and of closing marks after it (the regular expression's greedy runs: giving any
    back leaves a mark where its lookahead wants white space), then the lookahead."""
    n = len(points)
    out = np.empty(n, dtype=np.int64)
    found = 0
    i = 0
    while i < n:
        if not _is_mark(points[i]):
            i += 1
            continue
        j = i + 1
        while j < n and _is_mark(points[j]):
            j += 1
        k = j
        while k < n and _is_closing(points[k]):
            k += 1
        if _capital_follows(points, k, space):
            if not _abbreviation(points, i, j, space, abbreviations):
                out[found] = k
                found += 1
            i = k  # matches do not overlap, whether or not they end a sentence
        else:
            i += 1
    return out[:found]


@numba.njit(inline="always")
def _is_mark(p: int) -> bool:  # pragma: no cover - compiled
    return p in (_DOT, _BANG, _QUERY)


@numba.njit(inline="always")
def _is_closing(p: int) -> bool:  # pragma: no cover - compiled
    return p == 34 or p == 39 or p == 41 or p == 93  # " ' ) ]


@numba.njit(inline="always")
def _is_capital(p: int) -> bool:  # pragma: no cover - compiled
    # [A-Z0-9\u00c0-\u024f]
    return (65 <= p <= 90) or (48 <= p <= 57) or (0xC0 <= p <= 0x24F)


@numba.njit(inline="always")
def _capital_follows(points: np.ndarray, k: int, space: np.ndarray,
                     ) -> bool:  # pragma: no cover - compiled
    """``(?=\\s+(?:''|[\"'(\\[])?[A-Z0-9\\u00c0-\\u024f])`` at ``k``."""
    n = len(points)
    m = k
    while m < n and space[points[m]]:
        m += 1
    if m in (k, n):
        return False
    if m + 2 < n and points[m] == 39 and points[m + 1] == 39 and _is_capital(points[m + 2]):
        return True
    p = points[m]
    if (p == 34 or p == 39 or p == 40 or p == 91) and m + 1 < n and _is_capital(points[m + 1]):
        return True
    return bool(_is_capital(p))


@numba.njit(inline="always")
def _abbreviation(points: np.ndarray, i: int, j: int, space: np.ndarray,
                  abbreviations: np.ndarray) -> bool:  # pragma: no cover - compiled
    """``is_abbreviation`` of the mark starting at ``i`` (its full stops end at ``j``)."""
    if points[i] != _DOT or (j - i >= 3 and points[i + 1] == _DOT and points[i + 2] == _DOT):
        return False
    start = i
    while start > 0 and not space[points[start - 1]]:
        start -= 1
    while start < i and _is_opening(points[start]):
        start += 1  # .lstrip("\"'([")
    length = i - start
    if length == 0:
        return False
    if length == 1 and 65 <= points[start] <= 90:
        return True  # a single capital: an initial
    if length >= 3 and _is_letter(points[i - 1]) and points[i - 2] == _DOT \
            and _is_letter(points[i - 3]):
        return True  # "U.S": letters and full stops
    if length > 8:
        return False
    key = np.uint64(0)
    for p in points[start:i]:
        if 65 <= p <= 90:
            p = p + 32  # lower case; only ASCII letters fold to an abbreviation
        elif not (97 <= p <= 122):
            return False
        key = (key << np.uint64(8)) | np.uint64(p)
    at = np.searchsorted(abbreviations, key)
    return bool(at < len(abbreviations) and abbreviations[at] == key)


@numba.njit(inline="always")
def _is_opening(p: int) -> bool:  # pragma: no cover - compiled
    return p == 34 or p == 39 or p == 40 or p == 91  # " ' ( [


@numba.njit(inline="always")
def _is_letter(p: int) -> bool:  # pragma: no cover - compiled
    return (65 <= p <= 90) or (97 <= p <= 122)


@numba.njit(nogil=True, cache=True)
def _units(sentences: np.ndarray, points: np.ndarray,
           token_end: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    merged = np.empty_like(sentences)
    m = 0
    for s in range(len(sentences)):
        if m and merged[m - 1, 1] - merged[m - 1, 0] < MIN_UNIT_TOKENS:
            merged[m - 1, 1] = sentences[s, 1]
        else:
            merged[m, 0], merged[m, 1] = sentences[s, 0], sentences[s, 1]
            m += 1
    if m > 1 and merged[m - 1, 1] - merged[m - 1, 0] < MIN_UNIT_TOKENS:
        merged[m - 2, 1] = merged[m - 1, 1]
        m -= 1
    pieces = 0
    for u in range(m):
        pieces += 1 + max(0, merged[u, 1] - merged[u, 0] - 1) // (MAX_UNIT_TOKENS // 2)
    out = np.empty((pieces, 2), dtype=np.int64)
    k = 0
    for u in range(m):
        t0, t1 = merged[u, 0], merged[u, 1]
        while t1 - t0 > MAX_UNIT_TOKENS:
            cut = t0 + MAX_UNIT_TOKENS
            for t in range(t0 + MAX_UNIT_TOKENS, t0 + MAX_UNIT_TOKENS // 2, -1):
                at = token_end[t - 1]
                if at < len(points) and (points[at] == 44 or points[at] == 59
                                         or points[at] == 58):  # , ; :
                    cut = t
                    break
            out[k, 0], out[k, 1] = t0, cut
            k += 1
            t0 = cut
        out[k, 0], out[k, 1] = t0, t1
        k += 1
    return out[:k]


def structure(points: np.ndarray, blocks: np.ndarray, token_start: np.ndarray,
              token_end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentences [n, 2] and units [m, 2] (token ranges) of a normalised text's
    ``points`` and the block of each unit, from its blocks [b, 2] (offsets) and tokens.
    A block's sentences end at the sentence ends inside it and at its own end, so no
    sentence crosses blocks; the ends are found once for the whole text (no match and
    no abbreviation's word crosses the white space between two blocks, and a match that
    sees the next block's capital ends where its own block does)."""
    return _structure(points, np.ascontiguousarray(blocks, dtype=np.int64).reshape(-1, 2),
                      token_start, token_end, _space(), _abbreviation_keys())


def unit_spans(raw: np.ndarray, units: np.ndarray, token_start: np.ndarray,
               token_end: np.ndarray) -> np.ndarray:
    """[n, 2] raw spans of token ranges ``units`` of the raw text's code points ``raw``,
    each end carried past the closing punctuation that follows it (".!?…")."""
    return _unit_spans(raw, np.ascontiguousarray(units, dtype=np.int64).reshape(-1, 2),
                       token_start, token_end)


@numba.njit(nogil=True, cache=True)
def _structure(points: np.ndarray, blocks: np.ndarray, token_start: np.ndarray,
               token_end: np.ndarray, space: np.ndarray, abbreviations: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    ends = _sentence_ends(points, space, abbreviations)
    end_token = np.searchsorted(token_start, ends)
    sentences = np.empty((len(ends) + len(blocks), 2), dtype=np.int64)
    first_sentence = np.empty(len(blocks) + 1, dtype=np.int64)
    n = 0
    for b in range(len(blocks)):
        first_sentence[b] = n
        t0 = np.searchsorted(token_start, blocks[b, 0])
        t1 = np.searchsorted(token_start, blocks[b, 1])
        previous = t0
        for e in range(np.searchsorted(ends, blocks[b, 0], side="right"),
                       np.searchsorted(ends, blocks[b, 1], side="right")):
            if end_token[e] > previous:
                sentences[n, 0], sentences[n, 1] = previous, end_token[e]
                n += 1
            previous = end_token[e]
        if t1 > previous:
            sentences[n, 0], sentences[n, 1] = previous, t1
            n += 1
    first_sentence[len(blocks)] = n
    units = np.empty((0, 2), dtype=np.int64)
    unit_block = np.empty(0, dtype=np.int64)
    parts = []
    for b in range(len(blocks)):
        parts.append(_units(sentences[first_sentence[b]:first_sentence[b + 1]], points,
                            token_end))
    total = 0
    for part in parts:
        total += len(part)
    units = np.empty((total, 2), dtype=np.int64)
    unit_block = np.empty(total, dtype=np.int64)
    k = 0
    for b in range(len(parts)):
        for u in range(len(parts[b])):
            units[k, 0], units[k, 1] = parts[b][u, 0], parts[b][u, 1]
            unit_block[k] = b
            k += 1
    return sentences[:n], units, unit_block


@numba.njit(nogil=True, cache=True)
def _unit_spans(raw: np.ndarray, units: np.ndarray, token_start: np.ndarray,
                token_end: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    spans = np.empty((len(units), 2), dtype=np.int64)
    for u in range(len(units)):
        spans[u, 0] = token_start[units[u, 0]]
        end = token_end[units[u, 1] - 1]
        while end < len(raw) and (raw[end] == _DOT or raw[end] == _BANG or raw[end] == _QUERY
                                  or raw[end] == 0x2026):
            end += 1
        spans[u, 1] = end
    return spans

"""Tokens: what one is (``TOKEN``), and where they are in a text, found by a compiled
scanner, each with a key its form is memoised under (``Lexicon``).

``TOKEN`` stays the definition; the scanner finds its matches without a Python object
per piece of text or per token (splitting a news article by the regular expression and
looking its token strings up was a quarter of its analysis; the scan with the keys is
a small fraction of that). Each code point's classes come from the regular expression's own
classes (``[^\\W_]``, ``\\d``), so the two agree on every character: checked on every
code point, and by a property test against ``TOKEN.finditer``.
"""

from __future__ import annotations

import re
import sys
from functools import cache

import numba
import numpy as np

# CJK ideographs and kana are one token each; other words are runs of letters and
# digits with inner apostrophes; numbers keep their separators ("10,000", "3.5").
TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"|\d+(?:[.,:]\d+)*(?![^\W_])"
    r"|[^\W_]+(?:'[^\W_]+)*"
)

_WORD = np.uint8(1)  # [^\W_]: a letter or digit
_DIGIT = np.uint8(2)  # \d
_IDEOGRAPH = np.uint8(4)  # a token on its own: TOKEN's first alternative
_NUMBER_SEPARATORS = (ord("."), ord(","), ord(":"))
_APOSTROPHE = ord("'")


def token_bounds(text: str, points: np.ndarray | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end offsets (int64) of the tokens of ``text`` (whose ``code_points`` a
    caller may have), as ``TOKEN.finditer`` finds them, and each token's key (uint64,
    ``form_key`` of its text)."""
    return _scan(code_points(text) if points is None else points, _classes())


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def form_key(form: str) -> int:
    """A 64-bit hash of ``form``'s code points: what ``Lexicon`` memoises a token form
    under, made without the form's string (two of the ~300,000 forms of a million news
    articles share one with a chance of about 1 in 400 million)."""
    points = code_points(form)
    return int(_key(points, 0, len(points)))


def code_point_classes(*patterns: str) -> list[np.ndarray]:
    """For each of ``patterns``, bool [every code point]: the code points its matches
    cover in the text of every code point. A class (``[^\\W_]+``, ``\\s+``) is then
    exactly what the regular expression engine takes it to be."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    tables = []
    for pattern in patterns:
        table = np.zeros(len(every), dtype=np.bool_)
        for match in re.finditer(pattern, every):
            table[match.start():match.end()] = True
        tables.append(table)
    return tables


@cache
def _classes() -> np.ndarray:
    """uint8 [every code point]: its classes, found by the regular expressions TOKEN uses."""
    classes = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    ideographs = TOKEN.pattern.split("|", 1)[0]
    flags = (_WORD, _DIGIT, _IDEOGRAPH)
    for table, flag in zip(code_point_classes(r"[^\W_]+", r"\d+", ideographs + "+"), flags,
                           strict=True):
        classes[table] |= flag
    return classes


@numba.njit(nogil=True, cache=True)
def _key(points: np.ndarray, start: int, end: int) -> np.uint64:  # pragma: no cover
    # FNV-1a over the code points, then splitmix64's finaliser (so that the low bits a
    # hash table uses depend on every code point).
    h = np.uint64(0xCBF29CE484222325)
    for p in range(start, end):
        h = (h ^ np.uint64(points[p])) * np.uint64(0x100000001B3)
    h ^= np.uint64(end - start)
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@numba.njit(nogil=True, cache=True)
def _scan(points: np.ndarray, classes: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """TOKEN's three alternatives, tried in order at each position as the regular
    expression engine does: an ideograph alone; a number whose separators each stand
    between digits and which no letter or digit follows (backing off its last group when
    one does); a run of letters and digits with inner apostrophes."""
    n = len(points)
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    k = 0
    i = 0
    while i < n:
        kind = classes[points[i]]
        if kind & _IDEOGRAPH:
            end = i + 1
        elif not kind & _WORD:
            i += 1
            continue
        else:
            end = -1
            if kind & _DIGIT:
                j = i
                while j < n and classes[points[j]] & _DIGIT:
                    j += 1
                before_last = -1  # the end of the number without its last group
                while (j + 1 < n and points[j] in _NUMBER_SEPARATORS
                       and classes[points[j + 1]] & _DIGIT):
                    before_last = j
                    j += 1
                    while j < n and classes[points[j]] & _DIGIT:
                        j += 1
                if j == n or not classes[points[j]] & _WORD:
                    end = j
                elif before_last >= 0:
                    end = before_last
            if end < 0:
                j = i
                while True:
                    while j < n and classes[points[j]] & _WORD:
                        j += 1
                    if j + 1 < n and points[j] == _APOSTROPHE and classes[points[j + 1]] & _WORD:
                        j += 1
                    else:
                        break
                end = j
        starts[k] = i
        ends[k] = end
        k += 1
        i = end
    keys = np.empty(k, dtype=np.uint64)
    for t in range(k):
        keys[t] = _key(points, starts[t], ends[t])
    return starts[:k], ends[:k], keys

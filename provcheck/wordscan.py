"""The tokens of a text, where ``lexicon.TOKEN`` finds them, by a compiled scanner.

``TOKEN`` stays the definition; this is its matches found without a Python object per
piece of text (splitting a news article by the regular expression takes ~0.5 ms of its
~5 ms of analysis; the scan ~0.03 ms, and making the tokens' strings ~0.3 ms). Each code point's classes come from the regular
expression's own classes (``[^\\W_]``, ``\\d``), so the two agree on every character; a
property test checks them against ``TOKEN.finditer``.
"""

from __future__ import annotations

import re
import sys
from functools import cache

import numba
import numpy as np

from provcheck.lexicon import TOKEN

_WORD = np.uint8(1)  # [^\W_]: a letter or digit
_DIGIT = np.uint8(2)  # \d
_IDEOGRAPH = np.uint8(4)  # a token on its own: TOKEN's first alternative
_NUMBER_SEPARATORS = (ord("."), ord(","), ord(":"))
_APOSTROPHE = ord("'")


def token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets (int64) of the tokens of ``text``, as ``TOKEN.finditer``."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _scan(points, _classes())


@cache
def _classes() -> np.ndarray:
    """uint8 [every code point]: its classes, found by the regular expressions TOKEN uses."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    classes = np.zeros(len(every), dtype=np.uint8)
    ideographs = TOKEN.pattern.split("|", 1)[0]
    for pattern, flag in ((r"[^\W_]+", _WORD), (r"\d+", _DIGIT), (ideographs + "+", _IDEOGRAPH)):
        for match in re.finditer(pattern, every):
            classes[match.start():match.end()] |= flag
    return classes


@numba.njit(nogil=True, cache=True)
def _scan(points: np.ndarray, classes: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
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
    return starts[:k], ends[:k]

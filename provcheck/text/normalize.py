"""Text normalisation with an offset map back to the raw text.

``normalize(raw)`` returns a ``NormalizedText`` whose ``text`` is NFKC-normalised, with
curly quotes, primes and guillemets made straight, every dash and minus made "-",
exotic spaces made " ", soft hyphens and zero-width characters removed, and the hyphen
of a hyphenated word dropped ("re-energise" -> "reenergise", "pre-empt" -> "preempt",
and a word broken across a line "energ-\\nise" -> "energise"). Case is kept, for the
sentence splitter; tokens are case-folded by ``fold``.

``offsets[i]`` is the raw index of normalised character ``i`` (``offsets[len]`` is
``len(raw)``), so a normalised span maps back with ``to_raw`` and a report can always
show ``raw[start:end]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# One-to-one replacements: applying them never moves an offset.
_ONE_TO_ONE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys(
            "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u202f\u205f\u3000\t\r\x0b\x0c",
            " ",
        ),
        "\u2028": "\n",
        "\u2029": "\n",
    }
)
# The same for ASCII text, as a byte table: bytes.translate runs at memory speed, where
# str.translate goes through a dict per character.
_ASCII_ONE_TO_ONE = bytes.maketrans(
    bytes(k for k in _ONE_TO_ONE if k < 128),
    bytes(ord(str(_ONE_TO_ONE[k])) for k in _ONE_TO_ONE if k < 128),
)
# For other text, a regex finds the few characters to replace: scanning a character
# class is far faster than str.translate's lookup of every character.
_ONE_TO_ONE_CHARS = re.compile("[" + re.escape("".join(map(chr, _ONE_TO_ONE))) + "]")
# Characters that carry no text and are dropped.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# A hyphen inside a word, or a word broken across a line end: the hyphen goes. Written
# to start with the hyphen, so the regex engine jumps from hyphen to hyphen.
_WORD_HYPHEN = re.compile(r"-(?:(?<=[^\W\d_]-)(?=[^\W\d_])|(?<=[a-z]-) *\n *(?=[a-z]))")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalised text and, for each of its characters, the raw offset it came from."""

    text: str
    offsets: np.ndarray  # int64, len(text) + 1

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` to the raw span it came from."""
        if end <= start:
            raw = int(self.offsets[start])
            return raw, raw
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1


def normalize(raw: str) -> NormalizedText:
    """Normalise ``raw`` and keep the map back to it (see the module docstring)."""
    text = one_to_one(raw)
    index = np.arange(len(text) + 1, dtype=np.int64)
    if not text.isascii():
        text, index = _rewrite(text, index, _nfkc_edits(text))
    text, index = _rewrite(text, index, _deletions(text))
    return NormalizedText(text, index)


def fold(token: str) -> str:
    """Case-fold one token; keep the token when folding would change its length."""
    low = token.lower()
    return low if len(low) == len(token) else token


def light(text: str) -> str:
    """Normalise a snippet for verbatim comparison: glyphs and spacing, not spelling."""
    return " ".join(unicodedata.normalize("NFKC", one_to_one(text)).split())


def one_to_one(text: str) -> str:
    """Quotes, dashes and spaces in their plain forms, one character for one."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_ONE_TO_ONE).decode("ascii")
    return _ONE_TO_ONE_CHARS.sub(lambda m: m.group().translate(_ONE_TO_ONE), text)


def _nfkc_edits(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, replacement) for each non-ASCII character NFKC changes."""
    cache: dict[str, str] = {}
    for match in _NON_ASCII.finditer(text):
        ch = match.group()
        if ch in _INVISIBLE:
            yield match.start(), match.end(), ""
            continue
        out = cache.get(ch)
        if out is None:
            out = cache[ch] = unicodedata.normalize("NFKC", ch)
        pos = match.start()
        if unicodedata.combining(ch) and pos > 0:
            # A combining mark composes with the character before it ("e" + acute).
            composed = unicodedata.normalize("NFKC", text[pos - 1] + ch)
            if len(composed) == 1:
                yield pos - 1, pos + 1, composed
                continue
        if out != ch:
            yield pos, pos + 1, out


def _deletions(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _WORD_HYPHEN.finditer(text):
        yield match.start(), match.end(), ""


def _rewrite(
    text: str, index: np.ndarray, edits: Iterable[tuple[int, int, str]]
) -> tuple[str, np.ndarray]:
    """Apply non-overlapping, ordered edits; every inserted character maps to its source."""
    parts: list[str] = []
    maps: list[np.ndarray] = []
    pos = 0
    for start, end, repl in edits:
        if start < pos:  # overlaps the previous edit (a composed pair): keep the first
            continue
        parts.append(text[pos:start])
        maps.append(index[pos:start])
        if repl:
            parts.append(repl)
            maps.append(np.full(len(repl), index[start], dtype=np.int64))
        pos = end
    if not parts:
        return text, index
    parts.append(text[pos:])
    maps.append(index[pos:])  # includes the end sentinel
    return "".join(parts), np.concatenate(maps)

"""Word-level vocabulary: tokenising, stop words, stems and stable token hashes.

Token ids are datasketch's ``sha1_hash32`` of the token's UTF-8 bytes: stable across
processes and machines (unlike ``hash()``), so batches prepared on different workers
or stored in an index agree, and a content-word stem hash is exactly what
``datasketch.MinHash.update`` would compute for that stem.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import Stemmer

from provcheck.hashing import sha1_hash32
from provcheck.text.normalize import fold
from provcheck.text.wordscan import TOKEN, form_key

__all__ = ["STOP_WORDS", "TOKEN", "Lexicon", "TokenInfo", "TokenTable"]

# English function words, plus the reporting verbs that frame quotes in news: they
# say who spoke, not what was said, so they are no evidence of reuse.
STOP_WORDS = frozenset(
    """
    a about above after again against all almost also although always am among an and
    another any anyone anything are aren't around as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each either else even ever every few for from further get
    gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's
    hers herself him himself his how how's however i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's like may me might more most much must mustn't my
    myself neither no nor not now of off often on once one only or other ought our ours
    ourselves out over own per quite rather same shall shan't she she'd she'll she's
    should shouldn't since so some still such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those
    though through thus to too toward towards under until up upon us very via was wasn't
    we we'd we'll we're we've were weren't what what's when when's where where's whether
    which while who who's whom whose why why's will with within without won't would
    wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    say says said saying tell tells told add adds added according mr mrs ms
    """.split()
)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the pipeline needs to know about one distinct token form."""

    hash: int  # sha1_hash32 of the case-folded token
    stem_hash: int  # sha1_hash32 of the stem; meaningful only for content words
    content: bool
    name_kind: int  # 2: a short acronym ("NATO"), 1: capitalised, 0: lower case


@dataclass(frozen=True, slots=True)
class TokenTable:
    """TokenInfo of several forms, as arrays."""

    hash: np.ndarray
    stem_hash: np.ndarray
    content: np.ndarray
    name_kind: np.ndarray


_PER_THREAD = threading.local()


class Lexicon:
    """Looks up tokens, memoising per distinct form (a pure function of the form, so a
    memo shared by the batches one thread runs changes nothing but speed). The memo is
    columnar: a form's row in four arrays, so a document's table is one gather; forms
    are found by their ``wordscan`` key in an open-addressing table, so a document's
    tokens are looked up in one compiled call, and only the forms it has not seen
    before are made into strings."""

    # Distinct forms kept before the memo starts over: bounds its memory (~25 MB; a
    # corpus of a million news articles has about 300,000 forms).
    MAX_FORMS = 500_000

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._forms = 0
        self._keys = np.zeros(1024, np.uint64)  # each row's key
        self._columns: tuple[np.ndarray, ...] = _empty_columns(1024)
        self._slot_key = np.zeros(2048, np.uint64)
        self._slot_row = np.full(2048, -1, np.int64)

    @staticmethod
    def shared() -> Lexicon:
        """This thread's lexicon, reused by every batch it runs. Threads do not share
        one: a cluster's worker may run several batches at once, and the memo grows in
        place, in compiled code that does not hold the interpreter's lock."""
        lexicon: Lexicon | None = getattr(_PER_THREAD, "lexicon", None)
        if lexicon is None:
            lexicon = _PER_THREAD.lexicon = Lexicon()
        return lexicon

    def info(self, token: str) -> TokenInfo:
        row = self._rows_of(np.array([form_key(token)], np.uint64), lambda _: token)[0]
        h, s, c, k = (column[row] for column in self._columns)
        return TokenInfo(int(h), int(s), bool(c), int(k))

    def table(self, text: str, starts: np.ndarray, ends: np.ndarray,
              keys: np.ndarray) -> TokenTable:
        """The TokenInfo of the tokens of ``text`` that ``wordscan.token_bounds`` found."""
        rows = self._rows_of(keys, lambda t: text[starts[t]:ends[t]])
        return TokenTable(*(column[rows] for column in self._columns))

    def _rows_of(self, keys: np.ndarray, form_of: Callable[[int], str]) -> np.ndarray:
        rows = _find(self._slot_key, self._slot_row, keys)
        missing = np.flatnonzero(rows < 0)
        if not len(missing):
            return rows
        fresh, first, which = np.unique(keys[missing], return_index=True, return_inverse=True)
        if self._forms + len(fresh) > self.MAX_FORMS:
            self._forms = 0  # rows are reassigned from 0, these forms' included
            self._slot_row.fill(-1)
            missing = np.arange(len(keys))
            fresh, first, which = np.unique(keys, return_index=True, return_inverse=True)
        start, end = self._forms, self._forms + len(fresh)
        if end > len(self._keys):
            size = max(2 * len(self._keys), end)
            self._keys = _grown(self._keys, size, start)
            self._columns = tuple(_grown(c, size, start) for c in self._columns)
        self._keys[start:end] = fresh
        computed = self._computed([form_of(token) for token in missing[first].tolist()])
        for column, values in zip(self._columns, computed, strict=True):
            column[start:end] = values
        self._forms = end
        if 2 * end > len(self._slot_key):  # at most half full: short probes
            size = len(self._slot_key)
            while 2 * end > size:
                size *= 2
            self._slot_key = np.zeros(size, np.uint64)
            self._slot_row = np.full(size, -1, np.int64)
            _insert(self._slot_key, self._slot_row, self._keys[:end],
                    np.arange(end, dtype=np.int64))
        else:
            _insert(self._slot_key, self._slot_row, fresh, np.arange(start, end, dtype=np.int64))
        rows[missing] = start + which  # the new forms' rows, in the order of ``fresh``
        return rows

    def stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def _computed(self, forms: list[str]) -> tuple[list[int], list[int], list[bool], list[int]]:
        """The columns (hash, stem hash, content, name kind) of new forms, all at once: a
        news article brings a few dozen, and a cold memo (a new worker) thousands."""
        folded = [fold(form) for form in forms]
        content = [not (f in STOP_WORDS or (len(f) < 2 and f.isascii() and f.isalpha()))
                   for f in folded]
        stems = iter(self._stemmer.stemWords(
            [f[:-2] if f.endswith("'s") else f for f, c in zip(folded, content, strict=True)
             if c]))
        return ([sha1_hash32(f.encode("utf-8")) for f in folded],
                [sha1_hash32(next(stems).encode("utf-8")) if c else 0 for c in content],
                content, [_name_kind(form) for form in forms])


@numba.njit(nogil=True, cache=True)
def _find(slot_key: np.ndarray, slot_row: np.ndarray,
          keys: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    # The row of each key in the table (linear probing), -1 where it has none.
    mask = np.uint64(len(slot_key) - 1)
    out = np.empty(len(keys), np.int64)
    for i in range(len(keys)):
        slot = np.int64(keys[i] & mask)
        while slot_row[slot] >= 0 and slot_key[slot] != keys[i]:
            slot = np.int64((np.uint64(slot) + np.uint64(1)) & mask)
        out[i] = slot_row[slot]
    return out


@numba.njit(nogil=True, cache=True)
def _insert(slot_key: np.ndarray, slot_row: np.ndarray, keys: np.ndarray,
            rows: np.ndarray) -> None:  # pragma: no cover - compiled
    # Keys not in the table yet, with their rows.
    mask = np.uint64(len(slot_key) - 1)
    for i in range(len(keys)):
        slot = np.int64(keys[i] & mask)
        while slot_row[slot] >= 0:
            slot = np.int64((np.uint64(slot) + np.uint64(1)) & mask)
        slot_key[slot] = keys[i]
        slot_row[slot] = rows[i]


def _grown(column: np.ndarray, size: int, kept: int) -> np.ndarray:
    grown = np.zeros(size, column.dtype)
    grown[:kept] = column[:kept]
    return grown


def _empty_columns(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.zeros(size, np.uint32), np.zeros(size, np.uint32), np.zeros(size, bool),
            np.zeros(size, np.int8))


def _name_kind(token: str) -> int:
    """2 for a short acronym, 1 for a capitalised word, 0 otherwise."""
    if 1 < len(token) <= 5 and token.isupper():
        return 2
    return 1 if token[:1].isupper() and not token.isupper() else 0

"""Word-level vocabulary: tokenising, stop words, stems and stable token hashes.

Token ids are datasketch's ``sha1_hash32`` of the token's UTF-8 bytes: stable across
processes and machines (unlike ``hash()``), so batches prepared on different workers
or stored in an index agree, and a content-word stem hash is exactly what
``datasketch.MinHash.update`` would compute for that stem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np
import Stemmer
from datasketch.hashfunc import sha1_hash32

from provcheck.normalize import fold

# CJK ideographs and kana are one token each; other words are runs of letters and
# digits with inner apostrophes; numbers keep their separators ("10,000", "3.5").
TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"|\d+(?:[.,:]\d+)*(?![^\W_])"
    r"|[^\W_]+(?:'[^\W_]+)*"
)

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


class Lexicon:
    """Looks up tokens, memoising per distinct form (a pure function of the form, so a
    memo shared by the batches one process runs changes nothing but speed). The memo is
    columnar: a form's row in four arrays, so a document's table is one gather."""

    # Distinct forms kept before the memo starts over: bounds its memory (~60 MB; a
    # corpus of a million news articles has about 300,000 forms).
    MAX_FORMS = 500_000

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._rows: dict[str, int] = {}
        self._columns = _empty_columns(1024)

    @staticmethod
    @lru_cache(maxsize=1)
    def shared() -> Lexicon:
        """This process's lexicon, reused by every batch it runs."""
        return Lexicon()

    def info(self, token: str) -> TokenInfo:
        row = self._rows_of([token])[0]
        h, s, c, k = (column[row] for column in self._columns)
        return TokenInfo(int(h), int(s), bool(c), int(k))

    def table(self, forms: list[str]) -> TokenTable:
        """The TokenInfo of each of ``forms`` (a document's tokens: forms repeat)."""
        rows = self._rows_of(forms)
        return TokenTable(*(column[rows] for column in self._columns))

    def _rows_of(self, forms: list[str]) -> np.ndarray:
        # Known forms are looked up by ``map`` in C: no Python call per token.
        rows = np.fromiter(map(self._rows.get, forms, repeat(-1)), dtype=np.int64,
                           count=len(forms))
        if not len(rows) or rows.min() >= 0:
            return rows
        missing = list(dict.fromkeys(f for f, r in zip(forms, rows.tolist(), strict=True)
                                     if r < 0))
        if len(self._rows) + len(missing) > self.MAX_FORMS:
            self._rows.clear()  # rows are reassigned from 0, these forms' included
            missing = list(dict.fromkeys(forms))
        start = len(self._rows)
        end = start + len(missing)
        if end > len(self._columns[0]):
            grown = _empty_columns(max(2 * len(self._columns[0]), end))
            for old, new in zip(self._columns, grown, strict=True):
                new[:start] = old[:start]
            self._columns = grown
        for row, form in enumerate(missing, start=start):
            info = self._compute(form)
            self._rows[form] = row
            for column, value in zip(self._columns, (info.hash, info.stem_hash, info.content,
                                                     info.name_kind), strict=True):
                column[row] = value
        return np.fromiter(map(self._rows.__getitem__, forms), dtype=np.int64,
                           count=len(forms))

    def stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def _compute(self, token: str) -> TokenInfo:
        folded = fold(token)
        key = folded.encode("utf-8")
        kind = _name_kind(token)
        if folded in STOP_WORDS or (len(folded) < 2 and folded.isascii() and folded.isalpha()):
            return TokenInfo(sha1_hash32(key), 0, False, kind)
        base = folded[:-2] if folded.endswith("'s") else folded
        stem = self.stem(base)
        return TokenInfo(sha1_hash32(key), sha1_hash32(stem.encode("utf-8")), True, kind)


def _empty_columns(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.zeros(size, np.uint32), np.zeros(size, np.uint32), np.zeros(size, bool),
            np.zeros(size, np.int8))


def _name_kind(token: str) -> int:
    """2 for a short acronym, 1 for a capitalised word, 0 otherwise."""
    if 1 < len(token) <= 5 and token.isupper():
        return 2
    return 1 if token[:1].isupper() and not token.isupper() else 0

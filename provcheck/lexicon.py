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
    memo shared by the batches one process runs changes nothing but speed)."""

    # Distinct forms kept before the memo starts over: bounds its memory (~40 MB).
    MAX_FORMS = 200_000

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._cache: dict[str, TokenInfo] = {}

    @staticmethod
    @lru_cache(maxsize=1)
    def shared() -> Lexicon:
        """This process's lexicon, reused by every batch it runs."""
        return Lexicon()

    def info(self, token: str) -> TokenInfo:
        hit = self._cache.get(token)
        if hit is None:
            if len(self._cache) >= self.MAX_FORMS:
                self._cache.clear()
            hit = self._cache[token] = self._compute(token)
        return hit

    def table(self, forms: list[str]) -> TokenTable:
        infos = [self.info(f) for f in forms]
        return TokenTable(
            hash=np.array([i.hash for i in infos], dtype=np.uint32),
            stem_hash=np.array([i.stem_hash for i in infos], dtype=np.uint32),
            content=np.array([i.content for i in infos], dtype=bool),
            name_kind=np.array([i.name_kind for i in infos], dtype=np.int8),
        )

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


def _name_kind(token: str) -> int:
    """2 for a short acronym, 1 for a capitalised word, 0 otherwise."""
    if 1 < len(token) <= 5 and token.isupper():
        return 2
    return 1 if token[:1].isupper() and not token.isupper() else 0

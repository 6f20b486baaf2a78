"""Evidence: what a related pair shares, measured, for its verdict and for the reader.

Each figure answers a question an analyst asks before believing "copy": how much of the
shorter text is shared (containment), how closely (verbatim, lightly edited, rewritten,
the longest stretch shared word for word), what it is (narration or quotations,
boilerplate set aside), whether it keeps its order, whether it is distinctive or stock
English, when the two were published and how precisely that is known, and what the
texts say of their sources (a wire's credit, an attribution to the other's outlet).

What the passages tell (``shared``) is measured where the pair is aligned, on the
alignment workers; what the documents say of themselves (``measure``) in this process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from provcheck.credits import agency_of, domain_label
from provcheck.hashing import sha1_hash32
from provcheck.records import SHARED_FIELDS, Document, Evidence, Kind, PairResult, Passage, Shared
from provcheck.text.normalize import fold
from provcheck.text.segment import Segmented

# A reworded passage this similar to its counterpart keeps the other's sentence (PAN13's
# obfuscations, a paper rewriting agency copy); below it, two reports of one fact in
# their own words look alike too.
CLOSE_SIMILARITY = 0.75
# Rarity of a word from its Zipf frequency (log10 of occurrences per billion words):
# 0 for words as common as "the" (7+), 1 for words rarer than one in a hundred million.
_ZIPF_COMMON, _ZIPF_RARE = 7.0, 1.0


def shared(seg_a: Segmented, seg_b: Segmented, passages: Sequence[Passage],
           ranges: tuple[Sequence[Sequence[int]], Sequence[Sequence[int]]],
           coverage: tuple[float, float], a_shorter: bool,
           rare_a: np.ndarray | None = None) -> Shared:
    """What the passages of a pair tell, measured, from their token ``ranges`` on each
    side. (Plain Python over the passages: a pair has a handful, and numpy's per-call
    cost would be most of the work.) ``rare_a``: ``rarity_sums(seg_a)``, if the caller
    keeps it for the document."""
    ranges_a, ranges_b = ranges
    total = verbatim = edited = quoted = 0
    weighted = 0.0
    narration, close = [0, 0], [0, 0]
    for p, (a0, a1), (b0, b1) in zip(passages, ranges_a, ranges_b, strict=True):
        words_a, words_b = a1 - a0, b1 - b0
        total += words_a
        weighted += words_a * p.similarity
        verbatim += words_a if p.kind is Kind.VERBATIM else 0
        edited += words_a if p.kind is Kind.NEAR_VERBATIM else 0
        if p.in_quote:
            quoted += words_a
            continue
        narration[0] += words_a
        narration[1] += words_b
        if p.kind is not Kind.PARAPHRASE or p.similarity >= CLOSE_SIMILARITY:
            close[0] += words_a
            close[1] += words_b
    share = 1 / max(1, total)
    shorter = coverage[0] if a_shorter else coverage[1]
    return Shared(
        containment=round(shorter, 4),
        verbatim=round(verbatim * share, 4),
        lightly_edited=round(edited * share, 4),
        rewritten=round((total - verbatim - edited) * share, 4),
        similarity=round(weighted * share, 4),
        quoted=round(quoted * share, 4),
        narration_words=min(narration),
        close_words=min(close),
        boilerplate_words=shared_boilerplate(seg_a, seg_b),
        longest_run=max((p.run for p in passages if not p.in_quote), default=0),
        in_order=round(_in_order(passages, [hi - lo for lo, hi in ranges_a]), 4),
        distinctive=round(_distinctive(rarity_sums(seg_a) if rare_a is None else rare_a,
                                       ranges_a), 4),
    )


def story_credits(doc: Document, seg: Segmented) -> frozenset[str]:
    """The agencies a document's story is credited to: those its text credits (read
    where it was segmented), and the agency it is the page of."""
    own = agency_of(doc.outlet)
    return frozenset(seg.credits) | ({own} if own else frozenset())


def measure(pair: PairResult, doc_a: Document, doc_b: Document,
            credits: tuple[frozenset[str], frozenset[str]],
            attributes: tuple[bool, bool], reported: tuple[int, int],
            scores: tuple[float, float] = (0.0, 0.0)) -> Evidence:
    """The pair's evidence, with the model's ``scores`` (reuse, copied) as given;
    ``attributes``: whether a names b's outlet as a source, and b a's."""
    assert pair.shared is not None, "a pair is measured where it is aligned"
    gap, precision = time_gap(doc_a.published, doc_b.published)
    agency = common_agency(*credits)
    return Evidence(
        **{name: getattr(pair.shared, name) for name in SHARED_FIELDS},
        gap_hours=None if gap is None else round(gap, 2),
        time_precision=precision,
        credits=(tuple(sorted(credits[0])), tuple(sorted(credits[1]))),
        agency=agency,
        pages=(agency is not None and agency_of(doc_a.outlet) == agency,
               agency is not None and agency_of(doc_b.outlet) == agency),
        attributes=attributes,
        reported=reported,
        reuse=scores[0],
        copied=scores[1],
    )


def common_agency(credits_a: frozenset[str], credits_b: frozenset[str]) -> str | None:
    """The agency whose story both texts carry, as their credits tell: the one both
    credit, or the one a text credits when the other credits no one (a reprint that
    dropped the credit, a paper rewriting the agency's copy)."""
    both = credits_a & credits_b
    if len(both) == 1:
        return next(iter(both))
    either = credits_a | credits_b
    if not both and len(either) == 1 and not (credits_a and credits_b):
        return next(iter(either))
    return None


def time_gap(first: str | None, second: str | None) -> tuple[float | None, str]:
    """Hours from ``first`` to ``second`` and how precisely they are known: "minute"
    when both carry a time, "day" when both are dates, else "none" (no gap)."""
    if not (first and second):
        return None, "none"
    timed = len(first) > 10 and len(second) > 10
    if not timed:
        first, second = first[:10], second[:10]
    hours = (_instant(second) - _instant(first)).total_seconds() / 3600
    return hours, "minute" if timed else "day"


def _instant(value: str) -> datetime:
    """An ISO date or datetime as an instant: without a zone, read as UTC (a scrape
    time without zone and one with it then differ by at most the zone's hours)."""
    when = datetime.fromisoformat(value if len(value) > 10 else value + "T00:00")
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def shared_boilerplate(seg_a: Segmented, seg_b: Segmented) -> int:
    """Words of the blocks both documents print that were set aside as boilerplate."""
    if not (seg_a.outlet_chrome.any() and seg_b.outlet_chrome.any()):
        return 0
    flagged_a = seg_a.outlet_chrome & (seg_a.block_words > 0)
    flagged_b = seg_b.outlet_chrome & (seg_b.block_words > 0)
    if not (flagged_a.any() and flagged_b.any()):
        return 0
    keys_b = set(seg_b.block_key[flagged_b].tolist())
    return int(sum(w for k, w in zip(seg_a.block_key[flagged_a].tolist(),
                                     seg_a.block_words[flagged_a].tolist(), strict=True)
                   if k in keys_b))


def _in_order(passages: Sequence[Passage], words: Sequence[int]) -> float:
    """The share of the shared words whose passages keep, in b, their order in a: the
    heaviest increasing sequence of b's starts over passages taken in a's order."""
    if len(passages) < 2:
        return 1.0
    order = sorted(range(len(passages)), key=lambda k: (passages[k].a.start,
                                                        passages[k].b.start))
    starts = [passages[k].b.start for k in order]
    best: list[int] = []
    for i, k in enumerate(order):
        before = [best[j] for j in range(i) if starts[j] < starts[i]]
        best.append(words[k] + max(before, default=0))
    return max(best) / max(1, sum(words))


def rarity_sums(seg: Segmented) -> np.ndarray:
    """[2, n_tokens + 1]: running sums of the rarity of a document's content words, and
    of their count; a span's mean rarity is two differences of each."""
    sums = np.zeros((2, len(seg.tok_start) + 1))
    content = seg.content
    np.cumsum(np.where(content, rarity(seg.tok_hash), 0.0), out=sums[0, 1:])
    np.cumsum(content, out=sums[1, 1:])
    return sums


def _distinctive(sums: np.ndarray, ranges: Sequence[Sequence[int]]) -> float:
    """Mean rarity in English of the content words in the token ``ranges`` (names
    included: a shared name is as telling as any rare word)."""
    rare = words = 0.0
    for lo, hi in ranges:
        rare += sums[0, hi] - sums[0, lo]
        words += sums[1, hi] - sums[1, lo]
    return float(rare / words) if words else 0.0


def rarity(hashes: np.ndarray) -> np.ndarray:
    """0-1 rarity of tokens by their hash (``lexicon``'s of the folded form): from
    wordfreq's English list; a word it does not list is rare (1)."""
    keys, values = rarity_table()
    at = np.searchsorted(keys, hashes).clip(max=len(keys) - 1)
    return np.where(keys[at] == hashes, values[at], 1.0)


@lru_cache(maxsize=1)
def rarity_table() -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of wordfreq's English words (its "small" list: ~29,000 words with a
    frequency of at least one in a million) and each one's rarity, sorted by hash."""
    from wordfreq import get_frequency_dict

    table: dict[int, float] = {}
    for word, frequency in get_frequency_dict("en", "small").items():
        zipf = np.log10(frequency) + 9
        value = min(1.0, max(0.0, (_ZIPF_COMMON - zipf) / (_ZIPF_COMMON - _ZIPF_RARE)))
        key = sha1_hash32(fold(word).encode("utf-8"))
        table[key] = min(value, table.get(key, value))
    keys = np.array(sorted(table), dtype=np.uint32)
    return keys, np.array([table[int(k)] for k in keys], dtype=np.float64)


def names_outlet(attributed: frozenset[str], other: Document) -> bool:
    """Does a text attribute material to ``other``'s outlet?"""
    if not other.outlet or not attributed:
        return False
    names = {other.outlet.casefold(), domain_label(other.outlet).casefold()}
    return any(a.casefold() in names for a in attributed)

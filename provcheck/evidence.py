"""Evidence: what a related pair shares, measured, for its verdict and for the reader.

Each figure answers a question an analyst asks before believing "copy": how much of the
shorter text is shared (containment), how closely (verbatim, lightly edited, rewritten,
the longest stretch shared word for word), what it is (narration or quotations,
boilerplate set aside), whether it keeps its order, whether it is distinctive or stock
English, when the two were published and how precisely that is known, and what the
texts say of their sources (a wire's credit, an attribution to the other's outlet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from provcheck.credits import agency_of, domain_label
from provcheck.hashing import sha1_hash32
from provcheck.normalize import fold
from provcheck.records import Document, Evidence, Kind, PairResult, Span
from provcheck.segment import Segmented

# A reworded passage this similar to its counterpart keeps the other's sentence (PAN13's
# obfuscations, a paper rewriting agency copy); below it, two reports of one fact in
# their own words look alike too.
CLOSE_SIMILARITY = 0.75
# Rarity of a word from its Zipf frequency (log10 of occurrences per billion words):
# 0 for words as common as "the" (7+), 1 for words rarer than one in a hundred million.
_ZIPF_COMMON, _ZIPF_RARE = 7.0, 1.0


def measure(pair: PairResult, doc_a: Document, doc_b: Document, seg_a: Segmented,
            seg_b: Segmented, credits: tuple[frozenset[str], frozenset[str]],
            attributions: tuple[frozenset[str], frozenset[str]],
            reported: tuple[int, int]) -> Evidence:
    """The pair's evidence, without the model's scores (``provenance`` adds them)."""
    passages = pair.passages
    words_a = np.array(seg_a.word_counts([p.a for p in passages]), dtype=np.float64)
    words_b = np.array(seg_b.word_counts([p.b for p in passages]), dtype=np.float64)
    total = max(1.0, float(words_a.sum()))
    kinds = np.array([p.kind is Kind.VERBATIM for p in passages]), \
        np.array([p.kind is Kind.NEAR_VERBATIM for p in passages])
    quoted = np.array([p.in_quote for p in passages], dtype=bool)
    similarity = np.array([p.similarity for p in passages])
    close = ~quoted & (kinds[0] | kinds[1] | (similarity >= CLOSE_SIMILARITY))
    shorter = pair.coverage_a if seg_a.body_words <= seg_b.body_words else pair.coverage_b
    gap, precision = time_gap(doc_a.published, doc_b.published)
    agency = common_agency(*credits)
    return Evidence(
        containment=round(shorter, 4),
        verbatim=round(float(words_a[kinds[0]].sum()) / total, 4),
        lightly_edited=round(float(words_a[kinds[1]].sum()) / total, 4),
        rewritten=round(float(words_a[~(kinds[0] | kinds[1])].sum()) / total, 4),
        similarity=round(float((words_a * similarity).sum()) / total, 4),
        quoted=round(float(words_a[quoted].sum()) / total, 4),
        narration_words=int(min(words_a[~quoted].sum(), words_b[~quoted].sum())),
        close_words=int(min(words_a[close].sum(), words_b[close].sum())),
        boilerplate_words=shared_boilerplate(seg_a, seg_b),
        longest_run=max((p.run for p in passages if not p.in_quote), default=0),
        in_order=round(_in_order(passages, words_a), 4),
        distinctive=round(_distinctive(seg_a, [p.a for p in passages]), 4),
        gap_hours=None if gap is None else round(gap, 2),
        time_precision=precision,
        credits=(tuple(sorted(credits[0])), tuple(sorted(credits[1]))),
        agency=agency,
        pages=(agency is not None and agency_of(doc_a.outlet) == agency,
               agency is not None and agency_of(doc_b.outlet) == agency),
        attributes=(_names(attributions[0], doc_b), _names(attributions[1], doc_a)),
        reported=reported,
        reuse=0.0,
        copied=0.0,
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


def story_credits(doc: Document, found: Callable[[str], frozenset[str]]) -> frozenset[str]:
    """The agencies a document's story is credited to: those its text credits, and the
    agency it is the page of (an agency's own copy credits that agency)."""
    own = agency_of(doc.outlet)
    return found(doc.text) | ({own} if own else set())


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
    flagged_a = seg_a.outlet_chrome & (seg_a.block_words > 0)
    flagged_b = seg_b.outlet_chrome & (seg_b.block_words > 0)
    if not (flagged_a.any() and flagged_b.any()):
        return 0
    keys_b = set(seg_b.block_key[flagged_b].tolist())
    return int(sum(w for k, w in zip(seg_a.block_key[flagged_a].tolist(),
                                     seg_a.block_words[flagged_a].tolist(), strict=True)
                   if k in keys_b))


def _in_order(passages: Sequence[object], words: np.ndarray) -> float:
    """The share of the shared words whose passages keep, in b, their order in a: the
    heaviest increasing sequence of b's starts over passages taken in a's order."""
    spans = [(p.a.start, p.b.start) for p in passages]  # type: ignore[attr-defined]
    if len(spans) < 2:
        return 1.0
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    best = np.zeros(len(order))
    for i, k in enumerate(order):
        before = [best[j] for j in range(i) if spans[order[j]][1] < spans[k][1]]
        best[i] = words[k] + max(before, default=0.0)
    return float(best.max() / max(1.0, words.sum()))


def _distinctive(seg: Segmented, spans: Sequence[Span]) -> float:
    """Mean rarity in English of the content words inside ``spans`` (names included:
    a shared name is as telling as any rare word)."""
    tokens = [np.arange(lo, hi) for lo, hi in seg.token_ranges(spans).tolist()]
    if not tokens:
        return 0.0
    picked = np.unique(np.concatenate(tokens))
    picked = picked[seg.content[picked]]
    if not len(picked):
        return 0.0
    return float(rarity(seg.tok_hash[picked]).mean())


def rarity(hashes: np.ndarray) -> np.ndarray:
    """0-1 rarity of tokens by their hash (``lexicon``'s of the folded form): from
    wordfreq's English list; a word it does not list is rare (1)."""
    keys, values = _rarity_table()
    at = np.searchsorted(keys, hashes).clip(max=len(keys) - 1)
    return np.where(keys[at] == hashes, values[at], 1.0)


@lru_cache(maxsize=1)
def _rarity_table() -> tuple[np.ndarray, np.ndarray]:
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


def _names(attributed: frozenset[str], other: Document) -> bool:
    """Does a text attribute material to ``other``'s outlet?"""
    if not other.outlet or not attributed:
        return False
    names = {other.outlet.casefold(), domain_label(other.outlet).casefold()}
    return any(a.casefold() in names for a in attributed)

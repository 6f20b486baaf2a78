"""A news corpus of any size, built from the real ones, with known reuse.

Originals are written by a word chain trained on the real articles (PolNeAR's news and
PAN13's documents): second order where the real text branches (at least ``BRANCH``
different next words), else first order, so sentences read like the corpora's, word by
word, without copying their long runs verbatim (a million articles from 35 MB of text
would otherwise share sentences by chance, which real news does not). Lengths are
drawn from PolNeAR's real article lengths. Outlets print a footer on some of their
articles (boilerplate a reuse detector must not report).

A share of the articles reuse an earlier one, as news does, by the mutations of
``provcheck.eval.mutations``: syndicated, edited, paraphrased, partial.

Each shard of ``SHARD`` articles is made independently from its own seed (its reused
sources come from within it: news reuses the news of the same hours), so shards can be
made in parallel and again identically. Written as JSON Lines, with ``truth.jsonl``
listing every reuse (derived id, source id, kind).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from provcheck.eval.mutations import (
    _TOKEN,
    _paragraphs,
    _sentence,
    _sentences,
    _title,
    derive,
)

SHARD = 5000
BRANCH = 3
MAX_SENTENCE = 45
KINDS = {"syndicated": 0.08, "edited": 0.10, "paraphrased": 0.06, "partial": 0.08}

_ATTACH = re.compile(r" ([.,;:!?])")
_PLACES = """Ashford Bellmont Brookfield Carlow Dunmore Eastwick Fairhaven Glenrock Harwood
    Kingsport Lakeside Marlow Northfield Oakridge Pinecrest Queensbury Redcliff Springvale
    Thornbury Upton Valemont Westbridge Yarmouth Ardmore Bayview Cedarburg Dover Elmira
    Fremont Galway""".split()
_TITLES = "Courier Herald Times Post Gazette Tribune Journal Chronicle Observer Record".split()


@dataclass(frozen=True)
class Chain:
    """A word chain over the real corpora's tokens (0: sentence start, 1: sentence end)."""

    vocab: list[str]
    first_offsets: np.ndarray  # int64 [V + 1]: successors of a word, by frequency
    first_next: np.ndarray  # int32
    pair_keys: np.ndarray  # int64: previous two words that branch, ascending
    pair_offsets: np.ndarray  # int64
    pair_next: np.ndarray  # int32
    lengths: np.ndarray  # int64: real news articles' lengths in tokens
    ids: dict[str, int]  # word -> its id


def train(texts: list[str], news: list[str]) -> Chain:
    """The chain of ``texts``; article lengths from ``news``."""
    vocab: dict[str, int] = {"<s>": 0, "</s>": 1}
    prev2: list[int] = []
    prev1: list[int] = []
    nxt: list[int] = []
    for text in texts:
        for sentence in _sentences(text):
            ids = [vocab.setdefault(t, len(vocab)) for t in sentence] + [1]
            p2, p1 = 0, 0
            for token in ids:
                prev2.append(p2)
                prev1.append(p1)
                nxt.append(token)
                p2, p1 = p1, token
    a, b, c = (np.array(x, dtype=np.int64) for x in (prev2, prev1, nxt))
    size = len(vocab)
    order = np.argsort(b, kind="stable")
    first_offsets = np.searchsorted(b[order], np.arange(size + 1))
    key = a * size + b
    order2 = np.lexsort((c, key))
    key, follow = key[order2], c[order2]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)]
    distinct = np.add.reduceat(np.r_[True, (follow[1:] != follow[:-1]) |
                                     (key[1:] != key[:-1])].astype(np.int64), starts)
    branching = distinct >= BRANCH
    keep = np.repeat(branching, ends - starts)
    kept_starts = np.searchsorted(np.flatnonzero(keep), starts[branching])
    lengths = np.array([len(_TOKEN.findall(t)) for t in news], dtype=np.int64)
    return Chain(
        vocab=list(vocab), first_offsets=first_offsets, first_next=c[order].astype(np.int32),
        pair_keys=key[starts[branching]],
        pair_offsets=np.r_[kept_starts, keep.sum()].astype(np.int64),
        pair_next=follow[keep].astype(np.int32), lengths=lengths, ids=vocab)


@numba.njit(cache=True)
def _walk(lengths: np.ndarray, size: int, first_offsets: np.ndarray, first_next: np.ndarray,
          pair_keys: np.ndarray, pair_offsets: np.ndarray, pair_next: np.ndarray,
          seed: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    np.random.seed(seed)
    out = np.empty(2 * lengths.sum() + len(lengths) * (MAX_SENTENCE + 2), np.int32)
    bounds = np.zeros(len(lengths) + 1, np.int64)
    k = 0
    for d in range(len(lengths)):
        words = 0
        while words < lengths[d]:
            p2, p1, n = 0, 0, 0
            while n < MAX_SENTENCE:
                key = p2 * size + p1
                i = np.searchsorted(pair_keys, key)
                if i < len(pair_keys) and pair_keys[i] == key:
                    lo, hi = pair_offsets[i], pair_offsets[i + 1]
                    token = pair_next[lo + np.random.randint(hi - lo)]
                else:
                    lo, hi = first_offsets[p1], first_offsets[p1 + 1]
                    token = first_next[lo + np.random.randint(hi - lo)]
                if token == 1:
                    break
                out[k] = token
                k += 1
                n += 1
                p2, p1 = p1, token
            out[k] = 1
            k += 1
            words += n
        bounds[d + 1] = k
    return out[:k], bounds


def originals(chain: Chain, count: int, seed: int) -> list[list[str]]:
    """``count`` original articles, each as its sentences."""
    rng = np.random.default_rng(seed)
    lengths = rng.choice(chain.lengths, size=count)
    tokens, bounds = _walk(lengths, len(chain.vocab), chain.first_offsets, chain.first_next,
                           chain.pair_keys, chain.pair_offsets, chain.pair_next, seed)
    words = np.array(chain.vocab, dtype=object)
    out = []
    for d in range(count):
        # Whole article at once: "</s>" marks the sentence ends.
        text = _ATTACH.sub(r"\1", " ".join(words[tokens[bounds[d]:bounds[d + 1]]].tolist()))
        sentences = (_sentence(s) for s in text.split("</s>"))
        out.append([s for s in sentences if len(s) > 12])
    return out


def shard(chain: Chain, number: int, count: int = SHARD, prefix: str = "n") -> tuple[
        list[dict[str, str]], list[dict[str, str]]]:
    """Articles of shard ``number`` (JSON records) and the reuse among them."""
    rng = np.random.default_rng(1_000_003 * number + 17)
    stories = originals(chain, count, seed=number)
    records: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []
    kinds = list(KINDS)
    weights = np.array([KINDS[k] for k in kinds] + [1 - sum(KINDS.values())])
    for n, sentences in enumerate(stories):
        kind = str(rng.choice([*kinds, "original"], p=weights)) if records else "original"
        outlet = _outlet(rng)
        doc_id = f"{prefix}{number:04d}-{n:04d}"
        if kind == "original":
            title, paragraphs = _title(sentences[0]), _paragraphs(rng, sentences[1:])
        else:
            source = records[int(rng.integers(max(0, len(records) - 500), len(records)))]
            title, paragraphs = derive(chain, rng, kind, source, sentences)
            truth.append({"id": doc_id, "source": source["id"], "kind": kind})
        if rng.random() < 0.5:
            paragraphs.append(_footer(outlet))
        records.append({"id": doc_id, "title": title, "outlet": outlet,
                        "published": _date(number, n), "text": "\n\n".join([title, *paragraphs])})
    return records, truth


def write(folder: Path, chain: Chain, shards: range, prefix: str = "n",
          count: int = SHARD) -> Iterator[tuple[int, int]]:
    """Write shards as ``folder/corpus/PREFIX-NNNN.jsonl`` and their reuse to
    ``folder/truth-PREFIX-NNNN.jsonl``; yields (shard, bytes of text)."""
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    for number in shards:
        records, truth = shard(chain, number, count, prefix)
        name = f"{prefix}-{number:04d}.jsonl"
        with (folder / "corpus" / name).open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in records)
        with (folder / f"truth-{name}").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(t) + "\n" for t in truth)
        yield number, sum(len(r["text"].encode()) for r in records)


def check_set(chain: Chain, folder: Path, shards: int, count: int, reusing: float = 0.4
              ) -> Path:
    """``count`` new articles in ``folder/check/``, a share ``reusing`` of them derived from
    articles anywhere in the corpus's ``shards`` (the rest original); their reuse in
    ``folder/truth-check.jsonl``."""
    rng = np.random.default_rng(424242)
    sources: list[dict[str, str]] = []
    for number in sorted(rng.choice(shards, size=min(shards, 40), replace=False).tolist()):
        with (folder / "corpus" / f"n-{number:04d}.jsonl").open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        sources.extend(records[int(i)] for i in rng.choice(len(records), 50, replace=False))
    stories = originals(chain, count, seed=10_000_019)
    kinds = list(KINDS)
    weights = np.array([KINDS[k] for k in kinds]) / sum(KINDS.values())
    records, truth = [], []
    for n, sentences in enumerate(stories):
        doc_id = f"check-{n:04d}"
        outlet = _outlet(rng)
        if rng.random() < reusing:
            kind = str(rng.choice(kinds, p=weights))
            source = sources[int(rng.integers(len(sources)))]
            title, paragraphs = derive(chain, rng, kind, source, sentences)
            truth.append({"id": doc_id, "source": source["id"], "kind": kind})
        else:
            title, paragraphs = _title(sentences[0]), _paragraphs(rng, sentences[1:])
        records.append({"id": doc_id, "title": title, "outlet": outlet,
                        "published": "2027-01-01", "text": "\n\n".join([title, *paragraphs])})
    (folder / "check").mkdir(exist_ok=True)
    with (folder / "check" / "check.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    with (folder / "truth-check.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(t) + "\n" for t in truth)
    return folder / "check"


def _outlet(rng: np.random.Generator) -> str:
    return f"The {_PLACES[int(rng.integers(len(_PLACES)))]} {_TITLES[int(rng.integers(10))]}"


def _footer(outlet: str) -> str:
    return (f"Copyright 2026 {outlet}. All rights reserved. Sign up for the {outlet} "
            "newsletter to get the day's top stories.")


def _date(number: int, n: int) -> str:
    day = (number * SHARD + n) // 3000  # about 3,000 articles a day
    return str(np.datetime64("2025-01-01") + np.timedelta64(day % 700, "D"))

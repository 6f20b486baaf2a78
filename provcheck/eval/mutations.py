"""Realistic reuse made from real articles: the ways news reuses a story, applied to a
text, with the reuse known. ``provcheck eval fit`` fits the verdict model on real
articles reused this way, and ``benchmarks/news_corpus.py`` builds its million-article
corpus with the same mutations.

  * ``syndicated``: the same story under another outlet (wire copy);
  * ``edited``: sentences dropped, words changed, paragraphs moved, new headline;
  * ``paraphrased``: each sentence rewritten (words dropped, swapped and replaced by
    ones the real text uses after the previous word), like PAN13's random obfuscation;
  * ``partial``: an original story that takes in a few paragraphs of another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

KINDS = ("syndicated", "edited", "paraphrased", "partial")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*|[.,;:!?]")


class Successors(Protocol):
    """The words the real text has after each word (a first-order word chain)."""

    @property
    def vocab(self) -> list[str]: ...
    @property
    def ids(self) -> dict[str, int]: ...
    @property
    def first_offsets(self) -> np.ndarray: ...  # int64 [V + 1]: successors of a word
    @property
    def first_next(self) -> np.ndarray: ...  # int32


@dataclass(frozen=True)
class WordChain:
    """``Successors`` of real texts."""

    vocab: list[str]
    ids: dict[str, int]
    first_offsets: np.ndarray
    first_next: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> WordChain:
        vocab: dict[str, int] = {"<s>": 0, "</s>": 1}
        prev: list[int] = []
        nxt: list[int] = []
        for text in texts:
            for sentence in _sentences(text):
                p1 = 0
                for token in [vocab.setdefault(t, len(vocab)) for t in sentence] + [1]:
                    prev.append(p1)
                    nxt.append(token)
                    p1 = token
        b, c = np.array(prev, dtype=np.int64), np.array(nxt, dtype=np.int64)
        order = np.argsort(b, kind="stable")
        return cls(vocab=list(vocab), ids=vocab,
                   first_offsets=np.searchsorted(b[order], np.arange(len(vocab) + 1)),
                   first_next=c[order].astype(np.int32))


def derive(chain: Successors, rng: np.random.Generator, kind: str, source: dict[str, str],
           fresh: list[str]) -> tuple[str, list[str]]:
    """A story reusing ``source`` in the way ``kind`` says; ``fresh`` is new text."""
    body = [p for p in source["text"].split("\n\n")[1:] if not _is_footer(p)]
    if kind == "syndicated":
        return source["title"], body
    if kind == "partial":
        own = _paragraphs(rng, fresh[1:])
        take = int(rng.integers(2, 5))
        start = int(rng.integers(0, max(1, len(body) - take)))
        at = int(rng.integers(1, max(2, len(own))))
        return _title(fresh[0]), own[:at] + body[start:start + take] + own[at:]
    out = []
    for paragraph in body:
        sentences = _split(paragraph)
        if kind == "edited":
            sentences = [_reword(s, rng, chain, 0.04, 0.0, 0.03) for s in sentences
                         if rng.random() > 0.2] or sentences[:1]
        else:
            sentences = [_reword(s, rng, chain, 0.2, 0.15, 0.2) for s in sentences]
            if len(sentences) > 1 and rng.random() < 0.3:
                sentences = sentences[1:] + sentences[:1]
        out.append(" ".join(sentences))
    if kind == "edited" and len(out) > 3:
        i = int(rng.integers(1, len(out) - 1))
        out[i], out[i + 1] = out[i + 1], out[i]
    return _title(fresh[0]), out


def _sentences(text: str) -> Iterator[list[str]]:
    sentence: list[str] = []
    for token in _TOKEN.findall(text):
        sentence.append(token)
        if token in ".!?":
            yield sentence
            sentence = []
    if sentence:
        yield sentence


def _sentence(text: str) -> str:
    text = text.strip(".,;:!? ")
    return text[:1].upper() + text[1:] + "." if text else ""


def _split(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?]) (?=[A-Z0-9])", paragraph) if s]


def _reword(sentence: str, rng: np.random.Generator, chain: Successors, drop: float, swap: float,
            replace: float) -> str:
    """Words dropped, swapped with the next, or replaced by a word the real text has
    after the previous one."""
    index = chain.ids
    words = sentence.rstrip(".!?").split(" ")
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < drop and len(words) > 4:
            continue
        if roll < drop + replace and out:
            prev = index.get(out[-1].strip(",;:").lower(), index.get(out[-1].strip(",;:")))
            if prev is not None:
                lo, hi = chain.first_offsets[prev], chain.first_offsets[prev + 1]
                candidate = chain.vocab[int(chain.first_next[int(rng.integers(lo, hi))])]
                if candidate not in ("</s>", ".", ",", ";", ":", "!", "?"):
                    word = candidate
        out.append(word)
        if len(out) > 1 and rng.random() < swap:
            out[-1], out[-2] = out[-2], out[-1]
    text = " ".join(out) or words[0]
    return text[:1].upper() + text[1:] + sentence[-1:]


def _paragraphs(rng: np.random.Generator, sentences: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(sentences):
        take = int(rng.integers(1, 4))
        out.append(" ".join(sentences[i:i + take]))
        i += take
    return out


def _title(sentence: str) -> str:
    words = sentence.rstrip(".!?").split(" ")
    return " ".join(words[:12]).rstrip(",;:")


def _is_footer(paragraph: str) -> bool:
    return paragraph.startswith("Copyright 2026 The ")



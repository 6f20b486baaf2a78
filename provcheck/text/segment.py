"""Segmentation: a document's text as blocks, sentence units and tokens, chrome marked.

A *block* is a paragraph: lines joined across soft line wraps (a line that continues a
sentence), split at blank lines and hard breaks. A *unit* is a sentence (very short
sentences joined to the next, very long ones cut at a comma), the grain of signatures
and seeds. Tokens carry raw character offsets, their hash and, for content words, the
hash of their stem. Blocks that are page chrome are flagged here by the per-document
rules of ``chrome``; the corpus rule is applied later by ``chrome.corpus_boilerplate``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from provcheck.alignment.vectors import UnitTerms, unit_terms
from provcheck.hashing import sha1_hash32
from provcheck.records import Span, picklable
from provcheck.text import chrome
from provcheck.text.lexicon import Lexicon
from provcheck.text.normalize import NormalizedText, normalize
from provcheck.text.quotespan import find_quote_spans
from provcheck.text.sentences import structure, unit_spans
from provcheck.text.wordscan import code_points, token_bounds

_LINE = re.compile(r"[^\n]*\S[^\n]*")
# Odd 64-bit multipliers of a token's hash by its place in a unit (``unit_keys``).
_POSITION_KEYS = np.random.default_rng(20261204).integers(
    1, 2**63, size=64, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_BLANK_GAP = re.compile(r"\n[ ]*\n")
_BULLET = re.compile(r"^[-*\u2022\u25cf\u25aa>#|]")
# Words a line of prose cannot end on: a line ending in one continues on the next.
_DANGLING = frozenset(
    """a an the of to in on at by for from with into onto than as and or but nor that
    which whose whom who is are was were be been has have had its their our his her my
    your this these those not if so very""".split()
)


@picklable
@dataclass(frozen=True, slots=True, kw_only=True)
class Segmented:
    """Arrays describing one document's text; all offsets are raw character offsets."""

    doc_id: str
    tok_start: np.ndarray  # int64 [n_tokens]
    tok_end: np.ndarray
    tok_hash: np.ndarray  # uint32
    stem_hash: np.ndarray  # uint32, 0 for function words
    content: np.ndarray  # bool
    name: np.ndarray  # bool: capitalised inside a sentence, or an acronym ("NATO")
    tok_quote: np.ndarray  # bool: the token is inside a quotation
    unit_tok: np.ndarray  # int64 [n_units, 2]: token range of each unit
    unit_span: np.ndarray  # int64 [n_units, 2]: raw span, closing punctuation included
    sent_tok: np.ndarray  # int64 [n_sentences, 2]: token range of each sentence
    sent_span: np.ndarray  # int64 [n_sentences, 2]: raw span of each sentence
    unit_block: np.ndarray  # int64 [n_units]
    block_span: np.ndarray  # int64 [n_blocks, 2]: raw span of each block
    block_key: np.ndarray  # uint32 [n_blocks]: hash of the block's folded tokens
    block_words: np.ndarray  # int64 [n_blocks]
    page_chrome: np.ndarray  # bool [n_blocks]: chrome by the rules of one document
    outlet_chrome: np.ndarray  # bool [n_blocks]: boilerplate of its outlet in the corpus
    quotes: tuple[tuple[int, int], ...]
    terms: UnitTerms  # distinct (unit, content stem) entries, for bag-of-words similarity
    credits: tuple[str, ...] = ()  # agencies the text credits its story to (``credits``)

    @property
    def block_chrome(self) -> np.ndarray:
        return self.page_chrome | self.outlet_chrome

    @property
    def unit_chrome(self) -> np.ndarray:
        return self.block_chrome[self.unit_block]

    @property
    def body_words(self) -> int:
        """Number of tokens outside page chrome."""
        return int(self.block_words[~self.block_chrome].sum())

    @property
    def n_units(self) -> int:
        return len(self.unit_tok)

    @property
    def unit_keys(self) -> np.ndarray:
        """uint64 [n_units]: a key of each unit's words in order (equal for units whose
        tokens normalise alike; made when asked, as few callers need it)."""
        starts, ends = self.unit_tok[:, 0], self.unit_tok[:, 1]
        lengths = ends - starts
        total = int(lengths.sum())
        first = np.cumsum(lengths) - lengths
        position = np.arange(total) - np.repeat(first, lengths)
        tokens = np.repeat(starts, lengths) + position
        values = self.tok_hash[tokens].astype(np.uint64) * _POSITION_KEYS[position % 64]
        keys = np.zeros(len(lengths), dtype=np.uint64)
        filled = lengths > 0
        keys[filled] = np.add.reduceat(values, first[filled]) if total else 0
        return keys ^ (lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))

    def token_ranges(self, spans: Sequence[Span]) -> np.ndarray:
        """[n, 2]: the tokens [first, end) starting inside each raw span, in one search."""
        bounds = [(x.start, x.end) for x in spans]
        return np.searchsorted(self.tok_start, bounds).reshape(-1, 2)

    def word_counts(self, spans: Sequence[Span]) -> list[int]:
        """The number of tokens starting inside each raw span."""
        ranges = self.token_ranges(spans)
        return (ranges[:, 1] - ranges[:, 0]).tolist()


def segment(doc_id: str, raw: str, lexicon: Lexicon, *, quote_marks: bool = True) -> Segmented:
    """Split ``raw`` into blocks, units and tokens (see the module docstring). Quoted
    speech is what its quotation marks enclose; without ``quote_marks`` none is marked,
    for a caller that sets it from the quotations it finds (``with_quotes``) or that
    needs none (signatures)."""
    norm = normalize(raw)
    text = norm.text
    points = code_points(text)
    blocks = _blocks(text)
    n_start, n_end, keys = token_bounds(text, points)
    table = lexicon.table(text, n_start, n_end, keys)
    tok_start = norm.offsets[n_start]
    tok_end = norm.offsets[np.maximum(n_end - 1, 0)] + 1 if len(keys) else n_end
    sent_tok, unit_tok, unit_block = structure(points, np.array(blocks, dtype=np.int64),
                                               n_start, n_end)
    block_tok = np.searchsorted(n_start, blocks).reshape(-1, 2).tolist()
    name = _names(table.name_kind, unit_tok)
    block_raw = [norm.to_raw(s, e) for s, e in blocks]
    quotes = find_quote_spans(raw, block_raw) if quote_marks else []
    tok_quote = _inside(tok_start, tok_end, quotes)
    tok_hash, stem_hash, content = table.hash, table.stem_hash, table.content
    block_key = np.array(
        [sha1_hash32(tok_hash[t0:t1].tobytes()) for t0, t1 in block_tok], dtype=np.uint32
    )
    block_words = np.array([t1 - t0 for t0, t1 in block_tok], dtype=np.int64)
    raw_points = code_points(raw) if raw is not text else points
    chrome_flags = chrome.document_chrome(
        [text[s:e] for s, e in blocks], block_words, block_key
    )
    return Segmented(
        doc_id=doc_id,
        tok_start=tok_start,
        tok_end=tok_end,
        tok_hash=tok_hash,
        stem_hash=stem_hash,
        content=content,
        name=name,
        tok_quote=tok_quote,
        unit_tok=unit_tok,
        unit_span=unit_spans(raw_points, unit_tok, tok_start, tok_end),
        sent_tok=sent_tok,
        sent_span=unit_spans(raw_points, sent_tok, tok_start, tok_end),
        unit_block=unit_block,
        block_span=np.array(block_raw, dtype=np.int64).reshape(-1, 2),
        block_key=block_key,
        block_words=block_words,
        page_chrome=chrome_flags,
        outlet_chrome=np.zeros(len(chrome_flags), dtype=bool),
        quotes=tuple(quotes),
        terms=unit_terms(unit_tok, stem_hash, content, name),
    )


def tokens(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The tokens of ``text`` with their start and end offsets, as ``TOKEN.finditer``
    finds them (``wordscan``)."""
    starts, ends, _ = token_bounds(text)
    return [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)], starts, ends


def with_quotes(seg: Segmented, spans: list[tuple[int, int]]) -> Segmented:
    """The segmentation with ``spans`` as its quoted speech."""
    ordered = sorted(spans)
    return replace(seg, quotes=tuple(ordered), tok_quote=_inside(seg.tok_start, seg.tok_end,
                                                                 ordered))


def blocks_of(raw: str) -> list[tuple[int, int]]:
    """Raw spans of the paragraphs of ``raw`` (used by metadata extraction too)."""
    norm: NormalizedText = normalize(raw)
    return [norm.to_raw(s, e) for s, e in _blocks(norm.text)]


def _blocks(text: str) -> list[tuple[int, int]]:
    blocks: list[list[int]] = []
    prev_end = -1
    prev_line = ""
    for match in _LINE.finditer(text):
        line = match.group().strip()
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        end = match.start() + len(match.group().rstrip())
        gap = text[prev_end:match.start()] if prev_end >= 0 else "\n\n"
        if blocks and not _BLANK_GAP.search(gap) and _continues(prev_line, line):
            blocks[-1][1] = end
        else:
            blocks.append([start, end])
        prev_end, prev_line = match.end(), line
    return [(s, e) for s, e in blocks]


def _continues(prev: str, line: str) -> bool:
    """Is ``line`` a soft-wrapped continuation of ``prev`` rather than a new paragraph?"""
    if _BULLET.match(line):
        return False
    if line[0].islower():
        return True
    last = prev.rsplit(None, 1)[-1] if prev.strip() else ""
    return prev.endswith((",", "-", "(")) or last in _DANGLING


def _names(kind: np.ndarray, unit_tok: np.ndarray) -> np.ndarray:
    """Name-like tokens: capitalised inside a sentence, or a short acronym ("NATO").

    ``kind`` is 2 for an acronym, 1 for a capitalised word. A capital at the start of a
    sentence says nothing, and in a line set in Title Case or in capitals every word has
    one, so those lines have no names.
    """
    name = kind > 0
    if not len(unit_tok):
        return name
    starts, ends = unit_tok[:, 0], unit_tok[:, 1]
    capitals = np.add.reduceat(name.astype(np.int64), starts) if len(name) else starts * 0
    title_case = capitals * 2 > (ends - starts)
    name &= ~np.repeat(title_case, ends - starts)
    first = starts[kind[starts] == 1]
    name[first] = False
    return name


def _inside(
    starts: np.ndarray, ends: np.ndarray, spans: list[tuple[int, int]]
) -> np.ndarray:
    flags = np.zeros(len(starts), dtype=bool)
    for s, e in spans:
        lo, hi = np.searchsorted(starts, [s, e])
        flags[lo:hi] |= ends[lo:hi] <= e
    return flags

"""The compiled sentence and unit scanners against the rules they replace, written out
in Python here and in ``sentences`` (``SENTENCE_END``, ``is_abbreviation``): the same
ends, units and spans on random text made of the pieces the rules look at."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provcheck.text.sentences import (
    MAX_UNIT_TOKENS,
    MIN_UNIT_TOKENS,
    SENTENCE_END,
    _space,
    is_abbreviation,
    sentence_ends,
    unit_spans,
    units_of,
)
from provcheck.text.wordscan import code_points, token_bounds

# Pieces the sentence rule reads: marks, closing and opening marks, white space of
# several kinds, capitals in and out of its class, abbreviations and initials.
PIECES = [".", "..", "...", "!", "?", "?!", "'", "''", '"', ")", "]", "(", "[", " ", "  ",
          "\n", "\t", "\x1c", "\x85", "\u2028", "\u3000", "A", "Z", "a", "7", "\u00c0",
          "\u024f", "\u0250", "\u00e9", "Mr", "mr", "MR", "Sept", "e.g", "U.S", "J", "j",
          "approx", "word", "Word", "x.y", "3.5", "Dr", "\u0130", "co", "no"]


def reference_ends(text: str) -> list[int]:
    return [m.end() for m in SENTENCE_END.finditer(text)
            if not is_abbreviation(text, m.start(), m.group())]


def test_white_space_is_what_isspace_says_on_every_code_point() -> None:
    space = _space()
    assert all(bool(space[c]) == chr(c).isspace() for c in range(len(space)))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_sentence_ends_are_the_rules(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert sentence_ends(text).tolist() == reference_ends(text)


def test_sentence_ends_of_prose() -> None:
    text = ("Mr. Smith went to Washington. He said \"Hi.\" Then U.S. troops left... "
            "Really? Yes! 2 more. e.g. this. J. Doe came. (It ended.) The end.")
    ends = sentence_ends(text).tolist()
    assert ends == reference_ends(text)
    assert [text[a:z].strip() for a, z in zip([0, *ends], ends, strict=False)] == [
        "Mr. Smith went to Washington.", 'He said "Hi."', "Then U.S. troops left...",
        "Really?", "Yes!", "2 more. e.g. this.", "J. Doe came.", "(It ended.)"]


def reference_units(text: str, sentences: list[tuple[int, int]],
                    n_end: np.ndarray) -> list[tuple[int, int]]:
    """The rule as segment wrote it in Python before it was compiled."""
    merged: list[tuple[int, int]] = []
    for t0, t1 in sentences:
        if merged and merged[-1][1] - merged[-1][0] < MIN_UNIT_TOKENS:
            merged[-1] = (merged[-1][0], t1)
        else:
            merged.append((t0, t1))
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < MIN_UNIT_TOKENS:
        last = merged.pop()
        merged[-1] = (merged[-1][0], last[1])
    out: list[tuple[int, int]] = []
    for t0, t1 in merged:
        while t1 - t0 > MAX_UNIT_TOKENS:
            cut = t0 + MAX_UNIT_TOKENS
            for t in range(t0 + MAX_UNIT_TOKENS, t0 + MAX_UNIT_TOKENS // 2, -1):
                if text[int(n_end[t - 1]):int(n_end[t - 1]) + 1] in (",", ";", ":"):
                    cut = t
                    break
            out.append((t0, cut))
            t0 = cut
        out.append((t0, t1))
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["w", "w,", "w;", "w:", "w.", "w -"]), min_size=1,
                max_size=300),
       st.lists(st.integers(0, 300), max_size=12))
def test_units_are_the_rules(words: list[str], cuts: list[int]) -> None:
    """Sentences of every length (one to hundreds of words) over words some of which
    end a clause."""
    text = " ".join(words)
    _, n_end, _ = token_bounds(text)
    bounds = sorted({0, len(n_end), *(min(c, len(n_end)) for c in cuts)})
    sentences = [(a, z) for a, z in pairwise(bounds) if z > a]
    found = units_of(np.array(sentences, dtype=np.int64).reshape(-1, 2), code_points(text),
                     n_end)
    assert [tuple(u) for u in found.tolist()] == reference_units(text, sentences, n_end)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["w", ".", "!", "?", "\u2026", " ", "..", "x"]), min_size=1,
                max_size=40))
def test_unit_spans_carry_closing_punctuation(pieces: list[str]) -> None:
    raw = "".join(pieces)
    start, end, _ = token_bounds(raw)
    if not len(start):
        return
    units = np.array([(0, len(start)), (len(start) - 1, len(start))], dtype=np.int64)
    found = unit_spans(code_points(raw), units, start, end).tolist()
    for (t0, t1), (s, e) in zip(units.tolist(), found, strict=True):
        stop = int(end[t1 - 1])
        while stop < len(raw) and raw[stop] in ".!?\u2026":
            stop += 1
        assert (s, e) == (int(start[t0]), stop)

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provcheck.text.lexicon import TOKEN, Lexicon
from provcheck.text.segment import blocks_of, segment, tokens
from provcheck.text.wordscan import form_key, token_bounds


def seg(text: str):  # type: ignore[no-untyped-def]
    return segment("doc", text, Lexicon())


def blocks(text: str) -> list[str]:
    return [text[s:e] for s, e in blocks_of(text)]


def units(text: str) -> list[str]:
    s = seg(text)
    return [text[a:b] for a, b in s.unit_span.tolist()]


def chrome_blocks(text: str) -> list[str]:
    s = seg(text)
    return [text[a:b] for (a, b), c in zip(s.block_span.tolist(), s.block_chrome, strict=True) if c]


def test_soft_wrapped_lines_form_one_paragraph() -> None:
    text = ("Students must identify themselves to the officer as\noutlined in the\n"
            "Documentation Requirements below. If the degree was\nconferred abroad, "
            "you need an evaluation.\n\nA new paragraph starts here.")
    assert len(blocks(text)) == 2


def test_hard_line_breaks_separate_paragraphs() -> None:
    text = "Download Audio\nNATO Secretary General Jens Stoltenberg says the alliance supports talks."
    assert blocks(text) == ["Download Audio",
                            "NATO Secretary General Jens Stoltenberg says the alliance supports talks."]


def test_heading_ending_in_a_stop_word_is_not_joined_to_the_quote_below() -> None:
    text = "On whether he is troubled by prizing independence above all else\n\u201cNATO is an alliance.\u201d"
    assert len(blocks(text)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Austin S. Miller said so on Monday. Then he left for Kabul.",
         ["Gen. Austin S. Miller said so on Monday.", "Then he left for Kabul."]),
        ("Troops came to the U.S. in May. They stayed there for a year.",
         ["Troops came to the U.S. in May.", "They stayed there for a year."]),
        ("\u201cWe will only leave when the time is right. And the focus now is peace.\u201d",
         ["We will only leave when the time is right.", "And the focus now is peace."]),
        ("It works. It really does work well. Yes.",
         ["It works. It really does work well. Yes."]),
    ],
    ids=["initials-and-titles", "dotted-acronym", "inside-quote", "short-sentence-joined"],
)
def test_sentence_units(text: str, expected: list[str]) -> None:
    assert units(text) == expected


def test_long_run_on_sentence_is_cut_at_clause_ends() -> None:
    text = ", ".join(f"item number {n} of the list" for n in range(40)) + "."
    pieces = seg(text).unit_tok
    assert len(pieces) > 1
    assert all(t1 - t0 <= 60 for t0, t1 in pieces.tolist())


def test_short_non_sentence_lines_and_repeats_are_chrome() -> None:
    text = (
        "Download Audio\n"
        "A caption that the page printed twice. (Photo: AP)\n"
        "A caption that the page printed twice. (Photo: AP)\n\n"
        "The minister said on Tuesday that the talks would resume next week in Geneva.\n\n"
        "Trending\n\nExit mobile version"
    )
    assert chrome_blocks(text) == [
        "Download Audio",
        "A caption that the page printed twice. (Photo: AP)",
        "A caption that the page printed twice. (Photo: AP)",
        "Trending",
        "Exit mobile version",
    ]


def test_link_list_after_chrome_is_chrome_but_body_is_not() -> None:
    text = (
        "The minister said on Tuesday that the talks would resume next week in Geneva.\n\n"
        "You might also like\n\n"
        "'Running out': NATO head urges allies to step up military supplies\n\n"
        "NATO reiterates support for Kyiv at council meeting"
    )
    assert chrome_blocks(text) == [
        "You might also like",
        "'Running out': NATO head urges allies to step up military supplies",
        "NATO reiterates support for Kyiv at council meeting",
    ]


def test_seed_chrome_is_recognised_without_any_list_of_strings(seed_texts: dict[str, str]) -> None:
    furniture = ["Download Audio", "Listen Live", "Share this articleComments", "Trending",
                 "Exit mobile version", "Leave a Reply", "You might also like",
                 "Required fields are marked *"]
    for text in seed_texts.values():
        s = seg(text)
        for line in furniture:
            at = text.find(line)
            if at < 0:
                continue
            hit = [b for b, (a, e) in enumerate(s.block_span.tolist()) if a <= at < e]
            assert hit and s.block_chrome[hit[0]], line


def test_body_of_seed_articles_is_not_chrome(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        s = seg(text)
        assert s.body_words > 0.75 * len(s.tok_start)


def test_quote_spans_multi_paragraph_and_unbalanced() -> None:
    text = ("\u201cFirst paragraph of a long quote.\n\n\u201cSecond paragraph ends it,\u201d he said.\n\n"
            "A stray \u201c mark here.\n\nThe next paragraph is narration.")
    s = seg(text)
    quoted = [text[a:b] for a, b in s.quotes]
    assert quoted == ["First paragraph of a long quote.", "Second paragraph ends it,",
                      "mark here."]
    narration = text.index("narration")
    at = int(np.searchsorted(s.tok_start, narration))
    assert not s.tok_quote[at]


def test_straight_quotes_and_names() -> None:
    text = 'The chief said "we will stay" in Brussels.'
    s = seg(text)
    assert [text[a:b] for a, b in s.quotes] == ["we will stay"]
    words = [text[a:b] for a, b in zip(s.tok_start.tolist(), s.tok_end.tolist(), strict=True)]
    names = [w for w, n in zip(words, s.name, strict=True) if n]
    assert names == ["Brussels"]


def test_a_lexicon_that_starts_over_gives_the_same_tables(seed_texts: dict[str, str]) -> None:
    """The memo is speed only: one that keeps 50 forms, cleared again and again, gives
    every document the same segmentation as one that never forgets."""
    forgetful = Lexicon()
    forgetful.MAX_FORMS = 50
    keeping = Lexicon()
    for name, text in sorted(seed_texts.items()) * 2:
        a, b = segment(name, text, forgetful), segment(name, text, keeping)
        for field in ("tok_hash", "stem_hash", "content", "name", "unit_tok"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), (name, field)
    assert keeping.info("NATO") == forgetful.info("NATO")


# Digits of other scripts, a superscript (a letter-or-digit but not \d), a vulgar
# fraction, a combining accent, a lone surrogate, an ideograph and kana, an emoji.
_TRICKY = "ab1 2.,:'_-\n\u00e9\u0663\u00b2\u00bd\u0301\ud800\u4e2d\u3042\U0001f600"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_TRICKY)), max_size=50) | st.text(max_size=50))
def test_tokens_are_what_finditer_finds(text: str) -> None:
    forms, starts, ends = tokens(text)
    found = list(TOKEN.finditer(text))
    assert forms == [m.group() for m in found]
    assert starts.tolist() == [m.start() for m in found]
    assert ends.tolist() == [m.end() for m in found]
    # Each token's key is its form's, as the lexicon looks a lone word up.
    assert token_bounds(text)[2].tolist() == [form_key(f) for f in forms]


def test_a_lexicon_finds_every_form_it_has_seen_as_its_table_grows() -> None:
    """Forms looked up a text at a time, the memo's table growing past its first sizes,
    each get the answer a fresh lexicon gives for that word alone."""
    words = [f"w{n}x{'y' * (n % 7)}" for n in range(6000)] + ["NATO", "Reuters", "the"]
    lexicon = Lexicon()
    for start in range(0, len(words), 700):
        text = " ".join(words[start:start + 1400])  # half of each text seen before
        starts, ends, keys = token_bounds(text)
        table = lexicon.table(text, starts, ends, keys)
        for t, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            expected = Lexicon().info(text[s:e])
            assert (table.hash[t], table.stem_hash[t], table.content[t], table.name_kind[t]) \
                == (expected.hash, expected.stem_hash, expected.content, expected.name_kind)


def test_each_thread_has_its_own_shared_lexicon(seed_texts: dict[str, str]) -> None:
    """A cluster's worker may run batches in several threads at once: each gets a memo of
    its own, and segments as a lexicon of its own would."""
    found: dict[str, tuple[Lexicon, np.ndarray]] = {}

    def run(name: str, text: str) -> None:
        found[name] = (Lexicon.shared(), segment(name, text, Lexicon.shared()).stem_hash)

    threads = [threading.Thread(target=run, args=item) for item in sorted(seed_texts.items())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(lexicon) for lexicon, _ in found.values()}) == len(seed_texts)
    assert Lexicon.shared() is Lexicon.shared()
    for name, (_, stems) in found.items():
        assert np.array_equal(stems, segment(name, seed_texts[name], Lexicon()).stem_hash)


@pytest.mark.parametrize("context", ["{}", "1{}2", "a'{}", "3.{}", "1,5{}", "{}'s", "12:3{}4"])
def test_the_scanner_agrees_with_the_regular_expression_on_every_code_point(context: str,
                                                                            ) -> None:
    """Every code point, in a context that tries each of TOKEN's alternatives on it."""
    text = " ".join(context.format(chr(c)) for c in range(sys.maxunicode + 1))
    starts, ends, _ = token_bounds(text)
    expected = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provcheck.text.lexicon import TOKEN
from provcheck.text.normalize import _ONE_TO_ONE, fold, light, normalize, one_to_one


def tokens(text: str) -> list[str]:
    return [fold(m.group()) for m in TOKEN.finditer(normalize(text).text)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("re-energise the talks", "reenergise the talks"),
        ("I'll not pre-empt it", "I\u2019ll not preempt it"),
        ("\u201cQuoted\u201d speech", '"Quoted" speech'),
        ("ﬁnal ﬂight", "final flight"),
        ("caf\u0065\u0301 society", "caf\u00e9 society"),
        ("soft\u00adhyphen", "softhyphen"),
        ("energ-\nise", "energise"),
        ("NATO Allies", "nato allies"),
    ],
    ids=["hyphen-variant", "preempt-and-apostrophe", "curly-vs-straight", "ligature",
         "combining-accent", "soft-hyphen", "line-break-hyphen", "case"],
)
def test_variants_normalise_alike(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_dates_and_numbers_keep_their_hyphens() -> None:
    assert normalize("2019-09-25 and 10-15").text == "2019-09-25 and 10-15"


def test_cjk_characters_are_tokens() -> None:
    assert tokens("北约秘书长") == ["北", "约", "秘", "书", "长"]


@given(st.lists(st.sampled_from(
    list("abcXYZ -\n\u2019\u201c\u201d\u00a0\u00ad\u2014\u0301\ufb01é北\u2026") + ["re-"]
), max_size=60).map("".join))
def test_every_normalised_character_maps_back_into_the_raw_text(raw: str) -> None:
    norm = normalize(raw)
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == len(raw)
    assert all(0 <= o <= len(raw) for o in norm.offsets)
    assert list(norm.offsets[:-1]) == sorted(norm.offsets[:-1])


@given(st.text(alphabet=st.sampled_from(list("ab \u2019\u201cé-\u00ad\ufb01")), max_size=40))
def test_token_spans_map_to_raw_text_that_normalises_to_the_token(raw: str) -> None:
    norm = normalize(raw)
    for match in TOKEN.finditer(norm.text):
        start, end = norm.to_raw(match.start(), match.end())
        assert normalize(raw[start:end]).text == match.group()


def test_light_ignores_glyphs_and_spacing_not_spelling() -> None:
    assert light("\u201cWe  will\u201d \u2014 go") == light('"We will" - go')
    assert light("re-energise") != light("reenergise")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    [chr(k) for k in _ONE_TO_ONE] + list("ab \n\u00e9\u4e2d\U0001f600\u00ad")), max_size=40)
    | st.text(max_size=40))
def test_fast_one_to_one_equals_the_translation_table(text: str) -> None:
    assert one_to_one(text) == text.translate(_ONE_TO_ONE)

from __future__ import annotations

import pytest

from provcheck.align import align_pair
from provcheck.lexicon import Lexicon
from provcheck.records import Kind, Passage
from provcheck.segment import segment
from provcheck.settings import Settings


def passages(text_a: str, text_b: str, settings: Settings | None = None) -> list[Passage]:
    lexicon = Lexicon()
    regions = align_pair(segment("a", text_a, lexicon), text_a, segment("b", text_b, lexicon),
                         text_b, settings or Settings())
    return [p for r in regions for p in r.passages]


@pytest.fixture(scope="module")
def press_conference(seed_texts: dict[str, str]) -> list[Passage]:
    return passages(seed_texts["001"], seed_texts["002"])


def covering(found: list[Passage], text: str, snippet: str) -> Passage:
    at = text.index(snippet)
    hits = [p for p in found if p.a.start <= at < p.a.end]
    assert hits, f"no passage covers {snippet!r}"
    return hits[0]


def test_press_conference_quotes_are_aligned(press_conference: list[Passage],
                                              seed_texts: dict[str, str]) -> None:
    text = seed_texts["001"]
    assert len(press_conference) >= 12
    for snippet in [
        "So what we can do now is to coordinate, consult",
        "I\u2019ll not preempt the outcome",
        "We will only leave when the time is right. And the focus",
        "and re-energise, relaunch a new strength",
        "There are roughly 10,000 NATO troops in Afghanistan now",
        "We are calling on Taliban to reduce violence",
        "the main focus now should be on re-energising the peace talks",
    ]:
        assert covering(press_conference, text, snippet).in_quote


def test_spelling_variants_are_near_verbatim(press_conference: list[Passage],
                                             seed_texts: dict[str, str]) -> None:
    passage = covering(press_conference, seed_texts["001"], "I\u2019ll not preempt the outcome")
    assert passage.kind is Kind.NEAR_VERBATIM
    assert "pre-empt" in passage.b.of(seed_texts["002"])
    assert passage.similarity > 0.95


@pytest.mark.parametrize(
    ("snippet", "reported"),
    [
        ("Taliban has to meet their commitments", "He said that the Taliban has to meet"),
        ("NATO Allies welcome that message", "He also mentioned that the NATO Allies"),
        ("the main issue is that Taliban has to reduce violence",
         "Stoltenberg says the main issue is that Taliban must"),
    ],
    ids=["commitments", "allies-welcome", "main-issue-lede"],
)
def test_quotes_turned_into_reported_speech_are_paraphrase(
    press_conference: list[Passage], seed_texts: dict[str, str], snippet: str, reported: str
) -> None:
    passage = covering(press_conference, seed_texts["001"], snippet)
    assert passage.kind is Kind.PARAPHRASE
    assert passage.a_in_quote and not passage.b_in_quote
    at = seed_texts["002"].index(reported)
    assert at <= passage.b.start < at + len(reported) + 40


def test_independent_narration_is_not_aligned(press_conference: list[Passage],
                                              seed_texts: dict[str, str]) -> None:
    lede = seed_texts["001"].index("NATO Secretary General Jens Stoltenberg said on Wednesday")
    assert not any(p.a.start <= lede < p.a.end for p in press_conference)


@pytest.mark.parametrize("other", ["000", "001", "002", "003"])
def test_the_russia_interview_shares_nothing(seed_texts: dict[str, str], other: str) -> None:
    assert passages(seed_texts["004"], seed_texts[other]) == []


def test_recurring_talking_points_are_found(seed_texts: dict[str, str]) -> None:
    found = passages(seed_texts["000"], seed_texts["003"])
    texts = [p.a.of(seed_texts["000"]) for p in found]
    assert any("will not win on the battlefield" in t for t in texts)
    assert any("sit down" in t and "negotiating table" in t for t in texts)


def test_short_generic_sentence_does_not_match_a_long_unrelated_one() -> None:
    a = "Officials met again on Monday.\n\nAnd we, of course, stand by that."
    b = ("We have deployed Patriot missiles to protect our ally from any spillover of the "
         "violence, and we, of course, stand ready to assist with training its forces.")
    assert passages(a, b) == []


def test_verbatim_copy_is_one_verbatim_passage_per_paragraph() -> None:
    paragraphs = [
        "The minister said on Tuesday that the talks would resume next week in Geneva.",
        "Both delegations agreed to meet again before the end of the month, officials said.",
    ]
    text = "\n\n".join(paragraphs)
    found = passages(text, "Some other intro line that differs entirely from anything.\n\n" + text)
    assert [p.kind for p in found] == [Kind.VERBATIM, Kind.VERBATIM]
    assert [p.a.of(text) for p in found] == paragraphs


def test_alignment_is_symmetric(seed_texts: dict[str, str]) -> None:
    ab = passages(seed_texts["001"], seed_texts["002"])
    ba = passages(seed_texts["002"], seed_texts["001"])
    assert sorted((p.a, p.b, p.kind) for p in ab) == sorted((p.b, p.a, p.kind) for p in ba)


def test_a_higher_seed_threshold_never_adds_passages(seed_texts: dict[str, str]) -> None:
    loose = passages(seed_texts["001"], seed_texts["002"], Settings(seed_cosine=0.3))
    strict = passages(seed_texts["001"], seed_texts["002"], Settings(seed_cosine=0.6))
    assert {p.a for p in strict} <= {p.a for p in loose}


AGENCY_COPY = (
    "Southampton manager Dave Jones appeared in court today accused of abusing children "
    "in his care at a Merseyside home in the 1980s.\n\n"
    "The former Everton defender faces four charges of indecent assault and six of "
    "cruelty to youngsters, magistrates in Liverpool heard.\n\n"
    "Jones, who lives with his wife and children near Southampton, denies all the "
    "charges. He was granted bail until the committal hearing next month.\n\n"
    "The club's chairman said the manager had the board's full support and would "
    "carry on with his duties while the case continued.\n\n"
    "The allegations date from the years when Jones worked as a care worker after a "
    "knee injury ended his playing career.")
# A newspaper's brief written from it: one sentence of the source, reworded.
BRIEF = ("Soccer boss in court\n\n"
         "SOCCER boss Dave Jones appeared in court yesterday, accused of abusing the "
         "children he cared for at a Merseyside home.")


def test_a_short_story_drawn_from_a_longer_one_is_found() -> None:
    """A region shorter than ``min_region_chars`` (and no six words in a row shared) is
    reported when it holds most of the shorter text: a brief is a sentence or two of
    its source."""
    found = passages(BRIEF, AGENCY_COPY)
    assert found and sum(len(p.a) for p in found) < Settings().min_region_chars
    assert not passages(BRIEF, AGENCY_COPY, Settings(min_region_share=10.0))

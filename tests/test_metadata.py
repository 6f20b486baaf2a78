from __future__ import annotations

import warnings

import pytest

from provcheck.metadata import parse_date, read_metadata

# What ../shared/seeds/ANSWERS.md says a correct report shows.
SEED_METADATA = {
    "000": ("NATO Secretary General: We Will Support Resumption Of Peace Talks With The Taliban",
            "2019-09-25", "Here & Now / WBUR"),
    "001": ("We will only leave when the time is right: Stoltenberg", "2021-02-18", None),
    "002": ("Stoltenberg: the promise to leave Afghanistan conditions-based",
            "2021-02-18T10:46", None),
    "003": ("NATO SG: our support to Afghanistan has brought Taliban to negotiation table",
            None, "PMG"),
    "004": ("Exclusive to NATO chief seeks better relations with Russia", None, "Euronews"),
}


@pytest.mark.parametrize("seed", sorted(SEED_METADATA))
def test_seed_metadata_matches_the_answers(seed: str, seed_texts: dict[str, str]) -> None:
    found = read_metadata(seed_texts[seed])
    assert (found.title, found.published, found.outlet) == SEED_METADATA[seed]


def test_evidence_names_the_line_each_field_came_from(seed_texts: dict[str, str]) -> None:
    found = read_metadata(seed_texts["001"])
    assert "Last Updated On: February 18, 2021" in found.evidence["published"]


@pytest.mark.parametrize(
    "text",
    [
        "Big news\n\nThe alliance pledged support until 2024 at the summit in July 2018.",
        "Big news\n\nHe took up his post as secretary-general on October the 1st.",
        "Big news\n\nA caption: Tuesday, Sept. 24, 2019. (Jason DeCrow/AP)",
    ],
    ids=["year-inside-a-sentence", "day-without-year", "caption-date-without-cue"],
)
def test_a_date_without_a_publication_cue_is_not_a_publication_date(text: str) -> None:
    assert read_metadata(text).published is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title here now\n\nPublished: March 3, 2020\n\nBody text.", "2020-03-03"),
        ("Title here now\n\nPosted on 2020-03-03 14:05\n\nBody.", "2020-03-03T14:05"),
        ("Title here now\n\nLONDON, 4 March 2020 - The minister said.", "2020-03-04"),
        ("Title here now\n\nThis story aired on Jan. 5, 2018.", "2018-01-05"),
    ],
    ids=["published", "posted-with-time", "dateline", "aired"],
)
def test_cued_dates(text: str, expected: str) -> None:
    assert read_metadata(text).published == expected


def test_outlet_from_wire_dateline_and_byline() -> None:
    assert read_metadata("Headline of the story\nWASHINGTON (Reuters) - Text.").outlet == "Reuters"
    assert read_metadata("Headline of the story\n\nBy Jane Smith\n\nText.").outlet is None


def test_unknown_stays_null() -> None:
    found = read_metadata("just some words without any heading or date or outlet at all here.")
    assert (found.title, found.published, found.outlet) == (None, None, None)


def test_parse_date_rejects_non_dates_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_date("not a date") is None
        assert parse_date("2021-02-18 10:46 ET") == "2021-02-18T10:46"

"""Credits: the agency a story is credited to (anywhere in the body, photo credits
excepted), and the outlets a text attributes material to."""

from __future__ import annotations

import pytest

from provcheck.credits import CreditFinder, agency_of, domain_label

FINDER = CreditFinder.of(["Herald", "Times Herald", "Daily Planet", "nytimes.com"])


@pytest.mark.parametrize(("text", "agencies"), [
    ("Home | News | Sport\n\nHELSINKI (AP) \u2014 Leaders met.", {"AP"}),
    ("NEW YORK, May 30 (Reuters) - The filing said.", {"Reuters"}),
    ("Menu\n(CNN) - Spotify reversed its policy.", {"CNN"}),
    ("Spotify reverses policy\n\nBy AMIR VERA, CNN\n\nThe company said.", {"CNN"}),
    ("Title\n\nPaul J. Weber and Geoff Mulvihill, Associated Press\n\nAUSTIN - Files.", {"AP"}),
    ("Story text.\n\nBy The Associated Press", {"AP"}),
    ("Story text.\n\n(Reporting by Brendan Pierson in New York; Editing by Jan Smith)",
     {"Reuters"}),
    ("Story text.\n\nCopyright 2018 by CNN NewSource. All rights reserved.", {"CNN"}),
    ("Story text. Associated Press writer Jo Lee contributed to this report.", {"AP"}),
    ("Leaders met. (AP Photo/Eric Risberg) More text.", set()),
    ("A rally. (J. Scott Applewhite/Associated Press/File 2019) More.", set()),
    ("R. Kelly performs. (Frank Micelotta/Invision/AP) More.", set()),
    ("The talks went on, according to Reuters, until late.", set()),
    ("CAPITAL (APX) gains; (ap) said.", set()),
], ids=["dateline after navigation", "dateline with date", "CNN dateline", "byline",
        "byline with writers", "closing byline", "Reuters signature", "copyright",
        "contributed", "photo credit", "photo credit with agency name",
        "photo credit ending with agency", "attribution is no story credit",
        "inside words and wrong case"])
def test_story_credits(text: str, agencies: set[str]) -> None:
    assert FINDER.story_credits(text) == agencies


@pytest.mark.parametrize(("text", "named"), [
    ("WASHINGTON - The Senate voted, Reuters reported, (AP) said.", {"Reuters", "AP"}),
    ("according to the Times Herald, and (Herald)", {"Times Herald", "Herald"}),
    ("the Heraldry said; a poll conducted by The Daily Planet found", {"Daily Planet"}),
    ("The study was first reported by nytimes.com on Monday.", {"nytimes.com"}),
], ids=["reported and parentheses", "longest name first", "inside words, conducted by",
        "a domain as an outlet"])
def test_attributions(text: str, named: set[str]) -> None:
    assert FINDER.attributions(text) == named


def test_outlet_names_and_agencies() -> None:
    assert domain_label("edition.cnn.com") == "CNN"
    assert domain_label("dailymail.co.uk") == "dailymail"
    assert domain_label("The Daily Planet") == "The Daily Planet"
    assert agency_of("bloomberg.com") == "Bloomberg"
    assert agency_of("Press Association") == "PA"
    assert agency_of("nytimes.com") is None

"""Boilerplate across a corpus: blocks documents share without sharing the text around
them are set aside; a story's own paragraphs, however many outlets print them, are not."""

from __future__ import annotations

import hashlib

from provcheck.engine import LocalEngine
from provcheck.pipeline import Corpus, Run, segment_corpus
from provcheck.records import DocFormat, Document
from provcheck.settings import Settings

NOTE = ("Editor's note: this outlet reminds readers that the candidate has repeatedly made "
        "claims fact-checkers rated false, and that our coverage of the campaign follows the "
        "standards set out in our published editorial guidelines for every election.")
ABOUT = ("About Acme Robotics: Acme Robotics designs and builds warehouse automation for "
         "retailers in twelve countries. For more information, visit the company website.")
TOPICS = ["the harbour bridge repairs", "a school budget vote", "the new tram line",
          "a drought on the farms", "the museum reopening", "a hospital strike"]


def story(topic: str, n: int = 4) -> list[str]:
    """Paragraphs of a made-up story about ``topic``, its words its own."""
    words = topic.split()
    return [f"Paragraph {k} of the report on {topic} says officials met on day {k} to "
            f"discuss {words[-1]} plans, costs and the schedule of work number {k} "
            f"for {' '.join(words[1:])}." for k in range(1, n + 1)]


def corpus(texts: list[tuple[str, str | None]]) -> Corpus:
    documents = [Document(id=f"d{n}", path=f"d{n}.txt", text=text,
                          sha256=hashlib.sha256(text.encode()).hexdigest(), format=DocFormat.TEXT,
                          encoding="utf-8", outlet=outlet)
                 for n, (text, outlet) in enumerate(texts)]
    return segment_corpus(documents, Run(Settings(), LocalEngine()))


def flagged(c: Corpus, doc: int) -> list[str]:
    seg, text = c.segmented[doc], c.documents[doc].text
    return [text[a:b] for (a, b), f in zip(seg.block_span.tolist(), seg.outlet_chrome,
                                           strict=True) if f]


def test_an_editors_note_closing_unrelated_articles_is_boilerplate() -> None:
    c = corpus([("\n\n".join([*story(t), NOTE]), None) for t in TOPICS[:3]])
    assert all(flagged(c, n) == [NOTE] for n in range(3))
    (found,) = c.boilerplate
    assert found.rule == "edge" and len(found.places) == 3


def test_about_the_company_in_two_press_releases_is_boilerplate() -> None:
    c = corpus([("\n\n".join([*story(t), ABOUT]), "Acme Robotics") for t in TOPICS[:2]])
    assert flagged(c, 0) == [ABOUT] and flagged(c, 1) == [ABOUT]


def test_a_block_in_many_unrelated_documents_is_boilerplate_anywhere() -> None:
    texts = []
    for t in TOPICS[:4]:
        paragraphs = story(t, 6)
        texts.append(("\n\n".join(paragraphs[:2] + [NOTE] + paragraphs[2:]), None))
    c = corpus(texts)
    assert all(flagged(c, n) == [NOTE] for n in range(4))
    assert c.boilerplate[0].rule == "widespread"


def test_a_wire_story_printed_by_several_outlets_is_not_boilerplate() -> None:
    paragraphs = story(TOPICS[0], 6)
    texts = [("\n\n".join([f"Headline of outlet {n}", *paragraphs]), f"Outlet {n}")
             for n in range(5)]
    # One outlet edits a paragraph: the rest of the story still joins its printings.
    texts[1] = (texts[1][0].replace("officials met on day 3", "the officials met on day 3"),
                "Outlet 1")
    c = corpus(texts)
    assert not any(flagged(c, n) for n in range(5)) and not c.boilerplate


def test_an_article_captured_three_times_keeps_its_short_paragraphs() -> None:
    """Short paragraphs of one outlet's article, printed in three captures of it, are the
    article, not the outlet's furniture (which three articles of it would share)."""
    paragraphs = ["The three lower courts were right.", *story(TOPICS[1])]
    c = corpus([("\n\n".join(paragraphs), "Daily Planet")] * 3)
    assert not any(flagged(c, n) for n in range(3))


def test_a_short_block_of_three_articles_of_one_outlet_is_its_furniture() -> None:
    """Wherever it sits in them: here above each story's last paragraphs."""
    plug = "Subscribe to our newsletter for daily updates from the newsroom."
    c = corpus([("\n\n".join([*story(t, 6)[:2], plug, *story(t, 6)[2:]]), "Daily Planet")
                for t in TOPICS[:3]])
    assert all(flagged(c, n) == [plug] for n in range(3))
    assert c.boilerplate[0].rule == "outlet"


def test_a_shared_quotation_is_no_boilerplate() -> None:
    quote = ('"We will not stop until every family on this street has clean water again '
             'and the council has paid for every repair," the residents said.')
    c = corpus([("\n\n".join([*story(t), quote]), None) for t in TOPICS[:4]])
    assert not any(flagged(c, n) for n in range(4))


def test_a_lede_repeated_in_a_related_story_box_is_not_boilerplate() -> None:
    """A page's related-story box repeats another story's lede: the lede stays that
    story's own, as it opens the story, not closes it."""
    lede = story(TOPICS[2])[0]
    c = corpus([("\n\n".join(story(TOPICS[2])), "Outlet A"),
                ("\n\n".join([lede, *story(TOPICS[3])]), "Outlet B")])
    assert not flagged(c, 0) and not flagged(c, 1)

"""Region edges: where the shared text starts and ends, to the character."""

from __future__ import annotations

import re

import pytest

from provcheck.alignment.align import align_pair
from provcheck.alignment.edges import _walk
from provcheck.records import Region
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment


def regions(text_a: str, text_b: str) -> tuple[Region, ...]:
    lexicon = Lexicon()
    return align_pair(segment("a", text_a, lexicon), text_a, segment("b", text_b, lexicon),
                      text_b, Settings())


def rewrapped(text: str, width: int) -> str:
    """``text`` with its lines broken at ``width`` characters, as a page saves it."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def copy_of(source: str, first: str, last: str) -> tuple[int, int]:
    """The span of ``source`` from the word ``first`` to the end of the word ``last``
    after it: a copy begun and ended mid-sentence."""
    start = source.index(first)
    end = source.index(last, start) + len(last)
    return start, end


@pytest.mark.parametrize("width", [60, 10_000], ids=["rewrapped", "one-line"])
def test_a_copy_begun_and_ended_mid_sentence_is_found_to_the_character(
        seed_texts: dict[str, str], width: int) -> None:
    """A copy that starts and ends mid-sentence, its lines broken elsewhere than in its
    source, inside a text on another subject: the region is the copy on both sides."""
    source = seed_texts["003"]
    start, end = copy_of(source, "Taliban has accelerated", "NATO pressures")
    copied = rewrapped(source[start:end], width)
    host = seed_texts["004"]
    cut = host.index("\n\n", len(host) // 2)
    doc = host[:cut] + "\n\nAs reported, " + copied + " according to the statement.\n" + \
        host[cut:]
    at = doc.index(copied)
    found = regions(doc, source)
    assert [(r.a.start, r.a.end, r.b.start, r.b.end) for r in found] == \
        [(at, at + len(copied), start, end)]


def test_the_edge_runs_on_over_an_edited_word_but_not_into_other_text() -> None:
    """Words outwards from an edge, both texts read from it: the edge runs on over a
    replaced word when shared words follow, stops where the texts part, and does not
    jump to a stock phrase a few words on."""
    def walk(a: str, b: str) -> tuple[int, int]:
        return _walk([hash(w) for w in a.split()], [hash(w) for w in b.split()])

    assert walk("the council voted on tuesday to close the school",
                "the council decided on tuesday to close the school") == (9, 9)
    assert walk("quietly left the building after midnight", "and then it rained for days") \
        == (0, 0)
    # "to make sure that we" four words away, after words that differ: chance.
    assert walk("deal credible a have we that sure make to compromises",
                "made have we gains the maintain we that sure make to have") == (0, 0)


def test_an_edge_stops_at_the_outlets_boilerplate(seed_texts: dict[str, str]) -> None:
    """Text both print after a copy that is the outlet's furniture is not run over."""
    source = seed_texts["003"]
    start, end = copy_of(source, "Taliban has accelerated", "NATO pressures")
    note = ("Editor's note: this article is updated as the story develops and readers "
            "may send corrections to the newsroom at any time of the day.")
    doc = "Other news first.\n\n" + source[start:end] + "\n\n" + note
    src = source[:end] + "\n\n" + note
    lexicon = Lexicon()
    seg_a, seg_b = segment("a", doc, lexicon), segment("b", src, lexicon)
    last_a, last_b = len(seg_a.block_span) - 1, len(seg_b.block_span) - 1
    seg_a.outlet_chrome[last_a] = seg_b.outlet_chrome[last_b] = True
    found = align_pair(seg_a, doc, seg_b, src, Settings())
    assert found and max(r.a.end for r in found) <= doc.index(note)
    assert not re.search(r"Editor", "".join(doc[r.a.start:r.a.end] for r in found))

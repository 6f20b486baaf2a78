"""Cases: one region per reuse case, however the aligner found its stretches."""

from __future__ import annotations

from pathlib import Path

import pytest

from provcheck.alignment.align import align_pair
from provcheck.alignment.passages import Side
from provcheck.alignment.seeds import with_fusions
from provcheck.records import Region
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment


def regions(text_a: str, text_b: str) -> tuple[Region, ...]:
    lexicon = Lexicon()
    return align_pair(segment("a", text_a, lexicon), text_a, segment("b", text_b, lexicon),
                      text_b, Settings())


def sentences(text: str) -> list[str]:
    """The sentences of ``text``'s body paragraphs of 12 words or more."""
    seg = segment("t", text, Lexicon())
    spans = seg.unit_span[Side.of(seg, text).units].tolist()
    return [text[s:e] for s, e in spans if len(text[s:e].split()) >= 12]


@pytest.fixture(scope="module")
def source(pan13_root: Path) -> tuple[str, list[str]]:
    """One paragraph of 24 sentences from a real article (PAN13's sources are news and
    web pages on other subjects than the seeds'), and its sentences."""
    for path in sorted((pan13_root / "src").glob("*.txt")):
        if path.stat().st_size < 8000:
            continue
        found = sentences(path.read_text(encoding="utf-8"))
        if len(found) >= 40:
            return " ".join(found[:24]), found[:24]
    raise AssertionError("no long article")


def test_a_paragraph_lifting_sentences_from_far_apart_is_one_case(
        seed_texts: dict[str, str], source: tuple[str, list[str]]) -> None:
    """A digest paragraph made of three sentences taken from the start, middle and end
    of one paragraph of its source, set in a text on another subject: one case, over
    the digest and the source paragraph, not three copies."""
    paragraph, lifted = source
    digest = " ".join([lifted[0], lifted[11], lifted[23]])
    host = seed_texts["004"]
    cut = host.index("\n\n", len(host) // 2)
    doc = host[:cut] + "\n\n" + digest + "\n\n" + host[cut:]
    found = regions(doc, paragraph)
    assert len(found) == 1, [(r.a.start, r.a.end, r.b.start, r.b.end) for r in found]
    at = doc.index(digest)
    assert found[0].a.start == at and found[0].a.end >= at + len(digest) - 1
    assert found[0].b.start == paragraph.index(lifted[0])


def test_copies_of_one_paragraph_set_apart_are_two_cases(
        seed_texts: dict[str, str], source: tuple[str, list[str]]) -> None:
    """Two stretches of one source paragraph copied into two paragraphs of another
    text, far apart: two cases, each over its own copy."""
    paragraph, lifted = source
    first, second = " ".join(lifted[2:5]), " ".join(lifted[16:19])
    host = seed_texts["004"]
    doc = first + "\n\n" + host + "\n\n" + second
    found = sorted(regions(doc, paragraph), key=lambda r: r.a.start)
    assert [(r.a.start, r.a.end) for r in found] == \
        [(0, len(first)), (len(doc) - len(second), len(doc))]


def test_a_sentence_fusing_two_seeds_with_both() -> None:
    """A summary's sentence drawing on two consecutive sentences of its source pairs
    with each of them, when alone it seeds with neither."""
    source = ("The regional council approved a new budget for public schools on Tuesday. "
              "Teachers had protested outside the building for three weeks demanding pay. "
              "Snow closed two mountain roads in the north overnight.")
    summary = ("After weeks of protests by teachers demanding pay, the council approved "
               "the schools budget.")
    lexicon = Lexicon()
    a = Side.of(segment("a", summary, lexicon), summary)
    b = Side.of(segment("b", source, lexicon), source)
    fused = with_fusions([], a, b, Settings(), [((0, 0), (0, 2))])
    assert fused == [(0, 0), (0, 1)]

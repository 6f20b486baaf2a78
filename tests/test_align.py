from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from provcheck.alignment.align import align_pair
from provcheck.alignment.edges import _shared_run
from provcheck.alignment.passages import Side
from provcheck.records import Kind, Passage, Region
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment


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


@pytest.mark.parametrize(("x", "y"), list(itertools.combinations(["000", "001", "002", "003",
                                                                   "004"], 2)))
def test_alignment_is_symmetric(seed_texts: dict[str, str], x: str, y: str) -> None:
    """The same regions and passages whichever text is a: ties between equally good
    readings are broken alike both ways."""
    lexicon = Lexicon()
    ab = align_pair(segment("a", seed_texts[x], lexicon), seed_texts[x],
                    segment("b", seed_texts[y], lexicon), seed_texts[y], Settings())
    ba = align_pair(segment("b", seed_texts[y], lexicon), seed_texts[y],
                    segment("a", seed_texts[x], lexicon), seed_texts[x], Settings())
    assert sorted((r.a, r.b) for r in ab) == sorted((r.b, r.a) for r in ba)
    assert sorted((p.a, p.b, p.kind) for r in ab for p in r.passages) == \
        sorted((p.b, p.a, p.kind) for r in ba for p in r.passages)


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


# --- two copies of one source in one document (PAN13's multi-case pairs) ----------------

# Copies nearer each other than the aligner's gap (``Settings.max_gap`` sentences) in
# both texts read as one copy with an edit between: beyond this many characters, text
# is always more sentences than that.
BEYOND_GAP = 2500
# A region may overshoot a copy by its edge's punctuation and spacing, and must hold
# this share of it.
EDGE = 3
HELD = 0.9
COPIED = 3  # sentences of WORDS words or more in each copy, at least
WORDS = 8
PROSE_WORDS = 15  # the median sentence of prose, in words, at least
_SENTENCE_END = ".!?\"'\u201d\u2019)"  # how a sentence ends (a heading does not)


def _sentences(text: str, start: int, size: int, least: int = 0) -> tuple[int, int]:
    """Whole sentences of ``text`` as the aligner cuts and reads them, from and to one of
    ``WORDS`` words or more that ends as a sentence does (a heading, a dateline, or a
    page's "download here", is not what a copy is made of): about ``size`` characters
    from the first such sentence at or after ``start``, with ``least`` such sentences,
    and none it passes over as page chrome. An example whose text has none is rejected."""
    seg = segment("t", text, Lexicon())
    spans = seg.unit_span.tolist()
    aligned = set(Side.of(seg, text).units.tolist())  # neither chrome nor void of content
    full = [k in aligned and len(text[s:e].split()) >= WORDS and text[s:e].rstrip()[-1:] in
            _SENTENCE_END for k, (s, e) in enumerate(spans)]
    k = next((k for k, (s, _) in enumerate(spans) if s >= start and full[k]), None)
    assume(k is not None)
    assert k is not None
    for end in range(k, len(spans)):
        if end not in aligned:  # a list or a caption the aligner passes over: start after it
            return _sentences(text, spans[end][1], size, least)
        if full[end] and sum(full[k:end + 1]) >= least and spans[end][1] >= spans[k][0] + size:
            return spans[k][0], spans[end][1]
    return spans[k][0], len(text)


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[k:k + size]) for k in range(len(words) - size + 1)}


def _text_of(text: str, length: int) -> str:
    """``text`` up to the end of the line or sentence ``length`` characters in: whatever
    it holds, prose, lists or page chrome."""
    ends = [e for e in (text.find("\n", length), text.find(". ", length)) if e >= 0]
    return text[:min(ends, default=len(text)) + 1].strip()


class _Articles(list[str]):
    def __repr__(self) -> str:  # what a failing example prints: not the texts
        return f"<{len(self)} PAN13 source articles>"


@pytest.fixture(scope="module")
def articles(pan13_root: Path) -> list[str]:
    """Real articles long enough to copy two passages from, clean of PAN13's own reuse
    (source documents) and of each other (different topics); prose, as news is, not a
    directory of one-line entries that repeat each other's wording."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((pan13_root / "src").glob("*.txt"))]
    return _Articles([t for t in texts if len(t) > 9000 and _prose(t)][:60])


def _prose(text: str) -> bool:
    lexicon = Lexicon()
    seg = segment("t", text, lexicon)
    spans = seg.unit_span[Side.of(seg, text).units].tolist()
    words = sorted(len(text[s:e].split()) for s, e in spans)
    return bool(words) and words[len(words) // 2] >= PROSE_WORDS


def _exactly_over(region: Region, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether ``region`` holds most of the copy at ``a`` (document) and ``b`` (source)
    and nothing beyond it."""
    return all(got.start >= want[0] - EDGE and got.end <= want[1] + EDGE and
               min(got.end, want[1]) - max(got.start, want[0]) >= HELD * (want[1] - want[0])
               for got, want in ((region.a, a), (region.b, b)))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), layout=st.sampled_from(["in order", "crossed", "adjacent"]))
def test_two_copies_give_two_exact_regions(articles: list[str], data: st.DataObject,
                                            layout: str) -> None:
    """A document holding two copies of passages of one source, with unrelated text of
    any length between them: one region over each copy on both sides, none over the
    text between them. Each copy is three sentences or more, two of which the aligner
    pairs at least: one sentence lifted word for word is what a summary does too
    (``align._joins_copies``). Copies next to each other in the source
    with a sentence or two between them in the document read as one copy with
    sentences added."""
    picked = data.draw(st.permutations(range(len(articles))).map(lambda k: k[:3]))
    source, host, other = (articles[k] for k in picked)
    size = data.draw(st.integers(300, 900))
    first = _sentences(source, data.draw(st.integers(0, 1500)), size, COPIED)
    if layout == "adjacent":
        second = _sentences(source, first[1], size, COPIED)
        length = data.draw(st.integers(BEYOND_GAP, 6000))
    else:
        second = _sentences(source, first[1] + data.draw(st.integers(BEYOND_GAP, 4000)), size,
                            COPIED)
        length = data.draw(st.integers(1, 6000))
    if layout == "crossed":
        first, second = second, first
    # Each copy its own paragraphs, as a story quotes a report's paragraphs.
    gap = "\n\n" + _text_of(other, length) + "\n\n"
    cut = _sentences(host, 1000, 0)[0]
    copies = [source[slice(*first)], source[slice(*second)]]
    # Two copies of one source, with text that is not in it between them: a source
    # printing a paragraph twice, or an article on its topic quoting it, is another case.
    assume(all(source.count(line) == 1 for copy in copies for line in copy.splitlines()
               if line.strip()))
    assume(not _shingles(gap) & _shingles(source))
    doc = host[:cut] + "\n\n" + copies[0] + gap + copies[1] + "\n\n" + host[cut:cut + 2000]
    at = [(cut + 2, cut + 2 + len(copies[0]))]
    at.append((at[0][1] + len(gap), at[0][1] + len(gap) + len(copies[1])))
    lexicon = Lexicon()
    regions = align_pair(segment("d", doc, lexicon), doc, segment("s", source, lexicon), source,
                         Settings())
    found = [(r.a.start, r.a.end, r.b.start, r.b.end) for r in regions]
    for a, b in zip(at, (first, second), strict=True):
        assert any(_exactly_over(r, a, b) for r in regions), (layout, length, a, b, found)
    assert not any(r.a.start < at[1][0] - EDGE and r.a.end > at[0][1] + EDGE
                   for r in regions), found


@pytest.mark.parametrize(("a", "b", "at", "step", "want"), [
    ("so that cat", "a hat cat", (8, 6), -1, 0),  # "hat ": inside "that" on one side
    ("I am the cat", "We, the cat", (9, 8), -1, 4),  # "the ": a whole word
    ('it said." At', 'it said!" At', (10, 10), -1, 0),  # '" ' closes the sentence before
    ('"We go," he said', '"We go," she said', (1, 1), 1, 7),  # to the closing quote
    ("a new deal", "a newer deal", (0, 0), 1, 1),  # "a new": "new" is cut in two
])
def test_a_region_edge_runs_on_over_whole_shared_words(a: str, b: str, at: tuple[int, int],
                                                       step: int, want: int) -> None:
    most = min(at) if step < 0 else min(len(a) - at[0], len(b) - at[1])
    assert _shared_run(a, b, at[0], at[1], most, step) == want

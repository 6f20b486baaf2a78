from __future__ import annotations

import json
from pathlib import Path

import pytest

from provcheck.engine import LocalEngine
from provcheck.pipeline import Run, compare, read_inputs, segment_corpus
from provcheck.quotes import attribute, quotations_of, quote_map
from provcheck.quotes.cluster import _earliest
from provcheck.quotes.speakers import canonical_names, person_name
from provcheck.records import QuoteKind, QuoteOccurrence, Report
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def quotes(text: str) -> list[tuple[str, str, str | None]]:
    """(kind, content, speaker) of each quotation of a text, speakers resolved."""
    _, found, speakers = quotations_of(text, segment("doc", text, Lexicon()))
    return [(q.kind, " | ".join(text[p.start:p.end] for p in q.parts),
             s.name or s.description) for q, s in zip(found, speakers, strict=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cWe will stay as long as needed,\u201d Miller told Reuters on Monday.",
         [("direct", "We will stay as long as needed,", "Miller")]),
        ('Gen. Austin S. Miller, the commander of the forces, said that "the violence is '
         'far too high," Reuters reported.',
         [("direct", "the violence is far too high,", "Austin S. Miller")]),
        ("\u201cThe first part of it,\u201d he said, \u201cand the second part.\u201d",
         [("direct", "The first part of it, | and the second part.", None)]),
        ("The minister spoke.\n\n\u201cA first paragraph of the quote.\n\n\u201cAnd the last "
         "one,\u201d the minister said.",
         [("direct", "A first paragraph of the quote. | And the last one,", "the minister")]),
        ("She said \u201cthe \u2018new deal\u2019 will not last the winter\u201d in a speech.",
         [("direct", "the \u2018new deal\u2019 will not last the winter", None)]),
        ("The film \u201cThe Long Night of the City\u201d opens on Friday in Berlin.", []),
        ("A stray \u201c mark in this paragraph.\n\nThe talks resumed on Monday in Geneva.", []),
    ],
    ids=["inverted-attribution", "speaker-before-not-credit", "interrupted",
         "multi-paragraph", "nested-single-quotes", "title-is-not-a-quote", "stray-mark"],
)
def test_direct_quotations(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert quotes(text) == expected


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        ("Labor Department officials said it would not apply to the tribe.",
         "it would not apply to the tribe", "Labor Department officials"),
        ("The economy is stronger than it was a year ago, the minister said.",
         "The economy is stronger than it was a year ago", "the minister"),
        ("According to the ministry, the talks will resume next week in Geneva.",
         "the talks will resume next week in Geneva", "the ministry"),
        ("Sanders, who has sent fundraising pleas on his behalf, said he may campaign for him.",
         "he may campaign for him", "Sanders"),
        ("Jane Doe told reporters on Tuesday that the vote would be delayed.",
         "that the vote would be delayed", "Jane Doe"),
    ],
    ids=["noun-phrase-source", "sentence-final", "according-to", "apposition", "told-that"],
)
def test_reported_speech(text: str, content: str, speaker: str) -> None:
    assert quotes(text) == [("reported", content, speaker)]


def test_reported_speech_needs_a_speech_verb_used_as_a_verb() -> None:
    assert quotes("The United States and the state of Ohio signed the agreement on Monday.") == []
    assert quotes("On how the alliance would respond to a call from the U.S.") == []
    assert quotes("Sign up for the Daily Planet morning briefing: the stories that matter, "
                  "delivered to your inbox.") == []


def test_transcript_labels_give_the_speaker() -> None:
    text = ("Euronews met him in Brussels.\n\n"
            "James Franey, euronews: What is your vision for the next five years?\n\n"
            "Jens Stoltenberg, NATO Secretary General It is to keep NATO strong and ready.\n\n"
            "euronews: Can you tell citizens what is at stake here?\n\n"
            "Jens Stoltenberg: What is at stake is our ability to defend ourselves.")
    assert [(k, s) for k, _, s in quotes(text)] == [
        ("label", "James Franey"), ("label", "Jens Stoltenberg"),
        ("label", "James Franey"), ("label", "Jens Stoltenberg")]


def test_pronouns_and_descriptions_resolve_to_the_last_named_speaker() -> None:
    text = ("NATO Secretary General Jens Stoltenberg spoke in Brussels.\n\n"
            "\u201cWe will only leave when the time is right,\u201d the NATO chief said.\n\n"
            "\u201cAnd we will decide that together with all our allies,\u201d he added.\n\n"
            "\u201cThe talks must continue without any delay,\u201d a senior official said.")
    assert [s for _, _, s in quotes(text)] == [
        "Jens Stoltenberg", "Jens Stoltenberg", "a senior official"]


@pytest.mark.parametrize(
    ("mention", "name"),
    [("NATO Secretary General Jens Stoltenberg", "Jens Stoltenberg"),
     ("Jens Stoltenberg, NATO Secretary General", "Jens Stoltenberg"),
     ("Gen. Austin S. Miller", "Austin S. Miller"),
     ("the head of the UN panel that tracks groups in Afghanistan", None),
     ("NATO SG", None)],
)
def test_person_name(mention: str, name: str | None) -> None:
    assert person_name(mention)[0] == name


def test_surnames_join_their_full_name_unless_ambiguous() -> None:
    mapping = canonical_names([["Jens Stoltenberg"], ["Stoltenberg"], ["Bill Clinton"],
                               ["Hillary Clinton"], ["Clinton"]])
    assert mapping[1]["Stoltenberg"] == "Jens Stoltenberg"
    assert mapping[4]["Clinton"] == "Clinton"


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return compare([str(ROOT / "seeds")], Settings(), pairs=False)


def cluster_with(report: Report, snippet: str):  # type: ignore[no-untyped-def]
    texts = {d.id: d.text for d in report.documents}
    for cluster in report.quotes:
        for o in cluster.occurrences:
            if snippet in " ".join(texts[o.doc][p.start:p.end] for p in o.parts):
                return cluster
    raise AssertionError(f"no quote cluster holds {snippet!r}")


def docs_of(cluster) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(o.doc[:3] for o in cluster.occurrences)


def test_press_conference_quotes_cluster_with_their_variants(seed_report: Report) -> None:
    preempt = cluster_with(seed_report, "not preempt the outcome")
    assert docs_of(preempt) == ["001", "002"]
    assert ("preempt", "pre-empt") in [e for o in preempt.occurrences for e in o.edits]
    energise = cluster_with(seed_report, "and re-energise, relaunch")
    assert ("re-energise", "reenergise") in [e for o in energise.occurrences for e in o.edits]
    assert docs_of(cluster_with(seed_report, "There are roughly 10,000 NATO troops")) == \
        ["001", "002"]


def test_reported_speech_joins_the_quote_it_reports(seed_report: Report) -> None:
    cluster = cluster_with(seed_report, "Taliban has to meet their commitments")
    assert {(o.doc[:3], o.kind) for o in cluster.occurrences} == {("001", "direct"),
                                                                  ("002", "reported")}


def test_talking_point_links_000_and_003(seed_report: Report) -> None:
    cluster = cluster_with(seed_report, "They have to sit down at the negotiating table")
    assert {"000", "003"} <= set(docs_of(cluster))
    assert cluster.earliest == ("000_100161f3dd2216cd",)


def test_same_day_without_a_time_cannot_be_ordered(seed_report: Report) -> None:
    cluster = cluster_with(seed_report, "not preempt the outcome")
    assert cluster.earliest == ("001_6da7febdb4ae2164", "002_2ce565fa5741faf5")


def test_repeated_quote_in_one_document_is_one_cluster(seed_report: Report) -> None:
    cluster = cluster_with(seed_report, "top leadership of Al-Qaeda is still under Taliban")
    assert docs_of(cluster) == ["002", "002"]


@pytest.mark.parametrize(
    ("snippet", "speaker"),
    [("If the violence isn\u2019t reduced", "Austin S. Miller"),
     ("Taliban violence is much higher than historical norms", "Austin S. Miller"),
     ("There is still clearly a close relationship", "Edmund Fitton-Brown")],
)
def test_speakers_in_002(seed_report: Report, snippet: str, speaker: str) -> None:
    assert cluster_with(seed_report, snippet).speaker == speaker


def test_stoltenberg_is_one_speaker_across_all_five_files(seed_report: Report) -> None:
    names = {o.speaker for c in seed_report.quotes for o in c.occurrences
             if o.speaker and "Stoltenberg" in o.speaker}
    assert names == {"Jens Stoltenberg"}
    carriers = {o.doc[:3] for c in seed_report.quotes for o in c.occurrences
                if o.speaker == "Jens Stoltenberg"}
    assert carriers == {"000", "001", "002", "003", "004"}


FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())["polnear"]


def test_extraction_meets_the_floors_on_polnear_dev(data_dir: Path, polnear_root: Path,
                                                    ) -> None:
    import hashlib

    from provcheck.eval.polnear import evaluate

    tarball = data_dir / FLOORS["corpus"]
    assert hashlib.sha256(tarball.read_bytes()).hexdigest() == FLOORS["sha256"], (
        "the PolNeAR corpus changed: re-measure and store new floors in tests/eval_floors.json")
    scores = evaluate(str(polnear_root), "dev", jobs=2,
                      limit=FLOORS["articles"])["scores"]["speech"]
    assert scores["f1"] >= FLOORS["f1_overlap"], scores
    assert scores["speaker_accuracy"] >= FLOORS["speaker_accuracy"], scores


def test_documents_printing_a_quote_first_on_one_day_are_listed_by_id() -> None:
    # Not in the order a set of ids happens to iterate: the report is the same every run.
    ids = [f"doc{n:02d}" for n in range(40, 0, -3)]
    occurrences = [QuoteOccurrence(doc=i, parts=(), kind=QuoteKind.DIRECT, speaker=None, mention=None,
                                   difference="verbatim") for i in ids]
    dates = dict.fromkeys(ids, "2025-01-01") | {"doc01": "2025-01-02"}
    earliest, published = _earliest(occurrences, dates)
    assert earliest == tuple(sorted(set(ids) - {"doc01"})) and published == "2025-01-01"


def test_quotations_do_not_depend_on_the_marks_segment_found(
        seed_texts: dict[str, str]) -> None:
    """The pipeline segments without marking quoted speech (the quotations set it): what
    it gets is what segmenting with the marks gives."""
    lexicon = Lexicon()
    for name, text in seed_texts.items():
        marked = quotations_of(text, segment(name, text, lexicon))
        unmarked = quotations_of(text, segment(name, text, lexicon, quote_marks=False))
        assert unmarked[1:] == marked[1:], name
        assert unmarked[0].quotes == marked[0].quotes, name
        assert (unmarked[0].tok_quote == marked[0].tok_quote).all(), name
        assert segment(name, text, lexicon, quote_marks=False).quotes == ()
    assert any(segment(n, t, lexicon).quotes for n, t in seed_texts.items())


def test_a_map_about_some_documents_describes_their_clusters_as_the_full_map_does() -> None:
    """check describes only the statements its new documents print: the same clusters,
    numbered the same, as mapping everything and keeping those; where every cluster is
    printed (what provenance reads) does not change."""
    settings = Settings()
    corpus = segment_corpus(read_inputs([str(ROOT / "seeds")], settings, None).documents,
                            Run(settings, LocalEngine()))
    attributed = attribute(corpus.quotations, corpus.speakers)
    full = quote_map(corpus.documents, corpus.segmented, attributed, settings)
    assert len({o.doc for c in full.clusters for o in c.occurrences}) == 5
    for about in ({1}, {0, 3}, set()):
        ids = {corpus.documents[n].id for n in about}
        part = quote_map(corpus.documents, corpus.segmented, attributed, settings, about=about)
        kept = [c for c in full.clusters if any(o.doc in ids for o in c.occurrences)]
        assert part.clusters == kept
        assert part.printings == full.printings and part.speakers == full.speakers
        assert len(part.printings) > sum(len(c.occurrences) for c in part.clusters)


def test_a_stored_record_gives_back_the_quotations_and_speakers(seed_texts: dict[str, str],
                                                                ) -> None:
    """``quotes.stored``: what an index keeps of a document's quotations is read back
    as the same records (every field, every kind: direct, label, reported)."""
    from provcheck.quotes import stored

    kinds = set()
    for doc_id, text in seed_texts.items():
        _, found, speakers = quotations_of(text, segment(doc_id, text, Lexicon()))
        assert stored.decode(stored.encode(found, speakers)) == (found, speakers)
        kinds |= {q.kind for q in found}
    assert kinds == {"direct", "label", "reported"}


STORED_RULES = Path(__file__).parent / "golden" / "stored_quotations.json"


def test_the_rules_of_a_stored_version_find_what_they_found_when_it_was_set(
        seed_texts: dict[str, str], polnear_root: Path, update_golden: bool) -> None:
    """An index reads back the quotations stored under ``quotes.stored.VERSION`` instead
    of finding them again, so rules that find other quotations must raise it (records
    of the old rules are then found again). The rules' records of the seeds and
    PolNeAR's dev articles are pinned by one digest, with the version they belong to."""
    import hashlib

    from provcheck.eval.polnear import load
    from provcheck.quotes import stored

    texts = sorted(seed_texts.items()) + [(a.name, a.text) for a in load(polnear_root, "dev")]
    lexicon = Lexicon()
    digest = hashlib.sha256()
    for name, text in texts:
        _, found, speakers = quotations_of(text, segment(name, text, lexicon, quote_marks=False))
        digest.update(f"{name}\t{stored.encode(found, speakers)}\n".encode())
    now = {"version": stored.VERSION, "documents": len(texts), "sha256": digest.hexdigest()}
    if update_golden:
        STORED_RULES.write_text(json.dumps(now, indent=2) + "\n", encoding="utf-8")
    pinned = json.loads(STORED_RULES.read_text(encoding="utf-8"))
    if now["sha256"] != pinned["sha256"] and now["version"] == pinned["version"]:
        pytest.fail("the quotation rules now find other quotations than those stored as "
                    f"version {pinned['version']}: raise VERSION in provcheck/quotes/stored.py "
                    "and run pytest --update-golden")
    assert now == pinned, "run pytest --update-golden to pin the rules of this version"

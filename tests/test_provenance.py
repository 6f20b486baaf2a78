from __future__ import annotations

import csv
import io
import pickle
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from provcheck.cli import main
from provcheck.phrasing import ALL, SENTENCES, say
from provcheck.pipeline import compare
from provcheck.records import (
    NOT_REUSE,
    REUSE,
    PairResult,
    Relation,
    Report,
    pair_from_tuple,
    pair_to_tuple,
)
from provcheck.report import render_csv
from provcheck.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "seeds" / "002_2ce565fa5741faf5.txt").read_text(encoding="utf-8")


def run(folder: Path, meta: str | None = None) -> Report:
    manifest = None
    if meta is not None:
        manifest = folder.parent / "meta.csv"
        manifest.write_text(meta, encoding="utf-8")
    return compare([str(folder)], Settings(), meta=str(manifest) if manifest else None)


def only_pair(report: Report) -> PairResult:
    assert len(report.pairs) == 1
    return report.pairs[0]


def pair_of(tmp_path: Path, texts: dict[str, str], meta: str) -> PairResult:
    """The one pair ``compare`` reports over files named and written as ``texts``."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return only_pair(run(folder, meta))


@pytest.fixture(scope="module")
def seeds() -> Report:
    return compare([str(ROOT / "seeds")], Settings())


def test_press_conference_pair_is_a_shared_source_with_a_weak_direction(seeds: Report) -> None:
    pair = next(p for p in seeds.pairs if {p.a[:3], p.b[:3]} == {"001", "002"})
    assert pair.relation is Relation.SHARED_SOURCE
    assert pair.direction.confidence < 0.5
    evidence = " ".join(pair.direction.evidence)
    assert "press conference" in evidence
    assert "into reported speech" in evidence
    assert "neither can be a copy of only the other" in evidence


def test_talking_points_are_never_a_copy(seeds: Report) -> None:
    pair = next((p for p in seeds.pairs if {p.a[:3], p.b[:3]} == {"000", "003"}), None)
    if pair is not None:
        assert pair.relation is Relation.SHARED_SOURCE
        assert "talking points" in pair.direction.evidence[0]


def test_russia_interview_is_in_no_pair(seeds: Report) -> None:
    assert not any("004" in (p.a[:3], p.b[:3]) for p in seeds.pairs)


def lightly_edited(text: str) -> str:
    return (text.replace("NATO defense ministers in their two-day virtual meeting",
                         "NATO defence ministers, in a two-day virtual meeting,")
            .replace("It comes as negotiations", "It comes as the negotiations")
            + "\n\nOfficials in Kabul did not comment on the report.")


@pytest.mark.parametrize(("first", "second"), [("original", "edited"), ("edited", "original")])
def test_lightly_edited_copy_points_from_the_earlier_date(tmp_path: Path, first: str,
                                                          second: str) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "original.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "edited.txt").write_text(lightly_edited(ARTICLE), encoding="utf-8")
    pair = only_pair(run(folder, f"path,outlet,published\n{first}.txt,Kabul Times,2021-02-18\n"
                                 f"{second}.txt,Daily Echo,2021-02-20\n"))
    assert pair.relation is Relation.COPY
    assert (pair.direction.source, pair.direction.target) == (first, second)
    assert pair.direction.confidence >= 0.8


WIRE = ("KABUL (AP) \u2014 Afghan and foreign officials met in Doha on Tuesday to discuss a "
        "ceasefire, the first such meeting since talks stalled in the autumn. The delegations "
        "agreed to meet again next month, according to a statement issued after the talks. "
        "Diplomats said the meeting lasted six hours and ended without a final agreement, but "
        "both sides described the atmosphere as constructive and businesslike.")


def test_two_outlets_running_the_same_wire_story_are_syndicated(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "planet.txt").write_text("Talks resume in Doha\n\n" + WIRE, encoding="utf-8")
    (folder / "echo.txt").write_text("Ceasefire talks in Doha\n\n" + WIRE, encoding="utf-8")
    pair = only_pair(run(folder, "path,outlet,published\nplanet.txt,Daily Planet,2021-02-18\n"
                                 "echo.txt,Daily Echo,2021-02-19\n"))
    assert pair.relation is Relation.SYNDICATED
    assert pair.direction.origin == "AP" and pair.direction.source is None
    assert "Both print AP's story (both credit AP)" in pair.direction.evidence[0]


def test_a_reprint_that_dropped_the_credit_is_still_syndicated(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "planet.txt").write_text("Talks resume in Doha\n\n" + WIRE, encoding="utf-8")
    (folder / "echo.txt").write_text("Ceasefire talks in Doha\n\n"
                                     + WIRE.replace("KABUL (AP) \u2014 ", ""), encoding="utf-8")
    pair = only_pair(run(folder, "path,outlet,published\nplanet.txt,Daily Planet,"
                                 "2021-02-18T10:00\necho.txt,Daily Echo,2021-02-18T09:00\n"))
    assert (pair.relation, pair.direction.origin) == (Relation.SYNDICATED, "AP")
    # The earlier time is about who printed AP's story first, not about who took it.
    assert pair.direction.source is None
    assert any("nothing about these two outlets" in e for e in pair.direction.evidence)


SEED_001 = (ROOT / "seeds" / "001_6da7febdb4ae2164.txt").read_text(encoding="utf-8")


def test_a_lightly_edited_001_is_a_copy_of_001(tmp_path: Path) -> None:
    """Two of its few narration sentences reworded, straight quotes, one added line: the
    copy is nearly all word for word (97 % / 99 % shared), so a copy, not a paraphrase."""
    edited = (SEED_001.replace("NATO Secretary General Jens Stoltenberg said on Wednesday",
                               "NATO Secretary General Jens Stoltenberg told reporters on "
                               "Wednesday")
              .replace("Stoltenberg said NATO\u2019s withdrawal",
                       "the NATO chief told reporters NATO\u2019s withdrawal")
              .replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
              + "\n\nThe ministers meet again on Friday.\n")
    pair = pair_of(tmp_path, {"001.txt": SEED_001, "edited.txt": edited},
                   "path,outlet,published\n001.txt,,2021-02-18\nedited.txt,Kabul Times,"
                   "2021-02-21\n")
    assert pair.relation is Relation.COPY
    assert (pair.direction.source, pair.direction.target) == ("001", "edited")


def test_one_outlet_publishing_its_article_twice_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "first.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "again.txt").write_text(lightly_edited(ARTICLE), encoding="utf-8")
    pair = only_pair(run(folder, "path,outlet\nfirst.txt,Kabul Times\nagain.txt,Kabul Times\n"))
    assert pair.relation is Relation.DUPLICATE


def test_a_credit_to_the_other_outlet_gives_the_direction(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    story = WIRE.replace("KABUL (AP) \u2014 ", "")
    (folder / "planet.txt").write_text(story, encoding="utf-8")
    (folder / "echo.txt").write_text(story + " The talks were first reported by The Daily "
                                     "Planet, according to The Daily Planet.", encoding="utf-8")
    pair = only_pair(run(folder, "path,outlet\nplanet.txt,Daily Planet\necho.txt,Daily Echo\n"))
    assert (pair.direction.source, pair.direction.target) == ("planet", "echo")
    assert any("echo (Daily Echo) names Daily Planet" in e for e in pair.direction.evidence)


def test_a_translated_passage_is_a_paraphrase(pan13_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(pan13_root / "susp" / "suspicious-document00146.txt", folder)
    shutil.copy(pan13_root / "src" / "source-document01842.txt", folder)
    pair = only_pair(run(folder))
    assert pair.relation is Relation.PARAPHRASE


def test_undated_pair_without_evidence_has_no_direction(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "two.txt").write_text(lightly_edited(ARTICLE), encoding="utf-8")
    pair = only_pair(run(folder))
    assert pair.direction.source is None and pair.direction.confidence == 0.0
    assert "direction is unknown" in pair.direction.evidence[-1]


def test_corpus_view(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "original.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "edited.txt").write_text(lightly_edited(ARTICLE), encoding="utf-8")
    (folder / "other.txt").write_text((ROOT / "seeds" / "004_440fd8f644ac4721.txt").read_text(),
                                      encoding="utf-8")
    report = run(folder, "path,outlet,published\noriginal.txt,Kabul Times,2021-02-18\n"
                         "edited.txt,Daily Echo,2021-02-20\nother.txt,Euronews,2014-10-20\n")
    view = report.overview
    assert view is not None
    assert view.clusters == (("edited", "original"),)
    flow = view.flows[0]
    assert (flow.source, flow.target, flow.directed, flow.documents) == (
        "Kabul Times", "Daily Echo", True, 1)
    assert view.originality["original"] == 1.0 and view.originality["other"] == 1.0
    assert view.originality["edited"] < 0.1


def test_csv_has_one_row_per_passage(seeds: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(seeds))))
    assert len(rows) == sum(len(p.passages) for p in seeds.pairs)
    first = rows[0]
    assert first["relation"] == "shared_source" and first["kind"] in (
        "verbatim", "near_verbatim", "paraphrase")
    text = next(d.text for d in seeds.documents if d.id == first["a"])
    assert " ".join(text[int(first["a_start"]):int(first["a_end"])].split()) == first["a_text"]


def test_terminal_report_puts_verdicts_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = CliRunner().invoke(main, ["compare", "seeds/"]).stdout
    verdicts = out.index("Related pairs")
    assert verdicts < out.index("Quotes")
    assert "shared_source" in out[verdicts:out.index("Quotes")]
    assert "press conference" not in out  # evidence only with -v
    verbose = CliRunner().invoke(main, ["compare", "seeds/", "-v"]).stdout
    assert "press conference" in verbose


def test_a_judged_pair_sent_as_tuples_reads_back_equal(seeds: Report) -> None:
    """How alignment workers send their pairs (``records.pair_to_tuple``), with every
    field a judged pair fills: relation, direction with its evidence, quoted passages."""
    assert any(p.direction.evidence for p in seeds.pairs)
    assert any(q.a_in_quote for p in seeds.pairs for q in p.passages)
    for pair in seeds.pairs:
        sent = pickle.dumps(pair_to_tuple(pair))
        assert pair_from_tuple(pickle.loads(sent)) == pair


# What a sentence may claim: reuse (one text took from the other) or its absence.
REUSE_CLAIMS = re.compile(r"reads this as reuse|rewrites|rewrote|took it from|built on|"
                          r"word for word or lightly edited|Nearly all of both texts")
NO_REUSE_CLAIMS = re.compile(r"does not read this as reuse|too few to be reuse|not one text "
                             r"copying|not evidence that either took|own narration")


def test_no_sentence_template_claims_what_its_relations_deny() -> None:
    for key, (template, allowed) in SENTENCES.items():
        if allowed & NOT_REUSE:
            assert not REUSE_CLAIMS.search(template), key
        if allowed & REUSE:
            assert not NO_REUSE_CLAIMS.search(template), key


def template_patterns() -> dict[str, tuple[re.Pattern[str], frozenset[Relation]]]:
    return {key: (re.compile(re.sub(r"\\\{[^}]*\\\}", ".*?", re.escape(template)), re.DOTALL),
                  allowed)
            for key, (template, allowed) in SENTENCES.items()}


def test_every_evidence_sentence_comes_from_a_template_of_its_relation(
        seeds: Report, data_dir: Path) -> None:
    """On the seeds and on real wire pages, every pair kept (those judged unrelated
    too): each sentence matches a template, and one that may accompany its relation."""
    from provcheck.eval import wire

    folder, meta = wire.corpus(str(data_dir / "news-wire-dev.tar.gz"), None)
    pages = compare([str(folder)], Settings(jobs=2), meta=str(meta), keep_unrelated=True)
    patterns = template_patterns()
    seen: set[Relation] = set()
    for pair in (*seeds.pairs, *pages.pairs):
        seen.add(pair.relation)
        for sentence in pair.direction.evidence:
            keys = [k for k, (rx, _) in patterns.items() if rx.fullmatch(sentence)]
            assert keys, sentence
            assert any(pair.relation in patterns[k][1] for k in keys), (pair.relation, sentence)
    assert seen == ALL  # every relation was read


def test_a_sentence_that_would_contradict_its_relation_is_refused() -> None:
    with pytest.raises(AssertionError, match="cannot accompany shared_source"):
        say("copied", Relation.SHARED_SOURCE, share=0.9, run=40, p=0.9)


def test_a_brief_written_from_a_longer_story_is_a_paraphrase_of_it(tmp_path: Path) -> None:
    from test_align import AGENCY_COPY, BRIEF

    pair = pair_of(tmp_path, {"agency.txt": AGENCY_COPY, "brief.txt": BRIEF},
                   "path,outlet,published\nagency.txt,PA,2000-01-26T14:25\n"
                   "brief.txt,Daily Star,2000-01-27\n")
    assert pair.relation is Relation.PARAPHRASE
    assert (pair.direction.source, pair.direction.origin) == ("agency", "PA")

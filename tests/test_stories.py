"""Stories: documents joined by reuse, each with its origin and the tree of who took
from whom; a shared source joins none."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from provcheck.cli import main
from provcheck.records import Direction, PairResult, Relation
from provcheck.stories import stories

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "seeds" / "002_2ce565fa5741faf5.txt").read_text(encoding="utf-8")
UNRELATED = (ROOT / "seeds" / "004_440fd8f644ac4721.txt").read_text(encoding="utf-8")
WIRE = ("KABUL (AP) \u2014 Afghan and foreign officials met in Doha on Tuesday to discuss a "
        "ceasefire, the first such meeting since talks stalled in the autumn. The delegations "
        "agreed to meet again next month, according to a statement issued after the talks. "
        "Diplomats said the meeting lasted six hours and ended without a final agreement, but "
        "both sides described the atmosphere as constructive and businesslike.")


def _edited(text: str, n: int) -> str:
    return (text.replace("NATO defense ministers in their two-day virtual meeting",
                         "NATO defence ministers, in a two-day virtual meeting,")
            .replace("It comes as negotiations", "It comes as the negotiations")
            + f"\n\nOfficials in Kabul did not comment on the report ({n}).")


def _report(tmp_path: Path, texts: dict[str, str], meta: str) -> dict:  # type: ignore[type-arg]
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (tmp_path / "meta.csv").write_text(meta, encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", str(folder), "--meta",
                                       str(tmp_path / "meta.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_copies_of_an_article_form_one_story_from_the_first(tmp_path: Path) -> None:
    report = _report(tmp_path, {"original.txt": ARTICLE, "echo.txt": _edited(ARTICLE, 1),
                                "gazette.txt": _edited(ARTICLE, 2), "other.txt": UNRELATED},
                     "path,outlet,published,title\n"
                     "original.txt,Kabul Times,2021-02-18T08:00,Stoltenberg on Afghanistan\n"
                     "echo.txt,Daily Echo,2021-02-19T09:00,NATO chief on Kabul\n"
                     "gazette.txt,The Gazette,2021-02-20T10:00,NATO and Kabul\n"
                     "other.txt,Euronews,2014-10-01,Russia interview\n")
    [story] = report["stories"]
    assert story["origin"] == {"document": "original", "agency": None, "basis": "direction"}
    assert story["title"] == "Stoltenberg on Afghanistan"
    assert story["documents"] == 3 and sorted(story["outlets"]) == [
        "Daily Echo", "Kabul Times", "The Gazette"]
    assert (story["first_published"], story["last_published"]) == (
        "2021-02-18T08:00", "2021-02-20T10:00")
    members = {m["document"]: m for m in story["members"]}
    assert story["members"][0]["document"] == "original" and members["original"]["parent"] is None
    for copy in ("echo", "gazette"):
        assert members[copy]["parent"] in ("original", "echo")
        assert members[copy]["relation"] in ("copy", "duplicate")
        assert members[copy]["evidence"]
    assert members["original"]["original"] > members["gazette"]["original"]
    in_story = {(p["a"], p["b"]): p["story"] for p in report["pairs"]}
    assert in_story[("echo", "original")] == story["id"]
    assert not any("other" in pair for pair in in_story)


def test_reprints_of_a_wire_story_are_the_agencys_story(tmp_path: Path) -> None:
    texts = {f"{name}.txt": f"{title}\n\n{WIRE}" for name, title in
             (("planet", "Talks resume in Doha"), ("echo", "Ceasefire talks in Doha"),
              ("gazette", "Doha talks"))}
    report = _report(tmp_path, texts, "path,outlet,published\nplanet.txt,Daily Planet,"
                     "2021-02-18\necho.txt,Daily Echo,2021-02-19\ngazette.txt,Gazette,2021-02-19\n")
    [story] = report["stories"]
    assert story["origin"] == {"document": None, "agency": "AP", "basis": "agency"}
    assert all(m["parent"] is None and m["relation"] == "syndicated"
               for m in story["members"])
    assert story["members"][0]["document"] == "planet"  # the earliest first


def _pair(a: str, b: str, relation: Relation, **direction: object) -> PairResult:
    return PairResult(a=a, b=b, relation=relation, similarity=0.5, coverage_a=0.5,
                      coverage_b=0.5, direction=Direction(**direction), regions=())


def test_a_shared_source_joins_no_story() -> None:
    from provcheck.records import DocFormat, Document

    docs = [Document(id=i, path=i, text="", sha256="", format=DocFormat.TEXT, encoding="utf-8")
            for i in "abc"]
    pairs = [_pair("a", "b", Relation.SHARED_SOURCE), _pair("b", "c", Relation.PARAPHRASE)]
    [story] = stories(docs, pairs, {})
    assert {m.document for m in story.members} == {"b", "c"}
    assert story.origin.basis == "unknown"


def test_the_tree_follows_confident_directions_without_cycles() -> None:
    from provcheck.records import DocFormat, Document

    docs = [Document(id=i, path=i, text="", sha256="", format=DocFormat.TEXT, encoding="utf-8",
                     published=f"2021-02-1{n}") for n, i in enumerate("abcd")]
    pairs = [_pair("a", "b", Relation.COPY, source="a", target="b", confidence=0.9),
             _pair("b", "c", Relation.COPY, source="b", target="c", confidence=0.8),
             _pair("a", "c", Relation.COPY, source="c", target="a", confidence=0.3),
             _pair("c", "d", Relation.PARAPHRASE)]
    [story] = stories(docs, pairs, {})
    assert story.origin.document == "a" and story.origin.basis == "direction"
    parents = {m.document: m.parent for m in story.members}
    assert parents == {"a": None, "b": "a", "c": "b", "d": "c"}
    assert [m.document for m in story.members] == ["a", "b", "c", "d"]


def test_the_html_page_leads_with_the_stories(tmp_path: Path, chromium: str) -> None:
    """In Chromium: the stories come first, each with its title, origin, a timeline of
    who published when (the origin a square, copies filled) and its tree, whose links
    open the pair's texts; names are outlets and titles, ids only tooltips."""
    import re
    import subprocess

    texts = {"original.txt": ARTICLE, "echo.txt": _edited(ARTICLE, 1),
             "gazette.txt": _edited(ARTICLE, 2), "other.txt": UNRELATED}
    meta = ("path,outlet,published,title\n"
            "original.txt,Kabul Times,2021-02-18T08:00,Stoltenberg on Afghanistan\n"
            "echo.txt,Daily Echo,2021-02-19T09:00,NATO chief on Kabul\n"
            "gazette.txt,The Gazette,2021-02-20T10:00,NATO and Kabul\n"
            "other.txt,Euronews,2014-10-01,Russia interview\n")
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (tmp_path / "meta.csv").write_text(meta, encoding="utf-8")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["compare", str(folder), "--meta",
                                       str(tmp_path / "meta.csv"), "--format", "html",
                                       "-o", str(page)])
    assert result.exit_code == 0, result.output
    shown = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--virtual-time-budget=5000", f"--user-data-dir={tmp_path / 'p'}",
                            "--dump-dom", page.as_uri()], capture_output=True, text=True,
                           timeout=120).stdout
    story = shown.index('<div class="story" id="story-1">')
    assert story < shown.index("Provenance graph") < shown.index('<div id="pairs">')
    block = shown[story:shown.index("</div>", shown.index('class="tree"', story))]
    assert "<h3>Stoltenberg on Afghanistan</h3>" in block
    assert "from <span title=\"original\">Kabul Times: Stoltenberg on Afghanistan</span>" in block
    assert block.count('class="origin"') == 1 and block.count('class="copy"') == 2
    assert re.search(r'<a href="#pair-\d+" data-open="\d+">texts</a>', block)
    assert "Euronews" not in block


def test_the_terminal_at_a_thousand_articles_fits_one_screen(
        tmp_path: Path, story_corpus: Callable[[int, Path], Path]) -> None:
    """1,000 generated articles forming stories: on an 100-column terminal the summary
    and the top stories take one screen (24 lines), no line wider than the terminal."""
    import io

    from rich.console import Console

    from provcheck.engine import LocalEngine
    from provcheck.pipeline import compare
    from provcheck.report.terminal import render_terminal
    from provcheck.settings import Settings

    report = compare([str(story_corpus(200, tmp_path))], Settings(jobs=2),
                     engine=LocalEngine(2))
    assert len(report.documents) == 1000 and report.overview
    assert len(report.overview.stories) >= 20
    out = io.StringIO()
    render_terminal(report, Console(file=out, width=100, color_system=None))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    head = lines[:lines.index(next(line for line in lines if line.startswith("Related pairs")))]
    assert len(head) <= 24 and head[0].startswith("provcheck ") and "1000 documents" in head[0]
    shown = [line for line in head if line.startswith("  story-")]
    assert len(shown) == 10 and head[-1].startswith("  ... ") and "more stories" in head[-1]

"""The HTML report in a real headless Chromium: the page must work as a reader sees it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from provcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=5000"]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "seeds.html"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["compare", "seeds/", "--format", "html", "-o",
                                           str(out)])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return out


def browse(chromium: str, url: str, tmp: Path, *extra: str) -> str:
    result = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *extra,
                             url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert "@import" not in text and "url(http" not in text


def test_rendered_page_shows_pairs_verdicts_and_highlights(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    dom = browse(chromium, page.as_uri(), tmp_path, "--dump-dom")
    pairs = re.findall(r'<details class="pair[^"]*"[^>]*data-relation="([a-z_]+)"', dom)
    assert sorted(pairs) == ["shared_source", "shared_source"]
    assert 'title="004_440fd8f644ac4721"' not in dom.split('<div id="pairs">')[1]  # no pair
    # Documents by outlet and title, their ids as tooltips.
    assert ('<span title="001_6da7febdb4ae2164">We will only leave when the time is right: '
            'Stoltenberg</span> \u2192 <span title="002_2ce565fa5741faf5">Stoltenberg: the '
            'promise to leave Afghanistan conditions-based</span> (confidence 0.20)') in dom
    assert "a common source, such as a press conference" in dom
    marks = re.findall(r'<mark class="p k-(\w+)( q)?" data-n="(\d+)"', dom)
    numbers = [int(n) for _, _, n in marks]
    assert len(marks) == 24 and sorted(set(numbers)) == list(range(1, 13))  # both sides
    assert {kind for kind, _, _ in marks} == {"verbatim", "near_verbatim", "paraphrase"}
    assert "<svg" in dom and dom.count('class="edge"') == 2
    assert dom.count("<tr><td>") >= 5  # the documents table, drawn by the script


def test_filter_hides_pairs(chromium: str, page: Path, tmp_path: Path) -> None:
    dom = browse(chromium, page.as_uri() + "#filter=PMG", tmp_path, "--dump-dom")
    visible = re.findall(r'<details class="pair"', dom)
    hidden = re.findall(r'<details class="pair hidden"', dom)
    assert (len(visible), len(hidden)) == (1, 1)
    assert "1 of 2 pairs shown" in dom


def test_screenshot_is_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "seeds.png"
    browse(chromium, page.as_uri(), tmp_path, "--window-size=1400,2400",
           f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 2400)
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 500  # text, highlights, the graph: not an empty page
    assert max(ImageStat.Stat(image).stddev) > 20


def test_a_failed_check_says_so_on_top(chromium: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (ROOT / "seeds").glob("00[0134]_*.txt"):
        shutil.copy(path, corpus)
    db, out = tmp_path / "c.db", tmp_path / "check.html"
    runner = CliRunner()
    assert runner.invoke(main, ["index", "add", str(corpus), "--db", str(db)]).exit_code == 0
    result = runner.invoke(main, ["check", *map(str, (ROOT / "seeds").glob("002_*.txt")),
                                  "--db", str(db), "--fail-on", "shared_source", "--format",
                                  "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    dom = browse(chromium, out.as_uri(), tmp_path, "--dump-dom")
    banner = re.search(r'<div id="gate" class="failed">(.*?)</div>', dom, re.S)
    assert banner, "no gate banner"
    assert banner.group(1).startswith("Check failed: 1 match at or above shared_source covering 5% or more:<ul>"
                                      "<li>001_6da7febdb4ae2164 shared_source "
                                      "002_2ce565fa5741faf5: 39% of the checked document")


def test_syndication_and_boilerplate_are_shown(chromium: str, tmp_path: Path) -> None:
    """Two outlets running one AP story, three unrelated articles closing on the same
    editor's note: the pair reads "both from AP", and the note is listed as set aside."""
    from test_chrome import NOTE, TOPICS, story
    from test_provenance import WIRE

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "planet.txt").write_text("Talks resume in Doha\n\n" + WIRE, encoding="utf-8")
    (folder / "echo.txt").write_text("Ceasefire talks in Doha\n\n" + WIRE, encoding="utf-8")
    for n, topic in enumerate(TOPICS[:3]):
        (folder / f"story{n}.txt").write_text("\n\n".join([*story(topic), NOTE]),
                                              encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["compare", str(folder), "--format", "html", "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    dom = browse(chromium, out.as_uri(), tmp_path, "--dump-dom")
    assert re.findall(r'data-relation="([a-z_]+)"', dom) == ["syndicated"]
    assert "both from AP" in dom
    rows = re.search(r'<table id="boilerplate">.*?</table>', dom, re.DOTALL)
    assert rows and "<td>3</td><td>edge</td><td>Editor's note" in rows.group()


# Counts the graph's labels and their overlaps, measured as drawn, into #result.
OVERLAPS = (Path(__file__).parent / "label_overlaps.js").read_text(encoding="utf-8")


def test_graph_labels_do_not_overlap_at_scale(chromium: str, tmp_path: Path) -> None:
    """Past a few dozen documents the graph joins outlets; its labels, measured by the
    browser (bounding boxes), never overlap, and every drawn outlet has one."""
    from provcheck.report.html_report import GRAPH_OUTLETS, _graph

    outlets = [f"outlet-number-{n}.example.com" for n in range(60)]
    documents = [{"id": f"d{n}", "outlet": outlets[n % 60], "title": f"T {n}"}
                 for n in range(240)]
    pairs = [{"a": f"d{n}", "b": f"d{n + 1}", "relation": "copy", "similarity": 0.5,
              "direction": {"source": None, "target": None}} for n in range(0, 239, 2)]
    flows = [{"from": outlets[n % 60], "to": outlets[(n * 7 + 1) % 60], "directed": n % 3 == 0,
              "passages": 3, "words": 50 + n, "documents": 2} for n in range(120)]
    svg = _graph({"documents": documents, "pairs": pairs,
                  "corpus": {"clusters": [], "outlet_flows": flows}})
    probe = tmp_path / "graph.html"
    probe.write_text(
        "<!DOCTYPE html><html><body>" + svg + "<p id='result'></p><script>" + OVERLAPS +
        "</script></body></html>", encoding="utf-8")
    dom = browse(chromium, probe.as_uri(), tmp_path, "--dump-dom", "--window-size=1000,800")
    found = re.search(r"(\d+) labels, (\d+) overlaps", dom)
    assert found and (int(found.group(1)), int(found.group(2))) == (GRAPH_OUTLETS, 0)


@pytest.fixture(scope="module")
def stories_page(tmp_path_factory: pytest.TempPathFactory, polnear_root: Path,
                 story_corpus: Callable[[int, Path], Path]) -> Path:
    """The HTML report of 300 generated articles forming stories (``story_corpus``)."""
    folder = tmp_path_factory.mktemp("stories")
    out = folder / "report.html"
    result = CliRunner().invoke(main, ["compare", str(story_corpus(60, folder)), "--format",
                                       "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_report_of_hundreds_leads_with_readable_stories(chromium: str, stories_page: Path,
                                                          tmp_path: Path) -> None:
    """Stories first, each with a title and a timeline; the graph's labels measured in
    the browser do not overlap; the open pair shows both texts highlighted; the page
    weighs under 5 MB."""
    assert stories_page.stat().st_size < 5_000_000
    probe = tmp_path / "probe.html"
    probe.write_text(stories_page.read_text(encoding="utf-8").replace(
        "</body>", f"<p id='result'></p><script>{OVERLAPS}</script></body>"), encoding="utf-8")
    dom = browse(chromium, probe.as_uri(), tmp_path, "--dump-dom", "--window-size=1400,1000")
    first = dom.index('<div class="story" id="story-1">')
    assert first < dom.index('id="graph"') < dom.index('<div id="pairs">')
    stories = re.findall(r'<div class="story" id="story-\d+"><h3>([^<]+)</h3>.*?'
                         r'<svg class="timeline"', dom, re.S)
    assert len(stories) == 10 and all(t.strip() and t != "(no title)" for t in stories)
    labels = re.search(r"(\d+) labels, (\d+) overlaps", dom)
    assert labels and int(labels.group(1)) >= 20 and labels.group(2) == "0"
    # Tables longer than a screen show their heaviest rows, with a search and a button.
    quotes = dom[dom.index('<table id="quotes">'):]
    assert quotes[:quotes.index("</table>")].count("<tr><td>") == 25
    assert re.search(r'<input type="search" placeholder="Search this table">', quotes)
    opened = dom[dom.index('<details class="pair" id="pair-0"'):]
    opened = opened[:opened.index("</details>")]
    assert opened.count('<div class="doc"') == 2 and '<mark class="p' in opened

"""Hostile input: names, texts and metadata from strangers end up in GitHub annotations,
JUnit, CSV, TSV, the terminal and the HTML page. Nothing they hold may run, inject,
garble or go missing. Every hostile file here is made by the test."""

from __future__ import annotations

import base64
import csv
import html.parser
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_html import browse

from provcheck import safe
from provcheck.cli import main
from provcheck.ingest.decode import decode

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
# The seed's body: two files holding it are a pair in every report.
BODY = SEED[SEED.index("\n\n") + 2:]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
INJECTION = "a\n::warning file=INJECTED.txt,line=1::x\n.txt"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _named(folder: Path, raw: bytes, text: str) -> Path:
    """A file whose name is the bytes ``raw`` (any a Linux file name allows)."""
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + raw))
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    """Three copies of one article under names that are not UTF-8, hold a workflow
    command, or hold control characters and a terminal escape."""
    folder = tmp_path / "in"
    folder.mkdir()
    for raw in (b"bad\xff\xfe.txt", INJECTION.encode(), b"tab\tcr\r\x1b[31mred%2C.txt"):
        _named(folder, raw, BODY)
    return folder


def _github_lines(output: str) -> list[dict[str, str]]:
    """Each line parsed as GitHub's runner parses a workflow command; fails on a line
    that is not exactly one command."""
    commands = []
    for line in output.splitlines():
        match = re.fullmatch(r"::(error|notice) ([^:]*)::(.*)", line)
        assert match, f"not one workflow command: {line!r}"
        level, properties, message = match.groups()
        fields = dict(p.split("=", 1) for p in properties.split(","))
        assert set(fields) == {"file", "title"}, line
        unescaped = {k: _unescape(v) for k, v in fields.items()}
        commands.append({"level": level, **unescaped, "message": _unescape(message)})
    return commands


def _unescape(value: str) -> str:
    for escaped, char in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"),
                          ("%25", "%")):
        value = value.replace(escaped, char)
    return value


# --- 1 and 2: names in annotations, JUnit, TSV, the terminal and every format ---------


def test_github_annotations_cannot_be_injected(hostile_names: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    assert cli("index", "add", str(hostile_names), "--db", db).exit_code == 0
    result = cli("check", str(hostile_names), "--db", db, "--format", "github")
    assert result.exit_code == 1, result.output
    commands = _github_lines(result.stdout)
    # One per checked file with a match: the three files' three pairs are named by the
    # first file of each (two of them), its worst match and how many others it has.
    assert len(commands) == 2
    assert sorted("1 other match" in c["message"] for c in commands) == [False, True]
    shown = {safe.name(str(p)) for p in hostile_names.iterdir()}
    assert {c["file"] for c in commands} <= shown
    assert all(safe.file_path(c["file"]).is_file() for c in commands)
    assert {c["title"] for c in commands} == {"provcheck duplicate"}


def test_names_that_are_not_utf8_work_in_every_format(hostile_names: Path,
                                                      tmp_path: Path) -> None:
    folder = str(hostile_names)
    for fmt in ("json", "html", "csv", "terminal"):
        result = cli("compare", folder, "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
        assert "\x1b" not in result.stdout and "\r" not in result.stdout.replace("\r\n", "")
    report = json.loads(cli("compare", folder, "--format", "json").stdout)
    ids = sorted(d["id"] for d in report["documents"])
    assert ids == sorted(["a\\x0a::warning file=INJECTED.txt,line=1::x\\x0a", "bad\\xff\\xfe",
                          "tab\\x09cr\\x0d\\x1b[31mred%2C"])
    for doc in report["documents"]:  # the bytes of each name are recoverable
        assert safe.file_path(doc["path"]).read_text(encoding="utf-8") == BODY
    db = str(tmp_path / "x.db")
    added = cli("index", "add", folder, "--db", db)
    assert added.exit_code == 0 and "3 added" in added.stdout, added.output
    assert "3 unchanged" in cli("index", "add", folder, "--db", db).stdout
    listed = cli("index", "list", "--db", db).stdout.splitlines()
    assert len(listed) == 3 and all(line.count("\t") == 4 for line in listed)
    junit = cli("check", folder, "--db", db, "--format", "junit", "--fail-on", "duplicate")
    assert junit.exit_code == 1
    cases = ET.fromstring(junit.stdout).findall("testcase")
    assert sorted(c.get("name", "") for c in cases) == ids


def test_terminal_shows_markup_and_escapes_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    records = [{"id": f"[/]{n}", "title": "[bold red]x[/] \x1b]0;owned\x07 [link=file:///]y",
                "outlet": "Out\nlet", "text": BODY} for n in (1, 2)]
    (folder / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    result = cli("compare", str(folder), "-v")
    assert result.exit_code == 0, result.output
    assert "[/]1" in result.stdout and "[bold red]x[/]" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Out let" in result.stdout  # metadata is one line


# --- 3: the HTML page's script element -------------------------------------------------


class _Scripts(html.parser.HTMLParser):
    """The script elements of a page as a browser's tokenizer splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def embedded_data(page: str) -> dict[str, Any]:
    """The report data of an HTML page, as its script reads it; fails unless the page
    has exactly its two script elements, the data one first."""
    parser = _Scripts()
    parser.feed(page)
    assert [a.get("type") for a, _ in parser.scripts] == ["application/octet-stream", None]
    packed = parser.scripts[0][1].strip()
    assert re.fullmatch(r"[A-Za-z0-9+/=]*", packed)  # base64: nothing can end the element
    data: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(packed)))
    return data


HOSTILE_TEXT = ("<!-- <script>document.title='PWNED'</script> </script><script>"
                "document.title='PWNED'</script> <img src=x onerror=\"document.title="
                "'PWNED'\"> \u2028 \u2029 & &amp; \U0001F600 ")


def test_html_page_survives_hostile_texts_in_every_field(chromium: str,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = HOSTILE_TEXT + BODY.replace(". ", ". \U0001F600 ", 3)
    records = [{"id": f"<script>{n}</script>", "title": HOSTILE_TEXT, "outlet": HOSTILE_TEXT,
                "url": "javascript:document.title='PWNED'", "published": "2024-01-0" + n,
                "text": body} for n in ("1", "2")]
    (folder / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    out = tmp_path / "page.html"
    result = cli("compare", str(folder), "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    data = embedded_data(page)
    assert data["documents"][0]["text"] == body
    dom = browse(chromium, out.as_uri(), tmp_path, "--dump-dom")
    assert "PWNED" not in re.sub(r"&lt;.*?&gt;|'PWNED'", "", dom.split("<title>")[1][:200])
    assert "<img src=\"x\"" not in dom
    assert dom.count("<tr><td>") >= 2  # the script ran and drew the documents
    # Highlights are cut by code point, as the offsets count: emoji before them too.
    pair = data["pairs"][0]
    a_start, a_end = pair["passages"][0][:2]  # the page's passages are lists
    marks = re.findall(r'<mark class="p[^"]*" data-n="1"[^>]*><sup>1</sup>(.*?)</mark>', dom,
                       re.S)
    expected = body[a_start:a_end]
    assert marks and html.unescape(marks[0]) == expected


# --- 4: spreadsheet formulas ------------------------------------------------------------


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = BODY.replace("\n\n", "\n\n=HYPERLINK(\"http://x\",\"y\")\n\n-2+3 ", 2)
    records = [{"id": f"{start}cmd|' /C calc'!A{n}", "outlet": f"{start}SUM(1+1)",
                "title": f"{start}title", "text": body}
               for n, start in enumerate(FORMULA)]
    (folder / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    result = cli("compare", str(folder), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 10
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA)]
    neutralised = {c for c in cells if c[:1] == "'" and c[1:2] in "=+-@"}
    assert {"'=cmd|' /C calc'!A0", "'=SUM(1+1)", "'@cmd|' /C calc'!A3"} <= neutralised


# --- 5: bytes ----------------------------------------------------------------------------


def test_one_bad_byte_keeps_a_utf8_file_utf8(tmp_path: Path) -> None:
    text = BODY.replace("'", "\u2019")
    assert text.count("\u2019") > 10
    data = text.encode("utf-8")
    cut = data.index("\u2019".encode()) + 3
    bad = data[:cut] + b"\xff" + data[cut:]
    decoded = decode(bad)
    assert decoded.encoding == "utf-8"
    assert decoded.text == text[:len(data[:cut].decode())] + "\ufffd" + \
        text[len(data[:cut].decode()):]
    assert decoded.note and "1 byte sequence" in decoded.note
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "clean.txt").write_bytes(data)
    (folder / "damaged.txt").write_bytes(bad)
    report = json.loads(cli("compare", str(folder), "--format", "json").stdout)
    assert [p["relation"] for p in report["pairs"]] == ["duplicate"]
    damaged = next(d for d in report["documents"] if d["id"] == "damaged")
    assert any("not UTF-8 replaced by U+FFFD" in n for n in damaged["notes"])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "cp1252"])
def test_other_encodings_are_recognised(codec: str) -> None:
    text = BODY.replace("'", "\u2019").replace("the ", "th\u00e9 ", 3)
    decoded = decode(text.encode(codec))
    assert decoded.text == text  # not skipped as binary, nor garbled
    assert decoded.encoding.startswith("utf-16") == codec.startswith("utf-16")


# --- 7: the index, read-only and full, and -o ---------------------------------------------


def test_three_adds_on_a_new_index_take_turns(tmp_path: Path) -> None:
    folders = []
    for n in range(3):
        folder = tmp_path / f"in{n}"
        folder.mkdir()
        (folder / f"doc{n}.txt").write_text(BODY.replace("\n\n", f"\n\nPart {n}. ", 1))
        folders.append(folder)
    db = str(tmp_path / "new.db")
    runs = [subprocess.Popen([sys.executable, "-m", "provcheck", "index", "add", str(f),
                              "--db", db, "--jobs", "1", "--no-progress"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for f in folders]
    outcomes = [(r.wait(timeout=120), r.stderr.read() if r.stderr else "") for r in runs]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    stats = json.loads(cli("index", "stats", "--db", db, "--format", "json").stdout)
    assert stats["documents"] == 3


def _namespace_available() -> None:
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, text=True)
    assert probe.returncode == 0, ("these tests mount a read-only folder and a full disk "
                                   f"in a user namespace (util-linux unshare): {probe.stderr}")


def _in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` run by sh in a new user and mount namespace, where it may mount."""
    return subprocess.run(["unshare", "-rm", "sh", "-ec", script], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PROVCHECK": f"{sys.executable} -m provcheck"})


def test_an_index_on_a_read_only_medium_can_be_read(hostile_names: Path,
                                                    tmp_path: Path) -> None:
    _namespace_available()
    store = tmp_path / "store"
    store.mkdir()
    db = store / "x.db"
    assert cli("index", "add", str(hostile_names), "--db", str(db)).exit_code == 0
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "copy.txt").write_text(BODY)
    # Read-only for root too: a bind mount remounted read-only.
    done = _in_namespace(
        f"mount --bind {store} {store}; mount -o remount,ro,bind {store}\n"
        f"! touch {store}/writable 2>/dev/null\n"
        f"$PROVCHECK index stats --db {db}\n"
        f"$PROVCHECK index list --db {db} > /dev/null\n"
        f"$PROVCHECK compare {hostile_names} --db {db} --format json --jobs 1 "
        "> compare.json\n"
        f"$PROVCHECK check {probe} --db {db} --jobs 1 --no-progress > check.txt || "
        "echo check=$?\n"
        f"$PROVCHECK index add {probe} --db {db} --jobs 1 --no-progress 2> add.txt || "
        "echo add=$?\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "x.db: 3 documents" in done.stdout
    assert "check=1" in done.stdout and "add=2" in done.stdout
    assert len(json.loads((tmp_path / "compare.json").read_text())["pairs"]) == 3
    assert "Check failed" in (tmp_path / "check.txt").read_text()
    error = (tmp_path / "add.txt").read_text()
    assert error.startswith("Error: cannot write") and error.count("\n") == 1


def _limited(size: int) -> Callable[[], None]:
    def limit() -> None:  # in the child: writes past ``size`` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


@pytest.fixture(scope="module")
def corpus(pan13_folder: Callable[[int], Path]) -> Path:
    return pan13_folder(200)


def _add_limited(folder: Path, db: Path, limit: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provcheck", "index", "add", str(folder),
                           "--db", str(db), "--jobs", "1", "--no-progress"],
                          capture_output=True, text=True, preexec_fn=_limited(limit))


def _one_line_full(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("Error: cannot write") and run.stderr.count("\n") == 1
    assert "the disk may be full" in run.stderr


@pytest.mark.parametrize("limit", [30_000, 150_000, 1_500_000])
def test_a_full_disk_during_index_add_is_one_line(corpus: Path, hostile_names: Path,
                                                 tmp_path: Path, limit: int) -> None:
    """The write fails at the SQLite file or at a segment file, early or late: one line,
    exit 2, and the index as it was (its documents, its segment files)."""
    db = tmp_path / "full.db"
    assert cli("index", "add", str(hostile_names), "--db", str(db)).exit_code == 0
    segments = sorted(Path(str(db) + "-segments").rglob("*"))
    _one_line_full(_add_limited(corpus, db, limit))
    stats = cli("index", "stats", "--db", str(db), "--format", "json")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["documents"] == 3
    assert sorted(Path(str(db) + "-segments").rglob("*")) == segments


def test_a_new_index_that_cannot_be_made_leaves_no_file(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    _one_line_full(_add_limited(corpus, db, 20_000))
    assert not db.exists()


def test_a_real_full_disk_during_index_add(corpus: Path, tmp_path: Path) -> None:
    _namespace_available()
    (tmp_path / "tiny").mkdir()
    done = _in_namespace(
        "mount -t tmpfs -o size=1m tmpfs tiny\n"
        f"$PROVCHECK index add {corpus} --db tiny/x.db --jobs 1 --no-progress 2> err.txt "
        "|| echo add=$?\nls -A tiny/x.db-segments\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "add=2"  # and no segment left behind
    error = (tmp_path / "err.txt").read_text()
    assert error.startswith("Error: cannot write") and error.count("\n") == 1


def test_a_failed_output_leaves_no_file(hostile_names: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run([sys.executable, "-m", "provcheck", "compare", str(hostile_names),
                          "--format", "html", "-o", str(out / "r.html"), "--jobs", "1"],
                         capture_output=True, text=True, preexec_fn=_limited(20_000))
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"Error: cannot write {out}/r.html: File too large")
    assert list(out.iterdir()) == []
    full = cli("compare", str(hostile_names), "--format", "json", "-o", "/dev/full")
    assert full.exit_code == 2 and "No space left on device" in full.stderr
    assert Path("/dev/full").is_char_device()  # written to, never replaced


def test_output_files_follow_the_umask(hostile_names: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        out = tmp_path / "r.json"
        assert cli("compare", str(hostile_names), "--format", "json", "-o",
                   str(out)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o640
        out.chmod(0o604)  # an existing file keeps its mode, as with a shell's >
        assert cli("compare", str(hostile_names), "--format", "json", "-o",
                   str(out)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o604
    finally:
        os.umask(old)


# --- 8: nothing lost without a word ---------------------------------------------------------


def test_a_manifest_with_an_open_quote_is_refused(hostile_names: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text('path,outlet,date\nbad.txt,"BBC\nother.txt,CNN,2020\n')
    result = cli("compare", str(hostile_names), "--meta", str(meta))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: manifest {meta} line 2: not valid CSV (unexpected end "
                             "of data); a quoted value must end with a quote.\n")


def test_a_manifest_says_which_columns_it_used(hostile_names: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("path,outlet,date,author\nbad\\xff\\xfe.txt,BBC,2020-01-01,Jo\n")
    report = json.loads(cli("compare", str(hostile_names), "--meta", str(meta), "--format",
                            "json").stdout)
    assert f"manifest {meta}: used columns path, outlet; ignored columns author, date " \
           "(provcheck reads path, id, outlet, published, url, title)" in report["stats"]["notes"]
    outlets = {d["id"]: d["outlet"] for d in report["documents"]}
    assert outlets["bad\\xff\\xfe"] == "BBC"  # a manifest names a file as reports show it


@pytest.mark.parametrize(("value", "said"), [
    ("42", "'text' is a number, not a string"), ("null", "'text' is null, not a string"),
    ('["a"]', "'text' is a list, not a string"), ('""', "'text' is empty"),
    ("true", "'text' is true or false, not a string")])
def test_jsonl_text_that_is_not_a_string_says_what_it_is(tmp_path: Path, value: str,
                                                        said: str) -> None:
    (tmp_path / "r.jsonl").write_text(f'{{"id": "x", "text": {value}}}\n{{"id": "y"}}\n')
    result = cli("compare", str(tmp_path))
    assert result.exit_code == 2
    assert f"r.jsonl:1: record's {said}" in result.stderr
    assert "r.jsonl:2: record has no 'text' (its keys: 'id')" in result.stderr


# --- the fuzz test: anything through ingest and every format ---------------------------------

_NAME_BYTES = st.binary(min_size=1, max_size=40).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")).filter(
    lambda b: b not in (b".", b"..") and not b.startswith(b"."))
_TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
_FIELD = st.one_of(st.none(), _TEXT, st.sampled_from(
    ["=1+1", "@SUM(A1)", "-2", "+3", "\t=x", "\r=x", "</script><script>alert(1)</script>",
     "<!--", "\u2028", "::error::x", "%0A::warning::x", "[/]", "\x1b[2J"]))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(names=st.lists(_NAME_BYTES, min_size=2, max_size=3, unique=True),
       inserts=st.lists(_TEXT, min_size=2, max_size=3),
       records=st.lists(st.fixed_dictionaries({
           "id": _FIELD, "title": _FIELD, "outlet": _FIELD, "url": _FIELD,
           "published": _FIELD, "text": st.one_of(_TEXT, _TEXT.map(lambda t: t + BODY))}),
           max_size=3))
def test_fuzz_any_input_through_every_format(tmp_path_factory: pytest.TempPathFactory,
                                             names: list[bytes], inserts: list[str],
                                             records: list[dict[str, str | None]]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    corpus = folder / "in"
    corpus.mkdir()
    for raw, insert in zip(names, inserts, strict=False):
        path = Path(os.fsdecode(os.fsencode(corpus) + b"/" + raw + b".txt"))
        path.write_text(insert + BODY + insert, encoding="utf-8", errors="surrogatepass")
    (corpus / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    db = str(folder / "x.db")
    for args in (["compare", str(corpus), "--format", "terminal"],
                 ["index", "add", str(corpus), "--db", db]):
        assert cli(*args).exit_code in (0, 1, 2)
    outputs = {}
    for fmt in ("json", "html", "csv"):
        result = cli("compare", str(corpus), "--format", fmt)
        assert result.exit_code in (0, 2), result.output
        outputs[fmt] = result.stdout
    for fmt in ("junit", "github"):
        result = cli("check", str(corpus), "--db", db, "--format", fmt, "--fail-on",
                     "shared_source")
        assert result.exit_code in (0, 1, 2), result.output
        outputs[fmt] = result.stdout
    if not outputs["json"]:
        return  # nothing readable: a one-line error, checked above by its exit code
    json.loads(outputs["json"])
    embedded_data(outputs["html"])
    cells = [c for row in csv.reader(io.StringIO(outputs["csv"])) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA)]
    if outputs["junit"]:
        ET.fromstring(outputs["junit"])
    _github_lines(outputs["github"])

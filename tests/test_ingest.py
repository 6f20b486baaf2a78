from __future__ import annotations

import json
from pathlib import Path

import pytest

from provcheck.errors import ConfigError, InputError
from provcheck.ingest import ingest, load_manifest

BODY = "The minister said on Tuesday that the talks would resume next week in Geneva."
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def read(*paths: Path, max_bytes: int = 10_000_000, meta: Path | None = None):  # type: ignore[no-untyped-def]
    manifest = load_manifest(str(meta)) if meta else None
    return ingest([str(p) for p in paths], max_bytes=max_bytes, manifest=manifest)


def test_folder_is_read_recursively_with_ids_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text(BODY, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(BODY, encoding="utf-8")
    result = read(tmp_path)
    assert [d.id for d in result.documents] == ["a", "sub/b"]
    assert result.skipped == ()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n ", "empty file"),
        ("image.txt", PNG, "binary file"),
        ("photo.png", PNG, "unsupported file type .png"),
    ],
    ids=["empty", "whitespace-only", "binary-named-txt", "unsupported-type"],
)
def test_unusable_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    result = read(tmp_path)
    assert [d.id for d in result.documents] == ["good"]
    assert len(result.skipped) == 1
    assert result.skipped[0].path.endswith(name)
    assert reason in result.skipped[0].reason


def test_oversized_file_is_skipped_naming_the_limit_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(BODY * 4000, encoding="utf-8")
    result = read(tmp_path, max_bytes=1024 * 1024 // 4)
    assert result.documents == ()
    assert "over the 0.25 MB limit" in result.skipped[0].reason
    assert "--max-file-size" in result.skipped[0].reason


def test_legacy_encoding_is_detected_and_said(tmp_path: Path) -> None:
    text = "Caf\u00e9 cr\u00e8me: the minister\u2019s \u201creform\u201d was criticised again."
    (tmp_path / "old.txt").write_bytes(text.encode("cp1252"))
    doc = read(tmp_path).documents[0]
    assert doc.text == text
    assert doc.encoding == "cp1252"
    assert "decoded as cp1252" in doc.notes[0]


def test_invalid_utf8_never_raises(tmp_path: Path) -> None:
    (tmp_path / "mixed.txt").write_bytes(BODY.encode() + b" \xff\xfe\x80 " + BODY.encode())
    result = read(tmp_path)
    assert len(result.documents) + len(result.skipped) == 1


def test_stray_nul_bytes_do_not_make_a_text_binary(tmp_path: Path) -> None:
    (tmp_path / "nul.txt").write_bytes(BODY.encode() + b"\x00 " + BODY.encode())
    assert len(read(tmp_path).documents) == 1


HTML = """<html><head><meta charset="utf-8"><title>Talks resume | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="2021-02-18T10:46:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Talks resume in Geneva</h1>
<p>The minister said on Tuesday that the talks would resume next week in Geneva, after
months of delay and a series of meetings between the two delegations.</p>
<p>\u201cWe will only leave when the time is right,\u201d he told reporters outside the hall,
adding that both sides had agreed to meet again before the end of the month.</p></article>
<footer>Share this article. Copyright Daily Planet.</footer></body></html>"""


def test_html_main_text_and_metadata_come_from_the_extractor(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    doc = read(tmp_path).documents[0]
    assert doc.format == "html"
    assert "We will only leave when the time is right" in doc.text
    assert "Sport" not in doc.text
    assert doc.outlet == "Daily Planet"
    assert doc.published == "2021-02-18T10:46+00:00"
    assert doc.metadata_source["outlet"] == "html"


def test_jsonl_records_and_a_malformed_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "text": BODY, "outlet": "Wire", "published": "2021-02-18"}),
        "{not json",
        json.dumps({"id": "r2", "text": BODY + " Again."}),
        json.dumps({"id": "r3"}),
        json.dumps({"id": "r1", "text": "A different text with the same id as the first."}),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = read(tmp_path)
    assert [d.id for d in result.documents] == ["r1", "r2"]
    assert result.documents[0].outlet == "Wire"
    assert result.documents[0].metadata_source["published"] == "json"
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in result.skipped}
    assert "malformed JSON" in reasons["batch.jsonl:2"]
    assert "no 'text'" in reasons["batch.jsonl:4"]
    assert "duplicate id 'r1'" in reasons["batch.jsonl:5"]


def test_unpaired_surrogate_escapes_become_replacement_characters(tmp_path: Path) -> None:
    """JSON can escape half a surrogate pair, which no report could print: it becomes
    U+FFFD, one character for one, so the offsets into the text stand."""
    (tmp_path / "docs.jsonl").write_text(
        '{"id": "s\\udc00", "title": "T\\ud800", "text": "Bridge \\ud800 reopens. ' + BODY
        + '"}\n', encoding="utf-8")
    doc = read(tmp_path).documents[0]
    assert doc.text == "Bridge \ufffd reopens. " + BODY
    assert (doc.id, doc.title) == ("s\ufffd", "T\ufffd")
    assert doc.notes == ("1 unpaired surrogate escape(s) in the text replaced by U+FFFD "
                         "(offsets unchanged)",)
    doc.text.encode("utf-8")  # printable


def test_json_file_with_a_list_of_records(tmp_path: Path) -> None:
    records = [{"id": "x", "text": BODY}, {"id": "y", "text": BODY + " More."}]
    (tmp_path / "docs.json").write_text(json.dumps(records), encoding="utf-8")
    assert [d.id for d in read(tmp_path).documents] == ["x", "y"]


def test_manifest_overrides_metadata_read_from_the_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline of the story\n\nPublished: March 3, 2020\n\n"
                                    + BODY, encoding="utf-8")
    meta = tmp_path.parent / "meta.csv"
    meta.write_text("path,outlet,published\na.txt,Planet,2021-02-18T10:46\n", encoding="utf-8")
    doc = read(tmp_path, meta=meta).documents[0]
    assert (doc.outlet, doc.published) == ("Planet", "2021-02-18T10:46")
    assert doc.metadata_source == {"title": "text", "published": "manifest", "outlet": "manifest"}


def test_manifest_with_a_bad_date_names_the_line_and_the_fix(tmp_path: Path) -> None:
    meta = tmp_path / "meta.jsonl"
    meta.write_text('{"id": "a", "published": "soon"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: published 'soon' is not a date; use ISO 8601"):
        load_manifest(str(meta))


def test_manifest_needs_a_key_column(tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("name,outlet\na,Planet\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a 'path' or 'id' column"):
        load_manifest(str(meta))


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read(tmp_path / "nope")


def test_reading_in_worker_processes_gives_what_reading_here_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Order, ids made unique, skips, JSON Lines (streamed here) and the manifest are the
    same whichever process read a file; windows and batches smaller than the folder."""
    monkeypatch.setattr("provcheck.ingest.READ_AHEAD", 5)
    monkeypatch.setattr("provcheck.ingest.READ_BATCH", 2)
    for n in range(9):
        (tmp_path / f"doc{n}.txt").write_text(f"Headline number {n}\n\n{BODY}", encoding="utf-8")
    (tmp_path / "doc3.md").write_text(BODY, encoding="utf-8")  # clashes with doc3.txt
    (tmp_path / "image.png").write_bytes(PNG)
    (tmp_path / "legacy.txt").write_bytes("Caf\u00e9 au lait. ".encode("cp1252") * 20)
    (tmp_path / "batch.jsonl").write_text("\n".join([
        json.dumps({"id": "doc5", "text": BODY}), "{not json",
        json.dumps({"id": "r2", "text": BODY + " Again."})]), encoding="utf-8")
    meta = tmp_path.parent / "meta.csv"
    meta.write_text("path,outlet\ndoc4.txt,Planet\n", encoding="utf-8")
    manifest = load_manifest(str(meta))
    here = ingest([str(tmp_path)], max_bytes=10_000, manifest=manifest)
    workers = ingest([str(tmp_path)], max_bytes=10_000, manifest=manifest, jobs=2)
    assert workers == here
    assert len(here.documents) == 12 and len(here.skipped) == 3
    assert next(d for d in here.documents if d.id == "doc4").outlet == "Planet"


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("files", [0, 1, 7])
def test_meanwhile_is_called_once_while_the_files_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, files: int) -> None:
    """Whatever the number of jobs and of windows of files (none at all, one, several),
    this process does its ``meanwhile`` work exactly once."""
    monkeypatch.setattr("provcheck.ingest.READ_AHEAD", 3)
    for n in range(files):
        (tmp_path / f"doc{n}.txt").write_text(BODY, encoding="utf-8")
    calls: list[int] = []
    found = ingest([str(tmp_path)], max_bytes=10_000, jobs=jobs,
                   meanwhile=lambda: calls.append(len(calls)))
    assert calls == [0]
    assert len(found.documents) == files


def test_an_html_page_keeps_its_publication_time_and_zone(tmp_path: Path) -> None:
    """Two copies published the same day are ordered by their times: a page's time is
    kept to the minute with its zone; a page that gives only a date keeps the date."""
    timed = HTML.replace("2021-02-18T10:46:00Z", "2021-02-18T10:46:00+04:30")
    dated = HTML.replace("2021-02-18T10:46:00Z", "2021-02-18")
    (tmp_path / "timed.html").write_text(timed, encoding="utf-8")
    (tmp_path / "dated.html").write_text(dated, encoding="utf-8")
    published = {d.id: d.published for d in read(tmp_path).documents}
    assert published == {"timed": "2021-02-18T10:46+04:30", "dated": "2021-02-18"}

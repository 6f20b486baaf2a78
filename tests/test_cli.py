from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from provcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="module")
def seed_report() -> dict:  # type: ignore[type-arg]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["compare", "seeds/", "--format", "json", "--jobs", "1"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_terminal_report_lists_the_related_pair(runner: CliRunner, in_root: Path) -> None:
    """A pair in one line, by outlet and title; its ids with -v; 004 in none."""
    result = runner.invoke(main, ["compare", "seeds/"])
    assert result.exit_code == 0
    pairs = result.stdout.split("Related pairs", 1)[1].split("Reuse between outlets")[0]
    line = next(line for line in pairs.splitlines() if "We will only leave" in line)
    assert line.lstrip().startswith("shared_source") and "Stoltenberg: the promise" in line
    assert "Exclusive to NATO chief" not in pairs
    assert result.stderr == ""
    verbose = runner.invoke(main, ["compare", "seeds/", "-v"]).stdout
    assert "001_6da7febdb4ae2164  <->  002_2ce565fa5741faf5" in verbose
    assert "004_440fd8f644ac4721  <->" not in verbose
    assert "<->  004_440fd8f644ac4721" not in verbose


def test_json_report_follows_the_schema(seed_report: dict) -> None:  # type: ignore[type-arg]
    assert seed_report["schema_version"] == 1
    assert seed_report["tool"]["name"] == "provcheck"
    assert {"num_perm", "seed", "scheme", "lsh_bands", "lsh_rows"} <= set(seed_report["settings"])
    doc = seed_report["documents"][0]
    assert {"id", "path", "title", "outlet", "published", "metadata_source", "words",
            "sha256"} <= set(doc)
    pair = seed_report["pairs"][0]
    assert {"a", "b", "relation", "similarity", "coverage_a", "coverage_b", "direction",
            "passages"} <= set(pair)
    assert {"source", "target", "confidence", "evidence"} <= set(pair["direction"])
    assert {"a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "similarity", "kind",
            "in_quote"} <= set(pair["passages"][0])
    quote = seed_report["quotes"][0]
    assert {"id", "text", "speaker", "documents", "earliest", "occurrences"} <= set(quote)
    assert {"doc", "start", "end", "parts", "text", "kind", "speaker", "speaker_mention",
            "difference", "edits"} <= set(quote["occurrences"][0])
    assert seed_report["skipped"] == []


def test_every_passage_is_the_raw_text_at_its_offsets(seed_report: dict) -> None:  # type: ignore[type-arg]
    texts = {d["id"]: (ROOT / d["path"]).read_text(encoding="utf-8")
             for d in seed_report["documents"]}
    for pair in seed_report["pairs"]:
        assert 0 <= pair["coverage_a"] <= 1 and 0 <= pair["coverage_b"] <= 1
        for p in pair["passages"]:
            assert texts[pair["a"]][p["a_start"]:p["a_end"]] == p["a_text"]
            assert texts[pair["b"]][p["b_start"]:p["b_end"]] == p["b_text"]
            assert 0 <= p["similarity"] <= 1
            assert p["kind"] in ("verbatim", "near_verbatim", "paraphrase")


def test_seed_report_matches_the_answers(seed_report: dict) -> None:  # type: ignore[type-arg]
    pairs = {(p["a"][:3], p["b"][:3]): p for p in seed_report["pairs"]}
    assert len(pairs[("001", "002")]["passages"]) >= 12
    assert not any("004" in key for key in pairs)
    dates = {d["id"][:3]: d["published"] for d in seed_report["documents"]}
    assert dates == {"000": "2019-09-25", "001": "2021-02-18", "002": "2021-02-18T10:46",
                     "003": None, "004": None}


def test_output_file_is_written_and_stdout_stays_empty(
    runner: CliRunner, in_root: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    result = runner.invoke(main, ["compare", "seeds/", "--format", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["schema_version"] == 1


def test_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    result = runner.invoke(main, ["compare", missing])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {missing} does not exist: give a folder or files of articles.\n"


def test_folder_with_nothing_readable(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    result = runner.invoke(main, ["compare", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: no readable documents in {tmp_path} (2 skipped):\n"
        f"  {tmp_path}/empty.txt: empty file (nothing but white space)\n"
        f"  {tmp_path}/scan.pdf: unsupported file type .pdf; provcheck reads .txt .md .text "
        ".markdown .html .htm .xhtml .json .jsonl .ndjson\n"
    )


def test_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["compare", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: no documents in {tmp_path}: provcheck reads .txt, .md, "
                             ".html, .json and .jsonl files.\n")


def test_unwritable_output(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "r.json"
    result = runner.invoke(main, ["compare", "seeds/", "--format", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot write {target}: No such file or directory")
    assert result.stderr.endswith("choose a writable -o location.\n")


def test_invalid_option_value(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(main, ["compare", "seeds/", "--lsh-threshold", "2"])
    assert result.exit_code == 2
    assert result.stderr == "Error: --lsh-threshold 2.0 is out of range: use 0.05 to 0.95.\n"


def test_bad_manifest(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    meta = tmp_path / "m.csv"
    meta.write_text("path,published\nseeds/001_6da7febdb4ae2164.txt,someday\n")
    result = runner.invoke(main, ["compare", "seeds/", "--meta", str(meta)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: manifest {meta} line 2: published 'someday' is not a date; use ISO 8601, "
        "e.g. 2021-02-18 or 2021-02-18T10:46.\n"
    )


def test_skipped_files_are_reported_and_the_run_goes_on(
    runner: CliRunner, tmp_path: Path, seeds_dir: Path
) -> None:
    for path in seeds_dir.glob("00[12]_*.txt"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = runner.invoke(main, ["compare", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [s["path"].rsplit("/", 1)[-1] for s in report["skipped"]] == ["broken.txt"]
    assert len(report["pairs"]) == 1


@pytest.mark.parametrize("command", [["compare"], ["eval", "pan13"], ["eval", "meter"],
                                     ["eval", "wire"], ["eval", "fit"]])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["eval", "meter", "missing.tar.gz"],
     "Error: missing.tar.gz does not exist: give meter-dev.tar.gz or its folder.\n"),
    (["eval", "wire", "."], "Error: . holds no meta.csv: give the folder of articles and "
                            "--meta.\n"),
    (["eval", "fit", "--data", "nowhere"],
     "Error: nowhere/meter-dev.tar.gz does not exist: give meter-dev.tar.gz or its folder.\n"),
], ids=["meter corpus missing", "wire folder without a manifest", "fit data missing"])
def test_evaluations_say_what_is_missing(runner: CliRunner, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, args: list[str],
                                         message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_wire_evaluation_names_the_bundled_judgements(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(main, ["eval", "wire", str(data_dir / "news-wire-dev.tar.gz"),
                                  "--labels", "no-such-set"])
    assert result.exit_code == 2
    assert "bundled with provcheck (news-wire-dev, polnear-train)" in result.stderr

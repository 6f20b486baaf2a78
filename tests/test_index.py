from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from provcheck.cli import main
from provcheck.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
S001, S002, S004 = (next(SEEDS.glob(f"{n}_*.txt")) for n in ("001", "002", "004"))


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    """An index of the seeds without 002."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        if not path.name.startswith("002"):
            shutil.copy(path, corpus)
    db = tmp_path / "corpus.db"
    result = cli("index", "add", str(corpus), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "4 added, 0 replaced, 0 unchanged" in result.stdout
    return db


def test_check_gates_on_the_relation(indexed: Path) -> None:
    strict = cli("check", str(S002), "--db", str(indexed), "--fail-on", "shared_source",
                 "--format", "json")
    assert strict.exit_code == 1
    report = json.loads(strict.stdout)
    pair = next(p for p in report["pairs"] if {p["a"][:3], p["b"][:3]} == {"001", "002"})
    assert pair["relation"] == "shared_source" and len(pair["passages"]) >= 12
    assert report["gate"]["passed"] is False
    assert [(m["a"][:3], m["b"][:3], m["relation"]) for m in report["gate"]["failing"]] == [
        ("001", "002", "shared_source")]
    plain = cli("check", str(S002), "--db", str(indexed))
    assert plain.exit_code == 0
    assert plain.stdout.rstrip().splitlines()[-1] == (
        "Check passed: 1 document checked, no match at or above copy covering 5% or more.")
    assert cli("check", str(S004), "--db", str(indexed), "--fail-on",
               "shared_source").exit_code == 0


def test_a_lightly_edited_copy_fails_the_default_bar(indexed: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.txt"
    edited.write_text(S001.read_text(encoding="utf-8")
                      .replace("said on Wednesday night", "said late on Wednesday")
                      .replace("Addressing a virtual", "Speaking at a virtual"), encoding="utf-8")
    result = cli("check", str(edited), "--db", str(indexed), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={edited},title=provcheck copy::")
    terminal = cli("check", str(edited), "--db", str(indexed)).stdout.splitlines()
    assert terminal[-2] == "Check failed: 1 match at or above copy covering 5% or more:"
    assert terminal[-1].startswith("  edited copy 001_6da7febdb4ae2164: ")


def test_check_reports_a_pair_exactly_as_compare_does(indexed: Path, tmp_path: Path) -> None:
    checked = json.loads(cli("check", str(S002), "--db", str(indexed), "--format",
                             "json").stdout)
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(S001, both)
    shutil.copy(S002, both)
    compared = json.loads(cli("compare", str(both), "--format", "json").stdout)

    def pair(report: dict) -> dict:  # type: ignore[type-arg]
        found = next(p for p in report["pairs"] if {p["a"][:3], p["b"][:3]} == {"001", "002"})
        return {k: found[k] for k in ("relation", "passages", "similarity")}

    assert pair(checked) == pair(compared)


@pytest.mark.parametrize("extra", [[], ["--all-pairs"]], ids=["related", "all aligned"])
def test_check_finds_exactly_the_pairs_compare_finds(indexed: Path, extra: list[str]) -> None:
    """check and compare share every stage but where their candidate pairs come from:
    checking 002 against an index of the other seeds gives the pairs of 002 that
    compare over all five gives, field for field."""
    checked = json.loads(cli("check", str(S002), "--db", str(indexed), "--format", "json",
                             *extra).stdout)
    compared = json.loads(cli("compare", str(SEEDS), "--format", "json", *extra).stdout)
    of_002 = [p for p in compared["pairs"] if S002.stem in (p["a"], p["b"])]
    assert of_002 and checked["pairs"] == of_002


def test_check_reports_the_statements_of_the_checked_documents(
        indexed: Path, tmp_path: Path) -> None:
    """Each statement a checked document prints, with the indexed documents that print
    it too, as compare finds them; statements only indexed documents print are not what
    was asked about."""
    checked = json.loads(cli("check", str(S002), "--db", str(indexed), "--format",
                             "json").stdout)
    loaded = {d["id"][:3] for d in checked["documents"]} - {"002"}
    assert "001" in loaded
    together = tmp_path / "together"
    together.mkdir()
    for path in SEEDS.glob("*.txt"):
        if path.name[:3] in loaded | {"002"}:
            shutil.copy(path, together)
    compared = json.loads(cli("compare", str(together), "--format", "json").stdout)

    def printed_by_002(report: dict) -> list[list[tuple[str, int, int]]]:  # type: ignore[type-arg]
        # A statement by where it is printed (its canonical wording is that of the
        # document read first, which differs between the two runs).
        return sorted(sorted((o["doc"], p[0], p[1]) for o in q["occurrences"]
                             for p in o["parts"])
                      for q in report["quotes"]
                      if any(o["doc"].startswith("002") for o in q["occurrences"]))

    assert printed_by_002(checked) == printed_by_002(compared)
    assert len(checked["quotes"]) == len(printed_by_002(checked)) == \
        checked["stats"]["quote_clusters"]
    assert any({doc[:3] for doc, _, _ in printed} == {"001", "002"}
               for printed in printed_by_002(checked))  # shared with 001
    assert len(compared["quotes"]) > len(checked["quotes"])  # the others have their own


def test_rerun_adds_nothing_and_a_changed_file_replaces_its_old_version(
    indexed: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    again = cli("index", "add", str(corpus), "--db", str(indexed))
    assert "0 added, 0 replaced, 4 unchanged" in again.stdout
    target = next(corpus.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8") + "\nA new closing line was added.",
                      encoding="utf-8")
    changed = cli("index", "add", str(corpus), "--db", str(indexed))
    assert "0 added, 1 replaced, 3 unchanged" in changed.stdout
    listing = json.loads(cli("index", "list", "--db", str(indexed), "--format", "json").stdout)
    assert len(listing) == 4


def test_stats_list_and_remove(indexed: Path) -> None:
    stats = json.loads(cli("index", "stats", "--db", str(indexed), "--format", "json").stdout)
    assert stats["documents"] == 4 and stats["settings"]["num_perm"] == 128
    assert cli("index", "remove", "004_440fd8f644ac4721", "--db", str(indexed)).exit_code == 0
    missing = cli("index", "remove", "nope", "--db", str(indexed))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Error: not in ")
    stats = json.loads(cli("index", "stats", "--db", str(indexed), "--format", "json").stdout)
    assert stats["documents"] == 3


def test_index_refuses_other_settings_and_adopts_its_own(indexed: Path) -> None:
    clash = cli("check", str(S002), "--db", str(indexed), "--num-perm", "64")
    assert clash.exit_code == 2
    assert clash.stderr.startswith(f"Error: {indexed} was built with other settings: "
                                   "num_perm 64 (index: 128)")
    small = indexed.parent / "small.db"
    assert cli("index", "add", str(S001), "--db", str(small), "--num-perm", "64").exit_code == 0
    assert cli("check", str(S002), "--db", str(small)).exit_code == 0  # adopts num_perm 64


def test_junit_has_one_case_per_checked_document(indexed: Path, tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    shutil.copy(S002, new)
    shutil.copy(S004, new)
    result = cli("check", str(new), "--db", str(indexed), "--fail-on", "shared_source",
                 "--format", "junit")
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout)
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"002_2ce565fa5741faf5", "004_440fd8f644ac4721"}
    assert cases["002_2ce565fa5741faf5"].find("failure") is not None
    assert cases["004_440fd8f644ac4721"].find("failure") is None
    assert suite.get("failures") == "1"


def test_baseline_and_min_coverage_accept_known_matches(indexed: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.txt"
    baseline.write_text("# accepted\n002_2ce565fa5741faf5 001_6da7febdb4ae2164\n")
    args = ("check", str(S002), "--db", str(indexed), "--fail-on", "shared_source")
    accepted = cli(*args, "--baseline", str(baseline), "--format", "json")
    assert accepted.exit_code == 0
    assert [m["relation"] for m in json.loads(accepted.stdout)["gate"]["accepted"]] == [
        "shared_source"]
    assert cli(*args, "--min-coverage", "0.9").exit_code == 0


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n \t\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "binary file"),
        ("latin.txt", "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, a dessert".encode("cp1252"), None),
    ],
    ids=["empty", "whitespace-only", "binary-named-txt", "invalid-utf8"],
)
def test_bad_files_are_skipped_or_decoded_never_a_traceback(
    tmp_path: Path, name: str, content: bytes, reason: str | None
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    shutil.copy(S001, folder)
    result = cli("index", "add", str(folder), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 0, result.output
    if reason:
        assert f"skipped {folder / name}: {reason}" in result.stdout
    else:
        assert "2 added" in result.stdout


def test_a_50_mb_file_is_skipped_within_the_stated_limit(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "big.txt"
    with big.open("w", encoding="utf-8") as out:
        line = "The minister said on Tuesday that the talks would resume next week.\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    result = cli("index", "add", str(folder), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 0
    assert "file is 50.0 MB, over the 20 MB limit; raise --max-file-size or split the file" in result.stdout


def test_jsonl_with_a_malformed_line_and_duplicate_ids(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = S001.read_text(encoding="utf-8")
    (folder / "batch.jsonl").write_text("\n".join([
        json.dumps({"id": "a", "text": text}), "{broken",
        json.dumps({"id": "a", "text": text + " More."}),
        json.dumps({"id": "b", "text": text + " Other."})]), encoding="utf-8")
    result = cli("index", "add", str(folder), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 0
    assert "2 added" in result.stdout
    assert "batch.jsonl:2: malformed JSON" in result.stdout
    assert "batch.jsonl:3: duplicate id 'a'" in result.stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing-path", "Error: {input} does not exist: give a folder or files of articles.\n"),
        ("unwritable-db", "Error: cannot open or create {db}: unable to open database file; "
                          "choose a writable --db location.\n"),
        ("garbage-db", "Error: {db} is damaged or not an SQLite database (file is not a "
                       "database); restore it from a backup or rebuild it with 'provcheck "
                       "index add'.\n"),
        ("foreign-db", "Error: {db} is an SQLite database but not a provcheck index; give "
                       "--db a provcheck index or a new file name.\n"),
    ],
)
def test_input_and_index_errors_are_one_line(tmp_path: Path, setup: str, message: str) -> None:
    source = str(S001)
    db = tmp_path / "x.db"
    if setup == "missing-path":
        source = str(tmp_path / "nope")
    elif setup == "unwritable-db":
        db = tmp_path / "no-such-folder" / "x.db"
    elif setup == "garbage-db":
        db.write_bytes(os.urandom(8192))
    else:
        with sqlite3.connect(db) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    for command in (("index", "add", source, "--db", str(db)),
                    ("check", source, "--db", str(db))):
        result = cli(*command)
        assert result.exit_code == 2, result.output
        expected = message.format(input=source, db=db)
        if command[0] == "check" and not db.exists():
            expected = (f"Error: {db} does not exist: build it first with 'provcheck index add "
                        f"FOLDER --db {db}'.\n")
        assert result.stderr == expected
        assert "Traceback" not in result.output


def test_a_truncated_index_is_reported_as_damaged(indexed: Path) -> None:
    data = indexed.read_bytes()
    indexed.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(str(indexed) + suffix).unlink(missing_ok=True)
    result = cli("check", str(S002), "--db", str(indexed))
    assert result.exit_code == 2
    assert "is damaged or not an SQLite database" in result.stderr


def _add(folder: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "provcheck", "index", "add", str(folder),
                             "--db", str(db), "--no-progress", "--jobs", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _writing(db: Path) -> bool:
    """Whether a run holds the index's write lock."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _documents(db: Path) -> int:
    return json.loads(cli("index", "stats", "--db", str(db), "--format", "json").stdout)[
        "documents"]


@pytest.fixture
def many(pan13_root: Path, tmp_path: Path) -> Path:
    """1,000 real documents: a run takes seconds even on a fast, idle machine (300 took
    under one there, and a kill after one second came after the commit)."""
    folder = tmp_path / "many"
    folder.mkdir()
    for path in sorted((pan13_root / "src").glob("*.txt"))[:1000]:
        shutil.copy(path, folder)
    return folder


def test_an_add_killed_mid_write_leaves_the_index_intact(indexed: Path, many: Path) -> None:
    run = _add(many, indexed)
    deadline = time.time() + 120
    while time.time() < deadline and run.poll() is None and not _writing(indexed):
        time.sleep(0.02)
    time.sleep(0.5)  # into the run's one write transaction, well before its commit
    assert run.poll() is None, "the run ended before it could be killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert _documents(indexed) == 4  # as before the run
    assert cli("check", str(S002), "--db", str(indexed), "--fail-on",
               "shared_source").exit_code == 1  # still usable
    done = _add(many, indexed)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    assert _documents(indexed) == 1004


def test_two_adds_at_once_take_turns_and_lose_nothing(indexed: Path, many: Path,
                                                      tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(S002, other)
    first, second = _add(many, indexed), _add(other, indexed)
    assert first.wait(timeout=300) == 0
    assert second.wait(timeout=300) == 0
    assert _documents(indexed) == 1005


def test_a_writer_that_cannot_wait_fails_cleanly(indexed: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(S002, other)
    holder = sqlite3.connect(indexed, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
    try:
        impatient = _add(other, indexed, "--wait", "0")
        out, err = impatient.communicate(timeout=120)
        assert impatient.returncode == 2, out + err
        assert err == f"Error: {indexed} is being written by another provcheck run; try " \
                      "again when it has finished.\n"
        # Readers are not blocked by a writer.
        assert cli("check", str(S002), "--db", str(indexed), "--fail-on",
                   "shared_source").exit_code == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _add(other, indexed, "--wait", "0").wait(timeout=120) == 0
    assert _documents(indexed) == 5


def test_compare_with_an_index_reuses_its_signatures_and_reports_the_same(
    indexed: Path,
) -> None:
    plain = json.loads(cli("compare", str(SEEDS), "--format", "json").stdout)
    reused = json.loads(cli("compare", str(SEEDS), "--db", str(indexed), "--format",
                            "json").stdout)
    assert reused["stats"]["signatures_from_index"] == 4
    assert reused["stats"]["quotations_from_index"] == 4
    assert reused["stats"]["signed_passages"] == plain["stats"]["signed_passages"]
    for key in ("pairs", "quotes", "documents", "corpus"):
        assert reused[key] == plain[key], key


FOOTER = ("Sign up for the Daily Planet morning briefing: the stories that matter, the "
          "reporting behind them and the people who make the news, in your inbox at seven.")


def _outlet_batch(folder: Path, name: str, records: list[tuple[str, str, str]]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("\n".join(
        json.dumps({"id": i, "outlet": outlet, "text": text + "\n\n" + FOOTER + "\n"})
        for i, outlet, text in records), encoding="utf-8")
    return folder


BODIES = [
    "The city council approved a new budget for road repairs on Monday evening. Council "
    "members argued for hours over the cost of resurfacing the old harbour bridge.",
    "Heavy rain flooded several farms in the northern valley overnight. Farmers moved "
    "their cattle to higher ground while volunteers filled sandbags near the river.",
    "The national orchestra opened its winter season with a programme of Baltic "
    "composers. Critics praised the young conductor and the choir from Tallinn.",
    "A regional airline cancelled dozens of flights after a software failure grounded "
    "its fleet. Passengers queued at the airport for vouchers and hotel rooms.",
]


def test_check_knows_an_outlets_boilerplate_from_the_index(tmp_path: Path) -> None:
    """A footer the index holds in three documents of an outlet is boilerplate in a new
    document of that outlet, exactly as ``compare`` over all four would find it; in
    another outlet's document it leads to the three, and is set aside as boilerplate
    there too, since the four share nothing else."""
    old = [(f"dp{n}", "Daily Planet", BODIES[n]) for n in range(3)]
    db = tmp_path / "x.db"
    cli("index", "add", str(_outlet_batch(tmp_path / "old", "old.jsonl", old)), "--db", str(db))
    together = _outlet_batch(tmp_path / "all", "all.jsonl",
                             [*old, ("dp3", "Daily Planet", BODIES[3])])
    expected = next(d for d in json.loads(cli("compare", str(together), "--format",
                                              "json").stdout)["documents"] if d["id"] == "dp3")

    def checked(outlet: str) -> dict:  # type: ignore[type-arg]
        new = _outlet_batch(tmp_path / outlet, "new.jsonl", [("dp3", outlet, BODIES[3])])
        report = json.loads(cli("check", str(new), "--db", str(db), "--format", "json").stdout)
        assert not any("inbox" in o["text"] for q in report["quotes"]
                       for o in q["occurrences"])
        return report

    same = checked("Daily Planet")
    assert same["documents"][0]["body_words"] == expected["body_words"]
    assert same["stats"]["indexed_matches"] == 0  # the footer leads nowhere
    other = checked("Gazette")
    assert other["stats"]["indexed_matches"] == 3  # the footer is not its outlet's
    assert other["documents"][0]["body_words"] == expected["body_words"]
    assert not other["pairs"]
    assert [b["documents"] for b in other["boilerplate"]] == [4]


@pytest.mark.parametrize("split", [10**9, 1], ids=["one-connection", "stretches"])
def test_block_counts_stop_at_what_the_boilerplate_rule_needs(
        tmp_path: Path, split: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """An outlet's footer held by many indexed documents is counted up to ``at_most``,
    leaving out the documents asked to be left out; documents and quotations come in the
    order asked; read on one connection or on several at once."""
    from provcheck.index import sqlite
    from provcheck.index.catalog import Index

    monkeypatch.setattr(sqlite, "STRETCHES_FROM", split)
    monkeypatch.setattr(sqlite, "READERS", 3)

    records = [(f"dp{n}", "Daily Planet", f"Story number {n}. " + BODIES[n % 4])
               for n in range(6)]
    db = tmp_path / "x.db"
    cli("index", "add", str(_outlet_batch(tmp_path / "old", "old.jsonl", records)), "--db",
        str(db))
    index = Index.open(str(db), Settings(), create=False)
    try:
        footer = {e for e in index.db.execute("SELECT outlet, key FROM outlet_blocks "
                                              "GROUP BY outlet, key HAVING COUNT(*) = 6")}
        assert len(footer) == 1
        rowids = sorted(index.rowids().values())
        assert index.block_counts(footer) == dict.fromkeys(footer, 3)
        assert index.block_counts(footer, at_most=10) == dict.fromkeys(footer, 6)
        assert index.block_counts(footer, rowids[:4], at_most=10) == dict.fromkeys(footer, 2)
        assert index.block_counts(footer, rowids[:5]) == dict.fromkeys(footer, 1)
        assert index.block_counts(footer, rowids) == {}
        blocks = set(index.db.execute("SELECT outlet, key FROM outlet_blocks"))
        one_each = index.block_counts(blocks, at_most=1)
        assert one_each == dict.fromkeys(blocks, 1) and len(blocks) > sqlite.READERS
        backwards = [*rowids[::-1], 10**9]  # and one the index does not hold
        assert list(index.documents(backwards)) == rowids[::-1]
        assert [d.id for d in index.documents(backwards).values()] == [
            i for i, _ in sorted(index.rowids().items(), key=lambda x: -x[1])]
        assert sorted(index.quotations(backwards)) == rowids
        assert index.block_counts(blocks | {("nowhere", 1)}, at_most=10) == {
            (o, k): n for o, k, n in index.db.execute(
                "SELECT outlet, key, COUNT(*) FROM outlet_blocks GROUP BY outlet, key")}
    finally:
        index.close()


def test_a_changed_manifest_updates_the_metadata(indexed: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    target = next(corpus.glob("003_*.txt"))
    manifest = tmp_path / "meta.csv"
    manifest.write_text(f"path,outlet\n{target.name},The Daily Planet\n", encoding="utf-8")
    result = cli("index", "add", str(corpus), "--db", str(indexed), "--meta", str(manifest))
    assert "0 added, 1 replaced, 3 unchanged" in result.stdout
    listing = json.loads(cli("index", "list", "--db", str(indexed), "--format", "json").stdout)
    assert {d["outlet"] for d in listing if d["path"].endswith(target.name)} == \
        {"The Daily Planet"}


def test_ci_formats_belong_to_check(tmp_path: Path) -> None:
    result = cli("compare", str(SEEDS), "--format", "junit")
    assert result.exit_code == 2
    assert "'junit' is not one of 'terminal', 'json', 'csv', 'html'" in result.output


def test_accept_all_adopts_the_gate_on_an_existing_corpus(indexed: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "accepted.txt"
    args = ("check", str(S002), "--db", str(indexed), "--fail-on", "shared_source",
            "--baseline", str(baseline))
    missing = cli(*args)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    adopted = cli(*args, "--accept-all")
    assert adopted.exit_code == 0
    assert adopted.stderr == f"{baseline}: 1 match added\n"
    assert baseline.read_text(encoding="utf-8").startswith(
        "001_6da7febdb4ae2164 002_2ce565fa5741faf5  # 002_2ce565fa5741faf5 shared_source")
    assert cli(*args).exit_code == 0
    assert cli(*args, "--accept-all").stderr == f"{baseline}: 0 matches added\n"


def test_the_stored_blocks_are_those_segmenting_again_gives(tmp_path: Path) -> None:
    """``check`` counts the indexed documents' boilerplate from the blocks the index
    stored for them while it segments them again: the two must agree, document by
    document (with an outlet: blocks count; without one: none do)."""
    from provcheck.index.catalog import Index
    from provcheck.text.chrome import outlet_blocks
    from provcheck.text.lexicon import Lexicon
    from provcheck.text.segment import segment

    records = [(f"dp{n}", "Daily Planet" if n % 3 else "", f"Story number {n}.\n\n"
                + BODIES[n % 4]) for n in range(6)]
    db = tmp_path / "x.db"
    cli("index", "add", str(_outlet_batch(tmp_path / "old", "old.jsonl", records)), "--db",
        str(db))
    index = Index.open(str(db), Settings(), create=False)
    try:
        rowids = sorted(index.rowids().values())
        for row, doc in index.documents(rowids).items():
            seg = segment(doc.id, doc.text, Lexicon.shared(), quote_marks=False)
            again = outlet_blocks(doc.outlet, seg.block_key, seg.block_words)
            assert index.outlet_blocks([row]) == again
            assert bool(again) == bool(doc.outlet)
        assert len(index.outlet_blocks(rowids)) > 3
    finally:
        index.close()


def test_the_stored_quotations_are_those_finding_them_again_gives(indexed: Path) -> None:
    """``check`` reads the indexed documents' quotations and speakers from the index
    instead of running the rules again: what it reads must be what they find."""
    from provcheck.index.catalog import Index
    from provcheck.quotes import quotations_of
    from provcheck.text.lexicon import Lexicon
    from provcheck.text.segment import segment

    index = Index.open(str(indexed), Settings(), create=False)
    try:
        rowids = sorted(index.rowids().values())
        records = index.quotations(rowids)
        assert sorted(records) == rowids
        total = 0
        for row, doc in index.documents(rowids).items():
            seg = segment(doc.id, doc.text, Lexicon.shared(), quote_marks=False)
            found, read = quotations_of(doc.text, seg), quotations_of(doc.text, seg,
                                                                      records[row])
            assert read[1:] == found[1:] and read[0].quotes == found[0].quotes
            assert read[0].tok_quote.tobytes() == found[0].tok_quote.tobytes()
            total += len(found[1])
        assert total == 50  # the seeds' quotations, 002's aside
    finally:
        index.close()


def test_check_reads_the_stored_quotations_and_finds_those_it_cannot_read(
        indexed: Path, tmp_path: Path) -> None:
    """A stored record is what check uses (an edited one shows in the report); records
    of other rules, and an index made before quotations were stored, are found again,
    with the same report as a fresh index gives."""
    read: list[int] = []

    def check_json(db: Path) -> dict:  # type: ignore[type-arg]
        report = json.loads(cli("check", str(S002), "--db", str(db), "--format",
                                "json").stdout)
        report["stats"].pop("seconds")
        read.append(report["stats"].pop("quotations_from_index"))
        return report  # type: ignore[no-any-return]

    expected = check_json(indexed)
    assert any(o["doc"].startswith("001") for q in expected["quotes"]
               for o in q["occurrences"])
    edited = tmp_path / "edited.db"
    shutil.copy(indexed, edited)
    shutil.copytree(f"{indexed}-segments", f"{edited}-segments")
    with sqlite3.connect(edited) as db:
        # 001's stored speakers renamed: check prints what the index holds.
        rows = list(db.execute("SELECT q.doc, q.record FROM quotations q JOIN documents d "
                               "ON d.rowid = q.doc WHERE d.id LIKE '001%'"))
        assert rows and "Stoltenberg" in rows[0][1]
        db.execute("UPDATE quotations SET record = ? WHERE doc = ?",
                   (rows[0][1].replace("Stoltenberg", "Stoltenburg"), rows[0][0]))
    assert "Stoltenburg" in json.dumps(check_json(edited)["quotes"])
    with sqlite3.connect(edited) as db:
        db.execute("UPDATE quotations SET version = version + 1")  # other rules' records
    assert check_json(edited) == expected
    with sqlite3.connect(edited) as db:
        db.execute("DROP TABLE quotations")  # an index made before they were stored
    assert check_json(edited) == expected
    assert read[0] == read[1] > 0 and read[2:] == [0, 0]


def test_a_trace_is_reported_and_passes_the_default_bar(indexed: Path, tmp_path: Path,
                                                         pan13_root: Path) -> None:
    """A long article that copies two sentences of an indexed one: the match is
    reported, but a trace does not fail the build unless asked (``--min-coverage 0``)."""
    long = next(p.read_text(encoding="utf-8") for p in sorted((pan13_root / "src").glob("*.txt"))
                if len(p.read_text(encoding="utf-8").split()) > 3000)
    copied = next(para for para in S001.read_text(encoding="utf-8").split("\n\n")
                  if len(para.split()) > 40)
    trace = tmp_path / "trace.txt"
    trace.write_text(long + "\n\n" + copied + "\n", encoding="utf-8")
    default = cli("check", str(trace), "--db", str(indexed), "--format", "json")
    report = json.loads(default.stdout)
    [match] = [p for p in report["pairs"] if {p["a"], p["b"]} == {"trace", S001.stem}]
    coverage = match["coverage_a"] if match["a"] == "trace" else match["coverage_b"]
    assert match["relation"] in ("copy", "duplicate") and coverage < 0.05
    assert default.exit_code == 0 and report["gate"]["min_coverage"] == 0.05
    assert cli("check", str(trace), "--db", str(indexed), "--min-coverage", "0").exit_code == 1


def test_the_job_summary_lists_every_match(indexed: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``$GITHUB_STEP_SUMMARY`` set, ``--format github`` adds a Markdown table of the
    matches to it; a file name cannot add a column, a link or a tag."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    hostile = folder / "a | b <img src=x onerror=y> [l](javascript:x).txt"
    shutil.copy(S001, hostile)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("check", str(folder), "--db", str(indexed), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error ")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier steps\n### provcheck check failed\n")
    rows = [line for line in text.splitlines() if line.startswith("| failing")]
    assert rows and all(re.sub(r"\\.", "", row).count("|") == 7 for row in rows)
    assert "<img" not in text and "](javascript" not in text

"""The engines: a run on a real Dask cluster (a LocalCluster of 2 worker processes)
gives exactly the report of the embedded engine, and the band-partitioned candidate join
finds exactly the candidates of the unpartitioned one."""

from __future__ import annotations

import dataclasses
import json
import pickle
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from provcheck.candidates import find_candidates
from provcheck.cli import main
from provcheck.engine import DaskEngine, Engine, LocalEngine, open_engine
from provcheck.errors import ConfigError
from provcheck.eval.pan13 import load_pairs
from provcheck.index.workflow import check, index_add
from provcheck.ingest import ingest
from provcheck.pipeline import Run, compare, segment_corpus
from provcheck.quotes import quotations_of
from provcheck.records import Span
from provcheck.report.json_report import render_json
from provcheck.settings import Settings
from provcheck.signatures import sign, without_chrome
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

SETTINGS = Settings(jobs=2)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Engine]:
    with open_engine("dask://local", 2) as engine:
        assert isinstance(engine, DaskEngine)
        assert len(engine.client.scheduler_info()["workers"]) == 2
        yield engine


@pytest.fixture(scope="module")
def pan_sample(pan13_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documents of 12 labelled pairs of each PAN13 type, as one folder."""
    folder = tmp_path_factory.mktemp("pan-sample")
    for pair in load_pairs(pan13_root, sample=12, seed=5):
        for sub, name in (("susp", pair.susp), ("src", pair.src)):
            (folder / sub).mkdir(exist_ok=True)
            shutil.copy(pan13_root / sub / name, folder / sub / name)
    return folder


def comparable(report: Any) -> dict[str, Any]:
    """The JSON report without the stage timings, which differ from run to run."""
    out: dict[str, Any] = json.loads(render_json(report))
    out["stats"].pop("seconds", None)
    return out


@pytest.mark.parametrize("corpus", ["seeds", "pan"], ids=["seeds", "pan13-sample"])
def test_dask_cluster_gives_the_embedded_report(cluster: Engine, corpus: str,
                                                seeds_dir: Path, pan_sample: Path) -> None:
    paths = [str(seeds_dir if corpus == "seeds" else pan_sample)]
    embedded = comparable(compare(paths, SETTINGS))
    distributed = comparable(compare(paths, SETTINGS, engine=cluster))
    assert embedded["pairs"], "the corpus must have related pairs for this to mean anything"
    assert distributed == embedded


def test_dask_index_and_check_give_the_embedded_results(cluster: Engine, seeds_dir: Path,
                                                        tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in seeds_dir.glob("*.txt"):
        if not path.name.startswith("002"):
            shutil.copy(path, corpus)
    new = [str(next(seeds_dir.glob("002_*.txt")))]
    reports = []
    for engine, name in ((LocalEngine(2), "local.db"), (cluster, "dask.db")):
        added = index_add([str(corpus)], str(tmp_path / name), SETTINGS, engine=engine)
        assert len(added.added) == 4
        reports.append(comparable(check(new, str(tmp_path / name), SETTINGS,
                                        engine=engine).report))
    assert [(p["a"][:3], p["b"][:3]) for p in reports[0]["pairs"]] == [("001", "002")]
    assert reports[1] == reports[0]


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_band_partitions_find_the_same_candidates(pan_sample: Path, parts: int) -> None:
    docs = ingest([str(pan_sample)], max_bytes=SETTINGS.max_file_bytes).documents
    corpus = segment_corpus(docs, Run(SETTINGS, LocalEngine()), quotations=False)
    signed = without_chrome(sign(list(corpus.segmented), SETTINGS), corpus.segmented)
    whole = find_candidates(signed, SETTINGS, LocalEngine())
    split = LocalEngine(1)
    split.partitions = parts
    found = find_candidates(signed, SETTINGS, split)
    assert len(whole.pairs) > 20
    assert found.pairs.tolist() == whole.pairs.tolist()
    assert found.passage_pairs == whole.passage_pairs
    assert found.boilerplate_buckets == whole.boilerplate_buckets


def test_cli_runs_on_a_local_dask_cluster(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["compare", str(seeds_dir), "--engine", "dask://local",
                                       "-j", "2", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    pairs = {(p["a"], p["b"]) for p in json.loads(out.read_text())["pairs"]}
    assert ("001", "002") in {(a[:3], b[:3]) for a, b in pairs}


@pytest.mark.parametrize(("spec", "message"), [
    ("spark://x:7077", "--engine 'spark://x:7077' is not known: use 'local', 'dask://local'"),
    ("dask://127.0.0.1:1", "--engine dask://127.0.0.1:1: no Dask scheduler answers at "
                           "127.0.0.1:1"),
], ids=["unknown-engine", "no-scheduler"])
def test_bad_engine_is_one_line_error(spec: str, message: str, seeds_dir: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(seeds_dir), "--engine", spec])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(ConfigError), open_engine(spec, 1):
        pass


def test_cli_runs_on_a_cluster_started_as_the_readme_says(seeds_dir: Path,
                                                          tmp_path: Path) -> None:
    """A scheduler and two workers started with Dask's own commands, as on a real cluster."""
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    started = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--port", str(port),
                                 "--dashboard-address", ":0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            started.append(subprocess.Popen(
                [str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                 "--dashboard-address", ":0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for_workers(f"tcp://127.0.0.1:{port}", 2)
        out = tmp_path / "report.json"
        result = subprocess.run(
            [str(bin_dir / "provcheck"), "compare", str(seeds_dir), "--engine",
             f"dask://127.0.0.1:{port}", "--format", "json", "-o", str(out)],
            capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert comparable_file(out) == comparable(compare([str(seeds_dir)], SETTINGS))
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)


def comparable_file(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(path.read_text())
    out["stats"].pop("seconds", None)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + 120
    while True:
        try:
            with Client(address, timeout=10) as client:
                client.wait_for_workers(count, timeout=max(1, deadline - time.monotonic()))
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _squares(batch: Any, _context: Any) -> list[int]:
    return [x * x for x in batch]


@pytest.mark.parametrize("which", ["local", "dask"])
def test_a_started_stage_runs_while_this_process_goes_on(which: str,
                                                         request: pytest.FixtureRequest) -> None:
    """``start`` returns at once; every batch finishes (progress ticks from the engine's
    own thread) before anyone asks for the results, which come in input order."""
    engine: Engine = request.getfixturevalue("cluster") if which == "dask" else LocalEngine(2)
    items = list(range(40))
    finished = threading.Event()
    ticks: list[int] = []

    def tick(size: int) -> None:
        ticks.append(size)
        if sum(ticks) == len(items):
            finished.set()

    pending = engine.start(_squares, items, batch_size=3, context={"unused": True},
                           on_batch=tick)
    assert finished.wait(120), f"only {sum(ticks)} of {len(items)} items done"
    assert pending.result() == [x * x for x in items]
    assert pending.result() == [x * x for x in items]  # collected once, kept
    assert sorted(ticks) == sorted([3] * 13 + [1])


def _held_squares(batch: list[int], context: dict[str, str]) -> list[int]:
    """Squares; every batch but the first waits until the flag file exists."""
    if 0 not in batch:
        flag, waited = Path(context["flag"]), 0.0
        while not flag.exists():
            if waited > 60:
                raise TimeoutError("the first batch's results were not read on their own")
            time.sleep(0.05)
            waited += 0.05
    return [x * x for x in batch]


@pytest.mark.parametrize("which", ["local", "dask"])
def test_a_started_stage_gives_its_results_as_batches_finish(
        which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """``each`` yields in input order, the first batch's results while the others are
    still held back (they wait for a flag set only once the first result is read);
    afterwards the results are kept, as ``result`` gives them."""
    engine: Engine = request.getfixturevalue("cluster") if which == "dask" else LocalEngine(2)
    items = list(range(12))
    flag = tmp_path / "go"
    seen: list[int] = []
    pending = engine.start(_held_squares, items, batch_size=3, context={"flag": str(flag)})
    for value in pending.each():
        seen.append(value)
        flag.touch()
    assert seen == [x * x for x in items]
    assert pending.result() == seen


def test_records_sent_between_processes_come_back_equal(seed_texts: dict[str, str],
                                                        seeds_dir: Path) -> None:
    """The records a worker sends back (``records.picklable``) survive pickling field
    for field, and a stale state of the wrong length is refused, not half applied."""
    settings = Settings()
    lexicon = Lexicon()
    name, text = sorted(seed_texts.items())[1]
    seg, found, speakers = quotations_of(text, segment(name, text, lexicon, quote_marks=False))
    copy = pickle.loads(pickle.dumps((seg, found, speakers)))
    assert copy[1] == found and copy[2] == speakers and found
    for f in dataclasses.fields(seg):
        mine, theirs = getattr(seg, f.name), getattr(copy[0], f.name)
        if isinstance(mine, np.ndarray):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), f.name
    assert np.array_equal(copy[0].terms.tf, seg.terms.tf)
    assert copy[0].quotes == seg.quotes
    pair = compare([str(seeds_dir)], settings).pairs[0]
    assert pickle.loads(pickle.dumps(pair)) == pair
    with pytest.raises(ValueError):
        Span(start=0, end=1).__setstate__((0, 1, 2))

"""Benchmark: `provcheck index add` over a million news articles, then `provcheck check`
of 1,000 new ones against that index.

The articles are built once (cached under --work) from the real corpora by
``news_corpus.py``: originals written by a word chain trained on PolNeAR's news and
PAN13's documents, with PolNeAR's article lengths, and a third of them syndicated,
edited, paraphrased or partly reused copies of earlier ones; 40 % of the checked
articles reuse indexed ones. Prints, against baselines measured in the same run:

  * index add as a user runs it: wall time, documents/s, MB/s of raw text, peak memory
    of the process tree (workers included), index size on disk;
  * the plain scripts a user would write instead, on a sample of the same articles:
    datasketch (a MinHash per sentence, MinHashLSH.insert) and rensa (RMinHash,
    RMinHashLSH.insert), in documents/s (they keep no texts, offsets or metadata, and
    hold the whole index in memory);
  * check as a user runs it: wall time, peak memory, and how many of the checked
    articles' known sources it reports.

Usage: python benchmarks/bench_index.py [--docs 1000000] [--check 1000] [--jobs 2]
       [--work ~/.cache/provcheck/bench-news] [--data ../shared/data] [--sample 2000]
       [--check-runs 2] [--cold-runs 2] [--reuse-index]  (check only, against the index
       an earlier run built)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import news_corpus
import numpy as np
from measure import peak_memory, run_benchmark, run_measured

from provcheck.eval import pan13, polnear

ROOT = Path(__file__).resolve().parent.parent
CORPUS_VERSION = 1  # raise when news_corpus.py makes different articles
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+")

_chain: news_corpus.Chain | None = None  # per generating process


def build_chain(data: Path) -> news_corpus.Chain:
    news = [p.read_text(encoding="utf-8") for p in
            sorted(polnear.corpus_root(str(data / "polnear-train-dev.tar.gz")).rglob(
                "text/*.txt"))]
    root = pan13.corpus_root(str(data / "pan13-train.tar.gz"))
    other = [p.read_text(encoding="utf-8") for p in sorted(root.glob("s*/*.txt"))]
    return news_corpus.train(news + other, news)


def _install(chain: news_corpus.Chain) -> None:
    global _chain
    _chain = chain


def _make(number: int) -> tuple[int, int]:
    assert _chain is not None
    folder = Path(os.environ["NEWS_FOLDER"])
    return next(news_corpus.write(folder, _chain, range(number, number + 1)))


def build_corpus(work: Path, data: Path, docs: int, check: int, jobs: int) -> Path:
    folder = work / f"news-v{CORPUS_VERSION}-{docs}"
    done = folder / "complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    chain = build_chain(data)
    shards = -(-docs // news_corpus.SHARD)
    os.environ["NEWS_FOLDER"] = str(folder)
    size = 0
    with Pool(jobs, initializer=_install, initargs=(chain,)) as pool:
        for n, (_, written) in enumerate(pool.imap_unordered(_make, range(shards)), start=1):
            size += written
            if n % 20 == 0 or n == shards:
                print(f"  made {n}/{shards} shards, {size / 1e9:.2f} GB", flush=True)
    news_corpus.check_set(chain, folder, shards, check)
    done.write_text(json.dumps({"bytes": size, "seconds": time.perf_counter() - start}))
    return folder


def sample_docs(folder: Path, count: int) -> list[dict[str, str]]:
    with (folder / "corpus" / "n-0000.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(count), handle, strict=False)]


def datasketch_script(docs: list[dict[str, str]]) -> float:
    """documents/s of the plain datasketch script: a MinHash per sentence, into an LSH."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.3, num_perm=128)
    start = time.perf_counter()
    for d in docs:
        for n, sentence in enumerate(_SENTENCE.split(d["text"])):
            words = {w.lower().encode() for w in _WORD.findall(sentence)}
            if len(words) >= 3:
                m = MinHash(num_perm=128)
                m.update_batch(list(words))
                lsh.insert(f"{d['id']}:{n}", m)
    return len(docs) / (time.perf_counter() - start)


def rensa_script(docs: list[dict[str, str]]) -> float:
    """documents/s of the same script with rensa's Rust MinHash and LSH."""
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=0.3, num_perm=128, num_bands=32)
    key = 0
    start = time.perf_counter()
    for d in docs:
        for sentence in _SENTENCE.split(d["text"]):
            words = {w.lower() for w in _WORD.findall(sentence)}
            if len(words) >= 3:
                m = RMinHash(num_perm=128, seed=1)
                m.update(list(words))
                lsh.insert(key, m)
                key += 1
    return len(docs) / (time.perf_counter() - start)


def recall(folder: Path, report: Path) -> tuple[int, int, int, int]:
    """(checked articles whose source is reported related, articles reusing one, related
    pairs within a family of known reuse, related pairs outside every family). A family
    is a story and everything that reuses it, directly or through another copy."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    truth = set()
    for path in folder.glob("truth-*.jsonl"):
        for line in path.read_text().splitlines():
            t = json.loads(line)
            parent.setdefault(root(t["id"]), root(t["source"]))
            if path.name == "truth-check.jsonl":
                truth.add((t["id"], t["source"]))
    found = set()
    for p in json.loads(report.read_text())["pairs"]:
        a, b = p["a"], p["b"]
        found.add((a, b) if a.startswith("check-") else (b, a))
    family = sum(root(a) == root(b) for a, b in found)
    return len(truth & found), len(truth), family, len(found) - family


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--work", default=str(Path.home() / ".cache/provcheck/bench-news"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--check-runs", type=int, default=2,
                        help="check runs (the first after index add meets a colder page "
                             "cache)")
    parser.add_argument("--cold-runs", type=int, default=2,
                        help="check runs after evicting the index's files from the page "
                             "cache: a check against an index nothing has read lately")
    parser.add_argument("--reuse-index", action="store_true",
                        help="measure check against the index an earlier run built (index "
                             "add is then not measured)")
    args = parser.parse_args()
    work = Path(args.work)
    folder = build_corpus(work, Path(args.data), args.docs, args.check, args.jobs)
    made = json.loads((folder / "complete").read_text())
    size, docs = made["bytes"], args.docs
    print(f"corpus: {docs:,} articles, {size / 1e9:.2f} GB of text, "
          f"{size / docs / 1e3:.1f} KB per article (made in {made['seconds']:.0f} s, cached)")

    db = work / "bench.db"
    provcheck = [sys.executable, "-m", "provcheck"]
    if args.reuse_index:
        stats = _index_stats(db)
        if stats.get("documents") != docs:
            raise SystemExit(f"--reuse-index: {db} holds {stats.get('documents')} documents, "
                             f"not {docs:,}; run without it to build the index.")
        print(f"index add: not measured (--reuse-index); {stats['documents']:,} documents, "
              f"{stats['passages']:,} passages, {stats['band_entries']:,} band entries, "
              f"{stats['bytes'] / 1e9:.1f} GB on disk")
        _check(args, provcheck, folder, db, work)
        return
    sample = sample_docs(folder, args.sample)
    rates = {"datasketch": datasketch_script(sample), "rensa": rensa_script(sample)}
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(f"{db}-segments", ignore_errors=True)
    add = run_measured([
        *provcheck, "index", "add", str(folder / "corpus"), "--db", str(db), "--jobs",
        str(args.jobs), "--no-progress"])
    stats = _index_stats(db)
    ours = docs / add.seconds
    print(f"index add ({docs:,} articles, --jobs {args.jobs}):")
    print(f"  wall time {add.seconds:.0f} s ({add.seconds / 60:.1f} min; target <= 60 min), "
          f"{ours:.0f} documents/s, {size / 1e6 / add.seconds:.2f} MB/s of raw text")
    print(f"  peak memory (process tree) {peak_memory([add])}; target <= 4 GiB")
    print(f"  index: {stats['documents']:,} documents, {stats['passages']:,} passages, "
          f"{stats['band_entries']:,} band entries, {stats['bytes'] / 1e9:.1f} GB on disk")
    for name, label in (("datasketch", "datasketch MinHash + MinHashLSH.insert script"),
                        ("rensa", "rensa RMinHash + RMinHashLSH.insert script")):
        print(f"  {label:46s} {rates[name]:8.0f} documents/s ({args.sample:,}-article sample; "
              f"{docs / rates[name] / 60:.0f} min projected) -> provcheck "
              f"{ours / rates[name]:.2f}x")
    _check(args, provcheck, folder, db, work)


def _index_stats(db: Path) -> dict[str, Any]:
    if not db.exists():
        return {}
    return json.loads(os.popen(f"{sys.executable} -m provcheck index stats --db {db} "
                               "--format json").read())


def _check(args: argparse.Namespace, provcheck: list[str], folder: Path, db: Path,
           work: Path) -> None:
    """``check`` run ``--check-runs`` times as it comes (the first right after ``index
    add``, which wrote more than memory holds, finds the index files partly out of the
    page cache; the next ones find what the first read still cached), then ``--cold-runs``
    times each after evicting every index file from the page cache."""
    report = work / "check.json"
    print(f"check ({args.check:,} new articles against the index, --jobs {args.jobs}):")
    runs = []
    disk = []  # the disk's streaming rate before and after the cold runs
    for run in range(1, args.check_runs + args.cold_runs + 1):
        cold = run > args.check_runs
        if run == args.check_runs + 1:
            disk.append(disk_rate(db))
        if cold:
            evicted = evict(db)
        checked = run_measured(
            [*provcheck, "check", str(folder / "check"), "--db", str(db), "--jobs",
             str(args.jobs), "--format", "json", "-o", str(report), "--no-progress"],
            ok=(0, 1))
        runs.append(checked)
        stage = json.loads(report.read_text())["stats"]["seconds"]
        state = f"cold, {evicted / 1e9:.1f} GB evicted" if cold else "as cached"
        print(f"  run {run} ({state}): wall time {checked.seconds:.1f} s (target <= 30 s); "
              f"stage seconds {stage}", flush=True)
    if disk:
        disk.append(disk_rate(db))
        print(f"  this disk streamed {disk[0] / 1e6:.0f} MB/s before the cold runs, "
              f"{disk[1] / 1e6:.0f} MB/s after (a cold check reads about 13 GB of band "
              "files in file order: its time follows this rate, which a shared machine "
              "varies)")
    for name, group in (("as cached", runs[:args.check_runs]),
                        ("cold", runs[args.check_runs:])):
        if group:
            print(f"  median {name}: {statistics.median(r.seconds for r in group):.1f} s "
                  f"over {len(group)} runs")
    print(f"  median of all {len(runs)} runs: "
          f"{statistics.median(r.seconds for r in runs):.1f} s (target <= 30 s)")
    print(f"  peak memory {peak_memory(runs)}")
    found, wanted, family, other = recall(folder, report)
    print(f"  known sources reported: {found}/{wanted} ({found / max(wanted, 1):.1%}); "
          f"related pairs within a known reuse family {family}, outside any {other}")


def disk_rate(db: Path, size: int = 2 << 30) -> float:
    """Bytes per second read through a memory map from the disk, front to back (as a
    lookup reads the band files), in the passages' ``keys`` file (lookups never read
    it): the same disk's speed at the time of the runs, which shared machines vary."""
    files = sorted(Path(f"{db}-segments").rglob("keys"), key=lambda p: -p.stat().st_size)
    if not files:
        return 0.0
    evict(db)
    mapped = np.memmap(files[0], dtype=np.uint8, mode="r")
    size = min(size, len(mapped))
    start = time.perf_counter()
    for at in range(0, size, 1 << 16):  # a byte of every 64 KB: the pages fault in
        int(mapped[at])
    seconds = time.perf_counter() - start
    del mapped
    evict(db)
    return size / seconds


def evict(db: Path) -> int:
    """Drop the index's files from the page cache (they are clean after ``index add``;
    ``posix_fadvise`` needs no privileges, unlike dropping every cache); bytes evicted."""
    files = [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.is_file()]
    files += [p for p in Path(f"{db}-segments").rglob("*") if p.is_file()]
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return sum(p.stat().st_size for p in files)


if __name__ == "__main__":
    run_benchmark(main)

"""Benchmark: provcheck compare over the whole PAN13 training corpus (5,057 documents).

Prints, each as the median of --repeat runs, against baselines measured in the same run:
  * signatures: passages/s and MB/s of provcheck's batched MinHash (hashing included)
    vs datasketch's plain loop (one MinHash and one update_batch per passage), same
    shingles, seed, num_perm and hash; the two are checked equal on a sample first;
  * the whole `provcheck compare susp/ src/` as a user runs it: wall time and peak
    memory of the whole process tree (workers included), sampled from /proc;
  * how many labelled PAN13 pairs with reuse cases that run reports as related.

Usage: python benchmarks/bench_compare.py [--data ../shared/data] [--repeat 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32

from provcheck.eval.pan13 import TYPES, corpus_root, load_pairs, read_cases
from provcheck.ingest import ingest
from provcheck.lexicon import STOP_WORDS, TOKEN, Lexicon
from provcheck.normalize import fold, normalize
from provcheck.pipeline import segment_corpus
from provcheck.settings import Settings
from provcheck.signatures import minhash, sign

ROOT = Path(__file__).resolve().parent.parent
N_DOCS = 5057


def passages_as_shingles(root: Path, settings: Settings) -> tuple[list[list[bytes]], int]:
    """Every signed passage of the corpus as its set of stem shingles (UTF-8 bytes)."""
    docs = ingest([str(root / "susp"), str(root / "src")],
                  max_bytes=settings.max_file_bytes).documents
    corpus = segment_corpus(docs, settings)
    signed = sign(list(corpus.segmented), settings)
    lexicon = Lexicon()
    out, chars = [], 0
    for d, u in zip(signed.doc.tolist(), signed.unit.tolist(), strict=True):
        seg, text = corpus.segmented[d], docs[d].text
        t0, t1 = seg.unit_tok[u]
        start, end = int(seg.tok_start[t0]), int(seg.tok_end[t1 - 1])
        chars += end - start
        stems = set()
        for match in TOKEN.finditer(normalize(text[start:end]).text):
            word = fold(match.group())
            if word in STOP_WORDS or (len(word) < 2 and word.isascii() and word.isalpha()):
                continue
            stems.add(lexicon.stem(word[:-2] if word.endswith("'s") else word).encode())
        out.append(sorted(stems))
    return out, chars


def datasketch_loop(passages: list[list[bytes]], settings: Settings) -> np.ndarray:
    out = np.empty((len(passages), settings.num_perm), dtype=np.uint32)
    for n, shingles in enumerate(passages):
        m = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        m.update_batch(shingles)
        out[n] = m.hashvalues
    return out


def provcheck_batch(passages: list[list[bytes]], settings: Settings) -> np.ndarray:
    cache: dict[bytes, int] = {}  # as the pipeline does: hash each distinct stem once
    values = np.fromiter(
        (cache.get(s) or cache.setdefault(s, sha1_hash32(s)) for p in passages for s in p),
        dtype=np.uint32)
    bounds = np.concatenate(([0], np.cumsum([len(p) for p in passages])))
    return minhash(values, bounds, settings.num_perm, settings.seed)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return total


def run_compare(root: Path, jobs: int, out: Path) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "provcheck", "compare", str(root / "susp"), str(root / "src"),
           "--format", "json", "-o", str(out), "--jobs", str(jobs), "--no-progress"]
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"compare failed with exit code {code}")
    return elapsed, peak


def labelled_found(root: Path, report: Path) -> tuple[int, int]:
    related = {tuple(sorted((p["a"], p["b"]))) for p in json.loads(report.read_text())["pairs"]}
    wanted = {tuple(sorted((p.susp[:-4], p.src[:-4]))) for p in load_pairs(root, None, 0)
              if p.kind != TYPES[0] and read_cases(root, p)}
    return len(wanted & related), len(wanted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = corpus_root(str(Path(args.data) / "pan13-train.tar.gz"))
    settings = Settings(jobs=args.jobs)

    passages, chars = passages_as_shingles(root, settings)
    sample = passages[:2000]
    assert np.array_equal(provcheck_batch(sample, settings), datasketch_loop(sample, settings)), \
        "signatures differ from datasketch"
    ours = [timed(provcheck_batch, passages, settings)[0] for _ in range(args.repeat)]
    base = [timed(datasketch_loop, passages, settings)[0] for _ in range(args.repeat)]
    t_ours, t_base = statistics.median(ours), statistics.median(base)
    print(f"signatures: {len(passages):,} passages, {chars / 1e6:.1f} MB of passage text, "
          f"num_perm {settings.num_perm}")
    print(f"  datasketch MinHash.update_batch loop: {len(passages) / t_base:10,.0f} passages/s "
          f"{chars / 1e6 / t_base:7.2f} MB/s  (median {t_base:.2f} s)")
    print(f"  provcheck batched MinHash:            {len(passages) / t_ours:10,.0f} passages/s "
          f"{chars / 1e6 / t_ours:7.2f} MB/s  (median {t_ours:.2f} s)")
    print(f"  documents/s: datasketch {N_DOCS / t_base:,.0f}, provcheck {N_DOCS / t_ours:,.0f}")
    print(f"  ratio provcheck / datasketch: {t_base / t_ours:.1f}x (signatures verified equal)")

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        for _ in range(args.repeat):
            runs.append(run_compare(root, args.jobs, out))
        stats = json.loads(out.read_text())["stats"]
        found, wanted = labelled_found(root, out)
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    docs = stats["documents"]
    print(f"compare over the whole corpus ({docs:,} documents, --jobs {args.jobs}):")
    print(f"  wall time: median {wall:.1f} s of {[round(r[0], 1) for r in runs]} "
          f"({docs / wall:.0f} documents/s); target < 60 s")
    print(f"  peak memory (process tree): {peak / 2**30:.2f} GiB; target < 2 GiB")
    print(f"  stage seconds (last run): {stats['seconds']}")
    print(f"  candidate document pairs {stats['candidate_document_pairs']:,}, "
          f"related {stats['related_pairs']:,}")
    print(f"  labelled PAN13 pairs with reuse reported related: {found}/{wanted} "
          f"({found / wanted:.1%})")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()

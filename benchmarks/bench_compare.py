"""Benchmark: provcheck compare over the whole PAN13 training corpus (5,057 documents).

Prints, each as the median of --repeat runs, against baselines measured in the same run:
  * signatures: passages/s and MB/s of provcheck's compiled MinHash kernel, from the
    passages' shingle sets (hashing each distinct stem included) and as the pipeline runs
    it (from the documents' term tables; MB/s of the corpus's raw text), vs datasketch's
    plain loop (one MinHash and one update_batch per passage; timed on a sample, its rate
    is what is compared) and rensa's RMinHash (Rust) on the same shingles; provcheck's
    are checked equal to datasketch's first (rensa's hash differs by design);
  * segmentation (tokenise, stem, sentences), which makes the shingles, in MB/s;
  * the whole `provcheck compare susp/ src/` as a user runs it: wall time and peak
    memory of the whole process tree (workers included), sampled from /proc;
  * how many labelled PAN13 pairs with reuse cases that run reports as related.

  * with --baseline REVISION, the same compare of that revision (a git worktree),
    run alternately with this one, and the ratio of the medians.

Usage: python benchmarks/bench_compare.py [--data ../shared/data] [--repeat 3] [--jobs 2]
       [--baseline 2afb088] [--signatures-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32
from measure import Measured, peak_memory, run_benchmark, run_measured

from provcheck.engine import LocalEngine
from provcheck.eval.pan13 import TYPES, corpus_root, load_pairs, read_cases
from provcheck.ingest import ingest
from provcheck.pipeline import Run, segment_corpus
from provcheck.settings import Settings
from provcheck.signatures import minhash, sign
from provcheck.text.lexicon import STOP_WORDS, TOKEN, Lexicon
from provcheck.text.normalize import fold, normalize

DATASKETCH_SAMPLE = 20_000  # passages: the plain loop is too slow to run on all of them

ROOT = Path(__file__).resolve().parent.parent
N_DOCS = 5057


def passages_as_shingles(root: Path, settings: Settings,
                         ) -> tuple[list[list[bytes]], int, list, list[float], int]:
    """Every signed passage of the corpus as its set of stem shingles (UTF-8 bytes), the
    passage text's length, the segmented corpus, segmentation times, raw text bytes."""
    docs = ingest([str(root / "susp"), str(root / "src")],
                  max_bytes=settings.max_file_bytes).documents
    raw = sum(len(d.text.encode("utf-8")) for d in docs)
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        corpus = segment_corpus(docs, Run(settings, LocalEngine(settings.jobs)), quotations=False)
        seconds.append(time.perf_counter() - start)
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
    return out, chars, list(corpus.segmented), seconds, raw


def datasketch_loop(passages: list[list[bytes]], settings: Settings) -> np.ndarray:
    out = np.empty((len(passages), settings.num_perm), dtype=np.uint32)
    for n, shingles in enumerate(passages):
        m = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        m.update_batch(shingles)
        out[n] = m.hashvalues
    return out


def rensa_loop(passages: list[list[bytes]], settings: Settings) -> list[list[int]]:
    from rensa import RMinHash

    out = []
    for shingles in passages:
        m = RMinHash(num_perm=settings.num_perm, seed=settings.seed)
        m.update([s.decode("utf-8") for s in shingles])
        out.append(m.digest())
    return out


def provcheck_batch(passages: list[list[bytes]], settings: Settings) -> np.ndarray:
    cache: dict[bytes, int] = {}  # as the pipeline does: hash each distinct stem once
    values = np.fromiter(
        (cache.get(s) or cache.setdefault(s, sha1_hash32(s)) for p in passages for s in p),
        dtype=np.uint32)
    bounds = np.concatenate(([0], np.cumsum([len(p) for p in passages])))
    return minhash(values, bounds, settings.num_perm, settings.seed)


def median_time(fn, *args):
    *args, repeat = args
    fn(args[0][:100], *args[1:])  # warm up (compile, caches) outside the timing
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def run_compare(root: Path, jobs: int, out: Path, code: Path | None = None) -> Measured:
    """The compare a user runs, of this checkout or (``code``) of another one."""
    env = ["env", f"PYTHONPATH={code}"] if code else []
    return run_measured([*env, sys.executable, "-m", "provcheck", "compare",
                         str(root / "susp"), str(root / "src"), "--format", "json", "-o",
                         str(out), "--jobs", str(jobs), "--no-progress"])


def checkout(revision: str, into: Path) -> Path:
    """A worktree of this repository at ``revision`` (removed with ``into``)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into),
                    revision], check=True)
    return into


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
    parser.add_argument("--baseline", metavar="REVISION",
                        help="Also time the compare of this git revision, alternately.")
    parser.add_argument("--signatures-only", action="store_true",
                        help="Skip the whole-corpus compare runs.")
    args = parser.parse_args()
    root = corpus_root(str(Path(args.data) / "pan13-train.tar.gz"))
    settings = Settings(jobs=args.jobs)

    passages, chars, segmented, seg_seconds, raw = passages_as_shingles(root, settings)
    sample = passages[:DATASKETCH_SAMPLE]
    assert np.array_equal(provcheck_batch(sample, settings), datasketch_loop(sample, settings)), \
        "signatures differ from datasketch"
    n = len(passages)
    rates = {  # passages per second, each the median of --repeat runs
        "datasketch": len(sample) / median_time(datasketch_loop, sample, settings, args.repeat),
        "rensa": n / median_time(rensa_loop, passages, settings, args.repeat),
        "provcheck": n / median_time(provcheck_batch, passages, settings, args.repeat),
    }
    pipeline = median_time(sign, segmented, settings, args.repeat)
    print(f"signatures: {n:,} passages, {chars / 1e6:.1f} MB of passage text "
          f"({raw / 1e6:.1f} MB of raw document text), num_perm {settings.num_perm}")
    for name, label in (("datasketch", "datasketch MinHash.update_batch loop"),
                        ("rensa", "rensa RMinHash loop (Rust)"),
                        ("provcheck", "provcheck kernel, shingle sets in")):
        print(f"  {label:38s} {rates[name]:10,.0f} passages/s "
              f"{rates[name] * chars / n / 1e6:8.2f} MB/s of passage text")
    print(f"  provcheck as the pipeline signs (term tables in): {pipeline:.3f} s, "
          f"{raw / 1e6 / pipeline:.0f} MB/s of raw text, {n / pipeline:,.0f} passages/s; "
          "target >= 300 MB/s")
    ours = rates["provcheck"]
    print(f"  ratios (passages/s): provcheck/datasketch {ours / rates['datasketch']:.1f}x, "
          f"provcheck/rensa {ours / rates['rensa']:.1f}x; pipeline signing "
          f"{n / pipeline / rates['datasketch']:.0f}x datasketch, "
          f"{n / pipeline / rates['rensa']:.1f}x rensa (signatures verified equal to datasketch)")
    seg = statistics.median(seg_seconds)
    print(f"  segmentation (tokenise, stem, sentences; makes the shingles): {seg:.1f} s, "
          f"{raw / 1e6 / seg:.1f} MB/s of raw text, --jobs {args.jobs}")

    if args.signatures_only:
        return
    runs, before = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        base = checkout(args.baseline, Path(tmp) / "baseline") if args.baseline else None
        try:
            if base:  # a warm-up each: the baseline compiles its kernels on its first run
                run_compare(root, args.jobs, out, base)
                run_compare(root, args.jobs, out)
            for _ in range(args.repeat):  # alternately: the machine's drift favours neither
                if base:
                    before.append(run_compare(root, args.jobs, out, base))
                runs.append(run_compare(root, args.jobs, out))
        finally:
            if base:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(base)], check=False)
        stats = json.loads(out.read_text())["stats"]
        found, wanted = labelled_found(root, out)
    wall = statistics.median(r.seconds for r in runs)
    if before:
        then = statistics.median(r.seconds for r in before)
        print(f"compare, {args.baseline} (same run, alternately): median {then:.1f} s of "
              f"{[round(r.seconds, 1) for r in before]}; now / {args.baseline} "
              f"{wall / then:.2f} (target <= 1.10)")
    docs = stats["documents"]
    print(f"compare over the whole corpus ({docs:,} documents, --jobs {args.jobs}):")
    print(f"  wall time: median {wall:.1f} s of {[round(r.seconds, 1) for r in runs]} "
          f"({docs / wall:.0f} documents/s); target <= 20 s")
    print(f"  peak memory (process tree): {peak_memory(runs)}; target < 2 GiB")
    print(f"  stage seconds (last run): {stats['seconds']}")
    print(f"  candidate document pairs {stats['candidate_document_pairs']:,}, "
          f"related {stats['related_pairs']:,}")
    print(f"  labelled PAN13 pairs with reuse reported related: {found}/{wanted} "
          f"({found / wanted:.1%})")


if __name__ == "__main__":
    run_benchmark(main)

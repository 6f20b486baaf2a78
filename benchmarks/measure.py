"""Running a command as a user would and measuring it: wall time, and peak memory of its
whole process tree (workers included), sampled from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from provcheck.errors import ProvcheckError


@dataclass(frozen=True, slots=True)
class Measured:
    """A command's wall time and the peaks of its process tree's memory, in bytes."""

    seconds: float
    resident: int  # VmRSS: everything mapped in, the index files' page cache included
    anonymous: int  # RssAnon summed per process: a forked worker's pages it still
    #                 shares with its parent count once in each
    proportional: int  # Pss_Anon: anonymous pages, each shared one split among its
    #                    sharers; the memory the tree takes from the machine


_FIELDS = ("VmRSS:", "RssAnon:", "Pss_Anon:")  # in /proc/PID/status and smaps_rollup
# Reading smaps_rollup walks the page tables of every mapping: a third of a second for a
# check with the index's 21 GB mapped in. Sampled every 50 ms it took most of a core of
# the two and slowed the run measured (check 140 s under it, 80 s without), so it is
# read only this share of the time; status, which is cheap, every 50 ms.
_ROLLUP_SHARE = 0.1
_INTERVAL = 0.05


def tree_memory(pid: int, *, proportional: bool = True) -> tuple[int, int, int]:
    """(resident, anonymous, proportional) memory of a process and all its descendants,
    in bytes (see ``Measured``); proportional is 0 unless asked for."""
    totals, stack = [0, 0, 0], [pid]
    files = ("status", "smaps_rollup") if proportional else ("status",)
    while stack:
        current = stack.pop()
        try:
            for name in files:
                with open(f"/proc/{current}/{name}") as lines:
                    for line in lines:
                        words = line.split()
                        if words and words[0] in _FIELDS:
                            totals[_FIELDS.index(words[0])] += int(words[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return totals[0], totals[1], totals[2]


def run_measured(cmd: list[str], ok: tuple[int, ...] = (0,)) -> Measured:
    """Run ``cmd`` and measure it. An exit code not in ``ok`` stops the benchmark."""
    peaks = [0, 0, 0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    done = threading.Event()

    def sample() -> None:
        rollup_at = 0.0  # when smaps_rollup may be read next
        while not done.is_set():
            began = time.perf_counter()
            rollup = began >= rollup_at
            for n, value in enumerate(tree_memory(proc.pid, proportional=rollup)):
                peaks[n] = max(peaks[n], value)
            if rollup:
                took = time.perf_counter() - began
                rollup_at = began + took / _ROLLUP_SHARE
            time.sleep(_INTERVAL)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed with exit code {code}")
    return Measured(elapsed, *peaks)


def peak_memory(runs: list[Measured]) -> str:
    """The peaks of ``runs`` in words."""
    gib = [max(getattr(r, f) for r in runs) / 2**30
           for f in ("proportional", "anonymous", "resident")]
    return (f"{gib[0]:.2f} GiB proportional (anonymous pages, a forked worker's shared ones "
            f"split), {gib[1]:.2f} GiB anonymous summed per process, {gib[2]:.2f} GiB "
            "resident with mapped files' page cache")


def run_benchmark(main: Callable[[], None]) -> None:
    """Run a benchmark's ``main``; missing or bad data (say, ``--data`` pointing where
    the corpora are not) ends it with the error's one line, not a traceback."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    try:
        main()
    except ProvcheckError as error:
        sys.exit(f"error: {error}")

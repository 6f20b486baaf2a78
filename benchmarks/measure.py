"""Running a command as a user would and measuring it: wall time, and peak resident memory
of its whole process tree (workers included), sampled from /proc."""

from __future__ import annotations

import subprocess
import threading
import time


def tree_rss(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of a process and all its descendants, in bytes: all of it
    (``VmRSS``), or only its anonymous memory (``RssAnon``: what it allocated, without
    the pages of files it maps, which are page cache the kernel can take back)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return total


def run_measured(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int, int]:
    """Run ``cmd``; its wall time in seconds, peak resident and peak anonymous memory in
    bytes. An exit code not in ``ok`` stops the benchmark."""
    peak = anonymous = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, anonymous
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            anonymous = max(anonymous, tree_rss(proc.pid, "RssAnon"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed with exit code {code}")
    return elapsed, peak, anonymous

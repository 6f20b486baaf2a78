"""A run killed by CI's timeout, ``docker stop`` or the OOM killer leaves no worker
behind: workers end with their parent, and SIGTERM ends a run as Ctrl-C does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

GRACE = 2.0  # seconds after the signal by which every process of the run is gone


@pytest.fixture(scope="module")
def corpus(pan13_folder: Callable[[int], Path]) -> Path:
    """Enough real articles that two workers are busy for several seconds."""
    return pan13_folder(1500)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: no dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


@pytest.mark.parametrize("command", ["compare", "index add"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_process_outlives_a_killed_run(corpus: Path, tmp_path: Path, command: str,
                                         sig: signal.Signals) -> None:
    args = ["--db", str(tmp_path / "x.db")] if command == "index add" else [
        "--format", "json", "-o", str(tmp_path / "out.json")]
    run = subprocess.Popen([sys.executable, "-m", "provcheck", *command.split(), str(corpus),
                            *args, "--jobs", "2", "--no-progress"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while len(workers := _children(run.pid)) < 2 and time.time() < deadline:
        time.sleep(0.02)
    assert len(workers) >= 2 and run.poll() is None, "the run ended before its workers began"
    run.send_signal(sig)
    time.sleep(GRACE)
    alive = [pid for pid in [run.pid, *workers] if _alive(pid)]
    for pid in alive:  # leave nothing behind, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert alive == [], (f"{len(alive)} process(es) of a run still alive {GRACE} s after "
                         f"{sig.name}: {'the run' if run.pid in alive else 'workers'}")
    code = run.wait(timeout=10)
    if sig == signal.SIGTERM:
        assert code == 143 and run.stderr and run.stderr.read() == "Terminated.\n"
        assert not list(tmp_path.glob(".out.json.*"))  # no temporary file left
    else:
        assert code == -signal.SIGKILL

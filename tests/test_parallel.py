"""The process-level policies of ``parallel``: the collector paused in a run's process
and on in the workers it forks."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from provcheck.parallel import collector_paused, worker_pool


def test_the_collector_is_paused_for_a_run_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a run inside a run (the CLI around the pipeline)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_workers_forked_while_it_is_paused_collect_for_themselves() -> None:
    with collector_paused(), worker_pool(1) as pool:
        assert pool.submit(gc.isenabled).result() is True


# A pool whose workers are killed while they send large results: stopping it must end,
# although a result is left half written in the pipe (run in a child, so that a hang
# is a failure, not a suite that never ends).
_ABANDON = """
import time
from provcheck.parallel import stop_pool, worker_pool

def big(_):
    return b"x" * 400_000_000  # ~0.2 s or more to write through a pipe

pool = worker_pool(2)
futures = [pool.submit(big, k) for k in range(8)]
time.sleep({delay})
stop_pool(pool, abandoned=True)
print("stopped")
"""


@pytest.mark.parametrize("delay", [0.6, 0.9, 1.2])
def test_abandoning_a_pool_ends_even_when_a_result_is_half_sent(delay: float) -> None:
    run = subprocess.run([sys.executable, "-c", _ABANDON.format(delay=delay)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout == "stopped\n", run.stderr[-2000:]

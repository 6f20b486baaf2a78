"""The process-level policies of ``parallel``: the collector paused in a run's process
and on in the workers it forks."""

from __future__ import annotations

import gc

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

"""Run a stage over batches of records, in worker processes when asked to.

Stages are plain functions ``fn(batch, context)`` with no shared state: the context
(for example the segmented corpus a batch of document pairs refers to) is handed to
each worker once when the pool starts, and each batch carries only small records
(indices, documents). The same call runs in this process, in a local process pool, or
as the task of a distributed engine. A stage can be started and its results collected
later (``Pending``), so that this process does other work while the workers run.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any, Generic, Protocol, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

_worker_context: Any = None  # set once per worker process by _install
# A worker collects its young objects after this many allocations (Python's default is
# 700): it makes records batch after batch and keeps few of them (a cache of prepared
# documents), so each collection finds next to nothing while it scans what is kept
# (benchmarks/RESULTS.md has the measurement).
WORKER_COLLECT_AFTER = 50_000
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
# How often a worker looks whether its parent is still alive.
PARENT_CHECK_SECONDS = 0.2
# A terminated worker that has not ended after this long is killed.
WORKER_END_SECONDS = 1.0


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Call(Protocol[R_co]):
    """A batch submitted to workers: a local future or a distributed engine's."""

    def result(self) -> R_co: ...


class Pending(Generic[R]):
    """A stage's results, possibly still being made: ``result()`` waits for them (in
    input order), ``each()`` gives them in input order as their batches finish, so that
    this process can work on the first while the workers make the rest; ``close()``
    gives them up. Any of them ends what the stage started. A stage whose workers send
    their results in another form says how to read them (``decoded``)."""

    def __init__(self, calls: Sequence[Call[list[R]]] = (),
                 end: Callable[[bool], None] | None = None, *, done: list[R] | None = None,
                 ) -> None:
        self._calls = calls
        self._end = end
        self._out = done
        self._decode: Callable[[Any], Any] | None = None

    def decoded(self, decode: Callable[[Any], T]) -> Pending[T]:
        """These results, each read by ``decode`` (before any is taken)."""
        read = cast("Pending[T]", self)
        if self._out is not None:
            read._out = [decode(item) for item in self._out]
        else:
            read._decode = decode
        return read

    def result(self) -> list[R]:
        return list(self.each()) if self._out is None else self._out

    def each(self) -> Iterator[R]:
        if self._out is not None:
            yield from self._out
            return
        out: list[R] = []
        try:
            for call in self._calls:
                batch = call.result()
                if self._decode is not None:
                    batch = [self._decode(item) for item in batch]
                out.extend(batch)
                yield from batch
            self._out, self._calls = out, ()  # the results are held once
        finally:
            self.close()

    def close(self) -> None:
        if self._end is not None:
            end, self._end = self._end, None
            end(self._out is None)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off in this process while a run builds its records.
    They hold no reference cycles, yet each full collection scans every one of them, and
    a run's records only grow, so each collection takes longer than the last. Reference
    counting still frees what is dropped; what is cyclic waits for the collector, which
    is on again after the run. Worker processes forked meanwhile turn it back on for
    themselves (``worker_pool``)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def worker_pool(jobs: int, context: Any = None) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes (at most the cores) holding ``context``, each
    with the garbage collector on (see ``collector_paused``), collecting less often
    (``WORKER_COLLECT_AFTER``), and ending when this process ends (``_watch_parent``)."""
    return ProcessPoolExecutor(max_workers=min(jobs, os.cpu_count() or 1),
                               initializer=_install, initargs=(context, os.getpid()))


def stop_pool(pool: ProcessPoolExecutor, *, abandoned: bool) -> None:
    """Shut ``pool`` down. A run that is abandoned (an error, Ctrl-C, SIGTERM) ends its
    workers at once instead of waiting for their batches, which may take minutes."""
    if abandoned:
        _end_workers(pool)
    pool.shutdown(wait=True, cancel_futures=abandoned)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Kill ``pool``'s workers and let its manager thread see them gone.

    A worker killed while it writes a result leaves half a message in the result pipe,
    and the pool's manager thread waits for the rest for ever: the parent holds the
    pipe's write end too, so the read never ends (and ``shutdown``, and the interpreter
    at exit, wait on that thread). Once the workers are reaped, closing the parent's
    write end ends the read; the thread reads a broken pool and stops. The processes
    and the pipe are only reachable through private attributes (CPython 3.10-3.14)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=WORKER_END_SECONDS)
        if process.exitcode is None:  # SIGTERM held off (a worker stuck in a system call)
            process.kill()
            process.join()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


@contextmanager
def pool_of(jobs: int, context: Any = None) -> Iterator[ProcessPoolExecutor]:
    """``worker_pool`` for a ``with`` block, stopped with ``stop_pool``."""
    pool = worker_pool(jobs, context)
    try:
        yield pool
    except BaseException:
        stop_pool(pool, abandoned=True)
        raise
    stop_pool(pool, abandoned=False)


def start_batches(
    fn: Callable[[Sequence[T], Any], list[R]],
    items: Sequence[T],
    *,
    jobs: int,
    batch_size: int,
    context: Any = None,
    on_batch: Callable[[int], None] | None = None,
    pool: Executor | None = None,
) -> Pending[R]:
    """``fn(batch, context)`` over ``items`` in batches, started: the workers run while
    this process goes on, ``result()`` gives the results in input order. The batches run
    in ``pool`` if given (its processes have no context), else in a pool started here,
    or here and now when there is one job or one batch."""
    chunks = list(batches(items, batch_size))
    if jobs <= 1 or len(chunks) <= 1:
        out: list[R] = []
        for chunk in chunks:
            out.extend(fn(chunk, context))
            if on_batch:
                on_batch(len(chunk))
        return Pending(done=out)
    if pool is not None:
        return Pending(_submitted(pool, fn, chunks, on_batch))
    workers = min(jobs, len(chunks), os.cpu_count() or 1)
    # Forked workers share the context's pages until they write to them; the collector
    # would write to every object it scans, so this process's objects are set aside
    # from collection while the workers live. They are forked here, at the first
    # submission, by this thread.
    gc.freeze()
    own = worker_pool(workers, context)

    def end(abandoned: bool) -> None:
        stop_pool(own, abandoned=abandoned)
        gc.unfreeze()

    try:
        return Pending(_submitted(own, fn, chunks, on_batch), end)
    except BaseException:
        end(True)
        raise


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while this thread submits work, which forks the
    pool's workers: a signal handled inside the fork's hooks (logging releases its locks
    there) raises where Python ignores the exception, and the run would go on to its end.
    Held, it is handled as soon as the workers are started. The workers unblock them for
    themselves (``_install``)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are handled in the main thread only
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _submitted(pool: Executor, fn: Callable[[Sequence[T], Any], list[R]],
               chunks: list[Sequence[T]], on_batch: Callable[[int], None] | None,
               ) -> list[Future[list[R]]]:
    with signals_held():
        calls = [pool.submit(_call, fn, chunk) for chunk in chunks]
    tick_when_done(chunks, calls, on_batch)
    return calls


def tick_when_done(chunks: Sequence[Sequence[Any]], calls: Sequence[Any],
                   on_batch: Callable[[int], None] | None) -> None:
    """``on_batch(size)`` as each batch finishes, called by the thread that learns it
    (a local pool's or a cluster client's), so that progress shows while this process
    does other work."""
    if on_batch:
        for chunk, call in zip(chunks, calls, strict=True):
            call.add_done_callback(partial(_ticked, on_batch, len(chunk)))


def _ticked(on_batch: Callable[[int], None], size: int, _call: Future[Any]) -> None:
    on_batch(size)


def _install(context: Any, parent: int) -> None:
    global _worker_context
    _worker_context = context
    gc.set_threshold(WORKER_COLLECT_AFTER, *gc.get_threshold()[1:])
    gc.enable()
    # The parent turns SIGTERM into Ctrl-C (``cli``); a worker told to end just ends,
    # even if it was forked while its parent held the signals back (``signals_held``).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_SIGNALS)
    threading.Thread(target=_watch_parent, args=(parent,), name="provcheck-parent",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker once its parent is gone (SIGKILL, the OOM killer): a forked worker
    holds the write end of its own task pipe, so it would wait on it for ever. A thread
    that looks rather than a parent-death signal, which Linux sends when the *thread*
    that forked the worker ends, and the pools are started from short-lived threads."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _call(fn: Callable[[Sequence[T], Any], list[R]], chunk: Sequence[T]) -> list[R]:
    return fn(chunk, _worker_context)

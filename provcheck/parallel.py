"""Run a stage over batches of records, in worker processes when asked to.

Stages are plain functions ``fn(batch, context)`` with no shared state: the context
(for example the segmented corpus a batch of document pairs refers to) is handed to
each worker once when the pool starts, and each batch carries only small records
(indices, documents). The same call runs in this process, in a local process pool, or
as the task of a distributed engine.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_worker_context: Any = None  # set once per worker process by _install


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def map_batches(
    fn: Callable[[Sequence[T], Any], list[R]],
    items: Sequence[T],
    *,
    jobs: int,
    batch_size: int,
    context: Any = None,
    on_batch: Callable[[int], None] | None = None,
    pool: Executor | None = None,
) -> list[R]:
    """``fn(batch, context)`` over ``items`` in batches, results in input order; in
    ``pool`` if given (its processes have no context), else in a pool started here."""
    out: list[R] = []
    chunks = list(batches(items, batch_size))
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            out.extend(fn(chunk, context))
            if on_batch:
                on_batch(len(chunk))
        return out
    if pool is not None:
        return _gathered(pool, fn, chunks, out, on_batch)
    workers = min(jobs, len(chunks), os.cpu_count() or 1)
    # Forked workers share the context's pages until they write to them; the collector
    # would write to every object it scans, so this process's objects are set aside
    # from collection while the workers live.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_install,
                                 initargs=(context,)) as own:
            return _gathered(own, fn, chunks, out, on_batch)
    finally:
        gc.unfreeze()


def _gathered(pool: Executor, fn: Callable[[Sequence[T], Any], list[R]],
              chunks: list[Sequence[T]], out: list[R],
              on_batch: Callable[[int], None] | None) -> list[R]:
    calls = [pool.submit(_call, fn, chunk) for chunk in chunks]
    for chunk, call in zip(chunks, calls, strict=True):
        out.extend(call.result())
        if on_batch:
            on_batch(len(chunk))
    return out


def _install(context: Any) -> None:
    global _worker_context
    _worker_context = context


def _call(fn: Callable[[Sequence[T], Any], list[R]], chunk: Sequence[T]) -> list[R]:
    return fn(chunk, _worker_context)

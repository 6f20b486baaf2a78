"""Run a stage over batches of records, in worker processes when asked to.

Stages are plain functions ``fn(batch, context)`` with no shared state: the context
(for example the segmented corpus a batch of document pairs refers to) is handed to
each worker once when the pool starts, and each batch carries only small records
(indices, documents). The same call runs in this process, in a local process pool, or
as the task of a distributed engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
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
) -> list[R]:
    """``fn(batch, context)`` over ``items`` in batches, results in input order."""
    out: list[R] = []
    chunks = list(batches(items, batch_size))
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            out.extend(fn(chunk, context))
            if on_batch:
                on_batch(len(chunk))
        return out
    workers = min(jobs, len(chunks), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, initializer=_install,
                             initargs=(context,)) as pool:
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

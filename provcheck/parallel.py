"""Run a stage over batches of records, in worker processes when asked to.

Stages are plain functions from a batch of records to a list of results, with no
shared state, so the same call runs in this process, in a local process pool, or
(later) as a task of a distributed engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def map_batches(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    jobs: int,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> list[R]:
    """``fn`` over ``items`` in batches, results in input order."""
    out: list[R] = []
    chunks = list(batches(items, batch_size))
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            out.extend(fn(chunk))
            if on_batch:
                on_batch(len(chunk))
        return out
    workers = min(jobs, len(chunks), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk, result in zip(chunks, pool.map(fn, chunks), strict=True):
            out.extend(result)
            if on_batch:
                on_batch(len(chunk))
    return out

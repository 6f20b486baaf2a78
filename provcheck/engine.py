"""Where the batch stages run: in this process and a local process pool (the default),
or on a Dask distributed cluster.

Every parallel stage of the pipeline is ``fn(batch, context) -> list`` over small
records (``parallel.start_batches``), and the candidate stage is a join partitioned by LSH
band key (``candidates.band_shards``). An engine runs those two shapes; nothing else in
the pipeline knows where it runs, so an embedded run and a cluster run give the same
report.

Dask rather than Spark: the stages are numpy and Python functions on batches, which Dask
runs as they are (cloudpickled, no JVM and no row serialisation); its ``LocalCluster``
is the same scheduler and worker code as a real cluster, so CI tests the real thing;
and it installs from PyPI wheels alone.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from provcheck.errors import ConfigError
from provcheck.parallel import (
    Pending,
    batches,
    start_batches,
    stop_pool,
    tick_when_done,
    worker_pool,
)

T = TypeVar("T")
R = TypeVar("R")

Batch = Callable[[Sequence[T], Any], list[R]]
# The part of a stage's context one batch needs, so a cluster ships only that.
Subset = Callable[[Any, Sequence[T]], Any]

LOCAL = "local"
DASK = "dask://"


class Engine(Protocol):
    # How many LSH band partitions the candidate join is split into (1: no split).
    partitions: int
    # Whether the workers are forked from this process, and so start with what it has
    # loaded (``pipeline.ready``).
    forks: bool

    def map(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
            context: Any = None, subset: Subset[T] | None = None,
            on_batch: Callable[[int], None] | None = None) -> list[R]:
        """``fn(batch, context)`` over ``items`` in batches, results in input order."""
        ...

    def start(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
              context: Any = None, subset: Subset[T] | None = None,
              on_batch: Callable[[int], None] | None = None) -> Pending[R]:
        """``map`` started: its results are collected later, this process goes on."""
        ...


class LocalEngine:
    """This machine: ``jobs`` worker processes. Stages without a context run in a pool
    that is kept between them when ``keep_pool`` (``index add`` segments batch after
    batch); a stage with a context gets a pool of its own, forked with the context, and
    the kept pool is closed first, so that its idle workers hold no memory meanwhile."""

    partitions = 1
    forks = True

    def __init__(self, jobs: int = 1, *, keep_pool: bool = False) -> None:
        self.jobs = jobs
        self.keep_pool = keep_pool and jobs > 1
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
            context: Any = None, subset: Subset[T] | None = None,
            on_batch: Callable[[int], None] | None = None) -> list[R]:
        return self.start(fn, items, batch_size=batch_size, context=context,
                          on_batch=on_batch).result()

    def start(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
              context: Any = None, subset: Subset[T] | None = None,
              on_batch: Callable[[int], None] | None = None) -> Pending[R]:
        if context is not None:
            self.close()
        elif self.keep_pool and self._pool is None:
            self._pool = worker_pool(self.jobs)
        return start_batches(fn, items, jobs=self.jobs, batch_size=batch_size, context=context,
                             on_batch=on_batch, pool=self._pool if context is None else None)

    def close(self, *, abandoned: bool = False) -> None:
        if self._pool is not None:
            stop_pool(self._pool, abandoned=abandoned)
            self._pool = None


class DaskEngine:
    """A Dask distributed cluster. A stage's context goes to the workers once, or, for a
    stage that gives a ``subset``, each batch carries only the part of it it needs (the
    documents of its pairs), so no worker holds the whole corpus."""

    forks = False

    def __init__(self, client: Any) -> None:
        self.client = client
        workers = len(client.scheduler_info().get("workers", {}))
        # A few band partitions per worker keeps them busy without tiny tasks.
        self.partitions = max(2, 2 * workers)
        _same_version(client)

    def map(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
            context: Any = None, subset: Subset[T] | None = None,
            on_batch: Callable[[int], None] | None = None) -> list[R]:
        return self.start(fn, items, batch_size=batch_size, context=context, subset=subset,
                          on_batch=on_batch).result()

    def start(self, fn: Batch[T, R], items: Sequence[T], *, batch_size: int,
              context: Any = None, subset: Subset[T] | None = None,
              on_batch: Callable[[int], None] | None = None) -> Pending[R]:
        chunks = list(batches(items, batch_size))
        shared = None
        if chunks and subset is None and context is not None:
            shared = self.client.scatter(context, broadcast=True, hash=False)
        calls = [self.client.submit(fn, chunk, subset(context, chunk) if subset else shared,
                                    pure=False)
                 for chunk in chunks]
        tick_when_done(chunks, calls, on_batch)
        return Pending(calls, lambda abandoned: self.client.cancel(calls) if abandoned else None)


@contextmanager
def open_engine(spec: str | None, jobs: int) -> Iterator[Engine]:
    """The engine named by ``--engine``: ``local`` (default), ``dask://local`` (a local
    Dask cluster of ``jobs`` worker processes) or ``dask://HOST:PORT`` (a running
    scheduler)."""
    spec = spec or LOCAL
    if spec == LOCAL:
        engine = LocalEngine(jobs, keep_pool=True)
        try:
            yield engine
        except BaseException:
            engine.close(abandoned=True)
            raise
        engine.close()
        return
    if not spec.startswith(DASK):
        raise ConfigError(f"--engine {spec!r} is not known: use 'local', 'dask://local' or "
                          "'dask://HOST:PORT' (a Dask scheduler).")
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise ConfigError("--engine dask://… needs Dask: pip install 'provcheck[dask]'.") from err
    address = spec[len(DASK):]
    if address == "local":
        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield DaskEngine(client)
        return
    try:
        _reachable(address)
        client = Client(f"tcp://{address}", timeout=30)
    except OSError as err:
        raise ConfigError(f"--engine {spec}: no Dask scheduler answers at {address} ({err}); "
                          "start one with `dask scheduler` or check the address.") from err
    with client:
        yield DaskEngine(client)


def _reachable(address: str) -> None:
    """Fail at once on an address nothing listens at (Dask would retry until its timeout)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--engine dask://{address}: give the scheduler as HOST:PORT, e.g. "
                          "dask://10.0.0.5:8786.")
    with socket.create_connection((host, int(port)), timeout=10):
        pass


def _same_version(client: Any) -> None:
    """Workers must run this provcheck, or the two engines could disagree."""
    from provcheck import __version__ as mine

    def theirs() -> str:
        import provcheck

        return provcheck.__version__

    found = set(client.run(theirs).values())
    if found - {mine}:
        raise ConfigError(f"the Dask workers run provcheck {', '.join(sorted(found))}, this is "
                          f"{mine}; install the same version on every worker.")


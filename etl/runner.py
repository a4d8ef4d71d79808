"""Executors for the per-article work: in this process, in a process pool, or on Dask.

Every runner maps a picklable *worker factory* over a sequence of tasks and yields the
results **in task order**, whatever order they were computed in, so a build's output does
not depend on the runner or on the number of workers:

    runner.map(tasks, factory)  ->  iterator of factory()(task), one per task, in order

``factory()`` is called once per worker process (once per partition on Dask) and returns
the callable applied to each task; the build passes a factory that loads the Extractor,
and tasks that are file paths, so that workers read the articles themselves and no text
crosses a process boundary. Tests pass any picklable factory.

``dask`` and ``distributed`` are imported only by ``DaskRunner``; importing this module
or running the other runners never imports them.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .errors import EtlError

T = TypeVar("T")
R = TypeVar("R")
WorkerFactory = Callable[[], Callable[[Any], Any]]

# Tasks per chunk sent to a worker process: large enough that the per-chunk overhead
# (pickling the chunk and its results, one round trip) is small, small enough that the
# results waiting to be consumed stay few.
CHUNK_SIZE = 64
# Chunks in flight per worker: keeps every worker busy while the parent consumes results,
# without queueing the whole corpus (memory stays flat as the corpus grows).
CHUNKS_AHEAD = 3


class Runner(Protocol):
    def map(self, tasks: Sequence[Any], factory: WorkerFactory) -> Iterator[Any]:
        """``factory()(task)`` for every task, yielded in task order."""
        ...


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class SerialRunner:
    """Everything in this process, one task at a time: the reference the others must match."""

    def map(self, tasks: Sequence[Any], factory: WorkerFactory) -> Iterator[Any]:
        if not tasks:
            return
        work = factory()
        for task in tasks:
            yield work(task)


# -- process pool ------------------------------------------------------------------------
#
# A pool initializer can hand the loaded worker to later tasks only through the worker
# process's globals: this slot is that hand-over. It is set once per *worker* process by
# ``_load_worker`` and never in the parent.
_PROCESS_WORKER: list[Callable[[Any], Any]] = []


def logging_setup() -> tuple[int, str | None]:
    """The root logger's level and format here, for worker processes to log the same way."""
    root = logging.getLogger()
    formats = [h.formatter._fmt for h in root.handlers if h.formatter is not None]
    return root.level, (formats[0] if formats else None)


def apply_logging(setup: tuple[int, str | None]) -> None:
    """In a worker: log like the parent (which configured logging, e.g. ``etl --verbose``)."""
    level, fmt = setup
    root = logging.getLogger()
    if fmt is not None and not root.handlers:
        logging.basicConfig(format=fmt)
    root.setLevel(level)


def _load_worker(factory: WorkerFactory, log: tuple[int, str | None]) -> None:
    apply_logging(log)
    _PROCESS_WORKER[:] = [factory()]


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    work = _PROCESS_WORKER[0]
    return [work(task) for task in chunk]


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean single-threaded process (no copy of a parent
    # holding a progress-bar thread or a Dask client), yet start faster than spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@dataclass(frozen=True)
class ProcessRunner:
    """A pool of ``workers`` processes, each loading the worker once (pool initializer).

    Tasks go out in chunks of ``chunk_size``, at most ``chunks_ahead`` per worker in
    flight; results come back in task order.
    """

    workers: int
    chunk_size: int = CHUNK_SIZE
    chunks_ahead: int = CHUNKS_AHEAD

    def map(self, tasks: Sequence[Any], factory: WorkerFactory) -> Iterator[Any]:
        if not tasks:
            return
        n_chunks = -(-len(tasks) // self.chunk_size)
        if self.workers <= 1 or n_chunks <= 1:
            # Starting processes costs more than one chunk of work: do it here.
            yield from SerialRunner().map(tasks, factory)
            return
        parts = chunks(tasks, self.chunk_size)
        with ProcessPoolExecutor(
            max_workers=min(self.workers, n_chunks), mp_context=_context(), initializer=_load_worker,
            initargs=(factory, logging_setup())
        ) as pool:
            pending: deque[Future] = deque()
            try:
                for part in parts:
                    pending.append(pool.submit(_run_chunk, part))
                    if len(pending) >= self.workers * self.chunks_ahead:
                        yield from pending.popleft().result()
                while pending:
                    yield from pending.popleft().result()
            except BrokenProcessPool as exc:
                raise EtlError(f"a worker process died ({exc}); out of memory? try fewer --workers") from exc
            finally:
                for future in pending:
                    future.cancel()


# -- Dask -----------------------------------------------------------------------------------


def _run_partition(tasks: Sequence[Any], factory: WorkerFactory, log: tuple[int, str | None]) -> list[Any]:
    logging.getLogger("etl").setLevel(log[0])  # the Dask worker keeps its own handlers
    work = factory()
    return [work(task) for task in tasks]


@dataclass(frozen=True)
class DaskRunner:
    """A Dask bag over the tasks, ``factory()`` called once per partition.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) the work goes to that
    cluster: its workers must be able to import ``etl`` and read the task paths (a shared
    file system). Without it, a ``LocalCluster`` of ``workers`` single-threaded processes
    is started for the run. Partitions are gathered one at a time, in order.
    """

    workers: int = 0  # 0: all cores (local cluster only)
    scheduler: str | None = None
    partition_size: int = 4000

    def map(self, tasks: Sequence[Any], factory: WorkerFactory) -> Iterator[Any]:
        if not tasks:
            return
        import dask.bag as db
        from distributed import Client, LocalCluster

        workers = self.workers or available_cores()
        # At least two partitions per worker so that no worker waits on a straggler alone.
        npartitions = max(1, min(len(tasks), max(2 * workers, -(-len(tasks) // self.partition_size))))
        bag = db.from_sequence(list(tasks), npartitions=npartitions).map_partitions(_run_partition, factory, logging_setup())
        if self.scheduler:
            with Client(self.scheduler) as client:
                yield from _gather_in_order(client, bag)
            return
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
            yield from _gather_in_order(client, bag)


def _gather_in_order(client: Any, bag: Any) -> Iterator[Any]:
    futures = client.compute(bag.to_delayed())
    try:
        for future in futures:
            part = future.result()
            future.release()
            yield from part
    finally:
        for future in futures:
            future.release()


def make_runner(engine: str = "local", workers: int = 0, scheduler: str | None = None) -> Runner:
    """The runner for ``etl build --engine ENGINE --workers N [--scheduler ADDRESS]``.

    ``workers`` 0 means all cores; ``local`` with one worker runs in this process.
    """
    if engine == "dask":
        return DaskRunner(workers=workers, scheduler=scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (known: local, dask)")
    workers = workers or available_cores()
    return SerialRunner() if workers <= 1 else ProcessRunner(workers=workers)

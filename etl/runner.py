"""Executors for the per-article work: in this process, in a process pool, or on Dask.

Every runner maps a picklable *worker factory* over a sized iterable of tasks (a sequence,
or ``LazyTasks``: made as they are sent out) and yields the results **in task order**, whatever order they were computed in, so a build's output does
not depend on the runner or on the number of workers:

    runner.map(tasks, factory)  ->  iterator of factory()(task), one per task, in order

``factory()`` is called once per worker process (once per partition on Dask) and returns
the callable applied to each task; the build passes a factory that loads the Extractor,
and tasks that are file paths, so that workers read the articles themselves and no text
crosses a process boundary. Tests pass any picklable factory.

``dask`` and ``distributed`` are imported only by ``DaskRunner`` (and ``pyarrow`` only
by its partition files); importing this module or running the other runners never
imports them.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, Union

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


Tasks = Union[Sequence[Any], "LazyTasks"]  # what a runner maps over: its number known in advance


class Runner(Protocol):
    def map(self, tasks: Tasks, factory: WorkerFactory) -> Iterator[Any]:
        """``factory()(task)`` for every task, yielded in task order."""
        ...


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class LazyTasks:
    """Tasks made one at a time as a runner sends them out (memory holds those in flight,
    not all of them), their number known in advance: for ``ProcessRunner`` and
    ``SerialRunner``, whose ``map`` takes any sized iterable."""

    items: Iterable[Any]
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


@dataclass(frozen=True)
class SerialRunner:
    """Everything in this process, one task at a time: the reference the others must match."""

    def map(self, tasks: Tasks, factory: WorkerFactory) -> Iterator[Any]:
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
    # What is loaded now lives as long as the process (the Extractor: ~1M objects): kept
    # out of the cyclic collector's full scans, which otherwise walk it again and again.
    gc.freeze()


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    work = _PROCESS_WORKER[0]
    return [work(task) for task in chunk]


# What the fork server imports once (with the main module, as by default), so that the
# workers of every pool of a build (extraction, settling countries, rendering months)
# start as copies of a process that has them, instead of importing pandas, pyarrow and the
# extractor's modules again (~0.6 s per worker, per pool).
PRELOAD = ("__main__", "etl.build", "etl.pipeline", "etl.settle")


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean single-threaded process (no copy of a parent
    # holding a progress-bar thread or a Dask client), yet start faster than spawn.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))  # read when the server starts: the first pool of a process
    return context


@dataclass(frozen=True)
class ProcessRunner:
    """A pool of ``workers`` processes, each loading the worker once (pool initializer).

    Tasks go out in chunks of ``chunk_size``, at most ``chunks_ahead`` per worker in
    flight; results come back in task order.
    """

    workers: int
    chunk_size: int = CHUNK_SIZE
    chunks_ahead: int = CHUNKS_AHEAD
    fork_one_chunk: bool = True

    def map(self, tasks: Tasks, factory: WorkerFactory) -> Iterator[Any]:
        """A job of one chunk (a rebuild's few new articles) is not worth a pool: it starts
        at once in one process forked from this one (``ForkedChunk``), so the caller's
        other work (reading the cached outcomes) runs meanwhile on another core. Without
        ``fork_one_chunk`` it goes to a pool all the same: for workers that open files
        this process has open in a way a fork must not share (SQLite's locks are per
        process: a forked child must not use a database its parent has open)."""
        if not tasks:
            return iter(())
        n_chunks = -(-len(tasks) // self.chunk_size)
        if self.workers <= 1:
            return SerialRunner().map(tasks, factory)
        if n_chunks <= 1 and self.fork_one_chunk:
            return ForkedChunk.start(list(tasks), factory) if can_fork() else SerialRunner().map(tasks, factory)
        return self._pooled(tasks, factory, n_chunks)

    def _pooled(self, tasks: Tasks, factory: WorkerFactory, n_chunks: int) -> Iterator[Any]:
        parts = batches(tasks, self.chunk_size)
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
                raise worker_died(str(exc)) from exc
            finally:
                for future in pending:
                    future.cancel()


def worker_died(detail: str) -> EtlError:
    """The one-line error for a worker process that ended without its results."""
    return EtlError(f"a worker process died ({detail}); out of memory? try fewer --workers")


def can_fork() -> bool:
    """Whether this process may fork a worker safely: on Linux (macOS's system libraries
    are not safe to fork), and with no other thread running (a thread holding a lock at
    the fork would leave it held in the child forever)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods() \
        and threading.active_count() == 1


class ForkedChunk:
    """The results of one chunk of tasks, computed by a child process forked from this one
    when made (``start``): no interpreter to start and nothing to import or pickle on the
    way in, so the child is at work at once while this process goes on. Iterating waits
    for the results and yields them in task order; a task's exception is raised here, as
    a pool's would be. ``close`` ends the child if its results are no longer wanted."""

    def __init__(self, process: multiprocessing.process.BaseProcess, receive: Any):
        self._process = process
        self._receive = receive
        self._results: Iterator[Any] | None = None

    @classmethod
    def start(cls, chunk: list[Any], factory: WorkerFactory) -> "ForkedChunk":
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # else the child would write their buffers again
            with contextlib.suppress(Exception):
                stream.flush()
        process = context.Process(target=_run_forked, args=(chunk, factory, logging_setup(), send), daemon=True)
        process.start()
        send.close()
        return cls(process, receive)

    def __iter__(self) -> "ForkedChunk":
        return self

    def __next__(self) -> Any:
        if self._results is None:
            try:
                status, value = self._receive.recv()
            except EOFError:
                raise worker_died(f"exit code {self._wait()}") from None
            except BaseException:  # e.g. Ctrl-C while waiting
                self.close()
                raise
            self._wait()
            self._receive.close()
            if status == "error":
                raise value
            self._results = iter(value)
        return next(self._results)

    def _wait(self) -> int | None:
        self._process.join()
        return self._process.exitcode

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _run_forked(chunk: list[Any], factory: WorkerFactory, log: tuple[int, str | None], send: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends this process
    try:
        apply_logging(log)
        work = factory()
        message: tuple[str, Any] = ("ok", [work(task) for task in chunk])
    except BaseException as exc:  # raised again in the parent
        message = ("error", exc)
    try:
        send.send(message)
    except Exception as exc:  # an exception or result that cannot be pickled
        send.send(("error", EtlError(f"a worker process could not return its results: {type(exc).__name__}: {exc}")))
    send.close()


# -- Dask -----------------------------------------------------------------------------------
#
# A Dask worker writes the results of its partition into one Parquet file of a results
# folder; the driver reads the files back in partition order, one at a time, and deletes
# each once read. Only file paths cross the scheduler, and a finished partition waits on
# disk (not in a worker's memory) until the driver reaches it.

ROWS_PER_GROUP = 64  # results per Parquet row group: what the writer and the reader hold


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), consumed lazily."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def result_label(result: Any) -> str | None:
    """The key a result names, for a reader of the partition files: ``result.key``, else
    ``result.article.key`` (an ``ArticleOutcome``), else None."""
    for holder in (result, getattr(result, "article", None)):
        key = getattr(holder, "key", None)
        if isinstance(key, str):
            return key
    return None


def dumps(result: Any) -> bytes:
    """``result`` pickled; by cloudpickle (Dask's) if plain pickle cannot, as Dask does
    (e.g. an instance of a class Dask shipped by value, which no worker can import)."""
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        import cloudpickle

        return cloudpickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def partition_path(folder: Path, number: int) -> Path:
    return folder / f"part-{number:05d}.parquet"


def write_partition(results: Iterable[Any], path: Path, rows_per_group: int = ROWS_PER_GROUP) -> int:
    """Write ``results`` into the Parquet file ``path``, a row each; returns the row count.

    Columns: ``index`` (the result's position in the partition), ``key``
    (``result_label``, may be null) and ``result`` (pickled). Written a row group at a time
    under a hidden temporary name, then renamed: ``path`` is complete or absent, never
    half-written (Parquet readers skip the hidden file a killed worker leaves).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("index", pa.int32()), ("key", pa.string()), ("result", pa.binary())])
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
    count = 0
    try:
        with pq.ParquetWriter(temporary, schema) as writer:
            for group in batches(results, rows_per_group):
                writer.write_table(pa.table({
                    "index": range(count, count + len(group)),
                    "key": [result_label(r) for r in group],
                    "result": [dumps(r) for r in group],
                }, schema=schema))
                count += len(group)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def read_partition(path: Path, rows: int) -> Iterator[Any]:
    """The results in the partition file ``path``, in order, a row group at a time; the
    file is deleted once read. Raises EtlError unless it holds exactly ``rows`` results."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as file:
        if file.metadata.num_rows != rows:
            raise EtlError(f"{path}: {file.metadata.num_rows} results, expected {rows}")
        position = 0
        for batch in file.iter_batches(batch_size=ROWS_PER_GROUP, columns=["index", "result"]):
            if batch.column("index").to_pylist() != list(range(position, position + batch.num_rows)):
                raise EtlError(f"{path}: results out of order after row {position}")
            for blob in batch.column("result").to_pylist():
                yield pickle.loads(blob)
            position += batch.num_rows
    path.unlink()


@contextlib.contextmanager
def map_folder(parent: Path | None) -> Iterator[Path]:
    """A new folder for one map's partition files under ``parent`` (made if missing; else
    the system's temporary folder), removed with what is left in it afterwards."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    parent.mkdir(parents=True, exist_ok=True)
    folder = parent / f"etl-dask-{uuid.uuid4().hex}"
    folder.mkdir()  # default permissions, not mkdtemp's 0700: cluster workers may be other users
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_partition(part: tuple[int, Sequence[Any]], factory: WorkerFactory, log: tuple[int, str | None],
                   folder: str) -> str:
    """On a Dask worker: the results of partition ``part`` (its number, its tasks) into its file."""
    logging.getLogger("etl").setLevel(log[0])  # the Dask worker keeps its own handlers
    number, tasks = part
    work = factory()
    path = partition_path(Path(folder), number)
    write_partition((work(task) for task in tasks), path)
    return str(path)


@dataclass(frozen=True)
class DaskRunner:
    """A Dask bag of partitions of the tasks, ``factory()`` called once per partition.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) the work goes to that
    cluster; without it, a ``LocalCluster`` of ``workers`` single-threaded processes is
    started for the run. Each partition's results are written by its Dask worker into one
    Parquet file (``write_partition``) of a folder of the map's own under ``results``
    (``RESULTS/etl-dask-ID/part-00000.parquet``, ...); the driver reads the files back in
    order, one at a time, deleting each once read, and the folder at the end.

    On a real cluster the workers must be able to import ``etl``, to read the task paths
    and to write into ``results``: both must be on a file system the workers and the
    driver share (the build puts ``results`` in its working folder, under the output
    folder, private to the build's user: the workers must run as that user). Without
    ``results``, the folder is in this machine's temporary folder, which only a local
    cluster's workers reach.
    """

    workers: int = 0  # 0: all cores (local cluster only)
    scheduler: str | None = None
    partition_size: int = 4000
    results: Path | None = None

    def map(self, tasks: Tasks, factory: WorkerFactory) -> Iterator[Any]:
        if not tasks:
            return
        import dask.bag as db
        from distributed import Client, LocalCluster

        parts = list(batches(tasks, self.partition_length(len(tasks))))
        with map_folder(self.results) as folder:
            bag = db.from_sequence(list(enumerate(parts)), npartitions=len(parts))
            paths = bag.map(_run_partition, factory, logging_setup(), str(folder))
            sizes = [len(part) for part in parts]
            if self.scheduler:
                with Client(self.scheduler) as client:
                    yield from _read_in_order(client, paths, sizes)
                return
            workers = self.workers or available_cores()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
                yield from _read_in_order(client, paths, sizes)

    def partition_length(self, n_tasks: int) -> int:
        """Tasks per partition: at most ``partition_size``, and at least two partitions per
        worker, so that no worker waits on a straggler alone."""
        workers = self.workers or available_cores()
        npartitions = max(1, min(n_tasks, max(2 * workers, -(-n_tasks // self.partition_size))))
        return -(-n_tasks // npartitions)


def _read_in_order(client: Any, paths: Any, sizes: Sequence[int]) -> Iterator[Any]:
    """The results of every partition, in order: ``paths`` is a bag of one file path per
    partition, ``sizes`` the number of tasks of each."""
    futures = client.compute(paths.to_delayed())
    try:
        for future, size in zip(futures, sizes):
            [path] = future.result()
            future.release()  # a worker lost now does not recompute a partition already read
            yield from read_partition(Path(path), size)
    finally:
        for future in futures:
            future.release()


def make_runner(engine: str = "local", workers: int = 0, scheduler: str | None = None,
                results: Path | None = None) -> Runner:
    """The runner for ``etl build --engine ENGINE --workers N [--scheduler ADDRESS]``.

    ``workers`` 0 means all cores; ``local`` with one worker runs in this process.
    ``results``: where the Dask engine's workers write their results (``DaskRunner``).
    """
    if engine == "dask":
        return DaskRunner(workers=workers, scheduler=scheduler, results=results)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (known: local, dask)")
    workers = workers or available_cores()
    return SerialRunner() if workers <= 1 else ProcessRunner(workers=workers)

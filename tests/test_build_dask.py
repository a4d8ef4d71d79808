"""The Dask engine on a local two-process cluster gives what the local engine gives."""
from __future__ import annotations

import os
import pickle
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from etl.runner import DaskRunner, SerialRunner, make_runner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


class Reader:
    def __init__(self):
        # not id(self): a partition's Reader is freed once its file is written, its id reused
        self.token = f"{os.getpid()}-{uuid.uuid4().hex}"

    def __call__(self, path: str):
        return (Path(path).name, Path(path).read_text(), self.token)


def load_reader():
    return Reader()


@pytest.fixture(scope="module")
def cluster():
    import cloudpickle

    # This test module is not importable on the cluster's workers: ship its code by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_dask_runner_gives_the_serial_results_in_order(cluster, tmp_path):
    for i in range(40):
        (tmp_path / f"{i:03d}.txt").write_text(f"article {i}")
    tasks = sorted(str(p) for p in tmp_path.glob("*.txt"))
    runner = DaskRunner(workers=2, scheduler=cluster.scheduler_address, partition_size=7)
    results = list(runner.map(tasks, load_reader))
    assert [r[:2] for r in results] == [r[:2] for r in SerialRunner().map(tasks, load_reader)]
    # loaded once per partition, on the cluster's worker processes
    assert str(os.getpid()) not in {r[2].split("-")[0] for r in results}
    assert len({r[2] for r in results}) == 6  # 40 tasks, 7 per partition


@dataclass(frozen=True)
class Labeled:
    key: str
    value: int


class Labeler:
    def __call__(self, task: int) -> Labeled:
        return Labeled(f"task-{task}", 2 * task)


def load_labeler():
    return Labeler()


def test_each_partition_is_a_parquet_file_read_in_order_then_deleted(cluster, tmp_path):
    import pyarrow.parquet as pq

    results = tmp_path / "results"
    runner = DaskRunner(workers=2, scheduler=cluster.scheduler_address, partition_size=10, results=results)
    seen = []
    for i, result in enumerate(runner.map(list(range(40)), load_labeler)):
        if i % 10 == 0:  # the first result of partition i // 10, whose file is being read
            [folder] = results.iterdir()
            files = sorted(folder.glob("*.parquet"))
            assert files[0].name == f"part-{i // 10:05d}.parquet"  # the ones before it are deleted
            table = pq.read_table(files[0])
            assert table.column("index").to_pylist() == list(range(10))
            assert table.column("key").to_pylist() == [f"task-{t}" for t in range(i, i + 10)]
            assert [pickle.loads(b).value for b in table.column("result").to_pylist()] == [2 * t for t in range(i, i + 10)]
        if i == 30:  # the last partition: alone in the folder, a dataset with its rows only
            assert pq.read_table(folder).column("key").to_pylist() == [f"task-{t}" for t in range(30, 40)]
        seen.append(result)
    assert [(r.key, r.value) for r in seen] == [(f"task-{t}", 2 * t) for t in range(40)]
    assert list(results.iterdir()) == []  # the map's folder is removed


def test_dask_build_writes_the_same_tables_as_the_local_build(cluster, tmp_path, monkeypatch):
    try:
        from etl.build import build
        from etl.pipeline import Extractor

        Extractor.load()
    except ImportError as exc:
        pytest.skip(f"extractor not available yet: {exc}")
    corpus = tmp_path / "in"
    shutil.copytree(SEEDS, corpus)
    local = build(corpus, tmp_path / "local", workers=1, cache=False)
    runners = []

    def recording_make_runner(*args, **kwargs):
        runners.append(make_runner(*args, **kwargs))
        return runners[-1]

    monkeypatch.setattr("etl.build.make_runner", recording_make_runner)
    on_dask = build(corpus, tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, cache=False)
    assert (on_dask.articles, on_dask.events) == (local.articles, local.events)
    for name in ("events.csv", "sources.csv", "evidence.csv", "events.parquet", "event_ids.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    # the workers wrote their results in the build's working folder, removed with it
    [runner] = runners
    assert runner.results.parent.parent == tmp_path / "dask" and runner.results.parent.name.startswith(".etl-work-")
    assert not list((tmp_path / "dask").glob(".etl-work-*"))

"""The Dask engine on a local two-process cluster gives what the local engine gives."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from etl.runner import DaskRunner, SerialRunner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


class Reader:
    def __init__(self):
        self.token = f"{os.getpid()}-{id(self)}"

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
    runner = DaskRunner(scheduler=cluster.scheduler_address, partition_size=7)
    results = list(runner.map(tasks, load_reader))
    assert [r[:2] for r in results] == [r[:2] for r in SerialRunner().map(tasks, load_reader)]
    # loaded once per partition, on the cluster's worker processes
    assert str(os.getpid()) not in {r[2].split("-")[0] for r in results}
    assert len({r[2] for r in results}) == 6  # 40 tasks, 7 per partition


def test_dask_build_writes_the_same_tables_as_the_local_build(cluster, tmp_path):
    try:
        from etl.build import build
        from etl.pipeline import Extractor

        Extractor.load()
    except ImportError as exc:
        pytest.skip(f"extractor not available yet: {exc}")
    corpus = tmp_path / "in"
    shutil.copytree(SEEDS, corpus)
    local = build(corpus, tmp_path / "local", workers=1, cache=False)
    on_dask = build(corpus, tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, cache=False)
    assert (on_dask.articles, on_dask.events) == (local.articles, local.events)
    for name in ("events.csv", "sources.csv", "evidence.csv", "events.parquet", "event_ids.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name

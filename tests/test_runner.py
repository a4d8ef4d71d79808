"""Runners: every executor gives the same results in task order, loading the worker once per process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.runner import ProcessRunner, SerialRunner, available_cores, make_runner

ROOT = Path(__file__).resolve().parents[1]


class Doubler:
    """A fake extractor: remembers which process loaded it and how."""

    def __init__(self):
        self.token = f"{os.getpid()}-{id(self)}"

    def __call__(self, task):
        if task == "boom":
            raise ValueError("boom: cannot extract")
        return (task * 2, self.token)


def load_doubler():
    return Doubler()


def test_serial_runner_maps_in_order():
    assert [r for r, _ in SerialRunner().map(list(range(10)), load_doubler)] == [2 * i for i in range(10)]


def test_process_pool_gives_the_serial_results_in_task_order():
    tasks = list(range(200))
    results = list(ProcessRunner(workers=2, chunk_size=7, chunks_ahead=2).map(tasks, load_doubler))
    assert [r for r, _ in results] == [2 * i for i in tasks]
    tokens = {t for _, t in results}
    pids = {t.split("-")[0] for t in tokens}
    # the worker is loaded once per process (pool initializer), not per chunk or task
    assert len(tokens) == len(pids) <= 2
    assert str(os.getpid()) not in pids


def test_a_small_job_runs_in_this_process():
    results = list(ProcessRunner(workers=2, chunk_size=64).map(list(range(5)), load_doubler))
    assert {t.split("-")[0] for _, t in results} == {str(os.getpid())}


def test_a_failing_task_fails_the_map_with_its_message():
    tasks = list(range(30)) + ["boom"] + list(range(30))
    with pytest.raises(ValueError, match="boom: cannot extract"):
        list(ProcessRunner(workers=2, chunk_size=4).map(tasks, load_doubler))


def test_empty_task_list_loads_nothing():
    def never():
        raise AssertionError("factory called for no tasks")

    assert list(SerialRunner().map([], never)) == []
    assert list(ProcessRunner(workers=2).map([], never)) == []


def test_make_runner_picks_the_executor():
    assert isinstance(make_runner("local", 1), SerialRunner)
    assert make_runner("local", 3) == ProcessRunner(workers=3)
    expected = SerialRunner() if available_cores() == 1 else ProcessRunner(workers=available_cores())
    assert make_runner("local", 0) == expected
    with pytest.raises(ValueError, match="unknown engine"):
        make_runner("spark", 2)


def test_importing_etl_and_its_local_machinery_does_not_import_dask():
    modules = ["etl", "etl.runner", "etl.cache", "etl.cli"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "try:\n"
        "    importlib.import_module('etl.build')\n"
        "except ImportError:\n"
        "    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

"""Settling: where countries are settled, and months of the events table rendered and checked in batches."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle

from hypothesis import given
from hypothesis import strategies as st

from etl.runner import ProcessRunner, SerialRunner
from etl.settle import ASIDE_FROM, POOL_FROM, MonthRenderer, MonthWork, _runner, month_batches
from etl.validate import Checker

from test_runner import run_fresh
from test_validate import make_event


@given(sizes=st.lists(st.integers(1, 50), max_size=30), limit=st.integers(1, 100), data=st.data())
def test_month_batches_keep_every_month_in_order_within_the_limit(sizes, limit, data):
    todo = sorted(data.draw(st.sets(st.integers(0, max(len(sizes) - 1, 0)), max_size=len(sizes))) if sizes else set())
    batches = month_batches(todo, sizes, limit)
    assert [i for batch in batches for i in batch] == todo
    assert all(batch for batch in batches)
    assert all(len(batch) == 1 or sum(sizes[i] for i in batch) <= limit for batch in batches)
    # a batch ends only where the next month would not fit
    assert all(sum(sizes[i] for i in a) + sizes[b[0]] > limit for a, b in zip(batches, batches[1:]))


def test_a_pool_is_started_when_it_saves_time_or_keeps_a_large_country_out_of_this_process():
    def where(workers, sizes):
        runner = _runner(workers, sizes)
        if isinstance(runner, SerialRunner):
            return "here"
        assert isinstance(runner, ProcessRunner) and runner.chunk_size == 1
        assert not runner.fork_one_chunk  # its workers read the cache's database: never forked from here
        return "pool"

    assert where(2, [POOL_FROM * 3, POOL_FROM * 3]) == "pool"
    assert where(2, [POOL_FROM * 3, POOL_FROM]) == "pool"
    assert where(2, [10] * (POOL_FROM // 2)) == "pool"  # many small tasks: the pool halves them
    # the large one is the wait either way: a pool only when this process would grow
    assert where(2, [POOL_FROM * 3, 5]) == "here"
    assert where(2, [POOL_FROM * 3, POOL_FROM - 1]) == "here"
    assert where(2, [ASIDE_FROM - 6, 5]) == "here"
    assert where(2, [ASIDE_FROM - 1]) == "here"
    assert where(2, [ASIDE_FROM, 5]) == "pool"
    assert where(2, [ASIDE_FROM]) == "pool"
    assert where(2, [5, 5]) == "here"
    assert where(2, []) == "here"
    assert where(1, [ASIDE_FROM * 3, ASIDE_FROM * 3]) == "here"  # --workers 1: no other process


def test_few_months_go_to_one_forked_process_and_many_to_a_pool():
    small = _runner(2, [5, 30], fork_small=True)
    assert isinstance(small, ProcessRunner) and small.fork_one_chunk and small.chunk_size >= 2  # all in one child
    large = _runner(2, [POOL_FROM * 3, POOL_FROM * 3], fork_small=True)
    assert isinstance(large, ProcessRunner) and not large.fork_one_chunk and large.chunk_size == 1
    assert isinstance(_runner(1, [5], fork_small=True), SerialRunner)  # --workers 1: no other process
    assert isinstance(_runner(2, [], fork_small=True), SerialRunner)


def month(events, first_row: int) -> MonthWork:
    return MonthWork((pickle.dumps(tuple(events)),), first_row)


def test_a_batch_renders_each_month_as_alone_and_finds_its_problems_in_its_own_lines():
    renderer = MonthRenderer(Checker.load())
    clean = [month([make_event(1), make_event(2)], 1), month([make_event(3)], 3)]
    assert renderer.batch(tuple(clean)) == tuple(renderer(work) for work in clean)
    assert all(not r.problems for r in renderer.batch(tuple(clean)))
    bad = month([make_event(4, fatalities=-1)], 4)
    rendered = renderer.batch((*clean, bad))
    assert rendered == tuple(renderer(work) for work in (*clean, bad))
    assert rendered[2].problems == ("events:4: fatalities: -1: must be at least 0",)
    assert not rendered[0].problems and not rendered[1].problems


def test_an_id_repeated_across_months_of_a_batch_is_no_problem_of_either_month():
    # months are checked on their own when the batch's check fails: the same as unbatched
    renderer = MonthRenderer(Checker.load())
    works = (month([make_event(1)], 1), month([dataclasses.replace(make_event(1), notes="Again.")], 2))
    assert renderer.batch(works) == tuple(renderer(work) for work in works)


def _rows(chunk) -> tuple[bytes, list[dict]]:
    """What a chunk writes: its CSV bytes and its rows (dictionaries decoded)."""
    return chunk.csv, chunk.arrow.to_pylist()


def test_months_of_a_batch_are_the_rows_each_month_gives_alone():
    renderer = MonthRenderer(Checker.load())
    october = [make_event(5, event_date=dt.date(2023, 10, 2), event_type="Riots", sub_event_type="Mob violence",
                          disorder_type="Political violence", inter2=0, actor2="", interaction=10),
               make_event(6, event_date=dt.date(2023, 10, 1))]
    works = (month([make_event(2, event_date=dt.date(2023, 9, 30)), make_event(1)], 1),
             month(october, 3), month([make_event(7, event_date=dt.date(2024, 1, 5), location="Yevlakh")], 5))
    alone = [renderer(work) for work in works]
    batched = renderer.batch(works)
    assert [_rows(r.chunk) for r in batched] == [_rows(r.chunk) for r in alone]
    assert [r.source_keys for r in batched] == [r.source_keys for r in alone]
    assert all(not r.problems for r in batched)
    # each month's Arrow rows are its own (copied out of the batch, not a view of all of it)
    assert [r.chunk.rows for r in batched] == [2, 2, 1]
    assert all(pickle.loads(pickle.dumps(r.chunk.arrow)).num_rows == r.chunk.rows for r in batched)


def test_a_rebuilds_few_months_are_rendered_in_a_forked_process_while_the_other_tables_are_written(tmp_path):
    """Run as the CLI runs (one thread, so forking is safe): the months a rebuild renders
    again start in a child forked when the events table's chunks are asked for, and the
    tables equal those of a build without the cache."""
    script = f"""
import json, os, shutil
from pathlib import Path
from etl import build as build_module, settle
from etl.build import build
folder = Path({str(tmp_path)!r})
corpus, out, fresh = folder / "in", folder / "out", folder / "fresh"
shutil.copytree(Path("seeds"), corpus)
build(corpus, out, workers=2)
first, second = sorted(corpus.glob("*.txt"))[:2]
one, two = first.read_bytes(), second.read_bytes()
first.write_bytes(two)
second.write_bytes(one)
fresh.mkdir()
shutil.copy(out / "event_ids.csv", fresh / "event_ids.csv")
renderers, batch = folder / "renderers.txt", settle.MonthRenderer.batch
def noted(self, works):
    with open(renderers, "a") as handle:
        handle.write(f"{{os.getpid()}}\\n")
    return batch(self, works)
settle.MonthRenderer.batch = noted
summary = build(corpus, out, workers=2)
settle.MonthRenderer.batch = batch
build(corpus, fresh, workers=1, cache=False)
names = [f"{{t}}.{{x}}" for t in ("events", "sources", "evidence") for x in ("parquet", "csv")] + ["event_ids.csv"]
print(json.dumps(dict(rendered=summary.months_rendered, pids=renderers.read_text().split(), me=os.getpid(),
                      same=[(out / n).read_bytes() == (fresh / n).read_bytes() for n in names])))
"""
    found = json.loads(run_fresh(script, timeout=300).stdout)
    assert found["rendered"] >= 1
    assert found["pids"] and str(found["me"]) not in found["pids"]
    assert all(found["same"])

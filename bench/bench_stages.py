"""Wall time, CPU and peak RSS of each stage of one ``etl build``, run in this process.

    python bench/bench_stages.py CORPUS OUT [--workers N] [--no-cache] [--repeat]

Stages, as ``etl.build.build`` runs them: listing the corpus (file names, manifest),
extracting and gathering (the workers' outcomes into the ledger and the duplicate
prints), finding duplicates, settling countries (merge, ids), and writing the tables
(months rendered and checked, Parquet and CSV). A thread samples this process's RSS
every 20 ms and keeps the peak of each stage (the workers are other processes: not
counted). ``--repeat``: build twice and report the second (a rebuild with everything
cached). For finding what grows with the corpus: compare two sizes stage by stage (the
RSS at a stage's start shows what the stages before it left allocated).
"""
from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from etl import build as build_module, export, sources  # noqa: E402
from etl.settle import Settler  # noqa: E402


class StageMeter:
    """The stage now running, and per stage: wall, CPU and peak RSS (sampled)."""

    def __init__(self, period: float = 0.02):
        self.process = psutil.Process()
        self.period = period
        self.stage = "start"
        self.stats: dict[str, dict] = {}
        self._enter("start")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _enter(self, stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        current = self.stats.get(self.stage)
        if current is not None and "began" in current:
            current["wall_s"] = current.get("wall_s", 0.0) + now - current.pop("began")
            current["cpu_s"] = current.get("cpu_s", 0.0) + cpu - current.pop("cpu_began")
        self.stage = stage
        entry = self.stats.setdefault(stage, {"peak_rss_mb": 0.0})
        entry["began"], entry["cpu_began"] = now, cpu
        entry.setdefault("first_rss_mb", self.process.memory_info().rss / 1e6)
        self._note()

    def _note(self) -> None:
        rss = self.process.memory_info().rss / 1e6
        entry = self.stats[self.stage]
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], rss)

    def _sample(self) -> None:
        while not self._stop.wait(self.period):
            self._note()

    def wrap(self, stage: str, function):
        @functools.wraps(function)
        def staged(*args, **kwargs):
            self._enter(stage)
            try:
                return function(*args, **kwargs)
            finally:
                self._note()
        return staged

    def close(self) -> dict[str, dict]:
        self._enter("end")
        self._stop.set()
        self._thread.join()
        self.stats.pop("end", None)
        for entry in self.stats.values():
            entry["peak_rss_mb"] = round(entry["peak_rss_mb"], 1)
            entry["first_rss_mb"] = round(entry["first_rss_mb"], 1)
            entry["wall_s"] = round(entry.get("wall_s", 0.0), 3)
            entry["cpu_s"] = round(entry.get("cpu_s", 0.0), 3)
        return self.stats


def instrumented(meter: StageMeter) -> None:
    """Mark the stages by wrapping what ``build`` calls at the start of each."""
    build_module.corpus_tasks = meter.wrap("listing", build_module.corpus_tasks)
    build_module.gather = meter.wrap("extracting and gathering", build_module.gather)
    sources.PrintFile.duplicates = meter.wrap("finding duplicates", sources.PrintFile.duplicates)
    Settler.settle = meter.wrap("settling countries", Settler.settle)
    export.write_tables = meter.wrap("writing tables", export.write_tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--repeat", action="store_true", help="build twice, report the second (cached) build")
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.ERROR)  # the extractor's notes on dropped sentences (workers log alike)
    run = functools.partial(build_module.build, args.corpus, args.out, workers=args.workers, cache=not args.no_cache)
    if args.repeat:
        run()
    meter = StageMeter()
    instrumented(meter)
    started = time.perf_counter()
    summary = run()
    wall = time.perf_counter() - started
    stats = meter.close()
    for stage, entry in stats.items():
        print(f"{stage:26s} {entry['wall_s']:8.2f} s wall {entry['cpu_s']:8.2f} s CPU  RSS {entry['first_rss_mb']:7.1f} MB at the start,"
              f" {entry['peak_rss_mb']:7.1f} MB at the peak")
    print(f"{'build':26s} {wall:8.2f} s wall; {summary.articles} articles ({summary.extracted} extracted), "
          f"{summary.events} events; pid {os.getpid()}")
    print(json.dumps({"stages": stats, "wall_s": round(wall, 3), "articles": summary.articles}))
    return 0


if __name__ == "__main__":  # the workers are started by forkserver: this module must import cleanly
    sys.exit(main())

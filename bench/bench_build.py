"""Benchmark ``etl build`` on a synthetic corpus: speed, memory, ratio to a baseline, rebuild time.

    python bench/bench_build.py 10000 [--workers 2] [--out bench/out]

For the given size it makes (or reuses) the corpus ``OUT/corpus_SIZE`` with
``bench/make_corpus.py``, then measures in the same run:

1. baseline: read every article file and run one pyahocorasick automaton pass of the
   gazetteer's aliases over its lower-cased text, in one process (building the automaton
   is timed apart and not counted); ``--baseline-runs`` passes (default 3), the median
   one counted (a pass's time moves by 10-30 % from run to run);
2. full build: ``etl build CORPUS --out FRESH --workers N`` in a subprocess, from an empty
   output folder (so the cache is written, not used); wall time, articles/s, MB/s, and
   peak RSS sampled with psutil (the build process alone, and summed over it and its
   worker processes);
3. rebuild: one new article added to the corpus, the same command again on the same
   output folder (the cache now full); wall time as a % of the full build. ``--rebuilds``
   times (default 3), a new article each time (a day's news added to an archive, day after
   day); the median one counted. The corpus is restored afterwards.

Results go to ``OUT/bench_SIZE.json`` and one line of text on stdout. See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import make_corpus  # noqa: E402

SAMPLE_SECONDS = 0.05
PSS_EVERY = 20  # samples: the proportional set size is read every second


def corpus_for(size: int, out: Path) -> Path:
    folder = out / f"corpus_{size}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        make_corpus(size, folder)
        done.write_text(f"{time.perf_counter() - started:.1f} s\n")
    return folder


def corpus_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.txt"))


def gazetteer_aliases() -> list[str]:
    """Every name and alias of the gazetteer's base table, lower-cased (3+ characters)."""
    import pyarrow.parquet as pq

    column = pq.read_table(ROOT / "gazetteer" / "base.parquet", columns=["aliases"]).column("aliases")
    return sorted({a.strip().lower() for cell in column.to_pylist() if cell for a in cell.split("|") if len(a.strip()) >= 3})


def baseline(folder: Path, runs: int = 1) -> dict:
    """Read the files and run one Aho-Corasick pass of the gazetteer's aliases over each;
    ``runs`` times, the pass of median wall time kept (all runs' times listed)."""
    import ahocorasick

    started = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for alias in gazetteer_aliases():
        automaton.add_word(alias, len(alias))
    automaton.make_automaton()
    built = time.perf_counter() - started
    passes = []
    for _ in range(max(1, runs)):
        os.sync()  # (as before each build: see ``run_measured``)
        started, cpu_started = time.perf_counter(), time.process_time()
        files = matches = 0
        for path in sorted(folder.glob("*.txt")):
            text = path.read_bytes().decode("utf-8", errors="replace").lower()
            matches += sum(1 for _ in automaton.iter(text))
            files += 1
        passes.append({"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started,
                       "files": files, "matches": matches})
    kept = median_run(passes)
    return {**kept, "runs_seconds": [p["seconds"] for p in passes], "automaton_seconds": built,
            "aliases": len(automaton)}


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def run_measured(command: list[str], max_rss_mb: float = 0) -> dict:
    """Run ``command``: wall time, CPU time and peak RSS (its own, and summed with its children).

    Sampled with psutil every ``SAMPLE_SECONDS``: CPU is the sum over every process seen in
    the tree (a worker's last sample counts; forkserver workers are not our children, so
    ``RUSAGE_CHILDREN`` would miss them).
    """
    # What earlier runs wrote and the kernel has not yet written back (a full build leaves
    # ~200 MB of cache pages) is flushed first: else the next run's first fsync waits for it
    # (a rebuild right after the full build took 3.9 s, the next two 2.9 and 2.5 s).
    os.sync()
    started = time.perf_counter()
    # Output goes to files, not pipes: a build that prints more than a pipe holds (a warning
    # per duplicate at 100k articles) would block on a pipe nobody reads until it ends.
    out_file, err_file = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=out_file, stderr=err_file, text=True,
                            start_new_session=True)
    main = psutil.Process(proc.pid)
    peak_main = peak_tree = peak_pss = 0
    peak_when, peak_parts = 0.0, []  # at the peak of the sum: seconds in, and each process's RSS
    cpu: dict[int, float] = {}
    samples = 0
    while proc.poll() is None:
        try:
            rss_main = main.memory_info().rss
            parts = [rss_main]
            cpu[main.pid] = sum(main.cpu_times()[:2])
            tree = [main, *main.children(recursive=True)]
            for child in tree[1:]:
                try:
                    parts.append(child.memory_info().rss)
                    cpu[child.pid] = sum(child.cpu_times()[:2])
                except psutil.Error:
                    pass
            rss_tree = sum(parts)
            if rss_tree > peak_tree:
                peak_when, peak_parts = time.perf_counter() - started, parts
            peak_main, peak_tree = max(peak_main, rss_main), max(peak_tree, rss_tree)
            if samples % PSS_EVERY == 0:  # reading smaps costs ~8 ms per process: now and then
                peak_pss = max(peak_pss, _pss(tree))
        except psutil.Error:
            pass
        samples += 1
        if max_rss_mb and peak_tree > max_rss_mb * 2**20:
            # Stop before the machine runs out of memory; the run is reported as over the limit.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"seconds": time.perf_counter() - started, "cpu_seconds": sum(cpu.values()),
                    "peak_rss_main_mb": peak_main / 2**20, "peak_rss_total_mb": peak_tree / 2**20,
                    "stdout": [f"killed: over --max-rss-mb {max_rss_mb:.0f}"], "killed": True}
        time.sleep(SAMPLE_SECONDS)
    proc.wait()
    seconds = time.perf_counter() - started
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"seconds": seconds, "cpu_seconds": sum(cpu.values()), "peak_rss_main_mb": peak_main / 2**20,
            "peak_rss_total_mb": peak_tree / 2**20, "peak_pss_total_mb": peak_pss / 2**20,
            "peak_rss_total_at_seconds": peak_when,
            "peak_rss_total_parts_mb": [round(p / 2**20, 1) for p in peak_parts[:1] + sorted(peak_parts[1:], reverse=True)],
            "stdout": out.strip().splitlines()[-1:] or [""]}


def _pss(processes: list[psutil.Process]) -> int:
    """Proportional set size summed over ``processes``: each page shared by k of them counts
    1/k in each (RSS counts it whole in each: the fork server's and the workers' shared
    pages k times)."""
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except (psutil.Error, AttributeError):  # gone, or no PSS on this system
            pass
    return total


def build_command(corpus: Path, out: Path, workers: int, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "etl", "build", str(corpus), "--out", str(out), "--no-progress",
            "--workers", str(workers), *extra]


def add_one_article(corpus: Path, number: int) -> set[Path]:
    """Write article ``number`` of the synthetic corpus into ``corpus`` (and its manifest row)."""
    before = set(corpus.glob("*.txt"))
    make_corpus(1, corpus, start=number)
    return set(corpus.glob("*.txt")) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="articles in the corpus (1000, 10000, 100000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--engine", default="local", choices=["local", "dask"])
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild measurement")
    parser.add_argument("--rebuilds", type=int, default=3, help="rebuilds, each after adding one more article (the median counts)")
    parser.add_argument("--baseline-runs", type=int, default=3, help="baseline passes (the median counts)")
    parser.add_argument("--max-rss-mb", type=float, default=8000,
                        help="kill the build when it (with its workers) uses more memory than this (0: no limit)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    load_at_start = os.getloadavg()[0]  # other work on the machine skews wall times
    extra = ["--engine", args.engine] if args.engine != "local" else []

    corpus = corpus_for(args.size, args.out)
    size_bytes = corpus_bytes(corpus)
    base = baseline(corpus, args.baseline_runs)

    build_out = args.out / f"build_{args.size}"
    shutil.rmtree(build_out, ignore_errors=True)
    full = run_measured(build_command(corpus, build_out, args.workers, extra), args.max_rss_mb)

    rebuild, rebuilds = None, []
    if not args.no_rebuild and not full.get("killed"):
        manifest = (corpus / "manifest.csv").read_bytes()
        added: set[Path] = set()
        try:
            for n in range(max(1, args.rebuilds)):
                added |= add_one_article(corpus, args.size + n)
                rebuilds.append(run_measured(build_command(corpus, build_out, args.workers, extra), args.max_rss_mb))
        finally:
            for path in added:
                path.unlink()
            (corpus / "manifest.csv").write_bytes(manifest)
        rebuild = median_run(rebuilds)

    seconds = full["seconds"]
    result = {
        "size": args.size,
        "workers": args.workers,
        "engine": args.engine,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "corpus_mb": size_bytes / 2**20,
        "full_build_seconds": seconds,
        "articles_per_second": args.size / seconds,
        "articles_per_second_per_worker": args.size / seconds / args.workers,
        "cpu_seconds": full["cpu_seconds"],
        "cpu_ms_per_article": 1000 * full["cpu_seconds"] / args.size,
        "load_average_at_start": load_at_start,
        "mb_per_second": size_bytes / 2**20 / seconds,
        "peak_rss_main_mb": full["peak_rss_main_mb"],
        "peak_rss_total_mb": full["peak_rss_total_mb"],
        "peak_pss_total_mb": full["peak_pss_total_mb"],
        "peak_rss_total_at_seconds": full.get("peak_rss_total_at_seconds"),
        "peak_rss_total_parts_mb": full.get("peak_rss_total_parts_mb"),  # main, then the others, largest first
        "killed_over_max_rss": bool(full.get("killed")),
        "baseline_seconds": base["seconds"],
        "baseline_runs_seconds": base["runs_seconds"],
        "baseline_cpu_seconds": base["cpu_seconds"],
        "baseline_automaton_seconds": base["automaton_seconds"],
        "baseline_matches": base["matches"],
        "ratio_to_baseline": seconds / base["seconds"],
        # CPU time against CPU time: robust to other work on the machine, and fair to the
        # build's N workers against the baseline's one process.
        "cpu_ratio_to_baseline": full["cpu_seconds"] / base["cpu_seconds"],
        "build_output": full["stdout"],
    }
    if rebuild is not None:
        result.update({
            "rebuild_seconds": rebuild["seconds"],
            "rebuild_percent_of_full": 100 * rebuild["seconds"] / seconds,
            "rebuilds_seconds": [r["seconds"] for r in rebuilds],
            "rebuild_peak_rss_main_mb": rebuild["peak_rss_main_mb"],
            "rebuild_output": rebuild["stdout"],
        })
    (args.out / f"bench_{args.size}.json").write_text(json.dumps(result, indent=2) + "\n")
    line = (f"{args.size} articles ({size_bytes / 2**20:.0f} MB), {args.workers} workers: "
            f"{seconds:.1f} s, {result['articles_per_second']:.0f} articles/s "
            f"({result['articles_per_second_per_worker']:.0f}/s per worker; {result['cpu_ms_per_article']:.1f} ms CPU per article), "
            f"{result['mb_per_second']:.2f} MB/s, "
            f"peak RSS {result['peak_rss_main_mb']:.0f} MB main / {result['peak_rss_total_mb']:.0f} MB with workers "
            f"(PSS {result['peak_pss_total_mb']:.0f} MB), "
            f"baseline {base['seconds']:.1f} s (median of {len(base['runs_seconds'])}; ratio {result['ratio_to_baseline']:.1f}; "
            f"CPU {full['cpu_seconds']:.0f} s vs {base['cpu_seconds']:.1f} s: ratio {result['cpu_ratio_to_baseline']:.1f})")
    if full.get("killed"):
        line += f", KILLED over {args.max_rss_mb:.0f} MB"
    if rebuild is not None:
        times = ", ".join(f"{r['seconds']:.2f}" for r in rebuilds)
        line += (f", rebuild +1 article {rebuild['seconds']:.2f} s ({result['rebuild_percent_of_full']:.1f}% of full; "
                 f"median of {times} s)")
    print(line)


if __name__ == "__main__":
    main()

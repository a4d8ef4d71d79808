"""The whole build on the seed articles: golden files, determinism, stable ids, duplicates, atomicity."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from etl.build import build
from etl.validate import validate_paths

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "data"
TABLES = ("events", "sources", "evidence")
OUTPUTS = [f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")]


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    build(SEEDS, out)
    return out


def copy_seeds(dest: Path, skip: str | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.iterdir():
        if path.name != skip:
            shutil.copy(path, dest / path.name)
    return dest


@pytest.mark.parametrize("name", OUTPUTS + ["event_ids.csv"])
def test_fresh_build_reproduces_committed_data(seeds_build, name):
    assert (seeds_build / name).read_bytes() == (DATA / name).read_bytes(), (
        f"data/{name} differs from a fresh build of seeds/: rebuild with `etl build seeds --out data`"
    )


def test_build_output_validates(seeds_build):
    assert validate_paths([seeds_build / "events.parquet", seeds_build / "events.csv"]) == []


def test_every_article_has_a_sources_row(seeds_build):
    sources = pd.read_parquet(seeds_build / "sources.parquet")
    assert sorted(sources["source_key"]) == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert set(sources["status"]) <= {"ok", "empty", "undecodable", "duplicate"}


def test_every_event_has_evidence_from_each_source(seeds_build):
    events = pd.read_parquet(seeds_build / "events.parquet")
    evidence = pd.read_parquet(seeds_build / "evidence.parquet")
    assert len(events) > 0
    for row in events.itertuples():
        keys = set(evidence.loc[evidence["event_id_cnty"] == row.event_id_cnty, "source_key"])
        assert keys == set(row.source_keys)
    for row in evidence.itertuples():
        text = (SEEDS / f"{row.source_key}.txt").read_text(encoding="utf-8")
        assert text[row.start:row.end] == row.sentence


def test_ids_survive_adding_an_article(tmp_path):
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    for left_out in seeds:
        corpus, out = tmp_path / left_out / "in", tmp_path / left_out / "out"
        copy_seeds(corpus, skip=left_out)
        build(corpus, out)
        before = pd.read_parquet(out / "events.parquet")
        shutil.copy(SEEDS / left_out, corpus / left_out)
        build(corpus, out)
        after = pd.read_parquet(out / "events.parquet")
        assert set(before["event_id_cnty"]) <= set(after["event_id_cnty"]), left_out
        # an event that existed keeps its id: same id, same type and date
        merged = before.merge(after, on="event_id_cnty", suffixes=("_b", "_a"))
        assert (merged["event_type_b"] == merged["event_type_a"]).all()


def test_a_copied_article_changes_no_event_and_is_flagged(tmp_path, seeds_build):
    corpus, out = copy_seeds(tmp_path / "in"), tmp_path / "out"
    first = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(first, corpus / "zzz_copy.txt")
    build(corpus, out)
    sources = pd.read_parquet(out / "sources.parquet").set_index("source_key")
    assert sources.loc["zzz_copy", "status"] == "duplicate"
    assert sources.loc["zzz_copy", "duplicate_of"] == first.stem
    cols = [c for c in pd.read_parquet(seeds_build / "events.parquet").columns if c != "source_keys"]
    before = pd.read_parquet(seeds_build / "events.parquet")[cols]
    after = pd.read_parquet(out / "events.parquet")[cols]
    pd.testing.assert_frame_equal(before, after)


def test_killed_build_leaves_previous_outputs_whole(tmp_path):
    """kill -9 at several moments during a build: each table is the old one or the new one, never torn."""
    corpus, out = tmp_path / "in", tmp_path / "out"
    copy_seeds(corpus, skip=sorted(p.name for p in SEEDS.glob("*.txt"))[-1])
    build(corpus, out)
    kept = OUTPUTS + ["event_ids.csv"]
    old = {name: (out / name).read_bytes() for name in kept}
    shutil.copy(sorted(SEEDS.glob("*.txt"))[-1], corpus)
    reference = tmp_path / "ref"
    shutil.copytree(out, reference)
    build(corpus, reference)
    new = {name: (reference / name).read_bytes() for name in OUTPUTS}
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "etl", "build", str(corpus), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for name in OUTPUTS:
            assert (out / name).read_bytes() in (old[name], new[name]), (delay, name)
        # restore the old state for the next trial
        for name, data in old.items():
            (out / name).write_bytes(data)


def test_working_files_are_removed_and_those_of_killed_builds_cleared(tmp_path):
    corpus, out = copy_seeds(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = out / f".etl-work-{dead.stdout.strip()}-abc"  # left by a build that was killed
    (left / "reports").mkdir(parents=True)
    running = out / f".etl-work-{os.getpid()}-xyz"  # a build of a process still running
    running.mkdir()
    build(corpus, out, workers=1)
    assert not left.exists() and running.exists()
    assert [p.name for p in out.glob(".etl-work-*")] == [running.name]


def test_the_build_is_the_same_when_its_working_files_flush_often(tmp_path, seeds_build, monkeypatch):
    import etl.spool

    monkeypatch.setattr(etl.spool.Spool.__init__, "__defaults__", (1,))  # flush after every add
    out = tmp_path / "out"
    build(SEEDS, out, workers=1, cache=False)
    for name in OUTPUTS + ["event_ids.csv"]:
        assert (out / name).read_bytes() == (seeds_build / name).read_bytes(), name


@pytest.mark.parametrize("cache", [True, False])
def test_evidence_stored_in_small_pieces_gives_the_same_rows(tmp_path, seeds_build, monkeypatch, cache):
    import etl.settle

    monkeypatch.setattr(etl.settle, "EVIDENCE_PIECE", 2)
    out = tmp_path / "out"
    build(SEEDS, out, workers=1, cache=cache)
    assert (out / "evidence.csv").read_bytes() == (seeds_build / "evidence.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "evidence.parquet"), pd.read_parquet(seeds_build / "evidence.parquet"))
    for name in ("events.csv", "events.parquet", "event_ids.csv"):
        assert (out / name).read_bytes() == (seeds_build / name).read_bytes(), name
    assert not list(out.glob(".etl-work-*")), "the settled countries' part files are removed with the working folder"


def test_a_rebuild_after_an_article_changed_under_the_same_name_equals_a_fresh_build(tmp_path):
    corpus, out, fresh = copy_seeds(tmp_path / "in"), tmp_path / "out", tmp_path / "fresh"
    build(corpus, out, workers=1)
    first, second = sorted(corpus.glob("*.txt"))[:2]
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)  # same names, each the other's text
    second.write_bytes(one)
    fresh.mkdir()
    shutil.copy(out / "event_ids.csv", fresh / "event_ids.csv")  # the same ids to start from
    summary = build(corpus, out, workers=1)
    assert summary.extracted == 2 and summary.countries_settled >= 1
    build(corpus, fresh, workers=1, cache=False)
    for name in OUTPUTS + ["event_ids.csv"]:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def test_a_large_build_keeps_its_loaded_extractor_and_a_rebuild_reads_it(tmp_path, seeds_build, monkeypatch):
    import etl.build

    monkeypatch.setattr(etl.build, "KEEP_EXTRACTOR_FROM", 1)  # the seeds count as large here
    out = tmp_path / "out"
    build(SEEDS, out, workers=1)
    kept = list((out / ".cache" / "extractor").glob("*.pkl"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0
    shutil.rmtree(out / ".cache" / "outcomes")  # every article extracted again, by the kept extractor
    again = build(SEEDS, out, workers=1)
    assert again.extracted == 5
    for name in OUTPUTS + ["event_ids.csv"]:
        assert (out / name).read_bytes() == (seeds_build / name).read_bytes(), name


def test_gathering_runs_the_summaries_to_their_end(tmp_path):
    """The summaries come from a generator that holds the extraction pool: gathering must
    run it to its end (so the pool closes then), not stop at its last item."""
    from etl.build import ArticleSummary, ArticleTask, gather
    from etl.ledger import Ledger, SourceInfo
    from etl.sources import PrintFile

    tasks = [ArticleTask(str(tmp_path / f"a{i}.txt")) for i in range(3)]
    finished = []

    def summaries():
        try:
            for task in tasks:
                info = SourceInfo(task.name[:-4], task.name, "0" * 64, None, None, None, None, "none", None, "ok")
                yield f"key{task.name}", ArticleSummary(info, ("ARM",), None, ())
        finally:
            finished.append(True)

    running = summaries()
    gathered = gather(running, Ledger(tmp_path / "ledger.sqlite"), PrintFile(tmp_path / "prints.bin"), None)
    assert finished == [True]
    assert len(gathered.articles) == 3 and gathered.articles.countries() == ["ARM"]
    assert [m.identity for m in gathered.articles.members("ARM")] == ["keya0.txt", "keya1.txt", "keya2.txt"]


def test_corpus_tasks_are_the_text_files_in_name_order_with_their_manifest_rows(tmp_path):
    from etl.build import ArticleTask, corpus_tasks
    from etl.ingest import ManifestRow

    for name in ("b.txt", "a.txt", "notes.md"):
        (tmp_path / name).write_text("Some words.\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,publisher\na.txt,The Daily\ngone.txt,Elsewhere\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    tasks, orphans = corpus_tasks(tmp_path, work)
    expected = [ArticleTask(str(tmp_path / "a.txt"), ManifestRow("a.txt", publisher="The Daily")),
                ArticleTask(str(tmp_path / "b.txt"), None)]
    assert len(tasks) == 2 and list(tasks) == expected and list(tasks) == expected
    assert tasks[1] == expected[1] and tasks[-1] == expected[1] and tasks[0:1] == expected[:1] and tasks[::-1] == expected[::-1]
    assert [tasks[i] for i in (1, 0, 1)] == [expected[1], expected[0], expected[1]]  # in any order
    with pytest.raises(IndexError):
        tasks[2]
    assert orphans == ["gone.txt"]
    tasks.close()


def test_corpus_tasks_of_names_in_any_script(tmp_path):
    from etl.build import corpus_tasks

    names = ["ß-report.txt", "报告.txt", "a b.txt"]
    for name in names:
        (tmp_path / name).write_text("Some words.\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,title\n报告.txt,\"A title, with a comma\"\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    tasks, _ = corpus_tasks(tmp_path, work)
    assert [t.name for t in tasks] == sorted(names)
    assert [t.meta.title if t.meta else None for t in tasks] == [None, None, "A title, with a comma"]
    tasks.close()


def test_a_progress_bar_starts_no_thread(capsys):
    """A build with a progress bar may still fork a worker safely (``runner.can_fork``)."""
    import threading

    from etl.build import progress_bar
    from etl.runner import can_fork

    before = threading.active_count()
    update, close = progress_bar(3, enabled=True)
    try:
        update(1)
        assert threading.active_count() == before
        assert can_fork() == (before == 1)
    finally:
        close()
    assert "1/3" in capsys.readouterr().err

"""The command line: help, version, and one-line errors with exit code 1 (never a traceback)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from etl import __version__


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"etl {__version__}"


@pytest.mark.parametrize("command", ["build", "validate", "score", "geocode"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Example: etl " + command in " ".join(result.stdout.split())


def test_build_on_missing_folder_is_one_line_and_exit_1(tmp_path):
    result = run("build", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "no such folder" in result.stderr


def test_build_with_bad_manifest_names_file_and_row(tmp_path):
    (tmp_path / "a.txt").write_text("Rebels attacked a village.")
    (tmp_path / "manifest.csv").write_text("file,published_date\na.txt,yesterday\n")
    result = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "manifest.csv:2: published_date" in result.stderr
    assert not (tmp_path / "out" / "events.parquet").exists()


def test_validate_missing_file_exit_1_without_traceback(tmp_path):
    result = run("validate", str(tmp_path / "nothing.csv"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nothing.csv" in result.stderr


def test_score_with_missing_gold_exit_1(tmp_path):
    result = run("score", "--gold", str(tmp_path / "gold.csv"), "--events", str(tmp_path / "e.parquet"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "no such file" in result.stderr


NOISY_COMMAND = """
import logging, sys
from etl.cli import app

@app.command("noise")
def noise() -> None:
    chatty = logging.getLogger("some.library")
    chatty.setLevel(logging.INFO)  # as Dask's distributed does
    chatty.info("started a scheduler")
    chatty.warning("a warning")
    chatty.error("a real problem")

app(sys.argv[1:])
"""


@pytest.mark.parametrize("flags, shown", [([], ["a real problem"]), (["--verbose"], ["a warning", "a real problem"])])
def test_a_library_that_logs_at_info_stays_quiet(flags, shown):
    result = subprocess.run([sys.executable, "-c", NOISY_COMMAND, *flags, "noise"], capture_output=True, text=True, timeout=120)
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == shown


def test_build_with_progress_shows_a_bar_for_each_long_stage(tmp_path):
    (tmp_path / "a.txt").write_text("Rebels attacked a village near Goma on Monday, killing three people.\n")
    result = run("build", str(tmp_path), "--out", str(tmp_path / "out"), "--progress", "--workers", "1")
    assert result.returncode == 0, result.stderr
    for stage in ("extracting", "merging", "writing"):
        assert stage in result.stderr, stage
    quiet = run("build", str(tmp_path), "--out", str(tmp_path / "again"), "--no-progress", "--workers", "1")
    assert not any(stage in quiet.stderr for stage in ("extracting", "merging", "writing"))


WAITING_COMMAND = """
import signal, sys, time
from etl.cli import app, main

signal.signal(signal.SIGINT, signal.default_int_handler)  # (a shell may start us with Ctrl-C ignored)

@app.command("wait")
def wait() -> None:
    print("ready", flush=True)
    time.sleep(60)

main()
"""


def test_ctrl_c_is_one_line_and_exit_130():
    import signal

    proc = subprocess.Popen([sys.executable, "-c", WAITING_COMMAND, "wait"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.splitlines() == ["error: interrupted; previous outputs are left as they were"]

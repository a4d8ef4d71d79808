"""The ``etl`` command: a thin layer that parses arguments, calls the library and prints.

Every ``EtlError`` becomes one line on stderr and exit code 1; a traceback only with --debug.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import List, Literal, NoReturn, Optional

import typer

from . import __version__
from .errors import EtlError, ValidationError

MAX_PROBLEM_LINES = 50

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Build ACLED-style conflict event datasets from news articles, offline and reproducibly.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class _State:
    debug = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"etl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show per-sentence extraction warnings."),
) -> None:
    """Build ACLED-style conflict event datasets from news articles.

    Example: etl build seeds --out data
    """
    _State.debug = debug
    level = logging.DEBUG if debug else logging.WARNING if verbose else logging.ERROR
    root = logging.getLogger()
    configured = bool(root.handlers)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    if not configured:
        # The handler filters too: libraries that set their own loggers' levels (Dask's
        # ``distributed`` logs at INFO) pass their records up to it, past the root's level.
        root.handlers[0].setLevel(level)


def _fail(message: str, lines: list[str] | None = None) -> None:
    for line in (lines or [])[:MAX_PROBLEM_LINES]:
        typer.echo(line, err=True)
    if lines and len(lines) > MAX_PROBLEM_LINES:
        typer.echo(f"... and {len(lines) - MAX_PROBLEM_LINES} more problems", err=True)
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def build(
    seeds_dir: Path = typer.Argument(Path("seeds"), help="Folder of *.txt articles (and an optional manifest.csv)."),
    out: Path = typer.Option(Path("data"), "--out", "-o", help="Folder the tables are written to."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    workers: int = typer.Option(0, "--workers", "-j", min=0, help="Processes for extraction, merging and rendering (default 0: all cores; 1: no extra process)."),
    engine: Literal["local", "dask"] = typer.Option("local", "--engine", help="Where extraction runs: local processes, or Dask (needs the 'dask' extra)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster); workers must see SEEDS_DIR."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Extract every article again, ignoring and not writing OUT/.cache/."),
) -> None:
    """Extract events from every article in SEEDS_DIR and write events, sources and evidence tables.

    Re-running it re-extracts only new or changed articles (cached in OUT/.cache/).

    Example: etl build seeds --out data --workers 4
    """
    if scheduler and engine != "dask":
        raise EtlError("--scheduler needs --engine dask")
    if engine == "dask":
        try:
            import dask.bag  # noqa: F401
            import distributed  # noqa: F401
        except ImportError:
            raise EtlError("--engine dask needs Dask: pip install 'acled-etl[dask]'") from None
    from .build import build as run_build

    show = sys.stderr.isatty() if progress is None else progress
    summary = run_build(seeds_dir, out, progress=show, workers=workers, engine=engine,
                        scheduler=scheduler, cache=not no_cache)
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for dup, original in sorted(summary.duplicates.items()):
        typer.echo(f"warning: {dup}: same text as {original}; its events are not counted twice", err=True)
    reused = f" ({summary.cached} unchanged, from the cache)" if summary.cached else ""
    typer.echo(f"{summary.articles} articles{reused} -> {summary.events} events written to {summary.out_dir}/")


@app.command()
def validate(
    paths: List[Path] = typer.Argument(..., help="Parquet or CSV event tables (ours or ACLED exports)."),
) -> None:
    """Check event tables against the events schema; one line per problem, exit 1 if any.

    Example: etl validate data/events.parquet new_rows.csv
    """
    from .validate import validate_paths

    problems = validate_paths(paths)
    if problems:
        _fail(f"{len(problems)} problems in {len(paths)} file(s)", problems)
    typer.echo(f"ok: {len(paths)} file(s) valid")


@app.command()
def score(
    gold: Path = typer.Option(..., "--gold", help="Hand-coded gold events (CSV)."),
    events: Path = typer.Option(Path("data/events.parquet"), "--events", help="Built events (Parquet or CSV)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the full result as JSON."),
    quiet: bool = typer.Option(False, "--quiet", help="Only the summary line."),
) -> None:
    """Score built events against gold, article by article (precision, recall, F1, field accuracy).

    Example: etl score --gold ../shared/dev/seeds_gold.csv --events data/events.parquet
    """
    from .score import format_report, score_files

    result = score_files(gold, events)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2, default=str))
    typer.echo(format_report(result, quiet=quiet))


@app.command()
def geocode(
    name: str = typer.Argument(..., help="A place name in any spelling the gazetteer knows."),
    near: Optional[str] = typer.Option(None, "--near", help="Prefer matches near this place."),
    country: Optional[str] = typer.Option(None, "--country", help="Only matches in this country (ISO3)."),
    limit: int = typer.Option(5, "--limit", min=1, help="How many matches to consider."),
) -> None:
    """Look a place up in the local gazetteer; print the best match and the runners-up as JSON.

    Example: etl geocode Khankendi --country AZE
    """
    from .gazetteer import geocode as run_geocode

    matches = run_geocode(name, near=near, country=country, limit=limit)
    typer.echo(json.dumps({"best": matches[0], "runners_up": matches[1:]}, indent=2, ensure_ascii=False, default=str))


def main() -> None:
    _leave(_run())


def _leave(code: int) -> NoReturn:
    """Exit without tearing the interpreter down. The command is done (its files written,
    synced and closed, its worker processes joined), and what runs at exit is run: the
    handlers registered with ``atexit`` (logging's flush, multiprocessing's clean-up) and
    a flush of the output. Only the freeing of every module and object is skipped: ~0.25 s,
    a tenth of a rebuild."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _interrupted() -> int:
    print("error: interrupted; previous outputs are left as they were", file=sys.stderr)
    return 130


def _run() -> int:
    """The command's exit code; its errors printed as one line each (no traceback)."""
    try:
        # standalone_mode=False: click returns a command's exit code instead of exiting
        code = app(standalone_mode=False)
        if code == 130:  # typer's answer to a Ctrl-C (no command of ours returns 130)
            return _interrupted()
        return code if isinstance(code, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except ValidationError as exc:
        if _State.debug:
            raise
        for line in exc.problems[:MAX_PROBLEM_LINES]:
            print(line, file=sys.stderr)
        if len(exc.problems) > MAX_PROBLEM_LINES:
            print(f"... and {len(exc.problems) - MAX_PROBLEM_LINES} more problems", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except EtlError as exc:
        if _State.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:  # click usage errors and anything unexpected: one line, exit 1
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code if exc.exit_code else 2
        if isinstance(exc, click.exceptions.Abort):
            # click's own answer to a Ctrl-C (where typer leaves it to click): an Abort from it
            return _interrupted() if isinstance(exc.__context__, KeyboardInterrupt) else 1
        if _State.debug:
            raise
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1

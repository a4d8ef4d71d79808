"""``etl build``: articles in a folder -> validated event, source and evidence tables.

    read_corpus -> Extractor (per article) -> duplicates -> merge -> ids -> validate -> write

The per-article work is pure (``etl.pipeline.Extractor``) and runs where the runner puts
it (``etl.runner``: this process, a process pool, or Dask): each worker loads the
Extractor once and reads its articles itself, so no text crosses a process boundary. It
turns an article into an ``ArticleOutcome``, which keeps no text; everything after
extraction (duplicates, merge, ids, tables) works on those compact records, so memory
does not grow with the texts of the corpus. Outcomes come back in file-name order, so the
output does not depend on the runner or the number of workers.

Outcomes are cached by content hash + manifest metadata + extractor version
(``etl.cache``) under ``OUT/.cache/``: a rebuild re-extracts only new or changed articles.
"""
from __future__ import annotations

import functools
import hashlib
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import export, ingest, merge, sources, validate
from .cache import OutcomeCache, article_key, cached_map, current_version
from .errors import EtlError, ValidationError
from .ids import IdRegister
from .records import Article, Event
from .runner import Runner, make_runner

if TYPE_CHECKING:  # the pipeline is imported where the Extractor is loaded: in the workers
    from .pipeline import ArticleResult, Extractor

ID_REGISTER = "event_ids.csv"


@dataclass(frozen=True)
class ArticleTask:
    """One article to extract: where it is and its manifest row. Small, so cheap to ship."""

    path: str
    meta: ingest.ManifestRow | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class ArticleOutcome:
    """What the build keeps of one article once it has been extracted (no text)."""

    article: Article
    reference_date: object
    reference_how: str
    publisher: str | None
    events: tuple[Event, ...]
    # What finding copies across articles needs of the text (``sources.fingerprint``).
    fingerprint: sources.TextFingerprint | None = None


@dataclass
class BuildSummary:
    out_dir: Path
    articles: int = 0
    events: int = 0
    duplicates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    extracted: int = 0  # articles extracted in this build
    cached: int = 0  # articles whose outcome came from the cache


def _strip_text(article: Article) -> Article:
    return replace(article, text="", kept=())


def outcome_of(result: ArticleResult, extractor: Extractor, publishers: sources.Publishers) -> ArticleOutcome:
    article = result.article
    signoff = extractor.cleaner.signoff(article) if article.status == "ok" else None
    return ArticleOutcome(
        article=_strip_text(article),
        reference_date=result.reference.date,
        reference_how=result.reference.how,
        publisher=publishers.publisher(article, signoff),
        events=result.events,
        fingerprint=sources.fingerprint(article.text) if article.status == "ok" else None,
    )


@dataclass(frozen=True)
class ArticleWorker:
    """Reads one article and extracts it; built once per worker process."""

    extractor: Extractor
    publishers: sources.Publishers

    def __call__(self, task: ArticleTask) -> ArticleOutcome:
        article = ingest.read_article(Path(task.path), task.meta)
        try:
            return outcome_of(self.extractor(article), self.extractor, self.publishers)
        except EtlError:
            raise
        except Exception as exc:
            raise EtlError(f"{task.name}: extraction failed: {type(exc).__name__}: {exc}") from exc


def load_worker(extractor_factory: Callable[[], Extractor] | None = None) -> ArticleWorker:
    """The worker of one process: the Extractor (``Extractor.load`` unless given) and publishers."""
    if extractor_factory is None:
        from .pipeline import Extractor

        extractor_factory = Extractor.load
    return ArticleWorker(extractor_factory(), sources.Publishers.load())


def corpus_tasks(input_dir: Path) -> list[ArticleTask]:
    """Every article of ``input_dir`` in file-name order, with its manifest row."""
    paths = ingest.article_paths(input_dir)
    manifest = ingest.read_manifest(input_dir)
    return [ArticleTask(str(p), manifest.get(p.name)) for p in paths]


def _meta_fields(meta: ingest.ManifestRow | None) -> tuple:
    meta = meta or ingest.ManifestRow(file="")
    return (meta.url, meta.publisher, meta.published_date, meta.title)


def task_key(task: ArticleTask) -> str:
    """The cache key of a task: hashes the file's bytes (the text itself is not kept)."""
    sha = hashlib.sha256(Path(task.path).read_bytes()).hexdigest()
    return article_key(task.name, sha, _meta_fields(task.meta))


def outcome_key(task: ArticleTask, outcome: ArticleOutcome) -> str:
    # The hash of the bytes the worker actually read, in case the file changed meanwhile.
    return article_key(task.name, outcome.article.sha256, _meta_fields(task.meta))


def extract_outcomes(
    tasks: Sequence[ArticleTask],
    factory: Callable[[], Callable[[ArticleTask], ArticleOutcome]],
    runner: Runner,
    cache: OutcomeCache | None = None,
    progress: Callable[[int], Any] | None = None,
) -> list[ArticleOutcome]:
    """The outcome of every task, in task order: from the cache, else from the runner."""
    return cached_map(tasks, factory, runner, cache, task_key, outcome_key, progress)


def find_duplicates(outcomes: Sequence[ArticleOutcome]) -> dict[str, str]:
    """Duplicate key -> original key, from the fingerprints the workers made (no text needed)."""
    return sources.duplicates_of((o.article.key, o.fingerprint) for o in outcomes if o.article.status == "ok")


def register_bytes(register: IdRegister) -> bytes:
    """The register's file, so that it is committed in one set with the tables."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ID_REGISTER
        register.save(path)
        return path.read_bytes()


def source_rows(outcomes: list[ArticleOutcome], events: tuple[Event, ...], duplicates: dict[str, str]) -> list[dict]:
    counts: dict[str, int] = {}
    for event in events:
        for key in event.source_keys:
            counts[key] = counts.get(key, 0) + 1
    rows = []
    for outcome in outcomes:
        article = outcome.article
        status = "duplicate" if article.key in duplicates else article.status
        rows.append(dict(
            source_key=article.key,
            file=article.file,
            sha256=article.sha256,
            publisher=outcome.publisher,
            url=article.url,
            published_date=article.published_date,
            reference_date=outcome.reference_date,
            reference_date_how=outcome.reference_how,
            title=article.title,
            n_events=counts.get(article.key, 0),
            status=status,
            duplicate_of=duplicates.get(article.key),
        ))
    return rows


def progress_bar(total: int, enabled: bool) -> tuple[Callable[[int], Any], Callable[[], None]]:
    """``(update, close)`` of a progress bar on stderr, or of nothing."""
    if not enabled:
        return (lambda n: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="article", desc="extracting", file=sys.stderr)
    return bar.update, bar.close


def _version(extractor_factory: Callable[[], Extractor] | None) -> str:
    version = current_version()
    if extractor_factory is None:
        return version
    name = f"{getattr(extractor_factory, '__module__', '')}.{getattr(extractor_factory, '__qualname__', repr(extractor_factory))}"
    return hashlib.sha256(f"{version}\0{name}".encode()).hexdigest()


def build(
    input_dir: Path,
    out_dir: Path,
    *,
    progress: bool = False,
    workers: int = 0,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool = True,
    extractor_factory: Callable[[], Extractor] | None = None,
) -> BuildSummary:
    """Build the tables of ``input_dir`` into ``out_dir``; raises ValidationError on invalid output.

    ``workers``: extraction processes (0: all cores); ``engine``: ``local`` or ``dask``
    (``scheduler``: a Dask scheduler address, else a local cluster); ``cache``: reuse the
    outcomes of unchanged articles from ``out_dir/.cache/``. The output is the same
    whatever the engine, the number of workers or the state of the cache.
    """
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    tasks = corpus_tasks(input_dir)
    runner = make_runner(engine, workers, scheduler)
    factory = functools.partial(load_worker, extractor_factory)
    store = OutcomeCache(out_dir, _version(extractor_factory)) if cache else None
    update, close = progress_bar(len(tasks), progress)
    try:
        outcomes = extract_outcomes(tasks, factory, runner, store, update)
    finally:
        close()
    cached = store.hits if store is not None else 0
    del store  # its shards hold every outcome: let them go with the outcomes below
    duplicates = find_duplicates(outcomes)
    # A duplicate's events go to the merge too: they never add or change a row, they only
    # join their original's rows (its key and evidence), so every report stays linked.
    candidates = [e for o in outcomes for e in o.events]
    # The sources table needs neither events nor fingerprints (1 KB per article).
    outcomes = [replace(o, events=(), fingerprint=None) for o in outcomes]

    publishers = sources.Publishers.load()
    publisher_of = {o.article.key: o.publisher for o in outcomes}
    merged = merge.merge_events(candidates, publisher_of, publishers, duplicates=duplicates)
    register = IdRegister.load(out_dir / ID_REGISTER)
    events = register.assign(merged)

    tables = {
        "events": export.events_frame(events),
        "sources": export.sources_frame(source_rows(outcomes, events, duplicates)),
        "evidence": export.evidence_frame(events),
    }
    problems = validate.validate_frame(tables["events"], source_keys={o.article.key for o in outcomes})
    if problems:
        raise ValidationError(f"{out_dir}: the build produced {len(problems)} invalid values; nothing was written", problems)
    export.write_tables(out_dir, tables, files={ID_REGISTER: register_bytes(register)})

    summary = BuildSummary(out_dir=out_dir, articles=len(outcomes), events=len(events), duplicates=duplicates)
    summary.cached = cached
    summary.extracted = len(outcomes) - summary.cached
    summary.warnings.extend(w for o in outcomes for w in o.article.warnings)
    summary.warnings.extend(f"{name}: listed in manifest.csv but not found" for name in ingest.manifest_orphans(input_dir))
    return summary

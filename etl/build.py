"""``etl build``: articles in a folder -> validated event, source and evidence tables.

    read_corpus -> Extractor (per article) -> duplicates -> merge -> ids -> validate -> write

The per-article work is pure (``etl.pipeline.Extractor``); everything after it works on
compact event records, never on article texts.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import export, ingest, merge, sources, validate
from .errors import ValidationError
from .ids import IdRegister
from .pipeline import ArticleResult, Extractor
from .records import Article, Event

ID_REGISTER = "event_ids.csv"


@dataclass(frozen=True)
class ArticleOutcome:
    """What the build keeps of one article once it has been extracted (no text)."""

    article: Article
    reference_date: object
    reference_how: str
    publisher: str | None
    events: tuple[Event, ...]


@dataclass
class BuildSummary:
    out_dir: Path
    articles: int = 0
    events: int = 0
    duplicates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


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
    )


def extract_all(
    articles: Iterable[Article],
    extractor: Extractor,
    publishers: sources.Publishers,
    progress: Callable[[Iterable[Article]], Iterable[Article]] = lambda it: it,
) -> tuple[list[ArticleOutcome], dict[str, str]]:
    """Extract every article (one pass, one article in memory at a time) and find duplicates."""
    outcomes: list[ArticleOutcome] = []

    def texts() -> Iterator[tuple[str, str]]:
        for article in progress(articles):
            outcomes.append(outcome_of(extractor(article), extractor, publishers))
            if article.status == "ok":
                yield article.key, article.text

    duplicates = sources.find_duplicates(texts())
    return outcomes, duplicates


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


def progress_bar(total: int, enabled: bool) -> Callable[[Iterable[Article]], Iterable[Article]]:
    if not enabled:
        return lambda it: it
    from tqdm import tqdm

    return lambda it: tqdm(it, total=total, unit="article", desc="extracting", file=sys.stderr)


def build(input_dir: Path, out_dir: Path, *, progress: bool = False) -> BuildSummary:
    """Build the tables of ``input_dir`` into ``out_dir``; raises ValidationError on invalid output."""
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    paths = ingest.article_paths(input_dir)
    extractor = Extractor.load()
    publishers = sources.Publishers.load()
    outcomes, duplicates = extract_all(
        ingest.read_corpus(input_dir), extractor, publishers, progress_bar(len(paths), progress)
    )
    candidates = [e for o in outcomes if o.article.key not in duplicates for e in o.events]
    publisher_of = {o.article.key: o.publisher for o in outcomes}
    merged = merge.merge_events(candidates, publisher_of, publishers)
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
    export.write_tables(out_dir, tables)
    register.save(out_dir / ID_REGISTER)

    summary = BuildSummary(out_dir=out_dir, articles=len(outcomes), events=len(events), duplicates=duplicates)
    summary.warnings.extend(w for o in outcomes for w in o.article.warnings)
    summary.warnings.extend(f"{name}: listed in manifest.csv but not found" for name in ingest.manifest_orphans(input_dir))
    return summary

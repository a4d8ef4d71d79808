"""The extraction pipeline for one article, read top to bottom as its list of stages.

    ingest -> clean -> sentences -> mentions (dates, numbers, places, actors, triggers)
           -> assemble -> code                       (per article, pure, parallel-safe)
    then merge (across articles) -> export           (see build.py)

Every stage is an object built once from its data files (``load()``) and called per
article; stages share no state and pass the records of ``etl.records``.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import actors, assemble, clean, coding, dates, numbers, places, sentences, triggers
from .records import Article, Event, ReferenceDate


@dataclass(frozen=True)
class ArticleResult:
    """What extraction made of one article: the article (with its status) and its events."""

    article: Article
    reference: ReferenceDate
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Extractor:
    cleaner: clean.Cleaner
    splitter: sentences.Splitter
    dater: dates.DateFinder
    counter: numbers.NumberFinder
    placer: places.PlaceFinder
    actor_finder: actors.ActorFinder
    trigger_finder: triggers.TriggerFinder
    assembler: assemble.Assembler
    coder: coding.Coder

    @classmethod
    def load(cls) -> "Extractor":
        return cls(
            cleaner=clean.Cleaner.load(),
            splitter=sentences.Splitter.load(),
            dater=dates.DateFinder.load(),
            counter=numbers.NumberFinder.load(),
            placer=places.PlaceFinder.load(),
            actor_finder=actors.ActorFinder.load(),
            trigger_finder=triggers.TriggerFinder.load(),
            assembler=assemble.Assembler.load(),
            coder=coding.Coder.load(),
        )

    def __call__(self, article: Article) -> ArticleResult:
        if article.status != "ok":
            return ArticleResult(article, ReferenceDate(article.published_date, "manifest" if article.published_date else "none"), ())
        article = self.cleaner(article)
        sents = self.splitter(article)
        reference = self.dater.reference(article, sents)
        mentions = (
            self.dater(sents, reference)
            + self.counter(sents)
            + self.placer(sents)
            + self.actor_finder(sents)
            + self.trigger_finder(sents)
        )
        mentions = tuple(sorted(mentions, key=lambda m: (m.start, m.end, m.kind)))
        candidates = self.assembler(article, sents, mentions, reference)
        events = self.coder(article, candidates)
        return ArticleResult(article, reference, events)

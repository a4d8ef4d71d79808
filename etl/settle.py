"""From every article's reports to the rows of the tables, one country at a time.

    reports by country -> merge -> ids -> events by month + evidence by country
                       -> rendered chunks of the events and evidence tables

Merging and ids never cross countries (two reports of one event share a country, and an
id is its country's code + a number), so a country is a complete unit of work: memory
holds one country's events and register entries, never the corpus's. Each country's
result is cached under a key over everything it depends on (the extractor version, the
keys of the articles that report there, their duplicates, and the country's register
rows), and each month's rendered chunk of the events table under the keys of the
countries it draws on; a rebuild after one new article redoes the few countries and
months that article touches and copies the rest (a month is keyed by the bytes of
its events, so a recomputed country that came out the same changes nothing downstream).
"""
from __future__ import annotations

import csv
import hashlib
import io
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import export, merge, sources, validate
from .errors import ValidationError
from .ids import IdRegister, parse_rows, read_rows, rows_digest, write_entries
from .records import Event
from .spool import Spool


@dataclass(frozen=True)
class CountryResult:
    """What settling one country produced, all of it plain data (cacheable)."""

    register_rows: str  # the country's id register rows (CSV, no header)
    months: tuple[tuple[str, bytes], ...]  # (YYYY-MM, pickled events of that month)
    evidence: export.Chunk  # the country's rows of the evidence table, rendered
    reports_per_article: tuple[tuple[str, int], ...]  # article key -> events it reports
    events: int


@dataclass
class Settled:
    """Where the settled countries went: their chunks and register rows, on disk."""

    register: Path  # the new id register file
    month_keys: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # month -> digests of its parts
    reports_per_article: Counter = field(default_factory=Counter)
    events: int = 0


class Settler:
    """Settles the countries of one build; ``cache``: an ``OutcomeCache`` (or None)."""

    def __init__(self, work: Path, version: str, cache: Any | None = None):
        self.work = Path(work)
        self.version = version
        self.cache = cache
        self.months = Spool(self.work / "months")
        self.evidence = Spool(self.work / "evidence")
        self._publishers: sources.Publishers | None = None  # loaded when a country is settled
        self.computed = 0  # countries settled in this build (the others came from the cache)
        self.rendered = 0  # months rendered in this build

    # -- countries ------------------------------------------------------------------------

    def settle(self, reports: Callable[[str], Iterator[tuple[str, bytes]]], members: Mapping[str, list[str]],
               publisher_of: Mapping[str, str | None], duplicates: Mapping[str, str], register_file: Path,
               identities: Mapping[str, str] | None = None) -> Settled:
        """Settle every country of ``members`` (country code -> keys of the articles that
        report events there) and of the register file; ``reports(code)`` gives a country's
        (article key, pickled events) in article order, read only if it must be settled.
        ``identities``: article key -> what identifies its outcome (its cache key: name,
        content hash, manifest row); a country is cached under these, not the names."""
        header, rows = read_rows(register_file)
        iso3_at = header.index("iso3")
        entries: Spool = Spool(self.work / "register")
        pending: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
        for n, (line, fields) in enumerate(rows, start=1):
            code = fields[iso3_at] if iso3_at < len(fields) else ""
            pending[code if code.isalnum() else "_bad"].append((line, fields))
            if n % 5000 == 0:  # rows set aside in blocks: memory holds a block, not the register
                for part, block in pending.items():
                    entries.add(part, block)
                pending.clear()
        for part, block in pending.items():
            entries.add(part, block)
        digests = {code: rows_digest(f for _, f in entries.iter(code)) for code in entries.parts()}
        settled = Settled(self.work / "event_ids.csv")
        with settled.register.open("w", encoding="utf-8", newline="") as handle:
            write_entries(handle, (), header=True)
            for code in sorted(set(members) | set(entries.parts())):
                key = self._country_key(code, members.get(code, ()), duplicates, identities or {})
                register_digest = digests.get(code, rows_digest(()))
                result = self._cached(f"country/{key}", register_digest)
                if result is None:
                    known = parse_rows(register_file, header, entries.iter(code))
                    result = self._settle_one(reports(code), known, publisher_of, duplicates)
                    self.computed += 1
                    self._store(f"country/{key}", result, register_digest)
                handle.write(result.register_rows)
                self.evidence.add(code, [result.evidence])
                for month, blob in result.months:
                    self.months.add(month, [blob])
                    settled.month_keys[month].append(hashlib.sha256(blob).hexdigest())
                settled.reports_per_article.update(dict(result.reports_per_article))
                settled.events += result.events
        return settled

    def _country_key(self, code: str, articles: Any, duplicates: Mapping[str, str], identities: Mapping[str, str]) -> str:
        hasher = hashlib.sha256(f"{self.version}\0{code}\0".encode())
        for key in sorted(articles):
            hasher.update(f"{key}={identities.get(key, '')}>{duplicates.get(key, '')}\0".encode())
        return hasher.hexdigest()

    def _cached(self, key: str, register_digest: str) -> CountryResult | None:
        """The cached result if the register rows it was made from, or those it wrote (a
        register settled by this result gives it again), are the ones given now."""
        if self.cache is None:
            return None
        found = self.cache.get(key)
        if found is None:
            return None
        made_from, wrote, result = found
        return result if register_digest in (made_from, wrote) else None

    def _store(self, key: str, result: CountryResult, register_digest: str) -> None:
        if self.cache is not None:
            wrote = rows_digest(csv.reader(io.StringIO(result.register_rows, newline="")))
            self.cache.put(key, (register_digest, wrote, result))

    def _settle_one(self, reports: Iterator[tuple[str, bytes]], entries: Iterator[Any],
                    publisher_of: Mapping[str, str | None], duplicates: Mapping[str, str]) -> CountryResult:
        candidates = [event for _, blob in reports for event in pickle.loads(blob)]
        if self._publishers is None:
            self._publishers = sources.Publishers.load()
        merged = merge.merge_events(candidates, publisher_of, self._publishers, duplicates=duplicates)
        register = IdRegister(entries)
        events = register.assign(merged)
        by_month: dict[str, list[Event]] = defaultdict(list)
        counts: Counter = Counter()
        for event in events:
            by_month[f"{event.event_date.year:04d}-{event.event_date.month:02d}"].append(event)
            counts.update(event.source_keys)
        rows = io.StringIO()
        write_entries(rows, register.entries, header=False)
        return CountryResult(
            register_rows=rows.getvalue(),
            months=tuple((m, pickle.dumps(tuple(v), protocol=pickle.HIGHEST_PROTOCOL)) for m, v in sorted(by_month.items())),
            evidence=export.render("evidence", export.evidence_frame(events)),
            reports_per_article=tuple(sorted(counts.items())),
            events=len(events),
        )

    # -- tables ---------------------------------------------------------------------------

    def event_chunks(self, settled: Settled, source_keys: frozenset[str], out_dir: Path) -> Iterator[export.Chunk]:
        """The events table month by month (its order: by date first), each chunk validated
        when rendered; raises ValidationError after the last chunk if a value is invalid."""
        problems: list[str] = []
        row = 1
        for month in sorted(settled.month_keys):
            key = hashlib.sha256(f"{self.version}\0{month}\0{sorted(settled.month_keys[month])}".encode()).hexdigest()
            chunk = self.cache.get(f"month/{key}") if self.cache is not None else None
            if chunk is None:
                events = [e for blob in self.months.iter(month) for e in pickle.loads(blob)]
                frame = export.events_frame(events)
                found = validate.validate_frame(frame, source_keys=source_keys, first_row=row)
                chunk = export.render("events", frame)
                self.rendered += 1
                if found:
                    problems.extend(found)
                elif self.cache is not None:
                    self.cache.put(f"month/{key}", chunk)
            row += chunk.rows
            yield chunk
        if problems:
            raise ValidationError(f"{out_dir}: the build produced {len(problems)} invalid values; nothing was written", problems)

    def evidence_chunks(self) -> Iterator[export.Chunk]:
        """The evidence table country by country (its order: by event id first)."""
        for code in self.evidence.parts():
            yield from self.evidence.iter(code)

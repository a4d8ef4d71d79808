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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import export, merge, sources, validate
from .cache import OutcomeCache
from .errors import EtlError, ValidationError
from .ids import IdRegister, parse_rows, read_rows, rows_digest, write_entries
from .ledger import Ledger, Member
from .records import Event
from .spool import Spool


@dataclass(frozen=True)
class CountryResult:
    """What settling one country produced, all of it plain data (cacheable). Its bulky
    parts (each month's pickled events, the rendered evidence rows) are stored apart,
    under ``month_key`` and ``evidence_key``, and read only when a table needs them."""

    register_rows: str  # the country's id register rows (CSV, no header)
    months: tuple[tuple[str, str], ...]  # (YYYY-MM, sha256 of that month's pickled events)
    reports_per_article: tuple[tuple[str, int], ...]  # article key -> events it reports
    events: int


def month_key(country_key: str, month: str) -> str:
    return f"country-month/{country_key}/{month}"


def evidence_key(country_key: str) -> str:
    return f"country-evidence/{country_key}"


@dataclass
class Settled:
    """What the settled countries left for the tables: where their parts are stored."""

    register: Path  # the new id register file
    month_parts: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # month -> (digest, key)
    evidence_parts: list[str] = field(default_factory=list)  # in country-code order
    events: int = 0


class Settler:
    """Settles the countries of one build; ``cache``: an ``OutcomeCache``, or None (then a
    store in the working folder holds the parts for this build only)."""

    def __init__(self, work: Path, version: str, cache: Any | None = None):
        self.work = Path(work)
        self.version = version
        self.cache = cache
        self.store = cache if cache is not None else OutcomeCache(self.work / "parts", version)
        self._publishers: sources.Publishers | None = None  # loaded when a country is settled
        self._checker: validate.Checker | None = None  # schema and taxonomy, loaded when first needed
        self.computed = 0  # countries settled in this build (the others came from the cache)
        self.rendered = 0  # months rendered in this build

    # -- countries ------------------------------------------------------------------------

    def settle(self, reports: Callable[[str], Iterator[tuple[str, bytes]]], ledger: Ledger,
               duplicates: Mapping[str, str], register_file: Path) -> Settled:
        """Settle every country some article of ``ledger`` reports in, and every country of
        the register file; ``reports(code)`` gives a country's (article key, pickled
        events) in article order, read only if it must be settled. A country is cached
        under what identifies its articles' outcomes (their cache keys: name, content
        hash, manifest row), not their names alone."""
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
            codes = sorted(set(ledger.countries()) | set(entries.parts()))
            keys = [self._country_key(code, ledger.members(code), duplicates) for code in codes]
            found = self._prefetched([f"country/{key}" for key in keys], self.cache)
            for code, key, (_, cached) in zip(codes, keys, found):
                register_digest = digests.get(code, rows_digest(()))
                result = self._cached(key, cached, register_digest)
                if result is None:
                    known = parse_rows(register_file, header, entries.iter(code))
                    publisher_of = {m.key: m.publisher for m in ledger.members(code)}
                    result = self._settle_one(key, reports(code), known, publisher_of, duplicates)
                    self.computed += 1
                    self._store(key, result, register_digest)
                handle.write(result.register_rows)
                settled.evidence_parts.append(evidence_key(key))
                for month, digest in result.months:
                    settled.month_parts[month].append((digest, month_key(key, month)))
                ledger.count(result.reports_per_article)
                settled.events += result.events
        return settled

    def _country_key(self, code: str, members: Iterable[Member], duplicates: Mapping[str, str]) -> str:
        hasher = hashlib.sha256(f"{self.version}\0{code}\0".encode())
        for member in sorted(members):
            hasher.update(f"{member.key}={member.identity}>{duplicates.get(member.key, '')}\0".encode())
        return hasher.hexdigest()

    def _prefetched(self, keys: list[str], store: Any | None, block: int = 32) -> Iterator[tuple[str, Any]]:
        """``(key, stored value or None)`` for each of ``keys`` in order, read ``block`` per query."""
        for start in range(0, len(keys), block):
            part = keys[start:start + block]
            found = store.get_many(part) if store is not None else {}
            for key in part:
                yield key, found.get(key)

    def _cached(self, key: str, found: Any, register_digest: str) -> CountryResult | None:
        """The cached result (``found``) if the register rows it was made from, or those it
        wrote (a register settled by this result gives it again), are the ones given now,
        and its parts are all stored (they are kept, unread, for this build)."""
        if self.cache is None or found is None:
            return None
        made_from, wrote, result = found
        parts = [evidence_key(key)] + [month_key(key, month) for month, _ in result.months]
        if register_digest not in (made_from, wrote) or not self.cache.holds(parts):
            return None
        self.cache.keep(parts)
        return result

    def _store(self, key: str, result: CountryResult, register_digest: str) -> None:
        if self.cache is not None:
            wrote = rows_digest(csv.reader(io.StringIO(result.register_rows, newline="")))
            self.cache.put(f"country/{key}", (register_digest, wrote, result))

    def checker(self) -> validate.Checker:
        """The schema and taxonomy of the tables, loaded once per build (not per country or month)."""
        if self._checker is None:
            self._checker = validate.Checker.load()
        return self._checker

    def _settle_one(self, key: str, reports: Iterator[tuple[str, bytes]], entries: Iterator[Any],
                    publisher_of: Mapping[str, str | None], duplicates: Mapping[str, str]) -> CountryResult:
        candidates = [event for _, blob in reports for event in pickle.loads(blob)]
        if self._publishers is None:
            self._publishers = sources.Publishers.load()
        merged = merge.merge_events(candidates, publisher_of, self._publishers, duplicates=duplicates)
        register = IdRegister(entries)
        checker = self.checker()
        events = register.assign(merged, checker.taxonomy)
        by_month: dict[str, list[Event]] = defaultdict(list)
        counts: Counter = Counter()
        for event in events:
            by_month[f"{event.event_date.year:04d}-{event.event_date.month:02d}"].append(event)
            counts.update(event.source_keys)
        months = []
        for month, month_events in sorted(by_month.items()):
            blob = pickle.dumps(tuple(month_events), protocol=pickle.HIGHEST_PROTOCOL)
            self.store.put(month_key(key, month), blob)
            months.append((month, hashlib.sha256(blob).hexdigest()))
        evidence = export.evidence_frame(events, checker.schema)
        self.store.put(evidence_key(key), export.render("evidence", evidence, checker.schema))
        rows = io.StringIO()
        write_entries(rows, register.entries, header=False)
        return CountryResult(
            register_rows=rows.getvalue(),
            months=tuple(months),
            reports_per_article=tuple(sorted(counts.items())),
            events=len(events),
        )

    # -- tables ---------------------------------------------------------------------------

    def event_chunks(self, settled: Settled, known: Callable[[Iterable[str]], frozenset[str]], out_dir: Path) -> Iterator[export.Chunk]:
        """The events table month by month (its order: by date first), each chunk validated
        when rendered; raises ValidationError after the last chunk if a value is invalid."""
        problems: list[str] = []
        row = 1
        months = sorted(settled.month_parts)
        keys = [self._chunk_key(month, settled.month_parts[month]) for month in months]
        for month, (key, chunk) in zip(months, self._prefetched(keys, self.cache)):
            parts = settled.month_parts[month]
            if chunk is None:
                blobs = self.store.get_many([k for _, k in parts])
                events = [e for _, k in parts for e in pickle.loads(blobs[k])]
                checker = self.checker()
                frame = export.events_frame(events, checker.schema)
                found = validate.validate_frame(frame, source_keys=known({k for e in events for k in e.source_keys}),
                                                checker=checker, first_row=row)
                chunk = export.render("events", frame, checker.schema)
                self.rendered += 1
                if found:
                    problems.extend(found)
                elif self.cache is not None:
                    self.cache.put(key, chunk)
            row += chunk.rows
            yield chunk
        if problems:
            raise ValidationError(f"{out_dir}: the build produced {len(problems)} invalid values; nothing was written", problems)

    def _chunk_key(self, month: str, parts: list[tuple[str, str]]) -> str:
        """A month's chunk is keyed by the digests of the events its countries hold there."""
        return "month/" + hashlib.sha256(f"{self.version}\0{month}\0{sorted(d for d, _ in parts)}".encode()).hexdigest()

    def evidence_chunks(self, settled: Settled) -> Iterator[export.Chunk]:
        """The evidence table country by country (its order: by event id first)."""
        for key, chunk in self._prefetched(settled.evidence_parts, self.store):
            if chunk is None:
                raise EtlError(f"{self.store.path}: a stored part of this build is missing; delete the cache and build again")
            yield chunk

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

Countries, and months of the events table, are independent of each other, so those to
compute go to worker processes (``CountrySettler``, ``MonthRenderer``) when there are
enough of them; results come back in order, so the output does not depend on it.
"""
from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import itertools
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import export, merge, sources, validate
from .cache import OutcomeCache
from .errors import EtlError, ValidationError
from .ids import COLUMNS, Entry, IdRegister, rows_digest, write_entries
from .ledger import Ledger, Member
from .records import Event
from .register import RegisterLayout, RegisterRows
from .runner import LazyTasks, ProcessRunner, Runner, make_runner
from .spool import pickles


@dataclass(frozen=True)
class CountryResult:
    """What settling one country produced, all of it plain data (cacheable). Its bulky
    parts (each month's pickled events, the rendered evidence rows) are stored apart,
    under ``month_key`` and ``evidence_key``, and read only when a table needs them."""

    register_rows: str  # the country's id register rows (CSV, no header)
    register_count: int  # how many rows
    months: tuple[tuple[str, str, int], ...]  # (YYYY-MM, sha256 of that month's pickled events, events)
    reports_per_article: tuple[tuple[str, int], ...]  # article key -> events it reports
    events: int
    evidence_pieces: int  # the country's evidence rows are stored in this many pieces


def month_key(country_key: str, month: str) -> str:
    return f"country-month/{country_key}/{month}"


def evidence_key(country_key: str, piece: int) -> str:
    return f"country-evidence/{country_key}/{piece}"


Progress = Callable[[int], tuple[Callable[[int], Any], Callable[[], None]]]  # total -> (update, close) of a bar


def _no_progress(total: int) -> tuple[Callable[[int], Any], Callable[[], None]]:
    return (lambda n: None), (lambda: None)


@contextlib.contextmanager
def _closing(close: Callable[[], None]) -> Iterator[None]:
    try:
        yield
    finally:
        close()


POOL_FROM = 2000  # reports to settle, events to render: below this, starting processes costs more than it saves
ASIDE_FROM = 10_000  # reports or events this process works itself below (a country of 10,000: ~75 MB while merged)


class ReportReader(Protocol):
    """Reads a country's reports where the country is settled (a worker process, so that
    they never pass through the build's process): picklable."""

    def __call__(self, code: str, members: Sequence[Member]) -> Iterator[tuple[str, bytes]]:
        """(article key, pickled events) of country ``code``, in the order of ``members``
        (the articles that report there, in article order)."""
        ...


@dataclass(frozen=True)
class CountryWork:
    """What settling one country needs: plain data, so that a worker process can settle
    it. Its reports are read by the worker (``ReportReader``), and its parts written by
    the worker to ``parts_file``: a large country's events never pass through the build's
    process all at once."""

    key: str  # the country's cache key
    code: str
    members: tuple[Member, ...]  # the articles that report there, in article order
    entries: tuple[Entry, ...]  # the country's rows of the id register
    parts_file: str  # where the worker writes the country's parts (``CountryParts``)


@dataclass(frozen=True)
class CountryParts:
    """A settled country: its result, and the file holding the parts stored apart from it
    (each month's events pickled, the evidence rows in pieces), read one part at a time."""

    result: CountryResult
    register_digest: str  # rows_digest of its register rows
    parts_file: str

    def parts(self) -> Iterator[tuple[str, Any]]:
        """(kind, part) in the order written: ("month", (YYYY-MM, pickled events)) for each
        month, then ("evidence", chunk) for each piece of the evidence rows."""
        return pickles(Path(self.parts_file))


EVIDENCE_PIECE = 5000  # rows: a country's evidence rows are stored (and written) in pieces of this many


@dataclass(frozen=True)
class CountrySettler:
    """Merges one country's reports and gives its events ids: built once per process."""

    duplicates: Mapping[str, str]
    publishers: sources.Publishers
    checker: validate.Checker
    reports: ReportReader

    def __call__(self, work: CountryWork) -> CountryParts:
        candidates = [event for _, blob in self.reports(work.code, work.members) for event in pickle.loads(blob)]
        publisher_of = {member.key: member.publisher for member in work.members}
        merged = merge.merge_events(candidates, publisher_of, self.publishers, duplicates=self.duplicates)
        del candidates
        register = IdRegister(work.entries)
        events = register.assign(merged, self.checker.taxonomy)
        by_month: dict[str, list[Event]] = defaultdict(list)
        counts: Counter = Counter()
        for event in events:
            by_month[f"{event.event_date.year:04d}-{event.event_date.month:02d}"].append(event)
            counts.update(event.source_keys)
        digests = []
        with open(work.parts_file, "wb") as handle:
            for month, month_events in sorted(by_month.items()):
                blob = pickle.dumps(tuple(month_events), protocol=pickle.HIGHEST_PROTOCOL)
                digests.append((month, hashlib.sha256(blob).hexdigest(), len(month_events)))
                pickle.dump(("month", (month, blob)), handle, protocol=pickle.HIGHEST_PROTOCOL)
            pieces = 0
            for chunk in export.evidence_chunks(events, EVIDENCE_PIECE, self.checker.schema):
                pickle.dump(("evidence", chunk), handle, protocol=pickle.HIGHEST_PROTOCOL)
                pieces += 1
        rows = io.StringIO()
        write_entries(rows, register.entries, header=False)
        result = CountryResult(
            register_rows=rows.getvalue(),
            register_count=len(register),
            months=tuple(digests),
            reports_per_article=tuple(sorted(counts.items())),
            events=len(events),
            evidence_pieces=pieces,
        )
        return CountryParts(result, rows_digest(csv.reader(io.StringIO(result.register_rows, newline=""))), work.parts_file)


def load_country_worker(duplicates: Mapping[str, str], reports: ReportReader) -> CountrySettler:
    """The country settler of one process (``Settler.settle``'s runner factory)."""
    return CountrySettler(duplicates, sources.Publishers.load(), validate.Checker.load(), reports)


@dataclass(frozen=True)
class MonthWork:
    """A month of the events table to render: its events, pickled by country."""

    blobs: tuple[bytes, ...]
    first_row: int  # the number of its first row in the table (for problem lines)


@dataclass(frozen=True)
class RenderedMonth:
    chunk: export.Chunk
    source_keys: frozenset[str]  # every key its events cite
    problems: tuple[str, ...]  # what its checks found


@dataclass(frozen=True)
class MonthRenderer:
    """Renders a month of the events table and checks it: built once per process."""

    checker: validate.Checker

    def __call__(self, work: MonthWork, known: Callable[[Iterable[str]], frozenset[str]] | None = None) -> RenderedMonth:
        """``known``: which of a set of article keys exist (without it, source keys are not checked)."""
        events = [e for blob in work.blobs for e in pickle.loads(blob)]
        cited = frozenset(k for e in events for k in e.source_keys)
        frame = export.events_frame(events, self.checker.schema)
        found = validate.validate_frame(frame, source_keys=known(cited) if known is not None else None,
                                        checker=self.checker, first_row=work.first_row)
        return RenderedMonth(export.render("events", frame, self.checker.schema), cited, tuple(found))

    def batch(self, works: tuple[MonthWork, ...]) -> tuple[RenderedMonth, ...]:
        """Months that follow each other in the table, made into one frame, checked at
        once and cut into a chunk per month (a frame's making and check are mostly fixed
        cost: months are small); when the check finds something, each month is rendered
        and checked again on its own, for the problem lines of the month they are in."""
        schema = self.checker.schema
        events = [[e for blob in work.blobs for e in pickle.loads(blob)] for work in works]
        frame = export.events_frame([e for month_events in events for e in month_events], schema)
        bounds = list(itertools.pairwise(itertools.accumulate(map(len, events), initial=0)))
        if not _by_month(frame, bounds, events) or not self.checker.typed_frames_pass([frame], "events"):
            return tuple(self(work) for work in works)
        chunks = export.render_pieces("events", frame, bounds, schema)
        return tuple(RenderedMonth(chunk, frozenset(k for e in month_events for k in e.source_keys), ())
                     for chunk, month_events in zip(chunks, events))


def _by_month(frame, bounds: list[tuple[int, int]], events: list[list[Event]]) -> bool:
    """Whether the rows of each range of the sorted ``frame`` are the month of its events
    (the table is ordered by date first, and the months come in order)."""
    dates = frame["event_date"]
    for (start, stop), month_events in zip(bounds, events):
        if start == stop:
            continue
        month = (month_events[0].event_date.year, month_events[0].event_date.month)
        first, last = dates.iat[start], dates.iat[stop - 1]
        if (first.year, first.month) != month or (last.year, last.month) != month:
            return False
    return True


def load_month_renderer() -> Callable[[tuple[MonthWork, ...]], tuple[RenderedMonth, ...]]:
    """The month renderer of one process (``Settler.event_chunks``' runner factory): it
    takes a batch of months (``month_batches``)."""
    return MonthRenderer(validate.Checker.load()).batch


MONTH_BATCH = 4000  # events: months rendered by one task and checked together


def month_batches(todo: list[int], sizes: list[int], limit: int = MONTH_BATCH) -> list[list[int]]:
    """``todo`` (month numbers, in table order) cut into runs of at most ``limit`` events
    together (a larger month is a run of its own); ``sizes``: events per month number."""
    batches: list[list[int]] = []
    total = 0
    for i in todo:
        if batches and total + sizes[i] <= limit:
            batches[-1].append(i)
            total += sizes[i]
        else:
            batches.append([i])
            total = sizes[i]
    return batches


class MonthChunks(Iterator[export.Chunk]):
    """The chunks of the events table (``Settler.event_chunks``), their months already
    being rendered; ``close`` stops the rendering when they are not all read."""

    def __init__(self, chunks: Iterator[export.Chunk], rendering: Iterator[Any]):
        self._chunks = chunks
        self._rendering = rendering

    def __next__(self) -> export.Chunk:
        return next(self._chunks)

    def close(self) -> None:
        self._chunks.close()
        close = getattr(self._rendering, "close", None)
        if close is not None:
            close()


def _runner(workers: int, sizes: Sequence[int], fork_small: bool = False) -> Runner:
    """Where to run tasks of ``sizes`` reports or events each (``workers``: 0 for all cores,
    1 for this process only): a pool of ``workers`` processes, one task per message,

    - when it saves what starting it costs (``POOL_FROM``). It saves at most the work
      beyond the largest task, which one process does alone either way: a rebuild that
      settles one large country and one small one gains nothing from it;
    - or when this process would otherwise hold ``ASIDE_FROM`` or more (a large country's
      reports), so that its memory stays bounded as the corpus grows;

    else this process, or with ``fork_small`` (tasks that never read the cache's database,
    which this process has open: months to render, not countries) one process forked from
    this one for them all (``ProcessRunner.fork_one_chunk``), where forking is safe."""
    runner = make_runner("local", workers)
    if not isinstance(runner, ProcessRunner):
        return runner
    total = sum(sizes)
    longest = max(max(sizes, default=0), -(-total // runner.workers))
    if (len(sizes) >= 2 and total - longest >= POOL_FROM) or total >= ASIDE_FROM:
        return ProcessRunner(runner.workers, chunk_size=1, chunks_ahead=1, fork_one_chunk=False)
    if fork_small and sizes:
        return ProcessRunner(runner.workers, chunk_size=len(sizes), fork_one_chunk=True)
    return make_runner("local", 1)


@dataclass
class Settled:
    """What the settled countries left for the tables: where their parts are stored."""

    register: Path  # the new id register file
    month_parts: dict[str, list[tuple[str, str, int]]] = field(default_factory=lambda: defaultdict(list))  # month -> (digest, key, events)
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
        self._checker: validate.Checker | None = None  # schema and taxonomy, loaded when first needed
        self.computed = 0  # countries settled in this build (the others came from the cache)
        self.rendered = 0  # months rendered in this build

    # -- countries ------------------------------------------------------------------------

    def settle(self, reports: ReportReader, ledger: Ledger,
               duplicates: Mapping[str, str], register_file: Path, workers: int = 1,
               progress: Progress | None = None) -> Settled:
        """Settle every country some article of ``ledger`` reports in, and every country of
        the register file; ``reports`` reads a country's (article key, pickled events) in
        article order, where it is settled, only if it must be. A country is cached
        under what identifies its articles' outcomes (their cache keys: name, content
        hash, manifest row), not their names alone.

        The countries to settle are settled by ``workers`` processes when there is enough
        work to pay for starting them (``POOL_FROM`` reports); the result does not depend
        on where a country was settled."""
        register = RegisterRows.read(register_file, self.cache, self.work / "register")
        codes = sorted(set(ledger.countries()) | set(register.digests))
        keys, sizes = [], {}
        for code in codes:  # one country's members at a time in memory
            members = ledger.members(code)
            keys.append(self._country_key(code, members, duplicates))
            sizes[code] = len(members)
        # First pass: which countries the cache holds (their results are read again below,
        # one block at a time, rather than all held here).
        held = [self._cached(key, found, register.digest(code)) is not None
                for code, key, (_, found) in zip(codes, keys, self._prefetched([f"country/{k}" for k in keys], self.cache))]
        todo = [(code, key) for code, key, is_held in zip(codes, keys, held) if not is_held]
        (self.work / "settled").mkdir(parents=True, exist_ok=True)
        work = (CountryWork(key, code, tuple(ledger.members(code)), tuple(register.entries(code)),
                            str(self.work / "settled" / f"{key}.pkl")) for code, key in todo)
        runner = _runner(workers, [sizes[code] for code, _ in todo])
        fresh = runner.map(LazyTasks(work, len(todo)), functools.partial(load_country_worker, dict(duplicates), reports))
        settled = Settled(self.work / "event_ids.csv")
        layout = RegisterLayout(list(COLUMNS))
        update, close = (progress or _no_progress)(len(todo))  # the countries merged here, not those cached
        with settled.register.open("wb") as handle, _closing(close):
            layout.write_header(handle)
            found = self._prefetched([f"country/{key}" for key in keys], self.cache)
            for code, key, is_held, (_, cached) in zip(codes, keys, held, found):
                register_digest = register.digest(code)
                kept = self._cached(key, cached, register_digest) if is_held else None
                if kept is None:
                    parts = next(fresh)
                    result, wrote = self._keep_parts(key, parts), parts.register_digest
                    self.computed += 1
                    update(1)
                    if self.cache is not None:
                        self.cache.put(f"country/{key}", (register_digest, wrote, result))
                else:
                    result, wrote = kept
                    self.cache.keep(self._parts(key, result))
                layout.write_block(handle, code, result.register_rows, result.register_count, wrote)
                settled.evidence_parts.extend(evidence_key(key, piece) for piece in range(result.evidence_pieces))
                for month, digest, events in result.months:
                    settled.month_parts[month].append((digest, month_key(key, month), events))
                ledger.count(result.reports_per_article)
                settled.events += result.events
        if self.cache is not None:  # the next build reads the register's blocks from this
            self.cache.put(layout.cache_key(), layout)
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

    @staticmethod
    def _parts(key: str, result: CountryResult) -> list[str]:
        return ([evidence_key(key, piece) for piece in range(result.evidence_pieces)]
                + [month_key(key, month) for month, _, _ in result.months])

    def _cached(self, key: str, found: Any, register_digest: str) -> tuple[CountryResult, str] | None:
        """The cached result (``found``) and the digest of the register rows it wrote, if the
        register rows it was made from, or those it wrote (a register settled by this result
        gives it again), are the ones given now, and its parts are all stored."""
        if self.cache is None or found is None:
            return None
        made_from, wrote, result = found
        if register_digest not in (made_from, wrote) or not self.cache.holds(self._parts(key, result)):
            return None
        return result, wrote

    def _keep_parts(self, key: str, parts: CountryParts) -> CountryResult:
        """Store a settled country's parts (its events by month, its evidence rows), one
        part at a time from the file its settler wrote, which is then removed."""
        pieces = 0
        for kind, part in parts.parts():
            if kind == "month":
                month, blob = part
                self.store.put(month_key(key, month), blob)
            else:
                self.store.put(evidence_key(key, pieces), part)
                pieces += 1
        Path(parts.parts_file).unlink()
        return parts.result

    def checker(self) -> validate.Checker:
        """The schema and taxonomy of the tables, loaded once per build (not per country or month)."""
        if self._checker is None:
            self._checker = validate.Checker.load()
        return self._checker

    # -- tables ---------------------------------------------------------------------------

    def event_chunks(self, settled: Settled, known: Callable[[Iterable[str]], frozenset[str]], out_dir: Path,
                     workers: int = 1, progress: Progress | None = None) -> "MonthChunks":
        """The events table month by month (its order: by date first), each chunk validated
        when rendered; raises ValidationError after the last chunk if a value is invalid.

        Months not in the cache are rendered by ``workers`` processes when there are
        enough events to pay for starting them (``POOL_FROM``). Fewer (a rebuild's new
        months) are rendered in one process forked from this one, started by this call,
        so that the build writes its other tables meanwhile (``_runner``). A worker checks
        all but the events' source keys (it has no ledger); they are looked up here, and a
        chunk citing an unknown key is checked again here, in full, for the problem lines.
        ``close()`` the result if it is not read to the end."""
        months = sorted(settled.month_parts)
        keys = [self._chunk_key(month, settled.month_parts[month]) for month in months]
        sizes = [sum(events for _, _, events in settled.month_parts[month]) for month in months]
        first_rows = list(itertools.accumulate(sizes, initial=1))
        held = [self.cache is not None and self.cache.holds([key]) for key in keys]
        todo = [i for i, is_held in enumerate(held) if not is_held]
        batches = month_batches(todo, sizes)
        # each work holds its events' bytes, read here: a forked renderer never reads the store
        work = (tuple(MonthWork(self._month_blobs(settled.month_parts[months[i]]), first_rows[i]) for i in batch)
                for batch in batches)
        runner = _runner(workers, [sum(sizes[i] for i in batch) for batch in batches], fork_small=True)
        rendering = runner.map(LazyTasks(work, len(batches)), load_month_renderer)
        fresh = itertools.chain.from_iterable(rendering)
        chunks = self._month_chunks(settled, months, keys, first_rows, held, fresh, known, out_dir, progress)
        return MonthChunks(chunks, rendering)

    def _month_chunks(self, settled: Settled, months: list[str], keys: list[str], first_rows: list[int], held: list[bool],
                      fresh: Iterator[RenderedMonth], known: Callable[[Iterable[str]], frozenset[str]], out_dir: Path,
                      progress: Progress | None) -> Iterator[export.Chunk]:
        problems: list[str] = []
        update, close = (progress or _no_progress)(len(months))  # shown from the first chunk read
        with _closing(close):
            for i, (month, key) in enumerate(zip(months, keys)):
                parts = settled.month_parts[month]
                chunk = self.cache.get(key) if held[i] else None
                if chunk is None:
                    rendered = next(fresh) if not held[i] else self._render(parts, first_rows[i])
                    found = list(rendered.problems)
                    if not known(rendered.source_keys) >= rendered.source_keys:
                        found = self._render(parts, first_rows[i], known).problems
                    chunk = rendered.chunk
                    self.rendered += 1
                    if found:
                        problems.extend(found)
                    elif self.cache is not None:
                        self.cache.put(key, chunk)
                update(1)
                yield chunk
        if problems:
            raise ValidationError(f"{out_dir}: the build produced {len(problems)} invalid values; nothing was written", problems)

    def _month_blobs(self, parts: list[tuple[str, str, int]]) -> tuple[bytes, ...]:
        """A month's events, pickled by country, from the store."""
        blobs = self.store.get_many([k for _, k, _ in parts])
        return tuple(blobs[k] for _, k, _ in parts)

    def _render(self, parts: list[tuple[str, str, int]], first_row: int,
                known: Callable[[Iterable[str]], frozenset[str]] | None = None) -> RenderedMonth:
        """A month rendered and checked here (with ``known``: its source keys checked too)."""
        return MonthRenderer(self.checker())(MonthWork(self._month_blobs(parts), first_row), known)

    def _chunk_key(self, month: str, parts: list[tuple[str, str, int]]) -> str:
        """A month's chunk is keyed by the digests of the events its countries hold there."""
        return "month/" + hashlib.sha256(f"{self.version}\0{month}\0{sorted(d for d, _, _ in parts)}".encode()).hexdigest()

    def evidence_chunks(self, settled: Settled) -> Iterator[export.Chunk]:
        """The evidence table country by country (its order: by event id first), a piece
        (``EVIDENCE_PIECE`` rows) at a time."""
        for key, chunk in self._prefetched(settled.evidence_parts, self.store, block=1):
            if chunk is None:
                raise EtlError(f"{self.store.path}: a stored part of this build is missing; delete the cache and build again")
            yield chunk

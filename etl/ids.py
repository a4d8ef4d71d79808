"""Stable ``event_id_cnty`` values (ISO3 letters + number, e.g. AZE12), kept in a register.

Why a register and not ids derived from the event: a merged event changes as articles
are added (a more precise date or place, a more specific sub type, more source keys), so
no hash of its fields stays the same, and a hash is not ACLED's "country + number" form
anyway. The register (``data/event_ids.csv``) remembers, for every id ever given, the
identity of its event (date, type, place, actors) and the article keys that reported it.
A build reads it first (``IdRegister.load``; a missing file is an empty register), gives
each merged event the id of the register entry it matches (``assign``), and writes it back
with the outputs (``save``, an atomic replace).

Matching is one to one and finds the most matches, then the closest (an assignment
problem, solved per group of candidates: in plain Python where one matching is clearly
best, else with scipy's ``linear_sum_assignment``), over:

1. an entry sharing a report (an evidence sentence: article key and offsets) or at least
   an article (source key) with the event, of the same country and event
   type, with agreeing sub types and dates (its place and actors may have been refined
   by the new articles); entries that are wholly the same event (``etl.merge.same_event``)
   cost least, and a shared report counts before a shared article (an article may report
   several events); then more shared reports and keys, then closer sub type, date, place;
2. otherwise an entry without a shared key that agrees exactly: same day, sub type,
   location and an overlapping actor (the same event reported by other articles).

New events get the next numbers of their country, in order of date then fingerprint, so
numbers are deterministic whatever the input order. Ids are never reused: an entry no
event matched in this build stays in the register (a later build may match it again).
When a new article joins two old events into one row, the row keeps the better-matching
id and the other id rests unused.

Register columns: event_id_cnty, iso3, number, fingerprint (of the event's identity, not
its sources), the identity (event_date, time_precision, country, event_type,
sub_event_type, location, latitude, longitude, geo_precision, admin1, actors as compared
"actor1 | actor2", associates), source_keys, first_keys, reports. Rows sorted by iso3,
number; the file is rewritten whole.

``reports`` keeps every evidence sentence ("key@start-end") its event was coded from;
``first_keys`` records the source keys that first earned an id (never rewritten);
``source_keys`` every key that ever reported it (so an id survives a build that leaves
some of its articles out); the other identity fields are those of its latest match.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, TextIO

import numpy as np

from .errors import InputError
from .merge import Identity, dates_agree, distance_km, fingerprint, same_event, subtypes_agree
from .records import Event, replaced
from .taxonomy import Taxonomy

COLUMNS = (
    "event_id_cnty", "iso3", "number", "fingerprint", "event_date", "time_precision", "country",
    "event_type", "sub_event_type", "location", "latitude", "longitude", "geo_precision", "admin1",
    "actors", "source_keys", "first_keys", "reports", "associates",
)
OPTIONAL = frozenset({"reports", "associates"})  # older registers may lack them
SEP = "; "
ACTOR_SEP = " | "


def iso3(iso: int, country: str, taxonomy: Taxonomy | None = None) -> str:
    """ISO 3166 alpha-3 letters of a country (``schemas/countries.csv``), by ACLED's country
    name, else by numeric ``iso``; "XXX" when neither is known (the validator reports it)."""
    taxonomy = taxonomy or Taxonomy.load()
    found = taxonomy.country_named(country) or (taxonomy.country_by_iso(iso) if iso else None)
    return found.iso3 if found else "XXX"


@dataclass(frozen=True)
class Entry:
    event_id_cnty: str
    iso3: str
    number: int
    fingerprint: str
    identity: Identity
    first_keys: tuple[str, ...]
    reports: frozenset[str] = frozenset()  # "key@start-end" of every evidence sentence


def identity_fingerprint(identity: Identity) -> str:
    """A hash of what the event is (not of who reported it)."""
    text = repr((
        identity.country, identity.event_date.isoformat(), identity.time_precision, identity.event_type,
        identity.sub_event_type, identity.location, identity.latitude, identity.longitude, identity.actors,
    ))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _new_order(event: Event, fp: str) -> tuple:
    """Order of new numbers: date, identity, then the first article and its sentences.
    A duplicate article's key always sorts after its original's (``find_duplicates``), so
    attaching it to a row changes no number."""
    first = min(event.source_keys) if event.source_keys else ""
    spans = sorted((e.start, e.end, e.sentence) for e in event.evidence if e.source_key == first)
    return (event.event_date, fp, first, spans, event.notes)


class IdRegister:
    """Every event id given so far and the event it names. Mutable: ``assign`` records."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            if entry.event_id_cnty in self._entries:
                raise InputError(f"event id register: {entry.event_id_cnty} appears twice")
            self._entries[entry.event_id_cnty] = entry

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(sorted(self._entries.values(), key=lambda e: (e.iso3, e.number)))

    # -- file --------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> "IdRegister":
        return cls(read_entries(path))

    def save(self, path: str | Path) -> None:
        """Write the register atomically (a temporary file, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        write_entries(buffer, self.entries, header=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    # -- assigning ---------------------------------------------------------------------------

    def assign(self, events: Iterable[Event], taxonomy: Taxonomy | None = None) -> tuple[Event, ...]:
        """The events with ``event_id_cnty`` set (same order); the register records them.
        ``taxonomy``: where country codes come from (loaded when not given)."""
        events = tuple(events)
        idents = [Identity.of(e) for e in events]
        letters: dict[tuple[int, str], str] = {}
        if taxonomy is None and events:
            taxonomy = Taxonomy.load()
        for e in events:
            if (e.iso, e.country) not in letters:
                letters[(e.iso, e.country)] = iso3(e.iso, e.country, taxonomy)
        codes = [letters[(e.iso, e.country)] for e in events]
        fps = [identity_fingerprint(i) for i in idents]
        full = [fingerprint(e) for e in events]
        reports = [_reports(e) for e in events]
        taken: dict[int, str] = self._match(idents, codes, full, reports)

        next_number: dict[str, int] = {}
        for entry in self._entries.values():
            next_number[entry.iso3] = max(next_number.get(entry.iso3, 0), entry.number)
        fresh = sorted((i for i in range(len(events)) if i not in taken), key=lambda i: (codes[i], _new_order(events[i], fps[i]), full[i]))
        for i in fresh:
            number = next_number.get(codes[i], 0) + 1
            next_number[codes[i]] = number
            event_id = f"{codes[i]}{number}"
            self._entries[event_id] = Entry(event_id, codes[i], number, fps[i], idents[i], tuple(sorted(idents[i].source_keys)), reports[i])
            taken[i] = event_id
        for i, event_id in taken.items():
            old = self._entries[event_id]
            keys = old.identity.source_keys | idents[i].source_keys
            identity = idents[i] if keys == idents[i].source_keys else replace(idents[i], source_keys=keys)
            self._entries[event_id] = Entry(
                old.event_id_cnty, old.iso3, old.number, fps[i], identity, old.first_keys, old.reports | reports[i]
            )
        return tuple(e if e.event_id_cnty == taken[i] else replaced(e, event_id_cnty=taken[i]) for i, e in enumerate(events))

    def _match(self, idents: list[Identity], codes: list[str], full: list[str], reports: list[frozenset[str]]) -> dict[int, str]:
        by_key: dict[str, set[str]] = defaultdict(set)
        by_report: dict[str, set[str]] = defaultdict(set)
        by_place: dict[tuple, set[str]] = defaultdict(set)
        for entry in self._entries.values():
            for key in entry.identity.source_keys:
                by_key[key].add(entry.event_id_cnty)
            for report in entry.reports:
                by_report[report].add(entry.event_id_cnty)
            by_place[_exact(entry.iso3, entry.identity)].add(entry.event_id_cnty)

        edges: dict[tuple[int, str], float] = {}
        for i, ident in enumerate(idents):
            ids = {eid for k in ident.source_keys for eid in by_key.get(k, ())}
            for event_id in sorted(ids):
                entry = self._entries[event_id]
                if entry.iso3 == codes[i] and _reported_alike(ident, entry.identity):
                    same_reports = len(reports[i] & entry.reports)
                    shared = len(ident.source_keys & entry.identity.source_keys)
                    whole = same_event(ident, entry.identity)
                    tier = (0 if whole else 1) if same_reports else (2 if whole else 3)
                    edges[(i, event_id)] = _cost(tier, ident, entry.identity, same_reports + shared)
            for event_id in sorted(by_place.get(_exact(codes[i], ident), ())):
                entry = self._entries[event_id]
                if ident.known & entry.identity.known and (i, event_id) not in edges:
                    edges[(i, event_id)] = _cost(4, ident, entry.identity, 0)
        return _assignment(edges, full, {eid: e.number for eid, e in self._entries.items()})


def _reports(event: Event) -> frozenset[str]:
    return frozenset(f"{e.source_key}@{e.start}-{e.end}" for e in event.evidence)


def _cost(tier: int, new: Identity, old: Identity, shared: int) -> float:
    """Lower is better: tier first (0/1: a shared report, wholly the same event or not;
    2/3: a shared article, likewise; 4: same day and place only), then more shared
    reports and articles, then sub type, date, precision, place."""
    return (
        tier * 100.0
        - min(shared, 20) * 2.0
        + (0.0 if new.sub_event_type == old.sub_event_type else 1.0)
        + min(abs(new.day - old.day), 31) / 32.0
        + (0.0 if new.time_precision == old.time_precision else 0.5)
        + min(distance_km(new, old), 500.0) / 500.0
        - len(new.known & old.known) * 0.25
    )


def _assignment(edges: dict[tuple[int, str], float], full: list[str], numbers: dict[str, int]) -> dict[int, str]:
    """One-to-one event -> id matching: the most matches, then the lowest total cost, per
    connected group of candidates (canonical order, deterministic)."""
    taken: dict[int, str] = {}
    for own in candidate_groups(edges):
        if len(own) == 1:  # one event, one id
            i, event_id = own[0]
            taken[i] = event_id
            continue
        best = clear_best_matching({pair: edges[pair] for pair in own})
        taken.update(best if best is not None else _solved_matching(own, edges, full, numbers))
    return taken


def candidate_groups(edges: Iterable[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The connected groups of (event, id) edges, each in the order of ``edges`` (union-find:
    no two groups share an event or an id)."""
    parent: dict[tuple[int, object], tuple[int, object]] = {}

    def root(node: tuple[int, object]) -> tuple[int, object]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    pairs = list(edges)
    for i, event_id in pairs:
        a, b = root((0, i)), root((1, event_id))
        if a != b:
            parent[b] = a
    groups: dict[tuple[int, object], list[tuple[int, str]]] = {}
    for pair in pairs:
        groups.setdefault(root((0, pair[0])), []).append(pair)
    return list(groups.values())


# A matching is "clearly best" when every other one with as many pairs costs this much more.
CLEAR_MARGIN = 1e-3
MAX_EDGES = 40  # edges a group may have to be solved by enumeration
MAX_MATCHINGS = 5000  # matchings likewise


def clear_best_matching(edges: dict[tuple[int, str], float]) -> dict[int, str] | None:
    """The matching of ``edges`` with the most pairs, then the lowest total cost, if it is
    clearly the best (any other with as many pairs costs ``CLEAR_MARGIN`` more), found by
    enumerating every matching; None when two come close (a tie: the solver's own choice
    decides) or the group is large (over ``MAX_EDGES`` edges or ``MAX_MATCHINGS`` matchings).

    Any exact solver returns this matching, so it stands for ``linear_sum_assignment``
    without loading scipy (most groups are an article's few events and their old ids)."""
    if len(edges) > MAX_EDGES:
        return None
    by_event: dict[int, list[tuple[str, float]]] = {}
    for (i, event_id), cost in edges.items():
        by_event.setdefault(i, []).append((event_id, cost))
    events = sorted(by_event)
    best: list = [None, None]  # (pairs, cost) of the best matching so far, of the runner-up
    seen = 0

    def visit(at: int, used: frozenset, chosen: tuple, cost: float) -> bool:
        nonlocal seen
        if at == len(events):
            seen += 1
            _rank(best, (len(chosen), -cost, chosen))
            return seen <= MAX_MATCHINGS
        i = events[at]
        for event_id, edge_cost in by_event[i]:
            if event_id not in used and not visit(at + 1, used | {event_id}, chosen + ((i, event_id),), cost + edge_cost):
                return False
        return visit(at + 1, used, chosen, cost)

    if not visit(0, frozenset(), (), 0.0):
        return None
    (count, score, chosen), runner_up = best
    if runner_up is not None and runner_up[0] == count and score - runner_up[1] < CLEAR_MARGIN:
        return None
    return dict(chosen)


def _rank(best: list, candidate: tuple) -> None:
    """Keep the best and the second best (count, -cost) of the matchings seen."""
    if best[0] is None or candidate[:2] > best[0][:2]:
        best[0], best[1] = candidate, best[0]
    elif best[1] is None or candidate[:2] > best[1][:2]:
        best[1] = candidate


def _solved_matching(own: list[tuple[int, str]], edges: dict[tuple[int, str], float], full: list[str],
                     numbers: dict[str, int]) -> dict[int, str]:
    """The matching of one group by scipy's ``linear_sum_assignment`` (rows: events by
    fingerprint, columns: ids by number; scipy is loaded here, only for a group that needs it)."""
    from scipy.optimize import linear_sum_assignment

    rows = sorted({i for i, _ in own}, key=lambda i: full[i])
    cols = sorted({e for _, e in own}, key=lambda e: numbers[e])
    row_of = {i: r for r, i in enumerate(rows)}
    col_of = {e: c for c, e in enumerate(cols)}
    absent = 1e6  # far above any sum of edge costs: a missing edge is never chosen over one
    matrix = np.full((len(rows), len(cols)), absent)
    for i, event_id in own:
        matrix[row_of[i], col_of[event_id]] = edges[(i, event_id)]
    return {rows[r]: cols[c] for r, c in zip(*linear_sum_assignment(matrix)) if matrix[r, c] < absent}


def _reported_alike(new: Identity, old: Identity) -> bool:
    """Enough, with a shared article, to be the same event whose place or actors were refined."""
    return (
        new.country == old.country
        and new.event_type == old.event_type
        and subtypes_agree(new.sub_event_type, old.sub_event_type)
        and dates_agree(new, old)
    )


def _exact(code: str, ident: Identity) -> tuple:
    return (code, ident.event_date, ident.event_type, ident.sub_event_type, ident.location.casefold())


def _two(parts: list[str]) -> tuple[str, str]:
    if len(parts) != 2:
        raise ValueError(f"actors must be two names separated by {ACTOR_SEP!r}")
    return (parts[0], parts[1])


def read_entries(path: str | Path) -> Iterator[Entry]:
    """The entries of a register file, one at a time (none if the file does not exist)."""
    header, rows = read_rows(path)
    yield from parse_rows(path, header, rows)


def read_rows(path: str | Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header of a register file and its rows as (line number, fields), unparsed: a
    build reads only the rows of the countries it must number again (``parse_rows``)."""
    path = Path(path)
    if not path.exists():
        return list(COLUMNS), iter(())
    handle = path.open(encoding="utf-8", newline="")
    reader = csv.reader(handle)
    header = next(reader, [])
    missing = set(COLUMNS) - OPTIONAL - set(header)
    if missing:
        handle.close()
        raise InputError(f"{path}: event id register lacks columns {', '.join(sorted(missing))}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            for line, fields in enumerate(reader, start=2):
                if fields:
                    yield line, fields

    return header, rows()


def parse_rows(path: str | Path, header: list[str], rows: Iterable[tuple[int, list[str]]]) -> Iterator[Entry]:
    """Entries from ``read_rows`` rows (errors name the file and line)."""
    for line, fields in rows:
        try:
            if len(fields) != len(header):
                raise ValueError(f"{len(fields)} fields where the header has {len(header)}")
            yield _entry_from_row(dict(zip(header, fields)))
        except (ValueError, KeyError) as exc:
            raise InputError(f"{path}, row {line}: {exc}") from exc


def rows_digest(rows: Iterable[list[str]]) -> str:
    """A hash of register rows (their fields), to tell whether a country's rows changed."""
    hasher = hashlib.sha256()
    for fields in rows:
        hasher.update("\x1f".join(fields).encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


def write_entries(handle: TextIO, entries: Iterable[Entry], header: bool = True) -> None:
    """Entries as register rows (a register file is its header, then entries by iso3, number)."""
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    for entry in entries:
        writer.writerow(_row_from_entry(entry))


def _entry_from_row(row: dict[str, str]) -> Entry:
    identity = Identity(
        country=row["country"],
        event_date=dt.date.fromisoformat(row["event_date"]),
        time_precision=int(row["time_precision"]),
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"],
        location=row["location"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        geo_precision=int(row["geo_precision"]),
        admin1=row["admin1"],
        actors=_two(row["actors"].split(ACTOR_SEP)),
        source_keys=frozenset(k for k in row["source_keys"].split(SEP) if k),
        associates=frozenset(a for a in (row.get("associates") or "").split(ACTOR_SEP) if a),
    )
    event_id, code, number = row["event_id_cnty"], row["iso3"], int(row["number"])
    if event_id != f"{code}{number}":
        raise ValueError(f"event_id_cnty {event_id!r} is not iso3 {code!r} + number {number}")
    return Entry(
        event_id, code, number, row["fingerprint"], identity, tuple(k for k in row["first_keys"].split(SEP) if k),
        frozenset(r for r in (row.get("reports") or "").split(SEP) if r),
    )


def _row_from_entry(entry: Entry) -> dict[str, object]:
    ident = entry.identity
    return {
        "event_id_cnty": entry.event_id_cnty,
        "iso3": entry.iso3,
        "number": entry.number,
        "fingerprint": entry.fingerprint,
        "event_date": ident.event_date.isoformat(),
        "time_precision": ident.time_precision,
        "country": ident.country,
        "event_type": ident.event_type,
        "sub_event_type": ident.sub_event_type,
        "location": ident.location,
        "latitude": repr(float(ident.latitude)),
        "longitude": repr(float(ident.longitude)),
        "geo_precision": ident.geo_precision,
        "admin1": ident.admin1,
        "actors": ACTOR_SEP.join(ident.actors),
        "source_keys": SEP.join(sorted(ident.source_keys)),
        "first_keys": SEP.join(entry.first_keys),
        "reports": SEP.join(sorted(entry.reports)),
        "associates": ACTOR_SEP.join(sorted(ident.associates)),
    }

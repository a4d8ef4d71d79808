"""Stable ``event_id_cnty`` values (ISO3 letters + number, e.g. AZE12), kept in a register.

Why a register and not ids derived from the event: a merged event changes as articles
are added (a more precise date or place, a more specific sub type, more source keys), so
no hash of its fields stays the same, and a hash is not ACLED's "country + number" form
anyway. The register (``data/event_ids.csv``) remembers, for every id ever given, the
identity of its event (date, type, place, actors) and the article keys that reported it.
A build reads it first (``IdRegister.load``; a missing file is an empty register), gives
each merged event the id of the register entry it matches (``assign``), and writes it back
with the outputs (``save``, an atomic replace).

Matching, best first and one to one:

1. an entry sharing at least one source key with the event, of the same country and event
   type, with agreeing sub types and dates (its place and actors may have been refined
   by the new articles); entries that are wholly the same event (``etl.merge.same_event``)
   come first, then more shared keys, then closer sub type, date and place;
2. otherwise an entry without a shared key that agrees exactly: same day, sub type,
   location and an overlapping actor (the same event reported by other articles).

New events get the next numbers of their country, in order of date then fingerprint, so
numbers are deterministic whatever the input order. Ids are never reused: an entry no
event matched in this build stays in the register (a later build may match it again).
When a new article joins two old events into one row, the row keeps the better-matching
id and the other id rests unused.

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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

import pycountry

from .errors import InputError
from .merge import Identity, dates_agree, distance_km, fingerprint, same_event, subtypes_agree
from .records import Event

COLUMNS = (
    "event_id_cnty", "iso3", "number", "fingerprint", "event_date", "time_precision", "country",
    "event_type", "sub_event_type", "location", "latitude", "longitude", "geo_precision", "admin1",
    "actors", "source_keys", "first_keys",
)
SEP = "; "
ACTOR_SEP = " | "


def iso3(iso: int, country: str) -> str:
    """ISO 3166 alpha-3 letters of a country, from ACLED's numeric ``iso`` or its name."""
    if country.casefold() == "kosovo":
        return "XKX"
    found = pycountry.countries.get(numeric=f"{int(iso):03d}") if iso else None
    if found is None:
        try:
            found = pycountry.countries.lookup(country)
        except LookupError:
            try:
                found = pycountry.countries.search_fuzzy(country)[0]
            except LookupError:
                return "XXX"
    return found.alpha_3


@dataclass(frozen=True)
class Entry:
    event_id_cnty: str
    iso3: str
    number: int
    fingerprint: str
    identity: Identity
    first_keys: tuple[str, ...]


def identity_fingerprint(identity: Identity) -> str:
    text = repr((
        identity.country, identity.event_date.isoformat(), identity.event_type, identity.sub_event_type,
        identity.location, identity.actors, sorted(identity.source_keys),
    ))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


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
        path = Path(path)
        if not path.exists():
            return cls()
        entries = []
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{path}: event id register lacks columns {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                try:
                    entries.append(_entry_from_row(row))
                except (ValueError, KeyError) as exc:
                    raise InputError(f"{path}, row {line}: {exc}") from exc
        return cls(entries)

    def save(self, path: str | Path) -> None:
        """Write the register atomically (a temporary file, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for entry in self.entries:
            writer.writerow(_row_from_entry(entry))
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

    def assign(self, events: Iterable[Event]) -> tuple[Event, ...]:
        """The events with ``event_id_cnty`` set (same order); the register records them."""
        events = tuple(events)
        idents = [Identity.of(e) for e in events]
        codes = [iso3(e.iso, e.country) for e in events]
        fps = [identity_fingerprint(i) for i in idents]
        full = [fingerprint(e) for e in events]
        taken: dict[int, str] = self._match(idents, codes, full)

        next_number: dict[str, int] = {}
        for entry in self._entries.values():
            next_number[entry.iso3] = max(next_number.get(entry.iso3, 0), entry.number)
        fresh = sorted((i for i in range(len(events)) if i not in taken), key=lambda i: (codes[i], idents[i].event_date, fps[i], full[i]))
        for i in fresh:
            number = next_number.get(codes[i], 0) + 1
            next_number[codes[i]] = number
            event_id = f"{codes[i]}{number}"
            self._entries[event_id] = Entry(event_id, codes[i], number, fps[i], idents[i], tuple(sorted(idents[i].source_keys)))
            taken[i] = event_id
        for i, event_id in taken.items():
            old = self._entries[event_id]
            keys = old.identity.source_keys | idents[i].source_keys
            self._entries[event_id] = replace(old, fingerprint=fps[i], identity=replace(idents[i], source_keys=keys))
        return tuple(replace(e, event_id_cnty=taken[i]) for i, e in enumerate(events))

    def _match(self, idents: list[Identity], codes: list[str], full: list[str]) -> dict[int, str]:
        by_key: dict[str, set[str]] = {}
        by_place: dict[tuple, set[str]] = {}
        for entry in self._entries.values():
            for key in entry.identity.source_keys:
                by_key.setdefault(key, set()).add(entry.event_id_cnty)
            by_place.setdefault(_exact(entry.iso3, entry.identity), set()).add(entry.event_id_cnty)

        options = []
        for i, ident in enumerate(idents):
            ids = set().union(*(by_key.get(k, set()) for k in ident.source_keys)) if ident.source_keys else set()
            for event_id in ids:
                entry = self._entries[event_id]
                if entry.iso3 == codes[i] and _reported_alike(ident, entry.identity):
                    shared = len(ident.source_keys & entry.identity.source_keys)
                    whole = 0 if same_event(ident, entry.identity) else 1
                    options.append(((0, whole, -shared) + _closeness(ident, entry.identity), full[i], entry.number, i, event_id))
            for event_id in by_place.get(_exact(codes[i], ident), ()):
                entry = self._entries[event_id]
                if ident.known & entry.identity.known:
                    options.append(((1, 0, 0) + _closeness(ident, entry.identity), full[i], entry.number, i, event_id))
        options.sort(key=lambda o: (o[0], o[1], o[2], o[4]))
        taken: dict[int, str] = {}
        used: set[str] = set()
        for _cost, _fp, _number, i, event_id in options:
            if i in taken or event_id in used:
                continue
            taken[i] = event_id
            used.add(event_id)
        return taken


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


def _closeness(a: Identity, b: Identity) -> tuple:
    return (
        0 if a.sub_event_type == b.sub_event_type else 1,
        abs((a.event_date - b.event_date).days),
        round(distance_km(a, b), 3),
        -len(a.known & b.known),
    )


def _two(parts: list[str]) -> tuple[str, str]:
    if len(parts) != 2:
        raise ValueError(f"actors must be two names separated by {ACTOR_SEP!r}")
    return (parts[0], parts[1])


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
    )
    event_id, code, number = row["event_id_cnty"], row["iso3"], int(row["number"])
    if event_id != f"{code}{number}":
        raise ValueError(f"event_id_cnty {event_id!r} is not iso3 {code!r} + number {number}")
    return Entry(event_id, code, number, row["fingerprint"], identity, tuple(k for k in row["first_keys"].split(SEP) if k))


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
    }

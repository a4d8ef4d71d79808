"""Coding: turn one article's candidates into ACLED-shaped events.

Fills the generic actor names' ``{country}`` placeholder, inter codes and interaction,
disorder_type and civilian_targeting, the place's country/region/admin areas and
coordinates, time_precision, fatalities and an ACLED-style note; every event is
single-sourced (``source_keys=(article.key,)``) with its evidence sentence. Merging across
articles assigns ``event_id_cnty`` and ``source`` later.

A candidate without a place, a date, or a valid event type pair is dropped (logged as a
warning): coordinates are never invented.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import vocab
from .errors import DataFileError
from .memo import BoundedMemo
from .records import ActorValue, Article, Candidate, Evidence, Event
from .taxonomy import Taxonomy

log = logging.getLogger(__name__)

PLACEHOLDER = "{country}"
_ISO3 = re.compile(r"^[A-Z]{3}$")

_RIOTERS = 5  # ACLED inter code of rioters
_MEMO_SIZE = 4096  # most actors kept by a Coder's memo


@dataclass(frozen=True)
class Coder:
    taxonomy: Taxonomy
    notes: dict
    civilians_inter: int
    fatality_types: frozenset
    # ActorFinder.for_event(value, event_country, date): names an actor for an event
    # (fills {country} with regime years, foreign state forces -> external); optional.
    for_event: Optional[Callable] = None
    # ActorFinder.as_branch(value, branch): the same state's military/police/government.
    as_branch: Optional[Callable] = None
    # event types fought by a state's armed forces: a state named as its government
    # ("Baku said it captured ...") is coded as its military there
    military_types: frozenset = frozenset()
    # actor -> the actor as coded for a military event (``_military_if_government``): a few
    # hundred state actors recur across articles; the memo is emptied when it grows large
    _military: BoundedMemo = field(default_factory=lambda: BoundedMemo(_MEMO_SIZE), init=False, repr=False, compare=False)

    @classmethod
    def load(cls, folder: Path | None = None, taxonomy: Taxonomy | None = None, for_event: Callable | None = None) -> "Coder":
        rules = vocab.load("assembly", folder)
        try:
            notes = dict(rules["notes"])
            civilians = int(rules["civilians_inter"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"assembly.yaml: missing or malformed notes/civilians_inter: {exc!r}") from exc
        if for_event is None:
            try:
                from .actors import ActorFinder

                finder = ActorFinder.load()
                for_event, as_branch = finder.for_event, finder.as_branch
            except ImportError:
                for_event = as_branch = None
        else:
            as_branch = None
        return cls(
            taxonomy=taxonomy or Taxonomy.load(),
            notes=notes,
            civilians_inter=civilians,
            fatality_types=frozenset(notes.get("fatalities_none_types") or ()),
            for_event=for_event,
            as_branch=as_branch,
            military_types=frozenset(rules.get("military_event_types") or ()),
        )

    def __call__(self, article: Article, candidates: tuple[Candidate, ...]) -> tuple[Event, ...]:
        timestamp = _epoch(article.published_date)
        names: dict = {}  # this article's actors as named for an event (country, date) -> value
        events = []
        for candidate in candidates:
            event = self._code(article, candidate, timestamp, names)
            if event is not None:
                events.append(event)
        return tuple(events)

    # ------------------------------------------------------------------------------------
    def _code(self, article: Article, c: Candidate, timestamp: int, names: dict) -> Event | None:
        where = f"{article.key}: sentence {c.sentence.index}"
        if not self.taxonomy.is_valid(c.event_type, c.sub_event_type):
            log.warning("%s: dropped %s / %s: not an ACLED pair", where, c.event_type, c.sub_event_type)
            return None
        if c.date is None:
            log.warning("%s: dropped %s: no date", where, c.sub_event_type)
            return None
        place = c.place
        if place is None:
            log.warning("%s: dropped %s: no place", where, c.sub_event_type)
            return None
        if not (-90.0 <= place.latitude <= 90.0 and -180.0 <= place.longitude <= 180.0):
            log.warning("%s: dropped %s: coordinates out of range", where, c.sub_event_type)
            return None
        try:
            country = self.taxonomy.country(place.iso3)
        except (KeyError, AttributeError):
            log.warning("%s: dropped %s: unknown country %r", where, c.sub_event_type, place.iso3)
            return None
        actor1 = self._named(names, c.actor1, country.name, c.date.date)
        if actor1 is None:
            log.warning("%s: dropped %s: no actor1", where, c.sub_event_type)
            return None
        actor2 = self._named(names, c.actor2, country.name, c.date.date)
        if self.as_branch is not None and c.event_type in self.military_types:
            actor1 = self._military_if_government(actor1)
            actor2 = self._military_if_government(actor2) if actor2 is not None else None
        if actor2 is not None and actor2.name == actor1.name and not (actor1.inter == actor2.inter == _RIOTERS):
            actor2 = None  # one actor is not its own opponent; two crowds of rioters are (mob violence)
        inter1 = actor1.inter if actor1.inter in self.taxonomy.inter_codes and actor1.inter else 0
        if not inter1:
            log.warning("%s: dropped %s: actor1 has no inter code", where, c.sub_event_type)
            return None
        inter2 = actor2.inter if actor2 is not None and actor2.inter in self.taxonomy.inter_codes else 0
        if actor2 is not None and not inter2:
            actor2 = None
        civilian = ""
        if actor2 is not None and inter2 == self.civilians_inter and c.event_type in {
            "Violence against civilians", "Explosions/Remote violence"
        }:
            civilian = next((v for v in self.taxonomy.civilian_targeting if v), "Civilian targeting")
        fatalities = max(0, int(c.fatalities))
        warnings = c.warnings
        if c.fatalities_vague:
            warnings = warnings + ("fatalities from a vague word",)
        return Event(
            event_date=c.date.date,
            time_precision=min(3, max(1, int(c.date.precision))),
            disorder_type=self.taxonomy.disorder_type(c.event_type, c.sub_event_type),
            event_type=c.event_type,
            sub_event_type=c.sub_event_type,
            actor1=actor1.name,
            inter1=inter1,
            interaction=self.taxonomy.interaction(inter1, inter2),
            iso=country.iso,
            region=country.region,
            country=country.name,
            location=place.name,
            latitude=float(place.latitude),
            longitude=float(place.longitude),
            geo_precision=min(3, max(1, int(place.geo_precision or 1))),
            notes=self._note(c, actor1.name, actor2.name if actor2 else "", place, fatalities),
            fatalities=fatalities,
            source_keys=(article.key,),
            evidence=(Evidence(article.key, c.sentence.text, c.sentence.start, c.sentence.end),),
            assoc_actor_1="; ".join(c.assoc_actor_1),
            actor2=actor2.name if actor2 else "",
            assoc_actor_2="; ".join(c.assoc_actor_2),
            inter2=inter2,
            civilian_targeting=civilian,
            admin1=place.admin1,
            admin2=place.admin2,
            admin3=place.admin3,
            timestamp=timestamp,
            warnings=warnings,
        )

    def _named(self, names: dict, actor: ActorValue | None, event_country: str, day: dt.date) -> ActorValue | None:
        key = (actor, event_country, day)
        if key not in names:
            names[key] = self._actor(actor, event_country, day)
        return names[key]

    def _actor(self, actor: ActorValue | None, event_country: str, day: dt.date) -> ActorValue | None:
        if actor is None or not actor.name:
            return None
        if self.for_event is not None:
            try:
                named = self.for_event(actor, event_country, day)
            except (KeyError, ValueError, LookupError):
                named = actor
            if PLACEHOLDER not in named.name:
                return named
        if PLACEHOLDER not in actor.name:
            return actor
        own = actor.country
        if own and _ISO3.match(own):
            try:
                own = self.taxonomy.country(own).name
            except KeyError:
                own = None
        return ActorValue(actor.name.replace(PLACEHOLDER, own or event_country), actor.inter, own or event_country)

    def _military_if_government(self, actor: ActorValue) -> ActorValue:
        """A state's government becomes its military; police, militaries and others stay
        (``as_branch`` depends on the actor only: its answer is kept)."""
        return self._military.get_or_make(actor, self._as_military)

    def _as_military(self, actor: ActorValue) -> ActorValue:
        military = self.as_branch(actor, "military")
        if military.name != actor.name and self.as_branch(actor, "government").name == actor.name:
            return military
        return actor

    def _note(self, c: Candidate, actor1: str, actor2: str, place, fatalities: int) -> str:
        day = c.date.date
        precision = int(c.date.precision)
        if precision >= 3:
            when = f"In {day:%B} {day.year}"
        elif precision == 2:
            when = f"Around {day.day} {day:%B} {day.year}"
        else:
            when = f"On {day.day} {day:%B} {day.year}"
        template = self.notes.get(c.sub_event_type if actor2 else f"{c.sub_event_type}/alone") or self.notes.get(
            c.sub_event_type
        ) or self.notes["default"]
        body = template.format(actor1=actor1, actor2=actor2 or "others")
        where = place.name
        if place.admin1 and place.admin1 != place.name:
            where = f"{where} ({place.admin1})"
        note = f"{when}, {body} in {where}."
        if fatalities == 1:
            note += " " + self.notes["fatalities_one"]
        elif fatalities > 1:
            note += " " + self.notes["fatalities_many"].format(n=fatalities)
        elif c.event_type in self.fatality_types:
            note += " " + self.notes["fatalities_none"]
        return note


def _epoch(day: dt.date | None) -> int:
    if day is None:
        return 0
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())

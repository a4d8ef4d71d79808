"""One event, one row: merge the single-article events of all articles.

Every article's coder emits its own events; an event reported by five articles arrives
five times. ``merge_events`` groups the reports of one event into one row, because a
researcher who counts rows or sums fatalities must not count an event twice.

Two reports are of the same event (``same_event``) when all of these hold:

* same country and event type;
* sub event types agree: equal, or one is the general case of the other ("Other").
  A territory change and "Armed clash" stay apart: across articles they are different
  granularities (the taking of a town against the fighting reported in general), and
  folding one into the other loses the battle rows a researcher counts (within one
  article the assembler joins the fighting in which a place was taken to the taking);
* dates agree within precision: the same day when both are exact (time_precision 1),
  at most 7 days apart when either is precision 2, inside the coarse event's month when
  either is precision 3;
* places agree: when either is region-level (geo_precision 3), the same admin1; else
  within a distance that grows with geo_precision (10/25/75 km, great circle); the same
  location name counts as one place up to 75 km apart (namesakes farther apart do not);
* actors are compatible: the two actor sets overlap (order does not matter: A-B equals
  B-A; state forces and the government of one country count as one actor; year ranges
  are ignored), or one side names no identified actor, or they fit slot by slot with an
  empty or unidentified slot standing for anyone (A-? fits A-B; ?-C fits B-C); and when
  both name associated actors, they share one (protests of two parties in one city on
  one day are two events);
* except between two Agreements: an agreement is coded where it is reached, which reports
  often disagree on, and reports name its parties and mediators unevenly, so two
  Agreements (same country and date) are one when they share an actor (wherever placed)
  or their places agree (whatever actors they name). An "Other" strategic development
  meets an Agreement by the general rules.

Grouping is greedy complete linkage: candidate pairs (found by blocking on country, event
type and week, then a 1-degree grid or admin1, never all pairs) are taken best first, and
two groups join only if every cross pair is the same event and the groups share no
article: two events of one article are never merged unless identical. The reports are
swept in date order a few weeks at a time, and each set of linked reports is grouped as
soon as no later report can reach it, so memory follows the reports of a few weeks, not
of a country's whole history.

The merged row keeps the most precise date and place, the most specific sub type (a
territory change over "Armed clash", anything over "Other"; then the most reported), the
actors of its most complete report, the union of source keys (sorted) and all evidence,
and ACLED's conservative fatality figure: the lowest positive figure reported (a report
without a figure is not a figure of 0); when reports disagree the note says so. The note
is the single most informative report's note, not a paste of all of them.

Duplicate articles (``etl.sources.find_duplicates``, passed as ``duplicates``) never add
or change an event: their events are not merged as reports of their own; each is matched
to a row of its original instead (the row coded from the same sentence of the original,
else the same event), and the duplicate's key (with that event's evidence)
joins the row's ``source_keys``, so every article that reports an event is traceable and
every source key has evidence. Nothing else of the row changes (date, place, source,
fatalities, notes stay as without the copy); a copy's event that matches no row of its
original is dropped.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import itertools
import math
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

import numpy as np

from .gazetteer import EARTH_RADIUS
from .records import Event, Evidence, replaced
from .sources import Publishers

TERRITORY = frozenset({"Government regains territory", "Non-state actor overtakes territory"})
GENERAL = "Other"
CLASH = "Armed clash"


@dataclass(frozen=True)
class MergeRules:
    week_days: int = 7
    km_by_precision: tuple[float, float, float] = (10.0, 25.0, 75.0)  # geo_precision 1, 2, 3
    place_free_subtypes: frozenset[str] = frozenset({"Agreement"})
    grid_degrees: float = 1.0  # blocking cell; must span the largest distance above


@dataclass(frozen=True, slots=True)
class Identity:
    """The fields that decide whether two records describe the same event."""

    country: str
    event_date: dt.date
    time_precision: int
    event_type: str
    sub_event_type: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    admin1: str
    actors: tuple[str, str]  # actor_key of actor1 and actor2 ('' = none or unidentified)
    source_keys: frozenset[str] = field(default=frozenset())
    associates: frozenset[str] = field(default=frozenset())  # assoc_actor_1/2, compared forms
    # Derived once, for speed: day number, month number, comparable place name.
    day: int = field(init=False, repr=False, compare=False)
    month: int = field(init=False, repr=False, compare=False)
    place: str = field(init=False, repr=False, compare=False)
    known: frozenset[str] = field(init=False, repr=False, compare=False)  # identified actors

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", frozenset(a for a in self.actors if a and a != UNIDENTIFIED))
        object.__setattr__(self, "day", self.event_date.toordinal())
        object.__setattr__(self, "month", self.event_date.year * 12 + self.event_date.month)
        object.__setattr__(self, "place", self.location.casefold())

    @classmethod
    def of(cls, event: Event) -> "Identity":
        return cls(
            country=event.country,
            event_date=event.event_date,
            time_precision=event.time_precision,
            event_type=event.event_type,
            sub_event_type=event.sub_event_type,
            location=event.location,
            latitude=event.latitude,
            longitude=event.longitude,
            geo_precision=event.geo_precision,
            admin1=event.admin1,
            actors=(actor_key(event.actor1), actor_key(event.actor2)),
            source_keys=frozenset(event.source_keys),
            associates=actor_keys(n for names in (event.assoc_actor_1, event.assoc_actor_2) for n in names.split(";")),
        )


# ---------------------------------------------------------------------------------------
# The same-event test


UNIDENTIFIED = "?"


@functools.lru_cache(maxsize=1 << 16)  # a corpus names a few thousand actors, each in many reports
def actor_key(name: str) -> str:
    """Comparable form of an actor name: '' for none, '?' for an unidentified actor."""
    text = " ".join(name.split()).casefold()
    if not text:
        return ""
    if text.startswith("unidentified"):
        return UNIDENTIFIED
    # Drop year ranges such as "(2003-)" and normalise state actors of one country.
    while "(" in text and ")" in text[text.index("("):]:
        start = text.index("(")
        end = text.index(")", start)
        inner = text[start + 1:end]
        if any(ch.isdigit() for ch in inner):
            text = (text[:start] + text[end + 1:]).strip()
        else:
            break
    for prefix in ("military forces of ", "police forces of ", "government of ", "armed forces of "):
        if text.startswith(prefix):
            return "state of " + text[len(prefix):].strip()
    return " ".join(text.split())


def actor_keys(names: Iterable[str]) -> frozenset[str]:
    """The identified actors among ``names``."""
    return frozenset(k for k in (actor_key(n) for n in names) if k and k != UNIDENTIFIED)


def subtypes_agree(x: str, y: str) -> bool:
    return x == y or x == GENERAL or y == GENERAL


def specificity(sub_event_type: str) -> int:
    return 0 if sub_event_type == GENERAL else 1 if sub_event_type == CLASH else 2


def dates_agree(a: Identity, b: Identity, rules: MergeRules = MergeRules()) -> bool:
    precision = a.time_precision if a.time_precision > b.time_precision else b.time_precision
    if precision >= 3:
        # Both dates fall in the month of the coarse one(s).
        return a.month == b.month
    gap = abs(a.day - b.day)
    return gap == 0 if precision <= 1 else gap <= rules.week_days


def distance_km(a: Identity, b: Identity) -> float:
    """Great-circle distance (geopy's earth radius; the haversine inline, as geopy's
    ``great_circle`` costs ~30 microseconds a call, too slow for millions of pairs)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lat2 - lat1, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def places_agree(a: Identity, b: Identity, rules: MergeRules = MergeRules()) -> bool:
    if max(a.geo_precision, b.geo_precision) >= 3 and a.admin1 and a.admin1 == b.admin1:
        return True
    km = distance_km(a, b)
    if a.place and a.place == b.place:
        # One name, coded to different points; namesakes far apart are different places.
        return km <= rules.km_by_precision[-1]
    return km <= rules.km_by_precision[min(max(a.geo_precision, b.geo_precision), 3) - 1]


def same_event(a: Identity, b: Identity, rules: MergeRules = MergeRules()) -> bool:
    """Whether two reports describe one event (see the module docstring)."""
    if a.event_type != b.event_type or a.country != b.country or not dates_agree(a, b, rules):
        return False
    if not subtypes_agree(a.sub_event_type, b.sub_event_type):
        return False
    if a.sub_event_type in rules.place_free_subtypes and b.sub_event_type in rules.place_free_subtypes:
        return bool(a.known & b.known) or places_agree(a, b, rules)
    if a.associates and b.associates and not a.associates & b.associates:
        return False  # e.g. protests by different parties in one city on one day
    return actors_agree(a, b) and places_agree(a, b, rules)


def actors_agree(a: Identity, b: Identity) -> bool:
    """Overlapping actors; or one side with no identified actor; or actors that fit slot by
    slot, in either order, where an unidentified actor stands for anyone and an empty slot
    for anyone but at least one identified actor is matched (by itself or by an
    unidentified one): "A-?" fits "A-B", "Unidentified-?" fits "C-D", but "A-?" does not
    fit "B-?"."""
    if a.known & b.known or not a.known or not b.known:
        return True
    (a1, a2), (b1, b2) = a.actors, b.actors
    return _slots_fit(((a1, b1), (a2, b2))) or _slots_fit(((a1, b2), (a2, b1)))


def _slots_fit(pairs: tuple[tuple[str, str], ...]) -> bool:
    strong = False
    for x, y in pairs:
        if x == y:
            strong = strong or bool(x)
        elif UNIDENTIFIED in (x, y):
            strong = True
        elif x and y:
            return False
    return strong


def pair_cost(a: Identity, b: Identity) -> tuple:
    """Lower is a better match: exact sub type, then close date, place and more shared actors."""
    return (
        0 if a.sub_event_type == b.sub_event_type else 1,
        abs(a.day - b.day),
        0 if a.place == b.place else 1,
        round(distance_km(a, b), 3),
        -len(a.known & b.known),
    )


# ---------------------------------------------------------------------------------------
# Blocking


def _week(date: dt.date) -> int:
    return date.toordinal() // 7


def _weeks(identity: Identity, rules: MergeRules) -> range:
    """Weeks whose events may share a date with this one."""
    if identity.time_precision >= 3:
        first = identity.event_date.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return range(_week(first), _week(last) + 1)
    spread = 0 if identity.time_precision <= 1 else rules.week_days
    return range(_week(identity.event_date - dt.timedelta(days=spread)), _week(identity.event_date + dt.timedelta(days=spread)) + 1)


def _cell(identity: Identity, rules: MergeRules) -> tuple[int, int]:
    return (math.floor(identity.latitude / rules.grid_degrees), math.floor(identity.longitude / rules.grid_degrees))


def _index(identities: list[Identity], members: Iterable[int], rules: MergeRules) -> dict[tuple, list[int]]:
    """Where each of ``members`` is placed for blocking: country, type, week, and a place key."""
    placed: dict[tuple, list[int]] = defaultdict(list)
    for i in members:
        ident = identities[i]
        base = (ident.country, ident.event_type, _week(ident.event_date))
        placed[base + ("cell", _cell(ident, rules))].append(i)
        if ident.admin1:
            placed[base + ("admin1", ident.admin1)].append(i)
            if ident.geo_precision >= 3:
                placed[base + ("admin1-region", ident.admin1)].append(i)
        placed[base + ("name", ident.location.casefold())].append(i)
        if ident.sub_event_type in rules.place_free_subtypes:
            placed[base + ("anywhere",)].append(i)
    return placed


def _partners(identities: list[Identity], i: int, placed: Mapping[tuple, list[int]], rules: MergeRules) -> Iterator[int]:
    """The members of ``placed`` that report ``i`` is tested against (maybe repeated)."""
    ident = identities[i]
    lat, lon = _cell(ident, rules)
    reach = range(-2, 3) if ident.geo_precision >= 3 else range(-1, 2)
    probes: list[tuple] = [("cell", (lat + dy, lon + dx)) for dy in reach for dx in reach]
    probes.append(("name", ident.location.casefold()))
    if ident.admin1:
        probes.append(("admin1-region", ident.admin1))
        if ident.geo_precision >= 3:
            probes.append(("admin1", ident.admin1))
    if ident.sub_event_type in rules.place_free_subtypes:
        probes.append(("anywhere",))
    for week in _weeks(ident, rules):
        base = (ident.country, ident.event_type, week)
        for probe in probes:
            for j in placed.get(base + probe, ()):
                if j != i:
                    yield j


def candidate_pairs(identities: list[Identity], rules: MergeRules = MergeRules()) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth testing: same country and type, near in time and space."""
    everyone = range(len(identities))
    placed = _index(identities, everyone, rules)
    return {(min(i, j), max(i, j)) for i in everyone for j in _partners(identities, i, placed, rules)}


def _span(identity: Identity, rules: MergeRules) -> tuple[int, int]:
    """The first and last week this report's candidate pairs can reach (its own included)."""
    own, weeks = _week(identity.event_date), _weeks(identity, rules)
    return min(own, weeks.start), max(own, weeks.stop - 1)


class _BlockKeys:
    """The blocking keys of ``_index`` and ``_partners`` as integers, so that a block's
    candidate pairs are found by a sorted join in numpy, not by a Python loop over every
    (report, partner) of the block (quadratic in the density of reports, which runs to
    tens of millions for a country reported every day).

    A key's code is its week, its (country, event type) and its place key ("cell", a
    cell; "admin1", ...), the last two numbered as met (``_base``, ``_place``), packed
    into one int64. The codes of a report are made once and kept while it is in the
    sweep's window (``pairs``'s ``context`` onwards), so memory follows the window; the
    numbering grows with the places and types met, not with the reports."""

    KIND_BITS, PLACE_BITS = 16, 24

    def __init__(self, identities: list[Identity], rules: MergeRules):
        self.identities, self.rules = identities, rules
        self._kinds: dict[tuple[str, str], int] = {}
        self._places: dict[tuple, int] = {}
        self._window: dict[int, tuple[list[int], list[int]]] = {}
        self._signatures: dict[tuple, tuple[list[int], list[int]]] = {}

    def _base(self, ident: Identity) -> int:
        kind = self._kinds.setdefault((ident.country, ident.event_type), len(self._kinds))
        if kind >= 1 << self.KIND_BITS:
            raise ValueError("merge: too many (country, event type) pairs in one merge")
        return kind << self.PLACE_BITS

    def _place(self, key: tuple) -> int:
        place = self._places.setdefault(key, len(self._places))
        if place >= 1 << self.PLACE_BITS:
            raise ValueError("merge: too many places in one merge")
        return place

    def _codes(self, i: int) -> tuple[list[int], list[int]]:
        """(where report ``i`` is placed, where it looks for partners): ``_index`` and
        ``_partners`` as codes."""
        found = self._window.get(i)
        if found is not None:
            return found
        ident, rules = self.identities[i], self.rules
        shift = self.KIND_BITS + self.PLACE_BITS
        own, looks = self._bases(ident, _cell(ident, rules))
        week = _week(ident.event_date) << shift
        placed = [week | base for base in own]
        probes = [(w << shift) | base for w in _weeks(ident, rules) for base in looks]
        self._window[i] = placed, probes
        return placed, probes

    def _bases(self, ident: Identity, cell: tuple[int, int]) -> tuple[list[int], list[int]]:
        """The codes, less the week, of where a report is placed and where it looks: the
        same for every report of one type at one place (kept)."""
        free = ident.sub_event_type in self.rules.place_free_subtypes
        signature = (ident.country, ident.event_type, cell, ident.location, ident.admin1, ident.geo_precision >= 3, free)
        found = self._signatures.get(signature)
        if found is not None:
            return found
        kind = self._base(ident)
        name = ("name", ident.location.casefold())
        own = [("cell", cell), name]
        reach = range(-2, 3) if ident.geo_precision >= 3 else range(-1, 2)
        looks = [("cell", (cell[0] + dy, cell[1] + dx)) for dy in reach for dx in reach]
        looks.append(name)
        if ident.admin1:
            own.append(("admin1", ident.admin1))
            looks.append(("admin1-region", ident.admin1))
            if ident.geo_precision >= 3:
                own.append(("admin1-region", ident.admin1))
                looks.append(("admin1", ident.admin1))
        if free:
            own.append(("anywhere",))
            looks.append(("anywhere",))
        found = self._signatures[signature] = ([kind | self._place(k) for k in own], [kind | self._place(k) for k in looks])
        return found

    def pairs(self, start: int, stop: int, context: int) -> tuple[list[int], list[int]]:
        """``_block_pairs`` as two lists (i, j), sorted; reports before ``context`` are let go."""
        for i in [i for i in self._window if i < context]:
            del self._window[i]
        placed_codes, placed_by, probe_codes, probe_by = [], [], [], []
        for i in range(context, stop):
            placed, probes = self._codes(i)
            placed_codes.extend(placed)
            placed_by.extend([i] * len(placed))
            probe_codes.extend(probes)
            probe_by.extend([i] * len(probes))
        keys = np.array(placed_codes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], np.array(placed_by, dtype=np.int64)[order]
        wanted = np.array(probe_codes, dtype=np.int64)
        first = np.searchsorted(keys, wanted, "left")
        counts = np.searchsorted(keys, wanted, "right") - first
        total = int(counts.sum())
        if not total:
            return [], []
        # every (prober, owner) of a shared key: the owners at first .. first + count - 1
        seekers = np.repeat(np.array(probe_by, dtype=np.int64), counts)
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts - first, counts)
        partners = owners[offsets]
        lo, hi = np.minimum(seekers, partners), np.maximum(seekers, partners)
        keep = (lo != hi) & (hi >= start)
        codes = np.unique(lo[keep] * len(self.identities) + hi[keep])
        lo, hi = np.divmod(codes, len(self.identities))
        return lo.tolist(), hi.tolist()


def _block_pairs(identities: list[Identity], weeks: list[int], start: int, stop: int, context: int,
                 rules: MergeRules) -> set[tuple[int, int]]:
    """The candidate pairs (i < j) whose later report j is one of ``start .. stop - 1``;
    ``context``: the first report near enough in time to pair with any of them. Reports
    are in week order, so each pair of ``candidate_pairs`` comes from exactly one block.
    (The definition; ``_BlockKeys.pairs`` finds the same pairs faster.)"""
    members = range(context, stop)
    placed = _index(identities, members, rules)
    return {(min(i, j), max(i, j)) for i in members for j in _partners(identities, i, placed, rules) if max(i, j) >= start}


# ---------------------------------------------------------------------------------------
# Merging


def merge_events(
    events: Iterable[Event],
    publishers_by_key: Mapping[str, str | None],
    publishers: Publishers,
    duplicates: Mapping[str, str] | None = None,
    rules: MergeRules = MergeRules(),
) -> tuple[Event, ...]:
    """Merge reports of one event into one row; fill ``source`` and ``source_scale``.

    ``publishers_by_key``: article key -> publisher (None when unknown).
    ``duplicates``: duplicate article key -> original key (from ``find_duplicates``).
    Returns rows sorted by country, date, type, place, actors and source keys; the same
    input in any order gives the same output.
    """
    duplicates = dict(duplicates or {})
    events = list(events)
    reports = _collapse_identical(_without_duplicates(events, duplicates))
    identities = [Identity.of(e) for e in reports]
    groups = _group(identities, rules)
    rows = [_merge_group([reports[i] for i in group], publishers_by_key, publishers) for group in groups]
    copies = [e for e in events if e.source_keys and all(k in duplicates for k in e.source_keys)]
    if copies:
        rows = _attach_copies(rows, copies, duplicates, rules)
    return _in_row_order(rows)


def _attach_copies(rows: list[Event], copies: list[Event], duplicates: Mapping[str, str], rules: MergeRules) -> list[Event]:
    """Add a duplicate article's key (and evidence) to the rows of its original that its
    own events match; its events never make or change anything else."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        for key in row.source_keys:
            rows_of[key].append(n)
    row_identity: dict[int, Identity] = {}
    extra_keys: dict[int, set[str]] = defaultdict(set)
    extra_evidence: dict[int, list[Evidence]] = defaultdict(list)
    for copy in sorted(copies, key=fingerprint):
        ident = Identity.of(copy)
        originals = {duplicates[k] for k in copy.source_keys}
        sentences = {" ".join(ev.sentence.split()) for ev in copy.evidence}
        options = []
        for n in sorted({n for k in originals for n in rows_of.get(k, ())}):
            if n not in row_identity:
                row_identity[n] = Identity.of(rows[n])
            # The copy's sentence coded in the original (its date may resolve otherwise:
            # a copy often lacks the manifest's publication date), else the same event.
            same_sentence = rows[n].event_type == copy.event_type and any(
                ev.source_key in originals and " ".join(ev.sentence.split()) in sentences for ev in rows[n].evidence
            )
            if same_sentence or same_event(ident, row_identity[n], rules):
                options.append((not same_sentence, pair_cost(ident, row_identity[n]), n))
        if options:
            n = min(options)[-1]
            extra_keys[n].update(copy.source_keys)
            extra_evidence[n].extend(copy.evidence)
    for n, keys in extra_keys.items():
        rows[n] = replaced(
            rows[n],
            source_keys=tuple(sorted(set(rows[n].source_keys) | keys)),
            evidence=_evidence((*rows[n].evidence, *extra_evidence[n])),
        )
    return rows


def _without_duplicates(events: Iterable[Event], duplicates: Mapping[str, str]) -> list[Event]:
    kept = []
    for event in events:
        keys = tuple(k for k in event.source_keys if k not in duplicates)
        if event.source_keys and not keys:
            continue  # a duplicate article's own event: see _attach_copies
        if len(keys) != len(event.source_keys):
            event = replaced(event, source_keys=keys, evidence=tuple(ev for ev in event.evidence if ev.source_key not in duplicates))
        kept.append(event)
    return kept


def _content_key(event: Event) -> tuple:
    """Everything coded about an event except its evidence, note and bookkeeping."""
    return (
        event.event_date, event.time_precision, event.disorder_type, event.event_type, event.sub_event_type,
        event.actor1, event.assoc_actor_1, event.inter1, event.actor2, event.assoc_actor_2, event.inter2,
        event.interaction, event.civilian_targeting, event.iso, event.region, event.country, event.admin1,
        event.admin2, event.admin3, event.location, event.latitude, event.longitude, event.geo_precision,
        event.fatalities, tuple(sorted(set(event.source_keys))),
    )


def fingerprint(event: Event) -> str:
    """A stable hash of an event's content (not its evidence order or warnings)."""
    evidence = sorted((e.source_key, e.start, e.end, e.sentence) for e in event.evidence)
    text = repr((_content_key(event), event.notes, event.tags, evidence))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _collapse_identical(events: Iterable[Event]) -> list[Event]:
    """Sort canonically and fold identical reports of one article into one."""
    by_content: dict[tuple, list[Event]] = defaultdict(list)
    for event in events:
        by_content[_content_key(event)].append(event)
    folded = []
    for content, same in by_content.items():
        if len(same) == 1:
            folded.append((content, same[0]))
            continue
        # The longest note, ties to the smallest fingerprint.
        ranked = sorted((-len(e.notes), fingerprint(e), n) for n, e in enumerate(same))
        best = same[ranked[0][2]]
        best = replaced(best, evidence=_evidence(e for s in same for e in s.evidence), warnings=_warnings(same))
        folded.append((content, best))
    folded.sort(key=lambda item: item[0])  # the contents are distinct: no tie to break
    return [event for _content, event in folded]


def _group(identities: list[Identity], rules: MergeRules, weeks_per_block: int = 8) -> list[list[int]]:
    """The groups of reports that are one event (each sorted; in order of first report).

    ``identities`` must be in date order (``merge_events`` sorts them so). The corpus is
    swept a block of weeks at a time: the block's candidate pairs are tested, the pairs
    that agree join their reports' components (reports linked by agreeing pairs), and
    each component that no later report can reach is grouped (``_link``) and let go. Only
    the agreeing pairs of open components are kept, so memory follows the density of
    reports in a few weeks, not the number of reports. Greedy linkage never joins groups
    of two components, so grouping each component alone gives what grouping all at once
    would."""
    weeks = [_week(ident.event_date) for ident in identities]
    if any(a > b for a, b in zip(weeks, weeks[1:])):
        raise ValueError("merge: reports must be in date order")
    reach = max((max(w - lo, hi - w) for w, (lo, hi) in zip(weeks, (_span(i, rules) for i in identities))), default=0)
    parent = list(range(len(identities)))
    last = list(range(len(identities)))  # root -> its component's last report
    agreeing: dict[int, array] = {}  # root -> its agreeing pairs, packed (``_pack``)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    groups: list[list[int]] = []
    closed = 0  # reports before this one belong to components already grouped
    start = 0
    blocking = _BlockKeys(identities, rules)
    while start < len(identities):
        first = weeks[start]
        stop = bisect.bisect_left(weeks, first + weeks_per_block, lo=start)
        context = bisect.bisect_left(weeks, first - reach, hi=start)
        for i, j in zip(*blocking.pairs(start, stop, context)):
            if not same_event(identities[i], identities[j], rules):
                continue
            ri, rj = find(i), find(j)
            if ri != rj:
                lo, hi = min(ri, rj), max(ri, rj)
                parent[hi] = lo
                last[lo] = max(last[lo], last[hi])
                agreeing.setdefault(lo, array("d")).extend(agreeing.pop(hi, ()))
            agreeing.setdefault(find(i), array("d")).extend(_pack(pair_cost(identities[i], identities[j]), i, j))
        # Reports of weeks before (next block's first week - reach) pair with no later report.
        safe = len(identities) if stop == len(identities) else bisect.bisect_left(weeks, weeks[stop] - reach, lo=closed)
        for i in range(closed, safe):
            root = find(i)
            if last[root] == i:  # the component's last report: all of it is here
                groups.extend(_link(identities, agreeing.pop(root, None), rules, root))
        closed, start = safe, stop
    groups.sort()
    return groups


def _pack(cost: tuple, i: int, j: int) -> tuple:
    """An agreeing pair as 7 doubles: its cost's numbers (ints, and a distance rounded to
    metres) then i and j, all exact as doubles. 56 bytes in an array instead of ~250 as
    tuples, for the many pairs a long chain of linked reports holds."""
    return (*cost, i, j)


def _best_first(packed: array) -> Iterator[tuple[int, int]]:
    """The (i, j) of packed pairs in the order of sorting (cost, i, j) tuples."""
    table = np.frombuffer(packed, dtype=np.float64).reshape(-1, 7)
    order = np.lexsort(table.T[::-1])  # last key is the primary one: column 0 first
    for i, j in table[order, 5:7].astype(np.int64):
        yield int(i), int(j)


def _link(identities: list[Identity], packed: array | None, rules: MergeRules, single: int) -> list[list[int]]:
    """Greedy complete linkage of one component from its agreeing pairs (``packed``;
    ``single``: its report when it has none): pairs are taken best first, and two groups
    join only if every cross pair is the same event and they share no article."""
    if not packed:
        return [[single]]
    known: dict[tuple[int, int], bool] = {}  # cross pairs tested (an agreeing pair may be tested again: same answer)

    def agree(x: int, y: int) -> bool:
        pair = (x, y) if x < y else (y, x)
        if pair not in known:
            known[pair] = same_event(identities[x], identities[y], rules)
        return known[pair]

    members: dict[int, list[int]] = {}
    keys: dict[int, set[str]] = {}
    root: dict[int, int] = {}

    def find(i: int) -> int:
        if i not in root:
            root[i], members[i], keys[i] = i, [i], set(identities[i].source_keys)
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    # Two groups that failed complete linkage fail it for good: a group only grows, and a
    # larger group has more pairs that must agree. Remembering the refusal (by the groups'
    # roots) spares re-checking every cross pair for each later candidate pair between them.
    refused: set[tuple[int, int]] = set()
    for i, j in _best_first(packed):
        ri, rj = find(i), find(j)
        if ri == rj or keys[ri] & keys[rj]:
            continue
        lo, hi = min(ri, rj), max(ri, rj)
        if (lo, hi) in refused:
            continue
        if not all(agree(x, y) for x in members[ri] for y in members[rj]):
            refused.add((lo, hi))
            continue
        root[hi] = lo
        members[lo].extend(members.pop(hi))
        keys[lo] |= keys.pop(hi)
    return [sorted(group) for group in members.values()]


def _merge_group(
    group: list[Event],
    publishers_by_key: Mapping[str, str | None],
    publishers: Publishers,
) -> Event:
    keys = sorted({k for e in group for k in e.source_keys})
    names: list[str] = []
    for key in keys:
        name = publishers_by_key.get(key)
        if name and name.strip():
            name = publishers.canonical(name)
            if name not in names:
                names.append(name)
    all_keys = tuple(keys)
    source = "; ".join(names)
    if len(group) == 1:
        event = group[0]
        return replaced(event, source_keys=all_keys, source=source, source_scale=publishers.scale(names, event.country))

    order = [e for _fp, _n, e in sorted((fingerprint(e), n, e) for n, e in enumerate(group))]
    rank = {id(e): n for n, e in enumerate(order)}
    # Fatalities: the lowest positive figure (0 = no report).
    figures = sorted({e.fatalities for e in order if e.fatalities > 0})
    fatalities = figures[0] if figures else 0
    # Date: the most precise; among equals the most reported day, then the day of the
    # report that gives the coded figure, then the earliest.
    best_tp = min(e.time_precision for e in order)
    days = Counter(e.event_date for e in order if e.time_precision == best_tp)
    figure_days = {e.event_date for e in order if e.fatalities == fatalities}
    date = min(days, key=lambda d: (-days[d], d not in figure_days, d))
    # Place: the most precise; among equals the most reported place, then by name.
    best_gp = min(e.geo_precision for e in order)
    places = Counter(_place(e) for e in order if e.geo_precision == best_gp)
    place = min(places, key=lambda p: (-places[p], p))
    # Sub type: the most specific ("Other" < clash < territory change or any other), then
    # the most reported: a report that territory changed hands says more than "clashes".
    subtypes = Counter(e.sub_event_type for e in order)
    sub = min(subtypes, key=lambda s: (-specificity(s), -subtypes[s], s))
    # Actors, disorder type, tags: the most complete report of the chosen sub type.
    actor_source = min(
        (e for e in order if e.sub_event_type == sub),
        key=lambda e: (
            -len(actor_keys((e.actor1, e.actor2))),
            actor_key(e.actor1) in ("", UNIDENTIFIED),
            -bool(e.assoc_actor_1 or e.assoc_actor_2),
            e.time_precision != best_tp or e.event_date != date,
            e.geo_precision,
            rank[id(e)],
        ),
    )
    # Note: one report's note, the one that says most of what the row says.
    note_source = min(
        order,
        key=lambda e: (
            e.time_precision != best_tp or e.event_date != date,
            (e.actor1, e.actor2) != (actor_source.actor1, actor_source.actor2),
            e.sub_event_type != sub,
            e.fatalities != fatalities,
            e.geo_precision != best_gp or _place(e) != place,
            -len(e.notes),
            rank[id(e)],
        ),
    )
    notes = note_source.notes.strip()
    warnings = list(_warnings(order))
    if len(figures) > 1:
        shown = ", ".join(str(f) for f in figures[:-1]) + f" and {figures[-1]}"
        notes = _sentence(notes, f"Reported fatalities vary between sources ({shown}); the lowest figure is coded.")
        warnings.append(f"fatalities disagree: {', '.join(map(str, figures))}")
    elif fatalities and note_source.fatalities != fatalities:
        notes = _sentence(notes, f"Another source reports {fatalities} fatalities.")
    place_event = min((e for e in order if _place(e) == place and e.geo_precision == best_gp), key=lambda e: rank[id(e)])
    return replaced(
        actor_source,
        event_date=date,
        time_precision=best_tp,
        sub_event_type=sub,
        iso=place_event.iso,
        region=place_event.region,
        country=place_event.country,
        admin1=place_event.admin1,
        admin2=place_event.admin2,
        admin3=place_event.admin3,
        location=place_event.location,
        latitude=place_event.latitude,
        longitude=place_event.longitude,
        geo_precision=best_gp,
        notes=notes,
        fatalities=fatalities,
        source_keys=all_keys,
        evidence=_evidence(ev for e in order for ev in e.evidence),
        source=source,
        source_scale=publishers.scale(names, place_event.country),
        event_id_cnty="",
        timestamp=max(e.timestamp for e in order),
        warnings=tuple(sorted(set(warnings))),
    )


def _sentence(note: str, extra: str) -> str:
    return f"{note} {extra}" if note else extra


def _place(event: Event) -> tuple:
    return (event.location, event.admin1, event.admin2, event.admin3, event.latitude, event.longitude)


def _evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(sorted(set(items), key=lambda e: (e.source_key, e.start, e.end, e.sentence)))


def _warnings(events: Iterable[Event]) -> tuple[str, ...]:
    return tuple(sorted({w for e in events for w in e.warnings}))


def _row_head(event: Event) -> tuple:
    return (
        event.country, event.event_date, event.event_type, event.sub_event_type, event.location,
        event.actor1, event.actor2, event.source_keys,
    )


def _in_row_order(rows: Iterable[Event]) -> tuple[Event, ...]:
    """Rows sorted by country, date, type, place, actors and source keys, then by
    ``fingerprint``: computed only for rows equal in all the rest (few)."""
    ordered: list[Event] = []
    for _head, run in itertools.groupby(sorted(rows, key=_row_head), key=_row_head):
        run = list(run)
        ordered.extend(sorted(run, key=fingerprint) if len(run) > 1 else run)
    return tuple(ordered)

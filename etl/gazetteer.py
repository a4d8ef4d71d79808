"""The local, offline gazetteer: curated tables over a GeoNames base, looked up by name.

Tables (all in ``gazetteer/``, see its README):

- ``curated_*.csv``: hand-reviewed places with a cited source for every coordinate
  (``curated_caucasus.csv`` for the South Caucasus; corridors, checkpoints and regions
  that GeoNames' populated places lack). Curated entries win: a base row whose
  ``geonameid`` a curated row names is hidden.
- ``countries.csv``: one row per country, coded to its capital (built, then reviewed).
- ``base.parquet`` + ``base_keys.txt.gz`` + ``base_index.npz``: GeoNames populated places
  and first-level areas, built by ``tools/build_gazetteer.py``. The sorted folded aliases
  are looked up as a trie (``SortedNames``: alias -> alias id, the longest prefix of a
  text that begins one) and the index maps alias ids to rows.

Names are compared after folding (``Fold``: lower case, no accents, hyphens as spaces),
so "Xankəndi", "Xankendi" and "XANKENDI" are one key.
"""
from __future__ import annotations

import bisect
import csv
import functools
import gzip
import hashlib
import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import ahocorasick
import numpy as np
import pyarrow.parquet as pq

from . import vocab
from .errors import DataFileError, InputError
from .memo import BoundedMemo
from .paths import gazetteer_dir

CURATED_COLUMNS = (
    "name", "aliases", "feature", "iso3", "country", "admin1", "admin2", "latitude",
    "longitude", "population", "geonameid", "acled_region", "polyline", "source",
)
COUNTRY_COLUMNS = (
    "iso2", "iso3", "isonum", "name", "aliases", "acled_region", "capital", "latitude",
    "longitude", "admin1",
)
# geopy.distance.EARTH_RADIUS, the mean radius (km): geopy itself is imported only where its
# great_circle is asked (importing it imports its online geocoders: ~0.2 s).
EARTH_RADIUS = 6371.009
KM_PER_DEGREE_LATITUDE = 110.5  # the shortest degree of latitude (at the equator), a lower bound
BASE_COLUMNS = ("geonameid", "name", "latitude", "longitude", "iso2", "admin1", "admin2", "feature", "population")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Fold:
    """Maps text to its comparison form, one character for one character."""

    table: dict = field(repr=False)
    digest: str = ""

    @classmethod
    def load(cls, folder: Path | None = None) -> "Fold":
        data = vocab.load("place_fold", folder)
        letters = data.get("letters") or {}
        spaces = data.get("spaces") or ""
        table: dict[int, str] = {}
        ranges = [range(0x80, 0x250), range(0x1E00, 0x1F00), range(0x2010, 0x2030)]
        for r in [range(0x41, 0x5B)] + ranges:
            for cp in r:
                ch = chr(cp)
                table[cp] = _fold_char(ch)
        for src, dst in letters.items():
            if len(src) != 1 or len(str(dst)) != 1:
                raise DataFileError(f"place_fold.yaml: {src!r} -> {dst!r} must map one character to one")
            table[ord(src)] = str(dst)
        for ch in spaces:
            table[ord(ch)] = " "
        digest = hashlib.sha256(json.dumps(sorted(table.items())).encode()).hexdigest()[:16]
        return cls(table, digest)

    def __call__(self, text: str) -> str:
        # str.translate looks characters up in the table one by one (every one of them in a
        # text that is not all ASCII). bytes.translate folds the ASCII characters of the
        # UTF-8 bytes at once (the bytes of other characters are all >= 0x80, left as they
        # are); the runs of other characters are then folded by str.translate.
        ascii_table = self._ascii_table
        if ascii_table is None:
            return text.translate(self.table)
        encoded = text.encode("utf-8", "surrogatepass")
        if len(encoded) - len(text) > len(text) // 4:
            return text.translate(self.table)  # mostly other characters: no faster
        folded = encoded.translate(ascii_table).decode("utf-8", "surrogatepass")
        return folded if len(encoded) == len(text) else _NON_ASCII.sub(self._fold_run, folded)

    @functools.cached_property
    def _ascii_table(self) -> bytes | None:
        """The table's ASCII part for bytes.translate; None if it maps an ASCII character
        to anything but one ASCII character."""
        out = bytearray(range(256))
        for cp in range(128):
            value = self.table.get(cp, chr(cp))
            if not isinstance(value, str) or len(value) != 1 or not value.isascii():
                return None
            out[cp] = ord(value)
        return bytes(out)

    def _fold_run(self, run: re.Match) -> str:
        return run.group().translate(self.table)

    def key(self, name: str) -> str:
        """The lookup key of a name: folded, with runs of spaces made one."""
        return " ".join(self(name).split()).strip(" .,")


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """``geopy.distance.great_circle(a, b).km``, the same float, without geopy's objects
    (about 15 times faster). Points outside the plain latitude/longitude ranges are left
    to geopy, which normalises or rejects them."""
    lat1, lng1 = float(a[0] or 0.0), float(a[1] or 0.0)
    lat2, lng2 = float(b[0] or 0.0), float(b[1] or 0.0)
    if not (abs(lat1) <= 90 and abs(lat2) <= 90 and abs(lng1) <= 180 and abs(lng2) <= 180):
        return geopy_great_circle_km(a, b)  # also NaN, infinities
    lat1, lng1, lat2, lng2 = math.radians(lat1), math.radians(lng1), math.radians(lat2), math.radians(lng2)
    sin_lat1, cos_lat1 = math.sin(lat1), math.cos(lat1)
    sin_lat2, cos_lat2 = math.sin(lat2), math.cos(lat2)
    delta_lng = lng2 - lng1
    cos_delta_lng, sin_delta_lng = math.cos(delta_lng), math.sin(delta_lng)
    d = math.atan2(
        math.sqrt((cos_lat2 * sin_delta_lng) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta_lng) ** 2),
        sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta_lng,
    )
    return EARTH_RADIUS * d


def geopy_great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """``geopy.distance.great_circle(a, b).km`` (geopy imported on first use)."""
    from geopy.distance import great_circle

    return great_circle(a, b).km


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch
    base = unicodedata.normalize("NFKD", low)[:1]
    if base and base.isascii():
        return base
    return low


_ABSENT = object()  # no default given


class SortedNames:
    """Names -> their position in ``names``, and the longest prefix of a text that begins
    one of them: what a pyahocorasick trie of ``(name, position)`` answers (``get``,
    ``longest_prefix``), answered from the sorted names themselves (bisect) until
    ``TRIE_AFTER`` prefixes have been asked for; the trie is built then (~0.2 s for the
    490,000 base aliases). A build that extracts a few articles never builds it, and a
    pickled one holds the names only (~6 MB; the trie pickles to ~80 MB, slower to read
    than to build). Once the trie is built, ``names`` is None: the trie holds them. Names
    that are not sorted and unique (and non-empty) go to the trie at once (and stay in
    ``names`` too)."""

    TRIE_AFTER = 20_000  # prefix queries answered by bisect (~3 us each; the trie's: ~0.3 us)

    def __init__(self, names: Sequence[str]):
        self.__setstate__((list(names), None))

    def __getstate__(self) -> tuple[list[str], bool]:
        names = self.names
        if names is None:  # given up for the trie (``_build_trie``): its keys, by position
            names = [""] * len(self._trie)
            for name, position in self._trie.items():
                names[position] = name
        return (names, self._sorted)

    def __setstate__(self, state: tuple[list[str], bool | None]) -> None:
        """``state``: (names, whether they are strictly sorted, or None: look)."""
        self.names, self._sorted = state
        if self._sorted is None:
            self._sorted = _strictly_sorted(self.names)
        self._asked = 0
        self._trie = None
        if not self._sorted:
            self._build_trie()

    def __len__(self) -> int:
        return len(self._trie) if self._trie is not None else len(self.names)

    def get(self, name: str, default=_ABSENT):
        """The position of ``name`` (the trie's value for it), else ``default`` (KeyError
        without one, as the trie)."""
        names = self.names
        at = bisect.bisect_left(names, name)
        if at < len(names) and names[at] == name:
            return at
        if default is _ABSENT:
            raise KeyError(name)
        return default

    def longest_prefix(self, text: str) -> int:
        """The length of the longest prefix of ``text`` that begins some name: the
        longest shared with one of its two neighbours in sorted order."""
        self._asked += 1
        if self._asked >= self.TRIE_AFTER and self._trie is None:
            self._build_trie()
            return self.longest_prefix(text)  # the trie's, from now on
        names = self.names
        at = bisect.bisect_left(names, text)
        below = _shared_length(text, names[at - 1]) if at else 0
        above = _shared_length(text, names[at]) if at < len(names) else 0
        return max(below, above)

    def _build_trie(self) -> None:
        """Answer from a pyahocorasick trie from now on (its own methods, called directly)."""
        trie = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for position, name in enumerate(self.names):
            trie.add_word(name, position)
        self._trie = trie
        if len(trie):  # an empty one cannot be asked for prefixes
            self.get, self.longest_prefix = trie.get, trie.longest_prefix
            if self._sorted:
                # The trie holds the names now (one per position): the list's ~500,000
                # string objects (~35 MB in each extraction worker) are let go.
                self.names = None


def _strictly_sorted(names: Sequence[str]) -> bool:
    return bool(names) and names[0] != "" and all(a < b for a, b in zip(names, itertools.islice(names, 1, None)))


def _shared_length(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (binary search on slices)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    low, high = 0, n  # a[:low] == b[:low], a[:high] != b[:high]
    while high - low > 1:
        middle = (low + high) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle
    return low


_BASE_ENTRY_CACHE = 20_000  # base entries kept per Gazetteer (about 500 bytes each)

@dataclass(frozen=True)
class Entry:
    """One gazetteer entry (a row of any table)."""

    name: str
    latitude: float
    longitude: float
    feature: str
    iso2: str
    iso3: str
    country: str
    admin1: str = ""
    admin2: str = ""
    population: int = 0
    source: str = "geonames"  # curated | countries | admin1 | geonames
    table: str = ""  # file it came from
    region: str = ""  # ACLED region
    polyline: tuple[tuple[float, float], ...] = ()
    geonameid: int = 0
    aliases: tuple[str, ...] = ()
    isonum: int = 0  # ISO 3166 numeric code (ACLED's ``iso``), set on country rows

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)

    def default_precision(self) -> int:
        if self.feature in ("country", "region", "admin1"):
            return 3
        if self.feature in ("district", "admin2", "corridor", "road"):
            return 2
        return 1

    def as_dict(self, alias: str = "", geo_precision: int | None = None) -> dict:
        return {
            "name": self.name,
            "alias": alias or self.name,
            "latitude": round(float(self.latitude), 5),
            "longitude": round(float(self.longitude), 5),
            "feature": self.feature,
            "country": self.country,
            "iso3": self.iso3,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "geo_precision": self.default_precision() if geo_precision is None else geo_precision,
            "source": self.table,
            "population": int(self.population),
            "region": self.region,
            **({"polyline": [list(p) for p in self.polyline]} if self.polyline else {}),
        }


@dataclass(frozen=True)
class Ranker:
    """Scores entries that share a name (weights from ``etl/vocab/place_rank.yaml``)."""

    weights: dict

    @classmethod
    def load(cls, folder: Path | None = None) -> "Ranker":
        data = vocab.load("place_rank", folder)
        if not isinstance(data, dict) or "source" not in data:
            raise DataFileError("place_rank.yaml: expected a mapping with 'source' weights")
        return cls(data)

    def static(self, entry: Entry, own_name: bool = False) -> float:
        """Score without context; ``own_name``: the name looked up is the entry's main name."""
        w = self.weights
        return (
            w["source"].get(entry.source, 0.0)
            + w["feature"].get(entry.feature, 0.0)
            + w["population"] * math.log10(1 + max(entry.population, 0))
            + (w["name_match"] if own_name else 0.0)
        )

    def proximity(self, entry: Entry, points: Iterable[tuple[float, float]]) -> float:
        w = self.weights
        scale = float(w["proximity_km"])
        total = 0.0
        for point in points:
            # one degree of latitude is at least 110.5 km: a point farther apart in latitude
            # than the scale adds nothing, so geopy is not asked
            if abs(entry.latitude - point[0]) * KM_PER_DEGREE_LATITUDE >= scale:
                continue
            km = great_circle_km(entry.point, point)
            total += max(0.0, 1.0 - km / scale)
        return w["proximity"] * min(total, float(w["proximity_cap"]))

    def kind(self, entry: Entry, features: Sequence[str] | None) -> float:
        if not features:
            return 0.0
        w = self.weights
        return w["kind_match"] if entry.feature in features else w["kind_mismatch"]


@dataclass
class Gazetteer:
    """All tables, loaded once; ``lookup`` by name, ``geocode`` ranks the matches."""

    fold: Fold
    ranker: Ranker
    curated: tuple[Entry, ...]
    curated_index: dict  # key -> tuple of indices into curated
    base_trie: "SortedNames"  # folded alias -> alias id (its position in base_keys.txt.gz)
    base_offsets: np.ndarray
    base_rows: np.ndarray
    base_columns: dict
    base_hidden: np.ndarray  # bool per base row: replaced by a curated entry
    countries_by_code: dict  # iso2/iso3/name (folded) -> Entry (country row)
    regions: dict  # iso2 -> ACLED region
    kind_words: dict  # folded word after a name -> kind ("district" -> district)
    kind_before_words: dict  # folded words before a name -> kind ("town of" -> populated)
    kinds: dict  # kind -> gazetteer features it accepts
    folder: Path
    # Base rows made into entries so far (entries are immutable; bounded, emptied when full):
    # articles name the same few thousand places again and again.
    _base_entries: BoundedMemo = field(default_factory=lambda: BoundedMemo(_BASE_ENTRY_CACHE), repr=False, compare=False)

    @classmethod
    def load(cls, folder: Path | None = None) -> "Gazetteer":
        folder = Path(folder) if folder else gazetteer_dir()
        fold = Fold.load()
        ranker = Ranker.load()
        meta_path = folder / "base_meta.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DataFileError(f"{meta_path}: not found; build it with tools/build_gazetteer.py") from exc
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{meta_path}: not valid JSON") from exc
        if meta.get("fold") != fold.digest:
            raise DataFileError(
                f"{meta_path}: built with another etl/vocab/place_fold.yaml; rebuild with tools/build_gazetteer.py"
            )
        cues = vocab.load("place_cues")
        try:
            kind_words = {fold.key(w): kind for kind, words in cues["kind_after"].items() for w in words}
            kind_before_words = {fold.key(w): kind for kind, words in cues["kind_before"].items() for w in words}
            kinds = {kind: tuple(features) for kind, features in cues["kind_features"].items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise DataFileError(f"place_cues.yaml: malformed ({exc})") from exc
        countries = _read_countries(folder / "countries.csv")
        region_by_iso2 = {c.iso2: c.region for c in countries}
        curated: list[Entry] = list(countries)
        for path in sorted(folder.glob("curated_*.csv")):
            curated.extend(_read_curated(path, countries))
        curated_index: dict[str, list[int]] = {}
        for i, entry in enumerate(curated):
            for alias in entry.aliases:
                key = fold.key(alias)
                if key:
                    bucket = curated_index.setdefault(key, [])
                    if i not in bucket:
                        bucket.append(i)
        try:
            with gzip.open(folder / "base_keys.txt.gz", "rt", encoding="utf-8") as handle:
                keys = handle.read().split("\n")
            index = np.load(folder / "base_index.npz")
            table = pq.ParquetFile(folder / "base.parquet").read(columns=list(BASE_COLUMNS))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{folder}: cannot read the base gazetteer ({exc}); rebuild it") from exc
        columns = {name: table.column(name) for name in table.column_names}
        base_columns = {
            "name": columns["name"].combine_chunks(),
            "latitude": columns["latitude"].to_numpy(),
            "longitude": columns["longitude"].to_numpy(),
            "population": columns["population"].to_numpy(),
            "geonameid": columns["geonameid"].to_numpy(),
        }
        for name in ("feature", "iso2", "admin1", "admin2"):
            chunked = columns[name].combine_chunks()
            base_columns[name] = (
                chunked.indices.to_numpy(zero_copy_only=False),
                chunked.dictionary.to_pylist(),
            )
        base_trie = SortedNames(keys)
        curated_ids = np.array([e.geonameid for e in curated if e.geonameid], dtype=np.int64)
        hidden = np.isin(base_columns["geonameid"], curated_ids)
        countries_by_code: dict[str, Entry] = {}
        for c in countries:
            for code in (c.iso2, c.iso3, c.country, c.name, *c.aliases):
                countries_by_code.setdefault(fold.key(code), c)
        return cls(
            fold=fold,
            ranker=ranker,
            curated=tuple(curated),
            curated_index={k: tuple(v) for k, v in curated_index.items()},
            base_trie=base_trie,
            base_offsets=index["offsets"],
            base_rows=index["rows"],
            base_columns=base_columns,
            base_hidden=hidden,
            countries_by_code=countries_by_code,
            regions=region_by_iso2,
            kind_words=kind_words,
            kind_before_words=kind_before_words,
            kinds=kinds,
            folder=folder,
        )

    # -- access -------------------------------------------------------------------------

    def base_entry(self, row: int) -> Entry:
        return self._base_entries.get_or_make(row, self._make_base_entry)

    def _make_base_entry(self, row: int) -> Entry:
        cols = self.base_columns
        iso2 = _decode(cols["iso2"], row)
        country = self.countries_by_code.get(self.fold.key(iso2)) if iso2 else None
        return Entry(
            name=cols["name"][row].as_py(),
            latitude=float(cols["latitude"][row]),
            longitude=float(cols["longitude"][row]),
            feature=_decode(cols["feature"], row),
            iso2=iso2,
            iso3=country.iso3 if country else "",
            country=country.country if country else iso2,
            admin1=_decode(cols["admin1"], row),
            admin2=_decode(cols["admin2"], row),
            population=int(cols["population"][row]),
            source="admin1" if _decode(cols["feature"], row) == "admin1" else "geonames",
            table="base.parquet",
            region=country.region if country else "",
            geonameid=int(cols["geonameid"][row]),
        )

    @functools.cached_property
    def _base_aliases(self):
        return pq.ParquetFile(self.folder / "base.parquet").read(columns=["aliases"]).column("aliases")

    def aliases_of(self, entry: Entry) -> tuple[str, ...]:
        """All names of an entry (read from the base table on first use for base rows)."""
        if entry.aliases or entry.source not in ("geonames", "admin1"):
            return entry.aliases
        rows = np.flatnonzero(self.base_columns["geonameid"] == entry.geonameid) if entry.geonameid > 0 else []
        for row in rows:
            return tuple(str(self._base_aliases[int(row)]).split("|"))
        return (entry.name,)

    def base_rows_for(self, alias_id: int) -> np.ndarray:
        rows = self.base_rows[self.base_offsets[alias_id]: self.base_offsets[alias_id + 1]]
        return rows[~self.base_hidden[rows]]

    def lookup(self, name: str) -> list[Entry]:
        """Every entry one of whose names folds to the same key as ``name``."""
        key = self.fold.key(name)
        if not key:
            return []
        return self.entries(self.curated_index.get(key, ()), self.base_trie.get(key, -1))

    def entries(self, curated_ids: Sequence[int], alias_id: int, max_base: int = 0, min_population: int = 0) -> list[Entry]:
        """Curated entries by index, then base entries of an alias id (largest first when
        ``max_base`` caps them), less base entries a curated entry stands for (same
        country, within ``SAME_PLACE_KM``, or the first-level area a curated region codes)."""
        found = [self.curated[i] for i in curated_ids]
        if alias_id is None or alias_id < 0:
            return found
        rows = self.base_rows_for(int(alias_id))
        if min_population:
            rows = rows[self.base_columns["population"][rows] >= min_population]
        if max_base and len(rows) > max_base:
            order = np.argsort(-self.base_columns["population"][rows], kind="stable")[:max_base]
            rows = rows[order]
        curated = list(found)
        for row in rows:
            entry = self.base_entry(int(row))
            if not any(_same_place(c, entry) for c in curated):
                found.append(entry)
        return found

    def country(self, code: str) -> Entry | None:
        """The country row (ACLED name, iso2, iso3, isonum, ACLED region, capital point)
        for an ISO2/ISO3 code or a country name, else None."""
        return self.countries_by_code.get(self.fold.key(code)) if code else None

    def region_of(self, iso2: str) -> str:
        return self.regions.get(iso2, "")

    # -- geocoding ---------------------------------------------------------------------

    def geocode(
        self,
        name: str,
        near: str | tuple[float, float] | None = None,
        country: str | None = None,
        limit: int = 5,
    ) -> list[dict]:
        """Entries called ``name``, best first, as dicts (see ``Entry.as_dict``).

        ``near`` (a place name or "lat,lon") and ``country`` (ISO3, ISO2 or name) steer the
        choice between places of the same name; ``country`` also filters.
        """
        if not isinstance(name, str) or not name.strip():
            raise InputError("geocode: empty place name")
        entries, kind, matched = self._candidates(name)
        if country:
            wanted = self.country(country)
            if wanted is None:
                raise InputError(f"geocode: unknown country {country!r} (give an ISO3 code such as AZE)")
            entries = [e for e in entries if e.iso2 == wanted.iso2]
        if not entries:
            raise InputError(f"no place called {name.strip()!r} in the gazetteer")
        points = []
        if near is not None:
            points.append(self._near_point(near))
        weight = float(self.ranker.weights["near"])

        key = self.fold.key(name)

        def score(entry: Entry) -> float:
            s = self.ranker.static(entry, self.fold.key(entry.name) == key)
            s += self.ranker.kind(entry, self.kinds.get(kind))
            for point in points:
                km = geopy_great_circle_km(entry.point, point)
                s += weight * max(0.0, 1.0 - km / float(self.ranker.weights["proximity_km"]))
                s -= float(self.ranker.weights["near_log_km"]) * math.log10(1 + km)
            return s

        ranked = sorted(_unique(entries), key=score, reverse=True)
        return [e.as_dict(alias=self.matching_alias(e, matched)) for e in ranked[: max(1, limit)]]

    def matching_alias(self, entry: Entry, name: str) -> str:
        """The entry's own spelling of ``name`` (the alias that matched)."""
        key = self.fold.key(name)
        for alias in self.aliases_of(entry):
            if self.fold.key(alias) == key:
                return alias
        return name.strip()

    def _candidates(self, name: str) -> tuple[list[Entry], str, str]:
        """Entries for ``name``; else for it without a leading "the", a kind phrase ("the
        town of") or a trailing kind word ("Lachin district", "Donetsk Oblast"), with the kind
        such words name and the part of the name that matched."""
        words = self.fold.key(name).split()
        entries = self.lookup(" ".join(words))
        if entries:
            return entries, "", name
        kind = ""
        if words[:1] == ["the"] and len(words) > 1:
            words = words[1:]
        for k in (4, 3, 2, 1):
            head = " ".join(words[:k])
            if len(words) > k and head in self.kind_before_words:
                words, kind = words[k:], self.kind_before_words[head]
                break
        if words[:1] == ["the"] and len(words) > 1:
            words = words[1:]
        entries = self.lookup(" ".join(words))
        if entries:
            return entries, kind, " ".join(words)
        for k in (2, 1):
            tail = " ".join(words[-k:])
            if len(words) > k and tail in self.kind_words:
                entries = self.lookup(" ".join(words[:-k]))
                if entries:
                    return entries, self.kind_words[tail], " ".join(words[:-k])
        return [], "", name

    def _near_point(self, near: str | tuple[float, float]) -> tuple[float, float]:
        if isinstance(near, (tuple, list)) and len(near) == 2:
            return (float(near[0]), float(near[1]))
        text = str(near)
        match = _COORDS.match(text)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputError(f"geocode: --near {text!r} is not a latitude,longitude pair")
            return (lat, lon)
        try:
            best = self.geocode(text, limit=1)[0]
        except InputError as exc:
            raise InputError(f"geocode: --near {text!r}: no such place in the gazetteer") from exc
        return (best["latitude"], best["longitude"])

    # -- reverse -----------------------------------------------------------------------

    @functools.cached_property
    def _tree(self):
        from scipy.spatial import cKDTree

        lat = np.radians(self.base_columns["latitude"].astype(np.float64))
        lon = np.radians(self.base_columns["longitude"].astype(np.float64))
        xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        return cKDTree(xyz)

    def reverse(self, latitude: float, longitude: float, limit: int = 1) -> list[tuple[Entry, float]]:
        """The populated places nearest a point, with their distance in km (geopy)."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise InputError(f"reverse: ({latitude}, {longitude}) is not a latitude/longitude")
        lat, lon = math.radians(latitude), math.radians(longitude)
        xyz = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
        _, idx = self._tree.query(xyz, k=min(limit + 8, len(self.base_hidden)))
        out: list[tuple[Entry, float]] = []
        for row in np.atleast_1d(idx):
            entry = self.base_entry(int(row))
            if entry.feature == "admin1":
                continue
            if self.base_hidden[int(row)]:
                entry = next((c for c in self.curated if c.geonameid == entry.geonameid), entry)
            out.append((entry, geopy_great_circle_km((latitude, longitude), entry.point)))
        out.sort(key=lambda pair: pair[1])
        return out[:limit]


def geocode(
    name: str,
    near: str | None = None,
    country: str | None = None,
    limit: int = 5,
    gazetteer: Gazetteer | None = None,
) -> list[dict]:
    """Look ``name`` up in the local gazetteer (loads it when not given); best first."""
    return (gazetteer or Gazetteer.load()).geocode(name, near=near, country=country, limit=limit)


# -- reading the tables --------------------------------------------------------------------


def _decode(column: tuple, row: int) -> str:
    codes, values = column
    code = codes[row]
    if code is None or (isinstance(code, float) and math.isnan(code)) or code < 0:
        return ""
    value = values[int(code)]
    return "" if value is None else str(value)


def _read_rows(path: Path, required: Sequence[str]) -> list[dict]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.DictReader(line for line in handle if not line.startswith("#"))]
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    if rows:
        missing = [c for c in required if c not in rows[0]]
        if missing:
            raise DataFileError(f"{path}: missing columns {', '.join(missing)}")
    return rows


def _float(path: Path, n: int, row: dict, column: str, low: float, high: float) -> float:
    try:
        value = float(row[column])
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: row {n}: {column} {row.get(column)!r} is not a number") from exc
    if not low <= value <= high:
        raise DataFileError(f"{path}: row {n}: {column} {value} out of range")
    return value


def _read_countries(path: Path) -> list[Entry]:
    out = []
    for n, row in enumerate(_read_rows(path, COUNTRY_COLUMNS), start=2):
        aliases = tuple(a for a in [row["name"], *row["aliases"].split("|")] if a)
        out.append(
            Entry(
                name=row["name"],
                latitude=_float(path, n, row, "latitude", -90, 90),
                longitude=_float(path, n, row, "longitude", -180, 180),
                feature="country",
                iso2=row["iso2"],
                iso3=row["iso3"],
                country=row["name"],
                admin1=row["admin1"],
                admin2="",
                population=int(float(row.get("population") or 0)),
                source="countries",
                table=path.name,
                region=row["acled_region"],
                aliases=aliases,
                isonum=int(float(row["isonum"] or 0)),
            )
        )
    return out


def _read_curated(path: Path, countries: list[Entry]) -> list[Entry]:
    by_iso3 = {c.iso3: c for c in countries}
    out = []
    for n, row in enumerate(_read_rows(path, CURATED_COLUMNS), start=2):
        if not row.get("source", "").strip():
            raise DataFileError(f"{path}: row {n}: every coordinate needs a source")
        country = by_iso3.get(row["iso3"])
        if country is None:
            raise DataFileError(f"{path}: row {n}: unknown iso3 {row['iso3']!r}")
        polyline = []
        for pair in filter(None, (row.get("polyline") or "").split(";")):
            try:
                lat, lon = (float(x) for x in pair.split())
            except ValueError as exc:
                raise DataFileError(f"{path}: row {n}: polyline point {pair!r} is not 'lat lon'") from exc
            polyline.append((lat, lon))
        aliases = tuple(dict.fromkeys(a.strip() for a in [row["name"], *row["aliases"].split("|")] if a.strip()))
        out.append(
            Entry(
                name=row["name"],
                latitude=_float(path, n, row, "latitude", -90, 90),
                longitude=_float(path, n, row, "longitude", -180, 180),
                feature=row["feature"],
                iso2=country.iso2,
                iso3=country.iso3,
                country=row["country"] or country.country,
                admin1=row["admin1"],
                admin2=row["admin2"],
                population=int(float(row["population"] or 0)),
                source="curated",
                table=path.name,
                region=row["acled_region"] or country.region,
                polyline=tuple(polyline),
                geonameid=int(float(row["geonameid"] or 0)),
                aliases=aliases,
            )
        )
    return out


SAME_PLACE_KM = 30.0


def _same_place(curated: Entry, base: Entry) -> bool:
    if curated.iso2 != base.iso2 or curated.feature == "country":
        return False
    if base.feature == "admin1":
        return curated.feature in ("region", "district", "admin1") and curated.admin1 == base.admin1
    if curated.feature in ("region", "district", "corridor", "checkpoint", "bridge"):
        return False
    return great_circle_km(curated.point, base.point) <= SAME_PLACE_KM


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen, out = set(), []
    for e in entries:
        key = (e.name, e.source, round(e.latitude, 3), round(e.longitude, 3), e.feature)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out

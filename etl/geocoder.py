"""A geopy geocoder over the local, offline gazetteer.

``LocalGeocoder`` behaves like geopy's online geocoders (``Nominatim`` and the rest), so a
user can swap one for the other:

    from etl.geocoder import LocalGeocoder
    geolocator = LocalGeocoder()
    location = geolocator.geocode("Stepanakert")
    location.latitude, location.longitude, location.raw["admin1"]
    geolocator.reverse("39.82, 46.75").address

It never touches the network. As in geopy, a query that finds nothing returns ``None``.
"""
from __future__ import annotations

import warnings
from typing import Iterable

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .errors import InputError
from .gazetteer import Entry, Gazetteer


class LocalGeocoder(Geocoder):
    """geopy ``Geocoder`` answering from ``etl.gazetteer`` (curated tables over GeoNames)."""

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs):
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or Gazetteer.load()

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
        near: str | tuple[float, float] | None = None,
        timeout=None,
    ):
        """The best place called ``query`` (or a list of up to ``limit`` places).

        ``country_codes``: ISO2 or ISO3 code(s) to restrict to (as Nominatim's parameter);
        ``near``: a place name or (lat, lon) that steers between places of one name.
        """
        if not isinstance(query, str) or not query.strip():
            return None
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or [None])
        found: list[dict] = []
        for code in codes:
            try:
                found.extend(self.gazetteer.geocode(query, near=near, country=code, limit=limit or 5))
            except InputError:
                continue
        if not found:
            return None
        locations = [_location(d) for d in found]
        return locations[0] if exactly_one else locations[: limit or len(locations)]

    def reverse(self, query, *, exactly_one: bool = True, limit: int | None = None, timeout=None):
        """The populated place(s) nearest a point ("lat, lon", (lat, lon) or geopy Point)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                point = query if isinstance(query, Point) else Point(query)
        except (TypeError, ValueError):
            return None
        try:
            nearest = self.gazetteer.reverse(point.latitude, point.longitude, limit=1 if exactly_one else (limit or 5))
        except InputError:
            return None
        if not nearest:
            return None
        locations = [_location(_reverse_dict(entry, km)) for entry, km in nearest]
        return locations[0] if exactly_one else locations


def _reverse_dict(entry: Entry, km: float) -> dict:
    data = entry.as_dict()
    data["distance_km"] = round(km, 3)
    return data


def _location(data: dict) -> Location:
    parts = [data["name"], data.get("admin1") or "", data["country"]]
    address = ", ".join(dict.fromkeys(p for p in parts if p))
    return Location(address, Point(data["latitude"], data["longitude"]), data)

"""LocalGeocoder: geopy's Geocoder interface over the local gazetteer."""
from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from etl.gazetteer import Gazetteer
from etl.geocoder import LocalGeocoder


@pytest.fixture(scope="module")
def geolocator() -> LocalGeocoder:
    return LocalGeocoder(Gazetteer.load())


def test_is_a_geopy_geocoder(geolocator):
    assert isinstance(geolocator, Geocoder)


@pytest.mark.parametrize(
    "query, kwargs, address_start, lat, lon",
    [
        ("Stepanakert", {}, "Stepanakert, Azerbaijan", 39.82, 46.75),
        ("Berdzor", {}, "Lachin, Lacin, Azerbaijan", 39.64, 46.55),
        ("Martuni", {"country_codes": "AZ"}, "Khojavend", 39.79, 47.11),
        ("Martuni", {"country_codes": ["ARM"]}, "Martuni", 40.14, 45.30),
        ("Paris", {"near": "Dallas"}, "Paris, Texas", 33.66, -95.56),
    ],
)
def test_geocode_returns_a_location(geolocator, query, kwargs, address_start, lat, lon):
    location = geolocator.geocode(query, **kwargs)
    assert isinstance(location, Location)
    assert location.address.startswith(address_start)
    assert (round(location.latitude, 2), round(location.longitude, 2)) == (lat, lon)
    assert location.raw["iso3"] in ("AZE", "ARM", "USA")


def test_geocode_many(geolocator):
    locations = geolocator.geocode("Martuni", exactly_one=False, limit=3)
    assert 2 <= len(locations) <= 3
    assert {loc.raw["iso3"] for loc in locations} == {"AZE", "ARM"}


@pytest.mark.parametrize("query", ["Qwxzzvillé", "", "   "])
def test_nothing_found_is_none_as_in_geopy(geolocator, query):
    assert geolocator.geocode(query) is None


@pytest.mark.parametrize(
    "query, name",
    [
        ("39.512, 46.342", "Goris"),
        ((40.38, 49.89), "Baku"),
        (Point(39.76, 46.75), "Shusha"),
    ],
)
def test_reverse(geolocator, query, name):
    location = geolocator.reverse(query)
    assert location.raw["name"] == name
    assert location.raw["distance_km"] < 3


@pytest.mark.parametrize("query", ["not a point", (200, 500)])
def test_reverse_bad_point_is_none(geolocator, query):
    assert geolocator.reverse(query) is None

"""Coding candidates into ACLED-shaped events."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from etl.coding import Coder
from etl.records import ActorValue, Article, Candidate, DateValue, Mention, Place, Sentence, TriggerValue

ARTICLE = Article(key="k_42", file="k_42.txt", text="x" * 200, sha256="0", published_date=dt.date(2024, 6, 3))
SENTENCE = Sentence(3, 40, 120, "y" * 80)
KHERSON = Place("Kherson", 46.64, 32.61, "city", "Ukraine", "UKR", admin1="Kherson", admin2="Khersonskyi")
DARFUR = Place("North Darfur", 15.77, 24.9, "region", "Sudan", "SDN", admin1="North Darfur", geo_precision=3)


def candidate(event_type, sub, actor1, actor2=None, place=KHERSON, date=DateValue(dt.date(2024, 6, 1), 1), fatalities=0):
    trigger = Mention("trigger", 3, 50, 55, "hit", TriggerValue(event_type, sub, "hit"))
    return Candidate("k_42", SENTENCE, trigger, event_type, sub, date, place, actor1, actor2, fatalities=fatalities)


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder.load()


RUSSIA = ActorValue("Military Forces of Russia (2000-)", 8, "Russia")
UKRAINE_GENERIC = ActorValue("Military Forces of {country}", 1)
CIVILIANS = ActorValue("Civilians ({country})", 7)
RSF = ActorValue("RSF: Rapid Support Forces", 2, "Sudan")
PROTESTERS = ActorValue("Protesters ({country})", 6)


@pytest.mark.parametrize(
    "c, actor1, actor2, interaction, civilian, disorder",
    [
        (candidate("Explosions/Remote violence", "Shelling/artillery/missile attack", RUSSIA, CIVILIANS, fatalities=3),
         "Military Forces of Russia (2000-)", "Civilians (Ukraine)", 78, "Civilian targeting", "Political violence"),
        (candidate("Battles", "Armed clash", RUSSIA, UKRAINE_GENERIC),
         "Military Forces of Russia (2000-)", "Military Forces of Ukraine", 18, "", "Political violence"),
        (candidate("Violence against civilians", "Attack", RSF, CIVILIANS, place=DARFUR, fatalities=12),
         "RSF: Rapid Support Forces", "Civilians (Sudan)", 27, "Civilian targeting", "Political violence"),
        (candidate("Protests", "Peaceful protest", PROTESTERS, place=DARFUR),
         "Protesters (Sudan)", "", 60, "", "Demonstrations"),
        (candidate("Protests", "Excessive force against protesters", PROTESTERS, ActorValue("Police Forces of {country}", 1)),
         "Protesters (Ukraine)", "Police Forces of Ukraine", 16, "", "Political violence; Demonstrations"),
    ],
)
def test_actors_interaction_and_targeting(coder, c, actor1, actor2, interaction, civilian, disorder):
    (event,) = coder(ARTICLE, (c,))
    # the actor stage may add the regime years: "Military Forces of Ukraine (2019-)"
    assert event.actor1.startswith(actor1) and event.actor2.startswith(actor2)
    assert bool(event.actor2) == bool(actor2) and "{" not in event.actor1 + event.actor2
    assert event.interaction == interaction
    assert event.civilian_targeting == civilian
    assert event.disorder_type == disorder


def test_place_country_and_provenance(coder):
    (event,) = coder(ARTICLE, (candidate("Battles", "Armed clash", RUSSIA, UKRAINE_GENERIC, fatalities=4),))
    assert (event.country, event.iso, event.region) == ("Ukraine", 804, "Europe")
    assert (event.location, event.admin1, event.admin2) == ("Kherson", "Kherson", "Khersonskyi")
    assert (event.latitude, event.longitude, event.geo_precision) == (46.64, 32.61, 1)
    assert event.source_keys == ("k_42",)
    assert event.evidence[0].source_key == "k_42" and event.evidence[0].start == 40 and event.evidence[0].end == 120
    assert event.event_id_cnty == "" and event.source == ""
    assert event.fatalities == 4
    assert event.timestamp == int(dt.datetime(2024, 6, 3, tzinfo=dt.timezone.utc).timestamp())


@pytest.mark.parametrize(
    "date, opening",
    [
        (DateValue(dt.date(2024, 6, 1), 1), "On 1 June 2024, "),
        (DateValue(dt.date(2024, 5, 29), 2), "Around 29 May 2024, "),
        (DateValue(dt.date(2024, 5, 1), 3), "In May 2024, "),
    ],
)
def test_note_opens_with_the_date(coder, date, opening):
    (event,) = coder(ARTICLE, (candidate("Battles", "Armed clash", RUSSIA, UKRAINE_GENERIC, date=date),))
    assert event.notes.startswith(opening)
    assert event.time_precision == date.precision


@pytest.mark.parametrize("fatalities, ending", [(0, "Fatalities unknown."), (1, "1 fatality."), (7, "7 fatalities.")])
def test_note_names_actors_place_and_toll(coder, fatalities, ending):
    (event,) = coder(ARTICLE, (candidate("Explosions/Remote violence", "Shelling/artillery/missile attack", RUSSIA,
                                         fatalities=fatalities),))
    assert "Military Forces of Russia (2000-)" in event.notes and "Kherson" in event.notes
    assert event.notes.endswith(ending)
    assert "{" not in event.notes


def test_agreement_note_has_no_fatality_sentence(coder):
    (event,) = coder(ARTICLE, (candidate("Strategic developments", "Agreement", RSF, UKRAINE_GENERIC, place=DARFUR),))
    assert event.notes.endswith("in North Darfur.")


@pytest.mark.parametrize(
    "broken",
    [
        candidate("Battles", "Armed clash", RUSSIA, place=None),  # no place: never invent coordinates
        candidate("Battles", "Armed clash", RUSSIA, date=None),
        candidate("Battles", "Peaceful protest", RUSSIA),  # not an ACLED pair
        candidate("Battles", "Armed clash", None),  # no actor1
        candidate("Battles", "Armed clash", RUSSIA, place=replace(KHERSON, latitude=123.0)),
        candidate("Battles", "Armed clash", RUSSIA, place=replace(KHERSON, iso3="XXX")),
    ],
)
def test_invalid_candidates_are_dropped(coder, broken):
    good = candidate("Battles", "Armed clash", RUSSIA)
    events = coder(ARTICLE, (broken, good))
    assert len(events) == 1 and events[0].actor1 == "Military Forces of Russia (2000-)"


def test_actor_own_country_wins_over_event_country(coder):
    exiles = ActorValue("Protesters ({country})", 6, "Sudan")
    (event,) = coder(ARTICLE, (candidate("Protests", "Peaceful protest", exiles),))
    assert event.actor1 == "Protesters (Sudan)" and event.country == "Ukraine"


def test_no_published_date_gives_zero_timestamp(coder):
    article = replace(ARTICLE, published_date=None)
    (event,) = coder(article, (candidate("Battles", "Armed clash", RUSSIA),))
    assert event.timestamp == 0


@pytest.mark.parametrize(
    "event_type, sub, expected",
    [
        ("Battles", "Government regains territory", "Military Forces of Ukraine"),
        ("Explosions/Remote violence", "Air/drone strike", "Military Forces of Ukraine"),
        ("Strategic developments", "Agreement", "Government of Ukraine"),
    ],
)
def test_a_government_that_fought_is_coded_as_its_military(coder, event_type, sub, expected):
    government = ActorValue("Government of Ukraine (2019-)", 1, "Ukraine")
    (event,) = coder(ARTICLE, (candidate(event_type, sub, government, RUSSIA),))
    assert event.actor1.startswith(expected)


def test_the_military_of_a_government_is_found_once_per_actor():
    """``as_branch`` answers depend on the actor only: the Coder keeps them."""
    calls = []
    base = Coder.load()

    def as_branch(actor, branch):
        calls.append((actor, branch))
        return base.as_branch(actor, branch)

    coder = replace(base, as_branch=as_branch)
    government = ActorValue("Government of Ukraine (2019-)", 1, "Ukraine")
    asked = []
    for _ in range(3):
        (event,) = coder(ARTICLE, (candidate("Battles", "Armed clash", government, RUSSIA),))
        assert event.actor1.startswith("Military Forces of Ukraine")
        asked.append(len(calls))
    assert asked[0] > 0 and asked == [asked[0]] * 3  # asked for the first article only

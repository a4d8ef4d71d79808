"""Stable event ids: ISO3 + number, kept across rebuilds through the register file."""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import replace

import pytest

from etl.errors import InputError
from etl.ids import IdRegister, iso3
from etl.merge import merge_events
from etl.records import Event, Evidence
from etl.sources import Publishers

AZE = "Military Forces of Azerbaijan (2003-)"
ART = "Military Forces of Artsakh (2007-)"
DAY = dt.date(2031, 5, 14)


def ev(key, *, day=0, etype="Battles", sub="Armed clash", town=("Alpha", 40.0, 47.0), country="Azerbaijan", iso=31, tp=1, a1=AZE, a2=ART, start=0):
    name, lat, lon = town
    return Event(
        event_date=DAY + dt.timedelta(days=day), time_precision=tp, disorder_type="Political violence",
        event_type=etype, sub_event_type=sub, actor1=a1, inter1=1, interaction=12, iso=iso,
        region="Caucasus and Central Asia", country=country, location=name, latitude=lat, longitude=lon,
        geo_precision=1, notes=f"note {key}", fatalities=0, source_keys=(key,),
        evidence=(Evidence(key, "s", start, start + 1),), actor2=a2, inter2=2,
    )


@pytest.fixture(scope="module")
def publishers():
    return Publishers.load()


def corpus():
    """Events of five made-up articles: a clash reported by a, b, c; an agreement by c, d;
    a protest in Armenia by e; a shelling by d; a clash far away by b."""
    far = ("Faraway", 42.0, 47.0)
    return {
        "a": [ev("a")],
        "b": [ev("b", day=1, tp=2), ev("b", town=far, start=5)],
        "c": [ev("c"), ev("c", etype="Strategic developments", sub="Agreement", start=9)],
        "d": [ev("d", etype="Strategic developments", sub="Agreement", a1=ART, a2=AZE),
              ev("d", etype="Explosions/Remote violence", sub="Shelling/artillery/missile attack", start=3)],
        "e": [ev("e", etype="Protests", sub="Peaceful protest", country="Armenia", iso=51,
                 town=("Yerevan", 40.18, 44.51), a1="Protesters (Armenia)", a2="")],
    }


def build(keys, register, publishers):
    events = [e for k in keys for e in corpus()[k]]
    return register.assign(merge_events(events, {}, publishers))


@pytest.mark.parametrize("left_out", list("abcde"))
def test_ids_survive_adding_an_article(tmp_path, publishers, left_out):
    path = tmp_path / "event_ids.csv"
    register = IdRegister.load(path)
    assert len(register) == 0
    before = build([k for k in "abcde" if k != left_out], register, publishers)
    register.save(path)
    after = build("abcde", IdRegister.load(path), publishers)
    ids_after = {e.event_id_cnty: e for e in after}
    for old in before:
        assert old.event_id_cnty in ids_after, old
        new = ids_after[old.event_id_cnty]
        assert new.event_type == old.event_type
        assert set(old.source_keys) <= set(new.source_keys)
    assert len({e.event_id_cnty for e in after}) == len(after)


def test_id_form_and_numbering(publishers):
    rows = build("abcde", IdRegister(), publishers)
    ids = [e.event_id_cnty for e in rows]
    assert all(re.fullmatch(r"[A-Z]{3}[1-9][0-9]*", i) for i in ids)
    assert sorted(i for i in ids if i.startswith("AZE")) == ["AZE1", "AZE2", "AZE3", "AZE4"]
    assert [i for i in ids if i.startswith("ARM")] == ["ARM1"]
    # numbers follow dates within a country
    aze = sorted((int(e.event_id_cnty[3:]), e.event_date) for e in rows if e.country == "Azerbaijan")
    assert [d for _n, d in aze] == sorted(d for _n, d in aze)


def test_rebuilding_the_same_input_gives_the_same_ids(tmp_path, publishers):
    path = tmp_path / "event_ids.csv"
    register = IdRegister.load(path)
    first = build("abcde", register, publishers)
    register.save(path)
    text = path.read_text()
    again = IdRegister.load(path)
    second = build("abcde", again, publishers)
    again.save(path)
    assert first == second
    assert path.read_text() == text


def test_ids_do_not_depend_on_input_order(publishers):
    events = [e for k in "abcde" for e in corpus()[k]]
    expected = IdRegister().assign(merge_events(events, {}, publishers))
    rng = random.Random(3)
    for _ in range(3):
        rng.shuffle(events)
        assert IdRegister().assign(merge_events(events, {}, publishers)) == expected


def test_new_numbers_continue_after_the_register(tmp_path, publishers):
    register = IdRegister()
    build("a", register, publishers)
    later = build("abcde", register, publishers)
    clash = next(e for e in later if "a" in e.source_keys)
    assert clash.event_id_cnty == "AZE1"
    assert {e.event_id_cnty for e in later if e.country == "Azerbaijan"} == {"AZE1", "AZE2", "AZE3", "AZE4"}


def test_an_id_rests_when_its_event_is_gone_and_is_never_reused(publishers):
    register = IdRegister()
    build("e", register, publishers)
    assert [e.event_id_cnty for e in build("a", register, publishers)] == ["AZE1"]
    other = build("a", IdRegister(register.entries), publishers)
    assert other[0].event_id_cnty == "AZE1"
    protest_elsewhere = ev("f", etype="Protests", sub="Peaceful protest", country="Armenia", iso=51,
                           town=("Gyumri", 40.79, 43.85), a1="Protesters (Armenia)", a2="")
    assert register.assign([protest_elsewhere])[0].event_id_cnty == "ARM2"


def test_a_duplicate_article_changes_no_id(publishers):
    events = [e for k in "abcde" for e in corpus()[k]]
    copies = [replace(e, source_keys=("zz",), evidence=(replace(e.evidence[0], source_key="zz"),)) for e in corpus()["c"]]
    plain = IdRegister().assign(merge_events(events, {}, publishers))
    with_copy = IdRegister().assign(merge_events(events + copies, {}, publishers, duplicates={"zz": "c"}))
    assert [e.event_id_cnty for e in plain] == [e.event_id_cnty for e in with_copy]
    assert sum("zz" in e.source_keys for e in with_copy) == 2


def test_missing_register_is_empty_and_bad_register_is_reported(tmp_path):
    assert len(IdRegister.load(tmp_path / "nope.csv")) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id_cnty,number\nAZE1,1\n")
    with pytest.raises(InputError, match="lacks columns"):
        IdRegister.load(bad)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, publishers):
    register = IdRegister()
    build("abcde", register, publishers)
    register.save(tmp_path / "sub" / "event_ids.csv")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["event_ids.csv"]


@pytest.mark.parametrize(
    "iso, country, code",
    [(31, "Azerbaijan", "AZE"), (51, "Armenia", "ARM"), (804, "Ukraine", "UKR"), (0, "Kosovo", "XKX"),
     (0, "Palestine", "PSE"), (887, "Yemen", "YEM"), (40, "Austria", "AUT")],
)
def test_iso3(iso, country, code):
    assert iso3(iso, country) == code


# -- property: ids follow their events ----------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SUBS = ["Armed clash", "Government regains territory"]
TOWNS = [("Alpha", 40.0, 47.0), ("Bravo", 40.045, 47.0), ("Faraway", 42.0, 47.0)]
ACTORS = [(AZE, ART), (ART, ""), ("Military Forces of Russia (2000-)", ""), ("", "")]
REPORTS = st.builds(
    lambda key, day, tp, sub, town, actors, start: ev(key, day=day, tp=tp, sub=sub, town=town, a1=actors[0], a2=actors[1], start=start),
    st.sampled_from(list("abcde")), st.integers(0, 9), st.sampled_from([1, 2]), st.sampled_from(SUBS),
    st.sampled_from(TOWNS), st.sampled_from(ACTORS), st.integers(0, 50),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(REPORTS, max_size=14, unique_by=lambda r: r.evidence), st.sampled_from(list("abcde")))
def test_ids_are_kept_through_the_register_file(tmp_path_factory, publishers, reports, added):
    """A rebuild of the same articles gives every row its id again (through the file), and
    an article reporting only events elsewhere changes no earlier id."""
    path = tmp_path_factory.mktemp("ids") / "event_ids.csv"
    register = IdRegister.load(path)
    first = register.assign(merge_events(reports, {}, publishers))
    register.save(path)
    assert IdRegister.load(path).assign(merge_events(reports[::-1], {}, publishers)) == first
    elsewhere = [replace(r, country="Armenia", iso=51, source_keys=(r.source_keys[0] + "2",),
                         evidence=(replace(r.evidence[0], source_key=r.source_keys[0] + "2"),)) for r in reports if added in r.source_keys]
    again = IdRegister.load(path).assign(merge_events(reports + elsewhere, {}, publishers))
    assert [e for e in again if e.country == "Azerbaijan"] == list(first)
    assert len({e.event_id_cnty for e in again}) == len(again)


# -- matching: groups and the clearly best matching ------------------------------------------

from hypothesis import given, settings, strategies as st

from etl.ids import _assignment, _solved_matching, candidate_groups, clear_best_matching


def _plain_assignment(edges, full, numbers):
    """The definition ``_assignment`` must equal: scipy's solver on every group of 2+ edges."""
    taken = {}
    for own in candidate_groups(edges):
        taken.update(dict(own) if len(own) == 1 else _solved_matching(own, edges, full, numbers))
    return taken


def test_candidate_groups_joins_events_through_shared_ids():
    edges = [(0, "A1"), (1, "A2"), (2, "A1"), (3, "A3"), (2, "A2")]
    assert candidate_groups(edges) == [[(0, "A1"), (1, "A2"), (2, "A1"), (2, "A2")], [(3, "A3")]]


def test_clear_best_matching_prefers_more_pairs_then_lower_cost():
    # one pair (0, A1) is cheapest alone, but two pairs beat one
    edges = {(0, "A1"): -5.0, (0, "A2"): 1.0, (1, "A1"): 2.0}
    assert clear_best_matching(edges) == {0: "A2", 1: "A1"}
    assert clear_best_matching({(0, "A1"): 1.0, (0, "A2"): 3.0}) == {0: "A1"}


def test_clear_best_matching_leaves_ties_to_the_solver():
    assert clear_best_matching({(0, "A1"): 1.0, (0, "A2"): 1.0}) is None
    assert clear_best_matching({(0, "A1"): 1.0, (1, "A2"): 1.0, (0, "A2"): 1.0, (1, "A1"): 1.0}) is None


def test_clear_best_matching_leaves_large_groups_to_the_solver():
    edges = {(i, f"A{j}"): float(i * j % 7) for i in range(8) for j in range(8)}
    assert clear_best_matching(edges) is None


@st.composite
def edge_sets(draw):
    events = draw(st.integers(1, 6))
    ids = draw(st.integers(1, 6))
    pairs = draw(st.sets(st.tuples(st.integers(0, events - 1), st.integers(1, ids)), min_size=1, max_size=events * ids))
    costs = st.one_of(st.sampled_from([-4.5, -4.25, 0.0, 1.0, 96.75, 199.5, 299.5]), st.floats(-50, 450))
    return {(i, f"AZE{j}"): draw(costs) for i, j in sorted(pairs)}, events, ids


@settings(max_examples=300, deadline=None)
@given(edge_sets(), st.randoms(use_true_random=False))
def test_assignment_equals_the_solver_on_every_group(drawn, rnd):
    edges, events, ids = drawn
    full = [f"{rnd.random():.6f}" for _ in range(events)]
    numbers = {f"AZE{j}": j for j in range(1, ids + 1)}
    assert _assignment(edges, full, numbers) == _plain_assignment(edges, full, numbers)

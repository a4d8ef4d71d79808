"""Cross-article merge: one event, one row (events are built by hand here)."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.merge import actor_key, merge_events, same_event, Identity
from etl.records import Event, Evidence
from etl.sources import Publishers

AZE = "Military Forces of Azerbaijan (2003-)"
ART = "Military Forces of Artsakh (2007-)"
RUS = "Military Forces of Russia (2000-)"
DAY = dt.date(2031, 5, 14)
# Two made-up towns 5 km apart, and a third 200 km away.
TOWN_A = ("Alpha", 40.00, 47.00)
TOWN_B = ("Bravo", 40.045, 47.00)
TOWN_FAR = ("Faraway", 41.80, 47.00)


@pytest.fixture(scope="module")
def publishers() -> Publishers:
    return Publishers.load()


def ev(
    key: str,
    *,
    date: dt.date = DAY,
    tp: int = 1,
    etype: str = "Battles",
    sub: str = "Armed clash",
    a1: str = AZE,
    a2: str = ART,
    town: tuple[str, float, float] = TOWN_A,
    gp: int = 1,
    admin1: str = "Province One",
    fatalities: int = 0,
    notes: str = "",
    country: str = "Azerbaijan",
    start: int = 0,
) -> Event:
    name, lat, lon = town
    return Event(
        event_date=date,
        time_precision=tp,
        disorder_type="Political violence",
        event_type=etype,
        sub_event_type=sub,
        actor1=a1,
        inter1=1,
        interaction=12,
        iso=31 if country == "Azerbaijan" else 51,
        region="Caucasus and Central Asia",
        country=country,
        location=name,
        latitude=lat,
        longitude=lon,
        geo_precision=gp,
        notes=notes or f"On {date:%d %B %Y}, an event was coded from article {key}.",
        fatalities=fatalities,
        source_keys=(key,),
        evidence=(Evidence(key, f"sentence of {key}", start, start + 20),),
        actor2=a2,
        inter2=2,
        admin1=admin1,
    )


def merged(events, publishers, by_key=None, **kw):
    return merge_events(events, by_key or {}, publishers, **kw)


def test_five_agreements_from_five_articles_make_one_row(publishers):
    towns = [TOWN_A, TOWN_B, TOWN_A, TOWN_FAR, TOWN_A]
    events = [
        ev(f"k{i}", etype="Strategic developments", sub="Agreement", town=t, gp=3 if i == 3 else 1,
           a1=(AZE, ART)[i % 2], a2=(ART, AZE)[i % 2])
        for i, t in enumerate(towns)
    ]
    rows = merged(events, publishers)
    assert len(rows) == 1
    assert rows[0].source_keys == ("k0", "k1", "k2", "k3", "k4")
    assert rows[0].geo_precision == 1 and rows[0].location == "Alpha"
    assert len(rows[0].evidence) == 5


@pytest.mark.parametrize(
    "second, expected_rows",
    [
        (dict(date=DAY + dt.timedelta(days=1), tp=2), 1),  # a day apart, precision 2
        (dict(date=DAY + dt.timedelta(days=1), tp=1), 2),  # a day apart, both exact
        (dict(date=DAY + dt.timedelta(days=9), tp=2), 2),  # too far for a week
        (dict(date=DAY.replace(day=1), tp=3), 1),  # same month, precision 3
        (dict(date=dt.date(2031, 6, 1), tp=3), 2),  # other month
        (dict(town=TOWN_B), 1),  # 5 km away
        (dict(town=TOWN_FAR), 2),  # 200 km away
        (dict(town=("Alpha", 40.3, 47.3)), 1),  # same name, other point 40 km off
        (dict(town=("Alpha", 43.0, 47.0), admin1="Province Two"), 2),  # a namesake far away
        (dict(town=TOWN_FAR, gp=3, admin1="Province One"), 1),  # region-level, same admin1
        (dict(town=TOWN_FAR, gp=3, admin1="Province Two"), 2),  # region-level, other admin1
        (dict(a1=ART, a2=AZE), 1),  # same actors in the other order
        (dict(a1="Military Forces of Azerbaijan", a2=""), 1),  # years dropped, overlap
        (dict(a1="Government of Azerbaijan", a2=""), 1),  # state of one country
        (dict(a1="Unidentified Armed Group (Azerbaijan)", a2=""), 1),  # unknown side
        (dict(a1=RUS, a2="Military Forces of Georgia"), 2),  # disjoint actors
        (dict(a1=AZE, a2=""), 1),  # A-? fits A-B
        (dict(a1="", a2=ART), 1),  # ?-B fits A-B
        (dict(a1=RUS, a2=""), 2),  # C-? does not fit A-B
        (dict(a1="Unidentified Armed Group (Azerbaijan)", a2=RUS), 2),  # ?-C does not fit A-B
        (dict(a1="Unidentified Armed Group (Azerbaijan)", a2=ART), 1),  # ?-B fits A-B
        (dict(sub="Government regains territory"), 2),  # clash vs territory change: other granularity
        (dict(sub="Non-state actor overtakes territory"), 2),
        (dict(etype="Battles", sub="Armed clash"), 1),
        (dict(etype="Explosions/Remote violence", sub="Shelling/artillery/missile attack"), 2),
        (dict(country="Armenia"), 2),
    ],
)
def test_when_two_reports_are_one_event(publishers, second, expected_rows):
    first = ev("a", tp=second.get("tp", 1) if "date" in second else 1)
    rows = merged([first, ev("b", **second)], publishers)
    assert len(rows) == expected_rows
    assert sorted(k for r in rows for k in r.source_keys) == ["a", "b"]


@pytest.mark.parametrize(
    "first, second, expected_rows",
    [
        # agreements: same place, parties named differently by each report -> one
        (dict(a1=AZE, a2=ART), dict(a1=RUS, a2="Civilians (Azerbaijan)"), 1),
        # shared party, reports place it in different cities -> one
        (dict(a1=AZE, a2=ART), dict(a1=ART, a2="", town=TOWN_FAR), 1),
        # different parties in different places -> two
        (dict(a1=AZE, a2=ART), dict(a1=RUS, a2="", town=TOWN_FAR), 2),
        # a day apart, both exact -> two
        (dict(), dict(date=DAY + dt.timedelta(days=1)), 2),
        # an "Other" development by one party elsewhere the same day is not the agreement
        (dict(), dict(sub="Other", a1=AZE, a2="", town=TOWN_FAR), 2),
        # ... but the general case of it, at its place, is
        (dict(), dict(sub="Other", a1=AZE, a2=""), 1),
    ],
)
def test_agreements(publishers, first, second, expected_rows):
    agreement = dict(etype="Strategic developments", sub="Agreement")
    second = {**agreement, **second}
    rows = merged([ev("a", **agreement, **first), ev("b", **second)], publishers)
    assert len(rows) == expected_rows


def test_single_actors_that_differ_do_not_fit(publishers):
    rows = merged([ev("a", a1=AZE, a2=""), ev("b", a1=ART, a2="")], publishers)
    assert len(rows) == 2


def test_unidentified_shelling_matches_named_shelling(publishers):
    shelling = dict(etype="Explosions/Remote violence", sub="Shelling/artillery/missile attack", tp=2)
    named = ev("a", a1=AZE, a2="", **shelling)
    unnamed = ev("b", a1="Unidentified Armed Group (Azerbaijan)", a2="Civilians (Azerbaijan)", fatalities=30, **shelling)
    rows = merged([named, unnamed], publishers)
    assert len(rows) == 1 and rows[0].actor1 == AZE and rows[0].fatalities == 30


@pytest.mark.parametrize(
    "assoc_a, assoc_b, expected_rows",
    [
        ("Party One", "Party Two", 2),  # two parties' protests
        ("Party One", "Party One; Union", 1),
        ("Party One", "", 1),  # one report does not say who
    ],
)
def test_associated_actors_tell_protests_apart(publishers, assoc_a, assoc_b, expected_rows):
    protest = dict(etype="Protests", sub="Peaceful protest", a1="Protesters (Azerbaijan)", a2="")
    events = [replace(ev("a", **protest), assoc_actor_1=assoc_a), replace(ev("b", **protest), assoc_actor_1=assoc_b)]
    assert len(merged(events, publishers)) == expected_rows


def test_battle_a_day_apart_keeps_the_precise_date(publishers):
    rows = merged([ev("a", tp=2), ev("b", date=DAY + dt.timedelta(days=1), tp=1)], publishers)
    assert len(rows) == 1
    assert (rows[0].event_date, rows[0].time_precision) == (DAY + dt.timedelta(days=1), 1)


@pytest.mark.parametrize(
    "subs, expected",
    [
        (["Armed clash", "Armed clash"], "Armed clash"),
        (["Government regains territory", "Government regains territory"], "Government regains territory"),
        (["Other", "Other", "Agreement"], "Agreement"),  # "Other" says least
    ],
)
def test_sub_type_of_a_merged_row(publishers, subs, expected):
    etype = "Strategic developments" if "Other" in subs else "Battles"
    rows = merged([ev(f"k{i}", etype=etype, sub=s) for i, s in enumerate(subs)], publishers)
    assert [r.sub_event_type for r in rows] == [expected]


def test_shelling_and_protest_same_day_and_place_stay_two(publishers):
    shelling = ev("a", etype="Explosions/Remote violence", sub="Shelling/artillery/missile attack")
    protest = ev("b", etype="Protests", sub="Peaceful protest", a1="Protesters (Azerbaijan)", a2="")
    protest_same_article = replace(protest, source_keys=("a",), evidence=(Evidence("a", "x", 50, 60),))
    assert len(merged([shelling, protest], publishers)) == 2
    assert len(merged([shelling, protest_same_article], publishers)) == 2


def test_fatalities_disagree_lowest_figure_with_note(publishers):
    rows = merged([ev("a", fatalities=12, notes="N12."), ev("b", fatalities=10, notes="N10."), ev("c")], publishers)
    assert len(rows) == 1
    row = rows[0]
    assert row.fatalities == 10
    assert row.notes.startswith("N10.")
    assert "10 and 12" in row.notes and "lowest" in row.notes
    assert row.notes.count("N1") == 1  # one note, not pasted sentences


def test_no_figure_is_not_a_zero(publishers):
    rows = merged([ev("a", fatalities=7), ev("b", fatalities=0)], publishers)
    assert rows[0].fatalities == 7
    assert "vary" not in rows[0].notes


def test_same_article_events_are_not_merged_unless_identical(publishers):
    one = ev("a", start=0)
    other_day = ev("a", date=DAY + dt.timedelta(days=1), tp=2, start=100)
    near = ev("a", town=TOWN_B, start=200)
    identical = ev("a", start=300)
    assert len(merged([one, near], publishers)) == 2
    assert len(merged([one, other_day], publishers)) == 2
    rows = merged([one, identical], publishers)
    assert len(rows) == 1 and len(rows[0].evidence) == 2


def test_a_bridge_article_cannot_join_two_events_of_one_article(publishers):
    # Article a reports two clashes 5 km apart; article b reports one clash between them.
    events = [ev("a", town=TOWN_A, start=0), ev("a", town=TOWN_B, start=100), ev("b", town=("Mid", 40.02, 47.0))]
    rows = merged(events, publishers)
    assert len(rows) == 2
    assert sorted(r.source_keys for r in rows) == [("a",), ("a", "b")]


def test_single_sourced_events_stay_single_and_get_source(publishers):
    rows = merged([ev("a"), ev("b", town=TOWN_FAR)], publishers, {"a": "Reuters", "b": "Daily Sabah"})
    assert [(r.source_keys, r.source, r.source_scale) for r in rows] == [
        (("a",), "Reuters", "International"),
        (("b",), "Daily Sabah", "Regional"),
    ]


def test_source_lists_publishers_in_key_order_once(publishers):
    by_key = {"a": "TRT World", "b": "The Associated Press", "c": None, "d": "Reuters", "e": "AP"}
    rows = merged([ev(k) for k in "abcde"], publishers, by_key)
    assert rows[0].source == "TRT World; Associated Press; Reuters"
    assert rows[0].source_scale == "International"


def test_duplicate_article_changes_nothing_but_source_keys(publishers):
    original = [ev("a", fatalities=3, notes="Original note."),
                ev("a", etype="Protests", sub="Peaceful protest", a1="Protesters (Azerbaijan)", a2="", start=40)]
    copy = [replace(e, source_keys=("z",), evidence=(replace(e.evidence[0], source_key="z"),)) for e in original]
    # The near-copy also yields an event of its own (a changed sentence): it must not add a row.
    extra = ev("z", etype="Riots", sub="Mob violence", start=70)
    others = [ev("b", fatalities=5)]
    by_key = {"a": "Reuters", "z": "Some Other Paper", "b": "Daily Sabah"}
    alone = merged(original + others, publishers, by_key)
    with_copy = merged(original + copy + [extra] + others, publishers, by_key, duplicates={"z": "a"})
    assert len(with_copy) == len(alone) == 2
    for before, after in zip(alone, with_copy):
        assert after.source_keys == tuple(sorted(set(before.source_keys) | {"z"}))
        assert {e.source_key for e in after.evidence} == set(after.source_keys)
        assert replace(after, source_keys=before.source_keys, evidence=before.evidence) == before
    # Without the copy's events nothing is attached: keys only come with evidence.
    assert merged(original + others, publishers, by_key, duplicates={"z": "a"}) == alone


def test_order_does_not_matter(publishers):
    events = [
        ev("a", fatalities=4), ev("b", date=DAY + dt.timedelta(days=2), tp=2, fatalities=5),
        ev("c", town=TOWN_B), ev("c", etype="Protests", sub="Peaceful protest", a1="Protesters (Azerbaijan)", a2="", start=9),
        ev("d", etype="Strategic developments", sub="Agreement"), ev("e", etype="Strategic developments", sub="Other", a1=AZE, a2=""),
        ev("f", town=TOWN_FAR), ev("g", town=TOWN_FAR, date=DAY + dt.timedelta(days=3), tp=2),
    ]
    by_key = {k: "Reuters" for k in "abcdefg"}
    expected = merged(events, publishers, by_key)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert merged(shuffled, publishers, by_key) == expected


def test_identity_symmetry():
    a = Identity.of(ev("a"))
    b = Identity.of(ev("b", a1=ART, a2=AZE, tp=2, date=DAY + dt.timedelta(days=3)))
    assert same_event(a, b) == same_event(b, a)


@pytest.mark.parametrize(
    "name, key",
    [
        ("Military Forces of Azerbaijan (2003-)", "state of azerbaijan"),
        ("Police Forces of Azerbaijan (2003-)", "state of azerbaijan"),
        ("Protesters (Armenia)", "protesters (armenia)"),
        ("Unidentified Armed Group (Azerbaijan)", "?"),
        ("", ""),
    ],
)
def test_actor_key(name, key):
    assert actor_key(name) == key


KEYS = st.sampled_from(list("abcdef"))
EVENTS = st.builds(
    lambda key, day, tp, sub, town, actors, fat, start: ev(
        key, date=DAY + dt.timedelta(days=day), tp=tp, sub=sub, town=town, a1=actors[0], a2=actors[1], fatalities=fat, start=start
    ),
    KEYS,
    st.integers(0, 20),
    st.sampled_from([1, 2, 3]),
    st.sampled_from(["Armed clash", "Government regains territory", "Non-state actor overtakes territory"]),
    st.sampled_from([TOWN_A, TOWN_B, TOWN_FAR]),
    st.sampled_from([(AZE, ART), (ART, AZE), (RUS, ""), ("", "")]),
    st.integers(0, 20),
    st.integers(0, 3),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EVENTS, max_size=12))
def test_merge_never_loses_a_key_nor_adds_rows(publishers, events):
    rows = merge_events(events, {}, publishers)
    assert len(rows) <= len(events)
    assert {k for e in events for k in e.source_keys} == {k for r in rows for k in r.source_keys}
    for row in rows:
        assert list(row.source_keys) == sorted(set(row.source_keys))
        figures = [e.fatalities for e in events if set(e.source_keys) <= set(row.source_keys) and e.fatalities]
        assert row.fatalities <= max(figures, default=0)
    assert merge_events(list(reversed(events)), {}, publishers) == rows


def test_note_date_and_figure_come_from_one_report(publishers):
    # Two week-precision reports a day apart, equally precise: the row takes the day of
    # the report that gives the coded figure, and that report's note.
    early = ev("a", date=DAY, tp=2, notes="Early note.")
    late = ev("b", date=DAY + dt.timedelta(days=1), tp=2, fatalities=4, notes="Late note, 4 killed.")
    (row,) = merged([early, late], publishers)
    assert (row.event_date, row.fatalities, row.notes) == (DAY + dt.timedelta(days=1), 4, "Late note, 4 killed.")


def test_note_without_the_figure_says_where_it_comes_from(publishers):
    exact = ev("a", notes="Exact note. Fatalities unknown.")
    vague = ev("b", date=DAY + dt.timedelta(days=2), tp=2, fatalities=6, notes="Vague note.")
    (row,) = merged([exact, vague], publishers)
    assert (row.event_date, row.time_precision, row.fatalities) == (DAY, 1, 6)
    assert row.notes == "Exact note. Fatalities unknown. Another source reports 6 fatalities."


def test_a_copy_finds_its_original_row_by_sentence_even_on_another_day(publishers):
    original = ev("a", tp=1, notes="Original.")
    # The copy lacks the manifest's date, so its relative date resolved a week later.
    copy = replace(ev("z", date=DAY + dt.timedelta(days=8), tp=1), evidence=(Evidence("z", "sentence of a", 5, 25),))
    unrelated = replace(ev("z", etype="Riots", sub="Mob violence"), evidence=(Evidence("z", "another", 50, 60),))
    (row,) = merged([original, copy, unrelated], publishers, duplicates={"z": "a"})
    assert row.source_keys == ("a", "z")
    assert row.event_date == DAY and row.notes == "Original."
    assert Evidence("z", "sentence of a", 5, 25) in row.evidence


def _greedy_all_at_once(identities, rules):
    """The plain definition: every candidate pair of the whole set, best first, complete linkage."""
    from etl.merge import candidate_pairs, pair_cost

    pairs = sorted((pair_cost(identities[i], identities[j]), i, j) for i, j in candidate_pairs(identities, rules)
                   if same_event(identities[i], identities[j], rules))
    group_of = {i: [i] for i in range(len(identities))}
    for _cost, i, j in pairs:
        gi, gj = group_of[i], group_of[j]
        if gi is gj or {k for x in gi for k in identities[x].source_keys} & {k for y in gj for k in identities[y].source_keys}:
            continue
        if all(same_event(identities[x], identities[y], rules) for x in gi for y in gj):
            gi.extend(gj)
            for y in gj:
                group_of[y] = gi
    return sorted({id(g): sorted(g) for g in group_of.values()}.values())


SPREAD_EVENTS = st.builds(
    lambda key, day, tp, sub, town, actors: ev(
        key, date=DAY + dt.timedelta(days=day), tp=tp, sub=sub, town=town, a1=actors[0], a2=actors[1]
    ),
    st.sampled_from(list("abcdefghij")),
    st.integers(0, 120),
    st.sampled_from([1, 2, 2, 3]),
    st.sampled_from(["Armed clash", "Armed clash", "Government regains territory"]),
    st.sampled_from([TOWN_A, TOWN_B, TOWN_FAR]),
    st.sampled_from([(AZE, ART), (ART, AZE), (RUS, ""), ("", "")]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(SPREAD_EVENTS, max_size=40), st.sampled_from([1, 2, 5]))
def test_grouping_a_few_weeks_at_a_time_equals_grouping_all_at_once(events, weeks_per_block):
    from etl.merge import MergeRules, _group

    rules = MergeRules()
    identities = sorted((Identity.of(e) for e in events), key=lambda i: (i.event_date, sorted(i.source_keys), i.location))
    assert _group(identities, rules, weeks_per_block=weeks_per_block) == _greedy_all_at_once(identities, rules)


def test_grouping_needs_reports_in_date_order():
    from etl.merge import MergeRules, _group

    later, earlier = Identity.of(ev("a", date=DAY + dt.timedelta(days=30))), Identity.of(ev("b"))
    with pytest.raises(ValueError):
        _group([later, earlier], MergeRules())


# Reports anywhere on a small map (cells 1 degree wide), of any precision, in or out of
# an admin1, some of them place-free (an Agreement).
MAP_EVENTS = st.builds(
    lambda key, day, tp, gp, sub, where, admin1: ev(
        key, date=DAY + dt.timedelta(days=day), tp=tp, gp=gp, admin1=admin1,
        etype="Strategic developments" if sub == "Agreement" else "Battles", sub=sub,
        town=(f"Town {where[0]:.1f} {where[1]:.1f}", where[0], where[1]),
    ),
    st.sampled_from(list("abcdefghij")),
    st.integers(0, 60),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([1, 2, 3]),
    st.sampled_from(["Armed clash", "Agreement"]),
    st.tuples(st.sampled_from([40.2, 40.9, 41.5, 42.4, 43.7]), st.sampled_from([46.5, 47.5, 48.9])),
    st.sampled_from(["", "Province One", "Province Two"]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(SPREAD_EVENTS, MAP_EVENTS), max_size=40))
def test_block_pairs_found_by_codes_are_those_of_the_definition(events):
    from etl.merge import MergeRules, _BlockKeys, _block_pairs, _week

    rules = MergeRules()
    identities = sorted((Identity.of(e) for e in events), key=lambda i: (i.event_date, sorted(i.source_keys), i.location))
    weeks = [_week(i.event_date) for i in identities]
    stop = len(identities)
    for start in range(stop + 1):
        for context in sorted({0, start // 2, start}):
            lo, hi = _BlockKeys(identities, rules).pairs(start, stop, context)
            assert list(zip(lo, hi)) == sorted(_block_pairs(identities, weeks, start, stop, context, rules))

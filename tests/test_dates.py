"""DateFinder: reference dates and date mentions, resolved against the reference."""
from __future__ import annotations

import datetime as dt
import functools
from functools import lru_cache

import pytest
from hypothesis import given, settings, strategies as st

from etl.dates import DateFinder
from etl.records import Article, DateValue, ReferenceDate
from etl.sentences import Splitter

D = dt.date
# A Wednesday.
WED = ReferenceDate(D(2024, 3, 13), "manifest")


@lru_cache(maxsize=1)
def finder() -> DateFinder:
    return DateFinder.load()


@lru_cache(maxsize=1)
def splitter() -> Splitter:
    return Splitter.load()


def sentences(text: str):
    return splitter()(Article(key="k", file="k.txt", text=text, sha256=""))


def dates(text: str, ref: ReferenceDate = WED) -> list[tuple[str, DateValue]]:
    sents = sentences(text)
    out = []
    for m in finder()(sents, ref):
        assert m.kind == "date"
        assert m.text == text[m.start:m.end]
        assert sents[m.sentence].start <= m.start < m.end <= sents[m.sentence].end
        out.append((m.text, m.value))
    return out


def only(text: str, ref: ReferenceDate = WED) -> DateValue:
    found = dates(text, ref)
    assert len(found) == 1, found
    return found[0][1]


@pytest.mark.parametrize(
    "text, date, precision",
    [
        # explicit, with year
        ("Fighters of the RSF entered El Fasher on 10 May 2024, residents said.", D(2024, 5, 10), 1),
        ("The convoy was ambushed on March 3, 2023 near Kidal.", D(2023, 3, 3), 1),
        ("The offensive began on the 24th of February 2022.", D(2022, 2, 24), 1),
        ("The ministry's bulletin dated 2024-02-28 listed the names.", D(2024, 2, 28), 1),
        ("A decree signed on 28/02/2024 extended the curfew.", D(2024, 2, 28), 1),
        ("Protesters gathered in Bogotá on Friday, March 8, 2024.", D(2024, 3, 8), 1),
        # explicit, without year: reference year, or the year before when far ahead
        ("Troops retook the village on Sept. 20, the army said.", D(2023, 9, 20), 1),
        ("The market in Maiduguri was bombed on 20 Sept by two attackers.", D(2023, 9, 20), 1),
        ("Clashes broke out on 2 March in Rakhine state.", D(2024, 3, 2), 1),
        ("Militants attacked Djibo on March 11.", D(2024, 3, 11), 1),
        ("Voting is scheduled for April 2.", D(2024, 4, 2), 1),
        ("Thousands had fled by December 30, aid groups said.", D(2023, 12, 30), 1),
        ("The ceasefire took effect on March, 12 at noon.", D(2024, 3, 12), 1),
        ("A curfew was imposed on Monday 4 March in Port Sudan.", D(2024, 3, 4), 1),
        ("The decree of 12/02/2024 remains in force.", D(2024, 2, 12), 1),
        ("The decree of 25/10/2023 remains in force.", D(2023, 10, 25), 1),
        # months and years
        ("Fighting in Rafah intensified in mid-February.", D(2024, 2, 1), 3),
        ("The town changed hands in January.", D(2024, 1, 1), 3),
        ("Shelling intensified in late November 2023.", D(2023, 11, 1), 3),
        ("The group has controlled the area since 2014.", D(2014, 1, 1), 3),
        ("The region saw famine in the 1980s.", D(1980, 1, 1), 3),
        ("Civil war raged from 1991 to 2002 in Sierra Leone.", D(1991, 1, 1), 3),
        ("Elections held in 2020 were disputed.", D(2020, 1, 1), 3),
        # relative
        ("Gunmen killed two herders yesterday in Plateau state.", D(2024, 3, 12), 1),
        ("Police dispersed a march in Caracas today.", D(2024, 3, 13), 1),
        ("Drones struck Odesa overnight, the governor said.", D(2024, 3, 13), 1),
        ("A similar raid happened a day earlier in Jenin.", D(2024, 3, 12), 1),
        ("The bodies were found two days ago near Culiacán.", D(2024, 3, 11), 1),
        ("Eleven strikes hit Gaza in the past 24 hours, the ministry said.", D(2024, 3, 13), 2),
        ("Guerrillas clashed with troops in Cauca over the weekend.", D(2024, 3, 9), 2),
        ("The two sides have fought over the valley for decades.", D(2014, 1, 1), 3),
        ("Dozens were detained last week in Kampala.", D(2024, 3, 4), 2),
        ("Strikes have hit Gaza City this week.", D(2024, 3, 11), 2),
        ("The junta dissolved parties last month.", D(2024, 2, 1), 3),
        ("Attacks rose earlier this month across the Sahel.", D(2024, 3, 1), 3),
        ("The militia seized the mine last year.", D(2023, 1, 1), 3),
        # weekdays: the latest such day on or before the reference ...
        ("Insurgents overran a base in Kachin on Monday.", D(2024, 3, 11), 1),
        ("Wednesday's bombing killed a soldier.", D(2024, 3, 13), 1),
        ("Residents said Thursday's raid lasted hours.", D(2024, 3, 7), 1),
        ("Rebels said on Sunday they had taken the town.", D(2024, 3, 10), 1),
        ("Officials announced Thursday that aid had arrived.", D(2024, 3, 7), 1),
        # ... or the NEXT one when the clause is about the future
        ("Talks will be held on Thursday in Doha.", D(2024, 3, 14), 1),
        ("Both delegations said a new round would take place Friday in Jeddah.", D(2024, 3, 15), 1),
        ("A funeral is to be held on Saturday.", D(2024, 3, 16), 1),
        ("The summit is expected to open on Wednesday.", D(2024, 3, 20), 1),
        ("Parliament meets again next Tuesday.", D(2024, 3, 19), 1),
        ("The bridge was blown up last Friday.", D(2024, 3, 8), 1),
        ("Militants struck late on Tuesday night near Mopti.", D(2024, 3, 12), 1),
    ],
)
def test_mentions(text, date, precision):
    value = only(text)
    assert (value.date, value.precision) == (date, precision)


def test_reporting_day_and_planned_day_in_one_sentence():
    got = dates("The army said on Monday it would hold a parade on Friday.")
    assert [v.date for _, v in got] == [D(2024, 3, 11), D(2024, 3, 15)]


@pytest.mark.parametrize(
    "text",
    [
        "The ceasefire starts at 13:00 local time.",
        "A second blast was heard at 1.00 pm.",
        "The curfew runs from 2000 GMT until dawn.",
        "Around 1500 people marched in Lima.",
        "More than 2,000 troops were sent to Cabo Delgado.",
        "Police said 2000 protesters blocked the highway.",
        "The soldiers may march into the capital.",
        "The score was 3-1 after extra time.",
        "At least 20 people died, while 12 were hurt.",
        "A 2000-strong contingent was deployed.",
        # ambiguous numeric dates are left out
        "A ruling dated 04/05/2021 was quoted.",
    ],
)
def test_not_dates(text):
    assert dates(text) == []


@pytest.mark.parametrize(
    "text",
    ["Soldiers opened fire on Tuesday in Nyala.", "Soldiers opened fire yesterday in Nyala.",
     "The militia seized the mine last month.", "The town fell three weeks ago."],
)
def test_relative_dates_need_a_day_level_reference(text):
    assert dates(text, ReferenceDate(None, "none")) == []
    assert dates(text, ReferenceDate(D(2023, 1, 1), "text-year")) == []


def test_year_only_reference_gives_month_days_its_year():
    got = dates("Rebels entered Goma on 27 January.", ReferenceDate(D(2023, 1, 1), "text-year"))
    assert [v.date for _, v in got] == [D(2023, 1, 27)]


def test_no_reference_keeps_explicit_dates_only():
    text = "Fighting began on 15 April 2023. It resumed on May 2. Yesterday more shells fell."
    got = dates(text, ReferenceDate(None, "none"))
    assert [v.date for _, v in got] == [D(2023, 4, 15), D(2023, 5, 2)]  # May 2 takes the narrative's year


def test_month_day_takes_year_of_narrative():
    text = (
        "Heavy fighting broke out in late September 2020.\n"
        "On the night of November 9, both sides signed a truce in Moscow."
    )
    got = dates(text, ReferenceDate(D(2023, 9, 20), "manifest"))
    assert got[-1][1].date == D(2020, 11, 9)


def test_month_day_without_narrative_takes_reference_year():
    ref = ReferenceDate(D(2023, 9, 20), "manifest")
    got = dates("Heavy fighting broke out in 2020.\n\nOn December 9 a truce was signed.", ref)
    assert got[-1][1].date == D(2022, 12, 9)  # more than two months after the reference
    got = dates("Heavy fighting broke out in 2020.\n\nOn October 9 a truce will be signed.", ref)
    assert got[-1][1].date == D(2023, 10, 9)


@pytest.mark.parametrize(
    "text, published, expected",
    [
        ("The vote took place on 14 January 2024 amid boycotts.", None, ReferenceDate(D(2024, 1, 14), "text-explicit")),
        ("Clashes erupted on Monday, June 5. The war started in 2022.", None, ReferenceDate(D(2023, 6, 5), "text-weekday")),
        ("The conflict that began in 2019 escalated again in 2021.", None, ReferenceDate(D(2021, 1, 1), "text-year")),
        ("Nothing here names a time.", None, ReferenceDate(None, "none")),
        ("Ministry of Defence\n3 March 2025\nTalks are set for 10 March 2025 in Juba.", None,
         ReferenceDate(D(2025, 3, 3), "text-explicit")),
        ("The vote took place on 14 January 2024.", D(2024, 1, 16), ReferenceDate(D(2024, 1, 16), "manifest")),
        # a full date in the past of the latest year named is background
        ("Independence was declared on 2 September 1991. Fighting resumed in 2020.", None,
         ReferenceDate(D(2020, 1, 1), "text-year")),
    ],
)
def test_reference(text, published, expected):
    article = Article(key="k", file="k.txt", text=text, sha256="", published_date=published)
    assert finder().reference(article, sentences(text)) == expected


def test_reference_read_from_furniture_left_out():
    from etl.clean import Cleaner

    text = ("Staff Reporter | Published 14 May 2025, 09:10\n\n"
            "Gunmen attacked a police post in Kasese on Tuesday, officials said.\n")
    article = Cleaner.load()(Article(key="k", file="k.txt", text=text, sha256=""))
    sents = splitter()(article)
    assert all("Published" not in s.text for s in sents)
    assert finder().reference(article, sents) == ReferenceDate(D(2025, 5, 14), "text-explicit")


def test_mention_offsets_point_into_text():
    text = "Title without date\n\nOn Tuesday gunmen struck. On 3 March 2024 they returned."
    for m in finder()(sentences(text), WED):
        assert text[m.start:m.end] == m.text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(list("0123456789 /.-,:") + ["May ", "Sept. ", "Monday ", "on ",
             "in ", "last ", "will ", "2023", "1999", "ago ", "days ", "the ", "s ", "December "]),
             max_size=30).map("".join),
    st.one_of(st.none(), st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))),
    st.sampled_from(["manifest", "text-explicit", "text-weekday", "text-year"]),
)
def test_dates_always_valid(text, ref, how):
    reference = ReferenceDate(ref, how if ref else "none")
    for _, value in dates(text, reference):
        assert isinstance(value.date, dt.date)
        assert value.precision in (1, 2, 3)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_never_crashes(text):
    article = Article(key="k", file="k.txt", text=text, sha256="")
    sents = sentences(text)
    ref = finder().reference(article, sents)
    finder()(sents, ref)
    finder()(sents, WED)


# --- nights: the day the night ends, or the day named (see date_prefixes in dates.yaml) ---
@pytest.mark.parametrize(
    "text, date",
    [
        ("Shahed drones hit Zaporizhzhia overnight, the regional governor said.", D(2024, 3, 13)),
        ("Missiles struck Kryvyi Rih overnight into Tuesday, officials said.", D(2024, 3, 12)),
        ("Rebels shelled Goma in the night to Monday.", D(2024, 3, 11)),
        ("Jets bombed Idlib during the early hours of Tuesday.", D(2024, 3, 12)),
        ("Gunmen attacked a checkpoint near Gao late on Sunday.", D(2024, 3, 10)),
        ("Gunmen attacked a checkpoint near Gao late Sunday.", D(2024, 3, 10)),
        ("Clashes erupted in Tripoli on Monday night.", D(2024, 3, 11)),
        ("Settlers torched cars in Huwara last night.", D(2024, 3, 12)),
        ("Shells fell on Kupiansk overnight Saturday to Sunday.", D(2024, 3, 10)),
        ("Gunmen raided the camp on the night of Sunday to Monday near Beni.", D(2024, 3, 11)),
    ],
)
def test_nights(text, date):
    assert only(text).date == date


# --- tense is scoped to the weekday's own clause -------------------------------------------
@pytest.mark.parametrize(
    "text, date",
    [
        # a future word after the weekday that belongs to another phrase: past
        ("Police detained 30 students in Dhaka on Monday ahead of a planned sit-in.", D(2024, 3, 11)),
        ("Soldiers arrested an opposition leader in Kinshasa on Tuesday before the scheduled vote.",
         D(2024, 3, 12)),
        # a future word before the weekday, but a past verb of its own in between: past
        ("Farmers who had planned to block the road were dispersed on Monday in Punjab.", D(2024, 3, 11)),
        # a past announcing verb introducing a scheduled event: the event's day is ahead
        ("The junta confirmed talks with the ethnic armed groups on Thursday in Kunming.", D(2024, 3, 14)),
        ("The presidency announced a funeral for the victims on Saturday.", D(2024, 3, 16)),
        ("Mediators announced that the next round would be held on Friday in Doha.", D(2024, 3, 15)),
        # ... unless a past verb follows the weekday, or the verb itself carries the weekday
        ("The mediators confirmed the talks on Monday ended without agreement.", D(2024, 3, 11)),
        ("The interior ministry confirmed on Monday that talks had begun.", D(2024, 3, 11)),
        ("The army announced on Tuesday it had retaken the town of Kidal.", D(2024, 3, 12)),
        # a relative clause after the weekday is another clause
        ("The junta announced an amnesty on Sunday that will apply to all detainees.", D(2024, 3, 10)),
        # a possessive weekday is future only with a future word right after it
        ("Riot police fired tear gas in Lagos ahead of Friday's planned march.", D(2024, 3, 15)),
        ("Witnesses said Monday's shelling of Kramatorsk lasted an hour.", D(2024, 3, 11)),
    ],
)
def test_tense_scope(text, date):
    assert only(text).date == date


# --- numeric datelines as the reference when the manifest gives none -----------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        # dotted, both parts <= 12: day-first (locale unknown); two-digit year is 20yy
        ("Lahore | Published 03.05.26, 10:20 AM\n\nProtesters blocked the canal road on Sunday.",
         ReferenceDate(D(2026, 5, 3), "text-explicit")),
        ("Updated: 07.11.2025\n\nTroops clashed with rebels near Beni on Saturday.",
         ReferenceDate(D(2025, 11, 7), "text-explicit")),
        # a number > 12 settles the order whatever the separator
        ("Staff writer\nPosted 23/08/2026 14:05\n\nA bomb exploded in Mogadishu on Friday.",
         ReferenceDate(D(2026, 8, 23), "text-explicit")),
        ("Posted 08/23/2026\n\nA bomb exploded in Mogadishu on Friday.",
         ReferenceDate(D(2026, 8, 23), "text-explicit")),
        # a slashed date with both parts <= 12 stays undecided
        ("Posted 08/05/2026\n\nA bomb exploded in Mogadishu on Friday.",
         ReferenceDate(D(2026, 1, 1), "text-year")),
        # not a dateline: a version number, a score in running text
        ("Version 2.10.4 of the app leaked.\n\nA bomb exploded in Mogadishu on Friday.",
         ReferenceDate(None, "none")),
    ],
)
def test_numeric_dateline_reference(text, expected):
    from etl.clean import Cleaner

    article = Cleaner.load()(Article(key="k", file="k.txt", text=text, sha256=""))
    assert finder().reference(article, splitter()(article)) == expected


def test_background_year_never_anchors_weekdays():
    text = ("Youths clashed with police in Kisumu on Sunday, leaving shops burnt.\n\n"
            "In August 2019, riots broke out in the same market.")
    article = Article(key="k", file="k.txt", text=text, sha256="")
    sents = sentences(text)
    ref = finder().reference(article, sents)
    assert ref.how == "text-year"
    got = finder()(sents, ref)
    assert [m.text for m in got] == ["August 2019"]  # "on Sunday" stays unresolved


# --- a wire dateline is the report's date: the reference, never an event date -------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("KHARTOUM, March 9 (Agency) - Shelling shook Omdurman on Friday.", [("on Friday", D(2024, 3, 8))]),
        ("Quito, Mar 4 (Agency).- Police clashed with miners on Sunday.", [("on Sunday", D(2024, 3, 10))]),
        ("BENI, Democratic Republic of Congo, March 3 (Agency) — Rebels shelled the town.", []),
        ("Tbilisi, 12 March 2024 - Police dispersed a rally outside parliament.", []),
        # not datelines: the date is part of the sentence
        ("In Kabul, March 9 passed without incident.", [("March 9", D(2024, 3, 9))]),
        ("Officials said March 9 - the day of the vote - passed calmly.", [("March 9", D(2024, 3, 9))]),
    ],
)
def test_wire_dateline_is_not_an_event_date(text, expected):
    assert [(t, v.date) for t, v in dates(text)] == expected


def test_wire_dateline_still_gives_the_reference():
    text = "MOGADISHU, 14 May 2025 (Agency) - A car bomb exploded near a checkpoint on Tuesday."
    article = Article(key="k", file="k.txt", text=text, sha256="")
    sents = sentences(text)
    ref = finder().reference(article, sents)
    assert ref == ReferenceDate(D(2025, 5, 14), "text-explicit")
    assert [(m.text, m.value.date) for m in finder()(sents, ref)] == [("on Tuesday", D(2025, 5, 13))]


@pytest.mark.parametrize(
    "text",
    [
        "Bandits abducted 20 farmers in an overnight raid on Kankara.",
        "The overnight shelling of Kherson damaged a school.",
        "The militia's overnight assault on the camp was repelled.",
    ],
)
def test_overnight_as_adjective_gives_no_date(text):
    assert dates(text) == []


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["No dates here.", "Nor 1.5 here"],
        ["Posted 21.09.25, 7:05 PM"],
        ["ends with 14/05", "/2026 starts the next"],  # never across two texts
        ["ends with 14/05/2026", "-1 starts the next"],
        ["a", "v1.2.3.4", "on 3-4-2024."],
    ],
)
def test_numeric_date_is_found_in_joined_texts_as_in_each(texts):
    from etl.dates import _NUMERIC_DATELINE, _has_numeric_date

    assert _has_numeric_date(texts) == any(_NUMERIC_DATELINE.search(t) for t in texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["day", "days", "today", "weekend", "week", "ago", "eve", "evening", "s", "x", "3",
                                 "_", " ", "-", "’", "\x00", "é", "mon"]), max_size=10))
def test_relative_keywords_found_by_the_automaton_as_by_the_regex(parts):
    import dataclasses

    finder = _loaded_finder()
    assert finder.relative_finder is not None
    text = "".join(parts)
    by_regex = dataclasses.replace(finder, relative_finder=None)
    assert list(finder._relative_keys_in(text)) == list(by_regex._relative_keys_in(text))


@functools.lru_cache(maxsize=1)
def _loaded_finder() -> DateFinder:
    return DateFinder.load()


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("Fighting resumed on 20 September 2023 near the border.", ["dmy"]),
        ("Rebels struck on Sept. 20 and again on 2023-09-21.", ["mdy", "iso"]),
        ("The ceasefire of 20/09/2023 held until March 2024.", ["numeric", "monthyear"]),
        ("The war lasted from 1992 to 1994, as in the 1990s.", ["range", "decade"]),
        ("Talks began in September and resumed on Tuesday's session.", ["month", "weekday"]),
        ("MAY 3 was quiet; Monday 4 May was not.", ["mdy", "dmy"]),  # the weekday joins the date
    ],
)
def test_main_pattern_branch_kinds(text, kinds):
    """Digit branches and name branches each behind their look-ahead: every kind is
    still found where it stands, in order."""
    assert [hit.kind for hit in finder()._scan(text)] == kinds

"""Assembly rules, one sentence (or a few) at a time, with mentions built by hand.

Each case is an article written for the test (wire, local and official styles, many
conflicts) and the mentions the finders would report; the assembler must decide which
events happened and bind their arguments.
"""
from __future__ import annotations

import datetime as dt

import pytest

from etl.assemble import Assembler
from etl.records import (
    ActorValue, Article, DateValue, Mention, NumberValue, Place, ReferenceDate, Sentence, TriggerValue,
)

REF = dt.date(2024, 3, 14)  # a Thursday

PLACES = {
    "Kharkiv": Place("Kharkiv", 49.99, 36.23, "city", "Ukraine", "UKR", admin1="Kharkiv"),
    "Ukraine": Place("Ukraine", 50.45, 30.52, "country", "Ukraine", "UKR", geo_precision=3),
    "Zamfara": Place("Zamfara", 12.17, 6.25, "region", "Nigeria", "NGA", admin1="Zamfara", geo_precision=3),
    "Gusau": Place("Gusau", 12.17, 6.66, "city", "Nigeria", "NGA", admin1="Zamfara"),
    "Dhaka": Place("Dhaka", 23.81, 90.41, "city", "Bangladesh", "BGD", admin1="Dhaka"),
    "Bunagana": Place("Bunagana", -1.28, 29.6, "town", "Democratic Republic of Congo", "COD", admin1="North Kivu"),
    "Goma": Place("Goma", -1.68, 29.23, "city", "Democratic Republic of Congo", "COD", admin1="North Kivu"),
    "Palmyra": Place("Palmyra", 34.56, 38.27, "town", "Syria", "SYR", admin1="Homs"),
    "Idlib": Place("Idlib", 35.93, 36.63, "city", "Syria", "SYR", admin1="Idlib"),
    "Geneva": Place("Geneva", 46.2, 6.14, "city", "Switzerland", "CHE", admin1="Geneva"),
    "Mogadishu": Place("Mogadishu", 2.04, 45.34, "city", "Somalia", "SOM", admin1="Banaadir"),
    "Shan": Place("Shan", 21.5, 97.9, "region", "Myanmar", "MMR", admin1="Shan", geo_precision=3),
    "Juba": Place("Juba", 4.85, 31.58, "city", "South Sudan", "SSD", admin1="Central Equatoria"),
}

ACTORS = {
    "Russian forces": ActorValue("Military Forces of Russia (2000-)", 8, "Russia"),
    "Ukraine's military": ActorValue("Military Forces of Ukraine (2019-)", 1, "Ukraine"),
    "gunmen": ActorValue("Unidentified Armed Group ({country})", 3),
    "villagers": ActorValue("Civilians ({country})", 7),
    "civilians": ActorValue("Civilians ({country})", 7),
    "students": ActorValue("Protesters ({country})", 6),
    "police": ActorValue("Police Forces of {country}", 1),
    "M23 rebels": ActorValue("M23: March 23 Movement", 2),
    "the army": ActorValue("Military Forces of {country}", 1),
    "Islamic State fighters": ActorValue("Islamic State (Syria)", 2),
    "al-Shabaab fighters": ActorValue("Al Shabaab", 2),
    "the government": ActorValue("Government of {country}", 1),
    "the SPLM-IO": ActorValue("SPLM/A-IO: Sudan People's Liberation Movement/Army (In Opposition)", 2),
    "the French foreign minister": ActorValue("Government of France", 1, "France"),
    "the junta": ActorValue("Military Forces of {country}", 1),
    "Russian shelling": ActorValue("Military Forces of Russia (2000-)", 8, "Russia"),
}

SHELLING = TriggerValue("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling")
AIR = TriggerValue("Explosions/Remote violence", "Air/drone strike", "airstrike")
CLASH = TriggerValue("Battles", "Armed clash", "clashed")
KILLED = TriggerValue("Battles", "Armed clash", "killed")
PROTEST = TriggerValue("Protests", "Peaceful protest", "protested")
CAPTURE = TriggerValue("Battles", "Non-state actor overtakes territory", "captured")
RECAPTURE = TriggerValue("Battles", "Government regains territory", "recaptured")
CEASEFIRE = TriggerValue("Strategic developments", "Agreement", "agreed")
TALKS = TriggerValue("Strategic developments", "Other", "talks")
AMBUSH = TriggerValue("Battles", "Armed clash", "ambushed")

HINTS = {
    "killed": {"strength": "weak", "priority": 15, "recode": {"civilian_victim": ["Violence against civilians", "Attack"]}},
    "shelling": {"priority": 65, "pos": "noun"},
    "airstrike": {"priority": 70, "pos": "noun"},
    "clashed": {"priority": 40},
    "protested": {"priority": 40},
    "captured": {"priority": 60, "territory": True},
    "recaptured": {"priority": 60, "territory": True},
    "agreed": {"priority": 70},
    "talks": {"priority": 20, "strength": "weak"},
    "ambushed": {"priority": 45},
}


def day(offset: int, precision: int = 1) -> DateValue:
    return DateValue(REF + dt.timedelta(days=offset), precision, relative=True)


@pytest.fixture(scope="module")
def assembler() -> Assembler:
    return Assembler.load(entries=HINTS)


def build(parts, ref=REF):
    """parts: [(sentence text, [(kind, phrase, value), ...]), ...] -> article, sentences, mentions."""
    text, sentences, mentions = "", [], []
    for index, (sentence_text, marks) in enumerate(parts):
        start = len(text)
        text += sentence_text + " "
        sentences.append(Sentence(index, start, start + len(sentence_text), sentence_text, paragraph=index))
        for kind, phrase, value in marks:
            at = sentence_text.index(phrase)
            if kind == "place" and value is None:
                value = PLACES[phrase]
            if kind == "actor" and value is None:
                value = ACTORS[phrase]
            mentions.append(Mention(kind, index, start + at, start + at + len(phrase), phrase, value))
    article = Article(key="t_001", file="t_001.txt", text=text, sha256="0", published_date=ref)
    mentions.sort(key=lambda m: (m.start, m.end, m.kind))
    return article, tuple(sentences), tuple(mentions), ReferenceDate(ref, "manifest")


def run(assembler, parts, ref=REF):
    return assembler(*build(parts, ref))


# --- what happened, what did not ------------------------------------------------------------
NOT_EVENTS = [
    # background history
    [("In 2015, M23 rebels captured the border town of Bunagana.",
      [("date", "2015", DateValue(dt.date(2015, 1, 1), 3)), ("actor", "M23 rebels", None),
       ("trigger", "captured", CAPTURE), ("place", "Bunagana", None)])],
    [("The two sides have clashed repeatedly since 2013 over grazing land near Juba.",
      [("trigger", "clashed", CLASH), ("date", "2013", DateValue(dt.date(2013, 1, 1), 3)), ("place", "Juba", None)])],
    # future talks
    [("Talks between the government and the SPLM-IO will be held in Geneva on Friday.",
      [("trigger", "Talks", TALKS), ("actor", "the government", None), ("actor", "the SPLM-IO", None),
       ("place", "Geneva", None), ("date", "Friday", day(1))])],
    # an appeal by a foreign minister
    [("The French foreign minister urged both sides to halt the shelling around Kharkiv.",
      [("actor", "The French foreign minister", ACTORS["the French foreign minister"]), ("trigger", "shelling", SHELLING),
       ("place", "Kharkiv", None)])],
    # a threat
    [("The junta threatened to launch airstrikes on rebel camps in Shan.",
      [("actor", "The junta", ACTORS["the junta"]), ("trigger", "airstrikes", AIR), ("place", "Shan", None)])],
    # a denial
    [("The ministry denied that Russian forces had shelled Kharkiv.",
      [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None)])],
    # a date after the reference date
    [("Students protested in Dhaka on Saturday.",
      [("actor", "Students", ActorValue("Protesters ({country})", 6)), ("trigger", "protested", PROTEST),
       ("place", "Dhaka", None), ("date", "Saturday", day(2))])],
]


@pytest.mark.parametrize("parts", NOT_EVENTS, ids=lambda parts: parts[0][0][:40])
def test_not_an_event(assembler, parts):
    assert run(assembler, parts) == ()


def test_killed_and_wounded_in_shelling_by_an_actor(assembler):
    (c,) = run(assembler, [(
        "At least 12 people were killed and 30 wounded in shelling by Russian forces in Kharkiv on Monday.",
        [("number", "12", NumberValue(12, "killed")), ("number", "30", NumberValue(30, "wounded")),
         ("trigger", "shelling", SHELLING), ("actor", "Russian forces", None), ("place", "Kharkiv", None),
         ("date", "Monday", day(-3))],
    )])
    assert (c.event_type, c.sub_event_type) == ("Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert c.fatalities == 12
    assert c.actor1.name == "Military Forces of Russia (2000-)"
    assert c.place.name == "Kharkiv" and c.date.date == REF - dt.timedelta(days=3)
    assert c.date_how == "relative" and c.place_how == "sentence"


def test_protest_dispersed_by_police_is_protest_with_intervention(assembler):
    (c,) = run(assembler, [(
        "Hundreds of students protested in Dhaka on Tuesday before police dispersed them with tear gas.",
        [("actor", "students", None), ("trigger", "protested", PROTEST), ("place", "Dhaka", None),
         ("date", "Tuesday", day(-2)), ("actor", "police", None)],
    )])
    assert (c.event_type, c.sub_event_type) == ("Protests", "Protest with intervention")
    assert c.actor1.inter == 6


@pytest.mark.parametrize(
    "sentence, marks, sub, actor1",
    [
        ("M23 rebels captured the town of Bunagana on Sunday, residents said.",
         [("actor", "M23 rebels", None), ("trigger", "captured", RECAPTURE), ("place", "Bunagana", None),
          ("date", "Sunday", day(-4))],
         "Non-state actor overtakes territory", "M23: March 23 Movement"),
        ("The army recaptured Palmyra from Islamic State fighters on Wednesday.",
         [("actor", "The army", ACTORS["the army"]), ("trigger", "recaptured", CAPTURE), ("place", "Palmyra", None),
          ("actor", "Islamic State fighters", None), ("date", "Wednesday", day(-1))],
         "Government regains territory", "Military Forces of {country}"),
    ],
)
def test_territory_is_resolved_by_actor1s_inter(assembler, sentence, marks, sub, actor1):
    (c,) = run(assembler, [(sentence, marks)])
    assert c.sub_event_type == sub and c.actor1.name == actor1


def test_armed_men_killing_villagers_is_violence_against_civilians(assembler):
    (c,) = run(assembler, [(
        "Gunmen killed five villagers in Zamfara state on Saturday, police said.",
        [("actor", "Gunmen", ACTORS["gunmen"]), ("trigger", "killed", KILLED), ("number", "five", NumberValue(5, "killed")),
         ("actor", "villagers", None), ("place", "Zamfara", None), ("date", "Saturday", day(-5)),
         ("actor", "police", None)],
    )])
    assert (c.event_type, c.sub_event_type) == ("Violence against civilians", "Attack")
    assert c.fatalities == 5 and c.actor2.inter == 7 and c.actor1.inter == 3


def test_speaker_is_not_actor1(assembler):
    (c,) = run(assembler, [(
        "Ukraine's military said Russian forces shelled Kharkiv overnight.",
        [("actor", "Ukraine's military", None), ("actor", "Russian forces", None),
         ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None)],
    )])
    assert c.actor1.name == "Military Forces of Russia (2000-)"


def test_agent_of_a_passive(assembler):
    (c,) = run(assembler, [(
        "A police convoy was ambushed by al-Shabaab fighters near Mogadishu on Tuesday.",
        [("trigger", "ambushed", AMBUSH), ("actor", "al-Shabaab fighters", None),
         ("place", "Mogadishu", None), ("date", "Tuesday", day(-2))],
    )])
    assert c.actor1.name == "Al Shabaab"


def test_coordinated_parties_of_an_agreement(assembler):
    (c,) = run(assembler, [(
        "The government and the SPLM-IO agreed to a ceasefire in Juba on Wednesday.",
        [("actor", "The government", ACTORS["the government"]), ("actor", "the SPLM-IO", None),
         ("trigger", "agreed", CEASEFIRE), ("place", "Juba", None), ("date", "Wednesday", day(-1))],
    )])
    assert c.actor1.name == "Government of {country}"
    assert c.actor2.name.startswith("SPLM/A-IO")


def test_same_agreement_told_twice_is_one_event(assembler):
    candidates = run(assembler, [
        ("The government and the SPLM-IO agreed to a ceasefire in Juba on Wednesday.",
         [("actor", "The government", ACTORS["the government"]), ("actor", "the SPLM-IO", None),
          ("trigger", "agreed", CEASEFIRE), ("place", "Juba", None), ("date", "Wednesday", day(-1))]),
        ("\"The agreement was signed this afternoon,\" a spokesman for the SPLM-IO told reporters.",
         [("trigger", "agreement", CEASEFIRE), ("actor", "the SPLM-IO", None)]),
    ])
    assert len(candidates) == 1
    assert candidates[0].date.date == REF - dt.timedelta(days=1) and candidates[0].place.name == "Juba"


def test_one_toll_is_given_to_one_event(assembler):
    candidates = run(assembler, [(
        "Shelling and an airstrike killed 7 people in Idlib on Monday, rescuers said.",
        [("trigger", "Shelling", SHELLING), ("trigger", "airstrike", AIR), ("number", "7", NumberValue(7, "killed")),
         ("place", "Idlib", None), ("date", "Monday", day(-3))],
    )])
    assert len(candidates) == 2
    assert sorted(c.fatalities for c in candidates) == [0, 7]


def test_wounded_and_crowd_numbers_are_not_deaths(assembler):
    (c,) = run(assembler, [(
        "About 2,000 students protested in Dhaka on Monday and 14 were injured.",
        [("number", "2,000", NumberValue(2000, "crowd")), ("actor", "students", None),
         ("trigger", "protested", PROTEST), ("place", "Dhaka", None), ("date", "Monday", day(-3)),
         ("number", "14", NumberValue(14, "wounded"))],
    )])
    assert c.fatalities == 0


def test_subset_of_a_toll_is_not_added(assembler):
    (c,) = run(assembler, [(
        "Russian shelling killed 9 people, including 3 children, in Kharkiv on Tuesday.",
        [("trigger", "shelling", SHELLING), ("actor", "Russian shelling", ACTORS["Russian forces"]),
         ("number", "9", NumberValue(9, "killed")), ("number", "3", NumberValue(3, "killed")),
         ("place", "Kharkiv", None), ("date", "Tuesday", day(-2))],
    )])
    assert c.fatalities == 9


def test_date_and_place_are_carried_from_the_lead(assembler):
    candidates = run(assembler, [
        ("Fighting raged around Goma on Tuesday, witnesses said.",
         [("trigger", "Fighting", CLASH), ("place", "Goma", None), ("date", "Tuesday", day(-2))]),
        ("M23 rebels clashed with the army for several hours.",
         [("actor", "M23 rebels", None), ("trigger", "clashed", CLASH), ("actor", "the army", None)]),
    ])
    assert len(candidates) == 1  # the same battle, told twice
    c = candidates[0]
    assert c.place.name == "Goma" and c.date.date == REF - dt.timedelta(days=2)
    assert c.actor1.name == "M23: March 23 Movement"


def test_no_date_anywhere_falls_back_to_reference_with_warning(assembler):
    (c,) = run(assembler, [(
        "Gunmen clashed with police in Gusau.",
        [("actor", "Gunmen", ACTORS["gunmen"]), ("trigger", "clashed", CLASH), ("actor", "police", None),
         ("place", "Gusau", None)],
    )])
    assert c.date.date == REF and c.date.precision == 2 and c.date_how == "reference" and c.warnings


def test_country_only_sentence_uses_the_article_place(assembler):
    candidates = run(assembler, [
        ("Russian forces shelled Kharkiv on Tuesday.",
         [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None),
          ("date", "Tuesday", day(-2))]),
        ("Separately, clashes were reported across Ukraine.",
         [("trigger", "clashes", CLASH), ("place", "Ukraine", None)]),
    ])
    clash = next(c for c in candidates if c.event_type == "Battles")
    assert clash.place.name == "Kharkiv" and clash.place_how == "article"


def test_unnamed_attacker_gets_a_default_actor(assembler):
    (c,) = run(assembler, [(
        "Two civilians were killed in an airstrike on a market in Idlib on Monday.",
        [("actor", "civilians", None), ("trigger", "airstrike", AIR), ("number", "Two", NumberValue(2, "killed")),
         ("place", "Idlib", None), ("date", "Monday", day(-3))],
    )])
    assert c.actor1 is not None and "{country}" in c.actor1.name
    assert c.fatalities == 2


@pytest.mark.parametrize(
    "sentence, marks, actor1, actor2",
    [
        # victims named first in a passive: they are the target, the agent acts
        ("Nine civilians were killed by Russian forces in Kharkiv on Monday.",
         [("actor", "civilians", None), ("trigger", "killed", SHELLING), ("actor", "Russian forces", None),
          ("place", "Kharkiv", None), ("date", "Monday", day(-3))],
         "Military Forces of Russia (2000-)", "Civilians ({country})"),
        # a passive without an agent: no actor1 is named (the default is used)
        ("A bus carrying villagers was hit by a roadside bomb near Mogadishu on Tuesday.",
         [("actor", "villagers", None), ("trigger", "hit", SHELLING), ("place", "Mogadishu", None),
          ("date", "Tuesday", day(-2))],
         "Unidentified Armed Group ({country})", "Civilians ({country})"),
    ],
)
def test_passive_and_victims(assembler, sentence, marks, actor1, actor2):
    (c,) = run(assembler, [(sentence, marks)])
    assert c.actor1.name == actor1
    assert c.actor2 is not None and c.actor2.name == actor2


def test_mediator_inside_the_subject_is_not_a_party(assembler):
    (c,) = run(assembler, [(
        "The government and the SPLM-IO, mediated by the French foreign minister, agreed on a truce in Juba on Monday.",
        [("actor", "The government", ACTORS["the government"]), ("actor", "the SPLM-IO", None),
         ("actor", "the French foreign minister", None), ("trigger", "agreed", CEASEFIRE), ("place", "Juba", None),
         ("date", "Monday", day(-3))],
    )])
    assert c.actor1.name == "Government of {country}" and c.actor2.name.startswith("SPLM/A-IO")


def test_event_placed_only_in_another_country_is_not_coded(assembler):
    candidates = run(assembler, [
        ("Russian forces shelled Kharkiv on Tuesday.",
         [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None),
          ("date", "Tuesday", day(-2))]),
        ("Fighting also continued in Syria, monitors said.",
         [("trigger", "Fighting", CLASH),
          ("place", "Syria", Place("Syria", 33.5, 36.3, "country", "Syria", "SYR", geo_precision=3))]),
    ])
    assert [c.event_type for c in candidates] == ["Explosions/Remote violence"]


TRUCE = TriggerValue("Strategic developments", "Agreement", "agreed")


def test_undated_violence_happened_before_the_report_of_a_truce(assembler):
    candidates = run(assembler, [
        ("The army and the SPLM-IO agreed on Wednesday to a truce in Juba.",
         [("actor", "The army", ACTORS["the army"]), ("actor", "the SPLM-IO", None), ("trigger", "agreed", TRUCE),
          ("date", "Wednesday", day(-1)), ("place", "Juba", None)]),
        ("Shelling had killed 14 people in Juba before the deal.",
         [("trigger", "Shelling", SHELLING), ("number", "14", NumberValue(14, "killed")), ("place", "Juba", None)]),
    ])
    shelling = next(c for c in candidates if c.sub_event_type.startswith("Shelling"))
    assert shelling.date.date == REF - dt.timedelta(days=2) and shelling.date.precision == 2
    assert shelling.fatalities == 14


def test_undated_violence_takes_the_articles_dated_violence(assembler):
    candidates = run(assembler, [
        ("Russian forces shelled Kharkiv on Monday, killing 4 people.",
         [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None),
          ("date", "Monday", day(-3)), ("number", "4", NumberValue(4, "killed"))]),
        ("An airstrike also hit the outskirts of Kharkiv, officials added.",
         [("trigger", "airstrike", AIR), ("place", "Kharkiv", None)]),
    ])
    air = next(c for c in candidates if c.sub_event_type == "Air/drone strike")
    assert air.date.date == REF - dt.timedelta(days=3)


def test_report_date_of_violence_is_coded_within_a_week(assembler):
    (c,) = run(assembler, [(
        "Ukraine's military said Tuesday that Russian forces had shelled Kharkiv.",
        [("actor", "Ukraine's military", None), ("date", "Tuesday", day(-2)), ("actor", "Russian forces", None),
         ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None)],
    )])
    assert c.date.date == REF - dt.timedelta(days=2) and c.date.precision == 2 and c.date_how == "reported"


def test_one_agreement_per_day_whoever_tells_it(assembler):
    candidates = run(assembler, [
        ("The government and the SPLM-IO agreed to a ceasefire in Juba on Wednesday.",
         [("actor", "The government", ACTORS["the government"]), ("actor", "the SPLM-IO", None),
          ("trigger", "agreed", TRUCE), ("date", "Wednesday", day(-1)), ("place", "Juba", None)]),
        ("In Geneva, the French foreign minister said the agreement was reached after talks.",
         [("place", "Geneva", None), ("actor", "the French foreign minister", None), ("trigger", "agreement", TRUCE)]),
    ])
    assert len(candidates) == 1 and candidates[0].actor1.name == "Government of {country}"


def test_weak_trigger_needs_support(assembler):
    weak = TriggerValue("Battles", "Armed clash", "operation")
    hints = dict(HINTS, operation={"strength": "weak", "priority": 20})
    lone = Assembler.load(entries=hints)
    assert lone(*build([("The operation in Goma continued on Tuesday.",
                         [("trigger", "operation", weak), ("place", "Goma", None), ("date", "Tuesday", day(-2))])])) == ()
    (c,) = lone(*build([("M23 rebels pressed their operation against the army in Goma on Tuesday.",
                         [("actor", "M23 rebels", None), ("trigger", "operation", weak), ("actor", "the army", None),
                          ("place", "Goma", None), ("date", "Tuesday", day(-2))])]))
    assert c.actor1.inter == 2
    # a weak battle word told with an arrest is the arrest ("raided the town and arrested 14")
    arrest = TriggerValue("Strategic developments", "Arrests", "arrest")
    local = Assembler.load(entries=dict(hints, arrest={"priority": 55}))
    (c,) = local(*build([("Troops raided the town of Goma on Tuesday and arrested 14 men.",
                          [("actor", "Troops", ACTORS["the army"]), ("trigger", "raided", weak), ("place", "Goma", None),
                           ("date", "Tuesday", day(-2)), ("trigger", "arrested", arrest)])]))
    assert c.sub_event_type == "Arrests"


def test_killing_and_abduction_in_one_clause_are_two_events_toll_to_the_killing(assembler):
    abduct = TriggerValue("Violence against civilians", "Abduction/forced disappearance", "abduct")
    hints = dict(HINTS, abduct={"priority": 70})
    local = Assembler.load(entries=hints)
    candidates = local(*build([(
        "Gunmen killed 9 villagers and abducted 20 others in Gusau on Sunday.",
        [("actor", "Gunmen", ACTORS["gunmen"]), ("trigger", "killed", KILLED), ("number", "9", NumberValue(9, "killed")),
         ("actor", "villagers", None), ("trigger", "abducted", abduct), ("number", "20", NumberValue(20, "detained")),
         ("place", "Gusau", None), ("date", "Sunday", day(-4))],
    )]))
    tolls = {c.sub_event_type: c.fatalities for c in candidates}
    assert tolls == {"Attack": 9, "Abduction/forced disappearance": 0}


@pytest.mark.parametrize(
    "sentence, marks",
    [
        ("The army halted its offensive near Goma on Tuesday.",
         [("actor", "The army", ACTORS["the army"]), ("trigger", "offensive", CLASH), ("place", "Goma", None),
          ("date", "Tuesday", day(-2))]),
        ("Both sides agreed to an immediate cessation of shelling around Kharkiv.",
         [("trigger", "shelling", SHELLING), ("place", "Kharkiv", None)]),
    ],
)
def test_what_ended_is_not_a_new_event(assembler, sentence, marks):
    assert run(assembler, [(sentence, marks)]) == ()


def test_police_meeting_protesters_are_actor2(assembler):
    disperse = TriggerValue("Protests", "Protest with intervention", "disperse")
    (c,) = run(assembler, [(
        "Riot police used water cannon to disperse students in Dhaka on Monday.",
        [("actor", "Riot police", ActorValue("Police Forces of {country}", 1)), ("trigger", "disperse", disperse),
         ("actor", "students", None), ("place", "Dhaka", None), ("date", "Monday", day(-3))],
    )])
    assert c.actor1.inter == 6 and c.actor2.inter == 1


def test_foreign_forces_taking_a_village_is_non_state_overtaking(assembler):
    (c,) = run(assembler, [(
        "Russian forces captured Kharkiv's outskirts on Monday.",
        [("actor", "Russian forces", None), ("trigger", "captured", CAPTURE), ("place", "Kharkiv", None),
         ("date", "Monday", day(-3))],
    )])
    assert c.sub_event_type == "Non-state actor overtakes territory"


def test_follow_up_blast_is_the_bombing_told_before(assembler):
    suicide = TriggerValue("Explosions/Remote violence", "Suicide bomb", "suicide bombing")
    blast = TriggerValue("Explosions/Remote violence", "Remote explosive/landmine/IED", "explosion")
    hints = dict(HINTS, **{"suicide bombing": {"priority": 80}, "explosion": {"priority": 30, "strength": "weak"}})
    local = Assembler.load(entries=hints)
    candidates = local(*build([
        ("A suicide bomber killed 11 people at a market in Mogadishu on Friday.",
         [("trigger", "suicide bomber", suicide), ("number", "11", NumberValue(11, "killed")),
          ("place", "Mogadishu", None), ("date", "Friday", day(-6))]),
        ("Police said the explosion shattered windows across the district.",
         [("actor", "Police", ActorValue("Police Forces of {country}", 1)), ("trigger", "explosion", blast)]),
    ]))
    assert [(c.sub_event_type, c.fatalities) for c in candidates] == [("Suicide bomb", 11)]


def test_soldiers_killed_by_a_mine_are_its_target(assembler):
    mine = TriggerValue("Explosions/Remote violence", "Remote explosive/landmine/IED", "landmine")
    (c,) = run(assembler, [(
        "Two soldiers were killed when their truck hit a landmine near Gao on Thursday, the army said.",
        [("actor", "soldiers", ActorValue("Military Forces of {country}", 1)), ("trigger", "landmine", mine),
         ("number", "Two", NumberValue(2, "killed")), ("place", "Gao", Place("Gao", 16.27, -0.04, "city", "Mali", "MLI")),
         ("date", "Thursday", day(0)), ("actor", "the army", None)],
    )])
    assert c.actor1.name == "Unidentified Armed Group ({country})" and c.actor2.name == "Military Forces of {country}"
    assert c.fatalities == 2


def test_a_man_accused_of_a_crime_is_not_a_speaker(assembler):
    lynch = TriggerValue("Riots", "Mob violence", "lynch")
    (c,) = run(assembler, [(
        "A mob lynched a man accused of theft in Sargodha on Saturday, police said.",
        [("actor", "A mob", ActorValue("Rioters ({country})", 5)), ("trigger", "lynched", lynch),
         ("actor", "man", ActorValue("Civilians ({country})", 7)),
         ("place", "Sargodha", Place("Sargodha", 32.08, 72.67, "city", "Pakistan", "PAK")),
         ("date", "Saturday", day(-5)), ("actor", "police", None)],
    )])
    assert c.actor1.inter == 5 and c.actor2.inter == 7


def test_civilians_who_protest_are_the_protesters(assembler):
    (c,) = run(assembler, [(
        "Hundreds of farmers protested in Dhaka on Monday against new fuel prices.",
        [("actor", "farmers", ActorValue("Civilians ({country})", 7)), ("trigger", "protested", PROTEST),
         ("place", "Dhaka", None), ("date", "Monday", day(-3))],
    )])
    assert c.actor1.inter == 6 and c.actor2 is None


def test_dateline_city_is_not_where_the_event_happened(assembler):
    candidates = run(assembler, [
        ("GOMA (Reuters) - Rebels shelled Bunagana on Monday, residents said.",
         [("place", "GOMA", PLACES["Goma"]), ("trigger", "shelled", SHELLING), ("place", "Bunagana", None),
          ("date", "Monday", day(-3))]),
        ("Aid groups in Goma said dozens had fled.", [("place", "Goma", None)]),
    ])
    assert [c.place.name for c in candidates] == ["Bunagana"]


def test_toll_of_a_whole_war_is_background(assembler):
    kill = TriggerValue("Violence against civilians", "Attack", "killed")
    candidates = run(assembler, [
        ("Gunmen clashed with police in Gusau on Monday.",
         [("actor", "Gunmen", ACTORS["gunmen"]), ("trigger", "clashed", CLASH), ("actor", "police", None),
          ("place", "Gusau", None), ("date", "Monday", day(-3))]),
        ("The insurgency has claimed thousands of lives and killed 2,000 herders across the region.",
         [("trigger", "killed", kill), ("number", "2,000", NumberValue(2000, "killed"))]),
    ])
    assert [c.fatalities for c in candidates] == [0]


def test_anaphoric_attack_joins_the_event_told_before(assembler):
    attack = TriggerValue("Battles", "Armed clash", "operation")
    hints = dict(HINTS, operation={"strength": "weak", "priority": 20})
    local = Assembler.load(entries=hints)
    candidates = local(*build([
        ("M23 rebels clashed with the army in Goma on Tuesday.",
         [("actor", "M23 rebels", None), ("trigger", "clashed", CLASH), ("actor", "the army", None),
          ("place", "Goma", None), ("date", "Tuesday", day(-2))]),
        ("The French foreign minister said the attack near Juba showed the army was overstretched.",
         [("actor", "The French foreign minister", ACTORS["the French foreign minister"]), ("trigger", "attack", attack),
          ("place", "Juba", None), ("actor", "the army", None)]),
    ]))
    assert len(candidates) == 1 and candidates[0].place.name == "Goma"


def test_bare_verb_after_an_infinitive_is_a_purpose(assembler):
    arrest = TriggerValue("Strategic developments", "Arrests", "arrest")
    hints = dict(HINTS, arrest={"priority": 55})
    local = Assembler.load(entries=hints)
    text = "Police said efforts were under way to free the hostages and arrest the kidnappers in Gusau."
    marks = [("actor", "Police", ActorValue("Police Forces of {country}", 1)), ("trigger", "arrest", arrest),
             ("place", "Gusau", None)]
    assert local(*build([(text, marks)])) == ()
    done = "Police freed the hostages and arrested the kidnappers in Gusau on Monday."
    marks = [("actor", "Police", ActorValue("Police Forces of {country}", 1)), ("trigger", "arrested", arrest),
             ("place", "Gusau", None), ("date", "Monday", day(-3))]
    assert len(local(*build([(done, marks)]))) == 1


def test_town_abroad_needs_its_country_named_again(assembler):
    amarillo = Place("Amarillo", 35.2, -101.8, "city", "United States", "USA", admin1="Texas")
    shebekino = Place("Shebekino", 50.4, 36.9, "town", "Russia", "RUS", admin1="Belgorod")
    belgorod = Place("Belgorod", 50.6, 36.6, "region", "Russia", "RUS", admin1="Belgorod", geo_precision=3)
    candidates = run(assembler, [
        ("Russian forces shelled Kharkiv on Monday.",
         [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None),
          ("date", "Monday", day(-3))]),
        ("Fighting was also reported in Amarillo district.", [("trigger", "Fighting", CLASH), ("place", "Amarillo", amarillo)]),
        ("A drone hit Shebekino in Russia's Belgorod region on Sunday.",
         [("trigger", "drone", AIR), ("place", "Shebekino", shebekino), ("place", "Belgorod", belgorod),
          ("date", "Sunday", day(-4))]),
    ])
    places = {c.sub_event_type: c.place.name for c in candidates}
    assert places["Armed clash"] == "Kharkiv" and places["Air/drone strike"] == "Shebekino"


def test_side_acts_are_part_of_the_battle(assembler):
    arrest = TriggerValue("Strategic developments", "Arrests", "arrest")
    local = Assembler.load(entries=dict(HINTS, arrest={"priority": 55}))
    (c,) = local(*build([(
        "M23 rebels clashed with the army in Goma on Monday and the army arrested 12 fighters.",
        [("actor", "M23 rebels", None), ("trigger", "clashed", CLASH), ("actor", "the army", None),
         ("place", "Goma", None), ("date", "Monday", day(-3)), ("trigger", "arrested", arrest)],
    )]))
    assert c.sub_event_type == "Armed clash"


def test_armed_forces_do_not_demonstrate(assembler):
    strike = TriggerValue("Protests", "Peaceful protest", "strike")
    local = Assembler.load(entries=dict(HINTS, strike={"priority": 40}))
    assert local(*build([(
        "A Russian strike hit a school in Kharkiv on Monday.",
        [("actor", "Russian", ACTORS["Russian forces"]), ("trigger", "strike", strike), ("place", "Kharkiv", None),
         ("date", "Monday", day(-3))],
    )])) == ()


@pytest.mark.parametrize("year, events", [("2021", 0), ("2024", 1)])
def test_a_bare_year_before_the_reference_year_is_history(assembler, year, events):
    candidates = run(assembler, [(
        f"In {year}, M23 rebels captured Bunagana, which the army has since failed to retake.",
        [("actor", "M23 rebels", None), ("trigger", "captured", CAPTURE), ("place", "Bunagana", None)],
    )])
    assert len(candidates) == events


def test_fighting_in_which_a_town_was_taken_is_the_taking(assembler):
    candidates = run(assembler, [
        ("M23 rebels captured Bunagana on Sunday after heavy fighting, residents said.",
         [("actor", "M23 rebels", None), ("trigger", "captured", CAPTURE), ("place", "Bunagana", None),
          ("date", "Sunday", day(-4))]),
        ("Local doctors said 17 people were killed in Sunday's clashes around Bunagana.",
         [("number", "17", NumberValue(17, "killed")), ("date", "Sunday", day(-4)), ("trigger", "clashes", CLASH),
          ("place", "Bunagana", None)]),
    ])
    assert [(c.sub_event_type, c.fatalities) for c in candidates] == [("Non-state actor overtakes territory", 17)]


def test_weapons_of_a_battle_are_part_of_it(assembler):
    fire = TriggerValue("Battles", "Armed clash", "came under fire")
    grenade = TriggerValue("Explosions/Remote violence", "Grenade", "grenade")
    local = Assembler.load(entries=dict(HINTS, **{"came under fire": {"priority": 45, "voice": "passive"},
                                                 "grenade": {"priority": 75}}))
    (c,) = local(*build([(
        "A patrol came under fire from rebels using rifles and rocket-propelled grenades near Juba on Monday.",
        [("trigger", "came under fire", fire), ("actor", "rebels", ActorValue("Unidentified Armed Group ({country})", 3)),
         ("trigger", "rocket-propelled grenades", grenade), ("place", "Juba", None), ("date", "Monday", day(-3))],
    )]))
    assert c.sub_event_type == "Armed clash"


def test_dateline_date_is_the_report_not_the_event(assembler):
    (c,) = run(assembler, [(
        "JUBA, March 13 (Reuters) - Fighting between the army and the SPLM-IO killed 9 people near Juba.",
        [("date", "March 13", day(-1)), ("trigger", "Fighting", CLASH), ("actor", "the army", None),
         ("actor", "the SPLM-IO", None), ("number", "9", NumberValue(9, "killed")), ("place", "Juba", None)],
    )])
    assert c.date_how != "explicit"


def test_town_of_the_countries_the_article_is_about_is_kept(assembler):
    jeddah = Place("Jeddah", 21.5, 39.2, "city", "Saudi Arabia", "SAU", admin1="Makkah")
    khartoum = Place("Khartoum", 15.6, 32.5, "city", "Sudan", "SDN", admin1="Khartoum")
    army = ActorValue("Military Forces of Sudan (2019-)", 1, "Sudan")
    candidates = run(assembler, [
        ("The Sudanese army and the RSF signed a truce in Jeddah on Saturday.",
         [("actor", "Sudanese army", army), ("trigger", "signed", TRUCE), ("place", "Jeddah", jeddah),
          ("date", "Saturday", day(-5))]),
        ("The talks in Jeddah were hosted by Saudi Arabia.", [("place", "Jeddah", jeddah)]),
        ("Fighting continued in Khartoum on Saturday.",
         [("trigger", "Fighting", CLASH), ("place", "Khartoum", khartoum), ("date", "Saturday", day(-5))]),
    ])
    assert {c.sub_event_type: c.place.name for c in candidates}["Armed clash"] == "Khartoum"


def test_malformed_rule_file_is_an_actionable_error(tmp_path):
    import shutil

    from etl.errors import DataFileError
    from etl.paths import vocab_dir

    shutil.copy(vocab_dir() / "cues.yaml", tmp_path / "cues.yaml")
    (tmp_path / "assembly.yaml").write_text("lead_sentences: 3\n")
    with pytest.raises(DataFileError, match="assembly.yaml"):
        Assembler.load(tmp_path, entries={})


def test_headline_sums_up_the_body_and_adds_no_toll(assembler):
    kill = TriggerValue("Violence against civilians", "Attack", "killed")
    candidates = run(assembler, [
        ("Shelling kills 9 in Kharkiv",
         [("trigger", "Shelling", SHELLING), ("number", "9", NumberValue(9, "killed")), ("place", "Kharkiv", None)]),
        ("Russian forces shelled Kharkiv on Monday, killing nine people, officials said.",
         [("actor", "Russian forces", None), ("trigger", "shelled", SHELLING), ("place", "Kharkiv", None),
          ("date", "Monday", day(-3)), ("trigger", "killing", kill), ("number", "nine", NumberValue(9, "killed"))]),
    ])
    assert [(c.sentence.index, c.fatalities) for c in candidates] == [(1, 9)]


@pytest.mark.parametrize(
    "sentence, marks, expected",
    [
        ("Protesters marched in Dhaka on Monday and set fire to a police box.",
         [("actor", "Protesters", ActorValue("Protesters ({country})", 6)), ("trigger", "marched", PROTEST),
          ("place", "Dhaka", None), ("date", "Monday", day(-3)),
          ("trigger", "set fire", TriggerValue("Strategic developments", "Looting/property destruction", "loot"))],
         ("Riots", "Violent demonstration")),
        ("Police opened fire on students protesting in Dhaka on Monday, killing two.",
         [("actor", "Police", ActorValue("Police Forces of {country}", 1)),
          ("trigger", "opened fire", TriggerValue("Violence against civilians", "Attack", "opened fire")),
          ("actor", "students", ActorValue("Civilians ({country})", 7)), ("trigger", "protesting", PROTEST),
          ("place", "Dhaka", None), ("date", "Monday", day(-3)), ("number", "two", NumberValue(2, "killed"))],
         ("Protests", "Excessive force against protesters")),
    ],
)
def test_what_happens_at_a_protest(assembler, sentence, marks, expected):
    local = Assembler.load(entries=dict(HINTS, loot={"priority": 55}, **{"opened fire": {"priority": 50}}))
    (c,) = local(*build([(sentence, marks)]))
    assert (c.event_type, c.sub_event_type) == expected


def test_agent_with_modifiers_is_not_the_subject(assembler):
    (c,) = run(assembler, [(
        "The army, backed by allied rebels, recaptured Palmyra on Wednesday.",
        [("actor", "The army", ACTORS["the army"]), ("actor", "rebels", ActorValue("Islamic State (Syria)", 2)),
         ("trigger", "recaptured", RECAPTURE), ("place", "Palmyra", None), ("date", "Wednesday", day(-1))],
    )])
    assert c.actor1.name == "Military Forces of {country}" and c.sub_event_type == "Government regains territory"


def test_hospital_town_is_not_where_the_attack_happened(assembler):
    (c,) = run(assembler, [(
        "Gunmen attacked a village near Goma on Monday and the wounded were taken to hospital in Juba.",
        [("actor", "Gunmen", ACTORS["gunmen"]), ("trigger", "attacked", CLASH), ("place", "Goma", None),
         ("date", "Monday", day(-3)), ("place", "Juba", None)],
    )])
    assert c.place.name == "Goma"


def test_date_of_a_statement_is_a_report_date_for_violence(assembler):
    (c,) = run(assembler, [(
        "Police, in a statement on Tuesday, said gunmen had clashed with vigilantes near Gusau.",
        [("actor", "Police", ActorValue("Police Forces of {country}", 1)), ("date", "Tuesday", day(-2)),
         ("actor", "gunmen", ACTORS["gunmen"]), ("trigger", "clashed", CLASH), ("place", "Gusau", None)],
    )])
    assert c.date_how == "reported" and c.date.precision == 2


# --- indexing helpers ----------------------------------------------------------------------
def test_mentions_grouped_by_sentence_and_kind_keep_their_order():
    from etl.assemble import _by_sentence_and_kind

    a, b, c, d = (Mention(kind, sentence, at, at + 1, "x", None)
                  for kind, sentence, at in (("place", 0, 0), ("actor", 0, 2), ("place", 0, 4), ("place", 1, 9)))
    assert _by_sentence_and_kind([a, b, c, d]) == {0: {"place": [a, c], "actor": [b]}, 1: {"place": [d]}}


def test_dateline_is_matched_once_and_only_near_the_start(assembler):
    from etl.assemble import _Dateline

    text = "KYIV, March 12 (Reuters) - Russian forces shelled Kharkiv on Tuesday."
    sentence = Sentence(0, 10, 10 + len(text), text)
    dateline = _Dateline(assembler.dateline, sentence)
    at = text.index("Kharkiv")
    assert dateline.covers(Mention("place", 0, 10, 14, "KYIV", PLACES["Kharkiv"]))
    assert not dateline.covers(Mention("place", 0, 10 + at, 10 + at + 7, "Kharkiv", PLACES["Kharkiv"]))
    plain = Sentence(1, 0, 30, "Fighting near Kharkiv went on.")
    assert not _Dateline(assembler.dateline, plain).covers(Mention("place", 1, 14, 21, "Kharkiv", PLACES["Kharkiv"]))


def test_free_places_drop_places_inside_actor_names_and_datelines(assembler):
    from etl.assemble import _Dateline, _free_places

    text = "Gusau police said gunmen attacked Gusau market."
    sentence = Sentence(0, 0, len(text), text)
    inside = Mention("place", 0, 0, 5, "Gusau", PLACES["Gusau"])
    actor = Mention("actor", 0, 0, 12, "Gusau police", ActorValue("Police Forces of {country}", 1))
    free = Mention("place", 0, 34, 39, "Gusau", PLACES["Gusau"])
    not_a_place = Mention("place", 0, 34, 39, "Gusau", None)
    dateline = _Dateline(assembler.dateline, sentence)
    assert _free_places([inside, free, not_a_place], [actor], dateline) == (free,)
    assert _free_places([inside, free], [], dateline) == (inside, free)


def test_a_sentence_reads_its_cues_only_when_asked(assembler):
    from etl.assemble import _Sentence

    text = "Russian forces will shell Kharkiv."
    sentence = Sentence(0, 0, len(text), text)
    calls = []

    def reader():
        calls.append(1)
        return ((0, 10), (10, len(text))), ()

    view = _Sentence(sentence, reader=reader)
    assert not calls
    assert view.clauses == ((0, 10), (10, len(text))) and view.cues == ()
    assert len(calls) == 1  # read once
    bare = _Sentence(sentence)
    assert bare.clauses == ((0, len(text)),) and bare.cues == ()


def test_triggers_that_fail_other_checks_need_no_cues(assembler):
    """A weak trigger without support is dropped before the sentence's cues are read."""
    article, sentences, mentions, reference = build([(
        "Two people were killed.", [("trigger", "killed", KILLED)],
    )])
    views = assembler._views(sentences, mentions, reference.date)
    assert views[0].triggers and assembler._select(views[0]) == []
    assert views[0]._read is None  # never read


# --- a sentence whose dates all lie outside the news --------------------------------------------
def _background_sentence():
    return build([("In 2015, M23 rebels captured the border town of Bunagana, and fighting resumed in 2019.",
                   [("date", "2015", DateValue(dt.date(2015, 1, 1), 3)), ("actor", "M23 rebels", None),
                    ("trigger", "captured", CAPTURE), ("place", "Bunagana", None),
                    ("date", "2019", DateValue(dt.date(2019, 1, 1), 3))])])


def test_a_sentence_dated_only_in_the_background_is_dated_out(assembler):
    article, sentences, mentions, reference = _background_sentence()
    views = assembler._views(sentences, mentions, reference.date)
    assert assembler._dated_out(views[0], reference.date)
    assert assembler(article, sentences, mentions, reference) == ()


def test_a_sentence_with_a_news_date_is_not_dated_out(assembler):
    article, sentences, mentions, reference = build([
        ("M23 rebels captured Bunagana on Tuesday, years after they first took it in 2015.",
         [("actor", "M23 rebels", None), ("trigger", "captured", CAPTURE), ("place", "Bunagana", None),
          ("date", "Tuesday", day(-2)), ("date", "2015", DateValue(dt.date(2015, 1, 1), 3))])])
    views = assembler._views(sentences, mentions, reference.date)
    assert not assembler._dated_out(views[0], reference.date)
    assert [c.sub_event_type for c in assembler(article, sentences, mentions, reference)] == [CAPTURE.sub_event_type]


def test_the_cues_of_a_sentence_dated_out_are_not_read(assembler, monkeypatch):
    article, sentences, mentions, reference = _background_sentence()

    def unread(self, sentence):
        raise AssertionError("cues read")

    monkeypatch.setattr(type(assembler.cues), "read", unread)
    assert assembler(article, sentences, mentions, reference) == ()


# --- a sentence placed only in whole countries ----------------------------------------------------
def _mention_of(name: str) -> Mention:
    return Mention("place", 0, 0, len(name), name, PLACES[name])


def test_only_countries_elsewhere():
    from etl.assemble import _only_countries_elsewhere

    ukraine = (_mention_of("Ukraine"),)
    assert _only_countries_elsewhere(ukraine, None)  # no main place to fall back on
    assert _only_countries_elsewhere(ukraine, PLACES["Gusau"])  # the main place is in another country
    assert not _only_countries_elsewhere(ukraine, PLACES["Kharkiv"])  # the main place is in that country
    assert _only_countries_elsewhere(ukraine, PLACES["Ukraine"])  # the main place is no finer than a country
    assert not _only_countries_elsewhere(ukraine + (_mention_of("Kharkiv"),), None)  # a town is named
    assert not _only_countries_elsewhere((), None)  # no place: the main place, if any, serves


def test_the_cues_of_a_sentence_placed_only_in_another_country_are_not_read(assembler, monkeypatch):
    parts = [("The gunmen clashed with the army in Gusau on Tuesday.",
              [("actor", "gunmen", None), ("trigger", "clashed", CLASH), ("actor", "the army", None),
               ("place", "Gusau", None), ("date", "Tuesday", day(-2))]),
             ("Troops and separatists clashed in Ukraine on Monday.",
              [("trigger", "clashed", CLASH), ("place", "Ukraine", None), ("date", "Monday", day(-3))])]
    coded = run(assembler, parts)
    assert [c.place.name for c in coded] == ["Gusau"]
    read = type(assembler.cues).read
    read_texts = []

    def spy(self, sentence):
        read_texts.append(sentence.text)
        return read(self, sentence)

    monkeypatch.setattr(type(assembler.cues), "read", spy)
    assert run(assembler, parts) == coded
    assert read_texts == [parts[0][0]]

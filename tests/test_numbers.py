"""NumberFinder: counts, their qualifiers and vagueness, and the role the grammar gives them."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings, strategies as st

from etl.numbers import NumberFinder
from etl.records import Article, NumberValue
from etl.sentences import Splitter


@lru_cache(maxsize=1)
def finder() -> NumberFinder:
    return NumberFinder.load()


@lru_cache(maxsize=1)
def splitter() -> Splitter:
    return Splitter.load()


def numbers(text: str) -> list[tuple[str, NumberValue]]:
    sents = splitter()(Article(key="k", file="k.txt", text=text, sha256=""))
    out = []
    for m in finder()(sents):
        assert m.kind == "number"
        assert m.text == text[m.start:m.end]
        out.append((m.text, m.value))
    return out


def people(text: str) -> list[tuple[str, int, str, bool]]:
    """The mentions that are not role 'other'."""
    return [(t, v.value, v.role, v.vague) for t, v in numbers(text) if v.role != "other"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # killed, in the many ways reports say it
        ("At least 40 people were killed and more than 100 wounded in the RSF assault on El Geneina.",
         [("At least 40", 40, "killed", False), ("more than 100", 100, "wounded", False)]),
        ("The ambush killed 12 soldiers near Gao, the army said.", [("12", 12, "killed", False)]),
        ("12 soldiers were killed when their convoy hit a mine in Cabo Delgado.", [("12", 12, "killed", False)]),
        ("The death toll from the strike on Kramatorsk rose to 12 on Friday.", [("12", 12, "killed", False)]),
        ("Rescuers counted 12 dead after the quake-hit town was shelled.", [("12", 12, "killed", False)]),
        ("Gunmen stormed a church in Owo, killing 12 worshippers.", [("12", 12, "killed", False)]),
        ("The fighting claimed the lives of thirty-two civilians in Sittwe.", [("thirty-two", 32, "killed", False)]),
        ("Two dozen migrants lost their lives off the Libyan coast.", [("Two dozen", 24, "killed", False)]),
        ("Police recovered the bodies of 7 men in Zacatecas.", [("7", 7, "killed", False)]),
        ("A hundred villagers died in the raid, local officials said.", [("A hundred", 100, "killed", False)]),
        ("Health officials reported 2,261 deaths since the siege began.", [("2,261", 2261, "aggregate", False)]),
        # wounded, missing, casualties
        ("Three hundred people were injured in the blast in Kabul.", [("Three hundred", 300, "wounded", False)]),
        ("The explosion in Mogadishu wounded 30 and killed 5.", [("30", 30, "wounded", False), ("5", 5, "killed", False)]),
        ("Eleven fishermen are still missing after the attack on the lake.", [("Eleven", 11, "missing", False)]),
        ("The army reported 15 casualties among its troops in Donetsk.", [("15", 15, "casualties", False)]),
        ("About 20 people were killed or wounded in the clashes in Kidal.", [("About 20", 20, "casualties", True)]),
        ("Strikes have killed at least 34,000 people since October 7, the health ministry said.",
         [("at least 34,000", 34000, "aggregate", False)]),
        ("Three soldiers were killed and 10 wounded in northern Gaza, the army said.",
         [("Three", 3, "killed", False), ("10", 10, "wounded", False)]),
        ("An estimated 150,000 people have died in the conflict in Tigray.",
         [("An estimated 150,000", 150000, "aggregate", True)]),
        ("The death toll has risen to 57, with 120 injured, officials in Herat said.",
         [("57", 57, "killed", False), ("120", 120, "wounded", False)]),
        ("The shelling left 9 people dead in Avdiivka.", [("9", 9, "killed", False)]),
        ("Fourteen miners died and 3 remain missing after the raid in Zamfara.",
         [("Fourteen", 14, "killed", False), ("3", 3, "missing", False)]),
        ("Riot police fired tear gas at some 2,000 protesters in Nairobi.", [("some 2,000", 2000, "crowd", True)]),
        ("Five people, among them two children, died in the blaze in Port-au-Prince.",
         [("Five", 5, "killed", False)]),
        # coordinated and elliptical counts
        ("Four soldiers and two civilians were killed in the attack near Tillabéri.",
         [("Four", 4, "killed", False), ("two", 2, "killed", False)]),
        ("The drone strike killed nine fighters and three children.",
         [("nine", 9, "killed", False), ("three", 3, "killed", False)]),
        # displaced, detained, crowd
        ("Nearly 5,000 residents fled to neighbouring Chad after the fighting.", [("Nearly 5,000", 5000, "displaced", True)]),
        ("Peacekeepers evacuated 800 civilians from the besieged town.", [("800", 800, "displaced", False)]),
        ("Some 1,200 people are sheltering in a church compound in Bunia.", [("Some 1,200", 1200, "displaced", True)]),
        ("Security forces arrested 45 protesters in Tehran on Saturday.", [("45", 45, "detained", False)]),
        ("Gunmen abducted 20 students from a school in Kaduna state.", [("20", 20, "detained", False)]),
        ("About 3,000 demonstrators gathered outside parliament in Yerevan.", [("About 3,000", 3000, "crowd", True)]),
        ("Thousands of people marched through Santiago on Sunday.", [("Thousands", 1000, "crowd", True)]),
        ("Several hundred students marched on the ministry in Dhaka.", [("Several hundred", 100, "crowd", True)]),
        # vague quantities, coded by ACLED's rule
        ("Dozens of civilians were killed in the bombardment of Khan Younis.", [("Dozens", 12, "killed", True)]),
        ("Hundreds of people died in the famine-stricken camp.", [("Hundreds", 100, "killed", True)]),
        ("Several police officers were killed by a roadside bomb in Balochistan.", [("Several", 3, "killed", True)]),
        ("Up to 30,000 people may have been killed in the war.", [("Up to 30,000", 30000, "aggregate", True)]),
        ("Over 50 fighters were killed in the battle for the airport.", [("Over 50", 50, "killed", False)]),
        # "a"/"an" before a person counts one when a role goes with it
        ("A police officer was killed in the attack in Quetta.", [("A", 1, "killed", False)]),
        ("The strike killed a 12-year-old boy and wounded two others in Kherson.",
         [("a", 1, "killed", False), ("two", 2, "wounded", False)]),
        ("Nearly 700 people sheltered in a camp near Kalehe after the clashes.",
         [("Nearly 700", 700, "displaced", True)]),
        ("A protester said the march would go ahead.", []),
        ("An 80-year-old woman died when the shell hit her home in Nikopol.", [("An", 1, "killed", False)]),
        # negations
        ("No casualties were reported after the rocket hit a field near Sderot.", [("No casualties", 0, "killed", False)]),
        ("No one was killed in the overnight drone attack on Lviv, officials said.", [("No one was killed", 0, "killed", False)]),
        ("The protest in Dakar ended without casualties.", [("without casualties", 0, "killed", False)]),
    ],
)
def test_roles(text, expected):
    assert people(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A 1,500-strong UN battalion stayed in its bases near Bunia.",
        "The army deployed 3,000 troops to the border region of Tigray.",
        "The M23 claimed it now held over 40 army posts around Sake.",
        "The war of 2020 lasted 44 days.",
        "The curfew begins at 21:00 and a second siren sounded at 1.00 pm.",
        "Fighting resumed at 0900 GMT on 20 May 2024.",
        "Inflation reached 40 percent while the currency lost 15% of its value.",
        "The government pledged $5 million and 200 tonnes of food aid.",
        "Among the dead was a boy aged 12 and a 9-year-old girl.",
        "The brigade fired 30 rockets at the town.",
        "In 1994, a truce was signed after years of war.",
        "Security Council Resolution 2334 was cited.",
        "One of the commanders said the offensive would continue.",
        "Several cities and villages were retaken last year.",
        "Many analysts doubt the truce will hold.",
        "The kidnappers demanded a ransom of 20 million naira for the pastor.",
        "Gang members asked for a million pesos for each hostage.",
        "Soldiers rescued 15 of the abducted farmers near Kaduna.",
        "Stones were thrown as two communities faced each other across the road.",
    ],
)
def test_not_counts_of_people(text):
    assert people(text) == []


@pytest.mark.parametrize(
    "text, role",
    [
        ("2,300 civilians, including 900 children, are staying in a camp near Goma.", "displaced"),
    ],
)
def test_subset_is_other_and_total_keeps_role(text, role):
    found = numbers(text)
    assert found[0][1].role == role
    assert found[1][1].role == "other"


@pytest.mark.parametrize(
    "text, value",
    [
        ("A dozen soldiers were killed.", 12),
        ("Half a dozen people were killed.", 6),
        ("One hundred and twenty people were killed.", 120),
        ("Two thousand five hundred people were displaced.", 2500),
        ("1.5 million people were displaced.", 1500000),
        ("Ninety-nine people were killed.", 99),
    ],
)
def test_number_words(text, value):
    assert numbers(text)[0][1].value == value


def test_years_and_times_are_never_people_counts():
    text = "In 2023 at 1300 GMT about 2000 people were killed in 2022 clashes at 13:30."
    found = numbers(text)
    counted = [(t, v.value) for t, v in found if v.role != "other"]
    assert counted == [("about 2000", 2000)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["at least", "12", "2,000", "1.5", "million", "killed", "wounded", "and", "no one", "was",
     "dozens", "of", "people", "several", "-", ",", ".", "one", "thirty", "two", "hundred", "a",
     "including", "were", "aged", "2020", "13:00", "fled", "%", "up to"]), max_size=25).map(" ".join))
def test_values_are_non_negative_ints(text):
    for _, value in numbers(text):
        assert isinstance(value.value, int) and value.value >= 0
        assert value.role in ("killed", "wounded", "casualties", "missing", "displaced", "detained",
                              "crowd", "other", "aggregate")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_never_crashes(text):
    numbers(text)


# --- aggregate tolls: a period's, a country's or a conflict's toll is never an event's ----
@pytest.mark.parametrize(
    "text, expected",
    [
        ("The insurgency in Cabo Delgado has killed more than 4,000 people since 2017.",
         [("more than 4,000", 4000, "aggregate", False)]),
        ("Gang violence has claimed 2,500 lives in Port-au-Prince this year, the UN said.",
         [("2,500", 2500, "aggregate", False)]),
        ("At least 230 people have been killed so far this year in attacks on herders in Benue.",
         [("At least 230", 230, "aggregate", False)]),
        ("About 90 protesters were killed during the months of unrest that followed the vote in Maputo.",
         [("About 90", 90, "aggregate", True)]),
        ("In total, 63 civilians died in drone strikes across the country within a year.",
         [("63", 63, "aggregate", False)]),
        ("Since the coup in 2021, the security forces have shot dead at least 1,500 demonstrators.",
         [("at least 1,500", 1500, "aggregate", False)]),
        ("The civil war, which began in 2012, has now killed tens of thousands of Malians.",
         [("tens of thousands", 10000, "aggregate", True)]),
        ("Nearly 300 villagers have died in the conflict over the past two years in Oromia.",
         [("Nearly 300", 300, "aggregate", True)]),
        # the event's own toll stays, beside the campaign's toll in another clause
        ("Bandits killed 7 farmers near Tsafe on Monday, in a wave of raids that has killed more "
         "than 400 people since January.",
         [("7", 7, "killed", False), ("more than 400", 400, "aggregate", False)]),
        ("Eight people have been killed since Saturday in the clashes in Bunia.", [("Eight", 8, "killed", False)]),
        ("The strike on the market in Kherson killed 9 people, the governor said.", [("9", 9, "killed", False)]),
        ("The army said it killed a total of 14 militants in the raid near Mandera.",
         [("14", 14, "killed", False)]),
        ("Overall, 31 people died in the three days of rioting in Dakar.", [("31", 31, "aggregate", False)]),
        ("All told, 26 people were killed in the raids on the camps near Maiduguri.",
         [("26", 26, "aggregate", False)]),
        ("In total 19 herders were killed in the raids on the camps in Mopti.", [("19", 19, "aggregate", False)]),
        # a total later in the clause may be one event's
        ("The landmine killed 5 deminers in total near Kherson, officials said.", [("5", 5, "killed", False)]),
        # a cue that ranks the event does not sum a period
        ("At least 11 people were killed on Sunday in the deadliest attack this year in Borno.",
         [("At least 11", 11, "killed", False)]),
        ("Gunmen killed 6 worshippers in the worst attack on a mosque in Herat since 2021.",
         [("6", 6, "killed", False)]),
    ],
)
def test_aggregate_tolls(text, expected):
    assert people(text) == expected


# --- one person named by a noun phrase; school grades are not counts -----------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Soldiers opened fire on the crowd in Conakry, killing a teenager.", [("a", 1, "killed", False)]),
        ("Gunmen on a motorbike shot dead a councillor in Karachi on Friday.", [("a", 1, "killed", False)]),
        ("A pastor was shot dead outside his church in Plateau state.", [("A", 1, "killed", False)]),
        ("The drone hit a bus near Kharkiv, wounding an elderly driver.", [("an", 1, "wounded", False)]),
        ("Police in Tegucigalpa arrested a journalist covering the march.", [("a", 1, "detained", False)]),
        ("A Form Two pupil was shot dead during the riot in Kisii.", [("A", 1, "killed", False)]),
        ("Grade 7 learners were sent home after the clashes in Cape Town.", []),
        ("Class 4 children fled when the school in Rakhine was shelled.", []),
        ("Standard 8 pupils sat their exams under guard in Garissa.", []),
        ("The raid killed a number of fighters near Idlib.", [("a number of", 3, "killed", True)]),
        ("Suspected herders killed a farmer and his two sons near Makurdi.",
         [("a", 1, "killed", False), ("two", 2, "killed", False)]),
        ("An off-duty police officer was gunned down in Culiacán.", [("An", 1, "killed", False)]),
        ("Police detained a group of students outside the campus in Yaoundé.", []),
        ("The airstrike killed a family of five in their home near Marib.", [("five", 5, "killed", False)]),
    ],
)
def test_single_person_and_school_grades(text, expected):
    assert people(text) == expected


# --- a count opening its sentence takes the role of its passive verb, past a long subject ---
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Separately, two members of the Civilian Joint Task Force (CJTF), a vigilante group that "
         "patrols with soldiers, were killed near Konduga on Saturday.", [("two", 2, "killed", False)]),
        ("Three fishermen from the island, the navy said, were later found dead.", [("Three", 3, "killed", False)]),
        ("Four guards, who had been posted at the bridge over the river since dawn, were abducted.",
         [("Four", 4, "detained", False)]),
        ("Three policemen, including an inspector, were martyred when militants stormed a post in Bannu.",
         [("Three", 3, "killed", False)]),
        ("Militants martyred two levies personnel at a checkpoint in Zhob.", [("two", 2, "killed", False)]),
        ("Two policemen, an officer said, were attending a wedding in Mardan.", []),
        # "two of the injured": part of a count given elsewhere
        ("Doctors in Kherson reported that two of the injured remain in intensive care.", []),
        ("Three of them later died in hospital in Maiduguri.", []),
    ],
)
def test_subject_and_partitive_counts(text, expected):
    assert people(text) == expected


def test_gate_finder_finds_every_gate_stem():
    """The one-pass gate (an automaton) gates the sentences a substring search would."""
    from etl.numbers import NumberFinder

    finder = NumberFinder.load()
    text = "\x00".join(["A soldier was killed.", "Nothing here.", "two were kidnapped and one died", "dead"])
    found = {end for end, _ in finder.gate_finder.iter(text)}
    expected = set()
    for stem in finder.single_gate:
        at = text.find(stem)
        while at >= 0:
            expected.add(at + len(stem) - 1)
            at = text.find(stem, at + 1)
    assert found == expected and found

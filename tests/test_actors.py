"""Actor mentions: sentences in wire, local-outlet and official styles -> ACLED actor names."""
from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.actors import ActorFinder
from etl.paths import vocab_dir
from etl.records import ActorValue, Sentence


@pytest.fixture(scope="module")
def finder() -> ActorFinder:
    return ActorFinder.load()


def sentences(*texts: str) -> tuple[Sentence, ...]:
    out, position = [], 0
    for index, text in enumerate(texts):
        out.append(Sentence(index, position, position + len(text), text))
        position += len(text) + 1
    return tuple(out)


def found(finder, *texts):
    return [(m.text, m.value.name, m.value.inter) for m in finder(sentences(*texts))]


# sentence -> every (phrase, ACLED name, inter) expected among the mentions
CASES = [
    # state forces by nationality adjective, country possessive, capital possessive
    ("Ukrainian troops pushed back a Russian assault near Kupiansk on Monday, the general staff said.",
     [("Ukrainian troops", "Military Forces of Ukraine (2019-)", 1)]),
    ("The Sudanese army said its aircraft hit positions held by the paramilitary in El Obeid.",
     [("Sudanese army", "Military Forces of Sudan (2019-)", 1)]),
    ("Israeli soldiers raided the Balata camp before dawn, the Palestinian health ministry reported.",
     [("Israeli soldiers", "Military Forces of Israel (2022-)", 1)]),
    ("Kyiv's forces struck a fuel depot, according to regional officials.",
     [("Kyiv's forces", "Military Forces of Ukraine (2019-)", 1)]),
    ("Azerbaijan's defence ministry accused the other side of firing on its posts.",
     [("Azerbaijan's defence ministry", "Military Forces of Azerbaijan (2003-)", 1)]),
    ("Nigerian police said they had rescued 14 hostages in Katsina.",
     [("Nigerian police", "Police Forces of Nigeria (2023-)", 1)]),
    ("Malian soldiers and Wagner fighters entered the town of Anefis, residents said.",
     [("Malian soldiers", "Military Forces of Mali (2021-)", 1), ("Wagner fighters", "Wagner Group", 8),
      ("residents", "Civilians ({country})", 7)]),
    ("The Russian air force carried out more than 20 sorties over the region.",
     [("Russian air force", "Military Forces of Russia (2000-) Air Force", 1)]),
    ("Georgian border guards detained two men near the boundary line.",
     [("Georgian border guards", "Military Forces of Georgia (2012-) Border Guard", 1)]),
    ("A Colombian army patrol was ambushed in Cauca.",
     [("Colombian army", "Military Forces of Colombia (2022-)", 1)]),
    ("Burkinabe soldiers repelled the raid on Djibo, the junta said in a statement.",
     [("Burkinabe soldiers", "Military Forces of Burkina Faso (2022-)", 1)]),
    # capital or country as the state acting (metonym)
    ("Moscow said the strikes targeted military infrastructure.",
     [("Moscow", "Government of Russia (2000-)", 1)]),
    ("Baku launched what it called counter-terrorism measures early on Tuesday.",
     [("Baku", "Military Forces of Azerbaijan (2003-)", 1)]),
    ("Islamabad has repeatedly accused Kabul of sheltering militants.",
     [("Islamabad", "Government of Pakistan (2024-)", 1)]),
    ("Israel struck targets in southern Lebanon overnight.",
     [("Israel", "Military Forces of Israel (2022-)", 1)]),
    # officials and governments
    ("Armenian Prime Minister said his government would not be drawn into the fighting.",
     [("Armenian Prime Minister", "Government of Armenia (2018-)", 1)]),
    ("The Kremlin said talks had stalled.", [("The Kremlin", "Government of Russia (2000-)", 1)]),
    # named groups
    ("The Rapid Support Forces said they had taken full control of the Jebel Aulia area.",
     [("Rapid Support Forces", "Rapid Support Forces", 2)]),
    ("RSF fighters looted the market in Nyala, witnesses said.",
     [("RSF fighters", "Rapid Support Forces", 2)]),
    ("Al-Shabaab militants stormed a hotel in Kismayo.",
     [("Al-Shabaab militants", "Al Shabaab", 2)]),
    ("JNIM claimed the ambush that killed 11 soldiers near Boulkessi.",
     [("JNIM", "JNIM: Jama'at Nasr al-Islam wal Muslimin", 2)]),
    ("ISWAP fighters overran a base in Borno state.",
     [("ISWAP fighters", "Islamic State (West Africa)", 2)]),
    ("Boko Haram insurgents abducted dozens of women near Gwoza.",
     [("Boko Haram insurgents", "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", 2),
      ("women", "Civilians ({country})", 7)]),
    ("The Houthis fired a ballistic missile at a tanker in the Red Sea.",
     [("Houthis", "Military Forces of Yemen (2017-) Houthi", 2)]),
    ("Hezbollah said it launched drones at an Israeli army base.",
     [("Hezbollah", "Hezbollah", 3), ("Israeli army", "Military Forces of Israel (2022-)", 1)]),
    ("M23 rebels advanced towards Sake, the Congolese army said.",
     [("M23 rebels", "M23: March 23 Movement", 2),
      ("Congolese army", "Military Forces of the Democratic Republic of Congo (2019-)", 1)]),
    ("The Arakan Army said it had captured a junta outpost in Rakhine.",
     [("Arakan Army", "AA: Arakan Army", 2)]),
    ("PDF fighters clashed with the Tatmadaw in Sagaing region.",
     [("PDF fighters", "PDF: People's Defense Force", 2), ("Tatmadaw", "Military Forces of Myanmar (2021-)", 1)]),
    ("ELN guerrillas attacked a police station in Arauca, the ombudsman said.",
     [("ELN guerrillas", "ELN: National Liberation Army", 2)]),
    ("Suspected CJNG hitmen opened fire at a bar in Guanajuato.",
     [("CJNG hitmen", "CJNG: Jalisco New Generation Cartel", 3)]),
    ("The IDF said its jets struck a Hamas command centre in Khan Younis.",
     [("IDF", "Military Forces of Israel (2022-)", 1)]),
    ("The TTP claimed responsibility for the attack on a checkpoint in Bannu.",
     [("TTP", "TTP: Tehreek-i-Taliban Pakistan", 2)]),
    ("Fano militiamen seized the town of Lalibela, local officials said.",
     [("Fano militiamen", "Fano Militia", 3)]),
    # generic references that wait for the event's country
    ("Unidentified gunmen shot dead a village chief on Sunday.",
     [("Unidentified gunmen", "Unidentified Armed Group ({country})", 3)]),
    ("Security forces fired tear gas at protesters outside parliament.",
     [("Security forces", "Military Forces of {country}", 1), ("protesters", "Protesters ({country})", 6)]),
    ("Riot police detained several demonstrators, the interior ministry said.",
     [("Riot police", "Police Forces of {country}", 1), ("demonstrators", "Protesters ({country})", 6),
      ("interior ministry", "Police Forces of {country}", 1)]),
    ("A mob beat a suspected thief to death in the market.",
     [("A mob", "Rioters ({country})", 5)]),
    ("Three children and a teacher were among the dead.",
     [("children", "Civilians ({country})", 7), ("teacher", "Civilians ({country})", 7)]),
    # adjective resolves a generic noun
    ("Armenian protesters blocked the road to the airport.",
     [("Armenian protesters", "Protesters (Armenia)", 6)]),
    ("Palestinian civilians fled the northern district on foot.",
     [("Palestinian civilians", "Civilians (Palestine)", 7)]),
    ("Israeli settlers torched cars in the village of Huwara.",
     [("Israeli settlers", "Settlers (Israel)", 3)]),
    ("Kenyan rioters set fire to a police post in Kisumu.",
     [("Kenyan rioters", "Rioters (Kenya)", 5)]),
    # separatists and regions
    ("Armenian separatists agreed to hand over their heavy weapons.",
     [("Armenian separatists", "Military Forces of Artsakh (2007-)", 2)]),
    ("Ethnic Armenian forces in the enclave said they were outgunned.",
     [("Ethnic Armenian forces", "Military Forces of Artsakh (2007-)", 2)]),
    ("Pro-Russian separatists shelled Avdiivka overnight.",
     [("Pro-Russian separatists", "NAF: United Armed Forces of Novorossiya", 2)]),
    ("Tigrayan forces withdrew from Alamata, a spokesman said.",
     [("Tigrayan forces", "TPLF: Tigray People's Liberation Front", 2)]),
    ("Baloch separatists attacked a convoy on the coastal highway.",
     [("Baloch separatists", "BLA: Baloch Liberation Army", 2)]),
    # identity militias
    ("Fulani gunmen killed nine farmers in Plateau state.",
     [("Fulani gunmen", "Fulani Ethnic Militia ({country})", 4), ("farmers", "Civilians ({country})", 7)]),
    ("Lendu militiamen attacked a displacement camp in Djugu.",
     [("Lendu militiamen", "Lendu Ethnic Militia (Democratic Republic of Congo)", 4)]),
    ("Guerrillas of the National Liberation Army attacked a base in Arauca.",
     [("Guerrillas of the National Liberation Army", "ELN: National Liberation Army", 2)]),
    ("Fighters loyal to the Houthis seized the port.",
     [("Fighters loyal to the Houthis", "Military Forces of Yemen (2017-) Houthi", 2)]),
    ("Health officials said the strike killed 18 Palestinians, among them a doctor.",
     [("Palestinians", "Civilians (Palestine)", 7), ("doctor", "Civilians ({country})", 7)]),
    ("Myanmar's military carried out airstrikes in Sagaing.",
     [("Myanmar's military", "Military Forces of Myanmar (2021-)", 1)]),
    ("Somalia's army and African Union troops retook the district.",
     [("Somalia's army", "Military Forces of Somalia (2022-)", 1)]),
    # a nationality before an attack noun is the state's military acting
    ("An Israeli airstrike flattened a house in Deir al-Balah.",
     [("Israeli", "Military Forces of Israel (2022-)", 1)]),
    ("Residents said Russian shelling had cut power to the city.",
     [("Russian", "Military Forces of Russia (2000-)", 1)]),
    ("Turkey's drone strikes hit a village near Qamishli.",
     [("Turkey", "Military Forces of Turkey (2016-)", 1)]),
    ("Ukrainian territorial defence units dug in near the river.",
     [("Ukrainian territorial defence units", "Military Forces of Ukraine (2019-) Territorial Defense Forces", 1)]),
    ("The junta in Niamey said it had foiled a plot.",
     [("The junta", "Government of {country}", 1)]),
    ("Hostages were freed after 40 days.", [("Hostages", "Civilians ({country})", 7)]),
    # official style: "<organ> of <country>"
    ("The General Staff said units of the Armed Forces of Ukraine repelled 40 attacks.",
     [("Armed Forces of Ukraine", "Military Forces of Ukraine (2019-)", 1)]),
    ("The Government of Sudan rejected the report.",
     [("The Government of Sudan", "Government of Sudan (2019-)", 1)]),
    ("The Ministry of Defence of Azerbaijan reported no losses.",
     [("Ministry of Defence of Azerbaijan", "Military Forces of Azerbaijan (2003-)", 1)]),
    # coordination
    ("Azerbaijani and Armenian troops exchanged fire on the border.",
     [("Azerbaijani", "Military Forces of Azerbaijan (2003-)", 1),
      ("Armenian troops", "Military Forces of Armenia (2018-)", 1)]),
    ("Israeli and Palestinian negotiators met in Cairo.",
     [("Israeli", "Government of Israel (2022-)", 1), ("Palestinian negotiators", "Government of Palestine (1994-)", 1)]),
    ("Baku and Yerevan agreed to restore rail links.",
     [("Baku", "Government of Azerbaijan (2003-)", 1), ("Yerevan", "Government of Armenia (2018-)", 1)]),
    ("Ethiopia and Eritrea signed the accord in Jeddah.",
     [("Ethiopia", "Government of Ethiopia (2018-)", 1), ("Eritrea", "Government of Eritrea (1993-)", 1)]),
    ("U.S. and British warplanes struck targets near Hodeidah.",
     [("U.S.", "Military Forces of the United States (2025-) Air Force", 1),
      ("British warplanes", "Military Forces of the United Kingdom (2024-) Air Force", 1)]),
    ("Russian occupiers shelled the embankment overnight.",
     [("Russian occupiers", "Military Forces of Russia (2000-)", 1)]),
    # peacekeepers
    ("Russian peacekeepers escorted a convoy of buses out of the area.",
     [("Russian peacekeepers", "Military Forces of Russia (2000-)", 8)]),
    ("UN peacekeepers came under fire near Goma.",
     [("UN peacekeepers", "UN: United Nations", 8)]),
    ("MONUSCO said one of its bases was hit.",
     [("MONUSCO", "MONUSCO: United Nations Organization Stabilization Mission in the Democratic Republic of Congo", 8)]),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_sentence_actors(finder, text, expected):
    got = found(finder, text)
    for item in expected:
        assert item in got, f"{item} not in {got}"


# sentence -> phrases that must NOT be actors
NOT_ACTORS = [
    ("Talks in Moscow ended without a deal.", ["Moscow"]),
    ("The Washington Post reported the figures.", ["Washington"]),
    ("Forces were seen moving along the highway.", ["Forces"]),
    ("He spoke to us about the crisis.", ["us", "IS"]),
    ("The government of national unity met in Tripoli.", []),
    ("Russian media reported the figure.", ["Russian"]),
    ("The Israeli economy shrank.", ["Israeli"]),
]


@pytest.mark.parametrize("text,phrases", NOT_ACTORS)
def test_not_actors(finder, text, phrases):
    texts = [m.text for m in finder(sentences(text))]
    for phrase in phrases:
        assert phrase not in texts


def test_generic_rebels_refer_to_the_group_named_earlier(finder):
    got = found(finder, "Al-Shabaab fighters attacked an army base in Lower Shabelle.",
                "The militants were repelled after a two-hour battle.")
    assert ("militants", "Al Shabaab", 2) in got


def test_separatists_take_the_region_named_in_the_article(finder):
    got = found(finder, "The separatists said they would lay down their arms.",
                "Fighting in Nagorno-Karabakh lasted two days.")
    assert ("separatists", "Military Forces of Artsakh (2007-)", 2) in got


@pytest.mark.parametrize("texts,expected", [
    (("Shelling hit Stepanakert, the capital of Nagorno-Karabakh.", "The self-proclaimed presidency said talks would begin."),
     ("presidency", "Government of Artsakh (2007-)", 2)),
    (("The breakaway government said it would disarm.",), ("government", "Separatists ({country})", 2)),
    (("The government said it would disarm.",), ("The government", "Government of {country}", 1)),
])
def test_breakaway_organs(finder, texts, expected):
    assert expected in found(finder, *texts)


def test_separatists_with_no_region_keep_a_placeholder(finder):
    got = found(finder, "The separatists said they would lay down their arms.")
    assert ("separatists", "Separatists ({country})", 2) in got


def test_pro_government_militias_are_not_the_referent_of_later_militants(finder):
    got = found(finder, "Jihadists attacked VDP volunteers near Djibo.", "The terrorists then burned the market.")
    assert ("terrorists", "Unidentified Armed Group ({country})", 3) in got


def test_peacekeepers_refer_to_the_mission_named_earlier(finder):
    got = found(finder, "MONUSCO said its base in Sake was shelled.", "Two peacekeepers were wounded.")
    assert ("peacekeepers", "MONUSCO: United Nations Organization Stabilization Mission in the Democratic Republic of Congo", 8) in got


def test_gunmen_are_never_resolved_to_a_named_group(finder):
    got = found(finder, "ISWAP fighters overran a base.", "Gunmen later abducted travellers on the road.")
    assert ("Gunmen", "Unidentified Armed Group ({country})", 3) in got


def test_bare_troops_take_the_state_named_just_before(finder):
    got = found(finder, "Ethiopian troops entered the town on Monday.", "The soldiers then set up checkpoints.")
    assert ("soldiers", "Military Forces of Ethiopia (2018-)", 1) in got


def test_bare_troops_far_from_any_state_keep_the_placeholder(finder):
    got = found(finder, "Ethiopian troops entered the town on Monday.", "Markets reopened.", "Shops too.",
                "The soldiers then set up checkpoints.")
    assert ("soldiers", "Military Forces of {country}", 1) in got


def test_a_capital_acting_is_remembered_as_the_military(finder):
    got = found(finder, "Ankara sent troops across the border.")
    assert ("Ankara", "Military Forces of Turkey (2016-)", 1) in got
    assert ("troops", "Military Forces of Turkey (2016-)", 1) in got


def test_targets_are_named_but_not_remembered(finder):
    got = found(finder, "Russian troops shelled Ukrainian positions.", "Soldiers later advanced.")
    assert ("Ukrainian positions", "Military Forces of Ukraine (2019-)", 1) in got
    assert ("Soldiers", "Military Forces of Russia (2000-)", 1) in got


@pytest.mark.parametrize("texts,expected", [
    # nationality + fighters: the state's military; a rebel group's fighters stay the group
    (("Ukrainian fighters held the line near Chasiv Yar.",), ("Ukrainian fighters", "Military Forces of Ukraine (2019-)", 1)),
    # an ethnic group of a breakaway region named in the article: the event's country
    (("Armenian residents began leaving on Sunday.", "Buses left Karabakh for Goris."),
     ("Armenian residents", "Civilians ({country})", 7)),
    (("Armenian residents of Gyumri held a vigil.",), ("Armenian residents", "Civilians (Armenia)", 7)),
    (("Security men cordoned off the area.",), ("Security men", "Police Forces of {country}", 1)),
    (("Somali militants attacked the base.", "Al-Shabaab later claimed it."),
     ("Somali militants", "Unidentified Armed Group (Somalia)", 3)),
    (("Al-Shabaab claimed the raid.", "Somali militants had attacked the base."),
     ("Somali militants", "Al Shabaab", 2)),
])
def test_context_resolution(finder, texts, expected):
    assert expected in found(finder, *texts)


def test_offsets_point_into_the_article(finder):
    texts = ("Residents said Sudanese soldiers left the town.", "Then RSF fighters arrived.")
    article = " ".join(texts)
    for mention in finder(sentences(*texts)):
        assert article[mention.start:mention.end] == mention.text
        assert mention.kind == "actor"


# (value, event country, date) -> coded value
FOR_EVENT = [
    (ActorValue("Military Forces of {country}", 1), "Sudan", dt.date(2024, 5, 1),
     ActorValue("Military Forces of Sudan (2019-)", 1, "Sudan")),
    (ActorValue("Police Forces of {country}", 1), "Ukraine", dt.date(2016, 3, 1),
     ActorValue("Police Forces of Ukraine (2014-2019)", 1, "Ukraine")),
    (ActorValue("Military Forces of {country} Air Force", 1), "Russia", None,
     ActorValue("Military Forces of Russia (2000-) Air Force", 1, "Russia")),
    (ActorValue("Military Forces of {country}", 1), "Chile", None,
     ActorValue("Military Forces of Chile", 1, "Chile")),
    (ActorValue("Government of {country}", 1), "USA", dt.date(2019, 1, 1),
     ActorValue("Government of the United States (2017-2021)", 1, "United States")),
    (ActorValue("Civilians ({country})", 7), "Azerbaijan", None, ActorValue("Civilians (Azerbaijan)", 7, "Azerbaijan")),
    (ActorValue("Protesters ({country})", 6), "DRC", None,
     ActorValue("Protesters (Democratic Republic of Congo)", 6, "Democratic Republic of Congo")),
    (ActorValue("Civilians ({country})", 7, "Bulgaria"), "Ukraine", None, ActorValue("Civilians (Bulgaria)", 7, "Bulgaria")),
    # a state's forces abroad are external forces
    (ActorValue("Military Forces of Azerbaijan (2003-)", 1, "Azerbaijan"), "Armenia", dt.date(2020, 10, 1),
     ActorValue("Military Forces of Azerbaijan (2003-)", 8, "Azerbaijan")),
    (ActorValue("Military Forces of Azerbaijan (2003-)", 1, "Azerbaijan"), "Azerbaijan", dt.date(2023, 9, 19),
     ActorValue("Military Forces of Azerbaijan (2003-)", 1, "Azerbaijan")),
    (ActorValue("Military Forces of Artsakh (2007-)", 2, "Azerbaijan"), "Armenia", None,
     ActorValue("Military Forces of Artsakh (2007-)", 8, "Azerbaijan")),
    # a current name re-dated to the regime of the event's date
    (ActorValue("Military Forces of Mali (2021-)", 1, "Mali"), "Mali", dt.date(2017, 6, 1),
     ActorValue("Military Forces of Mali (2013-2020)", 1, "Mali")),
    (ActorValue("UN: United Nations", 8), "Lebanon", None,
     ActorValue("UNIFIL: United Nations Interim Force in Lebanon", 8)),
    (ActorValue("Islamic State ({country})", 2), "Syria", None, ActorValue("Islamic State (Syria)", 2, "Syria")),
    (ActorValue("Unidentified Armed Group ({country})", 3), None, None, ActorValue("Unidentified Armed Group ({country})", 3)),
    (ActorValue("Civilians ({country})", 7), "Aruba", None, ActorValue("Civilians (Aruba)", 7, "Aruba")),
]


@pytest.mark.parametrize("value,country,date,expected", FOR_EVENT)
def test_for_event(finder, value, country, date, expected):
    assert finder.for_event(value, country, date) == expected


@pytest.mark.parametrize("value,branch,expected", [
    (ActorValue("Government of Azerbaijan (2003-)", 1, "Azerbaijan"), "military",
     ActorValue("Military Forces of Azerbaijan (2003-)", 1, "Azerbaijan")),
    (ActorValue("Military Forces of Ukraine (2014-2019)", 1, "Ukraine"), "police",
     ActorValue("Police Forces of Ukraine (2014-2019)", 1, "Ukraine")),
    (ActorValue("Government of {country}", 1), "military", ActorValue("Military Forces of {country}", 1)),
    (ActorValue("Rapid Support Forces", 2, "Sudan"), "military", ActorValue("Rapid Support Forces", 2, "Sudan")),
])
def test_as_branch(finder, value, branch, expected):
    assert finder.as_branch(value, branch) == expected


def test_state_forces_table_is_consistent(finder):
    with (vocab_dir() / "state_forces.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 40
    for row in rows:
        assert row["iso3"] in finder.states.countries
        for branch in ("military", "police", "government"):
            assert "(" in row[branch] and row[branch].count("{") == 0
        if row["to_date"]:
            assert row["from_date"] < row["to_date"]


def test_demonyms_cover_the_world(finder):
    assert len(finder.states.countries) >= 190
    for iso3 in ("UKR", "SDN", "MMR", "COD", "PSE", "USA", "GBR", "CIV"):
        assert iso3 in finder.states.countries


def test_placeholders_are_exactly_country(finder):
    for mention in finder(sentences("Gunmen, soldiers, police, protesters, rioters and villagers were there.")):
        if "{" in mention.value.name:
            assert "{country}" in mention.value.name and mention.value.country is None


def test_fast_enough(finder):
    paragraph = ("Sudanese soldiers and RSF fighters clashed near the market on Saturday, residents said, "
                 "after drones hit a fuel depot. Police in the state capital said 12 civilians, including "
                 "four children, were killed. Khartoum said the paramilitary had shelled homes. ")
    article = sentences(*([paragraph] * 14))  # about 600 words
    finder(article)
    start = time.perf_counter()
    for _ in range(20):
        finder(article)
    per_article = (time.perf_counter() - start) / 20
    assert per_article < 0.005, per_article


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5))
def test_never_crashes(texts):
    finder = _FINDER
    mentions = finder(sentences(*texts))
    article = " ".join(texts)
    for mention in mentions:
        assert article[mention.start:mention.end] == mention.text
        assert 1 <= mention.value.inter <= 8


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["Sudan", "UKR", "DRC"])),
       st.integers(min_value=1, max_value=8), st.one_of(st.none(), st.dates()))
def test_for_event_never_crashes(name, country, inter, date):
    value = _FINDER.for_event(ActorValue(name, inter), country, date)
    assert 1 <= value.inter <= 8
    for template in ("Military Forces of {country}", "Civilians ({country})"):
        coded = _FINDER.for_event(ActorValue(template, inter), country, date)
        assert ("{country}" in coded.name) == (not (country or "").strip())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Sudanese", "soldiers", "Moscow", "said", "the", "'s", "-backed", "RSF",
                                 "separatists", "Karabakh", "UN", "peacekeepers", "Fulani", "gunmen", " ",
                                 "IS", "forces", "Kyiv", ",", "ethnic Armenian", "\u2019s", "İ"]), max_size=30))
def test_never_crashes_on_actor_words(words):
    text = " ".join(words)
    for mention in _FINDER(sentences(text)):
        assert text[mention.start:mention.end] == mention.text


_FINDER = ActorFinder.load()


def test_a_government_noun_before_an_attack_noun_is_the_military():
    from etl.actors import ActorFinder
    from etl.records import Sentence
    text = "A junta airstrike killed 9 villagers near Monywa."
    found = ActorFinder.load()((Sentence(0, 0, len(text), text),))
    assert [(m.text, m.value.name) for m in found][:1] == [("junta", "Military Forces of {country}")]


def test_state_base_is_the_first_base_in_table_order(finder):
    def slow(name):
        for base in finder.states.by_name:
            if name == base or name.startswith(base + " "):
                return base, name[len(base):].strip() or None
        return None, None
    names = list(finder.states.by_name)[:40]
    probes = names + [n + " Unit 4" for n in names] + [n + "x" for n in names] + ["", " ", "Unknown Forces", "Police"]
    for name in probes:
        assert finder._state_base(name) == slow(name)


def _agent_noun_before_plainly(finder: ActorFinder, folded: str, start: int) -> bool:
    """The definition of ``_agent_noun_before``: every word of the window read, no shortcut."""
    return finder._agent_words_before(folded[max(0, start - 60):start])


_WINDOW_WORDS = ["shelling", "strikes", "drones", "attack", "carried", "out", "fired", "by", "from", "the", "(by",
                 "from,", "bypass", "fromage", "rockets", "an", "airstrike", "said", "Ukraine", "Russia's", "'s", "\u2019"]


@given(st.lists(st.sampled_from(_WINDOW_WORDS), max_size=12), st.sampled_from([" ", "  ", ", "]))
@settings(max_examples=300, deadline=None)
def test_attack_nouns_around_a_name_are_read_as_their_definitions(finder, words, separator):
    from etl.phrases import fold

    text = separator.join(words)
    folded = fold(text)
    for start in range(len(text) + 1):
        assert finder._agent_noun_before(folded, start) == _agent_noun_before_plainly(finder, folded, start)
        words_after = folded[start:start + 60].replace("'s ", " ", 1).split()
        if not words_after or text[start:start + 1] not in (" ", "'", "\u2019"):
            assert not finder._agent_noun_after(text, folded, start)

"""Event triggers: sentences from many conflicts -> ACLED (event_type, sub_event_type)."""
from __future__ import annotations

import pickle
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.errors import DataFileError
from etl.paths import schemas_dir
from etl.records import Sentence, TriggerValue
from etl.triggers import TriggerFinder, expand, taxonomy_pairs

_FINDER = TriggerFinder.load()

# The taxonomy as written in ACLED's codebook; schemas/taxonomy.yaml must agree with it.
TAXONOMY = {
    ("Battles", "Armed clash"), ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Chemical weapon"), ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"), ("Explosions/Remote violence", "Grenade"),
    ("Violence against civilians", "Sexual violence"), ("Violence against civilians", "Attack"),
    ("Violence against civilians", "Abduction/forced disappearance"),
    ("Protests", "Peaceful protest"), ("Protests", "Protest with intervention"),
    ("Protests", "Excessive force against protesters"),
    ("Riots", "Violent demonstration"), ("Riots", "Mob violence"),
    ("Strategic developments", "Agreement"), ("Strategic developments", "Arrests"),
    ("Strategic developments", "Change to group/activity"), ("Strategic developments", "Disrupted weapons use"),
    ("Strategic developments", "Headquarters or base established"),
    ("Strategic developments", "Looting/property destruction"),
    ("Strategic developments", "Non-violent transfer of territory"), ("Strategic developments", "Other"),
}


def triggers(text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.value.event_type, m.value.sub_event_type)
            for m in _FINDER((Sentence(0, 0, len(text), text),))]


def test_every_taxonomy_pair_has_an_entry():
    pairs = taxonomy_pairs() or frozenset(TAXONOMY)
    direct = {(e["event_type"], e["sub_event_type"]) for e in _FINDER.entries.values()}
    assert pairs - direct == set()


def test_schema_taxonomy_matches_the_codebook():
    pairs = taxonomy_pairs()
    if pairs is None:
        pytest.skip("schemas/taxonomy.yaml not written yet")
    assert pairs == TAXONOMY


# sentence -> (trigger phrase, event_type, sub_event_type) expected among the mentions
CASES = [
    # Battles
    ("Heavy clashes broke out between the army and RSF fighters in El Fasher on Friday.",
     ("Heavy clashes", "Battles", "Armed clash")),
    ("Soldiers exchanged fire with militants near the Line of Control in Kupwara, police said.",
     ("exchanged fire", "Battles", "Armed clash")),
    ("Fierce fighting was reported on the outskirts of Bakhmut overnight.",
     ("Fierce fighting", "Battles", "Armed clash")),
    ("JNIM fighters ambushed a military convoy between Djibo and Namsiga.",
     ("ambushed", "Battles", "Armed clash")),
    ("A two-hour gunfight left three insurgents dead in Shopian district.",
     ("gunfight", "Battles", "Armed clash")),
    ("The resistance said it had seized control of the border town of Myawaddy.",
     ("seized control of", "Battles", "Non-state actor overtakes territory")),
    ("Government troops recaptured Wad Madani after a week-long push.",
     ("recaptured", "Battles", "Government regains territory")),
    ("The village fell to the insurgents after its defenders ran out of ammunition.",
     ("fell to", "Battles", "Non-state actor overtakes territory")),
    ("Cartel gunmen and soldiers were involved in a shootout in Culiacan.", ("shootout", "Battles", "Armed clash")),
    ("Jihadists seized the town of Djibo's airport, a source said.", ("seized the town", "Battles", "Non-state actor overtakes territory")),
    ("Militants seized a military base in Kunduz.", ("seized a military base", "Battles", "Non-state actor overtakes territory")),
    # Explosions/Remote violence
    ("Russian aircraft dropped glide bombs on Kostiantynivka.", ("glide bombs", "Explosions/Remote violence", "Air/drone strike")),
    ("An Israeli airstrike on a house in Rafah killed a family of six, medics said.",
     ("airstrike", "Explosions/Remote violence", "Air/drone strike")),
    ("A drone strike on a wedding party in Sagaing killed at least 20 people.",
     ("drone strike", "Explosions/Remote violence", "Air/drone strike")),
    ("Warplanes bombed a market in the town of Tabanyah.",
     ("Warplanes", "Explosions/Remote violence", "Air/drone strike")),
    ("Russian forces shelled residential areas of Kherson throughout the day.",
     ("shelled", "Explosions/Remote violence", "Shelling/artillery/missile attack")),
    ("The shelling of the town continued into the night.",
     ("shelling of", "Explosions/Remote violence", "Shelling/artillery/missile attack")),
    ("Mortar rounds landed near a school in Mogadishu.",
     ("Mortar rounds", "Explosions/Remote violence", "Shelling/artillery/missile attack")),
    ("A missile strike destroyed a power substation in Dnipro.",
     ("missile strike", "Explosions/Remote violence", "Shelling/artillery/missile attack")),
    ("Two deminers were wounded when a landmine exploded in a field near Fuzuli.",
     ("landmine", "Explosions/Remote violence", "Remote explosive/landmine/IED")),
    ("A roadside bomb struck an army truck in North Waziristan.",
     ("roadside bomb", "Explosions/Remote violence", "Remote explosive/landmine/IED")),
    ("An improvised explosive device went off under a police vehicle in Kidal.",
     ("improvised explosive device", "Explosions/Remote violence", "Remote explosive/landmine/IED")),
    ("A suicide bomber detonated his vest at a checkpoint in Mogadishu.",
     ("suicide bomber", "Explosions/Remote violence", "Suicide bomb")),
    ("Unknown men hurled a grenade at a bus stand in Srinagar.",
     ("hurled a grenade", "Explosions/Remote violence", "Grenade")),
    ("Rescue workers said chlorine gas was used in the attack on the suburb.",
     ("chlorine gas", "Explosions/Remote violence", "Chemical weapon")),
    # Violence against civilians
    ("Gunmen massacred 30 villagers in a night raid in Zamfara state.",
     ("massacred", "Violence against civilians", "Attack")),
    ("The terrorists opened fire on the villagers who were fetching water.",
     ("opened fire on the villagers", "Violence against civilians", "Attack")),
    ("Troops neutralised 12 insurgents in an ambush, the army said.",
     ("neutralised", "Violence against civilians", "Attack")),
    ("Cartel hitmen shot dead a local journalist in Sinaloa.",
     ("shot dead", "Violence against civilians", "Attack")),
    ("Militiamen abducted 40 passengers from buses on the Maiduguri road.",
     ("abducted", "Violence against civilians", "Abduction/forced disappearance")),
    ("Armed men kidnapped a priest in Kaduna state on Sunday.",
     ("kidnapped", "Violence against civilians", "Abduction/forced disappearance")),
    ("Rights groups said activists had been forcibly disappeared by security agents.",
     ("forcibly disappeared", "Violence against civilians", "Abduction/forced disappearance")),
    ("Survivors said fighters raped women during the assault on Geneina.",
     ("raped", "Violence against civilians", "Sexual violence")),
    # Protests
    ("Hundreds of teachers protested outside the education ministry in Yerevan over unpaid wages.",
     ("protested", "Protests", "Peaceful protest")),
    ("Thousands rallied in Bogota against the proposed reform.",
     ("rallied", "Protests", "Peaceful protest")),
    ("Students staged a sit-in at the university gate in Dhaka.",
     ("sit-in", "Protests", "Peaceful protest")),
    ("Police fired tear gas at demonstrators in Nairobi's central business district.",
     ("tear gas", "Protests", "Protest with intervention")),
    ("Officers dispersed a rally by opposition supporters in Tbilisi.",
     ("dispersed", "Protests", "Protest with intervention")),
    ("Troops fired live rounds at protesters in Mandalay, killing four.",
     ("live rounds", "Protests", "Excessive force against protesters")),
    ("Security forces opened fire on protesters in Khartoum on Thursday.",
     ("opened fire on protesters", "Protests", "Excessive force against protesters")),
    # Riots
    ("Protesters threw stones at police and torched a patrol car in Dakar.",
     ("threw stones", "Riots", "Violent demonstration")),
    ("Youths rioted in the township after the shooting.", ("rioted", "Riots", "Violent demonstration")),
    ("A man accused of theft was lynched by residents in Port-au-Prince.",
     ("lynched", "Riots", "Mob violence")),
    # Strategic developments
    ("A ceasefire was agreed late on Wednesday after talks mediated by Qatar.",
     ("ceasefire was agreed", "Strategic developments", "Agreement")),
    ("The two sides reached an agreement on a prisoner exchange.",
     ("reached an agreement", "Strategic developments", "Agreement")),
    ("The truce took effect at midnight local time.", ("truce took effect", "Strategic developments", "Agreement")),
    ("Both parties agreed on a cessation of hostilities in the eastern provinces.",
     ("agreed on a cessation of hostilities", "Strategic developments", "Agreement")),
    ("The group declared a unilateral ceasefire for the holiday.",
     ("unilateral ceasefire", "Strategic developments", "Change to group/activity")),
    ("Both sides agreed to a humanitarian pause in the fighting.",
     ("humanitarian pause", "Strategic developments", "Agreement")),
    ("Protesters blocked roads in the capital to demand the release of detainees.",
     ("blocked roads", "Protests", "Peaceful protest")),
    ("Two villagers were burned to death by the attackers.",
     ("burned to death", "Violence against civilians", "Attack")),
    ("Police arrested 12 opposition members in Harare on Saturday.",
     ("arrested", "Strategic developments", "Arrests")),
    ("Authorities rounded up dozens of suspected supporters of the group.",
     ("rounded up", "Strategic developments", "Arrests")),
    ("More than 200 fighters surrendered to the army in Borno, a spokesman said.",
     ("surrendered", "Strategic developments", "Change to group/activity")),
    ("The armed group announced it would disband and laid down its arms.",
     ("laid down its arms", "Strategic developments", "Change to group/activity")),
    ("Army engineers defused a bomb planted under a bridge in Manipur.",
     ("defused", "Strategic developments", "Disrupted weapons use")),
    ("Air defences shot down 18 drones over the Odesa region.",
     ("shot down", "Strategic developments", "Disrupted weapons use")),
    ("Soldiers found a weapons cache in a forest near Beni.",
     ("weapons cache", "Strategic developments", "Disrupted weapons use")),
    ("The rebels established a base in the hills above the town.",
     ("established a base", "Strategic developments", "Headquarters or base established")),
    ("Fighters looted shops and ransacked the hospital in Nyala.",
     ("looted", "Strategic developments", "Looting/property destruction")),
    ("Settlers torched houses in the village of Turmus Ayya.",
     ("torched houses", "Strategic developments", "Looting/property destruction")),
    ("Authorities demolished dozens of homes in East Jerusalem.",
     ("demolished", "Strategic developments", "Looting/property destruction")),
    ("The army handed over the base to the transitional authorities.",
     ("handed over", "Strategic developments", "Non-violent transfer of territory")),
    ("The militia entered the town without a fight after troops left.",
     ("without a fight", "Strategic developments", "Non-violent transfer of territory")),
    ("The governor imposed a curfew in the city after the unrest.",
     ("imposed a curfew", "Strategic developments", "Other")),
    ("A humanitarian corridor was opened for civilians leaving the city.",
     ("humanitarian corridor", "Strategic developments", "Other")),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_sentence_triggers(text, expected):
    got = triggers(text)
    assert expected in got, f"{expected} not in {got}"


# the longest match wins over a shorter trigger inside it
@pytest.mark.parametrize("text,absent", [
    ("Police fired tear gas at the crowd.", ("gas", "Explosions/Remote violence", "Chemical weapon")),
    ("A suicide car bomb hit the gate.", ("car bomb", "Explosions/Remote violence", "Remote explosive/landmine/IED")),
    ("A drone strike killed two.", ("strike", "Explosions/Remote violence", "Air/drone strike")),
    ("Air defences shot down a missile.", ("shot", "Violence against civilians", "Attack")),
    ("The talks will resume in March.", ("March", "Protests", "Peaceful protest")),
    ("Soldiers patrolled the occupied West Bank.", ("occupied", "Battles", "Non-state actor overtakes territory")),
])
def test_longest_match_wins(text, absent):
    assert absent not in triggers(text)


@pytest.mark.parametrize("lemma,hints", [
    ("capture", {"territory": True, "object": "territory"}),
    ("recapture", {"territory": True, "sub_event_type": "Government regains territory"}),
    ("killed by", {"voice": "passive"}),
    ("came under fire", {"voice": "passive", "event_type": "Battles"}),
    ("attack", {"strength": "weak"}),
    ("operation", {"strength": "weak"}),
    ("fighting", {"strength": "strong", "pos": "noun", "event_type": "Battles"}),
    ("ceasefire", {"strength": "weak"}),
    ("rally", {"strength": "weak"}),
    ("protest", {"strength": "strong"}),
    ("withdraw", {"strength": "weak", "recode": {"territory_object": ("Strategic developments", "Non-violent transfer of territory")}}),
    ("massacre", {"civilians": True, "object": "people"}),
    ("abduct", {"object": "people"}),
    ("march", {"lower": True}),
])
def test_entry_hints(lemma, hints):
    entry = _FINDER.entry(lemma)
    for key, value in hints.items():
        assert entry[key] == value


@pytest.mark.parametrize("text", [
    "Stocks rallied on Monday and the dollar retreated after the central bank held rates.",
    "The visitors stormed back from a goal down and the coach said his side fought hard.",
    "The result demonstrated their character, and the loss will hit the club hard.",
    "A gold mine in the north reopened after a strike by workers ended in March.",
])
def test_everyday_words_are_only_weak_triggers(text):
    for mention in _FINDER((Sentence(0, 0, len(text), text),)):
        assert _FINDER.entry(mention.value.lemma)["strength"] == "weak", mention.text


def test_recode_targets_are_taxonomy_pairs():
    kill = _FINDER.entry("kill")
    assert kill["recode"]["armed_victim"] == ("Battles", "Armed clash")
    assert kill["recode"]["protesters_victim"] == ("Protests", "Excessive force against protesters")
    assert _FINDER.pairs() <= (taxonomy_pairs() or frozenset(TAXONOMY))


def test_entry_returns_a_copy():
    _FINDER.entry("clash")["priority"] = -1
    assert _FINDER.entry("clash")["priority"] != -1


@pytest.mark.parametrize("form,expected", [
    ("kidnap{,s,ped,ping}", ["kidnap", "kidnaps", "kidnapped", "kidnapping"]),
    ("{shot,shoots} down", ["shot down", "shoots down"]),
    ("{a,the} {truce,deal}", ["a truce", "a deal", "the truce", "the deal"]),
    ("plain", ["plain"]),
])
def test_expand(form, expected):
    assert expand(form) == expected


def _write(tmp_path, entries):
    (tmp_path / "triggers.yaml").write_text(yaml.safe_dump({"defaults": {"priority": 50}, "entries": entries}))


@pytest.mark.parametrize("entries,message", [
    ([{"lemma": "x", "type": "Battles", "sub": "Skirmish", "forms": ["x"]}], "not in the taxonomy"),
    ([{"lemma": "x", "type": "Battles", "sub": "Armed clash", "forms": ["x"]},
      {"lemma": "x", "type": "Battles", "sub": "Armed clash", "forms": ["y"]}], "used twice"),
    ([{"lemma": "x", "type": "Battles", "forms": ["x"]}], "needs lemma"),
    ([{"lemma": "x", "type": "Battles", "sub": "Armed clash", "forms": ["x"], "recode": {"a": ["Battles"]}}], "recode"),
])
def test_bad_vocabulary_is_reported(tmp_path, entries, message):
    _write(tmp_path, entries)
    with pytest.raises(DataFileError, match=message):
        TriggerFinder.load(tmp_path, schemas_dir())


def test_offsets_point_into_the_article():
    texts = ("Troops shelled the ridge.", "Later, protesters rallied in the square.")
    sents = (Sentence(0, 0, len(texts[0]), texts[0]), Sentence(1, len(texts[0]) + 1, len(texts[0]) + 1 + len(texts[1]), texts[1]))
    article = " ".join(texts)
    mentions = _FINDER(sents)
    assert [m.sentence for m in mentions] == [0, 1]
    for mention in mentions:
        assert article[mention.start:mention.end] == mention.text and mention.kind == "trigger"


def test_fast_enough():
    paragraph = ("Heavy fighting broke out near the market on Saturday after drones struck a fuel depot, "
                 "residents said. Police fired tear gas at protesters, and 12 people were arrested. "
                 "A ceasefire was agreed later, but shelling continued overnight. ")
    text = paragraph * 15  # about 600 words
    sents = (Sentence(0, 0, len(text), text),)
    _FINDER(sents)
    start = time.perf_counter()
    for _ in range(20):
        _FINDER(sents)
    assert (time.perf_counter() - start) / 20 < 0.002


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_crashes(text):
    for mention in _FINDER((Sentence(0, 0, len(text), text),)):
        assert text[mention.start:mention.end] == mention.text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["shelled", "drone", "strike", "tear", "gas", "suicide", "car", "bomb",
                                 "ceasefire", "was", "agreed", "March", "march", "\u2019", "İ", "IED", " ",
                                 "took", "control", "of", "without", "a", "fight"]), max_size=30))
def test_never_crashes_on_trigger_words(words):
    text = " ".join(words)
    for mention in _FINDER((Sentence(0, 0, len(text), text),)):
        assert text[mention.start:mention.end] == mention.text


def test_a_mention_carries_its_entrys_value_and_priority_ranks_overlaps():
    text = "Gunmen kidnapped three traders and police later arrested two suspects."
    found = _FINDER((Sentence(0, 0, len(text), text),))
    assert found
    for mention in found:
        entry = _FINDER.entries[mention.value.lemma]
        assert mention.value == TriggerValue(entry["event_type"], entry["sub_event_type"], entry["lemma"])
    assert _FINDER.priorities == {lemma: e["priority"] for lemma, e in _FINDER.entries.items()}
    again = pickle.loads(pickle.dumps(_FINDER))
    assert again.values == _FINDER.values and again((Sentence(0, 0, len(text), text),)) == found

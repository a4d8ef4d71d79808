"""Cue words: which words of a sentence do not report a happened event."""
from __future__ import annotations

import dataclasses
import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.cues import _WORD, CueFinder, _tokens
from etl.records import Sentence


@functools.lru_cache(maxsize=1)
def _loaded() -> CueFinder:
    return CueFinder.load()


@pytest.fixture(scope="module")
def finder() -> CueFinder:
    return _loaded()


def _sentence(text: str, start: int = 7) -> Sentence:
    return Sentence(index=0, start=start, end=start + len(text), text=text)


def _blocked(finder: CueFinder, text: str, word: str):
    sentence = _sentence(text)
    cues = finder.find(sentence)
    offset = sentence.start + text.index(word)
    cue = finder.blocking(cues, offset)
    return cue.name if cue else None


@pytest.mark.parametrize(
    "text, word, expected",
    [
        # happened: no cue governs the trigger
        ("Gunmen attacked a police post in Kano state on Tuesday, officials said.", "attacked", None),
        ("On 5 May, militants ambushed a convoy near Gao.", "ambushed", None),
        ("Troops recaptured the village after heavy fighting, the army said.", "recaptured", None),
        ("The UN envoy urged restraint after rebels shelled the airport.", "shelled", None),
        ("Police fired tear gas at protesters, who had blocked the highway since dawn.", "fired", None),
        ("Militants killed 12 soldiers on Monday in the deadliest attack since 2019.", "killed", None),
        # plans and the future
        ("Talks between the two delegations will be held in Muscat after the holiday.", "held", "future"),
        ("The opposition is expected to rally in the capital on Friday.", "rally", "future"),
        ("Both parties plan to sign the accord in Addis Ababa.", "sign", "future"),
        ("Negotiations are scheduled to resume in Jeddah.", "resume", "future"),
        # hypotheses, hopes, conditions
        ("Analysts said renewed fighting could spread to the northern provinces.", "fighting", "modal"),
        ("The president said he hoped the truce would hold.", "truce", "hypothetical"),
        ("If the militia advances, the army would retake the bridge.", "advances", "hypothetical"),
        # terms of an agreement: what a side agreed to do
        ("The rebels agreed to withdraw their fighters from the city.", "withdraw", "commitment"),
        ("The rebels agreed to a truce on Sunday.", "agreed", None),
        ("The militia agreed to disarm, and hand over its heavy weapons to the mission.", "hand over", "commitment"),
        # threats and warnings
        ("The junta threatened to bomb rebel camps along the border.", "bomb", "threat"),
        ("The commander warned that his forces would storm the city.", "storm", "threat"),
        ("The separatists said they would lay down their arms.", "lay down", "modal"),
        # appeals and condemnations by others
        ("The foreign minister called on both sides to cease hostilities.", "cease", "appeal"),
        ("The European Union condemned the attack on the aid convoy.", "attack", "appeal"),
        ("Pope Francis urged an end to the bloodshed in Sudan.", "bloodshed", "appeal"),
        # denials and negations
        ("The ministry denied that its troops had shelled the camp.", "shelled", "denial"),
        ("Police did not open fire on the marchers, a spokesman said.", "fire", "negation"),
        # background history
        ("The region has been disputed since 1994 when separatist forces seized it.", "seized", "history_after"),
        ("Rebels captured the town three years ago.", "captured", "history"),
        ("The rebels lost the valley to government forces in the 1990s.", "lost", "history"),
        ("The country descended into war when the Soviet Union collapsed.", "war", "history_era"),
        ("The flare-up comes two years after the army recaptured the province.", "recaptured", "history_after"),
        ("The militia, a group that has vowed to expel settlers, burned a village near Djugu.", "burned", None),
        ("From 2011 to 2013 the army fought the rebels, in a war during which thousands were killed.", "killed", "past_year"),
        ("In 2014, rebels seized the airport, which was later retaken.", "retaken", "past_year"),
    ],
)
def test_cue_blocks_trigger(finder, text, word, expected):
    assert _blocked(finder, text, word) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Protests erupted in May after the vote.",  # the month, not the modal
        "Will Smith attended the rally in Lagos.",  # a name inside a sentence... or at its start
        "Residents of Hope Street were blocked by demonstrators.",
    ],
)
def test_capitalised_names_are_not_cues_inside_a_sentence(finder, text):
    cues = finder.find(_sentence(text))
    assert all(c.text.lower() not in {"may", "hope"} for c in cues)


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("Rebels shelled the town; the army responded.", 2),
        ("The minister urged calm after militants attacked a bus.", 2),
        ("Troops advanced, while aid groups evacuated civilians.", 2),
        ("Fighting raged in the north.", 1),
    ],
)
def test_clauses_cover_the_sentence(finder, text, pieces):
    sentence = _sentence(text, start=100)
    clauses = finder.clauses(sentence)
    assert len(clauses) == pieces
    assert clauses[0][0] == sentence.start and clauses[-1][1] == sentence.end
    assert all(a[1] == b[0] for a, b in zip(clauses, clauses[1:]))


def test_cue_mentions_carry_group_names(finder):
    sentence = _sentence("The army will deploy more troops and warned of reprisals.")
    mentions = finder((sentence,))
    assert {m.kind for m in mentions} == {"cue"}
    assert {"modal", "threat"} <= {m.value for m in mentions}
    for m in mentions:
        assert sentence.text[m.start - sentence.start: m.end - sentence.start] == m.text


@pytest.mark.parametrize(
    "text, word, expected",
    [
        ("The UN chief called \"for a halt to the shelling\" in the north.", "shelling", "appeal"),
        ("Washington urged the army to \u201cimmediately cease military actions\u201d near the border.", "cease", "appeal"),
    ],
)
def test_quotes_inside_cue_scope(finder, text, word, expected):
    assert _blocked(finder, text, word) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("groups:\n  negation:\n    scope: near\n    phrases: [no, never]\n", "not a string"),
        ("groups:\n  future:\n    scope: sideways\n    phrases: [will]\n", "unknown scope"),
        ("clause_boundaries: {}\n", "groups"),
    ],
)
def test_malformed_cue_file_is_an_actionable_error(tmp_path, text, message):
    from etl.errors import DataFileError

    (tmp_path / "cues.yaml").write_text(text)
    with pytest.raises(DataFileError, match=message):
        CueFinder.load(tmp_path)


# -- speed-ups that must not change what is found ------------------------------------------
NEED_TEXTS = [
    "Two DECADES AGO the war had killed thousands.", "In the 1990s rebels fought; since the 2000s, calm.",
    "So far this year, 40 people died.", "Since the start of the year, attacks rose across the country.",
    "The army intercepted 12 drones and shot down a missile.", "He was accused of killings and abuses.",
    "The conflict has displaced millions since the war began.", "In early March 2019 troops moved, three years after the war.",
    "ſince the ſtart of the year, Kelvin \u212a in \u0130N 2019.", "Nationwide in 2023 protests spread; annually, per year.",
    "During the 2011 civil war, violence has left 300 dead.", "In 1998 and between 2001 and 2003 militias fought.",
]


def _corpus_sentences():
    from pathlib import Path
    for path in sorted(Path(__file__).parent.joinpath("corpus").glob("*.txt")):
        yield from (line.strip() for line in path.read_text(encoding="utf-8").split(".") if line.strip())


def test_pattern_needs_are_in_every_match(finder):
    from etl.cues import _caseless, lacks
    assert any(finder._pattern_needs)
    for text in NEED_TEXTS + list(_corpus_sentences()):
        for (pattern, _name, _gate), needs in zip(finder.patterns, finder._pattern_needs):
            if pattern.search(text) and _caseless(text):
                assert not lacks(text.lower(), needs), (pattern.pattern, text)


def test_pattern_needs_change_no_cue():
    fast, slow = CueFinder.load(), CueFinder.load()
    object.__setattr__(slow, "_pattern_groups", CueFinder.group_patterns(slow.patterns, tuple(() for _ in slow.patterns)))
    for text in NEED_TEXTS + list(_corpus_sentences()):
        assert fast.find(_sentence(text)) == slow.find(_sentence(text))
        assert fast.clauses(_sentence(text)) == slow.clauses(_sentence(text))


def test_caseless():
    from etl.cues import _caseless
    assert _caseless("plain \u2019quoted\u201d \u2014 text")
    assert not _caseless("\u017fince")  # long s: a regex ignoring case takes it for "s"
    assert not _caseless("\u0130N") and not _caseless("\u212a")


def test_pattern_needs_of_simple_patterns():
    import re
    from etl.cues import pattern_needs
    assert pattern_needs(re.compile(r"\b(?:\d+|a|two)\s+years?\s+AGO\b", re.I)) == (("year",), ("ago",))
    assert pattern_needs(re.compile(r"since\s+(?:the\s+)?(?:19|20)\d\d", re.I)) == (("since",), ("19", "20"))
    assert pattern_needs(re.compile(r"(?:a|b)?x*", re.I)) == ()
    assert pattern_needs(re.compile(r"ago")) == ()  # case-sensitive: not used


def _plain_clause_words(finder: CueFinder, text: str, tokens, words) -> set[int]:
    """The plain definition: every word but the first that is watched, or long with a
    clause-opening ending and a comma two characters before it."""
    endings = finder.after_comma_endings
    return {index for index, (start, _end, word) in enumerate(tokens)
            if index and (word in finder.watched
                          or (len(word) > 5 and word.endswith(endings) and text[start - 2: start - 1] == ","))}


@pytest.mark.parametrize(
    "text",
    [
        "Troops advanced, killing three fighters, and seized the depot.",
        "Gunmen opened fire,killing two,  wounding five and, fleeing, left.",
        "Rebels, who had regrouped, attacked again while the army was retreating.",
        "Shelling continued, \"destroying\" homes as the militia withdrew.",
        "Fighting raged in the north.",
        ",,, hitting, hurting, something",
    ],
)
def test_clause_words_equal_the_plain_definition(finder, text):
    low = text.lower()
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(low)]
    words = [token[2] for token in tokens]
    found = finder._clause_words(text, tokens, words)
    assert len(found) == len(set(found))
    assert set(found) == _plain_clause_words(finder, text, tokens, words)


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(["killing", "fleeing", "and", "which", "the", "while", "as", "a", "rebels",
                                        "attacked", ",", ", ", ",  ", " ", "\"", "that", "will", "sing"]), max_size=16))
def test_clause_words_property(pieces):
    finder = _loaded()
    text = " ".join(pieces).replace(" , ", ", ")
    low = text.lower()
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(low)]
    words = [token[2] for token in tokens]
    assert set(finder._clause_words(text, tokens, words)) == _plain_clause_words(finder, text, tokens, words)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab9_ é-'’ .,\"\n\t", max_size=40))
def test_tokens_equal_the_word_matches(text):
    tokens, words = _tokens(text)
    assert tokens == [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    assert words == [token[2] for token in tokens]


class _EveryStarter(CueFinder):
    """The plain definition: every word of ``_starters`` (or with an apostrophe) is tried."""

    def _cue_words(self, words, apostrophe):
        starters = self._starters
        return [index for index, word in enumerate(words) if word in starters or (apostrophe and "'" in word)]


@functools.lru_cache(maxsize=1)
def _plain_finder() -> CueFinder:
    finder = _loaded()
    return _EveryStarter(**{f.name: getattr(finder, f.name) for f in dataclasses.fields(finder)})


_CUE_WORDS = ["will", "would", "is", "expected", "to", "in", "order", "case", "the", "coming", "days", "plan",
              "plans", "hold", "won't", "they'll", "a", "as", "fear", "called", "on", "not", "May", "attacked", "and"]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(_CUE_WORDS), max_size=14), punct=st.sampled_from(["", ",", ".", ";"]))
def test_cue_words_find_what_every_starter_finds(words, punct):
    text = " ".join(words) + punct
    sentence = _sentence(text)
    assert _loaded().read(sentence) == _plain_finder().read(sentence)


@pytest.mark.parametrize("text", [
    "Talks are expected to resume in the coming days, officials said.",
    "If the rebels don't withdraw, the army will attack, as it plans to.",
    "In case of an attack, troops would hold the bridge in order to protect it.",
])
def test_cue_words_on_sentences(text):
    sentence = _sentence(text)
    assert _loaded().read(sentence).cues
    assert _loaded().read(sentence) == _plain_finder().read(sentence)

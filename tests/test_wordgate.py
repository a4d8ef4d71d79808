"""WordGate: a case-blind regex skipped on texts lacking the words its matches need; its
search must equal the plain ``pattern.search`` on every text."""
from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.assemble import Assembler
from etl.wordgate import WordGate, caseless

CLAIM = re.compile(r"\b(?:claim(?:ed|s)?\s+(?:of\s+)?responsibility|blamed\s+(?:\w+\s+){0,3}?on)\b", re.IGNORECASE)
MARKER = re.compile(r"(?<!\w)(?:mediated|brokered)\s+by\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
WORDS = ["claimed", "claims", "responsibility", "Responsibility", "CLAIMED", "blamed", "the", "attack", "on",
         "of", "rebels", "mediated", "brokered", "by", "Qatar", "talks", "cla\u0131med", "\u017fome", "caf\u00e9",
         "\u2019", "\u201cquoted\u201d", ",", "."]


def test_the_lookalikes_are_every_character_taken_for_an_ascii_letter():
    letters = re.compile("[a-z]", re.IGNORECASE)
    taken = [chr(i) for i in range(128, 0x110000) if letters.fullmatch(chr(i))]
    assert all(not caseless("x" + c) for c in taken)
    assert caseless("caf\u00e9 \u2019quoted\u2019 \u2014 \u0418\u0432\u0430\u043d")  # accents, quotes, Cyrillic


def test_needs_are_read_from_the_pattern():
    gate = WordGate(CLAIM)
    assert gate.needs  # the words every match needs
    assert gate.lacks_needs("Officials said the attack was carried out at night.")
    assert not gate.lacks_needs("A group claimed responsibility for the attack.")


def test_a_pattern_without_known_needs_searches_every_text():
    gate = WordGate(re.compile(r"\d+"))
    assert gate.needs == ()
    assert not gate.lacks_needs("no digits here")
    assert gate.search("about 12 people")[0] == "12"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14))
def test_search_equals_the_plain_search(words):
    text = " ".join(words)
    for pattern in (CLAIM, MARKER):
        gated, plain = WordGate(pattern).search(text), pattern.search(text)
        assert (gated and gated.span()) == (plain and plain.span())


def test_a_lookalike_letter_is_searched():
    text = "The group cla\u0131med responsibility for it."
    assert CLAIM.search(text) is not None  # the dotless i passes for an i
    assert WordGate(CLAIM).search(text) is not None


def test_a_gate_survives_pickling():
    gate = pickle.loads(pickle.dumps(WordGate(CLAIM)))
    assert gate.pattern == CLAIM and gate.needs == WordGate(CLAIM).needs


@pytest.fixture(scope="module")
def assembler() -> Assembler:
    return Assembler.load(entries={})


SENTENCES = [
    "A little-known group claimed responsibility for the bombing on Monday.",
    "Talks mediated by the African Union resumed in the capital.",
    "The wounded were taken to a hospital in the city, police said.",
    "Rival communities clashed with one another over grazing land.",
    "Police fired tear gas and live ammunition to disperse the crowd.",
    "Three people, including a child, died when the roof collapsed.",
    "He went to the market and returned home 20 kilometres north of the town.",
    "Residents marched peacefully and dispersed without incident.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_the_assemblers_gates_search_like_their_patterns(assembler, text):
    gates = [value for value in vars(assembler).values() if isinstance(value, WordGate)]
    assert len(gates) >= 10
    for gate in gates:
        for window in (text, text[:30], text[-30:], text.upper()):
            gated, plain = gate.search(window), gate.pattern.search(window)
            assert (gated and gated.span()) == (plain and plain.span())


def test_a_sentence_view_asks_each_gate_once(assembler):
    from etl.assemble import _Sentence
    from etl.records import Sentence

    quiet = _Sentence(Sentence(0, 0, 40, "Gunmen attacked the village on Monday."))
    talks = _Sentence(Sentence(1, 0, 45, "Talks mediated by Qatar resumed on Monday."))
    assert not quiet.may_match(assembler.mediator)
    assert talks.may_match(assembler.mediator)
    assert talks.may_match(assembler.mediator)  # the remembered answer


@pytest.mark.parametrize("text", SENTENCES + ["The group cla\u0131med responsibility for the attack."])
def test_a_sentence_view_searches_like_the_pattern(assembler, text):
    from etl.assemble import _Sentence
    from etl.records import Sentence

    view = _Sentence(Sentence(0, 0, len(text), text))
    for gate in (value for value in vars(assembler).values() if isinstance(value, WordGate)):
        found, plain = view.search(gate), gate.pattern.search(text)
        assert (found and found.span()) == (plain and plain.span())

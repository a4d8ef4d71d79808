"""Pattern helpers: a start guard must never change what a pattern matches."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.patterns import leading_chars, start_guarded

# patterns shaped like the vocabulary's (word boundaries, alternations, classes, repeats)
GUARDABLE = [
    (r"\b(?:in|on|from|until)\s+(?:the\s+)?(?:1[89]|20)\d\d\b", re.IGNORECASE),
    (r"\bso\s+far\s+(?:this|in)\s+year\b", re.IGNORECASE),
    (r"(?<!\w)(?:shot\s+down|neutrali[sz]ed)", re.IGNORECASE),
    (r"(?<!\w)foo|bar", 0),
    (r"[a-d]+x", 0),
    (r"(?:ab)+c", re.IGNORECASE),
    (r"(?P<w>k\w*)\s+(?P=w)", re.IGNORECASE),
]
UNSURE = [
    (r"\b(?:\d+|a|one)\s+years?\b", re.IGNORECASE),  # \d: a category
    (r"(?:a|)b", 0),  # an empty alternative
    (r"a*b", 0),  # may start after zero a's
    (r"(?i:ab)c", 0),  # a group changing the flags
    (r"[^x]y", 0),  # a negated class
    (r"\b", 0),  # only zero-width
]


@pytest.mark.parametrize("source, flags", GUARDABLE)
def test_leading_chars_known(source, flags):
    chars = leading_chars(re.compile(source, flags))
    assert chars
    guarded = start_guarded(re.compile(source, flags))
    assert guarded.pattern != source and guarded.flags == re.compile(source, flags).flags


@pytest.mark.parametrize("source, flags", UNSURE)
def test_leading_chars_unsure_leaves_pattern_alone(source, flags):
    pattern = re.compile(source, flags)
    assert leading_chars(pattern) is None
    assert start_guarded(pattern) is pattern


def test_leading_chars_of_branches_and_classes():
    assert leading_chars(re.compile(r"\b(?:in|on|from)\s")) == frozenset("iof")
    assert leading_chars(re.compile(r"(?<!\w)foo|bar")) == frozenset("fb")
    assert leading_chars(re.compile(r"[a-c]x")) == frozenset("abc")


def test_guard_binds_the_whole_alternation():
    guarded = start_guarded(re.compile(r"foo|bar"))
    assert [m.group() for m in guarded.finditer("bar foo")] == ["bar", "foo"]


# texts over an alphabet that hits the patterns' letters, digits, spaces and case variants
# (including the Kelvin sign and dotted capital I, which case-blind matching folds)
_ALPHABET = "abcdfiknorstuxyzABFIKNOST0123456789 \u212a\u0130-'"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=60))
def test_guarded_patterns_find_the_same_matches(text):
    for source, flags in GUARDABLE:
        plain = re.compile(source, flags)
        guarded = start_guarded(plain)
        assert [m.span() for m in guarded.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for pos in range(len(text) + 1):
            a, b = guarded.match(text, pos), plain.match(text, pos)
            assert (a and a.span()) == (b and b.span())


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(["in", "In", "on", "from", "until", "the", "2019", "1888", "so", "far",
                                       "this", "year", "shot", "down", "neutralized", "x"]), max_size=12))
def test_guarded_patterns_on_word_sequences(words):
    text = " ".join(words)
    for source, flags in GUARDABLE:
        plain = re.compile(source, flags)
        assert [m.span() for m in start_guarded(plain).finditer(text)] == [m.span() for m in plain.finditer(text)]

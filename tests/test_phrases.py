"""Phrase finding: folding keeps offsets, and the fast paths equal the plain definitions."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.phrases import FOLD, PhraseIndex, fold, folded_slices, normalise

SAMPLES = [
    "", "plain ascii", "Kyiv\u2019s \u2018forces\u2019 \u2013 and\u2014then\n\ttabs\r\xa0nbsp `tick`",
    "\u0130stanbul \u0130DL\u0130B", "\u039f\u0394\u039f\u03a3 \u03a3A", "M\u00dcNCHEN stra\u00dfe \ufb01re",
]


def plain_fold(text: str) -> str:
    """The definition: translate quotes/dashes/spaces, lower-case each character in place."""
    text = text.translate(FOLD)
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


@pytest.mark.parametrize("text", SAMPLES)
def test_fold_is_the_plain_fold_and_keeps_the_length(text):
    assert fold(text) == plain_fold(text)
    assert normalise(text) == text.translate(FOLD)
    assert len(fold(text)) == len(text)


@given(st.text(alphabet=st.sampled_from("aZ \u2019\u2014-'\n\xa0\u0130\u03a3\u00df.,"), max_size=40))
@settings(max_examples=200, deadline=None)
def test_fold_is_the_plain_fold_for_any_text(text):
    assert fold(text) == plain_fold(text)


@pytest.mark.parametrize("text", SAMPLES + ["\u039f\u0394\u039f\u03a3 \u2019\u03a3 x"])
def test_folded_slices_fold_every_slice(text):
    folded = folded_slices(text)
    for a in range(len(text) + 1):
        for b in range(a, len(text) + 2):
            assert folded[a:b] == fold(text[a:b])


VOCAB = [("Kyiv\u2019s forces", "proper", 1), ("IS", "exact", 2), ("army", "any", 3), ("al-Shabaab", "any", 4),
         ("Istanbul", "proper", 5), ("troops", "lower", 6)]


def test_phrases_are_found_on_word_boundaries_with_their_case_rules():
    text = "Kyiv's forces and the \u0130stanbul army \u2014 IS, is, Al\u2013Shabaab TROOPS troops armyX"
    found = [(text[h.start:h.end], h.payload) for h in PhraseIndex(VOCAB).find(text)]
    assert ("Kyiv's forces", 1) in found and ("IS", 2) in found and ("is", 2) not in found
    assert ("Al\u2013Shabaab", 4) in found and ("troops", 6) in found and ("TROOPS", 6) not in found
    assert ("army", 3) in found and not any(t == "armyX" for t, _ in found)
    assert PhraseIndex([]).find(text) == []

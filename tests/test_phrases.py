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


def _sentences(texts: list[str], gap: int = 1) -> tuple:
    from etl.records import Sentence

    out, cursor = [], 0
    for index, text in enumerate(texts):
        out.append(Sentence(index=index, start=cursor, end=cursor + len(text), text=text))
        cursor += len(text) + gap
    return tuple(out)


@given(st.lists(st.text(alphabet=st.sampled_from("aKIS y\u2019\u2014-'\n\u0130\u03a3\u00df.,"), max_size=25), max_size=5),
       st.integers(min_value=1, max_value=3))
@settings(max_examples=200, deadline=None)
def test_folded_sentence_hits_are_the_sentence_hits_and_each_sentences_folded_slices(texts, gap):
    from etl.phrases import folded_sentence_hits, longest_first, sentence_hits

    index = PhraseIndex(VOCAB + [("Kyiv", "proper", 7), ("a", "lower", 8)])
    sentences = _sentences(texts, gap)
    found = folded_sentence_hits(index, sentences)
    assert [(s, hits) for s, hits, _ in found] == sentence_hits(index, sentences)
    for sentence, hits, folded in found:
        text = sentence.text
        assert hits == longest_first(index.find(text))  # (no phrase of this index spans a gap)
        for a in range(len(text) + 1):
            assert folded[a:] == fold(text[a:]) and folded[:a] == fold(text[:a])


def test_folded_sentence_hits_of_text_with_a_capital_sigma():
    from etl.phrases import folded_sentence_hits

    sentences = _sentences(["\u039f\u0394\u039f\u03a3 army", "Kyiv\u2019s forces", "\u03a3IS army"])
    for sentence, hits, folded in folded_sentence_hits(PhraseIndex(VOCAB), sentences):
        assert folded[0:len(sentence.text)] == fold(sentence.text)
        assert [sentence.text[h.start:h.end] for h in hits][-1:] in (["army"], ["Kyiv\u2019s forces"])


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6), st.integers(0, 2)), max_size=25))
@settings(max_examples=400, deadline=None)
def test_longest_first_by_runs_of_overlapping_hits_is_its_definition(spans):
    from etl.phrases import Hit, _longest_first, longest_first

    hits = [Hit(start, start + length, (n, weight)) for n, (start, length, weight) in enumerate(spans)]
    rank = lambda hit: hit.payload[1]  # noqa: E731
    assert longest_first(hits, rank) == _longest_first(hits, rank)
    assert longest_first(hits) == _longest_first(hits)

"""Splitter: sentences over kept spans, exact offsets, abbreviations and line breaks."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings, strategies as st

from etl.clean import Cleaner
from etl.records import Article
from etl.sentences import Splitter


@lru_cache(maxsize=1)
def splitter() -> Splitter:
    return Splitter.load()


def split(text: str, kept=()) -> list[str]:
    a = Article(key="k", file="k.txt", text=text, sha256="", kept=kept)
    sents = splitter()(a)
    for i, s in enumerate(sents):
        assert s.index == i
        assert s.text == text[s.start:s.end]
        assert s.text == s.text.strip()
    return [s.text for s in sents]


@pytest.mark.parametrize(
    "text, expected",
    [
        # dates and abbreviations inside sentences
        ("The raid took place on Sept. 14 near Goma. Six people died.",
         ["The raid took place on Sept. 14 near Goma.", "Six people died."]),
        ("Officials in the U.S. said the drone was shot down. The Pentagon declined to comment.",
         ["Officials in the U.S. said the drone was shot down.", "The Pentagon declined to comment."]),
        ("Aid was cut by the U.S. State Department last year.",
         ["Aid was cut by the U.S. State Department last year."]),
        ("Sanctions were imposed by the U.S. The move angered Caracas.",
         ["Sanctions were imposed by the U.S.", "The move angered Caracas."]),
        ("Gen. Abdel Fattah al-Burhan met Dr. Hamdok in Juba. Talks ended without a deal.",
         ["Gen. Abdel Fattah al-Burhan met Dr. Hamdok in Juba.", "Talks ended without a deal."]),
        ("Brigade No. 5 moved north. It reached Bakhmut.", ["Brigade No. 5 moved north.", "It reached Bakhmut."]),
        ("The curfew starts at 9 p.m. and ends at 6 a.m. on Friday. Shops stayed shut.",
         ["The curfew starts at 9 p.m. and ends at 6 a.m. on Friday.", "Shops stayed shut."]),
        ("Shelling began at 5 a.m. Monday near Avdiivka. It lasted hours.",
         ["Shelling began at 5 a.m. Monday near Avdiivka.", "It lasted hours."]),
        ("Spokesman J. R. Ortega said 1.5 million people had fled. Aid agencies agreed.",
         ["Spokesman J. R. Ortega said 1.5 million people had fled.", "Aid agencies agreed."]),
        ("The blast came at 13.00 local time. Another followed at 1.00 pm.",
         ["The blast came at 13.00 local time.", "Another followed at 1.00 pm."]),
        # quotes stay with their sentence
        ('"We were not warned." The mayor of Culiacán said this on Monday.',
         ['"We were not warned."', "The mayor of Culiacán said this on Monday."]),
        ("“The town has fallen,” a militia leader said. “We are leaving.”",
         ["“The town has fallen,” a militia leader said.", "“We are leaving.”"]),
        ('"Why now?" he asked reporters in Rakhine.', ['"Why now?" he asked reporters in Rakhine.']),
        # ellipses
        ("The people of Tigray... will not forget this, he said.",
         ["The people of Tigray... will not forget this, he said."]),
        ("Talks stalled… Fighting resumed at dawn.", ["Talks stalled…", "Fighting resumed at dawn."]),
        # headlines and lists: a line break ends a sentence
        ("Drone strike hits market in Idlib\nAt least nine people were killed, rescuers said.",
         ["Drone strike hits market in Idlib", "At least nine people were killed, rescuers said."]),
        ("Casualties by province:\n- Cauca: 4 killed\n- Nariño: 2 wounded\n",
         ["Casualties by province:", "Cauca: 4 killed", "Nariño: 2 wounded"]),
        # a wrapped line does not end a sentence
        ("Residents of Sittwe said the shelling\ncontinued through the night.",
         ["Residents of Sittwe said the shelling\ncontinued through the night."]),
    ],
)
def test_split(text, expected):
    assert split(text) == expected


def test_paragraphs_counted():
    text = "Title line\n\nFirst para one. First para two.\n\nSecond para.\nThird para."
    a = Article(key="k", file="k.txt", text=text, sha256="")
    paras = [s.paragraph for s in splitter()(a)]
    assert paras == [0, 1, 1, 2, 3]


def test_only_kept_spans_are_split():
    text = "Share this story\nMilitants stormed a checkpoint in Tillabéri. Three guards died.\nUnsubscribe"
    a = Cleaner.load()(Article(key="k", file="k.txt", text=text, sha256=""))
    got = split(text, a.kept)
    assert got == ["Militants stormed a checkpoint in Tillabéri.", "Three guards died."]


def test_empty_kept_span_gives_no_sentences():
    assert split("Share this\n", ((0, 0),)) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab AB.!?…\"'”“\n\t-12:,")), max_size=200))
def test_spans_always_slice_text_punctuation_heavy(text):
    split(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_spans_always_slice_text(text):
    split(text)

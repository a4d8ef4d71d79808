"""Cleaner: page furniture is left out of ``kept``; the text is never changed."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings, strategies as st

from etl.clean import Cleaner
from etl.records import Article


@lru_cache(maxsize=1)
def loaded() -> Cleaner:
    return Cleaner.load()


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return loaded()


def article(text: str) -> Article:
    return Article(key="k", file="k.txt", text=text, sha256="")


def kept_text(cleaner: Cleaner, text: str) -> str:
    a = cleaner(article(text))
    assert a.text == text
    return "\n".join(text[s:e] for s, e in a.kept)


BODY = (
    "Gunmen attacked a convoy near the town of Djibo on Monday, killing four soldiers.\n\n"
    "The army said reinforcements had been sent to the area and a search was under way.\n"
)

FURNITURE = [
    # newsletter blocks after the body
    BODY + "\nSubscribe to our daily newsletter\nThe headlines you need, delivered to your inbox every morning.\n"
    "You may opt out or unsubscribe whenever you like.\n",
    BODY + "\nSign up for the weekly Sahel newsletter\nEnter your email address\n"
    "Choose one or more mailing lists to continue.\n",
    # bylines and copyright
    BODY + "\n(Reporting by Amina Diallo in Bamako; Writing by Tom Hale; Editing by Sara Kim)\n",
    BODY + "© 2024 Sahel Herald. All rights reserved.\n",
    BODY + "Read more: Mali junta extends transition\n",
    BODY + "Related: Burkina Faso suspends two broadcasters\n",
    BODY + "Share this article\n",
    BODY + "Copyright 2022 The Courier Group\n",
    "By Amina Diallo\n" + BODY,
    "Staff Reporter\n" + BODY,
    BODY + "Continue reading\n",
    "Kano | Published 03.05.25, 10:02 AM\n" + BODY,
    BODY + "Daily Monitor / Gulu correspondent\n",
    "Press Release No. 12/2025\n" + BODY,
    BODY + "Tel. +256 414 000 000\n",
]


@pytest.mark.parametrize("text", FURNITURE)
def test_trailing_furniture_is_dropped(cleaner, text):
    assert kept_text(cleaner, text) == kept_text(cleaner, BODY)
    kept = kept_text(cleaner, text)
    assert "killing four soldiers" in kept and "search was under way" in kept


@pytest.mark.parametrize(
    "line, survives, gone",
    [
        ("Rescue teams search the rubble in Khan Younis. / Photo: Anadolu Agency",
         "Rescue teams search the rubble in Khan Younis.", "Anadolu"),
        ("Soldiers patrol a market in Gao (Photo: Reuters)", "Soldiers patrol a market in Gao", "Reuters"),
        ("Police stand guard outside parliament in Lima. (File photo)",
         "Police stand guard outside parliament in Lima.", "File photo"),
        ("Smoke rises over Kharkiv after a strike | Getty Images", "Smoke rises over Kharkiv after a strike", "Getty"),
    ],
)
def test_photo_credits_are_cut(cleaner, line, survives, gone):
    text = line + "\n\n" + BODY
    kept = kept_text(cleaner, text)
    assert survives in kept
    assert gone not in kept


def test_repeated_title_kept_once(cleaner):
    title = "Clashes erupt in Khartoum as truce collapses"
    text = f"{title}\n\n{title}\n\nFighting resumed in the Sudanese capital on Saturday, residents said.\n"
    kept = kept_text(cleaner, text)
    assert kept.count(title) == 1


def test_section_heading_dropped_but_not_first_line(cleaner):
    text = (
        "Myanmar junta bombs village in Sagaing\n"
        "Air strikes hit a village in Sagaing region on Tuesday, a local resistance group said.\n"
        "Regional reaction\n"
        "Neighbouring Thailand said it was monitoring the situation along the border closely.\n"
    )
    kept = kept_text(cleaner, text)
    assert "Myanmar junta bombs village in Sagaing" in kept
    assert "Regional reaction" not in kept
    assert "monitoring the situation" in kept


@pytest.mark.parametrize(
    "tail, publisher",
    [
        ("Kyiv Independent", "Kyiv Independent"),
        ("El Heraldo de México", "El Heraldo de México"),
        ("© 2023 Caucasus Times", "Caucasus Times"),
        ("Source: Radio Dabanga", "Radio Dabanga"),
        ("— AFP", "AFP"),
        ("© Nile Post Media Ltd 2025", "Nile Post Media Ltd"),
    ],
)
def test_signoff(cleaner, tail, publisher):
    text = BODY + "\n" + tail
    assert cleaner.signoff(article(text)) == publisher
    assert tail not in kept_text(cleaner, text)


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        BODY + "He said the attackers fled on motorbikes.\n",
        "Only one line of text here without an ending",
        BODY + "Tel. 0 3344 5566",
        BODY + "www.example-news.org/contact",
    ],
)
def test_no_signoff_in_plain_prose(cleaner, text):
    assert cleaner.signoff(article(text)) is None


@pytest.mark.parametrize(
    "line",
    ["Contact with the unit was lost after the ambush near Kidal, the army said.",
     "Published reports said the convoy was hit twice near Goma."],
)
def test_prose_that_looks_like_furniture_is_kept(cleaner, line):
    assert line in kept_text(cleaner, BODY + line + "\n")


def test_body_is_fully_kept(cleaner):
    kept = kept_text(cleaner, BODY)
    assert [ln for ln in kept.splitlines() if ln] == [ln for ln in BODY.splitlines() if ln]


def test_all_furniture_keeps_nothing(cleaner):
    a = cleaner(article("Share this article\nUnsubscribe\n"))
    assert all(s == e for s, e in a.kept)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_never_crashes_and_spans_are_valid(text):
    cl = loaded()
    a = cl(article(text))
    assert a.text == text
    last = 0
    for s, e in a.kept:
        assert 0 <= s <= e <= len(text)
        assert s >= last
        last = e
    cl.signoff(a)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "\t", "\r", "\u2028", "\x1c", "Body text.", "  Daily Nation  ", "x"]), max_size=8))
def test_last_lines_are_those_of_the_whole_split(lines):
    """``signoff`` reads the last lines from the end: the same lines as splitting the text."""
    from etl.clean import _last_lines

    text = "\n".join(lines)
    whole = [text[ln.start:ln.end] for ln in Cleaner._split(text) if not ln.blank]
    assert _last_lines(text, 2) == whole[::-1][:2]

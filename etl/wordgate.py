"""A case-blind regex searched only in texts that hold the words every match of it needs.

Most of the assembler's word patterns ("claimed responsibility", "mediated by", "taken to
hospital") are searched in every sentence or in the few words before each mention, and
almost never match. ``WordGate`` reads once, from the parsed pattern, the words without
which it cannot match (``etl.cues.pattern_needs``); a text lacking them is answered
``None`` without running the regex engine. Its ``search`` equals ``pattern.search``.
"""
from __future__ import annotations

import re

from .cues import lacks, pattern_needs


# The non-ASCII characters a case-blind regex takes for an ASCII letter ("[a-z]" with
# IGNORECASE, Python's ``re`` documentation): dotted and dotless i, long s, Kelvin sign.
_ASCII_LOOKALIKES = re.compile("[\u0130\u0131\u017f\u212a]")


def caseless(text: str) -> bool:
    """Whether a case-blind regex literal of ASCII characters is in ``text`` exactly when its
    lower case is in ``text.lower()``: no character of ``text`` passes for an ASCII letter."""
    return text.isascii() or _ASCII_LOOKALIKES.search(text) is None


class WordGate:
    """``pattern.search`` that skips a text lacking every word of one of the pattern's needs."""

    __slots__ = ("pattern", "needs")

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.needs = pattern_needs(pattern)  # empty: nothing known, every text is searched

    def __getstate__(self):
        return self.pattern, self.needs

    def __setstate__(self, state) -> None:
        self.pattern, self.needs = state

    def __repr__(self) -> str:
        return f"WordGate({self.pattern.pattern!r})"

    def lacks_needs(self, text: str) -> bool:
        """Whether ``text`` surely holds no match: it lacks every word of one need."""
        return bool(self.needs) and self.lacks_words(text.lower()) and caseless(text)

    def lacks_words(self, low: str) -> bool:
        """Whether the lower-cased text ``low`` lacks every word of one need (a text with a
        letter that passes for an ASCII one, see ``caseless``, may match all the same)."""
        return lacks(low, self.needs)

    def search(self, text: str) -> re.Match | None:
        if self.lacks_needs(text):
            return None
        return self.pattern.search(text)

"""Finding vocabulary phrases in text: one Aho-Corasick automaton per vocabulary.

Shared by the finders that match word lists (actors, triggers): folding of quotes, dashes
and spaces that keeps offsets, case rules per phrase, and longest-match selection.
"""
from __future__ import annotations

import bisect
import operator
from typing import Any, Iterable, NamedTuple

import ahocorasick

from .records import Sentence

FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u2013": "-", "\u2014": "-",
                       "\u2010": "-", "\u2011": "-", "\n": " ", "\t": " ", "\r": " ", "\xa0": " "})


# ``str.translate`` takes a slow per-character path on any non-ASCII text (all news text:
# curly quotes, dashes), about 100 times slower than a few ``str.replace`` calls.
_FOLD_PAIRS = tuple((chr(code), target) for code, target in FOLD.items())


def normalise(text: str) -> str:
    """``text.translate(FOLD)`` (quotes, dashes, spaces), by ``str.replace``."""
    for char, target in _FOLD_PAIRS:
        if char in text:
            text = text.replace(char, target)
    return text


def _lower(text: str) -> str:
    """Lower-case without changing the length."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def fold(text: str) -> str:
    """Lower-case and normalise quotes/dashes/spaces without changing the text's length."""
    return _lower(normalise(text))


class _SliceFold:
    """``fold`` of a slice of ``text``, on demand: for the rare text with a capital sigma,
    whose lower case depends on the letters around it (so folding a slice may differ from
    slicing the folded text)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __getitem__(self, key: slice) -> str:
        return fold(self.text[key])


def folded_slices(text: str) -> "str | _SliceFold":
    """What gives ``fold(text[a:b])`` as ``result[a:b]``: the folded text itself (folding is
    per character) unless ``text`` holds a capital sigma."""
    return fold(text) if "\u03a3" not in text else _SliceFold(text)


class Hit(NamedTuple):
    start: int
    end: int
    payload: Any


class PhraseIndex:
    """Vocabulary phrases found on word boundaries by one Aho-Corasick automaton.

    Case rules per phrase: ``exact`` (acronyms such as "IS", "PDF") must match letter for
    letter; ``proper`` (starts with a capital) must start with a capital in the text;
    ``lower`` must be lower case in the text; anything else matches in any case.
    """

    def __init__(self, phrases: Iterable[tuple[str, str, Any]]):
        automaton = ahocorasick.Automaton()
        count = 0
        for surface, case, payload in phrases:
            surface = " ".join(surface.split())
            if not surface:
                continue
            key = fold(surface)
            # (length, entries): the phrases of one key are as long as the key
            entry = automaton.get(key) if key in automaton else (len(key), [])
            entry[1].append((surface.translate(FOLD), case, payload))
            automaton.add_word(key, entry)
            count += 1
        if count:
            automaton.make_automaton()
        self._automaton = automaton
        self._empty = count == 0

    def find(self, text: str) -> list[Hit]:
        """Every phrase occurrence on word boundaries (overlaps included)."""
        if self._empty or not text:
            return []
        normal = normalise(text)
        return self._find(normal, _lower(normal))

    def _find(self, normal: str, folded: str) -> list[Hit]:
        """``find`` of a text given ``normalise`` of it and that lower-cased (``fold``)."""
        if self._empty or not folded:
            return []
        size = len(folded)
        hits = []
        for last, (length, entries) in self._automaton.iter(folded):
            end = last + 1
            if end < size and (folded[end].isalnum() or folded[end] == "_"):
                continue
            start = end - length
            if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            for surface, case, payload in entries:
                if case != "any" and not _case_ok(normal[start:end], surface, case):
                    continue  # ("any" matches in any case)
                hits.append(Hit(start, end, payload))
        return hits


def sentence_hits(index: PhraseIndex, sentences: tuple[Sentence, ...], rank=lambda hit: 0) -> list[tuple[Sentence, list[Hit]]]:
    """``longest_first`` hits of every sentence, offsets relative to the sentence.

    The sentences are searched as one text (laid out at their article offsets) so the
    automaton runs once per article; a hit crossing a sentence boundary is dropped.
    """
    return [(sentence, hits) for sentence, hits, _ in folded_sentence_hits(index, sentences, rank)]


def folded_sentence_hits(
    index: PhraseIndex, sentences: tuple[Sentence, ...], rank=lambda hit: 0
) -> list[tuple[Sentence, list[Hit], "str | _SliceFold"]]:
    """``sentence_hits`` with ``folded_slices`` of each sentence's text, cut from the
    article's text folded once (folding is per character unless a capital sigma is in it)."""
    ordered = sorted(sentences, key=lambda s: s.start)
    pieces, cursor = [], ordered[0].start if ordered else 0
    for sentence in ordered:
        if sentence.start < cursor or len(sentence.text) != sentence.end - sentence.start:
            return [(s, longest_first(index.find(s.text), rank), folded_slices(s.text)) for s in sentences]
        pieces.append(" " * (sentence.start - cursor))
        pieces.append(sentence.text)
        cursor = sentence.end
    base = ordered[0].start if ordered else 0
    starts = [s.start - base for s in ordered]
    grouped: dict[int, list[Hit]] = {}
    normal = normalise("".join(pieces))
    folded = _lower(normal)
    for hit in longest_first(index._find(normal, folded), rank):
        number = bisect.bisect_right(starts, hit.start) - 1
        if number < 0 or hit.end > ordered[number].end - base:
            continue
        sentence = ordered[number]
        offset = sentence.start - base
        grouped.setdefault(number, []).append(Hit(hit.start - offset, hit.end - offset, hit.payload))
    position = {id(s): n for n, s in enumerate(ordered)}
    return [(s, grouped.get(position[id(s)], []), _folded_slice(s.text, folded, s.start - base)) for s in sentences]


def _folded_slice(text: str, folded: str, offset: int) -> "str | _SliceFold":
    """``folded_slices(text)`` for ``text`` found at ``offset`` of ``folded``, the folded text
    it is part of (the other characters do not change how a text without a capital sigma folds)."""
    return folded[offset : offset + len(text)] if "\u03a3" not in text else _SliceFold(text)


def _case_ok(found: str, surface: str, case: str) -> bool:
    if case == "exact":
        return found == surface
    if case == "proper":
        return found[:1].isupper()
    if case == "lower":
        return found[:1].islower()
    return True


_SPAN = operator.itemgetter(0, 1)  # (start, end) of a Hit


def longest_first(hits: list[Hit], rank=lambda hit: 0) -> list[Hit]:
    """Non-overlapping hits: the longest match wins, then the higher ``rank``; by start.

    Hits compete only with the hits they overlap, directly or through others: each run of
    overlapping hits is settled on its own (``_longest_first``), a hit overlapping no
    other is kept as it is (most hits: ``rank`` is not asked for them)."""
    if not hits:
        return []
    ordered = sorted(hits, key=_SPAN)  # (ties keep their order, as _longest_first's sort does)
    chosen: list[Hit] = []
    run = [ordered[0]]
    reach = ordered[0].end
    for hit in ordered[1:]:
        if hit.start < reach:
            run.append(hit)
            reach = max(reach, hit.end)
            continue
        chosen.extend(run if len(run) == 1 else _longest_first(run, rank))
        run, reach = [hit], hit.end
    chosen.extend(run if len(run) == 1 else _longest_first(run, rank))
    return chosen


def _longest_first(hits: list[Hit], rank=lambda hit: 0) -> list[Hit]:
    """``longest_first`` by its definition: the hits taken longest first (then by ``rank``,
    then by start) unless they overlap one taken before; by start."""
    if not hits:
        return []
    chosen: list[Hit] = []
    taken = bytearray(max(hit.end for hit in hits))
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -rank(h), h.start)):
        if 1 in taken[hit.start:hit.end]:
            continue
        chosen.append(hit)
        taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
    return sorted(chosen, key=lambda h: (h.start, h.end))

"""Modality and background cues: which words of a sentence do not report a happened event.

``CueFinder`` splits a sentence into clauses and finds cue words (future, hypothesis,
threat, appeal, denial, negation, intention, history) from ``etl/vocab/cues.yaml``. Each
cue covers a scope (the rest of its clause, its clause, the sentence, or a few words);
the assembler drops a trigger that falls inside a blocking cue's scope.

    finder = CueFinder.load()
    view = finder.read(sentence)            # clauses + cues of one sentence (article offsets)
    view.blocking(trigger.start)            # the Cue covering that offset, or None

Phrases are matched word by word through a dictionary keyed by their first word (one pass
over the sentence's words), so a sentence costs a few microseconds.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from . import vocab
from .errors import DataFileError
from .patterns import start_guarded
from .records import Mention, Sentence

try:  # the regex parser, to find the words a cue pattern cannot match without
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

SCOPES = ("after", "after_end", "clause", "sentence", "near")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # a split by it keeps the words
_AND = re.compile(r",?\s*and\b", re.IGNORECASE)
_GAP_OK = frozenset(" \t\r\n\"“”‘’'")


_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))


def _needs(items) -> list[frozenset]:
    """For a parsed regex sequence: sets of strings such that every match contains one
    string of each set (literal runs, and alternations of them)."""
    needs, run = [], []
    for op, av in items:
        if op == _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            needs.append(frozenset({"".join(run)}))
            run = []
        needs.extend(_item_needs(op, av))
    if run:
        needs.append(frozenset({"".join(run)}))
    return needs


def _item_needs(op, av) -> list[frozenset]:
    """``_needs`` of one parsed regex item other than a literal."""
    if op == _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return [] if add_flags or del_flags else _needs(sub)
    if op in _REPEATS:
        low, _high, sub = av
        return _needs(sub) if low >= 1 else []
    if op == _sre.BRANCH:
        options: set[str] = set()
        for alternative in av[1]:
            best = _most_selective(_needs(alternative), 1)
            if not best:
                return []
            options |= best[0]
        return [frozenset(options)]
    return []


def _most_selective(needs: list[frozenset], count: int) -> list[frozenset]:
    """The ``count`` needs with the longest shortest string (the rarest, roughly)."""
    usable = [need for need in needs if need and all(need)]
    usable.sort(key=lambda need: (-min(map(len, need)), len(need), sorted(need)))
    return usable[:count]


def pattern_needs(pattern: re.Pattern, count: int = 3) -> tuple[tuple[str, ...], ...]:
    """Up to ``count`` sets of lower-case ASCII strings, for a case-blind ``pattern``: every
    match contains one string of each set (so a lower-cased text lacking all the strings of
    a set cannot match). Empty when nothing is known for sure."""
    if not pattern.flags & re.IGNORECASE:
        return ()
    try:
        needs = _needs(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unknown parser: no needs, the pattern runs on every text
        return ()
    plain = [need for need in needs if all(word.isascii() and "'" not in word for word in need)]
    return tuple(tuple(sorted(word.lower() for word in need)) for need in _most_selective(plain, count))


def lacks(low: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``low`` lacks every string of one of the ``needs`` (see ``pattern_needs``)."""
    for need in needs:
        for word in need:
            if word in low:
                break
        else:
            return True
    return False


def _caseless(text: str) -> bool:
    """Whether every letter of ``text`` with a case is ASCII: then a case-blind regex literal
    is in ``text`` exactly when its lower case is in ``text.lower()``."""
    return text.isascii() or all(c.isascii() or c.lower() == c == c.upper() for c in set(text))


class Cue(NamedTuple):
    """A cue word found in a sentence, and the span of text it governs (article offsets;
    a named tuple: made for every cue of every sentence read)."""

    name: str
    start: int
    end: int
    text: str
    scope_start: int
    scope_end: int

    def covers(self, offset: int) -> bool:
        return self.scope_start <= offset < self.scope_end


class SentenceCues(NamedTuple):
    """One sentence read for cues: its clauses and cues, in article offsets (a named
    tuple: made for every sentence read)."""

    sentence: Sentence
    clauses: tuple[tuple[int, int], ...]
    cues: tuple[Cue, ...]

    def clause_of(self, offset: int) -> tuple[int, int]:
        return CueFinder.clause_of(self.clauses, offset)

    def blocking(self, offset: int) -> Cue | None:
        return CueFinder.blocking(self.cues, offset)


def _tokens(text: str) -> tuple[list[tuple[int, int, str]], list[str]]:
    """The words of ``text`` as (start, end, word), and the words alone: the matches of
    ``_WORD``, read from one split of the text into gaps and words (no match objects)."""
    parts = _WORD_SPLIT.split(text)  # gap, word, gap, word, ..., gap
    bounds = list(accumulate(map(len, parts)))  # where each part ends
    words = parts[1::2]
    return list(zip(bounds[0::2], bounds[1::2], words)), words


@dataclass(frozen=True)
class _Group:
    name: str
    scope: str
    window: int
    blocks: bool
    lookback: int = 0
    coordinated: bool = False  # the scope runs on through clauses opened by "and"
    initial: str = ""  # the scope when the cue opens the sentence ("In 1994, ...": sentence)
    comma: bool = False  # the scope also ends at the next comma ("X, which has pledged ..., killed")


@dataclass(frozen=True)
class CueFinder:
    groups: dict  # name -> _Group
    phrases: dict  # (first word, second word) -> tuple of (words tuple, group name), longest first
    singles: dict  # one-word phrase -> group name
    suffixes: tuple  # (word ending, group name): "n't", "'ll"
    patterns: tuple  # (compiled pattern, group name, gate words: the pattern runs only with one of them)
    pattern_words: frozenset  # a sentence with none of these words cannot match any pattern
    punctuation: tuple  # literal clause-ending strings
    boundary_words: frozenset
    after_comma: frozenset
    followed_by: dict  # word -> frozenset of next words
    after_comma_endings: tuple  # word endings that open a clause after a comma ("-ing")
    watched: frozenset  # every boundary word (a quick test before the rules)

    def __post_init__(self) -> None:
        """Derived once: the words a cue phrase or single-word cue can start with (only
        tokens among them, or with an apostrophe, can open a cue)."""
        starters = frozenset(first for first, _second in self.phrases) | frozenset(self.singles)
        object.__setattr__(self, "_starters", starters)
        # a phrase can open only where its first two words stand in a row
        object.__setattr__(self, "_single_words", frozenset(self.singles))
        object.__setattr__(self, "_pair_firsts", frozenset(first for first, _second in self.phrases))
        object.__setattr__(self, "_pairs", frozenset(self.phrases))
        needs = tuple(pattern_needs(pattern) for pattern, _name, _gate in self.patterns)
        object.__setattr__(self, "_pattern_needs", needs)
        object.__setattr__(self, "_pattern_groups", self.group_patterns(self.patterns, needs))

    @staticmethod
    def group_patterns(patterns: tuple, needs: tuple) -> tuple:
        """The patterns by gate, in order of first appearance: ((gate, ((pattern, name,
        needs), ...)), ...); a gate's patterns are skipped together when none of its words is
        in the sentence (the order patterns run in does not matter: the cues are sorted)."""
        groups: dict[frozenset, list] = {}
        for (pattern, name, gate), need in zip(patterns, needs):
            groups.setdefault(gate, []).append((pattern, name, need))
        return tuple((gate, tuple(members)) for gate, members in groups.items())

    @classmethod
    def load(cls, folder: Path | None = None) -> "CueFinder":
        data = vocab.load("cues", folder)
        if not isinstance(data, dict) or "groups" not in data:
            raise DataFileError("cues.yaml: expected a mapping with 'groups'")
        groups: dict[str, _Group] = {}
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        suffixes: list[tuple[str, str]] = []
        patterns: list[tuple[re.Pattern, str]] = []
        seen: set[tuple[str, ...]] = set()
        try:
            for name, spec in data["groups"].items():
                scope = spec.get("scope", "after")
                if scope not in SCOPES:
                    raise DataFileError(f"cues.yaml: group {name!r} has unknown scope {scope!r}")
                groups[name] = _Group(name, scope, int(spec.get("window", 24)), bool(spec.get("blocks", True)),
                                      int(spec.get("lookback", 0)), bool(spec.get("coordinated", False)),
                                      str(spec.get("initial_scope", "")), bool(spec.get("stop_at_comma", False)))
                for phrase in spec.get("phrases") or ():
                    if not isinstance(phrase, str):  # YAML reads a bare no/on/yes as a boolean
                        raise DataFileError(f"cues.yaml: phrase {phrase!r} in {name!r} is not a string (quote it)")
                    phrase = phrase.strip().lower().replace("’", "'")
                    if not phrase:
                        continue
                    if phrase[0] == "'" or phrase.startswith("n'"):
                        suffixes.append((phrase, name))
                        continue
                    words = tuple(phrase.split())
                    if words in seen:
                        continue
                    seen.add(words)
                    phrases.setdefault(words[0], []).append((words, name))
                for pattern in spec.get("patterns") or ():
                    try:
                        patterns.append((start_guarded(re.compile(pattern, re.IGNORECASE)), name,
                                         frozenset(str(w).lower() for w in spec.get("gate") or ())))
                    except re.error as exc:
                        raise DataFileError(f"cues.yaml: bad pattern {pattern!r} in {name!r}: {exc}") from exc
            bounds = data.get("clause_boundaries") or {}
            punctuation = tuple(str(p) for p in bounds.get("punctuation") or ())
            boundary_words = frozenset(str(w).lower() for w in bounds.get("words") or ())
            after_comma = frozenset(str(w).lower() for w in bounds.get("after_comma") or ())
            followed_by = {str(k).lower(): frozenset(str(v).lower() for v in vs)
                           for k, vs in (bounds.get("followed_by") or {}).items()}
            endings = tuple(str(e).lower() for e in bounds.get("after_comma_endings") or ())
        except (AttributeError, TypeError, ValueError) as exc:
            raise DataFileError(f"cues.yaml: malformed entry: {exc!r}") from exc
        pairs: dict[tuple[str, str], list] = {}
        singles: dict[str, str] = {}
        for options in phrases.values():
            for words, name in options:
                if len(words) == 1:
                    singles.setdefault(words[0], name)
                else:
                    pairs.setdefault(words[:2], []).append((words, name))
        ordered = {k: tuple(sorted(v, key=lambda item: len(item[0]), reverse=True)) for k, v in pairs.items()}
        gate = frozenset(str(w).lower() for w in data.get("pattern_words") or ())
        watched = boundary_words | after_comma | frozenset(followed_by)
        return cls(groups, ordered, singles, tuple(suffixes), tuple(patterns), gate, punctuation, boundary_words,
                   after_comma, followed_by, endings, watched)

    # -- reading a sentence --------------------------------------------------------------
    def read(self, sentence: Sentence) -> SentenceCues:
        text = sentence.text
        low = text.lower().replace("’", "'")
        if len(low) != len(text):  # a few letters change length when lower-cased
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("’", "'")
        tokens, words = _tokens(low)
        clauses = self._clauses(sentence, tokens, words)
        return SentenceCues(sentence, clauses, self._cues(sentence, tokens, words, low, clauses))

    def clauses(self, sentence: Sentence) -> tuple[tuple[int, int], ...]:
        """The sentence's clauses as (start, end) article offsets, in order, covering it."""
        return self.read(sentence).clauses

    def find(self, sentence: Sentence) -> tuple[Cue, ...]:
        return self.read(sentence).cues

    def _clause_words(self, text: str, tokens, words: list[str]) -> list[int]:
        """Indices of the words that may open a clause, never the first word: boundary
        words, and long words with an ending that opens a clause right after a comma and a
        space (", killing"; only the words two characters after a comma are looked at)."""
        watched, endings = self.watched, self.after_comma_endings
        found = [index for index, word in enumerate(words) if index and word in watched]
        comma = text.find(",")
        while comma >= 0:
            index = bisect_left(tokens, (comma + 2,))  # the first token from there
            if 0 < index < len(tokens) and tokens[index][0] == comma + 2:
                word = words[index]
                if len(word) > 5 and word.endswith(endings) and word not in watched:
                    found.append(index)
            comma = text.find(",", comma + 1)
        return found

    def _clauses(self, sentence: Sentence, tokens, words: list[str]) -> tuple[tuple[int, int], ...]:
        text = sentence.text
        cuts = {0}
        for mark in self.punctuation:
            at = text.find(mark)
            while at > 0:
                cuts.add(at)
                at = text.find(mark, at + 1)
        for index in self._clause_words(text, tokens, words):
            start, _end, word = tokens[index]
            if word in self.boundary_words:
                cuts.add(start - 1 if text[start - 1] == " " else start)
            elif (word in self.after_comma or (len(word) > 5 and word.endswith(self.after_comma_endings))) \
                    and text[:start].rstrip().endswith(","):
                cuts.add(text.rindex(",", 0, start))
            else:
                following = self.followed_by.get(word)
                if following and index + 1 < len(tokens) and tokens[index + 1][2] in following:
                    cuts.add(start - 1 if text[start - 1] == " " else start)
        size, base = len(text), sentence.start
        points = [base + c for c in sorted(cuts) if 0 <= c < size]  # distinct, rising
        points.append(base + size)
        return tuple(zip(points, points[1:])) or ((base, base + size),)

    @staticmethod
    def clause_of(clauses: tuple[tuple[int, int], ...], offset: int) -> tuple[int, int]:
        for start, end in clauses:
            if start <= offset < end:
                return start, end
        return clauses[-1] if clauses else (offset, offset)

    def _cue_words(self, words: list[str], apostrophe: bool) -> list[int]:
        """Indices of the words that may open a cue: single-word cues, first words of cue
        phrases followed by a second word of one of them, and (when the sentence has an
        apostrophe) words with a suffix cue ("n't"). The other words of ``_starters`` open
        no cue where they stand."""
        singles, firsts, pairs = self._single_words, self._pair_firsts, self._pairs
        last = len(words) - 1
        if apostrophe:
            return [index for index, word in enumerate(words)
                    if word in singles or "'" in word
                    or (word in firsts and index < last and (word, words[index + 1]) in pairs)]
        return [index for index, word in enumerate(words)
                if word in singles or (word in firsts and index < last and (word, words[index + 1]) in pairs)]

    def _cues(self, sentence: Sentence, tokens, words: list[str], low: str, clauses) -> tuple[Cue, ...]:
        text = sentence.text
        found: list[tuple[int, int, str]] = []
        count = len(tokens)
        phrases, singles = self.phrases, self.singles
        skip_to = 0
        for index in self._cue_words(words, "'" in low):  # no other word can open a cue
            if index < skip_to:
                continue
            start, end, word = tokens[index]
            matched = 0
            if index + 1 < count:
                for phrase, name in phrases.get((word, words[index + 1]), ()):
                    size = len(phrase)
                    if index + size > count:
                        continue
                    if size > 2 and tuple(words[index + 2:index + size]) != phrase[2:]:
                        continue
                    if any(not _GAP_OK.issuperset(text[tokens[index + k - 1][1]: tokens[index + k][0]]) for k in range(1, size)):
                        continue
                    found.append((start, tokens[index + size - 1][1], name))
                    matched = size
                    break
            if not matched:
                name = singles.get(word)
                # a capitalised single word inside a sentence is a name ("May", "Will", "Hope")
                if name is not None and not (index > 0 and text[start].isupper()):
                    found.append((start, end, name))
                    matched = 1
            if not matched and "'" in word:
                for ending, name in self.suffixes:
                    if word.endswith(ending):
                        found.append((end - len(ending), end, name))
                        break
            skip_to = index + (matched or 1)
        if self.patterns and (not self.pattern_words.isdisjoint(words) or "0s" in text
                              or any(map(str.isdigit, words)) and any(len(w) == 4 and w.isdigit() for w in words)):
            present = set(words)
            caseless = _caseless(text)
            for gate, members in self._pattern_groups:
                if gate and gate.isdisjoint(present):
                    continue  # the group's own gate: none of its key words here
                for pattern, name, needs in members:
                    if caseless and lacks(low, needs):
                        continue  # a word every match needs is missing
                    for match in pattern.finditer(text):
                        found.append((match.start(), match.end(), name))
        if not found:
            return ()
        base = sentence.start
        cues = []
        for start, end, name in sorted(found):
            group = self.groups[name]
            if not group.blocks:
                continue
            a, b = base + start, base + end
            clause_start, _ = self.clause_of(clauses, a)
            _, clause_end = self.clause_of(clauses, b - 1)
            if group.coordinated:
                clause_end = self._coordinated_end(text, base, clauses, clause_end)
            opening = group.initial and not text[:start].strip(" \t\r\n\"“'‘(")
            if opening and group.initial == "sentence":
                scope = (sentence.start, sentence.end)
            elif group.scope == "after":
                if group.comma:
                    comma = text.find(",", end)
                    if comma >= 0:
                        clause_end = min(clause_end, base + comma)
                scope = (max(clause_start, a - group.lookback), clause_end)
            elif group.scope == "after_end":
                scope = (b, clause_end)
            elif group.scope == "clause":
                scope = (clause_start, clause_end)
            elif group.scope == "near":
                scope = (b, min(clause_end, b + group.window))
            else:
                scope = (sentence.start, sentence.end)
            cues.append(Cue(name, a, b, text[start:end], *scope))
        return tuple(cues)

    @staticmethod
    def _coordinated_end(text: str, base: int, clauses, end: int) -> int:
        """Extend a clause end over the clauses that follow it opened by "and" ("agreed to
        disband, and withdraw ...")."""
        for start, stop in clauses:
            if start == end and _AND.match(text, start - base):
                end = stop
        return end

    @staticmethod
    def blocking(cues: tuple[Cue, ...], offset: int) -> Cue | None:
        """The first cue whose scope covers ``offset`` (a trigger's start), if any."""
        for cue in cues:
            if cue.covers(offset):
                return cue
        return None

    def __call__(self, sentences: tuple[Sentence, ...]) -> tuple[Mention, ...]:
        """Cue mentions (kind "cue", value = the cue's group name) for a whole article."""
        out = []
        for sentence in sentences:
            for cue in self.find(sentence):
                out.append(Mention("cue", sentence.index, cue.start, cue.end, cue.text, cue.name))
        return tuple(out)

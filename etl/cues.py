"""Modality and background cues: which words of a sentence do not report a happened event.

``CueFinder`` splits a sentence into clauses and finds cue words (future, hypothesis,
threat, appeal, denial, negation, intention, history) from ``etl/vocab/cues.yaml``. Each
cue covers a scope (the rest of its clause, its clause, the sentence, or a few words);
the assembler drops a trigger that falls inside a blocking cue's scope.

    finder = CueFinder.load()
    cues = finder.find(sentence)            # tuple[Cue, ...], article offsets
    finder.blocking(cues, trigger.start)    # the Cue covering that offset, or None
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import vocab
from .errors import DataFileError
from .records import Mention, Sentence

SCOPES = ("after", "clause", "sentence", "near")


@dataclass(frozen=True)
class Cue:
    """A cue word found in a sentence, and the span of text it governs (article offsets)."""

    name: str
    start: int
    end: int
    text: str
    scope_start: int
    scope_end: int

    def covers(self, offset: int) -> bool:
        return self.scope_start <= offset < self.scope_end


@dataclass(frozen=True)
class _Group:
    name: str
    scope: str
    window: int
    blocks: bool
    lookback: int = 0


def _phrase_regex(phrase: str) -> str:
    # quotation marks may open or close between the words: called "for an end ..."
    body = r"[\s\"“”‘’]+".join(re.escape(word) for word in phrase.split())
    left = r"(?<!\w)" if phrase[0].isalnum() else ""
    right = r"(?!\w)" if phrase[-1].isalnum() else ""
    return left + body + right


@dataclass(frozen=True)
class CueFinder:
    groups: dict  # name -> _Group
    phrases: re.Pattern  # all literal phrases, longest first
    phrase_group: dict  # lower-cased phrase (single-spaced) -> group name
    patterns: tuple  # (compiled pattern, group name)
    boundaries: re.Pattern

    @classmethod
    def load(cls, folder: Path | None = None) -> "CueFinder":
        data = vocab.load("cues", folder)
        if not isinstance(data, dict) or "groups" not in data:
            raise DataFileError("cues.yaml: expected a mapping with 'groups'")
        groups: dict[str, _Group] = {}
        phrase_group: dict[str, str] = {}
        patterns: list[tuple[re.Pattern, str]] = []
        for name, spec in data["groups"].items():
            scope = spec.get("scope", "after")
            if scope not in SCOPES:
                raise DataFileError(f"cues.yaml: group {name!r} has unknown scope {scope!r}")
            groups[name] = _Group(
                name, scope, int(spec.get("window", 24)), bool(spec.get("blocks", True)), int(spec.get("lookback", 0))
            )
            for phrase in spec.get("phrases") or ():
                phrase = str(phrase).strip().lower()
                if not phrase:
                    continue
                for variant in {phrase, phrase.replace("'", "\u2019")}:
                    phrase_group.setdefault(variant, name)
            for pattern in spec.get("patterns") or ():
                try:
                    patterns.append((re.compile(pattern, re.IGNORECASE), name))
                except re.error as exc:
                    raise DataFileError(f"cues.yaml: bad pattern {pattern!r} in {name!r}: {exc}") from exc
        ordered = sorted(phrase_group, key=len, reverse=True)
        phrases = re.compile("|".join(_phrase_regex(p) for p in ordered) or r"(?!)", re.IGNORECASE)
        try:
            boundaries = re.compile("|".join(f"(?:{b})" for b in data.get("clause_boundaries") or ()) or r"(?!)")
        except re.error as exc:
            raise DataFileError(f"cues.yaml: bad clause boundary: {exc}") from exc
        return cls(groups, phrases, phrase_group, tuple(patterns), boundaries)

    # -- clauses -----------------------------------------------------------------------
    def clauses(self, sentence: Sentence) -> tuple[tuple[int, int], ...]:
        """The sentence's clauses as (start, end) article offsets, in order, covering it."""
        cuts = [0]
        for match in self.boundaries.finditer(sentence.text):
            position = match.start()
            if position > cuts[-1]:
                cuts.append(position)
        cuts.append(len(sentence.text))
        base = sentence.start
        return tuple((base + a, base + b) for a, b in zip(cuts, cuts[1:]) if b > a)

    @staticmethod
    def clause_of(clauses: tuple[tuple[int, int], ...], offset: int) -> tuple[int, int]:
        for start, end in clauses:
            if start <= offset < end:
                return start, end
        return clauses[-1] if clauses else (offset, offset)

    # -- cues --------------------------------------------------------------------------
    def find(self, sentence: Sentence, clauses: tuple[tuple[int, int], ...] | None = None) -> tuple[Cue, ...]:
        text = sentence.text
        if clauses is None:
            clauses = self.clauses(sentence)
        first_word = len(text) - len(text.lstrip(" \t\r\n\"'“‘(["))
        found: list[tuple[int, int, str]] = []
        for match in self.phrases.finditer(text):
            word = match.group(0)
            name = self.phrase_group.get(" ".join(re.sub(r"[\"“”‘’]+", " ", word).lower().split()))
            if name is None:
                continue
            # a capitalised single word inside a sentence is a name ("May", "Will", "Hope")
            if " " not in word and word[:1].isupper() and match.start() > first_word:
                continue
            found.append((match.start(), match.end(), name))
        for pattern, name in self.patterns:
            for match in pattern.finditer(text):
                found.append((match.start(), match.end(), name))
        base = sentence.start
        cues = []
        for start, end, name in sorted(found):
            group = self.groups[name]
            if not group.blocks:
                continue
            a, b = base + start, base + end
            clause_start, _ = self.clause_of(clauses, a)
            _, clause_end = self.clause_of(clauses, b - 1)
            if group.scope == "after":
                scope = (max(clause_start, a - group.lookback), clause_end)
            elif group.scope == "clause":
                scope = (clause_start, clause_end)
            elif group.scope == "near":
                scope = (a, min(clause_end, b + group.window))
            else:
                scope = (sentence.start, sentence.end)
            cues.append(Cue(name, a, b, text[start:end], *scope))
        return tuple(cues)

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

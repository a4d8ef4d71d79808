"""Sentences: split the kept parts of an article into sentences with exact offsets.

A sentence ends at . ! ? or an ellipsis (with any closing quotes or brackets after it)
when the next word does not continue it, and at a line break (headlines, list items,
paragraphs) unless the line was merely wrapped. Abbreviations live in
``etl/vocab/abbreviations.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import vocab
from .errors import DataFileError
from .records import Article, Sentence

# Structural punctuation only; the words are in the YAML file. ("[.!?…][.!?…]*" is
# "[.!?…]+" starting with a character class, which lets the regex engine skip to the
# punctuation at C speed.)
_BOUNDARY = re.compile(r"([.!?…][.!?…]*)([\"'”’»)\]]*)(\s+)(?=(\S))")
_TOKEN_BEFORE = re.compile(r"[^\s(\[\"'“‘«]*$")
_WORD_AFTER = re.compile(r"[\"'“‘«(\[]*([^\s\"'”’»)\],;:.!?]*)")
_DOTTED = re.compile(r"[A-Za-z](?:\.[A-Za-z])+")
_INITIAL = re.compile(r"[A-Z]")
_BULLET = re.compile(r"(?:[-*•·▪●◦‣]|\d{1,2}[.)])\s+")
_LINE_END = ".!?:;\"'”’»)…]"


def _words(data: object, key: str) -> frozenset[str]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise DataFileError(
            f"abbreviations.yaml: '{key}' must be a list of strings (quote words YAML reads as "
            "booleans, such as No, On, Yes)"
        )
    return frozenset(items)


@dataclass(frozen=True)
class Splitter:
    never_final: frozenset[str]
    before_number: frozenset[str]
    maybe_final: frozenset[str]
    openers: frozenset[str]

    @classmethod
    def load(cls, folder: Path | None = None) -> "Splitter":
        data = vocab.load("abbreviations", folder)
        return cls(
            never_final=_words(data, "never_final"),
            before_number=_words(data, "before_number"),
            maybe_final=_words(data, "maybe_final"),
            openers=_words(data, "openers"),
        )

    def __call__(self, article: Article) -> tuple[Sentence, ...]:
        text = article.text
        spans = article.kept or ((0, len(text)),)
        out: list[Sentence] = []
        paragraph = -1
        for span_start, span_end in spans:
            span_start = max(0, min(span_start, len(text)))
            span_end = max(span_start, min(span_end, len(text)))
            for block_start, block_end, new_paragraph in self._blocks(text, span_start, span_end):
                if new_paragraph or paragraph < 0:
                    paragraph += 1
                for start, end in self._split_block(text, block_start, block_end):
                    out.append(Sentence(len(out), start, end, text[start:end], paragraph))
        return tuple(out)

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _blocks(text: str, start: int, end: int):
        """Runs of lines that belong together: (start, end, starts a new paragraph)."""
        pos = start
        block: list[int] | None = None
        while pos < end:
            nl = text.find("\n", pos, end)
            if nl < 0:
                nl = end
            raw = text[pos:nl]
            body = raw.strip()
            if body:
                s = pos + (len(raw) - len(raw.lstrip()))
                e = s + len(body)
                bullet = _BULLET.match(text, s, e)
                if bullet and bullet.end() < e:
                    s = bullet.end()
                wrapped = (
                    block is not None
                    and not bullet
                    and text[block[1] - 1] not in _LINE_END
                    and (body[0].islower() or text[block[1] - 1] in ",-–")
                )
                if wrapped:
                    block[1] = e
                else:
                    if block is not None:
                        yield block[0], block[1], True
                    block = [s, e]
            elif block is not None:
                yield block[0], block[1], True
                block = None
            pos = nl + 1
        if block is not None:
            yield block[0], block[1], True

    def _split_block(self, text: str, start: int, end: int):
        block = text[start:end]
        cursor = 0
        for m in _BOUNDARY.finditer(block):
            if m.start() < cursor:
                continue
            if not self._ends(block, m):
                continue
            s, e = cursor, m.end(2)
            piece = block[s:e]
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                yield start + s + lead, start + len(block[:e].rstrip())
            cursor = m.end(3)
        piece = block[cursor:]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            yield start + cursor + lead, start + len(block.rstrip())

    def _ends(self, block: str, m: re.Match) -> bool:
        nxt = m.group(4)
        if nxt.islower():
            return False
        punct = m.group(1)
        if punct != "." or m.group(2):
            return True
        token = _TOKEN_BEFORE.search(block, max(0, m.start() - 40), m.start()).group()
        if not token:
            return True
        if token in self.never_final:
            return False
        if nxt.isdigit() and token in self.before_number:
            return False
        if _INITIAL.fullmatch(token) and nxt.isupper():
            return False
        if token in self.maybe_final or _DOTTED.fullmatch(token):
            word = _WORD_AFTER.match(block, m.end(3)).group(1)
            return word in self.openers or not word[:1].isalpha()
        return True

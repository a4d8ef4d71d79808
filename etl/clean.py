"""Clean: find the parts of an article's text that are the article, not page furniture.

The text itself is never changed (offsets must stay valid); the cleaner sets
``Article.kept`` to the spans of the text that survive: newsletter blocks, photo
credits, bylines and sign-offs, share prompts, a title repeated on the next line and
section headings are left out. Patterns live in ``etl/vocab/furniture.yaml``.
If nothing is left, ``kept`` is ``((0, 0),)`` (an empty ``kept`` means "not cleaned").
``Cleaner.signoff`` returns a closing attribution line (a publisher name) for the source
stage.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from . import vocab
from .patterns import literal_alternation, lower_regex, lowered, start_guard
from .errors import DataFileError
from .records import Article

_WS = re.compile(r"\s+")
_LEADING_YEAR = re.compile(r"^\d{4}\s+")
_TRAILING_YEAR = re.compile(r",?\s+\d{4}$")


def _alternation(patterns: list[str], name: str, guard: bool = True) -> re.Pattern:
    """Patterns for lower-cased lines; with ``guard`` they may only start at a word start
    (or a punctuation mark) where one of them can begin, which keeps searching fast."""
    try:
        patterns = [lower_regex(str(p)) for p in patterns]
        prefix = start_guard(patterns) if guard else ""
        return re.compile(prefix + "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.MULTILINE)
    except (re.error, TypeError) as exc:
        raise DataFileError(f"furniture.yaml: bad pattern in {name}: {exc}") from exc


def _words(body: str) -> int:
    """Word count (estimated from spaces for long lines: only small counts matter)."""
    return len(body.split()) if len(body) < 120 else body.count(" ") + 1


def _last_lines(text: str, count: int) -> list[str]:
    """The last ``count`` lines of ``text`` that are not blank, stripped, the last first
    (fewer when the text has fewer); read from the end, not split whole."""
    out: list[str] = []
    end = len(text)
    while end >= 0 and len(out) < count:
        start = text.rfind("\n", 0, end) + 1
        body = text[start:end].strip()
        if body:
            out.append(body)
        end = start - 1
    return out


class _Line(NamedTuple):
    """One line of the text (a named tuple: made for every line of every article)."""

    start: int
    end: int  # stripped bounds; start == end for a blank line
    words: int
    dropped: bool = False
    cut: bool = False  # its tail was cut: a kept span must end here

    @property
    def blank(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Cleaner:
    drop_start: re.Pattern
    drop: re.Pattern
    drop_needs: re.Pattern
    cut_needs: re.Pattern
    cut: re.Pattern
    block: re.Pattern
    signoff_prefix: re.Pattern
    prose_min_words: int
    heading_max_words: int
    heading_final: str
    signoff_max_words: int
    small_words: frozenset[str]

    @classmethod
    def load(cls, folder: Path | None = None) -> "Cleaner":
        data = vocab.load("furniture", folder)
        if not isinstance(data, dict):
            raise DataFileError("furniture.yaml: expected a mapping")
        try:
            return cls(
                drop_start=_alternation(data["drop_line_start"], "drop_line_start", guard=False),
                drop=_alternation(data["drop_line"], "drop_line"),
                drop_needs=re.compile(literal_alternation(str(w).lower() for w in data["drop_line_needs"])),
                cut_needs=re.compile(literal_alternation(str(w).lower() for w in data["cut_tail_needs"])),
                cut=_alternation(data["cut_tail"], "cut_tail"),
                block=_alternation(data["block_start"], "block_start"),
                signoff_prefix=re.compile(
                    "^(?:" + "|".join(f"(?:{p})" for p in data["signoff_prefixes"]) + ")",
                    re.IGNORECASE,
                ),
                prose_min_words=int(data["prose_min_words"]),
                heading_max_words=int(data["heading_max_words"]),
                heading_final=str(data["heading_final_punct"]),
                signoff_max_words=int(data["signoff_max_words"]),
                small_words=frozenset(str(w).lower() for w in data["signoff_small_words"]),
            )
        except (KeyError, ValueError, re.error) as exc:
            raise DataFileError(f"furniture.yaml: missing or bad entry: {exc}") from exc

    # ------------------------------------------------------------------ public
    def __call__(self, article: Article) -> Article:
        return replace(article, kept=self.kept_spans(article.text))

    def signoff(self, article: Article) -> str | None:
        """A trailing attribution line naming the publisher ("Daily Nation", "© 2024 AFP")."""
        lines = _last_lines(article.text, 2)
        if len(lines) < 2:
            return None
        line = lines[0]
        stripped = self.signoff_prefix.sub("", line).strip(" \t()[]")
        stripped = _TRAILING_YEAR.sub("", _LEADING_YEAR.sub("", stripped))
        if stripped and self._name_like(stripped):
            return stripped
        return None

    def kept_spans(self, text: str) -> tuple[tuple[int, int], ...]:
        lines = self._split(text)
        self._classify(text, lines)
        self._drop_repeats(text, lines)
        self._drop_tail_block(text, lines)
        self._drop_signoff(text, lines)
        self._drop_headings(text, lines)
        return self._merge(lines)

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _split(text: str) -> list[_Line]:
        out = []
        pos = 0
        n = len(text)
        while pos <= n:
            nl = text.find("\n", pos)
            if nl < 0:
                nl = n
            raw = text[pos:nl]
            body = raw.strip()
            if body:
                start = pos + (len(raw) - len(raw.lstrip()))
                end = start + len(body)
                out.append(_Line(start, end, _words(body)))
            else:
                out.append(_Line(pos, pos, 0))
            pos = nl + 1
        return out

    def _classify(self, text: str, lines: list[_Line]) -> None:
        """Drop furniture lines and cut photo credits; the patterns run once over the whole
        (lower-cased) text, which is much faster than line by line."""
        low = lowered(text)
        starts = [ln.start for ln in lines]
        flagged = set()
        if self.drop_needs.search(low):
            flagged = {bisect_right(starts, m.start()) - 1 for m in self.drop.finditer(low)}
        cuts: dict[int, int] = {}
        for m in self.cut.finditer(low) if self.cut_needs.search(low) else ():
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and i not in cuts and "\n" not in text[m.start():m.end()].rstrip():
                cuts[i] = m.start()
        for i, line in enumerate(lines):
            if line.blank:
                continue
            if i in flagged or self.drop_start.match(low, line.start):
                lines[i] = line._replace(dropped=True)
            elif i in cuts and line.start <= cuts[i] < line.end:
                end = line.start + len(text[line.start:cuts[i]].rstrip())
                if end <= line.start:
                    lines[i] = line._replace(dropped=True)
                else:
                    lines[i] = _Line(line.start, end, _words(text[line.start:end]), cut=True)

    @staticmethod
    def _norm(text: str) -> str:
        return _WS.sub(" ", text).strip().casefold()

    def _drop_repeats(self, text: str, lines: list[_Line]) -> None:
        """A line repeating the line before it (a title printed twice): keep the first."""
        previous = None
        for i, line in enumerate(lines):
            if line.blank or line.dropped:
                continue
            body = text[line.start:line.end]
            if previous is not None and (
                body == previous
                or (abs(len(body) - len(previous)) <= 8 and self._norm(body) == self._norm(previous))
            ):
                lines[i] = line._replace(dropped=True)
            previous = body

    def _drop_tail_block(self, text: str, lines: list[_Line]) -> None:
        """From a newsletter/'read more' line near the end to the end, if no prose follows."""
        j = len(lines) - 1
        while j >= 0 and (lines[j].blank or lines[j].dropped or lines[j].words < self.prose_min_words):
            j -= 1
        for k in range(j + 1, len(lines)):
            line = lines[k]
            if not line.blank and self.block.search(lowered(text[line.start:line.end])):
                for m in range(k, len(lines)):
                    if not lines[m].blank:
                        lines[m] = lines[m]._replace(dropped=True)
                return

    def _name_like(self, line: str) -> bool:
        if not line or line[-1] in ".!?:;,":
            return False
        words = line.split()
        if not 1 <= len(words) <= self.signoff_max_words:
            return False
        if not any(ch.isalpha() for ch in line):
            return False
        if sum(w.isdigit() for w in words) > 1 or any(ch in line for ch in "@:/"):
            return False  # a phone number, an address, a link
        for word in words:
            if word.lower() in self.small_words:
                continue
            if not (word[0].isupper() or word[0].isdigit()):
                return False
        return True

    def _drop_signoff(self, text: str, lines: list[_Line]) -> None:
        kept = [i for i, ln in enumerate(lines) if not ln.blank and not ln.dropped]
        if len(kept) < 2:
            return
        last = lines[kept[-1]]
        body = self.signoff_prefix.sub("", text[last.start:last.end]).strip(" \t()[]")
        before = lines[kept[-2]]
        before_text = text[before.start:before.end]
        # only a closing line after a paragraph of prose (not a list or a headline run)
        if body and self._name_like(body) and before_text[-1] in self.heading_final:
            lines[kept[-1]] = last._replace(dropped=True)

    def _drop_headings(self, text: str, lines: list[_Line]) -> None:
        kept = [i for i, ln in enumerate(lines) if not ln.blank and not ln.dropped]
        for pos in range(1, len(kept) - 1):
            line = lines[kept[pos]]
            if not 1 <= line.words <= self.heading_max_words:
                continue
            body = text[line.start:line.end]
            if body[-1] in self.heading_final or not (body[0].isupper() or body[0].isdigit()):
                continue
            prev = lines[kept[pos - 1]]
            prev_text = text[prev.start:prev.end]
            nxt = lines[kept[pos + 1]]
            # between two paragraphs of prose: the one before ends a sentence, the one after
            # is longer than a heading
            if prev_text[-1] in ".!?\"”’)…" and nxt.words > self.heading_max_words:
                lines[kept[pos]] = line._replace(dropped=True)

    @staticmethod
    def _merge(lines: list[_Line]) -> tuple[tuple[int, int], ...]:
        spans: list[tuple[int, int]] = []
        current: list[int] | None = None
        for line in lines:
            if line.blank:
                continue
            if line.dropped:
                if current:
                    spans.append((current[0], current[1]))
                    current = None
                continue
            if current is None:
                current = [line.start, line.end]
            else:
                current[1] = line.end
            if line.cut:
                spans.append((current[0], current[1]))
                current = None
        if current:
            spans.append((current[0], current[1]))
        return tuple(spans) or ((0, 0),)  # all furniture: nothing kept

"""Dates: the article's reference date, and every date expression in its sentences.

``DateFinder.reference`` picks the date relative expressions are resolved against: the
manifest's published date, else one inferred from the text. ``DateFinder.__call__`` finds
date mentions (kind "date", value ``DateValue``):

* explicit dates ("20 September 2023", "Sept. 20", "2023-09-20", "20/09/2023"), precision 1;
  a month-day without a year takes the year of the narrative (a month-level date with a
  year in the same or the previous sentence), else the reference's year,
  or the year before if that would land far after the reference;
* months and years ("in September", "September 2020", "in 2020", "from 1992 to 1994",
  "the 1990s"), precision 3 (first day of the period);
* relative days and periods ("yesterday", "last week", "two days ago"), and weekdays
  ("on Tuesday", "Tuesday's attack"): a weekday is the latest such day on or before the
  reference, or the NEXT such day after it when the clause is in the future tense
  ("talks will be held on Thursday", "confirmed talks with the rebels on Thursday"); tense
  cues count only in the weekday's own clause ("arrested on Monday ahead of a planned
  rally": Monday is past). Nights: "overnight" is the reference day (the night ending on
  it), "overnight into Tuesday" / "overnight Monday to Tuesday" the day the night ends,
  "late on Monday" Monday. Without a day-level reference (none, or only a
  year named in the text) these are omitted, never guessed.

The reference inferred from text is, in order: a full date standing nearly alone on its
line (a dateline, "Published 17 July 2026", also in the furniture the cleaner left
out), or a numeric one on such a line ("Posted 21.09.25, 7:05 PM"; day-month order only
when decidable: a part > 12, or a dotted date read day-first; see dates.yaml); else the latest full date, unless older than the latest year named; else a
month-day whose weekday is named with it; else 1 January of the latest year named
(how="text-year").

Times of day are not dates. Vocabulary: ``etl/vocab/dates.yaml``.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

from . import vocab
from .errors import DataFileError
from .patterns import automaton, join_texts, literal_alternation, lower_regex, lowered, start_guard
from .records import Article, DateValue, Mention, ReferenceDate, Sentence

_WORDS = re.compile(r"[\w'’]+")
# a numeric date on a dateline ("21.09.25", "14/05/2026"); read for the reference only
# (the look-ahead on a digit, which every match starts with, lets the engine skip to digits)
_NUMERIC_DATELINE = re.compile(
    r"(?=\d)(?<![\w./:-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:19|20)\d{2}|\d{2})(?![\w]|[./-]\d)")
# what every numeric date has: a digit, a separator, a digit
_NUMERIC_HINT = re.compile(r"\d[./-]\d")
# a wire dateline around a date: "PLACE, " before it, "(AGENCY) -" or " -" after it
_DATELINE_PLACE = r"[A-ZÀ-Þ][\w'’.À-ÿ-]*(?:\s+(?:[A-ZÀ-Þ(][\w'’.À-ÿ()-]*|of|de|du|la|el|al|and)){0,4}"
_DATELINE_BEFORE = re.compile(rf"\s*{_DATELINE_PLACE}(?:\s*,\s*{_DATELINE_PLACE}){{0,2}}\s*,\s*")
_DATELINE_AFTER = re.compile(r"(?:,?\s*(?:19|20)\d\d)?\s*(?:\([^()\n]{1,40}\)\s*)?(?:\.?\s*[-–—]+|:)\s")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?|\b(?:[ap]\.?m\.?|gmt|utc|ist|hrs|local time)(?!\w)", re.IGNORECASE)
_YEAR = r"(?:1[89]|20)\d{2}"


def _alt(words: Iterable[str]) -> str:
    return literal_alternation(words)


def _spaced(phrases: Iterable[str]) -> str:
    return literal_alternation(phrases)


def _capitalised(names: Iterable[str]) -> str:
    forms = set()
    for name in names:
        forms.add(name.capitalize())
        forms.add(name.upper())
    return _alt(forms)


class _Hit(NamedTuple):
    """A date expression found in a text (a named tuple: made for every date of every
    article, and made again when its offsets move to its sentence)."""

    kind: str  # dmy | mdy | monthyear | iso | numeric | range | decade | month | year | relative | ago | weekday
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    unit: str | None = None
    offset: int = 0
    precision: int = 1
    modifier: str | None = None
    possessive: bool = False
    qualifier: str | None = None


@dataclass(frozen=True)
class DateFinder:
    pattern: re.Pattern
    relative_pattern: re.Pattern
    relative_keys: re.Pattern
    back_date: re.Pattern
    back_qual: re.Pattern
    back_month: re.Pattern
    back_year: re.Pattern
    back_weekday: re.Pattern
    date_after_weekday: re.Pattern
    night_to: re.Pattern
    adjectival: frozenset[str]
    determiners: frozenset[str]
    back_words: frozenset[str]
    months: dict[str, int]
    weekdays: dict[str, int]
    number_words: dict[str, int]
    ago_units: dict[str, str]
    relative: tuple[tuple[str, int, int], ...]  # per relative group: unit, offset, precision
    past_modifiers: frozenset[str]
    future_modifiers: frozenset[str]
    fillers: frozenset[str]
    future_cue: re.Pattern
    future_words: frozenset[str]
    reporting_verbs: frozenset[str]
    passive_aux: frozenset[str]
    clause_breaks: str
    future_window: int
    past_aux: frozenset[str]
    scope_breaks: frozenset[str]
    announcing: frozenset[str]
    scheduled: frozenset[str]
    dateline_cue: re.Pattern
    dotted_day_first: bool
    # pyahocorasick automaton of the relative keywords, when all are letters and digits only
    relative_finder: object = field(default=None, compare=False, repr=False)
    # the last article's sentences and their hits: ``reference`` and ``__call__`` scan the
    # same sentences one after the other (hits are immutable; one entry, per process)
    _last: list = field(default_factory=lambda: [None], compare=False, repr=False)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, folder: Path | None = None) -> "DateFinder":
        data = vocab.load("dates", folder)
        if not isinstance(data, dict):
            raise DataFileError("dates.yaml: expected a mapping")
        try:
            return cls._build(data)
        except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
            raise DataFileError(f"dates.yaml: missing or bad entry: {exc!r}") from exc

    @classmethod
    def _build(cls, data: dict) -> "DateFinder":
        months = {str(k).lower(): int(v) for k, v in data["months"].items()}
        weekdays = {str(k).lower(): int(v) for k, v in data["weekdays"].items()}
        number_words = {str(k).lower(): int(v) for k, v in data["number_words"].items()}
        ago_units = {str(k).lower(): str(v) for k, v in data["ago_units"].items()}
        full_months = [m for m in months if len(m) > 4 or m in ("may", "june", "july")]
        mon = rf"(?:{_capitalised(months)})(?![A-Za-z])\.?"
        mon_full = rf"(?:{_capitalised(full_months)})(?![A-Za-z])"
        wd = _capitalised(weekdays)
        prefix = rf"(?:(?i:{_spaced(data['date_prefixes'])})\s+)?"
        qual = rf"(?i:{_alt(data['period_qualifiers'])})"
        not_year = rf"(?i:{_alt(data['not_year_after'])})"
        joins = rf"(?i:{_alt(data['range_joins'])})"

        # The main pattern: every branch starts with a digit or a capitalised month or
        # weekday, so the engine skips other positions fast. Words in front of a date
        # ("on", "in", "late", "last", a weekday) are read backwards afterwards. The
        # branches starting with a digit come first, behind a look-ahead on a digit, then
        # those starting with a month or weekday name, behind a look-ahead on the names: at
        # another place each set is skipped at once (the same branch wins, in the same order).
        main = re.compile(
            rf"(?=[0-9{re.escape(''.join(sorted({w[0].upper() for w in list(months) + list(weekdays)})))}])"
            r"(?:(?=[0-9])(?:"
            rf"(?P<iso>(?P<iso_y>{_YEAR})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b)"
            rf"|(?P<numeric>(?<![\w./])(?P<num_a>[0-3]?\d)(?P<num_sep>[/.])(?P<num_b>[01]?\d)(?P=num_sep)"
            rf"(?P<num_y>{_YEAR})\b(?![./]\d))"
            rf"|(?P<dmy>(?<![\w.,])(?P<dmy_d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<dmy_m>{mon})"
            rf"(?:,?\s+(?P<dmy_y>{_YEAR})\b)?(?![.,:]?\d))"
            rf"|(?P<range>(?<![\w.,])(?P<rg_c>{_YEAR})\s?[-–—]\s?(?P<rg_d>(?:1[89]|20)?\d{{2}})\b(?![-–.,]?\d))"
            rf"|(?P<decade>(?<![\w.,])(?P<dc_y>(?:1[89]|20)\d0)['’]?s\b)"
            rf"|(?P<year>(?<![\w.,$€£])(?P<yr_y>{_YEAR})(?:\s+{joins}\s+(?P<yr_b>{_YEAR}))?\b"
            rf"(?![-–]\w|[.,:]\d|\s*%|\s+{not_year}\b)))"
            rf"|(?={_capitalised(list(months) + list(weekdays))})(?:"
            rf"(?P<mdy>(?P<mdy_m>{mon}),?\s+(?:the\s+)?(?P<mdy_d>[0-3]?\d)(?:st|nd|rd|th)?\b"
            rf"(?![.,:]\d|\s*(?:%|(?i:per\s*cent|percent)))(?:,?\s+(?P<mdy_y>{_YEAR})\b)?)"
            rf"|(?P<monthyear>(?P<my_m>{mon}),?\s+(?P<my_y>{_YEAR})\b(?![.,]\d))"
            rf"|(?P<month>(?P<mo_m>{mon_full})(?!\.?,?\s+(?:the\s+)?\d))"
            rf"|(?P<weekday>(?P<wd_d>{wd})(?P<wd_pos>['’]s)?\b)"
            "))"
        )
        relative_groups = []
        relative = []
        for i, entry in enumerate(data["relative"]):
            phrases = "|".join(sorted((lower_regex(str(p)) for p in entry["phrases"]), key=len, reverse=True))
            relative_groups.append(rf"(?P<rel{i}>{phrases})\b")
            relative.append((str(entry["unit"]), int(entry["offset"]), int(entry["precision"])))
        # Relative phrases are matched on the lower-cased sentence; a look-ahead on the
        # letters they can start with lets the engine skip other positions fast.
        relative_phrases = [str(p) for entry in data["relative"] for p in entry["phrases"]]
        relative_pattern = re.compile(
            start_guard(relative_phrases + list(number_words) + ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
            + "(?:"
            + "|".join(relative_groups)
            + rf"|(?P<ago>(?P<ago_n>\d{{1,2}}|{_spaced(number_words)})\s+(?P<ago_u>{_alt(ago_units)})"
            rf"\s+(?:{_alt(data['ago_words'])})\b))"
        )
        future = [str(c) for c in data["future_cues"]]
        keywords = [str(k).lower() for k in data["relative_keywords"]]
        modifiers = list(data["weekday_past_modifiers"]) + list(data["weekday_future_modifiers"]) + ["this"]
        return cls(
            pattern=main,
            relative_pattern=relative_pattern,
            relative_keys=re.compile(literal_alternation(keywords)),
            relative_finder=_word_finder(keywords),
            back_date=re.compile(rf"{prefix}(?:(?P<wd>{wd}),?\s+)?(?:the\s+)?\Z"),
            back_qual=re.compile(rf"(?:(?:the\s+)?(?P<q>{qual})[- ]\s*|the\s+)\Z"),
            back_month=re.compile(rf"(?<!\w)(?P<cue>(?i:{_spaced(data['month_cues'])}))\s+(?:(?P<q>{qual})[- ]\s*)?\Z"),
            back_year=re.compile(rf"(?<!\w)(?P<cue>(?i:{_alt(data['year_cues'])}))(?:\s+|-)\Z"),
            back_weekday=re.compile(rf"(?:(?P<mod>(?i:{_alt(modifiers)}))\s+)?{prefix}\Z"),
            back_words=frozenset(
                w.lower().strip(",-")
                for phrases in (data["date_prefixes"], data["month_cues"], data["year_cues"],
                                data["period_qualifiers"], modifiers, list(weekdays), ["the"])
                for phrase in phrases for w in str(phrase).split()
            ),
            adjectival=frozenset(str(w).lower() for w in data["adjectival_relatives"]),
            determiners=frozenset(str(w).lower() for w in data["determiners"]),
            night_to=re.compile(rf"\s+(?:to|into)\s+(?P<wd_to>{wd})\b"),
            date_after_weekday=re.compile(rf",?\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}|{mon},?\s+\d)"),
            months=months,
            weekdays=weekdays,
            number_words=number_words,
            ago_units=ago_units,
            relative=tuple(relative),
            past_modifiers=frozenset(str(w).lower() for w in data["weekday_past_modifiers"]),
            future_modifiers=frozenset(str(w).lower() for w in data["weekday_future_modifiers"]),
            fillers=frozenset(w for f in data["weekday_fillers"] for w in str(f).lower().split()),
            future_cue=re.compile(rf"(?<![\w'’])(?:{_spaced(future)})(?![\w])", re.IGNORECASE),
            future_words=frozenset(c.lower() for c in future if " " not in c),
            reporting_verbs=frozenset(str(w).lower() for w in data["reporting_verbs"]),
            passive_aux=frozenset(str(w).lower() for w in data["passive_auxiliaries"]),
            clause_breaks=str(data["clause_breaks"]),
            future_window=int(data["future_window_days"]),
            past_aux=frozenset(str(w).lower() for w in data["past_auxiliaries"]),
            scope_breaks=frozenset(str(w).lower() for w in data["future_scope_breaks"]),
            announcing=frozenset(w for p in data["announcing_verbs"] for w in [str(p).lower().split()[0]]),
            scheduled=frozenset(str(w).lower() for w in data["scheduled_nouns"]),
            dateline_cue=re.compile(rf"(?<!\w)(?i:{_spaced(data['dateline_cues'])})(?!\w)"),
            dotted_day_first=bool(data["ambiguous_dotted_day_first"]),
        )

    # ------------------------------------------------------------------ scanning
    def _month(self, word: str) -> int:
        return self.months[word.rstrip(".").lower()]

    def _scan(self, text: str) -> list[_Hit]:
        return self._scan_many([text])[0]

    def _scan_many(self, texts: list[str]) -> list[list[_Hit]]:
        """Date hits of each text (offsets relative to it). The texts are scanned together,
        joined by a NUL that no pattern crosses: one pass instead of one per sentence."""
        joined, offsets = join_texts(texts)
        found: list[list[_Hit]] = [[] for _ in texts]
        touched = set()
        for m in self.pattern.finditer(joined):
            i = bisect_right(offsets, m.start()) - 1
            try:
                hit = self._hit(m.lastgroup, m, joined, offsets[i])
            except (KeyError, ValueError, TypeError):
                hit = None
            if hit is not None:
                found[i].append(hit)
                if hit.end + offsets[i] > m.end():
                    touched.add(i)  # the hit reaches past its match: later hits may overlap it
        low = lowered(joined)
        windows: list[list[int]] = []
        for ks, ke in self._relative_keys_in(low):  # relative phrases sit around these words
            ws, we = max(0, ks - 30), min(len(low), ke + 12)
            if windows and ws <= windows[-1][1]:
                windows[-1][1] = we
            else:
                windows.append([ws, we])
        for ws, we in windows:
            for m in self.relative_pattern.finditer(low, ws, we):
                if m.group() in self.adjectival and self._after_determiner(low, m.start()):
                    continue  # "an overnight raid": a time of day, not last night
                i = bisect_right(offsets, m.start()) - 1
                try:
                    hit = self._relative_hit(m, offsets[i])
                except (KeyError, ValueError):
                    hit = None
                if hit is not None:
                    found[i].append(hit)
                    touched.add(i)
        out = []
        for i, hits in enumerate(found):
            if i in touched:
                hits.sort(key=lambda h: (h.start, -h.end))
                kept: list[_Hit] = []
                for hit in hits:
                    if not kept or hit.start >= kept[-1].end:
                        kept.append(hit)
                hits = kept
            out.append(hits)
        return out

    def _relative_keys_in(self, low: str) -> Iterable[tuple[int, int]]:
        """Where the relative keywords stand in ``low`` as words (no letter or digit next
        to them), in order. With keywords of letters and digits only, an automaton finds
        the same ones as the regex: a keyword that is a word is the longest one starting
        there, and no other keyword that is a word overlaps it."""
        if self.relative_finder is None:
            spans = (key.span() for key in self.relative_keys.finditer(low))
        else:
            spans = sorted((end + 1 - len(key), end + 1) for end, key in self.relative_finder.iter(low))
        for ks, ke in spans:
            if not ((ks and low[ks - 1].isalnum()) or (ke < len(low) and low[ke].isalnum())):
                yield ks, ke

    def _sentence_hits(self, sentences: tuple[Sentence, ...]) -> list[list[_Hit]]:
        entry = self._last[0]  # one tuple, replaced whole: safe to share between threads
        if entry is not None and entry[0] == sentences:
            return entry[1]
        hits = self._scan_many([s.text for s in sentences])
        self._last[0] = (tuple(sentences), hits)
        return hits

    def _back(self, pattern: re.Pattern, text: str, start: int) -> re.Match | None:
        """Words in front of a date ("on", "late", "in mid-"), read backwards; the regex
        runs only when the word just before is one that can start such a prefix."""
        before = text[max(0, start - 25):start]
        if not before or not (before[-1].isspace() or before[-1] == "-"):
            return None
        words = before.split()
        if not words or words[-1].strip(",-").lower() not in self.back_words:
            return None
        return pattern.search(text, max(0, start - 40), start)

    def _hit(self, kind: str | None, m: re.Match, text: str, shift: int = 0) -> _Hit | None:
        """The hit of a match of the main pattern; offsets are made relative to ``shift``."""
        hit = self._hit_at(kind, m, text)
        if hit is None or not shift:
            return hit
        return _Hit(hit.kind, hit.start - shift, hit.end - shift, *hit[3:])

    def _hit_at(self, kind: str | None, m: re.Match, text: str) -> _Hit | None:
        s, e = m.span()
        if kind == "iso":
            return _Hit("iso", s, e, int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"]))
        if kind == "numeric":
            a, b, y = int(m["num_a"]), int(m["num_b"]), int(m["num_y"])
            return _Hit("numeric", s, e, y, b, a)  # day/month settled later
        if kind in ("dmy", "mdy"):
            back = self._back(self.back_date, text, s)
            wd = None
            if back:
                s = back.start()
                wd = self.weekdays[back["wd"].lower()] if back["wd"] else None
            y = m[f"{kind}_y"]
            return _Hit(kind, s, e, int(y) if y else None, self._month(m[f"{kind}_m"]), int(m[f"{kind}_d"]),
                        weekday=wd)
        if kind == "monthyear":
            back = self._back(self.back_qual, text, s)
            return _Hit("monthyear", back.start() if back else s, e, int(m["my_y"]), self._month(m["my_m"]),
                        precision=3)
        if kind == "range":
            a, tail = int(m["rg_c"]), m["rg_d"]
            b = int(tail) if len(tail) == 4 else (a // 100) * 100 + int(tail)
            return _Hit("range", s, e, a, precision=3, offset=b) if b > a else None
        if kind == "decade":
            back = self._back(self.back_qual, text, s)
            return _Hit("decade", back.start() if back else s, e, int(m["dc_y"]), precision=3)
        if kind == "year":
            back = self._back(self.back_year, text, s)
            if not back:
                return None
            if m["yr_b"]:
                if int(m["yr_b"]) <= int(m["yr_y"]):
                    return None
                return _Hit("range", back.start(), e, int(m["yr_y"]), precision=3, offset=int(m["yr_b"]))
            return _Hit("year", back.start(), e, int(m["yr_y"]), precision=3)
        if kind == "month":
            back = self._back(self.back_month, text, s)
            if not back:
                return None
            cue = back["cue"].lower().split()[-1]
            return _Hit("month", back.start(), e, None, self._month(m["mo_m"]), precision=3, modifier=cue)
        if kind == "weekday":
            if self.date_after_weekday.match(text, e):
                return None  # "Wednesday, 20 September": the date carries it
            back = self._back(self.back_weekday, text, s)
            mod = None
            if back:
                to = self.night_to.match(text, e) if "night" in back.group().lower() else None
                if to:  # "overnight Saturday to Sunday": the night ends on Sunday
                    return _Hit("weekday", back.start(), to.end(), weekday=self.weekdays[to["wd_to"].lower()])
                s = back.start()
                mod = back["mod"].lower() if back["mod"] else None
            return _Hit("weekday", s, e, weekday=self.weekdays[m["wd_d"].lower()], modifier=mod,
                        possessive=bool(m["wd_pos"]))
        return None

    def _after_determiner(self, low: str, start: int) -> bool:
        words = low[max(0, start - 16):start].split()
        return bool(words) and (words[-1] in self.determiners or words[-1].endswith(("'s", "’s")))

    def _relative_hit(self, m: re.Match, shift: int = 0) -> _Hit | None:
        s, e = m.start() - shift, m.end() - shift
        if m["ago"] is not None:
            word = " ".join(m["ago_n"].lower().split())
            n = int(word) if word.isdigit() else self.number_words[word]
            return _Hit("ago", s, e, unit=self.ago_units[m["ago_u"].lower()], offset=-n)
        for i, (unit, offset, precision) in enumerate(self.relative):
            if m[f"rel{i}"] is not None:
                return _Hit("relative", s, e, unit=unit, offset=offset, precision=precision)
        return None

    # ---------------------------------------------------------------- reference
    def reference(self, article: Article, sentences: tuple[Sentence, ...]) -> ReferenceDate:
        if article.published_date is not None:
            return ReferenceDate(article.published_date, "manifest")
        scanned = list(zip(sentences, self._sentence_hits(sentences)))
        # the page furniture left out of the sentences often carries the date ("Published
        # 17 July 2026", a press release's date line): read it too
        left_out = _left_out(article)
        pieces = [(text, hits, True) for text, hits in zip(left_out, self._scan_many(left_out))]
        pieces += [(s.text, hits, False) for s, hits in scanned]
        explicit: list[dt.date] = []
        datelines: list[dt.date] = []  # a full date standing (nearly) alone on its line
        years: list[int] = []
        has_numeric = _has_numeric_date([text for text, _, _ in pieces])
        for text, hits, furniture in pieces:
            numeric = self._numeric_dateline(text) if has_numeric else None
            if numeric:
                datelines.append(numeric)
            for h in hits:
                if h.year is not None:
                    years.append(h.year)
                    if h.kind == "range":
                        years.append(h.offset)
                d = None
                if h.kind in ("dmy", "mdy", "iso") and h.year is not None:
                    d = _safe_date(h.year, h.month, h.day)
                elif h.kind == "numeric":
                    d = self._numeric(h, None)
                if d:
                    explicit.append(d)
                    if furniture or len(_WORDS.findall(text)) <= len(_WORDS.findall(text[h.start:h.end])) + 2:
                        datelines.append(d)
        if datelines:
            return ReferenceDate(datelines[0], "text-explicit")
        # a full date older than the latest year named is background, not the report's date
        if explicit and max(explicit).year >= max(years):
            return ReferenceDate(max(explicit), "text-explicit")
        if years:
            found = self._weekday_reference(scanned, max(years))
            if found:
                return ReferenceDate(found, "text-weekday")
            return ReferenceDate(dt.date(max(years), 1, 1), "text-year")
        return ReferenceDate(None, "none")

    def _numeric_dateline(self, text: str) -> dt.date | None:
        """A numeric date on a dateline line ("Kandy | Posted 21.09.25, 7:05 PM",
        "Updated: 14/05/2026"): a dateline word before it, or (nearly) alone on its line.
        Day-month order: see ``dateline_cues`` in dates.yaml."""
        for m in _NUMERIC_DATELINE.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line = text[line_start:line_end if line_end >= 0 else len(text)]
            before = text[line_start:m.start()]
            rest = _TIME.sub(" ", line.replace(m.group(), " "))
            if not (self.dateline_cue.search(before) or len(_WORDS.findall(rest)) <= 3):
                continue
            a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
            if len(m["y"]) == 2:
                y += 2000
            if a > 12 and b <= 12:
                d = _safe_date(y, b, a)
            elif b > 12 and a <= 12:
                d = _safe_date(y, a, b)
            elif a <= 12 and b <= 12 and m["sep"] == "." and self.dotted_day_first:
                d = _safe_date(y, b, a)
            else:
                d = None
            if d is not None:
                return d
        return None

    @staticmethod
    def _weekday_reference(scanned, latest_year: int) -> dt.date | None:
        """A month-day whose weekday is named with it (or in its sentence): its year is the
        first from the latest year named on whose calendar that weekday fits."""
        candidates = []
        for _, hits in scanned:
            named = {h.weekday for h in hits if h.kind == "weekday"}
            for h in hits:
                if h.kind not in ("dmy", "mdy") or h.year is not None:
                    continue
                wanted = {h.weekday} if h.weekday is not None else named
                for year in range(latest_year, latest_year + 7):
                    d = _safe_date(year, h.month, h.day)
                    if d and d.weekday() in wanted:
                        candidates.append((h.weekday is None, d))
                        break
        if not candidates:
            return None
        candidates.sort(key=lambda c: (c[0], -c[1].toordinal()))
        return candidates[0][1]

    # ---------------------------------------------------------------- resolving
    def __call__(self, sentences: tuple[Sentence, ...], reference: ReferenceDate) -> tuple[Mention, ...]:
        out: list[Mention] = []
        context: tuple[int, int] | None = None  # (year of a dated month or day, its sentence)
        for sent, hits in zip(sentences, self._sentence_hits(sentences)):
            for hit in hits:
                ctx_year = None
                if context and sent.index - context[1] <= 1:
                    ctx_year = context[0]
                value = self._resolve(hit, sent.text, reference, ctx_year)
                if hit.year is not None and hit.kind in ("dmy", "mdy", "monthyear", "iso", "numeric"):
                    context = (hit.year, sent.index)
                if value is None:
                    continue
                if hit is hits[0] and hit.kind in ("dmy", "mdy", "iso", "numeric") and self._is_dateline(sent.text, hit):
                    continue  # "NAIROBI, May 3 (Agency) -": the report's date, not an event's
                start, end = sent.start + hit.start, sent.start + hit.end
                out.append(Mention("date", sent.index, start, end, sent.text[hit.start:hit.end], value))
        return tuple(out)

    @staticmethod
    def _is_dateline(text: str, hit: _Hit) -> bool:
        """A wire dateline opening the sentence: a place, a comma, the date, then an agency
        in brackets and/or a dash ("GOMA, 3 May (Agency) -", "Lima, May 3 (Agency).-")."""
        return bool(_DATELINE_BEFORE.fullmatch(text, 0, hit.start) and _DATELINE_AFTER.match(text, hit.end))

    def _resolve(self, h: _Hit, text: str, ref: ReferenceDate, ctx_year: int | None) -> DateValue | None:
        try:
            return self._resolve_unsafe(h, text, ref, ctx_year)
        except (ValueError, OverflowError):
            return None

    def _resolve_unsafe(self, h: _Hit, text: str, ref: ReferenceDate, ctx_year: int | None) -> DateValue | None:
        rdate = ref.date
        day_level = rdate is not None and ref.how != "text-year"
        kind = h.kind
        if kind in ("dmy", "mdy", "iso"):
            if h.year is not None:
                return DateValue(dt.date(h.year, h.month, h.day), 1, False)
            year = ctx_year or self._infer_year(h.month, h.day, ref)
            return DateValue(dt.date(year, h.month, h.day), 1, False) if year else None
        if kind == "numeric":
            d = self._numeric(h, rdate)
            return DateValue(d, 1, False) if d else None
        if kind == "monthyear":
            return DateValue(dt.date(h.year, h.month, 1), 3, False)
        if kind in ("range", "decade", "year"):
            return DateValue(dt.date(h.year, 1, 1), 3, False)
        if kind == "month":
            if ctx_year:
                return DateValue(dt.date(ctx_year, h.month, 1), 3, False)
            if rdate is None:
                return None
            year = rdate.year
            if ref.how != "text-year":
                if h.modifier in self.past_modifiers and h.month >= rdate.month:
                    year -= 1
                elif h.modifier in self.future_modifiers and h.month <= rdate.month:
                    year += 1
                elif h.modifier not in self.future_modifiers:
                    year = self._infer_year(h.month, 1, ref) or year
            return DateValue(dt.date(year, h.month, 1), 3, True)
        if kind == "ago":
            if not day_level:  # a year-only reference would make the day (or month) up
                return None
            return self._shift(rdate, h.unit, h.offset, None)
        if kind == "relative":
            if not day_level:
                return None
            return self._shift(rdate, h.unit, h.offset, h.precision)
        if kind == "weekday":
            if not day_level:
                return None
            future = self._future(h, text)
            delta = (rdate.weekday() - h.weekday) % 7
            if future:
                d = rdate + dt.timedelta(days=(h.weekday - rdate.weekday()) % 7 or 7)
            else:
                d = rdate - dt.timedelta(days=delta)
            return DateValue(d, 1, True)
        return None

    def _infer_year(self, month: int, day: int, ref: ReferenceDate) -> int | None:
        if ref.date is None:
            return None
        year = ref.date.year
        if ref.how == "text-year":
            return year
        d = _safe_date(year, month, day)
        if d is None:  # 29 February of a common year
            d = dt.date(year, month, 28)
        if (d - ref.date).days > self.future_window:
            year -= 1
        return year

    @staticmethod
    def _numeric(h: _Hit, rdate: dt.date | None) -> dt.date | None:
        """d/m/y or m/d/y: only when the reading is certain (or only one is near the reference)."""
        a, b, y = h.day, h.month, h.year
        readings = {d for d in (_safe_date(y, b, a), _safe_date(y, a, b)) if d}
        if len(readings) == 1:
            return readings.pop()
        if len(readings) == 2 and rdate is not None:
            near = [d for d in readings if abs((d - rdate).days) <= 45]
            if len(near) == 1:
                return near[0]
        return None

    @staticmethod
    def _shift(rdate: dt.date, unit: str, offset: int, precision: int | None) -> DateValue:
        if unit == "day":
            return DateValue(rdate + dt.timedelta(days=offset), precision or (1 if offset >= -3 else 2), True)
        if unit == "week":
            monday = rdate - dt.timedelta(days=rdate.weekday())
            return DateValue(monday + dt.timedelta(weeks=offset), 2, True)
        if unit == "weekend":
            saturday = rdate - dt.timedelta(days=(rdate.weekday() - 5) % 7)
            return DateValue(saturday, precision or 2, True)
        if unit == "month":
            index = rdate.year * 12 + rdate.month - 1 + offset
            return DateValue(dt.date(index // 12, index % 12 + 1, 1), 3, True)
        if unit == "year":
            return DateValue(dt.date(rdate.year + offset, 1, 1), 3, True)
        if unit == "decade":
            return DateValue(dt.date(rdate.year + 10 * offset, 1, 1), 3, True)
        raise ValueError(unit)

    def _future(self, h: _Hit, text: str) -> bool:
        """Is the weekday's clause about the future? Cues count only in the weekday's own
        clause: before it (up to the last clause break, and not past a past auxiliary that
        comes after the cue), or right after it (up to a preposition or conjunction)."""
        if h.modifier in self.past_modifiers:
            return False
        if h.modifier in self.future_modifiers:
            return True
        cut = max(text.rfind(ch, 0, h.start) for ch in self.clause_breaks)
        before = _WORDS.findall(text[cut + 1:h.start].lower())
        while before and before[-1] in self.fillers:
            before.pop()
        if before and before[-1] in self.reporting_verbs:
            if not (len(before) > 1 and before[-2] in self.passive_aux):
                return False
        after = []
        for word in _WORDS.findall(text[h.end:h.end + 60].lower())[:4]:
            if word in self.scope_breaks:
                break
            after.append(word)
        past_after = bool(after) and (after[0] in self.past_aux or after[0] in ("has", "have")
                                      or (after[0].endswith("ed") and after[0] not in self.future_words))
        found = self.future_cue.search(" ".join(before))
        if found:
            tail = " ".join(before)[found.end():].split()
            if not any(w in self.past_aux for w in tail):
                return True
        if not past_after and self._announced(before):
            return True
        if h.possessive:  # "Friday's planned protest": only a future word right after
            return bool(after) and after[0] in self.future_words
        for word in after:
            if word in self.future_words:
                return True
            if word in self.reporting_verbs or word in self.passive_aux or word in ("had", "has", "was", "were", "did"):
                return False
        return False

    def _announced(self, before: list[str]) -> bool:
        """ "confirmed talks with the rebels (on) Thursday": an announcing verb, then a
        scheduled event as its object, then the weekday, all in one clause."""
        for i, word in enumerate(before):
            if word in self.announcing:
                rest = before[i + 1:]
                return any(w in self.scheduled for w in rest) and not any(w in self.past_aux for w in rest)
        return False


def _word_finder(words: list[str]) -> object:
    """A pyahocorasick automaton of ``words`` if each is letters and digits only, else None."""
    if not words or not all(w and all(ch.isalnum() for ch in w) for w in words):
        return None
    return automaton((w, w) for w in words)


def _has_numeric_date(texts: list[str]) -> bool:
    """Does any of the texts hold a ``_NUMERIC_DATELINE`` match? One search over the texts
    joined by a NUL (which the pattern neither crosses nor takes for a part of a date),
    and none at all without a digit, a separator and a digit in a row (``_NUMERIC_HINT``
    starts with a character class: the engine skips to digits at C speed)."""
    joined = "\x00".join(texts)
    return _NUMERIC_HINT.search(joined) is not None and _NUMERIC_DATELINE.search(joined) is not None


def _left_out(article: Article) -> list[str]:
    """The parts of the text the cleaner left out (empty if it kept everything)."""
    if not article.kept:
        return []
    out, pos = [], 0
    for start, end in article.kept:
        if start > pos and article.text[pos:start].strip():
            out.append(article.text[pos:start])
        pos = max(pos, end)
    if article.text[pos:].strip():
        out.append(article.text[pos:])
    return out


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None

"""Numbers: counts in sentences and what they count.

Finds number phrases (digits "1,250", words "thirty-two", "a dozen", vague words
"dozens", with qualifiers "at least", "up to") and negations ("no one was killed"), and
gives each a role from the words around it: killed, wounded, casualties (killed or
wounded, unsettled), missing, displaced, detained, crowd, or other (durations, weapons,
money, ages, years, times, school grades, parts of a larger count). A killed or
casualties count that sums a period, a country or a whole conflict ("the war has killed
N", "N so far this year", "since 2019", "in total") gets role "aggregate": background,
never an event's fatalities (the assembler counts role "killed" only). Mentions have kind "number" and a
``NumberValue``; the span is the number phrase itself. Vocabulary:
``etl/vocab/numbers.yaml`` (month names come from ``dates.yaml``).

Coding: "at least 32" -> 32; "about/nearly/up to N" -> N, vague; vague words take the
figures ACLED codes them as (see the YAML); displaced, evacuated, fled and sheltering all
give role "displaced"; abducted and kidnapped give "detained"; a negation gives value 0
(role killed, or wounded for "no one was hurt"); "a soldier was killed", "killing a
woman", "shot dead a councillor" count one (the span is the article "a"). "one", "several", "many" and the like are only kept with a role.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import vocab
from .patterns import automaton, join_texts, literal_alternation, lower_regex, lowered, mixed_alternation, start_guard
from .errors import DataFileError
from .records import Mention, NumberValue, Sentence

_WORD = re.compile(r"[\w'’-]+")
_YEARLIKE = re.compile(r"(?:1[89]|20)\d{2}")
_TIME_AFTER = re.compile(r"\s*(?:[:.]\d{2}\b|h\d{2}\b)")
_WORD_SPLIT = re.compile(r"[\s-]+")
ROLES = ("casualties", "killed", "wounded", "missing", "displaced", "detained", "crowd", "other")
# Roles given after the grammar has spoken (never in the YAML role tables):
# "aggregate" = a killed toll that sums a period, a country or a whole conflict.
DERIVED_ROLES = ("aggregate",)
_SEGMENT_BREAKS = ",;:—–()[]"


def _checked(items, name: str) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise DataFileError(f"numbers.yaml: '{name}' must be a list of strings")
    return [lower_regex(x) for x in items]


def _phrases(items, name: str) -> str:
    return mixed_alternation(_checked(items, name))


def _literal(items) -> str:
    return literal_alternation(str(x) for x in items)


def _grouped(table: dict, name: str, template: str) -> re.Pattern:
    """One group per role; matched against lower-cased text."""
    parts = []
    every: list[str] = []
    for role, phrases in table.items():
        if role not in ROLES:
            raise DataFileError(f"numbers.yaml: unknown role '{role}' in {name}")
        parts.append(f"(?P<{role}>{_phrases(phrases, f'{name}.{role}')})")
        every += _checked(phrases, name)
    return re.compile(start_guard(every) + template.format("|".join(parts)))


class _Num(NamedTuple):
    """A number phrase found in a sentence (a named tuple: made for every number)."""

    start: int
    end: int
    value: int
    vague: bool
    needs_role: bool = False  # vague word or "one": only kept with a role
    fixed: str | None = None  # role settled by the number's own form (years, times, ...)


@dataclass(frozen=True)
class NumberFinder:
    digit_anchor: re.Pattern
    word_anchor: re.Pattern
    negation: re.Pattern
    core: re.Pattern
    qual_back: re.Pattern
    word_values: dict[str, int]
    scale_words: frozenset[str]
    digit_scales: dict[str, int]
    dozen: int
    vague: dict[str, int]
    needs_role: frozenset[str]
    weak: frozenset[str]
    lower_bound: frozenset[str]
    negation_roles: tuple[str, ...]
    before: re.Pattern
    subset: tuple[str, ...]  # literal phrases, each with a leading space (a word boundary)
    qual_last: frozenset[str]
    after_verb: re.Pattern
    after_noun: re.Pattern
    things: re.Pattern
    people: re.Pattern
    single: re.Pattern
    single_gate: tuple[str, ...]
    stop: re.Pattern
    months: frozenset[str]
    max_gap: int
    ordinal_prefixes: frozenset[str]
    single_after_verb: re.Pattern
    single_before_verb: re.Pattern
    single_not_before: frozenset[str]
    aggregate_roles: frozenset[str]
    aggregate_cue: re.Pattern
    aggregate_subject: re.Pattern
    aggregate_veto: re.Pattern
    aggregate_opener: re.Pattern
    partitive: tuple[str, ...]
    subject_verb: re.Pattern
    opener_words: int
    gate_finder: object = field(default=None, compare=False, repr=False)  # pyahocorasick: single_gate

    @classmethod
    def load(cls, folder: Path | None = None) -> "NumberFinder":
        data = vocab.load("numbers", folder)
        dates = vocab.load("dates", folder)
        if not isinstance(data, dict) or not isinstance(dates, dict):
            raise DataFileError("numbers.yaml: expected a mapping")
        try:
            return cls._build(data, dates)
        except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
            raise DataFileError(f"numbers.yaml: missing or bad entry: {exc!r}") from exc

    @classmethod
    def _build(cls, data: dict, dates: dict) -> "NumberFinder":
        units = {str(k): int(v) for k, v in data["units"].items()}
        single_gate = tuple(str(w).lower() for w in data["single_gate"] if str(w).strip())
        tens = {str(k): int(v) for k, v in data["tens"].items()}
        scales = {str(k): int(v) for k, v in data["scales"].items()}
        word_values = {**units, **tens, **scales}
        numword = _literal(list(word_values) + ["dozen"])
        articles = _literal(data["articles"])
        scale_or_dozen = _literal(list(scales) + ["dozen"])
        words = (
            rf"(?:(?:half\s+a|{articles})\s+(?=(?:{scale_or_dozen})\b))?"
            rf"(?:{numword})(?:(?:\s+and\s+|\s+|-)(?:{numword}))*"
        )
        vague = {" ".join(str(k).split()): int(v) for k, v in data["vague"].items()}
        digit_scales = {str(k).lower(): int(v) for k, v in data["digit_scales"].items()}
        qual_words = [str(q).lower() for q in list(data["lower_bound"]) + list(data["approximate"])]
        quals = _literal(qual_words)
        negations = []
        negation_roles = []
        negation_phrases = []
        for role, patterns in data["negations"].items():
            for i, p in enumerate(_checked(patterns, f"negations.{role}")):
                body = p.replace(" ", r"\s+")
                negations.append(f"(?P<neg_{role}_{i}>{body})")
                negation_roles.append(f"neg_{role}_{i}")
                negation_phrases.append(p)
        # Scanning (on the lower-cased sentence, same offsets): a fast pass finds where a
        # number or a negation can start (digits, or the first word of a number word, vague
        # word or negation); the full patterns are then matched at those places only, and
        # a qualifier ("at least") is read backwards from the number.
        starts = set(vague) | set(word_values) | {"dozen", "half"}
        starts |= {f"{a} {w}" for a in data["articles"] for w in list(scales) + ["dozen"]}
        starts |= {" ".join(str(w).lower().split()) for w in data["negation_starts"]}
        digits = re.compile(r"\d\d*")  # "\d+", starting with a class: skipped to at C speed
        words_anchor = re.compile(start_guard(sorted(starts)) + rf"{_literal(starts)}\b")
        negation = re.compile(r"(?:" + "|".join(negations) + r")\b")
        core = re.compile(
            rf"(?P<dig>\d{{1,3}}(?:,\d{{3}})+(?![\d,])|\d{{1,9}}(?![\d,]\d))"
            rf"(?P<dec>[.,]\d+)?(?:\s*(?P<dscale>{_literal(digit_scales)})\b)?(?P<suffix>[a-z%]+)?"
            rf"|(?P<vag>{_literal(vague)})\b"
            rf"|(?P<wrd>{words})\b"
        )
        qual_back = re.compile(rf"{start_guard(qual_words)}(?P<qual>{quals})\s+\Z")
        before = _grouped(data["before"], "before",
                          r"(?:{})(?:\s+(?:another|a\s+further|an\s+additional|a\s+total\s+of|a\s+family\s+of|the|a|an|some|only|just))*\s*\Z")
        after_verb = _grouped(data["after_verb"], "after_verb", r"(?:{})\b")
        after_noun = _grouped(data["after_noun"], "after_noun", r"(?:{})\b")
        return cls(
            digit_anchor=digits,
            word_anchor=words_anchor,
            negation=negation,
            core=core,
            qual_back=qual_back,
            word_values=word_values,
            scale_words=frozenset(scales),
            digit_scales=digit_scales,
            dozen=int(data["dozen"]),
            vague=vague,
            needs_role=frozenset(" ".join(str(w).split()) for w in data["vague_needs_role"]),
            weak=frozenset(str(w) for w in data["weak_numbers"]),
            lower_bound=frozenset(" ".join(str(w).split()) for w in data["lower_bound"]),
            negation_roles=tuple(negation_roles),
            before=before,
            subset=tuple(" " + " ".join(p.split()) for p in _checked(data["subset"], "subset")),
            qual_last=frozenset(q.split()[-1] for q in qual_words),
            after_verb=after_verb,
            after_noun=after_noun,
            things=re.compile(rf"[\s-]*(?:[\w'’]+\s+)?(?:{_phrases(data['things'], 'things')})(?![\w])"),
            people=re.compile(rf"[\s-]*(?:[\w'’]+\s+)?(?:{_phrases(data['people'], 'people')})\b"),
            single=re.compile(rf"{start_guard(data['articles'])}(?:{_literal(data['articles'])})\s+(?:[\w'’-]+\s+){{0,2}}?"
                              rf"(?:{_phrases(data['people'], 'people')})\b"),
            single_gate=single_gate,
            gate_finder=automaton((stem, stem) for stem in single_gate),
            stop=re.compile(rf"[;:()\[\]—]|\b(?:{_literal([str(w).lower() for w in data['stop_words']])})\b"),
            months=frozenset(str(m).lower() for m in dates["months"]),
            max_gap=int(data["max_gap"]),
            ordinal_prefixes=frozenset(str(w).lower() for w in data["ordinal_prefixes"]),
            single_after_verb=re.compile(
                rf"(?<![\w])(?:{_phrases(data['single_after_verb'], 'single_after_verb')})\s+(?P<art>an?)\s+(?P<next>[\w'’-]+)"),
            single_before_verb=re.compile(
                rf"(?<![\w'’-])(?P<art>an?)\s+(?P<next>[\w'’-]+)\s+(?:[\w'’-]+\s+){{0,2}}?(?:was|has\s+been|had\s+been)"
                rf"\s+(?:reportedly\s+|also\s+|allegedly\s+)?(?:{_phrases(data['single_after_verb'], 'single_after_verb')})\b"),
            single_not_before=frozenset(str(w).lower() for w in data["single_not_before"]),
            aggregate_roles=frozenset(str(r) for r in data["aggregate_roles"]),
            aggregate_cue=cls._aggregate_pattern(data, dates, "aggregate_cues"),
            aggregate_opener=re.compile(rf"(?:{_phrases(data['aggregate_openers'], 'aggregate_openers')})\b"),
            aggregate_veto=re.compile(rf"(?<![\w])(?:{_phrases(data['aggregate_vetoes'], 'aggregate_vetoes')})\b"),
            partitive=tuple(" ".join(str(p).lower().split()) + " " for p in data["partitive_after"]),
            subject_verb=re.compile(
                rf"(?<![\w])(?:{_phrases(data['subject_auxiliaries'], 'subject_auxiliaries')})\s+"
                rf"(?:(?:{_phrases(data['subject_adverbs'], 'subject_adverbs')})\s+)?(?=[a-z])"),
            opener_words=int(data["subject_opener_max_words"]),
            aggregate_subject=cls._aggregate_pattern(data, dates, "aggregate_subjects", r"\s*\Z"),
        )

    @staticmethod
    def _aggregate_pattern(data: dict, dates: dict, key: str, tail: str = "") -> re.Pattern:
        months = _literal(str(m).lower() for m in dates["months"])
        conflict = "|".join(sorted((lower_regex(str(w)).replace(" ", r"\s+") for w in data["aggregate_conflict_nouns"]),
                                   key=len, reverse=True))
        cues = []
        for cue in _checked(data[key], key):
            cue = cue.replace("{months}", months).replace("{conflict}", conflict)
            cues.append(cue.replace(" ", r"\s+"))
        return re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{c})" for c in cues) + ")" + tail)

    # ------------------------------------------------------------------ public
    def __call__(self, sentences: tuple[Sentence, ...]) -> tuple[Mention, ...]:
        if not sentences:
            return ()
        # One pass over all sentences (joined by a NUL, which no pattern crosses) finds where
        # numbers can start; each sentence is then read on its own.
        lows = [lowered(s.text) for s in sentences]
        joined, offsets = join_texts(lows)
        anchors: list[list[int]] = [[] for _ in sentences]
        for pattern in (self.digit_anchor, self.word_anchor):
            for a in pattern.finditer(joined):
                i = bisect_right(offsets, a.start()) - 1
                anchors[i].append(a.start() - offsets[i])
        # the sentences holding a gate stem: one automaton pass (a stem never holds a NUL,
        # so where it ends is in the sentence where it starts)
        gated = {bisect_right(offsets, end) - 1 for end, _stem in self.gate_finder.iter(joined)} if self.single_gate else set()
        out: list[Mention] = []
        for i, sent in enumerate(sentences):
            if anchors[i] or i in gated:
                out.extend(self._sentence(sent, lows[i], sorted(anchors[i]), i in gated))
        return tuple(out)

    # ----------------------------------------------------------------- helpers
    def _sentence(self, sent: Sentence, text: str, starts: list[int], gated: bool) -> list[Mention]:
        nums: list[_Num] = []
        mentions: list[Mention] = []
        covered = 0
        for s in starts:
            if s < covered or (s and (text[s - 1].isalnum() or text[s - 1] == "_")):
                continue
            if not text[s].isdigit():
                neg = self.negation.match(text, s)
                if neg:
                    group = neg.lastgroup or next(g for g in self.negation_roles if neg[g] is not None)
                    mentions.append(self._mention(sent, s, neg.end(), NumberValue(0, group.split("_")[1], False)))
                    covered = neg.end()
                    continue
            m = self.core.match(text, s)
            if m is None:
                continue
            covered = m.end()
            if m["dig"] is not None and s and text[s - 1] in "$€£¥/.,:+-":
                continue  # money, a ratio, a model name ("F-16")
            qual = None
            before = text[max(0, s - 40):s].split()
            if before and before[-1] in self.qual_last and text[s - 1].isspace():
                qual = self.qual_back.search(text, max(0, s - 40), s)
            num = self._number(text, m, qual)
            if num is not None:
                nums.append(num)
        if gated:
            self._singles(text, nums)
        roles = [self._role(text, nums, i) for i in range(len(nums))]
        self._inherit(text, nums, roles)
        if not self.aggregate_roles.isdisjoint(roles):
            self._aggregate(text, nums, roles)
        for num, role in zip(nums, roles):
            if role is None:
                if num.needs_role:
                    continue
                role = "other"
            if num.needs_role and role == "other":
                continue
            mentions.append(self._mention(sent, num.start, num.end, NumberValue(num.value, role, num.vague)))
        return mentions

    def _aggregate(self, text: str, nums: list[_Num], roles: list[str | None]) -> None:
        """Killed tolls that sum a period, a country or a conflict become "aggregate": a cue
        in the number's own clause segment (between the commas, semicolons or other counts
        around it), or a cue opening the sentence ("Since 2019, ...", "In total, ...")."""
        first = min((text.find(ch) for ch in _SEGMENT_BREAKS if ch in text), default=-1)
        opener = text[:first].strip() if first > 0 else ""
        lead = text.lstrip()
        intro = (self.aggregate_opener.match(lead) is not None
                 or (bool(opener) and self.aggregate_cue.match(opener) is not None))
        if intro and not opener:
            first = 0
        for i, (num, role) in enumerate(zip(nums, roles)):
            if role not in self.aggregate_roles:
                continue
            if intro and num.start > first:
                roles[i] = "aggregate"
                continue
            if self.aggregate_subject.search(text, max(0, num.start - 120), num.start):
                roles[i] = "aggregate"  # "the war (in the north) has killed N"
                continue
            counted = [n for n, r in zip(nums, roles) if r not in (None, "other") and n is not num]
            lo = max([0] + [n.end for n in counted if n.end <= num.start])
            lo = max([lo] + [text.rfind(ch, lo, num.start) + 1 for ch in _SEGMENT_BREAKS])
            hi = min([len(text)] + [n.start for n in counted if n.start >= num.end])
            cuts = [text.find(ch, num.end, hi) for ch in _SEGMENT_BREAKS]
            hi = min([hi] + [c for c in cuts if c >= 0])
            cue = self.aggregate_cue.search(text, lo, hi)
            while cue and self.aggregate_veto.search(text, lo, cue.start()):
                cue = self.aggregate_cue.search(text, cue.end(), hi)
            if cue:
                roles[i] = "aggregate"

    def _singles(self, text: str, nums: list[_Num]) -> None:
        """ "a soldier was killed": the article counts one (only kept with a role);
        "killing a woman", "shot dead a councillor": the article after a role verb counts
        one whatever noun follows."""
        added = False
        found = [(m.start(), m.end()) for m in self.single.finditer(text)]
        for pattern in (self.single_after_verb, self.single_before_verb):
            for m in pattern.finditer(text):
                if m["next"] not in self.single_not_before and not m["next"][0].isdigit():
                    found.append((m.start("art"), m.end()))
        for s, e in sorted(set(found)):
            if any((n.start <= s < n.end or s <= n.start < e) and n.fixed != "other" for n in nums):
                continue
            if text.startswith(" of ", e) and any(e + 4 <= n.start <= e + 5 for n in nums):
                continue  # "a family of five": the number counts
            article_end = s + len(text[s:e].split()[0])
            nums.append(_Num(s, article_end, 1, False, needs_role=True))
            added = True
        if added:
            nums.sort(key=lambda n: n.start)

    @staticmethod
    def _mention(sent: Sentence, start: int, end: int, value: NumberValue) -> Mention:
        return Mention("number", sent.index, sent.start + start, sent.start + end, sent.text[start:end], value)

    def _number(self, text: str, m: re.Match, q: re.Match | None) -> _Num | None:
        qual = " ".join(q["qual"].split()) if q else None
        vague = qual is not None and qual not in self.lower_bound
        start = q.start() if q else m.start()
        end = m.end()
        fixed = None
        needs_role = False
        if m["dig"] is not None:
            digits = m["dig"].replace(",", "")
            suffix = (m["suffix"] or "").lower()
            if suffix in ("st", "nd", "rd", "th"):
                return None
            if m["dec"] and m["dec"][0] == "," and len(m["dec"]) == 4:
                return None  # odd grouping, not a count we can read safely
            value = int(digits)
            if m["dscale"]:
                scale = self.digit_scales[m["dscale"].lower()]
                whole = float(digits + (m["dec"].replace(",", ".") if m["dec"] else ""))
                value = int(whole * scale)
            elif m["dec"]:
                fixed = "other"  # a decimal or a time ("13.00", "1.5")
            if suffix:
                fixed = "other"  # "5km", "10am", "15%"
                end = m.end("suffix")
            if fixed is None and self._date_or_time(text, m, digits):
                fixed = "other"
        elif m["vag"] is not None:
            word = " ".join(m["vag"].lower().split())
            value = self.vague[word]
            vague = True
            needs_role = word in self.needs_role
        else:
            parsed = self._words(m["wrd"])
            if parsed is None:
                return None
            value = parsed
            needs_role = " ".join(m["wrd"].lower().split()) in self.weak
        if fixed is None and start > 1 and text[start - 1] == " ":
            prev = text[max(0, start - 10):start - 1]
            if prev[prev.rfind(" ") + 1:] in self.ordinal_prefixes:
                fixed = "other"  # "a Form Three student", "Grade 5 pupils": a class, not a count
        if fixed is None and text[end:end + 1] == "-" and text[end + 1:end + 2].isalpha():
            # "2,000-strong force", "12-year-old": not a count of people (a crowd excepted)
            tail = text[end + 1:end + 40]
            fixed = "crowd" if self.after_noun.search(tail) and self._noun_role(tail) == "crowd" else "other"
        return _Num(start, end, value, vague, needs_role, fixed)

    def _noun_role(self, tail: str) -> str | None:
        found = self.after_noun.search(tail)
        return found.lastgroup if found else None

    def _date_or_time(self, text: str, m: re.Match, digits: str) -> bool:
        after = text[m.end():m.end() + 30]
        if _TIME_AFTER.match(after):
            return True
        prev = _WORD.findall(text[max(0, m.start() - 15):m.start()])
        nxt = _WORD.findall(after[:15])
        if prev and prev[-1].rstrip(".").lower() in self.months:
            return True
        if nxt and nxt[0].rstrip(".").lower() in self.months:
            return True
        if len(digits) == 4 and "," not in m["dig"] and _YEARLIKE.fullmatch(digits):
            return not self.people.match(after)
        return False

    def _words(self, phrase: str) -> int | None:
        tokens = [t for t in _WORD_SPLIT.split(phrase.lower()) if t and t != "and"]
        half = tokens[:2] == ["half", "a"]
        if half:
            tokens = tokens[2:]
        if not tokens or (not half and (tokens[0] in self.scale_words or tokens[0] == "dozen")):
            return None  # "million" alone ("a ransom of N50 million") is not a count
        total = current = 0
        seen = False
        for tok in tokens:
            if tok in ("a", "an"):  # only before a scale or "dozen" (see the pattern)
                current = 1
                continue
            if tok == "dozen":
                current = (current or 1) * self.dozen
                seen = True
                continue
            value = self.word_values.get(tok)
            if value is None:
                return None
            seen = True
            if tok in self.scale_words:
                if value >= 1000:
                    total += (current or 1) * value
                    current = 0
                else:
                    current = (current or 1) * value
            else:
                current += value
        if not seen:
            return None
        result = total + current
        return result // 2 if half else result

    def _role(self, text: str, nums: list[_Num], i: int) -> str | None:
        num = nums[i]
        if num.fixed:
            return num.fixed
        prev_end = nums[i - 1].end if i else 0
        left = text[max(prev_end, num.start - 90):num.start]
        if self._subset(left):
            return "other"
        if self.things.match(text, num.end):
            return "other"
        if not num.vague and text[num.end:num.end + 12].lstrip().startswith(self.partitive):
            return "other"  # "two of the injured": part of a count given elsewhere
        found = self.before.search(left)
        if found:
            return found.lastgroup
        # the words after the number, up to the next number or another clause
        limit = len(text)
        for later in nums[i + 1:]:
            if later.fixed != "other" and not self._subset(text[max(0, later.start - 40):later.start]):
                limit = later.start
                break
        window = text[num.end:limit]
        stop = self.stop.search(window)
        if stop:
            window = window[:stop.start()]
        verb = self._within(self.after_verb, window)
        if verb:
            return verb
        noun = self._within(self.after_noun, window)
        if noun:
            return noun
        return self._subject_role(text, nums, i, limit)

    def _subject_role(self, text: str, nums: list[_Num], i: int, limit: int) -> str | None:
        """A count opening its sentence: the first passive verb after it gives its role."""
        num = nums[i]
        opener = text[:num.start]
        if opener.strip() and (not opener.rstrip().endswith(",") or len(_WORD.findall(opener)) > self.opener_words):
            return None
        if any(n.start < num.start and n.fixed != "other" for n in nums):
            return None
        # the next real count ends the search ("a"/"one"/vague words that need a role do not)
        limit = min([len(text)] + [n.start for n in nums[i + 1:] if n.fixed != "other" and not n.needs_role])
        for aux in self.subject_verb.finditer(text, num.end, limit):
            found = self.after_verb.match(text, aux.end())
            if found:
                return found.lastgroup
        return None

    def _subset(self, left: str) -> bool:
        """The text before a number ends with "including", "among them", ..."""
        return (" " + left.rstrip()).endswith(self.subset)

    def _within(self, pattern: re.Pattern, window: str) -> str | None:
        found = pattern.search(window)
        if found and len(_WORD.findall(window[:found.start()])) <= self.max_gap:
            return found.lastgroup
        return None

    _CONNECTOR = re.compile(r"^[\s,]*(?:[\w'’-]+\s+){0,3}?(?:and|or|,)\s*(?:another\s+|other\s+|his\s+|her\s+|their\s+|its\s+)?$",
                            re.IGNORECASE)

    def _inherit(self, text: str, nums: list[_Num], roles: list[str | None]) -> None:
        """Coordinated counts share a role: "12 soldiers and 3 civilians were killed",
        "killing 12 soldiers and 3 civilians"."""
        for i in range(len(nums) - 1, -1, -1):  # forward: take the role of the next count
            if roles[i] is None and i + 1 < len(nums) and roles[i + 1] not in (None, "other"):
                if self._CONNECTOR.match(text[nums[i].end:nums[i + 1].start]):
                    roles[i] = roles[i + 1]
        for i in range(1, len(nums)):  # backward: take the role of the previous count
            if roles[i] is None and roles[i - 1] not in (None, "other"):
                if self._CONNECTOR.match(text[nums[i - 1].end:nums[i].start]):
                    roles[i] = roles[i - 1]

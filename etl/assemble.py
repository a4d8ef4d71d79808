"""Assembly: from one article's sentences and mentions to the events it reports as happened.

For every trigger mention the assembler decides whether it reports a happened event:
not under a cue (plan, hope, threat, appeal, denial, negation, commitment, history:
``etl.cues``), not a weak word without support, not a purpose ("to ... and arrest"), not a
date in the future or well before the reference date. Per clause the most specific trigger
of each kind wins; weak words ("attack", "killed") yield to specific ones; arrests, seized
weapons and burned property told with a battle or riot are part of it. Then it binds:

    who   actor1 acts (subject of an active verb, agent of "by Y"); actor2 is the target;
          reporting speakers, mediators and victims ("were killed") are not actor1
    where the best place of the clause, else of the sentence, else the article's main place
          (datelines and reference points "south of X" ignored; a town abroad needs its
          country named again)
    when  the date of the clause/sentence; violence dated only by a reporting verb ("said
          Tuesday") or not at all is dated by the article's dated violence, else before the
          lead's news; else the reference date (time_precision 2, with a warning)
    toll  the killed figures of the sentence, each given to one event only

It resolves the trigger's hints (territory taken by state or by non-state or foreign
forces, recoding by victims and context, protesters and rioters as actor1) and merges the
candidates of the article that are one event (same type, compatible date, place and actors;
one agreement per day; the fighting in which a place was taken is the taking; "the attack"
re-mentions join the event told before).

Rules and word lists: ``etl/vocab/assembly.yaml``; cue words: ``etl/vocab/cues.yaml``;
trigger hints: ``etl/vocab/triggers.yaml`` (through ``TriggerFinder.entry``).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import vocab
from .cues import Cue, CueFinder
from .errors import DataFileError
from .records import ActorValue, Article, Candidate, DateValue, Mention, Place, ReferenceDate, Sentence
from .wordgate import WordGate, caseless

Clause = tuple[int, int]


def _words_regex(words, suffix: str = "") -> re.Pattern:
    if any(not isinstance(w, str) for w in words):  # YAML reads a bare on/no/yes as a boolean
        raise DataFileError(f"assembly.yaml: word list {list(words)!r} has a non-string entry (quote it)")
    parts = sorted({w.lower() for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in parts) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w){suffix}", re.IGNORECASE)


def _trigger_entries() -> dict:
    """Every trigger entry's hints, by lemma (``TriggerFinder.entry``); none without the stage."""
    try:
        from .triggers import TriggerFinder
    except ImportError:
        return {}
    finder = TriggerFinder.load()
    entries = getattr(finder, "entries", None) or {}
    return {lemma: finder.entry(lemma) for lemma in entries}


class _Sentence:
    """One sentence's mentions, split by kind, with its clauses and cues.

    Reading a sentence's clauses and cues is the costly part: a view given a ``reader``
    reads them when first asked (many sentences never need them), a view without one
    is a single clause without cues."""

    __slots__ = ("sentence", "dates", "places", "actors", "numbers", "triggers", "protest_nearby", "_reader", "_read",
                 "_gates", "_low")

    def __init__(self, sentence: Sentence, dates: tuple[Mention, ...] = (), places: tuple[Mention, ...] = (),
                 actors: tuple[Mention, ...] = (), numbers: tuple[Mention, ...] = (), triggers: tuple[Mention, ...] = (),
                 protest_nearby: bool = False,
                 reader: Callable[[], tuple[tuple[Clause, ...], tuple[Cue, ...]]] | None = None):
        self.sentence = sentence
        self.dates = dates
        self.places = places
        self.actors = actors
        self.numbers = numbers
        self.triggers = triggers
        self.protest_nearby = protest_nearby  # a protest is reported in the sentences just before
        self._reader = reader
        self._read = None if reader is not None else (((sentence.start, sentence.end),), ())
        self._gates: dict[WordGate, bool] | None = None  # made with _low, when a gate is first asked
        self._low: str | None = None  # the lower-cased text (None when a letter passes for another)

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return self._cues_read()[0]

    @property
    def cues(self) -> tuple[Cue, ...]:
        return self._cues_read()[1]

    def _cues_read(self) -> tuple[tuple[Clause, ...], tuple[Cue, ...]]:
        if self._read is None:
            self._read, self._reader = self._reader(), None
        return self._read

    def may_match(self, gate: WordGate) -> bool:
        """Whether the sentence (and so any stretch of it) may hold a match of ``gate``'s
        pattern: False when it lacks the words every match needs (checked once per gate)."""
        if self._gates is None:
            text = self.sentence.text
            self._gates, self._low = {}, text.lower() if caseless(text) else None
        found = self._gates.get(gate)
        if found is None:
            found = self._gates[gate] = self._low is None or not gate.lacks_words(self._low)
        return found

    def search(self, gate: WordGate) -> re.Match | None:
        """``gate``'s pattern searched in the whole sentence (not run when it lacks the words)."""
        return gate.pattern.search(self.sentence.text) if self.may_match(gate) else None


@dataclass(frozen=True)
class Assembler:
    cues: CueFinder
    rules: dict
    entries: dict  # trigger lemma -> hints (pos, voice, strength, priority, territory, recode, ...)
    weak: frozenset  # lemmas of weak triggers
    priority: dict  # lemma -> priority
    locative: re.Pattern
    agent: re.Pattern
    weak_agent: re.Pattern
    mediator: WordGate
    noun_phrase: re.Pattern
    speech_before: re.Pattern
    speaker_after: re.Pattern
    suffered: re.Pattern
    dateline: re.Pattern
    reference_point: WordGate
    infinitive: WordGate
    anaphora: re.Pattern
    instrument: re.Pattern
    speech_after: re.Pattern
    target: re.Pattern
    speech: re.Pattern
    pronoun: WordGate
    passive: re.Pattern
    coordinator: re.Pattern
    subset: WordGate
    intervention: WordGate
    excessive: WordGate
    territory_words: re.Pattern
    claim: WordGate
    peaceful_words: WordGate
    force_words: WordGate
    communal: WordGate
    weapon_words: WordGate
    destination: WordGate
    victim_passive: re.Pattern
    victim_link: re.Pattern
    # read from ``rules`` once, for the per-sentence work (set in __post_init__)
    _victims: frozenset = field(init=False, repr=False, compare=False)
    _year_cues: frozenset = field(init=False, repr=False, compare=False)
    _non_lethal: frozenset = field(init=False, repr=False, compare=False)
    _violence: frozenset = field(init=False, repr=False, compare=False)
    _civilians: int = field(init=False, repr=False, compare=False)
    _lead_weight: float = field(init=False, repr=False, compare=False)
    _place_penalty: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rules = self.rules
        derived = {
            "_victims": frozenset(rules["victim_inters"]),
            "_year_cues": frozenset(rules["year_cues"]),
            "_non_lethal": frozenset(rules["non_lethal_sub_event_types"]),
            "_violence": frozenset(rules["violence_types"]),
            "_civilians": int(rules["civilians_inter"]),
            "_lead_weight": float(rules["lead_place_weight"]),
            "_place_penalty": {k: float(v) for k, v in rules["place_penalty"].items()},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @classmethod
    def load(cls, folder: Path | None = None, entries: dict | None = None) -> "Assembler":
        """Read ``assembly.yaml`` and ``cues.yaml``; ``entries`` are the trigger hints by
        lemma (default: ``TriggerFinder.entry`` for every entry of the trigger stage)."""
        try:
            return cls._build(vocab.load("assembly", folder), folder, entries)
        except (KeyError, TypeError, AttributeError, re.error) as exc:
            raise DataFileError(f"assembly.yaml: missing or malformed entry: {exc!r}") from exc

    @classmethod
    def _build(cls, rules: dict, folder: Path | None, entries: dict | None) -> "Assembler":
        protest = rules["protest"]
        entries = _trigger_entries() if entries is None else entries
        return cls(
            cues=CueFinder.load(folder),
            rules=rules,
            entries=entries,
            weak=frozenset(k for k, e in entries.items() if e.get("strength") == "weak" or e.get("weak")),
            priority={k: int(e.get("priority", 50)) for k, e in entries.items()},
            locative=_words_regex(rules["locative_words"], r"\s+(?:the\s+)?(?:[\w'’-]+\s+)?$"),
            agent=_words_regex(rules["agent_markers"], _MODIFIED),
            weak_agent=_words_regex(rules["weak_agent_markers"], _MODIFIED),
            mediator=WordGate(_words_regex(rules["mediator_markers"], r"\s+(?:the\s+)?(?:\w+\s+){0,4}?(?:of\s+(?:the\s+)?)?$")),
            target=_words_regex(rules["target_markers"], _MODIFIED),
            speech=_words_regex(rules["speech_verbs"]),
            pronoun=WordGate(_words_regex(rules["resumptive_pronouns"])),
            passive=_words_regex(rules["passive_auxiliaries"], r"\s+(?:\w+ly\s+|not\s+|also\s+|reportedly\s+)*$"),
            coordinator=re.compile(
                r"^\s*(?:,\s*)?(?:" + "|".join(re.escape(c) for c in rules["coordinators"]) + r")\s+(?:the\s+)?"
                r"(?:(?:\w+\s+)?(?:" + "|".join(re.escape(c) for c in rules["party_heads"]) + r")\s+(?:of|from)\s+(?:the\s+)?)?$",
                re.IGNORECASE,
            ),
            subset=WordGate(_words_regex(rules["subset_words"], r"\W*(?:\w+\W+){0,2}$")),
            intervention=WordGate(_words_regex(protest["intervention_words"])),
            excessive=WordGate(_words_regex(protest["excessive_words"])),
            territory_words=_words_regex(rules["territory_words"]),
            claim=WordGate(re.compile(rules["claim"]["pattern"], re.IGNORECASE)),
            peaceful_words=WordGate(_words_regex(protest["peaceful_words"])),
            force_words=WordGate(_words_regex(protest["force_words"])),
            communal=WordGate(_words_regex(rules["communal_words"])),
            weapon_words=WordGate(_words_regex(rules["weapon_words"])),
            destination=WordGate(_words_regex(rules["destination_words"], r"\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$")),
            victim_passive=re.compile(_words_regex(rules["passive_auxiliaries"]).pattern + r"\s+(?:\w+ly\s+)?"
                                      + _words_regex(rules["victim_participles"]).pattern, re.IGNORECASE),
            victim_link=_words_regex(rules["victim_links"]),
            speaker_after=re.compile(
                # "X, in a statement on Monday, confirmed": a parenthesis may stand between
                r"(?:\s+(?:command|spokes(?:man|woman|person)|chief|commissioner|department|headquarters|office|"
                r"officials?|authorities|leadership|media\s+wing|press\s+office))?"
                r"(?:\s*,\s*(?:in|on|late|early|at)\s[^,.;]{0,40},)?"
                r"(?:[\s,]+(?:" + "|".join(re.escape(w) for w in rules["speech_fillers"]) + r"))*[\s,]+"
                + _words_regex(rules["speech_verbs"]).pattern, re.IGNORECASE),
            dateline=re.compile(rules["dateline"]),
            reference_point=WordGate(_words_regex(rules["reference_point_words"], r"\s+(?:the\s+)?(?:\w+\s+){0,2}$")),
            infinitive=WordGate(re.compile(rules["infinitive_before"], re.IGNORECASE)),
            anaphora=re.compile(rules["anaphora_before"], re.IGNORECASE),
            instrument=_words_regex(rules["instrument_words"], r"\s+(?:[\w'’-]+\s+){0,5}$"),
            # "Four soldiers, including a captain, were killed": an apposition may stand between
            suffered=re.compile(
                r"(?:[\s,]+[\w'’-]+){0,4}?,?\s+" + _words_regex(rules["passive_auxiliaries"]).pattern
                + r"\s+(?:\w+ly\s+)?" + _words_regex(rules["victim_participles"]).pattern, re.IGNORECASE),
            speech_before=_words_regex(rules["speech_verbs"], r"\s+(?:on\s+|late\s+|early\s+|in\s+)?$"),
            speech_after=re.compile(r"^\s+" + _words_regex(rules["speech_verbs"]).pattern, re.IGNORECASE),
            noun_phrase=_words_regex(rules["noun_phrase_prepositions"],
                                     r"\s+(?:the|this|that|these|those|a|an|its|their|his|her)\s+(?:[\w'’-]+\s+){0,2}$"),
        )

    # ------------------------------------------------------------------------------------
    def __call__(
        self,
        article: Article,
        sentences: tuple[Sentence, ...],
        mentions: tuple[Mention, ...],
        reference: ReferenceDate,
    ) -> tuple[Candidate, ...]:
        text = article.text
        ref = reference.date if reference is not None else None
        views = self._views(sentences, mentions, ref)
        lead_date = self._lead_date(views, ref)
        main_place = self._main_place(views)
        main_actor = self._main_actor(views)
        countries = _article_countries(views)
        candidates: list[Candidate] = []
        violence = self._violence
        violence_told = False  # a candidate of violence is among the candidates
        for view in views:
            if not view.triggers and view.numbers and candidates:
                self._late_toll(view, candidates)
            # a claim of responsibility matters only for violence: told before (the claim
            # is of it) or told in the sentence itself (its author is the claimant)
            claim = None
            if violence_told and (view.actors or view.triggers):
                claim = view.search(self.claim)
                if claim is not None and self._claimed(view, claim, candidates):
                    continue
            found = self._sentence_candidates(article, text, view, ref, lead_date, main_place, main_actor, countries)
            if found:
                if not violence_told and any(c.event_type in violence for c in found):
                    claim = view.search(self.claim)  # the sentence has triggers
                if claim is not None:
                    found = self._with_claimant(found, self._claimant(view, claim))
                violence_told = violence_told or any(c.event_type in violence for c in found)
                candidates.extend(found)
        return self._merge(self._redate(candidates, lead_date))

    def _late_toll(self, view: _Sentence, candidates: list[Candidate]) -> None:
        """A toll told in a sentence of its own ("The death toll rose to 20, officials said")
        is the toll of the violence told just before; it replaces a smaller figure (a toll
        that rose), it is never added to it (one toll is not counted twice)."""
        figures = [int(n.value.value) for n in view.numbers if getattr(n.value, "role", "") == "killed"
                   and not CueFinder.blocking(view.cues, n.start)]
        if not figures or view.cues:
            return
        violent = set(self.rules["violent_event_types"])
        non_lethal = set(self.rules["non_lethal_sub_event_types"])
        told = [i for i, c in enumerate(candidates) if c.event_type in violent and c.sub_event_type not in non_lethal]
        if not told:
            return
        i = told[-1]
        if max(figures) > candidates[i].fatalities:
            candidates[i] = replace(candidates[i], fatalities=max(figures))

    # --- claims of responsibility ----------------------------------------------------------
    def _claimant(self, view: _Sentence, claim: re.Match) -> ActorValue | None:
        """Who claimed: the first armed group after "claimed by", else the subject before
        "claimed responsibility" (an apposition after the claimant is not another claimant)."""
        inters = set(self.rules["claim"]["claimant_inters"])
        start, end = view.sentence.start + claim.start(), view.sentence.start + claim.end()
        after = [a for a in view.actors if a.start >= end and a.value.inter in inters]
        said = claim.group(0).lower()
        if said.startswith(("attribut", "blam")):
            # the one blamed, never the one blaming; states are blamed too ("blamed the army for it")
            blamed = [a for a in view.actors if a.start >= end and a.value.inter != int(self.rules["civilians_inter"])]
            return blamed[0].value if blamed else None
        if after and said.startswith("claimed") and said.endswith("by"):
            return after[0].value
        before = [a for a in view.actors if a.end <= start and a.value.inter in inters]
        return before[-1].value if before else None

    def _claimed(self, view: _Sentence, claim: re.Match, candidates: list[Candidate]) -> bool:
        """A claim of an attack told before: the claimant becomes its author (if unknown);
        the sentence itself reports no new event. False when no violence was told before."""
        violence = set(self.rules["violence_types"])
        told = [i for i, c in enumerate(candidates) if c.event_type in violence]
        if not told:
            return False
        text, base = view.sentence.text, view.sentence.start
        for trigger, _ in self._select(view):
            before = text[max(0, trigger.start - base - 30): trigger.start - base]
            if trigger.value.event_type in violence and not self._is_weak(trigger) and not self.anaphora.search(before):
                return False  # the sentence tells a new attack of its own ("a drone hit X; the army blamed Y")
        claimant = self._claimant(view, claim)
        if claimant is not None:
            defaults = {d["name"] for d in self.rules["default_actor1"].values()}
            unknown = [i for i in told if candidates[i].actor1 is None or candidates[i].actor1.name in defaults]
            if unknown:
                i = unknown[-1]
                c = candidates[i]
                candidates[i] = replace(c, actor1=claimant,
                                        actor2=None if c.actor2 is not None and c.actor2.name == claimant.name else c.actor2)
        return True

    def _with_claimant(self, found: list[Candidate], claimant: ActorValue | None) -> list[Candidate]:
        if claimant is None:
            return found
        violence = set(self.rules["violence_types"])
        defaults = {d["name"] for d in self.rules["default_actor1"].values()}
        out = []
        for c in found:
            if c.event_type in violence and (c.actor1 is None or c.actor1.name in defaults or c.actor1.name == claimant.name):
                actor2 = None if c.actor2 is not None and c.actor2.name == claimant.name else c.actor2
                if c.event_type == "Battles" and actor2 is not None and actor2.inter in self.rules["claim"]["claimant_inters"]:
                    actor2 = None  # the claimant's apposition ("X, an affiliate of Y") is not a side
                c = replace(c, actor1=claimant, actor2=actor2)
            out.append(c)
        return out

    # --- indexing ------------------------------------------------------------------------
    def _views(self, sentences, mentions, ref: dt.date | None = None) -> list[_Sentence]:
        """One view per sentence, in order: its mentions by kind, clauses and cues (a
        sentence without mentions costs next to nothing)."""
        by_sentence = _by_sentence_and_kind(mentions)
        views = []
        marks: list[bool] = []  # per sentence: a protest is reported there
        lead = int(self.rules["lead_sentences"])
        window = int(self.rules["protest_context_sentences"])
        protesters = frozenset(self.rules["contexts"]["protesters"])
        for position, sentence in enumerate(sentences):
            own = by_sentence.get(sentence.index)
            if own is None:
                views.append(_Sentence(sentence))
                marks.append(False)
                continue
            nearby = any(marks[max(0, position - window): position])
            view = self._view(sentence, own, position < lead, nearby, ref)
            views.append(view)
            marks.append(any(t.value.event_type == "Protests" for t in view.triggers)
                         or any(a.value.inter in protesters for a in view.actors))
        return views

    def _view(self, sentence: Sentence, kinds: dict[str, list[Mention]], in_lead: bool, nearby: bool,
              ref: dt.date | None) -> _Sentence:
        """The view of one sentence from its mentions by kind; ``nearby``: a protest is
        reported in the sentences just before (kept only for a sentence with triggers)."""
        raw_triggers = kinds.get("trigger")
        raw_dates = kinds.get("date")
        raw_actors = kinds.get("actor", ())
        raw_places = kinds.get("place")
        raw_numbers = kinds.get("number")
        # triggers (and dates of the lead) may need clauses and cues: read when first asked
        reader = functools.partial(self._read_cues, sentence, ref) if raw_triggers or (in_lead and raw_dates) else None
        dateline = _Dateline(self.dateline, sentence) if raw_dates or raw_places else None
        triggers = _longest(tuple([t for t in raw_triggers if t.value is not None])) if raw_triggers else ()
        return _Sentence(
            sentence,
            tuple([d for d in raw_dates if isinstance(d.value, DateValue) and not dateline.covers(d)]) if raw_dates else (),
            _free_places(raw_places, raw_actors, dateline) if raw_places else (),
            tuple([a for a in raw_actors if isinstance(a.value, ActorValue)]) if raw_actors else (),
            tuple(raw_numbers) if raw_numbers else (),
            triggers,
            nearby and bool(triggers),
            reader,
        )

    def _read_cues(self, sentence: Sentence, ref: dt.date | None) -> tuple[tuple[Clause, ...], tuple[Cue, ...]]:
        """A sentence's clauses and cues (year cues of the reference year dropped)."""
        read = self.cues.read(sentence)
        return read.clauses, self._dated_cues(read.cues, ref)

    def _is_headline(self, article: Article, view: _Sentence) -> bool:
        """The title line: the manifest's title, or a first sentence without a full stop."""
        text = view.sentence.text.strip()
        if article.title and text == article.title.strip():
            return True
        return view.sentence.index == 0 and not text.endswith((".", "!", "?", '"', "”", "'", "’", ":"))

    def _dated_cues(self, cues: tuple[Cue, ...], ref: dt.date | None) -> tuple[Cue, ...]:
        """Drop the year cues whose year is not before the reference year ("in 2023" in
        an article of 2023 is news, not history)."""
        year_cues = self._year_cues
        if not cues or year_cues.isdisjoint([c.name for c in cues]):
            return cues
        kept = []
        for cue in cues:
            if cue.name in year_cues:
                found = _YEAR.search(cue.text)
                if ref is None or found is None or int(found.group(0)) >= ref.year:
                    continue
            kept.append(cue)
        return tuple(kept)

    # --- when ----------------------------------------------------------------------------
    def _is_future(self, value: DateValue, ref: dt.date | None) -> bool:
        return ref is not None and value.date > ref

    def _is_background(self, value: DateValue, ref: dt.date | None) -> bool:
        if ref is None:
            return False
        span = 31 if value.precision >= 3 else (7 if value.precision == 2 else 0)
        return value.date + dt.timedelta(days=span) < ref - dt.timedelta(days=int(self.rules["background_days"]))

    def _lead_date(self, views: list[_Sentence], ref: dt.date | None) -> DateValue | None:
        best: DateValue | None = None
        for view in views[: int(self.rules["lead_sentences"])]:
            for mention in view.dates:
                value = mention.value
                if self._is_future(value, ref) or self._is_background(value, ref):
                    continue
                if best is None or value.date > best.date:
                    best = value
        return best

    def _date_for(self, view: _Sentence, clause: Clause, trigger: Mention) -> tuple[DateValue | None, str]:
        in_clause = [d for d in view.dates if clause[0] <= d.start < clause[1]]
        pool = in_clause or list(view.dates)
        if not pool:
            return None, ""
        nearest = min(pool, key=lambda d: _distance(d, trigger))
        if trigger.value.event_type in self.rules["violence_types"] and self._is_report_date(view, nearest):
            return nearest.value, "reported"
        return nearest.value, ("relative" if nearest.value.relative else "explicit")

    def _is_report_date(self, view: _Sentence, date: Mention) -> bool:
        """A date told with a reporting verb ("said Tuesday", "on Wednesday announced") dates
        the report, not necessarily the violence reported."""
        text, base = view.sentence.text, view.sentence.start
        before = text[max(0, date.start - base - 30): date.start - base]
        after = text[date.end - base: date.end - base + 30]
        return bool(self.speech_before.search(before) or self.speech_after.search(after))

    # --- who, for the article ---------------------------------------------------------------
    def _main_actor(self, views: list[_Sentence]) -> ActorValue | None:
        """The most-mentioned actor of the article, mentions in the lead counting more."""
        weights: dict[str, float] = defaultdict(float)
        first: dict[str, ActorValue] = {}
        lead = int(self.rules["lead_sentences"])
        civilians, mediator = self._civilians, self.mediator
        for position, view in enumerate(views):
            if not view.actors:
                continue
            text = view.sentence.text
            weight = self._lead_weight if position < lead else 1.0
            for mention in view.actors:
                value = mention.value
                if value.inter == civilians:
                    continue
                offset = mention.start - view.sentence.start
                if view.may_match(mediator) and mediator.search(text[max(0, offset - 60): offset]):
                    continue
                weights[value.name] += weight
                first.setdefault(value.name, value)
        if not weights:
            return None
        return first[max(weights, key=lambda name: weights[name])]

    def _redate(self, candidates: list[Candidate], lead_date: DateValue | None) -> list[Candidate]:
        """Date the violence whose sentence names no date of its own.

        Violence told with a reporting verb's date ("X said Tuesday it had taken ...") is
        coded to that date, within a week (the report bounds it). Undated violence takes
        the article's latest exactly dated violence; else the date of its reported
        violence; else it happened before the lead's news (a ceasefire, a statement):
        ``violence_before_report_days`` before the lead's date, within a week."""
        violence = set(self.rules["violence_types"])
        out = list(candidates)
        for i, c in enumerate(out):
            if c.date_how == "reported" and c.event_type in violence and c.date is not None:
                out[i] = replace(c, date=_carried(c.date, int(self.rules["carried_min_precision"])))
        carried = [i for i, c in enumerate(out) if c.date_how == "carried" and c.event_type in violence]
        if not carried:
            return out
        dated = [c.date for c in out if c.event_type in violence and c.date_how not in _CARRIED_HOWS
                 and c.date is not None and c.date.precision == 1]
        reported = [c.date for c in out if c.event_type in violence and c.date_how == "reported" and c.date is not None]
        lead_is_violence = lead_date is not None and any(
            c.date is not None and c.date.date == lead_date.date for c in out
            if c.event_type in violence and c.date_how not in _CARRIED_HOWS)
        if dated:
            value = max(dated, key=lambda d: d.date)
        elif reported:
            value = max(reported, key=lambda d: d.date)
        elif lead_date is None or lead_is_violence:
            return out
        else:
            before = dt.timedelta(days=int(self.rules["violence_before_report_days"]))
            value = DateValue(lead_date.date - before, lead_date.precision, lead_date.relative)
        value = _carried(value, int(self.rules["carried_min_precision"]))
        for i in carried:
            out[i] = replace(out[i], date=value)
        return out

    # --- where ---------------------------------------------------------------------------
    def _main_place(self, views: list[_Sentence]) -> Place | None:
        weights: dict[tuple, float] = defaultdict(float)
        first: dict[tuple, tuple[int, Place]] = {}
        lead = int(self.rules["lead_sentences"])
        for position, view in enumerate(views):
            for mention in view.places:
                place = mention.value
                key = (place.name, place.iso3, place.feature)
                weight = self._lead_weight if position < lead else 1.0
                if place.feature == "country":
                    weight *= 0.01  # a country only when nothing finer is named
                weights[key] += weight
                first.setdefault(key, (mention.start, place))
        if not weights:
            return None
        key = max(weights, key=lambda k: (weights[k], -first[k][0]))
        return first[key][1]

    @staticmethod
    def _corroborated(view: _Sentence, place: Mention) -> bool:
        """A place abroad (of another country than the article's) is believed when its
        sentence names that country again: another of its places, or one of its actors."""
        value = place.value
        return any(p is not place and p.value.iso3 == value.iso3 for p in view.places) or any(
            a.value.country and a.value.country == value.country for a in view.actors)

    def _place_pool(self, text: str, view: _Sentence, main: Place | None,
                    countries: frozenset = frozenset()) -> tuple[tuple[Mention, ...], "_PlaceWords"]:
        """The places a trigger of the sentence may be placed in (the same for each of its
        triggers), and the words before them."""
        words = _PlaceWords(text, view.sentence.start, self.locative)
        if not view.places:
            return (), words
        # a place of another country named without "in/near/at" is a capital or country
        # speaking or acting ("Moscow, the power broker"), not where the event happened
        destination = [p for p in view.places if self.destination.search(words.lead_in(p))] \
            if view.may_match(self.destination) else []
        if destination and len(destination) == len(view.places):
            return (), words  # only where the wounded were taken or people fled: the article's place
        places = ([p for p in view.places if p not in destination] if destination else None) or list(view.places)
        if main is not None:
            places = [p for p in places if p.value.iso3 == main.iso3
                      or (words.located(p) and (_is_country(p.value) or p.value.country in countries))
                      or self._corroborated(view, p)]
        return tuple(places), words

    def _place_for(self, view: _Sentence, pool: tuple[tuple[Mention, ...], "_PlaceWords"], clause: Clause,
                   trigger: Mention) -> Place | None:
        """The place of the pool (``_place_pool``) nearest the trigger, in its clause, after
        "in/near/at", finer than a country."""
        places, words = pool
        if not places:
            return None
        if len(places) == 1:
            return places[0].value
        penalty = self._place_penalty

        def cost(mention: Mention) -> float:
            value = mention.value
            score = _distance(mention, trigger) / 100.0 * penalty["per_100_chars"]
            if not clause[0] <= mention.start < clause[1]:
                score += penalty["other_clause"]
            if not words.located(mention):
                score += penalty["no_locative"]
            if view.may_match(self.reference_point) and self.reference_point.search(words.lead_in(mention)):
                score += penalty["reference_point"]
            if value.feature in _AREAS and any(o is not mention and o.value.feature not in _AREAS
                                               and _nested(value, o.value) for o in places):
                score += penalty["containing_area"]  # "Shebekino in the Belgorod region": the town
            if value.feature == "country":
                score += penalty["country"]
            if mention.end <= trigger.start:
                score += penalty["before_trigger"]
            return score

        return min(places, key=cost).value

    # --- who -----------------------------------------------------------------------------
    def _is_speaker(self, text: str, actor: Mention, limit: int) -> tuple[bool, int]:
        """Whether the actor is the subject of a reporting verb ("X said", "X on Monday
        announced"); and where that verb ends."""
        found = self.speaker_after.match(text, actor.end, min(limit, actor.end + 60) if limit > actor.end else actor.end + 60)
        if not found:
            return False, 0
        return True, found.end()

    def _actors_for(self, text: str, view: _Sentence, clause: Clause, trigger: Mention):
        actor1, actor2 = self._bound_actors(text, view, clause, trigger)
        if actor1 is None and trigger.value.event_type in self.rules["violence_types"]:
            # "A man was shot dead when dozens of settlers stormed the village": the subject
            # of the when-clause after the victims' passive is the author
            subject = self._when_subject(text, view, trigger)
            if subject is not None and (actor2 is None or subject.name != actor2.name):
                actor1 = subject
        return actor1, actor2

    def _when_subject(self, text: str, view: _Sentence, trigger: Mention) -> ActorValue | None:
        if not view.actors:
            return None
        base = view.sentence.start
        if not self.passive.search(text[max(base, trigger.start - 40): trigger.start]) and not self.victim_passive.search(
                text[max(base, trigger.start - 40): trigger.end]):
            return None
        victims = self._victims
        for found in _WHEN_SUBJECT.finditer(text, trigger.end, view.sentence.end):
            for actor in view.actors:
                if actor.start == found.end() and actor.value.inter not in victims \
                        and not self._is_speaker(text, actor, view.sentence.end)[0]:
                    return actor.value
        return None

    def _bound_actors(self, text: str, view: _Sentence, clause: Clause, trigger: Mention):
        if not view.actors:
            return None, None  # nobody named in the sentence
        victims = set(self.rules["victim_inters"]) if trigger.value.event_type in self.rules["victim_event_types"] else set()
        passive = self._entry(trigger).get("voice") == "passive" or bool(
            self.passive.search(text[max(view.sentence.start, trigger.start - 40): trigger.start]))

        mediators = trigger.value.event_type == "Strategic developments"

        def in_span(span):
            return [a for a in view.actors if span[0] <= a.start < span[1] and not _overlaps(a, trigger)
                    and not (mediators and view.may_match(self.mediator)
                             and self.mediator.search(text[max(span[0], a.start - 60): a.start]))]

        def marked(actor: Mention, pattern: re.Pattern, lower: int) -> bool:
            return bool(pattern.search(text[max(lower, actor.start - 20): actor.start]))

        sentence_span = (view.sentence.start, view.sentence.end)
        fallback_target = None
        # "Two members of X, a force that fights alongside Y, were killed when their vehicle
        # struck a mine": everyone named before the victims' passive suffered the event
        suffered: list[int] = []  # where the victims' passive starts (-1: none), found when first needed

        def suffered_before() -> int:
            if not suffered:
                suffered.append(self._suffered_before(text, view, trigger))
            return suffered[0]

        for span in (clause, sentence_span):
            actors = in_span(span)
            if not actors:
                continue
            after = [a for a in actors if a.start >= trigger.end]
            before = [a for a in actors if a.end <= trigger.start]
            sides = [i for i, a in enumerate(after) if _BETWEEN.search(text[max(trigger.start, a.start - 16): a.start])
                     and a.start - trigger.end <= 60]
            if sides and sides[0] + 1 < len(after):
                # "fighting between X and Y", "clashes between X and Y": the two sides
                first, second = after[sides[0]], after[sides[0] + 1]
                if _SIDE_AND.match(text[first.end: second.start]) and first.value.name != second.value.name:
                    return first.value, second.value
            agents = [a for a in after if marked(a, self.agent, span[0])]
            if span is sentence_span and not agents:
                agents = [a for a in actors if a.start >= trigger.end and marked(a, self.agent, span[0])]
            subjects = []
            speakers = []
            in_phrase = self._entry(trigger).get("pos") == "noun" and bool(
                self.noun_phrase.search(text[max(span[0], trigger.start - 60): trigger.start]))
            for actor in before:
                if marked(actor, self.agent, span[0]):
                    continue  # agent of a participle inside the subject: "X, mediated by Y, agreed"
                speaker, verb_end = self._is_speaker(text, actor, trigger.start)
                if speaker:
                    between = text[verb_end: trigger.start]
                    if not self.pronoun.search(between):
                        speakers.append(actor)
                        continue
                if in_phrase:
                    continue
                subjects.append(actor)
            patients = [a for a in subjects if self.suffered.match(text, a.end) or a.end <= suffered_before()]
            if passive or victims or patients:
                patients = [a for a in subjects if passive or a.value.inter in victims or a in patients]
                subjects = [a for a in subjects if a not in patients]
                agents = [a for a in agents if a.value.inter not in victims]
            if not agents and not subjects:
                agents = [a for a in after if marked(a, self.weak_agent, span[0])]
            actor1 = actor2 = None
            if agents:
                actor1 = agents[0]
                actor2 = (patients or subjects or [None])[-1]
            elif subjects:
                actor1 = subjects[-1]
                actor2 = patients[-1] if patients else None
                # "X and Y agreed": the first of coordinated subjects acts, the second is the party
                index = len(subjects) - 1
                while index > 0 and self.coordinator.match(text[subjects[index - 1].end: subjects[index].start]):
                    index -= 1
                if index < len(subjects) - 1:
                    actor1, actor2 = subjects[index], subjects[index + 1]
            if actor1 is None and speakers and trigger.value.event_type in self.rules["speaker_acts"]:
                # "X and Y said a truce was agreed": the announcing sides are its parties
                actor1 = speakers[0]
                if actor2 is None and len(speakers) > 1:
                    actor2 = speakers[1]
            if actor1 is None and patients:
                actor2 = patients[-1]
            if actor1 is None and actor2 is not None and fallback_target is None:
                fallback_target = actor2
            if actor1 is None and span is sentence_span:
                break
            if actor2 is None and actor1 is None and trigger.value.event_type in self.rules["violence_types"]:
                # "A car bomb killed six soldiers": with no author named, the object is the target
                objects = [a for a in after if not self._is_speaker(text, a, span[1])[0]
                           and a.value.inter not in self.rules["claim"]["claimant_inters"]]
                if objects and fallback_target is None:
                    fallback_target = objects[0]
            if actor2 is None:
                after = [a for a in after if not self._is_speaker(text, a, span[1])[0]]
                targets = [a for a in after if a is not actor1 and a.value.name != actor1.value.name] if actor1 else after
                marked_targets = [a for a in targets if marked(a, self.target, span[0])]
                chosen = (marked_targets or targets)[:1]
                if chosen:
                    actor2 = chosen[0]
            if actor1 is not None and actor2 is None and span is not sentence_span:
                # "X's missile hit a block, killing four people": the victims of the
                # participle clause after the trigger are its target
                later = [a for a in in_span(sentence_span) if a.start >= span[1] and a.value.inter in self._victims
                         and a.value.name != actor1.value.name and not self._is_speaker(text, a, view.sentence.end)[0]]
                actor2 = later[0] if later else None
            if actor1 is not None:
                return actor1.value, (actor2.value if actor2 is not None else None)
        return None, (fallback_target.value if fallback_target is not None else None)

    def _suffered_before(self, text: str, view: _Sentence, trigger: Mention) -> int:
        """Where a victims' passive linked to the trigger starts ("Two members of X ... were
        killed when their vehicle struck a mine"), or -1."""
        head = text[view.sentence.start: trigger.start]
        for found in self.victim_passive.finditer(head):
            if self.victim_link.search(head[found.end():]):
                return view.sentence.start + found.start()
        return -1

    # --- what ----------------------------------------------------------------------------
    def _entry(self, trigger: Mention) -> dict:
        return self.entries.get(trigger.value.lemma) or _EMPTY

    def _resolve_type(self, view: _Sentence, trigger: Mention, clause: Clause, actor1, actor2, place=None) -> tuple[str, str]:
        value = trigger.value
        event_type, sub = value.event_type, value.sub_event_type
        entry = self._entry(trigger)
        recode = entry.get("recode") or {}
        for context, target in recode.items():
            if context == "protest_context" and actor1 is not None and actor1.inter in self.rules["contexts"]["armed"]:
                continue  # "an Israeli strike" near a protest is still a strike
            if self._context_holds(context, view, trigger, clause, actor1, actor2):
                event_type, sub = target[0], target[1]
                break
        territory = self.rules["territory"]
        if (sub in territory["sub_event_types"] or entry.get("territory")) and event_type == "Battles":
            if actor1 is None:
                sub = territory["unknown"] if not entry.get("territory") else value.sub_event_type
            elif actor1.inter in territory["government_inters"] and not _abroad(actor1, place):
                sub = territory["government"]
            else:
                sub = territory["non_state"]
        civilians = self.rules["civilian_target"]
        if (not entry and event_type in civilians["from_event_types"] and actor2 is not None
                and actor2.inter == int(self.rules["civilians_inter"])):
            event_type, sub = civilians["to"]
        protest = self.rules["protest"]
        if event_type == protest["event_type"] and sub == protest["peaceful"]:
            if view.search(self.excessive) and self._has_killed(view):
                sub = protest["excessive"]
            elif view.search(self.intervention) or view.search(self.excessive):
                sub = protest["intervention"]
        if event_type == protest["event_type"] and sub == protest["intervention"] and self._ended_peacefully(view):
            sub = protest["peaceful"]
        if event_type in self.rules["communal_types"] and self._communal(view, actor1):
            event_type, sub = self.rules["mob"]
        return event_type, sub

    def _ended_peacefully(self, view: _Sentence) -> bool:
        """"Marched peacefully ... dispersed without incident": no force was used."""
        if not view.search(self.peaceful_words) or view.search(self.force_words):
            return False
        return not any(a.value.inter in self.rules["contexts"]["state"] for a in view.actors)

    def _communal(self, view: _Sentence, actor1) -> bool:
        """Two crowds fighting each other: no organised armed actor, civilians or rioters."""
        if not view.search(self.communal):
            return False
        unarmed = set(self.rules["contexts"]["civilians"]) | set(self.rules["contexts"]["rioters"]) \
            | set(self.rules["contexts"]["protesters"])
        # police among the injured do not make a communal clash a battle; an armed group as
        # a side does
        non_state = set(self.rules["contexts"]["armed"]) - set(self.rules["contexts"]["state"])
        return (actor1 is None or actor1.inter in unarmed) and not any(a.value.inter in non_state for a in view.actors)

    def _roles(self, event_type: str, actor1, actor2):
        """Protesters and rioters are actor1 of their own events; the police that meet them
        are actor2 ("police dispersed protesters": Protesters - Police)."""
        own = self.rules["own_actor_inters"].get(event_type)
        if not own or (actor1 is not None and actor1.inter in own):
            return actor1, actor2
        if actor2 is not None and actor2.inter in own:
            return actor2, actor1
        default = self.rules["default_actor1"].get(event_type)
        if not default:
            return actor1, actor2
        protesters = ActorValue(default["name"], int(default["inter"]))
        civilians = int(self.rules["civilians_inter"])
        if actor1 is not None and actor1.inter == civilians:
            # farmers, students, residents who protest are the protesters themselves
            return protesters, (actor2 if actor2 is not None and actor2.inter != civilians else None)
        return protesters, actor1 if actor1 is not None else actor2

    def _context_holds(self, context: str, view: _Sentence, trigger: Mention, clause: Clause, actor1, actor2) -> bool:
        inters = self.rules["contexts"]
        if context == "protesters_agent":
            return actor1 is not None and actor1.inter in inters["protesters"]
        if context == "rioters_agent":
            return actor1 is not None and actor1.inter in inters["rioters"]
        if context == "protesters_victim":
            return actor2 is not None and actor2.inter in inters["protesters"]
        if context == "armed_victim":
            return actor2 is not None and actor2.inter in inters["armed"]
        if context == "civilian_victim":
            return actor2 is not None and actor2.inter in inters["civilians"]
        if context == "protest_context":
            return view.protest_nearby or any(
                t.value.event_type == "Protests" for t in view.triggers if t is not trigger) or any(
                a.value.inter in inters["protesters"] for a in view.actors)
        if context == "crowd_present":
            return (actor1 is None or actor1.inter not in inters["armed"]) and any(
                a.value.inter in inters["rioters"] for a in view.actors)
        if context == "territory_object":
            window = view.sentence.text[trigger.end - view.sentence.start: trigger.end - view.sentence.start + 40]
            return bool(self.territory_words.search(window)) or any(
                trigger.end <= p.start < min(clause[1], trigger.end + 40) for p in view.places)
        return False

    def _object_is_territory(self, view: _Sentence, trigger: Mention) -> bool:
        """The trigger's direct object is a place or a territory word ("seized Goma", "overran
        the army base"), not weapons or people ("seized 40 rifles")."""
        text = view.sentence.text
        offset = trigger.end - view.sentence.start
        found = _OBJECT_LEAD.match(text, offset)
        at = found.end() if found else offset
        if self.territory_words.match(text, at):
            return True
        return any(p.start - view.sentence.start == at for p in view.places)

    def _demonstrators(self, view: _Sentence) -> bool:
        inters = set(self.rules["contexts"]["protesters"]) | set(self.rules["contexts"]["rioters"]) \
            | set(self.rules["contexts"]["civilians"])
        return any(a.value.inter in inters for a in view.actors)

    @staticmethod
    def _has_killed(view: _Sentence) -> bool:
        return bool(view.numbers) and any(getattr(n.value, "role", "") == "killed" for n in view.numbers)

    def _is_weak(self, trigger: Mention) -> bool:
        return trigger.value.lemma in self.weak

    def _priority(self, trigger: Mention) -> int:
        return self.priority.get(trigger.value.lemma, 50)

    def _supported(self, view: _Sentence, trigger: Mention) -> bool:
        """A weak trigger counts only with an actor, a weapon word or a killed toll in its sentence."""
        need = self._entry(trigger).get("support") or "any"
        if need == "weapon":
            return self._weapon_support(view, trigger)
        if need == "protest":
            return self._protest_support(view, trigger)
        if view.actors or self._has_killed(view):
            return True
        if trigger.value.event_type in ("Protests", "Riots") and any(
                getattr(n.value, "role", "") == "crowd" for n in view.numbers):
            return True  # "hundreds marched": a crowd is the protest's support
        return any(t is not trigger and t.value.event_type == "Explosions/Remote violence" for t in view.triggers)

    def _weapon_support(self, view: _Sentence, trigger: Mention) -> bool:
        if any(t is not trigger and t.value.event_type == "Explosions/Remote violence" for t in view.triggers):
            return True
        if view.search(self.weapon_words):
            return True
        near = int(self.rules["weapon_actor_chars"])
        armed = set(self.rules["contexts"]["armed"])
        return any(a.value.inter in armed and a.end <= trigger.start and trigger.start - a.end <= near
                   for a in view.actors)

    def _protest_support(self, view: _Sentence, trigger: Mention) -> bool:
        crowd = set(self.rules["contexts"]["protesters"]) | set(self.rules["contexts"]["rioters"])
        return view.protest_nearby or any(a.value.inter in crowd for a in view.actors) or any(
            t is not trigger and t.value.event_type in ("Protests", "Riots") for t in view.triggers)

    def _select(self, view: _Sentence) -> list[tuple[Mention, Clause]]:
        """The triggers of a sentence that report events: not under a cue, supported, and
        per clause the most specific of each event type (weak ones yield to strong ones)."""
        text, base = view.sentence.text, view.sentence.start
        told: list[Mention] = []
        for trigger in view.triggers:
            entry = self._entry(trigger)
            weak = trigger.value.lemma in self.weak
            if (weak or entry.get("support") == "protest") and not self._supported(view, trigger):
                continue
            if weak and entry.get("object") == "territory" and not self._object_is_territory(view, trigger):
                continue  # "seized 40 rifles", "entered talks": no territory taken
            if entry.get("pos", "verb") == "verb" and not trigger.text.split()[0].lower().endswith(("ed", "ing")) \
                    and view.may_match(self.infinitive) \
                    and self.infinitive.search(text[max(0, trigger.start - base - 80): trigger.start - base]):
                continue  # "to arrest the perpetrators": a purpose, not a deed
            told.append(trigger)
        if not told:
            return []  # the sentence's cues are not needed (not read)
        cues, clauses = view.cues, view.clauses
        kept = [(trigger, CueFinder.clause_of(clauses, trigger.start)) for trigger in told
                if not (cues and CueFinder.blocking(cues, trigger.start))]
        if not kept:
            return []
        non_lethal = self._non_lethal
        # a weak trigger ("attack", "killed") yields to a strong one that can absorb it:
        # the killing told with "shelling" is the shelling; an abduction does not absorb a killing
        killings = self._has_killed(view)
        absorbers = [t for t, _ in kept if not self._is_weak(t) and (t.value.sub_event_type not in non_lethal or not killings)]
        if absorbers:
            kept = [k for k in kept if not self._is_weak(k[0])]
        else:
            # only weak words of violence ("attack", "killed", "violence"): one event, told
            # by the most specific of them
            lethal = [k for k in kept if k[0].value.sub_event_type not in non_lethal]
            if len(lethal) > 1:
                best = max(lethal, key=lambda k: self._priority(k[0]))
                kept = [k for k in kept if k is best or k not in lethal]
        if any(t.value.event_type == "Battles" and not self._is_weak(t) for t, _ in kept):
            # "came under fire from troops using rocket-propelled grenades": the weapons of a
            # battle are part of it
            kept = [k for k in kept if not (k[0].value.event_type in self.rules["instrument_types"]
                                            and self.instrument.search(text[max(0, k[0].start - base - 50): k[0].start - base]))]
        if len(kept) == 1:
            return kept  # no rival of its own kind
        keep_also = int(self.rules["specific_priority"])
        out = []
        pairs = set()

        def family(t: Mention) -> tuple[str, bool]:
            return t.value.event_type, t.value.sub_event_type in non_lethal

        for trigger, clause in kept:
            pair = (trigger.value.event_type, trigger.value.sub_event_type)
            if self._is_weak(trigger) and pair in pairs:
                continue  # the sentence already reports this kind of event
            pairs.add(pair)
            rivals = [t for t, c in kept if c == clause and family(t) == family(trigger)]
            best = max(self._priority(t) for t in rivals)
            if self._priority(trigger) == best or self._priority(trigger) >= keep_also:
                out.append((trigger, clause))
        return out

    # --- one sentence --------------------------------------------------------------------
    def _sentence_candidates(self, article, text, view: _Sentence, ref, lead_date, main_place, main_actor,
                             countries: frozenset = frozenset()) -> list[Candidate]:
        if not view.triggers or self._dated_out(view, ref):
            return []  # (before its triggers are selected: their cues are then never read)
        place_pool = self._place_pool(text, view, main_place, countries)
        if _only_countries_elsewhere(place_pool[0], main_place):
            return []
        kept = self._select(view)
        if not kept:
            return []
        headline = self._is_headline(article, view)
        candidates: list[Candidate] = []
        seen: set[tuple[str, str, Clause]] = set()
        for trigger, clause in kept:
            warnings: list[str] = []
            date, date_how = self._date_for(view, clause, trigger)
            if date is not None:
                if self._is_future(date, ref) or self._is_background(date, ref):
                    continue
            elif lead_date is not None:
                date, date_how = _carried(lead_date, int(self.rules["carried_min_precision"])), "carried"
            elif ref is not None:
                date, date_how = DateValue(ref, 2), "reference"
                warnings.append("no date in the article: coded to the reference date")
            else:
                warnings.append("no date and no reference date")
            place = self._place_for(view, place_pool, clause, trigger)
            place_how = "sentence"
            if place is None or _is_country(place):
                fine_main = main_place is not None and not _is_country(main_place)
                if fine_main and (place is None or main_place.iso3 == place.iso3):
                    place, place_how = main_place, "article"
                elif place is not None:
                    continue  # only a whole (other) country named: not located well enough to code
            actor1, actor2 = self._actors_for(text, view, clause, trigger)
            event_type, sub = self._resolve_type(view, trigger, clause, actor1, actor2, place)
            if event_type in self.rules["own_actor_inters"] and actor1 is not None \
                    and sub in (self.rules["protest"]["peaceful"], self.rules["riot"][1]) \
                    and actor1.inter in self.rules["contexts"]["armed"] and not self._demonstrators(view):
                continue  # "an Israeli strike": armed forces do not demonstrate
            actor1, actor2 = self._roles(event_type, actor1, actor2)
            weak = self._is_weak(trigger)
            if headline:
                warnings.append(HEADLINE)
            if weak and self.anaphora.search(text[max(view.sentence.start, trigger.start - 30): trigger.start]):
                warnings.append(ANAPHORIC)
            if (event_type, sub) == tuple(self.rules["mob"]) and self._communal(view, actor1):
                mob = self.rules["mob_actor2"]
                if actor2 is None or actor2.inter == int(self.rules["civilians_inter"]):
                    actor2 = ActorValue(mob["name"], int(mob["inter"]))
                if actor1 is None or actor1.inter == int(self.rules["civilians_inter"]):
                    default = self.rules["default_actor1"][event_type]
                    actor1 = ActorValue(default["name"], int(default["inter"]))
            if actor2 is None and self._entry(trigger).get("civilians"):
                actor2 = ActorValue(self.rules["default_civilians"], int(self.rules["civilians_inter"]))
            if event_type == "Battles" and actor2 is not None and actor2.inter == int(self.rules["civilians_inter"]):
                actor2 = None  # the people killed in fighting are its victims, not a side
            key = (event_type, sub, clause)
            if key in seen:
                continue
            seen.add(key)
            if actor1 is None and sub in self.rules["article_actor_subs"]:
                actor1 = main_actor  # the article's main actor is a party to the agreement
            if actor1 is None:
                default = self.rules["default_actor1"].get(event_type)
                if default:
                    actor1 = ActorValue(default["name"], int(default["inter"]))
            candidates.append(Candidate(
                article=article.key,
                sentence=view.sentence,
                trigger=trigger,
                event_type=event_type,
                sub_event_type=sub,
                date=date,
                place=place,
                actor1=actor1,
                actor2=actor2,
                date_how=date_how,
                place_how=place_how,
                warnings=tuple(warnings),
            ))
        if not candidates:
            return candidates
        return self._absorb_side_acts(view, self._give_tolls(text, view, candidates))

    def _dated_out(self, view: _Sentence, ref: dt.date | None) -> bool:
        """Whether the sentence names dates and all are in the future or the background: a
        trigger is dated by one of them (``_date_for``), so none of its triggers is coded."""
        return bool(view.dates) and all(self._is_future(d.value, ref) or self._is_background(d.value, ref)
                                        for d in view.dates)

    def _absorb_force(self, view: _Sentence, candidates: list[Candidate]) -> list[Candidate]:
        """Tear gas and live fire used against rioters told with their riot ("youths threw
        stones, and soldiers responded with tear gas") are the riot's other side, not a
        protest of its own."""
        riots = [i for i, c in enumerate(candidates) if c.event_type == self.rules["riot"][0]]
        protest = self.rules["protest"]
        force = [c for c in candidates if c.event_type == protest["event_type"] and c.sub_event_type != protest["peaceful"]]
        if not riots or not force or any(t.value.event_type == protest["event_type"] and t.value.sub_event_type == protest["peaceful"]
                                         for t in view.triggers):
            return candidates
        state = set(self.rules["contexts"]["state"])
        sides = [c.actor2 for c in force if c.actor2 is not None and c.actor2.inter in state]
        sides += [a.value for a in view.actors if a.value.inter in state]
        out = []
        for i, c in enumerate(candidates):
            if c in force:
                continue
            if i in riots and (c.actor2 is None or c.actor2.inter == int(self.rules["civilians_inter"])) and sides:
                c = replace(c, actor2=sides[0], fatalities=max([c.fatalities] + [f.fatalities for f in force]))
            out.append(c)
        return out

    def _absorb_side_acts(self, view: _Sentence, candidates: list[Candidate]) -> list[Candidate]:
        """Arrests, seized weapons and burned property told with a battle, an attack or a
        riot in one sentence are part of that event (its note), not events of their own."""
        candidates = self._absorb_force(view, candidates)
        side = set(self.rules["side_acts"])
        main = set(self.rules["side_act_absorbers"])
        if not any(c.event_type in main for c in candidates):
            return candidates
        protest = self.rules["protest"]
        protests = [i for i, c in enumerate(candidates) if c.event_type == protest["event_type"]]
        out = list(candidates)
        if protests:
            # protesters who burn or loot riot; the police who shoot at a protest use
            # excessive force against it, they do not attack civilians of their own
            destroyed = any(c.sub_event_type in self.rules["riot_acts"] for c in candidates)
            state = set(self.rules["contexts"]["state"])
            defaults = {d["name"] for d in self.rules["default_actor1"].values()}
            shot = [c for c in candidates if c.event_type in self.rules["protest_absorbs"]
                    and (c.actor1 is None or c.actor1.inter in state or c.actor1.name in defaults)]
            named = [s.actor1 for s in shot if s.actor1 is not None and s.actor1.name not in defaults]
            for i in protests:
                c = out[i]
                if shot:
                    toll = max([c.fatalities] + [s.fatalities for s in shot])
                    sub = c.sub_event_type
                    if sub != protest["excessive"]:
                        sub = protest["excessive"] if toll or self._has_killed(view) else protest["intervention"]
                    c = replace(c, sub_event_type=sub, fatalities=toll,
                                actor2=c.actor2 or (named[0] if named else None))
                elif destroyed and c.sub_event_type == protest["peaceful"]:
                    riot = self.rules["riot"]
                    default = self.rules["default_actor1"][riot[0]]
                    c = replace(c, event_type=riot[0], sub_event_type=riot[1],
                                actor1=ActorValue(default["name"], int(default["inter"])))
                out[i] = c
            out = [c for c in out if c not in shot]
        return [c for c in out if c.sub_event_type not in side]

    def _give_tolls(self, text: str, view: _Sentence, candidates: list[Candidate]) -> list[Candidate]:
        if not view.numbers:
            return candidates  # no figure to give
        violent = set(self.rules["violent_event_types"])
        non_lethal = self._non_lethal
        eligible = [i for i, c in enumerate(candidates) if c.event_type in violent and c.sub_event_type not in non_lethal]
        if not eligible:
            return candidates
        tolls: dict[int, list[tuple[int, bool, bool]]] = defaultdict(list)
        for number in view.numbers:
            value = number.value
            if getattr(value, "role", None) != "killed" or CueFinder.blocking(view.cues, number.start):
                continue
            clause = CueFinder.clause_of(view.clauses, number.start)

            def cost(i: int) -> tuple[int, int]:
                trig = candidates[i].trigger
                same = clause[0] <= trig.start < clause[1]
                return (0 if same else 1, _distance(number, trig))

            owner = min(eligible, key=cost)
            subset = bool(self.subset.search(text[max(view.sentence.start, number.start - 40): number.start]))
            tolls[owner].append((int(value.value), bool(getattr(value, "vague", False)), subset))
        out = list(candidates)
        for i, figures in tolls.items():
            total = sum(v for v, _, subset in figures if not subset) or max(v for v, _, _ in figures)
            vague = any(vg for _, vg, _ in figures)
            out[i] = replace(out[i], fatalities=max(0, total), fatalities_vague=vague)
        return out

    # --- merging -------------------------------------------------------------------------
    def _merge(self, candidates: list[Candidate]) -> tuple[Candidate, ...]:
        merged: list[Candidate] = []
        any_place = frozenset(self.rules["merge_any_place"])
        defaults = frozenset(d["name"] for d in self.rules["default_actor1"].values())
        follow_up = frozenset(self.rules["follow_up_merge_types"])
        side = frozenset(self.rules["side_acts"])
        for candidate in candidates:
            if candidate.sub_event_type in side and _vague(candidate) and candidate.actor1 is not None and any(
                    c.actor1 is not None and c.actor1.name == candidate.actor1.name and c.sub_event_type != candidate.sub_event_type
                    for c in merged):
                continue  # "the army said it had seized weapons": part of the raid told before
            for index, existing in enumerate(merged):
                if _same_event(existing, candidate, any_place, defaults, follow_up, self._is_weak):
                    merged[index] = _combine(existing, candidate, defaults)
                    break
            else:
                if ANAPHORIC in candidate.warnings:
                    # "the attack" refers back: it joins the event of its type told before, or none
                    index = next((i for i, c in enumerate(merged) if c.event_type == candidate.event_type), None)
                    if index is not None:
                        merged[index] = _combine(merged[index], replace(candidate, date_how="carried", place_how="article"), defaults)
                    continue
                merged.append(candidate)
        body = [c for c in merged if HEADLINE not in c.warnings]
        if body:
            # a headline sums up the body: what it alone tells is dropped, not coded twice
            merged = body
        marks = (ANAPHORIC, HEADLINE)
        return tuple(replace(c, warnings=tuple(w for w in c.warnings if w not in marks))
                     if any(m in c.warnings for m in marks) else c for c in merged)


# --- helpers ------------------------------------------------------------------------------
_EMPTY: dict = {}
_SIDE_AND = re.compile(r"^\s*(?:,\s*)?(?:and|&)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_WHEN_SUBJECT = re.compile(r"\b(?:when|as|after)\s+(?:(?:a|an|the|dozens|hundreds|scores|some|several|of|armed|"
                           r"suspected|heavily|group|groups|gang|band|about|around|at|least|more|than|\d+)\s+){0,4}",
                           re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
# what may stand between a territory verb and its object: "seized (control of) (the) (key) town"
_OBJECT_LEAD = re.compile(r"\s+(?:(?:full\s+|effective\s+)?control\s+(?:of|over)\s+)?(?:the\s+|a\s+|an\s+)?"
                          r"(?:(?:[\w-]+-held|strategic|key|northern|southern|eastern|western|central|main|border|"
                          r"nearby|remote|small|large|important)\s+)?(?:(?:town|village|city)\s+of\s+)?", re.IGNORECASE)
# a marker word, then up to two modifiers before the actor ("backed by local militias")
_MODIFIED = r"\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,2}$"
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
ANAPHORIC = "anaphoric: refers to an event told before"
HEADLINE = "headline: sums up the events of the body"


def _by_sentence_and_kind(mentions) -> dict[int, dict[str, list[Mention]]]:
    """Mentions grouped by sentence index, then by kind, each group in the given order."""
    by_sentence: dict[int, dict[str, list[Mention]]] = {}
    for mention in mentions:
        kinds = by_sentence.get(mention.sentence)
        if kinds is None:
            kinds = by_sentence[mention.sentence] = {}
        found = kinds.get(mention.kind)
        if found is None:
            kinds[mention.kind] = [mention]
        else:
            found.append(mention)
    return by_sentence


def _free_places(places: list[Mention], actors: list[Mention], dateline: "_Dateline") -> tuple[Mention, ...]:
    """The place mentions (with a ``Place`` value) that are not part of an actor's name
    ("Borno State Government") nor in the sentence's dateline."""
    kept = []
    for place in places:
        if not isinstance(place.value, Place):
            continue
        start, end = place.start, place.end
        for actor in actors:
            if actor.start < end and start < actor.end:
                break
        else:
            if not dateline.covers(place):
                kept.append(place)
    return tuple(kept)


class _PlaceWords:
    """The 30 characters before each place mention of a sentence, and whether they locate
    it ("in", "near", "at"): read once per mention, for all the sentence's triggers."""

    __slots__ = ("text", "start", "locative", "_lead_ins", "_located")

    def __init__(self, text: str, sentence_start: int, locative: re.Pattern):
        self.text, self.start, self.locative = text, sentence_start, locative
        self._lead_ins: dict[int, str] = {}
        self._located: dict[int, bool] = {}

    def lead_in(self, mention: Mention) -> str:
        found = self._lead_ins.get(mention.start)
        if found is None:
            found = self._lead_ins[mention.start] = self.text[max(self.start, mention.start - 30): mention.start]
        return found

    def located(self, mention: Mention) -> bool:
        found = self._located.get(mention.start)
        if found is None:
            found = self._located[mention.start] = bool(self.locative.search(self.lead_in(mention)))
        return found


def _only_countries_elsewhere(places: tuple[Mention, ...], main: Place | None) -> bool:
    """Whether every trigger placed among ``places`` lands in a whole country other than the
    country of the article's (finer) main place: such a trigger is not coded."""
    if not places or not all(_is_country(p.value) for p in places):
        return False
    fine_main = main is not None and not _is_country(main)
    return not (fine_main and any(p.value.iso3 == main.iso3 for p in places))


class _Dateline:
    """Whether a mention stands in its sentence's dateline ("KABUL, May 3 (Reuters) -");
    the dateline is matched once, when first needed (only mentions near the start ask)."""

    __slots__ = ("pattern", "sentence", "end")
    _UNREAD = -2

    def __init__(self, pattern: re.Pattern, sentence: Sentence):
        self.pattern, self.sentence, self.end = pattern, sentence, self._UNREAD

    def covers(self, mention: Mention) -> bool:
        offset = mention.start - self.sentence.start
        if offset > 40:
            return False
        if self.end == self._UNREAD:
            found = self.pattern.match(self.sentence.text)
            self.end = found.end() if found else None
        return self.end is not None and offset < self.end


def _article_countries(views) -> frozenset:
    """The countries an article is about: its actors' countries and the countries of the
    places it names more than once."""
    seen: dict[str, int] = defaultdict(int)
    for view in views:
        for mention in view.places:
            seen[mention.value.country] += 1
    found = {country for country, count in seen.items() if count > 1}
    found.update(a.value.country for view in views for a in view.actors if a.value.country)
    return frozenset(found)


def _abroad(actor: ActorValue, place: Place | None) -> bool:
    """State forces outside their own country act as external forces."""
    return bool(actor.country and place is not None and place.country and actor.country != place.country)


def _is_country(place: Place) -> bool:
    return place.feature == "country"


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _distance(a: Mention, b: Mention) -> int:
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0


def _longest(triggers: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Drop triggers contained in a longer overlapping trigger."""
    if len(triggers) < 2:
        return triggers
    ordered = sorted(triggers, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for trigger in ordered:
        if kept and _overlaps(kept[-1], trigger):
            if trigger.end - trigger.start > kept[-1].end - kept[-1].start:
                kept[-1] = trigger
            continue
        kept.append(trigger)
    return tuple(kept)


def _carried(value: DateValue, min_precision: int) -> DateValue:
    return DateValue(value.date, max(value.precision, min_precision), value.relative)


_CARRIED_HOWS = {"carried", "reference", "reported", ""}
_PLACE_WEAK = {"article", ""}


def _same_event(a: Candidate, b: Candidate, any_place: frozenset = frozenset(), defaults: frozenset = frozenset(),
                follow_up: frozenset = frozenset(), weak=lambda trigger: False) -> bool:
    if a.event_type != b.event_type:
        return False
    if {a.sub_event_type, b.sub_event_type} & _TERRITORY and {a.sub_event_type, b.sub_event_type} & {_CLASH} \
            and (a.date_how in _CARRIED_HOWS or b.date_how in _CARRIED_HOWS or a.date.date == b.date.date):
        # the fighting in which a place was taken is the taking
        return _places_agree(a, b)
    if a.event_type == _PROTESTS and a.sub_event_type != b.sub_event_type:
        # "students protested in X. Police used live ammunition": one protest, met with force
        return _places_agree(a, b) and (a.date_how in _CARRIED_HOWS or b.date_how in _CARRIED_HOWS
                                        or a.date is None or b.date is None or a.date.date == b.date.date)
    if a.sub_event_type != b.sub_event_type:
        # "the blast", "the device detonated" after "a suicide bomber killed 14": an undated
        # generic re-mention of the same kind of violence in the same place is that event
        if a.event_type not in follow_up or not any(c.date_how == "carried" and weak(c.trigger) for c in (a, b)):
            return False
        if a.place is not None and b.place is not None and a.place.name != b.place.name and not _nested(a.place, b.place) \
                and a.place_how not in _PLACE_WEAK and b.place_how not in _PLACE_WEAK:
            return False
        return True
    if a.date_how not in _CARRIED_HOWS and b.date_how not in _CARRIED_HOWS:
        if a.date is None or b.date is None or a.date.date != b.date.date:
            return False
    if a.sub_event_type in any_place:
        return True  # one agreement of a day per article, whoever is named and wherever
    if a.place is not None and b.place is not None and a.place.name != b.place.name:
        if a.place_how not in _PLACE_WEAK and b.place_how not in _PLACE_WEAK and not _nested(a.place, b.place):
            return False
    if _vague(a) or _vague(b):
        return True  # a re-mention with nothing of its own ("the fighting") is the event told before
    return _actors_compatible(a, b, defaults)


_TERRITORY = {"Government regains territory", "Non-state actor overtakes territory"}
_PROTESTS = "Protests"
_SEVERITY = {"Peaceful protest": 0, "Protest with intervention": 1, "Excessive force against protesters": 2}
_CLASH = "Armed clash"


def _places_agree(a: Candidate, b: Candidate) -> bool:
    if a.place is None or b.place is None or a.place.name == b.place.name:
        return True
    return a.place_how in _PLACE_WEAK or b.place_how in _PLACE_WEAK or _nested(a.place, b.place)


_AREAS = {"admin1", "region", "admin2", "district", "province", "state"}


def _nested(a: Place, b: Place) -> bool:
    """One place is the admin area of the other ("Zamfara" and a town of Zamfara)."""
    for area, point in ((a, b), (b, a)):
        if area.feature in _AREAS and area.iso3 == point.iso3 and area.name in (point.admin1, point.admin2):
            return True
    return False


def _vague(c: Candidate) -> bool:
    return c.date_how in _CARRIED_HOWS and c.place_how in _PLACE_WEAK


def _names(c: Candidate) -> set[str]:
    return {x.name for x in (c.actor1, c.actor2) if x is not None}


def _actors_compatible(a: Candidate, b: Candidate, defaults: frozenset = frozenset()) -> bool:
    if not _named(a.actor1, defaults) or not _named(b.actor1, defaults) or a.actor1.name == b.actor1.name:
        return True
    if a.actor1.inter == b.actor1.inter == 1 and a.actor1.country and a.actor1.country == b.actor1.country:
        return True  # the government and the armed forces of one state
    if a.event_type == "Strategic developments" and a.sub_event_type == "Agreement":
        return bool(_names(a) & _names(b)) or not _names(a) or not _names(b)
    return False


def _named(actor: ActorValue | None, defaults: frozenset) -> bool:
    return actor is not None and actor.name not in defaults


def _information(c: Candidate, defaults: frozenset) -> tuple:
    return (
        c.date_how not in _CARRIED_HOWS,
        c.place_how not in _PLACE_WEAK,
        c.place is not None and c.place.feature not in _AREAS and c.place.feature != "country",
        _named(c.actor1, defaults),
        c.actor2 is not None,
    )


def _combine(a: Candidate, b: Candidate, defaults: frozenset = frozenset()) -> Candidate:
    """One event told twice: keep the better-informed telling (the first on a tie) as the
    base, and fill what it lacks from the other."""
    if _information(b, defaults) > _information(a, defaults) or (HEADLINE in a.warnings and HEADLINE not in b.warnings):
        a, b = b, a
    updates = {}
    if a.event_type == _PROTESTS and _SEVERITY.get(b.sub_event_type, 0) > _SEVERITY.get(a.sub_event_type, 0):
        updates.update(sub_event_type=b.sub_event_type, actor2=b.actor2 or a.actor2)
    if b.sub_event_type in _TERRITORY and a.sub_event_type == _CLASH:
        updates.update(sub_event_type=b.sub_event_type, actor1=b.actor1 or a.actor1, trigger=b.trigger)
    if a.date_how in _CARRIED_HOWS and b.date_how not in _CARRIED_HOWS:
        updates.update(date=b.date, date_how=b.date_how)
    if a.place_how in _PLACE_WEAK and b.place_how not in _PLACE_WEAK and b.place is not None:
        updates.update(place=b.place, place_how=b.place_how)
    elif a.place is not None and b.place is not None and (
            (a.place.feature == "country" and b.place.feature != "country")
            or (a.place.feature in _AREAS and b.place.feature not in _AREAS and _nested(a.place, b.place))):
        updates.update(place=b.place, place_how=b.place_how)
    if not _named(a.actor1, defaults) and _named(b.actor1, defaults) and not (
            HEADLINE in b.warnings and HEADLINE not in a.warnings and a.actor1 is not None):
        # a headline's telegraphic "Four soldiers killed in blast" names victims, not the author
        updates["actor1"] = b.actor1
    if a.actor2 is None and b.actor2 is not None:
        names = {x.name for x in (updates.get("actor1", a.actor1),) if x is not None}
        if b.actor2.name not in names:
            updates["actor2"] = b.actor2
    if b.fatalities > a.fatalities:
        updates.update(fatalities=b.fatalities, fatalities_vague=b.fatalities_vague)
    if HEADLINE in a.warnings and HEADLINE not in b.warnings:
        updates["warnings"] = tuple(w for w in a.warnings if w != HEADLINE)
    return replace(a, **updates) if updates else a

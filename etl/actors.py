"""Actor mentions: who acts or suffers, named the way ACLED names actors.

``ActorFinder.load()`` reads ``etl/vocab/actors.yaml`` (nouns, named groups, regions),
``demonyms.csv`` (countries, adjectives, capitals) and ``state_forces.csv`` (regime years);
calling it on an article's sentences returns ``Mention(kind="actor")`` values with an
``ActorValue``. Names that depend on where the event happened keep the placeholder
``{country}``; ``ActorFinder.for_event`` fills it (with the state's regime years) and sets
inter 8 for state forces acting outside their country.

All vocabulary phrases are found with one Aho-Corasick automaton (``PhraseIndex``); a small
composition step then joins modifiers to nouns ("Sudanese" + "troops") and capitals to verbs
("Moscow" + "said").
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field, replace as _replace
from pathlib import Path
from typing import Any

from . import vocab
from .errors import DataFileError
from .paths import vocab_dir
from .phrases import Hit, PhraseIndex, fold, folded_sentence_hits
from .records import ActorValue, Mention, Sentence

PLACEHOLDER = "{country}"
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|'s|-\w+", re.UNICODE)
_GAP_PUNCTUATION = re.compile(r"[^\w\s'-]")


_AGENT_PARTICIPLES = frozenset({"carried", "launched", "fired", "conducted", "mounted", "staged"})
_ATTACK_MODIFIERS = frozenset({"ballistic", "cruise", "guided", "hypersonic", "heavy", "long-range", "short-range",
                               "medium-range", "precision", "glide", "overnight", "massive", "deadly", "latest",
                               "fresh", "new", "combined", "suspected", "apparent", "retaliatory", "artillery",
                               "aerial", "naval", "unguided", "barrel", "cluster", "air", "ground", "military"})
_WEAPON_NOUNS = frozenset({"rocket", "missile", "drone", "mortar", "jet", "aircraft", "warplane", "helicopter",
                           "tank", "sniper", "shell", "artillery"})


def _case_of(surface: str, acronym: bool = False) -> str:
    if acronym:
        return "exact"
    letters = [c for c in surface if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "exact"
    if surface[:1].isupper():
        return "proper"
    return "any"


# ----------------------------------------------------------------------------------------
# Countries and state forces


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str  # ACLED country name
    actor_name: str  # as used inside "Military Forces of ..." ("the United States")


@dataclass(frozen=True)
class Regime:
    start: dt.date
    end: dt.date | None
    names: dict  # branch -> name


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _date(text: str, path: Path, line: int) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise DataFileError(f"{path}: row {line}: not an ISO date: {text!r}") from exc


@dataclass(frozen=True)
class States:
    """Countries (names, adjectives, capitals) and the names of their state forces by period."""

    countries: dict  # iso3 -> Country
    lookup: dict  # folded name/alias/iso3 -> iso3
    regimes: dict  # iso3 -> tuple[Regime, ...] newest first
    by_name: dict  # state actor base name -> (iso3, branch)
    adjectives: tuple  # (surface, iso3)
    names: tuple  # (surface, iso3): country names and aliases
    capitals: tuple  # (surface, iso3)

    @classmethod
    def load(cls, folder: Path) -> "States":
        countries, lookup, adjectives, names, capitals = {}, {}, [], [], []
        claimed: set[str] = set()
        path = folder / "demonyms.csv"
        for row in _read_csv(path):
            iso3, name = row["iso3"].strip(), row["name"].strip()
            if not iso3 or not name:
                raise DataFileError(f"{path}: a row lacks iso3 or name: {row}")
            countries[iso3] = Country(iso3, name, row.get("actor_name") or name)
            for alias in [name, iso3, row.get("official_name", ""), *_split(row.get("aliases"))]:
                if alias:
                    lookup.setdefault(fold(alias), iso3)
            for alias in [name, *_split(row.get("aliases"))]:
                if len(alias) > 2 or alias.isupper():
                    names.append((alias, iso3))
            for adjective in _split(row.get("adjectives")):
                if adjective not in claimed:
                    claimed.add(adjective)
                    adjectives.append((adjective, iso3))
            capitals.extend((capital, iso3) for capital in _split(row.get("capitals")))
        regimes: dict[str, list[Regime]] = {}
        by_name = {}
        path = folder / "state_forces.csv"
        for line, row in enumerate(_read_csv(path), start=2):
            iso3 = row["iso3"].strip()
            if iso3 not in countries:
                raise DataFileError(f"{path}: row {line}: unknown iso3 {iso3!r}")
            start = _date(row["from_date"].strip(), path, line) or dt.date.min
            end = _date(row["to_date"].strip(), path, line)
            branch_names = {b: row[b].strip() for b in ("military", "police", "government")}
            regimes.setdefault(iso3, []).append(Regime(start, end, branch_names))
            for branch, text in branch_names.items():
                by_name[text] = (iso3, branch)
        ordered = {k: tuple(sorted(v, key=lambda r: r.start, reverse=True)) for k, v in regimes.items()}
        return cls(countries, lookup, ordered, by_name, tuple(adjectives), tuple(names), tuple(capitals))

    def iso3(self, country: str | None) -> str | None:
        if not country:
            return None
        return self.lookup.get(fold(country.strip()))

    def name(self, iso3: str) -> str:
        return self.countries[iso3].name

    def state_name(self, iso3: str, branch: str, templates: dict, date: dt.date | None = None,
                   unit: str | None = None) -> str:
        """ACLED's name for a state's military/police/government at ``date`` (default: now)."""
        name = None
        for regime in self.regimes.get(iso3, ()):
            if date is None:
                name = regime.names[branch]
                break
            if regime.start <= date and (regime.end is None or date <= regime.end):
                name = regime.names[branch]
                break
        if name is None:
            name = templates[branch].replace(PLACEHOLDER, self.countries[iso3].actor_name)
        return f"{name} {unit}" if unit else name


# ----------------------------------------------------------------------------------------
# Vocabulary payloads


@dataclass(frozen=True)
class Noun:
    cls: str  # military | police | government | peacekeepers | armed | protesters | ...
    bare: bool = True
    unit: str | None = None
    corefer: bool = False
    region: bool = False
    class_name: str | None = None  # template key when not the class ("separatists")
    name: str | None = None  # a fixed name ("Settlers (Israel)")
    country: str | None = None
    ethnic_armed: bool = False
    nationality_state: bool = False
    target: bool = False


@dataclass(frozen=True)
class Group:
    name: str | None
    inter: int
    country: str | None
    state: str | None = None  # iso3 when the group is a state's force
    branch: str = "military"
    unit: str | None = None
    role: str | None = None  # mission | pro_government


@dataclass(frozen=True)
class Region:
    index: int
    military: str
    government: str | None
    inter: int
    country: str
    state_like: bool
    separatist_adjectives: frozenset


@dataclass(frozen=True)
class Modifier:
    kind: str  # adjective | country | capital | region_name | region_ethnic | ethnic | un
    ref: Any  # iso3 | Region | (ethnic name, country)


@dataclass(frozen=True)
class Actor:
    """A phrase found in a sentence and what it refers to, before composition."""

    start: int
    end: int
    value: ActorValue


_STATE_CLASSES = ("military", "police", "government")
_KIND_RANK = {"country": 3, "capital": 2, "adjective": 1}


def _rank(hit: Hit) -> int:
    """Between hits of one span: a group, then a country name, a capital, an adjective."""
    payload = hit.payload
    kind = type(payload)
    if kind is Modifier:
        return _KIND_RANK.get(payload.kind, 0)
    return 5 if kind is Group else 4
_PEOPLE_CLASSES = ("protesters", "rioters", "civilians")
_SPONSOR = ("-backed", "-led", "-aligned", "-allied", "-affiliated", "-linked", "-supported")


@dataclass(frozen=True)
class ActorFinder:
    index: PhraseIndex
    states: States
    templates: dict
    inters: dict
    fillers: frozenset
    bridge: frozenset
    bridge_max: int
    government_verbs: frozenset
    military_verbs: frozenset
    regions: tuple
    un_default: str
    un_missions: dict
    group_links: frozenset = frozenset()
    agent_nouns: frozenset = frozenset()
    breakaway_markers: frozenset = frozenset()
    state_like: dict = field(default_factory=dict)  # region actor name -> Region

    def __post_init__(self) -> None:
        """Derived look-ups, made once: a search for any breakaway marker, and the order of
        the state actor base names (the first one a name starts with is its base)."""
        markers = sorted(self.breakaway_markers)
        pattern = "|".join(re.escape(marker) for marker in markers) if markers else "(?!)"
        object.__setattr__(self, "_breakaway_search", re.compile(pattern).search)
        object.__setattr__(self, "_base_order", {base: n for n, base in enumerate(self.states.by_name)})

    @classmethod
    def load(cls, folder: Path | None = None) -> "ActorFinder":
        folder = folder or vocab_dir()
        data = vocab.load("actors", folder)
        if not isinstance(data, dict):
            raise DataFileError(f"{folder / 'actors.yaml'}: expected a mapping")
        states = States.load(folder)
        phrases: list[tuple[str, str, Any]] = []
        try:
            for noun_class, entries in data["nouns"].items():
                for entry in entries:
                    noun = Noun(cls=noun_class, bare=entry.get("bare", True), unit=entry.get("unit"),
                                corefer=entry.get("corefer", False), region=entry.get("region", False),
                                class_name=entry.get("class_name"), name=entry.get("name"),
                                country=entry.get("country"), ethnic_armed=entry.get("ethnic_armed", False),
                                nationality_state=entry.get("nationality_state", False),
                                target=entry.get("target", False))
                    phrases += [(form, "any", noun) for form in entry["forms"]]
            for entry in data["groups"]:
                group = Group(name=entry.get("name"), inter=int(entry.get("inter", 1)),
                              country=entry.get("country"), state=entry.get("state"),
                              branch=entry.get("branch", "military"), unit=entry.get("unit"),
                              role=entry.get("role"))
                if group.state and group.state not in states.countries:
                    raise DataFileError(f"actors.yaml: group state {group.state!r} is not in demonyms.csv")
                if not group.state and not group.name:
                    raise DataFileError(f"actors.yaml: a group has neither name nor state: {entry}")
                phrases += [(alias, _case_of(alias), group) for alias in entry.get("aliases", [])]
                phrases += [(acronym, "exact", group) for acronym in entry.get("acronyms", [])]
            regions = []
            for number, entry in enumerate(data["regions"]):
                region = Region(number, entry["military"], entry.get("government"), int(entry["inter"]),
                                entry["country"], bool(entry.get("state_like", False)),
                                frozenset(fold(a) for a in entry.get("separatist_adjectives", [])))
                regions.append(region)
                phrases += [(name, "proper", Modifier("region_name", region)) for name in entry["names"]]
                phrases += [(name, _case_of(name), Modifier("region_ethnic", region)) for name in entry.get("ethnic", [])]
            for entry in data["ethnic_militias"]:
                phrases += [(a, "proper", Modifier("ethnic", (entry["name"], entry["country"]))) for a in entry["adjectives"]]
            un = data["un_peacekeepers"]
            phrases += [(m, _case_of(m), Modifier("un", None)) for m in un["modifiers"]]
            metonym = data["metonym"]
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{folder / 'actors.yaml'}: malformed entry: {exc}") from exc
        phrases += [(s, "exact" if s.isupper() or "." in s else "proper", Modifier("adjective", iso3)) for s, iso3 in states.adjectives]
        phrases += [(s, _case_of(s), Modifier("country", iso3)) for s, iso3 in states.names]
        phrases += [(s, "proper", Modifier("capital", iso3)) for s, iso3 in states.capitals]
        endings = tuple(str(e) for e in data.get("demonym_plurals", []))
        for adjective, iso3 in states.adjectives:
            if endings and adjective.endswith(endings) and not adjective.isupper():
                country = states.name(iso3)
                noun = Noun(cls="civilians", name=data["templates"]["civilians"].replace(PLACEHOLDER, country), country=country)
                phrases.append((adjective + "s", "proper", noun))
        return cls(
            index=PhraseIndex(phrases),
            states=states,
            templates=dict(data["templates"]),
            inters={k: int(v) for k, v in data["inter"].items()},
            fillers=frozenset(fold(f) for f in data["fillers"]),
            bridge=frozenset(fold(b) for b in metonym["bridge"]),
            bridge_max=int(metonym["bridge_max"]),
            government_verbs=frozenset(metonym["government"]),
            military_verbs=frozenset(metonym["military"]),
            regions=tuple(regions),
            un_default=un["default"],
            un_missions=dict(un["missions"]),
            breakaway_markers=frozenset(fold(str(m)) for m in data.get("breakaway_markers", [])),
            agent_nouns=frozenset(" ".join(fold(str(n)).split()) for n in data.get("agent_nouns", [])),
            group_links=frozenset(" ".join(fold(str(link)).split()) for link in data.get("group_links", [])),
            state_like={r.military: r for r in regions if r.state_like},
        )

    # ------------------------------------------------------------------------------------
    def __call__(self, sentences: tuple[Sentence, ...]) -> tuple[Mention, ...]:
        found = folded_sentence_hits(self.index, sentences, _rank)
        region_seen = [hit.payload.ref for _, hits, _ in found for hit in hits
                       if isinstance(hit.payload, Modifier) and hit.payload.kind == "region_name"]
        memory: dict[str, Any] = {"armed": None, "peacekeepers": None, "military": None}
        mentions = []
        for number, (sentence, hits, folded) in enumerate(found):
            if not hits:
                continue  # nothing to compose
            for actor in self._compose(sentence.text, folded, hits, memory, region_seen, number):
                start, end = sentence.start + actor.start, sentence.start + actor.end
                mentions.append(Mention("actor", sentence.index, start, end,
                                        sentence.text[actor.start:actor.end], actor.value))
        return tuple(mentions)

    def _compose(self, text: str, folded, hits: list[Hit], memory: dict, regions_seen: list, number: int) -> list[Actor]:
        """Actors of one sentence (``folded``: ``folded_slices(text)``); ``memory`` carries the
        article's latest armed group, peacekeepers and state military (with the sentence
        number) from sentence to sentence."""
        out: list[Actor] = []
        consumed: set[int] = set()
        breakaway = None  # whether a breakaway marker is in the sentence: found when needed
        for position, hit in enumerate(hits):
            if position in consumed:
                continue
            payload = hit.payload
            follower = hits[position + 1] if position + 1 < len(hits) else None
            if isinstance(payload, Group):
                value = self._group(payload)
                end = hit.end
                if (follower is not None and isinstance(follower.payload, Noun)
                        and follower.payload.cls in ("armed", "military")
                        and self._gap(text[hit.end:follower.start], folded[hit.end:follower.start], False) is not None):
                    end = follower.end
                    consumed.add(position + 1)
                if payload.role == "mission":
                    memory["peacekeepers"] = value
                elif payload.role != "pro_government":
                    self._remember(memory, value, number, payload.state is not None and payload.branch == "military")
                out.append(Actor(hit.start, end, value))
            elif isinstance(payload, Noun):
                if (payload.cls == "armed" and follower is not None and isinstance(follower.payload, Group)
                        and self._linked(folded[hit.end:follower.start])):
                    value = self._group(follower.payload)
                    if follower.payload.role is None:
                        self._remember(memory, value, number, False)
                    consumed.add(position + 1)
                    out.append(Actor(hit.start, follower.end, value))
                    continue
                if (follower is not None and isinstance(follower.payload, Modifier)
                        and follower.payload.kind == "country" and payload.cls != "armed"
                        and " ".join(folded[hit.end:follower.start].split()) in ("of", "of the")):
                    value = self._noun(payload, follower.payload, memory, regions_seen, follower, folded, number)
                    if value is not None:  # "the Armed Forces of Ukraine", "the Government of Sudan"
                        consumed.add(position + 1)
                        out.append(Actor(hit.start, follower.end, value))
                        continue
                if payload.cls in _STATE_CLASSES and breakaway is None:
                    breakaway = self._breakaway_search(text.lower()) is not None
                if breakaway and payload.cls in _STATE_CLASSES and self._breakaway_before(folded, hit.start):
                    value = self._breakaway(payload.cls, regions_seen)  # "the self-proclaimed presidency"
                elif payload.cls == "government" and self._agent_noun_after(text, folded, hit.end):
                    # "a junta airstrike", "regime shelling": the state's armed forces struck
                    value = self._noun(_replace(payload, cls="military"), None, memory, regions_seen, None, folded, number)
                else:
                    value = self._noun(payload, None, memory, regions_seen, None, folded, number)
                if value is not None:
                    out.append(Actor(hit.start, hit.end, value))
            elif isinstance(payload, Modifier):
                partner = self._coordinated(text, folded, hits, position)
                if partner is not None:  # "Azerbaijani and Armenian troops": the first one
                    value = self._noun(hits[partner].payload, payload, memory, regions_seen, hit, folded, number)
                    if value is not None:
                        out.append(Actor(hit.start, hit.end, value))
                        continue
                if follower is not None and isinstance(follower.payload, Noun):
                    joined = self._gap(text[hit.end:follower.start], folded[hit.end:follower.start], payload.kind != "ethnic")
                    if joined is not None and (not joined or payload.kind == "region_ethnic"):
                        value = self._noun(follower.payload, payload, memory, regions_seen, hit, folded, number)
                        if value is not None:
                            consumed.add(position + 1)
                            out.append(Actor(hit.start, follower.end, value))
                            continue
                if payload.kind in ("adjective", "country", "capital") and self._agent_noun_after(text, folded, hit.end) \
                        or payload.kind in ("country", "capital") and self._agent_noun_before(folded, hit.start):
                    iso3 = payload.ref
                    value = ActorValue(self.states.state_name(iso3, "military", self.templates),
                                       self.inters["military"], self.states.name(iso3))
                    self._remember(memory, value, number, True)
                    out.append(Actor(hit.start, hit.end, value))
                    continue
                if payload.kind in ("capital", "country"):
                    previous = hits[position - 1] if position else None
                    after_and = (previous is not None and isinstance(previous.payload, Modifier)
                                 and previous.payload.kind in ("capital", "country")
                                 and folded[previous.end:hit.start].strip() == "and")
                    branch = self._metonym(folded, hit, coordinated=after_and)
                    if (branch is None and follower is not None and isinstance(follower.payload, Modifier)
                            and follower.payload.kind in ("capital", "country")
                            and folded[hit.end:follower.start].strip() == "and"):
                        branch = self._metonym(folded, follower, coordinated=True)  # "Baku and Yerevan agreed"
                    if (branch is None and follower is not None and not isinstance(follower.payload, Modifier)
                            and folded[hit.end:follower.start].strip() in ("and", "and the")):
                        # "Khartoum and the RSF agreed": a capital coordinated with a named party
                        branch = self._metonym(folded, follower, coordinated=True)
                    if branch:
                        iso3 = payload.ref
                        value = ActorValue(self.states.state_name(iso3, branch, self.templates),
                                           self.inters[branch], self.states.name(iso3))
                        self._remember(memory, value, number, branch == "military")
                        out.append(Actor(hit.start, hit.end, value))
        return out

    def _agent_noun_after(self, text: str, folded, end: int) -> bool:
        """Whether an attack noun follows ("an Israeli airstrike", "Russia's shelling");
        ``folded`` is ``folded_slices(text)``."""
        if text[end:end + 1] not in (" ", "'", "\u2019"):
            return False
        words = folded[end:end + 60].replace("'s ", " ", 1).split()
        if not words:
            return False
        while len(words) > 1 and words[0].strip(",.;:!?\"()") in _ATTACK_MODIFIERS:
            words = words[1:]  # "a Russian ballistic missile", "an Israeli overnight strike"
        first = words[0].strip(",.;:!?\"()")
        two = f"{first} {words[1].strip(',.;:!?()')}" if len(words) > 1 else first
        return first in self.agent_nouns or two in self.agent_nouns

    def _agent_noun_before(self, folded, start: int) -> bool:
        """Whether a state named as a place is the author of an attack noun before it
        ("shelling by Ukraine", "an attack from Azerbaijan", "strikes carried out by Israel");
        ``folded`` is ``folded_slices`` of the sentence."""
        window = folded[max(0, start - 60):start]
        if "by" not in window and "from" not in window:
            return False  # (the marker word is in the window)
        return self._agent_words_before(window)

    def _agent_words_before(self, window: str) -> bool:
        """``_agent_noun_before`` on the folded text before the name, read word by word."""
        words = [w.strip(",.;:!?\"()") for w in window.split()]
        if words and words[-1] == "the":
            words = words[:-1]
        if len(words) < 2 or words[-1] not in ("by", "from"):
            return False
        marker, head = words[-1], words[:-1]
        if head and head[-1] in ("out", "up"):
            head = head[:-1]
        if head and head[-1] in _AGENT_PARTICIPLES:
            if marker != "by":
                return False  # "rockets fired from Lebanon": where from, not who
            head = head[:-1]  # "strikes carried out by"
        if not head:
            return False
        if marker == "from" and head[-1].rstrip("s") in _WEAPON_NOUNS:
            return False  # "drones from Iran": an origin, not the attacker
        two = " ".join(head[-2:])
        return head[-1] in self.agent_nouns or two in self.agent_nouns

    def _linked(self, folded_gap: str) -> bool:
        """Whether ``folded_gap`` links an armed noun to the group after it ("fighters loyal to the")."""
        words = folded_gap.split()
        if words and words[-1] == "the":
            words = words[:-1]
        return " ".join(words) in self.group_links

    @staticmethod
    def _remember(memory: dict, value: ActorValue, number: int, military: bool) -> None:
        if military:
            memory["military"] = (value, number)
        elif value.inter in (2, 3, 4):
            memory["armed"] = value

    # ------------------------------------------------------------------------------------
    def _gap(self, gap: str, folded_gap: str, possessive_ok: bool) -> bool | None:
        """None if ``gap`` does not join a modifier to its noun; else whether it names a
        sponsor ("-backed") rather than the actor's own side. ``folded_gap``: ``fold(gap)``."""
        sponsor = False
        if _GAP_PUNCTUATION.search(gap):
            return None
        tokens = _WORD.findall(folded_gap)
        if tokens and tokens[0] == "'s" and possessive_ok:
            tokens = tokens[1:]
        if gap.strip() == "'" and possessive_ok:
            return False
        if len(tokens) > 3:
            return None
        for token in tokens:
            if token in self.fillers:
                sponsor = sponsor or token in _SPONSOR
                continue
            if token.startswith("-") and token in _SPONSOR:
                sponsor = True
                continue
            if "-" in token and token.rsplit("-", 1)[0] in self.fillers:
                continue
            return None
        return sponsor

    def _breakaway_before(self, folded, start: int) -> bool:
        """Whether a breakaway marker is among the three words before ``start`` ("self-proclaimed");
        ``folded`` is ``folded_slices`` of the sentence."""
        words = folded[max(0, start - 40):start].split()[-3:]
        return any(word.strip(",;:") in self.breakaway_markers for word in words)

    def _breakaway(self, cls: str, regions_seen: list) -> ActorValue:
        """A breakaway region's government or forces: the region named in the article, else
        the separatists' placeholder."""
        if regions_seen:
            region = regions_seen[0]
            name = region.government if cls == "government" and region.government else region.military
            return ActorValue(name, region.inter, region.country)
        return ActorValue(self.templates["separatists"], self.inters["separatists"], None)

    def _coordinated(self, text: str, folded, hits: list[Hit], position: int) -> int | None:
        """The noun a modifier shares with the next one ("Azerbaijani and Armenian troops");
        ``folded`` is ``folded_slices(text)``."""
        if position + 2 >= len(hits):
            return None
        first, second, noun = hits[position], hits[position + 1], hits[position + 2]
        if not (isinstance(second.payload, Modifier) and isinstance(noun.payload, Noun)):
            return None
        kinds = {first.payload.kind, second.payload.kind}
        if not (kinds <= {"adjective", "country"} or kinds == {"ethnic"}):
            return None
        if folded[first.end:second.start].strip() not in ("and", ",", "or", "and the"):
            return None
        if self._gap(text[second.end:noun.start], folded[second.end:noun.start], False) is None:
            return None
        return position + 2

    def _metonym(self, folded, hit: Hit, coordinated: bool = False) -> str | None:
        """The state branch a capital or country named as an actor stands for ("Moscow said":
        government), from the verb after it; ``folded`` is ``folded_slices`` of the sentence."""
        before = _WORD.findall(folded[max(0, hit.start - 12):hit.start])
        if before and not coordinated and before[-1] in {"in", "at", "near", "from", "to", "of", "across", "into", "inside",
                                     "outside", "and", "with", "against", "between", "for", "on", "by"}:
            return None
        bridges = 0
        for word in _WORD.finditer(folded[hit.end:hit.end + 80]):  # (mostly the first word tells)
            low = word.group()
            if low in self.government_verbs:
                return "government"
            if low in self.military_verbs:
                return "military"
            if low in self.bridge and bridges < self.bridge_max:
                bridges += 1
                continue
            return None
        return None

    # ------------------------------------------------------------------------------------
    def _group(self, group: Group) -> ActorValue:
        if group.state:
            name = self.states.state_name(group.state, group.branch, self.templates, unit=group.unit)
            return ActorValue(name, self.inters[group.branch], self.states.name(group.state))
        return ActorValue(group.name, group.inter, group.country)

    def _template(self, key: str, country: str | None) -> str:
        return self.templates[key].replace(PLACEHOLDER, country) if country else self.templates[key]

    def _noun(self, noun: Noun, modifier: Modifier | None, memory: dict, regions_seen: list,
              modifier_hit: Hit | None, folded, number: int) -> ActorValue | None:
        """What ``noun`` (with its ``modifier``, if any) refers to; None if nothing.
        ``folded`` is ``folded_slices`` of the sentence."""
        cls = noun.cls
        kind = modifier.kind if modifier else None
        if noun.name:
            return ActorValue(noun.name, self.inters[cls], noun.country)
        iso3 = modifier.ref if kind in ("adjective", "country", "capital") else None
        country = self.states.name(iso3) if iso3 else None
        separatist = self._separatist_region(modifier_hit, folded) if kind == "adjective" else None
        if noun.nationality_state and iso3 and separatist is None:
            cls = "military"
        if cls in _STATE_CLASSES:
            return self._state_noun(noun, cls, kind, modifier, iso3, country, memory, number)
        if cls == "peacekeepers":
            if iso3:
                value = ActorValue(self.states.state_name(iso3, "military", self.templates),
                                   self.inters["peacekeepers"], country)
            elif kind == "un" or memory["peacekeepers"] is None:
                value = ActorValue(self.un_default, self.inters["peacekeepers"], None)
            else:
                value = memory["peacekeepers"]
            memory["peacekeepers"] = value
            return value
        if cls in _PEOPLE_CLASSES and not (noun.ethnic_armed and kind == "ethnic"):
            if separatist is not None and separatist in regions_seen:
                country = None  # an ethnic group of a breakaway region: the event's country
            key = "civilians" if noun.ethnic_armed else cls
            return ActorValue(self._template(key, country), self.inters[key], country)
        return self._armed_noun(noun, kind, modifier, iso3, country, separatist, memory, regions_seen)

    def _state_noun(self, noun: Noun, cls: str, kind: str | None, modifier: Modifier | None, iso3: str | None,
                    country: str | None, memory: dict, number: int) -> ActorValue | None:
        if kind in ("region_name", "region_ethnic"):
            region = modifier.ref
            name = region.government if cls == "government" and region.government else region.military
            return ActorValue(name, region.inter, region.country)
        if iso3:
            value = ActorValue(self.states.state_name(iso3, cls, self.templates, unit=noun.unit),
                               self.inters[cls], country)
            if cls == "military" and not noun.target and not noun.unit:
                memory["military"] = (value, number)
            return value
        if not noun.bare:
            return None
        if cls == "military" and not noun.unit and memory["military"] is not None:
            value, seen = memory["military"]
            if number - seen <= 1:
                return value
        name = self.templates[cls] + (f" {noun.unit}" if noun.unit else "")
        return ActorValue(name, self.inters[cls], None)

    def _armed_noun(self, noun: Noun, kind: str | None, modifier: Modifier | None, iso3: str | None,
                    country: str | None, separatist: "Region | None", memory: dict, regions_seen: list) -> ActorValue:
        if kind == "ethnic":
            ethnic, home = modifier.ref
            home = None if home == PLACEHOLDER else home
            name = self.templates["ethnic_militia"].replace("{ethnic}", ethnic)
            return ActorValue(name.replace(PLACEHOLDER, home) if home else name, self.inters["ethnic_militia"], home)
        region = modifier.ref if kind in ("region_name", "region_ethnic") else separatist
        if region is not None:
            value = ActorValue(region.military, region.inter, region.country)
            memory["armed"] = value
            return value
        remembered = memory["armed"]
        if noun.corefer and remembered is not None and (iso3 is None or remembered.country in (None, country)):
            return remembered
        if noun.region and regions_seen and iso3 is None:
            region = regions_seen[0]
            value = ActorValue(region.military, region.inter, region.country)
            memory["armed"] = value
            return value
        key = noun.class_name or "armed"
        return ActorValue(self._template(key, country), self.inters[key], country)

    def _separatist_region(self, modifier_hit: Hit | None, folded) -> "Region | None":
        if modifier_hit is None:
            return None
        adjective = folded[modifier_hit.start:modifier_hit.end]
        for region in self.regions:
            if adjective in region.separatist_adjectives:
                return region
        return None

    # ------------------------------------------------------------------------------------
    def for_event(self, value: ActorValue, event_country: str | None, date: dt.date | None = None) -> ActorValue:
        """The actor as coded for an event in ``event_country`` on ``date``.

        Fills ``{country}`` (state forces get their regime years for ``date``), re-dates a
        state's name to the regime in power on ``date``, names UN peacekeepers after the
        country's mission, and codes a state's forces outside their own country as external
        forces (inter 8).
        """
        event_iso3 = self.states.iso3(event_country)
        name, inter, country = value.name, value.inter, value.country
        if PLACEHOLDER in name:
            iso3 = self.states.iso3(country) or event_iso3
            if iso3 is None:  # a country or territory the tables do not know: its name as given
                named = (country or event_country or "").strip()
                return ActorValue(name.replace(PLACEHOLDER, named), inter, named) if named else value
            for branch in _STATE_CLASSES:
                base = self.templates[branch]
                if name.startswith(base):
                    unit = name[len(base):].strip() or None
                    name = self.states.state_name(iso3, branch, self.templates, date, unit)
                    break
            else:
                name = name.replace(PLACEHOLDER, self.states.name(iso3))
            country = self.states.name(iso3)
        else:
            base, unit = self._state_base(name)
            if base is not None:
                iso3, branch = self.states.by_name[base]
                name = self.states.state_name(iso3, branch, self.templates, date, unit)
        if name == self.un_default and event_iso3:
            name = self.un_missions.get(self.states.name(event_iso3), name)
        state_iso3 = self.states.iso3(country) if (self._state_base(name)[0] or self._is_fallback_state(name)) else None
        if state_iso3 and event_iso3 and state_iso3 != event_iso3 and inter == 1:
            inter = self.inters["peacekeepers"]
        region = self.state_like.get(name)
        if region is not None and event_iso3 and self.states.iso3(region.country) != event_iso3:
            inter = self.inters["peacekeepers"]
        return ActorValue(name, inter, country)

    def as_branch(self, value: ActorValue, branch: str) -> ActorValue:
        """The same state's ``branch`` (military | police | government) for a state actor of
        the same regime ("Government of Azerbaijan (2003-)" said it captured ... -> the
        military); any other actor is returned unchanged."""
        for source in _STATE_CLASSES:
            template = self.templates[source]
            if value.name.startswith(template):  # placeholder form
                return ActorValue(self.templates[branch] + value.name[len(template):], value.inter, value.country)
        base, unit = self._state_base(value.name)
        if base is None:
            return value
        iso3, _ = self.states.by_name[base]
        for regime in self.states.regimes[iso3]:
            if base in regime.names.values():
                return ActorValue(regime.names[branch], value.inter, value.country)
        return value

    def _state_base(self, name: str) -> tuple[str | None, str | None]:
        """The first state actor base name (in ``states.by_name`` order) that ``name`` is or
        starts with before a space, and what follows it (a unit), else (None, None)."""
        order = self._base_order
        best = order.get(name)
        base = name if best is not None else None
        at = name.find(" ")
        while at >= 0:
            prefix = name[:at]
            rank = order.get(prefix)
            if rank is not None and (best is None or rank < best):
                best, base = rank, prefix
            at = name.find(" ", at + 1)
        if base is None:
            return None, None
        return base, name[len(base):].strip() or None

    def _is_fallback_state(self, name: str) -> bool:
        return any(name.startswith(self.templates[b].replace(PLACEHOLDER, "")) for b in _STATE_CLASSES)

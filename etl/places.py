"""Place mentions: every gazetteer name in an article, resolved to one place.

``PlaceFinder.load()`` once per process, then ``finder(sentences)`` per article:

1. scan: at every word start whose letter is a capital (or a particle such as "al-"),
   walk the gazetteer's pyahocorasick tries (curated, then GeoNames base) to the longest
   names that end on a word boundary: one pass over the article;
2. filter: common English words, weekdays, months and nationality adjectives
   (``etl/vocab/place_stopwords.yaml``) are never GeoNames places; short names need a
   large population; all-capital acronyms are not base places;
3. read the words around each name (``etl/vocab/place_cues.yaml``): "near X" (geo_precision
   2), "the town of X", "X district", "X province", "X corridor" (feature kind);
4. resolve: rank same-name entries by source, population and kind, then again with the
   article's context (countries, first-level areas and points of its other places);
   small places need a locative word ("in X"), the article's country or a nearby place;
5. the article's country: the dominant country (most of its credible places and nationality
   words, ``demonyms.csv``) bars a small GeoNames place or a first-level area of another
   country unless the article names that country ("X, Country", the name, "Tanzanian");
6. phrasing that names something else: "the X road" / "X highway" is a road named after X
   (``Place.feature == "road"``, geo_precision 2, coded at X); "the X river" / "X forest"
   is not X (dropped); "X said" is a speaker (a place only when large or after "in");
   a common surname (``place_stopwords.yaml`` surnames) is a place only after a locative;
7. datelines ("KYIV, May 3 (Reuters) -", "RAMALLAH —") in an article's first sentences
   stay context for the others but are marked: ``Place.source`` ends in ``|dateline``,
   and they do not vote for the article's country. The assembler should not take such a
   mention as an event's place unless the article names no other.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
import functools
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import ahocorasick
from rapidfuzz import fuzz

from . import vocab
from .errors import DataFileError
from .gazetteer import Entry, Gazetteer, great_circle_km
from .paths import vocab_dir
from .records import Mention, Place, Sentence

_WORD = re.compile(r"\w+")
_WORD_END = re.compile(r"\w(?!\w)")  # the last character of a word
_NEXT_CAPITALISED = re.compile(r" ([A-Z][\w']*)")
_RUN_BACKWARDS = re.compile(r"\n? ([\w']*)")  # on reversed text: a space, then a word read backwards
_CAPITALISED = re.compile(r"[A-Z](?<!\w.)[a-z]{3,}(?!\w)")  # a capitalised word (the capital first: faster)
_LETTERS = re.compile(r"[^\w]+")
_AFTER = re.compile(r" {1,2}(\w+)(?: (\w+))?(?: (\w+))?")
_MAX_NAME = 64  # characters of text a name may span
_MAX_BASE = 12  # same-name base entries considered per mention
_MAX_POINTS = 12  # context points per article
_MEMO_SIZE = 10_000  # entries per memo kept across articles (see ``PlaceFinder._trim``)
_START = operator.attrgetter("start")
_NONE = frozenset()  # no countries (context)
_MEMOS = ("candidates", "entries", "names", "keys", "scores", "ranked", "places", "own")


@dataclass(frozen=True)
class Cues:
    vicinity: frozenset  # folded phrases right before a name: "near", "outside", ...
    kind_before: dict  # folded phrase -> kind
    kind_after: dict  # folded word(s) -> kind
    kind_features: dict  # kind -> tuple of gazetteer features
    locative: frozenset
    particles: frozenset
    titles: frozenset
    adjectival_after: frozenset
    adjectival_before: frozenset
    prefixes_ok: frozenset
    common_locatives: frozenset
    road_words: frozenset  # folded words after a name that make "X road" a road named after X
    speech_after: frozenset  # folded words after a name that make it a speaker ("Kennedy said")

    @classmethod
    def load(cls, gazetteer: Gazetteer, folder: Path | None = None) -> "Cues":
        data = vocab.load("place_cues", folder)
        try:
            key = gazetteer.fold.key
            kind_before = {key(p): kind for kind, phrases in data["kind_before"].items() for p in phrases}
            kind_after = {key(w): kind for kind, words in data["kind_after"].items() for w in words}
            return cls(
                vicinity=frozenset(key(p) for p in data["vicinity_before"]),
                kind_before=kind_before,
                kind_after=kind_after,
                kind_features={k: tuple(v) for k, v in data["kind_features"].items()},
                locative=frozenset(key(p) for p in data["locative_before"]),
                particles=frozenset(key(p) for p in data["particles"]),
                titles=frozenset(key(p) for p in data["titles_before"]),
                adjectival_after=frozenset(key(p) for p in data["adjectival_after"]),
                adjectival_before=frozenset(key(p) for p in data["adjectival_before"]),
                prefixes_ok=frozenset(key(p) for p in data["name_prefixes_ok"]),
                common_locatives=frozenset(key(p) for p in data["common_word_locatives"]),
                road_words=frozenset(key(p) for p in data["road_words"]),
                speech_after=frozenset(key(p) for p in data["speech_after"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise DataFileError(f"place_cues.yaml: malformed ({exc})") from exc

    @functools.cached_property
    def before_ends(self) -> frozenset:
        """The last words of the phrases read before a name: a name after any other word
        has none of them."""
        phrases = (*self.vicinity, *self.locative, *self.kind_before, *self.common_locatives)
        return frozenset(p.rsplit(" ", 1)[-1] for p in phrases)

    @functools.cached_property
    def after_starts(self) -> frozenset:
        """The first words of the kind phrases read after a name ("district", "oblast")."""
        return frozenset(p.split(" ", 1)[0] for p in self.kind_after)


class _Hit(NamedTuple):
    """A name found in a sentence, with the words around it (a named tuple: made for
    every name of every article, it is cheaper than a frozen dataclass)."""

    sentence: Sentence
    start: int  # offsets within the sentence
    end: int
    key: str
    entries: tuple[Entry, ...]
    vicinity: bool
    locative: bool
    kind: str  # populated | district | region | corridor | checkpoint | ""
    kind_end: int  # end including a kind word after the name ("Lachin district")
    personal: bool  # looks like part of a person's name: "President X", "X Surname"
    folded: str  # the sentence, folded
    tail: bool = False  # right after another capitalised word: maybe the end of a longer name
    common_word: bool = False  # the name is also a common English word ("in Tame")
    kind_in_name: bool = False  # the matched name itself ends in a kind word ("Kyivskyi district")
    contained: bool = False  # "X, Y" / "X in Y" with Y an area that contains X (or Y itself)
    common_strong: bool = False  # a common word right after "in", "municipality of", ...
    road: bool = False  # "the X road", "X highway": a road named after X, not X itself
    speaker: bool = False  # "X said", "X told": a person or an authority speaking
    surname: bool = False  # a common surname that is also a place name ("Kennedy")
    dateline: bool = False  # "RAMALLAH —", "Bogota, May 3 (Reuters) -": where the report was filed


@dataclass(frozen=True)
class PlaceFinder:
    gazetteer: Gazetteer
    cues: Cues
    stop: frozenset  # folded words that are not GeoNames places (see common_word)
    hard_stop: frozenset  # weekdays, months, nationality words, names: never GeoNames places
    curated_trie: object  # pyahocorasick trie: folded alias -> tuple of curated indices
    accept: dict
    surnames: frozenset = frozenset()  # folded common surnames: a place only after a locative cue
    demonyms: dict = None  # folded nationality word -> iso2 (evidence of the article's countries)
    demonym_re: object = None  # regex of a capitalised word (looked up in ``demonyms``)
    # Where names may start (see ``_NameStarts``), made from the fold table and particles.
    starts: "_NameStarts" = None
    # Results of pure functions of the gazetteer and vocabularies kept across articles, by
    # kind (bounded, see ``_trim``): candidates and names per name, folded keys per word,
    # static scores and ranked entries, places per entry, own-name tests.
    _cache: dict = field(default_factory=lambda: {name: {} for name in _MEMOS}, repr=False, compare=False)

    @classmethod
    def load(cls, gazetteer: Gazetteer | None = None) -> "PlaceFinder":
        gazetteer = gazetteer or Gazetteer.load()
        words = vocab.load("place_stopwords")
        if not isinstance(words, dict):
            raise DataFileError("place_stopwords.yaml: expected a mapping of word lists")
        soft = ("words", "surnames")
        stop = frozenset(
            gazetteer.fold.key(w) for name, items in words.items() if isinstance(items, list) and name != "surnames"
            for w in items
        )
        hard_stop = frozenset(
            gazetteer.fold.key(w) for name, items in words.items() if isinstance(items, list) and name not in soft
            for w in items
        )
        surnames = frozenset(gazetteer.fold.key(w) for w in words.get("surnames") or ())
        demonyms = _demonyms(gazetteer)
        demonym_re = _CAPITALISED
        trie = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, ids in gazetteer.curated_index.items():
            trie.add_word(key, ids)
        accept = dict(gazetteer.ranker.weights.get("accept") or {})
        for name in ("short_name_chars", "short_name_population", "tiny_name_chars", "tiny_name_population",
                     "strong_population", "context_km", "kind_mismatch_km", "own_name_similarity",
                     "speaker_population"):
            if name not in accept:
                raise DataFileError(f"place_rank.yaml: accept.{name} is missing")
        cues = Cues.load(gazetteer)
        starts = _NameStarts.build(gazetteer.fold.table, cues.particles)
        return cls(gazetteer, cues, stop, hard_stop, trie, accept, surnames, demonyms, demonym_re, starts)

    # -- public ------------------------------------------------------------------------

    def __call__(self, sentences: tuple[Sentence, ...]) -> tuple[Mention, ...]:
        hits: list[_Hit] = []
        self._trim()
        memo = self._cache["candidates"]  # candidates per name (and cue), across articles
        for sentence in sentences:
            hits.extend(self._scan(sentence, memo))
        return self._resolve(hits)

    def find(self, text: str) -> tuple[Mention, ...]:
        """Convenience: the place mentions of one piece of text taken as one sentence."""
        return self((Sentence(index=0, start=0, end=len(text), text=text),))

    # -- scanning ----------------------------------------------------------------------

    def _scan(self, sentence: Sentence, memo: dict) -> list[_Hit]:
        text = sentence.text
        folded = self.gazetteer.fold(text)
        # (start - end, start, end, curated indices, alias id): sorted, the longest names first
        found: list[tuple[int, int, int, tuple, int]] = []
        curated_trie, base_trie = self.curated_trie, self.gazetteer.base_trie
        names = self._cache["names"]
        for start in self.starts(text, folded):
            window = folded[start : start + _MAX_NAME]
            depth = curated_trie.longest_prefix(window)
            base_depth = base_trie.longest_prefix(window)
            if base_depth > depth:
                depth = base_depth
            if not depth:
                continue
            # the names found here depend on these characters only (the one after the
            # deepest trie path tells whether that path ends a word)
            probe = folded[start : start + depth + 1]
            ends = names.get(probe)
            if ends is None:
                ends = names[probe] = self._names_at(probe, depth)
            for length, curated_ids, alias_id in ends:
                found.append((-length, start, start + length, curated_ids, alias_id))
        # longer names win over the names inside them; a name is read (``_hit``) only when
        # no longer one that is a place overlaps it
        found.sort()  # (-length, start) is unique: the rest is never compared
        hits: list[_Hit] = []
        for _, start, end, curated_ids, alias_id in found:
            for taken in hits:
                if end > taken.start and start < taken.end:
                    break
            else:
                hit = self._hit(sentence, folded, start, end, curated_ids, alias_id, memo)
                if hit is not None:
                    hits.append(hit)
        hits.sort(key=_START)
        line = _DATELINE.match(text) if sentence.index <= _DATELINE_SENTENCES else None
        if line is not None and (line.group("agency") or line.group("name").isupper()):
            hits = [h._replace(dateline=True) if h.end <= line.end("name") else h for h in hits]
        return hits

    def _names_at(self, probe: str, depth: int) -> tuple[tuple[int, tuple, int], ...]:
        """The names at the start of ``probe`` that end a word, no longer than ``depth``:
        (length, curated indices, base alias id or -1) for each."""
        out = []
        for word_end in _WORD_END.finditer(probe):
            length = word_end.end()
            if length > depth:
                break
            name = probe[:length]
            curated_ids = self.curated_trie.get(name, None)
            alias_id = self.gazetteer.base_trie.get(name, None)
            if curated_ids is not None or alias_id is not None:
                out.append((length, curated_ids or (), -1 if alias_id is None else alias_id))
        return tuple(out)

    def _candidates(
        self, surface: str, key: str, curated_ids: list[int], alias_id: int, area_word: bool, common_ok: bool = False
    ) -> tuple[Entry, ...]:
        """Entries a name may stand for; ``area_word``: a word such as "state" or
        "district" follows, which lets a common word name a first-level area ("Chin State");
        ``common_ok``: "in Tame", mid-sentence, may name a place (checked against context later)."""
        areas_only = False
        if alias_id >= 0:
            letters = [c for c in surface if c.isalpha()]
            acronym = len(letters) <= self.accept["short_name_chars"] and all(c.isupper() for c in letters)
            if acronym and len(letters) > 1 or len(letters) <= 1:
                alias_id = -1
            elif key in self.stop:
                if area_word:
                    areas_only = True
                elif not common_ok or key in self.hard_stop:
                    alias_id = -1
        min_pop = 0
        if len(key) <= self.accept["tiny_name_chars"]:
            min_pop = self.accept["tiny_name_population"]
        elif len(key) <= self.accept["short_name_chars"]:
            min_pop = self.accept["short_name_population"]
        entries = self._entries(tuple(dict.fromkeys(curated_ids)), alias_id, min_pop)
        if areas_only:
            entries = tuple(e for e in entries if e.source != "geonames")
        return entries

    def _entries(self, curated_ids: tuple, alias_id: int, min_population: int) -> tuple[Entry, ...]:
        """``gazetteer.entries`` of a name (at most ``_MAX_BASE`` base entries), remembered:
        ``_candidates`` asks again for every cue a name may have."""
        entries = self._cache["entries"]
        memo = (curated_ids, alias_id, min_population)
        found = entries.get(memo)
        if found is None:
            found = entries[memo] = tuple(self.gazetteer.entries(curated_ids, alias_id, _MAX_BASE, min_population))
        return found

    def _hit(self, sentence: Sentence, folded: str, start: int, end: int, curated_ids, alias_id, memo: dict) -> _Hit | None:
        key = folded[start:end]
        text = sentence.text
        surface = text[start:end]
        possible = memo.get(surface)
        if possible is None:
            possible = self._may_name(surface, key, curated_ids, alias_id, memo)
        if not possible:
            return None  # no entries whatever the words around say
        if (text[end : end + 1] == "-" or text[start - 1 : start] == "-") and self._adjectival(text, folded, start, end):
            return None
        cues = self.cues
        segment = folded[max(0, start - 48) : start]
        previous = segment.rsplit(None, 1)[-1:]  # the word before the name, if any
        if previous and previous[0] in cues.before_ends:
            before = segment.split()
            phrases = _last_phrases(before, 4)  # the last word, the last two, ...
        else:
            before, phrases = previous, []  # no cue phrase ends with the last word
        vicinity = not cues.vicinity.isdisjoint(phrases)
        locative = not cues.locative.isdisjoint(phrases[:3])
        kind, kind_end = "", end
        kind_phrase = False
        for k in (3, 2, 1) if phrases and not cues.kind_before.keys().isdisjoint(phrases[:3]) else ():
            if len(phrases) >= k and phrases[k - 1] in cues.kind_before:
                kind = cues.kind_before[phrases[k - 1]]
                kind_phrase = True
                # "outside the town of X", "near the village of X": near X
                rest = before[:-k]
                if rest and rest[-1] == "the":
                    rest = rest[:-1]
                rest_phrases = _last_phrases(rest, 4)
                if not vicinity:
                    vicinity = not cues.vicinity.isdisjoint(rest_phrases)
                locative = locative or not cues.locative.isdisjoint(rest_phrases[:3])
                break
        after = _AFTER.match(folded, end) if folded[end : end + 1] == " " else None  # it starts with a space
        kind_word = False
        road = False
        speaker = False
        if after:
            first = after.group(1)
            words = [w for w in after.group(1, 2, 3) if w] if first in cues.after_starts else ()
            for k in (3, 2, 1) if words else ():
                phrase = " ".join(words[:k])
                if len(words) >= k and phrase in cues.kind_after:
                    kind_word = True
                    if words[k:k + 1] != ["of"]:  # "the Karabakh city of X" names X, not Karabakh
                        kind = cues.kind_after[phrase]
                        kind_end = after.end(k)
                        road = phrase in cues.road_words
                    break
            speaker = not kind_word and first in cues.speech_after
        kind_in_name = False
        if not kind_word:
            # the name itself may end in a kind word: "Lachin district", "Gaza Strip"
            last = key.rsplit(" ", 1)[-1] if " " in key else None
            if last in cues.kind_after:
                kind, kind_in_name = cues.kind_after[last], True
        area_word = kind_word and kind in ("region", "district")
        common_word = key in self.stop and not area_word
        common_strong = common_word and start > 0 and (kind_phrase or not cues.common_locatives.isdisjoint(phrases[:3]))
        # "spread to X": a weaker cue, believed only near the article's other places
        common_ok = common_strong or (common_word and start > 0 and (locative or vicinity))
        memo_key = (surface, area_word, common_ok)
        entries = memo.get(memo_key)
        if entries is None:
            entries = memo[memo_key] = self._candidates(surface, key, curated_ids, alias_id, area_word, common_ok)
        if not entries:
            return None
        if kind_end != end and all(e.feature == "country" for e in entries):
            kind, kind_end = "", end  # "US State Department"
        personal = bool(previous) and previous[0] in cues.titles
        if not personal and not kind_word and text[end : end + 1] == " ":  # the pattern starts with a space
            nxt = _NEXT_CAPITALISED.match(text, end, end + 40)
            personal = bool(nxt) and self._key(nxt.group(1)) not in self.stop
        tail = False
        if start and text[start - 1] in " \n":  # else there is no capitalised word right before
            prev = _capitalised_before(text, start)
            if prev and _has_text_before(text, start - len(prev) - 1):
                word = self._key(prev)
                tail = not (word in self.stop or word in cues.prefixes_ok or word in cues.titles)
        return _Hit(
            sentence, start, end, key, entries, vicinity, locative, kind, kind_end, personal, folded, tail, common_word,
            kind_in_name, False, common_strong, road, speaker, key in self.surnames,
        )

    def _may_name(self, surface: str, key: str, curated_ids, alias_id: int, memo: dict) -> bool:
        """Has the name entries with some words around it (``_candidates`` with each cue)?
        Remembered in ``memo`` under ``surface``."""
        possible = False
        for area_word in (False, True):
            for common_ok in (False, True):
                entries = memo.get((surface, area_word, common_ok))
                if entries is None:
                    entries = memo[(surface, area_word, common_ok)] = self._candidates(
                        surface, key, curated_ids, alias_id, area_word, common_ok
                    )
                possible = possible or bool(entries)
        memo[surface] = possible
        return possible

    def _key(self, word: str) -> str:
        """``fold.key(word)``, remembered (the same capitalised words come again and again)."""
        keys = self._cache["keys"]
        key = keys.get(word)
        if key is None:
            key = keys[word] = self.gazetteer.fold.key(word)
        return key

    def _trim(self) -> None:
        """Empty the memos kept across articles that grew past ``_MEMO_SIZE`` entries."""
        for memo in self._cache.values():
            if len(memo) >= _MEMO_SIZE:
                memo.clear()

    def _adjectival(self, text: str, folded: str, start: int, end: int) -> bool:
        """ "Moscow-backed", "pro-Kyiv": the name qualifies something else."""
        if text[end : end + 1] == "-":
            after = _WORD.match(folded, end + 1)
            if after and after.group(0) in self.cues.adjectival_after:
                return True
        if start > 1 and text[start - 1] == "-":
            before = folded[:start - 1].split()
            if before and before[-1] in self.cues.adjectival_before:
                return True
        return False

    # -- resolving ---------------------------------------------------------------------

    def _resolve(self, hits: list[_Hit]) -> tuple[Mention, ...]:
        static = self._static
        firsts = [self._ranked(hit)[0] for hit in hits]
        hits, firsts = self._contained(hits, firsts)
        # first choices credible without any context give the context for the others
        anchors = [(hit.key, entry) for hit, entry in zip(hits, firsts) if self._credible(hit, entry, _NONE, ())]
        article = self._article_countries(hits, firsts, anchors)
        distinct = list({(key, id(entry)): (key, entry) for key, entry in anchors}.values())
        mentions = []
        chosen: dict[tuple[str, str], tuple[Entry, set, list]] = {}
        for hit in hits:
            memo = chosen.get((hit.key, hit.kind))
            if memo is None:
                memo = self._choose(hit, distinct, static, article[0])
                chosen[(hit.key, hit.kind)] = memo
            best, countries, points = memo
            if self._credible(hit, best, countries, points, article) and not self._foreign(hit, best, article):
                mentions.append(self._mention(hit, best))
        return tuple(sorted(mentions, key=lambda m: (m.start, m.end)))

    def _static(self, hit: _Hit, entry: Entry) -> float:
        """The entry's score for the hit's name and kind word, without context (remembered:
        every mention of a name asks again, and articles name the same places)."""
        scores = self._cache["scores"]
        memo = (id(entry), hit.key, hit.kind)
        found = scores.get(memo)
        if found is None or found[0] is not entry:  # the entry is kept, so its id is not reused
            ranker = self.gazetteer.ranker
            own = self._key(entry.name) == hit.key
            score = ranker.static(entry, own) + ranker.kind(entry, self.cues.kind_features.get(hit.kind))
            found = scores[memo] = (entry, score)
        return found[1]

    def _ranked(self, hit: _Hit) -> tuple[Entry, ...]:
        """The hit's entries, best first by ``_static`` (ties in their order)."""
        ranked = self._cache["ranked"]
        memo = (id(hit.entries), hit.key, hit.kind)
        found = ranked.get(memo)
        if found is None or found[0] is not hit.entries:  # kept, so the id is not reused
            order = tuple(sorted(hit.entries, key=lambda e: self._static(hit, e), reverse=True))
            found = ranked[memo] = (hit.entries, order)
        return found[1]

    def _article_countries(self, hits: list[_Hit], firsts: list[Entry], anchors: list) -> tuple[str, frozenset]:
        """The article's dominant country (iso2, or "") and the countries it names outright
        (by name, by a nationality word, or by a place found by its "X, Country" phrasing).

        The dominant country is the one most of the credible places and nationality words
        point to, when it has at least half of them."""
        named: set[str] = set()
        votes: Counter = Counter()
        datelines = {hit.key for hit in hits if hit.dateline}
        for key, entry in anchors:
            if key not in datelines:  # a foreign bureau ("CAIRO (AP) -") says little of the story
                votes[entry.iso2] += 2 if entry.feature == "country" else 1
        for hit, entry in zip(hits, firsts):
            if entry.feature == "country":
                named.add(entry.iso2)
            elif hit.contained and entry.source == "countries":
                named.add(entry.iso2)
        if self.demonym_re is not None:
            seen_sentences = {id(h.sentence): h.sentence for h in hits}
            for sentence in seen_sentences.values():
                for word in self.demonym_re.findall(sentence.text):
                    iso2 = self.demonyms.get(word) or (word[-1] == "s" and self.demonyms.get(word[:-1]))
                    if iso2:
                        named.add(iso2)
                        votes[iso2] += 1
        dominant = ""
        if votes:
            iso2, count = votes.most_common(1)[0]
            if count >= 2 and count * 2 >= sum(votes.values()):
                dominant = iso2
        return dominant, frozenset(named)

    def _foreign(self, hit: _Hit, entry: Entry, article: tuple[str, frozenset]) -> bool:
        """A small GeoNames place (or a first-level area) of another country than the
        article's dominant one, whose own country the article never names: a namesake
        abroad ("Penza" for a Burkinabe village, Tanzania's Namanga in a Kenyan story)."""
        dominant, named = article
        if not dominant or entry.iso2 == dominant or entry.iso2 in named:
            return False
        if entry.source not in ("geonames", "admin1") or hit.contained:
            return False
        return entry.source == "admin1" or entry.population < self.accept["strong_population"] or hit.road

    def _contained(self, hits: list[_Hit], firsts: list[Entry]) -> tuple[list[_Hit], list[Entry]]:
        """"X, Y" and "X in (northern) Y", Y a country or first-level area: X must lie in Y.

        Y may be read as another area of its name to contain X ("Atlanta, Georgia": the US
        state, not the country); an X that lies in no reading of Y is dropped."""
        hits, firsts = list(hits), list(firsts)
        keep = [True] * len(hits)
        for i in range(len(hits) - 1):
            hit, nxt = hits[i], hits[i + 1]
            if nxt.sentence is not hit.sentence or firsts[i].feature == "country":
                continue
            if not _CONTAINED.match(hit.folded[hit.kind_end : nxt.start]):
                continue
            containers = [e for e in nxt.entries if e.feature in _CONTAINERS]
            if not containers:
                continue
            containers.sort(key=lambda e: e is not firsts[i + 1])
            for container in containers:
                inside = tuple(e for e in hit.entries if _inside(e, container))
                if inside:
                    hits[i] = hit._replace(entries=inside, contained=True)
                    firsts[i] = inside[0] if firsts[i] not in inside else firsts[i]
                    if container is not firsts[i + 1]:
                        hits[i + 1] = nxt._replace(entries=(container,), contained=True)
                        firsts[i + 1] = container
                    else:
                        hits[i + 1] = nxt._replace(contained=True)
                    break
            else:
                keep[i] = firsts[i + 1].feature not in _CONTAINERS
        return [h for h, k in zip(hits, keep) if k], [f for f, k in zip(firsts, keep) if k]

    def _choose(self, hit: _Hit, anchors: list, static, dominant: str = "") -> tuple[Entry, set, list]:
        """The best entry for a name given the article's other places (same for every
        mention of the name with the same kind word); ``anchors`` (name key, entry) may
        leave out repeats."""
        weights = self.gazetteer.ranker.weights
        countries, areas, points = _context(anchors, hit.key)
        ranked = self._ranked(hit)[:8]
        if len(ranked) == 1:
            return ranked[0], countries, points

        def score(entry: Entry) -> float:
            s = static(hit, entry)
            if entry.iso2 in countries:
                s += weights["country"]
            if dominant and entry.iso2 == dominant:
                s += weights.get("dominant_country", 0.0)
            if entry.feature not in ("admin1", "region", "country") and (entry.iso2, entry.admin1) in areas:
                s += weights["admin1"]
            if points:
                s += self.gazetteer.ranker.proximity(entry, points)
            return s

        return max(ranked, key=score), countries, points

    def _credible(self, hit: _Hit, entry: Entry, countries: set, points: list, article: tuple = ("", frozenset())) -> bool:
        if hit.kind == "natural" and hit.kind_end != hit.end and entry.feature not in self.cues.kind_features.get("natural", ()):
            return False  # "the X river", "the X forest": not the town or area X
        if entry.source in ("curated", "countries"):
            return True
        if hit.personal or hit.tail:
            return False
        cue = hit.locative or hit.vicinity or bool(hit.kind)
        if hit.surname and not cue:
            return False  # "Kennedy" alone is a person; "in Kennedy" may be the place
        if hit.speaker and not cue and entry.population < self.accept["speaker_population"]:
            return False  # "Suarez said": a person; "Moscow said": a capital speaking
        if hit.common_word:
            # the article's country: of its other places, or named ("Croatian police")
            if not ((entry.iso2 in countries or entry.iso2 in article[1]) and self._own_name(entry, hit.key)):
                return False
            if hit.common_strong:
                return True
            limit = float(self.accept["context_km"])
            return any(great_circle_km(entry.point, p) <= limit for p in points)
        if hit.contained:
            return True
        if (
            hit.kind_in_name
            and hit.kind in ("district", "region")
            and entry.feature not in self.cues.kind_features.get(hit.kind, ())
        ):
            # a town listed under a district's name is an urban district of some city:
            # only the one near the article's places
            limit = float(self.accept["kind_mismatch_km"])
            return any(great_circle_km(entry.point, p) <= limit for p in points)
        if entry.feature == "admin1":
            return bool(hit.kind) or hit.locative or hit.vicinity or entry.iso2 in countries
        if entry.iso2 in countries or (article[0] and entry.iso2 == article[0]):
            return True
        own_name = self._own_name(entry, hit.key)
        if not own_name:
            # an alternate (foreign, historical) name: in an article about other countries
            # it needs a nearby place of the article; alone, a locative word will do
            limit = float(self.accept["context_km"])
            if any(great_circle_km(entry.point, p) <= limit for p in points):
                return True
            return not countries and (hit.locative or hit.vicinity or bool(hit.kind))
        if entry.population >= self.accept["strong_population"]:
            return True
        if hit.locative or hit.vicinity or hit.kind:
            return True
        limit = float(self.accept["context_km"])
        return any(great_circle_km(entry.point, p) <= limit for p in points)

    def _own_name(self, entry: Entry, key: str) -> bool:
        """Is ``key`` the entry's main name, up to transliteration ("Khan Younis" for
        "Khān Yūnis", "Marib" for "Ma'rib"), rather than one of its alternate names?
        (Remembered per entry name and key.)"""
        own = self._cache["own"]
        found = own.get((entry.name, key))
        if found is None:
            name = self._key(entry.name)
            found = name == key or _LETTERS.sub("", name) == _LETTERS.sub("", key)
            found = found or fuzz.ratio(name, key) >= float(self.accept["own_name_similarity"])
            own[(entry.name, key)] = found
        return found

    def _mention(self, hit: _Hit, entry: Entry) -> Mention:
        if hit.kind_end != hit.end and entry.feature in _AREAS and entry.feature not in self.cues.kind_features.get(hit.kind, ()):
            # "a West Bank village", "took Darfur town": the name is an adjective here
            hit = hit._replace(kind="", kind_end=hit.end)
        precision = entry.default_precision()
        feature = entry.feature
        if hit.road and entry.feature not in ("corridor", "road"):
            # "the Namanga road": a road named after the town, coded near it at best
            feature, precision = "road", max(precision, 2)
        if precision == 1 and hit.vicinity:
            precision = 2
        if precision == 1 and hit.kind == "district":
            precision = 2
        if precision < 3 and hit.kind == "region":
            precision = 3
        start = hit.sentence.start + hit.start
        end = hit.sentence.start + hit.kind_end
        place = self._place(entry, feature, precision, hit.dateline)
        return Mention("place", hit.sentence.index, start, end, hit.sentence.text[hit.start : hit.kind_end], place)

    def _place(self, entry: Entry, feature: str, precision: int, dateline: bool) -> Place:
        """The entry as a mention's place (remembered: a place is named again and again;
        places are immutable, so mentions may share one)."""
        places = self._cache["places"]
        memo = (id(entry), feature, precision, dateline)
        found = places.get(memo)
        if found is not None and found[0] is entry:  # the entry is kept, so its id is not reused
            return found[1]
        place = Place(
            name=entry.name,
            latitude=float(entry.latitude),
            longitude=float(entry.longitude),
            feature=feature,
            country=entry.country,
            iso3=entry.iso3,
            admin1=entry.admin1,
            admin2=entry.admin2,
            geo_precision=precision,
            # a dateline is context, not the event's place: marked for the assembler
            source=entry.table + ("|dateline" if dateline else ""),
            population=int(entry.population),
        )
        places[memo] = (entry, place)
        return place


def _demonyms(gazetteer: Gazetteer) -> dict:
    """Nationality adjectives ("Kenyan", "Burkinabe") -> iso2, from ``etl/vocab/demonyms.csv``."""
    path = vocab_dir() / "demonyms.csv"
    out: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                country = gazetteer.country(row.get("iso3") or "")
                if country is None:
                    continue
                for word in (row.get("adjectives") or "").split(";"):
                    word = word.strip()
                    if len(word) >= 4 and word[:1].isupper():
                        out.setdefault(word, country.iso2)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc})") from exc
    return out


# A dateline opening one of an article's first sentences: "KYIV, March 3 (Reuters) -",
# "Ouagadougou (AFP) —", "RAMALLAH —". A mixed-case name needs the agency in brackets.
_DATELINE = re.compile(
    r"^[\s\"“]*(?P<name>[A-Z][\w.'’ -]{0,40}?)(?:,\s*[\w .]{0,30}?)?\s*(?P<agency>\([^)]{1,40}\))?\.?\s*[-–—:]+\s"
)
_DATELINE_SENTENCES = 3

_CONTAINERS = ("country", "admin1", "region")
_AREAS = ("country", "admin1", "region", "district")
_CONTAINED = re.compile(
    r"^\s*(?:,\s*(?:in\s+)?|in\s+)(?:the\s+)?(?:(?:north|south|east|west|central|northern|southern|eastern|western)"
    r"(?:\s*(?:east|west|eastern|western))?\s+)?$"
)


def _inside(entry: Entry, container: Entry) -> bool:
    if entry.iso2 != container.iso2 or entry is container:
        return False
    if container.feature == "country":
        return True
    if entry.feature in ("admin1", "country"):
        return False
    # a curated region (Nagorno-Karabakh, Darfur) may span several first-level areas
    return container.feature == "region" or entry.admin1 == container.admin1


def _context(anchors: list, key: str) -> tuple[set, set, list]:
    """The countries, first-level areas ((iso2, admin1)) and points (at most ``_MAX_POINTS``)
    of the article's anchors other than those of the name ``key``."""
    countries: set = set()
    areas: set = set()
    points: dict = {}  # in order of first mention
    for name, entry in anchors:
        if name != key:
            countries.add(entry.iso2)
            feature = entry.feature
            if feature != "country":
                points[entry.point] = None
                if (feature == "admin1" or feature == "region") and entry.admin1:
                    areas.add((entry.iso2, entry.admin1))
    return countries, areas, list(points)[:_MAX_POINTS]


def _last_phrases(words: list[str], most: int) -> list[str]:
    """``[" ".join(words[-1:]), " ".join(words[-2:]), ...]``, at most ``most`` of them."""
    phrases: list[str] = []
    phrase = ""
    for word in reversed(words[-most:]):
        phrase = f"{word} {phrase}" if phrase else word
        phrases.append(phrase)
    return phrases


def _capitalised_before(text: str, start: int) -> str:
    """The capitalised word right before ``start`` and one space, within 40 characters:
    ``re.search(r"(?:^|[^\\w'])([A-Z][\\w']*) $", text[max(0, start - 40) : start]).group(1)``
    ("" when none), read backwards from ``start`` rather than searched for from the left."""
    backwards = text[max(0, start - 40) : start][::-1]
    run = _RUN_BACKWARDS.match(backwards)
    if run is None:
        return ""
    word = run.group(1)
    return word[::-1] if word and "A" <= word[-1] <= "Z" else ""


def _has_text_before(text: str, offset: int) -> bool:
    """``bool(text[:offset].strip())``: something other than white space before ``offset``."""
    if offset <= 0:
        return False
    return not text[offset - 1].isspace() or not text[:offset].isspace()


# A-Z, or a character that may be a capital: not ASCII, Latin-1 punctuation or general punctuation
_COARSE_CAPITAL = "A-Z\xc0-\u1fff\u2070-\U0010ffff"  # the inside of a character class


def _is_word_char(ch: str) -> bool:
    """Does ``re``'s ``\\w`` match this one character?"""
    return ch.isalnum() or ch == "_"


@dataclass(frozen=True)
class _NameStarts:
    """Where a name may start in a sentence: a word of the folded text whose first letter
    is a capital in the text, or a lower-case particle ("al-Fashir", "as-Suwayda") right
    before a capitalised word, unless it follows a capitalised word ("Tahrir al-Sham").

    The capitals are found by one regular expression over the text, made from the fold
    table: the few characters that fold from a word character to another ("ʼ" -> "'")
    are accounted for, so the words are those of the folded text. The expression takes
    any letter beyond ASCII (a class of every capital would be slow); those are checked
    against ``wide``."""

    capitals: re.Pattern  # on the text: A-Z or a wide character, at a word start of the folded text
    wide: frozenset  # the capitals beyond ASCII that are word characters once folded
    particles: re.Pattern | None  # on the folded text reversed: the particle before a capital start

    @classmethod
    def build(cls, table: dict, particles: frozenset) -> "_NameStarts":
        def fold(ch: str) -> str:
            return table.get(ord(ch), ch)

        capitals = [ch for ch in map(chr, range(0x110000)) if ch.isupper() and _is_word_char(fold(ch))]
        coarse = _COARSE_CAPITAL
        missed = [ch for ch in capitals if not re.fullmatch(f"[{coarse}]", ch)]
        if missed:  # not so in Unicode 15; kept exact should a later Unicode add one
            coarse += "".join(map(re.escape, missed))
        # characters whose word-ness folding changes: word -> not word, not word -> word
        unworded = "".join(re.escape(chr(cp)) for cp in table if _is_word_char(chr(cp)) and not _is_word_char(fold(chr(cp))))
        worded = "".join(re.escape(chr(cp)) for cp in table if not _is_word_char(chr(cp)) and _is_word_char(fold(chr(cp))))
        # after the capital, the two characters behind: the one before the capital must not
        # be a word character once folded
        no_word_before = rf"(?<![^\W{unworded}].)" + (rf"(?<![{worded}].)" if worded else "")
        words = sorted((p for p in particles if re.fullmatch(r"\w+", p)), key=lambda p: (-len(p), p))
        # read backwards from a capital start: white space or punctuation, a particle word,
        # and the word before it when one character separates them
        backwards = "|".join(re.escape(p[::-1]) for p in words)
        particle_re = re.compile(rf"\W+({backwards})(?!\w)(?:\W(\w+))?") if words else None
        wide = frozenset(ch for ch in capitals if ch >= "\x80")
        return cls(re.compile(f"[{coarse}]{no_word_before}"), wide, particle_re)

    def __call__(self, text: str, folded: str) -> list[int]:
        """The offsets, in order."""
        starts = [m.start() for m in self.capitals.finditer(text)]
        if not text.isascii():
            wide = self.wide
            starts = [i for i in starts if text[i] < "\x80" or text[i] in wide]
        if self.particles is None or not starts:
            return starts
        extra = []
        backwards, size = folded[::-1], len(folded)
        for start in starts:
            if start:
                found = self.particles.match(backwards, size - start)
                if found is not None:
                    particle = size - found.end(1)
                    before = found.end(2)  # the word right before the particle, if any
                    if not text[particle].isupper() and (before < 0 or not text[size - before].isupper()):
                        extra.append(particle)
        return sorted(starts + extra) if extra else starts

"""Who published an article, the ACLED ``source_scale`` of a set of publishers, and which
articles are copies of others.

``Publishers`` is built once from ``etl/vocab/publishers.yaml``:

* ``publisher(article, signoff)`` -- the manifest's publisher (``Article.publisher``), else
  the article's trailing sign-off line (when it names a known outlet, or looks like a
  name), else the strongest in-text attribution of a known outlet: a dateline
  "(Reuters) -", a copyright line, "..., reporting Daily Sabah", "according to AFP".
  Known outlets come back under the name ACLED writes (aliases resolved).
* ``scale(publishers, country=None)`` -- ACLED's ``source_scale``: the distinct scales of
  the sources joined with "-" in ACLED's order ("Other-National", "National-International").
  ACLED writes at most two; with three or more the two most frequent are kept (ties: the
  narrower scale). Given the event's country, a national outlet of another country counts
  as Regional (same neighbourhood) or International.

``find_duplicates`` finds copies by content: Jaccard similarity of word 5-gram shingles,
estimated with MinHash signatures (fixed seeds, so deterministic) and LSH banding; a text
inside a longer one (a wire story with a paragraph added) counts too. Only signatures are
kept in memory, never texts: ``fingerprint(text)`` makes one (~1 KB, picklable, so
extraction workers can make it where the text is read) and ``duplicates_of`` groups them.
"""
from __future__ import annotations

import array
import contextlib
import hashlib
import os
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import numpy as np

from .errors import DataFileError
from .memo import BoundedMemo
from .patterns import automaton
from .records import Article, pickled_as_fields
from .vocab import load

# ---------------------------------------------------------------------------------------
# Publishers


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    scale: str
    country: str | None = None


@dataclass(frozen=True)
class Publishers:
    outlets: tuple[Outlet, ...]
    scales: tuple[str, ...]  # ACLED's order, narrowest first
    unknown_scale: str
    dominant_scales: tuple[str, ...]
    neighbourhoods: tuple[frozenset[str], ...]
    by_alias: Mapping[str, Outlet]  # casefolded name or alias -> outlet
    institution: re.Pattern[str]
    signoff_shape: re.Pattern[str]
    # What ``attributed`` needs to match only the outlets a text names: the patterns with
    # "{outlet}" unfilled, and pyahocorasick automata of the names and aliases -> the
    # names written so: ``outlet_finder`` of the lower-cased ones (whitespace runs as one
    # space), ``verbatim_finder`` of the ASCII ones that only match as written and hold no
    # white space (AP, Dawn: found as written, not as "ap" in "rapid").
    attribution_specs: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    outlet_finder: object = field(default=None, compare=False, repr=False)
    verbatim_finder: object = field(default=None, compare=False, repr=False)
    # Per attribution pattern, words (ASCII letters, lower-cased) every match of it holds:
    # a pattern is not run on a text without them.
    attribution_words: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)
    # The attribution patterns compiled for a set of outlets, by that set (texts name few
    # sets; compiling is the costly part, and ``re``'s own cache is shared and small).
    _compiled: BoundedMemo = field(default_factory=lambda: BoundedMemo(_MAX_COMPILED), compare=False, repr=False)

    @classmethod
    def load(cls, folder: Path | None = None) -> "Publishers":
        data = load("publishers", folder)
        where = "etl/vocab/publishers.yaml"
        try:
            scales = tuple(data["scales"])
            outlets = tuple(
                Outlet(
                    name=str(o["name"]),
                    aliases=tuple(str(a) for a in o.get("aliases") or ()),
                    scale=str(o["scale"]),
                    country=o.get("country"),
                )
                for o in data["outlets"]
            )
            attribution_specs = [(str(a["kind"]), str(a["pattern"])) for a in data["attribution"]]
            neighbourhoods = tuple(frozenset(v) for v in (data.get("neighbourhoods") or {}).values())
            institution_words = list(data.get("institution_words") or ())
            unknown_scale = str(data.get("unknown_scale", "Other"))
            dominant = tuple(data.get("dominant_scales") or ())
        except (KeyError, TypeError) as exc:
            raise DataFileError(f"{where}: missing or malformed entry: {exc}") from exc
        by_alias: dict[str, Outlet] = {}
        for outlet in outlets:
            for part in _scale_parts(outlet.scale):
                if part not in scales:
                    raise DataFileError(f"{where}: outlet {outlet.name!r}: unknown scale {outlet.scale!r}")
            for alias in (outlet.name, *outlet.aliases):
                key = alias.casefold()
                if key in by_alias and by_alias[key] != outlet:
                    raise DataFileError(f"{where}: alias {alias!r} names two outlets")
                by_alias[key] = outlet
        # Longest names first, so "Sputnik Armenia" wins over "Sputnik".
        names = sorted({a for o in outlets for a in (o.name, *o.aliases)}, key=lambda s: (-len(s), s))
        for kind, pattern in attribution_specs:
            _check_attribution(kind, pattern, names, where)
        written: dict[str, list[str]] = defaultdict(list)
        verbatim: dict[str, list[str]] = defaultdict(list)
        for name in names:
            if _as_written(name) and name.isascii() and not any(ch.isspace() for ch in name):
                verbatim[name].append(name)
            else:
                written[" ".join(name.lower().split())].append(name)
        institution = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in institution_words) + r")\b") if institution_words else re.compile(r"(?!)")
        return cls(
            outlets=outlets,
            scales=scales,
            unknown_scale=unknown_scale,
            dominant_scales=dominant,
            neighbourhoods=neighbourhoods,
            by_alias=by_alias,
            institution=institution,
            attribution_specs=tuple(attribution_specs),
            outlet_finder=automaton((key, tuple(spelled)) for key, spelled in written.items()),
            verbatim_finder=automaton((key, tuple(spelled)) for key, spelled in verbatim.items()),
            attribution_words=tuple(_required_words(pattern.replace("{outlet}", "(?P<outlet>)"), re.I)
                                    for _kind, pattern in attribution_specs),
            # A sign-off that is a name: a few capitalised words, no sentence inside.
            signoff_shape=re.compile(r"^[A-Z0-9][\w.&'’+/() -]{0,58}[\w.)+]$"),
        )

    @cached_property
    def attribution(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(kind, pattern) strongest first, with the alternation of every outlet for
        "{outlet}": compiled when first asked (~0.1 s), as ``attributed`` needs only the
        patterns of the outlets a text names."""
        return self._compile(frozenset(a for o in self.outlets for a in (o.name, *o.aliases)))

    # -- publisher of an article ---------------------------------------------------------

    def canonical(self, name: str) -> str:
        """ACLED's name for a publisher name or alias; unknown names come back trimmed."""
        clean = " ".join(name.split())
        outlet = self.by_alias.get(clean.casefold())
        return outlet.name if outlet else clean

    def known(self, name: str) -> bool:
        return " ".join(name.split()).casefold() in self.by_alias

    def publisher(self, article: Article, signoff: str | None = None) -> str | None:
        if article.publisher and article.publisher.strip():
            return self.canonical(article.publisher)
        if signoff and signoff.strip():
            line = " ".join(signoff.split()).strip(" -–—|")
            if self.known(line):
                return self.canonical(line)
            found = self.attributed(line)
            if found:
                return found
            if self.signoff_shape.match(line) and len(line.split()) <= 6:
                return line
        return self.attributed(article.text)

    def attributed(self, text: str) -> str | None:
        """The outlet named by the strongest attribution in ``text`` (earliest on ties).

        Two automaton passes find the outlets the text names at all (most texts: none);
        the attribution patterns are then matched with only those outlets (compiled once
        per set of outlets), never with the alternation of every outlet."""
        if not text:
            return None
        if self.outlet_finder is None:
            patterns = self.attribution
        else:
            lowered = " ".join(text.lower().split())
            present = _found(self.outlet_finder, lowered) | _found(self.verbatim_finder, text)
            if not present:
                return None
            patterns = self._patterns_for(present)
            patterns = self._possible(patterns, text, lowered)
        for _kind, pattern in patterns:
            for match in pattern.finditer(text):
                name = match.group("outlet")
                if _case_ok(name, text[match.start("outlet"):match.end("outlet")]):
                    return self.canonical(name)
        return None

    def _possible(self, patterns: tuple, text: str, lowered: str) -> tuple:
        """The patterns whose ``attribution_words`` ``lowered`` (the lower-cased text) holds:
        the others cannot match. Only sure when no other character of the text matches an
        ASCII letter ignoring case (as the Kelvin sign K does k): else all of them."""
        if len(self.attribution_words) != len(patterns) or _ASCII_LETTER.search("".join(set(_NON_ASCII.findall(text)))):
            return patterns
        return tuple(p for p, words in zip(patterns, self.attribution_words) if all(w in lowered for w in words))

    def _patterns_for(self, outlets: frozenset[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """The attribution patterns with only ``outlets`` for "{outlet}" (longest first)."""
        return self._compiled.get_or_make(outlets, self._compile)

    def _compile(self, outlets: frozenset[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        alt = "|".join(_alias_regex(n) for n in sorted(outlets, key=lambda s: (-len(s), s)))
        return tuple(
            (kind, re.compile(pattern.replace("{outlet}", f"(?P<outlet>{alt})"), re.I))
            for kind, pattern in self.attribution_specs
        )

    # -- source scale ---------------------------------------------------------------------

    def scale_of(self, publisher: str, country: str | None = None) -> str:
        outlet = self.by_alias.get(" ".join(publisher.split()).casefold())
        if outlet is None:
            return "Other" if self.institution.search(publisher) else self.unknown_scale
        if country and outlet.country and outlet.country != country and outlet.scale in ("National", "Subnational"):
            near = any(outlet.country in hood and country in hood for hood in self.neighbourhoods)
            return "Regional" if near else "International"
        return outlet.scale

    def scale(self, publishers: Iterable[str], country: str | None = None) -> str:
        each = [self.scale_of(p, country) for p in publishers if p and p.strip()]
        if not each:
            return ""
        for dominant in self.dominant_scales:
            if dominant in each:
                return dominant
        counts = Counter(part for s in each for part in _scale_parts(s))
        rank = {s: i for i, s in enumerate(self.scales)}
        kept = sorted(counts, key=lambda s: (-counts[s], rank.get(s, len(rank)), s))[:2]
        return "-".join(sorted(kept, key=lambda s: (rank.get(s, len(rank)), s)))


# Outlet sets whose compiled attribution patterns a Publishers keeps (then it starts over).
_MAX_COMPILED = 2048


def _scale_parts(scale: str) -> list[str]:
    # "Local partner-New media" is two scales; no single scale contains "-".
    return scale.split("-")


def _alias_regex(name: str) -> str:
    """Short names and all-capital acronyms only match as written (AP, Dawn, Trend)."""
    body = re.escape(name).replace(r"\ ", r"\s+")
    if _as_written(name):
        return f"(?-i:{body})"
    return body


def _check_attribution(kind: str, pattern: str, names: list[str], where: str) -> None:
    """Raise DataFileError unless ``pattern`` compiles with the outlets ``names`` (longest
    first) for "{outlet}". Compiled with the longest and the shortest name (a group of
    varying width, as the whole alternation is), not the costly alternation of all; that
    one is compiled only to report an error in the words ``re`` gives for it."""
    if "{outlet}" not in pattern:
        raise DataFileError(f"{where}: attribution {kind!r} has no {{outlet}}")
    sample = "|".join(_alias_regex(n) for n in dict.fromkeys(names[:1] + names[-1:]))
    try:
        re.compile(pattern.replace("{outlet}", f"(?P<outlet>{sample})"), re.I)
    except re.error:
        outlet_alt = "|".join(_alias_regex(n) for n in names)
        try:
            re.compile(pattern.replace("{outlet}", f"(?P<outlet>{outlet_alt})"), re.I)
        except re.error as exc:
            raise DataFileError(f"{where}: attribution {kind!r}: {exc}") from exc


def _as_written(name: str) -> bool:
    return len(name) <= 5 or name.isupper()


def _required_words(pattern: str, flags: int) -> tuple[str, ...]:
    """Runs of ASCII letters (lower-cased, two or more) that every match of ``pattern``
    holds: its literal characters outside anything optional, repeated or alternative
    (read from ``re``'s own parse of it; none when that cannot be read)."""
    try:
        from re import _constants, _parser

        items = _parser.parse(pattern, flags).data
    except Exception:  # another Python's re: no words, every pattern is run
        return ()
    words: list[str] = []

    def walk(items) -> None:
        run: list[str] = []
        for op, av in items:
            if op is _constants.LITERAL and av < 128 and chr(av).isalpha():
                run.append(chr(av).lower())
                continue
            if len(run) > 1:
                words.append("".join(run))
            run = []
            if op is _constants.SUBPATTERN:  # a group: matched whole, once
                walk(av[-1].data)
        if len(run) > 1:
            words.append("".join(run))

    walk(items)
    return tuple(words)


def _found(finder: object, text: str) -> frozenset[str]:
    """The names whose keys ``finder`` (``patterns.automaton``) finds in ``text``."""
    if finder is None or not len(finder):
        return frozenset()
    return frozenset(n for _end, spelled in finder.iter(text) for n in spelled)


def _case_ok(name: str, seen: str) -> bool:
    return name == seen if _as_written(name) else True


# ---------------------------------------------------------------------------------------
# Duplicate articles

_WORD = re.compile(r"\w+", re.UNICODE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTER = re.compile(r"[a-z]", re.I)  # also finds the other characters that match one so
# bytes.translate table: ASCII word characters lower-cased, other ASCII -> space, the
# bytes of non-ASCII characters kept.
_ASCII_WORDS = bytes(b if b >= 128 or chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256)).lower()


@dataclass(frozen=True)
class DuplicateRules:
    shingle: int = 5  # words per shingle
    permutations: int = 128
    # LSH: 32 bands of 4 rows. A pair of Jaccard J becomes a candidate with probability
    # 1 - (1 - J**4)**32 (the S-curve; threshold (1/32)**(1/4) ~ 0.42):
    #   J     0.05    0.1    0.2   0.3   0.4   0.5   0.6    0.7     0.8
    #   P   0.0002  0.003  0.05  0.23  0.56  0.87  0.988  0.9998  1.0
    # so articles that share a few sentences (J < 0.15) almost never collide, near-copies
    # (J >= 0.6) nearly always do, and a text inside one twice its length (J ~ 0.5, the
    # containment rule) mostly does. (64 x 2 made J = 0.1 pairs candidates half the time,
    # and the candidates grew with pairs; 16 x 8 would find J = 0.6 only a quarter of the time.)
    bands: int = 32
    max_bucket: int = 200  # a band value shared by more distinct texts is boilerplate: skipped
    jaccard: float = 0.6  # near-copy: estimated Jaccard at least this ...
    containment: float = 0.85  # ... or the smaller text this much inside the larger
    min_shingles: int = 40  # containment only counts for texts at least this long

    @cached_property
    def permutation_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """The MinHash permutations h -> a * h + b as columns (a, b), a odd; made once."""
        seeds = _permutation_seeds(2 * self.permutations)
        multipliers = (seeds[:self.permutations] | np.uint64(1))[:, None]
        offsets = seeds[self.permutations:, None]
        multipliers.flags.writeable = offsets.flags.writeable = False
        return multipliers, offsets


@pickled_as_fields
@dataclass(frozen=True, slots=True)
class TextFingerprint:
    """What duplicate detection keeps of a text: ~1 KB, picklable, no words."""

    exact: bytes  # sha256 of the casefolded word sequence
    size: int  # number of distinct shingles
    minhash: bytes  # the MinHash signature, uint64 little-endian


def fingerprint(text: str, rules: DuplicateRules = DuplicateRules()) -> TextFingerprint | None:
    """The fingerprint of one text (None when it has no words: never a duplicate)."""
    words = _folded_words(text or "")
    if not words:
        return None
    joined = b" ".join(words)
    hashes = _shingle_hashes(words, _char_lengths(joined, len(words)), rules.shingle)
    return TextFingerprint(
        exact=hashlib.sha256(joined).digest(),
        size=len(hashes),
        minhash=_minhash(hashes, *rules.permutation_columns).astype("<u8").tobytes(),
    )


def _folded_words(text: str) -> list[bytes]:
    """The casefolded words (``\\w+``) of ``text``, UTF-8 encoded.

    Fast way, the same words: ASCII is folded and split at C speed on the UTF-8 bytes
    (``_ASCII_WORDS``), the few non-ASCII characters are looked at one by one:
    separators become spaces, and letters that casefolding changes fold with the whole
    text, which is only done when it keeps every character one character and each one on
    its side of the word boundary; otherwise the plain way, word by word."""
    present = set(_NON_ASCII.findall(text))
    separators = [ch for ch in present if _WORD.match(ch) is None]
    if any(ch.casefold() != ch for ch in present if _WORD.match(ch) is not None):
        folded = text.casefold()
        if len(folded) != len(text) or any((_WORD.match(ch) is None) != (_WORD.match(ch.casefold()) is None) for ch in present):
            return _folded_words_plainly(text)
        text, separators = folded, [ch.casefold() for ch in separators]
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _folded_words_plainly(text)
    for separator in separators:
        if not separator.isascii():
            data = data.replace(separator.encode("utf-8"), b" ")
    return data.translate(_ASCII_WORDS).split()


def _folded_words_plainly(text: str) -> list[bytes]:
    return [w.casefold().encode("utf-8") for w in _WORD.findall(text)]


def _char_lengths(joined: bytes, count: int) -> np.ndarray:
    """The length in characters of each of the ``count`` space-separated UTF-8 words of
    ``joined`` (characters: the bytes that are not UTF-8 continuation bytes; no word
    holds a space, as no word character casefolds to one)."""
    raw = np.frombuffer(joined, dtype=np.uint8)
    spaces = np.flatnonzero(raw == 32)
    starts = np.empty(count, dtype=np.intp)
    starts[0] = 0
    starts[1:] = spaces + 1
    ends = np.empty(count, dtype=np.intp)
    ends[:-1] = spaces
    ends[-1] = len(raw)
    if joined.isascii():
        return (ends - starts).astype(np.uint64)
    chars = np.zeros(len(raw) + 1, dtype=np.intp)
    np.cumsum((raw & 0xC0) != 0x80, out=chars[1:])
    return (chars[ends] - chars[starts]).astype(np.uint64)


def _minhash(hashes: np.ndarray, multipliers: np.ndarray, offsets: np.ndarray, rows: int = 32) -> np.ndarray:
    """The MinHash signature: one seeded permutation of the (already well mixed) shingle
    hashes per row, h -> a * h + b mod 2**64 with a odd (a bijection); the minimum of each
    is the MinHash. Computed a few rows at a time, so the work stays in the CPU cache."""
    signature = np.empty(len(multipliers), dtype=np.uint64)
    for lo in range(0, len(multipliers), rows):
        block = np.multiply(multipliers[lo:lo + rows], hashes[None, :])
        block += offsets[lo:lo + rows]
        block.min(axis=1, out=signature[lo:lo + rows])
    return signature


def find_duplicates(articles: Iterable[tuple[str, str]], rules: DuplicateRules = DuplicateRules()) -> dict[str, str]:
    """Duplicate key -> original key for (key, text) pairs, by content.

    Exact copies (same words) and near-copies (a wire story republished with a sentence
    changed or a paragraph added) are grouped; in each group the first key in sorted order
    is the original. Texts are read once and dropped: only a ``fingerprint`` (a 128-number
    MinHash signature, the shingle count and an exact-content hash) is kept per article.
    Articles with no words are never duplicates. The result does not depend on the input
    order.
    """
    return duplicates_of(((key, fingerprint(text, rules)) for key, text in articles), rules)


def duplicates_of(
    fingerprints: Iterable[tuple[str, TextFingerprint | None]], rules: DuplicateRules = DuplicateRules()
) -> dict[str, str]:
    """``find_duplicates`` from fingerprints made earlier (e.g. by extraction workers),
    held in memory; ``PrintFile`` keeps them on disk instead."""
    prints = PrintSet(rules)
    for key, print_ in fingerprints:
        prints.add(key, print_)
    return prints.duplicates()


EXACT_BYTES = 32  # a fingerprint's content hash: sha256
BANDS_PER_PASS = 8  # LSH bands whose values one pass over the signatures makes (memory: 8 bytes each per text)


class PrintSet:
    """Fingerprints to find copies among, added one at a time (None: a text with no words,
    never a copy), their signatures kept in memory; ``duplicates()`` groups them."""

    def __init__(self, rules: DuplicateRules = DuplicateRules()):
        self.rules = rules
        self.keys: list[str] = []
        self._exact = bytearray()  # each text's 32-byte content hash
        self._sizes = array.array("q")  # each text's shingle count
        self._signatures: list[bytes] = []
        self._short = bytearray()  # each signature's numbers cut to their low 16 bits

    def add(self, key: str, print_: TextFingerprint | None) -> None:
        if print_ is None:
            return
        if len(print_.minhash) != self.rules.permutations * 8:
            raise ValueError("find_duplicates: fingerprints made with other rules")
        if len(print_.exact) != EXACT_BYTES:
            raise ValueError("find_duplicates: fingerprint with a malformed content hash")
        self.keys.append(key)
        self._exact += print_.exact
        self._sizes.append(print_.size)
        self._keep(print_.minhash)
        self._short += np.frombuffer(print_.minhash, dtype="<u8").astype("<u2").tobytes()

    def _keep(self, minhash: bytes) -> None:
        self._signatures.append(minhash)

    def signatures(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of the fingerprints at ``rows`` (positions in the order added)."""
        return np.frombuffer(b"".join(self._signatures[i] for i in rows.tolist()), dtype="<u8").reshape(len(rows), -1)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Callable[[np.ndarray], np.ndarray]]:
        """``signatures``, for the many reads of one grouping."""
        yield self.signatures

    def blocks(self, size: int = 8192) -> Iterable[np.ndarray]:
        """Every signature in the order added, ``size`` rows at a time."""
        for start in range(0, len(self.keys), size):
            yield self.signatures(np.arange(start, min(start + size, len(self.keys))))

    def close(self) -> None:
        """Release the fingerprints (the set is empty afterwards)."""
        self.keys, self._exact, self._sizes, self._signatures, self._short = [], bytearray(), array.array("q"), [], bytearray()

    def duplicates(self) -> dict[str, str]:
        """Duplicate key -> original key (see ``find_duplicates``).

        Memory: the keys, exact hashes and sizes, one 8-byte value per band per text, and
        the signatures of one block or of the candidate pairs of one band at a time.
        """
        rules = self.rules
        keys = self.keys
        if not keys:
            return {}
        names = np.array(keys)  # code-point order, as Python compares str
        order = np.argsort(names, kind="stable")  # rank -> position
        repeated = np.flatnonzero(names[order[1:]] == names[order[:-1]])
        if len(repeated):
            raise ValueError(f"find_duplicates: key {keys[order[repeated[0]]]!r} given twice")
        del names
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.arange(len(keys))
        parent = np.arange(len(keys), dtype=np.int64)  # over ranks: the first key in sorted order is the original

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = int(parent[i])
            return i

        def union(x: int, y: int) -> None:
            rx, ry = find(x), find(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)

        # Exact copies: grouped by their content hash; each joins the first (by rank) of its
        # group, and only that first one takes part in LSH.
        exact = np.frombuffer(self._exact, dtype=f"S{EXACT_BYTES}")  # equal as bytes iff equal here (fixed length)
        by_hash = np.lexsort((rank, exact))  # positions, by hash then rank
        first = np.r_[True, exact[by_hash[1:]] != exact[by_hash[:-1]]]
        head_of = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))  # index of each one's group start
        parent[rank[by_hash]] = rank[by_hash[head_of]]
        heads = np.sort(rank[by_hash[first]])
        del exact, by_hash, first, head_of
        at = order[heads]  # each head's position
        size = np.asarray(self._sizes, dtype=np.float64)[at]
        # Candidates are checked on the signatures cut to 16 bits first: two equal numbers
        # stay equal when cut, so the estimate cut can only be higher and never turns a
        # near-copy down; the few pairs it passes are checked on the whole signatures.
        short = np.frombuffer(self._short, dtype="<u2").reshape(len(keys), rules.permutations)
        with self._reading() as signatures:
            for band in range(rules.bands):
                if band % BANDS_PER_PASS == 0:  # the band values of the next few bands, heads only
                    values = self._band_values(range(band, min(band + BANDS_PER_PASS, rules.bands)))[at]
                for a, b in _bucket_pairs(values[:, band % BANDS_PER_PASS], rules.max_bucket):
                    maybe = np.flatnonzero(_near_copies(short[at[a]], short[at[b]], size[a], size[b], rules))
                    if not len(maybe):
                        continue
                    a, b = a[maybe], b[maybe]
                    near = _near_copies(signatures(at[a]), signatures(at[b]), size[a], size[b], rules)
                    for x, y in zip(heads[a[near]].tolist(), heads[b[near]].tolist()):
                        union(x, y)
        roots = np.fromiter((find(i) for i in range(len(keys))), dtype=np.int64, count=len(keys))
        return {keys[order[i]]: keys[order[root]] for i, root in enumerate(roots.tolist()) if root != i}

    def _band_values(self, bands: range) -> np.ndarray:
        """One hash per band of ``bands`` (a seeded mix of its rows) for every fingerprint,
        by position: a pass over the signatures holds a few bands' values, not all."""
        width = self.rules.permutations // self.rules.bands
        weights = _permutation_seeds(width)
        values = np.empty((len(self.keys), len(bands)), dtype=np.uint64)
        start = 0
        for block in self.blocks():
            by_band = block.reshape(len(block), self.rules.bands, width)[:, bands.start:bands.stop]  # band b: columns b*width ..
            value = np.zeros((len(block), len(bands)), dtype=np.uint64)
            for r in range(width):
                value = _mix(value ^ (by_band[:, :, r] + weights[r]))
            values[start:start + len(block)] = value
            start += len(block)
        return values


class PrintFile(PrintSet):
    """A ``PrintSet`` whose signatures (1 KB each) wait in a file (``path``, created anew),
    not in memory: what a build of many articles keeps for finding copies."""

    def __init__(self, path: Path, rules: DuplicateRules = DuplicateRules()):
        super().__init__(rules)
        self.path = Path(path)
        self._handle = self.path.open("wb")

    def _keep(self, minhash: bytes) -> None:
        self._handle.write(minhash)

    def signatures(self, rows: np.ndarray) -> np.ndarray:
        with self._reading() as signatures:
            return signatures(rows)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Callable[[np.ndarray], np.ndarray]]:
        """The file open for the reads of one grouping: few rows (the pairs that pass the
        check on the cut signatures), each read on its own. Not mapped: the pages a map
        touches count in the process's memory, and the pairs touch most of the file."""
        self._handle.flush()
        width = self.rules.permutations * 8
        with self.path.open("rb", buffering=0) as handle:
            fd = handle.fileno()

            def read(rows: np.ndarray) -> np.ndarray:
                data = b"".join(os.pread(fd, width, row * width) for row in rows.tolist())
                return np.frombuffer(data, dtype="<u8").reshape(len(rows), self.rules.permutations)

            yield read

    def blocks(self, size: int = 8192) -> Iterable[np.ndarray]:
        self._handle.flush()
        width = self.rules.permutations
        with self.path.open("rb") as handle:
            for start in range(0, len(self.keys), size):
                yield np.fromfile(handle, dtype="<u8", count=min(size, len(self.keys) - start) * width).reshape(-1, width)

    def close(self) -> None:
        self._handle.close()
        super().close()


def _bucket_pairs(value: np.ndarray, max_bucket: int, chunk: int = 1 << 20) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Index pairs (a < b) of rows with equal ``value``, in chunks; buckets larger than
    ``max_bucket`` (boilerplate) are skipped. Vectorised: row i of the sorted order is
    paired with row i + d for each distance d up to the largest kept bucket."""
    order = np.argsort(value, kind="stable")
    ordered = value[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, len(ordered)])
    kept = (lengths >= 2) & (lengths <= max_bucket)
    if not kept.any():
        return
    group = np.repeat(np.arange(len(starts)), lengths)
    group[~np.repeat(kept, lengths)] = -1
    for d in range(1, int(lengths[kept].max())):
        same = np.flatnonzero((group[:-d] == group[d:]) & (group[:-d] >= 0))
        for lo in range(0, len(same), chunk):
            at = same[lo:lo + chunk]
            a, b = order[at], order[at + d]
            yield np.minimum(a, b), np.maximum(a, b)


def _near_copies(sx: np.ndarray, sy: np.ndarray, nx: np.ndarray, ny: np.ndarray, rules: DuplicateRules) -> np.ndarray:
    """Rowwise: estimated Jaccard >= ``jaccard``, or the smaller text (of at least
    ``min_shingles``) at least ``containment`` inside the larger."""
    jaccard = (sx == sy).mean(axis=1)
    small = np.minimum(nx, ny)
    shared = jaccard * (nx + ny) / (1.0 + jaccard)
    contained = (small >= rules.min_shingles) & (shared >= rules.containment * small)
    return (jaccard >= rules.jaccard) | contained


def _shingle_hashes(words: list[bytes], lengths: np.ndarray, n: int) -> np.ndarray:
    """The distinct 64-bit hashes, sorted, of the ``n``-word shingles of ``words`` (UTF-8,
    ``lengths`` in characters; all of them when fewer than ``n``). Stable across processes
    and runs: each word is hashed once with CRC-32 and its length (not the salted built-in
    ``hash``), then the shingle's words are folded with splitmix64, vectorised over the text."""
    word = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    word |= lengths << np.uint64(32)
    _mix_inplace(word)
    count = max(1, len(words) - n + 1)
    h = np.zeros(count, dtype=np.uint64)
    for k in range(min(n, len(words))):
        h ^= word[k:k + count] + np.uint64(0x9E3779B97F4A7C15 * (k + 1) % (1 << 64))
        _mix_inplace(h)
    h.sort()
    distinct = np.empty(count, dtype=bool)
    distinct[0] = True
    np.not_equal(h[1:], h[:-1], out=distinct[1:])
    return h[distinct]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, elementwise (uint64 arithmetic wraps, as it should)."""
    h = values ^ (values >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _mix_inplace(h: np.ndarray) -> None:
    """``_mix``, overwriting ``h`` (no temporary arrays but one)."""
    shifted = np.empty_like(h)
    for shift, multiplier in _MIX_STEPS:
        np.right_shift(h, shift, out=shifted)
        h ^= shifted
        if multiplier is not None:
            h *= multiplier


_MIX_STEPS = ((np.uint64(30), np.uint64(0xBF58476D1CE4E5B9)), (np.uint64(27), np.uint64(0x94D049BB133111EB)), (np.uint64(31), None))


def _permutation_seeds(count: int) -> np.ndarray:
    seed = hashlib.sha256(b"acled-etl minhash").digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed[:8], "little")))
    return rng.integers(0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64, endpoint=True)

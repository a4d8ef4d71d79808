"""Building fast regular expressions from vocabulary phrases.

Vocabularies (YAML) hold words and phrases; these helpers turn them into compiled-once
patterns: a trie-shaped alternation of literal phrases, a start guard that lets the regex
engine skip positions where no phrase can begin, and offset-preserving lower-casing.
"""
from __future__ import annotations

import re
from typing import Iterable

import ahocorasick

try:  # the regex parser, to read which characters a pattern's matches start with
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)
_CLASS_SPAN = 64  # a character range wider than this is not spelled out


def literal_alternation(phrases: Iterable[str]) -> str:
    """A regex matching any of the literal phrases (spaces match any run of whitespace),
    built as a trie so that the engine tries few branches at each position."""
    root: dict = {}
    for phrase in {" ".join(str(p).split()) for p in phrases}:
        if not phrase:
            continue
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return "(?:" + emit(root) + ")" if root else "(?!)"


def mixed_alternation(phrases: Iterable[str]) -> str:
    """Literal phrases go into a trie; regex fragments are tried after them, longest first.
    A phrase whose only regex part is a final optional letter ("soldiers?") is literal."""
    items = []
    for p in map(str, phrases):
        if len(p) > 2 and p.endswith("?") and p[-2].isalpha() and not (set(p[:-1]) & _META):
            items += [p[:-2], p[:-1]]
        else:
            items.append(p)
    literal = [p for p in items if not (set(p) & _META)]
    fragments = sorted({p.replace(" ", r"\s+") for p in items if set(p) & _META}, key=len, reverse=True)
    parts = ([literal_alternation(literal)] if literal else []) + fragments
    return "|".join(parts) if parts else "(?!)"


_META = set("\\.^$*+?{}[]|()")
_ANY = set("abcdefghijklmnopqrstuvwxyz0123456789")


def first_chars(phrase: str) -> set[str] | None:
    """Characters a lower-case regex phrase can start with, or None when unsure."""
    while phrase.startswith("\\b"):
        phrase = phrase[2:]
    if not phrase:
        return None
    if phrase.startswith("(?:"):
        depth, start, out = 0, 3, set()
        for i in range(3, len(phrase)):
            ch = phrase[i]
            if ch == "\\":
                continue
            if ch == "(" and phrase[i - 1] != "\\":
                depth += 1
            elif ch == ")" and depth and phrase[i - 1] != "\\":
                depth -= 1
            elif ch in "|)" and depth == 0 and phrase[i - 1] != "\\":
                part = first_chars(phrase[start:i])
                if part is None:
                    return None
                out |= part
                start = i + 1
                if ch == ")":
                    return None if phrase[i + 1:i + 2] in ("?", "*", "{") else out
        return None
    if phrase[0] == "\\":
        ch = phrase[1:2]
        first = ch if ch and not ch.isalnum() else None
        rest = phrase[2:3]
    else:
        ch = phrase[0]
        first = ch if ch not in _META else None
        rest = phrase[1:2]
    if first is None or rest in ("?", "*", "{"):
        return None
    return {first}


def start_guard(phrases: Iterable[str]) -> str:
    """A prefix for a pattern of lower-case phrases: only at the start of a word, and only
    where one of them can begin (lets the regex engine skip other positions fast)."""
    chars: set[str] = set()
    for phrase in phrases:
        got = first_chars(str(phrase))
        if got is None:
            return r"(?<![\w])"
        chars |= got
    # the look-ahead comes first: the engine then scans for those characters at C speed
    return rf"(?=[{re.escape(''.join(sorted(chars)))}])(?<![\w])"


def lower_regex(pattern: str) -> str:
    """Lower-case the letters of a regex, leaving escapes (\\S, \\W, \\B ...) alone."""
    out = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


def lowered(text: str) -> str:
    """``text.lower()`` with the same length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def join_texts(texts: list[str]) -> tuple[str, list[int]]:
    """The texts joined by a NUL (which no vocabulary pattern crosses), and where each one
    starts, so that one regex pass serves them all; ``bisect_right(offsets, pos) - 1`` is
    the text a match at ``pos`` belongs to."""
    offsets = []
    pos = 0
    for text in texts:
        offsets.append(pos)
        pos += len(text) + 1
    return "\x00".join(texts), offsets


def automaton(pairs: Iterable[tuple[str, object]]) -> ahocorasick.Automaton:
    """A pyahocorasick automaton finding every occurrence of each key, as (end, value):
    one pass over a text for many literal words (faster than a search per word)."""
    finder = ahocorasick.Automaton()
    for key, value in pairs:
        finder.add_word(key, value)
    finder.make_automaton()
    return finder


def leading_chars(pattern: re.Pattern) -> frozenset[str] | None:
    """The characters every match of ``pattern`` starts with (as the pattern's own flags
    read them), or None when unsure: a match may be empty or start with a character class
    such as ``\\d``, or a group changes the flags."""
    try:
        items = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unknown parser: no guard
        return None
    chars = _sequence_first(list(items))
    return frozenset(chars) if chars else None


def _sequence_first(items) -> set[str] | None:
    """``leading_chars`` of a parsed sequence: zero-width assertions (``\\b``, look-arounds)
    are stepped over, the first item that consumes a character decides."""
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        return _item_first(op, av)
    return None  # the sequence can match the empty string


def _item_first(op, av) -> set[str] | None:
    if op == _sre.LITERAL:
        return {chr(av)}
    if op == _sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind == _sre.LITERAL:
                chars.add(chr(value))
            elif kind == _sre.RANGE and value[1] - value[0] <= _CLASS_SPAN:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # a negated class, a category (\\d, \\w) or a wide range
                return None
        return chars
    if op == _sre.BRANCH:
        chars = set()
        for alternative in av[1]:
            first = _sequence_first(list(alternative))
            if first is None:
                return None
            chars |= first
        return chars
    if op == _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _sequence_first(list(sub))
    if op in _REPEATS:
        low, _high, sub = av
        return _sequence_first(list(sub)) if low >= 1 else None
    return None


def start_guarded(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` behind a look-ahead on the characters its matches start with (see
    ``leading_chars``): the same matches, found faster where it is tried at many places
    (the engine rejects other places on one character); ``pattern`` itself when unsure."""
    chars = leading_chars(pattern)
    if not chars:
        return pattern
    guard = "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])"
    try:
        return re.compile(guard + "(?:" + pattern.pattern + ")", pattern.flags)
    except re.error:  # e.g. a pattern opening with global inline flags
        return pattern

"""Event triggers: words and phrases that report an ACLED event type.

``TriggerFinder.load()`` reads ``etl/vocab/triggers.yaml`` (every entry's surface forms,
brace-expanded, and its hints); calling it on an article's sentences returns
``Mention(kind="trigger")`` values with a ``TriggerValue(event_type, sub_event_type, lemma)``.
``entry(lemma)`` gives the assembler the entry's hints (voice, object, strength, priority,
territory, recode ...; documented in the YAML header). Overlapping matches: the longest wins,
then the higher priority.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import vocab
from .phrases import PhraseIndex, sentence_hits
from .errors import DataFileError
from .paths import schemas_dir, vocab_dir
from .records import Mention, Sentence, TriggerValue

_BRACES = re.compile(r"\{([^{}]*)\}")
HINTS = ("pos", "voice", "object", "civilians", "strength", "priority", "territory", "recode", "lower", "support")


def expand(form: str) -> list[str]:
    """Brace expansion: "kidnap{,s,ped}" -> ["kidnap", "kidnaps", "kidnapped"]."""
    match = _BRACES.search(form)
    if match is None:
        return [" ".join(form.split())]
    head, tail = form[:match.start()], form[match.end():]
    out = []
    for option in match.group(1).split(","):
        out.extend(expand(head + option + tail))
    return out


def taxonomy_pairs(folder: Path | None = None) -> frozenset[tuple[str, str]] | None:
    """The (event_type, sub_event_type) pairs of schemas/taxonomy.yaml, or None without it."""
    path = (folder or schemas_dir()) / "taxonomy.yaml"
    if not path.is_file():
        return None
    data = vocab.load_yaml(path)
    pairs = set()
    for event_type, spec in (data.get("event_types") or {}).items():
        for sub in spec.get("sub_event_types") or []:
            name = next(iter(sub)) if isinstance(sub, dict) else sub
            pairs.add((event_type, name))
    return frozenset(pairs)


@dataclass(frozen=True)
class TriggerFinder:
    index: PhraseIndex
    entries: dict  # lemma -> hints dict (with event_type, sub_event_type)
    # lemma -> the value its mentions carry, and its priority (read once from ``entries``)
    values: dict = field(init=False, repr=False, compare=False)
    priorities: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = {lemma: TriggerValue(e["event_type"], e["sub_event_type"], e["lemma"]) for lemma, e in self.entries.items()}
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "priorities", {lemma: e["priority"] for lemma, e in self.entries.items()})

    @classmethod
    def load(cls, folder: Path | None = None, schemas: Path | None = None) -> "TriggerFinder":
        folder = folder or vocab_dir()
        path = folder / "triggers.yaml"
        data = vocab.load("triggers", folder)
        try:
            defaults = dict(data["defaults"])
            raw_entries = list(data["entries"])
        except (KeyError, TypeError) as exc:
            raise DataFileError(f"{path}: needs 'defaults' and 'entries'") from exc
        allowed = taxonomy_pairs(schemas)
        entries: dict[str, dict[str, Any]] = {}
        phrases = []
        for number, raw in enumerate(raw_entries, start=1):
            try:
                lemma, event_type, sub = str(raw["lemma"]), raw["type"], raw["sub"]
                forms = [str(form) for form in raw["forms"]]
            except (KeyError, TypeError) as exc:
                raise DataFileError(f"{path}: entry {number} needs lemma, type, sub and forms") from exc
            if lemma in entries:
                raise DataFileError(f"{path}: entry {number}: lemma {lemma!r} is used twice")
            if allowed is not None and (event_type, sub) not in allowed:
                raise DataFileError(f"{path}: entry {lemma!r}: ({event_type}, {sub}) is not in the taxonomy")
            hints = {key: raw.get(key, defaults.get(key)) for key in HINTS}
            recode = {}
            for context, target in (hints["recode"] or {}).items():
                if not (isinstance(target, list) and len(target) == 2):
                    raise DataFileError(f"{path}: entry {lemma!r}: recode {context} needs [event_type, sub_event_type]")
                if allowed is not None and tuple(target) not in allowed:
                    raise DataFileError(f"{path}: entry {lemma!r}: recode {context} {target} is not in the taxonomy")
                recode[context] = tuple(target)
            hints["recode"] = recode
            hints["priority"] = int(hints["priority"])
            entries[lemma] = {"lemma": lemma, "event_type": event_type, "sub_event_type": sub, **hints}
            case = "lower" if hints["lower"] else None
            for form in forms:
                for surface in expand(form):
                    letters = [c for c in surface if c.isalpha()]
                    exact = len(letters) >= 2 and all(c.isupper() for c in letters)
                    phrases.append((surface, case or ("exact" if exact else "any"), lemma))
        return cls(PhraseIndex(phrases), entries)

    def __call__(self, sentences: tuple[Sentence, ...]) -> tuple[Mention, ...]:
        mentions = []
        priorities, values = self.priorities, self.values
        for sentence, hits in sentence_hits(self.index, sentences, lambda hit: priorities[hit.payload]):
            for hit in hits:
                mentions.append(Mention(
                    "trigger", sentence.index, sentence.start + hit.start, sentence.start + hit.end,
                    sentence.text[hit.start:hit.end], values[hit.payload],
                ))
        return tuple(mentions)

    def entry(self, lemma: str) -> dict:
        """The hints of the entry named ``lemma`` (a copy; KeyError if unknown)."""
        return dict(self.entries[lemma])

    def pairs(self) -> frozenset[tuple[str, str]]:
        """Every (event_type, sub_event_type) some entry or recode can produce."""
        out = set()
        for entry in self.entries.values():
            out.add((entry["event_type"], entry["sub_event_type"]))
            out.update(entry["recode"].values())
        return frozenset(out)

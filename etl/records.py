"""The plain typed records that the pipeline's stages pass to each other.

Every stage takes and returns these frozen dataclasses; nothing else crosses a stage
boundary. Offsets (``start``/``end``) are always character offsets into the article's
original text (``Article.text``), so every coded value can be traced to its sentence.

    ingest -> Article
    clean -> Article (with ``kept`` spans)
    sentences -> tuple[Sentence, ...]
    mentions -> tuple[Mention, ...]
    assemble -> tuple[Candidate, ...]
    code -> tuple[Event, ...]          (one article's events, single-sourced)
    merge -> tuple[Event, ...]          (all articles, cross-article merged, ids assigned)
"""
from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field, fields


def pickled_as_fields(cls):
    """Pickle a slotted dataclass as its class and field values, rebuilt by its
    ``__init__``. The default for slotted dataclasses (``__getstate__`` and
    ``__setstate__`` looping over ``fields()``) takes about twice as long each way, and a
    build pickles every event a few times (by country, by month)."""
    if len(fields(cls)) < 2 or not all(f.init for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: needs two or more fields, all set by __init__")
    values = operator.attrgetter(*(f.name for f in fields(cls)))  # a tuple (two or more names)

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    cls._field_index = {f.name: n for n, f in enumerate(fields(cls))}
    return cls


def replaced(obj, **changes):
    """``dataclasses.replace`` for a ``pickled_as_fields`` class: the same new object,
    without replace's introspection of the fields at every call (~4x faster; a merge
    replaces every row it makes)."""
    cls, values = obj.__reduce__()
    values = list(values)
    index = cls._field_index
    for name, value in changes.items():
        values[index[name]] = value
    return cls(*values)


@dataclass(frozen=True)
class Article:
    """One input article and its metadata (from the manifest, else from the text)."""

    key: str  # file name without extension, e.g. "000_5063578ec8c3b5e4"
    file: str  # file name as found in the input folder
    text: str  # decoded text, exactly as read (offsets point into it)
    sha256: str  # of the raw bytes
    status: str = "ok"  # ok | empty | undecodable | duplicate | ...
    encoding: str = "utf-8"
    publisher: str | None = None
    url: str | None = None
    published_date: dt.date | None = None
    title: str | None = None
    # Spans of ``text`` kept after page furniture was removed (set by ``clean``);
    # empty means "not cleaned yet": the whole text counts.
    kept: tuple[tuple[int, int], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: ``text == article.text[start:end]``."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True)
class ReferenceDate:
    """The date relative expressions are resolved against, and where it came from."""

    date: dt.date | None
    how: str  # manifest | text-explicit | text-weekday | text-year | none


@dataclass(frozen=True)
class Mention:
    """Something recognised in a sentence.

    ``kind`` is one of: date, place, actor, number, trigger, cue.
    ``value`` carries the kind's payload (all plain data):
      date    -> DateValue
      place   -> Place (resolved gazetteer entry)
      actor   -> ActorValue
      number  -> NumberValue
      trigger -> TriggerValue
      cue     -> str (modality/background cue name: "future", "history", "quote", ...)
    """

    kind: str
    sentence: int
    start: int
    end: int
    text: str
    value: object = None


@dataclass(frozen=True)
class DateValue:
    date: dt.date  # the resolved day (first day of the period for coarse dates)
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month or longer
    relative: bool = False  # resolved against the reference date


@dataclass(frozen=True)
class NumberValue:
    value: int  # conservative figure: "at least 32" -> 32, "dozens" -> codebook value
    role: str  # killed | wounded | casualties | missing | displaced | detained | crowd | aggregate | other
    vague: bool = False


@dataclass(frozen=True)
class ActorValue:
    name: str  # ACLED-style name, e.g. "Military Forces of Azerbaijan (2003-)"
    inter: int  # 1..8 (see schemas/taxonomy.yaml)
    country: str | None = None  # country the actor belongs to, if known


@dataclass(frozen=True)
class TriggerValue:
    event_type: str
    sub_event_type: str
    lemma: str  # the vocabulary entry that matched


@dataclass(frozen=True)
class Place:
    """A gazetteer entry resolved for a mention."""

    name: str
    latitude: float
    longitude: float
    feature: str  # city | town | village | district | region | country | corridor | ...
    country: str
    iso3: str
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    geo_precision: int = 1
    source: str = ""  # which gazetteer table it came from
    population: int = 0


@dataclass(frozen=True)
class Candidate:
    """An event as assembled from one sentence (or clause) of one article."""

    article: str  # source key
    sentence: Sentence
    trigger: Mention
    event_type: str
    sub_event_type: str
    date: DateValue | None
    place: Place | None
    actor1: ActorValue | None
    actor2: ActorValue | None
    assoc_actor_1: tuple[str, ...] = ()
    assoc_actor_2: tuple[str, ...] = ()
    fatalities: int = 0
    fatalities_vague: bool = False
    date_how: str = ""  # how the date was obtained (explicit, relative, carried, reference)
    place_how: str = ""  # how the place was obtained (sentence, carried, article)
    warnings: tuple[str, ...] = ()


@pickled_as_fields
@dataclass(frozen=True, slots=True)
class Evidence:
    source_key: str
    sentence: str
    start: int
    end: int


@pickled_as_fields
@dataclass(frozen=True, slots=True)
class Event:
    """A coded event in ACLED's shape (before the table is written). Slotted: a large
    country's merge holds tens of thousands of events, and an instance dict of 35 fields
    costs more than a kilobyte each."""

    event_date: dt.date
    time_precision: int
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str
    inter1: int
    interaction: int
    iso: int
    region: str
    country: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    notes: str
    fatalities: int
    source_keys: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    assoc_actor_1: str = ""
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: int = 0
    civilian_targeting: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    source: str = ""
    source_scale: str = ""
    tags: str = ""
    event_id_cnty: str = ""
    timestamp: int = 0
    warnings: tuple[str, ...] = field(default=(), compare=False)

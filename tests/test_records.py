"""Records pickle as their field values (``pickled_as_fields``), and come back equal."""
from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.build import ArticleSummary, ArticleTask
from etl.ingest import ManifestRow
from etl.ledger import SourceInfo
from etl.records import Event, Evidence, pickled_as_fields, replaced
from etl.sources import fingerprint

from test_validate import make_event


@given(fatalities=st.integers(0, 10**6), warnings=st.lists(st.text(max_size=5), max_size=3),
       notes=st.text(max_size=20), keys=st.lists(st.text(min_size=1, max_size=4), max_size=3))
def test_an_event_comes_back_equal_with_every_field(fatalities, warnings, notes, keys):
    event = make_event(3, fatalities=fatalities, warnings=tuple(warnings), notes=notes, source_keys=tuple(keys),
                       evidence=tuple(Evidence(k, "A sentence.", 0, 11) for k in keys))
    back = pickle.loads(pickle.dumps(event, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is Event
    assert {f.name: getattr(back, f.name) for f in dataclasses.fields(Event)} == \
           {f.name: getattr(event, f.name) for f in dataclasses.fields(Event)}  # warnings too (not compared by ==)


def test_the_build_s_small_records_come_back_equal():
    meta = ManifestRow("a.txt", url="http://x", published_date=dt.date(2024, 2, 29))
    info = SourceInfo("a", "a.txt", "0" * 64, None, None, None, None, "text", None, "ok")
    summary = ArticleSummary(info, ("AZE",), fingerprint("Shelling hit the town on Monday."), ("a: a warning",))
    for record in (meta, ArticleTask("corpus/a.txt", meta), summary, summary.fingerprint):
        assert pickle.loads(pickle.dumps(record)) == record


def test_only_records_whose_fields_init_sets_can_be_pickled_so():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError):
        pickled_as_fields(Derived)


@given(st.integers(0, 10_000), st.text(max_size=30), st.lists(st.text(min_size=1, max_size=8), max_size=3))
def test_replaced_makes_what_dataclasses_replace_makes(fatalities, notes, keys):
    event = make_event()
    changes = {"fatalities": fatalities, "notes": notes, "source_keys": tuple(keys)}
    made = replaced(event, **changes)
    assert made == dataclasses.replace(event, **changes) and type(made) is Event
    assert replaced(event) == event and replaced(event) is not event


def test_replaced_refuses_a_field_the_record_lacks():
    with pytest.raises(KeyError):
        replaced(make_event(), no_such_field=1)

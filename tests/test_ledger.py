"""The ledger keeps what the build needs of each article on disk and gives it back in order."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.export import natural_key
from etl.ledger import Ledger, Member, SourceInfo


def info(key: str, publisher: str | None = None) -> SourceInfo:
    return SourceInfo(key, f"{key}.txt", "0" * 64, publisher, None, dt.date(2024, 1, 2), None, "none", None, "ok")


def test_members_and_countries(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.add(info("b", "Wire"), ["AZE", "ARM"], "id-b")
    ledger.add(info("a"), ["AZE"], "id-a")
    ledger.add(info("c"), [])
    assert len(ledger) == 3
    assert ledger.countries() == ["ARM", "AZE"]
    assert ledger.members("AZE") == [Member("b", "id-b", "Wire"), Member("a", "id-a", None)]  # article order
    assert ledger.members("XYZ") == []
    assert ledger.known(["c", "a", "b"]) == frozenset("abc")
    ledger.close()


def test_a_new_ledger_starts_empty(tmp_path):
    first = Ledger(tmp_path / "ledger.sqlite")
    first.add(info("a"), ["AZE"])
    first.close()
    again = Ledger(tmp_path / "ledger.sqlite")
    assert len(again) == 0 and list(again.in_key_order()) == [] and again.countries() == []


def test_counted_events_and_known_keys(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    for key in ("a2", "a10", "a1"):
        ledger.add(info(key), ["AZE"])
    ledger.count([("a10", 2), ("a1", 1)])
    ledger.count([("a10", 3)])
    assert [(i.key, n) for i, n in ledger.in_key_order()] == [("a1", 1), ("a2", 0), ("a10", 5)]
    assert ledger.known(["a2", "zz", "a10", "a2"]) == frozenset({"a2", "a10"})
    assert ledger.known([]) == frozenset()


KEYS = st.text(alphabet="ab_019Zé", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(KEYS, unique=True, max_size=40), st.integers(1, 7))
def test_in_key_order_is_the_natural_order_across_batches(tmp_path_factory, keys, batch):
    ledger = Ledger(tmp_path_factory.mktemp("ledger") / "ledger.sqlite")
    ledger.BATCH = batch
    for key in keys:
        ledger.add(info(key), ["AZE"] if len(key) % 2 else [])
    assert [i.key for i, _ in ledger.in_key_order()] == sorted(keys, key=natural_key)
    assert [m.key for m in ledger.members("AZE")] == [k for k in keys if len(k) % 2]
    assert list(ledger.in_key_order())[:1] == [(info(k), 0) for k in sorted(keys, key=natural_key)[:1]]
    assert ledger.known(keys + ["not-a-key"]) == frozenset(keys)
    ledger.close()


def test_reads_are_indexed_even_when_the_last_add_filled_a_batch(tmp_path):
    import sqlite3

    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.BATCH = 2
    for key in ("a", "b"):  # the second add flushes: nothing is pending at the first read
        ledger.add(info(key), ["AZE"])
    assert ledger.countries() == ["AZE"]
    ledger.count([("a", 1)])
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        plan = " ".join(str(row) for row in db.execute("EXPLAIN QUERY PLAN UPDATE article SET reports = reports + 1 WHERE key = 'a'"))
        indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"article_key", "member_code"} <= indexes
    assert "article_key" in plan  # an update by key does not scan the table
    ledger.close()

"""Working files of a build: records by part, read back in the order they were added."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.spool import Spool


def test_records_come_back_by_part_in_the_order_added(tmp_path):
    spool = Spool(tmp_path, flush_at=40)
    spool.add("UKR", [1, 2])
    spool.add("AZE", ["a"])
    spool.add("UKR", [3, 4, 5])  # crosses a flush
    spool.add("AZE", [])
    spool.add("SDN", [])  # an empty add makes no part
    assert spool.parts() == ["AZE", "UKR"]
    assert spool.read("UKR") == [1, 2, 3, 4, 5]
    assert spool.read("AZE") == ["a"]
    assert spool.read("SDN") == []
    spool.add("AZE", ["b"])  # adding after reading goes on
    assert list(spool.iter("AZE")) == ["a", "b"]


def test_nothing_is_kept_in_memory_past_the_flush_size(tmp_path):
    spool = Spool(tmp_path, flush_at=1000)
    for i in range(1000):
        spool.add(f"P{i % 7}", [i, b"x" * 50])
        assert spool._buffered < 1000
    assert sorted(x for p in spool.parts() for x in spool.read(p) if isinstance(x, int)) == list(range(1000))


@pytest.mark.parametrize("name", ["", "../x", "a/b", "x y", "2023.09"])
def test_part_names_must_be_safe_file_names(tmp_path, name):
    with pytest.raises(ValueError, match="part names"):
        Spool(tmp_path).add(name, [1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["AZE", "ARM", "2023-09"]), st.lists(st.integers(), max_size=5)), max_size=30),
       st.integers(min_value=1, max_value=80))
def test_any_sequence_of_adds_reads_back_per_part(tmp_path_factory, adds, flush_at):
    spool = Spool(tmp_path_factory.mktemp("spool"), flush_at=flush_at)
    expected: dict[str, list[int]] = {}
    for part, records in adds:
        spool.add(part, records)
        if records:
            expected.setdefault(part, []).extend(records)
    assert spool.parts() == sorted(expected)
    assert {p: spool.read(p) for p in spool.parts()} == expected

"""The id register file by country: read plainly, or from the layout a build recorded."""
from __future__ import annotations

import io

from etl.ids import COLUMNS
from etl.register import RegisterLayout, RegisterRows


class Store:
    """The two calls of ``OutcomeCache`` the register uses."""

    def __init__(self):
        self.values = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value):
        self.values[key] = value


def row(event_id: str, iso3: str, number: int, place: str) -> list[str]:
    values = dict.fromkeys(COLUMNS, "")
    values.update(event_id_cnty=event_id, iso3=iso3, number=str(number), location=place)
    return [values[c] for c in COLUMNS]


def csv_text(rows: list[list[str]]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


BLOCKS = {
    "ARM": [row("ARM1", "ARM", 1, "Goris"), row("ARM2", "ARM", 2, 'A "quoted", place\non two lines')],
    "AZE": [row("AZE1", "AZE", 1, "Yevlakh")],
}


def write(path, store):
    layout = RegisterLayout(list(COLUMNS))
    with path.open("wb") as handle:
        layout.write_header(handle)
        for code, rows in BLOCKS.items():
            layout.write_block(handle, code, csv_text(rows), len(rows), f"digest-{code}")
        layout.write_block(handle, "GEO", "", 0, "digest-GEO")  # no rows: no block
    store.put(layout.cache_key(), layout)


def test_an_unchanged_register_is_read_from_its_layout_as_it_is_read_plainly(tmp_path):
    path, store = tmp_path / "event_ids.csv", Store()
    write(path, store)
    laid_out = RegisterRows.read(path, store, tmp_path / "a")
    plain = RegisterRows.read(path, None, tmp_path / "b")
    assert laid_out.digests == {"ARM": "digest-ARM", "AZE": "digest-AZE"}  # as recorded: no row parsed
    assert set(plain.digests) == set(laid_out.digests)
    for code in BLOCKS:
        assert list(laid_out.rows(code)) == list(plain.rows(code))
        assert [fields for _, fields in laid_out.rows(code)] == BLOCKS[code]
    assert [n for n, _ in laid_out.rows("AZE")] == [4]  # row numbers as read_rows gives them
    assert list(laid_out.rows("GEO")) == []


def test_an_edited_register_is_read_plainly(tmp_path):
    path, store = tmp_path / "event_ids.csv", Store()
    write(path, store)
    path.write_text(path.read_text().replace("Yevlakh", "Barda"))
    edited = RegisterRows.read(path, store, tmp_path / "w")
    assert edited.digests["AZE"] != "digest-AZE"
    assert [f[COLUMNS.index("location")] for _, f in edited.rows("AZE")] == ["Barda"]

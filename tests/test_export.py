"""etl.export: typed frames, byte-identical Parquet + CSV, writes that survive crashes."""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import export
from etl.records import Event, Evidence

REPO = Path(__file__).parents[1]


def make_event(number: int, day: int = 19, **changes) -> Event:
    values = dict(
        event_date=dt.date(2023, 9, day), time_precision=1, disorder_type="Political violence",
        event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
        actor1="Military Forces of Azerbaijan (2003-)", inter1=1, actor2="Military Forces of Artsakh (2007-)",
        inter2=2, interaction=12, iso=31, region="Caucasus and Central Asia", country="Azerbaijan",
        admin1="Shusha", location="Shusha", latitude=39.7583, longitude=46.7486, geo_precision=1,
        notes="On 19 September 2023, Military Forces of Azerbaijan shelled positions near Shusha.",
        fatalities=3, source_keys=("000_a", "001_b"), event_id_cnty=f"AZE{number}", timestamp=1695081600,
        evidence=(Evidence("000_a", "Shelling was reported near Shusha.", 10, 44),),
        source="Reuters; APA",
    )
    values.update(changes)
    return Event(**values)


EVENTS = [
    make_event(10),
    make_event(9),
    make_event(2, day=18, event_type="Protests", sub_event_type="Peaceful protest", disorder_type="Demonstrations",
               actor1="Protesters (Armenia)", inter1=6, actor2="", inter2=0, interaction=60, iso=51,
               country="Armenia", location="Yerevan", latitude=40.1811, longitude=44.5136, fatalities=0,
               source_keys=("002_c",), evidence=(Evidence("002_c", "Thousands rallied.", 0, 18),)),
    make_event(3, day=20, event_type="Strategic developments", sub_event_type="Agreement",
               disorder_type="Strategic developments", fatalities=0, location="Baku", notes="Ceasefire, \"agreed\"\nin Baku.",
               assoc_actor_1="Government of Azerbaijan; Russia", source_keys=("000_a",),
               evidence=(Evidence("000_a", "A ceasefire was agreed.", 50, 73), Evidence("000_a", "A ceasefire was agreed.", 50, 73))),
]

SOURCE_ROWS = [
    dict(source_key="001_b", file="001_b.txt", sha256="b" * 64, publisher="APA", url=None,
         published_date=dt.date(2023, 9, 20), reference_date=dt.date(2023, 9, 20), reference_date_how="manifest",
         title="Shelling", n_events=2, status="ok", duplicate_of=None),
    dict(source_key="000_a", file="000_a.txt", sha256="a" * 64, publisher="Reuters", url="https://example.org/a",
         published_date=None, reference_date=None, reference_date_how="none", title=None, n_events=3, status="ok"),
    dict(source_key="003_d", file="003_d.txt", sha256="d" * 64, status="duplicate", duplicate_of="000_a",
         n_events=0, reference_date_how="none"),
]


def tables(events=EVENTS, rows=SOURCE_ROWS) -> dict[str, pd.DataFrame]:
    return {
        "events": export.events_frame(events),
        "sources": export.sources_frame(rows),
        "evidence": export.evidence_frame(events),
    }


@pytest.mark.parametrize(
    "column, dtype",
    [
        ("event_id_cnty", "str"), ("event_date", "object"), ("year", "int16"), ("time_precision", "int8"),
        ("event_type", "category"), ("inter1", "int8"), ("interaction", "int16"), ("iso", "int16"),
        ("latitude", "float64"), ("fatalities", "int32"), ("timestamp", "int64"), ("source_keys", "object"),
    ],
)
def test_events_frame_is_typed(column, dtype):
    frame = export.events_frame(EVENTS)
    assert str(frame[column].dtype) == dtype


def test_events_frame_order_and_derived_values():
    frame = export.events_frame(EVENTS)
    assert list(frame.columns[:4]) == ["event_id_cnty", "event_date", "year", "time_precision"]
    assert list(frame.columns[-2:]) == ["timestamp", "source_keys"]
    # by date, then iso, then id in natural order (AZE9 before AZE10)
    assert frame["event_id_cnty"].tolist() == ["AZE2", "AZE9", "AZE10", "AZE3"]
    assert frame["year"].tolist() == [2023] * 4
    assert frame["event_date"].iloc[0] == dt.date(2023, 9, 18)
    assert frame["source_keys"].iloc[1] == ["000_a", "001_b"]
    assert list(frame["event_type"].cat.categories) == sorted(frame["event_type"].unique())


def test_frames_do_not_depend_on_input_order():
    forward = tables(EVENTS, SOURCE_ROWS)
    backward = tables(EVENTS[::-1], SOURCE_ROWS[::-1])
    for name in forward:
        pd.testing.assert_frame_equal(forward[name], backward[name])


def test_evidence_frame_drops_exact_duplicates_and_sorts():
    frame = export.evidence_frame(EVENTS)
    assert frame[["event_id_cnty", "source_key", "start"]].values.tolist() == [
        ["AZE2", "002_c", 0], ["AZE3", "000_a", 50], ["AZE9", "000_a", 10], ["AZE10", "000_a", 10],
    ]


def test_sources_frame_fills_missing_keys_and_rejects_unknown_ones():
    frame = export.sources_frame(SOURCE_ROWS)
    assert frame["source_key"].tolist() == ["000_a", "001_b", "003_d"]
    assert frame["published_date"].tolist()[:2] == [None, dt.date(2023, 9, 20)]
    assert pd.isna(frame["title"].iloc[2])
    with pytest.raises(ValueError, match="unknown columns"):
        export.sources_frame([dict(source_key="x", colour="red")])


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if "source_keys" in frame:
        frame["source_keys"] = frame["source_keys"].map(list)
    return frame


def test_round_trip_with_pandas(tmp_path):
    written = tables()
    export.write_tables(tmp_path, written)
    for name, frame in written.items():
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(_normalised(back), _normalised(frame))


def test_round_trip_csv_keeps_header_order_and_values(tmp_path):
    written = tables()
    export.write_tables(tmp_path, written)
    back = pd.read_csv(tmp_path / "events.csv", keep_default_na=False)
    assert list(back.columns) == list(written["events"].columns)
    assert back["source_keys"].tolist()[1] == "000_a;001_b"
    assert back["event_date"].tolist()[0] == "2023-09-18"
    assert back["notes"].iloc[3] == "Ceasefire, \"agreed\"\nin Baku."
    assert back["latitude"].tolist() == written["events"]["latitude"].tolist()


def test_round_trip_with_polars_and_duckdb(tmp_path):
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    export.write_tables(tmp_path, tables())
    path = tmp_path / "events.parquet"
    frame = polars.read_parquet(path)
    assert frame.schema["event_date"] == polars.Date
    assert frame.schema["inter1"] == polars.Int8
    assert frame.schema["source_keys"] == polars.List(polars.String)
    assert frame["event_id_cnty"].to_list() == ["AZE2", "AZE9", "AZE10", "AZE3"]
    assert frame["fatalities"].sum() == 6
    con = duckdb.connect()
    row = con.execute(
        f"select typeof(any_value(event_date)), typeof(any_value(fatalities)), min(event_date), sum(fatalities), "
        f"max(len(source_keys)) from read_parquet('{path}')"
    ).fetchone()
    assert row == ("DATE", "INTEGER", dt.date(2023, 9, 18), 6, 2)


def test_schema_version_is_in_the_parquet_metadata(tmp_path):
    export.write_tables(tmp_path, tables())
    metadata = pq.read_schema(tmp_path / "events.parquet").metadata
    assert metadata[b"acled_etl.schema_version"] == b"1"
    assert metadata[b"acled_etl.table"] == b"events"
    assert b"pandas" not in metadata  # nothing version- or clock-dependent from pandas


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_writes_are_byte_identical(tmp_path):
    export.write_tables(tmp_path / "one", tables())
    export.write_tables(tmp_path / "two", tables(EVENTS[::-1], SOURCE_ROWS[::-1]))
    first = _contents(tmp_path / "one")
    assert len(first) == 6
    assert first == _contents(tmp_path / "two")
    export.write_tables(tmp_path / "one", tables())
    assert _contents(tmp_path / "one") == first


def test_empty_tables_are_written_with_their_columns(tmp_path):
    export.write_tables(tmp_path, tables([], []))
    back = pd.read_parquet(tmp_path / "events.parquet")
    assert len(back) == 0 and list(back.columns) == list(export.events_frame([]).columns)
    assert (tmp_path / "events.csv").read_text().startswith("event_id_cnty,event_date,")


def test_write_leaves_no_staging_and_keeps_other_files(tmp_path):
    (tmp_path / "event_ids.csv").write_text("kept")
    export.write_tables(tmp_path, tables())
    assert not (tmp_path / export.STAGING).exists()
    assert (tmp_path / "event_ids.csv").read_text() == "kept"


def test_output_folder_that_is_a_file_is_an_etl_error(tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(export.OutputError, match="cannot create the output folder"):
        export.write_tables(tmp_path / "out", tables())


def test_extra_files_are_committed_with_the_tables(tmp_path, monkeypatch):
    export.write_tables(tmp_path, tables(), files={"event_ids.csv": b"old"})
    old = _contents(tmp_path)
    assert old["event_ids.csv"] == b"old"
    real_replace = os.replace

    def failing_last(src, dst):
        if Path(dst) == tmp_path / "event_ids.csv":
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(export.os, "replace", failing_last)
    with pytest.raises(export.OutputError):
        export.write_tables(tmp_path, tables([make_event(77)], SOURCE_ROWS[:1]), files={"event_ids.csv": b"new"})
    assert _contents(tmp_path) == old
    with pytest.raises(ValueError, match="plain file names"):
        export.write_tables(tmp_path, {}, files={"../x": b""})


def test_unknown_table_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown table"):
        export.write_tables(tmp_path, {"weird": pd.DataFrame()})


def _old_and_new(tmp_path: Path) -> tuple[dict[str, bytes], dict[str, pd.DataFrame]]:
    export.write_tables(tmp_path, tables())
    old = _contents(tmp_path)
    new = tables([make_event(77, fatalities=9)], SOURCE_ROWS[:1])
    return old, new


@pytest.mark.parametrize("fail_on_call", [1, 2, 4, 6])
def test_exception_while_moving_files_in_leaves_previous_files(tmp_path, monkeypatch, fail_on_call):
    old, new = _old_and_new(tmp_path)
    calls = []
    real_replace = os.replace

    def flaky_replace(src, dst):
        if Path(dst).parent == tmp_path:
            calls.append(dst)
            if len(calls) == fail_on_call:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(export.os, "replace", flaky_replace)
    with pytest.raises(export.OutputError, match=r"previous ones kept\): No space left on device"):
        export.write_tables(tmp_path, new)
    monkeypatch.undo()
    assert _contents(tmp_path) == old
    assert not (tmp_path / export.STAGING).exists()


def test_exception_while_staging_leaves_previous_files(tmp_path, monkeypatch):
    old, new = _old_and_new(tmp_path)
    real = export.csv_bytes

    def failing(name, frame, schema=None):
        if name == "sources":
            raise RuntimeError("boom")
        return real(name, frame, schema)

    monkeypatch.setattr(export, "csv_bytes", failing)
    with pytest.raises(RuntimeError):
        export.write_tables(tmp_path, new)
    assert _contents(tmp_path) == old
    assert not (tmp_path / export.STAGING).exists()


CHILD = textwrap.dedent(
    """
    import os, sys, datetime as dt
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    from test_export import tables, make_event, SOURCE_ROWS
    from etl import export
    die_on = int(sys.argv[2])
    real = os.replace
    calls = []
    def replace(src, dst):
        if os.path.dirname(os.fspath(dst)) == sys.argv[1]:
            calls.append(dst)
            if len(calls) == die_on:
                os._exit(9)  # like kill -9: no cleanup, no except blocks
        return real(src, dst)
    export.os.replace = replace
    export.write_tables(sys.argv[1], tables([make_event(77, fatalities=9)], SOURCE_ROWS[:1]))
    """
)


@pytest.mark.parametrize("die_on", [2, 5])
def test_killed_mid_commit_is_rolled_back_to_the_previous_set(tmp_path, die_on):
    old, _ = _old_and_new(tmp_path)
    script = tmp_path.parent / f"child_{die_on}.py"
    script.write_text(CHILD.format(repo=str(REPO), tests=str(REPO / "tests")))
    result = subprocess.run([sys.executable, str(script), str(tmp_path), str(die_on)], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr.decode()
    assert (tmp_path / export.STAGING / export.COMMIT).exists()
    assert _contents(tmp_path) != old  # a mix, until recovered
    assert export.recover(tmp_path) == "rolled back"
    assert _contents(tmp_path) == old
    assert not (tmp_path / export.STAGING).exists()


def test_next_write_recovers_an_interrupted_one(tmp_path):
    old, new = _old_and_new(tmp_path)
    staging = tmp_path / export.STAGING
    (staging / "new").mkdir(parents=True)
    (staging / "new" / "events.csv").write_text("half")  # a crash before the journal was written
    assert export.recover(tmp_path) == "discarded"
    assert _contents(tmp_path) == old
    export.write_tables(tmp_path, new)
    assert pd.read_parquet(tmp_path / "events.parquet")["event_id_cnty"].tolist() == ["AZE77"]


KILLER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    from test_export import tables, make_event, EVENTS, SOURCE_ROWS
    from etl import export
    versions = [tables(), tables([make_event(77, fatalities=9)], SOURCE_ROWS[:1])]
    print("ready", flush=True)
    i = 0
    while True:
        export.write_tables(sys.argv[1], versions[i % 2])
        i += 1
    """
)


def test_kill_9_at_random_moments_always_leaves_a_whole_set(tmp_path):
    out = tmp_path / "out"
    export.write_tables(out, tables())
    first = _contents(out)
    export.write_tables(tmp_path / "second", tables([make_event(77, fatalities=9)], SOURCE_ROWS[:1]))
    second = _contents(tmp_path / "second")
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(repo=str(REPO), tests=str(REPO / "tests")))
    for delay in (0.05, 0.23):
        child = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        export.recover(out)
        assert _contents(out) in (first, second)


# -- streamed tables: an iterable of frames that follow each other ------------------------


def _chunks_by_date(events):
    """The events frame split where the date changes: chunks in the table's order."""
    whole = export.events_frame(events)
    return [part.reset_index(drop=True) for _, part in whole.groupby("event_date", sort=True)]


def test_a_table_given_in_chunks_has_the_rows_and_csv_of_the_whole(tmp_path, monkeypatch):
    events = [make_event(n, day=15 + n % 6) for n in range(1, 40)]
    export.write_tables(tmp_path / "whole", {"events": export.events_frame(events)})
    monkeypatch.setattr(export, "ROW_GROUP_ROWS", 10)  # several row groups
    chunks = _chunks_by_date(events)
    assert len(chunks) == 6
    export.write_tables(tmp_path / "chunks", {"events": iter(chunks)})
    assert (tmp_path / "chunks" / "events.csv").read_bytes() == (tmp_path / "whole" / "events.csv").read_bytes()
    back = pd.read_parquet(tmp_path / "chunks" / "events.parquet")
    pd.testing.assert_frame_equal(_normalised(back), _normalised(pd.read_parquet(tmp_path / "whole" / "events.parquet")))
    assert pq.ParquetFile(tmp_path / "chunks" / "events.parquet").num_row_groups > 1
    again = tmp_path / "again"
    export.write_tables(again, {"events": iter(_chunks_by_date(events))})
    assert (again / "events.parquet").read_bytes() == (tmp_path / "chunks" / "events.parquet").read_bytes()


def test_a_table_of_no_chunks_is_written_with_its_columns(tmp_path):
    export.write_tables(tmp_path, {"events": iter(())})
    assert len(pd.read_parquet(tmp_path / "events.parquet")) == 0
    assert (tmp_path / "events.csv").read_text().startswith("event_id_cnty,event_date,")


def test_a_chunk_source_that_fails_leaves_the_previous_files(tmp_path):
    export.write_tables(tmp_path, tables())
    before = _contents(tmp_path)

    def failing():
        yield export.events_frame(EVENTS[:1])
        raise ValueError("chunk 2 is invalid")

    with pytest.raises(ValueError, match="chunk 2"):
        export.write_tables(tmp_path, {**tables(), "events": failing()})
    assert _contents(tmp_path) == before
    assert not (tmp_path / export.STAGING).exists()


def test_an_extra_file_can_be_given_as_a_path(tmp_path):
    source = tmp_path / "register.csv"
    source.write_text("a,b\n1,2\n")
    export.write_tables(tmp_path / "out", tables(), files={"event_ids.csv": source})
    assert (tmp_path / "out" / "event_ids.csv").read_text() == "a,b\n1,2\n"


def test_chunks_in_one_row_group_give_the_bytes_of_the_whole_table(tmp_path):
    events = [make_event(n, day=15 + n % 6, location=["Shusha", "Baku", "Ganja"][n % 3]) for n in range(1, 30)]
    export.write_tables(tmp_path / "whole", {"events": export.events_frame(events)})
    export.write_tables(tmp_path / "chunks", {"events": iter(_chunks_by_date(events))})
    for name in ("events.parquet", "events.csv"):
        assert (tmp_path / "chunks" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


@pytest.mark.parametrize("values", [["AZE10", "AZE9", "AZE", "ARM2", "b", "a10", "a9x", "001_ab12", "001_ab3"]])
def test_natural_key_orders_as_the_table_sort_does(values):
    rows = [dict(SOURCE_ROWS[0], source_key=v, file=f"{v}.txt") for v in values]
    frame = export.sources_frame(rows)
    assert list(frame["source_key"]) == sorted(values, key=export.natural_key)


# -- fast paths equal their plain (pandas) definitions ---------------------------------------

def plain_order(spec, frame: pd.DataFrame) -> list[int]:
    """The table order by its definition: a stable pandas sort of one key column per
    column (natural order for ``sort`` text columns, empty values first)."""
    names = list(spec.sort) + [n for n in spec.names() if n not in spec.sort]
    keys = []
    for name in names:
        column = spec.column(name)
        series = frame[name]
        if column.type == "string_list":
            keys.append(series.map(lambda v: "\x1f".join(v or ())))
        elif column.type == "date":
            keys.append(series.map(lambda v: v.isoformat() if v is not None else ""))
        elif column.is_number:
            keys.append(series.astype("float64").fillna(float("-inf")))
        else:
            text = series.astype(object).where(series.notna(), "").astype(str)
            if name in spec.sort and column.type == "string":
                parts = text.str.extract(export._TRAILING_NUMBER)
                keys.append(parts[0])
                keys.append(pd.to_numeric(parts[1], errors="coerce").fillna(-1))
            keys.append(text)
    frame_keys = pd.DataFrame({i: key.to_numpy() for i, key in enumerate(keys)}, index=frame.index)
    return frame_keys.sort_values(by=list(range(len(keys))), kind="mergesort").index.tolist()


def plain_csv(name: str, frame: pd.DataFrame, header: bool = True) -> bytes:
    """NAME.csv by its definition: pandas' to_csv of the cells."""
    spec = export.Schema.load().table(name)
    out = {}
    for column in spec.columns:
        series = frame[column.name]
        if column.type == "string_list":
            out[column.name] = [";".join(v) if v is not None else "" for v in series.tolist()]
        elif column.type == "date":
            out[column.name] = ["" if v is None or pd.isna(v) else v.isoformat() for v in series.tolist()]
        else:
            out[column.name] = series.astype(object).where(series.notna(), "")
    buffer = io.StringIO()
    pd.DataFrame(out, columns=spec.names()).to_csv(buffer, index=False, header=header, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def plain_arrow(name: str, frame: pd.DataFrame) -> pa.Table:
    """NAME.parquet's table by its definition: every plain column from its Python values."""
    target = export.arrow_schema(name)
    arrays = []
    for field in target:
        series = frame[field.name]
        if pa.types.is_dictionary(field.type):
            arrays.append(export._dictionary_array(series, field.type))
        elif pa.types.is_list(field.type):
            arrays.append(pa.array([list(v) if v is not None else None for v in series.tolist()], type=field.type))
        else:
            arrays.append(pa.array(series.astype(object).where(series.notna(), None).tolist(), type=field.type))
    return pa.Table.from_arrays(arrays, schema=target)


def unsorted_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """The typed frame of ``rows`` in their given order (typed_frame before it sorts)."""
    spec = export.Schema.load().table(name)
    return pd.DataFrame({c.name: export._typed_series(c.type, c.name, [r.get(c.name) for r in rows]) for c in spec.columns},
                        columns=spec.names())


# Text that exercises sorting and CSV quoting: trailing digits (also non-ASCII ones, and
# long runs), separators, quotes, line breaks, spaces, empty text.
TEXT = st.text(st.sampled_from(list("AZE0179٣,;\"'\n\r \t_é")), max_size=8) | st.sampled_from(
    ["", "AZE9", "AZE10", "AZE09", "X12345678901234567890", "X99999999999999999"])
# Ids: few prefixes, so that rows share one and their trailing digits decide (ASCII and
# other digits, runs too long for a float to hold exactly).
ID = st.builds(str.__add__, st.sampled_from(["", "AZE", "AZE0", "a\n"]), st.text(st.sampled_from("0129٣"), max_size=20)) | TEXT
NUMBER = st.integers(0, 12) | st.integers(-(2**31), 2**31 - 1)

EVIDENCE_ROWS = st.lists(st.fixed_dictionaries(dict(
    event_id_cnty=ID, source_key=ID | st.none(), sentence=TEXT | st.none(), start=NUMBER, end=NUMBER,
)), max_size=12)

SOURCE_ROW = st.fixed_dictionaries(dict(
    source_key=ID, file=TEXT, sha256=TEXT | st.none(), publisher=TEXT | st.none(),
    published_date=st.none() | st.dates(), reference_date=st.none() | st.dates(),
    reference_date_how=st.sampled_from(["manifest", "none", "text-year"]) | st.none(),
    title=TEXT | st.none(), n_events=NUMBER, status=st.sampled_from(["ok", "duplicate"]), duplicate_of=TEXT | st.none(),
))

FLOAT = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e16, 0.1, 39.7583, -90.0])


@st.composite
def random_events(draw) -> list[Event]:
    count = draw(st.integers(0, 8))
    return [make_event(
        draw(st.integers(0, 30)), day=draw(st.integers(18, 20)), iso=draw(st.sampled_from([31, 51])),
        event_id_cnty=draw(ID), actor1=draw(TEXT), actor2=draw(TEXT), notes=draw(TEXT),
        latitude=draw(FLOAT), longitude=draw(FLOAT), fatalities=draw(NUMBER), timestamp=draw(st.integers(0, 2**62)),
        civilian_targeting=draw(st.sampled_from(["", "Civilian targeting"])), admin2=draw(TEXT),
        source_keys=tuple(draw(st.lists(TEXT, max_size=3))),
    ) for _ in range(count)]


@settings(max_examples=150, deadline=None)
@given(rows=EVIDENCE_ROWS)
def test_row_order_is_the_pandas_sort_of_the_keys_evidence(rows):
    frame = unsorted_frame("evidence", rows)
    assert export.row_order(export.Schema.load().table("evidence"), frame) == plain_order(export.Schema.load().table("evidence"), frame)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(SOURCE_ROW, max_size=10))
def test_row_order_is_the_pandas_sort_of_the_keys_sources(rows):
    spec = export.Schema.load().table("sources")
    frame = unsorted_frame("sources", rows)
    assert export.row_order(spec, frame) == plain_order(spec, frame)
    typed = export.sources_frame(rows)
    assert export.csv_bytes("sources", typed) == plain_csv("sources", typed)
    assert export.arrow_table("sources", typed).equals(plain_arrow("sources", typed))


@settings(max_examples=100, deadline=None)
@given(events=random_events())
def test_event_rows_render_as_pandas_and_python_values_do(events):
    frame = export.events_frame(events)
    spec = export.Schema.load().table("events")
    assert export.row_order(spec, frame.iloc[::-1].reset_index(drop=True)) == plain_order(spec, frame.iloc[::-1].reset_index(drop=True))
    for header in (True, False):
        assert export.csv_bytes("events", frame, header=header) == plain_csv("events", frame, header=header)
    assert export.arrow_table("events", frame).equals(plain_arrow("events", frame))
    evidence = export.evidence_frame(events)
    assert export.csv_bytes("evidence", evidence) == plain_csv("evidence", evidence)
    assert export.arrow_table("evidence", evidence).equals(plain_arrow("evidence", evidence))


def test_row_order_keeps_rows_equal_in_every_key_in_their_order():
    rows = [dict(event_id_cnty="AZE1", source_key="a", sentence="s", start=0, end=1)] * 3
    assert export.row_order(export.Schema.load().table("evidence"), unsorted_frame("evidence", rows)) == [0, 1, 2]


def test_csv_quotes_what_needs_quoting():
    rows = [dict(SOURCE_ROWS[0], title='Says "no", then\nleaves', publisher=" spaced ", url="")]
    text = export.csv_bytes("sources", export.sources_frame(rows), header=False).decode()
    assert '"Says ""no"", then\nleaves"' in text and ", spaced ," in text
    assert text == plain_csv("sources", export.sources_frame(rows), header=False).decode()


@pytest.mark.parametrize("table", ["events", "sources", "evidence"])
def test_the_csv_header_is_the_first_line_csv_bytes_writes(table):
    from etl.export import csv_bytes, csv_header, typed_frame
    from etl.schema import Schema

    schema = Schema.load()
    assert csv_header(schema.table(table)) == csv_bytes(table, typed_frame(schema.table(table), []), schema)
    assert csv_header(schema.table(table)).decode().rstrip("\n").split(",") == list(schema.table(table).names())


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(0, len(EVENTS)), max_size=4))
def test_pieces_of_a_frame_are_what_its_parts_render_to(cuts):
    frame = export.events_frame(EVENTS)
    edges = [0, *sorted(cuts), len(frame)]
    bounds = list(zip(edges, edges[1:]))
    pieces = export.render_pieces("events", frame, bounds)
    assert len(pieces) == len(bounds)
    for (start, stop), piece in zip(bounds, pieces):
        part = export.render("events", frame.iloc[start:stop].reset_index(drop=True))
        assert piece.csv == part.csv
        assert piece.arrow.to_pylist() == part.arrow.to_pylist()
        assert piece.arrow.schema == part.arrow.schema
    assert b"".join(p.csv for p in pieces) == export.render("events", frame).csv


_ID = st.builds(lambda prefix, n: f"{prefix}{n}" if n is not None else prefix,
                st.sampled_from(["AZE", "ARM", "A", ""]), st.one_of(st.none(), st.integers(0, 120)))
_SUPPORT = st.tuples(st.sampled_from(["000_a", "001_b", "10_c", "9_c", "x"]), st.sampled_from(["", "One.", "Two, \"quoted\"\nline."]),
                     st.integers(0, 40), st.integers(0, 40))


@settings(max_examples=40, deadline=None)
@given(supports=st.lists(st.tuples(_ID, st.lists(_SUPPORT, max_size=3)), max_size=12), size=st.integers(1, 5))
def test_evidence_chunks_are_the_evidence_frame_rendered_in_pieces(supports, size):
    events = [make_event(0, event_id_cnty=event_id, evidence=tuple(Evidence(k, s, a, b) for k, s, a, b in evidence))
              for event_id, evidence in supports]
    frame = export.evidence_frame(events)
    expected = [export.render("evidence", frame.iloc[i:i + size].reset_index(drop=True))
                for i in range(0, max(len(frame), 1), size)]
    chunks = export.evidence_chunks(events, size)
    assert [c.csv for c in chunks] == [c.csv for c in expected]
    assert [c.arrow for c in chunks] == [c.arrow for c in expected]

"""etl.validate: real ACLED exports pass, broken copies give one clear line, nothing crashes."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import export
from etl.records import Event, Evidence
from etl.validate import Checker, Loaded, arrow_to_text, frame_problems, validate_frame, validate_paths

SAMPLES = Path(__file__).parents[1] / ".." / "shared" / "acled_samples"
LEGACY = "acled_api_ukraine_2022_sample.csv"
HDX = "acled_hdx_armenia_2020_sample.csv"
NEW = "acled_export_newformat_2024_2rows.csv"
WEEKLY = "acled_aggregated_weekly_ARM_AZE_2023-09.csv"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/acled_samples not present")


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


def read_sample(name: str) -> list[list[str]]:
    with (SAMPLES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def edited_copy(tmp_path: Path, sample: str, record: int, column: str, value: str) -> Path:
    """A copy of a sample with one cell changed; ``record`` counts CSV records (header = 0)."""
    rows = read_sample(sample)
    rows[record][rows[0].index(column)] = value
    return write_rows(tmp_path / sample, rows)


def make_event(number: int = 1, **changes) -> Event:
    values = dict(
        event_date=dt.date(2023, 9, 19), time_precision=1, disorder_type="Political violence",
        event_type="Battles", sub_event_type="Armed clash", actor1="Military Forces of Azerbaijan (2003-)",
        inter1=1, actor2="Military Forces of Artsakh (2007-)", inter2=2, interaction=12, iso=31,
        region="Caucasus and Central Asia", country="Azerbaijan", location="Shusha", latitude=39.7583,
        longitude=46.7486, geo_precision=1, notes="On 19 September 2023, ...", fatalities=2,
        source_keys=("000_a",), evidence=(Evidence("000_a", "Clashes.", 0, 8),), event_id_cnty=f"AZE{number}",
        timestamp=1695081600,
    )
    values.update(changes)
    return Event(**values)


# --- real exports ------------------------------------------------------------------------

@needs_samples
@pytest.mark.parametrize("sample", [LEGACY, HDX, NEW])
def test_real_event_exports_validate_clean(checker, sample):
    assert validate_paths([SAMPLES / sample], checker) == []


@needs_samples
def test_weekly_aggregated_file_is_not_an_event_table(checker):
    problems = validate_paths([SAMPLES / WEEKLY], checker)
    assert len(problems) == 1
    line = problems[0]
    assert line.startswith(f"{SAMPLES / WEEKLY}: not an ACLED event table; it looks like ACLED's weekly aggregated")
    assert "missing required columns event_id_cnty, event_date, year, time_precision, event_type" in line
    assert "found columns WEEK, REGION, COUNTRY" in line


# --- broken copies: one expected line each ------------------------------------------------

BROKEN = [
    # (sample, CSV record (header = 0, HDX's HXL row = 1), column, value, expected "column: value: what")
    (LEGACY, 3, "sub_event_type", "Peaceful protest", "sub_event_type: Peaceful protest: not a sub-event type of Battles"),
    (LEGACY, 1, "interaction", "12",
     "interaction: 12: should be 18 (State forces-External/Other forces) for inter1 8 and inter2 1"),
    (NEW, 1, "interaction", "State forces-Civilians",
     "interaction: State forces-Civilians: should be 37 (Political militia-Civilians) for inter1 3 and inter2 7"),
    (NEW, 1, "inter1", "Aliens", "inter1: Aliens: not a number or an ACLED inter label"),
    (LEGACY, 3, "latitude", "123", "latitude: 123: must be between -90 and 90"),
    (LEGACY, 3, "longitude", "east", "longitude: east: not a number"),
    (LEGACY, 3, "latitude", "", "latitude: : missing value"),
    (LEGACY, 2, "year", "2021", "year: 2021: does not match event_date 2022-04-22"),
    (LEGACY, 2, "iso", "31", "iso: 31: the numeric ISO code of Ukraine is 804"),
    (LEGACY, 2, "region", "Middle East", "region: Middle East: the ACLED region of Ukraine is Europe"),
    (LEGACY, 2, "country", "Narnia", "country: Narnia: not an allowed country (see schemas/countries.csv)"),
    (HDX, 2, "iso3", "AZE", "iso3: AZE: the ISO3 code of Armenia is ARM"),
    (LEGACY, 2, "fatalities", "-1", "fatalities: -1: must be at least 0"),
    (LEGACY, 2, "event_date", "2022-02-30", "event_date: 2022-02-30: not a date (expected YYYY-MM-DD or DD Month YYYY)"),
    (NEW, 2, "event_date", "31 Febuary 2024", "event_date: 31 Febuary 2024: not a date (expected YYYY-MM-DD or DD Month YYYY)"),
    (NEW, 1, "disorder_type", "Demonstrations",
     "disorder_type: Demonstrations: should be Strategic developments for Strategic developments / Looting/property destruction"),
    (LEGACY, 2, "time_precision", "0", "time_precision: 0: must be between 1 and 3"),
    (LEGACY, 2, "geo_precision", "1.5", "geo_precision: 1.5: must be a whole number"),
    (LEGACY, 2, "event_id_cnty", "UKR56260", "event_id_cnty: UKR56260: duplicate: also in row 2"),
    (LEGACY, 2, "event_id_cnty", "56262", "event_id_cnty: 56262: does not match the pattern [A-Z]{3}[0-9]+"),
    (LEGACY, 2, "actor1", " ", "actor1:  : must not be empty"),
    (HDX, 2, "actor2", "Police Forces of Armenia (2018-)",
     "inter2: 0: means no second actor, but actor2 is Police Forces of Armenia (2018-)"),
    (NEW, 1, "civilian_targeting", "yes", "civilian_targeting: yes: not an allowed civilian_targeting (see schemas/taxonomy.yaml)"),
    (LEGACY, 2, "event_type", "Battle", "event_type: Battle: not an allowed event_type (see schemas/taxonomy.yaml)"),
]


@needs_samples
@pytest.mark.parametrize("sample, record, column, value, expected", BROKEN, ids=[f"{b[2]}={b[3]}" for b in BROKEN])
def test_broken_copy_gives_the_expected_line(tmp_path, checker, sample, record, column, value, expected):
    path = edited_copy(tmp_path, sample, record, column, value)
    assert validate_paths([path], checker) == [f"{path}:{record + 1}: {expected}"]


@needs_samples
def test_missing_required_column_is_one_line_and_extra_columns_are_fine(tmp_path, checker):
    rows = read_sample(LEGACY)
    drop = rows[0].index("latitude")
    rows = [r[:drop] + r[drop + 1:] + ["extra"] for r in rows]
    rows[0][-1] = "my_extra_column"
    path = write_rows(tmp_path / "no_latitude.csv", rows)
    assert validate_paths([path], checker) == [f"{path}:1: header: missing required column latitude"]


@needs_samples
def test_rows_are_numbered_as_a_person_sees_them(tmp_path, checker):
    rows = read_sample(LEGACY)[:4]
    rows[1][rows[0].index("notes")] = "First line\nsecond line\nthird line"
    rows[2][rows[0].index("latitude")] = "91"
    rows.insert(3, [])  # a blank line is skipped but still counted
    rows[4][rows[0].index("latitude")] = "-91"
    path = write_rows(tmp_path / "multiline.csv", rows)
    assert validate_paths([path], checker) == [
        f"{path}:5: latitude: 91: must be between -90 and 90",
        f"{path}:7: latitude: -91: must be between -90 and 90",
    ]


@needs_samples
def test_lines_come_in_file_order_whatever_the_check(tmp_path, checker):
    rows = read_sample(LEGACY)[:6]
    header = rows[0]
    rows[4][header.index("event_date")] = "yesterday"  # read error, line 5
    rows[2][header.index("interaction")] = "11"  # row check, line 3
    rows[2][header.index("latitude")] = "99"  # column check, line 3
    rows[1][header.index("fatalities")] = "-2"  # column check, line 2
    path = write_rows(tmp_path / "order.csv", rows)
    assert [p.split(": ")[0:2] for p in validate_paths([path], checker)] == [
        [f"{path}:2", "fatalities"], [f"{path}:3", "interaction"], [f"{path}:3", "latitude"], [f"{path}:5", "event_date"],
    ]


def test_many_duplicates_name_the_first_row(tmp_path, checker):
    frame = export.events_frame([make_event(n) for n in range(3000)])
    frame["event_id_cnty"] = "AZE1"
    problems = validate_frame(frame, checker=checker)
    assert len(problems) == 2999
    assert problems[-1] == "events:3000: event_id_cnty: AZE1: duplicate: also in row 1"


# --- bad files: one line, never a traceback -----------------------------------------------

def _sample_semicolon(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "semicolon.csv", read_sample(LEGACY)[:3], delimiter=";")


BAD_FILES = [
    ("empty", lambda p: p.write_bytes(b""), "{}: empty file"),
    ("blank", lambda p: p.write_bytes(b"\n \n\r\n"), "{}: empty file"),
    ("binary", lambda p: p.write_bytes(bytes(range(256)) * 4), "{}: binary data, not a CSV or Parquet file"),
    ("utf16", lambda p: p.write_text("event_id_cnty,event_date\n", encoding="utf-16"), "{}: UTF-16 text; save it as UTF-8 CSV"),
    ("latin1", lambda p: p.write_bytes("country\nCôte\n".encode("latin-1")),
     "{}: not UTF-8 text (byte 0xf4 at offset 9); save it as UTF-8 CSV"),
    ("bad_parquet", lambda p: p.write_bytes(b"PAR1" + b"\x00garbage" * 10), "{}: not a readable Parquet file:"),
]


@pytest.mark.parametrize("name, make, expected", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_give_one_line(tmp_path, checker, name, make, expected):
    path = tmp_path / f"{name}.csv"
    make(path)
    problems = validate_paths([path], checker)
    assert len(problems) == 1
    assert problems[0].startswith(expected.format(path))


def test_missing_file_and_empty_folder(tmp_path, checker):
    missing = tmp_path / "nope.csv"
    assert validate_paths([missing], checker) == [f"{missing}: no such file"]
    assert validate_paths([tmp_path], checker) == [f"{tmp_path}: is a folder with no tables in it"]


@needs_samples
def test_wrong_delimiter_is_named(tmp_path, checker):
    path = _sample_semicolon(tmp_path)
    assert validate_paths([path], checker) == [
        f"{path}:1: header: the file looks semicolon-separated; expected a comma-separated CSV"
    ]


@needs_samples
def test_ragged_row_is_reported_and_skipped(tmp_path, checker):
    rows = read_sample(LEGACY)[:4]
    rows[2] = rows[2][:5]
    path = write_rows(tmp_path / "ragged.csv", rows)
    assert validate_paths([path], checker) == [f"{path}:3: row has 5 fields, the header has 31; row skipped"]


@needs_samples
def test_header_only_table_is_valid(tmp_path, checker):
    path = write_rows(tmp_path / "header.csv", read_sample(NEW)[:1])
    assert validate_paths([path], checker) == []


# --- our own tables ----------------------------------------------------------------------

EVENTS = [make_event(1), make_event(2, source_keys=("000_a", "001_b"), fatalities=0)]
SOURCES = [dict(source_key="000_a", file="000_a.txt", sha256="a" * 64, n_events=2, status="ok",
                reference_date_how="manifest", reference_date=dt.date(2023, 9, 20))]


def write_build(folder: Path, events=EVENTS, sources=SOURCES) -> Path:
    export.write_tables(folder, {
        "events": export.events_frame(events),
        "sources": export.sources_frame(sources),
        "evidence": export.evidence_frame(events),
    })
    return folder


def test_built_tables_validate_clean(tmp_path, checker):
    sources = SOURCES + [dict(SOURCES[0], source_key="001_b", file="001_b.txt", sha256="b" * 64)]
    folder = write_build(tmp_path, sources=sources)
    assert validate_paths([folder], checker) == []
    assert validate_paths([folder / "events.csv", folder / "sources.csv", folder / "evidence.csv"], checker) == []


def test_unknown_source_key_is_reported_when_sources_are_given(tmp_path, checker):
    folder = write_build(tmp_path)
    events = folder / "events.parquet"
    assert validate_paths([events], checker) == []  # no sources table: keys not checked
    assert validate_paths([events, folder / "sources.parquet"], checker) == [
        f"{events}:2: source_keys: 000_a;001_b: not in the sources table: 001_b"
    ]
    assert validate_paths([folder], checker) == [f"{events}:2: source_keys: 000_a;001_b: not in the sources table: 001_b"]


def test_our_tables_need_every_column(tmp_path, checker):
    frame = export.events_frame(EVENTS).drop(columns=["fatalities"])
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    assert validate_paths([path], checker) == [f"{path}:1: header: missing required column fatalities"]


def test_parquet_with_wrong_types_is_reported(tmp_path, checker):
    table = export.arrow_table("events", export.events_frame(EVENTS))
    columns = {name: table.column(name) for name in table.column_names}
    columns["latitude"] = pa.array(["39.7", "north"])
    columns["event_date"] = pa.array(["2023-09-19", "2023-09-19"])
    broken = pa.table(columns).replace_schema_metadata(table.schema.metadata)
    path = tmp_path / "events.parquet"
    pq.write_table(broken, path)
    assert validate_paths([path], checker) == [
        f"{path}: event_date: Parquet type is string, the schema says date32[day]",
        f"{path}: latitude: Parquet type is string, the schema says double",
        f"{path}:2: latitude: north: not a number",
    ]


@needs_samples
def test_acled_export_as_parquet_validates(tmp_path, checker):
    path = tmp_path / "legacy.parquet"
    pd.read_csv(SAMPLES / LEGACY).to_parquet(path)
    assert validate_paths([path], checker) == []
    frame = pd.read_csv(SAMPLES / LEGACY)
    frame.loc[4, "latitude"] = 123.5
    frame.to_parquet(path)
    assert validate_paths([path], checker) == [f"{path}:5: latitude: 123.5: must be between -90 and 90"]


# --- validate_frame (the build's own check) -----------------------------------------------

FRAME_CASES = [
    (dict(latitude=123.0), "events:1: latitude: 123: must be between -90 and 90"),
    (dict(sub_event_type="Peaceful protest"), "events:1: sub_event_type: Peaceful protest: not a sub-event type of Battles"),
    (dict(interaction=21), "events:1: interaction: 21: should be 12 (State forces-Rebel group) for inter1 1 and inter2 2"),
    (dict(fatalities=-3), "events:1: fatalities: -3: must be at least 0"),
    (dict(iso=51), "events:1: iso: 51: the numeric ISO code of Azerbaijan is 31"),
    (dict(disorder_type="Demonstrations"), "events:1: disorder_type: Demonstrations: should be Political violence for Battles / Armed clash"),
    (dict(source_keys=("zzz",)), "events:1: source_keys: zzz: not in the sources table: zzz"),
    (dict(source_keys=()), "events:1: source_keys: : an event needs at least one source key"),
    (dict(event_id_cnty=""), "events:1: event_id_cnty: : must not be empty"),
    (dict(time_precision=5), "events:1: time_precision: 5: must be between 1 and 3"),
]


@pytest.mark.parametrize("changes, expected", FRAME_CASES, ids=[next(iter(c)) for c, _ in FRAME_CASES])
def test_validate_frame_reports_bad_values(checker, changes, expected):
    frame = export.events_frame([make_event(1, **changes)])
    assert validate_frame(frame, source_keys={"000_a"}, checker=checker) == [expected]


def test_validate_frame_accepts_good_events(checker):
    assert validate_frame(export.events_frame(EVENTS), source_keys={"000_a", "001_b"}, checker=checker) == []
    assert validate_frame(export.events_frame([]), source_keys=set(), checker=checker) == []


def test_validate_frame_reports_year_mismatch(checker):
    frame = export.events_frame([make_event(1)])
    frame["year"] = frame["year"] + 1
    assert validate_frame(frame, checker=checker) == ["events:1: year: 2024: does not match event_date 2023-09-19"]


# --- hypothesis: never a traceback, always lines naming the file -------------------------

settings_fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_fast
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash(tmp_path, checker, data):
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    problems = validate_paths([path], checker)
    assert problems and all(isinstance(p, str) and p.startswith(str(path)) and "\n" not in p for p in problems)


HEADER = ",".join(Checker.load().schema.table("events").names()) + "\n"
TOKENS = list('ab,;"\n\r\t #1-.é') + [HEADER, "event_id_cnty", "latitude", "AZE1", "2023-09-19", "-91", "Battles"]


@settings_fast
@given(text=st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_random_csv_text_never_crashes(tmp_path, checker, text):
    path = tmp_path / "random.csv"
    path.write_text(text, encoding="utf-8")
    problems = validate_paths([path], checker)
    assert all(p.startswith(str(path)) for p in problems)


@needs_samples
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=st.integers(1, 2), column=st.integers(0, 30), value=st.text(max_size=30))
def test_any_cell_value_gives_lines_not_tracebacks(tmp_path, checker, record, column, value):
    rows = read_sample(NEW)
    rows[record][column] = value
    path = write_rows(tmp_path / "cell.csv", rows)
    problems = validate_paths([path], checker)
    assert all(p.startswith(f"{path}:") for p in problems)
    if value == read_sample(NEW)[record][column]:
        assert problems == []


@settings(max_examples=20, deadline=None)
@given(latitude=st.floats(allow_nan=True, allow_infinity=True), fatalities=st.integers(-10, 10),
       inter2=st.integers(0, 8))
def test_validate_frame_never_crashes(checker, latitude, fatalities, inter2):
    event = make_event(1, latitude=latitude, fatalities=fatalities, inter2=inter2)
    problems = validate_frame(export.events_frame([event]), checker=checker)
    assert all(p.startswith("events:1: ") for p in problems)
    assert bool(problems) == (not -90 <= latitude <= 90 or fatalities < 0 or inter2 != 2)


ARROW_VALUES = {
    "string": (pa.string(), st.text(max_size=8)),
    "int": (pa.int64(), st.integers(-(2**40), 2**40)),
    "float": (pa.float64(), st.floats()),
    "bool": (pa.bool_(), st.booleans()),
    "date": (pa.date32(), st.dates()),
    "list": (pa.list_(pa.int32()), st.lists(st.integers(-5, 5), max_size=3)),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), ours=st.booleans())
def test_parquet_with_any_column_types_never_crashes(tmp_path, checker, data, ours):
    frame = export.events_frame([make_event(1), make_event(2)])
    table = export.arrow_table("events", frame)
    columns = {name: table.column(name) for name in table.column_names}
    for name in data.draw(st.lists(st.sampled_from(table.column_names), max_size=4, unique=True)):
        arrow_type, values = ARROW_VALUES[data.draw(st.sampled_from(sorted(ARROW_VALUES)))]
        columns[name] = pa.array(data.draw(st.lists(st.none() | values, min_size=2, max_size=2)), type=arrow_type)
    broken = pa.table(columns)
    if ours:
        broken = broken.replace_schema_metadata(table.schema.metadata)
    path = tmp_path / "events.parquet"
    pq.write_table(broken, path)
    problems = validate_paths([path], checker)
    assert all(p.startswith(str(path)) and "please report" not in p for p in problems)


# --- the build's typed frames are checked from their values, with the text path's result ---

KEY = st.text(st.sampled_from(list("ab0; _\n")), max_size=4)
VALUE_TEXT = st.text(st.sampled_from(list("AZE09 ;,\"\n")), max_size=6)


@st.composite
def odd_events(draw) -> list[Event]:
    """Events, valid or not: values the text path reads back differently included."""
    return [make_event(
        event_id_cnty=draw(st.sampled_from(["AZE1", "AZE2", "", "aze3"]) | VALUE_TEXT),
        event_date=draw(st.dates() | st.sampled_from([dt.date(2023, 9, 19), dt.date(1677, 1, 1), dt.date(2262, 5, 1)])),
        latitude=draw(st.floats(allow_nan=True, allow_infinity=True) | st.just(39.5)),
        fatalities=draw(st.integers(-3, 3)), inter2=draw(st.integers(0, 8)), interaction=draw(st.sampled_from([12, 10, 17])),
        actor2=draw(st.sampled_from(["", "Rebels"])), country=draw(st.sampled_from(["Azerbaijan", "Armenia", "Atlantis"])),
        source_keys=tuple(draw(st.lists(KEY | st.just("000_a"), max_size=3))), notes=draw(VALUE_TEXT),
    ) for _ in range(draw(st.integers(0, 4)))]


def text_check_frame(checker: Checker, frame: pd.DataFrame, table: str) -> pd.DataFrame:
    raw = arrow_to_text(pa.Table.from_pandas(frame, preserve_index=False), table)
    loaded = Loaded(table, raw, list(range(1, len(raw) + 1)), None, True, table)
    return checker.check_frame(loaded, checker.schema.table(table))[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=odd_events(), known=st.none() | st.just({"000_a", "b"}))
def test_validate_frame_gives_the_lines_of_the_text_path(checker, events, known):
    frame = export.events_frame(events)
    keys = frozenset(known) if known is not None else None
    expected = frame_problems(frame, keys, table="events", label=None, checker=checker, first_row=7)
    assert validate_frame(frame, known, checker=checker, first_row=7) == expected
    typed = checker.typed_check_frame(checker.schema.table("events"), frame)
    if typed is not None:
        pd.testing.assert_frame_equal(typed, text_check_frame(checker, frame, "events"))


def test_clean_typed_frames_pass_from_their_values(checker):
    events = [make_event(1), make_event(2, event_date=dt.date(2024, 1, 2))]
    assert checker.typed_frame_passes(export.events_frame(events), "events", frozenset({"000_a"}))
    assert checker.typed_frame_passes(export.evidence_frame(events), "evidence", None)
    rows = [dict(source_key="000_a", file="000_a.txt", sha256="a" * 64, published_date=dt.date(2023, 9, 19),
                 reference_date_how="manifest", n_events=1, status="ok")]
    sources = export.sources_frame(rows)
    assert checker.typed_frame_passes(sources, "sources", None)
    pd.testing.assert_frame_equal(checker.typed_check_frame(checker.schema.table("sources"), sources),
                                  text_check_frame(checker, sources, "sources"))


@pytest.mark.parametrize("changes", [
    dict(source_keys=("000_a;b",)), dict(source_keys=(" 000_a",)), dict(event_date=dt.date(1600, 1, 1)),
    dict(latitude=float("nan")), dict(latitude=float("inf")),
], ids=["key with ;", "key with space", "date out of range", "NaN", "inf"])
def test_values_that_read_back_differently_go_the_text_path(checker, changes):
    frame = export.events_frame([make_event(1, **changes)])
    assert checker.typed_check_frame(checker.schema.table("events"), frame) is None
    assert not checker.typed_frame_passes(frame, "events", frozenset({"000_a", "b"}))


def test_frames_not_typed_as_the_table_go_the_text_path(checker):
    frame = export.events_frame([make_event(1)])
    as_text = frame.astype({"fatalities": object, "latitude": object})
    assert checker.typed_check_frame(checker.schema.table("events"), as_text) is None
    assert checker.typed_check_frame(checker.schema.table("events"), frame.drop(columns="tags")) is None
    assert checker.typed_check_frame(checker.schema.table("events"), frame.assign(iso3="AZE")) is None
    assert validate_frame(as_text.assign(fatalities="-1"), checker=checker) == ["events:1: fatalities: -1: must be at least 0"]


def test_a_checker_that_has_checked_frames_can_still_be_pickled():
    import pickle

    checker = Checker.load()
    frame = export.events_frame([make_event(1)])
    assert checker.typed_frame_passes(frame, "events", frozenset({"000_a"}))
    copy = pickle.loads(pickle.dumps(checker))
    assert copy.schema == checker.schema
    assert copy.typed_frame_passes(frame, "events", frozenset({"000_a"}))
    assert not copy.typed_frame_passes(frame, "events", frozenset({"other"}))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(odd_events(), min_size=1, max_size=3))
def test_frames_checked_together_pass_exactly_when_each_passes_and_ids_do_not_repeat(checker, parts):
    frames = [export.events_frame(part) for part in parts]
    each = all(checker.typed_frame_passes(frame, "events", None) for frame in frames)
    ids = [e.event_id_cnty for part in parts for e in part]
    assert checker.typed_frames_pass(frames, "events") == (each and len(set(ids)) == len(ids))


def test_frames_checked_together_need_frames_of_a_known_table(checker):
    frame = export.events_frame([make_event(1)])
    assert checker.typed_frames_pass([frame, export.events_frame([make_event(2)])], "events")
    assert not checker.typed_frames_pass([], "events")
    assert not checker.typed_frames_pass([frame], "nonsense")
    assert not checker.typed_frames_pass([frame, frame.astype({"fatalities": object})], "events")

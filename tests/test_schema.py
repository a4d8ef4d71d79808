"""etl.schema: columns, order and types derived from schemas/columns.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import DataFileError
from etl.paths import schemas_dir
from etl.schema import Schema, arrow_schema, markdown_column_table, pandera_column_schema, pandera_row_schema, pandera_schema
from etl.taxonomy import Taxonomy

ACLED_ORDER = (
    "event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1 "
    "assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region country "
    "admin1 admin2 admin3 location latitude longitude geo_precision source source_scale notes fatalities "
    "tags timestamp"
).split()


@pytest.fixture(scope="module")
def schema() -> Schema:
    return Schema.load()


@pytest.mark.parametrize(
    "table, columns",
    [
        ("events", ACLED_ORDER + ["source_keys"]),
        ("sources", "source_key file sha256 publisher url published_date reference_date reference_date_how "
                    "title n_events status duplicate_of".split()),
        ("evidence", "event_id_cnty source_key sentence start end".split()),
    ],
)
def test_tables_have_their_columns_in_order(schema, table, columns):
    assert schema.table(table).names() == columns
    assert arrow_schema(table).names == columns


@pytest.mark.parametrize(
    "column, arrow_type",
    [
        ("event_date", pa.date32()),
        ("year", pa.int16()),
        ("time_precision", pa.int8()),
        ("inter1", pa.int8()),
        ("interaction", pa.int16()),
        ("iso", pa.int16()),
        ("fatalities", pa.int32()),
        ("timestamp", pa.int64()),
        ("latitude", pa.float64()),
        ("event_type", pa.dictionary(pa.int32(), pa.string())),
        ("country", pa.dictionary(pa.int32(), pa.string())),
        ("notes", pa.string()),
        ("source_keys", pa.list_(pa.string())),
    ],
)
def test_arrow_types(column, arrow_type):
    assert arrow_schema("events").field(column).type == arrow_type


def test_arrow_schema_carries_the_schema_version(schema):
    metadata = arrow_schema("events").metadata
    assert metadata[b"acled_etl.schema_version"] == str(schema.version).encode()
    assert metadata[b"acled_etl.table"] == b"events"


def test_columns_hdx_exports_lack_are_optional(schema):
    required = schema.table("events").required()
    for optional in ("fatalities", "iso", "admin3", "disorder_type", "civilian_targeting", "tags", "source_keys"):
        assert optional not in required
    for needed in ("event_id_cnty", "event_date", "event_type", "sub_event_type", "latitude", "interaction"):
        assert needed in required


def test_markdown_column_table_lists_every_column_with_type_and_meaning(schema):
    table = markdown_column_table()
    lines = table.strip().splitlines()
    assert lines[0] == "| column | type | meaning |"
    rows = lines[2:]
    assert [row.split("|")[1].strip().strip("`") for row in rows] == schema.table("events").names()
    assert all(len(row.split("|")) == 5 and row.split("|")[3].strip() for row in rows)
    assert "| `event_date` | date |" in table
    assert "| `source_keys` | list of text |" in table


def test_markdown_table_for_other_tables():
    assert "| `sha256` |" in markdown_column_table("sources")


def test_pandera_schema_has_checks_for_each_declared_rule(schema):
    spec = schema.table("events")
    pandera, _ = pandera_schema(spec, Taxonomy.load())
    assert set(pandera.columns) == {c.name for c in spec.checked_columns()}
    assert {c.name for c in pandera.checks} == set(spec.row_checks)
    assert pandera.columns["event_id_cnty"].unique
    errors = [c.error for c in pandera.columns["latitude"].checks]
    assert "must be between -90 and 90" in errors


def test_pandera_schema_skips_row_checks_whose_columns_are_absent(schema):
    spec = schema.table("events")
    present = [c for c in spec.names() if c not in ("iso", "fatalities")]
    pandera, _ = pandera_schema(spec, Taxonomy.load(), present)
    names = {c.name for c in pandera.checks}
    assert "iso_country" not in names and "interaction" in names


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda t: t.replace("type: date,", "type: datetime,", 1), "unknown type"),
        (lambda t: t.replace("row_checks: [taxonomy_pair,", "row_checks: [no_such_check,", 1), "unknown row_checks"),
        (lambda t: t.replace("min: 1900,", "minimum: 1900,", 1), "unknown keys"),
        (lambda t: t + "\n  : [", "not valid YAML"),
        (lambda t: "version: 1\n", "malformed"),
    ],
)
def test_malformed_columns_file_is_a_data_file_error(tmp_path, edit, problem):
    for name in ("columns.yaml", "taxonomy.yaml", "countries.csv"):
        shutil.copy(schemas_dir() / name, tmp_path / name)
    path = tmp_path / "columns.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataFileError, match=problem):
        Schema.load(tmp_path)


def test_missing_schema_folder_is_a_data_file_error(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        Schema.load(Path(tmp_path) / "nowhere")


def test_pandera_schema_halves_hold_its_column_and_row_checks(schema):
    spec = schema.table("events")
    taxonomy = Taxonomy.load()
    whole, _ = pandera_schema(spec, taxonomy, spec.names(), frozenset({"a"}))
    columns = pandera_column_schema(spec, taxonomy, spec.names())
    rows, ctx = pandera_row_schema(spec, taxonomy, spec.names(), frozenset({"a"}))
    assert list(columns.columns) == list(whole.columns) and not columns.checks
    assert [c.error for c in columns.columns["latitude"].checks] == [c.error for c in whole.columns["latitude"].checks]
    assert not rows.columns and [c.name for c in rows.checks] == [c.name for c in whole.checks]
    assert ctx.source_keys == frozenset({"a"})


def test_column_schema_of_checked_columns_leaves_out_the_others(schema):
    spec = schema.table("events")
    columns = pandera_column_schema(spec, Taxonomy.load(), spec.names(), only_checked=True)
    assert "notes" not in columns.columns and "source_keys" not in columns.columns
    assert {"event_id_cnty", "latitude", "country", "actor1"} <= set(columns.columns)

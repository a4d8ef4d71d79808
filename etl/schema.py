"""The tables' schema, declared once in ``schemas/columns.yaml`` and derived from there.

    spec = Schema.load().table("events")
    spec.names()                        -> CSV header order (ACLED's order + source_keys)
    arrow_schema("events")              -> the Parquet (Arrow) schema, with the schema version
    pandera_schema(spec, taxonomy, ...) -> the pandera DataFrameSchema the validator runs
                                           (or its two halves: pandera_column_schema, pandera_row_schema)
    markdown_column_table()             -> the README's column table

The pandera schema runs on a *check frame*: every column already read into plain values
(strings; numbers as float64 with NaN where a cell was empty or unreadable; dates as
datetime64 with NaT), see ``etl.validate``. Column checks (ranges, allowed values,
patterns, uniqueness) come from the YAML keys; checks across columns are the named
``row_checks`` implemented below (``ROW_CHECKS``), each flagging rows and explaining them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .errors import DataFileError
from .paths import schemas_dir
from .taxonomy import Taxonomy
from .vocab import load_yaml

VERSION_KEY = b"acled_etl.schema_version"
TABLE_KEY = b"acled_etl.table"

TYPES = ("string", "category", "date", "int8", "int16", "int32", "int64", "float64", "string_list")
INT_TYPES = ("int8", "int16", "int32", "int64")
_ARROW = {
    "string": pa.string(),
    "category": pa.dictionary(pa.int32(), pa.string()),
    "date": pa.date32(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "string_list": pa.list_(pa.string()),
}
_README_TYPE = {
    "string": "text",
    "category": "text (dictionary)",
    "date": "date",
    "int8": "integer",
    "int16": "integer",
    "int32": "integer",
    "int64": "integer",
    "float64": "decimal",
    "string_list": "list of text",
}
_ALLOWED_FILES = {"countries": "countries.csv"}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    meaning: str
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    allowed_from: str | None = None
    pattern: str | None = None
    not_empty: bool = False
    unique: bool = False
    labels: str | None = None
    empty_as: int | None = None
    formats: tuple[str, ...] = ()

    @property
    def is_int(self) -> bool:
        return self.type in INT_TYPES

    @property
    def is_number(self) -> bool:
        return self.is_int or self.type == "float64"

    def allowed_values(self, taxonomy: Taxonomy) -> tuple[str, ...] | None:
        if self.allowed is not None:
            return self.allowed
        if self.allowed_from is None:
            return None
        source = self.allowed_from
        if source == "event_types":
            return tuple(taxonomy.event_types)
        if source == "sub_event_types":
            return tuple(dict.fromkeys(taxonomy.sub_event_types()))
        if source == "disorder_types":
            return tuple(taxonomy.disorder_types())
        if source == "regions":
            return taxonomy.regions
        if source == "civilian_targeting":
            return taxonomy.civilian_targeting
        if source == "countries":
            return tuple(n for c in taxonomy.countries for n in (c.name, *c.aliases))
        raise DataFileError(f"columns.yaml: {self.name}: unknown allowed_from {source!r}")


@dataclass(frozen=True)
class TableSpec:
    name: str
    meaning: str
    columns: tuple[ColumnSpec, ...]
    sort: tuple[str, ...]
    row_checks: tuple[str, ...]
    input_only: tuple[ColumnSpec, ...] = ()

    def names(self) -> list[str]:
        """Column names in the order the tables are written (CSV header, Parquet)."""
        return [c.name for c in self.columns]

    def required(self) -> list[str]:
        """Columns every input table of this kind must have (an ACLED export may lack the rest)."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for spec in (*self.columns, *self.input_only):
            if spec.name == name:
                return spec
        raise KeyError(name)

    def checked_columns(self) -> tuple[ColumnSpec, ...]:
        return self.columns + self.input_only


@dataclass(frozen=True)
class OtherTable:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    version: int
    tables: dict[str, TableSpec]
    other_tables: tuple[OtherTable, ...] = ()
    folder: Path = field(default_factory=schemas_dir)

    @classmethod
    def load(cls, folder: Path | None = None) -> "Schema":
        folder = Path(folder) if folder else schemas_dir()
        path = folder / "columns.yaml"
        data = load_yaml(path)
        try:
            tables = {name: _table(name, spec) for name, spec in data["tables"].items()}
            others = tuple(OtherTable(o["name"], tuple(o["columns"])) for o in data.get("known_other_tables", []))
            return cls(int(data["version"]), tables, others, folder)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataFileError(f"{path}: malformed: {exc}") from None

    def table(self, name: str) -> TableSpec:
        return self.tables[name]


def _table(name: str, spec: dict) -> TableSpec:
    columns = tuple(_column(c) for c in spec["columns"])
    checks = tuple(spec.get("row_checks", ()))
    unknown = [c for c in checks if c not in ROW_CHECKS]
    if unknown:
        raise ValueError(f"table {name}: unknown row_checks {unknown}")
    return TableSpec(
        name=name,
        meaning=str(spec.get("meaning", "")),
        columns=columns,
        sort=tuple(spec.get("sort", ())),
        row_checks=checks,
        input_only=tuple(_column(c) for c in spec.get("input_only", ())),
    )


def _column(spec: dict) -> ColumnSpec:
    if spec["type"] not in TYPES:
        raise ValueError(f"column {spec['name']}: unknown type {spec['type']!r}")
    known = set(ColumnSpec.__dataclass_fields__)
    extra = set(spec) - known
    if extra:
        raise ValueError(f"column {spec['name']}: unknown keys {sorted(extra)}")
    if spec.get("labels") not in (None, "inter", "interaction"):
        raise ValueError(f"column {spec['name']}: labels must be inter or interaction")
    values = dict(spec)
    if "allowed" in values:
        values["allowed"] = tuple(str(v) for v in values["allowed"])
    if "formats" in values:
        values["formats"] = tuple(values["formats"])
    return ColumnSpec(**values)


# --- derived: Arrow schema, README table -------------------------------------------------

def arrow_schema(table: str = "events", schema: Schema | None = None) -> pa.Schema:
    """The Arrow schema tables are written with; carries the schema version and table name."""
    schema = schema or Schema.load()
    spec = schema.table(table)
    fields = [pa.field(c.name, _ARROW[c.type], nullable=True) for c in spec.columns]
    return pa.schema(fields, metadata={VERSION_KEY: str(schema.version).encode(), TABLE_KEY: table.encode()})


def markdown_column_table(table: str = "events", schema: Schema | None = None) -> str:
    """A Markdown table (column, type, meaning) of a table's columns, in the written order."""
    schema = schema or Schema.load()
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column in schema.table(table).columns:
        meaning = column.meaning.replace("|", "\\|")
        optional = "" if column.required else " (may be absent in ACLED exports)"
        lines.append(f"| `{column.name}` | {_README_TYPE[column.type]} | {meaning}{optional} |")
    return "\n".join(lines) + "\n"


# --- derived: the pandera schema -----------------------------------------------------------

@dataclass(frozen=True)
class RowCheck:
    """A check across columns: ``ok(frame)`` flags rows; ``explain(row)`` -> (column, what)."""

    columns: tuple[str, ...]  # needed columns (the check is skipped when one is absent)
    ok: Callable[[pd.DataFrame, "CheckContext"], pd.Series]
    explain: Callable[[pd.Series, "CheckContext"], tuple[str, str]]
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckContext:
    taxonomy: Taxonomy
    source_keys: frozenset[str] | None = None


def _present(series: pd.Series) -> pd.Series:
    if series.dtype.kind in "fiM":
        return series.notna()
    return series.notna() & (series.astype(str) != "")


def _pair_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    tax = ctx.taxonomy
    known = d["event_type"].isin(list(tax.event_types)) & d["sub_event_type"].isin(tax.sub_event_types())
    valid = [tax.is_valid(e, s) for e, s in zip(d["event_type"], d["sub_event_type"])]
    return ~known | pd.Series(valid, index=d.index, dtype=bool)


def _disorder_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    tax = ctx.taxonomy
    out = []
    for e, s, dis in zip(d["event_type"], d["sub_event_type"], d["disorder_type"]):
        out.append(not tax.is_valid(e, s) or dis == tax.disorder_type(e, s))
    return pd.Series(out, index=d.index, dtype=bool)


def _actor2_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    has_actor = d["actor2"].astype(str).str.strip() != ""
    return d["inter2"].isna() | (has_actor == (d["inter2"] != 0))


def _interaction_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    codes = set(ctx.taxonomy.inter_codes)
    out = []
    for a, b, i in zip(d["inter1"], d["inter2"], d["interaction"]):
        if pd.isna(a) or pd.isna(b) or pd.isna(i) or a not in codes or b not in codes:
            out.append(True)
        else:
            out.append(ctx.taxonomy.interaction(int(a), int(b)) == i)
    return pd.Series(out, index=d.index, dtype=bool)


def _year_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    return d["event_date"].isna() | d["year"].isna() | (d["event_date"].dt.year == d["year"])


def _country_field_ok(column: str, attribute: str) -> Callable[[pd.DataFrame, CheckContext], pd.Series]:
    def ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
        regions = set(ctx.taxonomy.regions)
        out = []
        for name, value in zip(d["country"], d[column]):
            country = ctx.taxonomy.country_named(str(name))
            if country is None or pd.isna(value) or value == "" or (attribute == "region" and value not in regions):
                out.append(True)  # unknown values are reported by the column checks
            else:
                out.append(getattr(country, attribute) == value)
        return pd.Series(out, index=d.index, dtype=bool)

    return ok


def _country_field_explain(column: str, attribute: str, label: str):
    def explain(row: pd.Series, ctx: CheckContext) -> tuple[str, str]:
        country = ctx.taxonomy.country_named(str(row["country"]))
        return column, f"{label} of {row['country']} is {getattr(country, attribute)}"

    return explain


def _keys_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    known = ctx.source_keys
    out = []
    for keys in d["source_keys"]:
        if not isinstance(keys, (list, tuple)):
            out.append(True)  # unreadable: reported when read
        elif not keys:
            out.append(False)
        else:
            out.append(known is None or all(k in known for k in keys))
    return pd.Series(out, index=d.index, dtype=bool)


def _keys_explain(row: pd.Series, ctx: CheckContext) -> tuple[str, str]:
    keys = row["source_keys"]
    if not keys:
        return "source_keys", "an event needs at least one source key"
    missing = [k for k in keys if ctx.source_keys is not None and k not in ctx.source_keys]
    return "source_keys", f"not in the sources table: {'; '.join(missing)}"


def _duplicate_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    return (d["status"] == "duplicate") == _present(d["duplicate_of"])


def _span_ok(d: pd.DataFrame, ctx: CheckContext) -> pd.Series:
    return d["start"].isna() | d["end"].isna() | (d["end"] >= d["start"])


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


ROW_CHECKS: dict[str, RowCheck] = {
    "taxonomy_pair": RowCheck(
        ("event_type", "sub_event_type"), _pair_ok,
        lambda r, c: ("sub_event_type", f"not a sub-event type of {r['event_type']}"),
    ),
    "disorder_type": RowCheck(
        ("event_type", "sub_event_type", "disorder_type"), _disorder_ok,
        lambda r, c: ("disorder_type", f"should be {c.taxonomy.disorder_type(r['event_type'], r['sub_event_type'])} "
                                       f"for {r['event_type']} / {r['sub_event_type']}"),
    ),
    "actor2_inter": RowCheck(
        ("actor2", "inter2"), _actor2_ok,
        lambda r, c: ("inter2", f"means no second actor, but actor2 is {r['actor2']}" if r["inter2"] == 0
                      else "should be 0 (or empty) when actor2 is empty"),
    ),
    "interaction": RowCheck(
        ("inter1", "inter2", "interaction"), _interaction_ok,
        lambda r, c: ("interaction", f"should be {c.taxonomy.interaction(int(r['inter1']), int(r['inter2']))} "
                                     f"({c.taxonomy.interaction_label(int(r['inter1']), int(r['inter2']))}) "
                                     f"for inter1 {_fmt(r['inter1'])} and inter2 {_fmt(r['inter2'])}"),
    ),
    "year": RowCheck(
        ("event_date", "year"), _year_ok,
        lambda r, c: ("year", f"does not match event_date {r['event_date'].date().isoformat()}"),
    ),
    "iso_country": RowCheck(
        ("iso", "country"), _country_field_ok("iso", "iso"), _country_field_explain("iso", "iso", "the numeric ISO code"),
    ),
    "iso3_country": RowCheck(
        ("iso3", "country"), _country_field_ok("iso3", "iso3"), _country_field_explain("iso3", "iso3", "the ISO3 code"),
    ),
    "region_country": RowCheck(
        ("region", "country"), _country_field_ok("region", "region"),
        _country_field_explain("region", "region", "the ACLED region"),
    ),
    "source_keys_known": RowCheck(("source_keys",), _keys_ok, _keys_explain),
    "duplicate_of": RowCheck(
        ("status", "duplicate_of"), _duplicate_ok,
        lambda r, c: ("duplicate_of", "must be set exactly when status is duplicate"),
    ),
    "span": RowCheck(("start", "end"), _span_ok, lambda r, c: ("end", f"is before start {_fmt(r['start'])}")),
}


def pandera_schema(spec: TableSpec, taxonomy: Taxonomy, present: list[str] | None = None,
                   source_keys: frozenset[str] | None = None):
    """The pandera DataFrameSchema of a table, over the columns ``present`` (default: all).

    Column checks carry their explanation as ``error``; row checks are named after their
    ``ROW_CHECKS`` key (``error`` = the key), so a failure can be explained per row.
    """
    import pandera.pandas as pa_

    present = _present_columns(spec, present)
    ctx = CheckContext(taxonomy, source_keys)
    schema = pa_.DataFrameSchema(_pandera_columns(spec, taxonomy, present, pa_), checks=_row_checks(spec, present, ctx, pa_),
                                 strict=False, coerce=False)
    return schema, ctx


def pandera_column_schema(spec: TableSpec, taxonomy: Taxonomy, present: list[str] | None = None, *,
                          only_checked: bool = False):
    """The column checks of ``pandera_schema`` alone. They do not depend on the source
    keys, so one schema serves every frame with the same columns (building one copies
    every column and its checks: it costs more than running it on a small frame).

    ``only_checked``: leave out the columns whose only check is that they are there (for
    frames known to have every column)."""
    import pandera.pandas as pa_

    columns = _pandera_columns(spec, taxonomy, _present_columns(spec, present), pa_)
    if only_checked:
        columns = {name: column for name, column in columns.items() if column.checks or column.unique}
    return pa_.DataFrameSchema(columns, strict=False, coerce=False)


def pandera_row_schema(spec: TableSpec, taxonomy: Taxonomy, present: list[str] | None = None,
                       source_keys: frozenset[str] | None = None):
    """The row checks of ``pandera_schema`` alone (no columns: quick to build). A frame
    passes ``pandera_schema`` exactly when it passes this and ``pandera_column_schema``."""
    import pandera.pandas as pa_

    ctx = CheckContext(taxonomy, source_keys)
    schema = pa_.DataFrameSchema(checks=_row_checks(spec, _present_columns(spec, present), ctx, pa_),
                                 strict=False, coerce=False)
    return schema, ctx


def _present_columns(spec: TableSpec, present: list[str] | None) -> list[str]:
    return list(present) if present is not None else [c.name for c in spec.checked_columns()]


def _pandera_columns(spec: TableSpec, taxonomy: Taxonomy, present: list[str], pa_) -> dict:
    columns = {}
    for column in spec.checked_columns():
        if column.name not in present:
            continue
        columns[column.name] = pa_.Column(
            None, _column_checks(column, taxonomy, pa_), nullable=True, required=True,
            unique=column.unique, report_duplicates="exclude_first",
        )
    return columns


def _row_checks(spec: TableSpec, present: list[str], ctx: CheckContext, pa_) -> list:
    checks = []
    for name in spec.row_checks:
        check = ROW_CHECKS[name]
        if all(c in present for c in check.columns):
            checks.append(pa_.Check(_bind(check, ctx), name=name, error=name))
    return checks


def _bind(check: RowCheck, ctx: CheckContext):
    return lambda frame: check.ok(frame, ctx)


def _column_checks(column: ColumnSpec, taxonomy: Taxonomy, pa_) -> list:
    checks = []
    if column.min is not None and column.max is not None:
        checks.append(pa_.Check.in_range(column.min, column.max, error=f"must be between {_fmt(column.min)} and {_fmt(column.max)}"))
    elif column.min is not None:
        checks.append(pa_.Check.ge(column.min, error=f"must be at least {_fmt(column.min)}"))
    elif column.max is not None:
        checks.append(pa_.Check.le(column.max, error=f"must be at most {_fmt(column.max)}"))
    allowed = column.allowed_values(taxonomy)
    if allowed is not None:
        where = f"schemas/{_ALLOWED_FILES.get(column.allowed_from or '', 'taxonomy.yaml' if column.allowed_from else 'columns.yaml')}"
        checks.append(pa_.Check.isin(list(allowed), error=f"not an allowed {column.name} (see {where})"))
    if column.pattern:
        pattern = re.compile(f"^(?:{column.pattern})$")
        checks.append(pa_.Check(lambda s, p=pattern: s.astype(str).str.fullmatch(p) | (s.astype(str) == ""),
                                element_wise=False, error=f"does not match the pattern {column.pattern}"))
    if column.not_empty:
        checks.append(pa_.Check(lambda s: s.astype(str).str.strip() != "", error="must not be empty"))
    if column.is_int:
        checks.append(pa_.Check(lambda s: (s.dropna() % 1 == 0).reindex(s.index, fill_value=True),
                                error="must be a whole number"))
    return checks

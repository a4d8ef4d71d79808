"""``etl validate``: check event tables (ours or ACLED's exports) against the schema.

    validate_paths(["data/events.parquet", "export.csv"]) -> ["export.csv:14: latitude: 123: must be between -90 and 90", ...]
    validate_frame(events_df, source_keys={...})         -> [] when the build's table is valid

One line per problem, never a traceback:

    FILE:ROW: COLUMN: VALUE: what is wrong      a value (or a row, named by its main column)
    FILE: COLUMN: what is wrong                 a whole column (e.g. a wrong Parquet type)
    FILE: what is wrong                         the file (missing, empty, not a table, ...)

ROW is the line number a person sees: in a CSV the header is line 1, so the first data
row is line 2 (line 3 in HDX exports, whose second line is an HXL hashtag row; a value
spanning several lines is numbered by the line it starts on). In Parquet files and frames
ROW is the 1-based row index.

Which checks: ``schemas/columns.yaml`` (see ``etl.schema``). A file is checked as the table
its columns (or its Parquet metadata) say it is: events, sources or evidence. ACLED exports
are accepted as they come: extra columns are fine, the columns marked ``required: false``
may be absent, inter codes and interaction may be numbers or ACLED's text labels, and dates
may be ``2024-11-01`` or ``01 November 2024``. Tables written by this project (a Parquet
file with our schema metadata, or any table with ``source_keys``) must have every column.
Events' ``source_keys`` are checked against the ``source_key`` column of any sources table
among the paths. A folder stands for the tables in it (NAME.parquet, else NAME.csv).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import EtlError
from .schema import (ROW_CHECKS, TABLE_KEY, VERSION_KEY, ColumnSpec, Schema, TableSpec, arrow_schema, pandera_column_schema,
                     pandera_row_schema, pandera_schema)
from .taxonomy import Taxonomy

MAX_VALUE_CHARS = 80


@dataclass
class Loaded:
    """A table read as text cells, with the row number a person would use for each row."""

    label: str
    raw: pd.DataFrame  # every cell a str ("" for empty)
    rows: list[int]  # display row number of each row
    header_row: int | None = 1  # where the header is (CSV); None for Parquet/frames
    ours: bool = False  # written by this project: every column required
    table: str | None = None  # from Parquet metadata
    problems: list[str] = field(default_factory=list)  # found while reading


@dataclass(frozen=True)
class Checker:
    """The schema and taxonomy, loaded once, and the checks that use them."""

    schema: Schema
    taxonomy: Taxonomy

    @classmethod
    def load(cls) -> "Checker":
        return cls(Schema.load(), Taxonomy.load())

    def check(self, loaded: Loaded, source_keys: frozenset[str] | None = None) -> list[str]:
        table = loaded.table if loaded.table in self.schema.tables else self.guess_table(list(loaded.raw.columns))
        spec = self.schema.table(table)
        problems = list(loaded.problems)
        header = self.header_problems(loaded, spec)
        if header is None:
            return problems + [self.not_a_table(loaded, spec)]
        problems += header
        check_frame, cell_problems = self.check_frame(loaded, spec)
        cell_problems += self.run_pandera(loaded, spec, check_frame, source_keys if table == "events" else None)
        return problems + [line for _, _, line in sorted(cell_problems, key=lambda p: p[:2])]

    # --- which table, which columns ---------------------------------------------------
    def guess_table(self, columns: list[str]) -> str:
        present = set(columns)

        def score(name: str) -> float:
            required = self.schema.table(name).required()
            return sum(c in present for c in required) / len(required)

        best = max(self.schema.tables, key=lambda name: (score(name), name == "events"))
        return best if score(best) > 0 else "events"

    def header_problems(self, loaded: Loaded, spec: TableSpec) -> list[str] | None:
        """Problems with the columns; None when the file is not this kind of table at all."""
        present = set(loaded.raw.columns)
        needed = spec.names() if (loaded.ours or "source_keys" in present and spec.name == "events") else spec.required()
        missing = [c for c in needed if c not in present]
        if len(missing) * 2 > len(needed):
            return None
        if not missing:
            return []
        where = f"{loaded.label}:{loaded.header_row}" if loaded.header_row else loaded.label
        plural = "s" if len(missing) > 1 else ""
        return [f"{where}: header: missing required column{plural} {', '.join(missing)}"]

    def not_a_table(self, loaded: Loaded, spec: TableSpec) -> str:
        present = list(loaded.raw.columns)
        missing = [c for c in spec.required() if c not in present]
        hint = ""
        for other in self.schema.other_tables:
            if all(c in present for c in other.columns):
                hint = f"; it looks like {other.name}"
        found = ", ".join(present[:15]) + (", ..." if len(present) > 15 else "")
        kind = spec.name[:-1] if spec.name.endswith("s") else spec.name
        return (f"{loaded.label}: not an ACLED {kind} table{hint}; missing required columns "
                f"{', '.join(missing)}; found columns {found or '(none)'}")

    # --- cells -> typed check frame ---------------------------------------------------
    def check_frame(self, loaded: Loaded, spec: TableSpec) -> tuple[pd.DataFrame, list[tuple[int, int, str]]]:
        """The typed frame the pandera schema runs on, and (row, column order, line) problems."""
        raw = loaded.raw
        columns: dict[str, pd.Series] = {}
        problems: list[tuple[int, int, str]] = []
        for order, column in enumerate(spec.checked_columns()):
            if column.name not in raw.columns:
                continue
            values, bad = self.read_column(column, raw[column.name])
            columns[column.name] = values
            for pos, what in bad:
                problems.append((pos, order, self.line(loaded, pos, column.name, raw[column.name].iat[pos], what)))
        return pd.DataFrame(columns, index=raw.index), problems

    def read_column(self, column: ColumnSpec, cells: pd.Series) -> tuple[pd.Series, list[tuple[int, str]]]:
        text = cells.astype(object).where(cells.notna(), "").astype(str)
        stripped = text.str.strip()
        empty = stripped == ""
        if column.type in ("string", "category"):
            return text.astype(object), []
        if column.type == "string_list":
            values = [[k.strip() for k in v.split(";") if k.strip()] for v in text]
            return pd.Series(values, index=cells.index, dtype=object), []
        if column.type == "date":
            parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[s]")  # [s]: years 1..9999
            for fmt in column.formats:
                attempt = pd.to_datetime(stripped.where(parsed.isna() & ~empty), format=fmt, errors="coerce")
                parsed = parsed.fillna(attempt.astype("datetime64[s]"))
            expected = " or ".join(_format_example(f) for f in column.formats)
            bad = _positions(~empty & parsed.isna(), f"not a date (expected {expected})")
            if column.not_empty:
                bad += _positions(empty, "missing date")
            return parsed, sorted(bad)
        # numbers
        numbers = pd.Series(np.nan, index=cells.index, dtype="float64")
        what = "not a number"
        if column.labels:
            lookup = self.labels(column.labels)
            mapped = stripped.str.casefold().map(lookup)
            numbers = pd.to_numeric(mapped, errors="coerce").astype("float64")
            what = f"not a number or an ACLED {column.labels} label"
        todo = numbers.isna() & ~empty
        numbers = numbers.where(~todo, pd.to_numeric(stripped.where(todo), errors="coerce").astype("float64"))
        bad = _positions(~empty & numbers.isna(), what)
        if column.empty_as is not None:
            numbers = numbers.where(~empty, float(column.empty_as))
        else:
            bad += _positions(empty, "missing value")
        return numbers, sorted(bad)

    def labels(self, kind: str) -> dict[str, int]:
        """Text forms of a ``labels:`` column (inter or interaction) -> codes."""
        return self.taxonomy.inter_labels() if kind == "inter" else self.taxonomy.interaction_labels()

    # --- pandera ----------------------------------------------------------------------
    def run_pandera(self, loaded: Loaded, spec: TableSpec, frame: pd.DataFrame,
                    source_keys: frozenset[str] | None) -> list[tuple[int, int, str]]:
        """(row, column order, line) for every failure the pandera schema reports."""
        import pandera.errors as pe

        schema, ctx = pandera_schema(spec, self.taxonomy, list(frame.columns), source_keys)
        try:
            schema.validate(frame, lazy=True)
            return []
        except pe.SchemaErrors as exc:
            cases = exc.failure_cases
        except pe.SchemaError as exc:  # pragma: no cover - lazy validation collects instead
            return [(-1, 0, f"{loaded.label}: {exc}".splitlines()[0])]
        order = {c.name: i for i, c in enumerate(spec.checked_columns())}
        found: list[tuple[int, int, str]] = []
        seen: set[tuple] = set()
        first_rows: dict[str, dict] = {}
        for case in cases.itertuples(index=False):
            pos = case.index
            if pos is None or pd.isna(pos):
                found.append((-1, 0, f"{loaded.label}: {case.column}: {case.check}"))
                continue
            pos = int(pos)
            if case.schema_context == "DataFrameSchema":  # a row check: once per row
                check = ROW_CHECKS.get(str(case.check))
                if check is None or (pos, case.check) in seen:
                    continue
                seen.add((pos, case.check))
                column, what = check.explain(frame.loc[pos], ctx)
            else:
                column, what = str(case.column), str(case.check)
                if what == "field_uniqueness":
                    if column not in first_rows:
                        cells = loaded.raw[column]
                        firsts = cells[~cells.duplicated(keep="first")]
                        first_rows[column] = dict(zip(firsts, firsts.index))
                    first = first_rows[column].get(loaded.raw[column].iat[pos], pos)
                    what = f"duplicate: also in row {loaded.rows[first]}"
            cell = loaded.raw[column].iat[pos] if column in loaded.raw.columns else ""
            found.append((pos, order.get(column, len(order)), self.line(loaded, pos, column, cell, what)))
        return found

    def pandera_passes(self, spec: TableSpec, frame: pd.DataFrame, source_keys: frozenset[str] | None) -> bool:
        """Whether the pandera schema finds nothing wrong in a check frame of every column
        of the table (the schema's column checks built once, its row checks per frame)."""
        import pandera.errors as pe

        rows, _ = pandera_row_schema(spec, self.taxonomy, list(frame.columns), source_keys)
        try:
            self.column_schemas[spec.name].validate(frame, lazy=True)
            rows.validate(frame, lazy=True)
        except (pe.SchemaErrors, pe.SchemaError):
            return False
        return True

    def __getstate__(self) -> dict:
        """Pickled without the pandera schemas built from it (they hold lambdas; a copy builds its own)."""
        state = dict(self.__dict__)
        state.pop("column_schemas", None)
        return state

    @cached_property
    def column_schemas(self) -> dict[str, Any]:
        """Per table, the pandera column checks of a frame of its written columns (all there:
        ``typed_check_frame`` makes sure, so the columns with no other check are left out)."""
        return {name: pandera_column_schema(spec, self.taxonomy, spec.names(), only_checked=True)
                for name, spec in self.schema.tables.items()}

    # --- the build's own typed frames ---------------------------------------------------
    def typed_frame_passes(self, frame: pd.DataFrame, table: str, source_keys: frozenset[str] | None) -> bool:
        """True when ``frame`` is a typed frame of ``table`` (as ``etl.export`` makes it) in
        which ``check`` would find nothing wrong: its check frame is read from the typed
        values instead of from their text, then checked by the same pandera schema.
        False when a value would not read cleanly, a check fails, or the frame is not typed
        as expected: then the text path finds (and explains) what is wrong."""
        return self._typed_pass([frame], table, source_keys if table == "events" else None)

    def typed_frames_pass(self, frames: list[pd.DataFrame], table: str) -> bool:
        """True when each of ``frames`` (typed frames of ``table``, parts of one table)
        passes ``typed_frame_passes`` with no source keys given, found by checking them
        together: pandera's checks are row-wise or uniqueness, so frames that pass together
        pass one by one, and one call costs far less than one per frame (a small frame's
        check is mostly fixed cost). False when they do not all pass: check them one by one
        for what is wrong and where."""
        return bool(frames) and self._typed_pass(frames, table, None)

    def _typed_pass(self, frames: list[pd.DataFrame], table: str, source_keys: frozenset[str] | None) -> bool:
        """The check frames of ``frames`` read from their typed values, checked together by
        the pandera schema; False on anything the text path must find and explain."""
        if table not in self.schema.tables:
            return False
        spec = self.schema.table(table)
        try:
            checks = [self.typed_check_frame(spec, frame) for frame in frames]
            if any(check is None for check in checks):
                return False
            together = checks[0] if len(checks) == 1 else pd.concat(checks, ignore_index=True)
            return self.pandera_passes(spec, together, source_keys)
        except Exception:  # noqa: BLE001 - the text path reports it
            return False

    def typed_check_frame(self, spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame | None:
        """The check frame ``check_frame`` reads from the text of a typed frame, read from
        its values; None when the frame's columns or types are not the table's, or when a
        value would be reported while reading (an empty required value, a date out of range)."""
        if list(frame.columns) != spec.names():
            return None
        index = pd.RangeIndex(len(frame))
        columns = {}
        for column in spec.columns:
            values = self.typed_column(column, frame[column.name])
            if values is None:
                return None
            columns[column.name] = pd.Series(values, index=index, dtype=values.dtype if isinstance(values, np.ndarray) else object)
        return pd.DataFrame(columns, index=index, copy=False)

    def typed_column(self, column: ColumnSpec, series: pd.Series) -> np.ndarray | list | None:
        """One column of a typed frame as ``read_column`` reads its text (None: see ``typed_check_frame``)."""
        dtype = series.dtype
        if column.type == "string":
            return _texts(series) if isinstance(dtype, pd.StringDtype) else None
        if column.type == "category":
            ok = isinstance(dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in dtype.categories)
            return _texts(series) if ok else None
        if column.type == "string_list":
            return _typed_lists(series.tolist()) if dtype == object else None
        if column.type == "date":
            return _typed_dates(series.tolist(), column.not_empty) if dtype == object else None
        if column.is_int and dtype.kind == "i":
            return self._typed_ints(column, series.to_numpy())
        if column.type == "float64" and dtype == np.float64:
            values = series.to_numpy()
            return values.copy() if np.isfinite(values).all() else None
        return None

    def _typed_ints(self, column: ColumnSpec, values: np.ndarray) -> np.ndarray:
        numbers = values.astype(np.float64)
        if column.labels:  # a label that reads as a number (none does today) is read as its code
            lookup = self.labels(column.labels)
            for pos, value in enumerate(values.tolist()):
                code = lookup.get(str(value).casefold())
                if code is not None:
                    numbers[pos] = float(code)
        return numbers

    @staticmethod
    def line(loaded: Loaded, pos: int, column: str, value, what: str) -> str:
        return f"{loaded.label}:{loaded.rows[pos]}: {column}: {_show(value)}: {what}"


def _texts(series: pd.Series) -> np.ndarray:
    """A text column's values (str), empty ones (NA) as ""."""
    return series.to_numpy(dtype=object, na_value="")


def _typed_lists(values: list) -> list[list[str]] | None:
    """Lists of keys as their ";"-joined text reads back; None when it would not read
    back the same (a key that is empty, has a ";" or surrounding spaces, or is not text)."""
    out = []
    for keys in values:
        if not isinstance(keys, list) or not all(isinstance(k, str) and k and k == k.strip() and ";" not in k for k in keys):
            return None
        out.append(list(keys))
    return out


# Dates whose text every accepted format reads as the same day (the year written with 4 digits).
_SAFE_YEARS = range(1678, 2262)


def _typed_dates(values: list, not_empty: bool) -> np.ndarray | None:
    """Dates (or None) as datetime64[s] (NaT for None); None when one is missing but required,
    out of ``_SAFE_YEARS`` or not a plain date."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    for pos, value in enumerate(values):
        if value is None:
            if not_empty:
                return None
        elif type(value) is not dt.date or value.year not in _SAFE_YEARS:
            return None
        else:
            out[pos] = np.datetime64(value, "s")
    return out


def _positions(mask: pd.Series, what: str) -> list[tuple[int, str]]:
    return [(int(p), what) for p in np.flatnonzero(mask.to_numpy())]


def _format_example(fmt: str) -> str:
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%B", "Month")


def _show(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


# --- reading files -------------------------------------------------------------------------

def read_table(path: Path, label: str | None = None) -> Loaded | str:
    """A CSV or Parquet file as text cells, or the one-line problem that prevents reading it."""
    label = label or str(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except FileNotFoundError:
        return f"{label}: no such file"
    except IsADirectoryError:
        return f"{label}: is a folder with no tables in it"
    except OSError as exc:
        return f"{label}: cannot read: {exc.strerror or exc}"
    if head == b"PAR1":
        return read_parquet(path, label)
    return read_csv(path, label)


def read_parquet(path: Path, label: str) -> Loaded | str:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        return f"{label}: not a readable Parquet file: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    metadata = table.schema.metadata or {}
    ours = VERSION_KEY in metadata
    name = metadata.get(TABLE_KEY, b"").decode("utf-8", "replace") or None
    problems = []
    if ours and name:
        try:
            expected = arrow_schema(name)
        except KeyError:
            expected = None
        for want in expected or ():
            if want.name in table.column_names and not _same_type(table.schema.field(want.name).type, want.type):
                problems.append(f"{label}: {want.name}: Parquet type is {table.schema.field(want.name).type}, "
                                f"the schema says {want.type}")
    raw = arrow_to_text(table, label)
    if isinstance(raw, str):
        return raw
    raw, duplicate = _dedupe_columns(raw)
    problems += [f"{label}: {c}: column appears more than once (the first one is checked)" for c in duplicate]
    return Loaded(label, raw, list(range(1, len(raw) + 1)), None, ours, name, problems)


def _same_type(actual: pa.DataType, expected: pa.DataType) -> bool:
    if pa.types.is_dictionary(expected) and pa.types.is_dictionary(actual):
        return actual.value_type == expected.value_type
    return actual == expected


def arrow_to_text(table: pa.Table, label: str) -> pd.DataFrame | str:
    """Every column as text: ISO dates, lists joined with ";", nulls as ""."""
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        try:
            columns[name] = _arrow_column_text(column)
        except Exception:  # an Arrow type we cannot render: fall back to Python values
            columns[name] = [_cell_text(v) for v in column.to_pylist()]
    return pd.DataFrame(columns, columns=table.column_names, dtype=object, index=pd.RangeIndex(table.num_rows))


def _arrow_column_text(column: pa.ChunkedArray) -> list[str]:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        column = pc.binary_join(column.cast(pa.list_(pa.string())), ";")
    elif pa.types.is_timestamp(kind):
        column = pc.strftime(column, format="%Y-%m-%d")
    elif not pa.types.is_string(kind):
        column = column.cast(pa.string())
    return [("" if v is None else v) for v in column.to_pylist()]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(_cell_text(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_csv(path: Path, label: str) -> Loaded | str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{label}: cannot read: {exc.strerror or exc}"
    if not data.strip():
        return f"{label}: empty file"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"{label}: UTF-16 text; save it as UTF-8 CSV"
    if b"\x00" in data[:65536]:
        return f"{label}: binary data, not a CSV or Parquet file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8 CSV"
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    rows: list[int] = []
    problems: list[str] = []
    header: list[str] | None = None
    header_line = 1
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header, header_line = [cell.strip() for cell in record], start
                continue
            if not records and not problems and _is_hxl(record):
                continue
            if len(record) != len(header):
                problems.append(f"{label}:{start}: row has {len(record)} fields, the header has {len(header)}; row skipped")
                continue
            records.append(record)
            rows.append(start)
    except csv.Error as exc:
        problems.append(f"{label}:{reader.line_num}: unreadable CSV: {exc}; the rest of the file is skipped")
    if header is None:
        return f"{label}: empty file"
    if len(header) == 1:
        for delimiter, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delimiter in header[0]:
                return f"{label}:{header_line}: header: the file looks {name}-separated; expected a comma-separated CSV"
    raw = pd.DataFrame(records, columns=range(len(header)), dtype=object)
    raw.columns = header
    raw, duplicate = _dedupe_columns(raw)
    problems += [f"{label}:{header_line}: {c}: column appears more than once (the first one is checked)" for c in duplicate]
    return Loaded(label, raw.reset_index(drop=True), rows, header_line, problems=problems)


def _is_hxl(record: list[str]) -> bool:
    cells = [c.strip() for c in record if c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _dedupe_columns(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    duplicated = raw.columns.duplicated()
    names = sorted(set(raw.columns[duplicated]))
    return raw.loc[:, ~duplicated], names


# --- public entry points -------------------------------------------------------------------

def expand(paths: Iterable[Path | str], schema: Schema) -> list[Path]:
    """Folders stand for the tables in them (NAME.parquet, else NAME.csv)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = []
            for name in schema.tables:
                for suffix in (".parquet", ".csv"):
                    if (path / f"{name}{suffix}").is_file():
                        found.append(path / f"{name}{suffix}")
                        break
            out.extend(found or [path])
        else:
            out.append(path)
    return out


def validate_paths(paths: Iterable[Path | str], checker: Checker | None = None) -> list[str]:
    """Check CSV or Parquet tables; one line per problem (see the module docstring)."""
    try:
        checker = checker or Checker.load()
    except EtlError as exc:
        return [str(exc)]
    loaded: list[Loaded | str] = [read_table(path) for path in expand(paths, checker.schema)]
    keys: set[str] | None = None
    for item in loaded:
        if isinstance(item, Loaded) and _table_of(item, checker) == "sources" and "source_key" in item.raw.columns:
            keys = (keys or set()) | set(item.raw["source_key"])
    problems: list[str] = []
    for item in loaded:
        if isinstance(item, str):
            problems.append(item)
        else:
            problems.extend(_guarded(checker, item, frozenset(keys) if keys is not None else None))
    return problems


def _guarded(checker: Checker, loaded: Loaded, source_keys: frozenset[str] | None) -> list[str]:
    """Run the checks; a failure inside them is reported as a line, not a traceback."""
    try:
        return checker.check(loaded, source_keys)
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        detail = str(exc).splitlines()[0] if str(exc) else ""
        return [f"{loaded.label}: could not be checked ({type(exc).__name__}: {detail}); please report this"]


def _table_of(loaded: Loaded, checker: Checker) -> str:
    if loaded.table in checker.schema.tables:
        return loaded.table
    return checker.guess_table(list(loaded.raw.columns))


def validate_frame(df: pd.DataFrame, source_keys: Iterable[str] | None = None, *, table: str = "events",
                   label: str | None = None, checker: Checker | None = None, first_row: int = 1) -> list[str]:
    """Check a table the build made (every column required); rows are 1-based positions
    (``first_row``: the number of the frame's first row, when it is a chunk of a table).

    ``source_keys``: the known article keys; every key in the events' ``source_keys`` must
    be one of them (not checked when None).

    A frame typed as ``etl.export`` makes it is first checked from its values
    (``Checker.typed_frame_passes``); only when that finds something (or the frame is not
    typed so) are its cells rendered as text and read back as a file's are, so that the
    problems are reported in the lines ``etl validate`` gives.
    """
    checker = checker or Checker.load()
    keys = frozenset(source_keys) if source_keys is not None else None
    if checker.typed_frame_passes(df, table, keys):
        return []
    return frame_problems(df, keys, table=table, label=label, checker=checker, first_row=first_row)


def frame_problems(df: pd.DataFrame, source_keys: frozenset[str] | None, *, table: str, label: str | None,
                   checker: Checker, first_row: int) -> list[str]:
    """What ``check`` finds in a frame read as text cells, as in a file (see ``validate_frame``)."""
    try:
        raw = arrow_to_text(pa.Table.from_pandas(df, preserve_index=False), label or table)
    except (pa.ArrowException, TypeError, ValueError):
        raw = pd.DataFrame({c: [_cell_text(v) for v in df[c].tolist()] for c in df.columns}, dtype=object)
    if isinstance(raw, str):
        return [raw]
    raw = raw.reset_index(drop=True)
    loaded = Loaded(label or table, raw, list(range(first_row, first_row + len(raw))), None, True, table)
    return _guarded(checker, loaded, source_keys)

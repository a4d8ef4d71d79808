"""Typed tables from coded events, and their atomic, byte-reproducible Parquet + CSV files.

    events_frame(events)        -> DataFrame in ACLED's column order (schemas/columns.yaml)
    evidence_frame(events)      -> one row per (event, supporting sentence)
    sources_frame(rows)         -> one row per article
    write_tables(out_dir, {"events": df, ...})  -> NAME.parquet + NAME.csv for each table

Frames are typed as declared in ``schemas/columns.yaml``: dates are ``datetime.date``
objects, counts numpy integers, ``category`` columns pandas Categoricals (Arrow
dictionaries in Parquet), ``string_list`` columns Python lists (";"-joined in CSV).
Rows are sorted by the table's ``sort`` columns, then by every other column, so the same
events always give the same frame and the same bytes.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import operator
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import EtlError
from .records import Event
from .schema import ColumnSpec, Schema, TableSpec, arrow_schema

STAGING = ".etl-staging"
COMMIT = "COMMIT"
PARQUET_OPTIONS = dict(
    compression="zstd",
    compression_level=3,  # zstd 3: ~10 % larger than 9, written 3x faster
    use_dictionary=True,
    write_statistics=True,
    version="2.6",
    data_page_version="1.0",
    row_group_size=1_000_000,
)
# Streamed tables (``write_tables`` given an iterable of frames) are written in row groups
# of this many rows, so memory holds one group, not the table.
ROW_GROUP_ROWS = 25_000
_WRITER_OPTIONS = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}


@dataclass(frozen=True)
class Chunk:
    """Rows of a table ready to write: their CSV lines (no header) and their Arrow table.

    Plain data (picklable), so a chunk can be cached and written again without its frame.
    """

    csv: bytes
    arrow: pa.Table

    @property
    def rows(self) -> int:
        return self.arrow.num_rows


def render(name: str, frame: pd.DataFrame, schema: Schema | None = None) -> Chunk:
    """A typed, sorted frame of table ``name`` as a Chunk."""
    return Chunk(csv_bytes(name, frame, schema, header=False), arrow_table(name, frame, schema))


def render_pieces(name: str, frame: pd.DataFrame, bounds: Iterable[tuple[int, int]],
                  schema: Schema | None = None) -> list[Chunk]:
    """``render`` of each row range ``(start, stop)`` of a typed, sorted frame, the frame
    converted once (a frame's conversion is mostly fixed cost per column). Each chunk
    holds the rows and CSV bytes that ``render`` gives of that part; only the dictionary
    of a category column differs (the whole frame's categories), which the Parquet file
    never shows (``_one_dictionary``)."""
    rows = _csv_rows(name, frame, schema)
    table = arrow_table(name, frame, schema)
    chunks = []
    for start, stop in bounds:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows[start:stop])
        # ``take`` copies the rows: a slice would keep (and pickle) the whole frame's buffers
        chunks.append(Chunk(buffer.getvalue().encode("utf-8"), table.take(pa.array(range(start, stop), pa.int64()))))
    return chunks


# A table to write: whole, or as chunks (frames or rendered) that follow each other in
# the table's order.
Table = pd.DataFrame | Iterable[pd.DataFrame | Chunk]


class OutputError(EtlError):
    """The output folder cannot be written."""


# --- frames ------------------------------------------------------------------------------

def events_frame(events: Iterable[Event], schema: Schema | None = None) -> pd.DataFrame:
    """The events table: one row per event, ACLED's columns then ``source_keys``.

    ``year`` is derived from ``event_date``; every other column is the Event field of the
    same name (``timestamp`` is passed through: it is set from the inputs, never the clock).
    """
    spec = (schema or Schema.load()).table("events")
    events = list(events)
    columns = {}
    for name in spec.names():
        if name == "year":
            columns[name] = [event.event_date.year for event in events]
        elif name == "source_keys":
            columns[name] = [list(event.source_keys) for event in events]
        else:
            columns[name] = list(map(operator.attrgetter(name), events))
    return _typed_columns(spec, columns, len(events))


def evidence_frame(events: Iterable[Event], schema: Schema | None = None) -> pd.DataFrame:
    """One row per (event, article sentence) supporting it; exact duplicates dropped."""
    spec = (schema or Schema.load()).table("evidence")
    rows = {}
    for event in events:
        for ev in event.evidence:
            row = dict(event_id_cnty=event.event_id_cnty, source_key=ev.source_key,
                       sentence=ev.sentence, start=ev.start, end=ev.end)
            rows[tuple(row.values())] = row
    return typed_frame(spec, list(rows.values()))


def evidence_chunks(events: Iterable[Event], rows_per_chunk: int, schema: Schema | None = None) -> list[Chunk]:
    """``render`` of ``evidence_frame(events)`` cut into chunks of ``rows_per_chunk`` rows
    (one empty chunk when there are none), made from plain values: the table has text
    and integer columns only, and a frame's fixed cost would be most of the work for a
    country's few rows."""
    spec = (schema or Schema.load()).table("evidence")
    fields = ("event_id_cnty", "source_key", "sentence", "start", "end")
    if sorted(spec.names()) != sorted(fields) or any(c.type != "string" and not c.is_int for c in spec.columns):
        frame = evidence_frame(events, schema)  # a table this function does not know
        return [render("evidence", frame.iloc[i:i + rows_per_chunk].reset_index(drop=True), schema)
                for i in range(0, max(len(frame), 1), rows_per_chunk)]
    rows = list(dict.fromkeys((e.event_id_cnty, ev.source_key, ev.sentence, ev.start, ev.end)
                              for e in events for ev in e.evidence))
    values = {name: [row[i] for row in rows] for i, name in enumerate(fields)}
    keys = []  # as ``row_order`` makes them
    for name in (*spec.sort, *(n for n in spec.names() if n not in spec.sort)):
        if spec.column(name).is_int:
            keys.append([float("-inf") if v is None else float(v) for v in values[name]])
        else:
            keys.extend(_text_keys(name in spec.sort, ["" if v is None else str(v) for v in values[name]]))
    sort_keys = list(zip(*keys))
    order = sorted(range(len(rows)), key=sort_keys.__getitem__)
    target = arrow_schema("evidence", schema)
    columns = [values[name] for name in spec.names()]
    chunks = []
    for i in range(0, max(len(order), 1), rows_per_chunk):
        taken = order[i:i + rows_per_chunk]
        cells = [[column[r] for r in taken] for column in columns]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(zip(*cells))
        arrays = [pa.array(c, type=f.type) for c, f in zip(cells, target)]
        chunks.append(Chunk(buffer.getvalue().encode("utf-8"), pa.Table.from_arrays(arrays, schema=target)))
    return chunks


def sources_frame(rows: Iterable[dict], schema: Schema | None = None) -> pd.DataFrame:
    """One row per article from dicts keyed by the sources columns (missing keys -> empty)."""
    spec = (schema or Schema.load()).table("sources")
    names = spec.names()
    out = []
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise ValueError(f"sources_frame: unknown columns {sorted(unknown)}; expected {names}")
        out.append({name: row.get(name) for name in names})
    return typed_frame(spec, out)


def typed_frame(spec: TableSpec, rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts of plain values) -> the table's typed, sorted DataFrame."""
    return _typed_columns(spec, {c.name: [r.get(c.name) for r in rows] for c in spec.columns}, len(rows))


def _typed_columns(spec: TableSpec, values: Mapping[str, list], count: int) -> pd.DataFrame:
    """``typed_frame`` of rows given column by column (a list of ``count`` plain values
    per column name)."""
    columns = {column.name: _typed_series(column.type, column.name, values[column.name]) for column in spec.columns}
    order = row_order(spec, columns)
    frame = pd.DataFrame(columns, columns=spec.names(), index=pd.RangeIndex(count), copy=False)
    return frame.take(order).reset_index(drop=True)


_TRAILING_NUMBER = re.compile(r"^(.*?)(\d*)$", re.S)


def natural_key(text: str) -> tuple[str, float, str]:
    """How a ``sort`` column of text orders its values (AZE9 before AZE10): the text less
    its trailing digits, their number (-1 when none), then the text itself."""
    prefix, digits = _TRAILING_NUMBER.match(text).groups()
    return prefix, float(digits) if digits else -1.0, text


def row_order(spec: TableSpec, columns: Mapping[str, pd.Series] | pd.DataFrame) -> list[int]:
    """Positions of the rows of a typed frame (or of its columns by name) in the table's
    order: by the ``sort`` columns, then all others (a stable sort: rows equal in every
    key keep their order)."""
    names = list(spec.sort) + [n for n in spec.names() if n not in spec.sort]
    keys = []
    for name in names:
        keys.extend(_column_keys(spec.column(name), name in spec.sort, columns[name]))
    count = len(columns[names[0]]) if names else 0
    rows = list(zip(*keys)) if keys else [()] * count
    return sorted(range(count), key=rows.__getitem__)


def _column_keys(column: ColumnSpec, sorts: bool, series: pd.Series) -> list[list]:
    """What one column adds to each row's sort key, as lists of plain values: ids in
    natural order (AZE9 before AZE10); empty values first. Every key has one plain type."""
    if column.type == "string_list":
        return [["\x1f".join(v or ()) for v in series.tolist()]]
    if column.type == "date":
        return [[v.isoformat() if v is not None else "" for v in series.tolist()]]
    if column.is_number:
        return [_number_keys(series)]
    return _text_keys(sorts and column.type == "string", _texts(series))


def _text_keys(natural: bool, text: list[str]) -> list[list]:
    """What a text column adds to each row's sort key: the text, or with ``natural`` (an
    id column that sorts) its natural order (AZE9 before AZE10): the text less its
    trailing digits, their number (-1 when none), then the text itself."""
    if not natural:
        return [text]
    prefixes, digits = zip(*(_TRAILING_NUMBER.match(t).groups() for t in text)) if text else ((), ())
    numbers = pd.to_numeric(pd.Series(digits, dtype="str"), errors="coerce").fillna(-1)
    return [list(prefixes), numbers.tolist(), text]


def _number_keys(series: pd.Series) -> list[float]:
    """A number column as floats, empty values (NaN) as -inf."""
    if series.dtype.kind in "iuf":
        values = series.to_numpy(dtype=np.float64)
        return np.where(np.isnan(values), -np.inf, values).tolist()
    return series.astype("float64").fillna(float("-inf")).tolist()


def _texts(series: pd.Series) -> list[str]:
    """A column's values as text, empty values (None, NaN) as ""."""
    return [str(v) for v in series.to_numpy(dtype=object, na_value="")]


def _typed_series(kind: str, name: str, values: list) -> pd.Series:
    if kind == "string":
        return pd.Series([None if v is None else str(v) for v in values], dtype="str", name=name)
    if kind == "category":
        strings = [None if v is None else str(v) for v in values]
        categories = sorted({v for v in strings if v is not None})
        return pd.Series(pd.Categorical(strings, categories=categories), name=name)
    if kind == "date":
        return pd.Series([_as_date(v, name) for v in values], dtype=object, name=name)
    if kind == "string_list":
        return pd.Series([[str(x) for x in (v or ())] for v in values], dtype=object, name=name)
    if kind == "float64":
        return pd.Series(values, dtype="float64", name=name)
    if any(v is None for v in values):
        raise ValueError(f"column {name}: integer column has an empty value")
    return pd.Series(values, dtype=kind, name=name)


def _as_date(value, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError(f"column {name}: not a date: {value!r}")


# --- files -------------------------------------------------------------------------------

def arrow_table(name: str, frame: pd.DataFrame, schema: Schema | None = None) -> pa.Table:
    """A frame as the Arrow table written to NAME.parquet (declared types + schema version)."""
    target = arrow_schema(name, schema)
    arrays = []
    for field in target:
        series = frame[field.name]
        if pa.types.is_dictionary(field.type):
            array = _dictionary_array(series, field.type)
        elif pa.types.is_list(field.type):
            array = pa.array([list(v) if v is not None else None for v in series.tolist()], type=field.type)
        elif _numpy_type(series) == field.type:
            array = pa.array(series.to_numpy(), type=field.type, from_pandas=True)  # NaN -> null
        else:
            array = pa.array(_cells(series, None), type=field.type)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=target)


def _numpy_type(series: pd.Series) -> pa.DataType | None:
    """The Arrow type of a column held in a plain numpy number array (None for any other)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":
        return pa.from_numpy_dtype(series.dtype)
    return None


def _cells(series: pd.Series, empty) -> list:
    """A column's values as Python objects, ``empty`` in place of each missing one (NA)."""
    if _numpy_type(series) is not None or isinstance(series.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        return series.to_numpy(dtype=object, na_value=empty).tolist()  # the same values, faster
    values = series.tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        values = [empty if m else v for v, m in zip(values, missing)]
    return values


def _dictionary_array(series: pd.Series, arrow_type: pa.DictionaryType) -> pa.DictionaryArray:
    """A Categorical as an Arrow dictionary with the same categories, in the same order."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object).where(series.notna(), None)
        series = series.astype(pd.CategoricalDtype(sorted({str(v) for v in series if v is not None})))
    codes = series.cat.codes.to_numpy()
    indices = pa.array(codes, type=arrow_type.index_type, mask=codes < 0)
    dictionary = pa.array([str(c) for c in series.cat.categories], type=arrow_type.value_type)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def csv_bytes(name: str, frame: pd.DataFrame, schema: Schema | None = None, header: bool = True) -> bytes:
    """A frame as NAME.csv: the declared column order, ISO dates, lists joined with ";"
    (``header=False``: the rows alone, to follow an earlier chunk of the same table).

    Written as pandas' ``to_csv`` writes it (the csv module, minimal quoting, "\n" line
    ends, numbers as ``str`` gives them, empty values as "")."""
    spec = (schema or Schema.load()).table(name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(spec.names())
    writer.writerows(_csv_rows(name, frame, schema))
    return buffer.getvalue().encode("utf-8")


def _csv_rows(name: str, frame: pd.DataFrame, schema: Schema | None = None) -> list[tuple]:
    """The cells of each row of a frame as ``csv_bytes`` writes them."""
    spec = (schema or Schema.load()).table(name)
    columns = []
    for column in spec.columns:
        series = frame[column.name]
        if column.type == "string_list":
            columns.append([";".join(v) if v is not None else "" for v in series.tolist()])
        elif column.type == "date":
            columns.append(["" if v is None or pd.isna(v) else v.isoformat() for v in series.tolist()])
        else:
            columns.append(_cells(series, ""))
    return list(zip(*columns))


def csv_header(spec: TableSpec) -> bytes:
    """The header line of a table's CSV (what ``csv_bytes`` writes first)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(spec.names())
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(name: str, frame: pd.DataFrame, schema: Schema | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(name, frame, schema), sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def write_tables(out_dir: Path, tables: dict[str, Table], schema: Schema | None = None,
                 files: dict[str, bytes | Path] | None = None) -> list[Path]:
    """Write ``NAME.parquet`` and ``NAME.csv`` for every table, all or nothing (the tables
    in the order given: one may be made meanwhile elsewhere, to be written last).

    A table is a DataFrame, or an iterable of DataFrames that follow each other in the
    table's order (each typed and sorted as ``events_frame`` etc. make them), written
    chunk by chunk so that a large table is never whole in memory. If the iterable
    raises (e.g. a chunk fails validation), nothing is written.

    ``files``: other files (file name -> bytes, or the Path of a file to copy, e.g. the
    event id register) to commit in the same set, so that they can never disagree with
    the tables after a crash.

    Guarantee: every file in ``out_dir`` is always whole (a reader never sees a partly
    written file), and the files of one call replace the previous ones as a set. The new
    files are written and fsynced in ``out_dir/.etl-staging/new``; the current files are
    hard-linked (or copied) to ``.etl-staging/old``; a journal ``.etl-staging/COMMIT`` is
    written atomically; only then are the new files moved in with ``os.replace``. If the
    process dies (even kill -9) or raises before the journal exists, nothing in ``out_dir``
    changed. If it dies while files are being moved, the folder briefly holds a mix, which
    the next ``write_tables`` or ``recover(out_dir)`` rolls back to the previous set (an
    exception while moving rolls back at once). So after any crash, once recovered, the
    folder holds the complete previous set; after a return, the complete new set.
    Calls on one folder are serialised by a lock on the folder (POSIX flock); files of
    other names in the folder are untouched.

    The bytes depend only on the frames: fixed compression and Parquet options, no
    wall-clock time, the schema version and table name as file metadata.
    """
    out_dir = Path(out_dir)
    schema = schema or Schema.load()
    for name in tables:
        if name not in schema.tables:
            raise ValueError(f"write_tables: unknown table {name!r}; known: {sorted(schema.tables)}")
    files = dict(files or {})
    for name in files:
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"write_tables: extra file names must be plain file names, not {name!r}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror or exc}") from None
    with _locked(out_dir):
        _recover(out_dir)
        staging = out_dir / STAGING
        try:
            names = _stage(staging, tables, schema, files)
            _backup(out_dir, staging, names)
            _write_journal(staging, names)
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise OutputError(f"{out_dir}: cannot write the tables: {exc.strerror or exc}") from exc
            raise
        try:
            for name in names:
                os.replace(staging / "new" / name, out_dir / name)
            _fsync_dir(out_dir)
        except BaseException as exc:
            _recover(out_dir)
            if isinstance(exc, OSError):
                raise OutputError(f"{out_dir}: cannot replace the tables (previous ones kept): {exc.strerror or exc}") from exc
            raise
        _finish(staging)
    return [out_dir / name for name in names]


def recover(out_dir: Path) -> str:
    """Complete or undo an interrupted ``write_tables`` in ``out_dir``.

    Returns what was done: "" (nothing to do), "discarded" (a commit that had not started
    was dropped), "rolled back" (the previous set was restored) or "finished" (all new
    files were already in place; the staging folder was removed).
    """
    out_dir = Path(out_dir)
    if not (out_dir / STAGING).exists():
        return ""
    with _locked(out_dir):
        return _recover(out_dir)


def _recover(out_dir: Path) -> str:
    staging = out_dir / STAGING
    if not staging.exists():
        return ""
    journal = staging / COMMIT
    if not journal.exists():
        shutil.rmtree(staging, ignore_errors=True)
        return "discarded"
    entry = json.loads(journal.read_text(encoding="utf-8"))
    pending = [n for n in entry["files"] if (staging / "new" / n).exists()]
    if not pending:
        _finish(staging)
        return "finished"
    for name in entry["files"]:
        if name in pending:
            continue  # never moved: the old file is still in place
        if name in entry["had_old"]:
            os.replace(staging / "old" / name, out_dir / name)
        else:
            (out_dir / name).unlink(missing_ok=True)
    _fsync_dir(out_dir)
    _finish(staging)
    return "rolled back"


def _stage(staging: Path, tables: dict[str, Table], schema: Schema, files: dict[str, bytes | Path]) -> list[str]:
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "new").mkdir(parents=True)
    (staging / "old").mkdir()
    names = []
    for name, table in tables.items():  # in the caller's order (the files do not depend on it)
        if isinstance(table, pd.DataFrame):
            for suffix, data in ((".parquet", parquet_bytes(name, table, schema)), (".csv", csv_bytes(name, table, schema))):
                _write_synced(staging / "new" / f"{name}{suffix}", data)
        else:
            _write_chunks(staging / "new", name, table, schema)
        names.extend((f"{name}.parquet", f"{name}.csv"))
    for name, data in sorted(files.items()):
        if name in names:
            raise ValueError(f"write_tables: {name} is also a table file")
        if isinstance(data, Path):
            shutil.copyfile(data, staging / "new" / name)
            _fsync_file(staging / "new" / name)
        else:
            _write_synced(staging / "new" / name, data)
        names.append(name)
    _fsync_dir(staging / "new")
    return names


def _write_chunks(folder: Path, name: str, chunks: Iterable[pd.DataFrame | Chunk], schema: Schema) -> None:
    """NAME.parquet and NAME.csv from chunks that follow each other in the table's order.

    Memory holds one row group (``ROW_GROUP_ROWS`` rows) at a time; the CSV is the chunks'
    rows under one header. The bytes depend only on the rows and the chunking.
    """
    target = arrow_schema(name, schema)
    pending: list[pa.Table] = []
    rows = 0
    wrote_header = False
    with (folder / f"{name}.csv").open("wb") as text, pq.ParquetWriter(folder / f"{name}.parquet", target, **_WRITER_OPTIONS) as parquet:
        for chunk in chunks:
            if not isinstance(chunk, Chunk):
                chunk = render(name, chunk, schema)
            if not wrote_header:
                text.write(csv_header(schema.table(name)))
                wrote_header = True
            text.write(chunk.csv)
            pending.append(chunk.arrow)
            rows += chunk.rows
            if rows >= ROW_GROUP_ROWS:
                parquet.write_table(_one_dictionary(pa.concat_tables(pending)), row_group_size=ROW_GROUP_ROWS)
                pending, rows = [], 0
                pa.default_memory_pool().release_unused()  # else Arrow's allocator keeps each group's memory
        if not wrote_header:
            empty = typed_frame(schema.table(name), [])
            text.write(csv_bytes(name, empty, schema))
            pending.append(arrow_table(name, empty, schema))
        if pending:
            parquet.write_table(_one_dictionary(pa.concat_tables(pending)), row_group_size=ROW_GROUP_ROWS)
        text.flush()
        os.fsync(text.fileno())
    _fsync_file(folder / f"{name}.parquet")


def _one_dictionary(table: pa.Table) -> pa.Table:
    """Chunks joined into one array per column, each dictionary column re-encoded over the
    sorted values it holds: the same arrays (and Parquet bytes) as the table made whole."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        if pa.types.is_dictionary(field.type):
            values = column.dictionary_decode()
            present = pc.unique(values.drop_null())
            dictionary = present.take(pc.sort_indices(present))
            indices = pc.index_in(values, value_set=dictionary).cast(field.type.index_type)
            column = pa.DictionaryArray.from_arrays(indices, dictionary)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup(out_dir: Path, staging: Path, names: list[str]) -> None:
    for name in names:
        current = out_dir / name
        if current.exists():
            try:
                os.link(current, staging / "old" / name)
            except OSError:
                shutil.copy2(current, staging / "old" / name)
    _fsync_dir(staging / "old")


def _write_journal(staging: Path, names: list[str]) -> None:
    had_old = [n for n in names if (staging / "old" / n).exists()]
    data = json.dumps({"files": names, "had_old": had_old}, indent=1).encode()
    _write_synced(staging / (COMMIT + ".tmp"), data)
    os.replace(staging / (COMMIT + ".tmp"), staging / COMMIT)
    _fsync_dir(staging)


def _finish(staging: Path) -> None:
    (staging / COMMIT).unlink(missing_ok=True)
    _fsync_dir(staging)
    shutil.rmtree(staging, ignore_errors=True)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY)  # lock the folder itself: no lock file left behind
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock

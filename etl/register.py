"""The id register file (``event_ids.csv``) as a build reads and writes it, by country.

A build settles one country at a time, so it needs the register's rows by country code,
and a digest of each country's rows to tell whether a cached country still holds. Read
plainly, that means parsing the whole register on every build (39k rows at 10k articles).
The register a build writes is its own output, so the build also records where each
country's rows are in it (``RegisterLayout``), cached under the file's sha256: the next
build, finding the file as it was written, takes the digests from there and parses only
the rows of the countries it settles again. An edited register is read plainly.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .ids import Entry, parse_rows, read_rows, rows_digest
from .spool import Spool


@dataclass(frozen=True)
class RegisterRows:
    """The id register's rows as a build reads them: by country code."""

    header: list[str]
    digests: dict[str, str]  # country code -> rows_digest of its rows
    rows: Callable[[str], Iterable[tuple[int, list[str]]]]  # code -> (row number, fields)
    path: Path

    @classmethod
    def read(cls, path: Path, cache: Any | None, work: Path) -> "RegisterRows":
        """The rows of the register file at ``path``: from the layout the last build
        recorded in ``cache`` when the file is as it wrote it (no row parsed but those of
        the countries settled again), else read and set aside by country under ``work``."""
        layout = RegisterLayout.recorded(path, cache)
        if layout is not None:
            return cls(layout.header, {code: block[3] for code, block in layout.blocks.items()},
                       lambda code: layout.rows(path, code), path)
        header, rows = read_rows(path)
        entries = set_aside(rows, header.index("iso3"), work)
        digests = {code: rows_digest(f for _, f in entries.iter(code)) for code in entries.parts()}
        return cls(header, digests, entries.iter, path)

    def digest(self, code: str) -> str:
        return self.digests.get(code, rows_digest(()))

    def entries(self, code: str) -> Iterator[Entry]:
        return parse_rows(self.path, self.header, self.rows(code))


def set_aside(rows: Iterable[tuple[int, list[str]]], iso3_at: int, folder: Path) -> Spool:
    """A register's rows set aside by country code in ``folder`` (in blocks: memory holds a
    block, not the register); rows without a valid code go to the part ``_bad``."""
    entries: Spool = Spool(folder)
    pending: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    for n, (line, fields) in enumerate(rows, start=1):
        code = fields[iso3_at] if iso3_at < len(fields) else ""
        pending[code if code.isalnum() else "_bad"].append((line, fields))
        if n % 5000 == 0:
            for part, block in pending.items():
                entries.add(part, block)
            pending.clear()
    for part, block in pending.items():
        entries.add(part, block)
    return entries


class RegisterLayout:
    """Where each country's rows are in a register file a build wrote: byte range, number
    of its first row, digest of its rows. Cached under the file's sha256, so that the next
    build, finding the file as it was written, reads only the rows of the countries it
    settles again, instead of parsing and setting aside the whole register."""

    def __init__(self, header: list[str]):
        self.header = list(header)
        self.blocks: dict[str, tuple[int, int, int, str]] = {}  # code -> (start, end, first row, digest)
        self._hasher = hashlib.sha256()
        self._size = 0
        self._row = 2  # row numbers as ids.read_rows gives them (the header is row 1)

    def write_header(self, handle: BinaryIO) -> None:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(self.header)
        self._write(handle, text.getvalue().encode("utf-8"))

    def write_block(self, handle: BinaryIO, code: str, rows: str, count: int, digest: str) -> None:
        """Write country ``code``'s ``count`` rows; a country with none has no block (as a
        plain read of the file finds none)."""
        start = self._size
        self._write(handle, rows.encode("utf-8"))
        if count:
            self.blocks[code] = (start, self._size, self._row, digest)
        self._row += count

    def _write(self, handle: BinaryIO, data: bytes) -> None:
        handle.write(data)
        self._hasher.update(data)
        self._size += len(data)

    def cache_key(self) -> str:
        return f"register-layout/{self._hasher.hexdigest()}"

    def __getstate__(self) -> dict:
        return {"header": self.header, "blocks": self.blocks}

    def __setstate__(self, state: dict) -> None:
        self.header, self.blocks = state["header"], state["blocks"]

    @classmethod
    def recorded(cls, path: Path, cache: Any | None) -> "RegisterLayout | None":
        """The layout recorded for the register file at ``path`` as it is now, if any."""
        if cache is None or not path.is_file():
            return None
        hasher = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                hasher.update(block)
        found = cache.get(f"register-layout/{hasher.hexdigest()}")
        return found if isinstance(found, RegisterLayout) else None

    def rows(self, path: Path, code: str) -> Iterator[tuple[int, list[str]]]:
        """The (row number, fields) of country ``code``'s rows, read from its byte range."""
        if code not in self.blocks:
            return
        start, end, first, _ = self.blocks[code]
        with path.open("rb") as handle:
            handle.seek(start)
            text = handle.read(end - start).decode("utf-8")
        for row, fields in enumerate(csv.reader(io.StringIO(text, newline="")), start=first):
            if fields:
                yield row, fields

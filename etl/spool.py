"""Working files of one build: records set aside on disk by part, read back a part at a time.

The build streams: what extraction makes of each article is set aside here (the candidate
events of each country, the events of each month) as it arrives, so that memory holds one
part at a time, never the corpus. A part is a name (a country code, a month); its file is
a stream of pickled lists, appended to in the order records were added.

    spool = Spool(folder)
    spool.add("AZE", events)      # buffered; written when the buffer is full
    for part in spool.parts():    # sorted names
        records = spool.read(part)
"""
from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


class Spool:
    """Records by part on disk under ``folder``; ``flush_at``: bytes buffered in memory
    (records are pickled when added, so the buffer's size is known exactly)."""

    def __init__(self, folder: Path, flush_at: int = 8 << 20):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.flush_at = flush_at
        self._buffer: dict[str, list[bytes]] = {}
        self._buffered = 0
        self._parts: set[str] = set()

    def _path(self, part: str) -> Path:
        if not _SAFE.match(part):
            raise ValueError(f"spool: part names are letters, digits, '-' and '_', not {part!r}")
        return self.folder / f"{part}.pkl"

    def add(self, part: str, records: Iterable[Any]) -> None:
        records = list(records)
        if not records:
            return
        if part not in self._parts:
            self._path(part)  # checks the name
            self._parts.add(part)
        data = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
        self._buffer.setdefault(part, []).append(data)
        self._buffered += len(data)
        if self._buffered >= self.flush_at:
            self.flush()

    def flush(self) -> None:
        """Append every buffered record to its part's file."""
        for part, pickles in self._buffer.items():
            with self._path(part).open("ab") as handle:
                handle.writelines(pickles)
        self._buffer.clear()
        self._buffered = 0

    def parts(self) -> list[str]:
        return sorted(self._parts)

    def read(self, part: str) -> list[Any]:
        """Every record of ``part``, in the order added."""
        return list(self.iter(part))

    def iter(self, part: str) -> Iterator[Any]:
        self.flush()
        self._path(part)  # checks the name
        return read_part(self.folder, part)


def read_part(folder: Path, part: str) -> Iterator[Any]:
    """The records of ``part`` of the spool in ``folder``, in the order added, from any
    process (what the spool holds once flushed)."""
    path = Path(folder) / f"{part}.pkl"
    if _SAFE.match(part) and path.exists():
        for records in pickles(path):
            yield from records


def pickles(path: Path) -> Iterator[Any]:
    """Each object of a file of pickles written one after another, in order."""
    with Path(path).open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return

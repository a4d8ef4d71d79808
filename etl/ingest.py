"""Reading the input folder: every ``*.txt`` article plus the optional ``manifest.csv``.

Articles are yielded one at a time, in file-name order, so a build never holds all texts
in memory. Every file gives an ``Article``, whatever its state: unreadable or empty files
come with a status (``empty``, ``undecodable``) so that no article silently disappears.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from .errors import InputError
from .records import Article, pickled_as_fields

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "url", "publisher", "published_date", "title")
# Share of control characters (other than white space) above which a text is not prose.
MAX_CONTROL_SHARE = 0.01


@pickled_as_fields
@dataclass(frozen=True, slots=True)
class ManifestRow:
    file: str
    url: str | None = None
    publisher: str | None = None
    published_date: dt.date | None = None
    title: str | None = None


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _date_of(value: str, where: str, dates: dict[str, dt.date | None]) -> dt.date | None:
    """``parse_date``, remembered in ``dates`` by its text."""
    if value not in dates:
        dates[value] = parse_date(value, where)
    return dates[value]


def _interned(value: str | None) -> str | None:
    return sys.intern(value) if value is not None else None


def parse_date(value: str, where: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{where}: published_date: {value!r}: not a date (expected YYYY-MM-DD)") from None


def read_manifest(folder: Path) -> dict[str, ManifestRow]:
    """Read ``manifest.csv`` (columns file,url,publisher,published_date,title; all but file optional)."""
    return {row.file: row for row in manifest_rows(folder)}


def manifest_rows(folder: Path) -> Iterator[ManifestRow]:
    """The rows of ``manifest.csv`` in file order, read one at a time (none if there is
    no manifest); raises InputError, naming the line, on a malformed or repeated row."""
    path = folder / MANIFEST
    if not path.exists():
        return
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        header_line = handle.readline()
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from None
    with handle:
        reader = csv.DictReader(_lines(handle, path), fieldnames=next(csv.reader([header_line]), []))
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "file" not in header:
            raise InputError(f"{path}:1: file: the manifest needs a 'file' column (has: {', '.join(header) or 'nothing'})")
        unknown = [h for h in header if h not in MANIFEST_COLUMNS]
        if unknown:
            raise InputError(f"{path}:1: {unknown[0]}: unknown manifest column (known: {', '.join(MANIFEST_COLUMNS)})")
        seen: set[str] = set()
        dates: dict[str, dt.date | None] = {}  # one date object per distinct day, not per row
        for raw in reader:
            line = reader.line_num + 1  # the header was read apart
            raw = {(k or "").strip(): v for k, v in raw.items()}
            name = _blank_to_none(raw.get("file"))
            if name is None:
                raise InputError(f"{path}:{line}: file: empty: every manifest row needs a file name")
            if name in seen:
                raise InputError(f"{path}:{line}: file: {name}: listed twice")
            seen.add(name)
            yield ManifestRow(
                file=name,
                url=_blank_to_none(raw.get("url")),
                publisher=_interned(_blank_to_none(raw.get("publisher"))),  # a few outlets, many rows
                published_date=_date_of(raw.get("published_date") or "", f"{path}:{line}", dates),
                title=_blank_to_none(raw.get("title")),
            )


def _lines(handle: Iterable[str], path: Path) -> Iterator[str]:
    """The lines of an open text file, a decoding error reported as an InputError."""
    try:
        yield from handle
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from None


def decode(raw: bytes) -> tuple[str | None, str]:
    """Decode article bytes: UTF-8 first, else the most likely encoding; None if not text."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "binary"
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        return None, "unknown"
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if text and controls / len(text) > MAX_CONTROL_SHARE:
        return None, best.encoding
    return text, best.encoding


def read_article(path: Path, meta: ManifestRow | None) -> Article:
    raw = path.read_bytes()
    meta = meta or ManifestRow(file=path.name)
    common = dict(
        key=path.stem,
        file=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        publisher=meta.publisher,
        url=meta.url,
        published_date=meta.published_date,
        title=meta.title,
    )
    text, encoding = decode(raw)
    if text is None:
        return Article(text="", status="undecodable", encoding=encoding,
                       warnings=(f"{path.name}: not decodable as text ({encoding})",), **common)
    warnings = () if encoding == "utf-8" else (f"{path.name}: not UTF-8; decoded as {encoding}",)
    status = "ok" if text.strip() else "empty"
    return Article(text=text, status=status, encoding=encoding, warnings=warnings, **common)


def article_names(folder: Path) -> list[str]:
    """The names of the ``*.txt`` files of ``folder``, in file-name order (one directory
    scan, no stat per file)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    with os.scandir(folder) as entries:
        return sorted(e.name for e in entries if e.name.endswith(".txt") and e.is_file())


def article_paths(folder: Path) -> list[Path]:
    """The ``*.txt`` files of ``folder``, in file-name order."""
    return [folder / name for name in article_names(folder)]


def read_corpus(folder: Path) -> Iterator[Article]:
    """Yield every article of ``folder`` in file-name order, one at a time."""
    folder = Path(folder)
    paths = article_paths(folder)
    manifest = read_manifest(folder)
    for path in paths:
        yield read_article(path, manifest.get(path.name))


def manifest_orphans(folder: Path) -> list[str]:
    """Manifest rows whose file is missing from the folder (reported, not fatal)."""
    folder = Path(folder)
    present = {p.name for p in article_paths(folder)}
    return sorted(name for name in read_manifest(folder) if name not in present)

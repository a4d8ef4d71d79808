"""What a build keeps of each article until its tables are written, on disk.

For every article the build needs, after extraction: its row of the sources table
(``SourceInfo``), the countries it reports events in, what identifies its outcome in the
cache and its publisher. At a few hundred bytes per article that is hundreds of MB for a
large corpus, so the ledger keeps it in an SQLite file in the build's working folder and
memory holds a batch of rows at a time: the build's memory does not grow with the
number of articles.

    ledger = Ledger(work / "ledger.sqlite")
    ledger.add(info, ["AZE", "ARM"], identity)   # in article order
    ledger.countries()                            # ["ARM", "AZE"]
    ledger.members("AZE")                         # [Member(key, identity, publisher), ...]
    ledger.count([("a1", 2)])                     # events counted for articles
    ledger.in_key_order()                         # (SourceInfo, events) by natural key order
"""
from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .export import natural_key


class SourceInfo(NamedTuple):
    """What the sources table needs of one article, less what is counted later."""

    key: str
    file: str
    sha256: str
    publisher: str | None
    url: str | None
    published_date: object
    reference_date: object
    reference_how: str
    title: str | None
    status: str


class Member(NamedTuple):
    """An article that reports events in a country."""

    key: str
    identity: str  # what identifies its outcome (its cache key), '' without a cache
    publisher: str | None


class Ledger:
    """Articles' ``SourceInfo`` and country memberships in an SQLite file (a build's own:
    created empty, never shared). ``add`` is buffered; reads see everything added."""

    BATCH = 1000  # articles per insert

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=OFF")  # a working file: a killed build discards it
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE article (position INTEGER PRIMARY KEY, key TEXT NOT NULL,"
                         " prefix TEXT NOT NULL, number REAL NOT NULL, info BLOB NOT NULL, reports INTEGER NOT NULL)")
        self._db.execute("CREATE TABLE member (code TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL,"
                         " identity TEXT NOT NULL, publisher TEXT)")
        self._articles: list[tuple] = []
        self._members: list[tuple] = []
        self._count = 0
        self._indexed = False

    def add(self, info: SourceInfo, countries: Iterable[str], identity: str = "") -> None:
        prefix, number, _ = natural_key(info.key)
        self._articles.append((self._count, info.key, prefix, number, pickle.dumps(info, protocol=pickle.HIGHEST_PROTOCOL), 0))
        self._members.extend((code, self._count, info.key, identity, info.publisher) for code in countries)
        self._count += 1
        if len(self._articles) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO article VALUES (?, ?, ?, ?, ?, ?)", self._articles)
        self._db.executemany("INSERT INTO member VALUES (?, ?, ?, ?, ?)", self._members)
        self._db.commit()
        self._articles.clear()
        self._members.clear()

    def _ready(self) -> sqlite3.Connection:
        """The database with everything added in it, indexed for reading (the indexes are
        made once, at the first read: cheaper than keeping them up to date while adding)."""
        if self._articles or self._members:
            self._flush()
        if not self._indexed:
            self._db.execute("CREATE INDEX IF NOT EXISTS member_code ON member (code, position)")
            self._db.execute("CREATE INDEX IF NOT EXISTS article_key ON article (key)")
            self._indexed = True
        return self._db

    def __len__(self) -> int:
        return self._count

    def in_key_order(self) -> Iterator[tuple[SourceInfo, int]]:
        """Every article's ``SourceInfo`` and the events counted for it (``count``), in the
        sources table's order (``natural_key``)."""
        rows = self._ready().execute("SELECT info, reports FROM article ORDER BY prefix, number, key")
        return ((pickle.loads(info), reports) for info, reports in rows)

    def count(self, reports: Iterable[tuple[str, int]]) -> None:
        """Add (article key, events) to the events counted for those articles."""
        self._ready().executemany("UPDATE article SET reports = reports + ? WHERE key = ?", ((n, key) for key, n in reports))

    def known(self, keys: Iterable[str]) -> frozenset[str]:
        """Which of ``keys`` are the keys of articles here."""
        wanted = sorted(set(keys))
        db = self._ready()
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            found.update(k for (k,) in db.execute(f"SELECT key FROM article WHERE key IN ({','.join('?' * len(part))})", part))
        return frozenset(found)

    def countries(self) -> list[str]:
        """The codes of the countries some article reports events in, sorted."""
        return [code for (code,) in self._ready().execute("SELECT DISTINCT code FROM member ORDER BY code")]

    def members(self, code: str) -> list[Member]:
        """The articles that report events in country ``code``, in article order."""
        rows = self._ready().execute("SELECT key, identity, publisher FROM member WHERE code = ? ORDER BY position", (code,))
        return [Member(*row) for row in rows]

    def close(self) -> None:
        self._db.close()

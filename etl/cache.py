"""The incremental cache: what extraction made of each article, kept between builds.

``etl build`` re-extracts only the articles it has not seen: an article's entry is found
by a key over everything its outcome depends on,

    file name + sha256 of the raw bytes + manifest metadata      (``article_key``)
    under the extractor's version                                (``extractor_version``)

where the version is a hash of the package version, the package's own code and every
vocabulary, schema and gazetteer data file. Any change to one of them is a new version,
so a changed vocabulary invalidates every entry it could affect (the simplest rule that is
always correct).

Entries are the compact per-article outcomes (events, source metadata, duplicate
fingerprint), never texts, pickled into one SQLite file per version
(``OUT/.cache/outcomes/VERSION/outcomes.sqlite``): read and written one entry at a time,
so memory does not grow with the corpus, and kept whole by SQLite's journal when a build
is killed. A file that cannot be read counts as empty: the cache can always be deleted
or ignored.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .runner import LazyTasks

T = TypeVar("T")
R = TypeVar("R")

CACHE_DIR = ".cache"
LOOKAHEAD = 256  # cached results read per query
SETTLE_NS = 2_000_000_000  # a file changed more recently than this is hashed again next time
KIND = "outcomes"
# Bump when the layout of this folder changes.
LAYOUT = "3"


def _digest_files(hasher: "hashlib._Hash", root: Path, label: str, suffixes: tuple[str, ...] | None = None) -> None:
    if not root.is_dir():
        hasher.update(f"{label}: missing\0".encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if suffixes is not None and path.suffix not in suffixes:
            continue
        hasher.update(f"{label}/{rel.as_posix()}\0".encode())
        hasher.update(hashlib.sha256(path.read_bytes()).digest())


def extractor_version(package_version: str, data_dirs: Iterable[Path], code_dir: Path | None = None) -> str:
    """A hash of the package version, its ``*.py`` files in ``code_dir`` and every file in ``data_dirs``."""
    hasher = hashlib.sha256(f"acled-etl {package_version} layout {LAYOUT}\0".encode())
    for i, folder in enumerate(data_dirs):
        _digest_files(hasher, Path(folder), f"data{i}")
    if code_dir is not None:
        _digest_files(hasher, Path(code_dir), "code", suffixes=(".py",))
    return hasher.hexdigest()


def current_version() -> str:
    """The version of the installed extractor: package version, code, vocab, schemas, gazetteer."""
    from . import __version__
    from .paths import PACKAGE, gazetteer_dir, schemas_dir, vocab_dir

    return extractor_version(__version__, [vocab_dir(), schemas_dir(), gazetteer_dir()], PACKAGE)


def article_key(file: str, sha256: str, metadata: Iterable[object] = ()) -> str:
    """The cache key of one article: its file name, content hash and manifest metadata."""
    parts = [file, sha256, *("" if m is None else str(m) for m in metadata)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class OutcomeCache:
    """Per-article outcomes of one extractor version under ``OUT/.cache/``.

    Entries live in one SQLite file per version (``outcomes/VERSION/outcomes.sqlite``),
    read one at a time (``get``) and written in batched transactions (``put``), so the
    build never holds the cache in memory. ``save`` commits; with ``prune`` (a complete
    build) it keeps exactly the entries this build used, drops the rest and any other
    version's folder, so the cache mirrors the corpus and does not grow without bound.
    SQLite's journal keeps the file whole if the build is killed: the entries committed
    so far survive. A file that cannot be read counts as empty: the cache can always be
    deleted or ignored.
    """

    FILE = "outcomes.sqlite"
    BATCH = 500  # puts per transaction

    def __init__(self, out_dir: Path, version: str):
        self.base = Path(out_dir) / CACHE_DIR / KIND
        self.folder = self.base / version[:32]
        self._db: sqlite3.Connection | None = None
        self._pending = 0
        self._used: set[str] = set()  # keys used, not yet recorded in the temp table
        self._used_any = False  # keys recorded in the temp table ``used``
        self._used_lost = False  # recorded keys went with a closed connection: never prune
        # path -> stat + sha256 of the stored hashes from path ``_window[0]`` to ``_window[1]``
        # (None: to the end): a rebuild asks in file-name order, a window at a time
        self._window: tuple[str, str | None, dict[str, tuple[int, int, int, str]]] | None = None
        self._new_hashes: dict[str, tuple[int, int, int, str]] = {}
        self._hashed: set[str] = set()  # paths hashed, not yet recorded in the temp table
        self._hashed_any = False
        self._real_folders: dict[str, str] = {}  # folder as given -> its real path (the memo's key)
        self.hits = 0
        self.misses = 0

    @property
    def path(self) -> Path:
        return self.folder / self.FILE

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.exists():
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        for attempt in range(2):
            try:
                db = sqlite3.connect(self.path, isolation_level="DEFERRED")
                # a rowid table: values are KBs, too large for WITHOUT ROWID's B-tree pages
                db.execute("CREATE TABLE IF NOT EXISTS outcome (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS file_hash (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
                           " inode INTEGER, sha256 TEXT) WITHOUT ROWID")
                # WAL: the processes that settle countries read entries while this build
                # writes others (a rollback journal locks readers out once a large
                # transaction spills to the file)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.commit()
                self._db = db
                return db
            except sqlite3.DatabaseError:  # not a database, or from older code: start afresh
                if attempt:
                    raise
                with contextlib.suppress(Exception):
                    db.close()
                for stale in self.folder.glob(self.FILE + "*"):
                    stale.unlink(missing_ok=True)
        return None

    def keys(self) -> set[str]:
        """Every key stored (a build asks ``stored_keys``, a block of keys at a time)."""
        db = self._connect(create=False)
        if db is None:
            return set()
        try:
            return {k for (k,) in db.execute("SELECT key FROM outcome")}
        except sqlite3.DatabaseError:
            return set()

    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are stored (read without their values)."""
        db = self._connect(create=False)
        found: set[str] = set()
        if db is None:
            return found
        try:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                found.update(k for (k,) in db.execute(f"SELECT key FROM outcome WHERE key IN ({','.join('?' * len(part))})", part))
        except sqlite3.DatabaseError:
            return set()
        return found

    def holds(self, keys: Sequence[str]) -> bool:
        """Whether every one of ``keys`` is stored (read without their values)."""
        return set(keys) <= self.stored_keys(keys)

    def get(self, key: str) -> Any | None:
        value = None
        db = self._connect(create=False)
        if db is not None:
            try:
                row = db.execute("SELECT value FROM outcome WHERE key = ?", (key,)).fetchone()
                value = pickle.loads(row[0]) if row is not None else None
            except Exception:  # unreadable entry: extract again
                value = None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._use((key,))
        return value

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """``{key: value}`` for the stored ones of ``keys`` (a query per 500 keys, not per key)."""
        db = self._connect(create=False)
        try:
            found = stored_values(db, keys) if db is not None else {}
        except sqlite3.DatabaseError:  # not a cache file after all: as if empty
            found = {}
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        self._use(found)
        return found

    def keep(self, keys: Iterable[str]) -> None:
        """Count ``keys`` as used by this build without reading them (so pruning keeps them)."""
        self._use(keys)

    def put(self, key: str, value: Any) -> None:
        db = self._connect(create=True)
        self._use((key,))
        db.execute("INSERT OR REPLACE INTO outcome (key, value) VALUES (?, ?)",
                   (key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        self._pending += 1
        if self._pending >= self.BATCH:
            db.commit()
            self._pending = 0

    def file_sha256(self, path: str) -> str:
        """The sha256 of a file's bytes, remembered by its size, mtime and inode.

        A file whose stat is unchanged since it was hashed is not read again (as git does).
        A file changed less than ``SETTLE_NS`` before it was hashed is not remembered, so
        that a write within the file system's timestamp resolution is never missed. Files
        are remembered by their folder's real path: "corpus", "./corpus" and the absolute
        path (or a link to the folder) find the same hashes.
        """
        info = os.stat(path)
        folder, name = os.path.split(path)
        real = self._real_folders.get(folder)
        if real is None:
            real = self._real_folders[folder] = os.path.realpath(folder or ".")
        path = os.path.join(real, name)
        stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
        self._hashed.add(path)
        if len(self._hashed) >= 5000:
            self._write_hashes()
        known = self._known_hash(path)
        if known is not None and known[:3] == stamp:
            return known[3]
        with open(path, "rb") as handle:
            sha = hashlib.sha256(handle.read()).hexdigest()
        if time.time_ns() - info.st_mtime_ns > SETTLE_NS:
            self._new_hashes[path] = (*stamp, sha)
            if len(self._new_hashes) >= 1000:
                self._write_hashes()
        return sha

    def _write_hashes(self) -> None:
        """Record the new hashes and the paths hashed so far (memory holds a batch)."""
        db = self._connect(create=True)
        if self._new_hashes:
            db.executemany("INSERT OR REPLACE INTO file_hash VALUES (?, ?, ?, ?, ?)",
                           ((p, *v) for p, v in sorted(self._new_hashes.items())))
            self._new_hashes.clear()
        if self._hashed:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS hashed (path TEXT PRIMARY KEY) WITHOUT ROWID")
            db.executemany("INSERT OR IGNORE INTO hashed (path) VALUES (?)", ((p,) for p in self._hashed))
            self._hashed.clear()
            self._hashed_any = True

    HASH_WINDOW = 5000  # stored file hashes held at a time

    def _known_hash(self, path: str) -> tuple[int, int, int, str] | None:
        """The stored stat and hash of ``path``, if any. Paths asked in order (a corpus's
        files by name) are read a window of ``HASH_WINDOW`` at a time, so memory does not
        hold the hashes of the whole corpus; a path out of order moves the window."""
        window = self._window
        if window is None or path < window[0] or (window[1] is not None and path > window[1]):
            window = self._window = self._hash_window(path)
        return window[2].get(path)

    def _hash_window(self, first: str) -> tuple[str, str | None, dict[str, tuple[int, int, int, str]]]:
        """The stored hashes of the paths from ``first`` on, at most ``HASH_WINDOW`` of them."""
        db = self._connect(create=False)
        rows: list = []
        if db is not None:
            with contextlib.suppress(sqlite3.DatabaseError):
                rows = db.execute("SELECT path, size, mtime_ns, inode, sha256 FROM file_hash WHERE path >= ?"
                                  " ORDER BY path LIMIT ?", (first, self.HASH_WINDOW)).fetchall()
        last = rows[-1][0] if len(rows) == self.HASH_WINDOW else None  # fewer: the table ends here
        return first, last, {row[0]: tuple(row[1:]) for row in rows}

    def save(self, *, prune: bool = True) -> None:
        """Commit what was put; with ``prune`` keep only the entries used, drop other versions."""
        db = self._connect(create=True)
        self._write_hashes()
        if prune and self._hashed_any:
            db.execute("DELETE FROM file_hash WHERE path NOT IN (SELECT path FROM hashed)")
            db.execute("DROP TABLE hashed")
            self._hashed_any = False
        self._write_used()
        prune = prune and not self._used_lost
        if prune:
            db.execute("DELETE FROM outcome WHERE key NOT IN (SELECT key FROM used)")
        db.commit()
        self._pending = 0
        if prune:
            for other in self.base.iterdir():
                if other != self.folder and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)

    def _use(self, keys: Iterable[str]) -> None:
        self._used.update(keys)
        if len(self._used) >= 5000:
            self._write_used()

    def _write_used(self) -> None:
        """Record the keys used so far in a temp table (memory holds a batch, not the corpus)."""
        db = self._connect(create=True)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY) WITHOUT ROWID")
        db.executemany("INSERT OR IGNORE INTO used (key) VALUES (?)", ((k,) for k in self._used))
        self._used.clear()
        self._used_any = True

    def close(self) -> None:
        """Commit and release the file (the object can be used again: it reopens)."""
        self._hashed_any = False  # the temp tables go with the connection
        self._used_lost = self._used_lost or self._used_any
        self._used_any = False
        if self._db is not None:
            self._db.commit()
            self._db.close()
            self._db = None
            self._pending = 0


def stored_values(db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, Any]:
    """``{key: value}`` for the stored ones of ``keys``, a query per 500 keys; an entry that
    cannot be unpickled counts as missing (a file that cannot be queried raises)."""
    found: dict[str, Any] = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        rows = db.execute(f"SELECT key, value FROM outcome WHERE key IN ({','.join('?' * len(part))})", part).fetchall()
        for key, blob in rows:
            with contextlib.suppress(Exception):  # unreadable entry: extract again
                found[key] = pickle.loads(blob)
    return found


class StoredReader:
    """Entries of a cache file read by another process than the build's (a worker settling
    a country), read-only and with none of ``OutcomeCache``'s bookkeeping: the build counts
    what it uses itself. Entries the build has not committed yet are not seen."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """``{key: value}`` for the stored ones of ``keys``."""
        return stored_values(self._db, keys)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "StoredReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cached_map(
    tasks: Sequence[T],
    factory: Callable[[], Callable[[T], R]],
    runner: Any,
    cache: OutcomeCache | None,
    task_key: Callable[[T], str],
    result_key: Callable[[T, R], str],
    progress: Callable[[int], Any] | None = None,
    view: tuple[str, Callable[[R], Any]] | None = None,
    keyed: bool = False,
) -> Iterator[Any]:
    """``factory()(task)`` for every task, yielded in task order, taken from ``cache`` where it can.

    Only the tasks whose ``task_key`` is not cached go to ``runner``; their results are
    stored under ``result_key(task, result)`` (the key of what the worker actually read).
    With a cache every task's key is computed, even in a first run, so that what computing
    it remembers (``OutcomeCache.file_sha256``: the hash of each unchanged file) is there
    for the next run: a rebuild then reads no file it has seen, only their stats.
    Results are yielded one at a time and never gathered, so memory does not grow with
    the number of tasks. The results are committed to the cache as they come (so an
    interrupted run keeps what it got); pruning the cache to what was used is left to the
    caller (``cache.save(prune=True)``), which may use the cache for more than this map.
    ``progress(n)`` is told of every ``n`` tasks done.

    ``view``: (prefix, make): yield ``make(result)`` instead of each result. The view is
    stored too, under prefix + key, and a cached task's view is read instead of its
    result (which stays stored and counts as used): for a result much larger than what
    the caller needs of it first.

    ``keyed``: yield (key, value), the key under which the result is (or would be) stored.
    """
    report = progress or (lambda n: None)
    prefix, make = view if view is not None else ("", None)
    cached: list[str | None] = [None] * len(tasks)
    todo = list(range(len(tasks)))
    if cache is not None:  # even when empty: what a key remembers (file hashes) is kept for next time
        todo = []
        for start in range(0, len(tasks), LOOKAHEAD):  # (the stored keys asked a block at a time)
            keys = [task_key(tasks[i]) for i in range(start, min(start + LOOKAHEAD, len(tasks)))]
            stored = cache.stored_keys(keys)
            for i, key in enumerate(keys, start):
                if key in stored:
                    cached[i] = key
                else:
                    todo.append(i)
    local: list[Callable[[T], R]] = []  # for an entry that turns out unreadable
    fresh: Iterator[Any] | None = None
    try:
        fresh = iter(runner.map(LazyTasks((tasks[i] for i in todo), len(todo)), factory))  # made as sent out
        for start in range(0, len(tasks), LOOKAHEAD):
            block = range(start, min(start + LOOKAHEAD, len(tasks)))
            wanted = [cached[i] for i in block if cached[i] is not None]
            found = cache.get_many([prefix + k for k in wanted]) if cache is not None and wanted else {}
            if make is not None and wanted:
                cache.keep(wanted)
            for i in block:
                key = cached[i]
                value = found.pop(prefix + key, None) if key is not None else None
                if value is None and key is not None and make is not None:
                    result = cache.get(key)  # stored before its view was: make the view now
                    if result is not None:
                        value = make(result)
                        cache.put(prefix + key, value)
                if value is None:
                    task = tasks[i]
                    if key is None:
                        result = next(fresh)
                    else:
                        if not local:
                            local.append(factory())
                        result = local[0](task)
                    value = result if make is None else make(result)
                    key = result_key(task, result)
                    if cache is not None:
                        cache.put(key, result)
                        if make is not None:
                            cache.put(prefix + key, value)
                report(1)
                yield (key, value) if keyed else value
    finally:
        if cache is not None:
            cache.save(prune=False)
        if close := getattr(fresh, "close", None):  # a runner's work that is no longer wanted
            close()


def stored(path: Path, make: Callable[[], T]) -> T:
    """``make()``, kept pickled at ``path`` and read from there next time.

    For objects that are slow to build and quick to unpickle (the loaded Extractor: its
    gazetteer automaton takes ~1 s to build, ~0.2 s to read). ``path`` must name
    everything the object depends on (e.g. the extractor version); the file is written
    atomically, and one that cannot be read is built again.
    """
    path = Path(path)
    if path.exists():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # unreadable, or from other code: build it again
            pass
    made = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(made, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:  # a read-only or full disk: the object is still usable
        pass
    return made


def prune_stored(folder: Path, keep: Path) -> None:
    """Remove every file of ``folder`` but ``keep`` (stored objects of older versions)."""
    if folder.is_dir():
        for other in folder.iterdir():
            if other != keep and other.is_file():
                other.unlink(missing_ok=True)

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
fingerprint), never texts. They live in ``OUT/.cache/outcomes/VERSION/``, one pickle
shard per two-hex-digit key prefix (256 shards at most), each written atomically
(temporary file, then rename), so a killed build leaves every shard whole. A shard that
cannot be read counts as empty: the cache can always be deleted or ignored.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CACHE_DIR = ".cache"
KIND = "outcomes"
# Bump when the layout of this folder changes.
LAYOUT = "1"


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

    ``get``/``put`` work in memory (a shard is read when one of its keys is first asked
    for); ``save`` writes the shards that changed. With ``prune`` (a complete build),
    ``save`` keeps exactly the entries this build used, drops the rest and any other
    version's folder; so the cache mirrors the corpus and does not grow without bound.
    """

    def __init__(self, out_dir: Path, version: str):
        self.base = Path(out_dir) / CACHE_DIR / KIND
        self.folder = self.base / version[:32]
        self._shards: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._used: set[str] = set()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _shard_of(key: str) -> str:
        return key[:2]

    def _path(self, shard: str) -> Path:
        return self.folder / f"{shard}.pkl"

    def _shard(self, shard: str) -> dict[str, Any]:
        entries = self._shards.get(shard)
        if entries is None:
            entries = {}
            path = self._path(shard)
            if path.exists():
                try:
                    with path.open("rb") as handle:
                        loaded = pickle.load(handle)
                    if isinstance(loaded, dict):
                        entries = loaded
                except Exception:  # unreadable or from older code: treat as empty
                    entries = {}
            self._shards[shard] = entries
        return entries

    def is_empty(self) -> bool:
        """True when nothing is stored for this version (a first build needs no look-ups)."""
        return not self.folder.is_dir() or not any(self.folder.glob("*.pkl"))

    def get(self, key: str) -> Any | None:
        value = self._shard(self._shard_of(key)).get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        shard = self._shard_of(key)
        entries = self._shard(shard)
        self._used.add(key)
        if entries.get(key) is not value:
            entries[key] = value
            self._dirty.add(shard)

    def save(self, *, prune: bool = True) -> None:
        """Write changed shards atomically; with ``prune`` keep only the entries used."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(".*.tmp"):  # left by a build killed while saving
            stale.unlink(missing_ok=True)
        shards = set(self._shards)
        if prune:
            shards |= {p.stem for p in self.folder.glob("*.pkl")}
        for shard in sorted(shards):
            entries = self._shard(shard)
            if prune:
                kept = {k: v for k, v in entries.items() if k in self._used}
                if len(kept) != len(entries):
                    self._shards[shard] = entries = kept
                    self._dirty.add(shard)
            if shard not in self._dirty:
                continue
            if entries:
                _write_atomic(self._path(shard), pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
            else:
                self._path(shard).unlink(missing_ok=True)
        self._dirty.clear()
        if prune:
            for other in self.base.iterdir():
                if other != self.folder and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)


def cached_map(
    tasks: Sequence[T],
    factory: Callable[[], Callable[[T], R]],
    runner: Any,
    cache: OutcomeCache | None,
    task_key: Callable[[T], str],
    result_key: Callable[[T, R], str],
    progress: Callable[[int], Any] | None = None,
) -> list[R]:
    """``factory()(task)`` for every task, in task order, taking what it can from ``cache``.

    Only the tasks whose ``task_key`` is not cached go to ``runner``; their results are
    stored under ``result_key(task, result)`` (the key of what the worker actually read)
    and the cache saved: pruned to these tasks when the run completes, kept as far as it
    got when it is interrupted. ``progress(n)`` is told of every ``n`` tasks done.
    """
    report = progress or (lambda n: None)
    results: list[Any] = [None] * len(tasks)
    todo = list(range(len(tasks)))
    if cache is not None and not cache.is_empty():
        todo = []
        for i, task in enumerate(tasks):
            found = cache.get(task_key(task))
            if found is None:
                todo.append(i)
            else:
                results[i] = found
        report(len(tasks) - len(todo))
    complete = False
    try:
        for i, result in zip(todo, runner.map([tasks[i] for i in todo], factory)):
            results[i] = result
            if cache is not None:
                cache.put(result_key(tasks[i], result), result)
            report(1)
        complete = True
    finally:
        if cache is not None:
            cache.save(prune=complete)
    return results


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

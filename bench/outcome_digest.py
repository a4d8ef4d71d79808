"""What the extractor makes of a set of articles, as one digest per article: a check that a
speed-up changed nothing.

    python bench/outcome_digest.py FOLDER [FOLDER ...] [--limit N] [--save F] [--against F]

Runs the build's per-article worker (``etl.build.ArticleWorker``: extraction, publisher,
duplicate fingerprint) over the ``*.txt`` files of each folder (the first ``--limit`` of
each, in name order) in this process, and hashes the ``repr`` of each outcome's fields
(article, reference date, publisher, events, fingerprint). ``--save``
writes ``{file: digest}`` to a JSON file; ``--against`` compares with such a file and lists
the articles whose outcome differs (exit code 1 if any). Also prints CPU ms per article.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import build  # noqa: E402


def digests(folders: list[Path], limit: int | None) -> tuple[dict[str, str], float, int]:
    worker = build.load_worker()
    out: dict[str, str] = {}
    cpu = 0.0
    for folder in folders:
        for path in sorted(folder.glob("*.txt"))[:limit]:
            started = time.process_time()
            outcome = worker(build.ArticleTask(str(path)))
            cpu += time.process_time() - started
            events = sorted(repr(e) for e in outcome.events)  # the merge does not depend on their order
            fields = (outcome.article, outcome.reference_date, outcome.reference_how, outcome.publisher,
                      events, outcome.fingerprint)
            out[f"{folder.name}/{path.name}"] = hashlib.sha256(repr(fields).encode()).hexdigest()
    return out, cpu, len(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args(argv)
    found, cpu, n = digests(args.folders, args.limit)
    print(f"{n} articles, {cpu / max(n, 1) * 1000:.2f} ms CPU per article")
    if args.save:
        args.save.write_text(json.dumps(found, indent=0, sort_keys=True))
    if args.against:
        before = json.loads(args.against.read_text())
        changed = sorted(k for k in set(before) | set(found) if before.get(k) != found.get(k))
        for name in changed:
            print(f"differs: {name}")
        print(f"{len(changed)} of {len(found)} outcomes differ")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the gazetteer: load time, geocode time, and place matching per article.

    /work/venv/bin/python bench/bench_gazetteer.py [--repeat 20]

Reports: Gazetteer.load and PlaceFinder.load (seconds, in a process that has already
imported pandas/pyarrow, as a pipeline worker has); median milliseconds per article for
each seed article and for a synthetic ~600-word article built from gazetteer names and
filler sentences written here; geocode lookups per second.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FILLER = (
    "Officials said on Monday that the situation remained tense after the night.",
    "Residents reported heavy shelling and several buildings were damaged.",
    "The ministry will publish new figures on Wednesday, a spokesman added.",
    "Police and army units were deployed to the area to restore order.",
    "Aid groups called for a pause in the fighting so that food could reach families.",
    "Talks between the two sides are expected to resume later this month.",
)
PLACES = (
    "Kharkiv", "Gaza City", "Stepanakert", "Goris", "El Fasher", "Aleppo", "Goma", "Mogadishu",
    "Bakhmut", "Shusha", "Lachin corridor", "Khan Younis", "Sittwe", "Marib", "Djibo", "Nyala",
)


def synthetic_article(words: int = 600, seed: int = 7) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(rng.choice(FILLER))
        out.append(f"Fighting was reported near {rng.choice(PLACES)} and in {rng.choice(PLACES)} district.")
    return " ".join(out)


def median_ms(fn, repeat: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    start = time.perf_counter()
    import pandas  # noqa: F401  (a pipeline worker has these imported already)
    import pyarrow.dataset  # noqa: F401

    from etl.gazetteer import Gazetteer
    from etl.places import PlaceFinder

    print(f"imports: {time.perf_counter() - start:.2f} s")
    start, cpu = time.perf_counter(), time.process_time()
    gazetteer = Gazetteer.load()
    print(f"Gazetteer.load: {time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s CPU")
    start = time.perf_counter()
    finder = PlaceFinder.load(gazetteer)
    print(f"PlaceFinder.load (given the gazetteer): {time.perf_counter() - start:.3f} s")

    articles = {p.name: p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))}
    articles["synthetic-600-words"] = synthetic_article()
    for name, text in articles.items():
        finder.find(text)  # warm
        ms = median_ms(lambda: finder.find(text), args.repeat)
        cpu = median_ms(lambda: finder.find(text), args.repeat, time.process_time)
        print(
            f"{name}: {len(text.split())} words, {len(finder.find(text))} place mentions, "
            f"{ms:.2f} ms wall / {cpu:.2f} ms CPU (median)"
        )

    names = list(PLACES) * 10
    start = time.perf_counter()
    for name in names:
        gazetteer.geocode(name)
    rate = len(names) / (time.perf_counter() - start)
    print(f"geocode: {rate:.0f} lookups/s")


if __name__ == "__main__":
    main()

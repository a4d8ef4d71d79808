"""Reference tables of places shared by the gazetteer and place-mention tests."""
from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_table(path: Path) -> list[dict]:
    """A CSV with '#' comment lines, as a list of rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


REFERENCE = read_table(DATA / "places_reference.csv")  # issue places, every spelling, cited coordinates
WORLD = read_table(DATA / "places_world.csv")  # well-known places elsewhere, as the press spells them

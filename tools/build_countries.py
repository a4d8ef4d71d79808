#!/usr/bin/env python3
"""Generate ``schemas/countries.csv`` from pycountry and the hand-reviewed region map.

Inputs:
  * pycountry (ISO 3166-1: alpha-3, numeric code, names); needed only here, not at runtime.
  * ``schemas/country_regions.csv``: one row per ISO3 code with its ACLED region, the name
    as ACLED writes it when it differs from pycountry's common name (``acled_name``), and a
    numeric code for entries pycountry lacks (``iso``; e.g. Kosovo, which ACLED codes as 0).

Output ``schemas/countries.csv`` (sorted by ISO3): name, iso3, iso, region, aliases
(other names of the country, ";"-separated: pycountry's name, common and official names).

    python tools/build_countries.py [--check-samples DIR]

``--check-samples`` also compares the country/region/iso pairs found in ACLED CSV exports in
DIR (e.g. ../shared/acled_samples) with the generated table and exits 1 on a disagreement.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pycountry

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
FIELDS = ["name", "iso3", "iso", "region", "aliases"]


def read_region_map(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["iso3"]: row for row in csv.DictReader(handle)}


def allowed_regions(path: Path) -> set[str]:
    import yaml

    return set(yaml.safe_load(path.read_text(encoding="utf-8"))["regions"])


def build_rows(region_map: dict[str, dict[str, str]], regions: set[str]) -> list[dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for country in pycountry.countries:
        iso3 = country.alpha_3
        entry = region_map.get(iso3)
        if entry is None:
            problems.append(f"{iso3} ({country.name}) has no row in country_regions.csv")
            continue
        common = getattr(country, "common_name", None) or country.name
        name = entry["acled_name"] or common
        others = [country.name, common, getattr(country, "official_name", None)]
        aliases = sorted({alias for alias in others if alias and alias != name})
        rows[iso3] = {
            "name": name,
            "iso3": iso3,
            "iso": str(int(country.numeric)),
            "region": entry["region"],
            "aliases": ";".join(aliases),
        }
    for iso3, entry in region_map.items():
        if iso3 in rows:
            continue
        if not entry["iso"] or not entry["acled_name"]:
            problems.append(f"{iso3} is not in pycountry: give its acled_name and iso")
            continue
        rows[iso3] = {"name": entry["acled_name"], "iso3": iso3, "iso": str(int(entry["iso"])),
                      "region": entry["region"], "aliases": ""}
    for row in rows.values():
        if row["region"] not in regions:
            problems.append(f"{row['iso3']}: region {row['region']!r} is not an ACLED region")
    if problems:
        raise SystemExit("country_regions.csv: " + "; ".join(problems))
    return [rows[key] for key in sorted(rows)]


def check_samples(rows: list[dict[str, str]], folder: Path) -> list[str]:
    """Compare (country, iso, region) triples of ACLED exports with the table."""
    by_name = {row["name"]: row for row in rows}
    problems = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, record in enumerate(csv.DictReader(handle), start=2):
                name = record.get("country") or record.get("COUNTRY")
                if not name or name.startswith("#"):
                    continue
                row = by_name.get(name)
                if row is None:
                    problems.append(f"{path.name}:{line}: country {name!r} not in the table")
                    continue
                region = record.get("region") or record.get("REGION")
                if region and region != row["region"]:
                    problems.append(f"{path.name}:{line}: {name}: region {region!r}, table has {row['region']!r}")
                iso = record.get("iso")
                if iso and int(iso) != int(row["iso"]):
                    problems.append(f"{path.name}:{line}: {name}: iso {iso}, table has {row['iso']}")
                iso3 = record.get("iso3")
                if iso3 and iso3 != row["iso3"]:
                    problems.append(f"{path.name}:{line}: {name}: iso3 {iso3}, table has {row['iso3']}")
    return sorted(set(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-samples", type=Path, help="folder of ACLED CSV exports to compare with")
    parser.add_argument("--out", type=Path, default=SCHEMAS / "countries.csv")
    args = parser.parse_args(argv)
    rows = build_rows(read_region_map(SCHEMAS / "country_regions.csv"), allowed_regions(SCHEMAS / "taxonomy.yaml"))
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} countries to {args.out}")
    if args.check_samples:
        problems = check_samples(rows, args.check_samples)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f"samples in {args.check_samples}: country, iso and region agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())

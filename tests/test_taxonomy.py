"""etl.taxonomy: ACLED's event types, inter codes and countries as loaded from schemas/."""
from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

from etl.errors import DataFileError
from etl.taxonomy import Taxonomy

REPO = Path(__file__).parents[1]
SAMPLES = REPO / ".." / "shared" / "acled_samples"


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.load()


@pytest.mark.parametrize(
    "event_type, sub_event_type, disorder",
    [
        ("Battles", "Armed clash", "Political violence"),
        ("Battles", "Non-state actor overtakes territory", "Political violence"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence"),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence"),
        ("Violence against civilians", "Abduction/forced disappearance", "Political violence"),
        ("Protests", "Peaceful protest", "Demonstrations"),
        ("Protests", "Excessive force against protesters", "Political violence; Demonstrations"),
        ("Riots", "Violent demonstration", "Demonstrations"),
        ("Riots", "Mob violence", "Political violence"),
        ("Strategic developments", "Agreement", "Strategic developments"),
        ("Strategic developments", "Looting/property destruction", "Strategic developments"),
    ],
)
def test_valid_pairs_and_their_disorder_type(tax, event_type, sub_event_type, disorder):
    assert tax.is_valid(event_type, sub_event_type)
    assert tax.disorder_type(event_type, sub_event_type) == disorder


@pytest.mark.parametrize(
    "event_type, sub_event_type",
    [
        ("Battles", "Peaceful protest"),
        ("Protests", "Armed clash"),
        ("Riots", "Attack"),
        ("battles", "Armed clash"),  # case matters: ACLED's spelling
        ("Battle", "Armed clash"),
        ("", ""),
    ],
)
def test_invalid_pairs(tax, event_type, sub_event_type):
    assert not tax.is_valid(event_type, sub_event_type)
    with pytest.raises(KeyError):
        tax.disorder_type(event_type, sub_event_type)


def test_taxonomy_has_acleds_25_pairs_in_six_event_types(tax):
    pairs = tax.pairs()
    assert len(pairs) == 25 and len(set(pairs)) == 25
    assert list(tax.event_types) == [
        "Battles", "Explosions/Remote violence", "Violence against civilians",
        "Protests", "Riots", "Strategic developments",
    ]


@pytest.mark.parametrize(
    "inter1, inter2, code, label",
    [
        (1, 2, 12, "State forces-Rebel group"),
        (2, 1, 12, "State forces-Rebel group"),
        (1, 7, 17, "State forces-Civilians"),
        (8, 1, 18, "State forces-External/Other forces"),
        (6, 0, 60, "Protesters only"),
        (0, 6, 60, "Protesters only"),
        (3, 7, 37, "Political militia-Civilians"),
        (8, 8, 88, "External/Other forces-External/Other forces"),
        (1, 0, 10, "State forces only"),
    ],
)
def test_interaction_code_and_label(tax, inter1, inter2, code, label):
    assert tax.interaction(inter1, inter2) == code
    assert tax.interaction_label(inter1, inter2) == label
    assert tax.interaction_code(label) == code
    assert tax.interaction_code(label.upper()) == code


@pytest.mark.parametrize("code, label", [(0, ""), (1, "State forces"), (6, "Protesters"), (8, "External/Other forces")])
def test_inter_labels(tax, code, label):
    assert tax.inter_label(code) == label
    if label:
        assert tax.inter_code(label) == code


@pytest.mark.parametrize("bad", [9, -1])
def test_interaction_rejects_unknown_codes(tax, bad):
    with pytest.raises(KeyError):
        tax.interaction(bad, 1)


@pytest.mark.parametrize(
    "iso3, name, iso, region",
    [
        ("PSE", "Palestine", 275, "Middle East"),
        ("YEM", "Yemen", 887, "Middle East"),
        ("UKR", "Ukraine", 804, "Europe"),
        ("ARM", "Armenia", 51, "Caucasus and Central Asia"),
        ("AZE", "Azerbaijan", 31, "Caucasus and Central Asia"),
        ("RUS", "Russia", 643, "Europe"),
        ("COD", "Democratic Republic of Congo", 180, "Middle Africa"),
        ("AFG", "Afghanistan", 4, "South Asia"),
        ("MEX", "Mexico", 484, "Central America"),
        ("XKX", "Kosovo", 0, "Europe"),
    ],
)
def test_country_records(tax, iso3, name, iso, region):
    country = tax.country(iso3)
    assert (country.name, country.iso, country.region) == (name, iso, region)
    assert tax.country(iso3.lower()) == country
    assert tax.country_named(name) == country
    assert tax.country_by_iso(iso) == country


def test_country_aliases_and_unknowns(tax):
    assert tax.country_named("Palestine, State of").iso3 == "PSE"
    assert tax.country_named("Russian Federation").iso3 == "RUS"
    assert tax.country_named("Narnia") is None
    with pytest.raises(KeyError):
        tax.country("XXX")


def test_every_country_has_an_acled_region_and_unique_codes(tax):
    assert len(tax.countries) >= 249
    assert {c.region for c in tax.countries} == set(tax.regions)
    assert len({c.iso3 for c in tax.countries}) == len(tax.countries)
    assert len({c.name for c in tax.countries}) == len(tax.countries)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/acled_samples not present")
def test_countries_agree_with_the_acled_samples(tax):
    seen = 0
    for path in sorted(SAMPLES.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = row.get("country") or row.get("COUNTRY")
                if not name or name.startswith("#"):
                    continue
                country = tax.country_named(name)
                assert country is not None, name
                assert country.region == (row.get("region") or row.get("REGION"))
                if row.get("iso"):
                    assert country.iso == int(row["iso"])
                if row.get("iso3"):
                    assert country.iso3 == row["iso3"]
                seen += 1
    assert seen > 400


@pytest.mark.skipif(importlib.util.find_spec("pycountry") is None, reason="pycountry not installed")
def test_countries_csv_is_what_the_tool_generates(tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_countries
    finally:
        sys.path.pop(0)
    out = tmp_path / "countries.csv"
    assert build_countries.main(["--out", str(out)]) == 0
    assert out.read_bytes() == (REPO / "schemas" / "countries.csv").read_bytes()


@pytest.mark.parametrize(
    "taxonomy_text, problem",
    [
        ("event_types: [1, 2", "not valid YAML"),
        ("- a list", "mapping"),
        ("event_types: {}\n", "malformed taxonomy"),
    ],
)
def test_malformed_taxonomy_file_is_a_data_file_error(tmp_path, taxonomy_text, problem):
    (tmp_path / "taxonomy.yaml").write_text(taxonomy_text, encoding="utf-8")
    with pytest.raises(DataFileError, match=problem):
        Taxonomy.load(tmp_path)

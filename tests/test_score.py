"""`etl score` follows the reference matching rule and agrees with the reference scorer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from etl.score import score_files

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "tools" / "score.py"

GOLD = pd.DataFrame(
    [
        # file, date, precision, type, sub, actor1, actor2, country, admin1, location, fatalities, optional
        ("a.txt", "2024-05-02", 1, "Battles", "Armed clash", "Military Forces of Sudan (2019-)", "Rapid Support Forces",
         "Sudan", "North Darfur", "El Fasher", 12, 0),
        ("a.txt", "2024-05-03", 1, "Protests", "Peaceful protest", "Protesters (Sudan)", "", "Sudan", "Khartoum",
         "Khartoum", 0, 0),
        ("a.txt", "2024-05-04", 1, "Strategic developments", "Agreement", "Government of Sudan", "", "Sudan", "",
         "Jeddah", 0, 1),
        ("b.txt", "2024-06-10", 2, "Explosions/Remote violence", "Air/drone strike", "Military Forces of Myanmar",
         "Civilians (Myanmar)", "Myanmar", "Sagaing", "Sagaing|Monywa", None, 0),
    ],
    columns=["file", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
             "admin1", "location", "fatalities", "optional"],
).assign(evidence="written for this test")

EVENTS = pd.DataFrame(
    [
        ("2024-05-02", "Battles", "Armed clash", "Military Forces of Sudan (2019-)", "Sudan", "North Darfur",
         "El Fasher", 10, "a"),
        ("2024-05-03", "Protests", "Protest with intervention", "Protesters (Sudan)", "Sudan", "Khartoum",
         "Omdurman", 0, "a;b"),
        ("2024-05-04", "Strategic developments", "Agreement", "Government of Sudan", "Sudan", "", "Jeddah", 0, "a"),
        ("2024-06-14", "Explosions/Remote violence", "Air/drone strike", "Military Forces of Myanmar (2021-)",
         "Myanmar", "Sagaing", "Monywa", 3, "b"),
        ("2024-06-30", "Riots", "Mob violence", "Rioters (Myanmar)", "Myanmar", "Mandalay", "Mandalay", 1, "b"),
    ],
    columns=["event_date", "event_type", "sub_event_type", "actor1", "country", "admin1", "location", "fatalities",
             "source_keys"],
)


@pytest.fixture()
def files(tmp_path):
    gold, events = tmp_path / "gold.csv", tmp_path / "events.csv"
    GOLD.to_csv(gold, index=False)
    EVENTS.to_csv(events, index=False)
    return gold, events


def test_counts_follow_the_matching_rule(files):
    result = score_files(*files)
    # a: clash and protest matched, optional agreement neither rewarded nor punished; b: strike within
    # a week of a precision-2 gold (matched), mob violence unmatched; the protest row also counts for b.
    assert (result["tp"], result["fp"], result["fn"]) == (3, 2, 0)
    assert result["fields"]["sub"] == pytest.approx(2 / 3)
    assert result["fields"]["fatalities"] == 0.5  # 10 vs 12 wrong, 0 vs 0 right; blank gold not judged
    assert result["fields"]["location"] == pytest.approx(1.0)  # Omdurman agrees by admin1 Khartoum


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference scorer not beside the repo")
def test_agrees_with_reference_scorer(files, tmp_path):
    out = tmp_path / "ref.json"
    subprocess.run([sys.executable, str(REFERENCE), "--gold", str(files[0]), "--events", str(files[1]),
                    "--json", str(out), "--quiet"], check=True, capture_output=True)
    reference = json.loads(out.read_text())
    ours = score_files(*files)
    for key in ("tp", "fp", "fn", "precision", "recall", "f1"):
        assert ours[key] == pytest.approx(reference[key]), key
    for key, value in reference["fields"].items():
        assert ours["fields"][key] == pytest.approx(value), key
    assert ours["articles"] == reference["articles"]

"""``etl score``: built events against hand-coded gold, article by article.

The matching rule is the project's reference rule (see the dev set's README):
- a built event belongs to an article when the article's key is in its ``source_keys``;
- a built and a gold event may pair when event_type agrees and the dates differ by at most
  1, 7 or 31 days for gold time_precision 1, 2, 3;
- pairs are chosen per article by maximum-weight assignment (weight: sub_event_type, exact
  date, location, country); optional gold rows neither count towards recall nor make their
  matching prediction a false positive;
- on pairs: accuracy of sub_event_type, exact date, country, location (name or admin area,
  accents and words like "city"/"region" ignored, fuzzy >= 85), fatalities (exact, where gold
  settles them) and actor1 (token-set similarity >= 70 with an alternative).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from .errors import InputError

TOLERANCE_DAYS = {1: 1, 2: 7, 3: 31}
FILLER = re.compile(r"\b(city|town|village|region|district|province|rayon|raion|governorate|state|oblast|the)\b")
LOCATION_THRESHOLD = 85
ACTOR_THRESHOLD = 70
FIELDS = ("sub", "date", "country", "location", "actor1")
GOLD_COLUMNS = ("file", "event_date", "time_precision", "event_type", "sub_event_type", "location")


def norm(text) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", FILLER.sub(" ", text)).strip()


def alternatives(cell) -> list[str]:
    return [a for a in (norm(x) for x in str(cell or "").split("|")) if a]


def names_agree(gold_cell, *pred_cells) -> bool:
    preds = [norm(p) for p in pred_cells if norm(p)]
    return any(
        g == p or (len(g) > 3 and g in p) or (len(p) > 3 and p in g) or fuzz.ratio(g, p) >= LOCATION_THRESHOLD
        for g in alternatives(gold_cell)
        for p in preds
    )


def actors_agree(gold_cell, pred_cell) -> bool:
    p = norm(pred_cell)
    if not p:
        return not alternatives(gold_cell)
    return any(fuzz.token_set_ratio(g, p) >= ACTOR_THRESHOLD for g in alternatives(gold_cell))


def source_keys(cell) -> set[str]:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return set()
    items = list(cell) if isinstance(cell, (list, tuple, np.ndarray)) else re.split(r"[;,]", str(cell))
    return {Path(str(i).strip()).stem for i in items if str(i).strip()}


def _read_table(path: Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow/pandas raise many types on bad files
        raise InputError(f"{path}: cannot be read as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: {exc}") from None


def load_events(path: Path) -> pd.DataFrame:
    frame = _read_table(path)
    key_col = next((c for c in ("source_keys", "source_key", "source_ids") if c in frame.columns), None)
    if key_col is None:
        raise InputError(f"{path}: no source_keys column (columns: {', '.join(map(str, frame.columns))})")
    frame["_keys"] = frame[key_col].map(source_keys)
    frame["_date"] = pd.to_datetime(frame["event_date"], errors="coerce")
    return frame


def load_gold(path: Path) -> pd.DataFrame:
    gold = _read_table(path)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise InputError(f"{path}:1: {missing[0]}: gold column missing")
    return gold


def pair_weight(gold, pred) -> float | None:
    if norm(gold.event_type) != norm(pred.get("event_type")):
        return None
    if pd.isna(pred["_date"]) or pd.isna(gold._date):
        return None
    gap = abs((pred["_date"] - gold._date).days)
    if gap > TOLERANCE_DAYS.get(int(gold.time_precision or 1), 1):
        return None
    weight = 2.0
    weight += norm(gold.sub_event_type) == norm(pred.get("sub_event_type"))
    weight += 0.5 * (gap == 0)
    weight += names_agree(gold.location, pred.get("location"), pred.get("admin1"), pred.get("admin2"))
    weight += 0.5 * (norm(gold.country) == norm(pred.get("country")))
    return weight


def _match(g: pd.DataFrame, p: pd.DataFrame) -> list[tuple[int, int]]:
    if not len(g) or not len(p):
        return []
    weights = np.zeros((len(g), len(p)))
    for i, grow in g.iterrows():
        for j, prow in p.iterrows():
            weights[i, j] = pair_weight(grow, prow) or 0.0
    rows, cols = linear_sum_assignment(-weights)
    return [(i, j) for i, j in zip(rows, cols) if weights[i, j] > 0]


def score(gold: pd.DataFrame, events: pd.DataFrame) -> dict:
    gold = gold.copy()
    gold["_date"] = pd.to_datetime(gold["event_date"], errors="coerce")
    gold["optional"] = gold["optional"].fillna(0).astype(int) if "optional" in gold else 0
    totals = dict(tp=0, fp=0, fn=0, **{k: 0 for k in FIELDS}, fatalities=0)
    judged_fatalities = 0
    per_article = []
    for file, g in gold.groupby("file", sort=True):
        key = Path(file).stem
        p = events[events["_keys"].map(lambda ks: key in ks)].reset_index(drop=True)
        g = g.reset_index(drop=True)
        matched = _match(g, p)
        used_pred = {j for _, j in matched}
        used_gold = {i for i, _ in matched}
        row = dict(
            article=key,
            gold=int((g["optional"] == 0).sum()),
            predicted=len(p),
            tp=sum(1 for i, _ in matched if not g.loc[i, "optional"]),
            fp=len(p) - len(used_pred),
            fn=sum(1 for i in range(len(g)) if i not in used_gold and not g.loc[i, "optional"]),
        )
        for i, j in matched:
            if g.loc[i, "optional"]:
                continue
            gr, pr = g.loc[i], p.loc[j]
            totals["sub"] += norm(gr.sub_event_type) == norm(pr.get("sub_event_type"))
            totals["date"] += bool(pr["_date"] == gr._date)
            totals["country"] += norm(gr.country) == norm(pr.get("country"))
            totals["location"] += names_agree(gr.location, pr.get("location"), pr.get("admin1"), pr.get("admin2"))
            if not pd.isna(gr.fatalities):
                judged_fatalities += 1
                try:
                    totals["fatalities"] += int(pr.get("fatalities")) == int(gr.fatalities)
                except (TypeError, ValueError):
                    pass
            totals["actor1"] += actors_agree(gr.actor1, pr.get("actor1"))
        for k in ("tp", "fp", "fn"):
            totals[k] += row[k]
        per_article.append(row)
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fields = {k: (totals[k] / tp if tp else 0.0) for k in FIELDS}
    fields["fatalities"] = totals["fatalities"] / judged_fatalities if judged_fatalities else 0.0
    return dict(precision=precision, recall=recall, f1=f1, tp=tp, fp=fp, fn=fn, fields=fields, articles=per_article)


def score_files(gold: Path, events: Path) -> dict:
    return score(load_gold(Path(gold)), load_events(Path(events)))


def format_report(result: dict, quiet: bool = False) -> str:
    lines = []
    if not quiet:
        lines.append(pd.DataFrame(result["articles"]).to_string(index=False))
        lines.append("matched-field accuracy: " + str({k: round(v, 2) for k, v in result["fields"].items()}))
    lines.append(
        f"F1={result['f1']:.2f} P={result['precision']:.2f} R={result['recall']:.2f} "
        f"tp={result['tp']} fp={result['fp']} fn={result['fn']} "
        + " ".join(f"{k}={v:.2f}" for k, v in result["fields"].items())
    )
    return "\n".join(lines)

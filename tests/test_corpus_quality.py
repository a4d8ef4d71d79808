"""Held-out quality floor: build tests/corpus and score it against its hand-coded gold.

tests/corpus holds twelve fictional articles in real places, written by the team in the
styles of wire services, local papers and a ministry press release, about other conflicts
and event types than the seed articles (see tests/corpus/README.md). The floor asserted
here is deliberately modest and can fail: event F1 >= 0.4, and on matched events the
location agrees >= 60% of the time. Run with ``pytest -s`` to see the per-article table.

Do not tune the extractor to these texts; use the misses to find kinds of sentences.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
GOLD = CORPUS / "gold.csv"

MIN_F1 = 0.4
MIN_LOCATION = 0.6

try:  # skip only while the build or the scorer cannot be imported; never on low scores
    from etl.build import build
    from etl.score import score_files
except ImportError as exc:  # pragma: no cover - depends on which modules have landed
    pytestmark = pytest.mark.skip(reason=f"etl build/score not importable yet: {exc}")


def _table(result: dict) -> str:
    head = f"{'article':<38} {'gold':>4} {'pred':>4} {'tp':>3} {'fp':>3} {'fn':>3}"
    lines = [head, "-" * len(head)]
    for row in result["articles"]:
        lines.append(f"{row['article']:<38} {row['gold']:>4} {row['predicted']:>4} "
                     f"{row['tp']:>3} {row['fp']:>3} {row['fn']:>3}")
    lines.append("-" * len(head))
    lines.append(f"F1={result['f1']:.2f} P={result['precision']:.2f} R={result['recall']:.2f} "
                 f"tp={result['tp']} fp={result['fp']} fn={result['fn']}")
    lines.append("matched-field accuracy: "
                 + " ".join(f"{k}={v:.2f}" for k, v in result["fields"].items()))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def corpus_score(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus_build")
    build(CORPUS, out)
    events = out / "events.parquet"
    assert events.exists(), f"build wrote no {events.name}"
    result = score_files(GOLD, events)
    print("\n\nHeld-out corpus (tests/corpus) scored against tests/corpus/gold.csv\n" + _table(result))
    return result


def test_corpus_covers_every_article(corpus_score):
    """Every article of the manifest has gold and a row in the score table."""
    scored = {row["article"] for row in corpus_score["articles"]}
    articles = {p.stem for p in CORPUS.glob("*.txt")}
    assert len(articles) == 12
    assert scored == articles


def test_event_f1_floor(corpus_score):
    assert corpus_score["f1"] >= MIN_F1, (
        f"event F1 {corpus_score['f1']:.2f} < {MIN_F1} on the held-out corpus\n" + _table(corpus_score))


def test_location_floor_on_matched_events(corpus_score):
    assert corpus_score["tp"] > 0, "no gold event matched at all"
    location = corpus_score["fields"]["location"]
    assert location >= MIN_LOCATION, (
        f"location accuracy {location:.2f} < {MIN_LOCATION} on matched events\n" + _table(corpus_score))

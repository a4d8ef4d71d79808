"""Make a synthetic corpus for benchmarking ``etl build``: N articles of ~600 words + manifest.csv.

Articles recombine the sentences of the real articles in ``seeds/`` (and
``/work/shared/dev/articles`` when present) with other place names and dates, so the
extractor meets realistic prose, mentions and density. Deterministic: the same
``--seed`` and size give byte-identical files.

Place names come from the gazetteer's table (``gazetteer/base.parquet``: populated places
of a randomly drawn country), else from a short list here. About 1% of articles are
near-copies of an earlier one (a wire story republished), to exercise duplicate finding.

    python bench/make_corpus.py 10000 bench/out/corpus_10k
    python bench/make_corpus.py 1 DIR --start 10000     # one more article, numbered 10000
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "seeds", Path("/work/shared/dev/articles")]
WORDS_PER_ARTICLE = 600
COPY_SHARE = 0.01

# Places named in the source articles, replaced by places of the drawn country.
SEED_PLACES = [
    "Nagorno-Karabakh", "Karabakh", "Stepanakert", "Khankendi", "Yevlakh", "Shusha", "Shushi",
    "Lachin", "Goris", "Martuni", "Askeran", "Hadrut", "Kalbajar", "Aghdam", "Fuzuli",
    "Khojaly", "Agdere", "Martakert", "Baku", "Yerevan", "Tartar", "Terter", "Jabrayil",
]
# Used when the gazetteer's table is not there: (country, [places]).
FALLBACK_PLACES = [
    ("Mali", ["Gao", "Timbuktu", "Mopti", "Kidal", "Menaka", "Segou", "Djenne"]),
    ("Nigeria", ["Maiduguri", "Kano", "Zaria", "Jos", "Makurdi", "Sokoto", "Gusau"]),
    ("Sudan", ["Khartoum", "Omdurman", "El Fasher", "Nyala", "Kassala", "El Obeid"]),
    ("Ukraine", ["Kharkiv", "Kherson", "Bakhmut", "Zaporizhzhia", "Sumy", "Avdiivka"]),
    ("Myanmar", ["Sittwe", "Lashio", "Myitkyina", "Hpakant", "Mandalay", "Kalay"]),
    ("Somalia", ["Mogadishu", "Kismayo", "Baidoa", "Beledweyne", "Galkayo", "Jowhar"]),
]
PUBLISHERS = ["Reuters", "AFP", "Associated Press", "Al Jazeera", "BBC", "", "", ""]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
_MONTH = "|".join(MONTHS) + r"|Sept?\.|Aug\.|Oct\.|Nov\.|Dec\.|Jan\.|Feb\."
DATE_MONTH_DAY = re.compile(rf"\b(?:{_MONTH})\s*,?\s*\d{{1,2}}\b")
DATE_DAY_MONTH = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTH})\b")
YEAR = re.compile(r"\b20[12]\d\b")
SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+(?=[\"“A-Z])")


def source_sentences() -> list[str]:
    """Every sentence (and heading line) of the source articles, in a stable order."""
    sentences: list[str] = []
    for folder in SOURCES:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for paragraph in re.split(r"\n\s*\n", text):
                for sentence in SENTENCE_END.split(" ".join(paragraph.split())):
                    if len(sentence.split()) >= 4:
                        sentences.append(sentence)
    if not sentences:
        raise SystemExit("no source articles found in seeds/")
    return sentences


def gazetteer_places(min_population: int = 5000) -> list[tuple[str, list[str]]]:
    """(country code, place names) for countries with at least 8 sizeable places."""
    table = ROOT / "gazetteer" / "base.parquet"
    try:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        data = pq.read_table(table, columns=["name", "iso2", "population"])
        data = data.filter(pc.greater_equal(data["population"], min_population))
    except Exception:
        return FALLBACK_PLACES
    by_country: dict[str, list[str]] = {}
    for name, iso2 in zip(data["name"].to_pylist(), data["iso2"].to_pylist()):
        if name and iso2 and name.isascii():
            by_country.setdefault(iso2, []).append(name)
    places = [(c, sorted(set(n))) for c, n in sorted(by_country.items()) if len(set(n)) >= 8]
    return places or FALLBACK_PLACES


def _date_text(day: dt.date, rng: random.Random) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}" if rng.random() < 0.7 else f"{day.day} {MONTHS[day.month - 1]}"


def make_article(rng: random.Random, sentences: list[str], places: list[tuple[str, list[str]]]) -> tuple[str, dt.date]:
    _country, names = places[rng.randrange(len(places))]
    chosen = rng.sample(names, k=min(4, len(names)))
    mapping = {seed: chosen[i % len(chosen)] for i, seed in enumerate(rng.sample(SEED_PLACES, len(SEED_PLACES)))}
    published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))

    def place(match: re.Match) -> str:
        return mapping[match.group(0)]

    def event_day(_match: re.Match) -> str:
        return _date_text(published - dt.timedelta(days=rng.randrange(4)), rng)

    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(SEED_PLACES, key=len, reverse=True)) + r")\b")
    paragraphs: list[str] = [f"{chosen[0].upper()}, {MONTHS[published.month - 1]} {published.day} -"]
    words = 0
    while words < WORDS_PER_ARTICLE:
        paragraph = []
        for _ in range(rng.randint(1, 3)):
            sentence = sentences[rng.randrange(len(sentences))]
            sentence = pattern.sub(place, sentence)
            sentence = DATE_MONTH_DAY.sub(event_day, sentence)
            sentence = DATE_DAY_MONTH.sub(event_day, sentence)
            sentence = YEAR.sub(str(published.year), sentence)
            paragraph.append(sentence)
            words += len(sentence.split())
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs) + "\n", published


def near_copy(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    paragraphs[rng.randrange(1, len(paragraphs))] = "This story has been updated."
    return "\n\n".join(paragraphs)


def make_corpus(size: int, folder: Path, *, seed: int = 1, start: int = 0) -> Path:
    """Write articles ``start .. start+size-1`` into ``folder`` and (re)write its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    sentences = source_sentences()
    places = gazetteer_places()
    manifest = folder / "manifest.csv"
    rows: list[list[str]] = []
    if start and manifest.exists():
        with manifest.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))[1:]
    recent: list[str] = []
    for i in range(start, start + size):
        rng = random.Random(f"{seed}:{i}")
        if recent and rng.random() < COPY_SHARE:
            text, published = near_copy(recent[rng.randrange(len(recent))], rng), None
        else:
            text, published = make_article(rng, sentences, places)
            recent = (recent + [text])[-50:]
        name = f"{i:06d}_{hashlib.sha256(text.encode()).hexdigest()[:12]}.txt"
        (folder / name).write_text(text, encoding="utf-8")
        rows.append([name, "", rng.choice(PUBLISHERS), published.isoformat() if published else "", ""])
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "url", "publisher", "published_date", "title"])
        writer.writerows(rows)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="articles to write (e.g. 1000, 10000, 100000)")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="number of the first article (to add to a corpus)")
    args = parser.parse_args()
    make_corpus(args.size, args.folder, seed=args.seed, start=args.start)
    print(f"{args.size} articles in {args.folder}")


if __name__ == "__main__":
    main()

"""Make a synthetic corpus for benchmarking ``etl build``: N articles of ~600 words + manifest.csv.

Articles recombine the sentences of the real articles in ``seeds/`` (and
``/work/shared/dev/articles`` when present) and of the event notes in
``/work/shared/acled_samples/*.csv`` (when present; one sentence in ten) with other place names, numbers and
dates, so the extractor meets realistic prose, mentions and density. Deterministic: the
same ``--seed`` and size give byte-identical files.

Place names come from the gazetteer's table (``gazetteer/base.parquet``: populated places
of a randomly drawn country), else from a short list here; every capitalised word of a
sentence that is a sizeable place in that table (or in the list of the seeds' places) is
replaced. About 1% of articles are near-copies of an earlier one (a wire story
republished), to exercise duplicate finding.

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
NOTES = Path("/work/shared/acled_samples")
WORDS_PER_ARTICLE = 600
COPY_SHARE = 0.01
# Share of sentences drawn from the ACLED notes: each note is an event, so more would make
# articles far denser in events than news (the seeds have ~2 events per article).
NOTE_SHARE = 0.1

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
# One pass over a sentence: dates, years, counts and capitalised words (maybe places).
MENTION = re.compile(
    rf"(?P<date>\b(?:(?:{_MONTH})\s*,?\s*\d{{1,2}}|\d{{1,2}}\s+(?:{_MONTH}))\b)"
    r"|(?P<year>\b(?:19|20)\d\d\b)"
    r"|(?P<count>\b\d{1,3}\b)"
    r"|(?P<name>\b[A-Z][\w'-]+(?:[ -][A-Z][\w'-]+)?)"
)
SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+(?=[\"“A-Z])")


def source_sentences() -> tuple[list[str], list[str]]:
    """Every sentence (and heading line) of the source articles, and of the ACLED notes."""
    sentences: list[str] = []
    notes: list[str] = []
    for folder in SOURCES:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for paragraph in re.split(r"\n\s*\n", text):
                for sentence in SENTENCE_END.split(" ".join(paragraph.split())):
                    if len(sentence.split()) >= 4:
                        sentences.append(sentence)
    if NOTES.is_dir():
        for path in sorted(NOTES.glob("*.csv")):
            with path.open(newline="", encoding="utf-8", errors="replace") as handle:
                for row in csv.DictReader(handle):
                    note = " ".join(re.sub(r"\[[^\]]*\]", "", row.get("notes") or "").split())
                    if note.startswith("#"):
                        continue  # HXL tag row
                    notes.extend(s for s in SENTENCE_END.split(note) if len(s.split()) >= 4)
    if not sentences:
        raise SystemExit("no source articles found in seeds/")
    return sentences, notes or sentences


def gazetteer_places(min_population: int = 5000) -> tuple[list[tuple[str, list[str]]], frozenset[str]]:
    """(country code, place names) for countries with at least 8 sizeable places, and all those names."""
    table = ROOT / "gazetteer" / "base.parquet"
    try:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        data = pq.read_table(table, columns=["name", "iso2", "population"])
        data = data.filter(pc.greater_equal(data["population"], min_population))
    except Exception:
        return FALLBACK_PLACES, frozenset(n for _, names in FALLBACK_PLACES for n in names) | frozenset(SEED_PLACES)
    by_country: dict[str, set[str]] = {}
    for name, iso2 in zip(data["name"].to_pylist(), data["iso2"].to_pylist()):
        if name and iso2 and name.isascii() and name[:1].isupper():
            by_country.setdefault(iso2, set()).add(name)
    countries = country_names()
    places = [(c, sorted(n - countries)) for c, n in sorted(by_country.items()) if len(n - countries) >= 8]
    if not places:
        return FALLBACK_PLACES, frozenset(SEED_PLACES)
    return places, (frozenset(n for _, names in places for n in names) | frozenset(SEED_PLACES)) - countries


def country_names() -> frozenset[str]:
    """Country names and aliases (a town called Armenia must not turn the country into a town)."""
    path = ROOT / "gazetteer" / "countries.csv"
    if not path.exists():
        return frozenset()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return frozenset(n.strip() for row in rows for n in [row.get("name") or "", *(row.get("aliases") or "").split("|")] if n.strip())


def _date_text(day: dt.date, rng: random.Random) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}" if rng.random() < 0.7 else f"{day.day} {MONTHS[day.month - 1]}"


def make_article(rng: random.Random, pools: tuple[list[str], list[str]], places: list[tuple[str, list[str]]],
                 known: frozenset[str]) -> tuple[str, dt.date]:
    _country, names = places[rng.randrange(len(places))]
    chosen = rng.sample(names, k=min(4, len(names)))
    mapping: dict[str, str] = {}
    published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))

    def replace(match: re.Match) -> str:
        kind = match.lastgroup
        if kind == "date":
            return _date_text(published - dt.timedelta(days=rng.randrange(4)), rng)
        if kind == "year":
            return str(published.year)
        if kind == "count":
            return str(rng.randint(2, 60))
        name = match.group(0)
        if name in known:
            return mapping.setdefault(name, chosen[len(mapping) % len(chosen)])
        return name

    paragraphs: list[str] = [f"{chosen[0].upper()}, {MONTHS[published.month - 1]} {published.day} -"]
    words = 0
    while words < WORDS_PER_ARTICLE:
        paragraph = []
        for _ in range(rng.randint(1, 3)):
            pool = pools[1] if rng.random() < NOTE_SHARE else pools[0]
            sentence = MENTION.sub(replace, pool[rng.randrange(len(pool))])
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
    pools = source_sentences()
    places, known = gazetteer_places()
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
            text, published = make_article(rng, pools, places, known)
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

"""Publishers, source scales and duplicate articles (texts are made up here)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.records import Article
from etl.sources import Publishers, find_duplicates


@pytest.fixture(scope="module")
def publishers() -> Publishers:
    return Publishers.load()


def article(text: str, publisher: str | None = None) -> Article:
    return Article(key="k", file="k.txt", text=text, sha256="", publisher=publisher)


@pytest.mark.parametrize(
    "text, publisher, signoff, expected",
    [
        ("Body.", "Daily Sabah", None, "Daily Sabah"),
        ("Body.", "  The Associated Press ", None, "Associated Press"),  # alias -> ACLED name
        ("Body.", "Some Local Weekly", None, "Some Local Weekly"),  # unknown manifest name kept
        ("Body.", None, "TRT World", "TRT World"),
        ("Body.", None, "— Anadolu Agency", "Anadolu Agency"),
        ("Body.", None, "Harbour Town Gazette", "Harbour Town Gazette"),  # looks like a name
        ("Body.", None, "Sign up to our newsletters, and you will get the best updates now.", None),
        ("NORTHTOWN, May 3 (Reuters) - Two villages were shelled.", None, None, "Reuters"),
        ("SOUTHTOWN (AFP) — A convoy was hit.", None, None, "AFP"),
        ("A clash was reported, according to Nowhere Monitor, reporting Daily Sabah.", None, None, "Daily Sabah"),
        ("Troops moved in, according to the Kyiv Independent.", None, None, "Kyiv Independent"),
        ("Officials said so, according to AFP. Later (AP) - more came.", None, None, "Associated Press"),
        ("The trend reported by analysts is upward.", None, None, None),  # not the outlet Trend
        ("At dawn the firing started, officials said.", None, None, None),
        ("Copyright 2031 Reuters. All rights reserved.", None, None, "Reuters"),
        ("Nothing here names an outlet.", None, None, None),
    ],
)
def test_publisher(publishers, text, publisher, signoff, expected):
    assert publishers.publisher(article(text, publisher), signoff) == expected


@pytest.mark.parametrize(
    "names, country, expected",
    [
        ([], None, ""),
        (["Reuters"], None, "International"),
        (["Armenpress"], "Armenia", "National"),
        (["Armenpress", "RFE/RL"], "Armenia", "National-International"),
        (["RFE/RL", "Armenpress", "Hetq"], "Armenia", "National-International"),
        (["Ministry of Defence of Armenia"], "Armenia", "Other"),
        (["Ministry of Defence of Armenia", "Hetq"], "Armenia", "Other-National"),
        (["Turan Information Agency"], "Armenia", "Regional"),  # national outlet next door
        (["Daily Sabah"], "Nigeria", "International"),  # national outlet far away
        (["Ukrinform", "Liveuamap", "24 Channel"], "Ukraine", "Local partner-New media"),
        # three scales: the two most frequent, ties to the narrower
        (["RFE/RL", "Ministry of Defence of Ukraine", "Ukrinform", "Suspilne Media"], "Ukraine", "Other-National"),
        (["Eurasianet", "Hetq", "Caucasian Knot", "Aravot"], "Armenia", "National-Regional"),
    ],
)
def test_scale(publishers, names, country, expected):
    assert publishers.scale(names, country) == expected


def test_scale_ignores_order(publishers):
    names = ["Ministry of Defence of Armenia", "Hetq", "RFE/RL", "Aravot"]
    assert len({publishers.scale(random.Random(i).sample(names, len(names)), "Armenia") for i in range(6)}) == 1


# -- duplicates ---------------------------------------------------------------------------

WORDS = ("army militia village convoy shelling drone ceasefire talks border river bridge "
         "district governor police protest market school hospital road checkpoint night "
         "morning officials said reported killed wounded residents fled forces attacked").split()


def made_up_text(seed: int, sentences: int = 20) -> str:
    rng = random.Random(seed)
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18))).capitalize() + "."
        for _ in range(sentences)
    )


def change_one_sentence(text: str, seed: int) -> str:
    parts = text.split(". ")
    parts[len(parts) // 2] = made_up_text(seed, 1).rstrip(".")
    return ". ".join(parts)


def test_exact_copy_is_flagged_with_the_first_key_as_original():
    text = made_up_text(1)
    assert find_duplicates([("b_copy", text), ("a_orig", text), ("c_other", made_up_text(2))]) == {"b_copy": "a_orig"}


def test_copy_with_other_whitespace_and_case_is_flagged():
    text = made_up_text(1)
    assert find_duplicates([("x", text), ("y", "\n\n" + text.upper().replace(" ", "  "))]) == {"y": "x"}


def test_near_copy_with_one_sentence_changed_is_flagged():
    text = made_up_text(3)
    assert find_duplicates([("orig", text), ("wire", change_one_sentence(text, 99))]) == {"wire": "orig"}


def test_copy_with_an_added_paragraph_is_flagged():
    text = made_up_text(4)
    longer = made_up_text(40, 4) + "\n\n" + text + "\n\n" + made_up_text(41, 3)
    assert find_duplicates([("paper", longer), ("agency", text)]) == {"paper": "agency"}


def test_different_articles_on_one_topic_are_not_flagged():
    shared = made_up_text(5, 2)  # both quote the same statement
    one = made_up_text(6) + " " + shared
    two = shared + " " + made_up_text(7)
    assert find_duplicates([("one", one), ("two", two), ("three", made_up_text(8))]) == {}


def test_empty_texts_are_never_duplicates():
    assert find_duplicates([("a", ""), ("b", "   "), ("c", made_up_text(9))]) == {}


def test_groups_point_at_their_smallest_key():
    text = made_up_text(10)
    pairs = [("m", text), ("k", text), ("z", change_one_sentence(text, 5)), ("q", made_up_text(11))]
    assert find_duplicates(pairs) == {"m": "k", "z": "k"}


def test_streams_from_a_generator():
    texts = ((f"key{i:03d}", made_up_text(i % 7)) for i in range(21))
    found = find_duplicates(texts)
    assert found["key007"] == "key000"
    assert len(found) == 14


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(8)))
def test_duplicates_do_not_depend_on_order(order):
    base = [(f"k{i}", made_up_text(100 + i % 3) if i < 6 else made_up_text(200 + i)) for i in range(8)]
    expected = find_duplicates(base)
    assert find_duplicates([base[i] for i in order]) == expected
    assert all(original < copy for copy, original in expected.items())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=40)))
def test_publisher_never_crashes_and_is_trimmed(text, signoff):
    found = Publishers.load().publisher(article(text), signoff)
    assert found is None or (found == found.strip() and found)


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("outlets: []\n", "missing or malformed"),
        ("scales: [National]\noutlets:\n  - {name: X, scale: Planetary}\nattribution: []\n", "unknown scale"),
        ("scales: [National]\noutlets:\n  - {name: X, scale: National}\nattribution:\n  - {kind: k, pattern: 'no slot'}\n", "has no"),
        ("scales: [National]\noutlets:\n  - {name: X, aliases: [Y], scale: National}\n  - {name: Y, scale: National}\nattribution: []\n", "names two outlets"),
    ],
)
def test_malformed_vocabulary_is_reported(tmp_path, yaml_text, message):
    from etl.errors import DataFileError

    (tmp_path / "publishers.yaml").write_text(yaml_text)
    with pytest.raises(DataFileError, match=message):
        Publishers.load(tmp_path)


OUTLETS_YAML = ("scales: [National]\noutlets:\n  - {name: Daily Lantern, aliases: [DL], scale: National}\n"
                "  - {name: Evening Kite Courier, scale: National}\n")


@pytest.mark.parametrize("pattern", ["(reported by {outlet}", "{outlet} said)", "(?<=by {outlet}) wrote", "x{2,1} {outlet}"])
def test_a_broken_attribution_pattern_is_reported_as_re_reports_it_with_every_outlet(tmp_path, pattern):
    import re

    from etl.errors import DataFileError
    from etl.sources import _alias_regex

    names = ["Evening Kite Courier", "Daily Lantern", "DL"]
    with pytest.raises(re.error) as plain:
        re.compile(pattern.replace("{outlet}", "(?P<outlet>" + "|".join(map(_alias_regex, names)) + ")"), re.I)
    (tmp_path / "publishers.yaml").write_text(OUTLETS_YAML + f"attribution:\n  - {{kind: k, pattern: '{pattern}'}}\n")
    with pytest.raises(DataFileError) as found:
        Publishers.load(tmp_path)
    assert str(found.value) == f"etl/vocab/publishers.yaml: attribution 'k': {plain.value}"


def test_attribution_patterns_hold_every_outlet_longest_first(tmp_path):
    (tmp_path / "publishers.yaml").write_text(OUTLETS_YAML + "attribution:\n  - {kind: byline, pattern: 'by {outlet}'}\n")
    publishers = Publishers.load(tmp_path)
    [(kind, pattern)] = publishers.attribution
    assert kind == "byline"
    assert pattern.pattern == r"by (?P<outlet>Evening\s+Kite\s+Courier|Daily\s+Lantern|(?-i:DL))"
    assert pattern.search("as told by daily  lantern").group("outlet") == "daily  lantern"


def test_first_half_of_an_article_is_flagged():
    text = made_up_text(12, 30)
    half = ". ".join(text.split(". ")[:15]) + "."
    assert find_duplicates([("full", text), ("half", half)]) == {"half": "full"}


def test_many_articles_sharing_a_few_sentences_are_not_flagged_and_fast():
    import time

    pool = [made_up_text(1000 + i, 1) for i in range(60)]  # quotes many articles repeat
    texts = []
    for i in range(1500):
        rng = random.Random(i)
        shared = " ".join(rng.sample(pool, 3))
        texts.append((f"a{i:05d}", made_up_text(5000 + i, 20) + " " + shared))
    started = time.process_time()
    found = find_duplicates(texts)
    assert found == {}
    assert time.process_time() - started < 20


# -- fingerprints: the fast word folding must give exactly the words of the plain way ------

def plain_words(text: str) -> tuple[list[bytes], list[int]]:
    """The words as ``fingerprint`` has always read them: ``\\w+``, then casefolded."""
    import re

    words = [w.casefold() for w in re.findall(r"\w+", text)]
    return [w.encode("utf-8") for w in words], [len(w) for w in words]


def folded_words(text: str) -> tuple[list[bytes], list[int]]:
    from etl.sources import _char_lengths, _folded_words

    words = _folded_words(text)
    return words, [int(n) for n in _char_lengths(b" ".join(words), len(words))] if words else []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "’“”…",
        "it’s “quoted” — a dash… and_underscores 12,5",
        "Türkiye ÜBER Über über",
        "İstanbul STRASSE Straße ß ẞ",  # casefolding changes the length: the plain way
        "ΣΑΣ ς Ǆ ǅ ǆ Ⅻ ⓐⒶ ſ K",
        "a\u0345b x\u00b2 \u00b2\u00b3",  # folds to a word character / a digit-like mark
        "tab\tnew\nline\x0bvt\x0cff\rcr\x1cfs\x85nel\xa0nbsp",
        "lone \ud800 surrogate",
    ],
)
def test_folded_words_are_the_plain_words(text):
    assert folded_words(text) == plain_words(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from("aB _.\n’ÜüİßΣς")), max_size=60))
def test_folded_words_are_the_plain_words_for_any_text(text):
    assert folded_words(text) == plain_words(text)


@pytest.mark.parametrize(
    "text, size, exact, minhash",
    [
        ("NAIROBI, May 3 (Reuters) - Two villages in Türkiye were shelled; “ÜBER” it’s İstanbul’s "
         "STRASSE/Straße — 12 killed…", 15, "a968f309a2cf88f3", "1628cd5d37c8fe2a"),
        ("One two three", 1, "6899ee404683a14e", "9d990b83c31990db"),
    ],
)
def test_fingerprints_are_stable(text, size, exact, minhash):
    """Fingerprints are compared across builds (cached outcomes): they must never change."""
    import hashlib

    from etl.sources import fingerprint

    found = fingerprint(text)
    assert (found.size, found.exact.hex()[:16], hashlib.sha256(found.minhash).hexdigest()[:16]) == (size, exact, minhash)


# -- attribution: matching only the outlets a text names changes nothing -------------------

def attributed_with_every_outlet(publishers: Publishers, text: str) -> str | None:
    """``Publishers.attributed`` the slow way: the patterns with the alternation of all outlets."""
    from etl.sources import _case_ok

    for _kind, pattern in publishers.attribution:
        for match in pattern.finditer(text):
            name = match.group("outlet")
            if _case_ok(name, text[match.start("outlet"):match.end("outlet")]):
                return publishers.canonical(name)
    return None


@pytest.mark.parametrize(
    "text",
    [
        "A rapid report: the party had happened to start (ap) - nothing here.",  # "ap", "rt" inside words
        "LAGOS (AP) - Gunmen attacked a village.",
        "LAGOS (ap) - lower-case acronyms do not count.",
        "Copyright 2024 RFE/RL. Radio Free Europe/Radio Liberty reported the strike.",
        "Officials told the Daily\nSabah that the road was closed; AA reported it first.",
        "Reuters contributed to this report. (AFP) - Later, according to AFP, ...",
        "CopyrightAP and ©APA: via: Dawn, told dawn",
        "Troops moved in, accord\u0131ng to the Daily Sabah.",  # dotless i matches i ignoring case
        "The Daily Sabah repor\u0074ed it; \u212aelvin-sign text told the Daily Sabah",
    ],
)
def test_attributed_is_the_match_over_every_outlet(publishers, text):
    assert publishers.attributed(text) == attributed_with_every_outlet(publishers, text)
    assert publishers.attributed(text) == attributed_with_every_outlet(publishers, text)  # cached patterns


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["(", ")", " - ", "©", "copyright", "according to", "told the", "reported", "source:",
                              "AP", "ap", "APA", "AA", "RFE/RL", "RFE", "Daily Sabah", "daily  sabah", "Reuters",
                              "rapid", "Dawn", " ", "\n", "x", "\u0131", "\u212a", "accord", "ng to"]), max_size=12)
)
def test_attributed_is_the_match_over_every_outlet_for_any_text(publishers, text_parts):
    text = "".join(text_parts)
    assert publishers.attributed(text) == attributed_with_every_outlet(publishers, text)


@settings(max_examples=20, deadline=None)
@given(st.permutations(range(9)), st.sampled_from([1, 2, 4, 8192]))
def test_fingerprints_in_a_file_find_the_same_copies(tmp_path_factory, order, block):
    from etl.sources import PrintFile, fingerprint

    base = [(f"k{i}", made_up_text(100 + i % 3) if i < 5 else change_one_sentence(made_up_text(300), i) if i < 7
             else made_up_text(200 + i)) for i in range(9)] + [("blank", "  ")]
    expected = find_duplicates(base)
    prints = PrintFile(tmp_path_factory.mktemp("prints") / "prints.bin")
    prints.blocks = lambda size=block, blocks=prints.blocks: blocks(size)  # small blocks: the block seams are exercised
    for i in [*order, 9]:
        prints.add(base[i][0], fingerprint(base[i][1]))
    assert prints.duplicates() == expected
    assert expected  # the corpus has copies to find
    prints.close()


def test_a_key_given_twice_is_refused(tmp_path):
    from etl.sources import PrintFile, fingerprint

    prints = PrintFile(tmp_path / "prints.bin")
    prints.add("a", fingerprint(made_up_text(1)))
    prints.add("a", fingerprint(made_up_text(2)))
    with pytest.raises(ValueError):
        prints.duplicates()

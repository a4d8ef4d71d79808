"""Reading an input folder: manifest, encodings, statuses."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.errors import InputError
from etl.ingest import decode, manifest_orphans, read_corpus, read_manifest


def write(folder, name, data):
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_articles_come_in_file_name_order_with_manifest_metadata(tmp_path):
    write(tmp_path, "b.txt", "Police arrested two men in Gao on Monday.")
    write(tmp_path, "a.txt", "Protesters marched through Lagos.")
    write(tmp_path, "manifest.csv", "file,publisher,published_date\nb.txt,Example Wire,2024-03-05\n")
    articles = list(read_corpus(tmp_path))
    assert [a.key for a in articles] == ["a", "b"]
    assert articles[0].publisher is None and articles[0].published_date is None
    assert articles[1].publisher == "Example Wire"
    assert articles[1].published_date == dt.date(2024, 3, 5)
    assert all(a.status == "ok" for a in articles)
    assert len(articles[1].sha256) == 64


def test_empty_and_whitespace_articles_are_kept_with_status_empty(tmp_path):
    write(tmp_path, "blank.txt", "  \n\n ")
    (article,) = read_corpus(tmp_path)
    assert article.status == "empty"


def test_non_utf8_article_is_decoded_with_a_warning(tmp_path):
    text = "Les manifestants se sont rassemblés à Bamako après la prière du vendredi, a déclaré la police."
    write(tmp_path, "fr.txt", text.encode("cp1252"))
    (article,) = read_corpus(tmp_path)
    assert article.status == "ok"
    assert "rassemblés" in article.text
    assert article.warnings and "not UTF-8" in article.warnings[0]


def test_binary_file_is_undecodable_not_fatal(tmp_path):
    write(tmp_path, "junk.txt", bytes(range(256)) * 8)
    (article,) = read_corpus(tmp_path)
    assert article.status == "undecodable"
    assert article.text == ""


def test_utf8_bom_is_dropped(tmp_path):
    write(tmp_path, "bom.txt", b"\xef\xbb\xbfFighting resumed near Goma.")
    (article,) = read_corpus(tmp_path)
    assert article.text.startswith("Fighting")


@pytest.mark.parametrize(
    "manifest, message",
    [
        ("url,title\nx,y\n", "needs a 'file' column"),
        ("file,published_date\na.txt,2024-13-40\n", "published_date: '2024-13-40': not a date"),
        ("file,publisher\na.txt,X\na.txt,Y\n", "listed twice"),
        ("file,color\na.txt,red\n", "unknown manifest column"),
        ("file,publisher\n,X\n", "every manifest row needs a file name"),
    ],
)
def test_bad_manifest_gives_one_line_naming_file_and_row(tmp_path, manifest, message):
    write(tmp_path, "manifest.csv", manifest)
    with pytest.raises(InputError) as info:
        read_manifest(tmp_path)
    assert message in str(info.value)
    assert "manifest.csv" in str(info.value) and "\n" not in str(info.value)


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        list(read_corpus(tmp_path / "nope"))


def test_manifest_rows_without_a_file_are_reported(tmp_path):
    write(tmp_path, "a.txt", "Text.")
    write(tmp_path, "manifest.csv", "file\na.txt\ngone.txt\n")
    assert manifest_orphans(tmp_path) == ["gone.txt"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_never_raises(raw):
    text, encoding = decode(raw)
    assert text is None or isinstance(text, str)
    assert isinstance(encoding, str)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_manifest_parser_raises_only_input_errors(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("m")
    (folder / "manifest.csv").write_text(content, encoding="utf-8")
    try:
        read_manifest(folder)
    except InputError as exc:
        assert "\n" not in str(exc)

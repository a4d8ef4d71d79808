"""The README's column table is the schema's (docs that cannot drift)."""
from __future__ import annotations

import re
from pathlib import Path

from etl.schema import markdown_column_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_column_table_matches_schema():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- columns:start -->\n(.*?)\n<!-- columns:end -->", text, flags=re.S)
    assert found, "README.md lost its column-table markers"
    assert found.group(1).strip() == markdown_column_table().strip(), (
        "README column table is out of date: regenerate it from etl.schema.markdown_column_table()"
    )


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "etl build seeds --out data" in text
    assert "python -m pytest" in text

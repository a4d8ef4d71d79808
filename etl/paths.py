"""Where the project's data folders are, whether installed as a wheel or run from a checkout.

A wheel carries ``schemas/`` and ``gazetteer/`` inside the package (as ``etl/_schemas`` and
``etl/_gazetteer``, see pyproject.toml); a checkout has them at the repository's top level.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def schemas_dir() -> Path:
    return _first_existing(PACKAGE / "_schemas", REPO / "schemas")


def gazetteer_dir() -> Path:
    return _first_existing(PACKAGE / "_gazetteer", REPO / "gazetteer")


def vocab_dir() -> Path:
    return PACKAGE / "vocab"

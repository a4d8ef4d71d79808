"""Loading the vocabularies kept as YAML files in ``etl/vocab/``.

Each stage owns its vocabulary file(s); this module only reads and checks them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DataFileError
from .paths import vocab_dir


# libyaml's parser when PyYAML was built with it (same safe constructor, ~10x faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None


def load(name: str, folder: Path | None = None) -> Any:
    """Load ``etl/vocab/NAME.yaml`` (or NAME.yaml in ``folder``)."""
    return load_yaml((folder or vocab_dir()) / f"{name}.yaml")

"""acled-etl: build ACLED-style conflict event datasets from news articles.

The public face of the package; everything else is internal.

    from etl import build, validate_paths, score_files
    build("seeds", "data")
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "validate_paths", "score_files", "geocode", "Extractor", "EtlError"]


def __getattr__(name: str):
    # Imported lazily so that `etl --version` and light imports stay fast.
    if name == "build":
        from .build import build

        return build
    if name == "validate_paths":
        from .validate import validate_paths

        return validate_paths
    if name == "score_files":
        from .score import score_files

        return score_files
    if name == "geocode":
        from .gazetteer import geocode

        return geocode
    if name == "Extractor":
        from .pipeline import Extractor

        return Extractor
    if name == "EtlError":
        from .errors import EtlError

        return EtlError
    raise AttributeError(f"module 'etl' has no attribute {name!r}")

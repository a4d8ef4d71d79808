"""One family of errors a person can act on. The CLI prints them as one line and exits 1."""
from __future__ import annotations


class EtlError(Exception):
    """Base class: the message names the input (file, row, column) and what is wrong."""


class InputError(EtlError):
    """An input file or folder cannot be read or is malformed."""


class DataFileError(EtlError):
    """A vocabulary, schema or gazetteer file shipped with the project is malformed."""


class ValidationError(EtlError):
    """A table does not satisfy the events schema; ``problems`` holds one line per problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []

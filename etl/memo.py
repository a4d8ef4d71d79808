"""A memo of bounded size: answers that depend only on their key, kept across articles.

Stages keep such memos on their own objects (never as global state); when a memo holds
``size`` answers it is emptied and starts again, so memory stays bounded on any corpus.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class BoundedMemo(dict):
    """``memo.get_or_make(key, make)``: the answer kept for ``key``, else ``make(key)``, kept."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key: Hashable, make: Callable[[Any], Any]) -> Any:
        found = self.get(key)
        if found is None:
            if len(self) >= self.size:
                self.clear()
            found = self[key] = make(key)
        return found

    def __reduce__(self):  # pickled empty: a stored object starts with a fresh memo
        return (type(self), (self.size,))

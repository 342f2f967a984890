"""Parsed files kept between runs, for a long-lived process (the language server) that lints the same files again.

A file is parsed again only when its bytes change: the key is its display
path, a digest of its content, whether it was cut at the size limit, and the
load limits. Parsed files are immutable (frozen documents and nodes), so a
cached one is shared by every later run. One cache serves one plugin host:
plugins that load files (`mldeploy_load`) take part in what a file parses to.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Hashable

if TYPE_CHECKING:  # pragma: no cover
    from linter.engine import InputFile
    from linter.source import LoadLimits, SourceFile, UnrenderedTemplate

__all__ = ["SourceCache", "MISSING"]

MISSING = object()  # get()'s answer when nothing is cached


class SourceCache:
    """A bounded least-recently-used map from a file's content to what it parsed to."""

    def __init__(self, max_entries: int = 5000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, "SourceFile | UnrenderedTemplate"] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(item: "InputFile", limits: "LoadLimits") -> Hashable:
        return (item.path, item.truncated, limits, hashlib.blake2b(item.data, digest_size=16).digest())

    def get(self, key: Hashable) -> "SourceFile | UnrenderedTemplate | object":
        """The parsed file stored under `key`, or MISSING."""
        if key not in self._entries:
            self.misses += 1
            return MISSING
        self.hits += 1
        self._entries.move_to_end(key)
        return self._entries[key]

    def put(self, key: Hashable, source: "SourceFile | UnrenderedTemplate") -> None:
        self._entries[key] = source
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

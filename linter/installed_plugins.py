"""The entry points of one group that installed distributions declare, read without importing importlib.metadata.

importlib.metadata costs a run 15-20 ms of CPU to import (it brings in the
`email` package for METADATA files, `zipfile`, `csv`, ...), more than the
scan itself; a pre-commit hook pays it for every file. On the ordinary
layout — plain directories on sys.path holding `*.dist-info` /
`*.egg-info` directories — this module reads each distribution's
`entry_points.txt` the way `importlib.metadata.entry_points(group=...)`
does: sys.path in order, a distribution name seen again later (its
normalised name) is skipped, lines parsed as its `Sectioned` parser parses
them. Anything else — a zip file or an `.egg` on sys.path, a meta-path
finder that finds distributions of its own — is left to importlib.metadata
itself (`tests/test_installed_plugins.py` keeps both in agreement).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

__all__ = ["InstalledEntryPoint", "entry_points"]

_SEPARATORS = re.compile(r"[-_.]+")


class InstalledEntryPoint:
    """`name = module[:attribute]` under a group of a distribution's `entry_points.txt`."""

    __slots__ = ("name", "value", "group")

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name = name
        self.value = value
        self.group = group

    def load(self) -> Any:
        """Import the module and return the attribute named, as `importlib.metadata.EntryPoint.load` does."""
        import importlib

        reference = self.value.split("[", 1)[0]  # `[extras]` select nothing here
        module_name, _, attributes = reference.partition(":")
        if not module_name.strip():
            raise ValueError(f"entry point {self.name!r} names no module: {self.value!r}")
        target = importlib.import_module(module_name.strip())
        for attribute in filter(None, attributes.strip().split(".")):
            target = getattr(target, attribute)
        return target

    def __repr__(self) -> str:
        return f"InstalledEntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def entry_points(group: str) -> list:
    """The entry points of `group` declared by the distributions on sys.path, in sys.path order.

    Items have `name`, `value` and `load()`; on a layout this module does
    not read they are importlib.metadata's own EntryPoint objects.
    """
    found = _read(group)
    if found is None:
        from importlib.metadata import entry_points as standard

        return list(standard(group=group))
    return found


def _read(group: str) -> list[InstalledEntryPoint] | None:
    """The entry points of `group`, or None when importlib.metadata must look (a layout not read here)."""
    if any(_finds_distributions(finder) for finder in sys.meta_path):
        return None
    seen: set[str] = set()
    found: list[InstalledEntryPoint] = []
    for entry in sys.path:
        if not isinstance(entry, str):
            return None
        root = entry or "."
        if os.path.isfile(root) or root.lower().endswith(".egg"):
            return None  # zip archives and eggs: importlib.metadata reads them
        try:
            children = os.listdir(root)
        except OSError:
            continue
        infos: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                infos.setdefault(_normalise(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for name, directories in infos.items():
            for directory in directories:
                if name in seen:
                    continue  # the first distribution of a name on sys.path hides the others
                seen.add(name)
                found += _parse(_text(os.path.join(root, directory, "entry_points.txt")), group)
    return found


def _finds_distributions(finder: object) -> bool:
    """True for a meta-path finder other than the path finder that can find distributions."""
    import importlib.machinery

    return finder is not importlib.machinery.PathFinder and callable(getattr(finder, "find_distributions", None))


def _normalise(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower().replace("-", "_")


def _text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return ""


def _parse(text: str, group: str) -> list[InstalledEntryPoint]:
    """The `name = value` lines under `[group]`; blank lines, `#` comments and lines without `=` are skipped."""
    found = []
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section == group and "=" in line:
            name, value = line.split("=", 1)
            found.append(InstalledEntryPoint(name.strip(), value.strip(), group))
    return found

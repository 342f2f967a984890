"""Reading `tables.yaml` once, and the `data` section of the run's configuration that extends it."""

from __future__ import annotations

import functools
from importlib import resources

from linter import current_config, load_text, to_python

TABLES_FILE = "tables.yaml"
JOB_KINDS = ("hosting", "transform", "training", "processing")


def _parse_tables(text: str) -> dict:
    source = load_text(f"plugins/data/{TABLES_FILE}", text)
    if source.problems or not source.documents:
        raise RuntimeError(f"plugins/data/{TABLES_FILE} is unreadable: {source.problems}")
    return to_python(source.documents[0].root)  # type: ignore[return-value]


@functools.lru_cache(maxsize=None)
def raw_tables() -> dict:
    """The parsed `tables.yaml` as plain data (cached; do not mutate)."""
    return _parse_tables(resources.files("plugins.data").joinpath(TABLES_FILE).read_text(encoding="utf-8"))


def overrides() -> dict:
    """The `data` section of the run's configuration file (validated by its schema)."""
    return current_config().get("data", {}) or {}

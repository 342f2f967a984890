"""Reading `tables.yaml` once, and the `data` section of the run's configuration that extends it."""

from __future__ import annotations

import functools
import json
from importlib import resources

from linter import current_config, load_text, to_python

TABLES_FILE = "tables.yaml"
# `tables.yaml` (the source, with its comments and sources) as JSON: the C
# json module reads it in about a millisecond, where parsing the YAML costs
# every run 20-50 ms. Written by `python -m plugins.data.regenerate --json`;
# tests/test_data_tables.py fails when it is not current.
COMPILED_TABLES_FILE = "tables.json"
JOB_KINDS = ("hosting", "transform", "training", "processing")


def _parse_tables(text: str) -> dict:
    source = load_text(f"plugins/data/{TABLES_FILE}", text)
    if source.problems or not source.documents:
        raise RuntimeError(f"plugins/data/{TABLES_FILE} is unreadable: {source.problems}")
    return to_python(source.documents[0].root)  # type: ignore[return-value]


def compiled_tables(text: str) -> str:
    """The text of `tables.json` for the text of `tables.yaml`."""
    return json.dumps(_parse_tables(text), ensure_ascii=False, indent=1) + "\n"


@functools.lru_cache(maxsize=None)
def raw_tables() -> dict:
    """The tables of `tables.yaml` as plain data, read from `tables.json` (cached; do not mutate)."""
    return json.loads(resources.files("plugins.data").joinpath(COMPILED_TABLES_FILE).read_text(encoding="utf-8"))


def overrides() -> dict:
    """The `data` section of the run's configuration file (validated by its schema)."""
    return current_config().get("data", {}) or {}

"""Reading `tables.yaml` once, and the `data` section of a run's configuration that extends it."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from linter import RunContext, load_text, to_python

TABLES_FILE = "tables.yaml"
# `tables.yaml` (the source, with its comments and sources) as JSON: the C
# json module reads it in about a millisecond, where parsing the YAML costs
# every run 20-50 ms. Written by `python -m plugins.data.regenerate --json`;
# tests/test_data_tables.py fails when it is not current.
COMPILED_TABLES_FILE = "tables.json"
JOB_KINDS = ("hosting", "transform", "training", "processing")
SECTION = "data"  # the configuration section (declared in `plugins/data/options.py`)


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
    # This module's loader reads the file beside it (a directory or a zip
    # archive), as pkgutil.get_data does: importlib.resources would bring in
    # tempfile, shutil, lzma and zipfile, 10-15 ms of every run's start-up.
    get_data = getattr(__loader__, "get_data", None)
    if get_data is None:
        from importlib import resources

        return json.loads(resources.files("plugins.data").joinpath(COMPILED_TABLES_FILE).read_text(encoding="utf-8"))
    return json.loads(get_data(os.path.join(os.path.dirname(__file__), COMPILED_TABLES_FILE)).decode("utf-8"))


@dataclass(frozen=True)
class Extensions:
    """What a run's configuration adds to the tables: its validated `[data]` section, and the file it is in."""

    section: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None


SHIPPED = Extensions()  # the tables as released: outside a run (rules, explain, advise without files)


def extensions_of(run: RunContext | None) -> Extensions:
    """The `[data]` section of `run`'s configuration (`SHIPPED` when it has none, or for a check called without a run)."""
    if run is None:
        return SHIPPED
    section = run.settings(SECTION)
    return Extensions(section, run.options.config.path) if section else SHIPPED

"""Access to the JSON Schemas shipped in `schemas/` (package `mldeploy_lint_schemas`)."""

from __future__ import annotations

import functools
import importlib
import json
import os

__all__ = ["load_schema"]

_PACKAGE = "mldeploy_lint_schemas"


@functools.lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The parsed schema `schemas/<name>.schema.json` (cached; do not mutate)."""
    return json.loads(_read(f"{name}.schema.json"))


def _read(filename: str) -> str:
    # The package's loader reads the file (a directory or a zip archive), as
    # pkgutil.get_data does: importlib.resources would bring in tempfile,
    # shutil, lzma and zipfile, 10-15 ms of every run's start-up.
    spec = importlib.import_module(_PACKAGE).__spec__
    get_data = getattr(spec.loader, "get_data", None)
    if spec.origin is None or get_data is None:
        from importlib import resources

        return resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return get_data(os.path.join(os.path.dirname(spec.origin), filename)).decode("utf-8")

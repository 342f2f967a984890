"""Access to the JSON Schemas shipped in `schemas/` (package `mldeploy_lint_schemas`)."""

from __future__ import annotations

import functools
import json
from importlib import resources

__all__ = ["load_schema"]


@functools.lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The parsed schema `schemas/<name>.schema.json` (cached; do not mutate)."""
    text = resources.files("mldeploy_lint_schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)

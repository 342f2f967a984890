"""The built-in rules' data tables (`limits.yaml`), read once and typed.

Numbers never live in rule code: rules ask here. The YAML is validated
against `schemas/data-tables.schema.json` by the test suite (importing
jsonschema at lint time would cost start-up); this module only reads it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from linter import load_text, to_python

__all__ = ["PayloadLimit", "payload_limit", "payload_suggestion_order", "serverless_memory_sizes", "serverless_range", "raw_tables"]


@dataclass(frozen=True)
class PayloadLimit:
    """The largest request a deployment kind accepts."""

    kind: str
    bytes: int
    display: str
    label: str
    source: str


@functools.lru_cache(maxsize=None)
def raw_tables() -> dict:
    """The parsed `limits.yaml` as plain data (cached; do not mutate)."""
    text = resources.files(__package__).joinpath("limits.yaml").read_text(encoding="utf-8")
    source = load_text("plugins/data/limits.yaml", text)
    if source.problems or not source.documents:
        raise RuntimeError(f"plugins/data/limits.yaml is unreadable: {source.problems}")
    return to_python(source.documents[0].root)  # type: ignore[return-value]


def payload_limit(kind: str) -> PayloadLimit | None:
    """The payload limit of a deployment kind (`realtime`, `serverless`, ...), if any."""
    entry = raw_tables()["payload_limits"].get(kind)
    if entry is None:
        return None
    return PayloadLimit(kind, entry["bytes"], entry["display"], entry["label"], entry["source"])


def payload_suggestion_order() -> tuple[str, ...]:
    """Kinds to suggest, in order, for a payload too large for the current one."""
    return tuple(raw_tables()["payload_suggestion_order"])


def serverless_memory_sizes() -> tuple[int, ...]:
    """The allowed serverless `MemorySizeInMB` values."""
    return tuple(raw_tables()["serverless"]["memory_sizes_mb"]["values"])


def serverless_range(name: str) -> tuple[int, int]:
    """(min, max) of a serverless setting: `max_concurrency` or `provisioned_concurrency`."""
    entry = raw_tables()["serverless"][name]
    return entry["min"], entry["max"]

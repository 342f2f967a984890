"""The configuration file: where it is, what it says, and that it says it right.

Read from `--config FILE`, else the first of `mldeploy-lint.toml`,
`.mldeploy-lint.toml` or a `pyproject.toml` with a `[tool.mldeploy-lint]`
table found from the working directory upwards (stopping at a repository
root). It is validated against `schemas/config.schema.json`; a file that
fails it is a `ConfigError` naming the key (exit 2). jsonschema is imported
only when a configuration file exists.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

from linter.discovery import up_to_repository_root

__all__ = ["Config", "ConfigError", "find_config", "load_config"]

CONFIG_NAMES = ("mldeploy-lint.toml", ".mldeploy-lint.toml")


class ConfigError(Exception):
    """A configuration file that cannot be read or breaks the schema."""


@dataclass(frozen=True)
class Config:
    """The settings of a configuration file (empty when there is none).

    `path` is the file it came from; `root` the directory path globs are
    relative to; `settings` the validated table, for plugins to read their
    own sections (e.g. `data`).
    """

    path: str | None = None
    root: str = "."
    settings: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def find_config(start: str = ".") -> str | None:
    """The configuration file that applies to `start`, or None (the search stops at the repository root)."""
    for directory in up_to_repository_root(start):
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return "[tool.mldeploy-lint" in handle.read()
    except OSError:
        return False


def load_config(path: str | None) -> Config:
    """Read and validate a configuration file; `Config()` when `path` is None."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            document = _toml().load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if os.path.basename(path) == "pyproject.toml":
        settings = document.get("tool", {}).get("mldeploy-lint", {})
        where = "[tool.mldeploy-lint]"
    else:
        settings = document
        where = ""
    _validate(path, where, settings)
    return Config(path, os.path.dirname(os.path.abspath(path)), settings)


def _validate(path: str, where: str, settings: Any) -> None:
    import jsonschema

    from linter.schemas import load_schema

    validator = jsonschema.Draft7Validator(load_schema("config"))
    errors = sorted(validator.iter_errors(settings), key=lambda error: list(error.absolute_path))
    if not errors:
        return
    error = errors[0]
    key = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        from linter.suggest import did_you_mean

        known = error.schema.get("properties", {})
        unknown = sorted(set(error.instance) - set(known))
        location = ".".join(part for part in (where, key) if part) or "top level"
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
        raise ConfigError(f"{path}: unknown setting {', '.join(map(repr, unknown))} in {location}{hint}")
    location = ".".join(part for part in (where, key) if part) or "top level"
    raise ConfigError(f"{path}: {location}: {error.message}")

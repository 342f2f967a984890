"""The configuration file: where it is, what it says, and that it says it right.

Read from `--config FILE`, else the first of `mldeploy-lint.toml`,
`.mldeploy-lint.toml` or a `pyproject.toml` with a `[tool.mldeploy-lint]`
table found from the working directory upwards (stopping at a repository
root). It is validated against `schemas/config.schema.json` with the
sections plugins declare (`mldeploy_options`) merged in; a file that fails
it is a `ConfigError` naming the key (exit 2), a plugin's key exactly like
a built-in one. Reading is two steps because the file names plugins to
load: `read_config` parses it (and checks the `plugins` key), `check_config`
validates the whole against the schema of the loaded plugins. jsonschema
is imported only when a configuration file exists, and not even then when
the caller gives `verdicts` (the disk cache) that remember the same
settings passing the same schema with the same code: importing jsonschema
is a third of the start-up of a pre-commit run on one file.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

from linter.discovery import read_regular_file, up_to_repository_root

if TYPE_CHECKING:  # pragma: no cover
    from linter.options import OptionSection

__all__ = ["Config", "ConfigError", "check_config", "config_schema", "find_config", "load_config", "read_config"]

CONFIG_NAMES = ("mldeploy-lint.toml", ".mldeploy-lint.toml")
# A configuration file is a few kilobytes; a `pyproject.toml` rarely more than tens.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """A configuration file that cannot be read or breaks the schema."""


class Verdicts(Protocol):
    """Where verdicts are remembered between runs (`linter.disk_cache.DiskCache`)."""

    def remembers(self, fact: str) -> bool: ...

    def remember(self, fact: str) -> None: ...


@dataclass(frozen=True)
class Config:
    """The settings of a configuration file (empty when there is none).

    `path` is the file it came from; `root` the directory path globs are
    relative to; `settings` the validated table (with the values of
    plugins' command-line flags set in it), for plugins to read their own
    sections through the run (`RunContext.settings`).
    """

    path: str | None = None
    root: str = "."
    settings: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def cache_directory(self) -> str | None:
        """`cache-dir`, relative to this file (`~` expanded); None when unset, or not a string (the schema says so)."""
        directory = self.settings.get("cache-dir")
        return os.path.join(self.root, os.path.expanduser(directory)) if directory and isinstance(directory, str) else None

    def matches(self, glob: str, path: str) -> bool:
        """Whether `path` matches the gitignore-style `glob` written in this file (relative to `root`)."""
        relative = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        return _glob_spec(glob).match_file(relative)


@functools.lru_cache(maxsize=512)
def _glob_spec(glob: str):
    """A configured glob, compiled once per process (globs are matched against every finding or deployment)."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([glob])


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def find_config(start: str = ".", stop: str | None = None) -> str | None:
    """The configuration file that applies to `start`, or None.

    The search goes up from `start` and stops at the repository root, or at
    `stop` (a directory at or above `start`: an editor's workspace folder),
    whichever comes first; nothing above it is looked at.
    """
    stop = os.path.abspath(stop) if stop is not None else None
    for directory in up_to_repository_root(start):
        if stop is not None and not _at_or_below(directory, stop):
            return None
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return pyproject
    return None


def _at_or_below(directory: str, top: str) -> bool:
    return directory == top or directory.startswith(top.rstrip(os.sep) + os.sep)


def _has_tool_table(path: str) -> bool:
    try:
        return b"[tool.mldeploy-lint" in read_regular_file(path, MAX_CONFIG_BYTES)[0]
    except OSError:
        return False


def load_config(path: str | None, sections: "Sequence[tuple[str, OptionSection]] | None" = None) -> Config:
    """Read and validate a configuration file; `Config()` when `path` is None.

    `sections` are the (plugin, section) pairs the run's plugins declare;
    None: those of the installed plugins and the modules the file's
    `plugins` key names. Every way a file can be wrong is a ConfigError
    (see `read_config` and `check_config`).
    """
    config = read_config(path)
    if path is None:
        return config
    if sections is None:
        from linter.plugin_manager import PluginConfigError, build_plugin_host

        try:
            sections = build_plugin_host(tuple(config.get("plugins", ()))).option_sections()
        except PluginConfigError as error:
            raise ConfigError(f"{path}: {error}") from None
    return check_config(config, sections)


def read_config(path: str | None, verdicts_for: "Callable[[Config], Verdicts | None] | None" = None) -> Config:
    """The settings of a configuration file, parsed, with only its `plugins` key checked yet.

    A ConfigError when the file is unreadable, not a regular file (a pipe
    is never waited on), above `MAX_CONFIG_BYTES`, not TOML, nested too
    deeply, or when `plugins` is not a list of module names. The rest is
    `check_config`'s, once the plugins are loaded. `verdicts_for` gives,
    for the settings read, where a valid `plugins` key may be remembered
    (the cache directory is itself a setting).
    """
    if path is None:
        return Config()
    try:
        data, too_large = read_regular_file(path, MAX_CONFIG_BYTES)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    if too_large:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024:,} KiB, too large for a configuration file")
    try:
        document = _toml().loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (undecodable byte at offset {error.start})") from None
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = document.get("tool", {})
        settings = tool.get("mldeploy-lint", {}) if isinstance(tool, dict) else {}
    else:
        settings = document
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [tool.mldeploy-lint]: {settings!r} is not of type 'object'")
    config = Config(path, os.path.dirname(os.path.abspath(path)), settings)
    if "plugins" in settings:
        from linter.schemas import load_schema

        core = load_schema("config")
        only_plugins = {**core, "properties": {"plugins": core["properties"]["plugins"]}, "additionalProperties": True}
        _validate(config, {"plugins": settings["plugins"]}, only_plugins, verdicts=verdicts_for and verdicts_for(config))
    return config


# The code a verdict of `_validate` depends on besides the schema: this module, the
# pattern check of the `gitignore-pattern` format (and the library it uses), jsonschema.
_VALIDATING_MODULES = ("linter.config", "linter.discovery", "pathspec", "jsonschema")


def _validity_fact(settings: Any, schema: Mapping[str, Any]) -> str | None:
    """"These settings pass this schema" with everything that verdict depends on, or None when it cannot be said.

    The settings and the schema are written as canonical JSON, which tells
    apart every value TOML and the command line give but dates and times:
    settings holding one are always checked.
    """
    from linter import __version__
    from linter.disk_cache import code_stamp

    try:
        document = json.dumps([schema, settings], sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return "\0".join(("valid configuration", __version__, code_stamp(_VALIDATING_MODULES), document))


def _where(config: Config) -> str:
    return "[tool.mldeploy-lint]" if config.path and os.path.basename(config.path) == "pyproject.toml" else ""


def config_schema(sections: "Sequence[tuple[str, OptionSection]]" = ()) -> dict:
    """The configuration schema: `schemas/config.schema.json` with the plugins' sections merged in.

    Raises ConfigError when two plugins declare the same key (see `linter.OptionSection`).
    """
    from linter.options import merged_schema
    from linter.schemas import load_schema

    try:
        return merged_schema(load_schema("config"), sections)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def check_config(
    config: Config,
    sections: "Sequence[tuple[str, OptionSection]]" = (),
    flag_values: "Mapping[tuple[str, str], Any]" = {},
    flags: "Mapping[tuple[str, str], str]" = {},
    verdicts: Verdicts | None = None,
) -> Config:
    """`config` validated against the schema with `sections` merged in, then with the command line's values.

    `flag_values` maps (section, key) to a value a plugin's flag gave, and
    `flags` (section, key) to that flag's name, for messages. The file is
    checked first (errors name it and the key); then the settings with
    the flags' values set in them (errors name the flag). Strings of the
    format `gitignore-pattern` that cannot be used as path globs are
    errors here too, not later. Settings `verdicts` remember as valid
    against the same schema with the same code are not checked again.
    """
    from linter.options import with_flag_values

    schema = config_schema(sections)
    if config.path is not None:
        try:
            _validate(config, config.settings, schema, verdicts=verdicts)
        except RecursionError:
            raise ConfigError(f"{config.path}: {_where(config) or 'the settings'} nested too deeply to check") from None
    if not flag_values:
        return config
    settings = with_flag_values(config.settings, flag_values)
    _validate(config, settings, schema, flags, verdicts)
    return Config(config.path, config.root, settings)


# The JSON-Schema format of a gitignore-style path glob (`exclude`, `environments.paths`, a plugin's
# own globs): one that cannot be used is a located configuration error here, not a failure later.
PATTERN_FORMAT = "gitignore-pattern"


def _format_checker():
    import jsonschema

    from linter.discovery import PatternError, check_pattern

    checker = jsonschema.FormatChecker(formats=())
    checker.checks(PATTERN_FORMAT, raises=PatternError)(lambda value: not isinstance(value, str) or check_pattern(value) is None)
    return checker


def _validate(
    config: Config,
    settings: Any,
    schema: Mapping[str, Any],
    flags: "Mapping[tuple[str, str], str]" = {},
    verdicts: Verdicts | None = None,
) -> None:
    """Raise a ConfigError naming the first key of `settings` that breaks `schema` (the flag that set it, if one did).

    Settings found valid are remembered in `verdicts`, and settings it
    remembers are not checked again (see `_validity_fact`).
    """
    fact = _validity_fact(settings, schema) if verdicts is not None else None
    if fact is not None and verdicts.remembers(fact):  # type: ignore[union-attr]
        return
    import jsonschema

    validator = jsonschema.Draft7Validator(schema, format_checker=_format_checker())
    errors = sorted(validator.iter_errors(settings), key=lambda error: list(error.absolute_path))
    if not errors:
        if fact is not None:
            verdicts.remember(fact)  # type: ignore[union-attr]
        return
    error = errors[0]
    parts = [str(part) for part in error.absolute_path]
    if "propertyNames" in error.schema_path:  # a key of a table is wrong: name the key too
        parts.append(str(error.instance))
    message = str(error.cause) if error.validator == "format" and error.cause is not None else error.message
    flag = flags.get((parts[0], parts[1])) if len(parts) >= 2 else None
    if flag is None and flags and parts:  # an error about the whole section (a `oneOf`): the section's flags
        flag = ", ".join(sorted(name for (section, _), name in flags.items() if section == parts[0])) or None
    if flag is not None:
        raise ConfigError(f"{flag}: {message} (the value of {'.'.join(parts)})")
    where, path = _where(config), config.path or "the command line"
    key = ".".join(parts)
    if error.validator == "additionalProperties":
        from linter.suggest import did_you_mean

        known = error.schema.get("properties", {})
        unknown = sorted(set(error.instance) - set(known))
        location = ".".join(part for part in (where, key) if part) or "top level"
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
        raise ConfigError(f"{path}: unknown setting {', '.join(map(repr, unknown))} in {location}{hint}")
    location = ".".join(part for part in (where, key) if part) or "top level"
    raise ConfigError(f"{path}: {location}: {message}")

"""Settings a plugin owns: its section of the configuration file and the command-line flags that set its keys.

A plugin returns `OptionSection`s from the `mldeploy_options` hook. The
core adds each section's JSON-Schema fragment to the configuration schema
(so a wrong key is reported like a built-in one: located, exit 2), adds
each `Option` to the command line, and hands the validated section to the
plugin through the run (`RunContext.settings(name)`). Nothing here names a
plugin or a platform.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["Option", "OptionSection", "SECTION_NAME", "FLAG_NAME", "merged_schema", "with_flag_values"]

# What a section name and a flag look like: lower-case words joined by hyphens.
SECTION_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FLAG_NAME = re.compile(r"^--[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """A command-line flag that sets one key of its plugin's configuration section.

    `flag` is a long option (`--acme-max-replicas`); `key` the key of the
    section it sets; `help` one line for `--help`. Without `metavar` the
    flag is a switch that sets the key to true. With one it takes a value,
    converted by the type the section's schema gives the key (integer,
    number or string; an array key takes the flag repeatedly). A value on
    the command line wins over the configuration file and is validated by
    the same schema: a wrong one is an error naming the flag (exit 2).
    """

    flag: str
    key: str
    help: str
    metavar: str | None = None


@dataclass(frozen=True)
class OptionSection:
    """A section of the configuration file that a plugin owns.

    `name` is the section's key: `[NAME]` in `mldeploy-lint.toml`,
    `[tool.mldeploy-lint.NAME]` in `pyproject.toml` (lower-case words
    joined by hyphens). `schema` is the JSON Schema (draft 7) its value
    must satisfy; give it a `description`, and `"additionalProperties":
    false` so that a misspelt key is reported. A string with `"format":
    "gitignore-pattern"` (a key, under `propertyNames`) is checked as the
    core's path globs are: one that cannot be used is a located error.
    `options` are the flags that
    set its keys. Several plugins may declare one section when every
    declaration is an object schema with `properties` (the core's
    `environments` section, say, gains a key from each adapter): the keys
    are merged, and a key declared twice stops the run (exit 2).
    """

    name: str
    schema: Mapping[str, Any]
    options: tuple[Option, ...] = ()


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" and isinstance(schema.get("properties"), Mapping) and "oneOf" not in schema


def merged_schema(core: Mapping[str, Any], sections: Sequence[tuple[str, OptionSection]]) -> dict:
    """The configuration schema: `core` with each plugin's section added (or merged into a section of the same name).

    `sections` are (plugin, section) pairs. Raises ValueError naming the
    plugins when a section cannot be merged (one of its declarations is
    not an object schema with `properties`) or a key is declared twice.
    """
    schema = copy.deepcopy(dict(core))
    properties = schema.setdefault("properties", {})
    core_owner = "the core"
    owners: dict[str, dict[str, str]] = {
        name: {key: core_owner for key in value.get("properties", {})} for name, value in properties.items() if isinstance(value, Mapping)
    }
    section_owner: dict[str, str] = {name: core_owner for name in properties}
    for plugin, section in sections:
        if section.name not in properties:
            properties[section.name] = copy.deepcopy(dict(section.schema))
            section_owner[section.name] = f"plugin {plugin!r}"
            owners[section.name] = {key: f"plugin {plugin!r}" for key in section.schema.get("properties", {})}
            continue
        present = properties[section.name]
        if not (_is_object_schema(present) and _is_object_schema(section.schema)):
            raise ValueError(
                f"configuration section {section.name!r} is declared by {section_owner[section.name]} and by plugin "
                f"{plugin!r}; only sections that are tables of keys on both sides can be shared"
            )
        for key, value in section.schema["properties"].items():
            if key in present["properties"]:
                raise ValueError(
                    f"configuration key {section.name}.{key} is declared by {owners[section.name][key]} "
                    f"and by plugin {plugin!r}"
                )
            present["properties"][key] = copy.deepcopy(value)
            owners[section.name][key] = f"plugin {plugin!r}"
        present["additionalProperties"] = False
    return schema


def with_flag_values(settings: Mapping[str, Any], values: Mapping[tuple[str, str], Any]) -> dict:
    """`settings` with the (section, key) -> value pairs the command line gave set in them.

    A section the file sets to a value that is not a table (`NAME =
    true`) becomes the table `{key: value}`: the flag's key wins.
    """
    merged = dict(settings)
    for (section, key), value in values.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, Mapping) else {}), key: value}
    return merged

"""Which context files a linted `terraform show -json` plan wants parsed: the `.tf` files it is located in.

Called for every context file of a run whose linted files include a plan
(`mldeploy_context_wanted`), so it reads no more than it must: a linted
file is a plan when its first bytes open a JSON object naming
`format_version` (then it is parsed once, at most `MAX_PLAN_BYTES`); a
context file is wanted when it is a `.tf`/`.tfvars` file of the plan's
directory or of a local `source` of its module calls (relative to it), or a
native `.tf` file declaring a resource (`type.name`) or a module call of the
plan's configuration, at any depth: the directory the plan is matched to
(`plan.py`) and its called modules, without listing their directories.
A file of that directory declaring only what the plan does not is not
wanted, so in a pre-commit run the directory can look like an exact match
where the whole directory would not.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

__all__ = ["PlanWants", "plan_wants", "MAX_PLAN_BYTES"]

# A plan larger than this (characters) does not pull in context files: only its own locations are used.
MAX_PLAN_BYTES = 64 * 1024 * 1024
_MAX_DEPTH = 32

_RESOURCE = re.compile(r'^[ \t]*resource[ \t]+"([^"\n]+)"[ \t]+"([^"\n]+)"', re.MULTILINE)
_MODULE = re.compile(r'^[ \t]*module[ \t]+"([^"\n]+)"', re.MULTILINE)


class PlanWants:
    """What the run's linted plans want among the context files."""

    def __init__(self, directories: frozenset[str], addresses: frozenset[str]) -> None:
        self.directories = directories
        self.addresses = addresses

    def wants(self, path: str, text: str) -> bool:
        if os.path.normpath(os.path.dirname(path)) in self.directories:
            return True
        if not path.lower().endswith(".tf") or not self.addresses:
            return False
        declared = {f"{type_name}.{name}" for type_name, name in _RESOURCE.findall(text)}
        declared |= {f"module.{name}" for name in _MODULE.findall(text)}
        return not declared.isdisjoint(self.addresses)


def looks_like_plan(path: str, text: str) -> bool:
    """A `.json` file whose first bytes open an object naming `format_version` (decided before any parse)."""
    return path.lower().endswith(".json") and text[:64].lstrip().startswith("{") and '"format_version"' in text[:1024]


def plan_wants(linted: dict[str, str]) -> PlanWants | None:
    """The wants of the linted plans; None when no linted file is a plan."""
    directories: set[str] = set()
    addresses: set[str] = set()
    found = False
    for path, text in linted.items():
        if not looks_like_plan(path, text) or len(text) > MAX_PLAN_BYTES:
            continue
        try:
            root = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(root, dict) or not isinstance(root.get("planned_values", root.get("values")), dict):
            continue
        found = True
        directory = os.path.normpath(os.path.dirname(path))
        directories.add(directory)
        configuration = root.get("configuration")
        module = configuration.get("root_module") if isinstance(configuration, dict) else None
        _collect(module, directory, directories, addresses, 0)
    return PlanWants(frozenset(directories), frozenset(addresses)) if found else None


def _collect(module: Any, directory: str | None, directories: set[str], addresses: set[str], depth: int) -> None:
    """A configuration module's resources and calls into `addresses`, its calls' local sources (from `directory`) into `directories`."""
    if not isinstance(module, dict) or depth > _MAX_DEPTH:
        return
    resources = module.get("resources")
    for item in resources if isinstance(resources, list) else ():
        if isinstance(item, dict) and item.get("mode", "managed") != "data" and isinstance(item.get("type"), str) and isinstance(item.get("name"), str):
            addresses.add(f"{item['type']}.{item['name']}")
    calls = module.get("module_calls")
    for name, call in calls.items() if isinstance(calls, dict) else ():
        addresses.add(f"module.{name}")
        if not isinstance(call, dict):
            continue
        source = call.get("source")
        child = None
        if directory is not None and isinstance(source, str) and source.startswith(("./", "../")):
            child = os.path.normpath(os.path.join(directory, source))
            directories.add(child)
        _collect(call.get("module"), child, directories, addresses, depth + 1)

"""Which context files a run that lints Terraform files needs parsed (the adapter's `mldeploy_context_wanted`).

A linted Terraform file (configuration or tfvars) needs, parsed:

- every file of its module's directory, and every file below it: the
  module's configuration, its automatically loaded and stage tfvars, and
  what `file()` / `templatefile()` read (a definition file that is a
  document of the run is left to the adapter that reads it);
- the same of each module a linted configuration calls with a local
  `source` ("./…" or "../…"), found by a pattern over the linted text;
- the Terraform files of every directory holding a configuration that
  calls a linted module: a called module is judged once per call, with
  the caller's arguments and its stage files. Whether a directory calls
  one is read from its `.tf` / `.tf.json` files with the same pattern
  (once per directory and run), since the file that holds the `module`
  block is not the only one its evaluation needs.

Anything it cannot decide (a directory it cannot list or read) is wanted.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from linter import ContextRequest

__all__ = ["is_wanted"]

# A `module` block's local source, in native syntax (`source = "../x"`) or JSON (`"source": "./x"`).
_LOCAL_SOURCE = re.compile(r'\bsource"?\s*[=:]\s*"(\.\.?/[^"\n]*)"')
_TERRAFORM = (".tf", ".tfvars", ".tf.json", ".tfvars.json")
_CONFIGURATION = (".tf", ".tf.json")


@dataclass(frozen=True)
class _Needs:
    modules: frozenset[str]  # the linted files' directories (absolute)
    trees: tuple[str, ...]  # directories whose every file, and every file below, is wanted


def is_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """Whether the context file `path` (with `text`) is needed by the Terraform files the run lints."""
    needs = request.memo(("terraform", "needs"), lambda: _needs(request))
    if needs is None:
        return False
    directory = os.path.dirname(os.path.abspath(path))
    if any(directory == tree or directory.startswith(tree + os.sep) for tree in needs.trees):
        return True
    if not path.lower().endswith(_TERRAFORM):
        return False
    if path.lower().endswith(_CONFIGURATION) and _calls_into(directory, text, needs.modules):
        return True
    return request.memo(("terraform", "calls into", directory), lambda: _directory_calls_into(directory, needs.modules, request))


def _needs(request: ContextRequest) -> _Needs | None:
    linted = {path: text for path, text in request.linted.items() if path.lower().endswith(_TERRAFORM)}
    if not linted:
        return None
    modules = frozenset(os.path.dirname(os.path.abspath(path)) for path in linted)
    trees = set(modules)
    for path, text in linted.items():
        if path.lower().endswith(_CONFIGURATION):
            directory = os.path.dirname(os.path.abspath(path))
            trees.update(os.path.normpath(os.path.join(directory, source)) for source in _LOCAL_SOURCE.findall(text))
    return _Needs(modules, tuple(sorted(trees)))


def _calls_into(directory: str, text: str, modules: frozenset[str]) -> bool:
    return any(os.path.normpath(os.path.join(directory, source)) in modules for source in _LOCAL_SOURCE.findall(text))


def _directory_calls_into(directory: str, modules: frozenset[str], request: ContextRequest) -> bool:
    """Whether a configuration file in `directory` calls one of `modules`; True when that cannot be read."""
    limit = request.options.limits.max_bytes
    try:
        names = sorted(entry.name for entry in os.scandir(directory) if entry.name.lower().endswith(_CONFIGURATION))
    except OSError:
        return True
    for name in names:
        text = _read(os.path.join(directory, name), limit)
        if text is None or _calls_into(directory, text, modules):
            return True
    return False


def _read(path: str, limit: int) -> str | None:
    """The start of the regular file `path` (never waiting on a pipe or a device: skipped as ""); None when unreadable."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return ""
        with os.fdopen(descriptor, "rb") as stream:
            descriptor = -1
            return stream.read(limit + 1).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        if descriptor >= 0:
            os.close(descriptor)

"""Which context files a run that lints Terraform files needs parsed (the adapter's `mldeploy_context_wanted`).

A linted Terraform file (configuration or tfvars) needs, parsed:

- every file of its module's directory, and every file below it: the
  module's configuration, its automatically loaded and stage tfvars, and
  what `file()` / `templatefile()` read (a definition file that is a
  document of the run is left to the adapter that reads it); a tfvars file
  in a directory without configuration belongs to the nearest module at
  most `MAX_STAGE_DEPTH` directories above it (`envs/prod.tfvars`);
- the same of each module those modules call with a local `source`
  ("./…" or "../…"), and of the modules those call, at most
  `MAX_CALL_DEPTH` calls deep, found by a pattern over their `.tf` /
  `.tf.json` files;
- the Terraform files of every directory holding a configuration that
  calls a linted module, directly or through other modules (a called
  module is judged once per reading of its callers, with their arguments
  and the root's stage files), and the tfvars files of such a directory's
  stage directories. Whether a directory calls one is read from its
  configuration files with the same pattern (once per directory and run),
  since the file that holds the `module` block is not the only one its
  evaluation needs.

Anything it cannot decide (a directory it cannot list or read) is wanted.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from linter import ContextRequest

__all__ = ["in_wanted_trees", "is_wanted"]

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
    if in_wanted_trees(os.path.dirname(path), request):
        return True
    directory = os.path.dirname(os.path.abspath(path))
    if not path.lower().endswith(_TERRAFORM):
        return False
    if path.lower().endswith(_CONFIGURATION) and _calls_into(directory, text, needs.modules):
        return True
    if _is_caller(directory, needs, request):
        return True
    if path.lower().endswith(_CONFIGURATION):
        return False
    # a stage file below a calling root (`live/envs/prod.tfvars`)
    from plugins.adapters.terraform.module import MAX_STAGE_DEPTH

    return any(_is_caller(above, needs, request) for above in _ancestors(directory, MAX_STAGE_DEPTH) if _holds_configuration(above, request))


def in_wanted_trees(directory: str, request: ContextRequest) -> bool:
    """Whether every file of `directory` (as a display path's) is wanted: a linted module's, or one it calls, or below one."""
    needs = request.memo(("terraform", "needs"), lambda: _needs(request))
    if needs is None:
        return False
    # A repository has far fewer directories than files: each is answered once.
    known: dict[str, bool] = request.memo(("terraform", "in trees"), dict)
    if directory not in known:
        absolute = os.path.abspath(directory)
        known[directory] = any(absolute == tree or absolute.startswith(tree + os.sep) for tree in needs.trees)
    return known[directory]


def _needs(request: ContextRequest) -> _Needs | None:
    linted = {path: text for path, text in request.linted.items() if path.lower().endswith(_TERRAFORM)}
    if not linted:
        return None
    from plugins.adapters.terraform.module import MAX_CALL_DEPTH, MAX_STAGE_DEPTH

    modules: set[str] = set()
    for path in linted:
        directory = os.path.dirname(os.path.abspath(path))
        modules.add(directory)
        if not path.lower().endswith(_CONFIGURATION) and not _holds_configuration(directory, request):
            owner = next((above for above in _ancestors(directory, MAX_STAGE_DEPTH) if _holds_configuration(above, request)), None)
            if owner is not None:
                modules.add(owner)
    trees = set(modules)
    frontier = sorted(modules)
    for _ in range(MAX_CALL_DEPTH):  # the modules they call, and what those call
        following: list[str] = []
        for directory in frontier:
            for source in _sources_of(directory, request):
                target = os.path.normpath(os.path.join(directory, source))
                if target not in trees and len(trees) < _MAX_TREES:
                    trees.add(target)
                    following.append(target)
        frontier = following
        if not frontier:
            break
    return _Needs(frozenset(modules), tuple(sorted(trees)))


# Directories followed from the linted modules by their calls, at most (a bound against generated repositories).
_MAX_TREES = 256


def _ancestors(directory: str, depth: int) -> list[str]:
    found = []
    for _ in range(depth):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        found.append(parent)
        directory = parent
    return found


def _calls_into(directory: str, text: str, modules: frozenset[str]) -> bool:
    return any(os.path.normpath(os.path.join(directory, source)) in modules for source in _LOCAL_SOURCE.findall(text))


def _configuration_texts(directory: str, request: ContextRequest) -> list[str | None]:
    """The texts of the configuration files of `directory` (None for one that cannot be read), once per run."""

    def read() -> list[str | None]:
        limit = request.options.limits.max_bytes
        try:
            names = sorted(entry.name for entry in os.scandir(directory) if entry.name.lower().endswith(_CONFIGURATION))
        except OSError:
            return []
        return [_read(os.path.join(directory, name), limit) for name in names]

    return request.memo(("terraform", "configuration texts", directory), read)


def _holds_configuration(directory: str, request: ContextRequest) -> bool:
    return bool(_configuration_texts(directory, request))


def _sources_of(directory: str, request: ContextRequest) -> list[str]:
    """The local sources the `module` blocks of `directory`'s configuration name."""
    return [source for text in _configuration_texts(directory, request) if text for source in _LOCAL_SOURCE.findall(text)]


def _is_caller(directory: str, needs: _Needs, request: ContextRequest) -> bool:
    """Whether `directory`'s configuration calls a linted module, directly or through at most MAX_CALL_DEPTH modules.

    True when a configuration file of it cannot be read (when unsure, parse it).
    """
    from plugins.adapters.terraform.module import MAX_CALL_DEPTH
    known: dict[tuple[str, int], bool] = request.memo(("terraform", "reaches"), dict)  # (directory, calls left) -> answer

    def calls(current: str, left: int) -> bool:
        # each (directory, calls left) is answered once, and `left` falls with each call: a wide or cyclic
        # graph of calls costs at most directories x depth answers
        if (current, left) in known:
            return known[(current, left)]
        texts = _configuration_texts(current, request)
        answer = any(text is None for text in texts)
        targets = [os.path.normpath(os.path.join(current, source)) for text in texts if text for source in _LOCAL_SOURCE.findall(text)]
        answer = answer or any(target in needs.modules for target in targets)
        answer = answer or (left > 1 and any(calls(target, left - 1) for target in targets))
        known[(current, left)] = answer
        return answer

    return request.memo(("terraform", "calls into", directory), lambda: calls(directory, MAX_CALL_DEPTH))


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

"""The programmatic entry points: lint paths or text, get a LintResult.

`cli.py`, the pre-commit hook and the language server all go through here.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO, Sequence

from linter.discovery import DiscoveryOptions, discover
from linter.engine import InputFile, LintOptions, LintResult, run_lint
from linter.plugin_manager import PluginHost, build_plugin_host

__all__ = ["STDIN", "lint_paths", "lint_text", "read_inputs"]

STDIN = "-"


CONTEXT_MODES = ("siblings", "none")


def read_inputs(
    paths: Sequence[str],
    discovery: DiscoveryOptions = DiscoveryOptions(),
    stdin: BinaryIO | None = None,
    stdin_name: str = "<stdin>",
    context: str = "siblings",
) -> list[InputFile]:
    """Discover and read the files under `paths`; `-` reads standard input.

    With `context="siblings"`, the other lintable files in the directory of
    each file named explicitly (and of `stdin_name`, when it names a real
    path) are read as context: adapters see them for cross-file links (an
    HPA beside the Deployment it scales), but nothing is reported for them.
    That is what a pre-commit hook needs, since it passes only the changed
    files. Directories named on the command line are linted whole anyway.

    Raises FileNotFoundError for a missing path, OSError for an unreadable one.
    """
    named = [path for path in paths if path != STDIN]
    inputs: list[InputFile] = []
    linted: set[str] = set()
    for file_path in discover(named, discovery):
        linted.add(os.path.abspath(file_path))
        inputs.append(InputFile(_display(file_path), _read(file_path)))
    if STDIN in paths:
        stream = stdin if stdin is not None else sys.stdin.buffer
        inputs.append(InputFile(stdin_name, stream.read()))
        if os.path.exists(stdin_name):
            linted.add(os.path.abspath(stdin_name))
    if context == "siblings":
        inputs.extend(_sibling_context(named + ([stdin_name] if STDIN in paths else []), discovery, linted))
    return inputs


def _sibling_context(paths: Sequence[str], discovery: DiscoveryOptions, linted: set[str]) -> list[InputFile]:
    """Context files: lintable files beside each explicitly named file."""
    directories = sorted({os.path.dirname(path) or "." for path in paths if os.path.isfile(path)})
    context: list[InputFile] = []
    for directory in directories:
        for file_path in discover([directory], discovery):
            absolute = os.path.abspath(file_path)
            if os.path.dirname(absolute) != os.path.abspath(directory) or absolute in linted:
                continue
            linted.add(absolute)
            try:
                context.append(InputFile(_display(file_path), _read(file_path), context_only=True))
            except OSError:
                continue  # an unreadable sibling is not worth failing the run for
    return context


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _display(path: str) -> str:
    """The path as reported: normalised (`./a//b` -> `a/b`), still relative if given so."""
    return os.path.normpath(path)


def lint_paths(
    paths: Sequence[str],
    options: LintOptions = LintOptions(),
    discovery: DiscoveryOptions = DiscoveryOptions(),
    host: PluginHost | None = None,
) -> LintResult:
    """Lint files and directories with the installed plugins."""
    host = host or build_plugin_host()
    discovery = _with_plugin_patterns(discovery, host)
    return run_lint(read_inputs(paths, discovery), host, options)


def lint_text(
    text: str, path: str = "<text>", options: LintOptions = LintOptions(), host: PluginHost | None = None
) -> LintResult:
    """Lint one in-memory text as if it were the file `path` (editors, tests)."""
    host = host or build_plugin_host()
    return run_lint([InputFile(path, text.encode("utf-8"))], host, options)


def _with_plugin_patterns(discovery: DiscoveryOptions, host: PluginHost) -> DiscoveryOptions:
    extra = tuple(pattern for pattern in host.file_patterns() if pattern not in discovery.patterns)
    if not extra:
        return discovery
    from dataclasses import replace

    return replace(discovery, patterns=discovery.patterns + extra)

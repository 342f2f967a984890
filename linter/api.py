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


def read_inputs(
    paths: Sequence[str],
    discovery: DiscoveryOptions = DiscoveryOptions(),
    stdin: BinaryIO | None = None,
    stdin_name: str = "<stdin>",
) -> list[InputFile]:
    """Discover and read the files under `paths`; `-` reads standard input.

    Raises FileNotFoundError for a missing path, OSError for an unreadable one.
    """
    inputs: list[InputFile] = []
    for file_path in discover([path for path in paths if path != STDIN], discovery):
        with open(file_path, "rb") as handle:
            inputs.append(InputFile(_display(file_path), handle.read()))
    if STDIN in paths:
        stream = stdin if stdin is not None else sys.stdin.buffer
        inputs.append(InputFile(stdin_name, stream.read()))
    return inputs


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

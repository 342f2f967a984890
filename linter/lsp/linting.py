"""Lint one open document as the CLI would lint its file, with unsaved buffers in place of the files on disk.

Free of pygls: the server hands it paths and texts and gets findings back.
"""

from __future__ import annotations

import fnmatch
import io
import os
from dataclasses import dataclass, field, replace
from typing import Mapping

from linter.api import STDIN, read_inputs, repository_root
from linter.config import Config, ConfigError, find_config, load_config
from linter.discovery import DiscoveryOptions, PatternError
from linter.engine import DEFAULT_FILE_TIMEOUT, InputFile, LintOptions, LintResult, run_lint
from linter.plugin_manager import PluginHost, build_plugin_host
from linter.profile import normalise_environment
from linter.rules import RuleSelector, SelectionError

__all__ = ["DocumentLint", "WorkspaceLinter"]


@dataclass(frozen=True)
class DocumentLint:
    """The outcome of linting one document.

    `findings` are the document's own, suppressed ones left out; `problems`
    are lines to show the user (a broken configuration, an unknown rule
    selector), each already worded.
    """

    path: str
    result: LintResult
    findings: tuple = ()
    problems: tuple[str, ...] = ()


@dataclass
class WorkspaceLinter:
    """Lints documents with one plugin host per set of configured plugins (built once, kept between edits)."""

    _hosts: dict[tuple[str, ...], PluginHost] = field(default_factory=dict)

    def host(self, plugins: tuple[str, ...]) -> PluginHost:
        if plugins not in self._hosts:
            host = build_plugin_host(list(plugins))
            host.rules()
            self._hosts[plugins] = host
        return self._hosts[plugins]

    def is_lintable(self, path: str, config: Config | None = None) -> bool:
        """True when a directory walk would pick `path`'s name (the core patterns plus the plugins')."""
        config = config if config is not None else self.config_for(path)[0]
        patterns = _discovery(config, self.host(tuple(config.get("plugins", ())))).patterns
        name = os.path.basename(path)
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    @staticmethod
    def config_for(path: str) -> tuple[Config, tuple[str, ...]]:
        """The configuration that applies to `path`'s directory, and the problems met reading it.

        A broken file gives the defaults and one problem saying why.
        """
        directory = os.path.dirname(os.path.abspath(path))
        try:
            return load_config(find_config(directory)), ()
        except ConfigError as error:
            return Config(), (f"configuration ignored, linting with the defaults: {error}",)

    def lint(self, path: str, text: str, buffers: Mapping[str, str] = {}) -> DocumentLint:
        """Lint `text` as the file `path` (absolute), with its context as the CLI reads it.

        `buffers` maps the absolute paths of other open documents to their
        text, which replaces the file on disk (or joins the context when the
        file does not exist yet). Bad input never raises: it is a finding
        (MD001); a plugin that fails is MD002.
        """
        path = os.path.abspath(path)
        config, problems = self.config_for(path)
        host = self.host(tuple(config.get("plugins", ())))
        options, option_problems = _options(config, host)
        problems += option_problems
        discovery = _discovery(config, host)
        context = config.get("context", "repository")
        try:
            inputs = read_inputs(
                [STDIN],
                discovery,
                stdin=io.BytesIO(text.encode("utf-8", "surrogatepass")),
                stdin_name=path,
                context=context,
                max_bytes=options.limits.max_bytes,
            )
        except (OSError, PatternError) as error:
            problems += (f"context files not read: {error}",)
            inputs = read_inputs(
                [STDIN], stdin=io.BytesIO(text.encode("utf-8", "surrogatepass")), stdin_name=path, context="none"
            )
        inputs = _with_buffers(inputs, path, buffers, _context_scope(path, context), discovery)
        result = run_lint(inputs, host, options)
        own = tuple(
            finding
            for finding in result.findings
            if finding.suppression is None and os.path.abspath(finding.span.path) == path
        )
        return DocumentLint(path, result, own, problems)


def _options(config: Config, host: PluginHost) -> tuple[LintOptions, tuple[str, ...]]:
    """LintOptions from the configuration, as the CLI builds them (without command-line flags)."""
    problems: tuple[str, ...] = ()
    selector = RuleSelector(tuple(config.get("select", ())), tuple(config.get("ignore", ())))
    try:
        selector.validate(host.rules())
    except SelectionError as error:
        problems += (f"{config.path}: {error}; every rule is enabled",)
        selector = RuleSelector()
    environment = None
    if config.get("environment"):
        environment = normalise_environment(config.get("environment"))
        if environment is None:
            problems += (f"{config.path}: unknown environment {config.get('environment')!r}, ignored",)
    options = LintOptions(
        selector=selector,
        environment=environment,
        config=config,
        file_timeout=config.get("file-timeout", DEFAULT_FILE_TIMEOUT),
    )
    return options, problems


def _discovery(config: Config, host: PluginHost) -> DiscoveryOptions:
    discovery = DiscoveryOptions(
        exclude=tuple(config.get("exclude", ())), respect_gitignore=config.get("respect-gitignore", True)
    )
    extra = tuple(pattern for pattern in host.file_patterns() if pattern not in discovery.patterns)
    return replace(discovery, patterns=discovery.patterns + extra) if extra else discovery


def _context_scope(path: str, context: str) -> tuple[str, bool] | None:
    """(directory, whether files below it count) that context files come from; None for no context."""
    if context == "none":
        return None
    directory = os.path.dirname(path)
    root = repository_root(directory) if context == "repository" else None
    return (root, True) if root is not None else (directory, False)


def _with_buffers(
    inputs: list[InputFile],
    path: str,
    buffers: Mapping[str, str],
    scope: tuple[str, bool] | None,
    discovery: DiscoveryOptions,
) -> list[InputFile]:
    """`inputs` with each context file that is open replaced by its buffer; open files not on disk added."""
    buffers = {os.path.abspath(other): text for other, text in buffers.items() if os.path.abspath(other) != path}
    seen: set[str] = set()
    replaced: list[InputFile] = []
    for item in inputs:
        absolute = os.path.abspath(item.path)
        seen.add(absolute)
        if item.context_only and absolute in buffers:
            item = InputFile(item.path, buffers[absolute].encode("utf-8", "surrogatepass"), context_only=True)
        replaced.append(item)
    if scope is None:
        return replaced
    directory, below = scope
    for other, text in sorted(buffers.items()):
        if other in seen or os.path.exists(other):
            continue  # on disk: the walk chose whether it is context (excludes, .gitignore)
        parent = os.path.dirname(other)
        inside = parent == directory or (below and parent.startswith(directory.rstrip(os.sep) + os.sep))
        if inside and any(fnmatch.fnmatch(os.path.basename(other), pattern) for pattern in discovery.patterns):
            replaced.append(InputFile(other, text.encode("utf-8", "surrogatepass"), context_only=True))
    return replaced

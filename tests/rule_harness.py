"""Helpers shared by the rule tests: lint a file or snippet, read expectations."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from linter import api, hookimpl
from linter.engine import LintOptions, LintResult
from linter.plugin_manager import build_plugin_host

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
_HOST = None


def host():
    """One plugin host for the rule tests (rules are pure, so sharing is safe)."""
    global _HOST
    if _HOST is None:
        _HOST = build_plugin_host()
    return _HOST


def judge(check, deployment, run=None) -> list:
    """The violations the engine would get from a deployment-scope rule: none outside its applicability."""
    return list(check.check(deployment, run)) if check.applies_to(deployment) else []


def lint_file(path: Path, options: LintOptions = LintOptions()) -> LintResult:
    return api.lint_paths([str(path)], options, host=host(), context="siblings")


def lint_snippet(text: str, name: str = "snippet.yaml", options: LintOptions = LintOptions()) -> LintResult:
    """Lint a docs snippet; a bare resource is wrapped into a template."""
    text = textwrap.dedent(text)
    if "Resources:" not in text and "apiVersion:" not in text:
        text = "Resources:\n" + textwrap.indent(text, "  ")
    return api.lint_text(text, name, options, host=host())


def expected_lines(path: Path) -> dict[str, set[int]]:
    """Rule ID -> the lines marked `# expect: ID` in a fixture."""
    found: dict[str, set[int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for rule_id in match.group(1).replace(",", " ").split():
                found.setdefault(rule_id, set()).add(number)
    return found


def code_blocks(markdown: str, language: str = "yaml") -> list[str]:
    """The fenced code blocks of one language in a docs section."""
    return re.findall(rf"```{language}\n(.*?)```", markdown, flags=re.S)


class FixedDeployments:
    """A test adapter: the given deployments, extracted from any document whose path ends with `path`."""

    def __init__(self, path: str, *deployments) -> None:
        self.path = path
        self.deployments = deployments

    @hookimpl
    def mldeploy_extract(self, document, run):
        return list(self.deployments) if document.path.endswith(self.path) else None


class RulesOf:
    """A test plugin whose rules are the given ones."""

    def __init__(self, *rules) -> None:
        self.rules = rules

    @hookimpl
    def mldeploy_rules(self):
        return list(self.rules)

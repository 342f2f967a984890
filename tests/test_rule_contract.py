"""Contracts every registered rule must keep: docs, fixtures, unique names, examples."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from linter import rule_docs
from linter.config import Config
from linter.engine import LintOptions
from linter.rules import DOC_HEADINGS
from rule_harness import code_blocks, host, lint_snippet

REPO = Path(__file__).resolve().parent.parent
RULES = host().rules()
# Findings of these rules are produced by the engine, so they have no
# firing fixture of their own; their behaviour is tested in test_bad_input
# (MD001), test_plugins (MD002), test_profile (MD004), test_templates (MD005)
# and test_suppressions (MD003, MD006).
ENGINE_REPORTED = {"MD001", "MD002", "MD003", "MD004", "MD005", "MD006"}
# Rules that are off unless the user turns them on, with the options that do.
OPT_IN = {
    "CFN001": LintOptions(config=Config(settings={"cfn-lint": True})),
    "MD006": LintOptions(config=Config(settings={"require-reason": True})),
}


def test_ids_and_slugs_are_unique():
    ids = [rule.id for rule in RULES]
    slugs = [rule.slug for rule in RULES]
    assert len(ids) == len(set(ids))
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_docs_have_every_heading(rule):
    assert rule.docs.missing() == [], f"{rule.id} docs lack {rule.docs.missing()}"
    assert rule.summary.endswith("."), f"{rule.id} summary should be a sentence"
    rendered = rule_docs.rule_markdown(rule)
    for heading in DOC_HEADINGS:
        assert f"## {heading}" in rendered


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.id not in ENGINE_REPORTED | set(OPT_IN)], ids=lambda rule: rule.id)
def test_rule_has_fixture_directory(rule):
    rule_dir = REPO / "tests" / "rules" / rule.id
    assert rule_dir.is_dir(), f"tests/rules/{rule.id}/ is missing"


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.id not in {"MD002"}], ids=lambda rule: rule.id)
def test_docs_example_fires_and_fix_does_not(rule):
    examples = code_blocks(rule.docs.example)
    fixes = code_blocks(rule.docs.fix)
    assert examples, f"{rule.id} Example has no yaml block"
    for example in examples:
        fired = [finding.rule_id for finding in lint_snippet(example, options=OPT_IN.get(rule.id, LintOptions())).findings]
        assert rule.id in fired, f"{rule.id} Example does not fire (got {fired})"
    for fix in fixes:
        fired = [finding.rule_id for finding in lint_snippet(fix, options=OPT_IN.get(rule.id, LintOptions())).findings]
        assert rule.id not in fired, f"{rule.id} Fix still fires"
    if rule.id != "MD001":
        assert fixes, f"{rule.id} Fix has no yaml block"


def test_generated_rule_reference_is_current():
    """docs/rules/ is `mldeploy-lint rules --format markdown --output-dir docs/rules`; regenerate it when rules change."""
    directory = REPO / "docs" / "rules"
    expected = rule_docs.rule_pages(RULES)
    present = {path.name: path.read_text(encoding="utf-8") for path in directory.glob("*.md")}
    hint = "docs/rules/ is stale: run `mldeploy-lint rules --format markdown --output-dir docs/rules`"
    assert sorted(present) == sorted(expected), hint
    assert present == expected, hint


def test_every_rule_page_is_linked_from_the_index():
    index = (REPO / "docs" / "rules" / rule_docs.INDEX_PAGE).read_text(encoding="utf-8")
    assert all(f"]({rule.id}.md)" in index for rule in RULES)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


# The public API a plugin may use: the `linter` package itself, plus the
# documented helper modules listed here.
PUBLIC_CORE_MODULES = {"linter", "linter.rule_docs", "linter.rule_links"}


@pytest.mark.parametrize(
    "path", sorted((REPO / "plugins").rglob("*.py")), ids=lambda path: str(path.relative_to(REPO))
)
def test_builtin_plugins_import_only_public_api(path: Path):
    core = {name for name in _imports(path) if name == "linter" or name.startswith("linter.")}
    assert core <= PUBLIC_CORE_MODULES, f"{path.name} imports private core modules {sorted(core - PUBLIC_CORE_MODULES)}"


def _code_without_docstrings(path: Path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def test_core_knows_no_platform_and_no_rule():
    """linter/ never imports plugins/, and its code names no AWS or Kubernetes type.

    Docstrings may show platform examples (the MD rules' docs do); code may not.
    """
    for path in sorted((REPO / "linter").rglob("*.py")):
        imports = _imports(path)
        assert not any(name == "plugins" or name.startswith("plugins.") for name in imports), path.name
        code = _code_without_docstrings(path)
        assert not re.search(r"AWS::|sagemaker\.|serving\.kserve|InferenceService|ProductionVariant|EndpointConfig", code), (
            f"{path.name} names a platform"
        )

"""Goldens of the extracted model: adapter regressions show up apart from rule regressions.

Every YAML/JSON file under tests/fixtures/adapters/ is read by the installed
adapters; `explain --deployments --format json` of it must equal the golden
tests/adapters/goldens/<same relative path>.json. Files under a
`no-deployments/` folder are real files that describe no deployment on their
own (a state machine that only deletes endpoints): they must read cleanly to
nothing. `pytest --update-goldens`
rewrites them; review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.api import lint_paths
from linter.engine import LintOptions
from linter.explain import explain_json
from linter.rules import RuleSelector

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adapters"
GOLDENS = Path(__file__).resolve().parent / "goldens"
FILES = sorted(
    path for path in FIXTURES.rglob("*") if path.suffix in (".yaml", ".yml", ".json", ".template") and path.is_file()
)


def _model(path: Path) -> tuple[str, list]:
    result = lint_paths([str(path)], LintOptions(selector=RuleSelector(("MD",))))
    problems = [f"{finding.rule_id} {finding.span.line}:{finding.span.column} {finding.message}" for finding in result.findings]
    return explain_json(result.deployments, result.scaling_targets, base=str(FIXTURES)), problems


def test_there_are_fixtures():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_model_golden(path: Path, update_goldens: bool, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    relative = path.relative_to(FIXTURES)
    text, problems = _model(relative)
    assert problems == [], "the fixture should read cleanly"
    document = json.loads(text)
    if "no-deployments" not in relative.parts:  # files that must read cleanly to nothing live there
        assert document["deployments"] or document["scaling_targets"], f"{relative}: no deployment extracted"
    else:
        assert document == {"deployments": [], "scaling_targets": []}
    golden = GOLDENS / relative.with_suffix(relative.suffix + ".json")
    if update_goldens or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"{golden} did not exist and was written; review and commit it")
    assert text == golden.read_text(encoding="utf-8")


# Terraform reads a directory as one module: each module directory under
# tests/fixtures/adapters/terraform/ is linted whole, its golden is
# tests/adapters/goldens/terraform/<directory>.json.
TERRAFORM = FIXTURES / "terraform"
MODULES = sorted(path for path in TERRAFORM.iterdir() if path.is_dir() and any(path.glob("*.tf"))) if TERRAFORM.is_dir() else []


def test_there_are_terraform_modules():
    assert len(MODULES) >= 2


@pytest.mark.parametrize("directory", MODULES, ids=lambda path: path.name)
def test_terraform_module_golden(directory: Path, update_goldens: bool, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    relative = directory.relative_to(FIXTURES)
    text, problems = _model(relative)
    assert problems == [], "the module should read cleanly"
    document = json.loads(text)
    assert document["deployments"], f"{relative}: no deployment extracted"
    golden = GOLDENS / relative.parent / (relative.name + ".json")
    if update_goldens or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"{golden} did not exist and was written; review and commit it")
    assert text == golden.read_text(encoding="utf-8")

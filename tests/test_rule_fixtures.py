"""Per-rule fixtures under tests/rules/<ID>/: fires at the marked lines, near misses stay silent.

`fires*.yaml` marks every expected finding with `# expect: ID` on its line;
`near_miss*` files must produce no finding of the rule; `findings.json` is
the golden of everything the fires files produce (message, range,
severity), rewritten by `pytest --update-goldens`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rule_harness import expected_lines, lint_file

RULES_DIR = Path(__file__).parent / "rules"
RULE_DIRS = sorted(path for path in RULES_DIR.iterdir() if path.is_dir() and path.name[:1].isupper())


def _fires(rule_dir: Path) -> list[Path]:
    return sorted(path for path in rule_dir.iterdir() if path.name.startswith("fires"))


def _near_misses(rule_dir: Path) -> list[Path]:
    return sorted(path for path in rule_dir.iterdir() if path.name.startswith("near_miss"))


def test_every_rule_dir_has_fixtures():
    assert RULE_DIRS, "no rule fixtures found"
    for rule_dir in RULE_DIRS:
        assert _fires(rule_dir), f"{rule_dir.name} has no fires* fixture"
        assert _near_misses(rule_dir), f"{rule_dir.name} has no near_miss* fixture"


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda path: path.name)
def test_fires_at_marked_lines(rule_dir: Path):
    rule_id = rule_dir.name
    for fixture in _fires(rule_dir):
        findings = [finding for finding in lint_file(fixture).findings if finding.rule_id == rule_id]
        assert findings, f"{fixture.name}: {rule_id} did not fire"
        if fixture.suffix in (".yaml", ".yml"):
            expected = expected_lines(fixture).get(rule_id, set())
            assert expected, f"{fixture.name} marks no line with '# expect: {rule_id}'"
            assert {finding.span.line for finding in findings} == expected
            assert len(findings) == len(expected)


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda path: path.name)
def test_near_miss_is_silent(rule_dir: Path):
    rule_id = rule_dir.name
    for fixture in _near_misses(rule_dir):
        result = lint_file(fixture)
        assert result.files and result.files[0].recognised, f"{fixture.name} was not recognised by any adapter"
        assert [finding for finding in result.findings if finding.rule_id == rule_id] == []


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda path: path.name)
def test_findings_golden(rule_dir: Path, update_goldens: bool):
    golden = rule_dir / "findings.json"
    actual = []
    for fixture in _fires(rule_dir):
        for finding in lint_file(fixture).findings:
            actual.append(
                {
                    "file": fixture.name,
                    "rule": finding.rule_id,
                    "severity": finding.severity.value,
                    "range": [finding.span.line, finding.span.column, finding.span.end_line, finding.span.end_column],
                    "message": finding.message,
                }
            )
    if update_goldens or not golden.exists():
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"{golden} did not exist and was written; review and commit it")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))

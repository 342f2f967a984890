"""Suppressions with reasons, severity overrides, fingerprints and the baseline (the CI gate)."""

from __future__ import annotations

import json
import random
import textwrap
import types

import pytest

from conftest import run_cli
from linter import Ignore, Span, hookimpl
from linter.api import lint_text
from linter.config import Config
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector, Severity

TEMPLATE = """\
Resources:
  Scorer:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          ServerlessConfig:
            MemorySizeInMB: 1500{comment}
            MaxConcurrency: 5
"""
ONLY_CV = LintOptions(selector=RuleSelector(("CV", "MD")))


def _lint(text: str, options: LintOptions = ONLY_CV, path: str = "t.yaml"):
    return lint_text(text, path, options)


def _state(result) -> list[tuple[str, int, str | None]]:
    return [
        (finding.rule_id, finding.span.line, finding.suppression.justification if finding.suppression else None)
        for finding in result.findings
    ]


# --- comments --------------------------------------------------------------------------------------


def test_a_comment_at_the_end_of_the_line_excuses_that_finding_with_its_reason():
    result = _lint(TEMPLATE.format(comment="  # mldeploy-lint: disable=CV001 -- rounded up by the deploy script"))
    assert _state(result) == [("CV001", 9, "rounded up by the deploy script")]
    assert result.findings[0].suppression.kind == "inSource"
    assert result.findings[0].suppression.origin == "t.yaml:9"
    assert result.worst() is None


@pytest.mark.parametrize("selector", ["CV001", "cv001", "serverless-memory-invalid", "CV", "CV001,EP001"])
def test_ids_prefixes_and_slugs_all_work(selector):
    result = _lint(TEMPLATE.format(comment=f"  # mldeploy-lint: disable={selector} -- reason"), LintOptions(selector=RuleSelector(("CV",))))
    assert [finding.suppression is not None for finding in result.findings] == [True]


def test_a_comment_alone_on_the_line_above_excuses_the_line_below():
    text = TEMPLATE.format(comment="").replace(
        "            MemorySizeInMB", "            # mldeploy-lint: disable=CV001 -- checked\n            # another note\n            MemorySizeInMB"
    )
    assert _state(_lint(text)) == [("CV001", 11, "checked")]


def test_a_comment_for_another_rule_excuses_nothing_and_is_reported_unused():
    result = _lint(TEMPLATE.format(comment="  # mldeploy-lint: disable=CV002 -- wrong rule"), LintOptions(selector=RuleSelector(("CV", "MD"))))
    assert _state(result) == [("CV001", 9, None), ("MD003", 9, None)]
    assert "excuses no finding here" in result.findings[1].message


def test_a_misspelt_rule_is_reported_with_a_suggestion():
    result = _lint(TEMPLATE.format(comment="  # mldeploy-lint: disable=CV01 -- typo"))
    md003 = [finding for finding in result.findings if finding.rule_id == "MD003"]
    assert [finding.message for finding in md003] == ["suppression names no known rule 'CV01' (did you mean 'CV001'?)"]


def test_a_suppression_of_a_rule_that_did_not_run_is_not_called_unused():
    result = _lint(TEMPLATE.format(comment="  # mldeploy-lint: disable=CP001 -- GPU predictor"))
    assert [finding.rule_id for finding in result.findings] == ["CV001"]


def test_disable_file_before_the_first_document_covers_the_file_and_later_does_not():
    head = "# mldeploy-lint: disable-file=CV001 -- legacy template, replaced in Q3\n"
    assert _state(_lint(head + TEMPLATE.format(comment=""))) == [("CV001", 10, "legacy template, replaced in Q3")]
    late = TEMPLATE.format(comment="") + "# mldeploy-lint: disable-file=CV001 -- too late\n"
    assert [rule for rule, _, reason in _state(_lint(late)) if reason is None] == ["CV001", "MD003"]


def test_a_comment_on_the_line_that_names_the_resource_covers_its_findings():
    text = TEMPLATE.format(comment="").replace("  Scorer:\n", "  Scorer:  # mldeploy-lint: disable=CV001 -- whole resource\n")
    assert _state(_lint(text)) == [("CV001", 9, "whole resource")]


MANIFEST = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {name}
      annotations:
        mldeploy-lint.io/environment: prod
        {extra}
    spec:
      replicas: 1
      template:
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources: {{limits: {{nvidia.com/gpu: 1}}}}
    """
)


def test_in_a_stream_a_comment_binds_to_its_own_document():
    manifest = MANIFEST.replace("{extra}", "team: search")
    first = "# mldeploy-lint: disable=HA003 -- a canary, one replica on purpose\n" + manifest.format(name="canary")
    stream = first + "---\n" + manifest.format(name="chat")
    result = lint_text(stream, "stream.yaml", LintOptions(selector=RuleSelector(("HA003",))))
    excused = {(finding.span.line > 17, finding.suppression is not None) for finding in result.findings}
    assert excused == {(False, True), (True, False)}, _state(result)


def test_stdin_comments_work(tmp_path):
    text = TEMPLATE.format(comment="  # mldeploy-lint: disable=CV001 -- via stdin")
    result = run_cli("-", "--select", "CV", "--stdin-filename", "piped.yaml", "--no-config", "--context", "none", stdin=text.encode())
    assert result.code == 0, result.out


def test_json_templates_have_no_comments_and_are_not_scanned_for_them():
    text = json.dumps({"Resources": {"Scorer": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {
        "ProductionVariants": [{"VariantName": "A", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 1500, "MaxConcurrency": 5}}]}}}})
    assert [finding.suppression for finding in _lint(text, path="t.json").findings] == [None]


def test_require_reason_reports_reasonless_suppressions():
    options = LintOptions(selector=RuleSelector(("CV", "MD")), config=Config(settings={"require-reason": True}))
    result = _lint(TEMPLATE.format(comment="  # mldeploy-lint: disable=CV001"), options)
    assert [(finding.rule_id, finding.severity) for finding in result.findings] == [
        ("CV001", Severity.ERROR),
        ("MD006", Severity.WARNING),
    ]
    assert result.findings[0].suppression is not None


# --- Ignore entries from adapters ----------------------------------------------------------------------


def test_an_adapter_ignore_entry_excuses_findings_within_its_scope():
    def mldeploy_extract(document, run):
        root = document.root
        return [Ignore("CV001", "sized by the platform team", root.span, root.span)]

    plugin = types.SimpleNamespace(mldeploy_extract=hookimpl(mldeploy_extract))
    host = build_plugin_host(plugins=[("ignores", plugin)])
    result = run_lint([InputFile("t.yaml", TEMPLATE.format(comment="").encode())], host, ONLY_CV)
    assert _state(result) == [("CV001", 9, "sized by the platform team")]


# --- configuration ----------------------------------------------------------------------------------------


def test_per_file_ignores_and_severity_overrides(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.yaml").write_text(TEMPLATE.format(comment=""))
    (tmp_path / "new.yaml").write_text(TEMPLATE.format(comment=""))
    (tmp_path / "mldeploy-lint.toml").write_text(
        '[per-file-ignores]\n"legacy/**" = ["CV001"]\n\n[severity]\nserverless-memory-invalid = "info"\n'
    )
    result = run_cli("--config", str(tmp_path / "mldeploy-lint.toml"), "--format", "json", "--select", "CV", str(tmp_path))
    findings = json.loads(result.out)["findings"]
    assert [(item["path"].endswith("old.yaml"), item["severity"]) for item in findings] == [(True, "info"), (False, "info")]
    assert result.code == 0  # info does not fail the default --fail-on warning


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[per-file-ignores]\n"x/**" = ["CV01"]\n', "unknown rule selector 'CV01' (did you mean 'CV001'?)"),
        ('[severity]\nCP01 = "error"\n', "unknown rule selector 'CP01' (did you mean 'CP001'?)"),
        ('[severity]\nCP001 = "fatal"\n', "severity.CP001"),
        ('require-reason = "yes"\n', "require-reason"),
    ],
)
def test_bad_suppression_settings_exit_2_naming_the_key(tmp_path, toml, message):
    (tmp_path / "mldeploy-lint.toml").write_text(toml)
    result = run_cli("--config", str(tmp_path / "mldeploy-lint.toml"), str(tmp_path))
    assert result.code == 2
    assert message in result.err and "mldeploy-lint.toml" in result.err


# --- fingerprints ------------------------------------------------------------------------------------------

TWO_RESOURCES = """\
Resources:
  Scorer:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          ServerlessConfig: {MemorySizeInMB: 1500, MaxConcurrency: 5}
  Ranker:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: ranker
          ServerlessConfig: {MemorySizeInMB: 3000, MaxConcurrency: 5}
"""


def _fingerprints(text: str) -> dict[str, str]:
    return {finding.subject: finding.fingerprint for finding in _lint(text).findings}


def test_fingerprints_survive_lines_added_above_reordering_and_reindenting():
    original = _fingerprints(TWO_RESOURCES)
    assert len(set(original.values())) == 2 and all(len(value) == 32 for value in original.values())
    assert _fingerprints("# one\n# two\n# three\n" + TWO_RESOURCES) == original
    scorer, ranker = TWO_RESOURCES.split("  Ranker:\n")
    swapped = "Resources:\n  Ranker:\n" + ranker + scorer.removeprefix("Resources:\n")
    assert _fingerprints(swapped) == original
    reindented = (
        "Resources:\n"
        "    Scorer:\n"
        "        Type: AWS::SageMaker::EndpointConfig\n"
        "        Properties:\n"
        "            ProductionVariants:\n"
        "            -   VariantName: AllTraffic\n"
        "                ModelName: scorer\n"
        "                ServerlessConfig:\n"
        "                    MemorySizeInMB: 1500\n"
        "                    MaxConcurrency: 5\n"
        "    Ranker:\n"
        "        Type: AWS::SageMaker::EndpointConfig\n"
        "        Properties: {ProductionVariants: [{VariantName: AllTraffic, ModelName: ranker,\n"
        "            ServerlessConfig: {MemorySizeInMB: 3000, MaxConcurrency: 5}}]}\n"
    )
    assert _fingerprints(reindented) == original


def test_a_fingerprint_changes_when_the_offending_value_changes():
    original = _fingerprints(TWO_RESOURCES)
    changed = _fingerprints(TWO_RESOURCES.replace("MemorySizeInMB: 1500", "MemorySizeInMB: 1600"))
    assert changed["Scorer"] != original["Scorer"] and changed["Ranker"] == original["Ranker"]


# --- baseline ----------------------------------------------------------------------------------------------


def test_a_baseline_grandfathers_what_exists_and_blocks_what_is_new(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text(TWO_RESOURCES)
    baseline = tmp_path / "baseline.json"
    first = run_cli(str(path), "--select", "CV", "--no-config", "--write-baseline", str(baseline))
    assert first.code == 1
    document = json.loads(baseline.read_text())
    assert document["format"] == "mldeploy-lint-baseline" and document["version"] == 1
    assert [(entry["rule"], entry["subject"]) for entry in document["findings"]] == [("CV001", "Ranker"), ("CV001", "Scorer")]

    # Lines added above and resources swapped: still grandfathered.
    path.write_text("# moved\n" + TWO_RESOURCES.replace("  Ranker:", "  # note\n  Ranker:"))
    assert run_cli(str(path), "--select", "CV", "--no-config", "--baseline", str(baseline)).code == 0

    # A new cause (another memory size) is a new finding; the old entry is stale.
    path.write_text(TWO_RESOURCES.replace("MemorySizeInMB: 1500", "MemorySizeInMB: 1600"))
    result = run_cli(str(path), "--select", "CV", "--no-config", "--baseline", str(baseline))
    assert result.code == 1
    assert "1 baseline entry no longer matches: run --write-baseline to drop it" in result.out
    from linter.api import lint_paths
    from linter.baseline import load_baseline

    linted = lint_paths([str(path)], LintOptions(selector=RuleSelector(("CV",)), baseline=load_baseline(str(baseline))))
    active = [finding.message.split(" of ")[0] for finding in linted.findings if finding.suppression is None]
    assert active == ["MemorySizeInMB 1600"] and linted.baseline_stale == 1


def test_baseline_matching_is_counted():
    from linter.baseline import Baseline

    result = _lint(TWO_RESOURCES)
    [one, _] = result.findings
    marked, stale = Baseline("b.json", (one.fingerprint,)).apply(list(result.findings) + [one])
    assert [finding.suppression is not None for finding in marked].count(True) == 1
    assert stale == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "is not valid JSON"),
        ('{"findings": []}', "is not a mldeploy-lint baseline"),
        ('{"format": "mldeploy-lint-baseline", "version": 9, "findings": []}', "version 9"),
        ('{"format": "mldeploy-lint-baseline", "version": 1, "findings": [{"rule": "X"}]}', "entry 0 has no fingerprint"),
    ],
)
def test_a_bad_baseline_is_a_usage_error(tmp_path, content, message):
    (tmp_path / "b.json").write_text(content)
    (tmp_path / "t.yaml").write_text(TEMPLATE.format(comment=""))
    result = run_cli(str(tmp_path / "t.yaml"), "--no-config", "--baseline", str(tmp_path / "b.json"))
    assert result.code == 2 and message in result.err


def test_a_run_without_suppressions_imports_no_suppression_module():
    import subprocess
    import sys

    code = (
        "import sys; from linter.api import lint_text; "
        f"lint_text({TEMPLATE.format(comment='')!r}, 't.yaml'); "
        "print('linter.suppressions' in sys.modules, 'linter.baseline' in sys.modules)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["False", "False"]


def test_cloudformation_metadata_excuses_its_resource_and_json_templates_use_it_too():
    text = TEMPLATE.format(comment="").replace(
        "    Type: AWS::SageMaker::EndpointConfig\n",
        "    Type: AWS::SageMaker::EndpointConfig\n    Metadata: {mldeploy-lint: {ignore: {CV001: sized by the platform team}}}\n",
    )
    assert _state(_lint(text)) == [("CV001", 10, "sized by the platform team")]
    as_json = json.dumps({"Resources": {"Scorer": {"Type": "AWS::SageMaker::EndpointConfig",
        "Metadata": {"mldeploy-lint": {"ignore": ["CV001"]}},
        "Properties": {"ProductionVariants": [{"VariantName": "A", "ModelName": "m",
                       "ServerlessConfig": {"MemorySizeInMB": 1500, "MaxConcurrency": 5}}]}}}})
    [finding] = _lint(as_json, path="t.json").findings
    assert finding.suppression is not None and finding.suppression.justification == ""


def test_a_kubernetes_annotation_excuses_its_object_only():
    manifest = MANIFEST
    stream = (
        manifest.format(name="canary", extra='ignore.mldeploy-lint.io/HA003: "one replica on purpose"')
        + "---\n"
        + manifest.format(name="chat", extra="team: search")
    )
    result = lint_text(stream, "k.yaml", LintOptions(selector=RuleSelector(("HA003",))))
    assert [(finding.subject.endswith("canary"), finding.suppression is not None) for finding in result.findings] == [
        (True, True),
        (False, False),
    ]


def _extents(draw_nested: bool, seed: int) -> list[tuple[int, int, int, int]]:
    """Random extents (line, column, end line, end column) in one file: a tree of nested objects, or any at all."""
    chooser = random.Random(seed)
    if not draw_nested:
        extents = []
        for _ in range(chooser.randint(0, 12)):
            start = (chooser.randint(1, 9), chooser.randint(1, 3))
            end = max(start, (chooser.randint(1, 9), chooser.randint(1, 3)))
            extents.append((*start, *end))
        return extents

    def tree(line: int, end_line: int, depth: int) -> list[tuple[int, int, int, int]]:
        found = [(line, 1, end_line, 9)] * chooser.randint(1, 2)  # one object, maybe with two annotations
        if depth < 3 and end_line - line > 2:
            split = chooser.randint(line + 1, end_line - 1)
            found += tree(line + 1, split, depth + 1) + tree(split + 1, end_line, depth + 1) * chooser.randint(0, 1)
        return found

    return [extent for start in (1, 40) for extent in tree(start, start + 30, 0)] * chooser.randint(1, 2)


@pytest.mark.parametrize("nested", [True, False])
@pytest.mark.parametrize("seed", range(150))
def test_the_suppressions_around_a_point_are_those_whose_extent_holds_it(nested, seed):
    from linter.suppressions import _Entry, _Scopes

    extents = _extents(nested, seed)
    scoped = [
        (Ignore("AS001", "", Span.point("f.yaml", line, column), Span("f.yaml", line, column, end_line, end_column)), _Entry(("AS001",), "", None, "inSource", str(order)))
        for order, (line, column, end_line, end_column) in enumerate(extents)
    ]
    scopes = _Scopes(scoped)
    for line in range(0, 75):
        for column in (1, 5, 9, 10):
            point = (line, column)
            expected = [entry for ignore, entry in scoped if (ignore.scope.line, ignore.scope.column) <= point <= (ignore.scope.end_line, ignore.scope.end_column)]
            assert scopes.entries_at(Span.point("f.yaml", line, column)) == expected
    assert scopes.entries_at(Span.point("other.yaml", 1, 1)) == []

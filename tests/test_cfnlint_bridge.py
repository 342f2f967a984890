"""The cfn-lint bridge: off by default without importing cfn-lint, on by configuration, isolated.

The bridge's rule reaches the built-in plugin host once `plugins/cfnlint_bridge.py`
registers it (see `_host`): until then these tests register it themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from linter import Severity, hookimpl
from linter.api import read_inputs
from linter.config import Config
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host

import plugins.cfnlint_bridge as bridge

REPO = Path(__file__).resolve().parent.parent
CORPUS_COPIES = Path(__file__).resolve().parent / "fixtures" / "corpus"
BAD_INSTANCES = CORPUS_COPIES / "cfnlint-bad-previous_generation_instances.yaml"
BAD_NOECHO = CORPUS_COPIES / "cfnlint-bad-noecho.yaml"

UNKNOWN_PROPERTY = textwrap.dedent(
    """\
    Resources:
      ScoringConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: scorer
              InstanceType: ml.m5.large
              InitialInstanceCount: 2
          InstanceCount: 2
    """
)


class _BridgeRules:
    """Registers the bridge's rule for a host that does not have it yet."""

    @staticmethod
    @hookimpl
    def mldeploy_rules():
        return [bridge.cfn_lint]


def _registered_by_default() -> bool:
    return any(rule.id == bridge.cfn_lint.id for rule in build_plugin_host().rules())


def _host():
    if _registered_by_default():
        return build_plugin_host()
    return build_plugin_host(plugins=[("cfnlint_bridge_rules", _BridgeRules)])


def _lint(inputs, setting) -> list:
    options = LintOptions(config=Config(settings={} if setting is None else {"cfn-lint": setting}))
    result = run_lint(inputs, _host(), options)
    return [finding for finding in result.findings if finding.rule_id in ("CFN001", "MD002")]


def _text(name: str, text: str) -> list[InputFile]:
    return [InputFile(name, text.encode("utf-8"))]


# --- Settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting, expected",
    [
        (None, None),
        (False, None),
        ({"enabled": False, "regions": ["eu-west-1"]}, None),
        (True, bridge.BridgeSettings()),
        ({}, bridge.BridgeSettings()),
        ({"enabled": True}, bridge.BridgeSettings()),
        (
            {"regions": ["eu-west-1", "us-east-1"], "ignore-checks": ["W3005"]},
            bridge.BridgeSettings(("eu-west-1", "us-east-1"), ("W3005",)),
        ),
    ],
)
def test_settings(setting, expected):
    assert bridge.bridge_settings(setting) == expected


def test_severity_follows_the_check_level():
    assert [bridge._severity(check) for check in ("E3002", "W2001", "I3011")] == [
        Severity.ERROR,
        Severity.WARNING,
        Severity.INFO,
    ]


# --- Off: silent, and cfn-lint is never imported ---------------------------------


def _cli_in_subprocess(args: list[str], cwd: Path, *, import_from: Path | None = None) -> tuple[dict, bool]:
    """Run the CLI in a fresh interpreter; return its JSON report and whether cfnlint got imported.

    `import_from` is put on the module path (for a `--plugin` module there).
    """
    script = textwrap.dedent(
        """\
        import io, json, sys, contextlib
        from linter.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(sys.argv[1:])
        print(json.dumps({"report": json.loads(out.getvalue()), "cfnlint": "cfnlint" in sys.modules}))
        """
    )
    path = [str(import_from) if import_from else "", str(REPO), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
    completed = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout.strip().splitlines()[-1])
    return payload["report"], payload["cfnlint"]


@pytest.mark.parametrize("config", [None, "cfn-lint = false\n", "[cfn-lint]\nenabled = false\n"], ids=["none", "false", "table"])
def test_off_by_default_never_imports_cfnlint(tmp_path, config):
    template = tmp_path / "endpoint.yaml"
    template.write_text(UNKNOWN_PROPERTY, encoding="utf-8")
    if config is not None:
        (tmp_path / "mldeploy-lint.toml").write_text(config, encoding="utf-8")
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    args = ["--format", "json", "--fail-on", "never", *_plugin_args(tmp_path), str(template)]
    report, imported = _cli_in_subprocess(args, tmp_path, import_from=tmp_path)
    assert report["summary"]["files_recognised"] == 1
    assert [finding for finding in report["findings"] if finding["rule"] == "CFN001"] == []
    assert imported is False


def test_off_in_process_reports_nothing():
    assert _lint(_text("endpoint.yaml", UNKNOWN_PROPERTY), None) == []
    assert _lint(_text("endpoint.yaml", UNKNOWN_PROPERTY), {"enabled": False}) == []


# --- On: cfn-lint's matches as findings ---------------------------------------------


def test_reports_a_real_cfn_lint_error_where_cfn_lint_locates_it():
    findings = _lint(read_inputs([str(BAD_INSTANCES)], context="none"), True)
    located = [
        (finding.message.split("]")[0] + "]", finding.severity, finding.span.line, finding.span.column, finding.span.end_line, finding.span.end_column)
        for finding in findings
    ]
    # Newer cfn-lint releases (CI installs the latest) add checks: these two
    # must be among the matches, exactly where cfn-lint locates them.
    assert ("[cfn-lint:E1152]", Severity.ERROR, 8, 7, 8, 14) in located
    assert ("[cfn-lint:E3003]", Severity.ERROR, 26, 5, 26, 15) in located
    assert "'ami-abc' is not a 'AWS::EC2::Image.Id'" in findings[0].message
    assert all(finding.path == str(BAD_INSTANCES) for finding in findings)


def test_warnings_stay_warnings():
    findings = _lint(read_inputs([str(BAD_NOECHO)], context="none"), True)
    assert {(finding.message.split("]")[0] + "]", finding.severity) for finding in findings} == {
        ("[cfn-lint:W2010]", Severity.WARNING)
    }
    assert [finding.span.line for finding in findings] == [13, 19]


def test_ignore_checks_and_regions_reach_cfn_lint():
    inputs = _text("endpoint.yaml", UNKNOWN_PROPERTY)
    (finding,) = _lint(inputs, {"regions": ["eu-west-1"]})
    assert finding.message.startswith("[cfn-lint:E3002]") and (finding.span.line, finding.span.column) == (10, 7)
    assert _lint(inputs, {"regions": ["eu-west-1"], "ignore-checks": ["E3002"]}) == []


def test_only_cloudformation_templates_are_checked():
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  Resources: none\n"
    request = '{"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "v", "ModelName": "m"}]}'
    inputs = _text("configmap.yaml", manifest) + _text("request.json", request)
    assert _lint(inputs, True) == []


def test_files_that_do_not_load_are_left_to_md001():
    duplicated = UNKNOWN_PROPERTY + "  ScoringConfig:\n    Type: AWS::SageMaker::Model\n"
    result = run_lint(_text("dup.yaml", duplicated), _host(), LintOptions(config=Config(settings={"cfn-lint": True})))
    assert {finding.rule_id for finding in result.findings} & {"CFN001", "MD002"} == set()
    assert "MD001" in {finding.rule_id for finding in result.findings}


# --- cfn-lint failing must not stop the run -----------------------------------------


def test_cfn_lint_exception_becomes_a_finding_and_the_run_goes_on():
    inputs = _text("endpoint.yaml", UNKNOWN_PROPERTY)
    (finding,) = _lint(inputs, {"regions": ["xx-west-9"]})  # the schema's pattern allows it; cfn-lint does not
    assert finding.rule_id == "CFN001" and finding.severity is Severity.ERROR
    assert "cfn-lint could not check this template: InvalidRegionException" in finding.message
    assert (finding.span.line, finding.span.column) == (1, 1)


def test_a_crash_on_one_template_leaves_the_others_checked(monkeypatch):
    import cfnlint.runner

    real = cfnlint.runner.run_template_by_data

    def crash_on_sagemaker(template, config, rules):
        if "ScoringConfig" in template.get("Resources", {}):
            raise RecursionError("maximum recursion depth exceeded")
        return real(template, config, rules)

    monkeypatch.setattr(cfnlint.runner, "run_template_by_data", crash_on_sagemaker)
    inputs = _text("endpoint.yaml", UNKNOWN_PROPERTY) + read_inputs([str(BAD_INSTANCES)], context="none")
    findings = _lint(inputs, True)
    assert [(finding.path, finding.message.split(":")[0]) for finding in findings if finding.path == "endpoint.yaml"] == [
        ("endpoint.yaml", "[cfn-lint] cfn-lint could not check this template")
    ]
    assert len([finding for finding in findings if finding.path == str(BAD_INSTANCES)]) >= 2
    assert all(finding.rule_id == "CFN001" for finding in findings)


# --- The command line -----------------------------------------------------------------


def _plugin_args(tmp_path: Path) -> list[str]:
    """`--plugin` for a module that registers the bridge's rule, until the built-in plugin does."""
    if _registered_by_default():
        return []
    (tmp_path / "cfnlint_bridge_rules.py").write_text(
        "from linter import hookimpl\n"
        "import plugins.cfnlint_bridge as bridge\n\n\n"
        "@hookimpl\n"
        "def mldeploy_rules():\n"
        "    return [bridge.cfn_lint]\n",
        encoding="utf-8",
    )
    return ["--plugin", "cfnlint_bridge_rules"]


@pytest.mark.parametrize(
    "config, flag",
    [("cfn-lint = true\n", []), ('[cfn-lint]\nregions = ["eu-west-1"]\n', []), ("", ["--cfn-lint"])],
    ids=["config-true", "config-table", "flag"],
)
def test_cli_turns_the_bridge_on(tmp_path, config, flag):
    template = tmp_path / "instances.yaml"
    template.write_bytes(BAD_INSTANCES.read_bytes())
    (tmp_path / "mldeploy-lint.toml").write_text(config, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    args = ["--format", "json", "--fail-on", "never", *flag, *_plugin_args(tmp_path), str(template)]
    report, imported = _cli_in_subprocess(args, tmp_path, import_from=tmp_path)
    found = [(finding["message"][:16], finding["severity"]) for finding in report["findings"] if finding["rule"] == "CFN001"]
    assert {("[cfn-lint:E1152]", "error"), ("[cfn-lint:E3003]", "error")} <= set(found)
    assert imported is True

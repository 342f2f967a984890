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
import time
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


def _worker_that(monkeypatch, prelude: str) -> None:
    """Run cfn-lint's process with `prelude` (Python) executed before it serves."""
    real = bridge.worker_command()

    def command() -> list[str]:
        return real[:-1] + [textwrap.dedent(prelude) + "\n" + real[-1]]

    monkeypatch.setattr(bridge, "worker_command", command)


def test_a_crash_on_one_template_leaves_the_others_checked(monkeypatch):
    _worker_that(
        monkeypatch,
        """\
        import cfnlint.runner
        real = cfnlint.runner.run_template_by_data
        def crash_on_sagemaker(template, config, rules):
            if "ScoringConfig" in template.get("Resources", {}):
                raise RecursionError("maximum recursion depth exceeded")
            return real(template, config, rules)
        cfnlint.runner.run_template_by_data = crash_on_sagemaker
        """,
    )
    inputs = _text("endpoint.yaml", UNKNOWN_PROPERTY) + read_inputs([str(BAD_INSTANCES)], context="none")
    findings = _lint(inputs, True)
    assert [(finding.path, finding.message.split(":")[0]) for finding in findings if finding.path == "endpoint.yaml"] == [
        ("endpoint.yaml", "[cfn-lint] cfn-lint could not check this template")
    ]
    assert any("RecursionError: maximum recursion depth exceeded" in finding.message for finding in findings)
    assert len([finding for finding in findings if finding.path == str(BAD_INSTANCES)]) >= 2
    assert all(finding.rule_id == "CFN001" for finding in findings)


def test_a_process_that_dies_on_one_template_leaves_the_others_checked(monkeypatch):
    _worker_that(
        monkeypatch,
        """\
        import os, cfnlint.runner
        real = cfnlint.runner.run_template_by_data
        def die_on_sagemaker(template, config, rules):
            if "ScoringConfig" in template.get("Resources", {}):
                os._exit(3)
            return real(template, config, rules)
        cfnlint.runner.run_template_by_data = die_on_sagemaker
        """,
    )
    inputs = _text("endpoint.yaml", UNKNOWN_PROPERTY) + read_inputs([str(BAD_INSTANCES)], context="none")
    findings = _lint(inputs, True)
    (died,) = [finding for finding in findings if finding.path == "endpoint.yaml"]
    assert died.severity is Severity.ERROR
    assert died.message == "[cfn-lint] cfn-lint could not check this template: cfn-lint's process ended unexpectedly (exit status 3)"
    assert len([finding for finding in findings if finding.path == str(BAD_INSTANCES)]) >= 2


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
    assert imported is False  # cfn-lint runs in a process of its own


# --- A time budget per template ------------------------------------------------------------

# Each keeps cfn-lint busy for minutes (reproduced on cfn-lint 1.58).
SUB_RING = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + "".join(
    f"  T{index}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${{T{(index + 1) % 2000}.TopicName}}-x'\n"
    for index in range(2000)
)
NESTED_FOR_EACH = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::LanguageExtensions
    Resources:
      'Fn::ForEach::A':
        - A
        - [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10]
        - 'Fn::ForEach::B':
            - B
            - [b1, b2, b3, b4, b5, b6, b7, b8, b9, b10]
            - 'Fn::ForEach::C':
                - C
                - [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10]
                - 'Fn::ForEach::D':
                    - D
                    - [d1, d2, d3, d4, d5, d6, d7, d8, d9, d10]
                    - 'Topic${A}${B}${C}${D}':
                        Type: AWS::SNS::Topic
                        Properties:
                          TopicName: !Sub 't-${A}-${B}-${C}-${D}'
    """
)


def test_budget_setting():
    assert bridge.bridge_settings(True).budget_seconds == bridge.DEFAULT_BUDGET_SECONDS
    assert bridge.bridge_settings({"budget-seconds": 0.5}).budget_seconds == 0.5


@pytest.mark.parametrize("value", ["0", "-1", '"5"', "true", "7200"])
def test_budget_setting_is_validated(tmp_path, value):
    from linter.config import ConfigError, load_config

    path = tmp_path / "mldeploy-lint.toml"
    path.write_text(f"[cfn-lint]\nbudget-seconds = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cfn-lint"):
        load_config(str(path))


@pytest.mark.parametrize("text", [SUB_RING, NESTED_FOR_EACH], ids=["sub-ring", "nested-for-each"])
def test_an_overrun_stops_cfn_lint_within_the_budget(text):
    process = bridge.CfnLintProcess()
    settings = bridge.BridgeSettings(budget_seconds=0.3)
    try:
        process.check(UNKNOWN_PROPERTY, bridge.BridgeSettings())  # started: the budget is the template's only
        start = time.perf_counter()
        with pytest.raises(bridge.Overran):
            process.check(text, settings)
        elapsed = time.perf_counter() - start
        print(f"cfn-lint stopped {elapsed * 1000:.0f} ms after a 300 ms budget")
        # Unchecked, cfn-lint runs on for many seconds; the margin is for a loaded machine's process kill.
        assert elapsed < 2.0
        # The next template gets a new process.
        assert process.check(UNKNOWN_PROPERTY, settings)["matches"][0]["id"] == "E3002"
    finally:
        process.stop()


def test_an_overrun_is_an_info_note_and_the_run_goes_on():
    inputs = _text("ring.yaml", SUB_RING) + _text("endpoint.yaml", UNKNOWN_PROPERTY)
    findings = _lint(inputs, {"budget-seconds": 0.3})
    assert [(finding.path, finding.severity, finding.span.line) for finding in findings] == [
        ("endpoint.yaml", Severity.ERROR, 10),
        ("ring.yaml", Severity.INFO, 1),
    ]
    assert findings[1].message == (
        "[cfn-lint] cfn-lint did not finish checking this template within its budget of 0.3 s and was stopped; "
        "its checks are not reported (raise budget-seconds in the [cfn-lint] configuration to give it longer)"
    )


def test_a_process_that_does_not_start_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(bridge, "START_SECONDS", 0.2)
    monkeypatch.setattr(bridge, "worker_command", lambda: [sys.executable, "-c", "import time; time.sleep(30)"])
    (finding,) = _lint(_text("endpoint.yaml", UNKNOWN_PROPERTY), True)
    assert finding.severity is Severity.ERROR
    assert finding.message == "[cfn-lint] cfn-lint could not check this template: no answer within 0.2 s"


def test_cfn_lint_runs_isolated_from_the_linted_repository(tmp_path, monkeypatch):
    # A .cfnlintrc can name rule modules for cfn-lint to import.
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "Planted.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w').close()\n")
    (tmp_path / ".cfnlintrc").write_text("append_rules:\n  - rules/\n")
    (tmp_path / "rules" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    findings = _lint(_text("endpoint.yaml", UNKNOWN_PROPERTY), True)
    assert [finding.message.split("]")[0] for finding in findings] == ["[cfn-lint:E3002"]
    assert not (tmp_path / "imported").exists()


# --- Duplicates of built-in findings, and long value lists ------------------------------------

BAD_INSTANCE_TYPE = textwrap.dedent(
    """\
    Resources:
      ScoringConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: scorer
              InstanceType: ml.m5.larg
              InitialInstanceCount: 2
          InstanceCount: 2
    """
)


def _all_findings(inputs, setting, ignore=()) -> list:
    from linter.rules import RuleSelector

    options = LintOptions(selector=RuleSelector(ignore=tuple(ignore)), config=Config(settings={"cfn-lint": setting}))
    return list(run_lint(inputs, _host(), options).findings)


def test_a_cfn_lint_enum_match_that_cp005_reports_is_dropped():
    findings = _all_findings(_text("endpoint.yaml", BAD_INSTANCE_TYPE), True)
    on_line_8 = [(finding.rule_id, finding.message.split(" ")[0]) for finding in findings if finding.span.line == 8]
    assert on_line_8 == [("CP005", "ml.m5.larg")]
    # ... and the other cfn-lint matches of the template stay.
    assert [finding.message.split("]")[0] for finding in findings if finding.rule_id == "CFN001"] == ["[cfn-lint:E3002"]


def test_the_enum_match_stays_when_cp005_is_off_and_its_list_is_cut():
    findings = _all_findings(_text("endpoint.yaml", BAD_INSTANCE_TYPE), True, ignore=["CP005"])
    (enum,) = [finding for finding in findings if finding.rule_id == "CFN001" and finding.span.line == 8]
    assert enum.message.startswith(
        "[cfn-lint:E3030] 'ml.m5.larg' is not one of ['ml.c4.2xlarge', 'ml.c4.4xlarge', 'ml.c4.8xlarge', 'ml.c4.large', 'ml.c4.xlarge', … "
    )
    assert enum.message.endswith(" more]") and len(enum.message) < 200


@pytest.mark.parametrize(
    "message, shortened",
    [
        ("'x' is not one of ['a', 'b', 'c', 'd', 'e', 'f', 'g']", "'x' is not one of ['a', 'b', 'c', 'd', 'e', … 2 more]"),
        ("'x' is not one of ['a', 'b', 'c', 'd', 'e']", "'x' is not one of ['a', 'b', 'c', 'd', 'e']"),
        ("[1, 2, 3, 4, 5, 6] and ['[', ']', 'x', 'y', 'z', 'w'] x", "[1, 2, 3, 4, 5, … 1 more] and ['[', ']', 'x', 'y', 'z', … 1 more] x"),
        ("pattern '^ami-([0-9a-z]{8}|[0-9a-z]{17})$'", "pattern '^ami-([0-9a-z]{8}|[0-9a-z]{17})$'"),
        ("unbalanced [ 'a', 'b'", "unbalanced [ 'a', 'b'"),
        ("[[1, 2], [3], [4], [5], [6], [7]]", "[[1, 2], [3], [4], [5], [6], … 1 more]"),
    ],
)
def test_shorten_lists(message, shortened):
    assert bridge.shorten_lists(message) == shortened


# --- No network at lint time -----------------------------------------------------------------

NETWORK_EVENTS = (
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.sendto",
    "socket.sendmsg",
    "http.client.connect",
    "urllib.Request",
)


def test_no_network_at_lint_time_with_cfn_lint(tmp_path):
    """Run the CLI with --cfn-lint under an audit hook, in this process and in cfn-lint's."""
    log = tmp_path / "network.log"
    hook = textwrap.dedent(
        f"""\
        import sys
        def _audit(event, args, _log={str(log)!r}, _events={NETWORK_EVENTS!r}):
            if event in _events:
                with open(_log, "a") as handle:
                    handle.write(f"{{event}} {{args!r}}\\n")
        sys.addaudithook(_audit)
        """
    )
    script = hook + textwrap.dedent(
        """\
        import json
        import plugins.cfnlint_bridge as bridge
        real = bridge.worker_command
        bridge.worker_command = lambda: real()[:-1] + [HOOK + real()[-1]]
        from linter.cli import main
        main(sys.argv[1:])
        """
    ).replace("HOOK", repr(hook))
    template = tmp_path / "instances.yaml"
    template.write_bytes(BAD_INSTANCES.read_bytes())
    args = ["--format", "json", "--fail-on", "never", "--no-config", "--cfn-lint", *_plugin_args(tmp_path), str(template)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]))}
    completed = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert any(finding["message"].startswith("[cfn-lint:E3003]") for finding in report["findings"])
    assert not log.exists(), log.read_text()


def test_the_network_audit_sees_a_connection(tmp_path):
    """The hook above would catch one: a lookup made in cfn-lint's process is logged."""
    log = tmp_path / "network.log"
    prelude = (
        f"import sys, socket\n"
        f"sys.addaudithook(lambda event, args: event == 'socket.getaddrinfo' and open({str(log)!r}, 'a').write(event))\n"
        f"try:\n    socket.getaddrinfo('localhost', 80)\nexcept OSError:\n    pass\n"
    )
    real = bridge.worker_command()
    process = bridge.CfnLintProcess(command=lambda: real[:-1] + [prelude + real[-1]])
    try:
        process.check(UNKNOWN_PROPERTY, bridge.BridgeSettings())
    finally:
        process.stop()
    assert log.read_text() == "socket.getaddrinfo"

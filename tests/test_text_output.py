"""The text format read by people and CI logs: severity, source excerpts, escaping, hints."""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_cli
from linter.reporting import escape_control

SERVERLESS = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: m
          ServerlessConfig:
            MemorySizeInMB: 1500
            MaxConcurrency: 5
"""

HOSTILE_NAME = "scorer\n::error file=README.md,line=1::pwned\n\x1b[2J\x1b]0;title\x07"


def _deployment(name: str) -> str:
    return json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "annotations": {"mldeploy-lint.io/environment": "prod"}},
            "spec": {
                "replicas": 1,
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "vllm", "image": "vllm/vllm-openai:v0.6.3", "resources": {"limits": {"nvidia.com/gpu": 1}}}
                        ]
                    }
                },
            },
        },
        indent=2,
    )


def test_every_line_names_its_severity_without_colour(chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(SERVERLESS)
    lines = run_cli("t.yaml", "--color", "never").out.splitlines()
    assert lines[0] == (
        "t.yaml:9:29: error CV001 [serverless-memory-invalid] MemorySizeInMB 1500 of variant AllTraffic is not "
        "allowed; use one of 1024, 2048, 3072, 4096, 5120, 6144 (nearest: 2048)"
    )
    pattern = re.compile(r"^(.+):(\d+):(\d+): (error|warning|info) ([A-Z]+[0-9]+) \[([a-z0-9-]+)\] (.*)$")
    assert all(pattern.match(line) for line in lines[:-1])


def test_show_source_puts_a_caret_under_the_value(chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(SERVERLESS)
    lines = run_cli("t.yaml", "--color", "never", "--show-source").out.splitlines()
    assert lines[1:4] == [
        "  |",
        " 9 |             MemorySizeInMB: 1500".replace(" 9 |", "9 |"),
        "  |                             ^^^^",
    ]


def test_show_source_caret_is_coloured_only_with_colour(chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(SERVERLESS)
    coloured = run_cli("t.yaml", "--color", "always", "--show-source").out
    assert "\x1b[31m^^^^\x1b[0m" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert plain == run_cli("t.yaml", "--color", "never", "--show-source").out


def test_show_source_escapes_control_characters_and_keeps_the_caret_aligned(chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(SERVERLESS.replace("MemorySizeInMB: 1500", "MemorySizeInMB:\t1500 # \u202etxt"))
    out = run_cli("t.yaml", "--color", "never", "--show-source").out
    assert "\u202e" not in out and "\t" not in out
    source, caret = out.splitlines()[2:4]
    assert source.endswith("MemorySizeInMB:\\t1500 # \\u202etxt")
    assert caret.index("^") == source.index("1500") and caret.endswith("^^^^")


def test_names_from_the_linted_files_cannot_inject_ci_commands_or_terminal_escapes(chdir_tmp):
    (chdir_tmp / "deploy.json").write_text(_deployment(HOSTILE_NAME))
    result = run_cli("deploy.json", "--color", "never")
    assert result.code == 1
    assert "\x1b" not in result.out and "\x07" not in result.out
    for line in result.out.splitlines():
        assert not line.startswith("::"), line
    assert "scorer\\n::error file=README.md,line=1::pwned\\n\\x1b[2J\\x1b]0;title\\x07" in result.out
    # Machine formats keep the exact text.
    document = json.loads(run_cli("deploy.json", "--format", "json").out)
    assert any(HOSTILE_NAME in finding["message"] for finding in document["findings"])


def test_a_path_that_starts_a_workflow_command_is_prefixed(chdir_tmp):
    name = "::warning file=x::boom.yaml"
    (chdir_tmp / name).write_text(SERVERLESS)
    out = run_cli(name, "--color", "never").out
    assert out.startswith("./::warning file=x::boom.yaml:9:29: error CV001")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain — ünïcode", "plain — ünïcode"),
        ("a\tb\r\nc", "a\\tb\\r\\nc"),
        ("\x00\x1f\x7f\x85\x9b", "\\x00\\x1f\\x7f\\x85\\x9b"),
        ("safe\u202eevil\u2066", "safe\\u202eevil\\u2066"),
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_escape_control(text, expected):
    assert escape_control(text) == expected


def test_a_run_that_recognises_nothing_says_so_on_stderr(chdir_tmp):
    (chdir_tmp / "app.yaml").write_text("server:\n  port: 8080\n")
    (chdir_tmp / "other.yaml").write_text("name: x\n")
    one = run_cli("app.yaml")
    assert (one.code, one.out) == (0, "No problems found in 1 file (0 recognised as deployments).\n")
    assert one.err.startswith("mldeploy-lint: warning: app.yaml holds no deployment configuration the linter recognises")
    both = run_cli(".")
    assert both.out == "No problems found in 2 files (0 recognised as deployments).\n"
    assert "none of the 2 files linted holds a deployment configuration" in both.err


def test_no_warning_when_a_deployment_was_read(chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(SERVERLESS.replace("1500", "2048"))
    result = run_cli("t.yaml")
    assert (result.code, result.err) == (0, "")
    assert result.out == "No problems found in 1 file (1 recognised as deployments).\n"


def test_an_empty_directory_says_there_was_nothing_to_lint(chdir_tmp):
    (chdir_tmp / "empty").mkdir()
    result = run_cli("empty")
    assert result.code == 0
    assert "no files to lint" in result.err


@pytest.mark.parametrize(
    "selector, suggestion",
    [("EP01", "EP001"), ("payload-exceed-endpoint-limit", "payload-exceeds-endpoint-limit"), ("missing-autoscale", "missing-autoscaling")],
)
def test_unknown_selectors_suggest_the_nearest_rule(chdir_tmp, selector, suggestion):
    result = run_cli("--select", selector, ".")
    assert result.code == 2
    assert f"unknown rule selector {selector!r} (did you mean {suggestion!r}?)" in result.err


def test_unknown_config_keys_suggest_the_nearest_setting(chdir_tmp):
    (chdir_tmp / "mldeploy-lint.toml").write_text('enviroment = "prod"\n')
    result = run_cli(".")
    assert result.code == 2
    assert "unknown setting 'enviroment' in top level (did you mean 'environment'?)" in result.err


def test_unknown_profile_keys_suggest_the_nearest_key(chdir_tmp):
    manifest = _deployment("chat").replace(
        '"mldeploy-lint.io/environment": "prod"', '"mldeploy-lint.io/environment": "prod", "mldeploy-lint.io/latency": "800"'
    )
    (chdir_tmp / "deploy.json").write_text(manifest)
    out = run_cli("deploy.json", "--color", "never").out
    assert "unknown workload profile key 'latency' (did you mean 'latency-ms'?)" in out


def test_explain_escapes_names_from_the_linted_files(chdir_tmp):
    (chdir_tmp / "deploy.json").write_text(_deployment(HOSTILE_NAME))
    result = run_cli("explain", "--deployments", "deploy.json")
    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert not any(line.startswith("::") for line in result.out.splitlines())
    assert "scorer\\n::error file=README.md,line=1::pwned" in result.out
    data = json.loads(run_cli("explain", "--deployments", "--format", "json", "deploy.json").out)
    assert data["deployments"][0]["id"].endswith(HOSTILE_NAME)  # JSON keeps the exact text


def test_rules_and_explain_escape_a_plugins_rule_docs(chdir_tmp, monkeypatch):
    (chdir_tmp / "evil_docs.py").write_text(
        "from linter import Severity, hookimpl, rule\n"
        "@rule('EVIL001', 'evil-docs', Severity.INFO, 'Clears \\x1b[2J the screen.')\n"
        "def evil(deployment, run):\n"
        "    '''\n    ## What it does\n    Retitles \\x1b]0;pwned\\x07 the terminal.\n    '''\n"
        "    return []\n"
        "@hookimpl\n"
        "def mldeploy_rules():\n"
        "    return [evil]\n"
    )
    monkeypatch.syspath_prepend(str(chdir_tmp))
    for args in (("rules",), ("rules", "--format", "markdown"), ("explain", "EVIL001")):
        out = run_cli(*args, "--plugin", "evil_docs").out
        assert "EVIL001" in out and "\x1b" not in out and "\x07" not in out, args

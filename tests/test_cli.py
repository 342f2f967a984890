"""The command line: discovery, selection, environment, stdin, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

PAYLOAD_500 = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload:
          payload-mb: 500
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: m
          ServerlessConfig: {MemorySizeInMB: 1000, MaxConcurrency: 1}
"""

# A serverless endpoint with valid settings: nothing to report.
CLEAN = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: m
          ServerlessConfig: {MemorySizeInMB: 2048, MaxConcurrency: 5}
"""


def _json(result) -> dict:
    return json.loads(result.out)


def test_examples_have_findings_with_lines(cli):
    result = cli(str(EXAMPLES))
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.endswith("use an asynchronous endpoint (up to 1 GB)") and ":30:23: error EP001 " in line for line in lines)
    assert lines[-1].startswith("Found ")


def test_clean_file_exits_zero(cli, tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    result = cli(str(path))
    assert result.code == 0
    assert result.out == "No problems found in 1 file (1 recognised as deployments).\n"


def test_directory_discovery_finds_yaml_json_template_only(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(PAYLOAD_500)
    (tmp_path / "b.yml").write_text(CLEAN)
    (tmp_path / "c.template").write_text(CLEAN)
    (tmp_path / "d.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("payload-mb: 500")
    nested = tmp_path / "nested" / "deeper"
    nested.mkdir(parents=True)
    (nested / "e.yaml").write_text(PAYLOAD_500)
    result = cli("--format", "json", str(tmp_path))
    paths = sorted(Path(item["path"]).relative_to(tmp_path).as_posix() for item in _json(result)["files"])
    assert paths == ["a.yaml", "b.yml", "c.template", "d.json", "nested/deeper/e.yaml"]


def test_gitignore_and_exclude(cli, tmp_path):
    (tmp_path / ".gitignore").write_text("generated/\n*.tmp.yaml\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "x.yaml").write_text(PAYLOAD_500)
    (tmp_path / "scratch.tmp.yaml").write_text(PAYLOAD_500)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "y.yaml").write_text(PAYLOAD_500)
    (tmp_path / "keep.yaml").write_text(CLEAN)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "z.yaml").write_text(PAYLOAD_500)
    # `terraform init`'s copies of remote modules: linted where the root calls them, not as files of their own.
    (tmp_path / ".terraform" / "modules" / "endpoint").mkdir(parents=True)
    (tmp_path / ".terraform" / "modules" / "endpoint" / "w.yaml").write_text(PAYLOAD_500)

    default = _json(cli("--format", "json", "--exclude", "vendor/", str(tmp_path)))
    assert [Path(item["path"]).name for item in default["files"]] == ["keep.yaml"]

    everything = _json(cli("--format", "json", "--no-respect-gitignore", str(tmp_path)))
    names = sorted(Path(item["path"]).name for item in everything["files"])
    assert names == ["keep.yaml", "scratch.tmp.yaml", "x.yaml", "y.yaml"]


def test_explicit_file_is_linted_even_if_ignored(cli, tmp_path):
    (tmp_path / ".gitignore").write_text("*.yaml\n")
    path = tmp_path / "ignored.yaml"
    path.write_text(PAYLOAD_500)
    assert cli(str(path)).code == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"EP001", "CV001"}),
        (("--select", "EP001"), {"EP001"}),
        (("--select", "EP"), {"EP001"}),
        (("--select", "payload-exceeds-endpoint-limit"), {"EP001"}),
        (("--select", "EP,CV"), {"EP001", "CV001"}),
        (("--ignore", "CV001"), {"EP001"}),
        (("--select", "ALL", "--ignore", "serverless-memory-invalid"), {"EP001"}),
        (("--select", "EP001", "--ignore", "EP"), set()),
    ],
)
def test_select_and_ignore(cli, tmp_path, args, expected):
    path = tmp_path / "t.yaml"
    path.write_text(PAYLOAD_500)
    result = cli("--format", "json", *args, str(path))
    assert {item["rule"] for item in _json(result)["findings"]} == expected
    assert result.code == (1 if expected else 0)


def test_unknown_selector_is_a_usage_error(cli, tmp_path):
    result = cli("--select", "EP999", str(EXAMPLES))
    assert result.code == 2
    assert "unknown rule selector 'EP999'" in result.err


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on(cli, fail_on, code):
    assert cli("--fail-on", fail_on, str(EXAMPLES)).code == code


def test_stdin_with_filename(cli):
    result = cli("-", "--stdin-filename", "rendered/chart.yaml", stdin=PAYLOAD_500.encode())
    assert result.code == 1
    assert result.out.startswith("rendered/chart.yaml:7:23: error EP001 [payload-exceeds-endpoint-limit]")


def test_stdin_default_name(cli):
    result = cli("-", stdin=PAYLOAD_500.encode())
    assert "<stdin>:7:23: error EP001" in result.out


def test_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli(str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert "no such file or directory" in result.err


def test_environment_option_validates(cli):
    assert cli("--environment", "production", str(EXAMPLES)).code == 1
    bad = cli("--environment", "moon", str(EXAMPLES))
    assert bad.code == 2
    assert "unknown environment 'moon'" in bad.err


def test_environment_option_overrides_the_model():
    from linter.api import lint_paths
    from linter.engine import LintOptions
    from linter.model import Environment

    example = str(EXAMPLES / "cloudformation" / "video-transcription.yaml")
    declared = lint_paths([example]).deployments
    assert declared[0].environment.value is Environment.PROD  # from the Environment tag
    forced = lint_paths([example], LintOptions(environment=Environment.DEV)).deployments
    assert forced[0].environment.value is Environment.DEV
    assert forced[0].environment.note == "--environment / configuration"


def test_directory_named_like_a_subcommand_is_linted(cli, chdir_tmp):
    (chdir_tmp / "rules").mkdir()
    (chdir_tmp / "rules" / "x.yaml").write_text(PAYLOAD_500)
    result = cli("rules")
    assert result.code == 1
    assert "rules/x.yaml:7:23: error EP001" in result.out


def test_default_path_is_current_directory(cli, chdir_tmp):
    (chdir_tmp / "t.yaml").write_text(PAYLOAD_500)
    result = cli()
    assert result.code == 1
    assert result.out.startswith("t.yaml:7:23: error EP001")


def test_output_order_is_stable(cli):
    first = cli("--format", "json", str(EXAMPLES)).out
    second = cli("--format", "json", str(EXAMPLES), str(EXAMPLES / "cloudformation")).out
    assert first == second


def test_rules_table_lists_builtin_rules(cli):
    result = cli("rules")
    assert result.code == 0
    for rule_id in ("EP001", "CV001", "MD001", "MD002", "MD004"):
        assert any(line.startswith(rule_id + " ") for line in result.out.splitlines())


def test_version(cli):
    from linter import __version__

    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"mldeploy-lint {__version__}"


def test_version_matches_pyproject():
    import re

    from linter import __version__

    text = (REPO / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == __version__


def test_console_script_runs_as_module():
    completed = subprocess.run(
        [sys.executable, "-m", "linter", str(EXAMPLES)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 1
    assert "EP001 [payload-exceeds-endpoint-limit]" in completed.stdout
    assert completed.stderr == ""


def test_rules_output_dir_writes_an_index_and_a_page_per_rule(cli, tmp_path):
    from linter.rule_docs import GENERATED_MARKER

    target = tmp_path / "rules"
    assert cli("rules", "--format", "markdown", "--output-dir", str(target)).code == 0
    (target / "ZZ999.md").write_text(f"{GENERATED_MARKER}\na rule that no longer exists\n")
    (target / "notes.md").write_text("kept: not a rule page\n")
    result = cli("rules", "--format", "markdown", "--output-dir", str(target))
    assert (result.code, result.out, result.err) == (0, "", "")
    names = {path.name for path in target.iterdir()}
    assert {"README.md", "EP001.md", "notes.md"} <= names and "ZZ999.md" not in names
    assert (target / "EP001.md").read_text().startswith(f"{GENERATED_MARKER}\n# EP001 payload-exceeds-endpoint-limit\n")
    assert "[EP001](EP001.md)" in (target / "README.md").read_text()


def test_rules_output_dir_needs_markdown(cli, tmp_path):
    result = cli("rules", "--output-dir", str(tmp_path))
    assert result.code == 2 and "--output-dir needs --format markdown" in result.err

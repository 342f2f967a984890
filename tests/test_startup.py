"""Start-up stays light: linting one template imports neither cfn-lint, jsonschema nor pygls.

This is not a timing test (bench/bench.py measures time); it checks which
modules a real run imports, in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SMALL_TEMPLATE = REPO / "bench" / "small-template.yaml"
HEAVY = ("cfnlint", "jsonschema", "pygls", "botocore")

PROBE = """
import io, json, sys, contextlib
from linter.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit_:  # argparse's --version exits from inside main
        code = exit_.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(%r)))
print(json.dumps({"code": code, "out": out.getvalue(), "heavy": heavy}))
""" % json.dumps(HEAVY)


def _run(*args: str, cwd: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(SMALL_TEMPLATE.read_text())
    return tmp_path


def test_linting_one_template_imports_nothing_heavy(workdir):
    result = _run("template.yaml", cwd=workdir)
    assert result["code"] == 1
    assert "template.yaml:20:23: EP001 [payload-exceeds-endpoint-limit]" in result["out"]  # it really linted
    assert result["heavy"] == []


@pytest.mark.parametrize("args", [("--version",), ("rules",), ("explain", "EP001"), ("--format", "sarif", "template.yaml")])
def test_other_commands_import_nothing_heavy(workdir, args):
    result = _run(*args, cwd=workdir)
    assert result["out"], "the command printed nothing"
    assert result["heavy"] == []


def test_a_configuration_file_brings_jsonschema_only_then(workdir):
    (workdir / "mldeploy-lint.toml").write_text('fail-on = "error"\n')
    result = _run("template.yaml", cwd=workdir)
    assert result["heavy"] == ["jsonschema"]  # validating the file needs it; nothing else

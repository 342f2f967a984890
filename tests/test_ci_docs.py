"""Every command docs/ci.md shows runs on examples/ and does what the page says."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import REPO, run_cli

CI_DOC = REPO / "docs" / "ci.md"


def _commands() -> list[str]:
    text = CI_DOC.read_text(encoding="utf-8")
    found = re.findall(r"(?:^|\s)(mldeploy-lint examples/[^\n`]*)", text)
    return sorted(set(command.strip() for command in found))


def test_the_page_shows_every_ci_format():
    commands = " ".join(_commands())
    for flag in ("--format sarif", "--format github", "--format gitlab", "--format junit", "--baseline", "--write-baseline",
                 "--category", "--statistics", "--fail-on error"):
        assert flag in commands, flag


@pytest.mark.parametrize("command", _commands())
def test_each_command_runs_on_the_examples(tmp_path, monkeypatch, command):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)
    if "--baseline" in words and not Path(words[words.index("--baseline") + 1]).exists():
        assert run_cli("examples/", "--write-baseline", words[words.index("--baseline") + 1], "--fail-on", "never").code == 0
    result = run_cli(*words[1:])
    assert result.code in (0, 1), result.err
    output = Path(words[words.index("--output") + 1]) if "--output" in words else None
    fmt = words[words.index("--format") + 1] if "--format" in words else "text"
    text = output.read_text(encoding="utf-8") if output else result.out
    if fmt == "sarif":
        log = json.loads(text)
        assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    elif fmt == "gitlab":
        assert isinstance(json.loads(text), list)
    elif fmt == "junit":
        assert ElementTree.fromstring(text).tag in ("testsuites", "testsuite")
    elif fmt == "github":
        assert all(line.startswith("::") for line in text.splitlines() if line)
    if "--baseline" in words:
        assert result.code == 0, "a fresh baseline grandfathers every finding"
    if "--write-baseline" in words:
        assert json.loads(Path(words[words.index("--write-baseline") + 1]).read_text())["findings"]

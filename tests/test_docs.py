"""The sample output in docs/ is what the commands print today."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from conftest import run_cli

REPO = Path(__file__).resolve().parent.parent
OUTPUT_FORMATS = REPO / "docs" / "output-formats.md"


def _run(monkeypatch, command: str):
    monkeypatch.chdir(REPO)
    words = shlex.split(command)
    assert words[0] == "mldeploy-lint"
    return run_cli(*words[1:], "--color", "never")


def test_text_samples_are_current(monkeypatch):
    samples = re.findall(r"```\n\$ (mldeploy-lint [^\n]*)\n(.*?)```", OUTPUT_FORMATS.read_text(encoding="utf-8"), flags=re.S)
    assert samples
    for command, shown in samples:
        assert _run(monkeypatch, command).out == shown, command


def test_json_sample_is_current(monkeypatch):
    [(command, shown)] = re.findall(r"`(mldeploy-lint --format json [^`]*)` prints:\n\n```json\n(.*?)```", OUTPUT_FORMATS.read_text(encoding="utf-8"), flags=re.S)
    printed, documented = json.loads(_run(monkeypatch, command).out), json.loads(shown)
    for report in (printed, documented):
        report["tool"].pop("version")  # changes with every release
    assert printed == documented

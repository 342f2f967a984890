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


ADVISE = REPO / "docs" / "advise.md"


def _advise(monkeypatch, command: str):
    monkeypatch.chdir(REPO)
    words = shlex.split(command)
    assert words[:2] == ["mldeploy-lint", "advise"]
    return run_cli(*words[1:])


def test_advise_decision_table_is_generated_from_the_data(monkeypatch):
    from plugins.advisor.table import BEGIN, END

    page = ADVISE.read_text(encoding="utf-8")
    committed = page.split(BEGIN + "\n", 1)[1].split(END, 1)[0]
    assert committed == _advise(monkeypatch, "mldeploy-lint advise --decision-table").out


def test_advise_worked_examples_are_current(monkeypatch):
    samples = re.findall(r"```\n\$ (mldeploy-lint advise [^\n]*)\n(.*?)```", ADVISE.read_text(encoding="utf-8"), flags=re.S)
    assert len(samples) == 6
    for command, shown in samples:
        assert _advise(monkeypatch, command).out == shown, command


def test_advise_json_sample_is_current(monkeypatch):
    [(command, shown)] = re.findall(r"`(mldeploy-lint advise --format json [^`]*)` prints:\n\n```json\n(.*?)```", OUTPUT_FORMATS.read_text(encoding="utf-8"), flags=re.S)
    assert json.loads(_advise(monkeypatch, command).out) == json.loads(shown)

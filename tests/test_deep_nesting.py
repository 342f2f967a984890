"""Nesting deep enough to overflow the C composer's stack is refused before it composes.

Each case runs in a subprocess: a regression is a SIGSEGV, which would
otherwise take the test run down with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEPTH = 30_000


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linter", "--no-config", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _md001(completed: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    assert completed.returncode in (0, 1), f"exit {completed.returncode}: {completed.stderr[-2000:]}"
    findings = json.loads(completed.stdout)["findings"]
    return [(finding["path"], finding["line"], finding["message"]) for finding in findings if finding["rule"] == "MD001"]


@pytest.mark.parametrize(
    "name, text",
    [
        ("flow.json", "[" * DEPTH + "]" * DEPTH),
        ("flow.yaml", "a: " + "{b: " * DEPTH + "c" + "}" * DEPTH + "\n"),
        ("compact.yaml", "- " * DEPTH + "x\n"),
        ("complex-keys.yaml", "? " * DEPTH + "x\n"),
    ],
)
def test_deep_nesting_is_a_located_parse_error_not_a_crash(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    [(path, line, message)] = _md001(_run(name, cwd=tmp_path))
    assert path == name and line == 1
    assert message == "nesting deeper than 256 levels; document not linted"


def test_deep_nesting_inside_a_definition_string_does_not_crash(tmp_path):
    definition = "[" * DEPTH + "]" * DEPTH
    template = {
        "Resources": {
            "Flow": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": definition, "RoleArn": "arn:aws:iam::1:role/x"},
            }
        }
    }
    (tmp_path / "machine.json").write_text(json.dumps(template), encoding="utf-8")
    _md001(_run("machine.json", cwd=tmp_path))  # no crash; what it reports is the adapter's business


def test_a_deep_context_file_does_not_crash_the_run(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "bomb.json").write_text("[" * DEPTH + "]" * DEPTH, encoding="utf-8")
    (tmp_path / "hpa.yaml").write_text("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n", encoding="utf-8")
    # bomb.json is read as context only: nothing is reported for it, and the run lives.
    assert _md001(_run("hpa.yaml", cwd=tmp_path)) == []


def test_nesting_below_the_limit_still_loads_fast():
    from linter.source import load_text

    text = "a: " + "[" * 200 + "]" * 200 + "\n" + "b: " + "x" * 5000 + "\n"
    source = load_text("f.yaml", text)
    assert source.problems == ()


def test_a_stream_of_shallow_documents_is_not_parsed_event_by_event(monkeypatch):
    """Brackets count per document (a `---` at column 0 ends the one before in libyaml): a stream of many
    shallow flow documents is composed at once, not first checked event by event."""
    import linter.source as source

    def refuse(*args, **kwargs):
        raise AssertionError("parsed event by event")

    monkeypatch.setattr(source, "_bracket_depth_beyond", refuse)
    monkeypatch.setattr("_ruamel_yaml.CParser", refuse)
    text = "".join(f"---\nname: d{index}\nspec: {{a: [1, {{b: 2}}]}}\n" for index in range(1000))
    assert source._nesting_beyond("s.yaml", text, 256) is None


@pytest.mark.parametrize(
    "name, text",
    [
        # Deep after many shallow documents, and deep across a marker that is no marker (not at column 0).
        ("late.yaml", "".join(f"---\nd: {{a: [{index}]}}\n" for index in range(3000)) + "---\na: " + "[" * DEPTH + "]" * DEPTH + "\n"),
        ("indented-marker.yaml", "a: " + " ---\n[".join([""] * 3) + "[" * DEPTH + "]" * DEPTH + "\n"),
        # Under the pre-check's bound in each document, far past the C stack's across them, were
        # libyaml to go on nesting past a marker (it does not: the marker ends the flow with an error).
        ("split-by-markers.yaml", (("[" * 100 + "\n") * 10 + "---\n") * 40 + ("]" * 100 + "\n") * 400),
    ],
)
def test_deep_nesting_in_one_document_of_a_stream_is_still_refused(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    completed = _run(name, cwd=tmp_path)
    assert completed.returncode in (0, 1), f"exit {completed.returncode}: {completed.stderr[-2000:]}"
    assert any("nesting deeper than 256 levels" in message or "while parsing" in message for _, _, message in _md001(completed))

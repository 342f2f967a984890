"""How the `mldeploy-lint` program ends (`linter.cli.run`).

The program holds what a run built and ends with `os._exit` instead of
freeing it object by object; everything the usual exit does that anyone
can see must still happen: exit handlers run (a plugin's, the cfn-lint
bridge's clean-up), output is flushed whole, a running thread is waited
for, and the exit code is the command's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from linter import cli

REPO = Path(__file__).resolve().parents[1]

# A small template with three findings (EP001, MD004, AS001).
ENDPOINT = (Path(__file__).resolve().parent / "fixtures" / "startup" / "endpoint.yaml").read_text(encoding="utf-8")


def _program(tmp_path: Path, *args: str, plugin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m linter ARGS` in `tmp_path`, with `plugin` (module text) importable as `exit_plugin`."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "plugins"), str(REPO)]))}
    extra: list[str] = []
    if plugin is not None:
        (tmp_path / "plugins").mkdir(exist_ok=True)
        (tmp_path / "plugins" / "exit_plugin.py").write_text(textwrap.dedent(plugin), encoding="utf-8")
        extra = ["--plugin", "exit_plugin"]
    return subprocess.run(
        [sys.executable, "-m", "linter", "--no-config", "--no-cache", *extra, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_the_exit_code_and_output_are_the_commands(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT, encoding="utf-8")
    completed = _program(tmp_path, "--format", "json", "endpoint.yaml")
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == ""
    assert {finding["rule"] for finding in json.loads(completed.stdout)["findings"]} == {"EP001", "MD004", "AS001"}

    clean = _program(tmp_path, "--format", "json", "--fail-on", "never", "endpoint.yaml")
    assert clean.returncode == 0 and json.loads(clean.stdout)["summary"]["findings"] >= 1


def test_a_large_report_reaches_a_pipe_whole(tmp_path):
    # Far more than a pipe's and the text layer's buffers: nothing may be left unflushed at the end.
    for index in range(300):
        (tmp_path / f"endpoint-{index}.yaml").write_text(ENDPOINT, encoding="utf-8")
    completed = _program(tmp_path, "--format", "json", "--context", "none", ".")
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    assert report["summary"]["files"] == 300
    assert len(report["findings"]) == report["summary"]["findings"] >= 300


def test_exit_handlers_run(tmp_path):
    # A plugin's atexit handler, and a weakref.finalize callback (what the cfn-lint bridge uses to clean up).
    plugin = f"""\
        import atexit, weakref

        class Held:
            pass

        HELD = Held()
        atexit.register(lambda: open({str(tmp_path / "atexit-ran")!r}, "w").close())
        weakref.finalize(HELD, lambda: open({str(tmp_path / "finalizer-ran")!r}, "w").close())
        """
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT, encoding="utf-8")
    completed = _program(tmp_path, "endpoint.yaml", plugin=plugin)
    assert completed.returncode == 1, completed.stderr
    assert (tmp_path / "atexit-ran").exists()
    assert (tmp_path / "finalizer-ran").exists()


def test_a_running_thread_is_waited_for(tmp_path):
    plugin = f"""\
        import threading, time

        def later():
            time.sleep(0.5)
            open({str(tmp_path / "thread-finished")!r}, "w").close()

        threading.Thread(target=later).start()
        """
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT, encoding="utf-8")
    completed = _program(tmp_path, "endpoint.yaml", plugin=plugin)
    assert completed.returncode == 1, completed.stderr
    assert (tmp_path / "thread-finished").exists()


def test_a_usage_error_still_exits_2(tmp_path):
    completed = _program(tmp_path, "--format", "no-such-format", ".")
    assert completed.returncode == 2
    assert "unknown --format" in completed.stderr


def test_only_the_program_holds_the_result(tmp_path, monkeypatch, capsys):
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT, encoding="utf-8")
    assert cli._held_until_exit is None  # in-process callers of main() free as usual
    cli.main(["--no-config", "--no-cache", str(tmp_path / "endpoint.yaml")])
    assert cli._held_until_exit is None

    held: list = []
    monkeypatch.setattr(cli, "_held_until_exit", held)  # as `run` sets it
    cli.main(["--no-config", "--no-cache", str(tmp_path / "endpoint.yaml")])
    capsys.readouterr()
    assert len(held) == 1 and held[0].findings


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors")
def test_a_closed_standard_output_still_ends_quietly(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "--no-config", "endpoint.yaml"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert completed.stderr == b""
    assert completed.returncode == 1

"""Hostile inputs around the files themselves: endless and special files, far-reaching context walks.

Each case is a reproducer from issue 10. Cases about the process (exit
code, stderr, no traceback, no hang) run the command as a subprocess with a
timeout, so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from linter.api import read_inputs
from linter.discovery import DiscoveryOptions
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.source import LoadLimits

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def run_process(*args: str, cwd: Path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """`python -m linter ARGS` in `cwd`, killed after 20 s (a hang fails the test, never the suite)."""
    completed = subprocess.run(
        [sys.executable, "-m", "linter", *args, "--color", "never"],
        cwd=cwd,
        stdin=stdin,
        capture_output=True,
        timeout=20,
    )
    assert b"Traceback" not in completed.stderr, completed.stderr.decode(errors="replace")
    return completed


# --- endless and special files ------------------------------------------------------------------


@needs_dev_zero
def test_dev_zero_named_as_input_is_a_usage_error(tmp_path):
    completed = run_process("/dev/zero", "--no-config", cwd=tmp_path)
    assert completed.returncode == 2
    assert b"/dev/zero" in completed.stderr and b"not a regular file" in completed.stderr


@needs_dev_zero
def test_endless_standard_input_is_read_only_up_to_the_limit(tmp_path):
    with open("/dev/zero", "rb") as zeros:
        completed = run_process("-", "--no-config", "--stdin-filename", "in.yaml", cwd=tmp_path, stdin=zeros)
    assert completed.returncode == 1
    assert b"in.yaml:1:1: MD001" in completed.stdout
    assert b"above the 20 MiB limit; not parsed" in completed.stdout


@needs_dev_zero
def test_dev_zero_as_config_is_a_usage_error(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    completed = run_process("a.yaml", "--config", "/dev/zero", cwd=tmp_path)
    assert completed.returncode == 2
    assert b"not a regular file" in completed.stderr


@needs_fifo
def test_named_pipe_as_input_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    completed = run_process("pipe.yaml", "--no-config", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.decode().strip() == "mldeploy-lint: error: cannot read pipe.yaml: not a regular file (a named pipe)"


@needs_fifo
def test_named_pipe_as_config_is_refused_without_waiting_for_a_writer(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "settings.toml")
    completed = run_process("a.yaml", "--config", "settings.toml", cwd=tmp_path)
    assert completed.returncode == 2
    assert b"settings.toml" in completed.stderr and b"not a regular file (a named pipe)" in completed.stderr


@needs_fifo
def test_named_pipe_as_discovered_config_is_passed_over(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "mldeploy-lint.toml")
    completed = run_process("a.yaml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr


@needs_fifo
def test_special_files_are_skipped_in_directory_walks_and_context(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "pipe.json")
    if os.path.exists("/dev/zero"):
        os.symlink("/dev/zero", tmp_path / "zero.yaml")
    for mode in ("siblings", "repository"):
        inputs = read_inputs([str(tmp_path / "a.yaml")], context=mode)
        assert [Path(item.path).name for item in inputs] == ["a.yaml"]
    inputs = read_inputs([str(tmp_path)], context="none")
    assert [Path(item.path).name for item in inputs] == ["a.yaml"]


def test_a_file_is_read_only_up_to_the_limit_and_one_byte(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * 5000)
    (item,) = read_inputs([str(big)], context="none", max_bytes=1024)
    assert len(item.data) == 1025 and item.truncated
    (small,) = read_inputs([str(big)], context="none", max_bytes=5005)
    assert len(small.data) == 5005 and not small.truncated


def test_a_file_growing_while_read_is_read_only_up_to_the_limit(tmp_path):
    growing = tmp_path / "growing.yaml"
    growing.write_bytes(b"#" * 4096)
    stop = threading.Event()

    def append() -> None:
        with open(growing, "ab") as handle:
            while not stop.is_set():
                handle.write(b"#" * 65536)
                handle.flush()

    writer = threading.Thread(target=append)
    writer.start()
    try:
        (item,) = read_inputs([str(growing)], context="none", max_bytes=2048)
    finally:
        stop.set()
        writer.join()
    assert len(item.data) == 2049 and item.truncated


def test_a_truncated_input_is_reported_as_too_large_not_as_undecodable():
    # The first 1,025 bytes end inside a character and hold a NUL: neither is reported, the size is.
    data = b"a: 1\n" + b"\x00" + "é".encode() * 600
    options = LintOptions(limits=LoadLimits(max_bytes=1024))
    result = run_lint([InputFile("big.yaml", data[:1025], truncated=True)], build_plugin_host(), options)
    ((rule_id, message, line),) = [(finding.rule_id, finding.message, finding.span.line) for finding in result.findings]
    assert (rule_id, line) == ("MD001", 1)
    assert message == "file is more than 1,024 bytes, above the 1,024 bytes limit; not parsed"


def test_an_untruncated_input_above_the_limit_keeps_its_exact_size():
    options = LintOptions(limits=LoadLimits(max_bytes=1024))
    result = run_lint([InputFile("big.yaml", b"\x00" * 3000)], build_plugin_host(), options)
    assert [finding.message for finding in result.findings] == [
        "file is 3,000 bytes, above the 1,024 bytes limit; not parsed"
    ]


# --- context outside a repository -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["siblings", "repository"])
def test_context_outside_a_repository_lists_only_the_named_files_directory(tmp_path, mode):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    nested = tmp_path / "deep" / "er"
    nested.mkdir(parents=True)
    (nested / "c.yaml").write_text(GOOD)
    # Never read: a walk below the directory would choke on these patterns.
    (tmp_path / "deep" / ".gitignore").write_text("[z-a]\n!\nfoo\\\n**/a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n")
    (nested / ("a" * 200 + ".yaml")).write_text(GOOD)
    notes: list[str] = []
    inputs = read_inputs([str(tmp_path / "a.yaml")], context=mode, notes=notes)
    assert [(Path(item.path).name, item.context_only) for item in inputs] == [("a.yaml", False), ("b.yaml", True)]
    assert notes == []


def test_sibling_context_honours_the_directorys_own_gitignore(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    (tmp_path / "c.yaml").write_text(GOOD)
    (tmp_path / ".gitignore").write_text("c.yaml\n")
    inputs = read_inputs([str(tmp_path / "a.yaml")], DiscoveryOptions(exclude=("b.yaml",)), context="siblings")
    assert [Path(item.path).name for item in inputs] == ["a.yaml"]

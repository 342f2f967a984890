"""Hostile inputs around the files themselves: endless and special files, far-reaching context walks.

Each case is a reproducer from issue 10. Cases about the process (exit
code, stderr, no traceback, no hang) run the command as a subprocess with a
timeout, so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import stat
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
    assert b"in.yaml:1:1: error MD001" in completed.stdout
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


# --- patterns: a clean error from the command line, a skipped pattern from a .gitignore -----------

BAD_PATTERNS = ["[z-a]", "!", "foo\\"]
BACKTRACKING = "**/a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"


@pytest.mark.parametrize("pattern", BAD_PATTERNS + [BACKTRACKING])
def test_an_unusable_exclude_pattern_is_a_usage_error(cli, chdir_tmp, pattern):
    (chdir_tmp / "a.yaml").write_text(GOOD)
    for paths in (["a.yaml"], ["."]):
        result = cli(*paths, "--no-config", "--context", "none", "--exclude", pattern)
        assert result.code == 2
        assert result.err.startswith(f"mldeploy-lint: error: invalid exclude pattern {pattern!r}: "), result.err


@pytest.mark.parametrize("pattern", BAD_PATTERNS + [BACKTRACKING])
def test_an_unusable_configured_pattern_is_a_configuration_error(cli, chdir_tmp, pattern):
    (chdir_tmp / "a.yaml").write_text(GOOD)
    config = chdir_tmp / "mldeploy-lint.toml"
    config.write_text(f"exclude = [{json_string(pattern)}]\n")
    result = cli("a.yaml")
    assert result.code == 2
    assert result.err.startswith("mldeploy-lint: error: ") and result.err.count("\n") == 1
    assert f"mldeploy-lint.toml: exclude.0: invalid pattern {pattern!r}: " in result.err
    config.write_text(f"[environments.paths]\nprod = [{json_string(pattern)}]\n")
    result = cli("a.yaml")
    assert result.code == 2
    assert "environments.paths.prod.0: invalid pattern" in result.err


def json_string(text: str) -> str:
    import json

    return json.dumps(text)  # a TOML basic string, escapes and all


def test_unusable_gitignore_patterns_are_skipped_with_a_warning(cli, chdir_tmp):
    (chdir_tmp / "a.yaml").write_text(GOOD)
    (chdir_tmp / "skipped.yaml").write_text(GOOD)
    nested = chdir_tmp / "nested"
    nested.mkdir()
    (nested / "b.yaml").write_text(GOOD)
    (nested / "ignored.yaml").write_text(GOOD)
    (chdir_tmp / ".gitignore").write_text("[z-a]\nskipped.yaml\n")
    (nested / ".gitignore").write_text(f"!\nfoo\\\n{BACKTRACKING}\nignored.yaml\n")
    (nested / ("a" * 250 + ".yaml")).write_text(GOOD)  # a long name for the backtracking pattern to chew on
    result = cli(".", "--no-config", "--format", "json")
    assert result.code == 0
    import json

    linted = sorted(Path(item["path"]).name for item in json.loads(result.out)["files"])
    assert linted == sorted(["a" * 250 + ".yaml", "a.yaml", "b.yaml"])
    warnings = [line for line in result.err.splitlines() if " pattern " in line]
    assert len(warnings) == 4, result.err
    assert warnings[0].startswith("mldeploy-lint: note: .gitignore:1: pattern '[z-a]' skipped: ")
    assert warnings[1].startswith(f"mldeploy-lint: note: {os.path.join('nested', '.gitignore')}:1: pattern '!' skipped: ")
    assert "nested" in warnings[3] and ":3: pattern" in warnings[3] and "too many wildcards" in warnings[3]


def test_unusable_patterns_in_a_context_directorys_gitignore_are_skipped(cli, tmp_path):
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "deploy").mkdir()
    (repository / "deploy" / "a.yaml").write_text(GOOD)
    (repository / "other").mkdir()
    (repository / "other" / "b.yaml").write_text(GOOD)
    (repository / "other" / ".gitignore").write_text("[z-a]\n")
    (repository / "deploy" / ".gitignore").write_text("foo\\\n")
    for mode in ("repository", "siblings"):
        result = cli(str(repository / "deploy" / "a.yaml"), "--no-config", "--context", mode)
        assert result.code == 0
        assert "Traceback" not in result.err and "skipped" in result.err


# --- configuration files that break the reader -----------------------------------------------------


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("mldeploy-lint.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("mldeploy-lint.toml", "exclude = 'x'\n" + "[data]\n" + "x = " + "{y = " * 400 + "1" + "}" * 400, None),
        ("mldeploy-lint.toml", "fail-on = 'warning'\n\xff\n", "not UTF-8"),
    ],
)
def test_unreadable_configuration_is_a_usage_error(cli, chdir_tmp, name, text, message):
    (chdir_tmp / "a.yaml").write_text(GOOD)
    (chdir_tmp / name).write_bytes(text.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    result = cli("a.yaml")
    assert result.code == 2
    assert result.err.startswith("mldeploy-lint: error: ") and f"{name}: " in result.err, result.err
    if message:
        assert message in result.err


@pytest.mark.parametrize("text", ["tool = 5\n# [tool.mldeploy-lint]\n", "[tool]\nmldeploy-lint = 5\n"])
def test_a_pyproject_whose_tool_is_not_a_table_is_no_crash(cli, chdir_tmp, text):
    (chdir_tmp / "a.yaml").write_text(GOOD)
    (chdir_tmp / "pyproject.toml").write_text(text)
    result = cli("a.yaml")
    assert "Traceback" not in result.err
    assert result.code in (0, 2)
    if result.code == 2:
        assert "pyproject.toml: [tool.mldeploy-lint]" in result.err


# --- file names and standard output ----------------------------------------------------------------

BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that takes any bytes in a name")
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_non_utf8_file_names_are_reported_escaped(cli, chdir_tmp, output_format):
    (chdir_tmp / os.fsdecode(b"\xff-bad.yaml")).write_text(BROKEN)
    for output in (None, "report.out"):
        result = cli(".", "--no-config", "--format", output_format, *(["-o", output] if output else []))
        assert result.code == 1
        text = (chdir_tmp / output).read_text(encoding="utf-8") if output else result.out
        assert ("\\xff-bad.yaml" in text) or ("%5Cxff-bad.yaml" in text), text


def test_a_non_utf8_standard_output_gets_utf8(tmp_path):
    (tmp_path / "café.yaml").write_text(BROKEN)
    completed = subprocess.run(
        [sys.executable, "-m", "linter", ".", "--no-config", "--color", "never"],
        cwd=tmp_path,
        capture_output=True,
        timeout=20,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert b"Traceback" not in completed.stderr, completed.stderr.decode(errors="replace")
    assert completed.returncode == 1
    assert "café.yaml:4:1: error MD001".encode() in completed.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_standard_output_is_a_clean_error(tmp_path):
    (tmp_path / "a.yaml").write_text(BROKEN)
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "linter", "a.yaml", "--no-config"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, timeout=20
        )
    assert completed.stderr.decode() == "mldeploy-lint: error: cannot write to standard output: No space left on device\n"
    assert completed.returncode == 2


def test_a_closed_pipe_ends_the_run_quietly(tmp_path):
    (tmp_path / "a.yaml").write_text(BROKEN)
    process = subprocess.Popen(
        [sys.executable, "-m", "linter", ".", "--no-config", "--color", "never"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # as `| head -1` has done by the time the report comes
    stderr = process.stderr.read()
    assert process.wait(timeout=20) == 1
    assert stderr == b""


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_closed_standard_output_is_no_crash(tmp_path, buffered):
    # Buffered (the default): the write succeeds and the flush fails; then the null device,
    # opened to stand in, gets the closed descriptor's own number.
    (tmp_path / "a.yaml").write_text(BROKEN)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if not buffered:
        environment["PYTHONUNBUFFERED"] = "1"
    completed = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); sys.argv[1:] = ['a.yaml', '--no-config']; import runpy; runpy.run_module('linter', run_name='__main__')"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        timeout=20,
        env=environment,
    )
    assert b"Traceback" not in completed.stderr and b"Exception ignored" not in completed.stderr, completed.stderr
    assert completed.returncode == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors")
def test_started_with_standard_output_closed_is_no_crash(tmp_path):
    (tmp_path / "a.yaml").write_text(BROKEN)
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "a.yaml", "--no-config"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        timeout=20,
        preexec_fn=lambda: os.close(1),  # as `mldeploy-lint a.yaml >&-` starts it
    )
    assert completed.stderr == b""
    assert completed.returncode == 1


# --- --output never overwrites an input ------------------------------------------------------------


def test_output_onto_a_named_input_is_refused(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    for paths in (["deploy.yaml"], ["."], [str(chdir_tmp)]):
        result = cli(*paths, "--no-config", "-o", "deploy.yaml")
        assert result.code == 2
        assert result.err == "mldeploy-lint: error: --output deploy.yaml is one of the files being linted; write the report elsewhere\n"
        assert (chdir_tmp / "deploy.yaml").read_text() == BROKEN


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic and hard links")
def test_output_through_a_link_onto_an_input_is_refused(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    os.symlink("deploy.yaml", chdir_tmp / "report.txt")
    os.link(chdir_tmp / "deploy.yaml", chdir_tmp / "hard.txt")
    for target in ("report.txt", "hard.txt"):
        result = cli("deploy.yaml", "--no-config", "-o", target)
        assert result.code == 2 and "is one of the files being linted" in result.err
    assert (chdir_tmp / "deploy.yaml").read_text() == BROKEN


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_output_replaces_a_symlink_instead_of_writing_through_it(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    elsewhere = chdir_tmp / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep me\n")
    os.symlink(elsewhere / "precious.txt", chdir_tmp / "report.txt")
    result = cli("deploy.yaml", "--no-config", "--context", "none", "-o", "report.txt")
    assert result.code == 1
    assert (elsewhere / "precious.txt").read_text() == "keep me\n"
    report = chdir_tmp / "report.txt"
    assert not report.is_symlink() and "MD001" in report.read_text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_into_a_named_pipe_is_written_into_it_not_over_it(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    os.mkfifo(chdir_tmp / "report.pipe")
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append((chdir_tmp / "report.pipe").read_bytes()), daemon=True)
    reader.start()
    result = cli("deploy.yaml", "--no-config", "--context", "none", "-o", "report.pipe")
    reader.join(timeout=30)
    assert result.code == 1 and "MD001" in received[0].decode()
    assert stat.S_ISFIFO(os.lstat(chdir_tmp / "report.pipe").st_mode)


def test_output_into_a_character_device_leaves_the_device(cli, chdir_tmp):
    # `-o /dev/null` run as root once renamed a file over the null device; a copy of it stands in for it here.
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    device = chdir_tmp / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("making a device node needs privileges (or a platform) this run does not have")
    result = cli("deploy.yaml", "--no-config", "--context", "none", "-o", str(device))
    assert result.code == 1 and result.err == ""
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes and symbolic links")
def test_output_through_a_link_to_a_pipe_or_onto_a_directory_is_refused(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    os.mkfifo(chdir_tmp / "pipe")
    os.symlink(chdir_tmp / "pipe", chdir_tmp / "report.txt")
    linked = cli("deploy.yaml", "--no-config", "-o", "report.txt")
    assert linked.code == 2 and "is a link to a device, a pipe or a descriptor" in linked.err
    assert os.path.islink(chdir_tmp / "report.txt")
    (chdir_tmp / "reports").mkdir()
    directory = cli("deploy.yaml", "--no-config", "-o", "reports")
    assert directory.code == 2 and directory.err == "mldeploy-lint: error: cannot write reports: it is a directory, not a file\n"


def test_output_is_written_whole_or_not_at_all(cli, chdir_tmp):
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    (chdir_tmp / "out").mkdir()
    result = cli("deploy.yaml", "--no-config", "-o", "out/report.txt")
    assert result.code == 1
    assert sorted(path.name for path in (chdir_tmp / "out").iterdir()) == ["report.txt"]  # no temporary file left
    assert oct((chdir_tmp / "out" / "report.txt").stat().st_mode & 0o777) != oct(0o600)
    missing = cli("deploy.yaml", "--no-config", "-o", "nowhere/report.txt")
    assert missing.code == 2 and missing.err.startswith("mldeploy-lint: error: cannot write nowhere/report.txt: ")


# --- rules --output-dir writes only what it owns ------------------------------------------------------


def _rule_pages(cli, directory: Path):
    return cli("rules", "--format", "markdown", "--output-dir", str(directory))


def test_rule_pages_refuse_a_directory_they_did_not_write(cli, tmp_path):
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    (decisions / "ADR001.md").write_text("# ADR001 use Spot for batch\n")
    result = _rule_pages(cli, decisions)
    assert result.code == 2
    assert result.err == (
        f"mldeploy-lint: error: {decisions} is not empty and holds no rule reference written by "
        "`mldeploy-lint rules` (no README.md with its generated-file marker); choose a new or empty directory\n"
    )
    (decisions / "README.md").write_text("# Architecture decisions\n")
    assert _rule_pages(cli, decisions).code == 2
    assert sorted(path.name for path in decisions.iterdir()) == ["ADR001.md", "README.md"]
    assert (decisions / "README.md").read_text() == "# Architecture decisions\n"


def test_rule_pages_replace_and_remove_only_their_own_files(cli, tmp_path):
    from linter import rule_docs

    reference = tmp_path / "rules"
    assert _rule_pages(cli, reference).code == 0  # a new directory
    pages = sorted(path.name for path in reference.iterdir())
    assert "README.md" in pages and "EP001.md" in pages
    assert all((reference / name).read_text().startswith(rule_docs.GENERATED_MARKER + "\n") for name in pages)

    (reference / "ADR001.md").write_text("# ADR001 hand-written\n")
    (reference / "notes.md").write_text("kept\n")
    (reference / "ZZ999.md").write_text(rule_docs.GENERATED_MARKER + "\n# ZZ999 a rule that no longer exists\n")
    (reference / "EP001.md").write_text(rule_docs.GENERATED_MARKER + "\n# stale\n")
    result = _rule_pages(cli, reference)
    assert (result.code, result.out, result.err) == (0, "", "")
    names = sorted(path.name for path in reference.iterdir())
    assert names == sorted(set(pages) | {"ADR001.md", "notes.md"})
    assert (reference / "ADR001.md").read_text() == "# ADR001 hand-written\n"
    assert "# EP001 payload-exceeds-endpoint-limit" in (reference / "EP001.md").read_text()


def test_rule_pages_refuse_to_overwrite_a_hand_written_page(cli, tmp_path):
    reference = tmp_path / "rules"
    assert _rule_pages(cli, reference).code == 0
    (reference / "EP001.md").write_text("# EP001, annotated by hand\n")
    (reference / "ZZ999.md").write_text("# ZZ999 hand-written too\n")
    result = _rule_pages(cli, reference)
    assert result.code == 2
    assert result.err == (
        f"mldeploy-lint: error: {reference / 'EP001.md'} was not written by `mldeploy-lint rules` "
        "(no generated-file marker); move it away to regenerate the rule reference\n"
    )
    assert (reference / "EP001.md").read_text() == "# EP001, annotated by hand\n"
    assert (reference / "ZZ999.md").exists()


def test_rule_pages_refuse_a_file_in_place_of_the_directory(cli, tmp_path):
    (tmp_path / "rules").write_text("not a directory\n")
    result = _rule_pages(cli, tmp_path / "rules")
    assert result.code == 2 and "is not a directory" in result.err
    assert (tmp_path / "rules").read_text() == "not a directory\n"

"""A real editor: headless Neovim runs the language server with docs/editors.md's set-up and shows its diagnostics.

`nvim --headless --clean` (no user configuration, XDG directories in a
temporary one) loads the plain `vim.lsp` set-up printed in docs/editors.md,
with its command swapped for this interpreter's `python -m linter lsp`, then
tests/lsp/nvim/driver.lua opens a CloudFormation `*.template` and a copy of
the example the guide names, waits for each file's diagnostics, asks for the
hover on the first one and writes what Neovim received as JSON. The server
must then end cleanly when Neovim quits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EDITORS_DOC = REPO / "docs" / "editors.md"
DRIVER = HERE / "nvim" / "driver.lua"
EXAMPLE = REPO / "examples" / "kubernetes" / "recommender-kserve.yaml"
# A Terraform module: its main.tf is linted with the stage files beside it (prod.tfvars makes it production).
TERRAFORM = REPO / "examples" / "terraform" / "llm-summariser"
NVIM = shutil.which("nvim")

pytestmark = pytest.mark.skipif(
    NVIM is None, reason="Neovim is not installed (no `nvim` on PATH; `apt-get install neovim` provides it)"
)

DOC_COMMAND = 'local cmd = { "mldeploy-lint", "lsp" }'
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OddSize:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          ServerlessConfig:
            MemorySizeInMB: 1500
            MaxConcurrency: 10
"""
ERROR, WARN = 1, 2  # vim.diagnostic.severity
# (code, 0-based line, 0-based column, severity) of what each file must show, nothing more.
EXPECTED = {
    "endpoint.template": [("CV001", 9, 28, ERROR)],
    # docs/editors.md's "Check that it works": CP001 on line 22, HA003 on line 12 (1-based there).
    EXAMPLE.name: [("HA003", 11, 17, ERROR), ("CP001", 21, 26, WARN)],
    "main.tf": [("AS001", 23, 2, ERROR), ("EP007", 23, 2, WARN), ("HA001", 27, 29, ERROR)],
}
# The file type Neovim gives each file: the documented autocmd makes *.template YAML.
FILETYPES = {"endpoint.template": "yaml", EXAMPLE.name: "yaml", "main.tf": "terraform"}
WAIT_MS = 15_000  # for each file's diagnostics, inside Neovim
NVIM_TIMEOUT = 60  # seconds for the whole Neovim run: a hang fails, it never blocks the suite
EXIT_TIMEOUT = 5  # seconds for the server to be gone once Neovim has quit


def _documented_setup() -> str:
    """The Lua between docs/editors.md's neovim-test markers, with the command that runs this checkout."""
    match = re.search(
        r"<!-- neovim-test: begin -->\n```lua\n(.*?)```\n<!-- neovim-test: end -->",
        EDITORS_DOC.read_text(encoding="utf-8"),
        flags=re.S,
    )
    assert match, "docs/editors.md lost its neovim-test markers around the plain vim.lsp set-up"
    setup = match.group(1)
    assert setup.count(DOC_COMMAND) == 1, f"the documented set-up no longer says {DOC_COMMAND!r}"
    here = ", ".join(f"[==[{word}]==]" for word in (sys.executable, "-m", "linter", "lsp"))
    return setup.replace(DOC_COMMAND, f"local cmd = {{ {here} }}")


def _group_left(group: int) -> list[str]:
    """The processes still running in process group `group` (zombies waiting to be reaped have ended)."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc: only whether any member, zombie or not, is left
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [f"a process of group {group}"]
    left = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, pgrp = (entry / "stat").read_text().rpartition(")")[2].split()[:3]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError):
            continue  # ended while we looked
        if int(pgrp) == group and state != "Z":
            left.append(f"{entry.name} {command}")
    return left


def _end_group(group: int) -> None:
    """Kill what is left of the process group `group` (Neovim and the server it started), if anything."""
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _run_neovim(tmp_path: Path, files: list[Path]) -> tuple[dict, list[tuple[int, int, int]], str, int]:
    """Run the driver; return what Neovim received, each server exit (code, signal, ms after quitting),
    a report for failures, and the process group Neovim ran in."""
    home = tmp_path / "nvim-home"
    env = {key: value for key, value in os.environ.items() if key not in {"NVIM", "NVIM_LISTEN_ADDRESS", "VIMINIT", "MYVIMRC"}}
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    env["NVIM_LOG_FILE"] = str(home / "nvim.log")
    setup, result, exits = tmp_path / "setup.lua", tmp_path / "result.json", tmp_path / "exits.txt"
    setup.write_text(_documented_setup(), encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text(
        json.dumps(
            {"config": str(setup), "files": [str(path) for path in files], "result": str(result), "exits": str(exits), "timeout_ms": WAIT_MS}
        ),
        encoding="utf-8",
    )
    env["MLDEPLOY_NVIM_PARAMS"] = str(params)
    # Its own session and process group: whatever Neovim starts can be found, and ended, by that group.
    process = subprocess.Popen(
        [NVIM, "--headless", "--clean", "-S", str(DRIVER)],
        cwd=files[0].parent,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=NVIM_TIMEOUT)
        timed_out = False
    except subprocess.TimeoutExpired:
        _end_group(process.pid)
        out, err = process.communicate()
        timed_out = True
    log = home / "cache" / "nvim" / "lsp.log"
    report = "\n".join(
        [
            f"nvim exit status {process.returncode}" + (f" (killed after {NVIM_TIMEOUT} s)" if timed_out else ""),
            f"--- nvim stdout ---\n{out.decode(errors='replace')}",
            f"--- nvim stderr ---\n{err.decode(errors='replace')}",
            f"--- {log} (last 6000 characters) ---\n{log.read_text(errors='replace')[-6000:] if log.exists() else '(none)'}",
        ]
    )
    try:
        assert not timed_out, report
        assert result.exists(), f"Neovim wrote no result\n{report}"
        received = json.loads(result.read_text(encoding="utf-8"))
        assert "error" not in received, f"the driver failed: {received.get('error')}\n{report}"
        assert process.returncode == 0, report
    except AssertionError:
        _end_group(process.pid)
        raise
    ended = [tuple(int(word) for word in line.split()) for line in exits.read_text().splitlines()] if exits.exists() else []
    return received, ended, report, process.pid


def test_neovim_shows_the_servers_diagnostics_and_the_server_exits_with_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    template = project / "endpoint.template"
    template.write_text(TEMPLATE, encoding="utf-8")
    example = project / EXAMPLE.name
    shutil.copyfile(EXAMPLE, example)
    assert str(EXAMPLE.relative_to(REPO)) in EDITORS_DOC.read_text(encoding="utf-8")
    for name in ("main.tf", "variables.tf", "prod.tfvars", "staging.tfvars"):
        shutil.copyfile(TERRAFORM / name, project / name)
    # pytest's directory names say "test", a stage word: only the tfvars files' names may say the stage.
    (project / "mldeploy-lint.toml").write_text("[environments]\npath-words = false\n", encoding="utf-8")
    module = project / "main.tf"

    received, ended, report, group = _run_neovim(tmp_path, [template, example, module])
    servers = received["servers"]
    try:
        assert [file["path"] for file in received["files"]] == [str(template), str(example), str(module)], report
        for file in received["files"]:
            name = Path(file["path"]).name
            # The FileType autocmd attaches the server to each of these file types.
            assert file["filetype"] == FILETYPES[name], f"{name}: {file}"
            assert file["attached"] == ["mldeploy-lint"], f"{name}: {file}\n{report}"
            assert file["arrived"], f"{name}: no diagnostics within {WAIT_MS} ms\n{report}"
            diagnostics = file["diagnostics"]
            shown = sorted((item["code"], item["lnum"], item["col"], item["severity"]) for item in diagnostics)
            assert shown == sorted(EXPECTED[name]), f"{name}: {diagnostics}\n{report}"
            for item in diagnostics:
                assert item["source"] == "mldeploy-lint", item
                assert item["message"], item
                assert item["href"].endswith(f"/{item['code']}.md"), item
            assert diagnostics[0]["code"] in (file["hover"] or ""), f"{name}: hover {file['hover']!r}"
        # The files share one root directory: one server serves them all.
        assert [server["name"] for server in servers] == ["mldeploy-lint"], servers
        # Quitting Neovim sends shutdown and exit: the server ends by itself, status 0, no signal.
        assert [(code, sig) for code, sig, _ in ended] == [(0, 0)], f"server exits (code, signal, ms): {ended}\n{report}"
    finally:
        # Nothing Neovim started may outlive it: the server, or anything the server started.
        deadline = time.monotonic() + EXIT_TIMEOUT
        while (left := _group_left(group)) and time.monotonic() < deadline:
            time.sleep(0.05)
        _end_group(group)
    assert not left, f"still running {EXIT_TIMEOUT} s after Neovim quit (servers {servers}): {left}"

"""Dataclass methods compiled once per installation (linter/method_cache.py).

Each process test runs a fresh interpreter with its own bytecode prefix
(PYTHONPYCACHEPREFIX), so what it writes is found there and nowhere else.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter import method_cache

ENDPOINT = Path(__file__).resolve().parent / "fixtures" / "startup" / "endpoint.yaml"

# What the table of a fresh `import linter` says: texts compiled here, texts read from the file, where it is.
_REPORT = (
    "import linter, json; from linter import method_cache as m; t = m._TABLE[0]; "
    "print(json.dumps([t.compiled, len(t.used), t.path]))"
)


def _python(*args: str, prefix: Path, cwd: Path, write: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _report(prefix: Path, cwd: Path, write: bool = True) -> tuple[int, int, str]:
    import json

    done = _python("-c", _REPORT, prefix=prefix, cwd=cwd, write=write)
    assert done.returncode == 0, done.stderr
    compiled, used, path = json.loads(done.stdout)
    return compiled, used, path


def test_a_second_process_compiles_no_method_the_first_did(tmp_path: Path):
    prefix, work = tmp_path / "bytecode", tmp_path / "work"
    work.mkdir()
    compiled, used, path = _report(prefix, work)
    assert compiled == used > 50  # every text compiled: nothing was kept yet
    assert Path(path).is_file() and Path(path).is_relative_to(prefix)  # beside the package's bytecode, under the prefix
    again, used_again, _ = _report(prefix, work)
    assert (again, used_again) == (0, used)
    assert list(work.iterdir()) == []  # nothing written where the process ran


def test_a_lint_run_reads_the_table_and_reports_as_before(tmp_path: Path):
    prefix, work = tmp_path / "bytecode", tmp_path / "work"
    work.mkdir()
    (work / "endpoint.yaml").write_text(ENDPOINT.read_text())
    runs = [_python("-m", "linter", "--no-cache", "--context", "none", "endpoint.yaml", prefix=prefix, cwd=work) for _ in range(2)]
    assert runs[0].returncode == runs[1].returncode == 1, runs[0].stderr
    assert "EP001 [payload-exceeds-endpoint-limit]" in runs[0].stdout
    assert runs[1].stdout == runs[0].stdout and runs[1].stderr == runs[0].stderr == ""
    assert _report(prefix, work)[0] == 0  # the console run's exit handlers wrote the table


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path: Path):
    prefix, work = tmp_path / "bytecode", tmp_path / "work"
    work.mkdir()
    compiled, _, path = _report(prefix, work, write=False)
    assert compiled > 50 and not Path(path).exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a table",
        b"\x00\x00\x00\x00 mldeploy-lint dataclass methods 1\n" + marshal.dumps({}),  # another Python's magic number
        method_cache._HEADER + b"\xff\xfe",  # damaged
        method_cache._HEADER + marshal.dumps({b"k": "not code"}),
        method_cache._HEADER + marshal.dumps([compile("x = 1", "<string>", "exec")]),
    ],
)
def test_a_file_that_is_not_what_save_writes_is_ignored_and_rewritten(tmp_path: Path, content: bytes):
    prefix, work = tmp_path / "bytecode", tmp_path / "work"
    work.mkdir()
    _, _, path = _report(prefix, work)
    Path(path).write_bytes(content)
    assert method_cache._read(path) == {}
    compiled, used, _ = _report(prefix, work)
    assert compiled == used > 50
    assert method_cache._read(path)  # written anew


def test_methods_made_through_the_table_are_those_dataclasses_makes():
    table = method_cache._TABLE[0]
    assert dataclasses.exec == table.exec  # installed when linter was imported
    before = len(table.used)

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        label: str = "origin"
        tags: tuple = dataclasses.field(default=(), compare=False)

    assert len(table.used) > before
    point = Point(1)
    assert (point.x, point.label, point.tags) == (1, "origin", ())
    assert repr(point) == "test_methods_made_through_the_table_are_those_dataclasses_makes.<locals>.Point(x=1, label='origin', tags=())"
    assert point == Point(1, tags=("t",)) and hash(point) == hash(Point(1)) and Point(1) < Point(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    assert dataclasses.replace(point, label="moved") == Point(1, "moved")


def test_a_table_that_cannot_be_written_leaves_the_methods_compiled_each_time(tmp_path: Path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    table = method_cache._Table(str(blocker / "dataclass-methods.bin"))  # its directory cannot be made
    table.exec("def __create_fn__():\n def f(): return 1\n return f", {}, {})
    monkeypatch.setattr(method_cache, "_TABLE", [table])
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert method_cache.save() is False
    assert list(tmp_path.iterdir()) == [blocker]

"""No code from the linted repository ever runs, however the linter is started.

A hostile repository holds modules named like the linter's own packages, a
fake installed distribution whose entry point names one of its modules, a
`conftest.py`, a `.pth` file, and a configuration naming a plugin module
that sits in the repository. Every one of them, when imported, writes a
marker file; the test lints the repository from inside it and asserts that
no marker appeared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"


def _marker(name: str) -> str:
    return f"import pathlib\npathlib.Path(__file__).resolve().parent.joinpath({f'imported-{name}'!r}).touch()\n"


def hostile_repository(root: Path, *, with_linter_package: bool = True, config_plugin: bool = False) -> Path:
    """A repository whose every importable piece marks its import in `root/*/imported-*` files."""
    (root / ".git").mkdir(parents=True)
    (root / "deploy.yaml").write_text(GOOD)
    (root / "conftest.py").write_text(_marker("conftest"))
    (root / "evil.pth").write_text("import pathlib; pathlib.Path('imported-pth').touch()\n")
    (root / "plugins").mkdir()
    (root / "plugins" / "__init__.py").write_text(_marker("plugins"))
    if with_linter_package:
        (root / "linter").mkdir()
        (root / "linter" / "__init__.py").write_text(_marker("linter"))
        (root / "linter" / "__main__.py").write_text(_marker("linter-main"))
    (root / "hostile_plugin.py").write_text(_marker("entry-point"))
    dist_info = root / "hostile_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: hostile-plugin\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[mldeploy_lint]\nhostile = hostile_plugin\n")
    (root / "repo_plugin.py").write_text(_marker("config-plugin"))
    if config_plugin:
        (root / "mldeploy-lint.toml").write_text('plugins = ["repo_plugin"]\n')
    return root


def imported(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("imported-*"))


def _console_script() -> str:
    beside = Path(sys.executable).parent / "mldeploy-lint"
    found = str(beside) if beside.exists() else shutil.which("mldeploy-lint")
    if not found:
        pytest.skip("the mldeploy-lint console script is not installed")
    return found


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("form", ["mldeploy-lint", "python -m linter"])
def test_linting_a_hostile_repository_from_inside_imports_nothing_from_it(tmp_path, form):
    # Python finds the `linter` package of `python -m linter` before any of the linter's code runs:
    # a repository's own `linter/` would be that package (see test_safe_path_keeps_even_linter_out).
    root = hostile_repository(tmp_path / "repo", with_linter_package=form == "mldeploy-lint")
    command = [_console_script()] if form == "mldeploy-lint" else [sys.executable, "-m", "linter"]
    completed = _run([*command, "deploy.yaml", "--color", "never"], root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "MD002" not in completed.stdout
    # A ConfigMap is no deployment: the run says so, and nothing else.
    assert [line for line in completed.stderr.splitlines() if "holds no deployment" not in line] == []
    assert imported(root) == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="-P (safe_path) is Python 3.11+")
def test_safe_path_keeps_even_linter_out(tmp_path):
    root = hostile_repository(tmp_path / "repo")
    completed = _run([sys.executable, "-P", "-m", "linter", "deploy.yaml", "--color", "never"], root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert imported(root) == []


@pytest.mark.parametrize("form", ["mldeploy-lint", "python -m linter"])
def test_a_configured_plugin_module_in_the_repository_is_not_imported(tmp_path, form):
    root = hostile_repository(tmp_path / "repo", with_linter_package=False, config_plugin=True)
    command = [_console_script()] if form == "mldeploy-lint" else [sys.executable, "-m", "linter"]
    completed = _run([*command, "deploy.yaml", "--color", "never"], root)
    assert completed.returncode == 2
    assert completed.stderr.startswith("mldeploy-lint: error: cannot import plugin module 'repo_plugin': ModuleNotFoundError")
    assert imported(root) == []


def test_the_working_directory_entries_are_dropped(tmp_path, monkeypatch):
    import linter.__main__ as entry  # noqa: F401  (importing runs nothing: the module exits only when run)

    monkeypatch.chdir(tmp_path)
    path = [str(tmp_path), "/usr/lib/python3", "", "/site-packages", "."]
    entry._drop_working_directory(path)
    assert path == ["/usr/lib/python3", "/site-packages"]


def test_linting_another_directory_imports_nothing_from_it(cli, tmp_path):
    root = hostile_repository(tmp_path / "repo", config_plugin=True)
    result = cli(str(root / "deploy.yaml"), "--no-config")
    assert result.code == 0
    assert imported(root) == []

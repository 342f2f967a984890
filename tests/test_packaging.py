"""A normal (non-editable) install ships the schemas and data, and resolves to this distribution."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _declared_packages() -> set[str]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^packages = \[(.*?)\]", text, re.M | re.S).group(1)
    return set(re.findall(r'"([^"]+)"', block))


def test_every_python_package_is_declared():
    found = set()
    for top in ("linter", "plugins"):
        for init in (REPO / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(REPO).parts))
    for directory in (REPO / "linter").rglob("*"):
        if directory.is_dir() and any(directory.glob("*.py")) and directory.name != "__pycache__":
            assert (directory / "__init__.py").exists(), f"{directory} has modules but no __init__.py"
    assert found | {"mldeploy_lint_schemas"} == _declared_packages()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("mldeploy_lint-*.whl")
    return built


@pytest.mark.slow
def test_wheel_contents(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mldeploy_lint_schemas/workload-profile.schema.json" in names
    assert "mldeploy_lint_schemas/data-tables.schema.json" in names
    assert any(re.fullmatch(r"plugins/data/[^/]+\.yaml", name) for name in names)
    assert not any(name.startswith("tests/") for name in names)
    assert not any("sarif-schema" in name for name in names), "the SARIF schema is test data, not shipped"
    (entry_points,) = [name for name in names if name.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[mldeploy_lint]" in text
    for plugin in ("cloudformation", "endpoint_fit", "config_validity", "reporters"):
        assert re.search(rf"^{plugin} = plugins\.", text, re.M), plugin
    assert "mldeploy-lint = linter.cli:main" in text


@pytest.mark.slow
def test_installed_wheel_lints_examples(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    # System site-packages provide the dependencies (no network needed); the
    # wheel itself is installed into the venv, whose site-packages come first.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
        check=True,
        timeout=300,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    clean_env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    located = subprocess.run(
        [str(python), "-c", "import linter, plugins, mldeploy_lint_schemas as s; print(linter.__file__); print(plugins.__file__); print(s.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    )
    for line in located.stdout.splitlines():
        assert str(env_dir) in line, f"{line} is not from the installed wheel"
    script = env_dir / "bin" / "mldeploy-lint"
    completed = subprocess.run(
        [str(script), str(REPO / "examples")], cwd=work, capture_output=True, text=True, env=clean_env, timeout=120
    )
    assert completed.returncode == 1, completed.stderr
    assert "EP001 [payload-exceeds-endpoint-limit]" in completed.stdout
    assert "MD002" not in completed.stdout

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
    assert "plugins/data/tables.json" in names  # what raw_tables reads
    assert not any(name.startswith("tests/") for name in names)
    assert not any("sarif-schema" in name for name in names), "the SARIF schema is test data, not shipped"
    # Bytecode, and the dataclass-method table kept beside it (linter/method_cache.py), belong to one interpreter.
    assert not any("__pycache__" in name or "dataclass-methods" in name for name in names)
    (entry_points,) = [name for name in names if name.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[mldeploy_lint]" in text
    for plugin in ("cloudformation", "endpoint_fit", "config_validity", "reporters"):
        assert re.search(rf"^{plugin} = plugins\.", text, re.M), plugin
    assert "mldeploy-lint = linter.cli:run" in text


def _test_environment_site_packages() -> list[str]:
    """The site-packages directories of the environment running the tests (never the base interpreter's)."""
    import sysconfig

    paths = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    return sorted(path for path in paths if path and os.path.isdir(path))


@pytest.mark.slow
def test_installed_wheel_lints_examples(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    # An isolated venv: the base interpreter's site-packages stay out (on a
    # fresh machine they hold nothing). The dependencies come from the
    # environment running the tests, appended after the venv's own
    # site-packages by a .pth file, so the wheel installed into the venv wins
    # over any copy of this project in the test environment. No network.
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    located_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The wheel goes in first: with the test environment already on the venv's
    # path, pip would find this project installed there and skip the wheel.
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--ignore-installed", str(wheel)],
        check=True,
        timeout=300,
    )
    dependencies = _test_environment_site_packages()
    Path(located_site, "_test_environment.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    work = tmp_path / "elsewhere"
    work.mkdir()
    clean_env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    located = subprocess.run(
        [
            str(python),
            "-c",
            "import linter, plugins, mldeploy_lint_schemas as s, pathspec, ruamel.yaml as y; "
            "print(linter.__file__); print(plugins.__file__); print(s.__file__); print(pathspec.__file__); print(y.__file__)",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    )
    linter_file, plugins_file, schemas_file, pathspec_file, yaml_file = located.stdout.splitlines()
    for line in (linter_file, plugins_file, schemas_file):
        assert line.startswith(str(env_dir)), f"{line} is not from the installed wheel"
    for line in (pathspec_file, yaml_file):
        # A dependency the base interpreter happens to have would hide a missing install step.
        assert any(line.startswith(directory) for directory in dependencies), (
            f"{line} is not from the test environment ({dependencies})"
        )
    script = env_dir / "bin" / "mldeploy-lint"
    completed = subprocess.run(
        [str(script), str(REPO / "examples")], cwd=work, capture_output=True, text=True, env=clean_env, timeout=120
    )
    assert completed.returncode == 1, completed.stderr
    assert "EP001 [payload-exceeds-endpoint-limit]" in completed.stdout
    assert "MD002" not in completed.stdout

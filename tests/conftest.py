"""Shared test helpers: run the CLI in-process, find the shared corpus."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The shared corpus sits beside the repository on development machines and in
# CI; a fresh clone elsewhere has none, and the tests that need it skip.
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, stdin: bytes | None = None) -> CliResult:
    """Run `mldeploy-lint ARGS` in-process and capture its output and exit code."""
    from linter.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse exits on usage errors and --version
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def _private_parse_cache(tmp_path_factory, monkeypatch):
    """Every test's on-disk parse cache is a scratch directory: never the user's own cache."""
    from linter.disk_cache import CACHE_DIR_ENV

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path_factory.mktemp("parse-cache")))


@pytest.fixture
def cli():
    """The `run_cli` helper as a fixture."""
    return run_cli


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; skips when this checkout has none beside it."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not present at {CORPUS} (only development machines and CI have it)")
    return CORPUS


@pytest.fixture
def chdir_tmp(tmp_path, monkeypatch):
    """Run the test inside tmp_path (relative paths in output).

    Through monkeypatch, so a test that changes directory again with
    `monkeypatch.chdir` is still returned to where it started.
    """
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/rules/*/findings.json, adapter goldens) from the current output",
    )


@pytest.fixture
def update_goldens(request) -> bool:
    """True when the run was asked to rewrite golden files instead of comparing."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(autouse=True)
def _without_regional_tables(request, monkeypatch):
    """Keep the installed cfn-lint's regional tables out of every test that does not ask for them.

    Those tables change with each cfn-lint release (an instance type drops
    out of a region's pricing list), so goldens and expected findings would
    depend on the machine. Tests of the regional check mark themselves
    `regional_tables` or install a table of their own.
    """
    if request.node.get_closest_marker("regional_tables"):
        yield
        return
    from plugins import data

    monkeypatch.setattr(data.instances, "_cfnlint_root", lambda: None)
    data.regional_instance_types.cache_clear()
    yield
    data.regional_instance_types.cache_clear()

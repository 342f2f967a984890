"""The directory walk (linter.discovery): which files it yields, in which order, and what it never follows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linter import discovery
from linter.discovery import DiscoveryOptions


def _tree(root: Path) -> None:
    for path in ("b/z.yaml", "b/a.yml", "b/c/d.json", "a.yaml", "A.YAML", "notes.txt", "x.template", "b/c/e/f.yaml", "b/d/x.yaml", "skip/g.yaml"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("a: 1\n")
    (root / ".gitignore").write_text("skip/\n")


def test_the_walk_goes_depth_first_files_before_subdirectories_names_sorted(tmp_path: Path) -> None:
    _tree(tmp_path)
    walked = [os.path.relpath(path, tmp_path) for path in discovery._walk(str(tmp_path), DiscoveryOptions(), [])]
    # The order of a top-down os.walk with sorted names; patterns match by case as fnmatch does here.
    expected = ["a.yaml", "x.template", "b/a.yml", "b/z.yaml", "b/c/d.json", "b/c/e/f.yaml", "b/d/x.yaml"]
    if os.path.normcase("A") != "A":  # pragma: no cover - a platform whose names match without case
        expected.insert(0, "A.YAML")
    assert walked == expected
    assert discovery.list_directory(str(tmp_path)) == sorted(str(tmp_path / name) for name in expected if "/" not in name)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_the_walk_follows_no_directory_link_and_yields_no_pipe_or_device(tmp_path: Path) -> None:
    _tree(tmp_path)
    os.symlink(tmp_path / "b", tmp_path / "linked-dir")  # would yield b's files twice, or loop
    os.symlink(tmp_path / "a.yaml", tmp_path / "linked.yaml")  # a link to a regular file is a file
    os.symlink(tmp_path / "missing.yaml", tmp_path / "dangling.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    os.symlink("/dev/null", tmp_path / "device.yaml")
    os.symlink(tmp_path, tmp_path / "b" / "loop")
    walked = {os.path.relpath(path, tmp_path) for path in discovery._walk(str(tmp_path), DiscoveryOptions(), [])}
    assert walked == {"a.yaml", "x.template", "linked.yaml", "b/a.yml", "b/z.yaml", "b/c/d.json", "b/c/e/f.yaml", "b/d/x.yaml"}


def test_a_directory_that_vanishes_or_cannot_be_listed_is_skipped(tmp_path: Path, monkeypatch) -> None:
    _tree(tmp_path)
    real_scandir = os.scandir

    def failing(path):
        if str(path).endswith(os.sep + "c"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", failing)
    walked = [os.path.relpath(path, tmp_path) for path in discovery._walk(str(tmp_path), DiscoveryOptions(), [])]
    assert walked == ["a.yaml", "x.template", "b/a.yml", "b/z.yaml", "b/d/x.yaml"]


def test_patterns_match_as_fnmatch_does() -> None:
    match = discovery._name_matcher(("*.yaml", "stage-?.json", "[ab]*.tf"))
    assert match("x.yaml") and match("stage-1.json") and match("a-main.tf")
    assert not match("x.yaml.bak") and not match("stage-10.json") and not match("c.tf")
    assert not discovery._name_matcher(())("x.yaml")

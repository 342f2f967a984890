"""linter.installed_plugins reads entry points as importlib.metadata does, and gives way to it where it cannot."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from linter import hookspecs, installed_plugins


def _pairs(items) -> list[tuple[str, str]]:
    return [(item.name, item.value) for item in items]


@pytest.mark.parametrize("group", [hookspecs.PROJECT, "console_scripts", "pytest11", "no_such_group"])
def test_this_interpreter_s_entry_points_are_importlib_metadata_s(group):
    read = installed_plugins._read(group)
    assert read is not None, "this environment's layout is the ordinary one the reader is for"
    assert _pairs(read) == _pairs(metadata.entry_points(group=group))


def _distribution(root, directory: str, text: str) -> None:
    (root / directory).mkdir(parents=True)
    (root / directory / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {directory.split('-')[0]}\nVersion: 1\n")
    (root / directory / "entry_points.txt").write_text(text)


def test_sys_path_order_duplicates_and_the_file_format(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    _distribution(
        first,
        "Acme_Rules-1.0.dist-info",
        "# a comment\n[console_scripts]\nacme = acme:main\n\n[mldeploy_lint]\n  acme = acme_rules : plugin [extra]  \n",
    )
    # The same distribution (by normalised name) later on sys.path is hidden; another one is not.
    _distribution(second, "acme.rules-2.0.dist-info", "[mldeploy_lint]\nacme_old = acme_rules_old\n")
    _distribution(second, "other-1.egg-info", "[mldeploy_lint]\nother = other_plugin\n")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    expected = _pairs(metadata.entry_points(group=hookspecs.PROJECT))
    assert expected == [("acme", "acme_rules : plugin [extra]"), ("other", "other_plugin")]
    assert _pairs(installed_plugins.entry_points(hookspecs.PROJECT)) == expected


def test_a_line_without_equals_is_skipped(tmp_path, monkeypatch):
    # importlib.metadata raises on such a line (Python 3.11); one broken distribution must not stop a run.
    _distribution(tmp_path, "broken-1.dist-info", "[mldeploy_lint]\nnot an entry point\ngood = good_plugin\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert _pairs(installed_plugins.entry_points(hookspecs.PROJECT)) == [("good", "good_plugin")]


def test_load_imports_the_module_and_its_attribute(tmp_path, monkeypatch):
    (tmp_path / "acme_loaded.py").write_text("class Plugin:\n    class Inner:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = installed_plugins.InstalledEntryPoint("acme", "acme_loaded", hookspecs.PROJECT).load()
    assert module.__name__ == "acme_loaded"
    inner = installed_plugins.InstalledEntryPoint("acme", "acme_loaded:Plugin.Inner", hookspecs.PROJECT).load()
    assert inner is module.Plugin.Inner
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        installed_plugins.InstalledEntryPoint("acme", "acme_loaded:missing", hookspecs.PROJECT).load()


def test_a_zip_on_sys_path_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert installed_plugins._read(hookspecs.PROJECT) is None


def test_a_finder_of_distributions_is_left_to_importlib_metadata(monkeypatch):
    class Finder:
        @staticmethod
        def find_spec(*args):
            return None

        @staticmethod
        def find_distributions(*args):
            return iter(())

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    assert installed_plugins._read(hookspecs.PROJECT) is None
    assert _pairs(installed_plugins.entry_points(hookspecs.PROJECT)) == _pairs(metadata.entry_points(group=hookspecs.PROJECT))

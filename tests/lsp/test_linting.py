"""What the language server keeps between edits (linter.lsp.linting, without a client): context and parses.

Kept state must never show stale results: a context file changed on disk
is read again, a new one is seen once the editor reports it (or the walk
is old), and a parse is reused only for the same bytes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from linter.api import lint_text
from linter.engine import InputFile, LintOptions, run_lint
from linter.lsp.linting import WorkspaceLinter
from linter.plugin_manager import build_plugin_host
from linter.source_cache import MISSING, SourceCache

RULES = Path(__file__).resolve().parent.parent / "rules"
DEPLOYMENT, HPA = (RULES / "AS001" / "near_miss_kubernetes.yaml").read_text(encoding="utf-8").split("---\n")[:2]


def _parses(cache_dir: Path) -> list[Path]:
    """The parse entries of a disk cache (not its index of the words context files hold)."""
    return [entry for entry in cache_dir.rglob("*.json") if '"vocabulary"' not in entry.read_text(encoding="ascii")]


def _codes(outcome) -> list[str]:
    return sorted(finding.rule_id for finding in outcome.findings)


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    linter = WorkspaceLinter()
    linter.set_folders([str(tmp_path)])
    return tmp_path, linter


def test_a_context_file_is_parsed_once_while_its_bytes_stay_the_same(workspace):
    root, linter = workspace
    (root / "hpa.yaml").write_text(HPA, encoding="utf-8")
    path = str(root / "deployment.yaml")
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT))
    (cache,) = linter._caches.values()
    misses = cache.misses
    linter.lint(path, DEPLOYMENT.replace("ranker", "ranker", 1) + "\n")  # the document changed, the HPA did not
    assert cache.misses == misses + 1 and cache.hits >= 1


def test_a_context_file_changed_on_disk_is_read_again(workspace):
    root, linter = workspace
    hpa = root / "hpa.yaml"
    hpa.write_text(HPA, encoding="utf-8")
    path = str(root / "deployment.yaml")
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT))
    hpa.write_text(HPA.replace("name: ranker}", "name: somebody-else}"), encoding="utf-8")
    stamp = hpa.stat().st_mtime_ns + 5_000_000_000
    os.utime(hpa, ns=(stamp, stamp))
    assert "AS001" in _codes(linter.lint(path, DEPLOYMENT))


def test_context_files_stay_unread_between_edits_unless_a_plugin_parses_them_all(workspace, monkeypatch):
    # The session keeps each context file as an unread input (a run reads what a plugin may want), not its bytes.
    root, linter = workspace
    (root / "hpa.yaml").write_text(HPA, encoding="utf-8")
    (root / "ci.yml").write_text("on: push\njobs: {test: {runs-on: ubuntu-latest}}\n", encoding="utf-8")
    path = str(root / "deployment.yaml")
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT))
    (index,) = linter._indexes.values()
    kept = [item for _, item in index.known.values()]
    assert len(kept) == 2 and all(item.data == b"" and item.location for item in kept)
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT + "\n"))
    assert [item for _, item in index.known.values()] == kept  # the same inputs, passed again
    # A plugin that reads the run without saying which context files it wants gets every one parsed: their bytes are kept.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "plugin_dist"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # leave no __pycache__ in plugin_dist
    (root / "mldeploy-lint.toml").write_text('plugins = ["acme_deploy_adapter"]\n', encoding="utf-8")
    linter.invalidate(configuration=True)
    try:
        assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT))
    finally:
        sys.modules.pop("acme_deploy_adapter", None)
    (index,) = linter._indexes.values()
    assert sorted(item.data.decode() for _, item in index.known.values() if item.path != str(root / "mldeploy-lint.toml")) == sorted(
        [(root / "ci.yml").read_text(), HPA]
    )


def test_a_new_file_is_seen_once_the_editor_reports_it(workspace):
    root, linter = workspace
    path = str(root / "deployment.yaml")
    assert "AS001" in _codes(linter.lint(path, DEPLOYMENT))
    (root / "hpa.yaml").write_text(HPA, encoding="utf-8")
    linter.invalidate()
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT))


def test_the_configuration_search_stops_at_the_workspace_folder(tmp_path):
    (tmp_path / "mldeploy-lint.toml").write_text('select = ["CV"]\n', encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    linter = WorkspaceLinter()
    linter.set_folders([str(folder)])
    assert linter.config_for(str(folder / "a.yaml"))[0].path is None
    outside = WorkspaceLinter()  # no folders: nothing from disk at all
    assert outside.config_for(str(tmp_path / "a.yaml"))[0].path is None
    assert outside.scope_of(str(tmp_path / "a.yaml")) is None
    inside = WorkspaceLinter()
    inside.set_folders([str(tmp_path)])
    assert inside.config_for(str(folder / "a.yaml"))[0].path == str(tmp_path / "mldeploy-lint.toml")


def test_a_document_outside_the_folders_links_only_to_open_buffers(tmp_path):
    (tmp_path / "hpa.yaml").write_text(HPA, encoding="utf-8")  # on disk beside it: not read
    linter = WorkspaceLinter()
    path = str(tmp_path / "deployment.yaml")
    assert "AS001" in _codes(linter.lint(path, DEPLOYMENT))
    assert "AS001" not in _codes(linter.lint(path, DEPLOYMENT, {str(tmp_path / "hpa.yaml"): HPA}))


def test_the_source_cache_gives_the_same_findings_and_parses_changed_bytes_again():
    host = build_plugin_host()
    text = (RULES / "CP001" / "fires.yaml").read_bytes()
    inputs = [InputFile("fires.yaml", text)]
    cache = SourceCache()
    plain = run_lint(inputs, host, LintOptions())
    first = run_lint(inputs, host, LintOptions(source_cache=cache))
    second = run_lint(inputs, host, LintOptions(source_cache=cache))
    assert plain.findings == first.findings == second.findings and cache.hits == 1
    changed = run_lint([InputFile("fires.yaml", text + b"\n# edited\n")], host, LintOptions(source_cache=cache))
    assert changed.findings == plain.findings and cache.misses == 2
    assert lint_text(text.decode(), "fires.yaml", host=host).findings == plain.findings


def test_the_source_cache_is_bounded():
    cache = SourceCache(max_entries=2)
    for name in ("a", "b", "c"):
        cache.put(name, None)
    assert len(cache) == 2 and cache.get("a") is MISSING and cache.get("c") is None


def test_a_new_session_takes_context_parses_from_disk_but_never_writes_open_documents(tmp_path, monkeypatch):
    from linter import disk_cache, engine
    from linter.disk_cache import CACHE_DIR_ENV

    monkeypatch.setattr(disk_cache, "MIN_ENTRY_BYTES", 0)  # the HPA is smaller than files worth caching
    cache_dir = Path(os.environ[CACHE_DIR_ENV])
    (tmp_path / ".git").mkdir()
    (tmp_path / "hpa.yaml").write_text(HPA, encoding="utf-8")
    path = str(tmp_path / "deployment.yaml")
    Path(path).write_text(DEPLOYMENT, encoding="utf-8")
    first = WorkspaceLinter()
    first.set_folders([str(tmp_path)])
    expected = _codes(first.lint(path, DEPLOYMENT + "# unsaved edit\n"))
    entries = [entry.read_text(encoding="ascii") for entry in _parses(cache_dir)]
    assert len(entries) == 1 and "HorizontalPodAutoscaler" in entries[0]  # the context file, not the open document
    parsed = []
    original = engine._load
    monkeypatch.setattr(engine, "_load", lambda item, *args, **kwargs: parsed.append(item.path) or original(item, *args, **kwargs))
    second = WorkspaceLinter()
    second.set_folders([str(tmp_path)])
    assert _codes(second.lint(path, DEPLOYMENT + "# unsaved edit\n")) == expected
    assert parsed == [path]  # the HPA came from the disk cache


def test_the_disk_caches_a_session_uses_are_given_for_pruning_once_an_hour(tmp_path, monkeypatch):
    from linter import disk_cache
    from linter.disk_cache import CACHE_DIR_ENV
    from linter.lsp.linting import PRUNE_LOOK_SECONDS

    monkeypatch.setattr(disk_cache, "MIN_ENTRY_BYTES", 0)
    cache_dir = Path(os.environ[CACHE_DIR_ENV])
    (tmp_path / ".git").mkdir()
    (tmp_path / "hpa.yaml").write_text(HPA, encoding="utf-8")
    path = str(tmp_path / "deployment.yaml")
    linter = WorkspaceLinter()
    linter.set_folders([str(tmp_path)])
    assert linter.caches_to_prune() == []  # nothing used yet
    linter.lint(path, DEPLOYMENT)
    (entry,) = _parses(cache_dir)  # the HPA's
    old = entry.stat().st_mtime - 40 * 86400  # not used for 40 days: due to go
    os.utime(entry, (old, old))
    (cache,) = linter.caches_to_prune(now=1000.0)
    assert linter.caches_to_prune(now=1000.0 + PRUNE_LOOK_SECONDS - 1) == []
    removed = cache.maybe_prune()
    assert removed is not None and removed.files == 1 and not entry.exists()
    linter.lint(path, DEPLOYMENT)  # the same cache, used again: not given again within the hour
    assert linter.caches_to_prune(now=1000.0 + PRUNE_LOOK_SECONDS - 1) == []
    (again,) = linter.caches_to_prune(now=1000.0 + PRUNE_LOOK_SECONDS)
    assert again.directory == cache.directory
    assert again.maybe_prune() is None  # pruned today: only the stamp is looked at

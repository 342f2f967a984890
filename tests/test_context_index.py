"""The context files a run reads: prefilters and the words each file holds, remembered by its status (linter.word_index)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from linter import word_index
from linter.context_selection import select_context
from linter.engine import InputFile, LintOptions
from linter.source import LoadLimits
from linter.plugin_manager import build_plugin_host
from linter.word_index import EXACT, FOLDED, NAME, Vocabulary

from conftest import run_cli

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop, labels: {{environment: production}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: {name}, image: "vllm/vllm-openai:v0.8.5"}}]}}
"""
HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 4
"""
WORKFLOW = "name: build-{number}\non: push\njobs: {{test: {{runs-on: ubuntu-latest}}}}\n"


@pytest.fixture
def repository(tmp_path: Path, monkeypatch) -> Path:
    """A Git repository: the linted apps/web.yaml, its autoscaler elsewhere, and 30 files that do not link to it."""
    (tmp_path / ".git").mkdir()
    for directory in ("apps", "platform", "services"):
        (tmp_path / directory).mkdir()
    (tmp_path / "apps" / "web.yaml").write_text(DEPLOYMENT.format(name="web"))
    (tmp_path / "platform" / "hpa-web.yaml").write_text(HPA.format(name="web"))
    for number in range(10):
        (tmp_path / "services" / f"deployment-{number}.yaml").write_text(DEPLOYMENT.format(name=f"web-{number}"))
        (tmp_path / "services" / f"hpa-{number}.yaml").write_text(HPA.format(name=f"web-{number}"))
        (tmp_path / "services" / f"ci-{number}.yml").write_text(WORKFLOW.format(number=number))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The context files runs read from here on (each read of an unread input)."""
    from linter import engine

    read: list[str] = []
    original = engine.read_regular_file

    def recording(path, max_bytes):
        read.append(path)
        return original(path, max_bytes)

    monkeypatch.setattr(engine, "read_regular_file", recording)
    return read


def _lint(*args: str) -> str:
    result = run_cli("--format", "json", *args)
    assert result.code in (0, 1), result.err
    return result.out


def _hpas() -> list[str]:
    return ["platform/hpa-web.yaml"] + [f"services/hpa-{number}.yaml" for number in range(10)]


def test_a_second_run_reads_only_the_files_whose_words_may_matter(repository: Path, reads: list[str], monkeypatch) -> None:
    monkeypatch.setattr(word_index, "RACY_NS", 0)  # the files were written before the run started
    first = _lint("apps/web.yaml")
    assert len(reads) == 31  # every context file, once
    assert "AS001" not in first  # the autoscaler elsewhere was read
    reads.clear()
    assert _lint("apps/web.yaml") == first
    # Only the autoscaler that names a linted object as a whole name (not `web-3`) is read again.
    assert reads == ["platform/hpa-web.yaml"]
    assert _lint("--no-cache", "apps/web.yaml") == first


def test_a_changed_file_is_read_again(repository: Path, reads: list[str], monkeypatch) -> None:
    monkeypatch.setattr(word_index, "RACY_NS", 0)
    first = _lint("apps/web.yaml")
    (repository / "platform" / "hpa-web.yaml").write_text(HPA.format(name="api"))  # no longer names the linted object
    changed = _lint("apps/web.yaml")
    assert "AS001" in changed and changed != first
    (repository / "services" / "ci-3.yml").write_text(HPA.format(name="web"))  # a file that held no word now does
    reads.clear()
    again = _lint("apps/web.yaml")
    assert "AS001" not in again and "services/ci-3.yml" in reads
    assert again == _lint("--no-cache", "apps/web.yaml")
    # The same bytes written again: the status changed, so the file is read again (and the findings stay).
    reads.clear()
    (repository / "services" / "ci-4.yml").write_text(WORKFLOW.format(number=4))
    assert _lint("apps/web.yaml") == again and "services/ci-4.yml" in reads


def test_files_changed_just_before_the_run_are_not_remembered(repository: Path, reads: list[str]) -> None:
    # Written a moment ago: within RACY_NS of the run's start, an edit could keep the same status.
    first = _lint("apps/web.yaml")
    reads.clear()
    assert _lint("apps/web.yaml") == first
    assert len(reads) == 31


def test_a_new_name_reads_again_only_the_files_that_hold_a_word_it_pairs_with(repository: Path, reads: list[str], monkeypatch) -> None:
    monkeypatch.setattr(word_index, "RACY_NS", 0)
    (repository / "teams").mkdir()
    (repository / "teams" / "api.yaml").write_text(DEPLOYMENT.format(name="api"))
    (repository / "platform" / "hpa-api.yaml").write_text(HPA.format(name="api"))
    _lint("apps/web.yaml")
    reads.clear()
    found = _lint("teams/api.yaml")  # names `api`, not looked for before
    assert "AS001" not in found  # its autoscaler was read
    # Whether a file names `api` matters only where an autoscaler's word is: the other files are not read
    # (but apps/web.yaml, linted last time, never looked at as a context file).
    assert sorted(reads) == sorted(_hpas() + ["platform/hpa-api.yaml", "apps/web.yaml"])
    reads.clear()
    assert _lint("teams/api.yaml") == found
    assert reads == ["platform/hpa-api.yaml"]


class MemoryCache:
    """The part of `DiskCache` an index uses, in memory: what it stores goes through JSON, as on disk."""

    stored: dict | None = None

    def load(self, name, limit):
        from linter.disk_cache import MISSING

        return self.stored if self.stored is not None else MISSING

    def store(self, name, data):
        self.stored = json.loads(json.dumps(data))


def _index_entries(cache: Path) -> list[Path]:
    return [path for path in cache.rglob("*.json") if '"vocabulary"' in path.read_text()]


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: "not json",
        lambda entry: json.dumps({**entry, "source": {"vocabulary": "words", "files": {}}}),
        lambda entry: json.dumps({**entry, "source": {**entry["source"], "vocabulary": [["jobs", "regex"]]}}),
        lambda entry: json.dumps({**entry, "source": {**entry["source"], "files": {path: "junk" for path in entry["source"]["files"]}}}),
        lambda entry: json.dumps({**entry, "source": {**entry["source"], "files": {path: [*value[:5], 0, 1 << 300] for path, value in entry["source"]["files"].items()}}}),
        lambda entry: json.dumps({**entry, "source": {**entry["source"], "files": {path: [*value[:5], 1, 3] for path, value in entry["source"]["files"].items()}}}),
        lambda entry: json.dumps({**entry, "source": {**entry["source"], "files": {path: [*value[:5], "all", None] for path, value in entry["source"]["files"].items()}}}),
    ],
)
def test_a_damaged_index_is_read_as_files_to_read_again(repository: Path, monkeypatch, damage) -> None:
    monkeypatch.setattr(word_index, "RACY_NS", 0)
    cache = Path(os.environ["MLDEPLOY_LINT_CACHE_DIR"])
    first = _lint("apps/web.yaml")
    (entry_file,) = _index_entries(cache)
    entry = json.loads(entry_file.read_text())
    assert len(entry["source"]["files"]) == 31
    entry_file.write_text(damage(entry))
    assert _lint("apps/web.yaml") == first
    assert _lint("apps/web.yaml") == first


def test_an_index_entry_is_used_only_for_the_same_status(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("kind: HorizontalPodAutoscaler\n")
    os.utime(path, ns=(10**18, 10**18))

    memory = MemoryCache()
    words = [("HorizontalPodAutoscaler", EXACT)]
    index = word_index.WordIndex.open(memory, [str(path)], words, 1000)
    assert index.known(str(path)) is None
    index.learn(str(path), 1)  # changed just now (ctime): racy, not remembered
    index.save()
    assert memory.stored is None or not memory.stored["files"]
    index = word_index.WordIndex.open(memory, [str(path)], words, 1000)
    index._started = 10**19  # as if the run started long after the file changed
    assert index.known(str(path)) is None
    index.learn(str(path), 1)
    index.save()
    index = word_index.WordIndex.open(memory, [str(path)], words, 1000)
    assert index.known(str(path)) == (1, 1)
    path.write_text("kind: Deployment\n")  # another size
    assert index.known(str(path)) is None
    path.unlink()
    assert index.known(str(path)) is None


def test_the_vocabulary_grows_then_starts_again(tmp_path: Path, monkeypatch) -> None:
    memory = MemoryCache()
    monkeypatch.setattr(word_index, "MAX_VOCABULARY", 3)
    paths = [str(tmp_path / "a.yaml")]
    index = word_index.WordIndex.open(memory, paths, [("a", EXACT), ("b", FOLDED)], 1000)
    index.save()
    index = word_index.WordIndex.open(memory, paths, [("c", NAME)], 1000)
    assert index.vocabulary.words == (("a", EXACT), ("b", FOLDED), ("c", NAME))
    index.save()
    index = word_index.WordIndex.open(memory, paths, [("d", EXACT)], 1000)
    assert index.vocabulary.words == (("d", EXACT),)


def test_vocabulary_bits_by_kind() -> None:
    vocabulary = Vocabulary([("Namespace", EXACT), ("endpointname", FOLDED), ("web", NAME)])
    assert vocabulary.bits("kind: Namespace") == 0b001
    assert vocabulary.bits("namespace: shop") == 0
    assert vocabulary.bits("EndpointName: x") == 0b010
    assert vocabulary.bits("name: web\n") == 0b100
    assert vocabulary.bits("name: web-2, web.x, my_web") == 0
    assert vocabulary.bits("{name: 'web'}") == 0b100


def test_a_context_file_gone_before_it_is_read_is_left_out(tmp_path: Path) -> None:
    linted = InputFile("web.yaml", DEPLOYMENT.format(name="web").encode())
    gone = InputFile(str(tmp_path / "hpa.yaml"), b"", context_only=True, location=str(tmp_path / "hpa.yaml"))
    assert gone.read(1000) is None
    kept = select_context([linted, gone], build_plugin_host(), LintOptions(), lambda *failure: pytest.fail(str(failure)))
    assert kept == [linted]


def test_an_input_passed_again_is_not_looked_at_again(monkeypatch) -> None:
    # The language server passes the same context inputs on every edit while their files are unchanged.
    linted = InputFile("web.yaml", DEPLOYMENT.format(name="web").encode())
    others = [InputFile(f"services/ci-{number}.yml", WORKFLOW.format(number=number).encode(), context_only=True) for number in range(5)]
    autoscaler = InputFile("platform/hpa.yaml", HPA.format(name="web").encode(), context_only=True)
    host = build_plugin_host()
    looked: list[str] = []
    original = Vocabulary.bits
    monkeypatch.setattr(Vocabulary, "bits", lambda self, text: looked.append(text) or original(self, text))
    first = select_context([linted, *others, autoscaler], host, LintOptions(), lambda *failure: pytest.fail(str(failure)))
    assert first == [linted, autoscaler] and len(looked) == 6
    looked.clear()
    assert select_context([linted, *others, autoscaler], host, LintOptions(), lambda *failure: pytest.fail(str(failure))) == first
    assert looked == []
    # Another linted file: another name, added to the vocabulary. Only the input that holds an autoscaler's
    # word may name it, and only that one is looked at again.
    other = InputFile("api.yaml", DEPLOYMENT.format(name="api").encode())
    assert select_context([other, *others, autoscaler], host, LintOptions(), lambda *failure: pytest.fail(str(failure))) == [other]
    assert looked == [autoscaler.data.decode()]


def test_unread_inputs_passed_again_need_neither_the_index_nor_their_files(repository: Path, reads: list[str], monkeypatch) -> None:
    # The language server's context inputs stay unread between edits: what the first run found is kept on them.
    monkeypatch.setattr(word_index, "RACY_NS", 0)
    memory = MemoryCache()
    opened: list[int] = []
    original_open = word_index.WordIndex.open.__func__
    monkeypatch.setattr(word_index.WordIndex, "open", classmethod(lambda cls, *args: opened.append(1) or original_open(cls, *args)))
    host = build_plugin_host()
    options = LintOptions(disk_cache=memory)  # type: ignore[arg-type]
    linted = InputFile("apps/web.yaml", DEPLOYMENT.format(name="web").encode())
    paths = sorted(str(path.relative_to(repository)) for path in repository.rglob("*.y*ml") if path.name != "web.yaml")
    context = [InputFile(path, b"", context_only=True, location=path) for path in paths]
    fail = lambda *failure: pytest.fail(str(failure))  # noqa: E731
    first = select_context([linted, *context], host, options, fail)
    assert opened == [1] and len(reads) == len(paths)
    assert [item.path for item in first] == ["apps/web.yaml", "platform/hpa-web.yaml"]
    opened.clear()
    reads.clear()
    again = select_context([linted, *context], host, options, fail)
    assert opened == [] and reads == ["platform/hpa-web.yaml"]  # only the file to parse is read again
    assert [item.path for item in again] == [item.path for item in first]
    reads.clear()
    # Another name: only the files that hold an autoscaler's word are read, to look for it.
    other = InputFile("apps/api.yaml", DEPLOYMENT.format(name="web-3").encode())
    assert [item.path for item in select_context([other, *context], host, options, fail)] == ["apps/api.yaml", "services/hpa-3.yaml"]
    assert opened == [] and sorted(reads) == sorted(_hpas())


def test_a_vocabulary_grows_by_adding_words_after_its_own() -> None:
    first = Vocabulary([("a", EXACT), ("b", FOLDED)])
    assert first.grown([("b", FOLDED), ("a", EXACT)]) is first
    grown = first.grown([("c", NAME), ("a", EXACT)])
    assert grown.words == (("a", EXACT), ("b", FOLDED), ("c", NAME)) and grown.extends(first) and not first.extends(grown)
    assert grown.bits("a c") == first.bits("a c") | 0b100
    assert not Vocabulary([("b", FOLDED)]).grown([("a", EXACT)]).extends(first)


def test_a_prefilter_of_many_names_or_words_is_widened_not_slow(monkeypatch) -> None:
    from linter import context_selection
    from linter.context_selection import ContextPrefilter

    many = tuple(f"name-{number}" for number in range(context_selection.MAX_NAMES + 1))
    widened = context_selection._bounded(ContextPrefilter(words=("PodDisruptionBudget",), naming_words=("HorizontalPodAutoscaler",), names=many))
    assert widened == ContextPrefilter(words=("PodDisruptionBudget", "HorizontalPodAutoscaler"))
    assert context_selection._bounded(ContextPrefilter(folded_words=tuple(f"w{number}" for number in range(context_selection.MAX_WORDS + 1)))) is None
    kept = ContextPrefilter(words=("a",), naming_words=("b",), names=("c",))
    assert context_selection._bounded(kept) is kept


def test_a_linted_stream_of_many_objects_still_finds_their_autoscalers(tmp_path: Path, monkeypatch) -> None:
    # 200 linted Deployments: more names than a prefilter pairs, so every autoscaler is asked about.
    (tmp_path / ".git").mkdir()
    (tmp_path / "apps").mkdir()
    (tmp_path / "platform").mkdir()
    (tmp_path / "apps" / "all.yaml").write_text("---\n".join(DEPLOYMENT.format(name=f"web-{number}") for number in range(200)))
    (tmp_path / "platform" / "hpa.yaml").write_text(HPA.format(name="web-150"))
    (tmp_path / "platform" / "other.yaml").write_text(HPA.format(name="api"))
    monkeypatch.chdir(tmp_path)
    found = _lint("apps/all.yaml")
    assert found == _lint("--no-cache", "apps/all.yaml") == _lint("apps/all.yaml")
    unscaled = [finding["message"] for finding in json.loads(found)["findings"] if finding["rule"] == "AS001"]
    assert len(unscaled) == 199 and not any("web-150 " in message for message in unscaled)


def test_binary_and_oversized_context_files_are_remembered_as_unreadable(repository: Path, reads: list[str], monkeypatch) -> None:
    monkeypatch.setattr(word_index, "RACY_NS", 0)
    (repository / "services" / "blob.yaml").write_bytes(b"\x00\xff\xfe binary HorizontalPodAutoscaler \x00" * 50)
    huge = HPA.format(name="web") + "# " + "x" * (LoadLimits().max_bytes + 1) + "\n"  # an autoscaler past the size limit
    (repository / "services" / "huge.yaml").write_text(huge)
    first = _lint("apps/web.yaml")
    assert {"services/blob.yaml", "services/huge.yaml"} <= set(reads)
    reads.clear()
    assert _lint("apps/web.yaml") == first
    assert "services/blob.yaml" not in reads and "services/huge.yaml" not in reads


def test_entries_of_files_no_run_looks_at_go_once_they_outnumber_those_it_does(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(word_index, "_MIN_KEPT_UNSEEN", 2)
    paths = []
    for number in range(6):
        path = tmp_path / f"{number}.yaml"
        path.write_text("kind: Namespace\n")
        os.utime(path, ns=(10**18, 10**18))
        paths.append(str(path))
    memory, words = MemoryCache(), [("Namespace", EXACT)]

    def run(looked_at: list[str]) -> set[str]:
        index = word_index.WordIndex.open(memory, looked_at, words, 1000)
        index._started = 10**19  # long after the files changed
        for path in looked_at:
            if index.known(path) is None:
                index.learn(path, 1)
        index._changed = True
        index.save()
        return set(memory.stored["files"])

    assert run(paths) == set(paths)
    assert run(paths[:3]) == set(paths)  # three looked at, three kept for another run
    assert run(paths[:2]) == set(paths[:2])  # four others outnumber the two: gone

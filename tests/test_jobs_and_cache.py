"""`--jobs` (files loaded in worker processes) and the on-disk parse cache: same output, never stale, hostile-proof."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from linter import disk_cache, parallel, source_codec
from linter.api import lint_paths
from linter.config import Config
from linter.disk_cache import CACHE_DIR_ENV, default_cache_dir, open_cache, run_salt
from linter.engine import InputFile, LintOptions, run_lint
from linter.nodes import MappingNode, ScalarNode, Span, iter_nodes
from linter.plugin_manager import build_plugin_host
from linter.source import SourceFile, load_text
from conftest import FIXTURES, run_cli


def _mixed_tree(root: Path, files: int = 60) -> Path:
    """About `files` fixture files (JSON and YAML, CloudFormation, SageMaker API documents, Kubernetes) under `root`."""
    candidates = sorted(
        path
        for path in FIXTURES.rglob("*")
        if path.suffix in (".json", ".yaml", ".yml") and "schemas" not in path.relative_to(FIXTURES).parts
    )
    json_files = [path for path in candidates if path.suffix == ".json"]
    yaml_files = [path for path in candidates if path.suffix != ".json"]
    chosen = json_files[: files // 3] + yaml_files[: files - min(len(json_files), files // 3)]
    for path in chosen:
        target = root / path.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


@pytest.fixture(autouse=True)
def _small_files_cached(monkeypatch) -> None:
    """The tests' files are a few bytes: cache them as larger ones (one test checks they are left out)."""
    monkeypatch.setattr(disk_cache, "MIN_ENTRY_BYTES", 0)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch) -> Path:
    root = _mixed_tree(tmp_path / "tree")
    monkeypatch.chdir(tmp_path)
    return Path("tree")


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """Counts the runs that loaded in worker processes; skips where this process cannot fork them."""
    if not parallel.can_fork():
        pytest.skip("worker processes are forked only on Linux, from a process without other threads")
    calls: list[int] = []
    original = parallel.load_in_processes

    def counting(wanted, host, options, emit, jobs):
        calls.append(jobs)
        yield from original(wanted, host, options, emit, jobs)

    monkeypatch.setattr(parallel, "load_in_processes", counting)
    return calls


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_jobs_give_the_output_of_one_process(tree: Path, forked: list[int], output_format: str) -> None:
    assert len(list(tree.rglob("*.*"))) >= 55
    one = run_cli(str(tree), "--jobs", "1", "--no-cache", "--format", output_format)
    several = run_cli(str(tree), "--jobs", "3", "--no-cache", "--format", output_format)
    assert forked == [3]
    assert one.code in (0, 1) and one.err == ""
    assert (several.code, several.out, several.err) == (one.code, one.out, one.err)
    cached_cold = run_cli(str(tree), "--jobs", "2", "--format", output_format)
    cached_warm = run_cli(str(tree), "--jobs", "2", "--format", output_format)
    cached_one = run_cli(str(tree), "--jobs", "1", "--format", output_format)
    for result in (cached_cold, cached_warm, cached_one):
        assert (result.code, result.out, result.err) == (one.code, one.out, one.err)


class _OwnNode(ScalarNode):
    """A plugin's own node type: plain data cannot carry it across processes or to disk."""

    __slots__ = ()


class _OwnLoader:
    """Loads `*.own.yaml` files into a document holding its own node type."""

    @staticmethod
    def mldeploy_load(path, text, limits):
        if not path.endswith(".own.yaml"):
            return None
        source = load_text(path, text, limits)
        document = source.documents[0]
        own = _OwnNode("own", Span.point(path, 1), "str")
        root = MappingNode(((own, document.root),), document.root.span)
        object.__setattr__(document, "root", root)
        return source


class _SlowLoader:
    """Takes forever over `slow.yaml`, until the per-file time limit stops it."""

    @staticmethod
    def mldeploy_load(path, text, limits):
        if os.path.basename(path) == "slow.yaml":
            while True:
                pass
        return None


def _plugin(name: str, plugin: type):
    from linter import hookimpl

    plugin.mldeploy_load = hookimpl(plugin.mldeploy_load)
    return build_plugin_host(plugins=[(name, plugin)])


def _inputs(root: Path) -> list[InputFile]:
    return [InputFile(str(path), path.read_bytes()) for path in sorted(root.rglob("*.*"))]


def _summary(result) -> list:
    return [(finding.sort_key, finding.message, finding.severity, finding.plugin) for finding in result.findings] + [
        (summary.path, summary.recognised, summary.deployments) for summary in result.files
    ]


def test_a_parse_result_plain_data_cannot_carry_is_loaded_here(tree: Path, forked: list[int]) -> None:
    for index in range(3):
        (tree / f"extra-{index}.own.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    host = _plugin("own_loader", _OwnLoader)
    inputs = _inputs(tree)
    one = run_lint(inputs, host, LintOptions(jobs=1))
    several = run_lint(inputs, host, LintOptions(jobs=2))
    assert forked == [2]
    assert _summary(several) == _summary(one)


def test_the_per_file_time_limit_holds_in_workers(tree: Path, forked: list[int]) -> None:
    (tree / "slow.yaml").write_text("a: 1\n")
    host = _plugin("slow_loader", _SlowLoader)
    inputs = _inputs(tree)
    # Long enough that no real file of the tree overruns on a loaded machine; slow.yaml always does.
    several = run_lint(inputs, host, LintOptions(jobs=2, file_timeout=2.0))
    assert forked == [2]
    overruns = [finding for finding in several.findings if "per-file time limit" in finding.message]
    assert [Path(finding.path).name for finding in overruns] == ["slow.yaml"]
    one = run_lint(inputs, host, LintOptions(jobs=1, file_timeout=2.0))
    assert _summary(several) == _summary(one)


def test_jobs_default_by_the_size_of_the_run(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 4)
    few = [InputFile(f"f{index}.yaml", b"a: 1\n") for index in range(parallel.AUTO_MIN_FILES - 1)]
    many = few + [InputFile("last.yaml", b"a: 1\n")]
    assert parallel.jobs_for(None, few) == 1
    assert parallel.jobs_for(None, many) == 4
    assert parallel.jobs_for(3, few) == 3
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    assert parallel.jobs_for(None, many) == 1  # measured: no gain on 2 CPUs
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.jobs_for(8, many) == 1


def test_jobs_flag_and_setting_are_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("a: 1\n")
    assert run_cli("a.yaml", "--jobs", "0").code == 2
    (tmp_path / "mldeploy-lint.toml").write_text("jobs = 0\n")
    assert run_cli("a.yaml").code == 2
    (tmp_path / "mldeploy-lint.toml").write_text('jobs = 2\ncache-dir = "cache"\n')
    assert run_cli("a.yaml").code == 0
    assert list((tmp_path / "cache").rglob("*.json"))  # the configured directory, relative to the file


# --- the disk cache -------------------------------------------------------------------


class _Counting:
    """Counts files actually parsed (not taken from a cache)."""

    def __init__(self, monkeypatch) -> None:
        from linter import engine

        self.count = 0
        original = engine._load

        def counting(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(engine, "_load", counting)


def _cached_run(tree: Path, host, config: Config, directory: Path):
    cache = open_cache(str(directory), run_salt(host, config))
    assert cache is not None
    return lint_paths([str(tree)], LintOptions(config=config, disk_cache=cache), host=host)


def test_every_part_of_the_key_gives_fresh_results(tree: Path, tmp_path: Path, monkeypatch) -> None:
    directory = tmp_path / "cache"
    (tree / "endpoint.yaml").write_text("Resources: {}\n")
    host = build_plugin_host()
    parsed = _Counting(monkeypatch)
    first = _cached_run(tree, host, Config(), directory)
    files = parsed.count
    assert files >= 55
    parsed.count = 0
    assert _summary(_cached_run(tree, host, Config(), directory)) == _summary(first)
    assert parsed.count == 0  # everything from the cache

    # The file's content: that file alone is parsed again, and its findings are the new content's.
    endpoint = tree / "endpoint.yaml"
    endpoint.write_text(
        "Resources:\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n      EndpointConfigName: missing\n"
    )
    expected = _summary(lint_paths([str(tree)], host=host))
    parsed.count = 0
    assert _summary(_cached_run(tree, host, Config(), directory)) == expected
    assert parsed.count == 1
    endpoint.write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    expected_now = _summary(lint_paths([str(tree)], host=host))
    assert expected_now != expected
    parsed.count = 0
    assert _summary(_cached_run(tree, host, Config(), directory)) == expected_now
    assert parsed.count == 1

    # The tool's version, the plugin set, the configuration: every file is parsed again.
    import linter

    version = linter.__version__
    monkeypatch.setattr(linter, "__version__", "999.0")
    parsed.count = 0
    _cached_run(tree, host, Config(), directory)
    assert parsed.count == files
    monkeypatch.setattr(linter, "__version__", version)
    parsed.count = 0

    class Extra:
        __version__ = "1.0"

    other_host = build_plugin_host(plugins=[("extra", Extra)])
    _cached_run(tree, other_host, Config(), directory)
    assert parsed.count == files
    Extra.__version__ = "1.1"
    parsed.count = 0
    _cached_run(tree, other_host, Config(), directory)
    assert parsed.count == files

    parsed.count = 0
    configured = Config(None, ".", {"fail-on": "error"})
    _cached_run(tree, host, configured, directory)
    assert parsed.count == files
    parsed.count = 0
    _cached_run(tree, host, configured, directory)
    assert parsed.count == 0


def test_a_plugin_loader_result_is_fresh_when_it_changes(tree: Path, tmp_path: Path) -> None:
    (tree / "x.own.yaml").write_text("a: 1\n")
    host = _plugin("own_loader", _OwnLoader)
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    options = LintOptions(disk_cache=cache)
    first = lint_paths([str(tree)], options, host=host)
    again = lint_paths([str(tree)], options, host=host)
    assert _summary(again) == _summary(first) == _summary(lint_paths([str(tree)], host=host))


HOSTILE_ENTRIES = {
    "empty": b"",
    "truncated": None,  # the real entry cut in half
    "not json": b"\x00\xff garbage",
    "foreign json": b'{"hello": "world"}',
    "another key": None,  # a valid entry of another file
    "bad structure": None,  # the right key, a source that does not decode
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "huge": None,  # larger than any entry this tool writes
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_ENTRIES))
def test_a_damaged_cache_entry_is_ignored_and_rewritten(tmp_path: Path, kind: str) -> None:
    host = build_plugin_host()
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    assert cache is not None
    text = "Resources:\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n      EndpointConfigName: c\n"
    item = InputFile("endpoint.yaml", text.encode())
    other = InputFile("other.yaml", b"a: 1\n")
    fresh = run_lint([item], host, LintOptions())
    run_lint([item, other], host, LintOptions(disk_cache=cache))
    key = cache.key(item, LintOptions().limits)
    entry = Path(cache._path(key))
    good = entry.read_bytes()
    payload = HOSTILE_ENTRIES[kind]
    if kind == "truncated":
        payload = good[: len(good) // 2]
    elif kind == "another key":
        payload = Path(cache._path(cache.key(other, LintOptions().limits))).read_bytes()
    elif kind == "bad structure":
        payload = json.dumps({"key": key, "source": [1, "endpoint.yaml", text, ["endpoint.yaml"], [[1, "map", 0]], [], []]}).encode()
    elif kind == "huge":
        payload = b" " * (LintOptions().limits.max_bytes * 16 + 8192)
    entry.write_bytes(payload)
    result = run_lint([item], host, LintOptions(disk_cache=cache))
    assert _summary(result) == _summary(fresh)
    assert entry.read_bytes() == good  # overwritten with a sound entry


def test_entries_are_plain_json_written_atomically(tmp_path: Path) -> None:
    host = build_plugin_host()
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    run_lint([InputFile("a.yaml", b"a: &x [1, 2]\nb: *x\n")], host, LintOptions(disk_cache=cache))
    entries = list((tmp_path / "cache").rglob("*"))
    files = [path for path in entries if path.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"
    json.loads(files[0].read_text(encoding="ascii"))
    assert not [path for path in entries if path.name.endswith(".tmp")]


def test_reading_an_entry_allocates_for_its_size_not_for_the_limit(tmp_path: Path) -> None:
    import tracemalloc

    cache = open_cache(str(tmp_path / "cache"), "salt")
    assert cache is not None
    cache.store("words", {"files": ["a.yaml"]})
    tracemalloc.start()
    try:
        assert cache.load("words", 256 * 1024 * 1024) == {"files": ["a.yaml"]}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024
    assert cache.load("words", 10) is disk_cache.MISSING  # over the limit


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_a_cache_directory_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    notes: list[str] = []
    assert open_cache(str(shared), "salt", notes) is None
    assert "writable by others" in notes[0]
    plain_file = tmp_path / "file"
    plain_file.write_text("")
    notes = []
    assert open_cache(str(plain_file), "salt", notes) is None and notes
    private = tmp_path / "private"
    assert open_cache(str(private), "salt") is not None
    assert stat.S_IMODE(private.stat().st_mode) & 0o077 == 0


def test_the_cli_tells_when_the_cache_cannot_be_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "mldeploy-lint.toml").write_text('cache-dir = "a.yaml"\n')
    result = run_cli("a.yaml")
    assert result.code == 0 and "running without it" in result.err
    assert "cache" not in run_cli("a.yaml", "--no-cache").err


def test_default_cache_dir_follows_the_platform(monkeypatch) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV)
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert default_cache_dir() == os.path.join("/xdg", "mldeploy-lint")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # invalid by the XDG spec: ignored
    assert default_cache_dir() == os.path.join("/home/someone", ".cache", "mldeploy-lint")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == os.path.join("/home/someone", ".cache", "mldeploy-lint")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_dir() == os.path.join("/home/someone", "Library", "Caches", "mldeploy-lint")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "/local")
    assert default_cache_dir() == os.path.join("/local", "mldeploy-lint")
    monkeypatch.setenv(CACHE_DIR_ENV, "/elsewhere")
    assert default_cache_dir() == "/elsewhere"


def test_tests_never_use_the_real_cache() -> None:
    assert os.environ[CACHE_DIR_ENV] != os.path.join(os.path.expanduser("~"), ".cache", "mldeploy-lint")


# --- the plain-data form of a parsed file ----------------------------------------------


def _shape(source: SourceFile | None) -> object:
    if source is None:
        return None
    documents = []
    for document in source.documents:
        nodes = []
        if document.root is not None:
            for node in iter_nodes(document.root):
                value = getattr(node, "value", None)
                nodes.append((type(node).__name__, node.span, node.tag, repr(value), type(value).__name__, getattr(node, "style", None)))
        documents.append((document.path, document.index, document.origin, nodes))
    return (source.path, source.text, [(p.message, p.span, p.severity) for p in source.problems], documents)


def test_every_fixture_survives_plain_data_and_json() -> None:
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".json", ".yaml", ".yml"):
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        source = load_text(str(path), text)
        back = source_codec.decode(json.loads(json.dumps(source_codec.encode(source))))
        assert _shape(back) == _shape(source), path
        assert all(document.source is back for document in back.documents)
        without_text = source_codec.encode(source, text)  # the caller has the text: it is not stored
        assert without_text[2] is None and _shape(source_codec.decode(without_text, text)) == _shape(source)


def test_aliases_stay_shared_and_odd_values_survive() -> None:
    text = 'a: &x {k: [1, 2.5, -0.0, .inf, true, null, "\\u00e9", "x\\ty"]}\nb: *x\nc: *x\nbig: 123456789012345678901234567890\n'
    source = load_text("odd.yaml", text)
    back = source_codec.decode(json.loads(json.dumps(source_codec.encode(source))))
    root = back.documents[0].root
    assert root.get("a") is root.get("b") is root.get("c")
    assert _shape(back) == _shape(source)
    bomb = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    encoded = source_codec.encode(load_text("bomb.yaml", bomb))
    assert len(json.dumps(encoded)) < 5000


def _packed(*numbers: int, typecode: str = "H") -> tuple[str, str]:
    import base64
    from array import array

    packed = array(typecode, numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return typecode, base64.b64encode(packed.tobytes()).decode("ascii")


def _entry(numbers=(), values=(), documents=(), problems=(), text="", packed=None, strings=("str", "", "map", "seq"), codecs=(), extensions=()) -> list:
    fields = (text, ["p"], list(strings), list(values), *(packed or _packed(*numbers)), list(documents), list(problems), list(codecs), list(extensions))
    return [source_codec.FORMAT, "p", *fields]


def test_the_entry_helper_writes_what_decode_reads() -> None:
    # The refusals below each break one thing of an entry that is otherwise read: without this, a
    # helper of an older layout would make every one of them pass for the wrong reason.
    source = source_codec.decode(_entry(SCALAR, values=["v"], documents=[["p", 0, 0, ""]]))
    assert source.documents[0].root.value == "v"
    assert source_codec.decode(_entry(SCALAR, values=["v"], codecs=["own"], extensions=[]), codecs=[_OWN_CODEC]).documents == ()


SCALAR = (0, 0, 1, 0, 1, 1, 1, 1)  # a scalar "str" of style "" at p:1:1


@pytest.mark.parametrize(
    "data",
    [
        [],
        [1, "p", "", [], [], [], []],  # another format
        _entry(SCALAR, values=[[]]),  # a list as a scalar value
        _entry((1, 2, 0, 1, 1, 1, 1, 2, 0, 0)),  # a node naming itself
        _entry((0, 0, 1, 5, 1, 1, 1, 1), values=["v"]),  # a path number out of range
        _entry((0, 9, 1, 0, 1, 1, 1, 1), values=["v"]),  # a tag number out of range
        _entry(documents=[["p", 0, 3, ""]]),  # a document root that does not exist
        _entry(problems=[["m", 0, 1, 1, 1, 1, "fatal"]]),  # an unknown severity
        _entry((*SCALAR, 1, 2, 0, 1, 1, 1, 1, 1, 0), values=["v"]),  # a key without value
        _entry((*SCALAR, 1, 2, 0, 1, 1, 1, 1, 4, 0), values=["v"]),  # children beyond the end
        _entry(SCALAR[:5], values=["v"]),  # a truncated node
        _entry(SCALAR, values=["v", "w"]),  # values left over
        _entry(SCALAR, values=["v"], text=None),  # the text left out, and not given
        _entry(packed=("H", "AAE")),  # not base64
        _entry(packed=("H", "AAEC")),  # three bytes of two-byte numbers
        _entry(packed=("d", "")),  # not an unsigned array type
        _entry(strings=[1]),
        {"not": "a list"},
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"]),  # a plugin's node, and no extension for it
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["other"], extensions=[[0, "own"]]),  # a codec the run lacks
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["own"], extensions=[[0, "not own"]]),  # data its codec refuses
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["own"], extensions=[[0, "exit"]]),  # a codec that exits
        _entry(SCALAR, values=["v"], codecs=["own"], extensions=[[0, "own"]]),  # an extension left over
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["own"], extensions=[[0]]),  # an extension without data
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["own"], extensions={"0": "own"}),
        _entry((4, 0, 1, 0, 1, 1, 1, 1), values=["v"], codecs=["own"], extensions=[[0, "mapping"]]),  # a codec making another kind of node
    ],
)
def test_decode_refuses_what_encode_did_not_write(data) -> None:
    with pytest.raises(ValueError):
        source_codec.decode(data, codecs=[_OWN_CODEC])


def _decode_own(base, data):
    if data == "mapping":
        return MappingNode((), base.span)
    if data == "exit":
        raise SystemExit(3)
    if data != "own":
        raise KeyError(data)  # whatever a codec raises, the entry is not read
    return _OwnNode(base.value, base.span, base.tag, base.style)


_OWN_CODEC = source_codec.NodeCodec("own", f"{__name__}._OwnNode", lambda node: "own", _decode_own)


def _with_own_root(source: SourceFile) -> SourceFile:
    document = source.documents[0]
    own = _OwnNode("x", Span("a.yaml", 1, 1, 1, 2), "str", "'")
    object.__setattr__(document, "root", MappingNode(((own, document.root),), document.root.span))
    return source


def test_encode_refuses_a_plugins_own_types_no_codec_writes() -> None:
    source = _with_own_root(load_text("a.yaml", "a: 1\n"))
    with pytest.raises(source_codec.Unencodable):
        source_codec.encode(source)
    other = source_codec.NodeCodec("other", f"{__name__}._Counting", lambda node: "own", _decode_own)
    with pytest.raises(source_codec.Unencodable):
        source_codec.encode(source, codecs=[other])


def test_a_plugins_node_type_is_written_and_read_by_its_codec() -> None:
    source = _with_own_root(load_text("a.yaml", "a: 1\n"))
    data = json.loads(json.dumps(source_codec.encode(source, codecs=[_OWN_CODEC])))
    back = source_codec.decode(data, codecs=[_OWN_CODEC])
    assert _shape(back) == _shape(source)
    [(key, _)] = back.documents[0].root.pairs
    assert type(key) is _OwnNode and key.style == "'"
    # Read by a run without the codec, the entry is not this run's: parsed again.
    with pytest.raises(ValueError):
        source_codec.decode(data)


@pytest.mark.parametrize(
    "encode",
    [
        lambda node: ("a", "tuple"),  # reads back as a list through JSON, as a tuple through pickling
        lambda node: {"a": 1},
        lambda node: [object()],
        lambda node: 1 / 0,  # a codec that raises
        lambda node: sys.exit(3),  # or exits
    ],
)
def test_a_codec_writing_anything_but_plain_data_leaves_the_file_unencodable(encode) -> None:
    source = _with_own_root(load_text("a.yaml", "a: 1\n"))
    with pytest.raises(source_codec.Unencodable):
        source_codec.encode(source, codecs=[source_codec.NodeCodec("own", f"{__name__}._OwnNode", encode, _decode_own)])


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX symbolic links")
def test_a_symbolic_link_in_place_of_an_entry_is_not_followed(tmp_path: Path) -> None:
    host = build_plugin_host()
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    item, other = InputFile("a.yaml", b"a: 1\n"), InputFile("b.yaml", b"b: 2\n")
    run_lint([item, other], host, LintOptions(disk_cache=cache))
    entry = Path(cache._path(cache.key(item, LintOptions().limits)))
    target = tmp_path / "elsewhere.json"
    target.write_bytes(Path(cache._path(cache.key(other, LintOptions().limits))).read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    before = target.read_bytes()
    result = run_lint([item], host, LintOptions(disk_cache=cache))
    assert _summary(result) == _summary(run_lint([item], host, LintOptions()))
    assert not entry.is_symlink() and target.read_bytes() == before  # replaced, the link's target untouched


def _filled_cache(directory: Path, texts: int = 4):
    """A cache in `directory` holding the entries of `texts` small files: (cache, their entry paths)."""
    host = build_plugin_host()
    cache = open_cache(str(directory), run_salt(host, Config()))
    assert cache is not None
    items = [InputFile(f"f{index}.yaml", f"a: {index}\n".encode()) for index in range(texts)]
    run_lint(items, host, LintOptions(disk_cache=cache))
    entries = [Path(cache._path(cache.key(item, LintOptions().limits))) for item in items]
    assert all(entry.is_file() for entry in entries)
    return cache, entries


def _foreign_files(directory: Path) -> dict[Path, bytes]:
    """Files the cache did not write, where a careless cleaner would look: beside, in and among its entries."""
    planted = {
        directory / "notes.txt": b"mine\n",
        directory / "0123456789abcdef0123456789abcdef01234567.json": b"{}",
        directory / "v1" / "readme.json": b"{}",
        directory / "v1" / "zz" / "0123456789abcdef0123456789abcdef01234567.json": b"{}",
        directory / "v1" / "ab" / "abcdef.json": b"{}",
        directory / "v1" / "ab" / "ab23456789abcdef0123456789abcdef01234567.json.bak": b"{}",
        directory / "v1" / "ab" / "cd23456789abcdef0123456789abcdef01234567.json": b"{}",  # not its prefix
    }
    for path, data in planted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return planted


def test_pruning_removes_unused_entries_and_keeps_what_is_not_its_own(tmp_path: Path, monkeypatch) -> None:
    directory = tmp_path / "shared-dir"
    directory.mkdir(mode=0o700)
    planted = _foreign_files(directory)
    cache, entries = _filled_cache(directory)
    old = disk_cache.time.time() - (disk_cache.MAX_UNUSED_DAYS + 1) * 86400
    for path in [*entries[:2], *planted]:
        os.utime(path, (old, old))
    dead_write = entries[0].parent / f".{entries[0].stem}.99999.tmp"
    dead_write.write_bytes(b"{")
    os.utime(dead_write, (old, old))
    removed = cache.maybe_prune()
    assert removed is not None and removed.files == 3
    assert [entry.exists() for entry in entries] == [False, False, True, True] and not dead_write.exists()
    assert {path: path.read_bytes() for path in planted} == planted
    assert cache.maybe_prune() is None  # pruned today: not again
    # Over the size bound, the least recently used go first.
    os.utime(entries[2], (old + 86400 * 10, old + 86400 * 10))
    monkeypatch.setattr(disk_cache, "MAX_TOTAL_BYTES", entries[3].stat().st_size)
    assert cache.prune().files == 1 and entries[3].exists() and not entries[2].exists()
    assert {path: path.read_bytes() for path in planted} == planted


def test_a_used_entry_is_marked_used(tmp_path: Path) -> None:
    cache, entries = _filled_cache(tmp_path / "cache", texts=2)
    old = disk_cache.time.time() - (disk_cache.MAX_UNUSED_DAYS + 1) * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    host = build_plugin_host()
    run_lint([InputFile("f0.yaml", b"a: 0\n")], host, LintOptions(disk_cache=cache))
    assert cache.hits == 1
    assert cache.prune().files == 1 and entries[0].exists() and not entries[1].exists()


def test_pruning_tolerates_a_concurrent_run(tmp_path: Path, monkeypatch) -> None:
    """Entries that vanish between the listing and the removal (another run pruned them) are no error."""
    cache, entries = _filled_cache(tmp_path / "cache")
    old = disk_cache.time.time() - (disk_cache.MAX_UNUSED_DAYS + 1) * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    listed = list(disk_cache._own_files(cache.directory))
    for entry in entries[:2]:
        entry.unlink()  # the other run was first
    monkeypatch.setattr(disk_cache, "_own_files", lambda _: iter(listed))
    assert cache.prune().files == 2
    other, _ = _filled_cache(tmp_path / "cache")  # and writing again, into the same directories, works
    assert other.misses == 4


def test_cache_clean_removes_only_its_own_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "mixed"
    directory.mkdir(mode=0o700)
    planted = _foreign_files(directory)
    _, entries = _filled_cache(directory)
    Path("mldeploy-lint.toml").write_text('cache-dir = "mixed"\n')
    result = run_cli("cache", "clean")
    assert result.code == 0 and result.out.startswith(f"removed {len(entries)} cache files (") and result.err == ""
    assert not any(entry.exists() for entry in entries) and not (directory / "v1" / "pruned").exists()
    assert {path: path.read_bytes() for path in planted} == planted
    assert sorted(path.name for path in (directory / "v1").iterdir()) == ["ab", "readme.json", "zz"]
    emptied, _ = _filled_cache(tmp_path / "alone")
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "alone"))
    assert run_cli("cache", "clean", "--no-config").code == 0
    assert sorted(os.listdir(tmp_path / "alone")) == []  # its own layout directory went with the entries
    assert run_cli("cache", "clean", "--no-config").out.startswith("removed 0 cache files")
    assert run_cli("cache", "frobnicate").code == 2


def test_a_run_prunes_after_its_report_at_most_once_a_day(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    Path("a.yaml").write_text("a: 1\n")
    pruned: list[object] = []
    original = disk_cache.DiskCache.prune
    monkeypatch.setattr(disk_cache.DiskCache, "prune", lambda self, now=None: pruned.append(now) or original(self, now))
    assert run_cli("a.yaml").code == 0 and run_cli("a.yaml").code == 0
    assert len(pruned) == 1 and (tmp_path / "cache" / "v1" / "pruned").is_file()
    assert run_cli("a.yaml", "--no-cache").code == 0 and len(pruned) == 1


def test_files_faster_to_parse_than_to_read_back_are_not_cached(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(disk_cache, "MIN_ENTRY_BYTES", 512)
    host = build_plugin_host()
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    small, large = InputFile("small.yaml", b"a: 1\n"), InputFile("large.yaml", b"a: 1\n" + b"# padding\n" * 60)
    for _ in range(2):
        run_lint([small, large], host, LintOptions(disk_cache=cache))
    assert (cache.hits, cache.misses) == (1, 1)  # the large file: written, then read; the small one never looked up
    assert cache.key(small, LintOptions().limits) == "" and len(list((tmp_path / "cache").rglob("*.json"))) == 1


def _codec_plugin(*codecs):
    from linter import hookimpl

    class Codecs:
        @staticmethod
        @hookimpl
        def mldeploy_node_codecs():
            if codecs and codecs[0] == "raise":
                raise RuntimeError("no codecs today")
            return list(codecs)

    return Codecs


def test_two_codecs_of_one_name_stop_the_run_naming_both_plugins() -> None:
    from linter.plugin_manager import PluginConfigError

    host = build_plugin_host(plugins=[("first", _codec_plugin(_OWN_CODEC)), ("second", _codec_plugin(_OWN_CODEC))])
    with pytest.raises(PluginConfigError, match="node codec 'own' is provided twice: by plugin '(first|second)' and by plugin '(first|second)'"):
        host.node_codecs()


@pytest.mark.parametrize(
    "codec, message",
    [
        ("raise", "RuntimeError: no codecs today (in mldeploy_node_codecs)"),
        (source_codec.NodeCodec("", "a.B", str, str), "named '', not a non-empty text"),
        (source_codec.NodeCodec("own", "Bare", str, str), "'own' whose node_type 'Bare' is not a qualified name"),
        (source_codec.NodeCodec("own", "a.B", "str", str), "'own' whose encode or decode cannot be called"),
        (source_codec.NodeCodec("own", "a.B", str, str, depends_on="a.b"), "'own' whose depends_on is not a tuple of module names"),
    ],
)
def test_a_codec_hook_that_fails_or_a_malformed_codec_is_md002_and_the_run_goes_on(codec, message) -> None:
    host = build_plugin_host(plugins=[("codecs", _codec_plugin(codec))])
    result = run_lint([InputFile("a.yaml", b"Resources: {}\n")], host, LintOptions())
    assert [(finding.rule_id, finding.path) for finding in result.findings] == [("MD002", "<plugin:codecs>")]
    assert message in result.findings[0].message
    assert [codec.name for codec in host.node_codecs()] == ["terraform-attribute"]  # the built-in plugins' only
    assert [summary.path for summary in result.files] == ["a.yaml"]


def test_the_code_a_codec_depends_on_is_part_of_every_key(tmp_path: Path, monkeypatch) -> None:
    module = tmp_path / "own_codec_code.py"
    module.write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    codec = source_codec.NodeCodec("own", f"{__name__}._OwnNode", lambda node: "own", _decode_own, depends_on=("own_codec_code",))
    host = build_plugin_host(plugins=[("codecs", _codec_plugin(codec))])
    salt = run_salt(host, Config())
    assert run_salt(host, Config()) == salt
    module.write_text("VERSION = 2  # edited: what the codec writes may differ now\n")
    assert run_salt(build_plugin_host(plugins=[("codecs", _codec_plugin(codec))]), Config()) != salt

"""Reports written in pieces: each built-in format's `stream` gives exactly the text `render` returns, no
piece holds the whole report, and the command line writes the pieces as they come while keeping what
standard output and `--output` promise (whole or no file, never over a linted file, clear errors).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from dataclasses import replace

import pytest

from conftest import run_cli
from linter import FileSummary, Finding, Report, Severity, Span, Suppression

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
JSON_FORMATS = ("json", "sarif", "gitlab")
HOSTILE = "line\nbreak\r\ttab \x1b[31mred\x1b[0m \u202eevil\u2028 nul\x00 %0A ::error file=x::y \"quoted\" <&> naïve – ✓ 日本"


@pytest.fixture(scope="module")
def host():
    from linter.plugin_manager import build_plugin_host

    return build_plugin_host()


def every_shape(host, **fields) -> Report:
    """Findings of every shape a reporter meets: related, origin, variants, suppressed (with and without a reason),
    non-ASCII and control characters, a repeated finding without fingerprint, a path no file summary names."""

    def at(path, line, column=3, end_line=None, end_column=9):
        return Span(path, line, column, line if end_line is None else end_line, end_column)

    findings = (
        Finding(at("a.yaml", 1), "TR001", "plain", Severity.WARNING, "test-rule", plugin="tests", fingerprint="f1"),
        Finding(
            at("a.yaml", 2, 1, 4, 2),
            "TR002",
            "naïve – ✓ 日本 related",
            Severity.ERROR,
            "other-rule",
            related=((at("b.yaml", 7), "the other end"), (at("a.yaml", 9), HOSTILE)),
            fingerprint="f2",
        ),
        Finding(at("a.yaml", 3), "TR003", "from a chart", Severity.INFO, "third", origin="chart/templates/x.yaml", variants=("prod", "dev")),
        Finding(at("a.yaml", 5), "TR001", "excused", Severity.WARNING, "test-rule", suppression=Suppression("inSource", "load tested", "a.yaml:4")),
        Finding(at("b.yaml", 1), "TR002", "by baseline", Severity.ERROR, "other-rule", suppression=Suppression("external", "", "baseline.json")),
        Finding(at("b.yaml", 2), "TR001", HOSTILE, Severity.WARNING, "test-rule"),
        Finding(at("b.yaml", 2), "TR001", HOSTILE, Severity.WARNING, "test-rule"),  # the same again: GitLab needs two fingerprints
        Finding(at("a b,c:d é.yaml", 1, 1, 1, 1), "MD001", "does not parse", Severity.ERROR, "parse-error"),
        Finding(at("<stdin>", 1), "TR001", "from standard input", Severity.WARNING, "test-rule"),
    )
    report = Report(
        findings=findings,
        files=(FileSummary("a.yaml", True, 2), FileSummary("b.yaml", False, 0), FileSummary("empty.yaml", True, 0)),
        rules=tuple(host.rules())[:3],
        tool_version="0.0.0",
        working_directory="/work/project",
        texts={"a.yaml": "x: 1\n\ty: naïve\x1b\n" * 5},
        baseline_stale=1,
    )
    return replace(report, **fields)


def many(count: int, one_file: bool = False) -> Report:
    """`count` findings, each in its own file (or all in one, as in a rendered stream)."""
    paths = ["stream.yaml" if one_file else f"templates/t{index:05d}.yaml" for index in range(count)]
    return Report(
        findings=tuple(
            Finding(Span(path, 4 + index, 3, 4 + index, 20), "TR001", f"finding {index} é", Severity.WARNING, "test-rule", fingerprint=f"{index:08x}")
            for index, path in enumerate(paths)
        ),
        files=tuple(FileSummary(path, True, 1) for path in dict.fromkeys(paths)),
        rules=(),
        tool_version="0.0.0",
        working_directory="/work/project",
    )


REPORT_VARIANTS = {
    "plain": {},
    "shown": {"show_source": True, "show_suppressed": True, "color": True, "category": "infra/x", "exit_code": 1},
    "never-fails": {"fail_on": None},
}


@pytest.mark.parametrize("variant", REPORT_VARIANTS)
@pytest.mark.parametrize("name", FORMATS)
def test_the_stream_is_the_rendered_text_in_pieces(host, name, variant):
    reporter = host.reporters()[name]
    for report in (every_shape(host, **REPORT_VARIANTS[variant]), many(450), many(450, one_file=True), many(0), Report((), (), (), "0.0.0")):
        pieces = list(reporter.stream(report))
        assert all(isinstance(piece, str) for piece in pieces)
        assert "".join(pieces) == reporter.render(report)


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_json_formats_are_what_json_dumps_writes(host, name):
    # Batches of findings are joined as one document would be: across batch edges, empty lists and nested ones.
    render = host.reporters()[name].render
    for report in (every_shape(host), every_shape(host, category="infra/x"), many(1), many(200), many(201), many(450), many(0)):
        text = render(report)
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_junit_is_what_elementtree_writes_of_the_whole_tree(host):
    render = host.reporters()["junit"].render
    for report in (every_shape(host), many(3), many(3, one_file=True), many(0), replace(many(0), files=(FileSummary("a.yaml", True, 1),))):
        text = render(report)
        declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
        assert text.startswith(declaration)
        root = ElementTree.fromstring(text[len(declaration) :].replace("\r", "&#13;"))
        ElementTree.indent(root)
        assert text == declaration + ElementTree.tostring(root, encoding="unicode") + "\n"


@pytest.mark.parametrize("one_file", [False, True], ids=["many-files", "one-file"])
@pytest.mark.parametrize("name", FORMATS)
def test_no_piece_holds_the_whole_report(host, name, one_file):
    # Pieces are a finding, a file or a batch of them: their size does not grow with the report.
    stream = host.reporters()[name].stream
    largest = {count: max(map(len, stream(many(count, one_file)))) for count in (1_000, 3_000)}
    assert largest[1_000] < sum(map(len, stream(many(1_000, one_file)))) / 4
    assert largest[3_000] < 1.5 * largest[1_000], largest


# ------------------------------------------------------------------ the command line


class _Recording(io.TextIOWrapper):
    """A UTF-8 standard output over bytes that records the size of every write."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__(io.BytesIO(), encoding=encoding, newline="")
        self.writes: list[int] = []

    def write(self, text: str) -> int:
        self.writes.append(len(text))
        return super().write(text)

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n"


@pytest.mark.parametrize("name", FORMATS)
def test_standard_output_gets_the_pieces_as_they_come(chdir_tmp, name):
    from linter.cli import main

    for index in range(30):
        (chdir_tmp / f"broken-{index:02d}.yaml").write_text(BROKEN)
    args = [".", "--no-config", "--format", name, "--color", "never"]
    whole = run_cli(*args).out
    out = _Recording()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(args) == 1
    assert out.value() == whole.encode("utf-8")
    assert len(out.writes) > 1, out.writes
    if name not in JSON_FORMATS:  # those write a batch of 200 findings at a time: these 30 are one
        assert max(out.writes) < len(whole) / 2, out.writes


def test_pieces_reach_standard_output_with_the_bytes_of_the_whole(monkeypatch):
    from linter.cli import _write

    # UTF-8: a piece it cannot encode (a lone surrogate) goes to the buffer escaped, the others as they are.
    utf8 = _Recording()
    monkeypatch.setattr(sys, "stdout", utf8)
    _write(iter(["a é\n", "b \ud800\n", "c ✓\n"]), None)
    assert utf8.value() == "a é\nb \ud800\nc ✓\n".encode("utf-8", "backslashreplace")
    # Another encoding: whether the whole fits decides, so the pieces are joined first (all UTF-8 here).
    latin = _Recording("latin-1")
    monkeypatch.setattr(sys, "stdout", latin)
    _write(iter(["é\n", "€\n"]), None)
    assert latin.value() == "é\n€\n".encode("utf-8")
    _write(iter(["é\n", "ü\n"]), None)
    assert latin.value().endswith("é\nü\n".encode("latin-1"))


STREAMING_REPORTER = textwrap.dedent(
    """
    from linter import Reporter, hookimpl

    def render(report):
        return "".join(stream(report))

    def stream(report):
        yield "first piece\\n"
        {fail}

    @hookimpl
    def mldeploy_reporters():
        return [Reporter("pieces", "a streaming reporter that fails half-way", render, stream)]
    """
)


@pytest.fixture
def plugin(tmp_path_factory, monkeypatch):
    directory = tmp_path_factory.mktemp("streaming-plugin")
    monkeypatch.syspath_prepend(str(directory))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    written = []

    def write(name: str, fail: str) -> str:
        (directory / f"{name}.py").write_text(STREAMING_REPORTER.format(fail=fail), encoding="utf-8")
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    "fail, message",
    [
        ("raise RuntimeError('no more')", "raised RuntimeError: no more"),
        ("raise OSError(28, 'not a write of ours')", "raised OSError: [Errno 28] not a write of ours"),
        ("yield b'bytes'", "gave bytes, not a piece of the report text,"),
    ],
)
def test_a_stream_that_fails_half_way_leaves_no_output_file(chdir_tmp, plugin, fail, message):
    name = plugin(f"pieces_{abs(hash(fail))}", fail)
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    (chdir_tmp / "report.txt").write_text("the last report\n")
    for output in ("report.txt", "new.txt"):
        result = run_cli("deploy.yaml", "--no-config", "--plugin", name, "--format", "pieces", "-o", output)
        assert result.code == 2 and result.out == ""
        assert result.err.splitlines()[-1] == f"mldeploy-lint: error: plugin {name!r} {message} while rendering the 'pieces' report"
    assert (chdir_tmp / "report.txt").read_text() == "the last report\n"
    assert sorted(path.name for path in chdir_tmp.iterdir()) == ["deploy.yaml", "report.txt"]  # no temporary file left
    # On standard output the pieces made before the failure are out; the run still fails.
    result = run_cli("deploy.yaml", "--no-config", "--plugin", name, "--format", "pieces")
    assert result.code == 2 and result.err.splitlines()[-1].endswith("while rendering the 'pieces' report")


def test_output_onto_a_linted_file_is_refused_before_a_piece_is_made(chdir_tmp, plugin):
    name = plugin("pieces_refused", "raise RuntimeError('made a piece')")
    (chdir_tmp / "deploy.yaml").write_text(BROKEN)
    result = run_cli("deploy.yaml", "--no-config", "--plugin", name, "--format", "pieces", "-o", "deploy.yaml")
    assert result.code == 2
    assert result.err == "mldeploy-lint: error: --output deploy.yaml is one of the files being linted; write the report elsewhere\n"
    assert (chdir_tmp / "deploy.yaml").read_text() == BROKEN


@pytest.mark.parametrize("name", FORMATS)
def test_output_file_is_the_whole_report_written_in_pieces(chdir_tmp, name):
    for index in range(5):
        (chdir_tmp / f"broken-{index}.yaml").write_text(BROKEN)
    (chdir_tmp / "out").mkdir()
    args = (".", "--no-config", "--format", name, "--color", "never")
    result = run_cli(*args, "-o", "out/report")
    assert (result.code, result.out) == (1, "")
    assert (chdir_tmp / "out" / "report").read_bytes() == run_cli(*args).out.encode("utf-8")
    assert [path.name for path in (chdir_tmp / "out").iterdir()] == ["report"]
    missing = run_cli(*args, "-o", "nowhere/report")
    assert missing.code == 2 and missing.err.startswith("mldeploy-lint: error: cannot write nowhere/report: ")

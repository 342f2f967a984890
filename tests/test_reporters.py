"""Output formats as users and code-scanning tools see them: text, json, sarif, exit codes.

Everything runs the real CLI in-process on the repository's examples/ or on
files written to a temporary directory; SARIF is validated against the
official OASIS schema kept byte-exact in tests/schemas/ (see its README).
A small test plugin (written to a temporary directory and loaded with
`--plugin`) produces warning and info findings, which no built-in rule does.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import sys
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from conftest import REPO, CliResult
from conftest import run_cli as _run_cli

# The expectations below (finding counts, severities, positions) are pinned
# to the rules of the first release; rule packs that land later are ignored
# in these runs so that a new rule never breaks a reporter test.
PINNED_RULES = {"EP001", "CV001", "MD001", "MD002", "MD004"}


def _later_rules() -> str:
    from linter.plugin_manager import build_plugin_host

    return ",".join(rule.id for rule in build_plugin_host().rules() if rule.id not in PINNED_RULES)


def run_cli(*args: str, **kwargs) -> CliResult:
    """`conftest.run_cli` for lint runs, ignoring the rules that landed after the reporters' tests.

    Lint runs read only their files' directories as context: the examples
    live in this repository, whose other files these tests are not about.
    """
    if not (args and args[0] in ("rules", "explain")):
        later = _later_rules()
        args = (*args, "--ignore", later) if later else args
        if "--context" not in args:
            args = (*args, "--context", "siblings")
    return _run_cli(*args, **kwargs)

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
# FACTS.md section 12: the URI GitHub's own example uses.
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
EXAMPLES = REPO / "examples" / "cloudformation"

TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>[0-9]+):(?P<column>[0-9]+): (?P<severity>error|warning|info) "
    r"(?P<rule>[A-Z][A-Z0-9]*[0-9]{3}) \[(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\] (?P<message>.+)$"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
JSON_KEYS = {"schema_version", "tool", "summary", "findings", "files"}
SUMMARY_KEYS = {"files", "files_recognised", "findings", "errors", "warnings", "info", "suppressed", "baseline_stale", "fail_on"}
FINDING_KEYS = {"rule", "slug", "severity", "message", "path", "line", "column", "end_line", "end_column", "plugin", "fingerprint"}
FILE_KEYS = {"path", "recognised", "deployments"}
HEADINGS = ("What it does", "Why it matters", "Example", "Fix", "Sources")

PLUGIN = "mldeploy_reporters_test_plugin"
# What-it-does text longer than GitHub's 1024-character description limit.
LONG_WHAT = textwrap.fill("Reports every scalar that asks for a finding. " * 30, width=72)
PLUGIN_SOURCE = f'''
"""Test plugin: a finding of the asked-for severity wherever a scalar says `error: ...`, `warning: ...` or `info: ...`."""

import re

from linter import ScalarNode, Severity, Span, Violation, hookimpl, iter_nodes, rule

_MARK = re.compile(r"^(error|warning|info): (.+)$")


def _strings(document):
    if document.root is None:
        return
    for node in iter_nodes(document.root):
        if isinstance(node, ScalarNode) and isinstance(node.value, str):
            yield node


@rule("TR001", "severity-marker", "warning", "A scalar asks for a finding of its severity.", scope="document")
def severity_marker(document, run):
    """
    ## What it does
{textwrap.indent(LONG_WHAT, "    ")}

    ## Why it matters
    Reporter tests need findings of every severity.

    ## Example
    `key: "warning: look here"`

    ## Fix
    `key: look here`

    ## Sources
    - tests/test_reporters.py
    """
    for node in _strings(document):
        match = _MARK.match(node.value)
        if match:
            yield Violation(match.group(2), node.span, Severity(match.group(1)))
        elif node.value.startswith("tie: "):
            yield Violation("the whole scalar", node.span)


@rule("TR002", "tie-marker", "info", "A scalar starts a tie at its first character.", scope="document")
def tie_marker(document, run):
    """
    ## What it does
    Reports the first character of a `tie: ...` scalar, where TR001 reports the whole scalar.

    ## Why it matters
    Two rules at the same start position test the report order.

    ## Example
    `key: "tie: x"`

    ## Fix
    `key: x`

    ## Sources
    - tests/test_reporters.py
    """
    for node in _strings(document):
        if node.value.startswith("tie: "):
            span = node.span
            yield Violation("its first character", Span(span.path, span.line, span.column, span.line, span.column + 1))


@hookimpl
def mldeploy_rules():
    return [severity_marker, tie_marker]
'''


# ---------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _no_colour_environment(monkeypatch):
    """The caller's NO_COLOR / FORCE_COLOR must not leak into these tests."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture(scope="module")
def marker_plugin(tmp_path_factory):
    """The name of the test plugin module, importable for the module's tests."""
    directory = tmp_path_factory.mktemp("plugin")
    (directory / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    sys.path.insert(0, str(directory))
    try:
        yield PLUGIN
    finally:
        sys.path.remove(str(directory))
        sys.modules.pop(PLUGIN, None)


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_cli_on_terminal(*args: str) -> CliResult:
    """Like `run_cli`, but standard output claims to be a terminal."""
    from linter.cli import main

    later = _later_rules()
    if later:
        args = (*args, "--ignore", later)
    args = (*args, "--context", "siblings")
    out, err = _Terminal(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def markers(*values: str) -> str:
    """A YAML mapping whose values are the given (marker) strings, one per line."""
    return "".join(f'key{number}: "{value}"\n' for number, value in enumerate(values))


def lint_json(*args: str) -> dict:
    result = run_cli(*args, "--format", "json")
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def sarif_errors(validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(log)]


def only_result(log: dict) -> dict:
    (run,) = log["runs"]
    return run["results"]


# ------------------------------------------------------------- scenarios

SCENARIOS = ("examples", "parse-error-and-odd-names", "every-severity")


@pytest.fixture(params=SCENARIOS)
def scenario(request, tmp_path, monkeypatch, marker_plugin) -> list[str]:
    """Change to the directory a run happens in; return its lint arguments."""
    if request.param == "examples":
        monkeypatch.chdir(REPO)
        return ["examples"]
    monkeypatch.chdir(tmp_path)
    if request.param == "parse-error-and-odd-names":
        write(
            tmp_path / "bad file.yaml",
            """
            Resources:
              Endpoint:
                Type: AWS::SageMaker::Endpoint
                Properties: [EndpointConfigName: config
            """,
        )
        (tmp_path / "sub dir").mkdir()
        shutil.copy(EXAMPLES / "video-transcription.yaml", tmp_path / "sub dir" / "vidé o#1.yaml")
        shutil.copy(EXAMPLES / "clean-async-endpoint.yaml", tmp_path / "clean.yaml")
        return ["."]
    # distinct counts per severity (1 error, 3 warnings, 2 info) so a swapped count shows
    write(tmp_path / "a.yaml", markers("error: e one", "warning: w one", "warning: w two", "info: i one"))
    write(tmp_path / "b.yaml", markers("warning: w three", "info: i two"))
    return [".", "--plugin", marker_plugin]


@pytest.fixture
def outputs(scenario) -> dict[str, str]:
    """The text, json and sarif output of the scenario's run."""
    found = {}
    for name in ("text", "json", "sarif"):
        result = run_cli(*scenario, "--format", name)
        assert result.code == 1, result.err  # every scenario has error findings
        assert result.err == ""
        found[name] = result.out
    return found


# ------------------------------------------------------- the schema copy


def test_schema_copy_is_byte_exact():
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_schema_is_a_valid_draft4_schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)


def test_validator_rejects_broken_sarif(sarif_validator, monkeypatch):
    """The schema check is not vacuous: damaged output fails it."""
    monkeypatch.chdir(REPO)
    log = json.loads(run_cli("examples", "--format", "sarif").out)
    assert sarif_errors(sarif_validator, log) == []
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["runs"][0]["tool"]["driver"]["name"]
    log["version"] = "2.0.0"
    assert len(sarif_errors(sarif_validator, log)) >= 3


# ------------------------------------------------------------------ SARIF


def test_scenarios_cover_what_they_claim(request, outputs):
    findings = json.loads(outputs["json"])["findings"]
    rules, severities = {finding["rule"] for finding in findings}, {finding["severity"] for finding in findings}
    expected_rules, expected_severities = {
        "examples": ({"EP001", "CV001"}, {"error"}),
        "parse-error-and-odd-names": ({"EP001", "MD001"}, {"error"}),
        "every-severity": ({"TR001"}, {"error", "warning", "info"}),
    }[request.node.callspec.params["scenario"]]
    assert expected_rules <= rules
    assert severities == expected_severities


def test_sarif_validates_against_the_official_schema(outputs, sarif_validator):
    assert sarif_errors(sarif_validator, json.loads(outputs["sarif"])) == []


def test_sarif_log_and_run(outputs):
    log = json.loads(outputs["sarif"])
    assert log["$schema"] == SARIF_SCHEMA_URI
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mldeploy-lint"
    assert driver["version"] == json.loads(outputs["json"])["tool"]["version"]


def test_sarif_results(outputs):
    results = only_result(json.loads(outputs["sarif"]))
    assert results
    for result in results:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*[0-9]{3}", result["ruleId"])
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"].strip()
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        parts = urlsplit(uri)
        assert not parts.scheme and not parts.netloc, uri
        assert not uri.startswith(("/", "./", "../")), uri
        assert " " not in uri and "#" not in uri, uri
        region = location["physicalLocation"]["region"]
        start = (region["startLine"], region["startColumn"])
        end = (region["endLine"], region["endColumn"])
        assert min(*start, *end) >= 1, region
        assert end > start, region  # non-empty, so a code-scanning UI can underline it


def test_sarif_results_match_the_other_formats(outputs):
    """Same findings, same order: location as in text, level and end as in json."""
    results = only_result(json.loads(outputs["sarif"]))
    findings = json.loads(outputs["json"])["findings"]
    text_lines = [TEXT_LINE.match(line) for line in outputs["text"].splitlines()[:-1]]
    assert len(results) == len(findings) == len(text_lines)
    for result, finding, line in zip(results, findings, text_lines):
        physical = result["locations"][0]["physicalLocation"]
        region = physical["region"]
        assert (unquote(physical["artifactLocation"]["uri"]), region["startLine"], region["startColumn"]) == (
            line["path"],
            int(line["line"]),
            int(line["column"]),
        )
        assert (result["ruleId"], result["message"]["text"]) == (line["rule"], line["message"])
        assert result["level"] == LEVELS[finding["severity"]]
        if (finding["end_line"], finding["end_column"]) > (finding["line"], finding["column"]):
            assert (region["endLine"], region["endColumn"]) == (finding["end_line"], finding["end_column"])


def test_sarif_rule_index_and_descriptors(outputs):
    run = json.loads(outputs["sarif"])["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    ids = [descriptor["id"] for descriptor in descriptors]
    assert len(ids) == len(set(ids))
    for result in run["results"]:
        assert descriptors[result["ruleIndex"]]["id"] == result["ruleId"]
    for descriptor in descriptors:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", descriptor["name"])
        assert descriptor["shortDescription"]["text"].strip()
        assert len(descriptor["shortDescription"]["text"]) <= 1024
        assert descriptor["fullDescription"]["text"].strip()
        assert len(descriptor["fullDescription"]["text"]) <= 1024
        assert descriptor["help"]["text"].strip()
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_sarif_descriptors_carry_rule_metadata(marker_plugin, chdir_tmp):
    write(chdir_tmp / "a.yaml", markers("info: i"))
    run = json.loads(run_cli(".", "--plugin", marker_plugin, "--format", "sarif").out)["runs"][0]
    descriptors = {descriptor["id"]: descriptor for descriptor in run["tool"]["driver"]["rules"]}
    assert descriptors["TR001"]["name"] == "severity-marker"
    assert descriptors["TR001"]["defaultConfiguration"]["level"] == "warning"
    assert descriptors["TR002"]["defaultConfiguration"]["level"] == "note"
    assert descriptors["EP001"]["defaultConfiguration"]["level"] == "error"
    # the 1,400-character What-it-does is cut to GitHub's limit, the help keeps it all
    assert len(LONG_WHAT) > 1024
    assert descriptors["TR001"]["fullDescription"]["text"] == LONG_WHAT[:1024]
    assert descriptors["TR001"]["help"]["text"] == LONG_WHAT
    (result,) = run["results"]
    assert (result["ruleId"], result["level"]) == ("TR001", "note")  # the finding's severity, not the default


def test_sarif_lists_only_the_enabled_rules(monkeypatch):
    from linter.plugin_manager import build_plugin_host

    monkeypatch.chdir(REPO)
    run = json.loads(run_cli("examples", "--select", "EP", "--format", "sarif").out)["runs"][0]
    # run_cli ignores the rules that are not pinned: those are not enabled either.
    assert [descriptor["id"] for descriptor in run["tool"]["driver"]["rules"]] == sorted(
        rule.id for rule in build_plugin_host().rules() if rule.id.startswith("EP") and rule.id in PINNED_RULES
    )
    assert {result["ruleId"] for result in run["results"]} == {"EP001"}


def test_sarif_uris_are_percent_encoded(chdir_tmp):
    write(chdir_tmp / "bad file.yaml", "a: [b\n")
    (chdir_tmp / "sub dir").mkdir()
    shutil.copy(EXAMPLES / "video-transcription.yaml", chdir_tmp / "sub dir" / "vidé o#1.yaml")
    results = only_result(json.loads(run_cli(".", "--format", "sarif").out))
    uris = [(result["ruleId"], result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for result in results]
    assert uris == [("MD001", "bad%20file.yaml"), ("EP001", "sub%20dir/vid%C3%A9%20o%231.yaml")]


@pytest.mark.parametrize(
    "spelling",
    [
        "configs",
        "./configs",
        "configs/",
        "{cwd}/configs",
        ".//configs",
        "configs/./sub",
        "../{name}/configs",
    ],
)
def test_sarif_uri_is_relative_to_the_working_directory_however_the_path_is_spelled(chdir_tmp, spelling):
    shutil.copy(EXAMPLES / "video-transcription.yaml", write(chdir_tmp / "configs" / "sub" / "x.yaml", ""))
    path = spelling.format(cwd=chdir_tmp, name=chdir_tmp.name)
    results = only_result(json.loads(run_cli(path, "--format", "sarif").out))
    assert [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results] == [
        "configs/sub/x.yaml"
    ]


def test_reported_path_keeps_naming_the_file_for_a_doubled_slash(chdir_tmp):
    shutil.copy(EXAMPLES / "video-transcription.yaml", write(chdir_tmp / "configs" / "x.yaml", ""))
    assert [finding["path"] for finding in lint_json(".//configs")["findings"]] == ["configs/x.yaml"]


def test_sarif_uri_outside_the_working_directory_is_a_file_uri(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    outside = tmp_path / "elsewhere" / "x.yaml"
    shutil.copy(EXAMPLES / "video-transcription.yaml", write(outside, ""))
    monkeypatch.chdir(tmp_path / "cwd")
    results = only_result(json.loads(run_cli(str(outside), "--format", "sarif").out))
    assert [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results] == [
        outside.as_uri()
    ]


# ------------------------------------------------------------------- JSON


def test_json_document_shape(outputs):
    document = json.loads(outputs["json"])
    assert set(document) == JSON_KEYS
    assert document["schema_version"] == 1
    assert document["tool"]["name"] == "mldeploy-lint"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+\S*", document["tool"]["version"])
    assert set(document["summary"]) == SUMMARY_KEYS
    assert document["findings"]
    for finding in document["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning", "info")
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", finding["slug"])
        assert finding["message"] and finding["plugin"] and finding["path"]
        assert min(finding["line"], finding["column"], finding["end_line"], finding["end_column"]) >= 1
        assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])
    for item in document["files"]:
        assert set(item) == FILE_KEYS
        assert isinstance(item["recognised"], bool) and isinstance(item["deployments"], int)


def test_json_summary_counts_match_the_findings(outputs):
    document = json.loads(outputs["json"])
    summary, findings, files = document["summary"], document["findings"], document["files"]
    severities = [finding["severity"] for finding in findings]
    assert summary["findings"] == len(findings)
    assert summary["suppressed"] == 0
    assert (summary["errors"], summary["warnings"], summary["info"]) == (
        severities.count("error"),
        severities.count("warning"),
        severities.count("info"),
    )
    assert summary["files"] == len(files)
    assert summary["files_recognised"] == sum(item["recognised"] for item in files)
    assert summary["fail_on"] == "warning"
    assert {finding["path"] for finding in findings} <= {item["path"] for item in files}


def test_json_records_fail_on(monkeypatch):
    monkeypatch.chdir(REPO)
    assert lint_json("examples", "--fail-on", "never")["summary"]["fail_on"] == "never"
    assert lint_json("examples", "--fail-on", "info")["summary"]["fail_on"] == "info"


def test_json_files_lists_every_file(chdir_tmp):
    shutil.copy(EXAMPLES / "clean-async-endpoint.yaml", chdir_tmp / "clean.yaml")
    write(chdir_tmp / "other.yaml", "just: data\n")
    assert lint_json(".")["files"] == [
        {"path": "clean.yaml", "recognised": True, "deployments": 1},
        {"path": "other.yaml", "recognised": False, "deployments": 0},
    ]


@pytest.mark.parametrize("name", ["json", "sarif", "text"])
def test_output_is_deterministic(scenario, name):
    first, second = run_cli(*scenario, "--format", name), run_cli(*scenario, "--format", name)
    assert first.out == second.out
    assert first.out.endswith("\n")


def test_findings_are_sorted_by_path_line_column_rule(outputs):
    findings = json.loads(outputs["json"])["findings"]
    keys = [(finding["path"], finding["line"], finding["column"], finding["rule"]) for finding in findings]
    assert keys == sorted(keys)


def test_findings_at_one_position_are_sorted_by_rule(marker_plugin, chdir_tmp):
    write(chdir_tmp / "a.yaml", markers("tie: x"))
    findings = lint_json(".", "--plugin", marker_plugin)["findings"]
    assert [(finding["line"], finding["column"]) for finding in findings] == [(1, 7), (1, 7)]
    assert [finding["rule"] for finding in findings] == ["TR001", "TR002"]


# ------------------------------------------------------------------- text


def test_text_lines_have_the_documented_shape(outputs):
    *lines, summary = outputs["text"].splitlines()
    findings = json.loads(outputs["json"])["findings"]
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [match.groupdict() for match in parsed] == [
        {
            "path": finding["path"],
            "line": str(finding["line"]),
            "column": str(finding["column"]),
            "severity": finding["severity"],
            "rule": finding["rule"],
            "slug": finding["slug"],
            "message": finding["message"],
        }
        for finding in findings
    ]
    assert summary.startswith("Found ")


def test_text_for_examples(monkeypatch):
    monkeypatch.chdir(REPO)
    lines = run_cli("examples/cloudformation/fraud-scoring-serverless.yaml").out.splitlines()
    assert [line.split(" ")[:4] for line in lines[:-1]] == [
        ["examples/cloudformation/fraud-scoring-serverless.yaml:25:23:", "error", "EP001", "[payload-exceeds-endpoint-limit]"],
        ["examples/cloudformation/fraud-scoring-serverless.yaml:32:29:", "error", "CV001", "[serverless-memory-invalid]"],
    ]
    assert lines[-1] == "Found 2 problems (2 errors) in 1 of 1 file (1 recognised as deployments)."


@pytest.mark.parametrize("count", [1, 2])
def test_text_clean_summary(chdir_tmp, cli, count):
    for number in range(count):
        shutil.copy(EXAMPLES / "clean-async-endpoint.yaml", chdir_tmp / f"clean{number}.yaml")
    result = cli(".")
    expected = f"No problems found in {count} file{'s' if count > 1 else ''} ({count} recognised as deployments).\n"
    assert (result.code, result.out) == (0, expected)


@pytest.mark.parametrize(
    "values, summary",
    [
        (["warning: w"], "Found 1 problem (1 warning) in 1 of 2 files (0 recognised as deployments)."),
        (["error: e"], "Found 1 problem (1 error) in 1 of 2 files (0 recognised as deployments)."),
        (["error: e", "warning: w1", "warning: w2"], "Found 3 problems (1 error, 2 warnings) in 1 of 2 files (0 recognised as deployments)."),
        (["error: e1", "error: e2", "info: i1", "info: i2"], "Found 4 problems (2 errors, 2 info) in 1 of 2 files (0 recognised as deployments)."),
        (["info: i"], "Found 1 problem (1 info) in 1 of 2 files (0 recognised as deployments)."),
    ],
)
def test_text_findings_summary(chdir_tmp, marker_plugin, values, summary):
    write(chdir_tmp / "a.yaml", markers(*values))
    write(chdir_tmp / "b.yaml", "quiet: file\n")
    lines = run_cli(".", "--plugin", marker_plugin).out.splitlines()
    assert len(lines) == len(values) + 1
    assert lines[-1] == summary


def test_text_summary_counts_files_with_findings(monkeypatch):
    monkeypatch.chdir(REPO)
    # fraud-scoring has two findings, video-transcription one; the async example none, and
    # the LLM chat example none of the pinned rules
    last = run_cli(*(str(path.relative_to(REPO)) for path in sorted(EXAMPLES.glob("*.yaml")))).out.splitlines()[-1]
    assert last == "Found 3 problems (3 errors) in 2 of 4 files (4 recognised as deployments)."


@pytest.fixture
def example_args(monkeypatch) -> list[str]:
    monkeypatch.chdir(REPO)
    return ["examples/cloudformation/fraud-scoring-serverless.yaml"]


@pytest.mark.parametrize(
    "args, environment, terminal",
    [
        ([], {}, False),  # not a terminal
        (["--color", "never"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, True),
        (["--color", "auto"], {"NO_COLOR": "1"}, True),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True),  # NO_COLOR wins
    ],
)
def test_text_without_colour(example_args, monkeypatch, args, environment, terminal):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = (run_cli_on_terminal if terminal else run_cli)(*example_args, *args)
    assert result.code == 1
    assert "\x1b" not in result.out
    assert TEXT_LINE.match(result.out.splitlines()[0])


@pytest.mark.parametrize(
    "args, environment, terminal",
    [
        (["--color", "always"], {}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, False),  # an explicit choice beats the environment
        ([], {}, True),  # auto on a terminal
        ([], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_text_with_colour(example_args, monkeypatch, args, environment, terminal):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    coloured = (run_cli_on_terminal if terminal else run_cli)(*example_args, *args)
    assert ANSI.search(coloured.out)
    # colour decorates; the text underneath is the plain output
    for name in environment:
        monkeypatch.delenv(name)
    assert ANSI.sub("", coloured.out) == run_cli(*example_args).out


def test_colour_never_goes_to_an_output_file_on_auto(example_args, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    target = tmp_path / "report.txt"
    run_cli_on_terminal(*example_args, "--output", str(target))
    assert "\x1b" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_machine_formats_ignore_colour(example_args, name):
    assert "\x1b" not in run_cli(*example_args, "--format", name, "--color", "always").out


# ------------------------------------------------ output, format, exit codes


@pytest.mark.parametrize("name", ["text", "json", "sarif"])
def test_output_file_gets_the_report_and_stdout_stays_empty(example_args, tmp_path, name):
    target = tmp_path / f"report.{name}"
    result = run_cli(*example_args, "--format", name, "--output", str(target))
    assert (result.code, result.out, result.err) == (1, "", "")
    assert target.read_text(encoding="utf-8") == run_cli(*example_args, "--format", name).out


def test_output_file_that_cannot_be_written_is_a_usage_error(example_args, tmp_path):
    result = run_cli(*example_args, "--output", str(tmp_path / "missing-dir" / "report.txt"))
    assert result.code == 2
    assert "cannot write" in result.err and result.out == ""


def test_unknown_format_lists_the_formats(example_args):
    result = run_cli(*example_args, "--format", "unknown")
    assert (result.code, result.out) == (2, "")
    assert "unknown --format 'unknown'" in result.err
    for name in ("json", "sarif", "text"):
        assert name in result.err


@pytest.mark.parametrize(
    "values, expected",
    [
        # findings present -> exit code for --fail-on error, warning, info, never
        ([], {"error": 0, "warning": 0, "info": 0, "never": 0}),
        (["info: i"], {"error": 0, "warning": 0, "info": 1, "never": 0}),
        (["warning: w", "info: i"], {"error": 0, "warning": 1, "info": 1, "never": 0}),
        (["error: e"], {"error": 1, "warning": 1, "info": 1, "never": 0}),
    ],
)
def test_fail_on_sets_the_exit_code(chdir_tmp, marker_plugin, values, expected):
    write(chdir_tmp / "a.yaml", markers(*values) if values else "quiet: file\n")
    codes = {level: run_cli(".", "--plugin", marker_plugin, "--fail-on", level).code for level in expected}
    assert codes == expected
    assert run_cli(".", "--plugin", marker_plugin).code == expected["warning"]  # the default


def test_fail_on_rejects_unknown_severity(example_args):
    assert run_cli(*example_args, "--fail-on", "fatal").code == 2


def test_exit_code_does_not_depend_on_the_format(example_args):
    for name in ("text", "json", "sarif"):
        assert run_cli(*example_args, "--format", name).code == 1
        assert run_cli(*example_args, "--format", name, "--fail-on", "never").code == 0


# ------------------------------------------------------- rules and explain


def test_rules_json_lists_every_rule(cli):
    from linter.plugin_manager import build_plugin_host

    result = cli("rules", "--format", "json")
    assert result.code == 0
    listed = json.loads(result.out)
    registered = build_plugin_host().rules()
    assert [entry["id"] for entry in listed] == sorted(rule.id for rule in registered)
    by_id = {rule.id: rule for rule in registered}
    for entry in listed:
        rule = by_id[entry["id"]]
        assert (entry["slug"], entry["severity"], entry["summary"]) == (rule.slug, rule.severity.value, rule.summary)
        assert list(entry["docs"]) == list(HEADINGS)
        assert all(text.strip() for text in entry["docs"].values()), entry["id"]


def test_rules_markdown_has_a_heading_per_rule(cli):
    from linter.plugin_manager import build_plugin_host

    result = cli("rules", "--format", "markdown")
    assert result.code == 0
    headings = set(result.out.splitlines())
    for rule in build_plugin_host().rules():
        assert f"## {rule.id} {rule.slug}" in headings


def test_explain_by_id_and_by_slug_agree(cli):
    by_id, by_slug, lower = cli("explain", "EP001"), cli("explain", "payload-exceeds-endpoint-limit"), cli("explain", "ep001")
    assert by_id.code == by_slug.code == lower.code == 0
    assert by_id.out == by_slug.out == lower.out
    lines = by_id.out.splitlines()
    assert lines[0] == "# EP001 payload-exceeds-endpoint-limit"
    assert [line for line in lines if line.startswith("## ")] == [f"## {heading}" for heading in HEADINGS]


def test_explain_unknown_rule_is_a_usage_error(cli):
    result = cli("explain", "NOPE999")
    assert (result.code, result.out) == (2, "")
    assert "NOPE999" in result.err


# --- rendered streams: the template a finding's document came from ------------------------

RENDERED = """\
---
# Source: recsys/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
# Source: recsys/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ranker
  annotations:
    mldeploy-lint.io/payload-mb: lots
spec:
  selector: {matchLabels: {app: ranker}}
  template:
    metadata: {labels: {app: ranker}}
    spec:
      containers: [{name: server, image: "pytorch/torchserve:0.12.0-cpu"}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: plain
  annotations:
    mldeploy-lint.io/latency-ms: soon
spec:
  selector: {matchLabels: {app: plain}}
  template:
    metadata: {labels: {app: plain}}
    spec:
      containers: [{name: server, image: "pytorch/torchserve:0.12.0-cpu"}]
"""


def test_rendered_streams_name_the_template_of_each_finding(sarif_validator):
    text = run_cli("-", "--color", "never", stdin=RENDERED.encode())
    lines = text.out.splitlines()
    assert lines[0].startswith("<stdin>:14:34: error MD004 [invalid-workload-profile]")
    assert lines[0].endswith("(rendered from recsys/templates/deployment.yaml)")
    assert lines[1].startswith("<stdin>:27:34: error MD004 ") and "rendered from" not in lines[1]  # no `# Source:` above it

    findings = json.loads(run_cli("-", "--format", "json", stdin=RENDERED.encode()).out)["findings"]
    assert [finding.get("origin") for finding in findings] == ["recsys/templates/deployment.yaml", None]
    assert "rendered from" not in findings[0]["message"]

    log = json.loads(run_cli("-", "--format", "sarif", stdin=RENDERED.encode()).out)
    assert sarif_errors(sarif_validator, log) == []
    assert [result.get("properties") for result in only_result(log)] == [{"renderedFrom": "recsys/templates/deployment.yaml"}, None]


def test_a_finding_in_a_broken_document_is_not_given_the_template_before_it():
    stream = "---\n# Source: chart/templates/a.yaml\nkind: ConfigMap\n--- {x: [}\n"
    result = run_cli("-", "--format", "json", stdin=stream.encode())
    [finding] = json.loads(result.out)["findings"]
    assert finding["rule"] == "MD001" and "origin" not in finding


# ------------------------------------------------------ related locations

PARAMETER_DEFAULT = """\
Parameters:
  MemoryParam:
    Type: Number
    Default: 1500
Resources:
  ScoringConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scoring-model
          ServerlessConfig:
            MemorySizeInMB: !Ref MemoryParam
            MaxConcurrency: 5
"""


def test_a_value_from_a_parameter_default_carries_the_default_as_a_related_location(tmp_path, monkeypatch, sarif_validator):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "template.yaml").write_text(PARAMETER_DEFAULT, encoding="utf-8")

    text = run_cli("template.yaml", "--color", "never").out.splitlines()
    assert text[0].startswith("template.yaml:13:29: error CV001 [serverless-memory-invalid] MemorySizeInMB 1500 ")
    assert text[0].endswith(" (1500 is the Default of parameter MemoryParam)")  # the text format: the message only

    (finding,) = lint_json("template.yaml")["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("CV001", 13, 29)  # the property, as written
    assert set(finding) == FINDING_KEYS | {"related"}
    assert finding["related"] == [
        {
            "message": "1500 is the Default of parameter MemoryParam",
            "path": "template.yaml",
            "line": 4,
            "column": 14,
            "end_line": 4,
            "end_column": 18,
        }
    ]

    log = json.loads(run_cli("template.yaml", "--format", "sarif").out)
    assert sarif_errors(sarif_validator, log) == []
    (result,) = only_result(log)
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 13
    assert result["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4, "startColumn": 14, "endLine": 4, "endColumn": 18},
            },
            "message": {"text": "1500 is the Default of parameter MemoryParam"},
        }
    ]


def test_related_locations_take_no_part_in_a_findings_equality_or_order():
    from linter import Finding, Severity, Span

    span, default = Span("t.yaml", 13, 29, 13, 40), Span("t.yaml", 4, 14, 4, 18)
    plain = Finding(span, "CV001", "message", Severity.ERROR, "serverless-memory-invalid")
    related = Finding(span, "CV001", "message", Severity.ERROR, "serverless-memory-invalid", related=((default, "the Default"),))
    assert plain == related and hash(plain) == hash(related) and plain.sort_key == related.sort_key

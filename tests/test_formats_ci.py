"""The formats CI systems read: SARIF for code scanning, github, junit, gitlab, --statistics, and suppressed findings.

Runs lint real files (the repository's examples/ and files written to a
temporary directory). Until the engine fills in fingerprints and
suppressions, the tests that need them set them by hand on the findings of
a real run (`dataclasses.replace`), as the engine will.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from conftest import REPO, run_cli
from linter import FileSummary, Finding, Report, Severity, Span, Suppression, rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLES = REPO / "examples" / "cloudformation"
SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"
JUNIT_XSD = REPO / "tests" / "fixtures" / "schemas" / "junit-10.xsd"
JUNIT_XSD_SHA256 = "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"
HOSTILE_NAME = "a%b,c:d\n::error::x"


@pytest.fixture(scope="module")
def sarif_validator():
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def junit_schema():
    assert hashlib.sha256(JUNIT_XSD.read_bytes()).hexdigest() == JUNIT_XSD_SHA256
    return xmlschema.XMLSchema(str(JUNIT_XSD))


def sarif_errors(validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(log)]


def render(name: str, report: Report) -> str:
    from linter.plugin_manager import build_plugin_host

    return build_plugin_host().reporters()[name].render(report)


def lint_report(paths=("clean.yaml", "serverless.yaml", "video.yaml", "broken.yaml"), **fields) -> Report:
    """A report of a real run in the current directory (see `workspace`), with `fields` replaced."""
    from linter import __version__
    from linter.api import lint_paths

    result = lint_paths(list(paths), context="none")
    report = Report(
        findings=result.findings,
        files=result.files,
        rules=result.rules,
        tool_version=__version__,
        working_directory=str(Path.cwd()),
        texts=result.texts,
    )
    return replace(report, **fields)


@pytest.fixture
def workspace(chdir_tmp) -> Path:
    """Two templates with findings, a clean one and one that does not parse (MD001)."""
    shutil.copy(EXAMPLES / "clean-async-endpoint.yaml", chdir_tmp / "clean.yaml")
    shutil.copy(EXAMPLES / "fraud-scoring-serverless.yaml", chdir_tmp / "serverless.yaml")
    shutil.copy(EXAMPLES / "video-transcription.yaml", chdir_tmp / "video.yaml")
    (chdir_tmp / "broken.yaml").write_text("Resources: [a\n", encoding="utf-8")
    return chdir_tmp


IN_SOURCE = Suppression("inSource", "load tested at 8 MB in 2025", "serverless.yaml:25")
BASELINE = Suppression("external", "", "baseline.json")


def with_suppressions(report: Report) -> Report:
    """Every finding fingerprinted; the first EP001 suppressed in the file, the first AS001 by a baseline."""
    findings, seen = [], set()
    for position, finding in enumerate(report.findings):
        finding = replace(finding, fingerprint=f"{position:04d}{finding.rule_id}")
        if finding.rule_id in ("EP001", "AS001") and finding.rule_id not in seen:
            seen.add(finding.rule_id)
            finding = replace(finding, suppression=IN_SOURCE if finding.rule_id == "EP001" else BASELINE)
        findings.append(finding)
    assert len(seen) == 2, [finding.rule_id for finding in report.findings]
    return replace(report, findings=tuple(findings))


def finding(
    rule_id: str = "TR001", severity: Severity = Severity.WARNING, line: int = 1, path: str = "a.yaml", message: str = "", **fields
) -> Finding:
    message = message or f"message {rule_id} {line}"
    return Finding(Span(path, line, 3, line, 9), rule_id, message, severity, "test-rule", **fields)


def hand_report(*findings: Finding, files=("a.yaml",), **fields) -> Report:
    return Report(
        findings=tuple(findings),
        files=tuple(FileSummary(path, True, 1) for path in files),
        rules=(),
        tool_version="0.0.0",
        working_directory=str(REPO),
        **fields,
    )


# ------------------------------------------------------------------ SARIF


def test_sarif_with_suppressions_fingerprints_and_a_category_validates_and_drops_nothing(workspace, sarif_validator):
    report = with_suppressions(lint_report(category="infra/cloudformation", exit_code=1))
    log = json.loads(render("sarif", report))
    assert sarif_errors(sarif_validator, log) == []
    (run,) = log["runs"]
    results = run["results"]
    assert len(results) == len(report.findings)  # suppressed findings are results too
    for result, item in zip(results, report.findings):
        assert result["partialFingerprints"] == {"mldeployLint/v1": item.fingerprint}
        if item.suppression is IN_SOURCE:
            assert result["suppressions"] == [
                {"kind": "inSource", "justification": "load tested at 8 MB in 2025", "properties": {"origin": "serverless.yaml:25"}}
            ]
        elif item.suppression is BASELINE:
            assert result["suppressions"] == [{"kind": "external", "properties": {"origin": "baseline.json"}}]
        else:
            assert "suppressions" not in result
    assert run["automationDetails"] == {"id": "infra/cloudformation/"}


def test_sarif_without_fingerprint_or_category_leaves_them_out(workspace, sarif_validator):
    from dataclasses import replace

    report = lint_report()
    report = replace(report, findings=tuple(replace(item, fingerprint="") for item in report.findings))
    log = json.loads(render("sarif", report))
    assert sarif_errors(sarif_validator, log) == []
    (run,) = log["runs"]
    assert "automationDetails" not in run
    assert all("partialFingerprints" not in result and "suppressions" not in result for result in run["results"])


def test_sarif_carries_the_engines_fingerprints(workspace):
    report = lint_report()
    results = json.loads(render("sarif", report))["runs"][0]["results"]
    assert [result["partialFingerprints"]["mldeployLint/v1"] for result in results] == [
        finding.fingerprint for finding in report.findings
    ]


def test_sarif_category_from_the_command_line(workspace):
    run = json.loads(run_cli("video.yaml", "--format", "sarif", "--category", "ml-configs").out)["runs"][0]
    assert run["automationDetails"] == {"id": "ml-configs/"}
    assert json.loads(run_cli("video.yaml", "--format", "sarif", "--category", "ml/").out)["runs"][0]["automationDetails"] == {
        "id": "ml/"
    }


def test_sarif_artifact_locations_are_based_on_srcroot(workspace):
    (workspace / "sub dir").mkdir()
    shutil.copy(EXAMPLES / "video-transcription.yaml", workspace / "sub dir" / "v.yaml")
    run = json.loads(run_cli(".", "--format", "sarif", "--context", "none").out)["runs"][0]
    srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert srcroot == workspace.as_uri() + "/"
    assert run["invocations"][0]["workingDirectory"]["uri"] == srcroot
    locations = [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in run["results"]]
    locations += [
        related["physicalLocation"]["artifactLocation"] for result in run["results"] for related in result.get("relatedLocations", ())
    ]
    assert locations
    for location in locations:
        assert location["uriBaseId"] == "%SRCROOT%", location
        assert (workspace / location["uri"].replace("%20", " ")).is_file()


def test_sarif_absolute_file_uri_has_no_base(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    outside = tmp_path / "elsewhere" / "x.yaml"
    outside.parent.mkdir()
    shutil.copy(EXAMPLES / "video-transcription.yaml", outside)
    monkeypatch.chdir(tmp_path / "cwd")
    run = json.loads(run_cli(str(outside), "--format", "sarif", "--select", "EP001").out)["runs"][0]
    (result,) = run["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": outside.as_uri()}


def test_sarif_invocation_repeats_load_failures_as_notifications(workspace, sarif_validator):
    report = lint_report(exit_code=1)
    run = json.loads(render("sarif", report))["runs"][0]
    (invocation,) = run["invocations"]
    assert (invocation["executionSuccessful"], invocation["exitCode"]) == (True, 1)
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["associatedRule"]["id"] == "MD001"
    rules = run["tool"]["driver"]["rules"]
    assert rules[notification["associatedRule"]["index"]]["id"] == "MD001"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"
    # ... and as a result
    assert [result["ruleId"] for result in run["results"]].count("MD001") == 1


def test_sarif_execution_fails_on_a_plugin_error_or_exit_code_2(workspace, sarif_validator):
    plugin_error = Finding(Span("video.yaml", 1, 1, 1, 2), "MD002", "plugin 'x' raised ValueError", Severity.ERROR, "plugin-error")
    report = lint_report(exit_code=1)
    failed = replace(report, findings=(*report.findings, plugin_error))
    log = json.loads(render("sarif", failed))
    assert sarif_errors(sarif_validator, log) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert {item["associatedRule"]["id"] for item in invocation["toolExecutionNotifications"]} == {"MD001", "MD002"}
    usage = json.loads(render("sarif", replace(report, exit_code=2)))["runs"][0]["invocations"][0]
    assert (usage["executionSuccessful"], usage["exitCode"]) == (False, 2)


def test_sarif_help_uri_is_the_rules_page_under_the_documented_base(monkeypatch):
    from plugins.reporters.sarif import RULE_REFERENCE_FALLBACK, rule_reference_base

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    base = pyproject["project"]["urls"]["Rule reference"]
    assert base.endswith("/docs/rules/") and base == RULE_REFERENCE_FALLBACK
    assert rule_reference_base() == base  # read from the installed metadata
    monkeypatch.chdir(REPO)
    descriptors = json.loads(run_cli("examples", "--format", "sarif").out)["runs"][0]["tool"]["driver"]["rules"]
    assert len(descriptors) > 30
    for descriptor in descriptors:
        assert descriptor["helpUri"] == f"{base}{descriptor['id']}.md"
        assert (REPO / "docs" / "rules" / f"{descriptor['id']}.md").is_file()


def test_sarif_help_base_falls_back_without_metadata(monkeypatch):
    from importlib import metadata

    from plugins.reporters.sarif import RULE_REFERENCE_FALLBACK, rule_reference_base

    def absent(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "metadata", absent)
    assert rule_reference_base() == RULE_REFERENCE_FALLBACK


@rule("ZZ001", "third-party-rule", "warning", "A rule of another distribution.")
def third_party_rule(deployment, run):
    """Not shipped with mldeploy-lint: it has no page under docs/rules/."""
    return ()


def test_sarif_third_party_rules_get_no_help_uri():
    report = replace(hand_report(finding("ZZ001")), rules=(third_party_rule,))
    (descriptor,) = json.loads(render("sarif", report))["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "ZZ001" and "helpUri" not in descriptor


def test_sarif_keeps_githubs_result_limit(monkeypatch, sarif_validator):
    from plugins.reporters import sarif

    many = [finding(line=line) for line in range(1, sarif.MAX_RESULTS + 3)]
    worst = finding("TR009", Severity.ERROR, line=sarif.MAX_RESULTS + 10)
    log = json.loads(render("sarif", hand_report(*many, worst)))
    (run,) = log["runs"]
    assert len(run["results"]) == sarif.MAX_RESULTS == 25_000
    assert run["results"][-1]["ruleId"] == "TR009"  # the error is kept, the last warnings go
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"].startswith("3 results omitted: GitHub code scanning accepts at most 25,000 results")

    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    small = json.loads(render("sarif", hand_report(finding(line=1), finding(line=2, suppression=BASELINE), finding(line=3))))
    assert sarif_errors(sarif_validator, small) == []
    assert [result["locations"][0]["physicalLocation"]["region"]["startLine"] for result in small["runs"][0]["results"]] == [1, 3]


@pytest.mark.parametrize("fixtures", ["tests/rules", "tests/fixtures"])
def test_sarif_of_every_fixture_validates(sarif_validator, monkeypatch, fixtures):
    monkeypatch.chdir(REPO)
    result = run_cli(fixtures, "--format", "sarif", "--context", "none")
    assert result.code == 1, result.err
    log = json.loads(result.out)
    assert len(log["runs"][0]["results"]) > 50
    assert sarif_errors(sarif_validator, log) == []


# ------------------------------------------------------------------ github


def test_github_escapes_data_and_properties():
    from plugins.reporters.github import escape_data, escape_property

    assert escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert escape_data("\x1b[31mred") == "\\x1b[31mred"


def test_github_hostile_resource_name_makes_exactly_one_annotation(chdir_tmp):
    manifest = chdir_tmp / "a%b,c:d.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {json.dumps(HOSTILE_NAME)}\n"
        "  labels:\n    environment: production\n"
        "spec:\n  replicas: 1\n  selector:\n    matchLabels: {app: m}\n"
        "  template:\n    metadata:\n      labels: {app: m}\n    spec:\n      containers:\n"
        "        - name: server\n          image: nvcr.io/nvidia/tritonserver:24.01-py3\n",
        encoding="utf-8",
    )
    result = run_cli(".", "--format", "github", "--select", "HA003")
    assert result.code == 1, result.err
    assert result.out.count("\n") == 1 and result.out.endswith("\n")
    assert [line for line in result.out.splitlines() if "::" in line[:2]] == result.out.splitlines()
    (line,) = result.out.splitlines()
    assert line.startswith(
        "::error file=a%25b%2Cc%3Ad.yaml,line=8,col=13,endLine=8,endColumn=14,title=HA003 single-replica-production-workload::"
    )
    assert "production service a%25b,c:d%0A::error::x runs 1 replica" in line
    assert "\r" not in result.out


def test_github_severities_and_suppressed_findings(chdir_tmp):
    report = hand_report(
        finding("TR001", Severity.ERROR, line=1),
        finding("TR002", Severity.WARNING, line=2),
        finding("TR003", Severity.INFO, line=3, origin="chart/templates/x.yaml"),
        finding("TR004", Severity.ERROR, line=4, suppression=IN_SOURCE),
    )
    assert render("github", report) == (
        "::error file=a.yaml,line=1,col=3,endLine=1,endColumn=9,title=TR001 test-rule::message TR001 1\n"
        "::warning file=a.yaml,line=2,col=3,endLine=2,endColumn=9,title=TR002 test-rule::message TR002 2\n"
        "::notice file=a.yaml,line=3,col=3,endLine=3,endColumn=9,title=TR003 test-rule::message TR003 3 "
        "(rendered from chart/templates/x.yaml)\n"
    )
    assert render("github", hand_report()) == ""


# ------------------------------------------------------------------ junit


def test_junit_of_a_real_run_validates_and_has_a_suite_per_file(workspace, junit_schema):
    report = with_suppressions(lint_report())
    document = render("junit", report)
    junit_schema.validate(document)
    root = xmlschema.XMLResource(document).root
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["clean.yaml", "serverless.yaml", "video.yaml", "broken.yaml"]
    (clean,) = suites["clean.yaml"].findall("testcase")
    assert clean.get("name") == "mldeploy-lint" and list(clean) == []
    for path, suite in suites.items():
        findings = [item for item in report.findings if item.path == path]
        cases = suite.findall("testcase")
        assert len(cases) == max(len(findings), 1) == int(suite.get("tests"))
        assert int(suite.get("failures")) == sum(item.suppression is None for item in findings)
        assert int(suite.get("skipped")) == sum(item.suppression is not None for item in findings)
        for case, item in zip(cases, findings):
            assert case.get("name") == f"{item.rule_id} {item.slug} at {item.span.line}:{item.span.column}"
            assert case.get("classname") == path
            if item.suppression is None:
                (failure,) = case.findall("failure")
                assert (failure.get("type"), failure.get("message")) == (item.severity.value, item.message)
                assert failure.text.startswith(f"{path}:{item.span.line}:{item.span.column}: {item.severity.value} {item.rule_id} ")
            else:
                (skipped,) = case.findall("skipped")
                assert skipped.get("message").startswith(f"suppressed ({item.suppression.kind}): ")
    skipped = [case.find("skipped").get("message") for case in root.iter("testcase") if case.find("skipped") is not None]
    assert skipped == [
        "suppressed (inSource): load tested at 8 MB in 2025 (serverless.yaml:25)",
        "suppressed (external): no reason given (baseline.json)",
    ]
    assert int(root.get("failures")) == len(report.active)


def test_junit_holds_any_text_as_valid_xml(junit_schema):
    hostile = finding(path="x<&>\".yaml", message="\x00\x1b]]>&<tag a='b'>\n\ud800 ü")
    document = render("junit", hand_report(hostile, files=("x<&>\".yaml",)))
    junit_schema.validate(document)
    (failure,) = xmlschema.XMLResource(document).root.iter("failure")
    assert failure.get("message") == "\\x00\\x1b]]>&<tag a='b'>\n\\ud800 ü"


def test_junit_rejects_what_the_schema_forbids(junit_schema):
    """The schema check is not vacuous."""
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema.validate('<testsuites><testsuite name="a"><testcase/></testsuite></testsuites>')


# ------------------------------------------------------------------ gitlab


def test_gitlab_code_quality_report(workspace):
    report = with_suppressions(lint_report())
    issues = json.loads(render("gitlab", report))
    assert len(issues) == len(report.active)
    for issue, item in zip(issues, report.active):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == item.rule_id
        assert issue["description"] == f"{item.rule_id} [{item.slug}] {item.message}"
        assert issue["fingerprint"] == item.fingerprint
        assert issue["severity"] == {"error": "critical", "warning": "major", "info": "info"}[item.severity.value]
        assert issue["location"] == {"path": item.path, "lines": {"begin": item.span.line, "end": item.span.end_line}}


def test_gitlab_fingerprints_without_the_engines_are_stable_and_unique(workspace):
    from dataclasses import replace

    def without_fingerprints():
        report = lint_report()
        return replace(report, findings=tuple(replace(item, fingerprint="") for item in report.findings))

    first = json.loads(render("gitlab", without_fingerprints()))
    again = json.loads(render("gitlab", without_fingerprints()))
    fingerprints = [issue["fingerprint"] for issue in first]
    assert fingerprints == [issue["fingerprint"] for issue in again]
    assert all(len(value) == 64 for value in fingerprints)
    assert [issue["fingerprint"] for issue in json.loads(render("gitlab", lint_report()))] == [
        finding.fingerprint for finding in lint_report().findings
    ]
    twice = hand_report(finding(line=1), finding(line=7), finding(line=9, fingerprint="f"), finding(line=9, fingerprint="f"))
    values = [issue["fingerprint"] for issue in json.loads(render("gitlab", twice))]
    assert len(set(values)) == 4 and values[2] == "f"
    assert json.loads(render("gitlab", hand_report())) == []


# ------------------------------------------------------------ --statistics


def test_statistics_counts_per_rule(monkeypatch):
    monkeypatch.chdir(REPO)
    findings = json.loads(run_cli("examples", "--format", "json").out)["findings"]
    result = run_cli("examples", "--statistics")
    assert result.code == 1 and result.err == ""
    rows = [line.split() for line in result.out.splitlines()]
    counted = {(rule_id, slug): int(count) for count, rule_id, slug in rows}
    expected = {}
    for item in findings:
        expected[(item["rule"], item["slug"])] = expected.get((item["rule"], item["slug"]), 0) + 1
    assert counted == expected
    assert [(-int(count), rule_id) for count, rule_id, _ in rows] == sorted((-int(count), rule_id) for count, rule_id, _ in rows)
    as_json = json.loads(run_cli("examples", "--statistics", "--format", "json").out)
    assert [[str(item["count"]), item["rule"], item["slug"]] for item in as_json] == rows


@pytest.mark.parametrize("name", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_statistics_with_an_output_file(monkeypatch, tmp_path, name):
    monkeypatch.chdir(REPO)
    target = tmp_path / f"report.{name}"
    result = run_cli("examples/cloudformation", "--format", name, "--statistics", "--output", str(target))
    assert result.code == 1, result.err
    assert target.read_text(encoding="utf-8") == run_cli("examples/cloudformation", "--format", name).out
    statistics = run_cli("examples/cloudformation", "--statistics", *(("--format", "json") if name == "json" else ())).out
    assert result.out == statistics and statistics


def test_statistics_leave_out_suppressed_findings():
    from linter.cli import statistics

    findings = [finding("TR002"), finding("TR001"), finding("TR002", line=2), finding("TR003", suppression=BASELINE)]
    report = hand_report(*findings)
    assert statistics(report.active) == "2  TR002  test-rule\n1  TR001  test-rule\n"
    assert json.loads(statistics(report.active, as_json=True)) == [
        {"rule": "TR002", "slug": "test-rule", "count": 2},
        {"rule": "TR001", "slug": "test-rule", "count": 1},
    ]
    assert statistics(()) == "" and statistics((), as_json=True) == "[]\n"


# ------------------------------------------- text and json: suppressed findings


def test_text_hides_suppressed_findings_and_counts_them(workspace):
    report = with_suppressions(lint_report())
    lines = render("text", report).splitlines()
    assert len(lines) == len(report.active) + 1
    assert all("suppressed" not in line for line in lines[:-1])
    assert lines[-1].endswith(f"in 3 of 4 files (3 recognised as deployments); 2 suppressed.")
    shown = render("text", replace(report, show_suppressed=True)).splitlines()
    assert len(shown) == len(report.findings) + 1
    suppressed = [line for line in shown if "(suppressed: " in line]
    assert [line.split(" (suppressed: ")[1] for line in suppressed] == [
        "load tested at 8 MB in 2025 (serverless.yaml:25))",
        "no reason given (baseline.json))",
    ]
    assert shown[-1] == lines[-1]


@pytest.mark.parametrize(
    "findings, stale, summary",
    [
        ((), 0, "No problems found in 1 file (1 recognised as deployments)."),
        ((finding(suppression=BASELINE),), 0, "No problems found in 1 file (1 recognised as deployments); 1 suppressed."),
        (
            (finding(), finding(line=2, suppression=BASELINE)),
            1,
            "Found 1 problem (1 warning) in 1 of 1 file (1 recognised as deployments); 1 suppressed. "
            "1 baseline entry no longer matches: run --write-baseline to drop it.",
        ),
        (
            (finding(),),
            3,
            "Found 1 problem (1 warning) in 1 of 1 file (1 recognised as deployments). "
            "3 baseline entries no longer match: run --write-baseline to drop them.",
        ),
    ],
)
def test_text_summary_with_suppressed_findings_and_a_stale_baseline(findings, stale, summary):
    assert render("text", hand_report(*findings, baseline_stale=stale)).splitlines()[-1] == summary


def test_json_marks_suppressed_findings_and_carries_fingerprints(workspace):
    report = with_suppressions(lint_report(baseline_stale=2))
    document = json.loads(render("json", report))
    summary = document["summary"]
    assert (summary["findings"], summary["suppressed"], summary["baseline_stale"]) == (len(report.active), 2, 2)
    assert summary["errors"] + summary["warnings"] + summary["info"] == summary["findings"]
    assert len(document["findings"]) == len(report.findings)
    for item, original in zip(document["findings"], report.findings):
        assert item["fingerprint"] == original.fingerprint
        if original.suppression is None:
            assert "suppressed" not in item
    marked = [item["suppressed"] for item in document["findings"] if "suppressed" in item]
    assert marked == [
        {"kind": "inSource", "justification": "load tested at 8 MB in 2025", "origin": "serverless.yaml:25"},
        {"kind": "external", "justification": "", "origin": "baseline.json"},
    ]


# -------------------------------------------------------------- registration


def test_every_format_is_registered_and_listed(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("examples/cloudformation", "--format", "xml")
    assert result.code == 2
    assert "(choose from github, gitlab, json, junit, sarif, text)" in result.err
    for name in ("github", "junit", "gitlab"):
        assert run_cli("examples/cloudformation", "--format", name).code == 1
        assert run_cli("examples/cloudformation", "--format", name, "--fail-on", "never").code == 0

"""The json format: one stable document (documented in docs/output-formats.md).

Keys and their meaning only ever grow; `schema_version` changes if an
existing key changes meaning.
"""

from __future__ import annotations

from typing import Iterator

from linter import Report, Severity
from plugins.reporters.json_pieces import Items, pieces

SCHEMA_VERSION = 1


def _location(span) -> dict:
    return {"path": span.path, "line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}


def _finding(finding) -> dict:
    """One finding; `origin` only for a finding in a rendered stream's document, `variants` only for one
    judged under stage files, `related` only when it has some, `suppressed` only when it is excused."""
    item = {
        "rule": finding.rule_id,
        "slug": finding.slug,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "plugin": finding.plugin,
        "fingerprint": finding.fingerprint,
    }
    if finding.origin:
        item["origin"] = finding.origin
    if finding.variants:
        item["variants"] = list(finding.variants)
    if finding.related:
        item["related"] = [{"message": message, **_location(span)} for span, message in finding.related]
    if finding.suppression is not None:
        suppression = finding.suppression
        item["suppressed"] = {"kind": suppression.kind, "justification": suppression.justification, "origin": suppression.origin}
    return item


def render(report: Report) -> str:
    """The report as pretty-printed JSON with a trailing newline."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: the findings and files are encoded a batch at a time, as they are written."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mldeploy-lint", "version": report.tool_version},
        "summary": {
            "files": len(report.files),
            "files_recognised": sum(1 for item in report.files if item.recognised),
            "findings": len(report.active),
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
            "suppressed": len(report.suppressed),
            "baseline_stale": report.baseline_stale,
            "fail_on": report.fail_on.value if report.fail_on else "never",
        },
        "findings": Items(_finding(finding) for finding in report.findings),
        "files": Items(
            {"path": item.path, "recognised": item.recognised, "deployments": item.deployments} for item in report.files
        ),
    }
    yield from pieces(document)
    yield "\n"

"""The sarif format: SARIF 2.1.0, one run, a result per finding.

Results carry ruleId, ruleIndex, level, message and one physical location
with a full region (relative URIs based on `%SRCROOT%`, the working
directory), the finding's related locations (each with its message) as
`relatedLocations`, its fingerprint as `partialFingerprints` and, when it
is excused, `suppressions` (a suppressed finding is never dropped). The
driver lists every enabled rule with its docs and, for built-in rules, a
`helpUri` to its page under docs/rules/. The run's invocation says whether
the run succeeded and repeats the load and plugin failures (MD001, MD002)
as tool execution notifications. GitHub code scanning's limits
(FACTS.md section 12) are kept: at most 25,000 results per run,
descriptions of at most 1,024 characters, at most 20 tags per rule.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from linter import Report, Rule, Severity, Span
from linter.rule_docs import rule_markdown
# The rule-page constants stay importable from here, where they were first defined.
from linter.rule_links import RULE_REFERENCE_FALLBACK, RULE_REFERENCE_LABEL, rule_help_uri, rule_reference_base
from plugins.reporters.json_pieces import Items, pieces

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Versioned so that a change of the fingerprint's recipe can use a new key
# instead of silently reopening every alert.
FINGERPRINT_KEY = "mldeployLint/v1"
SRCROOT = "%SRCROOT%"
# GitHub code scanning rejects a run with more results than this.
MAX_RESULTS = 25_000
# Findings of these rules say the linter could not do its work on something:
# they are results and also tool execution notifications.
_EXECUTION_RULES = ("MD001", "MD002")


def _artifact_uri(path: str, working_directory: str) -> str:
    """A URI for a reported path: relative to the working directory when inside it.

    Inside: a normalised, percent-encoded relative reference (`configs/x.yaml`),
    which code scanning resolves against the repository root. Outside: an
    absolute `file://` URI. Pseudo paths such as `<stdin>` are encoded as-is.
    """
    if path.startswith("<") and path.endswith(">"):
        return quote(path, safe="")
    absolute = os.path.abspath(os.path.join(working_directory or os.getcwd(), path))
    relative = os.path.relpath(absolute, working_directory or os.getcwd())
    if relative == ".." or relative.startswith(".." + os.sep):
        return Path(absolute).as_uri()
    return quote(relative.replace(os.sep, "/"), safe="/._-~")


def _descriptor(rule: Rule, help_base: str) -> dict:
    full = rule.docs.what.strip() or rule.summary
    descriptor = {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": full[:1024]},
        "help": {"text": full, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["mldeploy-lint", rule.prefix, *rule.tags][:20]},
    }
    help_uri = rule_help_uri(rule, help_base)
    if help_uri is not None:
        descriptor["helpUri"] = help_uri
    return descriptor


def _physical_location(span: Span, working_directory: str) -> dict:
    """A SARIF physicalLocation with a full region (a position becomes a one-character region)."""
    uri = _artifact_uri(span.path, working_directory)
    artifact = {"uri": uri}
    if not uri.startswith("file:") and not (span.path.startswith("<") and span.path.endswith(">")):
        artifact["uriBaseId"] = SRCROOT
    return {
        "artifactLocation": artifact,
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": max(span.end_line, span.line),
            "endColumn": max(span.end_column, span.column + 1) if span.end_line <= span.line else span.end_column,
        },
    }


def _result(finding, index: dict, working_directory: str) -> dict:
    result = {
        "ruleId": finding.rule_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical_location(finding.span, working_directory)}],
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": position, "physicalLocation": _physical_location(span, working_directory), "message": {"text": message}}
            for position, (span, message) in enumerate(finding.related)
        ]
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.suppression is not None:
        result["suppressions"] = [_suppression(finding.suppression)]
    properties: dict = {}
    if finding.origin:
        properties["renderedFrom"] = finding.origin
    if finding.variants:
        properties["variants"] = list(finding.variants)
    if properties:
        result["properties"] = properties
    return result


def _suppression(suppression) -> dict:
    """A SARIF suppression: kind `inSource` or `external`, the reason, and where it is written."""
    item = {"kind": suppression.kind if suppression.kind in ("inSource", "external") else "external"}
    if suppression.justification:
        item["justification"] = suppression.justification
    if suppression.origin:
        item["properties"] = {"origin": suppression.origin}
    return item


def _kept(findings, limit: int) -> list:
    """The findings a run can hold: all of them, or the `limit` that matter most (in report order).

    What matters most: unsuppressed before suppressed, then the more severe
    (GitHub shows the most severe first), then report order.
    """
    if len(findings) <= limit:
        return list(findings)
    ranked = sorted(
        range(len(findings)),
        key=lambda position: (findings[position].suppression is not None, -findings[position].severity.rank, position),
    )
    return [findings[position] for position in sorted(ranked[:limit])]


def _notification(finding, index: dict, working_directory: str) -> dict:
    notification = {
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical_location(finding.span, working_directory)}],
        "associatedRule": {"id": finding.rule_id},
    }
    if finding.rule_id in index:
        notification["associatedRule"]["index"] = index[finding.rule_id]
    return notification


def _invocation(report: Report, index: dict, working_directory: str, omitted: int) -> dict:
    """The run's one invocation: success, exit code, working directory, and what kept the linter from its work."""
    failures = [finding for finding in report.findings if finding.rule_id in _EXECUTION_RULES]
    notifications = [_notification(finding, index, working_directory) for finding in failures]
    if omitted:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} results omitted: GitHub code scanning accepts at most {MAX_RESULTS:,} results "
                    "per run; the least severe were left out (the json format lists every finding)"
                },
            }
        )
    invocation = {
        "executionSuccessful": report.exit_code != 2 and not any(
            finding.rule_id == "MD002" and finding.suppression is None for finding in failures
        ),
        "exitCode": report.exit_code,
        "workingDirectory": {"uri": _directory_uri(working_directory)},
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _directory_uri(directory: str) -> str:
    """A directory as a `file://` URI ending in `/`, as `originalUriBaseIds` requires."""
    uri = Path(directory).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(report: Report) -> str:
    """The SARIF log as pretty-printed JSON."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: the results are encoded a batch at a time, as they are written."""
    working_directory = report.working_directory or os.getcwd()
    rules = {rule.id: rule for rule in report.rules}
    index = {rule_id: position for position, rule_id in enumerate(sorted(rules))}
    kept = _kept(report.findings, MAX_RESULTS)
    results = Items(_result(finding, index, working_directory) for finding in kept)
    help_base = rule_reference_base()
    run = {
        "tool": {
            "driver": {
                "name": "mldeploy-lint",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_descriptor(rules[rule_id], help_base) for rule_id in sorted(rules)],
            }
        },
        "invocations": [_invocation(report, index, working_directory, len(report.findings) - len(kept))],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(working_directory)}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.category:
        # GitHub reads the category as everything up to the last `/` of the id.
        run["automationDetails"] = {"id": report.category if report.category.endswith("/") else report.category + "/"}
    log = {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    yield from pieces(log)
    yield "\n"

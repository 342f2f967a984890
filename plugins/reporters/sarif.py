"""The sarif format: SARIF 2.1.0, one run, a result per finding.

Results carry ruleId, ruleIndex, level, message and one physical location
with a full region, and the finding's related locations (each with its
message) as `relatedLocations`; the driver lists every enabled rule with its
docs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from linter import Report, Rule, Severity, Span
from linter.rule_docs import rule_markdown

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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


def _descriptor(rule: Rule) -> dict:
    full = rule.docs.what.strip() or rule.summary
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": full[:1024]},
        "help": {"text": full, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["mldeploy-lint", rule.prefix, *rule.tags][:20]},
    }


def _physical_location(span: Span, working_directory: str) -> dict:
    """A SARIF physicalLocation with a full region (a position becomes a one-character region)."""
    return {
        "artifactLocation": {"uri": _artifact_uri(span.path, working_directory)},
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": max(span.end_line, span.line),
            "endColumn": max(span.end_column, span.column + 1) if span.end_line <= span.line else span.end_column,
        },
    }


def render(report: Report) -> str:
    """The SARIF log as pretty-printed JSON."""
    rules = {rule.id: rule for rule in report.rules}
    index = {rule_id: position for position, rule_id in enumerate(sorted(rules))}
    results = []
    for finding in report.findings:
        result = {
            "ruleId": finding.rule_id,
            "level": _LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": _physical_location(finding.span, report.working_directory)}],
        }
        if finding.related:
            result["relatedLocations"] = [
                {"id": position, "physicalLocation": _physical_location(span, report.working_directory), "message": {"text": message}}
                for position, (span, message) in enumerate(finding.related)
            ]
        if finding.rule_id in index:
            result["ruleIndex"] = index[finding.rule_id]
        if finding.origin:
            result["properties"] = {"renderedFrom": finding.origin}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mldeploy-lint",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": [_descriptor(rules[rule_id]) for rule_id in sorted(rules)],
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

"""Built-in output formats: text, json, sarif, github, junit and gitlab."""

from __future__ import annotations

import importlib

from linter import Report, Reporter, hookimpl


def _lazy(module: str, function: str):
    """`function` of a reporter module, imported on first use, so that a run imports only its own format."""

    def call(report: Report):
        return getattr(importlib.import_module(f"plugins.reporters.{module}"), function)(report)

    return call


@hookimpl
def mldeploy_reporters() -> list[Reporter]:
    from plugins.reporters import json_report, sarif, text

    return [
        Reporter("text", "one line per finding, then a summary (colour on a terminal)", text.render, text.stream),
        Reporter("json", "a stable JSON document (see docs/output-formats.md)", json_report.render, json_report.stream),
        Reporter("sarif", "SARIF 2.1.0 for code-scanning tools", sarif.render, sarif.stream),
        Reporter(
            "github",
            "GitHub Actions workflow commands: an annotation per finding",
            _lazy("github", "render"),
            _lazy("github", "stream"),
        ),
        Reporter(
            "junit",
            "JUnit XML: a testsuite per file, a failing testcase per finding",
            _lazy("junit", "render"),
            _lazy("junit", "stream"),
        ),
        Reporter("gitlab", "GitLab Code Quality report (JSON)", _lazy("gitlab", "render"), _lazy("gitlab", "stream")),
    ]

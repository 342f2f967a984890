"""Built-in output formats: text, json, sarif, github, junit and gitlab."""

from __future__ import annotations

import importlib

from linter import Report, Reporter, hookimpl


def _lazy(module: str):
    """A render function that imports its module on first use, so that a run imports only its own format."""

    def render(report: Report) -> str:
        return importlib.import_module(f"plugins.reporters.{module}").render(report)

    return render


@hookimpl
def mldeploy_reporters() -> list[Reporter]:
    from plugins.reporters import json_report, sarif, text

    return [
        Reporter("text", "one line per finding, then a summary (colour on a terminal)", text.render),
        Reporter("json", "a stable JSON document (see docs/output-formats.md)", json_report.render),
        Reporter("sarif", "SARIF 2.1.0 for code-scanning tools", sarif.render),
        Reporter("github", "GitHub Actions workflow commands: an annotation per finding", _lazy("github")),
        Reporter("junit", "JUnit XML: a testsuite per file, a failing testcase per finding", _lazy("junit")),
        Reporter("gitlab", "GitLab Code Quality report (JSON)", _lazy("gitlab")),
    ]

"""Built-in output formats: text, json and sarif."""

from __future__ import annotations

from linter import Reporter, hookimpl


@hookimpl
def mldeploy_reporters() -> list[Reporter]:
    from plugins.reporters import json_report, sarif, text

    return [
        Reporter("text", "one line per finding, then a summary (colour on a terminal)", text.render),
        Reporter("json", "a stable JSON document (see docs/output-formats.md)", json_report.render),
        Reporter("sarif", "SARIF 2.1.0 for code-scanning tools", sarif.render),
    ]

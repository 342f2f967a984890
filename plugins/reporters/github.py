"""The github format: one GitHub Actions workflow command per finding, which the runner shows as an annotation.

`::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=ID slug::MESSAGE`
(`warning` for a warning, `notice` for info). Suppressed findings are not
written. Everything from the linted files is escaped as the runner
expects, so that no file can end a command early or start another one:
the message (the command's data) has `%`, CR and LF written as `%25`,
`%0D`, `%0A`; the properties (file, title) have `:` and `,` escaped as
`%3A` and `%2C` too. Any other control character is written as text
(`\\x1b`), as in the text format.
"""

from __future__ import annotations

from typing import Iterator

from linter import Report, Severity, escape_control

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's data (after `::`): `%`, CR and LF escaped, other controls written as text."""
    return escape_control(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, and `:` and `,` escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding) -> str:
    span = finding.span
    end_line = max(span.end_line, span.line)
    # A position rather than a range gets one character, as in SARIF.
    end_column = max(span.end_column, span.column + 1) if end_line == span.line else span.end_column
    properties = ",".join(
        f"{name}={value}"
        for name, value in (
            ("file", escape_property(finding.path)),
            ("line", span.line),
            ("col", span.column),
            ("endLine", end_line),
            ("endColumn", end_column),
            ("title", escape_property(f"{finding.rule_id} {finding.slug}")),
        )
    )
    message = finding.message + (f" (rendered from {finding.origin})" if finding.origin else "")
    return f"::{_COMMANDS[finding.severity]} {properties}::{escape_data(message)}"


def render(report: Report) -> str:
    """One annotation line per unsuppressed finding, in report order; empty when there is none."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: an annotation line each."""
    return (_annotation(finding) + "\n" for finding in report.findings if finding.suppression is None)

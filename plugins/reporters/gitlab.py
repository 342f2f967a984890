"""The gitlab format: a GitLab Code Quality report, so that merge requests show findings inline.

A JSON array with one object per unsuppressed finding: `description`
(`ID [slug] message`), `check_name` (the rule ID), `fingerprint`,
`severity` and `location` (`path`, `lines.begin`, `lines.end`).
Severities map error → `critical`, warning → `major`, info → `info`
(`minor` and `blocker` are not used). The fingerprint is the finding's own
(stable across edits that do not change its cause), or, when the engine
gave none, the SHA-256 of rule, path and message; GitLab tells findings
apart by fingerprint, so a repeated one is made unique by hashing it with
its occurrence number.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from linter import Report, Severity
from plugins.reporters.json_pieces import Items, pieces

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def render(report: Report) -> str:
    """The Code Quality report as pretty-printed JSON with a trailing newline."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: the issues are encoded a batch at a time, as they are written."""
    yield from pieces(Items(_issues(report)))
    yield "\n"


def _issues(report: Report) -> Iterator[dict]:
    seen: set[str] = set()
    for finding in report.active:
        fingerprint = finding.fingerprint or _hash(finding.rule_id, finding.path, finding.message)
        occurrence = 1
        unique = fingerprint
        while unique in seen:
            unique = _hash(fingerprint, str(occurrence))
            occurrence += 1
        seen.add(unique)
        yield {
            "description": f"{finding.rule_id} [{finding.slug}] {finding.message}",
            "check_name": finding.rule_id,
            "fingerprint": unique,
            "severity": SEVERITIES[finding.severity],
            "location": {
                "path": finding.path,
                "lines": {"begin": finding.span.line, "end": max(finding.span.end_line, finding.span.line)},
            },
        }

"""The baseline: grandfather the findings a repository has, block the new ones.

`--write-baseline FILE` records the run's findings; `--baseline FILE`
reports as suppressed (kind "external") every finding the file records, by
fingerprint and counted: two equal findings in one file need two entries.
The file is JSON, sorted, one entry per finding with its rule, path,
subject and message beside the fingerprint, so that a pull request's diff
of it reads as a list of findings.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from linter.rules import Finding, Suppression

__all__ = ["Baseline", "BaselineError", "baseline_text", "load_baseline"]

FORMAT = "mldeploy-lint-baseline"
VERSION = 1
# A baseline is a list of findings, not a place for megabytes of anything.
MAX_BYTES = 64 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be read."""


@dataclass(frozen=True)
class Baseline:
    """The fingerprints a baseline file records, with their counts."""

    path: str
    fingerprints: tuple[str, ...]

    def apply(self, findings: Sequence[Finding]) -> tuple[list[Finding], int]:
        """`findings` with those the baseline records suppressed, and how many entries matched none."""
        remaining = Counter(self.fingerprints)
        marked = []
        for finding in sorted(findings, key=lambda item: item.sort_key):
            if finding.suppression is None and remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                finding = finding.replaced(suppression=Suppression("external", "in the baseline", self.path))
            marked.append(finding)
        return marked, sum(remaining.values())


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; BaselineError says what is wrong with it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise BaselineError(f"baseline {path} is larger than {MAX_BYTES // 1048576} MiB")
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BaselineError(f"baseline {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("findings"), list):
        raise BaselineError(f"baseline {path} is not a mldeploy-lint baseline (write one with --write-baseline)")
    if document.get("version") != VERSION:
        raise BaselineError(f"baseline {path} has version {document.get('version')!r}; this mldeploy-lint reads version {VERSION}")
    fingerprints = []
    for position, entry in enumerate(document["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"baseline {path}: entry {position} has no fingerprint")
        fingerprints.append(entry["fingerprint"])
    return Baseline(path, tuple(fingerprints))


def baseline_text(findings: Sequence[Finding]) -> str:
    """The baseline document for the findings that count (not suppressed, no plugin failures)."""
    entries = [
        {
            "rule": finding.rule_id,
            "path": finding.path,
            "subject": finding.subject,
            "message": finding.message,
            "fingerprint": finding.fingerprint,
        }
        for finding in findings
        if finding.suppression is None and finding.rule_id != "MD002"
    ]
    entries.sort(key=lambda entry: (entry["path"], entry["rule"], entry["subject"], entry["message"], entry["fingerprint"]))
    document = {"format": FORMAT, "version": VERSION, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

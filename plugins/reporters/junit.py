"""The junit format: JUnit XML (the Ant/Jenkins junit-10 schema) for CI systems that show test reports.

One `testsuite` per linted file (`name` and `file` are the path), in the
order files were found, then any other path a finding names. Each
unsuppressed finding is a `testcase` with a `failure` whose `type` is the
severity, `message` the finding's message, and text the finding as the
text format prints it (with its related locations); a suppressed finding
is a testcase with a `skipped` element giving the reason; a file with no
finding has one passing testcase named `mldeploy-lint`. Testcases are
named `ID slug at LINE:COL`, with the path as `classname`. Characters XML
1.0 cannot hold are written as text (`\\x1b`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Iterator

from linter import Report

# Everything XML 1.0 forbids (tab, LF and CR are allowed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) <= 0xFF else f"\\u{ord(match.group()):04x}", text)


def _attributes(**attributes) -> dict[str, str]:
    return {name.rstrip("_"): _xml_text(str(value)) for name, value in attributes.items()}


def _element(parent, tag: str, **attributes) -> ElementTree.Element:
    return ElementTree.SubElement(parent, tag, _attributes(**attributes))


def _described(finding) -> str:
    span = finding.span
    lines = [f"{finding.path}:{span.line}:{span.column}: {finding.severity.value} {finding.rule_id} [{finding.slug}] {finding.message}"]
    if finding.origin:
        lines.append(f"rendered from {finding.origin}")
    lines.extend(f"related: {related.path}:{related.line}:{related.column}: {message}" for related, message in finding.related)
    return "\n".join(lines)


def _reason(suppression) -> str:
    reason = suppression.justification or "no reason given"
    where = f" ({suppression.origin})" if suppression.origin else ""
    return f"suppressed ({suppression.kind}): {reason}{where}"


def render(report: Report) -> str:
    """The JUnit XML document, indented, with an XML declaration and a trailing newline."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: the declaration and the `testsuites` start tag, then each `testsuite`'s start
    tag and testcases, each built, indented and serialised by ElementTree on its own (laid out as
    `ElementTree.indent` lays out the whole tree), then the end tags."""
    by_path: dict[str, list] = {item.path: [] for item in report.files}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    active = len(report.active)
    root = ElementTree.Element(
        "testsuites",
        {
            "name": "mldeploy-lint",
            "tests": str(sum(max(len(findings), 1) for findings in by_path.values())),
            "failures": str(active),
            "errors": "0",
        },
    )
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    if not by_path:
        yield ElementTree.tostring(root, encoding="unicode") + "\n"
        return
    end_tag = "</testsuites>"
    yield ElementTree.tostring(root, encoding="unicode", short_empty_elements=False)[: -len(end_tag)]
    for path, findings in by_path.items():
        yield from _suite(path, findings)
    yield "\n" + end_tag + "\n"


def _suite(path: str, findings: list) -> Iterator[str]:
    """The `testsuite` of one path, after a line break: a testcase per finding, or one passing testcase when it
    has none; the start tag, then each testcase built, indented and serialised on its own, then the end tag."""
    failures = sum(1 for finding in findings if finding.suppression is None)
    suite = ElementTree.Element(
        "testsuite",
        _attributes(name=path, tests=max(len(findings), 1), failures=failures, errors=0, skipped=len(findings) - failures, file=path),
    )
    if not findings:
        _element(suite, "testcase", name="mldeploy-lint", classname=path)
        ElementTree.indent(suite, level=1)
        yield "\n  " + ElementTree.tostring(suite, encoding="unicode")
        return
    end_tag = "</testsuite>"
    yield "\n  " + ElementTree.tostring(suite, encoding="unicode", short_empty_elements=False)[: -len(end_tag)]
    for finding in findings:
        case = ElementTree.Element(
            "testcase", _attributes(name=f"{finding.rule_id} {finding.slug} at {finding.span.line}:{finding.span.column}", classname=path)
        )
        if finding.suppression is not None:
            _element(case, "skipped", message=_reason(finding.suppression))
        else:
            failure = _element(case, "failure", type=finding.severity.value, message=finding.message)
            failure.text = _xml_text(_described(finding))
        ElementTree.indent(case, level=2)
        yield "\n    " + ElementTree.tostring(case, encoding="unicode")
    yield "\n  " + end_tag

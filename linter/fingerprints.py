"""Fingerprints: one finding's identity across edits that do not change its cause.

A fingerprint hashes the rule ID, the path, the finding's subject (the
resource or object it is about, as its deployment's ID names it) and the
fact it is about: the key path from the document's root to the node the
finding points at (`Resources/Config/Properties/InstanceType`), with that
node's value when it is a scalar. Lines and columns take no part, so
comment lines added above, resources reordered or a file re-indented leave
it as it was; another offending value (another instance type) changes it.
A finding that holds under variants of its file (stage files) adds their
labels, so the same line judged with prod-config.json and with
staging-config.json gives distinct fingerprints where the findings differ.
SARIF carries it in `partialFingerprints`, JSON as `fingerprint`, and the
baseline matches by it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from typing import Sequence

from linter.nodes import MappingNode, Node, ScalarNode, SequenceNode
from linter.rules import Finding
from linter.source import Document

__all__ = ["VERSION", "with_fingerprints"]

VERSION = "v1"
_DIGITS = re.compile(r"\d+")


def with_fingerprints(findings: Sequence[Finding], documents: Sequence[Document]) -> list[Finding]:
    """`findings` with `fingerprint` set (those that have one keep it)."""
    # Only the points findings start at are recorded, and only documents holding one are walked:
    # an index of every node of every file with a finding would hold each node's key path.
    wanted: dict[str, set[tuple[int, int]]] = {}
    for finding in findings:
        if not finding.fingerprint:
            wanted.setdefault(finding.path, set()).add((finding.span.line, finding.span.column))
    ordered = {path: sorted(points) for path, points in wanted.items()}
    index: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    for document in documents:
        points = wanted.get(document.path)
        if points and document.root is not None and _holds_any(document.root, ordered[document.path]):
            _index(document.root, f"#{document.index}", index.setdefault(document.path, {}), 0, set(), points)
    located = []
    for finding in findings:
        if finding.fingerprint:
            located.append(finding)
            continue
        node = index.get(finding.path, {}).get((finding.span.line, finding.span.column))
        if node is not None:
            where, value = node
            if finding.subject:
                where = where.split("/", 1)[1] if "/" in where else ""  # the subject names the document
        else:  # a point no node starts at (a file-level note): the message, without its numbers of lines
            where, value = "", _DIGITS.sub("#", finding.message)
        parts: tuple[str, ...] = (VERSION, finding.rule_id, finding.path, finding.subject, where, value)
        if finding.variants:  # one finding per set of stage files it holds under
            parts += ("variants", *finding.variants)
        digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        located.append(finding.replaced(fingerprint=digest))
    return located


def _holds_any(root: Node, points: list[tuple[int, int]]) -> bool:
    """True when one of the sorted `points` lies within the document `root` spans (merged keys never leave it)."""
    span = root.span
    at = bisect.bisect_left(points, (span.line, span.column))
    return at < len(points) and points[at] <= (span.end_line, span.end_column)


def _index(
    node: Node, path: str, into: dict[tuple[int, int], tuple[str, str]], depth: int, seen: set[int], points: set[tuple[int, int]]
) -> None:
    """Record where each node of `points` starts: its key path and, for a scalar, its value (a key: its value's).

    The first node met at a point names it (a mapping before its first key).
    """
    if depth > 300 or id(node) in seen:  # deeper is refused by the loader; an alias is walked once
        return
    seen.add(id(node))
    start = node.start
    if isinstance(node, ScalarNode):
        if start in points and start not in into:
            into[start] = (path, _text(node.value))
        return
    if start in points and start not in into:
        into[start] = (path, "")
    if isinstance(node, MappingNode):
        for key, value in zip(node.flat[::2], node.flat[1::2]):
            child = f"{path}/{key.value}" if isinstance(key, ScalarNode) else path
            at = key.start
            if at in points and at not in into:
                into[at] = (child, _text(value.value) if isinstance(value, ScalarNode) else "")
            _index(value, child, into, depth + 1, seen, points)
    elif isinstance(node, SequenceNode):
        for position, item in enumerate(node.items):
            _index(item, f"{path}/{position}", into, depth + 1, seen, points)


def _text(value: object) -> str:
    """A scalar's value as text; integers in hexadecimal, which Python prints at any length."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"int:{value:x}"
    return repr(value)

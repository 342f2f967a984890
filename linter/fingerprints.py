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
    from dataclasses import replace

    wanted = {finding.path for finding in findings if not finding.fingerprint}
    index: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    for document in documents:
        if document.path in wanted and document.root is not None:
            _index(document.root, f"#{document.index}", index.setdefault(document.path, {}), 0, set())
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
        located.append(replace(finding, fingerprint=digest))
    return located


def _index(node: Node, path: str, into: dict[tuple[int, int], tuple[str, str]], depth: int, seen: set[int]) -> None:
    """Record where each node starts: its key path and, for a scalar, its value (a key: its value's)."""
    if depth > 300 or id(node) in seen:  # deeper is refused by the loader; an alias is walked once
        return
    seen.add(id(node))
    start = (node.span.line, node.span.column)
    if isinstance(node, ScalarNode):
        into.setdefault(start, (path, _text(node.value)))
        return
    into.setdefault(start, (path, ""))
    if isinstance(node, MappingNode):
        for key, value in node.pairs:
            child = f"{path}/{key.value}" if isinstance(key, ScalarNode) else path
            into.setdefault((key.span.line, key.span.column), (child, _text(value.value) if isinstance(value, ScalarNode) else ""))
            _index(value, child, into, depth + 1, seen)
    elif isinstance(node, SequenceNode):
        for position, item in enumerate(node.items):
            _index(item, f"{path}/{position}", into, depth + 1, seen)


def _text(value: object) -> str:
    """A scalar's value as text; integers in hexadecimal, which Python prints at any length."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"int:{value:x}"
    return repr(value)

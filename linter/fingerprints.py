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
    # Only the points findings start at are looked for, only in the documents whose extent holds one, and
    # each document's walk ends once it has named them all: a finding near the top of a large file costs a
    # few nodes, not an index of every node's key path.
    wanted: dict[str, set[tuple[int, int]]] = {}
    for finding in findings:
        if not finding.fingerprint:
            wanted.setdefault(finding.path, set()).add((finding.span.line, finding.span.column))
    ordered = {path: sorted(points) for path, points in wanted.items()}
    index: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    for document in documents:
        points = ordered.get(document.path)
        root = document.root
        if points and root is not None:
            # Most documents of a stream hold no point: told apart by one search, before anything is made for them.
            first = bisect.bisect_left(points, root.start)
            if first == len(points) or points[first] > root.end:
                continue
            named = index.setdefault(document.path, {})
            within = _unnamed_within(root, points, named)
            if within:
                _index(root, f"#{document.index}", named, within)
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


def _unnamed_within(root: Node, points: list[tuple[int, int]], named: dict[tuple[int, int], tuple[str, str]]) -> set[tuple[int, int]]:
    """The sorted `points` within the document `root` spans that no earlier document named.

    Every node of a document starts within its root's span (merged keys and
    aliases never leave the document; a Terraform file's root spans the
    file), so no node of it starts at any other point.
    """
    first = bisect.bisect_left(points, root.start)
    last = bisect.bisect_right(points, root.end, first)
    return {point for point in points[first:last] if point not in named}


def _index(root: Node, path: str, into: dict[tuple[int, int], tuple[str, str]], points: set[tuple[int, int]]) -> None:
    """Name in `into` each of `points` a node of the document `root` starts at.

    A point is named by the node's key path and, for a scalar, its value
    (a key: its value's). The first node met at a point, in document
    order, names it (a mapping before its first key); the walk ends once
    every point is named.
    """
    if isinstance(root, ScalarNode):
        if root.start in points:
            into[root.start] = (path, _text(root.value))
        return
    _walk(root, path, into, set(points), 0, set())


def _walk(
    node: Node, path: str, into: dict[tuple[int, int], tuple[str, str]], unnamed: set[tuple[int, int]], depth: int, seen: set[int]
) -> bool:
    """`_index` below a node that is not a scalar, naming and removing the points of `unnamed` it meets; True once none is left.

    Scalars below are looked at where they are met, without a call of their
    own: a scalar has nothing below it, and one met again through an alias
    finds its point already named.
    """
    if depth > 300 or id(node) in seen:  # deeper is refused by the loader; an alias is walked once
        return False
    seen.add(id(node))
    start = node.start
    if start in unnamed and _name(start, (path, ""), unnamed, into):
        return True
    depth += 1
    if isinstance(node, MappingNode):
        pairs = iter(node.flat)
        for key, value in zip(pairs, pairs):
            # The key path of a value is made only where it names a point or is walked below.
            at = key.start
            if isinstance(value, ScalarNode):
                if at in unnamed and _name(at, (_child(path, key), _text(value.value)), unnamed, into):
                    return True
                at = value.start
                if at in unnamed and depth <= 300 and _name(at, (_child(path, key), _text(value.value)), unnamed, into):
                    return True
                continue
            child = _child(path, key)
            if at in unnamed and _name(at, (child, ""), unnamed, into):
                return True
            if _walk(value, child, into, unnamed, depth, seen):
                return True
    elif isinstance(node, SequenceNode):
        for position, item in enumerate(node.items):
            if isinstance(item, ScalarNode):
                at = item.start
                if at in unnamed and depth <= 300 and _name(at, (f"{path}/{position}", _text(item.value)), unnamed, into):
                    return True
            elif _walk(item, f"{path}/{position}", into, unnamed, depth, seen):
                return True
    return False


def _child(path: str, key: Node) -> str:
    """The key path below `path` through `key` (a key that is not a scalar adds nothing)."""
    return f"{path}/{key.value}" if isinstance(key, ScalarNode) else path


def _name(
    point: tuple[int, int], name: tuple[str, str], unnamed: set[tuple[int, int]], into: dict[tuple[int, int], tuple[str, str]]
) -> bool:
    """Record `name` for `point` in `into`, taking it out of `unnamed`; True once no point is left unnamed."""
    unnamed.remove(point)
    into[point] = name
    return not unnamed


def _text(value: object) -> str:
    """A scalar's value as text; integers in hexadecimal, which Python prints at any length."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"int:{value:x}"
    return repr(value)

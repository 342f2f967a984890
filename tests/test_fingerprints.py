"""Fingerprints: the key path a finding's point names, found by a walk that stops once every point is named."""

from __future__ import annotations

import hashlib

import pytest

from linter.fingerprints import VERSION, with_fingerprints
from linter.nodes import Node, ScalarNode, Span, located_flat_mapping, located_scalar, located_sequence
from linter.rules import Finding, Severity
from linter.source import Document, SourceFile, load_text

PATH = "f.yaml"


def at(line: int, column: int) -> Span:
    return Span(PATH, line, column, line, column + 1)


def finding_at(line: int, column: int, message: str = "m") -> Finding:
    return Finding(at(line, column), "XX001", message, Severity.WARNING, "x")


def expected(where: str, value: str) -> str:
    """The fingerprint the module docstring defines, for a finding of `finding_at` without a subject."""
    parts = (VERSION, "XX001", PATH, "", where, value)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def fingerprint(documents, line: int, column: int) -> str:
    return with_fingerprints([finding_at(line, column)], documents)[0].fingerprint


def documents_of(text: str) -> tuple[Document, ...]:
    return load_text(PATH, text).documents


def scalar(value: object, line: int, column: int) -> ScalarNode:
    return located_scalar(value, "str", "", PATH, line, column, line, column + len(str(value)))


def document(root: Node, index: int = 0) -> Document:
    return Document(PATH, index, root, SourceFile(PATH, "", (), ()))


class Trap(ScalarNode):
    """A scalar whose position may not be read: a walk that meets it fails."""

    __slots__ = ()

    @property
    def start(self):  # type: ignore[override]
        raise AssertionError("the walk went past the last point it was asked for")


def test_a_key_a_value_a_mapping_and_an_item_are_named_by_their_key_paths():
    documents = documents_of("a:\n  b: 1\n  e: 2\n  c: [x, {d: true}]\n")
    assert fingerprint(documents, 3, 3) == expected("#0/a/e", "int:2")  # a key names its value
    assert fingerprint(documents, 3, 6) == expected("#0/a/e", "int:2")
    assert fingerprint(documents, 4, 7) == expected("#0/a/c/0", "'x'")
    assert fingerprint(documents, 4, 10) == expected("#0/a/c/1", "")
    assert fingerprint(documents, 2, 3) == expected("#0/a", "")  # a mapping before its first key
    assert fingerprint(documents, 1, 1) == expected("#0", "")  # the root mapping before its key a


def test_a_point_no_node_starts_at_is_named_by_the_message_without_numbers():
    documents = documents_of("a: 1\n")
    found = with_fingerprints([finding_at(1, 2, "line 12 of 3")], documents)[0]
    assert found.fingerprint == expected("", "line # of #")


def test_the_walk_stops_once_every_point_is_named():
    later = Trap("late", at(9, 1), "str")
    root = located_flat_mapping((scalar("a", 1, 1), scalar("v", 1, 4), later, scalar("u", 9, 7)), "map", PATH, 1, 1, 9, 8)
    assert fingerprint([document(root)], 1, 4) == expected("#0/a", "'v'")
    with pytest.raises(AssertionError, match="went past"):
        fingerprint([document(root)], 9, 1)


def test_a_document_is_walked_only_for_the_points_within_its_span():
    first = located_flat_mapping((scalar("a", 1, 1), scalar("v", 1, 4)), "map", PATH, 1, 1, 2, 5)
    pairs = (scalar("b", 3, 1), scalar("w", 3, 4), Trap("t", at(4, 1), "str"), scalar("u", 4, 4))
    second = located_flat_mapping(pairs, "map", PATH, 3, 1, 4, 2)
    # 2:2 lies in the first document and no node starts there: the second is not searched for it.
    findings = with_fingerprints([finding_at(1, 4), finding_at(2, 2, "no node"), finding_at(3, 4)], [document(first), document(second, 1)])
    assert [found.fingerprint for found in findings] == [expected("#0/a", "'v'"), expected("", "no node"), expected("#1/b", "'w'")]


def test_spans_that_do_not_nest_are_walked_whole():
    """Terraform's blocks of one type gather under a node spanning the first: a child may lie past its parent's end."""
    late = located_flat_mapping((scalar("size", 20, 3), scalar("big", 20, 10)), "map", PATH, 19, 1, 21, 2)
    first = located_flat_mapping((scalar("size", 2, 3), scalar("small", 2, 10)), "map", PATH, 1, 1, 3, 2)
    blocks = located_sequence((first, late), "blocks", PATH, 1, 1, 3, 2)  # spans its first item only
    root = located_flat_mapping((scalar("node", 1, 1), blocks), "map", PATH, 1, 1, 21, 2)
    assert fingerprint([document(root)], 20, 10) == expected("#0/node/1/size", "'big'")
    # The sequence, its first item and the key all start at 1:1: the first met (the root) names the point.
    assert fingerprint([document(root)], 1, 1) == expected("#0", "")


def test_an_aliased_node_is_named_where_it_is_first_met():
    documents = documents_of("a: &shared {x: 1}\nb: *shared\n")
    assert fingerprint(documents, 1, 16) == expected("#0/a/x", "int:1")


def test_each_document_of_a_stream_names_its_own_points():
    documents = documents_of("a: 1\n---\na: 2\n")
    findings = with_fingerprints([finding_at(1, 4), finding_at(3, 4)], documents)
    assert [found.fingerprint for found in findings] == [expected("#0/a", "int:1"), expected("#1/a", "int:2")]


def test_a_node_tells_where_it_starts_and_ends_as_its_span_does():
    root = documents_of("a: [1, 2]\n")[0].root
    span = root.get("a").span
    assert root.get("a").start == (span.line, span.column) == (1, 4)
    assert root.get("a").end == (span.end_line, span.end_column) == (1, 10)

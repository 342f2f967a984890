"""A parsed file as plain data (lists, strings, numbers), for the on-disk cache and for worker processes.

`encode` turns a `SourceFile` into nested lists that `json` (or any
serialiser of plain data) can write, with no executable content; `decode`
builds an equal `SourceFile` back. Equal means: the same text, documents,
problems, node types, values, tags, styles and spans, and aliased nodes
still shared (an alias bomb stays small). Nodes are written flat, children
before their parents, so decoding never recurses, however deep the
document; a parent may only name nodes before it, so no input can make a
cycle.

`decode` trusts nothing: any data it was not written by `encode` to be
(wrong types, out-of-range indexes, another format version) raises
`ValueError`, for the caller to treat as "not cached".
"""

from __future__ import annotations

from typing import Any

from linter.nodes import MappingNode, Node, ScalarNode, SequenceNode, Span, located_mapping, located_scalar, located_sequence
from linter.rules import Severity
from linter.source import Document, LoadProblem, SourceFile, _gc_paused

__all__ = ["FORMAT", "Unencodable", "decode", "encode"]

FORMAT = 1  # bump when the layout below changes

_SCALAR, _MAPPING, _SEQUENCE = 0, 1, 2
_SCALAR_TYPES = (str, int, float, bool, type(None))
_SEVERITIES = {severity.value: severity for severity in Severity}


class Unencodable(ValueError):
    """The parsed file holds something plain data cannot say (a plugin's own node or document type)."""


def encode(source: SourceFile) -> list:
    """`source` as plain data. Raises `Unencodable`."""
    with _gc_paused():  # many small lists and no cycles: collections over them would only cost
        return _encode(source)


def _encode(source: SourceFile) -> list:
    if type(source) is not SourceFile or type(source.path) is not str or type(source.text) is not str:
        raise Unencodable(f"{type(source).__name__} is not a plain SourceFile")
    paths: dict[str, int] = {}
    nodes: list[list] = []
    numbered: dict[int, int] = {}
    pending: set[int] = set()  # nodes whose children are being numbered: met again, they would be a cycle

    def span_of(span: Any) -> list:
        if type(span) is not Span:
            raise Unencodable(f"{type(span).__name__} is not a Span")
        number = paths.get(span.path)
        if number is None:
            if type(span.path) is not str:
                raise Unencodable("a span's path is not text")
            number = paths[span.path] = len(paths)
        return [number, span.line, span.column, span.end_line, span.end_column]

    def position_of(node: Node) -> list:
        # The node's own numbers (what `span` would be made of), without making the Span.
        path = node._path
        number = paths.get(path)
        if number is None:
            if type(path) is not str:
                raise Unencodable("a span's path is not text")
            number = paths[path] = len(paths)
        return [number, node._line, node._column, node._end_line, node._end_column]

    def number_of(root: Node) -> int:
        # Children are numbered before their parents, without recursion.
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in numbered:
                continue
            kind = type(node)
            if kind is ScalarNode:
                if type(node.value) not in _SCALAR_TYPES or type(node.tag) is not str or type(node.style) is not str:
                    raise Unencodable(f"a scalar of type {type(node.value).__name__}")
                entry = [_SCALAR, node.tag, node.style, node.value, *position_of(node)]
            elif kind is MappingNode or kind is SequenceNode:
                children = [part for pair in node.pairs for part in pair] if kind is MappingNode else list(node.items)
                if not children_done:
                    if id(node) in pending:
                        raise Unencodable("a node that contains itself")
                    pending.add(id(node))
                    stack.append((node, True))
                    stack.extend((child, False) for child in reversed(children) if id(child) not in numbered)
                    continue
                if type(node.tag) is not str:
                    raise Unencodable("a tag that is not text")
                entry = [_MAPPING if kind is MappingNode else _SEQUENCE, node.tag, *position_of(node)]
                entry.extend(numbered[id(child)] for child in children)
            else:
                raise Unencodable(f"{kind.__name__} is not a located node type of linter.nodes")
            numbered[id(node)] = len(nodes)
            nodes.append(entry)
        return numbered[id(root)]

    documents = []
    for document in source.documents:
        if type(document) is not Document or document.source is not source:
            raise Unencodable(f"{type(document).__name__} is not a Document of this file")
        if type(document.path) is not str or type(document.index) is not int or type(document.origin) is not str:
            raise Unencodable("a document with fields of unexpected types")
        root = -1 if document.root is None else number_of(document.root)
        documents.append([document.path, document.index, root, document.origin])
    problems = []
    for problem in source.problems:
        if type(problem) is not LoadProblem or type(problem.message) is not str:
            raise Unencodable(f"{type(problem).__name__} is not a LoadProblem")
        severity = None if problem.severity is None else Severity(problem.severity).value
        problems.append([problem.message, *span_of(problem.span), severity])
    return [FORMAT, source.path, source.text, list(paths), nodes, documents, problems]


def decode(data: Any) -> SourceFile:
    """The `SourceFile` `data` was encoded from. Raises `ValueError` for anything else."""
    try:
        with _gc_paused():  # a few hundred thousand small objects and no cycles worth collecting
            return _decode(data)
    except ValueError:
        raise
    except (TypeError, IndexError, KeyError, AttributeError, OverflowError, RecursionError) as error:
        raise ValueError(f"not an encoded source file: {type(error).__name__}") from None


def _decode(data: Any) -> SourceFile:
    if type(data) is not list or len(data) != 7 or data[0] != FORMAT:
        raise ValueError("not an encoded source file of this format")
    _, path, text, paths, raw_nodes, raw_documents, raw_problems = data
    if type(path) is not str or type(text) is not str or type(paths) is not list:
        raise ValueError("bad header")
    if not all(type(item) is str for item in paths):
        raise ValueError("bad path table")

    def position(entry: list, at: int) -> tuple:
        number, line, column, end_line, end_column = entry[at : at + 5]
        if not (type(number) is type(line) is type(column) is type(end_line) is type(end_column) is int) or number < 0:
            raise ValueError("bad span")
        return paths[number], line, column, end_line, end_column

    def span(entry: list, at: int) -> Span:
        return Span(*position(entry, at))

    nodes: list[Node] = []
    for entry in raw_nodes:
        kind = entry[0]
        tag = entry[1]
        if type(tag) is not str:
            raise ValueError("bad tag")
        if kind == _SCALAR and len(entry) == 9:
            style, value = entry[2], entry[3]
            if type(style) is not str or type(value) not in _SCALAR_TYPES:
                raise ValueError("bad scalar")
            nodes.append(located_scalar(value, tag, style, *position(entry, 4)))
            continue
        children = entry[7:]
        if not all(type(number) is int and 0 <= number < len(nodes) for number in children):
            raise ValueError("a node names one that is not before it")
        if kind == _MAPPING and len(children) % 2 == 0:
            keys = children[0::2]
            if not all(type(nodes[number]) is ScalarNode for number in keys):
                raise ValueError("a mapping key that is not a scalar")
            pairs = tuple(zip((nodes[number] for number in keys), (nodes[number] for number in children[1::2])))
            nodes.append(located_mapping(pairs, tag, *position(entry, 2)))  # type: ignore[arg-type]
        elif kind == _SEQUENCE:
            nodes.append(located_sequence(tuple(nodes[number] for number in children), tag, *position(entry, 2)))
        else:
            raise ValueError("bad node kind")

    problems = []
    for entry in raw_problems:
        message, severity = entry[0], entry[6]
        if type(message) is not str or len(entry) != 7 or (severity is not None and severity not in _SEVERITIES):
            raise ValueError("bad problem")
        problems.append(LoadProblem(message, span(entry, 1), None if severity is None else _SEVERITIES[severity]))
    source = SourceFile(path, text, (), ())
    documents = []
    for document_path, index, root, origin in raw_documents:
        if type(document_path) is not str or type(index) is not int or type(root) is not int or type(origin) is not str:
            raise ValueError("bad document")
        if not -1 <= root < len(nodes):
            raise ValueError("a document names a node that does not exist")
        documents.append(Document(document_path, index, None if root < 0 else nodes[root], source, origin))
    object.__setattr__(source, "documents", tuple(documents))
    object.__setattr__(source, "problems", tuple(problems))
    return source

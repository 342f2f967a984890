"""A parsed file as plain data (lists, strings, numbers), for the on-disk cache and for worker processes.

`encode` turns a `SourceFile` into nested lists that `json` (or any
serialiser of plain data) can write, with no executable content; `decode`
builds an equal `SourceFile` back. Equal means: the same text, documents,
problems, node types, values, tags, styles and spans, and aliased nodes
still shared (an alias bomb stays small). Nodes are written flat, children
before their parents, so decoding never recurses, however deep the
document; a parent may only name nodes before it, so no input can make a
cycle. Their numbers (kinds, string-table indexes, spans, children) are
packed into one array of unsigned integers as narrow as the largest needs,
written as base64 text: a serialiser then handles one string instead of a
hundred thousand small numbers, which halves writing an entry and makes
reading one's JSON ten times faster. The file's text is left out when the
caller says what it is (it is the input the caller has anyway).

A plugin's own node type (a subclass of a core node type that holds more)
is written through the `NodeCodec` the plugin gives for it
(`mldeploy_node_codecs`): the core writes the node's base part as it
writes any node, the codec the rest, as plain data; a node type no codec
names makes the file `Unencodable` (it is parsed again each time).

`decode` trusts nothing: any data it was not written by `encode` to be
(wrong types, out-of-range indexes, another format version) raises
`ValueError`, for the caller to treat as "not cached".
"""

from __future__ import annotations

import base64
import sys
from array import array
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from linter.nodes import MappingNode, Node, ScalarNode, SequenceNode, Span, located_flat_mapping, located_scalar, located_sequence
from linter.rules import Severity
from linter.source import Document, LoadProblem, SourceFile, _gc_paused

__all__ = ["FORMAT", "NodeCodec", "Unencodable", "decode", "encode"]

FORMAT = 3  # bump when the layout below changes

_SCALAR, _MAPPING, _SEQUENCE = 0, 1, 2
_EXTENDED = 4  # added to a node's kind: its type is a plugin's, and the next of the file's extensions is its codec's part
_CORE_KINDS = (ScalarNode, MappingNode, SequenceNode)
_SCALAR_TYPES = (str, int, float, bool, type(None))
_SEVERITIES = {severity.value: severity for severity in Severity}
# The unsigned array types numbers are packed in, narrowest first, with the largest number each holds.
_WIDTHS = tuple((code, 2 ** (8 * array(code).itemsize) - 1) for code in ("B", "H", "I", "L") if array(code).itemsize <= 4)
_TYPECODES = frozenset(code for code, _ in _WIDTHS)


class Unencodable(ValueError):
    """The parsed file holds something plain data cannot say (a plugin's own node or document type)."""


@dataclass(frozen=True)
class NodeCodec:
    """How a plugin's own node type is written as plain data (the parse cache, worker processes) and read back.

    `name` tells the codec apart in what it writes (unique among the run's
    codecs). `node_type` is the qualified name (`module.QualName`) of the
    type it writes, a subclass of `ScalarNode`, `MappingNode` or
    `SequenceNode`: named as text, so giving the codec imports nothing. The
    core writes such a node's base part (value, tag, style, span, children)
    as it writes any node of that core type; `encode(node)` returns the
    rest as plain data: lists, strings, numbers, booleans and None only (no
    tuples or dicts: what is written must read back the same through JSON
    and through pickling). `decode(base, data)` returns the node made from
    its base part (a node of the core type, equal to the written one in
    value, tag, style, span and children) and that data; for data it did
    not write it raises (ValueError, or anything else), and the file is
    then parsed again, not read from the cache. `depends_on` names the
    modules whose code decides what such a node holds: their files' stamps
    are part of every cache key, so an entry written by other code is
    never read.
    """

    name: str
    node_type: str
    encode: Callable[[Node], Any]
    decode: Callable[[Node, Any], Node]
    depends_on: tuple[str, ...] = ()


def encode(source: SourceFile, text: str | None = None, codecs: Sequence[NodeCodec] = ()) -> list:
    """`source` as plain data, its plugins' node types written by `codecs`. Raises `Unencodable`.

    Given `text`, the text the file was loaded from, the data holds no copy
    of the source's text when they are the same: `decode` is then given it.
    """
    with _gc_paused():  # many small lists and no cycles: collections over them would only cost
        try:
            return _encode(source, text, codecs)
        except (TypeError, OverflowError) as error:  # a span of numbers that are not whole numbers
            raise Unencodable(f"not plain data: {error}") from None


def _is_plain(data: Any) -> bool:
    """Whether `data` is made of lists and plain scalars only (see `NodeCodec`)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if type(item) is list:
            pending.extend(item)
        elif type(item) not in _SCALAR_TYPES:
            return False
    return True


def _encode(source: SourceFile, text: str | None, codecs: Sequence[NodeCodec]) -> list:
    if type(source) is not SourceFile or type(source.path) is not str or type(source.text) is not str:
        raise Unencodable(f"{type(source).__name__} is not a plain SourceFile")
    paths: dict[str, int] = {}
    strings: dict[str, int] = {}  # tags and styles
    values: list[Any] = []  # the scalars' values, in node order
    numbers: list[int] = []  # per node: kind, tag, [style,] span (5), [child count, children...]
    numbered: dict[int, int] = {}
    pending: set[int] = set()  # nodes whose children are being numbered: met again, they would be a cycle
    by_type = {codec.node_type: codec for codec in codecs}
    codec_names: dict[str, int] = {}  # the codecs this file's nodes use, numbered in the order met
    extensions: list[list] = []  # per node of a plugin's type, in node order: [codec number, the codec's data]
    bases: dict[type, tuple[type, NodeCodec]] = {}

    def base_of(kind: type) -> tuple[type, NodeCodec]:
        found = bases.get(kind)
        if found is None:
            codec = by_type.get(f"{kind.__module__}.{kind.__qualname__}")
            core = [core for core in _CORE_KINDS if issubclass(kind, core)]
            if codec is None or len(core) != 1:
                raise Unencodable(f"{kind.__name__} is not a located node type of linter.nodes, and no plugin's codec writes it")
            found = bases[kind] = (core[0], codec)
        return found

    def extension(node: Node, codec: NodeCodec) -> int:
        try:
            data = codec.encode(node)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a plugin's codec failing (SystemExit too) leaves the file uncached, nothing more
            raise Unencodable(f"codec {codec.name!r} raised {type(error).__name__}") from None
        if not _is_plain(data):
            raise Unencodable(f"codec {codec.name!r} wrote something other than lists and plain values")
        number = codec_names.setdefault(codec.name, len(codec_names))
        extensions.append([number, data])
        return _EXTENDED

    def span_of(span: Any) -> tuple[int, int, int, int, int]:
        if type(span) is not Span:
            raise Unencodable(f"{type(span).__name__} is not a Span")
        number = paths.get(span.path)
        if number is None:
            if type(span.path) is not str:
                raise Unencodable("a span's path is not text")
            number = paths[span.path] = len(paths)
        return number, span.line, span.column, span.end_line, span.end_column

    def position_of(node: Node) -> tuple[int, int, int, int, int]:
        # The node's own numbers (what `span` would be made of), without making the Span.
        path = node._path
        number = paths.get(path)
        if number is None:
            if type(path) is not str:
                raise Unencodable("a span's path is not text")
            number = paths[path] = len(paths)
        return number, node._line, node._column, node._end_line, node._end_column

    def string(value: Any) -> int:
        if type(value) is not str:
            raise Unencodable("a tag or style that is not text")
        number = strings[value] = len(strings)
        return number

    # The loop below runs once per node of every file written: lookups are inlined, the common case first.
    def number_of(root: Node) -> int:
        # Children are numbered before their parents, without recursion.
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in numbered:
                continue
            kind = type(node)
            codec = None
            if kind is not ScalarNode and kind is not MappingNode and kind is not SequenceNode:
                kind, codec = base_of(kind)
            if kind is ScalarNode:
                if type(node.value) not in _SCALAR_TYPES:
                    raise Unencodable(f"a scalar of type {type(node.value).__name__}")
                tag, style = strings.get(node.tag), strings.get(node.style)
                if tag is None:
                    tag = string(node.tag)
                if style is None:
                    style = string(node.style)
                path = paths.get(node._path)
                if path is None:
                    path = position_of(node)[0]
                flag = 0 if codec is None else extension(node, codec)
                numbers.extend((_SCALAR + flag, tag, style, path, node._line, node._column, node._end_line, node._end_column))
                values.append(node.value)
            elif kind is MappingNode or kind is SequenceNode:
                children = node.flat if kind is MappingNode else node.items
                if not children_done:
                    if id(node) in pending:
                        raise Unencodable("a node that contains itself")
                    pending.add(id(node))
                    stack.append((node, True))
                    stack.extend((child, False) for child in reversed(children) if id(child) not in numbered)
                    continue
                tag = strings.get(node.tag)
                if tag is None:
                    tag = string(node.tag)
                flag = 0 if codec is None else extension(node, codec)
                numbers.extend(((_MAPPING if kind is MappingNode else _SEQUENCE) + flag, tag, *position_of(node), len(children)))
                numbers.extend([numbered[id(child)] for child in children])
            numbered[id(node)] = len(numbered)
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
    typecode, packed = _pack(numbers)
    own_text = None if text is not None and source.text == text else source.text
    return [FORMAT, source.path, own_text, list(paths), list(strings), values, typecode, packed, documents, problems, list(codec_names), extensions]


def _pack(numbers: list[int]) -> tuple[str, str]:
    """The numbers as the narrowest unsigned little-endian array, in base64: (its typecode, the text)."""
    if not numbers:
        return "B", ""
    low, high = min(numbers), max(numbers)
    if low < 0 or high > 0xFFFFFFFF:
        raise Unencodable("a line, column or count out of range")
    typecode = next(code for code, limit in _WIDTHS if high <= limit)
    packed = array(typecode, numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return typecode, base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack(typecode: Any, text: Any) -> list[int]:
    if typecode not in _TYPECODES or type(text) is not str:
        raise ValueError("bad number table")
    numbers = array(typecode)
    numbers.frombytes(base64.b64decode(text.encode("ascii"), validate=True))  # ValueError for anything else
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tolist()


def decode(data: Any, text: str | None = None, codecs: Sequence[NodeCodec] = ()) -> SourceFile:
    """The `SourceFile` `data` was encoded from (with `text`, when `encode` was given it), plugins' nodes read by `codecs`.

    Raises `ValueError` for anything else, and for data naming a codec
    `codecs` lacks or that its codec does not read back.
    """
    try:
        with _gc_paused():  # a few hundred thousand small objects and no cycles worth collecting
            return _decode(data, text, codecs)
    except ValueError:
        raise
    except (TypeError, IndexError, KeyError, AttributeError, OverflowError, RecursionError) as error:
        raise ValueError(f"not an encoded source file: {type(error).__name__}") from None


def _decode(data: Any, given_text: str | None, codecs: Sequence[NodeCodec]) -> SourceFile:
    if type(data) is not list or len(data) != 12 or data[0] != FORMAT:
        raise ValueError("not an encoded source file of this format")
    _, path, text, paths, strings, values, typecode, packed, raw_documents, raw_problems, codec_names, extensions = data
    if text is None:
        text = given_text
    if type(path) is not str or type(text) is not str or type(paths) is not list or type(strings) is not list:
        raise ValueError("bad header")
    if not all(type(item) is str for item in paths) or not all(type(item) is str for item in strings):
        raise ValueError("bad path or string table")
    if type(values) is not list:
        raise ValueError("bad values")
    if type(codec_names) is not list or type(extensions) is not list:
        raise ValueError("bad extensions")
    by_name = {codec.name: codec for codec in codecs}
    used = [by_name.get(name) if type(name) is str else None for name in codec_names]
    if None in used:
        raise ValueError("written by a codec this run does not have")
    numbers = _unpack(typecode, packed)
    extended = 0  # how many of `extensions` are read

    def extend(base: Node) -> Node:
        nonlocal extended
        number, part = extensions[extended]
        extended += 1
        codec = used[number]
        try:
            node = codec.decode(base, part)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # whatever a plugin's codec raises (SystemExit too), the entry is not read
            raise ValueError(f"codec {codec.name!r} could not read its part: {type(error).__name__}") from None
        if not isinstance(node, type(base)):
            raise ValueError(f"codec {codec.name!r} made a {type(node).__name__}, not a {type(base).__name__}")
        return node

    def position(at: int) -> tuple:
        return paths[numbers[at]], numbers[at + 1], numbers[at + 2], numbers[at + 3], numbers[at + 4]

    nodes: list[Node] = []
    scalars = 0
    at, end = 0, len(numbers)
    while at < end:
        kind, tag = numbers[at], strings[numbers[at + 1]]
        if kind == _SCALAR or kind == _SCALAR + _EXTENDED:
            if at + 8 > end:
                raise ValueError("a truncated node")
            _, _, style, path_number, line, column, end_line, end_column = numbers[at : at + 8]
            value = values[scalars]
            if type(value) not in _SCALAR_TYPES:
                raise ValueError("bad scalar")
            scalar = located_scalar(value, tag, strings[style], paths[path_number], line, column, end_line, end_column)
            nodes.append(scalar if kind == _SCALAR else extend(scalar))
            scalars += 1
            at += 8
            continue
        extended_node = kind >= _EXTENDED
        if extended_node:
            kind -= _EXTENDED
        if at + 8 > end:
            raise ValueError("a truncated node")
        count = numbers[at + 7]
        first, at_span, at = at + 8, at + 2, at + 8 + count
        if at > end:
            raise ValueError("a truncated node")
        children = numbers[first:at]
        if children and max(children) >= len(nodes):
            raise ValueError("a node names one that is not before it")
        if kind == _MAPPING and count % 2 == 0:
            keys = children[0::2]
            if not all(isinstance(nodes[number], ScalarNode) for number in keys):
                raise ValueError("a mapping key that is not a scalar")
            nodes.append(located_flat_mapping(tuple([nodes[number] for number in children]), tag, *position(at_span)))  # type: ignore[arg-type]
        elif kind == _SEQUENCE:
            nodes.append(located_sequence(tuple(nodes[number] for number in children), tag, *position(at_span)))
        else:
            raise ValueError("bad node kind")
        if extended_node:
            nodes[-1] = extend(nodes[-1])
    if scalars != len(values):
        raise ValueError("values left over")
    if extended != len(extensions):
        raise ValueError("extensions left over")

    def problem_span(entry: list) -> Span:
        number, line, column, end_line, end_column = entry[1:6]
        if not (type(number) is type(line) is type(column) is type(end_line) is type(end_column) is int) or number < 0:
            raise ValueError("bad span")
        return Span(paths[number], line, column, end_line, end_column)

    problems = []
    for entry in raw_problems:
        message, severity = entry[0], entry[6]
        if type(message) is not str or len(entry) != 7 or (severity is not None and severity not in _SEVERITIES):
            raise ValueError("bad problem")
        problems.append(LoadProblem(message, problem_span(entry), None if severity is None else _SEVERITIES[severity]))
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

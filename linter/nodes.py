"""Located YAML/JSON nodes: every value knows the span of text it came from.

The loader (`linter.source`) builds these from ruamel.yaml's composed nodes.
They are immutable once built. Aliases are *shared*, not copied: the same
node object may hang under several parents, so a walk over a document must
use `iter_nodes`, which visits each node once, rather than recurse naively.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Iterator, Union

from linter.copying import slot_setters

__all__ = [
    "Span",
    "Node",
    "ScalarNode",
    "MappingNode",
    "SequenceNode",
    "is_null",
    "located_mapping",
    "located_flat_mapping",
    "located_scalar",
    "located_sequence",
    "iter_nodes",
    "to_python",
]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A range of text in one file; lines and columns are 1-based.

    `end_line`/`end_column` point just past the last character, as in LSP
    and SARIF (end column exclusive).
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, path: str, line: int, column: int = 1) -> "Span":
        """A zero-width span at one position."""
        return cls(path, line, column, line, column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


_set_path, _set_line, _set_column, _set_end_line, _set_end_column = slot_setters(
    Span, "path", "line", "column", "end_line", "end_column"
)


def _span_init(self: Span, path: str, line: int, column: int, end_line: int, end_column: int) -> None:
    # The __init__ the dataclass makes, written out: a frozen one sets each field through
    # object.__setattr__ (0.71 us a Span); the slots' own descriptors set them in 0.43 us. A run
    # makes a Span for most values it reads (170,000 for a 20,000-document stream).
    # tests/test_nodes.py holds the parameters equal to the fields.
    _set_path(self, path)
    _set_line(self, line)
    _set_column(self, column)
    _set_end_line(self, end_line)
    _set_end_column(self, end_column)


_span_init.__qualname__ = "Span.__init__"
Span.__init__ = _span_init  # type: ignore[method-assign]


Scalar = Union[str, int, float, bool, None]


class Node:
    """Base of the located node types; `tag` is the YAML tag as written.

    Standard tags are shortened to their kind (`str`, `int`, `map`, ...);
    local tags such as CloudFormation's `!Ref` are kept verbatim so that an
    adapter can read them as intrinsic functions.

    A node keeps its position as plain numbers and its file's path (shared
    by every node of the file); `span` builds the `Span` when asked, so
    that the hundreds of thousands of nodes of a large file that no finding
    names cost no `Span` object each.
    """

    __slots__ = ("tag", "_path", "_line", "_column", "_end_line", "_end_column")

    tag: str

    @property
    def span(self) -> Span:
        """Where the node is written (a new, equal `Span` on each read)."""
        return Span(self._path, self._line, self._column, self._end_line, self._end_column)

    @property
    def start(self) -> tuple[int, int]:
        """`(span.line, span.column)`, without making the Span (for walks over every node)."""
        return self._line, self._column

    @property
    def end(self) -> tuple[int, int]:
        """`(span.end_line, span.end_column)`, without making the Span."""
        return self._end_line, self._end_column

    def _place(self, span: Span) -> None:
        self._path = span.path
        self._line = span.line
        self._column = span.column
        self._end_line = span.end_line
        self._end_column = span.end_column

    @property
    def is_custom_tag(self) -> bool:
        """True for a local tag (`!Ref`, `!Sub`, ...) rather than a core one."""
        return self.tag.startswith("!")


class ScalarNode(Node):
    """A scalar resolved with the YAML 1.2 core schema (quoted => str)."""

    __slots__ = ("value", "style")

    def __init__(self, value: Scalar, span: Span, tag: str, style: str = "") -> None:
        self.value = value
        self._place(span)
        self.tag = tag
        self.style = style

    def __repr__(self) -> str:
        return f"ScalarNode({self.value!r}, {self.span})"


class MappingNode(Node):
    """A mapping; keys are scalar nodes, order is kept.

    Duplicate keys are reported by the loader; the last value wins, as in
    most YAML and JSON loaders. A key whose value is null (`null`, `~`, or
    nothing after the colon) is not written: `get` and `in` do not find it,
    as CloudFormation, the AWS APIs and the Kubernetes API server all read a
    null field as an unset one. `pairs`, `keys` and `key_node` still show it.

    Stored flat, for memory (a node of a large file is ~10 bytes of text):
    `_flat` is `(key, value, key, value, ...)`, and `pairs` makes the
    (key, value) tuples when read. `_lookup` answers `get`: for a mapping
    of at most `_SCANNED_KEYS` distinct text keys, a tuple of the keys'
    text (a null-valued key's place holds a marker no key equals), scanned
    in C, about as fast as a dict at that size and a third of its bytes;
    for any other mapping, a dict as `_index_of` builds it.
    """

    __slots__ = ("_flat", "_lookup")

    def __init__(self, pairs: tuple[tuple[ScalarNode, Node], ...], span: Span, tag: str = "map") -> None:
        flat = tuple(_chain(pairs))
        self._flat = flat
        self._lookup = _lookup_of(flat)
        self._place(span)
        self.tag = tag

    @property
    def flat(self) -> tuple[Node, ...]:
        """The keys and values as stored, `(key, value, key, value, ...)` (no copy: for walks over every node)."""
        return self._flat

    @property
    def pairs(self) -> tuple[tuple[ScalarNode, Node], ...]:
        """The (key node, value node) pairs in written order (a new tuple on each read)."""
        flat = iter(self._flat)
        return tuple(zip(flat, flat))

    def get(self, key: object, default: "Node | None" = None) -> "Node | None":
        """The value node under `key`, or `default` when the key is absent or its value is null."""
        lookup = self._lookup
        if key in lookup:  # one scan or hash for a miss, the common answer
            if lookup.__class__ is tuple:
                return self._flat[2 * lookup.index(key) + 1]  # type: ignore[union-attr]
            return lookup[key]  # type: ignore[index]
        return default

    def key_node(self, key: object) -> ScalarNode | None:
        """The key node itself (for pointing a finding at a key)."""
        flat = self._flat
        for index in range(len(flat) - 2, -1, -2):
            if flat[index].value == key:
                return flat[index]  # type: ignore[return-value]
        return None

    def __contains__(self, key: object) -> bool:
        return key in self._lookup

    def __len__(self) -> int:
        return len(self._flat) >> 1

    def keys(self) -> list[object]:
        return [key.value for key in self._flat[::2]]  # type: ignore[attr-defined]

    def items(self) -> Iterator[tuple[object, Node]]:
        flat = self._flat
        for index in range(0, len(flat), 2):
            yield flat[index].value, flat[index + 1]  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"MappingNode({len(self)} keys, {self.span})"


# A mapping of at most this many keys is searched by a scan of a tuple of its keys instead of a dict.
_SCANNED_KEYS = 8


class _Hidden:
    """Holds the place of a null-valued key in a mapping's scanned keys: equal to nothing but itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<hidden key>"


_HIDDEN = _Hidden()


def _lookup_of(flat: tuple) -> "tuple | dict":
    """A mapping's `get` table from its flat (key, value, ...) tuple: the scanned tuple when it is exact, else `_index_of`'s dict.

    The tuple is exact for distinct text keys only: `get` by `==` then finds
    what the dict would (a number key equals another type's: `1 == True`).
    """
    if len(flat) > 2 * _SCANNED_KEYS:
        return _index_of(flat)
    keys = [key.value for key in flat[::2]]
    for written in keys:
        if type(written) is not str:
            return _index_of(flat)
    if len(set(keys)) != len(keys):
        return _index_of(flat)  # a repeated key: the last one wins, as in the dict
    return _scanned(flat, keys)


def _scanned(flat: tuple, keys: list) -> tuple:
    """The scanned `get` tuple of a mapping of distinct text `keys` (changed in place): null-valued keys hidden.

    Equal tuples are one object (`_SHARED_KEYS`): the mappings of a kind of
    object have the same keys (every `metadata: {name, namespace}` of a
    stream), and a tuple is immutable.
    """
    position = 0
    for value in flat[1::2]:
        if isinstance(value, ScalarNode) and value.value is None and not value.tag.startswith("!"):  # is_null, inline
            keys[position] = _HIDDEN
        position += 1
    lookup = tuple(keys)
    shared = _SHARED_KEYS.get(lookup)
    if shared is not None:
        return shared
    if len(_SHARED_KEYS) < _MAX_SHARED_KEYS:
        _SHARED_KEYS[lookup] = lookup
    return lookup


# The scanned key tuples made so far, each kept once (a 20,000-document stream has 100,000 mappings and 23
# distinct tuples; 1,000 templates 16,000 and 1,014). Bounded: a long-lived process (the language server)
# reading files of ever new keys stops adding to it, and each new mapping then keeps its own tuple.
_SHARED_KEYS: dict[tuple, tuple] = {}
_MAX_SHARED_KEYS = 4096


def _index_of(flat: tuple) -> dict:
    """The `get` table of a mapping: text, number and boolean keys, the last one winning, null values left out."""
    index = {}
    maybe_null = False
    for position in range(0, len(flat), 2):
        written = flat[position].value
        if type(written) is str or isinstance(written, (int, float, bool)):
            value = flat[position + 1]
            index[written] = value
            if not maybe_null and isinstance(value, ScalarNode) and value.value is None:
                maybe_null = True
    if maybe_null:
        return {key: value for key, value in index.items() if not is_null(value)}
    return index


class SequenceNode(Node):
    """A sequence of nodes."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Node, ...], span: Span, tag: str = "seq") -> None:
        self.items = items
        self._place(span)
        self.tag = tag

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Node:
        return self.items[index]

    def __repr__(self) -> str:
        return f"SequenceNode({len(self.items)} items, {self.span})"


_new = object.__new__
_chain = chain.from_iterable


def located_scalar(value: Scalar, tag: str, style: str, path: str, line: int, column: int, end_line: int, end_column: int) -> ScalarNode:
    """A `ScalarNode` from its position as numbers (what a loader has), without making a `Span`."""
    node = _new(ScalarNode)
    node.value = value
    node.tag = tag
    node.style = style
    node._path = path
    node._line = line
    node._column = column
    node._end_line = end_line
    node._end_column = end_column
    return node


def located_mapping(
    pairs: tuple[tuple[ScalarNode, Node], ...], tag: str, path: str, line: int, column: int, end_line: int, end_column: int
) -> MappingNode:
    """A `MappingNode` from its position as numbers, without making a `Span`."""
    return located_flat_mapping(tuple(_chain(pairs)), tag, path, line, column, end_line, end_column)


def located_flat_mapping(
    flat: tuple[Node, ...], tag: str, path: str, line: int, column: int, end_line: int, end_column: int, text_keys: list[str] | None = None
) -> MappingNode:
    """`located_mapping` from the pairs laid flat, `(key, value, key, value, ...)` (keys scalar nodes), as `MappingNode.flat` gives them.

    `text_keys`: the keys' values, when the caller has found them all distinct
    text (a list this function may change), so that they are not checked again.
    """
    node = _new(MappingNode)
    node._flat = flat
    if text_keys is None or len(flat) > 2 * _SCANNED_KEYS:
        node._lookup = _lookup_of(flat)
    else:
        node._lookup = _scanned(flat, text_keys)
    node.tag = tag
    node._path = path
    node._line = line
    node._column = column
    node._end_line = end_line
    node._end_column = end_column
    return node


def located_sequence(items: tuple[Node, ...], tag: str, path: str, line: int, column: int, end_line: int, end_column: int) -> SequenceNode:
    """A `SequenceNode` from its position as numbers, without making a `Span`."""
    node = _new(SequenceNode)
    node.items = items
    node.tag = tag
    node._path = path
    node._line = line
    node._column = column
    node._end_line = end_line
    node._end_column = end_column
    return node


def is_null(node: "Node | None") -> bool:
    """True for a null scalar (`null`, `~`, an empty value): a field that says nothing, read as not written.

    A quoted `"null"` is text, and a local tag with no argument (`!Ref`) is
    a call, not a null.
    """
    return isinstance(node, ScalarNode) and node.value is None and not node.is_custom_tag


def child(node: "Node | None", *keys: str) -> "Node | None":
    """The node at a path of mapping keys (`child(spec, "template", "spec")`), or None."""
    for key in keys:
        if not isinstance(node, MappingNode):
            return None
        node = node.get(key)
    return node


def mappings(node: "Node | None") -> "list[MappingNode]":
    """The mapping items of a sequence node (anything else skipped); [] for anything but a sequence."""
    if isinstance(node, SequenceNode):
        return [item for item in node.items if isinstance(item, MappingNode)]
    return []


def iter_nodes(root: Node) -> Iterator[Node]:
    """Every node reachable from `root`, each exactly once (aliases are shared)."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            stack.extend(reversed(node._flat))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.items))


def to_python(node: Node, max_nodes: int = 100_000) -> object:
    """Plain Python data (dict/list/scalars) for a node, without spans.

    Shared (aliased) subtrees are converted once and shared in the result;
    more than `max_nodes` conversions raise `ValueError`, which bounds the
    cost of an alias bomb for callers that want plain data.
    """
    memo: dict[int, object] = {}
    budget = [max_nodes]

    def convert(current: Node) -> object:
        cached = memo.get(id(current))
        if cached is not None or id(current) in memo:
            return cached
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError(f"document has more than {max_nodes} nodes")
        if isinstance(current, ScalarNode):
            result: object = current.value
        elif isinstance(current, MappingNode):
            flat = current._flat
            result = {flat[index].value: convert(flat[index + 1]) for index in range(0, len(flat), 2)}  # type: ignore[attr-defined]
        else:
            assert isinstance(current, SequenceNode)
            result = [convert(item) for item in current.items]
        memo[id(current)] = result
        return result

    return convert(node)

"""Terraform native syntax (HCL) parsed by tree-sitter into located nodes, shaped as Terraform's JSON syntax.

A file becomes one `Document` whose root mapping has the shape of the same
configuration written as `.tf.json`: `resource` -> type -> name -> body,
`variable`/`module`/`output`/`data` likewise by their labels, `locals` one
mapping. A block body is a `MappingNode` (span: the whole block) whose
attributes are `Attribute` nodes (a `ScalarNode` holding the literal value,
or the expression's text with the tag `!hcl`, and the parsed `Expression`)
and whose nested blocks are sequences (tag `!blocks`) of bodies, one per
block written (a labelled nested block, such as `dynamic "x"`, nests by its
labels first).

Expressions are kept as a small tree (`Expression` subclasses) for
`values.py` to evaluate; nothing here evaluates anything. tree-sitter is
imported on first use only: a run without Terraform files never loads it.
Syntax errors are located problems at the first error the parser marks;
nesting beyond the load limit is refused before the tree is walked.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from itertools import islice
from typing import Any

from linter import Document, LoadLimits, LoadProblem, MappingNode, ScalarNode, SequenceNode, SourceFile, Span

__all__ = [
    "Expression",
    "Literal",
    "Template",
    "Reference",
    "Call",
    "Conditional",
    "Operation",
    "TupleExpr",
    "ObjectExpr",
    "ForExpr",
    "Opaque",
    "Attribute",
    "BLOCKS_TAG",
    "cover",
    "load_hcl",
]

BLOCKS_TAG = "!blocks"
_MAX_HCL_DEPTH = 200  # a converted level costs a few Python frames: stay well inside the recursion limit


# --- expressions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """An HCL expression as written; `span` is its extent, `text` its source."""

    span: Span
    text: str


@dataclass(frozen=True)
class Literal(Expression):
    value: Any  # str, int, float, bool or None


@dataclass(frozen=True)
class Template(Expression):
    """A quoted string or heredoc: literal text and interpolated expressions; directives (`%{...}`) are Opaque parts."""

    parts: tuple  # str | Expression


@dataclass(frozen=True)
class Reference(Expression):
    """`root.attr[index]...`: `steps` are ("attr", name), ("index", Expression) or ("splat", None)."""

    root: str
    steps: tuple


@dataclass(frozen=True)
class Call(Expression):
    name: str
    args: tuple
    expand: bool = False  # `f(list...)`


@dataclass(frozen=True)
class Conditional(Expression):
    condition: Expression
    if_true: Expression
    if_false: Expression


@dataclass(frozen=True)
class Operation(Expression):
    """A unary (`left` None) or binary operation."""

    operator: str
    left: "Expression | None"
    right: Expression


@dataclass(frozen=True)
class TupleExpr(Expression):
    items: tuple


@dataclass(frozen=True)
class ObjectExpr(Expression):
    """`{ key = value }`: a bare identifier key is its own name (a Literal)."""

    items: tuple  # (key Expression, value Expression)


@dataclass(frozen=True)
class ForExpr(Expression):
    """`[for k, v in collection : value if condition]`, or `{for ... : key => value... if condition}` (`key` set)."""

    key_name: "str | None"
    value_name: str
    collection: Expression
    key: "Expression | None"
    value: Expression
    condition: "Expression | None"
    grouping: bool = False


@dataclass(frozen=True)
class Opaque(Expression):
    """An expression this reader does not evaluate (a `for` expression, a splat, a directive); `kind` names it."""

    kind: str


_LITERAL_TAGS = {str: "str", bool: "bool", int: "int", float: "float"}


class Attribute(ScalarNode):
    """An attribute's value: a ScalarNode (the literal, or the expression text tagged `!hcl`) with its `Expression`."""

    __slots__ = ("expression",)

    def __init__(self, expression: Expression) -> None:
        if isinstance(expression, Literal):
            value = expression.value
            tag = _LITERAL_TAGS.get(type(value), "null")
        else:
            value, tag = expression.text, "!hcl"
        super().__init__(value, expression.span, tag)
        self.expression = expression


# --- parsing ------------------------------------------------------------------------


class _TooDeep(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


_PARSER: list = []


def _parser():
    if not _PARSER:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER.append(tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language())))
    return _PARSER[0]


def load_hcl(path: str, text: str, limits: LoadLimits) -> SourceFile:
    """Parse Terraform native syntax into one located Document; never raises for bad input."""
    if text.startswith("\ufeff"):
        text = text[1:]
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > limits.max_bytes:
        return SourceFile(path, text, (), (LoadProblem(f"file is {len(data):,} bytes, above the {limits.max_bytes:,} byte limit; not parsed", Span.point(path, 1)),))
    depth = min(limits.max_depth, _MAX_HCL_DEPTH)
    too_deep = _bracket_depth(path, text, depth)
    if too_deep is not None:
        return SourceFile(path, text, (), (LoadProblem(f"nesting deeper than {depth} levels; file not linted", too_deep),))
    masked = _EXPONENT.sub(lambda match: b"0" * len(match.group(0)), data) if _MAYBE_EXPONENT.search(data) else data
    tree = _parser().parse(masked)
    reader = _Reader(path, data, depth)
    problems: list = []
    error = _first_error(tree.root_node) if tree.root_node.has_error else None
    if error is not None:
        message, where = _located_error(error, data)
        problems.append(LoadProblem(f"HCL syntax error: {message}", reader.point(where)))
        source = SourceFile(path, text, (), tuple(problems))
        return source
    try:
        root = reader.config(tree.root_node)
    except _TooDeep as deep:
        return SourceFile(path, text, (), (LoadProblem(f"nesting deeper than {depth} levels; file not linted", deep.span),))
    source = SourceFile(path, text, (), ())
    object.__setattr__(source, "documents", (Document(path, 0, root, source),))
    object.__setattr__(source, "problems", tuple(problems))
    return source


def _bracket_depth(path: str, text: str, limit: int) -> Span | None:
    """Where unclosed brackets and braces pass `limit` (quotes ignored: an over-count refuses early)."""
    if text.count("{") + text.count("[") + text.count("(") <= limit:
        return None
    depth = 0
    for index, character in enumerate(_NOT_BRACKET.sub("", text)):  # the brackets alone, in order
        if character in "{[(":
            depth += 1
            if depth > limit:
                offset = next(islice(_BRACKET.finditer(text), index, None)).start()
                line_start = text.rfind("\n", 0, offset) + 1
                return Span.point(path, text.count("\n", 0, offset) + 1, offset - line_start + 1)
        elif depth:
            depth -= 1
    return None


_BRACKET = re.compile(r"[{}\[\]()]")
_NOT_BRACKET = re.compile(r"[^{}\[\]()]+")


def _first_error(node):
    stack = [node]
    while stack:
        current = stack.pop()
        if current.is_error or current.is_missing:
            return current
        if current.has_error:
            stack.extend(reversed(current.children))
    return node


# A number with an exponent and no fraction (`1e3`), which HCL accepts and the grammar does not: parsed as digits of the
# same length (positions stay), read from the text as written.
_EXPONENT = re.compile(rb"(?<![\w.$])\d+[eE][+-]?\d+(?![\w.])")
_MAYBE_EXPONENT = re.compile(rb"\d[eE][+-]?\d")


def _located_error(node, data: bytes):
    """(description, point) of the first syntax error, where Terraform reports it when the grammar's recovery hides it.

    A `}` missing at the end of the file is reported at the `{` of the
    block it would close (Terraform: "Unclosed configuration block"); a
    heredoc no marker line closes, at its `<<`; a string nothing closes, at
    its opening quote.
    """
    if node.is_missing and node.type == "}":
        block = node.parent.parent if node.parent is not None and node.parent.type == "block_end" else node.parent
        start = next((child for child in block.children if child.type == "block_start"), None) if block is not None else None
        if start is not None:
            return "unclosed block: no '}' before the end of the file", start.start_point
    if node.is_missing and node.type == "heredoc_identifier" and node.parent is not None and node.parent.type == "heredoc_template":
        marker = next((child for child in node.parent.children if child.type == "heredoc_identifier" and not child.is_missing), None)
        name = data[marker.start_byte : marker.end_byte].decode("utf-8", "replace") if marker is not None else ""
        return f"unterminated heredoc: no line {name} closes it", node.parent.start_point
    if node.is_error and node.children and node.children[-1].type == "quoted_template_start":
        return "unterminated string", node.children[-1].start_point  # the grammar gave up at a quote nothing closes
    return _describe_error(node, data), node.start_point


def _describe_error(node, data: bytes) -> str:
    if node.is_missing:
        return f"missing {node.type!r}"
    snippet = data[node.start_byte : min(node.end_byte, node.start_byte + 40)].decode("utf-8", "replace").split("\n")[0]
    return f"unexpected {snippet!r}" if snippet.strip() else "unexpected input"


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


_new = object.__new__


def _literal(span: Span, text: str, value: Any) -> Literal:
    """`Literal(span, text, value)` without its frozen `__init__` (one `object.__setattr__` per field): the reader
    makes one per value written, and a `Reference` per name."""
    literal = _new(Literal)
    fields = literal.__dict__
    fields["span"] = span
    fields["text"] = text
    fields["value"] = value
    return literal


def _reference(span: Span, text: str, root: str, steps: tuple) -> Reference:
    """`Reference(span, text, root, steps)`, made as `_literal` makes a Literal."""
    reference = _new(Reference)
    fields = reference.__dict__
    fields["span"] = span
    fields["text"] = text
    fields["root"] = root
    fields["steps"] = steps
    return reference


# An `expression`, `operation`, `collection_value`, `literal_value` or `template_expr` node with one named child is that
# child; each level still counts towards the depth limit.
_PASS_THROUGH = frozenset(("expression", "operation", "collection_value", "literal_value", "template_expr"))


_PLAIN_STRING = ["quoted_template_start", "template_literal", "quoted_template_end"]
_EMPTY_STRING = ["quoted_template_start", "quoted_template_end"]


class _Reader:
    """Converts one tree-sitter tree into located nodes and expressions.

    Each tree-sitter property read is a call into C that makes a new Python
    object (`children` alone is cached by the node), so the walk reads as
    few as it can: a chain of single-child wrappers is followed in a loop,
    and a span or a text is made only for an expression that keeps it.
    """

    def __init__(self, path: str, data: bytes, max_depth: int) -> None:
        self.path = path
        self.data = data
        self.max_depth = max_depth
        # tree-sitter counts columns in bytes, spans in characters: only a line holding a non-ASCII byte differs
        self.wide_lines = {} if data.isascii() else {row: line for row, line in enumerate(data.split(b"\n")) if not line.isascii()}
        self.by_kind = {
            "numeric_lit": self._numeric,
            "bool_lit": self._bool,
            "null_lit": self._null,
            "string_lit": self._template,
            "quoted_template": self._template,
            "heredoc_template": self._template,
            "variable_expr": self._variable,
            "function_call": self._call,
            "conditional": self._conditional,
            "binary_operation": self._operation,
            "unary_operation": self._operation,
            "tuple": self._tuple,
            "object": self._object,
            "for_expr": self._for_wrapper,
            "for_tuple_expr": self._for,
            "for_object_expr": self._for,
        }

    # positions: tree-sitter counts bytes; spans count characters
    def _column(self, row: int, byte_column: int) -> int:
        line = self.wide_lines.get(row)
        if line is None:
            return byte_column + 1
        return len(line[:byte_column].decode("utf-8", "replace")) + 1

    def point(self, point) -> Span:
        return Span.point(self.path, point.row + 1, self._column(point.row, point.column))

    def span(self, node) -> Span:
        (row, column), (end_row, end_column) = node.start_point, node.end_point
        wide = self.wide_lines
        if wide and (row in wide or end_row in wide):
            return Span(self.path, row + 1, self._column(row, column), end_row + 1, self._column(end_row, end_column))
        return Span(self.path, row + 1, column + 1, end_row + 1, end_column + 1)

    def text(self, node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # --- structure ---------------------------------------------------------------

    def config(self, root) -> MappingNode:
        body = next((child for child in root.named_children if child.type == "body"), None)
        top: dict[str, Any] = {}
        for item in body.named_children if body is not None else ():
            if item.type == "attribute":  # not valid at the top level of a .tf file; a .tfvars file is all attributes
                key, value = self._attribute(item, 0)
                top[key.value] = (key, value)
                continue
            if item.type != "block":
                continue
            block_type, labels, block = self._block(item, 0)
            if block_type.value == "locals":
                existing = top.get("locals")
                pairs = (existing[1].pairs if existing else ()) + block.pairs
                top["locals"] = (existing[0] if existing else block_type, MappingNode(pairs, block.span if not existing else existing[1].span))
                continue
            if not labels:
                existing = top.get(block_type.value)
                items = (existing[1].items if existing else ()) + (block,)
                top[block_type.value] = (existing[0] if existing else block_type, SequenceNode(items, block.span, BLOCKS_TAG))
                continue
            entry = top.setdefault(block_type.value, (block_type, {}))
            level = entry[1]
            for label in labels[:-1]:
                level = level.setdefault(label.value, (label, {}))[1]
            level[labels[-1].value] = (labels[-1], block)
        return self._freeze(top, self.span(root))

    def _freeze(self, tree: dict, span: Span) -> MappingNode:
        pairs = []
        for key, value in tree.values():
            if isinstance(value, dict):
                inner = self._freeze(value, span)
                value = MappingNode(inner.pairs, cover([node.span for _, node in inner.pairs] or [key.span]))
            pairs.append((key, value))
        return MappingNode(tuple(pairs), span)

    def _label(self, node) -> ScalarNode:
        if node.type == "identifier":
            return ScalarNode(self.text(node), self.span(node), "str")
        literal = "".join(self.text(part) for part in node.named_children if part.type == "template_literal")
        return ScalarNode(literal, self.span(node), "str")

    def _block(self, node, depth: int) -> tuple[ScalarNode, list[ScalarNode], MappingNode]:
        if depth > self.max_depth:
            raise _TooDeep(self.point(node.start_point))
        children = node.named_children
        block_type = self._label(children[0])
        labels = [self._label(child) for child in children[1:] if child.type in ("string_lit", "identifier")]
        body = next((child for child in children if child.type == "body"), None)
        return block_type, labels, self._body(body, self.span(node), depth + 1)

    def _body(self, body, span: Span, depth: int) -> MappingNode:
        pairs: list = []
        nested: dict[str, Any] = {}
        for item in body.named_children if body is not None else ():
            if item.type == "attribute":
                pairs.append(self._attribute(item, depth))
            elif item.type == "block":
                block_type, labels, block = self._block(item, depth)
                entry = nested.get(block_type.value)
                if entry is None:
                    entry = nested[block_type.value] = [block_type, {} if labels else []]
                    pairs.append(entry)
                container = entry[1]
                if isinstance(container, list):
                    container.append(block)
                    continue
                for label in labels[:-1]:
                    container = container.setdefault(label.value, [label, {}])[1]
                container.setdefault(labels[-1].value, [labels[-1], []])[1].append(block)
        return MappingNode(tuple(self._settle(pair) for pair in pairs), span)

    def _settle(self, pair) -> tuple:
        key, value = pair
        if isinstance(value, list):
            return key, SequenceNode(tuple(value), cover([item.span for item in value]), BLOCKS_TAG)
        if isinstance(value, dict):
            inner = tuple(self._settle(entry) for entry in value.values())
            return key, MappingNode(inner, cover([node.span for _, node in inner]))
        return key, value

    def _attribute(self, node, depth: int) -> tuple[ScalarNode, Attribute]:
        children = node.named_children
        name = children[0]
        key = ScalarNode(self.text(name), self.span(name), "str")
        for child in children[1:]:
            if child.type == "expression":
                return key, Attribute(self.expression(child, depth + 1))
        return key, Attribute(_literal(self.span(node), "", None))

    # --- expressions -------------------------------------------------------------

    def expression(self, node, depth: int) -> Expression:
        max_depth = self.max_depth
        while True:
            if depth > max_depth:
                raise _TooDeep(self.point(node.start_point))
            kind = node.type
            if kind not in _PASS_THROUGH:
                break
            children = node.named_children
            if kind == "expression":
                if len(children) == 1 and node.child_count > 1 and node.children[0].type == "(":
                    node, depth = children[0], depth + 1
                    continue
                if len(children) > 1 or (children and children[0].type == "variable_expr"):
                    return self._traversal(node, depth, children)
            if len(children) != 1:
                return Opaque(self.span(node), self.text(node), kind)
            node, depth = children[0], depth + 1
        read = self.by_kind.get(kind)
        if read is None:
            return Opaque(self.span(node), self.text(node), kind)
        return read(node, depth)

    def _numeric(self, node, depth: int) -> Expression:
        text = self.text(node)
        return _literal(self.span(node), text, _number(text))

    def _bool(self, node, depth: int) -> Expression:
        text = self.text(node)
        return _literal(self.span(node), text, text.strip() == "true")

    def _null(self, node, depth: int) -> Expression:
        return _literal(self.span(node), self.text(node), None)

    def _variable(self, node, depth: int) -> Expression:
        name = self.text(node)  # a variable_expr is its identifier alone
        return _reference(self.span(node), name, name, ())

    def _conditional(self, node, depth: int) -> Expression:
        parts = [child for child in node.named_children if child.type == "expression"]
        if len(parts) == 3:
            return Conditional(self.span(node), self.text(node), *(self.expression(part, depth + 1) for part in parts))
        return Opaque(self.span(node), self.text(node), "conditional")

    def _operation(self, node, depth: int) -> Expression:
        children = node.children
        # a parenthesised operand is `(`, expression, `)`: the operator is the first other token
        depth_of = 0
        position = None
        for index, child in enumerate(children):
            kind = child.type
            if kind == "(":
                depth_of += 1
            elif kind == ")":
                depth_of -= 1
            elif not child.is_named and depth_of == 0:
                position = index
                break
        if position is None:
            return Opaque(self.span(node), self.text(node), node.type)
        left = [child for child in children[:position] if child.is_named]
        right = [child for child in children[position + 1 :] if child.is_named]
        if not right or (not left and node.type == "binary_operation"):
            return Opaque(self.span(node), self.text(node), node.type)
        return Operation(
            self.span(node), self.text(node), self.text(children[position]),
            self._operand(left, depth) if left else None, self._operand(right, depth),
        )

    def _tuple(self, node, depth: int) -> Expression:
        items = tuple(self.expression(child, depth + 1) for child in node.named_children if child.type == "expression")
        return TupleExpr(self.span(node), self.text(node), items)

    def _object(self, node, depth: int) -> Expression:
        items = []
        for element in node.named_children:
            if element.type != "object_elem":
                continue
            parts = [child for child in element.named_children if child.type == "expression"]
            if len(parts) != 2:
                continue
            key = self.expression(parts[0], depth + 1)
            if isinstance(key, Reference) and not key.steps:  # a bare name is its own text
                key = _literal(key.span, key.text, key.root)
            items.append((key, self.expression(parts[1], depth + 1)))
        return ObjectExpr(self.span(node), self.text(node), tuple(items))

    def _for_wrapper(self, node, depth: int) -> Expression:
        children = node.named_children
        if len(children) == 1:
            return self.expression(children[0], depth + 1)
        return Opaque(self.span(node), self.text(node), "for_expr")

    def _for(self, node, depth: int) -> Expression:
        span, text = self.span(node), self.text(node)
        named = node.named_children
        intro = next((child for child in named if child.type == "for_intro"), None)
        if intro is None:
            return Opaque(span, text, "a for expression")
        names = [self.text(child) for child in intro.named_children if child.type == "identifier"]
        collection = next((child for child in intro.named_children if child.type == "expression"), None)
        bodies = [child for child in named if child.type == "expression"]
        condition = next((child for child in named if child.type == "for_cond"), None)
        condition_expression = next((child for child in condition.named_children if child.type == "expression"), None) if condition is not None else None
        wanted = 2 if node.type == "for_object_expr" else 1
        if collection is None or len(names) not in (1, 2) or len(bodies) != wanted or (condition is not None and condition_expression is None):
            return Opaque(span, text, "a for expression")
        key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        key = self.expression(bodies[0], depth + 1) if wanted == 2 else None
        return ForExpr(
            span, text, key_name, value_name, self.expression(collection, depth + 1), key, self.expression(bodies[-1], depth + 1),
            self.expression(condition_expression, depth + 1) if condition_expression is not None else None,
            any(child.type == "ellipsis" for child in node.children),
        )

    def _operand(self, nodes: list, depth: int) -> Expression:
        if len(nodes) == 1:
            return self.expression(nodes[0], depth + 1)
        return self._traversal(None, depth, nodes)

    def _traversal(self, node, depth: int, children: list) -> Expression:
        """`children` read as a base and its steps; `node` their parent, or None for an operand's run of siblings."""
        if node is None:
            first, last = self.span(children[0]), self.span(children[-1])
            whole_span = Span(self.path, first.line, first.column, last.end_line, last.end_column)
            whole_text = self.data[children[0].start_byte : children[-1].end_byte].decode("utf-8", "replace")
        else:
            whole_span, whole_text = self.span(node), self.text(node)
        head = children[0]
        if head.type == "variable_expr":  # a name: read here, without a Reference of its own
            if depth + 1 > self.max_depth:
                raise _TooDeep(self.point(head.start_point))
            base = None
            root = self.text(head)  # a variable_expr is its identifier alone
        else:
            base = self.expression(head, depth + 1)
            root = base.root if isinstance(base, Reference) and not base.steps else None
        steps: list = []
        for child in children[1:]:
            kind = child.type
            if kind == "get_attr":
                steps.append(("attr", self.text(child.named_children[-1])))
            elif kind == "index":
                named = child.named_children
                inner = named[0] if named else None
                inner_kind = inner.type if inner is not None else None
                if inner_kind == "legacy_index":  # `x.0`
                    written = self.text(inner)
                    steps.append(("index", _literal(self.span(inner), written, _number(written.lstrip(".")))))
                elif inner_kind == "new_index":
                    expression = next((part for part in inner.named_children if part.type == "expression"), None)
                    if expression is None:
                        return Opaque(whole_span, whole_text, "an index")
                    steps.append(("index", self.expression(expression, depth + 1)))
                else:
                    return Opaque(whole_span, whole_text, "an index")
            elif kind == "splat":
                steps.append(("splat", None))
            else:
                return Opaque(whole_span, whole_text, kind)
        if root is not None:
            return _reference(whole_span, whole_text, root, tuple(steps))
        if not steps:
            return base
        return _reference(whole_span, whole_text, "", (("base", base),) + tuple(steps))

    def _call(self, node, depth: int) -> Expression:
        children = node.named_children
        name = self.text(children[0])
        arguments = next((child for child in children if child.type == "function_arguments"), None)
        args: list = []
        expand = False
        if arguments is not None:
            for child in arguments.named_children:
                kind = child.type
                if kind == "expression":
                    args.append(self.expression(child, depth + 1))
                elif kind == "expand_or_comma" and "..." in self.text(child):
                    expand = True
            if not expand:  # the last 6 characters of the arguments (24 bytes hold them, whatever they are)
                end = arguments.end_byte
                expand = "..." in self.data[max(arguments.start_byte, end - 24) : end].decode("utf-8", "replace")[-6:]
        return Call(self.span(node), self.text(node), name, tuple(args), expand)

    def _template(self, node, depth: int) -> Expression:
        """A quoted string or heredoc: the literal text is read between the parts (the grammar drops its edge whitespace)."""
        children = node.children
        kinds = [child.type for child in children]
        data = self.data
        if kinds == _PLAIN_STRING or kinds == _EMPTY_STRING:  # most strings: `"text"` without an interpolation
            written = self.text(node)
            literal = data[children[0].end_byte : children[-1].start_byte].decode("utf-8", "replace")
            return _literal(self.span(node), written, _unescape(literal))
        for child, kind in zip(children, kinds):
            if kind == "quoted_template" or kind == "template_expr" or kind == "heredoc_template":
                return self._template(child, depth + 1)
        heredoc = node.type == "heredoc_template"
        if heredoc:
            markers = [child for child, kind in zip(children, kinds) if kind == "heredoc_identifier"]
            if not markers:
                return Opaque(self.span(node), self.text(node), "a heredoc")
            newline = data.find(b"\n", markers[0].end_byte)
            start = newline + 1 if newline != -1 else markers[0].end_byte
            closing = markers[-1] if len(markers) > 1 else None
            end = data.rfind(b"\n", start, closing.start_byte) + 1 if closing is not None else node.end_byte
            end = max(end, start)
        else:
            start = children[kinds.index("quoted_template_start")].end_byte if "quoted_template_start" in kinds else node.start_byte
            end = children[kinds.index("quoted_template_end")].start_byte if "quoted_template_end" in kinds else node.end_byte
        parts: list = []
        cursor = start
        for child, kind in zip(children, kinds):
            if kind != "template_interpolation" and kind != "template_directive":
                continue
            child_start = child.start_byte
            if child_start < start:
                continue
            literal = data[cursor:child_start].decode("utf-8", "replace")
            parts.append(literal if heredoc else _unescape(literal))
            if kind == "template_interpolation":
                inner = next((part for part in child.named_children if part.type == "expression"), None)
                parts.append(self.expression(inner, depth + 1) if inner is not None else Opaque(self.span(child), self.text(child), "an interpolation"))
            else:
                parts.append(Opaque(self.span(child), self.text(child), "a template directive"))
            cursor = child.end_byte
        tail = data[cursor:end].decode("utf-8", "replace") if end > cursor else ""
        parts.append(tail if heredoc else _unescape(tail))
        text = self.text(node)
        if heredoc and text.startswith("<<-"):
            parts = _dedent(parts)
        parts = [part for part in parts if part != ""]
        span = self.span(node)
        if all(isinstance(part, str) for part in parts):
            return _literal(span, text, "".join(parts))
        return Template(span, text, tuple(parts))


def _dedent(parts: list) -> list:
    """A `<<-` heredoc's text with the smallest indentation of its lines removed (an interpolation counts as text)."""
    expressions = [part for part in parts if not isinstance(part, str)]
    text = "".join(part if isinstance(part, str) else "\x00" for part in parts)
    lines = text.split("\n")
    indent = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()), default=0)
    text = "\n".join(line[min(indent, len(line) - len(line.lstrip(" \t"))):] for line in lines)
    result: list = []
    for number, piece in enumerate(text.split("\x00")):
        if number:
            result.append(expressions[number - 1])
        result.append(piece)
    return result


def _unescape(text: str) -> str:
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        character = text[index]
        if character == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[following])
                index += 2
                continue
            if following in "uU":
                width = 4 if following == "u" else 8
                digits = text[index + 2 : index + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                    index += 2 + width
                    continue
                except ValueError:
                    pass
        if text.startswith("$${", index) or text.startswith("%%{", index):
            out.append(text[index + 1 : index + 3])
            index += 3
            continue
        out.append(character)
        index += 1
    return "".join(out)


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if "." not in text and value.is_integer() and abs(value) < 2**53 else value


def cover(spans: list[Span]) -> Span:
    """The span from the first of `spans` to the end of the last-ending one (all of one file)."""
    first = min(spans)
    last = max(spans, key=lambda span: (span.end_line, span.end_column))
    return Span(first.path, first.line, first.column, last.end_line, last.end_column)

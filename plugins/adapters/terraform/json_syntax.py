"""Terraform's JSON syntax (`*.tf.json`) converted into the native syntax's located nodes and expressions.

The core JSON loader reads the file; `configuration` rebuilds its root the
way `hcl.load_hcl` builds a native file's, so the rest of the adapter reads
both alike: `resource`/`data` -> type -> name -> body, `variable`,
`locals`, `module`. In a resource body an object (or an array of objects)
is a nested block unless the argument is one the provider types as a map
(`MAP_ARGUMENTS`: `tags`, `environment`, `labels`, ...); every other
argument is an `Attribute`: a string holding `${...}` or `%{...}` is a
template parsed by the native parser (its parts placed at the string), any
other string, number, boolean or null a literal, an object an object
expression and an array a tuple expression. Module arguments, locals and
variables are attributes throughout. `dynamic` blocks are rebuilt as native ones. A variable's `default` is
a literal value and its `type` an expression, as Terraform reads them;
`//` keys are comments. At most `MAX_TEMPLATES` strings of one file are
parsed as templates; the rest are unknown.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from typing import Any

from linter import Document, LoadLimits, MappingNode, Node, ScalarNode, SequenceNode, Span

from plugins.adapters.terraform.hcl import BLOCKS_TAG, Attribute, Expression, Literal, ObjectExpr, Opaque, TupleExpr, load_hcl

__all__ = ["configuration", "MAX_TEMPLATES", "MAP_ARGUMENTS"]

MAX_TEMPLATES = 2_000
_SKIPPED = frozenset({"depends_on", "lifecycle", "provisioner", "connection", "//"})
# Arguments of the resources read whose object value is a map, not a nested block (the provider's schema says so).
MAP_ARGUMENTS = frozenset({"tags", "tags_all", "environment", "labels", "variables", "parameters", "triggers", "metadata", "annotations"})


def _objects(node: Node) -> bool:
    """An object, or a non-empty array of objects: nested blocks in a resource body."""
    if isinstance(node, MappingNode):
        return not any(isinstance(key.value, str) and "${" in key.value for key, _ in node.pairs)
    return isinstance(node, SequenceNode) and len(node.items) > 0 and all(isinstance(item, MappingNode) for item in node.items)


def configuration(document: Document) -> MappingNode | None:
    """The native-shaped root of a `.tf.json` document, or None when its root is not an object."""
    root = document.root
    if not isinstance(root, MappingNode):
        return None
    converter = _Converter(document.path)
    pairs = []
    for key, value in root.pairs:
        name = str(key.value)
        if name in ("resource", "data"):
            pairs.append((key, converter.labelled(value, 2)))
        elif name in ("variable", "module"):
            pairs.append((key, converter.labelled(value, 1, variable=name == "variable", blocks=False)))
        elif name == "locals":
            locals_ = [item for item in (value.items if isinstance(value, SequenceNode) else [value]) if isinstance(item, MappingNode)]
            pairs.append((key, MappingNode(tuple((inner, converter.attribute(item)) for mapping in locals_ for inner, item in mapping.pairs if inner.value != "//"), value.span)))
    return MappingNode(tuple(pairs), root.span)


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.templates = 0

    def labelled(self, node: Node, labels: int, variable: bool = False, blocks: bool = True) -> Node:
        """`{label: {label: body}}` down to the bodies; a list of bodies stays a list (as `module._blocks` reads it)."""
        if isinstance(node, SequenceNode):  # `"resource": [{...}, {...}]`
            pairs = [pair for item in node.items if isinstance(item, MappingNode) for pair in item.pairs]
            node = MappingNode(tuple(pairs), node.span)
        if not isinstance(node, MappingNode):
            return MappingNode((), node.span)
        if labels == 0:
            return self.body(node, variable, blocks)
        converted = []
        for key, value in node.pairs:
            if key.value == "//":
                continue
            if labels == 1 and isinstance(value, SequenceNode):
                converted.append((key, SequenceNode(tuple(self.body(item, variable, blocks) for item in value.items if isinstance(item, MappingNode)), value.span)))
            else:
                converted.append((key, self.labelled(value, labels - 1, variable, blocks)))
        return MappingNode(tuple(converted), node.span)

    def body(self, node: MappingNode, variable: bool = False, blocks: bool = True, depth: int = 0) -> MappingNode:
        pairs = []
        for key, value in node.pairs:
            name = str(key.value)
            if name in _SKIPPED:
                continue
            if blocks and depth < 32 and name not in MAP_ARGUMENTS and _objects(value):
                items = value.items if isinstance(value, SequenceNode) else (value,)
                pairs.append((key, SequenceNode(tuple(self.body(item, depth=depth + 1) for item in items), value.span, BLOCKS_TAG)))
                continue
            if variable and name == "default":
                pairs.append((key, Attribute(self.literal(value))))
            elif variable and name == "type" and isinstance(value, ScalarNode) and isinstance(value.value, str):
                pairs.append((key, Attribute(self.native(value.value, value.span))))
            elif name == "dynamic" and isinstance(value, MappingNode):
                pairs.append((key, self.dynamic(value)))
            else:
                pairs.append((key, self.attribute(value)))
        return MappingNode(tuple(pairs), node.span)

    def dynamic(self, node: MappingNode) -> MappingNode:
        blocks = []
        for label, written in node.pairs:
            items = written.items if isinstance(written, SequenceNode) else (written,)
            generated = []
            for item in items:
                if not isinstance(item, MappingNode):
                    continue
                pairs = []
                for key, value in item.pairs:
                    if key.value == "content" and isinstance(value, MappingNode):
                        pairs.append((key, SequenceNode((self.body(value),), value.span, BLOCKS_TAG)))
                    elif key.value in ("for_each", "iterator", "labels"):
                        pairs.append((key, self.attribute(value)))
                generated.append(MappingNode(tuple(pairs), item.span))
            blocks.append((label, SequenceNode(tuple(generated), written.span, BLOCKS_TAG)))
        return MappingNode(tuple(blocks), node.span)

    def attribute(self, node: Node) -> Attribute:
        return Attribute(self.expression(node, 0))

    def expression(self, node: Node, depth: int) -> Expression:
        if depth > 64:
            return Opaque(node.span, "", "a value nested too deeply")
        if isinstance(node, MappingNode):
            items = tuple(
                (self.key(key), self.expression(value, depth + 1)) for key, value in node.pairs if key.value != "//"
            )
            return ObjectExpr(node.span, "{...}", items)
        if isinstance(node, SequenceNode):
            return TupleExpr(node.span, "[...]", tuple(self.expression(item, depth + 1) for item in node.items))
        if isinstance(node, ScalarNode) and isinstance(node.value, str) and ("${" in node.value or "%{" in node.value):
            return self.template(node.value, node.span)
        return self.literal(node)

    def key(self, key: ScalarNode) -> Expression:
        text = str(key.value)
        if "${" in text:
            return self.template(text, key.span)
        return Literal(key.span, text, text)

    def literal(self, node: Node) -> Expression:
        if isinstance(node, ScalarNode):
            value = node.value
            if isinstance(value, str) and "$${" in value:
                value = value.replace("$${", "${").replace("%%{", "%{")
            return Literal(node.span, json.dumps(value) if isinstance(value, str) else str(value), value)
        if isinstance(node, MappingNode):
            return ObjectExpr(node.span, "{...}", tuple((Literal(key.span, str(key.value), str(key.value)), self.literal(value)) for key, value in node.pairs))
        if isinstance(node, SequenceNode):
            return TupleExpr(node.span, "[...]", tuple(self.literal(item) for item in node.items))
        return Literal(node.span, "null", None)

    def template(self, text: str, span: Span) -> Expression:
        """A string with interpolations, parsed by the native parser and placed at the string."""
        return self.native(json.dumps(text, ensure_ascii=False), span)

    def native(self, text: str, span: Span) -> Expression:
        """Native expression syntax (a template in quotes, a variable's type), parsed and placed at `span`."""
        self.templates += 1
        if self.templates > MAX_TEMPLATES:
            return Opaque(span, text, f"an expression beyond the {MAX_TEMPLATES:,} read in one file")
        source = load_hcl(self.path, "x = " + text + "\n", LoadLimits())
        root = source.documents[0].root if source.documents else None
        written = root.get("x") if isinstance(root, MappingNode) else None
        if source.problems or not isinstance(written, Attribute):
            return Opaque(span, text, "an expression that cannot be parsed")
        return _placed(written.expression, span)


def _placed(value: Any, span: Span) -> Any:
    """An expression (and every expression in it) placed at `span`."""
    if isinstance(value, Expression):
        changes = {item.name: _placed(getattr(value, item.name), span) for item in fields(value) if item.name not in ("span", "text")}
        return replace(value, span=span, **changes)
    if isinstance(value, tuple):
        return tuple(_placed(item, span) for item in value)
    return value

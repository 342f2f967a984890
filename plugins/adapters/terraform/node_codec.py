"""Terraform's `Attribute` nodes as plain data, for the parse cache and worker processes (`linter.NodeCodec`).

The core writes an attribute's base part (its value, tag and span); this
module writes its `Expression` tree. An expression is a list: its class's
name, its span's four numbers (the file is the attribute's), its text, then
its fields in declaration order. A tuple is a list headed by "(", so that
a list is either an expression or a tuple; strings, numbers, booleans and
None are written as they are. Reading checks the shape of every list and
raises ValueError for anything this module would not have written; nesting
deeper than `MAX_NESTING` lists is neither written nor read (such a file is
parsed again each time, as before there was a cache).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from linter import ScalarNode, Span

from plugins.adapters.terraform.hcl import (
    Attribute,
    Call,
    Conditional,
    Expression,
    ForExpr,
    Literal,
    ObjectExpr,
    Opaque,
    Operation,
    Reference,
    Template,
    TupleExpr,
)

__all__ = ["MAX_NESTING", "decode_attribute", "encode_attribute"]

# Lists within lists: an expression is one level, a tuple another. The HCL reader refuses
# nesting beyond 200 of its levels; this bound keeps either direction far from Python's recursion limit.
MAX_NESTING = 150

_TUPLE = "("
_SCALARS = (str, int, float, bool, type(None))
_CLASSES = {kind.__name__: kind for kind in (Literal, Template, Reference, Call, Conditional, Operation, TupleExpr, ObjectExpr, ForExpr, Opaque)}
# Each class's own fields (after `span` and `text`), in order.
_FIELDS = {name: tuple(field.name for field in fields(kind))[2:] for name, kind in _CLASSES.items()}
_new = object.__new__


def encode_attribute(node: ScalarNode) -> list:
    """The attribute's expression as plain data; ValueError when it cannot be written (see the module docstring)."""
    if not isinstance(node, Attribute):
        raise ValueError(f"{type(node).__name__} is not a Terraform attribute")
    return _encoded(node.expression, node.span.path, 0)


def _encoded(value: Any, path: str, depth: int) -> Any:
    if type(value) in _SCALARS:
        return value
    if depth >= MAX_NESTING:
        raise ValueError("an expression nested too deeply to write")
    if type(value) is tuple:
        return [_TUPLE, *(_encoded(item, path, depth + 1) for item in value)]
    name = type(value).__name__
    if _CLASSES.get(name) is not type(value):
        raise ValueError(f"{name} is not an expression this module writes")
    span = value.span
    if type(span) is not Span or span.path != path:
        raise ValueError("an expression whose span is not in the attribute's file")
    own = [_encoded(getattr(value, field), path, depth + 1) for field in _FIELDS[name]]
    return [name, span.line, span.column, span.end_line, span.end_column, value.text, *own]


def decode_attribute(base: ScalarNode, data: Any) -> Attribute:
    """The attribute `encode_attribute` wrote, from its base node and that data; ValueError for anything else."""
    expression = _decoded(data, base.span.path, 0)
    if not isinstance(expression, Expression):
        raise ValueError("an attribute's data is not an expression")
    attribute = Attribute(expression)
    if (attribute.value, attribute.tag, attribute.span) != (base.value, base.tag, base.span) or type(attribute.value) is not type(base.value):
        raise ValueError("an attribute's expression does not match its node")
    return attribute


def _decoded(data: Any, path: str, depth: int) -> Any:
    if type(data) in _SCALARS:
        return data
    if type(data) is not list or not data or depth >= MAX_NESTING:
        raise ValueError("not an expression, a tuple or a plain value")
    head = data[0]
    if head == _TUPLE:
        return tuple(_decoded(item, path, depth + 1) for item in data[1:])
    kind = _CLASSES.get(head) if type(head) is str else None
    if kind is None:
        raise ValueError(f"an unknown expression {head!r}")
    names = _FIELDS[head]
    if len(data) != 6 + len(names):
        raise ValueError(f"a {head} with {len(data) - 6} fields, not {len(names)}")
    line, column, end_line, end_column, text = data[1:6]
    if not (type(line) is type(column) is type(end_line) is type(end_column) is int) or type(text) is not str:
        raise ValueError(f"a {head} with a bad span or text")
    expression = _new(kind)  # as the HCL reader makes them: a frozen dataclass's __init__ sets each field through object.__setattr__
    own = expression.__dict__
    own["span"] = Span(path, line, column, end_line, end_column)
    own["text"] = text
    for name, item in zip(names, data[6:]):
        own[name] = _decoded(item, path, depth + 1)
    return expression

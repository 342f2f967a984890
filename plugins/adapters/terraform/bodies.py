"""One walk over a Terraform block's body into located nodes in an API's shape; a `BodyShape` says that API's ways.

The AWS request readers (`requests.py`) and the Kubernetes provider's
objects (`kubernetes.py`) both rebuild a resource's body as the API takes
it: arguments under the API's keys, nested blocks as one mapping or as a
list, `dynamic` blocks expanded. They differ only in how keys are named,
how an argument's value is read (documents, numbers written as text,
placeholders for unknowns) and what a `dynamic` block whose `for_each` is
not known stands for; each passes a `BodyShape` that says so.
"""

from __future__ import annotations

from typing import Protocol

from linter import MappingNode, Node, ScalarNode, SequenceNode

from plugins.adapters.terraform.hcl import BLOCKS_TAG, Attribute, Reference, cover
from plugins.adapters.terraform.values import Module, Scope, Unknown

__all__ = ["MAX_BLOCK_DEPTH", "BodyShape", "body_node"]

# Blocks nested deeper than this are read as empty.
MAX_BLOCK_DEPTH = 32


class BodyShape(Protocol):
    """How one API takes a block's body: what `body_node` asks of it."""

    meta_arguments: frozenset[str]
    """Names in a resource's own body (not a nested block's) that are Terraform's or the provider's, not the API's: left out."""

    expands_unknown_dynamic: bool
    """Whether a `dynamic` block whose `for_each` is not known stands for one block whose iterator is unknown (True),
    or for none (False: its blocks are then missing from the API's shape rather than read with unknown values)."""

    def key(self, name: str) -> str:
        """The API's key for an argument, or for blocks the API holds as one mapping."""

    def list_key(self, name: str, parent: str) -> str | None:
        """The API's key for the list that blocks `name` written in a block `parent` ("" for the resource) make; None when
        the API holds one mapping (then the first block is it, under `key(name)`)."""

    def argument(self, module: Module, name: str, value: Node, scope: Scope, budget: list[int]) -> Node | None:
        """Argument `name`'s written `value` evaluated in `scope` as located nodes, spending `budget`; None for null (unset)."""


def body_node(module: Module, body: MappingNode, scope: Scope, shape: BodyShape, budget: list[int], depth: int = 0, parent: str = "") -> MappingNode:
    """`body` evaluated in `scope` and rebuilt as `shape`'s API takes it, at `body`'s span.

    The arguments first, in the order written (`shape.argument` under
    `shape.key`; `shape.meta_arguments` left out at `depth` 0); then the
    blocks of each name, in the order each name first appears, a `dynamic`
    block's among those of its label: a list under `shape.list_key`, or
    the first under `shape.key`. A `dynamic` block is expanded once per
    element of a known `for_each`, its iterator bound to the key and value.
    Each block read spends one of `budget[0]`; once it is spent, no more
    are read. A body nested deeper than `MAX_BLOCK_DEPTH` is empty.
    """
    if depth > MAX_BLOCK_DEPTH:
        return MappingNode((), body.span)
    pairs: list[tuple[ScalarNode, Node]] = []
    blocks: dict[str, tuple[ScalarNode, list[MappingNode]]] = {}
    for key, value in body.pairs:
        name = str(key.value)
        if depth == 0 and name in shape.meta_arguments:
            continue
        if name == "dynamic" and isinstance(value, MappingNode):
            for label, written in value.pairs:
                for block in written.items if isinstance(written, SequenceNode) else ():
                    if isinstance(block, MappingNode):
                        generated = _dynamic(module, block, str(label.value), scope, shape, budget, depth)
                        blocks.setdefault(str(label.value), (label, []))[1].extend(generated)
            continue
        if isinstance(value, SequenceNode) and value.tag == BLOCKS_TAG:
            entry = blocks.setdefault(name, (key, []))
            for block in value.items:
                if isinstance(block, MappingNode) and budget[0] > 0:
                    budget[0] -= 1
                    entry[1].append(body_node(module, block, scope, shape, budget, depth + 1, name))
            continue
        node = shape.argument(module, name, value, scope, budget)
        if node is not None:
            pairs.append((ScalarNode(shape.key(name), key.span, "str"), node))
    for name, (key, bodies) in blocks.items():
        if not bodies:
            continue
        list_key = shape.list_key(name, parent)
        if list_key is not None:
            pairs.append((ScalarNode(list_key, key.span, "str"), SequenceNode(tuple(bodies), cover([item.span for item in bodies]))))
        else:
            pairs.append((ScalarNode(shape.key(name), key.span, "str"), bodies[0]))
    return MappingNode(tuple(pairs), body.span)


def _dynamic(module: Module, block: MappingNode, label: str, scope: Scope, shape: BodyShape, budget: list[int], depth: int) -> list[MappingNode]:
    """A `dynamic` block's generated blocks: one per element of a known `for_each`; otherwise see `shape.expands_unknown_dynamic`."""
    content = block.get("content")
    bodies = [item for item in content.items if isinstance(item, MappingNode)] if isinstance(content, SequenceNode) else []
    if not bodies:
        return []
    iterator = label
    written = block.get("iterator")
    if isinstance(written, Attribute) and isinstance(written.expression, Reference) and not written.expression.steps:
        iterator = written.expression.root
    collection = module.evaluate(block.get("for_each"), scope).value
    if isinstance(collection, dict):
        items = list(collection.items())
    elif isinstance(collection, list):
        items = list(enumerate(collection))
    elif shape.expands_unknown_dynamic:
        note = collection.note if isinstance(collection, Unknown) else "its for_each is not a collection"
        unknown = Unknown(f"a dynamic {label} block whose for_each is not known ({note})")
        items = [(unknown, unknown)]
    else:
        return []
    generated = []
    for key, value in items:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        generated.append(body_node(module, bodies[0], scope.bind(**{iterator: {"key": key, "value": value}}), shape, budget, depth + 1, label))
    return generated

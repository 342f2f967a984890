"""Reading a CloudFormation template: resources, intrinsics, typed values.

Knows CloudFormation's spelling of things (short-form tags such as `!Ref`,
`Fn::` functions, Tags lists, resource Metadata) and nothing of SageMaker.
An intrinsic function is not resolved here yet: its value is UNKNOWN, with
the reason, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Document,
    MappingNode,
    Node,
    Provenance,
    ScalarNode,
    SequenceNode,
    Sourced,
    Span,
)

from plugins.adapters.aws.written_values import as_int, shown, too_large, unreadable_note
from plugins.adapters.read_once import read_once

# Short-form tags as CloudFormation spells them, and the long form they stand for.
SHORT_FORM_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
            "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length",
        )
    },
}


@dataclass(frozen=True)
class Resource:
    """One entry of the template's `Resources` section.

    Its `Properties` block and its `Tags` are found once per resource, on
    first use (a template's readers ask for them a dozen times each); the
    nodes are never changed, so the answers hold for the resource's life.
    """

    logical_id: str
    type: str
    node: MappingNode
    key_span: Span

    @read_once
    def properties(self) -> MappingNode | None:
        value = self.node.get("Properties")
        return value if isinstance(value, MappingNode) else None

    def property(self, name: str) -> Node | None:
        properties = self.properties
        return properties.get(name) if properties is not None else None

    @read_once
    def tags(self) -> tuple[tuple[str, Node, Span], ...]:
        """What `tags(resource)` answers (read once)."""
        return tuple(_read_tags(self.property("Tags")))


def is_template(document: Document) -> bool:
    """True for a CloudFormation/SAM/CDK template: a `Resources` mapping of typed resources."""
    root = document.root
    if not isinstance(root, MappingNode):
        return False
    resources = root.get("Resources")
    if not isinstance(resources, MappingNode):
        return False
    if "AWSTemplateFormatVersion" in root:
        return True
    return any(
        isinstance(body, MappingNode) and _is_type_name(body.get("Type")) for _, body in resources.items()
    )


def _is_type_name(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and isinstance(node.value, str) and "::" in node.value


def resources(document: Document) -> Iterator[Resource]:
    """Every well-formed resource of a template, in file order."""
    root = document.root
    assert isinstance(root, MappingNode)
    section = root.get("Resources")
    if not isinstance(section, MappingNode):
        return
    flat = section.flat
    for index in range(0, len(flat), 2):
        body = flat[index + 1]
        if isinstance(body, MappingNode):
            type_node = body.get("Type")
            if _is_type_name(type_node):
                key = flat[index]
                yield Resource(str(key.value), str(type_node.value), body, key.span)  # type: ignore[union-attr]


def intrinsic(node: Node | None) -> str | None:
    """The intrinsic function a node calls (`Ref`, `Fn::Sub`, ...), or None."""
    if node is None:
        return None
    if node.tag in SHORT_FORM_TAGS:
        return SHORT_FORM_TAGS[node.tag]
    if isinstance(node, MappingNode) and len(node) == 1:
        (name,) = node.keys()
        if isinstance(name, str) and (name == "Ref" or name == "Condition" or name.startswith("Fn::")):
            return name
    return None


def _unresolved(node: Node, function: str) -> Sourced:
    return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{function} is not resolved", raw=None)


def read_str(node: Node | None) -> Sourced[str]:
    """A string property: known when written literally."""
    if node is None:
        return NOT_WRITTEN
    function = intrinsic(node)
    if function is not None:
        return _unresolved(node, function)
    if isinstance(node, ScalarNode) and node.value is not None and not isinstance(node.value, bool):
        return Sourced(str(node.value), node.span)
    return Sourced(UNKNOWN, node.span, raw=_raw(node))


def read_int(node: Node | None) -> Sourced[int]:
    """An integer property; numeric strings count (CloudFormation accepts them)."""
    if node is None:
        return NOT_WRITTEN
    function = intrinsic(node)
    if function is not None:
        return _unresolved(node, function)
    if isinstance(node, ScalarNode):
        number = as_int(node.value)
        if number is not None:
            return Sourced(number, node.span)
        if too_large(node.value):
            return Sourced(UNKNOWN, node.span, note=unreadable_note(node.value, "an integer"), raw=_raw(node))
    return Sourced(UNKNOWN, node.span, raw=_raw(node))


def _raw(node: Node) -> object:
    if isinstance(node, ScalarNode):
        return shown(node.value) if node.value is not None else "null"
    return "a mapping" if isinstance(node, MappingNode) else "a list"


def tags(resource: Resource) -> Sequence[tuple[str, Node, Span]]:
    """(key, value node, span) of the resource's `Tags`, list or map form (read once per resource)."""
    return resource.tags


def _read_tags(node: Node | None) -> list[tuple[str, Node, Span]]:
    found: list[tuple[str, Node, Span]] = []
    if isinstance(node, SequenceNode):
        for item in node:
            if not isinstance(item, MappingNode):
                continue
            key, value = item.get("Key"), item.get("Value")
            if isinstance(key, ScalarNode) and isinstance(key.value, str) and value is not None:
                found.append((key.value, value, item.span))
    elif isinstance(node, MappingNode):  # SAM and some resources use a map
        for key_node, value in node.pairs:
            if isinstance(key_node.value, str):
                found.append((key_node.value, value, key_node.span))
    return found

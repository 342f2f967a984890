"""Values of the container-compute resources (ECS, AWS Batch, EKS) as the model holds them.

A resource's Properties (also when the whole block is an `Fn::If` the
template decides), purchase-option properties read through the data
tables' `capacity_from_setting`, lists of instance types and subnets (with
the Availability Zones of subnets defined in the template), and names.
"""

from __future__ import annotations

import sys
from typing import Any

from linter import (
    UNKNOWN,
    MappingNode,
    Network,
    Node,
    Provenance,
    SequenceNode,
    Sourced,
    Span,
    child,
)

from plugins.adapters.cloudformation.context import TemplateContext, describe_unknown
from plugins.adapters.cloudformation.record_matching import same_value
from plugins.adapters.cloudformation.intrinsics import (
    NO_VALUE,
    Choice,
    Opaque,
    Partial,
    ResourceValue,
    is_known,
    split_text,
)
from plugins.adapters.cloudformation.resources.ec2_subnet import read as read_subnet
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.aws.written_values import text_of


# --- properties -------------------------------------------------------------------


def properties_of(resource: Resource, template: TemplateContext) -> tuple[MappingNode | None, str]:
    """The resource's Properties mapping, and why it is missing when it is.

    A whole `Properties: !If [Cond, {...}, {...}]` block is followed into
    the branch its condition selects; when the condition cannot be decided
    the properties are unknown (None) and the note says so.
    """
    node = resource.node.get("Properties")
    for _ in range(8):  # nested Fn::If blocks, bounded
        if node is None:
            return None, ""
        if intrinsic(node) != "Fn::If":
            return (node, "") if isinstance(node, MappingNode) else (None, "Properties is not a mapping")
        argument = _if_argument(node)
        if argument is None:
            return None, "Properties is a malformed Fn::If"
        condition_node, when_true, when_false = argument
        condition = condition_node.value if hasattr(condition_node, "value") else None
        truth = template.resolver.condition(condition) if isinstance(condition, str) else None
        if truth is None:
            return None, f"Properties depend on condition {condition}"
        node = when_true if truth else when_false
    return None, "Properties are nested too deep in Fn::If"


def _if_argument(node: Node) -> tuple[Node, Node, Node] | None:
    argument: Node | None = node
    if isinstance(node, MappingNode) and not node.tag.startswith("!"):
        argument = node.pairs[0][1] if len(node) == 1 else None
    if isinstance(argument, SequenceNode) and len(argument) == 3:
        return argument[0], argument[1], argument[2]
    return None


# --- values -----------------------------------------------------------------------


def string_list(node: Node | None, template: TemplateContext, what: str) -> list[Sourced]:
    """The items of a list property as sourced strings (a resource reference as its logical ID).

    Items written in the list keep their own spans; a list made by an
    intrinsic (`!Split`, `!If`, a `List<>` parameter) points at the
    property. An unresolvable list is one unknown item with the reason.
    """
    if node is None:
        return []
    if isinstance(node, SequenceNode) and intrinsic(node) is None:
        items = []
        for item in node.items:
            resolved = template.resolve(item)
            if resolved is NO_VALUE:
                continue
            items.append(_item(item, resolved, template, item.span))
        return items
    resolved = template.resolve(node)
    if isinstance(resolved, list):
        function = intrinsic(node)
        return [_item(None, value, template, node.span, function) for value in resolved if value is not NO_VALUE]
    if isinstance(resolved, Choice):
        return [Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{what} depend on condition {resolved.condition}")]
    if is_known(resolved) and isinstance(resolved, str):
        return [Sourced(resolved, node.span)]
    function = intrinsic(node)
    reason = f"{function} is not resolved" if function and isinstance(resolved, Opaque) and "(" in resolved.key else f"{describe_unknown(resolved)} is not known"
    return [Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{what}: {reason}")]


def _item(node: Node | None, value: Any, template: TemplateContext, span: Span, function: str | None = None) -> Sourced:
    if isinstance(value, ResourceValue):
        return Sourced(value.logical_id, span, Provenance.DECLARED, f"resource {value.logical_id} of this template")
    if node is not None:
        return template.read_str(node)
    if is_known(value) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Sourced(str(value), span, Provenance.DECLARED, f"resolved from {function}" if function else "")
    return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{describe_unknown(value)} is not known")


def network_of(node: Node | None, template: TemplateContext) -> Network | None:
    """Subnets of a list property, with their zones when every subnet is defined in the template.

    Zones come from the same `SubnetRecord`s as SageMaker hosting's
    (`resources/ec2_subnet.py`), so zone questions are answered alike.
    """
    if node is None:
        return None
    subnets = tuple(string_list(node, template, "subnets"))
    zones = []
    for subnet in subnets:
        resource = template.resources.get(subnet.value) if subnet.known else None  # type: ignore[arg-type]
        if resource is None or resource.type != "AWS::EC2::Subnet":
            return Network(subnets=subnets, span=node.span)
        zones.append(subnet_zone(resource, template))
    return Network(subnets=subnets, zones=tuple(zones), span=node.span)


def subnet_zone(resource: Resource, template: TemplateContext) -> Sourced:
    """The Availability Zone of an `AWS::EC2::Subnet` of the template, as its own reader reads it."""
    zone = read_subnet(resource, template)[0].zone
    if not zone.known and not zone.note and not zone.options:
        return Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, f"subnet {resource.logical_id} names no Availability Zone (EC2 picks one)")
    return zone


def name_of(resource: Resource, properties: MappingNode | None, template: TemplateContext, key: str) -> Sourced:
    """The resource's declared name property, else its logical ID (inferred)."""
    name = template.read_text(child(properties, key))
    if not name.known and not name.options:
        return Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, sys.intern(f"logical ID (no {key})"))  # one copy for the run
    return name


def names_resource(value: Any, resource: Resource, name: Sourced, strip_revision: bool = False) -> bool:
    """True when a reference value names `resource`: by logical ID, name or ARN ending in the name."""
    if isinstance(value, ResourceValue):
        return value.logical_id == resource.logical_id
    last = named_part(value, strip_revision)
    if last is None or not name.known or name.provenance is not Provenance.DECLARED:
        return False
    return same_value(last, name.value)


def named_part(value: Any, strip_revision: bool = False) -> Any:
    """What a reference value that is not a resource's own (`ResourceValue`) compares with a declared name: its
    last `/` part, an ARN's name (without a `:N` revision with `strip_revision`); None when it has none."""
    segments = split_text(value, "/")
    if not segments:
        return None
    last = segments[-1]
    if strip_revision:
        pieces = split_text(last, ":")
        if pieces and len(pieces) >= 2 and isinstance(pieces[-1], str) and pieces[-1].isdigit():
            last = _rejoin(pieces[:-1], ":")
    return last


def _rejoin(pieces: list, separator: str) -> Any:
    if all(isinstance(piece, str) for piece in pieces):
        return separator.join(pieces)
    parts: list = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append(separator)
        parts.extend(piece.parts if isinstance(piece, Partial) else [piece])
    return Partial(tuple(parts))


def shown_reference(value: Any) -> str:
    """A resolved value for a message: a resource by its logical ID, an unresolved text quoted."""
    if isinstance(value, ResourceValue):
        return value.logical_id
    if isinstance(value, (Partial, Opaque, Choice)):
        return f"'{value}'"
    return text_of(value, repr) if not isinstance(value, str) else value

"""Custom resources that may scale an endpoint: unresolved scaling targets, not missing ones.

A `Custom::<Name>` or `AWS::CloudFormation::CustomResource` resource runs
code the template does not show (usually a Lambda named by its
`ServiceToken`). When its properties name an endpoint of the template (a
`Ref`/`GetAtt` of the Endpoint, or its name) and one of that endpoint's
variants, it may well be what registers the variant with Application Auto
Scaling: it is reported as an *unresolved* scaling target of that
deployment, so that rules which ask "does anything scale this variant?"
stay silent, and `explain` says why.
"""

from __future__ import annotations

from typing import Any, Iterator, Protocol

from linter import UNKNOWN, MappingNode, Node, Provenance, Scaling, ScalingTarget, SequenceNode, Sourced

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.intrinsics import ResourceValue
from plugins.adapters.cloudformation.template import Resource, intrinsic

CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"
CUSTOM_PREFIX = "Custom::"
MAX_VALUES = 2_000  # properties read per custom resource; generated ones can be large, and none needs more


class _Hosting(Protocol):
    """What this module needs of a deployment being assembled (`hosting._Hosting`)."""

    anchor_id: str
    units: list

    def endpoint_names(self) -> list[Any]: ...


def is_custom_resource(resource: Resource) -> bool:
    return resource.type == CUSTOM_RESOURCE_TYPE or resource.type.startswith(CUSTOM_PREFIX)


def custom_resource_targets(hostings: list, template: TemplateContext, same_value) -> list[ScalingTarget]:
    """An unresolved target for each endpoint variant a custom resource names, with the endpoint.

    `same_value(left, right)` compares resolved values as the hosting links
    do (a reference by logical ID, a name by its text).
    """
    results = []
    for resource in template.resources.values():
        if not is_custom_resource(resource) or resource.properties is None:
            continue
        values = [(node, template.resolve(node)) for node in _values(resource.properties)]
        for hosting in hostings:
            names = hosting.endpoint_names()
            if not names or not any(_names(value, names, same_value) for _, value in values):
                continue
            variant = next(
                (
                    (node, unit)
                    for unit in hosting.units
                    if unit.name.known
                    for node, value in values
                    if not isinstance(value, ResourceValue) and same_value(value, unit.name.value)
                ),
                None,
            )
            if variant is None:
                continue
            node, unit = variant
            results.append(
                ScalingTarget(
                    resource_id=Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{resource.logical_id} names the variant here; what it scales is up to its code"),
                    scaling=Scaling(linked_by=f"{resource.type} {resource.logical_id}", span=resource.key_span),
                    status="unresolved",
                    reason=(
                        f"{resource.type} {resource.logical_id} names this endpoint and its variant {unit.name.value!r}: "
                        "the code behind a custom resource may register the variant for autoscaling, which the template does not show"
                    ),
                    deployment_id=template.deployment_id(hosting.anchor_id),
                    unit_name=str(unit.name.value),
                    span=resource.key_span,
                )
            )
    return results


def _names(value: Any, names: list[Any], same_value) -> bool:
    return any(same_value(value, name) for name in names)


def _values(properties: MappingNode) -> Iterator[Node]:
    """The property values of a custom resource: intrinsics whole, scalars, not keys; each node once, bounded."""
    seen: set[int] = set()
    stack: list[Node] = [value for _, value in reversed(properties.pairs)]
    count = 0
    while stack and count < MAX_VALUES:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        count += 1
        if intrinsic(node) is not None:
            yield node
        elif isinstance(node, MappingNode):
            stack.extend(value for _, value in reversed(node.pairs))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.items))
        else:
            yield node

"""`AWS::ApplicationAutoScaling::ScalableTarget` and `::ScalingPolicy` (policies through the shared Application Auto Scaling reader)."""

from __future__ import annotations

from linter import MappingNode, ScalingPolicy, SequenceNode, child

from plugins.adapters.aws.application_autoscaling import read_policy, scheduled_action
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.records import Reference, ScalableTargetRecord, ScalingPolicyRecord
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.template import Resource

RESOURCE_TYPES = ("AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy")


def read(resource: Resource, template: TemplateContext) -> list:
    if resource.type.endswith("ScalableTarget"):
        return [target_record(resource.logical_id, resource.properties, template, resource.key_span)]
    return [policy_record(resource, template)]


def target_record(logical_id: str, properties, template: TemplateContext, span) -> ScalableTargetRecord:
    resource_id_node = child(properties, "ResourceId")
    return ScalableTargetRecord(
        logical_id=logical_id,
        namespace=template.read_str(child(properties, "ServiceNamespace")),
        resource_id=template.resolve(resource_id_node),
        resource_id_source=template.read_str(resource_id_node),
        dimension=template.read_str(child(properties, "ScalableDimension")),
        min_capacity=template.read_int(child(properties, "MinCapacity")),
        max_capacity=template.read_int(child(properties, "MaxCapacity")),
        span=span,
        scheduled=_scheduled_actions(child(properties, "ScheduledActions"), template),
    )


def _scheduled_actions(node, template: TemplateContext) -> tuple[ScalingPolicy, ...]:
    """Each `ScheduledActions` entry as a policy of type ScheduledAction: it drives the target on a schedule."""
    if not isinstance(node, SequenceNode):
        return ()
    return tuple(scheduled_action(item.span, "ScheduledActions entry") for item in node.items if isinstance(item, MappingNode))


def policy_record(resource: Resource, template: TemplateContext) -> ScalingPolicyRecord:
    properties = resource.properties
    target_node = child(properties, "ScalingTargetId")
    target = None
    triple = None
    if target_node is not None:
        logical_id, value = template.reference(target_node)
        target = Reference(logical_id, value, target_node.span)
    else:
        triple = (
            template.resolve(child(properties, "ResourceId")),
            template.resolve(child(properties, "ScalableDimension")),
            template.resolve(child(properties, "ServiceNamespace")),
        )
    return ScalingPolicyRecord(resource.logical_id, target, triple, _policy(properties, template, resource))


def _policy(properties, template: TemplateContext, resource: Resource) -> ScalingPolicy:
    return read_policy(properties, TemplateRequestReader(template), resource.key_span)

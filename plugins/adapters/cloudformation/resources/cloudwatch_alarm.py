"""`AWS::CloudWatch::Alarm`: which metric triggers which scaling policy."""

from __future__ import annotations

from linter import SequenceNode

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.records import AlarmRecord
from plugins.adapters.cloudformation.template import Resource

RESOURCE_TYPES = ("AWS::CloudWatch::Alarm",)


def read(resource: Resource, template: TemplateContext) -> list:
    actions = []
    node = resource.property("AlarmActions")
    for item in node.items if isinstance(node, SequenceNode) else ():  # a mapping or scalar where a list belongs: none
        logical_id, _ = template.reference(item)
        if logical_id:
            actions.append(logical_id)
    if not actions:
        return []
    return [
        AlarmRecord(
            logical_id=resource.logical_id,
            metric=template.read_str(resource.property("MetricName")),
            namespace=template.read_str(resource.property("Namespace")),
            actions=tuple(actions),
        )
    ]

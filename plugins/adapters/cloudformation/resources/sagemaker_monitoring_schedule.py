"""`AWS::SageMaker::MonitoringSchedule`: Model Monitor runs against an endpoint.

A schedule names the endpoint it monitors in its `EndpointName`, in the
`EndpointInput` of an inline `MonitoringJobDefinition`, or through the job
definition resource its `MonitoringJobDefinitionName` refers to (data
quality, model quality, bias, explainability: `<Kind>JobInput.
EndpointInput`). `hosting.py` links the schedule to that endpoint.
"""

from __future__ import annotations

from linter import MappingNode, Node, Provenance, Sourced, child, mappings

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.records import MonitoringScheduleRecord, Reference
from plugins.adapters.cloudformation.template import Resource

RESOURCE_TYPES = ("AWS::SageMaker::MonitoringSchedule",)

# Job definitions a schedule may run, by `MonitoringJobDefinitionName`.
JOB_DEFINITION_TYPES = (
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
)


def read(resource: Resource, template: TemplateContext) -> list:
    name = template.read_text(resource.property("MonitoringScheduleName"))
    if not name.known:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, "logical ID (no MonitoringScheduleName)")
    config = resource.property("MonitoringScheduleConfig")
    nodes = [resource.property("EndpointName")]
    for monitoring_input in mappings(child(config, "MonitoringJobDefinition", "MonitoringInputs")):
        nodes.append(child(monitoring_input, "EndpointInput", "EndpointName"))
    nodes.extend(_job_definition_endpoints(child(config, "MonitoringJobDefinitionName"), template))
    endpoints = []
    for node in nodes:
        if node is None:
            continue
        logical_id, value = template.reference(node)
        endpoints.append(Reference(logical_id, value, node.span))
    return [MonitoringScheduleRecord(resource.logical_id, name, tuple(endpoints), resource.key_span)]


def _job_definition_endpoints(node: Node | None, template: TemplateContext) -> list[Node]:
    """The EndpointName nodes of the job definition resource a schedule refers to (in this template)."""
    if node is None:
        return []
    logical_id, value = template.reference(node)
    definition = template.resources.get(logical_id) if logical_id is not None else None
    if definition is None and isinstance(value, str):  # GetAtt X.JobDefinitionName resolves to the name X sets
        definition = next(
            (
                resource
                for resource in template.resources.values()
                if resource.type in JOB_DEFINITION_TYPES
                and template.read_text(resource.property("JobDefinitionName")).value == value
            ),
            None,
        )
    if definition is None or definition.type not in JOB_DEFINITION_TYPES or definition.properties is None:
        return []
    found = [definition.property("EndpointName")]
    for key, value in definition.properties.pairs:
        if isinstance(key.value, str) and key.value.endswith("JobInput") and isinstance(value, MappingNode):
            found.append(child(value, "EndpointInput", "EndpointName"))
    return [item for item in found if item is not None]

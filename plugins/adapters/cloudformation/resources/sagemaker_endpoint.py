"""`AWS::SageMaker::Endpoint`: the deployed endpoint and its configuration."""

from __future__ import annotations

from linter import Provenance, Sourced

from plugins.adapters.cloudformation.context import TemplateContext, logical_id_note
from plugins.adapters.cloudformation.records import EndpointRecord, Reference
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of

RESOURCE_TYPES = ("AWS::SageMaker::Endpoint",)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    name = template.read_text(resource.property("EndpointName"))
    if not name.known and not name.options:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, logical_id_note(name, "EndpointName"))
    config_node = resource.property("EndpointConfigName")
    logical_id, value = template.reference(config_node)
    record = EndpointRecord(
        logical_id=resource.logical_id,
        name=name,
        config=Reference(logical_id, value, config_node.span if config_node is not None else None),
        profile=profile,
        environment=environment_of(resource, profile),
        span=resource.key_span,
    )
    return [record, *problems]

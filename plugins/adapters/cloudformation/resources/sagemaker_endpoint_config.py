"""`AWS::SageMaker::EndpointConfig`: variants, async and serverless settings, read by the shared request reader."""

from __future__ import annotations

from linter import MappingNode, Provenance, Sourced

from plugins.adapters.aws.sagemaker_requests import production_variants, read_async_config, read_data_capture, read_variant
from plugins.adapters.cloudformation.context import TemplateContext, logical_id_note
from plugins.adapters.cloudformation.records import EndpointConfigRecord, Reference, VariantRecord
from plugins.adapters.cloudformation.resources.sagemaker_model import network
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.cloudformation.requests import TemplateRequestReader

RESOURCE_TYPES = ("AWS::SageMaker::EndpointConfig",)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    name = template.read_text(resource.property("EndpointConfigName"))
    if not name.known and not name.options:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, logical_id_note(name, "EndpointConfigName"))
    reader = TemplateRequestReader(template)
    properties = resource.properties
    variant_nodes, unread = production_variants(properties, reader)
    record = EndpointConfigRecord(
        logical_id=resource.logical_id,
        name=name,
        variants=tuple(variant(node, reader) for node in variant_nodes),
        async_config=read_async_config(reader.node(properties, "AsyncInferenceConfig"), reader),
        data_capture=read_data_capture(reader.node(properties, "DataCaptureConfig"), reader),
        network=network(resource, template),
        profile=profile,
        environment=environment_of(resource, profile),
        span=resource.key_span,
        kind_undecided=_kind_undecided(properties, variant_nodes, template),
    )
    return [record, *problems, *unread]


def _kind_undecided(properties: MappingNode | None, variant_nodes: list[MappingNode], template: TemplateContext) -> str:
    """Why the kind is not known: an `Fn::If` of an undecidable condition builds AsyncInferenceConfig or a variant's
    ServerlessConfig (read as absent, which would make the endpoint real-time); "" otherwise."""
    chosen = template.resolver.chosen
    places = [("AsyncInferenceConfig", properties.get("AsyncInferenceConfig") if properties is not None else None)]
    places += [("ServerlessConfig", node.get("ServerlessConfig")) for node in variant_nodes]
    for key, node in places:
        node = chosen(node)
        if intrinsic(node) == "Fn::If":
            return f"{key} depends on a condition that cannot be decided here"
    return ""


def variant(node: MappingNode, reader: TemplateRequestReader) -> VariantRecord:
    """A production variant as a unit (the shared reader's), with its model reference."""
    model_node = node.get("ModelName")
    logical_id, value = reader.template.reference(model_node)
    return VariantRecord(read_variant(node, reader), Reference(logical_id, value, model_node.span if model_node is not None else None))

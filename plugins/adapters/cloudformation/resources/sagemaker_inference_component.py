"""`AWS::SageMaker::InferenceComponent`: a model placed on an endpoint's variant."""

from __future__ import annotations

from linter import MappingNode, Provenance, Sourced, child

from plugins.adapters.cloudformation.context import TemplateContext, logical_id_note
from plugins.adapters.cloudformation.records import InferenceComponentRecord, Reference
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.aws.inferred_facts import model_for
from plugins.adapters.aws.sagemaker_requests import read_component_requirements
from plugins.adapters.cloudformation.requests import TemplateRequestReader

RESOURCE_TYPES = ("AWS::SageMaker::InferenceComponent",)


def read(resource: Resource, template: TemplateContext) -> list:
    name = template.read_text(resource.property("InferenceComponentName"))
    if not name.known and not name.options:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, logical_id_note(name, "InferenceComponentName"))
    specification = resource.property("Specification")
    container = child(specification, "Container")
    environment = []
    env = child(container, "Environment")
    if isinstance(env, MappingNode):
        environment = [(str(key.value), template.read_str(value)) for key, value in env.pairs]
    model_node = child(specification, "ModelName")
    model_name = template.read_text(model_node)
    model_ref = None
    if model_node is not None and not isinstance(container, MappingNode):
        model_logical_id, model_value = template.reference(model_node)
        model_ref = Reference(model_logical_id, model_value, model_node.span)
    if not model_name.known and not model_name.note and isinstance(container, MappingNode) and name.known:
        # A container written in the component is its model: name it after the component, so the unit serves it.
        model_name = Sourced(name.value, container.span, Provenance.INFERRED, "the inference component's own container")
    endpoint_node = resource.property("EndpointName")
    logical_id, value = template.reference(endpoint_node)
    return [
        InferenceComponentRecord(
            logical_id=resource.logical_id,
            name=name,
            endpoint=Reference(logical_id, value, endpoint_node.span if endpoint_node is not None else None),
            variant_name=template.read_text(resource.property("VariantName")),
            model=model_for(template.read_text(child(container, "Image")), model_name, Sourced(), tuple(environment), extensions=template.extensions),
            copy_count=template.read_int(child(resource.properties, "RuntimeConfig", "CopyCount")),
            accelerators=template.read_int(
                child(specification, "ComputeResourceRequirements", "NumberOfAcceleratorDevicesRequired")
            ),
            requirements=read_component_requirements(
                child(specification, "ComputeResourceRequirements"), TemplateRequestReader(template)
            ),
            startup_timeout=template.read_int(child(specification, "StartupParameters", "ContainerStartupHealthCheckTimeoutInSeconds")),
            download_timeout=template.read_int(child(specification, "StartupParameters", "ModelDataDownloadTimeoutInSeconds")),
            span=resource.key_span,
            model_ref=model_ref,
        )
    ]

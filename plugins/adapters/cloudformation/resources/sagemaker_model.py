"""`AWS::SageMaker::Model`: the containers a deployment serves."""

from __future__ import annotations

from linter import NOT_WRITTEN, MappingNode, Network, Provenance, Sourced, child, mappings

from plugins.adapters.cloudformation.context import TemplateContext, block, logical_id_note
from plugins.adapters.cloudformation.records import ModelRecord
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.aws.inferred_facts import model_for
from plugins.adapters.aws.sagemaker_requests import model_containers

RESOURCE_TYPES = ("AWS::SageMaker::Model",)


def read(resource: Resource, template: TemplateContext) -> list:
    name = template.read_text(resource.property("ModelName"))
    if not name.known and not name.options:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, logical_id_note(name, "ModelName"))
    containers = []
    primary = resource.property("PrimaryContainer")
    listed, unread = model_containers(mappings(resource.property("Containers")))
    for container in ([primary] if isinstance(primary, MappingNode) else []) + listed:
        containers.append(container_spec(container, template, name))
    return [ModelRecord(resource.logical_id, name, tuple(containers), network(resource, template), resource.key_span), *unread]


def container_spec(container: MappingNode, template: TemplateContext, name: Sourced):
    """The ModelSpec of one ContainerDefinition."""
    mode = template.read_str(container.get("Mode"))
    multi_model = Sourced(mode.value == "MultiModel", mode.span, Provenance.DECLARED, "Mode") if mode.known else NOT_WRITTEN
    environment = []
    env = container.get("Environment")
    if isinstance(env, MappingNode):
        for key, value in env.pairs:
            environment.append((str(key.value), template.read_str(value)))
    return model_for(template.read_text(container.get("Image")), name, multi_model, tuple(environment), extensions=template.extensions)


def network(resource: Resource, template: TemplateContext) -> Network | None:
    """VpcConfig subnets and network isolation of a model or endpoint config."""
    vpc = block(resource.property("VpcConfig"))  # one a condition may remove is not claimed
    isolation = template.read_bool(resource.property("EnableNetworkIsolation"))
    if vpc is None and not isolation.known:
        return None
    subnets = child(vpc, "Subnets")
    subnet_values = []
    resolved = template.resolve(subnets)
    if isinstance(resolved, list) and hasattr(subnets, "items"):
        for node in subnets.items:  # type: ignore[union-attr]
            logical_id, value = template.reference(node)
            subnet_values.append(
                Sourced(logical_id, node.span, Provenance.DECLARED, "subnet resource in this template")
                if logical_id
                else template.read_str(node)
            )
    return Network(subnets=tuple(subnet_values), network_isolation=isolation, span=vpc.span if vpc is not None else None)

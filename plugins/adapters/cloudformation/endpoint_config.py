"""`AWS::SageMaker::EndpointConfig`: one deployment per endpoint configuration.

The kind follows the configuration: `AsyncInferenceConfig` makes it
asynchronous, variants that all carry `ServerlessConfig` make it serverless,
anything else is real-time. Each production variant becomes a unit.
"""

from __future__ import annotations

from linter import (
    Compute,
    Deployment,
    DeploymentKind,
    Document,
    InputProblem,
    MappingNode,
    Provenance,
    ResourceRef,
    SequenceNode,
    ServerlessConfig,
    Sourced,
    Unit,
)


from plugins.adapters.cloudformation.template import Resource, read_int, read_str
from plugins.adapters.cloudformation.workload import environment_of, profile_of

RESOURCE_TYPE = "AWS::SageMaker::EndpointConfig"


def extract(resource: Resource, document: Document) -> list[Deployment | InputProblem]:
    """The deployment this endpoint configuration describes."""
    profile, problems = profile_of(resource)
    variants = _variants(resource)
    units = tuple(_unit(variant) for variant in variants)
    name = read_str(resource.property("EndpointConfigName"))
    if not name.known:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, "logical ID (no EndpointConfigName)")
    deployment = Deployment(
        id=f"{document.path}#{resource.logical_id}",
        platform="sagemaker",
        kind=_kind(resource, units),
        span=resource.key_span,
        name=name,
        environment=environment_of(resource, profile),
        profile=profile,
        units=units,
        links=(ResourceRef(resource.type, resource.logical_id, resource.key_span),),
    )
    return [deployment, *problems]


def _variants(resource: Resource) -> list[MappingNode]:
    node = resource.property("ProductionVariants")
    if not isinstance(node, SequenceNode):
        return []
    return [item for item in node if isinstance(item, MappingNode)]


def _unit(variant: MappingNode) -> Unit:
    serverless_node = variant.get("ServerlessConfig")
    serverless = None
    if isinstance(serverless_node, MappingNode):
        serverless = ServerlessConfig(
            memory_mb=read_int(serverless_node.get("MemorySizeInMB")),
            max_concurrency=read_int(serverless_node.get("MaxConcurrency")),
            provisioned_concurrency=read_int(serverless_node.get("ProvisionedConcurrency")),
            span=serverless_node.span,
        )
    model = read_str(variant.get("ModelName"))
    return Unit(
        name=read_str(variant.get("VariantName")),
        compute=Compute(instance_type=read_str(variant.get("InstanceType"))),
        count=read_int(variant.get("InitialInstanceCount")),
        serverless=serverless,
        model_names=(model.value,) if model.known else (),
        span=variant.span,
    )


def _kind(resource: Resource, units: tuple[Unit, ...]) -> Sourced[DeploymentKind]:
    async_config = resource.property("AsyncInferenceConfig")
    if async_config is not None:
        return Sourced(DeploymentKind.ASYNC, async_config.span, Provenance.DECLARED, "AsyncInferenceConfig")
    if units and all(unit.serverless is not None for unit in units):
        first = units[0].serverless
        return Sourced(DeploymentKind.SERVERLESS, first.span if first else None, Provenance.DECLARED, "ServerlessConfig")
    return Sourced(
        DeploymentKind.REALTIME, resource.key_span, Provenance.INFERRED, "instance-backed variants, no AsyncInferenceConfig"
    )

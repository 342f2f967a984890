"""`AWS::SageMaker::EndpointConfig`: variants, async and serverless settings."""

from __future__ import annotations

from linter import AsyncConfig, MappingNode, Provenance, Scaling, ServerlessConfig, Sourced, Unit, child, mappings

from plugins.adapters.cloudformation.context import TemplateContext, block, unnamed_note
from plugins.adapters.cloudformation.records import EndpointConfigRecord, Reference, VariantRecord
from plugins.adapters.cloudformation.resources.sagemaker_model import network
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.facts import compute_for

RESOURCE_TYPES = ("AWS::SageMaker::EndpointConfig",)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    name = template.read_text(resource.property("EndpointConfigName"))
    if not name.known and not name.options:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, f"logical ID ({unnamed_note(name, 'EndpointConfigName')})")
    record = EndpointConfigRecord(
        logical_id=resource.logical_id,
        name=name,
        variants=tuple(variant(node, template) for node in mappings(resource.property("ProductionVariants"))),
        shadow_variants=tuple(variant(node, template) for node in mappings(resource.property("ShadowProductionVariants"))),
        async_config=async_config(resource.property("AsyncInferenceConfig"), template),
        data_capture=data_capture(resource.property("DataCaptureConfig"), template),
        network=network(resource, template),
        profile=profile,
        environment=environment_of(resource, profile),
        span=resource.key_span,
    )
    return [record, *problems]


def data_capture(node, template: TemplateContext) -> Sourced[bool]:
    """Whether the endpoint captures data: EnableCapture as written, enabled by default when not written.

    An EnableCapture that cannot be resolved stays unknown (it is not the
    default), and so does a DataCaptureConfig an intrinsic function builds.
    """
    capture = block(node)
    if capture is None:
        return Sourced()
    enabled = template.read_bool(capture.get("EnableCapture"))
    if enabled.span is None:  # not written (or removed by AWS::NoValue)
        return Sourced(True, capture.span, Provenance.DEFAULT, "DataCaptureConfig without EnableCapture, which defaults to enabled")
    return enabled


def variant(node: MappingNode, template: TemplateContext) -> VariantRecord:
    """A production variant as a unit, with its model reference."""
    serverless_node = block(node.get("ServerlessConfig"))
    serverless = None
    if serverless_node is not None:
        serverless = ServerlessConfig(
            memory_mb=template.read_int(serverless_node.get("MemorySizeInMB")),
            max_concurrency=template.read_int(serverless_node.get("MaxConcurrency")),
            provisioned_concurrency=template.read_int(serverless_node.get("ProvisionedConcurrency")),
            span=serverless_node.span,
        )
    instance_type = template.read_str(node.get("InstanceType"))
    pools = mappings(node.get("InstancePools"))
    if not instance_type.known and not instance_type.options and pools:
        instance_type = template.read_str(pools[0].get("InstanceType"))  # highest-priority pool first
    model_node = node.get("ModelName")
    logical_id, value = template.reference(model_node)
    unit = Unit(
        name=template.read_text(node.get("VariantName")),
        compute=compute_for(instance_type),
        count=template.read_int(node.get("InitialInstanceCount")),
        weight=template.read_float(node.get("InitialVariantWeight")),
        serverless=serverless,
        scaling=managed_instance_scaling(node.get("ManagedInstanceScaling"), template),
        span=node.span,
    )
    return VariantRecord(unit, Reference(logical_id, value, model_node.span if model_node is not None else None))


def managed_instance_scaling(node, template: TemplateContext) -> tuple[Scaling, ...]:
    """SageMaker-managed instance scaling of a variant (used with inference components), when enabled."""
    if not isinstance(node, MappingNode):
        return ()
    status = template.read_str(node.get("Status"))
    if status.known and str(status.value).upper() != "ENABLED":
        return ()
    return (
        Scaling(
            min_capacity=template.read_int(node.get("MinInstanceCount")),
            max_capacity=template.read_int(node.get("MaxInstanceCount")),
            dimension=Sourced("managed-instance-count", node.span, Provenance.DECLARED, "ManagedInstanceScaling"),
            linked_by="ManagedInstanceScaling of the variant",
            span=node.span,
        ),
    )


def async_config(node, template: TemplateContext) -> AsyncConfig | None:
    """AsyncInferenceConfig's output, failure and notification settings."""
    if not isinstance(node, MappingNode):
        return None
    output = child(node, "OutputConfig")
    notification = child(output, "NotificationConfig")
    return AsyncConfig(
        output_path=template.read_str(child(output, "S3OutputPath")),
        failure_path=template.read_str(child(output, "S3FailurePath")),
        success_topic=template.read_str(child(notification, "SuccessTopic")),
        error_topic=template.read_str(child(notification, "ErrorTopic")),
        max_concurrent_invocations=template.read_int(child(node, "ClientConfig", "MaxConcurrentInvocationsPerInstance")),
        span=node.span,
    )

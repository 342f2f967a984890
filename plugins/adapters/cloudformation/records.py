"""What the resource readers extract from single resources, before linking.

Readers (one module per resource kind in `resources/`) turn one resource
into records; `hosting.py` links SageMaker records into deployments.
References to other resources keep the resolved value: a logical ID when
the template says `Ref`/`GetAtt`, otherwise a name (or a Partial name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter import (
    AsyncConfig,
    ComponentRequirements,
    Environment,
    ModelSpec,
    Network,
    ScalingPolicy,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
)


@dataclass(frozen=True)
class Reference:
    """A property that names another resource: by logical ID or by value."""

    logical_id: str | None
    value: Any
    span: Span | None


@dataclass(frozen=True)
class ModelRecord:
    """`AWS::SageMaker::Model`."""

    logical_id: str
    name: Sourced[str]
    containers: tuple[ModelSpec, ...]
    network: Network | None
    span: Span


@dataclass(frozen=True)
class VariantRecord:
    """One production variant: the unit plus its model reference."""

    unit: Unit
    model: Reference


@dataclass(frozen=True)
class EndpointConfigRecord:
    """`AWS::SageMaker::EndpointConfig`."""

    logical_id: str
    name: Sourced[str]
    variants: tuple[VariantRecord, ...]
    async_config: AsyncConfig | None
    data_capture: Sourced[bool]
    network: Network | None
    profile: WorkloadProfile
    environment: Sourced[Environment]
    span: Span
    # Why the endpoint's kind is not known when an undecidable Fn::If decides whether it is asynchronous or serverless.
    kind_undecided: str = ""


@dataclass(frozen=True)
class MonitoringScheduleRecord:
    """`AWS::SageMaker::MonitoringSchedule`: the endpoints its Model Monitor jobs read."""

    logical_id: str
    name: Sourced[str]
    endpoints: tuple[Reference, ...]
    span: Span


@dataclass(frozen=True)
class EndpointRecord:
    """`AWS::SageMaker::Endpoint`."""

    logical_id: str
    name: Sourced[str]
    config: Reference
    profile: WorkloadProfile
    environment: Sourced[Environment]
    span: Span


@dataclass(frozen=True)
class InferenceComponentRecord:
    """`AWS::SageMaker::InferenceComponent`."""

    logical_id: str
    name: Sourced[str]
    endpoint: Reference
    variant_name: Sourced[str]
    model: ModelSpec
    copy_count: Sourced[int]
    accelerators: Sourced[int]
    span: Span
    requirements: ComponentRequirements | None = None
    startup_timeout: Sourced[int] = field(default_factory=Sourced)
    download_timeout: Sourced[int] = field(default_factory=Sourced)
    model_ref: Reference | None = None  # Specification.ModelName, when the component names a model instead of a container


@dataclass(frozen=True)
class ScalableTargetRecord:
    """`AWS::ApplicationAutoScaling::ScalableTarget`."""

    logical_id: str
    namespace: Sourced[str]
    resource_id: Any
    resource_id_source: Sourced[str]
    dimension: Sourced[str]
    min_capacity: Sourced[int]
    max_capacity: Sourced[int]
    span: Span
    scheduled: tuple[ScalingPolicy, ...] = ()  # its ScheduledActions, as policies of type "ScheduledAction"


@dataclass(frozen=True)
class ScalingPolicyRecord:
    """`AWS::ApplicationAutoScaling::ScalingPolicy`."""

    logical_id: str
    target: Reference | None
    triple: tuple[Any, Any, Any] | None  # (ResourceId, ScalableDimension, ServiceNamespace)
    policy: ScalingPolicy


@dataclass(frozen=True)
class SubnetRecord:
    """`AWS::EC2::Subnet`: where it is."""

    logical_id: str
    zone: Sourced[str]


@dataclass
class TemplateRecords:
    """Every record read from one template, by kind."""

    models: list[ModelRecord] = field(default_factory=list)
    configs: list[EndpointConfigRecord] = field(default_factory=list)
    endpoints: list[EndpointRecord] = field(default_factory=list)
    components: list[InferenceComponentRecord] = field(default_factory=list)
    targets: list[ScalableTargetRecord] = field(default_factory=list)
    policies: list[ScalingPolicyRecord] = field(default_factory=list)
    subnets: list[SubnetRecord] = field(default_factory=list)
    alarms: list["AlarmRecord"] = field(default_factory=list)
    monitors: list[MonitoringScheduleRecord] = field(default_factory=list)

    def add(self, record: object) -> bool:
        """File a record under its kind; False if it is not a linking record."""
        bucket_name = _BUCKET_OF.get(record.__class__)
        if bucket_name is not None:  # the record kinds themselves, found by one look-up
            getattr(self, bucket_name).append(record)
            return True
        for kind, bucket in (
            (ModelRecord, self.models),
            (EndpointConfigRecord, self.configs),
            (EndpointRecord, self.endpoints),
            (InferenceComponentRecord, self.components),
            (ScalableTargetRecord, self.targets),
            (ScalingPolicyRecord, self.policies),
            (SubnetRecord, self.subnets),
            (AlarmRecord, self.alarms),
            (MonitoringScheduleRecord, self.monitors),
        ):
            if isinstance(record, kind):
                bucket.append(record)
                return True
        return False


@dataclass(frozen=True)
class AlarmRecord:
    """`AWS::CloudWatch::Alarm`: the metric a step-scaling policy is driven by."""

    logical_id: str
    metric: Sourced[str]
    namespace: Sourced[str]
    actions: tuple[str, ...]  # logical IDs of the resources it triggers


# The bucket of each record kind (`TemplateRecords.add` checks subclasses and other items one by one).
_BUCKET_OF: dict[type, str] = {
    ModelRecord: "models",
    EndpointConfigRecord: "configs",
    EndpointRecord: "endpoints",
    InferenceComponentRecord: "components",
    ScalableTargetRecord: "targets",
    ScalingPolicyRecord: "policies",
    SubnetRecord: "subnets",
    AlarmRecord: "alarms",
    MonitoringScheduleRecord: "monitors",
}

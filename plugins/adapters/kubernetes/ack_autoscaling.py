"""ACK Application Auto Scaling resources (`applicationautoscaling.services.k8s.aws`), as written.

- `ScalableTarget`: `serviceNamespace`, `resourceID`, `scalableDimension`
  (required), `minCapacity`, `maxCapacity` — the `RegisterScalableTarget`
  request. A SageMaker `resourceID` names an endpoint variant
  (`endpoint/<endpoint>/variant/<variant>`) or an inference component
  (`inference-component/<name>`), by their AWS names.
- `ScalingPolicy`: `policyName`, `policyType`, and the same `resourceID`,
  `scalableDimension` and `serviceNamespace` — Application Auto Scaling
  knows a target by that triple, so a policy drives the target with the
  same three (`policy_target`). The metric is the target-tracking
  configuration's predefined or customized metric; a step-scaling
  policy's metric sits in a CloudWatch alarm, which is not read.

This module reads single objects; `ack_links.py` links targets to the
SageMaker resources they scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from linter import MappingNode, ScalarNode, Scaling, ScalingPolicy, Sourced

from plugins.adapters.kubernetes.ack import AUTOSCALING_GROUP, READER, Scope, is_placeholder, nearest
from plugins.adapters.kubernetes.objects import Manifest
from plugins.adapters.values import as_float

__all__ = ["KINDS", "TargetRecord", "PolicyRecord", "ResourceName", "read_target", "read_policy", "policy_target", "scaling_of"]

KINDS = {(AUTOSCALING_GROUP, "ScalableTarget"), (AUTOSCALING_GROUP, "ScalingPolicy")}


@dataclass(frozen=True)
class ResourceName:
    """What a SageMaker `resourceID` names.

    `kind` is "variant" (`endpoint/<endpoint>/variant/<variant>`) or
    "inference-component"; `keys` are the names as match keys (`=name`, or
    `~text` for a placeholder), `texts` as written.
    """

    kind: str
    keys: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class TargetRecord:
    """A ScalableTarget as written; `resource` is None when its resourceID names nothing readable (`reason`)."""

    manifest: Manifest
    scope: Scope
    service_namespace: Sourced[str]
    resource_id: Sourced[str]
    resource_key: str | None
    dimension: Sourced[str]
    min_capacity: Sourced[int]
    max_capacity: Sourced[int]
    resource: ResourceName | None
    reason: str


@dataclass(frozen=True)
class PolicyRecord:
    """A ScalingPolicy as written, with the triple that names its target."""

    manifest: Manifest
    scope: Scope
    resource_key: str | None
    dimension: str | None
    service_namespace: str | None
    policy: ScalingPolicy


def _segment_key(segment: str) -> str:
    return ("~" if is_placeholder(segment) else "=") + segment


def _resource_name(resource_id: Sourced[str], written: object) -> tuple[ResourceName | None, str]:
    if not isinstance(written, str):
        note = resource_id.note or "not written"
        return None, f"resourceID {note}"
    segments = written.strip().split("/")
    if len(segments) == 4 and segments[0] == "endpoint" and segments[2] == "variant" and segments[1] and segments[3]:
        names = (segments[1], segments[3])
        return ResourceName("variant", tuple(_segment_key(name) for name in names), names), ""
    if len(segments) == 2 and segments[0] == "inference-component" and segments[1]:
        return ResourceName("inference-component", (_segment_key(segments[1]),), (segments[1],)), ""
    if is_placeholder(written):
        return None, f"resourceID {written!r} is a template placeholder"
    return None, f"resourceID {written!r} is not an endpoint variant or inference component"


def read_target(manifest: Manifest, scope: Scope) -> TargetRecord | None:
    """The ScalableTarget an object declares; None without a spec mapping."""
    spec = manifest.spec
    if spec is None:
        return None
    resource_id = READER.read_text(spec, "ResourceID")
    written = READER.node(spec, "ResourceID")
    resource, reason = _resource_name(resource_id, written.value if isinstance(written, ScalarNode) else None)
    return TargetRecord(
        manifest=manifest,
        scope=scope,
        service_namespace=READER.read_str(spec, "ServiceNamespace"),
        resource_id=resource_id,
        resource_key=READER.name_key(spec, "ResourceID"),
        dimension=READER.read_str(spec, "ScalableDimension"),
        min_capacity=READER.read_int(spec, "MinCapacity"),
        max_capacity=READER.read_int(spec, "MaxCapacity"),
        resource=resource,
        reason=reason,
    )


def read_policy(manifest: Manifest, scope: Scope) -> PolicyRecord | None:
    """The ScalingPolicy an object declares; None without a spec mapping."""
    spec = manifest.spec
    if spec is None:
        return None
    dimension = READER.read_str(spec, "ScalableDimension")
    namespace = READER.read_str(spec, "ServiceNamespace")
    return PolicyRecord(
        manifest=manifest,
        scope=scope,
        resource_key=READER.name_key(spec, "ResourceID"),
        dimension=str(dimension.value) if dimension.known else None,
        service_namespace=str(namespace.value) if namespace.known else None,
        policy=_policy(manifest, spec),
    )


def _policy(manifest: Manifest, spec: MappingNode) -> ScalingPolicy:
    tracking = READER.node(spec, "TargetTrackingScalingPolicyConfiguration")
    metric: Sourced[str] = Sourced()
    namespace: Sourced[str] = Sourced()
    target_value: Sourced[float] = Sourced()
    if isinstance(tracking, MappingNode):
        target_value = READER.value(tracking, "TargetValue", convert=as_float, expected="a number")
        predefined = READER.node(tracking, "PredefinedMetricSpecification")
        custom = READER.node(tracking, "CustomizedMetricSpecification")
        if isinstance(predefined, MappingNode):
            metric = READER.read_str(predefined, "PredefinedMetricType")
        elif isinstance(custom, MappingNode):
            metric = READER.read_str(custom, "MetricName")
            namespace = READER.read_str(custom, "Namespace")
            if not metric.known:  # metric math: the first query's metric
                for query in READER.mappings(custom, "Metrics"):
                    found = READER.read_str(query, "MetricStat", "Metric", "MetricName")
                    if found.known:
                        metric, namespace = found, READER.read_str(query, "MetricStat", "Metric", "Namespace")
                        break
    if not metric.known and isinstance(READER.node(spec, "StepScalingPolicyConfiguration"), MappingNode):
        metric = Sourced(note="step scaling: the metric is in a CloudWatch alarm")
    return ScalingPolicy(
        policy_type=READER.read_str(spec, "PolicyType"),
        metric=metric,
        metric_namespace=namespace,
        target_value=target_value,
        span=manifest.anchor,
    )


def policy_target(policy: PolicyRecord, targets: Sequence[TargetRecord]) -> TargetRecord | None:
    """The target a policy drives: the same resourceID, scalableDimension and serviceNamespace."""
    if policy.resource_key is None or policy.dimension is None or policy.service_namespace is None:
        return None
    same = [
        target
        for target in targets
        if target.resource_key == policy.resource_key
        and target.dimension.value == policy.dimension
        and target.service_namespace.value == policy.service_namespace
    ]
    return nearest(same, policy.resource_key, policy.manifest, policy.scope, lambda target: target.manifest, lambda target: target.scope)


def scaling_of(target: TargetRecord, policies: Sequence[PolicyRecord]) -> Scaling:
    """What the units a target scales get: its bounds and dimension, and the policies that drive it."""
    name = target.manifest.name or "(unnamed)"
    dimension = target.dimension
    if not dimension.known and not dimension.note and dimension.raw is None:
        dimension = Sourced(note="no scalableDimension (required)")
    return Scaling(
        min_capacity=target.min_capacity,
        max_capacity=target.max_capacity,
        dimension=dimension,
        policies=tuple(policy.policy for policy in policies),
        linked_by=f"ScalableTarget {name}",
        span=target.manifest.anchor,
    )

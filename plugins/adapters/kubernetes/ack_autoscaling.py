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

from linter import Provenance, ScalarNode, Scaling, ScalingPolicy, Sourced

from plugins.adapters.aws.application_autoscaling import (
    INFERENCE_COMPONENT,
    SAGEMAKER_NAMESPACE,
    VARIANT,
    parse_resource_id,
    same_triple,
    with_sagemaker_metric_facts,
)
from plugins.adapters.aws.application_autoscaling import read_policy as read_policy_request
from plugins.adapters.kubernetes.ack import AUTOSCALING_GROUP, READER, Scope, is_placeholder, nearest
from plugins.adapters.kubernetes.objects import Manifest
from plugins.adapters.aws.sagemaker_requests import RequestReader

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
    parsed = parse_resource_id(written)
    if parsed is not None and parsed.kind in (VARIANT, INFERENCE_COMPONENT):
        return ResourceName(parsed.kind, tuple(_segment_key(name) for name in parsed.names), parsed.names), ""
    if is_placeholder(written):
        return None, f"resourceID {written!r} is a template placeholder"
    return None, f"resourceID {written!r} is not an endpoint variant or inference component"


def read_target(manifest: Manifest, scope: Scope, reader: RequestReader = READER) -> TargetRecord | None:
    """The ScalableTarget an object declares; None without a spec mapping. `reader` is `ack.READER` or a copy of it."""
    spec = manifest.spec
    if spec is None:
        return None
    written = reader.node(spec, "ResourceID")
    value = written.value if isinstance(written, ScalarNode) else None
    if written.__class__ is ScalarNode and value.__class__ is str and reader.__class__ is READER.__class__ and "@@" not in value and not is_placeholder(value):  # type: ignore[operator]
        # A plain string, as nearly every resourceID is: what `ack.READER`'s `read_text` and `name_key`
        # answer for it, without finding it twice more.
        resource_id: Sourced[str] = Sourced(value, reader.span_of(written), Provenance.DECLARED)  # type: ignore[arg-type]
        resource_key: str | None = "=" + value  # type: ignore[operator]
    else:
        resource_id, resource_key = reader.read_text(spec, "ResourceID"), reader.name_key(spec, "ResourceID")
    resource, reason = _resource_name(resource_id, value)
    return TargetRecord(
        manifest=manifest,
        scope=scope,
        service_namespace=reader.read_str(spec, "ServiceNamespace"),
        resource_id=resource_id,
        resource_key=resource_key,
        dimension=reader.read_str(spec, "ScalableDimension"),
        min_capacity=reader.read_int(spec, "MinCapacity"),
        max_capacity=reader.read_int(spec, "MaxCapacity"),
        resource=resource,
        reason=reason,
    )


def read_policy(manifest: Manifest, scope: Scope, reader: RequestReader = READER) -> PolicyRecord | None:
    """The ScalingPolicy an object declares; None without a spec mapping. `reader` is `ack.READER` or a copy of it."""
    spec = manifest.spec
    if spec is None:
        return None
    dimension = reader.read_str(spec, "ScalableDimension")
    namespace = reader.read_str(spec, "ServiceNamespace")
    return PolicyRecord(
        manifest=manifest,
        scope=scope,
        resource_key=reader.name_key(spec, "ResourceID"),
        dimension=str(dimension.value) if dimension.known else None,
        service_namespace=str(namespace.value) if namespace.known else None,
        policy=read_policy_request(spec, reader, manifest.anchor),
    )


def policy_target(policy: PolicyRecord, targets: Sequence[TargetRecord]) -> TargetRecord | None:
    """The target a policy drives: the same resourceID, scalableDimension and serviceNamespace."""
    if policy.resource_key is None or policy.dimension is None or policy.service_namespace is None:
        return None
    same = same_triple(
        (policy.resource_key, policy.dimension, policy.service_namespace),
        targets,
        lambda target: (target.resource_key, target.dimension.value, target.service_namespace.value),
    )
    return nearest(same, policy.resource_key, policy.manifest, policy.scope, lambda target: target.manifest, lambda target: target.scope)


def scaling_of(target: TargetRecord, policies: Sequence[PolicyRecord]) -> Scaling:
    """What the units a target scales get: its bounds and dimension, and the policies that drive it.

    A target of SageMaker (or of a service not written) also gets what the
    data tables say of its metrics (`with_sagemaker_metric_facts`).
    """
    name = target.manifest.name or "(unnamed)"
    dimension = target.dimension
    if not dimension.known and not dimension.note and dimension.raw is None:
        dimension = Sourced(note="no scalableDimension (required)")
    scaling = Scaling(
        min_capacity=target.min_capacity,
        max_capacity=target.max_capacity,
        dimension=dimension,
        policies=tuple(policy.policy for policy in policies),
        linked_by=f"ScalableTarget {name}",
        span=target.manifest.anchor,
    )
    service = target.service_namespace
    if service.known and service.value != SAGEMAKER_NAMESPACE:
        return scaling
    return with_sagemaker_metric_facts(scaling)

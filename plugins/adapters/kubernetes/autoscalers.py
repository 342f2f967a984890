"""Autoscalers that scale a workload by reference: HPA, KEDA ScaledObject, KEDA HTTPScaledObject.

Each is read once into an `Autoscaler`: the workload it names
(`scaleTargetRef`, in its own namespace) and the `Scaling` it gives that
workload's units:
- HorizontalPodAutoscaler (`autoscaling/v1`, `v2`, `v2beta1`, `v2beta2`):
  `minReplicas` (default 1, from the data tables), `maxReplicas`, each of
  `metrics` a policy (type, metric name, target: utilization, average value
  or value); v1's `targetCPUUtilizationPercentage` a `Resource` cpu policy.
  No metrics: the policy Kubernetes applies by default (average CPU
  utilization, the target from the data tables), marked as a default.
- KEDA ScaledObject (`keda.sh/v1alpha1`; v1 `keda.k8s.io` with
  `scaleTargetRef.deploymentName`): `scaleTargetRef.kind` defaults to
  Deployment, `minReplicaCount` to 0, `maxReplicaCount` to 100 (data
  tables); each trigger a policy (trigger type, metric, threshold).
- KEDA HTTPScaledObject (`http.keda.sh`): `replicas.min/max`, one policy
  from `scalingMetric` (or the older `targetPendingRequests`).
A KEDA ScaledJob scales the Jobs it creates itself: `workloads.py` reads it
as a job deployment, with `scaling_of_keda` for its bounds and triggers.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter import NOT_WRITTEN, UNKNOWN, MappingNode, Provenance, Scaling, ScalingPolicy, Sourced, Span, child, mappings

from plugins import data
from plugins.adapters.kubernetes.objects import (
    Manifest,
    has_placeholder,
    mapping,
    read_int,
    read_quantity,
    read_str,
    text,
)

DIMENSION = "replicas"  # what every Kubernetes autoscaler here changes

# KEDA trigger metadata keys that hold the per-replica target, by trigger family.
_KEDA_TARGET_KEYS = (
    "value", "threshold", "targetValue", "lagThreshold", "queueLength", "listLength", "messageCount",
    "targetPendingRequests", "desiredReplicas", "targetQueryValue", "bucketLength", "streamLength",
)


@dataclass(frozen=True)
class Autoscaler:
    """One autoscaler as written and the workload it names.

    `target_kind`/`target_name` are None when not readable (`reason` says
    why); `scaling` is what the target's units get when linked.
    """

    manifest: Manifest
    kind: str
    target_kind: str | None
    target_name: str | None
    target_span: Span
    scaling: Scaling
    reason: str = ""

    @property
    def namespace(self) -> str:
        return self.manifest.namespace

    @property
    def target_key(self) -> tuple[str, str, str] | None:
        if self.target_kind is None or self.target_name is None:
            return None
        return self.namespace, self.target_kind, self.target_name

    @property
    def resource_id(self) -> Sourced[str]:
        if self.target_key is None:
            return Sourced(UNKNOWN, self.target_span, Provenance.DECLARED, self.reason)
        return Sourced(f"{self.target_kind}/{self.target_name}", self.target_span, Provenance.DECLARED, f"scaleTargetRef in namespace {self.namespace}")


AUTOSCALER_KINDS = {
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("keda.sh", "ScaledObject"),
    ("keda.k8s.io", "ScaledObject"),
    ("http.keda.sh", "HTTPScaledObject"),
}


def is_autoscaler(manifest: Manifest) -> bool:
    return (manifest.group, manifest.kind) in AUTOSCALER_KINDS


def read_autoscaler(manifest: Manifest) -> Autoscaler:
    """The autoscaler a manifest declares (call only when `is_autoscaler`)."""
    spec = manifest.spec
    if manifest.kind == "HorizontalPodAutoscaler":
        scaling = _hpa_scaling(manifest, spec)
        target_kind, target_name, span, reason = _target(manifest, child(spec, "scaleTargetRef"), default_kind=None)
    elif manifest.kind == "HTTPScaledObject":
        scaling = _http_scaling(manifest, spec)
        # Add-on versions before 0.7 named the Deployment in scaleTargetRef.deployment.
        target_kind, target_name, span, reason = _target(
            manifest, child(spec, "scaleTargetRef"), default_kind="Deployment", name_keys=("name", "deployment")
        )
    else:
        scaling = scaling_of_keda(manifest, spec, "ScaledObject")
        target_kind, target_name, span, reason = _target(
            manifest, child(spec, "scaleTargetRef"), default_kind="Deployment", name_keys=("name", "deploymentName")
        )
    return Autoscaler(manifest, manifest.kind, target_kind, target_name, span, scaling, reason)


def _target(manifest: Manifest, reference, default_kind: str | None, name_keys=("name",)):
    """(kind, name, span, reason) of a scaleTargetRef; kind and name None when unreadable."""
    if not isinstance(reference, MappingNode):
        anchor = reference.span if reference is not None else manifest.anchor
        return None, None, anchor, "no scaleTargetRef" if reference is None else "scaleTargetRef is not a mapping"
    name_node = None
    for key in name_keys:  # the first written, each read once
        name_node = reference.get(key)
        if name_node is not None:
            break
    name = text(name_node)
    kind = text(reference.get("kind")) or default_kind
    if name_node is None:
        return None, None, reference.span, "scaleTargetRef names no workload"
    if not name or has_placeholder(name):
        return None, None, name_node.span, f"scaleTargetRef name {name!r} is not a literal name"
    if kind is None:
        return None, name, name_node.span, "scaleTargetRef has no kind"
    return kind, name, name_node.span, ""


def _bound(node, default_limit: str | None, what: str, span: Span) -> Sourced:
    if node is not None or default_limit is None:
        return read_int(node)
    entry = data.limit("kubernetes", default_limit)
    return Sourced(entry.default, span, Provenance.DEFAULT, f"no {what}: defaults to {entry.default}")


# --- HorizontalPodAutoscaler ------------------------------------------------------


def _hpa_scaling(manifest: Manifest, spec: MappingNode | None) -> Scaling:
    anchor = spec.span if spec is not None else manifest.anchor
    scaling = hpa_scaling(spec, anchor, f"HorizontalPodAutoscaler {manifest.name or '(unnamed)'}", manifest.anchor)
    cpu = child(spec, "targetCPUUtilizationPercentage")  # autoscaling/v1
    if cpu is None:
        return scaling
    v1_policy = ScalingPolicy(
        policy_type=Sourced("Resource", cpu.span, Provenance.INFERRED, "autoscaling/v1 targetCPUUtilizationPercentage"),
        metric=Sourced("cpu", cpu.span, Provenance.INFERRED, "targetCPUUtilizationPercentage"),
        target_value=_float(read_quantity(cpu), "utilization, percent of the request"),
        span=cpu.span,
    )
    return scaling.replaced(policies=(v1_policy, *scaling.policies))


def _default_cpu_policy(anchor: Span) -> ScalingPolicy:
    """The policy of an HPA that names no metrics: Kubernetes scales it on average CPU utilization."""
    target = data.limit("kubernetes", "hpa_default_cpu_utilization").default
    note = f"no metrics: the HorizontalPodAutoscaler scales on {target:g}% average CPU utilization"
    return ScalingPolicy(
        policy_type=Sourced("Resource", anchor, Provenance.DEFAULT, note),
        metric=Sourced("cpu", anchor, Provenance.DEFAULT, note),
        target_value=Sourced(float(target), anchor, Provenance.DEFAULT, note),
        span=anchor,
    )


def hpa_policy(metric: MappingNode) -> ScalingPolicy:
    """One entry of `metrics` (v2: `target{type, averageUtilization|averageValue|value}`; v2beta1: `target*`)."""
    metric_type = read_str(metric.get("type"))
    source_key = {
        "Resource": "resource",
        "ContainerResource": "containerResource",
        "Pods": "pods",
        "Object": "object",
        "External": "external",
    }.get(str(metric_type.value), "")
    source = mapping(metric.get(source_key)) if source_key else None
    name_node = child(source, "metric", "name") or child(source, "name") or child(source, "metricName")
    target = mapping(child(source, "target"))
    value: Sourced = NOT_WRITTEN
    if target is not None:
        for key, meaning in (("averageUtilization", "utilization, percent of the request"), ("averageValue", "average value per pod"), ("value", "value")):
            if key in target:
                value = _float(read_quantity(target.get(key)), f"{key}: {meaning}")
                break
    elif source is not None:  # autoscaling/v2beta1
        for key in ("targetAverageUtilization", "targetAverageValue", "targetValue"):
            if key in source:
                value = _float(read_quantity(source.get(key)), key)
                break
    return ScalingPolicy(
        policy_type=metric_type,
        metric=read_str(name_node),
        target_value=value,
        span=metric.span,
    )


def _float(value: Sourced, note: str) -> Sourced:
    if value.known:
        return Sourced(float(value.value), value.span, value.provenance, note)
    return value


# --- KEDA ---------------------------------------------------------------------------


def scaling_of_keda(manifest: Manifest, spec: MappingNode | None, what: str) -> Scaling:
    """The bounds and triggers of a ScaledObject or ScaledJob (`minReplicaCount` default 0)."""
    anchor = spec.span if spec is not None else manifest.anchor
    return keda_scaling(spec, anchor, f"KEDA {what} {manifest.name or '(unnamed)'}", DIMENSION if what == "ScaledObject" else "jobs", manifest.anchor)


def keda_scaling(spec: MappingNode | None, anchor: Span, linked_by: str, dimension: str, span: Span) -> Scaling:
    """KEDA bounds (`minReplicaCount` default 0, `maxReplicaCount` default 100) and triggers, wherever written."""
    policies = [_trigger_policy(trigger) for trigger in mappings(child(spec, "triggers"))]
    return Scaling(
        min_capacity=_bound(child(spec, "minReplicaCount"), "keda_min_replicas", "minReplicaCount", anchor),
        max_capacity=_bound(child(spec, "maxReplicaCount"), "keda_max_replicas", "maxReplicaCount", anchor),
        dimension=Sourced(dimension, anchor, Provenance.INFERRED, linked_by),
        policies=tuple(policies),
        linked_by=linked_by,
        span=span,
    )


def hpa_scaling(spec: MappingNode | None, anchor: Span, linked_by: str, span: Span, metrics_keys=("metrics",)) -> Scaling:
    """HPA-shaped bounds and metrics (an HPA's spec, Seldon's hpaSpec): `minReplicas` default 1."""
    policies = [hpa_policy(metric) for key in metrics_keys for metric in mappings(child(spec, key))]
    if not policies and child(spec, "targetCPUUtilizationPercentage") is None:
        policies = [_default_cpu_policy(anchor)]
    max_node = child(spec, "maxReplicas")
    return Scaling(
        min_capacity=_bound(child(spec, "minReplicas"), "hpa_min_replicas", "minReplicas", anchor),
        max_capacity=read_int(max_node) if max_node is not None else Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no maxReplicas (required)"),
        dimension=Sourced(DIMENSION, anchor, Provenance.INFERRED, linked_by),
        policies=tuple(policies),
        linked_by=linked_by,
        span=span,
    )


def _trigger_policy(trigger: MappingNode) -> ScalingPolicy:
    metadata = mapping(trigger.get("metadata"))
    trigger_type = read_str(trigger.get("type"))
    name_node = child(metadata, "metricName") or trigger.get("name")
    metric = read_str(name_node) if name_node is not None else trigger_type
    value: Sourced = NOT_WRITTEN
    for key in _KEDA_TARGET_KEYS:
        if metadata is not None and key in metadata:
            value = _float(read_quantity(metadata.get(key)), f"trigger metadata {key}")
            break
    return ScalingPolicy(policy_type=trigger_type, metric=metric, target_value=value, span=trigger.span)


def _http_scaling(manifest: Manifest, spec: MappingNode | None) -> Scaling:
    anchor = spec.span if spec is not None else manifest.anchor
    replicas = mapping(child(spec, "replicas"))
    policies = []
    metric = mapping(child(spec, "scalingMetric"))
    for key, node in (metric.pairs if metric is not None else ()):
        policies.append(
            ScalingPolicy(
                policy_type=Sourced("http", key.span, Provenance.INFERRED, "KEDA HTTP add-on"),
                metric=Sourced(str(key.value), key.span, Provenance.DECLARED),
                target_value=_float(read_quantity(child(node, "targetValue")), "targetValue"),
                span=key.span,
            )
        )
    pending = child(spec, "targetPendingRequests")
    if pending is not None:
        policies.append(
            ScalingPolicy(
                policy_type=Sourced("http", pending.span, Provenance.INFERRED, "KEDA HTTP add-on"),
                metric=Sourced("pendingRequests", pending.span, Provenance.INFERRED, "targetPendingRequests"),
                target_value=_float(read_quantity(pending), "targetPendingRequests"),
                span=pending.span,
            )
        )
    min_node, max_node = child(replicas, "min"), child(replicas, "max")
    return Scaling(
        min_capacity=read_int(min_node) if min_node is not None else Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no replicas.min"),
        max_capacity=read_int(max_node) if max_node is not None else Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no replicas.max"),
        dimension=Sourced(DIMENSION, anchor, Provenance.INFERRED, "KEDA HTTPScaledObject"),
        policies=tuple(policies),
        linked_by=f"KEDA HTTPScaledObject {manifest.name or '(unnamed)'}",
        span=manifest.anchor,
    )

"""Application Auto Scaling and CloudWatch: scalable dimensions, predefined metrics, metric namespaces (AS001-AS007)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


from plugins.data.loading import raw_tables

__all__ = [
    "MetricInfo",
    "ScalableDimension",
    "ScalingResourceId",
    "autoscaling_service_namespace",
    "cloudwatch_metric",
    "cloudwatch_namespace",
    "parse_scaling_resource_id",
    "predefined_metric_dimension",
    "scalable_dimension",
    "scalable_dimensions",
]


# --- Application Auto Scaling and CloudWatch (AS001-AS007) -----------------


@dataclass(frozen=True)
class ScalableDimension:
    """A SageMaker scalable dimension and the predefined metrics that drive it."""

    name: str
    resource: str  # variant | inference-component
    predefined_metrics: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def scalable_dimensions() -> tuple[ScalableDimension, ...]:
    """The SageMaker scalable dimensions, in table order."""
    table = raw_tables()["autoscaling"]
    return tuple(
        ScalableDimension(
            entry["name"],
            entry["resource"],
            tuple(metric["name"] for metric in table["predefined_metrics"] if metric["dimension"] == entry["name"]),
        )
        for entry in table["scalable_dimensions"]
    )


def scalable_dimension(name: str) -> ScalableDimension | None:
    """A SageMaker scalable dimension by name (`sagemaker:variant:DesiredInstanceCount`)."""
    return next((dimension for dimension in scalable_dimensions() if dimension.name == name), None)


def predefined_metric_dimension(metric: str) -> str | None:
    """The scalable dimension a SageMaker predefined metric type drives, if it is one."""
    for entry in raw_tables()["autoscaling"]["predefined_metrics"]:
        if entry["name"] == metric:
            return entry["dimension"]
    return None


def autoscaling_service_namespace() -> str:
    """The Application Auto Scaling service namespace of SageMaker (`sagemaker`)."""
    return raw_tables()["autoscaling"]["service_namespace"]["value"]


@dataclass(frozen=True)
class ScalingResourceId:
    """A parsed SageMaker ResourceId: a variant, or an inference component."""

    kind: str  # variant | inference-component
    endpoint: str | None = None
    variant: str | None = None
    name: str | None = None


@functools.lru_cache(maxsize=None)
def _resource_id_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((entry["kind"], re.compile(entry["pattern"])) for entry in raw_tables()["autoscaling"]["resource_ids"])


def parse_scaling_resource_id(resource_id: str) -> ScalingResourceId | None:
    """`endpoint/E/variant/V` or `inference-component/N`, parsed; None for anything else."""
    for kind, pattern in _resource_id_patterns():
        match = pattern.match(resource_id)
        if match:
            return ScalingResourceId(kind, **match.groupdict())
    return None


@dataclass(frozen=True)
class MetricInfo:
    """A SageMaker CloudWatch metric: where it lives and what unit it has."""

    name: str
    namespace: str
    unit: str | None
    dimensions: tuple[str, ...]
    scales_with: str | None  # vcpus | gpus: the range is 0 to 100 x that count
    source: str
    confidence: str


@functools.lru_cache(maxsize=None)
def _metrics() -> dict[str, MetricInfo]:
    return {
        name: MetricInfo(
            name,
            group["namespace"],
            entry.get("unit"),
            tuple(group["dimensions"]),
            entry.get("scales_with"),
            group["source"],
            group.get("confidence", "high"),
        )
        for group in raw_tables()["cloudwatch"]["metric_groups"]
        for name, entry in group["metrics"].items()
    }


def cloudwatch_metric(name: str) -> MetricInfo | None:
    """A SageMaker endpoint metric by name (`ModelLatency`, `CPUUtilization`, ...), if known."""
    return _metrics().get(name)


def cloudwatch_namespace(role: str) -> str:
    """The namespace of a metric family: invocations, endpoint_instances, training_instances, ..."""
    return raw_tables()["cloudwatch"]["namespaces"][role]

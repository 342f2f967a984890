"""Application Auto Scaling as every AWS-shaped adapter reads it: ResourceIds, policies, alarm metrics.

A scalable target is known to AWS by the triple (ResourceId,
ScalableDimension, ServiceNamespace); a policy names its target by the
same triple (or, in CloudFormation, by `ScalingTargetId`). The ResourceId
formats read here (botocore application-autoscaling
`RegisterScalableTargetRequest.ResourceId`; the SageMaker ones are also in
the data tables, `autoscaling.resource_ids`):

- `endpoint/<endpoint>/variant/<variant>` — a SageMaker production variant;
- `inference-component/<name>` — a SageMaker inference component;
- `service/<cluster>/<service>` — an ECS service.

Adapters resolve a ResourceId as far as their language allows and pass its
`/`-separated segments (each a string, or the adapter's own unresolved
value) to `scalable_resource`; a ResourceId known as plain text goes
through `parse_resource_id`. Policies are read from a request-shaped node
through a `RequestReader` (`read_policy`), so CloudFormation and ACK read
the same configuration the same way.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, TypeVar

from linter import (
    Deployment,
    LinkStatus,
    MappingNode,
    Node,
    Provenance,
    Scaling,
    ScalingMetricKind,
    ScalingPolicy,
    ScalingTarget,
    Sourced,
    Span,
)

from plugins.adapters.aws.sagemaker_requests import RequestReader
from plugins.data import cloudwatch_metric, predefined_metric_dimension, raw_tables, scalable_dimension
from plugins.adapters.aws.written_values import as_float

__all__ = [
    "SAGEMAKER_NAMESPACE",
    "ECS_NAMESPACE",
    "VARIANT",
    "INFERENCE_COMPONENT",
    "ECS_SERVICE",
    "STEP_SCALING_NOTE",
    "ScalableResource",
    "scalable_resource",
    "parse_resource_id",
    "resource_id_names",
    "names_deployment",
    "link_across_run",
    "read_policy",
    "SCHEDULED_ACTION",
    "scheduled_action",
    "same_triple",
    "with_alarm_metric",
    "sagemaker_metric_facts",
    "target_scaling",
    "with_sagemaker_metric_facts",
]

SAGEMAKER_NAMESPACE = "sagemaker"
ECS_NAMESPACE = "ecs"

# What a ResourceId names (`ScalableResource.kind`).
VARIANT = "variant"
INFERENCE_COMPONENT = "inference-component"
ECS_SERVICE = "ecs-service"

STEP_SCALING_NOTE = "step scaling: the metric is in a CloudWatch alarm"
ALARM_QUERY_NOTE = "step scaling: its CloudWatch alarm watches a metric query (metric math), not one metric"

T = TypeVar("T")


@dataclass(frozen=True)
class ScalableResource:
    """What a ResourceId names, by its segments (strings, or an adapter's unresolved values).

    `kind` VARIANT: `names` is (endpoint, variant); INFERENCE_COMPONENT:
    (component,); ECS_SERVICE: (cluster, service).
    """

    kind: str
    names: tuple[Any, ...]


def scalable_resource(segments: Sequence[Any] | None) -> ScalableResource | None:
    """The resource `/`-separated ResourceId segments name, or None for any other shape."""
    if not segments or not isinstance(segments[0], str):
        return None
    head, count = segments[0], len(segments)
    if head == "endpoint" and count == 4 and segments[2] == "variant":
        return ScalableResource(VARIANT, (segments[1], segments[3]))
    if head == "inference-component" and count == 2:
        return ScalableResource(INFERENCE_COMPONENT, (segments[1],))
    if head == "service" and count == 3:
        return ScalableResource(ECS_SERVICE, (segments[1], segments[2]))
    return None


def parse_resource_id(text: str) -> ScalableResource | None:
    """A ResourceId written as plain text, parsed; None when it is no known shape or names an empty name."""
    parsed = scalable_resource(text.strip().split("/"))
    if parsed is None or any(name == "" for name in parsed.names):
        return None
    return parsed


def resource_id_names(text: str) -> tuple[str, ...]:
    """The names a ResourceId may refer to a deployment by.

    For a SageMaker variant, its endpoint name; otherwise every path
    segment, which covers any format that names the deployment by one of
    its segments.
    """
    parsed = parse_resource_id(text)
    if parsed is not None and parsed.kind == VARIANT:
        return (parsed.names[0],)
    return tuple(segment for segment in text.split("/") if segment)


# Adapters keep the known text of a partly unresolved name and show each
# unknown piece as `${...}` (`RequestReader.read_text`, `TemplateContext.read_text`).
_HOLE = re.compile(r"\$\{[^}]*\}")


def names_deployment(names: Sequence[str], deployment: Deployment) -> bool:
    """True when the deployment's name is one of `names` (a `${...}` hole in it matching anything).

    A deployment whose name is not known is named when one of its possible
    names is, or when it has none to compare.
    """
    name = deployment.name
    if not name.known:
        return not name.options or any(str(option) in names for option in name.options)
    text = str(name.value)
    if _HOLE.search(text):
        pattern = re.compile(".*".join(re.escape(piece) for piece in _HOLE.split(text)) + r"\Z", re.S)
        return any(pattern.match(candidate) for candidate in names)
    return text in names


def link_across_run(target: ScalingTarget, deployments: Sequence[Deployment]) -> ScalingTarget:
    """A target its adapter found no deployment for in its own file, looked for among the run's deployments.

    With its ResourceId known: ELSEWHERE_IN_RUN when some deployment of the
    run may be the one it names (by name; `refers_to` holds those of other
    files whose name is known), else NO_SUCH_DEPLOYMENT for the whole run
    (`searched_run`). A ResourceId not known is left as it is.
    """
    if target.status is not LinkStatus.NO_SUCH_DEPLOYMENT or target.searched_run or not target.resource_id.known:
        return target
    names = resource_id_names(str(target.resource_id.value))
    named = [deployment for deployment in deployments if names_deployment(names, deployment)]
    if not named:
        return target.replaced(searched_run=True)
    path = target.span.path if target.span is not None else None
    others = tuple(
        dict.fromkeys(deployment.id for deployment in named if deployment.name.known and deployment.path != path)
    )
    return target.replaced(status=LinkStatus.ELSEWHERE_IN_RUN, refers_to=others)


SCHEDULED_ACTION = "ScheduledAction"


def scheduled_action(span: Span, written_as: str) -> ScalingPolicy:
    """A scheduled action as a policy of type `ScheduledAction`: it drives its target on a schedule, not by a
    metric (`written_as`: what the input calls it, for `explain`)."""
    return ScalingPolicy(
        policy_type=Sourced(SCHEDULED_ACTION, span, Provenance.DECLARED, written_as),
        metric=Sourced(note="a scheduled action follows a schedule, not a metric"),
        span=span,
    )


def read_policy(spec: Node | None, reader: RequestReader, span: Span) -> ScalingPolicy:
    """A PutScalingPolicy request (or a CloudFormation ScalingPolicy's Properties) as a policy.

    The metric is the target-tracking configuration's predefined metric
    type, or its customized metric (for metric math, the first query that
    names a metric, with that query's namespace). A step-scaling policy's
    metric is in the CloudWatch alarm that triggers it
    (`with_alarm_metric`).
    """
    tracking = reader.node(spec, "TargetTrackingScalingPolicyConfiguration")
    metric: Sourced[str] = Sourced()
    namespace: Sourced[str] = Sourced()
    target_value: Sourced[float] = Sourced()
    if isinstance(tracking, MappingNode):
        target_value = reader.value(tracking, "TargetValue", convert=as_float, expected="a number")
        predefined = reader.node(tracking, "PredefinedMetricSpecification")
        custom = reader.node(tracking, "CustomizedMetricSpecification")
        if isinstance(predefined, MappingNode):
            metric = reader.read_str(predefined, "PredefinedMetricType")
        elif isinstance(custom, MappingNode):
            metric = reader.read_str(custom, "MetricName")
            namespace = reader.read_str(custom, "Namespace")
            if not metric.known:  # metric math: the first query's metric
                for query in reader.mappings(custom, "Metrics"):
                    found = reader.read_str(query, "MetricStat", "Metric", "MetricName")
                    if found.known:
                        metric, namespace = found, reader.read_str(query, "MetricStat", "Metric", "Namespace")
                        break
    if not metric.known and isinstance(reader.node(spec, "StepScalingPolicyConfiguration"), MappingNode):
        metric = Sourced(note=STEP_SCALING_NOTE)
    return ScalingPolicy(
        policy_type=reader.read_str(spec, "PolicyType"),
        metric=metric,
        metric_namespace=namespace,
        target_value=target_value,
        span=span,
    )


def same_triple(
    policy: tuple[Any, Any, Any],
    targets: Iterable[T],
    triple_of: Callable[[T], tuple[Any, Any, Any]],
    same_resource_id: Callable[[Any, Any], bool] = lambda left, right: left == right,
) -> list[T]:
    """The targets a policy names by (ResourceId, ScalableDimension, ServiceNamespace), in order.

    Dimension and namespace compare as written; ResourceIds by
    `same_resource_id` (an adapter's rule for partly unresolved text).
    """
    resource_id, dimension, namespace = policy
    return [
        target
        for target in targets
        for target_id, target_dimension, target_namespace in (triple_of(target),)
        if same_resource_id(target_id, resource_id) and target_dimension == dimension and target_namespace == namespace
    ]


def with_alarm_metric(policy: ScalingPolicy, alarm_metric: tuple[Sourced[str], Sourced[str]] | None) -> ScalingPolicy:
    """A policy whose metric is not written, given the (metric, namespace) of the alarm that triggers it."""
    if policy.metric.known or alarm_metric is None:
        return policy
    metric, namespace = alarm_metric
    if not metric.known and not metric.note:  # no MetricName: the alarm's metric queries decide
        metric = Sourced(note=ALARM_QUERY_NOTE)
    return policy.replaced(metric=metric, metric_namespace=namespace)


# The `scales_with` values of the metrics table: what a utilization metric is a share of.
_SCALES_WITH = {"vcpus": ScalingMetricKind.CPU_UTILIZATION, "gpus": ScalingMetricKind.GPU_UTILIZATION}


def with_sagemaker_metric_facts(scaling: Scaling) -> Scaling:
    """A SageMaker scaling with what the data tables say of its dimension and of each policy's metric.

    For a scaling whose target is (or may be) a SageMaker variant or
    inference component: `fitting_metrics` are the predefined metric types
    of its dimension; each policy whose metric is known gets its
    `metric_kind` (the asynchronous backlog metric that wakes a variant
    scaled to zero, a CPU or GPU utilization, else OTHER), and, for a
    SageMaker endpoint metric of the tables, the namespace SageMaker
    publishes it in and its unit; a predefined metric type gets the
    dimension it drives. Facts are inferred, at the metric as written.
    """
    policies, fitting = sagemaker_metric_facts(scaling.dimension, scaling.policies)
    if fitting == scaling.fitting_metrics and all(new is old for new, old in zip(policies, scaling.policies)):
        return scaling  # nothing to add (no known metric, no dimension of the tables): no copy
    return scaling.replaced(policies=policies, fitting_metrics=fitting)


def target_scaling(namespace: Sourced[str], dimension: Sourced[str], policies: tuple[ScalingPolicy, ...], **fields: Any) -> Scaling:
    """The `Scaling` of a scalable target of `namespace` (`fields`: its bounds, `linked_by`, `span`).

    For a SageMaker target (or one whose namespace is not known), made with
    what the data tables say of its dimension and metrics
    (`sagemaker_metric_facts`), not copied to take them: a run keeps every
    scaling it reads.
    """
    fitting: tuple[str, ...] = ()
    if not namespace.known or namespace.value == SAGEMAKER_NAMESPACE:
        policies, fitting = sagemaker_metric_facts(dimension, policies)
    return Scaling(dimension=dimension, policies=policies, fitting_metrics=fitting, **fields)


def sagemaker_metric_facts(
    dimension: Sourced[str], policies: tuple[ScalingPolicy, ...]
) -> tuple[tuple[ScalingPolicy, ...], tuple[str, ...]]:
    """The `policies` and `fitting_metrics` `with_sagemaker_metric_facts` gives a scaling of `dimension` and `policies`.

    For an adapter that makes the `Scaling` itself: made once with them, it
    is not made again as a copy that takes them. A policy with nothing to
    add is returned itself.
    """
    wake = raw_tables()["async"]["scaling"]["wake_metric"]

    def decoded(policy: ScalingPolicy) -> ScalingPolicy:
        if not policy.metric.known:
            return policy
        name = str(policy.metric.value)
        at = policy.metric.span
        info = cloudwatch_metric(name)
        if name == wake:
            kind = ScalingMetricKind.BACKLOG_WITHOUT_CAPACITY
        else:
            kind = _SCALES_WITH.get(info.scales_with or "", ScalingMetricKind.OTHER) if info is not None else ScalingMetricKind.OTHER
        drives = predefined_metric_dimension(name)
        # The notes name the metric: one copy for the run's many policies of one metric (`sys.intern`).
        return policy.replaced(
            metric_kind=Sourced(kind, at, Provenance.INFERRED),
            metric_published_in=Sourced(info.namespace, at, Provenance.INFERRED, sys.intern(f"SageMaker publishes {name} there")) if info else Sourced(),
            metric_unit=Sourced(info.unit.lower(), at, Provenance.INFERRED) if info and info.unit else Sourced(),
            metric_drives=Sourced(drives, at, Provenance.INFERRED, sys.intern(f"predefined metric {name}")) if drives else Sourced(),
        )

    found = scalable_dimension(str(dimension.value)) if dimension.known else None
    return tuple(decoded(policy) for policy in policies), (found.predefined_metrics if found is not None else ())

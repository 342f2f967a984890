"""AS005 scaling-metric-mismatch."""

from __future__ import annotations

from typing import Iterator

from linter import AcceleratorKind, Deployment, RunContext, Scaling, ScalingPolicy, Severity, Unit, Violation, rule

from plugins.data import (
    MetricInfo,
    cloudwatch_metric,
    limit,
    predefined_metric_dimension,
    raw_tables,
    scalable_dimension,
)
from plugins.rules.common import ENDPOINT_KINDS, unit_subject, where

# The `scales_with` values of the metrics table: what a utilization metric
# is a percentage of (CPU: 100 x vCPUs, GPU: 100 x GPUs).
_SCALES_WITH_CPUS = "vcpus"
_SCALES_WITH_GPUS = "gpus"
_MICROSECONDS = "Microseconds"  # the unit the metrics table gives latency metrics


def _gpu_metric(namespace: str) -> str | None:
    """The GPU utilization metric published beside the CPU one, from the metrics table."""
    for group in raw_tables()["cloudwatch"]["metric_groups"]:
        if group["namespace"] != namespace:
            continue
        for name in group["metrics"]:
            info = cloudwatch_metric(name)
            if info is not None and info.scales_with == _SCALES_WITH_GPUS:
                return name
    return None


def _cpu_on_gpu(unit: Unit, scaling: Scaling, info: MetricInfo) -> str | None:
    accelerator = unit.compute.accelerator
    if info.scales_with != _SCALES_WITH_CPUS or not accelerator.known or accelerator.value is not AcceleratorKind.GPU:
        return None
    instance = f" {unit.compute.instance_type.value}" if unit.compute.instance_type.known else ""
    choices = []
    gpu_metric = _gpu_metric(info.namespace)
    if gpu_metric:
        choices.append(f"{gpu_metric} ({info.namespace})")
    dimension = scalable_dimension(str(scaling.dimension.value)) if scaling.dimension.known else None
    if dimension is not None:
        choices.extend(dimension.predefined_metrics[:1])
    instead = f" — scale on {' or '.join(choices)} instead" if choices else " — scale on a GPU or request metric instead"
    return (
        f"scales on {info.name}, but the model runs on the GPU of{instance}: the CPU stays nearly idle while the GPU "
        f"saturates, so the policy never scales out{instead}"
    )


def _wrong_namespace(policy: ScalingPolicy, info: MetricInfo) -> str | None:
    namespace = policy.metric_namespace
    if not namespace.known or namespace.value == info.namespace:
        return None
    return (
        f"watches {info.name} in namespace {namespace.value}, but SageMaker publishes {info.name} in "
        f"{info.namespace}: there is no data there and the policy never acts — use namespace {info.namespace}"
    )


def _milliseconds_as_microseconds(policy: ScalingPolicy, info: MetricInfo) -> str | None:
    target = policy.target_value
    if info.unit != _MICROSECONDS or not target.known:
        return None
    floor = limit("autoscaling", "latency_target_floor").min
    value = float(target.value)
    if floor is None or not 0 < value < floor:
        return None
    shown = f"{value:g}"
    return (
        f"targets {info.name} {shown}, but CloudWatch measures {info.name} in microseconds: that is {value / 1000:g} ms, "
        f"which no model answers in, so the policy keeps scaling out — if you meant {shown} ms, write {value * 1000:g}"
    )


def _wrong_dimension(scaling: Scaling, metric: str) -> str | None:
    drives = predefined_metric_dimension(metric)
    dimension = scaling.dimension
    if drives is None or not dimension.known or dimension.value == drives:
        return None
    fitting = scalable_dimension(str(dimension.value))
    hint = f"use {' or '.join(fitting.predefined_metrics)} for it" if fitting and fitting.predefined_metrics else "use a metric for it"
    return f"uses predefined metric {metric}, which drives {drives}, on a target that scales {dimension.value} — {hint}"


@rule(
    "AS005",
    "scaling-metric-mismatch",
    Severity.WARNING,
    "A scaling policy watches a metric that cannot drive the target it scales.",
    tags=("sagemaker", "autoscaling", "cloudwatch"),
    kinds=ENDPOINT_KINDS,
)
def scaling_metric_mismatch(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the metric of every scaling policy of a SageMaker endpoint
    against the endpoint and the target it scales:

    - a CPU utilization metric (`CPUUtilization`) driving a GPU-backed
      variant;
    - a SageMaker metric taken from the wrong CloudWatch namespace — the
      instance metrics (`CPUUtilization`, `GPUUtilization`,
      `MemoryUtilization`, …) live in `/aws/sagemaker/Endpoints`, the
      invocation metrics (`Invocations`, `ModelLatency`, …) and the
      asynchronous backlog metrics in `AWS/SageMaker`;
    - a predefined metric type that drives another scalable dimension than
      the target's (`SageMakerVariantProvisionedConcurrencyUtilization` on a
      `DesiredInstanceCount` target, an inference-component metric on a
      variant);
    - a target value on `ModelLatency` or `OverheadLatency` that reads as
      milliseconds: those metrics are in microseconds, so a target of 200
      asks for 0.2 ms (below 1 ms the rule reports it).

    Step-scaling policies are judged by the metric of the CloudWatch alarm
    that triggers them. The rule is silent when the metric, its namespace,
    the target's dimension or the instance's accelerator is unknown, and it
    does not check target values: a `ModelLatency` target written in
    milliseconds (the metric is in microseconds) is not detected yet.

    ## Why it matters
    A policy on the wrong metric is worse than none, because it looks like
    autoscaling. On a GPU instance the CPU is mostly idle while the GPU
    saturates, so a CPU target is never reached and the endpoint never
    scales out. An alarm on a namespace where the metric is not published
    has no data and never fires. And a predefined metric made for another
    scalable dimension measures something else than what the target
    scales (provisioned concurrency, inference-component copies), if the
    policy is accepted at all.

    ## Example
    ```yaml
    VisionConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: vision-model
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    VisionEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: vision
        EndpointConfigName: !GetAtt VisionConfig.EndpointConfigName
    VisionScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/vision/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 8
    VisionScalingPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: vision-cpu
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref VisionScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 70
          CustomizedMetricSpecification:
            MetricName: CPUUtilization
            Namespace: /aws/sagemaker/Endpoints
            Statistic: Average
            Dimensions:
              - Name: EndpointName
                Value: vision
              - Name: VariantName
                Value: AllTraffic
    ```

    ## Fix
    Scale a GPU endpoint on its GPU utilization (or on invocations per
    instance):
    ```yaml
    VisionConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: vision-model
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    VisionEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: vision
        EndpointConfigName: !GetAtt VisionConfig.EndpointConfigName
    VisionScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/vision/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 8
    VisionScalingPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: vision-gpu
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref VisionScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 70
          CustomizedMetricSpecification:
            MetricName: GPUUtilization
            Namespace: /aws/sagemaker/Endpoints
            Statistic: Average
            Dimensions:
              - Name: EndpointName
                Value: vision
              - Name: VariantName
                Value: AllTraffic
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html (instance metrics in `/aws/sagemaker/Endpoints`, invocation metrics in `AWS/SageMaker`; `ModelLatency` in microseconds)
    - botocore `application-autoscaling` service model: `MetricType` and `ScalableDimension` enums
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html
    """
    for unit in deployment.units:
        for scaling in unit.scaling:
            for policy in scaling.policies:
                if not policy.metric.known:
                    continue
                metric = str(policy.metric.value)
                info = cloudwatch_metric(metric)
                at_metric = where(policy.metric, policy.span, scaling.span, default=deployment.span)
                problems = [(_wrong_dimension(scaling, metric), at_metric)]
                if info is not None:
                    problems += [
                        (_cpu_on_gpu(unit, scaling, info), at_metric),
                        (_wrong_namespace(policy, info), at_metric),
                        (
                            _milliseconds_as_microseconds(policy, info),
                            where(policy.target_value, policy.metric, policy.span, default=deployment.span),
                        ),
                    ]
                for problem, at in problems:
                    if problem is not None:
                        yield Violation(f"scaling policy of {unit_subject(deployment, unit)} {problem}", at)

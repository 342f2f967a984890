"""AS005 scaling-metric-mismatch."""

from __future__ import annotations

from typing import Iterator

from linter import AcceleratorKind, Deployment, RunContext, Scaling, ScalingMetricKind, ScalingPolicy, Severity, Unit, Violation, rule

from plugins.data import cloudwatch_metric, limit, raw_tables
from plugins.rules.common import ENDPOINT_KINDS, unit_subject, where

# The `scales_with` value of the metrics table for what a GPU utilization metric is a share of.
_SCALES_WITH_GPUS = "gpus"
_MICROSECONDS = "microseconds"  # the unit adapters give latency metrics (`ScalingPolicy.metric_unit`)


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


def _cpu_on_gpu(unit: Unit, scaling: Scaling, policy: ScalingPolicy) -> str | None:
    accelerator = unit.compute.accelerator
    if policy.metric_kind.value is not ScalingMetricKind.CPU_UTILIZATION or not policy.metric_published_in.known:
        return None
    if not accelerator.known or accelerator.value is not AcceleratorKind.GPU:
        return None
    name, namespace = policy.metric.value, str(policy.metric_published_in.value)
    instance = f" {unit.compute.instance_type.value}" if unit.compute.instance_type.known else ""
    choices = []
    gpu_metric = _gpu_metric(namespace)
    if gpu_metric:
        choices.append(f"{gpu_metric} ({namespace})")
    choices.extend(scaling.fitting_metrics[:1])
    instead = f" — scale on {' or '.join(choices)} instead" if choices else " — scale on a GPU or request metric instead"
    return (
        f"scales on {name}, but the model runs on the GPU of{instance}: the CPU stays nearly idle while the GPU "
        f"saturates, so the policy never scales out{instead}"
    )


def _wrong_namespace(policy: ScalingPolicy) -> str | None:
    namespace, published_in = policy.metric_namespace, policy.metric_published_in
    if not namespace.known or not published_in.known or namespace.value == published_in.value:
        return None
    name = policy.metric.value
    return (
        f"watches {name} in namespace {namespace.value}, but SageMaker publishes {name} in "
        f"{published_in.value}: there is no data there and the policy never acts — use namespace {published_in.value}"
    )


def _milliseconds_as_microseconds(policy: ScalingPolicy) -> str | None:
    target = policy.target_value
    if policy.metric_unit.value != _MICROSECONDS or not target.known:
        return None
    floor = limit("autoscaling", "latency_target_floor").min
    value = float(target.value)
    if floor is None or not 0 < value < floor:
        return None
    name = policy.metric.value
    shown = f"{value:g}"
    return (
        f"targets {name} {shown}, but CloudWatch measures {name} in microseconds: that is {value / 1000:g} ms, "
        f"which no model answers in, so the policy keeps scaling out — if you meant {shown} ms, write {value * 1000:g}"
    )


def _wrong_dimension(scaling: Scaling, policy: ScalingPolicy) -> str | None:
    drives = policy.metric_drives
    dimension = scaling.dimension
    if not drives.known or not dimension.known or dimension.value == drives.value:
        return None
    fitting = scaling.fitting_metrics
    hint = f"use {' or '.join(fitting)} for it" if fitting else "use a metric for it"
    return f"uses predefined metric {policy.metric.value}, which drives {drives.value}, on a target that scales {dimension.value} — {hint}"


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
    the target's dimension or the instance's accelerator is unknown. Of
    target values it judges only a latency target below the data tables'
    floor (1 ms), as milliseconds written into a microsecond metric.

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
                at_metric = where(policy.metric, policy.span, scaling.span, default=deployment.span)
                problems = [
                    (_wrong_dimension(scaling, policy), at_metric),
                    (_cpu_on_gpu(unit, scaling, policy), at_metric),
                    (_wrong_namespace(policy), at_metric),
                    (
                        _milliseconds_as_microseconds(policy),
                        where(policy.target_value, policy.metric, policy.span, default=deployment.span),
                    ),
                ]
                for problem, at in problems:
                    if problem is not None:
                        yield Violation(f"scaling policy of {unit_subject(deployment, unit)} {problem}", at)

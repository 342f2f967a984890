"""AS006 async-scale-from-zero-without-backlog-policy."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, RunContext, ScalingMetricKind, Severity, Violation, rule

from plugins.data import cloudwatch_metric, raw_tables
from plugins.rules.common import instance_units, possible_values, unit_subject, violation


def _wake_metric() -> str:
    """The metric that tells an async endpoint with no instance that requests are waiting (for the message)."""
    return raw_tables()["async"]["scaling"]["wake_metric"]


@rule(
    "AS006",
    "async-scale-from-zero-without-backlog-policy",
    Severity.ERROR,
    "An asynchronous endpoint scales in to zero but no policy scales it out of zero again.",
    tags=("sagemaker", "async", "autoscaling"),
    kinds=(DeploymentKind.ASYNC,),
)
def async_scale_from_zero_without_backlog_policy(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags an asynchronous endpoint variant whose autoscaling minimum is 0
    when none of the target's policies watches `HasBacklogWithoutCapacity`,
    the metric SageMaker publishes when requests wait and no instance is
    running. Step-scaling policies are judged by the metric of the
    CloudWatch alarm that triggers them. The rule is silent when the
    minimum is unknown or some policy's metric is unknown (for example an
    alarm defined outside the file).

    ## Why it matters
    Scaling in to zero is what makes an asynchronous endpoint cheap, but a
    target-tracking policy on `ApproximateBacklogSizePerInstance` cannot
    bring it back: with no instance there is no per-instance value to track.
    Without a step-scaling policy on `HasBacklogWithoutCapacity` the
    endpoint stays at zero, and requests wait in the queue until they
    expire (six hours by default) — nothing fails loudly.

    ## Example
    ```yaml
    ReportsConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: reports-summarizer
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 1
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://reports-inference/output/
            S3FailurePath: s3://reports-inference/failures/
    ReportsEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: reports
        EndpointConfigName: !GetAtt ReportsConfig.EndpointConfigName
    ReportsScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/reports/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 0
        MaxCapacity: 4
    ReportsBacklogPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: reports-backlog
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref ReportsScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 5
          CustomizedMetricSpecification:
            MetricName: ApproximateBacklogSizePerInstance
            Namespace: AWS/SageMaker
            Statistic: Average
            Dimensions:
              - Name: EndpointName
                Value: reports
    ```

    ## Fix
    Add a step-scaling policy that an alarm on `HasBacklogWithoutCapacity`
    triggers:
    ```yaml
    ReportsConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: reports-summarizer
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 1
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://reports-inference/output/
            S3FailurePath: s3://reports-inference/failures/
    ReportsEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: reports
        EndpointConfigName: !GetAtt ReportsConfig.EndpointConfigName
    ReportsScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/reports/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 0
        MaxCapacity: 4
    ReportsBacklogPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: reports-backlog
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref ReportsScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 5
          CustomizedMetricSpecification:
            MetricName: ApproximateBacklogSizePerInstance
            Namespace: AWS/SageMaker
            Statistic: Average
            Dimensions:
              - Name: EndpointName
                Value: reports
    ReportsWakeUpPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: reports-wake-up
        PolicyType: StepScaling
        ScalingTargetId: !Ref ReportsScalableTarget
        StepScalingPolicyConfiguration:
          AdjustmentType: ChangeInCapacity
          Cooldown: 300
          MetricAggregationType: Average
          StepAdjustments:
            - MetricIntervalLowerBound: 0
              ScalingAdjustment: 1
    ReportsWakeUpAlarm:
      Type: AWS::CloudWatch::Alarm
      Properties:
        Namespace: AWS/SageMaker
        MetricName: HasBacklogWithoutCapacity
        Dimensions:
          - Name: EndpointName
            Value: reports
        Statistic: Average
        Period: 60
        EvaluationPeriods: 2
        Threshold: 1
        ComparisonOperator: GreaterThanOrEqualToThreshold
        TreatMissingData: missing
        AlarmActions:
          - !Ref ReportsWakeUpPolicy
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html (scale to zero; the `HasBacklogWithoutCapacity` step-scaling policy)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html (`HasBacklogWithoutCapacity`, `ApproximateBacklogSizePerInstance`)
    - botocore `application-autoscaling` service model: `MinCapacity` (0 allowed for SageMaker variants)
    """
    wake = _wake_metric()
    info = cloudwatch_metric(wake)
    where_published = f" ({info.namespace}, by {', '.join(info.dimensions)})" if info is not None else ""
    for unit in instance_units(deployment):
        for scaling in unit.scaling:
            minimums = possible_values(scaling.min_capacity)
            if not minimums or any(value != 0 for value in minimums):
                continue
            if not all(policy.metric.known for policy in scaling.policies) or any(
                policy.metric_kind.value is ScalingMetricKind.BACKLOG_WITHOUT_CAPACITY for policy in scaling.policies
            ):
                continue
            watched = ", ".join(sorted({str(policy.metric.value) for policy in scaling.policies}))
            policies = f"its policies watch only {watched}" if watched else "it has no scaling policy"
            yield violation(
                f"asynchronous endpoint {unit_subject(deployment, unit)} scales in to 0 instances, but {policies}: nothing scales it out of 0 and requests wait until they expire — add a "
                f"step-scaling policy triggered by an alarm on {wake}{where_published}",
                scaling.min_capacity, scaling.span, unit.span, default=deployment.span,
            )

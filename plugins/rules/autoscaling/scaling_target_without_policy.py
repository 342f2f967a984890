"""AS007 scaling-target-without-policy."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, LinkStatus, RunContext, Scaling, Severity, Violation, rule

from plugins.rules.autoscaling.scaling import deployment_of, deployments_by_id, target_subject
from plugins.rules.common import judged_as_ml


def _what_happens(scaling: Scaling) -> str:
    minimum, maximum = scaling.min_capacity, scaling.max_capacity
    if minimum.known and maximum.known:
        return f"nothing moves its capacity between {minimum.value} and {maximum.value} with the load"
    return "the capacity never follows the load"


@rule(
    "AS007",
    "scaling-target-without-policy",
    Severity.WARNING,
    "An autoscaling target has no scaling policy, so nothing changes its capacity.",
    scope="run",
    tags=("sagemaker", "ecs", "kubernetes", "autoscaling"),
)
def scaling_target_without_policy(deployments: tuple[Deployment, ...], run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags an autoscaling target that scales a deployment of the run — an
    Application Auto Scaling `ScalableTarget` linked to an endpoint variant
    or an ECS service, a Kubernetes autoscaler without metrics — when no
    scaling policy drives it. Policies count when they name the target
    (`ScalingTargetId`) or repeat its `ResourceId`, `ScalableDimension` and
    `ServiceNamespace`, in the same template. Only targets linked to a
    deployment are checked: a target that names nothing is AS002's
    business, and one whose resource cannot be resolved is left alone. A
    SageMaker `ManagedInstanceScaling` is not a target: SageMaker drives it.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    A scalable target on its own only keeps the capacity between its
    minimum and maximum; it is the policy (target tracking, step or
    predictive scaling, or a schedule) that changes the capacity with the
    load. Without one the endpoint never scales, although the template
    looks as if it does — often because the policy was deleted, or sits in
    a stack that was never deployed.

    ## Example
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
    ```

    ## Fix
    Attach a policy to the target:
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
    ChurnScalingPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: churn-invocations
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref ChurnScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 700
          PredefinedMetricSpecification:
            PredefinedMetricType: SageMakerVariantInvocationsPerInstance
    ```

    ## Sources
    - https://docs.aws.amazon.com/autoscaling/application/userguide/what-is-application-auto-scaling.html (a scalable target is scaled by scaling policies or scheduled actions)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html
    """
    by_id = deployments_by_id(deployments)
    for target in run.scaling_targets:
        if target.status is not LinkStatus.LINKED or target.scaling.policies:
            continue
        scaled = deployment_of(target, by_id)
        if scaled is not None and not judged_as_ml(scaled):
            continue
        anchor = target.scaling.span or target.span
        if anchor is None:
            continue
        yield Violation(
            f"scaling target of {target_subject(target, by_id)} has no scaling policy: "
            f"{_what_happens(target.scaling)} — attach a target-tracking policy to it",
            anchor,
        )

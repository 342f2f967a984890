"""AS003 no-scaling-headroom."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Provenance, RunContext, Severity, Violation, rule

from plugins.rules.common import SERVING_KINDS, unit_subject, violation


@rule(
    "AS003",
    "no-scaling-headroom",
    Severity.WARNING,
    "An autoscaling target's maximum capacity equals its minimum, so it can never scale.",
    tags=("sagemaker", "ecs", "kubernetes", "autoscaling"),
    kinds=SERVING_KINDS, ml_only=True,
)
def no_scaling_headroom(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags an autoscaling target whose maximum capacity equals its minimum:
    an Application Auto Scaling `ScalableTarget` with `MaxCapacity` equal
    to `MinCapacity`, a SageMaker `ManagedInstanceScaling` with equal
    bounds, an HPA or KEDA `ScaledObject` with equal minimum and maximum
    replicas, a KServe component with `minReplicas` equal to
    `maxReplicas`. It is silent when either bound is unknown. Only serving
    deployments are checked: node groups and compute environments that
    are sized once on purpose are not.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Such a target only pins the capacity: the scaling policies attached to
    it can never add or remove an instance, so the endpoint behaves exactly
    as if it had no autoscaling, while the template suggests it does. It is
    usually a leftover from testing, or a maximum that was meant to be
    raised later.

    ## Example
    ```yaml
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 2
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
    ```

    ## Fix
    Give the target room to scale out (or drop it, if the size is meant to
    be fixed):
    ```yaml
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
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
    ```

    ## Sources
    - botocore `application-autoscaling` service model: `RegisterScalableTarget` (`MinCapacity`, `MaxCapacity`: scaling stays between them)
    - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ (`minReplicas`, `maxReplicas`)
    """
    for unit in deployment.units:
        for scaling in unit.scaling:
            minimum, maximum = scaling.min_capacity, scaling.max_capacity
            if not minimum.known or not maximum.known or minimum.value != maximum.value:
                continue
            # A maximum the platform sets (KServe's HPA without maxReplicas) says why, or the reader looks for it in vain;
            # there is no target of the user's to remove, only a maximum to write.
            platform_set = maximum.provenance is Provenance.DEFAULT and bool(maximum.note)
            why = f" ({maximum.note})" if platform_set else ""
            fix = (
                f"write a maximum above {minimum.value}" if platform_set
                else f"raise the maximum above {minimum.value}, or remove the target if the size is meant to be fixed"
            )
            yield violation(
                f"autoscaling of {unit_subject(deployment, unit)} has minimum and maximum capacity both "
                f"{maximum.value}{why}: it can never scale — {fix}",
                maximum, scaling.span, unit.span, default=deployment.span,
            )

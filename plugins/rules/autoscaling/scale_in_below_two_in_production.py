"""AS004 scale-in-below-two-in-production."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, Environment, RunContext, Severity, Violation, rule

from plugins.data import limit
from plugins.rules.autoscaling.scaling import SCALED_KINDS
from plugins.rules.common import autoscaling_minimum, instance_units, is_inference_component, is_kind, possible_values, unit_subject, violation


def _reported_with_the_count(unit, needed: int) -> bool:
    """True when the unit runs fewer than `needed` and every autoscaling minimum is known and below it.

    HA001 (endpoints) and HA003 (services) then report the count and the
    minimum in one finding; with a minimum unknown they stay silent, so this
    rule speaks.
    """
    counts = possible_values(unit.count)
    lowest = autoscaling_minimum(unit)
    if not counts or any(count >= needed for count in counts) or lowest is None or not lowest.known:
        return False
    return all(value < needed for value in possible_values(lowest))


@rule(
    "AS004",
    "scale-in-below-two-in-production",
    Severity.WARNING,
    "Production autoscaling may scale in to fewer than two instances, leaving one Availability Zone.",
    tags=("sagemaker", "ecs", "kubernetes", "autoscaling", "prod"),
    kinds=SCALED_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def scale_in_below_two_in_production(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags the autoscaling minimum (`MinCapacity`, `minReplicas`,
    `MinInstanceCount`) of a production endpoint variant or service when it
    is below 2. It fires only when the deployment is known to be production
    and stays silent when the minimum is unknown. An asynchronous endpoint
    that scales in to 0 does so by design (it wakes on its backlog); AS006
    checks that it can wake up. Serverless provisioned concurrency is not
    checked: serverless endpoints are spread over zones by SageMaker. When
    the variant or workload also runs fewer than two instances (or its
    minimum is its own replica count, as KServe's `minReplicas` is), HA001
    or HA003 reports the two together and this rule stays silent.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    The endpoint may start with two or more instances, but at the first
    quiet hour autoscaling removes all but one. From then on it runs in a
    single Availability Zone on a single instance: one instance failure or
    zone outage takes it down until a replacement has started and loaded
    the model, which is exactly the outage the initial instance count was
    meant to prevent.

    ## Example
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
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
        MinCapacity: 1
        MaxCapacity: 6
    ```

    ## Fix
    Keep at least two instances at all times:
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
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

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-deployment.html ("When you specify two or more instances, SageMaker launches them in multiple Availability Zones")
    - https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-best-practices.html (deploy multiple instances across Availability Zones)
    """
    scaled = [unit for unit in instance_units(deployment) if unit.scaling]
    if not scaled:
        return  # nothing to judge (most deployments): no settings read
    needed = limit("availability", "min_instances_across_azs").value
    scales_to_zero_by_design = is_kind(deployment, DeploymentKind.ASYNC)
    service = is_kind(deployment, DeploymentKind.SERVICE)
    for unit in scaled:
        copies = "replicas" if service else "copies" if is_inference_component(unit) else "instances"
        for scaling in unit.scaling:
            minimums = possible_values(scaling.min_capacity)
            if not minimums or any(value >= needed for value in minimums):
                continue
            if scales_to_zero_by_design and all(value == 0 for value in minimums):
                continue  # AS006's business
            if scaling.min_capacity.span is not None and scaling.min_capacity.span == unit.count.span:
                continue  # the minimum is the unit's own count (KServe minReplicas): HA001/HA003 report it
            if _reported_with_the_count(unit, needed):
                continue  # it also runs fewer than two: HA001/HA003 report the count and the minimum together
            shown = " or ".join(str(value) for value in minimums)
            yield violation(
                f"autoscaling of production {unit_subject(deployment, unit)} may scale in to {shown}: below {needed} "
                f"{copies} it runs in one Availability Zone — raise the minimum capacity to {needed}",
                scaling.min_capacity, scaling.span, unit.span, default=deployment.span,
            )

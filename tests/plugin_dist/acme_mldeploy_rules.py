"""ACME — an example third-party rule pack: house rules of the Acme ML platform team."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Rule, RunContext, Severity, Violation, hookimpl, rule


@rule(
    "ACME001",
    "p-instance-on-realtime-endpoint",
    Severity.WARNING,
    "A SageMaker real-time endpoint variant runs on an ml.p* (training-class GPU) instance.",
    tags=("sagemaker", "cost"),
    kinds=("realtime",),  # the engine calls the check only for real-time endpoints
)
def p_instance_on_realtime_endpoint(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags each production variant of a SageMaker real-time endpoint whose
    `InstanceType` is in a `ml.p*` family (P3, P4d, P5, ...).

    ## Why it matters
    P-family instances are sized and priced for training. At Acme, serving
    traffic on them has to be approved by the platform team, because an
    always-on real-time endpoint keeps them billed around the clock.

    ## Example
    ```yaml
    RankerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: ranker
            InstanceType: ml.p3.2xlarge
            InitialInstanceCount: 1
    ```

    ## Fix
    Serve from an inference-class GPU instance:
    ```yaml
    RankerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: ranker
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 1
    ```

    ## Sources
    - https://aws.amazon.com/sagemaker/pricing/ (instance families and prices)
    - Acme platform handbook, "Serving on GPUs" (internal)
    """
    if deployment.platform != "sagemaker":
        return
    for unit in deployment.units:
        instance_type = unit.compute.instance_type
        if instance_type.known and instance_type.value.startswith("ml.p"):
            yield Violation(
                f"variant {unit.name.get('?')} of real-time endpoint {deployment.name.get(deployment.id)} "
                f"runs on {instance_type.value}, a training-class instance",
                instance_type.span or unit.span or deployment.span,
            )


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [p_instance_on_realtime_endpoint]

"""CV004 variant-weights-invalid."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Violation, rule

from plugins.rules.common import ENDPOINT_KINDS, display_name, unit_name, violation


@rule(
    "CV004",
    "variant-weights-invalid",
    Severity.WARNING,
    "Every production variant of an endpoint has weight 0.",
    tags=("sagemaker",),
    kinds=ENDPOINT_KINDS,
)
def variant_weights_invalid(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the `InitialVariantWeight` of an endpoint's production variants
    and warns when every variant has weight 0. A variant without a weight
    counts as weighted (the API default is 1.0); a weight set by an
    unresolved parameter or an undecided condition keeps the rule silent.

    An autoscaling target that names a variant the endpoint does not have
    is reported by AS002 (scaling-target-dangling), not here.

    ## Why it matters
    SageMaker gives each variant the share of traffic its weight has in
    the sum of all weights. With every weight at 0 no variant has a share:
    the endpoint pays for its instances, but only requests that name a
    `TargetVariant` (which overrides the weights) have a defined
    destination. It is usually a leftover from a blue/green shift or a
    canary rolled back by hand.

    ## Example
    ```yaml
    RecommenderConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: Blue
            ModelName: recommender-v1
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
            InitialVariantWeight: 0
          - VariantName: Green
            ModelName: recommender-v2
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
            InitialVariantWeight: 0
    ```

    ## Fix
    Give the variant that should take the traffic a positive weight:
    ```yaml
    RecommenderConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: Blue
            ModelName: recommender-v1
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
            InitialVariantWeight: 0
          - VariantName: Green
            ModelName: recommender-v2
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
            InitialVariantWeight: 1
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariant.InitialVariantWeight` (min 0; default 1.0; a
      variant's traffic is the ratio of its weight to the sum of all weights)
    - botocore `sagemaker-runtime` service model: `InvokeEndpointInput.TargetVariant` (overrides the
      distribution by variant weights)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-ab-testing.html
    """
    if not deployment.units:
        return
    weights = [unit.weight for unit in deployment.units]
    if not all(weight.known and weight.value == 0 for weight in weights):
        return
    names = ", ".join(unit_name(unit) for unit in deployment.units)
    noun, verb = ("its only variant", "has") if len(weights) == 1 else (f"all {len(weights)} variants", "have")
    yield violation(
        f"endpoint {display_name(deployment)}: {noun} ({names}) {verb} InitialVariantWeight 0, so no variant has a "
        "share of the traffic and only requests naming a TargetVariant are routed — give the variant that should "
        "serve a positive weight",
        weights[0], deployment.units[0].span, default=deployment.span,
    )

"""ACME — an example third-party rule pack: house rules of the Acme ML platform team."""

from __future__ import annotations

from typing import Iterator

from linter import (
    Deployment,
    Option,
    OptionSection,
    Rule,
    RunContext,
    Severity,
    Violation,
    hookimpl,
    rule,
)

# The plugin's configuration section, `[acme]` (`[tool.mldeploy-lint.acme]`
# in pyproject.toml), and the flag that sets its one key. The core validates
# the section with this schema and shows the flag in `mldeploy-lint --help`.
SECTION = OptionSection(
    "acme",
    {
        "type": "object",
        "additionalProperties": False,
        "description": "Acme house rules.",
        "properties": {
            "approved-families": {
                "type": "array",
                "items": {"type": "string", "pattern": "^p[0-9][a-z0-9]*$"},
                "description": "ml.p* families the platform team approved for real-time serving (ACME001 skips them).",
            },
        },
    },
    (
        Option(
            "--acme-approve-family",
            "approved-families",
            "an ml.p* family (such as p5) approved for real-time serving (repeatable)",
            metavar="FAMILY",
        ),
    ),
)


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

    A family the platform team approved is skipped: list it under
    `approved-families` in the `[acme]` configuration section, or pass
    `--acme-approve-family p5`.

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
    approved = set((run.settings(SECTION.name) or {}).get("approved-families", ()))
    for unit in deployment.units:
        instance_type = unit.compute.instance_type
        if not instance_type.known or not instance_type.value.startswith("ml.p"):
            continue
        if instance_type.value.split(".")[1] not in approved:
            yield Violation(
                f"variant {unit.name.get('?')} of real-time endpoint {deployment.name.get(deployment.id)} "
                f"runs on {instance_type.value}, a training-class instance",
                instance_type.span or unit.span or deployment.span,
            )


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [p_instance_on_realtime_endpoint]


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [SECTION]

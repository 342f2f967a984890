"""CV002 serverless-concurrency-invalid."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, ServerlessConfig, Severity, Sourced, Violation, rule

from plugins.data import serverless_range
from plugins.rules.common import unit_name, violation


def _out_of_range(setting: str, value: Sourced, low: int, high: int, variant: str) -> str | None:
    """Why a written value is not an integer in [low, high], or None when it is (or is unknown)."""
    if value.malformed:
        return f"{setting} {value.raw!r} of variant {variant} is not a number; it must be {low} to {high}"
    if value.known and not low <= value.value <= high:
        return f"{setting} {value.value} of variant {variant} is out of range; it must be {low} to {high}"
    return None


def _problems(serverless: ServerlessConfig, variant: str) -> Iterator[tuple[str, Sourced]]:
    max_low, max_high = serverless_range("max_concurrency")
    provisioned_low, provisioned_high = serverless_range("provisioned_concurrency")
    maximum = serverless.max_concurrency
    provisioned = serverless.provisioned_concurrency
    problem = _out_of_range("MaxConcurrency", maximum, max_low, max_high, variant)
    if problem is not None:
        yield problem, maximum
    problem = _out_of_range("ProvisionedConcurrency", provisioned, provisioned_low, provisioned_high, variant)
    if problem is not None:
        yield problem, provisioned
    elif provisioned.known and maximum.known and provisioned.value > maximum.value:
        yield (
            f"ProvisionedConcurrency {provisioned.value} of variant {variant} is above its MaxConcurrency "
            f"{maximum.value} — lower it to {maximum.value} or less, or raise MaxConcurrency"
        ), provisioned


@rule(
    "CV002",
    "serverless-concurrency-invalid",
    Severity.ERROR,
    "Serverless MaxConcurrency or ProvisionedConcurrency is out of range.",
    tags=("sagemaker", "serverless"),
)
def serverless_concurrency_invalid(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the concurrency settings of every serverless variant:
    `MaxConcurrency` must be 1 to 200, `ProvisionedConcurrency` (optional)
    1 to 200, and `ProvisionedConcurrency` may not be above the variant's
    `MaxConcurrency`.

    ## Why it matters
    `CreateEndpointConfig` rejects values outside these ranges with a
    `ValidationException`, so the stack fails at deploy time. Provisioned
    concurrency above the maximum would keep warm capacity the endpoint can
    never use.

    ## Example
    ```yaml
    SearchRankerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: search-ranker
            ServerlessConfig:
              MemorySizeInMB: 4096
              MaxConcurrency: 10
              ProvisionedConcurrency: 20
    ```

    ## Fix
    Keep provisioned concurrency within the maximum:
    ```yaml
    SearchRankerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: search-ranker
            ServerlessConfig:
              MemorySizeInMB: 4096
              MaxConcurrency: 20
              ProvisionedConcurrency: 10
    ```

    ## Sources
    - botocore `sagemaker` service model: `ServerlessMaxConcurrency` (1-200), `ServerlessProvisionedConcurrency`
      (1-200; "should be less than or equal to MaxConcurrency")
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html
    """
    for unit in deployment.units:
        if unit.serverless is None:
            continue
        for message, value in _problems(unit.serverless, unit_name(unit)):
            yield violation(message, value, unit.serverless.span, unit.span, default=deployment.span)

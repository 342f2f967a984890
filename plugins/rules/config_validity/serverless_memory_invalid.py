"""CV001 serverless-memory-invalid."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Violation, rule

from plugins.data import serverless_memory_sizes
from plugins.rules.common import violation


@rule(
    "CV001",
    "serverless-memory-invalid",
    Severity.ERROR,
    "Serverless MemorySizeInMB is not one of the values SageMaker accepts.",
    tags=("sagemaker", "serverless"),
)
def serverless_memory_invalid(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the `MemorySizeInMB` of every serverless variant against the
    values SageMaker accepts: 1024, 2048, 3072, 4096, 5120 or 6144 (1 GB
    steps from 1 GB to 6 GB).

    ## Why it matters
    Any other value makes `CreateEndpointConfig` fail with a
    `ValidationException`, so the stack rolls back at deploy time. Memory
    also sets the vCPUs a serverless endpoint gets, so rounding to the next
    allowed size is a cost decision, not only a syntax fix.

    ## Example
    ```yaml
    ServerlessConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 1500
              MaxConcurrency: 20
    ```

    ## Fix
    Use one of the allowed sizes:
    ```yaml
    ServerlessConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 20
    ```

    ## Sources
    - botocore `sagemaker` service model: `ServerlessMemorySizeInMB` (min 1024, max 6144, 1 GB increments)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html
    """
    allowed = serverless_memory_sizes()
    allowed_text = ", ".join(str(size) for size in allowed)
    for unit in deployment.units:
        if unit.serverless is None:
            continue
        memory = unit.serverless.memory_mb
        variant = unit.name.get("?")
        if memory.malformed:
            yield violation(
                f"MemorySizeInMB {memory.raw!r} of variant {variant} is not a number; allowed values: {allowed_text}",
                memory, default=deployment.span,
            )
        elif memory.known and memory.value not in allowed:
            nearest = min((size for size in allowed if size >= memory.value), default=allowed[-1])
            yield violation(
                f"MemorySizeInMB {memory.value} of variant {variant} is not allowed; use one of {allowed_text} "
                f"(nearest: {nearest})",
                memory, default=deployment.span,
            )

"""EP001 payload-exceeds-endpoint-limit."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Violation, rule

from plugins.data import PayloadLimit, payload_limit, payload_suggestion_order

_MB = 1_000_000


def _format_mb(megabytes: float) -> str:
    return f"{megabytes:g} MB"


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "aeiou" else f"a {label}"


def _suggestion(payload_bytes: float, current: str) -> str:
    for kind in payload_suggestion_order():
        limit = payload_limit(kind)
        if kind != current and limit is not None and payload_bytes <= limit.bytes:
            return f"use {_a(limit.label)} (up to {limit.display})"
    batch = payload_limit("batch-transform")
    if batch is not None and current != "batch-transform":
        return f"no endpoint type takes it: split the payload, or process it offline with {_a(batch.label)}"
    return "split the payload into smaller records"


@rule(
    "EP001",
    "payload-exceeds-endpoint-limit",
    Severity.ERROR,
    "The declared request payload is larger than the endpoint type accepts.",
    tags=("sagemaker", "payload"),
)
def payload_exceeds_endpoint_limit(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Compares the largest request payload declared in the workload profile
    (`payload-mb`) with the limit of the deployment's endpoint type:
    6 MiB for a real-time endpoint (`InvokeEndpoint`), 4 MB for a
    serverless endpoint, 1 GB for an asynchronous endpoint (through Amazon
    S3), and 100 MB per record for batch transform. The message names an
    endpoint type that does fit.

    ## Why it matters
    The endpoint rejects larger requests outright (HTTP 413 / a
    `ValidationError`) — no amount of instance size or autoscaling helps.
    The endpoint type has to change, which usually means changing the
    client too, so it is cheaper to find out before the first deployment.

    ## Example
    ```yaml
    VideoTranscriptionConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            payload-mb: 500
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt TranscriptionModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Serve large payloads from an asynchronous endpoint, which reads the
    request from S3 (up to 1 GB):
    ```yaml
    VideoTranscriptionConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            payload-mb: 500
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt TranscriptionModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://transcripts/output/
            S3FailurePath: s3://transcripts/failures/
    ```

    ## Sources
    - botocore `sagemaker-runtime` service model: `InvokeEndpointInput.Body` is at most 6,291,456 bytes
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html (4 MB)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html (up to 1 GB)
    - botocore `sagemaker` service model: `CreateTransformJobRequest.MaxPayloadInMB` (at most 100 MB)
    """
    payload = deployment.profile.payload_mb
    if not payload.known or not deployment.kind.known:
        return
    kind = deployment.kind.value.value
    limit: PayloadLimit | None = payload_limit(kind)
    if limit is None:
        return
    payload_bytes = float(payload.value) * _MB
    if payload_bytes <= limit.bytes:
        return
    yield Violation(
        f"declared payload {_format_mb(payload.value)} exceeds the {limit.display} limit of {_a(limit.label)} "
        f"({deployment.name.get(deployment.id)}) — {_suggestion(payload_bytes, kind)}",
        payload.span or deployment.span,
    )

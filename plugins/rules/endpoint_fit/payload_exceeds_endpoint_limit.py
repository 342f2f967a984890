"""EP001 payload-exceeds-endpoint-limit."""

from __future__ import annotations

import functools
import math
from typing import Iterator

from linter import BatchConfig, Deployment, Provenance, RunContext, Severity, Violation, rule

from plugins.data import PayloadLimit, limit, payload_limit, payload_suggestion_order
from plugins.rules.common import display_name, violation
from plugins.rules.endpoint_fit_decisions import payload_bytes, payload_fits, transform_max_payload_needed, transform_mb_bytes


def _format_mb(megabytes: float) -> str:
    return f"{megabytes:g} MB"


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "aeiou" else f"a {label}"


# The advice depends only on the size and the endpoint type, and a run's deployments repeat a few sizes:
# each is worded once.
@functools.lru_cache(maxsize=256)
def _suggestion(size: float, current: str) -> str:
    for kind in payload_suggestion_order():
        limit = payload_limit(kind)
        if kind != current and limit is not None and size <= limit.bytes:
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

    For a batch transform job it also checks the job's own settings: a
    record must fit in `MaxPayloadInMB` (6 MB when it is not set), which
    may not exceed 100 MB, and `MaxConcurrentTransforms × MaxPayloadInMB`
    may not exceed 100 MB either.

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
    - botocore `sagemaker` service model: `CreateTransformJobRequest.MaxPayloadInMB` (at most 100 MB;
      `MaxConcurrentTransforms × MaxPayloadInMB` at most 100 MB; default 6 MB)
    """
    if not deployment.kind.known:
        return
    kind = deployment.kind.value.value
    if kind == "batch-transform" and deployment.batch is not None:
        yield from _batch_transform(deployment, deployment.batch)
        return
    payload = deployment.profile.payload_mb
    if not payload.known:
        return
    type_limit: PayloadLimit | None = payload_limit(kind)
    if type_limit is None or payload_fits(kind, payload.value) is not False:
        return
    yield violation(
        f"declared payload {_format_mb(payload.value)} exceeds the {type_limit.display} limit of "
        f"{_a(type_limit.label)} ({deployment.name.get(deployment.id)}) — {_suggestion(payload_bytes(payload.value), kind)}",
        payload, default=deployment.span,
    )


def _batch_transform(deployment: Deployment, batch: BatchConfig) -> Iterator[Violation]:
    """A transform job's MaxPayloadInMB and MaxConcurrentTransforms, and the declared record size against them."""
    ceiling = limit("batch_transform", "max_payload_mb").max
    product_ceiling = limit("batch_transform", "concurrent_transforms_times_payload_mb").max
    record_limit = payload_limit("batch-transform")
    if ceiling is None or product_ceiling is None or record_limit is None:
        return
    # SageMaker's "MB" here is 2^20 bytes: the 100 MB ceiling is stored as 100 MiB.
    bytes_per_mb = transform_mb_bytes()
    name = display_name(deployment)
    max_payload = batch.max_payload_mb
    concurrent = batch.max_concurrent_transforms
    payload = deployment.profile.payload_mb
    size = payload_bytes(payload.value) if payload.known else 0.0
    needed = transform_max_payload_needed(size)  # the smallest MaxPayloadInMB the records fit
    if max_payload.known and max_payload.value > ceiling:
        yield violation(
            f"MaxPayloadInMB {max_payload.value} of batch transform job {name} exceeds the {ceiling:g} MB maximum "
            f"— split the input into smaller records (SplitType) and set MaxPayloadInMB to {ceiling:g} or less",
            max_payload, default=deployment.span,
        )
    elif max_payload.known and concurrent.known and max_payload.value * concurrent.value > product_ceiling:
        yield violation(
            f"MaxConcurrentTransforms {concurrent.value} × MaxPayloadInMB {max_payload.value} = "
            f"{concurrent.value * max_payload.value} MB exceeds the {product_ceiling:g} MB a batch transform job "
            f"({name}) allows — lower MaxConcurrentTransforms to {math.floor(product_ceiling / max_payload.value)}"
            + (
                f" or MaxPayloadInMB to {math.floor(product_ceiling / concurrent.value)}"
                if math.floor(product_ceiling / concurrent.value) >= needed
                else ""
            ),
            concurrent, max_payload, default=deployment.span,
        )

    if not payload.known:
        return
    if size > record_limit.bytes:
        yield violation(
            f"declared payload {_format_mb(payload.value)} exceeds the {record_limit.display} limit of "
            f"{_a(record_limit.label)} ({name}) — split the input into smaller records (SplitType)",
            payload, default=deployment.span,
        )
        return
    if not max_payload.known or max_payload.value <= 0 or max_payload.value > ceiling:
        return  # 0 is chunked encoding (no per-record limit); above the ceiling is reported above
    if size <= max_payload.value * bytes_per_mb:
        return
    default = " (the default when it is not set)" if max_payload.provenance is Provenance.DEFAULT else ""
    yield violation(
        f"declared payload {_format_mb(payload.value)} exceeds MaxPayloadInMB {max_payload.value}{default} of "
        f"batch transform job {name} — raise MaxPayloadInMB to {needed} (at most {ceiling:g}, and "
        f"MaxConcurrentTransforms × MaxPayloadInMB at most {product_ceiling:g})",
        payload, default=deployment.span,
    )

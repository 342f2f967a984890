"""EP004 model-server-accepts-more-than-endpoint."""

from __future__ import annotations

import math
from typing import Iterator

from linter import Deployment, DeploymentKind, ModelSpec, RunContext, Severity, Sourced, Violation, rule

from plugins.data import (
    ModelServerSetting,
    PayloadLimit,
    model_server_async_request_bytes,
    model_server_setting,
    payload_limit,
    payload_suggestion_order,
)
from plugins.rules.common import ENDPOINT_KINDS, display_name, violation


# No server takes a size beyond int64; a longer number is malformed, not a size to compute with.
_LARGEST_BYTES = 2**63 - 1


def _bytes(value: Sourced) -> int | None:
    """An environment value as a whole number of bytes, or None when it is not one (or unknown)."""
    if not value.known:
        return None
    text = str(value.value).strip()
    try:
        number = int(text)
    except ValueError:
        try:
            decimal = float(text)
        except ValueError:
            return None
        if not math.isfinite(decimal) or not decimal.is_integer():
            return None
        number = int(decimal)
    return number if 0 <= number <= _LARGEST_BYTES else None


def _size(size: int) -> str:
    """Bytes in decimal units, the way the variables are usually written (100000000 is 100 MB)."""
    return f"{size / 1e9:.3g} GB" if size >= 1_000_000_000 else f"{size / 1e6:.3g} MB"


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "aeiou" else f"a {label}"


def _larger_type(size: int, current: str) -> PayloadLimit | None:
    """The first endpoint type in the suggestion order that takes requests of `size` bytes."""
    for kind in payload_suggestion_order():
        candidate = payload_limit(kind)
        if kind != current and candidate is not None and size <= candidate.bytes:
            return candidate
    return None


def _raises_past(setting: ModelServerSetting, size: int, kind: str, endpoint_limit: PayloadLimit) -> bool:
    """Whether a request-size setting lets the server take more than the endpoint type accepts."""
    if size <= endpoint_limit.bytes:
        return False
    if setting.default is not None and size <= setting.default:
        return False  # restating the server's own default raises nothing
    if kind == DeploymentKind.ASYNC.value:
        documented = model_server_async_request_bytes(setting.server)
        if documented is not None and size <= documented:
            return False  # the value AWS's async guide sets for its own container
    return True


def _model_name(model: ModelSpec) -> str:
    return f"model {model.name.value}" if model.name.known else "the model"


@rule(
    "EP004",
    "model-server-accepts-more-than-endpoint",
    Severity.WARNING,
    "The container raises its model server's request size limit above what the endpoint type accepts.",
    tags=("sagemaker", "payload"),
    kinds=ENDPOINT_KINDS,
)
def model_server_accepts_more_than_endpoint(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Reads the model server's request size limit from the container
    environment (`MMS_MAX_REQUEST_SIZE` for Multi Model Server,
    `TS_MAX_REQUEST_SIZE` for TorchServe; values in bytes) and warns when
    it is set above the payload limit of the endpoint type that serves the
    model: 6 MiB (6,291,456 bytes) for a real-time endpoint, 4 MB for a
    serverless endpoint, 1 GB for an asynchronous endpoint.

    A value at or below the server's own default raises nothing and is not
    reported, and neither are the values AWS's asynchronous inference guide
    sets for its own containers on an asynchronous endpoint. A value that
    is not a whole number of bytes, or comes from an unresolved parameter,
    keeps the rule silent.

    ## Why it matters
    Raising the server's limit says the model is meant to take requests
    that large — but SageMaker rejects a request above the endpoint type's
    limit before it ever reaches the container. The setting is usually
    copied from an asynchronous or batch setup, or added in the hope of
    lifting the endpoint's limit; either way clients will meet errors the
    configuration seems to rule out.

    ## Example
    ```yaml
    DocumentModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310
          Environment:
            TS_MAX_REQUEST_SIZE: "100000000"
    DocumentConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt DocumentModel.ModelName
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Serve requests that large from an asynchronous endpoint, which reads
    them from S3 (up to 1 GB) — or keep the server's limit within the
    endpoint's:
    ```yaml
    DocumentModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310
          Environment:
            TS_MAX_REQUEST_SIZE: "100000000"
    DocumentConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt DocumentModel.ModelName
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://documents/output/
            S3FailurePath: s3://documents/failures/
    ```

    ## Sources
    - botocore `sagemaker-runtime` service model: `InvokeEndpointInput.Body` is at most 6,291,456 bytes
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html (4 MB)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html (up to 1 GB)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-create-endpoint.html (`MMS_MAX_REQUEST_SIZE`,
      `TS_MAX_REQUEST_SIZE` in bytes, and the values AWS sets for its containers)
    - https://github.com/pytorch/serve/blob/master/docs/configuration.md (TorchServe reads `TS_<PROPERTY>`;
      `max_request_size` defaults to 6,553,500 bytes)
    """
    kind = deployment.kind.value
    endpoint_limit = payload_limit(kind.value)
    if endpoint_limit is None:
        return
    for model in deployment.models:
        for env, value in model.environment:
            setting = model_server_setting(env)
            if setting is None or setting.setting != "max_request_size" or setting.unit != "bytes":
                continue
            size = _bytes(value)
            if size is None or not _raises_past(setting, size, kind.value, endpoint_limit):
                continue
            larger = _larger_type(size, kind.value)
            instead = f", or serve requests that large from {_a(larger.label)} (up to {larger.display})" if larger else ""
            yield violation(
                f"{env} {size} ({_size(size)}) lets the model server of {_model_name(model)} take requests larger "
                f"than the {endpoint_limit.display} {_a(endpoint_limit.label)} ({display_name(deployment)}) accepts — "
                f"the endpoint rejects them first: lower it to {endpoint_limit.bytes} or less{instead}",
                value, default=deployment.span,
            )

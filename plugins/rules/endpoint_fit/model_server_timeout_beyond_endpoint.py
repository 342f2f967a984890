"""EP008 model-server-timeout-beyond-endpoint."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Iterator

from linter import Deployment, DeploymentKind, ModelSpec, RunContext, Severity, Sourced, Violation, rule

from plugins.data import limit, model_server_setting
from plugins.rules.common import ENDPOINT_KINDS, display_name, violation


@dataclass(frozen=True)
class _ResponseLimit:
    """How long an endpoint type waits for the container's answer, and what the message calls it."""

    seconds: int
    label: str
    remedy: str


# Made once per kind: every endpoint asks.
@functools.lru_cache(maxsize=None)
def _response_limit(kind: DeploymentKind) -> _ResponseLimit | None:
    """The longest an endpoint of `kind` waits for one answer, from the tables."""
    async_max = int(limit("async", "invocation_timeout_seconds").max)  # type: ignore[arg-type]
    if kind is DeploymentKind.REALTIME:
        seconds = int(limit("realtime", "container_response_seconds").value)  # type: ignore[arg-type]
        return _ResponseLimit(seconds, "real-time endpoint", f"serve requests that long from an asynchronous endpoint (up to {async_max} s)")
    if kind is DeploymentKind.SERVERLESS:
        seconds = int(limit("serverless", "invocation_timeout_seconds").value)  # type: ignore[arg-type]
        return _ResponseLimit(seconds, "serverless endpoint", f"serve requests that long from an asynchronous endpoint (up to {async_max} s)")
    if kind is DeploymentKind.ASYNC:
        return _ResponseLimit(async_max, "asynchronous endpoint", "split the work, or run it as a batch transform job")
    return None


def _seconds(value: Sourced) -> int | None:
    """An environment value as a whole number of seconds, or None when it is not one (or unknown)."""
    if not value.known:
        return None
    try:
        number = float(str(value.value).strip())
    except ValueError:
        return None
    if not math.isfinite(number) or not number.is_integer() or number < 0:
        return None
    return int(number)


def _model_name(model: ModelSpec) -> str:
    return f"model {model.name.value}" if model.name.known else "the model"


@rule(
    "EP008",
    "model-server-timeout-beyond-endpoint",
    Severity.WARNING,
    "The container lets its model server work on a request longer than the endpoint waits for the answer.",
    tags=("sagemaker", "timeout", "llm"),
    kinds=ENDPOINT_KINDS,
)
def model_server_timeout_beyond_endpoint(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Reads the model server's response timeout from the container
    environment — `SAGEMAKER_MODEL_SERVER_TIMEOUT` (SageMaker inference
    toolkit), `TS_DEFAULT_RESPONSE_TIMEOUT` and `SAGEMAKER_TS_RESPONSE_TIMEOUT`
    (TorchServe), `MMS_DEFAULT_RESPONSE_TIMEOUT` (Multi Model Server), in
    seconds — and warns when it is longer than the endpoint type waits for
    an answer: 60 s for a real-time or a serverless endpoint, 3,600 s (the
    largest `InvocationTimeoutSeconds`) for an asynchronous endpoint.

    A value at or below the server's own default (TorchServe's 120 s)
    changes nothing and is not reported; a value that is not a whole number
    of seconds, or comes from an unresolved parameter, keeps the rule
    silent.

    ## Why it matters
    The endpoint, not the model server, decides how long a request may
    take: a real-time endpoint answers the client with an error after 60 s
    whatever the server allows, while the server keeps working on a request
    nobody waits for, holding a worker the next requests need. A long
    server timeout is usually set for a large model or a long generation —
    work that needs an asynchronous endpoint.

    ## Example
    ```yaml
    SummaryModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310
          Environment:
            SAGEMAKER_MODEL_SERVER_TIMEOUT: "3600"
    SummaryConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt SummaryModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 1
    ```

    ## Fix
    Serve requests that take minutes from an asynchronous endpoint, which
    waits up to an hour for each:
    ```yaml
    SummaryModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310
          Environment:
            SAGEMAKER_MODEL_SERVER_TIMEOUT: "3600"
    SummaryConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt SummaryModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 1
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://summaries-123456789012/output/
            S3FailurePath: s3://summaries-123456789012/failures/
    ```

    ## Sources
    - botocore `sagemaker-runtime` service model: `InvokeEndpoint` (the container must respond within 60 s),
      `InvocationTimeoutSecondsHeader` (asynchronous requests: 1–3,600 s)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html (serverless: 1 minute)
    - https://github.com/aws/sagemaker-inference-toolkit `src/sagemaker_inference/environment.py`
      (`SAGEMAKER_MODEL_SERVER_TIMEOUT`, default 60 s)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-create-endpoint.html
      (`MMS_DEFAULT_RESPONSE_TIMEOUT`, `TS_DEFAULT_RESPONSE_TIMEOUT`)
    - https://github.com/pytorch/serve/blob/master/docs/configuration.md (`default_response_timeout` 120 s)
    """
    kind = deployment.kind.value
    endpoint = _response_limit(kind)
    if endpoint is None:
        return
    for model in deployment.models:
        for env, value in model.environment:
            setting = model_server_setting(env)
            if setting is None or setting.setting != "response_timeout" or setting.unit != "seconds":
                continue
            seconds = _seconds(value)
            if seconds is None or seconds <= endpoint.seconds:
                continue
            if setting.default is not None and seconds <= setting.default:
                continue  # restating the server's own default changes nothing
            yield violation(
                f"{env} {seconds} lets the model server of {_model_name(model)} work on a request for up to "
                f"{seconds} s, but a {endpoint.label} ({display_name(deployment)}) waits {endpoint.seconds} s for "
                f"the answer — longer requests fail at {endpoint.seconds} s while the server keeps working on them: "
                f"{endpoint.remedy}, or lower it to {endpoint.seconds}",
                value, default=deployment.span,
            )

"""EP007 model-startup-timeouts-unset."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, ModelSpec, NotJudged, RunContext, Severity, Unit, Violation, rule

from plugins.data import limit
from plugins.rules.common import unit_name, violation
from plugins.rules.compute import describe_model, is_llm_server, join_words, served_models


def _large_model_gb() -> float:
    return float(limit("advisor", "large_model_gb").value)  # type: ignore[arg-type]


def _why_large(deployment: Deployment, models: tuple[ModelSpec, ...]) -> str | None:
    """What makes a unit's model large (`models`: the unit's served models): its server, or the declared model size; None when nothing does."""
    servers = [describe_model(model) for model in models if is_llm_server(model)]
    if servers:
        return f"large-model server {join_words(list(dict.fromkeys(servers)))}"
    size = deployment.profile.model_size_gb
    if size.known and float(size.value) >= _large_model_gb():  # type: ignore[arg-type]
        return f"a {float(size.value):g} GB model (model-size-gb)"  # type: ignore[arg-type]
    return None


def _server_unknown(deployment: Deployment, unit: Unit, models: tuple[ModelSpec, ...]) -> NotJudged | None:
    """Why EP007 cannot tell whether the unit serves a large model: its model ID names a large model, its server is no known large-model server.

    None when nothing hints at a large model (no model ID with a parameter
    count that large at 16-bit weights), or when model-size-gb is declared.
    """
    if deployment.profile.model_size_gb.known:
        return None
    for model in models:
        if is_llm_server(model) or not model.model_id.known:
            continue
        from plugins.data.model_weights import weights_estimate  # the model-weights tables wait for a model ID

        estimate = weights_estimate(model.model_id.value)
        if estimate is None or estimate.size_gb < _large_model_gb():
            continue
        server = f", {describe_model(model)}, is not known as a large-model server" if model.framework.known else " is not known"
        return NotJudged(
            f"the model server of {unit_name(unit)}{server}, though it loads {model.model_id.value} (about "
            f"{estimate.size_gb:.0f} GB at 16-bit weights): declare model-size-gb in the workload profile to have "
            "its start-up timeouts judged",
            model.image.span or model.model_id.span,
        )
    return None


@rule(
    "EP007",
    "model-startup-timeouts-unset",
    Severity.WARNING,
    "A large model is served without start-up and model-download timeouts of its own.",
    tags=("sagemaker", "llm", "timeout"),
    kinds=(DeploymentKind.REALTIME, DeploymentKind.ASYNC),
)
def model_startup_timeouts_unset(deployment: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """
    ## What it does
    Flags an instance-backed real-time or asynchronous endpoint variant,
    or an inference component, that serves a large model — a large-model
    server (TGI, vLLM, LMI/DJL, TensorRT-LLM, SGLang, NIM, read from the
    image or the command) or a declared `model-size-gb` of 5 or more — and
    does not set `ContainerStartupHealthCheckTimeoutInSeconds` (on the
    variant, or in an inference component's `StartupParameters`). The
    message also names `ModelDataDownloadTimeoutInSeconds` when it is not
    set either. A timeout from an unresolved parameter counts as set;
    serverless endpoints are left alone (their start-up limit is fixed).
    Where it cannot tell — a timeout whose value cannot be resolved, or a
    model ID naming a large model served by an image not known as a
    large-model server — it is silent, and `explain --deployments` says
    which fact was missing (never a guessed default).

    ## Why it matters
    A large model takes minutes to download and load before the container
    answers its first `/ping`. SageMaker waits only so long for that, and
    AWS does not document how long it waits when the timeouts are not set:
    an endpoint that starts in a test with a small model fails to turn
    healthy with the real one, and the deployment rolls back after the
    wait. The API lets you give each variant 60 to 3,600 seconds for the
    download and for the health check.

    ## Example
    ```yaml
    ChatModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
          Environment:
            HF_MODEL_ID: mistralai/Mistral-7B-Instruct-v0.2
    ChatConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChatModel.ModelName
            InstanceType: ml.g5.2xlarge
            InitialInstanceCount: 1
    ```

    ## Fix
    Give the model the time it needs to download and load:
    ```yaml
    ChatModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
          Environment:
            HF_MODEL_ID: mistralai/Mistral-7B-Instruct-v0.2
    ChatConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChatModel.ModelName
            InstanceType: ml.g5.2xlarge
            InitialInstanceCount: 1
            ContainerStartupHealthCheckTimeoutInSeconds: 900
            ModelDataDownloadTimeoutInSeconds: 900
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariant.ContainerStartupHealthCheckTimeoutInSeconds` and
      `ModelDataDownloadTimeoutInSeconds` (60–3,600 s), `InferenceComponentStartupParameters`
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html (serverless start-up: 3 minutes, fixed)
    - SageMaker Python SDK `image_uri_config/huggingface-llm.json`, `djl-lmi.json`, `vllm.json`, `sglang.json`
      (the large-model server images)
    """
    for unit in deployment.units:
        timeout = unit.startup_timeout_seconds
        if unit.serverless is not None or timeout.known:
            continue
        models = served_models(deployment, unit)  # read once for both questions
        large = _why_large(deployment, models)
        if large is None:
            unknown_server = _server_unknown(deployment, unit, models) if timeout.not_written() else None
            if unknown_server is not None:
                yield unknown_server
            continue
        subject = f"inference component {unit_name(unit)}" if unit.requirements is not None else f"variant {unit_name(unit)}"
        if not timeout.not_written():  # written, but its value cannot be read: it may well be set
            how = f" ({timeout.note})" if timeout.note else ""
            yield NotJudged(
                f"ContainerStartupHealthCheckTimeoutInSeconds of {subject}, which serves {large}, is written but its "
                f"value is not known{how}",
                timeout.span,
            )
            continue
        unset = ["ContainerStartupHealthCheckTimeoutInSeconds"]
        if unit.model_download_timeout_seconds.not_written():
            unset.append("ModelDataDownloadTimeoutInSeconds")
        health = limit("realtime", "container_startup_health_check_timeout_seconds")
        yield violation(
            f"{subject} serves {large} without {' or '.join(unset)}: how long SageMaker waits for the model to "
            "download and the container to turn healthy is then not set, and a large model often takes minutes — "
            f"set {'them' if len(unset) > 1 else 'it'} to the time the model needs ({health.min:g}–{health.max:g} s)",
            unit.span, unit.compute.instance_type, default=deployment.span,
        )

"""CP002 cpu-for-llm-server."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Violation, rule

from plugins.data import extensions_of, instance_info, serverless_unsupported_features
from plugins.rules.common import violation
from plugins.rules.compute import (
    accelerator_class,
    compute_facts,
    compute_label,
    describe_model,
    image_build,
    is_llm_server,
    served_models,
)


def _served_with_accelerator_elsewhere(deployment: Deployment, unit, models) -> bool:
    """True when another unit of the deployment runs the same server image with an accelerator.

    That unit does the model's work: a Ray head (`num-gpus: 0`) beside its
    GPU worker groups coordinates, it does not serve.
    """
    images = {model.image.value for model in models if model.image.known}
    if not images:
        return False
    for other in deployment.units:
        if other is unit or accelerator_class(other) in ("none", None):
            continue
        if images & {model.image.value for model in served_models(deployment, other) if model.image.known}:
            return True
    return False


def _serverless_has_no_gpu() -> bool:
    return any(feature.feature == "gpu" for feature in serverless_unsupported_features())


@rule(
    "CP002",
    "cpu-for-llm-server",
    Severity.WARNING,
    "A large-model server image runs on CPU-only capacity.",
    tags=("sagemaker", "kubernetes", "ecs", "llm"),
)
def cpu_for_llm_server(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a large-model inference server — Hugging Face TGI, vLLM,
    SGLang, LMI/DJL, TensorRT-LLM, Triton with an LLM backend — whose
    image is not a CPU build, placed on capacity with no accelerator: a
    CPU-only instance type, a serverless endpoint (which has no GPUs), or a
    Kubernetes pod or ECS task that requests no GPU. The server is read
    from the image (`huggingface-pytorch-tgi-inference`, `djl-inference`,
    `vllm/vllm-openai` …) or the declared model format. Servers built to run
    on CPU (llama.cpp, a `-cpu` build) and Inferentia or Trainium capacity
    are left alone; a Neuron image mismatch is CP003's business. A unit
    without an accelerator beside one that runs the same image with an
    accelerator (a Ray head beside its GPU worker groups) coordinates and
    is left alone too.

    ## Why it matters
    These servers are built on CUDA kernels: on a CPU-only host they fail at
    start-up ("no GPU found"), or fall back to a CPU path that answers a
    single prompt in minutes. The endpoint or pod then never turns healthy,
    or times out every request. On Kubernetes, a pod without an
    `nvidia.com/gpu` limit gets no GPU even on a GPU node.

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
            InstanceType: ml.m5.4xlarge
            InitialInstanceCount: 1
    ```

    ## Fix
    Give the server a GPU instance that holds the model:
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

    ## Sources
    - SageMaker Python SDK `image_uri_config/huggingface-llm.json`, `djl-lmi.json`, `vllm.json`, `sglang.json` (GPU-only processors)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (serverless endpoints do not support GPUs)
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/ (GPUs are only given to containers that request them in `limits`)
    """
    for unit in deployment.units:
        models = [
            model for model in served_models(deployment, unit) if is_llm_server(model) and image_build(model) != "cpu"
        ]
        if not models:
            continue
        servers = ", ".join(describe_model(model) for model in models)
        if unit.serverless is not None:
            if _serverless_has_no_gpu():
                yield violation(
                    f"large-model server {servers} runs on a serverless endpoint, which has no GPUs — serve it from "
                    "a GPU instance (real-time or asynchronous endpoint)",
                    unit.serverless.span, unit.span, default=deployment.span,
                )
            continue
        if accelerator_class(unit) != "none" or _served_with_accelerator_elsewhere(deployment, unit, models):
            continue
        info = instance_info(str(unit.compute.instance_type.value), extensions_of(run)) if unit.compute.instance_type.known else None
        if info is not None and info.accelerator != "none":
            # A Kubernetes pod on a GPU node gets no GPU unless it asks for one.
            device = "GPU" if info.accelerator == "gpu" else info.accelerator.capitalize()
            placement = f"on {info.instance_type} without requesting its {device}"
            remedy = f"request the {device} for the server's container"
        elif unit.compute.instance_type.known:
            placement = f"on CPU-only instance {compute_label(unit)}"
            remedy = "use a GPU (or Inferentia/Trainium) instance type that holds the model"
        else:
            placement = "without an accelerator request"
            remedy = "request a GPU or a Neuron device (Inferentia/Trainium) for the server's container"
        yield violation(
            f"large-model server {servers} runs {placement} — it needs an accelerator to start or to answer in time: {remedy}",
            *compute_facts(unit), default=deployment.span,
        )

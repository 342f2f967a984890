"""CP003 accelerator-image-mismatch."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Unit, Violation, rule

from plugins.rules.common import violation
from plugins.rules.compute import (
    accelerator_class,
    compute_facts,
    compute_label,
    image_build,
    image_name,
    join_words,
    served_models,
)


def _neuron_subject(unit: Unit) -> str:
    """`Inferentia instance ml.inf2.xlarge`, or `a unit with 1 Neuron device requested`."""
    accelerator = unit.compute.accelerator
    if unit.compute.instance_type.known:
        device = str(accelerator.value).capitalize() if accelerator.known else "Neuron"
        return f"{device} instance {unit.compute.instance_type.value}"
    return f"a unit with {compute_label(unit)}"


def _placement(unit: Unit) -> str:
    """`GPU instance ml.g5.xlarge`, `a unit with 1 GPU requested`, `a unit that requests no Neuron device`."""
    accelerator = accelerator_class(unit)
    if unit.compute.instance_type.known:
        kind = "CPU-only" if accelerator == "none" else "GPU" if accelerator == "gpu" else f"{accelerator}"
        return f"{kind} instance {unit.compute.instance_type.value}"
    if accelerator == "none":
        return "a unit that requests no Neuron device"
    return f"a unit with {compute_label(unit)}"


@rule(
    "CP003",
    "accelerator-image-mismatch",
    Severity.ERROR,
    "An Inferentia or Trainium instance runs a non-Neuron image, or a Neuron image runs elsewhere.",
    tags=("sagemaker", "kubernetes", "neuron"),
)
def accelerator_image_mismatch(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Compares the accelerator a unit runs on with the build of its images.
    It fires when an AWS Inferentia or Trainium instance (`ml.inf1`,
    `ml.inf2`, `ml.trn1`, `ml.trn2`, or an `aws.amazon.com/neuron` request on
    Kubernetes) runs only images that are known not to be Neuron builds (a
    `-gpu-` or `-cpu-` framework image, a CUDA tag), and when a Neuron image
    (`*-neuronx` repositories, `neuronx` tags) runs on a GPU or CPU-only
    instance. It applies to endpoints, batch transform, training,
    processing and Kubernetes workloads. Images whose build is unknown keep
    it silent.

    ## Why it matters
    Inferentia and Trainium run only models compiled with the AWS Neuron
    SDK, through the Neuron runtime that Neuron images carry; a CUDA image
    finds no GPU there and the container fails its health check (or, for a
    CPU build, runs on the host CPU and leaves the paid-for accelerator
    idle). The other way round, a Neuron image finds no Neuron device on a
    GPU or CPU instance and fails at start-up. Either way the deployment
    does not come up.

    ## Example
    ```yaml
    SummarizerModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04
          ModelDataUrl: s3://models/summarizer/model.tar.gz
    SummarizerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt SummarizerModel.ModelName
            InstanceType: ml.inf2.xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Use the Neuron build of the container (with a model compiled for
    Neuron), or keep the GPU image on a GPU instance:
    ```yaml
    SummarizerModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference-neuronx:2.1.2-transformers4.43.2-neuronx-py310-sdk2.20.0-ubuntu20.04
          ModelDataUrl: s3://models/summarizer/model-neuron.tar.gz
    SummarizerConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt SummarizerModel.ModelName
            InstanceType: ml.inf2.xlarge
            InitialInstanceCount: 2
    ```

    ## Sources
    - SageMaker Python SDK `image_uri_config/huggingface-neuronx.json`, `djl-neuronx.json` (Neuron images and their `inf2`/`trn1` instance families)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/neo-deployment-hosting-services.html ("For Inferentia and Trainium instances, models need to be compiled specifically for those instances")
    - https://awsdocs-neuron.readthedocs-hosted.com/en/latest/devflows/inference/byoc-hosting-devflow-inf2.html (Neuron containers for SageMaker hosting on `ml.inf2` / `ml.trn1`)
    """
    for unit in deployment.units:
        accelerator = accelerator_class(unit)
        if accelerator is None:
            continue
        models = served_models(deployment, unit)
        builds = [image_build(model) for model in models]
        if accelerator == "neuron":
            if not models or None in builds or "neuron" in builds:
                continue
            images = join_words([f"{image_name(model)} (a {build.upper()} build)" for model, build in zip(models, builds)])
            other = "a GPU" if set(builds) == {"gpu"} else "a CPU" if set(builds) == {"cpu"} else "a GPU or CPU"
            yield violation(
                f"{_neuron_subject(unit)} runs {images}, not a Neuron image — Inferentia and Trainium run only "
                f"models compiled with the Neuron SDK: use the Neuron build of the container, or {other} instance "
                "for this image",
                *compute_facts(unit), default=deployment.span,
            )
            continue
        neuron_images = [model for model, build in zip(models, builds) if build == "neuron"]
        if neuron_images:
            yield violation(
                f"Neuron image {join_words([image_name(model) for model in neuron_images])} runs on "
                f"{_placement(unit)} — a Neuron image needs an Inferentia or Trainium device: use an Inferentia or "
                "Trainium instance, or the GPU or CPU build of the container",
                *compute_facts(unit), default=deployment.span,
            )

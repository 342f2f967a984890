"""CP006 gpu-instance-with-cpu-image."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Violation, rule

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


@rule(
    "CP006",
    "gpu-instance-with-cpu-image",
    Severity.WARNING,
    "A GPU instance or GPU request runs only CPU-only images.",
    tags=("sagemaker", "kubernetes", "ecs", "cost"),
)
def gpu_instance_with_cpu_image(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a GPU instance (or a GPU request such as `nvidia.com/gpu`) whose
    containers are all CPU-only builds: framework images whose tag names
    the CPU build (`pytorch-inference:2.1.0-cpu-py310`,
    `tensorflow-training:2.11.0-cpu-py39`) or repositories that exist only
    for CPU (`sagemaker-scikit-learn`, `tei-cpu`). It applies to endpoints,
    batch transform, training, processing, Kubernetes workloads, ECS tasks
    and AWS Batch jobs. A unit that also runs an image whose build is
    unknown or GPU is left alone.

    ## Why it matters
    A CPU build carries no CUDA libraries, so the framework cannot see the
    GPU: the job or endpoint runs on the instance's CPUs while the GPU —
    most of the instance's price — sits idle. The usual cause is a copied
    image URI (`-cpu-` where `-gpu-` was meant) or an instance type raised
    for memory.

    ## Example
    ```yaml
    EmbeddingModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310
          ModelDataUrl: s3://models/embeddings/model.tar.gz
    EmbeddingConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt EmbeddingModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Use the GPU build of the image (or a CPU instance, if the model does not
    need a GPU):
    ```yaml
    EmbeddingModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310
          ModelDataUrl: s3://models/embeddings/model.tar.gz
    EmbeddingConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt EmbeddingModel.ModelName
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    ```

    ## Sources
    - SageMaker Python SDK `image_uri_config/*.json` (the processor, `cpu` or `gpu`, in Deep Learning Container tags; `sagemaker-scikit-learn` has CPU images only)
    - https://github.com/aws/deep-learning-containers/blob/master/available_images.md (CPU and GPU image tags)
    """
    for unit in deployment.units:
        if accelerator_class(unit) != "gpu":
            continue
        models = served_models(deployment, unit)
        if not models or any(image_build(model) != "cpu" for model in models):
            continue
        images = join_words([image_name(model) for model in models])
        noun = "a CPU-only build" if len(models) == 1 else "CPU-only builds"
        if unit.compute.instance_type.known:
            placement, remedy = f"GPU instance {compute_label(unit)}", "use an image built for GPU, or a CPU instance"
        else:
            placement, remedy = f"a unit with {compute_label(unit)}", "use an image built for GPU, or drop the GPU request"
        yield violation(
            f"{placement} runs {images}, {noun} — the GPU is paid for and idle: {remedy}",
            *compute_facts(unit), default=deployment.span,
        )

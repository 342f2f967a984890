"""CP001 gpu-for-tabular-model."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, RunContext, Severity, Violation, rule

from plugins.rules.common import SERVING_KINDS, is_kind, violation
from plugins.rules.compute import (
    accelerator_class,
    compute_facts,
    compute_label,
    describe_model,
    image_build,
    is_tabular,
    served_models,
)

# Training is left out: XGBoost and several built-in algorithms train well
# on a GPU. Generic jobs are left out too: the model cannot tell a scoring
# job from a training one.
_KINDS = SERVING_KINDS + (DeploymentKind.BATCH_TRANSFORM,)


@rule(
    "CP001",
    "gpu-for-tabular-model",
    Severity.WARNING,
    "A GPU serves or batch-scores a tabular model that rarely needs one.",
    tags=("sagemaker", "kubernetes", "ecs", "cost"),
    kinds=_KINDS,
)
def gpu_for_tabular_model(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a GPU instance (or a GPU request such as `nvidia.com/gpu`) that
    serves or batch-scores only tabular, classic-ML models: XGBoost,
    scikit-learn, LightGBM, CatBoost, the SageMaker built-in linear
    learner, k-NN, k-means and the like. The framework comes from the
    image (`sagemaker-xgboost`, `sagemaker-scikit-learn`, `kserve/xgbserver`
    …) or the declared model format (KServe `modelFormat`, Seldon
    prepackaged servers). It applies to real-time and asynchronous
    endpoints, batch transform, Kubernetes serving workloads (KServe,
    Seldon, plain Deployments) and ECS services. Training is not judged:
    XGBoost and several built-in algorithms train well on a GPU.

    ## Why it matters
    A GPU instance costs several times a CPU instance of the same size, and
    tree ensembles and linear models score a request in microseconds on a
    CPU: the GPU sits idle while it is paid for. The finding is a warning,
    not an error, because the configuration is valid: SageMaker XGBoost
    supports GPU instances for inference, and XGBoost can use a GPU
    predictor for very large batches or ensembles. If yours does, suppress
    the finding with a reason that says so. When the image is a CPU-only
    build, CP006 (gpu-instance-with-cpu-image) reports the idle GPU instead.

    ## Example
    ```yaml
    ChurnModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/model.tar.gz
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChurnModel.ModelName
            InstanceType: ml.g4dn.xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Serve the model from a CPU instance:
    ```yaml
    ChurnModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/model.tar.gz
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChurnModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost.html (EC2 instance recommendation: "SageMaker XGBoost supports CPU and GPU instances for inference"; GPU training from version 1.2)
    - SageMaker Python SDK `image_uri_config/*.json` (the tabular algorithm and framework images)
    - KServe `config/runtimes/*.yaml` (the sklearn, xgboost and lightgbm model formats)
    """
    verb = "batch-scored" if is_kind(deployment, DeploymentKind.BATCH_TRANSFORM) else "served"
    for unit in deployment.units:
        if accelerator_class(unit) != "gpu":
            continue
        models = served_models(deployment, unit)
        if not models or not all(is_tabular(model) for model in models):
            continue
        if all(image_build(model) == "cpu" for model in models):
            continue  # CP006 says it more precisely: a CPU-only image cannot use the GPU at all
        described = ", ".join(describe_model(model) for model in models)
        noun = "tabular model" if len(models) == 1 else "tabular models"
        if unit.compute.instance_type.known:
            where_it_runs = f"on GPU instance {compute_label(unit)}"
            remedy = "use a CPU instance type (general purpose or compute optimised)"
        else:
            where_it_runs = f"with {compute_label(unit)}"
            remedy = "drop the GPU request"
        yield violation(
            f"{noun} {described} {'is' if len(models) == 1 else 'are'} {verb} {where_it_runs} — tabular models "
            f"rarely use a GPU: {remedy}; if the model runs a GPU predictor (XGBoost can), suppress this "
            "finding with a reason",
            *compute_facts(unit), default=deployment.span,
        )

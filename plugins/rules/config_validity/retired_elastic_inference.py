"""CV005 retired-elastic-inference."""

from __future__ import annotations

from typing import Iterator

from linter import AttachedAccelerator, Deployment, RunContext, Severity, Violation, rule

from plugins.rules.common import unit_name, violation


@rule(
    "CV005",
    "retired-elastic-inference",
    Severity.ERROR,
    "An endpoint variant attaches an Elastic Inference accelerator, a service that is no longer available.",
    tags=("sagemaker",),
)
def retired_elastic_inference(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production variant whose `AcceleratorType` attaches an
    Amazon Elastic Inference accelerator (`ml.eia1.*`, `ml.eia2.*`). A
    value that comes from an unresolved parameter keeps the rule silent.

    ## Why it matters
    Elastic Inference is retired: the SageMaker API documents
    `AcceleratorType` as "no longer supported. Elastic Inference (EI) is no
    longer available." An endpoint configuration that asks for one cannot
    be deployed, and the EI-enabled framework images (`*-eia`) it was paired
    with are no longer maintained.

    ## Example
    ```yaml
    ImageModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference-eia:1.5.1-cpu-py36
    ImageConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ImageModel.ModelName
            InstanceType: ml.c5.large
            AcceleratorType: ml.eia2.medium
            InitialInstanceCount: 2
    ```

    ## Fix
    Serve the model from an instance with its own accelerator — a small
    GPU (`ml.g4dn.xlarge`, `ml.g5.xlarge`) or Inferentia (`ml.inf2.xlarge`)
    — with a current framework image:
    ```yaml
    ImageModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310
    ImageConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ImageModel.ModelName
            InstanceType: ml.g4dn.xlarge
            InitialInstanceCount: 2
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariant.AcceleratorType` ("This parameter is no longer
      supported. Elastic Inference (EI) is no longer available."), `ProductionVariantAcceleratorType`
    - https://docs.aws.amazon.com/sagemaker/latest/dg/ei.html (what Elastic Inference was)
    """
    for unit in deployment.units:
        accelerator = unit.attached_accelerator
        if unit.attached_accelerator_kind.value is not AttachedAccelerator.ELASTIC_INFERENCE:
            continue
        instance = f" beside {unit.compute.instance_type.value}" if unit.compute.instance_type.known else ""
        yield violation(
            f"variant {unit_name(unit)} attaches Elastic Inference accelerator {accelerator.value}{instance}, but "
            "Elastic Inference is no longer available and SageMaker no longer supports AcceleratorType — remove it "
            "and serve the model from an instance with its own GPU (ml.g4dn, ml.g5) or Inferentia (ml.inf2)",
            accelerator, unit.span, default=deployment.span,
        )

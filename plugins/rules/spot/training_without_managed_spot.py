"""SP002 training-without-managed-spot."""

from __future__ import annotations

from typing import Iterator

from linter import Capacity, Deployment, DeploymentKind, RunContext, Severity, Violation, rule

from plugins.data import managed_spot_supported
from plugins.rules.common import display_name, violation
from plugins.rules.spot.urgency import URGENT, declared_urgency


@rule(
    "SP002",
    "training-without-managed-spot",
    Severity.INFO,
    "A SageMaker training job runs on demand where managed Spot training would do.",
    tags=("spot", "cost", "sagemaker", "training"),
    kinds=(DeploymentKind.TRAINING,),
)
def training_without_managed_spot(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a SageMaker training job — a Step Functions task, a Pipeline
    step, an ACK `TrainingJob` or a `CreateTrainingJob` request — that does
    not set `EnableManagedSpotTraining: true`.

    It stays silent when the setting is decided at run time, when the job
    runs on reserved capacity, and when the workload profile declares
    `urgency: urgent` (managed Spot may wait for capacity).

    ## Why it matters
    Managed Spot training runs the same job on the same instance types at
    Spot prices; SageMaker restarts interrupted jobs and bills only the
    seconds trained. For jobs that checkpoint, the saving usually outweighs
    the occasional wait for capacity.

    ## Example
    ```yaml
    TrainingWorkflow:
      Type: AWS::StepFunctions::StateMachine
      Properties:
        RoleArn: arn:aws:iam::123456789012:role/training-workflow
        Definition:
          StartAt: Train
          States:
            Train:
              Type: Task
              Resource: arn:aws:states:::sagemaker:createTrainingJob.sync
              Parameters:
                TrainingJobName.$: $.JobName
                AlgorithmSpecification:
                  TrainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
                  TrainingInputMode: File
                RoleArn: arn:aws:iam::123456789012:role/sagemaker-training
                OutputDataConfig:
                  S3OutputPath: s3://models/churn/
                ResourceConfig:
                  InstanceType: ml.m5.2xlarge
                  InstanceCount: 1
                  VolumeSizeInGB: 50
                StoppingCondition:
                  MaxRuntimeInSeconds: 7200
              End: true
    ```

    ## Fix
    Turn managed Spot on, allow time to wait for Spot capacity, and write
    checkpoints so that an interrupted job resumes:
    ```yaml
    TrainingWorkflow:
      Type: AWS::StepFunctions::StateMachine
      Properties:
        RoleArn: arn:aws:iam::123456789012:role/training-workflow
        Definition:
          StartAt: Train
          States:
            Train:
              Type: Task
              Resource: arn:aws:states:::sagemaker:createTrainingJob.sync
              Parameters:
                TrainingJobName.$: $.JobName
                AlgorithmSpecification:
                  TrainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
                  TrainingInputMode: File
                RoleArn: arn:aws:iam::123456789012:role/sagemaker-training
                OutputDataConfig:
                  S3OutputPath: s3://models/churn/
                ResourceConfig:
                  InstanceType: ml.m5.2xlarge
                  InstanceCount: 1
                  VolumeSizeInGB: 50
                EnableManagedSpotTraining: true
                StoppingCondition:
                  MaxRuntimeInSeconds: 7200
                  MaxWaitTimeInSeconds: 14400
                CheckpointConfig:
                  S3Uri: s3://models/churn/checkpoints/
              End: true
    ```

    ## Sources
    - botocore `sagemaker` service model: `CreateTrainingJobRequest.EnableManagedSpotTraining`, `StoppingCondition.MaxWaitTimeInSeconds`, `CheckpointConfig`
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html
    """
    if not managed_spot_supported(DeploymentKind.TRAINING.value):
        return
    training = deployment.training
    if training is None or training.managed_spot.value is not False:
        return
    if declared_urgency(deployment) == URGENT:
        return
    if any(unit.capacity.value is Capacity.RESERVED for unit in deployment.units):
        return
    spot = training.managed_spot
    instances = sorted({str(unit.compute.instance_type.value) for unit in deployment.units if unit.compute.instance_type.known})
    on = f"on-demand {', '.join(instances)}" if instances else "on-demand instances"
    because = f" ({spot.note})" if spot.note else " (EnableManagedSpotTraining: false)"
    yield violation(
        f"training job {display_name(deployment)} runs on {on}{because} — set EnableManagedSpotTraining: true "
        f"with StoppingCondition.MaxWaitTimeInSeconds at least MaxRuntimeInSeconds and a CheckpointConfig "
        f"to train on the same instances at Spot prices",
        spot, training.span, default=deployment.span,
    )

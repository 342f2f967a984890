"""SP003 managed-spot-misconfigured."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, Provenance, RunContext, Severity, Sourced, Span, Violation, rule

from plugins.data import limit
from plugins.rules.common import display_name, violation


def _in_stopping_condition(runtime: Sourced, request: Span | None) -> Span | None:
    """Where MaxWaitTimeInSeconds belongs: at MaxRuntimeInSeconds, else its StoppingCondition, if written."""
    return runtime.span if runtime.span is not None and runtime.span != request else None


def _is_default(value: Sourced) -> bool:
    return value.provenance is Provenance.DEFAULT


@rule(
    "SP003",
    "managed-spot-misconfigured",
    Severity.ERROR,
    "Managed Spot training without a valid MaxWaitTimeInSeconds, or without checkpoints.",
    tags=("spot", "sagemaker", "training"),
    kinds=(DeploymentKind.TRAINING,),
)
def managed_spot_misconfigured(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks SageMaker training jobs that turn managed Spot on
    (`EnableManagedSpotTraining: true`):

    - error: `StoppingCondition.MaxWaitTimeInSeconds` is missing, or it is
      below `MaxRuntimeInSeconds` (SageMaker's default run time of one day
      counts when none is set);
    - warning: there is no `CheckpointConfig`, so an interrupted job starts
      over.

    Values decided at run time are not judged.

    ## Why it matters
    SageMaker rejects a managed Spot training job whose maximum wait is
    missing or shorter than its maximum run time: the wait includes the run.
    Without checkpoints every Spot interruption throws the work done so far
    away, and built-in algorithms that do not checkpoint are limited to a
    one-hour wait.

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
                  TrainingImage: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker
                  TrainingInputMode: File
                RoleArn: arn:aws:iam::123456789012:role/sagemaker-training
                OutputDataConfig:
                  S3OutputPath: s3://models/resnet/
                ResourceConfig:
                  InstanceType: ml.g5.2xlarge
                  InstanceCount: 1
                  VolumeSizeInGB: 100
                EnableManagedSpotTraining: true
                StoppingCondition:
                  MaxRuntimeInSeconds: 14400
                  MaxWaitTimeInSeconds: 7200
              End: true
    ```

    ## Fix
    Let the job wait at least as long as it may run, and checkpoint to S3:
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
                  TrainingImage: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker
                  TrainingInputMode: File
                RoleArn: arn:aws:iam::123456789012:role/sagemaker-training
                OutputDataConfig:
                  S3OutputPath: s3://models/resnet/
                ResourceConfig:
                  InstanceType: ml.g5.2xlarge
                  InstanceCount: 1
                  VolumeSizeInGB: 100
                EnableManagedSpotTraining: true
                StoppingCondition:
                  MaxRuntimeInSeconds: 14400
                  MaxWaitTimeInSeconds: 28800
                CheckpointConfig:
                  S3Uri: s3://models/resnet/checkpoints/
              End: true
    ```

    ## Sources
    - botocore `sagemaker` service model: `StoppingCondition.MaxWaitTimeInSeconds` ("must be equal to or greater than MaxRuntimeInSeconds"), `StoppingCondition.MaxRuntimeInSeconds` (default 1 day), `CheckpointConfig`
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-checkpoints.html
    """
    training = deployment.training
    if training is None or training.managed_spot.value is not True:
        return
    name = display_name(deployment)
    spot, runtime, wait = training.managed_spot, training.max_runtime_seconds, training.max_wait_seconds
    if wait.not_written():
        needed = ""
        if runtime.known:
            needed = f" ({runtime.value} s, SageMaker's default)" if _is_default(runtime) else f" ({runtime.value} s)"
        yield violation(
            f"managed Spot training job {name} sets no StoppingCondition.MaxWaitTimeInSeconds, which managed Spot "
            f"requires — set it to at least MaxRuntimeInSeconds{needed} plus the time the job may wait for Spot capacity",
            _in_stopping_condition(runtime, training.span), spot, default=deployment.span,
        )
    elif wait.known and runtime.known and wait.value < runtime.value:
        yield violation(
            f"MaxWaitTimeInSeconds {wait.value} s of managed Spot training job {name} is below its "
            f"{'default ' if _is_default(runtime) else ''}MaxRuntimeInSeconds {runtime.value} s — SageMaker rejects "
            f"the job: the wait includes the run, so set it to at least {runtime.value}",
            wait, default=deployment.span,
        )
    if training.checkpoint_path.not_written():
        local_path = limit("managed_spot", "checkpoint_local_path").value
        uncheckpointed_wait = limit("managed_spot", "max_wait_without_checkpoints_seconds").max
        yield violation(
            f"managed Spot training job {name} has no CheckpointConfig — an interruption restarts it from the "
            f"beginning; set CheckpointConfig.S3Uri and write checkpoints to {local_path} (built-in algorithms "
            f"that do not checkpoint may wait at most {uncheckpointed_wait} s for Spot capacity)",
            spot, training.span, default=deployment.span,
            severity=Severity.WARNING,
        )

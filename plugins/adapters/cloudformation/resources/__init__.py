"""One module per CloudFormation resource kind.

Each module declares `RESOURCE_TYPES` and `read(resource, template)`, which
returns records (see `records.py`) for linking, or finished deployments and
problems. `MODULE_OF` names the module of each resource type, so a run
imports only the readers its templates need (a template of SageMaker
resources never loads the Batch or ECS readers); adding a resource kind is
adding a module and its line there (tests/adapters/test_cloudformation_resources.py
checks the two agree).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Callable, Iterator, Mapping

MODULE_OF = {
    "AWS::ApplicationAutoScaling::ScalableTarget": "application_autoscaling",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "application_autoscaling",
    "AWS::Batch::ComputeEnvironment": "batch",
    "AWS::Batch::JobQueue": "batch",
    "AWS::CloudWatch::Alarm": "cloudwatch_alarm",
    "AWS::EC2::Subnet": "ec2_subnet",
    "AWS::ECS::Service": "ecs",
    "AWS::ECS::TaskDefinition": "ecs",
    "AWS::EKS::Nodegroup": "eks_nodegroup",
    "AWS::SageMaker::Endpoint": "sagemaker_endpoint",
    "AWS::SageMaker::EndpointConfig": "sagemaker_endpoint_config",
    "AWS::SageMaker::InferenceComponent": "sagemaker_inference_component",
    "AWS::SageMaker::Model": "sagemaker_model",
    "AWS::SageMaker::MonitoringSchedule": "sagemaker_monitoring_schedule",
    "AWS::SageMaker::Pipeline": "sagemaker_pipeline",
    "AWS::SageMaker::ProcessingJob": "sagemaker_processing_job",
    "AWS::Serverless::StateMachine": "stepfunctions",
    "AWS::StepFunctions::StateMachine": "stepfunctions",
}


class _Readers(Mapping[str, Callable]):
    """Resource type -> reader function; a reader's module is imported the first time its type is asked for.

    The function found is kept by type (one entry per type of `MODULE_OF`
    at most), so a run of many templates asks the import system once per
    type rather than once per resource.
    """

    def __init__(self) -> None:
        self._found: dict[str, Callable] = {}

    def __getitem__(self, resource_type: str) -> Callable:
        found = self._found.get(resource_type)
        if found is None:
            name = MODULE_OF[resource_type]
            found = self._found[resource_type] = importlib.import_module(f"{__name__}.{name}").read
        return found

    def get(self, resource_type: str, default: Callable | None = None) -> Callable | None:  # type: ignore[override]
        """As `Mapping.get`; most resources of a template have no reader, and are told apart without a KeyError."""
        found = self._found.get(resource_type)
        if found is not None:
            return found
        return self[resource_type] if resource_type in MODULE_OF else default

    def __iter__(self) -> Iterator[str]:
        return iter(MODULE_OF)

    def __len__(self) -> int:
        return len(MODULE_OF)


@lru_cache(maxsize=None)
def readers() -> Mapping[str, Callable]:
    """Resource type -> reader function (see `MODULE_OF`)."""
    return _Readers()

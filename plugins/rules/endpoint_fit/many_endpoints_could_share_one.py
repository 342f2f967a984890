"""EP006 many-endpoints-could-share-one."""

from __future__ import annotations

from typing import Iterator, Sequence

from linter import Deployment, DeploymentKind, RunContext, Scope, Severity, Violation, rule

from plugins.data import shared_endpoint_min_endpoints
from plugins.rules.common import display_name, kind_of, units_owning_instances

# Names shown in the message before "and N more".
_NAMES_SHOWN = 3


def _image(deployment: Deployment) -> str | None:
    """The one image an instance-backed real-time endpoint serves, when it could move to a shared endpoint.

    None for other kinds, endpoints that already share (multi-model mode,
    several containers or inference components), endpoints declared to carry
    steady traffic (not mostly idle), and images whose repository or tag is
    not known (adapters show unknown parts of a text as `${...}`).
    """
    if kind_of(deployment) is not DeploymentKind.REALTIME or all(unit.serverless is not None for unit in deployment.units):
        return None  # not an instance-backed real-time endpoint
    if len(deployment.models) != 1:
        return None
    model = deployment.models[0]
    if not model.image.known or (model.multi_model.known and model.multi_model.value):
        return None
    if deployment.profile.traffic.known and deployment.profile.traffic.value == "steady":
        return None
    image = str(model.image.value)
    if "${" in image.rsplit("/", 1)[-1]:
        return None
    return image


def _instances(members: Sequence[Deployment]) -> int | None:
    """How many instances the endpoints start with in all, when every count is known."""
    total = 0
    for deployment in members:
        for unit in units_owning_instances(deployment):
            if not unit.count.known:
                return None
            total += int(unit.count.value)
    return total


def _names(members: Sequence[Deployment]) -> str:
    # Only the names shown are made: a group may hold thousands of endpoints.
    shown = ", ".join(display_name(deployment) for deployment in members[:_NAMES_SHOWN])
    return shown if len(members) <= _NAMES_SHOWN else f"{shown} and {len(members) - _NAMES_SHOWN} more"


@rule(
    "EP006",
    "many-endpoints-could-share-one",
    Severity.INFO,
    "Many real-time endpoints serve the same image and could share one endpoint.",
    scope=Scope.RUN,
    tags=("sagemaker", "cost"),
)
def many_endpoints_could_share_one(deployments: Sequence[Deployment], run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Looks across every file of the run for five or more instance-backed
    real-time endpoints that serve the same container image — typically one
    tabular model per customer — and suggests hosting them together on a
    multi-model endpoint or as inference components of one endpoint. The
    finding points at the first of these endpoints and names the others.

    Endpoints that already share (multi-model mode, several containers,
    inference components), endpoints whose profile declares
    `traffic: steady`, and endpoints of different known environments (a
    production and a staging copy cannot share) are not counted together.
    Images whose repository or tag is not known are not compared.

    ## Why it matters
    Each endpoint keeps at least one instance running for one model that is
    idle most of the day; 500 per-customer XGBoost models on 500 endpoints
    pay for 500 mostly idle instances. A multi-model endpoint loads the
    models from S3 on demand into one shared fleet, and inference
    components pack several models on the same instances. Models with much
    higher traffic or strict latency targets still belong on dedicated
    endpoints: a rarely used model pays a load delay on its first request.

    ## Example
    Five per-customer churn models, each on its own endpoint:
    ```yaml
    AcmeModel:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/acme/model.tar.gz
    AcmeConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt AcmeModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    GlobexModel:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/globex/model.tar.gz
    GlobexConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt GlobexModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    InitechModel:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/initech/model.tar.gz
    InitechConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt InitechModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    UmbrellaModel:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/umbrella/model.tar.gz
    UmbrellaConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt UmbrellaModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    HooliModel:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          ModelDataUrl: s3://models/churn/hooli/model.tar.gz
    HooliConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt HooliModel.ModelName
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    ```

    ## Fix
    One multi-model endpoint serves every customer's model from an S3
    prefix; clients name the model with `TargetModel` (`acme/model.tar.gz`):
    ```yaml
    ChurnModels:
      Type: AWS::SageMaker::Model
      Properties:
        PrimaryContainer:
          Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          Mode: MultiModel
          ModelDataUrl: s3://models/churn/
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChurnModels.ModelName
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 2
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-endpoints.html (a large number of models
      that use the same ML framework on a shared serving container; cold-start latency for infrequently
      used models; dedicated endpoints for models with much higher TPS or latency requirements)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html (GPU multi-model endpoints
      only with the NVIDIA Triton Inference Server container)
    - botocore `sagemaker` service model: `ContainerDefinition.Mode` (`SingleModel` | `MultiModel`),
      `CreateInferenceComponent`
    - The threshold of five endpoints is this project's policy (rule catalog, EP006)
    """
    groups: dict[tuple[str, object], list[Deployment]] = {}
    for deployment in deployments:
        image = _image(deployment)
        if image is None:
            continue
        environment = deployment.environment.value if deployment.environment.known else None
        groups.setdefault((image, environment), []).append(deployment)
    threshold = shared_endpoint_min_endpoints()
    for (image, _environment), members in groups.items():
        if len(members) < threshold:
            continue
        members.sort(key=lambda deployment: (deployment.span.path, deployment.span.line, deployment.span.column))
        served = image.rsplit("/", 1)[-1]
        framework = members[0].models[0].framework
        if framework.known and str(framework.value).lower() not in served.lower():
            served += f" ({framework.value})"
        instances = _instances(members)
        in_all = f", {instances} instances in all" if instances is not None else ""
        yield Violation(
            f"{len(members)} real-time endpoints ({_names(members)}) each serve image {served} on their own "
            f"instances{in_all} — host the models on one multi-model endpoint, or as inference components of "
            f"one endpoint",
            members[0].span,
        )

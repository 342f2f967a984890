"""SageMaker jobs and API requests read into the model: Step Functions, Pipelines, API documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from linter import UNKNOWN, Capacity, DeploymentKind, Provenance, Span
from linter.api import lint_paths, lint_text
from linter.engine import LintOptions, RunContext
from linter.rules import RuleSelector
from linter.source import load_text

from plugins.adapters import sagemaker_api, workflows
from plugins.adapters.aws.sagemaker_requests import (
    TRAINING_JOB,
    JobContext,
    RequestReader,
    job_deployments,
)

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adapters"


def _read(text: str, path: str = "template.yaml"):
    result = lint_text(text, path, ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    return result


def _by_name(result) -> dict:
    return {deployment.id.rsplit("#", 1)[-1]: deployment for deployment in result.deployments}


# --- the request reader ---------------------------------------------------------------

ACK_TRAINING_JOB = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: TrainingJob
metadata:
  name: xgboost-spot
spec:
  trainingJobName: xgboost-spot
  algorithmSpecification:
    trainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
    trainingInputMode: File
  enableManagedSpotTraining: true
  resourceConfig:
    instanceType: ml.m5.xlarge
    instanceCount: 3
    volumeSizeInGB: 5
    volumeKMSKeyID: arn:aws:kms:us-east-1:111122223333:key/abc
  stoppingCondition:
    maxRuntimeInSeconds: 3600
    maxWaitTimeInSeconds: 7200
  checkpointConfig:
    s3URI: s3://bucket/checkpoints/
  tags:
    - key: mldeploy-lint:urgency
      value: deferrable
    - key: Stage
      value: prod
"""


def _spec(text: str):
    document = load_text("trainingjob.yaml", text).documents[0]
    return document.root.get("spec")


def test_an_ack_cased_request_reads_like_the_api_one():
    spec = _spec(ACK_TRAINING_JOB)
    reader = RequestReader()
    assert reader.read_str(spec, "ResourceConfig", "VolumeKmsKeyId").value == "arn:aws:kms:us-east-1:111122223333:key/abc"
    context = JobContext(id="trainingjob.yaml#xgboost-spot", span=Span.point("trainingjob.yaml", 1), origin="ACK resource")
    deployment, *problems = job_deployments(TRAINING_JOB, spec, reader, context)
    assert problems == []
    assert deployment.kind.value is DeploymentKind.TRAINING
    assert deployment.name.value == "xgboost-spot"
    (unit,) = deployment.units
    assert unit.compute.instance_type.value == "ml.m5.xlarge"
    assert unit.count.value == 3
    assert unit.capacity.value is Capacity.SPOT
    assert deployment.training.managed_spot.value is True
    assert deployment.training.max_runtime_seconds.value == 3600
    assert deployment.training.max_wait_seconds.value == 7200
    assert deployment.training.checkpoint_path.value == "s3://bucket/checkpoints/"
    assert deployment.models[0].framework.value == "xgboost"
    assert deployment.profile.urgency.value == "deferrable"
    assert deployment.environment.value.value == "prod"


def test_absent_spot_and_runtime_are_defaults_not_declarations():
    spec = _spec(ACK_TRAINING_JOB.replace("  enableManagedSpotTraining: true\n", "").replace("    maxRuntimeInSeconds: 3600\n", ""))
    context = JobContext(id="x", span=Span.point("trainingjob.yaml", 1), origin="ACK resource")
    deployment = job_deployments(TRAINING_JOB, spec, RequestReader(), context)[0]
    assert deployment.training.managed_spot.value is False
    assert deployment.training.managed_spot.provenance is Provenance.DEFAULT
    assert deployment.units[0].capacity.value is Capacity.ON_DEMAND
    assert deployment.training.max_runtime_seconds.value == 86400
    assert deployment.training.max_runtime_seconds.provenance is Provenance.DEFAULT


# --- Step Functions ---------------------------------------------------------------------

DYNAMIC_STATE_MACHINE = {
    "StartAt": "Fan out",
    "States": {
        "Fan out": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {
                    "StartAt": "Train",
                    "States": {
                        "Train": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                            "Parameters": {
                                "TrainingJobName.$": "$$.Execution.Name",
                                "EnableManagedSpotTraining.$": "$.spot",
                                "ResourceConfig": {"InstanceType.$": "$.instanceType", "InstanceCount": 2},
                                "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                            },
                            "End": True,
                        }
                    },
                }
            ],
        },
        "Each file": {
            "Type": "Map",
            "End": True,
            "ItemProcessor": {
                "StartAt": "Process",
                "States": {
                    "Process": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sagemaker:createProcessingJob",
                        "QueryLanguage": "JSONata",
                        "Arguments": {
                            "ProcessingJobName": "{% $states.input.name %}",
                            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1}},
                            "AppSpecification": {"ImageUri": "{% $states.input.image %}"},
                        },
                        "End": True,
                    }
                },
            },
        },
        "Delete": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint", "End": True},
    },
}


def test_jsonpath_values_are_unknown_set_at_run_time():
    result = _read(json.dumps(DYNAMIC_STATE_MACHINE, indent=1), "flow.asl.json")
    by_name = _by_name(result)
    assert set(by_name) == {"Train", "Process"}, "Parallel branches and Map processors are walked; deleteEndpoint is no deployment"
    train = by_name["Train"]
    unit = train.units[0]
    assert unit.compute.instance_type.value is UNKNOWN
    assert unit.compute.instance_type.note == "set at run time from $.instanceType"
    assert unit.count.value == 2
    assert train.training.managed_spot.value is UNKNOWN, "a run-time spot flag is unknown, not the on-demand default"
    assert train.training.managed_spot.note == "set at run time from $.spot"
    assert unit.capacity.value is UNKNOWN
    assert train.name.value == "Train" and train.name.provenance is Provenance.INFERRED
    assert "$$.Execution.Name" in train.name.note
    process = by_name["Process"]
    assert process.kind.value is DeploymentKind.PROCESSING
    assert process.models[0].image.value is UNKNOWN
    assert "JSONata" in process.models[0].image.note
    assert process.units[0].compute.instance_type.value == "ml.c5.xlarge"


SAM_DEFINITION_BODY = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Image:
    Type: String
    Default: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
Resources:
  Scoring:
    Type: AWS::Serverless::StateMachine
    Properties:
      Tags:
        Environment: production
      DefinitionSubstitutions:
        ScoringInstanceType: ml.m5.large
        ScoringImage: !Ref Image
        Role: !GetAtt Role.Arn
      Definition:
        StartAt: CreateModel
        States:
          CreateModel:
            Type: Task
            Resource: arn:aws:states:::sagemaker:createModel
            Parameters:
              ModelName: scoring-model
              ExecutionRoleArn: ${Role}
              PrimaryContainer:
                Image: ${ScoringImage}
            Next: Score
          Score:
            Type: Task
            Resource: !Sub arn:${AWS::Partition}:states:::sagemaker:createTransformJob.sync
            Parameters:
              TransformJobName: nightly-scoring
              ModelName: scoring-model
              MaxPayloadInMB: 50
              MaxConcurrentTransforms: 4
              BatchStrategy: MultiRecord
              TransformInput:
                SplitType: Line
              TransformResources:
                InstanceType: ${ScoringInstanceType}
                InstanceCount: 2
            End: true
  Role:
    Type: AWS::IAM::Role
"""


def test_definition_substitutions_fill_placeholders_and_spans_are_exact():
    result = _read(SAM_DEFINITION_BODY)
    (score,) = result.deployments
    assert score.id == "template.yaml#Scoring/Score"
    assert score.kind.value is DeploymentKind.BATCH_TRANSFORM
    unit = score.units[0]
    assert unit.compute.instance_type.value == "ml.m5.large"
    assert unit.compute.instance_type.span.line == 40, "the span is the placeholder's own line"
    assert unit.count.value == 2
    assert score.batch.max_payload_mb.value == 50
    assert score.batch.max_concurrent_transforms.value == 4
    assert score.batch.strategy.value == "MultiRecord"
    assert score.batch.split_type.value == "Line"
    assert score.models[0].framework.value == "sklearn", "the model is found among the state machine's CreateModel tasks"
    assert unit.model_names == ("scoring-model",)
    assert score.environment.value.value == "prod", "the state machine's Environment tag"
    assert [link.kind for link in score.links] == [
        "AWS::Serverless::StateMachine",
        "Step Functions task CreateModel",
        "Step Functions task CreateTransformJob",
    ]


def test_a_placeholder_without_a_substitution_is_unknown_with_its_reason():
    result = _read(SAM_DEFINITION_BODY.replace("        ScoringInstanceType: ml.m5.large\n", ""))
    instance_type = result.deployments[0].units[0].compute.instance_type
    assert instance_type.value is UNKNOWN
    assert "${ScoringInstanceType}" in instance_type.note


JOINED_DEFINITION = {
    "Parameters": {"Count": {"Type": "Number"}},
    "Resources": {
        "Machine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "DefinitionSubstitutions": {"TrainingType": "ml.p3.2xlarge", "Account": {"Ref": "AWS::AccountId"}},
                "DefinitionString": {
                    "Fn::Join": [
                        "",
                        [
                            '{"StartAt":"Train","States":{"Train":{"Type":"Task","End":true,"Resource":"arn:',
                            {"Ref": "AWS::Partition"},
                            ':states:::sagemaker:createTrainingJob.sync","Parameters":{'
                            '"TrainingJobName":"train-${Account}",'
                            '"ResourceConfig":{"InstanceType":"${TrainingType}","InstanceCount":',
                            {"Ref": "Count"},
                            '},"EnableManagedSpotTraining":true,'
                            '"StoppingCondition":{"MaxRuntimeInSeconds":3600,"MaxWaitTimeInSeconds":7200}}}}}',
                        ],
                    ]
                },
            },
        }
    },
}


def test_a_fn_join_definition_string_is_parsed_with_its_unknown_parts():
    text = json.dumps(JOINED_DEFINITION, indent=1)
    result = _read(text, "cdk.template.json")
    (train,) = result.deployments
    definition_line = next(number for number, line in enumerate(text.splitlines(), 1) if '"DefinitionString"' in line)
    assert train.id == "cdk.template.json#Machine/Train"
    assert train.span.line == definition_line, "every span of a parsed string is the property's"
    unit = train.units[0]
    assert unit.compute.instance_type.value == "ml.p3.2xlarge"
    assert unit.compute.accelerator.value == "gpu"
    assert unit.count.value is UNKNOWN, "a Ref written outside a JSON string still parses"
    assert "Ref Count" in unit.count.note
    assert train.name.value == "train-${Account}"
    assert train.training.managed_spot.value is True
    assert train.training.max_wait_seconds.value == 7200


def test_a_definition_string_that_does_not_resolve_to_text_is_skipped():
    template = {"Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Ref": "Definition"}}}}}
    result = _read(json.dumps(template), "cdk.template.json")
    assert result.deployments == ()


@pytest.mark.parametrize(
    "name",
    [
        "stepfunctions/no-deployments/sagemaker-endpoint-maintainer.asl.json",
        "stepfunctions/no-deployments/cdk-stepfn-batch-SMbatchInference.template.json",
        "stepfunctions/train-ml-model/template.yaml.txt",
    ],
)
def test_real_state_machines_without_sagemaker_requests_describe_nothing(name):
    result = lint_paths([str(FIXTURES / name)], ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    assert [summary.recognised for summary in result.files] == [True]
    assert result.deployments == ()


def test_a_sam_definition_uri_gives_the_definition_its_substitutions(tmp_path):
    source = FIXTURES / "stepfunctions" / "train-ml-model"
    shutil.copy(source / "template.yaml.txt", tmp_path / "template.yaml")
    (tmp_path / "statemachine").mkdir()
    shutil.copy(source / "statemachine" / "statemachine.asl.json", tmp_path / "statemachine" / "statemachine.asl.json")
    result = lint_paths([str(tmp_path)], ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    by_name = {deployment.id.rsplit("#", 1)[-1]: deployment for deployment in result.deployments}
    assert set(by_name) == {"Train model (XGBoost)", "Batch transform"}
    train = by_name["Train model (XGBoost)"]
    assert train.links[0].kind == "AWS::Serverless::StateMachine"
    assert train.links[0].name == "TrainAndBatchTransformStateMachine"
    image = train.models[0].image
    assert "DefinitionSubstitutions regionalTrainingImage" in image.note


def test_a_definition_two_sam_templates_name_is_read_once_as_written(tmp_path):
    """Which template's substitutions would apply is ambiguous: the workflows adapter reads it plainly, once."""
    source = FIXTURES / "stepfunctions" / "train-ml-model"
    shutil.copy(source / "template.yaml.txt", tmp_path / "template.yaml")
    shutil.copy(source / "template.yaml.txt", tmp_path / "again.yaml")
    (tmp_path / "statemachine").mkdir()
    shutil.copy(source / "statemachine" / "statemachine.asl.json", tmp_path / "statemachine" / "statemachine.asl.json")
    result = lint_paths([str(tmp_path)], ONLY_CORE)
    assert all(summary.recognised for summary in result.files)
    definitions = [deployment for deployment in result.deployments if deployment.path.endswith("statemachine.asl.json")]
    assert sorted(deployment.id.rsplit("#", 1)[-1] for deployment in definitions) == ["Batch transform", "Train model (XGBoost)"]
    assert not [link for deployment in definitions for link in deployment.links if link.kind == "AWS::Serverless::StateMachine"]


# --- SageMaker Pipelines ----------------------------------------------------------------

PIPELINE = {
    "Version": "2020-12-01",
    "Parameters": [
        {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": "ml.g5.2xlarge"},
        {"Name": "TrainingInstanceCount", "Type": "Integer", "DefaultValue": 2},
        {"Name": "InputData", "Type": "String"},
    ],
    "Steps": [
        {
            "Name": "Check",
            "Type": "Condition",
            "Arguments": {
                "Conditions": [],
                "IfSteps": [
                    {
                        "Name": "Train",
                        "Type": "Training",
                        "Arguments": {
                            "AlgorithmSpecification": {"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311"},
                            "ResourceConfig": {
                                "InstanceType": {"Get": "Parameters.TrainingInstanceType"},
                                "InstanceCount": {"Get": "Parameters.TrainingInstanceCount"},
                            },
                            "CheckpointConfig": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://bucket", {"Get": "Execution.PipelineExecutionId"}, "checkpoints"]}}},
                            "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3Uri": {"Get": "Parameters.InputData"}}}}],
                        },
                    }
                ],
                "ElseSteps": [],
            },
        },
        {"Name": "Register", "Type": "Model", "Arguments": {"PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"}}},
        {
            "Name": "Score",
            "Type": "Transform",
            "Arguments": {
                "ModelName": {"Get": "Steps.Register.ModelName"},
                "TransformResources": {"InstanceType": "ml.g4dn.xlarge", "InstanceCount": {"Get": "Parameters.Missing"}},
            },
        },
    ],
}


def test_pipeline_expressions_read_parameter_defaults_and_step_properties_stay_unknown():
    result = _read(json.dumps(PIPELINE, indent=1), "pipeline.json")
    by_name = _by_name(result)
    assert set(by_name) == {"Train", "Score"}
    train = by_name["Train"]
    unit = train.units[0]
    assert unit.compute.instance_type.value == "ml.g5.2xlarge"
    assert "default of pipeline parameter TrainingInstanceType" in unit.compute.instance_type.note
    assert unit.count.value == 2
    assert train.training.checkpoint_path.value == "s3://bucket/${Execution.PipelineExecutionId}/checkpoints"
    score = by_name["Score"]
    assert score.models[0].framework.value == "pytorch", "the Transform step's model is the Model step it names"
    assert score.units[0].count.value is UNKNOWN
    assert "Missing is not declared" in score.units[0].count.note


PIPELINE_RESOURCE = """\
Resources:
  Pipeline:
    Type: AWS::SageMaker::Pipeline
    Properties:
      PipelineName: nightly
      RoleArn: arn:aws:iam::111122223333:role/x
      PipelineDefinition:
        {definition}
"""


@pytest.mark.parametrize(
    "definition, why",
    [
        ("PipelineDefinitionS3Location: {Bucket: b, Key: k}", "in S3"),
        ("PipelineDefinitionBody: !Ref Body", "Ref Body"),
    ],
)
def test_a_pipeline_whose_definition_is_out_of_sight_is_one_deployment_of_unknown_kind(definition, why):
    text = PIPELINE_RESOURCE.format(definition=definition)
    result = _read("Parameters:\n  Body: {Type: String}\n" + text)
    (deployment,) = result.deployments
    assert deployment.kind.value is UNKNOWN
    assert why in deployment.kind.note
    assert deployment.name.value == "nightly"


def test_a_pipeline_body_as_a_string_is_parsed():
    body = json.dumps(PIPELINE).replace("'", "''")
    result = _read(PIPELINE_RESOURCE.format(definition=f"PipelineDefinitionBody: '{body}'"))
    assert {deployment.id for deployment in result.deployments} == {"template.yaml#Pipeline/Train", "template.yaml#Pipeline/Score"}
    assert all(deployment.span.line == 8 for deployment in result.deployments)


# --- CloudFormation ProcessingJob -----------------------------------------------------


def test_a_processing_job_resource_is_a_processing_deployment():
    result = _read(
        """\
Resources:
  Features:
    Type: AWS::SageMaker::ProcessingJob
    Metadata:
      mldeploy-lint:
        workload: {urgency: deferrable}
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/x
      AppSpecification:
        ImageUri: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
      ProcessingResources:
        ClusterConfig:
          InstanceType: !If [Big, ml.m5.4xlarge, ml.m5.xlarge]
          InstanceCount: 2
          VolumeSizeInGB: 30
      Tags:
        - {Key: Environment, Value: staging}
Conditions:
  Big: !Equals [!Ref AWS::Region, us-east-1]
"""
    )
    (job,) = result.deployments
    assert job.id == "template.yaml#Features"
    assert job.kind.value is DeploymentKind.PROCESSING
    assert job.name.value == "Features"
    assert job.models[0].framework.value == "sklearn"
    unit = job.units[0]
    assert unit.compute.instance_type.value is UNKNOWN and "condition Big" in unit.compute.instance_type.note
    assert unit.count.value == 2
    assert unit.capacity.value is UNKNOWN, "processing jobs have no Spot option: no capacity is claimed"
    assert job.profile.urgency.value == "deferrable"
    assert job.environment.value.value == "staging"
    assert [(link.kind, link.name) for link in job.links] == [("AWS::SageMaker::ProcessingJob", "Features")]


# --- hyperparameter tuning ---------------------------------------------------------------

TUNING_REQUEST = {
    "HyperParameterTuningJobName": "tune",
    "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 4, "MaxNumberOfTrainingJobs": 20}},
    "TrainingJobDefinitions": [
        {
            "DefinitionName": "cpu",
            "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            "EnableManagedSpotTraining": True,
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 1800},
        },
        {
            "DefinitionName": "gpu",
            "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"},
            "HyperParameterTuningResourceConfig": {"InstanceConfigs": [{"InstanceType": "ml.g5.xlarge", "InstanceCount": 1}]},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    ],
}


def test_each_training_definition_of_a_tuning_job_is_a_training_deployment():
    result = _read(json.dumps(TUNING_REQUEST, indent=1), "tune.json")
    by_name = {deployment.name.value: deployment for deployment in result.deployments}
    assert set(by_name) == {"tune/cpu", "tune/gpu"}
    cpu, gpu = by_name["tune/cpu"], by_name["tune/gpu"]
    assert cpu.training.managed_spot.value is True and cpu.training.max_wait_seconds.value == 1800
    assert cpu.units[0].capacity.value is Capacity.SPOT
    assert gpu.units[0].compute.instance_type.value == "ml.g5.xlarge"
    assert gpu.training.managed_spot.value is False
    assert cpu.attribute("max_parallel_training_jobs").value == 4


# --- API request documents ----------------------------------------------------------------

MODEL = {"ModelName": "m", "PrimaryContainer": {"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"}}
CONFIG = {
    "EndpointConfigName": "c",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
    "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://out/", "NotificationConfig": {"ErrorTopic": "arn:aws:sns:us-east-1:1:e"}}},
}
ENDPOINT = {"EndpointName": "e", "EndpointConfigName": "c", "Tags": [{"Key": "mldeploy-lint:payload-mb", "Value": "200"}]}
TRANSFORM = {"TransformJobName": "t", "ModelName": "m", "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}


def _write(directory: Path, **documents) -> None:
    for name, document in documents.items():
        (directory / f"{name}.json").write_text(json.dumps(document, indent=2), encoding="utf-8")


def test_api_documents_are_linked_by_name_across_files(tmp_path):
    _write(tmp_path, model=MODEL, config=CONFIG, endpoint=ENDPOINT, transform=TRANSFORM)
    result = lint_paths([str(tmp_path)], ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    by_kind = {deployment.kind.value: deployment for deployment in result.deployments}
    assert set(by_kind) == {DeploymentKind.ASYNC, DeploymentKind.BATCH_TRANSFORM}
    endpoint = by_kind[DeploymentKind.ASYNC]
    assert endpoint.id == f"{tmp_path / 'endpoint.json'}#CreateEndpoint"
    assert endpoint.name.value == "e"
    assert endpoint.units[0].compute.accelerator.value == "gpu"
    assert endpoint.models[0].framework.value == "xgboost"
    assert endpoint.async_config.error_topic.value == "arn:aws:sns:us-east-1:1:e"
    assert endpoint.profile.payload_mb.value == 200
    assert [link.kind for link in endpoint.links] == ["CreateEndpoint", "CreateEndpointConfig", "CreateModel"]
    assert by_kind[DeploymentKind.BATCH_TRANSFORM].models[0].framework.value == "xgboost"


@pytest.mark.parametrize("named", ["model", "config", "endpoint"])
def test_a_deployment_made_of_several_documents_is_reported_once_by_whichever_is_linted(tmp_path, named):
    _write(tmp_path, model=MODEL, config=CONFIG, endpoint=ENDPOINT)
    result = lint_paths([str(tmp_path / f"{named}.json")], ONLY_CORE)  # the others are sibling context
    (deployment,) = result.deployments
    assert deployment.kind.value is DeploymentKind.ASYNC
    assert deployment.id.endswith("endpoint.json#CreateEndpoint")
    both = lint_paths([str(tmp_path / "config.json"), str(tmp_path / "endpoint.json")], ONLY_CORE)
    assert len(both.deployments) == 1


def test_a_config_that_no_endpoint_names_is_a_deployment_of_its_own(tmp_path):
    _write(tmp_path, config={**CONFIG, "AsyncInferenceConfig": None, "ProductionVariants": [{"VariantName": "A", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}]})
    (deployment,) = lint_paths([str(tmp_path)], ONLY_CORE).deployments
    assert deployment.kind.value is DeploymentKind.SERVERLESS
    assert deployment.units[0].serverless.memory_mb.value == 2048


def test_an_endpoint_whose_config_is_elsewhere_has_an_unknown_kind(tmp_path):
    _write(tmp_path, endpoint=ENDPOINT)
    (deployment,) = lint_paths([str(tmp_path)], ONLY_CORE).deployments
    assert deployment.kind.value is UNKNOWN
    assert "not among the documents of this run" in deployment.kind.note



# `aws application-autoscaling register-scalable-target / put-scaling-policy / put-scheduled-action --cli-input-json`
SCALED_CONFIG = {
    "EndpointConfigName": "churn-config",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 2}],
}
SCALED_ENDPOINT = {"EndpointName": "churn", "EndpointConfigName": "churn-config"}
TRIPLE = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/churn/variant/AllTraffic", "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}
TARGET = {**TRIPLE, "MinCapacity": 2, "MaxCapacity": 6}
POLICY = {
    "PolicyName": "churn-invocations",
    **TRIPLE,
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 70.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
    },
}
SCHEDULE = {"ScheduledActionName": "weekday-mornings", **TRIPLE, "Schedule": "cron(0 7 ? * MON-FRI *)", "ScalableTargetAction": {"MinCapacity": 4}}


def _statuses(result) -> list[tuple[str, str]]:
    return [(target.status.value, target.reason) for target in result.scaling_targets]


def test_application_auto_scaling_documents_scale_the_variant_they_name(tmp_path):
    _write(tmp_path, config=SCALED_CONFIG, endpoint=SCALED_ENDPOINT, target=TARGET, policy=POLICY, schedule=SCHEDULE)
    result = lint_paths([str(tmp_path)], LintOptions())
    assert [finding.message for finding in result.findings] == []  # no AS001: the variant scales
    (deployment,) = result.deployments
    (scaling,) = deployment.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 6)
    assert scaling.linked_by == f"RegisterScalableTarget document {tmp_path / 'target.json'}"
    scheduled, tracking = sorted(scaling.policies, key=lambda policy: str(policy.policy_type.value))
    assert (scheduled.policy_type.value, tracking.policy_type.value) == ("ScheduledAction", "TargetTrackingScaling")
    assert tracking.metric.value == "SageMakerVariantInvocationsPerInstance" and tracking.metric_drives.known
    assert _statuses(result) == [("linked", "endpoint 'churn', variant 'AllTraffic'")]
    (target,) = result.scaling_targets
    assert (target.deployment_id, target.unit_name) == (deployment.id, "AllTraffic")
    # A pre-commit run of the configuration alone reads the others as context, with the same outcome.
    alone = lint_paths([str(tmp_path / "config.json")], LintOptions())
    assert alone.findings == () and len(alone.deployments[0].units[0].scaling) == 1


def test_a_scaling_document_changed_alone_judges_the_deployment_it_scales(tmp_path):
    # The policy watches CPU on a GPU variant (AS005): a pre-commit run of the policy alone still says so, at the policy.
    gpu = {**SCALED_CONFIG, "ProductionVariants": [{**SCALED_CONFIG["ProductionVariants"][0], "InstanceType": "ml.g5.xlarge"}]}
    cpu = {
        **POLICY,
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 70.0,
            "CustomizedMetricSpecification": {"MetricName": "CPUUtilization", "Namespace": "/aws/sagemaker/Endpoints", "Statistic": "Average"},
        },
    }
    _write(tmp_path, config=gpu, endpoint=SCALED_ENDPOINT, target=TARGET, policy=cpu)
    whole = lint_paths([str(tmp_path)], LintOptions())
    assert [(finding.rule_id, Path(finding.path).name) for finding in whole.findings] == [("AS005", "policy.json")]
    for changed in ("policy.json", "target.json"):
        alone = lint_paths([str(tmp_path / changed)], LintOptions())
        assert alone.findings == whole.findings, changed


def test_a_target_document_without_a_policy_or_naming_no_variant_is_reported(tmp_path):
    _write(tmp_path, config=SCALED_CONFIG, endpoint=SCALED_ENDPOINT, target=TARGET)
    result = lint_paths([str(tmp_path)], LintOptions())
    assert [finding.rule_id for finding in result.findings] == ["AS007"]
    typo = {**TARGET, "ResourceId": "endpoint/churn/variant/AllTrafic"}
    _write(tmp_path, target=typo, policy={**POLICY, "ResourceId": typo["ResourceId"]})
    result = lint_paths([str(tmp_path)], LintOptions())
    assert sorted(finding.rule_id for finding in result.findings) == ["AS001", "AS002"]
    assert _statuses(result) == [("no-such-unit", "endpoint 'churn' has no variant 'AllTrafic' (variants: AllTraffic)")]
    (finding,) = [finding for finding in result.findings if finding.rule_id == "AS002"]
    assert (finding.path, finding.span.line) == (str(tmp_path / "target.json"), 3)  # at its ResourceId


def test_a_target_document_whose_endpoint_is_not_a_request_document(tmp_path):
    _write(tmp_path, target=TARGET, policy=POLICY)
    # Nowhere in the run: the endpoint must exist where the target is registered.
    assert _statuses(lint_paths([str(tmp_path)], ONLY_CORE)) == [("no-such-deployment", "no endpoint named 'churn' in this run")]
    # A configuration document no endpoint document names may be what the endpoint deploys.
    _write(tmp_path, config=SCALED_CONFIG)
    result = lint_paths([str(tmp_path)], LintOptions())
    assert [finding.rule_id for finding in result.findings] == []  # neither AS002 nor AS001 on the configuration
    assert [target.refers_to for target in result.scaling_targets] == [(f"{tmp_path / 'config.json'}#CreateEndpointConfig",)]
    (tmp_path / "config.json").unlink()
    # A template's endpoint of that name.
    (tmp_path / "stack.yaml").write_text(
        "Resources:\n"
        "  Config:\n"
        "    Type: AWS::SageMaker::EndpointConfig\n"
        "    Properties:\n"
        "      ProductionVariants: [{VariantName: AllTraffic, ModelName: m, InstanceType: ml.m5.xlarge, InitialInstanceCount: 2}]\n"
        "  Endpoint:\n"
        "    Type: AWS::SageMaker::Endpoint\n"
        "    Properties: {EndpointName: churn, EndpointConfigName: !GetAtt Config.EndpointConfigName}\n",
        encoding="utf-8",
    )
    result = lint_paths([str(tmp_path)], LintOptions())
    assert [finding.rule_id for finding in result.findings] == []
    assert [(target.status.value, target.refers_to) for target in result.scaling_targets] == [
        ("elsewhere-in-run", (f"{tmp_path / 'stack.yaml'}#Endpoint",))
    ]


def test_scaling_documents_of_another_service_or_unknown_resource(tmp_path):
    ecs = {"ServiceNamespace": "ecs", "ResourceId": "service/cluster/web", "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 3}
    component = {**TARGET, "ResourceId": "inference-component/llama", "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount"}
    _write(tmp_path, ecs=ecs, component=component)
    result = lint_paths([str(tmp_path)], ONLY_CORE)
    assert sorted(target.status.value for target in result.scaling_targets) == ["not-in-run", "other-service"]


COMPONENT_CONFIG = {
    "EndpointConfigName": "llm-config",
    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",
    "ProductionVariants": [{"VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 2}],
}
COMPONENT_ENDPOINT = {"EndpointName": "llm", "EndpointConfigName": "llm-config"}
COMPONENT_MODEL = {
    "ModelName": "llama-8b",
    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",
    "PrimaryContainer": {
        "Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.3.1-gpu-py311-cu124-ubuntu22.04",
        "Environment": {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct"},
    },
}
COMPONENT = {
    "InferenceComponentName": "llama",
    "EndpointName": "llm",
    "VariantName": "AllTraffic",
    "Specification": {
        "ModelName": "llama-8b",
        "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 1200, "ContainerStartupHealthCheckTimeoutInSeconds": 1200},
        "ComputeResourceRequirements": {"NumberOfAcceleratorDevicesRequired": 1, "MinMemoryRequiredInMb": 16384},
    },
    "RuntimeConfig": {"CopyCount": 2},
}
COPIES = {"ServiceNamespace": "sagemaker", "ResourceId": "inference-component/llama", "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount"}
COPIES_POLICY = {
    "PolicyName": "llama-invocations",
    **COPIES,
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 4.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"},
    },
}


def test_inference_component_documents_are_units_of_the_endpoint_they_name(tmp_path):
    """`aws sagemaker create-inference-component --cli-input-json` documents: each is one more unit of its endpoint,
    on its variant's instances; a copy-count target scales it. The variant's capacity follows its components: no
    AS001 in production, as for a template's components (it was an error before components were read)."""
    prod = tmp_path / "prod"
    prod.mkdir()
    documents = {
        "config": COMPONENT_CONFIG, "endpoint": COMPONENT_ENDPOINT, "model": COMPONENT_MODEL, "component": COMPONENT,
        "copies": {**COPIES, "MinCapacity": 2, "MaxCapacity": 8}, "policy": COPIES_POLICY,
    }
    _write(prod, **documents)
    result = lint_paths([str(prod)], LintOptions())
    assert [finding.message for finding in result.findings] == []
    (deployment,) = result.deployments
    variant, component = deployment.units
    assert (str(component.name.value), component.count.value, component.model_names) == ("llama", 2, ("llama-8b",))
    assert component.compute.instance_type.span == variant.compute.instance_type.span  # on the variant's instances
    assert component.requirements.accelerator_devices.value == 1
    assert [str(model.name.value) for model in deployment.models] == ["llama-8b"]
    (scaling,) = component.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 8) and not variant.scaling
    assert _statuses(result) == [("linked", "inference component 'llama'")]
    # A pre-commit run of the component alone judges the endpoint it is placed on, as the whole run does.
    for changed in ("component.json", "copies.json"):
        alone = lint_paths([str(prod / changed)], LintOptions())
        assert alone.findings == () and [unit.name.value for unit in alone.deployments[0].units] == ["AllTraffic", "llama"], changed
    # A copy of 8 accelerators on 4-GPU instances: CP008 at the component's requirements, as in a template.
    greedy = {**COMPONENT, "Specification": {**COMPONENT["Specification"], "ComputeResourceRequirements": {"NumberOfAcceleratorDevicesRequired": 8}}}
    _write(prod, component=greedy)
    (finding,) = lint_paths([str(prod)], LintOptions()).findings
    assert (finding.rule_id, Path(finding.path).name) == ("CP008", "component.json")
    assert "needs 8 accelerators, but an instance of variant AllTraffic (ml.g5.12xlarge) has 4" in finding.message


def test_a_variant_target_does_not_scale_a_component_of_the_same_name(tmp_path):
    # The variant and the component placed on it are both called llama: the variant's instance-count target is the
    # variant's, and the component's copies stay unscaled (AS001 on the component).
    config = {**COMPONENT_CONFIG, "ProductionVariants": [{**COMPONENT_CONFIG["ProductionVariants"][0], "VariantName": "llama"}]}
    component = {**COMPONENT, "VariantName": "llama"}
    instances = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/llm/variant/llama", "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}
    policy = {**POLICY, **instances}
    _write(tmp_path, config=config, endpoint=COMPONENT_ENDPOINT, model=COMPONENT_MODEL, component=component,
           target={**instances, "MinCapacity": 2, "MaxCapacity": 4}, policy=policy)
    result = lint_paths([str(tmp_path)], LintOptions())
    variant, placed = result.deployments[0].units
    assert len(variant.scaling) == 1 and placed.scaling == ()
    assert [(finding.rule_id, Path(finding.path).name) for finding in result.findings] == [("AS001", "component.json")]


def test_an_inference_component_document_whose_endpoint_is_elsewhere_is_not_judged(tmp_path):
    _write(tmp_path, component=COMPONENT, copies={**COPIES, "MinCapacity": 1, "MaxCapacity": 4}, policy=COPIES_POLICY)
    result = lint_paths([str(tmp_path)], LintOptions())
    assert result.findings == () and result.deployments == ()
    assert _statuses(result) == [("not-in-run", "no inference component named 'llama' is placed on an endpoint of the requests")]


@pytest.mark.parametrize(
    "document",
    [
        {"foo": 1},
        {"ModelName": "m"},
        {"EndpointName": "e"},
        {"Resources": {"M": {"Type": "AWS::SageMaker::Model"}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "data": {"StartAt": "x"}},
        ["StartAt", "States"],
        {"Version": "2020-12-01", "Steps": "none"},
        {"StartAt": "A", "States": "none"},
    ],
)
def test_a_document_that_is_not_a_request_or_definition_is_not_claimed(document):
    source = load_text("other.json", json.dumps(document))
    (parsed,) = source.documents
    run = RunContext(source.documents, ONLY_CORE)
    assert sagemaker_api.mldeploy_extract(parsed, run) is None
    assert workflows.mldeploy_extract(parsed, run) is None


MALFORMED = [
    ("api.json", {"TrainingJobName": ["x"], "ResourceConfig": "big", "StoppingCondition": 5, "EnableManagedSpotTraining": "sometimes", "Tags": "none"}),
    ("api.json", {"TransformJobName": "t", "TransformResources": [1, 2], "MaxPayloadInMB": {"a": 1}, "ModelName": None}),
    ("api.json", {"EndpointConfigName": "c", "ProductionVariants": {"not": "a list"}, "Tags": [{"Key": 1}, "x", {"Value": "v"}]}),
    ("api.json", {"EndpointConfigName": "c", "ProductionVariants": [None, {"ServerlessConfig": "small", "InstanceType": 5}]}),
    ("api.json", {"HyperParameterTuningJobName": "h", "HyperParameterTuningJobConfig": 1, "TrainingJobDefinitions": "x", "TrainingJobDefinition": [1]}),
    ("flow.asl.json", {"StartAt": "A", "States": {"A": "task", "B": {"Type": "Task", "Resource": 5}, "C": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob", "Parameters": "x"}, "D": {"Type": "Parallel", "Branches": [1, {"States": 2}]}, "E": {"Type": "Map", "Iterator": {"StartAt": "F", "States": {"F": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob", "Parameters": {"TransformResources": {"InstanceType.$": 5}, "Tags": [{"Key": "mldeploy-lint:payload-mb", "Value": "huge"}]}}}}}}}),
    ("pipeline.json", {"Version": "2020-12-01", "Parameters": [1, {"Name": 2}], "Steps": [{"Name": "S", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceType": {"Get": 5}, "InstanceCount": {"Std:Join": {"On": 1, "Values": 2}}}}}, {"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": "x"}}]}),
]


@pytest.mark.parametrize("path, document", MALFORMED, ids=[str(index) for index in range(len(MALFORMED))])
def test_malformed_values_never_crash(path, document):
    result = lint_text(json.dumps(document, indent=1), path, ONLY_CORE)
    assert [finding.rule_id for finding in result.findings if finding.rule_id == "MD002"] == []


def _scaling_machine(register: dict, endpoint_name: object = "churn") -> dict:
    """A state machine that creates an endpoint, then registers its autoscaling through the AWS SDK integration."""
    sdk = "arn:aws:states:::aws-sdk:applicationautoscaling:"
    endpoint = {"EndpointName": endpoint_name} if isinstance(endpoint_name, str) else {"EndpointName.$": "$.endpoint_name"}
    return {
        "StartAt": "CreateConfig",
        "States": {
            "CreateConfig": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpointConfig", "Parameters": SCALED_CONFIG, "Next": "CreateEndpoint"},
            "CreateEndpoint": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createEndpoint", "Parameters": {**endpoint, "EndpointConfigName": "churn-config"}, "Next": "Register"},
            "Register": {"Type": "Task", "Resource": sdk + "registerScalableTarget", "Parameters": register, "Next": "Scale"},
            "Scale": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Policy", "States": {"Policy": {"Type": "Task", "Resource": sdk + "putScalingPolicy", "Parameters": {**POLICY, **{key: value for key, value in register.items() if key.startswith("ResourceId")}}, "End": True}}},
            ]},
        },
    }


def test_a_state_machine_that_registers_its_endpoints_autoscaling_scales_it():
    result = lint_text(json.dumps(_scaling_machine(TARGET), indent=1), "deploy.asl.json", LintOptions())
    assert result.findings == ()  # no AS001: the machine scales the endpoint it creates
    (deployment,) = result.deployments
    (scaling,) = deployment.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 6)
    assert [policy.metric.value for policy in scaling.policies] == ["SageMakerVariantInvocationsPerInstance"]
    assert [(target.status.value, target.deployment_id) for target in result.scaling_targets] == [("linked", deployment.id)]
    fixed = lint_text(json.dumps(_scaling_machine({**TARGET, "MaxCapacity": 2}), indent=1), "deploy.asl.json", LintOptions())
    assert [finding.rule_id for finding in fixed.findings] == ["AS003"]


def test_a_state_machine_scaling_an_endpoint_named_at_run_time_keeps_as001_silent_and_says_why():
    dynamic = {**{key: value for key, value in TARGET.items() if key != "ResourceId"},
               "ResourceId.$": "States.Format('endpoint/{}/variant/AllTraffic', $.endpoint_name)"}
    result = lint_text(json.dumps(_scaling_machine(dynamic, endpoint_name=None), indent=1), "deploy.asl.json", LintOptions())
    assert result.findings == ()
    (deployment,) = result.deployments
    (said,) = result.not_judged_of(deployment)
    assert said.rule_id == "AS001" and "set at run time" in said.message
    # Without the registration, the endpoint it creates has no autoscaling.
    machine = _scaling_machine(TARGET)
    del machine["States"]["Register"], machine["States"]["Scale"]
    machine["States"]["CreateEndpoint"]["End"] = True
    del machine["States"]["CreateEndpoint"]["Next"]
    alone = lint_text(json.dumps(machine, indent=1), "deploy.asl.json", LintOptions())
    assert [finding.rule_id for finding in alone.findings] == ["AS001"]



def test_a_state_machine_placing_inference_components_on_its_endpoint():
    """`aws-sdk:sagemaker:createInferenceComponent` tasks are units of the endpoint the machine creates, scaled by its
    copy-count registrations; the variant follows its components (no AS001), as in a template."""
    def task(resource: str, parameters: dict, following: str | None) -> dict:
        return {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Parameters": parameters, **({"Next": following} if following else {"End": True})}

    machine = {
        "StartAt": "CreateConfig",
        "States": {
            "CreateConfig": task("sagemaker:createEndpointConfig", COMPONENT_CONFIG, "CreateEndpoint"),
            "CreateEndpoint": task("sagemaker:createEndpoint", COMPONENT_ENDPOINT, "CreateComponent"),
            "CreateComponent": task("aws-sdk:sagemaker:createInferenceComponent", COMPONENT, "Register"),
            "Register": task("aws-sdk:applicationautoscaling:registerScalableTarget", {**COPIES, "MinCapacity": 2, "MaxCapacity": 8}, "Scale"),
            "Scale": task("aws-sdk:applicationautoscaling:putScalingPolicy", COPIES_POLICY, None),
        },
    }
    result = lint_text(json.dumps(machine, indent=1), "prod/deploy.asl.json", LintOptions())
    assert result.findings == ()
    (deployment,) = result.deployments
    variant, component = deployment.units
    assert (str(component.name.value), component.count.value) == ("llama", 2) and len(component.scaling) == 1
    assert component.compute.instance_type.span == variant.compute.instance_type.span
    assert [(target.status.value, target.unit_name) for target in result.scaling_targets] == [("linked", "llama")]
    # Without its copy-count registration, the component's copies are what nothing scales.
    machine["States"]["CreateComponent"] = task("aws-sdk:sagemaker:createInferenceComponent", COMPONENT, None)
    del machine["States"]["Register"], machine["States"]["Scale"]
    (finding,) = lint_text(json.dumps(machine, indent=1), "prod/deploy.asl.json", LintOptions()).findings
    assert finding.rule_id == "AS001" and "(llama)" in finding.message

ODD_SCALING_DOCUMENTS = [
    {**TARGET, "ResourceId": ["endpoint", "churn"]},
    {**TARGET, "ResourceId": None, "MinCapacity": "two", "MaxCapacity": 1e400},
    {**TARGET, "ScalableDimension": 5, "ServiceNamespace": {"a": 1}},
    {**TARGET, "ResourceId": "endpoint//variant/"},
    {**TARGET, "ResourceId": "endpoint/churn/variant/AllTraffic/extra"},
    {**POLICY, "TargetTrackingScalingPolicyConfiguration": "x", "PolicyType": 3},
    {**POLICY, "TargetTrackingScalingPolicyConfiguration": {"TargetValue": "lots", "CustomizedMetricSpecification": {"Metrics": [1, {"MetricStat": 2}]}}},
    {**SCHEDULE, "ResourceId": None},
    {"PolicyName": None, "ScalableDimension": None},
]


@pytest.mark.parametrize("odd", ODD_SCALING_DOCUMENTS, ids=[str(index) for index in range(len(ODD_SCALING_DOCUMENTS))])
def test_odd_scaling_documents_beside_the_endpoint_never_crash(odd):
    stream = "\n---\n".join(json.dumps(document) for document in (SCALED_CONFIG, SCALED_ENDPOINT, TARGET, odd))
    result = lint_text(stream, "requests.yaml", LintOptions())
    assert [finding.message for finding in result.findings if finding.rule_id in ("MD001", "MD002")] == []
    assert result.deployments[0].units[0].scaling  # the well-formed target still scales the variant


def test_a_malformed_value_keeps_what_was_written():
    result = lint_text(json.dumps(MALFORMED[0][1]), "api.json", ONLY_CORE)
    (deployment,) = result.deployments
    assert deployment.training.managed_spot.value is UNKNOWN
    assert deployment.training.managed_spot.raw == "sometimes"
    assert deployment.training.max_runtime_seconds.value is UNKNOWN
    assert deployment.training.max_runtime_seconds.note == "expected a mapping"


def test_an_invalid_profile_tag_in_a_task_is_reported_where_it_is_written():
    result = lint_text(json.dumps(MALFORMED[5][1], indent=1), "flow.asl.json", ONLY_CORE)
    assert [finding.rule_id for finding in result.findings] == ["MD004"]
    assert "payload-mb" in result.findings[0].message


def test_a_fn_sub_definition_string_is_parsed_after_substitution():
    result = _read(
        """\
Parameters:
  TransformType: {Type: String, Default: ml.c5.2xlarge}
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "Score", "States": {"Score": {"Type": "Task", "End": true,
          "Resource": "arn:${AWS::Partition}:states:::sagemaker:createTransformJob.sync",
          "Parameters": {"TransformJobName.$": "$$.Execution.Name", "ModelName": "${AWS::StackName}-model",
            "TransformResources": {"InstanceType": "${TransformType}", "InstanceCount": 1}}}}}
"""
    )
    (score,) = result.deployments
    assert score.kind.value is DeploymentKind.BATCH_TRANSFORM
    assert score.units[0].compute.instance_type.value == "ml.c5.2xlarge"
    assert score.units[0].compute.instance_type.span.line == 7
    assert score.units[0].model_names == ("${AWS::StackName}-model",)


@pytest.mark.parametrize(
    "capture, known, value, provenance",
    [
        ({"EnableCapture": True}, True, True, Provenance.DECLARED),
        ({"EnableCapture": False}, True, False, Provenance.DECLARED),
        ({"InitialSamplingPercentage": 10}, True, True, Provenance.DEFAULT),  # enabled by default
        ({"EnableCapture": "maybe"}, False, None, Provenance.DECLARED),  # malformed stays unknown
    ],
)
def test_an_endpoint_config_request_captures_data_by_default_only_when_enable_capture_is_absent(
    capture, known, value, provenance
):
    request = {
        "EndpointConfigName": "scorer-config",
        "ProductionVariants": [{"VariantName": "A", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
        "DataCaptureConfig": {"DestinationS3Uri": "s3://bucket/capture/", "CaptureOptions": [{"CaptureMode": "Input"}], **capture},
    }
    (deployment,) = _read(json.dumps(request), "create-endpoint-config.json").deployments
    assert deployment.data_capture.known is known
    assert deployment.data_capture.get() == value
    assert deployment.data_capture.provenance is provenance

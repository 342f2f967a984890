"""The Terraform adapter's Step Functions state machines and SageMaker pipelines, read by the shared workflow reader."""

from __future__ import annotations

import os
from pathlib import Path

from linter.api import lint_paths, lint_text
from test_intrinsics_hostile import within

TRAINING_STATE = '''
resource "aws_sfn_state_machine" "train" {
  name     = "train"
  role_arn = "arn"
  tags     = { Environment = "prod" }
  definition = jsonencode({
    StartAt = "Train"
    States = {
      Train = {
        Type     = "Task"
        Resource = "arn:aws:states:::sagemaker:createTrainingJob.sync"
        Parameters = {
          "TrainingJobName.$" = "$.name"
          AlgorithmSpecification = { TrainingImage = var.image, TrainingInputMode = "File" }
          ResourceConfig = { InstanceType = "ml.p3.2xlarge", InstanceCount = 1, VolumeSizeInGB = 30 }
          StoppingCondition = { MaxRuntimeInSeconds = 3600 }
        }
        End = true
      }
    }
  })
}
variable "image" {
  type = string
}
'''


def test_a_jsonencoded_definition_is_read_by_the_workflow_reader():
    result = lint_text(TRAINING_STATE, "main.tf")
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    (deployment,) = result.deployments
    assert deployment.id == "main.tf#aws_sfn_state_machine.train/Train"
    assert deployment.kind.value.value == "training"
    assert deployment.units[0].compute.instance_type.value == "ml.p3.2xlarge"
    assert deployment.environment.value.value == "prod"
    assert not deployment.models[0].image.known  # var.image has no value


def test_a_heredoc_definition_with_interpolations_is_read():
    text = '''
resource "aws_sfn_state_machine" "s" {
  name     = "s"
  role_arn = "arn"
  definition = <<EOF
{
  "StartAt": "Train",
  "States": {
    "Train": {
      "Type": "Task",
      "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
      "Parameters": {
        "AlgorithmSpecification": {"TrainingImage": "${var.image}", "TrainingInputMode": "File"},
        "ResourceConfig": {"InstanceType": "${var.type}", "InstanceCount": 1, "VolumeSizeInGB": 30}
      },
      "End": true
    }
  }
}
EOF
}
variable "type" {
  default = "ml.g5.xlarge"
}
variable "image" {}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.units[0].compute.instance_type.value == "ml.g5.xlarge"
    assert deployment.span.path == "main.tf"


def test_file_and_templatefile_definitions_inside_the_module(tmp_path: Path):
    module = tmp_path / "module"
    module.mkdir()
    (module / "definition.tpl").write_text(
        '{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",'
        ' "Parameters": {"ModelName": "m", "TransformResources": {"InstanceType": "${instance_type}", "InstanceCount": ${count}}}, "End": true}}}'
    )
    (module / "main.tf").write_text('''
resource "aws_sfn_state_machine" "t" {
  name       = "t"
  role_arn   = "arn"
  definition = templatefile("${path.module}/definition.tpl", { instance_type = "ml.c5.xlarge", count = 2 })
}
resource "aws_sfn_state_machine" "outside" {
  name       = "o"
  role_arn   = "arn"
  definition = file("${path.module}/../secret.json")
}
''')
    (tmp_path / "secret.json").write_text(
        '{"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",'
        ' "Parameters": {"ModelName": "m", "TransformResources": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1}}, "End": true}}}'
    )
    result = lint_paths([str(module / "main.tf")])
    (deployment,) = result.deployments
    assert deployment.units[0].compute.instance_type.value == "ml.c5.xlarge"
    assert deployment.units[0].count.value == 2
    assert os.path.basename(deployment.units[0].compute.instance_type.span.path) == "definition.tpl"


def test_a_definition_file_linked_in_the_run_is_read_once(tmp_path: Path):
    (tmp_path / "machine.asl.json").write_text(
        '{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",'
        ' "Parameters": {"ModelName": "m", "TransformResources": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1}}, "End": true}}}'
    )
    (tmp_path / "main.tf").write_text('resource "aws_sfn_state_machine" "t" {\n  name = "t"\n  role_arn = "arn"\n  definition = file("machine.asl.json")\n}\n')
    result = lint_paths([str(tmp_path)])
    assert len(result.deployments) == 1


def test_a_pipeline_definition_is_read():
    text = '''
resource "aws_sagemaker_pipeline" "p" {
  pipeline_name         = "p"
  pipeline_display_name = "p"
  role_arn              = "arn"
  pipeline_definition = jsonencode({
    Version    = "2020-12-01"
    Parameters = [{ Name = "TrainType", Type = "String", DefaultValue = "ml.m5.xlarge" }]
    Steps = [{
      Name = "Train"
      Type = "Training"
      Arguments = {
        AlgorithmSpecification = { TrainingImage = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", TrainingInputMode = "File" }
        ResourceConfig = { InstanceType = { Get = "Parameters.TrainType" }, InstanceCount = 1, VolumeSizeInGB = 30 }
        StoppingCondition = { MaxRuntimeInSeconds = 3600 }
      }
    }]
  })
}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.id == "main.tf#aws_sagemaker_pipeline.p/Train"
    assert deployment.units[0].compute.instance_type.value == "ml.m5.xlarge"


def test_hostile_definitions_are_bounded(tmp_path: Path):
    (tmp_path / "big.json").write_text("[" * 100 + "]" * 100)
    (tmp_path / "main.tf").write_text(
        'resource "aws_sfn_state_machine" "a" {\n  definition = file("big.json")\n}\n'
        'resource "aws_sfn_state_machine" "b" {\n  definition = file("/etc/passwd")\n}\n'
        'resource "aws_sfn_state_machine" "c" {\n  definition = templatefile("big.json", var.unknown)\n}\n'
        'resource "aws_sfn_state_machine" "d" {\n  definition = "not json"\n}\n'
    )
    with within(2):
        result = lint_paths([str(tmp_path / "main.tf")])
    assert [finding.rule_id for finding in result.findings if finding.rule_id in ("MD001", "MD002")] == []
    assert result.deployments == ()

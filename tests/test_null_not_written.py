"""A null field (`null`, `~`, an empty value) is not written, in every reader.

CloudFormation, the AWS APIs and the Kubernetes API server all read a null
field as an unset one: a serverless variant with `InstanceType: null` is a
plain serverless variant, `replicas: ~` is the default of one replica, and
managed Spot training with `MaxWaitTimeInSeconds: null` sets no maximum
wait. Each case is checked on every adapter that reads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter import MappingNode, ScalarNode, api, is_null, load_text

from rule_harness import host


def lint_snippet(text: str, name: str):
    return api.lint_text(text, name, host=host())

CFN_SERVERLESS = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: 683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt Model.ModelName
          InstanceType: {instance_type}
          InitialInstanceCount: {count}
          ServerlessConfig:
            MemorySizeInMB: 2048
            MaxConcurrency: 5
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
"""

API_SERVERLESS = {
    "EndpointConfigName": "scorer",
    "ProductionVariants": [
        {
            "VariantName": "AllTraffic",
            "ModelName": "scorer",
            "InstanceType": None,
            "InitialInstanceCount": None,
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
        }
    ],
}

ACK_SERVERLESS = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata:
  name: scorer
  namespace: ml-serving
spec:
  endpointConfigName: scorer
  productionVariants:
    - variantName: AllTraffic
      modelName: scorer
      instanceType: {instance_type}
      initialInstanceCount: {count}
      serverlessConfig:
        memorySizeInMB: 2048
        maxConcurrency: 5
"""


def _rules(text: str, name: str) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in lint_snippet(text, name).findings]


@pytest.mark.parametrize("null", ["null", "~", ""], ids=["null", "tilde", "empty"])
def test_cloudformation_serverless_variant_with_null_instance_settings_is_not_cv003(null):
    assert "CV003" not in {rule for rule, _ in _rules(CFN_SERVERLESS.format(instance_type=null, count=null), "template.yaml")}


def test_cloudformation_serverless_variant_with_instance_settings_is_cv003():
    text = CFN_SERVERLESS.format(instance_type="ml.m5.large", count=1)
    assert ("CV003", 15) in _rules(text, "template.yaml")


CFN_JSON_SERVERLESS = {
    "Resources": {
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "scorer",
                        "InstanceType": None,
                        "InitialInstanceCount": None,
                        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                    }
                ]
            },
        }
    }
}


def test_cloudformation_json_null_is_not_cv003():
    result = lint_snippet(json.dumps(CFN_JSON_SERVERLESS, indent=2), "template.json")
    assert result.files[0].recognised
    assert "CV003" not in {finding.rule_id for finding in result.findings}
    config = CFN_JSON_SERVERLESS["Resources"]["Config"]
    variant = dict(config["Properties"]["ProductionVariants"][0], InstanceType="ml.m5.large", InitialInstanceCount=1)
    written = {"Resources": {"Config": dict(config, Properties={"ProductionVariants": [variant]})}}
    assert "CV003" in {finding.rule_id for finding in lint_snippet(json.dumps(written, indent=2), "template.json").findings}


def test_a_real_describe_response_with_nulls_is_a_plain_serverless_variant():
    """The ACK controller's recorded DescribeEndpointConfig of a serverless config: `"InstanceType": null` and all."""
    path = Path(__file__).parent / "fixtures" / "corpus" / "cv003-ack-describe-serverless-nulls.json"
    result = api.lint_paths([str(path)], host=host(), context="none")
    (deployment,) = result.deployments
    assert deployment.kind.value.value == "serverless"  # `"AsyncInferenceConfig": null` is not an async endpoint
    assert "CV003" not in {finding.rule_id for finding in result.findings}


def test_api_document_null_is_not_cv003():
    result = lint_snippet(json.dumps(API_SERVERLESS, indent=2), "create-endpoint-config.json")
    assert result.files[0].recognised
    assert "CV003" not in {finding.rule_id for finding in result.findings}
    variant = dict(API_SERVERLESS["ProductionVariants"][0], InstanceType="ml.m5.large", InitialInstanceCount=1)
    fired = lint_snippet(json.dumps(dict(API_SERVERLESS, ProductionVariants=[variant]), indent=2), "create-endpoint-config.json")
    assert "CV003" in {finding.rule_id for finding in fired.findings}


@pytest.mark.parametrize("null", ["null", "~"])
def test_ack_null_is_not_cv003(null):
    assert "CV003" not in {rule for rule, _ in _rules(ACK_SERVERLESS.format(instance_type=null, count=null), "endpoint-config.yaml")}
    assert "CV003" in {rule for rule, _ in _rules(ACK_SERVERLESS.format(instance_type="ml.m5.large", count=1), "endpoint-config.yaml")}


KUBERNETES_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ranker
  namespace: search-prod
  labels: {{environment: production}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: ranker}}
  template:
    metadata:
      labels: {{app: ranker}}
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits: {{nvidia.com/gpu: "1"}}
"""


@pytest.mark.parametrize("null", ["~", "null", ""], ids=["tilde", "null", "empty"])
def test_kubernetes_null_replicas_is_the_default_of_one(null):
    """`replicas: ~` is unset: the API server runs one replica (HA003), never zero or unknown."""
    findings = lint_snippet(KUBERNETES_DEPLOYMENT.format(replicas=null), "ranker.yaml").findings
    single = [finding for finding in findings if finding.rule_id == "HA003"]
    assert len(single) == 1 and "runs 1 replica" in single[0].message
    written = lint_snippet(KUBERNETES_DEPLOYMENT.format(replicas=3), "ranker.yaml").findings
    assert "HA003" not in {finding.rule_id for finding in written}


TRAINING_REQUEST = {
    "TrainingJobName": "churn-xgb",
    "AlgorithmSpecification": {
        "TrainingImage": "683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        "TrainingInputMode": "File",
    },
    "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
    "OutputDataConfig": {"S3OutputPath": "s3://models/out/"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "EnableManagedSpotTraining": True,
    "CheckpointConfig": {"S3Uri": "s3://models/checkpoints/"},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": None},
}

ACK_TRAINING = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: TrainingJob
metadata:
  name: churn-train
  namespace: ml-batch
spec:
  trainingJobName: churn-train
  roleARN: arn:aws:iam::123456789012:role/sagemaker
  algorithmSpecification:
    trainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
    trainingInputMode: File
  outputDataConfig:
    s3OutputPath: s3://models/out/
  resourceConfig:
    instanceType: ml.m5.2xlarge
    instanceCount: 1
    volumeSizeInGB: 50
  enableManagedSpotTraining: true
  stoppingCondition:
    maxRuntimeInSeconds: 7200
    maxWaitTimeInSeconds: ~
  checkpointConfig:
    s3URI: s3://models/checkpoints/
"""


def test_api_document_null_max_wait_is_no_max_wait():
    findings = lint_snippet(json.dumps(TRAINING_REQUEST, indent=2), "create-training-job.json").findings
    assert [finding.message for finding in findings if finding.rule_id == "SP003" and "sets no StoppingCondition.MaxWaitTimeInSeconds" in finding.message]


def test_ack_null_max_wait_is_no_max_wait():
    findings = lint_snippet(ACK_TRAINING, "training-job.yaml").findings
    assert [finding for finding in findings if finding.rule_id == "SP003" and "MaxWaitTimeInSeconds" in finding.message]


def test_a_null_value_stays_in_the_pairs_but_is_not_found():
    root = load_text("f.yaml", "a: ~\nb: null\nc:\nd: 'null'\ne: 1\ne: ~\n").documents[0].root
    assert isinstance(root, MappingNode)
    assert [key for key in "abcde" if root.get(key) is not None] == ["d"]  # the last `e` wins, and it is null
    assert [key for key in "abcde" if key in root] == ["d"]
    assert root.keys() == ["a", "b", "c", "d", "e"] and root.key_node("a") is not None
    quoted = root.get("d")
    assert isinstance(quoted, ScalarNode) and not is_null(quoted)

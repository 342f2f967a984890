"""What the deployments of many templates keep: one copy of the words they say alike, not one per template.

A run of a thousand small templates keeps every deployment until the
report. A note built from a table's answer or from a tag (`instance family
m5`, `tag Environment=production`, the image's Region) is the same words
in every template that says it: these tests pin that two templates share
one copy of each, and that the words are the ones a single template gets.
"""

from __future__ import annotations

from linter import Deployment
from linter.source import load_text

from plugins.adapters.cloudformation import extract_template

TEMPLATE = """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer: {Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: !GetAtt Model.ModelName, InstanceType: ml.m5.large, InitialInstanceCount: 2}
      Tags:
        - {Key: Environment, Value: production}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
"""


def _deployment(path: str) -> Deployment:
    (deployment,) = [item for item in extract_template(load_text(path, TEMPLATE).documents[0]) if isinstance(item, Deployment)]
    return deployment


def _said(deployment: Deployment) -> dict[str, object]:
    compute = deployment.units[0].compute
    return {
        "family note": compute.accelerator.note,
        "count note": compute.accelerator_count.note,
        "burstable note": compute.burstable.note,
        "region": deployment.region.value,
        "region note": deployment.region.note,
        "environment note": deployment.environment.note,
        "model name note": deployment.models[0].name.note,
        "endpoint name note": deployment.name.note,
    }


def test_the_words_are_those_of_one_template():
    assert _said(_deployment("a/template.yaml")) == {
        "family note": "instance family m5",
        "count note": "instance family m5",
        "burstable note": "instance family m5",
        "region": "us-east-1",
        "region note": "SageMaker pulls the ECR image 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1 from its own Region",
        "environment note": "tag Environment=production",
        "model name note": "logical ID (no ModelName)",
        "endpoint name note": "logical ID (no EndpointName)",
    }


def test_two_templates_keep_one_copy_of_what_they_say_alike():
    first, second = _said(_deployment("a/template.yaml")), _said(_deployment("b/template.yaml"))
    assert [name for name in first if first[name] is not second[name]] == []

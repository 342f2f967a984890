"""What the deployments of many templates keep: one copy of the words they say alike, not one per template.

A run of a thousand small templates keeps every deployment until the
report. A note built from a table's answer or from a tag (`instance family
m5`, `tag Environment=production`, the image's Region) is the same words
in every template that says it: these tests pin that two templates share
one copy of each, and that the words are the ones a single template gets.
A scaling target's `Scaling` is made with the tables' metric facts, not
copied to take them, and is the one `with_sagemaker_metric_facts` gives.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from linter import Deployment, Scaling, ScalingTarget
from linter.source import load_text

from plugins.adapters.aws import application_autoscaling
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


SCALED = TEMPLATE + """\
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: !Sub endpoint/${Endpoint.EndpointName}/variant/AllTraffic
      MinCapacity: 2
      MaxCapacity: 4
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: scale
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 70
        PredefinedMetricSpecification:
          PredefinedMetricType: SageMakerVariantInvocationsPerInstance
"""


def _target(path: str) -> ScalingTarget:
    (target,) = [item for item in extract_template(load_text(path, SCALED).documents[0]) if isinstance(item, ScalingTarget)]
    return target


def test_a_scaling_is_the_one_the_metric_facts_give():
    scaling = _target("a/template.yaml").scaling
    (policy,) = scaling.policies
    assert policy.metric_kind.known and policy.metric_drives.known and scaling.fitting_metrics
    bare = replace(
        scaling,
        policies=tuple(replace(each, metric_kind=type(each)().metric_kind, metric_published_in=type(each)().metric_published_in,
                               metric_unit=type(each)().metric_unit, metric_drives=type(each)().metric_drives) for each in scaling.policies),
        fitting_metrics=(),
    )
    assert application_autoscaling.with_sagemaker_metric_facts(bare) == scaling


def test_a_scaling_is_made_with_its_metric_facts_not_copied(monkeypatch: pytest.MonkeyPatch):
    def copied(scaling, **changes):
        raise AssertionError(f"the scaling was copied to take {sorted(changes)}")

    monkeypatch.setattr(Scaling, "replaced", copied, raising=False)
    assert _target("a/template.yaml").scaling.fitting_metrics


def test_two_templates_keep_one_copy_of_a_metric_note():
    (first,), (second,) = _target("a/template.yaml").scaling.policies, _target("b/template.yaml").scaling.policies
    assert first.metric_drives.note == "predefined metric SageMakerVariantInvocationsPerInstance"
    assert first.metric_drives.note is second.metric_drives.note
    assert first.metric_published_in.note is second.metric_published_in.note

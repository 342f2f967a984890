"""A SageMaker deployment's Region, inferred from the ECR images it pulls."""

from __future__ import annotations

import json

import pytest

from linter import api

TEMPLATE = """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      Containers:
{containers}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {{VariantName: A, ModelName: !GetAtt Model.ModelName, InstanceType: ml.m5.large, InitialInstanceCount: 2}}
"""

XGBOOST_EU = "685385470294.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
XGBOOST_US = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
XGBOOST_CN = "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1"


def _region(*images: str):
    containers = "\n".join(f"        - Image: {image}" for image in images)
    result = api.lint_text(TEMPLATE.format(containers=containers), "stack.yaml")
    [deployment] = result.deployments
    return deployment.region


@pytest.mark.parametrize(
    "images, region",
    [
        ((XGBOOST_EU,), "eu-west-1"),
        ((XGBOOST_CN,), "cn-north-1"),
        ((XGBOOST_EU, XGBOOST_EU.replace("xgboost", "scikit-learn")), "eu-west-1"),
        (('!Sub "${AWS::AccountId}.dkr.ecr.us-west-2.amazonaws.com/scorer:1.0"',), "us-west-2"),  # the account unresolved
    ],
)
def test_the_ecr_image_names_the_region(images, region):
    found = _region(*images)
    assert (found.value, found.provenance.value, found.span.line) == (region, "inferred", 6)
    assert "from its own Region" in found.note


@pytest.mark.parametrize(
    "images",
    [
        (XGBOOST_EU, XGBOOST_US),  # SageMaker would refuse one of them: no guess
        ("ghcr.io/acme/scorer:1.0",),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/scorer:1.0",),
        ('!Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/scorer:1.0"',),  # the Region itself unresolved
    ],
)
def test_no_region_without_one_ecr_region(images):
    assert not _region(*images).known


def test_api_documents_take_the_region_too(tmp_path):
    (tmp_path / "model.json").write_text(
        json.dumps({"ModelName": "m", "PrimaryContainer": {"Image": XGBOOST_US}, "ExecutionRoleArn": "arn:aws:iam::1:role/r"})
    )
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "EndpointConfigName": "c",
                "ProductionVariants": [{"VariantName": "A", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2}],
            }
        )
    )
    result = api.lint_paths([str(tmp_path)])
    assert [deployment.region.value for deployment in result.deployments] == ["us-east-1"]


def test_the_inferred_region_reaches_cp005s_regional_advice(tmp_path, monkeypatch):
    from plugins import data

    table = tmp_path / "data/schemas/extensions/aws_sagemaker_hosting/instancetype_enum.json"
    table.parent.mkdir(parents=True)
    table.write_text(json.dumps({"eu-west-1": {"enum": ["ml.g5.xlarge"]}}), encoding="utf-8")
    monkeypatch.setattr(data.instances, "_cfnlint_root", lambda: tmp_path)
    monkeypatch.setattr(data.instances, "_cfnlint_version", lambda: "9.9")
    data.regional_instance_types.cache_clear()
    containers = f"        - Image: {XGBOOST_EU}"
    result = api.lint_text(TEMPLATE.format(containers=containers), "stack.yaml")
    (finding,) = [finding for finding in result.findings if finding.rule_id == "CP005"]
    assert finding.severity.value == "info"
    assert finding.message.startswith("ml.m5.large is not listed for hosting in eu-west-1 in cfn-lint 9.9's regional tables — ")
    assert "instancetype_enum" not in finding.message  # cfn-lint's data is named by version, not by its file

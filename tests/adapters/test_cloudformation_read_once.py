"""What the CloudFormation adapter makes once and shares, rather than again for every resource or value.

A run of many small templates reads a few resources from each: these tests
pin that what does not depend on the resource is made once (and is the
answer the full reading gives), and that a shortcut gives the answer the
full reading gives.
"""

from __future__ import annotations

from linter import NO_PROFILE, NOT_WRITTEN, Deployment, Sourced, WorkloadProfile
from linter.api import lint_text
from linter.source import load_text

from plugins.adapters.aws.sagemaker_requests import RequestReader, read_variant
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.template import read_int, read_str
from plugins.adapters.cloudformation.workload import environment_of, profile_of

TEMPLATE = """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer: {Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload: {payload-mb: 12, latency-ms: 100}
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: !GetAtt Model.ModelName, InstanceType: ml.m5.large, InitialInstanceCount: 2}
      KmsKeyId: !Ref AWS::NoValue
      Tags:
        - {Key: "mldeploy-lint:traffic", Value: bursty}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
"""


def _template(text: str = TEMPLATE) -> TemplateContext:
    return TemplateContext.of(load_text("template.yaml", text).documents[0])


def test_resources_that_declare_no_profile_share_one():
    profile, problems = profile_of(_template().resources["Endpoint"])
    assert profile is NO_PROFILE and problems == []
    assert NO_PROFILE == WorkloadProfile()


def test_a_declared_profile_is_read_over_the_shared_empty_one():
    profile, problems = profile_of(_template().resources["Config"])
    assert problems == []
    assert (profile.payload_mb.value, profile.latency_ms.value, profile.traffic.value) == (12, 100, "bursty")
    assert profile.payload_mb.note == "Metadata mldeploy-lint.workload of Config"
    assert profile.traffic.note == "Tags mldeploy-lint:<key> of Config"
    assert NO_PROFILE == WorkloadProfile()  # left as it was


def test_values_not_written_are_one_shared_value():
    template = _template()
    config = template.resources["Config"]
    assert template.sourced(None) is NOT_WRITTEN
    assert template.read_int(config.property("KmsKeyId")) is NOT_WRITTEN  # `Ref AWS::NoValue` removes it
    assert read_str(None) is NOT_WRITTEN and read_int(None) is NOT_WRITTEN
    (variant,) = TemplateRequestReader(template).mappings(config.properties, "ProductionVariants")
    unit = read_variant(variant, TemplateRequestReader(template))
    assert unit.weight is NOT_WRITTEN and unit.startup_timeout_seconds is NOT_WRITTEN
    assert RequestReader().read_int(variant, "InitialVariantWeight") is NOT_WRITTEN
    assert NOT_WRITTEN == Sourced() and not NOT_WRITTEN.known and NOT_WRITTEN.span is None


def test_a_written_value_is_read_as_before():
    template = _template()
    (variant,) = TemplateRequestReader(template).mappings(template.resources["Config"].properties, "ProductionVariants")
    unit = read_variant(variant, TemplateRequestReader(template))
    assert unit.count.value == 2 and unit.count.span.line == 13
    assert unit.compute.instance_type.value == "ml.m5.large"


def test_what_a_template_does_not_declare_is_the_shared_value_too():
    endpoint = _template().resources["Endpoint"]
    assert environment_of(endpoint, profile_of(endpoint)[0]) is NOT_WRITTEN
    (deployment,) = [item for item in lint_text(TEMPLATE, "template.yaml").deployments if isinstance(item, Deployment)]
    assert deployment.monitored_by is NOT_WRITTEN and deployment.data_capture is NOT_WRITTEN
    (unit,) = deployment.units
    assert unit.attached_accelerator_kind is NOT_WRITTEN
    (model,) = deployment.models
    assert model.multi_model is NOT_WRITTEN
    assert NOT_WRITTEN == Sourced()

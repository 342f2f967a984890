"""A value that comes from a CloudFormation parameter's Default: reported at the property, the parameter named, the Default related."""

from __future__ import annotations

from linter import Span
from linter.api import lint_text

from rule_harness import host

TEMPLATE = """\
Parameters:
  InstanceTypeParam:
    Type: String
    Default: ml.t2.medium
  InstanceCountParam:
    Type: Number
    Default: 1
  ImageParam:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /ml/images/scoring
Resources:
  ScoringModel:
    Type: AWS::SageMaker::Model
    Properties:
      ModelName: scoring-model
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: !Ref ImageParam
  ScoringConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt ScoringModel.ModelName
          InstanceType: !Ref InstanceTypeParam
          InitialInstanceCount: !Ref InstanceCountParam
      Tags:
        - Key: Environment
          Value: production
  ScoringEndpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: scoring
      EndpointConfigName: !GetAtt ScoringConfig.EndpointConfigName
"""


def _findings(rule_id: str):
    return [finding for finding in lint_text(TEMPLATE, "template.yaml", host=host()).findings if finding.rule_id == rule_id]


def test_an_instance_type_from_a_parameter_default_is_reported_at_the_property():
    (finding,) = _findings("CP004")
    assert (finding.span.line, finding.span.column) == (25, 25)  # InstanceType: !Ref InstanceTypeParam
    assert finding.message.endswith("(ml.t2.medium is the Default of parameter InstanceTypeParam)")
    assert finding.related == ((Span("template.yaml", 4, 14, 4, 26), "ml.t2.medium is the Default of parameter InstanceTypeParam"),)


def test_a_count_from_a_parameter_default_names_the_parameter():
    (finding,) = _findings("HA001")
    assert finding.span.line == 26  # InitialInstanceCount: !Ref InstanceCountParam
    assert finding.message.endswith("(1 is the Default of parameter InstanceCountParam)")
    assert [(span.line, message) for span, message in finding.related] == [(7, "1 is the Default of parameter InstanceCountParam")]


def test_findings_about_other_values_carry_no_related_location():
    (finding,) = _findings("AS001")  # about the variant, not about a value a parameter decides
    assert finding.related == () and "Default of parameter" not in finding.message


def test_an_ssm_parameter_default_is_a_name_not_the_value():
    from plugins.adapters.cloudformation.context import TemplateContext
    from linter import child, load_text

    (document,) = load_text("template.yaml", TEMPLATE).documents
    context = TemplateContext.of(document)
    image = context.read_str(child(document.root, "Resources", "ScoringModel", "Properties", "PrimaryContainer", "Image"))
    assert not image.known and image.related == ()
    instance_type = context.read_str(child(document.root, "Resources", "ScoringConfig", "Properties", "ProductionVariants").items[0].get("InstanceType"))
    assert instance_type.value == "ml.t2.medium" and instance_type.note == "resolved from Ref: the Default of parameter InstanceTypeParam"

"""The CloudFormation intrinsic resolver: known where the template allows, explicit where not."""

from __future__ import annotations

import pytest

from linter import load_text
from plugins.adapters.cloudformation.intrinsics import (
    NO_VALUE,
    Choice,
    Opaque,
    Partial,
    Resolver,
    ResourceValue,
    is_known,
    split_text,
)

TEMPLATE = """\
Parameters:
  ModelName: {Type: String}
  Stage: {Type: String, Default: prd}
  Count: {Type: Number, Default: 2}
  SsmImage: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /images/scorer}
Conditions:
  IsProd: !Equals [!Ref Stage, prd]
  IsBig: !Equals [!Ref ModelName, big]
  ProdAndSmall: !And [!Condition IsProd, !Not [!Condition IsBig]]
  ProdOrBig: !Or [!Condition IsProd, !Condition IsBig]
  CountIsTwo: !Equals [!Ref Count, "2"]
  Loop: !Not [!Condition Loop]
Mappings:
  Sizes: {us-east-1: {instance: ml.m5.large}}
Resources:
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub mlops-${ModelName}-prd
  Unnamed:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: config
  Values:
    Type: Custom::Values
    Properties:
      SubPartial: !Sub endpoint/mlops-${ModelName}-prd/variant/AllTraffic
      SubResource: !Sub endpoint/${Endpoint.EndpointName}/variant/AllTraffic
      SubLiteral: !Sub '${!NotAVariable}-${Stage}'
      SubMap: {"Fn::Sub": ["${Size}-x", {Size: !Ref Count}]}
      Join: !Join ['/', [endpoint, !GetAtt Endpoint.EndpointName, variant, x]]
      JoinKnown: !Join ['-', [a, !Ref Stage, 3]]
      IfKnown: !If [IsProd, 3, 1]
      IfUnknown: !If [IsBig, 3, 1]
      IfSame: !If [IsBig, 3, 3]
      FindInMap: !FindInMap [Sizes, us-east-1, instance]
      Select: !Select [1, !Split [',', 'a,b,c']]
      SelectAz: !Select [0, !GetAZs '']
      SelectAz2: !Select [1, !GetAZs '']
      Dynamic: '{{resolve:ssm:/a/b}}'
      NoValueList: [1, !Ref AWS::NoValue, 2]
      NoValueMap: {a: 1, b: !Ref AWS::NoValue}
      Region: !Ref AWS::Region
      Ssm: !Ref SsmImage
      Missing: !Ref DoesNotExist
      Malformed: !Select [9, [a]]
      ImportValue: !ImportValue shared-name
      LongForm: {"Fn::GetAtt": ["Endpoint", "EndpointName"]}
      Generated: !GetAtt Unnamed.EndpointName
      Arn: !GetAtt Endpoint.Arn
"""


@pytest.fixture(scope="module")
def resolved() -> tuple[Resolver, dict]:
    source = load_text("t.yaml", TEMPLATE)
    root = source.documents[0].root
    resolver = Resolver(root)
    values = root.get("Resources").get("Values").get("Properties")
    return resolver, {key: resolver.resolve(node) for key, node in values.items()}


def test_partial_strings_keep_known_text(resolved):
    _, values = resolved
    assert values["SubPartial"] == Partial(("endpoint/mlops-", Opaque("Ref:ModelName"), "-prd/variant/AllTraffic"))
    assert str(values["SubPartial"]) == "endpoint/mlops-${ModelName}-prd/variant/AllTraffic"
    assert values["SubLiteral"] == "${NotAVariable}-prd"
    assert values["SubMap"] == "2-x"
    assert values["JoinKnown"] == "a-prd-3"


def test_same_pieces_compare_equal(resolved):
    resolver, values = resolved
    endpoint_name = resolver.resolve(
        load_text("t.yaml", TEMPLATE).documents[0].root.get("Resources").get("Endpoint").get("Properties").get("EndpointName")
    )
    segments = split_text(values["SubPartial"], "/")
    assert segments[0] == "endpoint" and segments[2] == "variant" and segments[3] == "AllTraffic"
    assert segments[1] == endpoint_name  # no parameter default, still the same value


def test_resource_references(resolved):
    _, values = resolved
    # GetAtt X.EndpointName is X's EndpointName property when the template sets it
    named = Partial(("mlops-", Opaque("Ref:ModelName"), "-prd"))
    assert split_text(values["SubResource"], "/")[1] == named
    assert split_text(values["Join"], "/")[1] == named
    assert values["LongForm"] == named
    # ... and a generated value, identified by the resource, when it does not
    assert values["Generated"] == ResourceValue("Unnamed.EndpointName", "Unnamed", "EndpointName")
    assert values["Arn"] == ResourceValue("Endpoint.Arn", "Endpoint", "Arn")


def test_conditions(resolved):
    resolver, values = resolved
    assert resolver.condition("IsProd") is True
    assert resolver.condition("IsBig") is None
    assert resolver.condition("ProdAndSmall") is None
    assert resolver.condition("ProdOrBig") is True
    assert resolver.condition("CountIsTwo") is True  # CloudFormation compares as strings
    assert resolver.condition("Loop") is None  # a cycle is undecidable, not a crash
    assert values["IfKnown"] == 3
    assert values["IfUnknown"] == Choice("IsBig", (3, 1))
    assert values["IfSame"] == 3


def test_lookups_and_lists(resolved):
    _, values = resolved
    assert values["FindInMap"] == "ml.m5.large"
    assert values["Select"] == "b"
    assert values["NoValueList"] == [1, 2]
    assert values["NoValueMap"] == {"a": 1}


def test_unknowns_are_explicit(resolved):
    _, values = resolved
    for key in ("Dynamic", "Region", "Ssm", "Missing", "Malformed", "ImportValue"):
        assert not is_known(values[key]), key
    assert values["Dynamic"] == Opaque("resolve:ssm:/a/b")
    assert values["SelectAz"] != values["SelectAz2"]  # different zones of the same list
    assert values["SelectAz"] == Opaque("Select:0:GetAZs:AWS::Region")


def test_region_when_known():
    source = load_text("t.yaml", TEMPLATE)
    resolver = Resolver(source.documents[0].root, region="eu-west-1")
    node = source.documents[0].root.get("Resources").get("Values").get("Properties").get("Region")
    assert resolver.resolve(node) == "eu-west-1"


def test_no_value_sentinel_alone():
    source = load_text("t.yaml", "Resources: {}\nX: !Ref AWS::NoValue\n")
    resolver = Resolver(source.documents[0].root)
    assert resolver.resolve(source.documents[0].root.get("X")) is NO_VALUE


def test_deeply_nested_intrinsics_stop_safely():
    nested = "!Join ['', [" * 80 + "x" + "]]" * 80
    source = load_text("t.yaml", f"Resources: {{}}\nX: {nested}\n")
    resolver = Resolver(source.documents[0].root)
    assert not is_known(resolver.resolve(source.documents[0].root.get("X")))

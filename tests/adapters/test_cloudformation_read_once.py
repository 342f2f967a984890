"""What the CloudFormation adapter makes once and shares, rather than again for every resource or value.

A run of many small templates reads a few resources from each: these tests
pin that what does not depend on the resource is made once (and is the
answer the full reading gives), and that a shortcut gives the answer the
full reading gives: a resource's Properties and Tags found once, each
reader module imported once, a literal read without the resolver, one key
read with the mapping's own look-up, a short-form Ref or GetAtt resolved
from its own node, the run's settings read only for templates and stage
files, and nothing parsed, merged or indexed that the template does not
declare (profiles, endpoint and record names), a deployment made with its
image Region rather than copied to take it.
"""

from __future__ import annotations

import importlib

from linter import NO_PROFILE, NOT_WRITTEN, Deployment, MappingNode, Provenance, Sourced, WorkloadProfile
from linter.api import lint_text
from linter.source import load_text

from plugins.adapters.aws.sagemaker_requests import RequestReader, read_variant
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation import hosting, workload
from plugins.adapters.cloudformation import resources as resource_modules
from plugins.adapters.cloudformation.records import SubnetRecord, TemplateRecords
from plugins.adapters.cloudformation.template import Resource, intrinsic, read_int, read_str, tags
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


class _CountingMapping(MappingNode):
    """A mapping that counts the keys asked of it."""

    __slots__ = ("asked",)

    def get(self, key, default=None):
        self.asked.append(key)
        return super().get(key, default)


def _counted(resource: Resource) -> tuple[Resource, list]:
    node = _CountingMapping(resource.node.pairs, resource.node.span)
    node.asked = []
    return Resource(resource.logical_id, resource.type, node, resource.key_span), node.asked


def test_a_resource_finds_its_properties_and_tags_once():
    config, asked = _counted(_template().resources["Config"])
    assert config.property("KmsKeyId") is not None and config.property("ProductionVariants") is not None
    assert config.properties is config.properties
    assert asked.count("Properties") == 1
    assert tags(config) is tags(config)
    assert [(key, value.value, span.line) for key, value, span in tags(config)] == [("mldeploy-lint:traffic", "bursty", 16)]
    assert tags(_template().resources["Endpoint"]) == ()


def test_map_form_tags_are_read_as_before():
    template = _template(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Tags: {Stage: prod, 3: x}\n"
    )
    assert [(key, value.value) for key, value, _ in tags(template.resources["Fn"])] == [("Stage", "prod")]


def test_the_reader_table_imports_each_type_once(monkeypatch):
    imported: list[str] = []
    real = importlib.import_module

    def counting(name):
        imported.append(name)
        return real(name)

    monkeypatch.setattr(resource_modules.importlib, "import_module", counting)
    table = resource_modules.readers()
    first = table.get("AWS::EC2::Subnet")
    assert table.get("AWS::EC2::Subnet") is first and table["AWS::EC2::Subnet"] is first
    assert len(imported) <= 1
    assert first is real("plugins.adapters.cloudformation.resources.ec2_subnet").read
    assert table.get("AWS::S3::Bucket") is None


LITERALS = """\
Parameters:
  Size: {Type: Number, Default: 3}
Resources:
  Thing:
    Type: AWS::SageMaker::Model
    Properties:
      Text: ml.m5.large
      Number: 2
      Flag: true
      Empty:
      Null: null
      Float: 1.5
      Dynamic: "{{resolve:ssm:/image}}"
      Referenced: !Ref Size
      Block: {A: 1}
      Built: {"Fn::If": [IsProd, {A: 1}, {A: 2}]}
      Variants: [{A: 1}, 2]
"""


def test_a_literal_is_read_without_asking_the_resolver(monkeypatch):
    template = _template(LITERALS)
    thing = template.resources["Thing"]
    full = {name: (template.sourced(thing.property(name)), template.read_int(thing.property(name)), template.read_text(thing.property(name)))
            for name in ("Text", "Number", "Flag", "Float", "Dynamic", "Referenced")}
    asked: list = []
    real = template.resolver.resolve
    monkeypatch.setattr(template.resolver, "resolve", lambda node, depth=0: asked.append(node) or real(node, depth))
    for name in ("Text", "Number", "Flag", "Float"):
        node = thing.property(name)
        assert (template.sourced(node), template.read_int(node), template.read_text(node)) == full[name]
    assert asked == []
    assert not template.read_int(thing.property("Text")).known and template.read_int(thing.property("Text")).raw
    assert template.sourced(thing.property("Number")) == Sourced(2, thing.property("Number").span, Provenance.DECLARED, "")
    assert template.read_bool(thing.property("Flag")).value is True
    for name in ("Dynamic", "Referenced"):  # the resolver's to read
        node = thing.property(name)
        assert (template.sourced(node), template.read_int(node), template.read_text(node)) == full[name]
    assert asked
    assert template.read_int(thing.property("Referenced")).value == 3
    assert template.read_int(thing.property("Referenced")).related
    assert thing.property("Null") is None and thing.property("Empty") is None


def test_the_template_reader_reads_one_key_as_a_search_finds_it():
    template = _template(LITERALS)
    reader = TemplateRequestReader(template)
    properties = template.resources["Thing"].properties
    plain = RequestReader(exact_keys=True)
    for name in ("Text", "Number", "Flag", "Null", "Dynamic", "Referenced", "Absent"):
        found = plain.find(properties, name)
        node = found.node if found is not None else None
        assert reader.read_int(properties, name) == template.read_int(node)
        assert reader.read_text(properties, name) == template.read_text(node)
        assert reader.value(properties, name) == template.sourced(node)
    for name in ("Block", "Built", "Variants", "Text", "Null", "Absent"):
        written = plain.node(properties, name)
        assert reader.node(properties, name) is (None if isinstance(written, MappingNode) and intrinsic(written) else written)
        assert reader.mappings(properties, name) == plain.mappings(properties, name)
    assert reader.node(properties, "Built") is None and reader.node(properties, "Block") is properties.get("Block")
    assert reader.node(properties, "Block", "A") is properties.get("Block").get("A") and reader.node(None, "Block") is None
    assert reader.read_str(properties, "Text", "Deeper") is NOT_WRITTEN
    assert reader.read_str(None, "Text") is NOT_WRITTEN


def _assembled(text: str = TEMPLATE) -> list:
    template = _template(text)
    records = TemplateRecords()
    for resource in template.resources.values():
        reader = resource_modules.readers().get(resource.type)
        for item in reader(resource, template) if reader is not None else ():
            records.add(item)
    return hosting.assemble(records, template)


def test_nothing_declared_is_neither_parsed_nor_merged(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("not needed: nothing is declared")

    expected = _assembled()
    monkeypatch.setattr(workload, "parse_profile", refused)
    monkeypatch.setattr(hosting, "merge_profiles", refused)
    assert profile_of(_template().resources["Endpoint"]) == (NO_PROFILE, [])
    assert profile_of(_template().resources["Model"])[0] is NO_PROFILE
    monkeypatch.undo()
    monkeypatch.setattr(hosting, "merge_profiles", refused)
    (deployment,) = _assembled()
    assert deployment == expected[0] and deployment.profile.traffic.value == "bursty"


def test_endpoints_are_indexed_by_name_only_for_what_names_them(monkeypatch):
    expected = _assembled()

    def refused(*args, **kwargs):
        raise AssertionError("no component, monitor or scalable target names an endpoint")

    monkeypatch.setattr(hosting, "_Endpoints", refused)
    assert _assembled() == expected
    monkeypatch.undo()
    scaled = TEMPLATE + """\
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: !Sub endpoint/${Endpoint.EndpointName}/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ServiceNamespace: sagemaker
      MinCapacity: 1
      MaxCapacity: 4
"""
    deployment, target = _assembled(scaled)
    assert target.status == "linked" and deployment.units[0].scaling[0].max_capacity.value == 4


def test_records_are_filed_by_kind_subclasses_too():
    class SubnetLike(SubnetRecord):
        pass

    records = TemplateRecords()
    assert records.add(SubnetRecord("A", NOT_WRITTEN)) and records.add(SubnetLike("B", NOT_WRITTEN))
    assert [subnet.logical_id for subnet in records.subnets] == ["A", "B"]
    assert not records.add(Sourced()) and not records.add(object())


REFERENCES = """\
Parameters:
  Stage: {Type: String, Default: prd}
  Ssm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /images/scorer}
Resources:
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub scorer-${Stage}
  Values:
    Type: Custom::Values
    Properties:
      Short: [!Ref Stage, !Ref Ssm, !Ref Endpoint, !Ref AWS::NoValue, !Ref AWS::Region, !Ref Nothing, !Ref 3,
              !GetAtt Endpoint.EndpointName, !GetAtt Endpoint.Arn, !GetAtt NoDot, !GetAtt Nothing.Name, !GetAtt '']
      Long: [{Ref: Stage}, {Ref: Ssm}, {Ref: Endpoint}, {Ref: AWS::NoValue}, {Ref: AWS::Region}, {Ref: Nothing}, {Ref: 3},
             {"Fn::GetAtt": Endpoint.EndpointName}, {"Fn::GetAtt": Endpoint.Arn}, {"Fn::GetAtt": NoDot},
             {"Fn::GetAtt": Nothing.Name}, {"Fn::GetAtt": ''}]
"""


def test_a_short_form_reference_is_resolved_from_its_own_node(monkeypatch):
    from plugins.adapters.cloudformation import intrinsics

    def read(template: TemplateContext) -> list:
        properties = template.resources["Values"].properties
        return [
            (template.resolve(node), _origin(template.resolver.parameter_origin(node)), template.sourced(node), template.read_text(node))
            for node in properties.get("Short").items + properties.get("Long").items
        ]

    def _origin(found: tuple | None) -> tuple | None:
        return None if found is None else (found[0], found[1].value, found[1].span, found[2])

    monkeypatch.setattr(intrinsics, "_TEXT_ARGUMENT", frozenset())  # every argument copied out first, as before
    expected = read(_template(REFERENCES))
    monkeypatch.undo()
    copied: list = []
    real = intrinsics._argument
    monkeypatch.setattr(intrinsics, "_argument", lambda node: copied.append(node) or real(node))
    template = _template(REFERENCES)
    assert read(template) == expected
    short = template.resources["Values"].properties.get("Short").items
    assert not any(node in copied for node in short)  # neither `!Ref` nor `!GetAtt` copies its node into an argument node
    assert [value for value, *_ in expected[:12]][:8] == [
        "prd", intrinsics.Opaque("Ref:Ssm"), intrinsics.ResourceValue("Endpoint.Ref", "Endpoint", "Ref"), intrinsics.NO_VALUE,
        intrinsics.Opaque("AWS::Region"), intrinsics.Opaque("Ref:Nothing"), intrinsics.Opaque("Ref:3"), "scorer-prd",
    ]
    assert expected[0][1][::3] == ("Stage", "") and expected[1][1] is None


def test_the_run_settings_are_read_only_for_templates_and_stage_files(monkeypatch):
    from linter import LintOptions, RunContext
    from plugins.adapters import cloudformation

    manifest = load_text("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n").documents[0]
    template = load_text("template.yaml", TEMPLATE).documents[0]
    run = RunContext((manifest, template), LintOptions(), reported_paths=frozenset({"deploy.yaml", "template.yaml"}))
    asked: list[str] = []
    real = RunContext.settings
    monkeypatch.setattr(RunContext, "settings", lambda self, section: asked.append(section) or real(self, section))
    assert cloudformation.mldeploy_extract(manifest, run) is None
    assert asked == []
    extracted = cloudformation.mldeploy_extract(template, run)
    assert extracted[0] == cloudformation.TEMPLATE and any(isinstance(item, Deployment) for item in extracted)
    assert "environments" in asked


def test_a_hosting_deployment_is_made_with_its_image_region():
    from plugins.adapters.aws.inferred_facts import with_image_region

    (deployment,) = _assembled()
    assert deployment.region.value == "us-east-1" and deployment.region.provenance is Provenance.INFERRED
    assert with_image_region([deployment])[0] is deployment  # no copy made afterwards
    assert with_image_region([deployment.replaced(region=NOT_WRITTEN)]) == [deployment]
    unknown_image = TEMPLATE.replace("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "example/scorer:1")
    (deployment,) = _assembled(unknown_image)
    assert deployment.region is NOT_WRITTEN


def test_records_are_indexed_by_name_only_when_a_reference_names_one_by_name(monkeypatch):
    indexed: list = []
    real = hosting.ValueIndex

    def counting():
        indexed.append(1)
        return real()

    expected = _assembled()
    monkeypatch.setattr(hosting, "ValueIndex", counting)
    assert _assembled() == expected  # every reference is a GetAtt: found by logical ID
    assert indexed == []
    by_name = TEMPLATE.replace("ModelName: !GetAtt Model.ModelName", "ModelName: scorer").replace(
        "PrimaryContainer:", "ModelName: scorer\n      PrimaryContainer:"
    ).replace("EndpointConfigName: !GetAtt Config.EndpointConfigName", "EndpointConfigName: config").replace(
        "ProductionVariants:", "EndpointConfigName: config\n      ProductionVariants:"
    )
    (deployment,) = _assembled(by_name)
    assert len(indexed) == 2 and [link.name for link in deployment.links] == ["Endpoint", "Config", "Model"]
    assert deployment.units[0].model_names == ("scorer",)

"""The config-validity rules on deployments no fixture yields, and their boundaries.

Deployments are built in Python for values an adapter reports but a
realistic template would not show side by side; real files from the shared
corpus are linted at the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Compute,
    Deployment,
    DeploymentKind,
    ModelSpec,
    Network,
    Provenance,
    ServerlessConfig,
    Sourced,
    Span,
    Unit,
)
from linter.api import lint_paths, lint_text
from linter.engine import LintOptions
from linter.rules import RuleSelector
from plugins.rules.config_validity.serverless_concurrency_invalid import serverless_concurrency_invalid
from plugins.rules.config_validity.serverless_unsupported_feature import serverless_unsupported_feature
from plugins.rules.config_validity.variant_weights_invalid import variant_weights_invalid
from rule_harness import host, judge

PATH = "config.yaml"


def at(line: int) -> Span:
    return Span(PATH, line, 5, line, 20)


def value(item, line: int, provenance: Provenance = Provenance.DECLARED) -> Sourced:
    return Sourced(item, at(line), provenance)


def read(item, line: int) -> Sourced:
    """A declared value at `line`; a Sourced passes through (unknown, malformed, undecided); None is absent."""
    if isinstance(item, Sourced):
        return item
    return value(item, line) if item is not None else Sourced()


def serverless(maximum=10, provisioned=None) -> ServerlessConfig:
    return ServerlessConfig(
        memory_mb=value(2048, 12),
        max_concurrency=read(maximum, 13),
        provisioned_concurrency=read(provisioned, 14),
        span=at(12),
    )


def variant(name="AllTraffic", line=10, instance_type=None, count=None, weight=None, config=None, models=()) -> Unit:
    return Unit(
        name=value(name, line),
        compute=Compute(instance_type=read(instance_type, line + 1)),
        count=read(count, line + 2),
        weight=read(weight, line + 3),
        serverless=config,
        model_names=tuple(models),
        span=at(line),
    )


def deployment(kind: DeploymentKind | None, units, models=(), **fields) -> Deployment:
    return Deployment(
        id=f"{PATH}#Example",
        platform="sagemaker",
        kind=value(kind, 1) if kind else Sourced(),
        span=Span.point(PATH, 1),
        name=value("example", 2),
        units=tuple(units),
        models=tuple(models),
        **fields,
    )


def messages(check, target) -> list[str]:
    return [violation.message for violation in judge(check, target)]


# --- CV002 serverless-concurrency-invalid --------------------------------------------------


@pytest.mark.parametrize(
    "maximum, provisioned, expected",
    [
        (1, None, []),
        (200, 200, []),
        (201, None, ["MaxConcurrency 201"]),
        (0, None, ["MaxConcurrency 0"]),
        (10, 0, ["ProvisionedConcurrency 0 of variant AllTraffic is out of range"]),
        (10, 11, ["above its MaxConcurrency 10"]),
        (250, 300, ["MaxConcurrency 250", "ProvisionedConcurrency 300 of variant AllTraffic is out of range"]),
        (Sourced(UNKNOWN, at(13), raw="lots"), None, ["MaxConcurrency 'lots'"]),
        (Sourced(UNKNOWN, at(13), note="Ref:Max is not known"), 150, []),
        (Sourced(UNKNOWN, at(13), options=(5, 50)), 20, []),  # an undecided condition is not compared
    ],
)
def test_cv002_ranges(maximum, provisioned, expected):
    target = deployment(DeploymentKind.SERVERLESS, [variant(config=serverless(maximum, provisioned))])
    found = messages(serverless_concurrency_invalid, target)
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected):
        assert fragment in message


def test_cv002_ignores_instance_variants():
    target = deployment(DeploymentKind.REALTIME, [variant(instance_type="ml.m5.large", count=1)])
    assert messages(serverless_concurrency_invalid, target) == []


# --- CV003 serverless-unsupported-feature -------------------------------------------------


def serverless_variant(name="AllTraffic", line=10, instance_type=None, count=None, models=()) -> Unit:
    return variant(name, line, instance_type, count, config=serverless(), models=models)


@pytest.mark.parametrize(
    "instance_type, count, expected",
    [
        (None, None, None),
        ("ml.m5.large", None, "also sets InstanceType ml.m5.large: "),
        (None, 1, "also sets InitialInstanceCount 1: "),
        (Sourced(UNKNOWN, at(11), note="Ref:Type is not known"), None, "also sets InstanceType: "),  # written, unresolved
        (Sourced(UNKNOWN, at(11), raw=12), None, "also sets InstanceType: "),  # written, malformed
        (Sourced(UNKNOWN, at(11), options=("ml.m5.large",)), None, None),  # only a condition may set it
        (Sourced(UNKNOWN, at(11), options=("ml.m5.large",)), Sourced(UNKNOWN, at(12), options=(2,)), None),
    ],
)
def test_cv003_instance_settings_beside_serverless(instance_type, count, expected):
    target = deployment(DeploymentKind.SERVERLESS, [serverless_variant(instance_type=instance_type, count=count)])
    found = messages(serverless_unsupported_feature, target)
    assert found == [] if expected is None else (len(found) == 1 and expected in found[0])


@pytest.mark.parametrize(
    "capture, expected",
    [
        (Sourced(True, at(30)), "enables data capture (EnableCapture true)"),
        (Sourced(True, at(30), Provenance.DEFAULT), "has a DataCaptureConfig, which captures data when EnableCapture is not set"),
        (Sourced(False, at(30)), None),
        (Sourced(UNKNOWN, at(30), note="Ref:Capture is not known"), None),  # unresolved is not the default
        (Sourced(UNKNOWN, at(30), options=(True,)), None),
    ],
)
def test_cv003_data_capture_says_whether_it_is_declared_or_the_default(capture, expected):
    target = deployment(DeploymentKind.SERVERLESS, [serverless_variant()], data_capture=capture)
    found = messages(serverless_unsupported_feature, target)
    assert found == [] if expected is None else (len(found) == 1 and expected in found[0])


def multi_model(name: str) -> ModelSpec:
    return ModelSpec(name=value(name, 40), multi_model=value(True, 41))


def test_cv003_multi_model_counts_only_for_the_model_the_serverless_variant_serves():
    instances = variant("Instances", 10, "ml.m5.large", 2, models=("many",))
    alone = variant("Alone", 20, config=serverless(), models=("one",))
    target = deployment(DeploymentKind.REALTIME, [instances, alone], models=[multi_model("many"), ModelSpec(name=value("one", 42))])
    found = messages(serverless_unsupported_feature, target)
    assert len(found) == 1 and "has 2 production variants (Instances, Alone)" in found[0]
    target = deployment(DeploymentKind.REALTIME, [instances, alone], models=[ModelSpec(name=value("many", 40)), multi_model("one")])
    found = messages(serverless_unsupported_feature, target)
    assert len(found) == 2 and "serves model one in multi-model mode" in found[0]


@pytest.mark.parametrize(
    "network, expected",
    [
        (Network(subnets=(value("subnet-1", 51),), span=at(50)), ["has a VpcConfig"]),
        (Network(span=at(50)), ["has a VpcConfig"]),  # subnets from a list parameter: the VpcConfig is still there
        (Network(network_isolation=value(True, 52)), ["sets EnableNetworkIsolation true"]),
        (Network(network_isolation=value(False, 52)), []),
        (Network(subnets=(value("subnet-1", 51),), network_isolation=value(True, 52), span=at(50)), ["VpcConfig", "Isolation"]),
    ],
)
def test_cv003_network(network, expected):
    found = messages(serverless_unsupported_feature, deployment(DeploymentKind.SERVERLESS, [serverless_variant()], network=network))
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected):
        assert fragment in message


def test_cv003_monitored_by_a_model_monitor_schedule():
    schedule = Sourced("churn-hourly", at(60), note="MonitoringSchedule Monitor monitors this endpoint")
    target = deployment(DeploymentKind.SERVERLESS, [serverless_variant()], monitored_by=schedule)
    (violation,) = serverless_unsupported_feature.check(target, None)
    assert "monitored by the Model Monitor schedule churn-hourly" in violation.message
    assert violation.span == at(60)


@pytest.mark.parametrize("kind", [DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVICE, None])
def test_cv003_instance_backed_deployments_are_silent(kind):
    target = deployment(
        kind,
        [variant("A", 10, "ml.m5.large", 2), variant("B", 20, "ml.m5.large", 2)],
        models=[multi_model("m")],
        network=Network(subnets=(value("subnet-1", 51),), network_isolation=value(True, 52), span=at(50)),
        data_capture=value(True, 30),
    )
    assert messages(serverless_unsupported_feature, target) == []


def test_cv003_reads_api_request_documents(tmp_path):
    (tmp_path / "create-endpoint-config.json").write_text(
        json.dumps(
            {
                "EndpointConfigName": "scorer-config",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "scorer",
                        "InitialInstanceCount": 1,
                        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                    }
                ],
                "DataCaptureConfig": {"DestinationS3Uri": "s3://capture/", "CaptureOptions": [{"CaptureMode": "Input"}]},
            },
            indent=2,
        )
    )
    result = lint_paths([str(tmp_path)], LintOptions(selector=RuleSelector(("CV003",))))
    assert [(finding.span.line, finding.message.split(":")[0]) for finding in result.findings] == [
        (7, "serverless variant AllTraffic also sets InitialInstanceCount 1"),
        (14, "serverless endpoint scorer-config has a DataCaptureConfig, which captures data when EnableCapture is not set"),
    ]


# --- CV004 variant-weights-invalid ---------------------------------------------------------


@pytest.mark.parametrize(
    "weights, fires",
    [
        ((0, 0), True),
        ((0.0,), True),
        ((0, 1), False),
        ((0, None), False),  # no weight written: the default is 1.0
        ((0, Sourced(UNKNOWN, at(23), note="Ref:GreenWeight is not known")), False),
        ((0, Sourced(UNKNOWN, at(23), options=(0, 1))), False),
    ],
)
def test_cv004_weights(weights, fires):
    units = [variant(f"V{index}", 10 + 10 * index, "ml.m5.large", 1, weight) for index, weight in enumerate(weights)]
    assert bool(messages(variant_weights_invalid, deployment(DeploymentKind.REALTIME, units))) is fires


@pytest.mark.parametrize("kind", [DeploymentKind.SERVICE, DeploymentKind.BATCH_TRANSFORM, None])
def test_cv004_endpoints_only(kind):
    target = deployment(kind, [variant(instance_type="ml.m5.large", count=1, weight=0)])
    assert messages(variant_weights_invalid, target) == []


# --- Real files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -------------

CORPUS_COPIES = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"


def lint_copy(name: str):
    path = CORPUS_COPIES / name
    return lint_text(path.read_text(encoding="utf-8"), str(path), host=host())


def config_findings(result) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in result.findings if finding.rule_id.startswith("CV")]


def test_corpus_serverless_endpoint_at_the_minimum_concurrency_is_silent():
    # MaxConcurrency 1 and MemorySizeInMB 1024: the smallest valid serverless variant, with no
    # feature serverless lacks (CV003) — a lone variant, no instance settings, capture or VPC.
    result = lint_copy("cv003-api-gateway-serverless-endpoint-config-template.yml")
    (endpoint,) = result.deployments
    assert endpoint.kind.value is DeploymentKind.SERVERLESS
    assert endpoint.units[0].serverless is not None and endpoint.units[0].serverless.max_concurrency.value == 1
    assert config_findings(result) == []


def test_corpus_stage_dependent_serverless_variant_is_silent():
    # InstanceType, ServerlessConfig and DataCaptureConfig each hang on the IsProdEnv condition:
    # serverless in staging, instances with data capture in production. Both branches are valid,
    # so CV003 must not combine the serverless branch with the other branches' settings.
    result = lint_copy("cp005-serverless-inf-endpoint-config-template.yml")
    (endpoint,) = result.deployments
    assert endpoint.units[0].compute.instance_type.options == ("ml.m5.large",)
    assert config_findings(result) == []


# --- CV005 retired-elastic-inference ---------------------------------------------------------

ACCELERATOR_TEMPLATE = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: m
          InstanceType: ml.m5.large
          InitialInstanceCount: 2
          AcceleratorType: {accelerator}
"""


@pytest.mark.parametrize(
    "accelerator, kind",
    [("ml.eia2.medium", "elastic-inference"), ("ML.EIA9.HUGE", "elastic-inference"), ("ml.inf9.tiny", "other")],
)
def test_cv005_the_adapter_decodes_what_an_attached_accelerator_is(accelerator, kind):
    result = lint_text(ACCELERATOR_TEMPLATE.format(accelerator=accelerator), "config.yaml", LintOptions(selector=RuleSelector(("CV005",))), host=host())
    (deployment,) = result.deployments
    assert deployment.units[0].attached_accelerator_kind.value.value == kind
    assert bool(result.findings) == (kind == "elastic-inference")

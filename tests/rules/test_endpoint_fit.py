"""The endpoint-fit rules on deployments no fixture yields, and their boundaries.

Deployments are built in Python for the cases the per-rule fixtures under
tests/rules/EP00N/ cannot show (kinds other platforms produce, values an
adapter would not write, several files in one run); real files from the
shared corpus are linted at the end.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    AsyncConfig,
    BatchConfig,
    ComponentRequirements,
    Compute,
    Deployment,
    DeploymentKind,
    Environment,
    ModelSpec,
    Provenance,
    Scaling,
    ServerlessConfig,
    Severity,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
)
from linter.api import lint_paths, lint_text
from linter.engine import LintOptions
from linter.rules import RuleSelector
from plugins import data
from plugins.rules.endpoint_fit.always_on_for_intermittent_traffic import always_on_for_intermittent_traffic
from plugins.rules.endpoint_fit.async_without_failure_handling import async_without_failure_handling
from plugins.rules.endpoint_fit.latency_target_unreachable import latency_target_unreachable
from plugins.rules.endpoint_fit.many_endpoints_could_share_one import many_endpoints_could_share_one
from plugins.rules.endpoint_fit.model_server_accepts_more_than_endpoint import model_server_accepts_more_than_endpoint
from plugins.rules.endpoint_fit.payload_exceeds_endpoint_limit import payload_exceeds_endpoint_limit
from rule_harness import host, judge

PATH = "endpoints.yaml"


def at(line: int, path: str = PATH) -> Span:
    return Span(path, line, 5, line, 20)


def value(item, line: int, path: str = PATH, provenance: Provenance = Provenance.DECLARED) -> Sourced:
    return Sourced(item, at(line, path), provenance)


def unit(instance_type="ml.m5.xlarge", accelerator="none", count=1, serverless=None, scaling=(), path=PATH) -> Unit:
    return Unit(
        name=value("AllTraffic", 10, path),
        compute=Compute(
            instance_type=value(instance_type, 11, path) if instance_type else Sourced(),
            accelerator=value(accelerator, 11, path) if accelerator else Sourced(),
        ),
        count=value(count, 12, path) if count is not None else Sourced(),
        serverless=serverless,
        scaling=tuple(scaling),
        span=at(10, path),
    )


def deployment(kind: DeploymentKind | None, *, name="example", path=PATH, units=None, models=(), **fields):
    return Deployment(
        id=f"{path}#{name}",
        platform=fields.pop("platform", "sagemaker"),
        kind=value(kind, 1, path) if kind else Sourced(),
        span=Span.point(path, 1),
        name=value(name, 2, path),
        units=(unit(path=path),) if units is None else tuple(units),
        models=tuple(models),
        **fields,
    )


def profile(**entries) -> WorkloadProfile:
    return WorkloadProfile(**{key: value(item, 5) for key, item in entries.items()})


def messages(check, target) -> list[str]:
    return [violation.message for violation in judge(check, target)]


def severities(check, target) -> list[Severity]:
    """The severity of each finding, the rule's default where the violation sets none."""
    return [violation.severity or check.severity for violation in judge(check, target)]


# --- EP001 payload-exceeds-endpoint-limit: batch transform ---------------------------------


def batch(max_payload=None, concurrent=None, provenance=Provenance.DECLARED) -> BatchConfig:
    return BatchConfig(
        max_payload_mb=value(max_payload, 20, provenance=provenance) if max_payload is not None else Sourced(),
        max_concurrent_transforms=value(concurrent, 21) if concurrent is not None else Sourced(),
        span=at(19),
    )


@pytest.mark.parametrize(
    "max_payload, concurrent, payload_mb, expected",
    [
        (100, 1, None, []),
        (101, None, None, ["MaxPayloadInMB 101"]),
        (50, 2, None, []),  # exactly 100 MB together
        (50, 3, None, ["MaxConcurrentTransforms 3 × MaxPayloadInMB 50 = 150 MB"]),
        (50, None, None, []),  # concurrency chosen by SageMaker: not judged
        (10, None, 10, []),  # 10 MB (decimal) fits in 10 MiB
        (10, None, 11, ["raise MaxPayloadInMB to 11"]),
        (0, 4, 60, []),  # chunked encoding: no per-record limit
        (0, None, 150, ["exceeds the 100 MB per record limit"]),
        (None, None, 150, ["exceeds the 100 MB per record limit"]),  # MaxPayloadInMB unresolved
        (None, None, 50, []),
    ],
)
def test_ep001_batch_transform_settings(max_payload, concurrent, payload_mb, expected):
    job = deployment(
        DeploymentKind.BATCH_TRANSFORM,
        batch=batch(max_payload, concurrent),
        profile=profile(payload_mb=payload_mb) if payload_mb is not None else WorkloadProfile(),
    )
    found = messages(payload_exceeds_endpoint_limit, job)
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected):
        assert fragment in message


def test_ep001_product_fix_offers_a_smaller_payload_only_when_records_fit_it():
    job = deployment(DeploymentKind.BATCH_TRANSFORM, batch=batch(25, 8), profile=profile(payload_mb=20))
    (message,) = messages(payload_exceeds_endpoint_limit, job)
    assert "lower MaxConcurrentTransforms to 4" in message and "or MaxPayloadInMB" not in message
    job = deployment(DeploymentKind.BATCH_TRANSFORM, batch=batch(25, 8), profile=profile(payload_mb=5))
    (message,) = messages(payload_exceeds_endpoint_limit, job)
    assert message.endswith("lower MaxConcurrentTransforms to 4 or MaxPayloadInMB to 12")


def test_ep001_default_max_payload_is_named_as_the_default():
    job = deployment(
        DeploymentKind.BATCH_TRANSFORM, batch=batch(6, None, Provenance.DEFAULT), profile=profile(payload_mb=20)
    )
    (message,) = messages(payload_exceeds_endpoint_limit, job)
    assert "MaxPayloadInMB 6 (the default when it is not set)" in message


def test_ep001_batch_transform_without_settings_keeps_the_record_limit():
    job = deployment(DeploymentKind.BATCH_TRANSFORM, profile=profile(payload_mb=150))
    (message,) = messages(payload_exceeds_endpoint_limit, job)
    assert "100 MB per record" in message


# --- EP002 latency-target-unreachable -------------------------------------------------------


def serverless_unit(provisioned: Sourced = Sourced(), name="AllTraffic") -> Unit:
    return Unit(
        name=value(name, 10),
        serverless=ServerlessConfig(
            memory_mb=value(2048, 13), max_concurrency=value(20, 14), provisioned_concurrency=provisioned, span=at(12)
        ),
        span=at(10),
    )


@pytest.mark.parametrize(
    "kind, latency_ms, expected",
    [
        (DeploymentKind.REALTIME, 5, []),
        (DeploymentKind.ASYNC, 999, [Severity.ERROR]),
        (DeploymentKind.ASYNC, 1000, []),
        (DeploymentKind.BATCH_TRANSFORM, 200, [Severity.ERROR]),
        (DeploymentKind.BATCH_TRANSFORM, 60_000, []),
        (DeploymentKind.SERVERLESS, 999, [Severity.WARNING]),
        (DeploymentKind.SERVERLESS, 1000, []),
        (DeploymentKind.SERVICE, 5, []),  # Kubernetes serving: the type gives no floor
        (DeploymentKind.TRAINING, 5, []),
    ],
)
def test_ep002_floors_by_kind(kind, latency_ms, expected):
    units = [serverless_unit()] if kind is DeploymentKind.SERVERLESS else None
    target = deployment(kind, units=units, profile=profile(latency_ms=latency_ms))
    assert severities(latency_target_unreachable, target) == expected


def test_ep002_floors_come_from_the_tables():
    assert data.queued_latency_floor_ms() == 1000
    assert data.serverless_cold_start_seconds()[0] * 1000 == 1000


def test_ep002_silent_without_a_target_or_a_kind():
    assert messages(latency_target_unreachable, deployment(DeploymentKind.ASYNC)) == []
    assert messages(latency_target_unreachable, deployment(None, profile=profile(latency_ms=10))) == []


@pytest.mark.parametrize(
    "provisioned, fires",
    [
        (Sourced(), True),  # not written
        (value(1, 15), False),
        (value(0, 15), True),  # below the API minimum (CV002's business): keeps nothing warm
        (Sourced(UNKNOWN, at(15), Provenance.DECLARED, "Ref:Warm is not known"), False),  # unresolved parameter
        (Sourced(UNKNOWN, at(15), Provenance.DECLARED, "depends on condition IsProd", options=(10,)), False),
    ],
)
def test_ep002_serverless_provisioned_concurrency(provisioned, fires):
    units = [serverless_unit(provisioned)]
    target = deployment(DeploymentKind.SERVERLESS, units=units, profile=profile(latency_ms=100))
    assert bool(messages(latency_target_unreachable, target)) is fires


def test_ep002_one_warm_variant_is_enough():
    units = [serverless_unit(name="Cold"), serverless_unit(value(2, 15), name="Warm")]
    target = deployment(DeploymentKind.SERVERLESS, units=units, profile=profile(latency_ms=100))
    assert messages(latency_target_unreachable, target) == []


def test_ep002_message_names_values_and_fix_and_points_at_the_target():
    target = deployment(DeploymentKind.SERVERLESS, units=[serverless_unit()], profile=profile(latency_ms=100))
    (violation,) = latency_target_unreachable.check(target, None)
    assert violation.span == at(5)
    assert "100 ms" in violation.message and "1 s to 180 s" in violation.message
    assert violation.message.endswith("set ProvisionedConcurrency on variant AllTraffic, or use a real-time endpoint")
    target = deployment(DeploymentKind.ASYNC, profile=profile(latency_ms=250))
    (message,) = messages(latency_target_unreachable, target)
    assert "250 ms is below the 1 s an asynchronous endpoint (example)" in message
    assert message.endswith("serve it from a real-time endpoint")


def test_ep002_payload_no_real_time_endpoint_takes_asks_to_relax_the_target():
    target = deployment(DeploymentKind.ASYNC, profile=profile(latency_ms=250, payload_mb=200))
    (message,) = messages(latency_target_unreachable, target)
    assert "no endpoint type answers a 200 MB request that fast" in message
    target = deployment(DeploymentKind.ASYNC, profile=profile(latency_ms=250, payload_mb=6))
    (message,) = messages(latency_target_unreachable, target)
    assert message.endswith("serve it from a real-time endpoint")  # 6 MB fits in 6 MiB


# --- EP003 always-on-for-intermittent-traffic ---------------------------------------------


def scaled_unit(minimum: Sourced, instance_type="ml.m5.large", accelerator="none", count=2) -> Unit:
    return replace(
        unit(instance_type=instance_type, accelerator=accelerator, count=count),
        scaling=(Scaling(min_capacity=minimum, max_capacity=value(4, 31), span=at(30)),),
    )


@pytest.mark.parametrize(
    "traffic, fires",
    [("intermittent", True), ("scheduled", True), ("steady", False), ("bursty", False)],
)
def test_ep003_traffic(traffic, fires):
    target = deployment(DeploymentKind.REALTIME, profile=profile(traffic=traffic))
    assert bool(messages(always_on_for_intermittent_traffic, target)) is fires


@pytest.mark.parametrize(
    "kind",
    [None, DeploymentKind.SERVERLESS, DeploymentKind.ASYNC, DeploymentKind.SERVICE, DeploymentKind.BATCH_TRANSFORM],
)
def test_ep003_judges_only_real_time_endpoints(kind):
    assert messages(always_on_for_intermittent_traffic, deployment(kind, profile=profile(traffic="intermittent"))) == []


@pytest.mark.parametrize(
    "minimum, expected",
    [
        (value(0, 32), None),  # scales to zero (an inference-component endpoint, managed instance scaling)
        (Sourced(UNKNOWN, at(32), Provenance.DECLARED, "Ref:Floor is not known"), None),
        (Sourced(), None),  # a target without MinCapacity: not knowable
        (value(2, 32), "keeps at least 2 × ml.m5.large running"),
    ],
)
def test_ep003_autoscaling_minimum(minimum, expected):
    target = deployment(DeploymentKind.REALTIME, units=[scaled_unit(minimum)], profile=profile(traffic="scheduled"))
    found = messages(always_on_for_intermittent_traffic, target)
    if expected is None:
        assert found == []
    else:
        (message,) = found
        assert expected in message


def test_ep003_any_unit_reaching_zero_is_enough():
    units = [unit(), scaled_unit(value(0, 32))]
    target = deployment(DeploymentKind.REALTIME, units=units, profile=profile(traffic="intermittent"))
    assert messages(always_on_for_intermittent_traffic, target) == []


@pytest.mark.parametrize(
    "instance_type, accelerator, entries, suggestion",
    [
        ("ml.m5.large", "none", {}, "use a serverless endpoint, or an asynchronous endpoint with autoscaling"),
        ("ml.m5.large", None, {}, "use a serverless endpoint, or an asynchronous"),  # accelerator unknown: offered
        ("ml.g5.xlarge", "gpu", {}, "use an asynchronous endpoint with autoscaling MinCapacity 0 (serverless endpoints "
         "offer no accelerated instances like ml.g5.xlarge)"),
        ("ml.m5.large", "none", {"payload_mb": 5}, "(serverless takes at most 4 MB)"),
        ("ml.m5.large", "none", {"latency_ms": 1500}, "use a serverless endpoint, or an asynchronous"),
        ("ml.m5.large", "none", {"latency_ms": 500}, None),  # neither cold starts nor queues meet 500 ms
        ("ml.g5.xlarge", "gpu", {"latency_ms": 500}, None),
    ],
)
def test_ep003_suggests_what_suits_the_profile(instance_type, accelerator, entries, suggestion):
    target = deployment(
        DeploymentKind.REALTIME,
        units=[unit(instance_type=instance_type, accelerator=accelerator)],
        profile=profile(traffic="intermittent", **entries),
    )
    found = messages(always_on_for_intermittent_traffic, target)
    if suggestion is None:
        assert found == []
    else:
        (message,) = found
        assert suggestion in message


def test_ep003_message_names_the_fleet_and_points_at_the_traffic():
    target = deployment(DeploymentKind.REALTIME, units=[unit(count=3)], profile=profile(traffic="scheduled"))
    (violation,) = always_on_for_intermittent_traffic.check(target, None)
    assert violation.span == at(5)
    assert violation.message.startswith(
        "declared traffic 'scheduled' on real-time endpoint example, which keeps 3 × ml.m5.xlarge running"
    )
    unknown_count = deployment(DeploymentKind.REALTIME, units=[unit(count=None)], profile=profile(traffic="scheduled"))
    (message,) = messages(always_on_for_intermittent_traffic, unknown_count)
    assert "which keeps ml.m5.xlarge running" in message


def test_ep003_counts_the_instances_of_an_inference_component_once():
    variant = unit(instance_type="ml.g5.2xlarge", accelerator="gpu", count=1)
    # Three copies of an inference component, on the variant's instances (adapters give every component its requirements).
    component = replace(variant, name=value("summariser", 40), count=value(3, 42), span=at(40), requirements=ComponentRequirements())
    other = Unit(name=value("Canary", 50), compute=Compute(instance_type=value("ml.g5.xlarge", 51)), count=value(2, 52))
    units = [variant, component, other]
    target = deployment(DeploymentKind.REALTIME, units=units, profile=profile(traffic="intermittent"))
    (message,) = messages(always_on_for_intermittent_traffic, target)
    assert "which keeps 1 × ml.g5.2xlarge + 2 × ml.g5.xlarge running" in message


# --- EP006 many-endpoints-could-share-one --------------------------------------------------

XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def served(image=XGBOOST, multi_model=None) -> ModelSpec:
    return ModelSpec(
        name=value("model", 3),
        image=value(image, 4) if image is not None else Sourced(),
        framework=Sourced("xgboost", at(4), Provenance.INFERRED),
        multi_model=value(multi_model, 5) if multi_model is not None else Sourced(),
    )


def endpoints(count: int, path=PATH, kind=DeploymentKind.REALTIME, image=XGBOOST, **fields) -> list[Deployment]:
    fields.setdefault("models", (served(image),))
    return [deployment(kind, name=f"customer-{index}", path=path, **fields) for index in range(count)]


def shared(deployments) -> list[str]:
    return [violation.message for violation in many_endpoints_could_share_one.check(tuple(deployments), None)]


def test_ep006_threshold_comes_from_the_tables():
    threshold = data.shared_endpoint_min_endpoints()
    assert threshold == 5
    assert shared(endpoints(threshold - 1)) == []
    (message,) = shared(endpoints(threshold))
    assert message.startswith("5 real-time endpoints (customer-0, customer-1, customer-2 and 2 more) each serve image ")
    assert "sagemaker-xgboost:1.7-1 on their own instances, 5 instances in all" in message
    assert message.endswith("host the models on one multi-model endpoint, or as inference components of one endpoint")


def test_ep006_looks_across_files_and_points_at_the_first_endpoint():
    group = endpoints(2, path="stacks/b.yaml") + endpoints(3, path="stacks/a.yaml")
    (violation,) = many_endpoints_could_share_one.check(tuple(group), None)
    assert violation.span.path == "stacks/a.yaml"


@pytest.mark.parametrize(
    "odd_one",
    [
        {"kind": DeploymentKind.ASYNC},
        {"kind": DeploymentKind.SERVERLESS, "units": [Unit(serverless=ServerlessConfig())]},
        {"kind": None},
        {"models": (served(multi_model=True),)},
        {"models": (served(), served())},  # an inference pipeline, or inference components
        {"models": ()},
        {"models": (served(image=None),)},
        {"image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:${XgboostVersion}"},
        {"image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1"},
        {"profile": profile(traffic="steady")},
        {"environment": value(Environment.PROD, 1)},
        {"units": [Unit(serverless=ServerlessConfig())]},  # no instance-backed unit
    ],
    ids=lambda item: ",".join(f"{key}={value!r}"[:40] for key, value in item.items()),
)
def test_ep006_counts_only_endpoints_that_could_move(odd_one):
    fields = dict(odd_one)
    kind = fields.pop("kind", DeploymentKind.REALTIME)
    group = endpoints(4) + endpoints(1, kind=kind, **fields)
    assert shared(group) == []


def test_ep006_groups_by_environment_and_reads_partly_unresolved_registries():
    image = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/sagemaker-xgboost:1.7-1"
    production = endpoints(5, image=image, environment=value(Environment.PROD, 1))
    development = endpoints(5, path="dev.yaml", image=image, environment=value(Environment.DEV, 1))
    assert len(shared(production + development)) == 2
    assert shared(endpoints(3, environment=value(Environment.PROD, 1)) + endpoints(3, path="dev.yaml")) == []


def test_ep006_counts_the_instances_of_an_inference_component_once():
    variant = unit(count=1)
    component = replace(variant, name=value("churn", 40), count=value(3, 42), span=at(40), requirements=ComponentRequirements())
    (message,) = shared(endpoints(4) + endpoints(1, units=[variant, component]))
    assert "5 instances in all" in message


def test_ep006_leaves_out_the_instance_total_when_a_count_is_unknown():
    group = endpoints(4) + endpoints(1, units=[unit(count=None)])
    (message,) = shared(group)
    assert "instances in all" not in message
# --- EP004 model-server-accepts-more-than-endpoint -----------------------------------------


def served_with(*environment: tuple[str, object]) -> ModelSpec:
    return ModelSpec(
        name=value("scorer", 30),
        environment=tuple(
            (key, item if isinstance(item, Sourced) else value(item, 31 + index))
            for index, (key, item) in enumerate(environment)
        ),
    )


@pytest.mark.parametrize(
    "kind, env, size, fires",
    [
        (DeploymentKind.REALTIME, "TS_MAX_REQUEST_SIZE", "6553500", False),  # TorchServe's default, restated
        (DeploymentKind.REALTIME, "TS_MAX_REQUEST_SIZE", "6553501", True),
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "6291456", False),  # exactly 6 MiB
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "6291457", True),
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "1e8", True),  # a whole number written as a float
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "1.5e7", True),
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "12.5", False),  # not a whole number of bytes
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "-1", False),
        (DeploymentKind.REALTIME, "MMS_MAX_REQUEST_SIZE", "inf", False),
        (DeploymentKind.REALTIME, "MMS_MAX_RESPONSE_SIZE", "100000000", False),  # responses are not requests
        (DeploymentKind.REALTIME, "SAGEMAKER_MODEL_SERVER_TIMEOUT", "100000000", False),
        (DeploymentKind.SERVERLESS, "MMS_MAX_REQUEST_SIZE", "4194304", False),
        (DeploymentKind.SERVERLESS, "MMS_MAX_REQUEST_SIZE", "4194305", True),
        (DeploymentKind.SERVERLESS, "TS_MAX_REQUEST_SIZE", "6553500", False),  # the default is no raise, even here
        (DeploymentKind.ASYNC, "TS_MAX_REQUEST_SIZE", "500000000", False),  # within 1 GB
        (DeploymentKind.ASYNC, "MMS_MAX_REQUEST_SIZE", "2000000000", False),  # AWS's own value for its MMS containers
        (DeploymentKind.ASYNC, "MMS_MAX_REQUEST_SIZE", "2000000001", True),
        (DeploymentKind.ASYNC, "TS_MAX_REQUEST_SIZE", "1100000000", True),  # AWS sets TorchServe to 100 MB only
        (DeploymentKind.BATCH_TRANSFORM, "TS_MAX_REQUEST_SIZE", "2000000000", False),  # not an endpoint
        (DeploymentKind.SERVICE, "TS_MAX_REQUEST_SIZE", "2000000000", False),  # no endpoint type limit (Kubernetes)
        (None, "TS_MAX_REQUEST_SIZE", "2000000000", False),
    ],
)
def test_ep004_request_size_against_the_endpoint_type(kind, env, size, fires):
    target = deployment(kind, models=[served_with((env, size))])
    assert bool(messages(model_server_accepts_more_than_endpoint, target)) is fires


def test_ep004_unknown_values_are_silent():
    unresolved = Sourced(UNKNOWN, at(31), note="Ref:RequestSize is not known")
    undecided = Sourced(UNKNOWN, at(32), options=("100000000", "1000"))
    target = deployment(
        DeploymentKind.REALTIME, models=[served_with(("TS_MAX_REQUEST_SIZE", unresolved), ("MMS_MAX_REQUEST_SIZE", undecided))]
    )
    assert messages(model_server_accepts_more_than_endpoint, target) == []


def test_ep004_message_names_the_value_the_limit_and_a_type_that_fits():
    target = deployment(DeploymentKind.REALTIME, models=[served_with(("MMS_MAX_REQUEST_SIZE", "20000000"))])
    (violation,) = model_server_accepts_more_than_endpoint.check(target, None)
    assert violation.message == (
        "MMS_MAX_REQUEST_SIZE 20000000 (20 MB) lets the model server of model scorer take requests larger than the "
        "6 MiB a real-time endpoint (example) accepts — the endpoint rejects them first: lower it to 6291456 or less, "
        "or serve requests that large from an asynchronous endpoint (up to 1 GB)"
    )
    assert violation.span == at(31)


def test_ep004_reads_api_request_documents_linked_across_files(tmp_path):
    (tmp_path / "create-model.json").write_text(
        json.dumps(
            {
                "ModelName": "ocr",
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                "PrimaryContainer": {
                    "Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
                    "Environment": {"TS_MAX_REQUEST_SIZE": "50000000"},
                },
            },
            indent=2,
        )
    )
    (tmp_path / "create-endpoint-config.json").write_text(
        json.dumps(
            {
                "EndpointConfigName": "ocr-config",
                "ProductionVariants": [
                    {"VariantName": "AllTraffic", "ModelName": "ocr", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}
                ],
            },
            indent=2,
        )
    )
    result = lint_paths([str(tmp_path)], LintOptions(selector=RuleSelector(("EP004",))))
    (finding,) = result.findings
    assert finding.span.path.endswith("create-model.json") and finding.span.line == 7  # the value of TS_MAX_REQUEST_SIZE
    assert "4 MB a serverless endpoint (ocr-config)" in finding.message


# --- EP005 async-without-failure-handling --------------------------------------------------


def outputs(output=None, failure=None, error_topic=None) -> AsyncConfig:
    return AsyncConfig(
        output_path=read(output, 41),
        failure_path=read(failure, 42),
        error_topic=read(error_topic, 43),
        span=at(40),
    )


def read(item, line: int) -> Sourced:
    """A declared value at `line`; a Sourced passes through; None is absent."""
    if isinstance(item, Sourced):
        return item
    return value(item, line) if item is not None else Sourced()


UNRESOLVED = Sourced(UNKNOWN, at(50), note="Ref:Path is not known")
UNDECIDED = Sourced(UNKNOWN, at(50), options=("s3://bucket/failures/",))


@pytest.mark.parametrize(
    "settings, expected",
    [
        (outputs("s3://o/", "s3://f/"), None),
        (outputs("s3://o/", error_topic="arn:aws:sns:us-east-1:1:errors"), None),
        (outputs("s3://o/"), "neither an S3FailurePath nor an ErrorTopic"),
        (outputs(failure="s3://f/"), "has no S3OutputPath: responses"),
        (outputs(), "no S3OutputPath, no S3FailurePath and no ErrorTopic"),
        (outputs("s3://o/", UNRESOLVED), None),  # set by a parameter: set
        (outputs("s3://o/", UNDECIDED), None),  # set under a condition: may be set
        (outputs(UNRESOLVED, error_topic=UNDECIDED), None),
    ],
)
def test_ep005_settings(settings, expected):
    found = messages(async_without_failure_handling, deployment(DeploymentKind.ASYNC, async_config=settings))
    assert found == [] if expected is None else (len(found) == 1 and expected in found[0])


def test_ep005_points_at_the_start_of_the_async_settings():
    (violation,) = async_without_failure_handling.check(deployment(DeploymentKind.ASYNC, async_config=outputs()), None)
    assert (violation.span.line, violation.span.column) == (40, 5)
    assert (violation.span.end_line, violation.span.end_column) == (40, 5)


@pytest.mark.parametrize("kind", [DeploymentKind.REALTIME, DeploymentKind.SERVERLESS, None])
def test_ep005_only_asynchronous_endpoints(kind):
    assert messages(async_without_failure_handling, deployment(kind, async_config=outputs())) == []


# --- Real files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -------------

CORPUS_COPIES = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"


def lint_copy(name: str):
    path = CORPUS_COPIES / name
    return lint_text(path.read_text(encoding="utf-8"), str(path), host=host())


def endpoint_findings(result) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in result.findings if finding.rule_id.startswith("EP")]


def test_corpus_transform_step_with_the_default_max_payload_is_silent():
    # A pipeline's transform step leaves MaxPayloadInMB at SageMaker's default and declares no payload.
    result = lint_copy("cp006-dynamic-sagemaker-pipelines-pipeline_definition.json")
    transforms = [item for item in result.deployments if item.kind.value is DeploymentKind.BATCH_TRANSFORM]
    assert transforms and transforms[0].batch is not None
    assert transforms[0].batch.max_payload_mb.provenance is Provenance.DEFAULT
    assert endpoint_findings(result) == []


def with_profile(result, **entries) -> list[Deployment]:
    """The deployments a real file yields, as if their authors had declared `entries` in the profile."""
    declared = {key: value(item, 5) for key, item in entries.items()}
    return [replace(item, profile=replace(item.profile, **declared)) for item in result.deployments]


def test_corpus_async_endpoints_with_a_sub_second_target():
    # Three asynchronous endpoints of one stack; the file declares no workload profile.
    result = lint_copy("ep002-async-endpoints-custom-resource.yaml")
    # Without a profile only EP005 speaks (the endpoints have no failure path).
    assert {rule for rule, _ in endpoint_findings(result)} == {"EP005"}
    found = [
        message
        for item in with_profile(result, latency_ms=200)
        for message in messages(latency_target_unreachable, item)
    ]
    assert len(found) == 3
    assert "below the 1 s an asynchronous endpoint (endpoint-1) can be counted on for" in found[0]
    assert all(messages(latency_target_unreachable, item) == [] for item in with_profile(result, latency_ms=30_000))


def test_corpus_serverless_endpoint_without_provisioned_concurrency():
    result = lint_copy("ep002-api-gateway-serverless-endpoint-config-template.yml")
    assert endpoint_findings(result) == []
    (item,) = with_profile(result, latency_ms=100)
    assert severities(latency_target_unreachable, item) == [Severity.WARNING]
    (message,) = messages(latency_target_unreachable, item)
    assert "set ProvisionedConcurrency on variant AllTraffic" in message


def test_corpus_autoscaled_real_time_endpoint_declared_intermittent():
    # A production endpoint whose scalable target keeps at least two instances.
    result = lint_copy("ep003-safe-deployment-deploy-model-prd.yml")
    assert endpoint_findings(result) == []
    (item,) = with_profile(result, traffic="intermittent")
    (message,) = messages(always_on_for_intermittent_traffic, item)
    assert "keeps at least 2 × ml.m5.large running (and billed) around the clock" in message
    (item,) = with_profile(result, traffic="steady")
    assert messages(always_on_for_intermittent_traffic, item) == []


def test_corpus_stack_deployed_once_per_customer(tmp_path):
    # The same real single-model stack, once per customer, as a run over five customer directories sees it.
    original = CORPUS_COPIES / "ep006-fraud-detection-sagemaker-demo-stack.yaml"
    assert endpoint_findings(lint_copy(original.name)) == []
    paths = []
    for customer in ("acme", "globex", "hooli", "initech", "umbrella"):
        (tmp_path / customer).mkdir()
        copy = tmp_path / customer / original.name
        copy.write_bytes(original.read_bytes())
        paths.append(str(copy))
    result = lint_paths(paths, host=host())
    (finding,) = [finding for finding in result.findings if finding.rule_id == "EP006"]
    assert finding.path == paths[0]
    assert "5 real-time endpoints" in finding.message
    assert "each serve image sagemaker-xgboost:0.90-2-cpu-py3" in finding.message
    assert [finding for finding in lint_paths(paths[:4], host=host()).findings if finding.rule_id == "EP006"] == []


def test_corpus_async_endpoints_of_one_image_are_not_counted(tmp_path):
    # Asynchronous endpoints whose image is a parameter: neither trait lets EP006 count them.
    original = CORPUS_COPIES / "ep002-async-endpoints-custom-resource.yaml"
    paths = []
    for index in range(2):
        copy = tmp_path / f"stack-{index}.yaml"
        copy.write_bytes(original.read_bytes())
        paths.append(str(copy))
    result = lint_paths(paths, host=host())
    assert len(result.deployments) == 6
    assert [finding for finding in result.findings if finding.rule_id == "EP006"] == []
def test_corpus_async_endpoints_without_failure_handling_fire_once_each():
    # Three async endpoint configurations whose OutputConfig has only S3OutputPath (a parameter).
    result = lint_copy("ep005-async-endpoints-custom-resource.yaml")
    assert endpoint_findings(result) == [("EP005", 155), ("EP005", 172), ("EP005", 189)]


def test_corpus_async_endpoint_with_an_error_topic_is_silent():
    # NotificationConfig.ErrorTopic and S3OutputPath come from parameters: set, though unresolved.
    result = lint_copy("ep005-async-inference-endpoint-config-template.yml")
    (endpoint,) = result.deployments
    assert endpoint.kind.value is DeploymentKind.ASYNC
    assert not endpoint.async_config.failure_path.known and endpoint.async_config.error_topic.span is not None
    assert endpoint_findings(result) == []


def test_corpus_hour_long_model_server_timeout_behind_a_real_time_endpoint_fires():
    # SAGEMAKER_MODEL_SERVER_TIMEOUT 3600 on a real-time endpoint of an ml.p3.2xlarge.
    result = lint_copy("ep008-serverless-patterns-apigw-rest-sagemaker.yaml")
    (endpoint,) = result.deployments
    assert endpoint.kind.value is DeploymentKind.REALTIME
    assert ("EP008", 64) in endpoint_findings(result)


@pytest.mark.parametrize("kind, seconds, fires", [
    (DeploymentKind.REALTIME, "61", True),
    (DeploymentKind.REALTIME, "60", False),
    (DeploymentKind.SERVERLESS, "61", True),
    (DeploymentKind.ASYNC, "3600", False),
    (DeploymentKind.ASYNC, "3601", True),
    (DeploymentKind.REALTIME, "1e3", True),
    (DeploymentKind.REALTIME, "90.5", False),
    (DeploymentKind.REALTIME, "-5", False),
    (DeploymentKind.REALTIME, "forever", False),
    (DeploymentKind.SERVICE, "3600", False),
])
def test_model_server_timeout_against_each_endpoint_kind(kind, seconds, fires):
    from plugins.rules.endpoint_fit.model_server_timeout_beyond_endpoint import model_server_timeout_beyond_endpoint

    span = Span("t.yaml", 1, 1, 1, 2)
    model = ModelSpec(environment=(("SAGEMAKER_MODEL_SERVER_TIMEOUT", Sourced(seconds, span)),))
    deployment = Deployment("d", "sagemaker", Sourced(kind), span, models=(model,))
    assert bool(messages(model_server_timeout_beyond_endpoint, deployment)) is fires

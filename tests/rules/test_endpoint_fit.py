"""The endpoint-fit rules on deployments no fixture yields, and their boundaries.

Deployments are built in Python for the cases the per-rule fixtures under
tests/rules/EP00N/ cannot show (kinds other platforms produce, values an
adapter would not write, several files in one run); real files from the
shared corpus are linted at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import json

from linter import (
    UNKNOWN,
    AsyncConfig,
    BatchConfig,
    Compute,
    Deployment,
    DeploymentKind,
    ModelSpec,
    Provenance,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
)
from linter.api import lint_paths, lint_text
from linter.engine import LintOptions
from linter.rules import RuleSelector
from plugins.rules.endpoint_fit.async_without_failure_handling import async_without_failure_handling
from plugins.rules.endpoint_fit.model_server_accepts_more_than_endpoint import model_server_accepts_more_than_endpoint
from plugins.rules.endpoint_fit.payload_exceeds_endpoint_limit import payload_exceeds_endpoint_limit
from rule_harness import host

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
    return [violation.message for violation in check.check(target, None)]


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


# --- EP004 model-server-accepts-more-than-endpoint -----------------------------------------


def served(*environment: tuple[str, object]) -> ModelSpec:
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
    target = deployment(kind, models=[served((env, size))])
    assert bool(messages(model_server_accepts_more_than_endpoint, target)) is fires


def test_ep004_unknown_values_are_silent():
    unresolved = Sourced(UNKNOWN, at(31), note="Ref:RequestSize is not known")
    undecided = Sourced(UNKNOWN, at(32), options=("100000000", "1000"))
    target = deployment(
        DeploymentKind.REALTIME, models=[served(("TS_MAX_REQUEST_SIZE", unresolved), ("MMS_MAX_REQUEST_SIZE", undecided))]
    )
    assert messages(model_server_accepts_more_than_endpoint, target) == []


def test_ep004_message_names_the_value_the_limit_and_a_type_that_fits():
    target = deployment(DeploymentKind.REALTIME, models=[served(("MMS_MAX_REQUEST_SIZE", "20000000"))])
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

"""The data tables: schema-valid, sourced, consistent, current with botocore, and cheap to load."""

from __future__ import annotations

import copy
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import warnings

import pytest

import plugins.data as data
from plugins.data import regenerate
from plugins.data.accelerators import instance_accelerator_memory

REPO = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO / "schemas" / "data-tables.schema.json"
TABLES_PATH = REPO / "plugins" / "data" / "tables.yaml"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _walk(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, path + (index,))


def _at(document, path):
    for key in path:
        document = document[key]
    return document


def _family_group_index(family: str) -> int:
    return next(
        index for index, group in enumerate(data.raw_tables()["instance_families"]) if family in group["families"].split()
    )


# --- Schema and sources ------------------------------------------------------


def test_shipped_tables_match_the_schema(validator):
    errors = sorted(validator.iter_errors(data.raw_tables()), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors[:10])


@pytest.mark.parametrize(
    "path",
    [
        ("payload_limits", "serverless", "source"),
        ("endpoint_fit", "queued_latency_floor_ms", "source"),
        ("endpoint_fit", "shared_endpoint_min_endpoints", "checked"),
        ("serverless", "cold_start_seconds", "source"),
        ("realtime", "volume_size_gb", "checked"),
        ("async", "scaling", "checked"),
        ("serverless", "unsupported_features", 0, "source"),
        ("batch_transform", "max_payload_mb", "checked"),
        ("managed_spot", "job_kinds", "source"),
        ("autoscaling", "predefined_metrics", 0, "checked"),
        ("cloudwatch", "metric_groups", 0, "source"),
        ("model_servers", "setting_groups", 1, "checked"),
        ("instance_types", "checked"),
        ("instance_families", 0, "source"),
        ("images", "rule_groups", 0, "checked"),
        ("images", "tag_accelerator_hints", 2, "source"),
        ("kubernetes", "keda_min_replicas", "checked"),
        ("capacity", "labels", 0, "source"),
    ],
    ids=lambda path: "/".join(map(str, path)),
)
def test_schema_requires_source_and_checked(validator, path):
    tables = copy.deepcopy(data.raw_tables())
    del _at(tables, path[:-1])[path[-1]]
    assert not validator.is_valid(tables)


def test_schema_requires_source_on_accelerator_counts(validator):
    tables = copy.deepcopy(data.raw_tables())
    del tables["instance_families"][_family_group_index("g5")]["accelerator_counts"][0]["source"]
    assert not validator.is_valid(tables)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("realtime", "volume_size_gb", "checked"), "Aug 2026"),
        (("realtime", "volume_size_gb", "confidence"), "pretty sure"),
        (("instance_families", 0, "accelerator"), "fpga"),
        (("capacity", "labels", 0, "values", "spot"), "cheap"),
        (("images", "rule_groups", 0, "rules", 0, "accelerator"), "tpu"),
    ],
    ids=lambda item: "/".join(map(str, item)) if isinstance(item, tuple) else str(item),
)
def test_schema_rejects_bad_values(validator, path, value):
    tables = copy.deepcopy(data.raw_tables())
    _at(tables, path[:-1])[path[-1]] = value
    assert not validator.is_valid(tables)


def test_every_sourced_entry_is_dated_and_graded():
    today = datetime.date.today().isoformat()
    for path, value in _walk(data.raw_tables()):
        if not isinstance(value, dict) or not ({"source", "checked"} & value.keys()):
            continue
        where = "/".join(map(str, path))
        assert {"source", "checked"} <= value.keys(), f"{where} has only one of source/checked"
        assert "2023-01" <= value["checked"] <= today, f"{where}: checked {value['checked']} is not a plausible date"
        assert value.get("confidence", "high") in {"high", "med-high", "medium"}, f"{where}: low-confidence facts are not encoded"


def test_the_c_parser_reads_the_file():
    # A YAML 1.1-only construct (a plain `a::b` inside a flow mapping) sends
    # linter.load_text onto the pure-Python parser: ten times slower.
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    yaml.compose(TABLES_PATH.read_text(encoding="utf-8"))


# --- Existing accessors keep their meaning -----------------------------------


def test_payload_limits():
    assert data.payload_limit("realtime").bytes == 6_291_456
    serverless = data.payload_limit("serverless")
    assert serverless.bytes == 4 * MIB and serverless.display == "4 MB"
    assert data.payload_limit("async").bytes == 1024 * MIB
    assert data.payload_limit("training") is None
    assert data.payload_suggestion_order() == ("realtime", "async")


def test_answers_asked_for_every_deployment_are_made_once():
    # Rules ask these for every deployment (EP001 several times a finding): the frozen answers are shared.
    assert data.payload_limit("realtime") is data.payload_limit("realtime")
    assert data.payload_suggestion_order() is data.payload_suggestion_order()
    assert data.instance_info("ml.m5.large") is data.instance_info("ml.m5.large")
    assert instance_accelerator_memory("ml.g5.12xlarge") is instance_accelerator_memory("ml.g5.12xlarge")


def test_look_ups_by_name_answer_as_the_tables_in_order_do():
    # Found in tables made once, the first entry of a name wins, as a scan of the tables in order found it.
    for setting in data.model_server_settings():
        assert data.model_server_setting(setting.env) == next(s for s in data.model_server_settings() if s.env == setting.env)
    assert data.model_server_setting("NOT_A_SERVER_SETTING") is None
    for job_kind, entry in data.raw_tables()["instance_type_kinds"].items():
        for kind in entry["deployment_kinds"]:
            first = next(job for job, listed in data.raw_tables()["instance_type_kinds"].items() if kind in listed["deployment_kinds"])
            assert data.instance_job_kind(kind) == first
    assert data.instance_job_kind("not-a-kind") is None


def test_shared_instance_answers_keep_the_type_as_written_and_yield_to_the_run():
    assert data.instance_info("ML.M5.Large").instance_type == "ML.M5.Large"
    assert data.instance_info("ml.m5.large").instance_type == "ml.m5.large"
    assert instance_accelerator_memory("g5.12xlarge").instance_type == "g5.12xlarge"
    assert instance_accelerator_memory(12) is None
    shipped = data.instance_info("ml.g5.xlarge")
    families = {"zz9": {"accelerator": "gpu", "accelerator-count": 2}, "g6": {"accelerator": "gpu", "accelerator-count": 3}}
    extensions = data.Extensions({"instance-families": families}, "mldeploy-lint.toml")
    configured = data.instance_info("ml.zz9.2xlarge", extensions)
    assert (configured.accelerator_count, configured.confidence) == (2, "declared")
    assert configured.source == "[data.instance-families.zz9] in mldeploy-lint.toml"
    assert data.instance_info("ml.zz9.2xlarge") is None
    # The run's family wins over the tables' answer, made once for every run...
    assert data.instance_info("ml.g6.xlarge", extensions).accelerator_count == 3
    assert data.instance_info("ml.g6.xlarge").accelerator_count == 1
    # ...and a family the run does not classify is the tables' answer, the same one as without the run.
    assert data.instance_info("ml.g5.xlarge", extensions) is shipped
    assert data.instance_info("xlarge", extensions) is None


def test_serverless_settings():
    assert data.serverless_memory_sizes() == (1024, 2048, 3072, 4096, 5120, 6144)
    assert data.serverless_range("max_concurrency") == (1, 200)
    assert data.serverless_range("provisioned_concurrency") == (1, 200)
    features = {feature.feature for feature in data.serverless_unsupported_features()}
    assert {"gpu", "multi-model", "vpc-config", "network-isolation", "data-capture", "multiple-variants", "model-monitor"} <= features
    assert data.limit("serverless", "invocation_timeout_seconds").value == 60


def test_endpoint_fit_thresholds():
    assert data.queued_latency_floor_ms() == 1000
    assert data.shared_endpoint_min_endpoints() == 5
    fastest, slowest = data.serverless_cold_start_seconds()
    assert fastest == 1
    # The slowest cold start is the serverless start-up limit (model download plus /ping).
    assert slowest == data.limit("serverless", "startup_seconds").value == 180
    assert data.limit("serverless", "cold_start_seconds").confidence == "medium"


def test_numbers_stated_twice_agree():
    batch = data.limit("batch_transform", "max_payload_mb")
    assert data.payload_limit("batch-transform").bytes == batch.max * MIB
    assert (batch.min, batch.default) == (0, 6)
    assert data.limit("batch_transform", "concurrent_transforms_times_payload_mb").max == batch.max
    sizes = data.serverless_memory_sizes()
    assert list(sizes) == list(range(sizes[0], sizes[-1] + 1, 1024))
    scaling = data.raw_tables()["async"]["scaling"]
    wake, target = data.cloudwatch_metric(scaling["wake_metric"]), data.cloudwatch_metric(scaling["target_metric"])
    assert wake.namespace == target.namespace == scaling["namespace"]
    assert list(target.dimensions) == scaling["dimensions"]
    assert scaling["min_capacity"] == data.limit("autoscaling", "min_capacity").min == 0


# --- Instance types ----------------------------------------------------------


def test_burstable_and_hosting_validity():
    hosting = data.valid_instance_types("hosting")
    assert "ml.t3.medium" not in hosting
    assert "ml.t3.medium" in data.valid_instance_types("processing")
    assert "ml.t3.medium" in data.valid_instance_types("training")
    assert "ml.t2.medium" in hosting
    t2 = data.instance_info("ml.t2.medium")
    assert t2.burstable and t2.accelerator == "none" and t2.accelerator_count == 0
    burstable_hosting = {data.instance_info(name).family for name in hosting if data.instance_info(name).burstable}
    assert burstable_hosting == {"t2"}


def test_accelerators():
    g5 = data.instance_info("ml.g5.xlarge")
    assert (g5.accelerator, g5.accelerator_count, g5.accelerator_model) == ("gpu", 1, "NVIDIA A10G")
    assert data.instance_info("ml.g5.12xlarge").accelerator_count == 4
    assert data.instance_info("ml.inf2.xlarge").accelerator == "inferentia"
    assert data.instance_info("ml.trn1.32xlarge").accelerator == "trainium"
    assert data.instance_info("ml.dl1.24xlarge").accelerator == "gaudi"
    p5_small = data.instance_info("ml.p5.4xlarge")
    assert (p5_small.accelerator_count, p5_small.accelerator_count_confidence) == (1, "medium")
    assert data.instance_info("ml.p5.48xlarge").accelerator_count_confidence == "high"
    assert data.instance_info("ml.g4dn.metal").accelerator_count is None  # no source gives it


def test_ec2_node_types():
    assert data.instance_info("g5.xlarge").accelerator == "gpu"
    assert not data.instance_info("g5.xlarge").sagemaker
    assert data.instance_info("t3a.medium").burstable
    t4g = data.instance_info("t4g.large")
    assert t4g.burstable and t4g.architecture == "arm64"
    m7g = data.instance_info("m7g.xlarge")
    assert (m7g.accelerator, m7g.architecture, m7g.burstable) == ("none", "arm64", False)
    assert data.instance_info("p4d.24xlarge").accelerator_count == 8
    assert data.instance_info("zz9.large") is None
    assert data.instance_info("xlarge") is None
    assert data.instance_info("") is None


def test_every_family_is_classified_once():
    seen: dict[str, int] = {}
    for index, group in enumerate(data.raw_tables()["instance_families"]):
        for family in group["families"].split():
            assert family not in seen, f"family {family} is in groups {seen[family]} and {index}"
            seen[family] = index
    sagemaker_families = {name.split(".")[1] for kind in data.JOB_KINDS for name in data.valid_instance_types(kind)}
    assert sagemaker_families <= seen.keys(), f"unclassified families: {sorted(sagemaker_families - seen.keys())}"


def test_accelerator_counts_name_real_sizes():
    sizes: dict[str, set[str]] = {}
    for kind in data.JOB_KINDS:
        for name in data.valid_instance_types(kind):
            _, family, size = name.split(".", 2)
            sizes.setdefault(family, set()).add(size)
    for group in data.raw_tables()["instance_families"]:
        assert ("accelerator_counts" in group) <= (group["accelerator"] != "none"), f"{group['families']}: counts on a CPU family"
        for block in group.get("accelerator_counts", ()):
            for family in group["families"].split():
                if family in sizes:
                    assert block["sizes"].keys() <= sizes[family], f"{family}: counts for sizes SageMaker does not list"


def test_generated_counts_match_the_lists():
    kinds = data.raw_tables()["instance_types"]["kinds"]
    for kind in data.JOB_KINDS:
        assert kinds[kind]["count"] == len(data.valid_instance_types(kind)), kind
    with pytest.raises(ValueError):
        data.valid_instance_types("notebook")


def test_job_kinds_of_deployment_kinds():
    assert data.instance_job_kind("realtime") == data.instance_job_kind("async") == "hosting"
    assert data.instance_job_kind("batch-transform") == "transform"
    assert data.instance_job_kind("serverless") is None
    assert "botocore" in data.instance_types_source()


def test_generated_block_is_as_the_script_writes_it():
    # Hand edits inside the GENERATED block would be lost on the next run.
    text = TABLES_PATH.read_text(encoding="utf-8")
    tables = data.raw_tables()
    generated = tables["instance_types"]
    shapes = regenerate.kind_shapes(tables)
    block = regenerate.render_block(
        regenerate.BotocoreTables(generated["botocore_version"], regenerate.shipped_types(tables)), shapes, generated["checked"]
    )
    assert block in text


def test_diff_reports_added_and_removed_types():
    shipped = {"hosting": frozenset({"ml.m5.large", "ml.t2.medium"})}
    current = {"hosting": frozenset({"ml.m5.large", "ml.m9.large"})}
    (diff,) = regenerate.diff_tables(shipped, current)
    assert (diff.added, diff.removed) == (("ml.m9.large",), ("ml.t2.medium",))
    assert "added in botocore: ml.m9.large" in diff.describe() and "removed from botocore: ml.t2.medium" in diff.describe()
    assert regenerate.diff_tables(current, current) == ()


# --- botocore: the shipped tables are current --------------------------------


@pytest.fixture(scope="module")
def botocore_loader():
    pytest.importorskip("botocore")
    from botocore.loaders import Loader

    return Loader()


def _shape(loader, service: str, dotted: str) -> dict:
    version = {"sagemaker": "2017-07-24"}.get(service)
    shapes = loader.load_service_model(service, "service-2", api_version=version)["shapes"]
    name, _, member = dotted.partition(".")
    if member:
        name = shapes[name]["members"][member]["shape"]
    return shapes[name]


class StaleInstanceTables(UserWarning):
    """botocore knows instance types the shipped tables do not (yet)."""


def test_instance_tables_are_current_with_botocore(botocore_loader):
    """Types the tables list but botocore dropped fail; types botocore added only warn.

    A newer botocore (CI installs the latest) adding instance types must not
    break unrelated work, but it must be visible: the warning names them and
    says how to regenerate. A type the API no longer accepts is a real error.
    """
    import botocore

    tables = data.raw_tables()
    shipped_version = tables["instance_types"]["botocore_version"]
    if regenerate._version_tuple(botocore.__version__) < regenerate._version_tuple(shipped_version):
        pytest.skip(f"installed botocore {botocore.__version__} is older than the tables' {shipped_version}")
    current = regenerate.botocore_tables(regenerate.kind_shapes(tables))
    diffs = regenerate.diff_tables(regenerate.shipped_types(tables), current.types)
    removed = [diff for diff in diffs if diff.removed]
    assert not removed, (
        f"instance tables (botocore {shipped_version}) list types botocore {current.version} no longer has:\n"
        + "\n".join(f"  {diff.describe()}" for diff in removed)
        + "\nrun `python -m plugins.data.regenerate`"
    )
    if diffs:
        warnings.warn(
            StaleInstanceTables(
                f"instance tables (botocore {shipped_version}) lack types of botocore {current.version}: "
                + "; ".join(diff.describe() for diff in diffs)
                + " — run `python -m plugins.data.regenerate`"
            )
        )
    else:
        assert regenerate.main(["--check"]) == 0


def _range(section: str, name: str):
    return lambda: (data.limit(section, name).min, data.limit(section, name).max)


# (service, shape or Shape.member, the tables' (min, max); None = not compared)
BOTOCORE_BOUNDS = [
    ("sagemaker-runtime", "BodyBlob", lambda: (None, data.payload_limit("realtime").bytes)),
    ("sagemaker-runtime", "AsyncBodyBlob", _range("async", "inline_body_bytes")),
    ("sagemaker-runtime", "InvocationTimeoutSecondsHeader", _range("async", "invocation_timeout_seconds")),
    ("sagemaker-runtime", "RequestTTLSecondsHeader", _range("async", "request_ttl_seconds")),
    ("sagemaker", "ServerlessMemorySizeInMB", lambda: (data.serverless_memory_sizes()[0], data.serverless_memory_sizes()[-1])),
    ("sagemaker", "ServerlessMaxConcurrency", lambda: data.serverless_range("max_concurrency")),
    ("sagemaker", "ServerlessProvisionedConcurrency", lambda: data.serverless_range("provisioned_concurrency")),
    ("sagemaker", "ProductionVariant.VolumeSizeInGB", _range("realtime", "volume_size_gb")),
    ("sagemaker", "ProductionVariant.ModelDataDownloadTimeoutInSeconds", _range("realtime", "model_data_download_timeout_seconds")),
    ("sagemaker", "ProductionVariant.ContainerStartupHealthCheckTimeoutInSeconds", _range("realtime", "container_startup_health_check_timeout_seconds")),
    ("sagemaker", "ProductionVariant.InstancePools", _range("realtime", "instance_pools")),
    ("sagemaker", "CreateEndpointConfigInput.ProductionVariants", _range("realtime", "production_variants")),
    ("sagemaker", "CreateModelInput.Containers", _range("realtime", "model_containers")),
    ("sagemaker", "AsyncInferenceClientConfig.MaxConcurrentInvocationsPerInstance", _range("async", "max_concurrent_invocations_per_instance")),
    ("sagemaker", "ModelClientConfig.InvocationsTimeoutInSeconds", _range("batch_transform", "invocations_timeout_seconds")),
    ("sagemaker", "ModelClientConfig.InvocationsMaxRetries", _range("batch_transform", "invocations_max_retries")),
    ("sagemaker", "TransformEnvironmentMap", _range("batch_transform", "environment_entries")),
    ("sagemaker", "VpcConfig.Subnets", _range("availability", "vpc_subnets")),
    ("sagemaker", "VpcConfig.SecurityGroupIds", _range("availability", "vpc_security_groups")),
]


@pytest.mark.parametrize(("service", "shape", "bounds"), BOTOCORE_BOUNDS, ids=[row[1] for row in BOTOCORE_BOUNDS])
def test_bounds_match_botocore(botocore_loader, service, shape, bounds):
    model = _shape(botocore_loader, service, shape)
    minimum, maximum = bounds()
    if minimum is not None:
        assert model.get("min") == minimum
    assert model.get("max") == maximum


def test_max_payload_has_no_ceiling_in_the_api_model(botocore_loader):
    model = _shape(botocore_loader, "sagemaker", "CreateTransformJobRequest.MaxPayloadInMB")
    assert model.get("min") == data.limit("batch_transform", "max_payload_mb").min and "max" not in model


def test_enums_match_botocore(botocore_loader):
    assert _shape(botocore_loader, "sagemaker", "ProductionVariantAcceleratorType")["enum"] == list(
        data.limit("realtime", "retired_accelerator_types").values
    )
    enums = data.raw_tables()["batch_transform"]["enums"]
    for table_name, shape in (("BatchStrategy", "BatchStrategy"), ("SplitType", "SplitType"), ("AssembleWith", "AssemblyType")):
        assert _shape(botocore_loader, "sagemaker", shape)["enum"] == enums[table_name]
    assert data.autoscaling_service_namespace() in _shape(botocore_loader, "application-autoscaling", "ServiceNamespace")["enum"]
    dimensions = {name for name in _shape(botocore_loader, "application-autoscaling", "ScalableDimension")["enum"] if name.startswith("sagemaker:")}
    assert dimensions == {dimension.name for dimension in data.scalable_dimensions()}
    metrics = {name for name in _shape(botocore_loader, "application-autoscaling", "MetricType")["enum"] if name.startswith("SageMaker")}
    assert metrics == {metric for dimension in data.scalable_dimensions() for metric in dimension.predefined_metrics}


def _names_under(loader, shape_name: str) -> set[str]:
    shapes = loader.load_service_model("sagemaker", "service-2", api_version="2017-07-24")["shapes"]
    names, stack, seen = set(), [shape_name], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        names.update(shape.get("enum", ()))
        for member, spec in shape.get("members", {}).items():
            names.add(member)
            stack.append(spec["shape"])
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
    return names


@pytest.mark.parametrize(
    ("job_kind", "request_shape"),
    [
        ("training", "CreateTrainingJobRequest"),
        ("batch-transform", "CreateTransformJobRequest"),
        ("processing", "CreateProcessingJobRequest"),
        ("realtime", "CreateEndpointConfigInput"),
    ],
)
def test_spot_support_matches_botocore(botocore_loader, job_kind, request_shape):
    has_spot = any("spot" in name.lower() for name in _names_under(botocore_loader, request_shape))
    assert data.managed_spot_supported(job_kind) is has_spot


# --- Nothing says Spot for batch transform -----------------------------------


def test_no_spot_advice_for_sagemaker_batch_transform():
    assert data.managed_spot_supported("batch-transform") is False
    assert data.managed_spot_supported("processing") is False
    assert data.managed_spot_supported("serverless") is False
    assert data.managed_spot_supported("training") is True
    assert data.managed_spot_supported("notebook") is None
    for path, value in _walk(data.raw_tables()):
        if isinstance(value, str) and re.search(r"spot", value, re.I) and re.search(r"transform", value, re.I):
            assert re.search(r"\b(no|not|none|never)\b", value, re.I), f"{'/'.join(map(str, path))} pairs Spot with transform: {value}"


# --- Images ------------------------------------------------------------------

ECR = "683313688378.dkr.ecr.us-east-1.amazonaws.com"
DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("image", "framework", "tabular", "llm_server", "accelerator"),
    [
        (f"{ECR}/sagemaker-xgboost:1.7-1", "xgboost", True, False, None),
        (f"{ECR}/sagemaker-scikit-learn:1.2-1-cpu-py3", "sklearn", True, False, "cpu"),
        (f"{ECR}/sagemaker-scikit-learn:1.2-1", "sklearn", True, False, "cpu"),
        (f"{ECR}/linear-learner:1", "linear-learner", True, False, None),
        (f"{DLC}/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04", "tgi", False, True, "gpu"),
        (f"{DLC}/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04", "huggingface", False, False, "cpu"),
        (f"{DLC}/pytorch-inference:2.1.0-cpu-py310", "pytorch", False, False, "cpu"),
        (f"{DLC}/djl-inference:0.29.0-lmi11.0.0-cu124", "djl-lmi", False, True, "gpu"),
        (f"{DLC}/djl-inference:0.29.0-neuronx-sdk2.19.1", "djl-lmi", False, True, "neuron"),
        (f"{DLC}/huggingface-pytorch-inference-neuronx:2.1.2-transformers4.36.2-neuronx-py310-sdk2.18.0-ubuntu20.04", "huggingface", False, False, "neuron"),
        (f"{DLC}/pytorch-inference:1.13.1-gpu-py39-cu118-ubuntu20.04", "pytorch", False, False, "gpu"),
        (f"{DLC}/tei-cpu:2.0.1-tei1.2.3-ubuntu22.04", "tei", False, False, "cpu"),
        (f"{DLC}/sagemaker-tritonserver:24.05-trtllm-python-py3", "triton", False, True, None),
        (f"{DLC}/sagemaker-tritonserver:24.05-py3", "triton", False, False, None),
        ("vllm/vllm-openai:v0.6.3", "vllm", False, True, None),
        ("docker.io/vllm/vllm-openai", "vllm", False, True, None),
        (f"{ECR}/docker-hub/vllm/vllm-openai:latest", "vllm", False, True, None),
        ("ghcr.io/huggingface/text-generation-inference:2.4.0", "tgi", False, True, None),
        ("nvcr.io/nvidia/tritonserver:24.05-vllm-python-py3", "triton", False, True, None),
        ("kserve/sklearnserver:v0.14.0", "sklearn", True, False, None),
        ("seldonio/mlserver:1.3.5-xgboost", "xgboost", True, False, None),
        ("seldonio/mlserver:1.3.5", "mlserver", False, False, None),
        # Repository patterns: registry prefixes, mirrors, tags and digests do not defeat them.
        ("vllm/vllm-openai-cpu:v0.19.0", "vllm", False, True, "cpu"),
        (f"{ECR}/docker-hub/vllm/vllm-openai-cpu:v0.23.0", "vllm", False, True, "cpu"),
        ("vllm/vllm-openai-rocm@sha256:" + "0" * 64, "vllm", False, True, None),
        ("index.docker.io/vllm/vllm-tpu:latest", "vllm", False, True, None),
        ("lmcache/vllm-openai:latest", "vllm", False, True, None),
        ("us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-generation-inference-cu124.2-3.ubuntu2204.py311", "tgi", False, True, "gpu"),
        ("us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-embeddings-inference-cpu.1-5", "tei", False, False, "cpu"),
        ("us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-pytorch-inference-cu121.2-3.transformers.4-46.ubuntu2204.py311", "huggingface", False, False, "gpu"),
        ("us-docker.pkg.dev/google-samples/containers/gke/tritonserver:2.42.0", "triton", False, False, None),
        ("mirror.example.com/nvcr.io/nvidia/tritonserver:24.05-trtllm-python-py3", "triton", False, True, None),
        ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3", "nim", False, False, None),
        ("deepjavalibrary/djl-serving:0.29.0-lmi", "djl-lmi", False, True, None),
        ("deepjavalibrary/djl-serving:0.29.0-cpu-full", "djl", False, False, "cpu"),
        ("docker.io/library/ollama/ollama:0.5.7", "ollama", False, False, None),
        ("docker.io/ollama/ollama:latest", "ollama", False, False, None),
        ("pytorch/torchserve-kfs:0.9.0-gpu", "pytorch", False, False, "gpu"),
        ("tensorflow/serving:2.13.1-gpu", "tensorflow", False, False, "gpu"),
        ("lmsysorg/sglang:v0.4.6-cu124", "sglang", False, True, "gpu"),
        (f"{DLC}/pytorch-training:2.0.0-cpu-py310-ubuntu20.04-sagemaker", "pytorch", False, False, "cpu"),
        ("myvllm/vllm-openai:1", None, False, False, None),  # another namespace is another image
        ("myorg/custom-model:2.0-gpu", None, False, False, "gpu"),
        ("myorg/custom-model@sha256:" + "0" * 64, None, False, False, None),
    ],
)
def test_classify_image(image, framework, tabular, llm_server, accelerator):
    info = data.classify_image(image)
    assert (info.framework, info.tabular, info.llm_server, info.accelerator) == (framework, tabular, llm_server, accelerator)
    assert (info.reason is None) == (framework is None)
    assert (info.accelerator_reason is None) == (accelerator is None)


def test_names_without_a_star_match_as_their_regex_would():
    # plugins/data/images.py compares such names as strings instead of compiling each one.
    from plugins.data import images

    tables = data.raw_tables()["images"]["rule_groups"]
    repositories = {name for group in tables for entry in group["rules"] for name in entry.get("repositories", ())}
    names = {name for group in tables for entry in group["rules"] for name in entry.get("images", ())}
    for wanted, literal, regex in [
        *[(name, images._repository_pattern(name), re.compile(images._glob(name))) for name in repositories],
        *[(name, images._image_pattern(name), re.compile(f"(?:.*/)?{images._glob(name)}")) for name in names],
    ]:
        if "*" in wanted or wanted.endswith("/"):
            assert isinstance(literal, re.Pattern)
            continue
        assert isinstance(literal, images._Name)
        for text in (
            wanted, wanted + "x", "x" + wanted, "/" + wanted, "a/b/" + wanted, "a\nb/" + wanted, "a/\n/" + wanted,
            "a/b" + wanted, wanted + "/", wanted.upper(), "\n" + wanted, wanted + "\n", "",
        ):
            assert bool(literal.fullmatch(text)) == bool(regex.fullmatch(text)), (wanted, text)


def test_environment_hints_name_the_framework_only_when_the_image_does_not():
    assert data.classify_image("myorg/model:1", {"HF_TASK": "text-classification"}).framework == "huggingface"
    assert data.classify_image(f"{ECR}/sagemaker-xgboost:1.7-1", {"HF_TASK": "x"}).framework == "xgboost"
    assert data.classify_image("myorg/model:1", {"OTHER": "x"}).framework is None


@pytest.mark.parametrize(
    ("image", "framework"),
    [
        ("registry.example.com/pricing/pricing-xgboost-server:1.4", "xgboost"),
        ("public.ecr.aws/data-on-eks/ray-2.41.0-py310-cu118-vllm0.7.0:latest", "vllm"),
        ("kubeflow/pytorch-dist-mnist:latest", "pytorch"),
        ("123456789012.dkr.ecr.us-east-2.amazonaws.com/trtllm-inference-registry:latest", "tensorrt-llm"),
        ("registry.example.com/web/html-renderer:2", None),  # `html` holds no framework word
        ("registry.example.com/pytorchx-tools:2", None),  # a word counts between non-letters only
        ("registry.example.com/llm/vllm-router:1", None),  # a helper beside the server, not the server
        ("registry.example.com/vllm/gateway-app:1", None),  # the repository name, not its namespace
        ("$XGBOOST_IMAGE_URI", None),  # a placeholder, not a name
    ],
)
def test_framework_words_in_repository_names(image, framework):
    found = data.repository_word_framework(image)
    assert (found[0] if found else None) == framework
    if found:
        assert "inferred from the image's name" in found[1]


@pytest.mark.parametrize(
    ("argv", "framework"),
    [
        (("vllm", "serve", "meta-llama/Llama-3.1-8B"), "vllm"),
        (("/usr/local/bin/vllm", "serve", "m"), "vllm"),
        (("python3", "-m", "vllm.entrypoints.openai.api_server", "--model", "m"), "vllm"),
        (("python", "-u", "-m", "sglang.launch_server", "--model-path", "m"), "sglang"),
        (("text-generation-launcher", "--model-id", "m"), "tgi"),
        (("torchserve", "--start", "--foreground"), "pytorch"),
        (("tritonserver", "--model-repository=/models"), "triton"),
        (("/bin/sh", "-c", "ollama serve & sleep 5; ollama pull llama3; wait"), "ollama"),
        (("/bin/bash", "-exc", "apt-get update\n# vllm serve is started below\nexec python3 -m vllm.entrypoints.openai.api_server \\\n  --port 8000"), "vllm"),
        (("bash", "-c", "HF_HOME=/cache nohup /opt/tritonserver/bin/tritonserver --model-repository=/m"), "triton"),
        (("sh", "-c", "cd /opt/tritonserver && ls"), None),  # a path, not the server
        (("sh", "-c", "# vllm serve m"), None),  # a comment
        (("ollama", "pull", "llama3"), None),
        (("echo", "vllm serve"), None),
        (("python3", "train.py", "-m", "vllm.entrypoints"), None),  # -m after the script is the script's
    ],
)
def test_server_commands(argv, framework):
    found = data.server_command(argv)
    assert (found.framework if found else None) == framework


@pytest.mark.parametrize(
    ("namespace", "word"),
    [("ml-serving", "ml"), ("team-ml", "ml"), ("kserve-test", "kserve"), ("kubeflow-user-example-com", "kubeflow"), ("ray", "ray"), ("llm_inference", "llm"), ("html", None), ("xray", None), ("raydata", None), ("default", None)],
)
def test_ml_namespace_words(namespace, word):
    assert data.ml_namespace_word(namespace) == word


def test_image_rules_are_consistent():
    images = data.raw_tables()["images"]
    frameworks = set(images["frameworks"]["names"].split())
    assert set(images["tabular_frameworks"]["names"]) <= frameworks
    assert set(images["llm_server_frameworks"]["names"]) <= frameworks
    assert set(images["model_server_frameworks"]["names"]) <= frameworks
    assert not set(images["tabular_frameworks"]["names"]) & set(images["llm_server_frameworks"]["names"])
    unconditional: dict[str, str] = {}
    for group in images["rule_groups"]:
        for rule in group["rules"]:
            assert rule["framework"] in frameworks, f"rule names unknown framework {rule['framework']}"
            if "tag_pattern" in rule:
                re.compile(rule["tag_pattern"])
            for name in rule.get("repositories", []) + rule.get("images", []):
                # A name may reappear only after narrower (tag-pattern) rules;
                # once matched unconditionally, later rules never fire.
                assert name not in unconditional, f"{name} is shadowed by the rule for {unconditional[name]}"
                if "tag_pattern" not in rule:
                    unconditional[name] = rule["framework"]
    for hint in images["env_hints"]:
        assert hint["framework"] in frameworks
    for command in images["server_commands"]["commands"]:
        assert command["framework"] in frameworks
    assert set(images["repository_words"]["words"].values()) <= frameworks
    for framework in images["kserve_model_formats"]["formats"].values():
        assert framework in frameworks


def test_kserve_model_formats():
    assert data.kserve_model_format("vLLM") == "vllm"
    assert data.kserve_model_format("sklearn") == "sklearn"
    assert data.framework_info(data.kserve_model_format("lightgbm")).tabular
    assert data.framework_info(data.kserve_model_format("huggingface")).llm_server is False
    assert data.kserve_model_format("no-such-format") is None
    assert data.framework_info("vllm").llm_server and not data.framework_info("llamacpp").llm_server


# --- Autoscaling, CloudWatch, model servers ----------------------------------


def test_autoscaling_tables():
    assert data.autoscaling_service_namespace() == "sagemaker"
    dimensions = {dimension.name: dimension for dimension in data.scalable_dimensions()}
    assert len(dimensions) == 3
    assert dimensions["sagemaker:variant:DesiredProvisionedConcurrency"].predefined_metrics == (
        "SageMakerVariantProvisionedConcurrencyUtilization",
    )
    metrics = [metric for dimension in dimensions.values() for metric in dimension.predefined_metrics]
    assert len(metrics) == len(set(metrics)) == 5
    assert data.predefined_metric_dimension("SageMakerVariantInvocationsPerInstance") == "sagemaker:variant:DesiredInstanceCount"
    assert data.predefined_metric_dimension("ASGAverageCPUUtilization") is None
    assert data.scalable_dimension("sagemaker:variant:DesiredCopyCount") is None


def test_parse_scaling_resource_id():
    variant = data.parse_scaling_resource_id("endpoint/fraud-prod/variant/AllTraffic")
    assert (variant.kind, variant.endpoint, variant.variant) == ("variant", "fraud-prod", "AllTraffic")
    component = data.parse_scaling_resource_id("inference-component/llama-ic")
    assert (component.kind, component.name) == ("inference-component", "llama-ic")
    assert data.parse_scaling_resource_id("endpoint/fraud-prod") is None
    assert data.parse_scaling_resource_id("service/cluster/name") is None


def test_cloudwatch_tables():
    latency = data.cloudwatch_metric("ModelLatency")
    assert (latency.namespace, latency.unit) == ("AWS/SageMaker", "Microseconds")
    cpu = data.cloudwatch_metric("CPUUtilization")
    assert cpu.namespace == data.cloudwatch_namespace("endpoint_instances") == "/aws/sagemaker/Endpoints"
    assert cpu.scales_with == "vcpus" and data.cloudwatch_metric("GPUUtilization").scales_with == "gpus"
    assert data.cloudwatch_metric("HasBacklogWithoutCapacity").dimensions == ("EndpointName",)
    assert data.cloudwatch_metric("NoSuchMetric") is None
    names = [name for group in data.raw_tables()["cloudwatch"]["metric_groups"] for name in group["metrics"]]
    assert len(names) == len(set(names)), "a metric is listed in two groups"


def test_model_server_settings():
    names = [setting.env for setting in data.model_server_settings()]
    assert len(names) == len(set(names)), "an environment variable is listed twice"
    request = data.model_server_setting("TS_MAX_REQUEST_SIZE")
    assert (request.setting, request.unit, request.default) == ("max_request_size", "bytes", 6_553_500)
    assert data.model_server_setting("MMS_MAX_REQUEST_SIZE").setting == "max_request_size"
    assert data.model_server_setting("SAGEMAKER_MODEL_SERVER_TIMEOUT").default == 60
    assert data.model_server_setting("PATH") is None
    assert data.model_server_async_request_bytes("mms") == 2_000_000_000
    assert data.model_server_async_request_bytes("torchserve") == 100_000_000
    assert data.model_server_async_request_bytes("sagemaker-inference-toolkit") is None
    for setting in data.model_server_settings():
        assert setting.unit == {"max_request_size": "bytes", "max_response_size": "bytes", "response_timeout": "seconds", "workers": "workers"}[setting.setting]


# --- Capacity and Kubernetes -------------------------------------------------


def test_capacity_labels_and_settings():
    assert data.capacity_from_label("karpenter.sh/capacity-type", "spot") == "spot"
    assert data.capacity_from_label("karpenter.sh/capacity-type", "reserved") == "reserved"
    assert data.capacity_from_label("eks.amazonaws.com/capacityType", "ON_DEMAND") == "on-demand"
    assert data.capacity_from_label("cloud.google.com/gke-spot", "true") == "spot"
    assert data.capacity_from_label("cloud.google.com/gke-spot", True) == "spot"
    assert data.capacity_from_label("kubernetes.azure.com/scalesetpriority", "spot") == "spot"
    assert data.capacity_from_label("karpenter.sh/capacity-type", "cheap") is None
    assert data.capacity_from_label("app", "spot") is None
    assert data.capacity_from_setting("eks-nodegroup", "CAPACITY_BLOCK") == "reserved"
    assert data.capacity_from_setting("batch-compute-environment", "fargate_spot") == "spot"
    assert data.capacity_from_setting("batch-compute-environment", "EC2") == "on-demand"
    assert data.capacity_from_setting("ecs-capacity-provider", "FARGATE_SPOT") == "spot"
    assert data.capacity_from_setting("ecs-capacity-provider", "my-asg-provider") is None
    keys = [entry["key"] for entry in data.raw_tables()["capacity"]["labels"]]
    assert len(keys) == len(set(keys)) and set(keys) == data.capacity_label_keys()


def test_kubernetes_tables():
    assert data.accelerator_resource("nvidia.com/gpu") == "gpu"
    assert data.accelerator_resource("amd.com/gpu") == "gpu"
    assert {"aws.amazon.com/neuron", "aws.amazon.com/neuroncore", "aws.amazon.com/neurondevice"} <= data.accelerator_resource_names()
    assert data.accelerator_resource("cpu") is None
    assert data.kubernetes_label("zone") == "topology.kubernetes.io/zone"
    assert data.kubernetes_label("instance_type") == "node.kubernetes.io/instance-type"
    assert data.kserve_deployment_mode("RawDeployment") == "Standard"
    assert data.kserve_deployment_mode("Serverless") == "Knative"
    assert data.kserve_deployment_mode("Standard") == "Standard"
    assert data.kserve_deployment_mode("Raw") is None
    assert data.limit("kubernetes", "keda_min_replicas").default == 0
    assert data.limit("kubernetes", "hpa_min_replicas").default == 1


# --- Regional tables from cfn-lint, read without importing it ----------------


def test_regional_tables_from_a_pricing_table(tmp_path, monkeypatch):
    table = tmp_path / "data/schemas/extensions/aws_sagemaker_hosting/instancetype_enum.json"
    table.parent.mkdir(parents=True)
    table.write_text(json.dumps({"eu-west-1": {"enum": ["ml.m5.large", "ml.g5.xlarge"]}}), encoding="utf-8")
    monkeypatch.setattr(data.instances, "_cfnlint_root", lambda: tmp_path)
    data.regional_instance_types.cache_clear()
    try:
        regional = data.regional_instance_types("eu-west-1", "hosting")
        assert regional.basis == "pricing" and "ml.g5.xlarge" in regional and "ml.p5.48xlarge" not in regional
        assert data.regional_instance_types("ap-south-2", "hosting") is None
        assert data.regional_instance_types("eu-west-1", "training") is None  # no table, no provider schema
        assert data.regional_instance_types("../../etc", "hosting") is None
    finally:
        data.regional_instance_types.cache_clear()


@pytest.mark.regional_tables
def test_the_cfnlint_version_is_its_distribution_s():
    # Read from the dist-info beside the package, without importlib.metadata (15-20 ms a run).
    if data.instances._cfnlint_root() is None:
        pytest.skip("cfn-lint is not installed")
    from importlib.metadata import version

    data.instances._cfnlint_version.cache_clear()
    assert data.instances._cfnlint_version() == version("cfn-lint")


def test_the_dist_info_version_reader(tmp_path):
    for directory, metadata in [
        ("cfn_lint-1.2.3.dist-info", "Metadata-Version: 2.1\nName: cfn-lint\nVersion: 1.2.3\n\nVersion: 9\n"),
        ("cfn_lint_extra-9.dist-info", "Version: 9\n"),
        ("other-9.dist-info", "Version: 9\n"),
    ]:
        (tmp_path / directory).mkdir()
        (tmp_path / directory / "METADATA").write_text(metadata)
    assert data.instances._dist_info_version(tmp_path, "cfn_lint") == "1.2.3"
    assert data.instances._dist_info_version(tmp_path, "absent") is None
    assert data.instances._dist_info_version(tmp_path / "missing", "cfn_lint") is None


_PROBE = r"""
import json, sys
import plugins.data as data
lazy = data.raw_tables.cache_info().currsize == 0
regional = data.regional_instance_types("us-east-1", "hosting")
data.instance_info("ml.g5.xlarge"); data.classify_image("vllm/vllm-openai:latest", {"HF_TASK": "x"})
data.valid_instance_types("hosting"); data.capacity_from_label("karpenter.sh/capacity-type", "spot")
data.cloudwatch_metric("ModelLatency"); data.parse_scaling_resource_id("endpoint/a/variant/b")
data.model_server_setting("TS_MAX_REQUEST_SIZE"); data.limit("async", "invocation_timeout_seconds")
print(json.dumps({
    "lazy": lazy,
    "cfnlint_installed": data.instances._cfnlint_root() is not None,
    "regional": sorted(regional.types) if regional else None,
    "basis": regional.basis if regional else None,
    "heavy": [name for name in ("cfnlint", "jsonschema", "botocore") if name in sys.modules],
}))
"""


def test_loading_is_lazy_and_imports_nothing_heavy():
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO, check=True)
    probe = json.loads(result.stdout)
    assert probe["lazy"], "plugins.data parsed its tables at import time"
    assert probe["heavy"] == [], f"plugins.data imported {probe['heavy']}"
    if probe["cfnlint_installed"]:
        assert "ml.m5.large" in probe["regional"] and probe["basis"] in {"pricing", "schema"}
    else:
        assert probe["regional"] is None


def test_the_compiled_tables_are_current():
    # The linter reads tables.json (a millisecond) instead of parsing
    # tables.yaml on every run; tables.yaml stays the source.
    from plugins.data.loading import compiled_tables

    compiled = TABLES_PATH.with_name("tables.json").read_text(encoding="utf-8")
    assert compiled == compiled_tables(TABLES_PATH.read_text(encoding="utf-8")), (
        "plugins/data/tables.json is not tables.yaml: run `python -m plugins.data.regenerate --json`"
    )

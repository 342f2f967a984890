"""The built-in rules' data tables (`tables.yaml`), read once and typed.

Numbers and name lists never live in rule code: rules ask here. Everything
comes from one YAML file, parsed on first use with the project's own loader
and cached; every entry there names its source and the date it was checked.
The file is validated against `schemas/data-tables.schema.json` by the test
suite, not here: importing jsonschema (or botocore, or cfn-lint) at lint time
would cost start-up. Regional availability is the one table read from
outside the file: from the installed cfn-lint's bundled JSON, located without
importing cfn-lint.

Accessors return frozen dataclasses, tuples and frozensets; `None` means the
tables do not know (rules then stay silent).

The package root holds the limits (payloads, serverless, sourced numbers,
endpoint-type fit, model-server settings) and re-exports the accessors of
its modules: `instances`, `images`, `autoscaling` and `kubernetes`;
`loading` reads the file and the configuration's `data` section.

A run's `[data]` section (declared in `options.py`) reaches the look-ups
that depend on it (`instance_info`, `valid_instance_types`,
`classify_image`) as a parameter, `extensions=extensions_of(run)`: a rule
passes it, an adapter hands it down to its readers (the shared AWS
readers take it on their `RequestReader`, `compute_for` and
`model_for`). Without it, the shipped tables answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

__all__ = [
    "ExampleImage",
    "ImageInfo",
    "InstanceInfo",
    "FrameworkInfo",
    "Limit",
    "MetricInfo",
    "ModelServerSetting",
    "PayloadLimit",
    "RegionalInstanceTypes",
    "ScalableDimension",
    "ScalingResourceId",
    "ServerCommand",
    "UnsupportedFeature",
    "accelerator_resource",
    "accelerator_resource_is_share",
    "accelerator_resource_names",
    "autoscaling_service_namespace",
    "capacity_from_label",
    "capacity_from_setting",
    "capacity_label_keys",
    "classify_image",
    "default_capacity",
    "ecr_image_region",
    "cloudwatch_metric",
    "cloudwatch_namespace",
    "example_image",
    "example_images",
    "example_instance_types",
    "example_instance_types_source",
    "framework_aliases",
    "framework_names",
    "framework_info",
    "instance_info",
    "instance_job_kind",
    "instance_types_source",
    "kserve_deployment_mode",
    "kserve_model_format",
    "kubernetes_label",
    "karpenter_consolidation_evicts",
    "karpenter_default_consolidation_policy",
    "karpenter_consolidate_after_never",
    "karpenter_do_not_disrupt_annotation",
    "spot_min_instance_types",
    "spot_min_zones",
    "limit",
    "ml_namespace_word",
    "managed_spot_supported",
    "model_server_async_request_bytes",
    "model_server_setting",
    "model_server_settings",
    "parse_scaling_resource_id",
    "payload_limit",
    "payload_suggestion_order",
    "predefined_metric_dimension",
    "queued_latency_floor_ms",
    "raw_tables",
    "regional_instance_types",
    "repository_word_framework",
    "scalable_dimension",
    "scalable_dimensions",
    "serverless_cold_start_seconds",
    "serverless_memory_sizes",
    "serverless_range",
    "server_command",
    "serverless_unsupported_features",
    "seldon_implementation_framework",
    "shared_endpoint_min_endpoints",
    "valid_instance_types",
    "Extensions",
    "SHIPPED",
    "extensions_of",
]

from plugins.data.loading import JOB_KINDS, SHIPPED, Extensions, extensions_of, raw_tables  # noqa: F401  (JOB_KINDS: the job kinds rules name)

from plugins.data.instances import (  # noqa: E402
    InstanceInfo,
    RegionalInstanceTypes,
    instance_info,
    instance_job_kind,
    instance_types_source,
    regional_instance_types,
    valid_instance_types,
)
from plugins.data.images import (  # noqa: E402
    ecr_image_region,
    seldon_implementation_framework,
    ImageInfo,
    FrameworkInfo,
    ServerCommand,
    classify_image,
    framework_info,
    kserve_model_format,
    ml_namespace_word,
    repository_word_framework,
    server_command,
)
from plugins.data.autoscaling import (  # noqa: E402
    MetricInfo,
    ScalableDimension,
    ScalingResourceId,
    autoscaling_service_namespace,
    cloudwatch_metric,
    cloudwatch_namespace,
    parse_scaling_resource_id,
    predefined_metric_dimension,
    scalable_dimension,
    scalable_dimensions,
)
if TYPE_CHECKING:
    from plugins.data.advisor_examples import (
        ExampleImage,
        example_image,
        example_images,
        example_instance_types,
        example_instance_types_source,
        framework_aliases,
        framework_names,
    )
from plugins.data.kubernetes import (  # noqa: E402
    default_capacity,
    accelerator_resource,
    accelerator_resource_is_share,
    accelerator_resource_names,
    capacity_from_label,
    capacity_from_setting,
    capacity_label_keys,
    kserve_deployment_mode,
    kubernetes_label,
    karpenter_consolidation_evicts,
    karpenter_default_consolidation_policy,
    karpenter_consolidate_after_never,
    karpenter_do_not_disrupt_annotation,
    spot_min_instance_types,
    spot_min_zones,
)


# --- Payload limits and serverless (EP001, CV001-CV003) --------------------


@dataclass(frozen=True)
class PayloadLimit:
    """The largest request a deployment kind accepts."""

    kind: str
    bytes: int
    display: str
    label: str
    source: str


def payload_limit(kind: str) -> PayloadLimit | None:
    """The payload limit of a deployment kind (`realtime`, `serverless`, ...), if any."""
    return _payload_limits().get(kind)


@functools.lru_cache(maxsize=None)
def _payload_limits() -> dict[str, PayloadLimit]:
    # Each limit made once: EP001 alone asks for several for every deployment and finding.
    return {
        kind: PayloadLimit(kind, entry["bytes"], entry["display"], entry["label"], entry["source"])
        for kind, entry in raw_tables()["payload_limits"].items()
    }


@functools.lru_cache(maxsize=None)
def payload_suggestion_order() -> tuple[str, ...]:
    """Kinds to suggest, in order, for a payload too large for the current one."""
    return tuple(raw_tables()["payload_suggestion_order"])


def serverless_memory_sizes() -> tuple[int, ...]:
    """The allowed serverless `MemorySizeInMB` values."""
    return tuple(raw_tables()["serverless"]["memory_sizes_mb"]["values"])


def serverless_range(name: str) -> tuple[int, int]:
    """(min, max) of a serverless setting: `max_concurrency` or `provisioned_concurrency`."""
    entry = raw_tables()["serverless"][name]
    return entry["min"], entry["max"]


@dataclass(frozen=True)
class UnsupportedFeature:
    """A feature a serverless endpoint cannot use (`vpc-config`, `data-capture`, ...)."""

    feature: str
    description: str
    source: str
    confidence: str


def serverless_unsupported_features() -> tuple[UnsupportedFeature, ...]:
    """What serverless endpoints do not support, in table order."""
    return tuple(
        UnsupportedFeature(feature, description, group["source"], group.get("confidence", "high"))
        for group in raw_tables()["serverless"]["unsupported_features"]
        for feature, description in group["features"].items()
    )


# --- Sourced numbers -------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """One sourced entry of a table section: a range, a default, a fixed value or a list of values."""

    section: str
    name: str
    min: int | float | None
    max: int | float | None
    default: object
    value: object
    values: tuple | None
    unit: str | None
    note: str | None
    source: str
    checked: str
    confidence: str


def limit(section: str, name: str) -> Limit:
    """The entry `name` of `section` (e.g. `limit("async", "invocation_timeout_seconds")`).

    Sections: endpoint_fit, realtime, async, serverless, batch_transform,
    managed_spot, availability, autoscaling, kubernetes. Raises KeyError for a name the
    tables do not have: that is a bug in the caller, not a fact to skip.
    """
    made = _LIMITS.get((section, name))
    if made is not None:
        return made
    entry = raw_tables()[section][name]
    made = _LIMITS[section, name] = Limit(
        section,
        name,
        entry.get("min"),
        entry.get("max"),
        entry.get("default"),
        entry.get("value"),
        tuple(entry["values"]) if "values" in entry else None,
        entry.get("unit"),
        entry.get("note"),
        entry["source"],
        entry["checked"],
        entry.get("confidence", "high"),
    )
    return made


# Each entry made once (rules ask for the same few entries for every deployment).
_LIMITS: dict[tuple[str, str], Limit] = {}


# --- Endpoint-type fit (EP002, EP003, EP006) -------------------------------


def queued_latency_floor_ms() -> float:
    """The smallest latency target (ms) an asynchronous endpoint or a batch transform job is credited with."""
    return float(limit("endpoint_fit", "queued_latency_floor_ms").value)  # type: ignore[arg-type]


def serverless_cold_start_seconds() -> tuple[float, float]:
    """(fastest, slowest) cold start of a serverless endpoint without provisioned concurrency, in seconds."""
    entry = limit("serverless", "cold_start_seconds")
    return float(entry.min), float(entry.max)  # type: ignore[arg-type]


def shared_endpoint_min_endpoints() -> int:
    """How many real-time endpoints of one image in a run are worth consolidating (EP006)."""
    return int(limit("endpoint_fit", "shared_endpoint_min_endpoints").value)  # type: ignore[arg-type]


def managed_spot_supported(job_kind: str) -> bool | None:
    """Whether a SageMaker job kind has a managed Spot option; None if the table does not say.

    Job kinds: training, hyperparameter-tuning, hyperpod (True); batch-transform,
    processing, realtime, async, serverless (False).
    """
    table = raw_tables()["managed_spot"]["job_kinds"]
    if job_kind in table["supported"]:
        return True
    if job_kind in table["unsupported"]:
        return False
    return None


# --- Model servers (EP004) -------------------------------------------------


@dataclass(frozen=True)
class ModelServerSetting:
    """A container environment variable that sets a model-server limit."""

    env: str
    server: str
    setting: str  # max_request_size | max_response_size | response_timeout | workers
    unit: str
    default: int | None
    source: str
    confidence: str


@functools.lru_cache(maxsize=None)
def model_server_settings() -> tuple[ModelServerSetting, ...]:
    """Every known model-server environment variable, in table order."""
    return tuple(
        ModelServerSetting(
            env,
            group["server"],
            entry["setting"],
            entry["unit"],
            entry.get("default"),
            group["source"],
            group.get("confidence", "high"),
        )
        for group in raw_tables()["model_servers"]["setting_groups"]
        for env, entry in group["env"].items()
    )


def model_server_setting(env: str) -> ModelServerSetting | None:
    """The model-server setting an environment variable controls, if it is a known one."""
    return _model_server_settings_by_env().get(env)


@functools.lru_cache(maxsize=None)
def _model_server_settings_by_env() -> dict[str, ModelServerSetting]:
    # Made once: EP004 and EP008 ask for every environment variable of every container (the first entry wins).
    found: dict[str, ModelServerSetting] = {}
    for setting in model_server_settings():
        found.setdefault(setting.env, setting)
    return found


def model_server_async_request_bytes(server: str) -> int | None:
    """The largest max request size AWS documents for a model server behind async endpoints, if any.

    AWS's async guide raises the limits of its own containers to these
    values (for MMS above the 1 GB async payload limit itself).
    """
    values = [
        entry["max_request_bytes"]
        for entry in raw_tables()["model_servers"].get("async_documented_values", ())
        if entry["server"] == server
    ]
    return max(values) if values else None


# The advisor's examples wait for `mldeploy-lint advise`: a lint run never reads them.
_ADVISOR_EXAMPLES = frozenset(
    {
        "ExampleImage",
        "example_image",
        "example_images",
        "example_instance_types",
        "example_instance_types_source",
        "framework_aliases",
        "framework_names",
    }
)


def __getattr__(name: str) -> object:
    """The advisor examples' names, imported on first use (PEP 562)."""
    if name in _ADVISOR_EXAMPLES:
        from plugins.data import advisor_examples

        return getattr(advisor_examples, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Mapping

from linter import current_config, load_text, to_python

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
    "accelerator_resource_names",
    "autoscaling_service_namespace",
    "capacity_from_label",
    "capacity_from_setting",
    "capacity_label_keys",
    "classify_image",
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
    "shared_endpoint_min_endpoints",
    "valid_instance_types",
]

TABLES_FILE = "tables.yaml"
JOB_KINDS = ("hosting", "transform", "training", "processing")


# --- Loading ---------------------------------------------------------------


def _parse_tables(text: str) -> dict:
    source = load_text(f"plugins/data/{TABLES_FILE}", text)
    if source.problems or not source.documents:
        raise RuntimeError(f"plugins/data/{TABLES_FILE} is unreadable: {source.problems}")
    return to_python(source.documents[0].root)  # type: ignore[return-value]


@functools.lru_cache(maxsize=None)
def raw_tables() -> dict:
    """The parsed `tables.yaml` as plain data (cached; do not mutate)."""
    return _parse_tables(resources.files(__package__).joinpath(TABLES_FILE).read_text(encoding="utf-8"))


# --- Payload limits and serverless (EP001, CV001-CV003) --------------------


def _overrides() -> dict:
    """The `data` section of the run's configuration file (validated by its schema)."""
    return current_config().get("data", {}) or {}


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
    entry = raw_tables()["payload_limits"].get(kind)
    if entry is None:
        return None
    return PayloadLimit(kind, entry["bytes"], entry["display"], entry["label"], entry["source"])


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
    entry = raw_tables()[section][name]
    return Limit(
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
    return next((setting for setting in model_server_settings() if setting.env == env), None)


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


# --- Instance types (CP001-CP006) ------------------------------------------


@dataclass(frozen=True)
class InstanceInfo:
    """What an instance type offers, from its family's classification.

    `accelerator` is none | gpu | inferentia | trainium | gaudi;
    `accelerator_count` is 0 for no accelerator and None when no source
    gives the count of this size (`accelerator_count_confidence` says how
    sure the count is). `confidence` is the family classification's.
    """

    instance_type: str
    family: str
    size: str
    sagemaker: bool
    accelerator: str
    accelerator_count: int | None
    accelerator_count_confidence: str | None
    accelerator_model: str | None
    architecture: str
    burstable: bool
    confidence: str
    source: str


def _split_instance_type(instance_type: str) -> tuple[str, str, bool] | None:
    text = instance_type.strip().lower()
    sagemaker = text.startswith("ml.")
    if sagemaker:
        text = text[3:]
    family, dot, size = text.rpartition(".")
    if not dot or not family or not size:
        return None
    return family, size, sagemaker


@functools.lru_cache(maxsize=None)
def _family_groups() -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for group in raw_tables()["instance_families"]:
        for family in str(group["families"]).split():
            groups.setdefault(family, group)
    return groups


def instance_info(instance_type: str) -> InstanceInfo | None:
    """Classify a SageMaker (`ml.g5.xlarge`) or EC2 (`g5.xlarge`) instance type.

    None when the family is not in the tables. Says nothing about validity:
    `ml.t3.medium` is classified (burstable) although it is no hosting type.
    """
    parts = _split_instance_type(instance_type)
    if parts is None:
        return None
    family, size, sagemaker = parts
    configured = _overrides().get("instance-families", {}).get(family)
    if configured is not None:
        count = configured.get("accelerator-count", 0 if configured["accelerator"] == "none" else None)
        return InstanceInfo(
            instance_type=instance_type,
            family=family,
            size=size,
            sagemaker=sagemaker,
            accelerator=configured["accelerator"],
            accelerator_count=count,
            accelerator_count_confidence="declared" if count is not None else None,
            accelerator_model=None,
            architecture=configured.get("architecture", "x86_64"),
            burstable=bool(configured.get("burstable", False)),
            confidence="declared",
            source=f"[data.instance-families.{family}] in {current_config().path}",
        )
    group = _family_groups().get(family)
    if group is None:
        return None
    count: int | None = None
    count_confidence: str | None = None
    if group["accelerator"] == "none":
        count, count_confidence = 0, group.get("confidence", "high")
    else:
        for block in group.get("accelerator_counts", ()):
            if size in block["sizes"]:
                count, count_confidence = block["sizes"][size], block.get("confidence", "high")
                break
    return InstanceInfo(
        instance_type=instance_type,
        family=family,
        size=size,
        sagemaker=sagemaker,
        accelerator=group["accelerator"],
        accelerator_count=count,
        accelerator_count_confidence=count_confidence,
        accelerator_model=group.get("accelerator_model"),
        architecture=group["architecture"],
        burstable=bool(group.get("burstable", False)),
        confidence=group.get("confidence", "high"),
        source=group["source"],
    )


def valid_instance_types(job_kind: str) -> frozenset[str]:
    """The `ml.*` instance types the SageMaker API accepts for a job kind.

    Job kinds: hosting, transform, training, processing (ValueError otherwise).
    From the botocore enums in the generated block of `tables.yaml`, plus
    any types the configuration file adds (`[data.instance-types]`).
    """
    extra = tuple(_overrides().get("instance-types", {}).get(job_kind, ()))
    return _valid_instance_types(job_kind, extra)


@functools.lru_cache(maxsize=None)
def _valid_instance_types(job_kind: str, extra: tuple[str, ...]) -> frozenset[str]:
    kinds = raw_tables()["instance_types"]["kinds"]
    if job_kind not in kinds:
        raise ValueError(f"unknown job kind {job_kind!r}; expected one of {', '.join(kinds)}")
    return frozenset(extra) | frozenset(
        f"ml.{family}.{size}" for family, sizes in kinds[job_kind]["families"].items() for size in str(sizes).split()
    )


def instance_job_kind(deployment_kind: str) -> str | None:
    """The job kind whose instance types a deployment kind uses (`async` -> `hosting`), if any."""
    for job_kind, entry in raw_tables()["instance_type_kinds"].items():
        if deployment_kind in entry["deployment_kinds"]:
            return job_kind
    return None


def instance_types_source() -> str:
    """Where the instance-type tables come from, for messages and docs."""
    generated = raw_tables()["instance_types"]
    return f"{generated['source']} (checked {generated['checked']})"


# --- Regional availability (from cfn-lint's bundled data) ------------------


@dataclass(frozen=True)
class RegionalInstanceTypes:
    """The instance types cfn-lint's bundled data lists for one region and job kind.

    `basis` is `pricing` (region-specific tables from the AWS pricing API,
    cfn-lint >= 1.51.5) or `schema` (the region's CloudFormation resource
    schema enum, which copies the API enum: only the resource's presence in
    the region is regional). These tables lag the API: use them for info-level
    findings only, never to call a type invalid. `version` is the installed
    cfn-lint's, for messages ("cfn-lint 1.51.5's regional tables");
    `source` also names the file read.
    """

    region: str
    job_kind: str
    types: frozenset[str]
    basis: str
    source: str
    version: str = ""

    def __contains__(self, instance_type: object) -> bool:
        return instance_type in self.types


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


@functools.lru_cache(maxsize=None)
def _cfnlint_root() -> Path | None:
    # find_spec on a top-level name locates the package without running its
    # __init__ (which would import all of cfn-lint, about 1.5 s).
    import importlib.util

    try:
        spec = importlib.util.find_spec("cfnlint")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=None)
def _cfnlint_version() -> str:
    try:
        from importlib.metadata import version

        return version("cfn-lint")
    except Exception:  # not installed as a distribution (vendored, source tree)
        return "unknown"


@functools.lru_cache(maxsize=None)
def _read_json(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _json_pointer(document: object, pointer: str) -> object:
    for token in pointer.strip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(token)
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            return None
    return document


@functools.lru_cache(maxsize=None)
def regional_instance_types(region: str, job_kind: str) -> RegionalInstanceTypes | None:
    """The instance types cfn-lint's bundled data lists for `region` and a job kind.

    Locates the installed cfnlint package with `importlib.util.find_spec` and
    reads its JSON data directly; never imports cfn-lint. None when cfn-lint
    is not installed, the region is unknown to it, or it has no table for
    the job kind (training has none before cfn-lint 1.51.5).
    """
    root = _cfnlint_root()
    if root is None or not _REGION.match(region):
        return None
    table = raw_tables()["regional_instance_types"]
    version = _cfnlint_version()
    pricing_path = table["pricing_tables"].get(job_kind)
    if pricing_path and (root / pricing_path).is_file():
        entry = _json_pointer(_read_json(root / pricing_path), f"/{region}/enum")
        if not isinstance(entry, list):
            return None
        return RegionalInstanceTypes(region, job_kind, frozenset(entry), "pricing", f"cfn-lint {version} {pricing_path}", version)
    schemas = table["region_schemas"]
    kind = schemas["kinds"].get(job_kind)
    if kind is None:
        return None
    providers = root / schemas["providers"].format(region=region.replace("-", "_"))
    if not providers.is_file():
        return None
    match = re.search(re.escape(f'"{kind["resource_type"]}"') + r'\s*:\s*"([0-9a-f]+)"', providers.read_text(encoding="utf-8"))
    if match is None:
        return None
    resource = schemas["resources"].format(hash=match.group(1))
    if not (root / resource).is_file():
        return None
    entry = _json_pointer(_read_json(root / resource), kind["pointer"])
    if not isinstance(entry, list):
        return None
    return RegionalInstanceTypes(
        region, job_kind, frozenset(entry), "schema", f"cfn-lint {version} {resource} ({kind['resource_type']})", version
    )


# --- Images and frameworks -------------------------------------------------


@dataclass(frozen=True)
class FrameworkInfo:
    """What the rules need to know about a framework or model server."""

    name: str
    tabular: bool
    llm_server: bool
    source: str


@functools.lru_cache(maxsize=None)
def _frameworks() -> dict[str, FrameworkInfo]:
    images = raw_tables()["images"]
    tabular = images["tabular_frameworks"]
    llm = images["llm_server_frameworks"]
    frameworks = {}
    for name in str(images["frameworks"]["names"]).split():
        sources = [images["frameworks"]["source"]]
        if name in tabular["names"]:
            sources.append(tabular["source"])
        if name in llm["names"]:
            sources.append(llm["source"])
        frameworks[name] = FrameworkInfo(name, name in tabular["names"], name in llm["names"], "; ".join(sources))
    return frameworks


def framework_info(name: str) -> FrameworkInfo | None:
    """The flags of a framework name used in the tables (`xgboost`, `vllm`, ...)."""
    return _frameworks().get(name)


@functools.lru_cache(maxsize=1)
def _ecr_registry() -> re.Pattern:
    return re.compile(raw_tables()["images"]["ecr_registry"]["pattern"])


def ecr_image_region(image: str) -> str | None:
    """The Region of an Amazon ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/...`), if it is one."""
    match = _ecr_registry().match(image)
    return match.group("region") if match else None


def kserve_model_format(name: str) -> str | None:
    """The framework of a KServe `modelFormat.name` (case-insensitive), if known."""
    return raw_tables()["images"]["kserve_model_formats"]["formats"].get(str(name).lower())


def seldon_implementation_framework(name: str) -> str | None:
    """The framework of a Seldon Core v1 prepackaged server (`SKLEARN_SERVER`), if known."""
    return raw_tables()["images"]["seldon_implementations"]["implementations"].get(str(name).upper())


@dataclass(frozen=True)
class ImageInfo:
    """What an image reference says about the model it serves.

    `framework` names an entry of the frameworks table (or None);
    `accelerator` is the build the image is for: cpu | gpu | neuron, or None
    when neither its tag nor its repository says. `reason` and
    `accelerator_reason` say what matched, for `explain` and messages.
    """

    image: str
    framework: str | None = None
    tabular: bool = False
    llm_server: bool = False
    accelerator: str | None = None
    reason: str | None = None
    accelerator_reason: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class _ImageRule:
    repositories: tuple[re.Pattern, ...]
    images: tuple[re.Pattern, ...]
    tag_pattern: re.Pattern | None
    framework: str
    tabular: bool
    llm_server: bool
    accelerator: str | None
    confidence: str


@functools.lru_cache(maxsize=None)
def _image_rules() -> tuple[_ImageRule, ...]:
    rules = []
    for group in raw_tables()["images"]["rule_groups"]:
        for entry in group["rules"]:
            flags = _frameworks()[entry["framework"]]
            rules.append(
                _ImageRule(
                    tuple(_repository_pattern(name) for name in entry.get("repositories", ())),
                    tuple(_image_pattern(name) for name in entry.get("images", ())),
                    re.compile(entry["tag_pattern"], re.IGNORECASE) if "tag_pattern" in entry else None,
                    entry["framework"],
                    bool(entry.get("tabular", flags.tabular)),
                    bool(entry.get("llm_server", flags.llm_server)),
                    entry.get("accelerator"),
                    entry.get("confidence", group.get("confidence", "high")),
                )
            )
    return tuple(rules)


def _configured_image_rules(entries) -> tuple[_ImageRule, ...]:
    """Image rules from the configuration file (`[[data.images]]`), tried first."""
    rules = []
    for entry in entries:
        flags = _frameworks().get(entry["framework"])
        rules.append(
            _ImageRule(
                (_repository_pattern(entry["repository"].lower()),) if "repository" in entry else (),
                (_image_pattern(entry["image"].lower()),) if "image" in entry else (),
                None,
                entry["framework"],
                bool(entry.get("tabular", flags.tabular if flags else False)),
                bool(entry.get("llm-server", flags.llm_server if flags else False)),
                entry.get("accelerator"),
                "declared",
            )
        )
    return tuple(rules)


@functools.lru_cache(maxsize=None)
def _tag_hints() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple(
        (re.compile(entry["pattern"], re.IGNORECASE), entry["accelerator"], entry["label"])
        for entry in raw_tables()["images"]["tag_accelerator_hints"]
    )


_DOCKER_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def _split_image(image: str) -> tuple[str, str]:
    """(normalised name without tag or digest, tag) of an image reference."""
    reference = image.strip().split("@", 1)[0]
    slash, colon = reference.rfind("/"), reference.rfind(":")
    name, tag = (reference[:colon], reference[colon + 1:]) if colon > slash else (reference, "")
    name = name.lower()
    for prefix in _DOCKER_HUB_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name.startswith("library/"):
        name = name[len("library/"):]
    return name, tag


def _glob(pattern: str) -> str:
    """A regex for a table name in which '*' stands for any characters but '/'."""
    return "[^/]*".join(re.escape(part) for part in pattern.split("*"))


@functools.lru_cache(maxsize=None)
def _repository_pattern(wanted: str) -> re.Pattern:
    """The last path component of an image name, exactly or by a '*' pattern."""
    return re.compile(_glob(wanted))


@functools.lru_cache(maxsize=None)
def _image_pattern(wanted: str) -> re.Pattern:
    # A prefix ending in "/" covers a whole namespace; otherwise the image
    # matches exactly (or by its '*' pattern), alone or behind a registry,
    # mirror or pull-through-cache path.
    if wanted.endswith("/"):
        return re.compile(f"(?:.*/)?{_glob(wanted)}.*")
    return re.compile(f"(?:.*/)?{_glob(wanted)}")


def classify_image(image: str, env: Mapping[str, object] | None = None) -> ImageInfo:
    """Framework, flags and accelerator build of a container image reference.

    Rules are tried in table order, the first match wins: ECR repository
    names (the last path component), then whole public image names, each
    optionally narrowed by a tag pattern. The accelerator comes from the
    tag (`-cpu-`, `-gpu-`, `cuNNN`, `neuronx`, `inf`) before the rule's
    default. When no rule names a framework, environment hints (`HF_TASK`)
    may. Never raises; an unknown image gives an ImageInfo with None fields.
    """
    name, tag = _split_image(image)
    repository = name.rsplit("/", 1)[-1]
    rule_hit: _ImageRule | None = None
    reason: str | None = None
    for rule in _configured_image_rules(_overrides().get("images", ())) + _image_rules():
        if any(pattern.fullmatch(repository) for pattern in rule.repositories):
            matched = f"image repository {repository}"
        elif any(pattern.fullmatch(name) for pattern in rule.images):
            matched = f"image {name}"
        else:
            continue
        if rule.tag_pattern is not None:
            if not rule.tag_pattern.search(tag):
                continue
            matched += f" with tag {tag}"
        rule_hit, reason = rule, matched
        break

    accelerator: str | None = None
    accelerator_reason: str | None = None
    if tag:
        for pattern, hint, label in _tag_hints():
            if pattern.search(tag):
                accelerator, accelerator_reason = hint, f"image tag {tag} contains {label}"
                break
    if accelerator is None and rule_hit is not None and rule_hit.accelerator:
        accelerator, accelerator_reason = rule_hit.accelerator, f"{reason} is a {rule_hit.accelerator} build"

    if rule_hit is not None:
        return ImageInfo(
            image, rule_hit.framework, rule_hit.tabular, rule_hit.llm_server, accelerator, reason, accelerator_reason, rule_hit.confidence
        )
    for hint in raw_tables()["images"]["env_hints"]:
        if env and hint["env"] in env:
            flags = framework_info(hint["framework"])
            return ImageInfo(
                image,
                hint["framework"],
                flags.tabular if flags else False,
                flags.llm_server if flags else False,
                accelerator,
                f"environment variable {hint['env']}",
                accelerator_reason,
                hint.get("confidence", "high"),
            )
    return ImageInfo(image, accelerator=accelerator, accelerator_reason=accelerator_reason)


def repository_word_framework(image: str) -> tuple[str, str] | None:
    """(framework, reason) a framework word in an image's repository name implies (`pricing-xgboost-server`), or None.

    The weakest reading of an image, for images no table rule knows: the
    word is what the image's team called it. A word counts between
    non-letters (`vllm0.7.0` names vLLM; `html` holds no `ml`); a
    repository that also names a helper role (`vllm-router`) names none.
    """
    table = raw_tables()["images"]["repository_words"]
    name, _ = _split_image(image)
    repository = name.rsplit("/", 1)[-1]
    if not re.fullmatch(r"[a-z0-9._-]+", repository):
        return None  # a placeholder (`$IMAGE_URI`, `{{ .Values.image }}`), not a name
    words = [word for word in re.split(r"[^a-z]+", repository) if word]
    if any(word in table["not_servers"] for word in words):
        return None
    for word in words:
        framework = table["words"].get(word)
        if framework is not None:
            return framework, f"the word {word!r} in the repository name {repository} (inferred from the image's name)"
    return None


@dataclass(frozen=True)
class ServerCommand:
    """A model server a container's command starts: its framework and what matched."""

    framework: str
    label: str
    confidence: str


@functools.lru_cache(maxsize=None)
def _server_commands() -> dict:
    return raw_tables()["images"]["server_commands"]


_SCRIPT_SEPARATORS = re.compile(r"\n|;|&&|\|\||\||&|\(|\)|`|\$\(")


def _simple_commands(argv: tuple[str, ...], depth: int = 0) -> list[list[str]]:
    """The simple commands an argument vector runs: itself, or those of the script a `sh -c` runs."""
    table = _server_commands()
    words = _strip_prefixes(list(argv), table["prefixes"])
    if not words:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if program in table["shells"] and depth < 2:
        for position, word in enumerate(words[1:], start=1):
            if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
                if position + 1 < len(words):
                    return [command for script_command in _script_commands(words[position + 1]) for command in _simple_commands(tuple(script_command), depth + 1)]
                return []
        return [words]
    return [words]


def _script_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, roughly: comments dropped, lines continued, split at separators."""
    import shlex

    script = script.replace("\\\n", " ")
    lines = [re.sub(r"(^|\s)#.*$", "", line) for line in script.splitlines()]
    commands = []
    for piece in _SCRIPT_SEPARATORS.split("\n".join(lines)):
        try:
            words = shlex.split(piece, posix=True)
        except ValueError:
            words = piece.split()
        if words:
            commands.append(words)
    return commands


def _strip_prefixes(words: list[str], prefixes) -> list[str]:
    """Words without leading `VAR=value` assignments and command prefixes (`exec`, `nohup`)."""
    while words and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]) or words[0].rsplit("/", 1)[-1] in prefixes):
        words = words[1:]
    return words


def _python_module(words: list[str]) -> str | None:
    """The module `python -m <module>` runs, if the words are that."""
    if not re.fullmatch(r"python[0-9.]*", words[0].rsplit("/", 1)[-1]):
        return None
    for position, word in enumerate(words[1:], start=1):
        if word == "-m" and position + 1 < len(words):
            return words[position + 1]
        if word.startswith("-m") and len(word) > 2:
            return word[2:]
        if not word.startswith("-"):
            return None
    return None


def server_command(argv: tuple[str, ...]) -> ServerCommand | None:
    """The model server a container's command line starts (`vllm serve`, `python -m vllm.entrypoints...`), or None.

    `argv` is the command and its arguments as the container runs them
    (Kubernetes `command` + `args`); a shell's `-c` script is read command
    by command, comments left out. Never raises.
    """
    table = _server_commands()
    for words in _simple_commands(tuple(str(word) for word in argv)):
        program = words[0].rsplit("/", 1)[-1]
        module = _python_module(words)
        for entry in table["commands"]:
            if "module" in entry:
                wanted = entry["module"]
                if module is not None and (module == wanted or module.startswith(wanted + ".")):
                    return ServerCommand(entry["framework"], entry["label"], table.get("confidence", "high"))
            elif program == entry["program"] and ("subcommand" not in entry or (len(words) > 1 and words[1] == entry["subcommand"])):
                return ServerCommand(entry["framework"], entry["label"], table.get("confidence", "high"))
    return None


def ml_namespace_word(namespace: str) -> str | None:
    """The word of a namespace name that says ML (`ml-serving` -> `ml`), or None (`html`, `xray`)."""
    words = set(raw_tables()["kubernetes"]["ml_namespace_words"]["words"])
    for word in re.split(r"[-_.]+", namespace.lower()):
        if word in words:
            return word
    return None


# --- Application Auto Scaling and CloudWatch (AS001-AS007) -----------------


@dataclass(frozen=True)
class ScalableDimension:
    """A SageMaker scalable dimension and the predefined metrics that drive it."""

    name: str
    resource: str  # variant | inference-component
    deployment_kinds: tuple[str, ...]
    predefined_metrics: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def scalable_dimensions() -> tuple[ScalableDimension, ...]:
    """The SageMaker scalable dimensions, in table order."""
    table = raw_tables()["autoscaling"]
    return tuple(
        ScalableDimension(
            entry["name"],
            entry["resource"],
            tuple(entry["deployment_kinds"]),
            tuple(metric["name"] for metric in table["predefined_metrics"] if metric["dimension"] == entry["name"]),
        )
        for entry in table["scalable_dimensions"]
    )


def scalable_dimension(name: str) -> ScalableDimension | None:
    """A SageMaker scalable dimension by name (`sagemaker:variant:DesiredInstanceCount`)."""
    return next((dimension for dimension in scalable_dimensions() if dimension.name == name), None)


def predefined_metric_dimension(metric: str) -> str | None:
    """The scalable dimension a SageMaker predefined metric type drives, if it is one."""
    for entry in raw_tables()["autoscaling"]["predefined_metrics"]:
        if entry["name"] == metric:
            return entry["dimension"]
    return None


def autoscaling_service_namespace() -> str:
    """The Application Auto Scaling service namespace of SageMaker (`sagemaker`)."""
    return raw_tables()["autoscaling"]["service_namespace"]["value"]


@dataclass(frozen=True)
class ScalingResourceId:
    """A parsed SageMaker ResourceId: a variant, or an inference component."""

    kind: str  # variant | inference-component
    endpoint: str | None = None
    variant: str | None = None
    name: str | None = None


@functools.lru_cache(maxsize=None)
def _resource_id_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((entry["kind"], re.compile(entry["pattern"])) for entry in raw_tables()["autoscaling"]["resource_ids"])


def parse_scaling_resource_id(resource_id: str) -> ScalingResourceId | None:
    """`endpoint/E/variant/V` or `inference-component/N`, parsed; None for anything else."""
    for kind, pattern in _resource_id_patterns():
        match = pattern.match(resource_id)
        if match:
            return ScalingResourceId(kind, **match.groupdict())
    return None


@dataclass(frozen=True)
class MetricInfo:
    """A SageMaker CloudWatch metric: where it lives and what unit it has."""

    name: str
    namespace: str
    unit: str | None
    statistic: str | None
    dimensions: tuple[str, ...]
    scales_with: str | None  # vcpus | gpus: the range is 0 to 100 x that count
    source: str
    confidence: str


@functools.lru_cache(maxsize=None)
def _metrics() -> dict[str, MetricInfo]:
    return {
        name: MetricInfo(
            name,
            group["namespace"],
            entry.get("unit"),
            entry.get("statistic"),
            tuple(group["dimensions"]),
            entry.get("scales_with"),
            group["source"],
            group.get("confidence", "high"),
        )
        for group in raw_tables()["cloudwatch"]["metric_groups"]
        for name, entry in group["metrics"].items()
    }


def cloudwatch_metric(name: str) -> MetricInfo | None:
    """A SageMaker endpoint metric by name (`ModelLatency`, `CPUUtilization`, ...), if known."""
    return _metrics().get(name)


def cloudwatch_namespace(role: str) -> str:
    """The namespace of a metric family: invocations, endpoint_instances, training_instances, ..."""
    return raw_tables()["cloudwatch"]["namespaces"][role]


# --- Capacity and Kubernetes (SP001, HA003-HA006) --------------------------


def _label_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@functools.lru_cache(maxsize=None)
def _capacity_labels() -> dict[str, dict[str, str]]:
    return {entry["key"]: entry["values"] for entry in raw_tables()["capacity"]["labels"]}


def capacity_label_keys() -> frozenset[str]:
    """Node label keys that carry the capacity type (Karpenter, EKS, GKE, AKS)."""
    return frozenset(_capacity_labels())


def capacity_from_label(key: str, value: object) -> str | None:
    """on-demand | spot | reserved for a node label (or nodeSelector) key and value; None if unknown."""
    return _capacity_labels().get(key, {}).get(_label_value(value))


def capacity_from_setting(context: str, value: object) -> str | None:
    """on-demand | spot | reserved for a platform setting; None if unknown.

    Contexts: eks-nodegroup (CapacityType), batch-compute-environment
    (ComputeResources.Type, case-insensitive), ecs-capacity-provider,
    ec2-market-type (a launch template's InstanceMarketOptions.MarketType),
    ec2-capacity-reservation-preference (its CapacityReservationPreference).
    """
    for entry in raw_tables()["capacity"]["settings"]:
        if entry["context"] != context:
            continue
        text = _label_value(value)
        if entry.get("case_insensitive"):
            return next((capacity for name, capacity in entry["values"].items() if name.upper() == text.upper()), None)
        return entry["values"].get(text)
    return None


def default_capacity(context: str) -> str:
    """on-demand | spot | reserved that a platform launches when nothing says which (context: karpenter-nodepool)."""
    return next(entry["capacity"] for entry in raw_tables()["capacity"]["defaults"] if entry["context"] == context)


@functools.lru_cache(maxsize=None)
def _accelerator_resources() -> dict[str, str]:
    return {entry["name"]: entry["accelerator"] for entry in raw_tables()["kubernetes"]["accelerator_resources"]}


def accelerator_resource(name: str) -> str | None:
    """gpu | neuron | tpu | gaudi for a Kubernetes extended resource name (`nvidia.com/gpu`), else None.

    A table name ending in `*` matches every resource that starts with the
    rest (`nvidia.com/mig-*`: the MIG slices of a GPU).
    """
    table = _accelerator_resources()
    if name in table:
        return table[name]
    return next((kind for pattern, kind in table.items() if pattern.endswith("*") and name.startswith(pattern[:-1])), None)


def accelerator_resource_names() -> frozenset[str]:
    """Every Kubernetes resource name that requests an accelerator."""
    return frozenset(_accelerator_resources())


def kubernetes_label(role: str) -> str:
    """A well-known node label key: `zone`, `region` or `instance_type`."""
    return raw_tables()["kubernetes"]["labels"][role]


def kserve_deployment_mode(value: str) -> str | None:
    """The current name of a KServe deployment mode (`RawDeployment` -> `Standard`), or None."""
    for mode, aliases in raw_tables()["kubernetes"]["kserve_deployment_modes"]["modes"].items():
        if value == mode or value in aliases:
            return mode
    return None


# --- Examples for `advise` (plugins/advisor) --------------------------------


@dataclass(frozen=True)
class ExampleImage:
    """A container image `advise` writes into emitted templates for a framework and build (cpu | gpu | neuron)."""

    framework: str
    build: str
    image: str
    source: str


def framework_names() -> tuple[str, ...]:
    """Every framework name of the images table, in table order."""
    return tuple(_frameworks())


def framework_aliases() -> dict[str, str]:
    """Other spellings of framework names (`llm` -> `vllm`), from the advisor examples."""
    return dict(raw_tables()["advisor_examples"]["framework_aliases"]["aliases"])


def example_instance_types(accelerator: str, job_kind: str) -> tuple[str, ...]:
    """Example SageMaker instance types for an accelerator (cpu | gpu | inferentia) and job kind, best first."""
    for entry in raw_tables()["advisor_examples"]["instance_types"]:
        if entry["accelerator"] == accelerator and entry["job_kind"] == job_kind:
            return tuple(entry["types"])
    return ()


def example_instance_types_source(accelerator: str, job_kind: str) -> str:
    """Where the example instance types of an accelerator and job kind come from."""
    for entry in raw_tables()["advisor_examples"]["instance_types"]:
        if entry["accelerator"] == accelerator and entry["job_kind"] == job_kind:
            return entry["source"]
    return instance_types_source()


def example_image(framework: str, build: str) -> ExampleImage | None:
    """An example image of `framework` built for `build` (cpu | gpu | neuron), if the tables give one."""
    for entry in raw_tables()["advisor_examples"]["images"]:
        if entry["framework"] == framework and entry["build"] == build:
            return ExampleImage(entry["framework"], entry["build"], entry["image"], entry["source"])
    return None


def example_images() -> tuple[ExampleImage, ...]:
    """Every example image, in table order."""
    return tuple(
        ExampleImage(entry["framework"], entry["build"], entry["image"], entry["source"])
        for entry in raw_tables()["advisor_examples"]["images"]
    )

"""Instance types: families and their accelerators, valid types per job kind, regional availability (CP001-CP006)."""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from plugins.data.loading import SHIPPED, Extensions, raw_tables

__all__ = [
    "InstanceInfo",
    "RegionalInstanceTypes",
    "instance_info",
    "instance_job_kind",
    "instance_types_source",
    "regional_instance_types",
    "valid_instance_types",
]


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


def instance_info(instance_type: str, extensions: Extensions = SHIPPED) -> InstanceInfo | None:
    """Classify a SageMaker (`ml.g5.xlarge`) or EC2 (`g5.xlarge`) instance type.

    None when the family is not in the tables. Says nothing about validity:
    `ml.t3.medium` is classified (burstable) although it is no hosting type.
    A family the run's configuration classifies (`extensions`: pass
    `extensions_of(run)`; the shipped tables alone when not given) wins
    over the tables.
    """
    configured_families = extensions.section.get("instance-families")
    if configured_families:
        parts = _split_instance_type(instance_type)
        if parts is None:
            return None
        family, size, sagemaker = parts
        configured = configured_families.get(family)
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
                source=f"[data.instance-families.{family}] in {extensions.path}",
            )
    return _table_info(instance_type)


# Made once per instance type as written (rules ask about the same few types for every deployment); the
# answer is frozen and rests on the shipped tables alone.
@functools.lru_cache(maxsize=1024)
def _table_info(instance_type: str) -> InstanceInfo | None:
    """What the shipped tables say of an instance type (`instance_info` without the run's families)."""
    parts = _split_instance_type(instance_type)
    if parts is None:
        return None
    family, size, sagemaker = parts
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


def valid_instance_types(job_kind: str, extensions: Extensions = SHIPPED) -> frozenset[str]:
    """The `ml.*` instance types the SageMaker API accepts for a job kind.

    Job kinds: hosting, transform, training, processing (ValueError otherwise).
    From the botocore enums in the generated block of `tables.yaml`, plus
    any types the run's configuration adds (`[data.instance-types]` of
    `extensions`: pass `extensions_of(run)`).
    """
    extra = tuple(extensions.section.get("instance-types", {}).get(job_kind, ()))
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
    return _job_kinds().get(deployment_kind)


@functools.lru_cache(maxsize=None)
def _job_kinds() -> dict[str, str]:
    # Read once (rules ask for every deployment); the first job kind that lists a deployment kind wins.
    found: dict[str, str] = {}
    for job_kind, entry in raw_tables()["instance_type_kinds"].items():
        for deployment_kind in entry["deployment_kinds"]:
            found.setdefault(deployment_kind, job_kind)
    return found


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
    # The `Version:` of the cfn_lint-*.dist-info beside the package read (an
    # ordinary install) costs no import of importlib.metadata, 15-20 ms.
    root = _cfnlint_root()
    beside = _dist_info_version(root.parent, "cfn_lint") if root is not None else None
    if beside is not None:
        return beside
    try:
        from importlib.metadata import version

        return version("cfn-lint")
    except Exception:  # not installed as a distribution (vendored, source tree)
        return "unknown"


def _dist_info_version(directory: Path, normalised_name: str) -> str | None:
    """`Version:` of the first `<name>-*.dist-info/METADATA` in `directory` (name normalised as in PEP 503, `_` for `-`)."""
    try:
        children = os.listdir(directory)
    except OSError:
        return None
    for child in children:
        name, _, rest = child.lower().partition("-")
        if not rest.endswith(".dist-info") or re.sub(r"[-_.]+", "_", name) != normalised_name:
            continue
        try:
            with open(directory / child / "METADATA", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Version:"):
                        return line[len("Version:"):].strip() or None
                    if not line.strip():
                        break  # the end of the headers
        except (OSError, UnicodeDecodeError):
            continue
    return None


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

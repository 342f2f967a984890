"""Capacity labels and settings, accelerator resources, Kubernetes labels and KServe modes (SP001, HA003-HA006)."""

from __future__ import annotations

import functools


from plugins.data.loading import raw_tables

__all__ = [
    "default_capacity",
    "accelerator_resource",
    "accelerator_resource_names",
    "capacity_from_label",
    "capacity_from_setting",
    "capacity_label_keys",
    "kserve_deployment_mode",
    "kubernetes_label",
    "karpenter_consolidation_evicts",
    "karpenter_default_consolidation_policy",
    "karpenter_consolidate_after_never",
    "karpenter_do_not_disrupt_annotation",
    "spot_min_instance_types",
    "spot_min_zones",
]


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


def accelerator_resource_is_share(name: str) -> bool:
    """True for a resource each unit of which is a share of one device (`nvidia.com/mig-1g.10gb`, a time-sliced
    `nvidia.com/gpu.shared`): a count of those is not a count of devices."""
    for entry in raw_tables()["kubernetes"]["accelerator_resources"]:
        pattern = entry["name"]
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return bool(entry.get("share"))
    return False


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


# --- Karpenter consolidation (SP004) and Spot diversity (SP005) -------------------


def karpenter_consolidation_evicts(policy: str) -> bool | None:
    """True for a consolidationPolicy that removes nodes still running pods, False for empty-only, None if unknown."""
    section = raw_tables()["kubernetes"]
    if policy in section["karpenter_evicting_consolidation_policies"]["values"]:
        return True
    if policy in section["karpenter_empty_only_consolidation_policies"]["values"]:
        return False
    return None


def karpenter_default_consolidation_policy(api_version: str) -> str | None:
    """The consolidationPolicy a NodePool of `api_version` (`karpenter.sh/v1`) gets when none is written; None if unknown."""
    version = api_version.rpartition("/")[2]
    entry = raw_tables()["kubernetes"].get(f"karpenter_default_consolidation_policy_{version}")
    return str(entry["value"]) if entry else None


def karpenter_consolidate_after_never() -> str:
    """The consolidateAfter value that turns consolidation off."""
    return str(raw_tables()["kubernetes"]["karpenter_consolidate_after_never"]["value"])


def karpenter_do_not_disrupt_annotation() -> str:
    """The pod annotation that keeps Karpenter from voluntarily disrupting the pod's node."""
    return str(raw_tables()["kubernetes"]["karpenter_do_not_disrupt_annotation"]["value"])


def spot_min_instance_types() -> int:
    """Spot capacity allowed fewer instance types than this is not diversified (SP005)."""
    return int(raw_tables()["managed_spot"]["spot_min_instance_types"]["value"])


def spot_min_zones() -> int:
    """Spot capacity in fewer Availability Zones than this is not diversified (SP005)."""
    return int(raw_tables()["managed_spot"]["spot_min_zones"]["value"])

"""Accelerator memory: per device, per instance type, and by Kubernetes GPU label.

Reads the `accelerator_memory` section of `tables.yaml` through the
package's loader (`plugins.data.raw_tables`); every figure there names its
source. Memory is kept in the unit its source prints (GiB or GB) and
offered in bytes too, so a rule compares like with like. `None` means the
tables do not know: the rule stays silent and says which fact was missing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from plugins.data import raw_tables

__all__ = [
    "AcceleratorDevice",
    "InstanceAcceleratorMemory",
    "UNIT_BYTES",
    "accelerator_device",
    "accelerator_devices",
    "gpu_label_device",
    "gpu_label_keys",
    "instance_accelerator_memory",
    "instance_accelerator_memory_types",
    "unknown_accelerator_memory",
]

# What the units the sources print mean, in bytes (definitions, not facts).
UNIT_BYTES = {"GiB": 2**30, "GB": 10**9}


@dataclass(frozen=True)
class AcceleratorDevice:
    """One accelerator (a GPU, an Inferentia or Trainium chip) and its memory."""

    key: str  # the tables' key (`nvidia-a10g`), or the label value it was read from
    name: str  # NVIDIA A10G
    kind: str  # gpu | inferentia | trainium | gaudi
    memory: float  # in `unit`, as the source prints it
    unit: str  # GiB | GB
    source: str
    confidence: str

    @property
    def memory_bytes(self) -> int:
        return round(self.memory * UNIT_BYTES[self.unit])

    def describe(self) -> str:
        return f"{self.name} ({_number(self.memory)} {self.unit})"


@dataclass(frozen=True)
class InstanceAcceleratorMemory:
    """The accelerators of one instance type and their memory in total."""

    instance_type: str  # as asked (`ml.g5.12xlarge` or `g5.12xlarge`)
    family: str
    size: str
    device: AcceleratorDevice
    devices: float  # may be a fraction (g6f: a share of one GPU)
    total: float  # in `unit`, as the source prints it (rounded there)
    unit: str
    source: str
    confidence: str

    @property
    def total_bytes(self) -> int:
        return round(self.total * UNIT_BYTES[self.unit])

    def describe(self) -> str:
        """`89 GiB (4 x NVIDIA A10G, 22 GiB each)`, for messages."""
        return (
            f"{_number(self.total)} {self.unit} ({_number(self.devices)} x {self.device.name}, "
            f"{_number(self.device.memory)} {self.device.unit} each)"
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _section() -> dict:
    return raw_tables()["accelerator_memory"]


@functools.lru_cache(maxsize=None)
def _devices() -> dict[str, AcceleratorDevice]:
    return {
        key: AcceleratorDevice(
            key=key,
            name=entry["name"],
            kind=entry["kind"],
            memory=float(entry["memory"]),
            unit=entry["unit"],
            source=entry["source"],
            confidence=entry.get("confidence", "high"),
        )
        for key, entry in _section()["devices"].items()
    }


def accelerator_devices() -> tuple[AcceleratorDevice, ...]:
    """Every accelerator device the tables know."""
    return tuple(_devices().values())


def accelerator_device(key: str) -> AcceleratorDevice | None:
    """The device with this table key (`nvidia-l4`), or None."""
    return _devices().get(key)


@functools.lru_cache(maxsize=None)
def _instances() -> dict[tuple[str, str], tuple[dict, dict]]:
    result: dict[tuple[str, str], tuple[dict, dict]] = {}
    for group in _section()["instances"]:
        for family in str(group["families"]).split():
            for size, entry in group["sizes"].items():
                result[(family, str(size))] = (group, entry)
    return result


def _split(instance_type: str) -> tuple[str, str] | None:
    text = instance_type.strip().lower()
    if text.startswith("ml."):
        text = text[3:]
    family, dot, size = text.rpartition(".")
    if not dot or not family or not size:
        return None
    return family, size


def instance_accelerator_memory(instance_type: str) -> InstanceAcceleratorMemory | None:
    """Accelerator memory of a SageMaker (`ml.g5.xlarge`) or EC2 (`g5.xlarge`) type.

    None for types without accelerators, types the tables do not list, and
    families whose memory no source gives (`unknown_accelerator_memory`).
    """
    if not isinstance(instance_type, str):
        return None
    return _instance_accelerator_memory(instance_type)


# Made once per instance type as written: CP007 asks about the same few types for every deployment.
@functools.lru_cache(maxsize=1024)
def _instance_accelerator_memory(instance_type: str) -> InstanceAcceleratorMemory | None:
    parts = _split(instance_type)
    if parts is None:
        return None
    found = _instances().get(parts)
    if found is None:
        return None
    group, entry = found
    device = _devices()[group["device"]]
    return InstanceAcceleratorMemory(
        instance_type=instance_type,
        family=parts[0],
        size=parts[1],
        device=device,
        devices=entry["devices"],
        total=float(entry["total"]),
        unit=device.unit,
        source=group["source"],
        confidence=group.get("confidence", "high"),
    )


def instance_accelerator_memory_types() -> frozenset[str]:
    """Every EC2 instance type (`g5.xlarge`) with an accelerator-memory entry."""
    return frozenset(f"{family}.{size}" for family, size in _instances())


def unknown_accelerator_memory(family: str) -> str | None:
    """Why a family's accelerator memory is unknown, when the tables say so; else None."""
    family = family.strip().lower().removeprefix("ml.")
    for entry in _section()["unknown"]:
        if family in str(entry["families"]).split():
            return entry["note"]
    return None


# --- Kubernetes GPU labels ---------------------------------------------------


@functools.lru_cache(maxsize=None)
def _labels() -> dict[str, dict]:
    return {entry["label"]: entry for entry in _section()["kubernetes_gpu_labels"]}


def gpu_label_keys() -> frozenset[str]:
    """Node label keys that name a GPU model (`nvidia.com/gpu.product`, ...)."""
    return frozenset(_labels())


def gpu_label_device(key: str, value: object) -> AcceleratorDevice | None:
    """The GPU a node label names, with its memory; None when unknown.

    `nvidia.com/gpu.product` values map to the tables' devices (a `-SHARED`
    suffix, added when GPUs are shared, is ignored; a MIG slice is unknown:
    its memory is not the whole GPU's). `cloud.google.com/gke-accelerator`
    values carry their own memory figure.
    """
    entry = _labels().get(key)
    if entry is None or not isinstance(value, str) or not value:
        return None
    text = value.strip()
    mig = entry.get("mig_marker")
    if mig and mig in text:
        return None
    shared = entry.get("shared_suffix")
    if shared and text.endswith(shared):
        text = text[: -len(shared)]
    mapped = entry["values"].get(text)
    if mapped is None:
        return None
    if isinstance(mapped, str):
        return _devices().get(mapped)
    return AcceleratorDevice(
        key=text,
        name=mapped["name"],
        kind="gpu",
        memory=float(mapped["memory"]),
        unit=mapped["unit"],
        source=entry["source"],
        confidence=entry.get("confidence", "high"),
    )


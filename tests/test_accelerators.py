"""Accelerator memory: every accelerator instance type covered, totals that add up, labels read."""

from __future__ import annotations

import pytest

import plugins.data as data
from plugins.data import accelerators, regenerate
from plugins.data.accelerators import (
    UNIT_BYTES,
    accelerator_device,
    accelerator_devices,
    gpu_label_device,
    gpu_label_keys,
    instance_accelerator_memory,
    instance_accelerator_memory_types,
    unknown_accelerator_memory,
)

ACCELERATED = ("gpu", "inferentia", "trainium", "gaudi")


def _section() -> dict:
    return data.raw_tables()["accelerator_memory"]


def _families(accelerator_kinds=ACCELERATED) -> dict[str, dict]:
    return {
        family: group
        for group in data.raw_tables()["instance_families"]
        if group["accelerator"] in accelerator_kinds
        for family in group["families"].split()
    }


def _unknown_families() -> set[str]:
    return {family for entry in _section()["unknown"] for family in entry["families"].split()}


def _shipped_sagemaker_types() -> set[str]:
    return {instance_type for types in regenerate.shipped_types(data.raw_tables()).values() for instance_type in types}


# --- Coverage ----------------------------------------------------------------


def test_every_accelerator_instance_type_in_the_sagemaker_tables_has_memory_or_a_reason():
    accelerated = _families()
    missing = [
        instance_type
        for instance_type in sorted(_shipped_sagemaker_types(), key=regenerate.type_sort_key)
        if instance_type.split(".")[1] in accelerated
        and instance_type.split(".")[1] not in _unknown_families()
        and instance_accelerator_memory(instance_type) is None
    ]
    assert not missing, f"accelerator instance types without accelerator memory: {missing}"


def test_every_accelerator_family_has_memory_entries_or_is_listed_unknown():
    covered = {instance_type.split(".")[0] for instance_type in instance_accelerator_memory_types()}
    missing = sorted(set(_families()) - covered - _unknown_families())
    assert not missing, f"accelerator families with neither accelerator_memory entries nor an unknown note: {missing}"


def test_regenerate_reports_no_gaps_for_the_shipped_tables():
    tables = data.raw_tables()
    assert regenerate.accelerator_memory_gaps(tables, regenerate.shipped_types(tables)) == ()


def test_regenerate_reports_an_accelerator_type_botocore_adds():
    tables = data.raw_tables()
    gaps = regenerate.accelerator_memory_gaps(
        tables, {"hosting": frozenset({"ml.g5.96xlarge", "ml.m5.large", "ml.g7.2xlarge", "ml.zz9.large"})}
    )
    # g7 is listed unknown, m5 has no accelerator, zz9 is unclassified (warned about elsewhere)
    assert gaps == ("ml.g5.96xlarge",)


def test_only_accelerator_families_have_memory_entries():
    cpu = _families(("none",))
    wrong = sorted(instance_type for instance_type in instance_accelerator_memory_types() if instance_type.split(".")[0] in cpu)
    assert not wrong


def test_unknown_families_have_no_memory_entries():
    covered = {instance_type.split(".")[0] for instance_type in instance_accelerator_memory_types()}
    assert not covered & _unknown_families()


# --- Consistency -------------------------------------------------------------


def test_totals_add_up_to_devices_times_device_memory():
    """The EC2 page prints rounded GiB: devices x per-device <= total < devices x (per-device + 1)."""
    wrong = []
    for instance_type in sorted(instance_accelerator_memory_types()):
        memory = instance_accelerator_memory(instance_type)
        low = memory.devices * memory.device.memory
        high = memory.devices * (memory.device.memory + 1)
        if not (low - 1e-9 <= memory.total < high):
            wrong.append(f"{instance_type}: {memory.total} {memory.unit} vs {memory.devices} x {memory.device.memory}")
    assert not wrong, "\n".join(wrong)


def test_device_counts_agree_with_the_instance_family_counts():
    """Where instance_families gives accelerator counts, the memory table says the same."""
    disagree = []
    for family, group in _families().items():
        for block in group.get("accelerator_counts", ()):
            for size, count in block["sizes"].items():
                memory = instance_accelerator_memory(f"{family}.{size}")
                if memory is not None and memory.devices != count:
                    disagree.append(f"{family}.{size}: {count} in instance_families, {memory.devices} in accelerator_memory")
    assert not disagree, "\n".join(disagree)


def test_device_kinds_agree_with_the_family_classification():
    families = _families()
    wrong = []
    for instance_type in instance_accelerator_memory_types():
        memory = instance_accelerator_memory(instance_type)
        if families[memory.family]["accelerator"] != memory.device.kind:
            wrong.append(f"{instance_type}: {families[memory.family]['accelerator']} vs {memory.device.kind}")
    assert not wrong


def test_every_device_is_used_and_every_reference_resolves():
    used = {group["device"] for group in _section()["instances"]}
    for entry in _section()["kubernetes_gpu_labels"]:
        used |= {value for value in entry["values"].values() if isinstance(value, str)}
    known = {device.key for device in accelerator_devices()}
    assert used <= known, f"unknown device keys: {sorted(used - known)}"
    assert known <= used, f"devices nothing refers to: {sorted(known - used)}"


def test_no_family_size_is_listed_twice():
    seen = set()
    for group in _section()["instances"]:
        for family in group["families"].split():
            for size in group["sizes"]:
                assert (family, size) not in seen, f"{family}.{size} listed twice"
                seen.add((family, size))


@pytest.mark.parametrize(
    ("instance_type", "gib"),
    [("ml.p4d.24xlarge", 320), ("ml.p4de.24xlarge", 640)],  # ../shared/FACTS.md section 7 (SageMaker SDK table)
)
def test_totals_match_the_fact_sheet(instance_type, gib):
    memory = instance_accelerator_memory(instance_type)
    assert (memory.total, memory.unit) == (gib, "GiB")
    assert memory.total_bytes == gib * 2**30


# --- Accessors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "device", "devices", "total"),
    [
        ("ml.g5.xlarge", "NVIDIA A10G", 1, 22),
        ("ml.g5.12xlarge", "NVIDIA A10G", 4, 89),
        ("g5.48xlarge", "NVIDIA A10G", 8, 178),
        ("ml.g4dn.xlarge", "NVIDIA T4", 1, 16),
        ("g4dn.metal", "NVIDIA T4", 8, 128),
        ("ml.g6.2xlarge", "NVIDIA L4", 1, 22),
        ("ML.G6E.48XLARGE", "NVIDIA L40S", 8, 357),
        ("ml.p3.16xlarge", "NVIDIA V100 16GB", 8, 128),
        ("ml.p2.16xlarge", "NVIDIA K80", 16, 192),
        ("ml.p5.4xlarge", "NVIDIA H100 80GB", 1, 80),
        ("ml.p5.48xlarge", "NVIDIA H100 80GB", 8, 640),
        ("ml.p5en.48xlarge", "NVIDIA H200", 8, 1128),
        ("ml.p6-b200.48xlarge", "NVIDIA B200", 8, 1432),
        ("ml.inf1.6xlarge", "AWS Inferentia", 4, 32),
        ("ml.inf2.24xlarge", "AWS Inferentia2", 6, 192),
        ("ml.trn1.32xlarge", "AWS Trainium", 16, 512),
        ("trn1n.32xlarge", "AWS Trainium", 16, 512),
        ("ml.trn2.48xlarge", "AWS Trainium2", 16, 1536),
        ("g6f.large", "NVIDIA L4", 0.125, 2.79),
    ],
)
def test_instance_accelerator_memory(instance_type, device, devices, total):
    memory = instance_accelerator_memory(instance_type)
    assert memory is not None
    assert (memory.device.name, memory.devices, memory.total, memory.unit) == (device, devices, total, "GiB")
    assert memory.instance_type == instance_type
    assert memory.source and memory.device.source


@pytest.mark.parametrize(
    "instance_type",
    ["ml.m5.large", "c5.xlarge", "ml.g7.2xlarge", "ml.g5.96xlarge", "g5", "", "ml.", "not an instance", None, 42],
)
def test_no_accelerator_memory_is_none(instance_type):
    assert instance_accelerator_memory(instance_type) is None


def test_describe_and_bytes():
    memory = instance_accelerator_memory("ml.g5.12xlarge")
    assert memory.describe() == "89 GiB (4 x NVIDIA A10G, 22 GiB each)"
    assert memory.total_bytes == 89 * UNIT_BYTES["GiB"]
    assert memory.device.memory_bytes == 22 * 2**30
    assert instance_accelerator_memory("g6f.large").describe() == "2.79 GiB (0.125 x NVIDIA L4, 22 GiB each)"


def test_unknown_families_say_why():
    assert "not on the EC2 page" in unknown_accelerator_memory("ml.g7")
    assert unknown_accelerator_memory("g5") is None


def test_accelerator_device_lookup():
    assert accelerator_device("nvidia-a100-80gb").memory == 80
    assert accelerator_device("aws-trainium2").memory == 96  # the Neuron figure, not the EC2 page's 512
    assert accelerator_device("nvidia-a10g").describe() == "NVIDIA A10G (22 GiB)"
    assert accelerator_device("no-such-gpu") is None


# --- Kubernetes GPU labels ---------------------------------------------------


def test_gpu_label_keys():
    assert gpu_label_keys() == {"nvidia.com/gpu.product", "cloud.google.com/gke-accelerator"}


@pytest.mark.parametrize(
    ("key", "value", "name", "memory", "unit"),
    [
        ("nvidia.com/gpu.product", "NVIDIA-A10G", "NVIDIA A10G", 22, "GiB"),
        ("nvidia.com/gpu.product", "NVIDIA-L4", "NVIDIA L4", 22, "GiB"),
        ("nvidia.com/gpu.product", "Tesla-T4", "NVIDIA T4", 16, "GiB"),
        ("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB", "NVIDIA A100 80GB", 80, "GiB"),
        ("nvidia.com/gpu.product", "A100-SXM4-40GB", "NVIDIA A100 40GB", 40, "GiB"),
        ("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", "NVIDIA H100 80GB", 80, "GiB"),
        ("nvidia.com/gpu.product", "NVIDIA-A10G-SHARED", "NVIDIA A10G", 22, "GiB"),
        ("cloud.google.com/gke-accelerator", "nvidia-l4", "NVIDIA L4", 24, "GB"),
        ("cloud.google.com/gke-accelerator", "nvidia-tesla-t4", "NVIDIA T4", 16, "GB"),
        ("cloud.google.com/gke-accelerator", "nvidia-tesla-a100", "NVIDIA A100 40GB", 40, "GB"),
        ("cloud.google.com/gke-accelerator", "nvidia-a100-80gb", "NVIDIA A100 80GB", 80, "GB"),
        ("cloud.google.com/gke-accelerator", "nvidia-h100-80gb", "NVIDIA H100 80GB", 80, "GB"),
    ],
)
def test_gpu_label_device(key, value, name, memory, unit):
    device = gpu_label_device(key, value)
    assert (device.name, device.memory, device.unit) == (name, memory, unit)
    assert device.memory_bytes == memory * UNIT_BYTES[unit]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB-MIG-3g.40gb"),  # a slice, not the whole GPU
        ("nvidia.com/gpu.product", "NVIDIA-GeForce-RTX-3070"),
        ("nvidia.com/gpu.product", "nvidia-a10g"),  # label values are case-sensitive
        ("nvidia.com/gpu.product", ""),
        ("nvidia.com/gpu.product", None),
        ("cloud.google.com/gke-accelerator", "nvidia-b200"),  # memory not in the pages read
        ("node.kubernetes.io/instance-type", "g5.xlarge"),
    ],
)
def test_gpu_label_unknown(key, value):
    assert gpu_label_device(key, value) is None


def test_module_reads_the_package_loader():
    # the accessors read plugins.data's loaded tables, not a copy of the file
    assert accelerators.raw_tables is data.raw_tables

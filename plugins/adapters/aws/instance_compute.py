"""The compute and purchase option of EC2 capacity (Batch, EKS node groups), through `inferred_facts.compute_for` like every AWS adapter.

Format-neutral: the instance types come as `Sourced` strings and the
purchase option through a `RequestReader`, however the adapter spelled them.
"""

from __future__ import annotations


from linter import (
    UNKNOWN,
    Compute,
    Provenance,
    Sourced,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for


# --- instance types ---------------------------------------------------------------

# InstanceTypes values that stand for a choice AWS Batch makes among general
# purpose (C, M, R) families, none of which has an accelerator.
GENERIC_INSTANCE_TYPES = {
    "optimal": "AWS Batch chooses among C, M and R family instances",
    "default_x86_64": "AWS Batch chooses among current x86_64 C, M and R family instances",
    "default_arm64": "AWS Batch chooses among current Graviton C, M and R family instances",
}


def compute_of_types(instance_types: list[Sourced], where, extensions: data.Extensions = data.SHIPPED) -> Compute:
    """The compute of the first instance type; its accelerator (and count) only when every type agrees."""
    if not instance_types:
        return Compute(instance_type=Sourced(UNKNOWN, where.span, Provenance.DECLARED, "no InstanceTypes"))
    computes = [_compute(instance_type, extensions) for instance_type in instance_types]
    first = computes[0]
    accelerators = {compute.accelerator.value for compute in computes if compute.accelerator.known}
    if len(accelerators) > 1 or (accelerators and any(not compute.accelerator.known for compute in computes)):
        described = ", ".join(
            f"{compute.instance_type.value} {compute.accelerator.value if compute.accelerator.known else 'unknown'}"
            for compute in computes
        )
        return first.replaced(
            accelerator=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, f"instance types differ in accelerator: {described}"),
            accelerator_count=Sourced(),
        )
    counts = {compute.accelerator_count.value for compute in computes if compute.accelerator_count.known}
    if len(counts) > 1:
        described = ", ".join(f"{compute.instance_type.value} {compute.accelerator_count.get('unknown')}" for compute in computes)
        return first.replaced(
            accelerator_count=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, f"instance types differ in accelerator count: {described}"),
        )
    return first


def _compute(instance_type: Sourced, extensions: data.Extensions) -> Compute:
    if instance_type.known and str(instance_type.value) in GENERIC_INSTANCE_TYPES:
        note = GENERIC_INSTANCE_TYPES[str(instance_type.value)]
        return Compute(
            instance_type=instance_type,
            accelerator=Sourced("none", instance_type.span, Provenance.INFERRED, note),
            burstable=Sourced(False, instance_type.span, Provenance.INFERRED, note),
        )
    if instance_type.known and "." not in str(instance_type.value):
        return _family_compute(instance_type, extensions)
    return compute_for(instance_type, extensions)


def _family_compute(family: Sourced, extensions: data.Extensions) -> Compute:
    """A bare family (`g4dn`, which AWS Batch accepts for any size) classified by the family tables.

    TRANSITIONAL: `data.instance_info` wants `family.size`; the size part
    here only stands in for "any size", so the accelerator count, which
    depends on the size, stays unknown.
    """
    info = data.instance_info(f"{family.value}.any-size", extensions)
    if info is None:
        return Compute(instance_type=family)
    note = f"instance family {info.family} (any size)"
    count = (
        Sourced(0, family.span, Provenance.INFERRED, note)
        if info.accelerator == "none"
        else Sourced(UNKNOWN, family.span, Provenance.INFERRED, "the accelerator count depends on the size AWS Batch picks")
    )
    return Compute(
        instance_type=family,
        accelerator=Sourced(info.accelerator, family.span, Provenance.INFERRED, note),
        accelerator_count=count,
        burstable=Sourced(info.burstable, family.span, Provenance.INFERRED, note),
    )


def listed_instance_types(items: list[Sourced], node, whole_types_only: bool = False) -> Sourced:
    """Every instance type of a list as the unit's `instance_types`: known only when each is known (and, with
    `whole_types_only`, a whole type such as `g5.2xlarge`, not a family or `optimal` the service sizes)."""
    if not items or not all(item.known and not item.options for item in items):
        return Sourced()
    values = tuple(dict.fromkeys(str(item.value) for item in items))
    if whole_types_only and not all("." in value for value in values):
        return Sourced()
    first = items[0]
    span = node.span if node is not None else first.span
    if len(items) == 1 and first.provenance is not Provenance.DECLARED:
        return Sourced(values, first.span or span, first.provenance, first.note)
    return Sourced(values, span, Provenance.DECLARED, "")


def instance_types_attribute(items: list[Sourced], node) -> Sourced:
    """Every instance type as one attribute value (a tuple), pointing at the list."""
    values = tuple(str(item.value) if item.known else "${unknown}" for item in items)
    span = node.span if node is not None else items[0].span
    return Sourced(values, span, Provenance.DECLARED, "" if all(item.known for item in items) else "some instance types are not known")


def capacity_setting(reader, node, context: str, what: str) -> Sourced:
    """A purchase-option value (`CapacityType`, `ComputeResources.Type`) read through `reader` and the data tables'
    `capacity_from_setting(context, ...)`.

    Unknown with the reason when not decided; malformed (raw kept) when the
    tables do not know the value; undecided branches keep their capacities
    in `options`, or are known when every branch agrees.
    """
    from linter import Capacity

    def convert(value):
        if not isinstance(value, str):
            return None
        capacity = data.capacity_from_setting(context, value)
        return Capacity(capacity) if capacity is not None else None

    value = reader.value(node, convert=convert, expected=f"a {what} value")
    if value.known:
        written = reader.read_str(node)
        note = f"{what} {written.value}" + (f" ({value.note})" if value.note else "")
        return value.replaced(note=note)
    if value.options:
        options = tuple(dict.fromkeys(option for option in value.options if option is not None))
        if len(options) == 1 and len(value.options) >= 2 and None not in value.options:
            return Sourced(options[0], value.span, Provenance.DECLARED, f"{what}: {value.note}, every branch {options[0].value}")
        return value.replaced(options=options)
    return value


def accelerator_from_ami(compute: Compute, ami: Sourced) -> Compute:
    """A GPU or Neuron EKS AMI type says the nodes have accelerators when the instance types do not say."""
    if compute.accelerator.known or not ami.known or not isinstance(ami.value, str):
        return compute
    upper = ami.value.upper()
    if "NVIDIA" in upper or upper.endswith("_GPU"):
        return compute.replaced(accelerator=Sourced("gpu", ami.span, Provenance.INFERRED, f"AmiType {ami.value} is a GPU AMI"))
    if "NEURON" in upper:
        return compute.replaced(
            accelerator=Sourced(
                UNKNOWN, ami.span, Provenance.INFERRED,
                f"AmiType {ami.value} is a Neuron AMI: Inferentia or Trainium, the instance type would say",
                options=("inferentia", "trainium"),
            ),
        )
    return compute

"""EKS managed node groups as capacity for the pods scheduled on them, whatever format declared them.

A node group is capacity, not a workload: it is a deployment on platform
`eks-nodegroup` whose kind is unknown (the pods that land on it are jobs or
services), with one unit: compute from the first of `InstanceTypes` (else
the launch template's instance type, else EKS's default `t3.medium`),
capacity from `CapacityType` (ON_DEMAND on-demand, SPOT spot,
CAPACITY_BLOCK reserved; ON_DEMAND when absent), the accelerator from a
GPU/Neuron `AmiType` when the instance types do not say, the node count
and `ScalingConfig` bounds as the unit's scaling, and every type it may
launch as the unit's `instance_types`. Labels and taints are attributes,
for matching pods to node groups.

The adapter reads the CreateNodegroup-shaped request (its own way for
instance types, subnets, launch templates, labels); `node_group_capacity`,
`node_group_scaling` and `node_group_deployment` say what they mean.
"""

from __future__ import annotations

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    MappingNode,
    Network,
    Node,
    Provenance,
    ResourceRef,
    Scaling,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
)

from plugins.adapters.aws.instance_compute import accelerator_from_ami, capacity_setting, instance_types_attribute, listed_instance_types

__all__ = [
    "PLATFORM",
    "CAPACITY_CONTEXT",
    "DEFAULT_INSTANCE_TYPE",
    "node_group_capacity",
    "node_group_scaling",
    "node_group_deployment",
]

PLATFORM = "eks-nodegroup"
CAPACITY_CONTEXT = "eks-nodegroup"  # CapacityType, read through the data tables
DEFAULT_INSTANCE_TYPE = "t3.medium"  # EKS CreateNodegroup, when neither instanceTypes nor the launch template says

KIND_NOTE = "a node group is capacity, not a workload: the pods scheduled on it decide between job and service"


def node_group_capacity(request: Node | None, reader, span: Span, missing: str = "") -> Sourced:
    """`CapacityType` through the data tables; ON_DEMAND (default) when absent; unknown when the request is (`missing`)."""
    if request is None:
        return Sourced(UNKNOWN, span, Provenance.DECLARED, missing or "no Properties")
    found = reader.find(request, "CapacityType")
    if found is not None:
        return capacity_setting(reader, found.node, CAPACITY_CONTEXT, "CapacityType")
    return Sourced(Capacity.ON_DEMAND, span, Provenance.DEFAULT, "no CapacityType: EKS uses ON_DEMAND")


def node_group_scaling(request: Node | None, reader, span: Span) -> tuple[Sourced, tuple[Scaling, ...]]:
    """(node count, scaling) from `ScalingConfig`: DesiredSize, MinSize..MaxSize."""
    scaling_node = reader.node(request, "ScalingConfig")
    if not isinstance(scaling_node, MappingNode):
        return Sourced(UNKNOWN, span, Provenance.DECLARED, "no ScalingConfig: EKS applies its default sizes"), ()
    count = reader.read_int(scaling_node, "DesiredSize")
    scaling = Scaling(
        min_capacity=reader.read_int(scaling_node, "MinSize"),
        max_capacity=reader.read_int(scaling_node, "MaxSize"),
        dimension=Sourced("eks:nodegroup:DesiredSize", scaling_node.span, Provenance.INFERRED, "node count"),
        linked_by="ScalingConfig",
        span=scaling_node.span,
    )
    return count, (scaling,)


def node_group_deployment(
    *, id: str, span: Span, name: Sourced, links: tuple[ResourceRef, ...], compute: Compute, instance_types: list[Sourced],
    launched: list[Sourced], types_node: Node | None, ami_type: Sourced, capacity: Sourced, count: Sourced, scaling: tuple[Scaling, ...],
    labels: Sourced | None, taints: Sourced | None, network: Network | None, profile: WorkloadProfile, environment: Sourced,
) -> Deployment:
    """The node group's deployment from what its adapter read (see the module docstring)."""
    compute = accelerator_from_ami(compute, ami_type)
    unit = Unit(
        name=name, compute=compute, count=count, capacity=capacity, scaling=scaling, span=span,
        instance_types=listed_instance_types(launched, types_node if instance_types else None),
    )
    attributes: list[tuple[str, Sourced]] = []
    if instance_types:
        attributes.append(("instance_types", instance_types_attribute(instance_types, types_node)))
    if ami_type.known or ami_type.note:
        attributes.append(("ami_type", ami_type))
    if labels is not None:
        attributes.append(("labels", labels))
    if taints is not None:
        attributes.append(("taints", taints))
    return Deployment(
        id=id,
        platform=PLATFORM,
        kind=Sourced(UNKNOWN, span, Provenance.INFERRED, KIND_NOTE),
        span=span,
        name=name,
        environment=environment,
        profile=profile,
        units=(unit,),
        network=network,
        links=links,
        attributes=tuple(attributes),
    )

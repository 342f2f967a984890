"""`AWS::EKS::Nodegroup`: a managed node group as capacity for the pods scheduled on it.

A node group is capacity, not a workload: it is a deployment on platform
`eks-nodegroup` whose kind is unknown (the pods that land on it are jobs or
services), with one unit: compute from the first of `InstanceTypes` (else
the launch template's `InstanceType`, else EKS's default `t3.medium`),
capacity from `CapacityType` (ON_DEMAND on-demand, SPOT spot,
CAPACITY_BLOCK reserved; ON_DEMAND when absent; reserved when on-demand
instances go into a capacity reservation the launch template targets), the accelerator from a
GPU/Neuron `AmiType` when the instance types do not say, the node count and
`ScalingConfig` bounds as the unit's scaling, and every type it may
launch as the unit's `instance_types`. `Labels` and `Taints` are
attributes, for matching pods to node groups.
"""

from __future__ import annotations

from dataclasses import replace

from linter import (
    UNKNOWN,
    Capacity,
    Deployment,
    MappingNode,
    Provenance,
    ResourceRef,
    Scaling,
    Sourced,
    Unit,
    child,
    mappings,
)

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.capacity import launch_template_of, launch_template_reservation
from plugins.adapters.cloudformation.instance_compute import compute_of_types, instance_types_attribute, listed_instance_types
from plugins.adapters.cloudformation.resource_values import capacity_of, name_of, network_of, properties_of, string_list
from plugins.adapters.cloudformation.intrinsics import Choice, Opaque, Partial, ResourceValue
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.written_values import text_of

RESOURCE_TYPES = ("AWS::EKS::Nodegroup",)

CAPACITY_CONTEXT = "eks-nodegroup"  # CapacityType, read through the data tables
DEFAULT_INSTANCE_TYPE = "t3.medium"  # EKS CreateNodegroup, when neither instanceTypes nor the launch template says

KIND_NOTE = "a node group is capacity, not a workload: the pods scheduled on it decide between job and service"


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    properties, missing = properties_of(resource, template)
    name = name_of(resource, properties, template, "NodegroupName")
    links = [ResourceRef(resource.type, resource.logical_id, resource.key_span)]
    cluster_id, _ = template.reference(child(properties, "ClusterName"))
    if cluster_id and cluster_id in template.resources:
        cluster = template.resources[cluster_id]
        links.append(ResourceRef(cluster.type, cluster.logical_id, cluster.key_span))

    launch_template = launch_template_of(child(properties, "LaunchTemplate"), template)
    if launch_template is not None:
        links.append(ResourceRef(launch_template.type, launch_template.logical_id, launch_template.key_span))
    compute, instance_types, launched = _compute(properties, template, launch_template, resource)
    compute = _accelerator_from_ami(compute, child(properties, "AmiType"), template)

    capacity_node = child(properties, "CapacityType")
    if capacity_node is not None:
        capacity = capacity_of(capacity_node, template, CAPACITY_CONTEXT, "CapacityType")
    elif properties is None:
        capacity = Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, missing or "no Properties")
    else:
        capacity = Sourced(Capacity.ON_DEMAND, resource.key_span, Provenance.DEFAULT, "no CapacityType: EKS uses ON_DEMAND")
    if launch_template is not None and capacity.known and capacity.value is Capacity.ON_DEMAND:
        reserved = launch_template_reservation(launch_template, template)
        if reserved is not None:  # on-demand instances launched into a reservation: reserved, bought deliberately
            capacity = replace(reserved, note=f"{capacity.note}; {reserved.note}")

    scaling_node = child(properties, "ScalingConfig")
    count = template.read_int(child(scaling_node, "DesiredSize"))
    scaling: tuple[Scaling, ...] = ()
    if isinstance(scaling_node, MappingNode):
        scaling = (
            Scaling(
                min_capacity=template.read_int(scaling_node.get("MinSize")),
                max_capacity=template.read_int(scaling_node.get("MaxSize")),
                dimension=Sourced("eks:nodegroup:DesiredSize", scaling_node.span, Provenance.INFERRED, "node count"),
                linked_by="ScalingConfig",
                span=scaling_node.span,
            ),
        )
    else:
        count = Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, "no ScalingConfig: EKS applies its default sizes")

    unit = Unit(
        name=name, compute=compute, count=count, capacity=capacity, scaling=scaling, span=resource.key_span,
        instance_types=listed_instance_types(launched, child(properties, "InstanceTypes") if instance_types else None),
    )
    attributes: list[tuple[str, Sourced]] = []
    if instance_types:
        attributes.append(("instance_types", instance_types_attribute(instance_types, child(properties, "InstanceTypes"))))
    ami_type = template.read_str(child(properties, "AmiType"))
    if ami_type.known or ami_type.note:
        attributes.append(("ami_type", ami_type))
    labels = _labels(child(properties, "Labels"), template)
    if labels is not None:
        attributes.append(("labels", labels))
    taints = _taints(child(properties, "Taints"), template)
    if taints is not None:
        attributes.append(("taints", taints))

    deployment = Deployment(
        id=template.deployment_id(resource.logical_id),
        platform="eks-nodegroup",
        kind=Sourced(UNKNOWN, resource.key_span, Provenance.INFERRED, KIND_NOTE),
        span=resource.key_span,
        name=name,
        environment=environment_of(resource, profile),
        profile=profile,
        units=(unit,),
        network=network_of(child(properties, "Subnets"), template),
        links=tuple(links),
        attributes=tuple(attributes),
    )
    return [deployment, *problems]


def _compute(properties, template: TemplateContext, launch_template: Resource | None, resource: Resource):
    """(compute, InstanceTypes, the types it launches): InstanceTypes, else the launch template's, else EKS's default."""
    types_node = child(properties, "InstanceTypes")
    instance_types = string_list(types_node, template, "instance types")
    if instance_types:
        return compute_of_types(instance_types, types_node, template.extensions), instance_types, instance_types
    launch_template_node = child(properties, "LaunchTemplate")
    if launch_template is not None:
        from_template = template.read_str(child(launch_template.node, "Properties", "LaunchTemplateData", "InstanceType"))
        if from_template.known or from_template.note or from_template.options:
            from_template = replace(from_template, provenance=Provenance.INFERRED, note=f"InstanceType of launch template {launch_template.logical_id}" + (f" ({from_template.note})" if from_template.note else ""))
            return compute_of_types([from_template], launch_template.node, template.extensions), [from_template], [from_template]
    elif launch_template_node is not None:
        unknown = Sourced(UNKNOWN, launch_template_node.span, Provenance.DECLARED, "the launch template is not in this template")
        return compute_of_types([unknown], launch_template_node, template.extensions), [], []
    if properties is None:
        return compute_of_types([Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, "Properties not known")], resource.node, template.extensions), [], []
    default = Sourced(DEFAULT_INSTANCE_TYPE, resource.key_span, Provenance.DEFAULT, "no InstanceTypes: EKS uses t3.medium")
    return compute_of_types([default], resource.node, template.extensions), [], [default]


def _accelerator_from_ami(compute, ami_node, template: TemplateContext):
    """A GPU or Neuron AMI says the nodes have accelerators when the instance types do not say."""
    if compute.accelerator.known or ami_node is None:
        return compute
    ami = template.resolve(ami_node)
    if not isinstance(ami, str):
        return compute
    upper = ami.upper()
    if "NVIDIA" in upper or upper.endswith("_GPU"):
        return replace(compute, accelerator=Sourced("gpu", ami_node.span, Provenance.INFERRED, f"AmiType {ami} is a GPU AMI"))
    if "NEURON" in upper:
        return replace(
            compute,
            accelerator=Sourced(
                UNKNOWN, ami_node.span, Provenance.INFERRED,
                f"AmiType {ami} is a Neuron AMI: Inferentia or Trainium, the instance type would say",
                options=("inferentia", "trainium"),
            ),
        )
    return compute


def _labels(node, template: TemplateContext) -> Sourced | None:
    """Labels as (key, value) pairs; a value not known shows its unknown parts as `${...}`."""
    if node is None:
        return None
    if not isinstance(node, MappingNode) or child(node, "Ref") is not None or node.tag.startswith("!"):
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, "Labels are not a literal mapping")
    pairs = [(str(key.value), _text(value, template)) for key, value in node.pairs]
    return Sourced(tuple(pairs), node.span, Provenance.DECLARED, "node labels")


def _taints(node, template: TemplateContext) -> Sourced | None:
    """Taints as (key, value, effect) triples."""
    if node is None:
        return None
    items = mappings(node)
    if not items:
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, "Taints are not a literal list")
    triples = []
    for item in items:
        triples.append(tuple(_text(item.get(key), template) for key in ("Key", "Value", "Effect")))
    return Sourced(tuple(triples), node.span, Provenance.DECLARED, "node taints")


def _text(node, template: TemplateContext) -> str:
    """A label or taint part as text; unknown parts shown as `${...}` the way templates write them."""
    if node is None:
        return ""
    value = template.resolve(node)
    if isinstance(value, ResourceValue):
        return "${" + (value.logical_id if value.attribute == "Ref" else f"{value.logical_id}.{value.attribute}") + "}"
    if isinstance(value, (Opaque, Partial)):
        return str(value)
    if isinstance(value, Choice):
        return "${" + value.condition + "?}"
    return text_of(value)

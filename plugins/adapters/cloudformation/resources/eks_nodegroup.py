"""`AWS::EKS::Nodegroup`: a managed node group as capacity for the pods scheduled on it.

A node group is capacity, not a workload: it is a deployment on platform
`eks-nodegroup` whose kind is unknown (the pods that land on it are jobs or
services), with one unit: compute from the first of `InstanceTypes` (else
the launch template's `InstanceType`, else EKS's default `t3.medium`; see
`plugins.adapters.aws.eks_nodegroups`),
capacity from `CapacityType` (ON_DEMAND on-demand, SPOT spot,
CAPACITY_BLOCK reserved; ON_DEMAND when absent; reserved when on-demand
instances go into a capacity reservation the launch template targets), the accelerator from a
GPU/Neuron `AmiType` when the instance types do not say, the node count and
`ScalingConfig` bounds as the unit's scaling, and every type it may
launch as the unit's `instance_types`. `Labels` and `Taints` are
attributes, for matching pods to node groups.
"""

from __future__ import annotations


from linter import UNKNOWN, Capacity, MappingNode, Provenance, ResourceRef, Sourced, child, mappings

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.capacity import launch_template_of, launch_template_reservation
from plugins.adapters.aws.eks_nodegroups import DEFAULT_INSTANCE_TYPE, node_group_capacity, node_group_deployment, node_group_scaling
from plugins.adapters.aws.instance_compute import compute_of_types
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.resource_values import name_of, network_of, properties_of, string_list
from plugins.adapters.cloudformation.intrinsics import Choice, Opaque, Partial, ResourceValue
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.written_values import text_of

RESOURCE_TYPES = ("AWS::EKS::Nodegroup",)



def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    properties, missing = properties_of(resource, template)
    reader = TemplateRequestReader(template)
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

    capacity = node_group_capacity(properties, reader, resource.key_span, missing)
    if launch_template is not None and capacity.known and capacity.value is Capacity.ON_DEMAND:
        reserved = launch_template_reservation(launch_template, template)
        if reserved is not None:  # on-demand instances launched into a reservation: reserved, bought deliberately
            capacity = reserved.replaced(note=f"{capacity.note}; {reserved.note}")
    count, scaling = node_group_scaling(properties, reader, resource.key_span)

    deployment = node_group_deployment(
        id=template.deployment_id(resource.logical_id), span=resource.key_span, name=name, links=tuple(links),
        compute=compute, instance_types=instance_types, launched=launched, types_node=child(properties, "InstanceTypes"),
        ami_type=template.read_str(child(properties, "AmiType")), capacity=capacity, count=count, scaling=scaling,
        labels=_labels(child(properties, "Labels"), template), taints=_taints(child(properties, "Taints"), template),
        network=network_of(child(properties, "Subnets"), template), profile=profile, environment=environment_of(resource, profile),
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
            from_template = from_template.replaced(provenance=Provenance.INFERRED, note=f"InstanceType of launch template {launch_template.logical_id}" + (f" ({from_template.note})" if from_template.note else ""))
            return compute_of_types([from_template], launch_template.node, template.extensions), [from_template], [from_template]
    elif launch_template_node is not None:
        unknown = Sourced(UNKNOWN, launch_template_node.span, Provenance.DECLARED, "the launch template is not in this template")
        return compute_of_types([unknown], launch_template_node, template.extensions), [], []
    if properties is None:
        return compute_of_types([Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, "Properties not known")], resource.node, template.extensions), [], []
    default = Sourced(DEFAULT_INSTANCE_TYPE, resource.key_span, Provenance.DEFAULT, "no InstanceTypes: EKS uses t3.medium")
    return compute_of_types([default], resource.node, template.extensions), [], [default]


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

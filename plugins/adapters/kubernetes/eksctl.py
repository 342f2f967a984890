"""eksctl `ClusterConfig` node groups: capacity for the pods scheduled on them.

Each entry of `managedNodeGroups` and `nodeGroups` (`eksctl.io/v1alpha5`)
is a deployment on platform `eks-nodegroup`, kind unknown, the same as an
`AWS::EKS::Nodegroup` read from CloudFormation:
- compute from `instanceType`, else `instanceTypes` (managed) or
  `instancesDistribution.instanceTypes` (the first; its accelerator only
  when every type agrees), else eksctl's default `m5.large`;
- capacity: a managed group is Spot with `spot: true`, else on-demand; a
  self-managed group with `instancesDistribution` is Spot when no capacity
  is on-demand (`onDemandBaseCapacity` 0 and
  `onDemandPercentageAboveBaseCapacity` 0), on-demand at 100 %, mixed in
  between (EC2 Auto Scaling defaults: base 0, 100 % above it); without it,
  on-demand;
- count `desiredCapacity`; `minSize`/`maxSize` as the unit's scaling;
- instance types: `instanceType`, else the `instanceTypes` (or
  `instancesDistribution.instanceTypes`) list, else eksctl's default, as
  the unit's `instance_types`;
- `availabilityZones` as the network's zones; labels and taints as
  attributes. The environment comes from an `environment`/`env`/`stage`
  tag of the group or the cluster; the workload profile from the
  ClusterConfig's `mldeploy-lint.io/<key>` annotations, then the cluster's
  and the group's `mldeploy-lint:<key>` tags (the group's win).
"""

from __future__ import annotations

from dataclasses import replace

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    MappingNode,
    Network,
    Provenance,
    ResourceRef,
    ScalarNode,
    Scaling,
    SequenceNode,
    Sourced,
    Unit,
    child,
    PROFILE_TAG_PREFIX,
    mappings,
    normalise_environment,
    parse_profile,
    profile_entry_value,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import (
    Manifest,
    label_text,
    mapping,
    read_bool,
    read_int,
    read_str,
    string_map,
    text,
)
from plugins.adapters.kubernetes.workload_profile import (
    ENVIRONMENT_LABEL_KEYS,
    profile_of,
)

KINDS = {("eksctl.io", "ClusterConfig")}
PLATFORM = "eks-nodegroup"

KIND_NOTE = "a node group is capacity, not a workload: the pods scheduled on it decide between job and service"


def read(manifest: Manifest, index: RunIndex) -> list:
    root = manifest.node
    cluster = manifest.name or "(unnamed)"
    cluster_tags = mapping(child(manifest.metadata, "tags"))
    profile, problems = profile_of(manifest)
    # The cluster's AWS tags, then each node group's, as `Tags` on a CloudFormation node group: `mldeploy-lint:<key>`.
    profile, found = _tag_profile(cluster_tags, f"cluster {cluster}", profile)
    problems += found
    results: list = []
    for field, managed in (("managedNodeGroups", True), ("nodeGroups", False)):
        for group in mappings(root.get(field)):
            group_name = text(group.get("name")) or "(unnamed)"
            group_profile, found = _tag_profile(mapping(group.get("tags")), f"node group {group_name}", profile)
            problems += found
            results.append(_node_group(manifest, index, cluster, group, managed, field, cluster_tags, group_profile))
    return [*results, *problems]


def _tag_profile(tags: MappingNode | None, whose: str, base):
    """`base` with the workload profile entries of eksctl `tags` (`mldeploy-lint:<key>: value`) over it, and their problems."""
    if tags is None:
        return base, []
    entries = [
        (key.value[len(PROFILE_TAG_PREFIX):], profile_entry_value(value), value.span)
        for key, value in tags.pairs
        if isinstance(key.value, str) and key.value.startswith(PROFILE_TAG_PREFIX)
    ]
    if not entries:
        return base, []
    return parse_profile(entries, f"tags {PROFILE_TAG_PREFIX}<key> of {whose}", base)


def _node_group(manifest, index, cluster, group: MappingNode, managed: bool, field: str, cluster_tags, profile) -> Deployment:
    name = read_str(group.get("name"))
    compute, types = _compute(group, index.extensions)
    capacity = _managed_capacity(group) if managed else _self_managed_capacity(group)
    scaling: tuple[Scaling, ...] = ()
    if "minSize" in group or "maxSize" in group:
        scaling = (
            Scaling(
                min_capacity=read_int(group.get("minSize")),
                max_capacity=read_int(group.get("maxSize")),
                dimension=Sourced("eks:nodegroup:DesiredSize", group.span, Provenance.INFERRED, "node count"),
                linked_by="minSize/maxSize",
                span=group.span,
            ),
        )
    desired = group.get("desiredCapacity")
    count = read_int(desired) if desired is not None else Sourced(UNKNOWN, group.span, Provenance.DECLARED, "no desiredCapacity: eksctl applies its default size")
    unit = Unit(
        name=name, compute=compute, count=count, capacity=capacity, scaling=scaling, span=group.span,
        instance_types=_instance_types(types, name.span or group.span, _types_field(group)),
    )
    attributes: list[tuple[str, Sourced]] = [("cluster", Sourced(cluster, manifest.anchor, Provenance.DECLARED))]
    if len(types) > 1:
        attributes.append(("instance_types", Sourced(tuple(str(item.value) for item in types), types[0].span, Provenance.DECLARED)))
    labels = mapping(group.get("labels"))
    if labels is not None:
        attributes.append(("labels", Sourced(tuple(string_map(labels).items()), labels.span, Provenance.DECLARED, "node labels")))
    taints = _taints(group.get("taints"))
    if taints is not None:
        attributes.append(("taints", taints))
    zones_node = group.get("availabilityZones")
    network = None
    if isinstance(zones_node, SequenceNode):
        zones = tuple(Sourced(label_text(item), item.span, Provenance.DECLARED) for item in zones_node.items if label_text(item))
        network = Network(zones=zones, span=zones_node.span)
    group_name = str(name.value) if name.known else "(unnamed)"
    return Deployment(
        id=f"{index.deployment_id(manifest)}/{field}/{group_name}",
        platform=PLATFORM,
        kind=Sourced(UNKNOWN, group.span, Provenance.INFERRED, KIND_NOTE),
        span=name.span or group.span,
        name=name,
        environment=_environment(profile, mapping(group.get("tags")), cluster_tags),
        profile=profile,
        units=(unit,),
        network=network,
        links=(ResourceRef(f"ClusterConfig {field}", f"{cluster}/{group_name}", name.span or group.span),),
        attributes=tuple(attributes),
    )


def _compute(group: MappingNode, extensions: data.Extensions) -> tuple[Compute, list[Sourced]]:
    single = group.get("instanceType")
    if single is not None:
        instance_type = read_str(single)
        return compute_for(instance_type, extensions), [instance_type]
    types_node = group.get("instanceTypes") or child(group, "instancesDistribution", "instanceTypes")
    if isinstance(types_node, SequenceNode):
        types = [Sourced(label_text(item), item.span, Provenance.DECLARED) for item in types_node.items if label_text(item)]
        if types:
            computes = [compute_for(item, extensions) for item in types]
            first = computes[0]
            accelerators = {compute.accelerator.value for compute in computes if compute.accelerator.known}
            if len(accelerators) > 1 or (accelerators and any(not compute.accelerator.known for compute in computes)):
                first = replace(first, accelerator=Sourced(UNKNOWN, types[0].span, Provenance.INFERRED, "instance types differ in accelerator"), accelerator_count=NOT_WRITTEN)
            elif len({compute.accelerator_count.value for compute in computes if compute.accelerator_count.known}) > 1:
                first = replace(first, accelerator_count=Sourced(UNKNOWN, types[0].span, Provenance.INFERRED, "instance types differ in accelerator count"))
            return first, types
    instance_type = data.limit("kubernetes", "eksctl_instance_type").value
    default = Sourced(instance_type, group.span, Provenance.DEFAULT, f"no instanceType: eksctl uses {instance_type}")
    return compute_for(default, extensions), [default]


def _types_field(group: MappingNode) -> str:
    if "instanceType" in group:
        return "instanceType"
    return "instanceTypes" if group.get("instanceTypes") else "instancesDistribution.instanceTypes"


def _instance_types(types: list[Sourced], default_at, field: str) -> Sourced:
    """Every instance type the group may launch, at the list (at the group's name for eksctl's default)."""
    if not types or not all(item.known for item in types):
        return NOT_WRITTEN
    values = tuple(dict.fromkeys(str(item.value) for item in types))
    first = types[0]
    if first.provenance is Provenance.DEFAULT:
        return Sourced(values, default_at, Provenance.DEFAULT, first.note)
    span = first.span if len(types) == 1 else values_span_of(types)
    return Sourced(values, span, Provenance.DECLARED, field)


def values_span_of(items: list[Sourced]):
    """From the first item to the last."""
    first, last = items[0].span, items[-1].span
    return replace(first, end_line=last.end_line, end_column=last.end_column) if first is not None and last is not None else first


def _managed_capacity(group: MappingNode) -> Sourced:
    spot_node = group.get("spot")
    spot = read_bool(spot_node)
    if spot_node is None:
        return Sourced(Capacity.ON_DEMAND, group.span, Provenance.DEFAULT, "managed node group without spot: true is on-demand")
    if not spot.known:
        return spot
    return Sourced(Capacity.SPOT if spot.value else Capacity.ON_DEMAND, spot.span, Provenance.DECLARED, f"spot: {str(spot.value).lower()}")


def _self_managed_capacity(group: MappingNode) -> Sourced:
    distribution = mapping(group.get("instancesDistribution"))
    if distribution is None:
        return Sourced(Capacity.ON_DEMAND, group.span, Provenance.DEFAULT, "no instancesDistribution: on-demand instances")
    base_node, percentage_node = distribution.get("onDemandBaseCapacity"), distribution.get("onDemandPercentageAboveBaseCapacity")
    base = read_int(base_node) if base_node is not None else Sourced(int(data.limit("kubernetes", "ec2_on_demand_base_capacity").default))
    percentage = (
        read_int(percentage_node)
        if percentage_node is not None
        else Sourced(int(data.limit("kubernetes", "ec2_on_demand_percentage_above_base").default))
    )
    span = (percentage_node or base_node or distribution).span
    if not (base.known and percentage.known):
        bad = base if not base.known else percentage
        return Sourced(UNKNOWN, bad.span or span, Provenance.DECLARED, "instancesDistribution: " + (bad.note or "not known"), raw=bad.raw)
    note = f"onDemandBaseCapacity {base.value}, onDemandPercentageAboveBaseCapacity {percentage.value}"
    if percentage.value >= 100:
        return Sourced(Capacity.ON_DEMAND, span, Provenance.DECLARED, note)
    if percentage.value <= 0 and base.value <= 0:
        return Sourced(Capacity.SPOT, span, Provenance.DECLARED, note)
    return Sourced(Capacity.MIXED, span, Provenance.DECLARED, note)


def _taints(node) -> Sourced | None:
    if node is None:
        return None
    if isinstance(node, SequenceNode):
        triples = tuple(
            (text(taint.get("key")) or "", label_text(taint.get("value")) or "", text(taint.get("effect")) or "") for taint in mappings(node)
        )
        return Sourced(triples, node.span, Provenance.DECLARED, "key, value, effect")
    if isinstance(node, MappingNode):  # older eksctl: {key: "value:Effect"}
        triples = []
        for key, value in string_map(node).items():
            taint_value, _, effect = value.partition(":")
            triples.append((key, taint_value, effect))
        return Sourced(tuple(triples), node.span, Provenance.DECLARED, "key, value, effect")
    return None


def _environment(profile, group_tags: MappingNode | None, cluster_tags: MappingNode | None) -> Sourced:
    if profile.environment.known:
        stage = normalise_environment(profile.environment.value)
        if stage is not None:
            return Sourced(stage, profile.environment.span, Provenance.DECLARED, profile.environment.note)
    for tags, whose in ((group_tags, "node group tag"), (cluster_tags, "cluster tag")):
        if tags is None:
            continue
        for key, value in tags.pairs:
            if isinstance(key.value, str) and key.value.lower() in ENVIRONMENT_LABEL_KEYS and isinstance(value, ScalarNode):
                stage = normalise_environment(label_text(value))
                if stage is not None:
                    return Sourced(stage, value.span, Provenance.DECLARED, f"{whose} {key.value}={label_text(value)}")
    return NOT_WRITTEN

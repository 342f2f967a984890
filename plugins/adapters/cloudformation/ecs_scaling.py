"""ECS services and the Application Auto Scaling targets (`service/<cluster>/<service>`) that scale them."""

from __future__ import annotations

from typing import Any

from linter import (
    MappingNode,
    Provenance,
    ResourceRef,
    Scaling,
    Sourced,
    child,
    iter_nodes,
)

from plugins.adapters.aws.application_autoscaling import ECS_NAMESPACE, ECS_SERVICE, scalable_resource
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.record_matching import PolicyTargets, alarms_by_action, same_value, with_alarm_metric
from plugins.adapters.cloudformation.intrinsics import (
    ResourceValue,
    split_text,
)
from plugins.adapters.cloudformation.records import ScalableTargetRecord, TemplateRecords
from plugins.adapters.cloudformation.resources import readers
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.resource_values import name_of, properties_of, shown_reference
from plugins.adapters.cloudformation.runners import referenced_ids




# --- ECS service autoscaling -------------------------------------------------------


SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
SCALING_POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"


def ecs_scaling_for_service(
    service: Resource, service_name: Sourced, cluster: Any, template: TemplateContext
) -> list[tuple[Scaling, ResourceRef]]:
    """Every ECS scalable target of the template whose ResourceId names this service.

    `service/<cluster>/<service>`: the service segment matches the
    service's `GetAtt Name` (or `Ref`) or its declared ServiceName; the
    cluster segment must not contradict the service's Cluster (default
    `default`) when both are known. Targets and their policies (and the
    alarms of step-scaling policies) are read by their own readers, and
    policies are matched to targets by `hosting.py`'s rules; only the
    targets that name this service are read in full.
    """
    words = [service.logical_id]
    if service_name.known and service_name.provenance is Provenance.DECLARED and isinstance(service_name.value, str):
        words.append(service_name.value)
    matched = [
        resource
        for resource in _ecs_targets(template)
        if _mentions(resource, words, template) and _target_names(resource, service, service_name, cluster, template)
    ]
    if not matched:
        return []
    records = _scaling_records(matched, template)
    found = []
    targets = PolicyTargets(records.targets)
    alarms = alarms_by_action(records)
    for target in records.targets:
        policies = [
            with_alarm_metric(policy, alarms).policy
            for policy in records.policies
            if targets.target_of(policy) is target
        ]
        scaling = Scaling(
            min_capacity=target.min_capacity,
            max_capacity=target.max_capacity,
            dimension=target.dimension,
            policies=tuple(policies),
            linked_by=f"ResourceId of {target.logical_id}",
            span=target.span,
        )
        found.append((scaling, ResourceRef(SCALABLE_TARGET, target.logical_id, target.span)))
    return found


def _ecs_targets(template: TemplateContext) -> list[Resource]:
    found = []
    for resource in template.resources.values():
        if resource.type == SCALABLE_TARGET:
            properties, _ = properties_of(resource, template)
            if template.resolve(child(properties, "ServiceNamespace")) == ECS_NAMESPACE:
                found.append(resource)
    return found


def _mentions(target: Resource, words: list[str], template: TemplateContext) -> bool:
    """A cheap first look: does any text of the target's ResourceId contain one of the words?"""
    properties, _ = properties_of(target, template)
    resource_id = child(properties, "ResourceId")
    if resource_id is None:
        return False
    if any("${" in word for word in words):
        return True  # a partly unresolved name: only resolving can tell
    for node in iter_nodes(resource_id):
        value = getattr(node, "value", None)
        if isinstance(value, str) and any(word in value for word in words):
            return True
    return False


def _target_names(target: Resource, service: Resource, service_name: Sourced, cluster: Any, template: TemplateContext) -> bool:
    properties, _ = properties_of(target, template)
    resource = scalable_resource(split_text(template.resolve(child(properties, "ResourceId")), "/"))
    if resource is None or resource.kind != ECS_SERVICE:
        return False
    cluster_segment, service_segment = resource.names
    if not _names_service(service_segment, service, service_name):
        return False
    return cluster is None or _cluster_agrees(cluster_segment, cluster, template)


def _scaling_records(targets: list[Resource], template: TemplateContext) -> TemplateRecords:
    """Records of these targets, of the policies that may drive them and of the alarms of those policies."""
    table = readers()
    records = TemplateRecords()
    target_ids = {target.logical_id for target in targets}
    for target in targets:
        for item in table[SCALABLE_TARGET](target, template):
            records.add(item)
    policy_ids: set[str] = set()
    for resource in template.resources.values():
        if resource.type != SCALING_POLICY:
            continue
        properties, _ = properties_of(resource, template)
        target_node = child(properties, "ScalingTargetId")
        if target_node is not None and template.reference(target_node)[0] not in target_ids:
            continue
        for item in table[SCALING_POLICY](resource, template):
            records.add(item)
            policy_ids.add(resource.logical_id)
    for resource in template.resources.values():
        if resource.type == "AWS::CloudWatch::Alarm" and referenced_ids(resource.node, template) & policy_ids:
            for item in table[resource.type](resource, template):
                records.add(item)
    return records


def service_cluster(properties: MappingNode | None, template: TemplateContext) -> tuple[str | None, Any]:
    """(logical ID, value) of an ECS service's Cluster; the value is `default` when none is named."""
    node = child(properties, "Cluster")
    if node is None:
        return None, "default"
    return template.reference(node)


def ecs_target_status(target: ScalableTargetRecord, template: TemplateContext) -> tuple[str, str, str, str]:
    """(status, reason, deployment ID, unit name) of an ECS scalable target, as `ScalingTarget` reports it.

    For `hosting.py`, which reports every scalable target of a template:
    "linked" when an `AWS::ECS::Service` of the template matches
    `service/<cluster>/<service>` the way `ecs_scaling_for_service` does;
    "no-such-deployment" when none does but services of the template run in the
    cluster it names (a misspelt name); "not-in-run" otherwise (the service
    may be made elsewhere).
    """
    resource = scalable_resource(split_text(target.resource_id, "/"))
    if resource is None or resource.kind != ECS_SERVICE:
        return "unresolved", f"ResourceId {shown_reference(target.resource_id)} is not service/<cluster>/<service>", "", ""
    cluster_segment, service_segment = resource.names
    cluster_here = False  # whether a service of this template runs in the cluster the target names
    for candidate in template.resources.values():
        if candidate.type != "AWS::ECS::Service":
            continue
        properties, _ = properties_of(candidate, template)
        name = name_of(candidate, properties, template, "ServiceName")
        _, cluster = service_cluster(properties, template)
        in_cluster = _cluster_agrees(cluster_segment, cluster, template)
        cluster_here = cluster_here or in_cluster
        if _names_service(service_segment, candidate, name) and in_cluster:
            return "linked", f"ECS service {shown_reference(service_segment)}", template.deployment_id(candidate.logical_id), str(name.value)
    if isinstance(service_segment, str):
        if cluster_here:  # beside this template's services of that cluster, a name none of them has: a misspelling
            return "no-such-deployment", f"no ECS service named {service_segment!r} in cluster {cluster_segment!r} of this template", "", ""
        # Application Auto Scaling registers a service that exists already: one in a cluster this template runs
        # nothing in is made by another stack, Copilot or the console.
        return "not-in-run", f"no ECS service named {service_segment!r} in this template: it may be made elsewhere", "", ""
    return "unresolved", f"service name {shown_reference(service_segment)} matches no ECS service of this template", "", ""


def _names_service(segment: Any, service: Resource, name: Sourced) -> bool:
    if isinstance(segment, ResourceValue):
        return segment.logical_id == service.logical_id
    return name.known and name.provenance is Provenance.DECLARED and same_value(segment, name.value)


def _cluster_agrees(segment: Any, cluster: Any, template: TemplateContext) -> bool:
    if isinstance(segment, ResourceValue) and isinstance(cluster, ResourceValue):
        return segment.logical_id == cluster.logical_id
    if isinstance(cluster, ResourceValue) and cluster.logical_id in template.resources:
        properties, _ = properties_of(template.resources[cluster.logical_id], template)
        declared = template.resolve(child(properties, "ClusterName"))
        cluster = declared if isinstance(declared, str) else cluster
    if isinstance(segment, str) and isinstance(cluster, str):
        return segment == cluster or cluster.endswith("/" + segment)
    return True  # one side unknown: the service segment decides

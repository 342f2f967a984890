"""`AWS::ECS::Service` and `::TaskDefinition`: ECS tasks as service and job deployments (`plugins.adapters.aws.ecs`).

A service is a deployment of kind `service` on platform `ecs`, with one
unit: its task definition's containers as models (framework and image
accelerator inferred from the images, like every AWS adapter), the GPUs
the containers request as the accelerator, `DesiredCount` as the count
(1 when absent, ECS's default), and the capacity from the service's
`CapacityProviderStrategy`, else its `LaunchType`, else its cluster's
default strategy: FARGATE on-demand, FARGATE_SPOT spot, both mixed; a
cluster's own provider is as spot as its Auto Scaling group, if that is in
the template. Application Auto Scaling targets on `service/<cluster>/
<service>` are the unit's scaling.

A task definition no service of the template uses is a deployment of its
own: kind `job` when an EventBridge rule or schedule, a pipe, a state
machine or a function of the template runs it (its launch settings then
give the capacity and count), kind unknown otherwise.
"""

from __future__ import annotations

from typing import Any

from linter import UNKNOWN, Deployment, DeploymentKind, MappingNode, Node, Provenance, ResourceRef, Sourced, child, mappings, merge_profiles

from plugins.adapters.aws.ecs import EcsTask, desired_count, launch_type_capacity, read_task_definition, service_deployment, task_deployment
from plugins.adapters.cloudformation.capacity import strategy_capacity
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.ecs_scaling import ecs_scaling_for_service, service_cluster
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.resource_values import name_of, names_resource, network_of, properties_of
from plugins.adapters.cloudformation.runners import Runner, runners
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of

SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
ASSOCIATIONS = "AWS::ECS::ClusterCapacityProviderAssociations"
RESOURCE_TYPES = (SERVICE, TASK_DEFINITION)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    if resource.type == SERVICE:
        return [_service_deployment(resource, template), *problems]
    if id(resource) in _tasks_of_services(template):
        return problems  # read as part of the services that run it
    return [_task_deployment(_read_task(resource, template), template), *problems]


# --- task definitions ------------------------------------------------------------------


def _read_task(resource: Resource, template: TemplateContext) -> EcsTask:
    properties, missing = properties_of(resource, template)
    return read_task_definition(
        properties, TemplateRequestReader(template), link=ResourceRef(TASK_DEFINITION, resource.logical_id, resource.key_span),
        span=resource.key_span, name=name_of(resource, properties, template, "Family"), missing=missing,
    )


def _tasks_of_services(template: TemplateContext) -> frozenset[int]:
    """The id() of each task definition a service of the template runs (found once per reading, not once per task)."""

    def find() -> frozenset[int]:
        tasks = (_task_of_service(service, template) for service in _services(template))
        return frozenset(id(task) for task in tasks if task is not None)

    return template.remembered((__name__, "tasks of services"), find)


def _services(template: TemplateContext) -> list[Resource]:
    return [resource for resource in template.resources.values() if resource.type == SERVICE]


def _task_of_service(service: Resource, template: TemplateContext) -> Resource | None:
    properties, _ = properties_of(service, template)
    logical_id, value = template.reference(child(properties, "TaskDefinition"))
    if logical_id is not None:
        resource = template.resources.get(logical_id)
        return resource if resource is not None and resource.type == TASK_DEFINITION else None
    if value is None:
        return None
    for resource in template.resources.values():
        if resource.type == TASK_DEFINITION:
            task_properties, _ = properties_of(resource, template)
            family = template.read_text(child(task_properties, "Family"))
            if names_resource(value, resource, family, strip_revision=True):
                return resource
    return None


# --- services --------------------------------------------------------------------------


def _service_deployment(resource: Resource, template: TemplateContext) -> Deployment:
    properties, missing = properties_of(resource, template)
    name = name_of(resource, properties, template, "ServiceName")
    links = [ResourceRef(SERVICE, resource.logical_id, resource.key_span)]
    task_resource = _task_of_service(resource, template)
    task = _read_task(task_resource, template) if task_resource is not None else None
    profile, _ = profile_of(resource)
    stage = environment_of(resource, profile)
    if task_resource is not None:
        links.append(task.link)  # type: ignore[union-attr]
        task_profile, _ = profile_of(task_resource)
        profile = merge_profiles(task_profile, profile)
        if not stage.known:
            stage = environment_of(task_resource, task_profile)

    cluster_id, cluster_value = service_cluster(properties, template)
    if cluster_id in template.resources:
        cluster = template.resources[cluster_id]
        links.append(ResourceRef(cluster.type, cluster.logical_id, cluster.key_span))

    if properties is None:
        capacity, capacity_links, instance_type = Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, missing or "no Properties"), [], Sourced()
    else:
        capacity, capacity_links, instance_type = launch_capacity(properties, template, cluster_id, "CapacityProviderStrategy", "LaunchType")
    links.extend(link for link in capacity_links if link not in links)

    reader = TemplateRequestReader(template)
    count = desired_count(properties, reader, resource.key_span, missing)
    scaling = []
    for found, link in ecs_scaling_for_service(resource, name, cluster_value, template):
        scaling.append(found)
        links.append(link)
    attributes = []
    for key, attribute in (("LaunchType", "launch_type"), ("SchedulingStrategy", "scheduling_strategy")):
        value = template.read_str(child(properties, key))
        if value.known or value.note:
            attributes.append((attribute, value))
    kind_note = "AWS::ECS::Service keeps its tasks running"
    if task is None:
        kind_note += "; its task definition is not in this template"
    return service_deployment(
        id=template.deployment_id(resource.logical_id), span=resource.key_span, name=name, links=tuple(links), task=task,
        capacity=capacity, instance_type=instance_type, count=count, scaling=tuple(scaling), attributes=tuple(attributes),
        network=network_of(child(properties, "NetworkConfiguration", "AwsvpcConfiguration", "Subnets"), template),
        profile=profile, environment=stage, kind_note=kind_note, extensions=template.extensions,
    )


def launch_capacity(
    parameters: MappingNode, template: TemplateContext, cluster_id: str | None, strategy_key: str, launch_type_key: str
) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, links, instance type) of a service or a run-task's launch settings: the strategy, else the launch type, else the cluster's default strategy."""
    strategy = parameters.get(strategy_key)
    if strategy is not None and mappings(strategy):
        return strategy_capacity(strategy, template)
    launch_type_node = parameters.get(launch_type_key)
    if launch_type_node is not None:
        return launch_type_capacity(launch_type_node, TemplateRequestReader(template))
    default = _cluster_default_strategy(cluster_id, template)
    if default is not None:
        owner, node = default
        capacity, links, instance_type = strategy_capacity(node, template)
        capacity = capacity.replaced(note=f"default strategy of {owner.logical_id}: {capacity.note}")
        return capacity, [ResourceRef(owner.type, owner.logical_id, owner.key_span), *links], instance_type
    return (
        Sourced(UNKNOWN, parameters.span, Provenance.DECLARED, "no launch type or capacity provider strategy: the cluster's default decides (EC2 when it has none)"),
        [],
        Sourced(),
    )


def _cluster_default_strategy(cluster_id: str | None, template: TemplateContext) -> tuple[Resource, Node] | None:
    if not cluster_id or cluster_id not in template.resources:
        return None
    cluster = template.resources[cluster_id]
    properties, _ = properties_of(cluster, template)
    strategy = child(properties, "DefaultCapacityProviderStrategy")
    if strategy is not None and mappings(strategy):
        return cluster, strategy
    for resource in template.resources.values():
        if resource.type != ASSOCIATIONS:
            continue
        association, _ = properties_of(resource, template)
        logical_id, _ = template.reference(child(association, "Cluster"))
        strategy = child(association, "DefaultCapacityProviderStrategy")
        if logical_id == cluster_id and strategy is not None and mappings(strategy):
            return resource, strategy
    return None


# --- task definitions run on their own ---------------------------------------------------


def _task_deployment(task: EcsTask, template: TemplateContext) -> Deployment:
    resource = template.resources[task.link.name]
    profile, _ = profile_of(resource)
    links = [task.link]
    started_by = [runner for runner in runners(template) if resource.logical_id in runner.references]
    links.extend(runner.link for runner in started_by if runner.link not in links)
    network = None
    instance_type = Sourced()
    if started_by:
        first = started_by[0]
        kind = Sourced(DeploymentKind.JOB, first.span, Provenance.INFERRED, "run by " + ", ".join(runner.description for runner in started_by))
        capacity, count, network, capacity_links, instance_type = _run_settings(first, template)
        links.extend(link for link in capacity_links if link not in links)
    else:
        kind = Sourced(
            UNKNOWN, resource.key_span, Provenance.INFERRED,
            "a task definition no service, rule, schedule, state machine or function of this template runs",
        )
        capacity = Sourced(UNKNOWN, resource.key_span, Provenance.INFERRED, "the launch type or capacity provider is chosen where the task is run")
        count = Sourced()
    return task_deployment(
        id=template.deployment_id(resource.logical_id), task=task, kind=kind, capacity=capacity, count=count, instance_type=instance_type,
        network=network, links=tuple(links), profile=profile, environment=environment_of(resource, profile), extensions=template.extensions,
    )


def _run_settings(runner: Runner, template: TemplateContext):
    """(capacity, count, network, links, instance type) from a runner's ECS parameters."""
    parameters = _ecs_parameters(runner)
    if parameters is None:
        note = f"{runner.description} starts the task: its launch settings are in its definition or code"
        return Sourced(UNKNOWN, runner.span, Provenance.INFERRED, note), Sourced(UNKNOWN, runner.span, Provenance.INFERRED, note), None, [], Sourced()
    cluster_id, _ = template.reference(runner.target.get("Arn") if runner.target is not None else None)
    capacity, links, instance_type = launch_capacity(parameters, template, cluster_id, "CapacityProviderStrategy", "LaunchType")
    count_node = parameters.get("TaskCount")
    count = template.read_int(count_node) if count_node is not None else Sourced(1, parameters.span, Provenance.DEFAULT, "no TaskCount: one task per run")
    subnets = child(parameters, "NetworkConfiguration", "AwsVpcConfiguration", "Subnets") or child(
        parameters, "NetworkConfiguration", "AwsvpcConfiguration", "Subnets"
    )
    return capacity, count, network_of(subnets, template), links, instance_type


def _ecs_parameters(runner: Runner) -> MappingNode | None:
    target = runner.target
    if target is None:
        return None
    for path in (("EcsParameters",), ("TargetParameters", "EcsTaskParameters")):
        node: Any = child(target, *path)
        if isinstance(node, MappingNode):
            return node
    return None

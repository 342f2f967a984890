"""`AWS::ECS::Service` and `::TaskDefinition`: ECS tasks as service and job deployments.

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

from dataclasses import dataclass, replace
from typing import Any

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    Node,
    Provenance,
    ResourceRef,
    SequenceNode,
    Sourced,
    Unit,
    child,
    mappings,
    merge_profiles,
)

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.capacity import strategy_capacity
from plugins.adapters.cloudformation.ecs_scaling import ecs_scaling_for_service, service_cluster
from plugins.adapters.cloudformation.resource_values import name_of, names_resource, network_of, properties_of
from plugins.adapters.cloudformation.runners import Runner, runners
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.aws.inferred_facts import ml_evidence
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.inferred_facts import command_line, compute_for, model_for
from plugins.adapters.aws.written_values import text_of
from plugins.data import Extensions

SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
ASSOCIATIONS = "AWS::ECS::ClusterCapacityProviderAssociations"
RESOURCE_TYPES = (SERVICE, TASK_DEFINITION)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    if resource.type == SERVICE:
        return [_service_deployment(resource, template), *problems]
    if any(_task_of_service(service, template) is resource for service in _services(template)):
        return problems  # read as part of the services that run it
    return [_task_deployment(_read_task(resource, template), template), *problems]


# --- task definitions ------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    resource: Resource
    name: Sourced
    models: tuple[ModelSpec, ...]
    compute: Compute
    gpus: Sourced
    fargate_only: bool
    attributes: tuple[tuple[str, Sourced], ...]


def _command(container: MappingNode, template: TemplateContext) -> Sourced:
    """The container's `EntryPoint` then `Command`, as the words it runs."""
    nodes = [node for node in (container.get("EntryPoint"), container.get("Command")) if _literal_list(node)]
    words = [template.read_text(item) for node in nodes for item in node.items]
    return command_line(words, nodes[0].span if nodes else None, "EntryPoint and Command")


def _read_task(resource: Resource, template: TemplateContext) -> _Task:
    properties, missing = properties_of(resource, template)
    name = name_of(resource, properties, template, "Family")
    models = []
    total = 0
    gpus = Sourced()
    undecided = ""
    definitions = child(properties, "ContainerDefinitions")
    if definitions is not None and not _literal_list(definitions):
        undecided = "ContainerDefinitions are not a literal list"
    for container in mappings(definitions):
        container_name = template.read_text(container.get("Name"))
        environment = tuple(
            (text_of(template.resolve(item.get("Name"))), template.read_str(item.get("Value")))
            for item in mappings(container.get("Environment"))
            if item.get("Name") is not None
        )
        models.append(model_for(template.read_text(container.get("Image")), container_name, Sourced(), environment, _command(container, template), template.extensions))
        requirements = container.get("ResourceRequirements")
        if requirements is not None and not _literal_list(requirements):
            undecided = undecided or f"ResourceRequirements of container {container_name.value} are not a literal list"
        for requirement in mappings(requirements):
            if text_of(template.resolve(requirement.get("Type"))).upper() != "GPU":
                continue
            count = template.read_int(requirement.get("Value"))
            if not count.known:
                undecided = undecided or f"GPU count of container {container_name.value}: {count.note or 'not a number'}"
                continue
            total += count.value
            gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "ResourceRequirements GPU")
    compatibilities = _compatibilities(child(properties, "RequiresCompatibilities"), template)
    fargate_only = compatibilities.known and set(compatibilities.value) == {"FARGATE"}
    if gpus.known and gpus.value > 0:
        compute = Compute(
            accelerator=Sourced("gpu", gpus.span, Provenance.DECLARED, "containers request GPUs (ResourceRequirements GPU)"),
            accelerator_count=gpus,
        )
    elif properties is None:
        compute = Compute(accelerator=Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, missing or "no Properties"))
    elif undecided:
        compute = Compute(accelerator=Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, undecided))
    elif fargate_only:
        compute = Compute(accelerator=Sourced("none", compatibilities.span, Provenance.INFERRED, "Fargate offers no GPUs"))
    else:
        compute = Compute(
            accelerator=Sourced("none", resource.key_span, Provenance.INFERRED, "no container requests a GPU: ECS gives a task only the GPUs it requests")
        )
    if fargate_only:
        compute = replace(compute, instance_type=Sourced(UNKNOWN, compatibilities.span, Provenance.INFERRED, "Fargate: no instance type"))
    attributes: list[tuple[str, Sourced]] = []
    if compatibilities.known or compatibilities.note:
        attributes.append(("requires_compatibilities", compatibilities))
    for key, attribute in (("Cpu", "task_cpu"), ("Memory", "task_memory"), ("NetworkMode", "network_mode")):
        value = template.read_str(child(properties, key))
        if value.known or value.note:
            attributes.append((attribute, value))
    if gpus.known:
        attributes.append(("task_gpus", gpus))
    return _Task(resource, name, tuple(models), compute, gpus, fargate_only, tuple(attributes))


def _literal_list(node: Node) -> bool:
    return isinstance(node, SequenceNode) and not node.tag.startswith("!")


def _compatibilities(node: Node | None, template: TemplateContext) -> Sourced:
    if node is None:
        return Sourced()
    value = template.resolve(node)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return Sourced(tuple(item.upper() for item in value), node.span)
    return template.read_str(node)


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
    if task is not None:
        links.append(ResourceRef(TASK_DEFINITION, task.resource.logical_id, task.resource.key_span))
        task_profile, _ = profile_of(task.resource)
        profile = merge_profiles(task_profile, profile)
        if not stage.known:
            stage = environment_of(task.resource, task_profile)

    cluster_id, cluster_value = service_cluster(properties, template)
    if cluster_id in template.resources:
        cluster = template.resources[cluster_id]
        links.append(ResourceRef(cluster.type, cluster.logical_id, cluster.key_span))

    capacity, capacity_links, instance_type = _service_capacity(resource, properties, template, cluster_id, missing)
    links.extend(link for link in capacity_links if link not in links)
    compute = _compute(task, instance_type, template.extensions)

    count = _desired_count(resource, properties, template, missing)
    scaling = []
    for found, link in ecs_scaling_for_service(resource, name, cluster_value, template):
        scaling.append(found)
        links.append(link)
    unit = Unit(
        name=name,
        compute=compute,
        count=count,
        capacity=capacity,
        scaling=tuple(scaling),
        model_names=_model_names(task),
        span=resource.key_span,
    )
    attributes = list(task.attributes) if task is not None else []
    for key, attribute in (("LaunchType", "launch_type"), ("SchedulingStrategy", "scheduling_strategy")):
        value = template.read_str(child(properties, key))
        if value.known or value.note:
            attributes.append((attribute, value))
    kind_note = "AWS::ECS::Service keeps its tasks running"
    if task is None:
        kind_note += "; its task definition is not in this template"
    return Deployment(
        id=template.deployment_id(resource.logical_id),
        platform="ecs",
        kind=Sourced(DeploymentKind.SERVICE, resource.key_span, Provenance.DECLARED, kind_note),
        span=resource.key_span,
        name=name,
        environment=stage,
        profile=profile,
        models=task.models if task is not None else (),
        units=(unit,),
        network=network_of(child(properties, "NetworkConfiguration", "AwsvpcConfiguration", "Subnets"), template),
        links=tuple(links),
        attributes=tuple(attributes),
        ml_evidence=ml_evidence(task.models if task is not None else (), (unit,), profile, resource.key_span),
    )


def _compute(task: _Task | None, instance_type: Sourced, extensions: Extensions) -> Compute:
    """The task's compute; the instances' facts when the capacity says which instance type."""
    if task is None:
        return Compute(instance_type=instance_type)
    if not instance_type.known:
        if instance_type.note and not task.compute.instance_type.note:
            return replace(task.compute, instance_type=instance_type)
        return task.compute
    compute = compute_for(instance_type, extensions)
    if not compute.accelerator.known:
        compute = replace(compute, accelerator=task.compute.accelerator, accelerator_count=task.compute.accelerator_count)
    return compute


def _model_names(task: _Task | None) -> tuple[str, ...]:
    if task is None:
        return ()
    return tuple(str(model.name.value) for model in task.models if model.name.known)


def _desired_count(resource: Resource, properties, template: TemplateContext, missing: str) -> Sourced:
    node = child(properties, "DesiredCount")
    if node is not None:
        return template.read_int(node)
    if properties is None:
        return Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, missing or "no Properties")
    strategy = template.resolve(child(properties, "SchedulingStrategy"))
    if isinstance(strategy, str) and strategy.upper() == "DAEMON":
        return Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, "DAEMON scheduling: one task per container instance")
    return Sourced(1, resource.key_span, Provenance.DEFAULT, "no DesiredCount: ECS starts a new service with 1 task")


def _service_capacity(
    resource: Resource, properties, template: TemplateContext, cluster_id: str | None, missing: str
) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """Capacity from the strategy, else the launch type, else the cluster's default strategy."""
    if properties is None:
        return Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, missing or "no Properties"), [], Sourced()
    return launch_capacity(properties, template, cluster_id, "CapacityProviderStrategy", "LaunchType")


def launch_capacity(
    parameters: MappingNode, template: TemplateContext, cluster_id: str | None, strategy_key: str, launch_type_key: str
) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, links, instance type) of a service or a run-task's launch settings."""
    strategy = parameters.get(strategy_key)
    if strategy is not None and mappings(strategy):
        return strategy_capacity(strategy, template)
    launch_type_node = parameters.get(launch_type_key)
    if launch_type_node is not None:
        launch_type = template.resolve(launch_type_node)
        if isinstance(launch_type, str) and launch_type.upper() == "FARGATE":
            return (
                Sourced(Capacity.ON_DEMAND, launch_type_node.span, Provenance.DECLARED, "LaunchType FARGATE"),
                [],
                Sourced(UNKNOWN, launch_type_node.span, Provenance.INFERRED, "Fargate: no instance type"),
            )
        if isinstance(launch_type, str):
            return (
                Sourced(UNKNOWN, launch_type_node.span, Provenance.DECLARED, f"LaunchType {launch_type}: the tasks run on the cluster's own instances"),
                [],
                Sourced(),
            )
        return template.sourced(launch_type_node, lambda value: None), [], Sourced()
    default = _cluster_default_strategy(cluster_id, template)
    if default is not None:
        owner, node = default
        capacity, links, instance_type = strategy_capacity(node, template)
        capacity = replace(capacity, note=f"default strategy of {owner.logical_id}: {capacity.note}")
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


def _task_deployment(task: _Task, template: TemplateContext) -> Deployment:
    resource = task.resource
    profile, _ = profile_of(resource)
    links = [ResourceRef(TASK_DEFINITION, resource.logical_id, resource.key_span)]
    started_by = [runner for runner in runners(template) if resource.logical_id in runner.references]
    links.extend(runner.link for runner in started_by if runner.link not in links)
    compute = task.compute
    network = None
    if started_by:
        first = started_by[0]
        kind = Sourced(DeploymentKind.JOB, first.span, Provenance.INFERRED, "run by " + ", ".join(runner.description for runner in started_by))
        capacity, count, network, capacity_links, instance_type = _run_settings(first, task, template)
        links.extend(link for link in capacity_links if link not in links)
        compute = _compute(task, instance_type, template.extensions)
    else:
        kind = Sourced(
            UNKNOWN, resource.key_span, Provenance.INFERRED,
            "a task definition no service, rule, schedule, state machine or function of this template runs",
        )
        capacity = Sourced(UNKNOWN, resource.key_span, Provenance.INFERRED, "the launch type or capacity provider is chosen where the task is run")
        count = Sourced()
    unit = Unit(
        name=task.name,
        compute=compute,
        count=count,
        capacity=capacity,
        model_names=_model_names(task),
        span=resource.key_span,
    )
    return Deployment(
        id=template.deployment_id(resource.logical_id),
        platform="ecs",
        kind=kind,
        span=resource.key_span,
        name=task.name,
        environment=environment_of(resource, profile),
        profile=profile,
        models=task.models,
        units=(unit,),
        network=network,
        links=tuple(links),
        attributes=task.attributes,
        ml_evidence=ml_evidence(task.models, (unit,), profile, resource.key_span),
    )


def _run_settings(runner: Runner, task: _Task, template: TemplateContext):
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

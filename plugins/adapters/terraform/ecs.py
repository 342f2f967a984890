"""ECS task definitions and services of one Terraform module, read through the shared ECS reader (`plugins.adapters.aws.ecs`).

`aws_ecs_task_definition` is read as RegisterTaskDefinition: its
`container_definitions` (`jsonencode([...])` or a JSON string) as the
containers, their GPU `resourceRequirements` as the accelerator.
`aws_ecs_service` is read as CreateService and linked to the task
definition its `task_definition` references (or names by family); its
capacity comes from its `capacity_provider_strategy` blocks (FARGATE
on-demand, FARGATE_SPOT spot), else its `launch_type`, else the
`default_capacity_provider_strategy` of the `aws_ecs_cluster_capacity_providers`
of the cluster it references. An `aws_ecs_capacity_provider` of the module
(referenced, or named by its known name) is as on-demand or Spot as its
Auto Scaling group, whose instance type the tasks run on
(`auto_scaling.py`), as is one an ecs registry module call creates
(`ecs_modules.py`); any other capacity provider (another module's output)
is unknown. `aws_appautoscaling_target`s of namespace `ecs` are linked to
the services by `hosting.py`, with the SageMaker ones.

Services of the terraform-aws-modules ecs module (its `services`, and its
service submodule) are read from their well-known inputs
(`ecs_modules.py`).

A task definition no service of the module runs is a deployment of its
own: a job when an `aws_cloudwatch_event_target` (`ecs_target`) or an
`aws_scheduler_schedule` (`target.ecs_parameters`) of the module runs it,
launched as the first of them says (strategy, launch type, `task_count`);
kind and capacity unknown otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from linter import UNKNOWN, Deployment, DeploymentKind, MappingNode, Network, Node, Provenance, ResourceRef, SequenceNode, Sourced, mappings, merge_profiles

from plugins import data
from plugins.adapters.aws.ecs import (
    EcsTask,
    ProviderCapacity,
    desired_count,
    launch_type_capacity,
    read_task_definition,
    service_deployment,
    strategy_capacity,
    task_deployment,
)
from plugins.adapters.aws.sagemaker_requests import request_profile
from plugins.adapters.terraform.auto_scaling import CAPACITY_PROVIDER, provider_capacity, provider_named
from plugins.adapters.terraform.ecs_modules import registry_provider, registry_services
from plugins.adapters.terraform.module import TerraformModule
from plugins.adapters.terraform.requests import READER, SHAPES, ValueNode, is_reference, referenced_address, request_node
from plugins.adapters.terraform.values import instances

__all__ = ["ECS_TYPES", "EcsService", "module_ecs"]

SERVICE = "aws_ecs_service"
TASK_DEFINITION = "aws_ecs_task_definition"
CLUSTER = "aws_ecs_cluster"
CLUSTER_PROVIDERS = "aws_ecs_cluster_capacity_providers"
EVENT_TARGET = "aws_cloudwatch_event_target"
SCHEDULE = "aws_scheduler_schedule"
RUNNER_TYPES = frozenset({EVENT_TARGET, SCHEDULE})
ECS_TYPES = frozenset({SERVICE, TASK_DEFINITION})
ORIGIN = "Terraform resource"


@dataclass(frozen=True)
class EcsService:
    """A service's deployment, with what a scaling target's `service/<cluster>/<service>` is matched against."""

    deployment: Deployment
    address: str
    name: Sourced
    path: str


@dataclass(frozen=True)
class _TaskRead:
    task: EcsTask
    profile: object
    stage: Sourced
    path: str
    family: Sourced


def module_ecs(terraform: TerraformModule, extensions: data.Extensions = data.SHIPPED) -> tuple[list[EcsService], dict[str, list]]:
    """The module's ECS services, and the items (task definitions no service runs, problems) by anchor path.

    `extensions` is the run's `[data]` section, for the facts inferred from images and instance types.
    """
    module = terraform.module
    reader = READER.with_extensions(extensions)
    tasks: dict[str, _TaskRead] = {}
    items: dict[str, list] = {}
    for resource in terraform.resources:
        if resource.type != TASK_DEFINITION:
            continue
        for address, scope in instances(module, resource):
            request = request_node(module, resource.body, scope, SHAPES[TASK_DEFINITION])
            span = resource.body.span
            family = READER.read_text(request, "Family")
            name = family if family.known or family.options else Sourced(address, span, Provenance.INFERRED, "address (no family known)")
            task = read_task_definition(request, reader, link=ResourceRef(TASK_DEFINITION, address, span), span=span, name=name)
            profile, stage, problems = request_profile(request, READER, f"{ORIGIN} {address}")
            tasks[address] = _TaskRead(task, profile, stage, resource.path, family)
            items.setdefault(resource.path, []).extend(problems)
    services: list[EcsService] = []
    used: set[str] = set()
    for resource in terraform.resources:
        if resource.type != SERVICE:
            continue
        for address, scope in instances(module, resource):
            request = request_node(module, resource.body, scope, SHAPES[SERVICE])
            service, task_address, problems = _service(request, address, resource, terraform, tasks, extensions)
            if task_address is not None:
                used.add(task_address)
            services.append(service)
            items.setdefault(resource.path, []).extend(problems)
    for deployment, path, problems in registry_services(terraform, extensions):
        services.append(EcsService(deployment, deployment.id.split("#", 1)[1], deployment.name, path))
        items.setdefault(path, []).extend(problems)
    runs = _runs(terraform, tasks)
    for address, read in tasks.items():
        if address in used:
            continue
        span = read.task.span
        if address in runs:
            items.setdefault(read.path, []).append(_run_deployment(address, read, runs[address], terraform, extensions))
            continue
        deployment = task_deployment(
            id=f"{read.path}#{address}", task=read.task,
            kind=Sourced(UNKNOWN, span, Provenance.INFERRED, "a task definition no service of this module runs (where it is run otherwise is not read)"),
            capacity=Sourced(UNKNOWN, span, Provenance.INFERRED, "the launch type or capacity provider is chosen where the task is run"),
            count=Sourced(), instance_type=Sourced(), network=None, links=(read.task.link,), profile=read.profile, environment=read.stage,
            extensions=extensions,
        )
        items.setdefault(read.path, []).append(deployment)
    return services, items


@dataclass(frozen=True)
class _Run:
    """Something of the module that runs a task definition: an EventBridge target or a schedule, with its ECS parameters."""

    link: ResourceRef
    description: str
    parameters: MappingNode
    cluster: str | None


def _runs(terraform: TerraformModule, tasks: dict[str, _TaskRead]) -> dict[str, list[_Run]]:
    """The runs of each task definition: `aws_cloudwatch_event_target`'s `ecs_target`, `aws_scheduler_schedule`'s `target.ecs_parameters`."""
    runs: dict[str, list[_Run]] = {}
    for resource in terraform.resources:
        if resource.type not in RUNNER_TYPES:
            continue
        for address, scope in instances(terraform.module, resource):
            request = request_node(terraform.module, resource.body, scope, SHAPES[resource.type])
            if resource.type == EVENT_TARGET:
                parameters, cluster_node = READER.node(request, "EcsTarget"), READER.node(request, "Arn")
                rule = READER.read_text(request, "Rule")
                description = f"{address}" + (f" (rule {rule.value})" if rule.known else "")
            else:
                parameters, cluster_node = READER.node(request, "Target", "EcsParameters"), READER.node(request, "Target", "Arn")
                expression = READER.read_str(request, "ScheduleExpression")
                description = f"{address}" + (f" ({expression.value})" if expression.known else "")
            if not isinstance(parameters, MappingNode):
                continue
            task_address = _task_named(READER.node(parameters, "TaskDefinitionArn"), tasks)
            if task_address is not None:
                link = ResourceRef(resource.type, address, resource.body.span)
                runs.setdefault(task_address, []).append(_Run(link, description, parameters, _cluster(cluster_node, terraform)))
    return runs


def _run_deployment(address: str, read: _TaskRead, runs: list[_Run], terraform: TerraformModule, extensions: data.Extensions) -> Deployment:
    """A task definition an EventBridge target or a schedule runs: a job, launched as the first of them says."""
    first = runs[0]
    capacity, capacity_links, instance_type = _capacity(first.parameters, terraform, first.cluster)
    count_node = READER.node(first.parameters, "TaskCount")
    count = READER.read_int(count_node) if count_node is not None else Sourced(1, first.parameters.span, Provenance.DEFAULT, "no task_count: one task per run")
    links = [read.task.link, *(run.link for run in runs)]
    links.extend(link for link in capacity_links if link not in links)
    return task_deployment(
        id=f"{read.path}#{address}", task=read.task,
        kind=Sourced(DeploymentKind.JOB, first.link.span, Provenance.INFERRED, "run by " + ", ".join(run.description for run in runs)),
        capacity=capacity, count=count, instance_type=instance_type,
        network=_network(READER.node(first.parameters, "NetworkConfiguration", "Subnets")),
        links=tuple(links), profile=read.profile, environment=read.stage, extensions=extensions,
    )


def _service(request: MappingNode, address: str, resource, terraform: TerraformModule, tasks: dict[str, _TaskRead], extensions: data.Extensions):
    span = resource.body.span
    written = READER.read_text(request, "ServiceName")
    name = written if written.known or written.options else Sourced(address, span, Provenance.INFERRED, "address (no name known)")
    profile, stage, problems = request_profile(request, READER, f"{ORIGIN} {address}")
    links = [ResourceRef(SERVICE, address, span)]
    task_address = _task_named(READER.node(request, "TaskDefinition"), tasks)
    read = tasks.get(task_address) if task_address is not None else None
    if read is not None:
        links.append(read.task.link)
        profile = merge_profiles(read.profile, profile)
        if not stage.known:
            stage = read.stage
    cluster = _cluster(READER.node(request, "Cluster"), terraform)
    if cluster is not None:
        links.append(ResourceRef(CLUSTER, cluster, span))
    capacity, capacity_links, instance_type = _capacity(request, terraform, cluster)
    links.extend(link for link in capacity_links if link not in links)
    attributes = []
    for key, attribute in (("LaunchType", "launch_type"), ("SchedulingStrategy", "scheduling_strategy")):
        value = READER.read_str(request, key)
        if value.known or value.note:
            attributes.append((attribute, value))
    kind_note = "aws_ecs_service keeps its tasks running" + ("" if read is not None else "; its task definition is not in this module")
    deployment = service_deployment(
        id=f"{resource.path}#{address}", span=span, name=name, links=tuple(links), task=read.task if read is not None else None,
        capacity=capacity, instance_type=instance_type, count=desired_count(request, READER, span), scaling=(),
        attributes=tuple(attributes), network=_network(READER.node(request, "NetworkConfiguration", "Subnets")),
        profile=profile, environment=stage, kind_note=kind_note, extensions=extensions,
    )
    return EcsService(deployment, address, written, resource.path), task_address, problems


def _task_named(node: Node | None, tasks: dict[str, _TaskRead]) -> str | None:
    """The task definition a service's `task_definition` names: by reference, or by its known family (`family`, `family:3`, an ARN)."""
    if is_reference(node):
        return referenced_address(node, tasks)
    text = READER.read_str(node)
    if not text.known:
        return None
    family = str(text.value).rsplit("/", 1)[-1].split(":", 1)[0]
    matches = [address for address, read in tasks.items() if read.family.known and read.family.provenance is Provenance.DECLARED and read.family.value == family]
    return matches[0] if len(matches) == 1 else None


def _referenced(node: Node | None, terraform: TerraformModule, resource_type: str) -> str | None:
    """The address of the resource of `resource_type` an argument references (`aws_ecs_cluster.main.id`), if in the module."""
    if is_reference(node) and node.unknown.ref.startswith(resource_type + "."):
        if any(resource.address == node.unknown.ref for resource in terraform.resources):
            return node.unknown.ref
    return None


def _cluster(node: Node | None, terraform: TerraformModule) -> str | None:
    """The `aws_ecs_cluster` of the module an argument references, or names by its known name (or ARN)."""
    address = _referenced(node, terraform, CLUSTER)
    if address is not None or node is None:
        return address
    written = READER.read_str(node)
    if not written.known:
        return None
    wanted = str(written.value).rsplit("/", 1)[-1]
    for resource in terraform.resources:
        if resource.type == CLUSTER and terraform.module.is_created(resource) is not False:
            name = terraform.module.evaluate(resource.body.get("name"), terraform.module.instance_scope(resource)).value
            if name == wanted:
                return resource.address
    return None


def _capacity(request: MappingNode, terraform: TerraformModule, cluster: str | None) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """Capacity from the strategy, else the launch type, else the cluster's default strategy."""
    strategy = READER.node(request, "CapacityProviderStrategy")
    if strategy is not None and mappings(strategy):
        return strategy_capacity(strategy, READER, lambda item, provider: _provider(item, provider, terraform))
    launch_type = READER.node(request, "LaunchType")
    if launch_type is not None:
        return launch_type_capacity(launch_type, READER)
    default = _cluster_default_strategy(cluster, terraform)
    if default is not None:
        owner, node = default
        capacity, links, instance_type = strategy_capacity(node, READER, lambda item, provider: _provider(item, provider, terraform))
        capacity = replace(capacity, note=f"default strategy of {owner.address}: {capacity.note}")
        return capacity, [ResourceRef(owner.type, owner.address, owner.body.span), *links], instance_type
    return (
        Sourced(UNKNOWN, request.span, Provenance.DECLARED, "no launch type or capacity provider strategy: the cluster's default decides (EC2 when it has none)"),
        [],
        Sourced(),
    )


def _provider(item: MappingNode, provider: Node | None, terraform: TerraformModule) -> ProviderCapacity:
    """A capacity provider that is not Fargate's: the module's `aws_ecs_capacity_provider` (referenced, or named by its
    known name) as its Auto Scaling group launches (`auto_scaling.py`); unknown otherwise."""
    written = READER.read_text(provider)
    label = str(written.value) if written.known else "a capacity provider"
    if is_reference(provider) and provider.unknown.ref.startswith(CAPACITY_PROVIDER + "."):
        resource = next((entry for entry in terraform.resources if entry.address == provider.unknown.ref), None)
        if resource is not None:
            return provider_capacity(item, resource, provider.unknown.index, terraform)
    if isinstance(provider, ValueNode) and provider.unknown is not None:
        registry = registry_provider(item, provider, terraform)
        if registry is not None:
            return registry
        label = provider.unknown.text or label
        return ProviderCapacity(label, Sourced(UNKNOWN, item.span, Provenance.DECLARED, provider.unknown.note))
    resource = provider_named(label, terraform) if written.known else None
    if resource is not None:
        return provider_capacity(item, resource, None, terraform)
    return ProviderCapacity(label, Sourced(UNKNOWN, item.span, Provenance.DECLARED, f"capacity provider {label} is not in this module: its Auto Scaling group is not read"))


def _cluster_default_strategy(cluster: str | None, terraform: TerraformModule):
    """(resource, strategy) of the `aws_ecs_cluster_capacity_providers` of the cluster, when it has a default strategy."""
    if cluster is None:
        return None
    for resource in terraform.resources:
        if resource.type != CLUSTER_PROVIDERS or terraform.module.is_created(resource) is False:
            continue
        request = request_node(terraform.module, resource.body, terraform.module.instance_scope(resource), SHAPES[CLUSTER_PROVIDERS])
        if _cluster(READER.node(request, "ClusterName"), terraform) != cluster:
            continue
        strategy = READER.node(request, "DefaultCapacityProviderStrategy")
        if strategy is not None and mappings(strategy):
            return resource, strategy
    return None


def _network(node: Node | None) -> Network | None:
    if node is None:
        return None
    if isinstance(node, SequenceNode):
        return Network(subnets=tuple(READER.read_str(item) for item in node.items), span=node.span)
    return Network(subnets=(Sourced(UNKNOWN, node.span, Provenance.DECLARED, READER.read_str(node).note or "a list not known"),), span=node.span)

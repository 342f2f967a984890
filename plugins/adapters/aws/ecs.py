"""ECS task definitions and services as deployments, whatever format declared them.

An adapter reads a task definition (RegisterTaskDefinition's shape:
`ContainerDefinitions`, `RequiresCompatibilities`, `Cpu`, `Memory`,
`NetworkMode`) with `read_task_definition`, a service's or a run's launch
settings (CreateService's `CapacityProviderStrategy`, `LaunchType`,
`DesiredCount`, `SchedulingStrategy`) with `strategy_capacity`,
`launch_type_capacity` and `desired_count`, and builds the deployments with
`service_deployment` and `task_deployment`:

A service is a deployment of kind `service` on platform `ecs`, with one
unit: its task definition's containers as models (framework and image
accelerator inferred from the images, like every AWS adapter), the GPUs
the containers request as the accelerator, `DesiredCount` as the count
(1 when absent, ECS's default), and the capacity from the strategy
(FARGATE on-demand, FARGATE_SPOT spot, both mixed; a provider of the
configuration is as spot as the adapter finds its Auto Scaling group),
else the launch type. A task definition run on its own is a deployment
whose kind and launch settings its adapter finds where it is run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    Network,
    Node,
    Provenance,
    ResourceRef,
    Scaling,
    SequenceNode,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
    mappings,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import command_line, compute_for, ml_evidence, model_for

__all__ = [
    "PLATFORM",
    "ECS_PROVIDER_CONTEXT",
    "EcsTask",
    "ProviderCapacity",
    "read_task_definition",
    "strategy_capacity",
    "launch_type_capacity",
    "desired_count",
    "task_compute",
    "service_deployment",
    "task_deployment",
]

PLATFORM = "ecs"
# The data tables' context for ECS capacity provider names: the reserved
# Fargate providers; any other name is a cluster's own (Auto Scaling group) one.
ECS_PROVIDER_CONTEXT = "ecs-capacity-provider"


# --- task definitions ------------------------------------------------------------------


@dataclass(frozen=True)
class EcsTask:
    """A task definition as read: its containers as models, the GPUs they request, and facts for the deployment."""

    link: ResourceRef
    span: Span
    name: Sourced
    models: tuple[ModelSpec, ...]
    compute: Compute
    gpus: Sourced
    fargate_only: bool
    attributes: tuple[tuple[str, Sourced], ...]


def _node(reader, node: Node | None, *path: str) -> Node | None:
    found = reader.find(node, *path)
    return found.node if found is not None and found.dynamic is None else None


def _literal_list(node: Node | None) -> bool:
    return isinstance(node, SequenceNode) and not node.tag.startswith("!")


def _text(reader, node: Node | None) -> str:
    value = reader.read_text(node)
    return str(value.value) if value.known else ""


def _command(container: MappingNode, reader) -> Sourced:
    """The container's `EntryPoint` then `Command`, as the words it runs."""
    nodes = [node for node in (_node(reader, container, "EntryPoint"), _node(reader, container, "Command")) if _literal_list(node)]
    words = [reader.read_text(item) for node in nodes for item in node.items]
    return command_line(words, nodes[0].span if nodes else None, "EntryPoint and Command")


def read_task_definition(request: Node | None, reader, *, link: ResourceRef, span: Span, name: Sourced, missing: str = "") -> EcsTask:
    """A RegisterTaskDefinition-shaped request (None when it cannot be read, `missing` saying why) as an `EcsTask`."""
    models = []
    total = 0
    gpus = Sourced()
    undecided = ""
    definitions = _node(reader, request, "ContainerDefinitions")
    if definitions is not None and not _literal_list(definitions):
        undecided = "ContainerDefinitions are not a literal list"
    for container in mappings(definitions):
        container_name = reader.read_text(_node(reader, container, "Name"))
        environment = tuple(
            (_text(reader, _node(reader, item, "Name")), reader.read_str(_node(reader, item, "Value")))
            for item in mappings(_node(reader, container, "Environment"))
            if _node(reader, item, "Name") is not None
        )
        models.append(
            model_for(
                reader.read_text(_node(reader, container, "Image")), container_name, Sourced(), environment, _command(container, reader),
                extensions=reader.extensions,
            )
        )
        requirements = _node(reader, container, "ResourceRequirements")
        if requirements is not None and not _literal_list(requirements):
            undecided = undecided or f"ResourceRequirements of container {container_name.value} are not a literal list"
        for requirement in mappings(requirements):
            if _text(reader, _node(reader, requirement, "Type")).upper() != "GPU":
                continue
            count = reader.read_int(_node(reader, requirement, "Value"))
            if not count.known:
                undecided = undecided or f"GPU count of container {container_name.value}: {count.note or 'not a number'}"
                continue
            total += count.value
            gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "ResourceRequirements GPU")
    compatibilities = _compatibilities(_node(reader, request, "RequiresCompatibilities"), reader)
    fargate_only = compatibilities.known and set(compatibilities.value) == {"FARGATE"}
    if gpus.known and gpus.value > 0:
        compute = Compute(
            accelerator=Sourced("gpu", gpus.span, Provenance.DECLARED, "containers request GPUs (ResourceRequirements GPU)"),
            accelerator_count=gpus,
        )
    elif request is None:
        compute = Compute(accelerator=Sourced(UNKNOWN, span, Provenance.DECLARED, missing or "no Properties"))
    elif undecided:
        compute = Compute(accelerator=Sourced(UNKNOWN, span, Provenance.DECLARED, undecided))
    elif fargate_only:
        compute = Compute(accelerator=Sourced("none", compatibilities.span, Provenance.INFERRED, "Fargate offers no GPUs"))
    else:
        compute = Compute(
            accelerator=Sourced("none", span, Provenance.INFERRED, "no container requests a GPU: ECS gives a task only the GPUs it requests")
        )
    if fargate_only:
        compute = compute.replaced(instance_type=Sourced(UNKNOWN, compatibilities.span, Provenance.INFERRED, "Fargate: no instance type"))
    attributes: list[tuple[str, Sourced]] = []
    if compatibilities.known or compatibilities.note:
        attributes.append(("requires_compatibilities", compatibilities))
    for key, attribute in (("Cpu", "task_cpu"), ("Memory", "task_memory"), ("NetworkMode", "network_mode")):
        value = reader.read_str(_node(reader, request, key))
        if value.known or value.note:
            attributes.append((attribute, value))
    if gpus.known:
        attributes.append(("task_gpus", gpus))
    return EcsTask(link, span, name, tuple(models), compute, gpus, fargate_only, tuple(attributes))


def _compatibilities(node: Node | None, reader) -> Sourced:
    if node is None:
        return Sourced()
    if _literal_list(node):
        words = [reader.read_str(item) for item in node.items]
        if all(word.known for word in words):
            return Sourced(tuple(str(word.value).upper() for word in words), node.span)
    return reader.read_str(node)


# --- launch settings ---------------------------------------------------------------------


def distribution_defaults(span: Span) -> tuple[Sourced[int], Sourced[int]]:
    """(OnDemandPercentageAboveBaseCapacity, OnDemandBaseCapacity) as EC2 Auto Scaling takes them when an instances
    distribution leaves them out (the data tables' defaults), located at the distribution's `span`."""
    percentage = data.limit("kubernetes", "ec2_on_demand_percentage_above_base").default
    base = data.limit("kubernetes", "ec2_on_demand_base_capacity").default
    return Sourced(int(percentage), span, Provenance.DEFAULT), Sourced(int(base), span, Provenance.DEFAULT)


def distribution_capacity(on_demand_percentage: int, on_demand_base: int) -> Capacity:
    """An Auto Scaling group's purchase option from its instances distribution.

    On-demand when every instance above the base is on-demand, Spot when
    none is and there is no on-demand base, mixed otherwise.
    """
    if on_demand_percentage >= 100:
        return Capacity.ON_DEMAND
    if on_demand_percentage <= 0 and on_demand_base <= 0:
        return Capacity.SPOT
    return Capacity.MIXED


@dataclass(frozen=True)
class ProviderCapacity:
    """What an adapter found of a capacity provider that is not Fargate's: its label, capacity, links and instance type."""

    label: str
    capacity: Sourced
    links: tuple[ResourceRef, ...] = ()
    instance_type: Sourced | None = None  # None: the provider's instances were not found
    inferred: bool = False  # the capacity was inferred from the provider's Auto Scaling group


def strategy_capacity(
    node: Node | None, reader, provider_capacity: Callable[[MappingNode, Node | None], ProviderCapacity]
) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, provider links, instance type) of an ECS capacity provider strategy.

    A provider takes tasks when its `Weight` or `Base` is above 0 (Weight
    defaults to 0). FARGATE is on-demand, FARGATE_SPOT spot; any other
    provider is what `provider_capacity(item, provider node)` finds.
    Providers of both kinds make the capacity mixed; any provider that
    cannot be told makes it unknown unless the others already mix.
    """
    items = mappings(node)
    if not items:
        return Sourced(UNKNOWN, node.span if node is not None else None, Provenance.DECLARED, "capacity provider strategy not known"), [], Sourced()
    used = [item for item in items if _takes_tasks(item, reader, items)]
    capacities: list[tuple[str, Sourced]] = []
    links: list[ResourceRef] = []
    instance_types: list[Sourced] = []
    inferred = False
    for item in used:
        provider_node = _node(reader, item, "CapacityProvider")
        provider = reader.read_str(provider_node)
        fargate = data.capacity_from_setting(ECS_PROVIDER_CONTEXT, provider.value) if provider.known else None
        if fargate is not None:
            capacities.append((provider.value, Sourced(Capacity(fargate), provider_node.span)))  # type: ignore[union-attr]
            instance_types.append(Sourced(UNKNOWN, provider_node.span, Provenance.INFERRED, "Fargate: no instance type"))  # type: ignore[union-attr]
            continue
        found = provider_capacity(item, provider_node)
        links.extend(found.links)
        inferred = inferred or found.inferred
        capacities.append((found.label, found.capacity))
        if found.instance_type is not None:
            instance_types.append(found.instance_type)
    described = ", ".join(
        f"{name} {capacity.value.value if capacity.known else 'unknown'}"
        + (f" ({capacity.note})" if capacity.known and capacity.provenance is Provenance.INFERRED and capacity.note else "")
        for name, capacity in capacities
    )
    known = {capacity.value for _, capacity in capacities if capacity.known}
    unknown = [capacity for _, capacity in capacities if not capacity.known]
    provenance = Provenance.INFERRED if inferred else Provenance.DECLARED
    span = node.span  # type: ignore[union-attr]
    instance_type = Sourced()
    if len(instance_types) == len(capacities) and instance_types:
        fargate_only = all(not item.known and item.note.startswith("Fargate") for item in instance_types)
        if fargate_only or len(instance_types) == 1:
            instance_type = instance_types[0]
    if Capacity.MIXED in known or {Capacity.ON_DEMAND, Capacity.SPOT} <= known:
        return Sourced(Capacity.MIXED, span, provenance, f"capacity provider strategy: {described}"), links, instance_type
    if unknown:
        reasons = "; ".join(capacity.note for capacity in unknown if capacity.note)
        return Sourced(UNKNOWN, span, Provenance.DECLARED, f"capacity provider strategy: {described}" + (f" ({reasons})" if reasons else "")), links, instance_type
    if len(known) == 1:
        return Sourced(next(iter(known)), span, provenance, f"capacity provider strategy: {described}"), links, instance_type
    return Sourced(UNKNOWN, span, Provenance.DECLARED, "no capacity provider of the strategy takes tasks"), links, instance_type


def _takes_tasks(item: MappingNode, reader, items: list[MappingNode]) -> bool:
    if len(items) == 1:
        return True
    weight_node, base_node = _node(reader, item, "Weight"), _node(reader, item, "Base")
    weight, base = reader.read_int(weight_node), reader.read_int(base_node)
    if weight_node is not None and not weight.known:
        return True
    if base_node is not None and not base.known:
        return True
    return (weight.get(0) or 0) > 0 or (base.get(0) or 0) > 0


def launch_type_capacity(node: Node, reader) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, links, instance type) of a `LaunchType`: FARGATE on-demand; EC2 or EXTERNAL the cluster's own instances (unknown)."""
    launch_type = reader.read_str(node)
    if launch_type.known and str(launch_type.value).upper() == "FARGATE":
        return (
            Sourced(Capacity.ON_DEMAND, node.span, Provenance.DECLARED, "LaunchType FARGATE"),
            [],
            Sourced(UNKNOWN, node.span, Provenance.INFERRED, "Fargate: no instance type"),
        )
    if launch_type.known:
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"LaunchType {launch_type.value}: the tasks run on the cluster's own instances"), [], Sourced()
    return reader.value(node, convert=lambda value: None), [], Sourced()


def desired_count(request: Node | None, reader, span: Span, missing: str = "") -> Sourced:
    """`DesiredCount`; unknown for DAEMON scheduling; ECS's 1 when absent."""
    node = _node(reader, request, "DesiredCount")
    if node is not None:
        return reader.read_int(node)
    if request is None:
        return Sourced(UNKNOWN, span, Provenance.DECLARED, missing or "no Properties")
    strategy = reader.read_str(_node(reader, request, "SchedulingStrategy"))
    if strategy.known and str(strategy.value).upper() == "DAEMON":
        return Sourced(UNKNOWN, span, Provenance.DECLARED, "DAEMON scheduling: one task per container instance")
    return Sourced(1, span, Provenance.DEFAULT, "no DesiredCount: ECS starts a new service with 1 task")


# --- deployments -------------------------------------------------------------------------


def task_compute(task: EcsTask | None, instance_type: Sourced, extensions: data.Extensions = data.SHIPPED) -> Compute:
    """The task's compute; the instances' facts when the capacity says which instance type (`extensions`: the run's `[data]`)."""
    if task is None:
        return Compute(instance_type=instance_type)
    if not instance_type.known:
        if instance_type.note and not task.compute.instance_type.note:
            return task.compute.replaced(instance_type=instance_type)
        return task.compute
    compute = compute_for(instance_type, extensions)
    if not compute.accelerator.known:
        compute = compute.replaced(accelerator=task.compute.accelerator, accelerator_count=task.compute.accelerator_count)
    return compute


def _model_names(task: EcsTask | None) -> tuple[str, ...]:
    if task is None:
        return ()
    return tuple(str(model.name.value) for model in task.models if model.name.known)


def service_deployment(
    *, id: str, span: Span, name: Sourced, links: tuple[ResourceRef, ...], task: EcsTask | None, capacity: Sourced, instance_type: Sourced,
    count: Sourced, scaling: tuple[Scaling, ...], attributes: tuple[tuple[str, Sourced], ...], network: Network | None,
    profile: WorkloadProfile, environment: Sourced, kind_note: str, extensions: data.Extensions = data.SHIPPED,
) -> Deployment:
    """A service's deployment (see the module docstring); `attributes` are the service's own, after the task's."""
    unit = Unit(
        name=name, compute=task_compute(task, instance_type, extensions), count=count, capacity=capacity, scaling=scaling,
        model_names=_model_names(task), span=span,
    )
    models = task.models if task is not None else ()
    return Deployment(
        id=id,
        platform=PLATFORM,
        kind=Sourced(DeploymentKind.SERVICE, span, Provenance.DECLARED, kind_note),
        span=span,
        name=name,
        environment=environment,
        profile=profile,
        models=models,
        units=(unit,),
        network=network,
        links=links,
        attributes=(*(task.attributes if task is not None else ()), *attributes),
        ml_evidence=ml_evidence(models, (unit,), profile, span),
    )


def task_deployment(
    *, id: str, task: EcsTask, kind: Sourced, capacity: Sourced, count: Sourced, instance_type: Sourced, network: Network | None,
    links: tuple[ResourceRef, ...], profile: WorkloadProfile, environment: Sourced, extensions: data.Extensions = data.SHIPPED,
) -> Deployment:
    """A task definition run on its own (or by nothing the configuration shows: kind unknown) as a deployment."""
    unit = Unit(name=task.name, compute=task_compute(task, instance_type, extensions), count=count, capacity=capacity, model_names=_model_names(task), span=task.span)
    return Deployment(
        id=id,
        platform=PLATFORM,
        kind=kind,
        span=task.span,
        name=task.name,
        environment=environment,
        profile=profile,
        models=task.models,
        units=(unit,),
        network=network,
        links=links,
        attributes=task.attributes,
        ml_evidence=ml_evidence(task.models, (unit,), profile, task.span),
    )

"""AWS Batch compute environments, job queues and job definitions as job deployments, whatever format declared them.

An adapter reads each resource into a record (`BatchEnvironment`,
`BatchQueue`, `BatchJobDefinition`: the job definition through a
`RequestReader` over RegisterJobDefinition's shape, `read_job_definition`)
and says who submits which definition to which queue; `BatchResources`
turns them into deployments:

Each compute environment is a deployment of kind `job` on platform
`batch`: one unit whose compute is the first of `ComputeResources.
InstanceTypes` (all kept in the `instance_types` attribute), whose capacity
is `ComputeResources.Type` (EC2/FARGATE on-demand, SPOT/FARGATE_SPOT spot;
case-insensitive), with the vCPU bounds, allocation strategy and subnets.

Job queues order environments: a queue whose environments mix spot and
on-demand makes the work of each of them `mixed` (the environment's own
purchase option stays in the `compute_type` attribute). Job definitions
linked to a queue (something submits them to it) give the deployment its
models, and a GPU they request stands for the accelerator when the
instance types do not say. A job definition linked to no queue appears in
the links of every Batch deployment; when there is one job queue, such
definitions are taken as that queue's work for two facts (not for the
models): the ML evidence and whether all of it is multi-node parallel. A
queue none of whose environments is known is a deployment of its own,
anchored at the queue.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
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
    SequenceNode,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
    merge_profiles,
)

from plugins.adapters.aws.inferred_facts import command_line, ml_evidence, model_for
from plugins.adapters.aws.instance_compute import compute_of_types, instance_types_attribute, listed_instance_types
from plugins.adapters.aws.written_values import text_of

__all__ = [
    "ENVIRONMENT",
    "QUEUE",
    "JOB_DEFINITION",
    "CAPACITY_CONTEXT",
    "FARGATE_TYPES",
    "MULTI_NODE",
    "BatchEnvironment",
    "BatchQueue",
    "BatchJobDefinition",
    "BatchResources",
    "environment_record",
    "read_job_definition",
]

ENVIRONMENT = "AWS::Batch::ComputeEnvironment"
QUEUE = "AWS::Batch::JobQueue"
JOB_DEFINITION = "AWS::Batch::JobDefinition"

# ComputeResources.Type is read through the data tables (case-insensitive, as
# the API's enum is).
CAPACITY_CONTEXT = "batch-compute-environment"
FARGATE_TYPES = ("FARGATE", "FARGATE_SPOT")

JOB_KIND_NOTE = "AWS Batch runs jobs to completion"

# RegisterJobDefinition's type of a multi-node parallel job (case-insensitive).
MULTI_NODE_TYPE = "multinode"
MULTI_NODE = "multi_node_parallel"  # the attribute SP001 reads


@dataclass(frozen=True)
class BatchEnvironment:
    """A compute environment: `id` is how queues and messages name it (a logical ID, a Terraform address)."""

    id: str
    link: ResourceRef
    span: Span
    name: Sourced
    unit: Unit
    compute_type: Sourced
    network: Network | None
    attributes: tuple[tuple[str, Sourced], ...]
    profile: WorkloadProfile
    stage: Sourced
    launch_template: ResourceRef | None = None


@dataclass(frozen=True)
class BatchQueue:
    id: str
    link: ResourceRef
    span: Span
    name: Sourced
    environment_ids: tuple[str, ...]  # the environments (among the records) it orders
    external: tuple[Sourced, ...]  # environments it orders that are not among the records
    order_span: Span
    profile: WorkloadProfile
    stage: Sourced


@dataclass(frozen=True)
class BatchJobDefinition:
    id: str
    link: ResourceRef
    name: Sourced
    models: tuple[ModelSpec, ...]
    gpus: Sourced
    multi_node: Sourced  # True (with where it is said) for a multi-node parallel job definition


def environment_record(
    *, id: str, link: ResourceRef, span: Span, name: Sourced, profile: WorkloadProfile, stage: Sourced,
    managed: Sourced, resources: MappingNode | None, missing_reason: str,
    compute_type: Sourced, capacity: Sourced, type_span: Span | None, instance_types: list[Sourced], types_node: Node | None,
    reader, network: Network | None, launch_template: ResourceRef | None = None,
) -> BatchEnvironment:
    """A compute environment from what its adapter read: `Type`, and `ComputeResources` (None when absent or unknown,
    `missing_reason` saying why); the vCPU bounds and allocation strategy are read through `reader`."""
    attributes: list[tuple[str, Sourced]] = []
    if managed.known:
        attributes.append(("environment_type", managed))
    if resources is None:
        reason = missing_reason
        if managed.known and str(managed.value).upper() == "UNMANAGED":
            reason = "UNMANAGED compute environment: its instances are managed outside AWS Batch"
        unit = Unit(name=name, capacity=Sourced(UNKNOWN, span, Provenance.DECLARED, reason), span=span)
        return BatchEnvironment(id, link, span, name, unit, Sourced(), None, tuple(attributes), profile, stage)
    fargate = compute_type.known and str(compute_type.value).upper() in FARGATE_TYPES
    if fargate:
        compute = Compute(
            instance_type=Sourced(UNKNOWN, type_span, Provenance.INFERRED, "Fargate: no instance type"),
            accelerator=Sourced("none", type_span, Provenance.INFERRED, "AWS Batch on Fargate runs no GPU jobs"),
        )
        launch_template = None
    else:
        compute = compute_of_types(instance_types, resources, reader.extensions)
    if compute_type.known or compute_type.note or compute_type.raw is not None:
        attributes.append(("compute_type", compute_type))
    if instance_types:
        attributes.append(("instance_types", instance_types_attribute(instance_types, types_node)))
    value = reader.read_str(resources, "AllocationStrategy")
    if value.known or value.note:
        attributes.append(("allocation_strategy", value))
    for key, attribute in (("MinvCpus", "min_vcpus"), ("MaxvCpus", "max_vcpus"), ("DesiredvCpus", "desired_vcpus")):
        value = reader.read_int(resources, key)
        if value.known or value.note or value.raw is not None:
            attributes.append((attribute, value))
    unit = Unit(
        name=name,
        compute=compute,
        count=Sourced(UNKNOWN, resources.span, Provenance.INFERRED, "AWS Batch sizes a compute environment in vCPUs (min_vcpus..max_vcpus), not instances"),
        capacity=capacity,
        span=resources.span,
        instance_types=Sourced() if fargate else listed_instance_types(instance_types, types_node, whole_types_only=True),
    )
    return BatchEnvironment(id, link, span, name, unit, compute_type, network, tuple(attributes), profile, stage, launch_template)


def read_job_definition(properties: Node | None, reader, *, id: str, link: ResourceRef, name: Sourced) -> BatchJobDefinition:
    """A job definition from its RegisterJobDefinition-shaped properties: its containers' images as models, the GPUs
    they request, whether it is multi-node parallel."""
    containers = []
    single = reader.node(properties, "ContainerProperties")
    if isinstance(single, MappingNode):
        containers.append(single)
    for node_range in reader.mappings(properties, "NodeProperties", "NodeRangeProperties"):
        container = reader.node(node_range, "Container")
        if isinstance(container, MappingNode):
            containers.append(container)
    for task in reader.mappings(properties, "EcsProperties", "TaskProperties"):
        containers.extend(reader.mappings(task, "Containers"))
    containers.extend(reader.mappings(properties, "EksProperties", "PodProperties", "Containers"))
    models = []
    gpus = Sourced()
    total = 0
    for container in containers:
        variables = reader.mappings(container, "Environment") or reader.mappings(container, "Env")
        environment = tuple(
            (text_of(reader.read_str(item, "Name").get(None)) if reader.read_str(item, "Name").known else text_of(reader.resolve(reader.node(item, "Name"))),
             reader.read_str(item, "Value"))
            for item in variables
            if reader.node(item, "Name") is not None
        )
        container_name = reader.read_text(container, "Name") if reader.node(container, "Name") is not None else name
        command = reader.node(container, "Command")
        words = [reader.read_text(item) for item in command.items] if isinstance(command, SequenceNode) else []
        models.append(model_for(
            reader.read_text(container, "Image"), container_name, Sourced(), environment,
            command_line(words, command.span if words else None, "Command"), reader.extensions,
        ))
        for requirement in reader.mappings(container, "ResourceRequirements"):
            kind = reader.read_str(requirement, "Type")
            if kind.known and str(kind.value).upper() == "GPU":
                count = reader.read_int(requirement, "Value")
                if count.known:
                    total += count.value
                    gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "ResourceRequirements GPU")
        limits = reader.node(container, "Resources", "Limits")
        if isinstance(limits, MappingNode) and limits.get("nvidia.com/gpu") is not None:
            count = reader.read_int(limits.get("nvidia.com/gpu"))
            if count.known:
                total += count.value
                gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "Resources.Limits nvidia.com/gpu")
    return BatchJobDefinition(id, link, name, tuple(models), gpus, _multi_node(properties, reader))


def _multi_node(properties: Node | None, reader) -> Sourced:
    """True for a multi-node parallel job definition (`Type: multinode`, or `NodeProperties`)."""
    kind = reader.read_str(properties, "Type")
    if kind.known:
        multi = str(kind.value).strip().lower() == MULTI_NODE_TYPE
        return Sourced(multi, kind.span, Provenance.DECLARED, f"Type {kind.value}")
    node_properties = reader.node(properties, "NodeProperties")
    if node_properties is not None and reader.find(properties, "Type") is None:
        return Sourced(True, node_properties.span, Provenance.INFERRED, "NodeProperties: a multi-node parallel job")
    return kind


@dataclass(frozen=True)
class BatchResources:
    """The Batch records of one template or module, and who submits which job definition to which queue."""

    environments: dict  # id -> BatchEnvironment
    queues: dict  # id -> BatchQueue
    job_definitions: dict  # id -> BatchJobDefinition
    deployment_id: Callable[[str], str]
    submitters: dict = field(default_factory=dict)  # (queue id, job definition id) -> the submitter's ResourceRef
    runner_links: dict = field(default_factory=dict)  # queue id -> [ResourceRef] of what submits to it
    where: str = "the template"  # how messages name the place ("the template", "the module")

    # The indexes below are made on first use, once per template or module: each environment and queue of
    # it asks, and a pass over every definition, queue or environment for each made a crowd of them quadratic.

    @functools.cached_property
    def _definitions_by_queue(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for queue_id, definition_id in self.submitters:
            found.setdefault(queue_id, set()).add(definition_id)
        return found

    @functools.cached_property
    def _definition_order(self) -> dict[str, int]:
        return {definition_id: position for position, definition_id in enumerate(self.job_definitions)}

    @functools.cached_property
    def _spot_by_types(self) -> dict[frozenset, "BatchEnvironment"]:
        """The first Spot environment of each set of instance types."""
        found: dict[frozenset, BatchEnvironment] = {}
        for environment in self.environments.values():
            theirs = environment.unit
            if theirs.capacity.known and theirs.capacity.value is Capacity.SPOT and theirs.instance_types.known:
                found.setdefault(frozenset(theirs.instance_types.value), environment)
        return found

    @functools.cached_property
    def _queues_ordering(self) -> dict[str, list[BatchQueue]]:
        found: dict[str, list[BatchQueue]] = {}
        for queue in self.queues.values():
            for environment_id in dict.fromkeys(queue.environment_ids):
                found.setdefault(environment_id, []).append(queue)
        return found

    def linked_definitions(self, queue_ids: list[str]) -> list[BatchJobDefinition]:
        """The job definitions something submits to one of `queue_ids`, in the definitions' order."""
        wanted = {definition_id for queue_id in queue_ids for definition_id in self._definitions_by_queue.get(queue_id, ())}
        order = self._definition_order
        return [self.job_definitions[definition_id] for definition_id in sorted(wanted & order.keys(), key=order.__getitem__)]

    def unlinked_definitions(self) -> list[BatchJobDefinition]:
        linked = {definition_id for _, definition_id in self.submitters}
        return [definition for definition_id, definition in self.job_definitions.items() if definition_id not in linked]

    def work_of(self, queue_ids: list[str]) -> tuple[list[BatchJobDefinition], str]:
        """The job definitions submitted to these queues, and how that is known.

        Those something submits to them; else, when there is one job queue
        and it is among them, the definitions nothing links to a queue
        (they can only be meant for it).
        """
        linked = self.linked_definitions(queue_ids)
        if linked:
            return linked, "submitted to its job queue"
        if len(self.queues) == 1 and next(iter(self.queues)) in queue_ids:
            return self.unlinked_definitions(), f"of {self.where}'s only job queue"
        return [], ""

    def ordering_queues(self, environment_id: str) -> list[BatchQueue]:
        """The job queues that order `environment_id`, in the queues' order."""
        return list(self._queues_ordering.get(environment_id, ()))

    # --- deployments ---------------------------------------------------------------

    def environment_deployment(self, environment_id: str) -> Deployment:
        environment = self.environments[environment_id]
        queues = self.ordering_queues(environment_id)
        unit = environment.unit
        mixed = self._mixed_capacity(environment, queues)
        if mixed is not None:
            unit = unit.replaced(capacity=mixed)
        links = [environment.link]
        if environment.launch_template is not None:
            links.append(environment.launch_template)
        links += [queue.link for queue in queues]
        profile, stage = environment.profile, environment.stage
        for queue in queues:
            profile = merge_profiles(profile, queue.profile)
            if not stage.known:
                stage = queue.stage
        return self._deployment(
            environment.id, environment.span, environment.name, unit, [queue.id for queue in queues],
            links, profile, stage, environment.network, environment.attributes,
        )

    def queue_deployment(self, queue: BatchQueue) -> Deployment:
        outside = ", ".join(str(value.value) if value.known else value.note for value in queue.external) or "none"
        unit = Unit(
            name=queue.name,
            capacity=Sourced(UNKNOWN, queue.order_span, Provenance.DECLARED, f"the queue's compute environments are not in this {self.where.removeprefix('the ')} ({outside})"),
            span=queue.span,
        )
        return self._deployment(queue.id, queue.span, queue.name, unit, [queue.id], [queue.link], queue.profile, queue.stage, None, ())

    def deployments(self) -> list[Deployment]:
        """One deployment per environment, and one per queue none of whose environments is among the records."""
        found = [self.environment_deployment(environment_id) for environment_id in self.environments]
        for queue in self.queues.values():
            if not any(environment_id in self.environments for environment_id in queue.environment_ids):
                found.append(self.queue_deployment(queue))
        return found

    def _deployment(
        self, anchor_id: str, anchor_span: Span, name: Sourced, unit: Unit, queue_ids: list[str], links: list,
        profile: WorkloadProfile, stage: Sourced, network: Network | None, attributes: tuple,
    ) -> Deployment:
        models: list[ModelSpec] = []
        model_names: list[str] = []
        job_gpus: Sourced = Sourced()
        for definition in self.linked_definitions(queue_ids):
            links.append(definition.link)
            models.extend(definition.models)
            model_names.append(str(definition.name.value))
            if definition.gpus.known and definition.gpus.value > job_gpus.get(0):
                job_gpus = definition.gpus.replaced(note=f"job definition {definition.id}: ResourceRequirements GPU")
        if job_gpus.get(0) > 0 and not unit.compute.accelerator.known:
            unit = unit.replaced(compute=unit.compute.replaced(
                accelerator=Sourced("gpu", job_gpus.span, Provenance.INFERRED, f"{job_gpus.note} {job_gpus.value}"),
            ))
        if job_gpus.known:
            attributes = (*attributes, ("job_gpus", job_gpus))
        for queue_id in queue_ids:
            for runner in self.runner_links.get(queue_id, []):
                if runner not in links:
                    links.append(runner)
        for definition in self.unlinked_definitions():
            links.append(definition.link)
        if model_names:
            unit = unit.replaced(model_names=tuple(model_names))
        work, how = self.work_of(queue_ids)
        evidence_models = [model for definition in work for model in definition.models]  # the linked ones' are `models`
        evidence = ml_evidence(evidence_models, (unit,), profile, anchor_span)
        if work and all(definition.multi_node.known and definition.multi_node.value for definition in work):
            first = work[0].multi_node
            names = ", ".join(definition.id for definition in work)
            note = f"every job definition {how} is multi-node parallel ({names})"
            attributes = (*attributes, (MULTI_NODE, first.replaced(provenance=Provenance.INFERRED, note=note)))
        return Deployment(
            id=self.deployment_id(anchor_id),
            platform="batch",
            kind=Sourced(DeploymentKind.JOB, anchor_span, Provenance.DECLARED, JOB_KIND_NOTE),
            span=anchor_span,
            name=name,
            environment=stage,
            profile=profile,
            models=tuple(models),
            units=(unit,),
            network=network,
            links=tuple(links),
            attributes=attributes,
            ml_evidence=evidence,
        )

    def _mixed_capacity(self, environment: BatchEnvironment, queues: list[BatchQueue]) -> Sourced | None:
        """MIXED when a queue ordering this environment also orders one of the other purchase option."""
        own = environment.unit.capacity
        for queue in queues:
            members = [self.environments[member] for member in queue.environment_ids]
            kinds = {member.unit.capacity.value for member in members if member.unit.capacity.known}
            if Capacity.SPOT in kinds and Capacity.ON_DEMAND in kinds:
                described = ", ".join(f"{member.id} {member.unit.capacity.value.value}" for member in members if member.unit.capacity.known)
                note = f"job queue {queue.id} orders {described}: its jobs run on spot and on-demand capacity"
                if own.known:
                    note += f" (this environment: {own.value.value})"
                return Sourced(Capacity.MIXED, queue.order_span, Provenance.INFERRED, note)
        return self._spot_twin(environment)

    def _spot_twin(self, environment: BatchEnvironment) -> Sourced | None:
        """MIXED when this on-demand environment has a Spot twin beside it: the same instance types, on Spot.

        A template or module that declares both (one queue for each, say)
        offers the choice to whoever submits the jobs; the on-demand one is
        then deliberate, not a missed Spot option.
        """
        own = environment.unit
        if not (own.capacity.known and own.capacity.value is Capacity.ON_DEMAND and own.instance_types.known):
            return None
        other = self._spot_by_types.get(frozenset(own.instance_types.value))  # never this one: it is on demand
        if other is not None:
            types = ", ".join(own.instance_types.value)
            note = f"{self.where} also declares Spot environment {other.id} with the same instance types ({types}): jobs may be sent to either"
            return Sourced(Capacity.MIXED, own.capacity.span, Provenance.INFERRED, note)
        return None

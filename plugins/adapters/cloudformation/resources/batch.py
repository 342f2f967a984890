"""`AWS::Batch::ComputeEnvironment` and `::JobQueue`: batch capacity as job deployments.

Each compute environment is a deployment of kind `job` on platform
`batch`: one unit whose compute is the first of `ComputeResources.
InstanceTypes` (all kept in the `instance_types` attribute), whose capacity
is `ComputeResources.Type` (EC2/FARGATE on-demand, SPOT/FARGATE_SPOT spot;
case-insensitive), with the vCPU bounds, allocation strategy and subnets.

Job queues order environments: a queue whose environments mix spot and
on-demand makes the work of each of them `mixed` (the environment's own
purchase option stays in the `compute_type` attribute). Job definitions
are linked to a queue when something in the template submits them to it
(an EventBridge rule or schedule target, a state machine or a function
naming both); their images become the deployment's models and a GPU they
request stands for the accelerator when the instance types do not say.
A job definition linked to no queue appears in the links of every Batch
deployment of the template; when the template has one job queue, such
definitions are taken as that queue's work for two facts (not for the
models): the ML evidence and whether all of it is multi-node parallel. A
queue none of whose environments is in the template is a deployment of
its own, anchored at the queue.

Every Batch deployment carries `ml_evidence` (`facts.ml_evidence`: a
workload profile, an image known as a model server or ML framework, a GPU
from the instance types or the jobs' requests), since a compute
environment can run anything, and `multi_node_parallel` when every job
definition submitted to it is a multi-node parallel one (`Type: multinode`
or `NodeProperties`). An EC2 environment whose launch template (in the
template) targets a capacity reservation or a Capacity Block is reserved
(`capacity.launch_template_reservation`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    Network,
    Provenance,
    ResourceRef,
    SequenceNode,
    Sourced,
    Unit,
    WorkloadProfile,
    child,
    mappings,
    merge_profiles,
)

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.capacity import launch_template_of, launch_template_reservation
from plugins.adapters.cloudformation.instance_compute import compute_of_types, instance_types_attribute, listed_instance_types
from plugins.adapters.cloudformation.resource_values import capacity_of, name_of, names_resource, network_of, properties_of, string_list
from plugins.adapters.cloudformation.runners import Runner, runners
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.inferred_facts import command_line, ml_evidence, model_for
from plugins.adapters.aws.written_values import text_of

ENVIRONMENT = "AWS::Batch::ComputeEnvironment"
QUEUE = "AWS::Batch::JobQueue"
JOB_DEFINITION = "AWS::Batch::JobDefinition"
RESOURCE_TYPES = (ENVIRONMENT, QUEUE)

# ComputeResources.Type is read through the data tables (case-insensitive, as
# the schema's enum is).
CAPACITY_CONTEXT = "batch-compute-environment"
FARGATE_TYPES = ("FARGATE", "FARGATE_SPOT")

JOB_KIND_NOTE = "AWS Batch runs jobs to completion"

# AWS::Batch::JobDefinition.Type of a multi-node parallel job (case-insensitive).
MULTI_NODE_TYPE = "multinode"
MULTI_NODE = "multi_node_parallel"  # the attribute SP001 reads


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    batch = _BatchTemplate.of(template)
    if resource.type == ENVIRONMENT:
        return [batch.environment_deployment(resource.logical_id, template), *problems]
    queue = batch.queues[resource.logical_id]
    if any(environment_id in batch.environments for environment_id in queue.environment_ids):
        return problems  # read as part of its environments' deployments
    return [batch.queue_deployment(queue, template), *problems]


# --- what each resource says ---------------------------------------------------------


@dataclass(frozen=True)
class _Environment:
    resource: Resource
    name: Sourced
    unit: Unit
    compute_type: Sourced
    network: Network | None
    attributes: tuple[tuple[str, Sourced], ...]
    launch_template: Resource | None = None


@dataclass(frozen=True)
class _Queue:
    resource: Resource
    name: Sourced
    environment_ids: tuple[str, ...]  # logical IDs of the template's environments it orders
    external: tuple[Sourced, ...]  # environments it orders that are not in the template
    order_span: object


@dataclass(frozen=True)
class _JobDefinition:
    resource: Resource
    name: Sourced
    models: tuple[ModelSpec, ...]
    gpus: Sourced
    multi_node: Sourced  # True (with where it is said) for a multi-node parallel job definition


@dataclass(frozen=True)
class _BatchTemplate:
    """The Batch resources of one template, and who submits which job definition to which queue."""

    environments: dict
    queues: dict
    job_definitions: dict
    submitters: dict  # (queue ID, job definition ID) -> Runner
    runner_links: dict  # queue ID -> [Runner]

    @classmethod
    def of(cls, template: TemplateContext) -> "_BatchTemplate":
        environments, queues, job_definitions = {}, {}, {}
        for resource in template.resources.values():
            if resource.type == ENVIRONMENT:
                environments[resource.logical_id] = _read_environment(resource, template)
            elif resource.type == JOB_DEFINITION:
                job_definitions[resource.logical_id] = _read_job_definition(resource, template)
        for resource in template.resources.values():
            if resource.type == QUEUE:
                queues[resource.logical_id] = _read_queue(resource, template, environments)
        submitters: dict = {}
        runner_links: dict = {}
        for runner in runners(template):
            named_queues = [queue_id for queue_id in queues if queue_id in runner.references]
            named_definitions = [definition for definition in job_definitions if definition in runner.references]
            for queue_id in named_queues:
                for definition in named_definitions:
                    submitters.setdefault((queue_id, definition), runner)
                    runner_links.setdefault(queue_id, [])
                    if runner not in runner_links[queue_id]:
                        runner_links[queue_id].append(runner)
        return cls(environments, queues, job_definitions, submitters, runner_links)

    def linked_definitions(self, queue_ids: list[str]) -> list[tuple[_JobDefinition, Runner]]:
        found = []
        for definition_id, definition in self.job_definitions.items():
            for queue_id in queue_ids:
                runner = self.submitters.get((queue_id, definition_id))
                if runner is not None:
                    found.append((definition, runner))
                    break
        return found

    def unlinked_definitions(self) -> list[_JobDefinition]:
        linked = {definition_id for _, definition_id in self.submitters}
        return [definition for definition_id, definition in self.job_definitions.items() if definition_id not in linked]

    def work_of(self, queue_ids: list[str]) -> tuple[list[_JobDefinition], str]:
        """The job definitions submitted to these queues, and how that is known.

        Those something in the template submits to them; else, when the
        template has one job queue and it is among them, the definitions
        nothing links to a queue (they can only be meant for it).
        """
        linked = [definition for definition, _ in self.linked_definitions(queue_ids)]
        if linked:
            return linked, "submitted to its job queue"
        if len(self.queues) == 1 and next(iter(self.queues)) in queue_ids:
            return self.unlinked_definitions(), "of the template's only job queue"
        return [], ""

    # --- deployments ---------------------------------------------------------------

    def environment_deployment(self, logical_id: str, template: TemplateContext) -> Deployment:
        environment = self.environments[logical_id]
        queues = [queue for queue in self.queues.values() if logical_id in queue.environment_ids]
        unit = environment.unit
        mixed = self._mixed_capacity(environment, queues)
        if mixed is not None:
            unit = replace(unit, capacity=mixed)
        links = [ResourceRef(ENVIRONMENT, logical_id, environment.resource.key_span)]
        if environment.launch_template is not None:
            launch_template = environment.launch_template
            links.append(ResourceRef(launch_template.type, launch_template.logical_id, launch_template.key_span))
        links += [ResourceRef(QUEUE, queue.resource.logical_id, queue.resource.key_span) for queue in queues]
        profile, _ = profile_of(environment.resource)
        stage = environment_of(environment.resource, profile)
        for queue in queues:
            queue_profile, _ = profile_of(queue.resource)
            profile = merge_profiles(profile, queue_profile)
            if not stage.known:
                stage = environment_of(queue.resource, queue_profile)
        return self._deployment(
            template, environment.resource, environment.name, unit, [queue.resource.logical_id for queue in queues],
            links, profile, stage, environment.network, environment.attributes,
        )

    def queue_deployment(self, queue: _Queue, template: TemplateContext) -> Deployment:
        outside = ", ".join(str(value.value) if value.known else value.note for value in queue.external) or "none"
        unit = Unit(
            name=queue.name,
            capacity=Sourced(UNKNOWN, queue.order_span, Provenance.DECLARED, f"the queue's compute environments are not in this template ({outside})"),
            span=queue.resource.key_span,
        )
        profile, _ = profile_of(queue.resource)
        links = [ResourceRef(QUEUE, queue.resource.logical_id, queue.resource.key_span)]
        return self._deployment(
            template, queue.resource, queue.name, unit, [queue.resource.logical_id], links, profile,
            environment_of(queue.resource, profile), None, (),
        )

    def _deployment(
        self, template, anchor: Resource, name: Sourced, unit: Unit, queue_ids: list[str], links: list,
        profile: WorkloadProfile, stage: Sourced, network: Network | None, attributes: tuple,
    ) -> Deployment:
        models: list[ModelSpec] = []
        model_names: list[str] = []
        job_gpus: Sourced = Sourced()
        for definition, runner in self.linked_definitions(queue_ids):
            links.append(ResourceRef(JOB_DEFINITION, definition.resource.logical_id, definition.resource.key_span))
            models.extend(definition.models)
            model_names.append(str(definition.name.value))
            if definition.gpus.known and definition.gpus.value > job_gpus.get(0):
                job_gpus = replace(definition.gpus, note=f"job definition {definition.resource.logical_id}: ResourceRequirements GPU")
        if job_gpus.get(0) > 0 and not unit.compute.accelerator.known:
            unit = replace(unit, compute=replace(
                unit.compute,
                accelerator=Sourced("gpu", job_gpus.span, Provenance.INFERRED, f"{job_gpus.note} {job_gpus.value}"),
            ))
        if job_gpus.known:
            attributes = (*attributes, ("job_gpus", job_gpus))
        for queue_id in queue_ids:
            for runner in self.runner_links.get(queue_id, []):
                if runner.link not in links:
                    links.append(runner.link)
        for definition in self.unlinked_definitions():
            links.append(ResourceRef(JOB_DEFINITION, definition.resource.logical_id, definition.resource.key_span))
        if model_names:
            unit = replace(unit, model_names=tuple(model_names))
        work, how = self.work_of(queue_ids)
        evidence_models = [model for definition in work for model in definition.models]  # the linked ones' are `models`
        evidence = ml_evidence(evidence_models, (unit,), profile, anchor.key_span)
        if work and all(definition.multi_node.known and definition.multi_node.value for definition in work):
            first = work[0].multi_node
            names = ", ".join(definition.resource.logical_id for definition in work)
            note = f"every job definition {how} is multi-node parallel ({names})"
            attributes = (*attributes, (MULTI_NODE, replace(first, provenance=Provenance.INFERRED, note=note)))
        return Deployment(
            id=template.deployment_id(anchor.logical_id),
            platform="batch",
            kind=Sourced(DeploymentKind.JOB, anchor.key_span, Provenance.DECLARED, JOB_KIND_NOTE),
            span=anchor.key_span,
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

    def _mixed_capacity(self, environment: _Environment, queues: list[_Queue]) -> Sourced | None:
        """MIXED when a queue ordering this environment also orders one of the other purchase option."""
        own = environment.unit.capacity
        for queue in queues:
            members = [self.environments[member] for member in queue.environment_ids]
            kinds = {member.unit.capacity.value for member in members if member.unit.capacity.known}
            if Capacity.SPOT in kinds and Capacity.ON_DEMAND in kinds:
                described = ", ".join(
                    f"{member.resource.logical_id} {member.unit.capacity.value.value}"
                    for member in members
                    if member.unit.capacity.known
                )
                note = f"job queue {queue.resource.logical_id} orders {described}: its jobs run on spot and on-demand capacity"
                if own.known:
                    note += f" (this environment: {own.value.value})"
                return Sourced(Capacity.MIXED, queue.order_span, Provenance.INFERRED, note)
        return None


# --- readers -------------------------------------------------------------------------


def _read_environment(resource: Resource, template: TemplateContext) -> _Environment:
    properties, missing = properties_of(resource, template)
    name = name_of(resource, properties, template, "ComputeEnvironmentName")
    resources = child(properties, "ComputeResources")
    attributes: list[tuple[str, Sourced]] = []
    managed = template.read_str(child(properties, "Type"))
    if managed.known:
        attributes.append(("environment_type", managed))
    if not isinstance(resources, MappingNode):
        if properties is None:
            reason = missing or "no Properties"
        elif managed.known and str(managed.value).upper() == "UNMANAGED":
            reason = "UNMANAGED compute environment: its instances are managed outside AWS Batch"
        else:
            reason = "no ComputeResources"
        unit = Unit(
            name=name,
            capacity=Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, reason),
            span=resource.key_span,
        )
        return _Environment(resource, name, unit, Sourced(), None, tuple(attributes))
    type_node = resources.get("Type")
    compute_type = template.read_str(type_node)
    capacity = capacity_of(type_node, template, CAPACITY_CONTEXT, "ComputeResources.Type")
    if type_node is None:
        capacity = Sourced(UNKNOWN, resources.span, Provenance.DECLARED, "no ComputeResources.Type")
    fargate = compute_type.known and str(compute_type.value).upper() in FARGATE_TYPES
    types_node = resources.get("InstanceTypes")
    instance_types = string_list(types_node, template, "instance types")
    if fargate:
        compute = Compute(
            instance_type=Sourced(UNKNOWN, type_node.span, Provenance.INFERRED, "Fargate: no instance type"),  # type: ignore[union-attr]
            accelerator=Sourced("none", type_node.span, Provenance.INFERRED, "AWS Batch on Fargate runs no GPU jobs"),  # type: ignore[union-attr]
        )
    else:
        compute = compute_of_types(instance_types, resources, template.extensions)
    launch_template = None if fargate else launch_template_of(resources.get("LaunchTemplate"), template)
    if launch_template is not None and capacity.known and capacity.value is Capacity.ON_DEMAND:
        reserved = launch_template_reservation(launch_template, template)
        if reserved is not None:
            capacity = replace(reserved, note=f"{capacity.note}; {reserved.note}")
    if compute_type.known or compute_type.note or compute_type.raw is not None:
        attributes.append(("compute_type", compute_type))
    if instance_types:
        attributes.append(("instance_types", instance_types_attribute(instance_types, types_node)))
    for key, attribute in (
        ("AllocationStrategy", "allocation_strategy"),
    ):
        value = template.read_str(resources.get(key))
        if value.known or value.note:
            attributes.append((attribute, value))
    for key, attribute in (("MinvCpus", "min_vcpus"), ("MaxvCpus", "max_vcpus"), ("DesiredvCpus", "desired_vcpus")):
        value = template.read_int(resources.get(key))
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
    return _Environment(resource, name, unit, compute_type, network_of(resources.get("Subnets"), template), tuple(attributes), launch_template)


def _read_queue(resource: Resource, template: TemplateContext, environments: dict) -> _Queue:
    properties, _ = properties_of(resource, template)
    name = name_of(resource, properties, template, "JobQueueName")
    order = child(properties, "ComputeEnvironmentOrder")
    ids: list[str] = []
    external: list[Sourced] = []
    for entry in sorted(mappings(order), key=lambda item: template.read_int(item.get("Order")).get(0) or 0):
        node = entry.get("ComputeEnvironment")
        _, value = template.reference(node)
        match = next(
            (
                environment_id
                for environment_id, environment in environments.items()
                if names_resource(value, environment.resource, environment.name)
            ),
            None,
        )
        if match is not None:
            ids.append(match)
        elif node is not None:
            external.append(template.read_text(node))
    return _Queue(resource, name, tuple(ids), tuple(external), order.span if order is not None else resource.key_span)


def _read_job_definition(resource: Resource, template: TemplateContext) -> _JobDefinition:
    properties, _ = properties_of(resource, template)
    name = name_of(resource, properties, template, "JobDefinitionName")
    containers = []
    single = child(properties, "ContainerProperties")
    if isinstance(single, MappingNode):
        containers.append(single)
    for node_range in mappings(child(properties, "NodeProperties", "NodeRangeProperties")):
        container = node_range.get("Container")
        if isinstance(container, MappingNode):
            containers.append(container)
    for task in mappings(child(properties, "EcsProperties", "TaskProperties")):
        containers.extend(mappings(task.get("Containers")))
    containers.extend(mappings(child(properties, "EksProperties", "PodProperties", "Containers")))
    models = []
    gpus = Sourced()
    total = 0
    for container in containers:
        environment = tuple(
            (text_of(template.resolve(item.get("Name"))), template.read_str(item.get("Value")))
            for item in mappings(container.get("Environment") or container.get("Env"))
            if item.get("Name") is not None
        )
        container_name = template.read_text(container.get("Name")) if container.get("Name") is not None else name
        command = container.get("Command")
        words = [template.read_text(item) for item in command.items] if isinstance(command, SequenceNode) else []
        models.append(model_for(template.read_text(container.get("Image")), container_name, Sourced(), environment, command_line(words, command.span if words else None, "Command"), template.extensions))
        for requirement in mappings(container.get("ResourceRequirements")):
            if text_of(template.resolve(requirement.get("Type"))).upper() == "GPU":
                count = template.read_int(requirement.get("Value"))
                if count.known:
                    total += count.value
                    gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "ResourceRequirements GPU")
        limits = child(container, "Resources", "Limits")
        if isinstance(limits, MappingNode) and limits.get("nvidia.com/gpu") is not None:
            count = template.read_int(limits.get("nvidia.com/gpu"))
            if count.known:
                total += count.value
                gpus = Sourced(total, gpus.span or count.span, Provenance.DECLARED, "Resources.Limits nvidia.com/gpu")
    return _JobDefinition(resource, name, tuple(models), gpus, _multi_node(properties, template))


def _multi_node(properties: MappingNode | None, template: TemplateContext) -> Sourced:
    """True for a multi-node parallel job definition (`Type: multinode`, or `NodeProperties`)."""
    type_node = child(properties, "Type")
    kind = template.read_str(type_node)
    if kind.known:
        multi = str(kind.value).strip().lower() == MULTI_NODE_TYPE
        return Sourced(multi, kind.span, Provenance.DECLARED, f"Type {kind.value}")
    node_properties = child(properties, "NodeProperties")
    if node_properties is not None and type_node is None:
        return Sourced(True, node_properties.span, Provenance.INFERRED, "NodeProperties: a multi-node parallel job")
    return kind

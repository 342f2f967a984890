"""`AWS::Batch::ComputeEnvironment` and `::JobQueue`: batch capacity as job deployments (`plugins.adapters.aws.batch`).

This module reads a template's Batch resources into the shared records;
what they mean is `plugins.adapters.aws.batch`'s. Job definitions are
linked to a queue when something in the template submits them to it (an
EventBridge rule or schedule target, a state machine or a function naming
both). An EC2 environment whose launch template (in the template) targets
a capacity reservation or a Capacity Block is reserved
(`capacity.launch_template_reservation`).
"""

from __future__ import annotations


from linter import UNKNOWN, Capacity, MappingNode, Provenance, ResourceRef, Sourced, child, mappings

from plugins.adapters.aws.batch import (
    CAPACITY_CONTEXT,
    ENVIRONMENT,
    FARGATE_TYPES,
    JOB_DEFINITION,
    QUEUE,
    BatchQueue,
    BatchResources,
    environment_record,
    read_job_definition,
)
from plugins.adapters.aws.instance_compute import capacity_setting
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.capacity import launch_template_of, launch_template_reservation
from plugins.adapters.cloudformation.intrinsics import ResourceValue
from plugins.adapters.cloudformation.record_matching import ValueIndex
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.resource_values import name_of, named_part, network_of, properties_of, string_list
from plugins.adapters.cloudformation.runners import runners
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of

RESOURCE_TYPES = (ENVIRONMENT, QUEUE)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    batch = template_batch(template)
    if resource.type == ENVIRONMENT:
        return [batch.environment_deployment(resource.logical_id), *problems]
    queue = batch.queues[resource.logical_id]
    if any(environment_id in batch.environments for environment_id in queue.environment_ids):
        return problems  # read as part of its environments' deployments
    return [batch.queue_deployment(queue), *problems]


def template_batch(template: TemplateContext) -> BatchResources:
    """The Batch resources of one template as the shared records, and who submits which job definition to which queue
    (read once per reading of the template, for all its environments and queues)."""
    return template.remembered((__name__, "batch"), lambda: _template_batch(template))


def _template_batch(template: TemplateContext) -> BatchResources:
    environments, queues, job_definitions = {}, {}, {}
    reader = TemplateRequestReader(template)
    for resource in template.resources.values():
        if resource.type == ENVIRONMENT:
            environments[resource.logical_id] = _read_environment(resource, template, reader)
        elif resource.type == JOB_DEFINITION:
            properties, _ = properties_of(resource, template)
            job_definitions[resource.logical_id] = read_job_definition(
                properties, reader, id=resource.logical_id, link=ResourceRef(JOB_DEFINITION, resource.logical_id, resource.key_span),
                name=name_of(resource, properties, template, "JobDefinitionName"),
            )
    names = _declared_names(environments)
    for resource in template.resources.values():
        if resource.type == QUEUE:
            queues[resource.logical_id] = _read_queue(resource, template, environments, names)
    submitters: dict = {}
    runner_links: dict = {}
    queue_order = {queue_id: position for position, queue_id in enumerate(queues)}
    definition_order = {definition: position for position, definition in enumerate(job_definitions)}
    for runner in runners(template):  # what each names, in the template's order: not every queue asked per runner
        named_queues = sorted((queue_id for queue_id in runner.references if queue_id in queue_order), key=queue_order.__getitem__)
        named_definitions = sorted(
            (definition for definition in runner.references if definition in definition_order), key=definition_order.__getitem__
        )
        for queue_id in named_queues:
            for definition in named_definitions:
                submitters.setdefault((queue_id, definition), runner.link)
                runner_links.setdefault(queue_id, [])
                if runner.link not in runner_links[queue_id]:
                    runner_links[queue_id].append(runner.link)
    return BatchResources(environments, queues, job_definitions, template.deployment_id, submitters, runner_links)


def _read_environment(resource: Resource, template: TemplateContext, reader: TemplateRequestReader):
    properties, missing = properties_of(resource, template)
    profile, _ = profile_of(resource)
    name = name_of(resource, properties, template, "ComputeEnvironmentName")
    resources = child(properties, "ComputeResources")
    common = dict(
        id=resource.logical_id, link=ResourceRef(ENVIRONMENT, resource.logical_id, resource.key_span), span=resource.key_span,
        name=name, profile=profile, stage=environment_of(resource, profile), managed=template.read_str(child(properties, "Type")), reader=reader,
    )
    if not isinstance(resources, MappingNode):
        reason = (missing or "no Properties") if properties is None else "no ComputeResources"
        return environment_record(
            **common, resources=None, missing_reason=reason, compute_type=Sourced(), capacity=Sourced(),
            type_span=None, instance_types=[], types_node=None, network=None,
        )
    type_node = resources.get("Type")
    compute_type = template.read_str(type_node)
    capacity = capacity_setting(reader, type_node, CAPACITY_CONTEXT, "ComputeResources.Type")
    if type_node is None:
        capacity = Sourced(UNKNOWN, resources.span, Provenance.DECLARED, "no ComputeResources.Type")
    fargate = compute_type.known and str(compute_type.value).upper() in FARGATE_TYPES
    types_node = resources.get("InstanceTypes")
    launch_template = None if fargate else launch_template_of(resources.get("LaunchTemplate"), template)
    if launch_template is not None and capacity.known and capacity.value is Capacity.ON_DEMAND:
        reserved = launch_template_reservation(launch_template, template)
        if reserved is not None:
            capacity = reserved.replaced(note=f"{capacity.note}; {reserved.note}")
    return environment_record(
        **common, resources=resources, missing_reason="", compute_type=compute_type, capacity=capacity,
        type_span=type_node.span if type_node is not None else None,
        instance_types=string_list(types_node, template, "instance types"), types_node=types_node,
        network=network_of(resources.get("Subnets"), template),
        launch_template=ResourceRef(launch_template.type, launch_template.logical_id, launch_template.key_span) if launch_template is not None else None,
    )


def _environment_named(value, environments: dict, names: ValueIndex) -> str | None:
    """The first environment `value` names, as `names_resource` tells: by logical ID, else by its `named_part`
    among the environments' declared names (`names`), each in one look-up."""
    if isinstance(value, ResourceValue):
        return value.logical_id if value.logical_id in environments else None
    last = named_part(value)
    return names.find(last) if last is not None else None


def _declared_names(environments: dict) -> ValueIndex:
    """The environments' ids by their declared names, for `_environment_named`."""
    names: ValueIndex = ValueIndex()
    for environment_id, environment in environments.items():
        if environment.name.known and environment.name.provenance is Provenance.DECLARED:
            names.add(environment.name.value, environment_id)
    return names


def _read_queue(resource: Resource, template: TemplateContext, environments: dict, names: ValueIndex) -> BatchQueue:
    properties, _ = properties_of(resource, template)
    profile, _ = profile_of(resource)
    name = name_of(resource, properties, template, "JobQueueName")
    order = child(properties, "ComputeEnvironmentOrder")
    ids: list[str] = []
    external = []
    for entry in sorted(mappings(order), key=lambda item: template.read_int(item.get("Order")).get(0) or 0):
        node = entry.get("ComputeEnvironment")
        _, value = template.reference(node)
        match = _environment_named(value, environments, names)
        if match is not None:
            ids.append(match)
        elif node is not None:
            external.append(template.read_text(node))
    return BatchQueue(
        resource.logical_id, ResourceRef(QUEUE, resource.logical_id, resource.key_span), resource.key_span, name,
        tuple(ids), tuple(external), order.span if order is not None else resource.key_span, profile, environment_of(resource, profile),
    )

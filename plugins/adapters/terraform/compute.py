"""AWS Batch and EKS node group resources of one Terraform module, read through the shared AWS records.

`aws_batch_compute_environment`, `aws_batch_job_queue` and
`aws_batch_job_definition` become the records of `plugins.adapters.aws.
batch` (a queue orders the environments its `compute_environment_order`
references, or names by their known names), `aws_eks_node_group` a node
group of `plugins.adapters.aws.eks_nodegroups`. Bodies are rebuilt in the
API's request shape (`requests.SHAPES`); a resource with a known `count`
or `for_each` (at most 64 instances) is read once per instance, addressed
`type.name["key"]`. Nothing in a module submits a job definition to a
queue that Terraform shows, so every job definition is unlinked: with one
job queue in the module they are its work (ML evidence, multi-node).
The `aws_launch_template` of the module a node group or an EC2 compute
environment names (in the instance the reference names) gives the
instance type a node group does not list, and reserved capacity when it
targets a capacity reservation or a Capacity Block
(`plugins.adapters.aws.launch_templates`).

Well-known inputs of registry modules map directly onto the same records:
`eks_managed_node_groups` (over `eks_managed_node_group_defaults`) of
terraform-aws-modules/eks and the inputs of its eks-managed-node-group
submodule (with `capacity_reservation_specification` and
`instance_market_options`, the launch template the module builds from
them); `compute_environments`, `job_queues` and `job_definitions` of
terraform-aws-modules/batch. Any other input of those modules, and every
other registry module, is not read.
"""

from __future__ import annotations

import re
from typing import Any

from dataclasses import replace

from linter import UNKNOWN, MappingNode, Network, Node, Provenance, ResourceRef, ScalarNode, SequenceNode, Sourced, Span

from plugins.adapters.aws.batch import (
    CAPACITY_CONTEXT,
    FARGATE_TYPES,
    BatchQueue,
    BatchResources,
    environment_record,
    read_job_definition,
)
from plugins.adapters.aws.eks_nodegroups import DEFAULT_INSTANCE_TYPE, node_group_capacity, node_group_deployment, node_group_scaling
from plugins.adapters.aws.launch_templates import launch_template_reservation, reserved_on_demand
from plugins.adapters.aws.instance_compute import capacity_setting, compute_of_types
from plugins import data
from plugins.adapters.aws.sagemaker_requests import RequestReader, request_profile
from plugins.adapters.terraform.hcl import Attribute, Literal, ObjectExpr, Reference
from plugins.adapters.terraform.module import TerraformModule, module_blocks
from plugins.adapters.terraform.requests import READER, SHAPES, ValueNode, is_reference, json_document, located, referenced_address, request_node
from plugins.adapters.terraform.values import Scope, instance_address, instances

__all__ = [
    "COMPUTE_TYPES",
    "module_compute_items",
    "launch_template_data",
    "instance_scope_of",
    "reserved_by_template",
    "call_entries",
    "shaped_inputs",
    "api_request",
    "Evaluated",
]

ENVIRONMENT = "aws_batch_compute_environment"
QUEUE = "aws_batch_job_queue"
JOB_DEFINITION = "aws_batch_job_definition"
NODE_GROUP = "aws_eks_node_group"
LAUNCH_TEMPLATE = "aws_launch_template"
# A launch template specification's keys: a node group's `id`/`name`, a compute environment's `launch_template_id`/`_name`.
LAUNCH_TEMPLATE_KEYS = ("Id", "Name", "LaunchTemplateId", "LaunchTemplateName")
COMPUTE_TYPES = frozenset({ENVIRONMENT, QUEUE, JOB_DEFINITION, NODE_GROUP})
ORIGIN = "Terraform resource"

# Registry sources whose well-known inputs are read (`//modules/...` submodules, `?ref=` and versions aside).
EKS_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/eks/aws$", re.IGNORECASE)
EKS_NODE_GROUP_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/eks/aws//modules/eks-managed-node-group$", re.IGNORECASE)
BATCH_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/batch/aws$", re.IGNORECASE)


def module_compute_items(terraform: TerraformModule, extensions: data.Extensions = data.SHIPPED) -> dict[str, list]:
    """The Batch and node group deployments of a module, by the path of the file each is anchored in.

    `extensions` is the run's `[data]` section, for the facts inferred from instance types and images.
    """
    reader = READER.with_extensions(extensions)
    module = terraform.module
    items: dict[str, list] = {}
    environments, queues, definitions, spans = {}, {}, {}, {}
    queue_requests = []
    for resource in terraform.resources:
        if resource.type not in COMPUTE_TYPES:
            continue
        for address, scope in instances(module, resource):
            request = request_node(module, resource.body, scope, SHAPES[resource.type])
            link = ResourceRef(resource.type, address, resource.body.span)
            if resource.type == NODE_GROUP:
                deployment, problems = _node_group(request, address, link, resource.body.span, _deployment_id(resource.path, address), terraform, reader)
                items.setdefault(resource.path, []).extend([deployment, *problems])
            elif resource.type == ENVIRONMENT:
                environments[address], problems = _environment(request, address, link, resource.body.span, reader, terraform)
                items.setdefault(resource.path, []).extend(problems)
                spans[address] = resource.path
            elif resource.type == JOB_DEFINITION:
                definitions[address] = read_job_definition(request, reader, id=address, link=link, name=_name(request, "JobDefinitionName", address, resource.body.span))
            else:
                queue_requests.append((request, address, link, resource.body.span))
                spans[address] = resource.path
    for request, address, link, span in queue_requests:
        queues[address], problems = _queue(request, address, link, span, environments)
        items.setdefault(spans[address], []).extend(problems)
    for call in _registry_calls(terraform):
        _read_registry_call(call, terraform, items, environments, queues, definitions, spans, reader)
    if environments or queues:
        batch = BatchResources(environments, queues, definitions, lambda anchor: _deployment_id(spans[anchor], anchor), where="the module")
        for deployment in batch.deployments():
            items.setdefault(spans[deployment.id.split("#", 1)[1]], []).append(deployment)
    return items


def _deployment_id(path: str, address: str) -> str:
    return f"{path}#{address}"


def _name(request: Node, key: str, address: str, span: Span) -> Sourced:
    """The resource's name argument, else its address (inferred)."""
    name = READER.read_text(request, key)
    if not name.known and not name.options:
        return Sourced(address, span, Provenance.INFERRED, f"address (no {key} known" + (f": {name.note})" if name.note else ")"))
    return name


def _strings(node: Node | None) -> list[Sourced]:
    """A list argument's items as sourced strings; a list not known is one unknown item with the reason."""
    if node is None:
        return []
    if isinstance(node, SequenceNode):
        return [READER.read_str(item) for item in node.items]
    value = READER.read_str(node)
    return [value] if value.known or value.note or value.options else [Sourced(UNKNOWN, node.span, Provenance.DECLARED, "a list not known")]


def _network(node: Node | None) -> Network | None:
    if node is None:
        return None
    return Network(subnets=tuple(_strings(node)), span=node.span)


# --- Batch ------------------------------------------------------------------------------


def _environment(request: Node, address: str, link: ResourceRef, span: Span, reader: RequestReader, terraform: TerraformModule | None = None, origin: str = ""):
    """A compute environment's record, and the problems of its profile tags (at `origin`: the resource, else the module call)."""
    name = _name(request, "ComputeEnvironmentName", address, span)
    profile, stage, problems = request_profile(request, READER, origin or f"{ORIGIN} {address}")
    resources = READER.node(request, "ComputeResources")
    common = dict(id=address, link=link, span=span, name=name, profile=profile, stage=stage, managed=READER.read_str(request, "Type"), reader=reader)
    if not isinstance(resources, MappingNode):
        return environment_record(
            **common, resources=None, missing_reason="no compute_resources", compute_type=Sourced(), capacity=Sourced(),
            type_span=None, instance_types=[], types_node=None, network=None,
        ), problems
    type_node = READER.node(resources, "Type")
    capacity = (
        capacity_setting(READER, type_node, CAPACITY_CONTEXT, "compute_resources.type")
        if type_node is not None
        else Sourced(UNKNOWN, resources.span, Provenance.DECLARED, "no compute_resources type")
    )
    types_node = READER.node(resources, "InstanceTypes")
    compute_type = READER.read_str(resources, "Type")
    fargate = compute_type.known and str(compute_type.value).upper() in FARGATE_TYPES
    template = None if fargate or terraform is None else launch_template_data(READER.node(resources, "LaunchTemplate"), terraform)
    return environment_record(
        **common, resources=resources, missing_reason="", compute_type=compute_type, capacity=reserved_by_template(capacity, template),
        type_span=type_node.span if type_node is not None else None, instance_types=_strings(types_node), types_node=types_node,
        network=_network(READER.node(resources, "Subnets")),
        launch_template=ResourceRef(LAUNCH_TEMPLATE, template[0].address, template[0].body.span) if template is not None else None,
    ), problems


def _queue(request: Node, address: str, link: ResourceRef, span: Span, environments: dict) -> tuple[BatchQueue, list]:
    """A job queue, and the problems of its profile tags."""
    name = _name(request, "JobQueueName", address, span)
    profile, stage, problems = request_profile(request, READER, f"{ORIGIN} {address}")
    entries = READER.mappings(request, "ComputeEnvironmentOrder")
    ordered = sorted(entries, key=lambda entry: READER.read_int(entry, "Order").get(0) or 0)
    nodes = [READER.node(entry, "ComputeEnvironment") for entry in ordered]
    legacy = READER.node(request, "ComputeEnvironments")  # the provider's older list of ARNs, in order
    if isinstance(legacy, SequenceNode):
        nodes.extend(legacy.items)
    ids, external = [], []
    for node in nodes:
        if node is None:
            continue
        match = _environment_named(node, environments)
        if match is not None:
            ids.append(match)
        else:
            external.append(READER.read_text(node))
    order = READER.node(request, "ComputeEnvironmentOrder") or legacy
    return BatchQueue(address, link, span, name, tuple(ids), tuple(external), order.span if order is not None else span, profile, stage), problems


def _environment_named(node: Node, environments: dict) -> str | None:
    """The environment a queue entry names: by reference (`aws_batch_compute_environment.x.arn`), or by its known name."""
    if is_reference(node):
        return referenced_address(node, environments)
    text = READER.read_str(node)
    if not text.known:
        return None
    last = str(text.value).rsplit("/", 1)[-1]
    for address, environment in environments.items():
        if environment.name.known and environment.name.provenance is Provenance.DECLARED and environment.name.value == last:
            return address
    return None


# --- EKS node groups ----------------------------------------------------------------------


def _node_group(
    request: Node, address: str, link: ResourceRef, span: Span, deployment_id: str, terraform: TerraformModule, reader: RequestReader,
    name: Sourced | None = None, module_template: tuple | None = None,
):
    profile, stage, problems = request_profile(request, READER, f"{ORIGIN} {address}")
    name = name or _name(request, "NodegroupName", address, span)
    types_node = READER.node(request, "InstanceTypes")
    instance_types = _strings(types_node)
    links = [link]
    template = launch_template_data(READER.node(request, "LaunchTemplate"), terraform)
    if template is not None:
        links.append(ResourceRef(LAUNCH_TEMPLATE, template[0].address, template[0].body.span))
    capacity_from = template or module_template
    if instance_types:
        compute, launched = compute_of_types(instance_types, types_node, reader.extensions), instance_types
    else:
        from_template = _launch_template_type(READER.node(request, "LaunchTemplate"), template)
        if from_template is not None:
            compute, launched = compute_of_types([from_template], READER.node(request, "LaunchTemplate"), reader.extensions), [from_template]
        else:
            default = Sourced(DEFAULT_INSTANCE_TYPE, span, Provenance.DEFAULT, "no instance_types: EKS uses t3.medium")
            compute, launched = compute_of_types([default], request, reader.extensions), [default]
    count, scaling = node_group_scaling(request, READER, span)
    deployment = node_group_deployment(
        id=deployment_id, span=span, name=name, links=tuple(links), compute=compute, instance_types=instance_types, launched=launched,
        types_node=types_node, ami_type=READER.read_str(request, "AmiType"), capacity=reserved_by_template(node_group_capacity(request, READER, span), capacity_from),
        count=count, scaling=scaling, labels=_labels(READER.node(request, "Labels")), taints=_taints(READER.node(request, "Taints")),
        network=_network(READER.node(request, "Subnets")), profile=profile, environment=stage,
    )
    return deployment, problems


def launch_template_data(node: Node | None, terraform: TerraformModule) -> tuple[Any, MappingNode] | None:
    """The `aws_launch_template` of this module a `launch_template` block names (by id or name), and its body read as
    CreateLaunchTemplate's `LaunchTemplateData` in the instance the reference names (`aws_launch_template.x[count.index].id`)."""
    for key in LAUNCH_TEMPLATE_KEYS:
        written = READER.node(node, key)
        if is_reference(written):
            resource = next((item for item in terraform.resources if item.address == written.unknown.ref and item.type == LAUNCH_TEMPLATE), None)
            if resource is None:
                continue
            scope = instance_scope_of(terraform, resource, written.unknown.index)
            return resource, request_node(terraform.module, resource.body, scope, SHAPES[LAUNCH_TEMPLATE])
    return None


def instance_scope_of(terraform: TerraformModule, resource, index: Any) -> Scope:
    """The scope of the instance `index` names (a count index, a for_each key); the resource's own when it names none."""
    if isinstance(index, int) and not isinstance(index, bool) and isinstance(terraform.module.count_of(resource), int):
        return Scope({"count": {"index": index}}, resource)
    if isinstance(index, str):
        for address, scope in instances(terraform.module, resource):
            if address == instance_address(resource.address, index):
                return scope
    return terraform.module.instance_scope(resource)


def _launch_template_type(node: Node | None, template: tuple | None) -> Sourced | None:
    """The instance type of the module's launch template a `launch_template` block names; unknown when it is not in the module."""
    if not isinstance(node, MappingNode):
        return None
    if template is None:
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, "the launch template is not in this module")
    resource, launch_data = template
    instance_type = READER.read_str(launch_data, "InstanceType")
    if not instance_type.known and not instance_type.note and not instance_type.options:
        return None
    return Sourced(instance_type.value, instance_type.span, Provenance.INFERRED, f"instance_type of launch template {resource.address}" + (f" ({instance_type.note})" if instance_type.note else ""), options=instance_type.options)


def reserved_by_template(capacity: Sourced, template: tuple | None) -> Sourced:
    """On-demand capacity launched into the reservation or Capacity Block the launch template asks for is reserved.

    `template` is (resource, launch data) of an `aws_launch_template`, or (name, launch data) of the launch
    template a registry module builds from its inputs.
    """
    if template is None:
        return capacity
    owner, launch_data = template
    name = owner if isinstance(owner, str) else owner.address
    return reserved_on_demand(capacity, launch_template_reservation(launch_data, READER, name, _undecided_target))


def _undecided_target(node: Node, value: Sourced) -> str:
    if value.known and value.related:
        return f"{value.note or 'a default'}, which a variable given at plan time may set"
    return value.note or "not known"


def _labels(node: Node | None) -> Sourced | None:
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, "labels are not known")
    return Sourced(tuple((str(key.value), _text(value)) for key, value in node.pairs), node.span, Provenance.DECLARED, "node labels")


def _taints(node: Node | None) -> Sourced | None:
    if node is None:
        return None
    if not isinstance(node, SequenceNode):
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, "taints are not known")
    triples = tuple(tuple(_text(READER.node(item, key)) for key in ("Key", "Value", "Effect")) for item in node.items if isinstance(item, MappingNode))
    return Sourced(triples, node.span, Provenance.DECLARED, "node taints")


def _text(node: Node | None) -> str:
    if node is None:
        return ""
    value = READER.read_text(node)
    if value.known:
        return str(value.value)
    return node.unknown.text or "${...}" if isinstance(node, ValueNode) and node.unknown is not None else "${...}"


# --- registry modules ------------------------------------------------------------------------


def _registry_calls(terraform: TerraformModule) -> list[tuple[str, str, MappingNode, str]]:
    """(kind, call name, body, path) of each module block calling a registry module whose inputs are read."""
    found = []
    for name, body, document, text in module_blocks(terraform):
        kind = "eks" if EKS_MODULE.match(text) else "node-group" if EKS_NODE_GROUP_MODULE.match(text) else "batch" if BATCH_MODULE.match(text) else None
        if kind is not None:
            found.append((kind, name, body, document.path))
    return found


def call_entries(terraform: TerraformModule, body: MappingNode, name: str) -> list[tuple[str, Any, Span]]:
    """(key, expression or evaluated value, span) of each entry of a map argument of a module block."""
    node = body.get(name)
    if not isinstance(node, Attribute):
        return []
    if isinstance(node.expression, ObjectExpr):
        entries = []
        for key_expression, value_expression in node.expression.items:
            key = terraform.module.evaluate(key_expression).value if not isinstance(key_expression, Reference) else key_expression.text
            if isinstance(key, str):
                entries.append((key, value_expression, value_expression.span))
        return entries
    evaluation = terraform.module.evaluate(node)
    if not isinstance(evaluation.value, dict):
        return []
    return [(str(key), Evaluated(value, evaluation.related), node.span) for key, value in evaluation.value.items()]


class Evaluated:
    """A value already evaluated (an entry of a map argument written as one expression), with what it was read through."""

    def __init__(self, value: Any, related: tuple) -> None:
        self.value, self.related = value, related


def shaped_inputs(terraform: TerraformModule, written: Any, keys: dict, span: Span) -> dict[str, Node]:
    """A module input's entry rebuilt as API request nodes: the inputs `keys` names, renamed; each value located where written.

    An entry written as an object literal is read input by input (each value
    with its own span and related places); one written as a single
    expression is evaluated whole and every part points at it.
    """
    if isinstance(written, ObjectExpr):
        pairs = [(key.text.strip('"'), value, value.span) for key, value in written.items]
        evaluate = lambda value: terraform.module.evaluate(value)  # noqa: E731
    else:
        evaluation = written if isinstance(written, Evaluated) else terraform.module.evaluate(written)
        if not isinstance(evaluation.value, dict):
            return {}
        pairs = [(key, Evaluated(value, evaluation.related), span) for key, value in evaluation.value.items()]
        evaluate = lambda value: value  # noqa: E731
    shaped: dict[str, Node] = {}
    for name, value, where in pairs:
        target = keys.get(name)
        if target is None or name == "":
            continue
        if isinstance(target, dict):
            inner = shaped_inputs(terraform, value, target, where)
            shaped[target[""]] = MappingNode(tuple((ScalarNode(key, where, "str"), node) for key, node in inner.items()), where)
            continue
        evaluation = evaluate(value)
        content = json_document(evaluation.value) if target in _DOCUMENTS else evaluation.value
        node = located(content, where, evaluation.related)
        if node is not None:
            shaped[target] = node
    return shaped


def api_request(shaped: dict[str, Node], span: Span) -> MappingNode:
    return MappingNode(tuple((ScalarNode(key, node.span, "str"), node) for key, node in shaped.items()), span)


def _read_registry_call(
    call, terraform: TerraformModule, items: dict, environments: dict, queues: dict, definitions: dict, spans: dict, reader: RequestReader,
) -> None:
    kind, call_name, body, path = call
    if terraform.module.evaluate(body.get("create")).value is False:
        return
    count = body.get("count")
    if count is not None and terraform.module.evaluate(count).value == 0:
        return
    prefix = f"module.{call_name}"
    if kind == "node-group":
        entry = ObjectExpr(body.span, "", tuple((Literal(value.span, str(key.value), str(key.value)), value.expression) for key, value in body.pairs if isinstance(value, Attribute)))
        _registry_node_group(terraform, items, prefix, {}, entry, body.span, path, None, reader)
        return
    if kind == "eks":
        defaults = body.get("eks_managed_node_group_defaults")
        default_nodes = shaped_inputs(terraform, defaults.expression, _NODE_GROUP_KEYS, defaults.span) if isinstance(defaults, Attribute) else {}
        for key, written, span in call_entries(terraform, body, "eks_managed_node_groups"):
            _registry_node_group(terraform, items, f'{prefix}.eks_managed_node_groups["{key}"]', default_nodes, written, span, path, key, reader)
        return
    by_key = {}
    for key, written, span in call_entries(terraform, body, "compute_environments"):
        address = f'{prefix}.compute_environments["{key}"]'
        request = api_request(shaped_inputs(terraform, written, _BATCH_ENVIRONMENT_KEYS, span), span)
        environments[address], problems = _environment(request, address, ResourceRef("module", address, span), span, reader, origin=f"module {call_name}")
        items.setdefault(path, []).extend(problems)
        spans[address] = path
        by_key[key] = address
    for key, written, span in call_entries(terraform, body, "job_queues"):
        address = f'{prefix}.job_queues["{key}"]'
        entry = (written if isinstance(written, Evaluated) else terraform.module.evaluate(written)).value
        if not isinstance(entry, dict):
            continue
        order = entry.get("compute_environment_order")
        ordered = sorted(order.items(), key=_order) if isinstance(order, dict) else []
        ids = tuple(by_key[value["compute_environment_key"]] for _, value in ordered if isinstance(value, dict) and value.get("compute_environment_key") in by_key)
        request = api_request(shaped_inputs(terraform, written, {"name": "JobQueueName", "tags": "Tags"}, span), span)
        profile, stage, problems = request_profile(request, READER, f"module {call_name}")
        items.setdefault(path, []).extend(problems)
        name = READER.read_text(request, "JobQueueName")
        if not name.known:
            name = Sourced(key, span, Provenance.INFERRED, "the job_queues key (no name)")
        queues[address] = BatchQueue(address, ResourceRef("module", address, span), span, name, ids, (), span, profile, stage)
        spans[address] = path
    for key, written, span in call_entries(terraform, body, "job_definitions"):
        address = f'{prefix}.job_definitions["{key}"]'
        request = api_request(shaped_inputs(terraform, written, _JOB_DEFINITION_KEYS, span), span)
        name = _name(request, "JobDefinitionName", key, span)
        definitions[address] = read_job_definition(request, reader, id=address, link=ResourceRef("module", address, span), name=name)


def _order(item: tuple) -> Any:
    key, value = item
    order = value.get("order") if isinstance(value, dict) else None
    if isinstance(order, (int, float)) and not isinstance(order, bool):
        return order
    try:
        return int(key)
    except (TypeError, ValueError):
        return 0


# Module inputs -> API request keys (anything else is left out).
_BATCH_ENVIRONMENT_KEYS = {
    "name": "ComputeEnvironmentName",
    "type": "Type",
    "tags": "Tags",
    "compute_resources": {
        "": "ComputeResources",
        "type": "Type",
        "instance_types": "InstanceTypes",
        "min_vcpus": "MinvCpus",
        "max_vcpus": "MaxvCpus",
        "desired_vcpus": "DesiredvCpus",
        "allocation_strategy": "AllocationStrategy",
        "subnets": "Subnets",
    },
}
_DOCUMENTS = frozenset({"ContainerProperties", "NodeProperties", "EcsProperties"})
_JOB_DEFINITION_KEYS = {
    "name": "JobDefinitionName",
    "type": "Type",
    "tags": "Tags",
    "container_properties": "ContainerProperties",
    "node_properties": "NodeProperties",
    "ecs_properties": "EcsProperties",
}
# The purchase and reservation inputs of a launch template a registry module builds (eks node groups, ecs autoscaling).
LAUNCH_TEMPLATE_OPTION_KEYS = {
    "capacity_reservation_specification": {
        "": "CapacityReservationSpecification",
        "capacity_reservation_preference": "CapacityReservationPreference",
        "capacity_reservation_target": {
            "": "CapacityReservationTarget",
            "capacity_reservation_id": "CapacityReservationId",
            "capacity_reservation_resource_group_arn": "CapacityReservationResourceGroupArn",
        },
    },
    "instance_market_options": {"": "InstanceMarketOptions", "market_type": "MarketType"},
}
_NODE_GROUP_KEYS = {
    "create": "Create",
    "name": "Name",
    "min_size": "MinSize",
    "max_size": "MaxSize",
    "desired_size": "DesiredSize",
    "taints": "Taints",
    "instance_types": "InstanceTypes",
    "capacity_type": "CapacityType",
    "ami_type": "AmiType",
    "labels": "Labels",
    "subnet_ids": "Subnets",
    "tags": "Tags",
    # Inputs of the launch template the module builds (unless use_custom_launch_template = false).
    "use_custom_launch_template": "UseCustomLaunchTemplate",
    **LAUNCH_TEMPLATE_OPTION_KEYS,
}
_LAUNCH_TEMPLATE_INPUTS = ("CapacityReservationSpecification", "InstanceMarketOptions")


def _registry_node_group(
    terraform: TerraformModule, items: dict, address: str, defaults: dict, written: Any, span: Span, path: str, key: str | None,
    reader: RequestReader,
) -> None:
    shaped = {**defaults, **shaped_inputs(terraform, written, _NODE_GROUP_KEYS, span)}
    if shaped.get("Create") is not None and READER.read_bool(shaped["Create"]).value is False:
        return
    sizes = [(api, shaped.pop(api)) for api in ("MinSize", "MaxSize", "DesiredSize") if api in shaped]
    if sizes:
        shaped["ScalingConfig"] = MappingNode(tuple((ScalarNode(api, node.span, "str"), node) for api, node in sizes), span)
    taints = shaped.get("Taints")
    if isinstance(taints, MappingNode):  # the module takes a map of taints
        shaped["Taints"] = SequenceNode(tuple(value for _, value in taints.pairs), taints.span)
    shaped.pop("Create", None)
    launch_data = {key: shaped.pop(key) for key in _LAUNCH_TEMPLATE_INPUTS if key in shaped}
    custom = shaped.pop("UseCustomLaunchTemplate", None)
    module_template = None
    if launch_data and not (custom is not None and READER.read_bool(custom).value is False):
        module_template = (f"{address} (the module's launch template)", api_request(launch_data, span))
    request = api_request(shaped, span)
    written_name = READER.read_text(request, "Name")
    if written_name.known:
        name = replace(written_name, note="the module prefixes it unless use_name_prefix = false")
    else:
        name = Sourced(key or address, span, Provenance.INFERRED, "the eks_managed_node_groups key" if key else "the module call's address")
    deployment, problems = _node_group(
        request, address, ResourceRef("module", address, span), span, _deployment_id(path, address), terraform, reader, name, module_template
    )
    items.setdefault(path, []).extend([deployment, *problems])

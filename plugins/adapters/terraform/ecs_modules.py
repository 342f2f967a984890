"""Well-known inputs of the terraform-aws-modules ECS and Auto Scaling registry modules, read as ECS services.

Their inputs map directly onto the requests the shared ECS reader reads
(`plugins.adapters.aws.ecs`):

- a call of `terraform-aws-modules/ecs/aws//modules/service`, and each
  entry of the `services` input of `terraform-aws-modules/ecs/aws`, is a
  service: `container_definitions` (a map, the key naming the container)
  its task's containers (`image`, `command`, `entrypoint`, `environment`,
  `resource_requirements`), `requires_compatibilities`, `cpu`, `memory`,
  `network_mode` its task definition, `desired_count` its count, and its
  capacity from `capacity_provider_strategy` (a map of strategy items),
  else `launch_type` (the module's default `FARGATE`). `create = false` or
  `create_service = false` makes no service. Unless `enable_autoscaling =
  false`, the module registers a scaling target: its bounds are read where
  written, its policies are not (one policy of unknown type).
- a strategy's `capacity_provider` written
  `module.<cluster>.autoscaling_capacity_providers["<key>"].name` (or, in
  the `services` of an ecs call, the key or name of an entry of that
  call's own `autoscaling_capacity_providers`) is the entry `<key>` of the
  `autoscaling_capacity_providers` of that ecs (or ecs//modules/cluster)
  call: its `auto_scaling_group_arn` is an `aws_autoscaling_group` of the
  module (`auto_scaling.py`), or `module.<group>.autoscaling_group_arn` of
  a `terraform-aws-modules/autoscaling/aws` call, read from its inputs:
  `instance_type`, `instance_market_options`,
  `capacity_reservation_specification` (the launch template it builds
  unless `create_launch_template = false`), and `mixed_instances_policy`
  when `use_mixed_instances_policy = true`. An `aws_ecs_service` (or a
  scheduled task) of the module naming such a provider reaches it the same
  way (`registry_provider`).

Any other input, and anything such a module computes, is not read. At most
`MAX_ENTRIES` services of one call are read, and a service whose maps
(containers, strategy items) hold more is not.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from linter import UNKNOWN, MappingNode, Node, Provenance, ResourceRef, Scaling, ScalingPolicy, SequenceNode, Sourced, Span

from plugins import data
from plugins.adapters.aws.ecs import ProviderCapacity, desired_count, launch_type_capacity, read_task_definition, service_deployment, strategy_capacity
from plugins.adapters.aws.sagemaker_requests import request_profile
from plugins.adapters.terraform.auto_scaling import AUTO_SCALING_GROUP, group_capacity, group_request_capacity
from plugins.adapters.terraform.compute import LAUNCH_TEMPLATE_OPTION_KEYS, Evaluated, api_request, call_entries, shaped_inputs
from plugins.adapters.terraform.hcl import Attribute, Literal, ObjectExpr
from plugins.adapters.terraform.module import TerraformModule, module_blocks
from plugins.adapters.terraform.requests import READER, ValueNode, located

__all__ = ["registry_services", "registry_provider", "MAX_ENTRIES", "ECS_MODULE", "ECS_CLUSTER_MODULE", "ECS_SERVICE_MODULE", "AUTOSCALING_MODULE"]

MAX_ENTRIES = 64

_SOURCE = r"^(registry\.terraform\.io/)?terraform-aws-modules/{}$"
ECS_MODULE = re.compile(_SOURCE.format("ecs/aws"), re.IGNORECASE)
ECS_CLUSTER_MODULE = re.compile(_SOURCE.format("ecs/aws//modules/cluster"), re.IGNORECASE)
ECS_SERVICE_MODULE = re.compile(_SOURCE.format("ecs/aws//modules/service"), re.IGNORECASE)
AUTOSCALING_MODULE = re.compile(_SOURCE.format("autoscaling/aws"), re.IGNORECASE)

# A capacity provider an ecs call creates, and an Auto Scaling group an autoscaling call creates, as other calls reference them.
_PROVIDER_OUTPUT = re.compile(r'^\$\{module\.([\w-]+)\.autoscaling_capacity_providers\["([^"]+)"\]\.(?:name|arn|id)\}$')
_GROUP_OUTPUT = re.compile(r"^\$\{module\.([\w-]+)\.autoscaling_group_(?:arn|name|id)\}$")

_SERVICE_KEYS = {
    "create": "Create",
    "create_service": "CreateService",
    "name": "ServiceName",
    "family": "Family",
    "desired_count": "DesiredCount",
    "launch_type": "LaunchType",
    "scheduling_strategy": "SchedulingStrategy",
    "subnet_ids": "Subnets",
    "tags": "Tags",
    "requires_compatibilities": "RequiresCompatibilities",
    "cpu": "Cpu",
    "memory": "Memory",
    "network_mode": "NetworkMode",
    "enable_autoscaling": "EnableAutoscaling",
    "autoscaling_min_capacity": "AutoscalingMinCapacity",
    "autoscaling_max_capacity": "AutoscalingMaxCapacity",
}
_CONTAINER_KEYS = {
    "create": "Create",
    "name": "Name",
    "image": "Image",
    "command": "Command",
    "entrypoint": "EntryPoint",
    "entry_point": "EntryPoint",
    "environment": "Environment",
    "resource_requirements": "ResourceRequirements",
    "cpu": "Cpu",
    "memory": "Memory",
}
_STRATEGY_KEYS = {"capacity_provider": "CapacityProvider", "weight": "Weight", "base": "Base"}
_LAUNCH_TEMPLATE_KEYS = {
    "instance_type": "InstanceType",
    "create_launch_template": "CreateLaunchTemplate",
    "use_mixed_instances_policy": "UseMixedInstancesPolicy",
    **LAUNCH_TEMPLATE_OPTION_KEYS,
}
_DISTRIBUTION_KEYS = {
    "": "InstancesDistribution",
    "on_demand_base_capacity": "OnDemandBaseCapacity",
    "on_demand_percentage_above_base_capacity": "OnDemandPercentageAboveBaseCapacity",
}


def _calls(terraform: TerraformModule) -> dict[str, tuple[str, MappingNode, str]]:
    """call name -> (kind, body, path) of each module block calling one of the registry modules read here."""
    found = {}
    for name, body, document, text in module_blocks(terraform):
        for kind, pattern in (("ecs", ECS_MODULE), ("cluster", ECS_CLUSTER_MODULE), ("service", ECS_SERVICE_MODULE), ("autoscaling", AUTOSCALING_MODULE)):
            if pattern.match(text):
                found[name] = (kind, body, document.path)
    return found


def _creates(terraform: TerraformModule, body: MappingNode) -> bool:
    if terraform.module.evaluate(body.get("create")).value is False:
        return False
    count = body.get("count")
    return count is None or terraform.module.evaluate(count).value != 0


def _call_entry(body: MappingNode) -> ObjectExpr:
    """A module block's arguments as one object (an entry of the `services` map has the same inputs)."""
    return ObjectExpr(body.span, "", tuple((Literal(value.span, str(key.value), str(key.value)), value.expression) for key, value in body.pairs if isinstance(value, Attribute)))


def _member(terraform: TerraformModule, written: Any, name: str) -> Any:
    """The expression (or evaluated value) of attribute `name` of an object written as a literal or evaluated whole."""
    if isinstance(written, ObjectExpr):
        for key, value in written.items:
            if key.text.strip('"') == name:
                return value
        return None
    evaluation = written if isinstance(written, Evaluated) else terraform.module.evaluate(written)
    if isinstance(evaluation.value, dict) and name in evaluation.value:
        return Evaluated(evaluation.value[name], evaluation.related)
    return None


def _map_entries(terraform: TerraformModule, written: Any, span: Span) -> list[tuple[str, Any, Span]]:
    """(key, expression or evaluated value, span) of each entry of a map written as a literal or evaluated whole."""
    if written is None:
        return []
    if isinstance(written, ObjectExpr):
        entries = []
        for key_expression, value_expression in written.items:
            key = key_expression.text.strip('"')
            entries.append((key, value_expression, value_expression.span))
        return entries
    evaluation = written if isinstance(written, Evaluated) else terraform.module.evaluate(written)
    if not isinstance(evaluation.value, dict):
        return []
    return [(str(key), Evaluated(value, evaluation.related), span) for key, value in evaluation.value.items()]


def registry_services(terraform: TerraformModule, extensions: data.Extensions = data.SHIPPED) -> list[tuple[Any, str, list]]:
    """(deployment, path, problems of its profile tags) of each service the module's calls of the ECS registry modules create."""
    reader = READER.with_extensions(extensions)
    calls = _calls(terraform)
    found = []
    for call_name, (kind, body, path) in calls.items():
        if kind not in ("ecs", "service") or not _creates(terraform, body):
            continue
        if kind == "service":
            deployment, problems = _service(terraform, calls, call_name, None, f"module.{call_name}", _call_entry(body), body.span, reader, extensions)
            if deployment is not None:
                found.append((deployment, path, problems))
            continue
        for key, written, span in call_entries(terraform, body, "services")[:MAX_ENTRIES]:
            deployment, problems = _service(terraform, calls, call_name, key, f'module.{call_name}.services["{key}"]', written, span, reader, extensions)
            if deployment is not None:
                found.append((deployment, path, problems))
    return found


def _service(terraform, calls, call_name: str, key: str | None, address: str, written: Any, span: Span, reader, extensions) -> tuple[Any, list]:
    """The service deployment a call creates (None when it creates none), and the problems of its profile tags."""
    shaped = shaped_inputs(terraform, written, _SERVICE_KEYS, span)
    for flag in ("Create", "CreateService"):
        if flag in shaped and READER.read_bool(shaped.pop(flag)).value is False:
            return None, []
    containers = []
    container_entries = _map_entries(terraform, _member(terraform, written, "container_definitions"), span)
    strategy_entries = _map_entries(terraform, _member(terraform, written, "capacity_provider_strategy"), span)
    if len(container_entries) > MAX_ENTRIES or len(strategy_entries) > MAX_ENTRIES:
        return None, []
    for container_key, container, container_span in container_entries:
        fields = shaped_inputs(terraform, container, _CONTAINER_KEYS, container_span)
        if "Create" in fields and READER.read_bool(fields.pop("Create")).value is False:
            continue
        fields.setdefault("Name", located(container_key, container_span, ()))
        containers.append(api_request(fields, container_span))
    task_fields = {name: shaped.pop(name) for name in ("RequiresCompatibilities", "Cpu", "Memory", "NetworkMode", "Family") if name in shaped}
    if containers:
        task_fields["ContainerDefinitions"] = SequenceNode(tuple(containers), span)
    link = ResourceRef("module", address, span)
    scaling = _module_scaling({name: shaped.pop(name) for name in ("EnableAutoscaling", "AutoscalingMinCapacity", "AutoscalingMaxCapacity") if name in shaped}, span, address)
    request = api_request(shaped, span)
    written_name = READER.read_text(request, "ServiceName")
    name = written_name if written_name.known else Sourced(key or address, span, Provenance.INFERRED, "the services key (no name)" if key else "the module call's address (no name)")
    task = read_task_definition(api_request(task_fields, span), reader, link=link, span=span, name=name)
    strategy = [api_request(shaped_inputs(terraform, item, _STRATEGY_KEYS, item_span), item_span) for _, item, item_span in strategy_entries]
    links = [link]
    if strategy:
        capacity, provider_links, instance_type = strategy_capacity(
            SequenceNode(tuple(strategy), span), READER, lambda item, provider: _provider(item, provider, terraform, calls, call_name, key is not None)
        )
        links.extend(provider_links)
    elif "LaunchType" in shaped:
        capacity, _, instance_type = launch_type_capacity(shaped["LaunchType"], READER)
    else:
        capacity, _, instance_type = launch_type_capacity(located("FARGATE", span, ()), READER)
        capacity = replace(capacity, provenance=Provenance.DEFAULT, note="no capacity_provider_strategy or launch_type: the module's launch_type default FARGATE")
    profile, stage, problems = request_profile(request, READER, f"module {call_name}")
    attributes = [("launch_type", READER.read_str(shaped["LaunchType"]))] if "LaunchType" in shaped else []
    return service_deployment(
        id=f"{calls[call_name][2]}#{address}", span=span, name=name, links=tuple(links), task=task,
        capacity=capacity, instance_type=instance_type, count=desired_count(request, READER, span), scaling=scaling,
        attributes=tuple(attributes), network=None, profile=profile, environment=stage,
        kind_note=f"{address} (terraform-aws-modules/ecs service) keeps its tasks running", extensions=extensions,
    ), problems


def _module_scaling(inputs: dict[str, Node], span: Span, address: str) -> tuple[Scaling, ...]:
    """The scaling target the service module registers unless `enable_autoscaling = false`.

    Its bounds are the inputs written (the module's defaults are not
    assumed) and its policies, the module's `autoscaling_policies`, are not
    read: one policy of unknown type stands for them.
    """
    enabled = inputs.get("EnableAutoscaling")
    if enabled is not None and READER.read_bool(enabled).value is False:
        return ()
    why = "not written: the module's default"
    bounds = [
        READER.read_int(inputs[name]) if name in inputs else Sourced(UNKNOWN, span, Provenance.DEFAULT, why)
        for name in ("AutoscalingMinCapacity", "AutoscalingMaxCapacity")
    ]
    note = f"{address} registers an Application Auto Scaling target" + ("" if enabled is not None else " (enable_autoscaling defaults to true)")
    policy = ScalingPolicy(policy_type=Sourced(UNKNOWN, span, Provenance.DECLARED, "the module's autoscaling_policies are not read"), span=span)
    return (Scaling(min_capacity=bounds[0], max_capacity=bounds[1], dimension=Sourced("ecs:service:DesiredCount", span, Provenance.INFERRED, note), policies=(policy,), span=span),)


def registry_provider(item: MappingNode, provider: Node | None, terraform: TerraformModule) -> ProviderCapacity | None:
    """The provider a strategy item of a resource names as `module.<cluster>.autoscaling_capacity_providers["<key>"].name`; None otherwise."""
    text = provider.unknown.text if isinstance(provider, ValueNode) and provider.unknown is not None else None
    if not text or _PROVIDER_OUTPUT.match(text) is None:
        return None
    return _provider(item, provider, terraform, _calls(terraform), "", False)


def _provider(item: MappingNode, provider: Node | None, terraform: TerraformModule, calls: dict, call_name: str, own: bool) -> ProviderCapacity:
    """A strategy's provider that is not Fargate's: an `autoscaling_capacity_providers` entry of an ecs or cluster call of the module."""
    written = READER.read_text(provider)
    target = None
    if isinstance(provider, ValueNode) and provider.unknown is not None and provider.unknown.text:
        match = _PROVIDER_OUTPUT.match(provider.unknown.text)
        if match is not None:
            target = (match.group(1), match.group(2))
    elif own and written.known:  # a provider of the ecs call the service entry belongs to, by its key or name
        for key, entry, _ in call_entries(terraform, calls[call_name][1], "autoscaling_capacity_providers"):
            entry_name = shaped_inputs(terraform, entry, {"name": "Name"}, item.span).get("Name")
            if key == written.value or (entry_name is not None and READER.read_str(entry_name).value == written.value):
                target = (call_name, key)
    label = str(written.value) if written.known else (provider.unknown.text if isinstance(provider, ValueNode) and provider.unknown is not None and provider.unknown.text else "a capacity provider")
    if target is None or target[0] not in calls or calls[target[0]][0] not in ("ecs", "cluster"):
        note = provider.unknown.note if isinstance(provider, ValueNode) and provider.unknown is not None else f"capacity provider {label} is not in this module"
        return ProviderCapacity(label, Sourced(UNKNOWN, item.span, Provenance.DECLARED, note))
    cluster, key = target
    address = f'module.{cluster}.autoscaling_capacity_providers["{key}"]'
    entry = next((found for found_key, found, _ in call_entries(terraform, calls[cluster][1], "autoscaling_capacity_providers") if found_key == key), None)
    if entry is None:
        return ProviderCapacity(address, Sourced(UNKNOWN, item.span, Provenance.DECLARED, f"{address} is not an entry of the call's autoscaling_capacity_providers"))
    span = getattr(entry, "span", item.span)
    link = ResourceRef("module", address, span)
    group_node = shaped_inputs(terraform, entry, {"auto_scaling_group_arn": "AutoScalingGroupArn"}, span).get("AutoScalingGroupArn")
    unknown = group_node.unknown if isinstance(group_node, ValueNode) else None
    if unknown is not None and unknown.ref is not None and unknown.ref.startswith(AUTO_SCALING_GROUP + "."):
        resource = next((resource for resource in terraform.resources if resource.address == unknown.ref), None)
        if resource is not None:
            capacity, instance_type, links = group_capacity(resource, unknown.index, terraform)
            return ProviderCapacity(address, capacity, (link, ResourceRef(AUTO_SCALING_GROUP, resource.address, resource.body.span), *links), instance_type, True)
    match = _GROUP_OUTPUT.match(unknown.text or "") if unknown is not None else None
    if match is not None and match.group(1) in calls and calls[match.group(1)][0] == "autoscaling":
        group_call = match.group(1)
        capacity, instance_type, links = _registry_group(terraform, group_call, calls[group_call][1])
        return ProviderCapacity(address, capacity, (link, ResourceRef("module", f"module.{group_call}", calls[group_call][1].span), *links), instance_type, True)
    why = f"the Auto Scaling group of {address} is not in this module" + (f" ({unknown.note})" if unknown is not None and unknown.note else "")
    return ProviderCapacity(address, Sourced(UNKNOWN, group_node.span if group_node is not None else span, Provenance.DECLARED, why), (link,))


def _registry_group(terraform: TerraformModule, call_name: str, body: MappingNode) -> tuple[Sourced, Sourced, list[ResourceRef]]:
    """(capacity, instance type, links) of the Auto Scaling group a terraform-aws-modules/autoscaling call creates."""
    group = f"module.{call_name}"
    entry = _call_entry(body)
    launch_data = shaped_inputs(terraform, entry, _LAUNCH_TEMPLATE_KEYS, body.span)
    created = launch_data.pop("CreateLaunchTemplate", None)
    mixed_flag = launch_data.pop("UseMixedInstancesPolicy", None)
    own = created is None or READER.read_bool(created).value is not False
    template = (f"{group} (the module's launch template)", api_request(launch_data, body.span)) if own else None
    fields: dict[str, Node] = {}
    mixed_used = mixed_flag is not None and READER.read_bool(mixed_flag).value is True
    if mixed_flag is not None and not READER.read_bool(mixed_flag).known:
        return Sourced(UNKNOWN, mixed_flag.span, Provenance.DECLARED, f"use_mixed_instances_policy of {group} is not known"), Sourced(), []
    if mixed_used:
        policy = _member(terraform, entry, "mixed_instances_policy")
        distribution = shaped_inputs(terraform, policy, {"instances_distribution": _DISTRIBUTION_KEYS}, body.span) if policy is not None else {}
        overrides = _member(terraform, policy, "override") if policy is not None else None
        if overrides is None and policy is not None:
            inner = _member(terraform, policy, "launch_template")
            overrides = _member(terraform, inner, "override") if inner is not None else None
        override_nodes = _override_nodes(terraform, overrides, body.span)
        mixed_fields: dict[str, Node] = dict(distribution)
        launch: dict[str, Node] = {"LaunchTemplateSpecification": api_request({}, body.span)}
        if override_nodes:
            launch["Overrides"] = SequenceNode(tuple(override_nodes), body.span)
        mixed_fields["LaunchTemplate"] = api_request(launch, body.span)
        fields["MixedInstancesPolicy"] = api_request(mixed_fields, body.span)
    else:
        fields["LaunchTemplate"] = api_request({}, body.span)
    return group_request_capacity(api_request(fields, body.span), group, body.span, lambda node: template)


def _override_nodes(terraform: TerraformModule, overrides: Any, span: Span) -> list[MappingNode]:
    if overrides is None:
        return []
    evaluation = overrides if isinstance(overrides, Evaluated) else terraform.module.evaluate(overrides)
    node = located(evaluation.value, getattr(overrides, "span", span), evaluation.related)
    items = node.items if isinstance(node, SequenceNode) else ()
    return [api_request({"InstanceType": item.get("instance_type")}, item.span) for item in items if isinstance(item, MappingNode) and item.get("instance_type") is not None]


"""The instances behind an ECS capacity provider of one Terraform module: purchase option and instance type of its Auto Scaling group.

An `aws_ecs_capacity_provider`'s `auto_scaling_group_provider.auto_scaling_group_arn`
references an `aws_autoscaling_group` of the module (in the instance the
reference names). The group is read as CreateAutoScalingGroup, as the
CloudFormation adapter reads `AWS::AutoScaling::AutoScalingGroup`
(`plugins.adapters.cloudformation.capacity`), so the same group gives the
same facts:

- `mixed_instances_policy`: its `instances_distribution` decides the
  purchase option (`on_demand_percentage_above_base_capacity`, default
  100: on-demand; 0 with no on-demand base: Spot; else mixed), the first
  `override`'s `instance_type` (else the launch template's) the instance type;
- `launch_template`: the module's `aws_launch_template` it names, Spot when
  its `instance_market_options.market_type` says so, reserved when it
  targets a capacity reservation or Capacity Block, on-demand otherwise;
- `launch_configuration`: the module's `aws_launch_configuration` it names
  (Spot when it sets a `spot_price`).

A provider, group, template or configuration that is not in the module is
unknown, with the reason.
"""

from __future__ import annotations

from dataclasses import replace

from linter import UNKNOWN, Capacity, MappingNode, Node, Provenance, ResourceRef, Sourced, mappings

from plugins import data
from plugins.adapters.aws.ecs import ProviderCapacity, distribution_capacity, distribution_defaults
from plugins.adapters.aws.launch_templates import MARKET_TYPE_CONTEXT
from plugins.adapters.terraform.compute import instance_scope_of, launch_template_data, reserved_by_template
from plugins.adapters.terraform.module import TerraformModule
from plugins.adapters.terraform.requests import READER, SHAPES, ValueNode, request_node

__all__ = ["CAPACITY_PROVIDER", "AUTO_SCALING_GROUP", "provider_capacity", "provider_named", "group_capacity", "group_request_capacity"]

CAPACITY_PROVIDER = "aws_ecs_capacity_provider"
AUTO_SCALING_GROUP = "aws_autoscaling_group"
LAUNCH_CONFIGURATION = "aws_launch_configuration"


def _referenced(node: Node | None, terraform: TerraformModule, resource_type: str):
    """(resource, index) of the resource of `resource_type` of the module an argument references."""
    if not isinstance(node, ValueNode) or node.unknown is None or node.unknown.ref is None:
        return None
    if not node.unknown.ref.startswith(resource_type + "."):
        return None
    resource = next((item for item in terraform.resources if item.address == node.unknown.ref), None)
    return None if resource is None else (resource, node.unknown.index)


def provider_named(name: str, terraform: TerraformModule):
    """The `aws_ecs_capacity_provider` of the module whose known `name` is `name` (or the last part of an ARN), if exactly one."""
    wanted = name.rsplit("/", 1)[-1]
    found = []
    for resource in terraform.resources:
        if resource.type != CAPACITY_PROVIDER or terraform.module.is_created(resource) is False:
            continue
        if terraform.module.evaluate(resource.body.get("name"), terraform.module.instance_scope(resource)).value == wanted:
            found.append(resource)
    return found[0] if len(found) == 1 else None


def provider_capacity(item: MappingNode, resource, index, terraform: TerraformModule) -> ProviderCapacity:
    """What an `aws_ecs_capacity_provider` of the module (instance `index`) launches: capacity, instance type, links."""
    link = ResourceRef(CAPACITY_PROVIDER, resource.address, resource.body.span)
    request = request_node(terraform.module, resource.body, instance_scope_of(terraform, resource, index), SHAPES[CAPACITY_PROVIDER])
    group_node = READER.node(request, "AutoScalingGroupProvider", "AutoScalingGroupArn")
    group = _referenced(group_node, terraform, AUTO_SCALING_GROUP)
    if group is None:
        where = group_node.span if group_node is not None else item.span
        why = f"the Auto Scaling group of capacity provider {resource.address} is not in this module"
        if isinstance(group_node, ValueNode) and group_node.unknown is not None and group_node.unknown.note:
            why += f" ({group_node.unknown.note})"
        return ProviderCapacity(resource.address, Sourced(UNKNOWN, where, Provenance.DECLARED, why), (link,))
    group_resource, group_index = group
    capacity, instance_type, links = group_capacity(group_resource, group_index, terraform)
    return ProviderCapacity(resource.address, capacity, (link, ResourceRef(AUTO_SCALING_GROUP, group_resource.address, group_resource.body.span), *links), instance_type, True)


def group_capacity(group, index, terraform: TerraformModule) -> tuple[Sourced, Sourced, list[ResourceRef]]:
    """(capacity, instance type, links) of an `aws_autoscaling_group` of the module."""
    request = request_node(terraform.module, group.body, instance_scope_of(terraform, group, index), SHAPES[AUTO_SCALING_GROUP])
    return group_request_capacity(request, group.address, group.body.span, lambda node: launch_template_data(node, terraform), terraform)


def group_request_capacity(request: MappingNode, name: str, span, templates, terraform: TerraformModule | None = None) -> tuple[Sourced, Sourced, list[ResourceRef]]:
    """(capacity, instance type, links) of an Auto Scaling group read as CreateAutoScalingGroup (see the module docstring).

    `templates(node)` gives the launch template a launch template
    specification names: (an `aws_launch_template` resource, or a name, and
    its data), or None when it is not known; `terraform` the module whose
    `aws_launch_configuration` a `LaunchConfiguration` names.
    """
    mixed = READER.node(request, "MixedInstancesPolicy")
    if isinstance(mixed, MappingNode):
        template = templates(READER.node(mixed, "LaunchTemplate", "LaunchTemplateSpecification"))
        overrides = mappings(READER.node(mixed, "LaunchTemplate", "Overrides"))
        if overrides:
            instance_type = _via(READER.read_str(overrides[0], "InstanceType"), f"first instance type override of {name}")
        else:
            instance_type = _template_type(template, name)
        distribution = READER.node(mixed, "InstancesDistribution")
        percentage_node = READER.node(distribution, "OnDemandPercentageAboveBaseCapacity")
        base_node = READER.node(distribution, "OnDemandBaseCapacity")
        default_percentage, default_base = distribution_defaults(mixed.span)
        percentage = READER.read_int(percentage_node) if percentage_node is not None else default_percentage
        base = READER.read_int(base_node) if base_node is not None else default_base
        where = percentage_node.span if percentage_node is not None else mixed.span
        if not percentage.known or not base.known:
            return Sourced(UNKNOWN, where, Provenance.DECLARED, f"instances distribution of {name}: {percentage.note or base.note}"), instance_type, _links(template)
        described = f"{name}: on_demand_percentage_above_base_capacity {percentage.value}, on_demand_base_capacity {base.value}"
        capacity = distribution_capacity(percentage.value, base.value)
        return Sourced(capacity, where, Provenance.INFERRED, described), instance_type, _links(template)
    template_node = READER.node(request, "LaunchTemplate")
    if template_node is not None:
        template = templates(template_node)
        if template is None:
            return Sourced(UNKNOWN, template_node.span, Provenance.DECLARED, f"the launch template of {name} is not in this module"), Sourced(), []
        owner, launch_data = template
        market = READER.node(launch_data, "InstanceMarketOptions", "MarketType")
        if market is None:
            capacity = reserved_by_template(
                Sourced(Capacity.ON_DEMAND, None, Provenance.INFERRED, f"launch template {_owner(owner)} sets no spot instance_market_options"), template
            )
        else:
            capacity = _market_capacity(market, _owner(owner))
        return capacity, _template_type(template, name), _links(template)
    configuration_node = READER.node(request, "LaunchConfiguration")
    if configuration_node is not None:
        configuration = _referenced(configuration_node, terraform, LAUNCH_CONFIGURATION) if terraform is not None else None
        if configuration is None:
            return Sourced(UNKNOWN, configuration_node.span, Provenance.DECLARED, f"the launch configuration of {name} is not in this module"), Sourced(), []
        resource, configuration_index = configuration
        body = request_node(terraform.module, resource.body, instance_scope_of(terraform, resource, configuration_index), SHAPES[LAUNCH_CONFIGURATION])
        links = [ResourceRef(LAUNCH_CONFIGURATION, resource.address, resource.body.span)]
        instance_type = _via(READER.read_str(body, "InstanceType"), f"instance_type of launch configuration {resource.address} ({name})")
        spot_price = READER.node(body, "SpotPrice")
        if spot_price is not None:
            return Sourced(Capacity.SPOT, spot_price.span, Provenance.INFERRED, f"spot_price of launch configuration {resource.address}"), instance_type, links
        return Sourced(Capacity.ON_DEMAND, resource.body.span, Provenance.INFERRED, f"launch configuration {resource.address} has no spot_price"), instance_type, links
    return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{name} names no launch template or configuration"), Sourced(), []


def _owner(owner) -> str:
    return owner if isinstance(owner, str) else owner.address


def _links(template) -> list[ResourceRef]:
    if template is None or isinstance(template[0], str):
        return []
    return [ResourceRef(template[0].type, template[0].address, template[0].body.span)]


def _template_type(template, group: str) -> Sourced:
    if template is None:
        return Sourced()
    owner, launch_data = template
    where = "" if isinstance(owner, str) and owner.startswith(group) else f" ({group})"  # a template the group's module builds names the group
    return _via(READER.read_str(launch_data, "InstanceType"), f"instance_type of launch template {_owner(owner)}{where}")


def _market_capacity(market: Node, launch_template: str) -> Sourced:
    market_type = READER.read_str(market)
    capacity = data.capacity_from_setting(MARKET_TYPE_CONTEXT, market_type.value) if market_type.known else None
    if capacity is not None:
        return Sourced(Capacity(capacity), market.span, Provenance.INFERRED, f"instance_market_options.market_type {market_type.value} of {launch_template}")
    return Sourced(UNKNOWN, market.span, Provenance.DECLARED, f"instance_market_options.market_type of {launch_template} is not known" + (f" ({market_type.note})" if market_type.note else ""))


def _via(value: Sourced, how: str) -> Sourced:
    """A value declared on another resource, as this deployment's inferred fact."""
    if not value.known and not value.note:
        return value
    note = how + (f"; {value.note}" if value.note else "")
    return replace(value, provenance=Provenance.INFERRED if value.known else value.provenance, note=note)

"""Purchase options of container compute: ECS capacity provider strategies, Auto Scaling groups, launch templates."""

from __future__ import annotations

from typing import Any

from linter import (
    UNKNOWN,
    Capacity,
    MappingNode,
    Node,
    Provenance,
    ResourceRef,
    Sourced,
    child,
    mappings,
)

from plugins import data
from plugins.adapters.aws.ecs import ProviderCapacity, distribution_capacity, distribution_defaults
from plugins.adapters.aws.ecs import strategy_capacity as shared_strategy_capacity
from plugins.adapters.aws.launch_templates import MARKET_TYPE_CONTEXT
from plugins.adapters.aws.launch_templates import launch_template_reservation as shared_reservation
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import TemplateRequestReader
from plugins.adapters.cloudformation.record_matching import same_value
from plugins.adapters.cloudformation.intrinsics import (
    ResourceValue,
)
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.cloudformation.resource_values import properties_of, shown_reference


# --- ECS capacity -----------------------------------------------------------------


def strategy_capacity(node: Node | None, template: TemplateContext) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, provider links, instance type) of an ECS capacity provider strategy (`plugins.adapters.aws.ecs`).

    A provider of the template is as spot as its Auto Scaling group.
    """
    return shared_strategy_capacity(node, TemplateRequestReader(template), lambda item, provider_node: _template_provider(item, provider_node, template))


def _template_provider(item: MappingNode, provider_node: Node | None, template: TemplateContext) -> ProviderCapacity:
    provider = template.resolve(provider_node)
    resource = _provider_resource(provider, template)
    if resource is None:
        return ProviderCapacity(
            shown_reference(provider), Sourced(UNKNOWN, item.span, Provenance.DECLARED, f"capacity provider {shown_reference(provider)} is not in this template")
        )
    capacity, instance_type, asg_links = provider_capacity(resource, template)
    return ProviderCapacity(resource.logical_id, capacity, (ResourceRef(resource.type, resource.logical_id, resource.key_span), *asg_links), instance_type, True)


def _provider_resource(provider: Any, template: TemplateContext) -> Resource | None:
    if isinstance(provider, ResourceValue):
        resource = template.resources.get(provider.logical_id)
        return resource if resource is not None and resource.type == "AWS::ECS::CapacityProvider" else None
    for resource in template.resources.values():
        if resource.type != "AWS::ECS::CapacityProvider":
            continue
        properties, _ = properties_of(resource, template)
        name = template.read_text(child(properties, "Name"))
        if name.known and same_value(name.value, provider):
            return resource
    return None


def provider_capacity(resource: Resource, template: TemplateContext) -> tuple[Sourced, Sourced, list[ResourceRef]]:
    """(capacity, instance type, links) of an `AWS::ECS::CapacityProvider` from its Auto Scaling group."""
    properties, _ = properties_of(resource, template)
    group_node = child(properties, "AutoScalingGroupProvider", "AutoScalingGroupArn")
    logical_id, value = template.reference(group_node)
    group = template.resources.get(logical_id) if logical_id else None
    if group is None or group.type != "AWS::AutoScaling::AutoScalingGroup":
        where = group_node.span if group_node is not None else resource.key_span
        return Sourced(UNKNOWN, where, Provenance.DECLARED, f"the Auto Scaling group of {resource.logical_id} is not in this template"), Sourced(), []
    capacity, instance_type = auto_scaling_group_capacity(group, template)
    return capacity, instance_type, [ResourceRef(group.type, group.logical_id, group.key_span)]


def auto_scaling_group_capacity(group: Resource, template: TemplateContext) -> tuple[Sourced, Sourced]:
    """(capacity, instance type) of an Auto Scaling group: its instances distribution or launch settings."""
    properties, note = properties_of(group, template)
    if properties is None:
        return Sourced(UNKNOWN, group.key_span, Provenance.DECLARED, note), Sourced()
    mixed = properties.get("MixedInstancesPolicy")
    if isinstance(mixed, MappingNode):
        overrides = mappings(child(mixed, "LaunchTemplate", "Overrides"))
        if overrides:
            instance_type = _via(template.read_str(overrides[0].get("InstanceType")), f"first instance type override of {group.logical_id}")
        else:
            instance_type = _launch_template_instance_type(child(mixed, "LaunchTemplate", "LaunchTemplateSpecification"), template, group)
        distribution = mixed.get("InstancesDistribution")
        percentage_node = child(distribution, "OnDemandPercentageAboveBaseCapacity")
        base_node = child(distribution, "OnDemandBaseCapacity")
        default_percentage, default_base = distribution_defaults(mixed.span)
        percentage = template.read_int(percentage_node) if percentage_node is not None else default_percentage
        base = template.read_int(base_node) if base_node is not None else default_base
        where = percentage_node.span if percentage_node is not None else mixed.span
        if not percentage.known or not base.known:
            return Sourced(UNKNOWN, where, Provenance.DECLARED, f"instances distribution of {group.logical_id}: {percentage.note or base.note}"), instance_type
        described = f"{group.logical_id}: OnDemandPercentageAboveBaseCapacity {percentage.value}, OnDemandBaseCapacity {base.value}"
        capacity = distribution_capacity(percentage.value, base.value)
        return Sourced(capacity, where, Provenance.INFERRED, described), instance_type
    template_node = properties.get("LaunchTemplate")
    if template_node is not None:
        launch_template = _launch_template(template_node, template)
        if launch_template is None:
            return Sourced(UNKNOWN, template_node.span, Provenance.DECLARED, f"the launch template of {group.logical_id} is not in this template"), Sourced()
        market = child(launch_template.node, "Properties", "LaunchTemplateData", "InstanceMarketOptions", "MarketType")
        instance_type = _launch_template_instance_type(template_node, template, group)
        return _market_capacity(market, template, launch_template.logical_id), instance_type
    configuration_node = properties.get("LaunchConfigurationName")
    if configuration_node is not None:
        logical_id, _ = template.reference(configuration_node)
        configuration = template.resources.get(logical_id) if logical_id else None
        if configuration is None:
            return Sourced(UNKNOWN, configuration_node.span, Provenance.DECLARED, f"the launch configuration of {group.logical_id} is not in this template"), Sourced()
        spot_price = child(configuration.node, "Properties", "SpotPrice")
        instance_type = _via(
            template.read_str(child(configuration.node, "Properties", "InstanceType")),
            f"InstanceType of launch configuration {logical_id} ({group.logical_id})",
        )
        if spot_price is not None:
            return Sourced(Capacity.SPOT, spot_price.span, Provenance.INFERRED, f"SpotPrice of launch configuration {logical_id}"), instance_type
        return Sourced(Capacity.ON_DEMAND, configuration.key_span, Provenance.INFERRED, f"launch configuration {logical_id} has no SpotPrice"), instance_type
    return Sourced(UNKNOWN, group.key_span, Provenance.DECLARED, f"{group.logical_id} names no launch template or configuration"), Sourced()


def _launch_template(node: Node | None, template: TemplateContext) -> Resource | None:
    for key in ("LaunchTemplateId", "Id", "LaunchTemplateName", "Name"):
        logical_id, _ = template.reference(child(node, key))
        if logical_id and logical_id in template.resources:
            resource = template.resources[logical_id]
            return resource if resource.type == "AWS::EC2::LaunchTemplate" else None
    return None


def launch_template_of(node: Node | None, template: TemplateContext) -> Resource | None:
    """The `AWS::EC2::LaunchTemplate` of this template a launch template specification names."""
    return _launch_template(node, template)


def _launch_template_instance_type(node: Node | None, template: TemplateContext, group: Resource) -> Sourced:
    resource = _launch_template(node, template)
    if resource is None:
        return Sourced()
    instance_type = template.read_str(child(resource.node, "Properties", "LaunchTemplateData", "InstanceType"))
    return _via(instance_type, f"InstanceType of launch template {resource.logical_id} ({group.logical_id})")


def _via(value: Sourced, how: str) -> Sourced:
    """A value declared on another resource, as this deployment's inferred fact."""
    if not value.known and not value.note:
        return value
    note = how + (f"; {value.note}" if value.note else "")
    return value.replaced(provenance=Provenance.INFERRED if value.known else value.provenance, note=note)


def _market_capacity(market: Node | None, template: TemplateContext, launch_template: str) -> Sourced:
    if market is None:
        resource = template.resources.get(launch_template)
        reserved = launch_template_reservation(resource, template) if resource is not None else None
        if reserved is not None:
            return reserved
        return Sourced(Capacity.ON_DEMAND, None, Provenance.INFERRED, f"launch template {launch_template} sets no spot InstanceMarketOptions")
    market_type = template.resolve(market)
    capacity = data.capacity_from_setting(MARKET_TYPE_CONTEXT, market_type) if isinstance(market_type, str) else None
    if capacity is not None:
        return Sourced(Capacity(capacity), market.span, Provenance.INFERRED, f"InstanceMarketOptions.MarketType {market_type} of {launch_template}")
    return Sourced(UNKNOWN, market.span, Provenance.DECLARED, f"InstanceMarketOptions.MarketType of {launch_template} is not known")


def launch_template_reservation(launch_template: Resource, template: TemplateContext) -> Sourced | None:
    """Reserved capacity an `AWS::EC2::LaunchTemplate` asks for, or None (`plugins.adapters.aws.launch_templates`).

    A target left to a parameter or a condition (`!If [NoReservation, !Ref
    AWS::NoValue, !Ref ReservationId]`) may be reserved: UNKNOWN, noted.
    """
    launch_data = child(launch_template.node, "Properties", "LaunchTemplateData")
    return shared_reservation(launch_data, TemplateRequestReader(template), launch_template.logical_id, _undecided_target)


def _undecided_target(node: Node, value: Sourced) -> str:
    if value.related:
        return "an empty parameter Default, set when the stack is created"
    if value.note:
        return value.note
    if intrinsic(node) is not None:
        return f"{intrinsic(node)} on the stack's parameters, which may set it"
    return "not known"

"""Linking the container compute around SageMaker: ECS, AWS Batch and EKS node groups.

The readers in `resources/batch.py`, `resources/ecs.py` and
`resources/eks_nodegroup.py` build finished deployments from one resource
and look up what it is linked to in the same template through the helpers
here:

- `properties_of`: a resource's Properties, also when the whole block is an
  `Fn::If` whose condition the template decides;
- `capacity_of`: a purchase-option property read through the data tables'
  `capacity_from_setting`, keeping conditions and unknowns;
- `string_list` / `network_of`: lists of instance types and subnets, with
  the Availability Zones of subnets defined in the template (the same
  `SubnetRecord`s SageMaker hosting uses);
- `compute_of_types`: the compute of a list of instance types, through
  `facts.compute_for` like every AWS adapter;
- `runners`: what starts jobs and tasks (EventBridge rule targets, Scheduler
  schedules, Pipes, Step Functions state machines, Lambda functions) and the
  resources each names;
- `strategy_capacity`: an ECS capacity provider strategy as a capacity;
- `ecs_scaling_for_service`: Application Auto Scaling targets with
  ServiceNamespace `ecs` and ResourceId `service/<cluster>/<service>`, with
  their policies, matched the way `hosting.py` matches SageMaker targets;
  `ecs_target_status` says the same of one target, for the report of every
  scalable target that `hosting.py` makes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    MappingNode,
    Network,
    Node,
    Provenance,
    ResourceRef,
    Scaling,
    SequenceNode,
    Sourced,
    Span,
    child,
    iter_nodes,
    mappings,
)

from plugins import data
from plugins.adapters.aws.application_autoscaling import ECS_NAMESPACE, ECS_SERVICE, scalable_resource
from plugins.adapters.cloudformation.context import TemplateContext, describe_unknown
from plugins.adapters.cloudformation.hosting import policy_target, same_value, with_alarm_metric
from plugins.adapters.cloudformation.intrinsics import (
    NO_VALUE,
    Choice,
    Opaque,
    Partial,
    ResourceValue,
    is_known,
    split_text,
)
from plugins.adapters.cloudformation.records import ScalableTargetRecord, TemplateRecords
from plugins.adapters.cloudformation.resources import readers
from plugins.adapters.cloudformation.resources.ec2_subnet import read as read_subnet
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.aws.inferred_facts import compute_for
from plugins.adapters.aws.written_values import text_of


# The data tables' context for ECS capacity provider names: the reserved
# Fargate providers; any other name is a cluster's own (Auto Scaling group) one.
ECS_PROVIDER_CONTEXT = "ecs-capacity-provider"

RUNNER_TYPES = (
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Pipes::Pipe",
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
)


# --- properties -------------------------------------------------------------------


def properties_of(resource: Resource, template: TemplateContext) -> tuple[MappingNode | None, str]:
    """The resource's Properties mapping, and why it is missing when it is.

    A whole `Properties: !If [Cond, {...}, {...}]` block is followed into
    the branch its condition selects; when the condition cannot be decided
    the properties are unknown (None) and the note says so.
    """
    node = resource.node.get("Properties")
    for _ in range(8):  # nested Fn::If blocks, bounded
        if node is None:
            return None, ""
        if intrinsic(node) != "Fn::If":
            return (node, "") if isinstance(node, MappingNode) else (None, "Properties is not a mapping")
        argument = _if_argument(node)
        if argument is None:
            return None, "Properties is a malformed Fn::If"
        condition_node, when_true, when_false = argument
        condition = condition_node.value if hasattr(condition_node, "value") else None
        truth = template.resolver.condition(condition) if isinstance(condition, str) else None
        if truth is None:
            return None, f"Properties depend on condition {condition}"
        node = when_true if truth else when_false
    return None, "Properties are nested too deep in Fn::If"


def _if_argument(node: Node) -> tuple[Node, Node, Node] | None:
    argument: Node | None = node
    if isinstance(node, MappingNode) and not node.tag.startswith("!"):
        argument = node.pairs[0][1] if len(node) == 1 else None
    if isinstance(argument, SequenceNode) and len(argument) == 3:
        return argument[0], argument[1], argument[2]
    return None


# --- values -----------------------------------------------------------------------


def capacity_of(node: Node | None, template: TemplateContext, context: str, what: str) -> Sourced:
    """A purchase-option property, read through the data tables' `capacity_from_setting(context, ...)`.

    Unknown with the reason when unresolved; malformed (raw kept) when the
    tables do not know the value; an undecidable `Fn::If` keeps the
    capacities of its branches in `options`, or is known when every branch
    agrees.
    """

    def convert(value: Any) -> Capacity | None:
        if not isinstance(value, str):
            return None
        capacity = data.capacity_from_setting(context, value)
        return Capacity(capacity) if capacity is not None else None

    value = template.sourced(node, convert, f"a {what} value")
    if value.known:
        written = template.resolve(node)
        note = f"{what} {written}" + (f" ({value.note})" if value.note else "")
        return replace(value, note=note)
    if value.options:
        options = tuple(dict.fromkeys(option for option in value.options if option is not None))
        if len(options) == 1 and len(value.options) >= 2 and None not in value.options:
            return Sourced(options[0], value.span, Provenance.DECLARED, f"{what}: {value.note}, every branch {options[0].value}")
        return replace(value, options=options)
    return value


def string_list(node: Node | None, template: TemplateContext, what: str) -> list[Sourced]:
    """The items of a list property as sourced strings (a resource reference as its logical ID).

    Items written in the list keep their own spans; a list made by an
    intrinsic (`!Split`, `!If`, a `List<>` parameter) points at the
    property. An unresolvable list is one unknown item with the reason.
    """
    if node is None:
        return []
    if isinstance(node, SequenceNode) and intrinsic(node) is None:
        items = []
        for item in node.items:
            resolved = template.resolve(item)
            if resolved is NO_VALUE:
                continue
            items.append(_item(item, resolved, template, item.span))
        return items
    resolved = template.resolve(node)
    if isinstance(resolved, list):
        function = intrinsic(node)
        return [_item(None, value, template, node.span, function) for value in resolved if value is not NO_VALUE]
    if isinstance(resolved, Choice):
        return [Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{what} depend on condition {resolved.condition}")]
    if is_known(resolved) and isinstance(resolved, str):
        return [Sourced(resolved, node.span)]
    function = intrinsic(node)
    reason = f"{function} is not resolved" if function and isinstance(resolved, Opaque) and "(" in resolved.key else f"{describe_unknown(resolved)} is not known"
    return [Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{what}: {reason}")]


def _item(node: Node | None, value: Any, template: TemplateContext, span: Span, function: str | None = None) -> Sourced:
    if isinstance(value, ResourceValue):
        return Sourced(value.logical_id, span, Provenance.DECLARED, f"resource {value.logical_id} of this template")
    if node is not None:
        return template.read_str(node)
    if is_known(value) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Sourced(str(value), span, Provenance.DECLARED, f"resolved from {function}" if function else "")
    return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{describe_unknown(value)} is not known")


def network_of(node: Node | None, template: TemplateContext) -> Network | None:
    """Subnets of a list property, with their zones when every subnet is defined in the template.

    Zones come from the same `SubnetRecord`s as SageMaker hosting's
    (`resources/ec2_subnet.py`), so zone questions are answered alike.
    """
    if node is None:
        return None
    subnets = tuple(string_list(node, template, "subnets"))
    zones = []
    for subnet in subnets:
        resource = template.resources.get(subnet.value) if subnet.known else None  # type: ignore[arg-type]
        if resource is None or resource.type != "AWS::EC2::Subnet":
            return Network(subnets=subnets, span=node.span)
        zones.append(subnet_zone(resource, template))
    return Network(subnets=subnets, zones=tuple(zones), span=node.span)


def subnet_zone(resource: Resource, template: TemplateContext) -> Sourced:
    """The Availability Zone of an `AWS::EC2::Subnet` of the template, as its own reader reads it."""
    zone = read_subnet(resource, template)[0].zone
    if not zone.known and not zone.note and not zone.options:
        return Sourced(UNKNOWN, resource.key_span, Provenance.DECLARED, f"subnet {resource.logical_id} names no Availability Zone (EC2 picks one)")
    return zone


def name_of(resource: Resource, properties: MappingNode | None, template: TemplateContext, key: str) -> Sourced:
    """The resource's declared name property, else its logical ID (inferred)."""
    name = template.read_text(child(properties, key))
    if not name.known and not name.options:
        return Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, f"logical ID (no {key})")
    return name


def names_resource(value: Any, resource: Resource, name: Sourced, strip_revision: bool = False) -> bool:
    """True when a reference value names `resource`: by logical ID, name or ARN ending in the name."""
    if isinstance(value, ResourceValue):
        return value.logical_id == resource.logical_id
    segments = split_text(value, "/")
    if not segments:
        return False
    last = segments[-1]
    if strip_revision:
        pieces = split_text(last, ":")
        if pieces and len(pieces) >= 2 and isinstance(pieces[-1], str) and pieces[-1].isdigit():
            last = _rejoin(pieces[:-1], ":")
    if not name.known or name.provenance is not Provenance.DECLARED:
        return False
    return same_value(last, name.value)


def _rejoin(pieces: list, separator: str) -> Any:
    if all(isinstance(piece, str) for piece in pieces):
        return separator.join(pieces)
    parts: list = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append(separator)
        parts.extend(piece.parts if isinstance(piece, Partial) else [piece])
    return Partial(tuple(parts))


# --- instance types ---------------------------------------------------------------

# InstanceTypes values that stand for a choice AWS Batch makes among general
# purpose (C, M, R) families, none of which has an accelerator.
GENERIC_INSTANCE_TYPES = {
    "optimal": "AWS Batch chooses among C, M and R family instances",
    "default_x86_64": "AWS Batch chooses among current x86_64 C, M and R family instances",
    "default_arm64": "AWS Batch chooses among current Graviton C, M and R family instances",
}


def compute_of_types(instance_types: list[Sourced], where) -> Compute:
    """The compute of the first instance type; its accelerator (and count) only when every type agrees."""
    if not instance_types:
        return Compute(instance_type=Sourced(UNKNOWN, where.span, Provenance.DECLARED, "no InstanceTypes"))
    computes = [_compute(instance_type) for instance_type in instance_types]
    first = computes[0]
    accelerators = {compute.accelerator.value for compute in computes if compute.accelerator.known}
    if len(accelerators) > 1 or (accelerators and any(not compute.accelerator.known for compute in computes)):
        described = ", ".join(
            f"{compute.instance_type.value} {compute.accelerator.value if compute.accelerator.known else 'unknown'}"
            for compute in computes
        )
        return replace(
            first,
            accelerator=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, f"instance types differ in accelerator: {described}"),
            accelerator_count=Sourced(),
        )
    counts = {compute.accelerator_count.value for compute in computes if compute.accelerator_count.known}
    if len(counts) > 1:
        described = ", ".join(f"{compute.instance_type.value} {compute.accelerator_count.get('unknown')}" for compute in computes)
        return replace(
            first,
            accelerator_count=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, f"instance types differ in accelerator count: {described}"),
        )
    return first


def _compute(instance_type: Sourced) -> Compute:
    if instance_type.known and str(instance_type.value) in GENERIC_INSTANCE_TYPES:
        note = GENERIC_INSTANCE_TYPES[str(instance_type.value)]
        return Compute(
            instance_type=instance_type,
            accelerator=Sourced("none", instance_type.span, Provenance.INFERRED, note),
            burstable=Sourced(False, instance_type.span, Provenance.INFERRED, note),
        )
    if instance_type.known and "." not in str(instance_type.value):
        return _family_compute(instance_type)
    return compute_for(instance_type)


def _family_compute(family: Sourced) -> Compute:
    """A bare family (`g4dn`, which AWS Batch accepts for any size) classified by the family tables.

    TRANSITIONAL: `data.instance_info` wants `family.size`; the size part
    here only stands in for "any size", so the accelerator count, which
    depends on the size, stays unknown.
    """
    info = data.instance_info(f"{family.value}.any-size")
    if info is None:
        return Compute(instance_type=family)
    note = f"instance family {info.family} (any size)"
    count = (
        Sourced(0, family.span, Provenance.INFERRED, note)
        if info.accelerator == "none"
        else Sourced(UNKNOWN, family.span, Provenance.INFERRED, "the accelerator count depends on the size AWS Batch picks")
    )
    return Compute(
        instance_type=family,
        accelerator=Sourced(info.accelerator, family.span, Provenance.INFERRED, note),
        accelerator_count=count,
        burstable=Sourced(info.burstable, family.span, Provenance.INFERRED, note),
    )


def instance_types_attribute(items: list[Sourced], node) -> Sourced:
    """Every instance type as one attribute value (a tuple), pointing at the list."""
    values = tuple(str(item.value) if item.known else "${unknown}" for item in items)
    span = node.span if node is not None else items[0].span
    return Sourced(values, span, Provenance.DECLARED, "" if all(item.known for item in items) else "some instance types are not known")


# --- who starts jobs and tasks ----------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """Something that starts jobs or tasks, and the resources of the template it names.

    `target` is the EventBridge/Scheduler/Pipes target node whose
    parameters (`BatchParameters`, `EcsParameters`) say how; None for a
    state machine or function, which is linked by naming both resources.
    """

    logical_id: str
    type: str
    span: Span
    references: frozenset[str]
    target: MappingNode | None
    description: str

    @property
    def link(self) -> ResourceRef:
        return ResourceRef(self.type, self.logical_id, self.span)


def runners(template: TemplateContext) -> list[Runner]:
    """Every runner of the template, one per target for rules, schedules and pipes."""
    found: list[Runner] = []
    for resource in template.resources.values():
        if resource.type not in RUNNER_TYPES:
            continue
        properties, _ = properties_of(resource, template)
        if properties is None:
            continue
        if resource.type == "AWS::Events::Rule":
            schedule = template.read_str(properties.get("ScheduleExpression"))
            how = f"EventBridge rule {resource.logical_id}" + (f" ({schedule.value})" if schedule.known else "")
            for target in mappings(properties.get("Targets")):
                found.append(_runner(resource, target, template, how, target))
        elif resource.type == "AWS::Scheduler::Schedule":
            schedule = template.read_str(properties.get("ScheduleExpression"))
            how = f"EventBridge Scheduler schedule {resource.logical_id}" + (f" ({schedule.value})" if schedule.known else "")
            target = properties.get("Target")
            if isinstance(target, MappingNode):
                found.append(_runner(resource, target, template, how, target))
        elif resource.type == "AWS::Pipes::Pipe":
            found.append(_runner(resource, properties, template, f"EventBridge pipe {resource.logical_id}", properties))
        elif resource.type.endswith("StateMachine"):
            found.append(_runner(resource, properties, template, f"state machine {resource.logical_id}", None))
        else:
            environment = child(properties, "Environment", "Variables")
            if environment is not None:
                found.append(_runner(resource, environment, template, f"function {resource.logical_id}", None))
    return found


def _runner(resource: Resource, node: Node, template: TemplateContext, how: str, target: MappingNode | None) -> Runner:
    return Runner(resource.logical_id, resource.type, resource.key_span, frozenset(referenced_ids(node, template)), target, how)


def referenced_ids(node: Node, template: TemplateContext) -> set[str]:
    """Logical IDs of the template's resources that `node` names by `Ref`, `GetAtt` or `Sub`."""
    found: set[str] = set()
    for inner in iter_nodes(node):
        if intrinsic(inner) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
            found |= _resource_ids(template.resolve(inner))
    return found


def _resource_ids(value: Any, depth: int = 0) -> set[str]:
    if depth > 32:
        return set()
    if isinstance(value, ResourceValue):
        return {value.logical_id}
    items: Iterable = ()
    if isinstance(value, Partial):
        items = value.parts
    elif isinstance(value, Choice):
        items = value.options
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list):
        items = value
    found: set[str] = set()
    for item in items:
        found |= _resource_ids(item, depth + 1)
    return found


# --- ECS capacity -----------------------------------------------------------------


def strategy_capacity(node: Node | None, template: TemplateContext) -> tuple[Sourced, list[ResourceRef], Sourced]:
    """(capacity, provider links, instance type) of an ECS capacity provider strategy.

    A provider takes tasks when its `Weight` or `Base` is above 0 (Weight
    defaults to 0). FARGATE is on-demand, FARGATE_SPOT spot; a provider of
    the template is as spot as its Auto Scaling group. Providers of both
    kinds make the capacity mixed; any provider that cannot be told makes
    it unknown unless the others already mix.
    """
    items = mappings(node)
    if not items:
        return Sourced(UNKNOWN, node.span if node is not None else None, Provenance.DECLARED, "capacity provider strategy not known"), [], Sourced()
    used = [item for item in items if _takes_tasks(item, template, items)]
    capacities: list[tuple[str, Sourced]] = []
    links: list[ResourceRef] = []
    instance_types: list[Sourced] = []
    inferred = False
    for item in used:
        provider_node = item.get("CapacityProvider")
        provider = template.resolve(provider_node)
        fargate = data.capacity_from_setting(ECS_PROVIDER_CONTEXT, provider) if isinstance(provider, str) else None
        if fargate is not None:
            capacities.append((provider, Sourced(Capacity(fargate), provider_node.span)))  # type: ignore[union-attr]
            instance_types.append(Sourced(UNKNOWN, provider_node.span, Provenance.INFERRED, "Fargate: no instance type"))  # type: ignore[union-attr]
            continue
        resource = _provider_resource(provider, template)
        if resource is None:
            capacities.append((_show(provider), Sourced(UNKNOWN, item.span, Provenance.DECLARED, f"capacity provider {_show(provider)} is not in this template")))
            continue
        links.append(ResourceRef(resource.type, resource.logical_id, resource.key_span))
        capacity, instance_type, asg_links = provider_capacity(resource, template)
        links.extend(asg_links)
        inferred = True
        capacities.append((resource.logical_id, capacity))
        instance_types.append(instance_type)
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
        fargate = all(not item.known and item.note.startswith("Fargate") for item in instance_types)
        if fargate or len(instance_types) == 1:
            instance_type = instance_types[0]
    if Capacity.MIXED in known or {Capacity.ON_DEMAND, Capacity.SPOT} <= known:
        return Sourced(Capacity.MIXED, span, provenance, f"capacity provider strategy: {described}"), links, instance_type
    if unknown:
        reasons = "; ".join(capacity.note for capacity in unknown if capacity.note)
        return Sourced(UNKNOWN, span, Provenance.DECLARED, f"capacity provider strategy: {described}" + (f" ({reasons})" if reasons else "")), links, instance_type
    if len(known) == 1:
        return Sourced(next(iter(known)), span, provenance, f"capacity provider strategy: {described}"), links, instance_type
    return Sourced(UNKNOWN, span, Provenance.DECLARED, "no capacity provider of the strategy takes tasks"), links, instance_type


def _takes_tasks(item: MappingNode, template: TemplateContext, items: list[MappingNode]) -> bool:
    if len(items) == 1:
        return True
    weight = template.read_int(item.get("Weight"))
    base = template.read_int(item.get("Base"))
    if item.get("Weight") is not None and not weight.known:
        return True
    if item.get("Base") is not None and not base.known:
        return True
    return (weight.get(0) or 0) > 0 or (base.get(0) or 0) > 0


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
        percentage = template.read_int(percentage_node) if percentage_node is not None else Sourced(100, mixed.span, Provenance.DEFAULT)
        base = template.read_int(base_node) if base_node is not None else Sourced(0, mixed.span, Provenance.DEFAULT)
        where = percentage_node.span if percentage_node is not None else mixed.span
        if not percentage.known or not base.known:
            return Sourced(UNKNOWN, where, Provenance.DECLARED, f"instances distribution of {group.logical_id}: {percentage.note or base.note}"), instance_type
        described = f"{group.logical_id}: OnDemandPercentageAboveBaseCapacity {percentage.value}, OnDemandBaseCapacity {base.value}"
        if percentage.value >= 100:
            capacity = Capacity.ON_DEMAND
        elif percentage.value <= 0 and base.value <= 0:
            capacity = Capacity.SPOT
        else:
            capacity = Capacity.MIXED
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
    return replace(value, provenance=Provenance.INFERRED if value.known else value.provenance, note=note)


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


MARKET_TYPE_CONTEXT = "ec2-market-type"
RESERVATION_PREFERENCE_CONTEXT = "ec2-capacity-reservation-preference"
RESERVATION_TARGETS = ("CapacityReservationId", "CapacityReservationResourceGroupArn")


def launch_template_reservation(launch_template: Resource, template: TemplateContext) -> Sourced | None:
    """Reserved capacity a launch template asks for, or None when it asks for none.

    RESERVED for a Capacity Block (`InstanceMarketOptions.MarketType
    capacity-block`), a `CapacityReservationTarget` that names a
    reservation or reservation group, or `CapacityReservationPreference
    capacity-reservations-only`. A target whose reservation is left to a
    parameter or a condition (`!If [NoReservation, !Ref AWS::NoValue, !Ref
    ReservationId]`) may be reserved: UNKNOWN, noted, since the template is
    written to run in a reservation when it is given one.
    """
    launch_data = child(launch_template.node, "Properties", "LaunchTemplateData")
    name = launch_template.logical_id
    market = child(launch_data, "InstanceMarketOptions", "MarketType")
    if market is not None:
        market_type = template.resolve(market)
        if isinstance(market_type, str) and data.capacity_from_setting(MARKET_TYPE_CONTEXT, market_type) == Capacity.RESERVED.value:
            return Sourced(Capacity.RESERVED, market.span, Provenance.INFERRED, f"InstanceMarketOptions.MarketType {market_type} of launch template {name}")
    specification = child(launch_data, "CapacityReservationSpecification")
    preference = child(specification, "CapacityReservationPreference")
    if preference is not None:
        value = template.resolve(preference)
        if isinstance(value, str) and data.capacity_from_setting(RESERVATION_PREFERENCE_CONTEXT, value) == Capacity.RESERVED.value:
            return Sourced(Capacity.RESERVED, preference.span, Provenance.INFERRED, f"CapacityReservationPreference {value} of launch template {name}")
    target = child(specification, "CapacityReservationTarget")
    if target is None:
        return None
    members = [(key, child(target, key)) for key in RESERVATION_TARGETS] if isinstance(target, MappingNode) else [("CapacityReservationTarget", target)]
    undecided = []
    for key, node in members:
        if node is None:
            continue
        value = template.read_str(node)
        if value.known and str(value.value).strip():
            return Sourced(Capacity.RESERVED, node.span, Provenance.INFERRED, f"launch template {name} targets a capacity reservation ({key} {value.value})")
        if value.known and not value.related:
            continue  # written empty: no reservation
        undecided.append((key, node, value))
    if not undecided:
        return None
    key, node, value = undecided[0]
    if value.related:
        why = "an empty parameter Default, set when the stack is created"
    elif value.note:
        why = value.note
    elif intrinsic(node) is not None:
        why = f"{intrinsic(node)} on the stack's parameters, which may set it"
    else:
        why = "not known"
    return Sourced(
        UNKNOWN, node.span, Provenance.DECLARED,
        f"launch template {name} may target a capacity reservation (CapacityReservationTarget {key}: {why}): reserved capacity when one is given",
    )


def _show(value: Any) -> str:
    if isinstance(value, ResourceValue):
        return value.logical_id
    if isinstance(value, (Partial, Opaque, Choice)):
        return f"'{value}'"
    return text_of(value, repr) if not isinstance(value, str) else value


# --- ECS service autoscaling -------------------------------------------------------


SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
SCALING_POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"


def ecs_scaling_for_service(
    service: Resource, service_name: Sourced, cluster: Any, template: TemplateContext
) -> list[tuple[Scaling, ResourceRef]]:
    """Every ECS scalable target of the template whose ResourceId names this service.

    `service/<cluster>/<service>`: the service segment matches the
    service's `GetAtt Name` (or `Ref`) or its declared ServiceName; the
    cluster segment must not contradict the service's Cluster (default
    `default`) when both are known. Targets and their policies (and the
    alarms of step-scaling policies) are read by their own readers, and
    policies are matched to targets by `hosting.py`'s rules; only the
    targets that name this service are read in full.
    """
    words = [service.logical_id]
    if service_name.known and service_name.provenance is Provenance.DECLARED and isinstance(service_name.value, str):
        words.append(service_name.value)
    matched = [
        resource
        for resource in _ecs_targets(template)
        if _mentions(resource, words, template) and _target_names(resource, service, service_name, cluster, template)
    ]
    if not matched:
        return []
    records = _scaling_records(matched, template)
    found = []
    for target in records.targets:
        policies = [
            with_alarm_metric(policy, records).policy
            for policy in records.policies
            if policy_target(policy, records.targets) is target
        ]
        scaling = Scaling(
            min_capacity=target.min_capacity,
            max_capacity=target.max_capacity,
            dimension=target.dimension,
            policies=tuple(policies),
            linked_by=f"ResourceId of {target.logical_id}",
            span=target.span,
        )
        found.append((scaling, ResourceRef(SCALABLE_TARGET, target.logical_id, target.span)))
    return found


def _ecs_targets(template: TemplateContext) -> list[Resource]:
    found = []
    for resource in template.resources.values():
        if resource.type == SCALABLE_TARGET:
            properties, _ = properties_of(resource, template)
            if template.resolve(child(properties, "ServiceNamespace")) == ECS_NAMESPACE:
                found.append(resource)
    return found


def _mentions(target: Resource, words: list[str], template: TemplateContext) -> bool:
    """A cheap first look: does any text of the target's ResourceId contain one of the words?"""
    properties, _ = properties_of(target, template)
    resource_id = child(properties, "ResourceId")
    if resource_id is None:
        return False
    if any("${" in word for word in words):
        return True  # a partly unresolved name: only resolving can tell
    for node in iter_nodes(resource_id):
        value = getattr(node, "value", None)
        if isinstance(value, str) and any(word in value for word in words):
            return True
    return False


def _target_names(target: Resource, service: Resource, service_name: Sourced, cluster: Any, template: TemplateContext) -> bool:
    properties, _ = properties_of(target, template)
    resource = scalable_resource(split_text(template.resolve(child(properties, "ResourceId")), "/"))
    if resource is None or resource.kind != ECS_SERVICE:
        return False
    cluster_segment, service_segment = resource.names
    if not _names_service(service_segment, service, service_name):
        return False
    return cluster is None or _cluster_agrees(cluster_segment, cluster, template)


def _scaling_records(targets: list[Resource], template: TemplateContext) -> TemplateRecords:
    """Records of these targets, of the policies that may drive them and of the alarms of those policies."""
    table = readers()
    records = TemplateRecords()
    target_ids = {target.logical_id for target in targets}
    for target in targets:
        for item in table[SCALABLE_TARGET](target, template):
            records.add(item)
    policy_ids: set[str] = set()
    for resource in template.resources.values():
        if resource.type != SCALING_POLICY:
            continue
        properties, _ = properties_of(resource, template)
        target_node = child(properties, "ScalingTargetId")
        if target_node is not None and template.reference(target_node)[0] not in target_ids:
            continue
        for item in table[SCALING_POLICY](resource, template):
            records.add(item)
            policy_ids.add(resource.logical_id)
    for resource in template.resources.values():
        if resource.type == "AWS::CloudWatch::Alarm" and referenced_ids(resource.node, template) & policy_ids:
            for item in table[resource.type](resource, template):
                records.add(item)
    return records


def service_cluster(properties: MappingNode | None, template: TemplateContext) -> tuple[str | None, Any]:
    """(logical ID, value) of an ECS service's Cluster; the value is `default` when none is named."""
    node = child(properties, "Cluster")
    if node is None:
        return None, "default"
    return template.reference(node)


def ecs_target_status(target: ScalableTargetRecord, template: TemplateContext) -> tuple[str, str, str, str]:
    """(status, reason, deployment ID, unit name) of an ECS scalable target, as `ScalingTarget` reports it.

    For `hosting.py`, which reports every scalable target of a template:
    "linked" when an `AWS::ECS::Service` of the template matches
    `service/<cluster>/<service>` the way `ecs_scaling_for_service` does.
    """
    resource = scalable_resource(split_text(target.resource_id, "/"))
    if resource is None or resource.kind != ECS_SERVICE:
        return "unresolved", f"ResourceId {_show(target.resource_id)} is not service/<cluster>/<service>", "", ""
    cluster_segment, service_segment = resource.names
    for candidate in template.resources.values():
        if candidate.type != "AWS::ECS::Service":
            continue
        properties, _ = properties_of(candidate, template)
        name = name_of(candidate, properties, template, "ServiceName")
        _, cluster = service_cluster(properties, template)
        if _names_service(service_segment, candidate, name) and _cluster_agrees(cluster_segment, cluster, template):
            return "linked", f"ECS service {_show(service_segment)}", template.deployment_id(candidate.logical_id), str(name.value)
    if isinstance(service_segment, str):
        return "no-such-deployment", f"no ECS service named {service_segment!r} in this template", "", ""
    return "unresolved", f"service name {_show(service_segment)} matches no ECS service of this template", "", ""


def _names_service(segment: Any, service: Resource, name: Sourced) -> bool:
    if isinstance(segment, ResourceValue):
        return segment.logical_id == service.logical_id
    return name.known and name.provenance is Provenance.DECLARED and same_value(segment, name.value)


def _cluster_agrees(segment: Any, cluster: Any, template: TemplateContext) -> bool:
    if isinstance(segment, ResourceValue) and isinstance(cluster, ResourceValue):
        return segment.logical_id == cluster.logical_id
    if isinstance(cluster, ResourceValue) and cluster.logical_id in template.resources:
        properties, _ = properties_of(template.resources[cluster.logical_id], template)
        declared = template.resolve(child(properties, "ClusterName"))
        cluster = declared if isinstance(declared, str) else cluster
    if isinstance(segment, str) and isinstance(cluster, str):
        return segment == cluster or cluster.endswith("/" + segment)
    return True  # one side unknown: the service segment decides

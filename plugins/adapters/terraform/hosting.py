"""SageMaker hosting and Application Auto Scaling resources of one Terraform module, linked into deployments.

`aws_sagemaker_endpoint` -> `aws_sagemaker_endpoint_configuration` (by
`endpoint_config_name`) -> `aws_sagemaker_model` (by each variant's
`model_name`), read through the shared SageMaker request reader; an
endpoint configuration no endpoint of the module names is a deployment of
its own. Links follow references (`aws_sagemaker_model.m.name` names the
model `m` whatever its name evaluates to) and equal known names.
`aws_appautoscaling_target`'s `resource_id` (`endpoint/<endpoint>/variant/
<variant>`) links to a variant; `aws_appautoscaling_policy` to the target
its `resource_id` references, or to the target with the same
(resource_id, scalable_dimension, service_namespace); an
`aws_appautoscaling_scheduled_action` likewise, as a policy of type
`ScheduledAction` (it moves the capacity on a schedule). A step-scaling
policy's metric is that of the first `aws_cloudwatch_metric_alarm` whose
`alarm_actions` name it (read only in a module with scaling policies, and
only the alarms naming one). A SageMaker target's scaling takes what the
data tables say of its dimension and metrics (`target_scaling`). A target of
namespace `ecs` (`service/<cluster>/<service>`) links to the ECS service
(`ecs.py`) its service segment references or names.

A resource whose `count` is decided 0 (or `for_each` decided empty) is not
created and not read; one whose count is not decided is read as created.
A resource with several instances is read once, but for an autoscaling
target, policy, scheduled action or alarm: each instance (up to 64, when its
count or for_each is known) is read with its own `count.index` or `each`, so
that a target written once for several variants scales each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from linter import UNKNOWN, LinkStatus, Provenance, ResourceRef, Scaling, ScalingTarget, Sourced

from plugins import data
from plugins.adapters.aws.application_autoscaling import (
    ECS_NAMESPACE,
    ECS_SERVICE,
    SAGEMAKER_NAMESPACE,
    VARIANT,
    read_policy,
    scalable_resource,
    scheduled_action,
    target_scaling,
    with_alarm_metric,
)
from plugins.adapters.aws.inferred_facts import with_image_region
from plugins.adapters.aws.sagemaker_requests import hosting_deployment, read_endpoint, read_endpoint_config, read_model
from plugins.adapters.terraform.module import TerraformModule, module_blocks
from plugins.adapters.terraform.requests import READER, SHAPES, request_node
from plugins.adapters.terraform.values import Resource, ResourceInstance, Unknown, instance_address, instances, split_parts

if TYPE_CHECKING:
    from plugins.adapters.terraform.ecs import EcsService

__all__ = ["HOSTING_TYPES", "module_items"]

HOSTING_TYPES = frozenset(
    {
        "aws_sagemaker_model", "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint",
        "aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action",
    }
)
# Read only for a module with scaling policies, and only where its alarm_actions name one (`_alarm_metrics`).
_ALARM = "aws_cloudwatch_metric_alarm"
ORIGIN = "Terraform resource"
# Read once per instance: a scaling target or policy written once for several variants (`for_each`, `count`).
_PER_INSTANCE = frozenset({"aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"})
# The resource types the ECS reader reads (`ecs.ECS_TYPES`; tests/adapters/test_terraform.py keeps them equal).
ECS_TYPES = frozenset({"aws_ecs_service", "aws_ecs_task_definition"})


@dataclass
class _Read:
    resource: Resource
    request: Any
    parsed: Any = None
    keys: tuple[str, ...] = ()
    # One instance's reading (scaling targets and policies: `aws_x.y["key"]`, with `each`/`count` in `scope`);
    # the resource's own address and `instance_scope` for a resource read once.
    address: str = ""
    scope: Any = None


@dataclass
class _Target:
    read: _Read
    resource_id: Any  # the evaluated resource_id
    scaling: Scaling | None = None
    policies: list = field(default_factory=list)


def _keys(address: str, name_key: str | None) -> tuple[str, ...]:
    return ("#" + address,) + ((name_key,) if name_key is not None else ())


def module_items(terraform: TerraformModule, extensions: data.Extensions = data.SHIPPED) -> dict[str, list]:
    """The deployments and scaling targets of a module's hosting resources, by the path of the file each is anchored in.

    `extensions` is the run's `[data]` section (`data.extensions_of(run)`), for the facts inferred from images and instance types.
    """
    reader = READER.with_extensions(extensions)
    module = terraform.module
    reads: dict[str, list[_Read]] = {name: [] for name in HOSTING_TYPES}
    for resource in terraform.resources:
        if resource.type not in HOSTING_TYPES or module.is_created(resource) is False:
            continue
        # A scaling target or policy with several instances (`for_each` over variants) is read per instance,
        # so that each names its variant; the hosting resources are read once (see the module docstring).
        readings = instances(module, resource) if resource.type in _PER_INSTANCE else [(resource.address, module.instance_scope(resource))]
        for address, scope in readings:
            request = request_node(module, resource.body, scope, SHAPES[resource.type])
            reads[resource.type].append(_Read(resource, request, address=address, scope=scope))

    models = {}
    for read in reads["aws_sagemaker_model"]:
        link = ResourceRef(read.resource.type, read.resource.address, read.resource.body.span)
        read.parsed = read_model(read.request, reader, link)
        for key in _keys(read.resource.address, read.parsed.key):
            models.setdefault(key, read.parsed.model)
    configs = {}
    for read in reads["aws_sagemaker_endpoint_configuration"]:
        link = ResourceRef(read.resource.type, read.resource.address, read.resource.body.span)
        read.parsed = read_endpoint_config(read.request, reader, link, f"{ORIGIN} {read.resource.address}")
        read.keys = _keys(read.resource.address, read.parsed.key)
        for key in read.keys:
            configs.setdefault(key, read)
    hostings: list[tuple[_Read, _Read | None, _Read | None]] = []  # (anchor, endpoint, config)
    used: set[int] = set()
    for read in reads["aws_sagemaker_endpoint"]:
        link = ResourceRef(read.resource.type, read.resource.address, read.resource.body.span)
        read.parsed = read_endpoint(read.request, reader, link, f"{ORIGIN} {read.resource.address}")
        read.keys = _keys(read.resource.address, READER.name_key(read.request, "EndpointName"))
        config = configs.get(read.parsed.config_key) if read.parsed.config_key is not None else None
        if config is not None:
            used.add(id(config))
        hostings.append((read, read, config))
    for read in reads["aws_sagemaker_endpoint_configuration"]:
        if id(read) not in used:
            hostings.append((read, None, read))

    deployments = []
    for anchor, endpoint, config in hostings:
        deployment = hosting_deployment(
            f"{anchor.resource.path}#{anchor.resource.address}",
            anchor.resource.body.span,
            endpoint.parsed if endpoint is not None else None,
            config.parsed if config is not None else None,
            lambda key: models.get(key),
            where="in this module",
        )
        deployments.append((deployment, endpoint))

    targets = [_Target(read, module.evaluate(read.resource.body.get("resource_id"), read.scope).value) for read in reads["aws_appautoscaling_target"]]
    targets_of = _PolicyTargets(targets)
    alarm_metrics = _alarm_metrics(terraform, module) if reads["aws_appautoscaling_policy"] else {}
    for read in reads["aws_appautoscaling_policy"]:
        driven = targets_of.targets_of(read, module)
        if driven:
            policy = read_policy(read.request, READER, read.resource.body.span)
            # An instance's alarm, else one naming the policy as a whole (a policy whose instances are not known is read once).
            policy = with_alarm_metric(policy, alarm_metrics.get(read.address) or alarm_metrics.get(read.resource.address))
            for target in driven:
                target.policies.append(policy)
    for read in reads["aws_appautoscaling_scheduled_action"]:  # drives its target on a schedule, as a policy would
        for target in targets_of.targets_of(read, module):
            target.policies.append(scheduled_action(read.resource.body.span, read.address))

    services, items = _module_ecs(terraform, extensions)
    scaling_targets = []
    for target in targets:
        linked, deployments, services = _link_target(target, deployments, services)
        scaling_targets.append(linked)

    for deployment, _ in deployments:
        items.setdefault(deployment.span.path, []).extend(with_image_region([deployment]))
    # What the requests could not read, at the resource that says it: workload profile tags (MD004), and
    # variants or containers beyond what SageMaker accepts (MD001).
    for read in (*reads["aws_sagemaker_model"], *reads["aws_sagemaker_endpoint_configuration"], *reads["aws_sagemaker_endpoint"]):
        if read.parsed.problems:
            items.setdefault(read.resource.path, []).extend(read.parsed.problems)
    for service in services:
        items.setdefault(service.path, []).append(service.deployment)
    for target, scaling_target in zip(targets, scaling_targets):
        items.setdefault(target.read.resource.path, []).append(scaling_target)
    return items


def _module_ecs(terraform: TerraformModule, extensions: data.Extensions) -> tuple[list[EcsService], dict[str, list]]:
    """`ecs.module_ecs`: the ECS reader (and the Auto Scaling group and launch template readers behind it) is
    imported only for a module with an ECS service or task definition, or a `module` block (the ECS registry
    modules' calls); any other module has no ECS service and no item of one."""
    if not any(resource.type in ECS_TYPES for resource in terraform.resources) and not module_blocks(terraform):
        return [], {}
    from plugins.adapters.terraform.ecs import module_ecs

    return module_ecs(terraform, extensions)


_TRIPLE = ("ResourceId", "ScalableDimension", "ServiceNamespace")


class _PolicyTargets:
    """The module's scaling targets by address and by (resource_id, scalable_dimension, service_namespace), filed
    once: a module of targets and policies written for many instances (`for_each`) compared every pair."""

    def __init__(self, targets: list[_Target]) -> None:
        self._by_address: dict[str, _Target] = {}
        self._by_triple: dict[tuple, _Target] = {}
        for target in targets:  # the first of each address and triple, as a search in order finds it
            self._by_address.setdefault(target.read.address, target)
            triple = tuple(READER.name_key(target.read.request, key) for key in _TRIPLE)
            if None not in triple:
                self._by_triple.setdefault(triple, target)

    def targets_of(self, read: _Read, module) -> list[_Target]:
        """The targets a policy (or scheduled action) drives: `target_of`'s, or, for one written once per target
        (`for_each = aws_appautoscaling_target.t`, its triple from `each.value`), the target instance of each of
        its instances (every instance of the target when its own are not known)."""
        for_each = read.resource.body.get("for_each")
        if for_each is not None:
            over = module.evaluate(for_each, module.instance_scope(read.resource)).value
            ref = _whole_target(over)
            if ref is not None:
                key = read.address[len(read.resource.address):]  # `["a"]` of one instance; "" for the policy read once
                found = self._by_address.get(ref + key) if key else None
                if found is not None:
                    return [found]
                if not key:
                    return [target for address, target in self._by_address.items() if address.startswith(ref + "[")]
        target = self.target_of(read, module)
        return [target] if target is not None else []

    def target_of(self, read: _Read, module) -> _Target | None:
        """The target a policy (or scheduled action) drives: the one its resource_id references, else the one with
        the same triple.

        A reference to one instance of a target read per instance (`aws_appautoscaling_target.t[each.key]`) is
        that instance's; any reference to a target read once (one instance, `t[0]` too, or instances not known)
        is that target's.
        """
        value = module.evaluate(read.resource.body.get("resource_id"), read.scope).value
        if isinstance(value, Unknown) and value.ref is not None:
            found = self._by_address.get(instance_address(value.ref, value.index)) or self._by_address.get(value.ref)
            if found is not None:
                return found
        triple = tuple(READER.name_key(read.request, key) for key in _TRIPLE)
        return None if None in triple else self._by_triple.get(triple)


def _alarm_metrics(terraform: TerraformModule, module) -> dict[str, tuple[Sourced[str], Sourced[str]]]:
    """The (metric, namespace) of the first alarm whose `alarm_actions` name each scaling policy: by the instance
    address the action names, and by the policy's own address.

    A step-scaling policy names no metric: the CloudWatch alarm that triggers it does (`alarm_actions =
    [aws_appautoscaling_policy.x.arn]`). An alarm on a metric query (metric math) names no one metric. Each
    alarm instance's actions are evaluated first; its request is read only when one names a policy.
    """
    found: dict[str, tuple[Sourced[str], Sourced[str]]] = {}
    for resource in terraform.resources:
        if resource.type != _ALARM or module.is_created(resource) is False:
            continue
        for _, scope in instances(module, resource):
            actions = module.evaluate(resource.body.get("alarm_actions"), scope).value
            named = [
                action for action in (actions if isinstance(actions, (list, tuple)) else ())
                if isinstance(action, Unknown) and action.ref is not None and action.ref.startswith("aws_appautoscaling_policy.")
            ]
            if not named:
                continue
            # Only the two arguments are read (an alarm's metric queries make its request costly to build).
            metric = (_argument_text(module, resource, "metric_name", scope), _argument_text(module, resource, "namespace", scope))
            for action in named:
                found.setdefault(instance_address(action.ref, action.index), metric)
                found.setdefault(action.ref, metric)
    return found


def _argument_text(module, resource: Resource, name: str, scope) -> Sourced[str]:
    """A text argument of `resource` as evaluated in `scope`: known, unknown with why, or not written."""
    node = resource.body.get(name)
    if node is None:
        return Sourced()
    value = module.evaluate(node, scope).value
    if isinstance(value, str):
        return Sourced(value, node.span, Provenance.DECLARED)
    note = value.note if isinstance(value, Unknown) else f"{name} is not text"
    return Sourced(UNKNOWN, node.span, Provenance.DECLARED, note)


def _whole_target(value: Any) -> str | None:
    """The address of the scaling target resource `value` is as a whole (every instance: `aws_appautoscaling_target.t`), or None."""
    if isinstance(value, ResourceInstance) and value.index is None and value.resource.type == "aws_appautoscaling_target":
        return value.resource.address
    if isinstance(value, Unknown) and value.ref is not None and value.index is None and value.ref.startswith("aws_appautoscaling_target."):
        return value.ref
    return None


def _link_target(target: _Target, deployments: list, services: list[EcsService]) -> tuple[ScalingTarget, list, list[EcsService]]:
    request, resource, address = target.read.request, target.read.resource, target.read.address
    namespace = READER.read_str(request, "ServiceNamespace")
    scaling = target_scaling(
        namespace,
        READER.read_str(request, "ScalableDimension"),
        tuple(target.policies),
        min_capacity=READER.read_int(request, "MinCapacity"),
        max_capacity=READER.read_int(request, "MaxCapacity"),
        linked_by=f"resource_id of {address}",
        span=resource.body.span,
    )
    resource_id = READER.read_text(request, "ResourceId")

    def result(status: LinkStatus, reason: str, deployment_id: str = "", unit: str = "") -> ScalingTarget:
        return ScalingTarget(resource_id=resource_id, scaling=scaling, status=status, reason=reason, deployment_id=deployment_id, unit_name=unit, span=resource.body.span)

    segments = split_parts(target.resource_id, "/")
    parsed = scalable_resource(segments) if segments else None
    if (namespace.known and namespace.value == ECS_NAMESPACE) or (not namespace.known and parsed is not None and parsed.kind == ECS_SERVICE):
        linked, services = _link_ecs_target(parsed, ResourceRef(resource.type, address, resource.body.span), scaling, resource_id, result, services)
        return linked, deployments, services
    if namespace.known and namespace.value != SAGEMAKER_NAMESPACE:
        return result(LinkStatus.OTHER_SERVICE, f"service_namespace {namespace.value}"), deployments, services
    if parsed is None or parsed.kind != VARIANT:
        shown = resource_id.value if resource_id.known else resource_id.note or "not written"
        return result(LinkStatus.UNRESOLVED, f"resource_id {shown!r} is not an endpoint variant this module names"), deployments, services
    endpoint_name, variant_name = parsed.names
    for index, (deployment, endpoint) in enumerate(deployments):
        if endpoint is None or not _names(endpoint_name, endpoint):
            continue
        if not isinstance(variant_name, str):
            return result(LinkStatus.UNRESOLVED, f"the variant name in resource_id is not known ({variant_name.note})", deployment.id), deployments, services
        for position, unit in enumerate(deployment.units):
            if unit.name.known and unit.name.value == variant_name:
                units = list(deployment.units)
                units[position] = replace(unit, scaling=unit.scaling + (scaling,))
                links = deployment.links + (ResourceRef(resource.type, address, resource.body.span),)
                deployments = list(deployments)
                deployments[index] = (replace(deployment, units=tuple(units), links=links), endpoint)
                return result(LinkStatus.LINKED, f"endpoint {_shown(endpoint)}, variant {variant_name!r}", deployment.id, variant_name), deployments, services
        names = ", ".join(str(unit.name.value) for unit in deployment.units if unit.name.known) or "none"
        return result(LinkStatus.NO_SUCH_UNIT, f"endpoint {_shown(endpoint)} has no variant {variant_name!r} (variants: {names})", deployment.id), deployments, services
    if isinstance(endpoint_name, str):
        return result(LinkStatus.NO_SUCH_DEPLOYMENT, f"no endpoint named {endpoint_name!r} in this module"), deployments, services
    return result(LinkStatus.UNRESOLVED, f"the endpoint name in resource_id is not known ({endpoint_name.note})"), deployments, services


def _link_ecs_target(parsed, link: ResourceRef, scaling: Scaling, resource_id: Sourced, result, services: list[EcsService]) -> tuple[ScalingTarget, list[EcsService]]:
    """Link a target of namespace `ecs` (`service/<cluster>/<service>`) to the service its last segment references or names (`link`: the target)."""
    if parsed is None or parsed.kind != ECS_SERVICE:
        shown = resource_id.value if resource_id.known else resource_id.note or "not written"
        return result(LinkStatus.UNRESOLVED, f"resource_id {shown!r} is not an ECS service this module names"), services
    service_name = parsed.names[1]
    if isinstance(service_name, Unknown):
        matches = [index for index, service in enumerate(services) if service_name.ref is not None and _same_resource(service.address, service_name.ref)]
        if len(matches) != 1:
            return result(LinkStatus.UNRESOLVED, f"the service name in resource_id is not known ({service_name.note})"), services
    else:
        matches = [
            index for index, service in enumerate(services)
            if service.name.known and service.name.provenance is Provenance.DECLARED and service.name.value == service_name
        ]
        if not matches:
            # Registered for a service that exists already: another module or root makes it as often as this one.
            return result(LinkStatus.NOT_IN_RUN, f"no ECS service named {service_name!r} in this module: it may be made elsewhere"), services
    index = matches[0]
    service = services[index]
    deployment = service.deployment
    (unit, *rest) = deployment.units
    deployment = replace(
        deployment, units=(replace(unit, scaling=unit.scaling + (scaling,)), *rest),
        links=deployment.links + (link,),
    )
    services = list(services)
    services[index] = replace(service, deployment=deployment)
    unit_name = str(unit.name.value) if unit.name.known else ""
    return result(LinkStatus.LINKED, f"ECS service {service.address}", deployment.id, unit_name), services


def _same_resource(address: str, ref: str) -> bool:
    return address == ref or address.startswith(ref + "[")


def _shown(endpoint: _Read) -> str:
    """An endpoint as a reason names it: its name when known, else its address."""
    name = endpoint.parsed.name
    if name.known and not (name.note or "").startswith("partly"):
        return repr(name.value)
    return endpoint.resource.address


def _names(name: Any, endpoint: _Read) -> bool:
    """True when a resource_id segment names this endpoint: by reference, or by its known name."""
    if isinstance(name, Unknown):
        return name.ref == endpoint.resource.address
    endpoint_name = endpoint.parsed.name
    return endpoint_name.known and not (endpoint_name.note or "").startswith("partly") and endpoint_name.value == name

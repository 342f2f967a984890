"""Application Auto Scaling request documents of a run, linked to the endpoints of its SageMaker request documents.

A team that creates its endpoints with `aws sagemaker create-... --cli-input-json`
registers their autoscaling the same way: `aws application-autoscaling
register-scalable-target --cli-input-json file://target.json`, then
`put-scaling-policy` and `put-scheduled-action`. Each such document is read
(`read_request`) and each target linked by its triple (`link_targets`),
among the endpoints of the run's request documents or of one state
machine (whose `aws-sdk:applicationautoscaling` tasks are such requests):

- a RegisterScalableTarget document is a target: its ResourceId
  (`endpoint/<endpoint>/variant/<variant>`) names an endpoint of the run's
  CreateEndpoint documents, whose configuration names the variant; the
  variant's unit then has the target's scaling;
- a target's ResourceId `inference-component/<name>` names a
  CreateInferenceComponent document placed on such an endpoint, whose unit
  then has the scaling (a component the requests do not place is not
  theirs to judge: NOT_IN_RUN);
- a PutScalingPolicy or PutScheduledAction document drives the targets of
  its triple (ResourceId, ScalableDimension, ServiceNamespace, as written).

A target whose endpoint no request document creates may name an endpoint
of another file of the run (a template's): it is left for the run-wide link
(`link_outside_requests`), which looks for it among the run's deployments;
found nowhere, it names an endpoint that does not exist where it is
registered (AS002), as a template's target does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from linter import Deployment, LinkStatus, MappingNode, Scaling, ScalingPolicy, ScalingTarget, Sourced, Span, Unit

from plugins.adapters.aws.application_autoscaling import (
    INFERENCE_COMPONENT,
    SAGEMAKER_NAMESPACE,
    ScalableResource,
    VARIANT,
    link_across_run,
    parse_resource_id,
    read_policy,
    scheduled_action,
    target_scaling,
)
from plugins.adapters.aws.document_kinds import PUT_POLICY, REGISTER_TARGET
from plugins.adapters.aws.sagemaker_requests import ConfigRequest, EndpointRequest

if TYPE_CHECKING:
    from plugins.adapters.aws.sagemaker_requests import RequestReader

__all__ = [
    "Hosting",
    "ScalingRequest",
    "TargetLinks",
    "link_outside_requests",
    "link_targets",
    "read_request",
]


@dataclass(frozen=True)
class ScalingRequest:
    """One Application Auto Scaling request: a target, or a policy or scheduled action driving one.

    `document` identifies the request (the id() of its document, of a
    task's parameters); `written_as` says where it is written, for `explain`.
    """

    document: int
    operation: str
    span: Span
    written_as: str
    triple: tuple[Sourced[str], Sourced[str], Sourced[str]]  # ResourceId, ScalableDimension, ServiceNamespace
    min_capacity: Sourced[int] = Sourced()
    max_capacity: Sourced[int] = Sourced()
    policy: ScalingPolicy | None = None


def read_request(
    operation: str, root: MappingNode, reader: RequestReader, span: Span, document: int, written_as: str = ""
) -> ScalingRequest:
    """A RegisterScalableTarget, PutScalingPolicy or PutScheduledAction request (`operation`), as written.

    `written_as` names where (default: `<operation> document <path>`).
    """
    where = written_as or f"{operation} document {span.path}"
    triple = (reader.read_text(root, "ResourceId"), reader.read_str(root, "ScalableDimension"), reader.read_str(root, "ServiceNamespace"))
    if operation == REGISTER_TARGET:
        return ScalingRequest(
            document, operation, span, where, triple,
            min_capacity=reader.read_int(root, "MinCapacity"),
            max_capacity=reader.read_int(root, "MaxCapacity"),
        )
    if operation == PUT_POLICY:
        return ScalingRequest(document, operation, span, where, triple, policy=read_policy(root, reader, span))
    return ScalingRequest(document, operation, span, where, triple, policy=scheduled_action(span, where))


def _triple_text(request: ScalingRequest) -> tuple[str, str, str] | None:
    """The request's triple as text, or None when a part is not known (a policy then drives no target it can be shown to)."""
    if not all(part.known for part in request.triple):
        return None
    return tuple(str(part.value) for part in request.triple)  # type: ignore[return-value]


@dataclass
class TargetLinks:
    """What target requests link to: each one's `ScalingTarget`, by `ScalingRequest.document`, and the scalings of
    each variant they scale, by (number of its hosting in the list `link_targets` was given, variant name)."""

    targets: dict[int, ScalingTarget] = field(default_factory=dict)
    # By (hosting number, unit key): a variant's key is its name, an inference component's `component_key(name)`.
    units: dict[tuple[int, str], tuple[Scaling, ...]] = field(default_factory=dict)
    # By hosting number: the `ScalingRequest.document`s of the targets linked to it and of the requests driving them.
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def scaled(self, number: int, deployment: Deployment) -> Deployment:
        """The deployment of hosting `number`, each of its units with the scalings linked to it added (itself when
        none is)."""
        if not any(key[0] == number for key in self.units):
            return deployment
        units = tuple(
            unit.replaced(scaling=unit.scaling + self.units.get((number, _unit_key(unit)), ())) if unit.name.known else unit
            for unit in deployment.units
        )
        return deployment.replaced(units=units)


def component_key(name: str) -> str:
    """The unit key of the inference component `name` (a variant of the same name is another unit)."""
    return f"inference-component/{name}"


def _unit_key(unit: Unit) -> str:
    name = str(unit.name.value)
    return component_key(name) if unit.requirements is not None else name  # components carry requirements


# An endpoint and its configuration as the requests made them (either may be absent), and the deployment's ID.
Hosting = tuple[EndpointRequest | None, ConfigRequest | None, str]


def link_targets(requests: Sequence[ScalingRequest], hostings: Sequence[Hosting], components: Mapping[str, int] | None = None) -> TargetLinks:
    """Each target request's scaling (driven by the policies and scheduled actions of its triple), linked to the
    variant of the hosting whose endpoint its ResourceId names, or to the inference component it names
    (`components`: each component's name -> the number of the hosting it is placed on; the component is a unit of
    that name)."""
    drivers: dict[tuple[str, str, str], list[ScalingRequest]] = {}  # the policies and scheduled actions of each triple
    for request in requests:
        key = _triple_text(request)
        if request.policy is not None and key is not None:
            drivers.setdefault(key, []).append(request)
    by_endpoint: dict[str, int] = {}
    configs_alone: list[int] = []
    for number, (endpoint, config, _) in enumerate(hostings):
        if endpoint is not None and endpoint.name.known:
            by_endpoint.setdefault(str(endpoint.name.value), number)
        elif endpoint is None and config is not None:
            configs_alone.append(number)
    links = TargetLinks()
    for request in requests:
        if request.operation != REGISTER_TARGET:
            continue
        key = _triple_text(request)
        driving = drivers.get(key, []) if key is not None else []
        _, dimension, namespace = request.triple
        scaling = target_scaling(
            namespace,
            dimension,
            tuple(driver.policy for driver in driving if driver.policy is not None),
            min_capacity=request.min_capacity,
            max_capacity=request.max_capacity,
            linked_by=request.written_as,
            span=request.span,
        )
        resource_id = request.triple[0]
        resource = parse_resource_id(str(resource_id.value)) if resource_id.known else None
        status, reason, number, unit, refers_to = _link(request, resource, hostings, by_endpoint, configs_alone, components or {})
        if status is LinkStatus.LINKED and number is not None:
            key = (number, component_key(unit) if resource is not None and resource.kind == INFERENCE_COMPONENT else unit)
            links.units[key] = links.units.get(key, ()) + (scaling,)
            links.members[number] = links.members.get(number, ()) + (request.document, *(driver.document for driver in driving))
        links.targets[request.document] = ScalingTarget(
            resource_id=request.triple[0], scaling=scaling, status=status, reason=reason,
            deployment_id=hostings[number][2] if number is not None else "",
            unit_name=unit, span=request.span, refers_to=refers_to,
        )
    return links


def _link(
    request: ScalingRequest,
    resource: ScalableResource | None,
    hostings: Sequence[Hosting],
    by_endpoint: dict[str, int],
    configs_alone: list[int],
    components: Mapping[str, int],
) -> tuple[LinkStatus, str, int | None, str, tuple[str, ...]]:
    """(status, reason, number of the hosting it names, unit, refers_to) of a target request among the hostings
    (`resource`: what its ResourceId names, parsed)."""
    resource_id, _, namespace = request.triple
    if namespace.known and namespace.value != SAGEMAKER_NAMESPACE:
        return LinkStatus.OTHER_SERVICE, f"ServiceNamespace {namespace.value}", None, "", ()
    if not resource_id.known:
        return LinkStatus.UNRESOLVED, f"ResourceId is {resource_id.note or 'not known'}", None, "", ()
    if resource is not None and resource.kind == INFERENCE_COMPONENT:
        (component,) = resource.names
        if "${" in component:
            return LinkStatus.UNRESOLVED, f"ResourceId {resource_id.value!r} is not known in full", None, "", ()
        number = components.get(component)
        if number is None:  # created elsewhere (a template, the console): not the requests' to judge
            return LinkStatus.NOT_IN_RUN, f"no inference component named {component!r} is placed on an endpoint of the requests", None, "", ()
        return LinkStatus.LINKED, f"inference component {component!r}", number, component, ()
    if resource is None or resource.kind != VARIANT:
        return LinkStatus.NOT_IN_RUN, f"ResourceId {resource_id.value!r} names no endpoint variant of the requests", None, "", ()
    endpoint, variant = resource.names
    if "${" in endpoint or "${" in variant:  # a name set when the requests run: any endpoint of theirs may be the one
        return LinkStatus.UNRESOLVED, f"ResourceId {resource_id.value!r} is not known in full", None, "", ()
    number = by_endpoint.get(endpoint)
    if number is None:
        # Left for the run-wide link; a configuration with no endpoint request may be deployed as it.
        ids = tuple(hostings[alone][2] for alone in configs_alone)
        return LinkStatus.NO_SUCH_DEPLOYMENT, f"no endpoint named {endpoint!r} in this run", None, "", ids
    config = hostings[number][1]
    if config is None:
        return LinkStatus.UNRESOLVED, f"endpoint {endpoint!r}: its configuration is not in the run", number, "", ()
    names = [str(item.unit.name.value) for item in config.variants if item.unit.name.known]
    if variant in names:
        return LinkStatus.LINKED, f"endpoint {endpoint!r}, variant {variant!r}", number, variant, ()
    if len(names) < len(config.variants):
        return LinkStatus.UNRESOLVED, f"endpoint {endpoint!r}: a variant's name is not known", number, "", ()
    listed = ", ".join(names) or "none"
    return LinkStatus.NO_SUCH_UNIT, f"endpoint {endpoint!r} has no variant {variant!r} (variants: {listed})", number, "", ()


def link_outside_requests(target: ScalingTarget, deployments: Iterable[Deployment]) -> ScalingTarget:
    """A target whose endpoint no request document creates, looked for among the run's deployments (a template's).

    ELSEWHERE_IN_RUN when deployments of that name are found, or when
    configuration documents of the run have no endpoint document (its
    `refers_to` as `link_targets` left it: the endpoint may deploy one of
    them); otherwise NO_SUCH_DEPLOYMENT for the whole run (`searched_run`),
    as for a template's target: the endpoint must exist where the target
    is registered.
    """
    if target.status is not LinkStatus.NO_SUCH_DEPLOYMENT or target.searched_run:
        return target
    configurations = target.refers_to
    linked = link_across_run(target.replaced(refers_to=()), tuple(deployments))
    if linked.status is LinkStatus.ELSEWHERE_IN_RUN:
        return linked.replaced(refers_to=tuple(dict.fromkeys(linked.refers_to + configurations)))
    if configurations:
        reason = f"{target.reason}; it may deploy a configuration document of the run"
        return linked.replaced(status=LinkStatus.ELSEWHERE_IN_RUN, reason=reason, refers_to=configurations)
    return linked

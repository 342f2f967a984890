"""Linking SageMaker hosting records of one template into deployments.

Endpoint -> EndpointConfig -> Model(s) -> image/framework; ScalableTarget
`ResourceId` -> endpoint + variant (or inference component); ScalingPolicy
-> target (by `ScalingTargetId` or by the ResourceId/ScalableDimension/
ServiceNamespace triple); CloudWatch alarm -> step-scaling policy metric;
model VpcConfig subnets -> Availability Zones of subnets in the template;
MonitoringSchedule -> the endpoint its Model Monitor jobs read, reported as
the deployment's `monitored_by` (the schedule's name, at the property that
names the endpoint).

A deployment is anchored at its Endpoint; an EndpointConfig that no
Endpoint of the template uses is a deployment of its own (it may be
deployed by another stack or a script). Profiles declared on the config
and on the endpoint merge, the endpoint's entries winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter import (
    NO_PROFILE,
    NOT_WRITTEN,
    ComponentRequirements,
    Deployment,
    DeploymentKind,
    ModelSpec,
    Network,
    Provenance,
    ResourceRef,
    Scaling,
    ScalingTarget,
    Sourced,
    Unit,
    merge_profiles,
)

from plugins.adapters.aws.application_autoscaling import (
    ECS_NAMESPACE,
    INFERENCE_COMPONENT,
    SAGEMAKER_NAMESPACE,
    VARIANT,
    scalable_resource,
    target_scaling,
)
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.custom_scaling import custom_resource_targets
from plugins.adapters.cloudformation.record_matching import (
    PolicyTargets,
    ValueIndex,
    alarms_by_action,
    same_value,
    with_alarm_metric,
)
from plugins.adapters.aws.inferred_facts import endpoint_kind, image_region, merged_network
from plugins.adapters.cloudformation.intrinsics import Choice, Opaque, Partial, ResourceValue, split_text
from plugins.adapters.cloudformation.records import (
    EndpointConfigRecord,
    EndpointRecord,
    ModelRecord,
    Reference,
    ScalableTargetRecord,
    TemplateRecords,
)
from plugins.adapters.aws.written_values import text_of



@dataclass
class _Hosting:
    """A deployment being assembled."""

    anchor_id: str
    anchor_span: Any
    name: Sourced
    endpoint: EndpointRecord | None
    config: EndpointConfigRecord | None
    models: list[ModelRecord] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    extra_models: list[ModelSpec] = field(default_factory=list)
    links: list[ResourceRef] = field(default_factory=list)
    monitor: Sourced = NOT_WRITTEN
    # The logical ID of the resource each unit of a resource of its own declares (an inference component), by index.
    unit_ids: dict[int, str] = field(default_factory=dict)

    def endpoint_names(self) -> list[Any]:
        """Every value that names this endpoint in the template."""
        if self.endpoint is None:
            return []
        names: list[Any] = [ResourceValue("", self.endpoint.logical_id, "")]
        name = self.endpoint.name
        if name.known and name.provenance is Provenance.DECLARED:
            names.append(name.value)
        names.extend(name.options)
        return names


class _Endpoints:
    """The hostings of one template by what names their endpoints, to link each reference in one look-up."""

    def __init__(self, hostings: list[_Hosting]) -> None:
        self._order = {id(hosting): index for index, hosting in enumerate(hostings)}
        self._by_id: dict[str, list[_Hosting]] = {}
        self._by_name: ValueIndex[_Hosting] = ValueIndex()
        for hosting in hostings:
            if hosting.endpoint is None:
                continue
            self._by_id.setdefault(hosting.endpoint.logical_id, []).append(hosting)
            for name in hosting.endpoint_names():
                self._by_name.add(name, hosting)

    def named_by(self, reference: Reference) -> list[_Hosting]:
        """The hostings whose endpoint `reference` names (see `_names_endpoint`), in order."""
        if reference.logical_id is not None:
            return list(self._by_id.get(reference.logical_id, ()))
        return self._by_name.find_all(reference.value)

    def named_by_any(self, references: tuple[Reference, ...]) -> list[_Hosting]:
        """The hostings whose endpoint any of `references` names, in order."""
        found = {id(hosting): hosting for reference in references for hosting in self.named_by(reference)}
        return sorted(found.values(), key=lambda hosting: self._order[id(hosting)])

    def first_named(self, value: Any) -> _Hosting | None:
        """The first hosting with an endpoint named `value`."""
        return self._by_name.find(value)


class _DeclaredNames:
    """Records by their declared names, in the order of `by_id`, for `_find`.

    Indexed on the first search: most references name a record by its
    logical ID (`!Ref`, `!GetAtt`), and a template whose references all do
    never needs the index.
    """

    def __init__(self, by_id: dict) -> None:
        self._by_id = by_id
        self._index: ValueIndex | None = None

    def find(self, value: Any) -> Any:
        if self._index is None:
            self._index = ValueIndex()
            for record in self._by_id.values():
                if record.name.known and record.name.provenance is Provenance.DECLARED:
                    self._index.add(record.name.value, record)
        return self._index.find(value)


def assemble(records: TemplateRecords, template: TemplateContext) -> list:
    """Deployments and scaling targets for the SageMaker records of one template."""
    configs = {record.logical_id: record for record in records.configs}
    models = {record.logical_id: record for record in records.models}
    config_names = _DeclaredNames(configs)
    model_names = _DeclaredNames(models)
    hostings: list[_Hosting] = []
    used_configs: set[str] = set()
    for endpoint in records.endpoints:
        config = _find(endpoint.config, configs, config_names)
        if config is not None:
            used_configs.add(config.logical_id)
        hostings.append(
            _Hosting(endpoint.logical_id, endpoint.span, endpoint.name, endpoint, config)
        )
    for config in records.configs:
        if config.logical_id not in used_configs:
            hostings.append(
                _Hosting(config.logical_id, config.span, config.name, None, config)
            )

    for hosting in hostings:
        _attach_config(hosting, models, model_names)
    targets: list = []
    # Most templates hold no component, monitor or scalable target: nothing then asks for the endpoints by name.
    if records.components or records.monitors or records.targets:
        endpoints = _Endpoints(hostings)
        _attach_components(hostings, records, endpoints, models, model_names)
        _attach_monitors(records, endpoints)
        if records.targets:  # a policy or alarm with no target scales nothing this template shows
            targets = _link_scaling(hostings, records, template, endpoints)
    targets += custom_resource_targets(hostings, template, same_value)
    zones_by_subnet = {subnet.logical_id: subnet.zone for subnet in records.subnets}
    deployments = [_deployment(hosting, zones_by_subnet, template) for hosting in hostings]
    return deployments + targets


def _find(reference: Reference, by_id: dict, names: _DeclaredNames) -> Any:
    """The record a reference points at: by logical ID, else by equal declared name (`names`: `_DeclaredNames(by_id)`)."""
    if reference.logical_id is not None:
        return by_id.get(reference.logical_id)
    if reference.value is None:
        return None
    return names.find(reference.value)


def _attach_config(hosting: _Hosting, models: dict[str, ModelRecord], model_names: _DeclaredNames) -> None:
    if hosting.endpoint is not None:
        hosting.links.append(ResourceRef("AWS::SageMaker::Endpoint", hosting.endpoint.logical_id, hosting.endpoint.span))
    config = hosting.config
    if config is None:
        return
    hosting.links.append(ResourceRef("AWS::SageMaker::EndpointConfig", config.logical_id, config.span))
    for variant in config.variants:
        model = _find(variant.model, models, model_names)
        unit = variant.unit
        if model is not None:
            if model not in hosting.models:
                hosting.models.append(model)
                hosting.links.append(ResourceRef("AWS::SageMaker::Model", model.logical_id, model.span))
            unit = unit.replaced(model_names=(str(model.name.get(model.logical_id)),))
        elif variant.model.value is not None and isinstance(variant.model.value, str):
            unit = unit.replaced(model_names=(variant.model.value,))
        hosting.units.append(unit)


def _attach_components(
    hostings: list[_Hosting], records: TemplateRecords, endpoints: _Endpoints, models: dict[str, ModelRecord], model_names: _DeclaredNames
) -> None:
    for component in records.components:
        # The model it names (`!GetAtt Model.ModelName`, or its declared name) serves it with that model's containers.
        model = _find(component.model_ref, models, model_names) if component.model_ref is not None else None
        for hosting in endpoints.named_by(component.endpoint):
            if model is None:
                hosting.extra_models.append(component.model)
            elif model not in hosting.models:
                hosting.models.append(model)
                hosting.links.append(ResourceRef("AWS::SageMaker::Model", model.logical_id, model.span))
            hosting.links.append(ResourceRef("AWS::SageMaker::InferenceComponent", component.logical_id, component.span))
            base = next((unit for unit in hosting.units if unit.name.value == component.variant_name.value), None)
            hosting.unit_ids[len(hosting.units)] = component.logical_id
            hosting.units.append(
                Unit(
                    name=component.name,
                    compute=base.compute if base is not None else Unit().compute,
                    count=component.copy_count,
                    model_names=(
                        (str(model.name.get(model.logical_id)),) if model is not None
                        else (str(component.model.name.value),) if component.model.name.known else ()
                    ),
                    span=component.span,
                    # Set on every component, written or not: rules tell components from variants by it.
                    requirements=component.requirements or ComponentRequirements(span=component.span),
                    startup_timeout_seconds=component.startup_timeout,
                    model_download_timeout_seconds=component.download_timeout,
                )
            )


def _attach_monitors(records: TemplateRecords, endpoints: _Endpoints) -> None:
    for schedule in records.monitors:
        for hosting in endpoints.named_by_any(schedule.endpoints):
            reference = next(item for item in schedule.endpoints if _names_endpoint(item, hosting))
            hosting.links.append(ResourceRef("AWS::SageMaker::MonitoringSchedule", schedule.logical_id, schedule.span))
            if not hosting.monitor.known:
                hosting.monitor = Sourced(
                    schedule.name.value,
                    reference.span or schedule.span,
                    Provenance.DECLARED,
                    f"MonitoringSchedule {schedule.logical_id} monitors this endpoint",
                )


def _names_endpoint(reference: Reference, hosting: _Hosting) -> bool:
    if hosting.endpoint is None:
        return False
    if reference.logical_id is not None:
        return reference.logical_id == hosting.endpoint.logical_id
    return any(same_value(reference.value, name) for name in hosting.endpoint_names())


# --- scaling ------------------------------------------------------------------


def _link_scaling(
    hostings: list[_Hosting], records: TemplateRecords, template: TemplateContext, endpoints: _Endpoints
) -> list[ScalingTarget]:
    policies_by_target: dict[str, list] = {}
    targets = PolicyTargets(records.targets)
    alarms = alarms_by_action(records)
    for policy in records.policies:
        target = targets.target_of(policy)
        if target is not None:
            policies_by_target.setdefault(target.logical_id, []).append(with_alarm_metric(policy, alarms))
    # Scaling a unit replaces it with one of the same name, so the units stay where this finds them.
    units: ValueIndex[tuple[_Hosting, int]] = ValueIndex()
    for hosting in hostings:
        for index, unit in enumerate(hosting.units):
            if unit.name.known:
                units.add(unit.name.value, (hosting, index))
            if index in hosting.unit_ids:
                # `inference-component/${Llama.InferenceComponentName}`: the component's name, which AWS makes when none is written.
                units.add(ResourceValue("", hosting.unit_ids[index], ""), (hosting, index))
    results: list[ScalingTarget] = []
    for target in records.targets:
        policies = target.scheduled + tuple(policy.policy for policy in policies_by_target.get(target.logical_id, []))
        scaling = target_scaling(
            target.namespace,
            target.dimension,
            policies,
            min_capacity=target.min_capacity,
            max_capacity=target.max_capacity,
            linked_by=f"ResourceId of {target.logical_id}",
            span=target.span,
        )
        results.append(_link_target(target, scaling, endpoints, units, template))
    return results


def _link_target(
    target: ScalableTargetRecord,
    scaling: Scaling,
    endpoints: _Endpoints,
    units: ValueIndex[tuple[_Hosting, int]],
    template: TemplateContext,
) -> ScalingTarget:
    def result(status: str, reason: str, hosting: _Hosting | None = None, unit: str = "") -> ScalingTarget:
        return ScalingTarget(
            resource_id=target.resource_id_source,
            scaling=scaling,
            status=status,
            reason=reason,
            deployment_id=template.deployment_id(hosting.anchor_id) if hosting is not None else "",
            unit_name=unit,
            span=target.span,
        )

    namespace = target.namespace.value
    if target.namespace.known and namespace == ECS_NAMESPACE:
        from plugins.adapters.cloudformation.ecs_scaling import ecs_target_status  # waits for an ECS service's target

        status, reason, deployment_id, unit = ecs_target_status(target, template)
        return ScalingTarget(
            resource_id=target.resource_id_source,
            scaling=scaling,
            status=status,
            reason=reason,
            deployment_id=deployment_id,
            unit_name=unit,
            span=target.span,
        )
    if target.namespace.known and namespace != SAGEMAKER_NAMESPACE:
        return result("other-service", f"ServiceNamespace {namespace}")
    segments = split_text(target.resource_id, "/")
    if segments is None or not segments or not isinstance(segments[0], str):
        return result("unresolved", f"ResourceId {_show(target.resource_id)} cannot be resolved")
    resource = scalable_resource(segments)
    if resource is not None and resource.kind == VARIANT:
        endpoint_name, variant_name = resource.names
        hosting = endpoints.first_named(endpoint_name)
        if hosting is not None:
            for index, unit in enumerate(hosting.units):
                if unit.name.known and same_value(unit.name.value, variant_name):
                    hosting.units[index] = unit.replaced(scaling=unit.scaling + (scaling,))
                    hosting.links.append(ResourceRef("AWS::ApplicationAutoScaling::ScalableTarget", target.logical_id, target.span))
                    return result("linked", f"endpoint {_show(endpoint_name)}, variant {_show(variant_name)}", hosting, str(unit.name.value))
            if not isinstance(variant_name, str):
                return result("unresolved", f"variant name {_show(variant_name)} cannot be resolved", hosting)
            unnamed = next((unit for unit in hosting.units if not unit.name.known and unit.requirements is None), None)
            if unnamed is not None:  # it may be the one (a name from a parameter, variants an undecided Fn::If builds)
                why = f": {unnamed.name.note}" if unnamed.name.note else ""
                return result("unresolved", f"endpoint {_show(endpoint_name)}: a variant's name is not known{why}", hosting)
            variants = ", ".join(str(unit.name.value) for unit in hosting.units if unit.name.known) or "none"
            return result(
                "no-such-unit",
                f"endpoint {_show(endpoint_name)} has no variant {variant_name!r} (variants: {variants})",
                hosting,
            )
        if isinstance(endpoint_name, str):
            return result("no-such-deployment", f"no endpoint named {endpoint_name!r} in this template")
        return result("unresolved", f"endpoint name {_show(endpoint_name)} matches no endpoint of this template")
    if resource is not None and resource.kind == INFERENCE_COMPONENT:
        (component,) = resource.names
        found = units.find(component)
        if found is not None:
            hosting, index = found
            unit = hosting.units[index]
            hosting.units[index] = unit.replaced(scaling=unit.scaling + (scaling,))
            return result("linked", f"inference component {_show(component)}", hosting, str(unit.name.value))
        return result("no-such-unit", f"no inference component named {_show(component)} in this template")
    return result("unresolved", f"ResourceId {_show(target.resource_id)} is not an endpoint variant or inference component")


def _show(value: Any) -> str:
    if isinstance(value, ResourceValue):
        return f"{value.logical_id}.{value.attribute}"
    if isinstance(value, (Partial, Opaque, Choice)):
        return f"'{value}'"
    return text_of(value, repr)


# --- the deployment -----------------------------------------------------------


def _deployment(hosting: _Hosting, zones_by_subnet: dict[str, Sourced], template: TemplateContext) -> Deployment:
    config = hosting.config
    endpoint = hosting.endpoint
    profile = config.profile if config is not None else None
    if endpoint is not None and endpoint.profile is not NO_PROFILE:  # merging nothing declared leaves the config's
        profile = merge_profiles(profile, endpoint.profile) if profile is not None else endpoint.profile
    environment = NOT_WRITTEN
    for candidate in (endpoint.environment if endpoint else None, config.environment if config else None):
        if candidate is not None and candidate.known:
            environment = candidate
            break
    models = tuple(spec for model in hosting.models for spec in model.containers) + tuple(hosting.extra_models)
    kind = _kind(config, hosting)
    # The Region its images name, given here rather than by a copy in `with_image_region` (which then keeps it).
    region = image_region(models)
    return Deployment(
        id=template.deployment_id(hosting.anchor_id),
        platform="sagemaker",
        kind=kind,
        span=hosting.anchor_span,
        name=hosting.name,
        environment=environment,
        profile=profile if profile is not None else NO_PROFILE,
        models=models,
        units=tuple(hosting.units),
        async_config=config.async_config if config is not None else None,
        network=_network(hosting, zones_by_subnet),
        data_capture=config.data_capture if config is not None else NOT_WRITTEN,
        links=tuple(hosting.links),
        monitored_by=hosting.monitor if hosting.monitor.known else NOT_WRITTEN,
        region=region if region is not None else NOT_WRITTEN,
    )


def _kind(config: EndpointConfigRecord | None, hosting: _Hosting) -> Sourced[DeploymentKind]:
    if config is None:
        return Sourced(note="the endpoint configuration is not in this template")
    if config.kind_undecided:
        return Sourced(note=config.kind_undecided)
    return endpoint_kind(config.async_config, [variant.unit for variant in config.variants], config.span)


def _network(hosting: _Hosting, zones_by_subnet: dict[str, Sourced]) -> Network | None:
    networks = [model.network for model in hosting.models if model.network is not None]
    if hosting.config is not None and hosting.config.network is not None:
        networks.append(hosting.config.network)
    if not networks:
        return None
    network = merged_network(networks)
    zones = []
    for subnet in network.subnets:
        zone = zones_by_subnet.get(subnet.value) if subnet.known else None
        if zone is None:
            return network  # a subnet defined elsewhere: zones are unknowable
        zones.append(zone)
    return network.replaced(zones=tuple(zones))

"""ACK resources linked by their AWS names across every file of the run, and assembled into deployments.

Built once per run over the Kubernetes run index (context files included),
so the order in which files are read does not matter:
- an `Endpoint` finds the `EndpointConfig` whose `endpointConfigName` it
  names, the configuration's variants the `Model`s they name, and makes one
  real-time / serverless / async deployment anchored at the Endpoint (as
  the SageMaker API adapter does with request documents); a configuration
  no Endpoint names is a deployment of its own, anchored at itself; an
  `InferenceComponent` adds a unit to the deployment of the endpoint it
  names, on the instances of its variant;
- a `TransformJob` finds the Model it names; training, tuning and
  processing jobs are deployments on their own;
- a `ScalableTarget` whose `resourceID` names an endpoint variant (or an
  inference component) gives that unit its `Scaling`, with every
  `ScalingPolicy` of the same resourceID, dimension and service namespace;
  each ScalableTarget is reported, linked or not, from its own document.

Names match as `ack.nearest` says: not across AWS accounts or regions, the
same namespace first. A deployment made of several objects (endpoint,
configuration, models, components; transform job and model) is returned
once, by the first of its objects the run lints, so a pre-commit hook that
passes only the changed Model still sees the endpoint serving it; its ID
and span are the anchor's (`path#Kind/namespace/name`). An object without
a `spec` mapping describes nothing the rules could judge: it is
recognised, and only its annotation problems are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from linter import Compute, Deployment, MappingNode, ModelSpec, ResourceRef, Scaling, ScalingTarget, Unit

from plugins.adapters.aws.application_autoscaling import SAGEMAKER_NAMESPACE
from plugins.adapters.aws.inferred_facts import image_region
from plugins.adapters.kubernetes import ack_autoscaling, ack_sagemaker
from plugins.adapters.kubernetes.ack import AUTOSCALING_GROUP, READER, Scope, nearest, scope_of
from plugins.adapters.kubernetes.ack_autoscaling import PolicyRecord, TargetRecord, policy_target, scaling_of
from plugins.adapters.kubernetes.ack_sagemaker import (
    AckResource,
    ComponentEntry,
    ConfigEntry,
    EndpointEntry,
    ModelEntry,
    job_deployments_of,
)
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import Manifest, manifests
from plugins.adapters.aws.sagemaker_requests import HostedModel, component_unit, hosting_deployment

KINDS = ack_sagemaker.KINDS | ack_autoscaling.KINDS
MEMO_KEY = ("plugins.adapters.kubernetes.ack_links", "ack-index")
WHERE = "among the objects of this run"


@dataclass(frozen=True)
class TargetLink:
    """What a ScalableTarget scales: `status` and `reason` as in `ScalingTarget`.

    `endpoint` is the endpoint whose deployment holds the unit (also set
    when the unit cannot be found in it); `unit` is the index of the unit
    in that deployment (variants first, then inference components).
    """

    status: str
    reason: str
    endpoint: EndpointEntry | None = None
    unit: int | None = None
    unit_name: str = ""


@dataclass(frozen=True)
class Group:
    """The objects one deployment is made of; `anchor` gives its ID and span."""

    anchor: AckResource
    members: tuple[MappingNode, ...]  # the member objects' nodes
    endpoint: EndpointEntry | None = None
    config: ConfigEntry | None = None
    transform: AckResource | None = None


@dataclass
class AckIndex:
    """Every ACK object of the run, read once, and how they link."""

    # Keyed by the object's node (hashed by identity, as an id() would be, without an int made per key).
    resources: dict[MappingNode, AckResource] = field(default_factory=dict)
    models: list[ModelEntry] = field(default_factory=list)
    configs: list[ConfigEntry] = field(default_factory=list)
    endpoints: list[EndpointEntry] = field(default_factory=list)
    components: list[ComponentEntry] = field(default_factory=list)
    targets: dict[MappingNode, TargetRecord] = field(default_factory=dict)  # by the object's node
    policies: list[PolicyRecord] = field(default_factory=list)
    policies_of: dict[MappingNode, list[PolicyRecord]] = field(default_factory=dict)  # target node -> the policies driving it
    endpoint_configs: dict[MappingNode, ConfigEntry] = field(default_factory=dict)  # endpoint node -> its configuration
    target_links: dict[MappingNode, TargetLink] = field(default_factory=dict)
    targets_linked_to: dict[int, list[MappingNode]] = field(default_factory=dict)  # id() of an endpoint entry -> target nodes, in run order
    groups: list[Group] = field(default_factory=list)
    groups_of: dict[MappingNode, tuple[int, ...]] = field(default_factory=dict)  # member node -> indexes into `groups` (nearly always one)
    claimed: set[int] = field(default_factory=set)  # indexes into `groups`
    # kind -> name key -> its entry, or its entries in run order when several have the name (`named`): no
    # (kind, key) tuple and no list of its own for the one entry nearly every name has.
    _by_name: dict[str, dict[str, object]] = field(default_factory=dict)
    components_on: dict[int, list[ComponentEntry]] = field(default_factory=dict)  # id() of an endpoint entry -> its components, in run order
    _scalings: dict[MappingNode, Scaling] = field(default_factory=dict)  # target node -> `scaling`, made once

    def add(self, kind: str, key: str | None, entry: object) -> None:
        """Index an entry under its AWS name (entries without a readable name are found by none)."""
        if key is not None:
            of_kind = self._by_name.setdefault(kind, {})
            found = of_kind.get(key)
            if found is None:
                of_kind[key] = entry
            elif found.__class__ is list:
                found.append(entry)  # type: ignore[attr-defined]
            else:
                of_kind[key] = [found, entry]

    def named(self, kind: str, key: str | None) -> list:
        """The entries of a kind whose AWS name has this key."""
        found = self._by_name.get(kind, {}).get(key) if key is not None else None  # type: ignore[arg-type]
        if found is None:
            return []
        return found if found.__class__ is list else [found]  # type: ignore[return-value]

    # --- finding by name ------------------------------------------------------------

    def model_near(self, key: str | None, near: AckResource) -> ModelEntry | None:
        return nearest(self.named("Model", key), key, near.manifest, near.scope, _manifest, _scope)

    def config_near(self, key: str | None, near: AckResource) -> ConfigEntry | None:
        return nearest(self.named("EndpointConfig", key), key, near.manifest, near.scope, _manifest, _scope)

    def endpoint_near(self, key: str | None, near_manifest: Manifest, scope: Scope) -> EndpointEntry | None:
        return nearest(self.named("Endpoint", key), key, near_manifest, scope, _manifest, _scope)

    def model_finder(self, near: AckResource) -> Callable[[str], HostedModel | None]:
        def find(key: str) -> HostedModel | None:
            entry = self.model_near(key, near)
            return entry.request.model if entry is not None else None

        return find

    def scaling(self, target: TargetRecord) -> Scaling:
        """What a target gives the unit it scales: `scaling_of` with the policies driving it.

        Made once for a target of this index (its endpoint's deployment and
        its own report both carry it), each time for any other.
        """
        node = target.manifest.node
        if self.targets.get(node) is not target:
            return scaling_of(target, self.policies_of.get(node, []))
        scaling = self._scalings.get(node)
        if scaling is None:
            scaling = self._scalings[node] = scaling_of(target, self.policies_of.get(node, []))
        return scaling

    def components_of(self, endpoint: EndpointEntry) -> list[ComponentEntry]:
        """The inference components placed on an endpoint, in run order."""
        return list(self.components_on.get(id(endpoint), ()))


def _manifest(entry) -> Manifest:
    return entry.resource.manifest


def _scope(entry) -> Scope:
    return entry.resource.scope


def _endpoint_key(entry: EndpointEntry) -> str | None:
    return entry.resource.reader.name_key(entry.resource.manifest.spec, "EndpointName")


def _name_key(entry: object) -> str | None:
    """The match key of the AWS name an entry's object creates."""
    if isinstance(entry, (ModelEntry, ConfigEntry)):
        return entry.request.key
    if isinstance(entry, EndpointEntry):
        return _endpoint_key(entry)
    return entry.request.key if isinstance(entry, ComponentEntry) else None


# --- building the index ---------------------------------------------------------------------


# The SageMaker kinds other objects name, with their reader and the index list they go to.
_NAMED_KINDS = {
    "Model": (ack_sagemaker.read_model_entry, "models"),
    "EndpointConfig": (ack_sagemaker.read_config_entry, "configs"),
    "Endpoint": (ack_sagemaker.read_endpoint_entry, "endpoints"),
    "InferenceComponent": (ack_sagemaker.read_component_entry, "components"),
}


def build(index: RunIndex) -> AckIndex:
    """Read every ACK object of the run once, then link them.

    The objects' specs are searched through one reader with key tables
    (`RequestReader.with_key_tables`): ~13 searches per object, each then
    one look-up. The tables are dropped once the index is built.
    """
    ack = AckIndex()
    reader = READER.with_key_tables()
    for manifest in index.manifests:
        if (manifest.group, manifest.kind) not in KINDS:
            continue
        namespace = index.namespaces.get(manifest.namespace)
        scope = scope_of(manifest, namespace)
        node = manifest.node
        if manifest.group == AUTOSCALING_GROUP:
            if manifest.kind == "ScalableTarget":
                target = ack_autoscaling.read_target(manifest, scope, reader)
                if target is not None:
                    ack.targets[node] = target
            else:
                policy = ack_autoscaling.read_policy(manifest, scope, reader)
                if policy is not None:
                    ack.policies.append(policy)
            continue
        resource = ack_sagemaker.read_resource(manifest, scope, namespace, index.namespace_stages, index.extensions, reader)
        ack.resources[node] = resource
        if manifest.kind in _NAMED_KINDS:
            read_entry, attribute = _NAMED_KINDS[manifest.kind]
            entry = read_entry(resource)
            if entry is not None:
                getattr(ack, attribute).append(entry)
                ack.add(manifest.kind, _name_key(entry), entry)
    # Each component's endpoint is looked up once, not once per endpoint.
    for component in ack.components:
        endpoint = ack.endpoint_near(component.request.endpoint_key, component.resource.manifest, component.resource.scope)
        if endpoint is not None:
            ack.components_on.setdefault(id(endpoint), []).append(component)
    _group(ack)
    targets_by_resource: dict[str | None, list[TargetRecord]] = {}
    for target in ack.targets.values():
        targets_by_resource.setdefault(target.resource_key, []).append(target)
    for policy in ack.policies:
        target = policy_target(policy, targets_by_resource.get(policy.resource_key, []))
        if target is not None:
            ack.policies_of.setdefault(target.manifest.node, []).append(policy)
    for node, target in ack.targets.items():
        link = ack.target_links[node] = _link_target(target, ack)
        if link.endpoint is not None:
            ack.targets_linked_to.setdefault(id(link.endpoint), []).append(node)
    reader.forget_key_tables()
    return ack


def _group(ack: AckIndex) -> None:
    named: set[int] = set()  # id() of the configurations an endpoint names
    for endpoint in ack.endpoints:
        config = ack.config_near(endpoint.request.config_key, endpoint.resource)
        members = [endpoint.resource.manifest.node]
        if config is not None:
            ack.endpoint_configs[endpoint.resource.manifest.node] = config
            named.add(id(config))
            members += [config.resource.manifest.node] + _model_members(ack, config)
        members += [component.resource.manifest.node for component in ack.components_of(endpoint)]
        ack.groups.append(Group(endpoint.resource, tuple(members), endpoint, config))
    for config in ack.configs:
        if id(config) not in named:
            members = [config.resource.manifest.node] + _model_members(ack, config)
            ack.groups.append(Group(config.resource, tuple(members), None, config))
    for resource in ack.resources.values():
        if resource.manifest.kind == "TransformJob" and resource.manifest.spec is not None:
            model = ack.model_near(resource.reader.name_key(resource.manifest.spec, "ModelName"), resource)
            members = (resource.manifest.node,) + ((model.resource.manifest.node,) if model is not None else ())
            ack.groups.append(Group(resource, members, transform=resource))
    for number, group in enumerate(ack.groups):
        for member in group.members:
            ack.groups_of[member] = ack.groups_of.get(member, ()) + (number,)


def _model_members(ack: AckIndex, config: ConfigEntry) -> list[MappingNode]:
    found = []
    for variant in config.request.variants:
        model = ack.model_near(variant.model_key, config.resource)
        if model is not None:
            found.append(model.resource.manifest.node)
    return found


def ack_index(index: RunIndex) -> AckIndex:
    """The ACK index of this run, built on first use."""
    return index.memo(MEMO_KEY, lambda: build(index))


# --- what a ScalableTarget scales -----------------------------------------------------------


def _link_target(target: TargetRecord, ack: AckIndex) -> TargetLink:
    service = target.service_namespace
    if service.known and service.value != SAGEMAKER_NAMESPACE:
        return TargetLink("other-service", f"serviceNamespace {service.value}")
    resource = target.resource
    if resource is None:
        return TargetLink("unresolved", target.reason)
    if resource.kind == "inference-component":
        return _link_component_target(target, ack)
    (endpoint_key, variant_key), (endpoint_name, variant_name) = resource.keys, resource.texts
    endpoint = ack.endpoint_near(endpoint_key, target.manifest, target.scope)
    if endpoint is None:
        return _missing("Endpoint", endpoint_key, endpoint_name, bool(ack.named("Endpoint", endpoint_key)))
    config = ack.endpoint_configs.get(endpoint.resource.manifest.node)
    if config is None:
        return TargetLink(
            "unresolved",
            f"the configuration of endpoint {endpoint_name!r} is not {WHERE}: variant {variant_name!r} cannot be checked",
            endpoint,
        )
    for position, key in enumerate(config.variant_keys):
        if key is not None and key == variant_key:
            return TargetLink("linked", f"endpoint {endpoint_name!r}, variant {variant_name!r}", endpoint, position, variant_name)
    names = ", ".join(str(variant.unit.name.value) for variant in config.request.variants if variant.unit.name.known) or "none"
    return TargetLink("no-such-unit", f"endpoint {endpoint_name!r} has no variant {variant_name!r} (variants: {names})", endpoint)


def _link_component_target(target: TargetRecord, ack: AckIndex) -> TargetLink:
    assert target.resource is not None
    (key,), (name,) = target.resource.keys, target.resource.texts
    component = nearest(ack.named("InferenceComponent", key), key, target.manifest, target.scope, _manifest, _scope)
    if component is None:
        return _missing("InferenceComponent", key, name, bool(ack.named("InferenceComponent", key)))
    endpoint = ack.endpoint_near(component.request.endpoint_key, component.resource.manifest, component.resource.scope)
    if endpoint is None:
        return TargetLink("unresolved", f"inference component {name!r} names an endpoint that is not {WHERE}")
    config = ack.endpoint_configs.get(endpoint.resource.manifest.node)
    position = (len(config.request.variants) if config is not None else 0) + ack.components_of(endpoint).index(component)
    return TargetLink("linked", f"inference component {name!r}", endpoint, position, name)


def _missing(kind: str, key: str, name: str, elsewhere_exists: bool) -> TargetLink:
    if key.startswith("~"):
        return TargetLink("unresolved", f"{kind} name {name!r} is a template placeholder that names no {kind} of its file")
    elsewhere = " (one of that name is in another AWS account or region)" if elsewhere_exists else ""
    return TargetLink("no-such-deployment", f"no ACK {kind} named {name!r} {WHERE}{elsewhere}")


def scaling_target(target: TargetRecord, ack: AckIndex, index: RunIndex) -> ScalingTarget:
    """A ScalableTarget as written, with what it scales (see `TargetLink`)."""
    link = ack.target_links.get(target.manifest.node) or _link_target(target, ack)
    endpoint = link.endpoint
    return ScalingTarget(
        resource_id=target.resource_id,
        scaling=ack.scaling(target),
        status=link.status,
        reason=f"ScalableTarget {target.manifest.name or '(unnamed)'}: {link.reason}",
        deployment_id=index.deployment_id(endpoint.resource.manifest) if endpoint is not None else "",
        unit_name=link.unit_name,
        span=target.manifest.anchor,
        searched_run=True,
    )


# --- deployments ----------------------------------------------------------------------------


def _finish(deployment: Deployment, anchor: AckResource, **changes) -> Deployment:
    """What every ACK deployment carries: its namespace, and its region when declared, else the one its ECR images name
    (`image_region`, as `with_image_region` gives it: an ACK deployment is SageMaker's and names no Region of its own);
    with `changes` (fields of `Deployment`), all made in one copy."""
    region = anchor.scope.region
    if not region.known:
        region = image_region(changes.get("models", deployment.models)) or deployment.region
    return deployment.replaced(namespace=anchor.manifest.namespace_sourced, region=region, **changes)


def group_deployments(group: Group, ack: AckIndex, index: RunIndex) -> list[Deployment]:
    """The deployment(s) a group of linked objects makes."""
    anchor = group.anchor
    deployment_id = index.deployment_id(anchor.manifest)
    if group.transform is not None:
        return [_finish(item, anchor) for item in job_deployments_of(anchor, deployment_id, ack.model_finder(anchor))]
    endpoint, config = group.endpoint, group.config
    deployment = hosting_deployment(
        deployment_id,
        anchor.manifest.anchor,
        endpoint.request if endpoint is not None else None,
        config.request if config is not None else None,
        ack.model_finder(config.resource) if config is not None else (lambda key: None),
        where=WHERE,
    )
    units, models, links = list(deployment.units), list(deployment.models), list(deployment.links)
    if endpoint is not None:
        for component in ack.components_of(endpoint):
            _add_component(component, config, ack, units, models, links)
        for node in ack.targets_linked_to.get(id(endpoint), ()):
            link = ack.target_links[node]
            if link.status != "linked" or link.unit is None or link.unit >= len(units):
                continue
            target = ack.targets[node]
            scaling = ack.scaling(target)
            units[link.unit] = units[link.unit].replaced(scaling=units[link.unit].scaling + (scaling,))
            links.append(ResourceRef(target.manifest.kind, target.manifest.name or "(unnamed)", target.manifest.anchor))
    return [_finish(deployment, anchor, units=tuple(units), models=tuple(models), links=tuple(links))]


def _add_component(
    component: ComponentEntry,
    config: ConfigEntry | None,
    ack: AckIndex,
    units: list[Unit],
    models: list[ModelSpec],
    links: list[ResourceRef],
) -> None:
    """An inference component as one more unit, on its variant's instances, serving its model."""
    request = component.request
    compute = Compute()
    if config is not None and request.variant_key is not None and request.variant_key in config.variant_keys:
        compute = units[config.variant_keys.index(request.variant_key)].compute
    served: tuple[ModelSpec, ...] = ()
    if request.container is not None:
        served = (request.container,)
    else:
        model = ack.model_near(request.model_key, component.resource)
        if model is not None:
            served = model.request.model.containers
            if model.resource.link not in links:
                links.append(model.resource.link)
    models.extend(spec for spec in served if spec not in models)
    units.append(component_unit(request, compute, served, component.resource.manifest.anchor))
    links.append(component.resource.link)


# --- the reader -----------------------------------------------------------------------------


def read(manifest: Manifest, index: RunIndex) -> list:
    """What one ACK object contributes: the deployments it is the first linted member of, its
    own job deployments, its ScalableTarget report, and its declared-profile problems."""
    ack = ack_index(index)
    node = manifest.node
    if node not in ack.resources and node not in ack.targets and manifest.spec is not None and not _indexed(manifest, index):
        alone = RunIndex()  # an object outside the run's documents (not expected): link it within its own document
        for other in manifests(manifest.document):
            alone.add(other)
        ack, index = build(alone), alone
    results: list = []
    for number in ack.groups_of.get(node, ()):
        if number not in ack.claimed:
            ack.claimed.add(number)
            results.extend(group_deployments(ack.groups[number], ack, index))
    if node in ack.targets:
        results.append(scaling_target(ack.targets[node], ack, index))
    resource = ack.resources.get(node)
    if resource is None:
        return results
    if manifest.kind in ack_sagemaker.JOB_KINDS and manifest.kind != "TransformJob":
        results.extend(_finish(item, resource) for item in job_deployments_of(resource, index.deployment_id(manifest)))
    return results + list(resource.problems)


def _indexed(manifest: Manifest, index: RunIndex) -> bool:
    return any(other.node is manifest.node for other in index.with_key(manifest.key))

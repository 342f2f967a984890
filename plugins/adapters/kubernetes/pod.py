"""A pod spec as the model sees it: containers, accelerators, node and capacity, zone spread.

- models: one per container (init containers are not served), the image
  classified by `facts.model_for` so frameworks come from the data tables,
  with the container's readiness, startup and liveness probes (their
  timing, Kubernetes defaults where not written);
- compute: `node.kubernetes.io/instance-type` from the nodeSelector or a
  required node-affinity term (classified by `facts.compute_for`), with the
  accelerator and its count taken from what the containers request
  (`nvidia.com/gpu`, `amd.com/gpu`, `aws.amazon.com/neuron*`, in limits or
  else requests), since that, not the node, is what the pod gets;
- capacity: the capacity-type node labels (Karpenter, EKS, GKE, AKS; from
  the data tables) that the nodeSelector and the required node-affinity
  terms allow — one type, or `mixed` when Spot and non-Spot are both
  allowed; a toleration of a capacity taint without a selector requiring it
  means the pod may land on either (`mixed`, inferred);
- zone spread: a topologySpreadConstraint or a pod anti-affinity term (required
  or preferred) on `topology.kubernetes.io/zone`;
- node pools: the Karpenter NodePools (or v1alpha5 Provisioners) the pod is
  pinned to by name (`karpenter.sh/nodepool` in the nodeSelector, or `In`
  in every required node-affinity term), for the workload readers to take
  the pools' capacity from the run (`karpenter.pinned_capacity`);
- disruption opt-out: the template's `karpenter.sh/do-not-disrupt`
  annotation (`disruption_opt_out_of`).

The node selection (nodeSelector, required node-affinity terms,
tolerations) is read once per pod spec (`scheduling_of`), and the
instance type, capacity, node pools and scheduling attributes are all
taken from that one reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    AcceleratorKind,
    Capacity,
    Compute,
    MappingNode,
    ModelSpec,
    Node,
    Probe,
    Probes,
    Provenance,
    ScalarNode,
    SequenceNode,
    Sourced,
    Span,
    child,
    mappings,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for, model_for
from plugins.adapters.kubernetes.objects import (
    key_span,
    label_text,
    mapping,
    point,
    read_count_quantity,
    read_int,
    read_str,
    string_list,
    string_map,
    text,
    values_span,
)

ALL_CAPACITIES = frozenset({Capacity.ON_DEMAND, Capacity.SPOT, Capacity.RESERVED})


@dataclass(frozen=True)
class Pod:
    """What one pod template (or pod spec) says, in model terms."""

    models: tuple[ModelSpec, ...]
    compute: Compute
    capacity: Sourced
    zone_spread: Sourced
    labels: dict[str, str]
    container_names: tuple[str, ...]
    attributes: tuple[tuple[str, Sourced], ...]
    span: Span
    readable: bool = True  # False when there is no pod spec to read (labels then unknown too)
    node_pools: Sourced = NOT_WRITTEN  # ((label key, pool name), ...) the pod is pinned to; unknown: not pinned
    disruption_opt_out: Sourced = NOT_WRITTEN  # karpenter.sh/do-not-disrupt: True, False (not written), unknown (other values)


def read_template(
    template: Node | None, anchor: Span, extra_labels: dict[str, str] | None = None, *, extensions: data.Extensions
) -> Pod:
    """A pod template (`metadata.labels` + `spec`), as in a Deployment's `spec.template`; `extensions` as `read_spec` takes them."""
    template_map = mapping(template)
    labels = string_map(child(template_map, "metadata", "labels"))
    if extra_labels:
        labels = {**extra_labels, **labels}
    where = point(template_map.span if template_map is not None else anchor)
    missing = "no pod template" if template is None else ""
    opt_out = disruption_opt_out_of(child(template_map, "metadata"), where) if template_map is not None else NOT_WRITTEN
    return read_spec(
        child(template_map, "spec"), where, labels, missing=missing, key=key_span(template_map, "spec"), disruption_opt_out=opt_out, extensions=extensions
    )


def disruption_opt_out_of(metadata: Node | None, where: Span) -> Sourced:
    """Whether the pod's `metadata` asks Karpenter not to disrupt it: `karpenter.sh/do-not-disrupt: "true"`.

    False at the metadata (where it would be written) when absent; unknown
    for another value (a duration ends the protection after that long; a
    value that is not "true" may be read differently by other versions).
    """
    key = data.karpenter_do_not_disrupt_annotation()
    metadata_map = mapping(metadata)
    annotations = mapping(child(metadata_map, "annotations"))
    node = annotations.get(key) if annotations is not None else None
    if node is None:
        at = annotations.span if annotations is not None else (metadata_map.span if metadata_map is not None else where)
        return Sourced(False, point(at), Provenance.INFERRED, f"no {key} annotation on the pod")
    value = label_text(node)
    if value == "true":
        return Sourced(True, node.span, Provenance.DECLARED, f"{key}: \"true\"")
    return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{key}: {value!r}: a protection that may end, or a value this adapter does not read", raw=value)


def read_spec(
    spec: Node | None,
    anchor: Span,
    labels: dict[str, str] | None = None,
    extra_containers: Sequence[MappingNode] = (),
    missing: str = "",
    extra_name: str = "model",
    devices_claimed: str = "",
    key: Span | None = None,
    disruption_opt_out: Sourced = NOT_WRITTEN,
    *,
    extensions: data.Extensions,
) -> Pod:
    """A pod spec; `extra_containers` are containers written outside `containers` (KServe's `model`).

    `extra_name` names an extra container that has no `name` of its own in notes.
    `devices_claimed` says how devices reach the pod outside its spec (a
    serving CRD's annotation); with it, or with Dynamic Resource Allocation
    claims in the spec, a pod that requests no accelerator resource has an
    unknown accelerator rather than none. `key` is the key that holds the
    pod spec (a template's `spec:`, a KServe component's `predictor:`):
    what the pod lacks as a whole (a zone spread) is reported there.
    `extensions` is the run's `[data]` section (`RunIndex.extensions`), for
    the facts inferred from the containers' images and pinned instance types.
    `disruption_opt_out` is what the pod's metadata says (`disruption_opt_out_of`),
    given here rather than set on a copy of the pod.
    """
    spec_map = mapping(spec)
    where = point(spec_map.span if spec_map is not None else anchor)  # findings about the pod point at its start
    containers_node = child(spec_map, "containers")
    containers = [*extra_containers, *mappings(containers_node)]
    fallback = {id(container): extra_name for container in extra_containers}
    problem = ""
    if spec_map is None:
        problem = missing or ("the pod spec is not a mapping" if spec is not None else "no pod spec")
    elif containers_node is not None and not isinstance(containers_node, SequenceNode):
        problem = "containers is not a list"
    elif not containers:
        problem = "no containers"

    models = tuple(_model(container, extensions) for container in containers)
    scheduling = scheduling_of(spec_map)
    instance_type = _instance_type(scheduling)
    compute = _compute(instance_type, extensions)
    resources = _container_resources(containers)
    claims = devices_claimed or _resource_claims(spec_map, containers) or _other_extended_resources(resources)
    compute = _with_requested_accelerators(compute, containers, resources, containers_node or spec_map, problem or claims, where, fallback)
    spread_at = _spread_anchor(spec_map, key) if spec_map is not None else where
    attributes = _scheduling_attributes(scheduling)
    return Pod(
        models=models,
        compute=compute,
        capacity=capacity_of(scheduling, where) if spec_map is not None else Sourced(UNKNOWN, where, Provenance.DECLARED, problem),
        zone_spread=zone_spread_of(spec_map, spread_at) if spec_map is not None else Sourced(UNKNOWN, where, Provenance.DECLARED, problem),
        labels=dict(labels or {}),
        container_names=tuple(name for name in (text(container.get("name")) for container in containers) if name),
        attributes=attributes,
        span=where,
        readable=spec_map is not None,
        node_pools=node_pools_of(scheduling),
        disruption_opt_out=disruption_opt_out,
    )


# --- containers ---------------------------------------------------------------


def _model(container: MappingNode, extensions: data.Extensions) -> ModelSpec:
    model = model_for(
        read_str(container.get("image")),
        read_str(container.get("name")),
        environment=environment_of(container),
        command=command_of(container),
        extensions=extensions,
    )
    return model.replaced(probes=probes_of(container))


PROBE_FIELDS = (
    ("initial_delay_seconds", "initialDelaySeconds", "probe_initial_delay_seconds"),
    ("period_seconds", "periodSeconds", "probe_period_seconds"),
    ("failure_threshold", "failureThreshold", "probe_failure_threshold"),
    ("timeout_seconds", "timeoutSeconds", "probe_timeout_seconds"),
)


def probes_of(container: MappingNode) -> Probes:
    """The container's `readinessProbe`, `startupProbe` and `livenessProbe`, with their timing."""
    found = {}
    for name in ("readiness", "startup", "liveness"):
        node = container.get(f"{name}Probe")
        if node is None or (isinstance(node, ScalarNode) and node.value is None):
            continue
        probe = mapping(node)
        timing = {}
        for attribute, key, table_name in PROBE_FIELDS:
            value = child(probe, key)
            if value is not None:
                timing[attribute] = read_int(value)
            else:
                default = data.limit("kubernetes", table_name).default
                timing[attribute] = Sourced(default, point(node.span), Provenance.DEFAULT, f"no {key}: Kubernetes uses {default}")
        found[name] = Probe(**timing, span=container.key_node(f"{name}Probe").span)  # type: ignore[union-attr]
    return Probes(**found, span=point(container.span))


def command_of(container: MappingNode) -> Sourced:
    """The container's command line, `command` then `args`, as a tuple of words at the first of them written.

    Non-scalar items are left out; `$(VAR)` references stay as written.
    The image's entrypoint runs `args` when there is no `command`.
    """
    nodes = [node for node in (container.get("command"), container.get("args")) if isinstance(node, SequenceNode)]
    words = tuple(word for node in nodes for item in node.items if (word := label_text(item)) is not None)
    if not words:
        return NOT_WRITTEN
    where = "command" if isinstance(container.get("command"), SequenceNode) else "args"
    return Sourced(words, nodes[0].span, Provenance.DECLARED, where)


def environment_of(container: MappingNode) -> tuple[tuple[str, Sourced], ...]:
    """`env` as (name, value) pairs; a `valueFrom` is set at run time (unknown)."""
    pairs = []
    for entry in mappings(container.get("env")):
        name = text(entry.get("name"))
        if not name:
            continue
        if "valueFrom" in entry:
            pairs.append((name, Sourced(UNKNOWN, entry.span, Provenance.DECLARED, "valueFrom: set when the pod starts")))
            continue
        value = entry.get("value")
        if isinstance(value, ScalarNode) and value.value is not None:
            pairs.append((name, Sourced(label_text(value), value.span, Provenance.DECLARED)))
    return tuple(pairs)


def _resource_claims(spec_map: MappingNode | None, containers: Sequence[MappingNode]) -> str:
    """A note when the pod claims devices through Dynamic Resource Allocation, else ""."""
    claimed = bool(mappings(child(spec_map, "resourceClaims"))) or any(
        mappings(child(container, "resources", "claims")) for container in containers
    )
    return "the pod claims devices through Dynamic Resource Allocation (resourceClaims): the manifest does not say which" if claimed else ""


def _other_extended_resources(resources: Sequence[_ContainerResources]) -> str:
    """A note when a container requests a vendor resource (`vendor.com/name`) the tables do not know, else "".

    Such a resource may be an accelerator under another name (a time-sliced
    `nvidia.com/gpu.shared`, a vendor's device plugin): the pod's
    accelerator is then unknown rather than none.
    """
    for _, _, _, names in resources:
        for key in names:
            if "/" in key and not data.accelerator_resource(key):
                return f"requests {key}, a device resource the tables do not know: it may be an accelerator"
    return ""


# A container, its `resources.limits` and `resources.requests` (None when absent), and their resource names (`_resource_names`).
_ContainerResources = tuple[MappingNode, "MappingNode | None", "MappingNode | None", list[str]]


def _container_resources(containers: Sequence[MappingNode]) -> list[_ContainerResources]:
    """Each container's resource sections and names, read once for the pod's accelerator and device checks."""
    found = []
    for container in containers:
        limits, requests = _resource_sections(container)
        found.append((container, limits, requests, _resource_names(limits, requests)))
    return found


def _resource_sections(container: MappingNode) -> tuple[MappingNode | None, MappingNode | None]:
    """A container's `resources.limits` and `resources.requests` mappings (None when absent)."""
    resources = mapping(container.get("resources"))
    return mapping(child(resources, "limits")), mapping(child(resources, "requests"))


def _resource_names(limits: MappingNode | None, requests: MappingNode | None) -> list[str]:
    """The resource names of both sections, each once, limits first, in file order."""
    names = (key for section in (limits, requests) if section is not None for key in section.keys() if isinstance(key, str))
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class _Request:
    resource: str
    accelerator: str  # gpu | neuron (data.accelerator_resource)
    count: Sourced
    container: str
    where: str  # limits | requests


def _requests(resources: Sequence[_ContainerResources], fallback: dict[int, str]) -> list[_Request]:
    """Accelerator resources per container: limits (where Kubernetes wants them), else requests."""
    found = []
    for container, limits, requests, names in resources:
        for resource in sorted(name for name in names if data.accelerator_resource(name)):
            node, where = (limits.get(resource), "limits") if limits is not None and resource in limits else (None, "")
            if node is None and requests is not None and resource in requests:
                node, where = requests.get(resource), "requests"
            if node is None:
                continue
            found.append(
                _Request(resource, data.accelerator_resource(resource) or "", read_count_quantity(node), text(container.get("name")) or fallback.get(id(container), "(unnamed)"), where)
            )
    return found


def _resources_anchor(containers: Sequence[MappingNode], containers_node, where: Span) -> Span:
    """Where a pod that requests no accelerator is reported: the first container's `resources:` key, where a request would go.

    The first container's start when it has no `resources`; the containers
    (or the pod) when there is none.
    """
    for container in containers:
        key = container.key_node("resources")
        if key is not None:
            return key.span
    if containers:
        return point(containers[0].span)
    return point(containers_node.span if containers_node is not None else where)


def _with_requested_accelerators(
    compute: Compute, containers, resources: Sequence[_ContainerResources], containers_node, problem: str, where: Span, fallback: dict[int, str]
) -> Compute:
    """The accelerator and count the pod requests take the place of the node's; `resources` are the containers' (`_container_resources`).

    The accelerator is given as the `AcceleratorKind` it names, as
    `Compute` keeps it: a name (`"gpu"`) would make `Compute` copy the
    value once more to read it as the kind (once per pod spec of a run).
    """
    requests = [request for request in _requests(resources, fallback) if not (request.count.known and request.count.value == 0)]
    if not requests:
        if problem:
            span = containers_node.span if containers_node is not None else where
            return compute.replaced(
                accelerator=Sourced(UNKNOWN, span, Provenance.DECLARED, problem),
                accelerator_count=Sourced(UNKNOWN, span, Provenance.DECLARED, problem),
            )
        span = _resources_anchor(containers, containers_node, where)
        note = "no container requests an accelerator resource"
        if compute.accelerator.known and compute.accelerator.value != "none":
            note += f"; the {compute.instance_type.value} node's {compute.accelerator.value} is not given to this pod"
        return compute.replaced(
            accelerator=Sourced(AcceleratorKind.NONE, span, Provenance.INFERRED, note),
            accelerator_count=Sourced(0, span, Provenance.INFERRED, note),
        )
    first = requests[0]
    described = ", ".join(f"{request.resource} in {request.where} of container {request.container}" for request in requests)
    kinds = {request.accelerator for request in requests}
    if len(kinds) > 1:
        accelerator = Sourced(UNKNOWN, first.count.span, Provenance.DECLARED, f"several kinds of accelerator requested: {described}")
    elif kinds == {"neuron"}:
        accelerator = _neuron(compute, first, described)
    else:
        accelerator = Sourced(AcceleratorKind(first.accelerator), first.count.span, Provenance.DECLARED, described)
    resources = {request.resource for request in requests}
    shares = sorted(resource for resource in resources if data.accelerator_resource_is_share(resource))
    if shares:  # MIG or time slices: how many devices' memory they stand for is not known here
        count = Sourced(UNKNOWN, first.count.span, Provenance.DECLARED, f"{', '.join(shares)}: shares of a device, not whole devices ({described})")
    elif any(not request.count.known for request in requests):
        bad = next(request for request in requests if not request.count.known)
        count = bad.count.replaced(note=f"{bad.resource} in container {bad.container}: {bad.count.note}".rstrip(": "))
    elif len(resources) > 1:
        count = Sourced(UNKNOWN, first.count.span, Provenance.DECLARED, f"counted in different units: {described}")
    else:
        total = sum(int(request.count.value) for request in requests)
        note = described if len(requests) == 1 else f"sum of {described}"
        count = Sourced(total, first.count.span, Provenance.DECLARED, note)
    return compute.replaced(accelerator=accelerator, accelerator_count=count)


def _neuron(compute: Compute, first: _Request, described: str) -> Sourced:
    """Neuron devices are Inferentia or Trainium: the node's instance type decides, when known."""
    if compute.accelerator.known and compute.accelerator.value in ("inferentia", "trainium"):
        return Sourced(
            compute.accelerator.value, first.count.span, Provenance.INFERRED, f"{described} on {compute.instance_type.value} nodes"
        )
    return Sourced(
        UNKNOWN,
        first.count.span,
        Provenance.DECLARED,
        f"{described}: Inferentia or Trainium, the node's instance type would say",
        options=("inferentia", "trainium"),
    )


# --- node selection -------------------------------------------------------------


# (key, operator, values, node) of one matchExpressions entry; `node` is its `values` list, else the expression.
Expression = tuple[str, str, list[str], Node]


@dataclass(frozen=True)
class Scheduling:
    """Where a pod spec lets its pods run, read once (`scheduling_of`) for every reader of it.

    `selector` is the `nodeSelector` mapping (None when absent or not a
    mapping); `required` the node affinity's
    `requiredDuringSchedulingIgnoredDuringExecution`, `terms` the
    expressions of each of its `nodeSelectorTerms` (ORed; empty when there
    are none); `tolerations` the mapping items of the `tolerations` list
    (`tolerations_node`). The instance type, capacity, node pools and
    scheduling attributes of a pod all read this one object, so a pod's
    node selection is walked once; readers do not change what it holds.
    """

    selector: MappingNode | None = None
    required: Node | None = None
    terms: tuple[tuple[Expression, ...], ...] = ()
    tolerations_node: Node | None = None
    tolerations: tuple[MappingNode, ...] = ()


NO_SCHEDULING = Scheduling()  # a pod that writes no node selection (or has no spec): every reader finds nothing


def scheduling_of(spec: MappingNode | None) -> Scheduling:
    """The node selection a pod spec writes: its nodeSelector, required node-affinity terms and tolerations."""
    if spec is None:
        return NO_SCHEDULING
    selector, affinity, tolerations_node = spec.get("nodeSelector"), spec.get("affinity"), spec.get("tolerations")
    if selector is None and affinity is None and tolerations_node is None:
        return NO_SCHEDULING
    required = child(affinity, "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
    return Scheduling(
        selector=mapping(selector),
        required=required,
        terms=tuple(_expressions(term) for term in mappings(child(required, "nodeSelectorTerms"))),
        tolerations_node=tolerations_node,
        tolerations=tuple(mappings(tolerations_node)),
    )


def _expressions(term: MappingNode) -> tuple[Expression, ...]:
    """(key, operator, values, node) of a node-selector term's matchExpressions."""
    found = []
    for expression in mappings(term.get("matchExpressions")):
        key, operator = text(expression.get("key")), text(expression.get("operator"))
        if key and operator:
            values_node = expression.get("values")
            found.append((key, operator, string_list(values_node), values_node if values_node is not None else expression))
    return tuple(found)


def _instance_type(scheduling: Scheduling) -> list[Sourced]:
    """Instance types the pod is pinned to: the nodeSelector, else every required term's `In` list."""
    label = data.kubernetes_label("instance_type")
    selector = scheduling.selector
    node = selector.get(label) if selector is not None else None
    if node is not None:
        return [read_str(node).replaced(note=f"nodeSelector {label}")]
    if not scheduling.terms:
        return []
    found: list[Sourced] = []
    for expressions in scheduling.terms:
        pinned = [(values, values_node) for key, operator, values, values_node in expressions if key == label and operator == "In"]
        if not pinned:
            return []  # a term that allows any instance type
        values, values_node = pinned[0]
        items = values_node.items if isinstance(values_node, SequenceNode) else ()
        for value, item in zip(values, items):
            found.append(Sourced(value, item.span, Provenance.DECLARED, f"required node affinity {label} In"))
    return found


def _compute(instance_types: list[Sourced], extensions: data.Extensions) -> Compute:
    """The first pinned instance type's compute; its accelerator only when every type agrees."""
    if not instance_types:
        return Compute()
    computes = [compute_for(instance_type, extensions) for instance_type in instance_types]
    first = computes[0]
    accelerators = {compute.accelerator.value for compute in computes if compute.accelerator.known}
    if len(accelerators) > 1 or (accelerators and any(not compute.accelerator.known for compute in computes)):
        return first.replaced(accelerator=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, "the allowed instance types differ in accelerator"))
    return first


# --- capacity ----------------------------------------------------------------------


def capacity_label_values(key: str) -> dict[str, str]:
    """Every value the data tables know for a capacity label key, and its capacity.

    TRANSITIONAL: read from the table itself (`capacity.labels`), since the
    data accessors answer one value at a time; `NotIn`, `Exists` and
    `DoesNotExist` need the whole list.
    """
    for entry in data.raw_tables()["capacity"]["labels"]:
        if entry["key"] == key:
            return {str(value): capacity for value, capacity in entry["values"].items()}
    return {}


ANY = None  # a requirement that leaves the capacity open


def _allowed(key: str, operator: str, values: list[str]) -> "frozenset[Capacity] | None | str":
    """The capacities a node-selector requirement on a capacity label allows.

    None (ANY) when the requirement leaves the capacity open; the string
    "malformed" when it names a value the tables do not know. Nodes without
    the label match `NotIn` and `DoesNotExist`: for a label only Spot nodes
    carry (GKE, AKS) they are the non-Spot nodes.
    """
    known = capacity_label_values(key)
    mapped = {Capacity(capacity) for capacity in known.values()}
    unlabelled = ALL_CAPACITIES - mapped
    if operator == "In":
        chosen = [data.capacity_from_label(key, value) for value in values]
        if not chosen or any(capacity is None for capacity in chosen):
            return "malformed"
        return frozenset(Capacity(capacity) for capacity in chosen if capacity)
    if operator == "NotIn":
        return frozenset({Capacity(capacity) for value, capacity in known.items() if value not in values} | unlabelled)
    if operator == "Exists":
        return frozenset(mapped)
    if operator == "DoesNotExist":
        return frozenset(unlabelled) or ANY  # every node carries it: the pods go to nodes it does not manage
    return ANY


def capacity_of(scheduling: Scheduling, where: Span) -> Sourced:
    """The capacity types a pod's node selection (`scheduling_of`) allows (see the module docstring); unknown at `where` when it names none."""
    keys = data.capacity_label_keys()
    allowed: frozenset[Capacity] | None = None  # None: unconstrained
    spans: list[Span] = []
    notes: list[str] = []
    selector = scheduling.selector
    if selector is not None:
        for key, value in selector.pairs:
            if key.value not in keys:
                continue
            capacity = data.capacity_from_label(str(key.value), label_text(value))
            if capacity is None:
                return Sourced(UNKNOWN, value.span, Provenance.DECLARED, f"nodeSelector {key.value}: value not in the capacity tables", raw=label_text(value))
            allowed = _intersect(allowed, frozenset({Capacity(capacity)}))
            spans.append(value.span)
            notes.append(f"nodeSelector {key.value}={label_text(value)}")
    if scheduling.terms:
        union: frozenset[Capacity] | None = frozenset()
        term_spans: list[Span] = []
        term_notes: list[str] = []
        for expressions in scheduling.terms:
            term_allowed: frozenset[Capacity] | None = None
            for key, operator, values, node in expressions:
                if key not in keys:
                    continue
                choice = _allowed(key, operator, values)
                if choice is ANY:
                    continue
                if choice == "malformed":
                    return Sourced(UNKNOWN, values_span(node), Provenance.DECLARED, f"node affinity {key} {operator} {values}: not in the capacity tables", raw=values)
                term_allowed = _intersect(term_allowed, choice)
                term_spans.append(values_span(node))
                term_notes.append(f"required node affinity {key} {operator} {values}" if values else f"required node affinity {key} {operator}")
            if term_allowed is None:  # this term allows any capacity
                union = None
                break
            union = union | term_allowed  # type: ignore[operator]
        if union is not None:
            allowed = _intersect(allowed, union)
            spans += term_spans
            notes += term_notes
    if allowed is not None:
        return _capacity_from_set(allowed, spans[0], "; ".join(notes))
    tolerated = _tolerated_capacity_taints(scheduling.tolerations, keys)
    if tolerated:
        node, description = tolerated[0]
        return Sourced(
            Capacity.MIXED,
            node.span,
            Provenance.INFERRED,
            f"tolerates {description} but no node selector requires it: the pods may run on Spot or other nodes",
        )
    return Sourced(
        UNKNOWN, point(where), Provenance.INFERRED, "no nodeSelector, required node affinity or toleration names a capacity type"
    )


def _intersect(current: frozenset | None, other: frozenset) -> frozenset:
    return other if current is None else current & other


def _capacity_from_set(allowed: frozenset, span: Span, note: str) -> Sourced:
    if not allowed:
        return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{note}: no capacity type satisfies every requirement")
    if len(allowed) == 1:
        (only,) = allowed
        return Sourced(only, span, Provenance.DECLARED, note)
    if Capacity.SPOT in allowed:
        return Sourced(Capacity.MIXED, span, Provenance.DECLARED, f"{note}: Spot and {', '.join(sorted(c.value for c in allowed - {Capacity.SPOT}))}")
    return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{note}: not Spot, one of {', '.join(sorted(c.value for c in allowed))}", options=tuple(sorted(allowed, key=lambda c: c.value)))


def _tolerated_capacity_taints(tolerations: Sequence[MappingNode], keys: frozenset[str]) -> list[tuple[Node, str]]:
    """Tolerations of a Spot taint on a capacity label key (AKS and GKE taint their Spot nodes)."""
    found = []
    for toleration in tolerations:
        key = text(toleration.get("key"))
        if key not in keys:
            continue
        operator = text(toleration.get("operator")) or "Equal"
        value = label_text(toleration.get("value"))
        if operator == "Exists" or data.capacity_from_label(key, value) == Capacity.SPOT.value:
            found.append((toleration, f"the taint {key}" + (f"={value}" if operator != "Exists" else "")))
    return found


def node_pool_labels() -> tuple[str, ...]:
    """The node labels that name the Karpenter pool a node comes from (NodePool, then v1alpha5 Provisioner)."""
    return (
        str(data.limit("kubernetes", "karpenter_nodepool_label").value),
        str(data.limit("kubernetes", "karpenter_provisioner_label").value),
    )


def node_pools_of(scheduling: Scheduling) -> Sourced:
    """The node pools a pod's node selection (`scheduling_of`) pins it to by name, as ((label key, pool name), ...).

    Pinned by a nodeSelector on a pool-name label, else by every required
    node-affinity term (they are ORed) naming pools with `In`; a term that
    does not leaves the pool open (unknown). The span is where the pool is
    named in the pod, so findings stay in the workload's file.
    """
    labels = node_pool_labels()
    selector = scheduling.selector
    if selector is not None:
        for key, value in selector.pairs:
            name = label_text(value)
            if key.value in labels and name:
                return Sourced(((str(key.value), name),), value.span, Provenance.DECLARED, f"nodeSelector {key.value}={name}")
    if not scheduling.terms:
        return NOT_WRITTEN
    pinned: list[tuple[str, str]] = []
    spans: list[Span] = []
    for expressions in scheduling.terms:
        named = [(key, values, node) for key, operator, values, node in expressions if key in labels and operator == "In" and values]
        if not named:
            return NOT_WRITTEN  # this term allows nodes of any pool
        key, values, node = named[0]
        pinned += [(key, value) for value in values]
        spans.append(values_span(node))
    pinned = list(dict.fromkeys(pinned))
    described = ", ".join(f"{key}={name}" for key, name in pinned)
    return Sourced(tuple(pinned), spans[0], Provenance.DECLARED, f"required node affinity {described}")


# --- zones -------------------------------------------------------------------------


def _spread_anchor(spec: MappingNode, key: Span | None) -> Span:
    """Where pods that do not spread over zones are reported: their `topologySpreadConstraints:` or `affinity:` key
    (where a zone term would go), else the key that holds the pod spec, else the pod spec's start."""
    for name in ("topologySpreadConstraints", "affinity"):
        node = spec.key_node(name)
        if node is not None:
            return node.span
    return key if key is not None else point(spec.span)


def zone_spread_of(spec: MappingNode, where: Span) -> Sourced:
    """True when the pods spread over zones (spread constraint or anti-affinity on a zone label: the data tables'
    `zone_topology_keys`); False at `where`."""
    zone = data.kubernetes_label("zone")
    zones = data.limit("kubernetes", "zone_topology_keys").values or (zone,)
    for constraint in mappings(spec.get("topologySpreadConstraints")):
        key = constraint.get("topologyKey")
        if text(key) in zones:
            mode = text(constraint.get("whenUnsatisfiable")) or "DoNotSchedule"
            return Sourced(True, key.span, Provenance.DECLARED, f"topologySpreadConstraints on {text(key)} ({mode})")  # type: ignore[union-attr]
    anti = child(spec, "affinity", "podAntiAffinity")
    for term in mappings(child(anti, "requiredDuringSchedulingIgnoredDuringExecution")):
        key = term.get("topologyKey")
        if text(key) in zones:
            return Sourced(True, key.span, Provenance.DECLARED, f"required pod anti-affinity on {text(key)}")  # type: ignore[union-attr]
    for weighted in mappings(child(anti, "preferredDuringSchedulingIgnoredDuringExecution")):
        key = child(weighted, "podAffinityTerm", "topologyKey")
        if text(key) in zones:
            return Sourced(True, key.span, Provenance.DECLARED, f"preferred pod anti-affinity on {text(key)}")  # type: ignore[union-attr]
    return Sourced(False, where, Provenance.INFERRED, f"no topologySpreadConstraints or pod anti-affinity on {zone}")


# --- attributes for matching pods to node pools ----------------------------------------


def _scheduling_attributes(scheduling: Scheduling) -> tuple[tuple[str, Sourced], ...]:
    """A pod's node selection as attributes, for matching it to node pools (`karpenter.pod_needs`)."""
    attributes: list[tuple[str, Sourced]] = []
    selector = scheduling.selector
    if selector is not None and len(selector):
        pairs = tuple((str(key), value) for key, value in string_map(selector).items())
        attributes.append(("node_selector", Sourced(pairs, selector.span, Provenance.DECLARED, "nodeSelector")))
    if scheduling.terms:
        described = tuple(tuple((key, operator, tuple(values)) for key, operator, values, _ in expressions) for expressions in scheduling.terms)
        attributes.append(("node_affinity", Sourced(described, scheduling.required.span, Provenance.DECLARED, "required node affinity terms (ORed)")))  # type: ignore[union-attr]
    tolerations = scheduling.tolerations
    if tolerations:
        triples = tuple(
            (
                text(toleration.get("key")) or "",
                text(toleration.get("operator")) or "Equal",
                label_text(toleration.get("value")) or "",
                text(toleration.get("effect")) or "",
            )
            for toleration in tolerations
        )
        attributes.append(("tolerations", Sourced(triples, scheduling.tolerations_node.span, Provenance.DECLARED, "key, operator, value, effect")))  # type: ignore[union-attr]
    return tuple(attributes)

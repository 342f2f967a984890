"""Karpenter node pools: capacity for the pods scheduled on them.

A NodePool (`karpenter.sh/v1`, `v1beta1`; requirements under
`spec.template.spec`) or a legacy Provisioner (`karpenter.sh/v1alpha5`;
under `spec`) is capacity, not a workload: it becomes a deployment on
platform `karpenter-nodepool` whose kind is unknown, like an EKS node group
read from CloudFormation. Its one unit has:
- capacity from the `karpenter.sh/capacity-type` requirement, through the
  data tables: one type (spot, on-demand, reserved), `mixed` when Spot and
  another type are both allowed, on-demand when no requirement is written
  (Karpenter's default); unknown instead of on-demand when the pool's
  node class in the run (`nodeClassRef`: an EC2NodeClass, or an EKS Auto
  Mode NodeClass) selects capacity reservations
  (`capacityReservationSelectorTerms`), since the pool may then launch
  into reserved capacity, bought deliberately;
- compute from a `node.kubernetes.io/instance-type` requirement (the first
  type; its accelerator only when every type agrees), else from the
  `karpenter.k8s.aws/instance-family` requirement the same way (counts then
  unknown: they depend on the size Karpenter picks);
- no count: Karpenter launches nodes as pods need them;
- instance types: the `node.kubernetes.io/instance-type` `In` list, when
  written (unknown otherwise: Karpenter chooses among whatever the other
  requirements allow); zones: a `topology.kubernetes.io/zone` `In` list,
  as the network's zones (none otherwise);
- consolidation (`pool_consolidation`): whether the pool removes or
  replaces nodes that still run pods — `spec.disruption.consolidationPolicy`
  (`WhenEmptyOrUnderutilized`, v1beta1 `WhenUnderutilized`; the API
  version's default when not written, from the data tables), unless
  `consolidateAfter: Never` or a budget of `nodes: "0"` without a schedule
  for every reason (or for `Underutilized`) turns it off; `WhenEmpty`
  removes only empty nodes. A v1alpha5 Provisioner consolidates with
  `consolidation.enabled: true`; otherwise it is left unknown.
Labels, taints and requirements are attributes, for matching pods to pools.

A pod pinned to pools by name (`karpenter.sh/nodepool`, v1alpha5
`karpenter.sh/provisioner-name`) runs on their capacity:
`pinned_capacity` gives a workload's unit the pools' capacity when every
pool it names is in the run and the pod's own node selection does not
already name one capacity type; `pinned_consolidation` gives it the pools'
consolidation, with the pod's own opt-out (`karpenter.sh/do-not-disrupt`),
when every pool it names is in the run. A pod that names no pool is
linked to the one pool near it (`RunIndex.near_node_pools`) that admits it
when every other pool near it does not (`admitting_pool`, with
`pool_admission`, imported for the first pod with pools near it): its
requirements and labels satisfy the pod's node selection, it can have the
accelerators the pod requests, and the pod tolerates its taints. Otherwise (several pools admit it, one may, none is
near) it is not linked: which of the cluster's pools takes it is not
decided by the files. What a pool's nodes may carry, its capacity and its
consolidation are read once per run for all the pods that ask
(`read_once_per_run`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, TypeVar

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Capacity,
    Compute,
    Consolidation,
    Deployment,
    MappingNode,
    Network,
    Provenance,
    ResourceRef,
    SequenceNode,
    Sourced,
    Unit,
    child,
    mappings,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for
from plugins.adapters.kubernetes.index import UNREAD, RunIndex
from plugins.adapters.kubernetes.objects import (
    DEFAULT_NAMESPACE,
    Manifest,
    label_text,
    mapping,
    point,
    read_bool,
    read_int,
    string_list,
    string_map,
    text,
    values_span,
)
from plugins.adapters.kubernetes.pod import Pod, capacity_label_values, node_pool_labels
from plugins.adapters.kubernetes.workload_profile import environment_of, profile_of

if TYPE_CHECKING:
    # The admission check waits for a pod with node pools near it (`admitting_pool`).
    from plugins.adapters.kubernetes.pool_admission import PodNeeds, PoolNodes

KINDS = {("karpenter.sh", "NodePool"), ("karpenter.sh", "Provisioner")}
T = TypeVar("T")
PLATFORM = "karpenter-nodepool"
CAPACITY_LABEL = "karpenter.sh/capacity-type"
FAMILY_LABEL = "karpenter.k8s.aws/instance-family"
# Node classes a NodePool's nodeClassRef names (Karpenter on AWS; EKS Auto Mode), and their
# field that selects On-Demand Capacity Reservations and Capacity Blocks.
NODE_CLASS_KINDS = frozenset({"EC2NodeClass", "NodeClass"})
RESERVATION_TERMS = "capacityReservationSelectorTerms"

KIND_NOTE = "a node pool is capacity, not a workload: the pods scheduled on it decide between job and service"


def _node_spec(manifest: Manifest):
    """(node spec, its anchor, requirements) of a NodePool (`spec.template.spec`) or Provisioner (`spec`)."""
    spec = manifest.spec
    node_spec = spec if manifest.kind == "Provisioner" else mapping(child(spec, "template", "spec"))
    anchor = node_spec.span if node_spec is not None else manifest.anchor
    return node_spec, anchor, mappings(child(node_spec, "requirements"))


def read(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    legacy = manifest.kind == "Provisioner"
    node_spec, anchor, requirements = _node_spec(manifest)
    labels_node = child(spec, "labels") if legacy else child(spec, "template", "metadata", "labels")

    unit = Unit(
        name=manifest.name_sourced,
        compute=_compute(requirements, index.extensions),
        count=Sourced(UNKNOWN, point(anchor), Provenance.INFERRED, "Karpenter launches nodes as pending pods need them"),
        capacity=pool_capacity(manifest, index),
        span=anchor,
        instance_types=_listed(requirements, data.kubernetes_label("instance_type")),
        consolidation=Consolidation(evicts_running_pods=pool_consolidation(manifest), span=anchor),
    )
    zones = _listed(requirements, data.kubernetes_label("zone"))
    network = None
    if zones.known:
        zones_node = _requirement(requirements, data.kubernetes_label("zone")).get("values")  # type: ignore[union-attr]
        items = zones_node.items if isinstance(zones_node, SequenceNode) else ()
        network = Network(
            zones=tuple(Sourced(label_text(item), item.span, Provenance.DECLARED, f"requirement {data.kubernetes_label('zone')} In") for item in items if label_text(item)),
            span=zones.span,
        )
    attributes: list[tuple[str, Sourced]] = []
    if requirements:
        described = tuple(
            (text(item.get("key")) or "", text(item.get("operator")) or "", tuple(string_list(item.get("values"))))
            for item in requirements
        )
        attributes.append(("requirements", Sourced(described, child(node_spec, "requirements").span, Provenance.DECLARED, "key, operator, values")))  # type: ignore[union-attr]
    if isinstance(labels_node, MappingNode):
        attributes.append(("labels", Sourced(tuple(string_map(labels_node).items()), labels_node.span, Provenance.DECLARED, "node labels")))
    for field in ("taints", "startupTaints"):
        taints = mappings(child(node_spec, field))
        if taints:
            triples = tuple(
                (text(taint.get("key")) or "", label_text(taint.get("value")) or "", text(taint.get("effect")) or "") for taint in taints
            )
            attributes.append((field.replace("T", "_t"), Sourced(triples, child(node_spec, field).span, Provenance.DECLARED, "key, value, effect")))  # type: ignore[union-attr]
    weight = child(spec, "weight")
    if weight is not None:
        attributes.append(("weight", read_int(weight)))

    profile, problems = profile_of(manifest)
    deployment = Deployment(
        id=index.deployment_id(manifest),
        platform=PLATFORM,
        kind=Sourced(UNKNOWN, manifest.kind_node.span, Provenance.INFERRED, KIND_NOTE),
        span=manifest.anchor,
        name=manifest.name_sourced,
        environment=environment_of(manifest, profile, namespace_stages=index.namespace_stages),
        profile=profile,
        units=(unit,),
        network=network,
        links=(ResourceRef(manifest.kind, manifest.name or "(unnamed)", manifest.anchor),),
        attributes=tuple(attributes),
    )
    return [deployment, *problems]


def _requirement(requirements: list[MappingNode], key: str) -> MappingNode | None:
    return next((item for item in requirements if text(item.get("key")) == key), None)


def _listed(requirements: list[MappingNode], key: str) -> Sourced:
    """The values of the pool's `key In [...]` requirement, as a tuple at the list; unknown unless exactly one such requirement limits `key`."""
    found = [item for item in requirements if text(item.get("key")) == key]
    if len(found) != 1 or text(found[0].get("operator")) != "In":
        return NOT_WRITTEN
    values_node = found[0].get("values")
    values = tuple(dict.fromkeys(string_list(values_node)))
    if not values or not isinstance(values_node, SequenceNode) or len(values) != len([item for item in values_node.items if label_text(item)]):
        return NOT_WRITTEN
    return Sourced(values, values_span(values_node), Provenance.DECLARED, f"requirement {key} In")


def pool_consolidation(manifest: Manifest) -> Sourced:
    """True when the NodePool or Provisioner consolidates nodes that still run pods (see the module docstring)."""
    spec = manifest.spec
    name = f"{manifest.kind} {manifest.name or '(unnamed)'}"
    if manifest.kind == "Provisioner":
        enabled = read_bool(child(spec, "consolidation", "enabled"))
        if enabled.known and enabled.value is True:
            return Sourced(True, enabled.span, Provenance.DECLARED, f"{name}: consolidation.enabled true")
        return Sourced(UNKNOWN, point(manifest.anchor), Provenance.INFERRED, f"{name}: a v1alpha5 Provisioner without consolidation.enabled: true")
    disruption = mapping(child(spec, "disruption"))
    policy_node = child(disruption, "consolidationPolicy")
    if policy_node is not None:
        policy = text(policy_node) or ""
        span, provenance, how = policy_node.span, Provenance.DECLARED, f"consolidationPolicy {policy}"
    else:
        policy = data.karpenter_default_consolidation_policy(manifest.api_version) or ""
        where = disruption.span if disruption is not None else (spec.span if spec is not None else manifest.anchor)
        span, provenance = point(where), Provenance.DEFAULT
        how = f"no consolidationPolicy: {manifest.api_version} defaults to {policy}" if policy else ""
        if not policy:
            return Sourced(UNKNOWN, span, Provenance.INFERRED, f"{name}: no consolidationPolicy, and no known default for {manifest.api_version}")
    evicts = data.karpenter_consolidation_evicts(policy)
    if evicts is None:
        return Sourced(UNKNOWN, span, provenance, f"{name}: {how}, not a policy the tables know", raw=policy)
    after_node = child(disruption, "consolidateAfter")
    after = label_text(after_node) if after_node is not None else None
    if after is not None:
        how += f", consolidateAfter {after}"
    if not evicts:
        return Sourced(False, span, provenance, f"{name}: {how} (only empty nodes are removed)")
    if after == data.karpenter_consolidate_after_never():
        return Sourced(False, after_node.span, Provenance.DECLARED, f"{name}: {how} (consolidation is off)")  # type: ignore[union-attr]
    blocking = _blocking_budget(disruption)
    if blocking is not None:
        return Sourced(False, blocking.span, Provenance.DECLARED, f"{name}: {how}; a disruption budget of nodes 0 without a schedule blocks consolidation")
    return Sourced(True, span, provenance, f"{name}: {how}")


def _blocking_budget(disruption: MappingNode | None) -> MappingNode | None:
    """A budget that always allows no node to be consolidated: `nodes: 0`, no schedule, every reason or `Underutilized`."""
    for budget in mappings(child(disruption, "budgets")):
        if label_text(budget.get("nodes")) not in ("0", "0%") or budget.get("schedule") is not None:
            continue
        reasons = string_list(budget.get("reasons"))
        if not reasons or "Underutilized" in reasons:
            return budget
    return None


def capacity_of(requirements: list[MappingNode], anchor) -> Sourced:
    """spot, on-demand or reserved when one is allowed; mixed when Spot and another are."""
    requirement = _requirement(requirements, CAPACITY_LABEL)
    if requirement is None:
        default = Capacity(data.default_capacity("karpenter-nodepool"))
        return Sourced(
            default,
            point(anchor),
            Provenance.DEFAULT,
            f"no {CAPACITY_LABEL} requirement: Karpenter launches {default.value} capacity",
        )
    operator = text(requirement.get("operator")) or ""
    values_node = requirement.get("values")
    values = string_list(values_node)
    span = values_span(values_node) if values_node is not None else requirement.span
    known = capacity_label_values(CAPACITY_LABEL)
    if operator == "In":
        chosen = {value: data.capacity_from_label(CAPACITY_LABEL, value) for value in values}
        unknown = [value for value, capacity in chosen.items() if capacity is None]
        if unknown or not values:
            return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{CAPACITY_LABEL} In {values}: not in the capacity tables", raw=values)
        allowed = {Capacity(capacity) for capacity in chosen.values() if capacity}
    elif operator == "NotIn":
        allowed = {Capacity(capacity) for value, capacity in known.items() if value not in values}
    elif operator == "Exists":
        allowed = {Capacity(capacity) for capacity in known.values()}
    else:
        return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{CAPACITY_LABEL} with operator {operator!r}", raw=operator)
    note = f"requirement {CAPACITY_LABEL} {operator} {values}" if values else f"requirement {CAPACITY_LABEL} {operator}"
    if not allowed:
        return Sourced(UNKNOWN, span, Provenance.DECLARED, f"{note}: allows no capacity type")
    if len(allowed) == 1:
        (only,) = allowed
        return Sourced(only, span, Provenance.DECLARED, note)
    if Capacity.SPOT in allowed:
        return Sourced(Capacity.MIXED, span, Provenance.DECLARED, f"{note}: Spot and {', '.join(sorted(c.value for c in allowed - {Capacity.SPOT}))}")
    return Sourced(Capacity.MIXED, span, Provenance.DECLARED, f"{note}: {', '.join(sorted(c.value for c in allowed))}, no Spot")


def pool_capacity(manifest: Manifest, index: RunIndex) -> Sourced:
    """The capacity a NodePool or Provisioner launches (see `capacity_of`), given its node class in the run."""
    node_spec, anchor, requirements = _node_spec(manifest)
    capacity = capacity_of(requirements, anchor)
    if not capacity.known or capacity.value is not Capacity.ON_DEMAND:
        return capacity
    reference = mapping(child(node_spec, "nodeClassRef"))
    kind, name = text(child(reference, "kind")), text(child(reference, "name"))
    if not kind or not name or kind not in NODE_CLASS_KINDS:
        return capacity
    node_class = index.find((DEFAULT_NAMESPACE, kind, name), near=manifest.path)
    terms = child(node_class.spec, RESERVATION_TERMS) if node_class is not None else None
    if not isinstance(terms, SequenceNode) or not terms.items:
        return capacity
    where = "" if node_class.path == manifest.path else f" ({node_class.path})"  # type: ignore[union-attr]
    return Sourced(
        UNKNOWN,
        capacity.span,
        Provenance.INFERRED,
        f"{capacity.note}; {kind} {name}{where} selects capacity reservations ({RESERVATION_TERMS}): "
        "the pool may launch into reserved capacity, bought deliberately",
    )


def read_once_per_run(pool: Manifest, index: RunIndex, what: str, read: Callable[[], T]) -> T:
    """What `read` says of a pool the run holds (`what` names it: nodes, capacity, consolidation), read once per run.

    Kept in the run index's memo (`RunIndex.memo`) by pool: every pod pinned
    to the pool or near it asks again, and the answer depends on the pool
    and the run only.
    """
    found: dict[tuple[str, int], object] = index.memo((__name__, "pool readings"), dict)
    key = (what, id(pool.node))  # the index holds the pool, so its node stays the same object for the run
    if key not in found:
        found[key] = read()
    return found[key]  # type: ignore[return-value]


def pinned_capacity(pod: Pod, index: RunIndex, near: str = "", admitted=UNREAD) -> tuple[Sourced, list[ResourceRef]]:
    """The pod's capacity, taken from the node pools it is pinned to by name when that says more.

    `admitted` is `admitting_pool(pod, index, near)` when the caller has
    it (a unit's capacity and consolidation read it once), else `UNREAD`:
    read here when needed.

    The pod's own capacity stands when it names one capacity type (its
    selection narrows any pool), or when a named pool is not in the run.
    Otherwise the pools' capacity, one type when they all agree (mixed
    when Spot and another type are both possible), points at where the pod
    names the pools, so a finding stays in the workload's file.
    """
    own = pod.capacity
    if own.known and own.value is not Capacity.MIXED:
        return own, []
    pinned = pod.node_pools
    pools = []
    if pinned.known:
        nodepool_label, provisioner_label = node_pool_labels()
        kinds = {nodepool_label: "NodePool", provisioner_label: "Provisioner"}
        for label, name in pinned.value:  # type: ignore[union-attr]
            pool = index.node_pool(kinds[label], name, near)
            if pool is None:
                return own, []
            pools.append(pool)
    else:
        if admitted is UNREAD:
            admitted = admitting_pool(pod, index, near)
        if admitted is None:
            return own, []
        pinned, pools = admitted[1], [admitted[0]]
    capacities = [read_once_per_run(pool, index, "capacity", lambda: pool_capacity(pool, index)) for pool in pools]
    described = "; ".join(
        f"{pool.kind} {pool.name}{'' if pool.path == near else f' ({pool.path})'} {_allows(capacity)}" for pool, capacity in zip(pools, capacities)
    )
    links = [ResourceRef(pool.kind, pool.name or "(unnamed)", pool.anchor) for pool in pools]
    note = f"{pinned.note}: {described}"
    if any(not capacity.known for capacity in capacities):
        return Sourced(UNKNOWN, pinned.span, Provenance.INFERRED, note), links
    values = {capacity.value for capacity in capacities}
    if own.known and own.value is Capacity.MIXED and values != {Capacity.SPOT}:
        return own, links  # the pod allows Spot and more; the pools do not narrow it to Spot
    if len(values) == 1:
        (value,) = values
        return Sourced(value, pinned.span, Provenance.INFERRED, note), links
    return Sourced(Capacity.MIXED, pinned.span, Provenance.INFERRED, note), links


def pinned_consolidation(pod: Pod, index: RunIndex, near: str = "", admitted=UNREAD) -> Consolidation | None:
    """The consolidation of the node pools the pod is pinned to by name, with the pod's opt-out; None when not pinned or a pool is not in the run.

    The pools consolidate under the pod when any of them does (the pod may
    land on that one); not when none does; unknown otherwise, and unknown
    when several pools of a name are equally near (which one is meant is
    not clear: the note names them). The fact
    points at where the pod names the pools, its note at the pools.
    `admitted` as `pinned_capacity` takes it.
    """
    pinned = pod.node_pools
    named: tuple = pinned.value if pinned.known else ()  # type: ignore[assignment]
    found = []
    if not pinned.known:
        if admitted is UNREAD:
            admitted = admitting_pool(pod, index, near)
        if admitted is None:
            return None
        pinned = admitted[1]
        pool = admitted[0]
        found.append((pool, read_once_per_run(pool, index, "consolidation", lambda: pool_consolidation(pool))))
    nodepool_label, provisioner_label = node_pool_labels()
    kinds = {nodepool_label: "NodePool", provisioner_label: "Provisioner"}
    for label, name in named:
        nearest = index.nearest_node_pools(kinds[label], name, near)
        if not nearest:
            return None
        if len(nearest) > 1:  # which pool the pod means is not clear: unknown, saying why
            paths = ", ".join(sorted({pool.path for pool in nearest}))
            note = f"{pinned.note}: {len(nearest)} {kinds[label]}s named {name} are equally near the workload ({paths})"
            return Consolidation(
                evicts_running_pods=Sourced(UNKNOWN, pinned.span, Provenance.INFERRED, note),
                pods_opt_out=pod.disruption_opt_out,
                span=pod.span,
            )
        pool = nearest[0]
        found.append((pool, read_once_per_run(pool, index, "consolidation", lambda: pool_consolidation(pool))))
    described = "; ".join(consolidation.note for _, consolidation in found)
    # A pool of another file is named there as a related location (and in findings' messages).
    related = tuple(
        (consolidation.span, f"{pool.kind} {pool.name} is in {pool.path}")
        for pool, consolidation in found
        if consolidation.span is not None and pool.path != near
    )
    note = f"{pinned.note}: {described}"
    values = [consolidation.value for _, consolidation in found]
    if any(value is True for value in values):
        evicts = Sourced(True, pinned.span, Provenance.INFERRED, note, related=related)
    elif all(value is False for value in values):
        evicts = Sourced(False, pinned.span, Provenance.INFERRED, note, related=related)
    else:
        evicts = Sourced(UNKNOWN, pinned.span, Provenance.INFERRED, note, related=related)
    return Consolidation(evicts_running_pods=evicts, pods_opt_out=pod.disruption_opt_out, span=pod.span)


def admitting_pool(pod: Pod, index: RunIndex, near: str = "") -> tuple[Manifest, Sourced] | None:
    """The one pool near the pod that admits it while every other pool near it does not, and how the link was made; None otherwise.

    For a pod that names no pool (see the module docstring). The link's
    span is the pod's start, its note names the pool (and its file when
    another).
    """
    if not pod.readable or pod.node_pools.known:
        return None
    pools = index.near_node_pools(near)
    if not pools:
        return None
    needs = pod_needs(pod)
    pool = index.memo(("admitting pool", near, needs), lambda: _only_admitting(pools, needs, index))  # pods alike in a file: once
    if pool is None:
        return None
    where = "" if pool.path == near else f" ({pool.path})"
    note = f"the only {pool.kind} near it whose requirements and taints admit the pod: {pool.name}{where}"
    return pool, Sourced(((pool.kind, pool.name),), pod.span, Provenance.INFERRED, note)


def _only_admitting(pools: list[Manifest], needs: "PodNeeds", index: RunIndex) -> Manifest | None:
    """The one pool of `pools` that admits a pod of `needs`, when every other one surely does not; else None.

    Stops at the first pool that may or may not admit it, or at a second
    that does: the answer is None from then on whatever the rest say.
    """
    from plugins.adapters.kubernetes.pool_admission import admits

    admitted = None
    for pool in pools:
        answer = admits(read_once_per_run(pool, index, "nodes", lambda: pool_nodes(pool, index.extensions)), needs)
        if answer is None or (answer is True and admitted is not None):
            return None
        if answer is True:
            admitted = pool
    return admitted


def pool_nodes(manifest: Manifest, extensions: data.Extensions) -> PoolNodes:
    """What the nodes of a NodePool or Provisioner may carry, for `pool_admission.admits`."""
    from plugins.adapters.kubernetes.pool_admission import PoolNodes

    node_spec, _, requirements = _node_spec(manifest)
    labels_node = child(manifest.spec, "labels") if manifest.kind == "Provisioner" else child(manifest.spec, "template", "metadata", "labels")
    accelerator = _compute(requirements, extensions).accelerator
    return PoolNodes(
        requirements=tuple(
            (text(item.get("key")) or "", text(item.get("operator")) or "", tuple(string_list(item.get("values")))) for item in requirements
        ),
        # Karpenter labels every node with its pool's name, beside the template's labels.
        labels=(
            (node_pool_labels()[manifest.kind == "Provisioner"], manifest.name or ""),
            *(string_map(labels_node).items() if isinstance(labels_node, MappingNode) else ()),
        ),
        taints=tuple(
            (text(taint.get("key")) or "", label_text(taint.get("value")) or "", text(taint.get("effect")) or "")
            for taint in mappings(child(node_spec, "taints"))
        ),
        accelerator=str(accelerator.value) if accelerator.known else None,
    )


def pod_needs(pod: Pod) -> PodNeeds:
    """What a pod asks of its node, for `pool_admission.admits`, from its scheduling attributes and requested accelerators."""
    from plugins.adapters.kubernetes.pool_admission import PodNeeds

    attributes = {name: value.value for name, value in pod.attributes if value.known}
    accelerator, count = pod.compute.accelerator, pod.compute.accelerator_count
    if (accelerator.known and accelerator.value == "none") or (count.known and count.value == 0):
        kinds: frozenset[str] | None = frozenset()
    elif accelerator.known:
        kinds = frozenset({str(accelerator.value)})
    else:
        kinds = frozenset(accelerator.options) if accelerator.options else None
    return PodNeeds(
        selector=tuple(attributes.get("node_selector", ())),
        terms=tuple(attributes.get("node_affinity", ())),
        tolerations=tuple(attributes.get("tolerations", ())),
        accelerators=kinds,
    )


def _allows(capacity: Sourced) -> str:
    if not capacity.known:
        return f"launches capacity this adapter cannot tell ({capacity.note})"
    how = f" ({capacity.note})" if capacity.note else ""
    if capacity.value is Capacity.MIXED:
        return f"launches mixed capacity{how}"
    return f"launches only {capacity.value.value} capacity{how}"  # type: ignore[union-attr]


def _compute(requirements: list[MappingNode], extensions: data.Extensions) -> Compute:
    instance_label = data.kubernetes_label("instance_type")
    for key, per_item in ((instance_label, _instance_compute), (FAMILY_LABEL, _family_compute)):
        requirement = _requirement(requirements, key)
        if requirement is None or text(requirement.get("operator")) != "In":
            continue
        values_node = requirement.get("values")
        if not isinstance(values_node, SequenceNode):
            continue
        items = [
            Sourced(label_text(item), item.span, Provenance.DECLARED, f"requirement {key} In")
            for item in values_node.items
            if label_text(item)
        ]
        if items:
            return _agreeing([per_item(item, extensions) for item in items])
    return Compute()


def _instance_compute(instance_type: Sourced, extensions: data.Extensions) -> Compute:
    return compute_for(instance_type, extensions)


def _family_compute(family: Sourced, extensions: data.Extensions) -> Compute:
    """A family (`g5`) classified by the family tables; the count depends on the size, so it stays unknown.

    TRANSITIONAL: `data.instance_info` wants `family.size`; "any-size" stands in for the size.
    """
    info = data.instance_info(f"{family.value}.any-size", extensions)
    if info is None:
        return Compute(instance_type=family)
    note = f"instance family {info.family} (any size)"
    return Compute(
        instance_type=family,
        accelerator=Sourced(info.accelerator, family.span, Provenance.INFERRED, note),
        accelerator_count=(
            Sourced(0, family.span, Provenance.INFERRED, note)
            if info.accelerator == "none"
            else Sourced(UNKNOWN, family.span, Provenance.INFERRED, "the accelerator count depends on the size Karpenter picks")
        ),
        burstable=Sourced(info.burstable, family.span, Provenance.INFERRED, note),
    )


def _agreeing(computes: list[Compute]) -> Compute:
    """The first compute, with the accelerator (and count) only when every allowed type agrees."""
    first = computes[0]
    accelerators = {compute.accelerator.value for compute in computes if compute.accelerator.known}
    if len(accelerators) > 1 or (accelerators and any(not compute.accelerator.known for compute in computes)):
        described = ", ".join(f"{compute.instance_type.value} {compute.accelerator.get('unknown')}" for compute in computes)
        return replace(
            first,
            accelerator=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, f"allowed instance types differ in accelerator: {described}"),
            accelerator_count=NOT_WRITTEN,
        )
    counts = {compute.accelerator_count.value for compute in computes if compute.accelerator_count.known}
    if len(counts) > 1 or (counts and any(not compute.accelerator_count.known for compute in computes)):
        return replace(
            first,
            accelerator_count=Sourced(UNKNOWN, first.instance_type.span, Provenance.INFERRED, "allowed instance types differ in accelerator count"),
        )
    return first

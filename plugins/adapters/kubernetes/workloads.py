"""Plain Kubernetes workloads, and the assembly every workload reader shares.

| kind | deployment kind | pod template | unit count |
|---|---|---|---|
| Deployment, StatefulSet, ReplicaSet, ReplicationController, DeploymentConfig (OpenShift) | service | `spec.template` | `spec.replicas` (default 1) |
| Job | job | `spec.template` | `spec.parallelism` (default 1) |
| CronJob | job | `spec.jobTemplate.spec.template` | `jobTemplate.spec.parallelism` (default 1) |
| Pod | job if `restartPolicy` is Never/OnFailure, else service | the pod itself | 1 |
| LeaderWorkerSet | service | `leaderTemplate` / `workerTemplate` (one `group` unit when no leaderTemplate) | groups (`replicas`), workers per group (`size` - 1) |
| KEDA ScaledJob | job | `jobTargetRef.template` | `jobTargetRef.parallelism`, scaled by its own triggers |

DaemonSets are not read: they run one pod per node (agents, device
plugins), not a served or batch workload. Every reader ends in
`assemble`, which adds what the rest of the run says about the workload:
the autoscalers that name it (`Unit.scaling`), the PodDisruptionBudgets that
select its pods (`Availability`), its Namespace's labels (environment), the
capacity of the Karpenter node pools its pods are pinned to by name
(`Unit.capacity`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Sequence

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Availability,
    Deployment,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    Provenance,
    ResourceRef,
    ScalarNode,
    Scaling,
    Sourced,
    Span,
    Unit,
    child,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import ml_evidence
from plugins.adapters.kubernetes.autoscalers import scaling_of_keda
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.karpenter import admitting_pool, pinned_capacity, pinned_consolidation
from plugins.adapters.kubernetes.objects import Manifest, has_placeholder, key_span, mapping, point, read_int, text
from plugins.adapters.kubernetes.pod import Pod, disruption_opt_out_of, read_spec, read_template
from plugins.adapters.kubernetes.workload_profile import POD_TEMPLATE_PATHS, environment_of, profile_of

PLATFORM = "kubernetes"

SERVICE_KINDS = {
    ("apps", "Deployment"),
    ("extensions", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "ReplicaSet"),
    ("extensions", "ReplicaSet"),
    ("", "ReplicationController"),
    ("apps.openshift.io", "DeploymentConfig"),
}
JOB_KINDS = {("batch", "Job"), ("batch", "CronJob")}
OTHER_KINDS = {("", "Pod"), ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"), ("keda.sh", "ScaledJob")}
KINDS = SERVICE_KINDS | JOB_KINDS | OTHER_KINDS


@dataclass(frozen=True)
class PodUnit:
    """A unit before the run's links are added: its pod, count and own scaling."""

    name: Sourced
    pod: Pod
    count: Sourced
    scaling: tuple[Scaling, ...] = ()
    weight: Sourced = NOT_WRITTEN


def replicas(node, field: str, anchor: Span, default: int = 1) -> Sourced:
    """A replica-like count; the platform default when not written."""
    if node is None:
        return Sourced(default, point(anchor), Provenance.DEFAULT, f"no {field}: defaults to {default}")
    return read_int(node)


def read(manifest: Manifest, index: RunIndex) -> list:
    """The deployment a plain workload describes (see the module table)."""
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    key = (manifest.group, manifest.kind)
    attributes: list[tuple[str, Sourced]] = []
    if key in SERVICE_KINDS:
        kind = DeploymentKind.SERVICE
        pod = read_template(child(spec, "template"), anchor, extensions=index.extensions)
        units = [PodUnit(manifest.name_sourced, pod, replicas(child(spec, "replicas"), "replicas", manifest.anchor))]
    elif manifest.kind == "Job":
        kind = DeploymentKind.JOB
        pod = read_template(child(spec, "template"), anchor, extensions=index.extensions)
        units = [PodUnit(manifest.name_sourced, pod, replicas(child(spec, "parallelism"), "parallelism", manifest.anchor))]
    elif manifest.kind == "CronJob":
        kind = DeploymentKind.JOB
        job = mapping(child(spec, "jobTemplate", "spec"))
        pod = read_template(child(job, "template"), job.span if job is not None else anchor, extensions=index.extensions)
        units = [PodUnit(manifest.name_sourced, pod, replicas(child(job, "parallelism"), "parallelism", manifest.anchor))]
        schedule = child(spec, "schedule")
        if text(schedule):
            attributes.append(("schedule", Sourced(text(schedule), schedule.span, Provenance.DECLARED)))  # type: ignore[union-attr]
    elif manifest.kind == "Pod":
        restart = text(child(spec, "restartPolicy"))
        kind = DeploymentKind.JOB if restart in ("Never", "OnFailure") else DeploymentKind.SERVICE
        opt_out = disruption_opt_out_of(manifest.metadata, manifest.anchor)
        pod = read_spec(spec, manifest.anchor, manifest.labels, key=key_span(manifest.node, "spec"), disruption_opt_out=opt_out, extensions=index.extensions)
        count = Sourced(1, manifest.kind_node.span, Provenance.INFERRED, "a bare Pod is one replica")
        units = [PodUnit(manifest.name_sourced, pod, count)]
        restart_node = child(spec, "restartPolicy")
        note = f"restartPolicy {restart}" if restart else "restartPolicy defaults to Always: a long-running pod"
        return assemble(
            manifest, index, kind, units,
            kind_source=Sourced(kind, restart_node.span if restart_node is not None else manifest.kind_node.span, Provenance.INFERRED, f"kind: Pod, {note}"),
        )
    elif manifest.kind == "LeaderWorkerSet":
        return read_leader_worker_set(manifest, index)
    elif manifest.kind == "ScaledJob":
        kind = DeploymentKind.JOB
        job = mapping(child(spec, "jobTargetRef"))
        job_anchor = job.span if job is not None else anchor
        pod = read_template(child(job, "template"), job_anchor, extensions=index.extensions)
        own = scaling_of_keda(manifest, spec, "ScaledJob")
        units = [PodUnit(manifest.name_sourced, pod, replicas(child(job, "parallelism"), "parallelism", job_anchor), (own,))]
    else:  # pragma: no cover - KINDS is the dispatch table
        return []
    return assemble(manifest, index, kind, units, attributes=attributes)


def read_leader_worker_set(manifest: Manifest, index: RunIndex) -> list:
    """LeaderWorkerSet: `replicas` groups of one leader and `size` - 1 workers; without a leaderTemplate, one unit of
    `replicas` groups whose every pod uses workerTemplate."""
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    template = mapping(child(spec, "leaderWorkerTemplate"))
    groups = replicas(child(spec, "replicas"), "replicas", manifest.anchor)
    size = replicas(child(template, "size"), "leaderWorkerTemplate.size", template.span if template is not None else anchor)
    leader, worker = child(template, "leaderTemplate"), child(template, "workerTemplate")
    if leader is None:
        # Every pod of a group uses workerTemplate, its leader too: one unit, counted in groups (the replicas an
        # autoscaler scales and a lost group takes away), as the leader unit is when a leaderTemplate is written.
        name = Sourced("group", worker.span if worker is not None else anchor, Provenance.INFERRED, "no leaderTemplate: every pod of a group uses workerTemplate")
        units = [PodUnit(name, read_template(worker, anchor, extensions=index.extensions), groups)]
        return assemble(manifest, index, DeploymentKind.SERVICE, units, labels_complete=False)
    units = [
        PodUnit(Sourced("leader", leader.span, Provenance.INFERRED, "leaderTemplate"), read_template(leader, anchor, extensions=index.extensions), groups),
        PodUnit(
            Sourced("worker", worker.span if worker is not None else anchor, Provenance.INFERRED, "workerTemplate"),
            read_template(worker, anchor, extensions=index.extensions),
            _product(groups, size, -1, "replicas x (size - 1)"),
        ),
    ]
    return assemble(manifest, index, DeploymentKind.SERVICE, units, labels_complete=False)


def _product(groups: Sourced, size: Sourced, offset: int, note: str) -> Sourced:
    if groups.known and size.known:
        return Sourced(int(groups.value) * (int(size.value) + offset), size.span, Provenance.INFERRED, note)
    return Sourced(UNKNOWN, size.span, Provenance.INFERRED, f"{note}: not known")


def assemble(
    manifest: Manifest,
    index: RunIndex,
    kind: DeploymentKind,
    units: Sequence[PodUnit],
    kind_source: Sourced | None = None,
    extra_models: Sequence[ModelSpec] = (),
    attributes: Sequence[tuple[str, Sourced]] = (),
    availability: Availability | None = None,
    links: Sequence[ResourceRef] = (),
    platform: str = PLATFORM,
    linked_scaling: bool = True,
    labels_complete: bool = True,
) -> list:
    """One deployment from its units, with the run's autoscalers, budgets and namespace added.

    `availability` set by the caller (Seldon's pdbSpec) takes the place of
    a PodDisruptionBudget lookup; `linked_scaling=False` for kinds whose
    scaling is their own (KServe).
    """
    profile, problems = profile_of(manifest)
    primary = units[0].pod if units else None
    template_labels = None
    if primary is not None:
        template_labels = _labels_node(manifest)
    environment = environment_of(manifest, profile, template_labels, index.namespaces.get(manifest.namespace), index.namespace_stages)
    autoscalers = index.autoscalers_of(manifest) if linked_scaling else []
    linked = tuple(autoscaler.scaling for autoscaler in autoscalers)
    all_links = [ResourceRef(manifest.kind, manifest.name or "(unnamed)", manifest.anchor), *links]
    model_units = []
    for unit in units:
        admitted = admitting_pool(unit.pod, index, near=manifest.path)  # read once for the unit's capacity and consolidation
        capacity, pool_links = pinned_capacity(unit.pod, index, near=manifest.path, admitted=admitted)
        all_links += [link for link in pool_links if link not in all_links]
        model_units.append(
            Unit(
                name=unit.name,
                compute=unit.pod.compute,
                count=unit.count,
                weight=unit.weight,
                capacity=capacity,
                # An autoscaler scales the workload's replicas: not a unit whose count its shape fixes (an LWS's workers).
                scaling=unit.scaling + (linked if unit.count.provenance is not Provenance.INFERRED else ()),
                model_names=unit.pod.container_names,
                span=unit.pod.span,
                consolidation=pinned_consolidation(unit.pod, index, near=manifest.path, admitted=admitted),
            )
        )
    all_links += [ResourceRef(autoscaler.kind, autoscaler.manifest.name or "(unnamed)", autoscaler.manifest.anchor) for autoscaler in autoscalers]
    if availability is None and primary is not None:
        availability, budget_links = availability_of(manifest, index, primary, labels_complete and not _has_placeholder_labels(template_labels))
        all_links += budget_links
    models = tuple(model for unit in units for model in unit.pod.models) + tuple(extra_models)
    if (manifest.group, manifest.kind) not in KINDS:
        models = tuple(_probes_managed(model, manifest) for model in models)
    all_attributes = list(attributes)
    evidence = None
    if (manifest.group, manifest.kind) in KINDS:
        evidence = _namespace_evidence(ml_evidence(models, model_units, profile, manifest.anchor), manifest)
    if primary is not None:
        all_attributes += list(primary.attributes)
    deployment = Deployment(
        id=index.deployment_id(manifest),
        platform=platform,
        kind=kind_source or Sourced(kind, manifest.kind_node.span, Provenance.INFERRED, f"kind: {manifest.kind}"),
        span=manifest.anchor,
        name=manifest.name_sourced,
        environment=environment,
        profile=profile,
        models=models,
        units=tuple(model_units),
        availability=availability,
        links=tuple(all_links),
        attributes=tuple(all_attributes),
        ml_evidence=evidence,
        namespace=manifest.namespace_sourced,
    )
    return [deployment, *problems]


def _probes_managed(model: ModelSpec, manifest: Manifest) -> ModelSpec:
    """A container an operator builds from a custom resource (KServe, Seldon, KubeRay): it may add probes of its own."""
    if model.probes is None:
        return model
    managed = Sourced(f"{manifest.group}/{manifest.kind}", manifest.kind_node.span, Provenance.INFERRED, f"the {manifest.kind} controller builds the pods and may set their probes")
    return model.replaced(probes=model.probes.replaced(managed_by=managed))


def _namespace_evidence(evidence: Sourced, manifest: Manifest) -> Sourced:
    """The workload's ML evidence, or else its namespace's name when a word of it says ML (`ml-serving`), inferred.

    Not for a bare Pod: one written in a repository is mostly a template
    another system fills in (a Spark executor pod template, a test pod),
    about which its namespace says nothing.
    """
    namespace = manifest.namespace_sourced
    if evidence.known or manifest.kind == "Pod" or namespace.provenance is not Provenance.DECLARED or not namespace.known:
        return evidence
    word = data.ml_namespace_word(str(namespace.value))
    if word is None:
        return evidence
    return Sourced(
        f"runs in namespace {namespace.value}",
        namespace.span,
        Provenance.INFERRED,
        f"the namespace name says ML ({word!r}); no known ML image, command, accelerator or workload profile",
    )


def _has_placeholder_labels(labels) -> bool:
    """Pod labels written as a template placeholder, or holding one: the pods' labels are not known."""
    if isinstance(labels, ScalarNode):
        return isinstance(labels.value, str) and has_placeholder(labels.value)
    return isinstance(labels, MappingNode) and any(
        has_placeholder(str(key.value)) or (isinstance(value, ScalarNode) and isinstance(value.value, str) and has_placeholder(value.value))
        for key, value in labels.pairs
    )


def _labels_node(manifest: Manifest):
    spec = manifest.spec
    for path in POD_TEMPLATE_PATHS:
        labels = child(spec, *path, "metadata", "labels")
        if labels is not None:
            return labels
    return None


# How many of the PodDisruptionBudgets that select a pod are named (in its note) and linked. The API server
# refuses to evict a pod that more than one selects, so a real namespace has one; a hostile file of thousands
# of budgets selecting the pods of thousands of workloads made a note and a link for each pair.
_NAMED_BUDGETS = 10


def _budgets_selecting(index: RunIndex, namespace: str, labels: dict[str, str]) -> tuple[int, list]:
    """How many of the namespace's PodDisruptionBudgets select pods with `labels`, and the first `_NAMED_BUDGETS`
    of them by file and line."""
    budgets = index.budgets_selecting(namespace, labels)
    if len(budgets) > 1:
        return len(budgets), heapq.nsmallest(_NAMED_BUDGETS, budgets, key=lambda item: (item.manifest.path, item.manifest.anchor.line))
    return len(budgets), budgets


def availability_of(
    manifest: Manifest, index: RunIndex, pod: Pod, labels_complete: bool = True
) -> tuple[Availability, list[ResourceRef]]:
    """Zone spread from the pod; the disruption budget from the run's PodDisruptionBudgets.

    `labels_complete` says that `pod.labels` are all the labels the pods
    get (a plain pod template); an operator that adds labels of its own
    (KServe, Seldon) makes "no budget matches" unknown rather than "none",
    unless the namespace holds no budget at all.
    """
    namespace = manifest.namespace
    in_namespace = index.budgets.get(namespace, [])
    if not in_namespace and has_placeholder(namespace) and any(index.budgets.values()):
        budget = Sourced(UNKNOWN, pod.span, Provenance.INFERRED, f"the namespace {namespace} is not known: the run's budgets cannot be matched")
        return Availability(zone_spread=pod.zone_spread, disruption_budget=budget, span=pod.span), []
    if not in_namespace:
        none = Sourced("", None, Provenance.INFERRED, f"no PodDisruptionBudget in namespace {namespace} in this run")
        return Availability(zone_spread=pod.zone_spread, disruption_budget=none, span=pod.span), []
    key = ("budgets selecting", namespace, frozenset(pod.labels.items()))  # pods alike (copies of a workload) match once
    selecting, budgets = index.memo(key, lambda: _budgets_selecting(index, namespace, pod.labels))
    if not budgets:
        if labels_complete and pod.readable:
            budget = Sourced("", None, Provenance.INFERRED, f"no PodDisruptionBudget in namespace {namespace} of this run selects the pod labels")
        else:
            budget = Sourced(UNKNOWN, pod.span, Provenance.INFERRED, "the pods get labels this adapter does not know: budgets in the namespace cannot be matched")
        return Availability(zone_spread=pod.zone_spread, disruption_budget=budget, span=pod.span), []
    first = budgets[0]
    note = f"PodDisruptionBudget {first.manifest.name} selects the pod labels"
    if len(budgets) > 1:
        note += "; also " + ", ".join(str(other.manifest.name) for other in budgets[1:])
    if selecting > len(budgets):
        note += f" and {selecting - len(budgets):,} more"
    availability = Availability(
        zone_spread=pod.zone_spread,
        disruption_budget=Sourced(first.manifest.name or "(unnamed)", first.manifest.anchor, Provenance.DECLARED, note),
        min_available=first.min_available,
        max_unavailable=first.max_unavailable,
        span=pod.span,
    )
    return availability, [ResourceRef(budget.manifest.kind, budget.manifest.name or "(unnamed)", budget.manifest.anchor) for budget in budgets]

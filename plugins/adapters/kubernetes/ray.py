"""KubeRay: RayService, RayJob and RayCluster (`ray.io`).

The Ray cluster spec (`rayClusterConfig` of a RayService, `rayClusterSpec`
of a RayJob, `spec` of a RayCluster) gives a `head` unit (one pod) and a
unit per `workerGroupSpecs` entry, named by `groupName`, counted by
`replicas` (else `minReplicas`). With `enableInTreeAutoscaling: true` the
Ray autoscaler moves each worker group between `minReplicas` and
`maxReplicas`: that is the unit's scaling. A RayService serves (kind
`service`), a RayJob runs to completion (`job`); a RayCluster runs
whatever is submitted to it, so its kind is unknown.
"""

from __future__ import annotations

from linter import NOT_WRITTEN, UNKNOWN, DeploymentKind, Provenance, Scaling, Sourced, child, mappings

from plugins.adapters.kubernetes.autoscalers import DIMENSION
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import Manifest, key_span, mapping, read_bool, read_int, read_str
from plugins.adapters.kubernetes.pod import read_spec, read_template
from plugins.adapters.kubernetes.workloads import PodUnit, assemble

KINDS = {("ray.io", "RayService"), ("ray.io", "RayJob"), ("ray.io", "RayCluster")}
CLUSTER_FIELD = {"RayService": "rayClusterConfig", "RayJob": "rayClusterSpec"}


def read(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    cluster = mapping(child(spec, CLUSTER_FIELD[manifest.kind])) if manifest.kind in CLUSTER_FIELD else spec
    units = []
    head = mapping(child(cluster, "headGroupSpec"))
    if head is not None:
        one = Sourced(1, key_span(cluster, "headGroupSpec") or head.span, Provenance.INFERRED, "one Ray head")
        units.append(PodUnit(Sourced("head", head.span, Provenance.INFERRED, "headGroupSpec"), read_template(head.get("template"), head.span, extensions=index.extensions), one))
    autoscaling = read_bool(child(cluster, "enableInTreeAutoscaling"))
    for position, group in enumerate(mappings(child(cluster, "workerGroupSpecs"))):
        name = read_str(group.get("groupName"))
        if not name.known:
            name = Sourced(f"workerGroupSpecs[{position}]", group.span, Provenance.INFERRED, "unnamed worker group")
        count = read_int(group.get("replicas")) if group.get("replicas") is not None else read_int(group.get("minReplicas"))
        if not count.known and not count.note:
            count = Sourced(UNKNOWN, group.span, Provenance.DECLARED, "no replicas or minReplicas")
        scaling = ()
        if autoscaling.known and autoscaling.value:
            scaling = (
                Scaling(
                    min_capacity=read_int(group.get("minReplicas")),
                    max_capacity=read_int(group.get("maxReplicas")),
                    dimension=Sourced(DIMENSION, group.span, Provenance.INFERRED, "Ray autoscaler, worker group replicas"),
                    linked_by="Ray enableInTreeAutoscaling",
                    span=group.span,
                ),
            )
        units.append(PodUnit(name, read_template(group.get("template"), group.span, extensions=index.extensions), count, scaling))
    if not units:
        units.append(PodUnit(manifest.name_sourced, read_spec(None, anchor, missing="no Ray cluster spec", extensions=index.extensions), NOT_WRITTEN))
    if manifest.kind == "RayCluster":
        kind_source = Sourced(UNKNOWN, manifest.kind_node.span, Provenance.INFERRED, "a RayCluster runs whatever is submitted to it: jobs or services")
        return assemble(manifest, index, DeploymentKind.SERVICE, units, kind_source=kind_source, labels_complete=False)
    kind = DeploymentKind.SERVICE if manifest.kind == "RayService" else DeploymentKind.JOB
    return assemble(manifest, index, kind, units, labels_complete=False)

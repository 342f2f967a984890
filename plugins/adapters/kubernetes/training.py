"""Kubeflow training jobs: PyTorchJob, TFJob, XGBoostJob, PaddleJob, MXJob, JAXJob, MPIJob.

Each is a job deployment (`kubeflow.org`) with a unit per replica type of
its `<framework>ReplicaSpecs` (`Master`, `Worker`, `Launcher`, `Chief`, `PS`
...): the role's pod template and `replicas` (default 1). The run-to-
completion kind is `job`, like a Kubernetes Job: SageMaker's `training`
kind carries SageMaker-only facts (managed Spot) that these jobs do not have.
"""

from __future__ import annotations

from linter import NOT_WRITTEN, DeploymentKind, MappingNode, Provenance, Sourced, child

from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import Manifest, iter_strings
from plugins.adapters.kubernetes.pod import read_spec, read_template
from plugins.adapters.kubernetes.workloads import PodUnit, assemble, replicas

REPLICA_SPECS = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "MXJob": "mxReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
}
KINDS = {("kubeflow.org", kind) for kind in REPLICA_SPECS}


def read(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    field = REPLICA_SPECS[manifest.kind]
    units = []
    for role, role_spec in iter_strings(child(spec, field)):
        if not isinstance(role_spec, MappingNode):
            continue
        name = Sourced(role, role_spec.span, Provenance.DECLARED, f"{field}.{role}")
        units.append(PodUnit(name, read_template(role_spec.get("template"), role_spec.span, extensions=index.extensions), replicas(role_spec.get("replicas"), "replicas", role_spec.span)))
    if not units:
        pod = read_spec(None, anchor, missing=f"no {field}", extensions=index.extensions)
        units.append(PodUnit(manifest.name_sourced, pod, NOT_WRITTEN))
    return assemble(manifest, index, DeploymentKind.JOB, units, labels_complete=False)

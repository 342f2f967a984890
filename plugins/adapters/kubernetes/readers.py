"""Which reader reads which kind of object, and the report of every autoscaler.

The table (`MODULE_OF`) maps (API group, kind) to the module whose `read`
turns such an object into deployments; an object of any other kind
describes no deployment (Services, ConfigMaps, legacy SageMaker-operator
resources). The table is written out here, so that telling an object's
kind needs none of the readers: a reader's module is imported for the
first object of one of its kinds (a run of KServe manifests never imports
the ACK modules, nor the AWS request readers behind them);
tests/adapters/test_kubernetes_readers.py keeps it equal to the modules'
`KINDS`. PodDisruptionBudgets and Namespaces are read for the run index
only; autoscalers are also reported as `ScalingTarget`s, linked or not,
from the document that holds them. ACK resources (`ack_links.py`) link
among themselves by AWS name: their ScalableTargets are reported there.
"""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Callable

from linter import LinkStatus, Provenance, ScalingTarget, did_you_mean

from plugins import data
from plugins.adapters.kubernetes.autoscalers import is_autoscaler, read_autoscaler
from plugins.adapters.kubernetes.disruption import is_budget
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import Manifest, kserve_owners

Reader = Callable[[Manifest, RunIndex], list]

_SAGEMAKER = "sagemaker.services.k8s.aws"  # ack.SAGEMAKER_GROUP
_AUTOSCALING = "applicationautoscaling.services.k8s.aws"  # ack.AUTOSCALING_GROUP

# (API group, kind) -> the module of this package whose `read` reads such an object (its `KINDS`).
MODULE_OF: dict[tuple[str, str], str] = {
    ("apps", "Deployment"): "workloads",
    ("extensions", "Deployment"): "workloads",
    ("apps", "StatefulSet"): "workloads",
    ("apps", "ReplicaSet"): "workloads",
    ("extensions", "ReplicaSet"): "workloads",
    ("", "ReplicationController"): "workloads",
    ("apps.openshift.io", "DeploymentConfig"): "workloads",
    ("batch", "Job"): "workloads",
    ("batch", "CronJob"): "workloads",
    ("", "Pod"): "workloads",
    ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"): "workloads",
    ("keda.sh", "ScaledJob"): "workloads",
    ("serving.kserve.io", "InferenceService"): "kserve",
    ("serving.kserve.io", "LLMInferenceService"): "kserve",
    ("machinelearning.seldon.io", "SeldonDeployment"): "seldon",
    ("mlops.seldon.io", "Model"): "seldon",
    ("mlops.seldon.io", "Server"): "seldon",
    ("ray.io", "RayService"): "ray",
    ("ray.io", "RayJob"): "ray",
    ("ray.io", "RayCluster"): "ray",
    ("kubeflow.org", "PyTorchJob"): "training",
    ("kubeflow.org", "TFJob"): "training",
    ("kubeflow.org", "XGBoostJob"): "training",
    ("kubeflow.org", "PaddleJob"): "training",
    ("kubeflow.org", "MXJob"): "training",
    ("kubeflow.org", "JAXJob"): "training",
    ("kubeflow.org", "MPIJob"): "training",
    ("production-stack.vllm.ai", "VLLMRuntime"): "serving_crds",
    ("apps.nvidia.com", "NIMService"): "serving_crds",
    ("inference.sagemaker.aws.amazon.com", "InferenceEndpointConfig"): "serving_crds",
    ("karpenter.sh", "NodePool"): "karpenter",
    ("karpenter.sh", "Provisioner"): "karpenter",
    ("eksctl.io", "ClusterConfig"): "eksctl",
    (_SAGEMAKER, "Model"): "ack_links",
    (_SAGEMAKER, "EndpointConfig"): "ack_links",
    (_SAGEMAKER, "Endpoint"): "ack_links",
    (_SAGEMAKER, "InferenceComponent"): "ack_links",
    (_SAGEMAKER, "TrainingJob"): "ack_links",
    (_SAGEMAKER, "HyperParameterTuningJob"): "ack_links",
    (_SAGEMAKER, "TransformJob"): "ack_links",
    (_SAGEMAKER, "ProcessingJob"): "ack_links",
    (_AUTOSCALING, "ScalableTarget"): "ack_links",
    (_AUTOSCALING, "ScalingPolicy"): "ack_links",
}

# (API group, kind) -> its reader, once an object of that kind was read (one entry per key of MODULE_OF at
# most): a long stream asks the import system once per kind, not once per object.
_FOUND: dict[tuple[str, str], Reader] = {}


def reader_for(manifest: Manifest) -> Reader | None:
    """The reader of `manifest`'s kind, its module imported now if it was not; None for a kind no module reads."""
    key = (manifest.group, manifest.kind)
    found = _FOUND.get(key)
    if found is None:
        module = MODULE_OF.get(key)
        if module is None:
            return None
        found = _FOUND[key] = importlib.import_module(f"{__package__}.{module}").read
    return found


def reads(manifest: Manifest) -> bool:
    """True for an object this adapter turns into deployments (no reader is imported to tell)."""
    return (manifest.group, manifest.kind) in MODULE_OF


def read(manifest: Manifest, index: RunIndex) -> list | None:
    """Everything one object contributes to the model; None when it is not this adapter's."""
    reader = reader_for(manifest)
    if reader is not None:
        return reader(manifest, index)
    if is_autoscaler(manifest):
        return [scaling_target(manifest, index)]
    if is_budget(manifest):
        return []  # it reaches the model through the workloads it selects
    return None


def scaling_target(manifest: Manifest, index: RunIndex) -> ScalingTarget:
    """An autoscaler as written and what it was linked to: linked, no-such-deployment, not-in-run, unresolved, other-service.

    A target the run does not hold is `no-such-deployment` (a typo) only when
    a workload of its kind and a near-miss name lives in that namespace; otherwise it is
    `not-in-run`: rendered by Helm or kustomize elsewhere, as far as the run
    can tell.
    """
    autoscaler = index.autoscaler(manifest) or read_autoscaler(manifest)
    # Each status is given as the LinkStatus ScalingTarget keeps (a name would be read as one there, once per autoscaler).
    common = dict(resource_id=autoscaler.resource_id, scaling=autoscaler.scaling, span=manifest.anchor, searched_run=True)
    target_key = autoscaler.target_key
    if target_key is None:
        return ScalingTarget(status=LinkStatus.UNRESOLVED, reason=autoscaler.reason, **common)
    namespace, kind, name = target_key
    target = index.find(target_key, near=manifest.path)
    if target is None and kind == "Deployment" and kserve_owners(name):
        from plugins.adapters.kubernetes.kserve import generated_workload

        generated = generated_workload(target_key, index)
        if generated is not None:
            service, component = generated
            return ScalingTarget(
                status=LinkStatus.LINKED,
                reason=f"{autoscaler.kind} {manifest.name} scales the Deployment KServe makes for the {component} of "
                f"InferenceService {service.name} ({service.path}, autoscalerClass external)",
                deployment_id=index.deployment_id(service),
                unit_name=component,
                **common,
            )
    if target is None:
        # A file that leaves metadata.namespace out is applied to whatever
        # namespace `kubectl -n` or kustomize gives it: a same-named target
        # elsewhere may be the one meant, so the link is unresolved, not missing.
        namesakes = [
            other
            for other in index.in_other_namespaces(target_key)
            if manifest.namespace_sourced.provenance is not Provenance.DECLARED
            or other.namespace_sourced.provenance is not Provenance.DECLARED
        ]
        if namesakes:
            return ScalingTarget(
                status=LinkStatus.UNRESOLVED,
                reason=(
                    f"{autoscaler.kind} {manifest.name} names {kind} {name} in namespace {namespace}; {namesakes[0].path} "
                    f"defines one in namespace {namesakes[0].namespace}, and one of them leaves its namespace to the command that applies it"
                ),
                deployment_id=index.deployment_id(namesakes[0]) if len(namesakes) == 1 and reads(namesakes[0]) else "",
                **common,
            )
        near = _near_names(name, index.names_by_length(namespace, kind, reads))
        hint = did_you_mean(name, near) or (f" (did you mean {near[0]!r}?)" if near else "")
        if not hint:
            # Usually rendered elsewhere (a Helm chart, a kustomize base): not a typo the run can show.
            return ScalingTarget(
                status=LinkStatus.NOT_IN_RUN,
                reason=f"{autoscaler.kind} {manifest.name} names {kind} {name}, which no file of this run defines in namespace {namespace}; "
                "it may be rendered elsewhere (Helm, kustomize)",
                **common,
            )
        return ScalingTarget(
            status=LinkStatus.NO_SUCH_DEPLOYMENT,
            reason=f"{autoscaler.kind} {manifest.name} names {kind} {name}, which no file of this run defines in namespace {namespace}{hint}",
            **common,
        )
    if not reads(target):
        return ScalingTarget(
            status=LinkStatus.OTHER_SERVICE,
            reason=f"{autoscaler.kind} {manifest.name} scales {kind} {name} ({target.path}), which the model does not describe",
            **common,
        )
    return ScalingTarget(
        status=LinkStatus.LINKED,
        reason=f"{autoscaler.kind} {manifest.name} scales {kind} {name} ({target.path})",
        deployment_id=index.deployment_id(target),
        unit_name=name,
        **common,
    )


def scaled_workload(manifest: Manifest, index: RunIndex) -> Manifest | None:
    """The workload an autoscaler scales, as `scaling_target` links it (the InferenceService of a Deployment KServe
    makes), when the model reads it; None for any other object, or a target the run does not hold."""
    if not is_autoscaler(manifest):
        return None
    autoscaler = index.autoscaler(manifest) or read_autoscaler(manifest)
    if autoscaler.target_key is None:
        return None
    target = index.find(autoscaler.target_key, near=manifest.path)
    if target is None and autoscaler.target_key[1] == "Deployment" and kserve_owners(autoscaler.target_key[2]):
        from plugins.adapters.kubernetes.kserve import generated_workload

        generated = generated_workload(autoscaler.target_key, index)
        target = generated[0] if generated is not None else None
    return target if target is not None and reads(target) else None


def _near_names(name: str, names_by_length: dict[int, list[str]]) -> list[str]:
    """The names `name` may be a typo of (`may_be_typo`), sorted; none when more than `_MAX_TYPO_CANDIDATES` are
    of a length it may be a typo of: among that many, a guess is no help, and each costs a comparison."""
    most = _typo_max_edits()
    candidates = [other for length in range(len(name) - most, len(name) + most + 1) for other in names_by_length.get(length, ())]
    if len(candidates) > _MAX_TYPO_CANDIDATES:
        return []
    return sorted(other for other in candidates if may_be_typo(name, other))


# A namespace of more workloads of one kind within the typo distance's lengths of a missing target's name is
# not searched for a near miss: a hostile stream of thousands of dangling autoscalers beside thousands of
# same-length names compared every pair.
_MAX_TYPO_CANDIDATES = 2000


def may_be_typo(written: str, meant: str) -> bool:
    """True when `written` is at most `_typo_max_edits` edits from `meant` (`_edits`): it may be a typo of it.

    Each edit changes at most one character on each side of the two names'
    character counts (and so adds at most two to the characters only one of
    them holds), so names whose counts differ by more are told apart without
    the table (most names of a namespace, compared with one).
    """
    most = _typo_max_edits()
    if abs(len(written) - len(meant)) > most or len(set(written).symmetric_difference(meant)) > 2 * most:
        return False
    left, right = Counter(written), Counter(meant)
    if sum((left - right).values()) > most or sum((right - left).values()) > most:
        return False
    return _edits(written, meant, most) <= most


def _typo_max_edits() -> int:
    """How many edits away a workload's name may be for a missing target to read as its typo (data tables)."""
    return int(data.limit("kubernetes", "scale_target_typo_max_edits").default)  # type: ignore[arg-type]


def _edits(left: str, right: str, most: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours counts one), or `most + 1`
    when it is more than `most`.

    What the names start and end with alike costs no edit and is cut off;
    then the first characters differ, and one of the four edits that can
    start there (a change, a deletion, an insertion, a swap) is tried
    before the rest, with one edit less to spend: at most 4 ** `most` tries,
    each a few comparisons and slices in C, whatever the names' length.
    Names are hostile text (a namespace of thousands of 253-character
    near-namesakes of the one sought): the whole table took ~18 ms a pair.
    """
    if abs(len(left) - len(right)) > most:
        return most + 1
    start = _common_prefix_length(left, right)
    left, right = left[start:], right[start:]
    end = _common_prefix_length(left[::-1], right[::-1])
    if end:
        left, right = left[:-end], right[:-end]
    if not left or not right:
        return len(left) + len(right)  # at most `most`: the lengths differ by no more
    if not most:
        return 1
    tries = [(left[1:], right[1:]), (left[1:], right), (left, right[1:])]
    if len(left) > 1 and len(right) > 1 and left[0] == right[1] and left[1] == right[0]:
        tries.append((left[2:], right[2:]))
    best = most + 1
    for rest_left, rest_right in tries:
        if best < 2:
            break
        best = min(best, 1 + _edits(rest_left, rest_right, best - 2))
    return best


def _common_prefix_length(left: str, right: str) -> int:
    """How many characters `left` and `right` start with alike (found by halving, each test one comparison in C)."""
    low, high = 0, min(len(left), len(right))
    while low < high:
        middle = (low + high + 1) // 2
        if left[:middle] == right[:middle]:
            low = middle
        else:
            high = middle - 1
    return low

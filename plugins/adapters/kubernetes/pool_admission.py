"""Whether a Karpenter node pool admits a pod, as Karpenter schedules: node selection against the pool's requirements, taints against tolerations.

Three answers: True (the pool can launch a node the pod fits), False (it
cannot), None (the files do not say: an operator or label this module does
not read). A pod is linked to a pool it does not name only when exactly one
pool near it answers True and every other one False (`karpenter.admitting_pool`).

- Node selection: each nodeSelector pair and each required node-affinity
  term (terms ORed, expressions ANDed) is matched against what the pool's
  nodes may carry: its `requirements` (In, NotIn, Exists, DoesNotExist;
  several on a key narrow each other) and its template labels. A key the
  pool neither requires nor labels is open on the well-known labels
  Karpenter sets on every node it launches (`ALWAYS_SET`), may be set on a
  GPU node (`SET_ON_SOME`: unknown), is unknown on other labels of the
  Kubernetes and cloud namespaces, and is absent otherwise (a custom label
  only the pool's own `labels` can give).
- Accelerators: a pod that requests GPUs (or Neuron devices) needs a pool
  whose instance types can have them: not one whose types or
  `karpenter.k8s.aws/instance-category` are all without. A pod that
  requests none is not known to go to a pool whose types all have one
  (Karpenter would allow it, but files that show only a GPU pool show only
  part of the cluster: CPU pods usually run on other capacity).
- Taints: every `NoSchedule` or `NoExecute` taint of the pool must be
  tolerated (`startupTaints` are removed before pods run, so they are not).
"""

from __future__ import annotations

from dataclasses import dataclass

# Labels Karpenter (on AWS) sets on every node it launches, so a pool that says nothing of them may satisfy any value.
ALWAYS_SET = frozenset(
    {
        "karpenter.sh/capacity-type",
        "node.kubernetes.io/instance-type",
        "karpenter.k8s.aws/instance-family",
        "karpenter.k8s.aws/instance-category",
        "topology.kubernetes.io/zone",
        "kubernetes.io/arch",
    }
)
# Labels only GPU nodes carry: a pool that says nothing of them may or may not.
SET_ON_SOME = frozenset({"karpenter.k8s.aws/instance-gpu-name", "nvidia.com/gpu.product"})
# Label namespaces of Kubernetes, Karpenter and the clouds: a label of theirs not read here is unknown, not absent.
SYSTEM_NAMESPACES = ("kubernetes.io", "k8s.io", "karpenter.sh", "k8s.aws", "amazonaws.com", "nvidia.com", "cloud.google.com", "azure.com")
# Instance categories and the accelerators their types have (AWS; every other category has none).
ACCELERATED_CATEGORIES = {"g": "gpu", "p": "gpu", "dl": "gaudi", "inf": "inferentia", "trn": "trainium", "f": "fpga", "vt": "video"}
PLAIN_CATEGORIES = frozenset({"a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "u", "x", "z", "hpc", "mac"})
CATEGORY_LABEL = "karpenter.k8s.aws/instance-category"
BLOCKING_EFFECTS = frozenset({"NoSchedule", "NoExecute"})


@dataclass(frozen=True)
class PoolNodes:
    """What a pool's nodes may carry: requirements (key, operator, values), labels, taints (key, value, effect), accelerator."""

    requirements: tuple[tuple[str, str, tuple[str, ...]], ...]
    labels: tuple[tuple[str, str], ...]
    taints: tuple[tuple[str, str, str], ...]
    accelerator: str | None  # none, gpu, inferentia ... when every allowed type agrees; None when not known


@dataclass(frozen=True)
class PodNeeds:
    """What a pod asks of its node: nodeSelector pairs, required node-affinity terms, tolerations, accelerators."""

    selector: tuple[tuple[str, str], ...]
    terms: tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...]
    tolerations: tuple[tuple[str, str, str, str], ...]  # key, operator, value, effect
    accelerators: frozenset[str] | None  # the kinds that would do; empty when none is requested; None when not known


@dataclass(frozen=True)
class _Allowed:
    """The values a pool's nodes may carry on one key: `values` when listed, else any but `excluded`; `absent` when never set."""

    values: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()
    absent: bool = False
    may_be_absent: bool = False
    unknown: bool = False


def admits(pool: PoolNodes, pod: PodNeeds) -> bool | None:
    """True when the pool can launch a node the pod schedules on; False when it cannot; None when not known."""
    answers = [_tolerates_taints(pool, pod), _has_accelerators(pool, pod), _selects(pool, pod)]
    if False in answers:
        return False
    return None if None in answers else True


def _tolerates_taints(pool: PoolNodes, pod: PodNeeds) -> bool:
    return all(
        any(_tolerates(toleration, taint) for toleration in pod.tolerations) for taint in pool.taints if taint[2] in BLOCKING_EFFECTS or not taint[2]
    )


def _tolerates(toleration: tuple[str, str, str, str], taint: tuple[str, str, str]) -> bool:
    key, operator, value, effect = toleration
    taint_key, taint_value, taint_effect = taint
    if effect and effect != taint_effect:
        return False
    if operator == "Exists":
        return not key or key == taint_key
    return operator == "Equal" and key == taint_key and value == taint_value


def _has_accelerators(pool: PoolNodes, pod: PodNeeds) -> bool | None:
    if pod.accelerators is None:
        return None
    if not pod.accelerators:
        # Karpenter would put such a pod on accelerated nodes, but files that show only an accelerated pool show only
        # part of the cluster: a pod that requests no accelerator is not linked to a pool that has nothing else.
        return None if pool.accelerator not in (None, "none") or _only_accelerated(pool) else True
    if pool.accelerator is not None:
        return pool.accelerator in pod.accelerators
    categories = _allowed(pool, CATEGORY_LABEL)
    if categories.unknown or categories.values is None:
        return True  # Karpenter may pick any category with the accelerator
    kinds = {ACCELERATED_CATEGORIES.get(category) for category in categories.values}
    if kinds & pod.accelerators:
        return True
    if all(category in PLAIN_CATEGORIES or category in ACCELERATED_CATEGORIES for category in categories.values):
        return False
    return None


def _only_accelerated(pool: PoolNodes) -> bool:
    categories = _allowed(pool, CATEGORY_LABEL).values
    return bool(categories) and all(category in ACCELERATED_CATEGORIES for category in categories)  # type: ignore[union-attr]


def _selects(pool: PoolNodes, pod: PodNeeds) -> bool | None:
    answers = [_expression(pool, key, "In", (value,)) for key, value in pod.selector]
    if pod.terms:
        per_term = [_all([_expression(pool, key, operator, values) for key, operator, values in term]) for term in pod.terms]
        answers.append(True if True in per_term else (None if None in per_term else False))
    return _all(answers)


def _all(answers: list[bool | None]) -> bool | None:
    if False in answers:
        return False
    return None if None in answers else True


def _allowed(pool: PoolNodes, key: str) -> _Allowed:
    """What the pool's requirements and labels allow on `key`."""
    labelled = [value for label, value in pool.labels if label == key]
    if labelled:
        return _Allowed(values=frozenset(labelled[:1]))
    allowed = _Allowed()
    written = False
    for requirement_key, operator, values in pool.requirements:
        if requirement_key != key:
            continue
        written = True
        if operator == "In":
            listed = frozenset(values) if allowed.values is None else allowed.values & frozenset(values)
            allowed = _Allowed(values=listed - allowed.excluded)
        elif operator == "NotIn":
            if allowed.values is not None:
                allowed = _Allowed(values=allowed.values - frozenset(values))
            else:
                allowed = _Allowed(excluded=allowed.excluded | frozenset(values), may_be_absent=key not in ALWAYS_SET)
        elif operator == "Exists":
            continue
        elif operator == "DoesNotExist":
            allowed = _Allowed(absent=True)
        else:
            return _Allowed(unknown=True)  # Gt, Lt: numeric bounds not read here
    if written:
        return allowed
    if key in ALWAYS_SET:
        return allowed
    if key in SET_ON_SOME or any(key.split("/")[0].endswith(namespace) for namespace in SYSTEM_NAMESPACES if "/" in key):
        return _Allowed(unknown=True)
    return _Allowed(absent=True)  # a custom label: only the pool's own labels or requirements would set it


def _expression(pool: PoolNodes, key: str, operator: str, values: tuple[str, ...]) -> bool | None:
    """Whether a node of the pool can satisfy one node-selector requirement of the pod."""
    allowed = _allowed(pool, key)
    if allowed.unknown:
        return None
    if operator == "In":
        if allowed.absent:
            return False
        if allowed.values is not None:
            return bool(allowed.values & frozenset(values))
        return bool(frozenset(values) - allowed.excluded)
    if operator == "NotIn":
        if allowed.absent or allowed.may_be_absent:
            return True
        if allowed.values is not None:
            return bool(allowed.values - frozenset(values))
        return True
    if operator == "Exists":
        if allowed.absent:
            return False
        return True if allowed.values or not allowed.may_be_absent else None
    if operator == "DoesNotExist":
        if allowed.absent:
            return True
        return False if allowed.values is not None or key in ALWAYS_SET else None
    return None

"""What the autoscaling rules ask of the model: which deployments scale, and what a target scales."""

from __future__ import annotations

import fnmatch
from typing import Mapping, Sequence

from linter import Deployment, DeploymentKind, LinkStatus, RunContext, ScalingTarget, Unit

from plugins.rules.common import display_name, unit_subject

# Instance- or replica-backed serving whose capacity autoscaling should
# follow: real-time and asynchronous endpoints, and long-running services
# (ECS, Kubernetes). Serverless endpoints scale themselves.
SCALED_KINDS = (DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVICE)



def deployments_by_id(deployments: Sequence[Deployment]) -> dict[str, Deployment]:
    """The deployments by ID (the first of each ID), for `deployment_of`."""
    found: dict[str, Deployment] = {}
    for deployment in deployments:
        found.setdefault(deployment.id, deployment)
    return found


def deployment_of(target: ScalingTarget, by_id: Mapping[str, Deployment]) -> Deployment | None:
    """The deployment of the run a target names by `deployment_id`, if any (`by_id` from `deployments_by_id`)."""
    if not target.deployment_id:
        return None
    return by_id.get(target.deployment_id)


def unit_by_name(deployment: Deployment, name: str) -> Unit | None:
    return next((unit for unit in deployment.units if unit.name.known and str(unit.name.value) == name), None)


def target_subject(target: ScalingTarget, by_id: Mapping[str, Deployment]) -> str:
    """What a linked target scales, for messages: `endpoint (variant)`, else the adapter's words."""
    deployment = deployment_of(target, by_id)
    if deployment is None:
        return target.reason
    unit = unit_by_name(deployment, target.unit_name) if target.unit_name else None
    return unit_subject(deployment, unit) if unit is not None else display_name(deployment)


class UnlinkedTargets:
    """What the targets the adapters could not link may scale, read once: deployment IDs and files.

    Such a target is unresolved and names a deployment but an unknown unit,
    or names something unknown from a deployment's own file; or it sits in
    another file (another stack) and its adapter found it to name a
    deployment (`refers_to`).
    """

    def __init__(self, targets: Sequence[ScalingTarget]) -> None:
        ids: set[str] = set()
        paths: set[str] = set()
        for target in targets:
            if target.status is LinkStatus.UNRESOLVED:
                if target.deployment_id:
                    ids.add(target.deployment_id)
                elif target.span is not None:
                    paths.add(target.span.path)
            elif target.status is LinkStatus.ELSEWHERE_IN_RUN:
                ids.update(target.refers_to)
        self._ids = frozenset(ids)
        self._paths = frozenset(paths)

    def may_scale(self, deployment: Deployment) -> bool:
        return deployment.id in self._ids or deployment.path in self._paths


def unlinked_targets(run: RunContext) -> UnlinkedTargets:
    """The run's `UnlinkedTargets`, read once per run rather than once per deployment."""
    targets = run.scaling_targets
    # Keyed by the tuple's id; the memo keeps the tuple alive, so no other
    # tuple can take that id while the entry is used.
    _, unlinked = run.memo((__name__, "unlinked targets", id(targets)), lambda: (targets, UnlinkedTargets(targets)))
    return unlinked


def may_be_scaled_elsewhere(deployment: Deployment, targets: Sequence[ScalingTarget]) -> bool:
    """True when a target the adapter could not link may scale this deployment (see `UnlinkedTargets`)."""
    return UnlinkedTargets(targets).may_scale(deployment)


def scaled_elsewhere_pattern(deployment: Deployment, patterns: Sequence[str]) -> str | None:
    """The first configured `scaled-elsewhere` glob that names the deployment, or None.

    Globs (shell-style: `*`, `?`, `[...]`) are matched against the
    deployment's name (an endpoint or object name), the resource it was
    read from (a CloudFormation logical ID, an object name) and, on
    Kubernetes, `namespace/name`.
    """
    if not patterns:
        return None
    names = [display_name(deployment)]
    if deployment.links:
        names.append(deployment.links[0].name)
    namespace = deployment.namespace
    if namespace.known:
        names += [f"{namespace.value}/{name}" for name in tuple(names)]
    for pattern in patterns:
        if any(fnmatch.fnmatchcase(name, pattern) for name in names):
            return pattern
    return None


def hosts_inference_components(deployment: Deployment, unit: Unit) -> bool:
    """True for a variant whose instances host inference components of the same deployment.

    Adapters give a component the compute read from its variant (the same
    instance-type span, see `units_owning_instances`); the variant's
    capacity then follows its components' copy counts, scaled by their
    `DesiredCopyCount` targets, and its ManagedInstanceScaling.
    """
    if len(deployment.units) == 1:  # a lone unit hosts nothing of its deployment
        return False
    declared_at = unit.compute.instance_type.span
    if declared_at is None:
        return False
    sharing = [other for other in deployment.units if other.compute.instance_type.span == declared_at]
    return len(sharing) > 1 and sharing[0] is unit  # variants come before the components placed on them

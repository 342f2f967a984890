"""What the autoscaling rules ask of the model: which deployments scale, and what a target scales."""

from __future__ import annotations

import fnmatch
from typing import Sequence

from linter import Deployment, DeploymentKind, LinkStatus, ScalingTarget, Unit

from plugins.rules.common import display_name, unit_subject

# Instance- or replica-backed serving whose capacity autoscaling should
# follow: real-time and asynchronous endpoints, and long-running services
# (ECS, Kubernetes). Serverless endpoints scale themselves.
SCALED_KINDS = (DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVICE)



def deployment_of(target: ScalingTarget, deployments: Sequence[Deployment]) -> Deployment | None:
    """The deployment of the run a target names by `deployment_id`, if any."""
    if not target.deployment_id:
        return None
    return next((deployment for deployment in deployments if deployment.id == target.deployment_id), None)


def unit_by_name(deployment: Deployment, name: str) -> Unit | None:
    return next((unit for unit in deployment.units if unit.name.known and str(unit.name.value) == name), None)


def target_subject(target: ScalingTarget, deployments: Sequence[Deployment]) -> str:
    """What a linked target scales, for messages: `endpoint (variant)`, else the adapter's words."""
    deployment = deployment_of(target, deployments)
    if deployment is None:
        return target.reason
    unit = unit_by_name(deployment, target.unit_name) if target.unit_name else None
    return unit_subject(deployment, unit) if unit is not None else display_name(deployment)


def may_be_scaled_elsewhere(deployment: Deployment, targets: Sequence[ScalingTarget]) -> bool:
    """True when a target the adapter could not link may scale this deployment.

    Such a target is unresolved and names this deployment but an unknown
    unit, or names something unknown from the deployment's own file; or it
    sits in another file (another stack) and its adapter found it to name
    this deployment (`refers_to`).
    """
    for target in targets:
        if target.status is LinkStatus.UNRESOLVED:
            if target.deployment_id:
                if deployment_of(target, (deployment,)) is deployment:
                    return True
            elif target.span is not None and target.span.path == deployment.path:
                return True
        elif target.status is LinkStatus.ELSEWHERE_IN_RUN and deployment.id in target.refers_to:
            return True
    return False


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
    declared_at = unit.compute.instance_type.span
    if declared_at is None:
        return False
    sharing = [other for other in deployment.units if other.compute.instance_type.span == declared_at]
    return len(sharing) > 1 and sharing[0] is unit  # variants come before the components placed on them

"""What the autoscaling rules ask of the model: which deployments scale, and what a target scales."""

from __future__ import annotations

from typing import Sequence

from linter import Deployment, DeploymentKind, ScalingTarget, Unit

from plugins.rules.common import display_name, unit_subject

# Instance- or replica-backed serving whose capacity autoscaling should
# follow: real-time and asynchronous endpoints, and long-running services
# (ECS, Kubernetes). Serverless endpoints scale themselves.
SCALED_KINDS = (DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVICE)

# `ScalingTarget.status` values (see linter.model.ScalingTarget).
LINKED = "linked"
NO_SUCH_DEPLOYMENT = "no-such-deployment"
NO_SUCH_UNIT = "no-such-unit"
UNRESOLVED = "unresolved"


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
    """True when a target the adapter could not resolve may scale this deployment.

    Such a target names this deployment but an unknown unit, or names
    something unknown from the deployment's own file.
    """
    for target in targets:
        if target.status != UNRESOLVED:
            continue
        if target.deployment_id:
            if deployment_of(target, (deployment,)) is deployment:
                return True
        elif target.span is not None and target.span.path == deployment.path:
            return True
    return False

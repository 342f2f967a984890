"""What the autoscaling rules ask of the model: which deployments scale, and what a target scales."""

from __future__ import annotations

from typing import Mapping, Sequence

from linter import Deployment, DeploymentKind, ScalingTarget, Unit

from plugins.rules.common import display_name, is_inference_component, unit_subject

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


def hosts_inference_components(deployment: Deployment, unit: Unit) -> bool:
    """True for a variant whose instances host inference components of the same deployment.

    Adapters give a component the compute read from its variant (the same
    instance-type span); the variant's capacity then follows its
    components' copy counts, scaled by their `DesiredCopyCount` targets,
    and its ManagedInstanceScaling.
    """
    if len(deployment.units) == 1 or is_inference_component(unit):
        return False
    declared_at = unit.compute.instance_type.span
    if declared_at is None:
        return False
    return any(is_inference_component(other) and other.compute.instance_type.span == declared_at for other in deployment.units)

"""What the autoscaling rules ask of the model: which deployments scale, and what a target scales."""

from __future__ import annotations

import fnmatch
import re
from typing import Sequence

from linter import Deployment, DeploymentKind, ScalingTarget, Unit

from plugins.data import parse_scaling_resource_id

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
    """True when a target the adapter could not link may scale this deployment.

    Such a target is unresolved and names this deployment but an unknown
    unit, or names something unknown from the deployment's own file; or it
    sits in another file (another stack) and names this deployment by its
    written name — the target the adapter did not find in its own file.
    """
    for target in targets:
        if target.status == UNRESOLVED:
            if target.deployment_id:
                if deployment_of(target, (deployment,)) is deployment:
                    return True
            elif target.span is not None and target.span.path == deployment.path:
                return True
        elif (
            target.status == NO_SUCH_DEPLOYMENT
            and not target.searched_run
            and target.span is not None
            and target.span.path != deployment.path
            and target.resource_id.known
            and deployment.name.known
            and names_deployment(names_in_resource_id(str(target.resource_id.value)), deployment)
        ):
            return True
    return False


# Adapters keep the known text of a partly unresolved name and show each
# unknown piece as `${...}` (see TemplateContext.read_text).
_HOLE = re.compile(r"\$\{[^}]*\}")


def names_in_resource_id(resource_id: str) -> tuple[str, ...]:
    """The names a scaling resource ID may refer to a deployment by.

    For a SageMaker variant, its endpoint name (from the data tables' ID
    format); otherwise every path segment, which covers any ID format that
    names the deployment by one of its segments.
    """
    parsed = parse_scaling_resource_id(resource_id)
    if parsed is not None and parsed.endpoint:
        return (parsed.endpoint,)
    return tuple(segment for segment in resource_id.split("/") if segment)


def names_deployment(names: Sequence[str], deployment: Deployment) -> bool:
    """True when the deployment's name is one of `names` (a `${...}` hole in it matching anything).

    A deployment whose name is not known is named when one of its possible
    names is, or when it has none to compare.
    """
    name = deployment.name
    if not name.known:
        return not name.options or any(str(option) in names for option in name.options)
    text = str(name.value)
    if _HOLE.search(text):
        pattern = re.compile(".*".join(re.escape(piece) for piece in _HOLE.split(text)) + r"\Z", re.S)
        return any(pattern.match(candidate) for candidate in names)
    return text in names


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
    namespace = deployment.attribute("namespace")
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

"""Whether something the rules cannot see may scale a deployment: shared by the autoscaling and availability rules.

A rule that says a deployment "has no autoscaling" (AS001) or that "nothing
scales it" (HA001, HA003) must stay silent where scaling exists but is out
of sight: a scaling target the adapters could not link that may name it
(`UnlinkedTargets`), or a deployment the configuration's `scaled-elsewhere`
list names (`scaled_elsewhere_pattern`). `out_of_sight` asks both, and says which.
"""

from __future__ import annotations

import fnmatch
from typing import Sequence

from linter import Deployment, LinkStatus, NotJudged, RunContext, ScalingTarget

from plugins.rules.common import display_name

__all__ = [
    "UnlinkedTargets",
    "unlinked_targets",
    "may_be_scaled_elsewhere",
    "out_of_sight",
    "scaled_elsewhere_pattern",
]

# The configuration section listing what is scaled from outside the linted files (the autoscaling pack's setting).
SETTING = "scaled-elsewhere"


class UnlinkedTargets:
    """What the targets the adapters could not link may scale, read once: deployment IDs and files.

    Such a target is unresolved and names a deployment but an unknown unit,
    or names something unknown from a deployment's own file; or it sits in
    another file (another stack, a context file of a pre-commit run) and
    its adapter found it to name a deployment (`refers_to`). The first
    such target of each deployment or file is kept, to say which.
    """

    def __init__(self, targets: Sequence[ScalingTarget]) -> None:
        ids: dict[str, ScalingTarget] = {}
        paths: dict[str, ScalingTarget] = {}
        for target in targets:
            if target.status is LinkStatus.UNRESOLVED:
                if target.deployment_id:
                    ids.setdefault(target.deployment_id, target)
                elif target.span is not None:
                    paths.setdefault(target.span.path, target)
            elif target.status is LinkStatus.ELSEWHERE_IN_RUN:
                for deployment_id in target.refers_to:
                    ids.setdefault(deployment_id, target)
        self._ids = ids
        self._paths = paths

    def which(self, deployment: Deployment) -> ScalingTarget | None:
        """The first unlinked target that may scale the deployment, or None."""
        return self._ids.get(deployment.id) or self._paths.get(deployment.path)


def unlinked_targets(run: RunContext) -> UnlinkedTargets:
    """The run's `UnlinkedTargets` (its context files' targets too), read once per run rather than once per deployment."""
    targets, offered = run.scaling_targets, run.context_scaling_targets
    # Keyed by the tuples' ids; the memo keeps the tuples alive, so no other
    # tuple can take those ids while the entry is used.
    _, unlinked = run.memo(
        (__name__, "unlinked targets", id(targets), id(offered)),
        lambda: ((targets, offered), UnlinkedTargets(targets + offered)),
    )
    return unlinked


def may_be_scaled_elsewhere(deployment: Deployment, targets: Sequence[ScalingTarget]) -> bool:
    """True when a target the adapter could not link may scale this deployment (see `UnlinkedTargets`)."""
    return UnlinkedTargets(targets).which(deployment) is not None


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


def out_of_sight(deployment: Deployment, run: RunContext) -> NotJudged | None:
    """Why scaling the rules cannot see may scale the deployment, for `explain` (a `NotJudged`), or None.

    A rule that stays silent for it yields this, so that `explain
    --deployments` says which target or `scaled-elsewhere` entry kept it
    silent.
    """
    target = unlinked_targets(run).which(deployment)
    if target is not None:
        written = f"scaling target {target.resource_id.value}" if target.resource_id.known else "a scaling target"
        if target.status is LinkStatus.ELSEWHERE_IN_RUN:
            return NotJudged(f"whether it scales: {written}, in another file, names it", target.span)
        return NotJudged(f"whether it scales: {written} may scale it ({target.reason})", target.span)
    pattern = scaled_elsewhere_pattern(deployment, run.settings(SETTING) or ())
    if pattern is not None:
        return NotJudged(f"whether it scales: the configuration's `{SETTING}` names it ({pattern!r})")
    return None

"""What the replica rules (HA003-HA007) ask of the model: how many replicas a service keeps, and which unit a budget guards."""

from __future__ import annotations

from linter import Deployment, DeploymentKind, Unit

from plugins.data import limit
from plugins.rules.common import autoscaling_minimum, count_is_structural, possible_values  # noqa: F401 (count_is_structural: re-exported)

# Long-running serving (Kubernetes workloads and serving CRDs, ECS services).
# SageMaker endpoints are real-time/async kinds: HA001 judges those, so HA001
# and HA003 never judge the same deployment.
REPLICATED_KINDS = (DeploymentKind.SERVICE,)


def min_serving_replicas() -> int:
    """The fewest replicas that survive a lost or drained node (from the data tables)."""
    return int(limit("kubernetes", "min_serving_replicas").value)  # type: ignore[arg-type]


def replicas_text(count: object) -> str:
    return f"{count} replica" if count == 1 else f"{count} replicas"


def lowest_replicas(unit: Unit) -> tuple[tuple, bool]:
    """The replica counts the unit may fall to, and whether they are an autoscaling minimum.

    An autoscaler replaces the written count: the unit may run as few as
    its lowest minimum. Empty when that is not known.
    """
    minimum = autoscaling_minimum(unit)
    if minimum is not None:
        return possible_values(minimum), True
    return possible_values(unit.count), False


def replicated(unit: Unit, needed: int) -> str | None:
    """How many replicas the unit runs, for messages, when that is at least `needed`; else None.

    Either its count or its autoscaling minimum is `needed` or more (a
    count below that, scaled no higher, is HA003's business).
    """
    counts = possible_values(unit.count)
    if counts and all(count >= needed for count in counts) and not count_is_structural(unit):
        return replicas_text(counts[0]) if len(counts) == 1 else f"{' or '.join(map(str, counts))} replicas"
    minimum = autoscaling_minimum(unit)
    minimums = possible_values(minimum) if minimum is not None else ()
    if minimums and all(value >= needed for value in minimums):
        return f"at least {replicas_text(min(minimums))}"
    return None


def guarded_unit(deployment: Deployment) -> Unit | None:
    """The unit whose pods the deployment's `availability` describes.

    Adapters give `Availability` the span of the pod it was read from,
    which is that unit's span; the first unit otherwise.
    """
    availability = deployment.availability
    if availability is None or not deployment.units:
        return None
    for unit in deployment.units:
        if availability.span is not None and unit.span == availability.span:
            return unit
    return deployment.units[0]

"""Questions many rules ask of the model, answered once.

Rules stay pure functions of the model; anything two rules would both
compute lives here, as plain functions (no base classes).
"""

from __future__ import annotations

from linter import Deployment, DeploymentKind, ModelSpec, Provenance, Severity, Sourced, Span, Unit, Violation

ENDPOINT_KINDS = (DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVERLESS)
SERVING_KINDS = ENDPOINT_KINDS + (DeploymentKind.SERVICE,)


def kind_of(deployment: Deployment) -> DeploymentKind | None:
    """The deployment's kind, or None when unknown."""
    return deployment.kind.value if deployment.kind.known else None  # type: ignore[return-value]


def is_kind(deployment: Deployment, *kinds: DeploymentKind) -> bool:
    return kind_of(deployment) in kinds


def instance_units(deployment: Deployment) -> list[Unit]:
    """Units that run on instances (not serverless)."""
    return [unit for unit in deployment.units if unit.serverless is None]


def count_is_structural(unit: Unit) -> bool:
    """True when the unit's count follows from the workload's shape, not from a field one can raise.

    Adapters mark such counts inferred: a Ray head (always one pod), a bare
    Pod, a LeaderWorkerSet's workers (groups x size, the groups being
    counted by the leader unit).
    """
    return unit.count.provenance is Provenance.INFERRED


def is_inference_component(unit: Unit) -> bool:
    """True for an inference component: a unit placing copies of a model on a variant's instances (its `count` is
    copies). Adapters set `requirements` on every such unit, and on no other."""
    return unit.requirements is not None


def units_owning_instances(deployment: Deployment) -> list[Unit]:
    """Instance-backed units that own their instances: not the inference components placed on a variant's
    instances (counts of these units add up to instances)."""
    units = deployment.units
    if len(units) == 1:  # nothing to share instances with (most deployments)
        return [units[0]] if units[0].serverless is None and not is_inference_component(units[0]) else []
    return [unit for unit in instance_units(deployment) if not is_inference_component(unit)]


def unit_name(unit: Unit) -> str:
    """A unit's name for messages."""
    return str(unit.name.value) if unit.name.known else "(unnamed)"


def models_of(deployment: Deployment, unit: Unit) -> list[ModelSpec]:
    """The models (containers) a unit serves: those named by the unit, or all when the deployment has one unit."""
    if len(deployment.units) == 1:
        return list(deployment.models)
    return [model for model in deployment.models if model.name.known and str(model.name.value) in unit.model_names]


def judged_as_ml(deployment: Deployment) -> bool:
    """False for a general-purpose workload in which its adapter found nothing of ML.

    Adapters that read workloads of any kind (a Kubernetes Deployment or
    Job) set `Deployment.ml_evidence`: known when an image, accelerator,
    serving resource or workload profile shows an ML workload, unknown
    otherwise. Deployments without it (a SageMaker endpoint, a KServe
    InferenceService) are ML by what they are. Rules that would judge any
    workload (replicas, autoscaling, Spot) skip the others: a database is
    not this linter's business.
    """
    return deployment.ml_evidence is None or deployment.ml_evidence.known


def where(*candidates: "Sourced | Span | None", default: Span) -> Span:
    """The span of the first candidate that has one (a value's, else the fallback)."""
    return _located(candidates, default)[0]


def _located(candidates: "tuple[Sourced | Span | None, ...]", default: Span) -> "tuple[Span, Sourced | None]":
    """The first candidate's span, and the candidate itself when it is a value."""
    for candidate in candidates:
        if isinstance(candidate, Span):
            return candidate, None
        if isinstance(candidate, Sourced) and candidate.span is not None:
            return candidate.span, candidate
    return default, None


def violation(
    message: str,
    *candidates: "Sourced | Span | None",
    default: Span,
    severity: Severity | None = None,
    related: tuple[tuple[Span, str], ...] = (),
) -> Violation:
    """A violation at the first candidate with a span, as `where` chooses it.

    When that candidate is a value decided elsewhere as well (its
    `related`: the Default of the template parameter a `!Ref` resolves
    to), the message ends with what that place is (`(ml.t2.medium is the
    Default of parameter InstanceTypeParam)`) and the violation carries it
    as a related location; the finding itself stays at the value as written.
    `related` adds places the message already speaks of.
    """
    span, fact = _located(candidates, default)
    decided_by = fact.related if fact is not None else ()
    if decided_by:
        message = f"{message} ({'; '.join(what for _, what in decided_by)})"
    return Violation(message, span, severity, decided_by + related)


def display_name(deployment: Deployment) -> str:
    """The deployment's name for messages."""
    return str(deployment.name.value) if deployment.name.known else deployment.id.rsplit("#", 1)[-1]


def possible_values(fact: Sourced) -> tuple:
    """Every value a fact may take, each once: its value, or the branches of an undecided condition.

    Empty when nothing is known (rules then stay silent). A branch that
    could not be read (None: malformed, a number too large) is left out.
    """
    return (fact.value,) if fact.known else tuple(dict.fromkeys(option for option in fact.options if option is not None))


def autoscaling_minimum(unit: Unit) -> Sourced | None:
    """The lowest minimum capacity of a unit's autoscaling; None when nothing scales it.

    When some target's minimum is not known, that minimum (unknown, maybe
    with the branches of a condition) is returned instead.
    """
    lowest: Sourced | None = None
    for scaling in unit.scaling:
        minimum = scaling.min_capacity
        if not minimum.known:
            return minimum
        if lowest is None or minimum.value < lowest.value:  # type: ignore[operator]
            lowest = minimum
    return lowest


def unit_subject(deployment: Deployment, unit: Unit) -> str:
    """`endpoint-name (variant)` for messages; the unit's name only when it differs."""
    name = display_name(deployment)
    if unit.name.known and unit.name.value != name:
        return f"{name} ({unit.name.value})"
    return name

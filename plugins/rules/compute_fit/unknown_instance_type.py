"""CP005 unknown-instance-type."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, RunContext, Severity, Sourced, Violation, rule

from plugins.data import JOB_KINDS, Extensions, extensions_of, instance_job_kind, instance_types_source, regional_instance_types, valid_instance_types
from plugins.rules.common import kind_of, violation
from plugins.rules.compute import join_words

# How alike a misspelt type must be to a valid one (difflib ratio) to be
# called an obvious typo, and by how much it must beat the runner-up:
# `ml.g5dn.xlarge` is as close to ml.g4dn.xlarge as to ml.g5.xlarge, so it
# gets no suggestion.
_TYPO_SIMILARITY = 0.9
_TYPO_MARGIN = 0.02
# The least score that can matter: a typo's, or a runner-up's within the margin of one (rounding aside).
_CONTENDING = _TYPO_SIMILARITY - _TYPO_MARGIN - 1e-9


def _nearest(text: str, valid: frozenset[str]) -> str | None:
    """The valid type an obvious typo of `text` stands for, or None."""
    normalised = text.strip().lower()
    if normalised in valid:
        return normalised  # case or stray whitespace
    # The type without its platform prefix (`m5.large` for ml.m5.large).
    suffix = f".{normalised}"
    completed = [candidate for candidate in valid if candidate.endswith(suffix)]
    if len(completed) == 1:
        return completed[0]
    import difflib  # here, not at import: only an unknown type needs it

    # Only a type that may score within the margin of a typo can name it or stand in its way: the
    # others are left out by difflib's bounds of the score (from the lengths, then the characters),
    # before its quadratic matching. A hostile value is megabytes long, and every valid type fails
    # the first bound at once.
    scored = []
    for candidate in valid:
        matcher = difflib.SequenceMatcher(None, normalised, candidate)
        if matcher.real_quick_ratio() >= _CONTENDING and matcher.quick_ratio() >= _CONTENDING:
            scored.append((matcher.ratio(), candidate))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < _TYPO_SIMILARITY:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < _TYPO_MARGIN:
        return None
    return scored[0][1]


def _invalid_message(text: str, job_kind: str, valid: frozenset[str], branch: bool, extensions: Extensions) -> str:
    subject = f"{text} (one branch of a condition)" if branch else text
    elsewhere = sorted(kind for kind in JOB_KINDS if kind != job_kind and text in valid_instance_types(kind, extensions))
    nearest = _nearest(text, valid)
    if elsewhere:
        message = f"{subject} is not a {job_kind} instance type (it is valid for {join_words(elsewhere)})"
        return message + (f" — use a {job_kind} type such as {nearest}" if nearest else f" — use a {job_kind} type")
    message = f"{subject} is not a valid {job_kind} instance type"
    if nearest:
        return f"{message} — did you mean {nearest}?"
    return (
        f"{message}: misspelt, retired, or newer than {instance_types_source()} — if SageMaker accepts it, "
        "add it under [data.instance-types] in the configuration"
    )


def _candidates(instance_type: Sourced) -> list[tuple[str, bool]]:
    """(value, from a condition branch) pairs to judge, each once."""
    if instance_type.known:
        return [(str(instance_type.value), False)]
    if instance_type.malformed and isinstance(instance_type.raw, (int, float)):
        return [(str(instance_type.raw), False)]  # a number where a type belongs; a list or map is a schema error
    seen: list[tuple[str, bool]] = []
    for option in instance_type.options:
        if option is not None and (str(option), True) not in seen:  # None: a branch that could not be read
            seen.append((str(option), True))
    return seen


def _regional(deployment: Deployment, text: str, job_kind: str, located: tuple) -> Iterator[Violation]:
    if not deployment.region.known:
        return
    table = regional_instance_types(str(deployment.region.value), job_kind)
    # Only the pricing-derived tables are regional; the schema-based ones
    # copy the API enum in every region.
    if table is None or table.basis != "pricing" or text in table:
        return
    yield violation(
        f"{text} is not listed for {job_kind} in {table.region} in cfn-lint {table.version}'s regional tables — check "
        "that the region offers it (these tables lag the SageMaker API, so this is advice only)",
        *located,
        default=deployment.span,
        severity=Severity.INFO,
    )


@rule(
    "CP005",
    "unknown-instance-type",
    Severity.ERROR,
    "The instance type is not one SageMaker accepts for this kind of job.",
    tags=("sagemaker",),
)
def unknown_instance_type(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks every SageMaker instance type against the types the SageMaker
    API accepts for the job kind: hosting (real-time and asynchronous
    endpoints), batch transform, training and processing. A type that is
    valid for another kind is named as such — `ml.t3.medium` is a
    processing and training type, not a hosting type; an obvious typo
    (`ml.m5.larg`, `m5.large`) gets the type it most likely meant. Both
    branches of an undecided `Fn::If` are checked. When the deployment's
    region is known and the installed cfn-lint has pricing-derived
    regional tables, a valid type the region does not list is reported as
    info.

    ## Why it matters
    SageMaker validates the type only when the resource is created: the
    stack fails and rolls back (or the pipeline step fails) after
    everything before it was deployed. The lists differ between job kinds
    more than one expects: `ml.t3` is a training and processing type,
    `ml.c5n` a training type only, Graviton types are hosting types only,
    and transform accepts fewer families than hosting. The table is dated:
    a type SageMaker added since can be declared under
    `[data.instance-types]` in the configuration.

    ## Example
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scoring-model
            InstanceType: ml.t3.medium
            InitialInstanceCount: 1
    ```

    ## Fix
    Use a type the endpoint accepts:
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scoring-model
            InstanceType: ml.m5.large
            InitialInstanceCount: 1
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariantInstanceType`, `TransformInstanceType`, `TrainingInstanceType`, `ProcessingInstanceType` (the table is regenerated with `python -m plugins.data.regenerate`; add new types under `[data.instance-types]`)
    - cfn-lint `data/schemas/extensions/aws_sagemaker_*/instancetype_enum.json` (regional availability, from the AWS pricing API)
    """
    kind = kind_of(deployment)
    job_kind = instance_job_kind(kind.value) if kind is not None else None
    if job_kind is None:
        return
    extensions = extensions_of(run)
    valid = valid_instance_types(job_kind, extensions)
    for unit in deployment.units:
        instance_type = unit.compute.instance_type
        located = (instance_type, unit.span)
        for text, branch in _candidates(instance_type):
            if text in valid:
                yield from _regional(deployment, text, job_kind, located)
            else:
                yield violation(_invalid_message(text, job_kind, valid, branch, extensions), *located, default=deployment.span)

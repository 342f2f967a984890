"""The workload profile and environment a CloudFormation resource declares.

Profile: resource `Metadata` under `mldeploy-lint: {workload: {...}}`, and
Tags `mldeploy-lint:<key>` (tags win, being closer to the deployed thing).
Environment: the profile's `environment`, else an `Environment`/`Env`/
`Stage`/`EnvironmentType`/`sagemaker:deployment-stage` tag spelled as a
known stage.
"""

from __future__ import annotations

import sys
from linter import (
    NO_PROFILE,
    NOT_WRITTEN,
    PROFILE_TAG_PREFIX,
    Environment,
    InputProblem,
    MappingNode,
    Provenance,
    ScalarNode,
    Sourced,
    WorkloadProfile,
    normalise_environment,
    parse_profile,
    profile_entry_value,
)

from plugins.adapters.cloudformation.template import Resource, intrinsic, tags

METADATA_KEY = "mldeploy-lint"
# Lower-cased tag keys that name the stage: the usual spellings, the
# SageMaker Projects tag and the EnvironmentType AWS samples tag with.
ENVIRONMENT_TAG_KEYS = ("environment", "env", "stage", "sagemaker:deployment-stage", "environmenttype")


def profile_of(resource: Resource) -> tuple[WorkloadProfile, list[InputProblem]]:
    """The profile declared on `resource`, and located problems with it; `NO_PROFILE` itself when it declares none."""
    problems: list[InputProblem] = []
    entries = []
    metadata = resource.node.get("Metadata")
    declared = metadata.get(METADATA_KEY) if isinstance(metadata, MappingNode) else None
    # `mldeploy-lint` may hold only suppressions (`ignore`, read in ignores.py): no profile then.
    only_ignores = isinstance(declared, MappingNode) and intrinsic(declared) is None and "workload" not in declared
    if declared is not None and not only_ignores:
        workload = declared.get("workload") if isinstance(declared, MappingNode) else None
        if not isinstance(workload, MappingNode):
            problems.append(
                InputProblem(
                    f"invalid workload profile (Metadata {METADATA_KEY}): expected a mapping "
                    f"`{METADATA_KEY}: {{workload: {{...}}}}`",
                    declared.span,
                )
            )
        else:
            for key_node, value in workload.pairs:
                if intrinsic(value) is None:  # a computed entry is unknown, not wrong
                    entries.append((str(key_node.value), profile_entry_value(value), value.span))
    # No entries parse to the profile they start from, with no problems (most resources declare none).
    profile = NO_PROFILE
    if entries:
        profile, found = parse_profile(entries, f"Metadata {METADATA_KEY}.workload of {resource.logical_id}")
        problems += found
    tag_entries = [
        (key[len(PROFILE_TAG_PREFIX):], profile_entry_value(value), value.span)
        for key, value, _ in tags(resource)
        if key.startswith(PROFILE_TAG_PREFIX) and intrinsic(value) is None
    ]
    if not tag_entries:
        return profile, problems
    profile, found = parse_profile(tag_entries, f"Tags {PROFILE_TAG_PREFIX}<key> of {resource.logical_id}", profile)
    return profile, problems + found


def environment_of(resource: Resource, profile: WorkloadProfile) -> Sourced[Environment]:
    """The stage the resource belongs to, when declared; UNKNOWN otherwise."""
    if profile.environment.known:
        stage = normalise_environment(profile.environment.value)
        if stage is not None:
            return Sourced(stage, profile.environment.span, Provenance.DECLARED, profile.environment.note)
    for key, value, span in tags(resource):
        # A value an intrinsic builds (`!Ref Stage`) is not the word written: its parameter decides (see `stages`).
        if key.lower() in ENVIRONMENT_TAG_KEYS and isinstance(value, ScalarNode) and not value.is_custom_tag:
            stage = normalise_environment(value.value)
            if stage is not None:
                # One copy of the note for the run's many resources tagged alike.
                return Sourced(stage, value.span, Provenance.DECLARED, sys.intern(f"tag {key}={value.value}"))
    return NOT_WRITTEN

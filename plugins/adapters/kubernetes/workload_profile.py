"""The workload profile and environment a Kubernetes object declares.

Profile: annotations `mldeploy-lint.io/<key>` with the keys and schema of
the CloudFormation `Metadata` profile (`schemas/workload-profile.schema.json`);
annotation values are strings, and `parse_profile` reads numbers from them.
Environment, first found: the profile's `environment`; an `environment`/
`env`/`stage` label on the object, then on its pod template; the labels of
the object's `Namespace` when the run holds it; a configured namespace
pattern (`[environments] namespaces`); a stage word in the namespace's name
(`ml-prod`, `production`), split on `-` and `_`.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import Callable, Mapping, Sequence

from linter import (
    NOT_WRITTEN,
    NO_PROFILE,
    Environment,
    InputProblem,
    MappingNode,
    Provenance,
    ScalarNode,
    Sourced,
    WorkloadProfile,
    child,
    mappings,
    merge_profiles,
    normalise_environment,
    parse_profile,
)

from plugins.adapters.kubernetes.objects import Manifest, label_text, mapping, without_placeholders

ANNOTATION_PREFIX = "mldeploy-lint.io/"
ENVIRONMENT_LABEL_KEYS = ("environment", "env", "stage")

# Where a workload's pod template sits (Deployment, StatefulSet, Job; CronJob; KEDA ScaledJob).
POD_TEMPLATE_PATHS = (("template",), ("jobTemplate", "spec", "template"), ("jobTargetRef", "template"))


def profile_of(manifest: Manifest) -> tuple[WorkloadProfile, list[InputProblem]]:
    """The profile the object's annotations declare, and located problems with it.

    Annotations on the object win over those on its pod templates, which are
    read too: teams often annotate the pods (a CronJob's job template, a
    training job's replica specs, a Ray cluster's groups).
    """
    templates, annotations = _pod_template_annotations(manifest), manifest.annotations
    if not templates and annotations is None:
        return NO_PROFILE, []
    profile, problems = NO_PROFILE, []
    for template in templates:  # the first template that declares an entry wins it
        declared, found = _annotated_profile(template, f"the pod template of {manifest.describe()}")
        profile, problems = merge_profiles(declared, profile), problems + found
    own, found = _annotated_profile(annotations, manifest.describe())
    return merge_profiles(profile, own), problems + found


# The pod templates of a kind with several, at most this many (a pull request may list any number of groups).
_MAX_TEMPLATES = 64


def _pod_template_annotations(manifest: Manifest) -> list[MappingNode]:
    """The annotations of the object's pod templates: its one template, or each of a Kubeflow training job's
    replica specs (`<framework>ReplicaSpecs.<role>.template`) and of a Ray cluster's head and worker groups."""
    spec = manifest.spec
    for path in POD_TEMPLATE_PATHS:
        annotations = child(spec, *path, "metadata", "annotations")
        if isinstance(annotations, MappingNode):
            return [annotations]
    if not isinstance(spec, MappingNode):
        return []
    templates: list = []
    if manifest.group == "kubeflow.org":
        for key, value in spec.items():
            if isinstance(key, str) and key.endswith("ReplicaSpecs") and isinstance(value, MappingNode):
                templates += [child(role, "template") for _, role in value.items()]
    elif manifest.group == "ray.io":
        cluster = mapping(spec.get("rayClusterSpec")) or mapping(spec.get("rayClusterConfig")) or spec
        templates.append(child(cluster, "headGroupSpec", "template"))
        templates += [child(group, "template") for group in mappings(cluster.get("workerGroupSpecs"))[:_MAX_TEMPLATES]]
    found = [child(template, "metadata", "annotations") for template in templates[:_MAX_TEMPLATES]]
    return [annotations for annotations in found if isinstance(annotations, MappingNode)]


def _annotated_profile(annotations: MappingNode | None, whose: str) -> tuple[WorkloadProfile, list[InputProblem]]:
    if annotations is None:
        return NO_PROFILE, []
    profile, problems = NO_PROFILE, []
    for key, value in annotations.pairs:
        if not (isinstance(key.value, str) and key.value.startswith(ANNOTATION_PREFIX)):
            continue
        # Annotation values must be strings for the API server; a bare number
        # is read as the number it says (parse_profile checks it either way).
        entry = (key.value[len(ANNOTATION_PREFIX):], value.value if isinstance(value, ScalarNode) else {}, value.span)
        profile, found = parse_profile([entry], f"annotation {key.value} of {whose}", profile)
        problems += found
    return profile, problems


def environment_of(
    manifest: Manifest,
    profile: WorkloadProfile,
    template_labels: MappingNode | None = None,
    namespace_object: Manifest | None = None,
    namespace_stages: Mapping[str, Sequence[str]] = {},
) -> Sourced[Environment]:
    """The stage the object belongs to, when something says so; UNKNOWN otherwise.

    `namespace_stages` are the run's configured namespace patterns by
    stage (`[environments] namespaces`, `RunIndex.namespace_stages`).
    """
    if profile.environment.known:
        stage = normalise_environment(profile.environment.value)
        if stage is not None:
            return Sourced(stage, profile.environment.span, Provenance.DECLARED, profile.environment.note)
    labels = child(manifest.metadata, "labels")
    if labels is not None:
        found = _stage_label(labels, lambda: f"label of {manifest.describe()}")
        if found is not None:
            return found
    if template_labels is not None:
        found = _stage_label(template_labels, lambda: "pod template label")
        if found is not None:
            return found
    if namespace_object is not None:
        found = _stage_label(child(namespace_object.metadata, "labels"), lambda: f"label of Namespace {namespace_object.name}")
        if found is not None:
            return found
    namespace = manifest.namespace_sourced
    if namespace.provenance is Provenance.DECLARED:
        configured = configured_namespace_stage(str(namespace.value), namespace_stages)
        if configured is not None:
            stage, pattern = configured
            return Sourced(stage, namespace.span, Provenance.DECLARED, f"namespace {namespace.value!r} matches {pattern!r} (configured)")
        stage_word = _stage_in_namespace(str(namespace.value))
        if stage_word is not None:
            stage, word = stage_word
            return Sourced(stage, namespace.span, Provenance.INFERRED, f"namespace {namespace.value!r} names {word!r}")
    return NOT_WRITTEN


def configured_namespace_stage(namespace: str, patterns: Mapping[str, Sequence[str]]) -> tuple[Environment, str] | None:
    """The stage whose pattern in `patterns` (stage -> namespace patterns) matches, prod first, with the pattern."""
    if not patterns:  # the usual run: no `[environments] namespaces`
        return None
    for stage in (Environment.PROD, Environment.STAGING, Environment.DEV):
        for pattern in patterns.get(stage.value, ()):
            if fnmatch.fnmatchcase(namespace, pattern):
                return stage, pattern
    return None


def _stage_label(labels, whose: Callable[[], str]) -> Sourced[Environment] | None:
    """The stage an `environment`/`env`/`stage` label names; `whose` says whose labels they are, for the note."""
    if not isinstance(labels, MappingNode):
        return None
    for key, value in labels.pairs:
        if isinstance(key.value, str) and key.value.lower() in ENVIRONMENT_LABEL_KEYS:
            stage = normalise_environment(label_text(value))
            if stage is not None:
                return Sourced(stage, value.span, Provenance.DECLARED, f"{whose()} {key.value}={label_text(value)}")
    return None


_WORD_SEPARATORS = re.compile(r"[-_.]+")


@functools.lru_cache(maxsize=1024)
def _stage_in_namespace(namespace: str) -> tuple[Environment, str] | None:
    """`stage_in_name` of a namespace, read once per name (a run has a few namespaces and thousands of objects)."""
    # A placeholder's words name a variable, not the namespace (`${var.prod_namespace}`).
    return stage_in_name(without_placeholders(namespace))


def stage_in_name(name: str) -> tuple[Environment, str] | None:
    """The stage a name spells as a word (`ml-prod`, `team_staging`); production wins; None if none."""
    words = [word for word in _WORD_SEPARATORS.split(name.lower()) if word]
    found = [(stage, word) for word in words for stage in [normalise_environment(word)] if stage is not None]
    for stage, word in found:
        if stage is Environment.PROD:
            return stage, word
    return found[0] if found else None

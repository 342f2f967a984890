"""What every ACK resource shares: how its spec is read, where it lives in AWS, what it declares.

An ACK controller (AWS Controllers for Kubernetes) turns a custom
resource's `spec` into the AWS API request of the same name: the spec *is*
the request, spelled in lowerCamelCase with ACK's initialisms (`kmsKeyID`,
`s3URI`, `destinationS3URI`). `READER` is the shared SageMaker request
reader (`sagemaker_requests.RequestReader`, keys matched case-insensitively)
made as strict as the API server: the CRD schemas type every field, so
`initialInstanceCount: "2"` or `enableManagedSpotTraining: "true"` is
rejected there and kept as malformed here, as the Kubernetes adapter does.
A template placeholder (`$VAR`, `${VAR}`, `{{ .Values.x }}`, and the
`<YOUR ...>` of ACK's samples, which no AWS name can contain) is unknown,
its text kept for names.

ACK resources refer to each other by their AWS names (`endpointConfigName`,
`modelName`, `resourceID`), not by Kubernetes object names, and AWS names
are unique per account and region, not per namespace. The namespace
matters only through where ACK puts a resource (`Scope`), and as a
tie-break: `nearest` prefers a candidate of the same namespace, then of the
same file. A name that is a placeholder links only within its own file,
where one rendering gives every occurrence the same value.

The workload profile comes from `mldeploy-lint.io/<key>` annotations, as
for any Kubernetes object, with the request's own `tags`
(`mldeploy-lint:<key>`, `environment`) over them, as for any SageMaker
request (`declared`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, TypeVar

from linter import NOT_WRITTEN, Environment, InputProblem, MappingNode, Node, Provenance, ScalarNode, Sourced, WorkloadProfile, child

from plugins.adapters.kubernetes.objects import Manifest, has_placeholder, text
from plugins.adapters.kubernetes.workload_profile import environment_of, profile_of
from plugins.adapters.aws.sagemaker_requests import NOT_EXPRESSION, RequestReader, Unresolved, ValueResolver, request_profile
from plugins.adapters.aws.written_values import as_bool, as_float, as_int, as_str

__all__ = [
    "SAGEMAKER_GROUP",
    "AUTOSCALING_GROUP",
    "READER",
    "Scope",
    "scope_of",
    "nearest",
    "declared",
    "is_placeholder",
]

SAGEMAKER_GROUP = "sagemaker.services.k8s.aws"
AUTOSCALING_GROUP = "applicationautoscaling.services.k8s.aws"

# ACK runtime annotations (aws-controllers-k8s/runtime apis/core/v1alpha1; ACK docs
# "Manage Resources In Multiple Regions" and "... Multiple AWS Accounts").
REGION_ANNOTATION = "services.k8s.aws/region"  # on the resource (older docs: also on the namespace)
DEFAULT_REGION_ANNOTATION = "services.k8s.aws/default-region"  # on the Namespace
ACCOUNT_ANNOTATION = "services.k8s.aws/owner-account-id"  # on the resource or its Namespace (CARM)

# `<YOUR BUCKET>`, `<endpoint_name>`: the fill-in marks of ACK's samples.
_ANGLE_PLACEHOLDER = re.compile(r"<[^<>\n]+>")


def is_placeholder(value: str) -> bool:
    """True for text holding a template placeholder or a `<fill-in>` mark."""
    return has_placeholder(value) or ("<" in value and _ANGLE_PLACEHOLDER.search(value) is not None)


def _placeholder(node: Node) -> object:
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and is_placeholder(node.value):
        return Unresolved(f"template placeholder {node.value!r}", node.value)
    return NOT_EXPRESSION


class _AckResolver(ValueResolver):
    """`ValueResolver(expression=_placeholder)`, with a short way for what nearly every read meets.

    A scalar that is not text, or text holding neither a placeholder nor
    `@@` (the base class's hole markers), is itself: the base class answers
    the same after two more calls per value. Anything else is read by the
    base class.
    """

    def __call__(self, node: Node) -> object:
        if isinstance(node, ScalarNode):
            value = node.value
            if not isinstance(value, str) or ("@@" not in value and not is_placeholder(value)):
                return value
        return super().__call__(node)


_LENIENT = (as_int, as_float, as_bool)


def _strict(convert: Callable) -> Callable:
    """`convert` as the API server types a CRD field: no number or boolean from a string, no string from a number."""
    if convert in _LENIENT:
        return lambda value: None if isinstance(value, str) else convert(value)
    if convert is as_str:
        return lambda value: value if isinstance(value, str) else None
    return convert


_STRICT = {convert: _strict(convert) for convert in (*_LENIENT, as_str)}  # made once, not per value read
_STRICT_STR, _STRICT_INT, _STRICT_BOOL = _STRICT[as_str], _STRICT[as_int], _STRICT[as_bool]


class _AckReader(RequestReader):
    """The SageMaker request reader with the CRD schemas' strict types, resolving values with `_AckResolver`.

    `read_str`, `read_int`, `read_bool` (and so `read_text`) and `name_key`
    answer a plain scalar (a string holding no placeholder or hole marker,
    an integer, a boolean: nearly every value of a spec) straight from the
    entry found, as `value_of` and the base class's `name_key` would after
    resolving and converting it; any other entry goes through them, with
    the strict converter.
    """

    def __init__(self) -> None:
        super().__init__(resolve=_AckResolver(expression=_placeholder))

    def value(self, node, *path, convert=lambda item: item, expected=""):
        return self.value_of(self.find(node, *path), _STRICT.get(convert, convert), expected)

    def read_str(self, node, *path):
        found = self.find(node, *path)
        if found is None:
            return NOT_WRITTEN
        target = found.node
        if target.__class__ is ScalarNode and found.dynamic is None:
            value = target.value  # type: ignore[union-attr]
            if value.__class__ is str and "@@" not in value and not is_placeholder(value):
                return Sourced(value, self.span_of(target), Provenance.DECLARED)
        return self.value_of(found, _STRICT_STR, "a string")

    def read_int(self, node, *path):
        found = self.find(node, *path)
        if found is None:
            return NOT_WRITTEN
        target = found.node
        if target.__class__ is ScalarNode and found.dynamic is None and target.value.__class__ is int:  # type: ignore[union-attr]
            converted = as_int(target.value)  # type: ignore[union-attr]
            if converted is not None:  # None: too large, noted by value_of
                return Sourced(converted, self.span_of(target), Provenance.DECLARED)
        return self.value_of(found, _STRICT_INT, "an integer")

    def read_bool(self, node, *path):
        found = self.find(node, *path)
        if found is None:
            return NOT_WRITTEN
        target = found.node
        if target.__class__ is ScalarNode and found.dynamic is None and target.value.__class__ is bool:  # type: ignore[union-attr]
            return Sourced(target.value, self.span_of(target), Provenance.DECLARED)  # type: ignore[union-attr]
        return self.value_of(found, _STRICT_BOOL, "true or false")

    def name_key(self, node, *path):
        found = self.find(node, *path)
        if found is not None and found.dynamic is None and found.node.__class__ is ScalarNode:
            value = found.node.value  # type: ignore[union-attr]
            if value.__class__ is str and "@@" not in value and not is_placeholder(value):
                return "=" + value
        return RequestReader.name_key(self, node, *path)


READER = _AckReader()


# --- where a resource lives in AWS -------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The AWS account and region an ACK resource is managed in; None where it is the controller's own."""

    account: str | None
    region: Sourced[str]

    def compatible(self, other: "Scope") -> bool:
        """False only when both name an account, or both a region, and they differ."""
        if self.account is not None and other.account is not None and self.account != other.account:
            return False
        if self.region.known and other.region.known and self.region.value != other.region.value:
            return False
        return True


def _annotation(manifest: Manifest | None, key: str) -> Sourced[str]:
    node = child(manifest.metadata, "annotations", key) if manifest is not None else None
    value = text(node)
    if node is None or not value or is_placeholder(value):
        return NOT_WRITTEN
    return Sourced(value.strip(), node.span, Provenance.DECLARED, f"annotation {key} of {manifest.describe()}")  # type: ignore[union-attr]


def scope_of(manifest: Manifest, namespace: Manifest | None) -> Scope:
    """The resource's annotations, else its Namespace's (when the run holds it), else the controller's defaults."""
    if manifest.annotations is None and (namespace is None or namespace.annotations is None):
        return _CONTROLLER_SCOPE  # most objects: nothing to read
    region = _annotation(manifest, REGION_ANNOTATION)
    for key in (DEFAULT_REGION_ANNOTATION, REGION_ANNOTATION):
        if not region.known:
            region = _annotation(namespace, key)
    account = _annotation(manifest, ACCOUNT_ANNOTATION)
    if not account.known:
        account = _annotation(namespace, ACCOUNT_ANNOTATION)
    return Scope(str(account.value) if account.known else None, region)


_CONTROLLER_SCOPE = Scope(None, NOT_WRITTEN)

T = TypeVar("T")


def nearest(
    candidates: Sequence[T], key: str | None, near: Manifest, scope: Scope, manifest_of: Callable[[T], Manifest], scope_of_candidate: Callable[[T], Scope]
) -> T | None:
    """The candidate an AWS name written on `near` refers to, or None.

    Candidates are those whose own name has the same `key` (the caller
    filters). A placeholder name (`~` key) refers only to a candidate of
    the same file; one in another account or region is never meant; among
    the rest the same namespace wins, then the same file, then run order.
    """
    if key is None:
        return None
    placeholder = key.startswith("~")
    found = (
        candidate
        for candidate in candidates
        if scope.compatible(scope_of_candidate(candidate)) and (not placeholder or manifest_of(candidate).path == near.path)
    )
    first, second = next(found, None), next(found, None)
    if second is None:  # one candidate (or none): nothing to rank
        return first
    # In run order, the first of the best rank (namespace, then file); one of the same namespace and file is
    # the best there is, so the search ends there (a crowd of objects of one AWS name asks for each of them).
    best, best_rank = None, 4
    for candidate in itertools.chain((first, second), found):
        manifest = manifest_of(candidate)
        rank = 2 * (manifest.namespace != near.namespace) + (manifest.path != near.path)
        if rank < best_rank:
            best, best_rank = candidate, rank
            if not rank:
                break
    return best


# --- what a resource declares ------------------------------------------------------------


def declared(
    manifest: Manifest,
    spec: MappingNode | None,
    origin: str,
    namespace: Manifest | None,
    namespace_stages: Mapping[str, Sequence[str]] = {},
    reader: RequestReader = READER,
    staged: bool = True,
) -> tuple[WorkloadProfile, Sourced[Environment], list[InputProblem]]:
    """The workload profile and stage an ACK resource declares, and the problems found.

    Profile: `mldeploy-lint.io/<key>` annotations, with the spec's `tags`
    `mldeploy-lint:<key>` over them. Stage, first found: the profile's
    `environment`; an `environment`/`env`/`stage` tag; the object's labels;
    its Namespace's labels; a stage word in the namespace's name; only the
    first two when `staged` is False (a resource whose stage no deployment
    takes). `reader` is `READER` or a copy of it.
    """
    annotated, problems = profile_of(manifest)
    profile, environment, tag_problems = request_profile(spec, reader, origin, annotated)
    if not environment.known and staged:
        environment = environment_of(manifest, profile, None, namespace, namespace_stages)
    return profile, environment, problems + tag_problems

"""SageMaker API requests read into the deployment model, wherever they are written.

A request is a located mapping in the shape of a SageMaker API call: a
Step Functions task's `Parameters`, a pipeline step's `Arguments`, a
CloudFormation resource's `Properties`, an `aws sagemaker ...
--cli-input-json` document, an ACK resource's `spec`. A
`RequestReader` says how that place spells values (`ValueResolver`) and
where a value's span is (`span_of`: the node's own span, or one span for
a request that was parsed out of a string).

- CreateTrainingJob, CreateTransformJob, CreateProcessingJob and each
  training definition of CreateHyperParameterTuningJob become deployments
  of kind training / batch-transform / processing (`job_deployments`).
- CreateModel, CreateEndpointConfig and CreateEndpoint are read into
  requests (`read_model`, `read_endpoint_config`, `read_endpoint`) that
  `hosting_deployment` turns into a real-time / serverless / async
  deployment shaped like the CloudFormation adapter's.

Keys match case-insensitively: PascalCase in the API, Step Functions and
Pipelines; camelCase with ACK's initialisms (`volumeKMSKeyID`, `s3URI`) in
ACK resources. A Step Functions `Key.$` value is a JSONPath evaluated when
the state runs: the value is unknown, "set at run time from <path>".
Whatever cannot be known is UNKNOWN with the reason; this module judges
nothing.
"""

from __future__ import annotations

import copy as _copy
import re
import sys
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence, TypeVar

from linter import (
    NO_PROFILE,
    NOT_WRITTEN,
    PROFILE_TAG_PREFIX,
    UNKNOWN,
    AttachedAccelerator,
    AsyncConfig,
    BatchConfig,
    Capacity,
    ComponentRequirements,
    Compute,
    Deployment,
    DeploymentKind,
    Environment,
    InputProblem,
    MappingNode,
    ModelSpec,
    Network,
    Node,
    Provenance,
    ResourceRef,
    ScalarNode,
    Scaling,
    SequenceNode,
    ServerlessConfig,
    Sourced,
    Span,
    TrainingConfig,
    Unit,
    WorkloadProfile,
    is_null,
    merge_profiles,
    normalise_environment,
    parse_profile,
    to_python,
)
from plugins import data
from plugins.adapters.aws.document_kinds import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    INFERENCE_COMPONENT,
    MODEL,
    PROCESSING_JOB,
    TRAINING_JOB,
    TRANSFORM_JOB,
    TUNING_JOB,
)
from plugins.adapters.aws.inferred_facts import compute_for, endpoint_kind, merged_network, model_for
from plugins.adapters.aws.written_values import as_bool, as_float, as_int, as_str, shown, unreadable_note

__all__ = [
    "PLATFORM",
    "TRAINING_JOB",
    "TRANSFORM_JOB",
    "PROCESSING_JOB",
    "TUNING_JOB",
    "MODEL",
    "ENDPOINT_CONFIG",
    "ENDPOINT",
    "INFERENCE_COMPONENT",
    "JOB_OPERATIONS",
    "HOSTING_OPERATIONS",
    "Hole",
    "Resolved",
    "Unresolved",
    "NOT_EXPRESSION",
    "ValueResolver",
    "RequestReader",
    "JobContext",
    "HostedModel",
    "ModelRequest",
    "ConfigRequest",
    "EndpointRequest",
    "job_deployments",
    "read_model",
    "read_endpoint_config",
    "read_endpoint",
    "at_most",
    "model_containers",
    "production_variants",
    "read_variant",
    "read_serverless_config",
    "read_component_requirements",
    "ComponentRequest",
    "read_component",
    "component_unit",
    "with_components",
    "place_components",
    "read_managed_instance_scaling",
    "read_async_config",
    "read_data_capture",
    "hosting_deployment",
    "link_hosting",
    "model_finder",
    "request_profile",
    "concat",
    "hole_marker",
]

# The API operations this module reads (ENDPOINT, MODEL, TRAINING_JOB, ...) are named in `document_kinds`,
# which every run imports to recognise request documents: this module waits for something to read.
JOB_OPERATIONS = (TRAINING_JOB, TRANSFORM_JOB, PROCESSING_JOB, TUNING_JOB)
HOSTING_OPERATIONS = (MODEL, ENDPOINT_CONFIG, ENDPOINT, INFERENCE_COMPONENT)

PLATFORM = "sagemaker"
ENVIRONMENT_TAG_KEYS = ("environment", "env", "stage", "sagemaker:deployment-stage", "environmenttype")


# --- values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hole:
    """An unknown piece of a string: how it is shown (`${name}`) and why it is unknown.

    `ref` names the resource it stands for when it is a CloudFormation
    `Ref`/`GetAtt` of a resource in the same template (for linking by it).
    """

    display: str
    note: str
    ref: str | None = None


@dataclass(frozen=True)
class Unresolved:
    """A value that is not known where it is written.

    `text` shows a string with its unknown parts as `${...}` (None when no
    part of it is known); `ref` as in `Hole`.
    """

    note: str
    text: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Resolved:
    """A value obtained through an expression (a parameter default, a substitution)."""

    value: Any
    note: str


class _NotExpression:
    def __repr__(self) -> str:
        return "NOT_EXPRESSION"


# What an expression evaluator returns for a node that is no expression of its language.
NOT_EXPRESSION = _NotExpression()

_HOLE_MARK = re.compile(r"@@mldeploy-lint-hole-(\d+)@@")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_HOLE_OR_PLACEHOLDER = re.compile(f"{_HOLE_MARK.pattern}|{_PLACEHOLDER.pattern}")
_JSONATA = re.compile(r"^\s*\{%.*%\}\s*$", re.S)


def hole_marker(index: int) -> str:
    """The text that stands for hole `index` in a definition parsed from a string."""
    return f"@@mldeploy-lint-hole-{index}@@"


def concat(parts: Sequence[Any]) -> Any:
    """Join str / Hole / Unresolved parts: a str when all are known, else an Unresolved with text."""
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)
    text: list[str] = []
    notes: list[str] = []
    refs: list[str] = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        if isinstance(part, Hole):
            text.append(part.display)
            note, ref = part.note, part.ref
        else:
            text.append(part.text if part.text is not None else "${?}")
            note, ref = part.note, part.ref
        if note not in notes:
            notes.append(note)
        if ref:
            refs.append(ref)
    whole_ref = refs[0] if len(parts) == 1 and refs else None
    return Unresolved("; ".join(notes), "".join(text), whole_ref)


@dataclass(frozen=True)
class ValueResolver:
    """Turns a located value node into plain data, `Resolved` or `Unresolved`.

    - `holes`: marker -> Hole, for a definition parsed from a string whose
      unknown parts were replaced by markers (`hole_marker`).
    - `substitutions`: when not None, `${name}` in strings is a
      placeholder replaced at deployment (Step Functions
      `DefinitionSubstitutions`): a known value is used, any other is a hole.
    - `placeholder_note`: why a placeholder without a known value is unknown.
    - `jsonata`: a `{% ... %}` string is a JSONata expression evaluated at run time.
    - `expression`: evaluates an expression of the surrounding language
      (CloudFormation intrinsics, pipeline `Get`); returns `NOT_EXPRESSION`
      for any other node.
    """

    holes: Mapping[str, Hole] = field(default_factory=dict)
    substitutions: Mapping[str, Any] | None = None
    placeholder_note: str = "is replaced when the definition is deployed (DefinitionSubstitutions); its value is not known"
    jsonata: bool = False
    expression: Callable[[Node], Any] | None = None

    def __call__(self, node: Node) -> Any:
        if self.expression is not None:
            evaluated = self.expression(node)
            if evaluated is not NOT_EXPRESSION:
                return evaluated
        if isinstance(node, ScalarNode):
            value = node.value
            return self.text(value) if isinstance(value, str) else value
        try:
            return to_python(node, max_nodes=10_000)
        except ValueError:
            return Unresolved("the value is too large to read")

    def text(self, value: str) -> Any:
        """A string as written, with markers and placeholders turned into holes."""
        if self.jsonata and _JSONATA.match(value):
            expression = value.strip()
            return Unresolved(f"set at run time by the JSONata expression {expression}", None, "jsonata:" + expression)
        if "@@mldeploy-lint-hole-" not in value and (self.substitutions is None or "${" not in value):
            return value
        parts: list[Any] = []
        position = 0
        pattern = _HOLE_MARK if self.substitutions is None else _HOLE_OR_PLACEHOLDER
        for match in pattern.finditer(value):
            parts.append(value[position : match.start()])
            position = match.end()
            if match.group(1) is not None:
                parts.append(self.holes.get(match.group(0), Hole("${?}", "an unknown part")))
                continue
            name = match.group(2)
            known = self.substitutions.get(name) if self.substitutions is not None else None
            if isinstance(known, Hole):
                parts.append(known)
            elif known is not None:
                parts.append(str(known).lower() if isinstance(known, bool) else str(known))
            else:
                parts.append(Hole("${" + name + "}", "${" + name + "} " + self.placeholder_note))
        parts.append(value[position:])
        joined = concat([part for part in parts if part != ""] or [""])
        if isinstance(joined, str) and self.substitutions:
            return Resolved(joined, "DefinitionSubstitutions applied")
        return joined


PLAIN = ValueResolver()


# --- reading a request ------------------------------------------------------------------


class _Found(NamedTuple):
    """An entry found by a look-up (a tuple: one is made per look-up, ~130,000 for a large Kubernetes stream)."""

    node: Node
    dynamic: str | None  # the JSONPath of a `Key.$` entry


def _lookup(node: Node | None, name: str, exact: bool = False) -> _Found | None:
    """The entry `name` of a mapping, case-insensitively; a `name.$` entry is dynamic.

    With `exact`, only the key spelled as `name` is the entry (no dynamic
    entries). A null entry is not written (as `MappingNode.get` reads it).
    """
    if not isinstance(node, MappingNode):
        return None
    if exact:
        value = node.get(name)
        return _Found(value, None) if value is not None else None
    wanted = name.lower()
    wanted_dynamic = wanted + ".$"
    dynamic: _Found | None = None
    for key, value in zip(node.flat[::2], node.flat[1::2]):
        text = key.value
        if not isinstance(text, str):
            continue
        lowered = text.lower()
        if lowered == wanted:
            if not is_null(value):
                return _Found(value, None)
        elif dynamic is None and lowered == wanted_dynamic and not is_null(value):
            dynamic = _Found(value, _dynamic_path(value))
    return dynamic


def _key_table(node: MappingNode) -> dict[str, _Found]:
    """What `_lookup` finds for each name a mapping answers, by the name lower-cased, made in one pass over its keys.

    `_lookup` finds the first non-null value under a key spelled `name` in
    any case, else the first non-null `name.$` entry (dynamic): each
    lower-cased text key holds its first non-null value, and a `name.$`
    key also answers `name` where no `name` is written. The answers are
    made here, once per mapping, so a search only looks them up.
    """
    table: dict[str, _Found] = {}
    dynamic: list[tuple[str, Node]] | None = None
    flat = node.flat
    for index in range(0, len(flat), 2):
        text, value = flat[index].value, flat[index + 1]  # type: ignore[attr-defined]
        if isinstance(text, str) and not is_null(value):
            lowered = text.lower()
            if lowered not in table:
                table[lowered] = _new_tuple(_Found, (value, None))  # _Found(value, None), without its Python-level __new__
                if lowered.endswith(".$"):
                    dynamic = dynamic or []
                    dynamic.append((lowered[:-2], value))
    for name, value in dynamic or ():
        if name not in table:
            table[name] = _Found(value, _dynamic_path(value))
    return table


_new_tuple = tuple.__new__


_NODE_SPAN = attrgetter("span")  # a node's own span (C-level: no Python frame per value read)


def _dynamic_path(value: Node) -> str:
    return value.value if isinstance(value, ScalarNode) and isinstance(value.value, str) else "a JSONPath"


class RequestReader:
    """Typed, located reads of one request's values (see the module docstring).

    `exact_keys` matches keys as spelled (a CloudFormation resource's
    Properties) instead of case-insensitively. `extensions` is the run's
    `[data]` section (`plugins.data.extensions_of(run)`), which the facts
    inferred from instance types and images honour; the shipped tables
    when not given. A subclass may read values its own way by overriding
    `value` and `read_text` (every typed read goes through them) and
    `node` (every block).
    """

    def __init__(
        self,
        span_of: Callable[[Node], Span] | None = None,
        resolve: ValueResolver = PLAIN,
        exact_keys: bool = False,
        extensions: data.Extensions = data.SHIPPED,
    ) -> None:
        self.span_of = span_of or _NODE_SPAN
        self.resolve = resolve
        self.exact_keys = exact_keys
        self.extensions = extensions
        self.key_tables: dict[MappingNode, dict[str, _Found]] | None = None  # by the mapping itself (compared by identity)

    def with_key_tables(self) -> "RequestReader":
        """A copy of this reader that matches keys through a table of each mapping's lower-cased keys, made on its first search.

        For a reader that searches many mappings many times (every ACK
        object of a run): each search is then one dictionary look-up
        instead of a scan lower-casing every key. The tables are the
        copy's (and its copies'), kept until `forget_key_tables`; the
        entries found are those a scan finds.
        """
        copy = _copy.copy(self)
        copy.key_tables = {}
        return copy

    def forget_key_tables(self) -> None:
        """Drop the tables made so far (they are made again when searched)."""
        if self.key_tables is not None:
            self.key_tables.clear()

    def with_extensions(self, extensions: data.Extensions) -> "RequestReader":
        """This reader (a copy: it may be shared) with `extensions` for the facts it infers."""
        if extensions is self.extensions:
            return self
        copy = _copy.copy(self)
        copy.extensions = extensions
        return copy

    # --- structure -------------------------------------------------------------------

    def find(self, node: Node | None, *path: str) -> _Found | None:
        """The entry at a path of keys (the node itself for no keys); a dynamic entry on the way makes the result dynamic."""
        if len(path) == 1:  # nearly every search
            return self._entry(node, path[0])
        if not path:
            return _Found(node, None) if node is not None else None
        found: _Found | None = None
        for name in path:
            if found is not None:
                if found.dynamic is not None:
                    return found
                node = found.node
            found = self._entry(node, name)
            if found is None:
                return None
        return found

    def _entry(self, node: Node | None, name: str) -> _Found | None:
        tables = self.key_tables
        if tables is None or node.__class__ is not MappingNode or self.exact_keys:  # a subclass of it may compare or hash otherwise
            return _lookup(node, name, self.exact_keys)
        table = tables.get(node)  # type: ignore[arg-type]
        if table is None:
            table = tables[node] = _key_table(node)  # type: ignore[index, arg-type]
        return table.get(name.lower())

    def node(self, node: Node | None, *path: str) -> Node | None:
        """The node at a path of keys, or None when absent or dynamic."""
        found = self.find(node, *path)
        return found.node if found is not None and found.dynamic is None else None

    def mappings(self, node: Node | None, *path: str) -> list[MappingNode]:
        found = self.node(node, *path)
        if isinstance(found, SequenceNode):
            return [item for item in found if isinstance(item, MappingNode)]
        return []

    def span(self, node: Node | None, fallback: Span) -> Span:
        return self.span_of(node) if node is not None else fallback

    # --- values ----------------------------------------------------------------------

    def value(self, node: Node | None, *path: str, convert: Callable[[Any], Any] = lambda item: item, expected: str = "") -> Sourced:
        return self.value_of(self.find(node, *path), convert, expected)

    def value_of(self, found: _Found | None, convert: Callable[[Any], Any], expected: str) -> Sourced:
        """What `value` reads from the entry `find` found (None: not written), for a subclass whose typed reads skip `value`'s arguments."""
        if found is None:
            return NOT_WRITTEN
        span = self.span_of(found.node)
        if found.dynamic is not None:
            return Sourced(UNKNOWN, span, Provenance.DECLARED, f"set at run time from {found.dynamic}")
        resolved = self.resolve(found.node)
        note = ""
        if isinstance(resolved, Resolved):
            resolved, note = resolved.value, resolved.note
        if isinstance(resolved, Unresolved):
            return Sourced(UNKNOWN, span, Provenance.DECLARED, resolved.note)
        converted = convert(resolved)
        if converted is None:
            return Sourced(UNKNOWN, span, Provenance.DECLARED, unreadable_note(resolved, expected), raw=_raw(resolved))
        return Sourced(converted, span, Provenance.DECLARED, note)

    def read_str(self, node: Node | None, *path: str) -> Sourced[str]:
        return self.value(node, *path, convert=as_str, expected="a string")

    def read_text(self, node: Node | None, *path: str) -> Sourced[str]:
        """A string that may be partly unknown: the known text is kept, unknown parts shown as `${...}`.

        It is `read_str`'s answer, except for a written value that resolves
        to an `Unresolved` with text: that text, noted "partly unresolved".
        The entry is found and resolved once for a value `read_str` knows
        or finds unwritten; again only for one it leaves unknown.
        """
        sourced = self.read_str(node, *path)
        if sourced.known or sourced.span is None:
            return sourced
        found = self.find(node, *path)
        if found is not None and found.dynamic is None:
            resolved = self.resolve(found.node)
            if isinstance(resolved, Unresolved) and resolved.text is not None:
                return Sourced(resolved.text, self.span_of(found.node), Provenance.DECLARED, f"partly unresolved: {resolved.note}")
        return sourced

    def read_int(self, node: Node | None, *path: str) -> Sourced[int]:
        return self.value(node, *path, convert=as_int, expected="an integer")

    def read_bool(self, node: Node | None, *path: str) -> Sourced[bool]:
        return self.value(node, *path, convert=as_bool, expected="true or false")

    def name_key(self, node: Node | None, *path: str) -> str | None:
        """A key under which a name (of a model, a config) can be matched, or None.

        Known names match by their text; a `Ref`/`GetAtt` by the resource;
        a partly unknown name by its text with the unknown parts as written;
        a JSONPath by its path (the same path in one state machine is the
        same value of its input).
        """
        found = self.find(node, *path)
        if found is None:
            return None
        if found.dynamic is not None:
            return "$" + found.dynamic
        resolved = self.resolve(found.node)
        if isinstance(resolved, Resolved):
            resolved = resolved.value
        if isinstance(resolved, Unresolved):
            if resolved.ref:
                return "#" + resolved.ref
            return "~" + resolved.text if resolved.text is not None else None
        text = as_str(resolved)
        return "=" + text if text is not None else None

    def environment(self, node: Node | None, *path: str) -> tuple[tuple[str, Sourced[str]], ...]:
        """A string map (container `Environment`) as (key, sourced value) pairs."""
        found = self.node(node, *path)
        if not isinstance(found, MappingNode):
            return ()
        return tuple((str(key.value), self.read_text(found, str(key.value))) for key, _ in found.pairs if isinstance(key.value, str))

    def tags(self, node: Node | None, *path: str) -> list[tuple[str, Node]]:
        """(key, value node) of a `Tags` list (`[{Key, Value}]`, any key case) or map."""
        found = self.node(node, *path)
        entries: list[tuple[str, Node]] = []
        if isinstance(found, SequenceNode):
            for item in found:
                key = self.read_str(item, "Key")
                value = self.node(item, "Value")
                if key.known and value is not None:
                    entries.append((str(key.value), value))
        elif isinstance(found, MappingNode):
            for key_node, value in found.pairs:
                if isinstance(key_node.value, str):
                    entries.append((key_node.value, value))
        return entries


def _raw(value: Any) -> Any:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else shown(value)


# --- profile and environment ------------------------------------------------------------


def request_profile(
    request: Node | None, reader: RequestReader, origin: str, base: WorkloadProfile | None = None
) -> tuple[WorkloadProfile, Sourced[Environment], list[InputProblem]]:
    """The workload profile and stage a request's `Tags` declare, over `base`.

    Profile: tags `mldeploy-lint:<key>`; stage: the profile's `environment`,
    else an `Environment`/`Env`/`Stage` tag spelled as a known stage. A tag
    whose value is only known at run time is left out, not reported.
    """
    tags = reader.tags(request, "Tags")
    entries = []
    for key, value in tags:
        if not key.startswith(PROFILE_TAG_PREFIX):
            continue
        resolved = reader.resolve(value)
        if isinstance(resolved, Resolved):
            resolved = resolved.value
        if isinstance(resolved, Unresolved):
            continue
        entries.append((key[len(PROFILE_TAG_PREFIX):], resolved, reader.span_of(value)))
    if entries:
        profile, problems = parse_profile(entries, f"Tags {PROFILE_TAG_PREFIX}<key> of {origin}", base)
    else:  # what parse_profile gives for no entries, without making its note (most requests have no profile tags)
        profile, problems = (NO_PROFILE if base is None else base), []
    environment: Sourced[Environment] = Sourced()
    if profile.environment.known:
        stage = normalise_environment(profile.environment.value)
        if stage is not None:
            environment = Sourced(stage, profile.environment.span, Provenance.DECLARED, profile.environment.note)
    if not environment.known:
        for key, value in tags:
            if key.lower() not in ENVIRONMENT_TAG_KEYS:
                continue
            text = reader.read_str(value)
            stage = normalise_environment(text.value) if text.known else None
            if stage is not None:
                # One copy of the note for the run's many requests tagged alike.
                environment = Sourced(stage, text.span, Provenance.DECLARED, sys.intern(f"tag {key}={text.value}"))
                break
    return profile, environment, problems


# --- jobs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostedModel:
    """A model a job or endpoint can name: its name, its containers, where it was read."""

    name: Sourced[str]
    containers: tuple[ModelSpec, ...]
    link: ResourceRef
    network: Network | None = None


@dataclass(frozen=True)
class JobContext:
    """Where a request sits and what its surroundings declare.

    `id` and `span` are the deployment's; `name` stands in when the request
    names no job (a state or step name); `origin` says where the request is
    written (for notes); `profile`/`environment` are declared around the
    request (a resource's Metadata and Tags) and the request's own Tags win
    over them, unless `read_tags` is False (the Tags are the resource's,
    already read into `profile`); `links` are the resources around the
    request, and `resource` the request itself when it is a resource (else
    it is linked as its API operation); `find_model(key)` finds a model by
    `RequestReader.name_key`.
    """

    id: str
    span: Span
    origin: str
    name: Sourced[str] = field(default_factory=Sourced)
    profile: WorkloadProfile | None = None
    environment: Sourced[Environment] = field(default_factory=Sourced)
    links: tuple[ResourceRef, ...] = ()
    find_model: Callable[[str], HostedModel | None] = lambda key: None
    read_tags: bool = True
    resource: ResourceRef | None = None


def job_deployments(operation: str, request: Node, reader: RequestReader, context: JobContext) -> list:
    """Deployments (and profile problems) of one job request; [] for other operations."""
    builder = _JOB_BUILDERS.get(operation)
    if builder is None:
        return []
    return builder(request, reader, context)


def _job_name(request: Node, reader: RequestReader, key: str, context: JobContext) -> Sourced[str]:
    name = reader.read_text(request, key)
    if name.known:
        return name
    if context.name.known:
        reason = f"; the job name is {name.note}" if name.note else ""
        return context.name.replaced(note=context.name.note + reason)
    return name


def _deployment(
    request: Node,
    reader: RequestReader,
    context: JobContext,
    operation: str,
    kind: DeploymentKind,
    name: Sourced[str],
    **parts: Any,
) -> list:
    if context.read_tags:
        profile, environment, problems = request_profile(request, reader, context.origin, context.profile)
    else:
        profile, environment, problems = context.profile or NO_PROFILE, NOT_WRITTEN, []
    if not environment.known:
        environment = context.environment
    span = reader.span_of(request)
    link = context.resource or ResourceRef(operation, str(name.value) if name.known else context.id.rsplit("#", 1)[-1], span)
    deployment = Deployment(
        id=context.id,
        platform=PLATFORM,
        kind=Sourced(kind, span, Provenance.DECLARED, f"{operation} ({context.origin})"),
        span=context.span,
        name=name,
        environment=environment,
        profile=profile,
        links=context.links + (link,),
        **parts,
    )
    return [deployment, *problems]


def _units(config: Node | None, reader: RequestReader, fallback: Span, capacity: Sourced = Sourced(), groups_key: str = "") -> tuple[Unit, ...]:
    """One unit per instance group, or one for the config's InstanceType/InstanceCount."""
    groups = reader.mappings(config, groups_key) if groups_key else []
    if groups:
        return tuple(
            Unit(
                name=reader.read_text(group, "InstanceGroupName"),
                compute=compute_for(reader.read_str(group, "InstanceType"), reader.extensions),
                count=reader.read_int(group, "InstanceCount"),
                capacity=capacity,
                span=reader.span_of(group),
            )
            for group in groups
        )
    return (
        Unit(
            compute=compute_for(reader.read_str(config, "InstanceType"), reader.extensions),
            count=reader.read_int(config, "InstanceCount"),
            capacity=capacity,
            span=reader.span(config, fallback),
        ),
    )


def _network(reader: RequestReader, vpc: Node | None, isolation: Sourced[bool]) -> Network | None:
    if vpc is None and not isolation.known:
        return None
    subnets = reader.node(vpc, "Subnets")
    values: tuple = ()
    if isinstance(subnets, SequenceNode):
        values = tuple(reader.read_str(item) for item in subnets)
    return Network(subnets=values, network_isolation=isolation, span=reader.span_of(vpc) if vpc is not None else None)


def _training_config(definition: Node, reader: RequestReader, span: Span) -> tuple[TrainingConfig, Sourced]:
    """Managed Spot, stopping condition and checkpoints; and the capacity they imply."""
    spot = reader.read_bool(definition, "EnableManagedSpotTraining")
    if reader.find(definition, "EnableManagedSpotTraining") is None:
        spot = Sourced(False, span, Provenance.DEFAULT, "EnableManagedSpotTraining not set: on-demand")
    stopping = reader.node(definition, "StoppingCondition")
    runtime = reader.read_int(definition, "StoppingCondition", "MaxRuntimeInSeconds")
    if stopping is not None and not isinstance(stopping, MappingNode):
        runtime = reader.value(definition, "StoppingCondition", convert=lambda item: None, expected="a mapping")
    elif reader.find(definition, "StoppingCondition", "MaxRuntimeInSeconds") is None:
        default = data.limit("managed_spot", "max_runtime_seconds").default
        runtime = Sourced(default, reader.span(stopping, span), Provenance.DEFAULT, "MaxRuntimeInSeconds not set: SageMaker's default")
    config = TrainingConfig(
        managed_spot=spot,
        max_runtime_seconds=runtime,
        max_wait_seconds=reader.read_int(definition, "StoppingCondition", "MaxWaitTimeInSeconds"),
        checkpoint_path=reader.read_text(definition, "CheckpointConfig", "S3Uri"),
        span=span,
    )
    if spot.known:
        capacity = Sourced(
            Capacity.SPOT if spot.value else Capacity.ON_DEMAND,
            spot.span,
            spot.provenance if spot.provenance is Provenance.DEFAULT else Provenance.DECLARED,
            "EnableManagedSpotTraining" if spot.provenance is not Provenance.DEFAULT else spot.note,
        )
    else:
        capacity = Sourced(UNKNOWN, spot.span, Provenance.DECLARED, spot.note or "EnableManagedSpotTraining is not known")
    return config, capacity


def _algorithm(definition: Node, reader: RequestReader) -> tuple[ModelSpec, ...]:
    """What a training job runs: its image, or the algorithm it names."""
    algorithm = reader.node(definition, "AlgorithmSpecification")
    found = reader.find(definition, "AlgorithmSpecification")
    if found is not None and found.dynamic is not None:
        return (ModelSpec(image=reader.read_str(definition, "AlgorithmSpecification")),)
    if algorithm is None:
        return ()
    image = reader.read_text(algorithm, "TrainingImage")
    name = reader.read_text(algorithm, "AlgorithmName")
    if not image.known and not image.note and not name.known and not name.note:
        return ()
    if not image.known and not image.note:
        image = Sourced(UNKNOWN, name.span, Provenance.INFERRED, "the image of the algorithm named by AlgorithmName")
    return (model_for(image, name, Sourced(), reader.environment(definition, "Environment"), extensions=reader.extensions),)


def _training(request: Node, reader: RequestReader, context: JobContext) -> list:
    span = reader.span_of(request)
    config, capacity = _training_config(request, reader, span)
    resources = reader.node(request, "ResourceConfig")
    return _deployment(
        request,
        reader,
        context,
        TRAINING_JOB,
        DeploymentKind.TRAINING,
        _job_name(request, reader, "TrainingJobName", context),
        models=_algorithm(request, reader),
        units=_units(resources, reader, span, capacity, "InstanceGroups"),
        training=config,
        network=_network(reader, reader.node(request, "VpcConfig"), reader.read_bool(request, "EnableNetworkIsolation")),
    )


def _transform(request: Node, reader: RequestReader, context: JobContext) -> list:
    span = reader.span_of(request)
    model_name = reader.read_text(request, "ModelName")
    key = reader.name_key(request, "ModelName")
    model = context.find_model(key) if key is not None else None
    payload = reader.read_int(request, "MaxPayloadInMB")
    if reader.find(request, "MaxPayloadInMB") is None:
        default = data.limit("batch_transform", "max_payload_mb").default
        payload = Sourced(default, span, Provenance.DEFAULT, "MaxPayloadInMB not set: SageMaker's default")
    batch = BatchConfig(
        max_payload_mb=payload,
        max_concurrent_transforms=reader.read_int(request, "MaxConcurrentTransforms"),
        strategy=reader.read_str(request, "BatchStrategy"),
        split_type=reader.read_str(request, "TransformInput", "SplitType"),
        span=span,
    )
    units = _units(reader.node(request, "TransformResources"), reader, span)
    names: tuple[str, ...] = ()
    if model is not None and model.name.known:
        names = (str(model.name.value),)
    elif model_name.known:
        names = (str(model_name.value),)
    units = tuple(unit.replaced(model_names=names) for unit in units)
    context = replace(context, links=context.links + ((model.link,) if model is not None else ()))
    return _deployment(
        request,
        reader,
        context,
        TRANSFORM_JOB,
        DeploymentKind.BATCH_TRANSFORM,
        _job_name(request, reader, "TransformJobName", context),
        models=model.containers if model is not None else (),
        units=units,
        batch=batch,
        network=model.network if model is not None else None,
    )


def _processing(request: Node, reader: RequestReader, context: JobContext) -> list:
    span = reader.span_of(request)
    app = reader.node(request, "AppSpecification")
    models: tuple[ModelSpec, ...] = ()
    if app is not None or reader.find(request, "AppSpecification") is not None:
        image = reader.read_text(request, "AppSpecification", "ImageUri")
        models = (model_for(image, Sourced(), Sourced(), reader.environment(request, "Environment"), extensions=reader.extensions),)
    network_config = reader.node(request, "NetworkConfig")
    return _deployment(
        request,
        reader,
        context,
        PROCESSING_JOB,
        DeploymentKind.PROCESSING,
        _job_name(request, reader, "ProcessingJobName", context),
        models=models,
        units=_units(reader.node(request, "ProcessingResources", "ClusterConfig"), reader, span),
        network=_network(reader, reader.node(network_config, "VpcConfig"), reader.read_bool(network_config, "EnableNetworkIsolation")),
    )


def _tuning(request: Node, reader: RequestReader, context: JobContext) -> list:
    """One training deployment per training job definition of a tuning job."""
    definitions: list[Node] = []
    single = reader.node(request, "TrainingJobDefinition")
    if single is not None:
        definitions.append(single)
    definitions.extend(reader.mappings(request, "TrainingJobDefinitions"))
    tuning_name = _job_name(request, reader, "HyperParameterTuningJobName", context)
    parallel = reader.read_int(request, "HyperParameterTuningJobConfig", "ResourceLimits", "MaxParallelTrainingJobs")
    results: list = []
    problems_reported = False
    for index, definition in enumerate(definitions):
        span = reader.span_of(definition)
        config, capacity = _training_config(definition, reader, span)
        resources = reader.node(definition, "ResourceConfig")
        instance_configs = reader.mappings(definition, "HyperParameterTuningResourceConfig", "InstanceConfigs")
        if resources is not None or not instance_configs:
            units = _units(resources or reader.node(definition, "HyperParameterTuningResourceConfig"), reader, span, capacity, "InstanceGroups")
        else:
            units = tuple(
                Unit(
                    compute=compute_for(reader.read_str(item, "InstanceType"), reader.extensions),
                    count=reader.read_int(item, "InstanceCount"),
                    capacity=capacity,
                    span=reader.span_of(item),
                )
                for item in instance_configs
            )
        definition_name = reader.read_text(definition, "DefinitionName")
        name = tuning_name
        if definition_name.known and tuning_name.known:
            name = tuning_name.replaced(value=f"{tuning_name.value}/{definition_name.value}")
        identity = context.id if len(definitions) == 1 else f"{context.id}/{definition_name.value if definition_name.known else index}"
        attributes = (("max_parallel_training_jobs", parallel),) if parallel.known or parallel.note else ()
        items = _deployment(
            request,
            reader,
            replace(context, id=identity),
            TUNING_JOB,
            DeploymentKind.TRAINING,
            name,
            models=_algorithm(definition, reader),
            units=units,
            training=config,
            network=_network(reader, reader.node(definition, "VpcConfig"), reader.read_bool(definition, "EnableNetworkIsolation")),
            attributes=attributes,
        )
        if problems_reported:  # the tuning job's Tags are read once per definition; report them once
            items = [item for item in items if not isinstance(item, InputProblem)]
        problems_reported = True
        results.extend(items)
    return results


# Each job operation's reader, made once (not a dictionary per request read).
_JOB_BUILDERS: dict[str, Callable[[Node, RequestReader, JobContext], list]] = {
    TRAINING_JOB: _training,
    TRANSFORM_JOB: _transform,
    PROCESSING_JOB: _processing,
    TUNING_JOB: _tuning,
}


# --- hosting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRequest:
    """A CreateModel request: its name (and matching key), containers and network; `problems`: containers beyond what SageMaker accepts (MD001)."""

    key: str | None
    model: HostedModel
    problems: tuple[InputProblem, ...] = ()


@dataclass(frozen=True)
class VariantRequest:
    """One production variant as a unit, with the key of the model it names."""

    unit: Unit
    model_key: str | None
    model_name: Sourced[str]
    key: str | None = None  # of its VariantName (`RequestReader.name_key`), for the inference components naming it


@dataclass(frozen=True)
class ConfigRequest:
    """A CreateEndpointConfig request."""

    key: str | None
    name: Sourced[str]
    variants: tuple[VariantRequest, ...]
    async_config: AsyncConfig | None
    data_capture: Sourced[bool]
    network: Network | None
    profile: WorkloadProfile
    environment: Sourced[Environment]
    problems: tuple[InputProblem, ...]
    link: ResourceRef


@dataclass(frozen=True)
class EndpointRequest:
    """A CreateEndpoint request; `key` matches the name it creates (`RequestReader.name_key`), as components name it."""

    name: Sourced[str]
    config_key: str | None
    profile: WorkloadProfile
    environment: Sourced[Environment]
    problems: tuple[InputProblem, ...]
    link: ResourceRef
    key: str | None = None


def _name_or(name: Sourced[str], fallback: Sourced[str]) -> Sourced[str]:
    if name.known or not fallback.known:
        return name
    reason = f"; the name is {name.note}" if name.note else ""
    return fallback.replaced(note=fallback.note + reason)


def read_model(request: Node, reader: RequestReader, link: ResourceRef, fallback_name: Sourced[str] = Sourced()) -> ModelRequest:
    """A CreateModel request: its containers (image, mode, environment) and network.

    No more containers than SageMaker accepts are read (`model_containers`); the MD001 problem
    that says the rest is not linted is the request's `problems`, for its reader to report where
    the request is written (once, however many deployments serve the model).
    """
    name = _name_or(reader.read_text(request, "ModelName"), fallback_name)
    containers = []
    primary = reader.node(request, "PrimaryContainer")
    listed, unread = model_containers(reader.mappings(request, "Containers"), reader.span_of)
    for container in ([primary] if isinstance(primary, MappingNode) else []) + listed:
        mode = reader.read_str(container, "Mode")
        multi_model = Sourced(mode.value == "MultiModel", mode.span, Provenance.DECLARED, "Mode") if mode.known else Sourced()
        image = reader.read_text(container, "Image")
        if not image.known and not image.note and reader.find(container, "ModelPackageName") is not None:
            package = reader.read_text(container, "ModelPackageName")
            image = Sourced(UNKNOWN, package.span, Provenance.INFERRED, "the image of the model package named by ModelPackageName")
        containers.append(model_for(image, name, multi_model, reader.environment(container, "Environment"), extensions=reader.extensions))
    network = _network(reader, reader.node(request, "VpcConfig"), reader.read_bool(request, "EnableNetworkIsolation"))
    return ModelRequest(reader.name_key(request, "ModelName"), HostedModel(name, tuple(containers), link, network), tuple(unread))


def read_endpoint_config(
    request: Node,
    reader: RequestReader,
    link: ResourceRef,
    origin: str,
    fallback_name: Sourced[str] = Sourced(),
    declared: tuple[WorkloadProfile, Sourced[Environment], Sequence[InputProblem]] | None = None,
) -> ConfigRequest:
    """A CreateEndpointConfig request: variants, async and serverless settings, data capture, Tags.

    `declared` is the (profile, environment, problems) its caller read already (an ACK object's
    annotations and tags), problems the caller reports itself (`production_variants` says what
    of the variants is not linted); the request's own Tags otherwise (`request_profile`), whose
    problems are the request's with the variants'.
    """
    variant_nodes, unread = production_variants(request, reader)
    variants = tuple(_variant(node, reader) for node in variant_nodes)
    data_capture = read_data_capture(reader.node(request, "DataCaptureConfig"), reader)
    if declared is not None:  # the caller's problems, which it reports itself (with the variants left out)
        profile, environment, problems = declared
    else:
        profile, environment, problems = request_profile(request, reader, origin)
        problems = [*problems, *unread]
    return ConfigRequest(
        key=reader.name_key(request, "EndpointConfigName"),
        name=_name_or(reader.read_text(request, "EndpointConfigName"), fallback_name),
        variants=variants,
        async_config=read_async_config(reader.node(request, "AsyncInferenceConfig"), reader),
        data_capture=data_capture,
        network=_network(reader, reader.node(request, "VpcConfig"), reader.read_bool(request, "EnableNetworkIsolation")),
        profile=profile,
        environment=environment,
        problems=tuple(problems),
        link=link,
    )


def production_variants(request: Node | None, reader: RequestReader) -> tuple[list[MappingNode], list[InputProblem]]:
    """The request's `ProductionVariants`, up to the most SageMaker accepts (`at_most`)."""
    return at_most(reader.mappings(request, "ProductionVariants"), "production_variants", "ProductionVariants", "CreateEndpointConfig", reader.span_of)


def model_containers(containers: list[MappingNode], span_of: Callable[[Node], Span] = _NODE_SPAN) -> tuple[list[MappingNode], list[InputProblem]]:
    """A model's `Containers`, up to the most SageMaker accepts (`at_most`)."""
    return at_most(containers, "model_containers", "Containers", "CreateModel", span_of)


def at_most(
    nodes: list[MappingNode], limit: str, what: str, operation: str, span_of: Callable[[Node], Span]
) -> tuple[list[MappingNode], list[InputProblem]]:
    """`nodes` up to the most SageMaker accepts (the data tables' `realtime` `limit`), and the MD001 problem of
    any beyond them, where the first one left out is written.

    What a request lists is held again by everything that names it: every
    endpoint naming a configuration holds its variants, and each variant
    its model's containers. A hostile template of a thousand variants and
    a thousand endpoints made a million units (a 269 KB file ran out of
    time and memory). SageMaker rejects such a request, so no more than it
    accepts are linted, and the input says so.
    """
    most = int(data.limit("realtime", limit).max)  # type: ignore[arg-type]
    if len(nodes) <= most:
        return nodes, []
    message = f"{len(nodes):,} {what}, where SageMaker accepts at most {most} ({operation}): only the first {most} are linted"
    return nodes[:most], [InputProblem(message, span_of(nodes[most]), "MD001")]


def _variant(node: MappingNode, reader: RequestReader) -> VariantRequest:
    return VariantRequest(
        read_variant(node, reader), reader.name_key(node, "ModelName"), reader.read_text(node, "ModelName"), reader.name_key(node, "VariantName")
    )


def read_variant(node: MappingNode, reader: RequestReader) -> Unit:
    """A production variant as a unit: compute (or the first InstancePools entry), counts, serverless and managed scaling.

    `InstancePools` lists a variant's instance types by priority instead of
    `InstanceType`: the first (preferred) pool gives the compute when no
    InstanceType is written at all. A written InstanceType that cannot be
    resolved stays unknown.
    """
    instance_type = reader.read_str(node, "InstanceType")
    accelerator = reader.read_str(node, "AcceleratorType")
    pools = reader.mappings(node, "InstancePools")
    if instance_type.span is None and pools:
        instance_type = reader.read_str(pools[0], "InstanceType")  # the first pool is the preferred one
    return Unit(
        name=reader.read_text(node, "VariantName"),
        compute=compute_for(instance_type, reader.extensions),
        count=reader.read_int(node, "InitialInstanceCount"),
        weight=reader.value(node, "InitialVariantWeight", convert=as_float, expected="a number"),
        serverless=read_serverless_config(reader.node(node, "ServerlessConfig"), reader),
        scaling=read_managed_instance_scaling(reader.node(node, "ManagedInstanceScaling"), reader),
        span=reader.span_of(node),
        startup_timeout_seconds=reader.read_int(node, "ContainerStartupHealthCheckTimeoutInSeconds"),
        model_download_timeout_seconds=reader.read_int(node, "ModelDataDownloadTimeoutInSeconds"),
        attached_accelerator=accelerator,
        attached_accelerator_kind=_attached_accelerator_kind(accelerator),
    )


def _attached_accelerator_kind(accelerator: Sourced[str]) -> Sourced[AttachedAccelerator]:
    """What a variant's `AcceleratorType` is: every type SageMaker ever took (`ml.eia*`) is Elastic Inference."""
    if not accelerator.known:
        return NOT_WRITTEN
    text = str(accelerator.value).strip().lower()
    elastic_inference = text in (data.limit("realtime", "retired_accelerator_types").values or ()) or text.startswith("ml.eia")
    kind = AttachedAccelerator.ELASTIC_INFERENCE if elastic_inference else AttachedAccelerator.OTHER
    return Sourced(kind, accelerator.span, Provenance.INFERRED)


def read_component_requirements(node: Node | None, reader: RequestReader) -> ComponentRequirements | None:
    """An inference component's ComputeResourceRequirements (per copy); None when not written."""
    if not isinstance(node, MappingNode):
        return None
    return ComponentRequirements(
        accelerator_devices=reader.read_int(node, "NumberOfAcceleratorDevicesRequired"),
        cpu_cores=reader.value(node, "NumberOfCpuCoresRequired", convert=as_float, expected="a number"),
        min_memory_mb=reader.read_int(node, "MinMemoryRequiredInMb"),
        span=reader.span_of(node),
    )


@dataclass(frozen=True)
class ComponentRequest:
    """A CreateInferenceComponent request: the endpoint and variant it is placed on, what it serves, how many copies.

    Keys (`key`, `endpoint_key`, `variant_key`, `model_key`) are
    `RequestReader.name_key`s, for linking by name; `container` is a model
    written in the component itself (`Specification.Container`), else the
    component names a model (`model_key`).
    """

    name: Sourced[str]
    key: str | None
    endpoint_key: str | None
    variant_name: Sourced[str]
    variant_key: str | None
    model_key: str | None
    model_name: Sourced[str]
    container: ModelSpec | None
    copy_count: Sourced[int]
    requirements: ComponentRequirements | None = None
    startup_timeout: Sourced[int] = field(default_factory=Sourced)
    download_timeout: Sourced[int] = field(default_factory=Sourced)


def read_component(spec: MappingNode, reader: RequestReader, fallback_name: Sourced[str] = Sourced()) -> ComponentRequest:
    """A CreateInferenceComponent request (an ACK InferenceComponent's spec, an API request document).

    `fallback_name` names the component when the request does not (an ACK
    object's `metadata.name`).
    """
    name = reader.read_text(spec, "InferenceComponentName")
    if not name.known and not name.note:
        name = fallback_name
    specification = reader.node(spec, "Specification")
    container = reader.node(specification, "Container")
    model_name = reader.read_text(specification, "ModelName")
    spec_container = None
    if isinstance(container, MappingNode) and not model_name.known and not model_name.note and name.known:
        # A container written in the component is its model: name it after the component, so the unit serves it.
        model_name = Sourced(name.value, reader.span_of(container), Provenance.INFERRED, "the inference component's own container")
    if container is not None:
        spec_container = model_for(
            reader.read_text(container, "Image"),
            model_name,
            NOT_WRITTEN,
            reader.environment(container, "Environment"),
            extensions=reader.extensions,
        )
    return ComponentRequest(
        name=name,
        key=reader.name_key(spec, "InferenceComponentName"),
        endpoint_key=reader.name_key(spec, "EndpointName"),
        variant_name=reader.read_text(spec, "VariantName"),
        variant_key=reader.name_key(spec, "VariantName"),
        model_key=reader.name_key(specification, "ModelName"),
        model_name=model_name,
        container=spec_container,
        copy_count=reader.read_int(spec, "RuntimeConfig", "CopyCount"),
        requirements=read_component_requirements(reader.node(specification, "ComputeResourceRequirements"), reader),
        startup_timeout=reader.read_int(specification, "StartupParameters", "ContainerStartupHealthCheckTimeoutInSeconds"),
        download_timeout=reader.read_int(specification, "StartupParameters", "ModelDataDownloadTimeoutInSeconds"),
    )


def component_unit(component: ComponentRequest, compute: Compute, served: Sequence[ModelSpec], span: Span) -> Unit:
    """An inference component as one more unit of its endpoint's deployment.

    `compute` is that of the variant it is placed on (unknown when that is
    not found): rules tell by it whose instances the component shares. It
    serves the models of `served` (the model it names, or its own
    container), else the model name it writes.
    """
    names = tuple(str(spec.name.value) for spec in served if spec.name.known) or (
        (str(component.model_name.value),) if component.model_name.known else ()
    )
    return Unit(
        name=component.name,
        compute=compute,
        count=component.copy_count,
        model_names=tuple(dict.fromkeys(names)),
        span=span,
        # Set on every component, written or not: rules tell components from variants by it (`Unit.requirements`).
        requirements=component.requirements or ComponentRequirements(span=span),
        startup_timeout_seconds=component.startup_timeout,
        model_download_timeout_seconds=component.download_timeout,
    )


_Where = TypeVar("_Where")


def place_components(
    endpoints: Sequence[EndpointRequest | None], components: Sequence[tuple[ComponentRequest, _Where]]
) -> tuple[list[list[tuple[ComponentRequest, _Where]]], dict[str, int]]:
    """Each of `endpoints`' components (those whose EndpointName is its name, the first endpoint of a name taking
    them), in run order, each with what the caller gave beside it (where it is written), and the number of the
    endpoint each named component is placed on (for the copy-count targets that name it)."""
    numbers: dict[str, int] = {}
    for number, endpoint in enumerate(endpoints):
        if endpoint is not None and endpoint.key is not None:
            numbers.setdefault(endpoint.key, number)
    placed: list[list[tuple[ComponentRequest, _Where]]] = [[] for _ in endpoints]
    by_name: dict[str, int] = {}
    for component, link in components:
        number = numbers.get(component.endpoint_key) if component.endpoint_key is not None else None
        if number is None:
            continue
        placed[number].append((component, link))
        if component.name.known:
            by_name.setdefault(str(component.name.value), number)
    return placed, by_name


def with_components(
    deployment: Deployment,
    config: ConfigRequest | None,
    components: Sequence[tuple[ComponentRequest, ResourceRef]],
    find_model: Callable[[str], HostedModel | None],
) -> Deployment:
    """An endpoint's deployment (made by `hosting_deployment` of `config`) with each inference component placed on it.

    `components` are the components naming the endpoint, each with where it
    is written (its link; the unit's span is the link's). Each is one more
    unit, after the variants, on the instances of the variant it names,
    serving the model it names (found by `find_model`, and linked) or its
    own container.
    """
    if not components:
        return deployment
    variant_keys = [variant.key for variant in config.variants] if config is not None else []
    units, models, links = list(deployment.units), list(deployment.models), list(deployment.links)
    for component, link in components:
        compute = Compute()
        if component.variant_key is not None and component.variant_key in variant_keys:
            compute = units[variant_keys.index(component.variant_key)].compute
        served: tuple[ModelSpec, ...] = (component.container,) if component.container is not None else ()
        model = find_model(component.model_key) if component.container is None and component.model_key is not None else None
        if model is not None:
            served = model.containers
            if model.link not in links:
                links.append(model.link)
        models.extend(spec for spec in served if spec not in models)
        units.append(component_unit(component, compute, served, link.span))
        links.append(link)
    return deployment.replaced(units=tuple(units), models=tuple(models), links=tuple(links))


def read_serverless_config(node: Node | None, reader: RequestReader) -> ServerlessConfig | None:
    """A variant's ServerlessConfig (memory, concurrency, provisioned concurrency); None when not written."""
    if not isinstance(node, MappingNode):
        return None
    return ServerlessConfig(
        memory_mb=reader.read_int(node, "MemorySizeInMB"),
        max_concurrency=reader.read_int(node, "MaxConcurrency"),
        provisioned_concurrency=reader.read_int(node, "ProvisionedConcurrency"),
        span=reader.span_of(node),
    )


def read_managed_instance_scaling(node: Node | None, reader: RequestReader) -> tuple[Scaling, ...]:
    """SageMaker-managed instance scaling of a variant (used with inference components), when enabled."""
    if not isinstance(node, MappingNode):
        return ()
    status = reader.read_str(node, "Status")
    if status.known and str(status.value).upper() != "ENABLED":
        return ()
    span = reader.span_of(node)
    return (
        Scaling(
            min_capacity=reader.read_int(node, "MinInstanceCount"),
            max_capacity=reader.read_int(node, "MaxInstanceCount"),
            dimension=Sourced("managed-instance-count", span, Provenance.DECLARED, "ManagedInstanceScaling"),
            linked_by="ManagedInstanceScaling of the variant",
            span=span,
        ),
    )


def read_async_config(node: Node | None, reader: RequestReader) -> AsyncConfig | None:
    """AsyncInferenceConfig's output, failure and notification settings; None when not written."""
    if not isinstance(node, MappingNode):
        return None
    return AsyncConfig(
        output_path=reader.read_str(node, "OutputConfig", "S3OutputPath"),
        failure_path=reader.read_str(node, "OutputConfig", "S3FailurePath"),
        success_topic=reader.read_str(node, "OutputConfig", "NotificationConfig", "SuccessTopic"),
        error_topic=reader.read_str(node, "OutputConfig", "NotificationConfig", "ErrorTopic"),
        max_concurrent_invocations=reader.read_int(node, "ClientConfig", "MaxConcurrentInvocationsPerInstance"),
        span=reader.span_of(node),
    )


def read_data_capture(node: Node | None, reader: RequestReader) -> Sourced[bool]:
    """Whether an endpoint captures data: EnableCapture as written, enabled by default when not written.

    An EnableCapture written but unresolved (a JSONPath, a placeholder, an
    intrinsic) stays unknown: only a missing one is the default.
    """
    if not isinstance(node, MappingNode):
        return NOT_WRITTEN
    enabled = reader.read_bool(node, "EnableCapture")
    if enabled.span is None:  # not written (or removed, as by AWS::NoValue)
        return Sourced(True, reader.span_of(node), Provenance.DEFAULT, "DataCaptureConfig without EnableCapture, which defaults to enabled")
    return enabled


def read_endpoint(
    request: Node,
    reader: RequestReader,
    link: ResourceRef,
    origin: str,
    fallback_name: Sourced[str] = Sourced(),
    declared: tuple[WorkloadProfile, Sourced[Environment], Sequence[InputProblem]] | None = None,
) -> EndpointRequest:
    """A CreateEndpoint request: its name, the configuration it names, its Tags (`declared` as `read_endpoint_config` takes it)."""
    profile, environment, problems = declared if declared is not None else request_profile(request, reader, origin)
    return EndpointRequest(
        name=_name_or(reader.read_text(request, "EndpointName"), fallback_name),
        config_key=reader.name_key(request, "EndpointConfigName"),
        profile=profile,
        environment=environment,
        problems=tuple(problems),
        link=link,
        key=reader.name_key(request, "EndpointName"),
    )


def link_hosting(
    endpoints: Sequence[EndpointRequest], configs: Sequence[ConfigRequest]
) -> list[tuple[EndpointRequest | None, ConfigRequest | None]]:
    """Endpoints with the configuration each names (by key); then every configuration no endpoint names."""
    by_key = {config.key: config for config in configs if config.key is not None}
    pairs: list[tuple[EndpointRequest | None, ConfigRequest | None]] = []
    used: set[int] = set()
    for endpoint in endpoints:
        config = by_key.get(endpoint.config_key) if endpoint.config_key is not None else None
        if config is not None:
            used.add(id(config))
        pairs.append((endpoint, config))
    pairs.extend((None, config) for config in configs if id(config) not in used)
    return pairs


def hosting_deployment(
    deployment_id: str,
    span: Span,
    endpoint: EndpointRequest | None,
    config: ConfigRequest | None,
    find_model: Callable[[str], HostedModel | None],
    links: tuple[ResourceRef, ...] = (),
    where: str = "in this run",
    profile: WorkloadProfile | None = None,
    environment: Sourced[Environment] = Sourced(),
) -> Deployment:
    """One real-time / serverless / async deployment from an endpoint and/or its configuration.

    Profiles merge: `profile` (declared around the requests), then the
    configuration's, then the endpoint's; the first known stage wins, the
    endpoint's first.
    """
    links = links + ((endpoint.link,) if endpoint is not None else ()) + ((config.link,) if config is not None else ())
    merged = profile or NO_PROFILE
    stage = Sourced()
    for source in (config, endpoint):
        if source is not None and source.profile is not NO_PROFILE:  # merging NO_PROFILE changes nothing
            merged = merge_profiles(merged, source.profile)
    for candidate in (endpoint.environment if endpoint else None, config.environment if config else None, environment):
        if candidate is not None and candidate.known:
            stage = candidate
            break
    models: list[HostedModel] = []
    units: list[Unit] = []
    for variant in config.variants if config is not None else ():
        model = find_model(variant.model_key) if variant.model_key is not None else None
        unit = variant.unit
        if model is not None:
            if model not in models:
                models.append(model)
                links += (model.link,)
            if model.name.known:
                unit = unit.replaced(model_names=(str(model.name.value),))
        elif variant.model_name.known:
            unit = unit.replaced(model_names=(str(variant.model_name.value),))
        units.append(unit)
    networks = [model.network for model in models if model.network is not None]
    if config is not None and config.network is not None:
        networks.append(config.network)
    name = endpoint.name if endpoint is not None else config.name if config is not None else Sourced()
    return Deployment(
        id=deployment_id,
        platform=PLATFORM,
        kind=_hosting_kind(config, where),
        span=span,
        name=name,
        environment=stage,
        profile=merged,
        models=tuple(spec for model in models for spec in model.containers),
        units=tuple(units),
        async_config=config.async_config if config is not None else None,
        network=merged_network(networks) if networks else None,
        data_capture=config.data_capture if config is not None else Sourced(),
        links=links,
    )


def _hosting_kind(config: ConfigRequest | None, where: str) -> Sourced[DeploymentKind]:
    if config is None:
        return Sourced(note=f"the endpoint configuration is not {where}")
    return endpoint_kind(config.async_config, [variant.unit for variant in config.variants], config.link.span)


def model_finder(*catalogs: Iterable[ModelRequest]) -> Callable[[str], HostedModel | None]:
    """A `find_model` over model requests, the first catalog first."""
    index: dict[str, HostedModel] = {}
    for catalog in reversed(catalogs):
        for request in catalog:
            if request.key is not None:
                index[request.key] = request.model
    return index.get

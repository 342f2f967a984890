"""Step Functions state machines and SageMaker Pipelines: the SageMaker jobs and endpoints they create.

A state machine (Amazon States Language) creates SageMaker resources from
Task states whose `Resource` is a SageMaker service integration
(`arn:aws:states:::sagemaker:createTrainingJob.sync`, ...) or an AWS SDK
integration (`arn:aws:states:::aws-sdk:sagemaker:createTrainingJob`); the
task's `Parameters` (JSONPath) or `Arguments` (JSONata) is the API request.
States are walked through Parallel branches and Map processors. Its AWS
SDK integration's Application Auto Scaling tasks
(`arn:aws:states:::aws-sdk:applicationautoscaling:registerScalableTarget`,
`putScalingPolicy`, `putScheduledAction`) scale the endpoints it creates,
read and linked as request documents are (`api_scaling`).
A pipeline definition (`pipeline.definition()`) creates them from
Training, Transform, Processing, Tuning and Model steps, whose `Arguments`
are the API requests, walked through Condition steps; `{"Get":
"Parameters.X"}` takes the parameter's default and `{"Std:Join": ...}` is
joined, while step properties and execution variables are unknown until
the pipeline runs.

This module reads both wherever they are written, for every AWS-shaped
adapter: the workflows adapter (`plugins.adapters.workflows`) reads
standalone definition files with it, and the CloudFormation resource readers
(`AWS::StepFunctions::StateMachine`, `AWS::Serverless::StateMachine`,
`AWS::SageMaker::Pipeline`) the definitions written in a template.
A standalone state machine that exactly one SAM state machine of the run
names by its local `DefinitionUri` (`definition_uri_names`) is read by the
CloudFormation adapter, with that resource's substitutions, Tags and
profile; the workflows adapter reads every other standalone definition.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

from linter import (
    Document,
    Environment,
    MappingNode,
    Node,
    Provenance,
    ResourceRef,
    RunContext,
    ScalarNode,
    SequenceNode,
    Sourced,
    Span,
    WorkloadProfile,
    load_text,
)

from plugins.adapters.aws.sagemaker_requests import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    HOSTING_OPERATIONS,
    INFERENCE_COMPONENT,
    JOB_OPERATIONS,
    MODEL,
    NOT_EXPRESSION,
    PROCESSING_JOB,
    TRAINING_JOB,
    TRANSFORM_JOB,
    TUNING_JOB,
    Hole,
    JobContext,
    ModelRequest,
    RequestReader,
    Resolved,
    Unresolved,
    ValueResolver,
    concat,
    hole_marker,
    hosting_deployment,
    job_deployments,
    link_hosting,
    model_finder,
    place_components,
    read_component,
    read_endpoint,
    read_endpoint_config,
    read_model,
    with_components,
)
from plugins.adapters.aws.document_kinds import SCALING_OPERATIONS, is_pipeline_definition, is_state_machine
from plugins.adapters.aws.written_values import text_of

__all__ = [
    "Surroundings",
    "parse_definition",
    "is_state_machine",
    "is_pipeline_definition",
    "state_machine_deployments",
    "pipeline_deployments",
    "asl_resolver",
    "pipeline_resolver",
    "same_file",
    "SAM_STATE_MACHINE",
    "DefinitionUriName",
    "definition_uri_names",
]

# At most this many states or steps are read from one definition (a bound
# for hostile input; real definitions have tens).
MAX_STATES = 5_000


@dataclass(frozen=True)
class Surroundings:
    """What the place a definition is written in contributes to its deployments.

    `id_prefix` starts every deployment ID (`path#` or `path#LogicalId/`);
    `profile`/`environment` are declared around the definition; `links`
    are the resources it comes from; `where` names the definition in notes
    ("this state machine"); `models` are models known beyond it (API
    documents of the run, the template's model resources).
    """

    id_prefix: str
    where: str
    profile: WorkloadProfile | None = None
    environment: Sourced[Environment] = field(default_factory=Sourced)
    links: tuple[ResourceRef, ...] = ()
    models: tuple[ModelRequest, ...] = ()


# --- definitions written as strings ---------------------------------------------------


def parse_definition(
    parts: Sequence[Any], path: str, substitutions: Mapping[str, Any] | None = None
) -> tuple[MappingNode, dict[str, Hole]] | None:
    """Parse a JSON definition given as text with unknown parts (str and Hole parts).

    Each hole becomes a marker string (quoted when it stands outside a JSON
    string), so the text still parses and the hole can be told apart after
    parsing. `${name}` is replaced by `substitutions[name]` as Step
    Functions does with `DefinitionSubstitutions`: textually, before
    parsing. Returns (root, marker -> hole), or None when the text is not a
    JSON/YAML mapping.
    """
    holes: dict[str, Hole] = {}
    out: list[str] = []
    state = {"in_string": False, "escaped": False}

    def add_hole(hole: Hole) -> None:
        marker = hole_marker(len(holes))
        holes[marker] = hole
        out.append(marker if state["in_string"] else f'"{marker}"')

    def add_value(value: Any) -> None:
        if isinstance(value, Hole):
            add_hole(value)
        elif state["in_string"]:
            out.append(json.dumps(str(value))[1:-1])
        else:
            out.append(json.dumps(value) if isinstance(value, bool) else str(value))

    for part in parts:
        if isinstance(part, Hole):
            add_hole(part)
            continue
        if not isinstance(part, str):
            return None
        position = 0
        length = len(part)
        while position < length:
            character = part[position]
            if substitutions and character == "$" and part.startswith("${", position):
                end = part.find("}", position)
                name = part[position + 2 : end] if end != -1 else None
                if name is not None and name in substitutions:
                    add_value(substitutions[name])
                    position = end + 1
                    continue
            out.append(character)
            if state["in_string"]:
                if state["escaped"]:
                    state["escaped"] = False
                elif character == "\\":
                    state["escaped"] = True
                elif character == '"':
                    state["in_string"] = False
            elif character == '"':
                state["in_string"] = True
            position += 1
    source = load_text(path, "".join(out))
    if source.problems or len(source.documents) != 1:
        return None
    root = source.documents[0].root
    if not isinstance(root, MappingNode):
        return None
    return root, holes


def _key_span(mapping: MappingNode, key: object, reader: RequestReader) -> Span:
    node = mapping.key_node(key)
    return reader.span_of(node) if node is not None else reader.span_of(mapping)


def _text(reader: RequestReader, node: Node | None) -> str | None:
    """A value's text with unknown parts as `${...}`, for recognising it (a task's Resource)."""
    if node is None:
        return None
    value = reader.resolve(node)
    if isinstance(value, Resolved):
        value = value.value
    if isinstance(value, Unresolved):
        return value.text
    return value if isinstance(value, str) else None


# --- Step Functions -------------------------------------------------------------------

_SAGEMAKER_RESOURCE = re.compile(r":states:::(?:aws-sdk:)?sagemaker:([A-Za-z]+)", re.I)
_OPERATIONS = {operation.lower(): operation for operation in JOB_OPERATIONS + HOSTING_OPERATIONS}
# The AWS SDK integration's Application Auto Scaling calls that scale an endpoint the machine creates.
_AUTOSCALING_RESOURCE = re.compile(r":states:::aws-sdk:applicationautoscaling:([A-Za-z]+)", re.I)
_SCALING_OPERATIONS = {operation.lower(): operation for operation in SCALING_OPERATIONS}


def asl_resolver(
    holes: Mapping[str, Hole] | None = None,
    substitutions: Mapping[str, Any] | None = None,
    expression: Callable[[Node], Any] | None = None,
    placeholder_note: str | None = None,
) -> ValueResolver:
    """How values of a state machine read: `${name}` placeholders, JSONata, holes, and the template's expressions."""
    options: dict[str, Any] = {}
    if placeholder_note is not None:
        options["placeholder_note"] = placeholder_note
    return ValueResolver(
        holes=dict(holes or {}),
        substitutions=dict(substitutions or {}),
        jsonata=True,
        expression=expression,
        **options,
    )


@dataclass(frozen=True)
class _Task:
    name: str
    operation: str
    request: MappingNode
    span: Span


def _sagemaker_tasks(root: MappingNode, reader: RequestReader) -> list[_Task]:
    """Task states that call a SageMaker Create* API or an Application Auto Scaling one (`SCALING_OPERATIONS`), in file
    order, through Parallel and Map states."""
    tasks: list[_Task] = []
    pending: list[MappingNode] = [root]
    seen: set[int] = set()
    visited = 0
    while pending and visited < MAX_STATES:
        machine = pending.pop(0)
        if id(machine) in seen:
            continue
        seen.add(id(machine))
        states = machine.get("States")
        assert isinstance(states, MappingNode)
        for key, state in states.pairs:
            visited += 1
            if visited > MAX_STATES or not isinstance(state, MappingNode):
                continue
            kind = state.get("Type")
            kind = kind.value if isinstance(kind, ScalarNode) else None
            if kind == "Parallel":
                branches = state.get("Branches")
                if isinstance(branches, SequenceNode):
                    pending.extend(branch for branch in branches if is_state_machine(branch))
            elif kind == "Map":
                for processor_key in ("ItemProcessor", "Iterator"):
                    processor = state.get(processor_key)
                    if is_state_machine(processor):
                        pending.append(processor)
            elif kind == "Task":
                resource = _text(reader, state.get("Resource"))
                match = _SAGEMAKER_RESOURCE.search(resource) if resource else None
                operation = _OPERATIONS.get(match.group(1).lower()) if match else None
                if operation is None and resource:
                    match = _AUTOSCALING_RESOURCE.search(resource)
                    operation = _SCALING_OPERATIONS.get(match.group(1).lower()) if match else None
                request = state.get("Parameters")
                if request is None:
                    request = state.get("Arguments")
                if operation is not None and isinstance(request, MappingNode):
                    tasks.append(_Task(str(key.value), operation, request, _key_span(states, key.value, reader)))
    return tasks


def state_machine_deployments(root: MappingNode, reader: RequestReader, surroundings: Surroundings) -> list:
    """Deployments of the SageMaker tasks of one state machine (and profile problems)."""
    tasks = _sagemaker_tasks(root, reader)
    origin = "Step Functions task"
    models: list[ModelRequest] = []
    configs = []
    endpoints = []
    scaling_requests = []
    components = []  # (ComponentRequest, its link)
    anchors: dict[int, _Task] = {}
    for task in tasks:
        if task.operation in SCALING_OPERATIONS:
            from plugins.adapters.aws.api_scaling import read_request  # waits for a machine that scales endpoints

            written_as = f"Step Functions task {task.operation} {task.name}"
            scaling_requests.append(read_request(task.operation, task.request, reader, task.span, id(task.request), written_as))
            continue
        link = ResourceRef(f"Step Functions task {task.operation}", task.name, task.span)
        state_name = Sourced(task.name, task.span, Provenance.INFERRED, "state name")
        if task.operation == MODEL:
            models.append(read_model(task.request, reader, link, state_name))
        elif task.operation == ENDPOINT_CONFIG:
            config = read_endpoint_config(task.request, reader, link, f"state {task.name}", state_name)
            anchors[id(config)] = task
            configs.append(config)
        elif task.operation == ENDPOINT:
            endpoint = read_endpoint(task.request, reader, link, f"state {task.name}", state_name)
            anchors[id(endpoint)] = task
            endpoints.append(endpoint)
        elif task.operation == INFERENCE_COMPONENT:
            components.append((read_component(task.request, reader, state_name), link))
    find_model = model_finder(models, surroundings.models)
    results: list = []
    for task in tasks:
        if task.operation not in JOB_OPERATIONS:
            continue
        context = JobContext(
            id=surroundings.id_prefix + task.name,
            span=task.span,
            origin=origin,
            name=Sourced(task.name, task.span, Provenance.INFERRED, "state name"),
            profile=surroundings.profile,
            environment=surroundings.environment,
            links=surroundings.links,
            find_model=find_model,
            resource=ResourceRef(f"Step Functions task {task.operation}", task.name, task.span),
        )
        results.extend(job_deployments(task.operation, task.request, reader, context))
    reported: set[int] = set()
    hostings = [
        (endpoint, config, surroundings.id_prefix + anchors[id(endpoint if endpoint is not None else config)].name)
        for endpoint, config in link_hosting(endpoints, configs)
    ]
    placed, placed_on = place_components([endpoint for endpoint, _, _ in hostings], components)
    scaling_links = None
    if scaling_requests:
        from plugins.adapters.aws.api_scaling import link_targets

        scaling_links = link_targets(scaling_requests, hostings, placed_on)
    for number, (endpoint, config, deployment_id) in enumerate(hostings):
        anchor = anchors[id(endpoint if endpoint is not None else config)]
        deployment = hosting_deployment(
            deployment_id,
            anchor.span,
            endpoint,
            config,
            find_model,
            surroundings.links,
            f"created in {surroundings.where}",
            surroundings.profile,
            surroundings.environment,
        )
        deployment = with_components(deployment, config, placed[number], find_model)
        results.append(scaling_links.scaled(number, deployment) if scaling_links is not None else deployment)
        for request in (endpoint, config):
            if request is not None and id(request) not in reported:
                reported.add(id(request))
                results.extend(request.problems)
    for model in models:
        results.extend(model.problems)
    if scaling_links is not None:
        results.extend(scaling_links.targets.values())
    return results


# --- SageMaker Pipelines --------------------------------------------------------------

_STEP_OPERATIONS = {
    "Training": TRAINING_JOB,
    "Transform": TRANSFORM_JOB,
    "Processing": PROCESSING_JOB,
    "Tuning": TUNING_JOB,
    "Model": MODEL,
    "CreateModel": MODEL,
}


class _PipelineExpressions:
    """`Get` and `Std:Join` of a pipeline definition; other nodes go to `inner` (a template's intrinsics)."""

    def __init__(self, parameters: dict[str, Node], inner: Callable[[Node], Any] | None) -> None:
        self.parameters = parameters
        self.inner = inner
        self.resolver: ValueResolver | None = None
        self.depth = 0

    def __call__(self, node: Node) -> Any:
        if isinstance(node, MappingNode) and len(node) == 1 and not node.is_custom_tag:
            (key,) = node.keys()
            if key in ("Get", "Std:Join", "Std:JsonGet"):
                if self.depth > 16:
                    return Unresolved("the expression is nested too deep")
                self.depth += 1
                try:
                    return getattr(self, "_" + key.replace("Std:", "std_").lower())(node.pairs[0][1])
                finally:
                    self.depth -= 1
        return self.inner(node) if self.inner is not None else NOT_EXPRESSION

    def _resolve(self, node: Node) -> Any:
        assert self.resolver is not None
        value = self.resolver(node)
        return value

    def _get(self, argument: Node) -> Any:
        path = argument.value if isinstance(argument, ScalarNode) and isinstance(argument.value, str) else None
        if path is None:
            return Unresolved("a malformed Get expression")
        shown = "${" + path + "}"
        head, _, rest = path.partition(".")
        if head == "Parameters":
            default = self.parameters.get(rest)
            if default is None:
                known = rest in self.parameters
                reason = "has no default: it is set when an execution starts" if known else "is not declared"
                return Unresolved(f"pipeline parameter {rest} {reason}", shown)
            value = self._resolve(default)
            note = f"default of pipeline parameter {rest} (an execution may override it)"
            if isinstance(value, Resolved):
                value = value.value
            if isinstance(value, Unresolved):
                return Unresolved(f"{note}: {value.note}", value.text, value.ref)
            return Resolved(value, note)
        if head == "Steps":
            step, _, attribute = rest.partition(".")
            return Unresolved(f"set at run time from step {step}'s {attribute or 'properties'}", shown, f"step:{step}" if attribute == "ModelName" else None)
        if head == "Execution":
            return Unresolved(f"set when the pipeline runs ({path})", shown)
        return Unresolved(f"set at run time from {path}", shown)

    def _std_join(self, argument: Node) -> Any:
        separator = argument.get("On") if isinstance(argument, MappingNode) else None
        values = argument.get("Values") if isinstance(argument, MappingNode) else None
        on = separator.value if isinstance(separator, ScalarNode) and isinstance(separator.value, str) else None
        if on is None or not isinstance(values, SequenceNode):
            return Unresolved("a malformed Std:Join expression")
        parts: list[Any] = []
        for index, item in enumerate(values):
            if index:
                parts.append(on)
            value = self._resolve(item)
            if isinstance(value, Resolved):
                value = value.value
            if isinstance(value, (Unresolved, Hole)):
                parts.append(value)
            elif isinstance(value, (dict, list)) or value is None:
                parts.append(Unresolved("a value that is not text", "${?}"))
            else:
                parts.append(str(value).lower() if isinstance(value, bool) else str(value))
        return concat([part for part in parts if part != ""] or [""])

    def _std_jsonget(self, argument: Node) -> Any:
        return Unresolved("read at run time from a step's property file", "${Std:JsonGet}")


def _parameter_defaults(root: MappingNode) -> dict[str, Node]:
    """Pipeline parameter name -> its DefaultValue node (absent defaults map to None)."""
    defaults: dict[str, Node] = {}
    parameters = root.get("Parameters")
    if not isinstance(parameters, SequenceNode):
        return defaults
    for parameter in parameters:
        if not isinstance(parameter, MappingNode):
            continue
        name = parameter.get("Name")
        if isinstance(name, ScalarNode) and isinstance(name.value, str):
            defaults[name.value] = parameter.get("DefaultValue")  # type: ignore[assignment]
    return defaults


def pipeline_resolver(
    root: MappingNode, holes: Mapping[str, Hole] | None = None, inner: Callable[[Node], Any] | None = None
) -> ValueResolver:
    """How values of a pipeline definition read: its parameters' defaults, `Std:Join`, and `inner` expressions."""
    expressions = _PipelineExpressions(_parameter_defaults(root), inner)
    resolver = ValueResolver(holes=dict(holes or {}), expression=expressions)
    expressions.resolver = resolver
    return resolver


@dataclass(frozen=True)
class _Step:
    name: str
    operation: str
    arguments: MappingNode
    span: Span


def _pipeline_steps(root: MappingNode, reader: RequestReader) -> list[_Step]:
    """Steps that run a SageMaker job or create a model, in file order, through Condition steps."""
    found: list[_Step] = []
    pending: list[Node | None] = [root.get("Steps")]
    seen: set[int] = set()
    visited = 0
    while pending and visited < MAX_STATES:
        steps = pending.pop(0)
        if not isinstance(steps, SequenceNode) or id(steps) in seen:
            continue
        seen.add(id(steps))
        for step in steps:
            visited += 1
            if visited > MAX_STATES or not isinstance(step, MappingNode):
                continue
            name_node, kind_node = step.get("Name"), step.get("Type")
            kind = kind_node.value if isinstance(kind_node, ScalarNode) else None
            arguments = step.get("Arguments")
            if kind == "Condition" and isinstance(arguments, MappingNode):
                pending.extend([arguments.get("IfSteps"), arguments.get("ElseSteps")])
                continue
            operation = _STEP_OPERATIONS.get(kind) if isinstance(kind, str) else None
            if operation is None or not isinstance(arguments, MappingNode):
                continue
            name = text_of(name_node.value) if isinstance(name_node, ScalarNode) else f"step {visited}"
            span = reader.span_of(name_node) if name_node is not None else reader.span_of(step)
            found.append(_Step(name, operation, arguments, span))
    return found


def pipeline_deployments(root: MappingNode, reader: RequestReader, surroundings: Surroundings) -> list:
    """Deployments of the job steps of one pipeline definition (and profile problems).

    A Transform step's model is found by name among the pipeline's Model
    steps (`{"Get": "Steps.<step>.ModelName"}`) and `surroundings.models`.
    """
    steps = _pipeline_steps(root, reader)
    models: list[ModelRequest] = []
    results: list = []
    for step in steps:
        if step.operation != MODEL:
            continue
        link = ResourceRef(f"pipeline step {step.operation}", step.name, step.span)
        request = read_model(step.arguments, reader, link, Sourced(step.name, step.span, Provenance.INFERRED, "step name"))
        models.append(request)
        models.append(replace(request, key=f"#step:{step.name}"))
        results.extend(request.problems)  # once per step, though the model is found by two keys
    find_model = model_finder(models, surroundings.models)
    for step in steps:
        if step.operation == MODEL:
            continue
        context = JobContext(
            id=surroundings.id_prefix + step.name,
            span=step.span,
            origin="pipeline step",
            name=Sourced(step.name, step.span, Provenance.INFERRED, "step name"),
            profile=surroundings.profile,
            environment=surroundings.environment,
            links=surroundings.links,
            find_model=find_model,
            resource=ResourceRef(f"pipeline step {step.operation}", step.name, step.span),
        )
        results.extend(job_deployments(step.operation, step.arguments, reader, context))
    return results


def same_file(left: str, right: str) -> bool:
    """True when two display paths name the same file."""
    return os.path.normcase(os.path.abspath(left)) == os.path.normcase(os.path.abspath(right))


# --- SAM DefinitionUri, seen from the definition ----------------------------------------

SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"


@dataclass(frozen=True)
class DefinitionUriName:
    """A SAM state machine resource whose local `DefinitionUri` names a definition file (`target`)."""

    document: Document
    logical_id: str
    body: MappingNode  # the resource's entry of `Resources`
    key_span: Span
    target: str


def definition_uri_names(run: RunContext, path: str) -> list[DefinitionUriName]:
    """The SAM state machines of the run (in document and file order) whose local `DefinitionUri` is the file `path`.

    A `DefinitionUri` that is not a plain string, or that is a URI
    (`s3://...`), names no file of the run. Read from the documents as
    written: the adapters that split the work between them (the workflows
    adapter leaves a definition named exactly once to the CloudFormation
    adapter) agree by asking this one function.
    """
    names = run.memo(("workflow-definitions", "definition-uri"), lambda: _definition_uri_names(run))
    return [name for name in names if same_file(name.target, path)]


def _definition_uri_names(run: RunContext) -> list[DefinitionUriName]:
    found: list[DefinitionUriName] = []
    for document in run.documents:
        root = document.root
        section = root.get("Resources") if isinstance(root, MappingNode) else None
        if not isinstance(section, MappingNode):
            continue
        for key, body in section.pairs:
            if not isinstance(body, MappingNode):
                continue
            kind = body.get("Type")
            if not (isinstance(kind, ScalarNode) and kind.value == SAM_STATE_MACHINE):
                continue
            properties = body.get("Properties")
            uri = properties.get("DefinitionUri") if isinstance(properties, MappingNode) else None
            if not (isinstance(uri, ScalarNode) and isinstance(uri.value, str)) or "://" in uri.value:
                continue
            target = os.path.join(os.path.dirname(document.path), uri.value)
            found.append(DefinitionUriName(document, str(key.value), body, key.span, target))
    return found

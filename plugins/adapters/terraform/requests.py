"""A Terraform resource's body read as the AWS API request it stands for, through the shared AWS readers.

The AWS provider spells an API request's fields in snake_case blocks and
arguments (`production_variants { instance_type = ... }`); the shared
SageMaker and Application Auto Scaling readers read PascalCase requests
(`ProductionVariants[].InstanceType`), matching keys case-insensitively.
`request_node` evaluates a body (`values.Module`) and rebuilds it in the
API's shape: each argument's key in PascalCase (or renamed where the
provider names it otherwise, `name` -> `ModelName`), nested blocks as a
mapping (or a list for the API's lists), `dynamic` blocks expanded when
their `for_each` is known, the keys of map arguments (`environment`,
`tags`) as written. Every value node keeps the span of the argument it was
written in and the places it was read through (`ValueNode.related`); a value
the module does not decide is a `ValueNode` holding its `Unknown`.
`TerraformRequestReader` gives those to the readers: unknown values with
their reason, both options of an undecided conditional, related spans.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from linter import MappingNode, Node, ScalarNode, SequenceNode, Sourced, Span

from plugins.adapters.aws.sagemaker_requests import NOT_EXPRESSION, RequestReader, Unresolved, ValueResolver
from plugins.adapters.terraform.hcl import BLOCKS_TAG, Attribute, Reference
from plugins.adapters.terraform.values import MAX_ITEMS, EvalError, Module, ResourceInstance, Scope, Unknown, instance_address

__all__ = ["ValueNode", "RequestShape", "SHAPES", "request_node", "located", "json_document", "READER", "TerraformRequestReader"]

# Arguments of a resource that are Terraform's, not the API's.
_META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection", "timeouts"})


class ValueNode(ScalarNode):
    """An evaluated argument value: known (`value`), or unknown (`unknown`, tag `!unknown`), with related places."""

    __slots__ = ("related", "unknown")

    def __init__(self, value: Any, span: Span, tag: str, related: tuple = (), unknown: Unknown | None = None) -> None:
        super().__init__(value, span, tag)
        self.related = related
        self.unknown = unknown


def is_reference(node: Node | None) -> bool:
    """Whether `node` is an attribute of another resource (`aws_x.y.arn`): unknown here, naming that resource."""
    return isinstance(node, ValueNode) and node.unknown is not None and node.unknown.ref is not None


def referenced_address(node: ValueNode, addresses: Iterable[str]) -> str | None:
    """The one of `addresses` a reference names (`is_reference`): its instance, or the only instance of a counted resource."""
    unknown = node.unknown
    address = instance_address(unknown.ref, unknown.index)
    known = list(addresses)
    if address in known:
        return address
    candidates = [key for key in known if key.startswith(unknown.ref + "[")]
    return candidates[0] if len(candidates) == 1 and unknown.index is None else None


class RequestShape:
    """How one resource type's arguments map onto its API request: renamed keys, blocks that are lists."""

    def __init__(self, renames: Mapping[str, str], lists: frozenset[str] = frozenset(), documents: frozenset[str] = frozenset()) -> None:
        self.renames = dict(renames)
        self.lists = lists
        self.documents = documents  # arguments holding a JSON document (`container_properties`), read as its content

    def key(self, name: str) -> str:
        return self.renames.get(name) or "".join(part[:1].upper() + part[1:] for part in name.split("_"))


SHAPES = {
    "aws_sagemaker_model": RequestShape({"name": "ModelName"}, frozenset({"container"})),
    "aws_sagemaker_endpoint_configuration": RequestShape(
        {"name": "EndpointConfigName"}, frozenset({"production_variants", "shadow_production_variants", "instance_pools"})
    ),
    "aws_sagemaker_endpoint": RequestShape({"name": "EndpointName"}),
    "aws_appautoscaling_target": RequestShape({}),
    "aws_appautoscaling_policy": RequestShape({"name": "PolicyName"}, frozenset({"step_adjustment", "metrics"})),
    # CreateComputeEnvironment; the provider's `instance_type` is the API's list `instanceTypes`.
    "aws_batch_compute_environment": RequestShape(
        {"name": "ComputeEnvironmentName", "compute_environment_name": "ComputeEnvironmentName", "instance_type": "InstanceTypes"}
    ),
    "aws_batch_job_queue": RequestShape({"name": "JobQueueName"}, frozenset({"compute_environment_order"})),
    # RegisterJobDefinition: the container, node and ECS properties are JSON documents.
    "aws_batch_job_definition": RequestShape(
        {"name": "JobDefinitionName"},
        frozenset({"containers", "env"}),
        frozenset({"container_properties", "node_properties", "ecs_properties"}),
    ),
    # CreateLaunchTemplate's LaunchTemplateData (the body is the data; `name` is the request's).
    "aws_launch_template": RequestShape({"name": "LaunchTemplateName"}),
    # RegisterTaskDefinition: the container definitions are a JSON document.
    "aws_ecs_task_definition": RequestShape({}, frozenset({"volume", "placement_constraints"}), frozenset({"container_definitions"})),
    # CreateService (`network_configuration` is the API's awsvpcConfiguration, read as NetworkConfiguration.Subnets).
    "aws_ecs_service": RequestShape({"name": "ServiceName"}, frozenset({"capacity_provider_strategy", "load_balancer", "ordered_placement_strategy"})),
    "aws_ecs_cluster_capacity_providers": RequestShape({}, frozenset({"default_capacity_provider_strategy"})),
    # CreateCapacityProvider; CreateAutoScalingGroup (a mixed instances policy's `override` blocks are the API's Overrides);
    # CreateLaunchConfiguration.
    "aws_ecs_capacity_provider": RequestShape({}),
    "aws_autoscaling_group": RequestShape({"override": "Overrides"}, frozenset({"override"})),
    "aws_launch_configuration": RequestShape({}),
    # EventBridge PutTargets' EcsParameters (`ecs_target`) and EventBridge Scheduler's `target.ecs_parameters`.
    "aws_cloudwatch_event_target": RequestShape({}, frozenset({"capacity_provider_strategy", "placement_constraint", "ordered_placement_strategy"})),
    "aws_scheduler_schedule": RequestShape({}, frozenset({"capacity_provider_strategy", "placement_constraints", "placement_strategy"})),
    # CreateNodegroup.
    "aws_eks_node_group": RequestShape({"node_group_name": "NodegroupName", "subnet_ids": "Subnets", "taint": "Taints"}, frozenset({"taint"})),
}
# `container` blocks are the API's `Containers`.
SHAPES["aws_sagemaker_model"].renames["container"] = "Containers"


def request_node(module: Module, body: MappingNode, scope: Scope, shape: RequestShape) -> MappingNode:
    """The body evaluated and rebuilt in the API request's shape (see the module docstring)."""
    budget = [MAX_ITEMS]
    return _body(module, body, scope, shape, budget, 0)


def _body(module: Module, body: MappingNode, scope: Scope, shape: RequestShape, budget: list[int], depth: int) -> MappingNode:
    pairs: list[tuple[ScalarNode, Node]] = []
    blocks: dict[str, tuple[ScalarNode, list[MappingNode]]] = {}
    if depth > 32:
        return MappingNode((), body.span)
    for key, value in body.pairs:
        name = str(key.value)
        if depth == 0 and name in _META_ARGUMENTS:
            continue
        if name == "dynamic" and isinstance(value, MappingNode):
            for label, written in value.pairs:
                for block in written.items if isinstance(written, SequenceNode) else ():
                    if isinstance(block, MappingNode):
                        expanded = _dynamic(module, block, str(label.value), scope, shape, budget, depth)
                        blocks.setdefault(str(label.value), (label, []))[1].extend(expanded)
            continue
        if isinstance(value, SequenceNode) and value.tag == BLOCKS_TAG:
            entry = blocks.setdefault(name, (key, []))
            for block in value.items:
                if isinstance(block, MappingNode) and budget[0] > 0:
                    budget[0] -= 1
                    entry[1].append(_body(module, block, scope, shape, budget, depth + 1))
            continue
        evaluation = module.evaluate(value, scope)
        if name in shape.documents:
            node = located(json_document(evaluation.value), value.span, evaluation.related, budget)
        else:
            node = located(evaluation.value, value.span, evaluation.related, budget)
        if node is not None:
            pairs.append((ScalarNode(shape.key(name), key.span, "str"), node))
    for name, (key, bodies) in blocks.items():
        if not bodies:
            continue
        api_key = ScalarNode(shape.key(name), key.span, "str")
        if name in shape.lists:
            pairs.append((api_key, SequenceNode(tuple(bodies), cover([item.span for item in bodies]))))
        else:
            pairs.append((api_key, bodies[0]))
    return MappingNode(tuple(pairs), body.span)


def _dynamic(module: Module, block: MappingNode, label: str, scope: Scope, shape: RequestShape, budget: list[int], depth: int) -> list[MappingNode]:
    """A `dynamic` block's generated blocks: one per element of a known `for_each`; one with an unknown iterator otherwise."""
    content = block.get("content")
    bodies = [item for item in content.items if isinstance(item, MappingNode)] if isinstance(content, SequenceNode) else []
    if not bodies:
        return []
    iterator = label
    written = block.get("iterator")
    if isinstance(written, Attribute) and isinstance(written.expression, Reference) and not written.expression.steps:
        iterator = written.expression.root
    collection = module.evaluate(block.get("for_each"), scope).value
    if isinstance(collection, dict):
        items = list(collection.items())
    elif isinstance(collection, list):
        items = list(enumerate(collection))
    else:
        note = collection.note if isinstance(collection, Unknown) else "its for_each is not a collection"
        unknown = Unknown(f"a dynamic {label} block whose for_each is not known ({note})")
        items = [(unknown, unknown)]
    generated = []
    for key, value in items:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        generated.append(_body(module, bodies[0], scope.bind(**{iterator: {"key": key, "value": value}}), shape, budget, depth + 1))
    return generated


MAX_DOCUMENT_DEPTH = 32


def json_document(value: Any) -> Any:
    """The content of an argument that holds a JSON document: the text parsed, or what `jsonencode()` encoded.

    Text that is not JSON, or nested deeper than `MAX_DOCUMENT_DEPTH`, is unknown with the reason.
    """
    if isinstance(value, Unknown) and value.encoded is not None:
        value = value.encoded
    elif isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return Unknown("the JSON document cannot be parsed")
    else:
        return value
    if _depth(value) > MAX_DOCUMENT_DEPTH:
        return Unknown(f"a JSON document nested more than {MAX_DOCUMENT_DEPTH} deep")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DOCUMENT_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


# Makes the node of an unknown value: (the unknown, its span, its related locations, whether it is the
# value as a whole rather than a part of it) -> the node.
UnknownNode = Callable[[Unknown, Span, tuple, bool], "ValueNode"]


def located(value: Any, span: Span, related: tuple, budget: list[int] | None = None, unknown: "UnknownNode | None" = None) -> Node | None:
    """An evaluated value as located nodes at `span`; None for null (an unset argument).

    Unknown parts become what `unknown` makes of them: by default a
    `!unknown` value node that keeps the `Unknown` (references stay links).
    """
    return _located(value, span, related, budget if budget is not None else [MAX_ITEMS], unknown or _unknown, True)


def _located(value: Any, span: Span, related: tuple, budget: list[int], unknown: UnknownNode, whole: bool) -> Node | None:
    budget[0] -= 1
    if budget[0] < 0:
        return unknown(Unknown("a value too large to read"), span, related, whole)
    if value is None:
        return None
    if isinstance(value, EvalError):
        return unknown(Unknown(f"Terraform cannot evaluate it: {value.message}"), span, related, whole)
    if isinstance(value, Unknown):
        return unknown(value, span, related, whole)
    if isinstance(value, ResourceInstance):
        return unknown(Unknown(f"the whole resource {value.resource.address}", None, value.resource.address), span, related, whole)
    if isinstance(value, bool):
        return ValueNode(value, span, "bool", related)
    if isinstance(value, int):
        return ValueNode(value, span, "int", related)
    if isinstance(value, float):
        return ValueNode(value, span, "float", related)
    if isinstance(value, str):
        return ValueNode(value, span, "str", related)
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            node = _located(item, span, related, budget, unknown, False)
            if node is not None:
                pairs.append((ScalarNode(str(key), span, "str"), node))
        return MappingNode(tuple(pairs), span)
    if isinstance(value, list):
        items = [_located(item, span, related, budget, unknown, False) for item in value]
        return SequenceNode(tuple(item if item is not None else ScalarNode(None, span, "null") for item in items), span)
    return unknown(Unknown("a value not read"), span, related, whole)


def _unknown(value: Unknown, span: Span, related: tuple, whole: bool = True) -> ValueNode:
    return ValueNode(value.text, span, "!unknown", related, value)


def cover(spans: list[Span]) -> Span:
    """The span from the first of `spans` to the end of the last-ending one."""
    first = min(spans)
    last = max(spans, key=lambda span: (span.end_line, span.end_column))
    return Span(first.path, first.line, first.column, last.end_line, last.end_column)


def _expression(node: Node) -> Any:
    if isinstance(node, ValueNode) and node.unknown is not None:
        unknown = node.unknown
        return Unresolved(unknown.note, unknown.text, unknown.ref)
    return NOT_EXPRESSION


class TerraformRequestReader(RequestReader):
    """A `RequestReader` over evaluated Terraform bodies: unknowns with their reasons, options and related places kept."""

    def __init__(self, resolve: "Callable[..., ValueResolver] | None" = None) -> None:
        """`resolve(expression)` builds the resolver around the reader of unknown values (an ASL one for state machines)."""
        super().__init__(resolve=(resolve or (lambda expression: ValueResolver(expression=expression)))(_expression))

    def value(self, node: Node | None, *path: str, convert: Callable[[Any], Any] = lambda item: item, expected: str = "") -> Sourced:
        sourced = super().value(node, *path, convert=convert, expected=expected)
        found = self.find(node, *path)
        target = found.node if found is not None else None
        if not isinstance(target, ValueNode):
            return sourced
        changes: dict[str, Any] = {}
        if target.related:
            changes["related"] = target.related
            if sourced.known and not sourced.note:
                changes["note"] = target.related[0][1]
        if target.unknown is not None and target.unknown.options:
            options = tuple(option for option in (convert(item) for item in target.unknown.options) if option is not None)
            if len(options) == len(target.unknown.options):
                changes["options"] = options
        return replace(sourced, **changes) if changes else sourced


READER = TerraformRequestReader()

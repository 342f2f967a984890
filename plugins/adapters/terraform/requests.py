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
from plugins.adapters.terraform.bodies import body_node
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
    """How one resource type's arguments map onto its API request: renamed keys, blocks that are lists (a `BodyShape`).

    A `dynamic` block whose `for_each` is not known stands for one block
    whose iterator is unknown: the request has the field, its values unknown.
    """

    meta_arguments = _META_ARGUMENTS
    expands_unknown_dynamic = True

    def __init__(self, renames: Mapping[str, str], lists: frozenset[str] = frozenset(), documents: frozenset[str] = frozenset()) -> None:
        self.renames = dict(renames)
        self.lists = lists
        self.documents = documents  # arguments holding a JSON document (`container_properties`), read as its content

    def key(self, name: str) -> str:
        return self.renames.get(name) or "".join(part[:1].upper() + part[1:] for part in name.split("_"))

    def list_key(self, name: str, parent: str) -> str | None:
        return self.key(name) if name in self.lists else None

    def argument(self, module: Module, name: str, value: Node, scope: Scope, budget: list[int]) -> Node | None:
        evaluation = module.evaluate(value, scope)
        content = json_document(evaluation.value) if name in self.documents else evaluation.value
        return located(content, value.span, evaluation.related, budget)


SHAPES = {
    "aws_sagemaker_model": RequestShape({"name": "ModelName"}, frozenset({"container"})),
    "aws_sagemaker_endpoint_configuration": RequestShape(
        {"name": "EndpointConfigName"}, frozenset({"production_variants", "shadow_production_variants", "instance_pools"})
    ),
    "aws_sagemaker_endpoint": RequestShape({"name": "EndpointName"}),
    "aws_appautoscaling_target": RequestShape({}),
    "aws_appautoscaling_policy": RequestShape({"name": "PolicyName"}, frozenset({"step_adjustment", "metrics"})),
    "aws_appautoscaling_scheduled_action": RequestShape({"name": "ScheduledActionName"}),
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
    return body_node(module, body, scope, shape, [MAX_ITEMS])


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

"""A resource's Properties read as an AWS API request, through the shared AWS readers.

SageMaker and Application Auto Scaling resources take the properties of
the API requests they stand for (CreateEndpointConfig's
`ProductionVariants`, PutScalingPolicy's configuration). The readers under
`plugins.adapters.aws` read those requests for every AWS-shaped adapter;
`TemplateRequestReader` lets them read a template: keys as spelled, values
resolved as the template resolves them (`TemplateContext.sourced`, so an
undecided `Fn::If` keeps its branches and a parameter's Default is
related), and a block an intrinsic function builds is not read as set.
"""

from __future__ import annotations

from typing import Any, Callable

from linter import MappingNode, Node, ScalarNode, SequenceNode, Sourced

from plugins.adapters.aws.sagemaker_requests import (
    NOT_EXPRESSION,
    Hole,
    RequestReader,
    Resolved,
    Unresolved,
    ValueResolver,
    concat,
)
from plugins.adapters.cloudformation.context import TemplateContext, describe_unknown
from plugins.adapters.cloudformation.intrinsics import NO_VALUE, Choice, Opaque, Partial, ResourceValue, Unresolvable
from plugins.adapters.cloudformation.template import intrinsic


class TemplateRequestReader(RequestReader):
    """A `RequestReader` over one template's resource properties.

    A single key of a mapping (nearly every read) is the mapping's own
    `get`, as `find` answers it with exact keys (no entry is ever dynamic),
    without the found entry made and unpacked.
    """

    def __init__(self, template: TemplateContext) -> None:
        super().__init__(resolve=ValueResolver(expression=template_expression(template)), exact_keys=True, extensions=template.extensions)
        self.template = template

    def node(self, node: Node | None, *path: str) -> Node | None:
        """The node at a path of keys, an `Fn::If` on the way read as the branch its decided condition chooses
        (`Resolver.chosen`); None when absent, removed (`AWS::NoValue`) or built by an intrinsic it cannot read."""
        chosen = self.template.resolver.chosen
        for key in path:
            if not isinstance(node, MappingNode):
                return None
            node = chosen(node.get(key))
        if not path:
            node = chosen(node)
        return None if node is None or (isinstance(node, MappingNode) and intrinsic(node) is not None) else node

    def mappings(self, node: Node | None, *path: str) -> list[MappingNode]:
        """The mappings of the list at a path (`node`), each item's `Fn::If` read as `node` reads it.

        A list (or an item) an `Fn::If` builds whose condition cannot be decided is one mapping of nothing known,
        at the `Fn::If`: something is there, with no name or setting a reader may take for the written one (a
        variant of an unknown name, which no scaling target can be said to miss).
        """
        found = self.node(node, *path)
        if found is None:
            return []
        if intrinsic(found) == "Fn::If":
            return [_undecided(found)]
        if not isinstance(found, SequenceNode) or intrinsic(found) is not None:
            return []
        chosen = self.template.resolver.chosen
        mappings = []
        for item in found.items:
            item = chosen(item)
            if intrinsic(item) == "Fn::If":
                mappings.append(_undecided(item))  # type: ignore[arg-type]
            elif isinstance(item, MappingNode) and intrinsic(item) is None:
                mappings.append(item)
        return mappings

    def value(self, node: Node | None, *path: str, convert: Callable[[Any], Any] = lambda item: item, expected: str = "") -> Sourced:
        if len(path) == 1 and isinstance(node, MappingNode):
            return self.template.sourced(node.get(path[0]), convert, expected)
        found = self.find(node, *path)
        return self.template.sourced(found.node if found is not None else None, convert, expected)

    def read_text(self, node: Node | None, *path: str) -> Sourced[str]:
        if len(path) == 1 and isinstance(node, MappingNode):
            return self.template.read_text(node.get(path[0]))
        found = self.find(node, *path)
        return self.template.read_text(found.node if found is not None else None)


def _undecided(node: Node) -> MappingNode:
    """A mapping of nothing, where an `Fn::If` of an undecidable condition stands for one or several."""
    return MappingNode((), node.span)


# --- CloudFormation values as request values ------------------------------------------


def template_value(value: Any) -> Any:
    """A resolved template value as a request value: unknown parts become Unresolved (text kept)."""
    if isinstance(value, ResourceValue):
        return Unresolved(f"the generated value of {value.logical_id}.{value.attribute}", str(value), value.logical_id)
    if isinstance(value, Unresolvable):
        return Unresolved(f"{value.reason} is not known", str(value))
    if isinstance(value, Opaque):
        return Unresolved(f"{_describe(value)} is not known until the stack is deployed", str(value))
    if isinstance(value, Partial):
        parts = template_parts(value)
        return concat(parts) if parts is not None else Unresolved("not known until the stack is deployed")
    if isinstance(value, Choice):
        return Unresolved(f"depends on condition {value.condition}")
    if value is NO_VALUE:
        return None
    return value


def _describe(value: Opaque) -> str:
    for prefix in ("Ref:", "GetAtt:"):
        if value.key.startswith(prefix):
            return f"{prefix[:-1]} {value.key[len(prefix):]}"
    return describe_unknown(value)


def template_parts(value: Any) -> list | None:
    """A string-like resolved value as str and Hole parts; None when it is not string-like."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Opaque):
        value = Partial((value,))
    if not isinstance(value, Partial):
        return None
    parts: list = []
    for part in value.parts:
        if isinstance(part, str):
            parts.append(part)
        else:
            unknown = template_value(part)
            parts.append(Hole(str(part), unknown.note, unknown.ref))
    return parts


def template_expression(template: TemplateContext) -> Callable[[Node], Any]:
    """Evaluates CloudFormation intrinsics (and dynamic references) met inside a request."""

    def evaluate(node: Node) -> Any:
        function = intrinsic(node)
        dynamic = isinstance(node, ScalarNode) and isinstance(node.value, str) and "{{resolve:" in node.value
        if function is None and not dynamic:
            return NOT_EXPRESSION
        value = template_value(template.resolve(node))
        if isinstance(value, Unresolved):
            return value
        return Resolved(value, f"resolved from {function}" if function else "")

    return evaluate

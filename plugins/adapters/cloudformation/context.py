"""One template being read: its resources, its resolver, typed value readers.

Every reader returns a `Sourced` value pointing at the property's node, so
a finding lands on the exact line. A value built by an intrinsic function
is resolved as far as the template allows; what stays unknown is UNKNOWN
with the reason in `note`, and an undecidable `Fn::If` keeps its branches
in `options`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Document,
    MappingNode,
    Node,
    Provenance,
    ScalarNode,
    Sourced,
    Span,
)
from plugins import data
from plugins.adapters.cloudformation.intrinsics import (
    NO_VALUE,
    Choice,
    Opaque,
    ParameterValue,
    Partial,
    Resolver,
    ResourceValue,
    Unresolvable,
    is_known,
)
from plugins.adapters.cloudformation.template import SHORT_FORM_TAGS, Resource, intrinsic, resources
from plugins.adapters.aws.written_values import as_bool, as_int, as_str, shown, unreadable_note


@dataclass
class TemplateContext:
    """Read access to one template for the resource readers.

    `extensions` is the run's `[data]` section (`plugins.data.extensions_of`),
    for the facts the readers infer from instance types and images.
    """

    document: Document
    resolver: Resolver
    resources: dict[str, Resource] = field(default_factory=dict)
    extensions: data.Extensions = data.SHIPPED
    # What readers work out over the whole template (`remembered`), once per reading of it.
    _remembered: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        document: Document,
        parameter_values: "Mapping[str, ParameterValue] | None" = None,
        extensions: data.Extensions = data.SHIPPED,
    ) -> "TemplateContext":
        """The template read with its parameters' Defaults, or with the values a stage file gives them.

        A resource whose `Condition` is decided false is not created, and not read; one whose condition cannot be
        decided is read as created.
        """
        root = document.root
        assert isinstance(root, MappingNode)
        resolver = Resolver(root, parameter_values=parameter_values)
        context = cls(document, resolver, extensions=extensions)
        context.resources = {resource.logical_id: resource for resource in resources(document) if _may_be_created(resource, resolver)}
        return context

    @property
    def path(self) -> str:
        return self.document.path

    def remembered(self, key: object, make: Callable[[], Any]) -> Any:
        """`make()`, made on the first call with `key` in this reading of the template: what readers of several
        resources each need of the whole template (its runners, its Batch resources) is worked out once."""
        try:
            return self._remembered[key]
        except KeyError:
            made = self._remembered[key] = make()
            return made

    def deployment_id(self, logical_id: str) -> str:
        return f"{self.document.path}#{logical_id}"

    # --- resolution -----------------------------------------------------------

    def resolve(self, node: Node | None) -> Any:
        """Plain data for a node, intrinsics resolved (see `intrinsics`)."""
        return self.resolver.resolve(node)

    def sourced(self, node: Node | None, convert=None, expected: str = "") -> Sourced:
        """A `Sourced` for a property node, converted by `convert(value) -> value | None`.

        Names (of endpoints, variants, models) are read with `read_text`, so
        that two names built from the same unresolved pieces compare equal.
        A value `convert` rejects is malformed (`raw` keeps it); an unresolved
        intrinsic is UNKNOWN with the reason; a `Choice` keeps its converted
        branches in `options`; `Ref AWS::NoValue` removes the property, so it
        reads as absent (`NOT_WRITTEN`, as a property not written). A value
        that is a parameter's Default (`!Ref InstanceTypeParam`) stays at the
        property, and names the Default in `related`.
        """
        if node is None:
            return NOT_WRITTEN
        if _literal(node):
            # Most values read: no intrinsic, no parameter, resolved to itself.
            value = node.value  # type: ignore[attr-defined]
            converted = convert(value) if convert is not None else value
            if converted is None:
                return Sourced(UNKNOWN, node.span, Provenance.DECLARED, unreadable_note(value, expected), raw=shown(value))
            return Sourced(converted, node.span, Provenance.DECLARED, "")
        function = intrinsic(node)
        value = self.resolve(node)
        if value is NO_VALUE:
            return NOT_WRITTEN
        note = f"resolved from {function}" if function else ""
        related: tuple[tuple[Span, str], ...] = ()
        parameter = self.resolver.parameter_origin(node)
        if parameter is not None:
            name, given, stage = parameter
            if stage:
                # The stage file is not named here: the finding names the stage files it holds under, and
                # findings alike under several stage files are one.
                related = ((given.span, f"{shown(given.value)} is the value of parameter {name} in the stage file"),)
                note = f"resolved from Ref: parameter {name} in {stage}"
            else:
                related = ((given.span, f"{shown(given.value)} is the Default of parameter {name}"),)
                note = f"resolved from Ref: the Default of parameter {name}"
        convert = convert or (lambda item: item)
        if isinstance(value, Choice):
            options = tuple(convert(option) for option in value.options if is_known(option))
            return Sourced(
                UNKNOWN, node.span, Provenance.DECLARED, f"depends on condition {value.condition}", options=options
            )
        if not is_known(value):
            return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"{describe_unknown(value)} is not known")
        converted = convert(value)
        if converted is None:
            return Sourced(UNKNOWN, node.span, Provenance.DECLARED, unreadable_note(value, expected), raw=shown(value), related=related)
        return Sourced(converted, node.span, Provenance.DECLARED, note, related=related)

    def read_str(self, node: Node | None) -> Sourced[str]:
        return self.sourced(node, as_str, "a string")

    def read_text(self, node: Node | None) -> Sourced[str]:
        """A string that may be partly unresolved (an image URI with `${AWS::Region}`).

        The known text is kept with each unknown part shown as `${...}`, since
        what is known (a repository name, a tag) is still a fact.
        """
        if node is None or _literal(node):
            return self.read_str(node)  # resolved to itself: neither Partial nor Opaque
        value = self.resolve(node)
        if isinstance(value, Partial) or (isinstance(value, Opaque) and not isinstance(value, (ResourceValue, Unresolvable))):
            return Sourced(str(value), node.span, Provenance.DECLARED, f"partly unresolved: {value}")  # type: ignore[union-attr]
        return self.read_str(node)

    def read_int(self, node: Node | None) -> Sourced[int]:
        return self.sourced(node, as_int, "an integer")

    def read_bool(self, node: Node | None) -> Sourced[bool]:
        return self.sourced(node, as_bool, "true or false")

    def reference(self, node: Node | None) -> tuple[str | None, Any]:
        """(logical ID, resolved value) of a property naming another resource.

        The logical ID is known when the value is a `Ref`/`GetAtt` of a
        resource in this template; otherwise the resolved value (a name or a
        Partial) is returned for matching by name.
        """
        value = self.resolve(node)
        if isinstance(value, ResourceValue):
            return value.logical_id, value
        return None, value


def _may_be_created(resource: Resource, resolver: Resolver) -> bool:
    condition = resource.node.get("Condition")
    name = condition.value if isinstance(condition, ScalarNode) else None
    return not isinstance(name, str) or resolver.condition(name) is not False


def _literal(node: Node) -> bool:
    """True for a scalar written as itself: no intrinsic function, no dynamic reference (`{{resolve:...}}`).

    The resolver reads it as its own value, names no parameter for it and
    finds nothing else in it, so `sourced` and `read_text` take its value
    without asking the resolver.
    """
    if node.__class__ is not ScalarNode or node.tag in SHORT_FORM_TAGS:
        return False
    value = node.value  # type: ignore[attr-defined]
    return value.__class__ is not str or "{{resolve:" not in value


def describe_unknown(value: Any) -> str:
    """Human words for an unresolved value (for `explain` notes)."""
    if isinstance(value, ResourceValue):
        return f"the generated value of {value.logical_id}.{value.attribute}"
    if isinstance(value, Unresolvable):
        return value.reason
    if isinstance(value, Opaque):
        return value.key
    if isinstance(value, Partial):
        return f"'{value.literal_text}'"
    return "the value"



def unnamed_note(name: Sourced, property_name: str) -> str:
    """Why a resource goes by its logical ID: no name property, or the reason its name is not known."""
    if name.span is None or not name.note:
        return f"no {property_name}"
    return f"{property_name}: {name.note}"


def logical_id_note(name: Sourced, property_name: str) -> str:
    """The note of a name that is the logical ID: `logical ID (no ModelName)`, ... (see `unnamed_note`).

    One copy for the run (`sys.intern`): most resources name no name
    property, and each template would otherwise keep its own copy of the same words.
    """
    return sys.intern(f"logical ID ({unnamed_note(name, property_name)})")


def block(node: Node | None) -> MappingNode | None:
    """A property block (a mapping of settings) as written, or None.

    None also when an intrinsic function builds the block (an `Fn::If` that
    may remove it with `AWS::NoValue`, ...): whether it is set is then not
    known, and readers treat it as not set rather than guess its content.
    """
    return node if isinstance(node, MappingNode) and intrinsic(node) is None else None



def point(span: Span) -> Span:
    """The start of a span (where a finding about a whole block points)."""
    return Span.point(span.path, span.line, span.column)

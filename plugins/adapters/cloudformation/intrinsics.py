"""Resolving CloudFormation intrinsic functions as far as the template allows.

`Resolver.resolve(node)` turns a node into plain Python data where every
part that cannot be known is explicit, never guessed:

- `Opaque(key)`: an unknown value with a stable identity. Two opaques with
  the same key are the same value within one stack (`Ref ModelName` is the
  same unknown everywhere), so they compare equal.
- `ResourceValue(logical_id, attribute)`: a reference to a resource of the
  template (`Ref X`, `GetAtt X.EndpointName`) whose value CloudFormation
  generates; it is what links resources together.
- `Partial(parts)`: a string with opaque holes, e.g. from
  `!Sub endpoint/mlops-${ModelName}-prd/variant/AllTraffic`; two partials
  built from the same pieces are equal, and their literal text can still be
  split and compared.
- `Choice(condition, options)`: an `Fn::If` whose condition cannot be
  decided; both branches are kept.
- `NO_VALUE`: `Ref AWS::NoValue`; it removes the key or item it stands in.
- `Unresolvable(key, reason)`: a value the linter declines to compute, with
  the reason: a circular reference (`EndpointName: !Sub '${E.EndpointName}'`,
  two resources naming each other), intrinsics nested more than
  `MAX_DEPTH` deep, or text longer than `MAX_TEXT` characters. A `Sub`,
  `Join` or `Fn::If` built on one is that unresolvable value too.

Parameters resolve to the value a stage file gives them, else to their
`Default`; conditions are evaluated when their inputs are known (so a stage
file decides `IsProd: !Equals [!Ref StageName, prod]` and the `Fn::If`s
built on it); `{{resolve:...}}` dynamic references stay opaque.

Each `GetAtt X.<Name>` that reads a property of the template is resolved
once per resolver (one template) and remembered. Before a property is
resolved, the properties it references by name are resolved first, in
dependency order and without recursion, so that a chain of thousands of
resources costs one step per resource and gives the same value whichever
resource is read first; a cycle among them is found there (Tarjan's
strongly connected components) and every member is unresolvable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from linter import MappingNode, Node, ScalarNode, SequenceNode, iter_nodes

from plugins.adapters.cloudformation.template import SHORT_FORM_TAGS, intrinsic

__all__ = [
    "Opaque",
    "ResourceValue",
    "Partial",
    "Choice",
    "Unresolvable",
    "NO_VALUE",
    "Resolver",
    "ParameterValue",
    "is_known",
    "text_parts",
    "split_text",
    "MAX_DEPTH",
    "MAX_TEXT",
]

MAX_DEPTH = 64
# Far above any name or ARN; a Join or Sub that doubles a referenced name per
# resource would otherwise build 2**n characters along a chain.
MAX_TEXT = 65_536
# How many members of a reference cycle a reason names before it counts the rest.
_CYCLE_NAMES_SHOWN = 5


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Opaque:
    """A value unknown to the linter, identified by the expression that makes it."""

    key: str

    def __str__(self) -> str:
        # Shown as a Sub variable, the way template authors write it.
        name = self.key.split(":", 1)[1] if self.key.startswith(("Ref:", "GetAtt:")) else self.key
        return "${" + name + "}"


@dataclass(frozen=True)
class ResourceValue(Opaque):
    """`Ref`/`GetAtt` of a resource in the same template (a generated value)."""

    logical_id: str = ""
    attribute: str = ""


@dataclass(frozen=True)
class Unresolvable(Opaque):
    """A value the linter declines to compute; `reason` says why (it reads before "is not known")."""

    reason: str = ""


def _too_deep() -> Unresolvable:
    return Unresolvable("too-deep", f"a value nested more than {MAX_DEPTH} intrinsic functions deep")


def _too_long() -> Unresolvable:
    return Unresolvable("too-long", f"a text longer than {MAX_TEXT:,} characters")


@dataclass(frozen=True)
class Partial:
    """A string with unknown pieces: literal `str` parts and `Opaque` parts."""

    parts: tuple

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)

    @property
    def literal_text(self) -> str:
        """The known text with each hole shown as `${key}` (stable; for comparison and messages)."""
        return str(self)


@dataclass(frozen=True)
class Choice:
    """An `Fn::If` with an undecidable condition: every branch that may apply."""

    condition: str
    options: tuple

    def __str__(self) -> str:
        return " | ".join(_option_text(option) for option in self.options)


def is_known(value: Any) -> bool:
    """True when `value` (and everything inside it) is fully known."""
    if isinstance(value, (Opaque, Partial, Choice)) or value is NO_VALUE:
        return False
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    return True


def text_parts(value: Any) -> tuple | None:
    """A string-like value as parts (str and Opaque), or None if not string-like."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Partial):
        return value.parts
    if isinstance(value, Opaque):
        return (value,)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
        return (text,) if text is not None else None
    return None


def _option_text(option: Any) -> str:
    if isinstance(option, int) and not isinstance(option, bool):
        text = _number_text(option)
        return text if text is not None else "${too-long}"
    return str(option)


def _number_text(value: int | float) -> str | None:
    """A number as CloudFormation writes it into text; None for an integer too long to print."""
    try:
        return str(value)
    except ValueError:  # beyond Python's int-to-str digit limit (a long hexadecimal literal)
        return None


def split_text(value: Any, separator: str) -> list | None:
    """Split a string-like value on a literal separator, keeping unknown parts.

    Each segment is a str, or a Partial/Opaque when it contains unknown
    parts. None when the value is not string-like.
    """
    parts = text_parts(value)
    if parts is None:
        return None
    segments: list[list] = [[]]
    for part in parts:
        if isinstance(part, str):
            pieces = part.split(separator)
            segments[-1].append(pieces[0])
            for piece in pieces[1:]:
                segments.append([piece])
        else:
            segments[-1].append(part)
    return [_concat(segment) if segment else "" for segment in segments]


def _concat(parts: list) -> Any:
    """Join parts into a str when all are known, else a normalised Partial.

    An `Unresolvable` part makes the whole unresolvable; so does a result
    longer than `MAX_TEXT` (each unknown part counts as one character).
    """
    merged: list = []
    length = 0
    for part in parts:
        if isinstance(part, Unresolvable):
            return part
        if isinstance(part, Partial):
            pieces = list(part.parts)
        else:
            pieces = [part]
        for piece in pieces:
            length += len(piece) if isinstance(piece, str) else 1
            if length > MAX_TEXT:
                return _too_long()
            if isinstance(piece, str) and merged and isinstance(merged[-1], str):
                merged[-1] += piece
            elif piece != "":
                merged.append(piece)
    if all(isinstance(piece, str) for piece in merged):
        return "".join(merged)
    if len(merged) == 1:
        return merged[0]
    return Partial(tuple(merged))


_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}|\$\{!([^}]*)\}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]+\}\}")

# Pseudo parameters that are unknown until deployment; AWS::NoValue is special.
_PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}


@dataclass(frozen=True)
class ParameterValue:
    """A value given to a template parameter from outside the template (a stage file).

    `node` is where it is written; its value None means it is not known
    (`UsePreviousValue`). `source` names where it comes from, for messages
    (`prod-config.json`).
    """

    node: ScalarNode
    source: str


class Resolver:
    """Resolves intrinsic functions within one template.

    `region`, when given, makes `AWS::Region` known. `parameter_values`
    gives parameters the values of a stage file, which win over their
    `Default`s (only for parameters the template declares).
    """

    def __init__(
        self, root: MappingNode, region: str | None = None, parameter_values: "Mapping[str, ParameterValue] | None" = None
    ) -> None:
        self.root = root
        self.region = region
        self.parameters = _section(root, "Parameters")
        self.parameter_values = dict(parameter_values or {})
        self.conditions = _section(root, "Conditions")
        self.mappings = _section(root, "Mappings")
        self.resources = _section(root, "Resources")
        self._condition_cache: dict[str, bool | None] = {}
        self._evaluating: set[str] = set()
        # (logical ID, attribute) -> its resolved value, and those being resolved (in order).
        self._attributes: dict[tuple[str, str], Any] = {}
        self._resolving: dict[tuple[str, str], None] = {}
        self._references: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}

    # --- public API -----------------------------------------------------------

    def resolve(self, node: Node | None, depth: int = 0) -> Any:
        """Plain data for `node` with intrinsics resolved (see the module docstring)."""
        if node is None:
            return None
        if depth > MAX_DEPTH:
            return _too_deep()
        function = intrinsic(node)
        if function is not None:
            if node.__class__ is ScalarNode and function in _TEXT_ARGUMENT:
                return self._call(function, node, depth + 1)  # `!Ref name`, `!GetAtt a.b`: see _TEXT_ARGUMENT
            return self._call(function, _argument(node), depth + 1)
        if isinstance(node, ScalarNode):
            value = node.value
            if isinstance(value, str) and "{{resolve:" in value:
                return self._dynamic(value)
            return value
        if isinstance(node, MappingNode):
            result = {}
            for key, item in node.pairs:
                resolved = self.resolve(item, depth + 1)
                if resolved is not NO_VALUE:
                    result[key.value] = resolved
            return result
        if isinstance(node, SequenceNode):
            items = [self.resolve(item, depth + 1) for item in node.items]
            return [item for item in items if item is not NO_VALUE]
        return None

    def chosen(self, node: Node | None) -> Node | None:
        """The node an `Fn::If` (or a chain of them) stands for where its conditions are decided: the branch's node,
        None for `Ref AWS::NoValue` (the property or item is removed); `node` itself for any other node, and for an
        `Fn::If` whose condition cannot be decided (a reader then sees the intrinsic it cannot read)."""
        for _ in range(MAX_DEPTH):
            function = intrinsic(node)
            if function == "Ref":
                return None if self.resolve(node) is NO_VALUE else node
            if function != "Fn::If":
                return node
            argument = _argument(node)  # type: ignore[arg-type]
            if not (isinstance(argument, SequenceNode) and len(argument) == 3 and isinstance(argument[0], ScalarNode)):
                return node
            name = argument[0].value
            truth = self.condition(name) if isinstance(name, str) else None
            if truth is None:
                return node
            node = argument[1] if truth else argument[2]
        return node

    def condition(self, name: str) -> bool | None:
        """The truth of a named condition, or None when it cannot be decided."""
        if name in self._condition_cache:
            return self._condition_cache[name]
        if name in self._evaluating or self.conditions is None:
            return None
        node = self.conditions.get(name)
        if node is None:
            return None
        self._evaluating.add(name)
        try:
            result = self._truth(self.resolve(node))
        finally:
            self._evaluating.discard(name)
        self._condition_cache[name] = result
        return result

    def parameter_default(self, node: Node | None) -> tuple[str, ScalarNode] | None:
        """(parameter name, its `Default` node) when `node` is a `Ref` that resolves to a parameter's Default.

        Where the value came from, for findings to point at as well: None
        for anything else (a literal, another function, a parameter without
        a Default or one whose Default is not its value, such as an SSM
        parameter's, or one a stage file sets).
        """
        origin = self.parameter_origin(node)
        if origin is None or origin[2]:
            return None
        return origin[0], origin[1]

    def parameter_origin(self, node: Node | None) -> tuple[str, ScalarNode, str] | None:
        """(parameter name, the node its value is written at, the stage file or "") for a `Ref` to a parameter.

        The node is the stage file's value when a stage file sets the
        parameter (its name is then the third item), else the parameter's
        `Default` (third item ""). None for anything else, and when the
        value is not known (an SSM parameter's name, `UsePreviousValue`).
        """
        if node is None or intrinsic(node) != "Ref":
            return None
        argument = node if node.__class__ is ScalarNode else _argument(node)  # `!Ref name`: its text is the name
        name = argument.value if isinstance(argument, ScalarNode) else None
        parameter = self.parameters.get(name) if self.parameters is not None and isinstance(name, str) else None
        if not isinstance(parameter, MappingNode) or isinstance(self._ref(name), Opaque):  # type: ignore[arg-type]
            return None
        given = self.parameter_values.get(name)  # type: ignore[arg-type]
        if given is not None:
            return name, given.node, given.source  # type: ignore[return-value]
        default = parameter.get("Default")
        if not isinstance(default, ScalarNode):
            return None
        return name, default, ""  # type: ignore[return-value]

    # --- functions ------------------------------------------------------------

    def _call(self, function: str, argument: Node | None, depth: int) -> Any:
        handler = getattr(self, _handler_name(function), None)
        if handler is None or argument is None:
            return Opaque(f"{function}")
        try:
            return handler(argument, depth)
        except (IndexError, KeyError, TypeError, ValueError):
            return Opaque(f"{function}(malformed)")

    def _fn_ref(self, argument: Node, depth: int) -> Any:
        name = argument.value if isinstance(argument, ScalarNode) else None
        if not isinstance(name, str):
            return Opaque("Ref(malformed)")
        return self._ref(name)

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Region" and self.region:
            return self.region
        if name in _PSEUDO_PARAMETERS:
            return Opaque(name)
        if self.parameters is not None and name in self.parameters:
            parameter = self.parameters.get(name)
            given = self.parameter_values.get(name)
            default = given.node if given is not None else parameter.get("Default") if isinstance(parameter, MappingNode) else None
            if isinstance(default, ScalarNode) and default.value is not None:
                kind = parameter.get("Type") if isinstance(parameter, MappingNode) else None
                if isinstance(kind, ScalarNode) and isinstance(kind.value, str) and (
                    kind.value.startswith("AWS::SSM::Parameter") or kind.value.startswith("List<")
                ):
                    return Opaque(f"Ref:{name}")  # SSM parameters hold a name, not the value
                return default.value
            return Opaque(f"Ref:{name}")
        if self.resources is not None and name in self.resources:
            return ResourceValue(f"{name}.Ref", name, "Ref")
        return Opaque(f"Ref:{name}")

    def _fn_getatt(self, argument: Node, depth: int) -> Any:
        if isinstance(argument, ScalarNode) and isinstance(argument.value, str):
            logical_id, _, attribute = argument.value.partition(".")
        elif isinstance(argument, SequenceNode) and len(argument) == 2:
            logical_id = self.resolve(argument[0], depth)
            attribute = self.resolve(argument[1], depth)
        else:
            return Opaque("GetAtt(malformed)")
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Opaque("GetAtt(unresolved)")
        if self.resources is not None and logical_id in self.resources:
            return self._attribute(logical_id, attribute, depth)
        return Opaque(f"GetAtt:{logical_id}.{attribute}")

    def _attribute(self, logical_id: str, attribute: str, depth: int) -> Any:
        """A resource attribute: the property of the same name when the template sets it.

        `GetAtt Endpoint.EndpointName` is the endpoint's `EndpointName`
        property when written (CloudFormation returns the name it was given);
        otherwise the value is generated at deploy time. Resolved once and
        remembered; see the module docstring for cycles and chains.
        """
        key = (logical_id, attribute)
        if key in self._attributes:
            return self._attributes[key]
        if self._named_property(key) is None:
            return ResourceValue(f"{logical_id}.{attribute}", logical_id, attribute)
        if key in self._resolving:  # a cycle the static scan could not see (a computed GetAtt)
            members = list(self._resolving)
            return self._circular(members[members.index(key) :])
        self._resolve_references_first(key, depth)
        if key not in self._attributes:
            self._attributes[key] = self._resolve_attribute(key, depth)
        return self._attributes[key]

    def _named_property(self, key: tuple[str, str]) -> Node | None:
        """The property node that `GetAtt logical_id.attribute` reads, or None when it is generated."""
        logical_id, attribute = key
        resource = self.resources.get(logical_id) if self.resources is not None else None
        properties = resource.get("Properties") if isinstance(resource, MappingNode) else None
        if isinstance(properties, MappingNode) and attribute.endswith("Name") and attribute in properties:
            return properties.get(attribute)
        return None

    def _resolve_attribute(self, key: tuple[str, str], depth: int) -> Any:
        self._resolving[key] = None
        try:
            value = self.resolve(self._named_property(key), depth)
        finally:
            del self._resolving[key]
        if isinstance(value, (str, Partial)) or (isinstance(value, Opaque) and not isinstance(value, ResourceValue)):
            return value
        return ResourceValue(f"{key[0]}.{key[1]}", key[0], key[1])

    def _references_of(self, key: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        """The named properties that `key`'s property reads by a literal `GetAtt` or `Sub` variable."""
        if key not in self._references:
            found: dict[tuple[str, str], None] = {}
            node = self._named_property(key)
            for inner in iter_nodes(node) if node is not None else ():
                for name in _literal_attribute_names(inner):
                    logical_id, _, attribute = name.partition(".")
                    if self._named_property((logical_id, attribute)) is not None:
                        found[(logical_id, attribute)] = None
            self._references[key] = tuple(found)
        return self._references[key]

    def _resolve_references_first(self, start: tuple[str, str], depth: int) -> None:
        """Resolve what `start` references, dependencies first, each cycle marked unresolvable.

        Tarjan's algorithm, iterative: it emits each strongly connected
        component after every component it references, which is the order
        to resolve them in. A component of several members, or one that
        references itself, is a cycle.
        """
        index: dict[tuple[str, str], int] = {}
        low: dict[tuple[str, str], int] = {}
        stack: list[tuple[str, str]] = []
        on_stack: set[tuple[str, str]] = set()
        work = [(start, iter(self._references_of(start)))]
        index[start] = low[start] = 0
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor in self._attributes or successor in self._resolving:
                    continue  # done, or an outer resolution in progress (its cycle shows there)
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(self._references_of(successor))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index[node]:
                continue
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            component.reverse()
            if len(component) > 1 or node in self._references_of(node):
                circular = self._circular(component)
                for member in component:
                    self._attributes[member] = circular
            elif node != start:
                self._attributes[node] = self._resolve_attribute(node, depth)

    def _circular(self, members: list[tuple[str, str]]) -> Unresolvable:
        """The value of every member of a cycle (members in reference order)."""
        # Named from the member written first, whichever member was read first.
        order = {logical_id: position for position, logical_id in enumerate(self.resources.keys())} if self.resources is not None else {}
        first = min(range(len(members)), key=lambda position: (order.get(members[position][0], 0), members[position]))
        members = members[first:] + members[:first]
        names = [f"{logical_id}.{attribute}" for logical_id, attribute in members]
        if len(names) == 1:
            cycle = f"{names[0]} refers to itself"
        elif len(names) <= _CYCLE_NAMES_SHOWN:
            cycle = " → ".join(names + names[:1])
        else:
            cycle = " → ".join(names[:_CYCLE_NAMES_SHOWN]) + f" → … ({len(names):,} names in the cycle)"
        return Unresolvable("circular:" + names[0], f"a value in a circular reference ({cycle})")

    def _fn_sub(self, argument: Node, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(argument, SequenceNode) and len(argument) == 2:
            template = argument[0].value if isinstance(argument[0], ScalarNode) else None
            mapping = argument[1]
            if isinstance(mapping, MappingNode):
                variables = {str(key.value): self.resolve(value, depth) for key, value in mapping.pairs}
        else:
            template = argument.value if isinstance(argument, ScalarNode) else None
        if not isinstance(template, str):
            return Opaque("Sub(malformed)")
        parts: list = []
        position = 0
        for match in _SUB_VARIABLE.finditer(template):
            parts.append(template[position : match.start()])
            position = match.end()
            if match.group(2) is not None:  # ${!Literal} stands for "${Literal}"
                parts.append("${" + match.group(2) + "}")
                continue
            name = match.group(1).strip()
            if name in variables:
                parts.append(variables[name])
            elif "." in name and not name.startswith("AWS::"):
                logical_id, _, attribute = name.partition(".")
                if self.resources is not None and logical_id in self.resources:
                    parts.append(self._attribute(logical_id, attribute, depth))
                else:
                    parts.append(Opaque(f"GetAtt:{name}"))
            else:
                parts.append(self._ref(name))
        parts.append(template[position:])
        flat = []
        for part in parts:
            if isinstance(part, (str, Opaque, Partial)):
                flat.append(part)
            elif isinstance(part, (int, float)) and not isinstance(part, bool) and _number_text(part) is not None:
                flat.append(_number_text(part))
            else:
                flat.append(Opaque("Sub(value)"))
        return _concat(flat)

    def _fn_join(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) == 2):
            return Opaque("Join(malformed)")
        separator = self.resolve(argument[0], depth)
        items = self.resolve(argument[1], depth)
        if not isinstance(separator, str) or not isinstance(items, list):
            return Opaque("Join(unresolved)")
        parts: list = []
        for index, item in enumerate(items):
            if index:
                parts.append(separator)
            pieces = text_parts(item)
            parts.extend(pieces if pieces is not None else [Opaque("Join(item)")])
        return _concat(parts)

    def _fn_select(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) == 2):
            return Opaque("Select(malformed)")
        index = self.resolve(argument[0], depth)
        items = self.resolve(argument[1], depth)
        if isinstance(index, str) and index.isdigit():
            index = int(index)
        if isinstance(index, int) and isinstance(items, list) and 0 <= index < len(items):
            return items[index]
        if isinstance(index, int) and isinstance(items, Opaque):
            # The same element of the same unknown list is the same value
            # (two subnets in `!Select [0, !GetAZs '']` share a zone).
            return Opaque(f"Select:{index}:{items.key}")
        return Opaque("Select(unresolved)")

    def _fn_split(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) == 2):
            return Opaque("Split(malformed)")
        separator = self.resolve(argument[0], depth)
        source = self.resolve(argument[1], depth)
        if isinstance(separator, str) and separator and isinstance(source, str):
            return source.split(separator)
        return Opaque("Split(unresolved)")

    def _fn_if(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) == 3):
            return Opaque("If(malformed)")
        name = argument[0].value if isinstance(argument[0], ScalarNode) else None
        if not isinstance(name, str):
            return Opaque("If(malformed)")
        truth = self.condition(name)
        if truth is True:
            return self.resolve(argument[1], depth)
        if truth is False:
            return self.resolve(argument[2], depth)
        options = (self.resolve(argument[1], depth), self.resolve(argument[2], depth))
        for option in options:
            if isinstance(option, Unresolvable):
                return option
        if options[0] == options[1]:
            return options[0]
        return Choice(name, options)

    def _fn_findinmap(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) >= 3) or self.mappings is None:
            return Opaque("FindInMap(unresolved)")
        keys = [self.resolve(item, depth) for item in argument.items[:3]]
        node: Node | None = self.mappings
        for key in keys:
            if not isinstance(key, (str, int)) or not isinstance(node, MappingNode):
                return Opaque("FindInMap(unresolved)")
            node = node.get(key)
            if node is None:
                break
        if node is not None:
            return self.resolve(node, depth)
        if len(argument) == 4 and isinstance(argument[3], MappingNode):  # DefaultValue (LanguageExtensions)
            return self.resolve(argument[3].get("DefaultValue"), depth)
        return Opaque("FindInMap(missing)")

    def _fn_importvalue(self, argument: Node, depth: int) -> Any:
        name = self.resolve(argument, depth)
        return Opaque(f"ImportValue:{name}")

    def _fn_base64(self, argument: Node, depth: int) -> Any:
        return Opaque("Base64")

    def _fn_getazs(self, argument: Node, depth: int) -> Any:
        region = self.resolve(argument, depth)
        return Opaque(f"GetAZs:{region if isinstance(region, str) and region else 'AWS::Region'}")

    def _fn_cidr(self, argument: Node, depth: int) -> Any:
        return Opaque("Cidr")

    def _fn_tojsonstring(self, argument: Node, depth: int) -> Any:
        import json

        value = self.resolve(argument, depth)
        if is_known(value):
            return json.dumps(value, separators=(",", ":"))
        return Opaque("ToJsonString(unresolved)")

    def _fn_length(self, argument: Node, depth: int) -> Any:
        value = self.resolve(argument, depth)
        return len(value) if isinstance(value, list) else Opaque("Length(unresolved)")

    def _fn_equals(self, argument: Node, depth: int) -> Any:
        if not (isinstance(argument, SequenceNode) and len(argument) == 2):
            return None
        left, right = (self.resolve(item, depth) for item in argument.items)
        if is_known(left) and is_known(right):
            return _normal(left) == _normal(right)
        if isinstance(left, (Opaque, Partial)) and left == right:
            return True
        return None

    def _fn_not(self, argument: Node, depth: int) -> Any:
        inner = argument[0] if isinstance(argument, SequenceNode) and len(argument) == 1 else argument
        truth = self._truth(self.resolve(inner, depth))
        return None if truth is None else not truth

    def _fn_and(self, argument: Node, depth: int) -> Any:
        truths = [self._truth(self.resolve(item, depth)) for item in _items(argument)]
        if any(truth is False for truth in truths):
            return False
        return True if truths and all(truth is True for truth in truths) else None

    def _fn_or(self, argument: Node, depth: int) -> Any:
        truths = [self._truth(self.resolve(item, depth)) for item in _items(argument)]
        if any(truth is True for truth in truths):
            return True
        return False if truths and all(truth is False for truth in truths) else None

    def _fn_condition(self, argument: Node, depth: int) -> Any:
        name = argument.value if isinstance(argument, ScalarNode) else None
        return self.condition(name) if isinstance(name, str) else None

    # --- helpers --------------------------------------------------------------

    @staticmethod
    def _truth(value: Any) -> bool | None:
        return value if isinstance(value, bool) else None

    def _dynamic(self, text: str) -> Any:
        parts: list = []
        position = 0
        for match in _DYNAMIC_REFERENCE.finditer(text):
            parts.append(text[position : match.start()])
            parts.append(Opaque(match.group()[2:-2]))
            position = match.end()
        parts.append(text[position:])
        return _concat(parts)


def _section(root: MappingNode, name: str) -> MappingNode | None:
    node = root.get(name)
    return node if isinstance(node, MappingNode) else None


@lru_cache(maxsize=256)
def _handler_name(function: str) -> str:
    """The `Resolver` method that evaluates `function` (`Fn::GetAtt` -> `_fn_getatt`), worked out once per spelling."""
    return "_fn_" + function.replace("Fn::", "").lower()


# Functions whose handler reads only the text of a scalar argument (`_fn_ref`, `_fn_getatt`): a short
# form's node (`!Ref name`) is given to it as it is, not copied into an untagged argument node first.
_TEXT_ARGUMENT = frozenset({"Ref", "Fn::GetAtt"})


def _argument(node: Node) -> Node | None:
    """The argument of an intrinsic in short (`!Ref x`) or long (`{Ref: x}`) form."""
    if node.tag in SHORT_FORM_TAGS:
        if isinstance(node, ScalarNode):
            return ScalarNode(node.value, node.span, "str", node.style)
        if isinstance(node, MappingNode):
            return MappingNode(node.pairs, node.span)
        if isinstance(node, SequenceNode):
            return SequenceNode(node.items, node.span)
    if isinstance(node, MappingNode) and len(node) == 1:
        return node.pairs[0][1]
    return None


def _literal_attribute_names(node: Node) -> tuple[str, ...]:
    """`X.Attr` names that a `GetAtt` or `Sub` node reads, when written literally."""
    function = intrinsic(node)
    if function not in ("Fn::GetAtt", "Fn::Sub"):
        return ()
    argument = _argument(node)
    if function == "Fn::GetAtt":
        if isinstance(argument, ScalarNode) and isinstance(argument.value, str):
            return (argument.value,)
        if isinstance(argument, SequenceNode) and len(argument) == 2:
            parts = [item.value if isinstance(item, ScalarNode) else None for item in argument.items]
            if all(isinstance(part, str) for part in parts):
                return (f"{parts[0]}.{parts[1]}",)
        return ()
    variables: set = set()
    template = argument
    if isinstance(argument, SequenceNode) and len(argument) == 2:
        template = argument[0]
        if isinstance(argument[1], MappingNode):
            variables = {str(key.value) for key, _ in argument[1].pairs}
    if not (isinstance(template, ScalarNode) and isinstance(template.value, str)):
        return ()
    names = []
    for match in _SUB_VARIABLE.finditer(template.value):
        name = (match.group(1) or "").strip()
        if "." in name and name not in variables and not name.startswith("AWS::"):
            names.append(name)
    return tuple(names)


def _items(argument: Node) -> tuple:
    return argument.items if isinstance(argument, SequenceNode) else (argument,)


def _normal(value: Any) -> Any:
    """CloudFormation compares strings: `Equals [!Ref Count, "2"]` holds for a Count of 2."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value

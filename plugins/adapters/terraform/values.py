"""Evaluating Terraform expressions of one module as far as the module decides them, never guessing.

A `Module` is one directory's configuration: its variables (a value from an
automatically loaded tfvars file, else the default, typed by the
variable's `type` so that `optional()` attributes are filled), its locals,
its resources. `Module.evaluate(expression, scope)` returns plain data
(str, int, float, bool, None, list, dict) where every part it cannot know
is an `Unknown` with the reason, and a `ResourceInstance` for a whole
resource named in an expression. What a value was read through (a
variable's default, a tfvars entry, a local) is collected as related
locations (`Evaluation.related`).

Evaluated: literals, templates, `var.`/`local.`/`<type>.<name>.<attr>`
references (an attribute a resource does not write is what AWS or
Terraform computes: unknown, but it names the resource, which links
resources), `count.index`, `each.key`/`each.value`, a dynamic block's
iterator, conditionals (both options kept when the condition is not
decided), arithmetic, comparison and logic operators, and the functions
`merge`, `lookup`, `try`, `coalesce`, `tostring`, `tonumber`, `lower`,
`upper`, `length`, `contains`, `replace` (of a substring), `jsonencode` (a partly known value: an unknown text
that keeps the value, for arguments holding a JSON document), `concat`, `flatten`, `keys`, `values`, `element`,
`join`, `split`, `format` (its `%s`, `%v`, `%d` and `%%` verbs), `min`, `max`, `tomap`, `tolist`, `toset`, `can`,
`startswith`, `endswith`, `trimspace`, and `for` expressions over a known collection (a condition or key not known
makes the whole result unknown). Data sources, module outputs and any other function are unknown. Nothing is
executed, no file is read.

Bounds: locals are evaluated in dependency order (a chain of thousands
costs one step each, and a reference cycle makes every member unknown);
references nest at most `MAX_DEPTH` deep; text longer than `MAX_TEXT` and
collections with more than `MAX_ITEMS` elements are unknown; the `for`
expressions of one module reading evaluate at most `MAX_ITERATIONS`
expressions together (past that, each is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from linter import MappingNode, Node, ScalarNode, SequenceNode, Span

from plugins.adapters.terraform.hcl import (
    Attribute,
    Call,
    Conditional,
    Expression,
    ForExpr,
    Literal,
    ObjectExpr,
    Opaque,
    Operation,
    Reference,
    Template,
    TupleExpr,
)

__all__ = ["is_", "instances", "instance_address", "Unknown", "EvalError", "ResourceInstance", "Resource", "Variable", "Module", "Scope", "Evaluation", "MAX_DEPTH", "MAX_TEXT", "MAX_ITEMS", "MAX_ITERATIONS"]

MAX_DEPTH = 64
MAX_TEXT = 65_536
MAX_ITEMS = 10_000
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class Unknown:
    """A value not known where it is written: `note` says why; `text` shows a string with its unknown parts as `${...}`.

    `ref` is the address of the resource it is an attribute of (for linking);
    `options` the values of both branches of an undecided conditional;
    `parts` a partly known string as its literal and unknown pieces.
    """

    note: str
    text: str | None = None
    ref: str | None = None
    options: tuple = ()
    parts: tuple = ()
    index: Any = None  # with `ref`: the instance (count index, for_each key) the attribute is of, when known
    encoded: Any = None  # the value `jsonencode()` encoded, when it is only partly known (the JSON text is not)


@dataclass(frozen=True)
class EvalError:
    """An expression Terraform itself would refuse (an index past the end, a resource that is not created)."""

    message: str


@dataclass(frozen=True)
class ResourceInstance:
    """A resource named as a whole (`aws_sagemaker_model.m[0]`): its attributes are read on access."""

    resource: "Resource"
    index: Any = None  # the count index or for_each key, when known


@dataclass(frozen=True)
class Scope:
    """Names bound where an expression sits: `count`, `each`, dynamic-block iterators."""

    bindings: Mapping[str, Any] = field(default_factory=dict)
    resource: "Resource | None" = None

    def bind(self, **names: Any) -> "Scope":
        return Scope({**self.bindings, **names}, self.resource)


@dataclass
class Resource:
    """A `resource` block: its address, body, and whether it is created."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: MappingNode
    path: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.kind == "resource" else f"data.{self.type}.{self.name}"


@dataclass
class Variable:
    """A `variable` block, and the value given to it: a tfvars entry (`value_node`), or a module call's argument (`given`)."""

    name: str
    node: MappingNode | None
    value_node: Node | None  # a tfvars entry
    value_origin: str  # "the tfvars file x" or ""
    given: "Evaluation | None" = None  # an argument of the module call, evaluated in the calling module


@dataclass(frozen=True)
class Evaluation:
    value: Any
    related: tuple[tuple[Span, str], ...] = ()


class _TooDeep(Exception):
    pass


class _Exhausted(Exception):
    """The `for` expressions of a reading went past MAX_ITERATIONS."""


_IN_PROGRESS = object()


def _absent_resource(address: str, count: Any) -> EvalError:
    return EvalError(f"{address} is not created (count = {count})")


class Module:
    """One directory's configuration, evaluated on demand and memoised."""

    def __init__(self, variables: Iterable[Variable], locals_: Mapping[str, tuple[ScalarNode, Node]], resources: Iterable[Resource]) -> None:
        self.variables = {variable.name: variable for variable in variables}
        self.locals = dict(locals_)
        self.resources = {(resource.type, resource.name): resource for resource in resources if resource.kind == "resource"}
        self.data = {(resource.type, resource.name): resource for resource in resources if resource.kind == "data"}
        self._variable_memo: dict[str, Evaluation] = {}
        self._local_memo: dict[str, Any] = {}
        self._attribute_memo: dict[tuple, Any] = {}
        self._depth = 0
        self._iterations = 0  # expressions evaluated inside `for` expressions in this reading (MAX_ITERATIONS)
        self._in_for = 0
        self._related: list[tuple[Span, str]] = []
        self._resolve_locals_in_order()

    # --- entry points -------------------------------------------------------------------

    def evaluate(self, expression: Expression | Node | None, scope: Scope = Scope()) -> Evaluation:
        """The value of an expression (or an attribute node), with the places it was read through."""
        saved, self._related = self._related, []
        try:
            value = self._node(expression, scope) if not isinstance(expression, Expression) else self._expr(expression, scope)
        except _TooDeep:
            value = Unknown(f"references nested more than {MAX_DEPTH} deep")
        except RecursionError:
            value = Unknown("an expression nested too deeply to evaluate")
        related = _few(self._related)
        self._related = saved
        if isinstance(value, EvalError):
            value = Unknown(f"Terraform cannot evaluate it: {value.message}")
        return Evaluation(value, related)

    def count_of(self, resource: Resource) -> Any:
        """The resource's `count` (an int, Unknown), or None when it has no count; memoised (a count may name other resources)."""
        return self._meta(resource, "count", self._count_of)

    def for_each_of(self, resource: Resource) -> Any:
        """The resource's `for_each` collection (dict, list, Unknown), or None when it has none; memoised."""
        return self._meta(resource, "for_each", self._for_each_of)

    def _meta(self, resource: Resource, name: str, read) -> Any:
        key = (resource.address, "meta:" + name)
        memo = self._attribute_memo.get(key)
        if memo is _IN_PROGRESS:
            return Unknown(f"{name} of {resource.address} refers to itself")
        if memo is not None:
            return memo[0]
        self._attribute_memo[key] = _IN_PROGRESS
        try:
            value = read(resource)
        finally:
            del self._attribute_memo[key]
        self._attribute_memo[key] = (value, ())
        return value

    def _count_of(self, resource: Resource) -> Any:
        node = resource.body.get("count")
        if node is None:
            return None
        value = self.evaluate(node, Scope(resource=resource)).value
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                return Unknown(f"count {value!r} is not a number")
        if isinstance(value, bool) or not isinstance(value, (int, float, Unknown)):
            return Unknown("count is not a number")
        if isinstance(value, float):
            if not value.is_integer():  # inf and nan too
                return Unknown(f"count {value} is not a whole number")
            value = int(value)
        if isinstance(value, int) and not 0 <= value <= MAX_ITEMS:
            return Unknown(f"count {value} is outside what is read (0 to {MAX_ITEMS:,})")
        return value

    def _for_each_of(self, resource: Resource) -> Any:
        node = resource.body.get("for_each")
        if node is None:
            return None
        return self.evaluate(node, Scope(resource=resource)).value

    def is_created(self, resource: Resource) -> bool | None:
        """False when count is decided 0 or for_each decided empty; None when undecided; True otherwise."""
        count = self.count_of(resource)
        if isinstance(count, int):
            return count > 0
        if isinstance(count, Unknown):
            return None
        for_each = self.for_each_of(resource)
        if isinstance(for_each, (dict, list)):
            return len(for_each) > 0
        if isinstance(for_each, Unknown):
            return None
        return True

    def instance_scope(self, resource: Resource) -> Scope:
        """The scope a resource's body is read in: `count.index`/`each` known when there is one instance."""
        count = self.count_of(resource)
        if count is not None:
            index = 0 if count == 1 else Unknown("count.index: the resource has several instances" if isinstance(count, int) else "count.index of a count not known")
            return Scope({"count": {"index": index}}, resource)
        for_each = self.for_each_of(resource)
        if for_each is not None:
            items = _for_each_items(for_each)
            if items is not None and len(items) == 1:
                key, value = items[0]
                return Scope({"each": {"key": key, "value": value}}, resource)
            note = "each.key/each.value: the resource has several instances" if items is not None else "each of a for_each not known"
            return Scope({"each": {"key": Unknown(note), "value": Unknown(note)}}, resource)
        return Scope(resource=resource)

    # --- nodes and expressions ------------------------------------------------------------

    def _node(self, node: Node | None, scope: Scope) -> Any:
        if node is None:
            return None
        if isinstance(node, Attribute):
            return self._expr(node.expression, scope)
        if isinstance(node, ScalarNode):  # a value of a JSON file (tfvars.json)
            return node.value
        if isinstance(node, MappingNode):
            return {str(key.value): self._node(value, scope) for key, value in node.pairs}
        if isinstance(node, SequenceNode):
            return [self._node(item, scope) for item in node.items]
        return Unknown("an unreadable value")

    def _expr(self, expression: Expression, scope: Scope) -> Any:
        if self._in_for:
            self._iterations += 1
            if self._iterations > MAX_ITERATIONS:
                raise _Exhausted()
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH * 4:
                raise _TooDeep()
            return self._dispatch(expression, scope)
        finally:
            self._depth -= 1

    def _dispatch(self, expression: Expression, scope: Scope) -> Any:
        if isinstance(expression, Literal):
            return expression.value
        if isinstance(expression, Template):
            return self._template(expression, scope)
        if isinstance(expression, Reference):
            return self._reference(expression, scope)
        if isinstance(expression, Conditional):
            return self._conditional(expression, scope)
        if isinstance(expression, Operation):
            return self._operation(expression, scope)
        if isinstance(expression, TupleExpr):
            if len(expression.items) > MAX_ITEMS:
                return Unknown("a list too long to read")
            return [self._expr(item, scope) for item in expression.items]
        if isinstance(expression, ObjectExpr):
            result: dict[str, Any] = {}
            for key_expression, value_expression in expression.items:
                key = self._expr(key_expression, scope)
                if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                    return Unknown(f"an object key not known ({key_expression.text})")
                result[str(key)] = self._expr(value_expression, scope)
            return result
        if isinstance(expression, Call):
            return self._call(expression, scope)
        if isinstance(expression, ForExpr):
            return self._for(expression, scope)
        if isinstance(expression, Opaque):
            return Unknown(f"{expression.kind} is not evaluated", "${" + expression.text + "}")
        return Unknown("an expression not evaluated")

    def _template(self, expression: Template, scope: Scope) -> Any:
        parts: list[Any] = []
        for part in expression.parts:
            if isinstance(part, str):
                parts.append(part)
                continue
            value = self._expr(part, scope)
            if isinstance(value, EvalError):
                return value
            if isinstance(value, Unknown):
                parts.append(value if value.parts or value.text else Unknown(value.note, "${" + part.text + "}", value.ref))
            elif isinstance(value, bool):
                parts.append("true" if value else "false")
            elif isinstance(value, (str, int, float)):
                parts.append(_number_text(value) if not isinstance(value, str) else value)
            elif value is None:
                return EvalError(f"{part.text} is null in a string template")
            else:
                return Unknown(f"{part.text} is not a string", "${" + part.text + "}")
        return join_parts(parts)

    # --- references ---------------------------------------------------------------------

    def _reference(self, expression: Reference, scope: Scope) -> Any:
        steps = list(expression.steps)
        root = expression.root
        if root == "" and steps and steps[0][0] == "base":
            value = self._expr(steps.pop(0)[1], scope)
            return self._steps(value, steps, expression, scope)
        if root in scope.bindings:
            return self._steps(scope.bindings[root], steps, expression, scope)
        if root == "var":
            if not steps or steps[0][0] != "attr":
                return Unknown(f"{expression.text} is not a variable reference")
            return self._steps(self._variable(steps[0][1]), steps[1:], expression, scope)
        if root == "local":
            if not steps or steps[0][0] != "attr":
                return Unknown(f"{expression.text} is not a local reference")
            return self._steps(self._local(steps[0][1]), steps[1:], expression, scope)
        if root in ("count", "each"):
            return Unknown(f"{expression.text} outside a resource with {root}")
        if root == "data":
            return Unknown(f"read from a data source when Terraform runs ({expression.text})", "${" + expression.text + "}")
        if root == "module":
            name = steps[0][1] if steps and steps[0][0] == "attr" else "?"
            return Unknown(f"an output of module {name} ({expression.text})", "${" + expression.text + "}")
        if root in ("path", "terraform", "self"):
            return Unknown(f"{expression.text} is known when Terraform runs", "${" + expression.text + "}")
        if steps and steps[0][0] == "attr":
            resource = self.resources.get((root, steps[0][1]))
            if resource is None:
                return Unknown(f"{root}.{steps[0][1]} is not a resource of this module", "${" + expression.text + "}")
            return self._resource_steps(resource, steps[1:], expression, scope)
        return Unknown(f"{expression.text} is not known", "${" + expression.text + "}")

    def _resource_steps(self, resource: Resource, steps: list, expression: Reference, scope: Scope) -> Any:
        created = self.is_created(resource)
        index: Any = None
        if steps and steps[0][0] in ("index", "splat"):
            kind, index_expression = steps.pop(0)
            if kind == "splat":
                return Unknown(f"a splat of {resource.address} is not evaluated", "${" + expression.text + "}", resource.address)
            index = self._expr(index_expression, scope)
            count = self.count_of(resource)
            if isinstance(count, int) and isinstance(index, int) and not isinstance(index, bool) and index >= count:
                return _absent_resource(resource.address, count) if count == 0 else EvalError(f"{resource.address}[{index}] is past its count {count}")
        if created is False:
            return _absent_resource(resource.address, self.count_of(resource) if resource.body.get("count") is not None else "an empty for_each")
        instance = ResourceInstance(resource, index)
        return self._steps(instance, steps, expression, scope)

    def resource_attribute(self, instance: ResourceInstance, name: str) -> Any:
        """An attribute of a resource: as written in its body, else computed (unknown, naming the resource)."""
        resource = instance.resource
        address = resource.address
        node = resource.body.get(name)
        if node is None or name in ("count", "for_each"):
            return Unknown(f"{name} of {address} is set when Terraform applies it", "${" + f"{address}.{name}" + "}", address)
        key = (address, name)
        memo = self._attribute_memo.get(key)
        if memo is _IN_PROGRESS:
            return Unknown(f"a reference cycle through {address}.{name}", "${" + f"{address}.{name}" + "}", address)
        if memo is not None:
            value, related = memo
            self._related.extend(related)
            return value
        self._attribute_memo[key] = _IN_PROGRESS
        saved, self._related = self._related, []
        try:
            value = self._node(node, self.instance_scope(resource))
        finally:
            related = _few(self._related)
            self._related = saved
            if self._attribute_memo.get(key) is _IN_PROGRESS:
                del self._attribute_memo[key]
        if isinstance(value, Unknown) and value.ref is None:
            value = Unknown(value.note, value.text, address, value.options, value.parts)
        self._attribute_memo[key] = (value, related)
        self._related.extend(related)
        return value

    def _steps(self, value: Any, steps: list, expression: Reference, scope: Scope) -> Any:
        for kind, argument in steps:
            if isinstance(value, (Unknown, EvalError)):
                return value
            if kind == "splat":
                return Unknown(f"a splat expression is not evaluated ({expression.text})", "${" + expression.text + "}")
            if isinstance(value, ResourceInstance):
                if kind == "attr":
                    instance = value
                    value = self.resource_attribute(instance, argument)
                    if isinstance(value, Unknown) and value.ref == instance.resource.address and isinstance(instance.index, (str, int)):
                        value = replace(value, index=instance.index)
                    continue
                return Unknown(f"an index of a resource instance ({expression.text})", "${" + expression.text + "}")
            key = argument if kind == "attr" else self._expr(argument, scope)
            if isinstance(key, Unknown):
                return Unknown(f"an index not known ({expression.text})", "${" + expression.text + "}")
            if isinstance(value, dict):
                if str(key) not in value:
                    return EvalError(f"{expression.text}: no attribute or key {key!r}")
                value = value[str(key)]
            elif isinstance(value, list):
                if isinstance(key, bool) or not isinstance(key, (int, float)) or int(key) != key or not 0 <= int(key) < len(value):
                    return EvalError(f"{expression.text}: index {key!r} out of range")
                value = value[int(key)]
            elif value is None:
                return EvalError(f"{expression.text}: attribute of null")
            else:
                return EvalError(f"{expression.text}: {type(value).__name__} has no attributes")
        return value

    # --- variables and locals -------------------------------------------------------------

    def _variable(self, name: str) -> Any:
        evaluation = self._variable_memo.get(name)
        if evaluation is None:
            evaluation = self._variable_memo[name] = self._read_variable(name)
        self._related.extend(evaluation.related)
        return evaluation.value

    def _read_variable(self, name: str) -> Evaluation:
        variable = self.variables.get(name)
        if variable is None:
            return Evaluation(Unknown(f"var.{name} is not declared in this module"))
        type_node = variable.node.get("type") if variable.node is not None else None
        type_expression = type_node.expression if isinstance(type_node, Attribute) else None
        if variable.given is not None:
            value = apply_type(variable.given.value, type_expression)
            return Evaluation(value, variable.given.related)
        if variable.value_node is not None:
            value = self._node(variable.value_node, Scope())
            value = apply_type(value, type_expression)
            return Evaluation(value, ((variable.value_node.span, _is(value, f"the value of variable {name} in {variable.value_origin}")),))
        default = variable.node.get("default") if variable.node is not None else None
        if default is None:
            written = variable.node is not None and variable.node.key_node("default") is not None
            if written:  # `default = null`: an optional input left unset
                return Evaluation(None, ((variable.node.key_node("default").span, f"null is the default of variable {name}"),))
            return Evaluation(Unknown(f"var.{name} has no default and no value in this module's tfvars"))
        value = apply_type(self._node(default, Scope()), type_expression)
        return Evaluation(value, ((default.span, _is(value, f"the default of variable {name}")),))

    def _local(self, name: str) -> Any:
        memo = self._local_memo.get(name)
        if memo is _IN_PROGRESS:
            return Unknown(f"a reference cycle through local.{name}")
        if memo is not None:
            value, related = memo
            self._related.extend(related)
            return value
        entry = self.locals.get(name)
        if entry is None:
            return Unknown(f"local.{name} is not defined in this module")
        self._local_memo[name] = _IN_PROGRESS
        saved, self._related = self._related, []
        try:
            value = self._node(entry[1], Scope())
        finally:
            related = _few(self._related)
            self._related = saved
            if self._local_memo.get(name) is _IN_PROGRESS:
                del self._local_memo[name]
        if not isinstance(value, (dict, list, ResourceInstance, Unknown, EvalError)):
            related = related + ((entry[1].span, _is(value, f"local.{name}")),)
        self._local_memo[name] = (value, related)
        self._related.extend(related)
        return value

    def _resolve_locals_in_order(self) -> None:
        """Evaluate locals dependencies first, without recursion; members of a cycle are unknown."""
        dependencies = {name: _local_names(node) & self.locals.keys() for name, (_, node) in self.locals.items()}
        dependents: dict[str, list[str]] = {name: [] for name in self.locals}
        waiting = {name: len(needs) for name, needs in dependencies.items()}
        for name, needs in dependencies.items():
            for need in needs:
                dependents[need].append(name)
        ready = [name for name, count in waiting.items() if count == 0]
        order: list[str] = []
        while ready:
            name = ready.pop()
            order.append(name)
            for dependent in dependents[name]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    ready.append(dependent)
        stuck = [name for name in self.locals if name not in set(order)]
        if stuck:
            shown = ", ".join(f"local.{name}" for name in stuck[:5]) + (f" and {len(stuck) - 5} more" if len(stuck) > 5 else "")
            for name in stuck:
                self._local_memo[name] = (Unknown(f"a reference cycle among {shown}"), ())
        for name in order:
            try:
                self._local(name)
            except (_TooDeep, RecursionError):
                self._local_memo[name] = (Unknown(f"references nested more than {MAX_DEPTH} deep"), ())
            self._related = []

    # --- operators, conditionals, functions -------------------------------------------------

    def _conditional(self, expression: Conditional, scope: Scope) -> Any:
        condition = self._expr(expression.condition, scope)
        if condition in ("true", "false"):  # Terraform converts these strings to bool
            condition = condition == "true"
        if isinstance(condition, bool):
            return self._expr(expression.if_true if condition else expression.if_false, scope)
        if isinstance(condition, EvalError):
            return condition
        if not isinstance(condition, Unknown):
            return EvalError(f"the condition {expression.condition.text} is not true or false")
        left = self._expr(expression.if_true, scope)
        right = self._expr(expression.if_false, scope)
        if _same(left, right):
            return left
        options = tuple(option for option in (left, right) if isinstance(option, (str, int, float, bool)))
        return Unknown(
            f"depends on {expression.condition.text}, which is not known ({condition.note})",
            None,
            None,
            options if len(options) == 2 else (),
        )

    def _operation(self, expression: Operation, scope: Scope) -> Any:
        operator = expression.operator
        right = self._expr(expression.right, scope)
        if expression.left is None:
            if isinstance(right, (Unknown, EvalError)):
                return right
            if operator == "!" and isinstance(right, bool):
                return not right
            if operator == "-" and _is_number(right):
                return -right
            return EvalError(f"{expression.text}: operand of the wrong type")
        left = self._expr(expression.left, scope)
        if operator in ("&&", "||"):
            decisive = operator == "||"
            if left is decisive or right is decisive:
                return decisive
            for value in (left, right):
                if isinstance(value, (Unknown, EvalError)):
                    return value
            if isinstance(left, bool) and isinstance(right, bool):
                return left and right if operator == "&&" else left or right
            return EvalError(f"{expression.text}: operands are not true or false")
        for value in (left, right):
            if isinstance(value, (Unknown, EvalError)):
                return value
        if isinstance(left, ResourceInstance) or isinstance(right, ResourceInstance):
            return Unknown(f"{expression.text} compares resources")
        if operator == "==":
            return _same(left, right)
        if operator == "!=":
            return not _same(left, right)
        left, right = _as_number(left), _as_number(right)
        if left is None or right is None:
            return EvalError(f"{expression.text}: operands are not numbers")
        if operator == "<":
            return left < right
        if operator == ">":
            return left > right
        if operator == "<=":
            return left <= right
        if operator == ">=":
            return left >= right
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            result = left * right
            return result if abs(result) < 1e18 else Unknown("a number too large")
        if operator in ("/", "%"):
            if right == 0:
                return EvalError(f"{expression.text}: division by zero")
            return left / right if operator == "/" else left % right
        return Unknown(f"the operator {operator} is not evaluated")

    def _for(self, expression: ForExpr, scope: Scope) -> Any:
        """A `for` expression over a known list or map (a map in its keys' order, as Terraform iterates it)."""
        shown = "${" + expression.text + "}"
        collection = self._expr(expression.collection, scope)
        if isinstance(collection, EvalError):
            return collection
        if isinstance(collection, Unknown):
            return Unknown(f"a for expression over a collection not known ({collection.note})", shown)
        if isinstance(collection, dict):
            items = sorted(collection.items())
        elif isinstance(collection, list):
            items = list(enumerate(collection))
        else:
            return EvalError("a for expression over a value that is not a list, a set or a map")
        if len(items) > MAX_ITEMS or self._iterations >= MAX_ITERATIONS:
            return Unknown(f"a for expression beyond the {MAX_ITERATIONS:,} steps read in one module" if len(items) <= MAX_ITEMS else "a for expression over a collection too long to read", shown)
        self._in_for += 1
        try:
            return self._for_items(expression, items, scope, shown)
        except _Exhausted:
            if self._in_for > 1:
                raise  # the outermost for expression is the one left unknown
            return Unknown(f"a for expression beyond the {MAX_ITERATIONS:,} steps read in one module", shown)
        finally:
            self._in_for -= 1

    def _for_items(self, expression: ForExpr, items: list, scope: Scope, shown: str) -> Any:
        tuple_result: list = []
        object_result: dict[str, Any] = {}
        for key, value in items:
            names = {expression.value_name: value}
            if expression.key_name is not None:
                names[expression.key_name] = key
            inner = scope.bind(**names)
            if expression.condition is not None:
                keep = self._expr(expression.condition, inner)
                if isinstance(keep, (Unknown, EvalError)):
                    return keep if isinstance(keep, EvalError) else Unknown(f"the condition of a for expression is not known ({keep.note})", shown)
                if not isinstance(keep, bool):
                    return EvalError("the condition of a for expression is not a bool")
                if not keep:
                    continue
            element = self._expr(expression.value, inner)
            if isinstance(element, EvalError):
                return element
            if expression.key is None:
                tuple_result.append(element)
                continue
            name = self._expr(expression.key, inner)
            if isinstance(name, EvalError):
                return name
            if isinstance(name, bool) or not isinstance(name, (str, int, float)):
                why = name.note if isinstance(name, Unknown) else "not a string"
                return Unknown(f"a key of a for expression is not known ({why})", shown)
            name = name if isinstance(name, str) else _number_text(name)
            if expression.grouping:
                object_result.setdefault(name, []).append(element)
            elif name in object_result:
                return EvalError(f"a for expression makes the key {name!r} twice")
            else:
                object_result[name] = element
        return tuple_result if expression.key is None else object_result

    def _call(self, expression: Call, scope: Scope) -> Any:
        name = expression.name
        if expression.expand:
            return Unknown(f"{name}(...) with expanded arguments is not evaluated", "${" + expression.text + "}")
        if name == "try":
            for argument in expression.args:
                value = self._expr(argument, scope)
                if not isinstance(value, EvalError):
                    return value
            return EvalError("no argument of try() can be evaluated")
        if name == "jsonencode":
            return _jsonencode(expression, [self._expr(argument, scope) for argument in expression.args])
        if name == "can":
            if len(expression.args) != 1:
                return EvalError("can() takes one argument")
            value = self._expr(expression.args[0], scope)
            return value if isinstance(value, Unknown) else not isinstance(value, EvalError)
        if name not in _FUNCTIONS:
            return Unknown(f"the function {name}() is not evaluated", "${" + expression.text + "}")
        values = [self._expr(argument, scope) for argument in expression.args]
        if name == "coalesce":
            for value in values:
                if isinstance(value, (Unknown, EvalError)):
                    return value
                if value is not None and value != "":
                    return value
            return EvalError("coalesce() has no non-null argument")
        for value in values:
            if isinstance(value, (Unknown, EvalError)):
                return value
        return _FUNCTIONS[name](expression, values)


# --- functions ----------------------------------------------------------------------------


def _merge(expression: Call, values: list) -> Any:
    result: dict[str, Any] = {}
    for value in values:
        if value is None:
            continue
        if not isinstance(value, dict):
            return EvalError("merge() takes maps or objects")
        result.update(value)
    return result


def _lookup(expression: Call, values: list) -> Any:
    if len(values) not in (2, 3) or not isinstance(values[0], dict):
        return EvalError("lookup() takes a map, a key and a default")
    key = values[1]
    if str(key) in values[0]:
        return values[0][str(key)]
    if len(values) == 3:
        return values[2]
    return EvalError(f"lookup(): no key {key!r}")


def _one_text(convert):
    def function(expression: Call, values: list) -> Any:
        if len(values) != 1:
            return EvalError(f"{expression.name}() takes one argument")
        return convert(values[0])

    return function


def _tostring(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, str) or value is None:
        return value
    return EvalError("tostring() of a collection")


def _tonumber(value: Any) -> Any:
    number = _as_number(value) if not isinstance(value, bool) else None
    return number if number is not None or value is None else EvalError(f"tonumber({value!r})")


def _length(value: Any) -> Any:
    if isinstance(value, (str, list, dict)):
        return len(value)
    return EvalError("length() of a value without a length")


def _replace(expression: Call, values: list) -> Any:
    if len(values) != 3 or not all(isinstance(value, str) for value in values):
        return EvalError("replace() takes three strings")
    text, search, replacement = values
    if len(search) >= 2 and search.startswith("/") and search.endswith("/"):
        return Unknown(f"{expression.text}: a regular-expression replace() is not evaluated", "${" + expression.text + "}")
    if not search:
        return Unknown(f"{expression.text}: replace() of an empty string is not evaluated", "${" + expression.text + "}")
    result = text.replace(search, replacement)
    return result if len(result) <= MAX_TEXT else Unknown("a text too long to read")


def _contains(expression: Call, values: list) -> Any:
    if len(values) != 2 or not isinstance(values[0], list):
        return EvalError("contains() takes a list and a value")
    collection, wanted = values
    if any(_same(item, wanted) for item in collection if not isinstance(item, (Unknown, EvalError))):
        return True
    if any(isinstance(item, (Unknown, EvalError)) for item in collection):
        return Unknown(f"{expression.text}: the list is not wholly known")
    return False


def _jsonencode(expression: Call, values: list) -> Any:
    """The JSON text of a known value; a partly known value is an unknown text that keeps the value (`Unknown.encoded`)."""
    if len(values) != 1:
        return EvalError("jsonencode() takes one argument")
    value = values[0]
    if isinstance(value, (Unknown, EvalError)):
        return value
    if _wholly_known(value, 0):
        import json

        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return Unknown("jsonencode() of a value not wholly known", "${" + expression.text + "}", encoded=value)


def _wholly_known(value: Any, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_wholly_known(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return all(_wholly_known(item, depth + 1) for item in value)
    return isinstance(value, (str, int, float, bool)) or value is None


def _text(function):
    def convert(value: Any) -> Any:
        return function(value) if isinstance(value, str) else EvalError("a string function of a non-string")

    return convert


def _unknown_in(value: Any, depth: int = 0) -> "Unknown | None":
    """The first unknown part of a value (nested at most `MAX_DEPTH` deep: deeper counts as unknown)."""
    if depth > MAX_DEPTH:
        return Unknown("a value nested too deeply")
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = _unknown_in(item, depth + 1)
        if found is not None:
            return found
    return None


def _not_known(expression: Call, unknown: Unknown) -> Unknown:
    return Unknown(f"{expression.name}() of a value not wholly known ({unknown.note})", "${" + expression.text + "}")


def _as_text(value: Any) -> "str | None":
    """A primitive as Terraform converts it to a string; None for anything else (null, a collection)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_text(value)
    return value if isinstance(value, str) else None


def _concat(expression: Call, values: list) -> Any:
    if not values or not all(isinstance(value, list) for value in values):
        return EvalError("concat() takes lists")
    result = [item for value in values for item in value]
    return result if len(result) <= MAX_ITEMS else Unknown("a list too long to read")


def _flatten(expression: Call, values: list) -> Any:
    if len(values) != 1 or not isinstance(values[0], list):
        return EvalError("flatten() takes a list")
    unknown = _unknown_in(values[0])
    if unknown is not None:  # an unknown element may itself be a list
        return _not_known(expression, unknown)
    result: list = []
    stack = [(values[0], 0)]
    while stack:
        current, index = stack.pop()
        if index >= len(current):
            continue
        stack.append((current, index + 1))
        item = current[index]
        if isinstance(item, list):
            if len(stack) > MAX_DEPTH:
                return Unknown("flatten() of lists nested too deeply")
            stack.append((item, 0))
        else:
            result.append(item)
        if len(result) > MAX_ITEMS:
            return Unknown("a list too long to read")
    return result


def _keys(expression: Call, values: list) -> Any:
    if len(values) != 1 or not isinstance(values[0], dict):
        return EvalError(f"{expression.name}() takes a map or an object")
    ordered = sorted(values[0].items())
    return [key for key, _ in ordered] if expression.name == "keys" else [value for _, value in ordered]


def _element(expression: Call, values: list) -> Any:
    if len(values) != 2 or not isinstance(values[0], list) or not _is_number(values[1]) or values[1] != int(values[1]):
        return EvalError("element() takes a list and a whole number")
    if not values[0]:
        return EvalError("element() of an empty list")
    if values[1] < 0:
        return EvalError("element() with a negative index")
    return values[0][int(values[1]) % len(values[0])]


def _join(expression: Call, values: list) -> Any:
    if len(values) < 2 or not isinstance(values[0], str) or not all(isinstance(value, list) for value in values[1:]):
        return EvalError("join() takes a separator and lists")
    items = [item for value in values[1:] for item in value]
    unknown = _unknown_in(items)
    if unknown is not None:
        return _not_known(expression, unknown)
    texts = [_as_text(item) for item in items]
    if any(text is None for text in texts):
        return EvalError("join() of an element that is not a string")
    result = values[0].join(texts)  # type: ignore[arg-type]
    return result if len(result) <= MAX_TEXT else Unknown("a text too long to read")


def _split(expression: Call, values: list) -> Any:
    if len(values) != 2 or not all(isinstance(value, str) for value in values):
        return EvalError("split() takes a separator and a string")
    separator, text = values
    if not separator:
        return Unknown(f"{expression.text}: split() on an empty separator is not evaluated", "${" + expression.text + "}")
    parts = text.split(separator)
    return parts if len(parts) <= MAX_ITEMS else Unknown("a list too long to read")


def _format(expression: Call, values: list) -> Any:
    """`format` with the verbs `%s`, `%v` (of a string, number or bool), `%d` and `%%` only; any other (widths, flags, `%q`) leaves it unknown."""
    if not values or not isinstance(values[0], str):
        return EvalError("format() takes a format string")
    spec, arguments = values[0], values[1:]
    pieces: list[str] = []
    position = index = 0
    while index < len(spec):
        character = spec[index]
        if character != "%":
            pieces.append(character)
            index += 1
            continue
        verb = spec[index + 1] if index + 1 < len(spec) else ""
        index += 2
        if verb == "%":
            pieces.append("%")
            continue
        if verb not in ("s", "v", "d"):
            return Unknown(f"{expression.text}: the format verb %{verb} is not evaluated", "${" + expression.text + "}")
        if position >= len(arguments):
            return EvalError("format() has too few arguments")
        argument = arguments[position]
        position += 1
        unknown = _unknown_in(argument)
        if unknown is not None:
            return _not_known(expression, unknown)
        if verb == "d":
            number = _as_number(argument) if not isinstance(argument, bool) else None
            if number is None or number != int(number):
                return EvalError("format() %d of a value that is not a whole number")
            pieces.append(str(int(number)))
            continue
        text = _as_text(argument)
        if text is None:
            return Unknown(f"{expression.text}: %s of a collection or null is not evaluated", "${" + expression.text + "}")
        pieces.append(text)
    if position != len(arguments):
        return EvalError("format() has too many arguments")
    result = "".join(pieces)
    return result if len(result) <= MAX_TEXT else Unknown("a text too long to read")


def _extreme(expression: Call, values: list) -> Any:
    if not values:
        return EvalError(f"{expression.name}() needs at least one number")
    numbers = [_as_number(value) if not isinstance(value, bool) else None for value in values]
    if any(number is None for number in numbers):
        return EvalError(f"{expression.name}() of a value that is not a number")
    return min(numbers) if expression.name == "min" else max(numbers)  # type: ignore[type-var]


def _same_kind(items: list) -> bool:
    """True when the elements need no conversion to one type (all strings, all numbers, all bools, or all collections of one kind)."""
    kinds = {"number" if _is_number(item) else type(item).__name__ for item in items if item is not None}
    return len(kinds) <= 1


def _tomap(expression: Call, values: list) -> Any:
    if len(values) != 1 or not isinstance(values[0], dict):
        return EvalError("tomap() takes a map or an object")
    if not _same_kind([value for value in values[0].values() if not isinstance(value, Unknown)]):
        return Unknown(f"{expression.text}: values of different types, converted to one type, are not evaluated", "${" + expression.text + "}")
    return values[0]


def _tolist(expression: Call, values: list) -> Any:
    if len(values) != 1 or not isinstance(values[0], list):
        return EvalError(f"{expression.name}() takes a list, a tuple or a set")
    items = values[0]
    unknown = _unknown_in(items) if expression.name == "toset" else None
    if unknown is not None:  # an unknown element may equal another
        return _not_known(expression, unknown)
    if not _same_kind([item for item in items if not isinstance(item, Unknown)]):
        return Unknown(f"{expression.text}: elements of different types, converted to one type, are not evaluated", "${" + expression.text + "}")
    if expression.name == "tolist":
        return items
    if any(isinstance(item, (dict, list)) for item in items):
        return Unknown(f"{expression.text}: a set of collections is not evaluated", "${" + expression.text + "}")
    unique = []
    for item in items:
        if item is not None and not any(_same(item, seen) for seen in unique):
            unique.append(item)
    return sorted(unique, key=lambda item: (str(type(item)), item))  # Terraform lists a set of strings in lexical order


def _affix(expression: Call, values: list) -> Any:
    if len(values) != 2 or not all(isinstance(value, str) for value in values):
        return EvalError(f"{expression.name}() takes two strings")
    return values[0].startswith(values[1]) if expression.name == "startswith" else values[0].endswith(values[1])


_FUNCTIONS = {
    "merge": _merge,
    "lookup": _lookup,
    "coalesce": None,  # handled in _call (stops at the first usable argument)
    "tostring": _one_text(_tostring),
    "tonumber": _one_text(_tonumber),
    "lower": _one_text(_text(str.lower)),
    "upper": _one_text(_text(str.upper)),
    "length": _one_text(_length),
    "contains": _contains,
    "replace": _replace,
    "concat": _concat,
    "flatten": _flatten,
    "keys": _keys,
    "values": _keys,
    "element": _element,
    "join": _join,
    "split": _split,
    "format": _format,
    "min": _extreme,
    "max": _extreme,
    "tomap": _tomap,
    "tolist": _tolist,
    "toset": _tolist,
    "startswith": _affix,
    "endswith": _affix,
    "trimspace": _one_text(_text(str.strip)),
}


# --- types -----------------------------------------------------------------------------------


def apply_type(value: Any, type_expression: Expression | None, depth: int = 0) -> Any:
    """A variable's value converted to its declared type: optional object attributes filled, numbers from strings."""
    if type_expression is None or depth > 32 or isinstance(value, (Unknown, EvalError)) or value is None:
        return value
    if isinstance(type_expression, Reference) and not type_expression.steps:
        primitive = type_expression.root
        if primitive == "number" and isinstance(value, str):
            number = _as_number(value)
            return number if number is not None else value
        if primitive == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return _tostring(value)
        if primitive == "string" and isinstance(value, bool):
            return "true" if value else "false"
        if primitive == "bool" and value in ("true", "false"):
            return value == "true"
        return value
    if not isinstance(type_expression, Call) or not type_expression.args:
        return value
    name, argument = type_expression.name, type_expression.args[0]
    if name in ("list", "set", "tuple") and isinstance(value, list):
        return [apply_type(item, argument, depth + 1) for item in value]
    if name == "map" and isinstance(value, dict):
        return {key: apply_type(item, argument, depth + 1) for key, item in value.items()}
    if name == "object" and isinstance(value, dict) and isinstance(argument, ObjectExpr):
        result = dict(value)
        for key_expression, attribute_type in argument.items:
            key = key_expression.value if isinstance(key_expression, Literal) else None
            if not isinstance(key, str):
                continue
            optional_default: Any = None
            if isinstance(attribute_type, Call) and attribute_type.name == "optional":
                if len(attribute_type.args) > 1:
                    optional_default = _literal_data(attribute_type.args[1])
                attribute_type = attribute_type.args[0] if attribute_type.args else None
            if key not in result or result[key] is None:
                result[key] = optional_default if key not in result or optional_default is not None else None
            result[key] = apply_type(result[key], attribute_type, depth + 1)
        return result
    return value


def _literal_data(expression: Expression) -> Any:
    """The value of a constant expression (an optional() default); Unknown for anything that needs evaluating."""
    if isinstance(expression, Literal):
        return expression.value
    if isinstance(expression, TupleExpr):
        return [_literal_data(item) for item in expression.items]
    if isinstance(expression, ObjectExpr):
        return {str(key.value): _literal_data(value) for key, value in expression.items if isinstance(key, Literal)}
    if isinstance(expression, Operation) and expression.left is None and expression.operator == "-" and isinstance(expression.right, Literal) and _is_number(expression.right.value):
        return -expression.right.value
    return Unknown(f"the optional() default {expression.text} is not evaluated")


# --- helpers ---------------------------------------------------------------------------------


def join_parts(parts: list) -> Any:
    """Literal text and unknown pieces joined: a str when every piece is known, else an Unknown keeping the pieces."""
    flat: list[Any] = []
    for part in parts:
        if isinstance(part, Unknown) and part.parts and part.ref is None:
            flat.extend(part.parts)  # a resource's attribute stays one piece: it names the resource
        elif part != "":
            flat.append(part)
    if all(isinstance(part, str) for part in flat):
        text = "".join(flat)
        return text if len(text) <= MAX_TEXT else Unknown(f"a text longer than {MAX_TEXT:,} characters")
    text = "".join(part if isinstance(part, str) else (part.text or "${?}") for part in flat)
    if len(text) > MAX_TEXT:
        return Unknown(f"a text longer than {MAX_TEXT:,} characters")
    notes = list(dict.fromkeys(part.note for part in flat if isinstance(part, Unknown)))
    unknowns = [part for part in flat if isinstance(part, Unknown)]
    ref = unknowns[0].ref if len(flat) == 1 else None
    return Unknown("; ".join(notes), text, ref, (), tuple(flat))


def split_parts(value: Any, separator: str) -> list | None:
    """A string (or partly known string) split at `separator` in its literal text: each segment a str or an Unknown; None when nothing is known."""
    if isinstance(value, str):
        return value.split(separator)
    if not isinstance(value, Unknown):
        return None
    pieces = value.parts or ((value,) if value.text is None else ())
    if not pieces:
        return None
    segments: list[list[Any]] = [[]]
    for piece in pieces:
        if isinstance(piece, str):
            chunks = piece.split(separator)
            segments[-1].append(chunks[0])
            for chunk in chunks[1:]:
                segments.append([chunk])
        else:
            segments[-1].append(piece)
    result: list[Any] = []
    for segment in segments:
        joined = join_parts(segment)
        result.append(joined if joined != [] else "")
    return [item if not (isinstance(item, list)) else "" for item in result]


MAX_RELATED = 6


def _few(related: list) -> tuple:
    """Each place once, and only the first few: a chain of locals must not carry every link (nor double them per step)."""
    return tuple(dict.fromkeys(related))[:MAX_RELATED]


def _local_names(node: Node) -> set[str]:
    """The locals an attribute's expression names (`local.x`)."""
    if not isinstance(node, Attribute):
        return set()
    names: set[str] = set()
    stack: list[Any] = [node.expression]
    while stack:
        current = stack.pop()
        if isinstance(current, Reference):
            if current.root == "local" and current.steps and current.steps[0][0] == "attr":
                names.add(current.steps[0][1])
            stack.extend(argument for kind, argument in current.steps if kind in ("index", "base"))
        elif isinstance(current, Template):
            stack.extend(part for part in current.parts if isinstance(part, Expression))
        elif isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, Conditional):
            stack.extend((current.condition, current.if_true, current.if_false))
        elif isinstance(current, Operation):
            stack.extend(part for part in (current.left, current.right) if part is not None)
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for key, value in current.items:
                stack.extend((key, value))
    return names


def instances(module: "Module", resource: Resource, limit: int = 64) -> list[tuple[str, Scope]]:
    """(address, scope) of each instance of a resource, when its count or for_each is known and at most `limit`;
    else one instance read with `instance_scope` (several instances read once). None when it is not created."""
    if module.is_created(resource) is False:
        return []
    count = module.count_of(resource)
    if isinstance(count, int) and 1 < count <= limit:
        return [(f"{resource.address}[{index}]", Scope({"count": {"index": index}}, resource)) for index in range(count)]
    for_each = module.for_each_of(resource)
    items = _for_each_items(for_each) if for_each is not None else None
    if items is not None and 1 <= len(items) <= limit and all(isinstance(key, str) for key, _ in items):
        return [(f'{resource.address}["{key}"]', Scope({"each": {"key": key, "value": value}}, resource)) for key, value in items]
    return [(resource.address, module.instance_scope(resource))]


def instance_address(address: str, index: Any) -> str:
    """The address of one instance: `a.b[0]`, `a.b["key"]`; the resource's own for no index."""
    if isinstance(index, bool) or index is None:
        return address
    return f"{address}[{index}]" if isinstance(index, int) else f'{address}["{index}"]'


def _for_each_items(value: Any) -> list | None:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [(item, item) for item in value]
    return None


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_number(value: Any) -> int | float | None:
    if _is_number(value):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_(value: Any, what: str) -> str:
    """How a related place is worded: `<value> is <what>`."""
    return _is(value, what)


def _is(value: Any, what: str) -> str:
    """`'x' is <what>` for a scalar; `<what>` (capitalised) for a collection, whose parts are read further on."""
    if isinstance(value, (dict, list, ResourceInstance, Unknown, EvalError)):
        return f"from {what}"
    shown = value if isinstance(value, str) else _shown(value)  # unquoted, as the CloudFormation reader words it
    return f"{shown} is {what}"


def _shown(value: Any) -> str:
    if isinstance(value, Unknown):
        return "an unknown value"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else _number_text(value)

"""`terraform show -json` output (a saved plan, or the state) read into the same resource reads as a module's `.tf` files.

A plan document is a `.json` file whose root has `format_version` and
`planned_values` (a plan) or `values.root_module` (a state); any other JSON
file is not one (`is_plan`). Each module instance of its planned values
(the root module, then `child_modules` recursively: registry modules'
resources included) becomes one `TerraformModule` whose resources' bodies
hold the planned `values` as literals, so the readers the `.tf` files go
through (`module_items`) read them unchanged:

- a list of objects is a list of nested blocks (a null is left out, and an
  empty list unless the configuration writes the name as an argument: in the
  `.tf` body, or as an expression of the plan's configuration, which writes a
  nested block's as a list; a block not written shows as `[]`), except the
  arguments the provider types as maps (`json_syntax.MAP_ARGUMENTS`);
- a value `resource_changes[*].change.after_unknown` marks is unknown
  ("known only after apply"), never guessed; where the configuration's
  expression for it references another resource of the module
  (`configuration...expressions.<arg>.references`), the unknown names that
  resource, which links an endpoint to its configuration as a reference in
  the `.tf` file does (known names, which plans usually have, link first);
- a value `sensitive_values` marks is unknown too.

Resources are named by their plan address (`aws_x.y[0]`, `module.m.aws_x.y`),
so each instance of a counted resource is read on its own. A scaling target
that names no endpoint of its own module instance is linked to the variant
another module instance of the plan names exactly (`link_across_modules`).

Locations: a value points at its place in the plan JSON, unless the module's
`.tf` files are in the run (the plan's directory for the root module, a
local `source` for a child module, matched by the configuration's resource
addresses): then at the argument in the resource block written there (the
block itself for a value the block does not write), and that directory's
own reading is skipped (`plan_directories`): the deployment is judged once,
from the plan's decided values, which the deployment's `terraform-plan`
attribute says. Bounds: at most `MAX_RESOURCES` resources and
`MAX_MODULE_DEPTH` levels of child modules are read; values are converted
at most `MAX_VALUE_DEPTH` deep.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Any

from linter import Deployment, Document, MappingNode, Node, Provenance, RunContext, ScalarNode, SequenceNode, Sourced, Span

from plugins.adapters.terraform.hcl import BLOCKS_TAG, Attribute, Literal
from plugins.adapters.terraform.json_syntax import MAP_ARGUMENTS
from plugins.adapters.terraform.module import TerraformModule, modules_of_run
from plugins.adapters.terraform.values import MAX_ITEMS, Module, Resource, Unknown

__all__ = ["is_plan", "plan_modules", "plan_directories", "location_note", "configuration_addresses", "declared", "link_across_modules", "marked", "PlanResource", "MAX_RESOURCES", "MAX_MODULE_DEPTH", "MAX_VALUE_DEPTH"]

MAX_RESOURCES = 10_000
MAX_MODULE_DEPTH = 32
MAX_VALUE_DEPTH = 32
PLAN_ATTRIBUTE = "terraform-plan"


def is_plan(document: Document) -> bool:
    """A `terraform show -json` document: `format_version` with `planned_values`, or with `values.root_module`."""
    root = document.root
    if not document.path.lower().endswith(".json") or not isinstance(root, MappingNode) or root.get("format_version") is None:
        return False
    if isinstance(root.get("planned_values"), MappingNode):
        return True
    values = root.get("values")
    return isinstance(values, MappingNode) and isinstance(values.get("root_module"), MappingNode)


@dataclass
class PlanResource(Resource):
    """A resource instance of a plan: `name` holds its index (`y[0]`); `module` is its module instance's address."""

    module: str = ""

    @property
    def address(self) -> str:
        own = f"{self.type}.{self.name}" if self.kind == "resource" else f"data.{self.type}.{self.name}"
        return f"{self.module}.{own}" if self.module else own


def _plain(node: Node | None, depth: int = 0) -> Any:
    """A node as plain data (for `after_unknown` and `sensitive_values` marks), bounded in depth."""
    if depth > MAX_VALUE_DEPTH or node is None:
        return None
    if isinstance(node, MappingNode):
        return {str(key.value): _plain(value, depth + 1) for key, value in node.pairs}
    if isinstance(node, SequenceNode):
        return [_plain(item, depth + 1) for item in node.items]
    if isinstance(node, ScalarNode):
        return node.value
    return None


def _mark(marks: Any, key: Any) -> Any:
    if isinstance(marks, dict) and isinstance(key, str):
        return marks.get(key)
    if isinstance(marks, list) and isinstance(key, int) and 0 <= key < len(marks):
        return marks[key]
    return None


_INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')


def _config_path(module_address: str) -> list[str]:
    """`module.a["k"].module.b` -> ["a", "b"]: the module calls of the configuration, instance keys dropped."""
    bare = _INSTANCE_KEY.sub("", module_address)
    parts = bare.split(".")
    return [parts[index + 1] for index in range(0, len(parts) - 1, 2) if parts[index] == "module"]


class _Builder:
    def __init__(self, document: Document, run: RunContext | None) -> None:
        self.document = document
        root = document.root
        self.root = root if isinstance(root, MappingNode) else MappingNode((), document.span)
        self.changes: dict[str, Any] = {}
        changes = self.root.get("resource_changes")
        for change in changes.items if isinstance(changes, SequenceNode) else ():
            if isinstance(change, MappingNode) and isinstance(change.get("address"), ScalarNode):
                inner = change.get("change")
                if isinstance(inner, MappingNode):
                    self.changes[str(change.get("address").value)] = inner
        self.budget = MAX_RESOURCES
        self.modules = modules_of_run(run) if run is not None else {}
        self.directory = os.path.dirname(document.path)
        self.located: set[str] = set()
        self.root_directory, self.note = self.match_root()

    def match_root(self) -> tuple[str, str]:
        """The directory of the root module's `.tf` files, and what explain says of how it was found.

        The plan's own directory when it holds a module of the run; else the
        one directory of the run whose `.tf` files declare exactly the
        resources and module calls of the configuration's root module
        (`declared`); else the plan's own directory (nothing is located).
        """
        if not self.modules or self.directory in self.modules:
            return self.directory, ""
        configuration = self.root.get("configuration")
        wanted = configuration_addresses(configuration.get("root_module") if isinstance(configuration, MappingNode) else None)
        if not wanted:
            return self.directory, ""
        matches = sorted(directory for directory, terraform in self.modules.items() if declared(terraform) == wanted)
        shown = ", ".join(os.path.relpath(directory, self.directory) for directory in matches[:4])
        if len(matches) == 1:
            return matches[0], f"; its .tf files are those of {shown}, the one directory of the run that declares exactly its root module's resources and module calls"
        if matches:
            return self.directory, f"; located in the plan: {len(matches)} directories of the run declare exactly its root module's resources and module calls ({shown})"
        return self.directory, "; located in the plan: no directory of the run declares exactly its root module's resources and module calls"

    def configuration(self, module_address: str) -> MappingNode | None:
        configuration = self.root.get("configuration")
        module = configuration.get("root_module") if isinstance(configuration, MappingNode) else None
        for name in _config_path(module_address):
            calls = module.get("module_calls") if isinstance(module, MappingNode) else None
            call = calls.get(name) if isinstance(calls, MappingNode) else None
            module = call.get("module") if isinstance(call, MappingNode) else None
        return module if isinstance(module, MappingNode) else None

    def source_directory(self, module_address: str) -> str | None:
        """The directory of a module instance's `.tf` files: the root's (`match_root`), a local `source` for a call."""
        directory = self.root_directory
        configuration = self.root.get("configuration")
        module = configuration.get("root_module") if isinstance(configuration, MappingNode) else None
        for name in _config_path(module_address):
            calls = module.get("module_calls") if isinstance(module, MappingNode) else None
            call = calls.get(name) if isinstance(calls, MappingNode) else None
            source = call.get("source") if isinstance(call, MappingNode) else None
            text = source.value if isinstance(source, ScalarNode) else None
            if not isinstance(text, str) or not text.startswith(("./", "../")):
                return None
            directory = os.path.normpath(os.path.join(directory, text))
            module = call.get("module")
        return directory

    def place(self, module_address: str, config: MappingNode | None) -> TerraformModule | None:
        """The run's `.tf` module for a module instance, when its resources are the configuration's resources."""
        directory = self.source_directory(module_address)
        terraform = self.modules.get(directory) if directory is not None else None
        if terraform is None or config is None:
            return None
        resources = config.get("resources")
        addresses = [
            (str(item.get("type").value), str(item.get("name").value))
            for item in (resources.items if isinstance(resources, SequenceNode) else ())
            if isinstance(item, MappingNode) and isinstance(item.get("type"), ScalarNode) and isinstance(item.get("name"), ScalarNode)
        ]
        if not addresses or not any(address in terraform.module.resources or address in terraform.module.data for address in addresses):
            return None
        self.located.add(directory)
        return terraform

    def modules_of(self) -> list[TerraformModule]:
        planned = self.root.get("planned_values")
        if not isinstance(planned, MappingNode):
            planned = self.root.get("values")
        top = planned.get("root_module") if isinstance(planned, MappingNode) else None
        found: list[TerraformModule] = []
        stack: list[tuple[Node | None, str, int]] = [(top, "", 0)]
        while stack:
            node, address, depth = stack.pop()
            if not isinstance(node, MappingNode) or depth > MAX_MODULE_DEPTH:
                continue
            found.append(self.module(node, address))
            children = node.get("child_modules")
            for child in reversed(children.items if isinstance(children, SequenceNode) else ()):
                written = child.get("address") if isinstance(child, MappingNode) else None
                if isinstance(written, ScalarNode) and isinstance(written.value, str):
                    stack.append((child, written.value, depth + 1))
        return [module for module in found if module.resources]

    def module(self, node: MappingNode, address: str) -> TerraformModule:
        config = self.configuration(address)
        terraform = self.place(address, config)
        expressions: dict[tuple[str, str], MappingNode] = {}
        config_resources = config.get("resources") if config is not None else None
        for item in config_resources.items if isinstance(config_resources, SequenceNode) else ():
            if isinstance(item, MappingNode) and isinstance(item.get("expressions"), MappingNode):
                key = (str(getattr(item.get("type"), "value", "")), str(getattr(item.get("name"), "value", "")))
                expressions[key] = item.get("expressions")
        resources: list[PlanResource] = []
        written = node.get("resources")
        for item in written.items if isinstance(written, SequenceNode) else ():
            if self.budget <= 0:
                break
            resource = self.resource(item, address, terraform, expressions)
            if resource is not None:
                self.budget -= 1
                resources.append(resource)
        for resource in resources:  # references name the module's resources by their plan address
            resource.body = _linked(resource.body, {other.address for other in resources}, address)
        directory = terraform.directory if terraform is not None else self.directory
        module = Module((), {}, resources)
        return TerraformModule(directory, [self.document], [], module, [resource for resource in resources if resource.kind == "resource"])

    def resource(self, item: Node, module_address: str, terraform: TerraformModule | None, expressions: dict) -> PlanResource | None:
        if not isinstance(item, MappingNode):
            return None
        type_node, name_node, values = item.get("type"), item.get("name"), item.get("values")
        if not isinstance(type_node, ScalarNode) or not isinstance(name_node, ScalarNode) or not isinstance(values, MappingNode):
            return None
        type_name, name = str(type_node.value), str(name_node.value)
        if not type_name.startswith("aws_"):
            return None
        kind = "data" if getattr(item.get("mode"), "value", "managed") == "data" else "resource"
        index = item.get("index")
        instance = name
        if isinstance(index, ScalarNode) and index.value is not None:
            instance = f"{name}[{index.value}]" if isinstance(index.value, int) and not isinstance(index.value, bool) else f'{name}["{index.value}"]'
        address_node = item.get("address")
        address = str(address_node.value) if isinstance(address_node, ScalarNode) else instance
        change = self.changes.get(address)
        unknown = _plain(change.get("after_unknown")) if isinstance(change, MappingNode) else None
        sensitive = _plain(item.get("sensitive_values"))
        block = None
        if terraform is not None:
            block = (terraform.module.data if kind == "data" else terraform.module.resources).get((type_name, name))
        tf_body = block.body if block is not None else None
        path = block.path if block is not None else self.document.path
        span = tf_body.span if tf_body is not None else values.span
        budget = [MAX_ITEMS]
        body = _body(values, unknown, sensitive, tf_body, span, expressions.get((type_name, name)), address, budget, 0)
        return PlanResource(kind, type_name, instance, body, path, module_address)


def configuration_addresses(module: Node | None) -> frozenset[str]:
    """A plan configuration module's managed resources (`type.name`) and module calls (`module.name`).

    Data sources are left out: plans written by hand or by older Terraform
    versions may omit them, and they decide no deployment.
    """
    if not isinstance(module, MappingNode):
        return frozenset()
    found: set[str] = set()
    resources = module.get("resources")
    for item in resources.items if isinstance(resources, SequenceNode) else ():
        if not isinstance(item, MappingNode) or getattr(item.get("mode"), "value", "managed") == "data":
            continue
        type_node, name_node = item.get("type"), item.get("name")
        if isinstance(type_node, ScalarNode) and isinstance(name_node, ScalarNode):
            found.add(f"{type_node.value}.{name_node.value}")
    calls = module.get("module_calls")
    for key, _ in calls.pairs if isinstance(calls, MappingNode) else ():
        found.add(f"module.{key.value}")
    return frozenset(found)


def declared(terraform: TerraformModule) -> frozenset[str]:
    """The managed resources (`type.name`) and module calls (`module.name`) a directory's `.tf` files declare."""
    found = {f"{resource.type}.{resource.name}" for resource in terraform.resources}
    for root in terraform.roots.values():
        section = root.get("module") if isinstance(root, MappingNode) else None
        for key, _ in section.pairs if isinstance(section, MappingNode) else ():
            found.add(f"module.{key.value}")
    return frozenset(found)


def _references(expressions: MappingNode | None, name: str) -> tuple[str, ...]:
    """The references the configuration's expression for argument `name` makes (`expressions.<name>.references`)."""
    expression = expressions.get(name) if isinstance(expressions, MappingNode) else None
    written = expression.get("references") if isinstance(expression, MappingNode) else None
    if not isinstance(written, SequenceNode):
        return ()
    return tuple(str(item.value) for item in written.items[:16] if isinstance(item, ScalarNode))


def _block_expressions(expressions: MappingNode | None, name: str, position: int) -> MappingNode | None:
    """The expressions of the `position`th nested block `name` (the configuration writes a block's as a list of objects)."""
    written = expressions.get(name) if isinstance(expressions, MappingNode) else None
    if isinstance(written, SequenceNode) and position < len(written.items) and isinstance(written.items[position], MappingNode):
        return written.items[position]
    return None


@dataclass(frozen=True)
class _PendingRef:
    """An unknown value whose expression references these resources: linked once the module's addresses are known."""

    references: tuple[str, ...]
    note: str


def _body(values: MappingNode, unknown: Any, sensitive: Any, tf_body: MappingNode | None, span: Span, expressions: MappingNode | None, address: str, budget: list[int], depth: int) -> MappingNode:
    """A resource's (or nested block's) planned values as a body of literal attributes and nested blocks (module docstring)."""
    pairs: list[tuple[ScalarNode, Node]] = []
    keys = {str(key.value) for key, _ in values.pairs}
    entries = [(key, value) for key, value in values.pairs]
    if isinstance(unknown, dict):  # values known only after apply are left out of `values`
        entries += [(ScalarNode(name, values.span, "str"), None) for name, mark in unknown.items() if mark is True and name not in keys]
    for key, value in entries:
        name = str(key.value)
        if budget[0] <= 0:
            break
        budget[0] -= 1
        written = tf_body.get(name) if tf_body is not None else None
        here = span if tf_body is not None else (value.span if value is not None else key.span)
        if isinstance(written, Attribute):
            here = written.span
        key_node = ScalarNode(name, here, "str")
        if _mark(sensitive, name) is True:
            pairs.append((key_node, Attribute(Literal(here, "(sensitive)", Unknown(f"{name} of {address} is sensitive: the plan does not show it")))))
            continue
        if _mark(unknown, name) is True and (value is None or (isinstance(value, ScalarNode) and value.value is None)):
            note = f"{name} of {address} is known only after apply"
            refs = _references(expressions, name)
            pairs.append((key_node, Attribute(Literal(here, "(known after apply)", _PendingRef(refs, note) if refs else Unknown(note)))))
            continue
        if value is None or (isinstance(value, ScalarNode) and value.value is None):
            continue
        if isinstance(value, SequenceNode) and not value.items and not _argument(name, written, expressions):
            continue  # a nested block not written
        if (
            isinstance(value, SequenceNode)
            and value.items
            and name not in MAP_ARGUMENTS
            and all(isinstance(item, MappingNode) for item in value.items)
            and depth < MAX_VALUE_DEPTH
        ):
            blocks = _written_blocks(tf_body, name)
            bodies = []
            for position, item in enumerate(value.items):
                inner_tf = blocks[position] if position < len(blocks) and isinstance(blocks[position], MappingNode) and blocks[position].get("content") is None else None
                inner_span = blocks[min(position, len(blocks) - 1)].span if blocks else here
                if tf_body is None:
                    inner_span = item.span
                bodies.append(_body(item, _mark(_mark(unknown, name), position), _mark(_mark(sensitive, name), position), inner_tf, inner_span, _block_expressions(expressions, name, position), address, budget, depth + 1))
            pairs.append((key_node, SequenceNode(tuple(bodies), here, BLOCKS_TAG)))
            continue
        plain = _value(value, _mark(unknown, name), _mark(sensitive, name), f"{name} of {address}", budget, depth)
        pairs.append((key_node, Attribute(Literal(here, "", plain))))
    return MappingNode(tuple(pairs), span)


def _argument(name: str, written: Node | None, expressions: MappingNode | None) -> bool:
    """Whether `name` is an argument the configuration writes (the `.tf` body has it as one, or the plan's configuration
    has an expression for it), not a nested block: a planned `[]` is then the value written, not a block left out."""
    if isinstance(written, Attribute):
        return True
    expression = expressions.get(name) if isinstance(expressions, MappingNode) else None
    return isinstance(expression, MappingNode)


def _written_blocks(tf_body: MappingNode | None, name: str) -> list:
    """The nested blocks `name` of a `.tf` body: written ones, else its `dynamic "name"` blocks."""
    if tf_body is None:
        return []
    written = tf_body.get(name)
    if isinstance(written, SequenceNode) and written.tag == BLOCKS_TAG:
        return list(written.items)
    dynamic = tf_body.get("dynamic")
    generated = dynamic.get(name) if isinstance(dynamic, MappingNode) else None
    return list(generated.items) if isinstance(generated, SequenceNode) else []


def _value(node: Node | None, unknown: Any, sensitive: Any, where: str, budget: list[int], depth: int) -> Any:
    """A planned value as plain data, its unknown-after-apply and sensitive parts `Unknown`."""
    budget[0] -= 1
    if sensitive is True:
        return Unknown(f"a sensitive part of {where}: the plan does not show it")
    if unknown is True and (node is None or (isinstance(node, ScalarNode) and node.value is None)):
        return Unknown(f"a part of {where} known only after apply")
    if depth > MAX_VALUE_DEPTH or budget[0] < 0:
        return Unknown(f"{where} is too large or deep to read")
    if isinstance(node, MappingNode):
        result = {str(key.value): _value(value, _mark(unknown, str(key.value)), _mark(sensitive, str(key.value)), where, budget, depth + 1) for key, value in node.pairs}
        if isinstance(unknown, dict):
            for key, mark in unknown.items():
                if mark is True and key not in result:
                    result[key] = Unknown(f"a part of {where} known only after apply")
        return result
    if isinstance(node, SequenceNode):
        return [_value(item, _mark(unknown, position), _mark(sensitive, position), where, budget, depth + 1) for position, item in enumerate(node.items)]
    if isinstance(node, ScalarNode):
        return node.value
    return None


def _linked(body: MappingNode, addresses: set[str], module_address: str) -> MappingNode:
    """The body with each pending reference resolved into an unknown naming the module's resource it references."""
    pairs = []
    for key, value in body.pairs:
        if isinstance(value, Attribute) and isinstance(value.expression, Literal) and isinstance(value.expression.value, _PendingRef):
            pending = value.expression.value
            ref = _referenced(pending.references, addresses, module_address)
            value = Attribute(replace(value.expression, value=Unknown(pending.note, None, ref)))
        elif isinstance(value, SequenceNode) and value.tag == BLOCKS_TAG:
            value = SequenceNode(tuple(_linked(item, addresses, module_address) for item in value.items), value.span, BLOCKS_TAG)
        pairs.append((key, value))
    return MappingNode(tuple(pairs), body.span)


def _referenced(references: tuple[str, ...], addresses: set[str], module_address: str) -> str | None:
    """The address of the first resource of the module a reference names (its instance when the reference has one)."""
    prefix = module_address + "." if module_address else ""
    for reference in references:
        full = prefix + reference
        for address in sorted(addresses, key=len, reverse=True):
            if full == address or full.startswith(address + ".") or full.startswith(address + "["):
                return address
    return None


def plan_modules(document: Document, run: RunContext | None) -> list[TerraformModule]:
    """The plan's module instances read as modules (see the module docstring); memoised per run and document."""
    def build() -> tuple[list[TerraformModule], set[str], str]:
        builder = _Builder(document, run)
        return builder.modules_of(), builder.located, builder.note

    if run is None:
        return build()[0]
    return run.memo(("terraform", "plan", document.path), build)[0]


def location_note(document: Document, run: RunContext) -> str:
    """How the plan's root module was matched to `.tf` files of the run elsewhere than beside it ("" when it was not looked for)."""
    plan_modules(document, run)
    return run.memo(("terraform", "plan", document.path), lambda: ([], set(), ""))[2]


def plan_directories(run: RunContext) -> set[str]:
    """The directories whose `.tf` files a linted plan of the run locates (their own reading is skipped)."""

    def build() -> set[str]:
        directories: set[str] = set()
        for document in run.documents:
            if run.is_reported(document) and is_plan(document):
                plan_modules(document, run)
                directories |= run.memo(("terraform", "plan", document.path), lambda: ([], set(), ""))[1]
        return directories

    return run.memo(("terraform", "plan-directories"), build)


def marked(items: list, document: Document, note: str = "") -> list:
    """Deployments read from a plan, with the `terraform-plan` attribute that says so (explain shows it, and `note`)."""
    name = os.path.basename(document.path)
    fact = Sourced(
        name,
        Span.point(document.path, document.span.line, document.span.column),
        Provenance.DECLARED,
        f"judged from the planned values of {name} (terraform show -json); a .tf file only locates what it writes{note}",
    )
    return [replace(item, attributes=item.attributes + ((PLAN_ATTRIBUTE, fact),)) if isinstance(item, Deployment) else item for item in items]


def link_across_modules(items: list) -> list:
    """Scaling targets of one module instance linked to an endpoint variant of another module instance of the plan.

    A plan's values are decided: a target whose `resource_id` names, by
    exact known names, the endpoint and variant of exactly one deployment of
    the plan (the endpoint in a child module, the target in the root) scales
    that variant; any other target is left as its module read it.
    """
    from linter import LinkStatus, ResourceRef, ScalingTarget

    from plugins.adapters.aws.application_autoscaling import VARIANT, parse_resource_id

    items = list(items)
    for position, target in enumerate(items):
        if not isinstance(target, ScalingTarget) or target.status is not LinkStatus.NO_SUCH_DEPLOYMENT or not target.resource_id.known:
            continue
        parsed = parse_resource_id(str(target.resource_id.value))
        if parsed is None or parsed.kind != VARIANT or not all(isinstance(name, str) for name in parsed.names):
            continue
        endpoint, variant = parsed.names
        matches = [
            (index, unit_index)
            for index, item in enumerate(items)
            if isinstance(item, Deployment) and item.platform == "sagemaker" and item.name.known and item.name.provenance is Provenance.DECLARED
            and item.name.value == endpoint and not (item.name.note or "").startswith("partly")
            for unit_index, unit in enumerate(item.units)
            if unit.name.known and unit.name.value == variant
        ]
        if len(matches) != 1:
            continue
        index, unit_index = matches[0]
        deployment = items[index]
        units = list(deployment.units)
        units[unit_index] = replace(units[unit_index], scaling=units[unit_index].scaling + (target.scaling,))
        link = ResourceRef("aws_appautoscaling_target", target.scaling.linked_by.removeprefix("resource_id of "), target.span) if target.span is not None else None
        items[index] = replace(deployment, units=tuple(units), links=deployment.links + ((link,) if link is not None else ()))
        items[position] = replace(
            target, status=LinkStatus.LINKED, reason=f"endpoint {endpoint!r}, variant {variant!r} (another module of the plan)",
            deployment_id=deployment.id, unit_name=variant,
        )
    return items

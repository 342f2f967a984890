"""A Terraform module: the `.tf` (and `.tf.json`) documents of one directory read together, with its tfvars.

Terraform reads every `*.tf` and `*.tf.json` file of a directory as one
module, and loads `terraform.tfvars`, `terraform.tfvars.json` and
`*.auto.tfvars(.json)` beside them automatically; any other tfvars file is
passed with `-var-file` and is not applied here (it is a stage file). The
run's documents (context files included) are grouped by directory once per
run (`modules_of_run`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from linter import Document, MappingNode, Node, RunContext, ScalarNode, Span

from plugins.adapters.terraform.hcl import Attribute, Literal
from plugins.adapters.terraform.values import Evaluation, Module, Resource, Scope, Variable, is_

__all__ = [
    "TerraformModule",
    "module_blocks",
    "Instance",
    "is_configuration",
    "is_variables_file",
    "is_auto_variables_file",
    "modules_of_run",
    "module_of",
    "instances_of",
    "stage_owner",
    "MAX_STAGE_DEPTH",
    "MAX_CALL_DEPTH",
    "MAX_INSTANCES",
]

# A tfvars file this many directories below a module (`envs/prod.tfvars`, `envs/prod/terraform.tfvars`) is a stage file of it.
MAX_STAGE_DEPTH = 2
# Module blocks nested deeper than this below a root module are not followed (real configurations nest two or three deep).
MAX_CALL_DEPTH = 8
# Readings of one called module (calls of its callers' readings multiply): the rest are not judged.
MAX_INSTANCES = 64


def is_configuration(path: str) -> bool:
    """A file Terraform reads as configuration: `*.tf` or `*.tf.json`."""
    lowered = path.lower()
    return lowered.endswith(".tf") or lowered.endswith(".tf.json")


def is_variables_file(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith(".tfvars") or lowered.endswith(".tfvars.json")


def is_auto_variables_file(path: str) -> bool:
    """A tfvars file Terraform loads without being told: `terraform.tfvars(.json)`, `*.auto.tfvars(.json)`."""
    name = os.path.basename(path).lower()
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


class RunPaths:
    """The real paths of a run's documents, resolved on the first `in` (most runs never ask)."""

    __slots__ = ("_paths", "_real")

    def __init__(self, paths: list[str]) -> None:
        self._paths = paths
        self._real: frozenset[str] | None = None

    def __contains__(self, path: object) -> bool:
        if self._real is None:
            self._real = frozenset(os.path.realpath(path) for path in self._paths)
        return path in self._real


@dataclass
class TerraformModule:
    """One directory's configuration documents, its automatically loaded tfvars, and its evaluator."""

    directory: str
    documents: list[Document]
    variables_files: list[Document]
    module: Module
    resources: list[Resource]
    claimed: set = field(default_factory=set)
    stage_files: list[Document] = field(default_factory=list)
    calls: list["ModuleCall"] = field(default_factory=list)
    roots: dict = field(default_factory=dict)  # path -> the document's root in the native shape
    run_paths: "RunPaths | frozenset" = frozenset()  # the real paths of the run's documents (a definition file among them is read as its own document)

    def with_stage(self, stage: Document) -> "TerraformModule":
        """The module as `terraform apply -var-file=<stage>` reads it: the stage's values over the automatic ones."""
        return replace(build_module(self.directory, self.documents, self.variables_files + [stage]), run_paths=self.run_paths)

    def called(self, call: "ModuleCall") -> "TerraformModule":
        """The module as a `module` block of another module instantiates it: the call's arguments as its variables' values.

        Terraform loads tfvars files for the root module only: a called module's own are not applied.
        """
        return replace(build_module(self.directory, self.documents, [], call.arguments), run_paths=self.run_paths)


@dataclass(frozen=True)
class ModuleCall:
    """A `module "name" { source = "<local directory>" ... }` block of another module of the run."""

    name: str
    caller: Document
    span: Span
    arguments: dict  # variable name -> Evaluation in the calling module
    where: str = ""  # the caller's path relative to the called module's directory
    caller_module: "TerraformModule | None" = field(default=None, compare=False, repr=False)
    body: "MappingNode | None" = field(default=None, compare=False, repr=False)



@dataclass(frozen=True)
class Instance:
    """One reading of a module as `terraform apply` in a root module instantiates it.

    `chain` holds the module blocks from the root module down to this one
    (the root's first), each with its arguments as evaluated in that
    reading of its caller; it is empty for the root module itself.
    `stage` is the root's stage file the reading applies (None: the root's
    automatic values only); `root` the root module's directory.
    """

    module: TerraformModule = field(compare=False)
    chain: tuple = ()
    stage: Document | None = field(default=None, compare=False)
    root: str = ""


# Arguments of a module block that are Terraform's, not the module's variables.
_CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def _blocks(root: Node | None, kind: str) -> list[tuple[str, str, MappingNode]]:
    """(type, name, body) of every `resource`/`data` block; (name, "", body) for `variable`."""
    section = root.get(kind) if isinstance(root, MappingNode) else None
    found: list[tuple[str, str, MappingNode]] = []
    if not isinstance(section, MappingNode):
        return found
    for key, value in section.pairs:
        if kind == "variable":
            if isinstance(value, MappingNode):
                found.append((str(key.value), "", value))
            continue
        if not isinstance(value, MappingNode):
            continue
        for name, body in value.pairs:
            if isinstance(body, MappingNode):
                found.append((str(key.value), str(name.value), body))
            elif hasattr(body, "items"):  # a .tf.json resource written as a list of bodies
                for item in getattr(body, "items", ()):
                    if isinstance(item, MappingNode):
                        found.append((str(key.value), str(name.value), item))
    return found


def _locals(root: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    section = root.get("locals") if isinstance(root, MappingNode) else None
    result: dict[str, tuple[ScalarNode, Node]] = {}
    mappings = [section] if isinstance(section, MappingNode) else list(getattr(section, "items", ()) or ())
    for mapping in mappings:
        if isinstance(mapping, MappingNode):
            for key, value in mapping.pairs:
                result[str(key.value)] = (key, value)
    return result


def build_module(directory: str, documents: list[Document], variables_files: list[Document], given: "dict | None" = None) -> TerraformModule:
    variables: dict[str, Variable] = {}
    locals_: dict[str, Any] = {}
    resources: list[Resource] = []
    roots: dict[str, Node | None] = {}
    for document in documents:
        root = configuration_root(document)
        roots[document.path] = root
        for name, _, body in _blocks(root, "variable"):
            variables[name] = Variable(name, body, None, "")
        locals_.update(_locals(root))
        for kind in ("resource", "data"):
            for type_name, name, body in _blocks(root, kind):
                resources.append(Resource(kind, type_name, name, body, document.path))
    for document in variables_files:  # later files win, as Terraform applies them in name order
        root = document.root
        if not isinstance(root, MappingNode):
            continue
        for key, value in root.pairs:
            variable = variables.get(str(key.value))
            if variable is not None:
                variables[variable.name] = Variable(variable.name, variable.node, value, os.path.basename(document.path))
    for name, evaluation in (given or {}).items():
        variable = variables.get(name)
        if variable is not None:
            variables[name] = Variable(name, variable.node, None, "", evaluation)
    module = Module(variables.values(), locals_, resources)
    return TerraformModule(directory, documents, variables_files, module, [resource for resource in resources if resource.kind == "resource"], roots=roots)


def configuration_root(document: Document) -> Node | None:
    """A configuration document's root in the native syntax's shape (`.tf.json` converted by `json_syntax`)."""
    if document.path.lower().endswith(".json"):
        from plugins.adapters.terraform.json_syntax import configuration

        return configuration(document)
    return document.root


def modules_of_run(run: RunContext) -> dict[str, TerraformModule]:
    """Every Terraform module of the run, by directory (built once per run), with its stage files.

    A stage file is a tfvars file of the module's directory that Terraform
    does not load by itself (`prod.tfvars`, passed with `-var-file`) and that
    sets at least one variable the module declares; or any tfvars file of a
    directory without configuration at most `MAX_STAGE_DEPTH` levels below
    the module (`envs/prod.tfvars`, `envs/prod/terraform.tfvars`: nothing
    loads it by itself there), for the nearest module above it.
    """

    def build() -> dict[str, TerraformModule]:
        by_directory: dict[str, tuple[list[Document], list[Document], list[Document]]] = {}
        for document in run.documents:
            if document.embedded_in is not None:  # an object another format's value describes, not configuration
                continue
            directory = os.path.dirname(document.path)
            if is_configuration(document.path):
                by_directory.setdefault(directory, ([], [], []))[0].append(document)
            elif is_auto_variables_file(document.path):
                by_directory.setdefault(directory, ([], [], []))[1].append(document)
            elif is_variables_file(document.path):
                by_directory.setdefault(directory, ([], [], []))[2].append(document)
        modules = {}
        for directory, (documents, tfvars, stages) in by_directory.items():
            if not documents:
                continue
            module = build_module(directory, sorted(documents, key=lambda item: item.path), sorted(tfvars, key=lambda item: item.path))
            module.stage_files = [stage for stage in sorted(stages, key=lambda item: item.path) if _sets_a_variable(stage, module)]
            modules[directory] = module
        for directory, (documents, tfvars, stages) in by_directory.items():
            owner = None if documents else _module_above(directory, modules)
            if owner is not None:
                owner.stage_files = sorted(
                    owner.stage_files + [stage for stage in tfvars + stages if _sets_a_variable(stage, owner)], key=lambda item: item.path
                )
        run_paths = RunPaths([document.path for document in run.documents])
        for module in modules.values():
            module.run_paths = run_paths
        for module in modules.values():
            for call in _calls(module, modules):
                modules[call[0]].calls.append(call[1])
        return modules

    return run.memo(("terraform", "modules"), build)


def _sets_a_variable(stage: Document, module: TerraformModule) -> bool:
    root = stage.root
    return isinstance(root, MappingNode) and any(str(key.value) in module.module.variables for key, _ in root.pairs)


def _module_above(directory: str, modules: dict[str, TerraformModule]) -> TerraformModule | None:
    """The nearest module at most MAX_STAGE_DEPTH directories above `directory`."""
    current = directory
    for _ in range(MAX_STAGE_DEPTH):
        parent = os.path.dirname(current)
        if parent == current:
            return None
        if parent in modules:
            return modules[parent]
        current = parent
    return None


def stage_owner(stage: Document, run: RunContext) -> TerraformModule | None:
    """The module whose stage file `stage` is when it lies in a directory below it (`envs/prod.tfvars`); None otherwise."""
    for module in modules_of_run(run).values():
        if any(item is stage for item in module.stage_files):
            return module
    return None


def instances_of(module: TerraformModule, run: RunContext) -> list[Instance]:
    """The readings of a module in the run: a root module's (once per stage file), or those its callers' readings make.

    A root module is one no module of the run calls. A called module is
    read once per call in each reading of its caller, so a chain
    root → a → b binds a's variables from the root's block and b's from
    a's block as that reading of a evaluates it. Chains deeper than
    `MAX_CALL_DEPTH` calls are not followed and a module is read at most
    `MAX_INSTANCES` times. A module on a cycle of calls (Terraform rejects
    the configuration), and every module it calls, directly or not, has no
    reading.
    """
    return _all_instances(run).get(module.directory, [])


def _all_instances(run: RunContext) -> dict[str, list[Instance]]:
    def build() -> dict[str, list[Instance]]:
        modules = modules_of_run(run)
        waiting = {directory: len(module.calls) for directory, module in modules.items()}
        ready = [directory for directory, count in sorted(waiting.items()) if count == 0]
        callees: dict[str, list[tuple[str, ModuleCall]]] = {}
        for directory, module in modules.items():
            for call in module.calls:
                callees.setdefault(call.caller_module.directory if call.caller_module is not None else "", []).append((directory, call))
        found: dict[str, list[Instance]] = {}
        for directory in ready:
            module = modules[directory]
            if module.stage_files:
                found[directory] = [Instance(module.with_stage(stage), (), stage, directory) for stage in module.stage_files]
            else:
                found[directory] = [Instance(module, (), None, directory)]
        while ready:  # callers before the modules they call (Kahn's order): no recursion, and a cycle is never ready
            caller = ready.pop()
            for directory, call in callees.get(caller, ()):
                readings = found.setdefault(directory, [])
                for outer in found.get(caller, ()):
                    if len(readings) >= MAX_INSTANCES:
                        break
                    if len(outer.chain) >= MAX_CALL_DEPTH:
                        continue
                    arguments = call_arguments(outer.module, call.body, call.name, call.where) if call.body is not None else call.arguments
                    if arguments is None:
                        continue
                    bound = replace(call, arguments=arguments)
                    readings.append(Instance(modules[directory].called(bound), outer.chain + (bound,), outer.stage, outer.root))
                waiting[directory] -= 1
                if waiting[directory] == 0:
                    ready.append(directory)
        for directory, count in waiting.items():
            if count:  # on or below a cycle of calls
                found.pop(directory, None)
        return found

    return run.memo(("terraform", "instances"), build)


def module_of(document: Document, run: RunContext) -> TerraformModule | None:
    modules = modules_of_run(run)
    module = modules.get(os.path.dirname(document.path))
    if module is None or not any(item is document for item in module.documents):
        # a document outside the run's documents (not expected): a module of its own
        return build_module(os.path.dirname(document.path), [document], [])
    return module


def module_blocks(module: TerraformModule) -> list[tuple[str, MappingNode, Document, str]]:
    """(call name, body, document, source) of each `module` block of `module` whose `source` is a literal string."""
    found = []
    for document in module.documents:
        root = module.roots.get(document.path)
        section = root.get("module") if isinstance(root, MappingNode) else None
        if not isinstance(section, MappingNode):
            continue
        for name, body in section.pairs:
            if not isinstance(body, MappingNode):
                continue
            source = body.get("source")
            text = source.expression.value if isinstance(source, Attribute) and isinstance(source.expression, Literal) else None
            if isinstance(text, str):
                found.append((str(name.value), body, document, text))
    return found


def _calls(module: TerraformModule, modules: dict[str, TerraformModule]) -> list[tuple[str, ModuleCall]]:
    """(child directory, call) for each `module` block whose source is a local directory holding a module of the run.

    The arguments are evaluated in the calling module as it reads with its
    own values; `instances_of` evaluates them again in each reading of the
    caller (a stage file of the root, the caller's own callers' arguments).
    A call whose `count` is decided 0 (or `for_each` empty) instantiates
    nothing.
    """
    found = []
    for call_name, body, document, text in module_blocks(module):
        if not text.startswith(("./", "../")):
            continue
        child = os.path.normpath(os.path.join(module.directory, text))
        if child not in modules or child == module.directory:
            continue
        where = os.path.relpath(document.path, child)  # the caller, seen from the module it calls
        arguments = call_arguments(module, body, call_name, where)
        if arguments is None:
            continue
        found.append((child, ModuleCall(call_name, document, body.span, arguments, where, module, body)))
    return found


def call_arguments(caller: TerraformModule, body: MappingNode, call_name: str, where: str) -> dict | None:
    """The arguments of a `module` block evaluated in the caller; None when its count or for_each creates nothing."""
    count = body.get("count")
    if count is not None and caller.module.evaluate(count).value == 0:
        return None
    for_each = body.get("for_each")
    if for_each is not None and caller.module.evaluate(for_each).value in ({}, []):
        return None
    arguments = {}
    for key, value in body.pairs:
        if str(key.value) in _CALL_META or not isinstance(value, Attribute):
            continue
        evaluation = caller.module.evaluate(value, Scope())
        place = (value.span, is_(evaluation.value, f"argument {key.value} of module {call_name} in {where}"))
        arguments[str(key.value)] = Evaluation(evaluation.value, (place,) + evaluation.related)
    return arguments

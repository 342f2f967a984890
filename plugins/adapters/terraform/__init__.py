"""Terraform configurations (`*.tf`, `*.tf.json`, `*.tfvars`, `*.tfvars.json`) read into the deployment model.

Native syntax is parsed by tree-sitter's HCL grammar (`hcl.py`, imported
when a run holds a Terraform file) and kept in the parse cache through
this plugin's node codec (`node_codec.py`); JSON syntax is read by the core
loader and converted into the native syntax's nodes and expressions
(`json_syntax.py`).
A directory's configuration files are one module (`module.py`), evaluated
as far as the module decides its values (`values.py`): variable defaults
and automatically loaded tfvars, locals, references, conditionals,
`count`/`for_each`. A module another module of the run calls (`module`
block with a local `source`) is read once per call, with the call's
arguments, down chains of calls from each root module and its stage files
(`module.instances_of`). SageMaker and Application Auto Scaling resources are
read through the shared AWS readers (`requests.py`, `hosting.py`), AWS
Batch and EKS node groups (also the well-known inputs of the
terraform-aws-modules eks and batch modules) through the shared Batch and
node group records, with the launch templates they name (`compute.py`),
ECS task definitions and services through the shared ECS reader
(`ecs.py`; capacity providers through their Auto Scaling groups,
`auto_scaling.py`; the services of the terraform-aws-modules ecs module,
`ecs_modules.py`); Kubernetes provider resources are handed to the
Kubernetes adapter as the objects they describe (`kubernetes.py`, through
`mldeploy_embedded_documents`); other resource types are ignored. The
Batch, node group, ECS and workflow readers wait for a module that holds
what they read (`module_items`, `hosting._module_ecs`), the plan reader
for a linted JSON document.

A `terraform show -json` plan (`plan.py`) is read into the same modules,
one per module instance of its planned values, and judged from its
decided values; the run's `.tf` files it locates are then not judged again.

A deployment is returned with the document of its anchor resource (the
endpoint, else the endpoint configuration); when that file is only context
(a pre-commit hook passed a sibling), with the first linted file of the
module.
"""

from __future__ import annotations

import os

import re
from dataclasses import replace

from linter import (
    ContextPrefilter,
    ContextRequest,
    Deployment,
    Document,
    DocumentFormat,
    LinkStatus,
    LoadLimits,
    MappingNode,
    NodeCodec,
    Provenance,
    RunContext,
    ScalingTarget,
    SourceFile,
    SuppressionEdit,
    Sourced,
    Span,
    environment_from_path,
    hookimpl,
)

from plugins import data

PATTERNS = ("*.tf", "*.tf.json", "*.tfvars", "*.tfvars.json")


def _is_native(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith(".tf") or lowered.endswith(".tfvars")


_TERRAFORM_SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json")


def _is_terraform(path: str) -> bool:
    return path.lower().endswith(_TERRAFORM_SUFFIXES)


# The resource types the Batch and node group reader (`compute.COMPUTE_TYPES`) and the workflow reader
# (`workflows.WORKFLOW_TYPES`) read, written here so that a module holding none of them (and calling no
# registry module) imports neither reader (tests/adapters/test_terraform.py keeps them equal).
COMPUTE_TYPES = frozenset({"aws_batch_compute_environment", "aws_batch_job_queue", "aws_batch_job_definition", "aws_eks_node_group"})
WORKFLOW_TYPES = frozenset({"aws_sfn_state_machine", "aws_sagemaker_pipeline"})


# What in a configuration may link to a Kubernetes object of another file (read as embedded documents, `kubernetes.py`).
_KUBERNETES_LINKS = ("kubernetes_horizontal_pod_autoscaler", "kubernetes_pod_disruption_budget", "kubernetes_manifest")


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """When a Terraform file is linted: its module's directory, the modules it calls and the modules that call it
    (`context.py`), and a configuration elsewhere whose scaling target names one of its literal endpoint names or
    that makes the endpoint its scaling target names (`aws.cross_stack`); the `.tf` files a linted plan is
    located in (`plan_context.py`); when Kubernetes objects are linted: a configuration that may hold an
    autoscaler or a budget for them; none otherwise."""
    from plugins.adapters.terraform.context import is_wanted

    if is_wanted(path, text, request):
        return True
    if _is_terraform(path) and any(_is_terraform(linted) for linted in request.linted):
        from plugins.adapters.aws.cross_stack import TERRAFORM, wanted_across_stacks

        if wanted_across_stacks(text, request, TERRAFORM):  # another root that scales a linted endpoint, or makes one
            return True
    if _is_terraform(path):
        wants = _plan_wants(request)
        if wants is not None and wants.wants(path, text):
            return True
    if not _is_terraform(path) or not any(word in text for word in _KUBERNETES_LINKS):
        return False
    return _kubernetes_linted(request)


@hookimpl
def mldeploy_context_prefilter(request: ContextRequest) -> ContextPrefilter:
    """The files `mldeploy_context_wanted` may want: the linted modules' trees and Terraform files; only Terraform
    files when none is linted (for a linted plan or Kubernetes object); nothing when neither is linted."""
    if any(_is_terraform(path) for path in request.linted):
        from plugins.adapters.terraform.context import in_wanted_trees

        return ContextPrefilter(suffixes=_TERRAFORM_SUFFIXES, directory_wanted=lambda directory: in_wanted_trees(directory, request))
    if _kubernetes_linted(request) or _plan_wants(request) is not None:
        return ContextPrefilter(suffixes=_TERRAFORM_SUFFIXES)
    return ContextPrefilter()


def _kubernetes_linted(request: ContextRequest) -> bool:
    """Whether a linted file may hold a Kubernetes object (once per run)."""
    return request.memo(("terraform", "kubernetes linted"), lambda: any("apiVersion" in linted for linted in request.linted.values()))


def _plan_wants(request: ContextRequest):
    """What the linted plans want (`plan_context.py`, imported only when a linted file may be a plan), once per run."""

    def wants():
        if not any(linted.lower().endswith(".json") for linted in request.linted):
            return None
        from plugins.adapters.terraform.plan_context import plan_wants

        return plan_wants(request.linted)

    return request.memo(("terraform", "plans linted"), wants)


@hookimpl
def mldeploy_file_patterns() -> tuple[str, ...]:
    return PATTERNS


@hookimpl
def mldeploy_load(path: str, text: str, limits: LoadLimits) -> SourceFile | None:
    """Native-syntax Terraform (`.tf`, `.tfvars`); the JSON forms are left to the core JSON loader."""
    if not _is_native(path):
        return None
    from plugins.adapters.terraform.hcl import load_hcl

    return load_hcl(path, text, limits)


def _encode_attribute(node):
    from plugins.adapters.terraform.node_codec import encode_attribute

    return encode_attribute(node)


def _decode_attribute(base, data):
    from plugins.adapters.terraform.node_codec import decode_attribute

    return decode_attribute(base, data)


# A parsed `.tf` file holds `Attribute` nodes (`hcl.py`): written to the parse cache through this codec
# (`node_codec.py`), imported when a file is written or read, so a run without Terraform files imports neither.
ATTRIBUTE_CODEC = NodeCodec(
    "terraform-attribute",
    "plugins.adapters.terraform.hcl.Attribute",
    _encode_attribute,
    _decode_attribute,
    depends_on=("plugins.adapters.terraform.hcl", "plugins.adapters.terraform.node_codec"),
)


@hookimpl
def mldeploy_node_codecs() -> list[NodeCodec]:
    return [ATTRIBUTE_CODEC]


@hookimpl
def mldeploy_embedded_documents(document: Document, run: RunContext) -> list | None:
    """The Kubernetes objects a Terraform document's `kubernetes_*` resources describe (see `kubernetes.py`)."""
    if document.embedded_in is not None or not _is_terraform(document.path):
        return None
    from plugins.adapters.terraform.module import is_configuration

    if not is_configuration(document.path):
        return None
    from plugins.adapters.terraform.kubernetes import embedded_objects

    return embedded_objects(document, run) or None


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """The deployments and scaling targets of a Terraform document's module (see the package docstring)."""
    if document.embedded_in is not None:
        return None
    if not _is_terraform(document.path):
        return _plan_items(document, run) if document.path.lower().endswith(".json") else None
    path = document.path
    from plugins.adapters.terraform.module import is_configuration, module_of

    if not is_configuration(path):
        return [DocumentFormat("terraform-variables"), *_judged_with(document, run)]
    module = module_of(document, run)
    if module.directory in _plan_directories(run):  # judged once, from the plan's decided values
        return [DocumentFormat("terraform-configuration")]
    items_by_path = run.memo(("terraform", "items", module.directory), lambda: _items(module, run))
    results: list = [DocumentFormat("terraform-configuration")]
    reported = [item for item in module.documents if run.is_reported(item)] or [document]
    for anchor_path, items in items_by_path.items():
        owner = anchor_path if any(item.path == anchor_path for item in reported) else reported[0].path
        if owner == path and anchor_path not in module.claimed:
            module.claimed.add(anchor_path)
            results.extend(items)
    if not module.calls and ("called",) not in module.claimed:  # a root judges the modules it calls that the run does not lint
        module.claimed.add(("called",))
        results.extend(_called_items(module, None, run))
    return results


def _plan_directories(run: RunContext) -> set[str]:
    """`plan.plan_directories`: the plan reader is imported only when the run lints a JSON document (a plan is one)."""
    if not run.memo(("terraform", "json linted"), lambda: any(item.path.lower().endswith(".json") and run.is_reported(item) for item in run.documents)):
        return set()
    from plugins.adapters.terraform.plan import plan_directories

    return plan_directories(run)


def _plan_items(document: Document, run: RunContext) -> list | None:
    """A `terraform show -json` document's deployments (`plan.py`); None for any other JSON document."""
    root = document.root
    # cheap before any import: every JSON document of a run passes here
    if not isinstance(root, MappingNode) or root.get("format_version") is None or (root.get("planned_values") is None and root.get("values") is None):
        return None
    from plugins.adapters.terraform.plan import is_plan, link_across_modules, location_note, marked, plan_modules

    if not is_plan(document):
        return None

    extensions = data.extensions_of(run)
    found: list = []
    for module in plan_modules(document, run):
        for items in module_items(module, extensions).values():
            found.extend(items)
    return [DocumentFormat("terraform-plan"), *marked(link_across_modules(found), document, location_note(document, run))]


def module_items(module, extensions: data.Extensions = data.SHIPPED) -> dict:
    """Items by anchor path of one reading of a module: its hosting, Batch, node group and workflow deployments.

    `extensions` is the run's `[data]` section (`data.extensions_of(run)`),
    for the facts the shared readers infer from images and instance types.
    The Batch and node group reader waits for a module with such a resource
    or a `module` block (the eks and batch registry modules' calls), the
    workflow reader for a state machine or a pipeline.
    """
    from plugins.adapters.terraform.hosting import module_items as hosting_items
    from plugins.adapters.terraform.module import module_blocks

    items = hosting_items(module, extensions)
    types = {resource.type for resource in module.resources}
    extras = []
    if types & COMPUTE_TYPES or module_blocks(module):
        from plugins.adapters.terraform.compute import module_compute_items

        extras.append(module_compute_items(module, extensions))
    if types & WORKFLOW_TYPES:
        from plugins.adapters.terraform.workflows import module_workflow_items

        extras.append(module_workflow_items(module, extensions))
    for extra in extras:
        for path, found in extra.items():
            items.setdefault(path, []).extend(found)
    return items


def _judged_with(variables_file: Document, run: RunContext) -> list:
    """The modules a tfvars file sets values for, when the run lints the tfvars file but not those modules' files.

    A pre-commit run given only `prod.tfvars` (its module's `.tf` files are
    context) judges the module with that stage file alone, and the modules
    it calls (`./modules/endpoint`, and what those call) as that stage
    instantiates them, each unless one of its own files is linted (it is
    then judged there, with every stage). Given only an auto-loaded file
    (`terraform.tfvars`), it judges them as a run over the module would,
    unless one of the module's stage files is also linted (that one judges
    them). When one of the module's own files is linted, that file judges
    it and the modules it calls. A module its callers instantiate is judged
    where the calls are, not here.
    """
    from plugins.adapters.terraform.module import is_auto_variables_file, modules_of_run, stage_owner

    module = modules_of_run(run).get(os.path.dirname(variables_file.path)) or stage_owner(variables_file, run)
    if module is None or module.calls or module.directory in _plan_directories(run):
        return []
    staged = any(stage is variables_file for stage in module.stage_files)
    if not staged:
        if not is_auto_variables_file(variables_file.path) or any(run.is_reported(stage) for stage in module.stage_files):
            return []
        if ("auto-variables",) in module.claimed:
            return []
        module.claimed.add(("auto-variables",))
    if any(run.is_reported(item) for item in module.documents):
        return []  # the module's files judge it and the modules it calls, with every stage
    if staged:
        stage_items = module_items(module.with_stage(variables_file), data.extensions_of(run))
        found = [item for items in stage_items.values() for item in _with_stage(items, variables_file, run.non_stage_names, root=module.directory)]
    else:
        found = [item for items in _items(module, run).values() for item in items]
    return found + _called_items(module, variables_file if staged else None, run)


def _called_items(root, stage: Document | None, run: RunContext) -> list:
    """Items of the readings the root module `root` makes of the modules it calls, directly or not.

    Only readings with `stage` (any, when None), and only of modules none
    of whose files the run lints (those judge themselves).
    """
    from plugins.adapters.terraform.module import instances_of, modules_of_run

    extensions = data.extensions_of(run)
    found: list = []
    for called in modules_of_run(run).values():
        if not called.calls or any(run.is_reported(item) for item in called.documents):
            continue
        for instance in instances_of(called, run):
            if instance.root != root.directory or (stage is not None and instance.stage is not stage):
                continue
            for items in module_items(instance.module, extensions).values():
                found.extend(_with_instance(items, instance, run))
    return found


def _items(module, run: RunContext) -> dict:
    """Items by anchor path: the module read once, or once per stage file, each marked with its stage.

    A module other modules call is read as each reading of its callers
    instantiates it (`module.instances_of`), marked with the chain of calls
    and the root's stage file. The run gives its `[data]` section (for the
    facts the shared readers infer) and the names that are no stage words
    (for stage files' names).
    """
    from plugins.adapters.terraform.module import instances_of

    extensions = data.extensions_of(run)
    merged: dict[str, list] = {}
    if module.calls:  # a module its callers instantiate is judged as each call configures it
        for instance in instances_of(module, run):
            for path, items in module_items(instance.module, extensions).items():
                merged.setdefault(path, []).extend(_with_instance(items, instance, run))
        return merged
    if not module.stage_files:
        return module_items(module, extensions)
    for stage in module.stage_files:
        for path, items in module_items(module.with_stage(stage), extensions).items():
            merged.setdefault(path, []).extend(_with_stage(items, stage, run.non_stage_names, root=module.directory))
    return merged


def _with_instance(items: list, instance, run: RunContext) -> list:
    """Items of a called module's reading, marked with its chain of calls (and the root's stage file)."""
    if instance.stage is not None:
        return _with_stage(items, instance.stage, run.non_stage_names, instance, instance.root)
    return _with_call(items, instance)


def _chain_label(instance) -> str:
    """`module.a.module.b (<the root's file, relative to the called module>)`."""
    first = instance.chain[0]
    names = ".".join(f"module.{call.name}" for call in instance.chain)
    where = os.path.relpath(first.caller.path, instance.module.directory) if len(instance.chain) > 1 else first.where
    return f"{names} ({where or os.path.basename(first.caller.path)})"


def _with_call(items: list, instance) -> list:
    """Deployments and targets of a module instantiated by a chain of `module` blocks, marked with that chain."""
    label = _chain_label(instance)
    span = instance.chain[0].span
    variant = Sourced(
        label,
        Span.point(span.path, span.line, span.column),
        Provenance.DECLARED,
        f"the module is judged once per module block that calls it, here with {label}'s arguments",
    )
    marked = []
    for item in items:
        if isinstance(item, Deployment):
            item = replace(item, variant=variant)
        elif isinstance(item, ScalingTarget):
            item = replace(item, variant=label)
        marked.append(item)
    return marked


def _with_stage(items: list, stage: Document, non_stage_names: tuple[str, ...] = (), instance=None, root: str = "") -> list:
    """Deployments and targets marked with the stage file they were read with; the stage's environment where none is declared.

    The stage file is named by its path from the root module's directory
    `root` (`prod.tfvars`, `envs/prod/terraform.tfvars`); the stage's
    environment is inferred from a stage word in that path
    (`prod-config.tfvars.json`, `envs/prod/`), as for CloudFormation stage
    files (`non_stage_names`: the run's, `run.non_stage_names`).
    """
    label = os.path.relpath(stage.path, root) if root else os.path.basename(stage.path)
    variant = Sourced(
        label,
        Span.point(stage.path, stage.span.line, stage.span.column),
        Provenance.DECLARED,
        "the module is judged once per tfvars file beside it (passed with -var-file), here with this one's values",
    )
    if instance is not None:
        label = f"{_chain_label(instance)} with {label}"
        variant = Sourced(
            label,
            Span.point(stage.path, stage.span.line, stage.span.column),
            Provenance.DECLARED,
            "the module is judged once per module block that calls it and per tfvars file of the caller (passed with -var-file)",
        )
    environment: Sourced = Sourced()
    file_name = os.path.relpath(stage.path, root) if root else os.path.basename(stage.path)
    from_name = environment_from_path(file_name, non_stage_names)
    if from_name is not None:
        found, word = from_name
        environment = Sourced(found, None, Provenance.INFERRED, f"the tfvars file's name {file_name} names {word!r}")
    marked = []
    for item in items:
        if isinstance(item, Deployment):
            item = replace(item, variant=variant, environment=item.environment if item.environment.known else environment)
        elif isinstance(item, ScalingTarget):
            item = replace(item, variant=label)
        marked.append(item)
    return marked


@hookimpl
def mldeploy_context_links(document: Document, run: RunContext) -> list | None:
    """The endpoints and scaling targets of a context configuration's module, when no file of that module is
    linted, for links across roots (a target in one root naming an endpoint another makes)."""
    if document.embedded_in is not None or not _is_terraform(document.path):
        return None
    from plugins.adapters.terraform.module import is_configuration, module_of

    if not is_configuration(document.path):
        return None
    module = module_of(document, run)
    if any(run.is_reported(item) for item in module.documents):
        return None  # a linted module's items are the run's own
    return mldeploy_extract(document, run)  # the core keeps its deployments and targets, and ignores the rest


@hookimpl
def mldeploy_link(run: RunContext) -> list | None:
    """Scaling targets that name no endpoint of their module, looked for among the run's deployments."""
    def ours(target: ScalingTarget) -> bool:
        return target.span is not None and (_is_terraform(target.span.path) or target.span.path in _plan_paths(run))

    if not any(target.status is LinkStatus.NO_SUCH_DEPLOYMENT and not target.searched_run and ours(target) for target in run.scaling_targets):
        return None
    from plugins.adapters.aws.application_autoscaling import link_across_run

    return [link_across_run(target, run.deployments) if ours(target) else target for target in run.scaling_targets]


def _plan_paths(run: RunContext) -> frozenset:
    """The paths of the run's `terraform show -json` documents (a target read from one is located in it)."""

    def build() -> frozenset:
        candidates = [document for document in run.documents if document.path.lower().endswith(".json")]
        if not candidates:
            return frozenset()
        from plugins.adapters.terraform.plan import is_plan

        return frozenset(document.path for document in candidates if is_plan(document))

    return run.memo(("terraform", "plan-paths"), build)


# A line that starts an argument or a block: a comment line above it is certainly outside any string.
_STATEMENT_LINE = re.compile(r"^([ \t]*)[A-Za-z_][\w-]*\s*(=|\{|\")")


@hookimpl
def mldeploy_suppression_edit(document: Document, span: Span, rule_id: str, reason: str) -> SuppressionEdit | None:
    """A `# mldeploy-lint: disable=<rule_id> -- reason` line above the argument or block line the finding points at.

    Terraform has no place for metadata, so the suppression is the comment
    that covers the line below it; it is offered only where that line
    starts an argument or a block (never inside a heredoc or a string), and
    only in the file that holds the finding.
    """
    if not _is_native(document.path) or span.path != document.path:
        return None
    lines = document.source.text.splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    match = _STATEMENT_LINE.match(lines[span.line - 1])
    if match is None:
        return None
    clean_reason = " ".join(reason.split())
    text = f"{match.group(1)}# mldeploy-lint: disable={rule_id}" + (f" -- {clean_reason}" if clean_reason else "") + "\n"
    return SuppressionEdit(span.line, 1, text, f"line {span.line}")

"""Terraform configurations (`*.tf`, `*.tf.json`, `*.tfvars`, `*.tfvars.json`) read into the deployment model.

Native syntax is parsed by tree-sitter's HCL grammar (`hcl.py`, imported
when a run holds a Terraform file); JSON syntax is read by the core loader
and converted into the native syntax's nodes and expressions
(`json_syntax.py`).
A directory's configuration files are one module (`module.py`), evaluated
as far as the module decides its values (`values.py`): variable defaults
and automatically loaded tfvars, locals, references, conditionals,
`count`/`for_each`. A module another module of the run calls (`module`
block with a local `source`) is read once per call, with the call's
arguments. SageMaker and Application Auto Scaling resources are
read through the shared AWS readers (`requests.py`, `hosting.py`), AWS
Batch and EKS node groups (also the well-known inputs of the
terraform-aws-modules eks and batch modules) through the shared Batch and
node group records, with the launch templates they name (`compute.py`),
ECS task definitions and services through the shared ECS reader
(`ecs.py`); other resource types are ignored.

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
    ContextRequest,
    Deployment,
    Document,
    DocumentFormat,
    LinkStatus,
    LoadLimits,
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


def _is_terraform(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith((".tf", ".tfvars", ".tf.json", ".tfvars.json"))


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """When a Terraform file is linted: its module's directory, the modules it calls and the modules that call it
    (`context.py`); none otherwise."""
    from plugins.adapters.terraform.context import is_wanted

    return is_wanted(path, text, request)


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


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """The deployments and scaling targets of a Terraform document's module (see the package docstring)."""
    if not _is_terraform(document.path):
        return None
    path = document.path
    from plugins.adapters.terraform.module import is_configuration, module_of

    if not is_configuration(path):
        return [DocumentFormat("terraform-variables"), *_judged_with(document, run)]
    module = module_of(document, run)
    items_by_path = run.memo(("terraform", "items", module.directory), lambda: _items(module, run))
    results: list = [DocumentFormat("terraform-configuration")]
    reported = [item for item in module.documents if run.is_reported(item)] or [document]
    for anchor_path, items in items_by_path.items():
        owner = anchor_path if any(item.path == anchor_path for item in reported) else reported[0].path
        if owner == path and anchor_path not in module.claimed:
            module.claimed.add(anchor_path)
            results.extend(items)
    return results


def module_items(module, extensions: data.Extensions = data.SHIPPED) -> dict:
    """Items by anchor path of one reading of a module: its hosting, Batch, node group and workflow deployments.

    `extensions` is the run's `[data]` section (`data.extensions_of(run)`),
    for the facts the shared readers infer from images and instance types.
    """
    from plugins.adapters.terraform.compute import module_compute_items
    from plugins.adapters.terraform.hosting import module_items as hosting_items
    from plugins.adapters.terraform.workflows import module_workflow_items

    items = hosting_items(module, extensions)
    for extra in (module_compute_items(module, extensions), module_workflow_items(module, extensions)):
        for path, found in extra.items():
            items.setdefault(path, []).extend(found)
    return items


def _judged_with(variables_file: Document, run: RunContext) -> list:
    """The module a tfvars file sets values for, when the run lints the tfvars file but none of the module's files.

    A pre-commit run given only `prod.tfvars` (its module's `.tf` files are
    context) judges the module with that stage file alone; given only an
    auto-loaded file (`terraform.tfvars`), it judges the module as a run
    over the module would, unless one of the module's stage files is also
    linted (that one judges it). A module its callers instantiate is judged
    where the calls are, not here.
    """
    from plugins.adapters.terraform.module import is_auto_variables_file, modules_of_run

    module = modules_of_run(run).get(os.path.dirname(variables_file.path))
    if module is None or module.calls or any(run.is_reported(item) for item in module.documents):
        return []
    if any(stage is variables_file for stage in module.stage_files):
        stage_items = module_items(module.with_stage(variables_file), data.extensions_of(run))
        return [item for items in stage_items.values() for item in _with_stage(items, variables_file, run.non_stage_names)]
    if not is_auto_variables_file(variables_file.path) or any(run.is_reported(stage) for stage in module.stage_files):
        return []
    if ("auto-variables",) in module.claimed:
        return []
    module.claimed.add(("auto-variables",))
    return [item for items in _items(module, run).values() for item in items]


def _items(module, run: RunContext) -> dict:
    """Items by anchor path: the module read once, or once per stage file, each marked with its stage.

    The run gives its `[data]` section (for the facts the shared readers
    infer) and the names that are no stage words (for stage files' names).
    """
    extensions = data.extensions_of(run)
    merged: dict[str, list] = {}
    if module.calls:  # a module its callers instantiate is judged as each call configures it
        for call in module.calls:
            stages = call.caller_module.stage_files if call.caller_module is not None else []
            if not stages:
                for path, items in module_items(module.called(call), extensions).items():
                    merged.setdefault(path, []).extend(_with_call(items, call))
                continue
            for stage in stages:  # the caller's stage file sets the call's arguments
                staged = call.staged(stage)
                if staged is None:
                    continue
                for path, items in module_items(module.called(staged), extensions).items():
                    merged.setdefault(path, []).extend(_with_stage(_with_call(items, staged), stage, run.non_stage_names, call))
        return merged
    if not module.stage_files:
        return module_items(module, extensions)
    for stage in module.stage_files:
        for path, items in module_items(module.with_stage(stage), extensions).items():
            merged.setdefault(path, []).extend(_with_stage(items, stage, run.non_stage_names))
    return merged


def _with_call(items: list, call) -> list:
    """Deployments and targets of a module instantiated by a `module` block, marked with that call."""
    label = f"module.{call.name} ({call.where or os.path.basename(call.caller.path)})"
    variant = Sourced(
        label,
        Span.point(call.span.path, call.span.line, call.span.column),
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


def _with_stage(items: list, stage: Document, non_stage_names: tuple[str, ...] = (), call=None) -> list:
    """Deployments and targets marked with the stage file they were read with; the stage's environment where none is declared.

    The stage's environment is inferred from a stage word in the file's
    name (`prod.tfvars`, `prod-config.tfvars.json`), as for CloudFormation
    stage files (`non_stage_names`: the run's, `run.non_stage_names`).
    """
    label = os.path.basename(stage.path)
    variant = Sourced(
        label,
        Span.point(stage.path, stage.span.line, stage.span.column),
        Provenance.DECLARED,
        "the module is judged once per tfvars file beside it (passed with -var-file), here with this one's values",
    )
    if call is not None:
        label = f"module.{call.name} ({call.where or os.path.basename(call.caller.path)}) with {label}"
        variant = Sourced(
            label,
            Span.point(stage.path, stage.span.line, stage.span.column),
            Provenance.DECLARED,
            "the module is judged once per module block that calls it and per tfvars file of the caller (passed with -var-file)",
        )
    environment: Sourced = Sourced()
    file_name = os.path.basename(stage.path)
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
def mldeploy_link(run: RunContext) -> list | None:
    """Scaling targets that name no endpoint of their module, looked for among the run's deployments."""
    if not any(
        target.status is LinkStatus.NO_SUCH_DEPLOYMENT and not target.searched_run and target.span is not None and _is_terraform(target.span.path)
        for target in run.scaling_targets
    ):
        return None
    from plugins.adapters.aws.application_autoscaling import link_across_run

    return [
        link_across_run(target, run.deployments) if target.span is not None and _is_terraform(target.span.path) else target
        for target in run.scaling_targets
    ]


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

"""The CloudFormation adapter (templates in YAML or JSON, SAM, CDK output).

Recognises a template, hands each resource to the module in `resources/`
that knows its type, then links the SageMaker hosting records into
deployments (`hosting.py`). Adding a resource kind is adding one module.
Every resource's `Metadata` suppressions are read whatever its type
(`ignores.py`). A standalone state machine file that a SAM state machine
names by its `DefinitionUri` is read here too, as that resource's definition. A template with stage files (parameter files, `stages.py`)
is read once per stage file.

Every document of a run is asked whether it is a template or a stage file
(`template.py`, `stages.py`, imported with this module); the readers, the
template context and records, the hosting assembly and the suppression
reader are imported for the first template (`extract_template`), and the
shared Application Auto Scaling linker only when a template's scaling
target names no deployment of its template (`mldeploy_link`): a run of
Kubernetes manifests or Terraform files imports none of them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

from linter import (
    ContextPrefilter,
    ContextRequest,
    Deployment,
    Document,
    DocumentFormat,
    Ignore,
    InputProblem,
    LinkStatus,
    MappingNode,
    OptionSection,
    Provenance,
    RunContext,
    ScalarNode,
    ScalingTarget,
    Sourced,
    Span,
    hookimpl,
    normalise_environment,
)

from plugins import data
from plugins.adapters.cloudformation.stages import (
    MAX_STAGE_FILES,
    PARAMETER_FILES,
    SETTING as PARAMETER_FILES_SETTING,
    StageFile,
    stage_environment,
    stage_file_of,
    stage_files_left_out,
    stages_of,
    templates_of,
)
from plugins.adapters.cloudformation.template import intrinsic, is_template, tags
from plugins.adapters.cloudformation.template import resources as template_resources  # (the package has a `resources` module)
from plugins.adapters.cloudformation.workload import ENVIRONMENT_TAG_KEYS
from plugins.adapters.aws.document_kinds import is_state_machine
from plugins.adapters.aws.inferred_facts import with_image_region

if TYPE_CHECKING:
    from plugins.adapters.cloudformation.context import TemplateContext

# What this adapter tells the run a document is (`RunContext.formats_of`):
# the cfn-lint bridge checks the documents recognised as templates.
TEMPLATE = DocumentFormat("cloudformation-template")
STAGE_FILE = DocumentFormat("cloudformation-stage-file")

# The key this adapter adds to the core's `[environments]` section.
ENVIRONMENT_PARAMETERS = OptionSection(
    "environments",
    {
        "type": "object",
        "properties": {
            "parameters": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Names of template parameters (e.g. Stage, Environment) whose value names the stage. "
                "Only parameters listed here are read.",
            }
        },
    },
)


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [ENVIRONMENT_PARAMETERS, PARAMETER_FILES]


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """A file beside a linted template or stage file (its stage files, its templates), every file when
    `parameter-files` maps stage files by glob, a SAM template that may name a linted state machine
    definition as its `DefinitionUri`, and a template elsewhere that may scale a linted endpoint or make the
    endpoint a linted scaling target names (`aws.cross_stack`)."""
    if "DefinitionUri" in text or request.settings(PARAMETER_FILES_SETTING):
        return True
    if _holds_linted(os.path.dirname(path), request):
        return True
    from plugins.adapters.aws.cross_stack import CLOUDFORMATION, wanted_across_stacks

    return wanted_across_stacks(text, request, CLOUDFORMATION)


@hookimpl
def mldeploy_context_prefilter(request: ContextRequest) -> ContextPrefilter | None:
    """What `mldeploy_context_wanted` wants: every file when `parameter-files` is set, else the files beside a
    linted template or stage file, those naming a `DefinitionUri`, and those holding a linted endpoint's or
    target's endpoint name beside a scalable target or an endpoint (`aws.cross_stack`)."""
    if request.settings(PARAMETER_FILES_SETTING):
        return None
    from plugins.adapters.aws.cross_stack import CLOUDFORMATION, linted_stack_names

    names = linted_stack_names(request, CLOUDFORMATION).all
    across = {"naming_words": CLOUDFORMATION.naming_words, "names": names} if names else {}
    if not _linted_directories(request):
        return ContextPrefilter(words=("DefinitionUri",), **across)
    return ContextPrefilter(words=("DefinitionUri",), directory_wanted=lambda directory: _holds_linted(directory, request), **across)


# What a linted file holds when it may be a template (`Resources`) or a stage file (a template configuration
# file's `Parameters` or `Tags`, the CLI's `ParameterKey` list): only then are the files beside it wanted.
_TEMPLATE_OR_STAGE_WORDS = ("Resources", "Parameters", "Tags", "ParameterKey")


def _linted_directories(request: ContextRequest) -> frozenset[str]:
    """The directories (absolute) of the linted files that may be templates or stage files."""
    return request.memo(
        ("cloudformation", "linted directories"),
        lambda: frozenset(
            os.path.dirname(os.path.abspath(path))
            for path, text in request.linted.items()
            if any(word in text for word in _TEMPLATE_OR_STAGE_WORDS)
        ),
    )


def _holds_linted(directory: str, request: ContextRequest) -> bool:
    """Whether `directory` (as a display path's) holds a linted template or stage file."""
    directories = _linted_directories(request)
    if not directories:
        return False
    # A repository has far fewer directories than files: each is made absolute once.
    absolute: dict[str, str] = request.memo(("cloudformation", "absolute directories"), dict)
    if directory not in absolute:
        absolute[directory] = os.path.abspath(directory)
    return absolute[directory] in directories


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """Deployments of a CloudFormation template, once per stage file; None for any other document.

    A standalone state machine file that one SAM state machine of the run
    names by its `DefinitionUri` is that resource's definition: it is read
    here, with the resource's substitutions, Tags and profile.

    A stage file is claimed (it is CloudFormation input) but judged only
    with its templates: when it is linted and they are only context (a
    pre-commit hook passed the stage file alone), they are read here, with
    this stage file only.
    """
    if is_template(document):
        parameters, extensions = _run_settings(run)
        stages = stages_of(document, run)
        return [TEMPLATE, *extract_with_stages(document, stages, parameters, run.non_stage_names, extensions), *_stages_left_out(document, run)]
    if is_state_machine(document.root):
        from plugins.adapters.cloudformation.resources import stepfunctions

        definition = stepfunctions.definition_file_deployments(document, run)
        if definition is not None:
            return definition
    stage = stage_file_of(document, run)
    if stage is None:
        return None
    results: list = [STAGE_FILE]
    parameters, extensions = _run_settings(run)
    for template in templates_of(stage, run):
        if run.is_reported(template):
            continue  # judged with all its stage files where it is read
        labels = [label for label, other in stages_of(template, run) if other.path == stage.path]
        results += extract_with_stages(template, [(labels[0], stage)], parameters, run.non_stage_names, extensions)
    return results


@hookimpl
def mldeploy_context_links(document: Document, run: RunContext) -> list | None:
    """A context template's endpoints, services and scaling targets (with its stage files, as when it is linted),
    for links across stacks: a target in one template that scales an endpoint of another."""
    if not is_template(document) or not _may_link(document):
        return None
    return mldeploy_extract(document, run)  # the core keeps its deployments and targets, and ignores the rest


# The resource types whose records a link across stacks names or is: SageMaker hosting, ECS services, scaling targets.
_LINKED_TYPE_PREFIXES = ("AWS::SageMaker::", "AWS::ECS::", "AWS::ApplicationAutoScaling::")


def _may_link(template: Document) -> bool:
    return any(resource.type.startswith(_LINKED_TYPE_PREFIXES) for resource in template_resources(template))


def _stages_left_out(template: Document, run: RunContext) -> list[InputProblem]:
    """MD001 at the template's start when more stage files apply to it than it is read with."""
    left_out = stage_files_left_out(template, run)
    if not left_out:
        return []
    message = (
        f"{MAX_STAGE_FILES + left_out:,} stage files apply to this template; it is read with the first "
        f"{MAX_STAGE_FILES} by path, and under the other {left_out:,} it is not linted"
    )
    span = template.span
    return [InputProblem(message, Span.point(span.path, span.line, span.column), "MD001")]


def _run_settings(run: RunContext) -> tuple[tuple[str, ...], data.Extensions]:
    """The configured stage parameters (`[environments] parameters`) and `[data]` section of the run.

    Read only for a document that is a template or a stage file: most
    documents of a mixed run (Kubernetes manifests, API requests) are neither.
    """
    return tuple((run.settings("environments") or {}).get("parameters", ())), data.extensions_of(run)


def extract_with_stages(
    document: Document,
    stages: Sequence[tuple[str, StageFile]],
    environment_parameters: tuple[str, ...] = (),
    non_stage_names: tuple[str, ...] = (),
    extensions: data.Extensions = data.SHIPPED,
) -> list:
    """The template read once per stage file (once, as written, when it has none).

    Suppressions and input problems are the template's own: each is
    returned once, however many stages read it. `non_stage_names` are
    the run's (`run.non_stage_names`), for stage words in stage files'
    names; `extensions` its `[data]` section (`data.extensions_of(run)`).
    """
    if not stages:
        return extract_template(document, environment_parameters, extensions=extensions)
    results: list = []
    seen: set = set()
    for label, stage in stages:
        for item in extract_template(document, environment_parameters, (label, stage), non_stage_names, extensions):
            if isinstance(item, (Ignore, InputProblem)):
                if item in seen:
                    continue
                seen.add(item)
            results.append(item)
    return results


def extract_template(
    document: Document,
    environment_parameters: tuple[str, ...] = (),
    stage: tuple[str, StageFile] | None = None,
    non_stage_names: tuple[str, ...] = (),
    extensions: data.Extensions = data.SHIPPED,
) -> list:
    """Everything the adapter reads from one template document.

    `environment_parameters` names template parameters whose value names the
    stage (configured by the user; never guessed). `stage` is a stage file
    (with its label) whose parameter values and environment the template is
    read with. `non_stage_names` and `extensions` are the run's (see
    `extract_with_stages`).
    """
    # The readers, the records and the hosting assembly wait for a template: a run of Kubernetes
    # manifests or Terraform files never imports them.
    from plugins.adapters.cloudformation import hosting
    from plugins.adapters.cloudformation.context import TemplateContext
    from plugins.adapters.cloudformation.ignores import resource_ignores
    from plugins.adapters.cloudformation.records import TemplateRecords
    from plugins.adapters.cloudformation.resources import readers

    label, stage_file = stage if stage is not None else ("", None)
    root = document.root
    declared = root.get("Parameters") if isinstance(root, MappingNode) else None
    values = stage_file.values(label, declared if isinstance(declared, MappingNode) else None) if stage_file else None
    template = TemplateContext.of(document, values, extensions)
    table = readers()
    records = TemplateRecords()
    extracted: list = []
    for resource in template.resources.values():
        reader = table.get(resource.type)
        if reader is None:
            continue
        for item in reader(resource, template):
            if not records.add(item):
                extracted.append(item)
    results = with_image_region(hosting.assemble(records, template) + extracted)
    set_by_stage = {name for name, _ in stage_file.parameters} if stage_file else set()
    configured = _stage_parameter(template, tuple(name for name in environment_parameters if name not in set_by_stage))
    if stage_file is not None:
        results = _with_stage(results, template, label, stage_file, environment_parameters, configured, non_stage_names)
    elif configured is not None:
        results = [
            item.replaced(environment=configured) if isinstance(item, Deployment) and not item.environment.known else item
            for item in results
        ]
    return results + [item for resource in template.resources.values() for item in resource_ignores(resource)]


def _with_stage(
    results: list,
    template: TemplateContext,
    label: str,
    stage: StageFile,
    environment_parameters: tuple[str, ...],
    configured: Sourced | None,
    non_stage_names: tuple[str, ...] = (),
) -> list:
    """Deployments and scaling targets marked with their stage, deployments given its environment.

    A resource's own declaration wins (a literal stage tag, the workload
    profile), then a stage tag that is a `Ref` to a parameter the stage file
    sets, then the stage's environment (see `stage_environment`); a
    configured parameter's Default comes before a stage word in the stage
    file's name.
    """
    document_span = stage.document.span
    variant = Sourced(
        label,
        Span.point(stage.path, document_span.line, document_span.column),
        Provenance.DECLARED,
        f"the template is judged once per stage file, here with this one's parameters ({stage.form})",
    )
    environment = stage_environment(stage, label, template.resolver, environment_parameters, non_stage_names)
    if configured is not None and (not environment.known or environment.provenance is Provenance.INFERRED):
        environment = configured
    marked: list = []
    for item in results:
        if isinstance(item, Deployment):
            stage_environment_of = item.environment
            if not stage_environment_of.known:
                stage_environment_of = _tagged_by_reference(item, template, stage, label) or environment
            item = item.replaced(variant=variant, environment=stage_environment_of)
        elif isinstance(item, ScalingTarget):
            item = item.replaced(variant=label)
        marked.append(item)
    return marked


def _tagged_by_reference(item: Deployment, template: TemplateContext, stage: StageFile, label: str) -> Sourced | None:
    """The stage a resource's stage tag names through a parameter the stage file sets (`Value: !Ref EnvType`)."""
    given = dict(stage.parameters)
    for link in item.links:
        resource = template.resources.get(link.name)
        if resource is None:
            continue
        for key, value, _ in tags(resource):
            if key.lower() not in ENVIRONMENT_TAG_KEYS or intrinsic(value) != "Ref":
                continue
            origin = template.resolver.parameter_origin(value)
            if origin is None or origin[0] not in given or not origin[2]:
                continue
            found = normalise_environment(origin[1].value)
            if found is not None:
                return Sourced(
                    found, value.span, Provenance.DECLARED, f"tag {key} of {link.name} is parameter {origin[0]}, {origin[1].value!r} in {label}"
                )
    return None


def _stage_parameter(template: TemplateContext, names: tuple[str, ...]) -> Sourced | None:
    """The stage named by the first configured parameter that has a known Default."""
    parameters = template.resolver.parameters
    if parameters is None:
        return None
    for name in names:
        parameter = parameters.get(name)
        default = parameter.get("Default") if isinstance(parameter, MappingNode) else None
        if not isinstance(default, ScalarNode):
            continue
        stage = normalise_environment(default.value)
        if stage is not None:
            return Sourced(stage, default.span, Provenance.DECLARED, f"parameter {name} (configured) defaults to {default.value!r}")
    return None


@hookimpl
def mldeploy_link(run: RunContext) -> list | None:
    """A template's scaling targets that name no deployment of their template, looked for in the run (another stack)."""
    candidates = {
        target.span.path
        for target in run.scaling_targets
        if target.status is LinkStatus.NO_SUCH_DEPLOYMENT and not target.searched_run and target.span is not None
    }
    templates = {document.path for document in run.documents if document.path in candidates and is_template(document)}
    if not templates:
        return None
    from plugins.adapters.aws.application_autoscaling import link_across_run

    return [
        link_across_run(target, run.deployments) if target.span is not None and target.span.path in templates else target
        for target in run.scaling_targets
    ]


@hookimpl
def mldeploy_suppression_edit(document: Document, span, rule_id: str, reason: str):
    """The Metadata entry that excuses `rule_id` for the resource holding `span` (see `ignores.suppression_edit`)."""
    from plugins.adapters.cloudformation.ignores import suppression_edit

    return suppression_edit(document, span, rule_id, reason)

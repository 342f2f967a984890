"""Stage files: the CloudFormation parameter files a template is deployed with, one per stage.

Two forms are read, as AWS tools write them:

- CodePipeline's template configuration file (what every SageMaker
  Projects template ships as `prod-config.json` and `staging-config.json`):
  `{"Parameters": {"Name": "value", ...}, "Tags": {...}, "StackPolicy": {...}}`;
- the CLI's parameter list (`aws cloudformation create-stack --parameters
  file://prod.json`): `[{"ParameterKey": "Name", "ParameterValue": "value"}, ...]`.

A stage file applies to the templates the configuration maps it to
(`parameter-files`), else to every template in its directory that declares
all the parameters it sets (CloudFormation refuses a parameter the template
does not declare). A template with stage files is read once per stage file,
with that file's parameter values and that stage's environment; one with
none is read as before. Stage files are never judged themselves.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from linter import (
    Document,
    Environment,
    MappingNode,
    Node,
    OptionSection,
    Provenance,
    RunContext,
    ScalarNode,
    SequenceNode,
    Sourced,
    environment_from_path,
    normalise_environment,
)

from plugins.adapters.cloudformation.template import intrinsic, is_template
from plugins.adapters.cloudformation.workload import ENVIRONMENT_TAG_KEYS

if TYPE_CHECKING:
    # Every document of a run is asked whether it is a stage file (`stage_file_of`); the resolver waits
    # for a template that has stage files.
    from plugins.adapters.cloudformation.intrinsics import ParameterValue, Resolver

__all__ = [
    "MAX_STAGE_FILES",
    "StageFile",
    "read_stage_file",
    "stage_file_of",
    "stages_of",
    "stage_files_left_out",
    "templates_of",
    "stage_environment",
    "STAGE_TAG_KEYS",
]

# The most stage files a template is read with (the first by path). A template is read once per stage
# file: a directory of thousands of one-line stage files beside a template multiplied its reading (and
# every run-wide rule's worlds) by thousands. A project has a few stages, in a few regions each.
MAX_STAGE_FILES = 32

# Tags that name the stage, lower-cased (the resources' own, see workload.py).
STAGE_TAG_KEYS = ENVIRONMENT_TAG_KEYS

_CONFIGURATION_KEYS = frozenset({"Parameters", "Tags", "StackPolicy"})
_CLI_KEYS = frozenset({"ParameterKey", "ParameterValue", "UsePreviousValue", "ResolvedValue"})
_MEMO_KEY = "cloudformation:stage-files"

SETTING = "parameter-files"
_GLOB = {"type": "string", "minLength": 1, "format": "gitignore-pattern"}  # checked by the core as `exclude` is
PARAMETER_FILES = OptionSection(
    SETTING,
    {
        "type": "object",
        "description": "Template path glob -> the stage (parameter) files it is deployed with, as path globs "
        "(gitignore syntax, relative to this file). A template matched here is judged once per listed stage file, "
        "and only with those; other templates take the stage files beside them that set only parameters they declare.",
        "propertyNames": _GLOB,
        "additionalProperties": {"type": "array", "items": _GLOB},
    },
)


@dataclass(frozen=True)
class StageFile:
    """One parameter file: what it sets, and the tags it gives the stack.

    `parameters` maps a parameter name to the node its value is written at
    (a value of None: not known, as with `UsePreviousValue`).
    """

    document: Document
    parameters: tuple[tuple[str, ScalarNode], ...]
    tags: tuple[tuple[str, ScalarNode], ...] = ()
    form: str = "a CodePipeline template configuration file"

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def values(self, label: str, declared: MappingNode | None) -> dict[str, ParameterValue]:
        """The values it gives the parameters a template declares, for the resolver."""
        from plugins.adapters.cloudformation.intrinsics import ParameterValue

        return {
            name: ParameterValue(node, label)
            for name, node in self.parameters
            if declared is not None and name in declared
        }


def read_stage_file(document: Document) -> StageFile | None:
    """The stage file a document is, in either form; None for any other document."""
    root = document.root
    if isinstance(root, MappingNode) and intrinsic(root) is None:
        return _configuration_file(document, root)
    if isinstance(root, SequenceNode) and root.items:
        return _parameter_list(document, root)
    return None


def _configuration_file(document: Document, root: MappingNode) -> StageFile | None:
    keys = set(root.keys())
    if not keys or not keys <= _CONFIGURATION_KEYS or not keys & {"Parameters", "Tags"}:
        return None
    parameters = _scalars(root.get("Parameters"))
    tags = _scalars(root.get("Tags"))
    if parameters is None or tags is None:
        return None
    return StageFile(document, parameters, tags)


def _scalars(node: Node | None) -> tuple[tuple[str, ScalarNode], ...] | None:
    """A mapping of names to scalars (absent: empty); None when it is anything else."""
    if node is None:
        return ()
    if not isinstance(node, MappingNode):
        return None
    found = []
    for key, value in node.pairs:
        if not isinstance(key.value, str) or not isinstance(value, ScalarNode) or isinstance(value.value, (list, dict)):
            return None
        found.append((key.value, value))
    return tuple(found)


def _parameter_list(document: Document, root: SequenceNode) -> StageFile | None:
    parameters = []
    for item in root.items:
        if not isinstance(item, MappingNode) or not set(item.keys()) <= _CLI_KEYS:
            return None
        key, value, previous = item.get("ParameterKey"), item.get("ParameterValue"), item.get("UsePreviousValue")
        if not isinstance(key, ScalarNode) or not isinstance(key.value, str):
            return None
        if isinstance(previous, ScalarNode) and previous.value in (True, "true", "True"):
            value = ScalarNode(None, previous.span)  # the stack's current value: not known here
        if not isinstance(value, ScalarNode):
            return None
        parameters.append((key.value, value))
    return StageFile(document, tuple(parameters), form="a CloudFormation parameter list")


def _stage_files(run: RunContext) -> tuple[StageFile, ...]:
    """Every stage file among the run's documents (context files included), read once per run."""

    def build() -> tuple[StageFile, ...]:
        found = []
        for document in run.documents:
            stage = read_stage_file(document)
            if stage is not None:
                found.append(stage)
        return tuple(found)

    return run.memo(_MEMO_KEY, build)


def stage_file_of(document: Document, run: RunContext) -> StageFile | None:
    """The stage file `document` is, as `read_stage_file` says; read once per run for the run's documents."""
    if document not in _run_documents(run):
        return read_stage_file(document)
    by_document = run.memo((_MEMO_KEY, "by document"), lambda: {stage.document: stage for stage in _stage_files(run)})
    return by_document.get(document)


def _stage_files_by_directory(run: RunContext) -> Mapping[str, Sequence[StageFile]]:
    """The run's stage files by the absolute directory they are in (built once per run)."""

    def build() -> dict[str, list[StageFile]]:
        found: dict[str, list[StageFile]] = {}
        for stage in _stage_files(run):
            found.setdefault(os.path.dirname(os.path.abspath(stage.path)), []).append(stage)
        return found

    return run.memo((_MEMO_KEY, "by directory"), build)


def _mapping(run: RunContext) -> Mapping[str, Sequence[str]]:
    """The configured `parameter-files` table (empty when unset), read once per run."""

    def build() -> Mapping[str, Sequence[str]]:
        mapping = run.settings(SETTING) or {}
        return mapping if isinstance(mapping, Mapping) else {}

    return run.memo((_MEMO_KEY, "configured"), build)


def stages_of(template: Document, run: RunContext) -> list[tuple[str, StageFile]]:
    """(label, stage file) for each stage file that applies to `template`, in a stable order.

    The label is the file's name (`prod-config.json`), or its path where two
    of the template's stage files share a name. Worked out once per template
    of the run (the answer is kept for the run, one entry per document of
    the run at most; a template from elsewhere is worked out every time).
    """
    return list(_chosen_stages(template, run)[0])


def stage_files_left_out(template: Document, run: RunContext) -> int:
    """How many more stage files apply to `template` than it is read with (`MAX_STAGE_FILES`)."""
    return _chosen_stages(template, run)[1]


def _chosen_stages(template: Document, run: RunContext) -> tuple[tuple[tuple[str, StageFile], ...], int]:
    """`_stages_for`'s answer, kept for the run's templates."""
    if not _stage_files(run):
        return (), 0
    known = run.memo((_MEMO_KEY, "stages of templates"), dict)
    found = known.get(template)
    if found is None:
        found = _stages_for(template, run)
        if template in _run_documents(run):
            known[template] = found
    return found


def _run_documents(run: RunContext) -> frozenset[Document]:
    """The run's documents, by identity (what a per-document index of the run may hold)."""
    return run.memo((_MEMO_KEY, "documents"), lambda: frozenset(run.documents))


def _stages_for(template: Document, run: RunContext) -> tuple[tuple[tuple[str, StageFile], ...], int]:
    """The work behind `stages_of`: the configured stage files, else those beside it that it can take (the
    first `MAX_STAGE_FILES` by path), and how many more there are."""
    config = run.options.config
    explicit = [globs for key, globs in _mapping(run).items() if config.matches(key, template.path)]
    if explicit:
        wanted = [glob for globs in explicit for glob in globs]
        chosen = [stage for stage in _stage_files(run) if any(config.matches(glob, stage.path) for glob in wanted)]
    else:
        beside = _stage_files_by_directory(run).get(os.path.dirname(os.path.abspath(template.path)), ())
        declared = _declared_parameters(template) if beside else frozenset()
        chosen = [
            stage for stage in beside if (stage.parameters or stage.tags) and all(name in declared for name, _ in stage.parameters)
        ]
    chosen.sort(key=lambda stage: stage.path)
    left_out = max(0, len(chosen) - MAX_STAGE_FILES)
    chosen = chosen[:MAX_STAGE_FILES]
    names = Counter(stage.name for stage in chosen)
    return tuple((stage.name if names[stage.name] == 1 else stage.path, stage) for stage in chosen), left_out


def templates_of(stage: StageFile, run: RunContext) -> list[Document]:
    """The templates of the run that `stage` applies to, in the run's order.

    The run's templates are matched with their stage files once, on the
    first call; the index holds one entry per stage file path.
    """

    def build() -> dict[str, list[Document]]:
        found: dict[str, list[Document]] = {}
        for document in run.documents:
            if not is_template(document):
                continue
            for path in dict.fromkeys(other.path for _, other in stages_of(document, run)):
                if path != document.path:
                    found.setdefault(path, []).append(document)
        return found

    return list(run.memo((_MEMO_KEY, "templates by stage file"), build).get(stage.path, ()))


def _declared_parameters(template: Document) -> frozenset[str]:
    root = template.root
    section = root.get("Parameters") if isinstance(root, MappingNode) else None
    if not isinstance(section, MappingNode):
        return frozenset()
    return frozenset(str(key.value) for key, _ in section.pairs)


def stage_environment(
    stage: StageFile, label: str, resolver: Resolver, stage_parameters: Sequence[str], non_stage_names: Sequence[str] = ()
) -> Sourced[Environment]:
    """The environment of a stage, first found of:

    1. a configured stage parameter (`[environments] parameters`) that the
       stage file sets to a stage's name;
    2. a condition comparing such a parameter with a production value
       (`IsProdEnv: !Equals [!Ref StageName, prd-eu]`) that holds with the
       stage file's values;
    3. a stage tag in the stage file's `Tags` (`sagemaker:deployment-stage`,
       `EnvironmentType`, `Environment`, `Env`, `Stage`);
    4. a stage word in the stage file's name (`prod-config.json`), inferred
       (`non_stage_names`, the run's, are no stage words).
    """
    given = dict(stage.parameters)
    for name in stage_parameters:
        node = given.get(name)
        if node is not None and resolver.parameters is not None and name in resolver.parameters:
            found = normalise_environment(node.value)
            if found is not None:
                return Sourced(found, node.span, Provenance.DECLARED, f"parameter {name} (configured) is {node.value!r} in {label}")
    holding = _production_condition(resolver, stage, stage_parameters)
    if holding is not None:
        condition, name, node = holding
        return Sourced(
            Environment.PROD,
            node.span,
            Provenance.DECLARED,
            f"condition {condition} holds: parameter {name} (configured) is {node.value!r} in {label}",
        )
    for key, node in stage.tags:
        if key.lower() in STAGE_TAG_KEYS:
            found = normalise_environment(node.value)
            if found is not None:
                return Sourced(found, node.span, Provenance.DECLARED, f"tag {key}={node.value} in {label}")
    from_name = environment_from_path(stage.name, non_stage_names)
    if from_name is not None:
        found, word = from_name
        return Sourced(found, None, Provenance.INFERRED, f"the stage file's name {stage.name} names {word!r}")
    return Sourced()


def _production_condition(
    resolver: Resolver, stage: StageFile, stage_parameters: Sequence[str]
) -> tuple[str, str, ScalarNode] | None:
    """(condition, parameter, its value node) of a production test that the stage file makes hold."""
    if resolver.conditions is None:
        return None
    from plugins.adapters.cloudformation.intrinsics import _argument

    given = dict(stage.parameters)
    for condition, body in resolver.conditions.pairs:
        if intrinsic(body) != "Fn::Equals" or not isinstance(condition.value, str):
            continue
        argument = _argument(body)
        if not isinstance(argument, SequenceNode) or len(argument) != 2:
            continue
        for reference, literal in (argument.items, argument.items[::-1]):
            name = _ref_name(reference)
            if name not in stage_parameters or name not in given or not isinstance(literal, ScalarNode):
                continue
            production = normalise_environment(literal.value) is Environment.PROD or _names_production(condition.value)
            if production and resolver.condition(condition.value) is True:
                return condition.value, name, given[name]
    return None


def _ref_name(node: Node) -> str | None:
    if intrinsic(node) != "Ref":
        return None
    from plugins.adapters.cloudformation.intrinsics import _argument

    argument = _argument(node)
    return argument.value if isinstance(argument, ScalarNode) and isinstance(argument.value, str) else None


def _names_production(name: str) -> bool:
    """True for a condition named for production: IsProd, IsProdEnv, isProduction, PRD."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return any(normalise_environment(word) is Environment.PROD for word in words)

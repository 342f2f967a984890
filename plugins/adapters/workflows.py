"""The workflows adapter: standalone Step Functions state machines and SageMaker Pipelines definitions.

Reads `*.asl.json` / `*.asl.yaml` or any document with `StartAt` +
`States`, and pipeline definitions (`Version` + `Steps`), with the shared
readers `plugins.adapters.aws.workflow_definitions` and
`sagemaker_requests`, imported for the first such document. A standalone state machine that a SAM template of the same
run names as its `DefinitionUri` is that template's: the CloudFormation adapter reads it with the
template's `DefinitionSubstitutions`, Tags and profile, and this adapter
leaves it alone (`definition_uri_names`, shared by both, says which).
"""

from __future__ import annotations

from linter import ContextPrefilter, ContextRequest, Document, MappingNode, RunContext, hookimpl

from plugins import data
from plugins.adapters.aws.document_kinds import is_pipeline_definition, is_state_machine, request_words, wanted_as_request
from plugins.adapters.aws.inferred_facts import with_image_region


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """A SAM template that may name a definition by `DefinitionUri`, or an API request document (a step's model)."""
    return "DefinitionUri" in text or wanted_as_request(text, request)


@hookimpl
def mldeploy_context_prefilter(request: ContextRequest) -> ContextPrefilter:
    """A SAM template's `DefinitionUri`, and the names of API requests when a linted file may read those."""
    return ContextPrefilter(words=("DefinitionUri",), folded_words=request_words(request))


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """Deployments of a standalone state machine or pipeline definition; None for other documents.

    None as well for a state machine that exactly one SAM state machine of
    the run names by its `DefinitionUri`: the CloudFormation adapter reads it.
    """
    root = document.root
    if is_state_machine(root):
        return _standalone_state_machine(document, root, run)  # type: ignore[arg-type]
    if is_pipeline_definition(root):
        return _standalone_pipeline(document, root, run)  # type: ignore[arg-type]
    return None


def _standalone_state_machine(document: Document, root: MappingNode, run: RunContext) -> list | None:
    from plugins.adapters.aws.api_documents import run_models
    from plugins.adapters.aws.workflow_definitions import (
        Surroundings,
        asl_resolver,
        definition_uri_names,
        state_machine_deployments,
    )
    from plugins.adapters.aws.sagemaker_requests import RequestReader

    if len(definition_uri_names(run, document.path)) == 1:
        return None  # a SAM template's definition: the CloudFormation adapter reads it with the template's context
    surroundings = Surroundings(f"{document.path}#", "this state machine", models=run_models(run))
    reader = RequestReader(resolve=asl_resolver(substitutions={}, placeholder_note=None), extensions=data.extensions_of(run))
    return with_image_region(state_machine_deployments(root, reader, surroundings))


def _standalone_pipeline(document: Document, root: MappingNode, run: RunContext) -> list:
    from plugins.adapters.aws.api_documents import run_models
    from plugins.adapters.aws.workflow_definitions import Surroundings, pipeline_deployments, pipeline_resolver
    from plugins.adapters.aws.sagemaker_requests import RequestReader

    surroundings = Surroundings(f"{document.path}#", "this pipeline", models=run_models(run))
    reader = RequestReader(resolve=pipeline_resolver(root), extensions=data.extensions_of(run))
    return with_image_region(pipeline_deployments(root, reader, surroundings))

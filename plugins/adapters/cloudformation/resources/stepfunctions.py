"""`AWS::StepFunctions::StateMachine` and SAM `AWS::Serverless::StateMachine`: the SageMaker jobs and endpoints their tasks create.

The definition is read from `Definition` (a body in the template: exact
spans) or `DefinitionString` (a string, or a `Fn::Join` / `Fn::Sub` of
strings as CDK writes it: parsed after resolving, every span is the
property's). `DefinitionSubstitutions` are replaced in `${...}`; a value
CloudFormation only knows when it deploys the stack (`Ref AWS::Partition`,
a role's ARN) stays unknown, shown as `${...}`. `DefinitionUri` and
`DefinitionS3Location` name a file this reader does not open; a SAM
template's local `DefinitionUri` is followed from the other side: the
standalone definition of the same run that only this resource names is
read here with this resource's substitutions, Tags and profile
(`definition_file_deployments`). Deployments are named by state and identified as
`<template>#<LogicalId>/<state>`; a transform job's model is found among
the state machine's CreateModel tasks and the template's
`AWS::SageMaker::Model` resources.

The translation of resolved CloudFormation values into request values
(`template_expression`, `template_parts`) is shared with the other readers
of SageMaker requests in templates: it is `requests.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from linter import (
    Document,
    Environment,
    MappingNode,
    Provenance,
    ResourceRef,
    RunContext,
    Sourced,
    WorkloadProfile,
)

from plugins import data
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import template_expression, template_parts, template_value
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.api_documents import run_models
from plugins.adapters.aws.inferred_facts import with_image_region
from plugins.adapters.aws.sagemaker_requests import (
    Hole,
    HostedModel,
    ModelRequest,
    RequestReader,
    Unresolved,
)
from plugins.adapters.aws.workflow_definitions import (
    SAM_STATE_MACHINE,
    Surroundings,
    asl_resolver,
    definition_uri_names,
    is_state_machine,
    parse_definition,
    state_machine_deployments,
)

STATE_MACHINE = "AWS::StepFunctions::StateMachine"
RESOURCE_TYPES = (STATE_MACHINE, SAM_STATE_MACHINE)

_LITERAL = re.compile(r"\$\{[^}]*\}")


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    environment = environment_of(resource, profile)
    substitutions = _substitutions(resource, template)
    surroundings = Surroundings(
        id_prefix=template.deployment_id(resource.logical_id) + "/",
        where=f"state machine {resource.logical_id}",
        profile=profile,
        environment=environment,
        links=(ResourceRef(resource.type, resource.logical_id, resource.key_span),),
        models=template_models(template),
    )
    body = resource.property("Definition")
    if isinstance(body, MappingNode) and intrinsic(body) is None and is_state_machine(body):
        reader = RequestReader(
            resolve=asl_resolver(substitutions=substitutions, expression=template_expression(template)), extensions=template.extensions
        )
        return [*state_machine_deployments(body, reader, surroundings), *problems]
    text_node = resource.property("DefinitionString")
    if text_node is None:
        return problems
    parts = template_parts(template.resolve(text_node))
    parsed = parse_definition(parts, template.path, substitutions) if parts is not None else None
    if parsed is None or not is_state_machine(parsed[0]):
        return problems
    root, holes = parsed
    span = text_node.span
    reader = RequestReader(
        span_of=lambda node: span, resolve=asl_resolver(holes=holes, substitutions=substitutions), extensions=template.extensions
    )
    return [*state_machine_deployments(root, reader, surroundings), *problems]


def _substitutions(resource: Resource, template: TemplateContext) -> dict[str, Any]:
    """`DefinitionSubstitutions` name -> known value, or a Hole when CloudFormation decides it."""
    node = resource.property("DefinitionSubstitutions")
    found: dict[str, Any] = {}
    if not isinstance(node, MappingNode) or intrinsic(node) is not None:
        return found
    for key, value_node in node.pairs:
        if not isinstance(key.value, str):
            continue
        value = template_value(template.resolve(value_node))
        if isinstance(value, Unresolved):
            partly_known = value.text is not None and _LITERAL.sub("", value.text).strip() != ""
            display = value.text if partly_known else "${" + key.value + "}"
            found[key.value] = Hole(display, f"DefinitionSubstitutions {key.value}: {value.note}", value.ref)
        elif isinstance(value, (str, int, float, bool)):
            found[key.value] = value
    return found


def template_models(template: TemplateContext) -> tuple[ModelRequest, ...]:
    """The template's `AWS::SageMaker::Model` resources, found by `Ref`/`GetAtt` or by their declared name (read once
    per reading of the template, for all its state machines and pipelines)."""
    return template.remembered((__name__, "models"), lambda: _template_models(template))


def _template_models(template: TemplateContext) -> tuple[ModelRequest, ...]:
    from plugins.adapters.cloudformation.resources import sagemaker_model

    found: list[ModelRequest] = []
    for resource in template.resources.values():
        if resource.type != "AWS::SageMaker::Model":
            continue
        for record in sagemaker_model.read(resource, template):
            link = ResourceRef(resource.type, record.logical_id, record.span)
            model = HostedModel(record.name, record.containers, link, record.network)
            found.append(ModelRequest("#" + record.logical_id, model))
            if record.name.known and record.name.provenance is Provenance.DECLARED:
                key = "~" + str(record.name.value) if "${" in str(record.name.value) else "=" + str(record.name.value)
                found.append(ModelRequest(key, model))
    return tuple(found)


# --- SAM DefinitionUri, seen from the definition ----------------------------------------


@dataclass(frozen=True)
class DefinitionUser:
    """A SAM state machine whose local `DefinitionUri` names a definition file."""

    link: ResourceRef
    substitutions: dict
    profile: WorkloadProfile
    environment: Sourced[Environment]


def definition_uri_users(run: RunContext, path: str) -> list[DefinitionUser]:
    """The SAM state machines of the run whose `DefinitionUri` is the file `path`, read as their templates say."""
    users = []
    for name in definition_uri_names(run, path):
        resource = Resource(name.logical_id, SAM_STATE_MACHINE, name.body, name.key_span)
        template = TemplateContext.of(name.document)
        profile, _ = profile_of(resource)  # its problems are reported with the template
        users.append(
            DefinitionUser(
                link=ResourceRef(resource.type, resource.logical_id, resource.key_span),
                substitutions=_substitutions(resource, template),
                profile=profile,
                environment=environment_of(resource, profile),
            )
        )
    return users


def definition_file_deployments(document: Document, run: RunContext) -> list | None:
    """Deployments of a standalone state machine file that exactly one SAM state machine of the run names.

    Its `DefinitionUri` makes the file that resource's definition: the
    file is read with the resource's `DefinitionSubstitutions` (a
    placeholder they give no value stays unknown, saying so), its Tags
    and profile, and links to it. None for any other document: the
    workflows adapter reads standalone definitions named by no SAM state
    machine, or by several (which of them would be ambiguous).
    """
    root = document.root
    if not is_state_machine(root) or len(definition_uri_names(run, document.path)) != 1:
        return None
    (user,) = definition_uri_users(run, document.path)
    surroundings = Surroundings(
        f"{document.path}#",
        "this state machine",
        profile=user.profile,
        environment=user.environment,
        links=(user.link,),
        models=run_models(run),
    )
    resolver = asl_resolver(
        substitutions=user.substitutions,
        placeholder_note=f"has no value in the DefinitionSubstitutions of {user.link.name}",
    )
    reader = RequestReader(resolve=resolver, extensions=data.extensions_of(run))
    return with_image_region(state_machine_deployments(root, reader, surroundings))

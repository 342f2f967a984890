"""`AWS::SageMaker::Pipeline`: the SageMaker jobs its steps run.

`PipelineDefinition.PipelineDefinitionBody` is read when it is a body
(`Fn::ToJsonString` of the definition: exact spans) or a string (literal,
`Fn::Sub`, `Fn::Join`: parsed after resolving, every span is the
property's). Training, Transform, Processing and Tuning steps become
deployments identified as `<template>#<LogicalId>/<step>` (see
`plugins.adapters.aws.workflow_definitions`). A definition this reader cannot see — in S3
(`PipelineDefinitionS3Location`, not opened) or in a value only known when
the stack is deployed — still makes one deployment, anchored at the
resource, whose kind is unknown and says why: a pipeline is an ML
workload even when its steps are out of sight.
"""

from __future__ import annotations

from linter import UNKNOWN, Deployment, MappingNode, Node, Provenance, ResourceRef, Sourced, child

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import template_expression, template_parts, template_value
from plugins.adapters.cloudformation.resources.stepfunctions import template_models
from plugins.adapters.cloudformation.template import SHORT_FORM_TAGS, Resource, intrinsic
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.sagemaker_requests import PLATFORM, RequestReader, Unresolved
from plugins.adapters.aws.workflow_definitions import (
    Surroundings,
    is_pipeline_definition,
    parse_definition,
    pipeline_deployments,
    pipeline_resolver,
)

RESOURCE_TYPES = ("AWS::SageMaker::Pipeline",)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    environment = environment_of(resource, profile)
    link = ResourceRef(resource.type, resource.logical_id, resource.key_span)
    surroundings = Surroundings(
        id_prefix=template.deployment_id(resource.logical_id) + "/",
        where=f"pipeline {resource.logical_id}",
        profile=profile,
        environment=environment,
        links=(link,),
        models=template_models(template),
    )
    definition = resource.property("PipelineDefinition")
    body = child(definition, "PipelineDefinitionBody")
    if body is None:
        if child(definition, "PipelineDefinitionS3Location") is not None:
            reason = "the definition is in S3 (PipelineDefinitionS3Location), which is not read"
        else:
            reason = "the resource has no PipelineDefinitionBody"
        return [_unseen(resource, template, surroundings, reason, definition), *problems]
    if intrinsic(body) == "Fn::ToJsonString":
        argument = _argument(body)
        if is_pipeline_definition(argument):
            reader = RequestReader(  # type: ignore[arg-type]
                resolve=pipeline_resolver(argument, inner=template_expression(template)), extensions=template.extensions
            )
            return [*pipeline_deployments(argument, reader, surroundings), *problems]  # type: ignore[arg-type]
        return [_unseen(resource, template, surroundings, "Fn::ToJsonString of something that is no pipeline definition", body), *problems]
    resolved = template.resolve(body)
    parts = template_parts(resolved)
    parsed = parse_definition(parts, template.path) if parts is not None else None
    if parsed is None or not is_pipeline_definition(parsed[0]):
        value = template_value(resolved)
        if isinstance(value, Unresolved) and (parts is None or all(not isinstance(part, str) or not part.strip() for part in parts)):
            reason = f"the value of PipelineDefinitionBody is not known here ({value.note})"
        else:
            reason = "PipelineDefinitionBody is not a pipeline definition this reader can parse"
        return [_unseen(resource, template, surroundings, reason, body), *problems]
    root, holes = parsed
    span = body.span
    reader = RequestReader(span_of=lambda node: span, resolve=pipeline_resolver(root, holes), extensions=template.extensions)
    return [*pipeline_deployments(root, reader, surroundings), *problems]


def _argument(node: Node) -> Node | None:
    """The argument of `!ToJsonString {...}` or `{"Fn::ToJsonString": {...}}`."""
    if node.tag in SHORT_FORM_TAGS:
        return MappingNode(node.pairs, node.span) if isinstance(node, MappingNode) else None
    if isinstance(node, MappingNode) and len(node) == 1:
        return node.pairs[0][1]
    return None


def _unseen(resource: Resource, template: TemplateContext, surroundings: Surroundings, reason: str, where: Node | None) -> Deployment:
    name = template.read_text(resource.property("PipelineName"))
    if not name.known:
        name = Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, "logical ID (no PipelineName)")
    return Deployment(
        id=template.deployment_id(resource.logical_id),
        platform=PLATFORM,
        kind=Sourced(
            UNKNOWN,
            where.span if where is not None else resource.key_span,
            Provenance.INFERRED,
            f"{reason}; the pipeline's steps cannot be read",
        ),
        span=resource.key_span,
        name=name,
        environment=surroundings.environment,
        profile=surroundings.profile,
        links=surroundings.links,
    )

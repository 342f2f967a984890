"""`AWS::SageMaker::ProcessingJob`: a processing deployment.

The resource's properties are a CreateProcessingJob request: the cluster
(`ProcessingResources.ClusterConfig`), the image (`AppSpecification.
ImageUri`) and its `Environment`, the network (`NetworkConfig`). Processing
jobs have no Spot option (FACTS §4): no capacity is claimed. Profile and
stage come from the resource's Metadata and Tags, as for every resource.
"""

from __future__ import annotations

from linter import MappingNode, Provenance, ResourceRef, Sourced

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.requests import template_expression
from plugins.adapters.cloudformation.template import Resource
from plugins.adapters.cloudformation.workload import environment_of, profile_of
from plugins.adapters.aws.sagemaker_requests import PROCESSING_JOB, JobContext, RequestReader, ValueResolver, job_deployments

RESOURCE_TYPES = ("AWS::SageMaker::ProcessingJob",)


def read(resource: Resource, template: TemplateContext) -> list:
    profile, problems = profile_of(resource)
    properties = resource.properties
    if not isinstance(properties, MappingNode):
        return problems
    context = JobContext(
        id=template.deployment_id(resource.logical_id),
        span=resource.key_span,
        origin="CloudFormation resource",
        name=Sourced(resource.logical_id, resource.key_span, Provenance.INFERRED, "logical ID (no ProcessingJobName)"),
        profile=profile,
        environment=environment_of(resource, profile),
        read_tags=False,
        resource=ResourceRef(resource.type, resource.logical_id, resource.key_span),
    )
    reader = RequestReader(resolve=ValueResolver(expression=template_expression(template)), extensions=template.extensions)
    return [*job_deployments(PROCESSING_JOB, properties, reader, context), *problems]

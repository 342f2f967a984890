"""SageMaker API request documents (`aws sagemaker create-... --cli-input-json file://...`).

A JSON or YAML document is recognised by the keys of its request:

| operation            | keys                                                      |
|----------------------|-----------------------------------------------------------|
| CreateEndpointConfig | `EndpointConfigName` + `ProductionVariants`               |
| CreateEndpoint       | `EndpointName` + `EndpointConfigName`                     |
| CreateModel          | `ModelName` + `PrimaryContainer` or `Containers`          |
| CreateInferenceComponent | `InferenceComponentName` + `Specification`            |
| CreateTransformJob   | `TransformJobName` + `TransformResources`                 |
| CreateTrainingJob    | `TrainingJobName` + `ResourceConfig` or `AlgorithmSpecification` |
| CreateProcessingJob  | `ProcessingJobName` + `ProcessingResources`               |
| CreateHyperParameterTuningJob | `HyperParameterTuningJobName` + `HyperParameterTuningJobConfig` |
| PutScalingPolicy     | `PolicyName` + `ScalableDimension`                        |
| PutScheduledAction   | `ScheduledActionName` + `ScalableDimension`               |
| RegisterScalableTarget | `ResourceId` + `ScalableDimension`                      |

Documents are linked by name across every document of the run: an
endpoint document, the configuration document it names and the model
documents its variants name make one real-time / serverless / async
deployment, anchored at the endpoint, with each inference component document
naming the endpoint as one more unit on its variant's instances (a component
whose endpoint no document creates is not judged); a configuration no endpoint document
names is a deployment of its own; a transform job's model is found by
`ModelName`; a model document alone is no deployment. The Application
Auto Scaling documents (`aws application-autoscaling ... --cli-input-json`)
scale the variant or inference component their ResourceId names (`plugins.adapters.aws.api_scaling`);
each target document is reported as a scaling target. The workload
profile comes from Tags `mldeploy-lint:<key>`, the stage from the profile
or an `Environment`/`Env`/`Stage` tag.

Documents are recognised by `plugins.adapters.aws.document_kinds`; the
readers (`api_documents`, `sagemaker_requests`) are imported for the first
request document of a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter import (
    ContextPrefilter,
    ContextRequest,
    Deployment,
    Document,
    InputProblem,
    LinkStatus,
    RunContext,
    Sourced,
    hookimpl,
)

from plugins.adapters.aws.document_kinds import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    PROCESSING_JOB,
    REGISTER_TARGET,
    TRAINING_JOB,
    TRANSFORM_JOB,
    TUNING_JOB,
    classify,
    request_words,
    wanted_as_request,
)
from plugins.adapters.aws.inferred_facts import with_image_region

if TYPE_CHECKING:
    from plugins.adapters.aws.api_documents import ApiRequest, RequestGroup, RequestIndex
    from plugins.adapters.aws.sagemaker_requests import JobContext

ORIGIN = "API request document"


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """A context file that may be an API request document, when a linted file may read those."""
    return wanted_as_request(text, request)


@hookimpl
def mldeploy_context_prefilter(request: ContextRequest) -> ContextPrefilter:
    """The names of API requests, when a linted file may read those."""
    return ContextPrefilter(folded_words=request_words(request))


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """Deployments of a SageMaker API request document; None for any other document.

    A deployment assembled from several documents (endpoint, configuration,
    models; transform job and model) is returned once, by the first of its
    documents the run lints: a pre-commit hook that passes only the changed
    model still sees the endpoint that serves it (the others are context).
    Its ID and span are always those of the endpoint (else the
    configuration, the transform job).
    """
    if classify(document.root) is None:
        return None
    from plugins.adapters.aws.api_documents import index_requests, run_index  # waits for a run that has requests
    from plugins.adapters.aws.sagemaker_requests import job_deployments

    index = run_index(run)
    if id(document) not in index.requests:  # a document outside the run's documents (not expected)
        index = index_requests(RunContext((document,), run.options))
    request = index.requests[id(document)]
    results: list = []
    for number, group in enumerate(index.groups):
        if id(document) in group.members and number not in index.claimed:
            index.claimed.add(number)
            results.extend(_group_deployments(number, group, index))
    if request.operation in (TRAINING_JOB, PROCESSING_JOB, TUNING_JOB):
        results.extend(job_deployments(request.operation, document.root, index.reader, _job_context(request, index)))
    if request.operation == REGISTER_TARGET and index.target_links is not None:
        results.append(index.target_links.targets[id(document)])
    return with_image_region(results) + _problems(request, index)


@hookimpl
def mldeploy_context_links(document: Document, run: RunContext) -> list | None:
    """A context request document's deployment and scaling target, for links with another format's files: a template
    changed alone whose endpoint a target document scales, a template's target naming an endpoint of documents."""
    if classify(document.root) is None:
        return None
    return mldeploy_extract(document, run)  # the core keeps its deployments and targets, and ignores the rest


@hookimpl
def mldeploy_link(run: RunContext) -> list | None:
    """Target documents whose endpoint no CreateEndpoint document makes, looked for among the run's deployments."""
    if not any(target.status is LinkStatus.NO_SUCH_DEPLOYMENT and not target.searched_run for target in run.scaling_targets):
        return None
    from plugins.adapters.aws.api_documents import run_index
    from plugins.adapters.aws.api_scaling import link_outside_requests

    links = run_index(run).target_links
    if links is None:
        return None
    ours = {id(target) for target in links.targets.values()}
    return [link_outside_requests(target, run.deployments) if id(target) in ours else target for target in run.scaling_targets]


def _problems(request: ApiRequest, index: RequestIndex) -> list[InputProblem]:
    """The problems of a linked document's own request (reported with that document only): its Tags' profile, its
    variants or containers beyond what SageMaker accepts."""
    document = id(request.document)
    if request.operation == ENDPOINT_CONFIG:
        return list(index.configs[document].problems)
    if request.operation == ENDPOINT:
        return list(index.endpoints[document].problems)
    if request.operation == TRANSFORM_JOB:
        from plugins.adapters.aws.sagemaker_requests import request_profile

        return request_profile(request.document.root, index.reader, ORIGIN)[2]
    if request.operation == MODEL:  # containers beyond what SageMaker accepts, as the index read them
        return list(index.model_problems.get(document, ()))
    return []


def _job_context(request: ApiRequest, index: RequestIndex) -> JobContext:
    from plugins.adapters.aws.sagemaker_requests import JobContext

    return JobContext(
        id=request.id,
        span=request.span,
        origin=ORIGIN,
        name=Sourced(),
        find_model=index.find_model(),
        resource=request.link,
    )


def _group_deployments(number: int, group: RequestGroup, index: RequestIndex) -> list:
    from plugins.adapters.aws.sagemaker_requests import hosting_deployment, job_deployments, with_components

    anchor = group.anchor
    if anchor.operation == TRANSFORM_JOB:
        deployments = job_deployments(TRANSFORM_JOB, anchor.document.root, index.reader, _job_context(anchor, index))
        return [item for item in deployments if isinstance(item, Deployment)]  # problems: with the document
    deployment = hosting_deployment(
        anchor.id,
        anchor.span,
        group.endpoint,
        group.config,
        index.find_model(),
        where="among the documents of this run",
    )
    if group.components:
        placed = [(index.components[document], index.requests[document].link) for document in group.components]
        deployment = with_components(deployment, group.config, placed, index.find_model())
    return [index.target_links.scaled(number, deployment) if index.target_links is not None else deployment]

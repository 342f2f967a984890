"""SageMaker API request documents (`aws sagemaker create-... --cli-input-json file://...`).

A JSON or YAML document is recognised by the keys of its request:

| operation            | keys                                                      |
|----------------------|-----------------------------------------------------------|
| CreateEndpointConfig | `EndpointConfigName` + `ProductionVariants`               |
| CreateEndpoint       | `EndpointName` + `EndpointConfigName`                     |
| CreateModel          | `ModelName` + `PrimaryContainer` or `Containers`          |
| CreateTransformJob   | `TransformJobName` + `TransformResources`                 |
| CreateTrainingJob    | `TrainingJobName` + `ResourceConfig` or `AlgorithmSpecification` |
| CreateProcessingJob  | `ProcessingJobName` + `ProcessingResources`               |
| CreateHyperParameterTuningJob | `HyperParameterTuningJobName` + `HyperParameterTuningJobConfig` |

Documents are linked by name across every document of the run: an
endpoint document, the configuration document it names and the model
documents its variants name make one real-time / serverless / async
deployment, anchored at the endpoint; a configuration no endpoint document
names is a deployment of its own; a transform job's model is found by
`ModelName`; a model document alone is no deployment. The workload
profile comes from Tags `mldeploy-lint:<key>`, the stage from the profile
or an `Environment`/`Env`/`Stage` tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from linter import Deployment, Document, InputProblem, MappingNode, ResourceRef, RunContext, Sourced, Span, hookimpl

from plugins.adapters.aws.inferred_facts import with_image_region
from plugins.adapters.aws.sagemaker_requests import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    PROCESSING_JOB,
    TRAINING_JOB,
    TRANSFORM_JOB,
    TUNING_JOB,
    ConfigRequest,
    EndpointRequest,
    HostedModel,
    JobContext,
    ModelRequest,
    RequestReader,
    hosting_deployment,
    job_deployments,
    model_finder,
    read_endpoint,
    read_endpoint_config,
    read_model,
    request_profile,
)

ORIGIN = "API request document"

# (operation, key naming it, keys of which one must be present), first match wins:
# a configuration names itself and has variants; an endpoint names a configuration.
_SIGNATURES = (
    (ENDPOINT_CONFIG, "EndpointConfigName", ("ProductionVariants",)),
    (ENDPOINT, "EndpointName", ("EndpointConfigName",)),
    (MODEL, "ModelName", ("PrimaryContainer", "Containers")),
    (TRANSFORM_JOB, "TransformJobName", ("TransformResources",)),
    (TRAINING_JOB, "TrainingJobName", ("ResourceConfig", "AlgorithmSpecification")),
    (PROCESSING_JOB, "ProcessingJobName", ("ProcessingResources",)),
    (TUNING_JOB, "HyperParameterTuningJobName", ("HyperParameterTuningJobConfig",)),
)


def classify(root: object) -> tuple[str, str] | None:
    """(operation, the key that names the request) of an API request document, or None."""
    if not isinstance(root, MappingNode):
        return None
    keys = {key.lower(): key for key in root.keys() if isinstance(key, str)}
    for operation, name_key, any_of in _SIGNATURES:
        if name_key.lower() in keys and any(key.lower() in keys for key in any_of):
            return operation, keys[name_key.lower()]
    return None


@dataclass(frozen=True)
class _Request:
    document: Document
    operation: str
    id: str
    span: Span
    link: ResourceRef


@dataclass(frozen=True)
class _Group:
    """The documents one deployment is assembled from; `anchor` gives its ID and span."""

    anchor: _Request
    members: tuple[int, ...]  # id() of the member documents
    endpoint: EndpointRequest | None = None
    config: ConfigRequest | None = None


@dataclass
class _Index:
    """Every request document of the run, read once, and the deployments they make together."""

    requests: dict[int, _Request] = field(default_factory=dict)
    models: list[ModelRequest] = field(default_factory=list)
    model_documents: dict[str, int] = field(default_factory=dict)  # model key -> document
    configs: dict[int, ConfigRequest] = field(default_factory=dict)
    endpoints: dict[int, EndpointRequest] = field(default_factory=dict)
    groups: list[_Group] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)  # indexes into `groups`

    def find_model(self) -> Callable[[str], HostedModel | None]:
        return model_finder(self.models)

    def config_named(self, key: str | None) -> tuple[int, ConfigRequest] | None:
        if key is None:
            return None
        return next(((document, config) for document, config in self.configs.items() if config.key == key), None)

    def model_members(self, keys: list[str | None]) -> tuple[int, ...]:
        return tuple(self.model_documents[key] for key in keys if key is not None and key in self.model_documents)


_READER = RequestReader()


def _index(run: RunContext) -> _Index:
    index = _Index()
    transforms: list[tuple[int, _Request]] = []
    for document in run.documents:
        found = classify(document.root)
        if found is None:
            continue
        operation, name_key = found
        root = document.root
        assert isinstance(root, MappingNode)
        suffix = f"[{document.index}]" if document.index else ""
        key_node = root.key_node(name_key)
        span = key_node.span if key_node is not None else Span.point(document.path, root.span.line, root.span.column)
        name = _READER.read_text(root, name_key)
        link = ResourceRef(operation, str(name.value) if name.known else document.path, span)
        request = _Request(document, operation, f"{document.path}#{operation}{suffix}", span, link)
        index.requests[id(document)] = request
        where = f"{operation} document"
        if operation == MODEL:
            model = read_model(root, _READER, link)
            if model.key is not None and model.key.startswith("="):
                index.models.append(model)
                index.model_documents.setdefault(model.key, id(document))
        elif operation == ENDPOINT_CONFIG:
            index.configs[id(document)] = read_endpoint_config(root, _READER, link, where)
        elif operation == ENDPOINT:
            index.endpoints[id(document)] = read_endpoint(root, _READER, link, where)
        elif operation == TRANSFORM_JOB:
            transforms.append((id(document), request))
    named: set[int] = set()
    for document, endpoint in index.endpoints.items():
        members: tuple[int, ...] = (document,)
        found_config = index.config_named(endpoint.config_key)
        config = None
        if found_config is not None:
            config_document, config = found_config
            named.add(config_document)
            members += (config_document,) + index.model_members([variant.model_key for variant in config.variants])
        index.groups.append(_Group(index.requests[document], members, endpoint, config))
    for document, config in index.configs.items():
        if document not in named:
            members = (document,) + index.model_members([variant.model_key for variant in config.variants])
            index.groups.append(_Group(index.requests[document], members, None, config))
    for document, request in transforms:
        root = request.document.root
        index.groups.append(_Group(request, (document,) + index.model_members([_READER.name_key(root, "ModelName")])))
    return index


def run_index(run: RunContext) -> _Index:
    """The run's API request documents, read once per run."""
    return run.memo(("sagemaker_api", "index"), lambda: _index(run))


def run_models(run: RunContext) -> tuple[ModelRequest, ...]:
    """The CreateModel documents of the run, found by their literal `ModelName`."""
    return tuple(run_index(run).models)


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
    index = run_index(run)
    if id(document) not in index.requests:  # a document outside the run's documents (not expected)
        index = _index(RunContext((document,), run.options))
    request = index.requests[id(document)]
    results: list = []
    for number, group in enumerate(index.groups):
        if id(document) in group.members and number not in index.claimed:
            index.claimed.add(number)
            results.extend(_group_deployments(group, index))
    if request.operation in (TRAINING_JOB, PROCESSING_JOB, TUNING_JOB):
        results.extend(job_deployments(request.operation, document.root, _READER, _job_context(request, index)))
    return with_image_region(results) + _problems(request, index)


def _problems(request: _Request, index: _Index) -> list[InputProblem]:
    """The profile problems of a linked document's own Tags (reported with that document only)."""
    document = id(request.document)
    if request.operation == ENDPOINT_CONFIG:
        return list(index.configs[document].problems)
    if request.operation == ENDPOINT:
        return list(index.endpoints[document].problems)
    if request.operation == TRANSFORM_JOB:
        return request_profile(request.document.root, _READER, ORIGIN)[2]
    return []


def _job_context(request: _Request, index: _Index) -> JobContext:
    return JobContext(
        id=request.id,
        span=request.span,
        origin=ORIGIN,
        name=Sourced(),
        find_model=index.find_model(),
        resource=request.link,
    )


def _group_deployments(group: _Group, index: _Index) -> list:
    anchor = group.anchor
    if anchor.operation == TRANSFORM_JOB:
        deployments = job_deployments(TRANSFORM_JOB, anchor.document.root, _READER, _job_context(anchor, index))
        return [item for item in deployments if isinstance(item, Deployment)]  # problems: with the document
    return [
        hosting_deployment(
            anchor.id,
            anchor.span,
            group.endpoint,
            group.config,
            index.find_model(),
            where="among the documents of this run",
        )
    ]

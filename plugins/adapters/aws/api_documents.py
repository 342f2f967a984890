"""SageMaker API request documents of a run, read once and grouped into deployments.

Shared reading for the AWS-shaped adapters: the SageMaker API adapter makes
deployments of the groups, and the Step Functions / Pipelines adapter finds
the models a workflow names among the run's CreateModel documents
(`run_models`). A document is recognised by the keys of its request
(`classify`, in `document_kinds`, which the adapters ask first: this module
waits for a run that has such a document); documents are linked by name
across every document of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from linter import Document, InputProblem, MappingNode, ResourceRef, RunContext, Span

from plugins import data
from plugins.adapters.aws.sagemaker_requests import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    TRANSFORM_JOB,
    ComponentRequest,
    ConfigRequest,
    EndpointRequest,
    HostedModel,
    ModelRequest,
    RequestReader,
    model_finder,
    place_components,
    read_component,
    read_endpoint,
    read_endpoint_config,
    read_model,
)
from plugins.adapters.aws.document_kinds import (  # noqa: F401  (recognition, re-exported)
    INFERENCE_COMPONENT,
    SCALING_OPERATIONS,
    classify,
    may_hold_request,
    may_read_requests,
    wanted_as_request,
)

if TYPE_CHECKING:
    from plugins.adapters.aws.api_scaling import ScalingRequest, TargetLinks


@dataclass(frozen=True)
class ApiRequest:
    """One request document of the run: its operation, deployment ID, span and resource link."""

    document: Document
    operation: str
    id: str
    span: Span
    link: ResourceRef


@dataclass(frozen=True)
class RequestGroup:
    """The documents one deployment is assembled from; `anchor` gives its ID and span."""

    anchor: ApiRequest
    members: tuple[int, ...]  # id() of the member documents
    endpoint: EndpointRequest | None = None
    config: ConfigRequest | None = None
    components: tuple[int, ...] = ()  # id() of the CreateInferenceComponent documents placed on the endpoint


@dataclass
class RequestIndex:
    """Every request document of the run, read once, and the deployments they make together."""

    requests: dict[int, ApiRequest] = field(default_factory=dict)
    models: list[ModelRequest] = field(default_factory=list)
    model_documents: dict[str, int] = field(default_factory=dict)  # model key -> document
    model_problems: dict[int, tuple[InputProblem, ...]] = field(default_factory=dict)  # document -> its CreateModel's problems
    configs: dict[int, ConfigRequest] = field(default_factory=dict)
    endpoints: dict[int, EndpointRequest] = field(default_factory=dict)
    components: dict[int, ComponentRequest] = field(default_factory=dict)
    groups: list[RequestGroup] = field(default_factory=list)
    scaling: list[ScalingRequest] = field(default_factory=list)  # Application Auto Scaling requests
    target_links: TargetLinks | None = None  # what their targets link to (hostings numbered as `groups`), when there are any
    claimed: set[int] = field(default_factory=set)  # indexes into `groups`
    reader: RequestReader = field(default_factory=RequestReader)  # with the run's `[data]` section

    def find_model(self) -> Callable[[str], HostedModel | None]:
        return model_finder(self.models)

    def config_named(self, key: str | None) -> tuple[int, ConfigRequest] | None:
        if key is None:
            return None
        return next(((document, config) for document, config in self.configs.items() if config.key == key), None)

    def model_members(self, keys: list[str | None]) -> tuple[int, ...]:
        return tuple(self.model_documents[key] for key in keys if key is not None and key in self.model_documents)


READER = RequestReader()


def index_requests(run: RunContext) -> RequestIndex:
    """The run's API request documents, read with its `[data]` section (`index.reader`)."""
    reader = READER.with_extensions(data.extensions_of(run))
    index = RequestIndex(reader=reader)
    transforms: list[tuple[int, ApiRequest]] = []
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
        name = reader.read_text(root, name_key)
        link = ResourceRef(operation, str(name.value) if name.known else document.path, span)
        request = ApiRequest(document, operation, f"{document.path}#{operation}{suffix}", span, link)
        index.requests[id(document)] = request
        where = f"{operation} document"
        if operation == MODEL:
            model = read_model(root, reader, link)
            if model.problems:
                index.model_problems[id(document)] = model.problems
            if model.key is not None and model.key.startswith("="):
                index.models.append(model)
                index.model_documents.setdefault(model.key, id(document))
        elif operation == ENDPOINT_CONFIG:
            index.configs[id(document)] = read_endpoint_config(root, reader, link, where)
        elif operation == ENDPOINT:
            index.endpoints[id(document)] = read_endpoint(root, reader, link, where)
        elif operation == INFERENCE_COMPONENT:
            index.components[id(document)] = read_component(root, reader)
        elif operation == TRANSFORM_JOB:
            transforms.append((id(document), request))
        elif operation in SCALING_OPERATIONS:
            from plugins.adapters.aws.api_scaling import read_request  # waits for a run that scales by request

            index.scaling.append(read_request(operation, root, reader, span, id(document)))
    named: set[int] = set()
    # The endpoints' groups come first in `index.groups`: an endpoint's number is its group's.
    placed, placed_on = place_components(list(index.endpoints.values()), [(component, document) for document, component in index.components.items()])
    for number, (document, endpoint) in enumerate(index.endpoints.items()):
        members: tuple[int, ...] = (document,)
        found_config = index.config_named(endpoint.config_key)
        config = None
        if found_config is not None:
            config_document, config = found_config
            named.add(config_document)
            members += (config_document,) + index.model_members([variant.model_key for variant in config.variants])
        on_endpoint = tuple(component_document for _, component_document in placed[number])
        members += on_endpoint + index.model_members([index.components[component].model_key for component in on_endpoint])
        index.groups.append(RequestGroup(index.requests[document], members, endpoint, config, on_endpoint))
    for document, config in index.configs.items():
        if document not in named:
            members = (document,) + index.model_members([variant.model_key for variant in config.variants])
            index.groups.append(RequestGroup(index.requests[document], members, None, config))
    for document, request in transforms:
        root = request.document.root
        index.groups.append(RequestGroup(request, (document,) + index.model_members([reader.name_key(root, "ModelName")])))
    if index.scaling:
        from plugins.adapters.aws.api_scaling import link_targets

        hostings = [(group.endpoint, group.config, group.anchor.id) for group in index.groups]
        index.target_links = links = link_targets(index.scaling, hostings, placed_on)
        # A target and its policies are documents of the deployment they scale: linted alone, they report it.
        index.groups = [
            replace(group, members=group.members + links.members[number]) if number in links.members else group
            for number, group in enumerate(index.groups)
        ]
    return index


def run_index(run: RunContext) -> RequestIndex:
    """The run's API request documents, read once per run."""
    return run.memo(("sagemaker_api", "index"), lambda: index_requests(run))


def run_models(run: RunContext) -> tuple[ModelRequest, ...]:
    """The CreateModel documents of the run, found by their literal `ModelName`."""
    return tuple(run_index(run).models)

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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from linter import Document, InputProblem, LinkStatus, MappingNode, ResourceRef, RunContext, Scaling, ScalingTarget, Span

from plugins import data
from plugins.adapters.aws.sagemaker_requests import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    TRANSFORM_JOB,
    ConfigRequest,
    EndpointRequest,
    HostedModel,
    ModelRequest,
    RequestReader,
    model_finder,
    read_endpoint,
    read_endpoint_config,
    read_model,
)
from plugins.adapters.aws.document_kinds import (  # noqa: F401  (recognition, re-exported)
    SCALING_OPERATIONS,
    classify,
    may_hold_request,
    may_read_requests,
    wanted_as_request,
)

if TYPE_CHECKING:
    from linter import ScalingPolicy
    from plugins.adapters.aws.api_scaling import ScalingRequest


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


@dataclass
class TargetLinks:
    """What the run's RegisterScalableTarget documents link to: each one's `ScalingTarget`, by id() of the document,
    and the scalings of each variant they scale, by (number of its group in `RequestIndex.groups`, variant name)."""

    targets: dict[int, ScalingTarget] = field(default_factory=dict)
    units: dict[tuple[int, str], tuple[Scaling, ...]] = field(default_factory=dict)


@dataclass
class RequestIndex:
    """Every request document of the run, read once, and the deployments they make together."""

    requests: dict[int, ApiRequest] = field(default_factory=dict)
    models: list[ModelRequest] = field(default_factory=list)
    model_documents: dict[str, int] = field(default_factory=dict)  # model key -> document
    model_problems: dict[int, tuple[InputProblem, ...]] = field(default_factory=dict)  # document -> its CreateModel's problems
    configs: dict[int, ConfigRequest] = field(default_factory=dict)
    endpoints: dict[int, EndpointRequest] = field(default_factory=dict)
    groups: list[RequestGroup] = field(default_factory=list)
    scaling: list[ScalingRequest] = field(default_factory=list)  # Application Auto Scaling requests
    target_links: TargetLinks | None = None  # what their targets link to, when there are any
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
        elif operation == TRANSFORM_JOB:
            transforms.append((id(document), request))
        elif operation in SCALING_OPERATIONS:
            from plugins.adapters.aws.api_scaling import read_request  # waits for a run that scales by request

            index.scaling.append(read_request(operation, root, reader, span, id(document)))
    named: set[int] = set()
    for document, endpoint in index.endpoints.items():
        members: tuple[int, ...] = (document,)
        found_config = index.config_named(endpoint.config_key)
        config = None
        if found_config is not None:
            config_document, config = found_config
            named.add(config_document)
            members += (config_document,) + index.model_members([variant.model_key for variant in config.variants])
        index.groups.append(RequestGroup(index.requests[document], members, endpoint, config))
    for document, config in index.configs.items():
        if document not in named:
            members = (document,) + index.model_members([variant.model_key for variant in config.variants])
            index.groups.append(RequestGroup(index.requests[document], members, None, config))
    for document, request in transforms:
        root = request.document.root
        index.groups.append(RequestGroup(request, (document,) + index.model_members([reader.name_key(root, "ModelName")])))
    if index.scaling:
        index.target_links = link_targets(index.scaling, index.groups)
    return index


def run_index(run: RunContext) -> RequestIndex:
    """The run's API request documents, read once per run."""
    return run.memo(("sagemaker_api", "index"), lambda: index_requests(run))


def run_models(run: RunContext) -> tuple[ModelRequest, ...]:
    """The CreateModel documents of the run, found by their literal `ModelName`."""
    return tuple(run_index(run).models)


def link_targets(requests: list[ScalingRequest], groups: list[RequestGroup]) -> TargetLinks:
    """Each target request's scaling (driven by the policies and scheduled actions of its triple), linked to the
    variant of the endpoint group its ResourceId names (see `plugins.adapters.aws.api_scaling`)."""
    from plugins.adapters.aws.api_scaling import scaling_of, triple_text
    from plugins.adapters.aws.document_kinds import REGISTER_TARGET

    policies: dict[tuple[str, str, str], list[ScalingPolicy]] = {}
    for request in requests:
        key = triple_text(request)
        if request.policy is not None and key is not None:
            policies.setdefault(key, []).append(request.policy)
    by_endpoint: dict[str, int] = {}
    configs_alone: list[int] = []
    for number, group in enumerate(groups):
        if group.endpoint is not None and group.endpoint.name.known:
            by_endpoint.setdefault(str(group.endpoint.name.value), number)
        elif group.endpoint is None and group.config is not None:
            configs_alone.append(number)
    links = TargetLinks()
    for request in requests:
        if request.operation != REGISTER_TARGET:
            continue
        key = triple_text(request)
        scaling = scaling_of(request, tuple(policies.get(key, ())) if key is not None else ())
        status, reason, number, unit, refers_to = _link(request, groups, by_endpoint, configs_alone)
        if status is LinkStatus.LINKED and number is not None:
            links.units[(number, unit)] = links.units.get((number, unit), ()) + (scaling,)
        links.targets[request.document] = ScalingTarget(
            resource_id=request.triple[0], scaling=scaling, status=status, reason=reason,
            deployment_id=groups[number].anchor.id if number is not None else "",
            unit_name=unit, span=request.span, refers_to=refers_to,
        )
    return links


def _link(
    request: ScalingRequest, groups: list[RequestGroup], by_endpoint: dict[str, int], configs_alone: list[int]
) -> tuple[LinkStatus, str, int | None, str, tuple[str, ...]]:
    """(status, reason, number of the group it names, unit, refers_to) of a target request among the run's groups."""
    from plugins.adapters.aws.application_autoscaling import SAGEMAKER_NAMESPACE, VARIANT, parse_resource_id

    resource_id, _, namespace = request.triple
    if namespace.known and namespace.value != SAGEMAKER_NAMESPACE:
        return LinkStatus.OTHER_SERVICE, f"ServiceNamespace {namespace.value}", None, "", ()
    if not resource_id.known:
        return LinkStatus.UNRESOLVED, f"ResourceId is {resource_id.note or 'not known'}", None, "", ()
    resource = parse_resource_id(str(resource_id.value))
    if resource is None or resource.kind != VARIANT:
        return LinkStatus.NOT_IN_RUN, f"ResourceId {resource_id.value!r} names no endpoint variant of the request documents", None, "", ()
    endpoint, variant = resource.names
    number = by_endpoint.get(endpoint)
    if number is None:
        # Left for the run-wide link; a configuration of the run with no endpoint document may be deployed as it.
        ids = tuple(groups[alone].anchor.id for alone in configs_alone)
        return LinkStatus.NO_SUCH_DEPLOYMENT, f"no endpoint named {endpoint!r} in this run", None, "", ids
    group = groups[number]
    if group.config is None:
        return LinkStatus.UNRESOLVED, f"endpoint {endpoint!r}: its configuration is not in the run", number, "", ()
    names = [str(item.unit.name.value) for item in group.config.variants if item.unit.name.known]
    if variant in names:
        return LinkStatus.LINKED, f"endpoint {endpoint!r}, variant {variant!r}", number, variant, ()
    if len(names) < len(group.config.variants):
        return LinkStatus.UNRESOLVED, f"endpoint {endpoint!r}: a variant's name is not known", number, "", ()
    listed = ", ".join(names) or "none"
    return LinkStatus.NO_SUCH_UNIT, f"endpoint {endpoint!r} has no variant {variant!r} (variants: {listed})", number, "", ()

"""Application Auto Scaling request documents of a run, linked to the endpoints of its SageMaker request documents.

A team that creates its endpoints with `aws sagemaker create-... --cli-input-json`
registers their autoscaling the same way: `aws application-autoscaling
register-scalable-target --cli-input-json file://target.json`, then
`put-scaling-policy` and `put-scheduled-action`. Each such document is read
(`read_request`), and the request index links each target by its triple
(`api_documents.link_targets`):

- a RegisterScalableTarget document is a target: its ResourceId
  (`endpoint/<endpoint>/variant/<variant>`) names an endpoint of the run's
  CreateEndpoint documents, whose configuration names the variant; the
  variant's unit then has the target's scaling;
- a PutScalingPolicy or PutScheduledAction document drives the targets of
  its triple (ResourceId, ScalableDimension, ServiceNamespace, as written).

A target whose endpoint no request document creates may name an endpoint
of another file of the run (a template's): it is left for the run-wide link
(`link_outside_requests`), which looks for it among the run's deployments;
found nowhere, it names an endpoint that does not exist where it is
registered (AS002), as a template's target does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from linter import LinkStatus, MappingNode, Scaling, ScalingPolicy, ScalingTarget, Sourced, Span

from plugins.adapters.aws.application_autoscaling import (
    SAGEMAKER_NAMESPACE,
    link_across_run,
    read_policy,
    sagemaker_metric_facts,
    scheduled_action,
)
from plugins.adapters.aws.document_kinds import PUT_POLICY, PUT_SCHEDULED_ACTION, REGISTER_TARGET

if TYPE_CHECKING:
    from linter import Deployment
    from plugins.adapters.aws.sagemaker_requests import RequestReader

__all__ = ["ScalingRequest", "link_outside_requests", "read_request", "scaling_of", "triple_text"]


@dataclass(frozen=True)
class ScalingRequest:
    """One Application Auto Scaling request document: a target, or a policy or scheduled action driving one."""

    document: int  # id() of the document
    operation: str
    span: Span
    triple: tuple[Sourced[str], Sourced[str], Sourced[str]]  # ResourceId, ScalableDimension, ServiceNamespace
    min_capacity: Sourced[int] = Sourced()
    max_capacity: Sourced[int] = Sourced()
    policy: ScalingPolicy | None = None


def read_request(operation: str, root: MappingNode, reader: RequestReader, span: Span, document: int) -> ScalingRequest:
    """A RegisterScalableTarget, PutScalingPolicy or PutScheduledAction document (`operation`), as written."""
    triple = (reader.read_text(root, "ResourceId"), reader.read_str(root, "ScalableDimension"), reader.read_str(root, "ServiceNamespace"))
    if operation == REGISTER_TARGET:
        return ScalingRequest(
            document, operation, span, triple,
            min_capacity=reader.read_int(root, "MinCapacity"),
            max_capacity=reader.read_int(root, "MaxCapacity"),
        )
    if operation == PUT_POLICY:
        return ScalingRequest(document, operation, span, triple, policy=read_policy(root, reader, span))
    return ScalingRequest(document, operation, span, triple, policy=scheduled_action(span, f"{PUT_SCHEDULED_ACTION} document"))


def scaling_of(request: ScalingRequest, policies: tuple[ScalingPolicy, ...]) -> Scaling:
    """A RegisterScalableTarget request's scaling, driven by `policies` (those of its triple), with the tables' facts."""
    _, dimension, namespace = request.triple
    fitting: tuple[str, ...] = ()
    if not namespace.known or namespace.value == SAGEMAKER_NAMESPACE:
        policies, fitting = sagemaker_metric_facts(dimension, policies)
    return Scaling(
        min_capacity=request.min_capacity,
        max_capacity=request.max_capacity,
        dimension=dimension,
        policies=policies,
        linked_by=f"{REGISTER_TARGET} document {request.span.path}",
        span=request.span,
        fitting_metrics=fitting,
    )


def triple_text(request: ScalingRequest) -> tuple[str, str, str] | None:
    """The request's triple as text, or None when a part is not known (a policy then drives no target it can be shown to)."""
    if not all(part.known for part in request.triple):
        return None
    return tuple(str(part.value) for part in request.triple)  # type: ignore[return-value]


def link_outside_requests(target: ScalingTarget, deployments: Iterable[Deployment]) -> ScalingTarget:
    """A target whose endpoint no request document creates, looked for among the run's deployments (a template's).

    ELSEWHERE_IN_RUN when deployments of that name are found, or when
    configuration documents of the run have no endpoint document (its
    `refers_to` as `link_targets` left it: the endpoint may deploy one of
    them); otherwise NO_SUCH_DEPLOYMENT for the whole run (`searched_run`),
    as for a template's target: the endpoint must exist where the target
    is registered.
    """
    if target.status is not LinkStatus.NO_SUCH_DEPLOYMENT or target.searched_run:
        return target
    configurations = target.refers_to
    linked = link_across_run(target.replaced(refers_to=()), tuple(deployments))
    if linked.status is LinkStatus.ELSEWHERE_IN_RUN:
        return linked.replaced(refers_to=tuple(dict.fromkeys(linked.refers_to + configurations)))
    if configurations:
        reason = f"{target.reason}; it may deploy a configuration document of the run"
        return linked.replaced(status=LinkStatus.ELSEWHERE_IN_RUN, reason=reason, refers_to=configurations)
    return linked

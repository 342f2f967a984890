"""HA001 single-instance-production-endpoint."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, Environment, RunContext, Severity, Violation, rule

from plugins.data import limit
from plugins.rules.common import autoscaling_minimum, instance_units, is_inference_component, is_kind, possible_values, unit_subject, violation
from plugins.rules.scaled_elsewhere import out_of_sight

_KINDS = (DeploymentKind.REALTIME, DeploymentKind.ASYNC)
_KIND_LABELS = {DeploymentKind.REALTIME: "real-time endpoint", DeploymentKind.ASYNC: "asynchronous endpoint"}


def _instances(count: object, component: bool = False) -> str:
    noun, nouns = ("copy", "copies") if component else ("instance", "instances")
    return f"{count} {noun}" if count == 1 else f"{count} {nouns}"


@rule(
    "HA001",
    "single-instance-production-endpoint",
    Severity.ERROR,
    "A production endpoint runs fewer than two instances, so it cannot span Availability Zones.",
    tags=("sagemaker", "availability", "prod"),
    kinds=_KINDS, environments=(Environment.PROD,),
)
def single_instance_production_endpoint(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags an instance-backed variant of a production real-time or
    asynchronous endpoint whose instance count is below 2 when autoscaling
    cannot lift it: either nothing scales the variant, or its autoscaling
    minimum is below 2 as well. A variant that starts with one instance but
    whose autoscaling minimum is 2 or more is fine (autoscaling raises it to
    the minimum at once); a minimum below 2 on a variant that starts with
    two instances is AS004's business, and an asynchronous endpoint that
    scales in to 0 does so by design (its requests wait in the queue; AS006
    checks that it wakes up). It fires only when the deployment is
    known to be production (declared, tagged, matched by a configured
    pattern, or `--environment prod`) and stays silent when the count or the
    minimum is not known — also when nothing in the linted files scales the
    variant but something out of sight may: a scaling target that could not
    be linked and may name the endpoint (as AS001 counts them), or an
    endpoint the configuration's `scaled-elsewhere` list names. Serverless variants are exempt: SageMaker runs
    them across zones itself. AWS Config's managed rule
    `sagemaker-endpoint-config-prod-instance-count` checks the same thing
    after deployment.

    ## Why it matters
    SageMaker spreads a variant's instances over Availability Zones only
    when there are two or more of them. With one instance, an instance
    failure, a zone outage or a host replacement takes the endpoint down
    until a new instance has started and loaded the model, which can take
    many minutes for large models. AWS "strongly recommends" several
    instances for every production endpoint.

    ## Example
    ```yaml
    FraudScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: fraud-xgboost
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 1
    ```

    ## Fix
    Run at least two instances (and keep any autoscaling minimum at 2 or
    more), smaller ones if cost matters:
    ```yaml
    FraudScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: fraud-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-deployment.html ("When you specify two or more instances, SageMaker launches them in multiple Availability Zones")
    - https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-best-practices.html (deploy multiple instances across Availability Zones)
    - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-endpoint-config-prod-instance-count.html
    """
    needed = limit("availability", "min_instances_across_azs").value
    for unit in instance_units(deployment):
        counts = possible_values(unit.count)
        if not counts or any(count >= needed for count in counts):
            continue
        component = is_inference_component(unit)  # its count is copies, each on one of its variant's instances
        what = "the copy count" if component else "the instance count"
        minimum = autoscaling_minimum(unit)
        if minimum is None:
            hidden = out_of_sight(deployment, run)
            if hidden is not None:
                yield hidden  # its minimum is not known
                continue
            scaling = "and nothing scales it"
            raise_what = what
        else:
            minimums = possible_values(minimum)
            if not minimums or any(value >= needed for value in minimums):
                continue
            if is_kind(deployment, DeploymentKind.ASYNC) and all(value == 0 for value in minimums):
                continue  # queued requests wait for capacity by design: AS006's business
            scaling = f"and its autoscaling minimum is {minimums[0] if len(minimums) == 1 else ' or '.join(map(str, minimums))}"
            raise_what = f"{what} and the autoscaling minimum"
        label = _KIND_LABELS[deployment.kind.value]  # type: ignore[index]
        count_text = _instances(counts[0], component) if len(counts) == 1 else f"{' or '.join(map(str, counts))} {'copies' if component else 'instances'}"
        lost_with = "the instance it runs on" if component else "its instance"
        yield violation(
            f"production {label} {unit_subject(deployment, unit)} runs {count_text} {scaling}: it cannot span "
            f"Availability Zones and goes down with {lost_with} — raise {raise_what} to at least {needed}",
            unit.count, unit.span, default=deployment.span,
        )

"""EP003 always-on-for-intermittent-traffic."""

from __future__ import annotations

from typing import Iterator

from linter import AcceleratorKind, Deployment, DeploymentKind, RunContext, Severity, Unit, Violation, rule

from plugins.data import payload_limit
from plugins.rules.common import display_name, instance_units, units_owning_instances, violation
from plugins.rules.endpoint_fit_decisions import cold_start_meets_latency, idle_traffic, payload_fits, queue_meets_latency


def _scales_to_zero(units: tuple[Unit, ...]) -> bool | None:
    """True when some scaling of the deployment may reach 0, False when none can, None when unknowable."""
    unknowable = False
    for unit in units:
        for scaling in unit.scaling:
            minimum = scaling.min_capacity
            if minimum.known and minimum.value == 0:
                return True
            if not minimum.known:
                unknowable = True
    return None if unknowable else False


def _fleet(units: list[Unit]) -> str:
    """What keeps running, e.g. `2 × ml.c5.2xlarge` or `at least 1 × ml.m5.large`."""
    parts = []
    for unit in units:
        instance = str(unit.compute.instance_type.value) if unit.compute.instance_type.known else "instances"
        minimums = [scaling.min_capacity.value for scaling in unit.scaling if scaling.min_capacity.known]
        if minimums:
            parts.append(f"at least {min(minimums)} × {instance}")
        elif unit.count.known:
            parts.append(f"{unit.count.value} × {instance}")
        else:
            parts.append(instance)
    return " + ".join(parts)


def _alternatives(deployment: Deployment, units: list[Unit]) -> tuple[list[str], str]:
    """Endpoint types that scale to zero and suit the declared profile, and why serverless is left out."""
    latency = deployment.profile.latency_ms
    payload = deployment.profile.payload_mb

    def takes(kind: str) -> bool:
        return payload_limit(kind) is not None and (not payload.known or bool(payload_fits(kind, payload.value)))

    def tolerates(meets) -> bool:
        return not latency.known or meets(latency.value)

    options = []
    serverless = payload_limit("serverless")
    accelerated = [
        unit.compute.instance_type.value
        for unit in units
        if unit.compute.accelerator.known and unit.compute.accelerator.value is not AcceleratorKind.NONE
    ]
    left_out = ""
    if accelerated:
        left_out = f"serverless endpoints offer no accelerated instances like {accelerated[0]}"
    elif not takes("serverless") and serverless is not None:
        left_out = f"serverless takes at most {serverless.display}"
    elif tolerates(cold_start_meets_latency):
        options.append("a serverless endpoint")
    if takes("async") and tolerates(queue_meets_latency):
        options.append("an asynchronous endpoint with autoscaling MinCapacity 0")
    return options, left_out


@rule(
    "EP003",
    "always-on-for-intermittent-traffic",
    Severity.WARNING,
    "An always-on real-time endpoint serves traffic declared intermittent or scheduled.",
    tags=("sagemaker", "cost"),
    kinds=(DeploymentKind.REALTIME,),
)
def always_on_for_intermittent_traffic(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a real-time endpoint backed by instances whose workload profile
    declares `traffic: intermittent` or `traffic: scheduled`, when nothing
    lets it scale to zero (no autoscaling minimum of 0 on a variant or an
    inference component, no managed instance scaling minimum of 0). It
    suggests an endpoint type that does scale to zero and suits the rest of
    the profile: a serverless endpoint (not for GPU or other accelerated
    instances, nor for payloads above 4 MB), or an asynchronous endpoint
    whose autoscaling minimum is 0.

    The rule is silent when an autoscaling minimum cannot be resolved, and
    when the declared latency target is below what both serverless (cold
    starts) and asynchronous endpoints (queueing) deliver: then the
    always-on instances are what the target costs.

    ## Why it matters
    A real-time variant keeps its instances running, and billed, around the
    clock whether or not requests arrive. For a model called a few times a
    day nearly all of that is idle time; a serverless endpoint bills per
    request, and an asynchronous endpoint can scale its instances to zero
    between batches.

    ## Example
    Demand forecasts requested twice a day by a scheduled job, on two
    always-on instances:
    ```yaml
    ForecastConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            traffic: scheduled
            requests-per-day: 2
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: demand-forecast
            InstanceType: ml.c5.2xlarge
            InitialInstanceCount: 2
    ```

    ## Fix
    Serve the model from a serverless endpoint, billed per request:
    ```yaml
    ForecastConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            traffic: scheduled
            requests-per-day: 2
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: demand-forecast
            ServerlessConfig:
              MemorySizeInMB: 4096
              MaxConcurrency: 5
    ```
    For a model that needs a GPU or large payloads, use an asynchronous
    endpoint with an `AWS::ApplicationAutoScaling::ScalableTarget` of
    `MinCapacity: 0`, plus a step-scaling policy on the
    `HasBacklogWithoutCapacity` metric so that it wakes up from zero.

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (for workloads with idle
      periods between traffic spurts; scales to zero)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html (scale an
      asynchronous endpoint to zero with MinCapacity 0)
    - botocore `application-autoscaling` service model: `MinCapacity` may be 0 for SageMaker variants and
      inference components
    - botocore `sagemaker` service model: `ProductionVariantManagedInstanceScaling.MinInstanceCount` and
      `InferenceComponentRuntimeConfig.CopyCount` may be 0
    """
    traffic = deployment.profile.traffic
    if not traffic.known or not idle_traffic(traffic.value):
        return
    units = instance_units(deployment)
    if not units or _scales_to_zero(deployment.units) is not False:
        return
    options, left_out = _alternatives(deployment, units)
    if not options:
        return
    suggestion = ", or ".join(options) + (f" ({left_out})" if left_out else "")
    yield violation(
        f"declared traffic '{traffic.value}' on real-time endpoint {display_name(deployment)}, which keeps "
        f"{_fleet(units_owning_instances(deployment))} running (and billed) around the clock — use {suggestion}",
        traffic, default=deployment.span,
    )

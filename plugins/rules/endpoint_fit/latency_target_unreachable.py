"""EP002 latency-target-unreachable."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, RunContext, Severity, Sourced, Unit, Violation, rule

from plugins.data import payload_limit, queued_latency_floor_ms, serverless_cold_start_seconds
from plugins.rules.common import display_name, kind_of, unit_name
from plugins.rules.endpoint_fit_decisions import cold_start_meets_latency, payload_fits, queue_meets_latency


def format_duration(milliseconds: float) -> str:
    """`250 ms`, `1 s`, `1.5 s`: whole and fractional seconds from 1 s up."""
    if milliseconds >= 1000:
        return f"{milliseconds / 1000:g} s"
    return f"{milliseconds:g} ms"


def _realtime_fix(deployment: Deployment) -> str:
    """Where a request this fast can be served: a real-time endpoint, if the payload fits one."""
    realtime = payload_limit("realtime")
    payload = deployment.profile.payload_mb
    if realtime is None or not payload.known or payload_fits("realtime", payload.value):
        return "serve it from a real-time endpoint"
    return (
        f"no endpoint type answers a {payload.value:g} MB request that fast: relax the latency target, or split "
        f"the request to fit a real-time endpoint ({realtime.display})"
    )


# How the queued kinds work, for the message: (what it is, why it is slow).
_QUEUED = {
    DeploymentKind.ASYNC: ("an asynchronous endpoint", "it queues requests and writes results to S3"),
    DeploymentKind.BATCH_TRANSFORM: (
        "a batch transform job",
        "it scores its input offline and starts instances for every job",
    ),
}


def _warm_capacity(units: list[Unit]) -> bool | None:
    """True when a serverless variant keeps warm capacity, False when none does, None when unknowable."""
    unknowable = False
    for unit in units:
        assert unit.serverless is not None
        provisioned = unit.serverless.provisioned_concurrency
        if provisioned.known and provisioned.value >= 1:
            return True
        if not provisioned.known and not provisioned.not_written():
            unknowable = True  # set from a parameter, a condition, a run-time value
    return None if unknowable else False


@rule(
    "EP002",
    "latency-target-unreachable",
    Severity.ERROR,
    "The declared latency target is below what the endpoint type can deliver.",
    tags=("sagemaker", "latency"),
)
def latency_target_unreachable(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Compares the latency target declared in the workload profile
    (`latency-ms`) with what the deployment's endpoint type can deliver:

    - an **asynchronous endpoint** or a **batch transform job** with a
      target under 1 s is an error: asynchronous requests wait in a queue
      and their results are written to Amazon S3, and a transform job
      scores a whole dataset offline;
    - a **serverless endpoint** without `ProvisionedConcurrency` and a
      target under its cold-start range is a warning: after an idle period
      (or above the warm concurrency) a request waits for a cold start,
      which takes seconds, up to the 3 minutes a serverless endpoint has to
      download the model and pass `/ping`.

    Real-time endpoints are not judged here. The rule is silent when no
    target is declared or when the provisioned concurrency is not known
    (a parameter or a condition).

    ## Why it matters
    The target cannot be met by tuning: the endpoint type decides it.
    Finding out under load means a client that times out or a fraud check
    that answers too late, and a migration to another endpoint type.

    ## Example
    A fraud check that must answer in 100 ms, on a serverless endpoint that
    starts cold after every quiet period:
    ```yaml
    FraudScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            latency-ms: 100
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: fraud-scorer
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 20
    ```
    An asynchronous endpoint asked for 300 ms answers:
    ```yaml
    ImageTaggingConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            latency-ms: 300
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: image-tagger
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://image-tags/output/
    ```

    ## Fix
    Keep serverless capacity warm with provisioned concurrency:
    ```yaml
    FraudScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            latency-ms: 100
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: fraud-scorer
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 20
              ProvisionedConcurrency: 5
    ```
    and serve sub-second requests from a real-time endpoint:
    ```yaml
    ImageTaggingConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            latency-ms: 300
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: image-tagger
            InstanceType: ml.g5.xlarge
            InitialInstanceCount: 2
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html (requests are queued, results
      placed in S3; "near real-time latency requirements")
    - https://docs.aws.amazon.com/sagemaker/latest/dg/how-it-works-deployment.html (batch transform gets
      predictions for an entire dataset)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (cold starts; provisioned
      concurrency keeps endpoints warm)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html (3 minutes to
      download the model and pass `/ping`)
    - AWS Machine Learning Blog, "Introducing the Amazon SageMaker Serverless Inference Benchmarking
      Toolkit" (2022): serverless cold starts are "in the order of seconds"
    - The 1 s floor for asynchronous and batch inference is this project's policy (rule catalog, EP002)
    """
    latency: Sourced = deployment.profile.latency_ms
    kind = kind_of(deployment)
    if not latency.known or kind is None:
        return
    target = float(latency.value)
    if kind in (DeploymentKind.ASYNC, DeploymentKind.BATCH_TRANSFORM):
        floor = queued_latency_floor_ms()
        if queue_meets_latency(target):
            return
        label, why = _QUEUED[kind]
        yield Violation(
            f"declared latency target {format_duration(target)} is below the {format_duration(floor)} {label} "
            f"({display_name(deployment)}) can be counted on for: {why} — {_realtime_fix(deployment)}",
            latency.span or deployment.span,
        )
    elif kind is DeploymentKind.SERVERLESS:
        fastest, slowest = serverless_cold_start_seconds()
        if cold_start_meets_latency(target):
            return
        variants = [unit for unit in deployment.units if unit.serverless is not None]
        if not variants or _warm_capacity(variants) is not False:
            return
        yield Violation(
            f"declared latency target {format_duration(target)} is below the cold start of serverless endpoint "
            f"{display_name(deployment)}, which has no ProvisionedConcurrency: after an idle period a request waits "
            f"{format_duration(fastest * 1000)} to {format_duration(slowest * 1000)} for a cold start — set "
            f"ProvisionedConcurrency on variant {unit_name(variants[0])}, or use a real-time endpoint",
            latency.span or deployment.span,
            Severity.WARNING,
        )

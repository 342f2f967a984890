"""EP005 async-without-failure-handling."""

from __future__ import annotations

from typing import Iterator

from linter import AsyncConfig, Deployment, DeploymentKind, RunContext, Severity, Span, Violation, rule

from plugins.rules.common import display_name


def _problem(settings: AsyncConfig) -> tuple[str, str] | None:
    """(what is missing and what follows, the fix), or None when failures and results both have a place."""
    no_failure_handling = settings.failure_path.is_absent() and settings.error_topic.is_absent()
    no_output = settings.output_path.is_absent()
    if no_failure_handling and no_output:
        return (
            "has no S3OutputPath, no S3FailurePath and no ErrorTopic: responses have no default location and failed "
            "requests vanish silently",
            "set OutputConfig.S3OutputPath and S3FailurePath (or a NotificationConfig.ErrorTopic SNS topic)",
        )
    if no_failure_handling:
        return (
            "has neither an S3FailurePath nor an ErrorTopic: failed requests vanish silently",
            "set OutputConfig.S3FailurePath, where failed requests are written, or a NotificationConfig.ErrorTopic "
            "SNS topic that announces them",
        )
    if no_output:
        return (
            "has no S3OutputPath: responses have no default location",
            "set OutputConfig.S3OutputPath",
        )
    return None


@rule(
    "EP005",
    "async-without-failure-handling",
    Severity.WARNING,
    "An asynchronous endpoint has nowhere to report failed requests, or no output location.",
    tags=("sagemaker", "async"),
    kinds=(DeploymentKind.ASYNC,),
)
def async_without_failure_handling(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks the `OutputConfig` of an asynchronous endpoint's
    `AsyncInferenceConfig`: warns when it has neither an `S3FailurePath`
    nor a `NotificationConfig.ErrorTopic`, and when it has no
    `S3OutputPath`. A setting given by a parameter or a condition counts as
    set; the rule fires only on what is certainly missing.

    ## Why it matters
    An asynchronous request is accepted first and processed later, so the
    caller never sees its failure in the response. Without a failure
    location in S3 or an SNS error topic, a request that fails (a model
    error, a timeout) leaves nothing where the client looks for its
    result: it vanishes silently. Without an `S3OutputPath`, responses
    have no default location either.

    Only `OutputConfig` itself is required by the API and by
    CloudFormation, so none of this fails at deploy time: it is a warning,
    not a schema error.

    ## Example
    ```yaml
    ArchiveConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: archiver
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 1
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://archive/output/
    ```

    ## Fix
    Give failed requests a place, in S3 and/or on an SNS topic:
    ```yaml
    ArchiveConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: archiver
            InstanceType: ml.m5.xlarge
            InitialInstanceCount: 1
        AsyncInferenceConfig:
          OutputConfig:
            S3OutputPath: s3://archive/output/
            S3FailurePath: s3://archive/failures/
            NotificationConfig:
              ErrorTopic: arn:aws:sns:us-east-1:123456789012:archive-errors
    ```

    ## Sources
    - botocore `sagemaker` service model: `AsyncInferenceConfig` (only `OutputConfig` is required),
      `AsyncInferenceOutputConfig` (`S3OutputPath`, `S3FailurePath`, `NotificationConfig`, none required),
      `AsyncInferenceNotificationConfig.ErrorTopic`
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AsyncInferenceOutputConfig.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-check-predictions.html
    """
    settings = deployment.async_config
    if settings is None:
        return
    problem = _problem(settings)
    if problem is None:
        return
    what, fix = problem
    anchor = settings.span or deployment.span
    yield Violation(
        f"asynchronous endpoint {display_name(deployment)} {what} — {fix}",
        Span.point(anchor.path, anchor.line, anchor.column),
    )

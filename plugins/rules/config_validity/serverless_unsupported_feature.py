"""CV003 serverless-unsupported-feature."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Provenance, RunContext, Severity, Sourced, Span, Unit, Violation, rule

from plugins.data import limit, serverless_unsupported_features
from plugins.rules.common import ENDPOINT_KINDS, display_name, models_of, unit_name, violation


def _point(span: Span) -> Span:
    """The start of a block's span: a finding about a whole block points at its first line."""
    return Span.point(span.path, span.line, span.column)


def _shown(setting: str, value: Sourced) -> str:
    return f"{setting} {value.value}" if value.known else setting


def _instance_settings(unit: Unit, variant: str, fallback: Span) -> Violation | None:
    """InstanceType / InitialInstanceCount written beside the variant's ServerlessConfig."""
    exclusive = limit("serverless", "exclusive_with").values or ()
    candidates = {"InstanceType": unit.compute.instance_type, "InitialInstanceCount": unit.count}
    written = [(setting, candidates[setting]) for setting in exclusive if setting in candidates and candidates[setting].is_written()]
    if not written:
        return None
    shown = " and ".join(_shown(setting, value) for setting, value in written)
    names = " and ".join(setting for setting, _ in written)
    return violation(
        f"serverless variant {variant} also sets {shown}: ServerlessConfig replaces the instance-based settings and "
        f"SageMaker rejects the variant with both — remove {names}, or remove ServerlessConfig to keep instances",
        written[0][1], unit.span, default=fallback,
    )


@rule(
    "CV003",
    "serverless-unsupported-feature",
    Severity.ERROR,
    "A serverless variant is combined with a feature serverless endpoints do not support.",
    tags=("sagemaker", "serverless"),
    kinds=ENDPOINT_KINDS,
)
def serverless_unsupported_feature(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Finds serverless variants (a `ServerlessConfig`) combined with what a
    serverless endpoint does not support:

    - `InstanceType` or `InitialInstanceCount` on the same variant;
    - a model in multi-model mode (`Mode: MultiModel`);
    - a `VpcConfig` on the model or the endpoint configuration;
    - network isolation (`EnableNetworkIsolation: true`);
    - data capture (a `DataCaptureConfig` that is enabled, which it is
      when `EnableCapture` is not set);
    - more than one production variant on the endpoint;
    - a Model Monitor schedule (`AWS::SageMaker::MonitoringSchedule`)
      that monitors the endpoint.

    A setting that only an undecided condition sets (an `Fn::If` with
    `AWS::NoValue` in one branch) keeps the rule silent: the template may
    be valid in every stage.

    ## Why it matters
    SageMaker rejects these combinations when the endpoint configuration,
    the endpoint or the monitoring schedule is created (a
    `ValidationException`), so the stack fails at deploy time. An endpoint that runs on instances cannot be updated to
    serverless later either, so choose the endpoint type per stage on
    purpose: serverless where none of these features is needed, instances
    where one is.

    ## Example
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            InstanceType: ml.m5.large
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 20
        DataCaptureConfig:
          EnableCapture: true
          InitialSamplingPercentage: 20
          DestinationS3Uri: s3://capture/scoring/
          CaptureOptions:
            - CaptureMode: Input
    ```

    ## Fix
    Keep the serverless variant alone, without instance settings or data
    capture (or use an instance-backed endpoint where you need them):
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 20
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariant.ServerlessConfig` (a serverless configuration
      "instead of" an instance-based one)
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (feature exclusions: multi-model
      endpoints, VPC configuration, network isolation, data capture, multiple production variants, Model Monitor)
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DataCaptureConfig.html (`EnableCapture`
      defaults to enabled)
    """
    serverless = [unit for unit in deployment.units if unit.serverless is not None]
    if not serverless:
        return
    unsupported = {feature.feature: feature.description for feature in serverless_unsupported_features()}
    for unit in serverless:
        yield from _variant_features(deployment, unit, unsupported)
    subject = (
        f"serverless endpoint {display_name(deployment)}"
        if len(serverless) == len(deployment.units)
        else f"endpoint {display_name(deployment)} (serverless variant {unit_name(serverless[0])})"
    )
    yield from _endpoint_features(deployment, subject, unsupported)


def _variant_features(deployment: Deployment, unit: Unit, unsupported: dict[str, str]) -> Iterator[Violation]:
    """What one serverless variant is combined with: instance settings, multi-model containers."""
    variant = unit_name(unit)
    found = _instance_settings(unit, variant, deployment.span)
    if found is not None:
        yield found
    if "multi-model" not in unsupported:
        return
    for model in models_of(deployment, unit):
        if model.multi_model.known and model.multi_model.value is True:
            yield violation(
                f"serverless variant {variant} serves {_model(model.name)} in multi-model mode: serverless "
                f"endpoints do not support {unsupported['multi-model']} — use a single-model container, or an "
                "instance-backed endpoint to host many models",
                model.multi_model, default=deployment.span,
            )


def _endpoint_features(deployment: Deployment, subject: str, unsupported: dict[str, str]) -> Iterator[Violation]:
    """What the endpoint with a serverless variant is combined with: network, capture, variants, monitoring."""
    network = deployment.network
    if "vpc-config" in unsupported and network is not None and network.span is not None:
        yield Violation(
            f"{subject} has a VpcConfig: serverless endpoints do not support {unsupported['vpc-config']} — remove it, "
            "or use an instance-backed endpoint to reach resources in the VPC",
            _point(network.span),
        )
    isolation = network.network_isolation if network is not None else Sourced()
    if "network-isolation" in unsupported and isolation.known and isolation.value is True:
        yield violation(
            f"{subject} sets EnableNetworkIsolation true: serverless endpoints do not support "
            f"{unsupported['network-isolation']} — remove it, or use an instance-backed endpoint",
            isolation, default=deployment.span,
        )
    capture = deployment.data_capture
    if "data-capture" in unsupported and capture.known and capture.value is True:
        how = (
            "has a DataCaptureConfig, which captures data when EnableCapture is not set"
            if capture.provenance is Provenance.DEFAULT
            else "enables data capture (EnableCapture true)"
        )
        yield Violation(
            f"{subject} {how}: serverless endpoints do not support {unsupported['data-capture']} — remove the "
            "DataCaptureConfig, or use an instance-backed endpoint where you need captured requests",
            _point(capture.span) if capture.span is not None else deployment.span,
        )
    if "multiple-variants" in unsupported and len(deployment.units) > 1:
        names = ", ".join(unit_name(unit) for unit in deployment.units)
        extra = deployment.units[1]
        yield Violation(
            f"{subject} has {len(deployment.units)} production variants ({names}): serverless endpoints do not "
            f"support {unsupported['multiple-variants']} — put each model on an endpoint of its own",
            _point(extra.span) if extra.span is not None else deployment.span,
        )
    monitor = deployment.monitored_by
    if "model-monitor" in unsupported and monitor.known:
        yield violation(
            f"{subject} is monitored by the Model Monitor schedule {monitor.value}: serverless endpoints do not "
            f"support {unsupported['model-monitor']} — remove the schedule, or use an instance-backed endpoint",
            monitor, default=deployment.span,
        )


def _model(name: Sourced) -> str:
    return f"model {name.value}" if name.known else "its model"

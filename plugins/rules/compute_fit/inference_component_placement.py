"""CP008 inference-component-placement."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, NotJudged, RunContext, Severity, Sourced, Unit, Violation, rule

from plugins.data import extensions_of, instance_info
from plugins.rules.common import unit_name, violation


def _variant_of(deployment: Deployment, component: Unit) -> Unit | None:
    """The variant whose instances a component runs on: the unit its instance type was read from."""
    where = component.compute.instance_type.span
    if where is None:
        return None
    return next(
        (unit for unit in deployment.units if unit.requirements is None and unit.compute.instance_type.span == where),
        None,
    )


def _instances(variant: Unit) -> Sourced | None:
    """The most instances the variant may run: managed instance scaling's maximum, else its instance count."""
    for scaling in variant.scaling:
        if scaling.dimension.value == "managed-instance-count":
            return scaling.max_capacity if scaling.max_capacity.known else None
    return variant.count if variant.count.known else None


def _why(fact: Sourced) -> str:
    """` (why it is unknown)` for a NotJudged message, from the fact's note; "" when it has none."""
    return f" ({fact.note})" if fact.note else ""


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


@rule(
    "CP008",
    "inference-component-placement",
    Severity.ERROR,
    "Inference components ask for more accelerators than their variant's instances hold.",
    tags=("sagemaker", "llm"),
    kinds=(DeploymentKind.REALTIME, DeploymentKind.ASYNC),
)
def inference_component_placement(deployment: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """
    ## What it does
    Adds up what the inference components placed on an endpoint variant
    ask for — `NumberOfAcceleratorDevicesRequired` per copy, times the
    copies (`RuntimeConfig.CopyCount`) — and compares it with the
    accelerators of the variant's instances: the accelerators of one
    instance of its type (from the instance tables) times its instance
    count, or the maximum of its managed instance scaling. It flags a
    component whose single copy needs more accelerators than one instance
    has, and the component whose copies take the total past what the
    variant holds. Components whose copy count, or variants whose instance
    type or count, is not known are left alone, and so are instance types
    whose accelerator count the tables do not give: `explain
    --deployments` says which fact was missing. `MinMemoryRequiredInMb` is
    not judged (the tables hold no host memory per instance type), and
    `explain` says so.

    ## Why it matters
    SageMaker places each copy of a component on one instance of its
    variant. A copy that needs more accelerators than an instance has can
    never be placed, and copies beyond what the instances hold wait for
    capacity that never comes (or, with managed instance scaling, for
    instances beyond its maximum): the deployment fails or the model
    serves with fewer copies than configured.

    ## Example
    ```yaml
    LlmConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-hosting
        ProductionVariants:
          - VariantName: AllTraffic
            InstanceType: ml.g5.12xlarge
            InitialInstanceCount: 1
    LlmEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointConfigName: !GetAtt LlmConfig.EndpointConfigName
    MistralComponent:
      Type: AWS::SageMaker::InferenceComponent
      Properties:
        EndpointName: !GetAtt LlmEndpoint.EndpointName
        VariantName: AllTraffic
        Specification:
          ModelName: mistral-7b-instruct
          ComputeResourceRequirements:
            NumberOfAcceleratorDevicesRequired: 2
            MinMemoryRequiredInMb: 16384
        RuntimeConfig:
          CopyCount: 3
    ```

    ## Fix
    Ask for no more than the variant holds — fewer copies, fewer
    accelerators per copy, or more instances:
    ```yaml
    LlmConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-hosting
        ProductionVariants:
          - VariantName: AllTraffic
            InstanceType: ml.g5.12xlarge
            InitialInstanceCount: 2
    LlmEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointConfigName: !GetAtt LlmConfig.EndpointConfigName
    MistralComponent:
      Type: AWS::SageMaker::InferenceComponent
      Properties:
        EndpointName: !GetAtt LlmEndpoint.EndpointName
        VariantName: AllTraffic
        Specification:
          ModelName: mistral-7b-instruct
          ComputeResourceRequirements:
            NumberOfAcceleratorDevicesRequired: 2
            MinMemoryRequiredInMb: 16384
        RuntimeConfig:
          CopyCount: 2
    ```

    ## Sources
    - botocore `sagemaker` service model: `InferenceComponentComputeResourceRequirements`
      (`NumberOfAcceleratorDevicesRequired`, `MinMemoryRequiredInMb`), `InferenceComponentRuntimeConfig.CopyCount`,
      `ProductionVariantManagedInstanceScaling`
    - https://docs.aws.amazon.com/sagemaker/latest/dg/inference-components.html
    - SageMaker Python SDK `instance_gpu_info.json`; Amazon EC2 accelerated computing instance specifications
      (accelerators per instance type)
    """
    used: dict[int, int] = {}  # id(variant) -> accelerators the components before this one take
    for component in deployment.units:
        requirements = component.requirements
        if requirements is None:
            continue
        if requirements.min_memory_mb.known:
            yield NotJudged(
                f"MinMemoryRequiredInMb of inference component {unit_name(component)} is not judged: the data tables "
                "hold no host memory per instance type",
                requirements.min_memory_mb.span,
            )
        asked = requirements.accelerator_devices
        if not asked.known:
            if not asked.not_written():
                yield NotJudged(
                    f"NumberOfAcceleratorDevicesRequired of inference component {unit_name(component)} is written but "
                    f"not known{_why(asked)}",
                    asked.span,
                )
            continue
        needed = int(asked.value)  # type: ignore[arg-type]
        if needed <= 0:
            continue
        variant = _variant_of(deployment, component)
        if variant is None:
            yield NotJudged(f"the variant inference component {unit_name(component)} is placed on is not known", component.span)
            continue
        if not variant.compute.instance_type.known:
            yield NotJudged(
                f"the instance type of variant {unit_name(variant)} is not known{_why(variant.compute.instance_type)}",
                variant.compute.instance_type.span,
            )
            continue
        instance_type = str(variant.compute.instance_type.value)
        info = instance_info(instance_type, extensions_of(run))
        if info is None or info.accelerator_count is None:
            family = info.family if info is not None else instance_type.lower().removeprefix("ml.").rpartition(".")[0]
            yield NotJudged(
                f"the accelerator count of {instance_type} is not in the data tables (a family's count, the same for "
                f"every size, may be declared under [data.instance-families.{family}] in the configuration)",
                variant.compute.instance_type.span,
            )
            continue
        per_instance = info.accelerator_count
        if needed > per_instance:
            used[id(variant)] = used.get(id(variant), 0)  # the total is moot: no copy fits
            yield violation(
                f"a copy of inference component {unit_name(component)} needs {_plural(needed, 'accelerator')}, "
                f"but an instance of variant {unit_name(variant)} ({instance_type}) has {per_instance} — SageMaker "
                "places each copy on one instance, so no copy can be placed: use an instance type with "
                f"{needed} or more accelerators, or shard the model over fewer accelerators",
                asked, component.span, default=deployment.span,
            )
            continue
        copies = component.count
        instances = _instances(variant)
        if not copies.known:
            yield NotJudged(
                f"the copy count of inference component {unit_name(component)} is not known{_why(copies)}: whether its "
                f"copies fit variant {unit_name(variant)} is not judged",
                copies.span or component.span,
            )
        if instances is None:
            yield NotJudged(
                f"the most instances variant {unit_name(variant)} may run is not known: whether the copies of its "
                "inference components fit is not judged",
                variant.count.span or variant.span,
            )
        if not copies.known or instances is None:
            continue
        before = used.get(id(variant), 0)
        total = before + needed * int(copies.value)  # type: ignore[arg-type]
        used[id(variant)] = total
        capacity = per_instance * int(instances.value)  # type: ignore[arg-type]
        if before <= capacity < total:
            shown = f" (with the components before it: {total})" if before else ""
            yield violation(
                f"inference component {unit_name(component)} asks for {_plural(int(copies.value), 'copy', 'copies')} "  # type: ignore[arg-type]
                f"x {_plural(needed, 'accelerator')}{shown}, but variant {unit_name(variant)} holds "
                f"{capacity}: {_plural(int(instances.value), 'instance')} of {instance_type} with {per_instance} "  # type: ignore[arg-type]
                "each — copies beyond that are never placed: fewer copies or accelerators per copy, or more instances",
                copies, requirements.accelerator_devices, component.span, default=deployment.span,
            )

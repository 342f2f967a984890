"""CP004 burstable-instance-in-production."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, Environment, RunContext, Severity, Violation, rule

from plugins.data import extensions_of, instance_job_kind, valid_instance_types
from plugins.rules.common import display_name, is_kind, violation

# Real-time serving: SageMaker real-time endpoints, and the long-running
# serving workloads of Kubernetes and ECS.
_KINDS = (DeploymentKind.REALTIME, DeploymentKind.SERVICE)


@rule(
    "CP004",
    "burstable-instance-in-production",
    Severity.WARNING,
    "A production real-time endpoint runs on burstable instances.",
    tags=("sagemaker", "kubernetes", "ecs", "prod"),
    kinds=_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def burstable_instance_in_production(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production real-time endpoint — a SageMaker real-time endpoint,
    or a Kubernetes or ECS serving workload — whose instances are
    burstable: `ml.t2` on SageMaker (the only burstable hosting family) and
    the EC2 T families (`t2`, `t3`, `t3a`, `t4g`) as nodes or container
    instances. It fires only when the deployment is known to be production
    (declared, tagged, or matched by a configured pattern, or with
    `--environment prod`). `ml.t3` is no hosting type at all: CP005 reports
    that as an error.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    A burstable instance delivers its full CPU only while it has CPU
    credits; sustained inference traffic spends them, and the instance then
    throttles to a fraction of a core (or, in EC2 unlimited mode, bills the
    surplus). Latency climbs exactly when traffic is high, and the drop is
    hard to see in autoscaling metrics. Burstable types suit development
    and test endpoints, not production serving.

    ## Example
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scoring-model
            InstanceType: ml.t2.large
            InitialInstanceCount: 2
    ```

    ## Fix
    Use a fixed-performance instance type (general purpose or compute
    optimised) in production:
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            environment: prod
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scoring-model
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ```

    ## Sources
    - botocore `sagemaker` service model: `ProductionVariantInstanceType` (`ml.t2.*` is the only burstable hosting family; no `ml.t3`)
    - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances.html (CPU credits, baseline performance, unlimited mode)
    """
    for unit in deployment.units:
        burstable = unit.compute.burstable
        if not burstable.known or burstable.value is not True:
            continue
        job_kind = instance_job_kind(deployment.kind.value.value)  # type: ignore[union-attr]
        name = display_name(deployment)
        instance_type = unit.compute.instance_type
        if job_kind is not None and instance_type.known and instance_type.value not in valid_instance_types(job_kind, extensions_of(run)):
            continue  # ml.t3 on an endpoint: not a hosting type at all, which CP005 reports
        described = f"burstable instance {instance_type.value}" if instance_type.known else "a burstable instance"
        subject = f"production {'endpoint' if is_kind(deployment, DeploymentKind.REALTIME) else 'service'} {name}"
        if unit.name.known and unit.name.value != name:
            subject += f" ({unit.name.value})"
        yield violation(
            f"{subject} runs on {described}: sustained traffic spends its CPU "
            "credits and it throttles to its baseline — use a fixed-performance type (general purpose or "
            "compute optimised)",
            burstable, instance_type, unit.span, default=deployment.span,
        )

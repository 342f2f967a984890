"""SP001 on-demand-batch-capacity."""

from __future__ import annotations

from typing import Iterator

from linter import Capacity, Deployment, DeploymentKind, RunContext, Severity, Unit, Violation, rule

from plugins.data import managed_spot_supported
from plugins.rules.common import display_name, judged_as_ml, kind_of, unit_name, violation
from plugins.rules.spot.urgency import DEFERRABLE, URGENT, declared_urgency


def _runs_batch_work(deployment: Deployment) -> str | None:
    """Why the deployment's capacity runs batch work that could wait for Spot, or None.

    A run-to-completion job does. Capacity that is not itself a workload
    (a node group, a node pool: kind unknown) does only when its profile
    declares its work deferrable. SageMaker job kinds and endpoints are never
    this rule's business: training has managed Spot (SP002), the others have
    no Spot option at all.
    """
    kind = kind_of(deployment)
    if kind is not None and managed_spot_supported(kind.value) is not None:
        return None
    if kind is DeploymentKind.JOB:
        return "runs batch jobs"
    if kind is None and declared_urgency(deployment) == DEFERRABLE:
        return f"runs deferrable work (urgency: {DEFERRABLE})"
    return None


def _subject(deployment: Deployment, unit: Unit) -> str:
    name, unit_label = display_name(deployment), unit_name(unit)
    return name if unit_label in (name, "(unnamed)") else f"{name} ({unit_label})"


@rule(
    "SP001",
    "on-demand-batch-capacity",
    Severity.WARNING,
    "Batch work runs on on-demand capacity that could be Spot.",
    tags=("spot", "cost", "batch", "ecs", "eks", "kubernetes"),
)
def on_demand_batch_capacity(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Finds batch capacity bought on demand: an AWS Batch compute environment
    of type `EC2` or `FARGATE`, an ECS task started on a schedule without
    `FARGATE_SPOT`, a Kubernetes Job pinned to on-demand nodes, and an EKS
    node group or Karpenter NodePool on `ON_DEMAND` capacity whose workload
    profile declares `urgency: deferrable`.

    It stays silent when the workload profile declares `urgency: urgent`,
    for reserved capacity (capacity reservations, EKS `CAPACITY_BLOCK`,
    Karpenter `reserved`), which is bought deliberately, and for capacity
    that already mixes Spot and on-demand. It never advises Spot for
    SageMaker batch transform, processing jobs or endpoints: SageMaker has no
    Spot option for them. SageMaker training has managed Spot, which is
    SP002's business.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Batch jobs that can be retried are what Spot capacity is for: the same
    instances at Spot prices, often a fraction of the on-demand price, in
    exchange for interruptions with a two-minute warning. AWS Batch, ECS and
    Kubernetes job controllers retry interrupted work; a nightly scoring run
    that pays on-demand prices pays for a guarantee it does not need.

    ## Example
    ```yaml
    Resources:
      NightlyScoringEnvironment:
        Type: AWS::Batch::ComputeEnvironment
        Properties:
          Type: MANAGED
          ComputeResources:
            Type: EC2
            AllocationStrategy: BEST_FIT_PROGRESSIVE
            MinvCpus: 0
            MaxvCpus: 256
            InstanceTypes: [c6i.4xlarge]
            Subnets: [subnet-0a1b2c3d]
            InstanceRole: ecsInstanceRole
    ```

    ## Fix
    Run the jobs on Spot capacity and let AWS Batch pick the pools least
    likely to be interrupted (ECS: a `FARGATE_SPOT` capacity provider; EKS:
    `CapacityType: SPOT`; Karpenter: `spot` in `karpenter.sh/capacity-type`).
    Work that must not wait declares `urgency: urgent` in its workload profile.
    ```yaml
    Resources:
      NightlyScoringEnvironment:
        Type: AWS::Batch::ComputeEnvironment
        Properties:
          Type: MANAGED
          ComputeResources:
            Type: SPOT
            AllocationStrategy: SPOT_PRICE_CAPACITY_OPTIMIZED
            MinvCpus: 0
            MaxvCpus: 256
            InstanceTypes: [c6i.4xlarge, c6a.4xlarge, c5.4xlarge]
            Subnets: [subnet-0a1b2c3d]
            InstanceRole: ecsInstanceRole
    ```

    ## Sources
    - AWS CloudFormation `AWS::Batch::ComputeEnvironment.ComputeResources.Type` (`EC2`, `SPOT`, `FARGATE`, `FARGATE_SPOT`) and `AWS::EKS::Nodegroup.CapacityType` (`ON_DEMAND`, `SPOT`, `CAPACITY_BLOCK`)
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html (`FARGATE_SPOT`)
    - https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
    - botocore `sagemaker` service model: no Spot member in `CreateTransformJob`, `CreateProcessingJob` or `ProductionVariant`
    """
    why = _runs_batch_work(deployment)
    if why is None or not judged_as_ml(deployment):
        return
    if declared_urgency(deployment) == URGENT:
        return
    for unit in deployment.units:
        capacity = unit.capacity
        if capacity.value is not Capacity.ON_DEMAND:
            continue
        because = f" ({capacity.note})" if capacity.note else ""
        yield violation(
            f"{_subject(deployment, unit)} {why} on on-demand capacity{because} — use Spot capacity and let "
            f"interrupted work retry, or declare `urgency: {URGENT}` in the workload profile if it cannot wait",
            capacity, unit.span, default=deployment.span,
        )

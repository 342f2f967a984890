"""SP001 on-demand-batch-capacity."""

from __future__ import annotations

from typing import Iterator

from linter import Capacity, Deployment, DeploymentKind, RunContext, Severity, Unit, Violation, rule

from plugins.data import managed_spot_supported
from plugins.rules.common import display_name, kind_of, unit_name, violation
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


# The attribute the AWS Batch adapter sets when every job definition submitted to
# the capacity is a multi-node parallel one.
MULTI_NODE = "multi_node_parallel"


def _only_multi_node_jobs(deployment: Deployment) -> bool:
    """True when all the work is multi-node parallel jobs, which AWS Batch does not run on Spot."""
    return any(name == MULTI_NODE and value.known and value.value is True for name, value in deployment.attributes)


def _subject(deployment: Deployment, unit: Unit) -> str:
    name, unit_label = display_name(deployment), unit_name(unit)
    return name if unit_label in (name, "(unnamed)") else f"{name} ({unit_label})"


@rule(
    "SP001",
    "on-demand-batch-capacity",
    Severity.WARNING,
    "Batch work runs on on-demand capacity that could be Spot.",
    tags=("spot", "cost", "batch", "ecs", "eks", "kubernetes"),
    ml_only=True,
)
def on_demand_batch_capacity(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Finds batch capacity bought on demand for ML work: an AWS Batch compute
    environment of type `EC2` or `FARGATE`, an ECS task started on a
    schedule without `FARGATE_SPOT`, a Kubernetes Job pinned to on-demand
    nodes (by its node selection, the NodePool it names, or the one
    NodePool near it that admits it), and an EKS node group or Karpenter NodePool on `ON_DEMAND`
    capacity whose workload profile declares `urgency: deferrable`.

    Only work that shows ML is judged — an image known as a model server or
    ML framework, a GPU (from the instance types or the jobs' requests), or
    a workload profile: a compute environment that runs `echo "Hello
    World!"` in Amazon Linux is not this linter's business. For AWS Batch
    the work is the job definitions something in the template submits to
    the environment's queue (an EventBridge target, a state machine, a
    function), or, in a template with a single job queue, its job
    definitions.

    It stays silent:
    - when the workload profile declares `urgency: urgent`;
    - for reserved capacity, bought deliberately: a launch template that
      targets a capacity reservation (`CapacityReservationTarget`,
      `CapacityReservationPreference: capacity-reservations-only`) or a
      Capacity Block (`InstanceMarketOptions.MarketType: capacity-block`),
      EKS `CAPACITY_BLOCK`, Karpenter `reserved`, and a Karpenter NodePool
      whose EC2NodeClass selects capacity reservations
      (`capacityReservationSelectorTerms`); a launch template whose
      reservation is left to a parameter or a condition may be reserved,
      and is left alone too;
    - for compute environments whose jobs are all multi-node parallel
      (`Type: multinode`): AWS Batch does not run those on Spot;
    - for capacity that already mixes Spot and on-demand, such as a job
      queue that orders a Spot environment before the on-demand one it
      falls back to, or an on-demand Batch environment declared beside a
      Spot environment of the same instance types (one queue each: the
      submitter picks).

    It never advises Spot for SageMaker batch transform, processing jobs or
    endpoints: SageMaker has no Spot option for them. SageMaker training
    has managed Spot, which is SP002's business.

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
            InstanceTypes: [g5.2xlarge]
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
            InstanceTypes: [g5.2xlarge, g5.4xlarge, g6.2xlarge]
            Subnets: [subnet-0a1b2c3d]
            InstanceRole: ecsInstanceRole
    ```

    ## Sources
    - AWS CloudFormation `AWS::Batch::ComputeEnvironment.ComputeResources.Type` (`EC2`, `SPOT`, `FARGATE`, `FARGATE_SPOT`) and `AWS::EKS::Nodegroup.CapacityType` (`ON_DEMAND`, `SPOT`, `CAPACITY_BLOCK`)
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html (`FARGATE_SPOT`)
    - https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
    - https://docs.aws.amazon.com/batch/latest/userguide/mnp-ce.html ("Multi-node parallel jobs aren't supported on compute environments that use Spot Instances")
    - https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateCapacityReservationSpecificationRequest.html and `API_LaunchTemplateInstanceMarketOptionsRequest.html` (`MarketType` `capacity-block`)
    - https://karpenter.sh/docs/tasks/odcrs/ (`capacityReservationSelectorTerms`, capacity type `reserved`)
    - botocore `sagemaker` service model: no Spot member in `CreateTransformJob`, `CreateProcessingJob` or `ProductionVariant`
    """
    why = _runs_batch_work(deployment)
    if why is None or _only_multi_node_jobs(deployment):
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

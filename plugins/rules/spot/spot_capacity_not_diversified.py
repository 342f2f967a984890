"""SP005 spot-capacity-not-diversified."""

from __future__ import annotations

from typing import Iterator

from linter import Capacity, Deployment, NotJudged, RunContext, Severity, Unit, Violation, rule

from plugins.data import spot_min_instance_types, spot_min_zones
from plugins.rules.common import unit_subject, violation


def _single_zone(deployment: Deployment) -> str | None:
    """The one Availability Zone the capacity is confined to, when the file writes its zones; else None."""
    if not _zones_known(deployment):
        return None
    zones = {str(zone.value) for zone in deployment.network.zones}  # type: ignore[union-attr]
    return next(iter(zones)) if len(zones) < spot_min_zones() else None


def _zones_known(deployment: Deployment) -> bool:
    """True when the file writes the capacity's Availability Zones, every one of them readable."""
    network = deployment.network
    return network is not None and bool(network.zones) and all(zone.known for zone in network.zones)


def _types_text(unit: Unit) -> str:
    types = unit.instance_types
    how = f"; {types.note}" if types.note else ""
    return f"{', '.join(types.value)}{how}"  # type: ignore[arg-type]


@rule(
    "SP005",
    "spot-capacity-not-diversified",
    Severity.INFO,
    "Spot capacity may launch only one instance type.",
    tags=("spot", "availability", "eks", "batch", "karpenter"),
)
def spot_capacity_not_diversified(deployment: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """
    ## What it does
    Finds Spot capacity restricted to a single instance type: an EKS
    managed node group with `CapacityType: SPOT` (CloudFormation) or
    `spot: true` (eksctl; a self-managed eksctl group whose
    `instancesDistribution` buys only Spot), an AWS Batch compute
    environment of type `SPOT`, and a Karpenter NodePool whose capacity-type
    requirement allows only `spot` — each with one instance type in its
    `InstanceTypes`, `instanceType(s)`, launch template or
    `node.kubernetes.io/instance-type` requirement (or the platform's
    default type when none is written: eksctl `m5.large`, EKS `t3.medium`).
    When the file also writes the Availability Zones (eksctl
    `availabilityZones`, a NodePool's `topology.kubernetes.io/zone`
    requirement, subnets defined in the same template) and they are one,
    the message says so.

    It stays silent for capacity that mixes Spot and on-demand (it falls
    back to on-demand), for Fargate Spot (no instance types), for instance
    families (`g5`) and `optimal` (AWS Batch picks among their sizes), for
    NodePools limited by family, category or size rather than by type
    (Karpenter picks among many types), and for lists it cannot read.
    Zones alone are never judged: subnets named by ID say nothing of their
    zones, and one zone is sometimes deliberate (EFA training clusters).
    Where the zones of a flagged capacity are not written, `explain
    --deployments` says the zone was not judged.

    ## Why it matters
    Spot capacity is bought per pool — one instance type in one
    Availability Zone. When that pool is reclaimed or runs short, every
    node of a single-type group goes at once, or none can be launched; AWS
    advises allowing many instance types (at least 10 as a rule of thumb)
    and every zone, and letting the allocation strategy choose the pools
    least likely to be interrupted.

    ## Example
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: training
      region: us-west-2
    managedNodeGroups:
      - name: gpu-spot
        instanceTypes: ["g5.2xlarge"]
        spot: true
    ```

    ## Fix
    Allow several instance types of the same shape (and several zones).
    ```yaml
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata:
      name: training
      region: us-west-2
    managedNodeGroups:
      - name: gpu-spot
        instanceTypes: ["g5.2xlarge", "g6.2xlarge", "g5.4xlarge", "g6.4xlarge"]
        spot: true
    ```

    ## Sources
    - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html (be flexible about instance types and Availability Zones)
    - https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html (`SPOT_PRICE_CAPACITY_OPTIMIZED` chooses among the instance types allowed)
    - https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html (Spot capacity: specify multiple instance types)
    - https://karpenter.sh/docs/concepts/nodepools/ (requirements: `node.kubernetes.io/instance-type`, `karpenter.sh/capacity-type`, `topology.kubernetes.io/zone`)
    """
    zone = _single_zone(deployment)
    for unit in deployment.units:
        types = unit.instance_types
        if unit.capacity.value is not Capacity.SPOT:
            continue
        if not types.known:
            if not types.not_written():
                yield NotJudged(
                    f"the instance types Spot capacity {unit_subject(deployment, unit)} may launch are not known"
                    f"{f' ({types.note})' if types.note else ''}",
                    types.span,
                )
            continue
        if len(types.value) >= spot_min_instance_types():  # type: ignore[arg-type]
            continue
        if not _zones_known(deployment):
            yield NotJudged(
                f"the Availability Zones of Spot capacity {unit_subject(deployment, unit)} are not written (or not "
                "resolved): whether it is also confined to one zone is not judged",
                unit.span,
            )
        where_zone = f" in one Availability Zone ({zone})" if zone else ""
        yield violation(
            f"Spot capacity {unit_subject(deployment, unit)} may launch only one instance type ({_types_text(unit)}){where_zone} — "
            "one Spot pool: an interruption or a shortage takes all of it at once; allow several instance types of the "
            "same shape" + (" and several Availability Zones" if zone else ""),
            types, unit.span, default=deployment.span,
        )

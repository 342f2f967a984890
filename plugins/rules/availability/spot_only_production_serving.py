"""HA006 spot-only-production-serving."""

from __future__ import annotations

from typing import Iterator

from linter import Capacity, Deployment, Environment, RunContext, Severity, Violation, rule

from plugins.rules.availability.replicas import REPLICATED_KINDS
from plugins.rules.common import instance_units, unit_subject, violation


@rule(
    "HA006",
    "spot-only-production-serving",
    Severity.WARNING,
    "Production real-time serving runs only on Spot capacity.",
    tags=("kubernetes", "ecs", "spot", "availability", "prod"),
    kinds=REPLICATED_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def spot_only_production_serving(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production serving workload whose pods (or tasks) can only run
    on Spot capacity: a nodeSelector or required node affinity that allows
    only Spot nodes (Karpenter `karpenter.sh/capacity-type: spot`, EKS
    `eks.amazonaws.com/capacityType: SPOT`, GKE `cloud.google.com/gke-spot`
    or `gke-preemptible`, AKS `kubernetes.azure.com/scalesetpriority:
    spot`), a pod pinned by `karpenter.sh/nodepool` to a NodePool of the
    run that launches only Spot capacity (or that names no pool but is
    admitted by only one NodePool near it — its requirements, labels and
    taints — which launches only Spot), or an ECS service whose capacity
    providers are all `FARGATE_SPOT`. Capacity that mixes Spot with
    on-demand or reserved capacity is fine, and so is a pod that merely
    tolerates a Spot taint without requiring Spot nodes. It fires only when
    the deployment is known to be production, and stays silent when the
    capacity is not known (no capacity label, a node pool not in the run).
    Batch work on Spot is what Spot is for: jobs are never flagged.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Spot capacity is reclaimed at short notice (two minutes on AWS, less on
    GCP), and reclaims come in waves: when a capacity pool is short, many
    Spot nodes of the same instance types go at once, often across zones.
    A service that can only run on Spot loses its replicas together and
    cannot be rescheduled until Spot capacity comes back, which for sought
    after GPU types may take hours. Requests fail the whole time.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat-llm
      namespace: assistant-prod
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: chat-llm
      template:
        metadata:
          labels:
            app: chat-llm
        spec:
          nodeSelector:
            karpenter.sh/capacity-type: spot
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Fix
    Allow on-demand capacity as well (Karpenter prefers Spot when both are
    allowed), or keep a baseline of replicas on on-demand nodes:
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat-llm
      namespace: assistant-prod
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: chat-llm
      template:
        metadata:
          labels:
            app: chat-llm
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - key: karpenter.sh/capacity-type
                        operator: In
                        values: ["spot", "on-demand"]
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Sources
    - https://karpenter.sh/docs/concepts/scheduling/ (`karpenter.sh/capacity-type`; Spot is preferred when both are allowed)
    - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-interruptions.html (two-minute interruption notice)
    - https://cloud.google.com/kubernetes-engine/docs/concepts/spot-vms (Spot VMs may be preempted at any time; no availability guarantee)
    - https://learn.microsoft.com/azure/aks/spot-node-pool
    """
    for unit in instance_units(deployment):
        capacity = unit.capacity
        if capacity.value is not Capacity.SPOT:
            continue
        because = f" ({capacity.note})" if capacity.note else ""
        yield violation(
            f"production service {unit_subject(deployment, unit)} can only run on Spot capacity{because}: a wave of "
            "Spot reclaims takes every replica down together and leaves nowhere to reschedule them — allow "
            "on-demand capacity too, or keep a baseline of replicas on on-demand nodes",
            capacity, unit.span, default=deployment.span,
        )

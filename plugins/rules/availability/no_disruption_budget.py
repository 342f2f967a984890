"""HA005 no-disruption-budget."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Environment, RunContext, Severity, Violation, rule

from plugins.rules.availability.replicas import REPLICATED_KINDS, guarded_unit, min_serving_replicas, replicated
from plugins.rules.common import unit_subject


@rule(
    "HA005",
    "no-disruption-budget",
    Severity.WARNING,
    "No PodDisruptionBudget protects a production serving workload.",
    tags=("kubernetes", "availability", "prod"),
    kinds=REPLICATED_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def no_disruption_budget(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production Kubernetes serving workload with two or more
    replicas that no PodDisruptionBudget of the run selects: no budget in
    its namespace whose selector matches its pod labels, and no Seldon
    `pdbSpec`. Budgets are looked up across every file of the run,
    including the files beside a file named on the command line (so a
    `pdb.yaml` next to `deployment.yaml` counts, as an HPA does for AS001);
    `--context none` judges only the files given. It stays silent when the
    pods get labels the linter cannot know (KServe, Seldon and other
    operators add their own) and the namespace holds budgets that might
    match them, when the environment is not known to be production, and
    for workloads with fewer than two replicas: no budget can keep a single
    replica up through a drain without blocking the drain (HA003 reports
    those).

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Node drains — cluster upgrades, node-image rotations, the cluster
    autoscaler or Karpenter consolidating nodes — evict pods through the
    eviction API, which only a PodDisruptionBudget can slow down. Without
    one, a drain may evict every replica at once (they often share a node
    or a node pool that is rotated together), and the service is down until
    new pods have started and loaded the model.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: embedder
      namespace: search-prod
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: embedder
      template:
        metadata:
          labels:
            app: embedder
        spec:
          containers:
            - name: server
              image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.5
    ```

    ## Fix
    Add a PodDisruptionBudget that selects the pods and lets one go at a
    time:
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: embedder
      namespace: search-prod
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: embedder
      template:
        metadata:
          labels:
            app: embedder
        spec:
          containers:
            - name: server
              image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.5
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: embedder
      namespace: search-prod
    spec:
      maxUnavailable: 1
      selector:
        matchLabels:
          app: embedder
    ```

    ## Sources
    - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ (voluntary disruptions and PodDisruptionBudgets)
    - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
    """
    availability = deployment.availability
    if availability is None:
        return
    budget = availability.disruption_budget
    unit = guarded_unit(deployment)
    if unit is None or not budget.known or budget.value:
        return
    running = replicated(unit, min_serving_replicas())
    if running is None:
        return
    namespace = deployment.namespace
    in_namespace = f" in namespace {namespace.value}" if namespace.known else ""
    yield Violation(
        f"production service {unit_subject(deployment, unit)} runs {running} but no PodDisruptionBudget of this run "
        f"selects its pods{in_namespace}: a node drain or cluster upgrade may evict them all at once — add a "
        "PodDisruptionBudget with maxUnavailable: 1 that selects its pod labels",
        deployment.span,
    )

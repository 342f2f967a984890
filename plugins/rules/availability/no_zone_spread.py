"""HA004 no-zone-spread."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Environment, RunContext, Severity, Violation, rule

from plugins.data import kubernetes_label
from plugins.rules.availability.replicas import REPLICATED_KINDS, guarded_unit, min_serving_replicas, replicated
from plugins.rules.common import unit_subject, violation


@rule(
    "HA004",
    "no-zone-spread",
    Severity.WARNING,
    "A production serving workload's replicas are not spread over zones.",
    tags=("kubernetes", "availability", "prod"),
    kinds=REPLICATED_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def no_zone_spread(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production Kubernetes serving workload that runs two or more
    replicas (its `replicas`, or the minimum its autoscaler keeps) and whose
    pods have neither a `topologySpreadConstraints` entry nor a pod
    anti-affinity term (required or preferred) on the zone label
    `topology.kubernetes.io/zone`. A spread over hostnames only does not
    count: the nodes may all be in one zone. It fires only when the
    deployment is known to be production; a workload with fewer than two
    replicas is HA003's business. For KServe and Seldon the predictor's pod
    spec is read (`spec.predictor`, the first `componentSpecs[].spec`).

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    The scheduler's default spreading is a soft preference weighed against
    everything else (free capacity, image locality, node pools that live in
    one zone), so several replicas can and do land in one Availability
    Zone. The replicas then protect against a node failure but not against
    a zone outage — the failure that multi-replica serving is usually meant
    to survive.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: recommender
      namespace: shop-prod
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: recommender
      template:
        metadata:
          labels:
            app: recommender
        spec:
          containers:
            - name: server
              image: nvcr.io/nvidia/tritonserver:24.08-py3
    ```

    ## Fix
    Spread the pods over zones (`ScheduleAnyway` keeps them schedulable
    when a zone is full):
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: recommender
      namespace: shop-prod
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: recommender
      template:
        metadata:
          labels:
            app: recommender
        spec:
          topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: topology.kubernetes.io/zone
              whenUnsatisfiable: ScheduleAnyway
              labelSelector:
                matchLabels:
                  app: recommender
          containers:
            - name: server
              image: nvcr.io/nvidia/tritonserver:24.08-py3
    ```

    ## Sources
    - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
    - https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesiozone
    - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ (spread applications across zones)
    """
    availability = deployment.availability
    if availability is None:
        return
    spread = availability.zone_spread
    unit = guarded_unit(deployment)
    if unit is None or not spread.known or spread.value:
        return
    running = replicated(unit, min_serving_replicas())
    if running is None:
        return
    zone = kubernetes_label("zone")
    yield violation(
        f"production service {unit_subject(deployment, unit)} runs {running} but its pods have no "
        f"topologySpreadConstraints or pod anti-affinity on {zone}: they may all land in one zone, and a zone "
        f"outage takes the service down — add a topologySpreadConstraint with topologyKey {zone} and maxSkew 1",
        spread, availability.span, default=deployment.span,
    )

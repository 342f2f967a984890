"""HA003 single-replica-production-workload."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, Environment, Provenance, RunContext, Severity, Sourced, Unit, Violation, rule

from plugins.rules.availability.replicas import (
    REPLICATED_KINDS,
    count_is_structural,
    min_serving_replicas,
    replicas_text,
)
from plugins.rules.common import autoscaling_minimum, instance_units, possible_values, unit_subject, violation
from plugins.rules.scaled_elsewhere import out_of_sight


def _alternatives(values: tuple) -> str:
    return " or ".join(map(str, values))


@rule(
    "HA003",
    "single-replica-production-workload",
    Severity.ERROR,
    "A production serving workload runs fewer than two replicas, so one node or zone failure takes it down.",
    tags=("kubernetes", "ecs", "availability", "prod"),
    kinds=REPLICATED_KINDS, environments=(Environment.PROD,), ml_only=True,
)
def single_replica_production_workload(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags a production serving workload — a Kubernetes Deployment or
    StatefulSet, a KServe InferenceService component, a SeldonDeployment
    predictor, another serving resource, an ECS service — whose replica
    count (`replicas`, KServe `minReplicas`, ECS `DesiredCount`) is below 2
    when autoscaling cannot lift it: nothing scales it, or its autoscaling
    minimum (HPA `minReplicas`, KEDA `minReplicaCount`, KServe
    `minReplicas`) is below 2 as well. A workload written with one replica
    whose autoscaler keeps at least two is fine; a minimum below 2 on a
    workload that starts with two or more is AS004's business. It fires
    only when the deployment is known to be production (an `environment`,
    `env` or `stage` label, a production namespace, the
    `mldeploy-lint.io/environment` annotation, a configured path pattern,
    `--environment prod`) and stays silent when the count is not known, or
    when nothing in the linted files scales it but something out of sight
    may: an autoscaler that could not be linked and may name it (as AS001
    counts them), or a workload the configuration's `scaled-elsewhere`
    list names. Counts that follow from a workload's shape rather than from a field
    (a Ray head, a bare Pod, the workers of a LeaderWorkerSet group) are
    not judged, nor are units that run no replica by design: a
    `replicas: 0` placeholder nothing scales, and deliberate scale-to-zero
    — an autoscaling minimum of 0 (KEDA `minReplicaCount`, KServe
    `minReplicas: 0`, Knative `min-scale: "0"`), whose requests wait for a
    replica as an asynchronous endpoint's do (HA001 treats those alike). SageMaker endpoints are HA001's business. The finding points
    at the written count (`replicas`, KServe `minReplicas`), else at the
    autoscaler's minimum when it is in the same file, else at the
    workload; an autoscaler's minimum it does not point at is a related
    location.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    A single replica is down whenever its node is drained for an upgrade,
    scaled in by the cluster autoscaler, reclaimed or lost, and whenever
    its zone fails: until a replacement pod is scheduled, pulls its image
    and loads the model — minutes for large models — every request fails.
    Two replicas on different nodes (and zones, see HA004) ride through
    all of these.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: fraud-scorer
      namespace: payments
      labels:
        environment: production
    spec:
      replicas: 1
      selector:
        matchLabels:
          app: fraud-scorer
      template:
        metadata:
          labels:
            app: fraud-scorer
        spec:
          containers:
            - name: server
              image: seldonio/mlserver:1.6.1
    ```

    ## Fix
    Run at least two replicas (and keep any autoscaling minimum at 2 or
    more):
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: fraud-scorer
      namespace: payments
      labels:
        environment: production
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: fraud-scorer
      template:
        metadata:
          labels:
            app: fraud-scorer
        spec:
          containers:
            - name: server
              image: seldonio/mlserver:1.6.1
    ```

    ## Sources
    - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ (dealing with disruptions: replicate your application, spread it across zones)
    - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ (`minReplicas`, default 1)
    - kserve/kserve `pkg/apis/serving/v1beta1/component.go` (`minReplicas`, default 1; 0 scales to zero)
    - https://keda.sh/docs/latest/reference/scaledobject-spec/ (`minReplicaCount`, default 0)
    """
    needed = min_serving_replicas()
    for unit in instance_units(deployment):
        if count_is_structural(unit):
            continue
        counts = possible_values(unit.count)
        if not counts or any(count >= needed for count in counts):
            continue
        minimum = autoscaling_minimum(unit)
        if minimum is None and all(count == 0 for count in counts):
            continue  # a `replicas: 0` placeholder: nothing runs, so nothing is down
        if minimum is not None and _scales_to_zero(minimum):
            continue  # deliberate scale-to-zero: requests wait for a replica by design (as HA001 treats async)
        count_text = replicas_text(counts[0]) if len(counts) == 1 else f"{_alternatives(counts)} replicas"
        if minimum is None:
            hidden = out_of_sight(deployment, run)
            if hidden is not None:
                yield hidden  # its minimum is not known
                continue
            runs = f"runs {count_text} and nothing scales it"
            fix = f"run at least {needed} replicas"
        else:
            minimums = possible_values(minimum)
            if not minimums or any(value >= needed for value in minimums):
                continue
            if minimum.span is not None and minimum.span == unit.count.span:  # the count is the minimum (KServe)
                runs = f"may scale down to {count_text}"
                if minimum.provenance is Provenance.DEFAULT and minimum.note:  # the platform's floor: say whose
                    runs += f" ({minimum.note})"
                fix = f"raise its minimum replicas to at least {needed}"
            else:
                runs = f"runs {count_text} and its autoscaling minimum is {_alternatives(minimums)}"
                fix = f"raise the replicas and the autoscaling minimum to at least {needed}"
        outage = "a lost or drained node, an eviction or a zone outage takes it down until a replacement has started and loaded the model"
        located, related = _where_the_count_is_decided(deployment, unit, minimum)
        yield violation(
            f"production service {unit_subject(deployment, unit)} {runs}: {outage} — {fix}",
            *located, default=deployment.span, related=related,
        )


def _scales_to_zero(minimum: Sourced) -> bool:
    """True when every value the autoscaling minimum may take is 0 (KEDA, Knative, KServe `minReplicas: 0`)."""
    minimums = possible_values(minimum)
    return bool(minimums) and all(value == 0 for value in minimums)


def _where_the_count_is_decided(deployment: Deployment, unit: Unit, minimum: Sourced | None) -> tuple[tuple, tuple]:
    """(candidates for the finding's location, related locations) of a low replica count.

    The written count (`replicas:`); when none is written, the autoscaler's
    minimum in the workload's own file (an autoscaler elsewhere would take
    the finding out of the files being linted), else the workload. An
    autoscaler's minimum the finding does not point at is a related location.
    """
    if minimum is None or minimum.span is None or minimum.span == unit.count.span:
        return (unit.count, unit.span), ()
    if not unit.count.is_written() and minimum.span.path == deployment.path:
        return (minimum, unit.count, unit.span), ()
    scaler = next((scaling.linked_by for scaling in unit.scaling if scaling.min_capacity is minimum), "")
    shown = f"autoscaling minimum {minimum.value}" if minimum.known else "autoscaling minimum"
    return (unit.count, unit.span), ((minimum.span, f"{shown} ({scaler})" if scaler else shown),)

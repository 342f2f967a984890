"""HA007 disruption-budget-allows-full-outage."""

from __future__ import annotations

import math
import re
from typing import Iterator

from linter import Deployment, RunContext, Severity, Sourced, Span, Violation, rule

from plugins.data import limit
from plugins.rules.availability.replicas import REPLICATED_KINDS, guarded_unit, lowest_replicas, min_serving_replicas, replicas_text
from plugins.rules.common import unit_subject, where

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _percent(value: object) -> float | None:
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return float(match.group(1)) if match else None


def _pods(value: object, total: int) -> int | None:
    """An int-or-percent budget field as pods of `total`, rounded the way the disruption controller rounds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    percent = _percent(value)
    if percent is None:
        return None
    exact = percent * total / 100
    return math.ceil(exact) if limit("kubernetes", "pdb_percentage_rounding").value == "up" else math.floor(exact)


def _written(field: str, fact: Sourced) -> str:
    return f"{field} {fact.value}"


def _reported_span(fact: Sourced, fallback: Span, run: RunContext | None) -> tuple[Span, str]:
    """Where to report a budget field: at the field when its file is being linted, else at the workload.

    A budget in a context file (beside a named file) links to the workload
    but is not reported on; the finding then names the file it is in.
    """
    span = fact.span
    if span is None:
        return fallback, ""
    if run is None or not run.reported_paths or span.path in run.reported_paths:
        return span, ""
    return fallback, f" (in {span.path})"


@rule(
    "HA007",
    "disruption-budget-allows-full-outage",
    Severity.WARNING,
    "A disruption budget lets every replica of a workload be evicted at once.",
    tags=("kubernetes", "availability"),
    kinds=REPLICATED_KINDS, ml_only=True,
)
def disruption_budget_allows_full_outage(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags the PodDisruptionBudget (or Seldon `pdbSpec`) that selects a
    serving workload's pods when it protects nothing: `minAvailable` is 0
    (or `0%`), `maxUnavailable` is `100%`, or `maxUnavailable` is at least
    the number of replicas the workload runs — its `replicas`, or the
    minimum its autoscaler may scale it down to (HPA `minReplicas`, KEDA
    `minReplicaCount`, KServe `minReplicas`), since at that size the budget
    still has to hold. Percentages are turned into pods the way the
    disruption controller does it, rounding up. The budget is looked up
    across every file of the run. A workload with fewer than two replicas
    is not judged on `maxUnavailable` (no budget can keep a single replica
    up through a drain without blocking the drain: HA003 reports those),
    nor one that scales to zero; the rule is silent when the replica count
    or the minimum is unknown. The finding points at the budget's field
    when the budget's file is being linted, else at the workload's replica
    count.

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    A budget that allows every pod to go lets a node drain, a cluster
    upgrade or node consolidation evict all replicas at once, exactly as if
    there were no budget — but it looks like protection in review, and it
    silences checks that look for a missing budget (HA005). The usual cause
    is a budget written for a larger replica count, or for the autoscaling
    maximum rather than the minimum.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ranker
      namespace: search
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: ranker
      template:
        metadata:
          labels:
            app: ranker
        spec:
          containers:
            - name: server
              image: pytorch/torchserve:0.12.0-cpu
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: ranker
      namespace: search
    spec:
      maxUnavailable: 2
      selector:
        matchLabels:
          app: ranker
    ```

    ## Fix
    Let fewer pods go than the workload runs at its smallest:
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ranker
      namespace: search
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: ranker
      template:
        metadata:
          labels:
            app: ranker
        spec:
          containers:
            - name: server
              image: pytorch/torchserve:0.12.0-cpu
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: ranker
      namespace: search
    spec:
      maxUnavailable: 1
      selector:
        matchLabels:
          app: ranker
    ```

    ## Sources
    - https://kubernetes.io/docs/tasks/run-application/configure-pdb/ (minAvailable / maxUnavailable as numbers or percentages; percentages are rounded up)
    - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ (how budgets limit voluntary disruptions)
    - kubernetes/kubernetes `pkg/controller/disruption/disruption.go` (percentages of the expected pod count, rounded up)
    """
    availability = deployment.availability
    if availability is None:
        return
    budget = availability.disruption_budget
    unit = guarded_unit(deployment)
    if unit is None or not budget.known or not budget.value:
        return
    subject = unit_subject(deployment, unit)
    fallback = where(unit.count, unit.span, default=deployment.span)
    minimum, maximum = availability.min_available, availability.max_unavailable

    if minimum.known and (minimum.value == 0 or _percent(minimum.value) == 0) and not isinstance(minimum.value, bool):
        span, elsewhere = _reported_span(minimum, fallback, run)
        yield Violation(
            f"disruption budget {budget.value}{elsewhere} protects nothing: {_written('minAvailable', minimum)} lets "
            f"every replica of {subject} be evicted at once — set maxUnavailable: 1 (or minAvailable: 1 or more)",
            span,
        )
        return
    if not maximum.known:
        return
    percent = _percent(maximum.value)
    if percent is not None and percent >= 100:
        span, elsewhere = _reported_span(maximum, fallback, run)
        yield Violation(
            f"disruption budget {budget.value}{elsewhere} protects nothing: {_written('maxUnavailable', maximum)} lets "
            f"every replica of {subject} be evicted at once — set maxUnavailable: 1",
            span,
        )
        return
    counts, scaled = lowest_replicas(unit)
    needed = min_serving_replicas()
    if not counts or any(count < needed for count in counts):
        return  # one replica (HA003's business), scale to zero, or unknown
    allowed = [_pods(maximum.value, count) for count in counts]
    if any(pods is None or pods < count for pods, count in zip(allowed, counts)):
        return
    count = min(counts)
    pods = allowed[counts.index(count)]
    size = f"the {replicas_text(count)} it may scale down to" if scaled else f"its {replicas_text(count)}"
    rounded = f" ({pods} of {count} pods)" if percent is not None else ""
    span, elsewhere = _reported_span(maximum, fallback, run)
    yield Violation(
        f"disruption budget {budget.value}{elsewhere} lets every replica of {subject} be evicted at once: "
        f"{_written('maxUnavailable', maximum)}{rounded} is not less than {size} — set maxUnavailable to "
        + ("1" if count - 1 == 1 else f"at most {count - 1} (1 is usual)"),
        span,
    )

"""SP004 consolidation-evicts-batch-work."""

from __future__ import annotations

from typing import Iterator

from linter import Deployment, DeploymentKind, NotJudged, RunContext, Severity, Violation, rule

from plugins.data import karpenter_do_not_disrupt_annotation
from plugins.rules.common import unit_subject, violation


@rule(
    "SP004",
    "consolidation-evicts-batch-work",
    Severity.WARNING,
    "A batch or training pod runs on a Karpenter NodePool that consolidates nodes under running pods.",
    tags=("spot", "cost", "batch", "kubernetes", "karpenter"),
    kinds=(DeploymentKind.JOB,),
    ml_only=True,
)
def consolidation_evicts_batch_work(deployment: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """
    ## What it does
    Finds run-to-completion work on Kubernetes — a Job, CronJob, KEDA
    ScaledJob, RayJob, Kubeflow training job (PyTorchJob, TFJob, MPIJob
    ...) or a bare Pod that does not restart — whose pods run on a
    Karpenter NodePool that consolidates underutilized nodes, while the pod
    template does not carry the annotation
    `karpenter.sh/do-not-disrupt: "true"`. The pods run on a pool they
    name (`karpenter.sh/nodepool` in the nodeSelector or in every required
    node-affinity term), or, when they name none, on the one NodePool near
    them (same file, else the nearest directory) that admits them while
    every other pool near them does not: the pool's requirements and
    labels satisfy the pods' nodeSelector and required node affinity, it
    can launch the GPUs they request, and they tolerate its taints.

    A NodePool consolidates underutilized nodes when its
    `spec.disruption.consolidationPolicy` is `WhenEmptyOrUnderutilized`
    (`WhenUnderutilized` in `karpenter.sh/v1beta1`), or when it writes none
    (that is the default of both API versions), or, for a v1alpha5
    Provisioner, with `consolidation.enabled: true`. `consolidateAfter`
    only delays consolidation: the message shows it.

    It stays silent:
    - for pools whose policy is `WhenEmpty` (only empty nodes go), whose
      `consolidateAfter` is `Never`, or whose disruption budget allows
      `nodes: "0"` at all times for every reason (or for `Underutilized`);
    - for a policy the tables do not know (such as a newer scoring policy);
    - when the annotation is written with another value (a duration ends
      the protection after that long: the file has decided);
    - when the pods name no pool and no single pool near them admits them
      (several do, one may — a label or operator not read —, none is near,
      or the pools are in an unrelated directory of the run), or the named
      pool is not in the run: which of the cluster's pools takes them is
      not decided by the files (`explain --deployments` shows each unit's
      consolidation and how its pool was found); a pool's `weight` does
      not decide between pools that both admit the pods;
    - when several pools of the pinned name are equally near the workload
      (examples of other projects), or the pools cannot be told apart:
      `explain --deployments` names them under "not judged";
    - for serving workloads, which Kubernetes restarts elsewhere by design,
      and for work that shows nothing of ML.

    ## Why it matters
    Consolidation removes or replaces a node whose pods fit elsewhere, and
    evicts those pods to do it. A Deployment's pod comes back on another
    node; a Job's pod starts over, and a RayJob or a distributed training
    job usually loses the whole run: hours of GPU time spent, and the run
    may be evicted again. Karpenter keeps a node out of consolidation while
    a pod on it carries `karpenter.sh/do-not-disrupt: "true"`.

    ## Example
    ```yaml
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: gpu
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: gpu}
          requirements:
            - {key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e]}
      disruption:
        consolidationPolicy: WhenEmptyOrUnderutilized
        consolidateAfter: 15m
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: fine-tune
    spec:
      template:
        spec:
          restartPolicy: Never
          nodeSelector:
            karpenter.sh/nodepool: gpu
          containers:
            - name: train
              image: pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime
              command: [torchrun, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Fix
    Annotate the pod template so Karpenter leaves its node alone until the
    pod finishes (or give the work a pool whose policy is `WhenEmpty`).
    ```yaml
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata:
      name: gpu
    spec:
      template:
        spec:
          nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: gpu}
          requirements:
            - {key: karpenter.k8s.aws/instance-family, operator: In, values: [g6e]}
      disruption:
        consolidationPolicy: WhenEmptyOrUnderutilized
        consolidateAfter: 15m
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: fine-tune
    spec:
      template:
        metadata:
          annotations:
            karpenter.sh/do-not-disrupt: "true"
        spec:
          restartPolicy: Never
          nodeSelector:
            karpenter.sh/nodepool: gpu
          containers:
            - name: train
              image: pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime
              command: [torchrun, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Sources
    - https://karpenter.sh/docs/concepts/disruption/ (consolidation; pod-level controls: `karpenter.sh/do-not-disrupt` for long-running batch or ML training jobs)
    - https://karpenter.sh/docs/reference/annotations/ (`karpenter.sh/do-not-disrupt` on a Pod blocks consolidation of its node; a duration value ends the protection)
    - https://aws-samples.github.io/karpenter-blueprints/blueprints/batch-jobs/ (protecting batch jobs during consolidation)
    - kubernetes-sigs/karpenter `pkg/apis/v1/nodepool.go`, `pkg/apis/v1beta1/nodepool.go` (`consolidationPolicy` values and defaults)
    """
    annotation = karpenter_do_not_disrupt_annotation()
    for unit in deployment.units:
        consolidation = unit.consolidation
        if consolidation is None:
            continue
        evicts, opted_out = consolidation.evicts_running_pods, consolidation.pods_opt_out
        if not evicts.known and evicts.note and opted_out.value is not True:
            yield NotJudged(
                f"whether the node pool of {unit_subject(deployment, unit)} consolidates under running pods is not known "
                f"({evicts.note})",
                evicts.span,
            )
            continue
        if evicts.value is True and not opted_out.known and opted_out.span is not None:
            yield NotJudged(
                f"whether the pods of {unit_subject(deployment, unit)} opt out of consolidation is not known"
                f"{f' ({opted_out.note})' if opted_out.note else ''}",
                opted_out.span,
            )
            continue
        if evicts.value is not True or opted_out.value is not False:
            continue
        yield violation(
            f"{unit_subject(deployment, unit)} runs to completion on a node pool that consolidates nodes under running pods "
            f"({evicts.note}), and its pods do not carry {annotation}: \"true\" — consolidation may evict the run mid-way; "
            f"annotate the pod template, or use a pool whose consolidationPolicy is WhenEmpty",
            evicts, consolidation.span, unit.span, default=deployment.span,
        )

"""AS001 missing-autoscaling."""

from __future__ import annotations

import functools
from typing import Iterator

from linter import Deployment, DeploymentKind, Environment, RunContext, Severity, UNKNOWN_ENVIRONMENT, Violation, rule

from plugins.rules.common import count_is_structural, instance_units, is_inference_component, is_kind, possible_values, unit_subject, violation
from plugins.rules.autoscaling.scaling import SCALED_KINDS, hosts_inference_components
from plugins.rules.scaled_elsewhere import out_of_sight

_KIND_LABELS = {
    DeploymentKind.REALTIME: "real-time endpoint",
    DeploymentKind.ASYNC: "asynchronous endpoint",
    DeploymentKind.SERVICE: "service",
}


def _copies(service: bool, count: object, component: bool = False) -> str:
    noun = "copy" if component else "replica" if service else "instance"
    return f"{count} {noun}" if count == 1 else f"{count} {'copies' if component else noun + 's'}"


@rule(
    "AS001",
    "missing-autoscaling",
    Severity.WARNING,
    "An instance-backed endpoint or service has no autoscaling: an error in production, a warning when the environment is unknown.",
    tags=("sagemaker", "ecs", "kubernetes", "autoscaling"),
    kinds=SCALED_KINDS,
    # Silent where the environment is known not to be production (a fixed-size endpoint there
    # is a cost choice); the severity tells production from unknown.
    environments=(Environment.PROD, UNKNOWN_ENVIRONMENT),
    ml_only=True,
)
def missing_autoscaling(deployment: Deployment, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    Flags every instance-backed variant of a real-time or asynchronous
    endpoint, and every long-running service (ECS, Kubernetes), that no
    autoscaling target in the run scales: for SageMaker an Application Auto
    Scaling `ScalableTarget` whose `ResourceId` names the variant (or the
    variant's `ManagedInstanceScaling`), for ECS a target naming the
    service, for Kubernetes an HPA, a KEDA `ScaledObject` or the serving
    platform's own autoscaler (KServe `minReplicas`/`maxReplicas`, Seldon
    `hpaSpec`, Ray `enableInTreeAutoscaling`). Serverless endpoints are
    exempt: they scale themselves. A service's finding points at its
    replica count (`replicas`, `DesiredCount`; the object when none is
    written), an endpoint's at the variant.

    The severity follows the environment, and the message says which
    applies: an error when the deployment is known to be production (and
    from what: a tag, a label, a namespace, a path, the configuration), a
    warning while the environment is unknown, and nothing when it is known
    to be dev or staging — a fixed-size endpoint there is a cost choice, and
    repositories commonly pair a dev template with a production one.

    Units not meant to scale are left alone: a Ray head (one pod by design;
    the worker groups are the scaling unit), the workers of a
    LeaderWorkerSet group, a `replicas: 0` placeholder, and a variant that
    hosts inference components (its capacity follows the components, whose
    copies `DesiredCopyCount` targets scale, and its
    `ManagedInstanceScaling`; each component is judged on its own: by its
    copy count, which a `DesiredCopyCount` target scales).
    Scaling done elsewhere counts too. A target that exists but has no
    scaling policy is reported by AS007 instead. The rule is silent when a
    scaling target could not be resolved and may be the one that scales
    this endpoint: one in the same file, one that names it by a name that
    cannot be read, or a `Custom::` resource (or
    `AWS::CloudFormation::CustomResource`) whose properties name the
    endpoint and one of its variants — the Lambda behind it may register
    the variant for autoscaling, and `explain --deployments` lists it as an
    unresolved target. For everything else scaled from outside the linted
    files, list it in the configuration's `scaled-elsewhere` (globs over
    endpoint and object names, CloudFormation logical IDs and Kubernetes
    `namespace/name`).

    A general-purpose Kubernetes workload or ECS service is judged only
    when it shows ML — an image known as a model server or ML framework, an
    accelerator, or a workload profile — so databases and web front ends
    beside the models stay out of the report.

    ## Why it matters
    Without autoscaling the endpoint keeps its initial instance count
    forever: a traffic peak queues and times out (HTTP 5xx, growing async
    backlog), and quiet hours pay for idle instances. Autoscaling also
    replaces the capacity plan nobody revisits. The SageMaker variant has
    to be registered as a scalable target and driven by a policy; nothing
    scales it by default.

    ## Example
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ```

    ## Fix
    Register the variant as a scalable target and drive it with a
    target-tracking policy (on Kubernetes: a HorizontalPodAutoscaler or KEDA
    `ScaledObject` naming the workload, or KServe's own autoscaling; if
    something outside these files scales it, add it to `scaled-elsewhere`):
    ```yaml
    ChurnConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: churn-xgboost
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ChurnEndpoint:
      Type: AWS::SageMaker::Endpoint
      Properties:
        EndpointName: churn
        EndpointConfigName: !GetAtt ChurnConfig.EndpointConfigName
    ChurnScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      DependsOn: ChurnEndpoint
      Properties:
        ServiceNamespace: sagemaker
        ResourceId: endpoint/churn/variant/AllTraffic
        ScalableDimension: sagemaker:variant:DesiredInstanceCount
        MinCapacity: 2
        MaxCapacity: 6
    ChurnScalingPolicy:
      Type: AWS::ApplicationAutoScaling::ScalingPolicy
      Properties:
        PolicyName: churn-invocations
        PolicyType: TargetTrackingScaling
        ScalingTargetId: !Ref ChurnScalableTarget
        TargetTrackingScalingPolicyConfiguration:
          TargetValue: 700
          PredefinedMetricSpecification:
            PredefinedMetricType: SageMakerVariantInvocationsPerInstance
    ```

    ## Sources
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html (register the variant, then add a scaling policy)
    - botocore `application-autoscaling` service model: `RegisterScalableTarget` (`ResourceId` `endpoint/<endpoint>/variant/<variant>`, `sagemaker:variant:DesiredInstanceCount`)
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-autoscale.html (inference components: `inference-component/<name>`, `sagemaker:inference-component:DesiredCopyCount`; managed instance scaling)
    - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ ; https://keda.sh/docs/latest/reference/scaledobject-spec/
    - https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/configuring-autoscaling.html (the head is not scaled; worker groups are)
    """
    hidden = out_of_sight(deployment, run)
    if hidden is not None:
        yield hidden
        return
    label = _KIND_LABELS[deployment.kind.value]  # type: ignore[index]
    service = is_kind(deployment, DeploymentKind.SERVICE)
    production = deployment.is_production
    for unit in instance_units(deployment):
        if unit.scaling or count_is_structural(unit) or hosts_inference_components(deployment, unit):
            continue
        counts = possible_values(unit.count)
        if counts and all(count == 0 for count in counts):
            continue  # a placeholder: nothing runs until someone sets a count
        component = is_inference_component(unit)
        fixed = f"stays at {_copies(service, counts[0], component)}" if len(counts) == 1 else "never changes"
        stage = "production " if production else ""
        # A service's replica count is the capacity an autoscaler would take over (`replicas:`,
        # `DesiredCount:`); an endpoint's is one setting of the variant, which the target names.
        located = (unit.count, unit.span, unit.name) if service else (unit.span, unit.name)
        note = deployment.environment.note if production else None
        yield violation(
            f"{stage}{label} {unit_subject(deployment, unit)} has no autoscaling: its capacity {fixed} "
            f"whatever the traffic — {_advice(deployment.platform == 'kubernetes', service, production, note, component)}",
            *located, default=deployment.span,
            severity=Severity.ERROR if production else Severity.WARNING,
        )


# The end of every message: what scales the deployment and why the severity. A run's findings repeat a
# few of them, each worded once.
@functools.lru_cache(maxsize=256)
def _advice(kubernetes: bool, service: bool, production: bool, note: str | None, component: bool = False) -> str:
    return f"{_fix(kubernetes, service, component)} {_why_severity(production, note)}"


def _fix(kubernetes: bool, service: bool, component: bool = False) -> str:
    """What scales this kind of deployment (or an endpoint's inference component), in its platform's words."""
    if component:
        return (
            "register the inference component as an Application Auto Scaling target (inference-component/<name>, "
            "sagemaker:inference-component:DesiredCopyCount) and drive it with a scaling policy"
        )
    if kubernetes:
        return (
            "add a HorizontalPodAutoscaler or KEDA ScaledObject for it, or turn on its serving platform's "
            "autoscaling (KServe minReplicas/maxReplicas, Seldon hpaSpec or Core 2 minReplicas/maxReplicas, "
            "Ray enableInTreeAutoscaling)"
        )
    if service:
        return "register the service as an Application Auto Scaling target and drive it with a scaling policy"
    return "register the variant as an Application Auto Scaling target and drive it with a scaling policy"


def _why_severity(production: bool, note: str | None) -> str:
    """Why the finding is an error or a warning: the environment, and where it was learnt."""
    if production:
        return f"(an error in production: {note})" if note else "(an error in production)"
    return "(a warning while the environment is unknown: an error in production, not reported in dev or staging)"

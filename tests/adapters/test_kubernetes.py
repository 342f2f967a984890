"""The Kubernetes adapter: workloads, links across files, serving CRDs, node pools, bad shapes.

The goldens (test_goldens.py) pin what each real file reads as; these tests
pin the behaviour that needs several files in one run, the defaults, and the
shapes no real file shows.
"""

from __future__ import annotations

import textwrap
import time
from dataclasses import replace

import pytest

from linter import UNKNOWN, Capacity, DeploymentKind, Environment, Provenance
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))


@pytest.fixture(scope="module")
def host():
    return build_plugin_host()


def _run(host, *files: tuple[str, str], context: tuple[tuple[str, str], ...] = (), clean: bool = True):
    inputs = [InputFile(path, textwrap.dedent(text).encode()) for path, text in files]
    inputs += [InputFile(path, textwrap.dedent(text).encode(), context_only=True) for path, text in context]
    result = run_lint(inputs, host, ONLY_CORE)
    if clean:
        assert [f"{finding.rule_id} {finding.message}" for finding in result.findings] == []
    return result


def _only(result, kind: str | None = None):
    deployments = [item for item in result.deployments if kind is None or item.links[0].kind == kind]
    assert len(deployments) == 1, [item.id for item in result.deployments]
    return deployments[0]


DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  namespace: ml
spec:
  replicas: 2
  selector:
    matchLabels: {app: scorer}
  template:
    metadata:
      labels: {app: scorer, tier: serving}
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.8.5
          resources:
            limits:
              nvidia.com/gpu: "2"
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: scorer-hpa
  namespace: ml
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  minReplicas: 2
  maxReplicas: 8
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 60}
    - type: Pods
      pods:
        metric: {name: vllm_queue}
        target: {type: AverageValue, averageValue: 500m}
"""


# --- (a)/(b) HPA and Deployment in different files --------------------------------------


@pytest.mark.parametrize("order", ["hpa-first", "deployment-first"])
def test_hpa_in_another_file_links_to_the_deployment(host, order):
    files = [("hpa.yaml", HPA), ("deploy.yaml", DEPLOY)]
    if order == "deployment-first":
        files.reverse()
    result = _run(host, *files)
    deployment = _only(result)
    assert deployment.id == "deploy.yaml#Deployment/ml/scorer"
    (scaling,) = deployment.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 8)
    assert scaling.min_capacity.span.path == "hpa.yaml"
    assert scaling.linked_by == "HorizontalPodAutoscaler scorer-hpa"
    cpu, queue = scaling.policies
    assert (cpu.policy_type.value, cpu.metric.value, cpu.target_value.value) == ("Resource", "cpu", 60.0)
    assert (queue.policy_type.value, queue.metric.value, queue.target_value.value) == ("Pods", "vllm_queue", 0.5)
    (target,) = result.scaling_targets
    assert target.status == "linked"
    assert target.deployment_id == deployment.id
    assert target.resource_id.value == "Deployment/scorer"
    assert (target.span.path, target.span.line) == ("hpa.yaml", 4)


def test_hpa_in_a_context_file_still_scales_the_deployment(host):
    result = _run(host, ("deploy.yaml", DEPLOY), context=(("hpa.yaml", HPA),))
    assert len(_only(result).units[0].scaling) == 1
    assert result.scaling_targets == ()  # context files are not reported on


def test_deployment_alone_has_no_scaling(host):
    deployment = _only(_run(host, ("deploy.yaml", DEPLOY)))
    unit = deployment.units[0]
    assert unit.scaling == ()
    assert unit.count.value == 2
    assert (unit.count.span.line, unit.count.span.column) == (7, 13)
    assert unit.compute.accelerator.value == "gpu"
    assert unit.compute.accelerator_count.value == 2
    assert (unit.compute.accelerator_count.span.line, unit.compute.accelerator_count.span.column) == (19, 31)
    assert deployment.kind.value is DeploymentKind.SERVICE
    assert deployment.models[0].framework.value == "vllm"


def test_hpa_alone_is_reported_as_naming_no_deployment(host):
    result = _run(host, ("hpa.yaml", HPA))
    (target,) = result.scaling_targets
    assert target.status == "not-in-run"  # nothing near its name in the run: rendered elsewhere
    assert "Deployment scorer" in target.reason


def test_hpa_naming_a_near_miss_of_a_workload_in_its_namespace_names_no_deployment(host):
    result = _run(host, ("hpa.yaml", HPA.replace("name: scorer}", "name: scroer}")), ("deploy.yaml", DEPLOY))
    (target,) = result.scaling_targets
    assert target.status == "no-such-deployment"
    assert target.reason.endswith("(did you mean 'scorer'?)")
    # Farther names are other workloads: the target is rendered elsewhere.
    result = _run(host, ("hpa.yaml", HPA.replace("name: scorer}", "name: scorer-canary}")), ("deploy.yaml", DEPLOY))
    assert result.scaling_targets[0].status == "not-in-run"


def test_hpa_in_another_namespace_does_not_link(host):
    result = _run(host, ("hpa.yaml", HPA.replace("namespace: ml", "namespace: other")), ("deploy.yaml", DEPLOY))
    assert _only(result).units[0].scaling == ()
    assert result.scaling_targets[0].status == "not-in-run"


def test_hpa_target_of_a_kind_the_model_does_not_describe(host):
    rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: scorer, namespace: ml}\n"
    hpa = HPA.replace("kind: Deployment", "kind: Rollout")
    result = _run(host, ("hpa.yaml", hpa), ("rollout.yaml", rollout))
    assert result.scaling_targets[0].status == "other-service"


def test_hpa_without_a_literal_target_is_unresolved(host):
    hpa = HPA.replace("name: scorer}", "name: '{{RELEASE_NAME}}'}")
    (target,) = _run(host, ("hpa.yaml", hpa)).scaling_targets
    assert target.status == "unresolved"
    assert target.resource_id.value is UNKNOWN


def test_hpa_v1_and_defaults(host):
    hpa = """\
    apiVersion: autoscaling/v1
    kind: HorizontalPodAutoscaler
    metadata: {name: scorer, namespace: ml}
    spec:
      scaleTargetRef: {kind: Deployment, name: scorer}
      maxReplicas: 3
      targetCPUUtilizationPercentage: 75
    """
    deployment = _only(_run(host, ("all.yaml", DEPLOY + "---\n" + textwrap.dedent(hpa)))).units[0]
    (scaling,) = deployment.scaling
    assert scaling.min_capacity.value == 1
    assert scaling.min_capacity.provenance is Provenance.DEFAULT
    (policy,) = scaling.policies
    assert (policy.metric.value, policy.target_value.value) == ("cpu", 75.0)


# --- (c) PodDisruptionBudgets ----------------------------------------------------------------


def _pdb(selector: str, namespace: str = "ml", version: str = "v1", limits: str = "minAvailable: 1") -> str:
    return (
        f"apiVersion: policy/{version}\nkind: PodDisruptionBudget\nmetadata: {{name: guard, namespace: {namespace}}}\n"
        f"spec:\n  {limits}\n  selector: {selector}\n"
    )


@pytest.mark.parametrize(
    "selector, selects",
    [
        ("{matchLabels: {app: scorer}}", True),
        ("{matchLabels: {app: scorer, tier: serving}}", True),
        ("{matchLabels: {app: other}}", False),
        ("{matchExpressions: [{key: app, operator: In, values: [scorer, other]}]}", True),
        ("{matchExpressions: [{key: app, operator: NotIn, values: [scorer]}]}", False),
        ("{matchExpressions: [{key: tier, operator: Exists}]}", True),
        ("{matchExpressions: [{key: canary, operator: DoesNotExist}]}", True),
        ("{matchExpressions: [{key: canary, operator: Exists}]}", False),
        ("{matchLabels: {app: scorer}, matchExpressions: [{key: tier, operator: NotIn, values: [batch]}]}", True),
        ("{matchExpressions: [{key: app, operator: Near, values: [scorer]}]}", False),  # invalid: selects nothing
        ("{}", True),  # policy/v1: an empty selector selects every pod of the namespace
    ],
)
def test_pdb_selector_matching(host, selector, selects):
    result = _run(host, ("deploy.yaml", DEPLOY), ("pdb.yaml", _pdb(selector)))
    availability = _only(result).availability
    if selects:
        assert availability.disruption_budget.value == "guard"
        assert availability.min_available.value == 1
        assert availability.disruption_budget.span.path == "pdb.yaml"
    else:
        assert availability.disruption_budget.value == ""
        assert availability.disruption_budget.known


def test_pdb_in_another_namespace_does_not_protect(host):
    result = _run(host, ("deploy.yaml", DEPLOY), ("pdb.yaml", _pdb("{matchLabels: {app: scorer}}", namespace="default")))
    budget = _only(result).availability.disruption_budget
    assert budget.value == ""
    assert "no PodDisruptionBudget in namespace ml" in budget.note


def test_pdb_v1beta1_empty_selector_selects_nothing(host):
    result = _run(host, ("deploy.yaml", DEPLOY), ("pdb.yaml", _pdb("{}", version="v1beta1")))
    assert _only(result).availability.disruption_budget.value == ""


def test_pdb_percentages_and_max_unavailable(host):
    result = _run(host, ("deploy.yaml", DEPLOY), ("pdb.yaml", _pdb("{matchLabels: {app: scorer}}", limits='maxUnavailable: "50%"')))
    availability = _only(result).availability
    assert availability.max_unavailable.value == "50%"
    assert not availability.min_available.known


# --- (d) KEDA ---------------------------------------------------------------------------------


def test_keda_scaled_object_defaults(host):
    scaled_object = """\
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: scorer-keda, namespace: ml}
    spec:
      scaleTargetRef: {name: scorer}
      triggers:
        - type: prometheus
          metadata: {metricName: queue_depth, threshold: "25", query: sum(queue)}
        - type: cpu
          metricType: Utilization
          metadata: {value: "70"}
    """
    result = _run(host, ("deploy.yaml", DEPLOY), ("keda.yaml", scaled_object))
    (scaling,) = _only(result).units[0].scaling
    assert (scaling.min_capacity.value, scaling.min_capacity.provenance) == (0, Provenance.DEFAULT)
    assert (scaling.max_capacity.value, scaling.max_capacity.provenance) == (100, Provenance.DEFAULT)
    prometheus, cpu = scaling.policies
    assert (prometheus.policy_type.value, prometheus.metric.value, prometheus.target_value.value) == ("prometheus", "queue_depth", 25.0)
    assert (cpu.metric.value, cpu.target_value.value) == ("cpu", 70.0)
    (target,) = result.scaling_targets
    assert (target.status, target.resource_id.value) == ("linked", "Deployment/scorer")


def test_keda_v1_deployment_name(host):
    scaled_object = """\
    apiVersion: keda.k8s.io/v1alpha1
    kind: ScaledObject
    metadata: {name: old, namespace: ml}
    spec:
      scaleTargetRef: {deploymentName: scorer}
      minReplicaCount: 1
      triggers: [{type: kafka, metadata: {lagThreshold: "10"}}]
    """
    result = _run(host, ("deploy.yaml", DEPLOY), ("keda.yaml", scaled_object))
    (scaling,) = _only(result).units[0].scaling
    assert scaling.min_capacity.value == 1
    assert scaling.policies[0].target_value.value == 10.0


def test_keda_scaled_job_is_a_job_with_its_own_scaling(host):
    scaled_job = """\
    apiVersion: keda.sh/v1alpha1
    kind: ScaledJob
    metadata: {name: batch-scorer}
    spec:
      maxReplicaCount: 20
      jobTargetRef:
        template:
          spec:
            nodeSelector: {karpenter.sh/capacity-type: spot}
            containers: [{name: work, image: python:3.11}]
            restartPolicy: Never
      triggers: [{type: aws-sqs-queue, metadata: {queueLength: "5"}}]
    """
    deployment = _only(_run(host, ("job.yaml", scaled_job)))
    assert deployment.kind.value is DeploymentKind.JOB
    unit = deployment.units[0]
    assert unit.capacity.value is Capacity.SPOT
    (scaling,) = unit.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (0, 20)
    assert scaling.linked_by == "KEDA ScaledJob batch-scorer"


# --- (e) KServe -------------------------------------------------------------------------------


KSERVE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud
  namespace: production
  annotations:
    serving.kserve.io/deploymentMode: RawDeployment
spec:
  predictor:
    minReplicas: 0
    maxReplicas: 5
    scaleMetric: concurrency
    scaleTarget: 10
    model:
      modelFormat: {name: XGBoost}
      storageUri: s3://models/fraud
      resources:
        limits: {nvidia.com/gpu: 1}
  transformer:
    containers:
      - name: kserve-container
        image: registry.example/feature-transformer:1.0
"""


def test_kserve_min_max_and_model_format(host):
    deployment = _only(_run(host, ("isvc.yaml", KSERVE)))
    assert deployment.kind.value is DeploymentKind.SERVICE
    assert deployment.environment.value is Environment.PROD
    assert "namespace" in deployment.environment.note
    predictor, transformer = deployment.units
    assert predictor.name.value == "predictor"
    # minReplicas 0 under the HPA KServe makes for a RawDeployment (Standard): the HPA keeps at least 1.
    assert (predictor.count.value, predictor.count.provenance) == (1, Provenance.DEFAULT)
    assert predictor.count.note == "minReplicas 0: the HPA of a Standard deployment keeps at least 1"
    (scaling,) = predictor.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (1, 5)
    assert scaling.linked_by == "KServe minReplicas/maxReplicas"
    (policy,) = scaling.policies
    assert (policy.metric.value, policy.target_value.value) == ("concurrency", 10.0)
    assert predictor.compute.accelerator.value == "gpu"
    model = deployment.models[0]
    assert model.framework.value == "xgboost"
    assert model.framework.provenance is Provenance.DECLARED
    assert model.image.value is UNKNOWN
    assert transformer.count.value == 1 and transformer.count.provenance is Provenance.DEFAULT
    assert deployment.attribute("deployment_mode").value == "Standard"
    assert deployment.attribute("predictor.storage_uri").value == "s3://models/fraud"


def test_kserve_legacy_predictor_and_defaults(host):
    isvc = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: iris}\nspec:\n  predictor:\n    sklearn: {storageUri: gs://x}\n"
    (unit,) = _only(_run(host, ("isvc.yaml", isvc))).units
    assert unit.count.value == 1
    (scaling,) = unit.scaling
    assert scaling.max_capacity.value is UNKNOWN
    assert scaling.policies[0].metric.value is UNKNOWN  # the autoscaler's default, not a guess


def test_kserve_autoscaler_class_none_means_no_scaling(host):
    isvc = KSERVE.replace("serving.kserve.io/deploymentMode: RawDeployment", "serving.kserve.io/autoscalerClass: none")
    deployment = _only(_run(host, ("isvc.yaml", isvc)))
    assert all(unit.scaling == () for unit in deployment.units)
    assert deployment.attribute("autoscaler_class").value == "none"


def test_kserve_autoscaler_class_external_is_scaling_out_of_sight(host):
    # The user's HPA or KEDA object scales the Deployment KServe makes (`<name>-predictor`), which the run may not
    # hold: the components are scaled, by bounds not known here, so neither AS001 nor HA003 says otherwise.
    isvc = KSERVE.replace("serving.kserve.io/deploymentMode: RawDeployment", "serving.kserve.io/autoscalerClass: external")
    result = _run(host, ("isvc.yaml", isvc))
    deployment = _only(result)
    for unit in deployment.units:
        (scaling,) = unit.scaling
        assert scaling.min_capacity.value is UNKNOWN and scaling.max_capacity.value is UNKNOWN
        assert scaling.linked_by == "serving.kserve.io/autoscalerClass: external"
        assert "an autoscaler KServe does not create" in scaling.min_capacity.note
    from linter import Environment, LintOptions
    from linter.api import lint_text

    def scaling_findings(text: str) -> list[str]:
        found = lint_text(textwrap.dedent(text), "isvc.yaml", LintOptions(environment=Environment.PROD)).findings
        return sorted({finding.rule_id for finding in found if finding.rule_id in ("AS001", "HA003")})

    assert scaling_findings(isvc) == []
    assert scaling_findings(isvc.replace("autoscalerClass: external", "autoscalerClass: none")) == ["AS001", "HA003"]


def test_an_external_autoscaler_of_the_deployment_kserve_makes_scales_the_component(host):
    # `<name>-predictor` (and `-predictor-default` before KServe 0.9) is the Deployment KServe makes in RawDeployment mode.
    isvc = KSERVE.replace("serving.kserve.io/deploymentMode: RawDeployment", "serving.kserve.io/autoscalerClass: external")
    for target in ("fraud-predictor", "fraud-predictor-default"):
        hpa = (
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: fraud, namespace: production}\n"
            f"spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}\n  minReplicas: 3\n  maxReplicas: 7\n"
        )
        result = _run(host, ("isvc.yaml", isvc), ("hpa.yaml", hpa))
        (linked,) = result.scaling_targets
        assert (linked.status.value, linked.unit_name) == ("linked", "predictor"), linked.reason
        predictor, transformer = _only(result).units
        (scaling,) = predictor.scaling
        assert (scaling.min_capacity.value, scaling.max_capacity.value) == (3, 7)
        assert transformer.scaling[0].min_capacity.value is UNKNOWN  # no autoscaler of its own in the run
    # Without the annotation KServe makes (and scales) that Deployment itself: the HPA is not linked to it.
    plain = _run(host, ("isvc.yaml", KSERVE), ("hpa.yaml", hpa))
    assert [target.status.value for target in plain.scaling_targets] == ["not-in-run"]


def test_kserve_unknown_model_format_is_kept_as_written(host):
    framework = _only(_run(host, ("isvc.yaml", KSERVE.replace("XGBoost", "my-format")))).models[0].framework
    assert framework.value is UNKNOWN
    assert framework.raw == "my-format"


def test_kserve_pdb_matches_the_labels_kserve_sets(host):
    pdb = _pdb("{matchLabels: {serving.kserve.io/inferenceservice: fraud, component: predictor}}", namespace="production")
    availability = _only(_run(host, ("isvc.yaml", KSERVE), ("pdb.yaml", pdb))).availability
    assert availability.disruption_budget.value == "guard"


# --- (f) Seldon -------------------------------------------------------------------------------


SELDON = """\
apiVersion: machinelearning.seldon.io/v1
kind: SeldonDeployment
metadata: {name: income}
spec:
  replicas: 3
  predictors:
    - name: main
      traffic: 90
      componentSpecs:
        - metadata: {labels: {team: risk}}
          hpaSpec:
            minReplicas: 2
            maxReplicas: 6
            metrics:
              - type: Resource
                resource: {name: cpu, targetAverageUtilization: 70}
          pdbSpec: {minAvailable: 1}
          spec:
            containers:
              - name: classifier
                image: seldonio/sklearnserver:1.17.1
                resources: {limits: {nvidia.com/gpu: 1}}
      graph: {name: classifier, implementation: SKLEARN_SERVER, modelUri: gs://m}
    - name: canary
      traffic: 10
      replicas: 1
      graph: {name: booster, implementation: XGBOOST_SERVER, modelUri: gs://b}
"""


def test_seldon_hpa_spec_and_pdb_spec(host):
    deployment = _only(_run(host, ("sdep.yaml", SELDON)))
    main, canary = deployment.units
    assert (main.name.value, main.count.value, main.weight.value) == ("main", 3, 90.0)
    (scaling,) = main.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 6)
    assert scaling.linked_by == "Seldon hpaSpec of predictor main"
    assert (scaling.policies[0].metric.value, scaling.policies[0].target_value.value) == ("cpu", 70.0)
    assert main.compute.accelerator.value == "gpu"
    assert deployment.availability.disruption_budget.value == "pdbSpec of predictor main"
    assert deployment.availability.min_available.value == 1
    assert (canary.count.value, canary.scaling) == (1, ())
    frameworks = {model.name.value: model for model in deployment.models}
    assert frameworks["classifier"].framework.value == "sklearn"  # the container's image says so
    booster = frameworks["booster"]
    assert booster.image.value is UNKNOWN
    assert "XGBOOST_SERVER" in booster.framework.note


def test_seldon_kedaspec(host):
    seldon = SELDON.replace("hpaSpec:", "kedaSpec:\n            triggers: [{type: cpu, metadata: {value: '50'}}]\n          oldHpaSpec:")
    main = _only(_run(host, ("sdep.yaml", seldon))).units[0]
    (scaling,) = main.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (0, 100)


# --- (g) capacity ---------------------------------------------------------------------------


NODEPOOL = """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: pool}
spec:
  template:
    metadata:
      labels: {team: ml}
    spec:
      requirements:
{requirements}
      taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
"""


@pytest.mark.parametrize(
    "requirement, capacity, provenance",
    [
        ("- {key: karpenter.sh/capacity-type, operator: In, values: [spot]}", Capacity.SPOT, Provenance.DECLARED),
        ("- {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}", Capacity.ON_DEMAND, Provenance.DECLARED),
        ("- {key: karpenter.sh/capacity-type, operator: In, values: [reserved]}", Capacity.RESERVED, Provenance.DECLARED),
        ("- {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}", Capacity.MIXED, Provenance.DECLARED),
        ("- {key: karpenter.sh/capacity-type, operator: In, values: [reserved, on-demand]}", Capacity.MIXED, Provenance.DECLARED),
        ("- {key: karpenter.sh/capacity-type, operator: NotIn, values: [spot, reserved]}", Capacity.ON_DEMAND, Provenance.DECLARED),
        ("- {key: kubernetes.io/arch, operator: In, values: [amd64]}", Capacity.ON_DEMAND, Provenance.DEFAULT),
    ],
)
def test_karpenter_capacity_mapping(host, requirement, capacity, provenance):
    text = NODEPOOL.replace("{requirements}", textwrap.indent(requirement, " " * 8))
    deployment = _only(_run(host, ("pool.yaml", text)))
    assert deployment.platform == "karpenter-nodepool"
    assert deployment.kind.value is UNKNOWN
    assert deployment.id == "pool.yaml#NodePool/pool"
    unit = deployment.units[0]
    assert (unit.capacity.value, unit.capacity.provenance) == (capacity, provenance)
    assert deployment.attribute("labels").value == (("team", "ml"),)
    assert deployment.attribute("taints").value == (("nvidia.com/gpu", "true", "NoSchedule"),)


def test_karpenter_unknown_capacity_value_is_malformed(host):
    text = NODEPOOL.replace("{requirements}", " " * 8 + "- {key: karpenter.sh/capacity-type, operator: In, values: [cheap]}")
    capacity = _only(_run(host, ("pool.yaml", text))).units[0].capacity
    assert capacity.value is UNKNOWN and capacity.raw == ["cheap"]


def test_karpenter_instance_families_and_legacy_provisioner(host):
    provisioner = """\
    apiVersion: karpenter.sh/v1alpha5
    kind: Provisioner
    metadata: {name: gpu}
    spec:
      requirements:
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [g5, g6]}
    """
    unit = _only(_run(host, ("prov.yaml", provisioner))).units[0]
    assert unit.capacity.value is Capacity.SPOT
    assert unit.compute.accelerator.value == "gpu"
    assert unit.compute.accelerator_count.value is UNKNOWN


SPOT_POOL = NODEPOOL.replace("{requirements}", " " * 8 + "- {key: karpenter.sh/capacity-type, operator: In, values: [spot]}")

PINNED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: scorer}}
    spec:
{scheduling}
      containers: [{name: server, image: vllm/vllm-openai:v0.8.5}]
"""


def _pinned(scheduling: str) -> str:
    return PINNED.replace("{scheduling}", textwrap.indent(scheduling, " " * 6))


def test_pod_pinned_to_a_pool_in_another_file_runs_on_its_capacity(host):
    result = _run(host, ("deploy.yaml", _pinned("nodeSelector: {karpenter.sh/nodepool: pool}")), context=(("pool.yaml", SPOT_POOL),))
    deployment = _only(result)
    capacity = deployment.units[0].capacity
    assert (capacity.value, capacity.provenance) == (Capacity.SPOT, Provenance.INFERRED)
    assert (capacity.span.path, capacity.span.line) == ("deploy.yaml", 9)  # where the pod names the pool
    assert "NodePool pool (pool.yaml) launches only spot capacity" in capacity.note
    assert [link.kind for link in deployment.links] == ["Deployment", "NodePool"]


def test_pod_pinned_to_a_pool_the_run_lacks_keeps_its_own_capacity(host):
    deployment = _only(_run(host, ("deploy.yaml", _pinned("nodeSelector: {karpenter.sh/nodepool: elsewhere}")), context=(("pool.yaml", SPOT_POOL),)))
    assert deployment.units[0].capacity.value is UNKNOWN
    assert [link.kind for link in deployment.links] == ["Deployment"]


@pytest.mark.parametrize(
    "scheduling, capacity",
    [
        # The pod's own choice of one capacity type stands: it narrows the pool.
        ("nodeSelector: {karpenter.sh/nodepool: pool, karpenter.sh/capacity-type: on-demand}", Capacity.ON_DEMAND),
        # A toleration allows Spot and more; the Spot-only pool narrows it to Spot.
        (
            "nodeSelector: {karpenter.sh/nodepool: pool}\n"
            "tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Exists}]",
            Capacity.SPOT,
        ),
        # Every required term must name pools; one that does not leaves the pool open.
        (
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n"
            "        - matchExpressions: [{key: karpenter.sh/nodepool, operator: In, values: [pool]}]\n"
            "        - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]",
            UNKNOWN,
        ),
        (
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n"
            "        - matchExpressions: [{key: karpenter.sh/nodepool, operator: In, values: [pool]}]",
            Capacity.SPOT,
        ),
    ],
)
def test_pinned_pool_capacity_and_the_pods_own_selection(host, scheduling, capacity):
    deployment = _only(_run(host, ("deploy.yaml", _pinned(scheduling)), context=(("pool.yaml", SPOT_POOL),)))
    assert deployment.units[0].capacity.value is capacity


def test_pod_pinned_to_a_legacy_provisioner(host):
    provisioner = """\
    apiVersion: karpenter.sh/v1alpha5
    kind: Provisioner
    metadata: {name: gpu}
    spec:
      requirements:
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}
    """
    deployment = _only(
        _run(host, ("deploy.yaml", _pinned("nodeSelector: {karpenter.sh/provisioner-name: gpu}")), context=(("prov.yaml", provisioner),))
    )
    assert deployment.units[0].capacity.value is Capacity.MIXED


POD_SPEC = """\
apiVersion: batch/v1
kind: Job
metadata: {name: train}
spec:
  template:
    spec:
{scheduling}
      containers: [{name: main, image: python:3.11}]
      restartPolicy: Never
"""


@pytest.mark.parametrize(
    "scheduling, capacity",
    [
        ("nodeSelector: {karpenter.sh/capacity-type: spot}", Capacity.SPOT),
        ("nodeSelector: {eks.amazonaws.com/capacityType: ON_DEMAND}", Capacity.ON_DEMAND),
        ('nodeSelector: {cloud.google.com/gke-spot: "true"}', Capacity.SPOT),
        ("nodeSelector: {kubernetes.azure.com/scalesetpriority: spot}", Capacity.SPOT),
        (
            "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
            "[{matchExpressions: [{key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}]}]}}}",
            Capacity.MIXED,
        ),
        (
            "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
            "[{matchExpressions: [{key: karpenter.sh/capacity-type, operator: In, values: [reserved]}]}]}}}",
            Capacity.RESERVED,
        ),
        (
            "tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Equal, value: spot, effect: NoSchedule}]",
            Capacity.MIXED,
        ),
        ("nodeSelector: {kubernetes.io/arch: amd64}", UNKNOWN),
        (
            "nodeSelector: {karpenter.sh/capacity-type: spot}\n"
            "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
            "[{matchExpressions: [{key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}]}]}}}",
            UNKNOWN,  # contradictory: no node satisfies both
        ),
    ],
)
def test_pod_capacity_from_node_selection(host, scheduling, capacity):
    text = POD_SPEC.replace("{scheduling}", textwrap.indent(scheduling, " " * 6))
    deployment = _only(_run(host, ("job.yaml", text)))
    assert deployment.kind.value is DeploymentKind.JOB
    assert deployment.units[0].capacity.value is capacity


def test_pod_instance_type_label_gives_compute(host):
    text = POD_SPEC.replace("{scheduling}", "      nodeSelector: {node.kubernetes.io/instance-type: g5.2xlarge}")
    compute = _only(_run(host, ("job.yaml", text))).units[0].compute
    assert compute.instance_type.value == "g5.2xlarge"
    assert compute.burstable.value is False
    assert compute.accelerator.value == "none"  # the container requests no GPU: the pod gets none
    assert "not given to this pod" in compute.accelerator.note


def test_eksctl_node_group_capacity(host):
    config = """\
    apiVersion: eksctl.io/v1alpha5
    kind: ClusterConfig
    metadata: {name: c, region: us-east-1, tags: {stage: prod}}
    managedNodeGroups:
      - {name: spot, instanceTypes: [g5.xlarge, g5.2xlarge], spot: true, minSize: 0, maxSize: 4}
      - {name: plain, instanceType: m5.large, desiredCapacity: 2}
    nodeGroups:
      - name: mixed
        instancesDistribution: {instanceTypes: [c5.large], onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 0}
    """
    result = _run(host, ("cluster.yaml", config))
    by_name = {item.name.value: item for item in result.deployments}
    assert {item.platform for item in result.deployments} == {"eks-nodegroup"}
    assert by_name["spot"].units[0].capacity.value is Capacity.SPOT
    assert by_name["spot"].units[0].compute.accelerator.value == "gpu"
    assert by_name["plain"].units[0].capacity.value is Capacity.ON_DEMAND
    assert by_name["plain"].units[0].count.value == 2
    assert by_name["mixed"].units[0].capacity.value is Capacity.MIXED
    assert by_name["spot"].environment.value is Environment.PROD


# --- (h) profile and environment --------------------------------------------------------------


def test_profile_annotations_are_read_with_the_cloudformation_schema(host):
    annotated = DEPLOY.replace(
        "  namespace: ml\n",
        '  namespace: ml\n  annotations:\n    mldeploy-lint.io/payload-mb: "500"\n    mldeploy-lint.io/traffic: bursty\n'
        "    mldeploy-lint.io/environment: staging\n",
    )
    deployment = _only(_run(host, ("deploy.yaml", annotated)))
    assert deployment.profile.payload_mb.value == 500.0
    assert deployment.profile.traffic.value == "bursty"
    assert (deployment.profile.payload_mb.span.line, deployment.profile.payload_mb.span.column) == (7, 34)
    assert deployment.environment.value is Environment.STAGING
    assert "mldeploy-lint.io/environment" in deployment.environment.note


def test_invalid_profile_annotations_become_md004(host):
    annotated = DEPLOY.replace(
        "  namespace: ml\n", "  namespace: ml\n  annotations:\n    mldeploy-lint.io/payload-mb: huge\n    mldeploy-lint.io/colour: blue\n"
    )
    result = _run(host, ("deploy.yaml", annotated), clean=False)
    findings = sorted((finding.rule_id, finding.span.line) for finding in result.findings)
    assert findings == [("MD004", 7), ("MD004", 8)]
    assert "payload-mb must be a number" in " ".join(finding.message for finding in result.findings)
    assert not _only(result).profile.payload_mb.known


@pytest.mark.parametrize(
    "namespace, environment",
    [
        ("prod", Environment.PROD),
        ("ml-prod", Environment.PROD),
        ("production", Environment.PROD),
        ("team_staging", Environment.STAGING),
        ("dev-sandbox", Environment.DEV),
        ("products", UNKNOWN),
        ("ml", UNKNOWN),
    ],
)
def test_namespace_names_the_environment(host, namespace, environment):
    deployment = _only(_run(host, ("deploy.yaml", DEPLOY.replace("namespace: ml", f"namespace: {namespace}"))))
    assert deployment.environment.value is environment
    if environment is not UNKNOWN:
        assert deployment.environment.provenance is Provenance.INFERRED
        assert "namespace" in deployment.environment.note


def test_labels_and_namespace_objects_name_the_environment(host):
    labelled = DEPLOY.replace("labels: {app: scorer, tier: serving}", "labels: {app: scorer, env: production}")
    deployment = _only(_run(host, ("deploy.yaml", labelled.replace("namespace: ml", "namespace: ml-dev"))))
    assert deployment.environment.value is Environment.PROD  # the label is declared; the namespace word only inferred
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n  labels: {stage: prod}\n"
    deployment = _only(_run(host, ("deploy.yaml", DEPLOY), context=(("ns.yaml", namespace),)))
    assert deployment.environment.value is Environment.PROD
    assert deployment.environment.span.path == "ns.yaml"


# --- (i) bad shapes -----------------------------------------------------------------------------


BAD_SHAPES = [
    DEPLOY.replace("replicas: 2", 'replicas: "two"'),
    DEPLOY.replace("replicas: 2", "replicas:"),
    DEPLOY.replace("      containers:\n", "      containers: not-a-list\n      unused:\n"),
    DEPLOY.replace("  template:\n", "  template: []\n  old:\n"),
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: [a, b]\nspec: nonsense\n",
    "apiVersion: apps/v1\nkind: Deployment\n",
    "apiVersion: v1\nkind: List\nitems:\n  - 42\n  - [nested]\n  - {kind: Deployment}\n  - apiVersion: v1\n    kind: List\n    items: []\n"
    "  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: ok}\n",
    "apiVersion: v1\nkind: List\nitems: {not: a list}\n",
    HPA.replace("  metrics:\n", "  metrics: cpu\n  old:\n").replace("minReplicas: 2", "minReplicas: [2]"),
    _pdb("[not, a, selector]"),
    KSERVE.replace("    model:\n", "    model: []\n    old:\n"),
    SELDON.replace("  predictors:\n", "  predictors: {}\n  old:\n"),
    NODEPOOL.replace("{requirements}", "        junk"),
    "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\nmanagedNodeGroups: [1, {name: x, spot: maybe, instanceTypes: 5}]\n",
    DEPLOY.replace('nvidia.com/gpu: "2"', "nvidia.com/gpu: lots"),
    _pdb("{matchExpressions: {key: app}}"),
    "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {name: m}\nspec: {requirements: {sklearn: true}}\n",
]


@pytest.mark.parametrize("text", BAD_SHAPES, ids=range(len(BAD_SHAPES)))
def test_bad_shapes_do_not_crash(host, text):
    result = _run(host, ("bad.yaml", text), ("deploy.yaml", DEPLOY), ("pdb.yaml", _pdb("{matchLabels: {app: scorer}}")), clean=False)
    assert [finding.message for finding in result.findings if finding.rule_id == "MD002"] == []


def test_malformed_replicas_keep_what_was_written(host):
    result = _run(host, ("deploy.yaml", DEPLOY.replace("replicas: 2", 'replicas: "two"')))
    count = _only(result).units[0].count
    assert count.value is UNKNOWN and count.raw == "two"
    assert count.malformed


def test_list_items_are_read_and_junk_skipped(host):
    text = BAD_SHAPES[6]
    result = _run(host, ("list.yaml", text))
    assert [item.id for item in result.deployments] == ["list.yaml#Deployment/default/ok"]


def test_containers_not_a_list_leaves_the_accelerator_unknown(host):
    result = _run(host, ("deploy.yaml", BAD_SHAPES[2]))
    compute = _only(result).units[0].compute
    assert compute.accelerator.value is UNKNOWN
    assert compute.accelerator.note == "containers is not a list"


def test_documents_the_adapter_does_not_read_are_not_claimed(host):
    legacy = "apiVersion: sagemaker.aws.amazon.com/v1\nkind: HostingDeployment\nmetadata: {name: m}\nspec: {region: us-east-1}\n"
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"
    result = _run(host, ("legacy.yaml", legacy), ("svc.yaml", service))
    assert result.deployments == ()
    assert not any(summary.recognised for summary in result.files)


# --- other serving CRDs ---------------------------------------------------------------------


def test_seldon_core_2_model_and_server(host):
    text = """\
    apiVersion: mlops.seldon.io/v1alpha1
    kind: Model
    metadata: {name: iris}
    spec:
      storageUri: gs://models/iris
      requirements: [sklearn]
      minReplicas: 1
      maxReplicas: 4
    ---
    apiVersion: mlops.seldon.io/v1alpha1
    kind: Server
    metadata: {name: mlserver}
    spec:
      serverConfig: mlserver
      replicas: 2
      podSpec:
        containers:
          - name: mlserver
            resources: {limits: {nvidia.com/gpu: 1}}
    """
    result = _run(host, ("seldon2.yaml", text))
    model, server = result.deployments
    assert model.models[0].framework.value == "sklearn"
    assert model.units[0].count.value == 1 and model.units[0].count.provenance is Provenance.DEFAULT
    (scaling,) = model.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (1, 4)
    assert model.units[0].compute.accelerator.value is UNKNOWN  # it runs on a Server
    assert server.units[0].count.value == 2
    assert server.units[0].compute.accelerator.value == "gpu"
    assert server.models[0].framework.value == "mlserver"



SELDON_2_PRODUCTION = """\
    apiVersion: mlops.seldon.io/v1alpha1
    kind: Model
    metadata: {name: iris, namespace: seldon-prod}
    spec: {storageUri: gs://models/iris, requirements: [sklearn], server: mlserver, replicas: 2, minReplicas: 2, maxReplicas: 4}
    ---
    apiVersion: mlops.seldon.io/v1alpha1
    kind: Server
    metadata: {name: mlserver, namespace: seldon-prod}
    spec: {serverConfig: mlserver, replicas: 2, minReplicas: 2, maxReplicas: 6}
    """


def test_seldon_core_2_server_autoscaling_and_the_model_on_its_pods(host):
    result = _run(host, ("seldon2.yaml", SELDON_2_PRODUCTION))
    model, server = result.deployments
    (scaling,) = server.units[0].scaling  # Seldon's server autoscaling, on when minReplicas/maxReplicas are written
    assert (scaling.min_capacity.value, scaling.max_capacity.value, scaling.linked_by) == (2, 6, "Seldon Server minReplicas/maxReplicas")
    # A Model has no pods of its own: its replicas are loaded into the Server's, whose budget and spread protect it.
    budget = model.availability.disruption_budget
    assert budget.value is UNKNOWN and budget.note == "runs on Seldon Server mlserver: a budget for the Server's pods protects it"
    assert model.availability.zone_spread.value is UNKNOWN
    assert server.availability.disruption_budget.value == ""  # none in the namespace
    findings = run_lint([InputFile("seldon2.yaml", textwrap.dedent(SELDON_2_PRODUCTION).encode())], host, LintOptions()).findings
    assert [(finding.rule_id, finding.message.split(" runs ")[0]) for finding in findings] == [
        ("HA005", "production service mlserver"),
    ]
    fixed = textwrap.dedent(SELDON_2_PRODUCTION).replace(", minReplicas: 2, maxReplicas: 6", "")
    findings = run_lint([InputFile("seldon2.yaml", fixed.encode())], host, LintOptions()).findings
    assert sorted(finding.rule_id for finding in findings) == ["AS001", "HA005"]


def test_llm_inference_service_units(host):
    text = """\
    apiVersion: serving.kserve.io/v1alpha1
    kind: LLMInferenceService
    metadata: {name: chat}
    spec:
      model: {uri: hf://org/model, name: org/model}
      template:
        containers:
          - name: main
            resources: {limits: {nvidia.com/gpu: "2"}}
      prefill:
        replicas: 2
        template:
          containers: [{name: main, resources: {limits: {nvidia.com/gpu: "1"}}}]
    """
    deployment = _only(_run(host, ("llm.yaml", text)))
    main, prefill = deployment.units
    assert (main.name.value, main.count.value, main.count.provenance) == ("main", 1, Provenance.DEFAULT)
    assert (main.compute.accelerator.value, main.compute.accelerator_count.value) == ("gpu", 2)
    assert (prefill.name.value, prefill.count.value) == ("prefill", 2)
    assert deployment.models[0].framework.value == "vllm"
    assert deployment.models[0].framework.provenance is Provenance.INFERRED


def test_ray_worker_groups_scale_with_in_tree_autoscaling(host):
    text = """\
    apiVersion: ray.io/v1
    kind: RayService
    metadata: {name: serve}
    spec:
      rayClusterConfig:
        enableInTreeAutoscaling: true
        headGroupSpec:
          template: {spec: {containers: [{name: head, image: rayproject/ray:2.9.0}]}}
        workerGroupSpecs:
          - groupName: gpu
            replicas: 1
            minReplicas: 1
            maxReplicas: 4
            template: {spec: {containers: [{name: w, image: rayproject/ray:2.9.0-gpu, resources: {limits: {nvidia.com/gpu: 1}}}]}}
    """
    deployment = _only(_run(host, ("ray.yaml", text)))
    head, gpu = deployment.units
    assert (head.count.value, head.scaling) == (1, ())
    (scaling,) = gpu.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (1, 4)
    assert gpu.compute.accelerator.value == "gpu"


_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{n}, namespace: serving-{space}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app-{n}}}}}
  template:
    metadata: {{labels: {{app: app-{n}, tier: {tier}}}}}
    spec: {{containers: [{{name: server, image: "vllm/vllm-openai:v0.8.5"}}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: pdb-{n}, namespace: serving-{space}}}
spec: {{minAvailable: {n}, selector: {{matchLabels: {{app: app-{n}}}}}}}
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Model
metadata: {{name: model-{n}, namespace: ml-{space}}}
spec:
  modelName: model-{n}
  primaryContainer: {{image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"}}
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata: {{name: config-{n}, namespace: ml-{space}}}
spec:
  endpointConfigName: config-{n}
  productionVariants:
    - {{variantName: AllTraffic, modelName: model-{n}, instanceType: ml.c5.xlarge, initialInstanceCount: 2}}
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Endpoint
metadata: {{name: endpoint-{n}, namespace: ml-{space}}}
spec: {{endpointName: endpoint-{n}, endpointConfigName: config-{n}}}
---
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalableTarget
metadata: {{name: target-{n}, namespace: ml-{space}}}
spec:
  serviceNamespace: sagemaker
  resourceID: endpoint/endpoint-{n}/variant/AllTraffic
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  minCapacity: 2
  maxCapacity: {maximum}
---
"""

# Selects by expression only: it is checked against every pod of its namespace.
_GOLD_BUDGET = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: gold, namespace: serving-{space}}}
spec:
  maxUnavailable: 1
  selector: {{matchExpressions: [{{key: tier, operator: In, values: [gold, platinum]}}]}}
---
"""


def test_a_twenty_thousand_document_stream_links_each_object_to_its_own(host):
    # Budgets are matched through an index of the labels they require and
    # ACK objects through indexes of their AWS names, built once per run
    # (bench/bench.py times it); a wrong index would give a workload or an
    # endpoint a neighbour's budget, configuration or target.
    apps = 3333
    golden = apps - 2
    text = _GOLD_BUDGET.format(space=golden % 4) + "".join(
        _APP.format(n=n, space=n % 4, tier="gold" if n == golden else "silver", maximum=n + 3) for n in range(apps)
    )
    assert text.count("\n---\n") == 1 + 6 * apps
    started = time.process_time()
    # No per-file time limit: on a busy machine it would cut the stream short.
    result = run_lint([InputFile("stream.yaml", text.encode())], host, replace(ONLY_CORE, file_timeout=None))
    assert time.process_time() - started < 300  # a hang guard, not a budget
    by_name = {str(item.name.value): item for item in result.deployments}
    assert len(by_name) == 2 * apps
    for n in (0, apps // 2, apps - 1):
        availability = by_name[f"app-{n}"].availability
        assert availability.disruption_budget.value == f"pdb-{n}"
        assert availability.min_available.value == n
        endpoint = by_name[f"endpoint-{n}"]
        assert [link.name for link in endpoint.links][:3] == [f"endpoint-{n}", f"config-{n}", f"model-{n}"]
        (scaling,) = endpoint.units[0].scaling
        assert scaling.max_capacity.value == n + 3
    # The expression-only budget comes first in the stream; the workload's own is also found.
    gold = by_name[f"app-{golden}"].availability.disruption_budget
    assert gold.value == "gold"
    assert gold.note == f"PodDisruptionBudget gold selects the pod labels; also pdb-{golden}"

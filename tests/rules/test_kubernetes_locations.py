"""Kubernetes findings point at the key that holds their fact, not at the first key of the pod spec.

AS001 and HA003 at `replicas:` (or the autoscaler's `minReplicas:`), HA004
at the pod's `topologySpreadConstraints:` or `affinity:` (else the key that
holds the pod spec), CP00x at the container's `resources:` or the request
in it — for plain workloads and for KServe, Seldon, LLMInferenceService and
Ray alike. Each case names the line it expects by its text.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from linter import Environment
from linter.api import lint_paths
from linter.engine import LintOptions

from rule_harness import host

PROD = LintOptions(environment=Environment.PROD)


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _located(path: Path, rule_id: str, options: LintOptions = PROD) -> list[tuple[int, str]]:
    """(line, that line's text without its indent) of every finding of the rule in the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    result = lint_paths([str(path)], options, host=host(), context="siblings")
    return [
        (finding.span.line, lines[finding.span.line - 1].strip())
        for finding in result.findings
        if finding.rule_id == rule_id and finding.span.path == str(path)
    ]


TRITON = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: triton
  namespace: serving
spec:
  replicas: 1
  selector:
    matchLabels:
      app: triton
  template:
    metadata:
      labels:
        app: triton
    spec:
      nodeSelector:
        node.kubernetes.io/instance-type: g5.xlarge
      containers:
        - name: triton
          image: nvcr.io/nvidia/tritonserver:24.08-py3
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def test_a_triton_deployment_reports_its_replicas_not_its_node_selector(tmp_path):
    path = _write(tmp_path, "triton.yaml", TRITON)
    assert _located(path, "AS001") == [(7, "replicas: 1")]
    assert _located(path, "HA003") == [(7, "replicas: 1")]


def test_without_replicas_the_finding_points_at_the_workload(tmp_path):
    path = _write(tmp_path, "triton.yaml", TRITON.replace("  replicas: 1\n", ""))
    assert _located(path, "AS001") == [(4, "name: triton")]
    assert _located(path, "HA003") == [(4, "name: triton")]


def test_ha003_points_at_the_autoscalers_minimum_in_the_same_file(tmp_path):
    hpa = """
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: triton
      namespace: serving
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triton}
      minReplicas: 1
      maxReplicas: 4
    """
    path = _write(tmp_path, "triton.yaml", TRITON.replace("  replicas: 1\n", "") + textwrap.dedent(hpa))
    assert _located(path, "HA003") == [(32, "minReplicas: 1")]


def test_ha003_keeps_to_the_workloads_file_and_relates_an_autoscaler_elsewhere(tmp_path):
    path = _write(tmp_path, "triton.yaml", TRITON)
    hpa = _write(
        tmp_path,
        "hpa.yaml",
        """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: triton
          namespace: serving
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: triton}
          minReplicas: 1
          maxReplicas: 4
        """,
    )
    result = lint_paths([str(path)], PROD, host=host(), context="siblings")
    (finding,) = [finding for finding in result.findings if finding.rule_id == "HA003"]
    assert (finding.span.path, finding.span.line) == (str(path), 7)
    assert [(span.path, span.line, message) for span, message in finding.related] == [
        (str(hpa), 8, "autoscaling minimum 1 (HorizontalPodAutoscaler triton)")
    ]


def test_ha004_points_at_the_spread_or_affinity_the_pods_have_else_at_the_templates_spec(tmp_path):
    three = TRITON.replace("replicas: 1", "replicas: 3")
    bare = _write(tmp_path, "bare.yaml", three)
    assert _located(bare, "HA004") == [(15, "spec:")]
    node_affinity = three.replace(
        "      nodeSelector:\n",
        "      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution: []\n      nodeSelector:\n",
    )
    with_affinity = _write(tmp_path, "affinity.yaml", node_affinity)
    assert _located(with_affinity, "HA004") == [(16, "affinity:")]
    hostname_spread = node_affinity.replace(
        "      affinity:\n",
        "      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}\n      affinity:\n",
    )
    with_spread = _write(tmp_path, "spread.yaml", hostname_spread)
    assert _located(with_spread, "HA004") == [(16, "topologySpreadConstraints:")]


def test_compute_findings_point_into_the_containers_resources(tmp_path):
    gpu_for_xgboost = TRITON.replace("nvcr.io/nvidia/tritonserver:24.08-py3", "seldonio/xgboostserver:1.17.1")
    assert _located(_write(tmp_path, "xgboost.yaml", gpu_for_xgboost), "CP001") == [(23, "nvidia.com/gpu: 1")]
    llm_without_gpu = TRITON.replace("nvcr.io/nvidia/tritonserver:24.08-py3", "vllm/vllm-openai:v0.8.5").replace(
        "              nvidia.com/gpu: 1", "              cpu: 8"
    )
    assert _located(_write(tmp_path, "vllm.yaml", llm_without_gpu), "CP002") == [(21, "resources:")]


KSERVE = """
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn
  namespace: retention
spec:
  predictor:
    minReplicas: {replicas}
    model:
      modelFormat:
        name: xgboost
      storageUri: gs://models/churn
"""


@pytest.mark.parametrize("replicas, rule_id, expected", [(1, "HA003", (8, "minReplicas: 1")), (2, "HA004", (7, "predictor:"))])
def test_kserve_points_at_min_replicas_and_at_the_component(tmp_path, replicas, rule_id, expected):
    path = _write(tmp_path, "isvc.yaml", KSERVE.format(replicas=replicas))
    assert _located(path, rule_id) == [expected]


def test_seldon_llm_inference_service_and_ray_point_at_their_replicas(tmp_path):
    seldon = _write(
        tmp_path,
        "seldon.yaml",
        """
        apiVersion: machinelearning.seldon.io/v1
        kind: SeldonDeployment
        metadata:
          name: sentiment
          namespace: reviews
        spec:
          predictors:
            - name: default
              replicas: 1
              componentSpecs:
                - spec:
                    containers:
                      - name: classifier
                        image: seldonio/mlserver:1.6.1-sklearn
              graph:
                name: classifier
                type: MODEL
        """,
    )
    assert _located(seldon, "AS001") == [(9, "replicas: 1")]
    assert _located(seldon, "HA003") == [(9, "replicas: 1")]
    llm = _write(
        tmp_path,
        "llmisvc.yaml",
        """
        apiVersion: serving.kserve.io/v1alpha1
        kind: LLMInferenceService
        metadata:
          name: qwen
          namespace: llm
        spec:
          model:
            uri: hf://Qwen/Qwen2.5-7B-Instruct
          replicas: 1
          template:
            containers:
              - name: main
                resources:
                  limits:
                    nvidia.com/gpu: "1"
        """,
    )
    assert _located(llm, "AS001") == [(9, "replicas: 1")]
    assert _located(llm, "HA003") == [(9, "replicas: 1")]
    assert _located(_write(tmp_path, "llmisvc-default.yaml", llm.read_text().replace("  replicas: 1\n", "")), "AS001") == [(4, "name: qwen")]
    ray = _write(
        tmp_path,
        "ray.yaml",
        """
        apiVersion: ray.io/v1
        kind: RayService
        metadata:
          name: llm
          namespace: ray
        spec:
          rayClusterConfig:
            headGroupSpec:
              rayStartParams: {}
              template:
                spec:
                  containers:
                    - name: ray-head
                      image: rayproject/ray-llm:2.52.0-py311-cu128
            workerGroupSpecs:
              - groupName: gpu
                replicas: 2
                template:
                  spec:
                    containers:
                      - name: worker
                        image: rayproject/ray-llm:2.52.0-py311-cu128
                        resources:
                          limits:
                            nvidia.com/gpu: 1
        """,
    )
    assert _located(ray, "AS001") == [(17, "replicas: 2")]  # the head is one pod by design: workers scale

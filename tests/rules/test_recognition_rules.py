"""Rule outcomes of recognising what runs: image patterns, server commands, name words, ML namespaces, KServe runtimes.

The model facts behind them are pinned in tests/adapters/test_recognition.py.
"""

from __future__ import annotations

from pathlib import Path

from linter import Severity
from linter.engine import InputFile, LintOptions, run_lint
from linter.rules import RuleSelector
from rule_harness import host

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _findings(*files: tuple[str, str], rules: str) -> list:
    options = LintOptions(selector=RuleSelector(tuple(rules.split(","))))
    result = run_lint([InputFile(path, text.encode()) for path, text in files], host(), options)
    return result.findings


def _rules(*files: tuple[str, str], rules: str) -> list[tuple[str, int]]:
    return sorted((finding.rule_id, finding.span.line) for finding in _findings(*files, rules=rules))


WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
  namespace: {namespace}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: server}}}}
  template:
    metadata: {{labels: {{app: server}}}}
    spec:
      containers:
        - name: main
          image: {image}
{extra}"""

GPU = """\
          resources:
            limits: {nvidia.com/gpu: "1"}
"""


def _workload(image, namespace="shop", extra=""):
    return ("deploy.yaml", WORKLOAD.format(image=image, namespace=namespace, extra=extra))


# --- image patterns ------------------------------------------------------------------------


def test_a_mirrored_vllm_image_without_a_gpu_is_cp002():
    mirrored = "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/vllm/vllm-openai:v0.9.1"
    assert _rules(_workload(mirrored), rules="CP002") == [("CP002", 13)]


def test_vllms_cpu_build_without_a_gpu_is_a_judged_server_but_not_cp002():
    assert _rules(_workload("docker.io/vllm/vllm-openai-cpu:v0.23.0"), rules="CP002,AS001") == [("AS001", 7)]


def test_a_google_tgi_dlc_is_judged_as_a_model_server():
    dlc = "us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-generation-inference-cu124.2-3.ubuntu2204.py311"
    assert _rules(_workload(dlc), rules="CP002,AS001") == [("AS001", 7), ("CP002", 13)]


# --- commands ------------------------------------------------------------------------------


def test_a_vllm_command_without_a_gpu_is_cp002_and_the_service_is_judged():
    extra = '          command: ["vllm", "serve", "Qwen/Qwen2.5-7B-Instruct"]\n'
    assert _rules(_workload("ubuntu:22.04", extra=extra), rules="CP002,AS001") == [("AS001", 7), ("CP002", 13)]
    assert _rules(_workload("ubuntu:22.04", extra=extra + GPU), rules="CP002") == []


def test_the_real_decode_deployment_runs_vllm():
    path = FIXTURES / "adapters/kubernetes/production-stack-disagg/decode-deploy.yaml"
    found = _findings((str(path), path.read_text()), rules="CP002,AS001")
    assert sorted(finding.rule_id for finding in found) == ["AS001", "CP002"]
    cp002 = next(finding for finding in found if finding.rule_id == "CP002")
    assert "vllm (ubuntu:22.04)" in cp002.message


# --- framework words and namespaces --------------------------------------------------------


def test_a_framework_word_in_a_private_image_is_judged_like_other_inferred_facts():
    image = "registry.example.com/pricing/pricing-xgboost-server:1.4"
    found = _findings(_workload(image, extra=GPU), rules="CP001,AS001")
    assert sorted(finding.rule_id for finding in found) == ["AS001", "CP001"]
    assert all(finding.severity is Severity.WARNING for finding in found)  # the environment is unknown
    # without the word nothing shows ML: a plain service is not judged
    assert _rules(_workload("registry.example.com/pricing/pricing-server:1.4"), rules="CP001,AS001") == []


def test_a_workload_in_an_ml_namespace_is_judged():
    image = "registry.example.com/fraud/scorer:3"
    assert _rules(_workload(image, namespace="fraud-ml"), rules="AS001") == [("AS001", 7)]
    assert _rules(_workload(image, namespace="html-render"), rules="AS001") == []
    assert _rules(_workload(image, namespace="xray"), rules="AS001") == []


# --- Ray heads ------------------------------------------------------------------------------

RAY_SERVICE = """\
apiVersion: ray.io/v1
kind: RayService
metadata: {name: chat}
spec:
  rayClusterConfig:
    headGroupSpec:
      rayStartParams: {num-cpus: "0"}
      template:
        spec:
          containers:
            - name: ray-head
              image: public.ecr.aws/data-on-eks/ray-2.41.0-py310-cu118-vllm0.7.0:latest
              resources: {limits: {cpu: 2}}
    workerGroupSpecs:
      - groupName: gpu
        replicas: 1
        template:
          spec:
            containers:
              - name: ray-worker
                image: public.ecr.aws/data-on-eks/ray-2.41.0-py310-cu118-vllm0.7.0:latest
                resources: {limits: {nvidia.com/gpu: 1}}
"""


def test_a_ray_head_beside_gpu_workers_of_the_same_image_is_not_cp002():
    assert _rules(("ray.yaml", RAY_SERVICE), rules="CP002") == []
    cpu_workers = RAY_SERVICE.replace("{nvidia.com/gpu: 1}", "{cpu: 8}")
    assert [rule for rule, _ in _rules(("ray.yaml", cpu_workers), rules="CP002")] == ["CP002", "CP002"]


# --- KServe runtimes -----------------------------------------------------------------------

ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: churn, namespace: scoring}
spec:
  predictor:
    model:
      modelFormat: {name: xgboost}
      storageUri: gs://models/churn
"""

RUNTIME = """\
apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {{name: xgb-runtime, namespace: scoring}}
spec:
  supportedModelFormats:
    - {{name: xgboost, autoSelect: true, priority: 5}}
  containers:
    - name: kserve-container
      image: registry.example.com/serving/tree-server:2.0
      resources:
        limits: {{{limits}}}
"""


def test_a_gpu_the_runtime_requests_makes_cp001():
    found = _findings(("isvc.yaml", ISVC), ("runtime.yaml", RUNTIME.format(limits='nvidia.com/gpu: "1", cpu: "4"')), rules="CP001")
    assert [(finding.rule_id, finding.span.path, finding.span.line) for finding in found] == [("CP001", "runtime.yaml", 11)]
    assert _rules(("isvc.yaml", ISVC), ("runtime.yaml", RUNTIME.format(limits='cpu: "4"')), rules="CP001") == []

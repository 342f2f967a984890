"""What runs: model servers recognised by command, image name words, ML namespaces and KServe runtimes.

Model facts only (the adapters' answers, with where they came from); the
rule outcomes are in tests/rules/test_recognition_rules.py. Real files come from
tests/fixtures (see SOURCES.md).
"""

from __future__ import annotations

from pathlib import Path

from linter import Provenance
from linter.api import lint_text
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RUNTIMES = FIXTURES / "kserve-runtimes"


def _run(*files: tuple[str, str]):
    inputs = [InputFile(path, text.encode()) for path, text in files]
    result = run_lint(inputs, build_plugin_host(), ONLY_CORE)
    assert [finding.message for finding in result.findings] == []
    return result


def _evidence(deployment):
    return deployment.ml_evidence


# --- commands ---------------------------------------------------------------------------


def test_a_vllm_command_in_a_plain_image_makes_a_vllm_server():
    path = FIXTURES / "adapters/kubernetes/production-stack-disagg/decode-deploy.yaml"
    (deployment,) = _run((str(path), path.read_text())).deployments
    (model,) = deployment.models
    assert model.image.value == "ubuntu:22.04"
    assert model.framework.value == "vllm"
    assert model.framework.provenance is Provenance.INFERRED
    assert "python -m vllm.entrypoints" in model.framework.note
    assert model.framework.span.line == 116  # the `command:` list that runs the server
    assert _evidence(deployment).known and "vllm" in _evidence(deployment).value


WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
  namespace: {namespace}
spec:
  selector: {{matchLabels: {{app: server}}}}
  template:
    metadata: {{labels: {{app: server}}}}
    spec:
      containers:
        - name: main
          image: {image}
{extra}"""


def _workload(image="registry.example.com/team/app:1", namespace="shop", extra=""):
    (deployment,) = _run(("deploy.yaml", WORKLOAD.format(image=image, namespace=namespace, extra=extra))).deployments
    return deployment


def test_args_alone_run_through_the_image_entrypoint():
    deployment = _workload(extra='          args: ["torchserve", "--start", "--foreground"]\n')
    assert deployment.models[0].framework.value == "pytorch"
    assert "torchserve" in deployment.models[0].framework.note


def test_a_known_image_decides_before_the_command():
    deployment = _workload("seldonio/mlserver:1.6.1-sklearn", extra='          command: ["tritonserver"]\n')
    assert deployment.models[0].framework.value == "sklearn"


def test_a_command_that_starts_no_server_says_nothing():
    deployment = _workload(extra='          command: ["sh", "-c", "cd /opt/tritonserver && ./download.sh"]\n')
    assert not deployment.models[0].framework.known
    assert not _evidence(deployment).known


ECS_TASK = """\
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: chat
      ContainerDefinitions:
        - Name: server
          Image: public.ecr.aws/docker/library/python:3.12
          EntryPoint: [python3, -m]
          Command: [vllm.entrypoints.openai.api_server, --model, !Ref ModelId]
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Task
      DesiredCount: 1
Parameters:
  ModelId: {Type: String}
"""


def test_ecs_entry_point_and_command_name_the_server():
    result = lint_text(ECS_TASK, "template.yaml", ONLY_CORE)
    (deployment,) = result.deployments
    assert deployment.models[0].framework.value == "vllm"
    assert deployment.ml_evidence.known


BATCH_JOB = """\
Resources:
  Environment:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      ComputeResources: {Type: EC2, InstanceTypes: [c5.2xlarge], MaxvCpus: 16, Subnets: [subnet-1]}
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      ComputeEnvironmentOrder:
        - {Order: 1, ComputeEnvironment: !Ref Environment}
  Job:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      ContainerProperties:
        Image: ubuntu:24.04
        Command: ["sh", "-c", "ollama serve & sleep 5 && ollama run llama3 < prompts.txt"]
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: batch
          Arn: !Ref Queue
          RoleArn: arn:aws:iam::123456789012:role/events
          BatchParameters: {JobDefinition: !Ref Job, JobName: nightly}
"""


def test_batch_command_names_the_server():
    result = lint_text(BATCH_JOB, "template.yaml", ONLY_CORE)
    (deployment,) = result.deployments
    (model,) = deployment.models
    assert model.framework.value == "ollama" and "ollama serve" in model.framework.note
    assert model.framework.span.line == 18


# --- image names and namespaces --------------------------------------------------------


def test_a_framework_word_in_a_private_image_name_is_inferred_evidence():
    deployment = _workload("registry.example.com/pricing/pricing-xgboost-server:1.4")
    framework = deployment.models[0].framework
    assert framework.value == "xgboost" and framework.provenance is Provenance.INFERRED
    assert "inferred from the image's name" in framework.note
    evidence = _evidence(deployment)
    assert evidence.known and evidence.provenance is Provenance.INFERRED


def test_an_ml_namespace_is_inferred_evidence():
    deployment = _workload(namespace="fraud-ml")
    evidence = _evidence(deployment)
    assert evidence.known and evidence.provenance is Provenance.INFERRED
    assert evidence.value == "runs in namespace fraud-ml" and "'ml'" in evidence.note
    assert evidence.span.line == 5


def test_namespace_words_match_whole_words_only():
    for namespace in ("html-render", "xray", "default"):
        assert not _evidence(_workload(namespace=namespace)).known, namespace


def test_stronger_evidence_wins_over_the_namespace():
    deployment = _workload("vllm/vllm-openai:v0.8.5", namespace="serving")
    assert _evidence(deployment).value.startswith("serves vllm")


def test_a_bare_pod_takes_no_evidence_from_its_namespace():
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: executor, namespace: emr-ml-team-a}
spec:
  containers:
    - name: spark-kubernetes-executor
"""
    (deployment,) = _run(("pod.yaml", pod)).deployments
    assert not _evidence(deployment).known


# --- KServe runtimes -------------------------------------------------------------------


def _files(*paths: Path) -> list[tuple[str, str]]:
    return [(str(path), path.read_text()) for path in paths]


def test_a_named_cluster_runtime_supplies_image_and_framework():
    result = _run(*_files(*sorted((RUNTIMES / "nim").iterdir())))
    (deployment,) = result.deployments
    (model,) = deployment.models
    assert model.image.value == "nvcr.io/nim/meta/llama3-8b-instruct:1.0.0"
    assert model.image.span.path.endswith("llama3-8b-instruct-1.0.0.yaml")
    assert model.framework.value == "nim"  # the model format is not in the tables: the runtime's image says
    assert "named by runtime" in model.framework.note
    runtime = deployment.attribute("predictor.serving_runtime")
    assert runtime.value == "ClusterServingRuntime nvidia-nim-llama3-8b-instruct-1.0.0"
    assert runtime.provenance is Provenance.INFERRED
    assert ("ClusterServingRuntime", "nvidia-nim-llama3-8b-instruct-1.0.0") in [(link.kind, link.name) for link in deployment.links]
    assert deployment.units[0].compute.accelerator.value == "gpu"  # the InferenceService's own request stays


XGB_ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {{name: churn, namespace: scoring}}
spec:
  predictor:
    model:
      modelFormat: {{name: xgboost}}
{extra}      storageUri: gs://models/churn
"""


def test_a_runtime_is_chosen_by_model_format_and_protocol():
    runtimes = _files(RUNTIMES / "kserve-xgbserver.yaml", RUNTIMES / "kserve-mlserver.yaml")
    (v1,) = _run(("isvc.yaml", XGB_ISVC.format(extra="")), *runtimes).deployments
    assert v1.attribute("predictor.serving_runtime").value == "ClusterServingRuntime kserve-xgbserver"
    assert v1.models[0].image.value == "kserve-xgbserver:replace"
    assert v1.models[0].framework.value == "xgboost"  # the declared model format stays
    # protocol v2: only MLServer speaks it, whatever the priorities
    (v2,) = _run(("isvc.yaml", XGB_ISVC.format(extra="      protocolVersion: v2\n")), *runtimes).deployments
    assert v2.attribute("predictor.serving_runtime").value == "ClusterServingRuntime kserve-mlserver"


GPU_RUNTIME = """\
apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  supportedModelFormats:
    - {{name: xgboost, autoSelect: true, priority: {priority}}}
  containers:
    - name: kserve-container
      image: registry.example.com/serving/xgb-gpu-server:2.0
      resources:
        limits: {{nvidia.com/gpu: "1", cpu: "4"}}
"""


def test_a_runtime_gpu_counts_when_the_inference_service_requests_none():
    (deployment,) = _run(("isvc.yaml", XGB_ISVC.format(extra="")), ("runtime.yaml", GPU_RUNTIME.format(name="xgb-gpu", namespace="scoring", priority=5))).deployments
    compute = deployment.units[0].compute
    assert compute.accelerator.value == "gpu" and compute.accelerator_count.value == 1
    assert "ServingRuntime xgb-gpu" in compute.accelerator.note
    assert compute.accelerator.span.path == "runtime.yaml"


def test_runtimes_of_other_namespaces_and_ties_are_not_linked():
    other = GPU_RUNTIME.format(name="xgb-gpu", namespace="elsewhere", priority=5)
    (deployment,) = _run(("isvc.yaml", XGB_ISVC.format(extra="")), ("runtime.yaml", other)).deployments
    assert not deployment.attribute("predictor.serving_runtime").known
    assert deployment.units[0].compute.accelerator.value == "none"
    tie = [("a.yaml", GPU_RUNTIME.format(name=name, namespace="scoring", priority=1)) for name in ("one", "two")]
    (deployment,) = _run(("isvc.yaml", XGB_ISVC.format(extra="")), ("a.yaml", tie[0][1]), ("b.yaml", tie[1][1])).deployments
    runtime = deployment.attribute("predictor.serving_runtime")
    assert not runtime.known and "equally eligible" in runtime.note
    assert deployment.units[0].compute.accelerator.value == "none"


def test_a_named_runtime_missing_from_the_run_is_said_so():
    (deployment,) = _run(("isvc.yaml", XGB_ISVC.format(extra="      runtime: custom-xgb\n"))).deployments
    runtime = deployment.attribute("predictor.serving_runtime")
    assert not runtime.known and "no ServingRuntime or ClusterServingRuntime of that name" in runtime.note

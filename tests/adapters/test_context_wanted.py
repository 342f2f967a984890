"""Which context files the built-in adapters want parsed (`mldeploy_context_wanted`), and that the choice changes no finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cpu_bound import within
from scaling_stacks import SCALING_ROOT, SCALING_STACK, endpoint_root, endpoint_stack
from linter import ContextRequest, LintOptions, WholeNames, hookimpl
from linter.api import lint_paths
from linter.plugin_manager import build_plugin_host
from plugins.adapters import kubernetes
from plugins.adapters.kubernetes import ack_links, autoscalers, index, karpenter, kserve

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml, labels: {environment: production}}
spec:
  replicas: 1
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec: {containers: [{name: server, image: vllm/vllm-openai:v0.8.5}]}
"""
HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: ml}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 4
"""


def test_the_linking_words_cover_every_kind_the_index_links():
    kinds = {kind for _, kind in autoscalers.AUTOSCALER_KINDS | index.NODE_POOL_KINDS | kserve.RUNTIME_KINDS}
    kinds |= set(karpenter.NODE_CLASS_KINDS) | {"PodDisruptionBudget", "Namespace"}
    assert all(any(word in f"kind: {kind}" for word in kubernetes.LINKING_WORDS) for kind in kinds)
    assert all(any(word in f"apiVersion: {group}/v1" for word in kubernetes.LINKING_WORDS) for group, _ in ack_links.KINDS)
    assert not any(word in DEPLOYMENT for word in kubernetes.LINKING_WORDS)


def _wanted(text: str, linted: str) -> bool:
    return kubernetes.mldeploy_context_wanted("other.yaml", text, ContextRequest({"deploy.yaml": linted}, LintOptions()))


def test_an_autoscaler_is_wanted_only_when_it_may_name_a_linted_object():
    assert _wanted(HPA.format(name="scorer"), DEPLOYMENT)
    assert not _wanted(HPA.format(name="scorer-2"), DEPLOYMENT)  # a whole name, not a part of one
    assert not _wanted(DEPLOYMENT.replace("scorer", "other"), DEPLOYMENT)
    assert _wanted(DEPLOYMENT.replace("scorer", "other"), HPA.format(name="other"))  # a linted autoscaler's target may be anywhere
    assert _wanted("kind: PodDisruptionBudget\n", DEPLOYMENT)
    assert not _wanted(HPA.format(name="scorer"), "Resources: {}\n")  # no Kubernetes linted
    assert _wanted(HPA.format(name="x"), DEPLOYMENT.replace("name: scorer", "name: *scorer"))  # an alias: not read here
    assert not _wanted(HPA.format(name="scorer"), "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n")  # no linted object has a name


ACK_ENDPOINT = """apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Endpoint
metadata: {name: scorer, namespace: ml}
spec: {endpointName: scorer, endpointConfigName: scorer-config}
"""
RUNTIME = """apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {name: xgb-gpu, namespace: ml}
spec:
  supportedModelFormats:
    - {name: xgboost, autoSelect: true, priority: 2}
  containers:
    - name: kserve-container
      image: registry.example.com/serving/xgb-gpu-server:2.0
      resources:
        limits: {nvidia.com/gpu: "1", cpu: "4"}
"""
ISVC = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: churn, namespace: ml, labels: {environment: production}}
spec:
  predictor:
    minReplicas: 2
    model:
      modelFormat: {name: xgboost}
      storageUri: s3://models/churn
"""


def test_what_links_to_any_workload_is_wanted_and_what_links_only_to_its_own_kind_is_not():
    # Every linking word is accounted for: what applies to any workload, a KServe runtime, or an ACK resource.
    assert set(kubernetes.LINKING_WORDS) == {*kubernetes.AUTOSCALER_WORDS, *kubernetes._FOR_ANY_WORKLOAD, *kubernetes._FOR_KSERVE, *kubernetes._FOR_ACK}
    for word in ("PodDisruptionBudget", "NodePool", "Provisioner", "NodeClass"):
        assert _wanted(f"apiVersion: x/v1\nkind: {word}\n", DEPLOYMENT)
    # ACK resources link to each other only: wanted for a linted ACK resource, and a workload is not.
    assert not _wanted(ACK_ENDPOINT, DEPLOYMENT)
    assert _wanted(ACK_ENDPOINT, ACK_ENDPOINT.replace("Endpoint\n", "EndpointConfig\n"))
    assert not _wanted(DEPLOYMENT, ACK_ENDPOINT.replace("Endpoint\n", "EndpointConfig\n"))
    # A serving runtime links to InferenceServices only, and a linted runtime, pool or node class does not make
    # every file wanted: the workloads they serve are not judged in a context file.
    assert not _wanted(RUNTIME, DEPLOYMENT)
    assert _wanted(RUNTIME, ISVC)
    for linted in (RUNTIME, "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: gpu}\n"):
        assert not _wanted(DEPLOYMENT.replace("scorer", "other"), linted)


def _linted_in_repository(tmp_path, monkeypatch, files: dict[str, str], linted: str):
    """(the context files parsed, the result) of linting `linted` in a Git repository of `files` (path: text),
    its repository as context; its findings must be those of every context file parsed."""
    (tmp_path / ".git").mkdir()
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    parsed, filtered, every = _parsed_context(tmp_path, monkeypatch, linted)
    assert filtered.findings == every.findings
    return parsed, filtered


@pytest.mark.parametrize("linted", ["apps/isvc.yaml", "apps/deploy.yaml"])
def test_runtimes_and_ack_resources_left_out_change_no_finding(tmp_path, monkeypatch, linted):
    files = {"apps/isvc.yaml": ISVC, "apps/deploy.yaml": DEPLOYMENT, "platform/runtime.yaml": RUNTIME, "platform/ack.yaml": ACK_ENDPOINT}
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, linted)
    assert "platform/ack.yaml" not in parsed
    if linted == "apps/isvc.yaml":
        (deployment,) = filtered.deployments
        assert deployment.attribute("predictor.serving_runtime").value == "ServingRuntime xgb-gpu"
    else:
        assert "platform/runtime.yaml" not in parsed


ACK_REALTIME = Path(__file__).parents[1] / "fixtures" / "adapters" / "ack" / "xgboost-realtime"


@pytest.mark.parametrize("linted", ["autoscaling.yaml", "endpoint-config.yaml", "endpoint.yaml", "model.yaml"])
def test_a_linted_ack_resource_has_the_findings_of_every_file_parsed(tmp_path, monkeypatch, linted):
    files = {f"sagemaker/{path.name}": path.read_text() for path in ACK_REALTIME.glob("*.yaml")}
    others = {"apps/deploy.yaml": DEPLOYMENT, "apps/hpa.yaml": HPA.format(name="scorer")}
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, {**files, **others}, f"sagemaker/{linted}")
    assert filtered.findings
    assert set(files) - {f"sagemaker/{linted}"} <= parsed and not parsed & set(others)


POOL = """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: batch}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: reserved}
      requirements:
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
        - {key: node.kubernetes.io/instance-type, operator: In, values: [g5.2xlarge]}
"""
NODE_CLASS = """apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: reserved}
spec:
  capacityReservationSelectorTerms: [{tags: {team: ml}}]
"""
POOL_JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: embed, namespace: ml, annotations: {mldeploy-lint.io/urgency: deferrable}}
spec:
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {karpenter.sh/nodepool: batch}
      containers: [{name: embed, image: vllm/vllm-openai:v0.8.5}]
"""


@pytest.mark.parametrize("linted", ["platform/pool.yaml", "platform/nodeclass.yaml", "apps/job.yaml"])
def test_a_linted_pool_or_node_class_wants_what_a_workload_wants_and_finds_the_same(tmp_path, monkeypatch, linted):
    files = {"platform/pool.yaml": POOL, "platform/nodeclass.yaml": NODE_CLASS, "apps/job.yaml": POOL_JOB, "apps/deploy.yaml": DEPLOYMENT}
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, linted)
    assert "apps/deploy.yaml" not in parsed
    if linted == "platform/pool.yaml":  # its node class selects capacity reservations: read, so its capacity is not called on-demand
        (pool,) = filtered.deployments
        assert "selects capacity reservations" in pool.units[0].capacity.note
    if linted == "apps/job.yaml":
        assert {"platform/pool.yaml", "platform/nodeclass.yaml"} <= parsed


PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: scorer, namespace: ml}
spec: {maxUnavailable: 5, selector: {matchLabels: {app: scorer}}}
"""
NAMESPACE = """apiVersion: v1
kind: Namespace
metadata: {name: ml, labels: {environment: production}}
"""


def test_a_linted_budget_or_namespace_wants_what_a_workload_wants_not_every_file():
    other_workload = DEPLOYMENT.replace("scorer", "other")
    assert not _wanted(other_workload, PDB) and not _wanted(other_workload, NAMESPACE)
    assert _wanted(NAMESPACE, PDB) and _wanted(PDB, NAMESPACE)
    # A workload the budget may select (it carries the label value the budget requires): judged with it.
    assert _wanted(DEPLOYMENT, PDB) and not _wanted(DEPLOYMENT, NAMESPACE)
    assert not _wanted(DEPLOYMENT.replace("namespace: ml", "namespace: web"), PDB)
    assert _wanted(HPA.format(name="scorer"), PDB)  # it names a linted object: wanted, as for a workload
    assert _wanted(other_workload, HPA.format(name="other"))  # an autoscaler's target may be anywhere


@pytest.mark.parametrize("linted", ["platform/pdb.yaml", "platform/namespace.yaml", "platform/both.yaml"])
def test_a_linted_budget_or_namespace_has_the_findings_of_every_file_parsed(tmp_path, monkeypatch, linted):
    files = {
        "apps/deploy.yaml": DEPLOYMENT,
        "apps/hpa.yaml": HPA.format(name="scorer"),
        "platform/pdb.yaml": PDB,
        "platform/namespace.yaml": NAMESPACE,
        "platform/both.yaml": NAMESPACE + "---\n" + PDB + "---\n" + DEPLOYMENT.replace("scorer", "web"),
    }
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, linted)
    # A workload of another file: judged with a linted budget that selects it (its HA007 is the budget's),
    # not with a linted namespace (its findings are the workload's, where they are written).
    assert ("apps/deploy.yaml" in parsed) == (linted != "platform/namespace.yaml")
    if linted != "platform/namespace.yaml":  # maxUnavailable 5 of the replicas it selects (the harness: as every file parsed)
        assert "HA007" in {finding.rule_id for finding in filtered.findings}


@settings(max_examples=2000, deadline=None)
@given(st.text("abcde-1", max_size=12), st.text("abcde-1", max_size=12))
@example("scorer", "scorrer")
@example("scorer", "socrer")
@example("abcdef", "bacdfe")
@example("abc", "cab")
@example("llm-server", "server-1")
def test_may_be_typo_is_the_edit_distance_test_told_faster(written, meant):
    from plugins.adapters.kubernetes import readers

    assert readers.may_be_typo(written, meant) == (_osa_distance(written, meant) <= readers._typo_max_edits())


def _osa_distance(left: str, right: str) -> int:
    """The optimal string alignment distance worked out over the whole table: what `readers._edits` must agree with."""
    table = [[i + j if not i or not j else 0 for j in range(len(right) + 1)] for i in range(len(left) + 1)]
    for i in range(1, len(left) + 1):
        for j in range(1, len(right) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (left[i - 1] != right[j - 1]))
            if i > 1 and j > 1 and left[i - 1] == right[j - 2] and left[i - 2] == right[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@settings(max_examples=3000, deadline=None)
@given(st.text("abc-", max_size=14), st.text("abc-", max_size=14), st.integers(0, 4))
@example("scorer", "socrer", 1)
@example("abcdef", "badcfe", 2)
@example("ab", "", 1)
@example("", "", 0)
def test_the_banded_edit_count_is_the_whole_tables_up_to_its_bound(left, right, most):
    from plugins.adapters.kubernetes import readers

    assert readers._edits(left, right, most) == min(_osa_distance(left, right), most + 1)


def test_a_linted_autoscaler_wants_what_may_hold_its_target_or_a_name_it_may_misspell():
    hpa = HPA.format(name="scorer")  # namespace ml, scales Deployment scorer
    assert _wanted(DEPLOYMENT, hpa)  # the target
    assert _wanted(DEPLOYMENT.replace("namespace: ml", "namespace: other"), hpa)  # a namesake elsewhere
    assert _wanted(DEPLOYMENT.replace("scorer", "scorrer"), hpa)  # a name `scorer` may misspell, in its namespace
    assert not _wanted(DEPLOYMENT.replace("scorer", "scorrer").replace("namespace: ml", "namespace: other"), hpa)
    assert not _wanted(DEPLOYMENT.replace("scorer", "ranker"), hpa)  # too far from it to be meant
    assert not _wanted(DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace("scorer", "scorrer"), hpa)
    # In the default namespace, whose objects may not say so, the kind and a near name are enough.
    default_hpa = hpa.replace(", namespace: ml", "")
    assert _wanted(DEPLOYMENT.replace(", namespace: ml", "").replace("scorer", "scorrer"), default_hpa)
    # A linted workload's container is not an object: an autoscaler naming its name is not wanted for it.
    assert not _wanted(HPA.format(name="server"), DEPLOYMENT)


@pytest.mark.parametrize("target", ["scorer", "scorrer", "ranker", "namesake"])
def test_a_linted_autoscaler_has_the_findings_of_every_file_parsed(tmp_path, monkeypatch, target):
    workload = {
        "scorer": DEPLOYMENT,
        "scorrer": DEPLOYMENT.replace("scorer", "scorrer"),  # the HPA's target misspelt: AS002, with a hint
        "ranker": DEPLOYMENT.replace("scorer", "ranker"),  # nothing like it: rendered elsewhere, silent
        "namesake": DEPLOYMENT.replace(", namespace: ml", ""),  # which namespace is meant is not known: silent
    }[target]
    files = {"apps/hpa.yaml": HPA.format(name="scorer"), "apps/deploy.yaml": workload, "other/unrelated.yaml": DEPLOYMENT.replace("scorer", "x")}
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, "apps/hpa.yaml")
    assert ("AS002" in {finding.rule_id for finding in filtered.findings}) == (target == "scorrer")
    assert ("apps/deploy.yaml" in parsed) == (target != "ranker") and "other/unrelated.yaml" not in parsed


def test_a_namespace_is_wanted_as_an_object_not_as_a_cloudformation_word():
    assert _wanted("apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: {environment: production}}\n", DEPLOYMENT)
    assert _wanted('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}', DEPLOYMENT)
    alarm = "Resources:\n  Latency:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {Namespace: AWS/SageMaker, MetricName: ModelLatency}\n"
    assert not _wanted(alarm, DEPLOYMENT)
    assert not _wanted(alarm + "# the scorer's latency\n", DEPLOYMENT)  # a linted name, but no autoscaler
    assert not _wanted("Resources: {Target: {Properties: {ServiceNamespace: sagemaker}}}\n", DEPLOYMENT)
    ack_target = "apiVersion: applicationautoscaling.example/v1alpha1\nkind: ScalableTarget\nspec: {serviceNamespace: sagemaker}\n"
    assert not _wanted(ack_target, DEPLOYMENT)


@pytest.mark.parametrize("target", ["scorer", "scorer-2"])
def test_the_findings_are_those_of_every_context_file_parsed(tmp_path, monkeypatch, target):
    files = {"apps/deploy.yaml": DEPLOYMENT, "platform/hpa.yaml": HPA.format(name=target), "platform/other.yaml": DEPLOYMENT.replace("scorer", "other")}
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, "apps/deploy.yaml")
    assert ("AS001" in {finding.rule_id for finding in filtered.findings}) == (target != "scorer")
    assert ("platform/hpa.yaml" in parsed) == (target == "scorer") and "platform/other.yaml" not in parsed


TRIPLE = '"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/churn/variant/AllTraffic", "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"'


@pytest.mark.parametrize("linted", ["stacks/churn/endpoint.yaml", "scaling/target.json"])
def test_a_template_wants_the_request_documents_not_every_template_and_a_request_document_wants_both(tmp_path, monkeypatch, linted):
    # A repository of SageMaker stacks, and the CLI documents that scale one of their endpoints.
    files = {
        "stacks/churn/endpoint.yaml": endpoint_stack("churn"),
        "stacks/fraud/endpoint.yaml": endpoint_stack("fraud"),
        "scaling/target.json": "{" + TRIPLE + ', "MinCapacity": 2, "MaxCapacity": 6}',
        "scaling/policy.json": '{"PolicyName": "p", ' + TRIPLE + ', "PolicyType": "TargetTrackingScaling", '
        '"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70, "PredefinedMetricSpecification": '
        '{"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}}',
    }
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, linted)  # the findings of every file parsed
    assert filtered.findings == ()  # the endpoint scales, the target names it
    if linted == "scaling/target.json":
        assert {"stacks/churn/endpoint.yaml", "scaling/policy.json"} <= set(parsed)
    else:  # the other stack holds the keys of a request, but a template reads no other template's endpoints
        assert "scaling/target.json" in parsed and "stacks/fraud/endpoint.yaml" not in parsed


# A stack elsewhere that scales an endpoint, in each language: (endpoint stack of a name, scaling stack of churn, suffix).
_STACKS = {"cloudformation": (endpoint_stack, SCALING_STACK, ".yaml"), "terraform": (endpoint_root, SCALING_ROOT, "/main.tf")}


@pytest.mark.parametrize("language", sorted(_STACKS))
@pytest.mark.parametrize("changed", ["endpoint", "scaling"])
def test_a_stack_elsewhere_that_scales_the_endpoint_or_makes_it_is_wanted(tmp_path, monkeypatch, language, changed):
    # Endpoints in one directory (CloudFormation) or root (Terraform), their scaling in another.
    endpoint, scaling, suffix = _STACKS[language]
    files = {
        "endpoints/churn" + suffix: endpoint("churn"),
        "endpoints/fraud" + suffix: endpoint("fraud"),
        "other/fraud-scaling" + suffix: scaling.replace("churn", "fraud"),
        "scaling/churn-scaling" + suffix: scaling,
    }
    linted = ("endpoints/churn" if changed == "endpoint" else "scaling/churn-scaling") + suffix
    parsed, filtered = _linted_in_repository(tmp_path, monkeypatch, files, linted)  # the findings of every file parsed
    assert filtered.findings == ()  # neither AS001 on the endpoint nor AS002 on the target
    assert "other/fraud-scaling" + suffix not in parsed  # it names another endpoint
    if changed == "endpoint":
        assert "scaling/churn-scaling" + suffix in parsed
    else:
        assert "endpoints/churn" + suffix in parsed and "endpoints/fraud" + suffix not in parsed

EXTERNAL_ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: ranker
  namespace: ml
  labels: {environment: production}
  annotations: {serving.kserve.io/autoscalerClass: external}
spec:
  predictor:
    model: {modelFormat: {name: xgboost}, storageUri: s3://models/ranker}
"""
EXTERNAL_HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ranker, namespace: ml}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ranker-predictor}
  minReplicas: 1
  maxReplicas: 4
"""


@pytest.mark.parametrize("linted", ["serving/isvc.yaml", "platform/hpa.yaml"])
def test_an_external_autoscaler_of_a_kserve_component_and_the_inference_service_want_each_other(tmp_path, monkeypatch, linted):
    # The HPA names the Deployment KServe makes (`ranker-predictor`), not the InferenceService: either changed
    # alone takes the other as context, and judges as a run over both (HA003: its minimum is 1 in production).
    (tmp_path / ".git").mkdir()
    for path, text in (("serving/isvc.yaml", EXTERNAL_ISVC), ("platform/hpa.yaml", EXTERNAL_HPA), ("platform/other.yaml", HPA.format(name="other"))):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    first, filtered, every = _parsed_context(tmp_path, monkeypatch, linted)
    assert {"serving/isvc.yaml", "platform/hpa.yaml"} <= first and "platform/other.yaml" not in first
    assert filtered.findings == every.findings
    if linted == "serving/isvc.yaml":
        assert "HA003" in {finding.rule_id for finding in filtered.findings}
        (deployment,) = filtered.deployments
        assert deployment.units[0].scaling[0].min_capacity.value == 1  # the HPA's, read as context
    else:
        assert [target.status.value for target in filtered.scaling_targets] == ["linked"]


def _terraform_repository(root):
    """A module called from two stacks (one with stage files), a module it calls, and unrelated files."""
    import shutil

    example = Path(__file__).parents[2] / "examples" / "terraform" / "llm-summariser"
    (root / ".git").mkdir()
    module = root / "modules" / "summariser"
    module.mkdir(parents=True)
    for name in ("main.tf", "variables.tf"):
        shutil.copyfile(example / name, module / name)
    (module / "calls.tf").write_text('module "logs" {\n  source = "./logs"\n}\n')
    (module / "logs").mkdir()
    (module / "logs" / "main.tf").write_text('variable "days" {\n  default = 7\n}\n')
    for stack, count in (("prod", "var.replicas"), ("dev", "1")):
        (root / "stacks" / stack).mkdir(parents=True)
        (root / "stacks" / stack / "main.tf").write_text(
            f'module "summariser" {{\n  source         = "../../modules/summariser"\n  stage          = "{stack}"\n'
            f"  instance_count = {count}\n}}\n"
        )
    (root / "stacks" / "prod" / "variables.tf").write_text('variable "replicas" {\n  default = 2\n}\n')
    (root / "stacks" / "prod" / "single.tfvars").write_text("replicas = 1\n")
    (root / "other").mkdir()
    (root / "other" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (root / "other" / "terraform.tfvars").write_text('x = "y"\n')
    (root / "other" / "hpa.yaml").write_text(HPA.format(name="scorer"))
    return module


@pytest.mark.parametrize(
    "linted", ["modules/summariser/main.tf", "modules/summariser/variables.tf", "stacks/prod/main.tf", "stacks/prod/single.tfvars"]
)
def test_terraform_wants_its_module_the_modules_it_calls_and_their_callers(tmp_path, monkeypatch, linted):
    _terraform_repository(tmp_path)
    first, filtered, every = _parsed_context(tmp_path, monkeypatch, linted)
    assert filtered.findings == every.findings and filtered.files == every.files
    assert not {"other/main.tf", "other/terraform.tfvars", "other/hpa.yaml"} & first
    if linted.startswith("modules/"):  # judged once per call: both callers, with the stage file of one
        assert {"stacks/prod/main.tf", "stacks/prod/variables.tf", "stacks/prod/single.tfvars", "stacks/dev/main.tf"} <= first
        assert "HA001" in {finding.rule_id for finding in filtered.findings}
    elif linted.endswith(".tf"):  # the module it calls, and that one's own call
        assert {"modules/summariser/main.tf", "modules/summariser/logs/main.tf"} <= first
        assert "stacks/dev/main.tf" not in first


def _parsed_context(tmp_path, monkeypatch, linted: str) -> tuple[set[str], object, object]:
    """The files a repository-context run over `linted` parses, its result, and the result with every file parsed."""
    from linter import engine

    monkeypatch.chdir(tmp_path)
    parsed: list[str] = []
    load = engine._load
    monkeypatch.setattr(engine, "_load", lambda item, *args: parsed.append(item.path) or load(item, *args))
    filtered = lint_paths([linted], LintOptions(), context="repository")
    first = set(parsed)

    class Everything:
        @hookimpl
        def mldeploy_context_wanted(self, path, text, request):
            return True

    every = lint_paths([linted], context="repository", host=build_plugin_host(plugins=[("everything", Everything())]))
    return first, filtered, every


CHAIN_ENDPOINT = (
    'variable "size" {}\nresource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n'
    '    variant_name           = "AllTraffic"\n    model_name             = "m"\n    instance_type          = var.size\n'
    "    initial_instance_count = 1\n  }\n}\n"
)


def _chain(root) -> None:
    """live -> modules/svc -> modules/ep, with the root's stage file one directory below it."""
    files = {
        "live/main.tf": 'variable "size" {}\nmodule "svc" {\n  source = "../modules/svc"\n  size   = var.size\n}\n',
        "live/envs/prod.tfvars": 'size = "ml.g5.12xlarge"\n',
        "modules/svc/main.tf": 'variable "size" {}\nmodule "ep" {\n  source = "../ep"\n  size   = var.size\n}\n',
        "modules/ep/main.tf": CHAIN_ENDPOINT,
        "unrelated/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
    }
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize("linted", ["modules/ep/main.tf", "live/envs/prod.tfvars", "live/main.tf"])
def test_terraform_wants_the_whole_chain_of_calls_and_the_roots_stage_files(tmp_path, monkeypatch, linted):
    _chain(tmp_path)
    parsed, filtered, every = _parsed_context(tmp_path, monkeypatch, linted)
    assert filtered.findings == every.findings and filtered.deployments == every.deployments
    assert filtered.deployments  # judged through the chain, with the root's stage file
    assert {"live/main.tf", "live/envs/prod.tfvars", "modules/svc/main.tf", "modules/ep/main.tf"} <= parsed
    assert "unrelated/main.tf" not in parsed


def test_a_wide_cyclic_graph_of_calls_is_decided_once_per_directory_and_depth(tmp_path, monkeypatch):
    """40 modules each calling every other: whether a directory calls the linted module is answered in bounded work."""
    import time

    (tmp_path / ".git").mkdir()
    names = [f"m{index}" for index in range(40)]
    for name in names:
        blocks = "".join(f'module "{other}" {{\n  source = "../{other}"\n}}\n' for other in names if other != name)
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(blocks)
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "main.tf").write_text(CHAIN_ENDPOINT.replace("var.size", '"ml.m5.large"'))
    (tmp_path / "m0" / "main.tf").write_text((tmp_path / "m0" / "main.tf").read_text() + 'module "t" {\n  source = "../target"\n}\n')
    monkeypatch.chdir(tmp_path)
    started = time.process_time()
    lint_paths(["target/main.tf"], LintOptions(), context="repository")
    assert time.process_time() - started < 20


# --- the built-in prefilters: every file an adapter's hook wants is one its prefilter leaves ---------


def _leaves(prefilter, path: str, text: str) -> bool:
    """What `linter.ContextPrefilter` documents, written out again."""
    import os
    import re

    if prefilter is None:
        return True
    if any(word in text for word in prefilter.words) or any(word in text.lower() for word in prefilter.folded_words):
        return True
    named = any(re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", text) for name in prefilter.names)
    if named and any(word in text for word in prefilter.naming_words):
        return True
    if path.lower().endswith(prefilter.suffixes):
        return True
    return prefilter.directory_wanted is not None and bool(prefilter.directory_wanted(os.path.dirname(path)))


def _repository_files() -> list[str]:
    from pathlib import Path

    root = Path(__file__).parents[2]
    found = []
    for top in ("examples", "tests/fixtures"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".tf", ".tfvars", ".template"):
                found.append(str(path.relative_to(root)))
    return found


def test_every_file_a_built_in_adapter_wants_is_one_its_prefilter_leaves(monkeypatch):
    from pathlib import Path

    from plugins.adapters import cloudformation, sagemaker_api, terraform, workflows

    monkeypatch.chdir(Path(__file__).parents[2])
    files = _repository_files()
    texts = {path: Path(path).read_text(errors="replace") for path in files}
    # Each file linted alone, a pair of a manifest and a template, and a plan beside its configuration.
    linted_sets = [[path] for path in files[::3]] + [["examples/kubernetes/recommender-kserve.yaml", "examples/cloudformation/llm-chat-endpoint.yaml"]]
    wanted = 0
    for linted in linted_sets:
        for adapter in (kubernetes, cloudformation, terraform, workflows, sagemaker_api):
            request = ContextRequest({path: texts[path] for path in linted}, LintOptions())
            prefilter = adapter.mldeploy_context_prefilter(request)
            for path in files:
                if path in linted:
                    continue
                if adapter.mldeploy_context_wanted(path, texts[path], request):
                    wanted += 1
                    assert _leaves(prefilter, path, texts[path]), (adapter.__name__, linted, path)
    assert wanted > 1000  # the check saw many wanted files


_NAME_TEXT = st.text(alphabet="ab-._/: é", max_size=5)


@settings(max_examples=3000, deadline=None)
@given(names=st.frozensets(_NAME_TEXT, min_size=1, max_size=3), text=st.text(alphabet="ab-._/: é\nx", max_size=40))
@example(names=frozenset({""}), text="a")  # an empty name: the search must end past the text's end
@example(names=frozenset({"a-b", "b"}), text="xa-b b")
def test_whole_names_are_found_as_the_look_behind_pattern_finds_them(names: frozenset, text: str):
    import re

    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    expected = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w.-])").search(text)
    with within(0.5):  # a search that never moves past the end would hang here instead
        found = WholeNames(names).search(text)
    found_at = (found.span(), found.group()) if found is not None else None
    expected_at = (expected.span(), expected.group()) if expected is not None else None
    assert found_at == expected_at


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="name\"': {}[]#,x-\n ", max_size=60))
@example(text="\"name\": \"a\", 'name':b, name: c, hostname: d")
def test_the_names_after_a_name_key_are_those_a_pattern_matching_the_quote_before_finds(text: str):
    import re

    with_quote = re.compile(r"""["']?name["']?\s*:\s*["']?([^\s"',{}\[\]#]*)""")
    assert [match.group(1) for match in kubernetes._NAME.finditer(text)] == [match.group(1) for match in with_quote.finditer(text)]

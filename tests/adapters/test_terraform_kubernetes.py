"""Kubernetes provider resources in Terraform, read by the Kubernetes adapter as embedded documents.

tests/fixtures/parity/kubernetes.yaml and kubernetes.tf declare the same
objects: a production vLLM Deployment with one replica, no probe and no
autoscaler (AS001, HA003, HA008); a Triton Deployment scaled by an HPA and
covered by a PodDisruptionBudget, with no zone spread (HA004); an HPA
naming a Deployment that does not exist (AS002). Each file is linted alone;
the findings must agree in rule, message and severity.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from linter import MappingNode, hookimpl
from linter.api import lint_paths
from linter.engine import LintOptions
from linter.explain import explain_json
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PARITY = FIXTURES / "parity"
VLLM = FIXTURES / "terraform-kubernetes" / "ai-on-gke-vllm"


def _findings(path: Path) -> list[tuple[str, str, str]]:
    result = lint_paths([str(path)], context="none")
    return sorted((finding.rule_id, finding.message, finding.severity.value) for finding in result.findings)


def test_yaml_and_terraform_give_the_same_findings():
    yaml_findings = _findings(PARITY / "kubernetes.yaml")
    terraform = _findings(PARITY / "kubernetes.tf")
    assert sorted(rule for rule, _, _ in terraform) == ["AS001", "AS002", "HA003", "HA004", "HA008"]
    assert terraform == yaml_findings


def _without_places(value):
    if isinstance(value, dict):
        return {key: _without_places(item) for key, item in value.items() if key not in ("at", "span", "id", "related")}
    if isinstance(value, list):
        return [_without_places(item) for item in value]
    return value


def test_yaml_and_terraform_give_the_same_model():
    """The deployments and targets agree in every fact; only where each fact is written differs."""
    models = []
    for name in ("kubernetes.yaml", "kubernetes.tf"):
        result = lint_paths([str(PARITY / name)], LintOptions(selector=RuleSelector(("MD",))), context="none")
        text = explain_json(result.deployments, result.scaling_targets, base=str(PARITY)).replace("kubernetes.tf", "kubernetes.yaml")
        models.append(_without_places(json.loads(text)))
    assert len(models[1]["deployments"]) == 2 and len(models[1]["scaling_targets"]) == 2
    assert models[1] == models[0]


def test_the_terraform_findings_point_at_the_terraform_arguments():
    result = lint_paths([str(PARITY / "kubernetes.tf")], context="none")
    text = (PARITY / "kubernetes.tf").read_text().splitlines()
    lines = {finding.rule_id: text[finding.span.line - 1] for finding in result.findings}
    assert all(finding.span.path.endswith("kubernetes.tf") for finding in result.findings)
    assert "replicas = 1" in lines["AS001"] and "replicas = 1" in lines["HA003"]
    assert "vllm/vllm-openai" in lines["HA008"]
    assert '"rankr"' in lines["AS002"]


def test_a_module_whose_manifests_are_not_known_reads_cleanly_to_nothing():
    """ai-on-gke's vLLM benchmark: its manifests are `for_each` over `fileset()` (not evaluated), its template has directives."""
    from plugins.adapters.terraform.hcl import Call
    from plugins.adapters.terraform.kubernetes import decoded_file
    from plugins.adapters.terraform.values import Scope

    result = lint_paths([str(VLLM)], context="none")
    assert result.findings == () and result.deployments == ()
    terraform = _module(VLLM / "main.tf")
    node, reason = decoded_file(terraform, _yamldecode(terraform, "vllm-pod-monitoring"), Scope(), _span())
    assert node is None and "not a file of the module" in reason
    template = _call_text(terraform, 'templatefile("${path.module}/manifest-templates/vllm.tftpl", {namespace = "x"})')
    node, reason = decoded_file(terraform, Call(template.span, "yamldecode(...)", "yamldecode", (template,)), Scope(), _span())
    assert node is None and "directives" in reason


def _span():
    from linter import Span

    return Span.point("main.tf", 1)


def _module(path: Path):
    from linter.source import LoadLimits
    from plugins.adapters.terraform.hcl import load_hcl
    from plugins.adapters.terraform.module import build_module

    documents = []
    for file in sorted(path.parent.glob("*.tf")):
        documents.extend(load_hcl(str(file), file.read_text(), LoadLimits()).documents)
    return build_module(str(path.parent), documents, [])


def _yamldecode(terraform, name: str):
    for resource in terraform.resources:
        if resource.name == name:
            return resource.body.get("manifest").expression
    raise AssertionError(name)


def _call_text(terraform, text: str):
    from linter.source import LoadLimits
    from plugins.adapters.terraform.hcl import load_hcl

    source = load_hcl(str(Path(terraform.directory) / "probe.tf"), f"locals {{\n  probe = {text}\n}}\n", LoadLimits())
    return source.documents[0].root.get("locals").get("probe").expression


DEPLOYMENT_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: llm}
  template:
    metadata:
      labels: {app: llm}
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.5.5
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def _write(directory: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def test_a_manifest_decoded_from_a_template_and_one_written_in_hcl(tmp_path: Path):
    """Known template variables are substituted, unknown ones stay unknown; every finding points at the `manifest` argument."""
    _write(
        tmp_path,
        {
            "deployment.yaml.tftpl": DEPLOYMENT_YAML,
            "main.tf": (
                'variable "replicas" {\n  type = number\n}\n'
                'resource "kubernetes_manifest" "llm" {\n'
                '  manifest = yamldecode(templatefile("${path.module}/deployment.yaml.tftpl", {namespace = "prod", replicas = var.replicas}))\n'
                "}\n"
                'resource "kubernetes_manifest" "hpa" {\n'
                "  manifest = {\n"
                '    apiVersion = "autoscaling/v2"\n'
                '    kind       = "HorizontalPodAutoscaler"\n'
                '    metadata   = { name = "llm", namespace = "prod" }\n'
                "    spec = {\n"
                '      scaleTargetRef = { apiVersion = "apps/v1", kind = "Deployment", name = "lm" }\n'
                "      minReplicas    = 2\n"
                "      maxReplicas    = 4\n"
                "    }\n"
                "  }\n"
                "}\n"
            ),
        },
    )
    result = lint_paths([str(tmp_path)], context="none")
    (deployment,) = result.deployments
    assert deployment.id.endswith("main.tf#Deployment/prod/llm")
    assert not deployment.units[0].count.known and "${replicas}" in deployment.units[0].count.note
    assert deployment.span.line == 5 and deployment.span.path.endswith("main.tf")
    rules = {finding.rule_id: finding for finding in result.findings}
    span = rules["AS002"].span  # the HPA names Deployment "lm": the name written in the HCL object
    assert (tmp_path / "main.tf").read_text().splitlines()[span.line - 1][span.column - 1 : span.end_column - 1] == '"lm"'
    assert all(finding.span.path.endswith("main.tf") for finding in result.findings)


@pytest.mark.parametrize(
    "files, reason",
    [
        ({}, "not a file of the module"),
        ({"deploy.yaml": b"\x00\x01\x02binary"}, "not text"),
        ({"deploy.yaml": b"kind: caf\xe9\n"}, "not UTF-8"),
        ({"deploy.yaml": "a: [1\n"}, "not YAML"),
        ({"deploy.yaml": "a: 1\n---\nb: 2\n"}, "exactly one YAML mapping"),
        ({"deploy.yaml": "x: " + "y" * 1_000_001 + "\n"}, "larger than"),
    ],
    ids=["missing", "binary", "latin1", "malformed", "two-documents", "oversized"],
)
def test_a_manifest_file_that_cannot_be_read_describes_nothing(tmp_path: Path, files: dict, reason: str):
    from plugins.adapters.terraform.kubernetes import decoded_file
    from plugins.adapters.terraform.values import Scope

    main = 'resource "kubernetes_manifest" "m" {\n  manifest = yamldecode(file("${path.module}/deploy.yaml"))\n}\n'
    _write(tmp_path, {"main.tf": main, **files})
    terraform = _module(tmp_path / "main.tf")
    node, why = decoded_file(terraform, _yamldecode(terraform, "m"), Scope(), _span())
    assert node is None and reason in why
    result = lint_paths([str(tmp_path / "main.tf")], context="none")
    assert result.findings == () and result.deployments == ()


def test_a_manifest_file_outside_the_module_is_not_read(tmp_path: Path):
    from plugins.adapters.terraform.kubernetes import decoded_file
    from plugins.adapters.terraform.values import Scope

    _write(tmp_path, {"deploy.yaml": DEPLOYMENT_YAML, "module/main.tf": 'resource "kubernetes_manifest" "m" {\n  manifest = yamldecode(file("../deploy.yaml"))\n}\n'})
    terraform = _module(tmp_path / "module" / "main.tf")
    node, why = decoded_file(terraform, _yamldecode(terraform, "m"), Scope(), _span())
    assert node is None and "outside the module" in why


def test_deep_and_huge_manifest_objects_are_bounded(tmp_path: Path):
    deep = "{ a = " * 60 + "1" + " }" * 60  # within the HCL loader's nesting limit (deeper is its located MD001)
    huge = "{\n" + "".join(f"    k{index} = {index}\n" for index in range(12_000)) + "  }"
    _write(
        tmp_path,
        {
            "main.tf": (
                f'resource "kubernetes_manifest" "deep" {{\n  manifest = {deep}\n}}\n'
                f'resource "kubernetes_manifest" "huge" {{\n  manifest = {huge}\n}}\n'
                'resource "kubernetes_deployment" "many" {\n  count = 64\n  metadata {\n    name = "many-${count.index}"\n  }\n'
                "  spec {\n    template {\n      spec {\n"
                + '        container {\n          name = "c"\n          image = "vllm/vllm-openai:v0.5.5"\n        }\n' * 20
                + "      }\n    }\n  }\n}\n"
            )
        },
    )
    started = time.process_time()
    result = lint_paths([str(tmp_path)], context="none")
    assert time.process_time() - started < 20
    assert not [finding for finding in result.findings if finding.rule_id.startswith("MD")]
    assert 0 < len(result.deployments) <= 64


def test_an_embedding_plugin_that_fails_is_reported_and_isolated(tmp_path: Path):
    class Failing:
        @hookimpl
        def mldeploy_embedded_documents(self, document, run):
            raise RuntimeError("boom")

    class Wrong:
        @hookimpl
        def mldeploy_embedded_documents(self, document, run):
            return ["not a node"]

    (tmp_path / "kubernetes.tf").write_text((PARITY / "kubernetes.tf").read_text())
    host = build_plugin_host(plugins=[("failing", Failing()), ("wrong", Wrong())])
    result = lint_paths([str(tmp_path / "kubernetes.tf")], host=host, context="none")
    errors = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert len(errors) == 2 and {"failing", "wrong"} <= {word.strip("'") for finding in errors for word in finding.message.split()}
    assert len(result.deployments) == 2  # the Terraform adapter's objects are still read


def test_a_third_party_plugin_can_embed_a_document(tmp_path: Path):
    """The hook is not Terraform's: any plugin may hand the Kubernetes adapter an object located in its own file."""
    from linter import ScalarNode, SequenceNode

    class Embedding:
        @hookimpl
        def mldeploy_embedded_documents(self, document, run):
            if not document.path.endswith("app.yaml") or document.embedded_in is not None:
                return None
            span = document.root.span

            def mapping(**items):
                return MappingNode(tuple((ScalarNode(key, span, "str"), value) for key, value in items.items()), span)

            def text(value):
                return ScalarNode(value, span, "str" if isinstance(value, str) else "int")

            container = mapping(name=text("server"), image=text("vllm/vllm-openai:v0.5.5"))
            pod = mapping(metadata=mapping(labels=mapping(app=text("x"))), spec=mapping(containers=SequenceNode((container,), span)))
            return [mapping(apiVersion=text("apps/v1"), kind=text("Deployment"), metadata=mapping(name=text("x")), spec=mapping(replicas=text(1), template=pod))]

    (tmp_path / "app.yaml").write_text("service: x\n")
    host = build_plugin_host(plugins=[("embedding", Embedding())])
    result = lint_paths([str(tmp_path / "app.yaml")], host=host, context="none")
    assert [deployment.id.rsplit("#", 1)[1] for deployment in result.deployments] == ["Deployment/default/x"]
    assert result.files[0].recognised


UNDECIDED_NAMESPACE = """variable "prod_namespace" {
  type = string
}
resource "kubernetes_deployment" "llm" {
  metadata {
    name      = "llm"
    namespace = var.prod_namespace
  }
  spec {
    replicas = 1
    template {
      spec {
        container {
          name  = "server"
          image = "vllm/vllm-openai:v0.5.5"
        }
      }
    }
  }
}
"""

BUDGET_ELSEWHERE = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: any, namespace: prod}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: llm}}
"""


def test_a_namespace_the_module_does_not_decide_names_no_stage_and_matches_no_budget(tmp_path: Path):
    """`${var.prod_namespace}` is unknown: its words are a variable's, and a budget of the run may be in that namespace."""
    _write(tmp_path, {"main.tf": UNDECIDED_NAMESPACE, "pdb.yaml": BUDGET_ELSEWHERE})
    result = lint_paths([str(tmp_path / "main.tf")], context="none")
    (deployment,) = result.deployments
    assert not deployment.environment.known
    assert deployment.availability.disruption_budget.value == ""  # no budget anywhere in the run: none covers it
    result = lint_paths([str(tmp_path / "main.tf"), str(tmp_path / "pdb.yaml")], context="none")
    (deployment,) = result.deployments
    budget = deployment.availability.disruption_budget
    assert not budget.known and "is not known" in budget.note


def test_pod_labels_the_module_does_not_decide_match_no_budget(tmp_path: Path):
    """Labels from a data source are unknown: a budget of the namespace may or may not select the pods."""
    module = UNDECIDED_NAMESPACE.replace("namespace = var.prod_namespace", 'namespace = "prod"').replace(
        "    template {\n", "    template {\n      metadata {\n        labels = data.external.pod.result\n      }\n"
    )
    _write(tmp_path, {"main.tf": module, "pdb.yaml": BUDGET_ELSEWHERE})
    result = lint_paths([str(tmp_path / "main.tf"), str(tmp_path / "pdb.yaml")], context="none")
    (deployment,) = result.deployments
    budget = deployment.availability.disruption_budget
    assert not budget.known and "labels" in budget.note


def test_an_autoscaling_v1_hpa_scales_a_deployment_of_another_file(tmp_path: Path):
    """`kubernetes_horizontal_pod_autoscaler` with `target_cpu_utilization_percentage` (autoscaling/v1) names a YAML Deployment."""
    deployment = (PARITY / "kubernetes.yaml").read_text().split("---")[0]
    hpa = (
        'resource "kubernetes_horizontal_pod_autoscaler" "llm" {\n'
        '  metadata {\n    name      = "llm"\n    namespace = "prod"\n  }\n'
        "  spec {\n    min_replicas = 2\n    max_replicas = 5\n"
        '    target_cpu_utilization_percentage = 80\n'
        '    scale_target_ref {\n      kind = "Deployment"\n      name = "llm"\n    }\n  }\n}\n'
    )
    _write(tmp_path, {"deploy.yaml": deployment, "hpa.tf": hpa})
    result = lint_paths([str(tmp_path / "deploy.yaml"), str(tmp_path / "hpa.tf")], context="none")
    (found,) = result.deployments
    (scaling,) = found.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 5)
    assert [policy.metric.value for policy in scaling.policies] == ["cpu"]
    assert scaling.min_capacity.span.path.endswith("hpa.tf")
    assert not {"AS001", "HA003"} & {finding.rule_id for finding in result.findings}


def test_a_terraform_autoscaler_beside_a_linted_manifest_is_read_as_context(tmp_path: Path):
    """A pre-commit run given only deploy.yaml reads the .tf file beside it that may scale it."""
    deployment = (PARITY / "kubernetes.yaml").read_text().split("---")[0]
    hpa = (
        'resource "kubernetes_horizontal_pod_autoscaler_v2" "llm" {\n'
        '  metadata {\n    name      = "llm"\n    namespace = "prod"\n  }\n'
        "  spec {\n    min_replicas = 2\n    max_replicas = 5\n"
        '    scale_target_ref {\n      kind = "Deployment"\n      name = "llm"\n    }\n  }\n}\n'
    )
    _write(tmp_path, {"deploy.yaml": deployment, "hpa.tf": hpa, "other.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    result = lint_paths([str(tmp_path / "deploy.yaml")], context="siblings")
    (found,) = result.deployments
    assert [scaling.max_capacity.value for scaling in found.units[0].scaling] == [5]
    assert {finding.span.path for finding in result.findings} <= {str(tmp_path / "deploy.yaml")}


def test_instances_that_write_one_object_are_one_object(tmp_path: Path):
    """`count = 2` with a fixed name applies one Deployment (the second would conflict); `count.index` in the name, two."""
    body = UNDECIDED_NAMESPACE.replace('resource "kubernetes_deployment" "llm" {\n', 'resource "kubernetes_deployment" "llm" {\n  count = 2\n')
    _write(tmp_path, {"main.tf": body})
    assert len(lint_paths([str(tmp_path / "main.tf")], context="none").deployments) == 1
    _write(tmp_path, {"main.tf": body.replace('name      = "llm"', 'name      = "llm-${count.index}"')})
    assert sorted(deployment.name.value for deployment in lint_paths([str(tmp_path / "main.tf")], context="none").deployments) == ["llm-0", "llm-1"]


def test_pod_labels_from_a_decided_for_expression_match_the_budget_that_selects_them(tmp_path: Path):
    """`labels = { for key in ["app"] : key => "llm" }` is decided: the namespace's budget that selects `app: llm` covers the pods."""
    module = UNDECIDED_NAMESPACE.replace("namespace = var.prod_namespace", 'namespace = "prod"').replace(
        "    template {\n", "    template {\n      metadata {\n        labels = { for key in [\"app\"] : key => \"llm\" }\n      }\n"
    )
    _write(tmp_path, {"main.tf": module, "pdb.yaml": BUDGET_ELSEWHERE})
    result = lint_paths([str(tmp_path / "main.tf"), str(tmp_path / "pdb.yaml")], context="none")
    (deployment,) = result.deployments
    budget = deployment.availability.disruption_budget
    assert budget.known and budget.span.path.endswith("pdb.yaml")


STAGED = """variable "stage" {
  type    = string
  default = "default"
}
variable "replicas" {
  type    = number
  default = 1
}
resource "kubernetes_deployment" "llm" {
  metadata {
    name      = "llm-${var.stage}"
    namespace = "serving"
  }
  spec {
    replicas = var.replicas
    template {
      spec {
        container {
          name  = "server"
          image = "vllm/vllm-openai:v0.5.5"
        }
      }
    }
  }
}
"""


def _replicas(result) -> list[tuple[str, object]]:
    return sorted((deployment.name.value, deployment.units[0].count.value) for deployment in result.deployments)


def test_objects_follow_the_stage_files_and_module_calls_of_their_module(tmp_path: Path):
    """Each stage file (and each module call) is one reading, as for the SageMaker resources, when their objects differ."""
    stages = {"dev.tfvars": 'stage = "dev"\n', "prod.tfvars": 'stage = "prod"\nreplicas = 3\n'}
    _write(tmp_path / "staged", {"main.tf": STAGED, **stages})
    result = lint_paths([str(tmp_path / "staged")], context="none")
    assert _replicas(result) == [("llm-dev", 1), ("llm-prod", 3)]
    calls = 'module "a" {\n  source = "./llm"\n  stage = "a"\n}\nmodule "b" {\n  source = "./llm"\n  stage = "b"\n  replicas = 2\n}\n'
    _write(tmp_path / "called", {"main.tf": calls, "llm/main.tf": STAGED})
    result = lint_paths([str(tmp_path / "called")], context="none")
    assert _replicas(result) == [("llm-a", 1), ("llm-b", 2)]


def test_readings_that_write_one_object_leave_the_module_read_by_itself(tmp_path: Path):
    """Two stage files naming the same object would be two copies of it for the Kubernetes links: the module's own reading stays."""
    fixed = STAGED.replace('name      = "llm-${var.stage}"', 'name      = "llm"')
    _write(tmp_path, {"main.tf": fixed, "dev.tfvars": 'stage = "dev"\n', "prod.tfvars": 'stage = "prod"\nreplicas = 3\n'})
    result = lint_paths([str(tmp_path)], context="none")
    assert _replicas(result) == [("llm", 1)]


UNKNOWN_PARTS = """variable "namespace" {}
variable "model" {}
variable "gpus" {}
locals {
  args   = ["--model", var.model]
  limits = { cpu = "8", "nvidia.com/gpu" = var.gpus }
}
resource "kubernetes_manifest" "written_in_hcl" {
  manifest = {
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "manifest", namespace = var.namespace }
    spec = {
      template = {
        spec = {
          containers = [{ name = "server", image = "vllm/vllm-openai:v0.5.5", args = local.args, resources = { limits = local.limits } }]
        }
      }
    }
  }
}
resource "kubernetes_deployment" "provider" {
  metadata {
    name      = "provider"
    namespace = var.namespace
  }
  spec {
    template {
      spec {
        container {
          name  = "server"
          image = "vllm/vllm-openai:v0.5.5"
          args  = local.args
          resources {
            limits = local.limits
          }
        }
      }
    }
  }
}
"""


def test_an_unknown_part_of_a_value_is_unknown_and_an_unknown_whole_value_names_its_expression(tmp_path: Path):
    """Variables with no value have no text of their own. One inside `local.args` (an element) or `local.limits` (an
    attribute) is `${unknown}`: `${local.args}` would name the whole list as what is not known. `namespace = var.namespace`
    is unknown as a whole and names its expression."""
    from linter.engine import LintOptions, RunContext
    from linter.source import LoadLimits
    from plugins.adapters.terraform.hcl import load_hcl
    from plugins.adapters.terraform.kubernetes import embedded_objects

    (document,) = load_hcl(str(tmp_path / "main.tf"), UNKNOWN_PARTS, LoadLimits()).documents
    objects = {root.get("metadata").get("name").value: root for root in embedded_objects(document, RunContext((document,), LintOptions()))}
    assert sorted(objects) == ["manifest", "provider"]
    for root in objects.values():
        assert root.get("metadata").get("namespace").value == "${var.namespace}"
        (container,) = root.get("spec").get("template").get("spec").get("containers").items
        args = container.get("args").items
        assert [item.value for item in args] == ["--model", "${unknown}"]
        assert "var.model" in args[1].unknown.note  # the reason is kept for the readers
        limits = container.get("resources").get("limits")
        assert [(key.value, value.value) for key, value in limits.pairs] == [("cpu", "8"), ("nvidia.com/gpu", "${unknown}")]

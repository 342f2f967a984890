"""The whole shared corpus lints without a traceback, and MD001 only where a file is truly broken.

Reads ../shared/corpus (present on development machines and in CI); skips
with a reason elsewhere.
"""

from __future__ import annotations

import csv
import subprocess
import sys

from linter.api import lint_paths

# Files that parse as YAML but break a rule of it that we report as MD001:
# duplicate keys (CloudFormation and Kubernetes treat them as errors too).
DUPLICATE_KEY_FILES = {
    "peers/cfn-lint/templates/bad/duplicate.json",
    "peers/cfn-lint/templates/bad/duplicate.yaml",
    "peers/kube-linter/tests/checks/cel.yml",
}
# A key written twice with the same value: a warning, not an error.
SAME_VALUE_DUPLICATE_KEY_FILES = {
    f"aws__amazon-sagemaker-operator-for-k8s/hack/charts/training-jobs/examples/{name}_values.yaml"
    for name in ("efs", "fsx", "s3", "spot")
}
# One note per Helm chart (at its first template) or per Go-template file outside a chart.
UNRENDERED_NOTES = {
    "peers/kube-linter/tests/testdata/malformed-deps-chart/templates/configmap.yaml",  # plain YAML, in a chart
    "peers/kube-linter/tests/testdata/mychart/templates/deployment.yaml",
    "peers/kube-linter/tests/testdata/subchart/templates/deployment.yaml",
    "triton-inference-server__server/deploy/aws/templates/deployment.yaml",
    "triton-inference-server__server/deploy/k8s-onprem/templates/hpa.yaml",
}


def _does_not_parse(corpus) -> set[str]:
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["local_path"] for row in rows if "DOES NOT PARSE" in (row.get("notes") or "")}


def _unrendered(path) -> bool:
    from plugins.adapters.kubernetes.helm import chart_file, looks_like_go_template

    placement = chart_file(str(path))
    return bool(placement and placement.template) or looks_like_go_template(path.read_text(encoding="utf-8", errors="replace"))


def test_corpus_lints_without_plugin_errors(corpus):
    result = lint_paths([str(corpus)])
    assert len(result.files) > 600
    plugin_errors = [f"{finding.path}: {finding.message}" for finding in result.findings if finding.rule_id == "MD002"]
    assert plugin_errors == []
    broken = {
        finding.path[len(str(corpus)) + 1 :] for finding in result.findings if finding.rule_id == "MD001"
    }
    unrendered = {
        finding.path[len(str(corpus)) + 1 :] for finding in result.findings if finding.rule_id == "MD005"
    }
    # Helm chart templates and other Go templates do not parse, and are not
    # parse errors either: one MD005 note per chart (or template file) instead.
    assert unrendered == UNRENDERED_NOTES
    templates = {path for path in _does_not_parse(corpus) if _unrendered(corpus / path)}
    expected = (_does_not_parse(corpus) - templates) | DUPLICATE_KEY_FILES | SAME_VALUE_DUPLICATE_KEY_FILES
    assert broken - expected == set(), "MD001 on files that parse"
    assert expected - broken == set(), "files the manifest calls unparseable were read without MD001"
    with_errors = {
        finding.path[len(str(corpus)) + 1 :]
        for finding in result.findings
        if finding.rule_id == "MD001" and finding.severity.value == "error"
    }
    assert broken - with_errors == SAME_VALUE_DUPLICATE_KEY_FILES


def test_corpus_cli_prints_no_traceback(corpus):
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "--format", "json", str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode in (0, 1), completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


def test_terraform_corpus_reads_every_file_without_errors(corpus):
    """Every Terraform file parses (no MD001), no plugin fails (no MD002), and the SageMaker modules read as deployments."""
    terraform = corpus / "terraform"
    result = lint_paths([str(terraform)])
    files = {summary.path[len(str(terraform)) + 1 :] for summary in result.files}
    assert len([name for name in files if name.endswith((".tf", ".tfvars", ".tfvars.json"))]) >= 75
    problems = [f"{finding.rule_id} {finding.path}:{finding.span.line}: {finding.message}" for finding in result.findings if finding.rule_id in ("MD001", "MD002")]
    assert problems == []
    anchored = {deployment.path[len(str(terraform)) + 1 :] for deployment in result.deployments}
    assert {
        "aws-ia__terraform-aws-sagemaker-endpoint/main.tf",
        "philschmid__terraform-aws-sagemaker-huggingface/main.tf",
        "uktrade__data-workspace/infra/modules/sagemaker_deployment/main.tf",
        "aws-samples__sagemaker-custom-project-templates/mlops-multi-account-tf/template-repos/model-deployment-realtime/endpoint-config.tf",
    } <= anchored

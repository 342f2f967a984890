"""Helm charts and Go templates (MD005), rendered streams' `# Source:` origins, and streams with one broken document."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES
from linter.api import lint_paths, lint_text
from linter.rules import Severity
from linter.source import load_text
from plugins.adapters.kubernetes.helm import chart_file, looks_like_go_template, rendered_origins

CHART_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chat.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
"""

CHART_HPA = """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "chat.fullname" . }}
{{- end }}
"""

PLAIN_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
"""


def _chart(root: Path, name: str = "chat") -> Path:
    chart = root / "charts" / name
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    # values.yaml is not a manifest (and is not even YAML a linter should judge).
    (chart / "values.yaml").write_text("replicaCount: 1\nreplicaCount: 2\nimage: {{ broken\n")
    (chart / "values-prod.yaml").write_text("replicaCount: 3\n")
    (chart / "templates" / "deployment.yaml").write_text(CHART_DEPLOYMENT)
    (chart / "templates" / "hpa.yaml").write_text(CHART_HPA)
    (chart / "templates" / "_helpers.tpl").write_text('{{- define "chat.fullname" -}}chat{{- end }}\n')
    (chart / "templates" / "NOTES.txt").write_text("Thanks for installing {{ .Chart.Name }}.\n")
    (chart / "crds" / "widgets.yaml").write_text(PLAIN_CRD)
    return chart


def test_a_chart_in_a_directory_run_is_one_info_note_and_no_parse_error(chdir_tmp, cli):
    _chart(chdir_tmp)
    result = cli("charts", "--no-config")
    assert result.code == 0, result.out  # info does not fail the default --fail-on warning
    lines = [line for line in result.out.splitlines() if ": " in line and "MD0" in line]
    assert lines == [
        "charts/chat/templates/deployment.yaml:1:1: info MD005 [unrendered-template] Helm chart charts/chat is not "
        "linted: its templates/ hold Go templates (2 template files) — render the chart and lint the output: "
        "helm template charts/chat | mldeploy-lint -"
    ]
    assert "values.yaml" not in result.out


def test_chart_values_and_metadata_are_skipped_and_plain_chart_files_are_linted(tmp_path):
    chart = _chart(tmp_path)
    (chart / "crds" / "broken.yaml").write_text("kind: [\n")
    result = lint_paths([str(tmp_path)])
    by_rule = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(Path(finding.path).relative_to(chart).as_posix())
    assert by_rule == {"MD001": ["crds/broken.yaml"], "MD005": ["templates/deployment.yaml"]}
    listed = sorted(Path(summary.path).relative_to(chart).as_posix() for summary in result.files)
    assert listed == ["crds/broken.yaml", "crds/widgets.yaml", "templates/deployment.yaml", "templates/hpa.yaml"]
    [note] = [finding for finding in result.findings if finding.rule_id == "MD005"]
    assert note.severity is Severity.INFO


def test_two_charts_give_one_note_each(tmp_path):
    _chart(tmp_path, "chat")
    _chart(tmp_path, "embed")
    notes = [finding for finding in lint_paths([str(tmp_path)]).findings if finding.rule_id == "MD005"]
    assert [Path(finding.path).parent.parent.name for finding in notes] == ["chat", "embed"]


def test_a_chart_of_one_template_file_says_so_in_the_singular(tmp_path):
    chart = _chart(tmp_path)
    (chart / "templates" / "hpa.yaml").unlink()
    (note,) = [finding for finding in lint_paths([str(tmp_path)]).findings if finding.rule_id == "MD005"]
    assert "its templates/ hold Go templates (1 template file) — render the chart" in note.message, note.message


def test_a_template_named_by_pre_commit_is_noted_once(chdir_tmp, cli):
    _chart(chdir_tmp)
    result = cli("charts/chat/templates/hpa.yaml", "charts/chat/templates/deployment.yaml", "--no-config")
    assert result.code == 0
    assert result.out.count("MD005") == 1
    assert "MD001" not in result.out


def test_templates_read_as_context_are_skipped_silently(chdir_tmp, cli):
    chart = _chart(chdir_tmp)
    (chart / "crds" / "widgets.yaml").write_text(PLAIN_CRD)
    result = cli(str(Path("charts/chat/crds/widgets.yaml")), "--no-config", "--context", "siblings")
    assert "MD005" not in result.out and "MD001" not in result.out


def test_a_go_template_outside_a_chart_is_noted_by_its_syntax():
    text = (FIXTURES / "templates" / "triton-hpa.yaml").read_text(encoding="utf-8")
    result = lint_text(text, "deploy/k8s-onprem/templates/hpa.yaml")
    assert [(finding.rule_id, finding.span.line) for finding in result.findings] == [("MD005", 1)]
    assert "this file is a Go template" in result.findings[0].message


def test_a_placeholder_token_is_not_a_template_and_the_manifest_is_linted():
    # A real vLLM manifest whose Secret holds an unquoted `{{HF_TOKEN}}` placeholder.
    path = FIXTURES / "templates" / "vllm-llama4-placeholder-token.yaml"
    result = lint_paths([str(path)])
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    assert result.deployments, "the vLLM Deployment is read"


@pytest.mark.parametrize(
    "text",
    [
        'kind: ConfigMap\ndata:\n  greeting: "{{ hello }}"\n',
        "token: {{HF_TOKEN}}\n",
        "Value: '{{resolve:ssm:/ml/endpoint/instance-type}}'\n",
        "args: ['{{inputs.parameters.model}}', '{{workflow.name}}']\n",
        "# rendered by helm from {{ .Values.image }}\nkind: ConfigMap\n",
        "args:\n  - --model_name={{.Name}}\n  - '{{ .Name }}'\n",
    ],
    ids=["quoted-placeholder", "bare-placeholder", "cfn-dynamic-reference", "argo-parameters", "comment", "kserve-runtime"],
)
def test_placeholders_are_not_go_templates(text):
    assert not looks_like_go_template(text)


@pytest.mark.parametrize(
    "text",
    [
        "replicas: {{ .Values.replicaCount }}\n",
        "metrics:\n  {{- toYaml .Values.metrics | nindent 4 }}\n",
        'name: {{ include "chat.fullname" . }}\n',
        '  name: "{{ .Release.Name }}-chat"\n',
        "{{ if .Values.gpu }}\nkind: A\n{{ end }}\n",
        "{{ $name := .Chart.Name }}\n",
        "{{/* a comment */}}\n",
        "metadata:\n  name: {{ .Name }}\n",
        "args:\n  - {{ .Name }}\n",
    ],
)
def test_real_template_syntax_is_recognised(text):
    assert looks_like_go_template(text)


def test_chart_file_needs_a_chart_yaml(tmp_path):
    chart = _chart(tmp_path)
    assert chart_file(str(chart / "templates" / "deployment.yaml")).template
    assert chart_file(str(chart / "templates" / "sub" / "x.yaml")).chart == str(chart)
    assert not chart_file(str(chart / "values.yaml")).template
    assert chart_file(str(chart / "crds" / "widgets.yaml")) is None
    assert chart_file(str(tmp_path / "templates" / "x.yaml")) is None  # no Chart.yaml above


def test_select_still_shows_md005_and_ignore_hides_it(chdir_tmp, cli):
    _chart(chdir_tmp)
    assert "MD005" in cli("charts", "--no-config", "--select", "EP001").out
    assert "MD005" not in cli("charts", "--no-config", "--ignore", "MD005").out


STREAM_WITH_ONE_BROKEN_DOCUMENT = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Service
    metadata:
      name: chat
    ---
    apiVersion: v1
    kind: ConfigMap
    data: {unclosed: [
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
      annotations:
        mldeploy-lint.io/environment: prod
    spec:
      replicas: 1
      selector:
        matchLabels: {app: chat}
      template:
        metadata:
          labels: {app: chat}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    """
)


def test_one_broken_document_of_a_stream_costs_that_document_only():
    result = lint_text(STREAM_WITH_ONE_BROKEN_DOCUMENT, "rendered.yaml")
    md001 = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert len(md001) == 1 and 8 <= md001[0].span.line <= 9
    later = [finding for finding in result.findings if finding.rule_id != "MD001"]
    assert later, "the Deployment after the broken document is linted"
    assert all(finding.span.line >= 10 for finding in later)


def test_a_key_repeated_with_the_same_value_is_a_warning():
    result = lint_text("kind: ConfigMap\ndata:\n  a: 1\n  a: 1\n", "f.yaml")
    [finding] = result.findings
    assert (finding.rule_id, finding.severity, finding.span.line) == ("MD001", Severity.WARNING, 4)
    assert "repeats the same value" in finding.message
    different = lint_text("kind: ConfigMap\ndata:\n  a: 1\n  a: 2\n", "f.yaml").findings
    assert [(finding.rule_id, finding.severity) for finding in different] == [("MD001", Severity.ERROR)]



PLACEHOLDER_BREAKS_THE_FIRST_DOCUMENT = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Secret
    metadata:
      name: hf
    stringData:
      token: {{HF_TOKEN}}-read
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
      namespace: chat-prod
    spec:
      replicas: 1
      selector:
        matchLabels: {app: chat}
      template:
        metadata:
          labels: {app: chat}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    """
)


def test_a_placeholder_that_breaks_one_document_is_a_parse_error_there_not_a_template():
    """`{{HF_TOKEN}}-read` is no Go template: the Secret is MD001, and the Deployment after it is linted."""
    assert not looks_like_go_template(PLACEHOLDER_BREAKS_THE_FIRST_DOCUMENT)
    result = lint_text(PLACEHOLDER_BREAKS_THE_FIRST_DOCUMENT, "chat.yaml")
    assert [(finding.rule_id, finding.span.line) for finding in result.findings if finding.rule_id.startswith("MD")] == [("MD001", 6)]
    assert [deployment.name.value for deployment in result.deployments] == ["chat"]
    assert {finding.rule_id for finding in result.findings} >= {"HA003"}


# --- rendered streams: each document's template ------------------------------


def test_rendered_stream_documents_carry_their_source_comment():
    text = (
        "---\n# Source: chart/templates/a.yaml\nkind: A\n"
        "---\nkind: B  # no Source comment: not the one above A's\n"
        "---\n# Source: chart/templates/c.yaml\n# another comment\nkind: C\n"
        "---\n# Source: chart/templates/empty.yaml\n"
    )
    assert rendered_origins(load_text("<stdin>", text)) == (
        "chart/templates/a.yaml",
        "",
        "chart/templates/c.yaml",
        "chart/templates/empty.yaml",  # an empty template still names itself
    )


def test_plain_files_have_no_origin():
    assert rendered_origins(load_text("a.yaml", "kind: A\n")) is None
    assert rendered_origins(load_text("a.yaml", "# Sources: are listed below\nkind: A\n")) in (None, ("",))


def test_a_source_note_atop_a_plain_file_is_no_rendered_origin():
    assert rendered_origins(load_text("stack.yaml", "# Source: https://github.com/example/templates\nResources: {}\n")) == ("",)


def test_the_core_loader_leaves_origins_to_plugins():
    source = load_text("<stdin>", "---\n# Source: chart/templates/a.yaml\nkind: A\n")
    assert [document.origin for document in source.documents] == [""]
    assert [document.origin for document in source.with_origins(("chart/templates/a.yaml",)).documents] == [
        "chart/templates/a.yaml"
    ]

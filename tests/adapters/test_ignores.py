"""Suppressions written in the input: what the adapters return as `linter.Ignore` entries.

The engine applies them (a finding is excused when its start lies within
`Ignore.scope`, ends included, and its rule matches `Ignore.selector`);
these tests pin the adapter side: which entries each form gives, where
they are written (`span`, for MD003), the extent they cover (`scope`),
and that malformed entries are located problems, never a crash.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from linter import Ignore, InputProblem, Span, api, load_text
from linter.engine import InputFile, LintOptions, RunContext, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector
from plugins.adapters.cloudformation.template import is_template, resources
from plugins.adapters.ignores import extent
from plugins.adapters.kubernetes.objects import manifests
from plugins.adapters.sagemaker_api import classify

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def host():
    return build_plugin_host()


def _extract(host, *files: tuple[str, str]) -> list:
    """Everything every adapter returns for the files' documents, as the engine asks for it."""
    sources = [load_text(path, textwrap.dedent(text)) for path, text in files]
    assert [problem for source in sources for problem in source.problems] == []
    documents = tuple(document for source in sources for document in source.documents)
    run = RunContext(documents, ONLY_CORE, reported_paths=frozenset(path for path, _ in files))
    found = []
    for document in documents:
        for outcome in host.call_each("mldeploy_extract", document=document, run=run):
            assert outcome.error is None, outcome.error
            found.extend(outcome.result)
    return found


def _ignores(items: list) -> list[tuple]:
    """(path, selector, reason, entry line, scope first line, scope last line) of each Ignore."""
    return [
        (item.span.path, item.selector, item.reason, item.span.line, item.scope.line, item.scope.end_line)
        for item in items
        if isinstance(item, Ignore)
    ]


def _problems(items: list) -> list[tuple[str, int, str]]:
    return [(item.rule_id, item.span.line, item.message) for item in items if isinstance(item, InputProblem)]


def inside(span: Span, scope: Span) -> bool:
    """The engine's test: the finding's start lies within the scope, ends included."""
    return span.path == scope.path and (scope.line, scope.column) <= (span.line, span.column) <= (scope.end_line, scope.end_column)


# --- CloudFormation -------------------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ScoringConfig:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload: {payload-mb: 2}
        ignore:
          CP001: "sized for the launch peak; revisit in Q3"
          availability: ""
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          InstanceType: ml.g5.12xlarge
          InitialInstanceCount: 1

  ScoringTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Metadata:
      mldeploy-lint:
        ignore: [AS002, AS]
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: endpoint/scorer/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      MinCapacity: 1
      MaxCapacity: 1
  Logs:
    Type: AWS::S3::Bucket
    Metadata: {mldeploy-lint: {ignore: {XX001: why}}}
"""


def test_metadata_ignore_mapping_and_list_forms_on_any_resource(host):
    items = _extract(host, ("t.yaml", TEMPLATE))
    assert _ignores(items) == [
        ("t.yaml", "CP001", "sized for the launch peak; revisit in Q3", 9, 3, 16),
        ("t.yaml", "availability", "", 10, 3, 16),
        ("t.yaml", "AS002", "", 22, 18, 28),
        ("t.yaml", "AS", "", 22, 18, 28),
        ("t.yaml", "XX001", "why", 31, 29, 31),  # unknown rules are the engine's to report (MD003)
    ]
    assert _problems(items) == []


def test_entry_span_is_the_key_or_list_item_and_scope_runs_from_the_logical_id(host):
    items = [item for item in _extract(host, ("t.yaml", TEMPLATE)) if isinstance(item, Ignore)]
    cp001, _, as002, as_prefix, _ = items
    assert cp001.span == Span("t.yaml", 9, 11, 9, 16)
    assert (as002.span.column, as002.span.end_column, as_prefix.span.column) == (18, 23, 25)
    # From the logical ID to the end of the last value: not on to the next resource's logical ID.
    assert cp001.scope == Span("t.yaml", 3, 3, 16, 34)
    assert as002.scope == Span("t.yaml", 18, 3, 28, 21)
    assert not inside(Span.point("t.yaml", 18, 3), cp001.scope)
    assert inside(Span("t.yaml", 3, 3, 3, 16), cp001.scope)  # a finding on the logical ID itself


def test_the_profile_beside_ignore_is_still_read_and_nothing_is_reported(host):
    items = _extract(host, ("t.yaml", TEMPLATE))
    (deployment,) = [item for item in items if hasattr(item, "profile")]
    assert deployment.profile.payload_mb.value == 2
    result = run_lint([InputFile("t.yaml", TEMPLATE.encode())], host, ONLY_CORE)
    # Only the engine's word on the selectors that name no rule.
    assert [(finding.rule_id, finding.message.split(" (did")[0]) for finding in result.findings] == [
        ("MD003", "suppression names no known rule 'availability'"),
        ("MD003", "suppression names no known rule 'XX001'"),
    ]


def test_ignore_without_a_workload_is_no_profile_problem(host):
    text = """\
    Resources:
      Config:
        Type: AWS::SageMaker::EndpointConfig
        Metadata: {mldeploy-lint: {ignore: [CP001]}}
        Properties:
          ProductionVariants: [{VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 2}]
    """
    items = _extract(host, ("t.yaml", text))
    assert _ignores(items) == [("t.yaml", "CP001", "", 4, 2, 6)]
    assert _problems(items) == []


JSON_TEMPLATE = {
    "Resources": {
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Metadata": {"mldeploy-lint": {"ignore": {"HA001": "one instance is enough for the demo"}}},
            "Properties": {"EndpointConfigName": "config"},
        },
        "Other": {"Type": "AWS::S3::Bucket", "Metadata": {"mldeploy-lint": {"ignore": ["CP001"]}}},
    }
}


def test_json_templates_have_the_metadata_form(host):
    text = json.dumps(JSON_TEMPLATE, indent=2)
    items = _extract(host, ("t.json", text))
    assert _ignores(items) == [
        ("t.json", "HA001", "one instance is enough for the demo", 8, 3, 13),
        ("t.json", "CP001", "", 21, 16, 21),
    ]
    endpoint, other = [item for item in items if isinstance(item, Ignore)]
    assert not inside(Span.point("t.json", 16, 5), endpoint.scope)  # `"Other"`
    assert inside(Span.point("t.json", 3, 5), endpoint.scope)  # `"Endpoint"`


def test_the_scope_ends_at_the_last_written_value_whatever_it_is(host):
    text = """\
    Resources:
      Notes:
        Type: AWS::S3::Bucket
        Metadata: {mldeploy-lint: {ignore: [CP001]}}
        Properties:
          Description: |
            two lines
            of text
      Empty:
        Type: AWS::S3::Bucket
        Metadata: {mldeploy-lint: {ignore: [CP002]}}
        Properties:
          Tags:
      Last:
        Type: AWS::S3::Bucket
        Metadata: {mldeploy-lint: {ignore: [CP003]}}
    """
    notes, empty, last = [item for item in _extract(host, ("t.yaml", text)) if isinstance(item, Ignore)]
    assert not inside(Span.point("t.yaml", 9, 3), notes.scope)
    assert (empty.scope.line, empty.scope.end_line, empty.scope.end_column) == (9, 13, 11)  # `Tags:`
    assert not inside(Span.point("t.yaml", 14, 3), empty.scope)
    assert (last.scope.line, last.scope.end_line) == (14, 16)


@pytest.mark.parametrize(
    "metadata, line, expected",
    [
        ("{mldeploy-lint: {ignore: 5}}", 4, "expected a mapping of rule to reason (`ignore: {CP001: reason}`) or a list of rules (`ignore: [CP001]`), found the number 5"),
        ("{mldeploy-lint: {ignore: CP001}}", 4, "or a list of rules (`ignore: [CP001]`), found 'CP001'"),
        ("{mldeploy-lint: {ignore: }}", 4, "found nothing"),
        ("{mldeploy-lint: {ignore: !Ref Rules}}", 4, "found a computed value (Ref)"),
        ("{mldeploy-lint: {ignore: {CP001: 3}}}", 4, "the reason for CP001 must be a string, found the number 3"),
        ("{mldeploy-lint: {ignore: {CP001: [a]}}}", 4, "the reason for CP001 must be a string, found a list"),
        ("{mldeploy-lint: {ignore: {CP001: !Sub '${X}'}}}", 4, "found a computed value (Fn::Sub)"),
        ("{mldeploy-lint: {ignore: {7: why}}}", 4, "expected a rule ID, prefix or slug, found the number 7"),
        ("{mldeploy-lint: {ignore: [CP001, {HA001: x}, true, '']}}", 4, "found a mapping"),
        ("{mldeploy-lint: {ignore: [99999999999999999999999999]}}", 4, "found the number 99999999999"),
    ],
)
def test_a_malformed_entry_is_a_located_invalid_suppression(host, metadata, line, expected):
    text = f"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata: {metadata}\n"
    items = _extract(host, ("t.yaml", text))
    problems = _problems(items)
    assert problems, items
    assert all(rule_id == "MD003" and at == line and "invalid suppression (Metadata mldeploy-lint.ignore of Bucket: " in message for rule_id, at, message in problems)
    assert any(expected in message for _, _, message in problems), problems
    assert all(message.endswith("; it excuses nothing") for _, _, message in problems)
    result = run_lint([InputFile("t.yaml", text.encode())], host, LintOptions())
    assert [finding.rule_id for finding in result.findings if finding.rule_id == "MD002"] == []
    invalid = [finding.span.line for finding in result.findings if "invalid suppression" in finding.message]
    assert invalid == [line] * len(problems)


def test_the_good_entries_of_a_list_survive_its_bad_ones(host):
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata: {mldeploy-lint: {ignore: [CP001, {HA001: x}, true, '']}}\n"
    items = _extract(host, ("t.yaml", text))
    assert [selector for _, selector, *_ in _ignores(items)] == ["CP001"]
    assert len(_problems(items)) == 3


def test_an_unknown_key_beside_ignore_is_reported_so_a_misspelling_is_not_silent(host):
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata:\n      mldeploy-lint:\n        ignores: [CP001]\n"
    assert _problems(_extract(host, ("t.yaml", text))) == [
        ("MD004", 6, "unknown key 'ignores' under Metadata mldeploy-lint of Bucket: expected `workload` or `ignore`")
    ]


def test_a_metadata_block_that_is_not_a_mapping_is_still_one_profile_problem(host):
    text = """\
    Resources:
      Config:
        Type: AWS::SageMaker::EndpointConfig
        Metadata: {mldeploy-lint: [CP001]}
        Properties:
          ProductionVariants: [{VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 2}]
    """
    items = _extract(host, ("t.yaml", text))
    assert _ignores(items) == []
    assert [(rule_id, line) for rule_id, line, _ in _problems(items)] == [("MD004", 4)]


# --- Kubernetes and ACK ---------------------------------------------------------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  namespace: ml
  annotations:
    ignore.mldeploy-lint.io/CP001: "sized for the launch peak"
spec:
  replicas: 1
  selector:
    matchLabels: {app: scorer}
  template:
    metadata:
      labels: {app: scorer}
      annotations:
        ignore.mldeploy-lint.io/availability-single-replica:
        mldeploy-lint.io/payload-mb: "2"
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.8.5
          resources:
            limits: {nvidia.com/gpu: 1}
"""


def test_object_and_pod_template_annotations_cover_the_whole_object(host):
    items = _extract(host, ("k.yaml", DEPLOYMENT))
    assert _ignores(items) == [
        ("k.yaml", "CP001", "sized for the launch peak", 7, 1, 23),
        ("k.yaml", "availability-single-replica", "", 16, 1, 23),
    ]
    (deployment,) = [item for item in items if hasattr(item, "profile")]
    assert deployment.profile.payload_mb.value == 2  # the profile annotation is not taken for a suppression
    cp001 = next(item for item in items if isinstance(item, Ignore))
    assert cp001.span == Span("k.yaml", 7, 5, 7, 34)
    assert cp001.scope == Span("k.yaml", 1, 1, 23, 39)  # the last value; a closing brace is no place a finding points
    result = run_lint([InputFile("k.yaml", DEPLOYMENT.encode())], host, ONLY_CORE)
    assert [(finding.rule_id, finding.message) for finding in result.findings] == [
        ("MD003", "suppression names no known rule 'availability-single-replica'")
    ]


def test_an_annotation_binds_to_its_own_document_of_a_stream(host):
    stream = (
        DEPLOYMENT
        + """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: scorer
  namespace: ml
  annotations:
    ignore.mldeploy-lint.io/AS: "scaled by hand during the pilot"
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  minReplicas: 1
  maxReplicas: 1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: scorer
  namespace: ml
  annotations: {ignore.mldeploy-lint.io/HA002: ""}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: scorer}
"""
    )
    items = _extract(host, ("k.yaml", stream))
    assert _ignores(items) == [
        ("k.yaml", "CP001", "sized for the launch peak", 7, 1, 23),
        ("k.yaml", "availability-single-replica", "", 16, 1, 23),
        ("k.yaml", "AS", "scaled by hand during the pilot", 31, 25, 35),
        ("k.yaml", "HA002", "", 42, 37, 46),
    ]
    first = next(item for item in items if isinstance(item, Ignore))
    assert not inside(Span.point("k.yaml", 24, 1), first.scope)  # the `---` after it


def test_list_items_are_objects_of_their_own(host):
    text = """\
    apiVersion: v1
    kind: List
    metadata:
      annotations: {ignore.mldeploy-lint.io/CP002: "not the items'"}
    items:
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: a
          annotations: {ignore.mldeploy-lint.io/CP001: first}
        spec:
          template:
            spec:
              containers: [{name: c, image: x}]
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {name: b}
        spec:
          template:
            spec:
              containers: [{name: c, image: x}]
    """
    assert _ignores(_extract(host, ("k.yaml", text))) == [("k.yaml", "CP001", "first", 10, 6, 14)]


@pytest.mark.parametrize(
    "kind_text, line",
    [
        (
            # a CronJob's pod template sits in its job template
            """\
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 2 * * *"
              jobTemplate:
                spec:
                  template:
                    metadata:
                      annotations: {ignore.mldeploy-lint.io/SP001: "retries are cheap"}
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: c, image: x}]
            """,
            10,
        ),
        (
            # KServe components carry their pods' annotations directly
            """\
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: llm}
            spec:
              predictor:
                annotations: {ignore.mldeploy-lint.io/SP001: "retries are cheap"}
                model:
                  modelFormat: {name: huggingface}
                  resources: {limits: {nvidia.com/gpu: "1"}}
            """,
            6,
        ),
        (
            """\
            apiVersion: sagemaker.services.k8s.aws/v1alpha1
            kind: EndpointConfig
            metadata:
              name: churn-config
              annotations:
                ignore.mldeploy-lint.io/SP001: "retries are cheap"
            spec:
              endpointConfigName: churn-config
              productionVariants:
                - {variantName: AllTraffic, modelName: churn, instanceType: ml.c5.xlarge, initialInstanceCount: 1}
            """,
            6,
        ),
        (
            """\
            apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
            kind: ScalableTarget
            metadata:
              name: churn
              annotations:
                ignore.mldeploy-lint.io/SP001: "retries are cheap"
            spec:
              serviceNamespace: sagemaker
              resourceID: endpoint/churn/variant/AllTraffic
              scalableDimension: sagemaker:variant:DesiredInstanceCount
              minCapacity: 1
              maxCapacity: 1
            """,
            6,
        ),
        (
            """\
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: scorer
              annotations:
                ignore.mldeploy-lint.io/SP001: "retries are cheap"
            spec:
              scaleTargetRef: {name: scorer}
              maxReplicaCount: 3
            """,
            6,
        ),
    ],
    ids=["cronjob-pod-template", "kserve-predictor", "ack-endpoint-config", "ack-scalable-target", "keda-scaled-object"],
)
def test_every_kind_the_adapter_reads_gives_its_annotations(host, kind_text, line):
    text = textwrap.dedent(kind_text)
    items = _extract(host, ("k.yaml", text))
    last_line = len(text.splitlines())
    assert _ignores(items) == [("k.yaml", "SP001", "retries are cheap", line, 1, last_line)]
    assert _problems(items) == []


def test_an_object_the_adapter_does_not_read_stays_unrecognised(host):
    text = """\
    apiVersion: v1
    kind: Service
    metadata:
      name: scorer
      annotations: {ignore.mldeploy-lint.io/CP001: "no findings can point here"}
    spec:
      ports: [{port: 80}]
    """
    assert _extract(host, ("svc.yaml", text)) == []
    result = run_lint([InputFile("svc.yaml", textwrap.dedent(text).encode())], host, ONLY_CORE)
    assert [(summary.path, summary.recognised) for summary in result.files] == [("svc.yaml", False)]


@pytest.mark.parametrize(
    "annotation, expected",
    [
        ("ignore.mldeploy-lint.io/CP001: 5", "the reason must be a string (annotation values are strings), found the number 5"),
        ("ignore.mldeploy-lint.io/CP001: true", "found the boolean true"),
        ("ignore.mldeploy-lint.io/CP001: {why: x}", "found a mapping"),
        ("'ignore.mldeploy-lint.io/': why", "name a rule ID, prefix or slug after ignore.mldeploy-lint.io/"),
    ],
)
def test_a_malformed_annotation_is_a_located_invalid_suppression(host, annotation, expected):
    text = DEPLOYMENT.replace('ignore.mldeploy-lint.io/CP001: "sized for the launch peak"', annotation)
    items = _extract(host, ("k.yaml", text))
    assert [selector for _, selector, *_ in _ignores(items)] == ["availability-single-replica"]
    ((rule_id, line, message),) = _problems(items)
    assert (rule_id, line) == ("MD003", 7)
    assert message.startswith("invalid suppression (annotation ")
    assert expected in message
    result = run_lint([InputFile("k.yaml", text.encode())], host, ONLY_CORE)
    assert [(finding.span.line, finding.rule_id) for finding in result.findings] == [(7, "MD003"), (16, "MD003")]


def test_a_json_manifest_may_escape_the_slash(host):
    document = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "a", "annotations": {"ignore.mldeploy-lint.io/CP001": "why"}},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}},
    }
    text = json.dumps(document).replace("/", "\\/")
    assert [(selector, reason) for _, selector, reason, *_ in _ignores(_extract(host, ("k.json", text)))] == [("CP001", "why")]


# --- the scope convention against real findings --------------------------------------------------


def _scopes(path: Path) -> list[Span]:
    """The scope an Ignore would have on each resource or object of the file."""
    found = []
    for document in load_text(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")).documents:
        if document.root is None or classify(document.root) is not None:
            continue
        if is_template(document):
            found += [extent(resource.key_span, resource.node) for resource in resources(document)]
        else:
            for manifest in manifests(document):
                node = manifest.node
                found.append(extent(Span.point(node.span.path, node.span.line, node.span.column), node))
    return found


CORPUS = sorted(
    path
    for path in [*(ROOT / "tests" / "rules").glob("*/*"), *(ROOT / "examples").rglob("*")]
    if path.suffix in (".yaml", ".yml", ".json", ".template")
)


def test_every_rule_finding_of_the_fixtures_lies_in_exactly_one_resource_or_object(host, monkeypatch):
    """A suppression on the resource or object a finding is about excuses it, wherever in it the finding points."""
    monkeypatch.chdir(ROOT)
    checked = 0
    for path in CORPUS:
        scopes = _scopes(path)
        if not scopes:  # API request documents: no in-file form yet
            continue
        relative = str(path.relative_to(ROOT))
        result = api.lint_paths([relative], LintOptions(), host=host, context="siblings")
        for finding in result.findings:
            if finding.path != relative or finding.rule_id.startswith("MD"):
                continue
            checked += 1
            assert sum(inside(finding.span, scope) for scope in scopes) == 1, (finding.rule_id, str(finding.span))
    assert checked > 300

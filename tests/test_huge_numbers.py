"""Huge numbers are malformed ("too large") in every adapter: never an exception, never a lost run.

A number beyond int64 (a 311-digit integer, `1e400`, a 4 KB hexadecimal
literal) overflowed `float()`, broke f-strings (Python will not print an
integer of more than 4,300 digits) and, in a Kubernetes context file, turned
the whole Kubernetes output of the run into one MD002. The sweep feeds such
numbers into every numeric field of real fixtures, and `explain` must
render whatever a model holds.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from linter import UNKNOWN, Deployment, Sourced, Span
from linter.api import read_inputs
from linter.engine import InputFile, LintOptions, run_lint
from linter.explain import explain_json, explain_text, model_as_data
from linter.plugin_manager import build_plugin_host
from plugins.adapters.aws.written_values import LARGEST, as_float, as_int, as_str, shown, too_large

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

HUGE_DECIMAL = str(10**400)
HUGE_HEX = "0x" + "f" * 4096  # 4 KB: an integer of about 4,933 decimal digits, too long to print
HUGE_FLOAT = "1e400"  # reads as infinity

# A number in a value position (block or flow), quoted or not, with an optional quantity suffix.
_NUMBER = re.compile(
    r"""(?P<before>:[ \t]+|-[ \t]+|[\[,][ \t]*)(?P<quote>["']?)(?P<number>[0-9]+(?:\.[0-9]+)?)"""
    r"""(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?(?P=quote)(?=[ \t]*(?:\#.*)?$|[ \t]*[,\]}])""",
    re.MULTILINE,
)


def with_every_number(text: str, huge: str) -> tuple[str, int]:
    """`text` with each number written in a value position replaced by `huge` (quotes and suffix kept)."""

    def replace(match: re.Match) -> str:
        quote = match.group("quote")
        return match.group("before") + quote + huge + (match.group("suffix") or "") + quote

    return _NUMBER.subn(replace, text)


FIXTURES = sorted(
    path
    for root in (REPO / "examples", TESTS / "fixtures" / "adapters")
    for path in root.rglob("*")
    if path.suffix in (".yaml", ".yml", ".json")
)


@pytest.fixture(scope="module")
def host():
    return build_plugin_host()


def _problems(result) -> list[str]:
    return [f"{finding.rule_id} {finding.message}" for finding in result.findings if finding.rule_id == "MD002"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_number_of_a_real_file_made_huge(path: Path, host):
    text = path.read_text(encoding="utf-8")
    variants = [HUGE_DECIMAL, "-" + HUGE_DECIMAL, HUGE_FLOAT] + ([HUGE_HEX] if path.suffix != ".json" else [])
    replaced = 0
    for huge in variants:
        mutated, replaced = with_every_number(text, huge)
        if not replaced:
            break
        result = run_lint([InputFile(str(path), mutated.encode("utf-8"))], host, LintOptions())
        assert _problems(result) == [], huge[:12]
        for finding in result.findings:  # a number is shown short, not whole
            assert HUGE_DECIMAL not in finding.message, finding.message[:200]
        json.loads(explain_json(result.deployments, result.scaling_targets))
        explain_text(result.deployments, result.scaling_targets)


# Every block scalar value but the keys that say what a document is.
_SCALAR = re.compile(
    r"(?P<before>^[ \t]*(?:- )?(?P<key>[\w./\-\"']+):[ \t]+|^[ \t]*-[ \t]+)(?P<value>[^\s\[{&*!|>#][^#\n]*?)[ \t]*$",
    re.MULTILINE,
)
_IDENTITY_KEYS = {"kind", "apiVersion", "Type", "AWSTemplateFormatVersion", "Transform"}


def with_every_scalar(text: str, huge: str) -> tuple[str, int]:
    """`text` with every block scalar value (strings too) replaced by `huge`, except the identity keys."""

    def replace(match: re.Match) -> str:
        if match.group("key") in _IDENTITY_KEYS or match.group("value").endswith(":"):
            return match.group(0)
        return match.group("before") + huge

    return _SCALAR.subn(replace, text)


@pytest.mark.parametrize(
    "path", [path for path in FIXTURES if path.suffix != ".json"], ids=lambda path: str(path.relative_to(REPO))
)
def test_every_scalar_of_a_real_file_made_a_4kb_hex_integer(path: Path, host):
    """Names, images and environment values too: an integer too long to print is never printed."""
    mutated, replaced = with_every_scalar(path.read_text(encoding="utf-8"), HUGE_HEX)
    result = run_lint([InputFile(str(path), mutated.encode("utf-8"))], host, LintOptions())
    assert _problems(result) == []
    json.loads(explain_json(result.deployments, result.scaling_targets))
    explain_text(result.deployments, result.scaling_targets)


def test_the_sweep_replaces_numbers_everywhere():
    mutated, count = with_every_number('a: 1\nb: "2Gi"\nc: [3, 4]\nd: ml.m5.2xlarge\ne: v1\n- 500m\n', "X")
    assert mutated == 'a: X\nb: "XGi"\nc: [X, X]\nd: ml.m5.2xlarge\ne: v1\n- Xm\n'
    assert count == 5


# --- one document's number costs that document only ------------------------------------------

DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: scorer
      labels: {environment: prod}
    spec:
      replicas: 1
      selector: {matchLabels: {app: scorer}}
      template:
        metadata:
          labels: {app: scorer}
        spec:
          containers:
            - name: server
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits: {nvidia.com/gpu: 1}
    """
)
HPA_WITH_A_311_DIGIT_TARGET = textwrap.dedent(
    f"""\
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: other
    spec:
      scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: other}}
      minReplicas: 1
      maxReplicas: {10**310}
      metrics:
        - type: Resource
          resource:
            name: cpu
            target: {{type: AverageValue, averageValue: {10**310}}}
    """
)


def _rule_ids(result) -> list[str]:
    return sorted(finding.rule_id for finding in result.findings)


def test_a_huge_number_in_a_kubernetes_context_file_costs_nothing(tmp_path, host):
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    alone = run_lint(read_inputs([str(tmp_path / "deployment.yaml")], context="siblings"), host, LintOptions())
    (tmp_path / "hpa.yaml").write_text(HPA_WITH_A_311_DIGIT_TARGET)
    result = run_lint(read_inputs([str(tmp_path / "deployment.yaml")], context="siblings"), host, LintOptions())
    assert "MD002" not in _rule_ids(alone) and _rule_ids(alone)  # the Deployment has findings of its own ...
    assert _rule_ids(result) == _rule_ids(alone)  # ... and keeps them beside the huge context file


def test_a_huge_number_reads_as_too_large(host):
    hpa = HPA_WITH_A_311_DIGIT_TARGET.replace("name: other", "name: scorer")
    inputs = [InputFile("hpa.yaml", hpa.encode()), InputFile("deployment.yaml", DEPLOYMENT.encode())]
    result = run_lint(inputs, host, LintOptions())
    assert _problems(result) == []
    (deployment,) = result.deployments
    (scaling,) = deployment.units[0].scaling
    assert scaling.min_capacity.value == 1
    assert not scaling.max_capacity.known and scaling.max_capacity.note.startswith("too large")
    assert scaling.max_capacity.raw == "100000000000… (311 digits)"
    (policy,) = scaling.policies
    assert not policy.target_value.known


def test_a_document_that_fails_to_read_costs_that_document_only(monkeypatch, host):
    from plugins.adapters.kubernetes import index

    real = index.read_autoscaler

    def fail_on_other(manifest):
        if manifest.name == "other":
            raise OverflowError("int too large to convert to float")
        return real(manifest)

    monkeypatch.setattr(index, "read_autoscaler", fail_on_other)
    context = [InputFile("hpa.yaml", HPA_WITH_A_311_DIGIT_TARGET.encode(), context_only=True)]
    deployment = [InputFile("deployment.yaml", DEPLOYMENT.encode())]
    alone = run_lint(deployment, host, LintOptions())
    assert _rule_ids(run_lint(deployment + context, host, LintOptions())) == _rule_ids(alone)
    # Linted rather than context: the failure is that file's MD002, and the Deployment keeps its findings.
    reported = [InputFile("hpa.yaml", HPA_WITH_A_311_DIGIT_TARGET.encode())]
    result = run_lint(deployment + reported, host, LintOptions())
    problems = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert [(finding.path, "OverflowError" in finding.message) for finding in problems] == [("hpa.yaml", True)]
    assert sorted(finding.rule_id for finding in result.findings if finding.path == "deployment.yaml") == _rule_ids(alone)


# --- the readers ---------------------------------------------------------------------------------


def test_values_beyond_int64_are_too_large():
    assert too_large(10**400) and too_large(-(10**400)) and too_large(float("inf")) and too_large("1e400")
    assert too_large(LARGEST + 1) and not too_large(LARGEST) and not too_large("12") and not too_large("nan")
    assert as_int(10**400) is None and as_int("9" * 5000) is None and as_int(LARGEST) == LARGEST
    assert as_float(10**400) is None and as_float("1e400") is None and as_float("nan") is None
    assert as_str(int(HUGE_HEX, 16)) is None and as_str(12) == "12"


def test_shown_keeps_a_short_printable_text():
    assert shown(10**400) == "100000000000… (401 digits)"
    assert shown(-(10**400)) == "-100000000000… (401 digits)"
    assert shown(int(HUGE_HEX, 16)) == "a number of about 4,933 digits"
    assert shown(5) == 5 and shown("x") == "x"


CLOUDFORMATION = textwrap.dedent(
    """\
    Resources:
      Config:
        Type: AWS::SageMaker::EndpointConfig
        Metadata:
          mldeploy-lint:
            workload: {{payload-mb: {huge}, latency-ms: {huge}}}
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: scorer
              ServerlessConfig: {{MemorySizeInMB: {huge}, MaxConcurrency: {huge}}}
    """
)


@pytest.mark.parametrize("huge", [HUGE_DECIMAL, HUGE_HEX, HUGE_FLOAT, f'"{HUGE_DECIMAL}"'], ids=["decimal", "hex", "float", "string"])
def test_cloudformation_numbers_too_large(huge, host):
    result = run_lint([InputFile("t.yaml", CLOUDFORMATION.format(huge=huge).encode())], host, LintOptions())
    assert _problems(result) == []
    profile = [finding.message for finding in result.findings if finding.rule_id == "MD004"]
    assert len(profile) == 2 and all("payload-mb" in message or "latency-ms" in message for message in profile)
    (deployment,) = result.deployments
    memory = deployment.units[0].serverless.memory_mb
    assert not memory.known and memory.malformed
    if huge != HUGE_FLOAT:
        assert memory.note.startswith("too large")


def test_a_huge_number_in_one_branch_of_a_condition(host):
    text = textwrap.dedent(
        f"""\
        Parameters:
          Stage: {{Type: String, AllowedValues: [dev, prod]}}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              ProductionVariants:
                - VariantName: AllTraffic
                  ModelName: scorer
                  InstanceType: !If [IsProd, {HUGE_FLOAT}, ml.m5.large]
                  InitialInstanceCount: !If [IsProd, {HUGE_DECIMAL}, 1]
              Tags: [{{Key: Environment, Value: production}}]
        """
    )
    result = run_lint([InputFile("t.yaml", text.encode())], host, LintOptions())
    assert _problems(result) == []
    assert "HA001" in _rule_ids(result)  # the branch that reads (1 instance) is judged
    assert not [finding for finding in result.findings if finding.rule_id == "CP005"]


# --- explain renders what a model holds ----------------------------------------------------------


def test_explain_renders_integers_too_long_to_print():
    huge = int(HUGE_HEX, 16)
    span = Span.point("t.yaml", 1, 1)
    deployment = Deployment(
        id="t.yaml#x",
        platform="test",
        kind=Sourced(),
        span=span,
        name=Sourced(huge, span, note="a value no adapter would keep"),
        region=Sourced(UNKNOWN, span, raw=huge, options=(huge, float("inf"))),
    )
    data = json.loads(explain_json([deployment], []))
    assert data["deployments"][0]["name"]["value"] == "0xffffffffffffffff… (4,096 hexadecimal digits)"
    assert data["deployments"][0]["region"]["options"] == ["0xffffffffffffffff… (4,096 hexadecimal digits)", "inf"]
    assert "0xffffffffffffffff… (4,096 hexadecimal digits)" in explain_text([deployment], [])


def test_explain_deployments_on_a_4kb_hex_integer(cli, tmp_path):
    path = tmp_path / "deployment.yaml"
    path.write_text(DEPLOYMENT.replace("replicas: 1", f"replicas: {HUGE_HEX}"))
    for extra in ([], ["--format", "json"]):
        result = cli("explain", "--deployments", *extra, str(path))
        assert result.code == 0, result.err
        assert "Traceback" not in result.err and "MD002" not in result.out
        assert "a number of about 4,933 digits" in result.out

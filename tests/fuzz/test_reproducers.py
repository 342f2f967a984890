"""Minimal reproducers of what the fuzzers found, one test each.

All of them are fixed now and pass as regression tests. A new one goes in
as a strict xfail with an entry in known.py: fixing the bug makes the test
XPASS, which fails the run, so the fix removes the mark here and the entry
in known.py together. Each input is the smallest the fuzzer's example reduces
to by hand; the comment above it names the module that breaks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .harness import Checker, Overran, deadline, inputs_for
from .known import KNOWN

from linter.api import lint_text
from linter.source import load_text

HUGE_INTEGER = "1" + "0" * 400  # beyond float range
HEX_INTEGER = "0x" + "f" * 4000  # 4,817 decimal digits: beyond Python's int-to-string limit


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _failures_of(checker: Checker, reproducer: str, path: str, text: str) -> list[str]:
    """The failures linting `text` as `path` shows: those of the class `reproducer` stands for while it is
    known (listed in known.py), every failure once it is fixed."""
    entry = next((entry for entry in KNOWN if entry.reproducer == reproducer), None)
    failures = checker.check(inputs_for(path, textwrap.dedent(text).encode("utf-8")))
    return [
        f"{failure.signature}: {failure.summary}\n{failure.detail}"
        for failure in failures
        if entry is None or entry.matches(failure)
    ]


def test_every_known_failure_has_a_strict_xfail_reproducer():
    for entry in KNOWN:
        test = globals().get(entry.reproducer)
        assert test is not None, f"known.py names {entry.reproducer}, which is not in this module"
        marks = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "xfail"]
        assert marks and marks[0].kwargs.get("strict") is True, f"{entry.reproducer} is not a strict xfail"


# plugins/reporters/text.py and linter/explain.py: a name with a line feed and
# ESC is printed raw (a `::error` workflow command, a cleared screen).
def test_text_output_escapes_control_characters(checker):
    assert not _failures_of(
        checker,
        "test_text_output_escapes_control_characters",
        "deployment.yaml",
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: "server\\n::error file=x::pwned\\e[2J"
        spec:
          replicas: 1
          template:
            spec:
              containers:
                - name: server
                  image: vllm/vllm-openai
                  resources: {limits: {nvidia.com/gpu: 1}}
        """,
    )


# plugins/adapters/kubernetes/objects.py (quantity_value): OverflowError, MD002.
# plugins/adapters/cloudformation/resources/cloudwatch_alarm.py: AlarmActions written as a mapping (an Fn::Sub)
# was iterated as a list (`.items` of a mapping is a method).
def test_alarm_actions_written_as_a_mapping(checker):
    assert not _failures_of(
        checker,
        "test_alarm_actions_written_as_a_mapping",
        "alarm.yaml",
        """\
        Resources:
          Alarm:
            Type: AWS::CloudWatch::Alarm
            Properties:
              MetricName: CPUUtilization
              AlarmActions:
                "Fn::Sub": ["${A}", {A: x}]
        """,
    )


def test_huge_integer_in_a_kubernetes_quantity(checker):
    assert not _failures_of(
        checker,
        "test_huge_integer_in_a_kubernetes_quantity",
        "deployment.yaml",
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: server
        spec:
          template:
            spec:
              containers:
                - name: server
                  image: vllm/vllm-openai
                  resources:
                    limits:
                      nvidia.com/gpu: {HUGE_INTEGER}
        """,
    )


# plugins/adapters/kubernetes/objects.py (label_text): str() of a 4,817-digit int, MD002.
def test_huge_integer_as_a_kubernetes_env_value(checker):
    assert not _failures_of(
        checker,
        "test_huge_integer_as_a_kubernetes_env_value",
        "deployment.yaml",
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: server
        spec:
          template:
            spec:
              containers:
                - name: server
                  image: vllm/vllm-openai
                  env:
                    - name: SIZE
                      value: {HEX_INTEGER}
        """,
    )


# plugins/adapters/aws/written_values.py (as_float): OverflowError, MD002 for the whole template.
def test_huge_integer_in_a_cloudformation_number(checker):
    assert not _failures_of(
        checker,
        "test_huge_integer_in_a_cloudformation_number",
        "template.yaml",
        f"""\
        Resources:
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              ProductionVariants:
                - VariantName: A
                  ModelName: m
                  InitialInstanceCount: 1
                  InstanceType: ml.m5.large
                  InitialVariantWeight: {HUGE_INTEGER}
        """,
    )


# plugins/rules/autoscaling/missing_autoscaling.py (_copies): the message formats the count, MD002.
def test_huge_replica_count_in_a_rule_message(checker):
    assert not _failures_of(
        checker,
        "test_huge_replica_count_in_a_rule_message",
        "seldon.yaml",
        f"""\
        apiVersion: machinelearning.seldon.io/v1alpha2
        kind: SeldonDeployment
        metadata:
          name: iris
        spec:
          predictors:
          - graph:
              implementation: LIGHTGBM_SERVER
              modelUri: gs://seldon-models/lightgbm/iris/model_3.2.1
              name: irislgbm
            name: default
            replicas: {HEX_INTEGER}
        """,
    )


# plugins/rules/autoscaling/scaling_target_without_policy.py (_what_happens): the message formats it, MD002.
# Found by the CI slice (two mutants linted together: a target and the endpoint it scales).
def test_huge_minimum_capacity_in_a_rule_message(checker):
    assert not _failures_of(
        checker,
        "test_huge_minimum_capacity_in_a_rule_message",
        "hosting.yaml",
        f"""\
        apiVersion: sagemaker.services.k8s.aws/v1alpha1
        kind: EndpointConfig
        metadata:
          name: scorer-config
        spec:
          endpointConfigName: scorer-config
          productionVariants:
            - {{variantName: AllTraffic, modelName: scorer, instanceType: ml.c5.large, initialInstanceCount: 2}}
        ---
        apiVersion: sagemaker.services.k8s.aws/v1alpha1
        kind: Endpoint
        metadata:
          name: scorer
        spec:
          endpointName: scorer
          endpointConfigName: scorer-config
        ---
        apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
        kind: ScalableTarget
        metadata:
          name: scorer-target
        spec:
          serviceNamespace: sagemaker
          resourceID: endpoint/scorer/variant/AllTraffic
          scalableDimension: sagemaker:variant:DesiredInstanceCount
          minCapacity: {HEX_INTEGER}
          maxCapacity: 4
        """,
    )


# plugins/rules/config_validity/serverless_concurrency_invalid.py (_out_of_range): the message formats it, MD002.
def test_huge_provisioned_concurrency_in_a_rule_message(checker):
    assert not _failures_of(
        checker,
        "test_huge_provisioned_concurrency_in_a_rule_message",
        "endpoint-config.yaml",
        f"""\
        EndpointConfigName: c
        ProductionVariants:
          - VariantName: A
            ModelName: m
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 5
              ProvisionedConcurrency: {HEX_INTEGER}
        """,
    )


# plugins/rules/config_validity/serverless_memory_invalid.py: the message formats it, MD002.
def test_huge_memory_size_in_a_rule_message(checker):
    assert not _failures_of(
        checker,
        "test_huge_memory_size_in_a_rule_message",
        "endpoint-config.yaml",
        f"""\
        EndpointConfigName: c
        ProductionVariants:
          - VariantName: A
            ModelName: m
            ServerlessConfig:
              MemorySizeInMB: {HEX_INTEGER}
              MaxConcurrency: 5
        """,
    )


# plugins/adapters/kubernetes/eksctl.py (_self_managed_capacity): the capacity note formats it, MD002.
def test_huge_on_demand_base_capacity_in_an_eksctl_node_group(checker):
    assert not _failures_of(
        checker,
        "test_huge_on_demand_base_capacity_in_an_eksctl_node_group",
        "cluster.yaml",
        f"""\
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata:
          name: c
          region: us-west-2
        nodeGroups:
          - name: gpu
            instancesDistribution:
              instanceTypes: [g5.xlarge]
              onDemandBaseCapacity: {HEX_INTEGER}
              onDemandPercentageAboveBaseCapacity: 0
        """,
    )


# linter/explain.py (explain_json): ValueError out of `explain --format json`.
def test_explain_json_of_a_huge_integer(checker):
    assert not _failures_of(
        checker,
        "test_explain_json_of_a_huge_integer",
        "eksctl.yaml",
        f"""\
        apiVersion: eksctl.io/v1alpha5
        kind: ClusterConfig
        metadata:
          name: c
          region: us-west-2
        managedNodeGroups:
          - name: gpu
            instanceTypes: [g5.xlarge]
            spot: {HEX_INTEGER}
        """,
    )


# linter/explain.py (explain_json): `Infinity` in the output, which is not JSON.
def test_explain_json_of_a_number_beyond_float_range(checker):
    assert not _failures_of(
        checker,
        "test_explain_json_of_a_number_beyond_float_range",
        "target.yaml",
        """\
        apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
        kind: ScalableTarget
        metadata:
          name: t
        spec:
          resourceID: endpoint/e/variant/AllTraffic
          scalableDimension: "sagemaker:variant:DesiredInstanceCount"
          serviceNamespace: sagemaker
          minCapacity: 1
          maxCapacity: 1e400
        """,
    )


def _lints_within(path: str, text: str, seconds: float) -> None:
    overran = False
    try:
        with deadline(seconds, seconds, []):
            lint_text(textwrap.dedent(text), path)
    except Overran:  # a KeyboardInterrupt: it must not reach pytest, which would stop the session
        overran = True
    if overran:
        pytest.fail(f"linting took more than {seconds:g} s")


# plugins/adapters/cloudformation/intrinsics.py: three resources whose names
# refer to the next one in a ring, each twice (a Join): the ring is walked to
# some depth, and the doubling makes that exponential (minutes; with one Join
# of the three, about a second).
def test_resources_referring_to_each_other_in_a_ring():
    resources = "".join(
        f"""\
  {name}:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !Join ["-", [!GetAtt {previous}.EndpointConfigName, !GetAtt {previous}.EndpointConfigName]]
"""
        for name, previous in (("A", "C"), ("B", "A"), ("C", "B"))
    )
    _lints_within("template.yaml", "Resources:\n" + resources, 1.0)


# plugins/adapters/cloudformation/intrinsics.py: 20 models, each naming the one
# before it twice (a Join of two GetAtts): 2**20 evaluations without a memo.
def test_chain_of_doubled_references_resolves_in_linear_time():
    models = "".join(
        f"""\
  M{number}:
    Type: AWS::SageMaker::Model
    Properties:
      ModelName: {"base" if number == 0 else f"!Join ['-', [!GetAtt M{number - 1}.ModelName, !GetAtt M{number - 1}.ModelName]]"}
      PrimaryContainer: {{Image: x}}
"""
        for number in range(20)
    )
    config = """\
  C:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: !GetAtt M19.ModelName, InitialInstanceCount: 1, InstanceType: ml.m5.large}
"""
    _lints_within("template.yaml", "Resources:\n" + models + config, 1.0)


def _loads_within(text: str, seconds: float) -> None:
    overran = False
    try:
        with deadline(seconds, seconds, []):
            load_text("template.yaml", text)
    except Overran:  # a KeyboardInterrupt: it must not reach pytest, which would stop the session
        overran = True
    # Outside the handler: a composer's traceback is 20,000 frames deep, too many for pytest to print.
    if overran:
        pytest.fail(f"loading took more than {seconds:g} s")


# linter/source.py (_pure_events): a file libyaml rejects for a YAML 1.1 reason
# (`!Ref AWS::Region` in a flow sequence) is parsed again by the pure-Python
# parser, which is superlinear in nesting depth: 1,000 levels take seconds,
# 5,000 more than ten.
def test_deep_flow_nesting_in_the_pure_python_parser():
    _loads_within("a: [!Ref AWS::Region]\n---\n" + "[" * 1000 + "]" * 1000 + "\n", 1.0)


# linter/source.py (_c_events): libyaml is superlinear too: 20,000 levels take seconds.
def test_twenty_thousand_nested_brackets_load_within_a_second():
    _loads_within("[" * 20_000 + "]" * 20_000 + "\n", 1.0)


# linter/source.py (then _c_documents): 30,000 levels overflowed the C composer's stack: SIGSEGV.
def test_thirty_thousand_nested_brackets_do_not_crash_the_process(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 30_000 + "]" * 30_000 + "\n")
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "linter", "--context", "none", str(deep)], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("no answer within 20 s")
    assert completed.returncode == 1, completed.stderr[-2000:]
    assert "MD001" in completed.stdout

"""Work the rules do once per run or per table, not once per deployment, and the answers it must keep.

The messages themselves are pinned by the goldens under tests/rules/<ID>/
and by the corpus; these tests pin what is no longer built for every
deployment, so that the saving is not undone unnoticed.
"""

from __future__ import annotations

from dataclasses import replace

import importlib

from linter import ComponentRequirements, Compute, Deployment, DeploymentKind, Provenance, ServerlessConfig, Sourced, Span, Unit
from plugins.rules.autoscaling.scaling import hosts_inference_components
from plugins.rules.common import units_owning_instances
from rule_harness import lint_snippet

# The modules (their packages export the rules under the same names).
cp007 = importlib.import_module("plugins.rules.compute_fit.accelerator_memory_vs_model_size")
ep001 = importlib.import_module("plugins.rules.endpoint_fit.payload_exceeds_endpoint_limit")

XGBOOST_ON = """
Model:
  Type: AWS::SageMaker::Model
  Properties:
    ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
    PrimaryContainer:
      Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
Config:
  Type: AWS::SageMaker::EndpointConfig
  Properties:
    ProductionVariants:
      - VariantName: AllTraffic
        ModelName: !GetAtt Model.ModelName
        InstanceType: {instance_type}
        InitialInstanceCount: 2
"""


SIZED_ON = XGBOOST_ON.replace("  Properties:\n    ProductionVariants", """  Metadata:
    mldeploy-lint:
      workload:
        model-size-gb: 20
  Properties:
    ProductionVariants""")


def _size_not_known_calls(monkeypatch) -> list:
    calls: list = []
    made = cp007._size_not_known

    def counted(*args):
        calls.append(args)
        return made(*args)

    monkeypatch.setattr(cp007, "_size_not_known", counted)
    return calls


def test_cp007_words_a_missing_model_size_only_where_accelerator_memory_would_judge_it(monkeypatch):
    calls = _size_not_known_calls(monkeypatch)
    lint_snippet(XGBOOST_ON.format(instance_type="ml.m5.large"))
    assert calls == []  # no accelerator: the NotJudged would be thrown away
    lint_snippet(XGBOOST_ON.format(instance_type="ml.g5.xlarge"))
    assert len(calls) == 1


def test_cp007_words_why_memory_is_unknown_only_where_a_known_size_would_be_judged(monkeypatch):
    asked = []
    memory = cp007._memory

    def recorded(deployment, unit, run, say_why=True):
        found = memory(deployment, unit, run, say_why)
        asked.append((say_why, type(found).__name__))
        return found

    monkeypatch.setattr(cp007, "_memory", recorded)
    # The model's size is not known: memory that is not known either is not worded.
    lint_snippet(XGBOOST_ON.format(instance_type="ml.g7.48xlarge"))
    assert asked == [(False, "NoneType")]
    asked.clear()
    lint_snippet(SIZED_ON.format(instance_type="ml.g7.48xlarge"))
    assert asked == [(True, "NotJudged")]


def test_cp007_reads_its_thresholds_once():
    assert cp007._thresholds() is cp007._thresholds()
    assert cp007._thresholds() == (4, 0.5)


def test_ep001_words_the_advice_for_a_size_and_endpoint_type_once():
    ep001._suggestion.cache_clear()
    first = ep001._suggestion(12 * 10**6, "realtime")
    assert first == "use an asynchronous endpoint (up to 1 GB)"
    assert ep001._suggestion(12 * 10**6, "realtime") is first
    assert ep001._suggestion.cache_info().hits == 1
    assert ep001._suggestion(5 * 10**9, "async") == (
        "no endpoint type takes it: split the payload, or process it offline with a batch transform job"
    )


# --- Questions asked of every deployment, answered without work for a lone unit ---------------

as001 = importlib.import_module("plugins.rules.autoscaling.missing_autoscaling")
ep007 = importlib.import_module("plugins.rules.endpoint_fit.model_startup_timeouts_unset")

SPAN = Span("model.yaml", 9, 5, 9, 20)


def _deployment(*units: Unit) -> Deployment:
    return Deployment(
        id="model.yaml#Example",
        platform="sagemaker",
        kind=Sourced(DeploymentKind.REALTIME, SPAN, Provenance.DECLARED),
        span=Span.point("model.yaml", 1),
        units=units,
    )


def _unit(name: str, instance_type_at: Span | None = SPAN, serverless: ServerlessConfig | None = None) -> Unit:
    instance_type = Sourced("ml.g5.xlarge", instance_type_at, Provenance.DECLARED) if instance_type_at else Sourced()
    return Unit(name=Sourced(name, SPAN, Provenance.DECLARED), compute=Compute(instance_type=instance_type), serverless=serverless, span=SPAN)


def test_a_lone_unit_owns_its_instances_unless_serverless_and_hosts_no_components():
    variant = _unit("AllTraffic")
    assert units_owning_instances(_deployment(variant)) == [variant]
    assert units_owning_instances(_deployment(_unit("AllTraffic", serverless=ServerlessConfig(span=SPAN)))) == []
    assert not hosts_inference_components(_deployment(variant), variant)
    # A component placed on the variant (its requirements, the same instance-type span) runs on the variant's instances.
    component = replace(_unit("component"), requirements=ComponentRequirements())
    both = _deployment(variant, component)
    assert units_owning_instances(both) == [variant]
    assert hosts_inference_components(both, variant) and not hosts_inference_components(both, component)
    # Variants sharing one written instance type (a Terraform dynamic block) each own their instances and host nothing.
    twin = _unit("twin")
    twins = _deployment(variant, twin)
    assert units_owning_instances(twins) == [variant, twin]
    assert not hosts_inference_components(twins, variant) and not hosts_inference_components(twins, twin)


def test_as001_words_the_end_of_its_message_once_per_platform_kind_and_environment():
    as001._advice.cache_clear()
    snippet = XGBOOST_ON.format(instance_type="ml.m5.large")
    first = [finding.message for finding in lint_snippet(snippet).findings if finding.rule_id == "AS001"]
    again = [finding.message for finding in lint_snippet(snippet).findings if finding.rule_id == "AS001"]
    assert first == again and len(first) == 1
    assert first[0].endswith(
        "— register the variant as an Application Auto Scaling target and drive it with a scaling policy "
        "(a warning while the environment is unknown: an error in production, not reported in dev or staging)"
    )
    assert as001._advice.cache_info().misses == 1


def test_ep007_reads_a_units_served_models_once(monkeypatch):
    calls = []
    served = ep007.served_models

    def counted(deployment, unit):
        calls.append(unit)
        return served(deployment, unit)

    monkeypatch.setattr(ep007, "served_models", counted)
    lint_snippet(XGBOOST_ON.format(instance_type="ml.g5.xlarge"))
    assert len(calls) == 1


# --- Production rules read nothing for a deployment with nothing to judge -----------------

as004 = importlib.import_module("plugins.rules.autoscaling.scale_in_below_two_in_production")
cp004 = importlib.import_module("plugins.rules.compute_fit.burstable_instance_in_production")

PRODUCTION_ON = XGBOOST_ON + """\
    Tags:
      - Key: Environment
        Value: production
"""


def _never(*args):
    raise AssertionError(f"asked for {args} with nothing to judge")


def test_as004_reads_no_threshold_without_autoscaling(monkeypatch):
    monkeypatch.setattr(as004, "limit", _never)
    findings = lint_snippet(PRODUCTION_ON.format(instance_type="ml.m5.large")).findings
    assert {finding.rule_id for finding in findings} >= {"AS001"}  # judged as production, and not scaled
    assert not any(finding.rule_id in ("AS004", "MD002") for finding in findings)


def test_cp004_names_the_deployment_only_for_a_burstable_unit(monkeypatch):
    monkeypatch.setattr(cp004, "display_name", _never)
    monkeypatch.setattr(cp004, "instance_job_kind", _never)
    findings = lint_snippet(PRODUCTION_ON.format(instance_type="ml.m5.large")).findings
    assert not any(finding.rule_id in ("CP004", "MD002") for finding in findings)
    monkeypatch.undo()
    findings = lint_snippet(PRODUCTION_ON.format(instance_type="ml.t2.medium")).findings
    assert [finding.message for finding in findings if finding.rule_id == "CP004"] == [
        "production endpoint Config (AllTraffic) runs on burstable instance ml.t2.medium: sustained traffic spends its "
        "CPU credits and it throttles to its baseline — use a fixed-performance type (general purpose or compute optimised)"
    ]


def test_ep008_words_an_endpoint_types_response_limit_once():
    ep008 = importlib.import_module("plugins.rules.endpoint_fit.model_server_timeout_beyond_endpoint")
    realtime = ep008._response_limit(DeploymentKind.REALTIME)
    assert ep008._response_limit(DeploymentKind.REALTIME) is realtime
    assert (realtime.seconds, realtime.label) == (60, "real-time endpoint")
    assert realtime.remedy == "serve requests that long from an asynchronous endpoint (up to 3600 s)"
    assert ep008._response_limit(DeploymentKind.TRAINING) is None


def test_ep002_names_a_real_time_endpoint_nowhere(monkeypatch):
    # A real-time endpoint meets any latency target EP002 judges: nothing about it is worded.
    ep002 = importlib.import_module("plugins.rules.endpoint_fit.latency_target_unreachable")
    monkeypatch.setattr(ep002, "display_name", _never)
    findings = lint_snippet(SIZED_ON.replace("model-size-gb: 20", "latency-ms: 100").format(instance_type="ml.m5.large")).findings
    assert not any(finding.rule_id in ("EP002", "MD002") for finding in findings)

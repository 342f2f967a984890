"""Work the rules do once per run or per table, not once per deployment, and the answers it must keep.

The messages themselves are pinned by the goldens under tests/rules/<ID>/
and by the corpus; these tests pin what is no longer built for every
deployment, so that the saving is not undone unnoticed.
"""

from __future__ import annotations

import importlib

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

"""The study guide's scenarios, as shipped in examples/: each gets exactly its expected findings.

Each scenario is linted on its own (a pre-commit run over that one file).
The expectations are the rule and line of every finding, plus the words a
reader needs in the message; the corrected facts of ../shared/FACTS.md are
checked where a scenario would tempt a rule to repeat the study guide's
mistakes (Spot for SageMaker batch transform, a 30 MB serverless payload).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import DeploymentKind, api
from linter.engine import LintOptions

from rule_harness import host

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _lint(relative: str, options: LintOptions = LintOptions()):
    return api.lint_paths([str(EXAMPLES / relative)], options, host=host())


def _located(result) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in result.findings]


def _message(result, rule_id: str) -> str:
    (message,) = [finding.message for finding in result.findings if finding.rule_id == rule_id]
    return message


# --- 1. fraud scoring that must answer in under 100 ms -----------------------------------


def test_fraud_scoring_on_serverless_cannot_meet_100_ms():
    result = _lint("scenarios/fraud-scoring-serverless-cold-start.yaml")
    assert _located(result) == [("EP002", 25)]
    message = _message(result, "EP002")
    assert "100 ms" in message and "ProvisionedConcurrency" in message


def test_fraud_scoring_serverless_payload_limit_is_4_mb():
    result = _lint("cloudformation/fraud-scoring-serverless.yaml")
    assert _located(result) == [("EP001", 25), ("EP002", 26), ("CV001", 32)]
    message = _message(result, "EP001")
    assert "exceeds the 4 MB limit of a serverless endpoint" in message  # not the study guide's 30 MB
    assert "asynchronous endpoint (up to 1 GB)" in message


# --- 2. 500 MB video transcription ---------------------------------------------------------


def test_video_transcription_payload_needs_an_asynchronous_endpoint():
    result = _lint("cloudformation/video-transcription.yaml")
    assert _located(result) == [("EP001", 30), ("AS001", 35)]
    message = _message(result, "EP001")
    assert "500 MB exceeds the 6 MiB limit of a real-time endpoint" in message
    assert message.endswith("use an asynchronous endpoint (up to 1 GB)")
    assert _message(result, "AS001").startswith("production real-time endpoint")


# --- 3. traffic twice a day -------------------------------------------------------------------


def test_twice_a_day_traffic_on_an_always_on_endpoint():
    result = _lint("scenarios/twice-a-day-forecasts.yaml")
    assert _located(result) == [("EP003", 24), ("AS001", 28)]
    message = _message(result, "EP003")
    assert "'scheduled'" in message and "2 × ml.c5.2xlarge" in message
    assert "serverless" in message


# --- 4. nightly scoring of 10 million reviews ---------------------------------------------------


def test_nightly_review_scoring():
    result = _lint("scenarios/nightly-review-scoring.yaml")
    assert _located(result) == [("CP006", 48), ("SP001", 61)]
    assert "ml.g4dn.2xlarge" in _message(result, "CP006")
    assert "ComputeResources.Type EC2" in _message(result, "SP001")


def test_nothing_recommends_spot_for_sagemaker_batch_transform():
    # The study guide advises Spot for batch transform; SageMaker has no Spot
    # option for it (FACTS.md). Only the AWS Batch environment may hear of Spot.
    result = _lint("scenarios/nightly-review-scoring.yaml")
    [transform] = [item for item in result.deployments if item.kind.value is DeploymentKind.BATCH_TRANSFORM]
    assert transform.platform == "sagemaker"
    about_spot = [finding for finding in result.findings if "spot" in finding.message.lower()]
    assert [(finding.rule_id, finding.span.line) for finding in about_spot] == [("SP001", 61)]
    assert about_spot[0].message.startswith("FeatureExtraction ")


# --- 5. 500 per-customer XGBoost models --------------------------------------------------------


def test_per_customer_xgboost_endpoints_could_share_one():
    result = _lint("scenarios/per-customer-xgboost-endpoints.yaml")
    assert _located(result) == [("AS001", 23), ("EP006", 28), ("AS001", 46), ("AS001", 69), ("AS001", 92), ("AS001", 115), ("AS001", 138)]
    message = _message(result, "EP006")
    assert message.startswith("6 real-time endpoints")
    assert "sagemaker-xgboost:1.7-1" in message and "multi-model endpoint" in message


# --- an LLM endpoint in Terraform, judged per stage tfvars file --------------------------------


def test_terraform_llm_summariser_is_judged_per_stage():
    result = _lint("terraform/llm-summariser")
    assert _located(result) == [("AS001", 24), ("EP007", 24), ("HA001", 28)]
    assert _message(result, "HA001").endswith("(1 is the default of variable instance_count) (with prod.tfvars)")
    assert _message(result, "AS001").startswith("production real-time endpoint summariser-production")
    assert _message(result, "EP007").endswith("(with prod.tfvars, staging.tfvars)")


# --- the whole examples directory ---------------------------------------------------------------


def test_every_example_says_which_mistakes_it_carries_on_purpose():
    """A newcomer reads the examples: each finding is announced in the file's first comment."""
    result = api.lint_paths([str(EXAMPLES)], host=host())
    fired: dict[str, set[str]] = {}
    for finding in result.findings:
        fired.setdefault(finding.path, set()).add(finding.rule_id)
    for path in sorted([*EXAMPLES.rglob("*.yaml"), *EXAMPLES.rglob("*.tf")]):
        header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        rules = fired.get(str(path), set())
        if rules:
            assert header.startswith("# Deliberately flawed"), f"{path.name} does not say it is flawed on purpose"
            assert all(rule_id in header for rule_id in rules), f"{path.name} header misses {rules}"
        elif path.name.startswith("clean"):
            assert "reports nothing" in header, path.name


def test_the_examples_show_every_rule_pack():
    result = api.lint_paths([str(EXAMPLES)], host=host())
    prefixes = {finding.rule_id[:2] for finding in result.findings}
    assert prefixes >= {"EP", "CP", "HA", "AS", "SP", "CV", "MD"}


@pytest.mark.parametrize("relative", ["cloudformation/clean-async-endpoint.yaml"])
def test_the_clean_example_is_clean(relative):
    assert _located(_lint(relative)) == []


def test_the_readme_shows_what_the_command_prints(monkeypatch):
    from conftest import run_cli

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the examples show", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    monkeypatch.chdir(EXAMPLES.parent)
    result = run_cli("examples/", "--color", "never")
    printed = result.out.splitlines()
    assert result.code == 1
    assert shown[-1] == printed[-1]  # the summary line
    assert [line for line in shown[:-1] if line != "…" and line not in printed] == []

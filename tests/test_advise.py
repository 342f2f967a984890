"""`mldeploy-lint advise`: recommendations that agree with the rules, and templates that lint clean.

The property that keeps it honest: every profile of a matrix (payload ×
latency × traffic × framework × environment, with the boundaries 4 MB,
6 MiB, 1 GB, 60 s and 1 h) goes through advise → emit → lint, and linting
what was emitted under the same profile reports nothing; cfn-lint accepts
every emitted CloudFormation template. The study guide's scenarios each get
the answer the corrected facts give, and `advise FILE` names exactly the
problems linting the file reports.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter import api
from linter.engine import LintOptions
from plugins import data
from plugins.advisor.decide import advise
from plugins.advisor.emit import emit
from plugins.advisor.profile import AdviceProfile

from conftest import run_cli
from rule_harness import host

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

FOUR_MB = 4.194304  # the serverless limit, in the profile's decimal MB
SIX_MIB = 6.291456  # the real-time limit
ONE_GB = 1073.741824  # the asynchronous limit
MINUTE_MS, HOUR_MS = 60_000, 3_600_000

PAYLOADS = (None, 0.01, FOUR_MB, FOUR_MB + 0.01, SIX_MIB, SIX_MIB + 0.01, 500, ONE_GB)
LATENCIES = (None, 100, MINUTE_MS, MINUTE_MS + 1, HOUR_MS, HOUR_MS + 1)
TRAFFIC = ("steady", "bursty", "intermittent", "scheduled")
FRAMEWORKS = ("xgboost", "sklearn", "pytorch", "vllm", "huggingface")
ENVIRONMENTS = ("prod", "dev")


def _matrix(platform: str):
    # Every payload and latency (boundaries included) meets every traffic shape;
    # frameworks and environments rotate through the combinations so that each
    # meets each payload and latency too, keeping the run short.
    for index, (payload, latency, traffic) in enumerate(itertools.product(PAYLOADS, LATENCIES, TRAFFIC)):
        framework = FRAMEWORKS[index % len(FRAMEWORKS)]
        environment = ENVIRONMENTS[(index // len(FRAMEWORKS)) % len(ENVIRONMENTS)]
        urgency = (None, "deferrable", None, "urgent")[index % 4]
        yield AdviceProfile(payload, latency, traffic, None, environment, urgency, framework, platform=platform)


def _lint(text: str, path: str = "emitted.yaml"):
    return api.lint_text(text, path, LintOptions(), host=host())


@pytest.mark.parametrize("platform, emit_as", [("sagemaker", "cloudformation"), ("kubernetes", "kubernetes")])
def test_what_advise_emits_lints_clean_under_the_same_profile(platform, emit_as, tmp_path):
    emitted, unfit, kinds = {}, 0, set()
    for profile in _matrix(platform):
        advice = advise(profile)
        if not advice.fits:
            unfit += 1
            # Linting says the same: every endpoint type the conflicts rule out is named by a rule.
            assert advice.conflicts and all(reason.rule for reason in advice.conflicts)
            continue
        text = emit(advice, emit_as)
        findings = [(finding.rule_id, finding.message) for finding in _lint(text).findings]
        assert findings == [], f"{profile}:\n{text}"
        emitted.setdefault(text, profile)
        kinds.add(advice.endpoint_type)
    assert len(emitted) >= 60 if platform == "sagemaker" else len(emitted) >= 20
    assert len(list(_matrix(platform))) - unfit >= 60
    assert kinds == ({"real-time", "serverless", "async", "batch-transform"} if platform == "sagemaker" else {"service", "job"})
    if emit_as == "cloudformation":
        for number, text in enumerate(emitted):
            (tmp_path / f"template-{number}.yaml").write_text(text, encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", *sorted(str(path) for path in tmp_path.glob("*.yaml"))],
            capture_output=True, text=True, timeout=600, check=False,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_boundaries_fall_on_the_right_side():
    def kind(**profile):
        return advise(AdviceProfile(**profile)).endpoint_type

    assert kind(payload_mb=FOUR_MB, traffic="intermittent", framework="xgboost") == "serverless"
    assert kind(payload_mb=FOUR_MB + 0.01, traffic="intermittent", framework="xgboost") == "async"
    assert kind(payload_mb=SIX_MIB, traffic="steady") == "real-time"
    assert kind(payload_mb=SIX_MIB + 0.01, traffic="steady") == "async"
    assert kind(payload_mb=ONE_GB, traffic="steady") == "async"
    assert kind(payload_mb=ONE_GB + 0.01, traffic="steady") == "batch-transform"
    assert kind(latency_ms=MINUTE_MS, traffic="steady") == "real-time"
    assert kind(latency_ms=MINUTE_MS + 1, traffic="steady") == "async"
    assert kind(latency_ms=HOUR_MS, traffic="steady") == "async"
    assert kind(latency_ms=HOUR_MS + 1, traffic="steady") == "batch-transform"


def test_a_profile_nothing_fits_is_said_so_and_not_emitted():
    advice = advise(AdviceProfile(payload_mb=500, latency_ms=100, traffic="steady", framework="pytorch"))
    assert not advice.fits and [reason.rule for reason in advice.conflicts] == ["EP002"]
    result = run_cli("advise", "--payload-mb", "500", "--latency-ms", "100", "--framework", "pytorch")
    assert result.code == 1 and result.out.startswith("recommendation: no deployment fits this profile: EP002")
    result = run_cli("advise", "--payload-mb", "500", "--latency-ms", "100", "--framework", "pytorch", "--emit", "cloudformation")
    assert result.code == 2 and "nothing to emit" in result.err


def test_never_spot_for_sagemaker_endpoints_or_batch_transform():
    for profile in itertools.chain(_matrix("sagemaker"), [AdviceProfile(traffic="scheduled", urgency="deferrable", framework="sklearn")]):
        advice = advise(profile)
        assert advice.pricing != "spot"
        assert data.managed_spot_supported(advice.kind) is False
    job = advise(AdviceProfile(traffic="scheduled", urgency="deferrable", framework="sklearn", platform="kubernetes"))
    assert (job.endpoint_type, job.pricing) == ("job", "spot")


# --- the study guide's scenarios, with the corrected facts ---------------------------------


def test_scenario_fraud_scoring_under_100_ms():
    advice = advise(AdviceProfile(payload_mb=0.01, latency_ms=100, traffic="steady", environment="prod", framework="xgboost"))
    assert (advice.endpoint_type, advice.accelerator) == ("real-time", "cpu")
    assert advice.availability["instances"] >= 2 and advice.scaling["min"] >= 2
    assert {"CP001", "HA001", "AS001"} <= {reason.rule for reason in advice.reasons}


def test_scenario_500_mb_video_taking_3_minutes():
    advice = advise(AdviceProfile(payload_mb=500, latency_ms=180_000, traffic="steady", environment="prod", framework="pytorch"))
    assert advice.endpoint_type == "async"
    assert {"EP001"} <= {reason.rule for reason in advice.reasons}


def test_scenario_twice_a_day_for_five_minutes():
    advice = advise(AdviceProfile(payload_mb=1, traffic="scheduled", requests_per_day=2, framework="pytorch"))
    assert advice.endpoint_type == "serverless"
    assert any("cold start" in reason.text for reason in advice.reasons)  # the trade-off is stated
    assert [alternative.endpoint_type for alternative in advice.alternatives] == ["async"]
    assert "MinCapacity 0" in advice.alternatives[0].text


def test_scenario_nightly_scoring_of_10_million_rows():
    advice = advise(AdviceProfile(traffic="scheduled", requests_per_day=10_000_000, urgency="deferrable", framework="sklearn"))
    assert (advice.endpoint_type, advice.pricing) == ("batch-transform", "on-demand")
    assert "no Spot option" in advice.pricing_why
    [elsewhere] = advice.alternatives
    assert "AWS Batch" in elsewhere.text and "Spot" in elsewhere.text
    kubernetes = advise(AdviceProfile(traffic="scheduled", urgency="deferrable", framework="sklearn", platform="kubernetes"))
    assert (kubernetes.endpoint_type, kubernetes.pricing) == ("job", "spot")


def test_scenario_500_per_customer_xgboost_models():
    advice = advise(AdviceProfile(models=500, framework="xgboost", environment="prod", traffic="steady"))
    assert (advice.endpoint_type, advice.hosting, advice.accelerator) == ("real-time", "multi-model", "cpu")
    assert "EP006" in {reason.rule for reason in advice.reasons}
    assert "Mode: MultiModel" in emit(advice, "cloudformation")


def test_many_gpu_models_get_inference_components_which_emit_does_not_write_yet():
    advice = advise(AdviceProfile(models=50, framework="vllm", traffic="steady"))
    assert advice.hosting == "inference-components"
    result = run_cli("advise", "--models", "50", "--framework", "vllm", "--traffic", "steady", "--emit", "cloudformation")
    assert result.code == 2 and "does not write inference components yet" in result.err


def test_emit_never_writes_what_its_own_lint_would_flag(tmp_path):
    # Many models hit now and then: a multi-model endpoint is the hosting, but an always-on one is EP003.
    output = tmp_path / "advised.yaml"
    result = run_cli(
        "advise", "--models", "500", "--framework", "xgboost", "--traffic", "intermittent",
        "--emit", "cloudformation", "--output", str(output),
    )
    assert (result.code, result.out) == (2, "")
    assert "would not lint clean" in result.err and "EP003" in result.err
    assert not output.exists()


def test_scenario_llm_chat_service():
    advice = advise(AdviceProfile(traffic="bursty", environment="prod", framework="vllm", latency_ms=2000))
    assert (advice.endpoint_type, advice.accelerator, advice.streaming) == ("real-time", "gpu", True)
    assert advice.instance_type.startswith("ml.g") and "ml.inf2.xlarge" in advice.compute_alternatives
    assert "CP002" in {reason.rule for reason in advice.reasons}


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (("--traffic", "burst"), "--traffic: traffic must be one of steady, bursty, intermittent, scheduled; got 'burst' (did you mean 'bursty'?)"),
        (("--payload-mb", "0"), "--payload-mb: payload-mb must be greater than 0, got 0.0"),
        (("--latency-ms", "fast"), "--latency-ms: latency-ms must be a number, got 'fast'"),
        (("--urgency", "asap"), "--urgency: urgency must be one of urgent, deferrable; got 'asap'"),
        (("--framework", "xgbost"), "--framework: unknown framework 'xgbost' (did you mean 'xgboost'?)"),
        (("--platform", "kubernets"), "--platform: 'kubernets' is not one of sagemaker, kubernetes (did you mean 'kubernetes'?)"),
        (("--models", "many"), "--models must be a whole number, got 'many'"),
        (("--model-size-gb", "-3"), "--model-size-gb: model-size-gb must be greater than 0, got -3.0"),
        (("--traffic", "steady", "--format", "yaml"), "--format: 'yaml' is not one of text, json"),
        (("--traffic", "steady", "--emit", "terraform"), "--emit: 'terraform' is not one of cloudformation, kubernetes"),
        ((), "give a workload profile"),
    ],
)
def test_bad_flags_are_usage_errors_with_hints(args, message):
    result = run_cli("advise", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"mldeploy-lint: error: {message}")


def test_json_has_the_documented_top_level():
    result = run_cli("advise", "--format", "json", "--latency-ms", "100", "--framework", "xgboost", "--environment", "prod")
    assert result.code == 0
    document = json.loads(result.out)
    assert list(document) == [
        "schema_version", "fits", "platform", "profile", "endpoint_type", "compute", "pricing", "scaling",
        "availability", "hosting", "streaming", "image", "alternatives", "reasons", "conflicts",
    ]
    assert document["endpoint_type"] == "real-time" and document["compute"]["accelerator"] == "cpu"
    assert document["pricing"]["model"] == "on-demand"
    assert all(("rule" in reason) != ("fact" in reason) and reason["source"] for reason in document["reasons"])


def test_text_names_the_rule_or_fact_and_the_source_of_each_reason():
    result = run_cli("advise", "--payload-mb", "500", "--latency-ms", "180000", "--environment", "prod", "--framework", "pytorch")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "recommendation: async on ml.m5.xlarge, on-demand, 2+ instances"
    assert any(line.endswith("[EP001]") for line in lines) and "sources:" in lines
    assert any(line.startswith("  EP001: botocore") for line in lines)


def test_emit_writes_to_the_named_output_and_never_over_the_advised_file(tmp_path):
    target = tmp_path / "endpoint.yaml"
    result = run_cli("advise", "--traffic", "steady", "--framework", "xgboost", "--emit", "cloudformation", "--output", str(target))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert _lint(target.read_text(), str(target)).findings == ()
    before = target.read_text()
    result = run_cli("advise", str(target), "--output", str(target))
    assert result.code == 2 and "is one of the files being linted" in result.err
    assert target.read_text() == before


def test_emit_kubernetes_gives_an_inference_service_with_a_disruption_budget_in_production():
    result = run_cli("advise", "--framework", "xgboost", "--environment", "prod", "--emit", "kubernetes")
    assert result.code == 0
    assert "kind: InferenceService" in result.out and "kind: PodDisruptionBudget" in result.out
    assert _lint(result.out).findings == ()


# --- advise FILE agrees with linting the file ----------------------------------------------

EXAMPLE_FILES = sorted(path for path in EXAMPLES.rglob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_advise_file_names_the_problems_linting_reports(path):
    linted = api.lint_paths([str(path)], host=host(), context="siblings")
    reported = sorted((finding.rule_id, finding.span.line) for finding in linted.findings if finding.suppression is None)
    result = run_cli("advise", "--format", "json", str(path))
    if not any(item.kind.known for item in linted.deployments):
        assert result.code == 2 and "holds no deployment" in result.err
        return
    document = json.loads(result.out)
    named = sorted(
        (finding["rule"], finding["line"])
        for finding in document["other_findings"] + [finding for item in document["deployments"] for finding in item["findings"]]
    )
    assert named == reported
    assert result.code == (1 if named else 0)
    for item in document["deployments"]:
        rules = {finding["rule"] for finding in item["findings"]}
        advice, has = item["advice"], item["has"]
        # Where a rule says the endpoint type is wrong, the advice picks another one.
        if rules & {"EP001", "EP003"} or ("EP002" in rules and has["endpoint_type"] != "serverless"):
            assert advice["endpoint_type"] != has["endpoint_type"]
        if "CP001" in rules:
            assert advice["compute"]["accelerator"] == "cpu"
        if "CP002" in rules:
            assert advice["compute"]["accelerator"] in ("gpu", "inferentia")
        if rules & {"HA001", "HA003"}:
            assert advice["availability"]["instances"] >= 2


def test_advise_file_text_escapes_control_characters(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        (EXAMPLES / "cloudformation" / "video-transcription.yaml").read_text().replace(
            "- VariantName: AllTraffic", '- VariantName: "All\\x1b[31mTraffic"'
        ),
        encoding="utf-8",
    )
    result = run_cli("advise", str(path))
    assert "\x1b" not in result.out and "\\x1b" in result.out


def test_advise_file_with_an_unknown_resource_lists_the_names():
    result = run_cli("advise", str(EXAMPLES / "scenarios" / "twice-a-day-forecasts.yaml"), "--resource", "nope")
    assert result.code == 2 and "holds no deployment named 'nope' (it holds: demand-forecast)" in result.err


# --- the data the advice writes into templates ------------------------------------------------


def test_example_instance_types_are_valid_and_of_their_accelerator():
    accelerator_of = {"cpu": "none", "gpu": "gpu", "inferentia": "inferentia"}
    for entry in data.raw_tables()["advisor_examples"]["instance_types"]:
        for instance_type in entry["types"]:
            assert instance_type in data.valid_instance_types(entry["job_kind"])
            assert data.instance_info(instance_type).accelerator == accelerator_of[entry["accelerator"]]


def test_example_images_classify_as_their_framework_and_build():
    for image in data.example_images():
        info = data.classify_image(image.image)
        assert info.framework == image.framework
        assert info.accelerator in (image.build, None if image.build == "cpu" else image.build)


def test_framework_aliases_name_known_frameworks():
    assert all(data.framework_info(name) is not None for name in data.framework_aliases().values())

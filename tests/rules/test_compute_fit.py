"""The compute-fit rules (CP001-CP006) on deployments no fixture yields, and their boundaries.

Deployments are built in Python where no adapter produces them yet (a
known region, an undecided Neuron device, kinds a rule leaves alone); the
per-rule fixtures under tests/rules/CP00N/ cover what real files produce.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Compute,
    Deployment,
    DeploymentKind,
    Environment,
    ModelSpec,
    Provenance,
    ServerlessConfig,
    Severity,
    Sourced,
    Span,
    Unit,
)
from linter.api import lint_text
from linter.config import Config
from linter.engine import LintOptions
from plugins.data import RegionalInstanceTypes
from plugins.rules.compute_fit.accelerator_image_mismatch import accelerator_image_mismatch
from plugins.rules.compute_fit.burstable_instance_in_production import burstable_instance_in_production
from plugins.rules.compute_fit.cpu_for_llm_server import cpu_for_llm_server
from plugins.rules.compute_fit.gpu_for_tabular_model import gpu_for_tabular_model
from plugins.rules.compute_fit.gpu_instance_with_cpu_image import gpu_instance_with_cpu_image
from plugins.rules.compute_fit.unknown_instance_type import unknown_instance_type
from rule_harness import host, judge

# The module, not the rule of the same name that the package re-exports.
cp005_module = importlib.import_module("plugins.rules.compute_fit.unknown_instance_type")

PATH = "model.yaml"


def at(line: int) -> Span:
    return Span(PATH, line, 5, line, 20)


def value(item, line: int, **extra) -> Sourced:
    return Sourced(item, at(line), Provenance.DECLARED, **extra)


def model(framework=None, build=None, image="registry.example.com/model:1", name="model") -> ModelSpec:
    return ModelSpec(
        name=value(name, 30),
        image=value(image, 31) if image else Sourced(),
        framework=value(framework, 31) if framework else Sourced(),
        image_accelerator=value(build, 31) if build else Sourced(),
    )


def compute(instance_type=None, accelerator=None, count=None, burstable=None, options=()) -> Compute:
    """What a unit runs on; `options` are the branches of an undecided condition."""
    if instance_type:
        instance = value(instance_type, 10)
    elif options:
        instance = Sourced(UNKNOWN, at(10), options=options)
    else:
        instance = Sourced()
    return Compute(
        instance_type=instance,
        accelerator=value(accelerator, 11) if accelerator else Sourced(),
        accelerator_count=value(count, 11) if count is not None else Sourced(),
        burstable=value(burstable, 10) if burstable is not None else Sourced(),
    )


def deployment(
    kind: DeploymentKind,
    unit_compute: Compute = Compute(),
    models=(),
    platform: str = "sagemaker",
    environment: Environment | None = None,
    region: str | None = None,
    serverless: ServerlessConfig | None = None,
) -> Deployment:
    unit = Unit(
        name=value("AllTraffic", 9),
        compute=unit_compute,
        serverless=serverless,
        model_names=tuple(spec.name.value for spec in models),
        span=at(9),
    )
    return Deployment(
        id=f"{PATH}#Example",
        platform=platform,
        kind=value(kind, 1),
        span=Span.point(PATH, 1),
        name=value("example", 2),
        environment=value(environment, 3) if environment else Sourced(),
        region=value(region, 4) if region else Sourced(),
        models=tuple(models),
        units=(unit,),
    )


def findings(check, target: Deployment) -> list:
    return judge(check, target)


GPU = dict(instance_type="ml.g5.xlarge", accelerator="gpu", count=1)
CPU = dict(instance_type="ml.m5.xlarge", accelerator="none", count=0)


# --- CP001 gpu-for-tabular-model ----------------------------------------------------------


@pytest.mark.parametrize(
    "kind, fires",
    [
        (DeploymentKind.REALTIME, True),
        (DeploymentKind.ASYNC, True),
        (DeploymentKind.SERVICE, True),
        (DeploymentKind.BATCH_TRANSFORM, True),
        # XGBoost and the built-in algorithms train well on GPUs; a job may be training.
        (DeploymentKind.TRAINING, False),
        (DeploymentKind.PROCESSING, False),
        (DeploymentKind.JOB, False),
    ],
)
def test_cp001_judges_serving_and_batch_scoring_only(kind, fires):
    target = deployment(kind, compute(**GPU), [model("xgboost")])
    assert bool(findings(gpu_for_tabular_model, target)) is fires


def test_cp001_message_names_the_model_and_says_it_is_suppressible():
    (violation,) = findings(gpu_for_tabular_model, deployment(DeploymentKind.REALTIME, compute(**GPU), [model("xgboost")]))
    assert "xgboost" in violation.message and "ml.g5.xlarge" in violation.message
    assert "XGBoost can" in violation.message and "suppress" in violation.message
    assert violation.span == at(11)  # the accelerator fact, inferred from the instance type
    assert violation.severity is None  # the rule's default: warning
    assert gpu_for_tabular_model.severity is Severity.WARNING


@pytest.mark.parametrize(
    "models",
    [
        [model("xgboost"), model("pytorch", "gpu", name="classifier")],  # the GPU serves a deep model too
        [model("xgboost"), model(None, name="custom")],  # a container whose framework is unknown
        [model("sklearn", "cpu")],  # CPU-only build: CP006's business
        [],  # what runs on the unit is unknown
    ],
)
def test_cp001_silent_unless_every_served_model_is_tabular(models):
    assert findings(gpu_for_tabular_model, deployment(DeploymentKind.REALTIME, compute(**GPU), models)) == []


@pytest.mark.parametrize("accelerator", [None, "none", "inferentia"])
def test_cp001_silent_without_a_known_gpu(accelerator):
    target = deployment(DeploymentKind.REALTIME, compute("ml.x.large", accelerator), [model("xgboost")])
    assert findings(gpu_for_tabular_model, target) == []


# --- CP002 cpu-for-llm-server ----------------------------------------------------------


def test_cp002_fires_for_a_serverless_llm_at_the_serverless_config():
    serverless = ServerlessConfig(memory_mb=value(6144, 20), span=at(20))
    target = deployment(DeploymentKind.SERVERLESS, Compute(), [model("tgi", "gpu")], serverless=serverless)
    (violation,) = findings(cpu_for_llm_server, target)
    assert violation.span == at(20) and "serverless" in violation.message


@pytest.mark.parametrize("kind", [DeploymentKind.REALTIME, DeploymentKind.BATCH_TRANSFORM, DeploymentKind.JOB])
def test_cp002_fires_for_every_kind_on_cpu(kind):
    assert findings(cpu_for_llm_server, deployment(kind, compute(**CPU), [model("vllm")]))


@pytest.mark.parametrize(
    "unit_compute, models",
    [
        (compute(**GPU), [model("vllm")]),
        (compute("ml.inf2.xlarge", "inferentia", 1), [model("vllm", "neuron")]),
        (compute("ml.dl1.24xlarge", "gaudi", 8), [model("vllm")]),
        (compute(None, None), [model("vllm")]),  # accelerator unknown
        (compute(**CPU), [model("vllm", "cpu")]),  # a CPU build, chosen deliberately
        (compute(**CPU), [model("llamacpp")]),  # built to run on CPU
        (compute(**CPU), [model("triton")]),  # Triton without an LLM backend
    ],
)
def test_cp002_silent(unit_compute, models):
    assert findings(cpu_for_llm_server, deployment(DeploymentKind.REALTIME, unit_compute, models)) == []


def test_cp002_kubernetes_pod_on_gpu_node_is_told_to_request_the_gpu():
    target = deployment(DeploymentKind.SERVICE, compute("g5.2xlarge", "none", 0), [model("tgi")], platform="kubernetes")
    (violation,) = findings(cpu_for_llm_server, target)
    assert "without requesting its GPU" in violation.message


# --- CP003 accelerator-image-mismatch ----------------------------------------------------------


def test_cp003_fires_for_an_undecided_neuron_device_with_a_cuda_image():
    unit_compute = Compute(
        accelerator=Sourced(UNKNOWN, at(11), options=("inferentia", "trainium")),
        accelerator_count=value(1, 11),
    )
    target = deployment(DeploymentKind.SERVICE, unit_compute, [model("pytorch", "gpu")], platform="kubernetes")
    (violation,) = findings(accelerator_image_mismatch, target)
    assert violation.span == at(11) and "1 Neuron device requested" in violation.message


def test_cp003_fires_for_a_neuron_image_without_a_neuron_request():
    target = deployment(DeploymentKind.SERVICE, compute(None, "none", 0), [model("vllm", "neuron")], platform="kubernetes")
    (violation,) = findings(accelerator_image_mismatch, target)
    assert "requests no Neuron device" in violation.message


@pytest.mark.parametrize(
    "unit_compute, models",
    [
        (compute("ml.inf2.xlarge", "inferentia", 1), [model("pytorch", "neuron")]),
        (compute("ml.inf2.xlarge", "inferentia", 1), [model("pytorch", None)]),  # build unknown
        (compute("ml.inf2.xlarge", "inferentia", 1), [model("pytorch", "gpu"), model("x", None, name="b")]),
        (compute("ml.inf2.xlarge", "inferentia", 1), []),
        (compute(None, None), [model("pytorch", "neuron")]),  # accelerator unknown
        (compute(**GPU), [model("pytorch", "gpu")]),
    ],
)
def test_cp003_silent(unit_compute, models):
    assert findings(accelerator_image_mismatch, deployment(DeploymentKind.REALTIME, unit_compute, models)) == []


# --- CP004 burstable-instance-in-production ------------------------------------------------


@pytest.mark.parametrize(
    "kind, environment, fires",
    [
        (DeploymentKind.REALTIME, Environment.PROD, True),
        (DeploymentKind.SERVICE, Environment.PROD, True),
        (DeploymentKind.REALTIME, Environment.STAGING, False),
        (DeploymentKind.REALTIME, None, False),
        (DeploymentKind.ASYNC, Environment.PROD, False),
        (DeploymentKind.JOB, Environment.PROD, False),
    ],
)
def test_cp004_only_production_real_time_serving(kind, environment, fires):
    target = deployment(kind, compute("ml.t2.medium", "none", 0, burstable=True), environment=environment)
    assert bool(findings(burstable_instance_in_production, target)) is fires


def test_cp004_leaves_a_type_that_is_no_hosting_type_to_cp005():
    unit_compute = compute("ml.t3.medium", "none", 0, burstable=True)
    target = deployment(DeploymentKind.REALTIME, unit_compute, environment=Environment.PROD)
    assert findings(burstable_instance_in_production, target) == []
    assert findings(unknown_instance_type, target)


BURSTABLE_ENDPOINT = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          InstanceType: ml.t2.medium
          InitialInstanceCount: 2
"""


def test_cp004_follows_the_environment_option():
    unknown = lint_text(BURSTABLE_ENDPOINT, "template.yaml", host=host())
    assert [finding for finding in unknown.findings if finding.rule_id == "CP004"] == []
    prod = lint_text(BURSTABLE_ENDPOINT, "template.yaml", LintOptions(environment=Environment.PROD), host=host())
    assert [finding.span.line for finding in prod.findings if finding.rule_id == "CP004"] == [8]


# --- CP005 unknown-instance-type ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, nearest",
    [
        ("ml.m5.larg", "ml.m5.large"),
        ("ML.M5.LARGE", "ml.m5.large"),
        (" ml.g5.xlarge", "ml.g5.xlarge"),
        ("m5.large", "ml.m5.large"),
        ("ml.p4.24xlarge", "ml.p4d.24xlarge"),
        ("ml.g5dn.xlarge", None),  # as close to ml.g4dn.xlarge as to ml.g5.xlarge
        ("ml.inf2.2xlarge", None),  # ml.inf2.24xlarge or ml.inf2.xlarge?
        ("ml.m3.medium", None),
        ("large", None),
    ],
)
def test_cp005_suggests_only_obvious_typos(text, nearest):
    from plugins.data import valid_instance_types

    assert cp005_module._nearest(text, valid_instance_types("hosting")) == nearest


def test_cp005_names_the_job_kinds_a_type_is_valid_for():
    target = deployment(DeploymentKind.REALTIME, compute("ml.t3.medium", "none", 0, burstable=True))
    (violation,) = findings(unknown_instance_type, target)
    assert violation.message.startswith(
        "ml.t3.medium is not a hosting instance type (it is valid for processing and training)"
    )
    assert violation.span == at(10)


def test_cp005_checks_every_branch_of_a_condition():
    target = deployment(DeploymentKind.REALTIME, compute(options=("ml.m5.larg", "ml.c5.large", "ml.c5.xlarg")))
    messages = [violation.message for violation in findings(unknown_instance_type, target)]
    assert messages == [
        "ml.m5.larg (one branch of a condition) is not a valid hosting instance type — did you mean ml.m5.large?",
        "ml.c5.xlarg (one branch of a condition) is not a valid hosting instance type — did you mean ml.c5.xlarge?",
    ]


@pytest.mark.parametrize(
    "kind",
    [DeploymentKind.SERVICE, DeploymentKind.JOB, DeploymentKind.SERVERLESS],  # no SageMaker instance-type enum
)
def test_cp005_silent_for_kinds_without_a_job_kind(kind):
    # A HyperPod inference endpoint on Kubernetes names ml.* types, but no API enum judges them here.
    target = deployment(kind, compute("ml.x9.huge", "gpu", 1), platform="kubernetes")
    assert findings(unknown_instance_type, target) == []


def test_cp005_reports_a_number_where_a_type_belongs():
    unit_compute = Compute(instance_type=Sourced(UNKNOWN, at(10), raw=5))
    (violation,) = findings(unknown_instance_type, deployment(DeploymentKind.REALTIME, unit_compute))
    assert violation.message.startswith("5 is not a valid hosting instance type")


def _pricing_table(region: str, job_kind: str, basis: str = "pricing") -> RegionalInstanceTypes:
    return RegionalInstanceTypes(region, job_kind, frozenset({"ml.m5.large"}), basis, "cfn-lint 9.9 test table", "9.9")


def test_cp005_regional_availability_is_info_from_pricing_tables_only(monkeypatch):
    monkeypatch.setattr(cp005_module, "regional_instance_types", _pricing_table)
    listed = deployment(DeploymentKind.REALTIME, compute("ml.m5.large"), region="eu-south-2")
    missing = deployment(DeploymentKind.REALTIME, compute("ml.p5.48xlarge"), region="eu-south-2")
    assert findings(unknown_instance_type, listed) == []
    (violation,) = findings(unknown_instance_type, missing)
    assert violation.severity is Severity.INFO
    assert violation.message.startswith("ml.p5.48xlarge is not listed for hosting in eu-south-2 in cfn-lint 9.9's regional tables —")
    assert "test table" not in violation.message  # the data is named by version, not by a file path
    assert violation.span == at(10)


def test_cp005_regional_check_needs_a_region_and_a_pricing_table(monkeypatch):
    no_region = deployment(DeploymentKind.REALTIME, compute("ml.p5.48xlarge"))
    monkeypatch.setattr(cp005_module, "regional_instance_types", _pricing_table)
    assert findings(unknown_instance_type, no_region) == []
    monkeypatch.setattr(cp005_module, "regional_instance_types", lambda r, k: _pricing_table(r, k, "schema"))
    schema_only = deployment(DeploymentKind.REALTIME, compute("ml.p5.48xlarge"), region="eu-south-2")
    assert findings(unknown_instance_type, schema_only) == []
    monkeypatch.setattr(cp005_module, "regional_instance_types", lambda r, k: None)
    assert findings(unknown_instance_type, schema_only) == []


def test_cp005_regional_check_skips_invalid_types(monkeypatch):
    monkeypatch.setattr(cp005_module, "regional_instance_types", _pricing_table)
    target = deployment(DeploymentKind.REALTIME, compute("ml.m5.larg"), region="eu-south-2")
    assert [violation.severity for violation in findings(unknown_instance_type, target)] == [None]


def test_cp005_accepts_types_the_configuration_adds():
    text = BURSTABLE_ENDPOINT.replace("ml.t2.medium", "ml.x9.large")
    plain = lint_text(text, "template.yaml", host=host())
    assert [finding.rule_id for finding in plain.findings if finding.rule_id == "CP005"] == ["CP005"]
    config = Config(settings={"data": {"instance-types": {"hosting": ["ml.x9.large"]}}})
    extended = lint_text(text, "template.yaml", LintOptions(config=config), host=host())
    assert [finding for finding in extended.findings if finding.rule_id == "CP005"] == []


# --- CP006 gpu-instance-with-cpu-image -----------------------------------------------------


@pytest.mark.parametrize("kind", list(DeploymentKind))
def test_cp006_judges_every_kind(kind):
    assert findings(gpu_instance_with_cpu_image, deployment(kind, compute(**GPU), [model("pytorch", "cpu")]))


@pytest.mark.parametrize(
    "models",
    [
        [model("pytorch", "cpu"), model("pytorch", "gpu", name="b")],
        [model("pytorch", "cpu"), model(None, None, name="b")],
        [model("pytorch", None)],
        [],
    ],
)
def test_cp006_silent_unless_every_image_is_a_cpu_build(models):
    assert findings(gpu_instance_with_cpu_image, deployment(DeploymentKind.TRAINING, compute(**GPU), models)) == []


def test_cp006_silent_on_cpu():
    target = deployment(DeploymentKind.TRAINING, compute(**CPU), [model("pytorch", "cpu")])
    assert findings(gpu_instance_with_cpu_image, target) == []


# --- Real files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -------------

CORPUS_COPIES = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"


def lint_copy(name: str, options: LintOptions = LintOptions()):
    path = CORPUS_COPIES / name
    return lint_text(path.read_text(encoding="utf-8"), str(path), options, host=host())


def compute_findings(result) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in result.findings if finding.rule_id.startswith("CP")]


def test_corpus_gpu_training_step_with_cpu_image_fires_cp006():
    # A SageMaker pipeline whose training step asks for ml.g5.12xlarge but runs pytorch-training:...-cpu-...
    result = lint_copy("cp006-dynamic-sagemaker-pipelines-pipeline_definition.json")
    (finding,) = [finding for finding in result.findings if finding.rule_id.startswith("CP")]
    assert finding.rule_id == "CP006"
    assert "ml.g5.12xlarge" in finding.message and "pytorch-training:2.0.0-cpu-py310" in finding.message


def test_corpus_xgboost_on_cpu_is_silent():
    result = lint_copy("cp001-fraud-detection-sagemaker-demo-stack.yaml")
    (endpoint,) = result.deployments
    assert endpoint.models[0].framework.value == "xgboost" and endpoint.units[0].compute.accelerator.value == "none"
    assert compute_findings(result) == []


def test_corpus_vllm_with_a_gpu_on_hyperpod_is_silent():
    result = lint_copy("cp002-hyperpod-deploy-openai.yaml")
    (service,) = result.deployments
    assert service.models[0].framework.value == "vllm" and service.units[0].compute.accelerator.value == "gpu"
    assert compute_findings(result) == []  # CP005 too: ml.* types on Kubernetes have no SageMaker job kind


def test_corpus_neuron_request_with_an_image_of_unknown_build_is_silent():
    result = lint_copy("cp003-ray-service-llama3-inf2.yaml")
    (service,) = result.deployments
    workers = [unit for unit in service.units if unit.name.value == "inf2"]
    assert set(workers[0].compute.accelerator.options) == {"inferentia", "trainium"}
    assert compute_findings(result) == []


def test_corpus_burstable_dev_endpoint_is_silent_unless_called_production():
    assert compute_findings(lint_copy("cp004-mlops-workshop-deploy-model-dev.yml")) == []
    prod = lint_copy("cp004-mlops-workshop-deploy-model-dev.yml", LintOptions(environment=Environment.PROD))
    assert compute_findings(prod) == [("CP004", 35)]


def test_corpus_condition_with_one_valid_instance_type_is_silent():
    result = lint_copy("cp005-serverless-inf-endpoint-config-template.yml")
    (endpoint,) = result.deployments
    assert endpoint.units[0].compute.instance_type.options == ("ml.m5.large",)
    assert compute_findings(result) == []


def test_corpus_7b_model_on_eight_h100s_is_reported_as_information():
    # vLLM serving google/gemma-7b-it (--model=$(MODEL_ID)) with eight GPUs of a GKE nvidia-h100-80gb node.
    result = lint_copy("cp007-vllm-gemma-7b-it-h100-80gb.yaml")
    (service,) = result.deployments
    (model,) = service.models
    assert model.model_id.value == "google/gemma-7b-it" and model.weights_gb.value == 14.0
    (finding,) = [finding for finding in result.findings if finding.rule_id == "CP007"]
    assert finding.severity.value == "info" and finding.span.line == 41
    assert "8 x NVIDIA H100" in finding.message


def test_model_weights_stay_unknown_with_the_reason_when_they_cannot_be_read():
    from plugins.adapters.aws.inferred_facts import model_id_of, weights_of

    span = Span("t.yaml", 1, 1, 1, 2)
    env = (("HF_MODEL_ID", Sourced("meta-llama/Meta-Llama-3-70B-Instruct", span)),)
    model_id = model_id_of(env)
    assert model_id.value == "meta-llama/Meta-Llama-3-70B-Instruct"
    assert weights_of(model_id, Sourced("tgi"), env, Sourced()).value == 140.0
    assert "not in the tables" in weights_of(model_id, Sourced("djl-lmi"), env, Sourced()).note
    quantised = env + (("HF_MODEL_QUANTIZE", Sourced("awq", span)),)
    assert "HF_MODEL_QUANTIZE" in weights_of(model_id, Sourced("tgi"), quantised, Sourced()).note
    assert weights_of(model_id, Sourced("tgi"), env + (("QUANTIZE", Sourced("awq", span)),), Sourced()).value == 35.0
    served = model_id_of((), Sourced(("vllm", "serve", "Qwen/Qwen2.5-72B-Instruct", "--dtype", "float32"), span))
    assert served.value == "Qwen/Qwen2.5-72B-Instruct"
    assert weights_of(served, Sourced("vllm"), (), Sourced(("vllm", "serve", "x", "--dtype", "float32"), span)).value == 288.0
    assert not model_id_of((("HF_MODEL_ID", Sourced("s3://bucket/model", span)),)).known

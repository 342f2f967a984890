"""The ACK adapter: SageMaker and Application Auto Scaling custom resources, linked by AWS name.

The goldens (test_goldens.py, fixtures under tests/fixtures/adapters/ack/)
pin what each file reads as; these tests pin what needs several files in
one run, the matching rules (namespace, account, region, placeholders),
the strict types, bad shapes, and that the existing rules fire through ACK
resources without knowing them.
"""

from __future__ import annotations

import textwrap

import pytest

from linter import UNKNOWN, Capacity, DeploymentKind, Environment, Provenance
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

ONLY_CORE = LintOptions(selector=RuleSelector(("MD",)))
ALL_RULES = LintOptions()


@pytest.fixture(scope="module")
def host():
    return build_plugin_host()


def _run(host, *files: tuple[str, str], context: tuple[tuple[str, str], ...] = (), options=ONLY_CORE, clean: bool = True):
    inputs = [InputFile(path, textwrap.dedent(text).encode()) for path, text in files]
    inputs += [InputFile(path, textwrap.dedent(text).encode(), context_only=True) for path, text in context]
    result = run_lint(inputs, host, options)
    assert [finding.message for finding in result.findings if finding.rule_id == "MD002"] == []
    if clean:
        assert [f"{finding.rule_id} {finding.message}" for finding in result.findings] == []
    return result


def _only(result):
    assert len(result.deployments) == 1, [item.id for item in result.deployments]
    return result.deployments[0]


def _findings(result, rule_id: str) -> list[tuple[str, int, str]]:
    return [(finding.span.path, finding.span.line, finding.message) for finding in result.findings if finding.rule_id == rule_id]


MODEL = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Model
metadata:
  name: churn
  namespace: ml
spec:
  modelName: churn-xgb
  executionRoleARN: arn:aws:iam::123456789012:role/sagemaker
  primaryContainer:
    image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
"""

CONFIG = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata:
  name: churn-config
  namespace: ml
spec:
  endpointConfigName: churn-config
  productionVariants:
    - variantName: AllTraffic
      modelName: churn-xgb
      instanceType: ml.c5.xlarge
      initialInstanceCount: 2
      initialVariantWeight: 1
"""

ENDPOINT = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Endpoint
metadata:
  name: churn
  namespace: ml
spec:
  endpointName: churn
  endpointConfigName: churn-config
"""

TARGET = """\
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalableTarget
metadata:
  name: churn-target
  namespace: ml
spec:
  serviceNamespace: sagemaker
  resourceID: endpoint/churn/variant/AllTraffic
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  minCapacity: 2
  maxCapacity: 8
"""

POLICY = """\
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalingPolicy
metadata:
  name: churn-policy
  namespace: ml
spec:
  policyName: churn-policy
  policyType: TargetTrackingScaling
  serviceNamespace: sagemaker
  resourceID: endpoint/churn/variant/AllTraffic
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  targetTrackingScalingPolicyConfiguration:
    targetValue: 70
    predefinedMetricSpecification:
      predefinedMetricType: SageMakerVariantInvocationsPerInstance
"""

TRAINING = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: TrainingJob
metadata:
  name: churn-train
  namespace: ml
spec:
  trainingJobName: churn-train
  roleARN: arn:aws:iam::123456789012:role/sagemaker
  algorithmSpecification:
    trainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
    trainingInputMode: File
  outputDataConfig:
    s3OutputPath: s3://models/churn/
  resourceConfig:
    instanceType: ml.m5.2xlarge
    instanceCount: 1
    volumeSizeInGB: 50
  stoppingCondition:
    maxRuntimeInSeconds: 7200
"""

TRANSFORM = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: TransformJob
metadata:
  name: churn-scoring
  namespace: ml
spec:
  transformJobName: churn-scoring
  modelName: churn-xgb
  maxPayloadInMB: 6
  transformInput:
    dataSource:
      s3DataSource: {s3DataType: S3Prefix, s3URI: "s3://data/in/"}
  transformOutput:
    s3OutputPath: s3://data/out/
  transformResources:
    instanceType: ml.m5.xlarge
    instanceCount: 1
"""

HOSTING = ("model.yaml", MODEL), ("config.yaml", CONFIG), ("endpoint.yaml", ENDPOINT)


# --- linking across files ------------------------------------------------------------------


@pytest.mark.parametrize("order", ["endpoint-first", "model-first"])
def test_endpoint_config_and_model_in_separate_files_make_one_deployment(host, order):
    files = [("endpoint.yaml", ENDPOINT), ("config.yaml", CONFIG), ("model.yaml", MODEL)]
    if order == "model-first":
        files.reverse()
    deployment = _only(_run(host, *files))
    assert deployment.id == "endpoint.yaml#Endpoint/ml/churn"
    assert deployment.platform == "sagemaker"
    assert deployment.kind.value is DeploymentKind.REALTIME
    assert (deployment.span.path, deployment.span.line) == ("endpoint.yaml", 4)
    (unit,) = deployment.units
    assert (unit.name.value, unit.compute.instance_type.value, unit.count.value, unit.weight.value) == ("AllTraffic", "ml.c5.xlarge", 2, 1.0)
    assert unit.compute.accelerator.value == "none"
    (model,) = deployment.models
    assert (model.name.value, model.framework.value) == ("churn-xgb", "xgboost")
    assert model.image.span.path == "model.yaml"
    assert unit.model_names == ("churn-xgb",)
    assert [(link.kind, link.name) for link in deployment.links] == [("Endpoint", "churn"), ("EndpointConfig", "churn-config"), ("Model", "churn")]
    assert deployment.namespace.value == "ml"


def test_a_changed_model_alone_still_shows_the_endpoint_serving_it(host):
    result = _run(host, ("model.yaml", MODEL), context=(("config.yaml", CONFIG), ("endpoint.yaml", ENDPOINT)))
    deployment = _only(result)
    assert deployment.id == "endpoint.yaml#Endpoint/ml/churn"
    assert deployment.models[0].name.value == "churn-xgb"


def test_model_alone_is_no_deployment_but_is_recognised(host):
    result = _run(host, ("model.yaml", MODEL))
    assert result.deployments == ()
    assert [summary.recognised for summary in result.files] == [True]


def test_configuration_no_endpoint_names_is_a_deployment_of_its_own(host):
    deployment = _only(_run(host, ("config.yaml", CONFIG), ("model.yaml", MODEL)))
    assert deployment.id == "config.yaml#EndpointConfig/ml/churn-config"
    assert deployment.name.value == "churn-config"
    assert deployment.models[0].framework.value == "xgboost"


def test_endpoint_without_its_configuration_has_an_unknown_kind(host):
    deployment = _only(_run(host, ("endpoint.yaml", ENDPOINT)))
    assert deployment.kind.value is UNKNOWN
    assert deployment.kind.note == "the endpoint configuration is not among the objects of this run"
    assert deployment.units == ()


def test_a_model_the_run_lacks_leaves_the_variant_naming_it(host):
    deployment = _only(_run(host, ("config.yaml", CONFIG), ("endpoint.yaml", ENDPOINT)))
    assert deployment.models == ()
    assert deployment.units[0].model_names == ("churn-xgb",)


def test_names_match_in_the_same_namespace_first(host):
    other = CONFIG.replace("namespace: ml", "namespace: other").replace("ml.c5.xlarge", "ml.m5.large")
    result = _run(host, ("a-other.yaml", other), ("b-config.yaml", CONFIG), ("endpoint.yaml", ENDPOINT))
    endpoint = next(item for item in result.deployments if item.id.startswith("endpoint.yaml"))
    assert endpoint.units[0].compute.instance_type.value == "ml.c5.xlarge"
    # A name found only in another namespace still links: SageMaker names are per account and region.
    alone = _run(host, ("a-other.yaml", other), ("endpoint.yaml", ENDPOINT))
    endpoint = next(item for item in alone.deployments if item.id.startswith("endpoint.yaml"))
    assert endpoint.units[0].compute.instance_type.value == "ml.m5.large"


def _annotated(text: str, annotation: str) -> str:
    return text.replace("  namespace: ml\n", f"  namespace: ml\n  annotations:\n    {annotation}\n", 1)


def test_names_never_match_across_regions_or_accounts(host):
    eu_config = _annotated(CONFIG, "services.k8s.aws/region: eu-west-1")
    # An endpoint without a region is in the controller's region, which may well be eu-west-1.
    linked = _only(_run(host, ("config.yaml", eu_config), ("endpoint.yaml", ENDPOINT)))
    assert linked.kind.value is DeploymentKind.REALTIME
    us_endpoint = _annotated(ENDPOINT, "services.k8s.aws/region: us-east-1")
    result = _run(host, ("config.yaml", eu_config), ("endpoint.yaml", us_endpoint))
    regions = {item.id: (item.kind.value, item.region.value) for item in result.deployments}
    assert regions == {
        "endpoint.yaml#Endpoint/ml/churn": (UNKNOWN, "us-east-1"),
        "config.yaml#EndpointConfig/ml/churn-config": (DeploymentKind.REALTIME, "eu-west-1"),
    }
    account_a = _annotated(ENDPOINT, "services.k8s.aws/owner-account-id: '111111111111'")
    account_b = _annotated(CONFIG, "services.k8s.aws/owner-account-id: '222222222222'")
    assert len(_run(host, ("config.yaml", account_b), ("endpoint.yaml", account_a)).deployments) == 2


def test_namespace_annotations_give_the_region_and_account(host):
    namespace = """\
    apiVersion: v1
    kind: Namespace
    metadata:
      name: ml
      annotations:
        services.k8s.aws/default-region: ap-southeast-2
    """
    result = _run(host, *HOSTING, context=(("ns.yaml", namespace),))
    region = _only(result).region
    assert (region.value, region.span.path, region.provenance) == ("ap-southeast-2", "ns.yaml", Provenance.DECLARED)


def test_placeholder_names_link_only_within_their_file(host):
    config = CONFIG.replace("endpointConfigName: churn-config", "endpointConfigName: $CONFIG_NAME")
    endpoint = ENDPOINT.replace("endpointConfigName: churn-config", "endpointConfigName: $CONFIG_NAME")
    apart = _run(host, ("config.yaml", config), ("endpoint.yaml", endpoint))
    assert len(apart.deployments) == 2
    together = _only(_run(host, ("hosting.yaml", config + "---\n" + endpoint)))
    assert together.kind.value is DeploymentKind.REALTIME
    assert together.name.value == "churn"


def test_angle_bracket_fill_ins_of_the_samples_are_placeholders(host):
    config = CONFIG.replace("instanceType: ml.c5.xlarge", "instanceType: <YOUR INSTANCE TYPE>")
    unit = _only(_run(host, ("config.yaml", config))).units[0]
    assert unit.compute.instance_type.value is UNKNOWN
    assert unit.compute.instance_type.note == "template placeholder '<YOUR INSTANCE TYPE>'"


# --- scalable targets and policies ---------------------------------------------------------


@pytest.mark.parametrize("order", ["scaling-first", "hosting-first"])
def test_scalable_target_and_policy_in_another_file_scale_the_variant(host, order):
    files = [("scaling.yaml", TARGET + "---\n" + POLICY), *HOSTING]
    if order == "hosting-first":
        files.reverse()
    result = _run(host, *files)
    deployment = _only(result)
    (scaling,) = deployment.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 8)
    assert scaling.dimension.value == "sagemaker:variant:DesiredInstanceCount"
    assert scaling.linked_by == "ScalableTarget churn-target"
    (policy,) = scaling.policies
    assert (policy.policy_type.value, policy.metric.value, policy.target_value.value) == (
        "TargetTrackingScaling",
        "SageMakerVariantInvocationsPerInstance",
        70.0,
    )
    (target,) = result.scaling_targets
    assert (target.status, target.deployment_id, target.unit_name) == ("linked", deployment.id, "AllTraffic")
    assert target.resource_id.value == "endpoint/churn/variant/AllTraffic"
    assert (target.span.path, target.span.line) == ("scaling.yaml", 4)
    assert ("ScalableTarget", "churn-target") in [(link.kind, link.name) for link in deployment.links]


def test_a_target_in_a_context_file_still_scales_the_variant(host):
    result = _run(host, *HOSTING, context=(("scaling.yaml", TARGET),))
    assert len(_only(result).units[0].scaling) == 1
    assert result.scaling_targets == ()  # reported only with its own file


def test_a_policy_with_another_dimension_drives_nothing(host):
    policy = POLICY.replace("scalableDimension: sagemaker:variant:DesiredInstanceCount", "scalableDimension: sagemaker:variant:DesiredProvisionedConcurrency")
    result = _run(host, ("scaling.yaml", TARGET + "---\n" + policy), *HOSTING)
    assert _only(result).units[0].scaling[0].policies == ()


@pytest.mark.parametrize(
    "change, status, reason",
    [
        (("variant/AllTraffic", "variant/AllTrafic"), "no-such-unit", "endpoint 'churn' has no variant 'AllTrafic' (variants: AllTraffic)"),
        (("endpoint/churn/", "endpoint/churn-v2/"), "no-such-deployment", "no ACK Endpoint named 'churn-v2' among the objects of this run"),
        (("serviceNamespace: sagemaker", "serviceNamespace: ecs"), "other-service", "serviceNamespace ecs"),
        (("resourceID: endpoint/churn/variant/AllTraffic", "resourceID: $RESOURCE_ID"), "unresolved", "resourceID '$RESOURCE_ID' is a template placeholder"),
        (("resourceID: endpoint/churn/variant/AllTraffic", "resourceID: table/churn"), "unresolved", "resourceID 'table/churn' is not an endpoint variant or inference component"),
        (("resourceID: endpoint/churn/variant/AllTraffic", "resourceID: 42"), "unresolved", "resourceID expected a string"),
    ],
)
def test_targets_that_scale_nothing_say_why(host, change, status, reason):
    result = _run(host, ("scaling.yaml", TARGET.replace(*change)), *HOSTING)
    (target,) = result.scaling_targets
    assert (target.status, target.reason) == (status, f"ScalableTarget churn-target: {reason}")
    assert _only(result).units[0].scaling == ()


def test_target_of_an_endpoint_whose_configuration_is_missing_is_unresolved(host):
    result = _run(host, ("scaling.yaml", TARGET), ("endpoint.yaml", ENDPOINT))
    (target,) = result.scaling_targets
    assert target.status == "unresolved"
    assert target.deployment_id == "endpoint.yaml#Endpoint/ml/churn"
    assert "configuration of endpoint 'churn' is not among the objects of this run" in target.reason


def test_endpoint_in_another_region_is_named_in_the_reason(host):
    target = TARGET.replace("  namespace: ml\n", "  namespace: ml\n  annotations:\n    services.k8s.aws/region: eu-west-1\n", 1)
    endpoint = ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n  annotations:\n    services.k8s.aws/region: us-east-1\n", 1)
    result = _run(host, ("scaling.yaml", target), ("endpoint.yaml", endpoint))
    (found,) = result.scaling_targets
    assert found.status == "no-such-deployment"
    assert found.reason.endswith("(one of that name is in another AWS account or region)")


def test_inference_component_is_a_unit_on_its_variant_with_its_own_scaling(host):
    component = """\
    apiVersion: sagemaker.services.k8s.aws/v1alpha1
    kind: InferenceComponent
    metadata: {name: churn-ic, namespace: ml}
    spec:
      inferenceComponentName: churn-ic
      endpointName: churn
      variantName: AllTraffic
      specification:
        modelName: churn-xgb
      runtimeConfig: {copyCount: 2}
    ---
    apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
    kind: ScalableTarget
    metadata: {name: churn-ic-copies, namespace: ml}
    spec:
      serviceNamespace: sagemaker
      resourceID: inference-component/churn-ic
      scalableDimension: sagemaker:inference-component:DesiredCopyCount
      minCapacity: 1
      maxCapacity: 4
    """
    result = _run(host, ("component.yaml", component), *HOSTING)
    deployment = _only(result)
    variant, placed = deployment.units
    assert (placed.name.value, placed.count.value, placed.model_names) == ("churn-ic", 2, ("churn-xgb",))
    assert placed.compute.instance_type.value == "ml.c5.xlarge"
    assert placed.compute.instance_type.span == variant.compute.instance_type.span
    assert [scaling.max_capacity.value for scaling in placed.scaling] == [4]
    (target,) = result.scaling_targets
    assert (target.status, target.unit_name) == ("linked", "churn-ic")


# --- jobs ------------------------------------------------------------------------------------


def test_training_job_reads_managed_spot_and_defaults(host):
    deployment = _only(_run(host, ("train.yaml", TRAINING)))
    assert deployment.id == "train.yaml#TrainingJob/ml/churn-train"
    assert deployment.kind.value is DeploymentKind.TRAINING
    assert deployment.training.managed_spot.value is False
    assert deployment.training.managed_spot.provenance is Provenance.DEFAULT
    assert deployment.units[0].capacity.value is Capacity.ON_DEMAND
    assert deployment.models[0].framework.value == "xgboost"
    spot = TRAINING.replace("  stoppingCondition:\n", "  enableManagedSpotTraining: true\n  checkpointConfig: {s3URI: 's3://models/ckpt/'}\n  stoppingCondition:\n")
    training = _only(_run(host, ("train.yaml", spot))).training
    assert training.managed_spot.value is True
    assert training.checkpoint_path.value == "s3://models/ckpt/"


def test_transform_job_finds_its_model_in_another_file(host):
    deployment = _only(_run(host, ("transform.yaml", TRANSFORM), context=(("model.yaml", MODEL),)))
    assert deployment.kind.value is DeploymentKind.BATCH_TRANSFORM
    assert deployment.batch.max_payload_mb.value == 6
    assert deployment.models[0].framework.value == "xgboost"
    assert deployment.units[0].model_names == ("churn-xgb",)


def test_tuning_job_has_one_deployment_per_definition(host):
    tuning = """\
    apiVersion: sagemaker.services.k8s.aws/v1alpha1
    kind: HyperParameterTuningJob
    metadata: {name: hpo, namespace: ml}
    spec:
      hyperParameterTuningJobName: hpo
      hyperParameterTuningJobConfig:
        strategy: Bayesian
        resourceLimits: {maxNumberOfTrainingJobs: 10, maxParallelTrainingJobs: 2}
      trainingJobDefinitions:
        - definitionName: cpu
          algorithmSpecification: {trainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1, trainingInputMode: File}
          resourceConfig: {instanceType: ml.m5.xlarge, instanceCount: 1, volumeSizeInGB: 10}
          stoppingCondition: {maxRuntimeInSeconds: 3600}
        - definitionName: spot
          algorithmSpecification: {trainingImage: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1, trainingInputMode: File}
          resourceConfig: {instanceType: ml.m5.xlarge, instanceCount: 1, volumeSizeInGB: 10}
          enableManagedSpotTraining: true
          stoppingCondition: {maxRuntimeInSeconds: 3600, maxWaitTimeInSeconds: 7200}
    """
    result = _run(host, ("hpo.yaml", tuning))
    assert [item.id for item in result.deployments] == ["hpo.yaml#HyperParameterTuningJob/ml/hpo/cpu", "hpo.yaml#HyperParameterTuningJob/ml/hpo/spot"]
    assert [item.training.managed_spot.value for item in result.deployments] == [False, True]
    assert result.deployments[0].attribute("max_parallel_training_jobs").value == 2


# --- profile and environment ---------------------------------------------------------------


def test_profile_annotations_on_the_endpoint_reach_the_deployment(host):
    endpoint = ENDPOINT.replace(
        "  namespace: ml\n",
        "  namespace: ml\n  annotations:\n    mldeploy-lint.io/payload-mb: '40'\n    mldeploy-lint.io/latency-ms: '250'\n    mldeploy-lint.io/traffic: bursty\n",
        1,
    )
    profile = _only(_run(host, ("model.yaml", MODEL), ("config.yaml", CONFIG), ("endpoint.yaml", endpoint))).profile
    assert (profile.payload_mb.value, profile.latency_ms.value, profile.traffic.value) == (40.0, 250.0, "bursty")
    assert (profile.payload_mb.span.path, profile.payload_mb.span.line) == ("endpoint.yaml", 7)
    assert profile.payload_mb.note == "annotation mldeploy-lint.io/payload-mb of Endpoint churn"


def test_endpoint_profile_wins_over_the_configuration_and_tags_over_annotations(host):
    config = CONFIG.replace("  namespace: ml\n", "  namespace: ml\n  annotations: {mldeploy-lint.io/payload-mb: '3', mldeploy-lint.io/traffic: steady}\n", 1)
    endpoint = ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n  annotations: {mldeploy-lint.io/payload-mb: '40'}\n", 1)
    endpoint += "  tags:\n    - {key: 'mldeploy-lint:payload-mb', value: '50'}\n"
    profile = _only(_run(host, ("config.yaml", config), ("endpoint.yaml", endpoint))).profile
    assert profile.payload_mb.value == 50.0
    assert profile.payload_mb.note == "Tags mldeploy-lint:<key> of ACK Endpoint churn"
    assert profile.traffic.value == "steady"


def test_invalid_profile_annotations_are_md004_once(host):
    endpoint = ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n  annotations: {mldeploy-lint.io/payload-mb: big}\n", 1)
    result = _run(host, ("endpoint.yaml", endpoint), ("config.yaml", CONFIG), clean=False)
    assert _findings(result, "MD004") == [
        ("endpoint.yaml", 6, "invalid workload profile (annotation mldeploy-lint.io/payload-mb of Endpoint churn): payload-mb must be a number, got 'big'")
    ]


@pytest.mark.parametrize(
    "metadata, namespace_object, expected, note",
    [
        ("  labels: {environment: production}\n", None, Environment.PROD, "label of Endpoint churn environment=production"),
        ("  annotations: {mldeploy-lint.io/environment: staging}\n", None, Environment.STAGING, "annotation mldeploy-lint.io/environment of Endpoint churn"),
        ("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: {stage: prod}}\n", Environment.PROD, "label of Namespace ml stage=prod"),
    ],
)
def test_environment_from_labels_annotations_and_namespace(host, metadata, namespace_object, expected, note):
    endpoint = ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n" + metadata, 1)
    context = (("ns.yaml", namespace_object),) if namespace_object else ()
    deployment = _only(_run(host, ("config.yaml", CONFIG), ("endpoint.yaml", endpoint), context=context))
    assert (deployment.environment.value, deployment.environment.note) == (expected, note)


def test_environment_from_tags_and_the_namespace_name(host):
    tagged = ENDPOINT + "  tags:\n    - key: Environment\n      value: prod\n"
    assert _only(_run(host, ("config.yaml", CONFIG), ("endpoint.yaml", tagged))).environment.value is Environment.PROD
    renamed = [text.replace("namespace: ml", "namespace: ml-staging") for _, text in HOSTING]
    deployment = _only(_run(host, *zip(("model.yaml", "config.yaml", "endpoint.yaml"), renamed)))
    assert (deployment.environment.value, deployment.environment.provenance) == (Environment.STAGING, Provenance.INFERRED)


# --- existing rules, unchanged, through ACK ---------------------------------------------------


def test_ep001_declared_500_mb_payload_on_a_realtime_endpoint(host):
    endpoint = ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n  annotations:\n    mldeploy-lint.io/payload-mb: '500'\n", 1)
    result = _run(host, ("config.yaml", CONFIG), ("endpoint.yaml", endpoint), options=ALL_RULES, clean=False)
    assert _findings(result, "EP001") == [
        (
            "endpoint.yaml",
            7,
            "declared payload 500 MB exceeds the 6 MiB limit of a real-time endpoint (churn) — use an asynchronous endpoint (up to 1 GB)",
        )
    ]
    asynchronous = CONFIG + "  asyncInferenceConfig:\n    outputConfig: {s3OutputPath: 's3://out/', s3FailurePath: 's3://failed/'}\n"
    near_miss = _run(host, ("config.yaml", asynchronous), ("endpoint.yaml", endpoint), options=ALL_RULES, clean=False)
    assert _findings(near_miss, "EP001") == []


def test_ep001_transform_job_record_above_the_batch_limit(host):
    transform = TRANSFORM.replace("maxPayloadInMB: 6", "maxPayloadInMB: 150")
    result = _run(host, ("transform.yaml", transform), options=ALL_RULES, clean=False)
    assert [(path, line) for path, line, _ in _findings(result, "EP001")] == [("transform.yaml", 9)]
    assert _findings(_run(host, ("transform.yaml", TRANSFORM), options=ALL_RULES, clean=False), "EP001") == []


def test_cp001_gpu_instance_for_an_xgboost_image(host):
    gpu = CONFIG.replace("ml.c5.xlarge", "ml.g5.xlarge")
    result = _run(host, ("model.yaml", MODEL), ("config.yaml", gpu), ("endpoint.yaml", ENDPOINT), options=ALL_RULES, clean=False)
    ((path, line, message),) = _findings(result, "CP001")
    assert (path, line) == ("config.yaml", 11)
    assert "tabular model xgboost (sagemaker-xgboost:1.7-1) is served on GPU instance ml.g5.xlarge" in message
    cpu = _run(host, *HOSTING, options=ALL_RULES, clean=False)
    assert _findings(cpu, "CP001") == []


@pytest.mark.parametrize(
    "files, line",
    [
        ((("config.yaml", CONFIG.replace("ml.c5.xlarge", "ml.t3.medium")),), 11),
        ((("config.yaml", CONFIG.replace("ml.c5.xlarge", "ml.c5.xlargee")),), 11),
        ((("train.yaml", TRAINING.replace("ml.m5.2xlarge", "ml.m5.2xlarg")),), 15),
    ],
)
def test_cp005_unknown_instance_type(host, files, line):
    result = _run(host, *files, options=ALL_RULES, clean=False)
    assert [(path, found) for path, found, _ in _findings(result, "CP005")] == [(files[0][0], line)]


def test_cp004_burstable_instance_behind_a_production_endpoint(host):
    burstable = CONFIG.replace("ml.c5.xlarge", "ml.t2.medium")
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: {environment: prod}}\n"
    result = _run(host, ("config.yaml", burstable), ("endpoint.yaml", ENDPOINT), context=(("ns.yaml", namespace),), options=ALL_RULES, clean=False)
    assert [(path, line) for path, line, _ in _findings(result, "CP004")] == [("config.yaml", 11)]
    dev = _run(host, ("config.yaml", burstable), ("endpoint.yaml", ENDPOINT), options=ALL_RULES, clean=False)
    assert _findings(dev, "CP004") == []


def test_sp002_training_job_without_managed_spot(host):
    result = _run(host, ("train.yaml", TRAINING), options=ALL_RULES, clean=False)
    ((path, line, message),) = _findings(result, "SP002")
    assert path == "train.yaml"
    assert message.startswith("training job churn-train runs on on-demand ml.m5.2xlarge (EnableManagedSpotTraining not set: on-demand)")
    spot = TRAINING.replace(
        "  stoppingCondition:\n    maxRuntimeInSeconds: 7200\n",
        "  enableManagedSpotTraining: true\n  checkpointConfig: {s3URI: 's3://models/ckpt/'}\n  stoppingCondition:\n    maxRuntimeInSeconds: 7200\n    maxWaitTimeInSeconds: 14400\n",
    )
    clean = _run(host, ("train.yaml", spot), options=ALL_RULES, clean=False)
    assert _findings(clean, "SP002") == [] and _findings(clean, "SP003") == []


def test_sp003_managed_spot_without_max_wait(host):
    spot = TRAINING.replace("  stoppingCondition:\n", "  enableManagedSpotTraining: true\n  stoppingCondition:\n")
    result = _run(host, ("train.yaml", spot), options=ALL_RULES, clean=False)
    found = [(finding.severity.value, finding.span.line) for finding in result.findings if finding.rule_id == "SP003"]
    assert found == [("warning", 18), ("error", 20)]  # no CheckpointConfig; no maxWaitTimeInSeconds in stoppingCondition


SERVERLESS = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata: {name: fraud, namespace: ml}
spec:
  endpointConfigName: fraud
  productionVariants:
    - variantName: AllTraffic
      modelName: fraud
      serverlessConfig:
        memorySizeInMB: {memory}
        maxConcurrency: 10
"""


@pytest.mark.parametrize(
    "memory, message",
    [
        ("1500", "MemorySizeInMB 1500 of variant AllTraffic is not allowed; use one of 1024, 2048, 3072, 4096, 5120, 6144 (nearest: 2048)"),
        # The CRD types memorySizeInMB as an integer: the API server rejects a string, and so does the reader.
        ('"2048"', "MemorySizeInMB '2048' of variant AllTraffic is not a number; allowed values: 1024, 2048, 3072, 4096, 5120, 6144"),
    ],
)
def test_cv001_serverless_memory(host, memory, message):
    result = _run(host, ("serverless.yaml", SERVERLESS.replace("{memory}", memory)), options=ALL_RULES, clean=False)
    assert _findings(result, "CV001") == [("serverless.yaml", 10, message)]
    valid = _run(host, ("serverless.yaml", SERVERLESS.replace("{memory}", "2048")), options=ALL_RULES, clean=False)
    assert _findings(valid, "CV001") == []
    assert _only(valid).kind.value is DeploymentKind.SERVERLESS


# --- strict types and bad shapes ------------------------------------------------------------


def test_numbers_and_booleans_written_as_strings_are_malformed(host):
    config = CONFIG.replace("initialInstanceCount: 2", 'initialInstanceCount: "2"').replace("initialVariantWeight: 1", "initialVariantWeight: heavy")
    unit = _only(_run(host, ("config.yaml", config))).units[0]
    assert (unit.count.value, unit.count.raw, unit.count.note) == (UNKNOWN, "2", "expected an integer")
    assert (unit.weight.value, unit.weight.raw) == (UNKNOWN, "heavy")
    spot = TRAINING.replace("  stoppingCondition:\n", '  enableManagedSpotTraining: "true"\n  stoppingCondition:\n')
    training = _only(_run(host, ("train.yaml", spot))).training
    assert training.managed_spot.malformed and training.managed_spot.raw == "true"


BAD_SHAPES = [
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Endpoint\nmetadata: {name: e}\n",
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: EndpointConfig\nmetadata: [a, b]\nspec: nonsense\n",
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: TrainingJob\nmetadata: {name: t}\nspec: [1, 2]\n",
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: HyperParameterTuningJob\nmetadata: {name: h}\nspec: {trainingJobDefinitions: 5, trainingJobDefinition: [1]}\n",
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: TransformJob\nmetadata: {name: x}\nspec: {modelName: {a: 1}, maxPayloadInMB: lots, transformResources: [ml.m5.large]}\n",
    "apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1\nkind: ScalableTarget\nmetadata: {name: s}\n",
    "apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1\nkind: ScalableTarget\nmetadata: {name: s}\n"
    "spec: {resourceID: [endpoint], minCapacity: [2], maxCapacity: many, scalableDimension: 3}\n",
    "apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1\nkind: ScalingPolicy\nmetadata: {name: p}\n"
    "spec: {resourceID: endpoint/churn/variant/AllTraffic, targetTrackingScalingPolicyConfiguration: [1], stepScalingPolicyConfiguration: 2}\n",
    CONFIG.replace("  productionVariants:\n", "  productionVariants: all\n  old:\n"),
    CONFIG.replace("    - variantName: AllTraffic\n", "    - 42\n    - [a]\n    - null\n    - variantName: {a: 1}\n      serverlessConfig: 5\n"),
    CONFIG + "  tags: {environment: prod}\n  dataCaptureConfig: [on]\n  asyncInferenceConfig: 7\n  vpcConfig: {subnets: 5}\n",
    ENDPOINT.replace("  namespace: ml\n", "  namespace: ml\n  annotations: [mldeploy-lint.io/payload-mb]\n  labels: 5\n")
    + "  tags: [1, {key: 1, value: 2}, {key: environment, value: [prod]}]\n",
    ENDPOINT.replace("endpointConfigName: churn-config", "endpointConfigName: [churn-config]"),
    MODEL.replace("  primaryContainer:\n", "  containers: none\n  vpcConfig: subnets\n  primaryContainer:\n").replace("    image:", "    environment: [a]\n    image:"),
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: InferenceComponent\nmetadata: {name: c}\n"
    "spec: {endpointName: churn, variantName: [x], specification: {container: 5, modelName: 3}, runtimeConfig: {copyCount: two}}\n",
    TRAINING.replace("  stoppingCondition:\n    maxRuntimeInSeconds: 7200\n", "  stoppingCondition: [7200]\n  enableManagedSpotTraining: yes please\n"),
    "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: List\nitems: []\n",
    "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: sagemaker.services.k8s.aws/v1alpha1\n    kind: Endpoint\n    metadata: {name: e}\n    spec: {endpointName: e, endpointConfigName: churn-config}\n",
]


@pytest.mark.parametrize("text", BAD_SHAPES, ids=range(len(BAD_SHAPES)))
def test_bad_shapes_do_not_crash(host, text):
    _run(host, ("bad.yaml", text), *HOSTING, ("scaling.yaml", TARGET + "---\n" + POLICY), options=ALL_RULES, clean=False)


def test_object_without_spec_is_recognised_and_describes_nothing(host):
    result = _run(host, ("bad.yaml", BAD_SHAPES[0]))
    assert result.deployments == ()
    assert [summary.recognised for summary in result.files] == [True]


def test_bad_file_through_the_command_line_prints_no_traceback(cli, chdir_tmp):
    with open("bad.yaml", "w", encoding="utf-8") as handle:
        handle.write("---\n".join(BAD_SHAPES))
    result = cli("bad.yaml", "--format", "json")
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err
    assert "MD002" not in result.out


# --- the run's ACK index: keys matched case-insensitively through key tables -----------------------


def test_key_tables_find_what_a_scan_of_the_keys_finds():
    """The first non-null entry in any case wins; a `name.$` entry is dynamic only when no plain one is written."""
    from linter.source import load_text
    from plugins.adapters.kubernetes.ack import READER

    (document,) = load_text(
        "spec.yaml",
        "endpointConfigName: null\nEndpointConfigName: first\nENDPOINTCONFIGNAME: second\n"
        "ModelName.$: $.model\nmodelname.$: $.other\nvariantName: ~\nVariantName.$: $.variant\n"
        "Tags: [{key: environment, value: prod}]\ninstanceType: null\n3: three\n",
    ).documents
    tabled = READER.with_key_tables()
    for _ in range(2):  # the second search reads the table made by the first
        for name in ("EndpointConfigName", "endpointconfigname", "ModelName", "modelName.$", "VariantName", "Tags", "InstanceType", "Missing"):
            scanned, found = READER.find(document.root, name), tabled.find(document.root, name)
            assert (found and (found.node, found.dynamic)) == (scanned and (scanned.node, scanned.dynamic)), name
    assert tabled.read_str(document.root, "EndpointConfigName").value == "first"
    assert tabled.find(document.root, "ModelName").dynamic == "$.model"
    assert tabled.find(document.root, "VariantName").dynamic == "$.variant"
    assert tabled.find(document.root, "InstanceType") is None
    tabled.forget_key_tables()
    assert tabled.key_tables == {} and READER.key_tables is None


def test_many_objects_whose_keys_differ_in_case_link_by_their_own_names(host):
    """Hundreds of ACK objects of one run, each spelling its keys in its own case (with a null entry first):
    every endpoint finds its own configuration and model, every target its own variant."""
    spellings = (
        ("endpointConfigName", "modelName", "instanceType", "initialInstanceCount", "resourceID"),
        ("EndpointConfigName", "ModelName", "InstanceType", "InitialInstanceCount", "ResourceId"),
        ("endpointconfigname", "modelname", "instancetype", "initialinstancecount", "resourceid"),
    )
    documents = []
    for n in range(300):
        config_key, model_key, type_key, count_key, resource_key = spellings[n % 3]
        instance = ("ml.c5.xlarge", "ml.m5.large", "ml.g5.xlarge")[n % 3]
        documents.append(
            f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Model\nmetadata: {{name: model-{n}, namespace: ml}}\n"
            f"spec:\n  MODELNAME: null\n  {model_key}: model-{n}\n"
            f"  primaryContainer: {{image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}}\n"
        )
        documents.append(
            f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: EndpointConfig\nmetadata: {{name: config-{n}, namespace: ml}}\n"
            f"spec:\n  {config_key}: config-{n}\n  productionVariants:\n"
            f"    - {{variantName: v{n}, {model_key}: model-{n}, {type_key}: {instance}, {count_key}: {n % 4 + 1}}}\n"
        )
        documents.append(
            f"apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Endpoint\nmetadata: {{name: endpoint-{n}, namespace: ml}}\n"
            f"spec: {{endpointName: endpoint-{n}, ENDPOINTCONFIGNAME: null, {config_key}: config-{n}}}\n"
        )
        documents.append(
            f"apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1\nkind: ScalableTarget\nmetadata: {{name: target-{n}, namespace: ml}}\n"
            f"spec: {{serviceNamespace: sagemaker, {resource_key}: endpoint/endpoint-{n}/variant/v{n}, "
            f"scalableDimension: 'sagemaker:variant:DesiredInstanceCount', minCapacity: 1, maxCapacity: {n + 2}}}\n"
        )
    result = _run(host, ("stream.yaml", "---\n".join(documents)))
    assert len(result.deployments) == 300
    for n, deployment in enumerate(result.deployments):
        assert deployment.id == f"stream.yaml#Endpoint/ml/endpoint-{n}"
        (unit,) = deployment.units
        assert (unit.name.value, unit.model_names, unit.count.value) == (f"v{n}", (f"model-{n}",), n % 4 + 1)
        assert unit.compute.instance_type.value == ("ml.c5.xlarge", "ml.m5.large", "ml.g5.xlarge")[n % 3]
        (scaling,) = unit.scaling
        assert scaling.max_capacity.value == n + 2
    assert [(target.status, target.unit_name) for target in result.scaling_targets] == [("linked", f"v{n}") for n in range(300)]

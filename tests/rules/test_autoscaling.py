"""The autoscaling rules (AS001-AS007) across files, on built deployments, and on real files.

The per-rule fixtures under tests/rules/AS00N/ lint one template each;
here are the cases that need a run of several files (AS002 looks for the
named endpoint in every file), deployments no fixture yields, and copies
of real files.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Compute,
    Deployment,
    DeploymentKind,
    Environment,
    Provenance,
    Scaling,
    ScalingMetricKind,
    ScalingPolicy,
    ScalingTarget,
    Severity,
    Sourced,
    Span,
    Unit,
)
from linter.api import lint_paths
from linter.config import Config, ConfigError, load_config
from linter.engine import LintOptions
from plugins.rules.autoscaling.async_scale_from_zero_without_backlog_policy import (
    async_scale_from_zero_without_backlog_policy,
)
from plugins.rules.autoscaling.no_scaling_headroom import no_scaling_headroom
from plugins.adapters.aws.application_autoscaling import link_across_run, with_sagemaker_metric_facts
from plugins.rules.scaled_elsewhere import may_be_scaled_elsewhere
from plugins.rules.autoscaling.scaling_metric_mismatch import scaling_metric_mismatch
from plugins.rules.autoscaling.scaling_target_dangling import scaling_target_dangling
from rule_harness import host, judge, lint_file

PATH = "stack.yaml"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adapters"


def at(line: int, path: str = PATH) -> Span:
    return Span(path, line, 5, line, 20)


def value(item, line: int, **extra) -> Sourced:
    return Sourced(item, at(line), Provenance.DECLARED, **extra)


def deployment(kind: DeploymentKind, scalings=(), name: Sourced | None = None, accelerator: str = "none") -> Deployment:
    unit = Unit(
        name=value("AllTraffic", 9),
        compute=Compute(instance_type=value("ml.g5.xlarge", 10), accelerator=value(accelerator, 10)),
        count=value(2, 11),
        scaling=tuple(scalings),
        span=at(9),
    )
    return Deployment(
        id=f"{PATH}#Endpoint",
        platform="sagemaker",
        kind=value(kind, 1),
        span=Span.point(PATH, 1),
        name=name or value("churn", 2),
        units=(unit,),
    )


def findings(check, target: Deployment) -> list:
    return judge(check, target)


def scaling(minimum=1, maximum=4, policies=(), dimension="sagemaker:variant:DesiredInstanceCount") -> Scaling:
    """A SageMaker scaling, its metrics decoded as the AWS adapters decode them."""
    return with_sagemaker_metric_facts(
        Scaling(
            min_capacity=value(minimum, 30),
            max_capacity=value(maximum, 31),
            dimension=value(dimension, 32),
            policies=tuple(policies),
            span=at(29),
        )
    )


def policy(metric, namespace=None) -> ScalingPolicy:
    return ScalingPolicy(
        metric=metric if isinstance(metric, Sourced) else value(metric, 40),
        metric_namespace=value(namespace, 41) if namespace else Sourced(),
        span=at(39),
    )


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


ENDPOINT = """\
    Resources:
      ChurnEndpointConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: churn-xgboost
              InstanceType: ml.m5.large
              InitialInstanceCount: 2
      ChurnEndpoint:
        Type: AWS::SageMaker::Endpoint
        Properties:
          EndpointName: churn
          EndpointConfigName: !GetAtt ChurnEndpointConfig.EndpointConfigName
    """

TARGET = """\
    Resources:
      ScalableTarget:
        Type: AWS::ApplicationAutoScaling::ScalableTarget
        Properties:
          ServiceNamespace: sagemaker
          ResourceId: endpoint/{endpoint}/variant/AllTraffic
          ScalableDimension: sagemaker:variant:DesiredInstanceCount
          MinCapacity: 2
          MaxCapacity: 6
      ScalingPolicy:
        Type: AWS::ApplicationAutoScaling::ScalingPolicy
        Properties:
          PolicyName: invocations
          PolicyType: TargetTrackingScaling
          ScalingTargetId: !Ref ScalableTarget
          TargetTrackingScalingPolicyConfiguration:
            TargetValue: 700
            PredefinedMetricSpecification:
              PredefinedMetricType: SageMakerVariantInvocationsPerInstance
    """


def rule_findings(result, rule_id: str) -> list:
    return [finding for finding in result.findings if finding.rule_id == rule_id]


# --- AS002 scaling-target-dangling: the whole run ------------------------------------------


def test_as002_a_target_in_another_stack_names_an_endpoint_of_the_run(tmp_path):
    endpoint = write(tmp_path, "endpoint.yaml", ENDPOINT)
    scaling_stack = write(tmp_path, "scaling.yaml", TARGET.format(endpoint="churn"))
    alone = lint_paths([str(scaling_stack)], host=host(), context="none")
    (finding,) = rule_findings(alone, "AS002")
    assert finding.span.line == 6 and "endpoint/churn/variant/AllTraffic" in finding.message
    together = lint_paths([str(endpoint), str(scaling_stack)], host=host())
    assert rule_findings(together, "AS002") == []
    # Changed alone (a pre-commit run), the endpoint's stack beside it is context: linked as together.
    assert rule_findings(lint_paths([str(scaling_stack)], host=host()), "AS002") == []


def test_as002_fires_when_no_file_of_the_run_names_the_endpoint(tmp_path):
    endpoint = write(tmp_path, "endpoint.yaml", ENDPOINT)
    scaling_stack = write(tmp_path, "scaling.yaml", TARGET.format(endpoint="churn-v2"))
    (finding,) = rule_findings(lint_paths([str(endpoint), str(scaling_stack)], host=host()), "AS002")
    assert finding.severity is Severity.ERROR and "churn-v2" in finding.message


def dangling_target(resource_id: str, status: str = "no-such-deployment") -> ScalingTarget:
    return ScalingTarget(
        resource_id=value(resource_id, 6),
        scaling=scaling(),
        status=status,
        reason=f"no endpoint named {resource_id.split('/')[1]!r} in this template",
        span=at(3),
    )


class Run:
    def __init__(self, *targets: ScalingTarget):
        self.scaling_targets = targets


NOT_KNOWN = Sourced(UNKNOWN, at(2), Provenance.DECLARED, "Ref:EndpointName is not known")


@pytest.mark.parametrize(
    "name, endpoint, fires",
    [
        (value("churn", 2), "churn", False),
        (value("churn", 2), "churn-v1", True),
        (value("${Project}-churn", 2), "retail-churn", False),  # ${Project} may be "retail"
        (value("${Project}-upsell", 2), "retail-churn", True),
        (NOT_KNOWN, "churn-v1", False),
        (Sourced(UNKNOWN, at(2), options=("retail-churn", "test-churn")), "retail-churn", False),
        (Sourced(UNKNOWN, at(2), options=("test-churn",)), "retail-churn", True),
    ],
)
def test_as002_a_written_out_endpoint_name_against_the_names_of_the_run(name, endpoint, fires):
    # The adapter links a target its template does not hold across the run; the rule reads the link.
    endpoint_deployment = deployment(DeploymentKind.REALTIME, name=name)
    linked = link_across_run(dangling_target(f"endpoint/{endpoint}/variant/AllTraffic"), (endpoint_deployment,))
    assert linked.searched_run is fires
    found = list(scaling_target_dangling.check((endpoint_deployment,), Run(linked)))
    assert bool(found) is fires


@pytest.mark.parametrize("status", ["unresolved", "other-service", "linked"])
def test_as002_silent_for_targets_it_cannot_judge(status):
    run = Run(dangling_target("endpoint/churn-v1/variant/AllTraffic", status))
    assert list(scaling_target_dangling.check((), run)) == []


def test_as002_no_such_unit_fires_whatever_the_run_holds():
    target = ScalingTarget(
        resource_id=Sourced(UNKNOWN, at(6), Provenance.DECLARED, "not known"),
        scaling=scaling(),
        status="no-such-unit",
        reason="endpoint ChurnEndpoint.EndpointName has no variant 'AllTrafic' (variants: AllTraffic)",
        span=at(3),
    )
    (violation,) = scaling_target_dangling.check((deployment(DeploymentKind.REALTIME),), Run(target))
    assert violation.span == at(6) and "'AllTrafic'" in violation.message


def test_as002_on_kubernetes_autoscalers_naming_missing_workloads():
    # Copies of real files (SOURCES.md): kube-linter's dangling-hpa check fixture and a GKE KEDA sample.
    # The HPA names app2 where the namespace holds app1: the typo the rule exists for.
    hpa = rule_findings(lint_file(FIXTURES / "kubernetes" / "kube-linter-dangling-hpa" / "dangling-hpa.yml"), "AS002")
    assert [(finding.span.line, "Deployment/app2" in finding.message) for finding in hpa] == [(47, True)]
    assert "(did you mean 'app1'?)" in hpa[0].message
    # The KEDA object names a Deployment the sample's Helm release creates: nothing near its name in the run.
    keda = lint_file(FIXTURES / "kubernetes" / "gke-keda" / "keda-ollama-httpscaledobject.yaml")
    assert rule_findings(keda, "AS002") == []
    (target,) = keda.scaling_targets
    assert target.status == "not-in-run" and "rendered elsewhere (Helm, kustomize)" in target.reason


# --- AS001 missing-autoscaling --------------------------------------------------------------


def unresolved(deployment_id: str, path: str = PATH) -> ScalingTarget:
    return ScalingTarget(
        resource_id=Sourced(UNKNOWN, at(6, path)),
        scaling=scaling(),
        status="unresolved",
        reason="variant name cannot be resolved",
        deployment_id=deployment_id,
        span=at(3, path),
    )


@pytest.mark.parametrize(
    "target, silenced",
    [
        (unresolved(f"{PATH}#Endpoint"), True),
        (unresolved("Endpoint"), False),  # a bare logical ID names no deployment: IDs carry their file
        (unresolved(""), True),  # names something unknown in the same file
        (unresolved("", "other.yaml"), False),
        (unresolved("OtherEndpoint"), False),
    ],
)
def test_as001_an_unresolved_target_may_scale_the_endpoint(target, silenced):
    assert may_be_scaled_elsewhere(deployment(DeploymentKind.REALTIME), (target,)) is silenced


def test_as001_is_an_error_in_production_a_warning_when_unknown_and_silent_elsewhere(tmp_path):
    endpoint = write(tmp_path, "endpoint.yaml", ENDPOINT)
    # pytest's directory names say "test", a stage word: read no stage from the path.
    no_path_words = Config(settings={"environments": {"path-words": False}})

    def as001(environment: Environment | None):
        return rule_findings(lint_paths([str(endpoint)], LintOptions(config=no_path_words, environment=environment), host=host()), "AS001")

    (warning,) = as001(None)
    assert warning.severity is Severity.WARNING
    assert "a warning while the environment is unknown: an error in production" in warning.message
    (error,) = as001(Environment.PROD)
    assert error.severity is Severity.ERROR and error.message.startswith("production ")
    assert error.message.endswith("(an error in production: --environment / configuration)")
    assert as001(Environment.DEV) == [] and as001(Environment.STAGING) == []
    # A stage word in the path below the repository root is an environment too: `test` is not production.
    (tmp_path / ".git").mkdir()
    staged = write(tmp_path / "envs" / "test", "endpoint.yaml", ENDPOINT)
    assert rule_findings(lint_paths([str(staged)], host=host()), "AS001") == []


def test_stage_words_above_the_repository_root_say_nothing(tmp_path):
    checkout = tmp_path / "staging-box" / "test-runner" / "repo"
    (checkout / ".git").mkdir(parents=True)
    endpoint = write(checkout / "serving", "endpoint.yaml", ENDPOINT)
    (warning,) = rule_findings(lint_paths([str(endpoint)], host=host()), "AS001")
    assert warning.severity is Severity.WARNING


# --- AS003, AS005, AS006 on built deployments -------------------------------------------------


def test_as003_only_serving_deployments():
    fixed = scaling(2, 2)
    assert findings(no_scaling_headroom, deployment(DeploymentKind.REALTIME, [fixed]))
    assert findings(no_scaling_headroom, deployment(DeploymentKind.JOB, [fixed])) == []


def test_as005_cpu_on_gpu_and_wrong_namespace_are_two_findings():
    cpu_in_wrong_namespace = policy("CPUUtilization", "AWS/SageMaker")
    target = deployment(DeploymentKind.REALTIME, [scaling(2, 6, [cpu_in_wrong_namespace])], accelerator="gpu")
    messages = [violation.message for violation in findings(scaling_metric_mismatch, target)]
    assert len(messages) == 2
    assert "GPUUtilization" in messages[0] and "/aws/sagemaker/Endpoints" in messages[1]


def test_as005_only_for_sagemaker_endpoints_and_known_metrics():
    cpu = policy("CPUUtilization", "AWS/ECS")
    assert findings(scaling_metric_mismatch, deployment(DeploymentKind.SERVICE, [scaling(2, 6, [cpu])], accelerator="gpu")) == []
    custom = policy("QueueDepth", "Custom/Inference")
    assert findings(scaling_metric_mismatch, deployment(DeploymentKind.REALTIME, [scaling(2, 6, [custom])], accelerator="gpu")) == []


def test_as006_only_async_and_only_when_every_policy_metric_is_known():
    backlog = policy("ApproximateBacklogSizePerInstance", "AWS/SageMaker")
    assert findings(async_scale_from_zero_without_backlog_policy, deployment(DeploymentKind.ASYNC, [scaling(0, 4, [backlog])]))
    assert findings(async_scale_from_zero_without_backlog_policy, deployment(DeploymentKind.REALTIME, [scaling(0, 4, [backlog])])) == []
    unknown = policy(Sourced(UNKNOWN, at(40), Provenance.DECLARED, "the metric is in a CloudWatch alarm"))
    target = deployment(DeploymentKind.ASYNC, [scaling(0, 4, [backlog, unknown])])
    assert findings(async_scale_from_zero_without_backlog_policy, target) == []


def test_as006_reads_what_the_adapter_decoded_not_the_metric_name():
    wakes = ScalingPolicy(
        metric=value("BacklogWithoutCapacityAlias", 40),
        metric_kind=value(ScalingMetricKind.BACKLOG_WITHOUT_CAPACITY, 40),
        span=at(39),
    )
    bare = Scaling(min_capacity=value(0, 30), max_capacity=value(4, 31), policies=(wakes,), span=at(29))
    assert findings(async_scale_from_zero_without_backlog_policy, deployment(DeploymentKind.ASYNC, [bare])) == []
    undecoded = replace(wakes, metric=value("HasBacklogWithoutCapacity", 40), metric_kind=value(ScalingMetricKind.OTHER, 40))
    bare = replace(bare, policies=(undecoded,))
    assert findings(async_scale_from_zero_without_backlog_policy, deployment(DeploymentKind.ASYNC, [bare]))


def test_the_aws_adapters_decode_sagemaker_metrics_into_typed_facts():
    decoded = scaling(
        1,
        4,
        [
            policy("CPUUtilization", "AWS/SageMaker"),
            policy("GPUMemoryUtilization"),
            policy("HasBacklogWithoutCapacity"),
            policy("ModelLatency"),
            policy("SageMakerVariantProvisionedConcurrencyUtilization"),
            policy("QueueDepth", "Custom/Inference"),
            policy(Sourced(UNKNOWN, at(40), Provenance.DECLARED, "the metric is in a CloudWatch alarm")),
        ],
    )
    cpu, gpu, wake, latency, predefined, custom, unknown = decoded.policies
    assert [item.metric_kind.value for item in (cpu, gpu, wake, latency, custom)] == [
        ScalingMetricKind.CPU_UTILIZATION,
        ScalingMetricKind.GPU_UTILIZATION,
        ScalingMetricKind.BACKLOG_WITHOUT_CAPACITY,
        ScalingMetricKind.OTHER,
        ScalingMetricKind.OTHER,
    ]
    assert cpu.metric_published_in.value == "/aws/sagemaker/Endpoints" and cpu.metric_published_in.span == at(40)
    assert latency.metric_unit.value == "microseconds" and latency.metric_published_in.value == "AWS/SageMaker"
    assert predefined.metric_drives.value == "sagemaker:variant:DesiredProvisionedConcurrency"
    assert not custom.metric_published_in.known and not custom.metric_unit.known and not custom.metric_drives.known
    assert not unknown.metric_kind.known
    assert decoded.fitting_metrics[0] == "SageMakerVariantInvocationsPerInstance"


# --- Real files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -------------


def autoscaling_findings(path: Path, options: LintOptions = LintOptions()) -> list[tuple[str, int]]:
    return [(finding.rule_id, finding.span.line) for finding in lint_file(path, options).findings if finding.rule_id.startswith("AS")]


def test_corpus_async_endpoints_scaled_by_a_custom_resource_are_reported_unscaled():
    # aws-samples: three async endpoints whose scaling a Lambda registers through Custom:: resources.
    path = FIXTURES / "cloudformation" / "async-endpoints-custom-resource.yaml"
    assert autoscaling_findings(path) == [("AS001", 149), ("AS001", 166), ("AS001", 183)]


def test_corpus_cdk_endpoint_with_one_scaled_variant_of_three():
    path = FIXTURES / "cloudformation" / "cdk-sagemaker-endpoint.template.json"
    result = lint_file(path)
    unscaled = [finding.message.split(" has ")[0] for finding in rule_findings(result, "AS001")]
    assert unscaled == ["real-time endpoint Endpoint8024A810 (secondVariant)", "real-time endpoint Endpoint8024A810 (thirdVariant)"]
    prod = LintOptions(environment=Environment.PROD)
    # firstVariant runs 1 instance and its MinCapacity is 1: HA001 reports both, AS004 does not repeat it.
    assert ("AS004", 312) not in autoscaling_findings(path, prod)
    (first, *_) = rule_findings(lint_file(path, prod), "HA001")
    assert "(firstVariant) runs 1 instance and its autoscaling minimum is 1" in first.message


@pytest.mark.parametrize("name", ["mlops-workshop-deploy-model-prd.yml", "safe-deployment-deploy-model-prd.yml"])
def test_corpus_production_endpoints_with_autoscaling_are_silent(name):
    # Target tracking on SageMakerVariantInvocationsPerInstance, MinCapacity 2, MaxCapacity 10.
    assert autoscaling_findings(FIXTURES / "cloudformation" / name) == []


def test_an_hpa_without_metrics_scales_on_the_default_cpu_target():
    stream = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: ranker}
spec:
  replicas: 2
  selector: {matchLabels: {app: ranker}}
  template:
    metadata: {labels: {app: ranker}}
    spec:
      containers: [{name: server, image: "pytorch/torchserve:0.12.0-cpu"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ranker}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ranker}
  minReplicas: 2
  maxReplicas: 6
"""
    from linter.api import lint_text

    result = lint_text(stream, "ranker.yaml", host=host())
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("AS")] == []
    [target] = result.scaling_targets
    [policy] = target.scaling.policies
    assert (policy.metric.value, policy.target_value.value, policy.metric.provenance.value) == ("cpu", 80.0, "default")


UNRESOLVED_SECOND_MINIMUM = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: ranker, namespace: ml-prod}
spec:
  replicas: 1
  selector: {matchLabels: {app: ranker}}
  template:
    metadata: {labels: {app: ranker}}
    spec:
      containers: [{name: server, image: "pytorch/torchserve:0.12.0-cpu"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ranker, namespace: ml-prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ranker}
  minReplicas: 1
  maxReplicas: 8
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ranker, namespace: ml-prod}
spec:
  scaleTargetRef: {name: ranker}
  minReplicaCount: ${MIN_REPLICAS}
  maxReplicaCount: 8
  triggers: [{type: prometheus, metadata: {serverAddress: "http://prom:9090", query: "sum(rate(x[1m]))", threshold: "10"}}]
"""


def test_as004_speaks_when_ha003_cannot_for_an_unknown_minimum():
    # replicas 1, an HPA minimum of 1 and a KEDA minimum left to a placeholder:
    # HA003 cannot judge the unknown minimum, so AS004 reports the known one.
    from linter.api import lint_text

    result = lint_text(UNRESOLVED_SECOND_MINIMUM, "ranker.yaml", host=host())
    assert [(finding.rule_id, finding.span.line) for finding in result.findings if finding.rule_id in ("AS004", "HA003")] == [("AS004", 17)]


# --- AS001: scaled elsewhere ------------------------------------------------------------------


SCALED_ELSEWHERE = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ranker
      namespace: ml-serving
    spec:
      replicas: 2
      selector:
        matchLabels: {app: ranker}
      template:
        metadata:
          labels: {app: ranker}
        spec:
          containers:
            - name: server
              image: vllm/vllm-openai:v0.6.3
    """


@pytest.mark.parametrize(
    "patterns, reported",
    [
        ([], {"churn", "ranker"}),
        (["churn"], {"ranker"}),  # an endpoint name
        (["Churn*"], {"ranker"}),  # a CloudFormation logical ID
        (["ml-serving/ranker"], {"churn"}),  # a Kubernetes namespace/name
        (["ml-serving/*", "churn"], set()),
        (["other/*", "churn-v2"], {"churn", "ranker"}),
    ],
)
def test_as001_is_silent_for_deployments_configured_as_scaled_elsewhere(tmp_path, patterns, reported):
    config_file = tmp_path / "mldeploy-lint.toml"
    config_file.write_text(f"scaled-elsewhere = {patterns!r}\n[environments]\npath-words = false\n", encoding="utf-8")
    options = LintOptions(config=load_config(str(config_file)))  # the schema accepts the list
    endpoint = write(tmp_path, "endpoint.yaml", ENDPOINT)
    workload = write(tmp_path, "ranker.yaml", SCALED_ELSEWHERE)
    findings = rule_findings(lint_paths([str(endpoint), str(workload)], options, host=host()), "AS001")
    assert {name for name in ("churn", "ranker") if any(f" {name} " in finding.message for finding in findings)} == reported


def test_explain_says_which_scaling_out_of_sight_kept_as001_silent(tmp_path):
    def said(result, name: str) -> list[str]:
        (deployment,) = [item for item in result.deployments if item.name.value == name]
        return [f"{item.rule_id} {item.message}" for item in result.not_judged_of(deployment)]

    endpoint = write(tmp_path, "endpoint.yaml", ENDPOINT)
    scaling_stack = write(tmp_path, "scaling.yaml", TARGET.format(endpoint="churn"))
    result = lint_paths([str(endpoint), str(scaling_stack)], host=host())
    assert said(result, "churn") == ["AS001 whether it scales: scaling target endpoint/churn/variant/AllTraffic, in another file, names it"]
    config_file = tmp_path / "mldeploy-lint.toml"
    config_file.write_text('scaled-elsewhere = ["churn*"]\n', encoding="utf-8")
    configured = lint_paths([str(endpoint)], LintOptions(config=load_config(str(config_file))), host=host(), context="none")
    assert said(configured, "churn") == ["AS001 whether it scales: the configuration's `scaled-elsewhere` names it ('churn*')"]
    assert rule_findings(configured, "AS001") == []


def test_the_configuration_schema_rejects_a_scaled_elsewhere_that_is_not_a_list(tmp_path):
    config_file = tmp_path / "mldeploy-lint.toml"
    config_file.write_text('scaled-elsewhere = "churn"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="scaled-elsewhere"):
        load_config(str(config_file))


def test_as001_a_custom_resource_naming_the_endpoint_and_variant_is_an_unresolved_target():
    result = lint_file(Path(__file__).parent / "AS001" / "near_miss_custom_resource.yaml")
    (target,) = result.scaling_targets
    assert target.status == "unresolved" and target.unit_name == "AllTraffic"
    assert "Custom::EndpointAutoscaling RankerAutoscaling names this endpoint and its variant 'AllTraffic'" in target.reason


@pytest.mark.parametrize("endpoint, scaled", [("churn", True), ("churn-v2", False)])
def test_as001_a_target_in_another_stack_that_names_the_endpoint_scales_it(tmp_path, endpoint, scaled):
    endpoint_stack = write(tmp_path, "endpoint.yaml", ENDPOINT)
    scaling_stack = write(tmp_path, "scaling.yaml", TARGET.format(endpoint=endpoint))
    options = LintOptions(environment=Environment.PROD)
    alone = lint_paths([str(endpoint_stack)], options, host=host(), context="none")
    assert len(rule_findings(alone, "AS001")) == 1
    together = lint_paths([str(endpoint_stack), str(scaling_stack)], options, host=host())
    assert bool(rule_findings(together, "AS001")) is not scaled
    assert bool(rule_findings(together, "AS002")) is not scaled

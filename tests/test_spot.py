"""SP001-SP005 on deployments built in Python (edge cases the fixtures cannot show) and on real files."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Capacity,
    Compute,
    Deployment,
    DeploymentKind,
    Provenance,
    Severity,
    Sourced,
    Span,
    TrainingConfig,
    Unit,
    WorkloadProfile,
)
from linter.api import lint_paths
from linter.engine import LintOptions, RunContext
from plugins.rules.spot.managed_spot_misconfigured import managed_spot_misconfigured
from plugins.rules.spot.on_demand_batch_capacity import on_demand_batch_capacity
from plugins.rules.spot.training_without_managed_spot import training_without_managed_spot
from rule_harness import host, judge, lint_file

CORPUS_COPIES = Path(__file__).resolve().parent / "fixtures" / "corpus"
ADAPTER_COPIES = Path(__file__).resolve().parent / "fixtures" / "adapters" / "batch_eks_ecs"
RUN = RunContext(documents=(), options=LintOptions())
PATH = "built.yaml"


def span(line: int, column: int = 1) -> Span:
    return Span(PATH, line, column, line, column + 5)


def capacity(value, line: int = 10, note: str = "") -> Sourced:
    return Sourced(value, span(line), Provenance.DECLARED, note)


def deployment(kind, *units: Unit, platform: str = "batch", urgency: str | None = None, training=None) -> Deployment:
    profile = WorkloadProfile(urgency=Sourced(urgency, span(2)) if urgency else Sourced())
    kind_value = Sourced(kind, span(1)) if kind is not None else Sourced(UNKNOWN, span(1), Provenance.INFERRED, "capacity")
    return Deployment(
        id=f"{PATH}#built",
        platform=platform,
        kind=kind_value,
        span=span(1),
        name=Sourced("built"),
        profile=profile,
        units=units,
        training=training,
    )


def unit(value=Capacity.ON_DEMAND, name: str = "built", line: int = 10, note: str = "setting X") -> Unit:
    return Unit(name=Sourced(name), capacity=capacity(value, line, note), span=span(line - 1))


def check(rule, built: Deployment):
    return judge(rule, built, RUN)


# --- SP001 -------------------------------------------------------------------


def test_sp001_fires_on_each_on_demand_unit_of_a_job():
    built = deployment(DeploymentKind.JOB, unit(name="a", line=10), unit(Capacity.SPOT, name="b", line=20), unit(name="c", line=30))
    violations = check(on_demand_batch_capacity, built)
    assert [violation.span.line for violation in violations] == [10, 30]
    assert "built (a) runs batch jobs on on-demand capacity (setting X)" in violations[0].message
    assert "urgency: urgent" in violations[0].message


@pytest.mark.parametrize("value", [Capacity.SPOT, Capacity.MIXED, Capacity.RESERVED, UNKNOWN])
def test_sp001_silent_unless_on_demand(value):
    assert check(on_demand_batch_capacity, deployment(DeploymentKind.JOB, unit(value))) == []


def test_sp001_silent_when_urgent():
    assert check(on_demand_batch_capacity, deployment(DeploymentKind.JOB, unit(), urgency="urgent")) == []


@pytest.mark.parametrize(
    "kind",
    [DeploymentKind.BATCH_TRANSFORM, DeploymentKind.PROCESSING, DeploymentKind.REALTIME, DeploymentKind.ASYNC, DeploymentKind.SERVERLESS],
)
def test_sp001_never_advises_spot_where_sagemaker_has_none(kind):
    """Even declared deferrable, on-demand SageMaker transform, processing and endpoints get no Spot advice."""
    built = deployment(kind, unit(), platform="sagemaker", urgency="deferrable")
    assert check(on_demand_batch_capacity, built) == []


def test_sp001_leaves_sagemaker_training_to_sp002():
    assert check(on_demand_batch_capacity, deployment(DeploymentKind.TRAINING, unit(), platform="sagemaker")) == []


def test_sp001_silent_on_serving():
    assert check(on_demand_batch_capacity, deployment(DeploymentKind.SERVICE, unit(), platform="ecs", urgency="deferrable")) == []


def test_sp001_capacity_of_unknown_use_needs_declared_deferrable():
    assert check(on_demand_batch_capacity, deployment(None, unit(), platform="eks-nodegroup")) == []
    fired = check(on_demand_batch_capacity, deployment(None, unit(), platform="eks-nodegroup", urgency="deferrable"))
    assert len(fired) == 1 and "runs deferrable work" in fired[0].message


def test_sp001_points_at_the_unit_when_the_capacity_has_no_span():
    bare = Unit(name=Sourced("built"), capacity=Sourced(Capacity.ON_DEMAND), span=span(7))
    assert [violation.span.line for violation in check(on_demand_batch_capacity, deployment(DeploymentKind.JOB, bare))] == [7]


# --- SP002 -------------------------------------------------------------------


def training(spot=False, runtime=3600, wait=None, checkpoint=None, spot_line=20) -> TrainingConfig:
    def sourced(value, line):
        if value is None:
            return Sourced()
        if isinstance(value, Sourced):
            return value
        return Sourced(value, span(line))

    return TrainingConfig(
        managed_spot=sourced(spot, spot_line),
        max_runtime_seconds=sourced(runtime, 30),
        max_wait_seconds=sourced(wait, 31),
        checkpoint_path=sourced(checkpoint, 40),
        span=span(15),
    )


def training_deployment(config: TrainingConfig, urgency: str | None = None, unit_capacity=Capacity.ON_DEMAND) -> Deployment:
    compute = Compute(instance_type=Sourced("ml.g5.2xlarge", span(12)))
    return deployment(
        DeploymentKind.TRAINING,
        Unit(compute=compute, capacity=capacity(unit_capacity, 20)),
        platform="sagemaker",
        urgency=urgency,
        training=config,
    )


def test_sp002_fires_on_on_demand_training():
    (violation,) = check(training_without_managed_spot, training_deployment(training(spot=False)))
    assert violation.span.line == 20
    assert "on-demand ml.g5.2xlarge" in violation.message and "EnableManagedSpotTraining: true" in violation.message


@pytest.mark.parametrize(
    "spot", [True, Sourced(UNKNOWN, span(20), Provenance.DECLARED, "set at run time from $.UseSpot")], ids=["spot", "run-time"]
)
def test_sp002_silent_when_spot_or_unknown(spot):
    assert check(training_without_managed_spot, training_deployment(training(spot=spot))) == []


def test_sp002_silent_when_urgent_or_reserved():
    assert check(training_without_managed_spot, training_deployment(training(), urgency="urgent")) == []
    assert check(training_without_managed_spot, training_deployment(training(), unit_capacity=Capacity.RESERVED)) == []


def test_sp002_only_for_training():
    processing = replace(training_deployment(training()), kind=Sourced(DeploymentKind.PROCESSING, span(1)))
    assert check(training_without_managed_spot, processing) == []


# --- SP003 -------------------------------------------------------------------


def test_sp003_missing_wait_and_checkpoint_are_an_error_and_a_warning():
    violations = check(managed_spot_misconfigured, training_deployment(training(spot=True, runtime=7200)))
    assert [(violation.severity, violation.span.line) for violation in violations] == [(None, 30), (Severity.WARNING, 20)]
    assert "MaxWaitTimeInSeconds" in violations[0].message and "7200 s" in violations[0].message
    assert "CheckpointConfig" in violations[1].message and "/opt/ml/checkpoints/" in violations[1].message


def test_sp003_wait_below_runtime():
    (violation,) = check(
        managed_spot_misconfigured, training_deployment(training(spot=True, runtime=7200, wait=3600, checkpoint="s3://c/"))
    )
    assert violation.severity is None and violation.span.line == 31
    assert "3600 s" in violation.message and "at least 7200" in violation.message


def test_sp003_wait_equal_to_runtime_is_fine():
    config = training(spot=True, runtime=7200, wait=7200, checkpoint="s3://c/")
    assert check(managed_spot_misconfigured, training_deployment(config)) == []


def test_sp003_default_runtime_counts():
    default = Sourced(86400, span(15), Provenance.DEFAULT, "MaxRuntimeInSeconds not set: SageMaker's default")
    config = training(spot=True, runtime=default, wait=3600, checkpoint="s3://c/")
    (violation,) = check(managed_spot_misconfigured, training_deployment(config))
    assert "default MaxRuntimeInSeconds 86400 s" in violation.message


def test_sp003_missing_wait_without_stopping_condition_points_at_the_spot_switch():
    default = Sourced(86400, span(15), Provenance.DEFAULT, "MaxRuntimeInSeconds not set: SageMaker's default")
    config = training(spot=True, runtime=default, checkpoint="s3://c/")
    (violation,) = check(managed_spot_misconfigured, training_deployment(config))
    assert violation.span.line == 20 and "86400 s, SageMaker's default" in violation.message


def test_sp003_values_set_at_run_time_are_not_judged():
    run_time = Sourced(UNKNOWN, span(31), Provenance.DECLARED, "set at run time from $.MaxWait")
    checkpoint = Sourced(UNKNOWN, span(40), Provenance.DECLARED, "set at run time from $.Checkpoints")
    config = training(spot=True, runtime=7200, wait=run_time, checkpoint=checkpoint)
    assert check(managed_spot_misconfigured, training_deployment(config)) == []


def test_sp003_malformed_wait_is_not_called_missing():
    malformed = Sourced(UNKNOWN, span(31), Provenance.DECLARED, "expected an integer", raw="two hours")
    config = training(spot=True, runtime=7200, wait=malformed, checkpoint="s3://c/")
    assert check(managed_spot_misconfigured, training_deployment(config)) == []


@pytest.mark.parametrize("spot", [False, Sourced(UNKNOWN, span(20), Provenance.DECLARED, "set at run time")], ids=["on-demand", "run-time"])
def test_sp003_silent_without_managed_spot(spot):
    assert check(managed_spot_misconfigured, training_deployment(training(spot=spot, runtime=7200))) == []


# --- Real files (copied unmodified; see tests/fixtures/SOURCES.md) ------------


def _findings(name: str, rule_id: str):
    return [finding for finding in lint_file(CORPUS_COPIES / name).findings if finding.rule_id == rule_id]


def test_sp001_on_alphafold_batch_environments():
    """The on-demand GPU environment fires; the SPOT one does not, nor the on-demand CPU one.

    The CPU environments run m5/r5/c5 instances for jobs whose images are
    stack parameters and which nothing in the template submits to one of
    its three queues: nothing shows that ML runs there.
    """
    findings = _findings("sp001-alphafold-cfn-batch.yaml", "SP001")
    assert [(finding.span.line, finding.message.split()[0]) for finding in findings] == [
        (226, "PrivateGPUComputeEnvironment"),
    ]


def test_sp001_silent_on_a_capacity_block_for_multi_node_training():
    """awsome-distributed-training on P5: a Capacity Block launch template, multi-node parallel jobs only."""
    assert _findings("sp001-aws-batch-distributed-training-p5.yaml", "SP001") == []
    result = lint_file(CORPUS_COPIES / "sp001-aws-batch-distributed-training-p5.yaml")
    (deployment,) = [deployment for deployment in result.deployments if deployment.platform == "batch"]
    (unit,) = deployment.units
    assert unit.capacity.value is Capacity.RESERVED and "capacity-block" in unit.capacity.note
    assert dict(deployment.attributes)["multi_node_parallel"].value is True


def test_sp001_silent_on_a_launch_template_written_for_a_capacity_reservation():
    """awsome-distributed-training on P4d: the reservation is a stack parameter, left empty by default."""
    result = lint_file(ADAPTER_COPIES / "aws-batch-distributed-training.yaml")
    assert [finding for finding in result.findings if finding.rule_id == "SP001"] == []
    (deployment,) = [deployment for deployment in result.deployments if deployment.platform == "batch"]
    capacity = deployment.units[0].capacity
    assert not capacity.known and "may target a capacity reservation" in capacity.note
    # a single-node job definition sits beside the multi-node one: the reservation alone silences it
    assert "multi_node_parallel" not in dict(deployment.attributes)


def test_sp001_silent_on_a_hello_world_batch_job():
    """serverless-patterns' scheduled Batch job echoes "Hello World!" in Amazon Linux: no ML evidence."""
    result = lint_file(ADAPTER_COPIES / "eventbridge-scheduled-batch-sam.yaml")
    assert [finding for finding in result.findings if finding.rule_id == "SP001"] == []
    (deployment,) = [deployment for deployment in result.deployments if deployment.platform == "batch"]
    assert not deployment.ml_evidence.known


def test_sp001_silent_on_a_node_group_of_unknown_use():
    """The Quick Start node group is on-demand, but nothing says that deferrable batch work runs on it."""
    result = lint_file(CORPUS_COPIES / "sp001-quickstart-amazon-eks-nodegroup.template.yaml")
    assert any(deployment.platform == "eks-nodegroup" for deployment in result.deployments)
    assert [finding for finding in result.findings if finding.rule_id == "SP001"] == []


def test_sp002_on_the_step_functions_training_sample():
    (finding,) = _findings("sp002-train-ml-model.asl.json", "SP002")
    assert finding.severity is Severity.INFO and "ml.m5.xlarge" in finding.message


# --- SP004 and SP005 on real files ------------------------------------------------


SP004_COPIES = CORPUS_COPIES / "sp004-data-on-eks-ray-batch"


def test_sp004_on_the_data_on_eks_ray_batch_job():
    """The RayJob's GPU workers are pinned to the `gpu` NodePool (WhenEmptyOrUnderutilized, 15m), unannotated.

    The head group is not pinned to a pool: which pool takes it is not in
    the files, so it is silent.
    """
    result = lint_file(SP004_COPIES / "06-rayjob-batch-native.yaml")
    findings = [finding for finding in result.findings if finding.rule_id == "SP004"]
    assert [(finding.span.line, finding.message.split()[0]) for finding in findings] == [(103, "ticket-batch-native")]
    assert "(gpu-workers)" in findings[0].message and "consolidateAfter 15m" in findings[0].message
    (job,) = [deployment for deployment in result.deployments if deployment.name.value == "ticket-batch-native"]
    head, workers = job.units
    assert head.consolidation is None
    assert workers.consolidation.evicts_running_pods.value is True
    assert workers.consolidation.pods_opt_out.value is False


def test_sp004_pools_of_the_same_name_in_other_projects_are_not_linked():
    """Two `gpu` pools equally far from the pod (other projects' examples): the link is not clear, so no finding."""
    nodepool = (SP004_COPIES / "nodepool-gpu-g6.yaml").read_text(encoding="utf-8")
    rayjob = (SP004_COPIES / "06-rayjob-batch-native.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as root:
        base = Path(root)
        for directory in ("a/pools", "b/pools", "c/jobs"):
            (base / directory).mkdir(parents=True)
        (base / "a/pools/gpu.yaml").write_text(nodepool, encoding="utf-8")
        (base / "b/pools/gpu.yaml").write_text(nodepool.replace("WhenEmptyOrUnderutilized", "WhenEmpty"), encoding="utf-8")
        (base / "c/jobs/job.yaml").write_text(rayjob, encoding="utf-8")
        result = lint_paths([str(base)], LintOptions(), host=host())
        assert [finding for finding in result.findings if finding.rule_id == "SP004"] == []
        # explain says why: which pool is meant is not clear
        (job,) = [deployment for deployment in result.deployments if deployment.name.value == "ticket-batch-native"]
        (not_judged,) = [item for item in result.not_judged_of(job) if item.rule_id == "SP004"]
        assert "2 NodePools named gpu are equally near the workload" in not_judged.message
        assert "a/pools/gpu.yaml" in not_judged.message and "b/pools/gpu.yaml" in not_judged.message
        # the same job beside one of them links to that one
        (base / "a/pools/job.yaml").write_text(rayjob, encoding="utf-8")
        result = lint_paths([str(base)], LintOptions(), host=host())
        assert [finding.span.path.endswith("a/pools/job.yaml") for finding in result.findings if finding.rule_id == "SP004"] == [True]


def test_sp005_on_eksctl_spot_examples():
    """eksctl's spot example: `spot-2` names no instance type (eksctl's default m5.large alone); `spot` names six."""
    findings = _findings("sp005-eksctl-managed-nodegroup-spot-instances.yaml", "SP005")
    assert [(finding.span.line, "m5.large" in finding.message) for finding in findings] == [(16, True)]
    kubeflow = _findings("sp005-eksctl-kubeflow-spot-instance.yaml", "SP005")
    assert [finding.span.line for finding in kubeflow] == [88, 124, 160, 196]
    assert all("one Availability Zone (us-east-1a)" in finding.message for finding in kubeflow)


# --- SP004 and SP001 through a pool the pod does not name ----------------------------

ADMITTED = Path(__file__).resolve().parent / "rules" / "SP004" / "fires_admitted_pool.yaml"


def _split_admitted() -> tuple[str, str]:
    """The SP004 fixture's pools and its RayJob, as two texts."""
    documents = ADMITTED.read_text(encoding="utf-8").split("\n---\n")
    return "\n---\n".join(documents[:2]), documents[2]


def test_sp004_a_pool_admitting_the_pod_in_a_sibling_directory_is_linked():
    """Pools in `repo/karpenter`, the job in `repo/jobs`: they share `repo`, deeper than the run's root."""
    pools, job = _split_admitted()
    with tempfile.TemporaryDirectory() as root:
        base = Path(root)
        for directory in ("repo/karpenter", "repo/jobs", "other"):
            (base / directory).mkdir(parents=True)
        (base / "repo/karpenter/pools.yaml").write_text(pools, encoding="utf-8")
        (base / "repo/jobs/job.yaml").write_text(job, encoding="utf-8")
        (base / "other/readme.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", encoding="utf-8")
        result = lint_paths([str(base)], LintOptions(), host=host())
        (finding,) = [finding for finding in result.findings if finding.rule_id == "SP004"]
        assert finding.span.path.endswith("repo/jobs/job.yaml")
        assert "the only NodePool near it whose requirements and taints admit the pod: gpu (" in finding.message
        assert "repo/karpenter/pools.yaml" in finding.message


def test_sp004_pools_of_an_unrelated_directory_are_not_near():
    """The pools are in another project of the run (sharing only the run's root): no pool is near, no link, no finding."""
    pools, job = _split_admitted()
    with tempfile.TemporaryDirectory() as root:
        base = Path(root)
        for directory in ("a/karpenter", "b/jobs"):
            (base / directory).mkdir(parents=True)
        (base / "a/karpenter/pools.yaml").write_text(pools, encoding="utf-8")
        (base / "b/jobs/job.yaml").write_text(job, encoding="utf-8")
        result = lint_paths([str(base)], LintOptions(), host=host())
        assert [finding for finding in result.findings if finding.rule_id == "SP004"] == []
        (rayjob,) = [deployment for deployment in result.deployments if deployment.name.value == "batch-embed"]
        assert [unit.consolidation for unit in rayjob.units] == [None, None]


@pytest.mark.parametrize(
    "change, why",
    [
        (("operator: Exists, effect: NoSchedule", "operator: Equal, value: other, effect: NoSchedule"), "the gpu pool's taint is not tolerated"),
        (("nvidia.com/gpu: 1", "cpu: 1"), "without a GPU request the general pool admits it too"),
        (("tolerations:  # expect: SP004", "nodeSelector: {karpenter.k8s.aws/instance-family: p5}\n            tolerations:"), "no pool can satisfy the selector"),
        (("tolerations:  # expect: SP004", "nodeSelector: {team: vision}\n            tolerations:"), "a custom label neither pool sets"),
    ],
    ids=["untolerated-taint", "no-gpu", "unsatisfiable-selector", "custom-label"],
)
def test_sp004_near_misses_of_the_admitted_pool(change, why):
    text = ADMITTED.read_text(encoding="utf-8").replace(*change)
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "job.yaml"
        path.write_text(text, encoding="utf-8")
        result = lint_paths([str(path)], LintOptions(), host=host())
        assert [finding for finding in result.findings if finding.rule_id == "SP004"] == [], why


def test_sp004_two_pools_admitting_the_pod_are_ambiguous_whatever_their_weights():
    text = ADMITTED.read_text(encoding="utf-8")
    second_gpu_pool = text.split("\n---\n")[0].replace("name: gpu", "name: gpu-b").replace("weight: 10", "weight: 90")
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "job.yaml"
        path.write_text(text + "\n---\n" + second_gpu_pool, encoding="utf-8")
        result = lint_paths([str(path)], LintOptions(), host=host())
        assert [finding for finding in result.findings if finding.rule_id == "SP004"] == []

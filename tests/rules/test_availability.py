"""The availability rules (HA001-HA007) on deployments no fixture yields, across files, and on real files.

Deployments are built in Python where no adapter produces them yet (zones
written with unresolved pieces, a Kubernetes node group's zones, several
autoscaling targets on one variant, counts known only as the branches of a
condition); the per-rule fixtures under tests/rules/HA00N/ cover what
CloudFormation templates and Kubernetes manifests produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Availability,
    Capacity,
    Deployment,
    DeploymentKind,
    Environment,
    Network,
    Provenance,
    RunContext,
    Scaling,
    ServerlessConfig,
    Severity,
    Sourced,
    Span,
    Unit,
)
from linter.api import read_inputs
from linter.engine import LintOptions, run_lint
from plugins.rules.availability.disruption_budget_allows_full_outage import disruption_budget_allows_full_outage
from plugins.rules.availability.no_disruption_budget import no_disruption_budget
from plugins.rules.availability.no_zone_spread import no_zone_spread
from plugins.rules.availability.single_az_network import single_az_network
from plugins.rules.availability.single_instance_production_endpoint import single_instance_production_endpoint
from plugins.rules.availability.single_replica_production_workload import single_replica_production_workload
from plugins.rules.availability.spot_only_production_serving import spot_only_production_serving
from rule_harness import host, judge, lint_file

PATH = "stack.yaml"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ADAPTER_COPIES = FIXTURES / "adapters" / "cloudformation"
KUBERNETES_COPIES = FIXTURES / "adapters" / "kubernetes"
CORPUS_COPIES = FIXTURES / "corpus"


def at(line: int) -> Span:
    return Span(PATH, line, 5, line, 20)


def value(item, line: int, **extra) -> Sourced:
    return Sourced(item, at(line), Provenance.DECLARED, **extra)


def scaling(minimum, line: int = 30) -> Scaling:
    return Scaling(min_capacity=minimum if isinstance(minimum, Sourced) else value(minimum, line), max_capacity=value(6, line + 1))


def deployment(
    kind: DeploymentKind = DeploymentKind.REALTIME,
    count: Sourced | int | None = 1,
    scalings: tuple[Scaling, ...] = (),
    environment: Environment | None = Environment.PROD,
    network: Network | None = None,
    serverless: ServerlessConfig | None = None,
) -> Deployment:
    unit = Unit(
        name=value("AllTraffic", 9),
        count=count if isinstance(count, Sourced) else (value(count, 10) if count is not None else Sourced()),
        scaling=scalings,
        serverless=serverless,
        span=at(9),
    )
    return Deployment(
        id=f"{PATH}#Endpoint",
        platform="sagemaker",
        kind=value(kind, 1),
        span=Span.point(PATH, 1),
        name=value("churn", 2),
        environment=value(environment, 3) if environment else Sourced(),
        units=(unit,),
        network=network,
    )


def findings(check, target: Deployment) -> list:
    """What `check` says of `target` alone in a run (no scaling target the adapters could not link, no configuration)."""
    return judge(check, target, RunContext((), LintOptions(), deployments=(target,)))


# --- HA001 single-instance-production-endpoint ---------------------------------------------


@pytest.mark.parametrize(
    "kind, fires",
    [
        (DeploymentKind.REALTIME, True),
        (DeploymentKind.ASYNC, True),
        # Kubernetes and ECS serving is HA003's (replicas), batch runs once.
        (DeploymentKind.SERVICE, False),
        (DeploymentKind.BATCH_TRANSFORM, False),
    ],
)
def test_ha001_judges_real_time_and_async_endpoints(kind, fires):
    assert bool(findings(single_instance_production_endpoint, deployment(kind))) is fires


def test_ha001_needs_production():
    assert findings(single_instance_production_endpoint, deployment(environment=None)) == []
    assert findings(single_instance_production_endpoint, deployment(environment=Environment.STAGING)) == []


def test_ha001_takes_the_lowest_of_several_autoscaling_minimums():
    target = deployment(scalings=(scaling(2, 30), scaling(1, 40)))
    (violation,) = findings(single_instance_production_endpoint, target)
    assert "autoscaling minimum is 1" in violation.message
    assert violation.span == at(10)


def test_ha001_silent_when_any_autoscaling_minimum_is_unknown():
    unknown = Sourced(UNKNOWN, at(40), Provenance.DECLARED, "Ref:MinCapacity is not known")
    assert findings(single_instance_production_endpoint, deployment(scalings=(scaling(1, 30), scaling(unknown)))) == []


def test_ha001_fires_when_every_branch_of_a_condition_is_below_two():
    both_low = Sourced(UNKNOWN, at(10), options=(1, 1))
    one_high = Sourced(UNKNOWN, at(10), options=(2, 1))
    (violation,) = findings(single_instance_production_endpoint, deployment(count=both_low))
    assert "runs 1 instance and" in violation.message
    assert findings(single_instance_production_endpoint, deployment(count=one_high)) == []


def test_ha001_leaves_async_scale_to_zero_to_as006():
    target = deployment(DeploymentKind.ASYNC, scalings=(scaling(0),))
    assert findings(single_instance_production_endpoint, target) == []
    realtime = deployment(DeploymentKind.REALTIME, scalings=(scaling(0),))
    assert findings(single_instance_production_endpoint, realtime)


def test_ha001_exempts_serverless_variants():
    target = deployment(DeploymentKind.SERVERLESS, count=None, serverless=ServerlessConfig())
    assert findings(single_instance_production_endpoint, target) == []


# --- HA002 single-az-network ----------------------------------------------------------------


def network(*zones, subnets: int | None = None) -> Network:
    count = len(zones) if subnets is None else subnets
    return Network(
        subnets=tuple(value(f"Subnet{index}", 20 + index) for index in range(count)),
        zones=tuple(zone if isinstance(zone, Sourced) else value(zone, 40 + index) for index, zone in enumerate(zones)),
        span=at(20),
    )


def test_ha002_equal_zone_texts_built_from_unresolved_pieces_count_as_one_zone():
    (violation,) = findings(single_az_network, deployment(network=network("${AWS::Region}a", "${AWS::Region}a")))
    assert "${AWS::Region}a" in violation.message and "both its subnets" in violation.message
    assert findings(single_az_network, deployment(network=network("${AWS::Region}a", "${AWS::Region}b"))) == []


def test_ha002_silent_when_one_zone_is_unknown_or_zones_are_not_known_at_all():
    unknown = Sourced(UNKNOWN, at(41), Provenance.DECLARED, "Select:0:GetAZs:AWS::Region is not known")
    assert findings(single_az_network, deployment(network=network("eu-west-1a", unknown))) == []
    assert findings(single_az_network, deployment(network=network(subnets=2))) == []
    assert findings(single_az_network, deployment(network=None)) == []


def test_ha002_points_at_the_subnets_from_first_to_last():
    (violation,) = findings(single_az_network, deployment(network=network("eu-west-1a", "eu-west-1a", "eu-west-1a")))
    assert (violation.span.line, violation.span.end_line) == (20, 22)
    assert "all 3 of its subnets" in violation.message


def test_ha002_zones_without_subnets_point_at_the_network():
    # A Kubernetes node group lists zones, not subnets.
    zones_only = Network(zones=(value("us-east-1a", 40),), span=at(39))
    (violation,) = findings(single_az_network, deployment(DeploymentKind.SERVICE, network=zones_only))
    assert violation.span == at(39) and "its only subnet" in violation.message


@pytest.mark.parametrize("kind", [DeploymentKind.JOB, DeploymentKind.TRAINING, DeploymentKind.BATCH_TRANSFORM])
def test_ha002_leaves_jobs_alone(kind):
    assert findings(single_az_network, deployment(kind, network=network("eu-west-1a"))) == []


# --- Real files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -------------


def availability_findings(path: Path, options: LintOptions = LintOptions()) -> list[tuple[str, int, Severity]]:
    result = lint_file(path, options)
    return [(finding.rule_id, finding.span.line, finding.severity) for finding in result.findings if finding.rule_id.startswith("HA")]


def test_corpus_single_instance_demo_endpoint_fires_only_when_called_production():
    # awslabs fraud-detection demo: one ml.m5.xlarge instance, no autoscaling, no stage in the path.
    path = ADAPTER_COPIES / "fraud-detection-sagemaker-demo-stack.yaml"
    assert availability_findings(path) == []
    prod = availability_findings(path, LintOptions(environment=Environment.PROD))
    assert prod == [("HA001", 79, Severity.ERROR)]  # InitialInstanceCount: 1


@pytest.mark.parametrize("name", ["mlops-workshop-deploy-model-prd.yml", "safe-deployment-deploy-model-prd.yml"])
def test_corpus_production_endpoints_on_two_instances_are_silent(name):
    # Both are production by their path (prd) and run two instances with an autoscaling minimum of 2.
    result = lint_file(ADAPTER_COPIES / name)
    (endpoint,) = result.deployments
    assert endpoint.is_production and endpoint.units[0].count.value == 2
    assert [finding for finding in result.findings if finding.rule_id.startswith("HA")] == []


# --- Kubernetes services (HA003-HA007) -------------------------------------------------------


def service(
    count: Sourced | int | None = 2,
    scalings: tuple[Scaling, ...] = (),
    environment: Environment | None = Environment.PROD,
    availability: Availability | None = None,
    capacity: Capacity | None = None,
    kind: DeploymentKind = DeploymentKind.SERVICE,
) -> Deployment:
    unit = Unit(
        name=value("scorer", 4),
        count=count if isinstance(count, Sourced) else (value(count, 7) if count is not None else Sourced()),
        capacity=value(capacity, 20) if capacity is not None else Sourced(),
        scaling=scalings,
        span=at(14),
    )
    return Deployment(
        id=f"{PATH}#Deployment/ml/scorer",
        platform="kubernetes",
        kind=value(kind, 2),
        span=at(4),
        name=value("scorer", 4),
        environment=value(environment, 3) if environment else Sourced(),
        units=(unit,),
        availability=availability,
        namespace=value("ml", 5),
    )


def guarded(
    spread: bool | None = False,
    budget: str | None = "",
    min_available: object = None,
    max_unavailable: object = None,
    budget_path: str = PATH,
) -> Availability:
    def field(item, line):
        return Sourced(item, Span(budget_path, line, 3, line, 20), Provenance.DECLARED) if item is not None else Sourced()

    return Availability(
        zone_spread=value(spread, 14) if spread is not None else Sourced(),
        disruption_budget=value(budget, 40) if budget is not None else Sourced(UNKNOWN, at(14), Provenance.INFERRED),
        min_available=field(min_available, 44),
        max_unavailable=field(max_unavailable, 45),
        span=at(14),
    )


# HA003 single-replica-production-workload


@pytest.mark.parametrize(
    "kind, ha001, ha003",
    [
        (DeploymentKind.REALTIME, True, False),
        (DeploymentKind.ASYNC, True, False),
        (DeploymentKind.SERVICE, False, True),
        (DeploymentKind.JOB, False, False),
    ],
)
def test_ha001_and_ha003_never_judge_the_same_deployment(kind, ha001, ha003):
    single = service(count=1, kind=kind)
    assert bool(findings(single_instance_production_endpoint, single)) is ha001
    assert bool(findings(single_replica_production_workload, single)) is ha003


def test_ha003_needs_production():
    assert findings(single_replica_production_workload, service(count=1, environment=None)) == []
    assert findings(single_replica_production_workload, service(count=1, environment=Environment.DEV)) == []


def test_ha003_autoscaling_minimum_decides_when_the_workload_is_scaled():
    (low,) = findings(single_replica_production_workload, service(count=1, scalings=(scaling(1),)))
    assert "runs 1 replica and its autoscaling minimum is 1" in low.message and low.span == at(7)
    assert findings(single_replica_production_workload, service(count=1, scalings=(scaling(2),))) == []
    # Two replicas scaled in to one is AS004's business.
    assert findings(single_replica_production_workload, service(count=2, scalings=(scaling(1),))) == []
    unknown = Sourced(UNKNOWN, at(30), Provenance.DECLARED, "templated")
    assert findings(single_replica_production_workload, service(count=1, scalings=(scaling(unknown),))) == []


def test_ha003_count_that_is_its_own_minimum_reads_as_a_minimum():
    # KServe: minReplicas is both the count and the autoscaling minimum.
    minimum = value(1, 7)
    (violation,) = findings(single_replica_production_workload, service(count=minimum, scalings=(Scaling(min_capacity=minimum),)))
    assert "may scale down to 1 replica" in violation.message and "raise its minimum replicas to at least 2" in violation.message


def test_ha003_leaves_zero_replica_placeholders_and_scale_to_zero_alone():
    # `replicas: 0` that nothing scales is a placeholder: nothing runs, so nothing goes down.
    assert findings(single_replica_production_workload, service(count=0)) == []
    # Deliberate scale-to-zero (a KEDA ScaledObject's minReplicaCount 0, Knative min-scale 0)...
    assert findings(single_replica_production_workload, service(count=1, scalings=(scaling(0),))) == []
    # ... and KServe `minReplicas: 0`, which is both the count and the minimum.
    minimum = value(0, 7)
    assert findings(single_replica_production_workload, service(count=minimum, scalings=(Scaling(min_capacity=minimum),))) == []
    # A minimum that may be 0 or 1 (an undecided condition) is not deliberately zero.
    either = Sourced(UNKNOWN, at(30), Provenance.DECLARED, options=(0, 1))
    (violation,) = findings(single_replica_production_workload, service(count=1, scalings=(scaling(either),)))
    assert "autoscaling minimum is 0 or 1" in violation.message


def test_ha003_skips_counts_fixed_by_the_workloads_shape_and_unknown_counts():
    ray_head = Sourced(1, at(7), Provenance.INFERRED, "one Ray head")
    assert findings(single_replica_production_workload, service(count=ray_head)) == []
    assert findings(single_replica_production_workload, service(count=None)) == []
    both_low = Sourced(UNKNOWN, at(7), options=(1, 0))
    (violation,) = findings(single_replica_production_workload, service(count=both_low))
    assert "runs 1 or 0 replicas" in violation.message


# HA004 no-zone-spread


def test_ha004_fires_on_replicated_production_pods_without_zone_spread():
    (violation,) = findings(no_zone_spread, service(count=3, availability=guarded(spread=False)))
    assert "runs 3 replicas" in violation.message and "topology.kubernetes.io/zone" in violation.message
    assert violation.span == at(14)


@pytest.mark.parametrize(
    "target",
    [
        service(count=3, availability=guarded(spread=True)),
        service(count=3, availability=guarded(spread=None)),  # unknown: silent
        service(count=1, availability=guarded(spread=False)),  # HA003's business
        service(count=3, availability=guarded(spread=False), environment=Environment.STAGING),
        service(count=3, availability=None),  # a platform without pod placement (ECS)
    ],
)
def test_ha004_silent(target):
    assert findings(no_zone_spread, target) == []


def test_ha004_counts_the_autoscaling_minimum():
    (violation,) = findings(no_zone_spread, service(count=1, scalings=(scaling(2),), availability=guarded()))
    assert "runs at least 2 replicas" in violation.message


# HA005 no-disruption-budget


def test_ha005_fires_only_when_no_budget_is_known_to_select_the_pods():
    (violation,) = findings(no_disruption_budget, service(count=2, availability=guarded(budget="")))
    assert "no PodDisruptionBudget of this run selects its pods in namespace ml" in violation.message
    assert violation.span == at(4)
    assert findings(no_disruption_budget, service(count=2, availability=guarded(budget="scorer-pdb"))) == []
    assert findings(no_disruption_budget, service(count=2, availability=guarded(budget=None))) == []  # labels unknown
    assert findings(no_disruption_budget, service(count=1, availability=guarded(budget=""))) == []


DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  namespace: fraud-prod
spec:
  replicas: 3
  selector:
    matchLabels: {app: scorer}
  template:
    metadata:
      labels: {app: scorer}
    spec:
      containers: [{name: server, image: seldonio/mlserver:1.6.1}]
"""

PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: scorer
  namespace: fraud-prod
spec:
  maxUnavailable: {max_unavailable}
  selector:
    matchLabels: {app: scorer}
"""


@pytest.fixture
def manifests(tmp_path):
    (tmp_path / "deploy.yaml").write_text(DEPLOY)
    return tmp_path


def _lint(paths, context: str = "siblings") -> list[tuple[str, str, int, str]]:
    result = run_lint(read_inputs([str(path) for path in paths], context=context), host(), LintOptions())
    return [
        (finding.rule_id, Path(finding.path).name, finding.span.line, finding.message)
        for finding in result.findings
        if finding.rule_id in ("HA005", "HA007")
    ]


def test_ha005_budget_in_another_file_of_the_run(manifests):
    (manifests / "pdb.yaml").write_text(PDB.replace("{max_unavailable}", "1"))
    assert _lint([manifests / "deploy.yaml", manifests / "pdb.yaml"]) == []
    # Named alone, the deployment still sees the budget beside it (as an HPA beside it counts for AS001) ...
    assert _lint([manifests / "deploy.yaml"]) == []
    # ... unless only the named files are read.
    ((rule_id, name, line, _),) = _lint([manifests / "deploy.yaml"], context="none")
    assert (rule_id, name, line) == ("HA005", "deploy.yaml", 4)


def test_ha005_deployment_alone(manifests):
    ((rule_id, name, line, _),) = _lint([manifests / "deploy.yaml"])
    assert (rule_id, name, line) == ("HA005", "deploy.yaml", 4)


# HA006 spot-only-production-serving


@pytest.mark.parametrize(
    "capacity, fires",
    [(Capacity.SPOT, True), (Capacity.MIXED, False), (Capacity.ON_DEMAND, False), (Capacity.RESERVED, False), (None, False)],
)
def test_ha006_fires_only_on_spot_only_capacity(capacity, fires):
    assert bool(findings(spot_only_production_serving, service(capacity=capacity))) is fires


def test_ha006_leaves_jobs_and_non_production_alone():
    assert findings(spot_only_production_serving, service(capacity=Capacity.SPOT, kind=DeploymentKind.JOB)) == []
    assert findings(spot_only_production_serving, service(capacity=Capacity.SPOT, environment=None)) == []


def test_ha006_points_at_the_capacity():
    (violation,) = findings(spot_only_production_serving, service(capacity=Capacity.SPOT))
    assert violation.span == at(20)


# HA007 disruption-budget-allows-full-outage


@pytest.mark.parametrize(
    "count, scalings, min_available, max_unavailable, fires",
    [
        (2, (), None, 2, True),
        (3, (), None, 2, False),
        (2, (), 0, None, True),
        (2, (), "0%", None, True),
        (1, (), 0, None, True),  # protects nothing whatever the count
        (2, (), 1, None, False),
        (2, (), "10%", None, False),
        (None, (), None, "100%", True),  # no count needed
        (2, (), None, "50%", False),  # 1 of 2, rounded up
        (2, (), None, "51%", True),  # 1.02 of 2 rounds up to 2
        (3, (), None, "67%", True),  # 2.01 of 3 rounds up to 3
        (4, (), None, "50%", False),
        (1, (), None, 1, False),  # one replica: HA003's business
        (6, (scaling(2),), None, 3, True),  # at its autoscaling minimum
        (6, (scaling(3),), None, 2, False),
        (2, (scaling(0),), None, 2, False),  # scales to zero by design
        (None, (), None, 2, False),  # count unknown
        (2, (), None, 0, False),  # blocks evictions: too strict, not too loose
    ],
)
def test_ha007_compares_the_budget_with_the_lowest_replica_count(count, scalings, min_available, max_unavailable, fires):
    target = service(
        count=count,
        scalings=scalings,
        environment=None,  # not a prod rule
        availability=guarded(budget="scorer", min_available=min_available, max_unavailable=max_unavailable),
    )
    assert bool(findings(disruption_budget_allows_full_outage, target)) is fires


def test_ha007_message_names_the_rounded_pods_and_the_minimum():
    target = service(count=6, scalings=(scaling(3),), availability=guarded(budget="scorer", max_unavailable="100%"))
    (violation,) = findings(disruption_budget_allows_full_outage, target)
    assert violation.message.startswith("disruption budget scorer protects nothing: maxUnavailable 100%")
    target = service(count=6, scalings=(scaling(3),), availability=guarded(budget="scorer", max_unavailable="70%"))
    (violation,) = findings(disruption_budget_allows_full_outage, target)
    assert "maxUnavailable 70% (3 of 3 pods) is not less than the 3 replicas it may scale down to" in violation.message
    assert "set maxUnavailable to at most 2 (1 is usual)" in violation.message
    assert violation.span.line == 45


def test_ha007_silent_without_a_known_budget():
    assert findings(disruption_budget_allows_full_outage, service(availability=guarded(budget="", max_unavailable=2))) == []
    assert findings(disruption_budget_allows_full_outage, service(availability=guarded(budget=None, max_unavailable=2))) == []


def test_ha007_budget_in_a_linted_file_is_reported_at_the_budget(manifests):
    (manifests / "pdb.yaml").write_text(PDB.replace("{max_unavailable}", "3"))
    ((rule_id, name, line, message),) = _lint([manifests / "deploy.yaml", manifests / "pdb.yaml"])
    assert (rule_id, name, line) == ("HA007", "pdb.yaml", 7)
    assert "(in " not in message


def test_ha007_budget_in_a_context_file_is_reported_at_the_workload(manifests):
    (manifests / "pdb.yaml").write_text(PDB.replace("{max_unavailable}", "3"))
    ((rule_id, name, line, message),) = _lint([manifests / "deploy.yaml"])
    assert (rule_id, name, line) == ("HA007", "deploy.yaml", 7)  # replicas: 3
    assert f"(in {manifests / 'pdb.yaml'})" in message


# --- Real Kubernetes files (copies from the shared corpus, see tests/fixtures/SOURCES.md) -----


PROD = LintOptions(environment=Environment.PROD)


def test_corpus_kserve_sample_on_default_replicas_fires_ha003_only_when_called_production():
    # kserve/kserve sklearn sample: minReplicas 1 on the predictor, no stage anywhere.
    path = KUBERNETES_COPIES / "kserve" / "sklearn-inferenceservice.yaml"
    assert availability_findings(path) == []
    assert availability_findings(path, PROD) == [("HA003", 7, Severity.ERROR)]


def test_corpus_seldon_ab_test_has_two_single_replica_predictors():
    assert availability_findings(KUBERNETES_COPIES / "seldon-abtest" / "abtest.yaml", PROD) == [
        ("HA003", 13, Severity.ERROR),
        ("HA003", 19, Severity.ERROR),
    ]


def test_corpus_seldon_pdb_spec_allows_a_full_outage():
    # SeldonIO/seldon-core disruption-budget example: pdbSpec maxUnavailable 2 on 2 replicas.
    path = KUBERNETES_COPIES / "seldon-pdb" / "model_with_pdb.yaml"
    assert availability_findings(path) == [("HA007", 11, Severity.WARNING)]
    # In production it also runs unspread (reported at the componentSpec's `spec:`); its pdbSpec counts as a budget (no HA005).
    assert availability_findings(path, PROD) == [("HA007", 11, Severity.WARNING), ("HA004", 12, Severity.WARNING)]


def test_corpus_karpenter_examples_run_pause_containers_that_are_not_judged():
    # aws/karpenter-provider-aws: a PDB (minAvailable 4) selecting a 10-replica
    # Deployment, and 50 replicas spread over hostnames and zones with no PDB.
    # Their pods run the `pause` image: general-purpose workloads, no ML evidence.
    budget = KUBERNETES_COPIES / "karpenter-workloads" / "disruption-budget.yaml"
    spread = CORPUS_COPIES / "ha004-spread-hostname-zone.yaml"
    assert availability_findings(budget, PROD) == []
    assert availability_findings(spread, PROD) == []


@pytest.mark.parametrize(
    "path, expected",
    [
        (KUBERNETES_COPIES / "karpenter-workloads" / "disruption-budget.yaml", [("HA004", 24, Severity.WARNING)]),  # the template's spec:
        (CORPUS_COPIES / "ha004-spread-hostname-zone.yaml", [("HA005", 4, Severity.WARNING)]),
    ],
    ids=["budget-but-no-spread", "spread-but-no-budget"],
)
def test_corpus_karpenter_examples_declared_as_ml_workloads(path, expected, tmp_path):
    # The same files once their Deployment declares a workload profile (the
    # documented way to opt a private image in): the availability rules judge them.
    text = path.read_text(encoding="utf-8").replace(
        "kind: Deployment\nmetadata:\n", "kind: Deployment\nmetadata:\n  annotations:\n    mldeploy-lint.io/traffic: steady\n", 1
    )
    copy = tmp_path / path.name
    copy.write_text(text, encoding="utf-8")
    shifted = [(rule, line + 2, severity) for rule, line, severity in expected]
    assert availability_findings(copy, PROD) == shifted


def test_corpus_gke_llm_on_spot_vms():
    # GoogleCloudPlatform/kubernetes-engine-samples: TGI on one replica, nodeSelector cloud.google.com/gke-spot,
    # and no probe on the TGI container (HA008, in any environment).
    path = KUBERNETES_COPIES / "gke-llm-spot" / "text-generation-inference.yaml"
    assert availability_findings(path) == [("HA008", 32, Severity.WARNING)]
    assert availability_findings(path, PROD) == [("HA003", 21, Severity.ERROR), ("HA008", 32, Severity.WARNING), ("HA006", 84, Severity.WARNING)]


def test_corpus_kube_linter_budgets_that_keep_a_replica_are_not_ha007():
    # stackrox/kube-linter pdb-min-available fixture: minAvailable 1 budgets on one-replica Deployments.
    path = KUBERNETES_COPIES / "kube-linter-pdb-min-available" / "pdb-min-available.yaml"
    assert [item for item in availability_findings(path, PROD) if item[0] == "HA007"] == []


def test_ha003_real_kserve_service_that_scales_to_zero_is_silent_in_production():
    # kserve/kserve docs/samples/fluid: a GPU predictor with `minReplicas: 0` (SOURCES.md).
    path = Path(__file__).resolve().parent.parent / "fixtures" / "availability" / "kserve-fluid-scale-to-zero.yaml"
    result = lint_file(path, LintOptions(environment=Environment.PROD))
    assert result.files[0].recognised
    assert [finding for finding in result.findings if finding.rule_id in ("HA003", "AS001")] == []


# --- HA008 model-server-without-readiness, on real files ----------------------------------


def ha008_lines(path: Path) -> list[int]:
    return [finding.span.line for finding in lint_file(path).findings if finding.rule_id == "HA008"]


def test_ha008_fires_on_a_real_tgi_deployment_without_probes():
    # SageMaker HyperPod sample: TGI serving Mistral 7B with no probe at all.
    assert ha008_lines(CORPUS_COPIES / "ha008-hyperpod-mistral-tgi.yaml") == [26]  # the TGI image


def test_ha008_reports_a_leader_worker_set_once_at_its_leader():
    # ai-on-eks: vLLM on Trainium as a LeaderWorkerSet; the workers run the leader's image and serve through it.
    assert ha008_lines(CORPUS_COPIES / "ha008-lws-vllm-405b-trn1.yaml") == [110]  # the leader's image


def test_ha008_silent_on_a_real_vllm_deployment_whose_probes_wait_for_the_model():
    # SageMaker HyperPod sample: vLLM with readiness (600 s delay) and liveness (900 s delay) probes.
    assert ha008_lines(CORPUS_COPIES / "cp002-hyperpod-deploy-openai.yaml") == []


# --- HA001 / HA003 with scaling out of sight -------------------------------------------------

_ONE_INSTANCE_PRODUCTION = (Path(__file__).parent / "AS001" / "near_miss_custom_resource.yaml").read_text(encoding="utf-8").replace(
    "InitialInstanceCount: 2", "InitialInstanceCount: 1"
)
# HA003's own fixture's first object: a production Deployment of one replica (payments/fraud-scorer).
_ONE_REPLICA_PRODUCTION = (Path(__file__).parent / "HA003" / "fires.yaml").read_text(encoding="utf-8").split("---\n")[0]


def _ha_findings(result) -> list[str]:
    return sorted(finding.rule_id for finding in result.findings if finding.rule_id in ("HA001", "HA003"))


def test_ha001_is_silent_when_a_target_it_could_not_link_may_scale_the_endpoint():
    from linter.api import lint_text

    # The custom resource that names the endpoint and its variant may register it for autoscaling (an
    # unresolved target, as AS001 reads it): its minimum is not known, so "nothing scales it" is not said.
    with_custom = lint_text(_ONE_INSTANCE_PRODUCTION, "ranker.yaml", LintOptions(environment=Environment.PROD))
    assert [target.status.value for target in with_custom.scaling_targets] == ["unresolved"]
    assert _ha_findings(with_custom) == []
    alone = _ONE_INSTANCE_PRODUCTION.split("  ScalingFunction:")[0]
    assert _ha_findings(lint_text(alone, "ranker.yaml", LintOptions(environment=Environment.PROD))) == ["HA001"]


@pytest.mark.parametrize("patterns, reported", [([], ["HA001", "HA003"]), (["Ranker*", "payments/fraud-scorer"], [])])
def test_ha001_and_ha003_are_silent_for_deployments_configured_as_scaled_elsewhere(tmp_path, patterns, reported):
    from linter.api import lint_paths
    from linter.config import load_config

    config_file = tmp_path / "mldeploy-lint.toml"
    config_file.write_text(f"scaled-elsewhere = {patterns!r}\n[environments]\npath-words = false\n", encoding="utf-8")
    options = LintOptions(config=load_config(str(config_file)), environment=Environment.PROD)
    endpoint = tmp_path / "endpoint.yaml"
    endpoint.write_text(_ONE_INSTANCE_PRODUCTION.split("  ScalingFunction:")[0], encoding="utf-8")
    workload = tmp_path / "scorer.yaml"
    workload.write_text(_ONE_REPLICA_PRODUCTION, encoding="utf-8")
    assert _ha_findings(lint_paths([str(endpoint), str(workload)], options, host=host())) == reported

"""The availability rules (HA001, HA002) on deployments no fixture yields, and on real files.

Deployments are built in Python where no adapter produces them yet (zones
written with unresolved pieces, a Kubernetes node group's zones, several
autoscaling targets on one variant); the per-rule fixtures under
tests/rules/HA00N/ cover what CloudFormation templates produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import (
    UNKNOWN,
    Deployment,
    DeploymentKind,
    Environment,
    Network,
    Provenance,
    Scaling,
    ServerlessConfig,
    Severity,
    Sourced,
    Span,
    Unit,
)
from linter.engine import LintOptions
from plugins.rules.availability.single_az_network import single_az_network
from plugins.rules.availability.single_instance_production_endpoint import single_instance_production_endpoint
from rule_harness import lint_file

PATH = "stack.yaml"
ADAPTER_COPIES = Path(__file__).resolve().parent.parent / "fixtures" / "adapters" / "cloudformation"


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
    return list(check.check(target, None))


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

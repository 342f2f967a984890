"""General-purpose workloads are not judged: only those with ML evidence are.

A Kubernetes Deployment or an ECS service can run anything; the rules that
would fire on any workload (replicas, autoscaling, budgets, Spot) judge it
only when its image, accelerator or workload profile shows an ML workload.
"""

from __future__ import annotations

import pytest

from conftest import run_cli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop-prod
{annotations}spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: main
          image: {image}
{resources}"""

GPU = """\
          resources:
            limits: {nvidia.com/gpu: "1"}
"""

JUDGED_RULES = ("AS001", "HA003", "HA004", "HA005")


def _write(tmp_path, image: str, annotations: str = "", resources: str = "", name: str = "app"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(DEPLOYMENT.format(name=name, image=image, annotations=annotations, resources=resources))
    return path


def _rules(tmp_path, *paths) -> set[str]:
    result = run_cli("--select", ",".join(JUDGED_RULES), "--context", "none", *(str(path) for path in paths))
    assert result.err == ""
    return {line.split(": ", 1)[1].split(" ")[1] for line in result.out.splitlines()[:-1]}


def test_a_database_is_not_judged(tmp_path):
    assert _rules(tmp_path, _write(tmp_path, "postgres:16.4")) == set()


@pytest.mark.parametrize(
    "image, annotations, resources",
    [
        ("seldonio/mlserver:1.6.1-sklearn", "", ""),  # a known model server
        ("registry.example.com/search/ranker:4.2", "  annotations:\n    mldeploy-lint.io/traffic: steady\n", ""),  # declared
        ("registry.example.com/search/ranker:4.2", "", GPU),  # an accelerator
    ],
    ids=["known-image", "workload-profile", "gpu-request"],
)
def test_ml_evidence_makes_the_workload_judged(tmp_path, image, annotations, resources):
    assert _rules(tmp_path, _write(tmp_path, image, annotations, resources)) == {"AS001", "HA003"}


def test_a_configured_private_image_is_evidence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, "registry.example.com/search/ranker:4.2")
    assert _rules(tmp_path, path) == set()
    (tmp_path / "mldeploy-lint.toml").write_text('[[data.images]]\nimage = "registry.example.com/search/"\nframework = "pytorch"\n')
    assert _rules(tmp_path, path) == {"AS001", "HA003"}


def test_explain_says_why_a_workload_is_not_judged(tmp_path):
    result = run_cli("explain", "--deployments", str(_write(tmp_path, "postgres:16.4")))
    assert "ml_evidence: unknown" in result.out
    assert "a general-purpose workload" in result.out


def test_a_general_purpose_ecs_service_is_not_judged(tmp_path):
    template = """\
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    {metadata}Properties:
      RequiresCompatibilities: [FARGATE]
      Cpu: "512"
      Memory: "1024"
      ContainerDefinitions:
        - {{Name: web, Image: "nginx:1.27"}}
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Task
      DesiredCount: 2
      LaunchType: FARGATE
      Tags: [{{Key: Environment, Value: prod}}]  # pytest's directory names say "test": AS001 is silent outside production
"""
    path = tmp_path / "ecs.yaml"
    path.write_text(template.format(metadata=""))
    assert _rules(tmp_path, path) == set()
    path.write_text(template.format(metadata="Metadata: {mldeploy-lint: {workload: {traffic: steady}}}\n    "))
    assert _rules(tmp_path, path) == {"AS001"}


def test_a_general_purpose_ecs_service_gets_no_network_or_policy_findings(tmp_path):
    template = """\
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "512"
      Memory: "1024"
      ContainerDefinitions:
        - {Name: web, Image: "nginx:1.27"}
  Service:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: web
      Cluster: main
      TaskDefinition: !Ref Task
      DesiredCount: 2
      LaunchType: FARGATE
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Ref Subnet]}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ResourceId: service/main/web
      ScalableDimension: ecs:service:DesiredCount
      MinCapacity: 2
      MaxCapacity: 4
"""
    path = tmp_path / "web.yaml"
    path.write_text(template)
    result = run_cli("--context", "none", str(path))
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")
    path.write_text(template.replace('Image: "nginx:1.27"', 'Image: "pytorch/torchserve:0.12.0-cpu"'))
    assert {"HA002", "AS007"} <= {line.split(": ", 1)[1].split(" ")[1] for line in run_cli("--context", "none", str(path)).out.splitlines()[:-1]}


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly-scoring}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {mldeploy-lint.io/urgency: deferrable, mldeploy-lint.io/payload-mb: lots}
        spec:
          restartPolicy: OnFailure
          nodeSelector: {karpenter.sh/capacity-type: on-demand}
          containers: [{name: score, image: "registry.example.com/scoring:1.0"}]
"""


def test_a_profile_on_the_pod_template_counts(tmp_path):
    path = tmp_path / "cron.yaml"
    path.write_text(CRONJOB)
    result = run_cli("--context", "none", str(path))
    lines = result.out.splitlines()[:-1]
    assert [line.split(": ", 1)[1].split(" ")[1] for line in lines] == ["MD004", "SP001"]
    assert "annotation mldeploy-lint.io/payload-mb of the pod template of CronJob nightly-scoring" in lines[0]

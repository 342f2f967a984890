"""`mldeploy-lint explain --deployments`: what the linter believes, fact by fact."""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATE = """\
Parameters:
  ModelName: {Type: String}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload: {payload-mb: 3}
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          InstanceType: ml.m5.large
          InitialInstanceCount: 2
      Tags: [{Key: Environment, Value: production}]
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub mlops-${ModelName}-prd
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ResourceId: !Sub endpoint/mlops-${ModelName}-prd/variant/AllTrafic
      MinCapacity: 1
      MaxCapacity: 2
"""


def test_text_names_each_fact_and_its_origin(cli, chdir_tmp):
    (chdir_tmp / "endpoint.yaml").write_text(TEMPLATE)
    result = cli("explain", "--deployments", "endpoint.yaml")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "mlops-${ModelName}-prd  (sagemaker, realtime)  endpoint.yaml:16:3"
    assert "  environment: prod  [declared: tag Environment=production] endpoint.yaml:15:40" in lines
    assert "    payload_mb: 3  [declared: Metadata mldeploy-lint.workload of Config] endpoint.yaml:8:32" in lines
    assert "        instance_type: ml.m5.large  [declared] endpoint.yaml:13:25" in lines
    assert any(
        line.startswith("  no-such-unit: endpoint 'mlops-${ModelName}-prd' has no variant 'AllTrafic' (variants: AllTraffic)")
        for line in lines
    )


def test_json_is_the_model(cli, chdir_tmp):
    (chdir_tmp / "endpoint.yaml").write_text(TEMPLATE)
    result = cli("explain", "--deployments", "--format", "json", "endpoint.yaml")
    document = json.loads(result.out)
    (deployment,) = document["deployments"]
    assert deployment["kind"] == {
        "value": "realtime",
        "at": "endpoint.yaml:4:3",
        "how": "inferred",
        "note": "instance-backed variants, no AsyncInferenceConfig",
    }
    assert deployment["units"][0]["count"]["value"] == 2
    assert "scaling" not in deployment["units"][0]
    (target,) = document["scaling_targets"]
    assert target["status"] == "no-such-unit"


def test_environment_option_applies(cli, chdir_tmp):
    (chdir_tmp / "endpoint.yaml").write_text(TEMPLATE)
    result = cli("explain", "--deployments", "--environment", "dev", "--format", "json", "endpoint.yaml")
    assert json.loads(result.out)["deployments"][0]["environment"]["value"] == "dev"


def test_no_deployments_and_unreadable_files(cli, chdir_tmp):
    (chdir_tmp / "notes.yaml").write_text("just: data\n")
    (chdir_tmp / "broken.yaml").write_text("a: [1\n")
    result = cli("explain", "--deployments", "notes.yaml", "broken.yaml")
    assert result.code == 0
    assert result.out.startswith("No deployments found.\n")
    assert "broken.yaml:2:1: MD001 YAML syntax error" in result.out


def test_explain_rule_still_takes_one_argument(cli):
    assert cli("explain", "EP001", "CV001").code == 2
    assert "# EP001 payload-exceeds-endpoint-limit" in cli("explain", "EP001").out


def test_a_pool_linked_by_admission_says_how_in_the_facts(cli, chdir_tmp):
    """A pod that names no pool, linked to the one pool near it that admits it: the unit's facts name the pool and how."""
    fixture = Path(__file__).parent / "rules" / "SP004" / "fires_admitted_pool.yaml"
    documents = fixture.read_text(encoding="utf-8").split("\n---\n")
    (chdir_tmp / "jobs").mkdir()
    (chdir_tmp / "pools.yaml").write_text("\n---\n".join(documents[:2]), encoding="utf-8")
    (chdir_tmp / "jobs/rayjob.yaml").write_text(documents[2], encoding="utf-8")
    text = cli("explain", "--deployments", "jobs/rayjob.yaml", "pools.yaml").out
    how = "the only NodePool near it whose requirements and taints admit the pod"
    (consolidation,) = [line for line in text.splitlines() if line.strip().startswith("evicts_running_pods: True  [inferred")]
    assert f"[inferred: {how}: gpu (pools.yaml): NodePool gpu: consolidationPolicy WhenEmptyOrUnderutilized" in consolidation
    assert consolidation.endswith("jobs/rayjob.yaml:22:13")
    (head,) = [line for line in text.splitlines() if line.strip().startswith("evicts_running_pods: False  [inferred")]
    assert f"{how}: general (pools.yaml)" in head

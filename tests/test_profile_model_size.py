"""The workload profile's `model-size-gb`, end to end in every form a profile is declared in.

Each form is read by its adapter through `linter.profile.parse_profile`;
these tests hold that the new key reaches `explain --deployments` from
each of them, declared, with its place, and that a bad value is MD004.
"""

from __future__ import annotations

import json

import pytest

from linter.profile import PROFILE_KEYS, check_value
from linter.schemas import load_schema

ENDPOINT_CONFIG = """\
Resources:
  LlmConfig:
    Type: AWS::SageMaker::EndpointConfig
{metadata}    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: llm
          InstanceType: ml.g5.12xlarge
          InitialInstanceCount: 1
{tags}"""

METADATA = """\
    Metadata:
      mldeploy-lint:
        workload:
          model-size-gb: {value}
"""

TAGS = """\
      Tags:
        - Key: mldeploy-lint:model-size-gb
          Value: "{value}"
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
{own}spec:
  replicas: 2
  selector: {{matchLabels: {{app: vllm}}}}
  template:
    metadata:
      labels: {{app: vllm}}
{template}    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
          resources: {{limits: {{nvidia.com/gpu: 1}}}}
"""

ACK_ENDPOINT_CONFIG = """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata:
  name: llm-config
  annotations:
    mldeploy-lint.io/model-size-gb: "{value}"
spec:
  endpointConfigName: llm-config
  productionVariants:
    - variantName: AllTraffic
      modelName: llm
      instanceType: ml.g5.12xlarge
      initialInstanceCount: 1
"""

API_ENDPOINT_CONFIG = {
    "EndpointConfigName": "llm-config",
    "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": "llm", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 1}
    ],
}


def _explain(cli, *paths: str) -> tuple[list[dict], str]:
    result = cli("explain", "--deployments", "--format", "json", *paths)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    return document["deployments"], result.out


def _lint(cli, *paths: str):
    return cli("--format", "json", *paths)


def _size(deployment: dict) -> dict:
    return deployment["profile"]["model_size_gb"]


def test_the_key_is_in_the_schema_with_its_unit():
    prop = load_schema("workload-profile")["properties"]["model-size-gb"]
    assert prop["type"] == "number" and prop["exclusiveMinimum"] == 0
    assert "gigabytes (10^9 bytes)" in prop["description"]
    assert "model-size-gb" in PROFILE_KEYS


@pytest.mark.parametrize(
    ("value", "expected"),
    [("140", (140.0, None)), (14.5, (14.5, None)), (0, (None, "model-size-gb must be greater than 0, got 0")),
     ("huge", (None, "model-size-gb must be a number, got 'huge'"))],
)
def test_check_value(value, expected):
    assert check_value("model-size-gb", value) == expected


def test_cloudformation_metadata(cli, chdir_tmp):
    (chdir_tmp / "llm.yaml").write_text(ENDPOINT_CONFIG.format(metadata=METADATA.format(value=140), tags=""))
    (deployment,), _ = _explain(cli, "llm.yaml")
    assert _size(deployment) == {
        "value": 140,
        "at": "llm.yaml:7:26",
        "how": "declared",
        "note": "Metadata mldeploy-lint.workload of LlmConfig",
    }


def test_cloudformation_tags_win_over_metadata(cli, chdir_tmp):
    (chdir_tmp / "llm.yaml").write_text(
        ENDPOINT_CONFIG.format(metadata=METADATA.format(value=140), tags=TAGS.format(value="141.5"))
    )
    (deployment,), _ = _explain(cli, "llm.yaml")
    assert _size(deployment)["value"] == 141.5
    assert _size(deployment)["note"] == "Tags mldeploy-lint:<key> of LlmConfig"


def test_cloudformation_invalid_value_is_md004(cli, chdir_tmp):
    (chdir_tmp / "llm.yaml").write_text(ENDPOINT_CONFIG.format(metadata=METADATA.format(value="-3"), tags=""))
    (deployment,), _ = _explain(cli, "llm.yaml")
    assert "model_size_gb" not in deployment.get("profile", {})
    findings = json.loads(_lint(cli, "llm.yaml").out)["findings"]
    (md004,) = [finding for finding in findings if finding["rule"] == "MD004"]
    assert "model-size-gb must be greater than 0, got -3" in md004["message"]


def test_kubernetes_annotation_on_the_object(cli, chdir_tmp):
    own = '  annotations:\n    mldeploy-lint.io/model-size-gb: "16"\n'
    (chdir_tmp / "vllm.yaml").write_text(DEPLOYMENT.format(own=own, template=""))
    (deployment,), _ = _explain(cli, "vllm.yaml")
    assert _size(deployment)["value"] == 16
    assert _size(deployment)["note"] == "annotation mldeploy-lint.io/model-size-gb of Deployment vllm"


def test_kubernetes_annotation_on_the_pod_template(cli, chdir_tmp):
    template = '      annotations:\n        mldeploy-lint.io/model-size-gb: "16"\n'
    (chdir_tmp / "vllm.yaml").write_text(DEPLOYMENT.format(own="", template=template))
    (deployment,), _ = _explain(cli, "vllm.yaml")
    assert _size(deployment)["value"] == 16
    assert "pod template of Deployment vllm" in _size(deployment)["note"]


def test_kubernetes_invalid_value_is_md004(cli, chdir_tmp):
    own = '  annotations:\n    mldeploy-lint.io/model-size-gb: "huge"\n'
    (chdir_tmp / "vllm.yaml").write_text(DEPLOYMENT.format(own=own, template=""))
    findings = json.loads(_lint(cli, "vllm.yaml").out)["findings"]
    (md004,) = [finding for finding in findings if finding["rule"] == "MD004"]
    assert "model-size-gb must be a number, got 'huge'" in md004["message"]


def test_ack_annotation(cli, chdir_tmp):
    (chdir_tmp / "ack.yaml").write_text(ACK_ENDPOINT_CONFIG.format(value="93.4"))
    deployments, _ = _explain(cli, "ack.yaml")
    (deployment,) = [item for item in deployments if "model_size_gb" in item.get("profile", {})]
    assert _size(deployment)["value"] == 93.4
    assert _size(deployment)["how"] == "declared"


def test_sagemaker_api_tags(cli, chdir_tmp):
    document = dict(API_ENDPOINT_CONFIG, Tags=[{"Key": "mldeploy-lint:model-size-gb", "Value": "26"}])
    (chdir_tmp / "create-endpoint-config.json").write_text(json.dumps(document, indent=2))
    (deployment,), _ = _explain(cli, "create-endpoint-config.json")
    assert _size(deployment)["value"] == 26
    assert _size(deployment)["how"] == "declared"


def test_text_explain_shows_the_declared_size(cli, chdir_tmp):
    (chdir_tmp / "llm.yaml").write_text(ENDPOINT_CONFIG.format(metadata=METADATA.format(value=140), tags=""))
    result = cli("explain", "--deployments", "llm.yaml")
    assert "    model_size_gb: 140  [declared: Metadata mldeploy-lint.workload of LlmConfig] llm.yaml:7:26" in result.out

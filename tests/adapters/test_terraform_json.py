"""The Terraform adapter's JSON syntax (`*.tf.json`): objects and `${...}` strings read as native expressions."""

from __future__ import annotations

import json
from pathlib import Path

from linter.api import lint_paths
from test_intrinsics_hostile import within

ENDPOINT = {
    "variable": {
        "instance_type": {"type": "string", "default": "ml.g5.xlarge"},
        "count": {"type": "number", "default": "2"},
        "variant": {"type": "object({\n  name = optional(string, \"AllTraffic\")\n})", "default": {}},
    },
    "locals": {"prefix": "demo"},
    "resource": {
        "aws_sagemaker_model": {"m": {"name": "${local.prefix}-model", "primary_container": {"image": "nginx:1", "environment": {"SM_MODEL_DIR": "/opt/ml"}}}},
        "aws_sagemaker_endpoint_configuration": {
            "c": {
                "production_variants": {
                    "variant_name": "${var.variant.name}",
                    "model_name": "${aws_sagemaker_model.m.name}",
                    "instance_type": "${var.instance_type}",
                    "initial_instance_count": "${var.count}",
                },
                "//": "a comment",
            }
        },
        "aws_sagemaker_endpoint": {"e": {"name": "$${literal}-${local.prefix}", "endpoint_config_name": "${aws_sagemaker_endpoint_configuration.c.name}"}},
    },
}


def test_a_json_module_reads_like_a_native_one(tmp_path: Path):
    (tmp_path / "main.tf.json").write_text(json.dumps(ENDPOINT, indent=2))
    (tmp_path / "terraform.tfvars.json").write_text('{"count": 3}')
    result = lint_paths([str(tmp_path)])
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    (deployment,) = result.deployments
    assert deployment.name.value == "${literal}-demo"  # `$${` is a literal `${`
    (unit,) = deployment.units
    assert unit.name.value == "AllTraffic"  # optional() of a type written as a string
    assert unit.compute.instance_type.value == "ml.g5.xlarge"
    assert unit.count.value == 3
    assert unit.model_names == ("demo-model",)
    assert dict(deployment.models[0].environment)["SM_MODEL_DIR"].value == "/opt/ml"  # a map, not a block
    assert unit.compute.instance_type.span.path.endswith("main.tf.json") and unit.compute.instance_type.span.line > 1


def test_a_json_module_calls_a_native_one(tmp_path: Path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text(
        'variable "type" {}\nresource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n'
        '    variant_name = "v"\n    instance_type = var.type\n    initial_instance_count = 1\n  }\n}\n'
    )
    (tmp_path / "main.tf.json").write_text(json.dumps({"module": {"child": {"source": "./child", "type": "ml.m5.large"}}}))
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert deployment.units[0].compute.instance_type.value == "ml.m5.large"


def test_hostile_json_is_bounded(tmp_path: Path):
    many = {f"l{index}": "${local.l" + str(index + 1) + "}" for index in range(5000)}
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "locals": many,
        "resource": {"aws_sagemaker_endpoint": {"e": {"name": "${", "endpoint_config_name": "%{ if true }x%{ endif }", "tags": {"${x}": 1}}}},
        "variable": {"v": {"type": "map(string)\nresource \"x\" \"y\" {}"}},
    }))
    with within(4):
        result = lint_paths([str(tmp_path)])
    assert [finding.rule_id for finding in result.findings if finding.rule_id in ("MD001", "MD002")] == []

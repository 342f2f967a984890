"""The Terraform adapter: loading with positions, evaluation of a module's values, links, and hostile input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from linter import LoadLimits, Provenance
from linter.api import lint_paths, lint_text
from plugins.adapters.terraform.hcl import load_hcl
from test_intrinsics_hostile import within

ENDPOINT = '''
variable "instance_type" {
  type    = string
  default = "ml.g5.xlarge"
}

variable "variant" {
  type = object({
    name  = optional(string, "AllTraffic")
    count = optional(number)
  })
  default = {}
}

locals {
  prefix = "demo"
  count  = coalesce(var.variant.count, 2)
}

resource "aws_sagemaker_model" "m" {
  name = "${local.prefix}-model"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1-tgi1.4-gpu-py310-cu121-ubuntu22.04"
  }
}

resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = var.variant.name
    model_name             = aws_sagemaker_model.m.name
    instance_type          = var.instance_type
    initial_instance_count = local.count
  }
}

resource "aws_sagemaker_endpoint" "e" {
  name                 = "${local.prefix}-endpoint"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name
}

resource "aws_appautoscaling_target" "t" {
  min_capacity       = 2
  max_capacity       = 4
  resource_id        = "endpoint/${aws_sagemaker_endpoint.e.name}/variant/${var.variant.name}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  service_namespace  = "sagemaker"
}

resource "aws_appautoscaling_policy" "p" {
  name               = "invocations"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.t.resource_id
  scalable_dimension = aws_appautoscaling_target.t.scalable_dimension
  service_namespace  = aws_appautoscaling_target.t.service_namespace
  target_tracking_scaling_policy_configuration {
    target_value = 70
    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
'''


def _deployment(result):
    assert len(result.deployments) == 1, result.deployments
    return result.deployments[0]


def test_a_module_reads_into_one_linked_deployment():
    result = lint_text(ENDPOINT, "main.tf")
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    deployment = _deployment(result)
    assert deployment.id == "main.tf#aws_sagemaker_endpoint.e"
    assert deployment.name.value == "demo-endpoint"
    (unit,) = deployment.units
    assert unit.name.value == "AllTraffic"
    assert unit.compute.instance_type.value == "ml.g5.xlarge"
    assert unit.compute.instance_type.span.line == 31  # the argument, not the variable
    assert unit.compute.instance_type.related[0][1] == "ml.g5.xlarge is the default of variable instance_type"
    assert unit.compute.instance_type.related[0][0].line == 4
    assert unit.count.value == 2  # coalesce over an optional() attribute left null
    assert unit.model_names == ("demo-model",)
    assert deployment.models[0].framework.known
    (scaling,) = unit.scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 4)
    (policy,) = scaling.policies
    assert policy.metric.value == "SageMakerVariantInvocationsPerInstance"
    (target,) = result.scaling_targets
    assert target.status.value == "linked"


def test_auto_loaded_tfvars_override_defaults_and_a_stage_file_overrides_them(tmp_path: Path):
    (tmp_path / "main.tf").write_text(ENDPOINT)
    (tmp_path / "terraform.tfvars").write_text('instance_type = "ml.c5.xlarge"\n')
    unit = _deployment(lint_paths([str(tmp_path)])).units[0]
    assert unit.compute.instance_type.value == "ml.c5.xlarge"
    assert "terraform.tfvars" in unit.compute.instance_type.related[0][1]
    assert unit.compute.instance_type.related[0][0].path.endswith("terraform.tfvars")
    (tmp_path / "prod.tfvars").write_text('instance_type = "ml.p3.2xlarge"\n')  # passed with -var-file: a stage file
    deployment = _deployment(lint_paths([str(tmp_path)]))
    assert deployment.variant.value == "prod.tfvars"
    assert deployment.units[0].compute.instance_type.value == "ml.p3.2xlarge"


def test_count_zero_drops_a_resource_and_an_undecided_condition_keeps_both_options():
    text = ENDPOINT.replace(
        'resource "aws_appautoscaling_target" "t" {',
        'variable "autoscale" {\n  default = false\n}\nresource "aws_appautoscaling_target" "t" {\n  count = var.autoscale ? 1 : 0',
    ).replace("aws_appautoscaling_target.t.", "aws_appautoscaling_target.t[0].")
    text = text.replace('instance_type          = var.instance_type', 'instance_type          = var.big ? "ml.g5.12xlarge" : "ml.g5.xlarge"')
    text += 'variable "big" {\n  type = bool\n}\n'
    result = lint_text(text, "main.tf")
    unit = _deployment(result).units[0]
    assert unit.scaling == ()
    assert result.scaling_targets == ()
    instance = unit.compute.instance_type
    assert not instance.known and set(instance.options) == {"ml.g5.12xlarge", "ml.g5.xlarge"}
    assert "var.big" in instance.note


def test_merge_lookup_try_and_interpolation():
    text = '''
locals {
  base  = { instance = "ml.m5.large", count = 1 }
  tags  = merge(local.base, { count = 3 })
  name  = try(local.base.missing, "fallback")
  kind  = lookup(local.tags, "instance", "ml.t2.medium")
}
resource "aws_sagemaker_endpoint_configuration" "c" {
  name = "cfg-${local.name}"
  production_variants {
    variant_name           = "v-${local.tags.count}"
    instance_type          = local.kind
    initial_instance_count = local.tags["count"]
  }
}
'''
    deployment = _deployment(lint_text(text, "main.tf"))
    (unit,) = deployment.units
    assert (unit.name.value, unit.compute.instance_type.value, unit.count.value) == ("v-3", "ml.m5.large", 3)
    assert deployment.name.value == "cfg-fallback"


def test_unknown_values_are_unknown_with_a_reason_never_guessed():
    text = '''
resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = data.aws_ssm_parameter.v.value
    instance_type          = upper(var.nothing)
    initial_instance_count = [for x in var.list : x][0]
  }
}
'''
    (unit,) = _deployment(lint_text(text, "main.tf")).units
    assert "data source" in unit.name.note  # a name keeps its text, unknown parts shown as written
    assert not unit.compute.instance_type.known and "not declared" in unit.compute.instance_type.note
    assert not unit.count.known and unit.count.span is not None


def test_a_syntax_error_is_md001_at_the_parser_position():
    result = lint_text('resource "aws_sagemaker_endpoint" "e" {\n  name = "x"\n  config = = 3\n}\n', "main.tf")
    (finding,) = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert (finding.span.line, finding.span.column) == (3, 12)
    assert "HCL syntax error" in finding.message


def test_positions_count_characters_not_bytes():
    source = load_hcl("main.tf", 'locals {\n  x = "é€"\n  y = 1\n  z = "é€" == "" ? 1 : 2\n}\n', LoadLimits())
    locals_ = source.documents[0].root.get("locals")
    assert locals_.get("x").span.end_column == 11
    assert locals_.get("z").expression.if_true.span.column == 20


def test_columns_count_characters_on_each_line_that_needs_it():
    # a tab is one character, a 4-byte character one; a span may start on an ASCII line and end on another
    text = 'locals {\n\tx = "😀"\n\ty = "é" == "" ? "😀€" : [var.a, "b"]\n  z = 1\n  w = [\n    "é", "x"]\n}\n'
    locals_ = load_hcl("main.tf", text, LoadLimits()).documents[0].root.get("locals")
    x, y = locals_.get("x").span, locals_.get("y").expression
    assert (x.line, x.column, x.end_column) == (2, 6, 9)
    assert locals_.key_node("y").span.column == 2
    assert (y.if_true.span.column, y.if_true.span.end_column) == (18, 22)
    assert (y.if_false.span.column, y.if_false.span.end_column) == (25, 37)
    assert (y.if_false.items[1].span.column, y.if_false.items[1].span.end_column) == (33, 36)
    assert (locals_.get("z").span.column, locals_.get("z").span.end_column) == (7, 8)
    w = locals_.get("w").span
    assert (w.line, w.column, w.end_line, w.end_column) == (5, 7, 6, 14)


def test_nesting_too_deep_is_located_in_characters_and_extra_closers_do_not_count():
    source = load_hcl("main.tf", 'locals {\n  y = ")]"\n  é = [[{ a = (1) }]]\n}\n', LoadLimits(max_depth=3))
    (problem,) = source.problems
    assert "nesting deeper than 3" in problem.message
    assert (problem.span.line, problem.span.column) == (3, 15)


def test_json_variables_files_are_values_of_the_module(tmp_path: Path):
    (tmp_path / "main.tf").write_text(ENDPOINT)
    (tmp_path / "terraform.tfvars.json").write_text('{"instance_type": "ml.c6i.large"}')
    unit = _deployment(lint_paths([str(tmp_path)])).units[0]
    assert unit.compute.instance_type.value == "ml.c6i.large"


# --- hostile input --------------------------------------------------------------------


def _variant_count(expression: str, locals_text: str) -> object:
    text = f'''
locals {{
{locals_text}
}}
resource "aws_sagemaker_endpoint_configuration" "c" {{
  production_variants {{
    variant_name           = "v"
    instance_type          = "ml.m5.large"
    initial_instance_count = {expression}
  }}
}}
'''
    result = lint_text(text, "main.tf")
    assert [finding.message for finding in result.findings if finding.rule_id in ("MD001", "MD002")] == []
    return _deployment(result).units[0].count


def test_a_cycle_among_locals_is_unknown():
    with within():
        count = _variant_count("local.a", "  a = local.b\n  b = local.c\n  c = local.a\n")
    assert not count.known and "cycle" in count.note


def test_a_self_referencing_resource_attribute_is_unknown():
    text = '''
resource "aws_sagemaker_endpoint" "a" {
  name                 = aws_sagemaker_endpoint.b.name
  endpoint_config_name = "x"
}
resource "aws_sagemaker_endpoint" "b" {
  name                 = aws_sagemaker_endpoint.a.name
  endpoint_config_name = "y"
}
'''
    with within():
        result = lint_text(text, "main.tf")
    names = [deployment.name for deployment in result.deployments]
    assert len(names) == 2 and all("cycle" in name.note for name in names)


def test_an_exponential_chain_of_locals_stays_linear():
    chain = "  a0 = \"xx\"\n" + "".join(f'  a{n} = "${{local.a{n - 1}}}${{local.a{n - 1}}}"\n' for n in range(1, 60))
    with within(2):
        count = _variant_count("length(local.a59)", chain)
    assert not count.known and "longer than" in count.note


def test_a_long_chain_of_locals_needs_no_recursion():
    chain = "  a0 = 3\n" + "".join(f"  a{n} = local.a{n - 1}\n" for n in range(1, 5000))
    with within(5):
        count = _variant_count("local.a4999", chain)
    assert count.value == 3


def test_deep_nesting_is_refused_located():
    text = "locals {\n  x = " + "[" * 5000 + "]" * 5000 + "\n}\n"
    with within(2):
        result = lint_text(text, "main.tf")
    (finding,) = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert "nesting deeper" in finding.message and finding.span.line == 2


def test_deep_parentheses_within_the_limit_do_not_overflow():
    text = "locals {\n  x = " + "(" * 150 + "1" + ")" * 150 + "\n}\n"
    count = _variant_count("local.x", text.split("\n", 1)[1].rsplit("}", 1)[0])
    assert count.value == 1


def test_a_huge_for_each_is_bounded():
    text = '''
locals {
  many = { for i in range(100000) : i => i }
}
resource "aws_sagemaker_endpoint_configuration" "c" {
  dynamic "production_variants" {
    for_each = local.many
    content {
      variant_name = production_variants.key
    }
  }
}
'''
    with within(2):
        result = lint_text(text, "main.tf")
    assert [finding.rule_id for finding in result.findings if finding.rule_id == "MD002"] == []


def test_linting_yaml_does_not_import_the_hcl_parser(tmp_path: Path):
    endpoint = Path(__file__).resolve().parent.parent / "fixtures" / "startup" / "endpoint.yaml"
    (tmp_path / "yaml").mkdir()
    (tmp_path / "terraform").mkdir()
    (tmp_path / "yaml" / "endpoint.yaml").write_text(endpoint.read_text())
    (tmp_path / "terraform" / "main.tf").write_text(ENDPOINT)
    check = "import sys; from linter.api import lint_paths; lint_paths([sys.argv[1]]); print('tree_sitter' in sys.modules)"
    yaml_only = subprocess.run([sys.executable, "-c", check, str(tmp_path / "yaml" / "endpoint.yaml")], capture_output=True, text=True, check=True, cwd=tmp_path)
    terraform = subprocess.run([sys.executable, "-c", check, str(tmp_path / "terraform" / "main.tf")], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert yaml_only.stdout.strip() == "False"
    assert terraform.stdout.strip() == "True"


def test_a_module_is_judged_once_per_stage_tfvars_file(tmp_path: Path):
    (tmp_path / "main.tf").write_text(ENDPOINT.replace("initial_instance_count = local.count", "initial_instance_count = var.count"))
    (tmp_path / "variables.tf").write_text('variable "count" {\n  type = number\n}\n')
    (tmp_path / "prod.tfvars").write_text('count = "1"\n')
    (tmp_path / "pre-prod.tfvars.json").write_text('{"count": "3", "unknown_to_the_module": 1}')
    (tmp_path / "other.tfvars").write_text('nothing_declared = 1\n')  # sets no variable of the module: not its stage file
    result = lint_paths([str(tmp_path)])
    by_stage = {deployment.variant.value: deployment for deployment in result.deployments}
    assert sorted(by_stage) == ["pre-prod.tfvars.json", "prod.tfvars"]
    assert by_stage["prod.tfvars"].environment.value.value == "prod"
    assert by_stage["pre-prod.tfvars.json"].environment.value.value == "staging"
    assert by_stage["prod.tfvars"].units[0].count.value == 1  # a string count, typed by the variable
    assert by_stage["pre-prod.tfvars.json"].units[0].count.value == 3
    assert {target.variant for target in result.scaling_targets} == {"prod.tfvars", "pre-prod.tfvars.json"}


def test_suppression_comments_in_terraform(tmp_path: Path):
    parity = Path(__file__).resolve().parent.parent / "fixtures" / "parity" / "endpoints.tf"
    text = parity.read_text().replace(
        'resource "aws_sagemaker_endpoint" "fraud" {',
        'resource "aws_sagemaker_endpoint" "fraud" { # mldeploy-lint: disable=AS001,HA001 -- a scheduled job sets the capacity',
    ).replace(
        "    instance_type          = var.instance_type",
        "    instance_type          = var.instance_type # mldeploy-lint: disable=CP001 -- GPU predictor",
    )
    (tmp_path / "main.tf").write_text(text)
    result = lint_paths([str(tmp_path)])
    open_findings = sorted(finding.rule_id for finding in result.findings if finding.suppression is None)
    assert open_findings == ["AS002", "EP001"]


def test_double_slash_suppression_comments(tmp_path: Path):
    parity = Path(__file__).resolve().parent.parent / "fixtures" / "parity" / "endpoints.tf"
    text = parity.read_text().replace(
        'resource "aws_sagemaker_endpoint" "fraud" {',
        '// mldeploy-lint: disable=CP001 -- GPU predictor\n// (measured)\nresource "aws_sagemaker_endpoint" "fraud" {',
    ).replace(
        '    initial_instance_count = 1\n',
        '    initial_instance_count = 1 // mldeploy-lint: disable=HA001 -- a scheduled job sets the capacity\n',
    )
    (tmp_path / "main.tf").write_text(text)
    result = lint_paths([str(tmp_path)])
    suppressed = sorted(finding.rule_id for finding in result.findings if finding.suppression is not None)
    assert suppressed == ["CP001", "HA001"]


def test_a_called_module_is_judged_once_per_call_with_its_arguments(tmp_path: Path):
    child = tmp_path / "modules" / "endpoint"
    child.mkdir(parents=True)
    (child / "main.tf").write_text(ENDPOINT)
    (child / "terraform.tfvars").write_text('instance_type = "ml.p4d.24xlarge"\n')  # the root module's only
    caller = tmp_path / "live"
    caller.mkdir()
    (caller / "main.tf").write_text(
        'module "small" {\n  source        = "../modules/endpoint"\n  instance_type = "ml.c5.large"\n}\n'
        'module "large" {\n  source        = "../modules/endpoint"\n  instance_type = "ml.g5.12xlarge"\n  variant       = { name = "Blue" }\n}\n'
        'module "off" {\n  source = "../modules/endpoint"\n  count  = 0\n}\n'
        'module "registry" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
    )
    result = lint_paths([str(tmp_path)])
    by_call = {deployment.variant.value: deployment for deployment in result.deployments}
    assert sorted(by_call) == ["module.large (../../live/main.tf)", "module.small (../../live/main.tf)"]
    small, large = by_call["module.small (../../live/main.tf)"], by_call["module.large (../../live/main.tf)"]
    assert small.units[0].compute.instance_type.value == "ml.c5.large"
    assert small.units[0].compute.instance_type.span.path.endswith("modules/endpoint/main.tf")
    assert "argument instance_type of module small" in small.units[0].compute.instance_type.related[0][1]
    assert large.units[0].name.value == "Blue"  # an object argument, optional() attributes filled
    assert large.units[0].compute.instance_type.value == "ml.g5.12xlarge"
    assert large.units[0].scaling[0].min_capacity.value == 2  # the target's resource_id names the variant Blue too
    assert small.variant.span.path.endswith("live/main.tf")


def test_json_syntax_configuration_is_not_misread(tmp_path: Path):
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"aws_sagemaker_endpoint_configuration": {"c": {"production_variants": '
        '[{"variant_name": "v", "instance_type": "${var.type}", "initial_instance_count": "${var.count}"}]}}}}'
    )
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert not deployment.units[0].compute.instance_type.known  # var.type is not declared: unknown, never guessed
    assert [finding for finding in result.findings if finding.rule_id.startswith(("MD", "CV"))] == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "\ufeffresource \"aws_sagemaker_endpoint\" \"e\" {}\r\n",
        'locals {\n  x = <<EOT\nunterminated\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  count = 1e308 * 10\n  production_variants {}\n}\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  count = 99999999999999999999\n}\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  count = -1\n}\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    initial_instance_count = 1 / 0\n    instance_type = "a" < 1\n    variant_name = "${null}"\n  }\n}\n',
        'locals {\n  a = local.a\n  b = { (local.a) = 1 }\n  c = [for k in local.b : k][0]\n}\n',
        'resource "aws_sagemaker_endpoint" "e" {\n  name = templatefile("/etc/passwd", {})\n  endpoint_config_name = file("../../secrets")\n}\n',
        'x = provider::kubernetes::manifest_decode(file("a.yaml"))\n',
        '\x00\x01binary',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  dynamic "production_variants" {\n    for_each = 5\n    content {}\n  }\n}\n',
    ],
)
def test_odd_input_never_fails_the_plugin(text: str):
    with within(2):
        result = lint_text(text, "main.tf")
    assert [finding.message for finding in result.findings if finding.rule_id == "MD002"] == []


def test_a_chain_of_counts_through_resources_stays_linear():
    text = 'resource "aws_sagemaker_model" "m0" {\n  count = 1\n  name = "m"\n}\n' + "".join(
        f'resource "aws_sagemaker_model" "m{n}" {{\n  count = length(aws_sagemaker_model.m{n - 1}[0].name) > 0 ? 1 : 0\n  name = aws_sagemaker_model.m{n - 1}[0].name\n}}\n'
        for n in range(1, 40)
    ) + 'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    variant_name = "v"\n    model_name = aws_sagemaker_model.m39[0].name\n  }\n}\n'
    with within(2):
        deployment = _deployment(lint_text(text, "main.tf"))
    assert deployment.units[0].model_names == ("m",)


def test_template_text_keeps_its_whitespace_and_escapes():
    source = load_hcl(
        "main.tf",
        'locals {\n  a = "a ${local.x} b  c "\n  e = "tab\\there $${not} %%{not}"\n  h = <<EOT\n  kept ${local.x}\nEOT\n  i = <<-EOT\n    indented\n      more\n    EOT\n}\n',
        LoadLimits(),
    )
    locals_ = source.documents[0].root.get("locals")
    assert [part for part in locals_.get("a").expression.parts if isinstance(part, str)] == ["a ", " b  c "]
    assert locals_.get("e").expression.value == "tab\there ${not} %{not}"
    assert locals_.get("h").expression.parts[0] == "  kept "
    assert locals_.get("i").expression.value == "indented\n  more\n"


def test_a_target_naming_an_endpoint_of_another_file_is_looked_for_in_the_run(tmp_path: Path):
    (tmp_path / "endpoint.yaml").write_text(
        (Path(__file__).resolve().parent.parent / "fixtures" / "parity" / "endpoints.yaml").read_text()
    )
    (tmp_path / "scaling").mkdir()
    (tmp_path / "scaling" / "main.tf").write_text(
        'resource "aws_appautoscaling_target" "t" {\n  service_namespace = "sagemaker"\n'
        '  resource_id = "endpoint/fraud-scoring/variant/AllTraffic"\n'
        '  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"\n  min_capacity = 2\n  max_capacity = 4\n}\n'
        'resource "aws_appautoscaling_target" "nowhere" {\n  service_namespace = "sagemaker"\n'
        '  resource_id = "endpoint/no-such-endpoint/variant/AllTraffic"\n'
        '  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"\n  min_capacity = 1\n  max_capacity = 2\n}\n'
    )
    result = lint_paths([str(tmp_path)])
    statuses = {target.resource_id.value: target for target in result.scaling_targets if target.span.path.endswith(".tf")}
    found = statuses["endpoint/fraud-scoring/variant/AllTraffic"]
    assert found.status.value == "elsewhere-in-run" and found.refers_to
    missing = statuses["endpoint/no-such-endpoint/variant/AllTraffic"]
    assert missing.status.value == "no-such-deployment" and missing.searched_run


def test_the_suppression_edit_excuses_each_finding_and_inserts_only():
    from plugins.adapters.terraform import mldeploy_suppression_edit

    parity = Path(__file__).resolve().parent.parent / "fixtures" / "parity" / "endpoints.tf"
    text = parity.read_text()
    findings = [finding for finding in lint_text(text, "main.tf").findings if not finding.rule_id.startswith("MD")]
    assert findings
    for finding in findings:
        document = load_hcl("main.tf", text, LoadLimits()).documents[0]
        edit = mldeploy_suppression_edit(document, finding.span, finding.rule_id, "accepted\nfor now")
        assert edit is not None, finding
        lines = text.split("\n")
        offset = sum(len(line) + 1 for line in lines[: edit.line - 1]) + edit.column - 1
        fixed = text[:offset] + edit.text + text[offset:]
        after = lint_text(fixed, "main.tf").findings
        assert not [item for item in after if item.rule_id in ("MD001", "MD003")]
        assert [item for item in after if item.rule_id == finding.rule_id and item.suppression is not None and item.suppression.justification == "accepted for now"]


# --- a pre-commit run given only a tfvars file --------------------------------------------------

UNSCALED = '''
variable "stage" {
  type = string
}

variable "instances" {
  type    = number
  default = 1
}

resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = "AllTraffic"
    model_name             = "scorer"
    instance_type          = "ml.c5.xlarge"
    initial_instance_count = var.instances
  }
  tags = {
    Environment = var.stage
  }
}
'''

STAGED_MODULE = {
    "main.tf": UNSCALED,
    "prod.tfvars": 'stage = "production"\n',
    "dev.tfvars": 'stage = "dev"\n',
}


def _module(tmp_path, files: dict) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_stage_file_linted_alone_judges_its_module_with_that_stage(tmp_path):
    module = _module(tmp_path, STAGED_MODULE)
    alone = lint_paths([str(module / "prod.tfvars")])
    assert alone.findings and all(finding.path == str(module / "main.tf") for finding in alone.findings)
    assert all(finding.message.endswith("(with prod.tfvars)") for finding in alone.findings)
    whole = lint_paths([str(module)])
    assert {(f.rule_id, f.span.line) for f in alone.findings} <= {(f.rule_id, f.span.line) for f in whole.findings}
    assert "HA001" in {finding.rule_id for finding in alone.findings}
    assert "HA001" not in {finding.rule_id for finding in lint_paths([str(module / "dev.tfvars")]).findings}


def test_a_stage_file_linted_with_its_module_adds_nothing_twice(tmp_path):
    module = _module(tmp_path, STAGED_MODULE)
    both = lint_paths([str(module / "prod.tfvars"), str(module / "main.tf")])
    whole = lint_paths([str(module)])
    assert sorted((f.rule_id, f.span.line, f.message) for f in both.findings) == sorted(
        (f.rule_id, f.span.line, f.message) for f in whole.findings
    )


def test_an_auto_loaded_tfvars_linted_alone_judges_the_module_once(tmp_path):
    module = _module(tmp_path, {"main.tf": UNSCALED, "terraform.tfvars": 'stage = "production"\n'})
    alone = lint_paths([str(module / "terraform.tfvars")])
    whole = lint_paths([str(module)])
    assert alone.findings
    assert sorted((f.rule_id, f.span.line, f.message) for f in alone.findings) == sorted(
        (f.rule_id, f.span.line, f.message) for f in whole.findings
    )


def test_the_readers_types_written_out_are_the_readers_own():
    # plugins/adapters/terraform/__init__.py and hosting.py name them so that a module holding none of
    # them does not import the reader.
    from plugins.adapters import terraform
    from plugins.adapters.terraform import compute, ecs, hosting, workflows

    assert terraform.COMPUTE_TYPES == compute.COMPUTE_TYPES
    assert terraform.WORKFLOW_TYPES == workflows.WORKFLOW_TYPES
    assert hosting.ECS_TYPES == ecs.ECS_TYPES


TERRAFORM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "terraform"


@pytest.mark.parametrize(
    "directory",
    sorted({path.parent for path in TERRAFORM_FIXTURES.rglob("*.tf")}) + [None],
    ids=lambda directory: "endpoint" if directory is None else str(directory.relative_to(TERRAFORM_FIXTURES)),
)
def test_a_reader_left_unimported_has_nothing_to_read(directory, tmp_path):
    # What `module_items` and `hosting._module_ecs` skip when a module holds none of a reader's resource
    # types and no `module` block is what the reader would have found: nothing.
    from plugins.adapters import terraform
    from plugins.adapters.terraform import hosting
    from plugins.adapters.terraform.compute import module_compute_items
    from plugins.adapters.terraform.ecs import module_ecs
    from plugins.adapters.terraform.module import build_module, module_blocks
    from plugins.adapters.terraform.workflows import module_workflow_items

    if directory is None:
        (tmp_path / "main.tf").write_text(ENDPOINT, encoding="utf-8")
        directory = tmp_path
    documents = []
    for file in sorted(directory.glob("*.tf")):
        documents.extend(load_hcl(str(file), file.read_text(encoding="utf-8"), LoadLimits()).documents)
    module = build_module(str(directory), documents, [])
    types = {resource.type for resource in module.resources}
    calls = bool(module_blocks(module))
    if not types & terraform.COMPUTE_TYPES and not calls:
        assert module_compute_items(module) == {}
    if not types & terraform.WORKFLOW_TYPES:
        assert module_workflow_items(module) == {}
    if not types & hosting.ECS_TYPES and not calls:
        assert module_ecs(module) == ([], {})
    # Either way the module reads as it did with every reader called.
    everything = hosting.module_items(module)
    for extra in (module_compute_items(module), module_workflow_items(module)):
        for path, found in extra.items():
            everything.setdefault(path, []).extend(found)
    assert terraform.module_items(module) == everything


def _findings(result, rule_id: str) -> list:
    return [finding for finding in result.findings if finding.rule_id == rule_id]


def test_profile_tags_of_hosting_resources_are_read_and_their_problems_reported(tmp_path: Path):
    text = ENDPOINT.replace(
        "    initial_instance_count = local.count\n  }\n",
        '    initial_instance_count = local.count\n  }\n  tags = {\n    "mldeploy-lint:payload-mb" = "lots"\n'
        '    "mldeploy-lint:bogus"      = "1"\n    "mldeploy-lint:traffic"    = "bursty"\n  }\n',
    ).replace(
        '  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name\n',
        '  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name\n  tags = { "mldeploy-lint:latency-ms" = "fast" }\n',
    )
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / "prod.tfvars").write_text('instance_type = "ml.g5.2xlarge"\n')
    (tmp_path / "dev.tfvars").write_text('instance_type = "ml.g5.xlarge"\n')
    result = lint_paths([str(tmp_path)])
    problems = _findings(result, "MD004")
    lines = text.splitlines()
    # Once each, however many stages read the module, at the tags argument of the resource that writes them.
    assert sorted((finding.span.line, finding.message.split(": ", 1)[1]) for finding in problems) == sorted([
        (lines.index("  tags = {") + 1, "payload-mb must be a number, got 'lots'"),
        (lines.index("  tags = {") + 1, "unknown workload profile key 'bogus' (known keys: payload-mb, latency-ms, traffic, "
         "requests-per-day, environment, urgency, model-size-gb)"),
        (lines.index('  tags = { "mldeploy-lint:latency-ms" = "fast" }') + 1, "latency-ms must be a number, got 'fast'"),
    ])
    assert all("Terraform resource aws_sagemaker_endpoint" in finding.message for finding in problems)
    # The valid tag still declares the profile.
    assert {deployment.profile.traffic.value for deployment in result.deployments} == {"bursty"}


def test_variants_beyond_what_sagemaker_accepts_are_md001_at_the_first_left_out():
    variant = (
        "  production_variants {{\n    variant_name = \"v{index}\"\n    model_name = aws_sagemaker_model.m.name\n"
        "    instance_type = \"ml.c5.xlarge\"\n    initial_instance_count = 2\n  }}\n"
    )
    variants = "".join(variant.format(index=index) for index in range(12))
    text = (
        'resource "aws_sagemaker_model" "m" {\n  name = "m"\n  primary_container {\n'
        '    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"\n  }\n}\n'
        f'resource "aws_sagemaker_endpoint_configuration" "c" {{\n{variants}}}\n'
        'resource "aws_sagemaker_endpoint" "e" {\n  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name\n}\n'
    )
    result = lint_text(text, "main.tf")
    (problem,) = _findings(result, "MD001")
    assert problem.message.startswith("12 ProductionVariants, where SageMaker accepts at most 10"), problem.message
    assert problem.message.endswith("only the first 10 are linted"), problem.message
    # At the first block left out: the line before its variant_name.
    assert (problem.span.line, problem.span.column) == (text.splitlines().index('    variant_name = "v10"'), 3)
    assert len(result.deployments[0].units) == 10


@pytest.mark.parametrize(
    ("tags", "problems"),
    [
        ("null", 0),
        ("5", 0),
        ('"x"', 0),
        ("[1, 2]", 0),
        ('{ "mldeploy-lint:payload-mb" = null }', 0),  # a null tag is not written
        ('{ "mldeploy-lint:payload-mb" = var.p }', 0),  # not decided by the module: left out
        ('{ "mldeploy-lint:payload-mb" = { a = 1 } }', 1),
        ('merge({ "mldeploy-lint:payload-mb" = "1e400" }, {})', 1),
        ('{ "mldeploy-lint:\\u0007bad" = "1" }', 1),
    ],
)
def test_odd_profile_tags_of_hosting_resources_are_problems_or_nothing(tags: str, problems: int):
    text = (
        'variable "p" {\n  type = string\n}\n'
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    variant_name = "v"\n'
        '    model_name = "m"\n    instance_type = "ml.c5.xlarge"\n    initial_instance_count = 2\n  }\n'
        f"  tags = {tags}\n}}\n"
    )
    result = lint_text(text, "main.tf")
    assert not [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert len(_findings(result, "MD004")) == problems
    assert len(result.deployments) == 1


def test_a_for_each_target_and_policy_scale_each_variant_they_name():
    # One target and one policy written for several variants: each instance is read with its `each.key`,
    # so each names its variant, and each policy instance drives the target instance it references.
    variants = ENDPOINT.replace(
        '''resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = var.variant.name
    model_name             = aws_sagemaker_model.m.name
    instance_type          = var.instance_type
    initial_instance_count = local.count
  }
}''',
        '''resource "aws_sagemaker_endpoint_configuration" "c" {
  dynamic "production_variants" {
    for_each = { blue = 2, green = 1 }
    content {
      variant_name           = production_variants.key
      model_name             = aws_sagemaker_model.m.name
      instance_type          = var.instance_type
      initial_instance_count = production_variants.value
    }
  }
  tags = { Environment = "production" }
}''',
    )
    variants = variants.replace(
        'resource "aws_appautoscaling_target" "t" {\n', 'resource "aws_appautoscaling_target" "t" {\n  for_each           = toset(["blue", "green"])\n'
    ).replace(
        'resource "aws_appautoscaling_policy" "p" {\n', 'resource "aws_appautoscaling_policy" "p" {\n  for_each           = toset(["blue", "green"])\n'
    ).replace('/variant/${var.variant.name}"', '/variant/${each.key}"').replace("aws_appautoscaling_target.t.", "aws_appautoscaling_target.t[each.key].")
    result = lint_text(variants, "main.tf")
    (deployment,) = result.deployments
    assert deployment.is_production
    assert [(target.status.value, target.unit_name) for target in result.scaling_targets] == [("linked", "blue"), ("linked", "green")]
    for unit in deployment.units:
        (scaling,) = unit.scaling
        assert scaling.linked_by == f'resource_id of aws_appautoscaling_target.t["{unit.name.value}"]'
        assert [policy.metric.value for policy in scaling.policies] == ["SageMakerVariantInvocationsPerInstance"]
    assert not [finding for finding in result.findings if finding.rule_id in ("HA001", "AS001", "AS007")]


def test_a_counted_target_of_one_instance_is_driven_by_the_policy_naming_its_index():
    # count = 1 is read once; the policy names the instance, t[0] (the registry modules' pattern). The
    # endpoint's name is known only after apply, so the policy finds its target by the reference alone.
    text = ENDPOINT.replace('name                 = "${local.prefix}-endpoint"', 'name                 = "${local.prefix}-${random_string.id.result}"').replace(
        'resource "aws_appautoscaling_target" "t" {\n', 'resource "aws_appautoscaling_target" "t" {\n  count              = 1\n'
    ).replace(
        'resource "aws_appautoscaling_policy" "p" {\n', 'resource "aws_appautoscaling_policy" "p" {\n  count              = 1\n'
    ).replace("aws_appautoscaling_target.t.", "aws_appautoscaling_target.t[0].")
    result = lint_text(text, "main.tf")
    assert [target.status.value for target in result.scaling_targets] == ["linked"]
    (unit,) = _deployment(result).units
    (scaling,) = unit.scaling
    assert len(scaling.policies) == 1
    assert not [finding for finding in result.findings if finding.rule_id == "AS007"]


def test_a_scheduled_action_drives_its_target_as_a_policy_does():
    # A target moved only by a schedule is scaled: no AS007 (CloudFormation's ScheduledActions alike).
    text = ENDPOINT.replace('resource "aws_appautoscaling_policy" "p" {', 'resource "aws_appautoscaling_policy" "unused" {\n  count = 0') + """
resource "aws_appautoscaling_scheduled_action" "business_hours" {
  name               = "business-hours"
  service_namespace  = aws_appautoscaling_target.t.service_namespace
  resource_id        = aws_appautoscaling_target.t.resource_id
  scalable_dimension = aws_appautoscaling_target.t.scalable_dimension
  schedule           = "cron(0 8 * * ? *)"
  scalable_target_action {
    min_capacity = 3
    max_capacity = 4
  }
}
"""
    result = lint_text(text, "main.tf")
    (unit,) = _deployment(result).units
    (scaling,) = unit.scaling
    (policy,) = scaling.policies
    assert policy.policy_type.value == "ScheduledAction"
    assert policy.policy_type.note == "aws_appautoscaling_scheduled_action.business_hours"
    assert policy.span.line == text.splitlines().index('resource "aws_appautoscaling_scheduled_action" "business_hours" {') + 1
    assert not [finding for finding in result.findings if finding.rule_id == "AS007"]


def test_a_policy_written_once_per_target_drives_each_target_instance():
    # `for_each = aws_appautoscaling_target.t` with the triple from `each.value`: the usual way to give every
    # target its policy (it was AS007, no policy). tests/fixtures/terraform-scaling was written for this project.
    path = Path(__file__).resolve().parent.parent / "fixtures" / "terraform-scaling"
    result = lint_paths([str(path)], context="none")
    assert result.findings == ()
    (scaling,) = result.deployments[0].units[0].scaling
    assert [policy.metric.value for policy in scaling.policies] == ["SageMakerVariantInvocationsPerInstance"]


def test_a_target_for_an_ecs_service_another_module_makes_is_not_dangling():
    # Autoscaling in a root of its own for a service made elsewhere (it was AS002, an error).
    path = Path(__file__).resolve().parent.parent / "fixtures" / "terraform-scaling-ecs"
    result = lint_paths([str(path)], context="none")
    assert result.findings == ()
    assert [target.status.value for target in result.scaling_targets] == ["not-in-run"]

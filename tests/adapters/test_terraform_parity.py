"""The same deployments written in CloudFormation and in Terraform give the same findings.

tests/fixtures/parity/endpoints.yaml and endpoints.tf declare the same three
things: a production XGBoost endpoint on one GPU instance, unscaled, with a
20 MB payload (EP001, CP001, HA001, AS001); a recommender scaled by a target
and a policy (nothing); a scalable target naming a variant that does not
exist (AS002). compute.*, ecs-ec2.* and serverless.* add ECS (also on
capacity providers backed by Auto Scaling groups), node groups and a
serverless endpoint (SP001, CP006, CV001); scaling-metrics.* scaling policies on
metrics that cannot drive their target (AS005, AS006). Each file is linted alone; the findings must agree in rule,
message and severity (their lines differ with the language).
"""

from __future__ import annotations

from pathlib import Path

from linter.api import lint_paths

PARITY = Path(__file__).resolve().parent.parent / "fixtures" / "parity"
RULES = ("EP001", "CP001", "HA001", "AS001", "AS002")


# Where a value was decided, worded by each language (a parameter's Default, a variable's default).
DECIDED_BY = {
    "(ml.g5.xlarge is the Default of parameter InstanceType)": "(ml.g5.xlarge is the default of variable instance_type)",
}


def _findings(name: str) -> list[tuple[str, str, str]]:
    result = lint_paths([str(PARITY / name)], context="none")
    found = []
    for finding in result.findings:
        message = finding.message
        for cloudformation, terraform in DECIDED_BY.items():
            message = message.replace(cloudformation, terraform)
        found.append((finding.rule_id, message, finding.severity.value))
    return sorted(found)


def test_cloudformation_and_terraform_give_the_same_findings():
    cloudformation = _findings("endpoints.yaml")
    terraform = _findings("endpoints.tf")
    assert sorted({rule for rule, _, _ in terraform}) == sorted(RULES)
    assert terraform == cloudformation


def test_the_terraform_findings_point_at_the_terraform_arguments():
    result = lint_paths([str(PARITY / "endpoints.tf")], context="none")
    lines = {finding.rule_id: finding.span.line for finding in result.findings}
    text = (PARITY / "endpoints.tf").read_text().splitlines()
    assert "instance_type" in text[lines["CP001"] - 1]
    assert "initial_instance_count" in text[lines["HA001"] - 1]
    assert "mldeploy-lint:payload-mb" in text[lines["EP001"] - 1]
    assert "Canary" in text[lines["AS002"] - 1]


def test_ecs_and_node_group_capacity_give_the_same_findings():
    """compute.yaml and compute.tf: a GPU ECS service, a scheduled Fargate task, node groups in and out of a capacity reservation."""
    cloudformation = _findings("compute.yaml")
    terraform = _findings("compute.tf")
    assert sorted(rule for rule, _, _ in terraform) == ["AS001", "CP001", "SP001", "SP001"]
    assert not any("reserved" in message.split(" runs ")[0] for _, message, _ in terraform)  # the reserved node group is silent
    assert terraform == cloudformation


def test_serverless_configuration_gives_the_same_findings():
    """serverless.yaml and serverless.tf: a memory size SageMaker does not offer, a payload over the serverless limit."""
    cloudformation = _findings("serverless.yaml")
    terraform = _findings("serverless.tf")
    assert [rule for rule, _, _ in terraform] == ["CV001", "EP001"]
    assert terraform == cloudformation


# The same resources, named by each language.
ECS_EC2_NAMES = {
    "aws_ecs_capacity_provider.gpu": "GpuProvider",
    "launch template aws_launch_template.gpu sets no spot instance_market_options": "launch template GpuTemplate sets no spot InstanceMarketOptions",
}


def test_ecs_on_ec2_capacity_providers_give_the_same_findings():
    """ecs-ec2.yaml and ecs-ec2.tf: services and scheduled tasks on capacity providers backed by Auto Scaling groups."""
    cloudformation = _findings("ecs-ec2.yaml")
    terraform = []
    for rule, message, severity in _findings("ecs-ec2.tf"):
        for written, shown in ECS_EC2_NAMES.items():
            message = message.replace(written, shown)
        terraform.append((rule, message, severity))
    assert sorted(rule for rule, _, _ in terraform) == ["AS001", "CP001", "CP006", "SP001"]
    assert sorted(terraform) == cloudformation


def test_scaling_policy_metrics_give_the_same_findings():
    """scaling-metrics.yaml and scaling-metrics.tf: policies on metrics that cannot drive the target, a step-scaling
    policy judged by its alarm's metric, and an endpoint woken from zero by the backlog alarm (silent)."""
    cloudformation = _findings("scaling-metrics.yaml")
    terraform = _findings("scaling-metrics.tf")
    assert [rule for rule, _, _ in terraform] == ["AS005"] * 5 + ["AS006"]
    assert any("watches GPUUtilization in namespace AWS/SageMaker" in message for _, message, _ in terraform)  # the alarm's metric
    assert not any("digest" in message for _, message, _ in terraform)  # woken by its backlog alarm
    assert terraform == cloudformation


def test_a_policy_whose_count_is_not_known_takes_the_metric_of_the_alarm_naming_an_instance(tmp_path):
    """`count = var.n` (not known): the policy is read once, and an alarm naming `p[0]` still gives its metric."""
    text = (PARITY / "scaling-metrics.tf").read_text(encoding="utf-8")
    text = text.replace(
        'resource "aws_appautoscaling_policy" "reports_step" {\n', 'variable "n" {}\n\nresource "aws_appautoscaling_policy" "reports_step" {\n  count              = var.n\n', 1
    ).replace("[aws_appautoscaling_policy.reports_step.arn]", "[aws_appautoscaling_policy.reports_step[0].arn]", 1)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    messages = [finding.message for finding in lint_paths([str(tmp_path)], context="none").findings]
    assert any("watches GPUUtilization in namespace AWS/SageMaker" in message for message in messages)


def test_dynamic_variants_sharing_one_written_instance_type_are_each_judged(tmp_path):
    """A `dynamic "production_variants"` block writes every variant's instance type at one place: they are variants,
    not inference components placed on one another (each is AS001 without scaling)."""
    (tmp_path / "main.tf").write_text(
        'locals {\n  variants = { a = "ml.m5.large", b = "ml.m5.xlarge" }\n}\n'
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  name = "churn"\n'
        '  dynamic "production_variants" {\n    for_each = local.variants\n    content {\n'
        '      variant_name           = production_variants.key\n      model_name             = "churn"\n'
        '      instance_type          = production_variants.value\n      initial_instance_count = 2\n    }\n  }\n}\n'
        'resource "aws_sagemaker_endpoint" "e" {\n  name                 = "churn"\n'
        '  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name\n}\n',
        encoding="utf-8",
    )
    messages = sorted(finding.message for finding in lint_paths([str(tmp_path)], context="none").findings if finding.rule_id == "AS001")
    assert [message.split(" has no autoscaling")[0] for message in messages] == ["real-time endpoint churn (a)", "real-time endpoint churn (b)"]
    assert all("2 instances" in message and "register the variant" in message for message in messages)

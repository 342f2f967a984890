"""The Terraform adapter's ECS task definitions and services, read through the shared ECS reader."""

from __future__ import annotations

from pathlib import Path

from linter import UNKNOWN, Capacity, DeploymentKind
from linter.api import lint_paths, lint_text

TASK = '''
resource "aws_ecs_task_definition" "scoring" {
  family                   = "churn-scoring"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([
    {
      name   = "xgboost"
      image  = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
      memory = 4096
      resourceRequirements = [{ type = "GPU", value = "1" }]
    }
  ])
}
'''

SERVICE = '''
resource "aws_ecs_cluster" "main" {
  name = "ml"
}
resource "aws_ecs_service" "scoring" {
  name            = "churn-scoring"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.scoring.arn
  desired_count   = 2
%s
}
'''


def _service(settings: str, extra: str = ""):
    result = lint_text(TASK + SERVICE % settings + extra, "main.tf")
    (deployment,) = result.deployments
    return deployment, [finding.rule_id for finding in result.findings]


def test_a_service_runs_its_task_definitions_containers_and_gpus():
    deployment, findings = _service('  launch_type = "EC2"')
    assert deployment.platform == "ecs" and deployment.kind.value is DeploymentKind.SERVICE
    (unit,) = deployment.units
    assert unit.compute.accelerator.value == "gpu" and unit.compute.accelerator_count.value == 1
    assert unit.count.value == 2
    assert not unit.capacity.known and "LaunchType EC2" in unit.capacity.note
    assert [model.image.value for model in deployment.models] == ["683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"]
    assert [link.name for link in deployment.links][:3] == ["aws_ecs_service.scoring", "aws_ecs_task_definition.scoring", "aws_ecs_cluster.main"]
    assert "CP001" in findings  # a GPU for an XGBoost container, as in CloudFormation
    assert "AS001" in findings


def test_container_definitions_as_a_json_string():
    text = TASK.replace(
        '''jsonencode([
    {
      name   = "xgboost"
      image  = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
      memory = 4096
      resourceRequirements = [{ type = "GPU", value = "1" }]
    }
  ])''',
        '''<<EOF
[{"name": "llm", "image": "vllm/vllm-openai:v0.6.0", "resourceRequirements": [{"type": "GPU", "value": "4"}]}]
EOF''',
    )
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.units[0].compute.accelerator_count.value == 4
    assert deployment.kind.value is UNKNOWN  # no service of the module runs it
    assert not deployment.units[0].capacity.known


def test_capacity_provider_strategies():
    spot, _ = _service(
        '''  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 0
  }'''
    )
    assert spot.units[0].capacity.value is Capacity.SPOT
    mixed, _ = _service(
        '''  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 3
  }
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }'''
    )
    assert mixed.units[0].capacity.value is Capacity.MIXED
    fargate, _ = _service('  launch_type = "FARGATE"')
    assert fargate.units[0].capacity.value is Capacity.ON_DEMAND
    own, _ = _service(
        '''  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    weight            = 1
  }''',
        'resource "aws_ecs_capacity_provider" "gpu" {\n  name = "gpu"\n}\n',
    )
    assert not own.units[0].capacity.known and "the Auto Scaling group of capacity provider aws_ecs_capacity_provider.gpu is not in this module" in own.units[0].capacity.note


def test_the_clusters_default_strategy_when_the_service_names_none():
    deployment, _ = _service(
        "",
        '''
resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE_SPOT"]
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
}
''',
    )
    capacity = deployment.units[0].capacity
    assert capacity.value is Capacity.SPOT and "default strategy of aws_ecs_cluster_capacity_providers.main" in capacity.note


def test_an_ecs_scaling_target_scales_the_service_it_references():
    target = '''
resource "aws_appautoscaling_target" "scoring" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.scoring.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 2
  max_capacity       = 8
}
resource "aws_appautoscaling_policy" "scoring" {
  name               = "cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.scoring.resource_id
  scalable_dimension = aws_appautoscaling_target.scoring.scalable_dimension
  service_namespace  = aws_appautoscaling_target.scoring.service_namespace
  target_tracking_scaling_policy_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
'''
    deployment, findings = _service('  launch_type = "EC2"', target)
    (scaling,) = deployment.units[0].scaling
    assert (scaling.min_capacity.value, scaling.max_capacity.value) == (2, 8) and len(scaling.policies) == 1
    assert "AS001" not in findings and "AS007" not in findings
    by_name, findings = _service('  launch_type = "EC2"', target.replace("${aws_ecs_service.scoring.name}", "churn-scoring"))
    assert by_name.units[0].scaling and "AS001" not in findings
    unknown, findings = _service('  launch_type = "EC2"', target.replace("${aws_ecs_service.scoring.name}", "${var.service}"))
    assert not unknown.units[0].scaling and "AS001" not in findings  # the target may be this service's


def test_inference_triton_fixture():
    """aws-ia/ecs-blueprints: a Triton service on a capacity provider of the ecs registry module, backed by an autoscaling module call."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "adapters" / "terraform" / "ecs-inference-triton"
    result = lint_paths([str(fixture)])
    (deployment,) = result.deployments
    (unit,) = deployment.units
    assert unit.compute.accelerator_count.value == 4 and deployment.models[0].framework.value == "triton"
    assert unit.capacity.value is Capacity.ON_DEMAND and 'module.ecs_cluster.autoscaling_capacity_providers["triton"]' in unit.capacity.note
    assert unit.compute.instance_type.value == "g5.12xlarge" and unit.compute.accelerator.value == "gpu"
    assert [finding.rule_id for finding in result.findings] == ["AS001"]  # desired_count 1, no Application Auto Scaling target


SCHEDULED = '''
resource "aws_ecs_cluster" "main" {
  name = "ml"
}
resource "aws_ecs_task_definition" "nightly" {
  family                   = "nightly-scoring"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "4096"
  memory                   = "16384"
  network_mode             = "awsvpc"
  container_definitions = jsonencode([{
    name    = "score"
    image   = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    command = ["python", "score.py"]
  }])
}
resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "nightly"
  schedule_expression = "cron(0 2 * * ? *)"
}
resource "aws_cloudwatch_event_target" "nightly" {
  rule     = aws_cloudwatch_event_rule.nightly.name
  arn      = aws_ecs_cluster.main.arn
  role_arn = "arn:aws:iam::111122223333:role/events"
  ecs_target {
    task_definition_arn = aws_ecs_task_definition.nightly.arn
    task_count          = 2
%s
    network_configuration {
      subnets = ["subnet-1"]
    }
  }
}
'''


def test_a_task_an_eventbridge_target_runs_is_a_job_and_sp001_judges_its_capacity():
    result = lint_text(SCHEDULED % '    launch_type = "FARGATE"', "main.tf")
    (deployment,) = result.deployments
    assert deployment.kind.value is DeploymentKind.JOB and "aws_cloudwatch_event_target.nightly" in deployment.kind.note
    (unit,) = deployment.units
    assert unit.capacity.value is Capacity.ON_DEMAND and unit.count.value == 2
    assert "SP001" in [finding.rule_id for finding in result.findings]
    spot = lint_text(SCHEDULED % '    capacity_provider_strategy {\n      capacity_provider = "FARGATE_SPOT"\n      weight = 1\n    }', "main.tf")
    assert spot.deployments[0].units[0].capacity.value is Capacity.SPOT
    assert "SP001" not in [finding.rule_id for finding in spot.findings]


def test_a_task_a_schedule_runs_is_a_job():
    text = SCHEDULED.split('resource "aws_cloudwatch_event_rule"')[0] + '''
resource "aws_scheduler_schedule" "nightly" {
  schedule_expression = "rate(1 day)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_ecs_cluster.main.arn
    role_arn = "arn:aws:iam::111122223333:role/scheduler"
    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.nightly.arn
      launch_type         = "FARGATE"
    }
  }
}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.kind.value is DeploymentKind.JOB and "rate(1 day)" in deployment.kind.note
    assert deployment.units[0].capacity.value is Capacity.ON_DEMAND and deployment.units[0].count.value == 1
    assert "SP001" in [finding.rule_id for finding in result.findings]


GPU_PROVIDER = '''
resource "aws_launch_template" "gpu" {
  instance_type = "g5.2xlarge"
%s
}
resource "aws_autoscaling_group" "gpu" {
%s
}
resource "aws_ecs_capacity_provider" "gpu" {
  name = "gpu"
  auto_scaling_group_provider {
    auto_scaling_group_arn = aws_autoscaling_group.gpu.arn
  }
}
'''

BY_REFERENCE = '''  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    weight            = 1
  }'''


def test_a_capacity_provider_is_as_spot_as_its_auto_scaling_group():
    group = "  launch_template {\n    id = aws_launch_template.gpu.id\n  }\n"
    on_demand, _ = _service(BY_REFERENCE, GPU_PROVIDER % ("", group))
    (unit,) = on_demand.units
    assert unit.capacity.value is Capacity.ON_DEMAND and "sets no spot instance_market_options" in unit.capacity.note
    assert unit.compute.instance_type.value == "g5.2xlarge" and "instance_type of launch template aws_launch_template.gpu" in unit.compute.instance_type.note
    assert {"aws_ecs_capacity_provider.gpu", "aws_autoscaling_group.gpu", "aws_launch_template.gpu"} <= {link.name for link in on_demand.links}
    spot, _ = _service(BY_REFERENCE, GPU_PROVIDER % ('  instance_market_options {\n    market_type = "spot"\n  }', group))
    assert spot.units[0].capacity.value is Capacity.SPOT
    by_name, _ = _service(BY_REFERENCE.replace("aws_ecs_capacity_provider.gpu.name", '"gpu"'), GPU_PROVIDER % ("", group))
    assert by_name.units[0].capacity.value is Capacity.ON_DEMAND and by_name.units[0].compute.instance_type.value == "g5.2xlarge"


def test_a_mixed_instances_policy_gives_the_purchase_option_and_the_first_override():
    mixed = '''  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = %s
      on_demand_percentage_above_base_capacity = %s
    }
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.gpu.id
      }
      override {
        instance_type = "g6.xlarge"
      }
      override {
        instance_type = "g5.xlarge"
      }
    }
  }'''
    spot, _ = _service(BY_REFERENCE, GPU_PROVIDER % ("", mixed % (0, 0)))
    (unit,) = spot.units
    assert unit.capacity.value is Capacity.SPOT
    assert unit.compute.instance_type.value == "g6.xlarge" and "first instance type override" in unit.compute.instance_type.note
    assert unit.compute.accelerator.value == "gpu"
    assert _service(BY_REFERENCE, GPU_PROVIDER % ("", mixed % (1, 0)))[0].units[0].capacity.value is Capacity.MIXED
    assert _service(BY_REFERENCE, GPU_PROVIDER % ("", mixed % (0, 100)))[0].units[0].capacity.value is Capacity.ON_DEMAND
    undecided, _ = _service(BY_REFERENCE, GPU_PROVIDER % ("", mixed % (0, "var.percent")) + 'variable "percent" {}\n')
    assert not undecided.units[0].capacity.known


def test_a_launch_configuration_with_a_spot_price_is_spot():
    configuration = '''
resource "aws_launch_configuration" "gpu" {
  instance_type = "p3.2xlarge"
  spot_price    = "1.0"
}
'''
    group = "  launch_configuration = aws_launch_configuration.gpu.name\n"
    spot, _ = _service(BY_REFERENCE, GPU_PROVIDER % ("", group) + configuration)
    assert spot.units[0].capacity.value is Capacity.SPOT and spot.units[0].compute.instance_type.value == "p3.2xlarge"


def test_a_group_outside_the_module_is_unknown_never_guessed():
    provider = '''
resource "aws_ecs_capacity_provider" "gpu" {
  name = "gpu"
  auto_scaling_group_provider {
    auto_scaling_group_arn = var.group_arn
  }
}
variable "group_arn" {}
'''
    deployment, _ = _service(BY_REFERENCE, provider)
    assert not deployment.units[0].capacity.known and "is not in this module" in deployment.units[0].capacity.note
    assert not deployment.units[0].compute.instance_type.known


REGISTRY = '''
module "ecs_cluster" {
  source       = "terraform-aws-modules/ecs/aws//modules/cluster"
  version      = "~> 5.0"
  cluster_name = "vllm"
  autoscaling_capacity_providers = {
    gpu = {
      auto_scaling_group_arn = module.autoscaling_gpu.autoscaling_group_arn
    }
  }
}

module "autoscaling_gpu" {
  source        = "terraform-aws-modules/autoscaling/aws"
  version       = "~> 6.5"
  name          = "vllm"
  instance_type = "g5.12xlarge"
%s
}

module "ecs_service_vllm" {
  source                   = "terraform-aws-modules/ecs/aws//modules/service"
  version                  = "~> 5.0"
  name                     = "vllm"
  desired_count            = 2
  requires_compatibilities = ["EC2"]
%s
  capacity_provider_strategy = {
    default = {
      capacity_provider = module.ecs_cluster.autoscaling_capacity_providers["gpu"].name
      weight            = 1
    }
  }
  container_definitions = {
    vllm = {
      image                 = "vllm/vllm-openai:v0.10.2"
      command               = ["--model", "unsloth/Meta-Llama-3.1-8B-Instruct"]
      resource_requirements = [{ type = "GPU", value = 4 }]
    }
  }
}
'''


def _registry(group: str = "", service: str = "  enable_autoscaling = false"):
    result = lint_text(REGISTRY % (group, service), "main.tf")
    (deployment,) = result.deployments
    return deployment, [finding.rule_id for finding in result.findings]


def test_the_ecs_registry_modules_service_runs_on_its_clusters_auto_scaling_group():
    deployment, findings = _registry()
    assert deployment.platform == "ecs" and deployment.kind.value is DeploymentKind.SERVICE and deployment.name.value == "vllm"
    (unit,) = deployment.units
    assert unit.count.value == 2 and unit.scaling == ()
    assert unit.compute.instance_type.value == "g5.12xlarge" and unit.compute.accelerator.value == "gpu"
    assert unit.capacity.value is Capacity.ON_DEMAND
    assert [model.image.value for model in deployment.models] == ["vllm/vllm-openai:v0.10.2"]
    assert {"module.ecs_service_vllm", 'module.ecs_cluster.autoscaling_capacity_providers["gpu"]', "module.autoscaling_gpu"} <= {link.name for link in deployment.links}
    assert "AS001" in findings
    spot, _ = _registry('  instance_market_options = {\n    market_type = "spot"\n  }')
    assert spot.units[0].capacity.value is Capacity.SPOT
    mixed, _ = _registry(
        "  use_mixed_instances_policy = true\n  mixed_instances_policy = {\n"
        "    instances_distribution = {\n      on_demand_base_capacity = 0\n      on_demand_percentage_above_base_capacity = 0\n    }\n"
        '    override = [{ instance_type = "g6.12xlarge" }, { instance_type = "g5.12xlarge" }]\n  }'
    )
    assert mixed.units[0].capacity.value is Capacity.SPOT and mixed.units[0].compute.instance_type.value == "g6.12xlarge"


def test_the_service_modules_own_autoscaling_is_a_target_whose_policies_are_not_read():
    deployment, findings = _registry(service="  autoscaling_max_capacity = 4")
    (scaling,) = deployment.units[0].scaling
    assert scaling.max_capacity.value == 4 and not scaling.min_capacity.known
    assert not scaling.policies[0].policy_type.known
    assert "AS001" not in findings


def test_the_ecs_modules_services_and_its_own_providers():
    text = '''
module "ecs" {
  source       = "terraform-aws-modules/ecs/aws"
  cluster_name = "ml"
  autoscaling_capacity_providers = {
    gpu = {
      auto_scaling_group_arn = aws_autoscaling_group.gpu.arn
    }
  }
  services = {
    scorer = {
      enable_autoscaling = false
      capacity_provider_strategy = {
        gpu = { capacity_provider = "gpu", weight = 1 }
      }
      container_definitions = {
        xgboost = { image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1" }
      }
    }
    web = {
      enable_autoscaling = false
      container_definitions = {
        app = { image = "nginx:1.27" }
      }
    }
    off = {
      create = false
    }
  }
}
resource "aws_launch_template" "gpu" {
  instance_type = "g5.xlarge"
  instance_market_options {
    market_type = "spot"
  }
}
resource "aws_autoscaling_group" "gpu" {
  launch_template {
    id = aws_launch_template.gpu.id
  }
}
'''
    result = lint_text(text, "main.tf")
    by_name = {deployment.name.value: deployment for deployment in result.deployments}
    assert sorted(by_name) == ["scorer", "web"]
    scorer, web = by_name["scorer"].units[0], by_name["web"].units[0]
    assert scorer.capacity.value is Capacity.SPOT and scorer.compute.instance_type.value == "g5.xlarge"
    assert web.capacity.value is Capacity.ON_DEMAND and "launch_type default FARGATE" in web.capacity.note


def test_a_provider_the_module_does_not_show_is_unknown():
    text = REGISTRY.replace('module.ecs_cluster.autoscaling_capacity_providers["gpu"].name', "var.provider") % ("", "  enable_autoscaling = false")
    (deployment,) = lint_text(text + 'variable "provider" {}\n', "main.tf").deployments
    assert not deployment.units[0].capacity.known and not deployment.units[0].compute.instance_type.known


def test_the_ecs_modules_services_are_bounded_and_odd_inputs_read_nothing():
    from plugins.adapters.terraform.ecs_modules import MAX_ENTRIES

    services = "\n".join(f'    s{index} = {{ enable_autoscaling = false, container_definitions = {{ c = {{ image = "nginx:1" }} }} }}' for index in range(MAX_ENTRIES + 10))
    many = lint_text(f'module "ecs" {{\n  source = "terraform-aws-modules/ecs/aws"\n  services = {{\n{services}\n  }}\n}}\n', "main.tf")
    assert len(many.deployments) == MAX_ENTRIES
    containers = ", ".join(f'c{index} = {{ image = "nginx:1" }}' for index in range(MAX_ENTRIES + 1))
    wide = lint_text(f'module "s" {{\n  source = "terraform-aws-modules/ecs/aws//modules/service"\n  container_definitions = {{ {containers} }}\n}}\n', "main.tf")
    assert wide.deployments == ()
    odd = lint_text(
        'module "e" {\n  source = "terraform-aws-modules/ecs/aws"\n  services = "x"\n  autoscaling_capacity_providers = 1\n}\n'
        'module "s" {\n  source = "terraform-aws-modules/ecs/aws//modules/service"\n  container_definitions = { a = 1, c = { image = 3, resource_requirements = "x" } }\n'
        '  capacity_provider_strategy = { a = null, b = { capacity_provider = null } }\n}\n',
        "main.tf",
    )
    assert not [finding for finding in odd.findings if finding.rule_id.startswith(("MD", "PL"))]


def test_a_service_resource_on_a_provider_of_the_ecs_registry_module():
    text = TASK + SERVICE % BY_REFERENCE.replace("aws_ecs_capacity_provider.gpu.name", 'module.ecs_cluster.autoscaling_capacity_providers["gpu"].name')
    text += REGISTRY.split('module "ecs_service_vllm"')[0] % ('  instance_market_options = {\n    market_type = "spot"\n  }',)
    (deployment,) = lint_text(text, "main.tf").deployments
    (unit,) = deployment.units
    assert unit.capacity.value is Capacity.SPOT and unit.compute.instance_type.value == "g5.12xlarge"


def test_the_service_modules_profile_tags_report_their_problems_at_the_call():
    service = '  enable_autoscaling = false\n  tags = {\n    "mldeploy-lint:traffic" = "bursty"\n    "mldeploy-lint:latency-ms" = "soon"\n  }'
    text = REGISTRY % ("", service)
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.profile.traffic.value == "bursty"
    (problem,) = [finding for finding in result.findings if finding.rule_id == "MD004"]
    assert problem.message.endswith("(Tags mldeploy-lint:<key> of module ecs_service_vllm): latency-ms must be a number, got 'soon'")
    assert problem.span.line == text.splitlines().index("  tags = {") + 1



FOR_EACH_SERVICES = """
locals { services = toset(["a", "b"]) }

resource "aws_ecs_task_definition" "t" {
  family                   = "triton"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([{
    name = "triton", image = "nvcr.io/nvidia/tritonserver:24.05-py3", memory = 8192,
    resourceRequirements = [{ type = "GPU", value = "1" }]
  }])
}

resource "aws_ecs_service" "s" {
  for_each        = local.services
  name            = "triton-${each.key}"
  cluster         = "gpu"
  task_definition = aws_ecs_task_definition.t.arn
  desired_count   = 1
  launch_type     = "EC2"
  tags            = { Environment = "production" }
}

resource "aws_appautoscaling_target" "ecs" {
  for_each           = local.services
  min_capacity       = 2
  max_capacity       = 4
  resource_id        = "service/gpu/triton-${each.key}"
  scalable_dimension = "ecs:service:DesiredCount"
  service_namespace  = "ecs"
}
"""


def test_for_each_scaling_targets_scale_each_for_each_service():
    # A target written once for every service of a for_each is read per instance: each scales its own service.
    result = lint_text(FOR_EACH_SERVICES, "main.tf")
    assert [(target.status.value, target.reason) for target in result.scaling_targets] == [
        ("linked", 'ECS service aws_ecs_service.s["a"]'),
        ("linked", 'ECS service aws_ecs_service.s["b"]'),
    ]
    for deployment in result.deployments:
        (unit,) = deployment.units
        assert unit.scaling[0].min_capacity.value == 2
        key = str(deployment.name.value)[-1]
        assert any(link.name == f'aws_appautoscaling_target.ecs["{key}"]' for link in deployment.links)
    assert not [finding for finding in result.findings if finding.rule_id in ("AS001", "HA003")]

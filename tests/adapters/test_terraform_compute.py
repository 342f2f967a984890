"""The Terraform adapter's AWS Batch and EKS node group resources, and the registry modules' well-known inputs."""

from __future__ import annotations

from pathlib import Path

from linter import Capacity
from linter.api import lint_paths, lint_text
from test_intrinsics_hostile import within

BATCH = '''
resource "aws_batch_compute_environment" "spot" {
  compute_environment_name = "gpu-spot"
  type                     = "MANAGED"
  compute_resources {
    type          = "SPOT"
    instance_type = ["g5.xlarge", "g5.2xlarge"]
    max_vcpus     = 64
    subnets       = ["subnet-1"]
  }
}

resource "aws_batch_compute_environment" "od" {
  for_each = { a = "c5.xlarge" }
  name     = "od-${each.key}"
  type     = "MANAGED"
  compute_resources {
    type          = "EC2"
    instance_type = [each.value]
    max_vcpus     = 16
  }
}

resource "aws_batch_job_queue" "q" {
  name     = "q"
  priority = 1
  state    = "ENABLED"
  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.spot.arn
  }
  compute_environment_order {
    order               = 2
    compute_environment = aws_batch_compute_environment.od["a"].arn
  }
}

resource "aws_batch_job_definition" "train" {
  name = "train"
  type = "multinode"
  node_properties = jsonencode({
    mainNode = 0
    numNodes = 2
    nodeRangeProperties = [{
      targetNodes = "0:"
      container = {
        image                = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-gpu-${var.tag}"
        resourceRequirements = [{ type = "GPU", value = "1" }]
      }
    }]
  })
}

variable "tag" {
  type = string
}
'''


def test_batch_resources_read_into_job_deployments_linked_by_their_queue():
    result = lint_text(BATCH, "main.tf")
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    by_id = {deployment.id: deployment for deployment in result.deployments}
    assert set(by_id) == {"main.tf#aws_batch_compute_environment.spot", 'main.tf#aws_batch_compute_environment.od["a"]'}
    spot = by_id["main.tf#aws_batch_compute_environment.spot"]
    (unit,) = spot.units
    assert unit.compute.instance_type.value == "g5.xlarge" and unit.compute.accelerator.value == "gpu"
    assert unit.instance_types.value == ("g5.xlarge", "g5.2xlarge")
    assert unit.capacity.value is Capacity.MIXED  # its queue also orders an on-demand environment
    assert dict(spot.attributes)["compute_type"].value == "SPOT"
    assert dict(spot.attributes)["multi_node_parallel"].value is True  # the module's only queue, its only job definition
    assert spot.name.value == "gpu-spot"
    on_demand = by_id['main.tf#aws_batch_compute_environment.od["a"]']
    assert on_demand.name.value == "od-a"
    assert on_demand.units[0].compute.instance_type.value == "c5.xlarge"
    assert spot.ml_evidence.known  # the job definition's image, read from jsonencode() of a partly known object


def test_a_queue_of_environments_outside_the_module_is_its_own_deployment():
    text = '''
resource "aws_batch_job_queue" "q" {
  name = "q"
  priority = 1
  state = "ENABLED"
  compute_environment_order {
    order = 1
    compute_environment = var.environment_arn
  }
}
variable "environment_arn" {
  type = string
}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.id == "main.tf#aws_batch_job_queue.q"
    assert not deployment.units[0].capacity.known
    assert "not in this module" in deployment.units[0].capacity.note


def test_an_eks_node_group_reads_as_capacity_and_spot_rules_apply():
    text = '''
resource "aws_eks_node_group" "gpu" {
  cluster_name    = "c"
  node_group_name = "gpu"
  node_role_arn   = "arn"
  subnet_ids      = ["subnet-a"]
  instance_types  = ["p4d.24xlarge"]
  capacity_type   = "SPOT"
  scaling_config {
    desired_size = 2
    min_size     = 1
    max_size     = 4
  }
  labels = { "nvidia.com/gpu" = "true" }
  taint {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }
}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.platform == "eks-nodegroup"
    (unit,) = deployment.units
    assert unit.capacity.value is Capacity.SPOT and unit.count.value == 2
    assert (unit.scaling[0].min_capacity.value, unit.scaling[0].max_capacity.value) == (1, 4)
    attributes = dict(deployment.attributes)
    assert attributes["labels"].value == (("nvidia.com/gpu", "true"),)
    assert attributes["taints"].value == (("nvidia.com/gpu", "true", "NO_SCHEDULE"),)
    assert [finding.rule_id for finding in result.findings] == ["SP005"]  # one instance type on Spot


def test_a_gpu_ami_and_a_launch_template_of_the_module_give_the_compute():
    text = '''
resource "aws_launch_template" "lt" {
  instance_type = "g5.2xlarge"
}
resource "aws_eks_node_group" "g" {
  cluster_name  = "c"
  node_role_arn = "arn"
  subnet_ids    = ["s"]
  ami_type      = "AL2_x86_64_GPU"
  launch_template {
    id      = aws_launch_template.lt.id
    version = 1
  }
  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 1
  }
}
resource "aws_eks_node_group" "default" {
  cluster_name  = "c"
  node_role_arn = "arn"
  subnet_ids    = ["s"]
  ami_type      = "AL2_x86_64_GPU"
  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 1
  }
}
'''
    result = lint_text(text, "main.tf")
    by_id = {deployment.id: deployment for deployment in result.deployments}
    launched = by_id["main.tf#aws_eks_node_group.g"].units[0].compute
    assert launched.instance_type.value == "g5.2xlarge" and "launch template aws_launch_template.lt" in launched.instance_type.note
    default = by_id["main.tf#aws_eks_node_group.default"]
    assert default.units[0].compute.instance_type.value == "t3.medium"
    assert default.name.value == "aws_eks_node_group.default"


def test_registry_eks_module_node_groups_are_read_from_their_inputs():
    text = '''
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  eks_managed_node_group_defaults = {
    capacity_type = "SPOT"
  }
  eks_managed_node_groups = {
    gpu = {
      instance_types = ["g5.12xlarge", "g6.12xlarge"]
      min_size       = 0
      max_size       = 2
      desired_size   = var.gpus
      taints = {
        gpu = { key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }
      }
    }
    off = {
      create = false
    }
    od = {
      capacity_type = "ON_DEMAND"
    }
  }
}
variable "gpus" {
  default = 1
}
module "other" {
  source = "terraform-aws-modules/vpc/aws"
  eks_managed_node_groups = { x = { instance_types = ["p5.48xlarge"] } }
}
'''
    result = lint_text(text, "main.tf")
    by_id = {deployment.id: deployment for deployment in result.deployments}
    assert set(by_id) == {'main.tf#module.eks.eks_managed_node_groups["gpu"]', 'main.tf#module.eks.eks_managed_node_groups["od"]'}
    gpu = by_id['main.tf#module.eks.eks_managed_node_groups["gpu"]']
    (unit,) = gpu.units
    assert gpu.name.value == "gpu"
    assert unit.capacity.value is Capacity.SPOT  # from the defaults
    assert unit.count.value == 1 and unit.count.related[0][1] == "1 is the default of variable gpus"
    assert unit.count.span.line == 13  # the input, as written
    assert dict(gpu.attributes)["taints"].value == (("nvidia.com/gpu", "true", "NO_SCHEDULE"),)
    od = by_id['main.tf#module.eks.eks_managed_node_groups["od"]']
    assert od.units[0].capacity.value is Capacity.ON_DEMAND
    assert od.units[0].compute.instance_type.value == "t3.medium"
    assert not od.units[0].count.known  # the module's own default sizes are not guessed


# The batch registry module's call: one Spot compute environment and the queue in front of it. Each entry's
# last line is a comment where a test may write its tags.
BATCH_MODULE = '''
module "batch" {
  source = "terraform-aws-modules/batch/aws"
  compute_environments = {
    spot = {
      name_prefix = "spot"
      compute_resources = {
        type           = "SPOT"
        instance_types = ["p3.2xlarge"]
        max_vcpus      = 16
        subnets        = ["s"]
      }
      # environment tags
    }
  }
  job_queues = {
    q = {
      priority = 1
      compute_environment_order = {
        0 = { compute_environment_key = "spot" }
      }
      # queue tags
    }
  }
}
'''


def test_registry_batch_module_compute_environments_and_queues():
    result = lint_text(BATCH_MODULE, "main.tf")
    (deployment,) = result.deployments
    assert deployment.id == 'main.tf#module.batch.compute_environments["spot"]'
    assert deployment.units[0].capacity.value is Capacity.SPOT
    assert deployment.units[0].compute.accelerator.value == "gpu"
    assert any(link.name == 'module.batch.job_queues["q"]' for link in deployment.links)


def test_a_local_batch_module_is_read_once_per_compute_environment(tmp_path: Path):
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "adapters" / "terraform" / "terraform-aws-batch"
    result = lint_paths([str(fixture)])
    names = sorted(deployment.id.split("#")[1] for deployment in result.deployments)
    assert names == [f'aws_batch_compute_environment.this["{key}"]' for key in ("a_ec2", "b_ec2_spot", "c_unmanaged")]


def test_json_documents_are_bounded():
    deep = "[" * 100 + "]" * 100  # deeper than a JSON document is read, within what the HCL loader accepts
    text = f'''
resource "aws_batch_job_definition" "d" {{
  name = "d"
  type = "container"
  container_properties = "{deep.replace('"', '')}"
}}
resource "aws_batch_job_definition" "e" {{
  name = "e"
  type = "container"
  container_properties = "not json"
}}
resource "aws_batch_job_queue" "q" {{
  name = "q"
  priority = 1
  state = "ENABLED"
}}
'''
    with within(2):
        result = lint_text(text, "main.tf")
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    assert [finding.rule_id for finding in result.findings if finding.rule_id.startswith("MD")] == []
    (deployment,) = result.deployments
    assert deployment.models == ()


def test_a_callers_stage_files_apply_to_the_modules_it_calls(tmp_path: Path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text(
        'variable "type" {}\nvariable "instances" {}\n'
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    variant_name = "v"\n'
        '    instance_type = var.type\n    initial_instance_count = var.instances\n  }\n}\n'
        'resource "aws_sagemaker_endpoint" "e" {\n  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'variable "instances" {\n  default = 2\n}\nmodule "child" {\n  source = "./child"\n  type = "ml.m5.large"\n  instances = var.instances\n}\n'
    )
    (tmp_path / "prod.tfvars").write_text("instances = 1\n")
    (tmp_path / "dev.tfvars").write_text("instances = 3\n")
    result = lint_paths([str(tmp_path)])
    counts = {deployment.variant.value: (deployment.units[0].count.value, deployment.environment.value.value) for deployment in result.deployments}
    assert counts == {
        "module.child (../main.tf) with dev.tfvars": (3, "dev"),
        "module.child (../main.tf) with prod.tfvars": (1, "prod"),
    }
    (single,) = [finding for finding in result.findings if finding.rule_id == "HA001"]
    assert "prod.tfvars" in single.message


def test_replace_of_a_substring_is_evaluated_and_a_regular_expression_is_not():
    text = '''
resource "aws_batch_compute_environment" "a" {
  compute_environment_name = replace("g4dn.xlarge", ".", "-")
  type = "MANAGED"
  compute_resources {
    type = "EC2"
    instance_type = ["g4dn.xlarge"]
    max_vcpus = 4
  }
}
resource "aws_batch_compute_environment" "b" {
  compute_environment_name = replace("g4dn.xlarge", "/[.]/", "-")
  type = "MANAGED"
  compute_resources {
    type = "EC2"
    instance_type = ["g4dn.xlarge"]
    max_vcpus = 4
  }
}
'''
    names = sorted(str(deployment.name.value) for deployment in lint_text(text, "main.tf").deployments)
    assert names == ['${replace("g4dn.xlarge", "/[.]/", "-")}', "g4dn-xlarge"]


NODE_GROUP_WITH_TEMPLATE = '''
resource "aws_launch_template" "gpu" {
  instance_type = "p5.48xlarge"
%s
}
resource "aws_eks_node_group" "gpu" {
  cluster_name  = "c"
  node_role_arn = "arn"
  subnet_ids    = ["s"]
  ami_type      = "AL2_x86_64_GPU"
  launch_template {
    id      = aws_launch_template.gpu.id
    version = aws_launch_template.gpu.latest_version
  }
  scaling_config {
    desired_size = 2
    min_size     = 0
    max_size     = 4
  }
  tags = { "mldeploy-lint:urgency" = "deferrable" }
}
'''


def _node_group_capacity(launch_template_body: str):
    result = lint_text(NODE_GROUP_WITH_TEMPLATE % launch_template_body, "main.tf")
    (deployment,) = result.deployments
    return deployment.units[0].capacity, [finding.rule_id for finding in result.findings], deployment


def test_a_node_group_whose_launch_template_targets_a_capacity_reservation_is_reserved():
    capacity, findings, deployment = _node_group_capacity(
        '''  capacity_reservation_specification {
    capacity_reservation_target {
      capacity_reservation_id = "cr-0123456789abcdef0"
    }
  }'''
    )
    assert capacity.value is Capacity.RESERVED
    assert "aws_launch_template.gpu targets a capacity reservation" in capacity.note and capacity.span.line == 6
    assert "aws_launch_template.gpu" in [link.name for link in deployment.links]
    assert "SP001" not in findings
    on_demand, findings, _ = _node_group_capacity("")
    assert on_demand.value is Capacity.ON_DEMAND and "SP001" in findings  # the near miss: the same node group without it


def test_a_capacity_block_launch_template_and_a_reservations_only_preference_are_reserved():
    block, findings, _ = _node_group_capacity('  instance_market_options {\n    market_type = "capacity-block"\n  }')
    assert block.value is Capacity.RESERVED and "capacity-block" in block.note and "SP001" not in findings
    only, _, _ = _node_group_capacity(
        '  capacity_reservation_specification {\n    capacity_reservation_preference = "capacity-reservations-only"\n  }'
    )
    assert only.value is Capacity.RESERVED


def test_a_reservation_left_to_a_variable_is_unknown():
    capacity, findings, _ = _node_group_capacity(
        '''  capacity_reservation_specification {
    capacity_reservation_target {
      capacity_reservation_id = var.reservation
    }
  }'''
    )
    assert capacity.value is not Capacity.ON_DEMAND and not capacity.known and "may target a capacity reservation" in capacity.note
    assert "SP001" not in findings


def test_eks_ml_gpu_nodegroup_reservation_comes_from_its_dynamic_block(tmp_path: Path):
    """The real module: `dynamic "capacity_reservation_specification"` over `var.nvidia_capacity_reservation_id`, default ""."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "adapters" / "terraform" / "eks-ml-gpu-nodegroup"
    for source in fixture.iterdir():
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "terraform.tfvars").write_text('karpenter_enabled = false\nnvidia_instances = ["p5.48xlarge"]\nneuron_instances = []\n')
    capacities = {deployment.id.split("#")[1]: deployment.units[0].capacity for deployment in lint_paths([str(tmp_path)]).deployments}
    assert capacities["aws_eks_node_group.nvidia"].value is Capacity.ON_DEMAND  # default "": no block, no reservation
    with (tmp_path / "terraform.tfvars").open("a") as tfvars:
        tfvars.write('nvidia_capacity_reservation_id = "cr-0123456789abcdef0"\n')
    capacities = {deployment.id.split("#")[1]: deployment.units[0].capacity for deployment in lint_paths([str(tmp_path)]).deployments}
    reserved = capacities["aws_eks_node_group.nvidia"]
    assert reserved.value is Capacity.RESERVED and "cr-0123456789abcdef0" in reserved.note


def test_a_batch_environment_whose_launch_template_targets_a_reservation_is_reserved():
    text = '''
resource "aws_launch_template" "lt" {
  capacity_reservation_specification {
    capacity_reservation_target {
      capacity_reservation_resource_group_arn = "arn:aws:resource-groups:us-east-1:111122223333:group/p5"
    }
  }
}
resource "aws_batch_compute_environment" "p5" {
  name = "p5"
  type = "MANAGED"
  compute_resources {
    type          = "EC2"
    instance_type = ["p5.48xlarge"]
    max_vcpus     = 192
    subnets       = ["s"]
    launch_template {
      launch_template_id = aws_launch_template.lt.id
    }
  }
}
resource "aws_batch_job_queue" "q" {
  name     = "q"
  priority = 1
  state    = "ENABLED"
  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.p5.arn
  }
}
'''
    result = lint_text(text, "main.tf")
    (deployment,) = result.deployments
    assert deployment.units[0].capacity.value is Capacity.RESERVED
    assert "aws_launch_template.lt" in [link.name for link in deployment.links]
    assert "SP001" not in [finding.rule_id for finding in result.findings]
    result = lint_text(text.replace("capacity_reservation_resource_group_arn", "# "), "main.tf")
    assert result.deployments[0].units[0].capacity.value is Capacity.ON_DEMAND
    assert "SP001" in [finding.rule_id for finding in result.findings]


def test_registry_node_group_launch_template_inputs_give_reserved_capacity():
    """terraform-aws-modules/eks builds each node group's launch template from its inputs (aws-do-eks's ODCR node group)."""
    text = '''
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  eks_managed_node_groups = {
    odcr = {
      instance_types = ["p5.48xlarge"]
      capacity_reservation_specification = {
        capacity_reservation_target = {
          capacity_reservation_id = "cr-0123456789abcdef0"
        }
      }
      tags = { "mldeploy-lint:urgency" = "deferrable" }
    }
    block = {
      instance_types          = ["p5.48xlarge"]
      instance_market_options = { market_type = "capacity-block" }
    }
    not_used = {
      instance_types             = ["p5.48xlarge"]
      use_custom_launch_template = false
      instance_market_options    = { market_type = "capacity-block" }
    }
  }
}
'''
    result = lint_text(text, "main.tf")
    capacities = {deployment.name.value: deployment.units[0].capacity for deployment in result.deployments}
    assert capacities["odcr"].value is Capacity.RESERVED and "the module's launch template" in capacities["odcr"].note
    assert capacities["block"].value is Capacity.RESERVED
    assert capacities["not_used"].value is Capacity.ON_DEMAND
    assert "SP001" not in [finding.rule_id for finding in result.findings]


def test_each_node_group_reads_the_launch_template_instance_it_references():
    text = '''
variable "reservations" {
  default = { a = "cr-0123456789abcdef0", b = "" }
}
resource "aws_launch_template" "lt" {
  for_each      = var.reservations
  instance_type = "p5.48xlarge"
  dynamic "capacity_reservation_specification" {
    for_each = each.value != "" ? [1] : []
    content {
      capacity_reservation_target {
        capacity_reservation_id = each.value
      }
    }
  }
}
resource "aws_eks_node_group" "g" {
  for_each        = var.reservations
  node_group_name = each.key
  cluster_name    = "c"
  node_role_arn   = "arn"
  subnet_ids      = ["s"]
  launch_template {
    id      = aws_launch_template.lt[each.key].id
    version = 1
  }
  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 1
  }
}
'''
    capacities = {deployment.name.value: deployment.units[0].capacity.value for deployment in lint_text(text, "main.tf").deployments}
    assert capacities == {"a": Capacity.RESERVED, "b": Capacity.ON_DEMAND}


def _profile_problems(result) -> list[tuple[int, str]]:
    return sorted((finding.span.line, finding.message) for finding in result.findings if finding.rule_id == "MD004")


def test_batch_environments_and_queues_report_the_problems_of_their_profile_tags():
    text = BATCH.replace(
        '    subnets       = ["subnet-1"]\n  }\n}\n',
        '    subnets       = ["subnet-1"]\n  }\n  tags = { "mldeploy-lint:urgency" = "whenever" }\n}\n',
    ).replace(
        '  priority = 1\n  state    = "ENABLED"\n',
        '  priority = 1\n  state    = "ENABLED"\n  tags = { "mldeploy-lint:bogus" = "1" }\n',
    )
    lines = text.splitlines()
    assert _profile_problems(lint_text(text, "main.tf")) == [
        (lines.index('  tags = { "mldeploy-lint:urgency" = "whenever" }') + 1,
         "invalid workload profile (Tags mldeploy-lint:<key> of Terraform resource aws_batch_compute_environment.spot): "
         "urgency must be one of urgent, deferrable; got 'whenever'"),
        (lines.index('  tags = { "mldeploy-lint:bogus" = "1" }') + 1,
         "invalid workload profile (Tags mldeploy-lint:<key> of Terraform resource aws_batch_job_queue.q): unknown workload "
         "profile key 'bogus' (known keys: payload-mb, latency-ms, traffic, requests-per-day, environment, urgency, model-size-gb)"),
    ]


def test_the_batch_modules_profile_tags_report_their_problems_at_the_call():
    text = BATCH_MODULE.replace(
        "# environment tags", 'tags = { "mldeploy-lint:urgency" = "deferrable", "mldeploy-lint:payload-mb" = "big" }'
    ).replace("# queue tags", 'tags = { "mldeploy-lint:urgency" = "now" }')
    result = lint_text(text, "main.tf")
    lines = text.splitlines()
    environment_tags = next(index for index, line in enumerate(lines) if '"big"' in line) + 1
    queue_tags = next(index for index, line in enumerate(lines) if '"now"' in line) + 1
    assert _profile_problems(result) == [
        (environment_tags, "invalid workload profile (Tags mldeploy-lint:<key> of module batch): payload-mb must be a number, got 'big'"),
        (queue_tags, "invalid workload profile (Tags mldeploy-lint:<key> of module batch): urgency must be one of urgent, deferrable; got 'now'"),
    ]
    (deployment,) = result.deployments
    assert deployment.profile.urgency.value == "deferrable"

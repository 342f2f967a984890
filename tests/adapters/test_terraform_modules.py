"""Terraform module calls: chains of local modules bound level by level, stages of the root, and hostile call graphs."""

from __future__ import annotations

from pathlib import Path

from linter.api import lint_paths
from plugins.adapters.terraform.module import MAX_CALL_DEPTH, MAX_INSTANCES
from test_intrinsics_hostile import within

ENDPOINT = '''
variable "instance_type" {
  type    = string
  default = "ml.m5.large"
}

variable "stage" {
  type    = string
  default = "dev"
}

resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = "AllTraffic"
    model_name             = "scorer"
    instance_type          = var.instance_type
    initial_instance_count = 1
  }
  tags = {
    Environment = var.stage
  }
}
'''


def _write(root: Path, files: dict[str, str]) -> Path:
    """The files in a repository of their own (a pre-commit run's context is the repository)."""
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CHAIN = {
    "live/main.tf": 'variable "size" {\n  default = "ml.g5.2xlarge"\n}\n\nmodule "svc" {\n  source = "../modules/service"\n  size   = var.size\n}\n',
    "live/prod.tfvars": 'size = "ml.g5.12xlarge"\n',
    "modules/service/main.tf": 'variable "size" {}\n\nmodule "ep" {\n  source        = "../endpoint"\n  instance_type = var.size\n  stage         = "production"\n}\n',
    "modules/endpoint/main.tf": ENDPOINT,
}


def test_a_chain_of_calls_binds_each_level_from_its_caller(tmp_path: Path):
    files = dict(CHAIN)
    del files["live/prod.tfvars"]
    _write(tmp_path, files)
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert deployment.variant.value == "module.svc.module.ep (../../live/main.tf)"
    assert deployment.variant.span.path.endswith("live/main.tf")
    instance_type = deployment.units[0].compute.instance_type
    assert instance_type.value == "ml.g5.2xlarge"
    assert instance_type.span.path.endswith("modules/endpoint/main.tf")
    reasons = " ".join(reason for _, reason in instance_type.related)
    assert "argument instance_type of module ep" in reasons and "argument size of module svc" in reasons
    assert deployment.environment.value.value == "prod"


def test_a_chain_is_read_once_per_stage_file_of_its_root(tmp_path: Path):
    _write(tmp_path, CHAIN)
    result = lint_paths([str(tmp_path)])
    by_variant = {deployment.variant.value: deployment for deployment in result.deployments}
    assert sorted(by_variant) == ["module.svc.module.ep (../../live/main.tf) with prod.tfvars"]
    assert by_variant["module.svc.module.ep (../../live/main.tf) with prod.tfvars"].units[0].compute.instance_type.value == "ml.g5.12xlarge"


def test_a_root_stage_file_linted_alone_judges_the_modules_it_calls(tmp_path: Path):
    _write(tmp_path, CHAIN)
    alone = lint_paths([str(tmp_path / "live" / "prod.tfvars")], context="repository")
    whole = lint_paths([str(tmp_path)])
    assert alone.findings
    assert all(finding.path.endswith("modules/endpoint/main.tf") for finding in alone.findings)
    assert all(finding.message.endswith("with prod.tfvars)") for finding in alone.findings)
    assert sorted((f.rule_id, f.path, f.span.line, f.message) for f in alone.findings) == sorted(
        (f.rule_id, f.path, f.span.line, f.message) for f in whole.findings
    )
    (deployment,) = alone.deployments
    assert deployment.units[0].compute.instance_type.value == "ml.g5.12xlarge"


def test_a_root_stage_file_linted_with_the_called_module_adds_nothing_twice(tmp_path: Path):
    _write(tmp_path, CHAIN)
    both = lint_paths([str(tmp_path / "live" / "prod.tfvars"), str(tmp_path / "modules" / "endpoint" / "main.tf")], context="repository")
    whole = lint_paths([str(tmp_path)])
    assert sorted((f.rule_id, f.path, f.span.line, f.message) for f in both.findings) == sorted(
        (f.rule_id, f.path, f.span.line, f.message) for f in whole.findings
    )


def test_a_root_file_linted_alone_judges_the_modules_it_calls(tmp_path: Path):
    _write(tmp_path, CHAIN)
    alone = lint_paths([str(tmp_path / "live" / "main.tf")], context="repository")
    whole = lint_paths([str(tmp_path)])
    assert alone.findings and sorted((f.rule_id, f.path, f.span.line, f.message) for f in alone.findings) == sorted(
        (f.rule_id, f.path, f.span.line, f.message) for f in whole.findings
    )
    with_stage = lint_paths([str(tmp_path / "live" / "main.tf"), str(tmp_path / "live" / "prod.tfvars")], context="repository")
    assert sorted((f.rule_id, f.span.line, f.message) for f in with_stage.findings) == sorted((f.rule_id, f.span.line, f.message) for f in alone.findings)


def test_a_stage_file_of_another_root_does_not_judge_the_module(tmp_path: Path):
    files = dict(CHAIN)
    files["other/main.tf"] = 'variable "size" {}\nmodule "x" {\n  source        = "../modules/endpoint"\n  instance_type = var.size\n}\n'
    files["other/prod.tfvars"] = 'size = "ml.c5.large"\n'
    _write(tmp_path, files)
    alone = lint_paths([str(tmp_path / "live" / "prod.tfvars")], context="repository")
    assert [deployment.variant.value for deployment in alone.deployments] == ["module.svc.module.ep (../../live/main.tf) with prod.tfvars"]


def test_a_cycle_of_calls_is_judged_nowhere_and_ends(tmp_path: Path):
    files = {
        "live/main.tf": 'module "a" {\n  source = "../modules/a"\n}\n',
        "modules/a/main.tf": 'module "b" {\n  source = "../b"\n}\n' + ENDPOINT,
        "modules/b/main.tf": 'module "a" {\n  source = "../a"\n}\nmodule "c" {\n  source = "../c"\n}\n' + ENDPOINT,
        "modules/c/main.tf": ENDPOINT,
        "modules/self/main.tf": 'module "me" {\n  source = "./"\n}\n' + ENDPOINT,
    }
    _write(tmp_path, files)
    with within():
        result = lint_paths([str(tmp_path)])
    # Terraform rejects a cycle of module calls: nothing on or below it is judged; a block naming its own directory is ignored.
    assert [deployment.units[0].compute.instance_type.span.path for deployment in result.deployments] == [str(tmp_path / "modules/self/main.tf")]
    assert not any(finding.rule_id.startswith("MD") for finding in result.findings)


def test_a_deep_chain_is_followed_to_the_depth_bound(tmp_path: Path):
    levels = MAX_CALL_DEPTH + 40
    files = {}
    for level in range(levels):
        call = f'module "m{level + 1}" {{\n  source        = "../m{level + 1}"\n  instance_type = var.instance_type\n}}\n' if level + 1 < levels else ""
        files[f"m{level}/main.tf"] = ENDPOINT.replace("ml.m5.large", "ml.g5.xlarge" if level == 0 else "ml.m5.large") + call
    _write(tmp_path, files)
    with within():
        result = lint_paths([str(tmp_path)])
    judged = sorted(int(deployment.units[0].compute.instance_type.span.path.split("/")[-2][1:]) for deployment in result.deployments)
    assert judged == list(range(MAX_CALL_DEPTH + 1))  # the root and the modules at most MAX_CALL_DEPTH calls below it
    deepest = [d for d in result.deployments if d.units[0].compute.instance_type.span.path.endswith(f"m{MAX_CALL_DEPTH}/main.tf")][0]
    assert deepest.variant.value.count("module.") == MAX_CALL_DEPTH
    assert deepest.units[0].compute.instance_type.value == "ml.g5.xlarge"  # bound through every level


def test_calls_that_multiply_are_bounded(tmp_path: Path):
    fan = 12
    calls_a = "".join(f'module "a{index}" {{\n  source = "../modules/a"\n}}\n' for index in range(fan))
    calls_b = "".join(f'module "b{index}" {{\n  source = "../b"\n}}\n' for index in range(fan))
    _write(tmp_path, {"live/main.tf": calls_a, "modules/a/main.tf": calls_b, "modules/b/main.tf": ENDPOINT})
    with within():
        result = lint_paths([str(tmp_path)])
    assert len(result.deployments) == MAX_INSTANCES < fan * fan


def test_stage_files_in_a_directory_below_the_root(tmp_path: Path):
    files = dict(CHAIN)
    del files["live/prod.tfvars"]
    files["live/envs/prod.tfvars"] = 'size = "ml.g5.12xlarge"\n'
    files["live/envs/dev/terraform.tfvars"] = 'size = "ml.c5.large"\n'
    files["live/envs/unrelated.tfvars"] = 'nothing_declared = 1\n'
    _write(tmp_path, files)
    whole = lint_paths([str(tmp_path)])
    by_variant = {deployment.variant.value: deployment for deployment in whole.deployments}
    prod = "module.svc.module.ep (../../live/main.tf) with envs/prod.tfvars"
    dev = "module.svc.module.ep (../../live/main.tf) with envs/dev/terraform.tfvars"
    assert sorted(by_variant) == sorted([prod, dev])
    assert by_variant[prod].units[0].compute.instance_type.value == "ml.g5.12xlarge"
    assert by_variant[dev].units[0].compute.instance_type.value == "ml.c5.large"
    alone = lint_paths([str(tmp_path / "live" / "envs" / "prod.tfvars")], context="repository")
    assert [deployment.variant.value for deployment in alone.deployments] == [prod]
    assert alone.findings and all(finding.message.endswith(f"(with {prod})") for finding in alone.findings)
    assert sorted((f.rule_id, f.path, f.span.line) for f in alone.findings) == sorted((f.rule_id, f.path, f.span.line) for f in whole.findings)


def test_a_stage_file_below_the_root_names_the_environment_by_its_directory(tmp_path: Path):
    _write(tmp_path, {"main.tf": ENDPOINT.replace('default = "dev"', "default = null"), "envs/prod/terraform.tfvars": 'instance_type = "ml.g5.xlarge"\n'})
    (deployment,) = lint_paths([str(tmp_path)]).deployments
    assert deployment.variant.value == "envs/prod/terraform.tfvars" and deployment.environment.value.value == "prod"

"""`terraform show -json` plans: read like the `.tf` files, located in them when they are in the run, bounded on hostile input.

The fixture is a hand-written plan of the aws-ia SageMaker endpoint module
(tests/fixtures/SOURCES.md) beside the module's files and the tfvars it was
planned with.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from linter.api import lint_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adapters" / "terraform"
MODULE = FIXTURES / "aws-ia-sagemaker-endpoint-plan"
PLAN = json.loads((MODULE / "plan.json").read_text(encoding="utf-8"))


def _findings(result) -> list[tuple[str, str, int, int]]:
    return sorted((finding.rule_id, Path(finding.span.path).name, finding.span.line, finding.span.column) for finding in result.findings)


def _write(path: Path, plan: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return path


def _internal(result) -> list:
    return [finding for finding in result.findings if finding.rule_id.startswith("MD")]


def test_plan_and_its_tf_files_are_one_deployment_located_in_the_tf_file():
    result = lint_paths([str(MODULE)])
    assert len(result.deployments) == 1
    deployment = result.deployments[0]
    assert deployment.span.path.endswith("main.tf")
    assert deployment.attribute("terraform-plan").value == "plan.json"
    assert all(finding.span.path.endswith("main.tf") for finding in result.findings)
    assert {target.status.value for target in result.scaling_targets} == {"linked"}


def test_the_same_deployment_from_the_tf_files_and_from_its_plan_gives_the_same_findings(tmp_path):
    for item in MODULE.iterdir():
        if item.name != "plan.json":
            shutil.copy(item, tmp_path / item.name)
    from_tf = lint_paths([str(tmp_path)])
    from_plan = lint_paths([str(MODULE)])
    assert _findings(from_tf) == _findings(from_plan)
    assert {finding.rule_id for finding in from_plan.findings} >= {"HA001", "CP001"}


def test_a_plan_alone_is_located_in_the_plan(tmp_path):
    result = lint_paths([str(_write(tmp_path / "plan.json", PLAN))])
    assert len(result.deployments) == 1 and result.deployments[0].span.path.endswith("plan.json")
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}
    assert all(finding.span.path.endswith("plan.json") for finding in result.findings)


def test_values_unknown_after_apply_stay_unknown_and_the_rules_needing_them_are_silent(tmp_path):
    plan = copy.deepcopy(PLAN)
    config = next(item for item in plan["planned_values"]["root_module"]["resources"] if item["type"] == "aws_sagemaker_endpoint_configuration")
    del config["values"]["production_variants"][0]["instance_type"]
    change = next(item for item in plan["resource_changes"] if item["type"] == "aws_sagemaker_endpoint_configuration")
    change["change"]["after_unknown"]["production_variants"][0]["instance_type"] = True
    result = lint_paths([str(_write(tmp_path / "plan.json", plan))])
    (deployment,) = result.deployments
    instance_type = deployment.units[0].compute.instance_type
    assert not instance_type.known and "known only after apply" in (instance_type.note or "")
    assert "CP001" not in {finding.rule_id for finding in result.findings}
    # the model's name is unknown too, and the variant still finds its model through the configuration's reference
    assert deployment.models and deployment.models[0].framework.value == "xgboost"


def test_sensitive_values_are_unknown(tmp_path):
    plan = copy.deepcopy(PLAN)
    config = next(item for item in plan["planned_values"]["root_module"]["resources"] if item["type"] == "aws_sagemaker_endpoint_configuration")
    config["sensitive_values"]["production_variants"][0]["instance_type"] = True
    (deployment,) = lint_paths([str(_write(tmp_path / "plan.json", plan))]).deployments
    assert not deployment.units[0].compute.instance_type.known


def _in_child_module(plan: dict, call: str, source: str) -> dict:
    plan = copy.deepcopy(plan)
    resources = plan["planned_values"]["root_module"].pop("resources")
    for item in resources:
        item["address"] = f"module.{call}.{item['address']}"
    for change in plan["resource_changes"]:
        change["address"] = f"module.{call}.{change['address']}"
        change["module_address"] = f"module.{call}"
    plan["planned_values"]["root_module"] = {"child_modules": [{"address": f"module.{call}", "resources": resources}]}
    module = plan["configuration"].pop("root_module")
    plan["configuration"]["root_module"] = {"module_calls": {call: {"source": source, "module": module}}}
    return plan


def test_a_child_module_of_the_registry_is_read_from_the_plan(tmp_path):
    plan = _in_child_module(PLAN, "serving", "aws-ia/sagemaker-endpoint/aws")
    result = lint_paths([str(_write(tmp_path / "plan.json", plan))])
    (deployment,) = result.deployments
    assert deployment.id.endswith("#module.serving.aws_sagemaker_endpoint.sagemaker_endpoint")
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}
    assert {target.status.value for target in result.scaling_targets} == {"linked"}


def test_a_child_module_with_a_local_source_is_located_in_its_tf_files_and_judged_once(tmp_path):
    shutil.copytree(MODULE, tmp_path / "modules" / "serving", ignore=shutil.ignore_patterns("plan.json", "*.tfvars"))
    (tmp_path / "main.tf").write_text('module "serving" {\n  source = "./modules/serving"\n  endpoint_name = "fraud-scorer"\n}\n', encoding="utf-8")
    _write(tmp_path / "plan.json", _in_child_module(PLAN, "serving", "./modules/serving"))
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert Path(deployment.span.path).parent.name == "serving"
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}


def test_a_json_file_with_format_version_only_is_not_a_plan(tmp_path):
    for name, content in {
        "a.json": {"format_version": "1.0"},
        "b.json": {"format_version": "1.2", "planned_values": 5},
        "c.json": {"format_version": "1.2", "values": {"outputs": {}}},
    }.items():
        result = lint_paths([str(_write(tmp_path / name, content))])
        assert not result.deployments and not result.findings


def test_malformed_deep_and_large_plans_read_without_crashing(tmp_path):
    malformed = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": ["x", {"type": 5}, {"type": "aws_sagemaker_endpoint", "name": "e", "values": "no"}],
                                           "child_modules": "no"}},
        "resource_changes": "no",
        "configuration": {"root_module": {"module_calls": {"x": "no"}}},
    }
    deep_value: dict = {"leaf": 1}
    for _ in range(60):
        deep_value = {"deeper": deep_value}
    child: dict = {"address": "module.m", "resources": []}
    chain = child
    for level in range(60):
        inner = {"address": chain["address"] + f".module.m{level}", "resources": []}
        chain["child_modules"] = [inner]
        chain = inner
    deep = copy.deepcopy(PLAN)
    deep["planned_values"]["root_module"]["resources"][2]["values"]["tags"] = {"deep": deep_value}
    deep["planned_values"]["root_module"]["child_modules"] = [child]
    large = copy.deepcopy(PLAN)
    model = next(item for item in large["planned_values"]["root_module"]["resources"] if item["type"] == "aws_sagemaker_model")
    large["planned_values"]["root_module"]["resources"] += [dict(model, name=f"m{index}", address=f"aws_sagemaker_model.m{index}") for index in range(300)]
    for name, plan in {"malformed.json": malformed, "deep.json": deep, "large.json": large}.items():
        result = lint_paths([str(_write(tmp_path / name / "plan.json", plan))])
        assert _internal(result) == [], name
    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps(PLAN)[:5000], encoding="utf-8")
    result = lint_paths([str(truncated)])
    assert [finding.rule_id for finding in result.findings] == ["MD001"] and result.findings[0].span.line >= 1


def test_a_scaling_target_of_the_root_module_scales_the_endpoint_of_a_child_module(tmp_path):
    plan = copy.deepcopy(PLAN)
    root = plan["planned_values"]["root_module"]
    scaling = {"aws_appautoscaling_target", "aws_appautoscaling_policy"}
    served = [item for item in root["resources"] if item["type"] not in scaling]
    root["resources"] = [item for item in root["resources"] if item["type"] in scaling]
    for item in served:
        item["address"] = "module.serving." + item["address"]
    root["child_modules"] = [{"address": "module.serving", "resources": served}]
    for change in plan["resource_changes"]:
        if change["type"] not in scaling:
            change["address"] = "module.serving." + change["address"]
    configuration = plan["configuration"]["root_module"]
    inner = [item for item in configuration["resources"] if item["type"] not in scaling]
    configuration["resources"] = [item for item in configuration["resources"] if item["type"] in scaling]
    configuration["module_calls"] = {"serving": {"source": "aws-ia/sagemaker-endpoint/aws", "module": {"resources": inner}}}
    result = lint_paths([str(_write(tmp_path / "plan.json", plan))])
    (deployment,) = result.deployments
    assert [target.status.value for target in result.scaling_targets] == ["linked"]
    assert deployment.units[0].scaling and deployment.units[0].scaling[0].min_capacity.value == 1
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}


def test_a_state_document_is_read_like_a_plan(tmp_path):
    resources = copy.deepcopy(PLAN["planned_values"]["root_module"]["resources"])
    for item in resources:
        if item["type"] == "aws_sagemaker_endpoint":
            item["values"]["endpoint_config_name"] = "fraud-config-ab12"
        if item["type"] == "aws_sagemaker_endpoint_configuration":
            item["values"]["name"] = "fraud-config-ab12"
            item["values"]["production_variants"][0]["model_name"] = "fraud-model-ab12"
        if item["type"] == "aws_sagemaker_model":
            item["values"]["name"] = "fraud-model-ab12"
    state = {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {"resources": resources}}}
    result = lint_paths([str(_write(tmp_path / "state.json", state))])
    (deployment,) = result.deployments
    assert deployment.models and deployment.models[0].name.value == "fraud-model-ab12"
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}


def test_a_scaling_target_naming_no_endpoint_of_the_plan_is_looked_for_in_the_run(tmp_path):
    plan = copy.deepcopy(PLAN)
    plan["planned_values"]["root_module"]["resources"] = [
        item for item in plan["planned_values"]["root_module"]["resources"] if item["type"].startswith("aws_appautoscaling_")
    ]
    result = lint_paths([str(_write(tmp_path / "plan.json", plan))])
    assert [(target.status.value, target.searched_run) for target in result.scaling_targets] == [("no-such-deployment", True)]


def test_profile_tags_of_a_plan_are_read(tmp_path):
    plan = copy.deepcopy(PLAN)
    endpoint = next(item for item in plan["planned_values"]["root_module"]["resources"] if item["type"] == "aws_sagemaker_endpoint")
    endpoint["values"]["tags"] = dict(endpoint["values"]["tags"], **{"mldeploy-lint:payload-mb": "20"})
    (deployment,) = lint_paths([str(_write(tmp_path / "plan.json", plan))]).deployments
    assert deployment.profile.payload_mb.value == 20


def _module_copy(directory: Path) -> Path:
    shutil.copytree(MODULE, directory, ignore=shutil.ignore_patterns("plan.json"))
    return directory


def test_a_plan_elsewhere_is_located_in_the_one_directory_declaring_its_resources_and_judged_once(tmp_path):
    _module_copy(tmp_path / "infra")
    _write(tmp_path / "plans" / "prod.json", PLAN)
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert Path(deployment.span.path).parent.name == "infra"
    note = deployment.attribute("terraform-plan").note
    assert "those of ../infra, the one directory" in note
    assert _findings(result) == _findings(lint_paths([str(MODULE)]))


def test_a_plan_matching_two_directories_equally_is_located_in_the_plan_and_says_so(tmp_path):
    _module_copy(tmp_path / "infra-a")
    _module_copy(tmp_path / "infra-b")
    _write(tmp_path / "plans" / "prod.json", PLAN)
    result = lint_paths([str(tmp_path)])
    (from_plan,) = [item for item in result.deployments if item.attribute("terraform-plan").known]
    assert from_plan.span.path.endswith("prod.json")
    assert "2 directories of the run declare exactly" in from_plan.attribute("terraform-plan").note
    assert len(result.deployments) == 3


def test_a_directory_declaring_more_than_the_plan_is_not_its_match(tmp_path):
    infra = _module_copy(tmp_path / "infra")
    (infra / "extra.tf").write_text('resource "aws_s3_bucket" "artifacts" {}\n', encoding="utf-8")
    _write(tmp_path / "plans" / "prod.json", PLAN)
    result = lint_paths([str(tmp_path)])
    assert sorted(Path(item.span.path).name for item in result.deployments) == ["main.tf", "prod.json"]
    (from_plan,) = [item for item in result.deployments if item.attribute("terraform-plan").known]
    assert "no directory of the run declares exactly" in from_plan.attribute("terraform-plan").note


def test_a_child_module_of_a_plan_elsewhere_is_located_through_its_source_from_the_matched_root(tmp_path):
    shutil.copytree(MODULE, tmp_path / "infra" / "modules" / "serving", ignore=shutil.ignore_patterns("plan.json", "*.tfvars"))
    (tmp_path / "infra" / "main.tf").write_text('module "serving" {\n  source = "./modules/serving"\n  endpoint_name = "fraud-scorer"\n}\n', encoding="utf-8")
    _write(tmp_path / "plans" / "plan.json", _in_child_module(PLAN, "serving", "./modules/serving"))
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert Path(deployment.span.path).parent.name == "serving"
    assert {finding.rule_id for finding in result.findings} == {"HA001", "CP001"}


def test_a_plan_linted_alone_pulls_in_the_tf_files_it_is_located_in(tmp_path):
    full = lint_paths([str(MODULE)])
    for repository, plan, directory in (("a", "beside/plan.json", "beside"), ("b", "plans/prod.json", "infra")):
        (tmp_path / repository / ".git").mkdir(parents=True)
        (tmp_path / repository / "other").mkdir()
        (tmp_path / repository / "other" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
        _module_copy(tmp_path / repository / directory)
        _write(tmp_path / repository / plan, PLAN)
        result = lint_paths([str(tmp_path / repository / plan)], context="repository")
        (deployment,) = result.deployments
        assert Path(deployment.span.path).parent.name == directory, plan
        assert _findings(result) == _findings(full)
        assert not any("other" in path for path in result.texts)
    result = lint_paths([str(tmp_path / "a" / "beside" / "plan.json")], context="siblings")
    assert _findings(result) == _findings(full)


def test_the_wants_of_a_plan_are_decided_from_its_first_bytes_and_its_configuration():
    from plugins.adapters.terraform.plan_context import plan_wants

    assert plan_wants({"a.json": '{"Resources": {}}', "b.json": "[1]", "c.tf": "x"}) is None
    assert plan_wants({"p.json": '{"format_version": "1.2", "planned_values": ' + "[" * 5000}) is None
    wants = plan_wants({"plans/p.json": json.dumps(_in_child_module(PLAN, "serving", "../infra/serving"))})
    assert wants is not None and wants.directories == {"plans", "infra/serving"}
    assert wants.wants("plans/prod.tfvars", "") and wants.wants("infra/serving/variables.tf", "")
    assert wants.wants("elsewhere/main.tf", 'module "serving" {\n  source = "x"\n}\n')
    assert wants.wants("elsewhere/main.tf", 'resource "aws_sagemaker_endpoint" "sagemaker_endpoint" {}\n')
    assert not wants.wants("elsewhere/main.tf", 'resource "aws_sagemaker_endpoint" "other" {}\n')


_NODE_GROUP_TF = """resource "aws_eks_node_group" "gpu" {
  cluster_name    = "ml"
  node_group_name = "gpu"
  node_role_arn   = "arn:aws:iam::111122223333:role/node"
  subnet_ids      = []
  instance_types  = []
  scaling_config {
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }
}
"""


def _node_group_plan(expressions: dict) -> dict:
    values = {
        "cluster_name": "ml", "node_group_name": "gpu", "node_role_arn": "arn:aws:iam::111122223333:role/node", "subnet_ids": [],
        "instance_types": [], "scaling_config": [{"desired_size": 1, "max_size": 2, "min_size": 1}], "remote_access": [], "taint": [],
    }
    resource = {"address": "aws_eks_node_group.gpu", "mode": "managed", "type": "aws_eks_node_group", "name": "gpu", "values": values, "sensitive_values": {}}
    configuration = {"address": "aws_eks_node_group.gpu", "mode": "managed", "type": "aws_eks_node_group", "name": "gpu", "expressions": expressions}
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}, "configuration": {"root_module": {"resources": [configuration]}}}


def test_an_empty_list_argument_of_a_plan_is_a_value_and_an_empty_block_list_is_absent(tmp_path):
    written = {name: {"constant_value": []} for name in ("subnet_ids", "instance_types")}
    written["scaling_config"] = [{"desired_size": {"constant_value": 1}}]
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(_NODE_GROUP_TF, encoding="utf-8")
    (from_tf,) = lint_paths([str(tmp_path / "tf")]).deployments
    (from_plan,) = lint_paths([str(_write(tmp_path / "plan" / "plan.json", _node_group_plan(written)))]).deployments
    assert from_plan.network is not None and from_plan.network.subnets == () and from_tf.network is not None and from_tf.network.subnets == ()
    (unwritten,) = lint_paths([str(_write(tmp_path / "computed" / "plan.json", _node_group_plan({})))]).deployments
    assert unwritten.network is None  # a computed default, not written: as before, nothing is read


def test_a_plans_profile_tag_problem_is_md004_at_the_tags_in_the_plan(tmp_path):
    plan = copy.deepcopy(PLAN)
    config = next(item for item in plan["planned_values"]["root_module"]["resources"] if item["type"] == "aws_sagemaker_endpoint_configuration")
    config["values"]["tags"] = {**(config["values"].get("tags") or {}), "mldeploy-lint:payload-mb": "lots"}
    path = _write(tmp_path / "plan.json", plan)
    result = lint_paths([str(path)])
    (problem,) = [finding for finding in result.findings if finding.rule_id == "MD004"]
    assert problem.message.endswith("payload-mb must be a number, got 'lots'")
    assert problem.span.path.endswith("plan.json")
    # At the resource's tags in the plan, as at the `tags` argument of a .tf file.
    line = path.read_text(encoding="utf-8").splitlines()[problem.span.line - 1]
    assert line.strip() == '"tags": {', line

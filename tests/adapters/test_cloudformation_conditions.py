"""Settings and resources a decided condition chooses, read as CloudFormation creates them.

tests/fixtures/conditions/ (written for this project): a block built by
`Fn::If` (ProductionVariants, AsyncInferenceConfig, a list item removed by
`AWS::NoValue`) is the branch its decided condition chooses, not a setting
left unset; a resource whose `Condition` is decided false is not created.
"""

from __future__ import annotations

from pathlib import Path

from linter import DeploymentKind
from linter.api import lint_paths

CONDITIONS = Path(__file__).resolve().parent.parent / "fixtures" / "conditions"


def _lint(name: str):
    return lint_paths([str(CONDITIONS / name)], context="none")


def test_variants_an_fn_if_chooses_are_the_configurations_variants():
    # Both branches hold variant Main: the target naming it scales it (it was AS002 "variants: none").
    result = _lint("min-variants-if.yaml")
    assert result.findings == ()
    assert [target.status.value for target in result.scaling_targets] == ["linked"]


def test_an_async_configuration_an_fn_if_chooses_makes_the_endpoint_asynchronous():
    # A 500 MB payload on an asynchronous endpoint is within its limit (it was EP001 against the real-time 6 MiB).
    result = _lint("async-if.yaml")
    (deployment,) = result.deployments
    assert deployment.kind.value is DeploymentKind.ASYNC
    assert "EP001" not in [finding.rule_id for finding in result.findings]


def test_a_variant_and_a_target_a_false_condition_removes_are_not_there():
    # The Canary variant (`!If [Canary, {...}, !Ref AWS::NoValue]`) and its target (`Condition: Canary`) are both
    # absent when Canary is false: no AS002 for a target that is not created.
    result = _lint("variants-if-false.yaml")
    assert result.findings == ()
    assert [str(unit.name.value) for unit in result.deployments[0].units] == ["Main"]


def test_a_resource_whose_condition_is_false_is_not_created():
    # The scalable target exists only in production (Stage defaults to dev): nothing scales the endpoint there,
    # and the target's own AS003/AS007 are not reported.
    result = _lint("cond-only.yaml")
    assert [finding.rule_id for finding in result.findings] == ["AS001"]
    assert result.scaling_targets == ()


def test_stage_files_choose_the_configuration_each_stage_creates():
    # ProdConfig (2 instances, scaled) exists only in prod, DevConfig only in dev: neither stage has a finding.
    result = _lint("two")
    assert result.findings == ()


def test_an_environment_tag_a_parameter_gives_is_not_the_parameters_name():
    # `Value: !Ref Stage` was read as the word "Stage" (staging): production rules were silent in production.
    alone = lint_paths([str(CONDITIONS / "tag-parameter" / "template.yaml")], context="none")
    assert not alone.deployments[0].environment.known  # its Default is not read as the tag's value
    staged = _lint("tag-parameter")
    assert staged.deployments[0].environment.value == "prod"
    assert sorted(finding.rule_id for finding in staged.findings) == ["AS001", "HA001"]


def test_variants_an_undecidable_fn_if_builds_are_not_known_rather_than_none():
    # No Default and no stage file: which variants exist is not known, so no target can be said to miss one
    # (it was AS002 "no variant 'Main' (variants: none)", an error).
    for name in ("min-variants-if-undecided.yaml", "variants-if-undecided.yaml"):
        result = _lint(name)
        assert "AS002" not in [finding.rule_id for finding in result.findings], name
        assert "unresolved" in [target.status.value for target in result.scaling_targets], name


def test_an_async_configuration_an_undecidable_fn_if_builds_leaves_the_kind_unknown():
    # Asynchronous or real-time is not known: EP001 is not judged against the real-time limit.
    result = _lint("async-if-undecided.yaml")
    (deployment,) = result.deployments
    assert not deployment.kind.known and "AsyncInferenceConfig depends on a condition" in deployment.kind.note
    assert "EP001" not in [finding.rule_id for finding in result.findings]

"""Stage files: a CloudFormation template judged once per parameter file beside it.

The real files are a SageMaker Projects template with its CodePipeline
`prod-config.json` and `staging-config.json` (tests/fixtures/parameter-files/
sagemaker-project) and a template whose resources carry the
`sagemaker:deployment-stage` tag, deployed with CLI parameter lists
(parameter-files/secure-mlops); see tests/fixtures/SOURCES.md.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from linter.api import lint_paths
from linter.config import Config
from linter.engine import LintOptions
from linter.explain import explain_text
from linter.model import Environment, Provenance

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parameter-files"
PROJECT = FIXTURES / "sagemaker-project"
SECURE = FIXTURES / "secure-mlops"


def _by_rule(result, rule_id):
    return [finding for finding in result.findings if finding.rule_id == rule_id]


def _options(tmp_path: Path, **settings) -> LintOptions:
    return LintOptions(config=Config(str(tmp_path / "mldeploy-lint.toml"), str(tmp_path), settings))


# --- the SageMaker Projects template with its CodePipeline stage files ------------------------------


def test_a_single_instance_endpoint_is_a_finding_under_the_prod_stage_file_only():
    result = lint_paths([str(PROJECT)])
    (single,) = _by_rule(result, "HA001")
    assert single.variants == ("prod-config.json",)
    assert single.message.endswith("(with prod-config.json)")
    assert single.path.endswith("endpoint-config-template.yml")
    # The count comes from the stage file, which the finding points at as well.
    assert any(span.path.endswith("prod-config.json") for span, _ in single.related)
    assert not any("staging-config.json" in finding.variants for finding in _by_rule(result, "HA001"))


def test_each_stage_is_read_with_its_own_parameters_and_environment():
    result = lint_paths([str(PROJECT)])
    by_stage = {deployment.variant.value: deployment for deployment in result.deployments}
    assert set(by_stage) == {"prod-config.json", "staging-config.json"}
    prod, staging = by_stage["prod-config.json"], by_stage["staging-config.json"]
    assert prod.id == staging.id  # the same endpoint, judged twice
    assert prod.name.value == "${SageMakerProjectName}-prod"  # StageName from the stage file, through !Sub
    assert staging.name.value == "${SageMakerProjectName}-staging"
    assert prod.units[0].count.value == 1 and prod.units[0].compute.instance_type.value == "ml.m5.large"
    assert prod.environment.value is Environment.PROD and prod.environment.provenance is Provenance.INFERRED
    assert "prod-config.json" in prod.environment.note
    assert staging.environment.value is Environment.STAGING


def test_stage_files_are_context_never_findings_or_unread_files():
    result = lint_paths([str(PROJECT)])
    assert not [finding for finding in result.findings if finding.path.endswith(".json")]
    assert {summary.path.rsplit("/", 1)[-1] for summary in result.files if summary.recognised} == {
        "endpoint-config-template.yml",
        "prod-config.json",
        "staging-config.json",
    }


def test_a_template_without_stage_files_is_judged_once_as_before(tmp_path):
    shutil.copy(PROJECT / "endpoint-config-template.yml", tmp_path)
    result = lint_paths([str(tmp_path)])
    assert [deployment.variant.known for deployment in result.deployments] == [False]
    assert not any(finding.variants for finding in result.findings)
    assert not _by_rule(result, "HA001")  # no stage, no count: nothing to say about production


def test_pre_commit_with_only_the_template_reads_its_stage_files_as_context():
    result = lint_paths([str(PROJECT / "endpoint-config-template.yml")])
    assert [finding.variants for finding in _by_rule(result, "HA001")] == [("prod-config.json",)]
    assert [summary.path.rsplit("/", 1)[-1] for summary in result.files] == ["endpoint-config-template.yml"]


def test_pre_commit_with_only_a_stage_file_judges_its_template_with_that_stage_file():
    prod = lint_paths([str(PROJECT / "prod-config.json")])
    assert {deployment.variant.value for deployment in prod.deployments} == {"prod-config.json"}
    (single,) = _by_rule(prod, "HA001")
    assert single.path.endswith("endpoint-config-template.yml")
    staging = lint_paths([str(PROJECT / "staging-config.json")])
    assert {deployment.variant.value for deployment in staging.deployments} == {"staging-config.json"}
    assert not _by_rule(staging, "HA001")


def test_without_context_the_template_is_judged_as_written():
    result = lint_paths([str(PROJECT / "endpoint-config-template.yml")], context="none")
    assert not any(deployment.variant.known for deployment in result.deployments)


def test_a_stage_file_naming_a_parameter_the_template_lacks_is_not_its_stage_file(tmp_path):
    shutil.copy(PROJECT / "endpoint-config-template.yml", tmp_path)
    (tmp_path / "prod-config.json").write_text('{"Parameters": {"StageName": "prod", "Unknown": "1"}}')
    result = lint_paths([str(tmp_path)])
    assert not any(deployment.variant.known for deployment in result.deployments)


def test_explain_shows_the_stage_and_where_its_environment_came_from():
    result = lint_paths([str(PROJECT)])
    text = explain_text(result.deployments, result.scaling_targets)
    assert "with prod-config.json" in text and "with staging-config.json" in text
    assert "variant: prod-config.json" in text
    assert "the stage file's name prod-config.json names 'prod'" in text


# --- CLI parameter lists and the sagemaker:deployment-stage tag --------------------------------------


def test_cli_parameter_lists_are_stage_files_and_the_deployment_stage_tag_names_the_environment():
    result = lint_paths([str(SECURE)])
    by_stage = {deployment.variant.value: deployment for deployment in result.deployments}
    assert set(by_stage) == {"prod-config-template.json", "staging-config-template.json"}
    prod = by_stage["prod-config-template.json"]
    # `sagemaker:deployment-stage: !Ref EnvType`, and the stage file sets EnvType: declared, not guessed.
    assert prod.environment.value is Environment.PROD
    assert prod.environment.provenance is Provenance.DECLARED
    assert "sagemaker:deployment-stage" in prod.environment.note
    assert prod.units[0].count.value == 2
    assert by_stage["staging-config-template.json"].environment.value is Environment.STAGING
    burstable = _by_rule(result, "CP004")
    assert [finding.variants for finding in burstable] == [("prod-config-template.json",)]


def test_the_deployment_stage_tag_without_a_stage_file_does_not_read_the_default(tmp_path):
    options = _options(tmp_path, environments={"path-words": False})  # only what the files say
    result = lint_paths([str(SECURE / "cfn-sm-endpoint-template.yaml")], options, context="none")
    (deployment,) = result.deployments
    assert not deployment.environment.known  # EnvType's Default is dev, but a pipeline sets it


def test_a_literal_deployment_stage_tag_names_the_environment(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(
        _ENDPOINT.replace("    Properties:\n      ProductionVariants", "    Properties:\n" + _TAGGED + "      ProductionVariants", 1)
        .replace("!Ref InstanceCount", "1")
        .replace("!Ref InstanceType", "ml.m5.large")
    )
    (deployment,) = lint_paths([str(tmp_path)], context="none").deployments
    assert deployment.environment.value is Environment.PROD
    assert deployment.environment.note == "tag EnvironmentType=production"


# --- merging, fingerprints, configuration, conditions ----------------------------------------------

_ENDPOINT = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  StageName: {Type: String}
  InstanceType: {Type: String, Default: ml.m5.large}
  InstanceCount: {Type: Number, Default: 2}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: churn
          InstanceType: !Ref InstanceType
          InitialInstanceCount: !Ref InstanceCount
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: churn
      EndpointConfigName: !GetAtt Config.EndpointConfigName
"""
_TAGGED = "      Tags:\n        - {Key: EnvironmentType, Value: production}\n"


def _stage(directory: Path, name: str, **parameters) -> None:
    (directory / name).write_text(json.dumps({"Parameters": parameters}))


def test_findings_identical_under_several_stage_files_are_one_finding_naming_them_all(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_ENDPOINT)
    _stage(tmp_path, "blue.json", InstanceType="ml.x9.large")
    _stage(tmp_path, "green.json", InstanceType="ml.x9.large")
    _stage(tmp_path, "red.json", InstanceType="ml.x9.xlarge")
    unknown = _by_rule(lint_paths([str(tmp_path)]), "CP005")
    assert sorted(finding.variants for finding in unknown) == [("blue.json", "green.json"), ("red.json",)]
    merged = next(finding for finding in unknown if len(finding.variants) == 2)
    assert merged.message.endswith("(with blue.json, green.json)")
    assert "ml.x9.large" in merged.message
    assert {span.path.rsplit("/", 1)[-1] for span, _ in merged.related} == {"blue.json", "green.json"}


def test_fingerprints_are_distinct_per_stage_and_stable(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_ENDPOINT)
    _stage(tmp_path, "blue.json", InstanceType="ml.x9.large")
    _stage(tmp_path, "red.json", InstanceType="ml.x9.large", InstanceCount="3")
    first = _by_rule(lint_paths([str(tmp_path)]), "CP005")
    assert [finding.variants for finding in first] == [("blue.json", "red.json")]
    _stage(tmp_path, "red.json", InstanceType="ml.x9.large", InstanceCount="4")  # not part of the finding
    again = _by_rule(lint_paths([str(tmp_path)]), "CP005")
    assert [finding.fingerprint for finding in again] == [first[0].fingerprint]
    _stage(tmp_path, "red.json", InstanceType="ml.x9.xlarge")
    split = _by_rule(lint_paths([str(tmp_path)]), "CP005")
    fingerprints = {finding.variants: finding.fingerprint for finding in split}
    assert set(fingerprints) == {("blue.json",), ("red.json",)}
    assert len(set(fingerprints.values()) | {first[0].fingerprint}) == 3


def test_stage_tags_name_the_environment(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_ENDPOINT)
    (tmp_path / "blue.json").write_text(
        json.dumps({"Parameters": {"InstanceCount": "1"}, "Tags": {"sagemaker:deployment-stage": "prod"}})
    )
    result = lint_paths([str(tmp_path)])
    (deployment,) = result.deployments
    assert deployment.environment.value is Environment.PROD
    assert deployment.environment.note == "tag sagemaker:deployment-stage=prod in blue.json"
    assert [finding.variants for finding in _by_rule(result, "HA001")] == [("blue.json",)]


def test_a_configured_stage_parameter_set_by_the_stage_file_names_the_environment(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_ENDPOINT)
    _stage(tmp_path, "one.json", StageName="Production", InstanceCount="1")
    _stage(tmp_path, "two.json", StageName="dev", InstanceCount="1")
    options = _options(tmp_path, environments={"parameters": ["StageName"]})
    result = lint_paths([str(tmp_path)], options)
    environments = {deployment.variant.value: deployment.environment for deployment in result.deployments}
    assert environments["one.json"].value is Environment.PROD
    assert environments["one.json"].note == "parameter StageName (configured) is 'Production' in one.json"
    assert environments["two.json"].value is Environment.DEV
    assert [finding.variants for finding in _by_rule(result, "HA001")] == [("one.json",)]


_CONDITIONAL = _ENDPOINT.replace(
    "Resources:",
    "Conditions:\n  IsProdEnv: !Equals [!Ref StageName, eu-main]\nResources:",
).replace("!Ref InstanceCount", "!If [IsProdEnv, 1, 3]")


def test_a_condition_on_the_stage_parameter_decided_by_the_stage_file_names_the_environment_and_picks_its_branch(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_CONDITIONAL)
    _stage(tmp_path, "main.json", StageName="eu-main")
    _stage(tmp_path, "canary.json", StageName="eu-canary")
    result = lint_paths([str(tmp_path)], _options(tmp_path, environments={"parameters": ["StageName"], "path-words": False}))
    by_stage = {deployment.variant.value: deployment for deployment in result.deployments}
    main = by_stage["main.json"]
    assert main.environment.value is Environment.PROD
    assert main.environment.note == "condition IsProdEnv holds: parameter StageName (configured) is 'eu-main' in main.json"
    assert main.units[0].count.value == 1
    assert by_stage["canary.json"].units[0].count.value == 3
    assert not by_stage["canary.json"].environment.known
    assert [finding.variants for finding in _by_rule(result, "HA001")] == [("main.json",)]


def test_without_a_stage_file_the_production_condition_keeps_both_branches(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(_CONDITIONAL)
    (deployment,) = lint_paths([str(tmp_path)], _options(tmp_path, environments={"parameters": ["StageName"]})).deployments
    assert not deployment.units[0].count.known
    assert set(deployment.units[0].count.options) == {1, 3}


def test_configuration_maps_templates_to_stage_files_elsewhere(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "params").mkdir()
    (tmp_path / "templates" / "endpoint.yaml").write_text(_ENDPOINT)
    _stage(tmp_path / "templates", "beside.json", InstanceType="ml.m5.xlarge")  # not listed: not used
    _stage(tmp_path / "params", "prod.json", InstanceCount="1")
    _stage(tmp_path / "params", "dev.json", InstanceCount="1")
    options = _options(tmp_path, **{"parameter-files": {"templates/endpoint.yaml": ["params/*.json"]}})
    result = lint_paths([str(tmp_path)], options)
    assert {deployment.variant.value for deployment in result.deployments} == {"prod.json", "dev.json"}
    assert [finding.variants for finding in _by_rule(result, "HA001")] == [("prod.json",)]
    unmapped = lint_paths([str(tmp_path)])
    assert {deployment.variant.value for deployment in unmapped.deployments} == {"beside.json"}


def test_rules_over_the_whole_run_see_each_stage_on_its_own(tmp_path):
    """Three endpoints serving one image, read under two stage files, are three endpoints, not six (EP006 needs five)."""
    resources = ["Resources:"]
    for letter in "abc":
        resources.append(
            f"""\
  Config{letter}:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {{VariantName: AllTraffic, ModelName: !GetAtt Model{letter}.ModelName, InstanceType: !Ref InstanceType, InitialInstanceCount: 1}}
  Model{letter}:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer: {{Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}}
  Endpoint{letter}:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: churn-{letter}
      EndpointConfigName: !GetAtt Config{letter}.EndpointConfigName"""
        )
    (tmp_path / "endpoints.yaml").write_text("Parameters:\n  InstanceType: {Type: String}\n" + "\n".join(resources) + "\n")
    _stage(tmp_path, "blue.json", InstanceType="ml.m5.large")
    _stage(tmp_path, "green.json", InstanceType="ml.m5.large")
    result = lint_paths([str(tmp_path)])
    assert len(result.deployments) == 6
    assert not _by_rule(result, "EP006")
    _stage(tmp_path, "blue.json")  # sanity: the same run with the endpoints written twice over does fire
    twice = tmp_path / "twice"
    twice.mkdir()
    text = (tmp_path / "endpoints.yaml").read_text().replace("!Ref InstanceType", "ml.m5.large")
    (twice / "one.yaml").write_text(text)
    (twice / "two.yaml").write_text(text.replace("churn-", "other-"))
    assert _by_rule(lint_paths([str(twice)]), "EP006")


# --- reports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "sarif"])
def test_json_and_sarif_reports_carry_the_stage_files(cli, output):
    result = cli(str(PROJECT), "--format", output)
    document = json.loads(result.out)
    if output == "json":
        stages = [finding.get("variants") for finding in document["findings"] if finding["rule"] == "HA001"]
    else:
        results = document["runs"][0]["results"]
        stages = [item.get("properties", {}).get("variants") for item in results if item["ruleId"] == "HA001"]
    assert stages == [["prod-config.json"]]


def test_the_configuration_key_is_validated(tmp_path):
    from linter.config import ConfigError, load_config

    good = tmp_path / "mldeploy-lint.toml"
    good.write_text('[parameter-files]\n"deploy/endpoint.yaml" = ["deploy/params/*.json"]\n')
    assert load_config(str(good)).get("parameter-files") == {"deploy/endpoint.yaml": ["deploy/params/*.json"]}
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameter-files]\n"deploy/endpoint.yaml" = "deploy/params/prod.json"\n')
    with pytest.raises(ConfigError, match="parameter-files"):
        load_config(str(bad))
    costly = tmp_path / "costly.toml"
    costly.write_text('[parameter-files]\n"deploy/endpoint.yaml" = ["a*a*a*a*a*a*b"]\n')
    with pytest.raises(ConfigError, match="parameter-files"):
        load_config(str(costly))


def test_a_suppression_comment_in_the_template_holds_when_only_its_stage_file_is_named(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(
        _ENDPOINT.replace(
            "InitialInstanceCount: !Ref InstanceCount",
            "InitialInstanceCount: !Ref InstanceCount  # mldeploy-lint: disable=HA001 -- a pilot, one instance on purpose",
        )
    )
    (tmp_path / "blue.json").write_text(
        json.dumps({"Parameters": {"InstanceCount": "1"}, "Tags": {"EnvironmentType": "prod"}})
    )
    (single,) = _by_rule(lint_paths([str(tmp_path / "blue.json")]), "HA001")
    assert single.path.endswith("endpoint.yaml") and single.variants == ("blue.json",)
    assert single.suppression is not None


# --- many templates and stage files: each matched once per run, with the same answers -------------


def _many_templates(root: Path) -> dict[str, set[str]]:
    """Four directories of six templates, each with stage files that suit every template, the odd ones or none.

    Returns each template's stage labels as `stages_of`'s contract gives them.
    """
    expected: dict[str, set[str]] = {}
    for number in range(4):
        directory = root / f"service-{number}"
        directory.mkdir()
        for index in range(6):
            template = directory / f"endpoint-{index}.yaml"
            regional = "Parameters:\n  Region: {Type: String}\n" if index % 2 else "Parameters:\n"
            template.write_text(_ENDPOINT.replace("Parameters:\n", regional, 1).replace("churn", f"churn-{number}-{index}"))
            expected[str(template)] = {"prod.json", "eu.json"} if index % 2 else {"prod.json"}
        _stage(directory, "prod.json", InstanceCount="3")
        _stage(directory, "eu.json", Region="eu-west-1")  # only templates declaring Region take it
        _stage(directory, "other.json", Unknown="1")  # no template declares Unknown
    # One template mapped to stage files of other directories: two share a name, so their labels are paths.
    mapped = root / "service-0" / "endpoint-0.yaml"
    expected[str(mapped)] = {"eu.json", "other.json", str(root / "service-1" / "prod.json"), str(root / "service-2" / "prod.json")}
    return expected


def _variants_by_template(result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for deployment in result.deployments:
        found.setdefault(deployment.path, set()).add(deployment.variant.value)
    return found


def test_many_templates_and_stage_files_each_take_their_own_stage_files(tmp_path):
    (tmp_path / ".git").mkdir()  # the repository a stage file linted alone is read with
    expected = _many_templates(tmp_path)
    mapping = {"service-0/endpoint-0.yaml": ["service-1/*.json", "service-2/prod.json"]}
    options = _options(tmp_path, **{"parameter-files": mapping})
    assert _variants_by_template(lint_paths([str(tmp_path)], options)) == expected
    # A stage file linted alone finds every template it applies to (beside it, and mapped from elsewhere).
    alone = lint_paths([str(tmp_path / "service-1" / "eu.json")], options, context="repository")
    odd = {str(tmp_path / "service-1" / f"endpoint-{index}.yaml") for index in (1, 3, 5)}
    assert _variants_by_template(alone) == {**{path: {"eu.json"} for path in odd}, str(tmp_path / "service-0" / "endpoint-0.yaml"): {"eu.json"}}
    assert _variants_by_template(lint_paths([str(tmp_path / "service-3" / "other.json")], options, context="repository")) == {}


def test_each_template_is_matched_with_stage_files_once_per_run(tmp_path, monkeypatch):
    from linter import load_text
    from linter.engine import RunContext
    from plugins.adapters.cloudformation import stages
    from plugins.adapters.cloudformation.template import is_template

    _many_templates(tmp_path)
    documents = tuple(
        document for path in sorted(tmp_path.rglob("*.*")) if path.is_file() for document in load_text(str(path), path.read_text()).documents
    )
    run = RunContext(documents, _options(tmp_path))
    worked: list[str] = []
    stages_for = stages._stages_for
    monkeypatch.setattr(stages, "_stages_for", lambda template, run: worked.append(template.path) or stages_for(template, run))
    templates = [document for document in documents if is_template(document)]
    stage_files = [stages.read_stage_file(document) for document in documents if not is_template(document)]
    for _ in range(2):
        first = {template.path: stages.stages_of(template, run) for template in templates}
        for stage in stage_files:
            # The contract `templates_of` keeps, whatever index it answers from.
            assert stages.templates_of(stage, run) == [
                template for template in templates if any(other.path == stage.path for _, other in first[template.path])
            ]
    assert sorted(worked) == sorted(template.path for template in templates)
    assert {label for found in first.values() for label, _ in found} == {"prod.json", "eu.json"}
    # Each document is read as a stage file once per run: the same answer as reading it, every time asked.
    for document in documents:
        read = stages.read_stage_file(document)
        kept = stages.stage_file_of(document, run)
        assert kept is stages.stage_file_of(document, run)
        assert (kept.path, kept.parameters) == (read.path, read.parameters) if read else kept is None
    # A template that is not one of the run's documents is answered alike, and not kept.
    (outsider,) = load_text(templates[0].path, Path(templates[0].path).read_text()).documents
    assert stages.stages_of(outsider, run) == first[outsider.path] == stages.stages_of(outsider, run)
    assert worked.count(outsider.path) == 3

"""The configuration file: discovery, validation, precedence, environment recognition."""

from __future__ import annotations

import json

import pytest

TEMPLATE = """\
Parameters:
  Stage: {Type: String, Default: production}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload: {payload-mb: 50}
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: m, ServerlessConfig: {MemorySizeInMB: 2048, MaxConcurrency: 5}}
"""


def _environment(cli, *args) -> dict:
    result = cli("explain", "--deployments", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)["deployments"][0].get("environment", {})


@pytest.fixture
def project(chdir_tmp):
    (chdir_tmp / ".git").mkdir()  # discovery stops at the repository root
    (chdir_tmp / "deploy" / "live").mkdir(parents=True)
    (chdir_tmp / "deploy" / "live" / "scorer.yaml").write_text(TEMPLATE)
    return chdir_tmp


def test_no_config_means_defaults(cli, project):
    result = cli("deploy")
    assert result.code == 1
    assert "EP001" in result.out
    # `live` is a stage word in the path: prod, inferred
    assert _environment(cli, "deploy")["note"] == "the path names 'live'"


def test_parameters_are_read_only_when_configured(cli, project):
    (project / "mldeploy-lint.toml").write_text('[environments]\nparameters = ["Stage"]\npath-words = false\n')
    environment = _environment(cli, "deploy")
    assert environment["value"] == "prod"
    assert environment["note"] == "parameter Stage (configured) defaults to 'production'"
    (project / "mldeploy-lint.toml").write_text("[environments]\npath-words = false\n")
    assert _environment(cli, "deploy") == {}


def test_path_globs_win_over_path_words(cli, project):
    (project / "mldeploy-lint.toml").write_text('[environments.paths]\nstaging = ["deploy/live/**"]\n')
    environment = _environment(cli, "deploy")
    assert environment["value"] == "staging"
    assert environment["how"] == "declared"


def test_pyproject_table_and_precedence(cli, project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mldeploy-lint]\nignore = ["EP001"]\nfail-on = "never"\n'
    )
    assert cli("deploy").code == 0
    assert "EP001" not in cli("deploy").out
    # command-line --fail-on wins; --select cannot re-enable what config ignores... but --no-config can
    assert cli("--fail-on", "error", "deploy").code == 0
    assert cli("--no-config", "deploy").code == 1


def test_config_found_from_a_subdirectory(cli, project, monkeypatch):
    (project / "mldeploy-lint.toml").write_text('ignore = ["EP"]\n')
    monkeypatch.chdir(project / "deploy")
    assert cli("live").code == 0


def test_explicit_config_file(cli, project):
    (project / "ci.toml").write_text('select = ["CV"]\n')
    assert cli("--config", "ci.toml", "deploy").code == 0
    assert cli("--config", "missing.toml", "deploy").code == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('selct = ["EP"]\n', "unknown setting 'selct' in top level"),
        ('fail-on = "sometimes"\n', "fail-on: 'sometimes' is not one of"),
        ("select = 'EP'\n", "select: 'EP' is not of type 'array'"),
        ("[environments]\nparamters = []\n", "unknown setting 'paramters' in environments"),
        ("select = [\n", "invalid TOML"),
        ('select = ["XX"]\n', "unknown rule selector 'XX'"),
        ('environment = "moon"\n', "unknown environment 'moon'"),
    ],
)
def test_bad_config_is_a_usage_error_naming_the_key(cli, project, text, message):
    (project / "mldeploy-lint.toml").write_text(text)
    result = cli("deploy")
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


DATA_TEMPLATE = """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer: {Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-fraud-scorer:7}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: A, ModelName: !GetAtt Model.ModelName, InstanceType: ml.x9.large, InitialInstanceCount: 2}
"""


def _model(cli, *args) -> dict:
    result = cli("explain", "--deployments", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)["deployments"][0]


def test_configuration_extends_the_data_tables(cli, project):
    (project / "deploy" / "live" / "scorer.yaml").write_text(DATA_TEMPLATE)
    plain = _model(cli, "deploy")
    assert "framework" not in plain["models"][0]
    assert "accelerator" not in plain["units"][0]["compute"]
    (project / "mldeploy-lint.toml").write_text(
        "[data.instance-types]\nhosting = ['ml.x9.large']\n\n"
        "[data.instance-families.x9]\naccelerator = 'gpu'\naccelerator-count = 2\n\n"
        "[[data.images]]\nrepository = 'acme-fraud-scorer'\nframework = 'xgboost'\n"
    )
    extended = _model(cli, "deploy")
    assert extended["models"][0]["framework"]["value"] == "xgboost"
    assert extended["units"][0]["compute"]["accelerator"]["value"] == "gpu"
    assert extended["units"][0]["compute"]["accelerator_count"]["value"] == 2
    import linter
    from plugins import data

    assert "ml.x9.large" not in data.valid_instance_types("hosting")  # outside a run: the shipped tables
    assert not hasattr(linter, "current_config")  # configuration reaches plugins through the run only


# The same private image and instance family, written for each adapter that infers facts from them.
DATA_BY_ADAPTER = {
    "k8s.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml}
spec:
  replicas: 2
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - {name: scorer, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-fraud-scorer:7}
""",
    "ack.yaml": """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Model
metadata: {name: scorer-model}
spec:
  modelName: scorer-model
  primaryContainer: {image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-fraud-scorer:7}
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata: {name: scorer-config}
spec:
  endpointConfigName: scorer-config
  productionVariants:
    - {variantName: A, modelName: scorer-model, instanceType: ml.x9.large, initialInstanceCount: 2}
""",
    "nodepool.yaml": """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: gpu}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [x9]}
""",
    "main.tf": """\
resource "aws_sagemaker_model" "m" {
  name = "scorer-model"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-fraud-scorer:7"
  }
}

resource "aws_sagemaker_endpoint_configuration" "c" {
  name = "scorer-config"
  production_variants {
    variant_name           = "A"
    model_name             = aws_sagemaker_model.m.name
    instance_type          = "ml.x9.large"
    initial_instance_count = 2
  }
}
""",
    "api.json": '{"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "A", "ModelName": "m", '
    '"InstanceType": "ml.x9.large", "InitialInstanceCount": 2}]}',
    "sm.json": '{"StartAt": "Train", "States": {"Train": {"Type": "Task", '
    '"Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync", "End": true, "Parameters": {'
    '"AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-fraud-scorer:7"}, '
    '"ResourceConfig": {"InstanceType": "ml.x9.large", "InstanceCount": 1}}}}}',
}


def test_every_adapter_reads_with_the_runs_data_section(cli, project):
    for name, text in DATA_BY_ADAPTER.items():
        (project / "deploy" / name).write_text(text)

    def facts() -> dict:
        result = cli("explain", "--deployments", "--format", "json", "deploy")
        assert result.code == 0, result.err
        found = {}
        for deployment in json.loads(result.out)["deployments"]:
            name = deployment["id"].split("#")[0].rsplit("/", 1)[-1]
            if name not in DATA_BY_ADAPTER:
                continue
            compute = deployment["units"][0].get("compute", {})
            framework = (deployment.get("models") or [{}])[0].get("framework")
            found[name] = (
                compute.get("accelerator", {}).get("value"),
                framework["value"] if framework else None,
            )
        return found

    assert facts() == {
        "k8s.yaml": ("none", None),  # the pod requests no accelerator
        "ack.yaml": (None, None),
        "nodepool.yaml": (None, None),
        "main.tf": (None, None),
        "api.json": (None, None),
        "sm.json": (None, None),
    }
    (project / "mldeploy-lint.toml").write_text(
        "[data.instance-families.x9]\naccelerator = 'gpu'\n\n"
        "[[data.images]]\nrepository = 'acme-fraud-scorer'\nframework = 'xgboost'\n"
    )
    assert facts() == {
        "k8s.yaml": ("none", "xgboost"),
        "ack.yaml": ("gpu", "xgboost"),
        "nodepool.yaml": ("gpu", None),
        "main.tf": ("gpu", "xgboost"),
        "api.json": ("gpu", None),
        "sm.json": ("gpu", "xgboost"),
    }


def test_bad_data_section_names_the_key(cli, project):
    (project / "mldeploy-lint.toml").write_text("[[data.images]]\nframework = 'xgboost'\n")
    result = cli("deploy")
    assert result.code == 2
    assert "data.images.0" in result.err


NAMESPACED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: scoring-eu1}
spec:
  replicas: 2
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers: [{name: s, image: "ghcr.io/acme/scorer:1"}]
"""


def test_namespace_patterns_name_the_stage(cli, chdir_tmp):
    (chdir_tmp / ".git").mkdir()
    (chdir_tmp / "deploy.yaml").write_text(NAMESPACED)
    assert _environment(cli, "deploy.yaml") == {}
    (chdir_tmp / "mldeploy-lint.toml").write_text('[environments.namespaces]\ndev = ["scoring-*"]\nprod = ["scoring-eu?"]\n')
    environment = _environment(cli, "deploy.yaml")
    assert (environment["value"], environment["how"]) == ("prod", "declared")  # prod is tried first
    assert environment["note"] == "namespace 'scoring-eu1' matches 'scoring-eu?' (configured)"
    (chdir_tmp / "deploy.yaml").write_text(NAMESPACED.replace("scoring-eu1", "ml-prod"))
    assert _environment(cli, "deploy.yaml")["note"] == "namespace 'ml-prod' names 'prod'"  # no pattern matches: the word


def test_namespace_patterns_are_validated(cli, chdir_tmp):
    (chdir_tmp / "mldeploy-lint.toml").write_text('[environments.namespaces]\nproduction = ["x"]\n')
    (chdir_tmp / "deploy.yaml").write_text(NAMESPACED)
    result = cli("deploy.yaml")
    assert result.code == 2 and "production" in result.err


def test_a_product_named_production_stack_is_not_production(cli, chdir_tmp):
    (chdir_tmp / ".git").mkdir()
    (chdir_tmp / "production-stack" / "examples").mkdir(parents=True)
    (chdir_tmp / "production-stack" / "examples" / "scorer.yaml").write_text(NAMESPACED.replace("scoring-eu1", "ml"))
    assert _environment(cli, "production-stack") == {}
    (chdir_tmp / "production-stack" / "prod").mkdir()
    (chdir_tmp / "production-stack" / "prod" / "scorer.yaml").write_text(NAMESPACED.replace("scoring-eu1", "ml"))
    assert _environment(cli, "production-stack/prod")["note"] == "the path names 'prod'"

"""The pre-commit hook, run by the real `pre-commit try-repo` on commits in a scratch Git repository.

`try-repo` installs this checkout (with its uncommitted changes to tracked
files: it commits them to a shadow clone first) into a virtual environment of its own,
exactly as a user's `pre-commit install` would install a release, and runs
the hook on the scratch repository's staged files.

try-repo builds that environment in a temporary store of its own on every
call (`PRE_COMMIT_HOME` is not used for it), about 20 s with a warm pip cache
and 45 s with a cold one, so this module makes two calls: one commit that
fails and one that passes. A fast test keeps the README's snippet pointing
at this project, its release and its hook.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import run_cli

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent

# What pip prints when it cannot reach a package index: the only failure to
# build the hook's environment that skips these tests instead of failing them.
OFFLINE_MARKERS = (
    "No matching distribution found",
    "Could not find a version that satisfies the requirement",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
)

DEPLOYMENT = textwrap.dedent(
    """\
    # A production vLLM service, spread over zones, scaled by hpa.yaml.
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
      namespace: assistant
      labels:
        app: chat
        environment: production
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: chat
      template:
        metadata:
          labels:
            app: chat
        spec:
          topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: topology.kubernetes.io/zone
              whenUnsatisfiable: DoNotSchedule
              labelSelector:
                matchLabels:
                  app: chat
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.8.5
              startupProbe:
                httpGet: {path: /health, port: 8000}
                failureThreshold: 90
              readinessProbe:
                httpGet: {path: /health, port: 8000}
              resources:
                limits:
                  nvidia.com/gpu: "1"
    """
)

HPA = textwrap.dedent(
    """\
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: chat
      namespace: assistant
    spec:
      scaleTargetRef:
        apiVersion: apps/v1
        kind: Deployment
        name: chat
      minReplicas: 3
      maxReplicas: 8
      metrics:
        - type: Pods
          pods:
            metric:
              name: vllm_num_requests_waiting
            target:
              type: AverageValue
              averageValue: "5"
    """
)

PDB = textwrap.dedent(
    """\
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: chat
      namespace: assistant
    spec:
      maxUnavailable: 1
      selector:
        matchLabels:
          app: chat
    """
)

# An XGBoost model on a GPU: CP001.
BAD_MANIFEST = textwrap.dedent(
    """\
    apiVersion: serving.kserve.io/v1beta1
    kind: InferenceService
    metadata:
      name: recommender
      namespace: recsys
    spec:
      predictor:
        minReplicas: 2
        maxReplicas: 4
        model:
          modelFormat:
            name: xgboost
          storageUri: s3://example-models/recommender/
          resources:
            limits:
              nvidia.com/gpu: "1"
    """
)

# A serverless memory size SageMaker rejects: CV001, in a `*.template` file,
# which a `types_or: [yaml, json]` hook would never have been passed.
BAD_TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Model:
        Type: AWS::SageMaker::Model
        Properties:
          ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
          PrimaryContainer:
            Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
      ServerlessConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: !GetAtt Model.ModelName
              ServerlessConfig:
                MemorySizeInMB: 1500
                MaxConcurrency: 5
    """
)


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """The environment of every git and pre-commit process: no outer repository, a scratch pre-commit home."""
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a Git checkout: pre-commit try-repo needs one")
    # A test run started from a Git hook inherits GIT_DIR, GIT_INDEX_FILE and
    # friends, which would point every git command below at the outer repository.
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),  # its log, not the user's cache
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


def _git(repository: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repository, env=env, check=True, capture_output=True)


def _repository(root: Path, env: dict[str, str], committed: dict[str, str]) -> Path:
    """A Git repository at `root` whose first commit holds `committed` (path: text)."""
    root.mkdir()
    _git(root, env, "init", "-q")
    _write(root, committed)
    _git(root, env, "add", "--all")
    _git(root, env, "commit", "-q", "--allow-empty", "-m", "initial")
    return root


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _try_repo(repository: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the hook on `repository`'s staged files as `pre-commit try-repo` does; skip when offline."""
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "mldeploy-lint", "--verbose", "--color", "never"]
    result = subprocess.run(command, cwd=repository, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    if result.returncode != 0 and "Installing environment for" in output and "pip" in output:
        offline = [line.strip() for line in output.splitlines() if any(marker in line for marker in OFFLINE_MARKERS)]
        if offline:
            pytest.skip("pre-commit cannot build the hook's environment offline: " + " / ".join(dict.fromkeys(offline)))
    return result


@pytest.mark.slow
def test_a_commit_with_a_bad_manifest_and_a_bad_template_fails_with_their_rule_ids(tmp_path, environment):
    repository = _repository(tmp_path / "repository", environment, {"README.md": "scratch\n"})
    # Eight more files: without require_serial, pre-commit would split ten
    # files over processes (four or more to each) and print a summary for each.
    settings = {f"settings/team-{number}.yaml": f"team: {number}\n" for number in range(8)}
    _write(repository, {"k8s/recommender.yaml": BAD_MANIFEST, "cfn/endpoint.template": BAD_TEMPLATE, **settings})
    _git(repository, environment, "add", "--all")

    result = _try_repo(repository, environment)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "mldeploy-lint" in result.stdout and "Failed" in result.stdout
    assert "k8s/recommender.yaml" in result.stdout and "CP001" in result.stdout
    assert "cfn/endpoint.template" in result.stdout and "CV001" in result.stdout
    # One process for both files (require_serial), so one summary, and a true one.
    summaries = [line for line in result.stdout.splitlines() if line.startswith(("Found ", "No problems found"))]
    assert len(summaries) == 1 and summaries[0].startswith("Found "), result.stdout
    assert "in 2 of 10 files" in summaries[0], summaries[0]


@pytest.mark.slow
def test_a_good_change_passes_and_an_unchanged_hpa_still_scales_it(tmp_path, environment, monkeypatch):
    repository = _repository(
        tmp_path / "repository",
        environment,
        {"deploy/deployment.yaml": DEPLOYMENT, "deploy/hpa.yaml": HPA, "deploy/pdb.yaml": PDB},
    )
    _write(repository, {"deploy/deployment.yaml": DEPLOYMENT.replace("replicas: 3", "replicas: 4")})
    _git(repository, environment, "add", "deploy/deployment.yaml")
    # Without the committed HPA and budget as context, the change is unscaled (AS001).
    monkeypatch.chdir(repository)
    alone = run_cli("--context", "none", "--color", "never", "deploy/deployment.yaml")
    assert alone.code == 1 and "AS001" in alone.out, alone.out

    result = _try_repo(repository, environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    # The hook linted the one staged file; hpa.yaml and pdb.yaml were read as context only.
    assert "No problems found in 1 file (1 recognised as deployments)." in result.stdout, result.stdout
    assert "AS001" not in result.stdout


def test_the_readme_snippet_names_this_project_its_release_and_its_hook():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [snippet] = re.findall(r"```yaml\n# \.pre-commit-config\.yaml\n(.*?)```", readme, flags=re.S)
    [repository] = YAML(typ="safe").load(snippet)["repos"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert repository["repo"] == project["urls"]["Homepage"]
    assert repository["rev"] == f"v{project['version']}"
    assert {hook["id"] for hook in repository["hooks"]} <= {hook["id"] for hook in hooks}

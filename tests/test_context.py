"""Context files: siblings of the files a pre-commit hook passes are read for links, never reported."""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

from scaling_stacks import SCALING_STACK, endpoint_stack

LINKING_PLUGIN = textwrap.dedent(
    '''
    """A test adapter: a `kind: Scaler` document names a `kind: Workload` in any document of the run."""
    from linter import Deployment, DeploymentKind, Severity, Sourced, Violation, hookimpl, rule


    @hookimpl
    def mldeploy_extract(document, run):
        root = document.root
        if root is None or not hasattr(root, "get") or root.get("kind") is None:
            return None
        if root.get("kind").value != "Workload":
            return []
        name = root.get("name").value
        scalers = [
            other.path
            for other in run.documents
            if other.root is not None and hasattr(other.root, "get") and other.root.get("kind") is not None
            and other.root.get("kind").value == "Scaler" and other.root.get("target").value == name
        ]
        return [
            Deployment(
                id=f"{document.path}#{name}",
                platform="test",
                kind=Sourced(DeploymentKind.SERVICE),
                span=root.span,
                name=Sourced(name),
                attributes=(("scaled_by", Sourced(tuple(scalers))),),
            )
        ]


    @rule("TST001", "unscaled-workload", Severity.WARNING, "A workload no scaler names.")
    def unscaled(deployment, run):
        """
        ## What it does
        Test rule.
        ## Why it matters
        Test.
        ## Example
        Test.
        ## Fix
        Test.
        ## Sources
        Test.
        """
        if not deployment.attribute("scaled_by").value:
            yield Violation(f"{deployment.name.value} is not scaled", deployment.span)


    @hookimpl
    def mldeploy_rules():
        return [unscaled]
    '''
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "linking_plugin.py").write_text(LINKING_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("linking_plugin", None)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "deploy.yaml").write_text("kind: Workload\nname: scorer\n")
    (manifests / "hpa.yaml").write_text("kind: Scaler\ntarget: scorer\n")
    (manifests / "broken.yaml").write_text("kind: [\n")  # a broken sibling is context, not a finding
    monkeypatch.chdir(tmp_path)
    return manifests


def test_sibling_links_are_seen_by_default(cli, project):
    result = cli("--plugin", "linking_plugin", "--select", "TST", "manifests/deploy.yaml")
    assert result.code == 0, result.out
    assert result.out == "No problems found in 1 file (1 recognised as deployments).\n"


def test_context_none_judges_only_what_is_given(cli, project):
    result = cli("--plugin", "linking_plugin", "--select", "TST", "--context", "none", "manifests/deploy.yaml")
    assert result.code == 1
    assert result.out.startswith("manifests/deploy.yaml:1:1: warning TST001 [unscaled-workload] scorer is not scaled")


def test_context_can_be_configured(cli, project):
    (project.parent / "mldeploy-lint.toml").write_text('context = "none"\n')
    result = cli("--plugin", "linking_plugin", "--select", "TST", "manifests/deploy.yaml")
    assert result.code == 1


def test_the_api_takes_context_as_the_command_line_does(project):
    """`lint_paths` is what the command line calls: an explicit context, else the configured one, else siblings."""
    from linter.api import lint_paths
    from linter.config import load_config
    from linter.engine import LintOptions
    from linter.plugin_manager import build_plugin_host
    from linter.rules import RuleSelector

    host = build_plugin_host(["linking_plugin"])
    options = LintOptions(selector=RuleSelector(("TST",)))

    def fired(options: LintOptions, **kwargs) -> list[str]:
        return [finding.rule_id for finding in lint_paths(["manifests/deploy.yaml"], options, host=host, **kwargs).findings]

    assert fired(options) == []  # the scaler beside it is read as context
    assert fired(options, context="none") == ["TST001"]
    (project.parent / "mldeploy-lint.toml").write_text('context = "none"\n')
    configured = LintOptions(selector=options.selector, config=load_config(str(project.parent / "mldeploy-lint.toml")))
    assert fired(configured) == ["TST001"]
    assert fired(configured, context="siblings") == []


def test_context_files_are_not_reported_or_counted(cli, project):
    (project / "other.yaml").write_text("kind: Workload\nname: unscaled\n")
    result = cli("--plugin", "linking_plugin", "manifests/deploy.yaml", "--format", "json")
    import json

    document = json.loads(result.out)
    assert [item["path"] for item in document["files"]] == ["manifests/deploy.yaml"]
    assert document["findings"] == []  # neither other.yaml's TST001 nor broken.yaml's MD001


def test_stdin_filename_brings_its_siblings(cli, project):
    result = cli(
        "--plugin", "linking_plugin", "--select", "TST", "-", "--stdin-filename", "manifests/deploy.yaml",
        stdin=b"kind: Workload\nname: scorer\n",
    )
    assert result.code == 0, result.out


# --- the real thing: a Deployment and the HPA that scales it, in two files -------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: ml}
spec:
  replicas: 2
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers: [{name: server, image: "seldonio/mlserver:1.6.1-sklearn"}]
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scorer, namespace: ml}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  minReplicas: 2
  maxReplicas: 6
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
"""


@pytest.fixture
def manifests(chdir_tmp):
    (chdir_tmp / "k8s").mkdir()
    (chdir_tmp / "k8s" / "deploy.yaml").write_text(DEPLOYMENT)
    (chdir_tmp / "k8s" / "hpa.yaml").write_text(HPA)
    return chdir_tmp / "k8s"


def test_hpa_and_deployment_linted_together_are_linked(cli, manifests):
    result = cli("--select", "AS", "k8s/deploy.yaml", "k8s/hpa.yaml")
    assert (result.code, result.out) == (0, "No problems found in 2 files (1 recognised as deployments).\n")


def test_deployment_alone_is_judged_alone(cli, manifests):
    result = cli("--select", "AS", "--context", "none", "k8s/deploy.yaml")
    assert result.code == 1
    assert result.out.startswith("k8s/deploy.yaml:5:13: warning AS001 [missing-autoscaling] service scorer has no autoscaling")  # at replicas: 2


def test_pre_commit_passing_only_the_deployment_still_sees_its_hpa(cli, manifests):
    result = cli("--select", "AS", "k8s/deploy.yaml")
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")


def test_pre_commit_passing_only_the_hpa_judges_the_deployment_it_scales(cli, manifests):
    # Its AS003 is found on the Deployment it scales, which only a context file holds.
    (manifests / "hpa.yaml").write_text(HPA.replace("maxReplicas: 6", "maxReplicas: 2"))
    # In production, with one of its findings suppressed where it is written: the suppression comes with it.
    production = "metadata: {name: scorer, namespace: ml, labels: {environment: production}, annotations: {ignore.mldeploy-lint.io/HA008: a test}}"
    (manifests / "deploy.yaml").write_text(DEPLOYMENT.replace("metadata: {name: scorer, namespace: ml}", production))
    whole = cli("--select", "AS,HA", "k8s")
    alone = cli("--select", "AS,HA", "k8s/hpa.yaml")
    assert "k8s/hpa.yaml:7:16: warning AS003 [no-scaling-headroom]" in whole.out and "HA005" in whole.out
    assert "HA008" not in whole.out
    assert alone.out.splitlines()[:-1] == whole.out.splitlines()[:-1]  # the same findings (the summary counts files)
    assert cli("--select", "AS,HA", "--context", "none", "k8s/hpa.yaml").out.startswith("No problems found")


def test_pre_commit_passing_only_the_budget_judges_the_workloads_it_selects(cli, manifests):
    # Its HA007 (it lets every replica go) is found on the Deployment it selects, which only a context file holds.
    budget = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: scorer, namespace: ml}\n"
    (manifests / "pdb.yaml").write_text(budget + "spec: {maxUnavailable: 100%, selector: {matchLabels: {app: scorer}}}\n")
    (manifests / "other.yaml").write_text(DEPLOYMENT.replace("scorer", "other"))  # not selected: not judged with it
    whole = cli("--select", "HA007", "k8s")
    alone = cli("--select", "HA007", "k8s/pdb.yaml")
    assert whole.out.startswith("k8s/pdb.yaml:4:24: warning HA007 [disruption-budget-allows-full-outage]")
    assert alone.out.splitlines()[:-1] == whole.out.splitlines()[:-1]
    assert alone.out.endswith("in 1 of 1 file (1 recognised as deployments).\n")  # the one it selects
    assert cli("--select", "HA007", "--context", "none", "k8s/pdb.yaml").out.startswith("No problems found")


def test_pre_commit_passing_only_a_seldon_model_sees_the_server_it_is_loaded_into(cli, chdir_tmp):
    # A Seldon Core 2 Model runs on the accelerators of its Server: its CP001 (XGBoost on a GPU) is at the Server.
    (chdir_tmp / "seldon").mkdir()
    server = "apiVersion: mlops.seldon.io/v1alpha1\nkind: Server\nmetadata: {name: gpu-server, namespace: ml}\n"
    server += "spec:\n  serverConfig: mlserver\n  podSpec:\n    containers: [{name: mlserver, resources: {limits: {nvidia.com/gpu: 1}}}]\n"
    model = "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {name: churn, namespace: ml}\n"
    model += "spec: {storageUri: gs://m/churn, requirements: [xgboost], server: gpu-server}\n"
    (chdir_tmp / "seldon" / "server.yaml").write_text(server)
    (chdir_tmp / "seldon" / "model.yaml").write_text(model)
    whole = cli("--select", "CP001", "seldon")
    alone = cli("--select", "CP001", "seldon/model.yaml")
    assert whole.out.startswith("seldon/server.yaml:7:72: warning CP001 [gpu-for-tabular-model] tabular model xgboost")
    assert alone.out.splitlines()[:-1] == whole.out.splitlines()[:-1]
    assert cli("--select", "CP001", "--context", "none", "seldon/model.yaml").out.startswith("No problems found")


def test_outside_a_repository_another_directory_is_not_context(cli, manifests):
    (manifests.parent / "autoscaling").mkdir()
    (manifests / "hpa.yaml").rename(manifests.parent / "autoscaling" / "hpa.yaml")
    result = cli("--select", "AS", "k8s/deploy.yaml")
    assert "AS001" in result.out
    together = cli("--select", "AS", "k8s", "autoscaling")
    assert (together.code, together.out) == (0, "No problems found in 2 files (1 recognised as deployments).\n")


def test_in_a_repository_every_manifest_is_context(cli, manifests):
    (manifests.parent / ".git").mkdir()
    (manifests.parent / "autoscaling").mkdir()
    (manifests / "hpa.yaml").rename(manifests.parent / "autoscaling" / "hpa.yaml")
    # A pre-commit run passing only the Deployment still sees its HPA, as a run over the repository does.
    result = cli("--select", "AS", "k8s/deploy.yaml")
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")
    hpa_alone = cli("--select", "AS", "autoscaling/hpa.yaml")  # judges the Deployment it scales, read from its file
    assert (hpa_alone.code, hpa_alone.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")
    # Narrower context: only the directory, or nothing.
    assert "AS001" in cli("--select", "AS", "--context", "siblings", "k8s/deploy.yaml").out
    # The HPA alone names a Deployment the run does not hold and nothing near its name: rendered elsewhere, not a typo.
    assert "AS002" not in cli("--select", "AS", "--context", "none", "autoscaling/hpa.yaml").out
    (manifests.parent / "mldeploy-lint.toml").write_text('context = "siblings"\n')
    assert "AS001" in cli("--select", "AS", "k8s/deploy.yaml").out


def test_repository_context_respects_gitignore(cli, manifests):
    (manifests.parent / ".git").mkdir()
    (manifests.parent / "build").mkdir()
    (manifests / "hpa.yaml").rename(manifests.parent / "build" / "hpa.yaml")
    (manifests.parent / ".gitignore").write_text("build/\n")
    assert "AS001" in cli("--select", "AS", "k8s/deploy.yaml").out


def test_an_hpa_without_a_namespace_may_scale_a_namespaced_deployment(cli, chdir_tmp):
    # kustomize or `kubectl -n` gives the HPA its namespace when it is applied:
    # the link is unresolved, neither dangling (AS002) nor missing (AS001).
    (chdir_tmp / "deploy.yaml").write_text(DEPLOYMENT)
    (chdir_tmp / "hpa.yaml").write_text(HPA.replace("metadata: {name: scorer, namespace: ml}", "metadata: {name: scorer}"))
    result = cli("--select", "AS", "deploy.yaml", "hpa.yaml")
    assert (result.code, result.out) == (0, "No problems found in 2 files (1 recognised as deployments).\n")


def test_a_very_large_repository_gives_the_nearest_files_with_a_note(cli, manifests, monkeypatch):
    from linter import api

    (manifests.parent / ".git").mkdir()
    (manifests.parent / "autoscaling").mkdir()
    for index in range(3):  # walked first from the root, but farther from the named file than its sibling HPA
        (manifests.parent / "autoscaling" / f"other-{index}.yaml").write_text("kind: ConfigMap\n")
    monkeypatch.setattr(api, "MAX_REPOSITORY_CONTEXT_FILES", 3)
    result = cli("--select", "AS", "k8s/deploy.yaml")
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")
    assert result.err.startswith(
        "mldeploy-lint: note: the repository at . holds more than 3 lintable files: the 3 nearest the named files are read"
    )
    (manifests / "hpa.yaml").rename(manifests.parent / "autoscaling" / "z-hpa.yaml")  # now the farthest: left out
    assert "AS001" in cli("--select", "AS", "k8s/deploy.yaml").out


def test_the_nearest_files_stop_the_walk_at_the_bound(tmp_path, monkeypatch):
    """Above the bound, no more of the tree is walked than needed, and ignore files above a start still apply."""
    from linter import discovery

    for index in range(10):
        (tmp_path / "aaa" / f"d{index}").mkdir(parents=True)
        (tmp_path / "aaa" / f"d{index}" / "x.yaml").write_text("a: 1\n")
    (tmp_path / "k8s" / "ignored").mkdir(parents=True)
    for name in ("a.yaml", "b.yaml", "ignored/c.yaml"):
        (tmp_path / "k8s" / name).write_text("a: 1\n")
    (tmp_path / ".gitignore").write_text("ignored/\n")
    visited: list[str] = []
    walk = os.walk

    def counting(top, *args, **kwargs):
        for entry in walk(top, *args, **kwargs):
            visited.append(os.path.relpath(entry[0], tmp_path))
            yield entry

    monkeypatch.setattr(discovery.os, "walk", counting)
    found, capped = discovery.nearest_files(str(tmp_path), [str(tmp_path / "k8s")], 3)
    assert capped
    assert [os.path.relpath(path, tmp_path) for path in found] == ["aaa/d0/x.yaml", "k8s/a.yaml", "k8s/b.yaml"]
    assert not {"aaa/d9", "k8s/ignored"} & set(visited)
    visited.clear()
    found, capped = discovery.nearest_files(str(tmp_path), [str(tmp_path / "k8s")], 12)
    assert not capped and found == sorted(discovery.discover([str(tmp_path)]))


def test_a_run_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """The run keeps what it loaded out of the collector's scans (gc.freeze) and puts it back at the end."""
    import gc

    from linter.api import lint_paths

    (tmp_path / "endpoint.yaml").write_text(
        "Resources:\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n"
        "      ProductionVariants:\n        - {VariantName: A, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}\n",
        encoding="utf-8",
    )
    assert gc.get_freeze_count() == 0
    first = lint_paths([str(tmp_path)])
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.freeze()  # a program that froze objects of its own: left frozen, and the run's results are the same
    try:
        count = gc.get_freeze_count()
        assert lint_paths([str(tmp_path)]).findings == first.findings
        assert 0 < gc.get_freeze_count() <= count  # not unfrozen, nothing of the run's added
    finally:
        gc.unfreeze()


def test_each_file_is_decoded_once(cli, manifests, monkeypatch):
    """Choosing context files, asking about unrendered templates and loading share one decoding per file."""
    from linter import engine

    (manifests.parent / ".git").mkdir()
    (manifests.parent / "other").mkdir()
    (manifests.parent / "other" / "config.yaml").write_text("kind: ConfigMap\n")
    decoded: list[str] = []
    original = engine.decode_bytes

    def counting(path, *args, **kwargs):
        decoded.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(engine, "decode_bytes", counting)
    result = cli("--select", "AS", "--no-cache", "k8s/deploy.yaml")
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 recognised as deployments).\n")
    assert sorted(decoded) == ["k8s/deploy.yaml", "k8s/hpa.yaml", "other/config.yaml"]


# --- what context files offer the run's links (`mldeploy_context_links`) ----------------------------------

TARGET_REQUEST = """\
{"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/churn/variant/AllTraffic",
 "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 2, "MaxCapacity": 6}
"""


@pytest.mark.parametrize(
    "scaling_name, scaling_text",
    [("scaling.yaml", SCALING_STACK), ("register-scalable-target.json", TARGET_REQUEST)],
    ids=["another stack", "a request document"],
)
def test_a_file_changed_alone_links_across_files_as_the_whole_run_does(cli, chdir_tmp, scaling_name, scaling_text):
    # One stack makes the endpoint, another file beside it scales it: a pre-commit hook passes either alone.
    (chdir_tmp / "stacks").mkdir()
    (chdir_tmp / "stacks" / "endpoint.yaml").write_text(endpoint_stack("churn"))
    (chdir_tmp / "stacks" / scaling_name).write_text(scaling_text)
    select = ("--select", "AS,HA")
    assert cli(*select, "stacks").out.startswith("No problems found in 2 files")
    # The endpoint's stack alone: the target beside it scales it (AS001 said it had no autoscaling).
    assert cli(*select, "stacks/endpoint.yaml").out.startswith("No problems found in 1 file")
    # The scaling file alone: the endpoint it names is beside it (AS002 said it scaled nothing).
    assert cli(*select, f"stacks/{scaling_name}").out.startswith("No problems found in 1 file")
    # Without context each is judged alone, as before.
    assert "AS001" in cli(*select, "--context", "none", "stacks/endpoint.yaml").out
    assert "AS002" in cli(*select, "--context", "none", f"stacks/{scaling_name}").out

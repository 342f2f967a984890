"""`NotJudged`: a rule that could not judge for want of a fact stays silent, and `explain --deployments` says which fact.

Never a finding: no reporter shows it, and it never changes the exit code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from linter import Deployment, DeploymentKind, Document, NotJudged, RunContext, Scope, Severity, Sourced, Span, Violation, hookimpl, rule
from linter.engine import LintOptions
from linter.explain import explain_json, explain_text
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

RULES = Path(__file__).parent / "rules"
SP004_COPIES = Path(__file__).parent / "fixtures" / "corpus" / "sp004-data-on-eks-ray-batch"

# (fixture, rule, deployment, a part of what `explain` says was missing, where it is written)
CASES = [
    ("CP007/near_miss_not_judged.yaml", "CP007", "ChatConfig", "the accelerator memory of ml.g7.48xlarge is not known: ", ":25:25"),
    ("CP007/near_miss_not_judged.yaml", "CP007", "ParameterConfig", "the instance type of AllTraffic is not known (Ref:ServingInstanceType", ":35:25"),
    ("CP007/near_miss_not_judged_kubernetes.yaml", "CP007", "tgi-llama3-70b", "which GPU tgi-llama3-70b gets is not known", ":26:31"),
    ("CP007/near_miss.yaml", "CP007", "QuantisedConfig", "HF_MODEL_QUANTIZE sets a dtype or quantisation the tables do not read", ":52:24"),
    ("EP007/near_miss_not_judged.yaml", "EP007", "ChatConfig", "ContainerStartupHealthCheckTimeoutInSeconds of variant AllTraffic", ":29:56"),
    ("EP007/near_miss_not_judged.yaml", "EP007", "CustomConfig", "though it loads meta-llama/Llama-3.1-70B-Instruct", ":36:16"),
    ("CP008/near_miss_not_judged.yaml", "CP008", "llm-shared", "the copy count of inference component mistral-7b is not known", ":37:20"),
    ("CP008/near_miss_not_judged.yaml", "CP008", "llm-shared", "MinMemoryRequiredInMb of inference component mistral-7b is not judged", ":35:34"),
    ("CP008/near_miss_not_judged.yaml", "CP008", "llm-g7", "[data.instance-families.g7]", ":44:25"),
    ("SP005/fires.yaml", "SP005", "cpu-spot-default", "the Availability Zones of Spot capacity cpu-spot-default are not written", ":12:5"),
]


def _copy(chdir_tmp: Path, fixture: str) -> str:
    name = Path(fixture).name
    shutil.copy(RULES / fixture, chdir_tmp / name)
    return name


@pytest.mark.parametrize("fixture, rule_id, name, missing, at", CASES, ids=lambda value: str(value)[:40])
def test_explain_names_the_missing_fact_in_text_and_json(cli, chdir_tmp, fixture, rule_id, name, missing, at):
    path = _copy(chdir_tmp, fixture)
    text = cli("explain", "--deployments", path)
    assert text.code == 0
    blocks = text.out.split("\n\n")
    (block,) = [block for block in blocks if block.startswith(f"{name}  (") and missing in block]
    (line,) = [line for line in block.splitlines() if missing in line and line.startswith("  not judged: ")]
    assert line.startswith(f"  not judged: {rule_id} — ") and line.endswith(f"{path}{at}")

    document = json.loads(cli("explain", "--deployments", "--format", "json", path).out)
    items = [
        item
        for deployment in document["deployments"]
        if deployment["name"]["value"] == name
        for item in deployment.get("not_judged", ())
        if missing in item["message"]
    ]
    assert [(item["rule"], item["at"]) for item in items] == [(rule_id, f"{path}{at}")]


@pytest.mark.parametrize("fixture", sorted({case[0] for case in CASES if "near_miss" in case[0]}))
def test_the_rule_is_silent_and_reporters_show_nothing_of_it(cli, chdir_tmp, fixture):
    path = _copy(chdir_tmp, fixture)
    rule_id = Path(fixture).parent.name
    for output in ("text", "json", "sarif"):
        result = cli(path, "--select", rule_id, "--format", output)
        assert result.code == 0, result.out
        assert "not judged:" not in result.out
        assert not [case for case in CASES if case[0] == fixture and case[3] in result.out]


def test_sp004_explain_names_pools_of_one_name_equally_near(cli, chdir_tmp):
    nodepool = (SP004_COPIES / "nodepool-gpu-g6.yaml").read_text(encoding="utf-8")
    for directory in ("a/pools", "b/pools", "c/jobs"):
        (chdir_tmp / directory).mkdir(parents=True)
    (chdir_tmp / "a/pools/gpu.yaml").write_text(nodepool, encoding="utf-8")
    (chdir_tmp / "b/pools/gpu.yaml").write_text(nodepool.replace("WhenEmptyOrUnderutilized", "WhenEmpty"), encoding="utf-8")
    shutil.copy(SP004_COPIES / "06-rayjob-batch-native.yaml", chdir_tmp / "c/jobs/job.yaml")
    assert cli(".", "--select", "SP004").code == 0
    text = cli("explain", "--deployments", ".").out
    (line,) = [line for line in text.splitlines() if line.startswith("  not judged: SP004 — ")]
    assert "2 NodePools named gpu are equally near the workload (a/pools/gpu.yaml, b/pools/gpu.yaml)" in line
    document = json.loads(cli("explain", "--deployments", "--format", "json", ".").out)
    assert [item["rule"] for deployment in document["deployments"] for item in deployment.get("not_judged", ())] == ["SP004"]


def test_a_rule_disabled_in_the_configuration_says_nothing(cli, chdir_tmp):
    path = _copy(chdir_tmp, "CP007/near_miss_not_judged.yaml")
    (chdir_tmp / "mldeploy-lint.toml").write_text('ignore = ["CP007"]\n', encoding="utf-8")
    assert "not judged: CP007" not in cli("explain", "--deployments", path).out


# --- the engine, with a rule of a test plugin -----------------------------------------------------------

PATH = "deploy.yaml"


class _Plugin:
    def __init__(self, *rules) -> None:
        self.rules = rules

    @hookimpl
    def mldeploy_extract(self, document, run):
        if not document.path.endswith(PATH):
            return None
        span = Span(document.path, 1, 1, 1, 5)
        return [Deployment(id=f"{PATH}#one", platform="test", kind=Sourced(DeploymentKind.REALTIME, span), span=span)]

    @hookimpl
    def mldeploy_rules(self):
        return list(self.rules)


def _run(*rules):
    from linter import api

    host = build_plugin_host(entry_points=False, plugins=[("test", _Plugin(*rules))])
    return api.lint_text("Resources: {}\n", PATH, LintOptions(selector=RuleSelector(("TST", "MD"))), host=host)


@rule("TST001", "unsure", Severity.ERROR, "Could not judge (a test rule).")
def unsure(target: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """Says what it could not judge, twice alike, beside a finding (a test rule)."""
    yield NotJudged("the size is not known")
    yield Violation("something else is wrong", target.span)
    yield NotJudged("the size is not known")
    yield NotJudged("the memory is not known", Span(PATH, 1, 3, 1, 4))


def test_the_engine_collects_per_deployment_with_the_rule_id_once_each_and_never_as_a_finding():
    result = _run(unsure)
    assert [finding.message for finding in result.findings] == ["something else is wrong"]
    (deployment,) = result.deployments
    assert result.not_judged_of(deployment) == (
        NotJudged("the size is not known", None, "TST001"),
        NotJudged("the memory is not known", Span(PATH, 1, 3, 1, 4), "TST001"),
    )
    outline = explain_text(result.deployments, (), not_judged=result.not_judged).splitlines()
    assert [line for line in outline if line.startswith("  not judged: ")] == [
        "  not judged: TST001 — the size is not known",
        "  not judged: TST001 — the memory is not known  deploy.yaml:1:3",
    ]
    (data,) = json.loads(explain_json(result.deployments, (), not_judged=result.not_judged))["deployments"]
    assert data["not_judged"] == [
        {"rule": "TST001", "message": "the size is not known"},
        {"rule": "TST001", "message": "the memory is not known", "at": "deploy.yaml:1:3"},
    ]
    # without it, explain is as before
    assert "not judged" not in explain_text(result.deployments, ())


@rule("TST002", "unsure-document", Severity.ERROR, "Could not judge a document (a test rule).", scope=Scope.DOCUMENT)
def unsure_document(document: Document, run: RunContext) -> Iterator[NotJudged]:
    """Yields NotJudged where only a deployment-scope rule may (a test rule)."""
    yield NotJudged("a document-wide fact is not known")


def test_not_judged_outside_a_deployment_scope_rule_is_a_plugin_error():
    result = _run(unsure_document)
    (finding,) = result.findings
    assert finding.rule_id == "MD002" and "NotJudged outside a deployment-scope rule" in finding.message

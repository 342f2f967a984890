"""Rule applicability: `kinds=`, `environments=` and `ml_only=` declared on a rule, filtered by the engine.

Declarations are checked when the rule is declared; the engine never calls
a check for a deployment outside them; the rule docs and `explain` say
what a rule applies to and why it did not judge a deployment.
"""

from __future__ import annotations

import itertools
import json
from typing import Iterator

import pytest

from linter import (
    UNKNOWN_ENVIRONMENT,
    Deployment,
    DeploymentKind,
    Environment,
    Provenance,
    Rule,
    RunContext,
    Scope,
    Severity,
    Sourced,
    Span,
    Violation,
    rule,
)
from linter.engine import LintOptions
from linter.explain import explain_json, explain_text, not_applicable
from linter.plugin_manager import build_plugin_host
from linter.rule_docs import rule_as_dict, rule_markdown
from linter.rules import RuleSelector, applicability_key

from rule_harness import FixedDeployments, RulesOf

PATH = "deploy.yaml"


def deployment(
    kind: DeploymentKind | None = DeploymentKind.REALTIME,
    environment: Environment | None = None,
    ml_evidence: Sourced | None = None,
    name: str = "scorer",
) -> Deployment:
    return Deployment(
        id=f"{PATH}#{name}",
        platform="test",
        kind=Sourced(kind, Span.point(PATH, 1)) if kind is not None else Sourced(),
        span=Span.point(PATH, 1),
        name=Sourced(name),
        environment=Sourced(environment, Span.point(PATH, 2)) if environment is not None else Sourced(),
        ml_evidence=ml_evidence,
    )


def declared(**applicability) -> object:
    """A rule that reports every deployment it is called for, with the given applicability."""

    @rule("TST001", "reports-everything", Severity.WARNING, "Reports every deployment it sees.", **applicability)
    def reports_everything(target: Deployment, run: RunContext) -> Iterator[Violation]:
        """Reports every deployment (a test rule)."""
        yield Violation(f"saw {target.name.value}", target.span)

    return reports_everything


# --- declaration -----------------------------------------------------------------------------


def test_unknown_kind_is_an_error_when_the_rule_is_declared():
    with pytest.raises(ValueError, match=r"TST001: unknown deployment kind 'real-time' in kinds= \(use realtime, "):
        declared(kinds=("real-time",))


def test_unknown_environment_is_an_error_when_the_rule_is_declared():
    with pytest.raises(ValueError, match=r"TST001: unknown environment 'production' in environments= \(use prod, staging, dev, unknown\)"):
        declared(environments=("production",))


@pytest.mark.parametrize("scope", [Scope.RUN, Scope.DOCUMENT])
@pytest.mark.parametrize("applicability", [{"kinds": ("realtime",)}, {"environments": ("prod",)}, {"ml_only": True}])
def test_applicability_on_a_rule_of_another_scope_is_an_error(scope, applicability):
    with pytest.raises(ValueError, match="apply to deployment-scope rules only"):
        declared(scope=scope, **applicability)


def test_one_kind_or_environment_may_be_given_alone():
    declaration = declared(kinds="training", environments=Environment.PROD)
    assert (declaration.kinds, declaration.environments) == ((DeploymentKind.TRAINING,), ("prod",))


def test_kinds_and_environments_given_as_text_read_as_their_enums():
    declaration = declared(kinds=("async", DeploymentKind.REALTIME), environments=(Environment.PROD, "unknown"))
    assert declaration.kinds == (DeploymentKind.ASYNC, DeploymentKind.REALTIME)
    assert declaration.environments == ("prod", UNKNOWN_ENVIRONMENT)


# --- what applies ----------------------------------------------------------------------------


def test_a_rule_without_declarations_applies_to_everything():
    everything = declared()
    assert everything.applies_to(deployment(kind=None, ml_evidence=Sourced(provenance=Provenance.INFERRED)))
    assert everything.applicability == ()


@pytest.mark.parametrize(
    "target, reason",
    [
        (deployment(DeploymentKind.REALTIME), ""),
        (deployment(DeploymentKind.ASYNC), ""),
        (deployment(DeploymentKind.TRAINING), "kind training"),
        (deployment(kind=None), "kind unknown"),
    ],
)
def test_kinds(target, reason):
    assert declared(kinds=(DeploymentKind.REALTIME, DeploymentKind.ASYNC)).not_applicable_to(target) == reason


@pytest.mark.parametrize(
    "environment, production_only, unless_known_otherwise",
    [
        (Environment.PROD, "", ""),
        (None, "environment unknown", ""),
        (Environment.STAGING, "environment staging", "environment staging"),
        (Environment.DEV, "environment dev", "environment dev"),
    ],
)
def test_environments_say_production_only_or_silent_where_known_not_production(environment, production_only, unless_known_otherwise):
    target = deployment(environment=environment)
    assert declared(environments=(Environment.PROD,)).not_applicable_to(target) == production_only
    assert declared(environments=(Environment.PROD, UNKNOWN_ENVIRONMENT)).not_applicable_to(target) == unless_known_otherwise


@pytest.mark.parametrize(
    "evidence, reason",
    [
        (None, ""),  # ML by what it is (a SageMaker endpoint)
        (Sourced("image vllm/vllm-openai"), ""),
        (Sourced(provenance=Provenance.INFERRED, note="no ML image, accelerator or profile"), "no ML evidence (no ML image, accelerator or profile)"),
        (Sourced(provenance=Provenance.INFERRED), "no ML evidence"),
    ],
)
def test_ml_only(evidence, reason):
    assert declared(ml_only=True).not_applicable_to(deployment(ml_evidence=evidence)) == reason


def test_the_first_declaration_a_deployment_falls_outside_of_is_the_reason():
    strict = declared(kinds=("service",), environments=("prod",), ml_only=True)
    target = deployment(DeploymentKind.REALTIME, Environment.DEV, Sourced(provenance=Provenance.INFERRED))
    assert strict.not_applicable_to(target) == "kind realtime"
    assert strict.not_applicable_to(deployment(DeploymentKind.SERVICE, Environment.DEV)) == "environment dev"


# --- the engine filters ----------------------------------------------------------------------


def _lint(deployments: tuple[Deployment, ...], *rules) -> list[str]:
    from linter import api

    host = build_plugin_host(entry_points=False, plugins=[("test-adapter", FixedDeployments(PATH, *deployments)), ("test-rules", RulesOf(*rules))])
    options = LintOptions(selector=RuleSelector(("TST",)))
    result = api.lint_text("Resources: {}\n", PATH, options, host=host)
    return [finding.message for finding in result.findings]


def test_the_engine_does_not_call_a_rule_outside_its_applicability():
    called: list[str] = []

    @rule("TST002", "counts-calls", Severity.INFO, "Counts its calls.", kinds=("realtime",), environments=("prod",), ml_only=True)
    def counts_calls(target: Deployment, run: RunContext) -> Iterator[Violation]:
        """Counts calls (a test rule)."""
        called.append(str(target.name.value))
        yield Violation(f"called for {target.name.value}", target.span)

    deployments = (
        deployment(DeploymentKind.REALTIME, Environment.PROD, name="judged"),
        deployment(DeploymentKind.ASYNC, Environment.PROD, name="async"),
        deployment(DeploymentKind.REALTIME, Environment.DEV, name="dev"),
        deployment(DeploymentKind.REALTIME, None, name="unknown-environment"),
        deployment(DeploymentKind.REALTIME, Environment.PROD, Sourced(provenance=Provenance.INFERRED), name="not-ml"),
        deployment(DeploymentKind.REALTIME, Environment.PROD, Sourced("a GPU request"), name="ml-evidence"),
    )
    assert sorted(_lint(deployments, counts_calls)) == ["called for judged", "called for ml-evidence"]
    assert called == ["judged", "ml-evidence"]


def test_the_engine_asks_a_rule_once_per_kind_environment_and_ml_evidence(monkeypatch):
    asked: list[tuple[str, str]] = []
    original = Rule.not_applicable_to

    def counting(self, target):
        asked.append((self.id, str(target.name.value)))
        return original(self, target)

    monkeypatch.setattr(Rule, "not_applicable_to", counting)
    called = declared(kinds=("realtime",), environments=("prod",), ml_only=True)
    deployments = (
        deployment(DeploymentKind.REALTIME, Environment.PROD, name="first"),
        deployment(DeploymentKind.REALTIME, Environment.DEV, name="dev"),
        deployment(DeploymentKind.REALTIME, Environment.PROD, name="second"),
        deployment(DeploymentKind.REALTIME, Environment.PROD, Sourced("a GPU request"), name="with-evidence"),
        deployment(DeploymentKind.REALTIME, Environment.PROD, Sourced(provenance=Provenance.INFERRED), name="not-ml"),
        deployment(DeploymentKind.REALTIME, Environment.DEV, name="dev-again"),
    )
    assert sorted(_lint(deployments, called)) == ["saw first", "saw second", "saw with-evidence"]
    # "second" and "with-evidence" are judged as "first" was, "dev-again" as "dev": not asked again.
    assert asked == [("TST001", "first"), ("TST001", "dev"), ("TST001", "not-ml")]


def test_a_rule_subclass_judging_applicability_its_own_way_is_asked_for_every_deployment():
    class JudgedByName(Rule):
        def applies_to(self, target: Deployment) -> bool:
            return str(target.name.value).startswith("judged")

    def reports(target: Deployment, run: RunContext) -> Iterator[Violation]:
        yield Violation(f"by name {target.name.value}", target.span)

    by_name = JudgedByName("TST003", "judged-by-name", Severity.INFO, "Judges deployments named judged.", reports)
    everything = declared(environments=("prod",))
    deployments = (
        deployment(environment=Environment.PROD, name="judged-1"),
        deployment(environment=Environment.PROD, name="other"),
        deployment(environment=Environment.PROD, name="judged-2"),
    )
    assert sorted(_lint(deployments, everything, by_name)) == [
        "by name judged-1", "by name judged-2", "saw judged-1", "saw judged-2", "saw other",
    ]


_KINDS = (None, *DeploymentKind)
_ENVIRONMENTS = (None, *Environment)
_EVIDENCE = (
    None,
    Sourced("image vllm/vllm-openai"),
    Sourced("a GPU request", note="one note"),
    Sourced(provenance=Provenance.INFERRED),
    Sourced(provenance=Provenance.INFERRED, note="no ML image, accelerator or profile"),
)


def test_deployments_with_one_applicability_key_are_judged_alike_by_every_builtin_rule():
    """The engine finds the rules that apply once per key: no built-in rule may tell such deployments apart."""
    rules = [candidate for candidate in build_plugin_host().rules() if candidate.scope is Scope.DEPLOYMENT]
    by_key: dict[tuple, list[Deployment]] = {}
    for kind, environment, evidence in itertools.product(_KINDS, _ENVIRONMENTS, _EVIDENCE):
        target = deployment(kind, environment, evidence)
        by_key.setdefault(applicability_key(target), []).append(target)
    assert len(by_key) == len(_KINDS) * len(_ENVIRONMENTS) * 2  # ML evidence: lacking it or not
    for key, alike in by_key.items():
        for candidate in rules:
            assert len({candidate.applies_to(target) for target in alike}) == 1, (candidate.id, key)


# --- docs and explain ------------------------------------------------------------------------


def test_rule_docs_say_what_the_rule_applies_to():
    text = rule_markdown(declared(kinds=("realtime", "async"), environments=("prod", "unknown"), ml_only=True))
    assert "\nApplies to: kinds realtime, async · environments prod, unknown · ML workloads only\n" in text
    assert "Applies to" not in rule_markdown(declared())


def test_rule_json_lists_the_applicability():
    data = rule_as_dict(declared(kinds=("training",), ml_only=True))
    assert data["applies_to"] == {"kinds": ["training"], "environments": [], "ml_only": True}


def test_builtin_production_rules_declare_production_and_missing_autoscaling_only_the_silent_part():
    rules = {candidate.id: candidate for candidate in build_plugin_host().rules()}
    assert rules["HA001"].environments == ("prod",)
    # AS001 is an error in production and a warning when the environment is unknown: only the silence is declared.
    assert rules["AS001"].environments == ("prod", "unknown")
    assert rules["AS001"].ml_only


def test_explain_says_why_a_rule_does_not_judge_a_deployment():
    rules = (
        declared(kinds=("training",)),
        Rule("TST003", "prod-only", Severity.ERROR, "Production only.", check=lambda *_: (), environments=("prod",)),
    )
    target = deployment(DeploymentKind.REALTIME, Environment.DEV)
    assert not_applicable(target, rules) == {"kind realtime": ["TST001"], "environment dev": ["TST003"]}
    lines = explain_text([target], [], rules=rules).splitlines()
    assert "  not applicable: kind realtime — TST001" in lines
    assert "  not applicable: environment dev — TST003" in lines
    (data,) = json.loads(explain_json([target], [], rules=rules))["deployments"]
    assert data["not_applicable"] == {"kind realtime": ["TST001"], "environment dev": ["TST003"]}
    assert "not_applicable" not in json.loads(explain_json([target], []))["deployments"][0]


def test_explain_deployments_on_the_command_line_names_rules_that_do_not_apply(cli, chdir_tmp):
    (chdir_tmp / "job.yaml").write_text(
        "Resources:\n"
        "  Job:\n"
        "    Type: AWS::SageMaker::EndpointConfig\n"
        "    Properties:\n"
        "      ProductionVariants:\n"
        "        - {VariantName: AllTraffic, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}\n"
        "      Tags: [{Key: Environment, Value: dev}]\n"
    )
    result = cli("explain", "--deployments", "job.yaml")
    assert result.code == 0
    lines = result.out.splitlines()
    assert any(line.startswith("  not applicable: environment dev — ") and "HA001" in line and "AS001" in line for line in lines)
    assert any(line.startswith("  not applicable: kind realtime — ") and "SP002" in line for line in lines)

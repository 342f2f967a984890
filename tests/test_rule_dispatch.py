"""The rules of one deployment run in one pass: a failure or an overrun costs its rule there, and is named."""

from __future__ import annotations

import time
from typing import Iterator

from linter import Deployment, DeploymentKind, Document, Rule, RunContext, Scope, Severity, Sourced, Span, Violation, rule
from linter.engine import LintOptions
from linter.plugin_manager import build_plugin_host
from linter.rules import RuleSelector

from rule_harness import FixedDeployments, RulesOf

PATH = "deploy.yaml"


def deployment(name: str) -> Deployment:
    return Deployment(
        id=f"{PATH}#{name}",
        platform="test",
        kind=Sourced(DeploymentKind.REALTIME, Span.point(PATH, 1)),
        span=Span.point(PATH, 1),
        name=Sourced(name),
    )


def _lint(deployments: tuple[Deployment, ...], *rules, file_timeout: float | None = None) -> list[tuple[str, str]]:
    from linter import api

    host = build_plugin_host(entry_points=False, plugins=[("test-adapter", FixedDeployments(PATH, *deployments)), ("test-rules", RulesOf(*rules))])
    options = LintOptions(selector=RuleSelector(("TST",)), file_timeout=file_timeout)
    result = api.lint_text("Resources: {}\n", PATH, options, host=host)
    return sorted((finding.rule_id, finding.message) for finding in result.findings)


@rule("TST001", "reports-first", Severity.INFO, "Reports every deployment.")
def reports_first(target: Deployment, run: RunContext) -> Iterator[Violation]:
    """Reports every deployment (a test rule)."""
    yield Violation(f"first saw {target.name.value}", target.span)


@rule("TST002", "fails-on-broken", Severity.INFO, "Fails on the deployment named broken.")
def fails_on_broken(target: Deployment, run: RunContext) -> Iterator[Violation]:
    """Fails on one deployment (a test rule)."""
    if target.name.value == "broken":
        raise RuntimeError("cannot judge")
    yield Violation(f"second saw {target.name.value}", target.span)


@rule("TST003", "spins-on-slow", Severity.INFO, "Spins on the deployment named slow.")
def spins_on_slow(target: Deployment, run: RunContext) -> Iterator[Violation]:
    """Spins on one deployment (a test rule)."""
    if target.name.value == "slow":
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
    yield Violation(f"third saw {target.name.value}", target.span)


@rule("TST004", "reports-last", Severity.INFO, "Reports every deployment.")
def reports_last(target: Deployment, run: RunContext) -> Iterator[Violation]:
    """Reports every deployment (a test rule)."""
    yield Violation(f"last saw {target.name.value}", target.span)


def test_a_rule_that_raises_costs_that_rule_on_that_deployment_only():
    found = _lint((deployment("broken"), deployment("fine")), reports_first, fails_on_broken, reports_last)
    failures = [message for rule_id, message in found if rule_id == "MD002"]
    assert len(failures) == 1
    assert "raised RuntimeError: cannot judge in rule TST002" in failures[0]
    assert [item for item in found if item[0] != "MD002"] == [
        ("TST001", "first saw broken"),
        ("TST001", "first saw fine"),
        ("TST002", "second saw fine"),
        ("TST004", "last saw broken"),
        ("TST004", "last saw fine"),
    ]


def test_an_overrun_names_the_rule_that_overran_and_stops_the_rules_after_it_there():
    started = time.monotonic()
    found = _lint((deployment("fine"), deployment("slow")), reports_first, spins_on_slow, reports_last, file_timeout=0.2)
    assert time.monotonic() - started < 5, "the limit did not stop the rule"
    [overrun] = [message for rule_id, message in found if rule_id == "MD001"]
    assert overrun.startswith("rule TST003 took longer than 0.2 s (the per-file time limit) here; the rules after it did not run")
    assert [item for item in found if item[0] != "MD001"] == [
        ("TST001", "first saw fine"),
        ("TST001", "first saw slow"),
        ("TST003", "third saw fine"),
        ("TST004", "last saw fine"),
    ]


def _findings(deployments: tuple[Deployment, ...], *rules):
    from linter import api

    host = build_plugin_host(entry_points=False, plugins=[("test-adapter", FixedDeployments(PATH, *deployments)), ("test-rules", RulesOf(*rules))])
    return [finding for finding in api.lint_text("Resources: {}\n", PATH, LintOptions(selector=RuleSelector(("TST",))), host=host).findings]


def _every_field(finding) -> dict:
    """A finding's fields but those the run adds after the rules (its plugin's name, its fingerprint)."""
    return {name: getattr(finding, name) for name in finding.__dataclass_fields__ if name not in ("plugin", "fingerprint")}


@rule("TST005", "reports-with-related", Severity.INFO, "Reports every deployment with a related place.")
def reports_with_related(target: Deployment, run: RunContext) -> Iterator[Violation]:
    """Reports every deployment (a test rule)."""
    yield Violation(f"saw {target.name.value}", Span(PATH, 2, 3, 2, 9), related=((Span(PATH, 4, 1, 4, 2), "decided here"),))
    yield Violation("an error", Span(PATH, 3, 1, 3, 2), Severity.ERROR)


def test_a_deployments_finding_is_the_rules_finding_told_its_subject_and_variant():
    plain = deployment("plain")
    varied = Deployment(
        id=f"{PATH}#Config", platform="test", kind=plain.kind, span=Span(PATH, 5, 1, 9, 1),
        name=Sourced("varied"), variant=Sourced("prod-config.json", Span("prod-config.json", 1, 1, 1, 2)),
    )
    found = {finding.message.split(" (with")[0]: finding for finding in _findings((plain, varied), reports_with_related)}
    [one, two] = [violation for violation in reports_with_related.check(plain, None)]
    assert _every_field(found["saw plain"]) == _every_field(
        reports_with_related.finding(one).replaced(subject="plain", subject_span=plain.span)
    )
    expected = reports_with_related.finding(Violation("saw varied", one.span, related=one.related))
    assert _every_field(found["saw varied"]) == _every_field(
        expected.replaced(subject="Config", subject_span=varied.span, variants=("prod-config.json",), message="saw varied (with prod-config.json)")
    )
    assert found["an error"].severity is Severity.ERROR


def test_a_rule_subclass_makes_its_own_findings():
    class Tagged(Rule):
        def finding(self, violation: Violation):
            return super().finding(violation).replaced(message=f"[tagged] {violation.message}", variants=("own",))

    tagged = Tagged("TST006", "tagged", Severity.INFO, "Reports every deployment, tagged.", reports_first.check)
    [finding] = _findings((deployment("plain"),), tagged)
    assert (finding.message, finding.subject, finding.variants) == ("[tagged] first saw plain (with own)", "plain", ("own",))


@rule("TST007", "fails-on-second-document", Severity.INFO, "Fails on the second document of a file.", scope=Scope.DOCUMENT)
def fails_on_second_document(document: Document, run: RunContext) -> Iterator[Violation]:
    """Fails on one document (a test rule)."""
    if document.index == 1:
        raise RuntimeError("cannot read")
    return iter(())


def test_a_document_rule_that_fails_is_reported_at_the_documents_start_made_only_then(monkeypatch):
    from linter import api, engine

    made: list[int] = []
    original = engine._document_anchor

    def counting(document):
        made.append(document.index)
        return original(document)

    monkeypatch.setattr(engine, "_document_anchor", counting)
    host = build_plugin_host(entry_points=False, plugins=[("test-rules", RulesOf(fails_on_second_document))])
    text = "a: 1\n---\n# a comment\n  b: 2\n---\nc: 3\n"
    result = api.lint_text(text, PATH, LintOptions(selector=RuleSelector(("TST",))), host=host)
    [failure] = result.findings
    assert failure.rule_id == "MD002" and "raised RuntimeError: cannot read in rule TST007" in failure.message
    assert (failure.span.line, failure.span.column, failure.span.end_line, failure.span.end_column) == (4, 3, 4, 3)
    assert made == [1]  # not for the documents whose rules passed

"""The cfn-lint bridge: cfn-lint's own checks in the same run (off by default).

One umbrella rule, CFN001 `cfn-lint`, runs cfn-lint on every CloudFormation
template being linted and reports each of its matches as a finding whose
message starts with cfn-lint's check ID (`[cfn-lint:E3002] ...`), located
where cfn-lint located it, with cfn-lint's severity (E error, W warning,
I info). Our rule IDs are letters plus three digits and name one rule each,
so cfn-lint's several hundred checks share one ID here; select or suppress
them as CFN001, and skip single cfn-lint checks with `ignore-checks`.

The bridge is on when the run's configuration says so: `cfn-lint = true`,
or a `[cfn-lint]` table (on unless `enabled = false`) with `regions` and
`ignore-checks`; `--cfn-lint` sets it for one run. cfn-lint takes about a
second and a half to import, so it is imported only when the bridge is on
and a template is checked, never at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

from linter import Document, Rule, RunContext, Scope, Severity, Span, Violation, hookimpl, rule

from plugins.adapters.cloudformation.template import is_template

SETTING = "cfn-lint"

# cfn-lint encodes a check's level in the first letter of its ID.
_SEVERITY_BY_LETTER = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}


@dataclass(frozen=True)
class BridgeSettings:
    """What the configuration asks of the bridge when it is on."""

    regions: tuple[str, ...] = ()  # empty: cfn-lint's default region
    ignore_checks: tuple[str, ...] = ()


def bridge_settings(setting: object) -> BridgeSettings | None:
    """The bridge's settings from the configuration value `cfn-lint`, or None when it is off.

    On for `true` and for a table unless it says `enabled = false`; off
    when the key is absent or false. The configuration schema has already
    checked the table's shape.
    """
    if setting is True:
        return BridgeSettings()
    if isinstance(setting, Mapping) and setting.get("enabled", True) is not False:
        return BridgeSettings(tuple(setting.get("regions", ())), tuple(setting.get("ignore-checks", ())))
    return None


def _severity(check_id: str) -> Severity:
    return _SEVERITY_BY_LETTER.get(check_id[:1].upper(), Severity.WARNING)


def _span(document: Document, match) -> Span:
    """cfn-lint's 1-based range (end column exclusive, as ours), clamped to the file."""
    line = max(int(match.linenumber or 1), 1)
    column = max(int(match.columnnumber or 1), 1)
    end_line = max(int(match.linenumberend or line), line)
    end_column = int(match.columnnumberend or column)
    if end_line == line:
        end_column = max(end_column, column)
    return Span(document.path, line, column, end_line, max(end_column, 1))


def _lint_template(text: str, settings: BridgeSettings, run: RunContext) -> list:
    """cfn-lint's matches for one template text (imports cfn-lint on first use).

    This is `cfnlint.api.lint`, with cfn-lint's rules loaded once per run
    instead of once per template: `lint` reuses only the legacy
    `RulesCollection`, and loading the rules costs about ten times the
    checks of a small template.
    """
    from cfnlint.config import ConfigMixIn, ManualArgs
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner, run_template_by_data

    arguments = ManualArgs()
    if settings.regions:  # otherwise cfn-lint's default, us-east-1, as on its command line
        arguments["regions"] = list(settings.regions)
    if settings.ignore_checks:
        arguments["ignore_checks"] = list(settings.ignore_checks)
    config = ConfigMixIn(**arguments)
    rules = run.memo((__name__, "rules"), lambda: Runner(ConfigMixIn()).rules)
    template, errors = decode_str(text)
    if errors:
        return list(errors)
    if template is None:
        return []
    return list(run_template_by_data(template, config, rules))


@rule(
    "CFN001",
    "cfn-lint",
    Severity.ERROR,
    "A cfn-lint check failed on a CloudFormation template (the cfn-lint bridge, off by default).",
    scope=Scope.DOCUMENT,
    tags=("cloudformation", "cfn-lint"),
)
def cfn_lint(document: Document, run: RunContext) -> Iterator[Violation]:
    """
    ## What it does
    When the cfn-lint bridge is on, runs cfn-lint's own checks on every
    CloudFormation template being linted and reports each match as a
    finding. The message starts with cfn-lint's check ID, such as
    `[cfn-lint:E3002]`, the range is the one cfn-lint reports, and the
    severity follows cfn-lint's level: `E` error, `W` warning, `I` info.

    The bridge is off by default. Turn it on for one run with `--cfn-lint`,
    or in the configuration file:

    ```toml
    [cfn-lint]
    regions = ["us-east-1", "eu-west-1"]
    ignore-checks = ["W3005"]
    ```

    (`cfn-lint = true` turns it on with cfn-lint's defaults.) If cfn-lint
    itself fails on a template, the failure is reported as an error of this
    rule on the template, and the run goes on.

    ## Why it matters
    A template that breaks the CloudFormation resource schemas fails at
    deploy time, whatever its machine-learning settings are. With the bridge
    on, one run, one report and one SARIF file carry both kinds of finding,
    and suppressions, baselines and `--fail-on` treat them alike.

    ## Example
    With the bridge on, cfn-lint reports E3002 on a property that
    `AWS::SageMaker::EndpointConfig` does not have:
    ```yaml
    Resources:
      ScoringConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: scorer
              InstanceType: ml.m5.large
              InitialInstanceCount: 2
          InstanceCount: 2
    ```

    ## Fix
    Fix what cfn-lint reports, here by removing the unknown property:
    ```yaml
    Resources:
      ScoringConfig:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - VariantName: AllTraffic
              ModelName: scorer
              InstanceType: ml.m5.large
              InitialInstanceCount: 2
    ```
    A check that does not apply is skipped with `ignore-checks` in the
    `[cfn-lint]` table, or in the template for one resource with cfn-lint's
    own `Metadata: cfn-lint: config: ignore_checks`.

    ## Sources
    - https://github.com/aws-cloudformation/cfn-lint (rules, levels and the `cfnlint.api` Python API)
    - https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md
    """
    settings = bridge_settings(run.options.config.get(SETTING))
    if settings is None or not is_template(document):
        return
    source = document.source
    # A file that did not load cleanly is MD001's; a multi-document stream
    # is no template cfn-lint can read.
    if source.problems or len(source.documents) != 1:
        return
    try:
        matches = _lint_template(source.text, settings, run)
    except Exception as error:  # cfn-lint's own failure: report it, and let the other templates be checked
        message = " ".join(str(error).split()) or "no message"
        yield Violation(
            f"[cfn-lint] cfn-lint could not check this template: {type(error).__name__}: {message}",
            Span.point(document.path, document.span.line, document.span.column),
            Severity.ERROR,
        )
        return
    for match in matches:
        check_id = str(match.rule.id)
        yield Violation(
            f"[cfn-lint:{check_id}] {' '.join(str(match.message).split())}",
            _span(document, match),
            _severity(check_id),
        )


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [cfn_lint]

"""The linter's own rules (MD): problems of reading files and running plugins.

These findings are produced by the engine itself, not by check functions;
the rules exist so that they have IDs, docs and selection like any other.
"""

from __future__ import annotations

from linter.hookspecs import hookimpl
from linter.rules import Rule, Scope, Severity, rule


@rule("MD001", "parse-error", Severity.ERROR, "The file could not be read as YAML or JSON.", scope=Scope.DOCUMENT)
def parse_error(*_args: object) -> list:
    """
    ## What it does
    Reports a file, or a document of a multi-document file, that could not
    be read: a YAML or JSON syntax error, text that is not UTF-8 (or UTF-16
    or UTF-32 with a byte-order mark), a binary file, nesting deeper than
    the loader's limit, an alias bomb or a recursive alias, a duplicate key,
    or a file above the size limit. The finding points at the offending
    line and column.

    ## Why it matters
    A file that does not parse is not checked at all, and it will not deploy
    either: CloudFormation, kubectl and the SageMaker API reject it too.

    ## Example
    ```yaml
    Resources:
      Endpoint:
        Type: AWS::SageMaker::Endpoint
        Properties: [EndpointConfigName: config
    ```

    ## Fix
    Correct the syntax at the reported position. For duplicate keys, keep
    one of the entries.

    ## Sources
    - YAML 1.2.2 specification, https://yaml.org/spec/1.2.2/
    - RFC 8259, The JavaScript Object Notation (JSON) Data Interchange Format
    """
    return []


@rule("MD002", "plugin-error", Severity.ERROR, "A plugin raised while loading, extracting or checking.", scope=Scope.RUN)
def plugin_error(*_args: object) -> list:
    """
    ## What it does
    Reports a plugin that failed: it could not be imported, or it raised an
    exception while registering rules, extracting deployments from a file or
    running a rule. The finding names the plugin (and the rule) and points at
    the file being processed. The rest of the run goes on.

    ## Why it matters
    A failing plugin means some checks did not run on this file; a clean
    report would be a false reassurance.

    ## Example
    `plugin 'acme_rules' raised KeyError: 'Properties' in rule ACME001 while checking this deployment`

    ## Fix
    Upgrade or report the plugin named in the message; `mldeploy-lint rules`
    shows which plugin owns each rule. Use `--ignore RULE` to switch off a
    rule that crashes until it is fixed.

    ## Sources
    - pluggy, the plugin system of pytest: https://pluggy.readthedocs.io/
    """
    return []


@rule(
    "MD004",
    "invalid-workload-profile",
    Severity.ERROR,
    "A declared workload profile entry does not match the profile schema.",
    scope=Scope.DOCUMENT,
)
def invalid_workload_profile(*_args: object) -> list:
    """
    ## What it does
    Reports a workload profile entry — CloudFormation `Metadata`
    `mldeploy-lint: {workload: ...}`, a `mldeploy-lint:<key>` tag or a
    `mldeploy-lint.io/<key>` annotation — whose key is unknown or whose
    value breaks `schemas/workload-profile.schema.json`: a payload that is
    not a number, a traffic shape that is not one of the known ones.

    ## Why it matters
    Rules such as `EP001` judge the deployment against the profile. An entry
    that cannot be read is left out, so the rules that need it stay silent;
    this finding makes sure that silence is not mistaken for a pass.

    ## Example
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            payload-mb: large
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ```

    ## Fix
    Write the value the schema expects:
    ```yaml
    ScoringConfig:
      Type: AWS::SageMaker::EndpointConfig
      Metadata:
        mldeploy-lint:
          workload:
            payload-mb: 2
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            InstanceType: ml.m5.large
            InitialInstanceCount: 2
    ```

    ## Sources
    - `schemas/workload-profile.schema.json` in this project
    """
    return []


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [parse_error, plugin_error, invalid_workload_profile]

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
    line and column. In a stream of several documents, only the broken
    document is lost: the documents after its end are read and linted.

    A key written twice with the same value changes nothing and is a
    warning; with different values it is an error (which one wins depends
    on the tool reading the file). A mapping used as a key (an unquoted
    `{{PLACEHOLDER}}`) is valid YAML that no deployment format uses: the
    entry is skipped without a finding. Helm chart templates and other Go
    templates are not parse errors: see `MD005`.

    It also says where a file is read only in part: a document whose
    reading took longer than the per-file time limit (`file-timeout`), a
    list longer than the service accepts (more than 10
    `ProductionVariants`, more than 15 model `Containers`: only the first
    ones are linted), a CloudFormation template that more than 32 stage
    files apply to (it is read with the first 32 by path), or a run of more
    than 64 stage files' names (the rules over the whole run see the first
    64).

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
    "MD003",
    "unused-suppression",
    Severity.INFO,
    "A suppression that excused no finding, or names no known rule.",
    scope=Scope.RUN,
)
def unused_suppression(*_args: object) -> list:
    """
    ## What it does
    Reports a suppression — a `# mldeploy-lint: disable=…` comment, a
    CloudFormation `Metadata` `mldeploy-lint: {ignore: …}` entry or a
    Kubernetes `ignore.mldeploy-lint.io/<rule>` annotation — that excused no
    finding in this run, or that names no known rule (with the nearest rule
    ID or slug as a suggestion). A suppression of a rule that did not run
    (left out by `--select`) is not reported.

    ## Why it matters
    A suppression outlives the problem it excused: after the instance type
    is fixed, a stale `disable=CP001` would hide the next real CP001 on
    that line. A misspelt rule ID suppresses nothing at all.

    ## Example
    ```yaml
    Scorer:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:  # mldeploy-lint: disable=CV001 -- memory checked by the platform team
              MemorySizeInMB: 2048
              MaxConcurrency: 5
    ```

    ## Fix
    Remove the suppression (or correct the rule ID it names):
    ```yaml
    Scorer:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 2048
              MaxConcurrency: 5
    ```

    ## Sources
    - ruff, RUF100 unused-noqa: https://docs.astral.sh/ruff/rules/unused-noqa/
    - `docs/suppressions.md` in this project
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


@rule(
    "MD005",
    "unrendered-template",
    Severity.INFO,
    "A Helm chart template or other Go-template file is not linted; lint its rendered output.",
    scope=Scope.RUN,
)
def unrendered_template(*_args: object) -> list:
    """
    ## What it does
    Notes, once per Helm chart, that the chart's `templates/` were not
    linted, and says how to lint them. A file is a chart template when it
    sits under a `templates/` directory whose parent holds `Chart.yaml`; any
    other file is a Go template when it holds real template actions
    (`{{ .Values.x }}`, `{{- include … }}`, `{{ if … }}`, `{{ $var }}`)
    outside comments. A placeholder in a value (`"{{HF_TOKEN}}"`,
    `{{resolve:ssm:…}}`) does not make a file a template: such files are
    linted. The chart's `Chart.yaml` and `values*.yaml` are not manifests
    and are skipped without a note; its other plain YAML files (`crds/`)
    are linted. Likewise, once per kustomization, the patches a
    `kustomization.yaml` names (`patches`, `patchesStrategicMerge`,
    `patchesJson6902`): partial objects that only `kustomize build`
    completes (the resources it lists are linted).

    This is an info note: it never fails the default `--fail-on warning`.

    ## Why it matters
    A template is YAML by accident, if at all: what it parses to is not
    what it deploys, so findings on it would be wrong and a parse error
    would be noise. Its rendered output is real Kubernetes YAML, and every
    rule applies to that.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "chat.fullname" . }}
    spec:
      replicas: {{ .Values.replicaCount }}
    ```

    ## Fix
    Lint what the chart renders, with the values of each environment:
    `helm template charts/chat -f values-prod.yaml | mldeploy-lint -`.
    Each finding names the template its document came from. To silence the
    note for a repository, `ignore = ["MD005"]` in the configuration file.
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: chat
    spec:
      replicas: 2
    ```

    ## Sources
    - Helm, Chart Template Guide: https://helm.sh/docs/chart_template_guide/
    - Go text/template: https://pkg.go.dev/text/template
    """
    return []


@rule(
    "MD006",
    "suppression-without-reason",
    Severity.WARNING,
    "A suppression gives no reason, and the configuration requires one.",
    scope=Scope.RUN,
)
def suppression_without_reason(*_args: object) -> list:
    """
    ## What it does
    With `require-reason = true` in the configuration, reports a
    suppression that says why nothing: a comment without ` -- reason`, a
    Metadata `ignore` list entry, an annotation with an empty value. Off
    unless the configuration turns it on.

    ## Why it matters
    A reviewer of a legacy repository needs to know which exceptions were
    decided and which were silenced to get a build green; a reason written
    beside the suppression is the only record.

    ## Example
    ```yaml
    Scorer:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 1500  # mldeploy-lint: disable=CV001
              MaxConcurrency: 5
    ```

    ## Fix
    Say why, after ` -- `:
    ```yaml
    Scorer:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: scorer
            ServerlessConfig:
              MemorySizeInMB: 1500  # mldeploy-lint: disable=CV001 -- rounded up by the deploy script
              MaxConcurrency: 5
    ```

    ## Sources
    - `docs/suppressions.md` in this project
    """
    return []


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        parse_error,
        plugin_error,
        unused_suppression,
        invalid_workload_profile,
        unrendered_template,
        suppression_without_reason,
    ]

"""The cfn-lint bridge: cfn-lint's own checks in the same run (off by default).

One umbrella rule, CFN001 `cfn-lint`, runs cfn-lint on every CloudFormation
template being linted and reports each of its matches as a finding whose
message starts with cfn-lint's check ID (`[cfn-lint:E3002] ...`), located
where cfn-lint located it, with cfn-lint's severity (E error, W warning,
I info). Our rule IDs are letters plus three digits and name one rule each,
so cfn-lint's several hundred checks share one ID here; select or suppress
them as CFN001, and skip single cfn-lint checks with `ignore-checks`.

The bridge is on when the run's configuration says so: `cfn-lint = true`,
or a `[cfn-lint]` table (on unless `enabled = false`) with `regions`,
`ignore-checks` and `budget-seconds`; `--cfn-lint` sets it for one run.

cfn-lint runs in a separate process (`plugins.cfnlint_worker`), one per run,
started when the first template is checked: this process never imports it.
A process, not a thread, because a template can keep cfn-lint busy for
minutes (nested `Fn::ForEach`, reference rings) and a thread cannot be
stopped: on overrun of the per-template budget the process is killed, the
template gets an info note, and the next template gets a new process. It
also keeps cfn-lint's memory and crashes out of the run, and it runs in
isolated mode in an empty directory with no `.cfnlintrc`, so nothing of
the linted repository is imported.

Matches that repeat a built-in rule's finding on the same property are
dropped (`DUPLICATED_BY`), and long value lists in cfn-lint's messages are
cut to their first five items and a count.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from linter import (
    Deployment,
    Document,
    Option,
    OptionSection,
    Rule,
    RunContext,
    Scope,
    Severity,
    Span,
    Violation,
    hookimpl,
    rule,
)

# queue, subprocess and tempfile wait for the first template checked: most runs never start cfn-lint.
if TYPE_CHECKING:
    import queue


SETTING = "cfn-lint"

# The bridge's configuration section, `[cfn-lint]`: `true`, or a table of options.
SECTION = OptionSection(
    SETTING,
    {
        "description": "Run cfn-lint's own checks on the CloudFormation templates of the run and report its matches "
        "(off by default; --cfn-lint turns it on). true, or a table with options.",
        "oneOf": [
            {"type": "boolean"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "enabled": {"type": "boolean"},
                    "regions": {
                        "type": "array",
                        "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]+$"},
                        "description": "Regions to check against (default: us-east-1).",
                    },
                    "ignore-checks": {
                        "type": "array",
                        "items": {"type": "string", "pattern": "^[EWI][0-9]{4}$"},
                        "description": "cfn-lint check IDs to skip.",
                    },
                    "budget-seconds": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "maximum": 3600,
                        "description": "How long cfn-lint may spend on one template (default 5); a template it has "
                        "not finished by then gets an info note (CFN001) instead of its checks.",
                    },
                },
            },
        ],
    },
    (
        Option(
            "--cfn-lint",
            "enabled",
            "also run cfn-lint's checks on CloudFormation templates and report them as findings",
        ),
    ),
)

# The format the CloudFormation adapter gives the templates it recognises
# (`linter.DocumentFormat`): the documents this bridge hands to cfn-lint.
TEMPLATE_FORMAT = "cloudformation-template"

# cfn-lint encodes a check's level in the first letter of its ID.
_SEVERITY_BY_LETTER = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}


# How long cfn-lint may spend on one template before it is stopped.
DEFAULT_BUDGET_SECONDS = 5.0
# Starting the process (importing cfn-lint, loading its rules: about 1.5 s)
# is once per run and not charged to a template; this bounds a broken start.
START_SECONDS = 60.0
# Items of a value list a message keeps ("'x' is not one of [...]").
LIST_ITEMS_SHOWN = 5


@dataclass(frozen=True)
class BridgeSettings:
    """What the configuration asks of the bridge when it is on."""

    regions: tuple[str, ...] = ()  # empty: cfn-lint's default region
    ignore_checks: tuple[str, ...] = ()
    budget_seconds: float = DEFAULT_BUDGET_SECONDS


def bridge_settings(setting: object) -> BridgeSettings | None:
    """The bridge's settings from the configuration value `cfn-lint`, or None when it is off.

    On for `true` and for a table unless it says `enabled = false`; off
    when the key is absent or false. The configuration schema has already
    checked the table's shape.
    """
    if setting is True:
        return BridgeSettings()
    if isinstance(setting, Mapping) and setting.get("enabled", True) is not False:
        return BridgeSettings(
            tuple(setting.get("regions", ())),
            tuple(setting.get("ignore-checks", ())),
            float(setting.get("budget-seconds", DEFAULT_BUDGET_SECONDS)),
        )
    return None


def _severity(check_id: str) -> Severity:
    return _SEVERITY_BY_LETTER.get(check_id[:1].upper(), Severity.WARNING)


def _span(document: Document, match: Mapping) -> Span:
    """cfn-lint's 1-based range (end column exclusive, as ours), clamped to the file."""
    line = max(_int(match.get("line"), 1), 1)
    column = max(_int(match.get("column"), 1), 1)
    end_line = max(_int(match.get("end_line"), line), line)
    end_column = _int(match.get("end_column"), column)
    if end_line == line:
        end_column = max(end_column, column)
    return Span(document.path, line, column, end_line, max(end_column, 1))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


# --- the cfn-lint process ---------------------------------------------------------


class Overran(Exception):
    """cfn-lint did not answer within the budget; its process was stopped."""


class WorkerFailed(Exception):
    """cfn-lint's process could not start, or ended without answering."""


def worker_command() -> list[str]:
    """The command that starts a cfn-lint process.

    Isolated mode (`-I`: no working directory on the module path, no
    PYTHON* variables, no user site), running `cfnlint_worker.py` by its
    path: it imports only the standard library and cfn-lint, so no
    package of the linted repository (nor a stray `plugins` package) can
    stand in for anything it uses.
    """
    worker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cfnlint_worker.py")
    return [sys.executable, "-I", "-c", f"import runpy; runpy.run_path({worker!r}, run_name='__main__')"]


class CfnLintProcess:
    """One cfn-lint process for a run, checking templates one at a time under a deadline.

    Started on first use; stopped on overrun (the next check starts a new
    one) and when this object is collected or the interpreter exits.
    """

    def __init__(self, command: Callable[[], list[str]] | None = None) -> None:
        self._command = command  # None: `worker_command`
        self._held: list = []  # [(process, answers queue, directory)] while running
        weakref.finalize(self, _stop, self._held)

    def check(self, text: str, settings: BridgeSettings) -> dict:
        """cfn-lint's answer for one template (`matches` or `error`); raises Overran or WorkerFailed."""
        if not self._held:
            self._start()
        process, answers, _ = self._held[0]
        request = {"text": text, "regions": list(settings.regions), "ignore_checks": list(settings.ignore_checks)}
        try:
            process.stdin.write((json.dumps(request) + "\n").encode("ascii"))
            process.stdin.flush()
        except OSError as error:
            self.stop()
            raise WorkerFailed(f"cfn-lint's process stopped taking templates ({error})") from error
        return self._answer(answers, settings.budget_seconds, Overran)

    def stop(self) -> None:
        _stop(self._held)

    def _start(self) -> None:
        import queue
        import subprocess
        import tempfile

        directory = tempfile.mkdtemp(prefix="mldeploy-cfnlint-")
        try:
            process = subprocess.Popen(
                (self._command or worker_command)(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=directory,
            )
        except OSError as error:
            os.rmdir(directory)
            raise WorkerFailed(f"cfn-lint's process could not start ({error})") from error
        answers: queue.Queue = queue.Queue()
        threading.Thread(target=_read_answers, args=(process.stdout, answers), daemon=True).start()
        self._held.append((process, answers, directory))
        answer = self._answer(answers, START_SECONDS, WorkerFailed)
        if not answer.get("ready"):
            self.stop()
            raise WorkerFailed("cfn-lint's process did not start")

    def _answer(self, answers: queue.Queue, seconds: float, overrun: type[Exception]) -> dict:
        import queue

        try:
            line = answers.get(timeout=seconds)
        except queue.Empty:
            self.stop()
            raise overrun(f"no answer within {seconds:g} s") from None
        if line is None:
            code = self._held[0][0].wait() if self._held else None
            self.stop()
            raise WorkerFailed(f"cfn-lint's process ended unexpectedly ({_exit_status(code)})")
        return json.loads(line)


def _read_answers(stream, answers: queue.Queue) -> None:
    """Pass the process's answer lines on; None once it has ended."""
    try:
        for line in stream:
            answers.put(line)
    except (OSError, ValueError):
        pass
    answers.put(None)


def _stop(held: list) -> None:
    import subprocess

    while held:
        process, _, directory = held.pop()
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.kill()  # a process mid-template would not read the end of its input
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.rmdir(directory)
        except OSError:
            pass


def _exit_status(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


# --- what is reported ---------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """A kind of cfn-lint match that a built-in rule reports better, on the same property."""

    rule_id: str  # the built-in rule's, found among the run's enabled rules
    property_name: str  # the last element of cfn-lint's path
    message: re.Pattern


# cfn-lint's enum check (E3030 today) on an instance type says "'x' is not
# one of [... 300 types]"; CP005 says what is wrong and what was meant.
DUPLICATED_BY = (Duplicate("CP005", "InstanceType", re.compile(r"is not one of")),)


def _builtin_lines(document: Document, run: RunContext) -> dict[str, set[int]]:
    """The lines of this document where each enabled rule of `DUPLICATED_BY` reports, by rule ID."""
    lines: dict[str, set[int]] = {}
    wanted = {duplicate.rule_id for duplicate in DUPLICATED_BY}
    for builtin in run.rules:
        if builtin.id not in wanted:
            continue
        found = lines.setdefault(builtin.id, set())
        for deployment in _deployments_of(document, run):
            if not builtin.applies_to(deployment):
                continue
            try:
                found.update(violation.span.line for violation in builtin.check(deployment, run) if violation.span.path == document.path)
            except Exception:  # the rule reports its own failure as MD002; here it just covers nothing
                continue
    return lines


def _deployments_of(document: Document, run: RunContext) -> Iterator[Deployment]:
    start, end = document.span.line, document.span.end_line
    for deployment in run.deployments:
        span = deployment.span
        if span is not None and span.path == document.path and start <= span.line <= end:
            yield deployment


def _is_duplicate(match: Mapping, builtin_lines: dict[Rule, set[int]]) -> bool:
    path = match.get("path") or []
    for duplicate in DUPLICATED_BY:
        if (
            path
            and path[-1] == duplicate.property_name
            and duplicate.message.search(str(match.get("message", "")))
            and match.get("line") in builtin_lines.get(duplicate.rule_id, ())
        ):
            return True
    return False


_LIST_START = re.compile(r"\[")


def shorten_lists(message: str, shown: int = LIST_ITEMS_SHOWN) -> str:
    """`message` with each literal list of more than `shown` items cut to its first `shown` and a count.

    `'x' is not one of ['a', 'b', ..., 'z']` becomes
    `'x' is not one of ['a', 'b', 'c', 'd', 'e', … 21 more]`.
    """
    result: list[str] = []
    position = 0
    while True:
        found = _LIST_START.search(message, position)
        if found is None:
            break
        end = _list_end(message, found.start())
        if end is None:
            break
        literal = message[found.start() : end]
        try:
            items = ast.literal_eval(literal)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if isinstance(items, list) and len(items) > shown:
            result.append(message[position : found.start()])
            kept = ", ".join(repr(item) for item in items[:shown])
            result.append(f"[{kept}, … {len(items) - shown:,} more]")
            position = end
        else:
            result.append(message[position : found.start() + 1])
            position = found.start() + 1
    result.append(message[position:])
    return "".join(result)


def _list_end(text: str, start: int) -> int | None:
    """The index after the `]` that closes the `[` at `start` (quotes respected), or None."""
    depth = 0
    quote = ""
    index = start
    while index < len(text):
        character = text[index]
        if quote:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = ""
        elif character in "'\"":
            quote = character
        elif character == "[":
            depth += 1
        elif character == "]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


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
    rule on the template, and the run goes on. cfn-lint gets
    `budget-seconds` (default 5) per template; a template it has not
    finished by then gets an info note of this rule instead of its checks.

    A cfn-lint match that repeats a built-in finding on the same property
    is dropped: an instance type outside cfn-lint's list is CP005's, which
    names the type meant. Long value lists in cfn-lint's messages show
    their first five items and a count.

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
    settings = bridge_settings(run.settings(SETTING))
    if settings is None or TEMPLATE_FORMAT not in run.formats_of(document):
        return
    source = document.source
    # A file that did not load cleanly is MD001's; a multi-document stream
    # is no template cfn-lint can read.
    if source.problems or len(source.documents) != 1:
        return
    anchor = Span.point(document.path, document.span.line, document.span.column)
    process = run.memo((__name__, "process"), CfnLintProcess)
    try:
        answer = process.check(source.text, settings)
    except Overran:
        yield Violation(
            f"[cfn-lint] cfn-lint did not finish checking this template within its budget of "
            f"{settings.budget_seconds:g} s and was stopped; its checks are not reported (raise "
            f"budget-seconds in the [cfn-lint] configuration to give it longer)",
            anchor,
            Severity.INFO,
        )
        return
    except WorkerFailed as error:
        yield Violation(f"[cfn-lint] cfn-lint could not check this template: {error}", anchor, Severity.ERROR)
        return
    if "error" in answer:  # cfn-lint's own failure: report it, and let the other templates be checked
        yield Violation(f"[cfn-lint] cfn-lint could not check this template: {answer['error']}", anchor, Severity.ERROR)
        return
    matches = answer.get("matches", [])
    builtin_lines = _builtin_lines(document, run) if matches else {}
    for match in matches:
        if _is_duplicate(match, builtin_lines):
            continue
        check_id = str(match.get("id", ""))
        message = shorten_lists(" ".join(str(match.get("message", "")).split()))
        yield Violation(f"[cfn-lint:{check_id}] {message}", _span(document, match), _severity(check_id))


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [cfn_lint]


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [SECTION]

"""One fuzz execution: lint inputs, render every reporter and explain, and say which property broke.

The properties: linting never raises, never reports MD002 (a plugin that
crashed), finishes within a time budget per input, and every reporter
renders — JSON output parses as strict JSON (no NaN or Infinity) and SARIF
output validates against the official SARIF 2.1.0 schema (Draft 4).
A failure names the module where it happened (the innermost frame in
`linter/` or `plugins/`) so that failures can be told apart and counted once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import jsonschema

from linter import __version__
from linter.engine import InputFile, LintOptions, run_lint
from linter.explain import explain_json, explain_text
from linter.plugin_manager import build_plugin_host
from linter.reporting import Report
from linter.rules import Severity

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"
# Well above the 2 ms a real file takes, well below what a user calls a hang.
DEFAULT_BUDGET_SECONDS = 2.0
# An input still running after this many budgets is interrupted (a hang).
HARD_LIMIT_FACTOR = 10


@dataclass(frozen=True)
class Failure:
    """A broken property: `kind` says which, `where` the module (or stage) it broke in."""

    kind: str  # exception | plugin-error | overran | slow | invalid-json | invalid-sarif | raw-control-output
    where: str
    summary: str
    detail: str
    function: str = ""

    @property
    def signature(self) -> str:
        """What makes two failures the same bug: kind, module, function and exception type."""
        exception = self.summary.split(":", 1)[0]
        return f"{self.kind} {self.where}:{self.function} {exception}"


class Overran(KeyboardInterrupt):
    """Raised into a run that exceeded its hard time limit.

    A KeyboardInterrupt so that no isolation layer (which may catch every
    other BaseException from a plugin) turns the interruption into a finding.
    """


def project_frame(tb) -> tuple[str, str]:
    """(repository path, function) of the innermost frame in linter/ or plugins/, else of the innermost frame."""
    frames = []
    while tb is not None:  # not traceback.extract_tb: a deep composer leaves 20,000 frames, each read from disk
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        where = _in_project(frame)
        if where is not None:
            return where, frame.f_code.co_name
    if not frames:
        return "?", "?"
    return Path(frames[-1].f_code.co_filename).name, frames[-1].f_code.co_name


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@contextlib.contextmanager
def deadline(budget: float, hard_limit: float, sampled: list[tuple[str, str]]) -> Iterator[None]:
    """Note where the block is once it passes `budget`; interrupt it with `Overran` at `hard_limit`.

    The note (into `sampled`) says which module a slow input spent its time
    in. After the interruption the timer keeps firing every half second, in
    case something swallows the first `Overran`. Main thread only.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    started = time.monotonic()

    def tick(signum, frame):
        if not sampled:
            sampled.append(_project_frame_of(frame))
        if time.monotonic() - started >= hard_limit - 0.01:
            signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
            raise Overran(f"still running after {hard_limit:g} s")
        signal.setitimer(signal.ITIMER_REAL, hard_limit - (time.monotonic() - started), 0.5)

    previous = signal.signal(signal.SIGALRM, tick)
    signal.setitimer(signal.ITIMER_REAL, budget, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _project_frame_of(frame) -> tuple[str, str]:
    """(repository path, function) of the innermost frame in linter/ or plugins/ on a live stack."""
    while frame is not None:
        where = _in_project(frame)
        if where is not None:
            return where, frame.f_code.co_name
        frame = frame.f_back
    return "?", "?"


def _in_project(frame) -> str | None:
    """The repository path of the frame's module when it is in linter/ or plugins/."""
    return _project_path(frame.f_code.co_filename)


@functools.lru_cache(maxsize=1024)
def _project_path(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(REPO)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts and relative.parts[0] in ("linter", "plugins") else None


@contextlib.contextmanager
def _plugin_errors_captured(captured: list[BaseException]) -> Iterator[None]:
    """Keep the exceptions the engine turns into MD002, for their tracebacks (the finding keeps one frame)."""
    from linter import engine

    emitter = getattr(engine, "_Emitter", None)
    original = getattr(emitter, "plugin_error", None)
    if original is None:
        yield
        return

    def plugin_error(self, plugin, message, span, error=None, *args, **kwargs):
        if error is not None:
            captured.append(error)
        return original(self, plugin, message, span, error, *args, **kwargs)

    emitter.plugin_error = plugin_error
    try:
        yield
    finally:
        emitter.plugin_error = original


def _reject_constant(name: str):
    raise ValueError(f"not JSON: {name}")


class Checker:
    """Runs inputs through the whole pipeline with one plugin host; `check` returns the broken properties."""

    def __init__(
        self, budget: float = DEFAULT_BUDGET_SECONDS, options: LintOptions = LintOptions(), interrupt: bool = True
    ) -> None:
        """`interrupt=False` leaves SIGALRM alone (atheris: libFuzzer's -timeout owns it); slow inputs are still reported."""
        self.budget = budget
        self.interrupt = interrupt
        self.options = options
        self.host = build_plugin_host()
        self.reporters = dict(self.host.reporters())  # name -> Reporter
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        self.sarif = jsonschema.Draft4Validator(schema)
        self.executions = 0
        self._validated_rules: set[tuple[str, ...]] = set()
        # Warm up: lazy imports and the one full SARIF validation are not an input's time.
        self.check([InputFile("warm-up.yaml", b"Resources: {}\n")])
        self.executions = 0

    def check(self, inputs: Sequence[InputFile], _retry: bool = False) -> list[Failure]:
        """Lint `inputs`, render them every way; the properties that broke (empty when all hold)."""
        self.executions += 1
        failures: list[Failure] = []
        captured: list[BaseException] = []
        stage = "lint"
        started = time.perf_counter()
        # The budget is CPU time: a busy machine (other jobs, a loaded CI runner) is not a slow input.
        cpu_started = time.process_time()
        seconds: dict[str, float] = {}  # per stage, to say where a slow input spent its time
        mark = started
        sampled: list[tuple[str, str]] = []
        try:
            guard = deadline(self.budget, self.budget * HARD_LIMIT_FACTOR, sampled) if self.interrupt else contextlib.nullcontext()
            with guard, _plugin_errors_captured(captured):
                result = run_lint(inputs, self.host, self.options)
                seconds[stage], mark = time.perf_counter() - mark, time.perf_counter()
                for error in captured:
                    where, function = project_frame(error.__traceback__)
                    failures.append(
                        Failure("plugin-error", where, _describe(error), _format(error), function)
                    )
                if not captured:  # MD002 without an exception: a load failure of a plugin, or capture did not work
                    failures += [
                        Failure("plugin-error", finding.plugin or "?", finding.message, finding.message)
                        for finding in result.findings
                        if finding.rule_id == "MD002"
                    ]
                report = Report(
                    findings=result.findings,
                    files=result.files,
                    rules=result.rules,
                    tool_version=__version__,
                    fail_on=Severity.WARNING,
                    color=False,
                    working_directory=os.getcwd(),
                )
                for name, reporter in sorted(self.reporters.items()):
                    stage = f"reporter {name}"
                    output = reporter.render(report)
                    if not isinstance(output, str):
                        failures.append(Failure("exception", stage, f"TypeError: render returned {type(output).__name__}", ""))
                        continue
                    if name in ("json", "sarif"):
                        failures += self._check_json(name, output)
                    if name == "text":
                        failures += _check_human_readable(name, output, expected_lines=len(result.findings) + 1)
                        reporter.render(_with_color(report))
                    seconds[stage], mark = time.perf_counter() - mark, time.perf_counter()
                stage = "explain"
                explained = explain_json(result.deployments, result.scaling_targets, os.getcwd(), not_judged=result.not_judged)
                failures += self._check_json("explain-json", explained)
                failures += _check_human_readable("explain", explain_text(result.deployments, result.scaling_targets, os.getcwd(), not_judged=result.not_judged))
                seconds[stage] = time.perf_counter() - mark
        except Overran as error:
            while isinstance(error.__context__, Overran):  # interrupted again while unwinding: the first one says where
                error = error.__context__
            where, function = project_frame(error.__traceback__)
            failures.append(Failure("overran", where, f"Overran: {stage} {error.args[0] if error.args else ''}", _format(error), function))
        except Exception as error:  # noqa: BLE001 - the property under test is that nothing raises
            where, function = project_frame(error.__traceback__)
            failures.append(Failure("exception", where, _describe(error), _format(error), function))
        elapsed = time.process_time() - cpu_started
        overran = any(failure.kind == "overran" for failure in failures)
        if elapsed > self.budget and not overran and not _retry:
            # Once more before calling it slow: a busy machine is not a slow input.
            self.executions -= 1
            again = self.check(inputs, _retry=True)
            return failures + [failure for failure in again if failure.kind == "slow"]
        if elapsed > self.budget and not overran:
            where, function = sampled[0] if sampled else (max(seconds, key=seconds.__getitem__, default=stage), "")
            timings = ", ".join(f"{name} {value:.2f} s" for name, value in seconds.items())
            failures.append(
                Failure("slow", where, f"Slow: {elapsed:.2f} s of CPU, above the {self.budget:g} s budget ({timings})", "", function)
            )
        return failures

    def _check_json(self, name: str, output: str) -> list[Failure]:
        try:
            document = json.loads(output, parse_constant=_reject_constant)
        except ValueError as error:
            return [Failure("invalid-json", f"reporter {name}", _describe(error), output[:2000])]
        if name == "sarif":
            error = jsonschema.exceptions.best_match(self.sarif.iter_errors(self._without_known_rules(document)))
            if error is not None:
                where = "/".join(str(part) for part in error.absolute_path)
                return [Failure("invalid-sarif", "reporter sarif", f"SchemaError: {error.message[:200]} at {where}", "")]
        return []

    def _without_known_rules(self, document: object) -> object:
        """The SARIF log with its rule descriptors left out once they were validated (they repeat in every run).

        Validating them takes most of the time of an execution; the results,
        where the fuzzed text goes, are validated every time.
        """
        try:
            driver = document["runs"][0]["tool"]["driver"]
            rules = tuple(str(rule.get("id")) for rule in driver["rules"])
        except (KeyError, IndexError, TypeError, AttributeError):
            return document
        if rules not in self._validated_rules:
            self._validated_rules.add(rules)
            return document
        return {**document, "runs": [{**document["runs"][0], "tool": {**document["runs"][0]["tool"], "driver": {**driver, "rules": []}}}, *document["runs"][1:]]}


# What a terminal or a CI log acts on: C0 controls but tab and line feed, DEL, C1 controls
# (ESC starts colour codes, screen clears and titles; a line feed in a value
# starts a `::error::` workflow command on a line of its own).
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _check_human_readable(name: str, output: str, expected_lines: int | None = None) -> list[Failure]:
    """Colourless human-readable output holds no control character, and one line per finding."""
    found = _CONTROL.search(output)
    if found is not None:
        line = output.count("\n", 0, found.start()) + 1
        return [Failure("raw-control-output", f"reporter {name}", f"RawControl: {found.group()!r} on line {line}", output[:2000])]
    if expected_lines is not None and output.count("\n") != expected_lines:
        return [
            Failure(
                "raw-control-output", f"reporter {name}",
                f"LineCount: {output.count(chr(10))} lines for {expected_lines - 1} findings", output[:2000],
            )
        ]
    return []


def _with_color(report: Report) -> Report:
    from dataclasses import replace

    return replace(report, color=True)


def _format(error: BaseException) -> str:
    # The innermost frames only: recursion in a composer leaves tens of thousands.
    return "".join(traceback.format_exception(type(error), error, error.__traceback__, limit=-40))


def inputs_for(path: str, data: bytes, context: Sequence[tuple[str, bytes]] = ()) -> list[InputFile]:
    """The input files of one execution: the mutant, and optionally context files beside it."""
    return [InputFile(path, data)] + [InputFile(name, content, context_only=True) for name, content in context]

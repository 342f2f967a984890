"""The per-file wall-clock limit: a stage that overruns costs its file, never the run."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
import types

import pytest

from linter import Deployment, hookimpl, rule
from linter.api import lint_text
from linter.deadline import Overrun, armed, time_limit
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.rules import Severity

LIMIT = LintOptions(file_timeout=0.2)
ENDPOINT = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: m
          ServerlessConfig: {MemorySizeInMB: 1500, MaxConcurrency: 5}
"""


def _spin(seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _host(**hooks):
    plugin = types.SimpleNamespace(**{name: hookimpl(function) for name, function in hooks.items()})
    return build_plugin_host(plugins=[("slow", plugin)])


def _run(host, *files: tuple[str, str]):
    started = time.monotonic()
    result = run_lint([InputFile(path, text.encode()) for path, text in files], host, LIMIT)
    assert time.monotonic() - started < 5, "the limit did not stop the stage"
    return result


def _findings(result):
    return [(finding.rule_id, finding.path, finding.message) for finding in result.findings]


def test_a_slow_loader_costs_its_file_only():
    def mldeploy_load(path, text, limits):
        if path == "slow.yaml":
            _spin()
        return None

    result = _run(_host(mldeploy_load=mldeploy_load), ("slow.yaml", ENDPOINT), ("fast.yaml", ENDPOINT))
    slow = [item for item in _findings(result) if item[1] == "slow.yaml"]
    assert slow == [
        ("MD001", "slow.yaml", "reading this file took longer than 0.2 s (the per-file time limit); not linted")
    ]
    assert "CV001" in {rule_id for rule_id, path, _ in _findings(result) if path == "fast.yaml"}


def test_a_slow_adapter_names_itself_and_the_document():
    def mldeploy_extract(document, run):
        if document.path == "slow.yaml" and document.index == 1:
            _spin()
        return None

    result = _run(_host(mldeploy_extract=mldeploy_extract), ("slow.yaml", ENDPOINT + "---\nkind: X\n"), ("fast.yaml", ENDPOINT))
    [overrun] = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert overrun.path == "slow.yaml" and overrun.span.line == 10
    assert "reading deployments from this document took longer than 0.2 s" in overrun.message
    assert "plugin 'slow'" in overrun.message
    # What was read before the overrun, and the other file, are still judged.
    assert {finding.path for finding in result.findings if finding.rule_id == "CV001"} == {"slow.yaml", "fast.yaml"}


@rule("SLOW001", "slow-rule", Severity.WARNING, "Spins on one deployment.")
def _slow_rule(deployment: Deployment, run):
    """
    ## What it does
    Spins.
    """
    if deployment.path == "slow.yaml":
        _spin()
    return []


def test_a_slow_rule_costs_that_deployment_only():
    result = _run(_host(mldeploy_rules=lambda: [_slow_rule]), ("slow.yaml", ENDPOINT), ("fast.yaml", ENDPOINT))
    [overrun] = [finding for finding in result.findings if finding.rule_id == "MD001"]
    assert overrun.path == "slow.yaml"
    assert overrun.message.startswith("rule ")
    assert "took longer than 0.2 s (the per-file time limit) here; the rules after it did not run" in overrun.message
    assert "CV001" in {finding.rule_id for finding in result.findings if finding.path == "fast.yaml"}


def test_a_plugin_that_swallows_the_overrun_once_is_stopped_all_the_same():
    def mldeploy_extract(document, run):
        try:
            _spin()
        except BaseException:  # a careless plugin: catches everything, then carries on
            pass
        _spin()
        return None

    result = _run(_host(mldeploy_extract=mldeploy_extract), ("slow.yaml", ENDPOINT))
    assert [finding.rule_id for finding in result.findings] == ["MD001"]


def test_the_timer_is_disarmed_after_the_run():
    lint_text(ENDPOINT, "t.yaml", LIMIT)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    from linter import deadline

    assert signal.getsignal(signal.SIGALRM) not in (deadline._raise_overrun, deadline._tick)


@pytest.mark.parametrize("armed_run", [False, True], ids=["limit alone", "limit within armed"])
def test_an_outer_timer_and_its_handler_are_restored_unexpired(armed_run):
    fired = []
    handler = lambda *_: fired.append(True)  # noqa: E731
    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with armed() if armed_run else contextlib.nullcontext():
            with time_limit(5):
                _spin(0.6)
        assert fired == []
        assert signal.getsignal(signal.SIGALRM) is handler
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.5
        time.sleep(0.6)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_time_limit_raises_in_the_body():
    with pytest.raises(Overrun):
        with time_limit(0.05):
            _spin(5)


def test_no_limit_outside_the_main_thread():
    import threading

    outcome = []

    def work():
        with time_limit(0.01):
            _spin(0.1)
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]


def test_the_limit_is_configurable_and_checked(tmp_path):
    (tmp_path / "mldeploy-lint.toml").write_text("file-timeout = 0\n")
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "."], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert "file-timeout" in completed.stderr


def test_within_armed_a_limit_costs_no_system_call_and_still_raises(monkeypatch):
    with armed():
        calls = []
        monkeypatch.setattr(signal, "setitimer", lambda *args: calls.append(args) or (0.0, 0.0))
        monkeypatch.setattr(signal, "signal", lambda *args: calls.append(args))
        for _ in range(100):
            with time_limit(5):
                pass
        assert calls == []
        monkeypatch.undo()
        with pytest.raises(Overrun):
            with time_limit(0.05):
                _spin(5)
        _spin(0.2)  # no stage: the timer's ticks raise nothing
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_within_armed_an_inner_limit_restores_the_outer_one_unexpired():
    with armed():
        with time_limit(0.3):
            with time_limit(5):
                _spin(0.4)  # past the outer limit, inside the inner one
            _spin(0.1)  # the outer limit has its 0.3 s again
            with pytest.raises(Overrun):
                _spin(5)


def test_a_child_forked_while_armed_limits_its_own_stages():
    import os

    with armed():
        pid = os.fork()
        if pid == 0:  # the child inherits no interval timer: its limit must set one
            code = 1
            try:
                with time_limit(0.05):
                    _spin(3)
            except Overrun:
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_run_without_a_time_limit_sets_no_timer():
    seen = []

    def mldeploy_extract(document, run):
        seen.append(signal.getitimer(signal.ITIMER_REAL))
        return None

    run_lint([InputFile("t.yaml", ENDPOINT.encode())], _host(mldeploy_extract=mldeploy_extract), LintOptions(file_timeout=None))
    assert seen == [(0.0, 0.0)]
    run_lint([InputFile("t.yaml", ENDPOINT.encode())], _host(mldeploy_extract=mldeploy_extract), LIMIT)
    assert seen[1] != (0.0, 0.0)

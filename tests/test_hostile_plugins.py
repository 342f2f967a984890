"""Plugins that exit, raise BaseException or return the wrong type: MD002, never a silent pass or a traceback.

A plugin calling `sys.exit(0)` from a hook used to end the run with exit
code 0 and no output — a CI gate that passes. Every hook, the rules'
checks and the import of the plugin itself are covered; KeyboardInterrupt
alone still stops the run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"

RULE_DOCS = '''"""
    ## What it does
    Test.
    ## Why it matters
    Test.
    ## Example
    Test.
    ## Fix
    Test.
    ## Sources
    Test.
    """'''

# Each plugin breaks one place; {fail} is the statement that breaks it.
PLACES = {
    "import": "{fail}\n",
    "mldeploy_rules": "@hookimpl\ndef mldeploy_rules():\n    {fail}\n",
    "mldeploy_file_patterns": "@hookimpl\ndef mldeploy_file_patterns():\n    {fail}\n",
    "mldeploy_load": "@hookimpl\ndef mldeploy_load(path, text, limits):\n    {fail}\n",
    "mldeploy_extract": "@hookimpl\ndef mldeploy_extract(document, run):\n    {fail}\n",
    "mldeploy_reporters": "@hookimpl\ndef mldeploy_reporters():\n    {fail}\n",
    "rule check": (
        "@rule('TST901', 'always-fails', Severity.ERROR, 'Fails on every document.', scope=Scope.DOCUMENT)\n"
        f"def always_fails(document, run):\n    {RULE_DOCS}\n    {{fail}}\n\n\n"
        "@hookimpl\ndef mldeploy_rules():\n    return [always_fails]\n"
    ),
}
HEADER = "import sys\nfrom linter import Scope, Severity, hookimpl, rule\n\n\n"
FAILURES = {
    "SystemExit(0)": "sys.exit(0)",
    "SystemExit(None)": "raise SystemExit",
    "GeneratorExit": "raise GeneratorExit('closed')",
    "a BaseException subclass": "raise type('Escape', (BaseException,), {})('out')",
}


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    """Write a plugin module to a directory on sys.path; returns its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    written: list[str] = []

    def write(name: str, source: str) -> str:
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_plugin_that_exits_is_md002_and_the_run_goes_on(cli, chdir_tmp, plugin_module, place, failure):
    (chdir_tmp / "settings.yaml").write_text(CONFIG_MAP)
    name = plugin_module(f"exiting_{abs(hash((place, failure)))}", HEADER + PLACES[place].format(fail=FAILURES[failure]))
    result = cli("settings.yaml", "--no-config", "--plugin", name)
    if place == "import":  # a module named with --plugin that cannot import is a usage error
        assert result.code == 2
        assert result.err.startswith(f"mldeploy-lint: error: cannot import plugin module {name!r}: ")
        return
    assert result.code == 1, (result.out, result.err)
    md002 = [line for line in result.out.splitlines() if " MD002 " in line]
    assert len(md002) == 1, result.out
    assert f"plugin {name!r}" in md002[0]


def test_an_installed_plugin_that_exits_on_import_is_md002(chdir_tmp, monkeypatch):
    from linter import installed_plugins

    class ExitingEntryPoint:
        name = "exits_on_import"
        value = "exits_on_import:plugin"

        def load(self):
            raise SystemExit(0)

    original = installed_plugins.entry_points
    monkeypatch.setattr(installed_plugins, "entry_points", lambda group: list(original(group)) + [ExitingEntryPoint()])
    host = build_plugin_host()
    result = run_lint([InputFile("settings.yaml", CONFIG_MAP.encode())], host, LintOptions())
    (finding,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert "plugin 'exits_on_import' failed to load" in finding.message and "SystemExit" in finding.message


def test_the_process_of_a_run_whose_plugin_exits_fails(tmp_path):
    (tmp_path / "exits.py").write_text(HEADER + PLACES["mldeploy_extract"].format(fail="sys.exit(0)"))
    (tmp_path / "settings.yaml").write_text(CONFIG_MAP)
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "settings.yaml", "--no-config", "--plugin", "exits", "--color", "never"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1
    assert "MD002 [plugin-error] plugin 'exits' raised SystemExit: 0 while extracting deployments" in completed.stdout


def test_keyboard_interrupt_from_a_plugin_still_stops_the_run(plugin_module):
    name = plugin_module("interrupts", HEADER + PLACES["mldeploy_extract"].format(fail="raise KeyboardInterrupt"))
    host = build_plugin_host([name])
    with pytest.raises(KeyboardInterrupt):
        run_lint([InputFile("settings.yaml", CONFIG_MAP.encode())], host, LintOptions())


# --- hooks that return the wrong type -------------------------------------------------------------

WRONG_RESULTS = {
    "rules not a list": ("mldeploy_rules", "return 5", "mldeploy_rules returned int, not a sequence"),
    "patterns not a list": ("mldeploy_file_patterns", "return 5", "mldeploy_file_patterns returned int, not a sequence"),
    "a pattern not a string": ("mldeploy_file_patterns", "return [5]", "mldeploy_file_patterns returned a int, not a str"),
    "patterns a string": ("mldeploy_file_patterns", "return '*.acme'", "mldeploy_file_patterns returned str, not a sequence"),
    "load not a SourceFile": ("mldeploy_load", "return 'text'", "mldeploy_load returned str, not a SourceFile"),
    "extract not a list": ("mldeploy_extract", "return 5", "mldeploy_extract returned int, not a sequence"),
    "reporters not a list": ("mldeploy_reporters", "return 5", "mldeploy_reporters returned int, not a sequence"),
    "a reporter not a Reporter": ("mldeploy_reporters", "return ['json']", "mldeploy_reporters returned a str, not a Reporter"),
}


@pytest.mark.parametrize("case", sorted(WRONG_RESULTS))
def test_a_hook_returning_the_wrong_type_is_md002(cli, chdir_tmp, plugin_module, case):
    hook, statement, message = WRONG_RESULTS[case]
    (chdir_tmp / "settings.yaml").write_text(CONFIG_MAP)
    name = plugin_module(f"wrong_{abs(hash(case))}", HEADER + PLACES[hook].format(fail=statement))
    result = cli("settings.yaml", "--no-config", "--plugin", name)
    assert result.code == 1, (result.out, result.err)
    md002 = [line for line in result.out.splitlines() if " MD002 " in line]
    assert len(md002) == 1 and message in md002[0], result.out


REPORTER = textwrap.dedent(
    """
    import sys
    from linter import Reporter, hookimpl

    def render(report):
        {fail}

    @hookimpl
    def mldeploy_reporters():
        return [Reporter("broken", "fails to render", render)]
    """
)


@pytest.mark.parametrize(
    "fail, message",
    [
        ("sys.exit(0)", "raised SystemExit: 0"),
        ("raise RuntimeError('no output today')", "raised RuntimeError: no output today"),
        ("return 5", "returned int, not the report text,"),
    ],
)
def test_a_reporter_that_fails_is_an_error_not_a_pass(cli, chdir_tmp, plugin_module, fail, message):
    (chdir_tmp / "settings.yaml").write_text(CONFIG_MAP)
    name = plugin_module(f"reporter_{abs(hash(fail))}", REPORTER.format(fail=fail))
    result = cli("settings.yaml", "--no-config", "--plugin", name, "--format", "broken")
    assert result.code == 2
    assert result.err.splitlines()[-1] == f"mldeploy-lint: error: plugin {name!r} {message} while rendering the 'broken' report"

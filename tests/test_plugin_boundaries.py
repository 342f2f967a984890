"""Plugin boundaries, read from the source: what each built-in plugin may import.

Every entry point of the `mldeploy_lint` group is a plugin. A plugin imports
the public core API, shared modules that belong to no plugin
(`plugins/adapters/aws/`, `plugins/data/`, `plugins/rules/common.py`, ...)
and its own modules — never another plugin's, so that each can be left out,
replaced or mirrored by a third party. What two plugins share moves to a
shared module; what one plugin needs to know of another's work it asks the
run (`RunContext.formats_of`, `RunContext.rules`). Inside the adapters, no
module imports itself back through a chain of imports.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent

# Imports across plugins still to be taken apart, each with why it is there.
KNOWN_CROSSINGS: set[tuple[str, str]] = set()


def _entry_points() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"]["mldeploy_lint"])


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((REPO / "plugins").rglob("*.py"))}


def _imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `plugins/` that the file imports anywhere (at the top or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
            found.update(submodules or {node.module})  # `from package import module` imports the module
    return {name for name in found if name in modules}


def _owner(module: str, plugins: dict[str, str]) -> str | None:
    for target in plugins.values():
        if module == target or module.startswith(target + "."):
            return target
    return None


def test_no_plugin_imports_another_plugins_modules():
    plugins = _entry_points()
    modules = _modules()
    crossings = set()
    for module, path in modules.items():
        owner = _owner(module, plugins)
        if owner is None:
            continue
        for imported in _imported(path, modules):
            other = _owner(imported, plugins)
            if other is not None and other != owner:
                crossings.add((module, imported))
    assert crossings == KNOWN_CROSSINGS


def test_shared_modules_import_no_plugin():
    """The shared modules (`plugins/adapters/aws/`, `plugins/data/`, ...) are below every plugin."""
    plugins = _entry_points()
    modules = _modules()
    for module, path in modules.items():
        if _owner(module, plugins) is not None or module in ("plugins", "plugins.adapters", "plugins.rules"):
            continue
        assert not {name for name in _imported(path, modules) if _owner(name, plugins)}, module


def test_no_import_cycles_inside_the_adapters():
    modules = {name: path for name, path in _modules().items() if name.startswith("plugins.adapters")}
    graph = {name: _imported(path, modules) - {name} for name, path in modules.items()}
    # A package's own __init__ importing its submodules is how a package is made, not a cycle.
    for name in graph:
        graph[name] = {other for other in graph[name] if not name.startswith(other + ".")}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, " -> ".join(visiting[visiting.index(name) :] + [name])
        visiting.append(name)
        for other in sorted(graph[name]):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_the_rules_on_boundaries_see_real_crossings(tmp_path):
    """The import reader finds `from package import module` and imports inside functions."""
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from plugins.adapters import sagemaker_api\n", encoding="utf-8")
    assert _imported(source, _modules()) == {"plugins.adapters.sagemaker_api"}


def test_the_run_says_which_adapter_recognised_a_document_and_as_what(tmp_path):
    """What the cfn-lint bridge asks instead of importing the CloudFormation adapter."""
    from linter import Scope, Severity, Violation, rule
    from linter.engine import InputFile, LintOptions, run_lint
    from linter.plugin_manager import build_plugin_host

    @rule(id="SEEN001", slug="seen", severity=Severity.INFO, summary="What the run recognised.", scope=Scope.DOCUMENT)
    def seen(document, run):
        """Reports, on each document, who recognised it and as what."""
        plugins = ",".join(sorted(run.recognised_by(document)))
        formats = ",".join(sorted(run.formats_of(document)))
        yield Violation(f"{plugins}|{formats}|{','.join(candidate.id for candidate in run.rules if candidate.id == 'CP005')}", document.span)

    class Probe:
        @staticmethod
        def mldeploy_rules():
            return [seen]

    from linter import hookimpl

    Probe.mldeploy_rules = hookimpl(Probe.mldeploy_rules)
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    stage = tmp_path / "template.prod.json"
    stage.write_text('{"Parameters": {"Stage": "prod"}}\n', encoding="utf-8")
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("just: data\n", encoding="utf-8")
    host = build_plugin_host(plugins=[("probe", Probe)])
    inputs = [InputFile(str(path), path.read_bytes()) for path in (template, stage, manifest, other)]
    result = run_lint(inputs, host, LintOptions())
    said = {Path(finding.path).name: finding.message for finding in result.findings if finding.rule_id == "SEEN001"}
    assert said["template.yaml"] == "cloudformation|cloudformation-template|CP005"
    assert said["template.prod.json"] == "cloudformation|cloudformation-stage-file|CP005"
    assert said["other.yaml"] == "||CP005"
    assert "cloudformation-template" not in said["deploy.yaml"]

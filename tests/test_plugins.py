"""The plugin contract, proved from the outside.

A third-party distribution (`tests/plugin_dist/`) is really installed into a
throwaway virtualenv and plugs in through the entry-point group
`mldeploy_lint`, as the built-in packs do. Plugins that raise — wherever
they raise — become `MD002 plugin-error` findings naming themselves; plugins
that cannot work together (duplicate rule IDs or slugs, a missing
`--plugin`) stop the run with exit 2. Every hook is documented and
exercised here: `test_every_hook_is_exercised_here` fails when a hook is
added without a test.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable

import pluggy
import pytest

import linter
from linter import Environment, MappingNode, Scaling, ScalingTarget, Severity, Sourced, hookimpl, rule
from linter import hookspecs, installed_plugins
from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import PluginConfigError, build_plugin_host
from linter.rules import RuleSelector
from plugins.rules import endpoint_fit

from conftest import run_cli

PLUGIN_DIST = Path(__file__).resolve().parent / "plugin_dist"
ACME_MODULE = "acme_mldeploy_rules"
ACME_ENTRY_POINT = "acme"  # [project.entry-points.mldeploy_lint] in plugin_dist/pyproject.toml
ACME_ADAPTER_MODULE = "acme_deploy_adapter"  # the distribution's adapter, entry point `acme_deploy`
ACME_SLUG = "p-instance-on-realtime-endpoint"
ACME_MESSAGE = "variant Green of real-time endpoint RankerConfig runs on ml.p3.2xlarge, a training-class instance"

# One template, two rules firing where `# expect:` says (at the value after
# the key), and an asynchronous endpoint on ml.p4d that ACME001 must leave
# alone because it is not real-time.
DEPLOY_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: ACME001 fires on real-time variants on ml.p* instances.
Resources:
  RankerConfig:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload:
          payload-mb: 50  # expect: EP001
    Properties:
      ProductionVariants:
        - VariantName: Blue
          ModelName: ranker
          InstanceType: ml.g5.xlarge
          InitialInstanceCount: 2
        - VariantName: Green
          ModelName: ranker
          InstanceType: ml.p3.2xlarge  # expect: ACME001
          InitialInstanceCount: 1

  ArchiveConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: archiver
          InstanceType: ml.p4d.24xlarge
          InitialInstanceCount: 1
      AsyncInferenceConfig:
        OutputConfig:
          S3OutputPath: s3://bucket/out/
          S3FailurePath: s3://bucket/failed/
"""

# The built-in packs that judge scaling and availability would add findings
# about DEPLOY_YAML's endpoints that these tests are not about: every
# directory DEPLOY_YAML is written to gets this configuration beside it.
PACKS_OUT_OF_SCOPE = ("AS", "HA")
CONFIG_TOML = f"ignore = {list(PACKS_OUT_OF_SCOPE)!r}\n".replace("'", '"')


def write_scope_config(directory: Path) -> None:
    """Write the configuration that leaves the out-of-scope packs out."""
    (directory / "mldeploy-lint.toml").write_text(CONFIG_TOML, encoding="utf-8")


def write_deploy_yaml(directory: Path) -> None:
    """Write DEPLOY_YAML as deploy.yaml, with the scoping configuration beside it."""
    (directory / "deploy.yaml").write_text(DEPLOY_YAML, encoding="utf-8")
    write_scope_config(directory)


# Where each deployment of DEPLOY_YAML starts (its logical ID): where a
# finding about a deployment as a whole, such as a crashing rule, points.
DEPLOYMENT_STARTS = [(4, 3), (21, 3)]


def expected(text: str, path: str, rule_id: str, line_offset: int = 0) -> list[str]:
    """`path:line:col: severity ID [` prefixes for the `# expect: ID` markers of `text`."""
    severity = "warning" if rule_id == "ACME001" else next(
        candidate.severity.value for candidate in build_plugin_host().rules() if candidate.id == rule_id
    )
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        marker = re.search(r"#\s*expect:\s*(\S+)", line)
        if marker and marker.group(1) == rule_id:
            value_column = line.index(": ") + 3  # 1-based column of the value after `key: `
            found.append(f"{path}:{number + line_offset}:{value_column}: {severity} {rule_id} [")
    return found


def finding_lines(out: str) -> list[str]:
    """The finding lines of text output (everything but the summary line)."""
    return out.splitlines()[:-1]


# --- which hooks the tests below exercise -----------------------------------


def exercises(*hooks: str) -> Callable:
    """Record on a test function which hooks it exercises (see the coverage test)."""

    def mark(test: Callable) -> Callable:
        test.exercised_hooks = hooks
        return test

    return mark


HOOK_NAMES = sorted(name for name, item in vars(hookspecs).items() if hasattr(item, f"{hookspecs.PROJECT}_spec"))


def test_the_hook_list_is_not_empty():
    # Guards the two tests below against passing vacuously if the spec
    # marker attribute ever changes name.
    assert {"mldeploy_rules", "mldeploy_extract"} <= set(HOOK_NAMES)


@pytest.mark.parametrize("hook_name", HOOK_NAMES)
def test_every_hook_is_documented(hook_name):
    spec = getattr(hookspecs, hook_name)
    assert hook_name.startswith("mldeploy_"), "hook names carry the project prefix"
    docstring = inspect.getdoc(spec) or ""
    assert len(docstring.split()) >= 10, f"{hook_name} needs a docstring stating its contract"


def test_every_hook_is_exercised_here():
    exercised = {
        hook
        for item in list(globals().values())
        if callable(item) and getattr(item, "__name__", "").startswith("test_")
        for hook in getattr(item, "exercised_hooks", ())
    }
    unknown = exercised - set(HOOK_NAMES)
    assert not unknown, f"@exercises names hooks that do not exist: {sorted(unknown)}"
    missing = sorted(set(HOOK_NAMES) - exercised)
    assert not missing, f"hooks with no test in tests/test_plugins.py: {missing}"


# --- plugin modules on disk, imported by name (--plugin MODULE) -------------


@pytest.fixture
def plugin_modules(tmp_path_factory, monkeypatch):
    """Write plugin modules to a directory on sys.path: `write(name, source)`.

    Modules imported during the test are dropped from sys.modules afterwards.
    """
    directory = tmp_path_factory.mktemp("plugin_modules")
    monkeypatch.syspath_prepend(str(directory))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    written: list[str] = []

    def write(name: str, source: str) -> str:
        (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


@pytest.fixture
def acme_on_path(monkeypatch):
    """Make the plugin_dist module importable in-process, without installing it."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIST))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # leave no __pycache__ in plugin_dist
    yield ACME_MODULE
    sys.modules.pop(ACME_MODULE, None)
    sys.modules.pop(ACME_ADAPTER_MODULE, None)


@pytest.fixture
def deploy_yaml(chdir_tmp) -> str:
    """DEPLOY_YAML written as ./deploy.yaml in a fresh working directory."""
    write_deploy_yaml(chdir_tmp)
    return "deploy.yaml"


# --- the third-party distribution, really installed -------------------------


def _subprocess_env() -> dict[str, str]:
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "FORCE_COLOR", "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(NO_COLOR="1", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), *args], cwd=cwd, env=_subprocess_env(), capture_output=True, text=True, timeout=180
    )


def _checked(result: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _make_this_environment_visible(python: Path, work: Path) -> None:
    """Let the new venv see the environment running the tests.

    `--system-site-packages` shows the base interpreter's site-packages;
    when the tests themselves run in a virtualenv (CI installs there), that
    environment's site-packages — where mldeploy-lint is — is added by a
    .pth file of the new venv.
    """
    outer = [path for path in sys.path if path.endswith("site-packages") and not path.startswith(sys.base_prefix)]
    if not outer:
        return
    purelib = _checked(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work), "asking the venv"
    ).stdout.strip()
    lines = [f"import site; site.addsitedir({path!r})" for path in outer]
    Path(purelib, "zz_outer_environment.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ensure_setuptools_builds_wheels(python: Path, work: Path) -> None:
    """Make `pip install --no-build-isolation` work offline in the venv.

    Older setuptools (before 70.1) needs the separate `wheel` package to
    build a wheel, and neither a base interpreter nor a fresh venv of Python
    3.11 has it. virtualenv (a dependency of pre-commit, in the test extra)
    ships a current setuptools wheel, which installs without a network.
    """
    probe = "import setuptools\ntry:\n    import setuptools.command.bdist_wheel\nexcept ImportError:\n    import wheel.bdist_wheel"
    if _run(python, "-c", probe, cwd=work).returncode == 0:
        return
    try:
        from virtualenv.seed.wheels.embed import get_embed_wheel
    except ImportError:
        pytest.fail("no setuptools able to build wheels offline: install `wheel`, setuptools>=70.1 or virtualenv")
    bundled = get_embed_wheel("setuptools", f"{sys.version_info.major}.{sys.version_info.minor}")
    if bundled is None:
        pytest.fail("virtualenv ships no setuptools wheel for this Python")
    _checked(_run(python, "-m", "pip", "install", "--quiet", "--no-deps", str(bundled.path), cwd=work), "installing setuptools")


@pytest.fixture(scope="module")
def acme_venv(tmp_path_factory) -> Path:
    """The python of a virtualenv with tests/plugin_dist installed (built once per module)."""
    root = tmp_path_factory.mktemp("acme_venv")
    source = root / "src"  # built from a copy: no build/ or *.egg-info lands in tests/plugin_dist
    shutil.copytree(PLUGIN_DIST, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = root / "venv"
    _checked(
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
            capture_output=True,
            text=True,
            env=_subprocess_env(),
        ),
        "creating the venv",
    )
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _make_this_environment_visible(python, root)
    _ensure_setuptools_builds_wheels(python, root)
    _checked(
        _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", str(source), cwd=root),
        "installing tests/plugin_dist",
    )
    seen = _checked(_run(python, "-c", "import linter; print(linter.__file__)", cwd=root), "importing linter").stdout
    assert Path(seen.strip()).resolve() == Path(linter.__file__).resolve(), "the venv must run the linter under test"
    return python


def test_the_acme_plugin_is_not_installed_in_this_interpreter():
    # What makes ACME001 appear in the venv tests is the installation there,
    # not something already on this interpreter's path.
    assert ACME_ENTRY_POINT not in {item.name for item in importlib.metadata.entry_points(group=hookspecs.PROJECT)}
    assert "ACME001" not in {candidate.id for candidate in build_plugin_host().rules()}


@pytest.mark.slow
@exercises("mldeploy_rules")
def test_installed_plugin_is_listed_under_its_entry_point_name(acme_venv, tmp_path):
    result = _run(acme_venv, "-m", "linter", "rules", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    rows = [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()]
    acme_rows = [row for row in rows if row[0] == "ACME001"]
    assert acme_rows == [
        [
            "ACME001",
            ACME_SLUG,
            "warning",
            ACME_ENTRY_POINT,
            "A SageMaker real-time endpoint variant runs on an ml.p* (training-class GPU) instance.",
        ]
    ]
    # The built-in packs still load beside it, through the same group.
    assert {"EP001", "CV001", "MD002"} <= {row[0] for row in rows}


@pytest.mark.slow
def test_installed_plugin_fires_at_the_offending_value(acme_venv, tmp_path):
    write_deploy_yaml(tmp_path)
    result = _run(acme_venv, "-m", "linter", "deploy.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    [acme_location] = expected(DEPLOY_YAML, "deploy.yaml", "ACME001")
    [ep_location] = expected(DEPLOY_YAML, "deploy.yaml", "EP001")
    lines = finding_lines(result.stdout)
    assert lines[1] == f"{acme_location}{ACME_SLUG}] {ACME_MESSAGE}"
    assert [line.split("[")[0] + "[" for line in lines] == [ep_location, acme_location]
    assert result.stdout.splitlines()[-1] == "Found 2 problems (1 error, 1 warning) in 1 of 1 file (1 recognised as deployments)."


@pytest.mark.slow
def test_installed_plugin_named_again_with_plugin_flag_is_loaded_once(acme_venv, tmp_path):
    result = _run(acme_venv, "-m", "linter", "rules", "--format", "json", "--plugin", ACME_MODULE, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    owners = [(item["id"], item["plugin"]) for item in json.loads(result.stdout) if item["id"].startswith("ACME")]
    assert owners == [("ACME001", ACME_ENTRY_POINT)]


@pytest.mark.slow
def test_installed_plugin_options_are_in_help_and_honoured(acme_venv, tmp_path):
    assert "--acme-approve-family FAMILY" in _checked(_run(acme_venv, "-m", "linter", "--help", cwd=tmp_path), "help").stdout
    write_deploy_yaml(tmp_path)
    with_section = CONFIG_TOML + '[acme]\napproved-families = ["p3"]\n'
    (tmp_path / "mldeploy-lint.toml").write_text(with_section, encoding="utf-8")
    result = _run(acme_venv, "-m", "linter", "deploy.yaml", cwd=tmp_path)
    assert "EP001" in result.stdout and "ACME001" not in result.stdout, result.stderr
    (tmp_path / "mldeploy-lint.toml").write_text(with_section.replace('"p3"', '"x3"'), encoding="utf-8")
    result = _run(acme_venv, "-m", "linter", "deploy.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "acme.approved-families.0: 'x3' does not match" in result.stderr


def test_installed_plugin_rule_is_explained(acme_venv, tmp_path):
    result = _run(acme_venv, "-m", "linter", "explain", ACME_SLUG, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"# ACME001 {ACME_SLUG}\n")
    assert f"plugin: `{ACME_ENTRY_POINT}`" in result.stdout
    assert "## Why it matters" in result.stdout


# --- the same plugin, named with --plugin ------------------------------------


@exercises("mldeploy_rules")
def test_plugin_flag_loads_a_module_from_sys_path(acme_on_path, deploy_yaml):
    without = run_cli(deploy_yaml)
    assert "ACME001" not in without.out

    listed = run_cli("rules", "--plugin", acme_on_path)
    assert (listed.code, listed.err) == (0, "")
    assert [re.split(r"\s{2,}", line)[:4] for line in listed.out.splitlines() if line.startswith("ACME")] == [
        ["ACME001", ACME_SLUG, "warning", ACME_MODULE]
    ]

    result = run_cli("--plugin", acme_on_path, deploy_yaml)
    assert (result.code, result.err) == (1, "")
    [acme_location] = expected(DEPLOY_YAML, deploy_yaml, "ACME001")
    assert f"{acme_location}{ACME_SLUG}] {ACME_MESSAGE}" in finding_lines(result.out)


# --- a plugin's own options: a configuration section and a flag ------------


def _acme_lines(result) -> list[str]:
    return [line for line in finding_lines(result.out) if "ACME001" in line]


@exercises("mldeploy_options")
def test_plugin_option_from_the_configuration_or_the_flag_changes_its_rule(acme_on_path, deploy_yaml):
    assert len(_acme_lines(run_cli("--plugin", acme_on_path, deploy_yaml))) == 1
    approved = run_cli("--plugin", acme_on_path, "--acme-approve-family", "p3", deploy_yaml)
    assert approved.err == "" and _acme_lines(approved) == []
    assert len(_acme_lines(run_cli("--plugin", acme_on_path, "--acme-approve-family", "p5", deploy_yaml))) == 1
    Path("mldeploy-lint.toml").write_text(CONFIG_TOML + '\n[acme]\napproved-families = ["p3"]\n', encoding="utf-8")
    configured = run_cli("--plugin", acme_on_path, deploy_yaml)
    assert configured.err == "" and _acme_lines(configured) == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[acme]\napproved-families = "p3"\n', "mldeploy-lint.toml: acme.approved-families: 'p3' is not of type 'array'"),
        ('[acme]\napproved-families = ["g5"]\n', "mldeploy-lint.toml: acme.approved-families.0: 'g5' does not match"),
        (
            '[acme]\napproved-family = ["p3"]\n',
            "mldeploy-lint.toml: unknown setting 'approved-family' in acme (did you mean 'approved-families'?)",
        ),
    ],
)
def test_invalid_plugin_setting_is_a_located_configuration_error(acme_on_path, deploy_yaml, section, message):
    Path("mldeploy-lint.toml").write_text(CONFIG_TOML + "\n" + section, encoding="utf-8")
    result = run_cli("--plugin", acme_on_path, deploy_yaml)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    # Without the plugin nobody owns the section: an unknown setting, as for any key.
    assert "unknown setting 'acme' in top level" in run_cli(deploy_yaml).err


def test_invalid_plugin_flag_value_is_an_error_naming_the_flag(acme_on_path, deploy_yaml):
    result = run_cli("--plugin", acme_on_path, "--acme-approve-family", "G5", deploy_yaml)
    assert result.code == 2
    assert "--acme-approve-family: 'G5' does not match" in result.err


def test_help_shows_the_flags_of_the_plugins_loaded(acme_on_path, deploy_yaml):
    shown = run_cli("--plugin", acme_on_path, "--help").out
    assert "plugin acme_mldeploy_rules (configuration section [acme]):" in shown
    assert "--acme-approve-family FAMILY" in shown
    assert "--cfn-lint" in shown  # a built-in plugin's flag, declared the same way
    assert "--acme-approve-family" not in run_cli("--help").out
    Path("mldeploy-lint.toml").write_text(f'plugins = ["{acme_on_path}"]\n', encoding="utf-8")
    assert "--acme-approve-family FAMILY" in run_cli("--help").out  # loaded by the configuration file
    Path("mldeploy-lint.toml").write_text('plugins = ["acme_mldeploy_rules"]\nselct = ["EP"]\n', encoding="utf-8")
    assert "--acme-approve-family FAMILY" in run_cli("--help").out  # a wrong key: its plugins still load
    Path("mldeploy-lint.toml").write_text('plugins = ["acme_mldeploy_rules"\n', encoding="utf-8")
    broken = run_cli("--help")  # not TOML: the help still, without the flags of the plugins it would name
    assert broken.code == 0 and "--select RULES" in broken.out and "--acme-approve-family" not in broken.out


CLASHING_OPTIONS = """\
from linter import Option, OptionSection, hookimpl

@hookimpl
def mldeploy_options():
    return [OptionSection(SECTION, {"type": "object", "properties": {KEY: {"type": "boolean"}}}, (Option(FLAG, KEY, "clash"),))]
"""


@pytest.mark.parametrize(
    ("section", "key", "flag", "message"),
    [
        ("acme", "approved-families", "--acme-x", "configuration key acme.approved-families is declared by plugin"),
        ("acme-two", "x", "--acme-approve-family", "flag --acme-approve-family is declared twice: by plugin"),
        ("acme-two", "x", "--select", "plugin 'clash' declares flag --select, which mldeploy-lint already has"),
        ("select", "x", "--acme-x", "configuration section 'select' is declared by the core and by plugin 'clash'"),
        ("Acme", "x", "--acme-x", "plugin 'clash' declares a configuration section named 'Acme'"),
    ],
)
def test_options_that_clash_stop_the_run(acme_on_path, plugin_modules, deploy_yaml, section, key, flag, message):
    source = CLASHING_OPTIONS.replace("SECTION", repr(section)).replace("KEY", repr(key)).replace("FLAG", repr(flag))
    clash = plugin_modules("clash", source)
    result = run_cli("--plugin", acme_on_path, "--plugin", clash, deploy_yaml)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    if message.endswith("by plugin"):  # two plugins: both named, in whichever order pluggy calls them
        assert {"'acme_mldeploy_rules'", "'clash'"} <= set(re.findall(r"'[a-z_]+'", result.err))


def test_path_globs_in_a_plugin_section_are_checked_like_the_cores(plugin_modules, deploy_yaml):
    globs = plugin_modules(
        "glob_section",
        """\
        from linter import OptionSection, hookimpl

        GLOB = {"type": "string", "format": "gitignore-pattern"}

        @hookimpl
        def mldeploy_options():
            return [OptionSection("owners", {"type": "object", "propertyNames": GLOB, "additionalProperties": {"type": "array", "items": GLOB}})]
        """,
    )
    config = Path("mldeploy-lint.toml")
    config.write_text(CONFIG_TOML + '[owners]\n"deploy/**" = ["team-a/*.yaml"]\n', encoding="utf-8")
    assert run_cli("--plugin", globs, deploy_yaml).code == 1
    config.write_text(CONFIG_TOML + '[owners]\n"deploy/**" = ["a*a*a*a*a*a*b"]\n', encoding="utf-8")
    result = run_cli("--plugin", globs, deploy_yaml)
    assert result.code == 2 and "mldeploy-lint.toml: owners.deploy/**.0: invalid pattern 'a*a*a*a*a*a*b'" in result.err
    config.write_text(CONFIG_TOML + '[owners]\n"[z-a]" = []\n', encoding="utf-8")
    result = run_cli("--plugin", globs, deploy_yaml)
    assert result.code == 2 and "mldeploy-lint.toml: owners.[z-a]: invalid pattern '[z-a]'" in result.err


def test_plugins_add_keys_to_a_shared_section(plugin_modules, deploy_yaml):
    """`[environments]` is the core's, with a key from each adapter; a third party may add one too."""
    extra = plugin_modules(
        "stage_hints",
        CLASHING_OPTIONS.replace("SECTION", "'environments'").replace("KEY", "'hint-words'").replace("FLAG", "'--stage-hints'"),
    )
    Path("mldeploy-lint.toml").write_text(
        CONFIG_TOML + '[environments]\nparameters = ["Stage"]\nhint-words = true\n', encoding="utf-8"
    )
    assert run_cli("--plugin", extra, deploy_yaml).code == 1
    assert "unknown setting 'hint-words' in environments" in run_cli(deploy_yaml).err


def test_acme_plugin_imports_only_the_public_api():
    tree = ast.parse((PLUGIN_DIST / f"{ACME_MODULE}.py").read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported += [(node.module, alias.name) for alias in node.names]
    allowed_modules = {"__future__", "typing"}
    for module, name in imported:
        if module in allowed_modules:
            continue
        assert module == "linter", f"imports {module}: only `from linter import ...` is the plugin API"
        assert name in linter.__all__, f"`{name}` is not in linter.__all__"
    assert any(module == "linter" for module, _ in imported)


# The shared AWS reader, reused by a third-party adapter: a documented, stable module path.
SHARED_READER_MODULES = ("plugins.adapters.aws.sagemaker_requests",)

ACME_DEPLOY_JSON = """\
{
  "acme-deploy": 1,
  "name": "ranker",
  "sagemaker": {
    "ProductionVariants": [
      {"VariantName": "Green", "ModelName": "ranker", "InstanceType": "ml.p3.2xlarge", "InitialInstanceCount": 1}
    ]
  }
}
"""


def test_acme_adapter_imports_the_public_api_and_the_shared_reader_only():
    tree = ast.parse((PLUGIN_DIST / f"{ACME_ADAPTER_MODULE}.py").read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert modules - {"__future__", "typing", "linter"} == set(SHARED_READER_MODULES)


@exercises("mldeploy_extract")
def test_third_party_adapter_reads_sagemaker_through_the_shared_reader(acme_on_path, chdir_tmp):
    """An Acme deploy file's CreateEndpointConfig becomes the deployment the built-in AWS adapters would make."""
    write_scope_config(chdir_tmp)
    Path("ranker.json").write_text(ACME_DEPLOY_JSON, encoding="utf-8")
    result = run_cli("--plugin", ACME_ADAPTER_MODULE, "--plugin", acme_on_path, "--select", "ACME", "ranker.json")
    assert result.err == ""
    instance_line = ACME_DEPLOY_JSON.splitlines().index(next(line for line in ACME_DEPLOY_JSON.splitlines() if "InstanceType" in line))
    column = ACME_DEPLOY_JSON.splitlines()[instance_line].index('"ml.p3.2xlarge"') + 1
    assert finding_lines(result.out) == [
        f"ranker.json:{instance_line + 1}:{column}: warning ACME001 [{ACME_SLUG}] "
        "variant Green of real-time endpoint ranker runs on ml.p3.2xlarge, a training-class instance"
    ]
    # The same request as a SageMaker API document: the built-in adapter reads the same unit.
    request = json.loads(ACME_DEPLOY_JSON)["sagemaker"]
    Path("request.json").write_text(json.dumps({"EndpointConfigName": "ranker", **request}, indent=2), encoding="utf-8")
    explained = run_cli("explain", "--deployments", "--format", "json", "--plugin", ACME_ADAPTER_MODULE, "ranker.json", "request.json")
    acme, api = json.loads(explained.out)["deployments"]
    assert (acme["platform"], acme["kind"]["value"]) == (api["platform"], api["kind"]["value"]) == ("sagemaker", "realtime")

    def unit_facts(deployment: dict) -> list:
        return [
            {key: fact["value"] for key, fact in unit["compute"].items() if isinstance(fact, dict)} | {"count": unit["count"]["value"]}
            for unit in deployment["units"]
        ]

    assert unit_facts(acme) == unit_facts(api)
    assert unit_facts(acme)[0]["accelerator"] == "gpu"  # inferred from the data tables by the shared reader


def test_acme_rule_documents_itself_and_its_example_fires(acme_on_path):
    module = __import__(acme_on_path)
    [acme_rule] = module.mldeploy_rules()
    assert acme_rule.docs.missing() == []

    def first_yaml_block(text: str) -> str:
        return re.search(r"```yaml\n(.*?)```", text, re.S).group(1)

    host = build_plugin_host(entry_points=False, plugins=[("acme", module), ("cloudformation", _cloudformation())])

    def fired(snippet: str) -> list[str]:
        template = "Resources:\n" + textwrap.indent(snippet, "  ")
        result = run_lint([InputFile("example.yaml", template.encode())], host, LintOptions())
        return [finding.rule_id for finding in result.findings]

    assert fired(first_yaml_block(acme_rule.docs.example)) == ["ACME001"]
    assert fired(first_yaml_block(acme_rule.docs.fix)) == []


def _cloudformation():
    from plugins.adapters import cloudformation

    return cloudformation


# --- selection by ID, prefix and slug works for a plugin rule ---------------


@pytest.mark.parametrize("selector", ["ACME001", "acme001", "ACME", "ACME00", ACME_SLUG])
def test_select_and_ignore_match_a_plugin_rule(acme_on_path, deploy_yaml, selector):
    [acme_location] = expected(DEPLOY_YAML, deploy_yaml, "ACME001")
    [ep_location] = expected(DEPLOY_YAML, deploy_yaml, "EP001")

    def locations(*args: str) -> list[str]:
        result = run_cli("--plugin", acme_on_path, *args, deploy_yaml)
        assert (result.code, result.err) == (1, "")
        return [line.split("[")[0] + "[" for line in finding_lines(result.out)]

    assert locations("--select", selector) == [acme_location]
    assert locations("--ignore", selector) == [ep_location]


def test_plugin_rule_severity_is_its_metadata(acme_on_path, deploy_yaml):
    # ACME001 is a warning: selected alone, it does not fail an error gate.
    result = run_cli("--plugin", acme_on_path, "--select", "ACME", "--fail-on", "error", deploy_yaml)
    assert result.code == 0
    assert "ACME001" in result.out


def test_selector_matching_no_rule_is_a_usage_error_with_or_without_the_plugin(acme_on_path, deploy_yaml):
    result = run_cli("--select", "ACME001", deploy_yaml)
    assert result.code == 2
    assert "unknown rule selector 'ACME001'" in result.err
    assert run_cli("--plugin", acme_on_path, "--select", "ACME001", deploy_yaml).code == 1


# --- a third-party adapter, file pattern, loader and reporter ---------------

ACME_ADAPTER = """
    '''Reads `kind: AcmeEndpoint` documents as SageMaker real-time deployments.'''
    from linter import (
        Compute, Deployment, DeploymentKind, MappingNode, Provenance, ScalarNode, Sourced, Unit, hookimpl,
    )

    @hookimpl
    def mldeploy_extract(document, run):
        root = document.root
        kind = root.get("kind") if isinstance(root, MappingNode) else None
        if not isinstance(kind, ScalarNode) or kind.value != "AcmeEndpoint":
            return None
        instance = root.get("instance")
        unit = Unit(
            name=Sourced("Main", root.span),
            compute=Compute(instance_type=Sourced(instance.value, instance.span)),
        )
        return [
            Deployment(
                id=f"{document.path}#{document.index}",
                platform="sagemaker",
                kind=Sourced(DeploymentKind.REALTIME, kind.span, Provenance.DECLARED),
                span=root.span,
                name=Sourced(root.get("name").value, root.get("name").span),
                units=(unit,),
            )
        ]
"""


@exercises("mldeploy_extract")
def test_third_party_adapter_feeds_a_third_party_rule(acme_on_path, plugin_modules, chdir_tmp):
    adapter = plugin_modules("acme_adapter", ACME_ADAPTER)
    write_scope_config(chdir_tmp)
    (chdir_tmp / "endpoints.yaml").write_text(
        "kind: AcmeEndpoint\nname: ranker\ninstance: ml.p5.48xlarge\n---\nkind: Other\n", encoding="utf-8"
    )
    result = run_cli("--plugin", adapter, "--plugin", acme_on_path, "endpoints.yaml")
    assert (result.code, result.err) == (1, "")
    assert finding_lines(result.out) == [
        f"endpoints.yaml:3:11: warning ACME001 [{ACME_SLUG}] variant Main of real-time endpoint ranker runs on "
        "ml.p5.48xlarge, a training-class instance"
    ]


ACME_LOADER = """
    '''Reads `*.acme` files: YAML under a mandatory `acme-format v1` first line.'''
    from linter import SourceFile, Span, hookimpl, load_text
    from linter.source import LoadProblem

    HEADER = "acme-format v1"

    @hookimpl
    def mldeploy_file_patterns():
        return ["*.acme"]

    @hookimpl
    def mldeploy_load(path, text, limits):
        if not path.endswith(".acme"):
            return None
        header, _, rest = text.partition("\\n")
        if header != HEADER:
            return SourceFile(path, text, (), (LoadProblem(f"first line must be {HEADER!r}", Span.point(path, 1)),))
        return load_text(path, "#\\n" + rest, limits)  # same line numbers as the file
"""


@exercises("mldeploy_file_patterns", "mldeploy_load")
def test_plugin_file_patterns_and_loader_read_a_new_file_type(plugin_modules, chdir_tmp):
    loader = plugin_modules("acme_loader", ACME_LOADER)
    configs = chdir_tmp / "configs"
    configs.mkdir()
    write_scope_config(chdir_tmp)
    (configs / "good.acme").write_text("acme-format v1\n" + DEPLOY_YAML, encoding="utf-8")
    (configs / "bad.acme").write_text(DEPLOY_YAML, encoding="utf-8")  # valid YAML, but not the plugin's format
    (configs / "plain.yaml").write_text(DEPLOY_YAML, encoding="utf-8")  # the loader returns None: the core reads it

    without = run_cli("configs")
    assert ".acme" not in without.out

    result = run_cli("--plugin", loader, "configs")
    assert (result.code, result.err) == (1, "")
    [good] = expected(DEPLOY_YAML, "configs/good.acme", "EP001", line_offset=1)
    [plain] = expected(DEPLOY_YAML, "configs/plain.yaml", "EP001")
    assert [line.split("[")[0] + "[" for line in finding_lines(result.out)] == [
        "configs/bad.acme:1:1: error MD001 [",
        good,
        plain,
    ]
    assert finding_lines(result.out)[0].endswith("first line must be 'acme-format v1'")


ACME_REPORTER = """
    from linter import Reporter, hookimpl

    def render(report):
        lines = [f"{finding.rule_id} {finding.span}" for finding in report.findings]
        return "\\n".join(lines + [f"acme: {len(report.findings)} finding(s)"]) + "\\n"

    @hookimpl
    def mldeploy_reporters():
        return [Reporter("acme-brief", "one short line per finding", render)]
"""


@exercises("mldeploy_reporters")
def test_plugin_reporter_is_a_format(plugin_modules, deploy_yaml):
    reporter = plugin_modules("acme_reporter", ACME_REPORTER)
    [ep_location] = expected(DEPLOY_YAML, deploy_yaml, "EP001")
    result = run_cli("--plugin", reporter, "--format", "acme-brief", deploy_yaml)
    assert (result.code, result.err) == (1, "")
    assert result.out == f"EP001 {ep_location.split(': ')[0]}\nacme: 1 finding(s)\n"
    assert run_cli("--format", "acme-brief", deploy_yaml).code == 2


@exercises("mldeploy_reporters")
def test_duplicate_reporter_name_is_a_usage_error(plugin_modules, deploy_yaml):
    clash = plugin_modules("acme_text_clash", ACME_REPORTER.replace('"acme-brief"', '"text"'))
    result = run_cli("--plugin", clash, deploy_yaml)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "mldeploy-lint: error: output format 'text' is provided twice: "
        "by plugin 'acme_text_clash' and by plugin 'reporters'\n"
    )


ACME_COMMAND = """
    from linter import Command, CommandError, hookimpl

    def add_arguments(parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--rule")

    def run(args, context):
        if args.rule is None:
            raise CommandError("--rule is required")
        result = context.lint_paths(args.paths)
        count = sum(1 for finding in result.findings if finding.rule_id == args.rule)
        context.write(f"{args.rule}: {count}\\n")
        return 1 if count else 0

    @hookimpl
    def mldeploy_commands():
        return [Command("acme-count", "count one rule's findings", add_arguments, run)]
"""


@exercises("mldeploy_commands")
def test_plugin_command_is_a_subcommand_that_lints_through_the_context(plugin_modules, deploy_yaml):
    command = plugin_modules("acme_command", ACME_COMMAND)
    result = run_cli("acme-count", "--plugin", command, deploy_yaml, "--rule", "EP001")
    assert (result.code, result.out, result.err) == (1, "EP001: 1\n", "")
    result = run_cli("acme-count", "--plugin", command, deploy_yaml)
    assert (result.code, result.err) == (2, "mldeploy-lint: error: --rule is required\n")
    help_text = run_cli("--plugin", command, "--help").out
    assert "mldeploy-lint acme-count ..." in help_text and "count one rule's findings" in help_text
    assert "mldeploy-lint advise ..." in help_text  # the built-in advisor registers the same way
    # Without the plugin the name is a path to lint, which does not exist.
    assert run_cli("acme-count", deploy_yaml).code == 2


@exercises("mldeploy_commands")
def test_plugin_command_named_like_a_builtin_or_twice_is_a_usage_error(plugin_modules, deploy_yaml):
    clash = plugin_modules("acme_rules_command", ACME_COMMAND.replace('"acme-count"', '"rules"'))
    result = run_cli("advise", "--plugin", clash, "--traffic", "steady")
    assert result.code == 2 and "adds a command 'rules', which is a built-in subcommand" in result.err
    twice = plugin_modules("acme_advise_command", ACME_COMMAND.replace('"acme-count"', '"advise"'))
    result = run_cli("advise", "--plugin", twice, "--traffic", "steady")
    assert (result.code, result.out) == (2, "")
    assert result.err == "mldeploy-lint: error: command 'advise' is provided twice: by plugin 'acme_advise_command' and by plugin 'advisor'\n"


@exercises("mldeploy_commands")
def test_a_plugin_command_that_raises_is_one_line_naming_it_not_a_traceback(plugin_modules, deploy_yaml):
    broken = plugin_modules("acme_broken_command", ACME_COMMAND.replace("result = context.lint_paths(args.paths)", "result = 1 / 0"))
    result = run_cli("acme-count", "--plugin", broken, deploy_yaml, "--rule", "EP001")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("mldeploy-lint: error: command 'acme-count' failed: ZeroDivisionError: division by zero (at ")
    assert "Traceback" not in result.err


# --- isolation: a plugin that raises becomes MD002, the run goes on ---------


class ExplodingAdapter:
    @hookimpl
    def mldeploy_extract(self, document, run):
        raise RuntimeError("adapter exploded")


@rule("BOOM001", "always-raises", Severity.ERROR, "Raises on every deployment.")
def always_raises(deployment, run):
    raise KeyError("Properties")


class CrashingRulePack:
    @hookimpl
    def mldeploy_rules(self):
        return [always_raises]


class BrokenRulePack:
    @hookimpl
    def mldeploy_rules(self):
        raise RuntimeError("no rules today")


class BrokenLoader:
    @hookimpl
    def mldeploy_load(self, path, text, limits):
        raise OSError("disk on fire")


def _lint_with(name: str, plugin: object):
    host = build_plugin_host(plugins=[(name, plugin)])
    options = LintOptions(selector=RuleSelector(ignore=PACKS_OUT_OF_SCOPE))
    return run_lint([InputFile("deploy.yaml", DEPLOY_YAML.encode())], host, options)


def _located(findings) -> list[tuple[str, str, str, int, int]]:
    return [(item.rule_id, item.plugin, item.span.path, item.span.line, item.span.column) for item in findings]


def _ep001_at(path: str) -> tuple[str, str, str, int, int]:
    [location] = expected(DEPLOY_YAML, path, "EP001")
    line, column = (int(part) for part in location.split(":")[1:3])
    return ("EP001", "endpoint_fit", path, line, column)


@exercises("mldeploy_extract")
def test_extract_that_raises_is_reported_at_the_document():
    result = _lint_with("exploding_adapter", ExplodingAdapter())
    assert _located(result.findings) == [
        ("MD002", "exploding_adapter", "deploy.yaml", 1, 1),
        _ep001_at("deploy.yaml"),  # the CloudFormation adapter and EP001 still ran
    ]
    assert re.fullmatch(
        r"plugin 'exploding_adapter' raised RuntimeError: adapter exploded while extracting deployments"
        r" \(at test_plugins\.py:\d+\)",
        result.findings[0].message,
    )


@exercises("mldeploy_rules")
def test_rule_check_that_raises_names_plugin_and_rule():
    result = _lint_with("crashing_rules", CrashingRulePack())
    crashes = [("MD002", "crashing_rules", "deploy.yaml", line, column) for line, column in DEPLOYMENT_STARTS]
    assert _located(result.findings) == sorted([*crashes, _ep001_at("deploy.yaml")], key=lambda item: item[3:])
    for finding in result.findings:
        if finding.rule_id == "MD002":
            assert re.fullmatch(
                r"plugin 'crashing_rules' raised KeyError: 'Properties' in rule BOOM001 \(at test_plugins\.py:\d+\)",
                finding.message,
            )


@exercises("mldeploy_rules")
def test_rules_hook_that_raises_is_reported_and_other_rules_run():
    result = _lint_with("broken_rules", BrokenRulePack())
    assert _located(result.findings) == [
        ("MD002", "broken_rules", "<plugin:broken_rules>", 1, 1),
        _ep001_at("deploy.yaml"),
    ]
    assert result.findings[0].message == "plugin 'broken_rules' RuntimeError: no rules today (in mldeploy_rules)"


@exercises("mldeploy_load")
def test_loader_that_raises_is_reported_and_the_core_reads_the_file():
    result = _lint_with("broken_loader", BrokenLoader())
    assert _located(result.findings) == [
        ("MD002", "broken_loader", "deploy.yaml", 1, 1),
        _ep001_at("deploy.yaml"),
    ]
    assert re.fullmatch(
        r"plugin 'broken_loader' raised OSError: disk on fire while loading this file \(at test_plugins\.py:\d+\)",
        result.findings[0].message,
    )


# A plugin's own node type, kept in the parse cache through its codec: the
# second run reads the file back from the cache (the loader is not called)
# and the node comes back as the plugin's type, with what its codec wrote.
OWN_NODES_PLUGIN = """
    from linter import NodeCodec, ScalarNode, SourceFile, Document, MappingNode, Span, hookimpl, load_text, ScalingTarget

    LOADS = []

    class Flagged(ScalarNode):
        __slots__ = ("flag",)

    def encode(node):
        return [node.flag]

    def decode(base, data):
        node = Flagged(base.value, base.span, base.tag, base.style)
        node.flag = data[0]
        return node

    @hookimpl
    def mldeploy_node_codecs():
        return [NodeCodec("own-flagged", "own_nodes.Flagged", encode, decode, depends_on=("own_nodes",))]

    @hookimpl
    def mldeploy_load(path, text, limits):
        if not path.endswith(".own"):
            return None
        LOADS.append(path)
        source = load_text(path, text, limits)
        document = source.documents[0]
        key = Flagged("flagged", document.root.span, "str")
        key.flag = "written by the loader " + "x" * 600
        root = MappingNode(((key, document.root),), document.root.span)
        object.__setattr__(document, "root", root)
        return source

    @hookimpl
    def mldeploy_extract(document, run):
        if not document.path.endswith(".own"):
            return None
        [(key, _)] = document.root.pairs
        assert type(key).__name__ == "Flagged" and key.flag.startswith("written by the loader"), key
        return []
"""


@exercises("mldeploy_node_codecs")
def test_a_plugins_node_type_is_kept_in_the_parse_cache_through_its_codec(plugin_modules, chdir_tmp):
    name = plugin_modules("own_nodes", OWN_NODES_PLUGIN)
    Path("a.own").write_text("a: 1\n" + "b: " + "y" * 600 + "\n")  # above the size the cache keeps
    first = run_cli("--plugin", name, "a.own")
    module = sys.modules[name]
    assert (first.code, module.LOADS) == (0, ["a.own"]), first.err
    second = run_cli("--plugin", name, "a.own")
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert module.LOADS == ["a.own"]  # read back from the cache: the extract hook checked the node it holds
    uncached = run_cli("--plugin", name, "--no-cache", "a.own")
    assert (uncached.code, uncached.out, module.LOADS) == (first.code, first.out, ["a.own", "a.own"])


# The same failures through the command line, from modules named with
# --plugin: exit 1 (MD002 is an error), the other findings still there, and
# no traceback anywhere.
FAILING_PLUGINS = {
    "extract_raises": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_extract(document, run):
            raise RuntimeError("adapter exploded")
        """,
        [r"deploy\.yaml:1:1: error MD002 \[plugin-error\] plugin 'extract_raises' raised RuntimeError: adapter exploded"
         r" while extracting deployments \(at extract_raises\.py:6\)"],
    ),
    "extract_raises_midway": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_extract(document, run):
            yield from ()
            raise ValueError("lazy failure")
        """,
        [r"deploy\.yaml:1:1: error MD002 \[plugin-error\] plugin 'extract_raises_midway' raised ValueError: lazy failure"
         r" while extracting deployments \(at extract_raises_midway\.py:7\)"],
    ),
    "check_raises": (
        """
        from linter import Severity, hookimpl, rule

        @rule("BOOM001", "always-raises", Severity.ERROR, "Raises on every deployment.")
        def always_raises(deployment, run):
            raise KeyError("Properties")

        @hookimpl
        def mldeploy_rules():
            return [always_raises]
        """,
        [
            rf"deploy\.yaml:{line}:{column}: error MD002 \[plugin-error\] plugin 'check_raises' raised KeyError: 'Properties'"
            r" in rule BOOM001 \(at check_raises\.py:6\)"
            for line, column in DEPLOYMENT_STARTS
        ],
    ),
    "rules_raise": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_rules():
            raise RuntimeError("no rules today")
        """,
        [r"<plugin:rules_raise>:1:1: error MD002 \[plugin-error\] plugin 'rules_raise' RuntimeError: no rules today"
         r" \(in mldeploy_rules\)"],
    ),
    "load_raises": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_load(path, text, limits):
            raise OSError("disk on fire")
        """,
        [r"deploy\.yaml:1:1: error MD002 \[plugin-error\] plugin 'load_raises' raised OSError: disk on fire"
         r" while loading this file \(at load_raises\.py:6\)"],
    ),
    "reporters_raise": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_reporters():
            raise RuntimeError("no formats today")
        """,
        [r"<plugin:reporters_raise>:1:1: error MD002 \[plugin-error\] plugin 'reporters_raise' RuntimeError:"
         r" no formats today \(in mldeploy_reporters\)"],
    ),
    "bad_signature": (
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_extract(document, run, workspace):
            return None
        """,
        [r"<plugin:bad_signature>:1:1: error MD002 \[plugin-error\] plugin 'bad_signature' failed to register:"
         r" PluginValidationError: Plugin 'bad_signature' for hook 'mldeploy_extract'.*"],
    ),
}


@exercises("mldeploy_extract", "mldeploy_rules", "mldeploy_load", "mldeploy_reporters")
@pytest.mark.parametrize("name", sorted(FAILING_PLUGINS))
def test_failing_plugin_is_isolated_on_the_command_line(plugin_modules, deploy_yaml, name):
    source, md002_lines = FAILING_PLUGINS[name]
    plugin_modules(name, source)
    result = run_cli("--plugin", name, deploy_yaml)
    assert (result.code, result.err) == (1, "")
    assert "Traceback" not in result.out
    lines = finding_lines(result.out)
    md002 = [line for line in lines if " MD002 " in line]
    assert len(md002) == len(md002_lines), result.out
    for line, pattern in zip(md002, md002_lines):
        assert re.fullmatch(pattern, line), line
    assert any(line.startswith(expected(DEPLOY_YAML, deploy_yaml, "EP001")[0]) for line in lines)


@exercises("mldeploy_file_patterns")
def test_file_patterns_hook_that_raises_is_reported(plugin_modules, deploy_yaml):
    plugin_modules(
        "patterns_raise",
        """
        from linter import hookimpl

        @hookimpl
        def mldeploy_file_patterns():
            raise RuntimeError("no patterns today")
        """,
    )
    result = run_cli("--plugin", "patterns_raise", ".")
    assert (result.code, result.err) == (1, "")
    assert "Traceback" not in result.out
    assert any(
        " MD002 [plugin-error] " in line and "'patterns_raise'" in line and "no patterns today" in line
        for line in finding_lines(result.out)
    ), result.out


def test_registration_failure_is_one_line_of_text_output(plugin_modules, deploy_yaml):
    plugin_modules("bad_signature", FAILING_PLUGINS["bad_signature"][0])
    result = run_cli("--plugin", "bad_signature", deploy_yaml)
    assert result.code == 1
    for line in finding_lines(result.out):
        assert re.match(r"\S+:\d+:\d+: (error|warning|info) [A-Z]+\d{3} \[[a-z0-9-]+\] ", line), line


def test_summary_after_a_plugin_load_failure_counts_real_files(plugin_modules, deploy_yaml):
    plugin_modules("rules_raise", FAILING_PLUGINS["rules_raise"][0])
    result = run_cli("--plugin", "rules_raise", deploy_yaml)
    assert result.code == 1
    with_problems, checked = re.search(r" in (\d+) of (\d+) files? \(\d+ recognised as deployments\)\.$", result.out.splitlines()[-1]).groups()
    assert int(with_problems) <= int(checked), result.out.splitlines()[-1]


@pytest.mark.parametrize(
    "value, module_source, message",
    [
        (
            "acme_module_that_does_not_exist",
            None,
            "failed to load (acme_module_that_does_not_exist): ModuleNotFoundError: "
            "No module named 'acme_module_that_does_not_exist'",
        ),
        (
            "acme_raises_on_import",
            "raise ZeroDivisionError('broken at import')\n",
            "failed to load (acme_raises_on_import): ZeroDivisionError: broken at import",
        ),
        (
            "acme_no_such_attribute:plugin",
            "",
            "failed to load (acme_no_such_attribute:plugin): AttributeError: "
            "module 'acme_no_such_attribute' has no attribute 'plugin'",
        ),
    ],
)
def test_entry_point_that_fails_to_load_is_isolated(monkeypatch, plugin_modules, deploy_yaml, value, module_source, message):
    if module_source is not None:
        plugin_modules(value.split(":")[0], module_source)
    real_entry_points = installed_plugins.entry_points
    broken = installed_plugins.InstalledEntryPoint(name="acme_broken", value=value, group=hookspecs.PROJECT)

    def entry_points(group):
        found = list(real_entry_points(group))
        return found + [broken] if group == hookspecs.PROJECT else found

    monkeypatch.setattr(installed_plugins, "entry_points", entry_points)
    result = run_cli(deploy_yaml)
    assert (result.code, result.err) == (1, "")
    assert "Traceback" not in result.out
    lines = finding_lines(result.out)
    assert lines[0] == f"<plugin:acme_broken>:1:1: error MD002 [plugin-error] plugin 'acme_broken' {message}"
    assert [line.split("[")[0] + "[" for line in lines[1:]] == expected(DEPLOY_YAML, deploy_yaml, "EP001")
    # The built-in packs, loaded from the same group, are all still there, each rule once.
    listed = [line.split()[3] for line in run_cli("rules").out.splitlines()[1:] if line[:1].isalnum()]
    assert listed.count("endpoint_fit") == len(endpoint_fit.mldeploy_rules())


# --- plugins that cannot work together: exit 2 ------------------------------


def _rule_pack(rule_id: str, slug: str) -> str:
    return f"""
        from linter import Severity, hookimpl, rule

        @rule({rule_id!r}, {slug!r}, Severity.WARNING, "A rule of a pack that clashes.")
        def check(deployment, run):
            return []

        @hookimpl
        def mldeploy_rules():
            return [check]
    """


@pytest.mark.parametrize("command", [(), ("rules",)], ids=["lint", "rules"])
@pytest.mark.parametrize(
    "first, second, key, owners",
    [
        (("ZZZ001", "first-of-two"), ("ZZZ001", "second-of-two"), "ZZZ001", {"pack_a", "pack_b"}),
        (("ZZZ001", "shared-slug"), ("ZZZ002", "shared-slug"), "shared-slug", {"pack_a", "pack_b"}),
        (None, ("EP001", "my-payload-rule"), "EP001", {"endpoint_fit", "pack_b"}),
        (None, ("ZZZ003", "payload-exceeds-endpoint-limit"), "payload-exceeds-endpoint-limit", {"endpoint_fit", "pack_b"}),
    ],
    ids=["same-id", "same-slug", "id-of-a-built-in", "slug-of-a-built-in"],
)
def test_duplicate_rule_fails_loudly_naming_both_plugins(plugin_modules, deploy_yaml, command, first, second, key, owners):
    args = list(command)
    if first is not None:
        args += ["--plugin", plugin_modules("pack_a", _rule_pack(*first))]
    args += ["--plugin", plugin_modules("pack_b", _rule_pack(*second))]
    result = run_cli(*args, *([] if command else [deploy_yaml]))
    assert (result.code, result.out) == (2, "")
    match = re.fullmatch(
        rf"mldeploy-lint: error: rule {re.escape(key)} is registered twice: by plugin '(\w+)' and by plugin '(\w+)'\n",
        result.err,
    )
    assert match, result.err
    assert set(match.groups()) == owners


def test_duplicate_rule_fails_through_the_plugin_host_api():
    class PackA:
        @hookimpl
        def mldeploy_rules(self):
            return [always_raises]

    class PackB(PackA):
        pass

    host = build_plugin_host(entry_points=False, plugins=[("pack_a", PackA()), ("pack_b", PackB())])
    with pytest.raises(PluginConfigError, match=r"rule BOOM001 is registered twice: by plugin 'pack_\w' and by plugin 'pack_\w'"):
        host.rules()


@pytest.mark.parametrize("command", [(), ("rules",), ("explain", "EP001")], ids=["lint", "rules", "explain"])
def test_unknown_plugin_module_is_a_usage_error(deploy_yaml, command):
    trailing = [deploy_yaml] if not command else []
    result = run_cli(*command, "--plugin", "acme_no_such_module", *trailing)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "mldeploy-lint: error: cannot import plugin module 'acme_no_such_module': "
        "ModuleNotFoundError: No module named 'acme_no_such_module'\n"
    )


def test_plugin_module_that_raises_on_import_is_a_usage_error(plugin_modules, deploy_yaml):
    plugin_modules("acme_explodes_on_import", "raise RuntimeError('misconfigured')\n")
    result = run_cli("--plugin", "acme_explodes_on_import", deploy_yaml)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "mldeploy-lint: error: cannot import plugin module 'acme_explodes_on_import': RuntimeError: misconfigured\n"
    )


def test_selection_api_matches_plugin_rule_like_a_built_in(acme_on_path):
    module = __import__(acme_on_path)
    rules = build_plugin_host(entry_points=False, plugins=[("acme", module)]).rules()
    [acme_rule] = [candidate for candidate in rules if candidate.id.startswith("ACME")]
    assert acme_rule.id == "ACME001" and acme_rule.plugin == "acme"
    for selector in ("ACME001", "ACME", ACME_SLUG, "ALL"):
        assert RuleSelector(select=(selector,)).enabled(acme_rule)
        assert not RuleSelector(ignore=(selector,)).enabled(acme_rule)
    assert not RuleSelector(select=("EP",)).enabled(acme_rule)


@exercises("mldeploy_suppression_edit")
def test_plugin_suppression_edit_answers_for_its_own_documents_only():
    """A third-party adapter offers the editor's "suppress for this resource" edit in its own form."""
    from linter import Span, SuppressionEdit, load_text

    class AcmeEdits:
        @hookimpl
        def mldeploy_suppression_edit(self, document, span, rule_id, reason):
            if document.root is None or document.root.get("acme") is None:
                return None
            return SuppressionEdit(1, 1, f"# acme: allow {rule_id} ({reason})\n", "the acme header")

    host = build_plugin_host(plugins=[("acme_edits", AcmeEdits())])
    acme = load_text("a.yaml", "acme: 1\nmodel: x\n").documents[0]
    answers = [
        outcome.result
        for outcome in host.call_each("mldeploy_suppression_edit", document=acme, span=Span.point("a.yaml", 2), rule_id="X001", reason="why")
    ]
    assert answers == [SuppressionEdit(1, 1, "# acme: allow X001 (why)\n", "the acme header")]
    template = load_text("t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").documents[0]
    (built_in,) = [
        outcome.result
        for outcome in host.call_each("mldeploy_suppression_edit", document=template, span=Span.point("t.yaml", 3, 5), rule_id="X001", reason="why")
    ]
    assert built_in.where == "Metadata of Q" and built_in.text.startswith("    Metadata:\n")


# --- linking across the run -----------------------------------------------------------------

ORPHAN_TARGET = """\
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: endpoint/churn/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      MinCapacity: 2
      MaxCapacity: 4
"""


class NotingLinker:
    """Links after the built-in adapters: sees their links, adds its own words."""

    @hookimpl(trylast=True)
    def mldeploy_link(self, run):
        from dataclasses import replace

        return [replace(target, reason=target.reason + f" (seen as {target.status.value})") for target in run.scaling_targets]


class ShortLinker:
    @hookimpl
    def mldeploy_link(self, run):
        return []


@exercises("mldeploy_link")
def test_link_hook_sees_every_target_of_the_run_after_extraction():
    host = build_plugin_host(plugins=[("noting_linker", NotingLinker())])
    result = run_lint([InputFile("scaling.yaml", ORPHAN_TARGET.encode())], host, LintOptions(selector=RuleSelector(("MD", "AS002"))))
    (target,) = result.scaling_targets
    # The CloudFormation adapter looked through the run for the endpoint its template does not hold.
    assert target.searched_run and target.reason.endswith("(seen as no-such-deployment)")
    assert [finding.rule_id for finding in result.findings] == ["AS002"]


@exercises("mldeploy_link")
def test_link_hook_that_drops_targets_is_a_plugin_error():
    host = build_plugin_host(plugins=[("short_linker", ShortLinker())])
    result = run_lint([InputFile("scaling.yaml", ORPHAN_TARGET.encode())], host, LintOptions(selector=RuleSelector(("MD",))))
    (error,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert error.plugin == "short_linker" and "while linking the run" in error.message
    assert len(result.scaling_targets) == 1


class CountingLinker:
    """Counts its calls and what it was shown; changes nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    @hookimpl
    def mldeploy_link(self, run):
        self.calls.append((len(run.deployments), len(run.scaling_targets)))
        return None


@exercises("mldeploy_link")
def test_link_hook_is_called_in_a_run_without_scaling_targets():
    # An adapter learns there that every document is extracted (the Kubernetes adapter drops its index).
    linker = CountingLinker()
    host = build_plugin_host(plugins=[("counting_linker", linker)])
    result = run_lint([InputFile("deployment.yaml", LINTED_DEPLOYMENT)], host, LintOptions(selector=RuleSelector(("MD",))))
    assert result.scaling_targets == () and len(result.deployments) == 1
    assert linker.calls == [(1, 0)]
    assert not [finding for finding in result.findings if finding.rule_id == "MD002"]



class OfferingAdapter:
    """Offers each context `kind: Scaler` document as a scaling target naming its `target`; raises for `explode`."""

    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def mldeploy_context_links(self, document, run):
        root = document.root
        if not isinstance(root, MappingNode) or root.get("kind") is None or root.get("kind").value != "Scaler":
            return None
        if root.get("target").value == "explode":
            raise RuntimeError("offering failed")
        offered = ScalingTarget(
            resource_id=Sourced(root.get("target").value), scaling=Scaling(), status="no-such-deployment",
            reason="offered", span=root.span,
        )
        return [offered, "neither a deployment nor a target: ignored"]

    @hookimpl
    def mldeploy_link(self, run):
        self.seen.append((run, run.scaling_targets))
        return None


@exercises("mldeploy_context_links")
def test_context_links_are_linked_with_the_run_but_never_judged():
    adapter = OfferingAdapter()
    host = build_plugin_host(plugins=[("offering_adapter", adapter)])
    inputs = [
        InputFile("scaling.yaml", ORPHAN_TARGET.encode()),
        InputFile("context.yaml", b"kind: Scaler\ntarget: scorer\n", context_only=True),
        InputFile("broken.yaml", b"kind: Scaler\ntarget: explode\n", context_only=True),
        InputFile("linted-scaler.yaml", b"kind: Scaler\ntarget: linted\n"),  # linted: extracted, not offered
    ]
    result = run_lint(inputs, host, LintOptions())
    ((run, while_linking),) = adapter.seen
    # The linker sees the run's own target, then the offer (the raising offer and the odd item are dropped).
    assert [str(target.resource_id.value) for target in while_linking] == ["endpoint/churn/variant/AllTraffic", "scorer"]
    assert [target.resource_id.value for target in run.context_scaling_targets] == ["scorer"]  # set aside after
    assert [str(target.resource_id.value) for target in result.scaling_targets] == ["endpoint/churn/variant/AllTraffic"]
    # Only the linted target is judged (AS002: its endpoint is nowhere); the plugin's failure is not reported.
    assert [(finding.rule_id, finding.path) for finding in result.findings] == [("AS002", "scaling.yaml")]




# --- mldeploy_context_wanted: which context files are parsed -------------------------------------------

CONTEXT_HPA = b"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
"""
CONTEXT_WORKFLOW = b"name: build\non: push\njobs: {test: {runs-on: ubuntu-latest}}\n"
LINTED_DEPLOYMENT = b"""apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
"""


class DocumentWatcher:
    """Reads the run without answering mldeploy_context_wanted, as a plugin written before the hook."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    @hookimpl
    def mldeploy_extract(self, document, run):
        self.paths.update(item.path for item in run.documents)
        return None


class WantsWorkflows(DocumentWatcher):
    @hookimpl
    def mldeploy_context_wanted(self, path, text, request):
        assert set(request.linted) == {"apps/web.yaml"} and "kind: Deployment" in request.linted["apps/web.yaml"]
        return "jobs:" in text


class BrokenWanted(DocumentWatcher):
    @hookimpl
    def mldeploy_context_wanted(self, path, text, request):
        raise RuntimeError("boom")


def _context_run(plugin):
    inputs = [
        InputFile("apps/web.yaml", LINTED_DEPLOYMENT),
        InputFile("platform/hpa.yaml", CONTEXT_HPA, context_only=True),
        InputFile(".github/build.yml", CONTEXT_WORKFLOW, context_only=True),
    ]
    return run_lint(inputs, build_plugin_host(plugins=[("watcher", plugin)]), LintOptions(selector=RuleSelector(("MD",))))


@exercises("mldeploy_context_wanted")
def test_context_files_no_plugin_wants_are_not_parsed():
    plugin = WantsWorkflows()
    result = _context_run(plugin)
    # The built-in Kubernetes adapter wants the autoscaler, this plugin the workflow.
    assert plugin.paths == {"apps/web.yaml", "platform/hpa.yaml", ".github/build.yml"}
    assert not result.findings
    plugin = DocumentWatcher()
    _context_run(plugin)
    assert plugin.paths == {"apps/web.yaml", "platform/hpa.yaml", ".github/build.yml"}  # a reader that does not answer sees all


@exercises("mldeploy_context_wanted")
def test_context_files_only_the_built_in_adapters_want():
    from linter import hookspecs as specs

    class Quiet:
        @hookimpl
        def mldeploy_context_wanted(self, path, text, request):
            return None

    seen: set[str] = set()

    class Watcher(Quiet):
        @hookimpl
        def mldeploy_extract(self, document, run):
            seen.update(item.path for item in run.documents)

    _context_run(Watcher())
    assert seen == {"apps/web.yaml", "platform/hpa.yaml"}  # the workflow file holds nothing that links
    assert specs.mldeploy_context_wanted.__doc__


@exercises("mldeploy_context_wanted")
def test_a_failing_context_wanted_hook_is_a_plugin_error_and_keeps_the_file():
    plugin = BrokenWanted()
    result = _context_run(plugin)
    (error,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert error.plugin == "watcher" and "while choosing context files" in error.message
    assert ".github/build.yml" in plugin.paths


class Prefiltered(DocumentWatcher):
    """Answers mldeploy_context_wanted behind a prefilter (or a prefilter that fails: an exception to raise)."""

    def __init__(self, prefilter) -> None:
        super().__init__()
        self.prefilter = prefilter
        self.asked: list[str] = []

    @hookimpl
    def mldeploy_context_prefilter(self, request):
        assert set(request.linted) == {"apps/web.yaml"}
        if isinstance(self.prefilter, BaseException):
            raise self.prefilter
        return self.prefilter

    @hookimpl
    def mldeploy_context_wanted(self, path, text, request):
        self.asked.append(path)
        return "jobs:" in text


@pytest.mark.parametrize(
    "prefilter, asked",
    [
        (linter.ContextPrefilter(), []),
        (linter.ContextPrefilter(words=("jobs:",)), [".github/build.yml"]),
        (linter.ContextPrefilter(words=("Jobs:",)), []),  # as written
        (linter.ContextPrefilter(folded_words=("runs-on",)), [".github/build.yml"]),
        (linter.ContextPrefilter(suffixes=(".yml",)), [".github/build.yml"]),
        (linter.ContextPrefilter(directory_wanted=lambda directory: directory == "platform"), ["platform/hpa.yaml"]),
        (linter.ContextPrefilter(naming_words=("HorizontalPodAutoscaler",), names=("web",)), ["platform/hpa.yaml"]),
        (linter.ContextPrefilter(naming_words=("HorizontalPodAutoscaler",), names=("we",)), []),  # whole names only
        (linter.ContextPrefilter(naming_words=("jobs:",), names=("web",)), []),  # both, in one file
        (None, ["platform/hpa.yaml", ".github/build.yml"]),  # every file, as without the hook
    ],
)
@exercises("mldeploy_context_prefilter")
def test_a_plugin_is_asked_only_about_the_context_files_its_prefilter_leaves(prefilter, asked):
    plugin = Prefiltered(prefilter)
    result = _context_run(plugin)
    assert plugin.asked == asked
    assert not result.findings
    # The built-in Kubernetes adapter still wants the autoscaler; the workflow is parsed only when this plugin is asked.
    assert plugin.paths == {"apps/web.yaml", "platform/hpa.yaml"} | ({".github/build.yml"} if ".github/build.yml" in asked else set())


def test_a_prefilters_directory_test_is_asked_once_per_directory():
    directories: list[str] = []

    def wanted(directory):
        directories.append(directory)
        return False

    plugin = Prefiltered(linter.ContextPrefilter(directory_wanted=wanted))
    inputs = [InputFile("apps/web.yaml", LINTED_DEPLOYMENT)] + [
        InputFile(f"platform/hpa-{number}.yaml", CONTEXT_HPA, context_only=True) for number in range(3)
    ]
    run_lint(inputs, build_plugin_host(plugins=[("watcher", plugin)]), LintOptions(selector=RuleSelector(("MD",))))
    assert directories == ["platform"] and plugin.asked == []


@pytest.mark.parametrize(
    "prefilter, message",
    [
        (LookupError("no words"), "plugin 'watcher' raised LookupError: no words while choosing context files (its prefilter)"),
        (42, "plugin 'watcher' returned int, not a ContextPrefilter or None while choosing context files"),
        (
            linter.ContextPrefilter(folded_words=("Jobs",)),
            "plugin 'watcher' returned a ContextPrefilter whose folded_words are not all in lower case while choosing context files",
        ),
        (
            linter.ContextPrefilter(words=("jobs", "")),
            "plugin 'watcher' returned a ContextPrefilter whose words is not a tuple of non-empty strings while choosing context files",
        ),
        (
            linter.ContextPrefilter(directory_wanted=lambda directory: 1 / 0),
            "plugin 'watcher' raised ZeroDivisionError: division by zero while choosing context files (its prefilter's directory test)",
        ),
    ],
)
def test_a_failing_prefilter_is_a_plugin_error_and_the_plugin_is_asked_about_every_file(prefilter, message):
    plugin = Prefiltered(prefilter)
    result = _context_run(plugin)
    (error,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert error.plugin == "watcher" and error.message.startswith(message)
    assert plugin.asked == ["platform/hpa.yaml", ".github/build.yml"]
    assert ".github/build.yml" in plugin.paths
# --- files that are templates, and streams that say where they were rendered from ---


class JinjaTemplates:
    """A third party's templating tool: `{% ... %}` files are its templates, `vars.yaml` their input."""

    @hookimpl
    def mldeploy_unrendered_template(self, path, text):
        if path.endswith("vars.yaml"):
            return linter.UnrenderedTemplate("")
        if text is not None and "{%" in text:
            return linter.UnrenderedTemplate("the {files} of jinja/ are Jinja templates: render them first", group="jinja")
        return None


class TemplateOracleThatRaises:
    @hookimpl
    def mldeploy_unrendered_template(self, path, text):
        raise LookupError("no oracle")


@exercises("mldeploy_unrendered_template")
def test_a_plugin_names_template_files_the_core_does_not_parse():
    host = build_plugin_host(plugins=[("jinja_templates", JinjaTemplates())])
    template = b"{% for name in names %}\nname: {{ name }}\n{% endfor %}\n"
    inputs = [
        InputFile("jinja/b.yaml", template),
        InputFile("jinja/a.yaml", template),
        InputFile("jinja/vars.yaml", b"\x00\x01 not even text"),
        InputFile("deploy.yaml", DEPLOY_YAML.encode()),
    ]
    result = run_lint(inputs, host, LintOptions(selector=RuleSelector(ignore=PACKS_OUT_OF_SCOPE)))
    notes = [finding for finding in result.findings if finding.rule_id == "MD005"]
    assert [(note.span.path, note.span.line, note.message) for note in notes] == [
        ("jinja/a.yaml", 1, "the 2 template files of jinja/ are Jinja templates: render them first"),
    ]
    assert {finding.rule_id for finding in result.findings} == {"EP001", "MD005"}  # neither parsed nor a parse error
    assert "jinja/vars.yaml" not in {summary.path for summary in result.files}  # skipped without a word


@exercises("mldeploy_unrendered_template")
def test_a_template_oracle_that_raises_is_reported_and_the_file_is_read():
    result = _lint_with("template_oracle", TemplateOracleThatRaises())
    assert _located(result.findings) == [("MD002", "template_oracle", "deploy.yaml", 1, 1), _ep001_at("deploy.yaml")]
    assert re.fullmatch(
        r"plugin 'template_oracle' raised LookupError: no oracle while looking at this file \(at test_plugins\.py:\d+\)",
        result.findings[0].message,
    )


class RenderedFrom:
    """A renderer whose output starts with `# rendered-from: PATH`: the stream's one document came from PATH."""

    def __init__(self, extra: int = 0) -> None:
        self.extra = extra

    @hookimpl
    def mldeploy_document_origins(self, source):
        first = source.text.split("\n", 1)[0]
        if not first.startswith("# rendered-from: "):
            return None
        return [first.removeprefix("# rendered-from: ")] * (len(source.documents) + self.extra)


@exercises("mldeploy_document_origins")
def test_a_plugin_says_where_a_rendered_document_came_from_and_findings_name_it():
    host = build_plugin_host(plugins=[("rendered_from", RenderedFrom())])
    rendered = "# rendered-from: stacks/endpoint.j2\n" + DEPLOY_YAML
    inputs = [InputFile("rendered.yaml", rendered.encode()), InputFile("deploy.yaml", DEPLOY_YAML.encode())]
    result = run_lint(inputs, host, LintOptions(selector=RuleSelector(("EP001",))))
    assert {(finding.span.path, finding.origin) for finding in result.findings} == {
        ("rendered.yaml", "stacks/endpoint.j2"),
        ("deploy.yaml", ""),
    }


@exercises("mldeploy_document_origins")
def test_origins_that_do_not_match_the_documents_are_a_plugin_error():
    host = build_plugin_host(plugins=[("miscounting", RenderedFrom(extra=1))])
    rendered = "# rendered-from: stacks/endpoint.j2\n" + DEPLOY_YAML
    result = run_lint([InputFile("rendered.yaml", rendered.encode())], host, LintOptions(selector=RuleSelector(("MD", "EP001"))))
    (error,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert error.plugin == "miscounting" and error.message == "plugin 'miscounting' gave 2 origins for the 1 documents of this file"
    assert [finding.origin for finding in result.findings if finding.rule_id == "EP001"] == [""]


class NonStageNames:
    @hookimpl
    def mldeploy_non_stage_names(self):
        return ["Prod-Line"]


@exercises("mldeploy_non_stage_names")
def test_names_a_plugin_gives_are_no_stage_words_in_paths():
    inputs = [InputFile("prod-line/deploy.yaml", DEPLOY_YAML.encode()), InputFile("prod/deploy.yaml", DEPLOY_YAML.encode())]
    selector = RuleSelector(ignore=PACKS_OUT_OF_SCOPE)
    without = run_lint(inputs, build_plugin_host(), LintOptions(selector=selector))
    assert {deployment.path: deployment.environment.value for deployment in without.deployments} == {
        "prod-line/deploy.yaml": Environment.PROD,
        "prod/deploy.yaml": Environment.PROD,
    }
    named = run_lint(inputs, build_plugin_host(plugins=[("non_stage_names", NonStageNames())]), LintOptions(selector=selector))
    environments = {deployment.path: deployment.environment for deployment in named.deployments}
    assert not environments["prod-line/deploy.yaml"].known
    assert environments["prod/deploy.yaml"].value is Environment.PROD


# --- mldeploy_embedded_documents: objects written inside another format's values -------------------


class EmbedsDeployment:
    """Reads `app.conf` (a format of its own) as the Kubernetes Deployment it describes, located in app.conf."""

    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def mldeploy_load(self, path, text, limits):
        if not path.endswith(".conf"):
            return None
        from linter.source import load_text

        return load_text(path, text, limits)

    @hookimpl
    def mldeploy_embedded_documents(self, document, run):
        if not document.path.endswith(".conf") or document.embedded_in is not None:
            return None
        from linter import MappingNode, ScalarNode, SequenceNode

        span = document.root.get("service").span

        def mapping(**items):
            return MappingNode(tuple((ScalarNode(key, span, "str"), value) for key, value in items.items()), span)

        def scalar(value):
            return ScalarNode(value, span, "int" if isinstance(value, int) else "str")

        container = mapping(name=scalar("web"), image=scalar("vllm/vllm-openai:v0.5.5"))
        pod = mapping(metadata=mapping(labels=mapping(app=scalar("web"))), spec=mapping(containers=SequenceNode((container,), span)))
        spec = mapping(replicas=scalar(2), selector=mapping(matchLabels=mapping(app=scalar("web"))), template=pod)
        return [mapping(apiVersion=scalar("apps/v1"), kind=scalar("Deployment"), metadata=mapping(name=scalar("web"), namespace=scalar("shop")), spec=spec)]

    @hookimpl
    def mldeploy_extract(self, document, run):
        if document.path.endswith(".conf"):
            self.seen.append(document.embedded_in is not None)
        return None


class FailsToEmbed:
    @hookimpl
    def mldeploy_embedded_documents(self, document, run):
        raise RuntimeError("cannot embed")


@exercises("mldeploy_embedded_documents")
def test_an_embedded_document_is_extracted_and_linked_as_a_document_of_its_file():
    """The Kubernetes adapter reads the embedded Deployment and links the HPA of another (context) file to it."""
    plugin = EmbedsDeployment()
    host = build_plugin_host(plugins=[("embeds", plugin), ("fails", FailsToEmbed())])
    inputs = [InputFile("app.conf", b"service: web\n"), InputFile("hpa.yaml", CONTEXT_HPA, context_only=True)]
    result = run_lint(inputs, host, LintOptions(selector=RuleSelector(("MD", "AS002"))))
    (deployment,) = result.deployments
    assert deployment.id == "app.conf#Deployment/shop/web" and deployment.span.path == "app.conf"
    assert [scaling.min_capacity.value for scaling in deployment.units[0].scaling] == [2]  # the context file's HPA
    assert plugin.seen == [False, True]  # the file's document, then the document embedded in it
    (error,) = [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert error.plugin == "fails" and "while reading embedded documents" in error.message
    assert result.files[0].recognised

def test_the_faster_hookimpl_lookup_finds_what_pluggy_finds():
    # linter/plugin_manager.py `_PluginManager` skips pluggy's static lookup for a module's plain attributes.
    import types

    from linter.plugin_manager import _PluginManager

    class Plugin:
        @hookimpl
        def mldeploy_rules(self):
            return []

    module = types.ModuleType("acme_lookup")
    exec(
        "from linter import hookimpl\nimport os\nfrom os import path\nVALUE = 3\n"
        "@hookimpl(specname='mldeploy_rules')\ndef renamed():\n    return []\n"
        "def helper():\n    pass\nclass Kind:\n    pass\nbound = Kind().__init__\n"
        "wrapped = staticmethod(hookimpl(lambda: []))\n",
        module.__dict__,
    )
    plugins = [Plugin(), Plugin, module, *(plugin for _, plugin in build_plugin_host().manager.list_name_plugin())]
    fast, standard = _PluginManager(hookspecs.PROJECT), pluggy.PluginManager(hookspecs.PROJECT)
    for plugin in plugins:
        for name in dir(plugin):
            assert fast.parse_hookimpl_opts(plugin, name) == standard.parse_hookimpl_opts(plugin, name), (plugin, name)

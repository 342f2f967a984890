"""Start-up stays light: linting one template imports neither cfn-lint, jsonschema nor pygls.

Not a timing test (bench/bench.py measures time): it runs the real entry
points in fresh interpreters with `-X importtime` switched on (through
PYTHONPROFILEIMPORTTIME, so console scripts are covered too) and reads which
modules were imported. Each run must also have done its work — exit code
and output are checked — so that a run which imported nothing because it
did nothing cannot pass. One KServe manifest and one Terraform file import
what their platform needs and no other platform's readers.

-X importtime does not see a module imported by `importlib.import_module`
(the plugins' entry points, the Kubernetes and CloudFormation readers'
tables), only what that module imports in turn: the runs that must see
every module are started through `_MODULES`, which also lists `sys.modules`
at exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP = Path(__file__).resolve().parent / "fixtures" / "startup"
ENDPOINT = STARTUP / "endpoint.yaml"
# Copies of the project's own examples, byte for byte: examples/kubernetes/recommender-kserve.yaml and
# examples/terraform/llm-summariser/main.tf (without its variables and stage files: it is linted alone).
KSERVE = STARTUP / "recommender-kserve.yaml"
TERRAFORM = STARTUP / "llm-summariser" / "main.tf"
# ACK objects of one endpoint (an adapter fixture): Model, EndpointConfig, Endpoint and ScalableTarget.
ACK = Path(__file__).resolve().parent / "fixtures" / "adapters" / "ack" / "churn-stream.yaml"
HEAVY = ("cfnlint", "jsonschema", "pygls")

# What only a CloudFormation template (or stage file, or a SAM state machine's definition) needs:
# its readers, template context and records, hosting assembly and resolver, and the Application Auto
# Scaling linker its cross-stack targets use.
CLOUDFORMATION_READERS = {
    "plugins.adapters.cloudformation.context",
    "plugins.adapters.cloudformation.custom_scaling",
    "plugins.adapters.cloudformation.hosting",
    "plugins.adapters.cloudformation.ignores",
    "plugins.adapters.cloudformation.intrinsics",
    "plugins.adapters.cloudformation.record_matching",
    "plugins.adapters.cloudformation.records",
    "plugins.adapters.cloudformation.resources",
}
# The readers of AWS requests, wherever they are written (CloudFormation, Terraform, ACK objects, API
# request documents, state machines and pipelines).
AWS_REQUEST_READERS = {
    "plugins.adapters.aws.sagemaker_requests",
    "plugins.adapters.aws.application_autoscaling",
    "plugins.adapters.aws.api_documents",
    "plugins.adapters.aws.workflow_definitions",
}


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    # (depth, module) per imported module, in -X importtime's order: a
    # module is printed after everything it imported.
    imports: tuple[tuple[int, str], ...]
    # Every module of sys.modules at exit, for a run started through `_MODULES` (else empty).
    modules: frozenset[str] = frozenset()

    def imported(self) -> set[str]:
        """The modules the run imported: its import profile, and sys.modules at exit when it was listed."""
        return {name for _, name in self.imports} | self.modules

    def heavy(self) -> dict[str, str]:
        """Each heavy package imported, with the chain of imports that brought it in."""
        found = {}
        names = [name for _, name in self.imports]
        for package in HEAVY:
            lines = [index for index, name in enumerate(names) if name.split(".")[0] == package]
            if lines:
                index = next((index for index in lines if names[index] == package), lines[0])
                found[package] = " <- ".join(self._chain(index))
        return found

    def _chain(self, index: int) -> list[str]:
        depth, name = self.imports[index]
        chain = [name]
        for other_depth, other in self.imports[index + 1:]:
            if other_depth < depth:
                chain.append(other)
                depth = other_depth
        return chain


def _run(command: list[str], cwd: Path) -> Run:
    environment = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", "NO_COLOR": "1"}
    completed = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    imports = []
    other_stderr = []
    modules: frozenset[str] = frozenset()
    for line in completed.stderr.splitlines():
        if line.startswith(_MODULES_LINE):
            modules = frozenset(line[len(_MODULES_LINE):].split())
            continue
        if line.startswith("import time:") and line.count("|") == 2:
            self_us, _, name = line[len("import time:"):].split("|")
            if self_us.strip().isdigit():
                stripped = name.lstrip()
                imports.append(((len(name) - len(stripped) - 1) // 2, stripped.rstrip()))
            continue
        other_stderr.append(line)
    run = Run(completed.returncode, completed.stdout, "\n".join(other_stderr), tuple(imports), modules)
    # The import profile itself must be there, or "nothing heavy" proves nothing.
    assert any(name == "linter.cli" for _, name in run.imports), f"no import profile for {command}:\n{completed.stderr}"
    return run


# Runs `python -m linter ARGS` and prints every module of sys.modules once the run is done (from an
# exit handler: the program ends with os._exit once the exit handlers have run, linter.cli.run).
_MODULES_LINE = "MODULES "
_MODULES = rf"""
import atexit, runpy, sys
atexit.register(lambda: print({_MODULES_LINE!r} + " ".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["mldeploy-lint", *sys.argv[1:]]
runpy.run_module("linter", run_name="__main__", alter_sys=True)
"""


def _listed(args: list[str], cwd: Path) -> Run:
    """`python -m linter ARGS`, with its import profile and every module it imported."""
    run = _run([sys.executable, "-c", _MODULES, *args], cwd)
    assert run.modules, f"no module list for {args}:\n{run.err}"
    return run


def _console_script() -> str | None:
    """This interpreter's `mldeploy-lint` script, else the one on PATH."""
    beside = Path(sys.executable).parent / "mldeploy-lint"
    return str(beside) if beside.is_file() else shutil.which("mldeploy-lint")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT.read_text())
    return tmp_path


# What every linted file imports of the Kubernetes adapter: the checks for Helm chart files, Go templates and
# kustomize patches, and the object test.
KUBERNETES_FOR_EVERY_FILE = [
    "plugins.adapters.kubernetes.helm", "plugins.adapters.kubernetes.kustomize", "plugins.adapters.kubernetes.objects"
]


def test_linting_one_template_imports_nothing_heavy(workdir):
    run = _run([sys.executable, "-m", "linter", "endpoint.yaml"], workdir)
    assert run.code == 1, run.err
    # It really linted: a rule fired on the declared profile read by the
    # CloudFormation adapter, and the profile was checked against its schema.
    assert "endpoint.yaml:20:23: error EP001 [payload-exceeds-endpoint-limit]" in run.out
    assert "endpoint.yaml:22:20: error MD004 [invalid-workload-profile]" in run.out
    assert any(name.startswith("plugins.adapters.cloudformation") for _, name in run.imports)
    assert run.heavy() == {}
    # The Kubernetes readers (ACK, KServe, Seldon, ...) wait for a Kubernetes object; every file
    # passes Helm's check for chart files and Go templates and kustomize's for patches (small
    # modules, as light as the core's own was before the adapter took it over).
    kubernetes = [name for _, name in run.imports if name.startswith("plugins.adapters.kubernetes.")]
    assert sorted(kubernetes) == KUBERNETES_FOR_EVERY_FILE
    # The HCL parser (tree-sitter) waits for a Terraform file.
    assert not [name for _, name in run.imports if name.split(".")[0] in ("tree_sitter", "tree_sitter_hcl")]
    assert not [name for _, name in run.imports if name.startswith("plugins.adapters.terraform.")]
    # Listing the template's siblings needs no gitignore matcher when the
    # directory has no .gitignore and nothing is excluded by configuration.
    assert not [name for _, name in run.imports if name.split(".")[0] == "pathspec"]
    # Entry points and cfn-lint's version are read from the dist-info directories directly
    # (linter/installed_plugins.py, plugins/data/instances.py): importlib.metadata costs 15-20 ms.
    assert "importlib.metadata" not in {name for _, name in run.imports}
    # The shipped schemas and data tables are read through their package's loader; importlib.resources
    # brings in tempfile and zipfile. The cfn-lint bridge starts no process (off by default).
    assert not {"importlib.resources", "tempfile", "zipfile", "subprocess", "queue"} & {name for _, name in run.imports}
    # The readers of SageMaker API request documents and of Step Functions / Pipelines definitions wait
    # for such a document (plugins/adapters/aws/document_kinds.py recognises them).
    assert not {
        "plugins.adapters.aws.api_documents",
        "plugins.adapters.aws.workflow_definitions",
        "plugins.adapters.cloudformation.resources.stepfunctions",
        # The model-weights tables wait for a model ID (this endpoint's container names none).
        "plugins.data.model_weights",
        # "Did you mean ...?" and the instance-type typo check wait for a name that is wrong.
        "difflib",
        # The advisor's example tables wait for `advise` (plugins/data/__init__.py, PEP 562).
        "plugins.data.advisor_examples",
        # ECS services' scaling targets wait for one (plugins/adapters/cloudformation/hosting.py).
        "plugins.adapters.cloudformation.ecs_scaling",
        # argparse's help formatter is given the terminal width (linter/cli.py `_HelpFormatter`).
        "shutil",
    } & {name for _, name in run.imports}


def test_linting_one_kserve_manifest_imports_its_readers_only(tmp_path):
    (tmp_path / "recommender-kserve.yaml").write_bytes(KSERVE.read_bytes())
    run = _listed(["--context", "none", "recommender-kserve.yaml"], tmp_path)
    assert run.code == 1, run.err
    # It really linted: the KServe reader read the predictor's replicas and its GPU.
    assert "recommender-kserve.yaml:12:18: error HA003 [single-replica-production-workload]" in run.out
    assert "recommender-kserve.yaml:22:27: warning CP001 [gpu-for-tabular-model]" in run.out
    assert run.heavy() == {}
    imported = run.imported()
    # The readers' table imports a reader's module for the first object of its kinds
    # (plugins/adapters/kubernetes/readers.py): KServe's, and the plain workloads' assembly it shares.
    # Whether a Karpenter pool admits a pod waits for a pool near it (karpenter.py `admitting_pool`).
    kubernetes = {name for name in imported if name.startswith("plugins.adapters.kubernetes.")}
    assert kubernetes == {
        f"plugins.adapters.kubernetes.{name}"
        for name in (
            "objects", "helm", "kustomize", "ignores", "index", "autoscalers", "disruption", "readers",
            "kserve", "workloads", "pod", "karpenter", "workload_profile",
        )
    }
    # Nothing of ACK (nor the AWS request readers behind it), of CloudFormation's readers or of Terraform.
    assert not (CLOUDFORMATION_READERS | AWS_REQUEST_READERS) & imported
    assert not [name for name in imported if name.startswith("plugins.adapters.terraform.") or name.split(".")[0] == "tree_sitter"]
    # The model-weights tables wait for a model ID (an XGBoost model in S3 names none).
    assert "plugins.data.model_weights" not in imported


def test_linting_one_terraform_file_imports_no_kubernetes_or_cloudformation_reader(tmp_path):
    (tmp_path / "main.tf").write_bytes(TERRAFORM.read_bytes())
    run = _listed(["--context", "none", "main.tf"], tmp_path)
    assert run.code == 1, run.err
    # It really linted: the endpoint was read through the shared SageMaker readers.
    assert "main.tf:24:3: warning AS001 [missing-autoscaling]" in run.out
    assert "main.tf:24:3: warning EP007 [model-startup-timeouts-unset]" in run.out
    assert run.heavy() == {}
    imported = run.imported()
    assert {"plugins.adapters.terraform.hcl", "plugins.adapters.terraform.hosting", "plugins.adapters.aws.sagemaker_requests"} <= imported
    # Every file passes Helm's and kustomize's checks; no Kubernetes object, so no Kubernetes reader (nor the table of them).
    kubernetes = {name for name in imported if name.startswith("plugins.adapters.kubernetes.")}
    assert sorted(kubernetes) == KUBERNETES_FOR_EVERY_FILE
    assert not CLOUDFORMATION_READERS & imported
    # Standalone request documents: none in the run. The module holds only SageMaker hosting resources and
    # calls no module: the Batch, node group, ECS and workflow readers wait for a module that has what they
    # read, the plan reader for a JSON document (plugins/adapters/terraform/__init__.py `module_items`).
    assert not {
        "plugins.adapters.aws.api_documents",
        "plugins.adapters.aws.workflow_definitions",
        "plugins.adapters.aws.batch",
        "plugins.adapters.aws.ecs",
        "plugins.adapters.aws.eks_nodegroups",
        "plugins.adapters.terraform.compute",
        "plugins.adapters.terraform.ecs",
        "plugins.adapters.terraform.ecs_modules",
        "plugins.adapters.terraform.auto_scaling",
        "plugins.adapters.terraform.workflows",
        "plugins.adapters.terraform.plan",
    } & imported


def test_an_ack_object_brings_in_the_ack_readers(tmp_path):
    # The ACK modules wait for an ACK object (the two tests above), and read it when one comes.
    (tmp_path / "churn-stream.yaml").write_bytes(ACK.read_bytes())
    run = _listed(["--context", "none", "churn-stream.yaml"], tmp_path)
    assert run.code == 1, run.err
    # The ScalableTarget was linked to the endpoint's variant, its scaling read: AS007 says it has no policy.
    assert "churn-stream.yaml:24:18: warning AS007 [scaling-target-without-policy]" in run.out
    assert "between 2 and 4" in run.out
    imported = run.imported()
    assert {
        "plugins.adapters.kubernetes.ack_links",
        "plugins.adapters.kubernetes.ack_sagemaker",
        "plugins.adapters.kubernetes.ack_autoscaling",
        "plugins.adapters.aws.sagemaker_requests",
        "plugins.adapters.aws.application_autoscaling",
    } <= imported
    assert "plugins.adapters.kubernetes.kserve" not in imported
    assert not CLOUDFORMATION_READERS & imported


def test_the_default_excludes_name_only_directories():
    # Why listing one directory's files needs no matcher (linter/discovery.py
    # `_walk`): a pattern ending in "/" never matches a file at the top.
    from linter.discovery import DEFAULT_EXCLUDES

    assert all(pattern.endswith("/") for pattern in DEFAULT_EXCLUDES)


def test_the_console_script_linting_one_template_imports_nothing_heavy(workdir):
    script = _console_script()
    if script is None:
        pytest.skip("the mldeploy-lint console script is not installed")
    run = _run([script, "endpoint.yaml"], workdir)
    assert run.code == 1, run.err
    assert "EP001" in run.out and "MD004" in run.out
    assert run.heavy() == {}


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--version",), "mldeploy-lint "),
        (("rules",), "EP001"),
        (("explain", "EP001"), "payload-exceeds-endpoint-limit"),
        (("--format", "sarif", "endpoint.yaml"), '"ruleId": "EP001"'),
        (("advise", "--traffic", "steady", "--framework", "xgboost"), "recommendation: real-time"),
        (("advise", "--framework", "xgboost", "--emit", "cloudformation"), "AWS::SageMaker::EndpointConfig"),
    ],
)
def test_other_commands_import_nothing_heavy(workdir, args, expected):
    run = _run([sys.executable, "-m", "linter", *args], workdir)
    assert run.code in (0, 1), run.err
    assert expected in run.out
    assert run.heavy() == {}
    if args[0] != "advise":  # the advisor's modules wait for the advise command
        assert [name for _, name in run.imports if name.startswith("plugins.advisor.")] == []


@pytest.mark.parametrize("args", [("--version",), ("rules",)])
def test_console_script_commands_import_nothing_heavy(workdir, args):
    script = _console_script()
    if script is None:
        pytest.skip("the mldeploy-lint console script is not installed")
    run = _run([script, *args], workdir)
    assert run.code == 0, run.err
    assert run.out.strip()
    assert run.heavy() == {}


def test_a_configuration_file_brings_in_jsonschema_once_and_nothing_else_heavy(workdir):
    # Validating the configuration file is jsonschema's job (linter/config.py);
    # without such a file it is never imported (the tests above). Settings
    # found valid are remembered in the disk cache (a scratch directory for
    # tests: conftest.py), so the next run does not import it again.
    config = workdir / "mldeploy-lint.toml"
    config.write_text('fail-on = "error"\n')
    first = _run([sys.executable, "-m", "linter", "endpoint.yaml"], workdir)
    assert first.code == 1, first.err
    assert "EP001" in first.out
    assert set(first.heavy()) == {"jsonschema"}

    again = _run([sys.executable, "-m", "linter", "endpoint.yaml"], workdir)
    assert (again.code, again.out) == (first.code, first.out)
    assert again.heavy() == {}

    # Without the cache it is checked on every run.
    uncached = _run([sys.executable, "-m", "linter", "--no-cache", "endpoint.yaml"], workdir)
    assert (uncached.code, uncached.out) == (first.code, first.out)
    assert set(uncached.heavy()) == {"jsonschema"}

    # Other settings are checked again; settings that fail are never remembered.
    config.write_text('fail-on = "warning"\n')
    changed = _run([sys.executable, "-m", "linter", "endpoint.yaml"], workdir)
    assert changed.code == 1 and set(changed.heavy()) == {"jsonschema"}
    config.write_text('fail-on = "sometimes"\n')
    for _ in range(2):
        broken = _run([sys.executable, "-m", "linter", "endpoint.yaml"], workdir)
        assert broken.code == 2
        assert "fail-on" in broken.err and "sometimes" in broken.err


# Runs `python -m linter ARGS` and prints every file under plugins/data/ it opened.
# Printed by an exit handler: the program ends with os._exit once the exit handlers have run (linter.cli.run).
_OPENED = r"""
import atexit, runpy, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" and "plugins/data/" in str(args[0]) else None)
atexit.register(lambda: print("OPENED " + " ".join(sorted(set(opened))), file=sys.stderr))
sys.argv = ["mldeploy-lint", *sys.argv[1:]]
runpy.run_module("linter", run_name="__main__", alter_sys=True)
"""


def test_a_run_reads_the_compiled_data_tables_not_their_yaml(workdir):
    # Parsing tables.yaml cost every run 20-50 ms; tables.json holds the same
    # data (tests/test_data_tables.py keeps it current).
    completed = subprocess.run(
        [sys.executable, "-c", _OPENED, "endpoint.yaml"], cwd=workdir, capture_output=True, text=True, timeout=120, check=False
    )
    assert "EP001" in completed.stdout, completed.stderr
    (line,) = [line for line in completed.stderr.splitlines() if line.startswith("OPENED ")]
    opened = [path.rsplit("/", 1)[-1] for path in line.split()[1:]]
    assert "tables.json" in opened
    assert "tables.yaml" not in opened


def test_files_read_through_their_package_loader_are_what_importlib_resources_reads():
    # linter/schemas.py and plugins/data/loading.py read shipped files as pkgutil.get_data does.
    import json
    from importlib import resources

    from linter import schemas
    from plugins.data import loading

    for name in ("config", "workload-profile", "data-tables"):
        filename = f"{name}.schema.json"
        assert schemas._read(filename) == resources.files("mldeploy_lint_schemas").joinpath(filename).read_text(encoding="utf-8")
    shipped = resources.files("plugins.data").joinpath(loading.COMPILED_TABLES_FILE).read_text(encoding="utf-8")
    assert loading.raw_tables() == json.loads(shipped)


@pytest.mark.parametrize("columns", [None, "100", "0", "wide"])
def test_the_help_width_is_shutil_s(monkeypatch, columns):
    # linter/cli.py reads the width as shutil.get_terminal_size does, so that argparse need not import shutil.
    import shutil

    from linter.cli import _terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _terminal_columns() == shutil.get_terminal_size().columns


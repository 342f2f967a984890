"""Benchmark mldeploy-lint: start-up on one small template, loading, per-file cost, throughput.

    python bench/bench.py                  # a table; 7 runs per measurement
    python bench/bench.py --runs 3 --json  # machine-readable
    python bench/bench.py --tree DIR       # throughput on DIR instead of the shared corpus
    python bench/bench.py --quick          # 3 runs per measurement
    python bench/bench.py --one-run-only   # whole processes: time, peak memory, parse floor, cfn-lint, checkov

Every time is the median of --runs runs, with min and max beside it. This is
a benchmark, not a test: nothing fails because a machine is slow. It exits
non-zero only when a measurement is meaningless or the budget's one hard
rule is broken: start-up imported cfn-lint, jsonschema or pygls (exit 1,
with the import chain that did it), or a command under test crashed or did
not lint (exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_TEMPLATE = REPO / "bench" / "small-template.yaml"
SMALL_MANIFEST = REPO / "bench" / "small-kubernetes.yaml"
CORPUS = REPO.parent / "shared" / "corpus"
CACHE_DIR_ENV = "MLDEPLOY_LINT_CACHE_DIR"
HEAVY = ("cfnlint", "jsonschema", "pygls")
# The finding the small template must produce: a run without it did not lint.
EXPECTED_FINDING = "EP001"
# The same for the small Kubernetes manifest.
EXPECTED_MANIFEST_FINDING = "HA003"


class BenchError(Exception):
    """A measurement that would be meaningless (a crash, a run that did not lint)."""


def _stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


# --- start-up ---------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_command(command: list[str], runs: int, cwd: Path, expect_finding: bool | str, env: dict[str, str]) -> dict:
    """Wall time of a whole process, `runs` times after one untimed warm-up; checks every run did its job.

    `expect_finding` is the rule ID the output must hold (True: the small
    template's). The CPU time of each process (user + system) is kept
    under "cpu": on a shared machine it moves less than wall time.
    """
    expected = EXPECTED_FINDING if expect_finding is True else expect_finding
    samples, cpu = [], []
    for attempt in range(runs + 1):
        start, start_cpu = time.perf_counter(), _children_cpu()
        completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        elapsed, elapsed_cpu = time.perf_counter() - start, _children_cpu() - start_cpu
        if "Traceback" in completed.stderr or (expected and expected not in completed.stdout):
            raise BenchError(
                f"{' '.join(command)} (in {cwd}) exited {completed.returncode} without linting:\n"
                f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
        if attempt:  # the warm-up fills the bytecode and file caches
            samples.append(elapsed)
            cpu.append(elapsed_cpu)
    return {**_stats(samples), "cpu": _stats(cpu)}


def _cached_bytecode_env(work: Path) -> dict[str, str]:
    """The environment of an ordinary install: bytecode written once, then reused.

    With PYTHONDONTWRITEBYTECODE set and no .pyc beside the sources (an
    editable checkout), every run compiles every project module again.
    A pycache prefix in the scratch directory gives the cached case
    without writing into the source tree.

    The linter's disk cache is in the scratch directory too (the parse
    cache of files of 512 bytes or more, and a configuration file's verdict).
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env[CACHE_DIR_ENV] = str(work / "cache")
    return env


def _console_scripts(name: str) -> list[tuple[str, str]]:
    """(label, path) of the console script `name`: the one on PATH and the one beside this interpreter.

    Under pyenv the one on PATH is a shell shim that runs `pyenv exec` first;
    timing both shows what the shim adds and what the script itself costs.
    """
    found: list[tuple[str, str]] = []
    on_path = shutil.which(name)
    beside = Path(sys.executable).parent / name
    if on_path:
        found.append((f"{name} (on PATH{', a shim' if _is_shim(on_path) else ''})", on_path))
    if beside.is_file() and (not on_path or os.path.realpath(on_path) != os.path.realpath(beside)):
        found.append((f"{name} (beside {Path(sys.executable).name})", str(beside)))
    return found


def _is_shim(path: str) -> bool:
    """True when the script is not a Python entry point (a pyenv or asdf shell shim)."""
    try:
        with open(path, "rb") as handle:
            first_line = handle.readline()
    except OSError:
        return False
    return b"python" not in first_line


def _startup_dirs(work: Path) -> dict[str, Path]:
    """The directories start-up runs in: alone, among siblings, in a repository, beside a config file."""
    text = SMALL_TEMPLATE.read_text()
    dirs = {name: work / name for name in ("alone", "siblings", "repository", "configured")}
    for directory in dirs.values():
        directory.mkdir()
        (directory / "template.yaml").write_text(text)
    (dirs["alone"] / "manifest.yaml").write_text(SMALL_MANIFEST.read_text())
    # A pre-commit hook passes one changed file; by default its siblings are
    # read as context for cross-file links, so a crowded directory costs more.
    for index in range(50):
        (dirs["siblings"] / f"endpoint-{index}.yaml").write_text(text.replace("fraud-scorer", f"scorer-{index}"))
    # In a Git repository the default context is the whole repository: 200
    # templates in 10 directories, the changed one at the top.
    (dirs["repository"] / ".git").mkdir()
    for index in range(200):
        folder = dirs["repository"] / f"stack-{index % 10}"
        folder.mkdir(exist_ok=True)
        (folder / f"endpoint-{index}.yaml").write_text(text.replace("fraud-scorer", f"scorer-{index}"))
    (dirs["configured"] / "mldeploy-lint.toml").write_text('fail-on = "warning"\nexclude = ["build/"]\n')
    return dirs


def startup(runs: int) -> dict:
    """Wall time of whole processes linting one small template, and what they import."""
    work = Path(tempfile.mkdtemp(prefix="mldeploy-bench-"))
    try:
        dirs = _startup_dirs(work)
        python = [sys.executable]
        plan: list[tuple[str, list[str], Path, bool | str]] = [
            ("python -c pass (interpreter floor)", python + ["-c", "pass"], dirs["alone"], False),
            ("python -m linter template.yaml", python + ["-m", "linter", "template.yaml"], dirs["alone"], True),
            (
                "python -m linter manifest.yaml (Kubernetes)",
                python + ["-m", "linter", "manifest.yaml"],
                dirs["alone"],
                EXPECTED_MANIFEST_FINDING,
            ),
        ]
        for label, path in _console_scripts("mldeploy-lint"):
            plan.append((f"{label} template.yaml", [path, "template.yaml"], dirs["alone"], True))
        plan += [
            ("  ... among 50 sibling templates", python + ["-m", "linter", "template.yaml"], dirs["siblings"], True),
            (
                "  ... among 50 siblings, --context none",
                python + ["-m", "linter", "--context", "none", "template.yaml"],
                dirs["siblings"],
                True,
            ),
            ("  ... in a Git repository of 200 templates", python + ["-m", "linter", "template.yaml"], dirs["repository"], True),
            ("  ... beside mldeploy-lint.toml", python + ["-m", "linter", "template.yaml"], dirs["configured"], True),
        ]
        for label, path in _console_scripts("cfn-lint"):
            plan.append((f"{label} template.yaml", [path, "template.yaml"], dirs["alone"], False))
        cached = _cached_bytecode_env(work)
        commands = {label: _time_command(command, runs, cwd, expect, cached) for label, command, cwd, expect in plan}
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            label = "python -m linter template.yaml, no .pyc (PYTHONDONTWRITEBYTECODE as set here)"
            commands[label] = _time_command(plan[1][1], runs, dirs["alone"], True, dict(os.environ))
        return {
            "bytecode": "cached (PYTHONPYCACHEPREFIX in a scratch directory, one warm-up run)",
            "commands": commands,
            "ratios": _startup_ratios(commands),
            "imports": import_profile(["template.yaml"], dirs["alone"], cached),
            # The timed runs beside the file have had its settings found valid and remembered
            # (linter/config.py): a run imports jsonschema only when they are new or changed.
            "imports_with_config": import_profile(["template.yaml"], dirs["configured"], cached),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _startup_ratios(commands: dict) -> dict:
    """One small CloudFormation and one small Kubernetes file against the interpreter floor and cfn-lint.

    cfn-lint lints the small template; it is the yardstick for both (it
    reads no Kubernetes manifest). The goal is at most 0.2 of cfn-lint.
    """
    floor = commands["python -c pass (interpreter floor)"]
    # The fastest cfn-lint row: the script itself, not a pyenv shim in front of it.
    cfn_lint = min((stats for label, stats in commands.items() if label.startswith("cfn-lint")), key=lambda stats: stats["median"], default=None)
    ratios = {}
    for label in ("python -m linter template.yaml", "python -m linter manifest.yaml (Kubernetes)"):
        stats = commands[label]
        row = {
            "over_floor_wall": stats["median"] / floor["median"],
            "over_floor_cpu": stats["cpu"]["median"] / floor["cpu"]["median"],
        }
        if cfn_lint is not None:
            row["over_cfn_lint_wall"] = stats["median"] / cfn_lint["median"]
            row["over_cfn_lint_cpu"] = stats["cpu"]["median"] / cfn_lint["cpu"]["median"]
        ratios[label] = row
    return ratios


def startup_interleaved(runs: int) -> dict:
    """The start-up goal's own measurement: CPU time of whole processes on the small template, in interleaved rounds.

    Each round runs every command once, in turn (the interpreter floor, the
    linter as `python -m linter` and as its console script, cfn-lint), after
    one untimed round, so that a change in the machine's load reaches every
    command alike; the ratio is of the medians of CPU time. `startup` times
    each command's runs back to back, which a busy machine skews.
    """
    work = Path(tempfile.mkdtemp(prefix="mldeploy-bench-"))
    try:
        (work / "template.yaml").write_text(SMALL_TEMPLATE.read_text())
        # Most repositories that use the linter have a configuration file: it is read and validated on every run.
        configured = work / "configured"
        configured.mkdir()
        (configured / "template.yaml").write_text(SMALL_TEMPLATE.read_text())
        (configured / "mldeploy-lint.toml").write_text('fail-on = "warning"\nexclude = ["build/"]\n')
        env = _cached_bytecode_env(work)
        plan: dict[str, tuple[list[str], bool, Path]] = {
            "python -c pass (interpreter floor)": ([sys.executable, "-c", "pass"], False, work),
            "python -m linter template.yaml": ([sys.executable, "-m", "linter", "template.yaml"], True, work),
            "python -m linter template.yaml beside mldeploy-lint.toml": ([sys.executable, "-m", "linter", "template.yaml"], True, configured),
        }
        for label, path in _console_scripts("mldeploy-lint") + _console_scripts("cfn-lint"):
            if not _is_shim(path):  # a pyenv shim's own cost is `startup`'s business
                plan[f"{label} template.yaml"] = ([path, "template.yaml"], label.startswith("mldeploy-lint"), work)
        wall: dict[str, list[float]] = {label: [] for label in plan}
        cpu: dict[str, list[float]] = {label: [] for label in plan}
        for attempt in range(runs + 1):
            for label, (command, expect_finding, cwd) in plan.items():
                start, start_cpu = time.perf_counter(), _children_cpu()
                completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
                elapsed, elapsed_cpu = time.perf_counter() - start, _children_cpu() - start_cpu
                if "Traceback" in completed.stderr or (expect_finding and EXPECTED_FINDING not in completed.stdout):
                    raise BenchError(
                        f"{' '.join(command)} exited {completed.returncode} without linting:\n"
                        f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
                    )
                if attempt:
                    wall[label].append(elapsed)
                    cpu[label].append(elapsed_cpu)
        commands = {label: {**_stats(wall[label]), "cpu": _stats(cpu[label])} for label in plan}
        cfn_lint = [stats["cpu"]["median"] for label, stats in commands.items() if label.startswith("cfn-lint")]
        ratios = {
            label: stats["cpu"]["median"] / min(cfn_lint)
            for label, stats in commands.items()
            if cfn_lint and not label.startswith(("cfn-lint", "python -c"))
        }
        return {"rounds": runs, "commands": commands, "cpu_over_cfn_lint": ratios}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_startup_interleaved(section: dict) -> list[str]:
    lines = [f"Start-up on the small template, {section['rounds']} interleaved rounds (CPU time: user + system):"]
    width = max(len(label) for label in section["commands"])
    for label, stats in section["commands"].items():
        lines.append(f"  {label:{width}}  cpu {_ms(stats['cpu'])}")
    for label, ratio in section["cpu_over_cfn_lint"].items():
        lines.append(f"  {label}: {ratio:.2f} of cfn-lint (medians of CPU time; goal: at most 0.2)")
    if not section["cpu_over_cfn_lint"]:
        lines.append("  (cfn-lint is not installed: no ratio)")
    return lines


# Runs `python -m linter ARGS` with an import hook that prints, for the first
# import of each heavy package, the stack of the code that asked for it:
# `-X importtime` cannot say who imported a module from inside a function.
WHO_IMPORTS = r"""
import runpy, sys, sysconfig, traceback
wanted = set(sys.argv[1].split(","))
stdlib = sysconfig.get_paths()["stdlib"]

class Watch:
    def find_spec(self, name, path=None, target=None):
        package = name.split(".")[0]
        if package in wanted:
            wanted.discard(package)
            frames = [
                frame for frame in traceback.extract_stack()[:-1]
                if not frame.filename.startswith(("<", stdlib))
            ]
            calls = [f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}" for frame in frames]
            print("WHO-IMPORTS " + package + "\t" + "\t".join(calls), file=sys.stderr)
        return None

sys.meta_path.insert(0, Watch())
sys.argv = ["mldeploy-lint", *sys.argv[2:]]
runpy.run_module("linter", run_name="__main__", alter_sys=True)
"""


def who_imports(packages: list[str], args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """For each package, the call stack (outermost first, standard library left out) that first imported it."""
    command = [sys.executable, "-c", WHO_IMPORTS, ",".join(packages), *args]
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    stacks = {}
    for line in completed.stderr.splitlines():
        if line.startswith("WHO-IMPORTS "):
            package, *calls = line[len("WHO-IMPORTS "):].split("\t")
            stacks[package] = [call.replace(str(REPO) + os.sep, "") for call in calls]
    return stacks


def _parse_importtime(stderr: str) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, depth, module) per `-X importtime` line, in printed (post-)order."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        if not self_us.strip().isdigit():
            continue  # the header line
        stripped = name.lstrip()
        depth = (len(name) - len(stripped) - 1) // 2  # one space after '|', then two per level
        rows.append((int(self_us), int(cumulative_us), depth, stripped.rstrip()))
    return rows


def _import_chain(rows: list[tuple[int, int, int, str]], index: int) -> list[str]:
    """The module at `index` and, outwards, the modules whose import caused it.

    `-X importtime` prints a module after everything it imported, so a
    module's importer is the next line at a smaller depth.
    """
    chain = [rows[index][3]]
    depth = rows[index][2]
    for _, _, other_depth, name in rows[index + 1:]:
        if other_depth < depth:
            chain.append(name)
            depth = other_depth
    return chain


def import_profile(args: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Which modules `python -m linter ARGS` imports.

    Heavy packages with the chain of module imports and the call stack that
    brought each in; the costliest top-level imports (cumulative).
    """
    command = [sys.executable, "-X", "importtime", "-m", "linter", *args]
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    rows = _parse_importtime(completed.stderr)
    names = [name for _, _, _, name in rows]
    if "linter.cli" not in names or EXPECTED_FINDING not in completed.stdout:
        raise BenchError(f"{' '.join(command)} did not lint:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    heavy = {}
    for package in HEAVY:
        lines = [index for index, name in enumerate(names) if name.split(".")[0] == package]
        if lines:
            # Start from the package's own line when there is one: its chain is the one that matters.
            index = next((index for index in lines if names[index] == package), lines[0])
            heavy[package] = " <- ".join(_import_chain(rows, index))
    top_level = sorted((row for row in rows if row[2] == 0), key=lambda row: -row[1])[:10]
    return {
        "modules": len(rows),
        "heavy": heavy,
        "heavy_imported_from": who_imports(sorted(heavy), args, cwd, env) if heavy else {},
        "total_ms": sum(row[1] for row in rows if row[2] == 0) / 1000,
        "top_level_ms": {name: cumulative / 1000 for _, cumulative, _, name in top_level},
    }


# --- loading and per-file cost -------------------------------------------------------


@contextlib.contextmanager
def composer_calls() -> Iterator[Counter]:
    """Count which composer `linter.source` uses: libyaml (C), the pure-Python retry, the JSON fallback.

    Wraps private functions of `linter.source` for the duration; if they are
    renamed, the counter simply stays empty ("not measured").
    """
    from linter import source

    counts: Counter = Counter()
    originals = {name: getattr(source, name, None) for name in ("_c_events", "_pure_events", "_load_json")}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    for name, function in originals.items():
        if function is not None:
            setattr(source, name, counting(name, function))
    try:
        yield counts
    finally:
        for name, function in originals.items():
            if function is not None:
                setattr(source, name, function)


def _time_load(label: str, path: str, text: str, runs: int) -> dict:
    from linter.source import load_text

    samples = []
    for _ in range(runs):
        # Freeing the previous result, or a collection owed by an earlier
        # big file, must not be billed to this one.
        gc.collect()
        start = time.perf_counter()
        source = load_text(path, text)
        samples.append(time.perf_counter() - start)
        del source
    with composer_calls() as counts:
        source = load_text(path, text)
    size = len(text.encode("utf-8"))
    stats = _stats(samples)
    return {
        "file": label,
        "lines": text.count("\n"),
        "megabytes": size / 1e6,
        "seconds": stats,
        "megabytes_per_second": size / 1e6 / stats["median"],
        "composer": _composer_name(counts),
        "problems": len(source.problems),
    }


def _composer_name(counts: Counter) -> str:
    if not counts:
        return "not measured"
    if counts["_load_json"]:
        return "JSON fallback"
    if counts["_pure_events"]:
        return "pure Python" + (" (retry after libyaml)" if counts["_c_events"] else "")
    if counts["_c_events"] > 1:
        return "C (libyaml, again with YAML 1.2 colons masked)"
    return "C (libyaml)"


def loading(tree: Path, runs: int, biggest: int = 3, slowest: int = 5) -> dict:
    """Pure loading rate (`load_text`: parse into located nodes).

    Timed `runs` times: the biggest JSON and the biggest YAML files of
    `tree`, and a generated multi-megabyte template (the steady-state rate).
    Timed once each: every file of `tree`, to name the slowest ones and the
    composer they took.
    """
    from linter.discovery import discover

    files = [Path(path) for path in discover([str(tree)])]
    chosen: list[Path] = []
    for suffixes in ((".json",), (".yaml", ".yml", ".template")):
        same_kind = [path for path in files if path.suffix.lower() in suffixes]
        chosen += sorted(same_kind, key=lambda path: path.stat().st_size, reverse=True)[:biggest]
    timed = [_time_load(_relative(path, tree), str(path), _read(path), runs) for path in chosen]
    big = big_template(60_000)
    timed.append(_time_load(f"generated, {big.count(chr(10)):,} lines", "generated.yaml", big, runs))
    every = [_time_load(_relative(path, tree), str(path), _read(path), 1) for path in files]
    by_composer = Counter(item["composer"] for item in every)
    return {
        "biggest": timed,
        "slowest": sorted(every, key=lambda item: -item["seconds"]["median"])[:slowest],
        "files_by_composer": dict(by_composer),
    }


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _relative(path: Path, tree: Path) -> str:
    try:
        return str(path.relative_to(tree))
    except ValueError:
        return str(path)


def big_template(lines: int) -> str:
    """A CloudFormation template of about `lines` lines: one model, many endpoint configurations and endpoints."""
    header = (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Description: Many SageMaker endpoints sharing one model, as a large product stack has.\n"
        "Resources:\n"
        "  SharedModel:\n"
        "    Type: AWS::SageMaker::Model\n"
        "    Properties:\n"
        "      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution\n"
        "      PrimaryContainer:\n"
        "        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1\n"
        "        ModelDataUrl: s3://example-models/scorer/model.tar.gz\n"
    )
    block = (
        "  Config{n}:\n"
        "    Type: AWS::SageMaker::EndpointConfig\n"
        "    Metadata:\n"
        "      mldeploy-lint:\n"
        "        workload:\n"
        "          payload-mb: {payload}\n"
        "          latency-ms: 200\n"
        "    Properties:\n"
        "      ProductionVariants:\n"
        "        - VariantName: AllTraffic\n"
        "          ModelName: !GetAtt SharedModel.ModelName\n"
        "          InstanceType: ml.{family}.xlarge\n"
        "          InitialInstanceCount: {count}\n"
        "      Tags:\n"
        "        - Key: Environment\n"
        "          Value: {environment}\n"
        "  Endpoint{n}:\n"
        "    Type: AWS::SageMaker::Endpoint\n"
        "    Properties:\n"
        "      EndpointName: scorer-{n}\n"
        "      EndpointConfigName: !GetAtt Config{n}.EndpointConfigName\n"
    )
    per_block = block.count("\n")
    blocks = max(1, (lines - header.count("\n")) // per_block)
    families = ("m5", "c5", "g5", "r5")
    return header + "".join(
        block.format(
            n=n,
            payload=(2, 4, 12)[n % 3],
            family=families[n % len(families)],
            count=1 + n % 2,
            environment=("production", "staging", "dev")[n % 3],
        )
        for n in range(blocks)
    )


def per_file(runs: int, lines: int = 2000) -> dict:
    """The cost of one 2,000-line template: loading alone, and a whole in-process lint with a warm host.

    This is what an editor pays on each change (the language server keeps
    its plugin host between edits).
    """
    from linter.api import lint_text
    from linter.plugin_manager import build_plugin_host
    from linter.source import load_text

    text = big_template(lines)
    host = build_plugin_host()
    lint_text(SMALL_TEMPLATE.read_text(), "warm.yaml", host=host)  # plugins imported, tables read
    load_samples, lint_samples = [], []
    findings = 0
    deployments = 0
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        source = load_text("big.yaml", text)
        load_samples.append(time.perf_counter() - start)
        del source
        gc.collect()
        start = time.perf_counter()
        result = lint_text(text, "big.yaml", host=host)
        lint_samples.append(time.perf_counter() - start)
        findings = len(result.findings)
        deployments = len(result.deployments)
        del result
    if not findings or not deployments:
        raise BenchError(f"the generated {lines}-line template gave {findings} findings, {deployments} deployments")
    return {
        "lines": text.count("\n"),
        "megabytes": len(text) / 1e6,
        "endpoint_configs": text.count("AWS::SageMaker::EndpointConfig"),
        "deployments": deployments,
        "findings": findings,
        "load_seconds": _stats(load_samples),
        "lint_seconds": _stats(lint_samples),
    }


def editor_relint(runs: int, lines: int = 2000, context_files: int = 200) -> dict:
    """What the language server pays to re-lint a 2,000-line template after an edit, in a repository of context files.

    The workspace is a git repository holding `context_files` generated
    templates beside the big one; the server's `WorkspaceLinter` is warm (one
    lint done), as it is after the document was opened. Each run edits one
    value and lints again: the context is listed and stat-ed, not read or
    parsed again. The same lint with a cold linter (nothing kept) is shown
    beside it.
    """
    from linter.lsp.linting import WorkspaceLinter

    text = big_template(lines)
    with tempfile.TemporaryDirectory(prefix="mldeploy-editor-") as scratch:
        root = Path(scratch)
        (root / ".git").mkdir()
        generated_tree(root / "services", files=context_files)
        path = root / "big.yaml"
        path.write_text(text)
        linter = WorkspaceLinter()
        linter.set_folders([str(root)])
        first = linter.lint(str(path), text)
        if not first.findings:
            raise BenchError("the editor's lint of the generated template found nothing")
        warm, cold = [], []
        for run in range(runs):
            edited = text.replace("latency-ms: 200", f"latency-ms: {201 + run}", 1)
            gc.collect()
            start = time.perf_counter()
            linter.lint(str(path), edited)
            warm.append(time.perf_counter() - start)
            fresh = WorkspaceLinter()
            fresh.set_folders([str(root)])
            fresh.host(())  # plugins imported: the cold run pays for the files, not for start-up
            gc.collect()
            start = time.perf_counter()
            fresh.lint(str(path), edited)
            cold.append(time.perf_counter() - start)
        return {
            "lines": text.count("\n"),
            "context_files": context_files,
            "findings": len(first.findings),
            "warm_seconds": _stats(warm),
            "cold_seconds": _stats(cold),
        }


def tree_scaling(runs: int, sizes: tuple[int, int] = (1000, 5000)) -> dict:
    """Whether a run stays linear in the number of files: generated trees of 1,000 and 5,000 templates.

    Each size is linted in-process with a warm host, CPU time of the process;
    the same run with the garbage collector off shows what collection still
    costs (the engine keeps loaded files out of its scans).
    """
    from linter.api import lint_paths
    from linter.plugin_manager import build_plugin_host

    host = build_plugin_host()
    rows = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="mldeploy-scale-") as scratch:
            root = generated_tree(Path(scratch), files=size)
            lint_paths([str(root)], host=host)  # warm: the file cache of the OS, the host
            timed, without_gc = [], []
            findings = 0
            for _ in range(min(runs, 3)):
                gc.collect()
                start = time.process_time()
                findings = len(lint_paths([str(root)], host=host).findings)
                timed.append(time.process_time() - start)
                gc.collect()
                gc.disable()
                try:
                    start = time.process_time()
                    lint_paths([str(root)], host=host)
                    without_gc.append(time.process_time() - start)
                finally:
                    gc.enable()
            rows[str(size)] = {"findings": findings, "cpu_seconds": _stats(timed), "cpu_seconds_without_gc": _stats(without_gc)}
    small, large = (rows[str(size)]["cpu_seconds"]["median"] for size in sizes)
    return {"sizes": list(sizes), "rows": rows, "ratio": large / small}


# The changed file of the repository rows: a Deployment whose HorizontalPodAutoscaler sits in another
# directory, so the findings depend on the context being read.
REPOSITORY_HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  namespace: ml-prod
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""
REPOSITORY_CONFIG = """# Not a deployment: a CI workflow, as most YAML of a repository is.
name: build-{index}
on: {{push: {{branches: [main]}}}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test SERVICE=service-{index}
"""


def generated_repository(root: Path, files: int) -> Path:
    """A Git repository of `files` lintable files: the changed manifest, its HPA elsewhere, and a mix.

    The rest is, in turn, a CloudFormation template, a Kubernetes Deployment,
    the HPA of that Deployment, and a YAML file that is no deployment (a CI
    workflow), spread over 50 directories. Returns the changed file.
    """
    (root / ".git").mkdir(parents=True)
    template, manifest = SMALL_TEMPLATE.read_text(), SMALL_MANIFEST.read_text()
    changed = root / "apps" / "llm-server" / "deployment.yaml"
    changed.parent.mkdir(parents=True)
    changed.write_text(manifest)
    (root / "platform" / "autoscaling").mkdir(parents=True)
    (root / "platform" / "autoscaling" / "llm-server-hpa.yaml").write_text(REPOSITORY_HPA.format(name="llm-server"))
    for index in range(files - 2):
        directory = root / f"service-{index % 50}"
        directory.mkdir(exist_ok=True)
        kind = index % 4
        if kind == 0:
            text = template.replace("fraud-scorer", f"scorer-{index}").replace("ScorerConfig", f"Scorer{index}Config")
            (directory / f"stack-{index}.yaml").write_text(text)
        elif kind == 1:
            (directory / f"deployment-{index}.yaml").write_text(manifest.replace("llm-server", f"server-{index}"))
        elif kind == 2:
            (directory / f"hpa-{index}.yaml").write_text(REPOSITORY_HPA.format(name=f"server-{index - 1}"))
        else:
            (directory / f"ci-{index}.yml").write_text(REPOSITORY_CONFIG.format(index=index))
    # A run does not remember the words of a file changed within RACY_NS before it started (an edit in the
    # same clock tick could keep its status): wait that long, as a real repository's files are mostly older.
    from linter.word_index import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.1)
    return changed


def repository_context(runs: int, sizes: tuple[int, ...] = (200, 2000, 5000)) -> dict:
    """One changed file in a Git repository of N lintable files, as a pre-commit hook runs it: whole processes.

    Per size: the file alone (`--context none`), with the default context
    (the repository) without the disk cache, and with it warm. CPU time of
    the process (user + system), bytecode cached. Every run must report the
    manifest's HA008; the repository runs must agree on their output.
    "context_counted" says whether it differs from the file alone's (the HPA
    elsewhere in the repository counts: HA003 and AS001 go).
    """
    rows = {}
    with tempfile.TemporaryDirectory(prefix="mldeploy-repository-") as scratch:
        work = Path(scratch)
        env = _cached_bytecode_env(work)
        for size in sizes:
            changed = generated_repository(work / f"repository-{size}", size)
            cwd = changed.parents[2]
            plan = _repository_plan(str(changed.relative_to(cwd)))
            outputs = {
                label: subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True).stdout
                for label, command in plan.items()
            }
            if outputs["repository, no cache"] != outputs["repository, cache warm"]:
                raise BenchError(f"the repository of {size} files: the disk cache changed the output")
            rows[str(size)] = {
                label: _time_command(command, runs, cwd, "HA008", env)["cpu"] for label, command in plan.items()
            }
            # False where the HPA elsewhere in the repository was not read (context cut at a cap).
            rows[str(size)]["context_counted"] = outputs["alone"] != outputs["repository, no cache"]
            rows[str(size)]["output"] = outputs["repository, no cache"]
        # The autoscaler changed instead, in the largest repository: it wants the files that may hold its target.
        largest = work / f"repository-{sizes[-1]}"
        autoscaler_plan = _repository_plan("platform/autoscaling/llm-server-hpa.yaml")
        autoscaler = {label: _time_command(command, runs, largest, False, env)["cpu"] for label, command in autoscaler_plan.items()}
        # A SageMaker stack changed instead: a quarter of the repository are stacks like it.
        template_plan = _repository_plan("service-0/stack-0.yaml")
        template = {label: _time_command(command, runs, largest, False, env)["cpu"] for label, command in template_plan.items()}
        corpus = _corpus_repository_row(work, runs, env)
    return {
        "sizes": list(sizes),
        "rows": rows,
        "autoscaler": {"files": sizes[-1], **autoscaler},
        "template": {"files": sizes[-1], **template},
        "corpus": corpus,
    }


def _repository_plan(target: str) -> dict[str, list[str]]:
    """The runs a repository row times: `target` alone, and with its repository as context without and with the disk cache."""
    python = [sys.executable, "-m", "linter"]
    return {
        "alone": python + ["--context", "none", target],
        "repository, no cache": python + ["--no-cache", target],
        "repository, cache warm": python + [target],
    }


# A plain serving manifest of the shared corpus (a Deployment and its Service): in a copy of the corpus
# made a repository, its context is a real mix of CloudFormation, SAM, Kubernetes (ACK, KServe, Karpenter,
# Ray) and Terraform files.
CORPUS_MANIFEST = "aws-samples__sagemaker-genai-hosting-examples/SageMakerHyperpod/Openai/deploy-openai.yaml"


def _corpus_repository_row(work: Path, runs: int, env: dict[str, str]) -> dict | None:
    """`repository_context`'s row for CORPUS_MANIFEST in a copy of ../shared/corpus made a Git repository; None without it."""
    if not (CORPUS / CORPUS_MANIFEST).is_file():
        return None
    root = work / "corpus-repository"
    shutil.copytree(CORPUS, root, symlinks=True)
    (root / ".git").mkdir()
    from linter.word_index import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.1)  # as for the generated repositories: the copies are new files
    plan = _repository_plan(CORPUS_MANIFEST)
    outputs = [subprocess.run(command, cwd=root, env=env, capture_output=True, text=True).stdout for command in plan.values()]
    if outputs[1] != outputs[2]:
        raise BenchError("the corpus as a repository: the disk cache changed the output")
    from linter.discovery import DiscoveryOptions, discover

    files = sum(1 for _ in discover([str(root)], DiscoveryOptions(), []))
    row = {label: _time_command(command, runs, root, "AS001", env)["cpu"] for label, command in plan.items()}
    return {"files": files, **row}


def render_repository_context(section: dict) -> list[str]:
    lines = ["", "One changed file in a Git repository of N lintable files (whole process, CPU seconds, median):"]
    lines.append(f"  {'files':>6}  {'alone':>8}  {'repository, no cache':>22}  {'repository, cache warm':>24}")
    for size in section["sizes"]:
        row = section["rows"][str(size)]
        alone = row["alone"]["median"]
        cells = [f"{row[label]['median']:.3f} s (x{row[label]['median'] / alone:.1f})" for label in ("repository, no cache", "repository, cache warm")]
        counted = "" if row["context_counted"] else "  (context not read: the HPA elsewhere did not count)"
        lines.append(f"  {size:>6}  {alone:>6.3f} s  {cells[0]:>22}  {cells[1]:>24}{counted}")
    for key, what in (
        ("autoscaler", "its HPA changed instead"),
        ("template", "a CloudFormation stack changed instead"),
        ("corpus", "the shared corpus, a plain serving manifest"),
    ):
        row = section.get(key)
        if row:
            alone = row["alone"]["median"]
            cells = [f"{row[label]['median']:.3f} s (x{row[label]['median'] / alone:.1f})" for label in ("repository, no cache", "repository, cache warm")]
            lines.append(f"  {row['files']:>6}  {alone:>6.3f} s  {cells[0]:>22}  {cells[1]:>24}  ({what})")
    return lines


# --- big single inputs ------------------------------------------------------------------


def hosting_template(resources: int) -> str:
    """A CloudFormation template of `resources` resources: Model, EndpointConfig, Endpoint, ScalableTarget and ScalingPolicy per endpoint.

    Each record names the next by its name, as hand-written templates do
    (`ModelName: model-7`, `ResourceId: endpoint/scorer-7/variant/AllTraffic`):
    the links a large stack makes inside one template.
    """
    block = (
        "  Model{n}:\n"
        "    Type: AWS::SageMaker::Model\n"
        "    Properties:\n"
        "      ModelName: model-{n}\n"
        "      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution\n"
        "      PrimaryContainer:\n"
        "        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1\n"
        "  Config{n}:\n"
        "    Type: AWS::SageMaker::EndpointConfig\n"
        "    Properties:\n"
        "      EndpointConfigName: config-{n}\n"
        "      ProductionVariants:\n"
        "        - VariantName: AllTraffic\n"
        "          ModelName: model-{n}\n"
        "          InstanceType: ml.m5.xlarge\n"
        "          InitialInstanceCount: 2\n"
        "  Endpoint{n}:\n"
        "    Type: AWS::SageMaker::Endpoint\n"
        "    Properties:\n"
        "      EndpointName: scorer-{n}\n"
        "      EndpointConfigName: config-{n}\n"
        "  Target{n}:\n"
        "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
        "    Properties:\n"
        "      ServiceNamespace: sagemaker\n"
        "      ScalableDimension: sagemaker:variant:DesiredInstanceCount\n"
        "      ResourceId: endpoint/scorer-{n}/variant/AllTraffic\n"
        "      MinCapacity: 2\n"
        "      MaxCapacity: 4\n"
        "  Policy{n}:\n"
        "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
        "    Properties:\n"
        "      PolicyName: scale-{n}\n"
        "      PolicyType: TargetTrackingScaling\n"
        "      ServiceNamespace: sagemaker\n"
        "      ScalableDimension: sagemaker:variant:DesiredInstanceCount\n"
        "      ResourceId: endpoint/scorer-{n}/variant/AllTraffic\n"
        "      TargetTrackingScalingPolicyConfiguration:\n"
        "        TargetValue: 70\n"
        "        PredefinedMetricSpecification:\n"
        "          PredefinedMetricType: SageMakerVariantInvocationsPerInstance\n"
    )
    header = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
    return header + "".join(block.format(n=n) for n in range(resources // 5))


def kubernetes_stream(documents: int) -> str:
    """A multi-document stream of `documents` objects, as `helm template` or `kustomize build` prints.

    Per application: a Deployment with its HorizontalPodAutoscaler,
    PodDisruptionBudget and Service, and an ACK Model, EndpointConfig,
    Endpoint and ScalableTarget; in four namespaces of each kind, so every
    budget and every AWS name has thousands of neighbours to be told from.
    """
    block = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{n}, namespace: serving-{space}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app-{n}}}}}
  template:
    metadata: {{labels: {{app: app-{n}, tier: model}}}}
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.0
          resources: {{limits: {{nvidia.com/gpu: 1}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app-{n}, namespace: serving-{space}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{n}}}
  minReplicas: 2
  maxReplicas: 4
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: pdb-{n}, namespace: serving-{space}}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{app: app-{n}}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{n}, namespace: serving-{space}}}
spec:
  selector: {{app: app-{n}}}
  ports: [{{port: 80}}]
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Model
metadata: {{name: model-{n}, namespace: ml-{space}}}
spec:
  modelName: model-{n}
  executionRoleARN: arn:aws:iam::123456789012:role/sagemaker
  primaryContainer:
    image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata: {{name: config-{n}, namespace: ml-{space}}}
spec:
  endpointConfigName: config-{n}
  productionVariants:
    - {{variantName: AllTraffic, modelName: model-{n}, instanceType: ml.c5.xlarge, initialInstanceCount: 2}}
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Endpoint
metadata: {{name: endpoint-{n}, namespace: ml-{space}}}
spec: {{endpointName: endpoint-{n}, endpointConfigName: config-{n}}}
---
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalableTarget
metadata: {{name: target-{n}, namespace: ml-{space}}}
spec:
  serviceNamespace: sagemaker
  resourceID: endpoint/endpoint-{n}/variant/AllTraffic
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  minCapacity: 2
  maxCapacity: 4
---
"""
    return "".join(block.format(n=n, space=n % 4) for n in range(documents // 8))


def _cpu_median(action, runs: int) -> tuple[dict, object]:
    """CPU time of `action()`, `runs` times after a collection each; the last result."""
    samples = []
    result = None
    for _ in range(runs):
        result = None  # the previous result is freed outside the timing
        gc.collect()
        start = time.process_time()
        result = action()
        samples.append(time.process_time() - start)
    return _stats(samples), result


def c_composed(text: str) -> int:
    """How many documents ruamel.yaml's C composer (libyaml) composes from `text`: the floor of `big_inputs`."""
    from _ruamel_yaml import CParser
    from ruamel.yaml.resolver import BaseResolver

    class Composer(CParser, BaseResolver):  # as PARSE_FLOOR's
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self, loadumper=self)

    parser = Composer(text)
    documents = 0
    try:
        while parser.check_node():
            parser.get_node()
            documents += 1
    finally:
        parser.dispose()
    return documents


def big_inputs(runs: int) -> dict:
    """One huge file each: a 5,000-resource template and a 20,000-document Kubernetes stream.

    In-process, warm host, CPU time (the machine is shared; CPU time is
    steadier than wall time). For each: the C composer alone on the same
    text (the floor no loader can beat), `load_text` (parse into located
    nodes), and `lint_text` (load, adapters with their links, rules) with
    no per-file time limit. Linking that scans every record per reference
    shows as a run/parse ratio growing with the size; linking through
    indexes keeps it flat (the goal: at most 2).
    """
    from linter import source
    from linter.api import lint_text
    from linter.engine import LintOptions
    from linter.plugin_manager import build_plugin_host

    host = build_plugin_host()
    lint_text(SMALL_TEMPLATE.read_text(), "warm.yaml", host=host)
    options = LintOptions(file_timeout=None)
    rows = {}
    for label, path, text, expected in (
        ("CloudFormation template, 5,000 resources", "stack.yaml", hosting_template(5000), 1000),
        ("Kubernetes stream, 20,000 documents", "stream.yaml", kubernetes_stream(20_000), 5000),
    ):
        times = min(runs, 3)
        composer, _ = _cpu_median(lambda: c_composed(text), times)
        load, _ = _cpu_median(lambda: source.load_text(path, text), times)
        lint, result = _cpu_median(lambda: lint_text(text, path, options, host=host), times)
        deployments = len(result.deployments)
        linked = sum(1 for target in result.scaling_targets if target.status == "linked")
        if deployments != expected or linked != expected:
            raise BenchError(f"{label}: {deployments} deployments, {linked} linked targets (expected {expected} each)")
        rows[label] = {
            "lines": text.count("\n"),
            "megabytes": len(text) / 1e6,
            "deployments": deployments,
            "composer_cpu_seconds": composer,
            "load_cpu_seconds": load,
            "lint_cpu_seconds": lint,
            "lint_over_load": lint["median"] / load["median"],
            "lint_over_composer": lint["median"] / composer["median"],
        }
    return rows


# --- throughput -------------------------------------------------------------------------


def generated_tree(root: Path, files: int = 500) -> Path:
    """A tree of realistic templates with varied names, for when no corpus is at hand."""
    text = SMALL_TEMPLATE.read_text()
    for index in range(files):
        directory = root / f"service-{index % 25}" / ("prod" if index % 2 else "dev")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"endpoint-{index}.yaml").write_text(
            text.replace("fraud-scorer", f"scorer-{index}").replace("ScorerConfig", f"Scorer{index}Config")
        )
    return root


def throughput(tree: Path, runs: int) -> dict:
    """Files and MB per second linting a whole tree in-process (discovery, loading, adapters, rules)."""
    from linter.api import lint_paths
    from linter.plugin_manager import build_plugin_host

    files = linted_files([str(tree)])
    size = sum(os.path.getsize(path) for path in files)
    host = build_plugin_host()
    lint_paths([str(SMALL_TEMPLATE)], host=host)  # warm: plugins imported, tables read
    samples = []
    result = None
    for _ in range(runs):
        result = None  # the previous run's result is freed outside the timing
        gc.collect()
        start = time.perf_counter()
        result = lint_paths([str(tree)], host=host)
        samples.append(time.perf_counter() - start)
    assert result is not None
    by_rule = Counter(finding.rule_id for finding in result.findings)
    stats = _stats(samples)
    return {
        "tree": str(tree),
        "files": len(files),
        "megabytes": size / 1e6,
        "deployments": len(result.deployments),
        "findings": len(result.findings),
        "findings_by_rule": dict(sorted(by_rule.items())),
        "seconds": stats,
        "files_per_second": len(files) / stats["median"],
        "megabytes_per_second": size / 1e6 / stats["median"],
    }


def jobs_and_cache(tree: Path, runs: int, label: str) -> dict:
    """Wall time of `lint_paths` on `tree`, in-process with a warm host: one process or several, with the disk cache or not.

    `--jobs` loads files in forked workers (linter/parallel.py); the disk
    cache (linter/disk_cache.py) keeps parse results between runs: "cold"
    starts each run with an empty cache directory (every entry written),
    "warm" finds every file cached. The machine's load average is shown
    beside: other work on a shared machine takes the cores the workers need.
    """
    from linter.api import lint_paths
    from linter.config import Config
    from linter.disk_cache import open_cache, run_salt
    from linter.engine import LintOptions
    from linter.parallel import available_cpus
    from linter.plugin_manager import build_plugin_host

    host = build_plugin_host()
    cpus = available_cpus()
    lint_paths([str(tree)], host=host)  # warm: plugins imported, the OS's file cache
    rows = {}
    with tempfile.TemporaryDirectory(prefix="mldeploy-cache-") as scratch:
        warm = open_cache(os.path.join(scratch, "warm"), run_salt(host, Config()))
        lint_paths([str(tree)], LintOptions(disk_cache=warm), host=host)
        variants = [
            ("--jobs 1 --no-cache", lambda _: LintOptions(jobs=1)),
            (f"--jobs {max(2, cpus)} --no-cache", lambda _: LintOptions(jobs=max(2, cpus))),
            ("--jobs 1, cache cold (written)", lambda run: LintOptions(
                jobs=1, disk_cache=open_cache(os.path.join(scratch, f"cold-{run}"), run_salt(host, Config())))),
            ("--jobs 1, cache warm", lambda _: LintOptions(jobs=1, disk_cache=warm)),
            (f"--jobs {max(2, cpus)}, cache warm", lambda _: LintOptions(jobs=max(2, cpus), disk_cache=warm)),
        ]
        samples: dict[str, list[float]] = {name: [] for name, _ in variants}
        outputs: dict[str, int] = {}
        for run in range(runs):  # variants interleaved: a burst of other work on the machine hits them all alike
            for name, options in variants:
                chosen = options(run)
                gc.collect()
                start = time.perf_counter()
                result = lint_paths([str(tree)], chosen, host=host)
                samples[name].append(time.perf_counter() - start)
                outputs[name] = hash(tuple((finding.sort_key, finding.message) for finding in result.findings))
        if len(set(outputs.values())) != 1:
            raise BenchError(f"--jobs / the cache changed the findings on {tree}")
        for name, _ in variants:
            rows[name] = _stats(samples[name])
    return {
        "label": label,
        "tree": str(tree),
        "files": len(list(tree.rglob("*.*"))),
        "cpus": cpus,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "rows": rows,
    }


def render_jobs_and_cache(sections: list[dict]) -> list[str]:
    lines = []
    for section in sections:
        load = section["load_average"]
        lines += [
            "",
            f"Jobs and disk cache: lint_paths on {section['label']} ({section['files']} files), warm host, wall time "
            f"({section['cpus']} CPUs; load average {', '.join(f'{value:.1f}' for value in load) if load else 'n/a'}):",
        ]
        for name, stats in section["rows"].items():
            lines.append(f"  {name:48} {_ms(stats)}")
    return lines


# --- report ------------------------------------------------------------------------------


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    import ruamel.yaml

    try:
        clib = version("ruamel.yaml.clib")
    except PackageNotFoundError:
        clib = "not installed"
    try:
        from _ruamel_yaml import CParser  # noqa: F401

        composer = "C (libyaml via ruamel.yaml.clib)"
    except ImportError:
        composer = "pure Python (no ruamel.yaml.clib: ~10x slower loading)"
    try:
        cfn_lint = version("cfn-lint")
    except PackageNotFoundError:
        cfn_lint = "not installed"
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ruamel.yaml": ruamel.yaml.__version__,
        "ruamel.yaml.clib": clib,
        "composer available": composer,
        "cfn-lint": cfn_lint,
        "mldeploy-lint": version("mldeploy-lint"),
    }


# --- one run: medians and peak memory of whole processes ----------------------------------

# The parse floor as a process: the ruamel.yaml C composer alone (libyaml, whose
# parser's events the loader reads) on each file of a list, and tree-sitter's HCL
# parser on each Terraform file, reading the bytes as the linter does. A file
# libyaml rejects counts as read: the floor is what no loader can beat. Given
# "keep" after the list, it keeps every document's node tree to the end: the
# memory any linter holding the run's trees at once (as adapters read the whole
# run) starts from, with the reference composer's own nodes.
PARSE_FLOOR = r"""
import sys
from _ruamel_yaml import CParser
from ruamel.yaml.resolver import BaseResolver

class Composer(CParser, BaseResolver):
    def __init__(self, stream):
        CParser.__init__(self, stream)
        BaseResolver.__init__(self, loadumper=self)

hcl = None
documents = rejected = 0
kept = [] if sys.argv[2:] == ["keep"] else None
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as handle:
        data = handle.read()
    if path.endswith((".tf", ".tfvars")):
        if hcl is None:
            import tree_sitter, tree_sitter_hcl
            hcl = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
        if kept is None:
            hcl.parse(data)
        else:
            kept.append(hcl.parse(data))
        documents += 1
        continue
    parser = Composer(data.decode("utf-8", "replace"))
    try:
        while parser.check_node():
            if kept is None:
                parser.get_node()  # freed here, as the linter frees what it does not keep: the floor counts that
            else:
                kept.append(parser.get_node())
            documents += 1
    except Exception:
        rejected += 1
    finally:
        parser.dispose()
print(f"documents {documents} rejected {rejected}")
"""


# Linux counts in a child's ru_maxrss the size of the process it was forked
# from (the copy exists until exec): a child of the bench, which holds big
# generated texts, would never seem smaller than the bench. So measured
# processes are started by this small process, started once, early: it reads
# one JSON request a line (command, cwd, env, limit, stdout and stderr
# files), answers "started PID", runs the command in a session of its own,
# and answers its wait4 resource usage.
SPAWNER = r"""
import json, os, sys, time
for request in sys.stdin:
    job = json.loads(request)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.chdir(job["cwd"])
            for fd, name in ((1, job["stdout"]), (2, job["stderr"])):
                os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
            os.execvpe(job["command"][0], job["command"], job["env"])
        finally:
            os._exit(127)
    print("started", pid, flush=True)
    start, killed, limit = time.perf_counter(), False, job["limit"]
    while True:
        done, status, usage = os.wait4(pid, 0 if limit is None else os.WNOHANG)
        if done:
            break
        if not killed and time.perf_counter() - start > limit:
            try:
                os.killpg(pid, 9)
            except ProcessLookupError:
                pass
            killed = True
        time.sleep(0.05)
    wall = time.perf_counter() - start
    try:
        os.killpg(pid, 9)  # workers it left behind
    except ProcessLookupError:
        pass
    print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "maxrss": usage.ru_maxrss,
                      "status": os.waitstatus_to_exitcode(status), "killed": killed}), flush=True)
"""
_SPAWNER: list[subprocess.Popen] = []


def start_spawner() -> None:
    """Start the small process that runs measured commands (SPAWNER), while the bench is small too."""
    if not _SPAWNER:
        _SPAWNER.append(
            subprocess.Popen([sys.executable, "-I", "-S", "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        )


def _measured_process(command: list[str], cwd: Path, env: dict[str, str], limit: float | None = None) -> tuple[float, float, float, str, str]:
    """(CPU seconds, wall seconds, peak resident MB, stdout, stderr) of one whole process.

    The process is run by the spawner (SPAWNER), which `os.wait4`s it: its
    `ru_maxrss` (KiB on Linux) is this process's own peak, and its CPU time
    includes the children it waited for. Past `limit` seconds the process
    and its group are killed, and stderr says so.
    """
    start_spawner()
    spawner = _SPAWNER[0]
    with tempfile.TemporaryDirectory(prefix="mldeploy-measured-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        request = {"command": command, "cwd": str(cwd), "env": env, "limit": limit, "stdout": str(out), "stderr": str(err)}
        assert spawner.stdin is not None and spawner.stdout is not None
        spawner.stdin.write(json.dumps(request) + "\n")
        pid = int(spawner.stdout.readline().split()[1])
        try:
            answer = json.loads(spawner.stdout.readline())
        except BaseException:  # Ctrl-C: the command has a session of its own and would not hear it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, 9)
            raise
        stdout = out.read_text("utf-8", "replace") if out.exists() else ""
        stderr = err.read_text("utf-8", "replace") if err.exists() else ""
    if answer["status"] == 127 and not stdout and not stderr:
        raise BenchError(f"could not run {' '.join(command)}")
    if answer["killed"]:
        stderr += f"\nbench: killed after {limit:g} s\n"
    peak = answer["maxrss"] / 1024 if sys.platform != "darwin" else answer["maxrss"] / 1048576
    return answer["cpu"], answer["wall"], peak, stdout, stderr


# Another tool that hangs (checkov did, after one of its runners failed) is stopped past this many seconds.
OTHER_TOOL_LIMIT = 240


def _measure(
    label: str, command: list[str], cwd: Path, env: dict[str, str], runs: int, expect: str = "", input_bytes: int = 0, other_tool: bool = False,
    warm_up: bool = False,
) -> dict:
    """Medians of CPU, wall and peak memory of `runs` runs of a whole process (after one untimed one with `warm_up`).

    A run that prints a traceback, or lacks `expect` in its output, makes
    the measurement meaningless (BenchError) — except for `other_tool`
    (cfn-lint, checkov): a traceback there is its own failure, recorded
    under "traceback" and shown beside its row.
    """
    cpu, wall, peak = [], [], []
    traceback = False
    for attempt in range(0 if warm_up else 1, runs + 1):
        used, elapsed, resident, stdout, stderr = _measured_process(command, cwd, env, OTHER_TOOL_LIMIT if other_tool else None)
        print(f"bench: {label}: {used:.2f} s cpu, {resident:.0f} MB", file=sys.stderr, flush=True)
        if other_tool and ("Traceback" in stderr or "bench: killed after" in stderr):
            traceback = True
        elif "Traceback" in stderr or (expect and expect not in stdout + stderr):
            raise BenchError(f"{label}: {' '.join(command)} (in {cwd}) printed no {expect or 'result'}:\n{stdout[-1500:]}{stderr[-1500:]}")
        if attempt:
            cpu.append(used)
            wall.append(elapsed)
            peak.append(resident)
    return {
        "label": label,
        "cpu_seconds": _stats(cpu),
        "wall_seconds": _stats(wall),
        "peak_mb": _stats(peak),
        "input_bytes": input_bytes,
        "traceback": traceback,
    }


def _cfn_subset(files: list[str]) -> list[str]:
    """The CloudFormation templates among `files` (what cfn-lint reads): a `Type: AWS::...` resource or the format version."""
    subset = []
    for path in files:
        if not path.endswith((".yaml", ".yml", ".json", ".template")):
            continue
        text = _read(Path(path))
        if "AWSTemplateFormatVersion" in text or ("Resources" in text and ("Type: AWS::" in text or '"Type": "AWS::' in text)):
            subset.append(path)
    return subset


def _checkov() -> str | None:
    """A checkov to compare with: $CHECKOV, one on PATH, or the scratch venv /tmp/bench-venv (never the project's)."""
    for candidate in (os.environ.get("CHECKOV"), shutil.which("checkov"), "/tmp/bench-venv/bin/checkov"):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def linted_files(paths: list[str]) -> list[str]:
    """The files `mldeploy-lint PATHS` lints: discovery's patterns and the installed plugins' (`*.tf`, ...)."""
    from linter.discovery import DEFAULT_PATTERNS, DiscoveryOptions, discover
    from linter.plugin_manager import build_plugin_host

    extra = tuple(pattern for pattern in build_plugin_host().file_patterns() if pattern not in DEFAULT_PATTERNS)
    return list(discover(paths, DiscoveryOptions(patterns=DEFAULT_PATTERNS + extra)))


def _floor_list(work: Path, name: str, files: list[str]) -> Path:
    listing = work / f"{name}.files"
    listing.write_text("\n".join(files) + "\n", encoding="utf-8")
    return listing


# The huge single files of the one-run table and the floor ratios: (name, file in `_huge_inputs`, what its report holds).
HUGE_INPUTS = (("5,000-resource template", "stack.yaml", "EP006"), ("20,000-document stream", "stream.yaml", '"rule"'))


def _huge_inputs(work: Path) -> Path:
    """A directory of the 5,000-resource template and the 20,000-document stream (HUGE_INPUTS), with the configuration their runs need."""
    big = work / "big"
    big.mkdir()
    # A huge file takes longer than the default per-file time limit on a busy machine.
    (big / "mldeploy-lint.toml").write_text("file-timeout = 600\n")
    (big / "stack.yaml").write_text(hosting_template(5000))
    (big / "stream.yaml").write_text(kubernetes_stream(20_000))
    return big


def one_run(tree: Path, runs: int) -> dict:
    """Whole processes, each measured alone: medians of CPU and wall time, and peak resident memory.

    One small file of each platform against `python -c pass` and cfn-lint;
    the tree (the corpus) against cfn-lint on its CloudFormation subset and
    checkov when one is found; generated trees of 1,000 and 5,000 templates;
    a 5,000-resource template and a 20,000-document stream; one changed file
    in repositories of 200, 2,000 and 5,000 files; and, for each input of
    many bytes, the parse floor (PARSE_FLOOR) on the same files. Lint runs
    are `--no-cache` (every file parsed). Heavy rows run min(runs, 3) times.
    """

    heavy = min(runs, 3)
    python = [sys.executable, "-m", "linter", "--no-cache"]
    rows: dict[str, dict] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mldeploy-one-run-") as scratch:
        work = Path(scratch)
        env = _cached_bytecode_env(work)
        alone = work / "alone"
        alone.mkdir()
        (alone / "template.yaml").write_text(SMALL_TEMPLATE.read_text())
        (alone / "manifest.yaml").write_text(SMALL_MANIFEST.read_text())
        (alone / "main.tf").write_text((REPO / "examples" / "terraform" / "llm-summariser" / "main.tf").read_text())
        one_file = {
            "python -c pass": ([sys.executable, "-c", "pass"], ""),
            "CloudFormation template (35 lines)": (python + ["--context", "none", "template.yaml"], EXPECTED_FINDING),
            "Kubernetes manifest": (python + ["--context", "none", "manifest.yaml"], EXPECTED_MANIFEST_FINDING),
            "Terraform main.tf (examples/terraform)": (python + ["--context", "none", "main.tf"], "AS001"),
        }
        # The script beside this interpreter before one on PATH, which may be a pyenv shim (~0.3 s more).
        cfn_lint = str(Path(sys.executable).parent / "cfn-lint")
        if not os.path.isfile(cfn_lint):
            cfn_lint = shutil.which("cfn-lint") or cfn_lint
        if os.path.isfile(cfn_lint):
            one_file["cfn-lint template.yaml"] = ([cfn_lint, "template.yaml"], "")
        rows["one file"] = {
            label: _measure(label, command, alone, env, runs, expect, other_tool=label.startswith("cfn-lint"), warm_up=True)
            for label, (command, expect) in one_file.items()
        }

        def tree_rows(name: str, root: Path, extra: dict[str, tuple[list[str], str, int]] | None = None) -> dict:
            files = linted_files([str(root)])
            size = sum(os.path.getsize(path) for path in files)
            listing = _floor_list(work, name.replace(" ", "-").replace(",", ""), files)
            section = {
                "files": len(files),
                "input_bytes": size,
                "lint": _measure(f"{name}: mldeploy-lint", python + ["--format", "json", str(root)], work, env, heavy, '"findings"', size),
                "parse floor": _measure(f"{name}: parse floor", [sys.executable, "-c", PARSE_FLOOR, str(listing)], work, env, heavy, "documents", size),
                "parse floor, trees kept": _measure(f"{name}: parse floor, trees kept", [sys.executable, "-c", PARSE_FLOOR, str(listing), "keep"], work, env, 1, "documents", size),
            }
            for label, (command, expect, subset_bytes) in (extra or {}).items():
                section[label] = _measure(f"{name}: {label}", command, work, env, 1, expect, subset_bytes, other_tool=not label.startswith("mldeploy"))
            return section

        extra: dict[str, tuple[list[str], str, int]] = {}
        corpus_files = linted_files([str(tree)])
        cfn_files = _cfn_subset(corpus_files)
        if os.path.isfile(cfn_lint) and cfn_files:
            cfn_bytes = sum(os.path.getsize(path) for path in cfn_files)
            extra[f"cfn-lint, its {len(cfn_files)} CloudFormation templates"] = ([cfn_lint, *cfn_files], "", cfn_bytes)
            extra["mldeploy-lint, the same templates"] = (python + ["--format", "json", *cfn_files], '"findings"', cfn_bytes)
        checkov = _checkov()
        if checkov:
            # One process per framework: a failure of one of its runners does not stop the others.
            for framework in ("cloudformation", "kubernetes", "terraform"):
                extra[f"checkov --framework {framework}"] = (
                    [checkov, "-d", str(tree), "--framework", framework, "--quiet", "--compact", "-o", "json", "--skip-download"],
                    "",
                    0,
                )
        else:
            notes.append("checkov not found (pip install checkov into a scratch venv such as /tmp/bench-venv): its row is skipped")
        rows["tree"] = {"tree": str(tree), **tree_rows("tree", tree, extra)}
        for size in (1000, 5000):
            root = generated_tree(work / f"generated-{size}", files=size)
            rows[f"{size} files"] = tree_rows(f"{size:,} generated templates", root)
        rows["ratio 5000/1000"] = {
            key: rows["5000 files"][part][key]["median"] / rows["1000 files"][part][key]["median"]
            for part, key in (("lint", "cpu_seconds"), ("lint", "peak_mb"))
        }

        big = _huge_inputs(work)
        for name, filename, expected in HUGE_INPUTS:
            path = big / filename
            listing = _floor_list(work, path.stem, [str(path)])
            size = path.stat().st_size
            rows[name] = {
                "files": 1,
                "input_bytes": size,
                "lint": _measure(f"{name}: mldeploy-lint", python + ["--context", "none", "--format", "json", path.name], big, env, heavy, expected, size),
                "parse floor": _measure(f"{name}: parse floor", [sys.executable, "-c", PARSE_FLOOR, str(listing)], big, env, heavy, "documents", size),
                "parse floor, trees kept": _measure(f"{name}: parse floor, trees kept", [sys.executable, "-c", PARSE_FLOOR, str(listing), "keep"], big, env, 1, "documents", size),
            }

        repository = {}
        for size in (200, 2000, 5000):
            changed = generated_repository(work / f"repository-{size}", size)
            cwd = changed.parents[2]
            target = str(changed.relative_to(cwd))
            repository[str(size)] = {
                "alone": _measure(f"{size} files: alone", python + ["--context", "none", target], cwd, env, heavy, "HA008"),
                "repository": _measure(f"{size} files: repository", python + [target], cwd, env, heavy, "HA008"),
                # As a pre-commit hook runs it: the disk cache on, warm from the run before (it remembers which
                # words each context file holds, so that unchanged files need no reading); against the file
                # alone with the cache on too (opening it costs both alike).
                "alone, cache warm": _measure(
                    f"{size} files: alone, cache warm", [sys.executable, "-m", "linter", "--context", "none", target], cwd, env, heavy, "HA008", warm_up=True
                ),
                "repository, cache warm": _measure(
                    f"{size} files: repository, cache warm", [sys.executable, "-m", "linter", target], cwd, env, heavy, "HA008", warm_up=True
                ),
            }
        rows["one file in a repository"] = repository
    return {"runs": runs, "heavy_runs": heavy, "rows": rows, "notes": notes}


def _per_input_mb(row: dict, start_mb: float, floor_mb: float) -> str:
    """Peak memory per input MB above the lint's fixed start (and above `python -c pass`)."""
    if not row["input_bytes"]:
        return ""
    megabytes = row["input_bytes"] / 1048576
    return (
        f"{(row['peak_mb']['median'] - start_mb) / megabytes:5.1f} MB/input MB "
        f"({(row['peak_mb']['median'] - floor_mb) / megabytes:.1f} above python -c pass)"
    )


def floor_ratios(tree: Path, runs: int) -> dict:
    """Whole run against the parse floor, each lint run beside its floor run, in interleaved rounds (CPU time).

    The one-run table measures every lint and every floor in turn, so a
    drift of the machine's speed between them moves the ratio (a floor of
    0.17 s one minute, 0.20 s the next). Here each round runs, for every
    input, the lint and then the floor on the same files, after one untimed
    round; the ratio is of the medians, with the range of each round's own.
    """
    python = [sys.executable, "-m", "linter", "--no-cache", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="mldeploy-ratios-") as scratch:
        work = Path(scratch)
        env = _cached_bytecode_env(work)
        big = _huge_inputs(work)
        # name: (lint command, its working directory, the files it lints when not found by discovery)
        inputs = {
            f"tree ({tree.name})": (python + [str(tree)], work, None),
            "1,000 generated templates": (python + [str(generated_tree(work / "generated-1000", files=1000))], work, None),
            "5,000 generated templates": (python + [str(generated_tree(work / "generated-5000", files=5000))], work, None),
        }
        for name, filename, _ in HUGE_INPUTS:
            inputs[name] = (python + ["--context", "none", filename], big, [str(big / filename)])
        pairs = {}
        for name, (command, cwd, files) in inputs.items():
            listing = _floor_list(work, f"ratio-{len(pairs)}", files if files is not None else linted_files([command[-1]]))
            pairs[name] = (command, [sys.executable, "-c", PARSE_FLOOR, str(listing)], cwd)
        samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
        for round_number in range(runs + 1):
            for name, (lint, floor, cwd) in pairs.items():
                lint_cpu, _, _, stdout, stderr = _measured_process(lint, cwd, env)
                if "Traceback" in stderr or '"findings"' not in stdout:
                    raise BenchError(f"{name}: {' '.join(lint)} printed no report:\n{stdout[-1500:]}{stderr[-1500:]}")
                floor_cpu = _measured_process(floor, cwd, env)[0]
                print(f"bench: {name}: lint {lint_cpu:.2f} s, floor {floor_cpu:.2f} s cpu", file=sys.stderr, flush=True)
                if round_number:  # the first round warms the bytecode cache and the files
                    samples[name][0].append(lint_cpu)
                    samples[name][1].append(floor_cpu)
    rows = {}
    for name, (lint, floor) in samples.items():
        each = [mine / theirs for mine, theirs in zip(lint, floor)]
        rows[name] = {"lint": _stats(lint), "floor": _stats(floor), "ratio": statistics.median(lint) / statistics.median(floor), "round_ratios": _stats(each)}
    return {"runs": runs, "rows": rows}


def render_floor_ratios(section: dict) -> list[str]:
    lines = [f"Whole run against the parse floor, interleaved: {section['runs']} rounds after one untimed round, CPU medians (goal: at most 4)"]
    for name, row in section["rows"].items():
        rounds = row["round_ratios"]
        lines.append(
            f"  {name:28} lint {row['lint']['median']:7.3f}s  floor {row['floor']['median']:7.3f}s  "
            f"x{row['ratio']:.2f} (each round x{rounds['min']:.2f} - x{rounds['max']:.2f})"
        )
    return lines


def render_one_run(section: dict) -> list[str]:
    """The one-run table: CPU and wall medians, peak memory, and the ratios the performance goals are about."""
    rows = section["rows"]
    one = rows["one file"]
    floor = one["python -c pass"]
    start = one["CloudFormation template (35 lines)"]["peak_mb"]["median"]
    lines = [
        "",
        f"One run: whole processes, median of {section['runs']} ({section['heavy_runs']} for trees and huge files); "
        "peak = resident memory of the process (ru_maxrss); lint runs --no-cache",
        f"  {'':58} {'cpu':>9} {'wall':>9} {'peak':>9}",
    ]

    def line(label: str, row: dict, tail: str = "") -> str:
        return (
            f"  {label[:58]:58} {row['cpu_seconds']['median']:8.3f}s {row['wall_seconds']['median']:8.3f}s "
            f"{row['peak_mb']['median']:7.1f}MB {tail}"
        )

    lines.append("  one file:")
    cfn_lint = one.get("cfn-lint template.yaml")
    for label, row in one.items():
        tail = ""
        if label != "python -c pass":
            tail = f"x{row['cpu_seconds']['median'] / floor['cpu_seconds']['median']:.1f} the floor"
            if cfn_lint and row is not cfn_lint:
                tail += f", {row['cpu_seconds']['median'] / cfn_lint['cpu_seconds']['median']:.2f} of cfn-lint (cpu)"
        lines.append(line("  " + label, row, tail))
    lines.append(
        f"  memory per input MB is counted above the small template's peak ({start:.1f} MB: interpreter and imports; "
        f"goal: at most 10)"
    )
    for key in ("tree", "1000 files", "5000 files", "5,000-resource template", "20,000-document stream"):
        part = rows[key]
        title = part.get("tree", key)
        lines.append(f"  {title} ({part['files']:,} files, {part['input_bytes'] / 1048576:.2f} MB):")
        lint = part["lint"]
        for label, row in part.items():
            if not isinstance(row, dict) or "cpu_seconds" not in row:
                continue
            # The parse floor imports no linter: its memory counts above `python -c pass` only.
            tail = _per_input_mb(row, floor["peak_mb"]["median"] if label.startswith("parse floor") else start, floor["peak_mb"]["median"])
            if label == "parse floor, trees kept":
                tail += "  the composer's own trees, all kept: where a run reading the whole run's documents starts"
            if label == "lint":
                ratio = lint["cpu_seconds"]["median"] / part["parse floor"]["cpu_seconds"]["median"]
                tail += f"  run / parse floor x{ratio:.1f} (goal: at most 4)"
            elif label.startswith("cfn-lint"):
                same = part.get("mldeploy-lint, the same templates", lint)
                tail = f"mldeploy-lint on the same: {same['cpu_seconds']['median'] / row['cpu_seconds']['median']:.2f} of it (cpu)"
            elif label.startswith("checkov"):
                tail = ""
            if row.get("traceback"):
                tail += "  (it printed a traceback or was stopped: a part of its run failed)"
            lines.append(line("    " + label, row, tail))
        checkov = [row for label, row in part.items() if label.startswith("checkov")]
        if checkov:
            total = sum(row["cpu_seconds"]["median"] for row in checkov)
            lines.append(
                f"    checkov, all three frameworks: {total:.2f} s cpu; "
                f"mldeploy-lint on the tree: {lint['cpu_seconds']['median'] / total:.2f} of it, "
                f"peak x{lint['peak_mb']['median'] / max(row['peak_mb']['median'] for row in checkov):.2f}"
            )
    ratio = rows["ratio 5000/1000"]
    lines.append(
        f"  5,000 / 1,000 files: cpu x{ratio['cpu_seconds']:.2f} (linear: at most x5.2), peak memory x{ratio['peak_mb']:.2f}"
    )
    lines.append("  one changed file in a Git repository of N lintable files (default context, against --context none):")
    for size, row in rows["one file in a repository"].items():
        # Each repository row against the file alone run the same way (reports written before the warm rows lack them).
        for label, alone_label, text in (
            ("repository", "alone", "the repository as context"),
            ("repository, cache warm", "alone, cache warm", "the repository, disk cache warm"),
        ):
            if label in row and alone_label in row:
                alone = row[alone_label]
                lines.append(line(f"    {int(size):,} files, {alone_label}", alone))
                ratio = row[label]["cpu_seconds"]["median"] / alone["cpu_seconds"]["median"]
                lines.append(line(f"    {int(size):,} files, {text}", row[label], f"x{ratio:.2f} alone (goal: at most 2)"))
    lines += [f"  note: {note}" for note in section["notes"]]
    return lines


def _ms(stats: dict) -> str:
    return (
        f"{stats['median'] * 1000:8.1f} ms  (min {stats['min'] * 1000:.1f}, "
        f"max {stats['max'] * 1000:.1f}, n={stats['runs']})"
    )


def _load_line(item: dict) -> str:
    name = item["file"] if len(item["file"]) <= 58 else "..." + item["file"][-55:]
    return (
        f"  {name:58} {item['lines']:>7,} lines {item['megabytes']:6.3f} MB "
        f"{item['seconds']['median'] * 1000:7.1f} ms {item['megabytes_per_second']:6.2f} MB/s  {item['composer']}"
    )


def render(report: dict) -> str:
    lines = [f"mldeploy-lint benchmark, {report['date']}", ""]
    lines += [f"  {key}: {value}" for key, value in report["machine"].items()]

    start = report["startup"]
    lines += [
        "",
        "Start-up: whole process linting bench/small-template.yaml (wall time)",
        f"  bytecode: {start['bytecode']}",
    ]
    width = max(len(name) for name in start["commands"])
    for name, stats in start["commands"].items():
        lines.append(f"  {name:{width}} {_ms(stats)}  cpu {stats['cpu']['median'] * 1000:6.1f} ms")
    for name, row in start["ratios"].items():
        text = f"  {name}: x{row['over_floor_wall']:.1f} the floor (cpu x{row['over_floor_cpu']:.1f})"
        if "over_cfn_lint_wall" in row:
            text += f", {row['over_cfn_lint_wall']:.2f} of cfn-lint (cpu {row['over_cfn_lint_cpu']:.2f}; goal: at most 0.2)"
        lines.append(text)
    for key, title in (("imports", "one template"), ("imports_with_config", "beside mldeploy-lint.toml")):
        profile = start[key]
        heavy = profile["heavy"]
        lines.append(
            f"  imports ({title}, one -X importtime run): {profile['modules']} modules, "
            f"{profile['total_ms']:.0f} ms; heavy: "
            + ("none" if not heavy else ", ".join(heavy))
        )
        for package, chain in heavy.items():
            if " <- " in chain:  # imported while importing a module, not from inside a function
                lines.append(f"    {package} import chain: {chain}")
            lines.append(f"    {package} first imported from:")
            for call in profile["heavy_imported_from"].get(package, []):
                lines.append(f"      {call}")
    lines.append("  costliest top-level imports (one template, -X importtime, cumulative):")
    for name, ms in start["imports"]["top_level_ms"].items():
        lines.append(f"    {name:46} {ms:7.1f} ms")

    lines += ["", "Loading: linter.source.load_text (parse into located nodes), biggest files and a generated one"]
    lines += [_load_line(item) for item in report["loading"]["biggest"]]
    lines += ["  slowest files of the tree (one run each):"]
    lines += [_load_line(item) for item in report["loading"]["slowest"]]
    lines.append(f"  files by composer: {report['loading']['files_by_composer']}")

    single = report["per_file"]
    lines += [
        "",
        (
            f"One {single['lines']:,}-line template ({single['endpoint_configs']} EndpointConfigs, "
            f"{single['deployments']} deployments, {single['findings']} findings), in-process, warm host:"
        ),
        f"  {'load_text':48} {_ms(single['load_seconds'])}",
        f"  {'lint_text (load, adapters, rules)':48} {_ms(single['lint_seconds'])}",
    ]

    editor = report["editor"]
    lines += [
        "",
        (
            f"Language server: re-lint of the {editor['lines']:,}-line template after an edit, "
            f"{editor['context_files']} context files in the repository ({editor['findings']} findings):"
        ),
        f"  {'kept between edits (context index, parses)':48} {_ms(editor['warm_seconds'])}",
        f"  {'nothing kept (every context file read and parsed)':48} {_ms(editor['cold_seconds'])}",
    ]

    scaling = report["scaling"]
    small, large = scaling["sizes"]
    lines += ["", f"Scaling: generated trees of {small:,} and {large:,} templates, in-process, CPU time:"]
    for size, row in scaling["rows"].items():
        lines.append(
            f"  {int(size):>6,} files {_ms(row['cpu_seconds'])}   garbage collector off: {_ms(row['cpu_seconds_without_gc'])}"
        )
    lines.append(f"  {large:,} / {small:,} files: x{scaling['ratio']:.2f} (linear: x{large / small:.1f})")

    lines += ["", "One huge file, in-process, warm host, CPU time (run/parse: at most 2 is the goal):"]
    for label, row in report["big_inputs"].items():
        lines += [
            f"  {label} ({row['lines']:,} lines, {row['megabytes']:.1f} MB, {row['deployments']:,} deployments):",
            f"    {'C composer alone (the parse floor)':46} {_ms(row['composer_cpu_seconds'])}",
            f"    {'load_text (parse into located nodes)':46} {_ms(row['load_cpu_seconds'])}",
            f"    {'lint_text (load, adapters, links, rules)':46} {_ms(row['lint_cpu_seconds'])}",
            f"    run / parse: x{row['lint_over_load']:.2f}; run / C composer: x{row['lint_over_composer']:.2f}",
        ]

    tree = report["throughput"]
    lines += [
        "",
        f"Throughput: lint_paths on {tree['tree']} ({tree['files']} files, {tree['megabytes']:.2f} MB), warm host:",
        f"  {'whole tree':48} {_ms(tree['seconds'])}",
        (
            f"  {tree['files_per_second']:.0f} files/s, {tree['megabytes_per_second']:.2f} MB/s; "
            f"{tree['deployments']} deployments, {tree['findings']} findings {tree['findings_by_rule']}"
        ),
    ]
    lines += render_jobs_and_cache(report.get("jobs_and_cache", []))
    if "repository_context" in report:
        lines += render_repository_context(report["repository_context"])
    if "one_run" in report:
        lines += render_one_run(report["one_run"])
    return "\n".join(lines) + "\n"


def _jobs_and_cache_sections(tree: Path, runs: int, scratch: Path) -> list[dict]:
    generated = generated_tree(scratch / "generated-1000", files=1000)
    return [jobs_and_cache(tree, runs, str(tree)), jobs_and_cache(generated, runs, "1,000 generated templates")]


def _tree_section_main(args: argparse.Namespace, measure, render) -> int:
    """One section measured on the tree (`--tree`, else the corpus) alone: `measure(tree, runs)`, shown by `render`."""
    tree = args.tree or CORPUS
    if not tree.is_dir():
        print(f"bench: no tree at {tree} (--tree DIR)", file=sys.stderr)
        return 2
    try:
        section = measure(tree, args.runs)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    text = json.dumps(section, indent=2) + "\n" if args.json else "\n".join(render(section)) + "\n"
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default: 7)")
    parser.add_argument(
        "--tree",
        type=lambda value: Path(value).resolve(),  # the measured processes run in scratch directories
        help="directory for throughput and loading (default: ../shared/corpus, else 500 generated files)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the report to FILE")
    parser.add_argument(
        "--repository-context-only",
        action="store_true",
        help="measure only one changed file in generated repositories of 200, 2,000 and 5,000 files",
    )
    parser.add_argument(
        "--jobs-and-cache-only", action="store_true", help="measure only --jobs and the disk cache (the tree and 1,000 generated files)"
    )
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="measure only start-up on the small template against cfn-lint, in interleaved rounds (CPU time)",
    )
    parser.add_argument(
        "--one-run-only",
        action="store_true",
        help="measure only the one-run table: whole processes, time and peak memory, against the parse floor, cfn-lint and checkov",
    )
    parser.add_argument(
        "--floor-ratios-only",
        action="store_true",
        help="measure only the whole run against the parse floor, each lint beside its floor in interleaved rounds",
    )
    parser.add_argument("--quick", action="store_true", help="3 runs per measurement (as --runs 3)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = min(args.runs, 3)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.startup_only:  # before the spawner: start-up is timed from this process
        try:
            section = startup_interleaved(args.runs)
        except BenchError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
        sys.stdout.write(json.dumps(section, indent=2) + "\n" if args.json else "\n".join(render_startup_interleaved(section)) + "\n")
        return 0
    start_spawner()  # before anything big is loaded: see SPAWNER
    if args.one_run_only:
        return _tree_section_main(args, one_run, render_one_run)
    if args.floor_ratios_only:
        return _tree_section_main(args, floor_ratios, render_floor_ratios)
    if args.repository_context_only:
        try:
            section = repository_context(args.runs)
        except BenchError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
        sys.stdout.write(json.dumps(section, indent=2) + "\n" if args.json else "\n".join(render_repository_context(section)) + "\n")
        return 0
    if args.jobs_and_cache_only:
        with tempfile.TemporaryDirectory(prefix="mldeploy-tree-") as scratch:
            tree = args.tree or (CORPUS if CORPUS.is_dir() else generated_tree(Path(scratch)))
            try:
                sections = _jobs_and_cache_sections(tree, args.runs, Path(scratch))
            except BenchError as error:
                print(f"bench: {error}", file=sys.stderr)
                return 2
        sys.stdout.write(json.dumps(sections, indent=2) + "\n" if args.json else "\n".join(render_jobs_and_cache(sections)) + "\n")
        return 0

    with tempfile.TemporaryDirectory(prefix="mldeploy-tree-") as scratch:
        tree = args.tree or (CORPUS if CORPUS.is_dir() else generated_tree(Path(scratch)))
        try:
            report = {
                "date": time.strftime("%Y-%m-%d"),
                "command": " ".join(["python", "bench/bench.py", *(argv if argv is not None else sys.argv[1:])]),
                "machine": machine(),
                "startup": startup(args.runs),
                "loading": loading(tree, args.runs),
                "per_file": per_file(args.runs),
                "editor": editor_relint(args.runs),
                "scaling": tree_scaling(args.runs),
                "big_inputs": big_inputs(args.runs),
                "throughput": throughput(tree, args.runs),
            }
            report["jobs_and_cache"] = _jobs_and_cache_sections(tree, args.runs, Path(scratch))
            report["repository_context"] = repository_context(args.runs)
            report["one_run"] = one_run(tree, args.runs)
        except BenchError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
    text = json.dumps(report, indent=2) + "\n" if args.json else render(report)
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    # A configuration file is validated with jsonschema once (linter/config.py): after the
    # timed runs beside it, its verdict is remembered and nothing heavy is imported either.
    failures = [(report["startup"][key], package) for key in ("imports", "imports_with_config") for package in report["startup"][key]["heavy"]]
    for profile, package in failures:
        stack = " -> ".join(profile["heavy_imported_from"].get(package, [])) or profile["heavy"][package]
        print(f"bench: start-up imported {package}: {stack}", file=sys.stderr)
    if failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark mldeploy-lint: start-up on one small template, throughput on a tree.

    python bench/bench.py                 # human-readable table
    python bench/bench.py --runs 9 --json # machine-readable
    python bench/bench.py --tree DIR      # throughput on DIR instead of the corpus

Every number is the median of several runs (min and max shown beside it).
This is a benchmark, not a test: nothing here fails on a slow machine,
except that start-up must not import cfn-lint, jsonschema or pygls (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_TEMPLATE = REPO / "bench" / "small-template.yaml"
CORPUS = REPO.parent / "shared" / "corpus"
HEAVY = ("cfnlint", "jsonschema", "pygls")

IMPORT_PROBE = (
    "import sys, io, contextlib\n"
    "from linter.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main(sys.argv[1:])\n"
    "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {%s})))\n" % ", ".join(repr(name) for name in HEAVY)
)


def _stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


def _time_command(command: list[str], runs: int, cwd: Path) -> dict | None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=cwd, capture_output=True)
        samples.append(time.perf_counter() - start)
        if completed.returncode not in (0, 1, 2):
            return None
    return _stats(samples)


def startup(runs: int) -> dict:
    """Wall time of whole processes linting one small template, and the interpreter floor."""
    work = Path(tempfile.mkdtemp(prefix="mldeploy-bench-"))
    try:
        shutil.copy(SMALL_TEMPLATE, work / "template.yaml")
        results = {
            "python -c pass": _time_command([sys.executable, "-c", "pass"], runs, work),
            "python -m linter template.yaml": _time_command([sys.executable, "-m", "linter", "template.yaml"], runs, work),
        }
        script = shutil.which("mldeploy-lint")
        if script:
            results["mldeploy-lint template.yaml"] = _time_command([script, "template.yaml"], runs, work)
        cfn_lint = shutil.which("cfn-lint")
        if cfn_lint:
            results["cfn-lint template.yaml"] = _time_command([cfn_lint, "template.yaml"], runs, work)
        probe = subprocess.run([sys.executable, "-c", IMPORT_PROBE, "template.yaml"], cwd=work, capture_output=True, text=True)
        heavy = [name for name in probe.stdout.strip().split(",") if name]
        return {"commands": {name: value for name, value in results.items() if value is not None}, "heavy_imports": heavy}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _generated_tree(files: int) -> Path:
    """A tree of realistic templates with varied names, when no corpus is at hand."""
    root = Path(tempfile.mkdtemp(prefix="mldeploy-tree-"))
    text = SMALL_TEMPLATE.read_text()
    for index in range(files):
        directory = root / f"service-{index % 25}"
        directory.mkdir(exist_ok=True)
        (directory / f"endpoint-{index}.yaml").write_text(text.replace("fraud-scorer", f"scorer-{index}"))
    return root


def throughput(tree: Path, runs: int) -> dict:
    """Files and MB per second linting a whole tree in-process (discovery included)."""
    from linter.api import lint_paths
    from linter.discovery import discover
    from linter.plugin_manager import build_plugin_host

    files = list(discover([str(tree)]))
    size = sum(os.path.getsize(path) for path in files)
    host = build_plugin_host()
    lint_paths([str(SMALL_TEMPLATE)], host=host)  # warm: plugins imported, tables read
    samples = []
    findings = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = lint_paths([str(tree)], host=host)
        samples.append(time.perf_counter() - start)
        findings = len(result.findings)
    stats = _stats(samples)
    return {
        "tree": str(tree),
        "files": len(files),
        "megabytes": size / 1e6,
        "findings": findings,
        "seconds": stats,
        "files_per_second": len(files) / stats["median"],
        "megabytes_per_second": size / 1e6 / stats["median"],
    }


def loading(runs: int) -> dict:
    """Pure loading rate (parse + located nodes) on a generated 2,000-line and a 3 MB template."""
    from linter.source import load_text

    block = SMALL_TEMPLATE.read_text().split("Resources:\n", 1)[1]
    results = {}
    for label, copies in (("2,000-line template", 55), ("3 MB template", 2200)):
        resources = "".join(block.replace("  Scorer", f"  Scorer{index}") for index in range(copies))
        text = "Resources:\n" + resources
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            source = load_text("generated.yaml", text)
            samples.append(time.perf_counter() - start)
            assert not source.problems, source.problems
        stats = _stats(samples)
        results[label] = {
            "lines": text.count("\n"),
            "megabytes": len(text) / 1e6,
            "seconds": stats,
            "megabytes_per_second": len(text) / 1e6 / stats["median"],
        }
    return results


def machine() -> dict:
    import ruamel.yaml

    try:
        import _ruamel_yaml  # noqa: F401

        composer = "C (ruamel.yaml.clib)"
    except ImportError:
        composer = "pure Python"
    try:
        from importlib.metadata import version

        clib = version("ruamel.yaml.clib")
    except Exception:
        clib = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "ruamel.yaml": ruamel.yaml.__version__,
        "ruamel.yaml.clib": clib,
        "composer": composer,
    }


def _seconds(stats: dict) -> str:
    return f"{stats['median'] * 1000:8.1f} ms  (min {stats['min'] * 1000:.1f}, max {stats['max'] * 1000:.1f}, n={stats['runs']})"


def render(report: dict) -> str:
    lines = ["mldeploy-lint benchmark", ""]
    lines += [f"  {key}: {value}" for key, value in report["machine"].items()]
    lines += ["", "Start-up (whole process, one small template):"]
    for name, stats in report["startup"]["commands"].items():
        lines.append(f"  {name:36} {_seconds(stats)}")
    heavy = report["startup"]["heavy_imports"]
    lines.append(f"  heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    lines += ["", "Loading (parse into located nodes):"]
    for name, stats in report["loading"].items():
        lines.append(
            f"  {name:22} {stats['lines']:>7,} lines {stats['megabytes']:6.2f} MB  {_seconds(stats['seconds'])}"
            f"  {stats['megabytes_per_second']:.2f} MB/s"
        )
    tree = report["throughput"]
    lines += [
        "",
        f"Throughput (in-process, {tree['files']} files, {tree['megabytes']:.2f} MB, {tree['findings']} findings):",
        f"  {'whole tree':36} {_seconds(tree['seconds'])}",
        f"  {tree['files_per_second']:.0f} files/s, {tree['megabytes_per_second']:.2f} MB/s",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--tree", type=Path, help="directory for the throughput run (default: the shared corpus)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))

    tree = args.tree or (CORPUS if CORPUS.is_dir() else _generated_tree(500))
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "startup": startup(args.runs),
        "loading": loading(args.runs),
        "throughput": throughput(tree, args.runs),
    }
    text = json.dumps(report, indent=2) + "\n" if args.json else render(report)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    if report["startup"]["heavy_imports"]:
        print(f"start-up imported {report['startup']['heavy_imports']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

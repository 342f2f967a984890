"""Measure the two candidate HCL parsers on a tree of Terraform files, and the adapter's load against the parse.

python-hcl2 (v8: a Lark LALR parser; its tree API, `parses_to_tree`) against
tree-sitter with the `tree-sitter-hcl` grammar. Each candidate runs in a
fresh interpreter so that first use (import plus the first parse, which for
python-hcl2 builds or loads its Lark grammar) is measured cold.

Then the Terraform adapter's load (`hcl.load_hcl`: the parse and its
conversion into located nodes) against tree-sitter's parse alone of the same
files, in one fresh interpreter: CPU time (`time.process_time`) of each pass
over all the files, the two passes alternated, medians of `--rounds`, with
the collector paused during each pass as the engine pauses it while a file
loads. Reported, never asserted.

    python bench/terraform_parsers.py ../shared/corpus/terraform
    python bench/terraform_parsers.py --load-only --rounds 9 ../shared/corpus
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

_CHILD = r'''
import json, sys, time
from pathlib import Path
candidate, tree = sys.argv[1], Path(sys.argv[2])
files = sorted(p for p in tree.rglob("*") if p.is_file() and (p.suffix in (".tf", ".tfvars")))
texts = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in files]
start = time.perf_counter()
if candidate == "python-hcl2":
    import hcl2
    def parse(text):
        return hcl2.parses_to_tree(text)
else:
    import tree_sitter, tree_sitter_hcl
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    def parse(text):
        tree = parser.parse(text.encode("utf-8"))
        return tree.root_node
imported = time.perf_counter() - start
start = time.perf_counter()
first_error = None
try:
    parse(texts[0][1])
except Exception as error:
    first_error = repr(error)
first = time.perf_counter() - start
per_file = {}
errors = {}
for path, text in texts:
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        try:
            result = parse(text)
            if candidate != "python-hcl2" and result.has_error:
                errors[path] = "tree has ERROR nodes"
        except Exception as error:
            errors[path] = type(error).__name__ + ": " + str(error).splitlines()[0][:120]
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    per_file[path] = (best, len(text))
print(json.dumps({"import": imported, "first_parse": first, "per_file": per_file, "errors": errors}))
'''


_LOAD_CHILD = r'''
import gc, json, statistics, sys, time
from pathlib import Path
from linter import LoadLimits
from plugins.adapters.terraform.hcl import _parser, load_hcl
tree, rounds = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(p for p in tree.rglob("*") if p.is_file() and (p.suffix in (".tf", ".tfvars")))
texts = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in files]
limits = LoadLimits()
parser = _parser()
def parse():
    for path, text in texts:
        parser.parse(text.encode("utf-8"))
def load():
    for path, text in texts:
        load_hcl(path, text, limits)
load()  # first use: imports, the grammar
times = {"parse": [], "load": []}
for _ in range(rounds):
    for name, run in (("parse", parse), ("load", load)):
        gc.collect()
        gc.disable()
        start = time.process_time()
        run()
        times[name].append(time.process_time() - start)
        gc.enable()
print(json.dumps({"files": len(texts), "bytes": sum(len(text.encode("utf-8")) for _, text in texts),
                  "parse": statistics.median(times["parse"]), "load": statistics.median(times["load"])}))
'''


def measure_load(tree: Path, rounds: int) -> dict:
    completed = subprocess.run([sys.executable, "-c", _LOAD_CHILD, str(tree), str(rounds)], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def measure(candidate: str, tree: Path) -> dict | str:
    """The candidate's times, or why it could not run (such as python-hcl2 not installed)."""
    completed = subprocess.run([sys.executable, "-c", _CHILD, candidate, str(tree)], capture_output=True, text=True)
    if completed.returncode != 0:
        return (completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"])[-1]
    return json.loads(completed.stdout)


def main(argv: list[str]) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("tree", nargs="?", default="../shared/corpus/terraform", type=Path)
    arguments.add_argument("--rounds", type=int, default=5, help="passes of the load against the parse (default 5)")
    arguments.add_argument("--load-only", action="store_true", help="only the adapter's load against the parse")
    options = arguments.parse_args(argv[1:])
    tree = options.tree
    for candidate in () if options.load_only else ("python-hcl2", "tree-sitter-hcl"):
        result = measure(candidate, tree)
        if isinstance(result, str):
            print(f"{candidate}: not measured: {result}")
            continue
        times = sorted(best for best, _ in result["per_file"].values())
        size = sum(length for _, length in result["per_file"].values())
        total = sum(times)
        slowest = max(result["per_file"].items(), key=lambda item: item[1][0])
        print(f"{candidate}: import {result['import'] * 1000:.1f} ms, first parse {result['first_parse'] * 1000:.1f} ms")
        print(f"  {len(times)} files, {size / 1024:.0f} KiB: total {total * 1000:.1f} ms, "
              f"median {times[len(times) // 2] * 1000:.2f} ms, max {slowest[1][0] * 1000:.1f} ms ({Path(slowest[0]).name}, {slowest[1][1]} chars), "
              f"{size / 1048576 / total:.2f} MB/s")
        for path, error in sorted(result["errors"].items()):
            print(f"  error: {path}: {error}")
    load = measure_load(tree, options.rounds)
    print(f"load_hcl against tree-sitter's parse: {load['files']} files, {load['bytes'] / 1024:.0f} KiB, CPU medians of {options.rounds}: "
          f"parse {load['parse'] * 1000:.1f} ms, load {load['load'] * 1000:.1f} ms (conversion {(load['load'] - load['parse']) * 1000:.1f} ms): "
          f"load x{load['load'] / load['parse']:.2f} the parse")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

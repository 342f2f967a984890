"""Measure the two candidate HCL parsers on a tree of Terraform files: first-use and per-file cost.

python-hcl2 (v8: a Lark LALR parser; its tree API, `parses_to_tree`) against
tree-sitter with the `tree-sitter-hcl` grammar. Each candidate runs in a
fresh interpreter so that first use (import plus the first parse, which for
python-hcl2 builds or loads its Lark grammar) is measured cold. Reported,
never asserted.

    python bench/terraform_parsers.py ../shared/corpus/terraform
"""

from __future__ import annotations

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


def measure(candidate: str, tree: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", _CHILD, candidate, str(tree)], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def main(argv: list[str]) -> int:
    tree = Path(argv[1] if len(argv) > 1 else "../shared/corpus/terraform")
    for candidate in ("python-hcl2", "tree-sitter-hcl"):
        result = measure(candidate, tree)
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

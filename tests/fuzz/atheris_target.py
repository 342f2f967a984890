"""Coverage-guided fuzzing with atheris (optional: `pip install atheris`), the same properties as the harness.

libFuzzer mutates bytes; the first byte chooses how they are linted (as
YAML or JSON, alone or beside a fixture as context). Run from the
repository root, with a fresh output directory first (libFuzzer writes new
inputs into the first directory it is given) and seed directories after it:

    python -m tests.fuzz.atheris_target /tmp/fuzz-corpus tests/fixtures ../shared/corpus -max_total_time=600

An unlisted failure raises `PropertyBroken`: libFuzzer stops and writes the
input to `crash-<sha1>`; failures known.py lists do not stop it. (libFuzzer's
`-fork` mode does not work this way: it executes the target file itself.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

# Importable by absolute name both as `python -m tests.fuzz.atheris_target` and as a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.fuzz.harness import Checker  # noqa: E402
from tests.fuzz.known import known  # noqa: E402

with atheris.instrument_imports(include=["linter", "plugins"]):
    from linter.engine import InputFile

    # Built here: the host imports the built-in plugins, and the warm-up the modules they import lazily.
    # Instrumented code runs several times slower: a 10 s budget, and libFuzzer's -timeout for hangs.
    CHECKER = Checker(budget=10.0, interrupt=False)

PATHS = ("fuzz.yaml", "fuzz.json", "statemachine.asl.json", "prod/template.yaml", "k8s/deployment.yml")
NEIGHBOUR = Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "kubernetes" / "gke-t5-hpa" / "hpa.yaml"


class PropertyBroken(Exception):
    """A failure known.py does not list."""


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0], data[1:]
    inputs = [InputFile(PATHS[mode % len(PATHS)], body)]
    if mode & 0x80:
        inputs.append(InputFile("k8s/hpa.yaml", NEIGHBOUR.read_bytes(), context_only=True))
    new = [failure for failure in CHECKER.check(inputs) if known(failure) is None]
    if new:
        raise PropertyBroken("\n".join(f"{failure.signature}: {failure.summary}\n{failure.detail}" for failure in new))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""The mutation sweep: every file of ../shared/corpus, each mutated 20 deterministic ways.

Each node mutation, then each text mutation, then random mixes (see
`mutations.sweep_cases`), all linted and rendered by the harness: no
exception, no MD002, no input over its 2 s budget, every reporter renders.
Files are spread over up to two worker processes; a worker that dies (a
segfault) fails the test with the file it was on. Skips where the corpus is
absent, as tests/test_corpus.py does. Known failures (known.py) warn.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
import os
import sys
import time
import warnings

import pytest

from .harness import Checker, Failure, inputs_for
from .known import known
from .mutations import sweep_cases

MUTANTS_PER_FILE = 20
WORKERS = min(2, os.cpu_count() or 1)

_checker: Checker | None = None


def _sweep_file(corpus: str, relative: str) -> tuple[str, float, list[tuple[tuple[str, ...], Failure, bytes]]]:
    """Run one file's mutants in a worker; its failures with the steps and bytes that made them."""
    global _checker
    if _checker is None:
        _checker = Checker()
    started = time.perf_counter()
    with open(os.path.join(corpus, relative), "rb") as handle:
        data = handle.read()
    found = []
    for case in sweep_cases(relative, data, MUTANTS_PER_FILE):
        for failure in _checker.check(inputs_for(case.path, case.data)):
            found.append((case.steps, failure, case.data[:3000]))
    return relative, time.perf_counter() - started, found


def _corpus_files(corpus) -> list[str]:
    """What linting the corpus directory would read: the core patterns plus the plugins'."""
    from linter.discovery import DiscoveryOptions, discover
    from linter.plugin_manager import build_plugin_host

    patterns = DiscoveryOptions().patterns
    extra = tuple(pattern for pattern in build_plugin_host().file_patterns() if pattern not in patterns)
    files = discover([str(corpus)], DiscoveryOptions(patterns=patterns + extra))
    return sorted(os.path.relpath(path, corpus) for path in files)


@pytest.mark.slow
def test_corpus_mutation_sweep(corpus):
    files = _corpus_files(corpus)
    assert len(files) > 600
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    new: dict[str, str] = {}
    still_known: collections.Counter[str] = collections.Counter()
    slowest = (0.0, "")
    with concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        futures = {pool.submit(_sweep_file, str(corpus), relative): relative for relative in files}
        for future in concurrent.futures.as_completed(futures):
            try:
                relative, seconds, found = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                pytest.fail(f"a worker process died (a crash) while sweeping {futures[future]} or a file beside it in the queue")
            slowest = max(slowest, (seconds, relative))
            for steps, failure, data in found:
                entry = known(failure)
                if entry is not None:
                    still_known[entry.reproducer] += 1
                else:
                    new.setdefault(
                        failure.signature,
                        f"{failure.signature}: {relative} mutated by {list(steps)}\n{failure.summary}\n{failure.detail}\n"
                        f"input: {data!r}",
                    )
    for reproducer, count in sorted(still_known.items()):
        warnings.warn(f"known fuzz failure still present in {count} mutants ({reproducer})", stacklevel=1)
    assert not new, f"{len(new)} new kinds of failure:\n\n" + "\n\n".join(new.values())
    # 20 mutants of the largest file must stay far from a hang, whatever the machine.
    assert slowest[0] < MUTANTS_PER_FILE * 2.0, f"{slowest[1]} took {slowest[0]:.1f} s for {MUTANTS_PER_FILE} mutants"

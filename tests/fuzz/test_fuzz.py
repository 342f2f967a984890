"""The CI slice of the fuzzing: mutants of the real files in tests/fixtures through every stage.

CI runs a fixed list of cases: each is `random.Random("<kind>:<number>")`
driving the mutators, so every run checks the same ~1,000 mutants whatever
else the session imported. (Derandomized hypothesis is not enough for that:
hypothesis mixes constants found in every imported module into its draws,
so its examples change with the tests that ran before.) With
`MLDEPLOY_FUZZ_EXAMPLES=N` the same three properties also run as hypothesis
tests, N examples each, with shrinking (see docs/fuzzing.md). Failures
listed in known.py are reported as warnings; anything else fails with the
mutant, the steps that made it and the traceback.
"""

from __future__ import annotations

import functools
import os
import random
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import Checker, Failure, inputs_for
from .known import known
from .mutations import MutationLimits, mutate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".yaml", ".yml", ".json") and path.is_file())
# Below the ~30,000 levels that crash libyaml's composer (a known bug, see
# test_reproducers.py): a crash here would take the whole test session down.
CI_LIMITS = MutationLimits(max_nesting=5000)


def _examples(default: int) -> int:
    return int(os.environ.get("MLDEPLOY_FUZZ_EXAMPLES", default))


def ci(max_examples: int) -> settings:
    """Derandomized, no database; MLDEPLOY_FUZZ_EXAMPLES sets the count."""
    return settings(_CI, max_examples=_examples(max_examples))


_CI = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@functools.lru_cache(maxsize=1)
def _checker() -> Checker:
    # One plugin host for every example (not a fixture: hypothesis re-runs the body, not fixtures).
    return Checker()


def _relative(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def assert_only_known(failures: list[Failure], case, context: str = "") -> None:
    """Fail on a failure known.py does not list; warn once per known one still present."""
    new = [failure for failure in failures if known(failure) is None]
    for failure in failures:
        entry = known(failure)
        if entry is not None:
            warnings.warn(f"known fuzz failure still present ({entry.reproducer}): {failure.signature}", stacklevel=2)
    assert not new, (
        f"{context}{case.path!r} mutated by {list(case.steps)} breaks a property:\n"
        + "\n".join(f"{failure.signature}: {failure.summary}\n{failure.detail}" for failure in new)
        + f"\ninput (first 3,000 bytes): {case.data[:3000]!r}"
    )


def test_seed_corpus_is_the_fixtures():
    assert len(SEEDS) > 100, "tests/fixtures holds the seed corpus of the CI slice"


def mutant_alone(rng, index: int, steps: int) -> None:
    """Lint never raises, never reports MD002, stays in budget; text, json and sarif render and validate."""
    seed = SEEDS[index]
    case = mutate(rng, _relative(seed), seed.read_bytes(), steps=steps, limits=CI_LIMITS)
    assert_only_known(_checker().check(inputs_for(case.path, case.data)), case)


def mutant_with_neighbours(rng, index: int) -> None:
    """Cross-file links (an HPA and its Deployment, an endpoint and its config) meet a mutant."""
    seed = SEEDS[index]
    case = mutate(rng, _relative(seed), seed.read_bytes(), steps=2, limits=CI_LIMITS)
    neighbours = [other for other in SEEDS if other.parent == seed.parent and other != seed][:8]
    context = [(_relative(other), other.read_bytes()) for other in neighbours]
    assert_only_known(_checker().check(inputs_for(case.path, case.data, context)), case, "with its neighbours: ")


def two_mutants(rng, index: int, other: int) -> None:
    """Two mutants in one run, both reported: adapters index documents across files."""
    first, second = SEEDS[index], SEEDS[other]
    case = mutate(rng, _relative(first), first.read_bytes(), steps=2, limits=CI_LIMITS)
    partner = mutate(rng, "other/" + _relative(second), second.read_bytes(), steps=1, limits=CI_LIMITS)
    inputs = inputs_for(case.path, case.data) + inputs_for(partner.path, partner.data)
    assert_only_known(_checker().check(inputs), case, f"with {partner.path!r} mutated by {list(partner.steps)}: ")


# (cases, batches): a batch is one test, so a failure names its seeds and the rest still run.
CI_SLICE = {"alone": (700, 14), "neighbours": (150, 3), "pairs": (150, 3)}


def _batches():
    for kind, (cases, batches) in CI_SLICE.items():
        size = cases // batches
        for batch in range(batches):
            yield pytest.param(kind, range(batch * size, (batch + 1) * size), id=f"{kind}-{batch * size}")


@pytest.mark.parametrize(("kind", "numbers"), list(_batches()))
def test_ci_slice(kind, numbers):
    for number in numbers:
        rng = random.Random(f"{kind}:{number}")
        index = rng.randrange(len(SEEDS))
        if kind == "alone":
            mutant_alone(rng, index, rng.randint(1, 4))
        elif kind == "neighbours":
            mutant_with_neighbours(rng, index)
        else:
            two_mutants(rng, index, rng.randrange(len(SEEDS)))


hypothesis_run = pytest.mark.skipif(
    "MLDEPLOY_FUZZ_EXAMPLES" not in os.environ, reason="a longer local run: set MLDEPLOY_FUZZ_EXAMPLES=N"
)


@hypothesis_run
@ci(700)
@given(index=st.integers(0, len(SEEDS) - 1), rng=st.randoms(use_true_random=False), steps=st.integers(1, 4))
def test_mutated_fixtures_keep_every_property(index, rng, steps):
    mutant_alone(rng, index, steps)


@hypothesis_run
@ci(150)
@given(index=st.integers(0, len(SEEDS) - 1), rng=st.randoms(use_true_random=False))
def test_mutated_file_with_its_neighbours_as_context(index, rng):
    mutant_with_neighbours(rng, index)


@hypothesis_run
@ci(150)
@given(index=st.integers(0, len(SEEDS) - 1), rng=st.randoms(use_true_random=False), other=st.integers(0, len(SEEDS) - 1))
def test_two_mutants_linted_together(index, rng, other):
    two_mutants(rng, index, other)

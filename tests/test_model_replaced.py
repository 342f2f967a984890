"""`replaced` on the model's types: the copy `dataclasses.replace` makes, without running `__init__` again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from linter.api import lint_paths
from linter.engine import LintOptions, LintResult
from linter.model import (
    AcceleratorKind,
    Compute,
    Deployment,
    LinkStatus,
    Provenance,
    Scaling,
    ScalingPolicy,
    ScalingTarget,
    Sourced,
    Unit,
)
from linter.copying import Replaceable
from linter.nodes import Span

REPO = Path(__file__).resolve().parent.parent
# Deployments of every platform the adapters read.
INPUTS = [REPO / "examples", REPO / "tests" / "fixtures" / "adapters"]


def every_field(value: object) -> dict[str, object]:
    """All fields, those left out of equality too (`Sourced.related`)."""
    return {each.name: getattr(value, each.name) for each in dataclasses.fields(value)}  # type: ignore[arg-type]


def assert_same_copy(value: Replaceable, /, **changes: object) -> None:
    copy = value.replaced(**changes)
    expected = dataclasses.replace(value, **changes)  # type: ignore[type-var]
    assert type(copy) is type(expected)
    assert copy == expected
    assert every_field(copy) == every_field(expected)


def model_values(value: object, into: dict[type, list]) -> dict[type, list]:
    """Every model value reachable from `value`, by type."""
    if isinstance(value, Replaceable):
        into.setdefault(type(value), []).append(value)
        for each in dataclasses.fields(value):  # type: ignore[arg-type]
            model_values(getattr(value, each.name), into)
    elif isinstance(value, tuple):
        for item in value:
            model_values(item, into)
    return into


@pytest.fixture(scope="module")
def result() -> LintResult:
    return lint_paths([str(path) for path in INPUTS], LintOptions(file_timeout=None, jobs=1))


@pytest.fixture(scope="module")
def deployments(result) -> tuple[Deployment, ...]:
    assert len(result.deployments) > 100
    return result.deployments


def test_every_field_of_every_model_value_read_is_replaced_as_replace_would(result, deployments):
    found: dict[type, list] = {}
    for value in deployments + result.scaling_targets:
        model_values(value, found)
    assert {Deployment, Unit, Compute, Scaling, ScalingPolicy, ScalingTarget, Sourced} <= found.keys()
    for kind, values in found.items():
        donor = values[-1]  # another value of the type gives each field a value it can hold
        for value in values[:50]:
            for each in dataclasses.fields(kind):
                assert_same_copy(value, **{each.name: getattr(donor, each.name)})
            assert_same_copy(value)


def test_a_deployment_copied_with_several_changes_is_what_replace_makes(deployments):
    for deployment in deployments:
        region = Sourced("eu-west-1", deployment.span, Provenance.INFERRED, "a note")
        assert_same_copy(deployment, region=region, variant=Sourced("prod.json"), units=deployment.units[:1])


def test_post_init_runs_on_the_copy():
    compute = Compute(accelerator=Sourced(AcceleratorKind.NONE))
    copy = compute.replaced(accelerator=Sourced("gpu", Span.point("t.yaml", 3)))
    assert copy.accelerator.value is AcceleratorKind.GPU
    assert_same_copy(compute, accelerator=Sourced("inferentia"))
    target = ScalingTarget(Sourced("endpoint/x"), Scaling(), LinkStatus.LINKED, "found")
    assert target.replaced(status="not-in-run").status is LinkStatus.NOT_IN_RUN  # type: ignore[arg-type]
    assert_same_copy(target, status="unresolved")


def test_the_original_is_untouched_and_the_copy_frozen():
    unit = Unit(name=Sourced("AllTraffic"))
    copy = unit.replaced(model_names=("model",))
    assert unit.model_names == () and copy.model_names == ("model",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.model_names = ()  # type: ignore[misc]


def test_a_field_the_type_does_not_have_raises_as_replace_does():
    with pytest.raises(TypeError, match="modle_names"):
        Unit().replaced(modle_names=("model",))


def test_a_subclass_defined_elsewhere_is_copied_by_replace():
    @dataclasses.dataclass(frozen=True)
    class Labelled(Unit):
        label: str = dataclasses.field(default="", init=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "label", f"{self.name.value}!")

    copy = Labelled(name=Sourced("a")).replaced(name=Sourced("b"))
    assert type(copy) is Labelled and copy.label == "b!"


def test_sourced_keeps_no_instance_dictionary():
    # The model's most made value: slots, not a __dict__ (about half its bytes).
    value = Sourced(3, Span.point("a.yaml", 2), note="written")
    assert not hasattr(value, "__dict__")
    assert_same_copy(value, value=4)
    assert_same_copy(value, note="changed", related=((Span.point("a.yaml", 1), "why"),))


@dataclasses.dataclass(frozen=True, slots=True)
class _SlottedBase(Replaceable):
    first: int
    second: str = "b"


@dataclasses.dataclass(frozen=True, slots=True)
class _SlottedChild(_SlottedBase):
    third: tuple = ()

    def __post_init__(self) -> None:
        if self.first < 0:
            object.__setattr__(self, "first", 0)


@pytest.mark.parametrize("changes", [{}, {"first": 5}, {"second": "x", "third": (1,)}, {"first": -1}])
def test_a_slotted_type_with_inherited_slots_is_replaced_as_replace_would(changes):
    assert_same_copy(_SlottedChild(1, "a", (2,)), **changes)
    assert_same_copy(_SlottedBase(1), **{key: value for key, value in changes.items() if key != "third"})


def test_an_unknown_field_of_a_slotted_type_is_refused_as_replace_refuses_it():
    with pytest.raises(TypeError):
        _SlottedChild(1).replaced(fourth=1)


def test_slot_setters_find_each_slot_along_the_bases_in_the_order_asked():
    from linter.copying import slot_setters

    value = object.__new__(_SlottedChild)
    for put, written in zip(slot_setters(_SlottedChild, "third", "first", "second"), ((1,), 2, "x")):
        put(value, written)
    assert (value.first, value.second, value.third) == (2, "x", (1,))
    with pytest.raises(KeyError):
        slot_setters(_SlottedChild, "fourth")

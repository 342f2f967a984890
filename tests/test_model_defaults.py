"""Model fields nothing sets share one default value (linter/model.py `NOT_WRITTEN`, `NO_PROFILE`, `_NO_COMPUTE`).

Building a `Unit` made ten `Sourced()` and a `Compute` (13.8 us, against
1.7 us with shared defaults): the defaults are frozen, so one of each
serves every object, and stays equal to a freshly made one.
"""

from __future__ import annotations

import dataclasses

import pytest

from linter import model
from linter.model import Compute, Deployment, DeploymentKind, Sourced, Unit, WorkloadProfile
from linter.nodes import Span


def _model_types() -> list[type]:
    return [
        value
        for value in vars(model).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__
    ]


def test_no_model_field_makes_its_sourced_default_per_object():
    for cls in _model_types():
        for item in dataclasses.fields(cls):
            assert item.default_factory not in (Sourced, Compute, WorkloadProfile), f"{cls.__name__}.{item.name}"


def test_unset_fields_share_one_value_equal_to_a_fresh_one():
    first, second = Unit(), Unit()
    assert first.count is second.count is first.name
    assert first.count == Sourced() and first.count.not_written()
    assert first.compute is second.compute and first.compute == Compute()
    deployment = Deployment("d", "test", Sourced(DeploymentKind.REALTIME), Span.point("d.yaml", 1))
    assert deployment.profile == WorkloadProfile() and deployment.profile.payload_mb is first.count


@pytest.mark.parametrize("accelerator", ["gpu", "inferentia"])
def test_a_given_value_is_still_read_as_before(accelerator):
    # Compute reads an accelerator written as its name; the shared default is untouched by it.
    compute = Compute(accelerator=Sourced(accelerator))
    assert compute.accelerator.value == model.AcceleratorKind(accelerator)
    assert Compute().accelerator == Sourced() and Unit().compute.accelerator == Sourced()
    changed = Unit().replaced(count=Sourced(3))
    assert changed.count.value == 3 and Unit().count == Sourced()


def test_sourced_s_written_out_init_takes_its_fields_in_order_with_their_defaults():
    # Sourced's __init__ is written by hand (speed): it must stay the one the dataclass would make.
    import inspect

    parameters = list(inspect.signature(Sourced.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Sourced)
    assert [parameter.name for parameter in parameters] == [item.name for item in fields]
    assert [parameter.default for parameter in parameters] == [item.default for item in fields]
    assert all(parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for parameter in parameters)


def test_sourced_is_still_a_frozen_hashable_value():
    span = Span.point("a.yaml", 2)
    value = Sourced(3, span, model.Provenance.INFERRED, "why", raw="3", options=(1,), related=((span, "here"),))
    assert (value.value, value.span, value.provenance, value.note, value.raw, value.options) == (3, span, model.Provenance.INFERRED, "why", "3", (1,))
    assert value.related == ((span, "here"),)
    assert value == Sourced(3, span, model.Provenance.INFERRED, "why", raw="3", options=(1,))  # related takes no part
    assert hash(value) == hash(Sourced(3, span, model.Provenance.INFERRED, "why", raw="3", options=(1,)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.note = "changed"  # type: ignore[misc]
    assert dataclasses.replace(value, note="other").note == "other" and value.replaced(note="other").note == "other"

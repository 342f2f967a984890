"""`Finding.replaced`: the copy a run makes of a finding at each step, equal to `dataclasses.replace`'s."""

from __future__ import annotations

import dataclasses

import pytest

from linter.nodes import Span
from linter.rules import Finding, Severity, Suppression

FINDING = Finding(
    Span("t.yaml", 3, 5, 3, 9),
    "EP001",
    "too big",
    Severity.WARNING,
    "payload-too-large",
    plugin="builtin",
    related=((Span.point("t.yaml", 1), "here"),),
)
CHANGES = [
    {"fingerprint": "abc"},
    {"subject": "Endpoint", "subject_span": Span.point("t.yaml", 2, 3), "variants": ("prod.json",)},
    {"severity": Severity.ERROR},
    {"suppression": Suppression("inline", "known", "t.yaml:3")},
    {"origin": "chart/templates/deploy.yaml", "message": "other"},
]


@pytest.mark.parametrize("changes", CHANGES)
def test_replaced_is_what_dataclasses_replace_makes(changes):
    copy = FINDING.replaced(**changes)
    expected = dataclasses.replace(FINDING, **changes)
    assert copy == expected
    assert {field.name: getattr(copy, field.name) for field in dataclasses.fields(Finding)} == {
        field.name: getattr(expected, field.name) for field in dataclasses.fields(Finding)
    }
    assert type(copy) is Finding
    assert FINDING.fingerprint == "" and FINDING.subject == ""  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.message = "changed"  # type: ignore[misc]


def test_replaced_refuses_a_field_finding_does_not_have():
    with pytest.raises(TypeError, match="fingerprnt"):
        FINDING.replaced(fingerprnt="abc")

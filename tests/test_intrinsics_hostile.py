"""Hostile intrinsics: self-references, reference cycles and long chains resolve fast, to an explicit unknown.

Each reproducer runs under a wall-clock deadline (`within`), so a
regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import time

import pytest

from linter import load_text
from linter.api import lint_text
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.intrinsics import Resolver, Unresolvable, is_known

from cpu_bound import within


def _resolver(text: str) -> tuple[Resolver, dict]:
    root = load_text("t.yaml", text).documents[0].root
    return Resolver(root), root.get("Resources")


def _property(resources, logical_id: str, name: str):
    return resources.get(logical_id).get("Properties").get(name)


def _endpoints(**names: str) -> str:
    """A template of endpoints with the given `EndpointName` expressions."""
    text = "Resources:\n"
    for logical_id, expression in names.items():
        text += (
            f"  {logical_id}:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n"
            f"      EndpointName: {expression}\n      EndpointConfigName: config\n"
        )
    return text


SELF_SUB = _endpoints(E="!Sub '${E.EndpointName}'")
SELF_SUB_TWICE = _endpoints(E="!Sub '${E.EndpointName}-${E.EndpointName}'")
SELF_JOIN = _endpoints(E="!Join ['-', [!GetAtt E.EndpointName, x]]")
SELF_JOIN_TWICE = _endpoints(E="!Join ['-', [!GetAtt E.EndpointName, !GetAtt E.EndpointName]]")
MUTUAL_SUBS = _endpoints(A="!Sub '${B.EndpointName}-a'", B="!Sub '${A.EndpointName}-b'")
MUTUAL_SUBS_TWICE = _endpoints(
    A="!Sub '${B.EndpointName}${B.EndpointName}'", B="!Sub '${A.EndpointName}${A.EndpointName}'"
)
LONG_FORM_SELF = _endpoints(E='{"Fn::GetAtt": [E, EndpointName]}')

CYCLES = {
    "self-sub": (SELF_SUB, ["E"]),
    "self-sub-twice": (SELF_SUB_TWICE, ["E"]),
    "self-join": (SELF_JOIN, ["E"]),
    "self-join-twice": (SELF_JOIN_TWICE, ["E"]),
    "mutual-subs": (MUTUAL_SUBS, ["A", "B"]),
    "mutual-subs-twice": (MUTUAL_SUBS_TWICE, ["A", "B"]),
    "long-form-self": (LONG_FORM_SELF, ["E"]),
}


@pytest.mark.parametrize("case", CYCLES)
def test_a_reference_cycle_is_unknown_with_the_reason(case):
    text, members = CYCLES[case]
    with within():
        resolver, resources = _resolver(text)
        for logical_id in members:
            value = resolver.resolve(_property(resources, logical_id, "EndpointName"))
            assert isinstance(value, Unresolvable), value
            assert not is_known(value)
            assert "circular reference" in value.reason
            assert all(f"{member}.EndpointName" in value.reason for member in members)


@pytest.mark.parametrize("case", CYCLES)
def test_a_reference_cycle_lints_fast(case):
    text, _ = CYCLES[case]
    with within():
        result = lint_text(text, "cycle.yaml")
    assert not [finding for finding in result.findings if finding.rule_id == "MD002"]


def test_a_cycle_reads_as_unknown_with_a_note():
    document = load_text("t.yaml", MUTUAL_SUBS).documents[0]
    template = TemplateContext.of(document)
    for logical_id in ("A", "B"):
        node = template.resources[logical_id].node.get("Properties").get("EndpointName")
        for read in (template.read_text, template.read_str):
            value = read(node)
            assert not value.known
            assert "circular reference" in value.note and "A.EndpointName" in value.note


def test_a_cycle_resolves_the_same_whichever_member_is_read_first():
    forward, resources = _resolver(MUTUAL_SUBS)
    a_first = [forward.resolve(_property(resources, name, "EndpointName")) for name in ("A", "B")]
    backward, resources = _resolver(MUTUAL_SUBS)
    b_first = [backward.resolve(_property(resources, name, "EndpointName")) for name in ("B", "A")][::-1]
    assert a_first == b_first


def test_a_value_built_on_a_cycle_is_unknown_too():
    text = MUTUAL_SUBS + (
        "  C:\n    Type: AWS::SageMaker::Endpoint\n    Properties:\n"
        "      EndpointName: !Sub '${A.EndpointName}-c'\n      EndpointConfigName: config\n"
    )
    resolver, resources = _resolver(text)
    value = resolver.resolve(_property(resources, "C", "EndpointName"))
    assert isinstance(value, Unresolvable) and "circular reference" in value.reason


def _model_chain(count: int, name_of_previous: str, reverse: bool = False) -> str:
    """`count` models; model i's name is built from model i-1's by `name_of_previous` (`{p}` = its ID)."""
    blocks = ["  M0:\n    Type: AWS::SageMaker::Model\n    Properties:\n      ModelName: m0\n      ExecutionRoleArn: arn\n"]
    for index in range(1, count):
        expression = name_of_previous.format(p=f"M{index - 1}")
        blocks.append(
            f"  M{index}:\n    Type: AWS::SageMaker::Model\n    Properties:\n"
            f"      ModelName: {expression}\n      ExecutionRoleArn: arn\n"
        )
    if reverse:
        blocks.reverse()
    return "Resources:\n" + "".join(blocks)


GETATT = "!GetAtt {p}.ModelName"
SUB = "!Sub '${{{p}.ModelName}}-x'"
JOIN_TWICE = "!Join ['', [!GetAtt {p}.ModelName, !GetAtt {p}.ModelName]]"


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "reversed"])
def test_a_chain_of_20_resolves_exactly(reverse):
    with within():
        resolver, resources = _resolver(_model_chain(20, SUB, reverse))
        assert resolver.resolve(_property(resources, "M19", "ModelName")) == "m0" + "-x" * 19
    with within():
        resolver, resources = _resolver(_model_chain(20, GETATT, reverse))
        assert resolver.resolve(_property(resources, "M19", "ModelName")) == "m0"


def test_a_chain_of_20_that_doubles_each_name_resolves_once_per_model():
    with within():
        resolver, resources = _resolver(_model_chain(20, JOIN_TWICE))
        value = resolver.resolve(_property(resources, "M12", "ModelName"))
        assert value == "m0" * 2**12
        # Past the length bound the name is unknown, with the reason, not a megabyte of text.
        value = resolver.resolve(_property(resources, "M19", "ModelName"))
        assert isinstance(value, Unresolvable) and "longer than" in value.reason


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "reversed"])
def test_a_chain_of_2000_resolves_well_under_a_second(reverse):
    text = _model_chain(2000, GETATT, reverse)
    resolver, resources = _resolver(text)
    with within(0.5) as elapsed:
        values = [resolver.resolve(_property(resources, f"M{index}", "ModelName")) for index in reversed(range(2000))]
    assert values == ["m0"] * 2000
    print(f"2,000-model chain resolved in {elapsed[0] * 1000:.0f} ms")


def test_a_ring_of_2000_is_unknown_and_fast():
    text = _model_chain(2000, SUB).replace("ModelName: m0\n", "ModelName: !Sub '${M1999.ModelName}-x'\n", 1)
    resolver, resources = _resolver(text)
    with within():
        values = [resolver.resolve(_property(resources, f"M{index}", "ModelName")) for index in range(2000)]
    assert all(isinstance(value, Unresolvable) for value in values)
    assert "2,000" in values[0].reason  # the ring is summarised, not listed whole


def test_a_chain_of_2000_that_doubles_each_name_is_bounded():
    text = _model_chain(2000, JOIN_TWICE)
    resolver, resources = _resolver(text)
    with within():
        value = resolver.resolve(_property(resources, "M1999", "ModelName"))
    assert isinstance(value, Unresolvable) and "longer than" in value.reason


def test_nested_conditions_keep_their_options_linear():
    # Each Fn::If keeps both branches; 30 nested ones are 31 leaves, not 2**30.
    nested = "x"
    for index in range(30):
        nested = f"!If [C{index}, {nested}, y{index}]"
    text = "Parameters:\n  P: {Type: String}\nConditions:\n" + "".join(
        f"  C{index}: !Equals [!Ref P, v{index}]\n" for index in range(30)
    ) + f"Resources: {{}}\nX: {nested}\n"
    root = load_text("t.yaml", text).documents[0].root
    with within():
        value = Resolver(root).resolve(root.get("X"))
        assert not is_known(value)
        assert str(value).count("|") == 30


def test_a_2000_chain_template_lints():
    text = _model_chain(2000, GETATT, reverse=True)
    start = time.perf_counter()
    result = lint_text(text, "chain.yaml")
    elapsed = time.perf_counter() - start
    assert not [finding for finding in result.findings if finding.rule_id == "MD002"]
    assert elapsed < 5, elapsed  # loading 2,000 resources dominates; resolution is measured above


def test_an_endpoint_whose_name_is_circular_says_so():
    (deployment,) = lint_text(SELF_JOIN_TWICE, "cycle.yaml").deployments
    assert deployment.name.value == "E"  # known by its logical ID ...
    assert deployment.name.note == (  # ... and explain says why
        "logical ID (EndpointName: a value in a circular reference (E.EndpointName refers to itself) is not known)"
    )

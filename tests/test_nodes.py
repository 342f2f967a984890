"""Located mapping nodes: the flat layout and the scanned look-up answer as the plain dict did."""

from __future__ import annotations

import gc
import math

import pytest

from linter.nodes import MappingNode, ScalarNode, SequenceNode, Span, iter_nodes, is_null, located_flat_mapping, located_mapping, to_python
from linter.source import load_text

SPAN = Span("m.yaml", 1, 1, 1, 2)


def scalar(value: object, tag: str = "str") -> ScalarNode:
    return ScalarNode(value, SPAN, tag)


def reference_get(pairs, key, default=None):
    """What `get` answered when every mapping kept a dict: text, number and boolean keys, the last winning, nulls left out."""
    index = {}
    for key_node, value in pairs:
        if type(key_node.value) is str or isinstance(key_node.value, (int, float, bool)):
            index[key_node.value] = value
    index = {name: value for name, value in index.items() if not is_null(value)}
    return index.get(key, default)


def mappings_to_check() -> list[tuple]:
    value, other, null, call = scalar("v"), scalar("w"), scalar(None, "null"), scalar(None, "!Ref")
    cases = [
        (),
        ((scalar("a"), value),),
        ((scalar("a"), value), (scalar("b"), null), (scalar("c"), call)),
        ((scalar("a"), value), (scalar("a"), other)),  # a repeated key, as a plugin may build: the last wins
        ((scalar("a"), value), (scalar("a"), null)),  # ... even when the last is null
        ((scalar("a"), null), (scalar("a"), value)),
        ((scalar(1, "int"), value), (scalar(True, "bool"), other)),  # 1 == True: one entry, as in a dict
        ((scalar(None, "null"), value), (scalar("b"), other)),  # a null key is not found
        ((scalar(1.5, "float"), value), (scalar("x"), other)),
        tuple((scalar(f"k{number}"), scalar(number, "int")) for number in range(12)),  # past the scanned size
        tuple((scalar(f"k{number}"), scalar(None, "null") if number % 3 else value) for number in range(8)),
    ]
    return cases


PROBES = ["a", "b", "c", "x", "k0", "k3", "k7", "k11", "missing", 1, True, 1.0, 1.5, 0, None, ""]


def _distinct_text(pairs) -> bool:
    keys = [key.value for key, _ in pairs]
    return all(type(key) is str for key in keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize("pairs", [pairs for pairs in mappings_to_check() if _distinct_text(pairs)])
def test_keys_known_distinct_give_the_same_look_up(pairs):
    flat = tuple(node for pair in pairs for node in pair)
    told = located_flat_mapping(flat, "map", "m.yaml", 1, 1, 1, 2, [key.value for key, _ in pairs])
    found = located_flat_mapping(flat, "map", "m.yaml", 1, 1, 1, 2)
    assert told._lookup == found._lookup
    for probe in PROBES:
        assert told.get(probe) is reference_get(pairs, probe), probe


@pytest.mark.parametrize("pairs", mappings_to_check())
def test_get_and_in_answer_as_the_dict_did(pairs):
    for node in (MappingNode(pairs, SPAN), located_mapping(pairs, "map", "m.yaml", 1, 1, 1, 2)):
        for probe in PROBES:
            expected = reference_get(pairs, probe)
            assert node.get(probe) is expected, probe
            assert node.get(probe, SPAN) is (SPAN if expected is None else expected), probe
            assert (probe in node) is (expected is not None), probe


@pytest.mark.parametrize("pairs", mappings_to_check())
def test_the_flat_layout_keeps_pairs_order_and_keys(pairs):
    node = MappingNode(pairs, SPAN)
    assert node.pairs == pairs
    assert node.flat == tuple(part for pair in pairs for part in pair)
    assert len(node) == len(pairs)
    assert node.keys() == [key.value for key, _ in pairs]
    assert list(node.items()) == [(key.value, value) for key, value in pairs]
    for key, _ in pairs:
        assert node.key_node(key.value) is [candidate for candidate, _ in pairs if candidate.value == key.value][-1]
    assert node.key_node("missing") is None
    flat = located_flat_mapping(node.flat, "map", "m.yaml", 1, 1, 1, 2)
    assert flat.pairs == pairs and flat.flat is node.flat


def test_nan_key_is_found_by_the_same_object_only():
    nan = math.nan
    node = MappingNode(((scalar(nan, "float"), scalar("v")),), SPAN)
    assert node.get(nan) is node.flat[1]
    assert node.get(float("nan")) is None


def test_a_small_text_mapping_keeps_no_dict():
    """A node is ~10 bytes of text: a mapping of a few text keys keeps tuples only (a dict is ~200 bytes)."""
    root = load_text("m.yaml", "a: 1\nb: x\nc: ~\nd: [1, 2]\n").documents[0].root
    assert isinstance(root, MappingNode)
    assert not any(isinstance(part, dict) for part in gc.get_referents(root))
    assert [type(part) for part in gc.get_referents(root) if isinstance(part, tuple)] == [tuple, tuple]
    assert root.get("a").value == 1 and root.get("c") is None and "c" not in root and root.key_node("c") is not None


def test_a_large_mapping_is_looked_up_through_a_dict():
    text = "".join(f"key{number}: {number}\n" for number in range(40))
    root = load_text("m.yaml", text).documents[0].root
    assert any(isinstance(part, dict) for part in gc.get_referents(root))
    assert all(root.get(f"key{number}").value == number for number in range(40))


def test_walks_and_conversion_read_the_flat_layout():
    source = load_text("m.yaml", "base: &b {x: 1, y: [a, b]}\nother: *b\nlist: [1, {z: ~}]\n")
    root = source.documents[0].root
    assert to_python(root) == {"base": {"x": 1, "y": ["a", "b"]}, "other": {"x": 1, "y": ["a", "b"]}, "list": [1, {"z": None}]}
    walked = list(iter_nodes(root))
    assert len(walked) == len({id(node) for node in walked})
    assert [node.value for node in walked if isinstance(node, ScalarNode)][:6] == ["base", "x", 1, "y", "a", "b"]
    assert sum(isinstance(node, SequenceNode) for node in walked) == 2


def test_span_is_made_as_its_dataclass_would_make_it():
    # Span.__init__ is written out (linter/nodes.py `_span_init`): its parameters are the fields, in
    # order, and the result is the frozen, ordered, hashable value the dataclass describes.
    import dataclasses
    import inspect

    names = [field.name for field in dataclasses.fields(Span)]
    assert list(inspect.signature(Span).parameters) == names
    span = Span("a.yaml", 3, 4, 5, 6)
    assert [getattr(span, name) for name in names] == ["a.yaml", 3, 4, 5, 6]
    assert span == Span("a.yaml", 3, 4, 5, 6) and hash(span) == hash(Span("a.yaml", 3, 4, 5, 6))
    assert Span("a.yaml", 3, 4, 5, 6) < Span("a.yaml", 3, 5, 5, 6) < Span("b.yaml", 1, 1, 1, 1)
    assert Span.point("a.yaml", 2) == Span("a.yaml", 2, 1, 2, 1)
    assert repr(span) == "Span(path='a.yaml', line=3, column=4, end_line=5, end_column=6)"
    assert dataclasses.replace(span, line=9) == Span("a.yaml", 9, 4, 5, 6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Span("a.yaml", 1, 2)  # type: ignore[call-arg]
    assert not hasattr(span, "__dict__")


def test_mappings_of_the_same_keys_share_one_key_tuple_and_still_read_their_own_values():
    text = "a: {name: x, namespace: n}\nb: {name: y, namespace: m}\nc: {name: z, namespace: }\n"
    root = load_text("keys.yaml", text).documents[0].root
    first, second, third = (root.get(key) for key in "abc")
    assert first._lookup is second._lookup  # one tuple for the two
    assert third._lookup is not first._lookup  # a null value hides its key: another tuple
    assert [first.get("name").value, second.get("name").value, third.get("name").value] == ["x", "y", "z"]
    assert third.get("namespace") is None and "namespace" not in third and "namespace" in second


def test_the_shared_key_tuples_are_bounded(monkeypatch):
    import linter.nodes as nodes

    monkeypatch.setattr(nodes, "_SHARED_KEYS", {})
    monkeypatch.setattr(nodes, "_MAX_SHARED_KEYS", 3)
    text = "".join(f"m{index}: {{k{index}: 1}}\n" for index in range(10))
    root = load_text("many.yaml", text).documents[0].root
    assert len(nodes._SHARED_KEYS) == 3
    assert [root.get(f"m{index}").get(f"k{index}").value for index in range(10)] == [1] * 10

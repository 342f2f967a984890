"""YAML 1.2 colons in flow collections read by libyaml through masking (linter/flow_colons.py).

The oracle is ruamel.yaml's pure-Python composer (YAML 1.2), which the
loader used for such files before: the masked libyaml reading must give
the same data and the same scalar positions, without calling it.
"""

from __future__ import annotations

import pytest

from linter import flow_colons, source
from linter.nodes import ScalarNode, iter_nodes, to_python
from linter.source import LoadLimits, load_text

# Each is rejected by libyaml ("found unexpected ':'") and valid YAML 1.2.
ONE_POINT_TWO_COLONS = {
    "ref in a flow sequence": "Region: [!Ref AWS::Region, x]\n",
    "arn in a flow mapping": "Policy: {Arn: arn:aws:s3:::bucket/*, Effect: Allow}\n",
    "quoted and plain side by side": "x: [a:b, \"c:d\", 'e:f', g]\n",
    "json-like key beside a plain colon": 'm: {"k":v, x: [AWS::Region]}\n',
    "block scalar and comment with colons": "s: |\n  a:b\n  c: d\n# note:x\nl: [x:y]\n",
    "url in a flow sequence": "urls: [http://example.com/a:b, https://x.y]\n",
    "plain key with a colon in a flow mapping": "m: {a:b: c, d: e:f}\n",
    "non-ascii before the colon": "names: [é:1, AWS::Region, 'ü:2']  # ç\n",
    "join of an arn": "Uri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':runtime']]\n",
    "multi-document stream": "a: [AWS::Region]\n---\nb: {c: arn:aws:iam::aws:policy/x}\n",
    "multi-line flow sequence": "l: [\n  AWS::Region,\n  arn:aws:s3:::b\n]\n",
    "crlf line ends": "l: [AWS::Region, a:b]\r\nm: {k: v:w}\r\n",
    "anchor and alias": "a: &r [AWS::Region, x:y]\nb: *r\n",
    "placeholder character already in the text": "a: [AWS::Region, \ue000]\n",
}


def _pure_reading(text: str) -> tuple[list, list]:
    problems: list = []
    roots, error = source._read("f.yaml", text, LoadLimits(), problems, pure=True)
    assert error is None, error
    return roots, problems


def _scalars(root) -> list[tuple[object, int, int, int, int]]:
    return [
        (node.value, node.span.line, node.span.column, node.span.end_line, node.span.end_column)
        for node in iter_nodes(root)
        if isinstance(node, ScalarNode)
    ]


@pytest.mark.parametrize("text", ONE_POINT_TWO_COLONS.values(), ids=ONE_POINT_TWO_COLONS.keys())
def test_libyaml_reads_yaml_1_2_colons_as_the_pure_composer_does(text, monkeypatch):
    expected_roots, expected_problems = _pure_reading(text)
    calls = []
    original = source._pure_events
    monkeypatch.setattr(source, "_pure_events", lambda text: calls.append(text) or original(text))

    loaded = load_text("f.yaml", text)

    assert calls == [], "composed by the pure-Python composer"
    assert loaded.problems == tuple(expected_problems)
    assert [to_python(document.root) for document in loaded.documents] == [to_python(root) for root in expected_roots]
    assert [_scalars(document.root) for document in loaded.documents] == [_scalars(root) for root in expected_roots]


def test_only_colons_that_cannot_be_indicators_are_masked():
    text = 'a: {"k":v, x: y:z, w: [q:]}\nb: c\n'
    masked, placeholder = flow_colons.masked(text)
    assert masked == 'a: {"k":v, x: y' + placeholder + 'z, w: [q:]}\nb: c\n'
    assert flow_colons.masked("a: b\nc: [d, e]\n") is None


def test_a_text_holding_every_placeholder_is_not_masked():
    every = "".join(chr(code) for code in range(0xE000, 0xE100))
    assert flow_colons.masked(f"a: [AWS::Region, '{every}']\n") is None
    # ... and still reads, by the pure-Python composer.
    loaded = load_text("f.yaml", f"a: [AWS::Region, '{every}']\n")
    assert to_python(loaded.documents[0].root) == {"a": ["AWS::Region", every]}


@pytest.mark.parametrize(
    "text",
    [
        # A verbatim tag holds colons libyaml cannot read once masked: the pure composer reads it.
        "a: !<tag:yaml.org,2002:str> [AWS::Region]\n",
        # A real syntax error after a YAML 1.2 colon: reported where the pure composer reports it.
        "a: [AWS::Region, b]\nc: [d\n",
        "a: [AWS::Region]\nb: {c: d\n---\ne: f\n",
    ],
)
def test_where_masking_does_not_help_the_pure_composer_reads_the_file(text, monkeypatch):
    calls = []
    original = source._pure_events
    monkeypatch.setattr(source, "_pure_events", lambda text: calls.append(text) or original(text))
    loaded = load_text("f.yaml", text)
    assert calls, "the pure-Python composer was not asked"
    monkeypatch.setattr(flow_colons, "masked", lambda text: None)
    unmasked = load_text("f.yaml", text)
    assert loaded.problems == unmasked.problems
    assert [to_python(document.root) for document in loaded.documents] == [
        to_python(document.root) for document in unmasked.documents
    ]

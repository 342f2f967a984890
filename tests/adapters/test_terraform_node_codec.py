"""Terraform files in the parse cache: their `Attribute` nodes written and read back by the plugin's codec.

A parsed `.tf` file read back from plain data (JSON for the disk cache,
pickling for `--jobs` workers) must be the file the HCL reader made: the
same nodes, and every attribute's expression tree equal, class by class,
span by span. A run reading them from the cache reports what a run parsing
them does, and parses none of them.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import plugins.adapters.terraform.hcl as hcl
from linter import LoadLimits, Span, iter_nodes, source_codec
from linter.api import lint_paths
from linter.config import Config
from linter.disk_cache import open_cache, run_salt
from linter.engine import LintOptions
from linter.plugin_manager import build_plugin_host
from plugins.adapters.terraform.hcl import Attribute, Literal, TupleExpr, load_hcl
from plugins.adapters.terraform.node_codec import MAX_NESTING, decode_attribute, encode_attribute

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "terraform"
NATIVE = sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".tf", ".tfvars"))


def _nodes(source) -> list:
    """Every node of the file: its type, span, tag, value, style, and an attribute's expression."""
    found = []
    for document in source.documents:
        for node in iter_nodes(document.root):
            value = getattr(node, "value", None)
            found.append((type(node), node.span, node.tag, repr(value), getattr(node, "style", None), getattr(node, "expression", None)))
    return found


def _codecs():
    return build_plugin_host().node_codecs()


def test_the_fixtures_hold_attributes_of_every_expression_class():
    # Otherwise the round trips below would prove little.
    kinds = set()
    for path in NATIVE:
        for node in iter_nodes(load_hcl(str(path), path.read_text(encoding="utf-8"), LoadLimits()).documents[0].root):
            pending = [getattr(node, "expression", None)]
            while pending:
                item = pending.pop()
                if isinstance(item, tuple):
                    pending.extend(item)
                elif isinstance(item, hcl.Expression):
                    kinds.add(type(item).__name__)
                    pending.extend(getattr(item, name) for name in item.__dataclass_fields__ if name not in ("span", "text"))
    assert len(NATIVE) >= 20
    assert {"Literal", "Template", "Reference", "Call", "Conditional", "Operation", "TupleExpr", "ObjectExpr"} <= kinds


@pytest.mark.parametrize("path", NATIVE, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_native_fixture_survives_json_and_pickling(path: Path):
    text = path.read_text(encoding="utf-8")
    source = load_hcl(str(path), text, LoadLimits())
    codecs = _codecs()
    data = source_codec.encode(source, text, codecs)
    for carried in (json.loads(json.dumps(data)), pickle.loads(pickle.dumps(data))):
        back = source_codec.decode(carried, text, codecs)
        assert _nodes(back) == _nodes(source)
        assert back.problems == source.problems and back.text == source.text


def test_a_cached_run_reports_what_a_parsing_run_does_and_parses_no_terraform_file(tmp_path: Path, monkeypatch):
    host = build_plugin_host()
    cache = open_cache(str(tmp_path / "cache"), run_salt(host, Config()))
    directory = str(FIXTURES)
    expected = lint_paths([directory], LintOptions(), host=host)
    first = lint_paths([directory], LintOptions(disk_cache=cache), host=host)
    parsed = []
    original = hcl.load_hcl
    monkeypatch.setattr(hcl, "load_hcl", lambda *args: parsed.append(args[0]) or original(*args))
    again = lint_paths([directory], LintOptions(disk_cache=cache), host=host)
    for result in (first, again):
        assert [(f.sort_key, f.message) for f in result.findings] == [(f.sort_key, f.message) for f in expected.findings]
        assert result.deployments == expected.deployments
    # Files under the cache's minimum size are parsed again (reading an entry would be no faster).
    from linter.disk_cache import MIN_ENTRY_BYTES

    assert sorted(parsed) == sorted(str(path) for path in NATIVE if path.stat().st_size < MIN_ENTRY_BYTES)
    assert len(parsed) < len(NATIVE) / 2


def _attribute(text: str) -> Attribute:
    source = load_hcl("main.tf", f"locals {{\n  x = {text}\n}}\n", LoadLimits())
    return next(node for node in iter_nodes(source.documents[0].root) if isinstance(node, Attribute))


@pytest.mark.parametrize(
    "change",
    [
        lambda data: ["Nothing", 1, 1, 1, 2, "x"],  # an unknown class
        lambda data: data[:-1],  # a field missing
        lambda data: [data[0], "1", *data[2:]],  # a line that is not a number
        lambda data: [data[0], *data[1:5], 7, *data[6:]],  # a text that is not text
        lambda data: {"a": data},
        lambda data: [],
        lambda data: ["(", data],  # a tuple where an expression is
        lambda data: [data[0], *data[1:6], ["(", {"a": 1}]],  # a value no expression holds
    ],
)
def test_decode_refuses_what_encode_did_not_write(change):
    attribute = _attribute('[var.a, "b", 1]')
    data = encode_attribute(attribute)
    assert decode_attribute(attribute, data).expression == attribute.expression
    with pytest.raises(ValueError):
        decode_attribute(attribute, change(data))


def test_an_expression_that_does_not_match_its_node_is_refused():
    one, other = _attribute('"one"'), _attribute('"other"')
    with pytest.raises(ValueError):
        decode_attribute(one, encode_attribute(other))


def test_nesting_beyond_the_bound_is_neither_written_nor_read():
    span = Span("main.tf", 2, 7, 2, 8)
    deep = Literal(span, "1", 1)
    for _ in range(MAX_NESTING):
        deep = TupleExpr(span, "[...]", (deep,))
    attribute = Attribute(deep)
    with pytest.raises(ValueError):
        encode_attribute(attribute)
    data: list = ["Literal", 2, 7, 2, 8, "1", 1]
    for _ in range(MAX_NESTING):
        data = ["TupleExpr", 2, 7, 2, 8, "[...]", ["(", data]]
    with pytest.raises(ValueError):
        decode_attribute(attribute, data)

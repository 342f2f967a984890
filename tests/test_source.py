"""Unit tests of the loader (`linter.source`): decoding, parsing, limits, positions.

Every bad input must come back as a located `LoadProblem`, never as an
exception; these tests pin the exact message fragments and positions.
"""

from __future__ import annotations

import codecs
import math

import pytest

from linter.nodes import MappingNode, ScalarNode, SequenceNode, Span, iter_nodes, to_python
from linter.source import LoadLimits, decode_bytes, load_text, resolve_plain_scalar

# Nine levels of nine-fold aliases: 9**9 (387 million) leaves once expanded.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
)
DEEP = 5000


def problems_of(text: str, path: str = "f.yaml", limits: LoadLimits = LoadLimits()) -> list[tuple[str, int, int]]:
    """(message, line, column) of every problem found loading `text`."""
    return [(problem.message, problem.span.line, problem.span.column) for problem in load_text(path, text, limits).problems]


def only_root(text: str, path: str = "f.yaml", limits: LoadLimits = LoadLimits()):
    """The root of the single document `text` holds, asserting nothing went wrong."""
    source = load_text(path, text, limits)
    assert source.problems == ()
    assert len(source.documents) == 1
    return source.documents[0].root


def pair_spans(mapping: MappingNode) -> dict[object, tuple[Span, Span]]:
    return {key.value: (key.span, value.span) for key, value in mapping.pairs}


# --- decoding bytes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_decode_honours_byte_order_marks_and_strips_them(bom, encoding):
    text, problem = decode_bytes("f.yaml", bom + "a: café\r\nb: 2\r\n".encode(encoding))
    assert problem is None
    assert text == "a: café\r\nb: 2\r\n"


def test_decode_plain_utf8_without_bom():
    assert decode_bytes("f.yaml", "name: zoë\n".encode()) == ("name: zoë\n", None)


def test_decode_reports_nul_bytes_as_binary():
    text, problem = decode_bytes("model.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert text is None
    assert problem.message == "binary file (contains NUL bytes), not YAML or JSON text"
    assert problem.span == Span.point("model.yaml", 1, 1)


def test_decode_reports_utf16_without_bom_as_binary():
    # Without a BOM the encoding cannot be told; its NUL bytes mark it binary.
    text, problem = decode_bytes("f.yaml", "a: 1\n".encode("utf-16-le"))
    assert text is None
    assert "binary file" in problem.message


def test_decode_locates_the_first_undecodable_byte():
    text, problem = decode_bytes("f.yaml", b"a: 1\nb: caf\xe9\n")
    assert text is None
    assert problem.message == "file is not valid UTF-8 text (undecodable byte 0xe9)"
    assert (problem.span.line, problem.span.column) == (2, 7)


def test_decode_reports_an_illegal_utf16_surrogate():
    # A high surrogate followed by 'a' is not UTF-16.
    data = codecs.BOM_UTF16_LE + "x: 1\n".encode("utf-16-le") + b"\x00\xd8a\x00"
    text, problem = decode_bytes("f.yaml", data)
    assert text is None
    assert problem.message.startswith("file is not valid UTF-16-LE text")
    assert problem.span.line == 2


def test_decode_column_after_utf8_bom_ignores_the_bom():
    _, problem = decode_bytes("f.yaml", codecs.BOM_UTF8 + b"a: \xff\n")
    assert (problem.span.line, problem.span.column) == (1, 4)


@pytest.mark.xfail(
    strict=True,
    reason="the 'truncated' message of _decode_problem is unreachable: an odd trailing UTF-16 byte "
    "is reported as 'undecodable byte 0x00'",
)
def test_decode_reports_truncated_utf16_as_truncated():
    _, problem = decode_bytes("f.yaml", codecs.BOM_UTF16_LE + "a: 1\n".encode("utf-16-le") + b"\x00")
    assert problem.message == "file is not valid UTF-16-LE text (truncated)"


# --- empty and trivial input --------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n  \n", "# only a comment\n   # and another\n", "\ufeff", "\r\n\r\n"])
def test_empty_whitespace_and_comment_only_text_has_no_document_and_no_problem(text):
    source = load_text("f.yaml", text)
    assert source.documents == ()
    assert source.problems == ()


@pytest.mark.xfail(
    strict=True,
    reason="libyaml rejects a tab at the start of a blank or comment line, which YAML 1.2 allows; "
    "the loader passes the error on as MD001",
)
@pytest.mark.parametrize("text", ["\t\n", "# settings\n\t# indented with a tab\n", "a: 1\n\t\nb: 2\n"])
def test_tab_only_blank_lines_are_not_errors(text):
    assert load_text("f.yaml", text).problems == ()


def test_tab_on_a_blank_line_is_at_least_located():
    assert problems_of("a:\n  x: 1\n\t\n  y: 2\n") == [
        (
            "YAML syntax error: found a tab character that violates indentation "
            "(while scanning a plain scalar started at line 2, column 6)",
            3,
            1,
        )
    ]


def test_a_lone_document_marker_is_one_empty_document():
    source = load_text("f.yaml", "---\n")
    assert source.problems == ()
    assert len(source.documents) == 1
    root = source.documents[0].root
    assert isinstance(root, ScalarNode) and root.value is None


# --- syntax errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "line", "column"),
    [
        (
            "a: [1, 2\nb: 3\n",
            "did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 4)",
            2,
            2,
        ),
        ("a: b: c\n", "mapping values are not allowed in this context", 1, 5),
        ("a:\n\t- 1\n", "found character that cannot start any token", 2, 1),
        ("a: *nope\n", "found undefined alias", 1, 4),
        ("a: 1\n" * 100 + "b: \x00\n", "control characters are not allowed", 1, 1),
    ],
    ids=["unclosed-flow", "nested-colon", "tab-indent", "undefined-alias", "nul-after-8k"],
)
def test_yaml_syntax_errors_are_located_problems(text, fragment, line, column):
    source = load_text("f.yaml", text)
    assert len(source.problems) == 1
    problem = source.problems[0]
    assert problem.message.startswith("YAML syntax error: ")
    assert fragment in problem.message
    assert (problem.span.line, problem.span.column) == (line, column)


def test_a_broken_document_costs_that_document_only():
    source = load_text("f.yaml", "a: 1\n---\nb: [\n---\nc: 3\n")
    assert [to_python(document.root) for document in source.documents] == [{"a": 1}, {"c": 3}]
    assert [(p.span.line, p.span.column) for p in source.problems] == [(4, 1)]
    assert source.documents[1].root.span.line == 5, "lines after the broken document keep their numbers"


def test_several_broken_documents_are_each_reported_and_the_rest_read():
    text = "a: 1\n---\nb: [\n---\nc: 3\n---\nd: {e\n---\n- f\n"
    source = load_text("f.yaml", text)
    assert [to_python(document.root) for document in source.documents] == [{"a": 1}, {"c": 3}, ["f"]]
    assert [p.span.line for p in source.problems] == [4, 8]


def test_a_broken_last_document_keeps_the_ones_before():
    source = load_text("f.yaml", "a: 1\n---\nb: [\n")
    assert [to_python(document.root) for document in source.documents] == [{"a": 1}]
    assert len(source.problems) == 1


def test_multi_document_yaml_gives_one_document_each():
    source = load_text("f.yaml", "a: 1\n---\nb: 2\n--- \n- x\n...\n")
    assert source.problems == ()
    assert [document.index for document in source.documents] == [0, 1, 2]
    assert [to_python(document.root) for document in source.documents] == [{"a": 1}, {"b": 2}, ["x"]]
    assert [document.span.line for document in source.documents] == [1, 3, 5]
    assert all(document.source is source for document in source.documents)


# --- BOM and line endings ----------------------------------------------------------------


def test_bom_and_crlf_keep_lines_and_columns_exact():
    text = "\ufeffkind: x\r\nspec:\r\n  size: 3\r\nkind: y\r\n"
    source = load_text("f.yaml", text)
    assert source.text == text[1:]
    assert source.lines == ["kind: x", "spec:", "  size: 3", "kind: y"]
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("duplicate key 'kind' (first at line 1); the last value is used", 4, 1)
    ]
    root = source.documents[0].root
    assert root.key_node("kind").span == Span("f.yaml", 4, 1, 4, 5)
    size = root.get("spec").pairs[0]
    assert (size[0].span.line, size[0].span.column, size[1].span.column) == (3, 3, 9)


def test_crlf_syntax_error_line_is_exact():
    assert problems_of("\ufeffa: 1\r\nb: [1,\r\n  2\r\nc: 3\r\n")[0][1:] == (4, 2)


# --- limits ----------------------------------------------------------------------------------


def test_text_above_max_bytes_is_not_parsed():
    limits = LoadLimits(max_bytes=100)
    assert load_text("f.yaml", "a: [\n" + "#" * 95, limits).problems[0].message.startswith("YAML syntax error")
    source = load_text("f.yaml", "a: [\n" + "#" * 96, limits)
    assert source.documents == ()
    assert len(source.problems) == 1
    assert "above the" in source.problems[0].message and "limit; not parsed" in source.problems[0].message
    assert source.problems[0].span == Span.point("f.yaml", 1, 1)


def test_size_message_names_mebibytes():
    limits = LoadLimits(max_bytes=2 * 1048576)
    (message, line, column), = problems_of("#" * (3 * 1048576), limits=limits)
    assert message == "file is 3.0 MiB, above the 2 MiB limit; not parsed"
    assert (line, column) == (1, 1)


def test_max_bytes_counts_bytes_not_characters():
    text = "a: " + "é" * 60 + "\n"  # 64 characters, 124 bytes of UTF-8
    assert problems_of(text, limits=LoadLimits(max_bytes=100)) != []


def test_max_depth_boundary_and_position():
    text = "a: {b: {c: 1}}\n"  # three mappings deep
    assert only_root(text, limits=LoadLimits(max_depth=3)) is not None
    source = load_text("f.yaml", text, LoadLimits(max_depth=2))
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("nesting deeper than 2 levels; document not linted", 1, 8)
    ]
    assert [document.root for document in source.documents] == [None]


def test_expanded_node_limit_counts_aliases_expanded():
    # root 1 + key a 1 + [1,2,3] 4 + key b 1 + [*a, *a] (1 + 4 + 4) = 16 nodes.
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    assert only_root(text, limits=LoadLimits(max_expanded_nodes=16)) is not None
    assert problems_of(text, limits=LoadLimits(max_expanded_nodes=15)) == [
        ("document expands to more than 15 nodes through aliases (an alias bomb?); not linted", 1, 1)
    ]


def test_aliases_are_shared_not_copied():
    root = only_root("a: &a {x: [1, 2]}\nb: *a\nc: *a\n")
    assert root.get("a") is root.get("b") is root.get("c")
    # root, keys a/b/c, the shared mapping once, its key x, [1, 2], 1 and 2
    assert len(list(iter_nodes(root))) == 9


def test_alias_bomb_is_refused_quickly():
    source = load_text("bomb.yaml", ALIAS_BOMB)
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("document expands to more than 1,000,000 nodes through aliases (an alias bomb?); not linted", 7, 4)
    ]
    assert [document.root for document in source.documents] == [None]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("&a [*a]\n", 1, 1), ("a: &x\n  b: *x\n", 1, 4), ("- &l [1, [2, *l]]\n", 1, 3)],
    ids=["sequence", "mapping", "nested"],
)
def test_recursive_alias_is_refused(text, line, column):
    source = load_text("f.yaml", text)
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("recursive alias (a node contains itself); document not linted", line, column)
    ]
    assert [document.root for document in source.documents] == [None]


def spans_of(source) -> list[tuple[str, int, int, int, int]]:
    return [(p.message, p.span.line, p.span.column, p.span.end_line, p.span.end_column) for p in source.problems]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("a: &x\n  b:\n    c: [*x, {d: 1}]\n  e: [1, 2]\nf: 3\n", (1, 4, 5, 1)),  # the anchored mapping, to its end
        ("- &l [1, [2, *l], 3]\n- 4\n", (1, 3, 1, 21)),
    ],
    ids=["mapping", "sequence"],
)
def test_a_recursive_alias_is_located_at_the_whole_collection_it_names(text, span):
    assert spans_of(load_text("f.yaml", text)) == [("recursive alias (a node contains itself); document not linted", *span)]


def test_a_collection_too_deep_is_located_from_its_start_to_its_end():
    source = load_text("f.yaml", "a:\n  b:\n    c: [1, [2]]\n    d: 1\ne: 2\n", LoadLimits(max_depth=2))
    assert spans_of(source) == [("nesting deeper than 2 levels; document not linted", 3, 5, 5, 1)]


@pytest.mark.parametrize(
    ("text", "limits", "message", "line"),
    [
        ("a: &a [1, 2, 3]\nb: [*a, *a]\nc: [\n", LoadLimits(max_expanded_nodes=15), "YAML syntax error", 4),
        ("a: &a [1, 2, 3]\nb: [*a, *a]\nc: *nowhere\n", LoadLimits(max_expanded_nodes=15), "found undefined alias", 3),
        ("a: [[[1]]]\nb: &k 1\nc: &k 2\n", LoadLimits(max_depth=2), "found duplicate anchor", 3),
        ("a: &x [*x]\nb: {\n", LoadLimits(), "YAML syntax error", 3),
    ],
    ids=["bomb-then-syntax-error", "bomb-then-undefined-alias", "too-deep-then-repeated-anchor", "recursion-then-syntax-error"],
)
def test_an_error_later_in_the_document_is_reported_instead_of_a_limit(text, limits, message, line):
    # A document is read whole before its limits count, as ruamel.yaml's composers read it.
    source = load_text("f.yaml", text, limits)
    assert [(message in p.message, p.span.line) for p in source.problems] == [(True, line)]
    assert [document.root for document in source.documents] == []


def test_a_document_breaking_a_limit_leaves_the_next_documents_read():
    source = load_text("f.yaml", "a: &a [1, 2, 3]\nb: [*a, *a]\n---\nc: 1\n", LoadLimits(max_expanded_nodes=15))
    assert [p.span.line for p in source.problems] == [1]
    first, second = source.documents
    assert first.root is None and to_python(second.root) == {"c": 1}


def test_the_duplicate_keys_of_a_mapping_over_the_expansion_limit_are_reported_before_it():
    assert problems_of("c: 1\na: &a [1, 2, 3]\nb: [*a, *a]\nc: 2\n", limits=LoadLimits(max_expanded_nodes=15)) == [
        ("duplicate key 'c' (first at line 1); the last value is used", 4, 1),
        ("document expands to more than 15 nodes through aliases (an alias bomb?); not linted", 1, 1),
    ]


def test_a_duplicate_key_of_a_document_with_a_syntax_error_is_not_reported():
    # Nothing of the broken document is read: its problem is the syntax error alone.
    assert [message.split(":")[0] for message, _, _ in problems_of("a: 1\na: 2\nb: [\n")] == ["YAML syntax error"]


def test_libyaml_refuses_a_repeated_anchor_and_the_yaml_1_2_reading_keeps_the_last():
    assert problems_of("a: &k 1\nb: &k 2\nc: *k\n") == [
        ("YAML syntax error: second occurrence (found duplicate anchor; first occurrence started at line 1, column 4)", 2, 4)
    ]
    # A file only the pure-Python parser reads (a verbatim tag beside a YAML 1.2 colon).
    text = "v: !<tag:yaml.org,2002:str> [AWS::Region]\na: &k 1\nb: &k 2\nc: *k\n"
    assert to_python(only_root(text))["c"] == 2


@pytest.mark.parametrize("text", ["a: 1\nb: [x]\n", "r: [!Ref AWS::Region]\na: 1\nb: [x]\n", "v: !<tag:x> [AWS::Region]\na: 1\nb: [x]\n"])
def test_untagged_nodes_get_the_default_tags_whichever_parser_reads_them(text):
    root = only_root(text)
    assert (root.tag, root.get("a").tag, root.get("b").tag) == ("map", "str", "seq")


@pytest.mark.parametrize(
    ("path", "text", "line", "column"),
    [
        ("deep.json", "[" * DEEP + "]" * DEEP, 1, 257),
        ("deep.json", '{"a": ' * DEEP + "1" + "}" * DEEP, 1, 1 + 6 * 256),
        ("flow.yaml", "[" * DEEP + "]" * DEEP, 1, 257),
        ("flow.yaml", "{a: " * DEEP + "1" + "}" * DEEP, 1, 1 + 4 * 256),
        ("block.yaml", "- " * DEEP + "x\n", 1, 1 + 2 * 256),
        ("block.yaml", "".join(" " * level + "a:\n" for level in range(DEEP)) + " " * DEEP + "1\n", 257, 257),
    ],
    ids=["json-array", "json-object", "yaml-flow-seq", "yaml-flow-map", "yaml-block-seq", "yaml-block-map"],
)
def test_5000_deep_nesting_stops_at_the_first_level_too_deep(path, text, line, column):
    source = load_text(path, text)
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("nesting deeper than 256 levels; document not linted", line, column)
    ]


def test_256_deep_nesting_is_allowed():
    root = only_root("[" * 256 + "]" * 256, "deep.json")
    depth = 0
    while isinstance(root, SequenceNode) and len(root):
        root, depth = root[0], depth + 1
    assert depth == 255


# --- duplicate keys and merge keys --------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_duplicate_and_last_value_wins():
    source = load_text("f.yaml", "a: 1\nb: 2\nc:\n  a: 9\n  a: 10\na: 3\n")
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("duplicate key 'a' (first at line 4); the last value is used", 5, 3),
        ("duplicate key 'a' (first at line 1); the last value is used", 6, 1),
    ]
    root = source.documents[0].root
    assert to_python(root) == {"b": 2, "c": {"a": 10}, "a": 3}
    assert root.key_node("a").span.line == 6


def test_duplicate_json_keys_are_reported_too():
    source = load_text("f.json", '{\n  "a": 1,\n  "a": 2\n}\n')
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("duplicate key 'a' (first at line 2); the last value is used", 3, 3)
    ]
    assert to_python(source.documents[0].root) == {"a": 2}


def test_keys_of_different_types_or_quoting_are_distinct():
    root = only_root("1: int\n'1': str\nnull: none\n'null': text\n")
    assert to_python(root) == {1: "int", "1": "str", None: "none", "null": "text"}


def test_nan_keys_are_compared_by_spelling():
    assert problems_of(".nan: 1\n.NaN: 2\n") == [("duplicate key nan (first at line 1); the last value is used", 2, 1)]


def test_boolean_and_integer_keys_are_not_duplicates():
    assert problems_of("true: a\n1: b\n") == []


def test_merge_key_explicit_keys_win_without_a_duplicate_report():
    text = "base: &base\n  image: old\n  count: 1\nmodel:\n  <<: *base\n  image: new\n"
    root = only_root(text)
    model = root.get("model")
    assert to_python(model) == {"count": 1, "image": "new"}
    assert model.key_node("image").span.line == 6
    assert model.key_node("count").span.line == 3  # inherited from the anchor


def test_merge_key_list_earlier_sources_win():
    root = only_root("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n  z: 3\n")
    assert to_python(root.get("m")) == {"x": 1, "y": 2, "z": 3}


def test_merge_key_of_a_scalar_is_a_located_problem():
    source = load_text("f.yaml", "m:\n  <<: 1\n  a: 2\n")
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == [
        ("merge key (<<) value is not a mapping; ignored", 2, 3)
    ]
    assert to_python(source.documents[0].root) == {"m": {"a": 2}}


def test_quoted_merge_key_is_an_ordinary_key():
    assert to_python(only_root("'<<': {a: 1}\n")) == {"<<": {"a": 1}}


def test_non_scalar_key_is_valid_yaml_and_skipped_without_a_problem():
    # `token: {{PLACEHOLDER}}` is a mapping used as a key: valid YAML no deployment format uses.
    source = load_text("f.yaml", "? [a, b]\n: 1\nc: 2\ntoken: {{PLACEHOLDER}}\n")
    assert source.problems == ()
    assert to_python(source.documents[0].root) == {"c": 2, "token": {}}


# --- JSON that libyaml cannot scan ---------------------------------------------------------------------


def test_json_surrogate_pair_escape_loads():
    root = only_root('{"smile": "\\ud83d\\ude00",\n "n": 2}', "f.json")
    assert to_python(root) == {"smile": "\U0001F600", "n": 2}
    assert root.key_node("n").span == Span("f.json", 2, 2, 2, 5)


def test_json_lone_surrogate_becomes_replacement_character():
    assert to_python(only_root('{"a": "\\ud83d"}', "f.json")) == {"a": "\ufffd"}


def test_json_key_and_colon_on_different_lines_loads_with_positions():
    root = only_root('{"a"\n:1, "b": [1,\n2], "c": {"d": null, "e": 1.5e2}}', "f.json")
    assert to_python(root) == {"a": 1, "b": [1, 2], "c": {"d": None, "e": 150.0}}
    spans = pair_spans(root)
    assert spans["a"] == (Span("f.json", 1, 2, 1, 5), Span("f.json", 2, 2, 2, 3))
    assert spans["b"] == (Span("f.json", 2, 5, 2, 8), Span("f.json", 2, 10, 3, 3))
    assert root.span == Span("f.json", 1, 1, 3, 34)
    null = dict(root.get("c").items())["d"]  # a null value is kept in the pairs; `get` reads it as not written
    assert [node.tag for node in (root.get("a"), null, root.get("c").get("e"))] == ["int", "null", "float"]


def test_json_fallback_keeps_crlf_line_numbers():
    root = only_root('{"a"\r\n:1,\r\n"b": 2}', "f.json")
    assert pair_spans(root)["b"][0] == Span("f.json", 3, 1, 3, 4)


def test_json_surrogate_rewrite_keeps_columns():
    root = only_root('{"a": "\\ud83d\\ude00", "b": 1}', "f.json")
    assert root.key_node("b").span.column == 23


def test_json_escaped_backslash_u_is_not_rewritten():
    root = only_root('{"e": "\\ud83d\\ude00", "path": "C:\\\\ud83d"}', "f.json")
    assert root.get("path").value == "C:\\ud83d"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1,\n "b": [1, 2}', "JSON syntax error: Expecting ',' delimiter", 2, 12),
        ('{"a": 1 "b": 2}', "JSON syntax error: Expecting ',' delimiter", 1, 9),
        ('{"a"\n:1,\n "b": [1, 2}', "JSON syntax error: Expecting ',' delimiter", 3, 12),
        ('{"s": "\\ud83d\\ude00",\n\n "b": [tru}', "JSON syntax error: Expecting value", 3, 8),
    ],
    ids=["unclosed-array", "missing-comma", "libyaml-unscannable", "with-surrogates"],
)
def test_invalid_json_reports_the_json_decoders_position(text, message, line, column):
    assert problems_of(text, "f.json") == [(message, line, column)]


def test_too_deep_json_in_the_fallback_parser_is_located():
    text = '{"a"\n:' + "[" * 300 + "]" * 300 + "}"
    assert problems_of(text, "f.json") == [("nesting deeper than 256 levels; document not linted", 2, 257)]


def test_5000_deep_json_in_the_fallback_is_refused_without_recursion_error():
    text = '{"a"\n:' + "[" * DEEP + "]" * DEEP + "}"
    assert problems_of(text, "f.json") == [("nesting deeper than 256 levels; document not linted", 2, 257)]


# --- YAML 1.2 flow colons: the pure-Python composer's second pass ------------------------------------------

# libyaml (YAML 1.1) rejects `AWS::Region` as a plain scalar in a flow
# sequence; such files are composed again by ruamel.yaml's pure composer.
FLOW_COLON = "Region: [!Ref AWS::Region, x]\n"


def test_flow_colon_loads_as_yaml_12_with_tags_and_positions():
    root = only_root(FLOW_COLON + "Name: !Sub '${AWS::StackName}-x'\n")
    region = root.get("Region")
    assert to_python(region) == ["AWS::Region", "x"]
    assert (region[0].tag, region[0].span) == ("!Ref", Span("f.yaml", 1, 10, 1, 26))
    assert root.get("Name").tag == "!Sub"
    assert root.key_node("Name").span == Span("f.yaml", 2, 1, 2, 5)


@pytest.mark.parametrize(
    ("text", "problems", "data"),
    [
        ("a: 1\nb: 2\na: 3\n", [("duplicate key 'a' (first at line 2); the last value is used", 4, 1)], {"b": 2, "a": 3}),
        ("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", [], {"base": {"x": 1, "y": 2}, "m": {"x": 1, "y": 3}}),
        ("a: yes\nb: 0o17\nc: '12'\nd: 2012-10-17\n", [], {"a": "yes", "b": 15, "c": "12", "d": "2012-10-17"}),
        ("a: !!python/object/apply:builtins.exit [3]\n", [], {"a": [3]}),
        ("? [a]\n: 1\n", [], {}),
    ],
    ids=["duplicate", "merge", "core-schema", "python-tag", "non-scalar-key"],
)
def test_pure_composer_pass_keeps_the_loader_contract(text, problems, data):
    source = load_text("f.yaml", FLOW_COLON + text)
    assert [(p.message, p.span.line, p.span.column) for p in source.problems] == problems
    assert to_python(source.documents[0].root) == {"Region": ["AWS::Region", "x"], **data}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("x: &a [*a]\n", "recursive alias (a node contains itself); document not linted", 2, 4),
        (ALIAS_BOMB, "document expands to more than 1,000,000 nodes through aliases (an alias bomb?); not linted", 8, 4),
    ],
    ids=["recursive", "alias-bomb"],
)
def test_pure_composer_pass_refuses_recursion_and_bombs(text, message, line, column):
    assert problems_of(FLOW_COLON + text) == [(message, line, column)]


def test_pure_composer_pass_survives_5000_deep_nesting():
    source = load_text("f.yaml", FLOW_COLON + "x: " + "[" * DEEP + "]" * DEEP + "\n")
    assert len(source.problems) == 1
    assert all(document.root is None for document in source.documents)


def test_pure_composer_pass_reports_the_real_syntax_error():
    (problem,) = load_text("f.yaml", FLOW_COLON + "b: [1,\n").problems
    assert "found unexpected ':'" not in problem.message
    assert problem.message.startswith("YAML syntax error: ")
    assert (problem.span.line, problem.span.column) == (3, 1)


def test_yaml_starting_with_a_brace_keeps_its_yaml_diagnosis():
    assert problems_of("{a: [1, 2}\n", "f.yaml") == [
        (
            "YAML syntax error: did not find expected ',' or ']' "
            "(while parsing a flow sequence started at line 1, column 5)",
            1,
            10,
        )
    ]


# --- tags -------------------------------------------------------------------------------------------------

SHORT_FORMS = {
    "!Ref": ("Bucket", ScalarNode),
    "!GetAtt": ("Model.Arn", ScalarNode),
    "!Sub": ("'${AWS::Region}-x'", ScalarNode),
    "!Join": ("[',', [a, b]]", SequenceNode),
    "!If": ("[IsProd, 1, 2]", SequenceNode),
    "!Select": ("[0, !GetAZs '']", SequenceNode),
    "!FindInMap": ("[Map, Key, Value]", SequenceNode),
    "!ImportValue": ("SharedBucket", ScalarNode),
    "!Equals": ("[a, b]", SequenceNode),
    "!Not": ("[!Condition IsProd]", SequenceNode),
    "!And": ("[!Condition A, !Condition B]", SequenceNode),
    "!Or": ("[!Condition A, !Condition B]", SequenceNode),
    "!Condition": ("IsProd", ScalarNode),
    "!Base64": ("text", ScalarNode),
    "!Cidr": ("[10.0.0.0/16, 4, 8]", SequenceNode),
    "!GetAZs": ("us-east-1", ScalarNode),
    "!Split": ("[',', 'a,b']", SequenceNode),
}


@pytest.mark.parametrize("tag", sorted(SHORT_FORMS))
def test_cloudformation_short_form_tags_load_as_tagged_nodes(tag):
    argument, kind = SHORT_FORMS[tag]
    root = only_root(f"Outputs:\n  Value: {tag} {argument}\n")
    node = root.get("Outputs").get("Value")
    assert type(node) is kind
    assert node.tag == tag
    assert node.is_custom_tag
    assert (node.span.line, node.span.column) == (2, 10)


def test_short_form_scalar_argument_stays_text():
    root = only_root("a: !Ref 12\nb: !Sub\n  - 'x-${y}'\n  - y: 1\n")
    assert root.get("a").value == "12"
    assert to_python(root.get("b")) == ["x-${y}", {"y": 1}]
    assert root.get("b").tag == "!Sub"


def test_nested_short_forms_keep_their_tags():
    root = only_root("a: !Select [0, !GetAZs '']\n")
    inner = root.get("a")[1]
    assert (inner.tag, inner.value) == ("!GetAZs", "")


def test_python_tags_are_never_constructed():
    # If any of these were constructed, the test run would exit or a file would be written.
    text = (
        "a: !!python/object/apply:builtins.exit [3]\n"
        "b: !!python/object:os.system {command: 'false'}\n"
        "c: !!python/name:builtins.exit ''\n"
    )
    root = only_root(text)
    assert to_python(root) == {"a": [3], "b": {"command": "false"}, "c": ""}
    assert [node.tag for _, node in root.items()] == [
        "python/object/apply:builtins.exit",
        "python/object:os.system",
        "python/name:builtins.exit",
    ]


# --- YAML 1.2 core scalar resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("tRUE", "tRUE"),
        ("~", None),
        ("null", None),
        ("", None),
        ("0o17", 15),
        ("0x1F", 31),
        ("012", 12),
        ("-12", -12),
        ("+7", 7),
        ("1_000", "1_000"),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("-.inf", -math.inf),
        (".Inf", math.inf),
        ("2012-10-17", "2012-10-17"),
        ("12:30:00", "12:30:00"),
        ("0b101", "0b101"),
        ("ml.m5.large", "ml.m5.large"),
        (".", "."),
    ],
)
def test_plain_scalars_resolve_by_the_yaml_12_core_schema(written, expected):
    value = resolve_plain_scalar(written)
    assert value == expected and type(value) is type(expected)


def test_nan_resolves_to_nan():
    assert math.isnan(resolve_plain_scalar(".nan"))


def test_quoted_and_block_scalars_stay_strings():
    root = only_root("a: \"12\"\nb: '0o17'\nc: |\n  true\nd: >\n  3\ne: 2012-10-17\nf: yes\n")
    assert to_python(root) == {"a": "12", "b": "0o17", "c": "true\n", "d": "3\n", "e": "2012-10-17", "f": "yes"}


def test_core_tags_resolve_their_text():
    root = only_root("a: !!int '7'\nb: !!float 1\nc: !!bool true\nd: !!null ~\ne: !!int nope\n")
    values = [node.value for _, node in root.items()]
    assert values == [7, 1.0, True, None, "nope"]
    assert type(values[1]) is float


@pytest.mark.parametrize("text", ["a: !!str 12\n", "r: [!Ref AWS::Region]\na: !!str 12\n", "a: !<tag:yaml.org,2002:str> 12\n"])
def test_explicit_str_tag_keeps_a_string(text):
    assert only_root(text).get("a").value == "12"


def test_template_braces_inside_strings_are_plain_yaml():
    source = load_text("configmap.yaml", "kind: ConfigMap\ndata:\n  greeting: \"{{ hello }}\"\n")
    assert source.problems == () and len(source.documents) == 1


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 4100])
def test_a_decimal_too_long_for_python_to_convert_stays_text(number):
    source = load_text("f.yaml", f"a: {number}\nb: 2\n")
    assert source.problems == ()
    assert to_python(source.documents[0].root) == {"a": number, "b": 2}


def test_long_hexadecimal_and_octal_numbers_are_numbers():
    # Python converts these at any length; the readers call them too large.
    root = only_root("a: 0x" + "f" * 4096 + "\nb: 0o" + "7" * 4500 + "\n")
    assert root.get("a").value == int("f" * 4096, 16) and root.get("b").value == int("7" * 4500, 8)


def test_a_long_but_printable_number_is_a_number():
    root = only_root("a: " + "9" * 400 + "\n")
    assert root.get("a").value == int("9" * 400)


def test_a_stream_of_many_broken_documents_loads_in_linear_time():
    # Each broken document used to make the loader read everything before it again: 16,000 took over a minute.
    import time

    text = "---\na: b: c\n" * 16_000 + "---\nd: 1\n"
    started = time.process_time()  # CPU time: what the input costs, whatever else the machine runs
    source = load_text("f.yaml", text)
    assert time.process_time() - started < 5
    assert len(source.problems) == 16_000 and source.problems[-1].span.line == 32_000
    assert [to_python(document.root) for document in source.documents] == [{"d": 1}]
    assert source.documents[0].root.span.line == 32_002


def test_loading_leaves_no_cycles_but_the_loaded_file():
    """A run freezes what it loaded until it ends (engine._frozen_as_loaded): loading must leave no other
    reference cycle behind (a parser naming itself as its loader, a converter's closure, a class per file),
    or each of them would live as long as the run."""
    import collections
    import gc

    text = "a: &x [1, {b: c}]\nd: *x\n---\ne: !Ref f\n"
    load_text("warm.yaml", text)
    was_enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        gc.set_debug(gc.DEBUG_SAVEALL)
        for path in ("a.yaml", "b.json"):
            load_text(path, text if path.endswith(".yaml") else '{"a": [1, {"b": "c"}]}')
        gc.collect()
        kinds = collections.Counter(type(item).__name__ for item in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert set(kinds) <= {"SourceFile", "Document", "MappingNode", "SequenceNode", "ScalarNode", "Span", "tuple", "dict"}, kinds


def test_spans_past_line_256_share_their_line_numbers():
    """Python caches small ints only: spans of a long file share one int object per line, not two each."""
    text = "".join(f"k{index}: v\n" for index in range(300)) + "deep: {a: 1, b: [2, 3]}\n"
    root = load_text("long.yaml", text).documents[0].root
    key, value = root.pairs[-1]
    first, second = value.pairs
    assert key.span.line == 301
    assert key.span.line is value.span.line is first[0].span.line is second[1].span.end_line


def test_nodes_keep_positions_as_numbers_and_make_spans_when_asked():
    import gc

    text = "a: &x 1\nb: *x\nc:\n  - {d: e}\n  - !Ref f\n" + "".join(f"k{n}: {n}\n" for n in range(300))
    gc.collect()
    before = sum(1 for item in gc.get_objects() if type(item) is Span)
    source = load_text("t.yaml", text)
    assert sum(1 for item in gc.get_objects() if type(item) is Span) == before  # no Span kept per node
    root = source.documents[0].root
    nodes = list(iter_nodes(root))
    assert len(nodes) == 610  # root, 303 keys, 302 values (the alias is the anchored node), 4 in the sequence
    for node in nodes:
        span = node.span
        assert type(span) is Span and span.path == "t.yaml"
        assert node.start == (span.line, span.column)
        assert (span.line, span.column) <= (span.end_line, span.end_column)
    assert root.get("a") is root.get("b")
    assert root.get("k299").span == Span("t.yaml", 305, 7, 305, 10)
    assert root.key_node("k299").span == Span("t.yaml", 305, 1, 305, 5)
    assert root.span == Span("t.yaml", 1, 1, 306, 1)
    # Built from a Span (plugins, tests), a node reads back the same one.
    made = ScalarNode("v", Span("p", 3, 4, 5, 6), "str")
    assert made.span == Span("p", 3, 4, 5, 6) and made.start == (3, 4)
    assert MappingNode(((made, made),), Span("p", 1, 1, 9, 1)).get("v") is made


@pytest.mark.parametrize(
    ("text", "offset", "starts"),
    [
        ("---\na: 1\n--- x\n---\t\n----\n---\r\n---", 0, [0, 9, 15, 30]),
        ("a: 1\n---\nb: 2\n---\n", 5, [5, 14]),
        ("a: 1\n---\nb: 2\n---\n", 14, [14]),
        ("\n---", 0, [1]),
        ("--", 0, []),
    ],
)
def test_document_markers_are_found_at_column_0_before_a_blank_a_break_or_the_end(text, offset, starts):
    from linter.source import _document_starts

    assert _document_starts(text, offset) == starts

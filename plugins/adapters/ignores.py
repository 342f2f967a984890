"""What adapters share to return the suppressions written in their input as `linter.Ignore`s.

An `Ignore`'s `scope` is the written extent of the resource or object it
sits in: from its first character (a CloudFormation logical ID, a
Kubernetes object's first key) to the end of its last value. The end is
measured on the content, not taken from the parser: a YAML block mapping
ends where the next token starts, which is the next resource's logical ID
or the `---` of the next document, and a finding there must not be
excused. So a finding is inside when its start lies within `[scope start,
scope end]`, ends included.

A malformed suppression excuses nothing and is reported where it is
written as `MD003 unused-suppression` (the rule for suppressions that
excuse nothing), never a crash.
"""

from __future__ import annotations

from linter import InputProblem, MappingNode, Node, ScalarNode, SequenceNode, Span

from plugins.adapters.aws.written_values import shown

INVALID_SUPPRESSION_RULE = "MD003"


def extent(start: Span, node: Node) -> Span:
    """The span from `start` to the end of the last text `node` holds (its last key or value).

    `start` is the first thing written (a logical ID's key; a point at an
    object's first key): the extent never ends before its end. Aliases are
    followed once each, so a cycle ends the walk.
    """
    end = (start.end_line, start.end_column)
    seen: set[int] = set()
    current: Node | None = node
    # Down the chain of last children only, iteratively: a deep document is no deeper here.
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MappingNode):
            if not current.pairs:
                end = max(end, (current.span.end_line, current.span.end_column))  # `{}`
                break
            last_key, current = current.pairs[-1]
            end = max(end, (last_key.span.end_line, last_key.span.end_column))
        elif isinstance(current, SequenceNode):
            if not current.items:
                end = max(end, (current.span.end_line, current.span.end_column))  # `[]`
                break
            current = current.items[-1]
        else:
            span = current.span
            # An empty value (`key:` and nothing) is a zero-width scalar placed wherever the
            # parser looked next (possibly the next line): it adds no text.
            empty = isinstance(current, ScalarNode) and current.value is None and (span.line, span.column) == (span.end_line, span.end_column)
            if not empty:
                end = max(end, (span.end_line, span.end_column))
            break
    return Span(start.path, start.line, start.column, end[0], end[1])


def invalid_suppression(message: str, span: Span) -> InputProblem:
    """A located problem for a suppression that cannot be read (it excuses nothing)."""
    return InputProblem(f"invalid suppression ({message}); it excuses nothing", span, INVALID_SUPPRESSION_RULE)


def shape(node: Node | None) -> str:
    """What a node holds, for a message about a value of the wrong kind."""
    if node is None or (isinstance(node, ScalarNode) and node.value is None):
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value = node.value  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {shown(value)}"
    return repr(value)


def block_insertion(document_text: str, mapping: Node | None, lines: list[str]) -> tuple[int, int, str] | None:
    """(line, column, text) inserting `lines` as the first entries of block mapping `mapping`, at its indentation.

    `lines` are relative to the mapping's own indentation (their nesting
    written with two more spaces per level). None where that is not a
    certain, minimal edit: not a mapping, an empty or flow-style one
    (`{...}`), or one whose first key shares its line with something
    before it (a list item's `- `).
    """
    if not isinstance(mapping, MappingNode) or not mapping.pairs:
        return None
    first = mapping.pairs[0][0].span
    text_lines = document_text.split("\n")
    if first.line > len(text_lines) or opens_flow(text_lines, mapping.span):
        return None
    before = text_lines[first.line - 1][: first.column - 1]
    if before.strip() or "\t" in before:
        return None  # a flow mapping's `{`, a list item's `- `, or tabs we cannot mirror
    indent = " " * (first.column - 1)
    return first.line, 1, "".join(f"{indent}{line}\n" for line in lines)


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML (and JSON) string."""
    import json

    return json.dumps(text, ensure_ascii=False)


def opens_flow(text_lines: list[str], span: Span) -> bool:
    """True when the node at `span` is written in flow style (JSON included): it starts with `{` or `[`."""
    if span.line > len(text_lines):
        return False
    return text_lines[span.line - 1][span.column - 1 : span.column] in ("{", "[")

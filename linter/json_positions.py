"""A small JSON parser that keeps positions, for JSON that libyaml rejects.

Used only as the loader's fallback (see `linter.source`): valid JSON that
the C composer cannot scan still loads with exact line/column spans. It is
iterative, so nesting depth is bounded by `max_depth`, not by recursion.
"""

from __future__ import annotations

import bisect
import json.decoder
import re

from linter.nodes import Node, ScalarNode, Span, located_mapping, located_scalar, located_sequence

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS = {"true": True, "false": False, "null": None}


def parse_json_nodes(path: str, text: str, max_depth: int, duplicates: list | None = None) -> Node:
    """Parse one JSON value into located nodes.

    Raises ValueError(message, span) on a syntax error or over-deep nesting.
    Duplicate keys (the last value wins) are appended to `duplicates` as
    (message, span of the duplicate key).
    """
    line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    def fail(message: str, offset: int) -> ValueError:
        return ValueError(f"JSON syntax error: {message}", Span.point(path, *position(offset)))

    def skip(offset: int) -> int:
        return _WHITESPACE.match(text, offset).end()  # type: ignore[union-attr]

    def scalar(offset: int) -> tuple[ScalarNode, int]:
        char = text[offset : offset + 1]
        if char == '"':
            try:
                value, end = json.decoder.scanstring(text, offset + 1)
            except ValueError as error:
                raise fail(getattr(error, "msg", str(error)), getattr(error, "pos", offset)) from None
            if _SURROGATE.search(value):  # a lone surrogate escape cannot be printed
                value = _SURROGATE.sub("\ufffd", value)
            return located_scalar(value, "str", '"', path, *position(offset), *position(end)), end
        for literal, value in _LITERALS.items():
            if text.startswith(literal, offset):
                end = offset + len(literal)
                tag = "null" if value is None else "bool"
                return located_scalar(value, tag, "", path, *position(offset), *position(end)), end
        match = _NUMBER.match(text, offset)
        if match is None:
            raise fail("expected a value", offset)
        is_float = bool(match.group(1) or match.group(2))
        number = float(match.group()) if is_float else int(match.group())
        return located_scalar(number, "float" if is_float else "int", "", path, *position(offset), *position(match.end())), match.end()

    # Each open container: [kind, start offset, items, pending key]
    stack: list[list] = []
    offset = skip(0)
    result: Node | None = None
    while True:
        offset = skip(offset)
        char = text[offset : offset + 1]
        container = stack[-1] if stack else None
        if container is not None and container[0] == "map" and container[3] is None:
            if char == "}" and not container[2]:
                pass
            else:
                if char != '"':
                    raise fail("expected a string key", offset)
                key, offset = scalar(offset)
                offset = skip(offset)
                if text[offset : offset + 1] != ":":
                    raise fail("expected ':'", offset)
                container[3] = key
                offset = skip(offset + 1)
                char = text[offset : offset + 1]
        if char in "[{" and char:
            if len(stack) >= max_depth:
                raise ValueError(
                    f"nesting deeper than {max_depth} levels; document not linted", Span.point(path, *position(offset))
                )
            stack.append(["map" if char == "{" else "seq", offset, [], None])
            offset = skip(offset + 1)
            closing = "}" if char == "{" else "]"
            if text[offset : offset + 1] != closing:
                continue
            char = closing
            value_node = None
        elif char in "]}" and char and container is not None:
            value_node = None
        else:
            value_node, offset = scalar(offset)
        # Attach the finished value, then close containers as far as we can.
        while True:
            if value_node is not None:
                if not stack:
                    result = value_node
                    break
                top = stack[-1]
                if top[0] == "map":
                    top[2].append((top[3], value_node))
                    top[3] = None
                else:
                    top[2].append(value_node)
                offset = skip(offset)
                char = text[offset : offset + 1]
                if char == ",":
                    offset += 1
                    break
            top = stack[-1]
            closing = "}" if top[0] == "map" else "]"
            if char != closing:
                raise fail(f"expected ',' or '{closing}'", offset)
            stack.pop()
            offset += 1
            where = (path, *position(top[1]), *position(offset))
            if top[0] == "map" and duplicates is not None:
                top[2] = _without_duplicates(top[2], duplicates)
            value_node = located_mapping(tuple(top[2]), "map", *where) if top[0] == "map" else located_sequence(tuple(top[2]), "seq", *where)
        if result is not None:
            break
    trailing = skip(offset)
    if trailing != len(text):
        raise fail("extra data after the JSON value", trailing)
    return result


def _without_duplicates(pairs: list, duplicates: list) -> list:
    """Pairs with earlier duplicates dropped (the last value wins), each reported."""
    first: dict[str, ScalarNode] = {}
    kept: dict[str, tuple] = {}
    for key, value in pairs:
        previous = first.get(key.value)
        if previous is not None:
            duplicates.append(
                (f"duplicate key {key.value!r} (first at line {previous.span.line}); the last value is used", key.span)
            )
        first[key.value] = key
        kept.pop(key.value, None)
        kept[key.value] = (key, value)
    return list(kept.values())

"""Finding spans (1-based lines, 1-based code-point columns) as 0-based LSP positions in a position encoding.

Kept free of pygls so that the conversion is tested on its own.
"""

from __future__ import annotations

import re
from typing import Sequence

from linter.nodes import Span

__all__ = ["UTF8", "UTF16", "UTF32", "ENCODINGS", "split_lines", "span_to_range", "point_to_position", "code_units"]

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)
# The line ends LSP counts; ruamel.yaml also breaks lines at U+0085,
# U+2028 and U+2029, which are rare enough in templates to leave aside.
_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of `text` as an LSP client counts them (an empty last line after a final line end)."""
    return _LINE_END.split(text)


def code_units(text: str, encoding: str) -> int:
    """The length of `text` in `encoding`'s code units (bytes, UTF-16 units or code points)."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def point_to_position(lines: Sequence[str], line: int, column: int, encoding: str = UTF16) -> tuple[int, int]:
    """The 0-based (line, character) of 1-based `line`/`column`, clamped to the text."""
    if not lines:
        return 0, 0
    index = min(max(line - 1, 0), len(lines) - 1)
    if line - 1 >= len(lines):  # past the last line: its end
        return index, code_units(lines[index], encoding)
    text = lines[index]
    return index, code_units(text[: max(column - 1, 0)], encoding)


def span_to_range(span: Span, lines: Sequence[str], encoding: str = UTF16) -> tuple[tuple[int, int], tuple[int, int]]:
    """`span` as ((start line, start character), (end line, end character)), 0-based, in `encoding`.

    Columns beyond a line's end are clamped to it; an end before the start
    becomes the start.
    """
    start = point_to_position(lines, span.line, span.column, encoding)
    end = point_to_position(lines, span.end_line, span.end_column, encoding)
    return start, max(start, end)

"""Pretty-printed JSON in pieces, for the reporters whose output is one large JSON document.

`pieces(value)` gives, piece by piece, exactly the text of
`json.dumps(value, indent=2, ensure_ascii=False)`, where a long list is
wrapped in `Items(iterable)`: its items are made and encoded a batch at a
time, so the document is never built, nor its text held, whole. Every
value is encoded by the standard library; only the punctuation that joins
encoded parts (braces, commas, line breaks and indentation) is written
here. Re-indenting an encoded part is safe because JSON writes a line
break inside a string as `\\n`: every line break it writes is layout.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

__all__ = ["Items", "pieces"]

_ENCODER = json.JSONEncoder(indent=2, ensure_ascii=False)  # what json.dumps(value, indent=2, ensure_ascii=False) uses
_BATCH = 200  # items encoded by one call: few calls, and a batch's text stays small


class Items:
    """A list written item by item: `items` is iterated once, as the document is written."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def pieces(value: Any, level: int = 0) -> Iterator[str]:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it at nesting `level`, in pieces."""
    if isinstance(value, Items):
        yield from _items(value.items, level)
    elif isinstance(value, dict) and _holds_items(value):
        inner = "\n" + "  " * (level + 1)
        separator = "{"
        for key, item in value.items():
            yield f"{separator}{inner}{_ENCODER.encode(key)}: "
            yield from pieces(item, level + 1)
            separator = ","
        yield "\n" + "  " * level + "}"
    elif isinstance(value, list) and _holds_items(value):
        inner = "\n" + "  " * (level + 1)
        separator = "["
        for item in value:
            yield separator + inner
            yield from pieces(item, level + 1)
            separator = ","
        yield "\n" + "  " * level + "]"
    else:
        yield _indented(_ENCODER.encode(value), level)


def _holds_items(value: Any) -> bool:
    """Whether `value` (a dict or list) has an `Items` inside it, at any depth."""
    children = value.values() if isinstance(value, dict) else value
    return any(isinstance(child, Items) or (isinstance(child, (dict, list)) and _holds_items(child)) for child in children)


def _items(items: Iterable[Any], level: int) -> Iterator[str]:
    """A list's text: `[`, each batch's items (encoded as one list, without its brackets), then `]`; `[]` when empty."""
    closing = "\n" + "  " * level + "]"
    opening = "["
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == _BATCH:
            yield opening + _indented(_ENCODER.encode(batch), level)[1 : -len(closing)]
            opening, batch = ",", []
    if batch:
        yield opening + _indented(_ENCODER.encode(batch), level)[1 : -len(closing)]
        opening = ","
    yield closing if opening == "," else "[]"


def _indented(text: str, level: int) -> str:
    return text.replace("\n", "\n" + "  " * level) if level else text

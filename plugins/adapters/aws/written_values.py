"""Reading plain values as the types the model wants, the way AWS accepts them.

AWS APIs and CloudFormation accept numbers written as strings ("2") and
booleans as "true"/"false"; every AWS-side adapter converts the same way.
Each function returns None for a value it cannot read (the caller keeps the
raw value as malformed).

A number beyond `LARGEST` (or infinite, or NaN) is malformed in every
adapter, "too large", never a value: no AWS or Kubernetes field takes one,
and arithmetic on it overflows (`float(10**400)`) or cannot even print it
(an integer of more than 4,300 digits, from a long hexadecimal literal).
`shown` gives such a value a short text to keep as `raw`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

__all__ = ["LARGEST", "as_str", "as_int", "as_float", "as_bool", "too_large", "shown", "text_of", "unreadable_note"]

# The widest integer AWS and Kubernetes APIs take (int64).
LARGEST = 2**63 - 1
# Decimal digits a too-large integer shows before the count.
_DIGITS_SHOWN = 12
# Python refuses to print an integer of more digits than this (sys.get_int_max_str_digits' default).
_PRINTABLE_BITS = 4300 * 3


def too_large(value: Any) -> bool:
    """True for a number beyond ±LARGEST or infinite (numeric strings included); NaN is not a number at all."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > LARGEST
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return False
    if isinstance(value, float):
        return math.isinf(value) or abs(value) > LARGEST
    return False


def _nan(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return False
    return isinstance(value, float) and math.isnan(value)


def shown(value: Any) -> Any:
    """`value` as `raw` keeps it: a too-large integer becomes a short text that prints safely."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) <= LARGEST:
        return value
    sign = "-" if value < 0 else ""
    if value.bit_length() <= _PRINTABLE_BITS:
        digits = str(abs(value))
        return f"{sign}{digits[:_DIGITS_SHOWN]}… ({len(digits):,} digits)"
    return f"{sign}a number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"


def text_of(value: Any, render: Callable[[Any], str] = str) -> str:
    """`render(value)` (str by default), or a short text when Python refuses to print an integer in it."""
    try:
        return render(value)
    except ValueError:  # an integer of more than 4,300 digits (a long hexadecimal literal) somewhere in it
        shown_value = shown(value) if isinstance(value, int) and not isinstance(value, bool) else None
        return shown_value if isinstance(shown_value, str) else "a value too long to print"


def unreadable_note(value: Any, expected: str) -> str:
    """The note of a value that could not be read as `expected`."""
    if too_large(value):
        return f"too large: expected {expected} of at most {LARGEST:,}" if expected else "too large"
    return f"expected {expected}" if expected else ""


def as_str(value: Any) -> str | None:
    """A scalar as text; None for null, booleans, collections and too-large numbers."""
    if value.__class__ is str:  # most values read: itself
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (int, float)) and too_large(value):
        return None
    return str(value)


def as_int(value: Any) -> int | None:
    """An integer, from an int, a whole float or a numeric string."""
    if value.__class__ is int:  # most values read (bool is a subclass, not this class)
        return value if abs(value) <= LARGEST else None
    if isinstance(value, bool) or too_large(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:  # also beyond Python's 4,300-digit limit
            return None
    return None


def as_float(value: Any) -> float | None:
    """A number, from an int, a float or a numeric string."""
    if isinstance(value, bool) or too_large(value) or _nan(value):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    """A boolean, from a bool or the strings true/false in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None

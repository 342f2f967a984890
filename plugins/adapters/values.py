"""Reading plain values as the types the model wants, the way AWS accepts them.

AWS APIs and CloudFormation accept numbers written as strings ("2") and
booleans as "true"/"false"; every AWS-side adapter converts the same way.
Each function returns None for a value it cannot read (the caller keeps the
raw value as malformed).
"""

from __future__ import annotations

from typing import Any

__all__ = ["as_str", "as_int", "as_float", "as_bool"]


def as_str(value: Any) -> str | None:
    """A scalar as text; None for null, booleans and collections."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def as_int(value: Any) -> int | None:
    """An integer, from an int, a whole float or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_float(value: Any) -> float | None:
    """A number, from an int, a float or a numeric string."""
    if isinstance(value, bool):
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

"""The written-value readers' short way for a plain string or integer gives what the full checks give."""

from __future__ import annotations

import math

from plugins.adapters.aws.written_values import LARGEST, as_int, as_str, too_large


class _Text(str):
    pass


VALUES = [
    "ml.m5.large", "", " 12 ", _Text("x"), 0, 12, -3, LARGEST, LARGEST + 1, -LARGEST - 1, 10**5000, True, False, None,
    1.5, 2.0, math.inf, math.nan, "1e999", [], {}, ("a",),
]


def _as_str_checked(value):
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (int, float)) and too_large(value):
        return None
    return str(value)


def _as_int_checked(value):
    if isinstance(value, bool) or too_large(value):
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


def test_plain_strings_and_integers_read_as_the_full_checks_read_them():
    for value in VALUES:
        assert as_str(value) == _as_str_checked(value) and type(as_str(value)) is type(_as_str_checked(value))
        assert as_int(value) == _as_int_checked(value)
    text = "ml.g5.xlarge"
    assert as_str(text) is text

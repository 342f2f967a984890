"""Reading YAML 1.2's colons inside plain scalars with libyaml, which follows YAML 1.1 there.

libyaml rejects a `:` followed by anything but a blank inside a plain
scalar in a flow collection (`[!Ref AWS::Region, x]`, `{Arn: arn:aws:s3:::b}`),
which YAML 1.2 allows and CloudFormation templates use all the time. Such a
file used to be read again by ruamel.yaml's pure-Python parser, about ten
times slower than libyaml. Instead, `masked` replaces each colon that
cannot be an indicator with a placeholder character of the same width, so
libyaml reads the text with every mark unchanged, and the loader puts the
colons back into the scalars it reads (`linter.source`).

A colon can be an indicator in YAML 1.2 only when a blank, a line break, a
flow indicator (`,[]{}`) or the end of the text follows it, or, in a flow
collection, right after a quoted scalar or a closing bracket (a JSON-like
key: `{"a":1}`). Only the other colons are masked: those are text in any
scalar, quoted or not, block or flow. Colons that are not in a scalar
(inside a comment, a tag, an anchor) either do not matter or make libyaml
fail on the placeholder, and then the caller falls back to the pure-Python
parser as before: masking never changes what a document means, it only
decides which parser reads it.
"""

from __future__ import annotations

import re

__all__ = ["masked"]

# Private-use characters: printable for libyaml, one character wide like ':'.
_PLACEHOLDERS = tuple(chr(code) for code in range(0xE000, 0xE100))
_TEXT_COLON = re.compile(r"""(?<!["'\]}]):(?=[^\s,\[\]{}])""")


def masked(text: str) -> tuple[str, str] | None:
    """`text` with every colon that can only be text replaced by a placeholder, and the placeholder.

    None when there is no such colon, or when the text already holds every
    candidate placeholder character.
    """
    placeholder = next((candidate for candidate in _PLACEHOLDERS if candidate not in text), None)
    if placeholder is None:
        return None
    result, count = _TEXT_COLON.subn(placeholder, text)
    return (result, placeholder) if count else None

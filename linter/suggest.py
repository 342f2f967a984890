"""'Did you mean …?' for names a user mistyped: rule selectors, settings, profile keys."""

from __future__ import annotations

from typing import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(wrong: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` naming the closest of `known`, or "" when none is close.

    A name that `known` holds as a prefix or an extension (`latency` for
    `latency-ms`) counts as close even where plain similarity would not.
    """
    names = [str(name) for name in known]
    lowered = wrong.lower()
    extended = [name for name in names if len(lowered) >= 3 and (name.lower().startswith(lowered) or lowered.startswith(name.lower()))]
    import difflib  # here, not at import: only a mistyped name needs it

    close = extended[:1] or difflib.get_close_matches(wrong, names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""

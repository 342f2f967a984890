"""Copies of frozen dataclasses with some fields changed, without running `__init__` again.

A run copies every finding a few times (severities, origins, fingerprints)
and adapters copy deployments, units and facts in bulk; a frozen
dataclass's `__init__` sets each field through `object.__setattr__`, which
made `dataclasses.replace` a visible part of large runs.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Callable, TypeVar

__all__ = ["Replaceable", "slot_setters"]

R = TypeVar("R", bound="Replaceable")


class Replaceable:
    """Gives a frozen dataclass `replaced`, the copy `dataclasses.replace` makes, made faster."""

    __slots__ = ()

    def replaced(self: R, /, **changes: Any) -> R:
        """`dataclasses.replace(self, **changes)`, without running `__init__` again.

        When every field of the type is an argument of `__init__` of the
        same name (no `init=False` field, no `InitVar`), a copy of the fields
        with `changes` over them, with `__post_init__` run on it where the
        type has one, is what `replace` makes. Any other type, and a field
        the type does not have (TypeError, as from `replace`), go through
        `replace`.
        """
        kind = type(self)
        plan = _PLANS.get(kind, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = _PLANS[kind] = _plan(kind)
        if plan is None or not plan[0].issuperset(changes):
            return replace(self, **changes)  # type: ignore[type-var]
        copy = object.__new__(kind)
        if plan[2] is None:
            values = copy.__dict__
            values.update(self.__dict__)
            values.update(changes)
        else:  # a type with slots, no __dict__: each field through its slot's own descriptor
            for name, put in plan[2]:
                put(copy, changes[name] if name in changes else getattr(self, name))
        if plan[1]:
            copy.__post_init__()  # type: ignore[attr-defined]
        return copy


_UNPLANNED = object()
# Per type: its field names, whether it has a `__post_init__`, and for a type with slots each field's
# name and slot setter (None for a type whose instances have a `__dict__`); None: copied by `replace`.
_PLANS: dict[type, Any] = {}


def _plan(kind: type) -> tuple[frozenset[str], bool, tuple | None] | None:
    every = kind.__dataclass_fields__  # type: ignore[attr-defined]
    written = fields(kind)
    if len(written) != len(every) or not all(each.init for each in written):
        return None
    setters = None
    if kind.__dictoffset__ == 0:  # no instance dictionary: every field is a slot
        try:
            setters = tuple(zip(every, slot_setters(kind, *every)))
        except KeyError:
            return None
    return frozenset(every), hasattr(kind, "__post_init__"), setters


def slot_setters(kind: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of `kind`'s slots `names`, in order: each slot's own descriptor's `__set__` (KeyError for a name that is no slot).

    For an `__init__` (or a copy) written out for a frozen type made in
    bulk: its own `__init__` sets each field through `object.__setattr__`,
    about twice as slow as the slot's descriptor.
    """
    descriptors: dict[str, Any] = {}
    for klass in kind.__mro__:
        declared = klass.__dict__.get("__slots__", ())
        for name in (declared,) if isinstance(declared, str) else declared:
            descriptors.setdefault(name, klass.__dict__[name])
    return tuple(descriptors[name].__set__ for name in names)

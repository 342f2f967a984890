"""`read_once`: a property worked out on first read and kept in the instance, for the adapters' hot objects.

As `functools.cached_property`, without the lock Python 3.11's takes on
every first read (about 1 us, against 0.2 us here): a CloudFormation
resource or a Kubernetes object is read by one thread, and reading a value
twice would only give an equal one. The instance's dictionary answers every
later read before this descriptor is asked, so a frozen dataclass can hold
one too.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

__all__ = ["read_once"]

_T = TypeVar("_T")


class read_once(Generic[_T]):  # noqa: N801 - used as a decorator, like `property`
    """`@read_once` over a method of one argument: its value, kept in the instance's `__dict__` under the method's name."""

    def __init__(self, read: Callable[[Any], _T]) -> None:
        self.read = read
        self.name = read.__name__
        self.__doc__ = read.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.read(instance)
        return value

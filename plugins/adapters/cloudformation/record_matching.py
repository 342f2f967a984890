"""Matching one template's records: values known to be equal, policies to their targets, alarms to policies.

Shared by the SageMaker hosting links (`hosting.py`) and the ECS service
links (`ecs_scaling.py`), through the shared Application Auto Scaling
module.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from typing import Any, Generic, TypeVar

from plugins.adapters.aws.application_autoscaling import same_triple
from plugins.adapters.aws.application_autoscaling import with_alarm_metric as policy_with_alarm_metric
from plugins.adapters.cloudformation.intrinsics import Choice, Opaque, Partial, ResourceValue
from plugins.adapters.cloudformation.records import AlarmRecord, ScalableTargetRecord, TemplateRecords

T = TypeVar("T")


def same_value(left: Any, right: Any) -> bool:
    """Known to be the same value: equal text, unknown parts included.

    A partly unresolved name is compared by its text with each unknown part
    shown as `${...}` (what `TemplateContext.read_text` stores), so names
    built from the same pieces match; a resource reference matches by
    logical ID.
    """
    if isinstance(left, ResourceValue) or isinstance(right, ResourceValue):
        return (
            isinstance(left, ResourceValue)
            and isinstance(right, ResourceValue)
            and left.logical_id == right.logical_id
        )
    if left is None or right is None or isinstance(left, Choice) or isinstance(right, Choice):
        return False
    return _text(left) == _text(right)


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, (Partial, Opaque)) else value


def _key(value: Any) -> Hashable | None:
    """What two values `same_value` finds equal have in common; None for a value equal to nothing."""
    if isinstance(value, ResourceValue):
        return (ResourceValue, value.logical_id)
    if value is None or isinstance(value, Choice):
        return None
    return (str, _text(value))


class ValueIndex(Generic[T]):
    """Items under the values that name them, found as a scan with `same_value` finds them.

    A template may hold thousands of records that name one another: one
    look-up per reference keeps linking them linear. Candidates are checked
    with `same_value` itself, and a value that cannot be hashed is compared
    one by one, so the answer is always the scan's.
    """

    def __init__(self) -> None:
        self._by_key: dict[Hashable, list[tuple[int, Any, T]]] = {}
        self._unhashable: list[tuple[int, Any, T]] = []
        self._added = 0

    def add(self, value: Any, item: T) -> None:
        """File `item` under `value`; items are found in the order they were first added."""
        entry = (self._added, value, item)
        self._added += 1
        key = _key(value)
        if key is None:
            return
        try:
            self._by_key.setdefault(key, []).append(entry)
        except TypeError:
            self._unhashable.append(entry)

    def find_all(self, value: Any) -> list[T]:
        """Every item filed under a value `same_value` finds equal to `value`, each once, in order."""
        key = _key(value)
        if key is None:
            return []
        try:
            candidates = self._by_key.get(key, []) + self._unhashable
        except TypeError:
            candidates = [entry for entries in self._by_key.values() for entry in entries] + self._unhashable
        found: dict[int, T] = {}
        for _, named, item in sorted(candidates, key=lambda entry: entry[0]):
            if id(item) not in found and same_value(named, value):
                found[id(item)] = item
        return list(found.values())

    def find(self, value: Any) -> T | None:
        """The first item filed under a value equal to `value`, or None (what `find_all` gives first)."""
        return self.first(value)

    def first(self, value: Any, keep: Callable[[T], bool] = lambda item: True) -> T | None:
        """The first item filed under a value equal to `value` that `keep` accepts, or None.

        Only up to that item is checked: a crowd of records declaring one
        name (copies of a configuration, of a scalable target) made every
        reference compare with all of them.
        """
        key = _key(value)
        if key is None:
            return None
        try:
            filed = self._by_key.get(key, [])
        except TypeError:
            return next((item for item in self.find_all(value) if keep(item)), None)
        for _, named, item in heapq.merge(filed, self._unhashable, key=lambda entry: entry[0]):
            if same_value(named, value) and keep(item):
                return item
        return None


class PolicyTargets:
    """The scalable targets of one template, indexed to find the one each scaling policy drives."""

    def __init__(self, targets: Iterable[ScalableTargetRecord]) -> None:
        self._by_id: dict[str, ScalableTargetRecord] = {}
        self._by_resource_id: ValueIndex[ScalableTargetRecord] = ValueIndex()
        for target in targets:
            self._by_id.setdefault(target.logical_id, target)
            self._by_resource_id.add(target.resource_id, target)

    def target_of(self, policy) -> ScalableTargetRecord | None:
        """The target a policy drives: the one its ScalingTargetId names, else the first with its triple."""
        if policy.target is not None:
            if policy.target.logical_id is not None:
                return self._by_id.get(policy.target.logical_id)
            return None
        if policy.triple is None:
            return None
        return self._by_resource_id.first(
            policy.triple[0],
            lambda target: bool(
                same_triple(policy.triple, [target], lambda item: (item.resource_id, item.dimension.value, item.namespace.value), same_value)
            ),
        )


def alarms_by_action(records: TemplateRecords) -> dict[str, AlarmRecord]:
    """The first alarm that triggers each resource, by the resource's logical ID."""
    alarms: dict[str, AlarmRecord] = {}
    for alarm in records.alarms:
        for action in alarm.actions:
            alarms.setdefault(action, alarm)
    return alarms


def with_alarm_metric(policy, alarms: Mapping[str, AlarmRecord]):
    """A policy record with the metric of the alarm that triggers it (from `alarms_by_action`), when it names none."""
    alarm = alarms.get(policy.logical_id)
    if alarm is None:
        return policy
    return replace(policy, policy=policy_with_alarm_metric(policy.policy, (alarm.metric, alarm.namespace)))

"""Matching one template's records: values known to be equal, policies to their targets, alarms to policies.

Shared by the SageMaker hosting links (`hosting.py`) and the ECS service
links (`ecs_scaling.py`), through the shared Application Auto Scaling
module.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from plugins.adapters.aws.application_autoscaling import same_triple
from plugins.adapters.aws.application_autoscaling import with_alarm_metric as policy_with_alarm_metric
from plugins.adapters.cloudformation.intrinsics import Choice, Opaque, Partial, ResourceValue
from plugins.adapters.cloudformation.records import ScalableTargetRecord, TemplateRecords


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


def policy_target(policy, targets: list[ScalableTargetRecord]) -> ScalableTargetRecord | None:
    """The target a policy drives: the one its ScalingTargetId names, else the first with its triple."""
    if policy.target is not None:
        if policy.target.logical_id is not None:
            return next((target for target in targets if target.logical_id == policy.target.logical_id), None)
        return None
    if policy.triple is None:
        return None
    same = same_triple(
        policy.triple, targets, lambda target: (target.resource_id, target.dimension.value, target.namespace.value), same_value
    )
    return same[0] if same else None


def with_alarm_metric(policy, records: TemplateRecords):
    """A policy record with the metric of the alarm that triggers it, when it names none."""
    alarm = next((alarm for alarm in records.alarms if policy.logical_id in alarm.actions), None)
    if alarm is None:
        return policy
    return replace(policy, policy=policy_with_alarm_metric(policy.policy, (alarm.metric, alarm.namespace)))

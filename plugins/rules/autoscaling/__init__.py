"""AS — autoscaling — does something scale the deployment, and sensibly?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.autoscaling.async_scale_from_zero_without_backlog_policy import (
    async_scale_from_zero_without_backlog_policy,
)
from plugins.rules.autoscaling.missing_autoscaling import missing_autoscaling
from plugins.rules.autoscaling.no_scaling_headroom import no_scaling_headroom
from plugins.rules.autoscaling.scale_in_below_two_in_production import scale_in_below_two_in_production
from plugins.rules.autoscaling.scaling_metric_mismatch import scaling_metric_mismatch
from plugins.rules.autoscaling.scaling_target_dangling import scaling_target_dangling
from plugins.rules.autoscaling.scaling_target_without_policy import scaling_target_without_policy


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        missing_autoscaling,
        scaling_target_dangling,
        no_scaling_headroom,
        scale_in_below_two_in_production,
        scaling_metric_mismatch,
        async_scale_from_zero_without_backlog_policy,
        scaling_target_without_policy,
    ]

"""AS — autoscaling — does something scale the deployment, and sensibly?"""

from __future__ import annotations

from linter import OptionSection, Rule, hookimpl

from plugins.rules.autoscaling.async_scale_from_zero_without_backlog_policy import (
    async_scale_from_zero_without_backlog_policy,
)
from plugins.rules.autoscaling.missing_autoscaling import missing_autoscaling
from plugins.rules.autoscaling.no_scaling_headroom import no_scaling_headroom
from plugins.rules.autoscaling.scale_in_below_two_in_production import scale_in_below_two_in_production
from plugins.rules.autoscaling.scaling_metric_mismatch import scaling_metric_mismatch
from plugins.rules.autoscaling.scaling_target_dangling import scaling_target_dangling
from plugins.rules.scaled_elsewhere import SETTING as SCALED_ELSEWHERE_SETTING
from plugins.rules.autoscaling.scaling_target_without_policy import scaling_target_without_policy


# The pack's setting, read by AS001 and, through the shared `plugins.rules.scaled_elsewhere`, HA001 and HA003.
SCALED_ELSEWHERE = OptionSection(
    SCALED_ELSEWHERE_SETTING,
    {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Deployments that something outside the linted files scales (a script, a controller, another "
        "repository), so AS001 missing-autoscaling stays silent for them and HA001/HA003 do not say that nothing scales "
        "them: shell-style globs (`*`, `?`, `[...]`) over "
        "endpoint and object names, CloudFormation logical IDs, and Kubernetes `namespace/name`.",
    },
)


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [SCALED_ELSEWHERE]


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

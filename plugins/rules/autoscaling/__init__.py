"""AS — autoscaling — does something scale the deployment, and sensibly?"""

from __future__ import annotations

from linter import Rule, hookimpl


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return []

"""HA — availability — will the deployment survive an instance or zone failure?"""

from __future__ import annotations

from linter import Rule, hookimpl


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return []

"""CP — compute fit — does the instance or node suit the model it runs?"""

from __future__ import annotations

from linter import Rule, hookimpl


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return []

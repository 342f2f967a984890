"""SP — Spot and capacity — is interruptible capacity used where it fits, and safely?"""

from __future__ import annotations

from linter import Rule, hookimpl


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return []

"""CV — configuration validity: settings the service would reject."""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.config_validity.serverless_memory_invalid import serverless_memory_invalid


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [serverless_memory_invalid]

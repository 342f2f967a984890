"""SP — Spot and capacity — is interruptible capacity used where it fits, and safely?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.spot.consolidation_evicts_batch_work import consolidation_evicts_batch_work
from plugins.rules.spot.managed_spot_misconfigured import managed_spot_misconfigured
from plugins.rules.spot.on_demand_batch_capacity import on_demand_batch_capacity
from plugins.rules.spot.spot_capacity_not_diversified import spot_capacity_not_diversified
from plugins.rules.spot.training_without_managed_spot import training_without_managed_spot


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        on_demand_batch_capacity,
        training_without_managed_spot,
        managed_spot_misconfigured,
        consolidation_evicts_batch_work,
        spot_capacity_not_diversified,
    ]

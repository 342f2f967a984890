"""HA — availability — will the deployment survive an instance or zone failure?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.availability.single_az_network import single_az_network
from plugins.rules.availability.single_instance_production_endpoint import single_instance_production_endpoint


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [single_instance_production_endpoint, single_az_network]

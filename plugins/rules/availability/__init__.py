"""HA — availability — will the deployment survive an instance, node or zone failure?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.availability.model_server_without_readiness import model_server_without_readiness
from plugins.rules.availability.disruption_budget_allows_full_outage import disruption_budget_allows_full_outage
from plugins.rules.availability.no_disruption_budget import no_disruption_budget
from plugins.rules.availability.no_zone_spread import no_zone_spread
from plugins.rules.availability.single_az_network import single_az_network
from plugins.rules.availability.single_instance_production_endpoint import single_instance_production_endpoint
from plugins.rules.availability.single_replica_production_workload import single_replica_production_workload
from plugins.rules.availability.spot_only_production_serving import spot_only_production_serving


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        single_instance_production_endpoint,
        single_az_network,
        single_replica_production_workload,
        no_zone_spread,
        no_disruption_budget,
        spot_only_production_serving,
        disruption_budget_allows_full_outage,
        model_server_without_readiness,
    ]

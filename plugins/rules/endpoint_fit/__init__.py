"""EP — endpoint-type fit: does the endpoint type suit the payload, latency and traffic?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.endpoint_fit.always_on_for_intermittent_traffic import always_on_for_intermittent_traffic
from plugins.rules.endpoint_fit.async_without_failure_handling import async_without_failure_handling
from plugins.rules.endpoint_fit.latency_target_unreachable import latency_target_unreachable
from plugins.rules.endpoint_fit.many_endpoints_could_share_one import many_endpoints_could_share_one
from plugins.rules.endpoint_fit.model_server_accepts_more_than_endpoint import model_server_accepts_more_than_endpoint
from plugins.rules.endpoint_fit.model_startup_timeouts_unset import model_startup_timeouts_unset
from plugins.rules.endpoint_fit.model_server_timeout_beyond_endpoint import model_server_timeout_beyond_endpoint
from plugins.rules.endpoint_fit.payload_exceeds_endpoint_limit import payload_exceeds_endpoint_limit


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        payload_exceeds_endpoint_limit,
        latency_target_unreachable,
        always_on_for_intermittent_traffic,
        many_endpoints_could_share_one,
        model_server_accepts_more_than_endpoint,
        async_without_failure_handling,
        model_startup_timeouts_unset,
        model_server_timeout_beyond_endpoint,
    ]

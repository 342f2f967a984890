"""EP — endpoint-type fit: does the endpoint type suit the payload, latency and traffic?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.endpoint_fit.async_without_failure_handling import async_without_failure_handling
from plugins.rules.endpoint_fit.model_server_accepts_more_than_endpoint import model_server_accepts_more_than_endpoint
from plugins.rules.endpoint_fit.payload_exceeds_endpoint_limit import payload_exceeds_endpoint_limit


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [payload_exceeds_endpoint_limit, model_server_accepts_more_than_endpoint, async_without_failure_handling]

"""The endpoint-fit decisions, shared by the EP rules and by `advise`: one threshold, one comparison.

Each function answers for a declared profile value what the rules judge
(a payload against an endpoint type's limit, a latency target against what
a queued or a cold-starting endpoint can be counted on for), reading the
numbers from the data tables, so that the advisor can never recommend what
a rule would then report.
"""

from __future__ import annotations

import math

from plugins.data import limit, payload_limit, queued_latency_floor_ms, serverless_cold_start_seconds

# The workload profile's `payload-mb` is in decimal megabytes (its schema).
MB = 1_000_000

# Profile `traffic` values (schemas/workload-profile.schema.json) that leave
# an endpoint idle most of the time (EP003).
IDLE_TRAFFIC = ("intermittent", "scheduled")


def payload_bytes(payload_mb: float) -> float:
    """A declared `payload-mb` in bytes."""
    return float(payload_mb) * MB


def payload_fits(kind: str, payload_mb: float) -> bool | None:
    """True when a payload of `payload_mb` fits the limit of a deployment kind (EP001); None when the kind has no limit."""
    limit = payload_limit(kind)
    if limit is None:
        return None
    return payload_bytes(payload_mb) <= limit.bytes


def queue_meets_latency(latency_ms: float) -> bool:
    """True when an asynchronous endpoint or a batch transform job can be counted on for this target (EP002)."""
    return float(latency_ms) >= queued_latency_floor_ms()


def cold_start_meets_latency(latency_ms: float) -> bool:
    """True when a serverless endpoint without provisioned concurrency meets this target after a cold start (EP002)."""
    return float(latency_ms) >= serverless_cold_start_seconds()[0] * 1000


def idle_traffic(traffic: str) -> bool:
    """True for traffic that leaves an always-on endpoint idle most of the time (EP003)."""
    return traffic in IDLE_TRAFFIC


def transform_mb_bytes() -> float:
    """Bytes in one of batch transform's "MB" (its 100 MB ceiling is stored as 100 MiB)."""
    return payload_limit("batch-transform").bytes / limit("batch_transform", "max_payload_mb").max  # type: ignore[union-attr,operator]


def transform_max_payload_needed(size: float) -> int:
    """The smallest MaxPayloadInMB that holds a record of `size` bytes (EP001 on batch transform)."""
    return max(math.ceil(size / transform_mb_bytes()), 1)

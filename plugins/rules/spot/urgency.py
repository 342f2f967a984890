"""What the spot rules ask of a workload profile's declared urgency."""

from __future__ import annotations

from linter import Deployment

# The urgencies of schemas/workload-profile.schema.json.
URGENT = "urgent"
DEFERRABLE = "deferrable"


def declared_urgency(deployment: Deployment) -> str | None:
    """The urgency the workload profile declares (`urgent` | `deferrable`), or None."""
    urgency = deployment.profile.urgency
    return str(urgency.value) if urgency.known else None

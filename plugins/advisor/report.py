"""The advice as text for people and as JSON for scripts (docs/output-formats.md documents the JSON)."""

from __future__ import annotations

import json

from linter import escape_control

from plugins.advisor.decide import Advice

SCHEMA_VERSION = 1


def advice_dict(advice: Advice) -> dict:
    """The stable JSON shape of one recommendation."""
    return {
        "fits": advice.fits,
        "platform": advice.profile.platform,
        "profile": advice.profile.as_dict(),
        "endpoint_type": advice.endpoint_type,
        "compute": {
            "accelerator": advice.accelerator,
            "instance_type": advice.instance_type,
            "alternatives": list(advice.compute_alternatives),
        },
        "pricing": {"model": advice.pricing, "why": advice.pricing_why},
        "scaling": dict(advice.scaling),
        "availability": dict(advice.availability),
        "hosting": advice.hosting,
        "streaming": advice.streaming,
        "image": advice.image,
        "alternatives": [alternative.as_dict() for alternative in advice.alternatives],
        "reasons": [reason.as_dict() for reason in advice.reasons],
        "conflicts": [reason.as_dict() for reason in advice.conflicts],
    }


def advice_json(advice: Advice) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, **advice_dict(advice)}, indent=2, ensure_ascii=False) + "\n"


def _why(reason) -> str:
    return reason.rule or reason.fact or ""


def verdict(advice: Advice) -> str:
    """One line: what to deploy."""
    if not advice.fits:
        return "no deployment fits this profile: " + "; ".join(f"{reason.rule}: {reason.text}" for reason in advice.conflicts)
    compute = advice.instance_type or {"cpu": "CPU", "gpu": "GPU", "inferentia": "Inferentia2"}[advice.accelerator]
    if advice.endpoint_type == "serverless":
        compute = f"{advice.serverless.get('memory_mb')} MB serverless memory"
    parts = [f"{advice.endpoint_type} on {compute}", advice.pricing]
    if advice.hosting != "single-model":
        parts.append(advice.hosting)
    instances = advice.availability.get("instances")
    if instances:
        noun = "replicas" if advice.endpoint_type == "service" else "instances"
        parts.append(f"{instances}+ {noun}")
    if advice.streaming:
        parts.append("streaming")
    return ", ".join(parts)


def advice_text(advice: Advice) -> str:
    """A short verdict, then the reasons, each with the rule or fact behind it and its source."""
    lines = [f"recommendation: {verdict(advice)}"]
    for reason in advice.reasons:
        lines.append(f"  - {reason.text} [{_why(reason)}]")
    for alternative in advice.alternatives:
        lines.append(f"  or: {alternative.endpoint_type}: {alternative.text}")
    lines.append("sources:")
    seen: list[str] = []
    for reason in advice.reasons + advice.conflicts:
        label = _why(reason)
        if (label, reason.source) not in seen:
            seen.append((label, reason.source))  # type: ignore[arg-type]
            lines.append(f"  {label}: {reason.source}")
    return "".join(escape_control(line) + "\n" for line in lines)

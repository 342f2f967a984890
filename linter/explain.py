"""What the linter believes about each deployment, and where each fact came from.

`mldeploy-lint explain --deployments FILE...` prints this; the adapter tests
keep goldens of the JSON form. Rendering is generic over the model's
dataclasses, so a new model field shows up without changes here.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
from typing import Any, Sequence

from linter.model import UNKNOWN, Deployment, ScalingTarget, Sourced
from linter.nodes import Span
from linter.reporting import escape_control
from linter.rules import NotJudged, Rule, Scope

__all__ = ["model_as_data", "explain_text", "explain_json", "not_applicable", "not_judged_data"]


def _location(span: Span | None, base: str | None) -> str | None:
    if span is None:
        return None
    path = span.path
    if base and os.path.isabs(path):
        path = os.path.relpath(path, base)
    return f"{path}:{span.line}:{span.column}"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int) and not isinstance(value, bool):
        return _printable_int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf or NaN
    if isinstance(value, (str, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    try:
        return str(value)
    except ValueError:  # an object whose text holds an integer too long to print
        return f"<{type(value).__name__}>"


def _printable_int(value: int) -> int | str:
    """`value`, or a short hexadecimal text when Python refuses to print it in decimal.

    Python limits int-to-decimal conversion (4,300 digits by default); a
    long hexadecimal literal in a file reads as such an integer.
    """
    try:
        str(value)
    except ValueError:
        digits = format(abs(value), "x")
        sign = "-" if value < 0 else ""
        return f"{sign}0x{digits[:16]}… ({len(digits):,} hexadecimal digits)"
    return value


def model_as_data(value: Any, base: str | None = None) -> Any:
    """Plain data for a model object; empty and unknown facts without a reason are left out.

    A sourced fact becomes {"value", "at", "how", "note"} (and "options"
    or "raw" where present); an unknown one keeps its note saying why.
    """
    if isinstance(value, Sourced):
        if value.value is UNKNOWN and not value.note and value.raw is None and not value.options:
            return None
        data: dict[str, Any] = {"value": None if value.value is UNKNOWN else _plain(value.value)}
        if value.value is UNKNOWN:
            data["value"] = "unknown"
        location = _location(value.span, base)
        if location:
            data["at"] = location
        data["how"] = value.provenance.value
        if value.note:
            data["note"] = value.note
        if value.raw is not None:
            data["raw"] = _plain(value.raw)
        if value.options:
            data["options"] = _plain(value.options)
        return data
    if isinstance(value, Span):
        return _location(value, base)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result: dict[str, Any] = {}
        for field in dataclasses.fields(value):
            item = model_as_data(getattr(value, field.name), base)
            if item in (None, [], {}, ""):
                continue
            result[field.name] = item
        return result
    if isinstance(value, (list, tuple)):
        items = [model_as_data(item, base) for item in value]
        if value and isinstance(value[0], tuple) and len(value[0]) == 2 and isinstance(value[0][0], str):
            return {key: model_as_data(item, base) for key, item in value}  # (name, Sourced) pairs
        return [item for item in items if item not in (None, {}, [])]
    return _plain(value)


def not_applicable(deployment: Deployment, rules: Sequence[Rule]) -> dict[str, list[str]]:
    """The deployment-scope rules that do not judge the deployment, by reason (`kind training` -> rule IDs, sorted).

    A rule outside its declared applicability (`Rule.not_applicable_to`) is
    never called for the deployment: this says why it cannot fire there.
    """
    reasons: dict[str, list[str]] = {}
    for candidate in sorted(rules, key=lambda candidate: candidate.id):
        if candidate.scope is Scope.DEPLOYMENT:
            reason = candidate.not_applicable_to(deployment)
            if reason:
                reasons.setdefault(reason, []).append(candidate.id)
    return reasons


def not_judged_data(items: Sequence[NotJudged], base: str | None = None) -> list[dict[str, str]]:
    """What rules could not judge, as {"rule", "message"} (and "at" where the unknown fact is written), in order."""
    result = []
    for item in items:
        data = {"rule": item.rule_id, "message": item.message}
        location = _location(item.span, base)
        if location:
            data["at"] = location
        result.append(data)
    return result


def _aligned(deployments: Sequence[Deployment], not_judged: Sequence[Sequence[NotJudged]]) -> list[Sequence[NotJudged]]:
    return [not_judged[index] if index < len(not_judged) else () for index in range(len(deployments))]


def explain_json(
    deployments: Sequence[Deployment],
    targets: Sequence[ScalingTarget],
    base: str | None = None,
    rules: Sequence[Rule] = (),
    not_judged: Sequence[Sequence[NotJudged]] = (),
) -> str:
    """The model of a run as JSON (stable: sorted as the engine sorts).

    With `rules`, each deployment also has `not_applicable`: the rules that
    do not judge it, by reason (see `not_applicable`), when there are any.
    `not_judged` is aligned with `deployments` (`LintResult.not_judged`):
    each deployment with any has `not_judged`, a list of {"rule",
    "message", "at"} (see `not_judged_data`).
    """
    document = {
        "deployments": [
            _deployment_data(deployment, base, rules, items)
            for deployment, items in zip(deployments, _aligned(deployments, not_judged))
        ],
        "scaling_targets": [model_as_data(target, base) for target in targets],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _deployment_data(deployment: Deployment, base: str | None, rules: Sequence[Rule], items: Sequence[NotJudged]) -> Any:
    data = model_as_data(deployment, base)
    reasons = not_applicable(deployment, rules)
    if reasons:
        data["not_applicable"] = reasons
    if items:
        data["not_judged"] = not_judged_data(items, base)
    return data


def explain_text(
    deployments: Sequence[Deployment],
    targets: Sequence[ScalingTarget],
    base: str | None = None,
    rules: Sequence[Rule] = (),
    not_judged: Sequence[Sequence[NotJudged]] = (),
) -> str:
    """A readable outline: one block per deployment, each fact with its origin.

    With `rules`, each block ends with one line per reason some of them do
    not judge the deployment: `not applicable: kind training — AS001, HA001`.
    `not_judged` is aligned with `deployments` (`LintResult.not_judged`):
    a line for each, `not judged: CP007 — <message>  <where>`.
    """
    if not deployments and not targets:
        return "No deployments found.\n"
    lines: list[str] = []
    for deployment, items in zip(deployments, _aligned(deployments, not_judged)):
        data = model_as_data(deployment, base)
        kind = data.get("kind", {}).get("value", "unknown")
        name = data.get("name", {}).get("value", deployment.id)
        variant = f"  with {deployment.variant.value}" if deployment.variant.known else ""
        lines.append(f"{name}  ({deployment.platform}, {kind}){variant}  {_location(deployment.span, base)}")
        for key, value in data.items():
            if key in ("id", "platform", "span"):
                continue
            _outline(lines, key, value, 1)
        for reason, rule_ids in not_applicable(deployment, rules).items():
            lines.append(f"  not applicable: {reason} — {', '.join(rule_ids)}")
        for item in not_judged_data(items, base):
            at = f"  {item['at']}" if "at" in item else ""
            lines.append(f"  not judged: {item['rule']} — {item['message']}{at}")
        lines.append("")
    if targets:
        lines.append("Scaling targets:")
        for target in targets:
            where = _location(target.span, base)
            lines.append(f"  {target.status.value}: {target.reason}  {where}")
        lines.append("")
    # Names and values come from the linted files: no control character of theirs reaches a terminal or CI log.
    return "\n".join(escape_control(line) for line in lines)


def _outline(lines: list[str], key: str, value: Any, depth: int) -> None:
    indent = "  " * depth
    if isinstance(value, dict) and "how" in value:
        origin = f"[{value['how']}{': ' + value['note'] if value.get('note') else ''}]"
        extra = ""
        if "options" in value:
            extra = f" options {value['options']}"
        if "raw" in value:
            extra = f" as written: {value['raw']!r}"
        at = f" {value['at']}" if value.get("at") else ""
        lines.append(f"{indent}{key}: {value['value']}{extra}  {origin}{at}")
    elif isinstance(value, dict):
        lines.append(f"{indent}{key}:")
        for inner_key, inner in value.items():
            _outline(lines, inner_key, inner, depth + 1)
    elif isinstance(value, list):
        lines.append(f"{indent}{key}:")
        for index, item in enumerate(value):
            if isinstance(item, dict) and "how" not in item:
                lines.append(f"{indent}  - [{index}]")
                for inner_key, inner in item.items():
                    _outline(lines, inner_key, inner, depth + 2)
            else:
                _outline(lines, f"- [{index}]", item, depth + 1)
    else:
        lines.append(f"{indent}{key}: {value}")

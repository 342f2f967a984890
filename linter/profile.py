"""Reading a declared workload profile, shared by every adapter.

The profile's shape is `schemas/workload-profile.schema.json`. Values are
checked against that schema by `check_value`, which interprets the small
subset of JSON Schema the profile schema uses (type, enum, minimum,
exclusiveMinimum, additionalProperties: false) so that linting a template
never has to import jsonschema; a test holds it equal to jsonschema's
verdicts, and another that the schema uses nothing beyond that subset.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

from linter.model import NO_PROFILE, Environment, InputProblem, Provenance, Sourced, WorkloadProfile
from linter.nodes import MappingNode, Node, ScalarNode, Span
from linter.schemas import load_schema

__all__ = [
    "PROFILE_KEYS",
    "PROFILE_TAG_PREFIX",
    "entry_value",
    "parse_profile",
    "merge_profiles",
    "normalise_environment",
    "environment_from_path",
    "check_value",
    "profile_choices",
]

# The largest number a profile entry may hold (int64, as the APIs the entries describe).
_LARGEST = 2**63 - 1

_FIELDS = {
    "payload-mb": "payload_mb",
    "latency-ms": "latency_ms",
    "traffic": "traffic",
    "requests-per-day": "requests_per_day",
    "environment": "environment",
    "urgency": "urgency",
    "model-size-gb": "model_size_gb",
}
PROFILE_KEYS = tuple(_FIELDS)
# A profile entry written as a resource tag (AWS Tags, labels-as-tags of other tools): `mldeploy-lint:<key>`.
PROFILE_TAG_PREFIX = "mldeploy-lint:"

# Words that contain a stage word but say how ready a thing is, not its stage;
# plugins add the names they know (`mldeploy_non_stage_names`).
_NOT_STAGES = ("production-ready",)
# Stage names written with a separator inside (`pre-prod`): one word, not `pre` and `prod`.
_JOINED_STAGES = re.compile(r"(?<![a-z0-9])pre[-_.]?prod(?:uction)?(?![a-z0-9])")

# Spellings of each stage, as teams write them in tags, labels and profiles.
_ENVIRONMENT_ALIASES = {
    Environment.PROD: ("prod", "production", "prd", "live"),
    Environment.STAGING: ("staging", "stage", "stg", "preprod", "pre-prod", "qa", "uat"),
    Environment.DEV: ("dev", "development", "test", "testing", "sandbox", "sbx"),
}


def normalise_environment(text: object) -> Environment | None:
    """The stage named by `text` (case-insensitive), or None if not a known spelling."""
    if not isinstance(text, str):
        return None
    lowered = text.strip().lower()
    for environment, aliases in _ENVIRONMENT_ALIASES.items():
        if lowered in aliases:
            return environment
    return None


def environment_from_path(path: str, non_stage_names: Iterable[str] = ()) -> tuple[Environment, str] | None:
    """The stage a file's path names, as a whole word (`deploy-model-prd.yml`, `envs/prod/`).

    Returns (stage, the word found) or None. Words are split on `/`, `.`,
    `-` and `_`, so `products.yaml` names no stage; names that contain a
    stage word but name something else (`production-ready`, and
    `non_stage_names`: what the run's plugins give, `run.non_stage_names`)
    are skipped. Production wins when a path names several stages.
    """
    skipped = _JOINED_STAGES.sub("preprod", _non_stages(tuple(non_stage_names)).sub("/", path.lower()))
    words = [word for word in re.split(r"[/\\._\-]+", skipped) if word]
    found = [(environment, word) for word in words for environment in [normalise_environment(word)] if environment]
    for environment, word in found:
        if environment is Environment.PROD:
            return environment, word
    return found[0] if found else None


def _non_stages(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of `names` (and the core's own) as whole words of a lower-cased text (`re` caches the pattern)."""
    spelled = sorted({name.lower() for name in (*_NOT_STAGES, *names) if name}, key=lambda name: (-len(name), name))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, spelled)) + r")(?![a-z0-9])")


def check_value(key: str, value: object) -> tuple[object, str | None]:
    """Coerce and check one profile entry against the profile schema.

    Returns (value, None) when valid — numeric strings become numbers — or
    (None, reason) when the key is unknown or the value breaks the schema.
    """
    schema = load_schema("workload-profile")
    prop = schema["properties"].get(key)
    if prop is None:
        from linter.suggest import did_you_mean

        known = ", ".join(schema["properties"])
        return None, f"unknown workload profile key {key!r}{did_you_mean(str(key), schema['properties'])} (known keys: {known})"
    expected = prop.get("type")
    if expected in ("number", "integer") and isinstance(value, str):
        try:
            value = float(value) if expected == "number" else int(value)
        except ValueError:
            return None, f"{key} must be a number, got {value!r}"
    if expected == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return None, f"{key} must be a number, got {_describe(value)}"
    if expected == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return None, f"{key} must be an integer, got {_describe(value)}"
    if expected == "string" and not isinstance(value, str):
        return None, f"{key} must be a string, got {_describe(value)}"
    if isinstance(value, float) and not math.isfinite(value):  # NaN, inf: JSON has neither
        return None, f"{key} must be a finite number, got {value!r}"
    if "maximum" in prop and isinstance(value, (int, float)) and abs(value) > prop["maximum"]:
        # The schema bounds numbers by int64, as the APIs the entries describe: arithmetic on 10**400 overflows.
        return None, f"{key} is too large (at most {prop['maximum']:,})"
    if "enum" in prop and value not in prop["enum"]:
        return None, f"{key} must be one of {', '.join(prop['enum'])}; got {value!r}"
    if "minimum" in prop and value < prop["minimum"]:
        return None, f"{key} must be at least {prop['minimum']}, got {value!r}"
    if "exclusiveMinimum" in prop and value <= prop["exclusiveMinimum"]:
        return None, f"{key} must be greater than {prop['exclusiveMinimum']}, got {value!r}"
    return value, None


def profile_choices(key: str) -> tuple[str, ...]:
    """The values the profile schema allows for `key` (its enum); empty when any value of its type is allowed."""
    prop = load_schema("workload-profile")["properties"].get(key, {})
    return tuple(prop.get("enum", ()))


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and abs(value) > _LARGEST:
        return "a number too large"  # and perhaps too long to print at all
    return f"{value!r}"


def entry_value(node: Node) -> object:
    """What a profile entry written as `node` holds, for `parse_profile`: a scalar's value; for a mapping or a
    list, an empty one, so that the problem reported says which kind of value was written where a scalar belongs."""
    if isinstance(node, ScalarNode):
        return node.value
    return {} if isinstance(node, MappingNode) else []


def parse_profile(
    entries: Iterable[tuple[str, object, Span]], origin: str, base: WorkloadProfile | None = None
) -> tuple[WorkloadProfile, list[InputProblem]]:
    """Build a profile from (key, value, span) entries declared in a file.

    `origin` says where they were declared (for `explain`), e.g.
    "Metadata mldeploy-lint.workload". Invalid entries are left out of the
    profile and reported as located `InputProblem`s; later entries override
    `base` (`NO_PROFILE` when None), which is returned itself when no entry
    is valid.
    """
    profile = NO_PROFILE if base is None else base
    problems: list[InputProblem] = []
    changes: dict[str, Sourced] = {}
    for key, raw_value, span in entries:
        value, reason = check_value(key, raw_value)
        if reason is not None:
            problems.append(InputProblem(f"invalid workload profile ({origin}): {reason}", span))
            continue
        changes[_FIELDS[key]] = Sourced(value, span, Provenance.DECLARED, origin)
    return (profile.replaced(**changes) if changes else profile), problems


def merge_profiles(base: WorkloadProfile, override: WorkloadProfile) -> WorkloadProfile:
    """`base` with every entry `override` declares taking its place."""
    changes = {name: getattr(override, name) for name in _FIELDS.values() if getattr(override, name).known}
    return base.replaced(**changes) if changes else base

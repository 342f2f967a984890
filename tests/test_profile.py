"""The workload profile: `check_value` agrees with jsonschema, and reading a profile.

`check_value` interprets the profile schema by hand so that linting never
imports jsonschema; these tests hold its verdicts equal to jsonschema's and
the schema within the subset of keywords the interpreter knows.
"""

from __future__ import annotations

import math

import jsonschema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linter.model import Environment, InputProblem, Provenance, Sourced, WorkloadProfile
from linter.nodes import Span
from linter.profile import PROFILE_KEYS, check_value, normalise_environment, parse_profile
from linter.schemas import load_schema

SCHEMA = load_schema("workload-profile")
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
KNOWN_KEYS = tuple(SCHEMA["properties"])
ENUM_WORDS = tuple(word for prop in SCHEMA["properties"].values() for word in prop.get("enum", ()))

INTERPRETED_PROPERTY_KEYWORDS = {"type", "enum", "minimum", "exclusiveMinimum", "maximum", "description"}
INTERPRETED_TOP_LEVEL_KEYWORDS = {"$schema", "$id", "title", "description", "type", "additionalProperties", "properties"}
INTERPRETED_TYPES = {"number", "integer", "string"}


# --- the schema stays within what check_value interprets -------------------------------------


def test_schema_top_level_uses_only_interpreted_keywords():
    assert set(SCHEMA) <= INTERPRETED_TOP_LEVEL_KEYWORDS
    assert SCHEMA["type"] == "object"
    # check_value rejects unknown keys; that is only right while the schema does.
    assert SCHEMA["additionalProperties"] is False


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_each_property_uses_only_interpreted_keywords(key):
    prop = SCHEMA["properties"][key]
    assert set(prop) <= INTERPRETED_PROPERTY_KEYWORDS, f"{key} uses {set(prop) - INTERPRETED_PROPERTY_KEYWORDS}"
    assert isinstance(prop.get("type"), str) and prop["type"] in INTERPRETED_TYPES
    if "enum" in prop:
        assert prop["type"] == "string" and all(isinstance(word, str) for word in prop["enum"])
    for bound in ("minimum", "exclusiveMinimum", "maximum"):
        if bound in prop:
            assert prop["type"] in ("number", "integer") and isinstance(prop[bound], (int, float))


def test_profile_keys_are_the_schema_properties():
    assert PROFILE_KEYS == KNOWN_KEYS


def test_every_field_of_the_model_has_a_profile_key():
    fields = {name.replace("_", "-") for name in WorkloadProfile.__dataclass_fields__}
    assert fields == set(KNOWN_KEYS)


# --- check_value agrees with jsonschema ------------------------------------------------------------


def _numeric_strings() -> st.SearchStrategy[str]:
    numbers = st.one_of(st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True))
    return st.one_of(numbers.map(str), numbers.map(lambda number: f" {number} "), st.sampled_from(["1e3", "-0", ".5", "nan"]))


VALUES = st.recursive(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        _numeric_strings(),
        st.sampled_from(ENUM_WORDS),
        st.text(max_size=12),
        st.booleans(),
        st.none(),
    ),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=5,
)
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=20), st.sampled_from(["Payload-MB", "payload_mb", ""]))


def coerced_for_schema(key: str, value: object) -> tuple[bool, object]:
    """What the checker hands to the schema: numeric strings become numbers first.

    Returns (coercible, value); a string under a number key that is not a
    number fails before the schema is consulted.
    """
    prop = SCHEMA["properties"].get(key)
    if prop is not None and prop["type"] in ("number", "integer") and isinstance(value, str):
        try:
            return True, float(value) if prop["type"] == "number" else int(value)
        except ValueError:
            return False, None
    return True, value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=KEYS, value=VALUES)
@example(key="payload-mb", value=float("nan"))
@example(key="payload-mb", value="nan")
@example(key="payload-mb", value=0)
@example(key="payload-mb", value="0.0001")
@example(key="requests-per-day", value=0)
@example(key="requests-per-day", value=-0.5)
@example(key="latency-ms", value=True)
@example(key="traffic", value="Bursty")
@example(key="environment", value="production")
@example(key="urgency", value=["urgent"])
def test_check_value_agrees_with_jsonschema(key, value):
    checked, reason = check_value(key, value)
    coercible, coerced = coerced_for_schema(key, value)
    if isinstance(coerced, float) and math.isinf(coerced):
        # Infinity is not a JSON number; see test_infinite_numbers_are_rejected.
        return
    if not coercible:
        expected_valid = False
    elif isinstance(coerced, float) and math.isnan(coerced):
        # JSON has no NaN; jsonschema's comparisons are all false for it, so it
        # would pass `exclusiveMinimum`. The checker refuses it, as a JSON
        # document could never carry it.
        expected_valid = False
    else:
        expected_valid = VALIDATOR.is_valid({key: coerced})
    assert (reason is None) == expected_valid, (key, value, reason)
    if reason is None:
        assert checked == coerced and type(checked) is type(coerced)
    else:
        assert checked is None
        assert reason


@pytest.mark.parametrize("value", [math.inf, "inf", "Infinity", "1e999", 1e308 * 10])
def test_infinite_numbers_are_rejected(value):
    assert check_value("payload-mb", value)[1] is not None


# --- check_value messages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("payload-mb", "12", (12.0, None)),
        ("payload-mb", " 2.5 ", (2.5, None)),
        ("payload-mb", 7, (7, None)),
        ("requests-per-day", 0, (0, None)),
        ("traffic", "bursty", ("bursty", None)),
        ("payload-mb", "big", (None, "payload-mb must be a number, got 'big'")),
        ("payload-mb", True, (None, "payload-mb must be a number, got boolean true")),
        ("payload-mb", None, (None, "payload-mb must be a number, got null")),
        ("payload-mb", [1], (None, "payload-mb must be a number, got a list")),
        ("payload-mb", "nan", (None, "payload-mb must be a finite number, got nan")),
        ("payload-mb", 0, (None, "payload-mb must be greater than 0, got 0")),
        ("requests-per-day", -1, (None, "requests-per-day must be at least 0, got -1")),
        ("urgency", {"a": 1}, (None, "urgency must be a string, got a mapping")),
        ("traffic", "Bursty", (None, "traffic must be one of steady, bursty, intermittent, scheduled; got 'Bursty'")),
    ],
)
def test_check_value_results_and_messages(key, value, expected):
    assert check_value(key, value) == expected


def test_unknown_key_message_lists_the_known_keys():
    value, reason = check_value("payload", 5)
    assert value is None
    assert reason == (
        "unknown workload profile key 'payload' (did you mean 'payload-mb'?) "
        "(known keys: payload-mb, latency-ms, traffic, requests-per-day, environment, urgency, model-size-gb)"
    )


# --- normalise_environment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod", Environment.PROD),
        ("Production", Environment.PROD),
        ("  LIVE ", Environment.PROD),
        ("prd", Environment.PROD),
        ("stage", Environment.STAGING),
        ("Pre-Prod", Environment.STAGING),
        ("uat", Environment.STAGING),
        ("QA", Environment.STAGING),
        ("dev", Environment.DEV),
        ("sandbox", Environment.DEV),
        ("test", Environment.DEV),
        ("sbx", Environment.DEV),
        ("products", None),
        ("pro", None),
        ("", None),
        (None, None),
        (1, None),
        (["prod"], None),
    ],
)
def test_normalise_environment(text, expected):
    assert normalise_environment(text) is expected


def test_every_environment_the_schema_allows_names_a_stage():
    words = SCHEMA["properties"]["environment"]["enum"]
    assert [word for word in words if normalise_environment(word) is None] == []
    assert {normalise_environment(word) for word in words} == set(Environment)


# --- parse_profile ----------------------------------------------------------------------------------------

ORIGIN = "Metadata mldeploy-lint.workload of Endpoint"


def span(line: int, column: int = 5) -> Span:
    return Span("t.yaml", line, column, line, column + 3)


def test_parse_profile_keeps_spans_and_provenance():
    profile, problems = parse_profile(
        [("payload-mb", "8", span(3)), ("traffic", "bursty", span(4)), ("environment", "prd", span(5))], ORIGIN
    )
    assert problems == []
    assert profile.payload_mb == Sourced(8.0, span(3), Provenance.DECLARED, ORIGIN)
    assert profile.traffic == Sourced("bursty", span(4), Provenance.DECLARED, ORIGIN)
    assert profile.environment == Sourced("prd", span(5), Provenance.DECLARED, ORIGIN)
    assert not profile.latency_ms.known and not profile.urgency.known


def test_parse_profile_reports_each_invalid_entry_where_it_is_and_leaves_it_out():
    profile, problems = parse_profile(
        [("payload-mb", "big", span(3)), ("colour", "blue", span(4)), ("latency-ms", 50, span(5))], ORIGIN
    )
    assert problems == [
        InputProblem(f"invalid workload profile ({ORIGIN}): payload-mb must be a number, got 'big'", span(3)),
        InputProblem(
            f"invalid workload profile ({ORIGIN}): unknown workload profile key 'colour' "
            "(known keys: payload-mb, latency-ms, traffic, requests-per-day, environment, urgency, model-size-gb)",
            span(4),
        ),
    ]
    assert all(problem.rule_id == "MD004" for problem in problems)
    assert not profile.payload_mb.known
    assert profile.latency_ms.value == 50


def test_parse_profile_overrides_base_only_with_valid_entries():
    base, _ = parse_profile([("payload-mb", 4, span(3)), ("traffic", "steady", span(4))], ORIGIN)
    tags_origin = "Tags mldeploy-lint:<key> of Endpoint"
    profile, problems = parse_profile(
        [("payload-mb", "5", span(9)), ("traffic", "spiky", span(10))], tags_origin, base
    )
    assert profile.payload_mb == Sourced(5.0, span(9), Provenance.DECLARED, tags_origin)
    assert profile.traffic == base.traffic  # the invalid override leaves the base value
    assert [problem.span for problem in problems] == [span(10)]
    assert base.payload_mb.value == 4  # the base itself is not changed


def test_parse_profile_later_duplicate_entry_wins():
    profile, problems = parse_profile([("urgency", "urgent", span(3)), ("urgency", "deferrable", span(4))], ORIGIN)
    assert problems == []
    assert (profile.urgency.value, profile.urgency.span) == ("deferrable", span(4))


def test_parse_profile_of_nothing_is_the_empty_profile():
    assert parse_profile([], ORIGIN) == (WorkloadProfile(), [])


def test_an_unknown_key_far_from_every_known_one_gets_no_suggestion():
    _, reason = check_value("colour", 5)
    assert "did you mean" not in reason


def test_a_pre_production_path_names_staging_not_production():
    from linter.profile import environment_from_path
    from linter.model import Environment

    for path in ("pre-prod-config.json", "pre-prod-config.tfvars.json", "envs/pre_prod/values.yaml", "preproduction.yaml"):
        assert environment_from_path(path)[0] is Environment.STAGING, path
    assert environment_from_path("prod-config.json")[0] is Environment.PROD

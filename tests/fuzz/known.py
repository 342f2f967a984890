"""Failures the fuzzers know about: each has a strict-xfail reproducer in test_reproducers.py.

The CI slice and the corpus sweep fail on any failure not listed here, and
report the listed ones they still meet as a warning. Whoever fixes one sees
its reproducer flip to XPASS (a failure under `strict=True`): delete the
entry here and the xfail mark there in the same change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .harness import Failure


@dataclass(frozen=True)
class Known:
    """A class of failures: its kind, where it happens and what it says (regular expressions)."""

    reproducer: str  # a test function in test_reproducers.py
    kind: str
    where: str
    summary: str
    reason: str
    function: str = ""

    def matches(self, failure: Failure) -> bool:
        return (
            re.fullmatch(self.kind, failure.kind) is not None
            and re.search(self.where, failure.where) is not None
            and re.search(self.summary, failure.summary) is not None
            and re.search(self.function, failure.function) is not None
        )


KNOWN: tuple[Known, ...] = (
    Known(
        "test_text_output_escapes_control_characters",
        "raw-control-output",
        r"^reporter (text|explain)$",
        r"",
        "issue 10 (output injection): text and explain print names and values raw",
    ),
    Known(
        "test_huge_integer_in_a_kubernetes_quantity",
        "plugin-error",
        r"^plugins/adapters/kubernetes/objects\.py$",
        r"^OverflowError: ",
        "issue 10 (one number poisons the run): the quantity reader overflows on an integer beyond float range",
        function=r"^quantity_value$",
    ),
    Known(
        "test_huge_integer_as_a_kubernetes_env_value",
        "plugin-error",
        r"^plugins/adapters/kubernetes/objects\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): label_text cannot print a 4,000-digit hex integer",
        function=r"^label_text$",
    ),
    Known(
        "test_huge_integer_in_a_cloudformation_number",
        "plugin-error",
        r"^plugins/adapters/values\.py$",
        r"^OverflowError: ",
        "issue 10 (one number poisons the run): as_float overflows on an integer beyond float range",
    ),
    Known(
        "test_huge_replica_count_in_a_rule_message",
        "plugin-error",
        r"^plugins/rules/autoscaling/missing_autoscaling\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): AS001 formats a 4,817-digit count into its message",
    ),
    Known(
        "test_huge_minimum_capacity_in_a_rule_message",
        "plugin-error",
        r"^plugins/rules/autoscaling/scaling_target_without_policy\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): the scaling-target rule formats a 4,817-digit capacity into its message",
    ),
    Known(
        "test_huge_provisioned_concurrency_in_a_rule_message",
        "plugin-error",
        r"^plugins/rules/config_validity/serverless_concurrency_invalid\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): CV002 formats a 4,817-digit concurrency into its message",
    ),
    Known(
        "test_huge_memory_size_in_a_rule_message",
        "plugin-error",
        r"^plugins/rules/config_validity/serverless_memory_invalid\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): CV001 formats a 4,817-digit memory size into its message",
    ),
    Known(
        "test_huge_on_demand_base_capacity_in_an_eksctl_node_group",
        "plugin-error",
        r"^plugins/adapters/kubernetes/eksctl\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): the eksctl reader formats a 4,817-digit capacity into a note",
    ),
    Known(
        "test_explain_json_of_a_huge_integer",
        "exception",
        r"^linter/explain\.py$",
        r"^ValueError: Exceeds the limit \(4300 digits\)",
        "issue 10 (one number poisons the run): explain cannot print a 4,000-digit hex integer",
    ),
    Known(
        "test_explain_json_of_a_number_beyond_float_range",
        "invalid-json",
        r"^reporter explain-json$",
        r"(Infinity|NaN)",
        "issue 10 (one number poisons the run): explain --format json writes Infinity for 1e400",
    ),
    Known(
        "test_resources_referring_to_each_other_in_a_ring",
        "overran|slow",
        r"^plugins/adapters/cloudformation/intrinsics\.py$",
        r"",
        "issue 10 (hangs): intrinsic resolution has no cycle detection and no memo",
    ),
    Known(
        "test_deep_flow_nesting_in_the_pure_python_parser",
        "overran|slow",
        r"^linter/source\.py$",
        r"",
        "issue 10 (segfault, deep nesting): 5,000 nested brackets in a file libyaml rejects take the pure parser minutes",
    ),
)


def known(failure: Failure) -> Known | None:
    """The known class `failure` belongs to, or None for a new failure."""
    return next((entry for entry in KNOWN if entry.matches(failure)), None)

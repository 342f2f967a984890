"""Terraform `for` expressions and functions, evaluated where the module decides them and unknown (with the reason) otherwise."""

from __future__ import annotations

from linter import LoadLimits
from linter.api import lint_text
from plugins.adapters.terraform.hcl import load_hcl
from plugins.adapters.terraform.module import build_module
from plugins.adapters.terraform.values import MAX_ITERATIONS, Unknown
from test_intrinsics_hostile import within


def _locals(text: str) -> dict:
    module = build_module("", list(load_hcl("main.tf", text, LoadLimits()).documents), [])
    return {name: module.module.evaluate(node).value for name, (_, node) in module.module.locals.items()}


def test_for_expressions_over_known_collections():
    values = _locals(
        'locals {\n  names = ["b", "a", "c"]\n  sizes = { x = 1, a = 2 }\n'
        '  upper = [for n in local.names : upper(n) if n != "c"]\n'
        "  doubled = {for k, v in local.sizes : k => v * 2}\n"
        '  grouped = {for n in ["a", "b", "a"] : n => n...}\n'
        '  indexed = [for i, n in local.names : "${i}-${n}"]\n'
        "  ordered = [for k, v in local.sizes : k]\n}\n"
    )
    assert values["upper"] == ["B", "A"]
    assert values["doubled"] == {"a": 4, "x": 2}
    assert values["grouped"] == {"a": ["a", "a"], "b": ["b"]}
    assert values["indexed"] == ["0-b", "1-a", "2-c"]
    assert values["ordered"] == ["a", "x"]  # a map is iterated in its keys' lexical order


def test_a_for_expression_with_anything_undecided_is_unknown_never_guessed():
    values = _locals(
        'variable "names" {}\nvariable "flag" {}\nlocals {\n'
        "  over = [for n in var.names : n]\n"
        "  condition = [for n in [1, 2] : n if var.flag]\n"
        "  key = {for n in [1, 2] : var.flag => n}\n"
        '  twice = {for n in ["a", "a"] : n => 1}\n'
        "  element = [for n in [1, 2] : var.flag]\n}\n"
    )
    assert isinstance(values["over"], Unknown) and "var.names" in values["over"].note
    assert isinstance(values["condition"], Unknown) and "condition" in values["condition"].note
    assert isinstance(values["key"], Unknown)
    assert isinstance(values["twice"], Unknown) and "twice" in values["twice"].note  # Terraform refuses it
    assert len(values["element"]) == 2 and all(isinstance(item, Unknown) for item in values["element"])  # the list's length is known


def test_functions():
    values = _locals(
        'locals {\n  names = ["b", "a", "c"]\n  sizes = { x = 1, a = 2 }\n'
        '  concat = concat(local.names, ["d"], [])\n'
        "  flatten = flatten([1, [2, [3]], []])\n"
        "  keys = keys(local.sizes)\n"
        "  values = values(local.sizes)\n"
        "  element = element(local.names, 4)\n"
        '  join = join("-", local.names, [1, true])\n'
        '  split = split(",", "a,b,,c")\n'
        '  format = format("%s-%d-%%-%v", "x", 3, true)\n'
        '  min = min(3, 1.5, "2")\n'
        "  max = max(1, 9)\n"
        '  tomap = tomap({ a = "1", b = "2" })\n'
        '  tolist = tolist(["a"])\n'
        '  toset = toset(["b", "a", "b"])\n'
        "  can_missing = can(local.sizes.nope)\n"
        "  can_present = can(local.sizes.x)\n"
        '  startswith = startswith("ml.g5.xlarge", "ml.")\n'
        '  endswith = endswith("main.tf", ".json")\n'
        '  trimspace = trimspace("  a b \\n")\n}\n'
    )
    assert values["concat"] == ["b", "a", "c", "d"]
    assert values["flatten"] == [1, 2, 3]
    assert values["keys"] == ["a", "x"] and values["values"] == [2, 1]
    assert values["element"] == "a"  # the index wraps around
    assert values["join"] == "b-a-c-1-true"
    assert values["split"] == ["a", "b", "", "c"]
    assert values["format"] == "x-3-%-true"
    assert values["min"] == 1.5 and values["max"] == 9
    assert values["tomap"] == {"a": "1", "b": "2"} and values["tolist"] == ["a"]
    assert values["toset"] == ["a", "b"]
    assert values["can_missing"] is False and values["can_present"] is True
    assert values["startswith"] is True and values["endswith"] is False
    assert values["trimspace"] == "a b"


def test_functions_that_would_need_a_guess_are_unknown():
    values = _locals(
        'variable "x" {}\nlocals {\n'
        '  verb = format("%q", 1)\n'
        '  width = format("%03d", 1)\n'
        '  mixed_map = tomap({ a = 1, b = "2" })\n'
        "  set_of_unknown = toset([var.x, \"a\"])\n"
        "  flatten_unknown = flatten([var.x, [1]])\n"
        '  join_unknown = join(",", ["a", var.x])\n'
        "  can_unknown = can(var.x)\n"
        '  split_empty = split("", "abc")\n}\n'
    )
    for name, value in values.items():
        assert isinstance(value, Unknown), name


def test_an_instance_type_chosen_through_a_for_expression_and_functions():
    text = '''
locals {
  sizes   = { small = "ml.c5.xlarge", large = "ml.g5.2xlarge" }
  chosen  = [for name, size in local.sizes : size if startswith(name, "lar")]
  variant = format("%s-%s", "blue", join("", split("-", "v-1")))
}
resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    variant_name           = local.variant
    model_name             = "scorer"
    instance_type          = element(local.chosen, 0)
    initial_instance_count = max(1, 2)
  }
}
'''
    (deployment,) = lint_text(text, "main.tf").deployments
    (unit,) = deployment.units
    assert unit.compute.instance_type.value == "ml.g5.2xlarge" and unit.name.value == "blue-v1" and unit.count.value == 2


def test_nested_for_expressions_are_bounded():
    big = ", ".join(str(index) for index in range(5_000))
    text = f"locals {{\n  big = [{big}]\n  square = [for a in local.big : [for b in local.big : [{big}]]]\n  after = [for a in [1] : a]\n}}\n"
    with within(3.0):
        values = _locals(text)
    assert isinstance(values["square"], Unknown) and f"{MAX_ITERATIONS:,}" in values["square"].note
    assert isinstance(values["after"], Unknown)  # the reading's steps are spent

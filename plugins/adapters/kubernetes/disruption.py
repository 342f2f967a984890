"""PodDisruptionBudgets and the label selectors that tie them (and others) to pods.

A PodDisruptionBudget (`policy/v1`, `policy/v1beta1`) protects the pods of
its namespace that its `selector` matches: `matchLabels` and
`matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`) all must hold.
An empty selector matches every pod of the namespace in `policy/v1` and
none in `policy/v1beta1`; a missing or malformed one matches none.
`minAvailable` and `maxUnavailable` are an integer or a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter import MappingNode, Node, SequenceNode, Sourced, child, mappings

from plugins.adapters.kubernetes.objects import Manifest, label_text, read_int_or_percent, string_list, text


@dataclass(frozen=True)
class Selector:
    """A label selector: every requirement must hold; `matches_all` for an empty policy/v1 selector."""

    requirements: tuple[tuple[str, str, frozenset[str]], ...] = ()
    valid: bool = True

    def selects(self, labels: dict[str, str]) -> bool:
        if not self.valid:
            return False
        for key, operator, values in self.requirements:
            present = key in labels
            if operator == "In" and not (present and labels[key] in values):
                return False
            if operator == "NotIn" and present and labels[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True

    @property
    def empty(self) -> bool:
        return self.valid and not self.requirements


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def read_selector(node: Node | None) -> Selector:
    """A `LabelSelector` (`matchLabels` + `matchExpressions`); invalid when malformed."""
    if not isinstance(node, MappingNode):
        return Selector(valid=False)
    requirements: list[tuple[str, str, frozenset[str]]] = []
    match_labels = node.get("matchLabels")
    if match_labels is not None:
        if not isinstance(match_labels, MappingNode):
            return Selector(valid=False)
        for key, value in match_labels.pairs:
            value_text = label_text(value)
            if not isinstance(key.value, str) or value_text is None:
                return Selector(valid=False)
            requirements.append((key.value, "In", frozenset({value_text})))
    expressions = node.get("matchExpressions")
    if expressions is not None:
        items = mappings(expressions)
        if not isinstance(expressions, SequenceNode) or len(items) != len(expressions.items):
            return Selector(valid=False)
        for expression in items:
            key, operator = text(expression.get("key")), text(expression.get("operator"))
            if not key or operator not in _OPERATORS:
                return Selector(valid=False)
            requirements.append((key, operator, frozenset(string_list(expression.get("values")))))
    return Selector(tuple(requirements))


@dataclass(frozen=True)
class Budget:
    """One PodDisruptionBudget: its namespace, selector and limits."""

    manifest: Manifest
    selector: Selector
    min_available: Sourced
    max_unavailable: Sourced

    @property
    def namespace(self) -> str:
        return self.manifest.namespace

    def protects(self, namespace: str, labels: dict[str, str]) -> bool:
        """True when the budget selects pods with `labels` in `namespace`."""
        if namespace != self.namespace:
            return False
        if self.selector.empty and self.manifest.version == "v1beta1":
            return False  # policy/v1beta1: an empty selector selects nothing
        return self.selector.selects(labels)


def is_budget(manifest: Manifest) -> bool:
    return manifest.group == "policy" and manifest.kind == "PodDisruptionBudget"


def read_budget(manifest: Manifest) -> Budget:
    spec = manifest.spec
    return Budget(
        manifest,
        read_selector(child(spec, "selector")),
        read_int_or_percent(child(spec, "minAvailable")),
        read_int_or_percent(child(spec, "maxUnavailable")),
    )

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

    def required_label(self) -> tuple[str, frozenset[str]] | None:
        """A label key and the values one of which every selected pod has under it; None when no `In` requires one."""
        if not self.valid:
            return None
        return next(((key, values) for key, operator, values in self.requirements if operator == "In"), None)


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


class NamespaceBudgets:
    """The PodDisruptionBudgets of one namespace, filed under a label each requires, to match pods in one look-up.

    A namespace may hold thousands of budgets: a pod is checked against
    those filed under one of its own labels and those that require no
    label, never against every budget.
    """

    def __init__(self) -> None:
        self._by_label: dict[tuple[str, str], list[tuple[int, Budget]]] = {}
        self._unlabelled: list[tuple[int, Budget]] = []
        self._added = 0

    def add(self, budget: Budget) -> None:
        entry = (self._added, budget)
        self._added += 1
        required = budget.selector.required_label()
        if required is None:
            self._unlabelled.append(entry)
            return
        key, values = required
        for value in values:
            self._by_label.setdefault((key, value), []).append(entry)

    def selecting(self, namespace: str, labels: dict[str, str]) -> list[Budget]:
        """The budgets that protect pods with `labels` in `namespace`, in the order they were added."""
        candidates = self._unlabelled + [entry for label in labels.items() for entry in self._by_label.get(label, ())]
        if len(candidates) > 1:
            candidates.sort(key=_added_order)
        return [budget for _, budget in candidates if budget.protects(namespace, labels)]


def _added_order(entry: tuple[int, Budget]) -> int:
    return entry[0]


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

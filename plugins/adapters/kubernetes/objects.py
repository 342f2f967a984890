"""Kubernetes objects as written: kind and apiVersion, `List` items, namespace, typed values.

A document is a Kubernetes object when its root is a mapping with a string
`apiVersion` and `kind`; a `List` (or any `<Kind>List`) is read item by
item. Every reader here returns a `Sourced` pointing at the exact node, and
keeps what it cannot read as malformed (`raw`) rather than guessing: the
API server is strict about types (`replicas: "2"` is rejected), so this
adapter is too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterator

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Document,
    MappingNode,
    Node,
    Provenance,
    ScalarNode,
    SequenceNode,
    Sourced,
    Span,
    child,
)

from plugins.adapters.aws.written_values import as_float, shown, text_of, too_large, unreadable_note

DEFAULT_NAMESPACE = "default"  # where an object without metadata.namespace lives
# A KServe InferenceService's components, and the suffix of the name of the Deployment KServe makes for each in
# RawDeployment mode (`<name>-<component>`; before KServe 0.9 `<name>-<component>-default`): what an autoscaler the
# user writes for it names (kserve.generated_workload), and what the context choice looks for.
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
_KSERVE_SUFFIXES = tuple((component, suffix) for component in KSERVE_COMPONENTS for suffix in (f"-{component}", f"-{component}-default"))


def kserve_workloads(service: str, component: str | None = None) -> list[str]:
    """The names of the Deployments KServe may make for an InferenceService named `service` (for `component` only, when given)."""
    return [service + suffix for owner, suffix in _KSERVE_SUFFIXES if component is None or owner == component]


def kserve_owners(workload: str) -> list[tuple[str, str]]:
    """(InferenceService name, component) that a Deployment named `workload` may have been made for by KServe (`kserve_workloads`)."""
    return [(workload[: -len(suffix)], component) for component, suffix in _KSERVE_SUFFIXES if workload.endswith(suffix) and len(workload) > len(suffix)]

# Helm, envsubst and other templating placeholders that survive as plain text in YAML.
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*\b")

# Kinds without a namespace, among those that become deployments: their ids name none.
CLUSTER_SCOPED_KINDS = frozenset({"NodePool", "Provisioner", "ClusterConfig"})


@dataclass(frozen=True, slots=True)
class Manifest:
    """One Kubernetes object of a document (a `List` item is one too).

    `group` is the API group of `apiVersion` ("" for the core group);
    `item` is the position in a `List` (None for a top-level object);
    `namespace` is UNKNOWN-free: "default" (with DEFAULT provenance) when
    the object names none. What readers ask of every object again and again
    (group, metadata, spec, name, namespace, key, and `anchor`: where a
    finding about the whole object points, its name else its kind) is read
    once, when it is made: the nodes never change. `name_sourced`,
    `namespace_sourced` and `annotations` are read on first use and kept:
    a workload's readers ask for them several times, and most objects of a
    stream are never asked.

    Slotted: one per object of the run (20,000 for a 20,000-document
    stream), each kept until every document is extracted; a dictionary of
    its fields cost ~450 bytes an object, the slots ~150.
    """

    document: Document
    node: MappingNode
    api_version: str
    kind: str
    kind_node: ScalarNode
    item: int | None = None
    group: str = field(init=False, repr=False, compare=False)
    metadata: MappingNode | None = field(init=False, repr=False, compare=False)
    spec: MappingNode | None = field(init=False, repr=False, compare=False)
    name: str | None = field(init=False, repr=False, compare=False)
    namespace: str = field(init=False, repr=False, compare=False)
    key: tuple[str, str, str] = field(init=False, repr=False, compare=False)  # (namespace, kind, name): how other objects refer to this one
    anchor: Span = field(init=False, repr=False, compare=False)  # where a finding about the whole object points: its name, else its kind
    # What is read on first use (`name_sourced`, `namespace_sourced`, `annotations`), once read.
    _name_sourced: Sourced[str] = field(init=False, repr=False, compare=False)
    _namespace_sourced: Sourced[str] = field(init=False, repr=False, compare=False)
    _annotations: MappingNode | None = field(init=False, repr=False, compare=False)

    def __init__(
        self, document: Document, node: MappingNode, api_version: str, kind: str, kind_node: ScalarNode, item: int | None = None
    ) -> None:
        # The __init__ the dataclass would make, written out with its __post_init__: it would set each
        # field through object.__setattr__ (a frozen dataclass's way) and then call __post_init__; the
        # fields are set through their slots' own descriptors (one Manifest per object of the run:
        # 20,000 for a 20,000-document stream). tests/adapters/test_kubernetes_manifest.py holds the
        # fields equal to what they are read from.
        get = node.get
        metadata, spec = get("metadata"), get("spec")
        name_node = None
        if isinstance(metadata, MappingNode):
            name_node = metadata.get("name")
            namespace_node = metadata.get("namespace")
            name = name_node.value if isinstance(name_node, ScalarNode) and isinstance(name_node.value, str) else None
            namespace = namespace_node.value if isinstance(namespace_node, ScalarNode) and isinstance(namespace_node.value, str) else None
            namespace = namespace or DEFAULT_NAMESPACE
        else:
            metadata, name, namespace = None, None, DEFAULT_NAMESPACE
        _set_document(self, document)
        _set_node(self, node)
        _set_api_version(self, api_version)
        _set_kind(self, kind)
        _set_kind_node(self, kind_node)
        _set_item(self, item)
        _set_group(self, _group_of(api_version))
        _set_metadata(self, metadata)
        _set_spec(self, spec if isinstance(spec, MappingNode) else None)
        _set_name(self, name)
        _set_namespace(self, namespace)
        _set_key(self, (namespace, kind, name or ""))
        _set_anchor(self, (name_node if isinstance(name_node, ScalarNode) else kind_node).span)

    @property
    def name_sourced(self) -> Sourced[str]:
        try:
            return self._name_sourced
        except AttributeError:
            name = self.name
            if name is not None and not has_placeholder(name):
                # What read_str gives for the name, with the anchor (the name's own span) as its span: one Span for both.
                found = Sourced(name, self.anchor, Provenance.DECLARED)
            else:
                found = read_str(child(self.metadata, "name"))
            _set_name_sourced(self, found)
            return found

    @property
    def namespace_sourced(self) -> Sourced[str]:
        try:
            return self._namespace_sourced
        except AttributeError:
            node = child(self.metadata, "namespace")
            if text(node):
                found = Sourced(text(node), node.span, Provenance.DECLARED)  # type: ignore[union-attr]
            else:
                found = Sourced(DEFAULT_NAMESPACE, None, Provenance.DEFAULT, "no metadata.namespace: the default namespace")
            _set_namespace_sourced(self, found)
            return found

    @property
    def annotations(self) -> MappingNode | None:
        try:
            return self._annotations
        except AttributeError:
            annotations = child(self.metadata, "annotations")
            found = annotations if isinstance(annotations, MappingNode) else None
            _set_annotations(self, found)
            return found

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def labels(self) -> dict[str, str]:
        return string_map(child(self.metadata, "labels"))

    def describe(self) -> str:
        return f"{self.kind} {self.name or '(unnamed)'}"

    def deployment_id(self, duplicate: bool = False) -> str:
        """`path#Kind/namespace/name` (no namespace for cluster-scoped kinds), with the document
        (and List item) when the file repeats the key."""
        scope = "" if self.kind in CLUSTER_SCOPED_KINDS else f"{self.namespace}/"
        base = f"{self.path}#{self.kind}/{scope}{self.name or '(unnamed)'}"
        if not duplicate:
            return base
        suffix = f"@{self.document.index}" + (f".{self.item}" if self.item is not None else "")
        return base + suffix


def _manifest_state(self: Manifest) -> dict[str, object]:
    # For copy and pickle: the fields set (what is read on first use may not be read yet); the
    # dataclass's own would ask for every field.
    return {name: getattr(self, name) for name in Manifest.__slots__ if hasattr(self, name)}


def _set_manifest_state(self: Manifest, state: dict[str, object]) -> None:
    for name, value in state.items():
        object.__setattr__(self, name, value)


# Set after the class: some CPython 3.11 releases (3.11.2, for one) make a frozen dataclass with slots replace a __getstate__ of its own
# with the one that asks for every field.
Manifest.__getstate__ = _manifest_state  # type: ignore[method-assign]
Manifest.__setstate__ = _set_manifest_state  # type: ignore[method-assign]


def _slot_setter(name: str):
    # The slot's own descriptor (see `Manifest.__init__`); linter.copying.slot_setters does this for the
    # core's types, and is not public API.
    return Manifest.__dict__[name].__set__


_set_document, _set_node, _set_api_version, _set_kind, _set_kind_node, _set_item = map(
    _slot_setter, ("document", "node", "api_version", "kind", "kind_node", "item")
)
_set_group, _set_metadata, _set_spec, _set_name, _set_namespace, _set_key = map(
    _slot_setter, ("group", "metadata", "spec", "name", "namespace", "key")
)
_set_anchor, _set_name_sourced, _set_namespace_sourced, _set_annotations = map(
    _slot_setter, ("anchor", "_name_sourced", "_namespace_sourced", "_annotations")
)


@functools.lru_cache(maxsize=256)
def _group_of(api_version: str) -> str:
    """The API group of an `apiVersion`: one string per apiVersion of the run, not one per object."""
    return api_version.rpartition("/")[0]


def manifest_of(document: Document, node: Node | None, item: int | None = None) -> Manifest | None:
    """The object a mapping describes, or None when it has no string apiVersion and kind."""
    if not isinstance(node, MappingNode):
        return None
    api_version, kind = node.get("apiVersion"), node.get("kind")
    if not (isinstance(api_version, ScalarNode) and isinstance(api_version.value, str) and api_version.value):
        return None
    if not (isinstance(kind, ScalarNode) and isinstance(kind.value, str) and kind.value):
        return None
    return Manifest(document, node, api_version.value.strip(), kind.value.strip(), kind, item)


def is_list(manifest: Manifest) -> bool:
    """`kind: List` (v1) or `<Kind>List` with `items`: a container, not an object."""
    return manifest.kind.endswith("List") and "items" in manifest.node


def is_object(node: Node | None) -> bool:
    """True for a mapping with a string apiVersion and kind: a Kubernetes object (or a List of them)."""
    if not isinstance(node, MappingNode):
        return False
    api_version, kind = node.get("apiVersion"), node.get("kind")
    return (
        isinstance(api_version, ScalarNode)
        and isinstance(api_version.value, str)
        and bool(api_version.value)
        and isinstance(kind, ScalarNode)
        and isinstance(kind.value, str)
        and bool(kind.value)
    )


def manifests(document: Document) -> list[Manifest]:
    """The objects of a document: the root, or the items of a List (junk items skipped)."""
    root = manifest_of(document, document.root)
    if root is None:
        return []
    if not is_list(root):
        return [root]
    items = root.node.get("items")
    if not isinstance(items, SequenceNode):
        return []
    found = []
    for position, item in enumerate(items.items):
        manifest = manifest_of(document, item, position)
        if manifest is not None and not is_list(manifest):  # Lists do not nest
            found.append(manifest)
    return found


# --- navigating nodes ---------------------------------------------------------



def mapping(node: Node | None) -> MappingNode | None:
    return node if isinstance(node, MappingNode) else None


def key_span(node: Node | None, key: str) -> Span | None:
    """The span of a mapping's key (`spec:`, `replicas:`), for findings about what the key holds; None when absent."""
    key_node = node.key_node(key) if isinstance(node, MappingNode) else None
    return key_node.span if key_node is not None else None



def text(node: Node | None) -> str | None:
    """A string scalar's text, or None."""
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        return node.value
    return None


def label_text(node: Node | None) -> str | None:
    """A label or selector value as Kubernetes compares it: scalars as their text."""
    if not isinstance(node, ScalarNode) or node.value is None:
        return None
    if isinstance(node.value, bool):
        return "true" if node.value else "false"
    return text_of(node.value)


def string_map(node: Node | None) -> dict[str, str]:
    """A `labels`-like mapping as plain strings (non-scalar values skipped)."""
    if not isinstance(node, MappingNode):
        return {}
    found = {}
    for key, value in node.pairs:
        value_text = label_text(value)
        if isinstance(key.value, str) and value_text is not None:
            found[key.value] = value_text
    return found


def string_list(node: Node | None) -> list[str]:
    """The scalar items of a sequence as text."""
    if not isinstance(node, SequenceNode):
        return []
    return [value for value in (label_text(item) for item in node.items) if value is not None]


def has_placeholder(value: str) -> bool:
    """True for text holding a template placeholder (`{{ .Values.x }}`, `${VAR}`)."""
    # Every placeholder holds `{{` or `$`: most text holds neither and needs no search.
    return ("$" in value or "{{" in value) and _PLACEHOLDER.search(value) is not None


def without_placeholders(value: str) -> str:
    """The text with its template placeholders blanked out (for reading words of what is written)."""
    return _PLACEHOLDER.sub(" ", value)


def values_span(node: Node) -> Span:
    """Where a `values` list points: its only item, or the whole list."""
    if isinstance(node, SequenceNode) and len(node.items) == 1:
        return node.items[0].span
    return node.span


def point(span: Span) -> Span:
    """The start of a span (where a finding about a whole block points)."""
    return Span.point(span.path, span.line, span.column)


# --- typed values -------------------------------------------------------------


def read_str(node: Node | None) -> Sourced[str]:
    """A string field; a number or boolean written there is kept as malformed."""
    if node is None:
        return NOT_WRITTEN
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        if has_placeholder(node.value):
            return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"template placeholder {node.value!r}")
        return Sourced(node.value, node.span, Provenance.DECLARED)
    return _malformed(node, "a string")


def read_int(node: Node | None) -> Sourced[int]:
    """An integer field (replicas, minReplicas): only a YAML integer is one."""
    if node is None:
        return NOT_WRITTEN
    if isinstance(node, ScalarNode):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and too_large(value):
            return _malformed(node, "an integer")
        if isinstance(value, int) and not isinstance(value, bool):
            return Sourced(value, node.span, Provenance.DECLARED)
        if isinstance(value, float) and value.is_integer():
            return Sourced(int(value), node.span, Provenance.DECLARED)
        if isinstance(value, str) and has_placeholder(value):
            return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"template placeholder {value!r}")
    return _malformed(node, "an integer")


def read_int_or_percent(node: Node | None) -> Sourced[object]:
    """An IntOrString field such as `minAvailable`: an integer, or a percentage like "80%"."""
    if node is None:
        return NOT_WRITTEN
    if isinstance(node, ScalarNode):
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and not too_large(value):
            return Sourced(value, node.span, Provenance.DECLARED)
        percent = re.fullmatch(r"\s*(\d+(\.\d+)?)%\s*", value) if isinstance(value, str) else None
        if percent is not None and not too_large(percent.group(1)):
            return Sourced(value.strip(), node.span, Provenance.DECLARED)
    return _malformed(node, "an integer or a percentage")


def read_bool(node: Node | None) -> Sourced[bool]:
    if node is None:
        return NOT_WRITTEN
    if isinstance(node, ScalarNode) and isinstance(node.value, bool):
        return Sourced(node.value, node.span, Provenance.DECLARED)
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and node.value.strip().lower() in ("true", "false"):
        return Sourced(node.value.strip().lower() == "true", node.span, Provenance.DECLARED)
    return _malformed(node, "true or false")


# Kubernetes quantity suffixes (resource.Quantity): decimal SI and binary.
_QUANTITY_SUFFIXES = {
    "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60,
}
_QUANTITY = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)\s*$")


def quantity_value(value: object) -> float | None:
    """A Kubernetes quantity (`"500m"`, `"30000"`, `2`, `"1Gi"`) as a number; None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = as_float(value)
    elif isinstance(value, str):
        match = _QUANTITY.match(value)
        if match is None:
            return None
        number = as_float(match.group(1))
        number = number * _QUANTITY_SUFFIXES[match.group(2)] if number is not None else None
    else:
        return None
    return None if number is None or too_large(number) else number


def read_quantity(node: Node | None) -> Sourced[float]:
    """A quantity field as a number (`averageValue: "30000"` -> 30000.0)."""
    if node is None:
        return NOT_WRITTEN
    if isinstance(node, ScalarNode):
        number = quantity_value(node.value)
        if number is not None:
            return Sourced(number, node.span, Provenance.DECLARED)
        if isinstance(node.value, str) and _QUANTITY.match(node.value):  # `"1e400"`, `"9e18Ki"`
            return Sourced(UNKNOWN, node.span, Provenance.DECLARED, unreadable_note(float("inf"), "a quantity"), raw=node.value)
    return _malformed(node, "a quantity")


_EXACT_IN_FLOAT = 2**53  # every integer up to this size is a float exactly, and back


def read_count_quantity(node: Node | None) -> Sourced[int]:
    """A whole-number quantity such as `nvidia.com/gpu: "1"` as an integer."""
    if node.__class__ is ScalarNode:
        written = node.value  # type: ignore[union-attr]
        if written.__class__ is int and -_EXACT_IN_FLOAT <= written <= _EXACT_IN_FLOAT:  # type: ignore[operator]
            # What reading it as a quantity (a float) and back gives, without the float's Sourced:
            # an integer such as `nvidia.com/gpu: 1`, as nearly every accelerator request is written.
            return Sourced(written, node.span, Provenance.DECLARED)  # type: ignore[union-attr, arg-type]
    value = read_quantity(node)
    if value.known and float(value.value).is_integer():
        return Sourced(int(value.value), value.span, Provenance.DECLARED)
    if value.known:
        return Sourced(UNKNOWN, value.span, Provenance.DECLARED, "expected a whole number", raw=_raw(node))
    return value  # type: ignore[return-value]


def _raw(node: Node | None) -> object:
    if isinstance(node, ScalarNode):
        return shown(node.value)
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return None


def _malformed(node: Node, expected: str) -> Sourced:
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and has_placeholder(node.value):
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"template placeholder {node.value!r}")
    raw = _raw(node)
    if raw is None:  # a null list item (a null mapping value is not written: `MappingNode.get`)
        return Sourced(UNKNOWN, node.span, Provenance.DECLARED, f"empty: expected {expected}", raw="null")
    value = node.value if isinstance(node, ScalarNode) else None
    return Sourced(UNKNOWN, node.span, Provenance.DECLARED, unreadable_note(value, expected), raw=raw)


def iter_strings(node: Node | None) -> Iterator[tuple[str, Node]]:
    """(key, value node) of a mapping with string keys."""
    if isinstance(node, MappingNode):
        for key, value in node.pairs:
            if isinstance(key.value, str):
                yield key.value, value

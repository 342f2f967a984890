"""A Kubernetes object as the adapter makes it once per object of the run: its fields, and how the run index counts it.

`Manifest.__init__` writes out the dataclass's own `__init__` and
`__post_init__` (every field set at once); these tests pin that the fields
are those read from the written object, that equality and hashing are the
dataclass's, that what is read on first use is read once, and that the
fields are kept in slots. `RunIndex.add` counts the (file, key) pairs of a
key held more than once (nearly every key is held once: no entry), and the
index finds what it reads of an object (an autoscaler, a budget) in one
table look-up.
"""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from linter import MappingNode, Provenance
from linter.source import load_text

from plugins.adapters.kubernetes import index as index_module
from plugins.adapters.kubernetes.autoscalers import is_autoscaler
from plugins.adapters.kubernetes.disruption import is_budget
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import DEFAULT_NAMESPACE, Manifest, manifest_of, manifests


def _objects(text: str, path: str = "stream.yaml") -> list[Manifest]:
    return [manifest for document in load_text(path, textwrap.dedent(text)).documents for manifest in manifests(document)]


CASES = {
    "named in a namespace": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: prod}
        spec: {replicas: 2}
    """,
    "core group, no namespace": """
        apiVersion: v1
        kind: Service
        metadata: {name: front}
    """,
    "no metadata, spec not a mapping": """
        apiVersion: batch/v1
        kind: Job
        spec: [1, 2]
    """,
    "metadata not a mapping": """
        apiVersion: v1
        kind: Pod
        metadata: web
    """,
    "name and namespace not strings": """
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: 12, namespace: true}
    """,
    "empty namespace": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: ""}
    """,
}


def _expected(manifest: Manifest) -> dict:
    """The fields as the dataclass's `__post_init__` read them before (the reference reading)."""
    metadata = manifest.node.get("metadata")
    metadata = metadata if isinstance(metadata, MappingNode) else None
    name_node = metadata.get("name") if metadata is not None else None
    namespace_node = metadata.get("namespace") if metadata is not None else None
    name = name_node.value if name_node is not None and isinstance(name_node.value, str) else None
    namespace = (namespace_node.value if namespace_node is not None and isinstance(namespace_node.value, str) else None) or DEFAULT_NAMESPACE
    spec = manifest.node.get("spec")
    return {
        "group": manifest.api_version.rpartition("/")[0] if "/" in manifest.api_version else "",
        "metadata": metadata,
        "spec": spec if isinstance(spec, MappingNode) else None,
        "name": name,
        "namespace": namespace,
        "key": (namespace, manifest.kind, name or ""),
        "anchor": name_node.span if name_node is not None else manifest.kind_node.span,
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_manifests_fields_are_those_written(case):
    (manifest,) = _objects(CASES[case])
    expected = _expected(manifest)
    assert {name: getattr(manifest, name) for name in expected} == expected
    assert {field.name for field in dataclasses.fields(Manifest)} == {
        "document", "node", "api_version", "kind", "kind_node", "item", *expected,
        "_name_sourced", "_namespace_sourced", "_annotations",  # what is read on first use, once read
    }


def test_a_manifest_compares_and_hashes_as_the_dataclass_does():
    (first,) = _objects(CASES["named in a namespace"])
    again = Manifest(first.document, first.node, first.api_version, first.kind, first.kind_node, first.item)
    assert again == first and hash(again) == hash(first)
    assert again != Manifest(first.document, first.node, first.api_version, first.kind, first.kind_node, 0)
    assert "name=" not in repr(first) and "kind='Deployment'" in repr(first)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "other"  # type: ignore[misc]


def test_list_items_keep_their_position():
    text = """
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Service, metadata: {name: a}}
          - junk
          - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b, namespace: ml}}
    """
    found = _objects(text)
    assert [(manifest.item, manifest.key) for manifest in found] == [(0, ("default", "Service", "a")), (2, ("ml", "Deployment", "b"))]
    assert manifest_of(found[0].document, found[0].node, 5).item == 5


@pytest.mark.parametrize("name", ["name_sourced", "namespace_sourced", "annotations"])
def test_what_is_read_on_first_use_is_read_once(name):
    (manifest,) = _objects(CASES["named in a namespace"])
    with pytest.raises(AttributeError):
        getattr(manifest, f"_{name}")  # not read when the object is made
    first = getattr(manifest, name)
    assert getattr(manifest, f"_{name}") is first and getattr(manifest, name) is first


def test_a_manifest_keeps_its_fields_in_slots_not_a_dictionary():
    (manifest,) = _objects(CASES["named in a namespace"])
    manifest.name_sourced, manifest.anchor  # what is read on first use is kept in slots too
    assert not hasattr(manifest, "__dict__")


def test_a_manifest_copies_and_pickles_whatever_it_has_read():
    import copy
    import pickle

    (manifest,) = _objects(CASES["named in a namespace"])
    assert copy.copy(manifest) == manifest
    for again in (copy.copy(manifest), pickle.loads(pickle.dumps(manifest))):  # a pickled one has its own nodes
        assert (again.kind, again.key, again.anchor) == (manifest.kind, manifest.key, manifest.anchor)
        assert again.name_sourced == manifest.name_sourced  # not read before the copy: read by the copy
    manifest.annotations  # read, then copied as read
    assert copy.copy(manifest)._annotations is None


def test_objects_of_one_api_version_share_their_group():
    first, second = _objects(CASES["named in a namespace"] + "---" + CASES["named in a namespace"])
    assert first.group == "apps" and first.group is second.group


def test_what_is_read_on_first_use_is_what_is_written():
    (manifest,) = _objects(CASES["named in a namespace"])
    name, namespace = manifest.name_sourced, manifest.namespace_sourced
    assert (name.value, namespace.value, namespace.provenance) == ("web", "prod", Provenance.DECLARED)
    assert manifest.annotations is None
    (unnamed,) = _objects(CASES["metadata not a mapping"])
    assert not unnamed.name_sourced.known and unnamed.namespace_sourced.provenance is Provenance.DEFAULT


def test_the_index_counts_each_key_of_a_file():
    text = """
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: b}
    """
    index = RunIndex()
    first, second, other = _objects(text)
    for manifest in (first, second, other):
        index.add(manifest)
    (elsewhere,) = _objects("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n", path="other.yaml")
    index.add(elsewhere)
    assert index.duplicated(first) and index.duplicated(second) and not index.duplicated(other)
    assert not index.duplicated(elsewhere)
    assert index.with_key(("default", "Service", "a")) == [first, second, elsewhere]
    # A key held once keeps its object alone, not in a list of its own.
    assert index.objects[other.key] is other and index.with_key(other.key) == (other,)
    assert index.with_key(("default", "Service", "none")) == ()
    # Only keys held more than once are counted: nearly every key of a run is held once.
    assert dict(index.per_file) == {("stream.yaml", first.key): 2, ("other.yaml", first.key): 1}


@pytest.mark.parametrize(
    ("api_version", "kind", "read_as"),
    [
        ("autoscaling/v2", "HorizontalPodAutoscaler", "Autoscaler"),
        ("autoscaling/v1", "HorizontalPodAutoscaler", "Autoscaler"),
        ("keda.sh/v1alpha1", "ScaledObject", "Autoscaler"),
        ("keda.k8s.io/v1alpha1", "ScaledObject", "Autoscaler"),
        ("http.keda.sh/v1alpha1", "HTTPScaledObject", "Autoscaler"),
        ("policy/v1", "PodDisruptionBudget", "Budget"),
        ("policy/v1beta1", "PodDisruptionBudget", "Budget"),
        ("v1", "PodDisruptionBudget", None),
        ("keda.sh/v1alpha1", "ScaledJob", None),
        ("apps/v1", "Deployment", None),
        ("v1", "Service", None),
    ],
)
def test_the_index_reads_autoscalers_and_budgets_and_nothing_else(api_version, kind, read_as):
    (manifest,) = _objects(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: a}}\nspec: {{}}\n")
    reading = index_module.read(manifest)
    assert (type(reading).__name__ if reading is not None else None) == read_as
    assert (read_as == "Autoscaler") == is_autoscaler(manifest) and (read_as == "Budget") == is_budget(manifest)

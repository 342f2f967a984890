"""What the Kubernetes adapter keeps, and for how long: a 20,000-document stream makes every kept byte count.

The run index (every object of the run, its autoscalers, budgets and the
ACK index over it) serves extraction only: it is dropped once every
document is extracted. The objects it holds keep what their readers ask
for again and again, and nothing made for a single use.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from linter.engine import LintOptions, RunContext
from linter.source import load_text

from plugins.adapters import kubernetes
from plugins.adapters.kubernetes.index import run_index

# An ACK Model, EndpointConfig, Endpoint and ScalableTarget of one endpoint.
STREAM = (Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "ack" / "churn-stream.yaml").read_text(encoding="utf-8")


def _run(text: str = STREAM) -> RunContext:
    return RunContext(documents=tuple(load_text("stream.yaml", text).documents), options=LintOptions())


def test_the_run_index_is_dropped_once_every_document_is_extracted():
    run = _run()
    index = run_index(run)
    assert run_index(run) is index  # built once for the whole extraction
    kubernetes._extractors()  # as the first extraction of a Kubernetes document imports them
    kept = weakref.ref(index)
    assert kubernetes.mldeploy_link(run) is None  # nothing re-linked
    del index
    gc.collect()
    assert kept() is None
    # A use after that (not expected) reads the run again rather than finding nothing.
    assert [manifest.kind for manifest in run_index(run).manifests] == ["Model", "EndpointConfig", "Endpoint", "ScalableTarget"]


def test_dropping_the_index_builds_none(monkeypatch):
    from plugins.adapters.kubernetes import index as index_module

    monkeypatch.setattr(index_module, "build", lambda run: (_ for _ in ()).throw(AssertionError("built")))
    kubernetes._extractors()
    assert kubernetes.mldeploy_link(_run("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")) is None


def test_what_nothing_writes_is_the_one_shared_not_written():
    from linter import NO_PROFILE, NOT_WRITTEN
    from plugins.adapters.kubernetes.objects import manifests, read_int, read_str
    from plugins.adapters.kubernetes.workload_profile import environment_of

    (manifest,) = manifests(load_text("app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: serving}\n").documents[0])
    # A stage nothing names: one per object of a stream, kept by its deployment.
    assert environment_of(manifest, NO_PROFILE) is NOT_WRITTEN
    assert read_str(None) is NOT_WRITTEN and read_int(None) is NOT_WRITTEN


def test_the_index_gives_each_document_its_objects_without_a_list_for_a_lone_one():
    from plugins.adapters.kubernetes.index import build

    text = STREAM + "---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: a}}\n  - {apiVersion: v1, kind: Service, metadata: {name: b}}\n"
    run = _run(text)
    index = build(run)
    *ack_documents, listed = run.documents
    for document, manifest in zip(ack_documents, index.manifests):
        assert index.objects_of(document) == (manifest,) and index.objects_of(document)[0] is manifest
        assert index.of_document[document] is manifest  # kept alone, not in a list, under the document itself
    assert [manifest.name for manifest in index.objects_of(listed)] == ["a", "b"]
    assert index.objects_of(load_text("other.yaml", STREAM).documents[0]) is None


def test_an_objects_name_and_anchor_share_one_span():
    from plugins.adapters.kubernetes.objects import manifests, read_str

    named, placeholder = (
        manifest
        for document in load_text("app.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: app}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: '{{ .Values.name }}'}\n").documents
        for manifest in manifests(document)
    )
    for manifest in (named, placeholder):
        assert manifest.name_sourced == read_str(manifest.metadata.get("name"))  # what reading the name node gives
    assert named.name_sourced.span is named.anchor
    assert not placeholder.name_sourced.known


def test_the_indexes_key_objects_by_their_nodes_not_by_an_int_made_for_each():
    from linter import MappingNode
    from plugins.adapters.kubernetes import ack_links
    from plugins.adapters.kubernetes.index import build

    index = build(_run())
    ack = ack_links.build(index)
    model, config, endpoint, target = index.manifests
    assert list(ack.resources) == [model.node, config.node, endpoint.node] and list(ack.targets) == [target.node]
    (group,) = ack.groups
    assert group.members == (endpoint.node, config.node, model.node)
    assert all(isinstance(key, MappingNode) for table in (ack.groups_of, ack.endpoint_configs, ack.target_links) for key in table)


def test_an_aws_name_held_once_keeps_its_entry_alone_and_one_held_twice_both_in_run_order():
    from plugins.adapters.kubernetes import ack_links
    from plugins.adapters.kubernetes.index import build

    twice = STREAM + "---\n" + STREAM.split("---")[0].replace("name: churn,", "name: churn-again,")  # a second Model named churn-xgb
    ack = ack_links.build(build(_run(twice)))
    first, again = ack.models
    assert ack.named("Model", "=churn-xgb") == [first, again]
    (config,) = ack.configs
    assert ack._by_name["EndpointConfig"]["=churn-config"] is config and ack.named("EndpointConfig", "=churn-config") == [config]
    assert ack.named("Model", "=none") == [] and ack.named("Model", None) == []
    (group,) = ack.groups
    assert all(numbers == (0,) for numbers in ack.groups_of.values())  # a tuple, not a list of its own

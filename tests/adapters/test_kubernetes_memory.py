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

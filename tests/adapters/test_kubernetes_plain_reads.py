"""What the Kubernetes adapter reads once per plain object (a Deployment's pod, an autoscaler, an ACK ScalableTarget).

A stream of 20,000 objects reads thousands of each: these tests pin that
a value is found once where it used to be found two or three times, that
no value is made only to be copied or dropped (a span nothing points at,
a bound read before its default replaces it, a status given by name for
the model to look up), and that the shorter
reading answers what the full one does.
"""

from __future__ import annotations

import textwrap

import pytest

from linter import UNKNOWN, AcceleratorKind, Compute, LinkStatus, MappingNode, Node, Provenance, ScalingTarget, Sourced
from linter.source import load_text

from plugins.adapters.kubernetes import ack_autoscaling, autoscalers, objects, readers
from plugins.adapters.kubernetes.ack import READER, scope_of
from plugins.adapters.kubernetes.autoscalers import read_autoscaler
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import manifests, read_int
from plugins.adapters.kubernetes.pod import read_template
from plugins.data import SHIPPED


def _object(text: str):
    (manifest,) = [manifest for document in load_text("stream.yaml", textwrap.dedent(text)).documents for manifest in manifests(document)]
    return manifest


def _deployment(resources: str):
    return _object(
        f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: app, namespace: serving}}
        spec:
          template:
            metadata: {{labels: {{app: app}}}}
            spec:
              containers:
                - name: server
                  image: vllm/vllm-openai:v0.6.0
                  {resources}
        """
    )


@pytest.mark.parametrize(
    ("resources", "kind"),
    [("resources: {limits: {nvidia.com/gpu: 1}}", AcceleratorKind.GPU), ("resources: {limits: {cpu: 1}}", AcceleratorKind.NONE)],
)
def test_a_pods_accelerator_is_made_as_the_kind_compute_keeps(monkeypatch, resources, kind):
    manifest = _deployment(resources)
    copies = []
    replaced = Sourced.replaced
    monkeypatch.setattr(Sourced, "replaced", lambda self, **changes: copies.append(changes) or replaced(self, **changes))
    pod = read_template(manifest.spec.get("template"), manifest.anchor, extensions=SHIPPED)
    monkeypatch.undo()
    accelerator = pod.compute.accelerator
    assert accelerator.value is kind
    assert copies == []  # Compute reads no name (`"gpu"`) as the kind: nothing is copied to do it
    # What Compute made of the name before: the same value.
    assert Compute(accelerator=accelerator.replaced(value=kind.value)).accelerator == accelerator


def _counting_gets(monkeypatch):
    counted: list[object] = []
    get = MappingNode.get

    def counting(self, key, default=None):
        counted.append(key)
        return get(self, key, default)

    monkeypatch.setattr(MappingNode, "get", counting)
    return counted


@pytest.mark.parametrize(
    ("text", "key", "target"),
    [
        (
            """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: app, namespace: serving}
            spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}, maxReplicas: 4}
            """,
            "name",
            ("serving", "Deployment", "app"),
        ),
        (
            """
            apiVersion: keda.k8s.io/v1alpha1
            kind: ScaledObject
            metadata: {name: app, namespace: serving}
            spec: {scaleTargetRef: {deploymentName: worker}}
            """,
            "deploymentName",
            ("serving", "Deployment", "worker"),
        ),
    ],
)
def test_an_autoscalers_target_name_is_read_once(monkeypatch, text, key, target):
    manifest = _object(text)
    counted = _counting_gets(monkeypatch)
    autoscaler = read_autoscaler(manifest)
    monkeypatch.undo()
    assert autoscaler.target_key == target
    assert counted.count(key) == 1


_TARGET = """
    apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
    kind: ScalableTarget
    metadata: {{name: target, namespace: ml}}
    spec:
      serviceNamespace: sagemaker
      {resource}
      scalableDimension: sagemaker:variant:DesiredInstanceCount
      minCapacity: 1
      maxCapacity: 4
"""

RESOURCE_IDS = {
    "plain": "resourceID: endpoint/churn/variant/AllTraffic",
    "placeholder": "resourceID: endpoint/${ENDPOINT}/variant/AllTraffic",
    "fill-in mark": "resourceID: endpoint/<endpoint_name>/variant/AllTraffic",
    "a number": "resourceID: 12",
    "not a variant": "resourceID: table/orders",
    "not written": "",
}


@pytest.mark.parametrize("case", sorted(RESOURCE_IDS))
def test_a_scalable_targets_resource_id_is_what_the_reader_answers(case):
    manifest = _object(_TARGET.format(resource=RESOURCE_IDS[case]))
    record = ack_autoscaling.read_target(manifest, scope_of(manifest, None))
    spec = manifest.spec
    assert record.resource_id == READER.read_text(spec, "ResourceID")
    assert record.resource_id.span == READER.read_text(spec, "ResourceID").span
    assert record.resource_key == READER.name_key(spec, "ResourceID")


def test_a_plain_resource_id_is_found_once(monkeypatch):
    manifest = _object(_TARGET.format(resource=RESOURCE_IDS["plain"]))
    reader = READER.with_key_tables()
    searched: list[tuple] = []
    find = type(READER).find

    def counting(self, node, *path):
        searched.append(path)
        return find(self, node, *path)

    monkeypatch.setattr(type(READER), "find", counting)
    record = ack_autoscaling.read_target(manifest, scope_of(manifest, None), reader)
    monkeypatch.undo()
    assert searched.count(("ResourceID",)) == 1
    assert (record.resource_id.value, record.resource_key) == ("endpoint/churn/variant/AllTraffic", "=endpoint/churn/variant/AllTraffic")
    assert record.resource is not None and record.resource.texts == ("churn", "AllTraffic")


_HPA = """
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: app, namespace: serving}
    spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}, maxReplicas: 4}
"""


def test_an_autoscaler_makes_no_span_it_does_not_keep(monkeypatch):
    """The scaleTargetRef's own span is made only when the autoscaler points there (no name to point at)."""
    manifest = _object(_HPA)
    reference = manifest.spec.get("scaleTargetRef")
    asked = []
    span = Node.span

    def counting(node):
        asked.append(node)
        return span.fget(node)

    monkeypatch.setattr(Node, "span", property(counting))
    autoscaler = read_autoscaler(manifest)
    monkeypatch.undo()
    assert autoscaler.target_span == reference.get("name").span
    assert not any(node is reference for node in asked)
    unnamed = read_autoscaler(_object(_HPA.replace("name: app}", "}")))
    assert unnamed.target_key is None and unnamed.reason == "scaleTargetRef names no workload"
    assert unnamed.target_span == unnamed.manifest.spec.get("scaleTargetRef").span


def test_an_unwritten_bound_is_not_read(monkeypatch):
    manifest = _object(_HPA)
    read = []
    monkeypatch.setattr(autoscalers, "read_int", lambda node: read.append(node) or read_int(node))
    scaling = read_autoscaler(manifest).scaling
    monkeypatch.undo()
    assert None not in read
    assert (scaling.min_capacity.value, scaling.min_capacity.provenance, scaling.max_capacity.value) == (1, Provenance.DEFAULT, 4)


def _through_quantity(node) -> Sourced:
    """`read_count_quantity` as it read every value before: a quantity (a float) and back to an integer."""
    value = objects.read_quantity(node)
    if value.known and float(value.value).is_integer():
        return Sourced(int(value.value), value.span, Provenance.DECLARED)
    if value.known:
        return Sourced(UNKNOWN, value.span, Provenance.DECLARED, "expected a whole number", raw=objects._raw(node))
    return value


@pytest.mark.parametrize(
    "written",
    ["1", "0", "-3", str(2**53), str(2**53 + 1), str(-(2**53)), str(-(2**53) - 1), str(2**63 - 1), str(2**63), "1.0", "1.5", '"1"', '"500m"', "true", "1e400", "[1]"],
)
def test_a_count_quantity_is_what_reading_it_as_a_quantity_gives(written):
    node = load_text("pod.yaml", f"count: {written}\n").documents[0].root.get("count")
    read, expected = objects.read_count_quantity(node), _through_quantity(node)
    assert (read, read.span, type(read.value)) == (expected, expected.span, type(expected.value))


def test_an_integer_count_is_not_read_as_a_float_first(monkeypatch):
    node = load_text("pod.yaml", "count: 2\n").documents[0].root.get("count")
    monkeypatch.setattr(objects, "read_quantity", lambda node: pytest.fail("read as a quantity"))
    assert objects.read_count_quantity(node).value == 2


@pytest.mark.parametrize(
    ("target", "status"),
    [("name: app", LinkStatus.LINKED), ("name: ap", LinkStatus.NO_SUCH_DEPLOYMENT), ("name: web", LinkStatus.NOT_IN_RUN), ("", LinkStatus.UNRESOLVED)],
)
def test_an_autoscalers_report_is_made_with_the_status_it_keeps(monkeypatch, target, status):
    text = _HPA.replace("name: app}", f"{target}}}") + "---\n" + textwrap.dedent(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app, namespace: serving}
        spec: {template: {spec: {containers: [{name: server, image: nginx}]}}}
        """
    )
    index = RunIndex()
    found = [manifest for document in load_text("stream.yaml", textwrap.dedent(text)).documents for manifest in manifests(document)]
    for manifest in found:
        index.add(manifest)
    given = []
    post_init = ScalingTarget.__post_init__
    monkeypatch.setattr(ScalingTarget, "__post_init__", lambda self: given.append(self.status) or post_init(self))
    (report,) = readers.read(found[0], index)
    monkeypatch.undo()
    assert report.status is status
    assert [type(each) for each in given] == [LinkStatus]  # not a name for ScalingTarget to read as one

"""What the Kubernetes adapter reads once and shares, rather than again for every use in a long stream.

A stream of 20,000 objects asks each object for its name, namespace and
annotations several times, each ACK resource for its origin and fallback
name, each ScalableTarget for its scaling twice (its endpoint's deployment
and its own report), each pod spec for its node selection (instance type,
capacity, node pools, scheduling attributes), each unit for the pool that
admits it (its capacity and its consolidation): these tests pin that the answer is made once and is
the one every later use gets, and that the shortcuts give the answers the
full reading gives.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from linter import NO_PROFILE, Provenance, WorkloadProfile
from linter.source import load_text

from plugins.adapters import kubernetes
from plugins.adapters.kubernetes import ack_links
from plugins.adapters.kubernetes.ack import READER, is_placeholder, scope_of
from plugins.adapters.kubernetes.ack_autoscaling import scaling_of
from plugins.adapters.kubernetes.ack_sagemaker import read_resource
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import has_placeholder, manifests
from plugins.adapters.kubernetes.workload_profile import configured_namespace_stage, profile_of

# An ACK Model, EndpointConfig, Endpoint and ScalableTarget of one endpoint (tests/fixtures/adapters/ack/churn-stream.yaml).
STREAM = (Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "ack" / "churn-stream.yaml").read_text(encoding="utf-8")


def _objects(text: str = STREAM):
    return [manifest for document in load_text("stream.yaml", textwrap.dedent(text)).documents for manifest in manifests(document)]


def _index(text: str = STREAM) -> RunIndex:
    index = RunIndex()
    for manifest in _objects(text):
        index.add(manifest)
    return index


def test_an_objects_name_namespace_and_annotations_are_read_once():
    model = _objects()[0]
    assert model.name_sourced is model.name_sourced
    assert model.namespace_sourced is model.namespace_sourced
    assert model.annotations is model.annotations
    assert (model.name_sourced.value, model.namespace_sourced.value) == ("churn", "ml")
    assert model.namespace_sourced.provenance is Provenance.DECLARED
    assert [str(key.value) for key, _ in model.annotations.pairs] == ["team"]


def test_an_ack_resources_origin_and_fallback_name_are_made_once():
    model = _objects()[0]
    resource = read_resource(model, scope_of(model, None), None)
    assert resource.origin is resource.origin
    assert resource.fallback_name is resource.fallback_name
    assert resource.origin == "ACK Model churn"
    assert (resource.fallback_name.value, resource.fallback_name.provenance, resource.fallback_name.note) == (
        "churn",
        Provenance.INFERRED,
        "metadata.name",
    )


def test_a_targets_scaling_is_made_once_for_its_deployment_and_its_report():
    index = _index()
    ack = ack_links.ack_index(index)  # the index the readers use
    (target,) = ack.targets.values()
    scaling = ack.scaling(target)
    assert scaling is ack.scaling(target)
    assert scaling == scaling_of(target, ack.policies_of.get(target.manifest.node, []))
    endpoint = next(manifest for manifest in index.manifests if manifest.kind == "Endpoint")
    (deployment,) = [item for item in ack_links.read(endpoint, index) if hasattr(item, "units")]
    assert deployment.units[0].scaling == (scaling,)
    assert deployment.units[0].scaling[0] is scaling
    (report,) = ack_links.read(target.manifest, index)
    assert report.scaling is scaling


def test_a_target_outside_the_index_gets_its_scaling_made_each_time():
    ack = ack_links.build(_index())
    (target,) = ack_links.build(_index()).targets.values()  # the same object read again: another index's
    assert ack.scaling(target) == ack.scaling(target)
    assert ack.scaling(target) is not ack.scaling(target)


def test_objects_that_declare_no_profile_share_one():
    endpoint = _objects()[2]
    profile, problems = profile_of(endpoint)
    assert profile is NO_PROFILE and problems == []
    assert NO_PROFILE == WorkloadProfile()


def test_no_configured_namespace_patterns_match_nothing():
    assert configured_namespace_stage("ml-prod", {}) is None
    assert configured_namespace_stage("ml-prod", {"prod": ["ml-*"]})[1] == "ml-*"


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("{{ .Values.name }}", True),
        ("model-{{.Release.Name}}", True),
        ("${MODEL}", True),
        ("$MODEL_NAME", True),
        ("a-$B", True),
        ("{ {x} }", False),
        ("$lower", False),
        ("price: $", False),
        ("churn-xgb", False),
        ("", False),
    ],
)
def test_placeholders_are_found_with_or_without_the_quick_test(text, placeholder):
    assert has_placeholder(text) is placeholder
    assert is_placeholder(text) is placeholder


@pytest.mark.parametrize("text, placeholder", [("<YOUR BUCKET>", True), ("s3://<bucket>/model", True), ("a < b", False), ("<>", False)])
def test_ack_fill_in_marks_are_placeholders(text, placeholder):
    assert is_placeholder(text) is placeholder


def test_the_readers_are_imported_once_and_are_the_modules_own():
    from plugins.adapters.kubernetes import readers
    from plugins.adapters.kubernetes.ignores import object_ignores
    from plugins.adapters.kubernetes.index import run_index

    assert kubernetes._extractors() == (readers.read, object_ignores, run_index)
    assert kubernetes._extractors() is kubernetes._extractors()


def test_the_shared_reader_still_reads_what_the_index_read():
    ack = ack_links.build(_index())
    (config,) = ack.configs
    assert config.variant_keys == ("=AllTraffic",)
    assert READER.key_tables is None  # the index's tables were its own copy's


def _scalar(text: str):
    return load_text("f.yaml", text).documents[0].root


@pytest.mark.parametrize(
    "text",
    ["churn-xgb", "2", "true", "null", "1.5", "'${MODEL}'", "'{{ .Values.name }}'", "<YOUR BUCKET>", "a@@mldeploy-lint-hole-0@@b", "{a: 1}", "[1, 2]"],
)
def test_the_ack_resolver_reads_every_value_as_the_general_resolver_does(text):
    from plugins.adapters.aws.sagemaker_requests import ValueResolver
    from plugins.adapters.kubernetes.ack import _placeholder

    node = _scalar(text)
    assert READER.resolve(node) == ValueResolver(expression=_placeholder)(node)


def test_a_pod_templates_disruption_opt_out_is_read_with_its_spec():
    from linter import Span
    from plugins import data
    from plugins.adapters.kubernetes.pod import read_spec, read_template

    template = _scalar(
        "metadata: {annotations: {karpenter.sh/do-not-disrupt: 'true'}}\nspec: {containers: [{name: server, image: vllm/vllm-openai:v0.6.0}]}\n"
    )
    pod = read_template(template, Span.point("f.yaml", 1, 1), extensions=data.SHIPPED)
    assert pod.disruption_opt_out.value is True
    assert read_spec(template.get("spec"), Span.point("f.yaml", 1, 1), extensions=data.SHIPPED).disruption_opt_out.value is not True


def test_the_run_index_reads_each_object_once(monkeypatch):
    from linter.engine import LintOptions, RunContext
    from plugins.adapters.kubernetes import index as index_module

    documents = load_text("stream.yaml", STREAM).documents
    read = index_module.read
    calls = []
    monkeypatch.setattr(index_module, "read", lambda manifest: calls.append(manifest.kind) or read(manifest))
    built = index_module.build(RunContext(documents=tuple(documents), options=LintOptions()))
    assert calls == ["Model", "EndpointConfig", "Endpoint", "ScalableTarget"]
    assert [manifest.kind for manifest in built.manifests] == calls
    alone = RunIndex()
    alone.add(built.manifests[0])  # not read beforehand: read here
    assert calls[-1] == "Model" and len(calls) == 5


def test_a_containers_resources_are_read_once_per_pod(monkeypatch):
    from linter import Span
    from plugins import data
    from plugins.adapters.kubernetes import pod as pod_module

    spec = _scalar(
        "containers:\n"
        "  - {name: server, image: vllm/vllm-openai:v0.6.0, resources: {limits: {nvidia.com/gpu: 1, example.com/fpga: 1}}}\n"
        "  - {name: sidecar, image: busybox, resources: {requests: {cpu: 1}}}\n"
    )
    sections = pod_module._resource_sections
    calls = []
    monkeypatch.setattr(pod_module, "_resource_sections", lambda container: calls.append(container) or sections(container))
    pod = pod_module.read_spec(spec, Span.point("f.yaml", 1, 1), extensions=data.SHIPPED)
    assert len(calls) == 2
    assert (pod.compute.accelerator.value, pod.compute.accelerator_count.value) == ("gpu", 1)


POD_WITH_NODE_SELECTION = (
    "nodeSelector: {karpenter.sh/capacity-type: spot, node.kubernetes.io/instance-type: g5.xlarge}\n"
    "affinity:\n"
    "  nodeAffinity:\n"
    "    requiredDuringSchedulingIgnoredDuringExecution:\n"
    "      nodeSelectorTerms:\n"
    "        - matchExpressions:\n"
    "            - {key: karpenter.sh/nodepool, operator: In, values: [gpu]}\n"
    "            - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}\n"
    "tolerations:\n"
    "  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}\n"
    "containers: [{name: server, image: vllm/vllm-openai:v0.6.0, resources: {limits: {nvidia.com/gpu: 1}}}]\n"
)


def test_a_pods_node_selection_is_read_once_for_all_its_readers(monkeypatch):
    from linter import Capacity, Span
    from plugins import data
    from plugins.adapters.kubernetes import pod as pod_module

    spec = _scalar(POD_WITH_NODE_SELECTION)
    selector = spec.get("nodeSelector")
    mapping, expressions = pod_module.mapping, pod_module._expressions
    selector_reads, term_reads = [], []
    monkeypatch.setattr(pod_module, "mapping", lambda node: (node is selector and selector_reads.append(node)) or mapping(node))
    monkeypatch.setattr(pod_module, "_expressions", lambda term: term_reads.append(term) or expressions(term))
    pod = pod_module.read_spec(spec, Span.point("f.yaml", 1, 1), extensions=data.SHIPPED)
    assert (len(selector_reads), len(term_reads)) == (1, 1)
    # What the instance type, capacity, node pool and attribute readers each make of the one reading.
    assert (pod.compute.instance_type.value, pod.compute.instance_type.note) == ("g5.xlarge", "nodeSelector node.kubernetes.io/instance-type")
    assert (pod.capacity.value, pod.capacity.span.line, pod.capacity.note) == (
        Capacity.SPOT,
        1,
        "nodeSelector karpenter.sh/capacity-type=spot; required node affinity karpenter.sh/capacity-type In ['spot', 'on-demand']",
    )
    assert (pod.node_pools.value, pod.node_pools.span.line) == ((("karpenter.sh/nodepool", "gpu"),), 7)
    attributes = dict(pod.attributes)
    assert attributes["node_selector"].value == (("karpenter.sh/capacity-type", "spot"), ("node.kubernetes.io/instance-type", "g5.xlarge"))
    assert attributes["node_affinity"].value == ((("karpenter.sh/nodepool", "In", ("gpu",)), ("karpenter.sh/capacity-type", "In", ("spot", "on-demand"))),)
    assert attributes["node_affinity"].span.line == 5
    assert (attributes["tolerations"].value, attributes["tolerations"].span.line) == ((("nvidia.com/gpu", "Exists", "", "NoSchedule"),), 10)


def test_a_pod_without_node_selection_shares_one_empty_reading():
    from linter import Span
    from plugins import data
    from plugins.adapters.kubernetes.pod import NO_SCHEDULING, read_spec, scheduling_of

    spec = _scalar("containers: [{name: server, image: vllm/vllm-openai:v0.6.0}]\n")
    assert scheduling_of(spec) is NO_SCHEDULING and scheduling_of(None) is NO_SCHEDULING
    pod = read_spec(spec, Span.point("f.yaml", 1, 1), extensions=data.SHIPPED)
    assert (pod.capacity.known, pod.capacity.note) == (False, "no nodeSelector, required node affinity or toleration names a capacity type")
    assert (pod.node_pools.known, pod.attributes, pod.compute.instance_type.known) == (False, (), False)


def test_the_runs_shared_directories_compare_each_file_once(monkeypatch):
    from plugins.adapters.kubernetes import index as index_module

    shared = index_module._shared_directories
    calls = []
    monkeypatch.setattr(index_module, "_shared_directories", lambda path, other: calls.append(other) or shared(path, other))
    stream, pools = "repo/k8s/stream.yaml", "repo/karpenter/pools.yaml"
    assert index_module._common_depth([stream] * 1000) == 2  # one path per document: a stream is one file
    assert calls == []
    assert index_module._common_depth([stream] * 1000 + [pools] * 1000 + [stream]) == 1
    assert calls == [pools]
    assert (index_module._common_depth([]), index_module._common_depth(["stream.yaml"] * 3)) == (0, 0)


POOL_AND_WORKLOAD = """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: spot-cpu}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}
        - {key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m]}
  disruption: {consolidationPolicy: WhenEmptyOrUnderutilized}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ml}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: python:3.11}]
"""


def test_the_pool_that_admits_a_unit_is_found_once_for_its_capacity_and_consolidation(monkeypatch):
    from linter import Capacity, child
    from plugins import data
    from plugins.adapters.kubernetes import karpenter, readers
    from plugins.adapters.kubernetes.pod import read_template

    index = _index(POOL_AND_WORKLOAD)
    needs = karpenter.pod_needs
    calls = []
    monkeypatch.setattr(karpenter, "pod_needs", lambda pod: calls.append(pod) or needs(pod))
    (deployment,) = readers.read(index.manifests[1], index)
    assert len(calls) == 1
    (unit,) = deployment.units
    linked = "the only NodePool near it whose requirements and taints admit the pod: spot-cpu"
    assert (unit.capacity.value, unit.capacity.span.line) == (Capacity.SPOT, 19)
    assert unit.capacity.note.startswith(f"{linked}: NodePool spot-cpu launches only spot capacity")
    assert (unit.consolidation.evicts_running_pods.value, unit.consolidation.evicts_running_pods.note) == (
        True,
        f"{linked}: NodePool spot-cpu: consolidationPolicy WhenEmptyOrUnderutilized",
    )
    assert [link.kind for link in deployment.links] == ["Deployment", "NodePool"]
    # Called alone, each reader finds the pool itself, as it did for the unit.
    workload = index.manifests[1]
    pod = read_template(child(workload.spec, "template"), workload.anchor, extensions=data.SHIPPED)
    assert karpenter.pinned_capacity(pod, index, "stream.yaml") == (unit.capacity, [deployment.links[1]])
    assert karpenter.pinned_consolidation(pod, index, "stream.yaml") == unit.consolidation


def test_a_pools_nodes_are_read_once_for_every_pod_near_it(monkeypatch):
    # Read once per run (`karpenter.read_once_per_run`), as the capacity and consolidation of the pools pods are pinned to.
    from plugins.adapters.kubernetes import karpenter, readers

    second = POOL_AND_WORKLOAD.split("---\n")[1].replace("name: api", "name: web")
    index = _index(POOL_AND_WORKLOAD + "---\n" + second)
    pool_nodes = karpenter.pool_nodes
    calls = []
    monkeypatch.setattr(karpenter, "pool_nodes", lambda pool, extensions: calls.append(pool.name) or pool_nodes(pool, extensions))
    readings = [readers.read(workload, index) for workload in index.manifests[1:]]
    assert calls == ["spot-cpu"]
    assert [deployment.units[0].capacity.note for (deployment,) in readings] == 2 * [readings[0][0].units[0].capacity.note]
    pool = index.manifests[0]
    nodes = karpenter.read_once_per_run(pool, index, "nodes", lambda: pool_nodes(pool, index.extensions))
    assert nodes == pool_nodes(pool, index.extensions)
    assert karpenter.read_once_per_run(pool, index, "nodes", lambda: None) is nodes


def test_a_pools_capacity_and_consolidation_are_read_once_for_every_pod_pinned_to_it(monkeypatch):
    from linter import Capacity
    from plugins.adapters.kubernetes import karpenter, readers

    pinned = POOL_AND_WORKLOAD.replace("    spec:\n      containers:", "    spec:\n      nodeSelector: {karpenter.sh/nodepool: spot-cpu}\n      containers:")
    second = pinned.split("---\n")[1].replace("name: api", "name: web")
    index = _index(pinned + "---\n" + second)
    capacity, consolidation = karpenter.pool_capacity, karpenter.pool_consolidation
    calls = []
    monkeypatch.setattr(karpenter, "pool_capacity", lambda pool, index: calls.append("capacity") or capacity(pool, index))
    monkeypatch.setattr(karpenter, "pool_consolidation", lambda pool: calls.append("consolidation") or consolidation(pool))
    readings = [readers.read(workload, index) for workload in index.manifests[1:]]
    assert calls == ["capacity", "consolidation"]
    for (deployment,) in readings:
        (unit,) = deployment.units
        assert (unit.capacity.value, unit.capacity.note) == (
            Capacity.SPOT,
            "nodeSelector karpenter.sh/nodepool=spot-cpu: NodePool spot-cpu launches only spot capacity (requirement karpenter.sh/capacity-type In ['spot'])",
        )
        assert unit.consolidation.evicts_running_pods.note == "nodeSelector karpenter.sh/nodepool=spot-cpu: NodePool spot-cpu: consolidationPolicy WhenEmptyOrUnderutilized"

"""What the ACK side of the Kubernetes adapter reads and copies once, rather than again for every use.

A stream of thousands of ACK Models, EndpointConfigs, Endpoints and
ScalableTargets: these tests pin that each deployment is finished in one
copy, each name read once, each resource's origin and fallback name made
with it, and nothing done for what changes nothing (a profile nobody
declares, a lone candidate, a container without a model ID); and that the
shorter way gives the answers the longer one gave.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from linter import Deployment, Provenance
from linter.source import load_text

from plugins.adapters.kubernetes import ack_links
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import manifests

# An ACK Model, EndpointConfig, Endpoint and ScalableTarget of one endpoint (tests/fixtures/adapters/ack/churn-stream.yaml).
STREAM = (Path(__file__).resolve().parents[1] / "fixtures" / "adapters" / "ack" / "churn-stream.yaml").read_text(encoding="utf-8")


def _index(text: str = STREAM) -> RunIndex:
    index = RunIndex()
    for document in load_text("stream.yaml", textwrap.dedent(text)).documents:
        for manifest in manifests(document):
            index.add(manifest)
    return index


def _deployment(text: str = STREAM) -> Deployment:
    index = _index(text)
    ack = ack_links.build(index)
    (group,) = ack.groups
    (deployment,) = ack_links.group_deployments(group, ack, index)
    return deployment


@pytest.fixture
def copies(monkeypatch):
    """How many copies of a deployment are made (`Deployment.replaced`)."""
    made = []
    replaced = Deployment.replaced

    def counting(self, **changes):
        made.append(changes)
        return replaced(self, **changes)

    monkeypatch.setattr(Deployment, "replaced", counting)
    return made


def test_an_ack_deployment_is_finished_in_one_copy(copies):
    deployment = _deployment()
    assert len(copies) == 1
    assert deployment.namespace.value == "ml"
    assert [unit.scaling[0].linked_by for unit in deployment.units] == ["ScalableTarget churn-target"]
    assert [link.kind for link in deployment.links] == ["Endpoint", "EndpointConfig", "Model", "ScalableTarget"]


def test_the_region_its_ecr_images_name_is_inferred():
    region = _deployment().region
    assert (region.value, region.provenance) == ("us-east-1", Provenance.INFERRED)
    assert region.note == "SageMaker pulls the ECR image 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1 from its own Region"
    assert region.span is not None and region.span.line == 7


def test_a_declared_region_wins_over_the_images():
    annotated = STREAM.replace(
        "metadata: {name: churn, namespace: ml}\nspec: {endpointName",
        "metadata: {name: churn, namespace: ml, annotations: {services.k8s.aws/region: eu-west-1}}\nspec: {endpointName",
    )
    region = _deployment(annotated).region
    assert (region.value, region.provenance) == ("eu-west-1", Provenance.DECLARED)


def test_images_of_no_region_leave_it_unknown():
    elsewhere = STREAM.replace("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "ghcr.io/acme/churn:1")
    assert not _deployment(elsewhere).region.known


# --- made with the resource, not on first use -------------------------------------------------


def test_an_ack_resources_origin_and_fallback_name_are_made_with_it():
    from plugins.adapters.kubernetes.ack import scope_of
    from plugins.adapters.kubernetes.ack_sagemaker import AckResource, read_resource

    model = next(manifest for manifest in _index().manifests if manifest.kind == "Model")
    resource = read_resource(model, scope_of(model, None), None)
    assert {"origin", "fallback_name"} <= set(vars(resource))  # fields, not made on first use
    name = model.name_sourced
    assert resource.origin == "ACK Model churn"
    assert resource.fallback_name == name.replaced(provenance=Provenance.INFERRED, note="metadata.name")
    bare = AckResource(resource.manifest, resource.scope, resource.link, resource.profile, resource.environment, resource.problems)
    assert (bare.origin, bare.fallback_name) == (resource.origin, resource.fallback_name)


def test_an_unnamed_objects_fallback_name_is_its_unknown_name():
    from plugins.adapters.kubernetes.ack import scope_of
    from plugins.adapters.kubernetes.ack_sagemaker import read_resource

    unnamed = STREAM.replace("metadata: {name: churn, namespace: ml, annotations: {team: data}}", "metadata: {namespace: ml}")
    model = next(manifest for manifest in _index(unnamed).manifests if manifest.kind == "Model")
    resource = read_resource(model, scope_of(model, None), None)
    assert resource.fallback_name is model.name_sourced and not resource.fallback_name.known
    assert resource.origin == f"ACK {model.describe()}"


def test_an_instance_types_accelerator_is_the_kind_itself(monkeypatch):
    """`compute_for` gives `Compute` the accelerator kind, so `Compute` makes no copy of the value to convert its name."""
    from linter import AcceleratorKind, Sourced, Span
    from plugins.adapters.aws.inferred_facts import compute_for

    copies = []
    replaced = Sourced.replaced
    monkeypatch.setattr(Sourced, "replaced", lambda self, **changes: copies.append(changes) or replaced(self, **changes))
    span = Span("a.yaml", 3, 1, 3, 13)
    for instance_type, kind in (("ml.g5.xlarge", AcceleratorKind.GPU), ("ml.c5.xlarge", AcceleratorKind.NONE), ("ml.inf2.xlarge", AcceleratorKind.INFERENTIA)):
        compute = compute_for(Sourced(instance_type, span))
        assert compute.accelerator.value is kind
        assert (compute.accelerator.span, compute.accelerator.provenance, compute.accelerator.note) == (span, Provenance.INFERRED, f"instance family {instance_type.split('.')[1]}")
    assert copies == []


# --- nothing done for nothing -------------------------------------------------------------------


def test_a_deployment_of_objects_declaring_no_profile_merges_none(monkeypatch):
    from linter import NO_PROFILE
    from plugins.adapters.aws import sagemaker_requests

    merged = []
    merge = sagemaker_requests.merge_profiles
    monkeypatch.setattr(sagemaker_requests, "merge_profiles", lambda base, override: merged.append(override) or merge(base, override))
    assert _deployment().profile is NO_PROFILE
    assert merged == []
    tagged = STREAM.replace("spec: {endpointName: churn,", "spec: {tags: [{key: 'mldeploy-lint:traffic', value: bursty}], endpointName: churn,")
    profile = _deployment(tagged).profile
    assert len(merged) == 1 and profile.traffic.value == "bursty" and profile.traffic.provenance is Provenance.DECLARED


def test_a_request_without_profile_tags_keeps_its_base_profile_without_parsing(monkeypatch):
    from linter import NO_PROFILE
    from plugins.adapters.aws import sagemaker_requests
    from plugins.adapters.kubernetes.ack import READER

    parsed = []
    parse = sagemaker_requests.parse_profile
    monkeypatch.setattr(sagemaker_requests, "parse_profile", lambda *args: parsed.append(args) or parse(*args))
    spec = next(manifest for manifest in _index().manifests if manifest.kind == "Endpoint").spec
    assert sagemaker_requests.request_profile(spec, READER, "here") == (NO_PROFILE, sagemaker_requests.Sourced(), [])
    base = _deployment().profile.replaced(traffic=sagemaker_requests.Sourced("bursty"))
    profile, environment, problems = sagemaker_requests.request_profile(spec, READER, "here", base)
    assert (profile, environment, problems) == (base, sagemaker_requests.Sourced(), []) and profile is base
    assert parsed == []


def test_one_candidate_is_the_nearest_without_ranking():
    from plugins.adapters.kubernetes.ack import nearest

    ack = ack_links.build(_index())
    (model,) = ack.models
    (config,) = ack.configs
    asked = []

    def manifest_of(candidate):  # what ranking asks of each candidate (namespace, then file)
        asked.append(candidate)
        return candidate.resource.manifest

    assert nearest([model], "=churn-xgb", config.resource.manifest, config.resource.scope, manifest_of, lambda candidate: candidate.resource.scope) is model
    assert asked == []
    assert nearest([model, model], "=churn-xgb", config.resource.manifest, config.resource.scope, manifest_of, lambda candidate: candidate.resource.scope) is model
    assert asked


def test_a_container_without_environment_or_command_line_is_given_no_model_id_without_looking(monkeypatch):
    """No environment and no command line: no model ID, so no weights; neither is looked for (most containers)."""
    from linter import NOT_WRITTEN, Sourced, Span
    from plugins.adapters.aws import inferred_facts

    looked = []
    model_id_of, weights_of = inferred_facts.model_id_of, inferred_facts.weights_of
    monkeypatch.setattr(inferred_facts, "model_id_of", lambda *args: looked.append("model_id_of") or model_id_of(*args))
    monkeypatch.setattr(inferred_facts, "weights_of", lambda *args: looked.append("weights_of") or weights_of(*args))
    span = Span("m.yaml", 2, 3, 2, 40)
    image = Sourced("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", span)
    model = inferred_facts.model_for(image, Sourced("churn", span))
    assert looked == []
    assert (model.model_id, model.weights_gb) == (model_id_of((), Sourced()), Sourced()) == (NOT_WRITTEN, NOT_WRITTEN)
    assert model.framework.value == "xgboost" and model.framework.span == span
    llm = inferred_facts.model_for(Sourced("vllm/vllm-openai:v0.6.0", span), environment=(("HF_MODEL_ID", Sourced("meta-llama/Llama-3.1-8B", span)),))
    assert looked == ["model_id_of", "weights_of"]
    assert llm.model_id.value == "meta-llama/Llama-3.1-8B" and llm.weights_gb.span == span


def test_the_stage_is_searched_only_for_resources_whose_deployment_takes_it(monkeypatch):
    from linter import Environment
    from plugins.adapters.kubernetes import ack

    staged = STREAM.replace("namespace: ml", "namespace: ml-prod")
    searched = []
    environment_of = ack.environment_of
    monkeypatch.setattr(ack, "environment_of", lambda manifest, *rest: searched.append(manifest.kind) or environment_of(manifest, *rest))
    index = _index(staged)
    built = ack_links.build(index)
    # A Model's deployment is its endpoint's: the namespace is not searched for its stage.
    assert searched == ["EndpointConfig", "Endpoint"]
    by_kind = {resource.manifest.kind: resource for resource in built.resources.values()}
    assert not by_kind["Model"].environment.known
    assert by_kind["Endpoint"].environment.value is Environment.PROD
    (deployment,) = ack_links.group_deployments(built.groups[0], built, index)
    assert deployment.environment.value is Environment.PROD

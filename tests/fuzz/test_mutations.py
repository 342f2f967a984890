"""The fuzzer itself: the emitter writes back what it read, and mutations are deterministic and do what they say."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from linter.nodes import to_python
from linter.source import load_text

from .mutations import NODE_MUTATIONS, TEXT_MUTATIONS, MutationLimits, emit, mutate, parse_tree, sweep_cases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".yaml", ".yml", ".json") and path.is_file())
CLOUDFORMATION = FIXTURES / "adapters" / "cloudformation" / "mlops-workshop-deploy-model-prd.yml"


def _plain(text: str, path: str = "x.yaml"):
    def nan_free(value):
        if isinstance(value, float) and math.isnan(value):
            return "nan"
        if isinstance(value, dict):
            return {key: nan_free(item) for key, item in value.items()}
        if isinstance(value, list):
            return [nan_free(item) for item in value]
        return value

    source = load_text(path, text)
    assert not source.problems, source.problems
    return [nan_free(to_python(document.root)) if document.root is not None else None for document in source.documents]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.relative_to(FIXTURES).as_posix())
def test_emitter_writes_back_what_the_loader_read(seed):
    text = seed.read_text(encoding="utf-8")
    documents = parse_tree(str(seed), text)
    if documents is None:
        pytest.skip("the seed does not load cleanly (mutated at the text level only)")
    assert _plain(emit(documents, as_json=False)) == _plain(text, str(seed))
    if seed.suffix == ".json" and len(documents) == 1:
        assert _plain(emit(documents, as_json=True), "x.json") == _plain(text, str(seed))


def test_mutants_are_a_function_of_the_seed():
    data = CLOUDFORMATION.read_bytes()
    first = [mutate(random.Random(number), "t.yml", data, steps=3) for number in range(30)]
    second = [mutate(random.Random(number), "t.yml", data, steps=3) for number in range(30)]
    assert first == second
    assert sweep_cases("t.yml", data) == sweep_cases("t.yml", data)
    assert len({case.data for case in sweep_cases("t.yml", data)}) >= 18


@pytest.mark.parametrize("name", sorted(NODE_MUTATIONS))
def test_each_node_mutation_changes_a_template(name):
    text = CLOUDFORMATION.read_text(encoding="utf-8")
    changed = 0
    for number in range(5):
        documents = parse_tree("t.yml", text)
        NODE_MUTATIONS[name](random.Random(number), documents, MutationLimits())
        changed += emit(documents, as_json=False) != emit(parse_tree("t.yml", text), as_json=False)
    assert changed >= 3


@pytest.mark.parametrize("name", sorted(TEXT_MUTATIONS))
def test_each_text_mutation_changes_the_bytes(name):
    data = CLOUDFORMATION.read_bytes()
    assert sum(TEXT_MUTATIONS[name](random.Random(number), data, MutationLimits())[0] != data for number in range(5)) >= 3


def test_self_references_name_the_resource_that_holds_them():
    text = CLOUDFORMATION.read_text(encoding="utf-8")
    found = set()
    for number in range(200):
        documents = parse_tree("t.yml", text)
        NODE_MUTATIONS["intrinsic"](random.Random(number), documents, MutationLimits())
        emitted = emit(documents, as_json=False)
        for line in emitted.splitlines():
            if "!GetAtt" in line or "!Sub" in line or "!Ref" in line:
                found.add(line.strip()[:80])
    assert any("${Endpoint." in line or "Endpoint." in line for line in found), sorted(found)[:20]


def test_a_crowd_copies_objects_under_names_of_their_own_up_to_its_size():
    from .mutations import SCALE_MUTATIONS

    manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ml}\nspec: {replicas: 2}\n"
    documents = parse_tree("web.yaml", manifest)
    assert SCALE_MUTATIONS["crowd"](random.Random(0), documents, MutationLimits(crowd_bytes=20_000)).startswith("crowd of ")
    names = [document["metadata"]["name"] for document in _plain(emit(documents, False))]
    assert names[:3] == ["web", "web-c1", "web-c2"] and len(names) == len(set(names)) and 100 < len(names) < 400

    template = "Resources:\n  Config: {Type: AWS::SageMaker::EndpointConfig}\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n    Properties: {EndpointConfigName: !GetAtt Config.EndpointConfigName}\n"
    documents = parse_tree("t.yaml", template)
    SCALE_MUTATIONS["crowd"](random.Random(0), documents, MutationLimits(crowd_bytes=5_000))
    (crowded,) = _plain(emit(documents, False))
    copies = [name for name in crowded["Resources"] if name.startswith("EndpointC")]
    assert copies[:2] == ["EndpointC1", "EndpointC2"] and len(crowded["Resources"]) == 2 * (len(copies) + 1)
    assert {str(crowded["Resources"][name]["Properties"]["EndpointConfigName"]) for name in copies} == {
        str(crowded["Resources"]["Endpoint"]["Properties"]["EndpointConfigName"])
    }  # every copy still names the one configuration

"""Kustomize patches are partial objects: noted (MD005) and not judged, while the resources are linted as usual."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from linter.api import lint_paths

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer, namespace: production}
spec:
  replicas: 3
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources: {limits: {nvidia.com/gpu: 1}}
          readinessProbe: {httpGet: {path: /health, port: 8000}}
"""
# What an overlay changes: judged alone it would have no GPU request, no probe, no spread.
PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.4
"""


def _overlay(root: Path, kustomization: str) -> Path:
    (root / "base").mkdir()
    (root / "base" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    (root / "base" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n", encoding="utf-8")
    overlay = root / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "image.yaml").write_text(PATCH, encoding="utf-8")
    (overlay / "kustomization.yaml").write_text(kustomization, encoding="utf-8")
    return overlay


@pytest.mark.parametrize(
    "kustomization",
    [
        "resources: [../../base]\npatches:\n  - path: image.yaml\n",
        "resources: [../../base]\npatches:\n  - path: ./image.yaml\n    target: {kind: Deployment, name: scorer}\n",
        "resources: [../../base]\npatchesStrategicMerge:\n  - image.yaml\n",
        "resources: [../../base]\npatchesJson6902:\n  - path: image.yaml\n    target: {kind: Deployment, name: scorer}\n",
    ],
    ids=["patches", "patches-with-target", "patchesStrategicMerge", "patchesJson6902"],
)
def test_a_patch_is_noted_not_judged(tmp_path, kustomization):
    overlay = _overlay(tmp_path, kustomization)
    result = lint_paths([str(tmp_path)], context="none")
    patch = str(overlay / "image.yaml")
    (note,) = [finding for finding in result.findings if finding.path == patch]
    assert note.rule_id == "MD005" and note.span.line == 1
    assert f"render the overlay and lint the output: kustomize build {overlay} | mldeploy-lint -" in note.message
    assert [deployment.path for deployment in result.deployments] == [str(tmp_path / "base" / "deployment.yaml")]


def test_without_the_kustomization_naming_it_the_file_is_a_manifest(tmp_path):
    # An inline patch names no file; a path outside the kustomization's directory is not its file to skip.
    overlay = _overlay(tmp_path, "resources: [../../base]\npatches:\n  - patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 2\n  - path: ../other.yaml\n")
    result = lint_paths([str(overlay)], context="none")
    assert not any(finding.rule_id == "MD005" for finding in result.findings)
    assert [deployment.path for deployment in result.deployments] == [str(overlay / "image.yaml")]


def test_an_edited_kustomization_is_read_again(tmp_path):
    overlay = _overlay(tmp_path, "resources: [../../base]\n")
    assert lint_paths([str(overlay / "image.yaml")], context="none").deployments  # not a patch yet
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text("resources: [../../base]\npatches:\n  - path: image.yaml\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(kustomization, (later, later))  # a new version even where the clock is coarse
    assert not lint_paths([str(overlay / "image.yaml")], context="none").deployments


@pytest.mark.parametrize(
    "kustomization",
    [b"\x00\x01\x02binary", b"patches: {path: image.yaml}\n", b"- a list\n", b"patches: [[image.yaml]]\n", b"patches:\n  - path: [image.yaml]\n", b": : :\n"],
    ids=["binary", "patches-not-a-list", "not-a-mapping", "nested-list", "path-not-text", "malformed"],
)
def test_an_odd_kustomization_names_no_patch_and_never_crashes(tmp_path, kustomization):
    overlay = _overlay(tmp_path, "")
    (overlay / "kustomization.yaml").write_bytes(kustomization)
    result = lint_paths([str(overlay / "image.yaml")], context="none")
    assert [deployment.path for deployment in result.deployments] == [str(overlay / "image.yaml")]


def test_a_huge_kustomization_is_not_read(tmp_path):
    overlay = _overlay(tmp_path, "patches:\n  - path: image.yaml\n" + "# padding\n" * 40_000)
    result = lint_paths([str(overlay / "image.yaml")], context="none")
    assert [deployment.path for deployment in result.deployments] == [str(overlay / "image.yaml")]


def test_a_patch_in_a_folder_below_its_kustomization_is_noted(tmp_path, monkeypatch):
    overlay = _overlay(tmp_path, "resources: [../../base]\npatches:\n  - path: patches/image.yaml\n")
    (overlay / "patches").mkdir()
    (overlay / "image.yaml").rename(overlay / "patches" / "image.yaml")
    result = lint_paths([str(tmp_path)], context="none")
    assert [finding.rule_id for finding in result.findings if finding.path == str(overlay / "patches" / "image.yaml")] == ["MD005"]
    assert [deployment.path for deployment in result.deployments] == [str(tmp_path / "base" / "deployment.yaml")]
    # Named by a path relative to the current directory, as a pre-commit hook passes it.
    monkeypatch.chdir(overlay)
    assert not lint_paths(["patches/image.yaml"], context="none").deployments


def test_a_path_no_file_system_takes_is_no_patch():
    from plugins.adapters.kubernetes.kustomize import kustomize_patch

    assert kustomize_patch("over\x00lays/prod/image.yaml", PATCH) is None
    assert kustomize_patch("-", PATCH) is None

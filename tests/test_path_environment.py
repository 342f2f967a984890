"""The environment a file's path names, read once per file however many deployments it holds."""

from __future__ import annotations

import linter.engine as engine
from linter.api import lint_paths
from linter.engine import LintOptions
from linter.model import Environment, Provenance

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{index}}}
spec:
  replicas: 2
  template:
    spec:
      containers: [{{name: server, image: vllm/vllm-openai:v0.6.0}}]
"""


def test_every_deployment_of_a_stream_gets_what_its_path_names_read_once(tmp_path, monkeypatch):
    stream = tmp_path / "envs" / "prod" / "serving.yaml"
    stream.parent.mkdir(parents=True)
    stream.write_text("---\n".join(DEPLOYMENT.format(index=index) for index in range(3)))
    other = tmp_path / "envs" / "dev" / "serving.yaml"
    other.parent.mkdir(parents=True)
    other.write_text(DEPLOYMENT.format(index=9))
    monkeypatch.chdir(tmp_path)
    read = []
    original = engine.environment_from_path
    monkeypatch.setattr(engine, "environment_from_path", lambda path, names=(): read.append(path) or original(path, names))

    result = lint_paths([str(stream), str(other)], LintOptions(file_timeout=None, jobs=1))

    stages = {deployment.name.value: deployment.environment for deployment in result.deployments}
    assert {name: stage.value for name, stage in stages.items()} == {
        "app-0": Environment.PROD,
        "app-1": Environment.PROD,
        "app-2": Environment.PROD,
        "app-9": Environment.DEV,
    }
    assert stages["app-2"].provenance is Provenance.INFERRED and stages["app-2"].note == "the path names 'prod'"
    assert sorted(read) == ["envs/dev/serving.yaml", "envs/prod/serving.yaml"]

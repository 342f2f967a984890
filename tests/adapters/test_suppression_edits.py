"""The "suppress for this resource" edits adapters write (`mldeploy_suppression_edit`), checked on every rule fixture.

For each finding of each `fires*` fixture under tests/rules, the edit the
adapters offer is applied and the file linted again: the edit inserts text
only (every original character stays, comments included), the finding is
excused, and the edit itself is read without a problem (no MD001 parse
error, no MD003/MD004 about the suppression written).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import SuppressionEdit
from linter.api import lint_text
from linter.source import load_text
from rule_harness import host

RULES = Path(__file__).resolve().parent.parent / "rules"
FIXTURES = sorted(path for path in RULES.glob("*/fires*") if path.suffix in (".yaml", ".yml", ".json"))
SUPPRESSION_RULES = {"MD001", "MD003", "MD004"}


def _edit(text: str, name: str, finding) -> SuppressionEdit | None:
    source = load_text(name, text)
    span = finding.span
    for document in source.documents:
        if document.root is None or not document.span.line <= span.line <= document.span.end_line:
            continue
        for outcome in host().call_each(
            "mldeploy_suppression_edit", document=document, span=span, rule_id=finding.rule_id, reason="accepted"
        ):
            assert outcome.error is None, outcome.error
            return outcome.result
    return None


def _apply(text: str, edit: SuppressionEdit) -> str:
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: edit.line - 1]) + edit.column - 1
    return text[:offset] + edit.text + text[offset:]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_edit_excuses_the_finding_and_inserts_only(fixture):
    text = fixture.read_text(encoding="utf-8")
    name = fixture.name
    findings = [item for item in lint_text(text, name, host=host()).findings if not item.rule_id.startswith("MD")]
    checked = 0
    for finding in findings:
        edit = _edit(text, name, finding)
        if edit is None:
            continue
        checked += 1
        fixed = _apply(text, edit)
        assert fixed.replace(edit.text, "", 1) == text
        after = lint_text(fixed, name, host=host()).findings
        assert not [item for item in after if item.rule_id in SUPPRESSION_RULES], (edit, after)
        excused = [item for item in after if item.rule_id == finding.rule_id and item.suppression is not None]
        assert excused, f"{finding.rule_id} at {finding.span} not excused by {edit}"
    if fixture.suffix in (".yaml", ".yml") and findings:
        assert checked, f"no edit offered for any finding of {fixture}"


def _cp001(text: str, name: str = "scorer.yaml"):
    (finding,) = [item for item in lint_text(text, name, host=host()).findings if item.rule_id == "CP001"]
    return finding


TEMPLATE = """\
Resources:
  Scorer:
    Type: AWS::SageMaker::Model
    Properties:
      PrimaryContainer:
        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
  ScorerConfig:
    Type: AWS::SageMaker::EndpointConfig
{metadata}    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt Scorer.ModelName
          InstanceType: ml.g5.xlarge
          InitialInstanceCount: 2
"""


@pytest.mark.parametrize(
    "metadata, inserted",
    [
        ("", '    Metadata:\n      mldeploy-lint:\n        ignore:\n          CP001: "accepted"\n'),
        ("    Metadata:\n      Owner: ml-platform\n", '      mldeploy-lint:\n        ignore:\n          CP001: "accepted"\n'),
        ("    Metadata:\n      mldeploy-lint:\n        workload:\n          environment: production\n", '        ignore:\n          CP001: "accepted"\n'),
        ("    Metadata:\n      mldeploy-lint:\n        ignore:\n          HA001: sized later\n", '          CP001: "accepted"\n'),
    ],
    ids=["no-metadata", "other-metadata", "workload-profile", "other-ignores"],
)
def test_cloudformation_writes_only_what_is_missing_of_metadata(metadata, inserted):
    text = TEMPLATE.format(metadata=metadata)
    edit = _edit(text, "scorer.yaml", _cp001(text))
    assert edit is not None and edit.text == inserted and edit.where == "Metadata of ScorerConfig"


@pytest.mark.parametrize(
    "metadata",
    [
        "    Metadata: {Owner: ml-platform}\n",
        "    Metadata:\n      mldeploy-lint: {workload: {environment: production}}\n",
        "    Metadata:\n      mldeploy-lint:\n        ignore: [HA001]\n",
    ],
    ids=["flow-metadata", "flow-mldeploy-lint", "list-form-ignore"],
)
def test_cloudformation_offers_nothing_where_the_edit_is_not_certain(metadata):
    text = TEMPLATE.format(metadata=metadata)
    assert _edit(text, "scorer.yaml", _cp001(text)) is None


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer  # the pricing scorer
{annotations}spec:
  replicas: 2
  selector: {{matchLabels: {{app: scorer}}}}
  template:
    metadata:
      labels: {{app: scorer}}
    spec:
      containers:
        - name: server
          image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
          resources:
            limits: {{nvidia.com/gpu: "1"}}
"""


@pytest.mark.parametrize(
    "annotations, inserted",
    [
        ("", '  annotations:\n    ignore.mldeploy-lint.io/CP001: "accepted"\n'),
        ("  annotations:\n    team: pricing\n", '    ignore.mldeploy-lint.io/CP001: "accepted"\n'),
    ],
    ids=["no-annotations", "other-annotations"],
)
def test_kubernetes_writes_an_annotation_on_the_object(annotations, inserted):
    text = DEPLOYMENT.format(annotations=annotations)
    edit = _edit(text, "scorer.yaml", _cp001(text))
    assert edit is not None and edit.text == inserted and edit.where == "annotations of Deployment scorer"
    assert "# the pricing scorer" in _apply(text, edit)

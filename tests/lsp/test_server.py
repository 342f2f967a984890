"""The language server end to end: a pytest-lsp client drives `python -m linter lsp` over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "rules"
SERVERLESS = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OddSize:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          ServerlessConfig:
            MemorySizeInMB: 1500
            MaxConcurrency: 10
"""
HREF = "https://github.com/mldeploy-lint/mldeploy-lint/blob/main/docs/rules/CV001.md"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp"]))
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def _initialize(client: LanguageClient, root: Path, encodings: list[str] | None = None) -> types.InitializeResult:
    general = types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(general=general),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )


def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1, language_id: str = "yaml") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language_id, version=version, text=path.read_text(encoding="utf-8") if text is None else text
            )
        )
    )
    return uri


def _replace(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _diagnostics(client: LanguageClient, uri: str, wanted, timeout: float = 20.0) -> list[types.Diagnostic]:
    """The client's diagnostics for `uri` once `wanted(codes)` holds for their codes; fails after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        diagnostics = client.diagnostics.get(uri)
        if diagnostics is not None and wanted(sorted(str(item.code) for item in diagnostics)):
            return list(diagnostics)
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"diagnostics for {uri} never matched: {diagnostics}")
        await asyncio.sleep(0.05)


async def test_a_finding_is_a_diagnostic_with_range_code_and_href_and_clears_when_fixed(client, tmp_path):
    result = await _initialize(client, tmp_path)
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    assert diagnostic.range == types.Range(start=types.Position(9, 28), end=types.Position(9, 32))
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "mldeploy-lint"
    assert diagnostic.code_description.href == HREF
    assert diagnostic.message.startswith("MemorySizeInMB 1500 of variant AllTraffic is not allowed")

    _replace(client, uri, SERVERLESS.replace("1500", "2048"), 2)
    assert await _diagnostics(client, uri, lambda codes: codes == []) == []


async def test_the_latest_text_wins_after_a_quick_sequence_of_edits(client, tmp_path):
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS.replace("1500", "2048"), encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == [])
    for version, size in enumerate(("1500", "3072", "a: [", "1700"), start=2):
        _replace(client, uri, SERVERLESS.replace("1500", size), version)
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    await asyncio.sleep(0.6)  # longer than the debounce: nothing older arrives afterwards
    (diagnostic,) = client.diagnostics[uri]
    assert "1700" in diagnostic.message


async def test_a_broken_buffer_is_md001_and_the_server_lives_on(client, tmp_path):
    await _initialize(client, tmp_path)
    uri = _open(client, tmp_path / "broken.yaml", "Resources:\n  A: [unclosed\n")
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["MD001"])
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    # Still answering requests (with an error for a method it does not serve) and linting.
    with pytest.raises(JsonRpcMethodNotFound):
        await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    other = _open(client, path)
    await _diagnostics(client, other, lambda codes: codes == ["CV001"])


async def test_the_hpa_on_disk_scales_the_deployment_and_an_open_buffer_wins_over_the_disk(client, tmp_path):
    documents = (RULES / "AS001" / "near_miss_kubernetes.yaml").read_text(encoding="utf-8").split("---\n")
    deployment, hpa = documents[0], documents[1]
    (tmp_path / "deployment.yaml").write_text(deployment, encoding="utf-8")
    (tmp_path / "hpa.yaml").write_text(hpa, encoding="utf-8")
    # pytest's directory names say "test", a stage word; AS001 is silent outside production.
    (tmp_path / "mldeploy-lint.toml").write_text("[environments]\npath-words = false\n", encoding="utf-8")
    await _initialize(client, tmp_path)
    uri = _open(client, tmp_path / "deployment.yaml")
    await _diagnostics(client, uri, lambda codes: codes == [])

    # The HPA's unsaved buffer misspells the Deployment's name: the open text wins over the file.
    hpa_uri = _open(client, tmp_path / "hpa.yaml", hpa.replace("name: ranker}", "name: rankr}"))
    await _diagnostics(client, uri, lambda codes: codes == ["AS001"])
    await _diagnostics(client, hpa_uri, lambda codes: codes == ["AS002"])
    _replace(client, hpa_uri, hpa, 2)  # back to the Deployment's name: the Deployment is re-linted too
    await _diagnostics(client, uri, lambda codes: codes == [])


async def test_an_open_hpa_is_judged_with_the_deployment_it_scales_on_disk(client, tmp_path):
    # AS003 (minimum = maximum) is the HPA's, found on the Deployment it scales: a file that is not open.
    documents = (RULES / "AS001" / "near_miss_kubernetes.yaml").read_text(encoding="utf-8").split("---\n")
    deployment, hpa = documents[0], documents[1]
    (tmp_path / "deployment.yaml").write_text(deployment, encoding="utf-8")
    (tmp_path / "hpa.yaml").write_text(hpa, encoding="utf-8")
    (tmp_path / "mldeploy-lint.toml").write_text("[environments]\npath-words = false\n", encoding="utf-8")
    await _initialize(client, tmp_path)
    assert "minReplicas: 2\n  maxReplicas: 6" in hpa
    hpa_uri = _open(client, tmp_path / "hpa.yaml", hpa.replace("maxReplicas: 6", "maxReplicas: 2"))
    diagnostics = await _diagnostics(client, hpa_uri, lambda codes: "AS003" in codes)
    assert all(item.code != "AS001" for item in diagnostics)  # the Deployment's own findings stay in its file
    _replace(client, hpa_uri, hpa, 2)
    await _diagnostics(client, hpa_uri, lambda codes: "AS003" not in codes)


@pytest.mark.parametrize(
    "encoding", [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32]
)
async def test_columns_are_counted_in_the_negotiated_encoding_after_non_ascii_text(client, tmp_path, encoding):
    result = await _initialize(client, tmp_path, [encoding])
    assert result.capabilities.position_encoding == encoding
    line = '        - {VariantName: "café-😀", ModelName: scorer, ServerlessConfig: {MemorySizeInMB: 1500, MaxConcurrency: 10}}'
    text = SERVERLESS.split("        - VariantName")[0] + line + "\n"
    uri = _open(client, tmp_path / "endpoint.yaml", text)
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    prefix = line[: line.index("1500")]
    start = {
        types.PositionEncodingKind.Utf32: len(prefix),
        types.PositionEncodingKind.Utf16: len(prefix.encode("utf-16-le")) // 2,
        types.PositionEncodingKind.Utf8: len(prefix.encode("utf-8")),
    }[encoding]
    assert len(prefix) + 1 == start if encoding == types.PositionEncodingKind.Utf16 else True  # the emoji is two units
    assert diagnostic.range == types.Range(start=types.Position(6, start), end=types.Position(6, start + 4))


async def test_closing_a_document_clears_its_diagnostics(client, tmp_path):
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await _diagnostics(client, uri, lambda codes: codes == [])
    await asyncio.sleep(0.5)  # the debounced re-lint of open documents does not bring them back
    assert list(client.diagnostics[uri]) == []


async def test_a_broken_configuration_is_shown_and_linting_goes_on_with_the_defaults(client, tmp_path):
    (tmp_path / "mldeploy-lint.toml").write_text("select = [\n", encoding="utf-8")
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    (message,) = [item for item in client.messages if "mldeploy-lint.toml" in item.message]
    assert message.type == types.MessageType.Error and "invalid TOML" in message.message


async def test_the_configuration_of_the_documents_folder_applies(client, tmp_path):
    (tmp_path / "mldeploy-lint.toml").write_text('ignore = ["CV001"]\n', encoding="utf-8")
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    assert await _diagnostics(client, uri, lambda codes: True) == []


async def test_hover_on_a_diagnostic_shows_the_rules_summary_why_and_fix(client, tmp_path):
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 30))
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert text.startswith("**CV001** `serverless-memory-invalid` (error)")
    assert "**Why it matters**" in text and "**Fix**" in text and HREF in text
    assert hover.range == types.Range(start=types.Position(9, 28), end=types.Position(9, 32))
    elsewhere = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0))
    )
    assert elsewhere is None


XGBOOST_ON_GPU = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Scorer:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1
        ModelDataUrl: s3://models/scorer.tar.gz
  ScorerConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      # Sized for the launch.
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt Scorer.ModelName
          InstanceType: ml.g5.xlarge
          InitialInstanceCount: 2
"""
CP001_HREF = HREF.replace("CV001", "CP001")


def _apply(text: str, edit: types.TextEdit) -> str:
    """`text` with one LSP text edit applied (ASCII text: characters are code points)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]


async def _actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic) -> dict[str, types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return {action.title: action for action in actions or []}


async def _cp001_template(client: LanguageClient, tmp_path: Path, text: str = XGBOOST_ON_GPU) -> tuple[str, types.Diagnostic]:
    (tmp_path / "mldeploy-lint.toml").write_text('select = ["CP001"]\n', encoding="utf-8")
    await _initialize(client, tmp_path)
    path = tmp_path / "scorer.yaml"
    path.write_text(text, encoding="utf-8")
    uri = _open(client, path)
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["CP001"])
    return uri, diagnostic


async def test_a_gpu_serving_xgboost_is_cp001_and_a_cpu_instance_clears_it(client, tmp_path):
    uri, diagnostic = await _cp001_template(client, tmp_path)
    assert diagnostic.range == types.Range(start=types.Position(16, 24), end=types.Position(16, 36))
    assert diagnostic.code_description.href == CP001_HREF
    _replace(client, uri, XGBOOST_ON_GPU.replace("ml.g5.xlarge", "ml.c5.xlarge"), 2)
    assert await _diagnostics(client, uri, lambda codes: codes == []) == []


async def test_hover_on_a_deployment_shows_what_the_model_read_and_where(client, tmp_path):
    uri, _ = await _cp001_template(client, tmp_path)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 4))
    )
    assert hover is not None
    text = hover.contents.value
    assert "What mldeploy-lint read" in text
    assert "instance_type: ml.g5.xlarge  [declared] scorer.yaml:17:25" in text
    assert "framework: xgboost  [inferred: image repository sagemaker-xgboost] scorer.yaml:8:16" in text


LLAMA_ON_G7 = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ChatModel:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
        Environment:
          HF_MODEL_ID: meta-llama/Llama-3.1-70B-Instruct
  ChatConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: !GetAtt ChatModel.ModelName
          InstanceType: ml.g7.48xlarge
          InitialInstanceCount: 1
"""


async def test_hover_on_a_deployment_says_what_the_rules_could_not_judge(client, tmp_path):
    (tmp_path / "mldeploy-lint.toml").write_text('select = ["CP007", "EP007"]\n', encoding="utf-8")
    await _initialize(client, tmp_path)
    path = tmp_path / "chat.yaml"
    path.write_text(LLAMA_ON_G7, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == ["EP007"])
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(10, 4))
    )
    assert hover is not None
    text = hover.contents.value
    assert "What mldeploy-lint read" in text
    assert "  not judged: CP007 — the accelerator memory of ml.g7.48xlarge is not known: " in text
    assert "chat.yaml:17:25" in text


async def test_suppress_on_this_line_inserts_an_indented_comment_and_the_diagnostic_goes(client, tmp_path):
    uri, diagnostic = await _cp001_template(client, tmp_path)
    action = (await _actions(client, uri, diagnostic))["Suppress CP001 on this line"]
    (edit,) = action.edit.changes[uri]
    fixed = _apply(XGBOOST_ON_GPU, edit)
    assert "          # mldeploy-lint: disable=CP001 -- reason\n          InstanceType: ml.g5.xlarge\n" in fixed
    _replace(client, uri, fixed, 2)
    assert await _diagnostics(client, uri, lambda codes: codes == []) == []


@pytest.mark.parametrize(
    "template, expected",
    [
        (
            XGBOOST_ON_GPU,
            '  ScorerConfig:\n    Metadata:\n      mldeploy-lint:\n        ignore:\n          CP001: "reason"\n'
            "    Type: AWS::SageMaker::EndpointConfig\n",
        ),
        (
            XGBOOST_ON_GPU.replace(
                "    Properties:\n      # Sized",
                "    Metadata:\n      mldeploy-lint:\n        workload: {environment: production}  # kept\n    Properties:\n      # Sized",
            ),
            '      mldeploy-lint:\n        ignore:\n          CP001: "reason"\n        workload: {environment: production}  # kept\n',
        ),
    ],
    ids=["no-metadata", "beside-the-workload-profile"],
)
async def test_suppress_for_this_resource_writes_metadata_keeping_comments(client, tmp_path, template, expected):
    uri, diagnostic = await _cp001_template(client, tmp_path, template)
    action = (await _actions(client, uri, diagnostic))["Suppress CP001 for this resource (Metadata of ScorerConfig)"]
    (edit,) = action.edit.changes[uri]
    assert edit.range.start == edit.range.end  # an insertion: nothing else of the file is touched
    fixed = _apply(template, edit)
    assert expected in fixed and "# Sized for the launch." in fixed
    _replace(client, uri, fixed, 2)
    assert await _diagnostics(client, uri, lambda codes: codes == []) == []


async def test_open_the_rules_documentation_asks_the_client_to_show_the_page(client, tmp_path):
    uri, diagnostic = await _cp001_template(client, tmp_path)
    action = (await _actions(client, uri, diagnostic))["Open the documentation of CP001 (gpu-for-tabular-model)"]
    command = action if isinstance(action, types.Command) else action.command
    assert command.command == "mldeploy-lint.openRuleDocumentation"
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert [(item.uri, item.external) for item in client.shown_documents] == [(CP001_HREF, True)]


async def test_a_json_template_gets_no_comment_fix_but_a_metadata_one(client, tmp_path):
    import json

    from linter.source import load_text

    document = load_text("scorer.yaml", XGBOOST_ON_GPU).documents[0]
    from linter.nodes import to_python

    text = json.dumps(to_python(document.root) | {"Resources": _json_resources()}, indent=2)
    (tmp_path / "mldeploy-lint.toml").write_text('select = ["CP001"]\n', encoding="utf-8")
    await _initialize(client, tmp_path)
    path = tmp_path / "scorer.json"
    path.write_text(text, encoding="utf-8")
    uri = _open(client, path)
    (diagnostic,) = await _diagnostics(client, uri, lambda codes: codes == ["CP001"])
    actions = await _actions(client, uri, diagnostic)
    assert not any("on this line" in title for title in actions)
    (edit,) = actions["Suppress CP001 for this resource (Metadata of ScorerConfig)"].edit.changes[uri]
    fixed = _apply(text, edit)
    assert json.loads(fixed)["Resources"]["ScorerConfig"]["Metadata"] == {"mldeploy-lint": {"ignore": {"CP001": "reason"}}}
    _replace(client, uri, fixed, 2)
    assert await _diagnostics(client, uri, lambda codes: codes == []) == []


def _json_resources() -> dict:
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    return {
        "Scorer": {"Type": "AWS::SageMaker::Model", "Properties": {"PrimaryContainer": {"Image": image}}},
        "ScorerConfig": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {"VariantName": "AllTraffic", "ModelName": {"Fn::GetAtt": ["Scorer", "ModelName"]},
                     "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 2}
                ]
            },
        },
    }


async def test_a_changed_configuration_file_is_read_again(client, tmp_path):
    await _initialize(client, tmp_path)
    path = tmp_path / "endpoint.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: codes == ["CV001"])
    config = tmp_path / ".mldeploy-lint.toml"
    config.write_text('ignore = ["CV001"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)])
    )
    await _diagnostics(client, uri, lambda codes: codes == [])
    config.write_text("ignore = []\n", encoding="utf-8")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await _diagnostics(client, uri, lambda codes: codes == ["CV001"])


async def test_nothing_outside_the_workspace_folder_is_read(client, tmp_path):
    # A configuration and an HPA beside the folder, not in it: neither applies.
    (tmp_path / "mldeploy-lint.toml").write_text('ignore = ["AS001"]\n', encoding="utf-8")
    documents = (RULES / "AS001" / "near_miss_kubernetes.yaml").read_text(encoding="utf-8").split("---\n")
    (tmp_path / "hpa.yaml").write_text(documents[1], encoding="utf-8")
    folder = tmp_path / "workspace"
    folder.mkdir()
    (folder / "deployment.yaml").write_text(documents[0], encoding="utf-8")
    await _initialize(client, folder)
    uri = _open(client, folder / "deployment.yaml")
    await _diagnostics(client, uri, lambda codes: "AS001" in codes)


async def test_a_value_from_a_parameter_default_relates_the_default(client, tmp_path):
    template = XGBOOST_ON_GPU.replace(
        "Resources:\n", "Parameters:\n  ServingInstance:\n    Type: String\n    Default: ml.g5.xlarge\nResources:\n", 1
    ).replace("InstanceType: ml.g5.xlarge", "InstanceType: !Ref ServingInstance")
    uri, diagnostic = await _cp001_template(client, tmp_path, template)
    (related,) = diagnostic.related_information
    assert related.location.uri == uri
    assert related.location.range.start == types.Position(4, 13)


async def test_the_disk_cache_is_pruned_in_the_background_after_a_lint(client, tmp_path):
    # A session prunes the parse cache as a command-line run does (at most once a day): an entry not used
    # for 40 days goes once the first document is linted, without the editor waiting for it.
    import os

    from linter.disk_cache import CACHE_DIR_ENV

    entries = Path(os.environ[CACHE_DIR_ENV]) / "v1"
    stale = entries / "ab" / ("ab" + "0" * 38 + ".json")
    stale.parent.mkdir(parents=True)
    stale.write_text('{"key": "stale", "source": null}')
    old = stale.stat().st_mtime - 40 * 86400
    os.utime(stale, (old, old))
    await _initialize(client, tmp_path)
    path = tmp_path / "serverless.yaml"
    path.write_text(SERVERLESS, encoding="utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri, lambda codes: "CV001" in codes)
    deadline = asyncio.get_running_loop().time() + 20.0
    while stale.exists():
        assert asyncio.get_running_loop().time() < deadline, "the stale entry is still there"
        await asyncio.sleep(0.05)
    assert (entries / "pruned").is_file()  # the stamp: not again today


async def test_a_terraform_module_is_linted_in_its_tf_file_and_a_stage_files_buffer_counts(client, tmp_path):
    module = HERE.parent.parent / "examples" / "terraform" / "llm-summariser"
    for name in ("main.tf", "variables.tf", "prod.tfvars", "staging.tfvars"):
        (tmp_path / name).write_text((module / name).read_text(encoding="utf-8"), encoding="utf-8")
    # pytest's directory names say "test", a stage word: only the tfvars files' names may say the stage.
    (tmp_path / "mldeploy-lint.toml").write_text("[environments]\npath-words = false\n", encoding="utf-8")
    await _initialize(client, tmp_path)
    uri = _open(client, tmp_path / "main.tf", language_id="terraform")
    await _diagnostics(client, uri, lambda codes: codes == ["AS001", "EP007", "HA001"])
    # prod.tfvars's unsaved buffer makes the stage staging: no production endpoint is left.
    stage_uri = _open(client, tmp_path / "prod.tfvars", 'stage = "staging"\n', language_id="terraform-vars")
    await _diagnostics(client, uri, lambda codes: codes == ["EP007"])
    _replace(client, stage_uri, 'stage = "production"\n', 2)
    await _diagnostics(client, uri, lambda codes: codes == ["AS001", "EP007", "HA001"])


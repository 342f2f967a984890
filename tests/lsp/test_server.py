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


def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=version, text=path.read_text(encoding="utf-8") if text is None else text
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


async def _diagnostics(client: LanguageClient, uri: str, wanted, timeout: float = 5.0) -> list[types.Diagnostic]:
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

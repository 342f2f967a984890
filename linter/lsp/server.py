"""The pygls language server: diagnostics for open deployment configurations."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Iterable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from linter import __version__
from linter.lsp.linting import WorkspaceLinter
from linter.lsp.positions import UTF16, span_to_range, split_lines
from linter.rule_links import rule_help_uri, rule_reference_base
from linter.rules import Severity

__all__ = ["SOURCE", "DEBOUNCE_SECONDS", "MldeployLanguageServer", "create_server"]

SOURCE = "mldeploy-lint"
# Typing pauses shorter than this re-lint once, with the latest text.
DEBOUNCE_SECONDS = 0.3
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
logger = logging.getLogger(__name__)


class MldeployLanguageServer(LanguageServer):
    """Publishes findings as diagnostics; never lets an exception in linting end the session.

    Suppressed findings are not published. A change re-lints every open
    document after a pause of `DEBOUNCE_SECONDS` (one may link to another:
    an HPA and its Deployment); open, save and close do so too, the
    document itself at once.
    """

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.linter = WorkspaceLinter()
        self._pending: asyncio.TimerHandle | None = None
        self._shown_problems: set[str] = set()
        self._help_base: str | None = None
        # uri -> (diagnostic range, rule) of what was last published, for hover.
        self.published: dict[str, list[tuple[types.Range, object]]] = {}

    # -- scheduling -----------------------------------------------------------

    def schedule_relint(self) -> None:
        """Re-lint every open document once the edits pause; a newer call restarts the wait."""
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self._relint_open)

    def _relint_open(self) -> None:
        self._pending = None
        for uri in list(self.workspace.text_documents):
            self.lint_and_publish(uri)

    # -- linting --------------------------------------------------------------

    def _open_buffers(self) -> dict[str, str]:
        buffers = {}
        for uri, document in self.workspace.text_documents.items():
            path = _file_path(uri)
            if path is not None:
                buffers[path] = document.source
        return buffers

    def lint_and_publish(self, uri: str) -> None:
        """Lint the open document `uri` and publish its diagnostics; on an internal error keep the old ones."""
        path = _file_path(uri)
        if path is None or uri not in self.workspace.text_documents:
            return
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        try:
            if not self.linter.is_lintable(path):
                return
            outcome = self.linter.lint(path, text, self._open_buffers())
            diagnostics = self.diagnostics(outcome.findings, outcome.result.rules, text)
            by_id = {rule.id: rule for rule in outcome.result.rules}
            self.published[uri] = [
                (diagnostic.range, by_id[str(diagnostic.code)]) for diagnostic in diagnostics if str(diagnostic.code) in by_id
            ]
        except Exception as error:  # noqa: BLE001 - one bad lint must not end the session
            logger.exception("linting %s failed", path)
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error, message=f"mldeploy-lint: linting {path} failed: {type(error).__name__}: {error}"
                )
            )
            return
        self._show_problems(outcome.problems)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def clear(self, uri: str) -> None:
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        """The documentation of the rules whose diagnostics cover `position`: summary, why it matters, fix."""
        found = [(found_range, rule) for found_range, rule in self.published.get(uri, ()) if _covers(found_range, position)]
        if not found:
            return None
        if self._help_base is None:
            self._help_base = rule_reference_base()
        parts = []
        seen = set()
        for _, rule in found:
            if rule.id in seen:
                continue
            seen.add(rule.id)
            href = rule_help_uri(rule, self._help_base)
            title = f"**{rule.id}** `{rule.slug}` ({rule.severity.value})"
            block = [title, "", rule.summary]
            if rule.docs.why.strip():
                block += ["", "**Why it matters**", "", rule.docs.why.strip()]
            if rule.docs.fix.strip():
                block += ["", "**Fix**", "", rule.docs.fix.strip()]
            if href:
                block += ["", f"[The rule's documentation]({href})"]
            parts.append("\n".join(block))
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=found[0][0],
        )

    def diagnostics(self, findings: Iterable, rules: Iterable, text: str) -> list[types.Diagnostic]:
        """Findings as LSP diagnostics, ranges in the negotiated position encoding."""
        encoding = str(self.workspace.position_encoding or UTF16)
        if self._help_base is None:
            self._help_base = rule_reference_base()
        by_id = {rule.id: rule for rule in rules}
        lines = split_lines(text)
        diagnostics = []
        for finding in findings:
            (start_line, start_character), (end_line, end_character) = span_to_range(finding.span, lines, encoding)
            rule = by_id.get(finding.rule_id)
            href = rule_help_uri(rule, self._help_base) if rule is not None else None
            diagnostics.append(
                types.Diagnostic(
                    range=types.Range(
                        start=types.Position(line=start_line, character=start_character),
                        end=types.Position(line=end_line, character=end_character),
                    ),
                    message=finding.message,
                    severity=_SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
                    code=finding.rule_id,
                    code_description=types.CodeDescription(href=href) if href else None,
                    source=SOURCE,
                )
            )
        return diagnostics

    def _show_problems(self, problems: Iterable[str]) -> None:
        """Show each configuration problem once per session, not on every keystroke."""
        for problem in problems:
            if problem in self._shown_problems:
                continue
            self._shown_problems.add(problem)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"mldeploy-lint: {problem}"))


def _covers(found: types.Range, position: types.Position) -> bool:
    start, end = found.start, found.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)


def _file_path(uri: str) -> str | None:
    """The absolute file-system path of a `file:` URI; None for other schemes (untitled buffers)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


def create_server() -> MldeployLanguageServer:
    """A new server with its features registered (one per session or test)."""
    server = MldeployLanguageServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: MldeployLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)
        ls.schedule_relint()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: MldeployLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_relint()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: MldeployLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)
        ls.schedule_relint()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MldeployLanguageServer, params: types.HoverParams) -> types.Hover | None:
        try:
            return ls.hover(params.text_document.uri, params.position)
        except Exception:  # noqa: BLE001 - a hover must never end the session
            logger.exception("hover failed")
            return None

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: MldeployLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)
        ls.schedule_relint()

    return server

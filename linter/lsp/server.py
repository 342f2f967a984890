"""The pygls language server: diagnostics, hovers and quick fixes for open deployment configurations."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from linter import __version__
from linter.config import CONFIG_NAMES
from linter.lsp.linting import WorkspaceLinter
from linter.lsp.positions import UTF16, point_to_position, span_to_range, split_lines
from linter.model import Deployment, SuppressionEdit
from linter.rule_links import rule_help_uri, rule_reference_base
from linter.rules import Finding, NotJudged, Rule, Severity

__all__ = ["SOURCE", "DEBOUNCE_SECONDS", "OPEN_RULE_DOCUMENTATION", "MldeployLanguageServer", "create_server"]

SOURCE = "mldeploy-lint"
# Typing pauses shorter than this re-lint once, with the latest text.
DEBOUNCE_SECONDS = 0.3
# The command behind "Open the rule's documentation": asks the client to open the page.
OPEN_RULE_DOCUMENTATION = "mldeploy-lint.openRuleDocumentation"
# What the suppress quick fixes write as the reason, for the user to replace.
REASON_PLACEHOLDER = "reason"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_CONFIG_FILES = (*CONFIG_NAMES, "pyproject.toml")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Published:
    """A diagnostic as published, with what it came from (for hover and code actions)."""

    range: types.Range
    finding: Finding
    rule: Rule | None


class MldeployLanguageServer(LanguageServer):
    """Publishes findings as diagnostics; never lets an exception in linting end the session.

    Suppressed findings are not published. A change re-lints the document
    after a pause of `DEBOUNCE_SECONDS`, then the other open documents that
    share its context (one may link to another: an HPA and its Deployment);
    open and save re-lint the document at once; a change on disk to a
    configuration file or to a file the linter reads (watched-file events)
    or to the client's settings re-lints every open document.
    """

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.linter = WorkspaceLinter()
        self._pending: asyncio.TimerHandle | None = None
        self._dirty: set[str] = set()
        self._shown_problems: set[str] = set()
        self._help_base: str | None = None
        self._folders: tuple[str, ...] | None = None
        self.published: dict[str, list[_Published]] = {}
        # uri -> (0-based line naming a deployment, the deployment), for hover.
        self.deployments: dict[str, list[tuple[int, Deployment, tuple[NotJudged, ...]]]] = {}

    # -- workspace ------------------------------------------------------------

    def sync_folders(self) -> None:
        """Tell the linter the workspace folders (the root when the client names none)."""
        uris = [folder.uri for folder in self.workspace.folders.values()]
        if not uris and self.workspace.root_uri:
            uris = [self.workspace.root_uri]
        folders = tuple(sorted(path for path in (_file_path(uri) for uri in uris) if path is not None))
        if folders != self._folders:
            self._folders = folders
            self.linter.set_folders(folders)

    def files_changed(self, paths: Iterable[str]) -> None:
        """Files changed on disk: re-read the configuration if one of them is one, walk the context again."""
        paths = list(paths)
        configuration = any(os.path.basename(path) in _CONFIG_FILES for path in paths)
        self.linter.invalidate(configuration=configuration)
        if configuration:
            self._shown_problems.clear()
        self.schedule_relint(list(self.workspace.text_documents))

    # -- scheduling -----------------------------------------------------------

    def schedule_relint(self, uris: Iterable[str] = ()) -> None:
        """Re-lint `uris` (and the open documents sharing their context) once edits pause; a newer call restarts the wait."""
        self._dirty.update(uris)
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self._relint_dirty)

    def _relint_dirty(self) -> None:
        self._pending = None
        dirty, self._dirty = self._dirty, set()
        open_uris = list(self.workspace.text_documents)
        for uri in open_uris:
            if uri in dirty:
                self.lint_and_publish(uri)
        linked = self._sharing_context(dirty)
        for uri in open_uris:
            if uri not in dirty and uri in linked:
                self.lint_and_publish(uri)

    def _sharing_context(self, uris: Iterable[str]) -> set[str]:
        """The open documents whose context may hold one of `uris` (same scope, or no scope at all)."""
        scopes = set()
        for uri in uris:
            path = _file_path(uri)
            scopes.add(self.linter.scope_of(path) if path else None)
        linked = set()
        for uri in self.workspace.text_documents:
            path = _file_path(uri)
            scope = self.linter.scope_of(path) if path else None
            if scope in scopes or scope is None or None in scopes:
                linked.add(uri)
        return linked

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
        self.sync_folders()
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        try:
            if not self.linter.is_lintable(path):
                return
            buffers = self._open_buffers()
            outcome = self.linter.lint(path, text, buffers)
            lines = split_lines(text)
            by_id = {rule.id: rule for rule in outcome.result.rules}
            published = [
                _Published(self._range(finding.span, lines), finding, by_id.get(finding.rule_id)) for finding in outcome.findings
            ]
            diagnostics = [self._diagnostic(item, path, lines, buffers) for item in published]
            result = outcome.result
            deployments = [
                (max(deployment.span.line - 1, 0), deployment, result.not_judged[index] if index < len(result.not_judged) else ())
                for index, deployment in enumerate(result.deployments)
                if os.path.abspath(deployment.span.path) == path
            ]
        except Exception as error:  # noqa: BLE001 - one bad lint must not end the session
            logger.exception("linting %s failed", path)
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error, message=f"mldeploy-lint: linting {path} failed: {type(error).__name__}: {error}"
                )
            )
            return
        self.published[uri] = published
        self.deployments[uri] = deployments
        self._show_problems(outcome.problems)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )
        caches = self.linter.caches_to_prune()
        if caches:  # in the background: removing files must not hold up the next request
            threading.Thread(target=_prune, args=(caches,), name="mldeploy-lint cache pruning", daemon=True).start()

    def clear(self, uri: str) -> None:
        self.published.pop(uri, None)
        self.deployments.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or UTF16)

    @property
    def help_base(self) -> str:
        if self._help_base is None:
            self._help_base = rule_reference_base()
        return self._help_base

    def _range(self, span, lines: list[str]) -> types.Range:
        (start_line, start_character), (end_line, end_character) = span_to_range(span, lines, self.encoding)
        return types.Range(
            start=types.Position(line=start_line, character=start_character),
            end=types.Position(line=end_line, character=end_character),
        )

    def _diagnostic(self, item: _Published, path: str, lines: list[str], buffers: dict[str, str]) -> types.Diagnostic:
        finding, rule = item.finding, item.rule
        href = rule_help_uri(rule, self.help_base) if rule is not None else None
        related = []
        for span, message in finding.related:
            other = os.path.abspath(span.path)
            other_lines = lines if other == path else self._lines_of(other, buffers)
            if other_lines is None:
                continue
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=from_fs_path(other) or other, range=self._range(span, other_lines)),
                    message=message,
                )
            )
        return types.Diagnostic(
            range=item.range,
            message=finding.message,
            severity=_SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.rule_id,
            code_description=types.CodeDescription(href=href) if href else None,
            source=SOURCE,
            related_information=related or None,
        )

    def _lines_of(self, path: str, buffers: dict[str, str]) -> list[str] | None:
        """The lines of another file a finding points at: its open buffer, or the file if it is in the workspace."""
        if path in buffers:
            return split_lines(buffers[path])
        if self.linter.folder_of(path) is None:
            return None
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return split_lines(handle.read())
        except OSError:
            return None

    # -- hover ----------------------------------------------------------------

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        """The rules whose diagnostics cover `position` (summary, why, fix), and the model of a deployment named there."""
        found = [item for item in self.published.get(uri, ()) if _covers(item.range, position)]
        parts = []
        seen = set()
        for item in found:
            rule = item.rule
            if rule is None or rule.id in seen:
                continue
            seen.add(rule.id)
            parts.append(self._rule_help(rule))
        named = [(deployment, not_judged) for line, deployment, not_judged in self.deployments.get(uri, ()) if line == position.line]
        if named:
            parts.append(self._model(named, _file_path(uri)))
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=found[0].range if found else None,
        )

    def _rule_help(self, rule: Rule) -> str:
        href = rule_help_uri(rule, self.help_base)
        block = [f"**{rule.id}** `{rule.slug}` ({rule.severity.value})", "", rule.summary]
        if rule.docs.why.strip():
            block += ["", "**Why it matters**", "", rule.docs.why.strip()]
        if rule.docs.fix.strip():
            block += ["", "**Fix**", "", rule.docs.fix.strip()]
        if href:
            block += ["", f"[The rule's documentation]({href})"]
        return "\n".join(block)

    @staticmethod
    def _model(named: list[tuple[Deployment, tuple[NotJudged, ...]]], path: str | None) -> str:
        """What the model read for deployments, and what the rules could not judge there, as `explain --deployments` shows it (paths relative to the file's directory)."""
        from linter.explain import explain_text

        deployments = [deployment for deployment, _ in named]
        not_judged = [items for _, items in named]
        outline = explain_text(deployments, (), base=os.path.dirname(path) if path else None, not_judged=not_judged).rstrip("\n")
        fence = "```"
        while fence in outline:
            fence += "`"
        return f"**What mldeploy-lint read** (`mldeploy-lint explain --deployments`)\n\n{fence}text\n{outline}\n{fence}"

    # -- code actions ---------------------------------------------------------

    def code_actions(
        self, uri: str, requested: types.Range, diagnostics: Iterable[types.Diagnostic]
    ) -> list[types.CodeAction | types.Command]:
        """Quick fixes for this server's diagnostics in `requested`: suppress on the line, for the resource; open the docs."""
        path = _file_path(uri)
        if path is None or uri not in self.workspace.text_documents:
            return []
        text = self.workspace.get_text_document(uri).source
        lines = split_lines(text)
        wanted = [
            diagnostic
            for diagnostic in diagnostics
            if diagnostic.source == SOURCE and diagnostic.code is not None and _overlaps(diagnostic.range, requested)
        ]
        if not wanted:  # a client that sends no context: the published diagnostics at the cursor
            wanted = [
                diagnostic
                for diagnostic in self._published_diagnostics(uri)
                if _overlaps(diagnostic.range, requested)
            ]
        actions: list[types.CodeAction | types.Command] = []
        done: set[tuple[str, int]] = set()
        for diagnostic in wanted:
            rule_id = str(diagnostic.code)
            item = self._published_at(uri, diagnostic)
            if (rule_id, diagnostic.range.start.line) in done:
                continue
            done.add((rule_id, diagnostic.range.start.line))
            line_fix = self._line_suppression(uri, text, lines, diagnostic, rule_id)
            if line_fix is not None:
                actions.append(line_fix)
            if item is not None:
                resource_fix = self._resource_suppression(uri, path, text, lines, diagnostic, item)
                if resource_fix is not None:
                    actions.append(resource_fix)
                if item.rule is not None and (href := rule_help_uri(item.rule, self.help_base)):
                    title = f"Open the documentation of {rule_id} ({item.rule.slug})"
                    # A bare Command: a CodeAction holding only a command is misread by some clients' decoders.
                    actions.append(types.Command(title=title, command=OPEN_RULE_DOCUMENTATION, arguments=[href]))
        return actions

    def _published_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return [
            types.Diagnostic(range=item.range, message=item.finding.message, code=item.finding.rule_id, source=SOURCE)
            for item in self.published.get(uri, ())
        ]

    def _published_at(self, uri: str, diagnostic: types.Diagnostic) -> _Published | None:
        for item in self.published.get(uri, ()):
            if item.range == diagnostic.range and item.finding.rule_id == str(diagnostic.code):
                return item
        return None

    @staticmethod
    def _line_suppression(
        uri: str, text: str, lines: list[str], diagnostic: types.Diagnostic, rule_id: str
    ) -> types.CodeAction | None:
        """A comment line above the diagnostic's first line, at its indentation; None for JSON (no comments)."""
        if text.lstrip()[:1] in ("{", "["):
            return None
        line = diagnostic.range.start.line
        if line >= len(lines):
            return None
        current = lines[line]
        indent = current[: len(current) - len(current.lstrip(" \t"))]
        comment = f"{indent}# mldeploy-lint: disable={rule_id} -- {REASON_PLACEHOLDER}\n"
        at = types.Position(line=line, character=0)
        return types.CodeAction(
            title=f"Suppress {rule_id} on this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)]}),
        )

    def _resource_suppression(
        self, uri: str, path: str, text: str, lines: list[str], diagnostic: types.Diagnostic, item: _Published
    ) -> types.CodeAction | None:
        """The adapter's edit adding the suppression to the resource or object (Metadata, annotation)."""
        from linter.source import load_text

        config, _ = self.linter.config_for(path)
        host = self.linter.host(tuple(config.get("plugins", ())))
        source = load_text(item.finding.span.path, text)
        span = item.finding.span
        document = next(
            (doc for doc in source.documents if doc.root is not None and doc.span.line <= span.line <= doc.span.end_line),
            None,
        )
        if document is None:
            return None
        edit = None
        for outcome in host.call_each(
            "mldeploy_suppression_edit", document=document, span=span, rule_id=item.finding.rule_id, reason=REASON_PLACEHOLDER
        ):
            if outcome.error is None and isinstance(outcome.result, SuppressionEdit):
                edit = outcome.result
                break
            if outcome.error is not None:
                logger.warning("plugin %s failed to write a suppression: %s", outcome.plugin, outcome.error)
        if edit is None:
            return None
        line, character = point_to_position(lines, edit.line, edit.column, self.encoding)
        at = types.Position(line=line, character=character)
        return types.CodeAction(
            title=f"Suppress {item.finding.rule_id} for this resource ({edit.where})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=edit.text)]}),
        )

    def _show_problems(self, problems: Iterable[str]) -> None:
        """Show each configuration problem once (until the configuration changes), not on every keystroke."""
        for problem in problems:
            if problem in self._shown_problems:
                continue
            self._shown_problems.add(problem)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"mldeploy-lint: {problem}"))


def _prune(caches) -> None:
    """Prune each disk cache when due (`DiskCache.maybe_prune`); a failure is logged, never raised."""
    for cache in caches:
        try:
            cache.maybe_prune()
        except Exception:  # noqa: BLE001 - pruning is housekeeping: the session goes on
            logger.exception("pruning the cache in %s failed", cache.directory)


def _covers(found: types.Range, position: types.Position) -> bool:
    start, end = found.start, found.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)


def _overlaps(first: types.Range, second: types.Range) -> bool:
    return (first.start.line, first.start.character) <= (second.end.line, second.end.character) and (
        second.start.line,
        second.start.character,
    ) <= (first.end.line, first.end.character)


def _file_path(uri: str) -> str | None:
    """The absolute file-system path of a `file:` URI; None for other schemes (untitled buffers)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


_WATCHED = ("**/*.{yaml,yml,json,template}", "**/{mldeploy-lint.toml,.mldeploy-lint.toml,pyproject.toml}")


def create_server() -> MldeployLanguageServer:
    """A new server with its features registered (one per session or test)."""
    server = MldeployLanguageServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MldeployLanguageServer, params: types.InitializedParams) -> None:
        ls.sync_folders()
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            patterns = list(_WATCHED)
            for pattern in ls.linter.host(()).file_patterns():
                patterns.append(f"**/{pattern}")
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        registrations=[
                            types.Registration(
                                id="mldeploy-lint-watched-files",
                                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                    watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in patterns]
                                ),
                            )
                        ]
                    )
                )
            except Exception:  # noqa: BLE001 - without watchers the context is walked again every few seconds
                logger.warning("the client refused file watchers", exc_info=True)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: MldeployLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.linter.invalidate()  # a file opened may be one the last walk did not see
        ls.lint_and_publish(params.text_document.uri)
        ls.schedule_relint([params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: MldeployLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_relint([params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: MldeployLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)
        ls.schedule_relint([params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: MldeployLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)
        ls.schedule_relint([params.text_document.uri])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: MldeployLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed(path for path in (_file_path(change.uri) for change in params.changes) if path is not None)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: MldeployLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        ls.linter.invalidate(configuration=True)
        ls._shown_problems.clear()
        ls.schedule_relint(list(ls.workspace.text_documents))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MldeployLanguageServer, params: types.HoverParams) -> types.Hover | None:
        try:
            return ls.hover(params.text_document.uri, params.position)
        except Exception:  # noqa: BLE001 - a hover must never end the session
            logger.exception("hover failed")
            return None

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: MldeployLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction | types.Command]:
        try:
            return ls.code_actions(params.text_document.uri, params.range, params.context.diagnostics)
        except Exception:  # noqa: BLE001 - a failed quick fix must never end the session
            logger.exception("code actions failed")
            return []

    @server.command(OPEN_RULE_DOCUMENTATION)
    async def open_rule_documentation(ls: MldeployLanguageServer, *arguments: Any) -> None:
        href = arguments[0] if arguments and isinstance(arguments[0], str) else None
        if href is None or not href.startswith(("https://", "http://")):
            return None
        try:
            await ls.window_show_document_async(types.ShowDocumentParams(uri=href, external=True))
        except Exception:  # noqa: BLE001 - a client without showDocument: say where the page is instead
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=f"mldeploy-lint: {href}"))
        return None

    return server

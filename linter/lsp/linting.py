"""Lint one open document as the CLI would lint its file, with unsaved buffers in place of the files on disk.

Free of pygls: the server hands it paths and texts and gets findings back.

What an editor session keeps between edits, so that a re-lint costs about
what linting the edited document alone costs:

- one plugin host per set of configured plugins;
- the configuration of each directory (until `invalidate` says files changed);
- per context scope, the list of context files (walked again when files are
  created or deleted, and at least every `REWALK_SECONDS`), each as an
  unread input while its size and modification time stay the same: a run
  reads only the files a plugin may want (`linter.context_selection`), and
  the words it found in the others are kept on their inputs, or in the
  disk cache's word index (`linter.word_index`). With a plugin that parses
  every context file, their bytes are read and kept instead;
- each file's parse (`linter.source_cache`), reused while its bytes are the same;
  the context files' parses are also read from and written to the on-disk
  cache (`linter.disk_cache`, `cache-dir` of the configuration), so that a
  new session does not parse a whole repository again. The documents open
  in the editor are not written there: they change at every keystroke. The
  caches a session uses are pruned as a command-line run prunes its own
  (at most once a day), the server asking `caches_to_prune` after it has
  published a document's diagnostics.

Nothing outside the workspace folders is read: the configuration search
and the context walk stop at the folder that holds the document; a document
outside every folder is linted with the defaults and only the other open
documents as context.
"""

from __future__ import annotations

import fnmatch
import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from linter.api import MAX_REPOSITORY_CONTEXT_FILES
from linter.config import Config, ConfigError, check_config, find_config, read_config
from linter.context_selection import parses_every_context_file
from linter.discovery import DiscoveryOptions, PatternError, discover, is_repository_root, list_directory
from linter.engine import DEFAULT_FILE_TIMEOUT, InputFile, LintOptions, LintResult, run_lint
from linter.plugin_manager import PluginHost, build_plugin_host
from linter.profile import normalise_environment
from linter.rules import RuleSelector, SelectionError
from linter.source_cache import SourceCache

if TYPE_CHECKING:  # pragma: no cover
    from linter.disk_cache import DiskCache

__all__ = ["DocumentLint", "WorkspaceLinter", "REWALK_SECONDS", "Scope"]

# Files created or deleted on disk are noticed at the latest this long after
# (at once when the editor reports watched-file changes).
REWALK_SECONDS = 10.0


@dataclass(frozen=True)
class Scope:
    """Where a document's context files come from: `root`, and whether files below it count."""

    root: str
    recursive: bool


@dataclass(frozen=True)
class DocumentLint:
    """The outcome of linting one document.

    `findings` are the document's own, suppressed ones left out; `problems`
    are lines to show the user (a broken configuration, an unknown rule
    selector), each already worded.
    """

    path: str
    result: LintResult
    findings: tuple = ()
    problems: tuple[str, ...] = ()


@dataclass
class _ContextIndex:
    """The context files of one scope: the walk's list, and each file's input kept while its (size, mtime) stays."""

    scope: Scope
    discovery: DiscoveryOptions
    max_bytes: int
    files: list[str] = field(default_factory=list)
    walked_at: float | None = None
    known: dict[str, tuple[tuple[int, int], InputFile]] = field(default_factory=dict)

    def refresh(self, stale: bool) -> None:
        """Walk the scope again when `stale`, never walked, or last walked `REWALK_SECONDS` ago."""
        now = time.monotonic()
        if not stale and self.walked_at is not None and now - self.walked_at < REWALK_SECONDS:
            return
        root = self.scope.root
        if self.scope.recursive:
            files = list(discover([root], self.discovery, []))
        else:
            files = list_directory(root, self.discovery, [])
        self.files = [os.path.abspath(path) for path in files]
        self.walked_at = now
        listed = set(self.files)
        for gone in [path for path in self.known if path not in listed]:
            del self.known[gone]

    def inputs(self, document: str, read: bool) -> list[InputFile]:
        """The scope's files other than `document`, as context inputs: unread, or with `read` their bytes read.

        An input is made again when its file's size or modification time
        changed (re-read, with `read`).
        """
        files = self.files
        if self.scope.recursive and len(files) > MAX_REPOSITORY_CONTEXT_FILES:
            directory = os.path.dirname(document)  # as the CLI does above the cap: the document's directory only
            files = [path for path in files if os.path.dirname(path) == directory]
        found = []
        for path in files:
            if path == document:
                continue
            try:
                status = os.stat(path)
            except OSError:
                self.known.pop(path, None)
                continue
            signature = (status.st_size, status.st_mtime_ns)
            known = self.known.get(path)
            if known is None or known[0] != signature or (known[1].location is None) != read:
                unread = InputFile(path, b"", context_only=True, location=path)
                item = unread.read(self.max_bytes) if read else unread
                if item is None:  # gone since it was listed, unreadable, or a pipe now
                    self.known.pop(path, None)
                    continue
                known = self.known[path] = (signature, item)
            found.append(known[1])
        return found


# How often a session looks whether the disk caches it uses are due for pruning (they are at most once a day).
PRUNE_LOOK_SECONDS = 3600


@dataclass
class WorkspaceLinter:
    """Lints the documents of one editor session; see the module's docstring for what it keeps between edits."""

    folders: tuple[str, ...] = ()
    _hosts: dict[tuple[str, ...], PluginHost] = field(default_factory=dict)
    _caches: dict[tuple[str, ...], SourceCache] = field(default_factory=dict)
    _configs: dict[str, tuple[Config, tuple[str, ...]]] = field(default_factory=dict)
    _indexes: dict[tuple, _ContextIndex] = field(default_factory=dict)
    _stale: bool = False
    use_disk_cache: bool = True
    # Each disk cache directory this session used, with when `caches_to_prune` last gave it (time.monotonic()).
    _disk_caches: dict[str, tuple["DiskCache", float | None]] = field(default_factory=dict)

    def set_folders(self, folders: Iterable[str]) -> None:
        """The workspace folders (absolute paths); everything kept for the old ones is dropped."""
        self.folders = tuple(sorted({os.path.abspath(folder) for folder in folders}, key=len, reverse=True))
        self.invalidate(configuration=True)

    def invalidate(self, configuration: bool = False) -> None:
        """Files were created, deleted or changed on disk: walk the context again; with `configuration`, re-read it."""
        self._stale = True
        if configuration:
            self._configs.clear()
            self._indexes.clear()

    def host(self, plugins: tuple[str, ...]) -> PluginHost:
        if plugins not in self._hosts:
            host = build_plugin_host(list(plugins))
            host.rules()
            self._hosts[plugins] = host
            self._caches[plugins] = SourceCache()
        return self._hosts[plugins]

    def folder_of(self, path: str) -> str | None:
        """The innermost workspace folder that holds `path`, or None."""
        path = os.path.abspath(path)
        for folder in self.folders:  # longest first: the innermost wins
            if _at_or_below(path, folder):
                return folder
        return None

    def is_lintable(self, path: str, config: Config | None = None) -> bool:
        """True when a directory walk would pick `path`'s name (the core patterns plus the plugins')."""
        config = config if config is not None else self.config_for(path)[0]
        patterns = _discovery(config, self.host(tuple(config.get("plugins", ())))).patterns
        name = os.path.basename(path)
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    def config_for(self, path: str) -> tuple[Config, tuple[str, ...]]:
        """The configuration that applies to `path`'s directory, and the problems met reading it.

        Searched up to the workspace folder (the defaults outside every
        folder); a broken file gives the defaults and one problem saying why.
        """
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._configs:
            folder = self.folder_of(path)
            if folder is None:
                self._configs[directory] = (Config(), ())
            else:
                try:
                    self._configs[directory] = (self._checked(read_config(find_config(directory, stop=folder))), ())
                except ConfigError as error:
                    self._configs[directory] = (
                        Config(),
                        (f"configuration ignored, linting with the defaults: {error}",),
                    )
        return self._configs[directory]

    def _checked(self, config: Config) -> Config:
        """`config` validated against the schema of the plugins it loads (their sections merged in)."""
        if config.path is None:
            return config
        return check_config(config, self.host(tuple(config.get("plugins", ()))).option_sections())

    def scope_of(self, path: str, context: str = "repository") -> Scope | None:
        """Where `path`'s context comes from: its repository (inside the folder) or the folder; None for none."""
        path = os.path.abspath(path)
        folder = self.folder_of(path)
        if folder is None or context == "none":
            return None
        directory = os.path.dirname(path)
        if context != "repository":
            return Scope(directory, False)
        for candidate in _up_to(directory, folder):
            if is_repository_root(candidate):
                return Scope(candidate, True)
        return Scope(folder, True)

    def lint(self, path: str, text: str, buffers: Mapping[str, str] = {}) -> DocumentLint:
        """Lint `text` as the file `path` (absolute), with its context as the CLI reads it.

        `buffers` maps the absolute paths of other open documents to their
        text, which replaces the file on disk (or joins the context when the
        file does not exist yet). Bad input never raises: it is a finding
        (MD001); a plugin that fails is MD002.
        """
        path = os.path.abspath(path)
        config, problems = self.config_for(path)
        plugins = tuple(config.get("plugins", ()))
        host = self.host(plugins)
        options, option_problems = _options(config, host)
        options = replace(
            options, source_cache=self._caches[plugins], disk_cache=self._disk_cache(host, config, (path, *buffers))
        )
        problems += option_problems
        discovery = _discovery(config, host)
        scope = self.scope_of(path, config.get("context", "repository"))
        document = InputFile(path, text.encode("utf-8", "surrogatepass"))
        context: list[InputFile] = []
        if scope is not None:
            try:
                index = self._index(scope, discovery, options.limits.max_bytes)
                context = index.inputs(path, read=parses_every_context_file(host))
            except (OSError, PatternError) as error:
                problems += (f"context files not read: {error}",)
        inputs = _with_buffers([document, *context], path, buffers, scope, discovery)
        result = run_lint(inputs, host, options)
        own = tuple(
            finding
            for finding in result.findings
            if finding.suppression is None and os.path.abspath(finding.span.path) == path
        )
        return DocumentLint(path, result, own, problems)

    def _disk_cache(self, host: PluginHost, config: Config, open_paths: Sequence[str]):
        """The on-disk parse cache for the context files (the open documents left out), or None."""
        if not self.use_disk_cache:
            return None
        from linter.disk_cache import open_cache, run_salt

        cache = open_cache(config.cache_directory(), run_salt(host, config))
        if cache is None:
            return None
        self._disk_caches.setdefault(cache.directory, (cache, None))
        return cache.without(open_paths)

    def caches_to_prune(self, now: float | None = None) -> list["DiskCache"]:
        """The disk caches this session used that were not given here in the last `PRUNE_LOOK_SECONDS`.

        For the caller to call `maybe_prune` on each (away from the editor's
        requests: pruning a large cache takes a while); that costs one `stat`
        when the cache was pruned in the last day, by this session or any run.
        """
        now = time.monotonic() if now is None else now
        due = []
        for directory, (cache, given) in self._disk_caches.items():
            if given is None or now - given >= PRUNE_LOOK_SECONDS:
                self._disk_caches[directory] = (cache, now)
                due.append(cache)
        return due

    def _index(self, scope: Scope, discovery: DiscoveryOptions, max_bytes: int) -> _ContextIndex:
        key = (scope, discovery, max_bytes)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = _ContextIndex(scope, discovery, max_bytes)
        stale, self._stale = self._stale, False
        if stale:
            for other in self._indexes.values():
                other.walked_at = None  # every scope walks again on its next use
        index.refresh(stale=False)
        return index


def _at_or_below(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _up_to(directory: str, top: str) -> Iterable[str]:
    """`directory` and its parents up to and including `top` (which holds it)."""
    while True:
        yield directory
        if directory == top or not _at_or_below(directory, top):
            return
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _options(config: Config, host: PluginHost) -> tuple[LintOptions, tuple[str, ...]]:
    """LintOptions from the configuration, as the CLI builds them (without command-line flags)."""
    problems: tuple[str, ...] = ()
    selector = RuleSelector(tuple(config.get("select", ())), tuple(config.get("ignore", ())))
    try:
        selector.validate(host.rules())
    except SelectionError as error:
        problems += (f"{config.path}: {error}; every rule is enabled",)
        selector = RuleSelector()
    environment = None
    if config.get("environment"):
        environment = normalise_environment(config.get("environment"))
        if environment is None:
            problems += (f"{config.path}: unknown environment {config.get('environment')!r}, ignored",)
    options = LintOptions(
        selector=selector,
        environment=environment,
        config=config,
        file_timeout=config.get("file-timeout", DEFAULT_FILE_TIMEOUT),
    )
    return options, problems


def _discovery(config: Config, host: PluginHost) -> DiscoveryOptions:
    discovery = DiscoveryOptions(
        exclude=tuple(config.get("exclude", ())), respect_gitignore=config.get("respect-gitignore", True)
    )
    extra = tuple(pattern for pattern in host.file_patterns() if pattern not in discovery.patterns)
    return replace(discovery, patterns=discovery.patterns + extra) if extra else discovery


def _with_buffers(
    inputs: Sequence[InputFile],
    path: str,
    buffers: Mapping[str, str],
    scope: Scope | None,
    discovery: DiscoveryOptions,
) -> list[InputFile]:
    """`inputs` with each context file that is open replaced by its buffer; open files not on disk added.

    Without a scope (a document outside the workspace folders) the other
    open documents are the whole context.
    """
    buffers = {os.path.abspath(other): text for other, text in buffers.items() if os.path.abspath(other) != path}
    seen: set[str] = set()
    replaced: list[InputFile] = []
    for item in inputs:
        absolute = os.path.abspath(item.path)
        seen.add(absolute)
        if item.context_only and absolute in buffers:
            item = InputFile(item.path, buffers[absolute].encode("utf-8", "surrogatepass"), context_only=True)
        replaced.append(item)
    for other, text in sorted(buffers.items()):
        if other in seen:
            continue
        if scope is not None:
            if os.path.exists(other):
                continue  # on disk: the walk chose whether it is context (excludes, .gitignore)
            parent = os.path.dirname(other)
            if not (parent == scope.root or (scope.recursive and _at_or_below(parent, scope.root))):
                continue
        if any(fnmatch.fnmatch(os.path.basename(other), pattern) for pattern in discovery.patterns):
            replaced.append(InputFile(other, text.encode("utf-8", "surrogatepass"), context_only=True))
    return replaced

"""The programmatic entry points: lint paths or text, get a LintResult.

`cli.py`, the pre-commit hook and the language server all go through here.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO, Sequence

from linter.discovery import (
    DiscoveryOptions,
    NotARegularFile,
    check_pattern,
    discover,
    is_repository_root,
    list_directory,
    nearest_files,
    read_regular_file,
    up_to_repository_root,
)
from linter.engine import InputFile, LintOptions, LintResult, run_lint
from linter.plugin_manager import PluginHost, build_plugin_host
from linter.source import LoadLimits

__all__ = ["DEFAULT_CONTEXT", "STDIN", "lint_paths", "lint_text", "read_inputs"]

STDIN = "-"




def read_inputs(
    paths: Sequence[str],
    discovery: DiscoveryOptions = DiscoveryOptions(),
    stdin: BinaryIO | None = None,
    stdin_name: str = "<stdin>",
    context: str = "siblings",
    notes: list[str] | None = None,
    max_bytes: int = LoadLimits().max_bytes,
) -> list[InputFile]:
    """Discover and read the files under `paths`; `-` reads standard input.

    Context files are listed for the files named explicitly (and for
    `stdin_name`, when it names a real path), unread (`InputFile.location`):
    the run reads those a plugin may want (`linter.context_selection`), and
    adapters see them for cross-file links (an HPA and the Deployment it
    scales), but nothing is reported for them. That is what a pre-commit
    hook needs, since it passes only the changed files. `context` chooses
    them:

    - "repository": every lintable file of the repository that holds the
      named file (the nearest enclosing directory with a `.git`), found as a
      directory argument would be (`.gitignore` and excludes respected);
      outside a repository, the files beside it; in one with more than
      `MAX_REPOSITORY_CONTEXT_FILES` of them, that many, the nearest first
      (its directory's files, then its directory's tree, then its parent's,
      and so on: `linter.discovery.nearest_files`), with a line saying so
      added to `notes`;
    - "siblings": the lintable files beside it, in its directory (not below it);
    - "none": no context.

    Directories named on the command line are linted whole anyway.

    No input is read beyond `max_bytes + 1` bytes (standard input included):
    a longer one is passed on `truncated`, for the loader to report as too
    large. Raises FileNotFoundError for a missing path, NotARegularFile (an
    OSError) for a named pipe or a device named explicitly (never waiting on
    it), OSError for an unreadable file, and PatternError for an unusable
    exclude pattern; pipes and devices met in walks are skipped, and so are
    `.gitignore` patterns that cannot be used (with a line in `notes`).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    notes = notes if notes is not None else []
    for pattern in discovery.exclude:
        check_pattern(pattern, "exclude pattern")  # wrong even when no directory is walked
    named = [path for path in paths if path != STDIN]
    explicit_files = {os.path.normpath(path) for path in named if not os.path.isdir(path)}
    inputs: list[InputFile] = []
    linted: set[str] = set()
    for file_path in discover(named, discovery, notes):
        try:
            data, truncated = read_regular_file(file_path, max_bytes)
        except NotARegularFile:
            if os.path.normpath(file_path) in explicit_files:
                raise
            continue  # became a pipe or a device since the walk listed it
        linted.add(os.path.abspath(file_path))
        inputs.append(InputFile(_display(file_path), data, truncated=truncated))
    if STDIN in paths:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        inputs.append(InputFile(_display(stdin_name), data, truncated=len(data) > max_bytes))
        if os.path.exists(stdin_name):
            linted.add(os.path.abspath(stdin_name))
    if context != "none":
        explicit = [path for path in named + ([stdin_name] if STDIN in paths else []) if os.path.isfile(path)]
        inputs.extend(_context(explicit, discovery, linted, context == "repository", notes))
    return inputs


CONTEXTS = ("repository", "siblings", "none")
# Above this many lintable files a repository is not read whole as context (nor walked
# whole): the files nearest the named files are, up to this many. Context files are parsed only when a plugin wants them
# (`mldeploy_context_wanted`), so listing and reading one costs ~0.04 ms: the bound guards
# against a hostile or generated tree (10^6 files), not against an ordinary large repository.
MAX_REPOSITORY_CONTEXT_FILES = 50_000


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` that holds a `.git` (directory or file), or None."""
    *_, top = up_to_repository_root(directory)
    return top if is_repository_root(top) else None


def _context(
    paths: Sequence[str],
    discovery: DiscoveryOptions,
    linted: set[str],
    whole_repository: bool,
    notes: list[str],
) -> list[InputFile]:
    """Context files for the explicitly named files: their repository's, or their directories'.

    A directory's files are listed without walking below it: nothing under
    a scratch or home directory is visited for a file named in it.
    """
    roots: set[tuple[str, bool]] = set()  # (directory, walk below it)
    for path in paths:
        directory = os.path.dirname(os.path.abspath(path))
        root = repository_root(directory) if whole_repository else None
        roots.add((root, True) if root is not None else (directory, False))
    cwd = os.getcwd()
    context: list[InputFile] = []
    for root, recursive in sorted(roots):
        listed = _relative_if_below_cwd(root)
        if not recursive:
            files = list_directory(listed, discovery, notes)
        else:
            directories = sorted({os.path.dirname(os.path.abspath(path)) for path in paths if _below(path, root)})
            files, capped = nearest_files(listed, directories, MAX_REPOSITORY_CONTEXT_FILES, discovery, notes)
            if capped:
                notes.append(
                    f"the repository at {listed} holds more than {MAX_REPOSITORY_CONTEXT_FILES:,} "
                    f"lintable files: the {MAX_REPOSITORY_CONTEXT_FILES:,} nearest the named files are read as context "
                    f"(their directories first, then the trees around them; set context = \"siblings\" to read only the "
                    f"directories, or exclude directories that hold no deployments)"
                )
        # A walk joins names to `listed`, which relpath or abspath made normal: its paths need no normalising
        # (thousands in a repository) but for the "./" a walk of the working directory puts before each.
        strip = 2 if listed == "." else 0
        for file_path in files:
            relative = file_path[strip:]
            absolute = relative if os.path.isabs(relative) else os.path.join(cwd, relative)
            if absolute in linted:
                continue
            linted.add(absolute)
            # Read by the run only when a plugin may want it (linter.context_selection); an unreadable
            # one (or a pipe) is then left out, not worth failing the run for.
            display = relative if relative.isascii() else _display(relative)
            context.append(InputFile(display, b"", context_only=True, location=relative))
    return context


def _below(path: str, root: str) -> bool:
    absolute = os.path.abspath(path)
    return absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep)


def _relative_if_below_cwd(directory: str) -> str:
    relative = os.path.relpath(directory)
    return directory if relative.startswith("..") else relative


def _display(path: str) -> str:
    """The path as reported: normalised (`./a//b` -> `a/b`), still relative if given so.

    A name that is not UTF-8 (its bytes reach Python as lone surrogates,
    which no report can encode) is shown with those bytes escaped: `\\xff`.
    """
    path = os.path.normpath(path)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


# Context files for library callers that neither pass `context` nor configure it: the
# named files' directories, never a whole repository read behind the caller's back.
# The command line passes the setting's documented default, "repository".
DEFAULT_CONTEXT = "siblings"


def lint_paths(
    paths: Sequence[str],
    options: LintOptions = LintOptions(),
    discovery: DiscoveryOptions = DiscoveryOptions(),
    host: PluginHost | None = None,
    context: str | None = None,
    stdin_name: str = "<stdin>",
    notes: list[str] | None = None,
) -> LintResult:
    """Lint files and directories with `host`'s plugins (the installed ones when None).

    The one way in for the `mldeploy-lint` command, plugin commands and
    library callers alike: the plugins' file patterns join `discovery`'s,
    and context files are read as `read_inputs` says. `context` is
    "repository", "siblings" or "none"; None takes the configuration's
    `context` setting (`options.config`), else `DEFAULT_CONTEXT`
    ("siblings"). That default is where the command line differs: it
    passes "repository", the setting's documented default, since a
    pre-commit hook names only the changed files. `-` among `paths` reads
    standard input, reported as `stdin_name`; lines about what was not
    read as context go to `notes`. Raises as `read_inputs` does
    (FileNotFoundError, OSError, PatternError); never for bad input or a
    failing plugin, which are findings.
    """
    host = host or build_plugin_host()
    discovery = _with_plugin_patterns(discovery, host)
    if context is None:
        context = options.config.get("context", DEFAULT_CONTEXT)
    inputs = read_inputs(
        paths, discovery, stdin_name=stdin_name, context=context, notes=notes, max_bytes=options.limits.max_bytes
    )
    return run_lint(inputs, host, options)


def lint_text(
    text: str, path: str = "<text>", options: LintOptions = LintOptions(), host: PluginHost | None = None
) -> LintResult:
    """Lint one in-memory text as if it were the file `path` (editors, tests)."""
    host = host or build_plugin_host()
    return run_lint([InputFile(path, text.encode("utf-8"))], host, options)


def _with_plugin_patterns(discovery: DiscoveryOptions, host: PluginHost) -> DiscoveryOptions:
    extra = tuple(pattern for pattern in host.file_patterns() if pattern not in discovery.patterns)
    if not extra:
        return discovery
    from dataclasses import replace

    return replace(discovery, patterns=discovery.patterns + extra)

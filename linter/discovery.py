"""Find the files to lint under the paths a user names.

Directories are searched recursively for the core file patterns plus those
plugins add; `.gitignore` files met on the way and `--exclude` patterns
(gitignore syntax) prune the search. A file named explicitly is always
linted, whatever the patterns say. Output order is sorted and stable.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

__all__ = ["DEFAULT_PATTERNS", "DEFAULT_EXCLUDES", "DiscoveryOptions", "discover"]

DEFAULT_PATTERNS = ("*.yaml", "*.yml", "*.json", "*.template")
# Never worth searching: VCS metadata, virtual environments, caches, build output.
DEFAULT_EXCLUDES = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "node_modules/",
    "__pycache__/",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    "cdk.out/asset.*/",
    ".aws-sam/",
)


@dataclass(frozen=True)
class DiscoveryOptions:
    """Patterns to include and exclude while searching directories."""

    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True


def discover(paths: Sequence[str], options: DiscoveryOptions = DiscoveryOptions()) -> Iterator[str]:
    """Yield the files to lint under `paths`, each once.

    Raises FileNotFoundError for a path that does not exist.
    """
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            found: Iterable[str] = sorted(_walk(path, options))
        elif os.path.exists(path):
            found = [path]
        else:
            raise FileNotFoundError(path)
        for file_path in found:
            key = os.path.normpath(file_path)
            if key not in seen:
                seen.add(key)
                yield file_path


def _walk(root: str, options: DiscoveryOptions) -> Iterator[str]:
    import pathspec

    base_spec = pathspec.GitIgnoreSpec.from_lines(list(DEFAULT_EXCLUDES) + list(options.exclude))
    # (directory relative to root, spec of the .gitignore found there)
    ignore_specs: list[tuple[str, pathspec.PathSpec]] = []

    def ignored(relative: str, is_dir: bool) -> bool:
        candidate = relative + "/" if is_dir else relative
        if base_spec.match_file(candidate):
            return True
        for directory, spec in ignore_specs:
            if directory and not candidate.startswith(directory + "/"):
                continue
            inner = candidate[len(directory) + 1 :] if directory else candidate
            if spec.match_file(inner):
                return True
        return False

    for current, dirnames, filenames in os.walk(root):
        relative_dir = os.path.relpath(current, root).replace(os.sep, "/")
        relative_dir = "" if relative_dir == "." else relative_dir
        if options.respect_gitignore and ".gitignore" in filenames:
            try:
                with open(os.path.join(current, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                    ignore_specs.append((relative_dir, pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())))
            except OSError:
                pass
        join = (lambda name: f"{relative_dir}/{name}") if relative_dir else (lambda name: name)
        dirnames[:] = sorted(name for name in dirnames if not ignored(join(name), True))
        for name in sorted(filenames):
            if not any(fnmatch.fnmatch(name, pattern) for pattern in options.patterns):
                continue
            if ignored(join(name), False):
                continue
            full = os.path.join(current, name)
            if os.path.isfile(full):
                yield full


def up_to_repository_root(start: str) -> Iterator[str]:
    """`start` (made absolute) and the directories above it, up to and including the first that holds a `.git`."""
    directory = os.path.abspath(start)
    while True:
        yield directory
        if is_repository_root(directory):
            return
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def is_repository_root(directory: str) -> bool:
    """True when `directory` holds a `.git` (a directory, or a file in a worktree)."""
    return os.path.exists(os.path.join(directory, ".git"))

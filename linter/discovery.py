"""Find the files to lint under the paths a user names, and read them safely.

Directories are searched recursively for the core file patterns plus those
plugins add; `.gitignore` files met on the way and `--exclude` patterns
(gitignore syntax) prune the search. A file named explicitly is always
linted, whatever the patterns say, but only a regular file: a named pipe or
a device is refused (it could block or never end), and skipped in walks.
Output order is sorted and stable.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import os
import re
import stat
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

__all__ = [
    "DEFAULT_PATTERNS",
    "DEFAULT_EXCLUDES",
    "DiscoveryOptions",
    "NotARegularFile",
    "PatternError",
    "check_pattern",
    "discover",
    "list_directory",
    "nearest_files",
    "read_regular_file",
]

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
    ".terraform/",  # `terraform init`'s copies of remote modules and providers, linted where they are called
)


@dataclass(frozen=True)
class DiscoveryOptions:
    """Patterns to include and exclude while searching directories."""

    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True


class NotARegularFile(OSError):
    """A path that names a named pipe, a device or a socket where a file was expected."""

    def __init__(self, path: str, mode: int) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({_kind(mode)})", path)


class PatternError(ValueError):
    """A gitignore-style pattern that cannot be used: malformed, or too costly to match."""


def discover(
    paths: Sequence[str], options: DiscoveryOptions = DiscoveryOptions(), notes: list[str] | None = None
) -> Iterator[str]:
    """Yield the files to lint under `paths`, each once.

    Raises FileNotFoundError for a path that does not exist, NotARegularFile
    for one that names a pipe or a device, and PatternError for an unusable
    `options.exclude` pattern. An unusable pattern in a `.gitignore` met on
    the way is skipped, with a line saying so added to `notes`.
    """
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            found: Iterable[str] = sorted(_walk(path, options, notes if notes is not None else []))
        elif os.path.isfile(path):
            found = [path]
        elif os.path.exists(path):
            raise NotARegularFile(path, os.stat(path).st_mode)
        else:
            raise FileNotFoundError(path)
        for file_path in found:
            key = os.path.normpath(file_path)
            if key not in seen:
                seen.add(key)
                yield file_path


def list_directory(
    directory: str, options: DiscoveryOptions = DiscoveryOptions(), notes: list[str] | None = None
) -> list[str]:
    """The lintable regular files directly in `directory` (not below it), sorted.

    Filtered as a walk of `directory` filters its own files: the patterns,
    the excludes and the directory's own `.gitignore`.
    """
    return sorted(_walk(directory, options, notes if notes is not None else [], recursive=False))


def nearest_files(
    root: str, starts: Sequence[str], limit: int, options: DiscoveryOptions = DiscoveryOptions(), notes: list[str] | None = None
) -> tuple[list[str], bool]:
    """The lintable files under the directory `root` as `discover([root])` finds them, at most `limit`; and whether some were left.

    The walk stops at `limit + 1` files: a huge tree is not walked whole.
    Above `limit`, the files nearest `starts` (directories at or below
    `root`) are taken: the files directly in each start directory, then
    each one's tree, then its parent's tree, and so on up to `root` — each
    level for every start before the next — until `limit` files are found.
    Patterns, excludes and every `.gitignore` from `root` down apply as in
    a walk from `root`. Sorted as `discover` sorts.
    """
    notes = notes if notes is not None else []
    found: list[str] = []
    for path in _walk(root, options, notes):
        if len(found) == limit:
            break
        found.append(path)
    else:
        return sorted(found), False
    before = len(notes)
    found = _nearest(root, starts, limit, options, notes)
    notes[before:] = [note for note in dict.fromkeys(notes[before:]) if note not in notes[:before]]  # a .gitignore read again
    return sorted(found), True


def _nearest(root: str, starts: Sequence[str], limit: int, options: DiscoveryOptions, notes: list[str]) -> list[str]:
    chains = []
    for start in starts:
        relative = os.path.relpath(os.path.abspath(start), os.path.abspath(root)).replace(os.sep, "/")
        parts = [] if relative == "." else relative.split("/")
        if parts[:1] != [".."]:  # below root
            chains.append(["/".join(parts[:depth]) for depth in range(len(parts), -1, -1)])
    steps = [(chain[0], False) for chain in chains]
    steps += [(chain[level], True) for level in range(max(map(len, chains), default=0)) for chain in chains if level < len(chain)]
    found: list[str] = []
    seen: set[str] = set()
    walked: set[str] = set()
    for relative, recursive in steps:
        if recursive and relative in walked:
            continue
        for path in _walk(root, options, notes, recursive, start=relative, skip=walked):
            key = os.path.normpath(path)
            if key not in seen:
                if len(found) == limit:
                    return found
                seen.add(key)
                found.append(path)
        if recursive:
            walked.add(relative)
    return found


def _walk(
    root: str,
    options: DiscoveryOptions,
    notes: list[str],
    recursive: bool = True,
    start: str = "",
    skip: "set[str] | frozenset[str]" = frozenset(),
) -> Iterator[str]:
    """The lintable files of the walk of `root`, or of its part below `start` (relative to `root`).

    A walk of a part applies every `.gitignore` from `root` down to it, and
    finds nothing when the part itself is excluded; it does not enter the
    directories named in `skip` (relative to `root`).
    """
    # The default excludes all name directories, so they can never exclude a
    # file at the top of `root`: listing a file's siblings in a directory with
    # no .gitignore and no configured excludes needs no matcher, and a
    # pre-commit run does not import pathspec (~20 ms) for it.
    base_spec = None
    # (directory relative to root, spec of the .gitignore found there)
    ignore_specs: list[tuple[str, object]] = []

    def ignored(relative: str, is_dir: bool) -> bool:
        nonlocal base_spec
        candidate = relative + "/" if is_dir else relative
        # Without configured excludes only directories can be excluded, and the walk never
        # enters one that is: a file below `root` needs no match against them.
        if is_dir or options.exclude:
            if base_spec is None:
                base_spec = _exclude_spec(options.exclude)
            if base_spec.match_file(candidate):
                return True
        for directory, spec in ignore_specs:
            if directory and not candidate.startswith(directory + "/"):
                continue
            inner = candidate[len(directory) + 1 :] if directory else candidate
            if spec.match_file(inner):
                return True
        return False

    if start:
        parts = start.split("/")
        for depth in range(len(parts)):  # the ancestors' .gitignore files, and the excludes, from root down
            above = "/".join(parts[:depth])
            if options.respect_gitignore:
                _read_gitignore(os.path.join(root, *parts[:depth]), above, ignore_specs, notes)
            if ignored("/".join(parts[: depth + 1]), True):
                return
    matches = _name_matcher(options.patterns)
    # Depth first, each directory's files before its subdirectories, names sorted: the order of a top-down
    # os.walk. Listed with scandir, whose entries know a regular file without a `stat` of their own.
    pending = [(os.path.join(root, *start.split("/")) if start else root, start)]
    while pending:
        current, relative_dir = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:  # vanished or unreadable: skipped, as os.walk skips it
            continue
        if options.respect_gitignore and any(entry.name == ".gitignore" and not _is_dir(entry) for entry in entries):
            _read_gitignore(current, relative_dir, ignore_specs, notes)
        join = (lambda name: f"{relative_dir}/{name}") if relative_dir else (lambda name: name)
        below = []
        for entry in entries:
            if _is_dir(entry):
                # a link to a directory is not followed (as os.walk does not), nor is an excluded or skipped one
                if recursive and not entry.is_symlink() and not ignored(join(entry.name), True) and join(entry.name) not in skip:
                    below.append((entry.path, join(entry.name)))
                continue
            if not matches(entry.name) or ignored(join(entry.name), False):
                continue
            if _is_file(entry):  # a regular file (or a link to one): never a pipe or a device
                yield entry.path
        pending.extend(reversed(below))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


@functools.lru_cache(maxsize=8)
def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a file name matches one of the shell-style `patterns` (as `fnmatch.fnmatch` matches each)."""
    if not patterns:
        return lambda name: False
    compiled = re.compile("|".join(fnmatch.translate(os.path.normcase(pattern)) for pattern in patterns))
    if os.path.normcase("A") == "A":
        return lambda name: compiled.match(name) is not None
    return lambda name: compiled.match(os.path.normcase(name)) is not None


def _read_gitignore(directory: str, relative_dir: str, ignore_specs: list, notes: list[str]) -> None:
    """Add the `.gitignore` of `directory` (`relative_dir` below the walk's root), if it has one, to `ignore_specs`."""
    ignore_file = os.path.join(directory, ".gitignore")
    if not os.path.isfile(ignore_file):
        return
    try:
        lines = read_regular_file(ignore_file, MAX_GITIGNORE_BYTES)[0].decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    import pathspec

    ignore_specs.append((relative_dir, pathspec.GitIgnoreSpec(_compile_lenient(lines, ignore_file, notes))))


def _exclude_spec(exclude: tuple[str, ...]):
    """The matcher of the default excludes and `exclude` (a pathspec.GitIgnoreSpec)."""
    import pathspec

    return pathspec.GitIgnoreSpec(_compile_strict(DEFAULT_EXCLUDES + exclude))


# A .gitignore is a few kilobytes; one above this is not worth reading whole.
MAX_GITIGNORE_BYTES = 1024 * 1024
# Patterns compile to backtracking regular expressions, whose matching time
# grows with the path length to the power of the wildcards that can match
# the same characters: `**/a*a*a*a*a*a*b` takes minutes on a long path. A
# pattern heavier than this (each `**` and the implied leading `**/` of a
# pattern without a slash weigh 2, every other run of `*` 1) is refused;
# the heaviest allowed matches a 4 KB path in about a tenth of a second.
MAX_PATTERN_WEIGHT = 5


def check_pattern(pattern: str, what: str = "pattern") -> None:
    """Raise PatternError ("invalid <what> ...") unless `pattern` is a usable gitignore-style pattern."""
    _compile_strict((pattern,), what)


def _compile_strict(lines: Sequence[str], what: str = "pattern") -> list:
    """The compiled patterns of `lines`; the first unusable one raises PatternError."""
    compiled = []
    for line in lines:
        pattern, problem = _compile(line)
        if problem:
            raise PatternError(f"invalid {what} {line!r}: {problem}")
        if pattern is not None:
            compiled.append(pattern)
    return compiled


def _compile_lenient(lines: Sequence[str], source: str, notes: list[str]) -> list:
    """The compiled patterns of `lines` from the file `source`; unusable ones are skipped with a note."""
    compiled = []
    for number, line in enumerate(lines, 1):
        pattern, problem = _compile(line)
        if problem:
            notes.append(f"{os.path.normpath(source)}:{number}: pattern {line!r} skipped: {problem}")
        elif pattern is not None:
            compiled.append(pattern)
    return compiled


def _compile(line: str) -> tuple[object | None, str]:
    """(the compiled pattern or None for a blank line or comment, "") or (None, why it is unusable)."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    weight = _pattern_weight(line)
    if weight > MAX_PATTERN_WEIGHT:
        return None, f"too many wildcards to match in reasonable time (weight {weight}, at most {MAX_PATTERN_WEIGHT})"
    try:
        pattern = GitIgnoreSpecPattern(line)
    except re.error as error:
        return None, error.msg
    except ValueError:  # pathspec's GitIgnorePatternError: `!` alone, a trailing backslash
        return None, "not a valid gitignore pattern"
    return (pattern if pattern.include is not None else None), ""


def _pattern_weight(line: str) -> int:
    """The cost class of matching a gitignore pattern with a backtracking regex (see MAX_PATTERN_WEIGHT)."""
    body = re.sub(r"\\.", "x", line.strip())  # an escaped character is a literal
    if not body or body.startswith("#"):
        return 0
    body = body.removeprefix("!")
    segments = body.strip("/").split("/")
    anchored = "/" in body.rstrip("/")
    weight = 0 if anchored else 2
    for index, segment in enumerate(segments):
        if segment == "**":
            weight += 0 if index == len(segments) - 1 else 2  # a final `/**` matches in one pass
        else:
            weight += len(re.findall(r"\*+", segment))
    return weight


def read_regular_file(path: str, max_bytes: int) -> tuple[bytes, bool]:
    """The bytes of the regular file `path`, and whether it holds more than `max_bytes`.

    Reads at most `max_bytes + 1` bytes, however large the file is or grows
    while read: when the flag is True, the bytes are only the file's start. Raises NotARegularFile, without blocking, for a named pipe
    or a device (opened non-blocking, then checked), OSError when unreadable.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotARegularFile(path, status.st_mode)
        # os.read, not a buffered file's read(max_bytes + 1), which allocates that much for every
        # file: a repository's context is thousands of small files. Sized by the file, then read
        # on to the end, which may have moved since fstat.
        limit = max_bytes + 1
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(descriptor, min(limit - size, max(status.st_size + 1 - size, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return data, len(data) > max_bytes


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


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
